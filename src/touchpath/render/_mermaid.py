"""Mermaid flowchart output for a JourneyMap.

Node ids are generated (``s0``, ``s1``, ...), so no stage id can clash with
Mermaid syntax (``end``, ``subgraph``, ``-->``). Every label is double-quoted
and escaped with Mermaid's entity codes (``#quot;``, ``#35;``, ...), so the
text a reader sees is the label itself, never markup, a directive or a
comment. See :func:`mermaid_label` for the exact rules.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Final, Literal

from typing_extensions import TypeIs

from ..exceptions import ConfigError, UnsupportedInputError
from ..validation._compare import EdgeStatus, MapComparison

if TYPE_CHECKING:
    from .._map import JourneyMap

__all__ = ["checked_subject", "mermaid_label", "normalize_label", "percent_label", "to_mermaid"]

SHADOW_COLOR: Final = "#d62728"
"""Shadow moves and unknown stages in the Mermaid and DOT overlays."""
DEAD_COLOR: Final = "#aaaaaa"
"""Dead edges and unreached stages in the Mermaid and DOT overlays."""

FlowDirection = Literal["LR", "TB", "TD", "RL", "BT"]
_DIRECTIONS: Final = ("LR", "TB", "TD", "RL", "BT")

_LINE_BREAKS: Final = ("\r\n", "\r", "\u2028", "\u2029")

# Characters written as entity codes wherever they occur in a label. '#' and '&'
# keep user text from being read as an entity; '"' would end the string; '<' and
# '>' would be markup; '`' starts a markdown string; '¶' and 'ﬂ' are the marker
# characters Mermaid uses internally while it decodes entities.
_ENTITIES: Final = {
    "#": "#35;",
    '"': "#quot;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
    "|": "#124;",
    "\\": "#92;",
    "\u00b6": "#182;",
    "\ufb02": "#64258;",
}


def normalize_label(text: str) -> str:
    """The text a rendered label shows for ``text`` (both Mermaid and DOT).

    Line breaks (``\\r\\n``, ``\\r``, U+2028, U+2029) become ``\\n``; other
    control characters (tab included) become a space; lone surrogates, which
    no UTF-8 file can hold, become U+FFFD. Everything else is kept as is.

    >>> normalize_label("Step 1:\\r\\nsign up\\tnow")
    'Step 1:\\nsign up now'
    """
    for brk in _LINE_BREAKS:
        text = text.replace(brk, "\n")
    out: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc" and ch != "\n":
            out.append(" ")
        elif category == "Cs":
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def _trimmable(ch: str) -> bool:
    # The characters JavaScript's String.prototype.trim removes, bar the line breaks
    # (already <br/>): Mermaid trims labels, so edge whitespace must be entity codes.
    return ch != "\n" and (ch.isspace() or ch == "\ufeff")


def mermaid_label(text: str) -> str:
    """Escape text as a double-quoted Mermaid label.

    The text is first normalised (:func:`normalize_label`); then newlines
    become ``<br/>``; ``# " & < > ` | \\`` and two rare marker characters
    become entity codes; whitespace at either end becomes an entity code
    (Mermaid would trim it); the second ``%`` of ``%%`` becomes ``#37;`` (no
    directive or comment can start); and in a label containing ``style`` or
    ``classDef``, ``:`` becomes ``#58;`` (Mermaid's preprocessor rewrites
    such lines). A renderer shows exactly the normalised text.

    >>> mermaid_label('Say "hi" <b>#1</b>\\nnext')
    '"Say #quot;hi#quot; #lt;b#gt;#35;1#lt;/b#gt;<br/>next"'
    >>> mermaid_label(" 100%% ")
    '"#32;100%#37;#32;"'
    """
    text = normalize_label(text)
    start = 0
    while start < len(text) and _trimmable(text[start]):
        start += 1
    stop = len(text)
    while stop > start and _trimmable(text[stop - 1]):
        stop -= 1
    escape_colon = "style" in text or "classDef" in text
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch == "\n":
            out.append("<br/>")
        elif ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif not start <= i < stop:
            out.append(f"#{ord(ch)};")
        elif ch == "%" and i > 0 and text[i - 1] == "%":
            out.append("#37;")
        elif ch == ":" and escape_colon:
            out.append("#58;")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def percent_label(p: float) -> str:
    """A probability as a whole percentage that never rounds a rare move to 0 % or 100 %.

    >>> percent_label(0.004), percent_label(0.5), percent_label(0.996)
    ('<1%', '50%', '>99%')
    """
    if 0 < p < 0.01:
        return "<1%"
    if 0.99 < p < 1:
        return ">99%"
    return f"{p:.0%}"


def edge_label(count: float, probability: float | None) -> str:
    """An overlay edge's label: the count, and the probability when known.

    >>> edge_label(3, 0.75), edge_label(2.5, None)
    ('3 (75%)', '2.5')
    """
    from .._repr import format_number

    text = str(count) if isinstance(count, int) else format_number(count)
    return text if probability is None else f"{text} ({percent_label(probability)})"


def to_mermaid(
    journey_map: JourneyMap | MapComparison,
    *,
    direction: FlowDirection = "LR",
    touchpoints: bool = False,
) -> str:
    """Render a map as a Mermaid flowchart.

    Stages are nodes in canonical order; entry stages get the class
    ``entry`` and terminal stages the class ``terminal``. Forward edges are
    solid arrows, loop-back edges dotted arrows labelled ``loop back``.
    With ``touchpoints=True`` each stage that has touchpoints is drawn in a
    subgraph together with them (labelled with name and channel).

    Node ids are generated: ``s<i>`` for the stage at canonical index
    ``i``, ``s<i>_g`` for its subgraph and ``s<i>_t<j>`` for its ``j``-th
    touchpoint, so any stage id is safe. Labels are escaped by
    :func:`mermaid_label`.

    Given a :class:`~touchpath.validation.MapComparison`, draws the map
    with the observed traffic over it (its :attr:`~MapComparison.edges`):
    taken edges labelled with their count and probability, dead edges grey
    and dashed, shadow moves thick red arrows (``==>``) with their counts,
    unreached stages grey and dashed, observed stages the map lacks red
    (ids ``u<i>``). ``touchpoints`` are not drawn on an overlay.

    >>> from touchpath import JourneyMap
    >>> m = JourneyMap.builder("m").stage("a", "Awareness").stage("b").edge("a", "b").build()
    >>> print(to_mermaid(m))
    flowchart LR
        s0["Awareness"]
        s1["b"]
        s0 --> s1
        classDef entry stroke-width:3px
        classDef terminal stroke-width:3px,stroke-dasharray: 4 2
        class s0 entry
        class s1 terminal
    """
    if checked_subject(journey_map, direction, _DIRECTIONS, touchpoints, "to_mermaid"):
        return _overlay(journey_map, direction)
    ids = {sid: f"s{i}" for i, sid in enumerate(journey_map.stage_ids)}
    lines = [f"flowchart {direction}"]
    for stage in journey_map.stages:
        node = ids[stage.id]
        label = mermaid_label(stage.name)
        tps = journey_map.touchpoints_of(stage.id) if touchpoints else ()
        if tps:
            lines.append(f"    subgraph {node}_g[{label}]")
            lines.append(f"        {node}[{label}]")
            for j, tp in enumerate(tps):
                tp_label = mermaid_label(f"{tp.name}\n({tp.channel.name})")
                lines.append(f"        {node}_t{j}([{tp_label}])")
            lines.append("    end")
        else:
            lines.append(f"    {node}[{label}]")
    for edge in journey_map.edges:
        a, b = ids[edge.source], ids[edge.target]
        if edge.is_loop_back:
            lines.append(f'    {a} -.->|"loop back"| {b}')
        else:
            lines.append(f"    {a} --> {b}")
    lines.append("    classDef entry stroke-width:3px")
    lines.append("    classDef terminal stroke-width:3px,stroke-dasharray: 4 2")
    entry = journey_map.entry_stages
    terminal = [s for s in journey_map.terminal_stages if s not in entry]
    if entry:
        lines.append(f"    class {','.join(ids[s] for s in entry)} entry")
    if terminal:
        lines.append(f"    class {','.join(ids[s] for s in terminal)} terminal")
    return "\n".join(lines)


def checked_subject(
    subject: JourneyMap | MapComparison,
    direction: str,
    allowed: tuple[str, ...],
    touchpoints: bool,
    what: str,
) -> TypeIs[MapComparison]:
    """Check a renderer's arguments; True when ``subject`` is an overlay (a MapComparison)."""
    from .._map import JourneyMap

    if direction not in allowed:
        raise ConfigError(f"'direction' must be one of {list(allowed)}; got {direction!r}")
    if isinstance(subject, MapComparison):
        if touchpoints:
            raise ConfigError("touchpoints=True draws a map; an overlay is drawn without them")
        return True
    if not isinstance(subject, JourneyMap):
        raise UnsupportedInputError(
            f"{what}() draws a JourneyMap or a MapComparison; got {type(subject).__name__}"
        )
    return False


def _overlay(cmp: MapComparison, direction: str) -> str:
    """The Mermaid overlay of a comparison (see :func:`to_mermaid`)."""
    journey_map = cmp.journey_map
    ids = {sid: f"s{i}" for i, sid in enumerate(journey_map.stage_ids)}
    ids.update({sid: f"u{i}" for i, sid in enumerate(cmp.unknown_stages)})
    lines = [f"flowchart {direction}"]
    lines.extend(f"    {ids[s.id]}[{mermaid_label(s.name)}]" for s in journey_map.stages)
    lines.extend(f"    {ids[sid]}[{mermaid_label(sid)}]" for sid in cmp.unknown_stages)
    dead: list[int] = []
    shadow: list[int] = []
    for k, e in enumerate(cmp.edges):
        a, b = ids[e.source], ids[e.target]
        label = "" if e.observed is None else edge_label(e.count, e.observed.probability)
        if e.loop_back:
            text = "loop back" + (f": {label}" if label else "")
            lines.append(f"    {a} -.->|{mermaid_label(text)}| {b}")
        elif e.status is EdgeStatus.SHADOW:
            lines.append(f"    {a} ==>|{mermaid_label(label)}| {b}")
        elif label:
            lines.append(f"    {a} -->|{mermaid_label(label)}| {b}")
        else:
            lines.append(f"    {a} --> {b}")
        if e.status is EdgeStatus.DEAD:
            dead.append(k)
        elif e.status is EdgeStatus.SHADOW:
            shadow.append(k)
    lines.append(
        f"    classDef unreached fill:#f4f4f4,stroke:{DEAD_COLOR},color:#777777,"
        "stroke-dasharray: 3 3"
    )
    lines.append(f"    classDef unknown fill:#fdecea,stroke:{SHADOW_COLOR},color:{SHADOW_COLOR}")
    if cmp.unreached_stages:
        lines.append(f"    class {','.join(ids[s] for s in cmp.unreached_stages)} unreached")
    if cmp.unknown_stages:
        lines.append(f"    class {','.join(ids[s] for s in cmp.unknown_stages)} unknown")
    if dead:
        lines.append(
            f"    linkStyle {','.join(map(str, dead))} stroke:{DEAD_COLOR},stroke-dasharray: 3 3"
        )
    if shadow:
        lines.append(
            f"    linkStyle {','.join(map(str, shadow))} stroke:{SHADOW_COLOR},stroke-width:3px"
        )
    return "\n".join(lines)

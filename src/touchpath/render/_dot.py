"""Graphviz DOT output for a JourneyMap.

Stage ids are the node names, written as quoted DOT strings by
:func:`dot_quote`, which maps distinct ids to distinct names. Labels are
written by :func:`dot_label`, so Graphviz shows exactly the label's text.
"""

from __future__ import annotations

import unicodedata
import warnings
from typing import TYPE_CHECKING, Final, Literal

from ..validation._compare import EdgeStatus, MapComparison
from ._mermaid import DEAD_COLOR, SHADOW_COLOR, checked_subject, edge_label, normalize_label

if TYPE_CHECKING:
    from .._map import JourneyMap

__all__ = ["DotDirection", "dot_label", "dot_quote", "resolve_direction", "to_dot"]

DotDirection = Literal["LR", "TB", "RL", "BT"]
"""The layout directions Graphviz knows (its ``rankdir``)."""
_DIRECTIONS: Final = ("LR", "TB", "RL", "BT")

_NAME_ESCAPES: Final = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def dot_quote(text: str) -> str:
    """Quote text as a DOT name (of a node or graph); distinct texts stay distinct.

    Graphviz keeps backslashes in names as written, so the name it stores
    is the quoted text: backslashes are doubled, ``\\n``, ``\\r`` and
    ``\\t`` are written as such, other control characters and lone
    surrogates as ``\\u`` escapes.

    >>> print(dot_quote('a "b"\\\\c\\nd'))
    "a \\"b\\"\\\\c\\nd"
    """
    out: list[str] = []
    for ch in text:
        if ch in _NAME_ESCAPES:
            out.append(_NAME_ESCAPES[ch])
        elif unicodedata.category(ch) in ("Cc", "Cs"):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def dot_label(text: str) -> str:
    """Quote text as a DOT label that Graphviz shows verbatim.

    The text is first normalised (see :func:`touchpath.render.to_dot`);
    then backslashes are doubled (no ``\\N`` or ``\\l`` escape can form),
    quotes escaped, newlines written ``\\n`` and ``&`` written ``&amp;``
    (Graphviz decodes HTML entities in labels).

    >>> print(dot_label('R&D "lab"\\\\N\\nnext'))
    "R&amp;D \\"lab\\"\\\\N\\nnext"
    """
    out: list[str] = []
    for ch in normalize_label(text):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "&":
            out.append("&amp;")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _touchpoint_prefix(stage_ids: tuple[str, ...]) -> str:
    """A node-name prefix that no stage id starts with."""
    prefix = "touchpoint:"
    while any(sid.startswith(prefix) for sid in stage_ids):
        prefix += ":"
    return prefix


def resolve_direction(
    direction: DotDirection, rankdir: DotDirection | None, *, stacklevel: int = 3
) -> DotDirection:
    """The layout direction, taking the deprecated ``rankdir=`` (with a warning) when given.

    >>> resolve_direction("TB", None)
    'TB'
    """
    if rankdir is None:
        return direction
    warnings.warn(
        "'rankdir' is deprecated and will be removed in the next release; use "
        f"direction={rankdir!r}",
        DeprecationWarning,
        stacklevel=stacklevel,
    )
    return rankdir


def to_dot(
    journey_map: JourneyMap | MapComparison,
    *,
    direction: DotDirection = "LR",
    touchpoints: bool = False,
    rankdir: DotDirection | None = None,
) -> str:
    """Render a map as a Graphviz digraph.

    Stages are nodes named by their ids and labelled with their names.
    Forward edges are solid, loop-back edges dashed, labelled ``loop back``
    and not used for ranking; entry stages are drawn bold, terminal stages
    double-bordered. With ``touchpoints=True`` each touchpoint is a note
    (name and channel) hanging off its stage, named ``touchpoint:<id>``
    (with more colons if a stage id starts with ``touchpoint:``).

    Labels show their text exactly, after one normalisation: ``\\r\\n``,
    ``\\r``, U+2028 and U+2029 become line breaks, other control characters
    spaces, lone surrogates U+FFFD. ``direction`` is written as the graph's
    ``rankdir``; the parameter ``rankdir=`` is its deprecated old name.

    Given a :class:`~touchpath.validation.MapComparison`, draws the same
    overlay as :func:`~touchpath.render.to_mermaid`: taken map edges
    labelled with count and probability, dead edges grey and dotted, shadow
    moves bold red (and not used for ranking), unreached stages grey and
    dashed, observed stages the map lacks red.

    >>> from touchpath import JourneyMap
    >>> m = JourneyMap.builder("m").stage("a").stage("b").edge("a", "b").build()
    >>> print(to_dot(m))
    digraph "m" {
        rankdir=LR;
        node [shape=box, style=rounded];
        "a" [label="a", penwidth=2];
        "b" [label="b", peripheries=2];
        "a" -> "b";
    }
    """
    direction = resolve_direction(direction, rankdir)
    if checked_subject(journey_map, direction, _DIRECTIONS, touchpoints, "to_dot"):
        return _overlay(journey_map, direction)
    entry = set(journey_map.entry_stages)
    terminal = set(journey_map.terminal_stages)
    lines = [f"digraph {dot_quote(journey_map.name)} {{", f"    rankdir={direction};"]
    lines.append("    node [shape=box, style=rounded];")
    for stage in journey_map.stages:
        attrs = [f"label={dot_label(stage.name)}"]
        if stage.id in entry:
            attrs.append("penwidth=2")
        if stage.id in terminal:
            attrs.append("peripheries=2")
        lines.append(f"    {dot_quote(stage.id)} [{', '.join(attrs)}];")
    if touchpoints:
        prefix = _touchpoint_prefix(journey_map.stage_ids)
        for tp in journey_map.touchpoints:
            node = dot_quote(prefix + tp.id)
            label = dot_label(f"{tp.name}\n({tp.channel.name})")
            lines.append(f"    {node} [label={label}, shape=note, fontsize=10];")
            lines.append(f"    {dot_quote(tp.stage)} -> {node} [arrowhead=none, style=dotted];")
    for edge in journey_map.edges:
        a, b = dot_quote(edge.source), dot_quote(edge.target)
        if edge.is_loop_back:
            lines.append(f'    {a} -> {b} [style=dashed, constraint=false, label="loop back"];')
        else:
            lines.append(f"    {a} -> {b};")
    lines.append("}")
    return "\n".join(lines)


def _overlay(cmp: MapComparison, direction: str) -> str:
    """The DOT overlay of a comparison (see :func:`to_dot`)."""
    unreached = set(cmp.unreached_stages)
    lines = [
        f"digraph {dot_quote(cmp.journey_map.name)} {{",
        f"    rankdir={direction};",
        "    node [shape=box, style=rounded];",
    ]
    for stage in cmp.journey_map.stages:
        extra = ""
        if stage.id in unreached:
            extra = f', color="{DEAD_COLOR}", fontcolor="#777777", style="rounded,dashed"'
        lines.append(f"    {dot_quote(stage.id)} [label={dot_label(stage.name)}{extra}];")
    lines.extend(
        f'    {dot_quote(sid)} [label={dot_label(sid)}, color="{SHADOW_COLOR}", '
        f'fontcolor="{SHADOW_COLOR}", style="rounded,bold"];'
        for sid in cmp.unknown_stages
    )
    for e in cmp.edges:
        label = "" if e.observed is None else edge_label(e.count, e.observed.probability)
        attrs: list[str] = []
        if e.loop_back:
            text = "loop back" + (f": {label}" if label else "")
            attrs.append(f"label={dot_label(text)}")
            if e.status is not EdgeStatus.DEAD:
                attrs.append("style=dashed")
            attrs.append("constraint=false")
        elif label:
            attrs.append(f"label={dot_label(label)}")
        if e.status is EdgeStatus.DEAD:
            attrs += [f'color="{DEAD_COLOR}"', "style=dotted"]
        elif e.status is EdgeStatus.SHADOW:
            attrs += [
                f'color="{SHADOW_COLOR}"',
                f'fontcolor="{SHADOW_COLOR}"',
                "penwidth=2.5",
                "constraint=false",
            ]
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"    {dot_quote(e.source)} -> {dot_quote(e.target)}{suffix};")
    lines.append("}")
    return "\n".join(lines)

"""Mermaid flowchart output for a JourneyMap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .._map import JourneyMap

__all__ = ["mermaid_label", "to_mermaid"]

_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
    "|": "#124;",
    "\\": "#92;",
}


def mermaid_label(text: str) -> str:
    """Escape text for a double-quoted Mermaid label; newlines become ``<br/>``.

    >>> mermaid_label('Say "hi" <b>#1</b>\\nnext')
    '"Say #quot;hi#quot; #lt;b#gt;#35;1#lt;/b#gt;<br/>next"'
    """
    out: list[str] = []
    for ch in text.replace("\r\n", "\n").replace("\r", "\n"):
        if ch == "\n":
            out.append("<br/>")
        elif ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ord(ch) < 32 or ch in "\u2028\u2029":
            out.append(" ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def to_mermaid(
    journey_map: JourneyMap,
    *,
    direction: Literal["LR", "TB", "RL", "BT"] = "LR",
    touchpoints: bool = False,
) -> str:
    """Render a map as a Mermaid flowchart.

    Stages are nodes (entry and terminal stages styled apart), forward edges
    solid arrows, loop-back edges dotted arrows labelled ``loop back``. With
    ``touchpoints=True`` each stage lists its touchpoints in a subgraph.
    Node ids are generated (``s0``, ``s1``, ...), so any stage id is safe.

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
    ids = {sid: f"s{i}" for i, sid in enumerate(journey_map.stage_ids)}
    lines = [f"flowchart {direction}"]
    for stage in journey_map.stages:
        node = ids[stage.id]
        tps = journey_map.touchpoints_of(stage.id) if touchpoints else ()
        if tps:
            lines.append(f"    subgraph {node}_g[{mermaid_label(stage.name)}]")
            lines.append(f"        {node}[{mermaid_label(stage.name)}]")
            for j, tp in enumerate(tps):
                label = f"{tp.name}\n({tp.channel.name})"
                lines.append(f"        {node}_t{j}([{mermaid_label(label)}])")
            lines.append("    end")
        else:
            lines.append(f"    {node}[{mermaid_label(stage.name)}]")
    for edge in journey_map.edges:
        a, b = ids[edge.source], ids[edge.target]
        if edge.is_loop_back:
            lines.append(f'    {a} -.->|"loop back"| {b}')
        else:
            lines.append(f"    {a} --> {b}")
    lines.append("    classDef entry stroke-width:3px")
    lines.append("    classDef terminal stroke-width:3px,stroke-dasharray: 4 2")
    entry = ",".join(ids[s] for s in journey_map.entry_stages)
    terminal = ",".join(
        ids[s] for s in journey_map.terminal_stages if s not in journey_map.entry_stages
    )
    if entry:
        lines.append(f"    class {entry} entry")
    if terminal:
        lines.append(f"    class {terminal} terminal")
    return "\n".join(lines)

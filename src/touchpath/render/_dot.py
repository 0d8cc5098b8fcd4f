"""Graphviz DOT output for a JourneyMap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .._map import JourneyMap

__all__ = ["dot_quote", "to_dot"]


def dot_quote(text: str) -> str:
    """Quote text as a DOT string; backslashes, quotes and newlines are escaped.

    >>> print(dot_quote('a "b"\\\\c\\nd'))
    "a \\"b\\"\\\\c\\nd"
    """
    out: list[str] = []
    for ch in text.replace("\r\n", "\n").replace("\r", "\n"):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 32:
            out.append(" ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def to_dot(
    journey_map: JourneyMap,
    *,
    rankdir: Literal["LR", "TB", "RL", "BT"] = "LR",
    touchpoints: bool = False,
) -> str:
    """Render a map as a Graphviz digraph.

    Forward edges are solid, loop-back edges dashed and not used for ranking;
    entry stages are drawn bold, terminal stages double-bordered. With
    ``touchpoints=True`` each stage's touchpoints hang off it as notes.

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
    entry = set(journey_map.entry_stages)
    terminal = set(journey_map.terminal_stages)
    lines = [f"digraph {dot_quote(journey_map.name)} {{", f"    rankdir={rankdir};"]
    lines.append("    node [shape=box, style=rounded];")
    for stage in journey_map.stages:
        attrs = [f"label={dot_quote(stage.name)}"]
        if stage.id in entry:
            attrs.append("penwidth=2")
        if stage.id in terminal:
            attrs.append("peripheries=2")
        lines.append(f"    {dot_quote(stage.id)} [{', '.join(attrs)}];")
    if touchpoints:
        for i, tp in enumerate(journey_map.touchpoints):
            node = dot_quote(f"touchpoint:{i}")
            label = dot_quote(f"{tp.name}\n({tp.channel.name})")
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

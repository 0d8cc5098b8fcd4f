"""The one overlay of observed on designed: MapComparison.edges, and every renderer drawing it.

The map and the log are small enough to classify every move by hand (see the comments);
the expected classes, counts, labels and drawings below are written from that, never read
back from the code under test.
"""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET

import pytest

from touchpath import JourneyMap
from touchpath.exceptions import ConfigError
from touchpath.render import to_dot, to_mermaid, to_svg
from touchpath.render._svg import SHADOW, UNUSED
from touchpath.validation import (
    EdgeStatus,
    MapComparison,
    OverlayEdge,
    compare_to_map,
    overlay_edges,
)

from ._helpers import stages_log

SVG = "{http://www.w3.org/2000/svg}"

# a -> b -> c -> d, and c may loop back to b (declared in that order)
MAP = (
    JourneyMap.builder("m")
    .stage("a")
    .stage("b")
    .stage("c")
    .stage("d")
    .path("a", "b", "c", "d")
    .edge("c", "b", loop_back=True)
    .build()
)
# j1: a b c b c -> a->b, b->c, c->b (the loop-back), b->c
# j2: a c x     -> a->c (a skip: shadow), c->x (x is not on the map: shadow)
# j3: b a       -> b->a (a regression: shadow)
# So a->b 1, b->c 2, c->b 1, c->d never (dead); shadows a->c, b->a, c->x once each.
# Out of a: 2 moves (a->b, a->c); out of b: 3 (b->c twice, b->a); out of c: 2 (c->b, c->x).
LOG = stages_log({"j1": list("abcbc"), "j2": ["a", "c", "x"], "j3": ["b", "a"]})

T, D, S = EdgeStatus.TAKEN, EdgeStatus.DEAD, EdgeStatus.SHADOW
EXPECTED = [
    ("a", "b", T, False, 1),
    ("b", "c", T, False, 2),
    ("c", "d", D, False, 0),
    ("c", "b", T, True, 1),
    # shadows, most frequent first; all tie at 1, so in map order of source, then target
    ("a", "c", S, False, 1),
    ("b", "a", S, False, 1),
    ("c", "x", S, False, 1),
]


@pytest.fixture(scope="module")
def cmp() -> MapComparison:
    return compare_to_map(LOG, MAP)


def test_every_edge_is_classified_once(cmp: MapComparison) -> None:
    """The map's edges in declaration order (taken or dead), then the shadow moves, each
    with its count; the derived views (dead edges, shadow transitions) agree with it."""
    got = [(e.source, e.target, e.status, e.loop_back, e.count) for e in cmp.edges]
    assert got == EXPECTED
    assert [(e.source, e.target) for e in cmp.dead_edges] == [("c", "d")]
    assert [(t.source, t.target) for t in cmp.shadow_transitions] == [
        ("a", "c"),
        ("b", "a"),
        ("c", "x"),
    ]
    dead = [e for e in cmp.edges if e.status is D]
    assert all(e.observed is None for e in dead)
    taken = {(e.source, e.target): e.observed for e in cmp.edges if e.status is T}
    assert taken[("b", "c")] is not None
    assert taken[("b", "c")].probability == pytest.approx(2 / 3)
    assert [e.is_designed for e in cmp.edges] == [True] * 4 + [False] * 3


def test_overlay_edges_of_plain_counts() -> None:
    """The same classification from plain counts (what a networkx overlay gives): a count of
    0 is not an observation, so a zero-count map edge is dead and a zero-count pair that is
    not on the map is not drawn."""
    got = overlay_edges(MAP, {("a", "b"): 5, ("b", "c"): 0, ("d", "a"): 2.5, ("a", "d"): 0})
    assert [(e.source, e.target, e.status, e.count) for e in got] == [
        ("a", "b", T, 5),
        ("b", "c", D, 0),
        ("c", "d", D, 0),
        ("c", "b", D, 0),
        ("d", "a", S, 2.5),
    ]
    assert got[0] == OverlayEdge("a", "b", T, loop_back=False, count=5)


def test_mermaid_draws_the_overlay(cmp: MapComparison) -> None:
    """The whole Mermaid text, written by hand from the classification: labels are the
    count and the share of moves out of the source (a->b 1 of 2, b->c 2 of 3, ...)."""
    expected = "\n".join(
        [
            "flowchart LR",
            '    s0["a"]',
            '    s1["b"]',
            '    s2["c"]',
            '    s3["d"]',
            '    u0["x"]',
            '    s0 -->|"1 (50%)"| s1',
            '    s1 -->|"2 (67%)"| s2',
            "    s2 --> s3",
            '    s2 -.->|"loop back: 1 (50%)"| s1',
            '    s0 ==>|"1 (50%)"| s2',
            '    s1 ==>|"1 (33%)"| s0',
            '    s2 ==>|"1 (50%)"| u0',
            "    classDef unreached fill:#f4f4f4,stroke:#aaaaaa,color:#777777,"
            "stroke-dasharray: 3 3",
            "    classDef unknown fill:#fdecea,stroke:#d62728,color:#d62728",
            "    class s3 unreached",
            "    class u0 unknown",
            "    linkStyle 2 stroke:#aaaaaa,stroke-dasharray: 3 3",
            "    linkStyle 4,5,6 stroke:#d62728,stroke-width:3px",
        ]
    )
    assert to_mermaid(cmp) == expected
    assert cmp.to_mermaid() == expected
    assert to_mermaid(cmp, direction="TB").startswith("flowchart TB\n")


def test_dot_draws_the_overlay(cmp: MapComparison) -> None:
    """DOT: the same classes: a taken edge labelled, the dead edge grey and dotted, the
    taken loop-back dashed and not ranking, shadow moves red and not ranking."""
    lines = to_dot(cmp, direction="TB").splitlines()
    assert lines[1] == "    rankdir=TB;"
    assert '    "a" -> "b" [label="1 (50%)"];' in lines
    assert '    "c" -> "d" [color="#aaaaaa", style=dotted];' in lines
    assert '    "c" -> "b" [label="loop back: 1 (50%)", style=dashed, constraint=false];' in lines
    shadow = [ln for ln in lines if "penwidth=2.5" in ln]
    assert [ln.split(" [")[0].strip() for ln in shadow] == [
        '"a" -> "c"',
        '"b" -> "a"',
        '"c" -> "x"',
    ]
    assert cmp.to_dot(direction="TB") == "\n".join(lines)


def _groups(svg: str, css: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [g for g in root.iter(f"{SVG}g") if css in g.get("class", "").split()]


def test_svg_draws_the_overlay(cmp: MapComparison) -> None:
    """SVG: shadow moves between map stages are orange arrows; the one to x (not on the map)
    is counted in a note; the dead edge is grey; counts label every edge."""
    svg = to_svg(cmp)
    shadow = _groups(svg, "tp-shadow")
    assert {(g.get("data-source"), g.get("data-target")) for g in shadow} == {
        ("a", "c"),
        ("b", "a"),
    }
    for g in shadow:
        line = next(p for p in g.iter(f"{SVG}path") if p.get("class") == "tp-line")
        assert line.get("stroke") == SHADOW
    counts = {
        (g.get("data-source"), g.get("data-target")): g.get("data-count")
        for g in _groups(svg, "tp-edge")
    }
    assert counts == {
        ("a", "b"): "1",
        ("b", "c"): "2",
        ("c", "d"): "0",
        ("c", "b"): "1",
        ("a", "c"): "1",
        ("b", "a"): "1",
    }
    dead = next(g for g in _groups(svg, "tp-forward") if g.get("data-target") == "d")
    line = next(p for p in dead.iter(f"{SVG}path") if p.get("class") == "tp-line")
    assert line.get("stroke") == UNUSED
    notes = [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert any(
        "1 observed transition (count 1) from or to stages not on the map" in n for n in notes
    )
    assert to_svg(MAP, observed=cmp) == svg == cmp.to_svg()


def test_svg_refuses_a_comparison_of_another_map(cmp: MapComparison) -> None:
    """A comparison drawn on a different map, or with a second overlay, is refused."""
    other = JourneyMap.builder("other").stage("a").stage("b").edge("a", "b").build()
    with pytest.raises(ConfigError, match="'m'"):
        to_svg(other, observed=cmp)
    with pytest.raises(ConfigError, match="its own overlay"):
        to_svg(cmp, observed=cmp)
    with pytest.raises(ConfigError, match="touchpoints"):
        to_mermaid(cmp, touchpoints=True)


def test_plot_transitions_draws_the_shadow_moves_of_the_comparison(cmp: MapComparison) -> None:
    """plot.transitions(cmp): one arc per move between two stages (6), the three shadow
    moves red, and the same picture as the log with the map."""
    pytest.importorskip("matplotlib")
    from matplotlib.colors import to_rgb
    from matplotlib.figure import Figure

    from touchpath import plot

    def arcs(ax: object) -> list[tuple[float, ...]]:
        return [
            tuple(round(c, 3) for c in p.get_edgecolor()[:3])
            for p in ax.patches  # type: ignore[attr-defined]
            if type(p).__name__ == "FancyArrowPatch"
        ]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot.transitions(cmp, ax=Figure().add_subplot())
    red = tuple(round(c, 3) for c in to_rgb("#c44e52"))
    colours = arcs(ax)
    assert len(colours) == 6
    assert colours.count(red) == 3
    box = ax.get_legend()
    assert box is not None
    legend = [t.get_text() for t in box.get_texts()]
    assert "move not in the map" in legend
    again = plot.transitions(LOG, journey_map=MAP, ax=Figure().add_subplot())
    assert sorted(arcs(again)) == sorted(colours)


def test_plot_transitions_refuses_a_comparison_at_another_level(cmp: MapComparison) -> None:
    """A comparison holds stage moves: asking for touchpoints, or another map, is refused."""
    from touchpath import plot

    with pytest.raises(ConfigError, match="level='touchpoint'"):
        plot.transitions(cmp, level="touchpoint")
    other = JourneyMap.builder("other").stage("a").stage("b").edge("a", "b").build()
    with pytest.raises(ConfigError, match="'other'"):
        plot.transitions(cmp, journey_map=other)


def test_every_overlay_input_draws_the_same_svg() -> None:
    """The comparison, the stage TransitionGraph and its networkx graph of the same log are
    three spellings of one overlay: the SVG drawings are identical, on every template."""
    from touchpath import datasets, templates
    from touchpath.metrics import transition_graph

    log = datasets.sample()
    graph = transition_graph(log)
    for name in templates.names():
        m = templates.get(name)
        svg = to_svg(compare_to_map(log, m))
        assert svg == to_svg(m, observed=graph) == to_svg(m, observed=graph.to_networkx()), name

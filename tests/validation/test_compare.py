"""compare_to_map: observed transitions against the map, the graph, and the overlays."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from touchpath import Edge, EdgeKind, EventLog, JourneyMap
from touchpath.exceptions import ConfigError, UnsupportedInputError
from touchpath.validation import MapComparison, TransitionKind, compare_to_map

from ._helpers import ev, linear, log_of

ABCD = linear("a", "b", "c", "d")
H = dt.timedelta(hours=1)

# j1: a@0 b@10 c@30         a->b 10h, b->c 20h
# j2: a@0 b@20 a@25 b@35    a->b 20h, b->a 5h (regression), a->b 10h
# j3: a@0 c@4 zz@5          a->c 4h (skip), c->zz 1h (unknown)
# j4: b@0 c@6               b->c 6h
# a->b: 3 moves in 2 journeys, durations 10, 20, 10 -> median 10h; out of a: 4 moves
# b->c: 2 moves, 20 and 6 -> median 13h; out of b: 3 moves
LOG = log_of(
    {
        "j1": [ev(0, "a"), ev(10, "b"), ev(30, "c")],
        "j2": [ev(0, "a"), ev(20, "b"), ev(25, "a"), ev(35, "b")],
        "j3": [ev(0, "a"), ev(4, "c"), ev(5, "zz")],
        "j4": [ev(0, "b"), ev(3, None), ev(6, "c")],
    }
)


@pytest.fixture(scope="module")
def cmp() -> MapComparison:
    """The comparison of LOG with a -> b -> c -> d."""
    return compare_to_map(LOG, ABCD)


def test_observed_transitions(cmp: MapComparison) -> None:
    """Every observed move with count, journeys, probability among moves out of its source,
    median entry-to-entry time and kind, most frequent first (ties in map order)."""
    got = [
        (t.source, t.target, t.kind, t.count, t.journeys, t.probability, t.median_duration)
        for t in cmp.transitions
    ]
    assert got == [
        ("a", "b", TransitionKind.FORWARD, 3, 2, 3 / 4, 10 * H),
        ("b", "c", TransitionKind.FORWARD, 2, 2, 2 / 3, 13 * H),
        ("a", "c", TransitionKind.SKIP, 1, 1, 1 / 4, 4 * H),
        ("b", "a", TransitionKind.REGRESSION, 1, 1, 1 / 3, 5 * H),
        ("c", "zz", TransitionKind.UNKNOWN, 1, 1, 1.0, 1 * H),
    ]


def test_shadow_dead_unreached_unknown(cmp: MapComparison) -> None:
    """Shadow transitions are the undesigned moves; c -> d is dead; d is unreached; zz is an
    unknown stage; stage counts are by hand."""
    assert [(t.source, t.target) for t in cmp.shadow_transitions] == [
        ("a", "c"),
        ("b", "a"),
        ("c", "zz"),
    ]
    assert cmp.dead_edges == (Edge("c", "d"),)
    assert cmp.unreached_stages == ("d",)
    assert cmp.unknown_stages == ("zz",)
    assert cmp.stage_journeys == {"a": 3, "b": 3, "c": 3, "zz": 1}
    assert cmp.stage_events == {"a": 4, "b": 4, "c": 3, "zz": 1}
    assert cmp.journeys == 4
    assert repr(cmp) == (
        "<MapComparison 'm': 5 observed transitions (3 not in the map), 1 dead edges, "
        "1 unreached stages, 1 unknown stages>"
    )


def test_to_networkx(cmp: MapComparison) -> None:
    """The graph has the map's stages plus unknown ones, and one edge per observed move."""
    g = cmp.to_networkx()
    assert list(g.nodes) == ["a", "b", "c", "d", "zz"]
    assert [g.nodes[n]["in_map"] for n in g.nodes] == [True, True, True, True, False]
    assert (g.nodes["d"]["journeys"], g.nodes["a"]["events"]) == (0, 4)
    assert g.number_of_edges() == 5
    ab = g.edges["a", "b"]
    assert (ab["count"], ab["journeys"], ab["probability"], ab["designed"]) == (3, 2, 0.75, True)
    assert ab["median_duration"] == 10 * H
    assert g.edges["b", "a"]["kind"] is TransitionKind.REGRESSION
    assert not g.edges["b", "a"]["designed"]
    assert not g.has_edge("c", "d")


def test_to_pandas(cmp: MapComparison) -> None:
    """One row per observed transition, in the same order."""
    df = cmp.to_pandas()
    assert df[["source", "target", "count"]].values.tolist() == [
        ["a", "b", 3],
        ["b", "c", 2],
        ["a", "c", 1],
        ["b", "a", 1],
        ["c", "zz", 1],
    ]
    assert df["designed"].tolist() == [True, True, False, False, False]
    assert df["median_duration"].iloc[1] == dt.timedelta(hours=13)


def test_to_mermaid_overlay(cmp: MapComparison) -> None:
    """Map edges first (taken ones labelled; the dead c -> d grey), then the shadow moves as
    thick arrows styled red; d is unreached, zz unknown."""
    lines = cmp.to_mermaid().splitlines()
    assert lines[:6] == [
        "flowchart LR",
        '    s0["a"]',
        '    s1["b"]',
        '    s2["c"]',
        '    s3["d"]',
        '    u0["zz"]',
    ]
    assert lines[6:12] == [
        '    s0 -->|"3 (75%)"| s1',
        '    s1 -->|"2 (67%)"| s2',
        "    s2 --> s3",
        '    s0 ==>|"1 (25%)"| s2',
        '    s1 ==>|"1 (33%)"| s0',
        '    s2 ==>|"1 (100%)"| u0',
    ]
    assert "    class s3 unreached" in lines
    assert "    class u0 unknown" in lines
    assert "    linkStyle 2 stroke:#aaaaaa,stroke-dasharray: 3 3" in lines
    assert "    linkStyle 3,4,5 stroke:#d62728,stroke-width:3px" in lines


def test_to_dot_overlay(cmp: MapComparison) -> None:
    """DOT: taken edges labelled, dead edge dotted grey, shadow edges red and not ranking."""
    text = cmp.to_dot(direction="TB")
    assert "rankdir=TB;" in text
    assert '"a" -> "b" [label="3 (75%)"];' in text
    assert '"c" -> "d" [color="#aaaaaa", style=dotted];' in text
    assert '"b" -> "a" [label="1 (33%)", color="#d62728"' in text
    assert '"d" [label="d", color="#aaaaaa"' in text
    assert '"zz" [label="zz", color="#d62728"' in text


def test_loop_back_edges_in_overlays() -> None:
    """A taken loop-back edge is dotted and labelled; an untaken one is dead."""
    m = linear("a", "b", "c", loop_backs=[("c", "b"), ("c", "a")])
    log = log_of({"j": [ev(0, "a"), ev(1, "b"), ev(2, "c"), ev(3, "b")]})
    cmp = compare_to_map(log, m)
    mermaid = cmp.to_mermaid()
    assert '    s2 -.->|"loop back: 1 (100%)"| s1' in mermaid
    assert '    s2 -.->|"loop back"| s0' in mermaid
    assert "    linkStyle 3 stroke:#aaaaaa,stroke-dasharray: 3 3" in mermaid
    assert cmp.dead_edges == (Edge("c", "a", EdgeKind.LOOP_BACK),)
    dot = cmp.to_dot()
    assert '"c" -> "b" [label="loop back: 1 (100%)", style=dashed, constraint=false];' in dot
    assert '"c" -> "a" [label="loop back", constraint=false, color="#aaaaaa", style=dotted];' in dot


def awkward() -> tuple[JourneyMap, EventLog]:
    """Stage ids and names full of syntax of both languages."""
    m = (
        JourneyMap.builder('say "hi"')
        .stage("end", 'The "end" | #1')
        .stage("a;b", "x --> y")
        .path("end", "a;b")
        .build()
    )
    log = log_of({"j": [ev(0, "a;b"), ev(1, "end"), ev(2, 'un"known\\')]})
    return m, log


def test_overlays_escape_awkward_names() -> None:
    """Names with quotes, pipes, arrows and backslashes are escaped in both outputs."""
    m, log = awkward()
    cmp = compare_to_map(log, m)
    mermaid = cmp.to_mermaid()
    assert 's0["The #quot;end#quot; #124; #35;1"]' in mermaid
    assert 'u0["un#quot;known#92;"]' in mermaid
    dot = cmp.to_dot()
    assert '"un\\"known\\\\" [label="un\\"known\\\\"' in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_dot_overlay_parses_with_graphviz() -> None:
    """Graphviz accepts the overlay, awkward names included, and draws every edge."""
    m, log = awkward()
    for cmp in (compare_to_map(LOG, ABCD), compare_to_map(log, m)):
        out = subprocess.run(
            ["dot", "-Tplain"], input=cmp.to_dot(), capture_output=True, text=True, check=True
        )
        edges = [line for line in out.stdout.splitlines() if line.startswith("edge ")]
        designed_and_shadow = len(cmp.journey_map.edges) + len(cmp.shadow_transitions)
        assert len(edges) == designed_and_shadow


def test_options_and_input_are_checked(cmp: MapComparison) -> None:
    """Unknown directions and wrong input types are refused."""
    with pytest.raises(ConfigError, match="direction"):
        cmp.to_mermaid(direction="UP")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="direction"):
        cmp.to_dot(direction="UP")  # type: ignore[arg-type]
    with pytest.raises(UnsupportedInputError):
        compare_to_map("log", ABCD)  # type: ignore[arg-type]
    with pytest.raises(UnsupportedInputError):
        compare_to_map(LOG, "map")  # type: ignore[arg-type]


def test_rare_and_dominant_moves_never_show_as_0_or_100_percent() -> None:
    """199 journeys go a -> b and one goes a -> c: 99.5 % shows as >99 %, 0.5 % as <1 %."""
    m = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b").edge("a", "c")
    journeys = {f"j{i:03d}": [ev(0, "a"), ev(1, "b")] for i in range(199)}
    journeys["x"] = [ev(0, "a"), ev(1, "c")]
    text = compare_to_map(log_of(journeys), m.build()).to_mermaid()
    assert '    s0 -->|"199 (#gt;99%)"| s1' in text
    assert '    s0 -->|"1 (#lt;1%)"| s2' in text


def test_log_without_transitions() -> None:
    """One event per journey: no transitions, every edge dead."""
    cmp = compare_to_map(log_of({"j": [ev(0, "a")]}), ABCD)
    assert cmp.transitions == ()
    assert len(cmp.dead_edges) == 3
    assert cmp.unreached_stages == ("b", "c", "d")
    assert "==>" not in cmp.to_mermaid()

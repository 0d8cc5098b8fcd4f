"""JourneyMap: canonical order, transitions, distances, lookups, lint, errors, immutability."""

from __future__ import annotations

import itertools
import re
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs
import attrs.exceptions
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import (
    KPI,
    Channel,
    ChannelKind,
    Edge,
    EdgeKind,
    JourneyMap,
    LintFinding,
    LintKind,
    Phase,
    Stage,
    Touchpoint,
)
from touchpath.exceptions import MapError, NotFoundError
from touchpath.testing.strategies import MapParts, map_parts

# -- helpers --------------------------------------------------------------------------------------


def make(
    stage_ids: Sequence[str],
    forward: Iterable[tuple[str, str]] = (),
    loop_backs: Iterable[tuple[str, str]] = (),
    **kwargs: Any,
) -> JourneyMap:
    """A map with bare stages declared in the given order."""
    edges = [Edge(a, b) for a, b in forward] + [
        Edge(a, b, EdgeKind.LOOP_BACK) for a, b in loop_backs
    ]
    return JourneyMap(name="m", stages=[Stage(s) for s in stage_ids], edges=edges, **kwargs)


def diamond() -> JourneyMap:
    """a -> b -> d and a -> c -> d forward, d -> a loop-back."""
    return make(
        ["a", "b", "c", "d"],
        forward=[("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")],
        loop_backs=[("d", "a")],
    )


def bfs_distances(
    stage_ids: Sequence[str], forward: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Fewest forward edges between every connected pair, by breadth-first search."""
    adjacent: dict[str, list[str]] = {s: [] for s in stage_ids}
    for a, b in forward:
        adjacent[a].append(b)
    out: dict[tuple[str, str], int] = {}
    for source in stage_ids:
        dist = {source: 0}
        queue = deque([source])
        while queue:
            u = queue.popleft()
            for v in adjacent[u]:
                if v not in dist:
                    dist[v] = dist[u] + 1
                    queue.append(v)
        out.update(((source, target), d) for target, d in dist.items())
    return out


def forward_pairs(parts: MapParts) -> list[tuple[str, str]]:
    return [(e.source, e.target) for e in parts.edges if not e.is_loop_back]


# -- canonical order ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "forward", "loop_backs", "expected"),
    [
        (["x", "y", "z"], [], [], ["x", "y", "z"]),
        (["c", "b", "a"], [("a", "b"), ("b", "c")], [], ["a", "b", "c"]),
        (["d", "a", "b", "c"], [("a", "b")], [], ["d", "a", "b", "c"]),
        (
            ["checkout", "browse", "cart", "support"],
            [("browse", "cart"), ("cart", "checkout")],
            [],
            ["browse", "cart", "checkout", "support"],
        ),
        (
            ["e", "d", "c", "b", "a"],
            [("a", "c"), ("b", "c"), ("c", "d"), ("c", "e")],
            [],
            ["b", "a", "c", "e", "d"],
        ),
        (["b", "a"], [], [("a", "b")], ["b", "a"]),
        (["b", "a"], [("b", "a")], [("a", "b")], ["b", "a"]),
    ],
    ids=[
        "no-edges-keep-declaration",
        "declared-against-edges",
        "tie-keeps-declaration",
        "declaration-disagrees-with-forward",
        "branching",
        "loop-back-does-not-order",
        "forward-and-loop-back",
    ],
)
def test_canonical_order(
    declared: list[str],
    forward: list[tuple[str, str]],
    loop_backs: list[tuple[str, str]],
    expected: list[str],
) -> None:
    """Stages are topologically ordered by forward edges; ties keep the declaration order."""
    m = make(declared, forward, loop_backs)
    assert m.stage_ids == tuple(expected)
    assert [m.stage_index(s) for s in expected] == list(range(len(expected)))


@settings(deadline=None)
@given(map_parts(max_stages=6))
def test_canonical_order_is_smallest_topological_order(parts: MapParts) -> None:
    """The canonical order is, of all orders the forward edges allow, the one closest to the
    declaration order (lexicographically smallest by declaration index), found by brute force."""
    declared = [s.id for s in parts.stages]
    position = {sid: i for i, sid in enumerate(declared)}
    fwd = forward_pairs(parts)
    allowed = [
        p for p in itertools.permutations(declared) if all(p.index(a) < p.index(b) for a, b in fwd)
    ]
    best = min(allowed, key=lambda p: [position[s] for s in p])
    m = parts.build()
    assert m.stage_ids == best
    assert sorted(m.stages, key=lambda s: position[s.id]) == list(parts.stages)


# -- transitions and distances --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage_id", "successors", "predecessors"),
    [
        ("a", ("b", "c"), ("d",)),
        ("b", ("d",), ("a",)),
        ("c", ("d",), ("a",)),
        ("d", ("a",), ("b", "c")),
    ],
    ids=["a", "b", "c", "d"],
)
def test_successors_predecessors(
    stage_id: str, successors: tuple[str, ...], predecessors: tuple[str, ...]
) -> None:
    """One-step neighbours over forward and loop-back edges, in canonical order."""
    m = diamond()
    assert m.successors(stage_id) == successors
    assert m.predecessors(stage_id) == predecessors


@pytest.mark.parametrize(
    ("source", "target", "allows", "loop_back", "distance"),
    [
        ("a", "b", True, False, 1),
        ("a", "d", False, False, 2),
        ("d", "a", True, True, None),
        ("b", "a", False, False, None),
        ("b", "c", False, False, None),
        ("a", "a", False, False, 0),
        ("c", "d", True, False, 1),
    ],
    ids=["forward", "two-steps", "loop-back", "against-forward", "siblings", "self", "c-d"],
)
def test_allows_loop_back_distance(
    source: str, target: str, allows: bool, loop_back: bool, distance: int | None
) -> None:
    """allows/is_loop_back read the designed edges; forward_distance ignores loop-backs."""
    m = diamond()
    assert m.allows(source, target) is allows
    assert m.is_loop_back(source, target) is loop_back
    assert m.forward_distance(source, target) == distance


@settings(deadline=None)
@given(map_parts())
def test_forward_distance_matches_bfs(parts: MapParts) -> None:
    """forward_distance agrees for every pair with a breadth-first search over forward edges."""
    m = parts.build()
    expected = bfs_distances(m.stage_ids, forward_pairs(parts))
    for source, target in itertools.product(m.stage_ids, repeat=2):
        assert m.forward_distance(source, target) == expected.get((source, target))


@settings(deadline=None)
@given(map_parts())
def test_transitions_match_edge_set(parts: MapParts) -> None:
    """allows, is_loop_back, successors and predecessors agree with the declared edges."""
    m = parts.build()
    kinds = {(e.source, e.target): e.kind for e in parts.edges}
    order = m.stage_ids
    for source, target in itertools.product(order, repeat=2):
        assert m.allows(source, target) is ((source, target) in kinds)
        assert m.is_loop_back(source, target) is (kinds.get((source, target)) is EdgeKind.LOOP_BACK)
    for sid in order:
        assert m.successors(sid) == tuple(t for t in order if (sid, t) in kinds)
        assert m.predecessors(sid) == tuple(s for s in order if (s, sid) in kinds)


@settings(deadline=None)
@given(map_parts())
def test_default_entry_and_terminal_match_forward_graph(parts: MapParts) -> None:
    """Entry/terminal stages are the explicit ones (canonical order) or else the forward
    sources that have some way out; terminals are the stages with no way out at all (else
    the forward sinks) that have some way in; with no edges at all, the first / last stage."""
    m = parts.build()
    fwd = forward_pairs(parts)
    any_edge = {(e.source, e.target) for e in parts.edges}
    fwd_in = {b for _, b in fwd}
    fwd_out = {a for a, _ in fwd}
    any_in = {b for _, b in any_edge}
    any_out = {a for a, _ in any_edge}
    entry = set(parts.entry) or (set(m.stage_ids) - fwd_in) & any_out or {m.stage_ids[0]}
    terminal = (
        set(parts.terminal)
        or (set(m.stage_ids) - any_out) & any_in
        or (set(m.stage_ids) - fwd_out) & any_in
        or {m.stage_ids[-1]}
    )
    assert m.entry_stages == tuple(s for s in m.stage_ids if s in entry)
    assert m.terminal_stages == tuple(s for s in m.stage_ids if s in terminal)


# -- entry and terminal ---------------------------------------------------------------------------


def test_default_entry_and_terminal() -> None:
    """By default entries are the stages no forward edge enters, terminals those none leaves."""
    m = diamond()
    assert (m.entry_stages, m.terminal_stages) == (("a",), ("d",))
    assert (m.entry, m.terminal) == ((), ())


def test_default_ends_with_isolated_stage() -> None:
    """A stage without edges is neither an entry nor a terminal stage by default, so lint
    reports it as unreachable and as a dead end."""
    m = make(["a", "b", "solo"], forward=[("a", "b")])
    assert (m.entry_stages, m.terminal_stages) == (("a",), ("b",))
    kinds = {(f.kind.value, f.stage) for f in m.lint()}
    assert {("unreachable_stage", "solo"), ("dead_end", "solo")} <= kinds


def test_default_ends_without_edges() -> None:
    """A map with no edges starts at its first stage and ends at its last."""
    m = make(["a", "b"], forward=[])
    assert (m.entry_stages, m.terminal_stages) == (("a",), ("b",))


def test_explicit_entry_and_terminal() -> None:
    """Explicit entry/terminal stages are kept as given and reported in canonical order."""
    m = diamond()
    m2 = attrs.evolve(m, entry=["c", "a"], terminal=("d", "b"))
    assert (m2.entry, m2.terminal) == (("c", "a"), ("d", "b"))
    assert (m2.entry_stages, m2.terminal_stages) == (("a", "c"), ("b", "d"))


def test_single_string_entry() -> None:
    """A single stage id given as a string is one entry stage, not its characters."""
    m = make(["ab", "cd"], forward=[("ab", "cd")], entry="ab", terminal="cd")
    assert (m.entry, m.terminal) == (("ab",), ("cd",))


@pytest.mark.parametrize("phase", list(Phase), ids=str)
def test_stages_in_phase(phase: Phase) -> None:
    """stages_in_phase lists the stages with exactly that phase, in canonical order."""
    stages = [
        Stage("late", phase=Phase.AFTER_PURCHASE),
        Stage("mid", phase=Phase.DURING_PURCHASE),
        Stage("none"),
        Stage("early", phase=Phase.BEFORE_PURCHASE),
        Stage("early2", phase=Phase.BEFORE_PURCHASE),
    ]
    m = JourneyMap("m", stages, [Edge("early", "mid"), Edge("mid", "late")])
    assert m.stage_ids == ("none", "early", "mid", "late", "early2")
    expected = {
        Phase.BEFORE_PURCHASE: ("early", "early2"),
        Phase.DURING_PURCHASE: ("mid",),
        Phase.AFTER_PURCHASE: ("late",),
    }
    assert m.stages_in_phase(phase) == expected[phase]


# -- touchpoints, channels, KPIs ------------------------------------------------------------------

EMAIL = Channel("email", ChannelKind.OWNED, "E-mail")
WEB = Channel("web", ChannelKind.ORGANIC)
SMS = Channel("sms", ChannelKind.PAID)


def with_touchpoints() -> JourneyMap:
    return JourneyMap(
        "m",
        [Stage("a"), Stage("b"), Stage("c")],
        [Edge("a", "b"), Edge("b", "c")],
        [
            Touchpoint("t1", channel=EMAIL, stage="b"),
            Touchpoint("t2", channel=WEB, stage="a"),
            Touchpoint("t3", channel=EMAIL, stage="b"),
            Touchpoint("t4", channel=SMS, stage="a"),
        ],
    )


def test_touchpoint_lookup() -> None:
    """touchpoint() finds by id; has_touchpoint says whether it exists."""
    m = with_touchpoints()
    assert m.touchpoint("t3") == Touchpoint("t3", channel=EMAIL, stage="b")
    assert m.has_touchpoint("t1")
    assert not m.has_touchpoint("t9")
    assert not m.has_touchpoint(["t1"])  # type: ignore[arg-type]


def test_unknown_touchpoint() -> None:
    """An unknown touchpoint raises NotFoundError suggesting the closest id."""
    with pytest.raises(NotFoundError, match="unknown touchpoint 't1x'; did you mean 't1'") as info:
        with_touchpoints().touchpoint("t1x")
    assert info.value.choices == ("t1", "t2", "t3", "t4")


@pytest.mark.parametrize(
    ("stage_id", "expected"),
    [("a", ("t2", "t4")), ("b", ("t1", "t3")), ("c", ())],
    ids=["a", "b", "none"],
)
def test_touchpoints_of(stage_id: str, expected: tuple[str, ...]) -> None:
    """touchpoints_of lists a stage's touchpoints in declaration order."""
    assert tuple(t.id for t in with_touchpoints().touchpoints_of(stage_id)) == expected


def test_channels_in_order_of_first_use() -> None:
    """channels lists each distinct channel once, in the order touchpoints first use it."""
    assert with_touchpoints().channels == (EMAIL, WEB, SMS)


def test_no_touchpoints_no_channels() -> None:
    """A map without touchpoints has no channels."""
    assert diamond().channels == ()


def test_conflicting_channel_declarations_refused() -> None:
    """Two touchpoints naming the same channel id with different attributes are refused."""
    with pytest.raises(MapError, match="channel 'email' is declared twice"):
        JourneyMap(
            "m",
            [Stage("a")],
            touchpoints=[
                Touchpoint("t1", channel=EMAIL, stage="a"),
                Touchpoint("t2", channel=Channel("email", ChannelKind.PAID), stage="a"),
            ],
        )


def test_builder_channel_declared_once_used_by_id() -> None:
    """Builder touchpoints naming a declared channel by id use that declaration."""
    m = (
        JourneyMap.builder("m")
        .channel("email", "owned", "E-mail")
        .stage("a")
        .touchpoint("t1", channel="email", stage="a")
        .touchpoint("t2", channel="web", stage="a")
        .build()
    )
    assert m.channels == (EMAIL, Channel("web"))


def test_kpis_in_canonical_stage_order() -> None:
    """kpis lists every stage's KPIs, stages in canonical order, each attached to its stage."""
    m = JourneyMap(
        "m",
        [Stage("b", kpis=[KPI("kb1"), KPI("kb2")]), Stage("a", kpis=[KPI("ka", target=1)])],
        [Edge("a", "b")],
    )
    assert [(k.id, k.stage) for k in m.kpis] == [("ka", "a"), ("kb1", "b"), ("kb2", "b")]
    assert [k.id for k in m.kpis_of("b")] == ["kb1", "kb2"]
    assert m.kpis_of("a") == (KPI("ka", target=1, stage="a"),)


@settings(deadline=None)
@given(map_parts())
def test_lookups_match_parts(parts: MapParts) -> None:
    """Touchpoint, channel and KPI accessors agree with the declared parts."""
    m = parts.build()
    first_use: dict[str, Channel] = {}
    for tp in parts.touchpoints:
        first_use.setdefault(tp.channel.id, tp.channel)
        assert m.touchpoint(tp.id) == tp
    assert m.channels == tuple(first_use.values())
    for sid in m.stage_ids:
        assert m.touchpoints_of(sid) == tuple(t for t in parts.touchpoints if t.stage == sid)
    assert m.kpis == tuple(k for sid in m.stage_ids for k in m.stage(sid).kpis)


# -- container protocol, repr ---------------------------------------------------------------------


def test_container_protocol() -> None:
    """``in`` tests stage ids, len counts stages, iteration yields stages in canonical order."""
    m = make(["b", "a"], forward=[("a", "b")])
    assert "a" in m
    assert "z" not in m
    assert [] not in m
    assert len(m) == 2
    assert list(m) == [Stage("a"), Stage("b")]


def test_repr() -> None:
    """The repr names the map and counts its parts."""
    assert repr(diamond()) == "<JourneyMap 'm': 4 stages, 5 edges, 0 touchpoints>"


# -- networkx -------------------------------------------------------------------------------------


def test_to_networkx_attributes() -> None:
    """Nodes are stage ids (canonical order) with ``stage`` and ``order``; edges carry ``kind``."""
    m = make(["b", "a"], forward=[("a", "b")], loop_backs=[("b", "a")])
    g = m.to_networkx()
    assert list(g.nodes) == ["a", "b"]
    assert g.nodes["a"] == {"stage": Stage("a"), "order": 0}
    assert g.nodes["b"] == {"stage": Stage("b"), "order": 1}
    assert dict(g.edges) == {
        ("a", "b"): {"kind": EdgeKind.FORWARD},
        ("b", "a"): {"kind": EdgeKind.LOOP_BACK},
    }
    assert g.graph == {"name": "m"}


def test_to_networkx_is_a_copy() -> None:
    """Mutating the returned graph changes neither the map nor later copies."""
    m = diamond()
    g = m.to_networkx()
    g.remove_edge("a", "b")
    g.add_edge("b", "a", kind=EdgeKind.FORWARD)
    g.add_node("zzz")
    g.nodes["c"]["order"] = 99
    assert m.allows("a", "b")
    assert not m.allows("b", "a")
    assert m.forward_distance("a", "d") == 2
    assert "zzz" not in m
    assert m.successors("b") == ("d",)
    fresh = m.to_networkx()
    assert fresh is not g
    assert fresh.has_edge("a", "b")
    assert not fresh.has_node("zzz")
    assert fresh.nodes["c"]["order"] == 2


@settings(deadline=None)
@given(map_parts())
def test_to_networkx_matches_map(parts: MapParts) -> None:
    """The networkx graph has exactly the map's stages and edges."""
    m = parts.build()
    g = m.to_networkx()
    assert tuple(g.nodes) == m.stage_ids
    edges: set[tuple[str, str, object]] = set(g.edges(data="kind"))
    assert edges == {(e.source, e.target, e.kind) for e in parts.edges}


# -- lint -----------------------------------------------------------------------------------------


def clean_parts() -> dict[str, Any]:
    """Parts of a map lint has nothing to say about."""
    return {
        "name": "m",
        "stages": [
            Stage("a", owner="marketing"),
            Stage("b", owner="sales", kpis=[KPI("k", target=1.0)]),
        ],
        "edges": [Edge("a", "b")],
        "touchpoints": [
            Touchpoint("ta", channel="web", stage="a"),
            Touchpoint("tb", channel="web", stage="b"),
        ],
    }


def _with(**changes: Any) -> Callable[[], JourneyMap]:
    def build() -> JourneyMap:
        return JourneyMap(**{**clean_parts(), **changes})

    return build


def test_lint_clean_map() -> None:
    """A complete map has no findings."""
    assert _with()().lint() == ()


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (
            _with(
                stages=[*clean_parts()["stages"], Stage("c", owner="x")],
                edges=[Edge("a", "b"), Edge("c", "b")],
                touchpoints=[
                    *clean_parts()["touchpoints"],
                    Touchpoint("tc", channel="web", stage="c"),
                ],
                entry=["a"],
            ),
            LintFinding(
                LintKind.UNREACHABLE_STAGE,
                "c",
                "stage 'c' cannot be reached from an entry stage ('a')",
            ),
        ),
        (
            _with(
                stages=[*clean_parts()["stages"], Stage("c", owner="x")],
                edges=[Edge("a", "b"), Edge("a", "c")],
                touchpoints=[
                    *clean_parts()["touchpoints"],
                    Touchpoint("tc", channel="web", stage="c"),
                ],
                terminal=["b"],
            ),
            LintFinding(
                LintKind.DEAD_END, "c", "stage 'c' has no outgoing transition and is not terminal"
            ),
        ),
        (
            _with(touchpoints=[Touchpoint("ta", channel="web", stage="a")]),
            LintFinding(LintKind.NO_TOUCHPOINTS, "b", "stage 'b' has no touchpoints"),
        ),
        (
            _with(
                stages=[
                    Stage("a", owner="m"),
                    Stage("b", owner="s", kpis=[KPI("k"), KPI("j", target=0)]),
                ]
            ),
            LintFinding(
                LintKind.KPI_WITHOUT_TARGET, "b", "KPI 'k' of stage 'b' has no target", kpi="k"
            ),
        ),
        (
            _with(stages=[Stage("a"), Stage("b", owner="s")]),
            LintFinding(LintKind.NO_OWNER, "a", "stage 'a' has no owner"),
        ),
    ],
    ids=[kind.value for kind in LintKind],
)
def test_lint_finding(build: Callable[[], JourneyMap], expected: LintFinding) -> None:
    """Each defect gives exactly its own finding, with a message saying what and where."""
    assert build().lint() == (expected,)


def test_lint_loop_back_reaches() -> None:
    """A stage reached only through a loop-back edge is not unreachable."""
    m = _with(
        stages=[*clean_parts()["stages"], Stage("c", owner="x")],
        edges=[
            Edge("a", "b"),
            Edge("b", "c", EdgeKind.LOOP_BACK),
            Edge("c", "a", EdgeKind.LOOP_BACK),
        ],
        touchpoints=[*clean_parts()["touchpoints"], Touchpoint("tc", channel="web", stage="c")],
        entry=["a"],
        terminal=["b"],
    )()
    assert m.lint() == ()


def test_lint_findings_in_canonical_stage_order() -> None:
    """Findings come stage by stage in canonical order, each stage's in the documented order."""
    m = JourneyMap(
        "m",
        [Stage("c", kpis=[KPI("kc")]), Stage("b"), Stage("a")],
        [Edge("a", "b")],
        entry=["a"],
        terminal=["b"],
    )
    # canonical order: c (first declared source), a, b
    assert [(f.kind, f.stage, f.kpi) for f in m.lint()] == [
        (LintKind.UNREACHABLE_STAGE, "c", None),
        (LintKind.DEAD_END, "c", None),
        (LintKind.NO_TOUCHPOINTS, "c", None),
        (LintKind.NO_OWNER, "c", None),
        (LintKind.KPI_WITHOUT_TARGET, "c", "kc"),
        (LintKind.NO_TOUCHPOINTS, "a", None),
        (LintKind.NO_OWNER, "a", None),
        (LintKind.NO_TOUCHPOINTS, "b", None),
        (LintKind.NO_OWNER, "b", None),
    ]


# -- construction errors --------------------------------------------------------------------------

AD = [Stage("awareness"), Stage("decision")]


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"stages": []}, ["journey map 'm' has no stages"]),
        ({"name": "", "stages": AD}, ["needs a non-empty name; got ''"]),
        ({"name": "  ", "stages": AD}, ["needs a non-empty name; got '  '"]),
        ({"name": 5, "stages": AD}, ["needs a non-empty name; got 5"]),
        ({"stages": [*AD, Stage("awareness")]}, ["duplicate stage id 'awareness'"]),
        (
            {"stages": AD, "edges": [Edge("awareness", "decison")]},
            ["references unknown stage 'decison'", "did you mean 'decision'?"],
        ),
        (
            {"stages": AD, "edges": [Edge("awarenes", "decision", EdgeKind.LOOP_BACK)]},
            ["references unknown stage 'awarenes'", "did you mean 'awareness'?"],
        ),
        (
            {"stages": AD, "edges": [Edge("awareness", "decision")] * 2},
            ["duplicate edge 'awareness' -> 'decision'"],
        ),
        (
            {
                "stages": AD,
                "edges": [
                    Edge("awareness", "decision"),
                    Edge("awareness", "decision", EdgeKind.LOOP_BACK),
                ],
            },
            ["duplicate edge 'awareness' -> 'decision'"],
        ),
        (
            {"stages": AD, "touchpoints": [Touchpoint("t", channel="c", stage="awareness")] * 2},
            ["duplicate touchpoint id 't'"],
        ),
        (
            {"stages": AD, "touchpoints": [Touchpoint("t", channel="c", stage="decison")]},
            ["touchpoint 't' references unknown stage 'decison'", "did you mean 'decision'?"],
        ),
        (
            {"stages": AD, "entry": ["awareness", "decison"]},
            ["entry stage", "unknown stage 'decison'", "did you mean 'decision'?"],
        ),
        (
            {"stages": AD, "terminal": ["zzz"]},
            ["terminal stage", "unknown stage 'zzz'", "(known: 'awareness', 'decision')"],
        ),
        ({"stages": AD, "entry": ["awareness", "awareness"]}, ["duplicate entry stage"]),
        ({"stages": AD, "terminal": ["decision"] * 2}, ["duplicate terminal stage"]),
        ({"stages": "awareness"}, ["stages must be a sequence; got 'awareness'"]),
        ({"stages": ["awareness"]}, ["stages must contain Stage objects; got 'awareness'"]),
        ({"stages": AD, "edges": [("awareness", "decision")]}, ["edges must contain Edge"]),
        ({"stages": AD, "touchpoints": 3}, ["touchpoints must be a sequence; got 3"]),
        ({"stages": AD, "entry": [1]}, ["expected stage ids (strings); got 1"]),
    ],
    ids=[
        "no-stages",
        "empty-name",
        "blank-name",
        "non-str-name",
        "duplicate-stage",
        "edge-unknown-target",
        "edge-unknown-source",
        "duplicate-edge",
        "duplicate-edge-other-kind",
        "duplicate-touchpoint",
        "touchpoint-unknown-stage",
        "entry-unknown",
        "terminal-unknown",
        "duplicate-entry",
        "duplicate-terminal",
        "stages-str",
        "stages-of-str",
        "edges-of-tuples",
        "touchpoints-int",
        "entry-of-int",
    ],
)
def test_construction_error(kwargs: dict[str, Any], fragments: list[str]) -> None:
    """An inconsistent map raises MapError saying what is wrong and naming the culprit."""
    with pytest.raises(MapError) as info:
        JourneyMap(**{"name": "m", **kwargs})
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("stage_ids", "forward", "cycle"),
    [
        (["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "a")], ["a", "b", "c"]),
        (["a", "b"], [("a", "b"), ("b", "a")], ["a", "b"]),
        (["x", "a", "b", "c"], [("x", "a"), ("a", "b"), ("b", "c"), ("c", "b")], ["b", "c"]),
    ],
    ids=["triangle", "two-cycle", "cycle-after-tail"],
)
def test_forward_cycle_refused(
    stage_ids: list[str], forward: list[tuple[str, str]], cycle: list[str]
) -> None:
    """Forward edges forming a cycle are refused; the message shows the closed cycle and says
    to mark the returning edge as a loop-back."""
    with pytest.raises(MapError, match="mark the edge that returns as a loop-back") as info:
        make(stage_ids, forward)
    shown = re.search(r"form a cycle \((.*)\)", str(info.value))
    assert shown is not None
    path = shown.group(1).split(" -> ")
    assert path[0] == path[-1]
    loop = path[:-1]
    assert len(loop) == len(cycle)
    start = loop.index(cycle[0])
    assert loop[start:] + loop[:start] == cycle


def test_loop_back_closing_the_cycle_is_fine() -> None:
    """The same cycle is allowed when the returning edge is a loop-back."""
    m = make(["a", "b", "c"], forward=[("a", "b"), ("b", "c")], loop_backs=[("c", "a")])
    assert m.is_loop_back("c", "a")


# -- unknown stage lookups ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lookup",
    [
        lambda m: m.stage("decison"),
        lambda m: m.stage_index("decison"),
        lambda m: m.successors("decison"),
        lambda m: m.predecessors("decison"),
        lambda m: m.allows("decison", "awareness"),
        lambda m: m.allows("awareness", "decison"),
        lambda m: m.is_loop_back("awareness", "decison"),
        lambda m: m.forward_distance("decison", "awareness"),
        lambda m: m.touchpoints_of("decison"),
        lambda m: m.kpis_of("decison"),
    ],
    ids=[
        "stage",
        "stage_index",
        "successors",
        "predecessors",
        "allows-source",
        "allows-target",
        "is_loop_back",
        "forward_distance",
        "touchpoints_of",
        "kpis_of",
    ],
)
def test_unknown_stage_lookup(lookup: Callable[[JourneyMap], object]) -> None:
    """Asking about an unknown stage raises NotFoundError (a LookupError) with a suggestion."""
    m = JourneyMap("m", AD, [Edge("awareness", "decision")])
    with pytest.raises(LookupError) as info:
        lookup(m)
    err = info.value
    assert isinstance(err, NotFoundError)
    assert (err.kind, err.name, err.choices) == ("stage", "decison", ("awareness", "decision"))
    assert "did you mean 'decision'?" in str(err)


def test_unhashable_stage_lookup() -> None:
    """An unhashable stage id is simply unknown."""
    with pytest.raises(NotFoundError):
        diamond().stage(["a"])  # type: ignore[arg-type]


# -- immutability, equality -----------------------------------------------------------------------


def test_map_is_frozen() -> None:
    """Fields cannot be reassigned and the tuples cannot be changed."""
    m = diamond()
    for field, value in [("name", "x"), ("stages", ()), ("edges", ()), ("entry", ("a",))]:
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(m, field, value)
    with pytest.raises(TypeError):
        m.stages[0] = Stage("z")  # type: ignore[index]
    with pytest.raises(AttributeError):
        m.edges.append(Edge("a", "d"))  # type: ignore[attr-defined]
    assert m == diamond()


def test_matrices_are_read_only() -> None:
    """The cached distance and edge matrices cannot be written through."""
    m = diamond()
    with pytest.raises(ValueError, match="read-only"):
        m._distance_matrix[0, 3] = 1
    with pytest.raises(ValueError, match="read-only"):
        m._edge_matrix[1, 0] = 1
    assert m.forward_distance("a", "d") == 2


def test_equal_maps_hash_equal() -> None:
    """Two maps built the same way are equal, hash equal, and collapse in a set."""
    a, b = diamond(), diamond()
    assert a is not b
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1


def test_equality_is_on_canonical_content() -> None:
    """Declaring the same stages in another order gives an equal map when the canonical order
    is the same; any other difference makes maps unequal."""
    assert make(["b", "a"], [("a", "b")]) == make(["a", "b"], [("a", "b")])
    base = diamond()
    assert base != attrs.evolve(base, description="d")
    assert base != attrs.evolve(base, name="other")
    assert base != attrs.evolve(base, entry=["a"])
    assert base != make(["a", "b", "c", "d"], [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])


def test_evolve_revalidates_and_recomputes() -> None:
    """attrs.evolve builds a new map: invalid changes are refused, valid ones recomputed."""
    m = diamond()
    with pytest.raises(MapError, match="cycle"):
        attrs.evolve(m, edges=[*m.edges, Edge("d", "b")])
    with pytest.raises(MapError, match="non-empty name"):
        attrs.evolve(m, name="")
    shorter = attrs.evolve(m, edges=[*m.edges, Edge("a", "d")])
    assert shorter.forward_distance("a", "d") == 1
    assert m.forward_distance("a", "d") == 2


@settings(deadline=None)
@given(map_parts())
def test_rebuilding_gives_equal_map(parts: MapParts) -> None:
    """Building the same parts twice, or evolving with no change, gives equal maps."""
    m = parts.build()
    assert parts.build() == m
    assert hash(parts.build()) == hash(m)
    assert attrs.evolve(m) == m


@given(st.lists(st.sampled_from("abcdef"), min_size=1, unique=True))
def test_builder_path(ids: list[str]) -> None:
    """builder().path() adds one forward edge per consecutive pair, in the given order."""
    b = JourneyMap.builder("m")
    for sid in ids:
        b.stage(sid)
    m = b.path(*ids).build()
    assert m.stage_ids == tuple(ids)
    assert m.edges == tuple(Edge(x, y) for x, y in itertools.pairwise(ids))
    assert m.forward_distance(ids[0], ids[-1]) == len(ids) - 1

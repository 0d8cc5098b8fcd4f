"""Alignments to the map: exhaustive search over map walks, conformance, monotonicity."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import EventLog, JourneyMap, templates
from touchpath.exceptions import ConfigError, MapError
from touchpath.validation import AlignmentCosts, MoveKind, align

STAGES = ("s0", "s1", "s2", "s3")


@st.composite
def maps(draw: st.DrawFn) -> dict[str, Any]:
    """A small random map: 2..4 stages, random edges (backward ones as loop-backs), random
    entry and terminal stages."""
    n = draw(st.integers(2, 4))
    stages = STAGES[:n]
    pairs = [(a, b) for a in stages for b in stages if a != b]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    entry = draw(st.lists(st.sampled_from(stages), min_size=1, max_size=2, unique=True))
    terminal = draw(st.lists(st.sampled_from(stages), min_size=1, max_size=2, unique=True))
    return {"stages": stages, "edges": edges, "entry": entry, "terminal": terminal}


def build(spec: dict[str, Any], extra: Sequence[tuple[str, str]] = ()) -> JourneyMap:
    """The JourneyMap of a spec (with extra edges)."""
    b = JourneyMap.builder("m")
    for s in spec["stages"]:
        b.stage(s)
    for a, c in [*spec["edges"], *extra]:
        b.edge(a, c, loop_back=STAGES.index(c) < STAGES.index(a))
    return b.entry(*spec["entry"]).terminal(*spec["terminal"]).build()


def log_of(journeys: Sequence[Sequence[str | None]]) -> EventLog:
    """One journey per sequence of stages (None: an event without a stage)."""
    records = []
    for j, stages in enumerate(journeys):
        for t, s in enumerate(stages):
            r: dict[str, Any] = {"journey_id": f"j{j}", "timestamp": t, "channel": "web"}
            if s is not None:
                r["stage"] = s
            records.append(r)
    return EventLog.from_records(records)


def visits(stages: Sequence[str | None]) -> list[str]:
    """Stage visits: events without a stage dropped, repeats merged."""
    out: list[str] = []
    for s in stages:
        if s is not None and (not out or out[-1] != s):
            out.append(s)
    return out


def brute_force(
    spec: dict[str, Any], seq: Sequence[str], costs: AlignmentCosts, prefix: bool
) -> float:
    """The cheapest alignment over every walk of the map up to the length an optimal walk
    can have (matches <= len(seq), inserts <= worst / cheapest insert), walk by walk.

    Each walk extends its parent's column of the skip/insert/match edit distance; a branch
    is cut when its column's minimum is already above the best complete walk (that minimum
    never decreases along a walk, so nothing better is cut)."""
    edges = set(spec["edges"])
    terminal = set(spec["terminal"])
    n = len(seq)
    skip = [costs.skip_cost(v) for v in seq]
    first = [0.0]
    for c in skip:
        first.append(first[-1] + c)  # the empty walk: skip every visit
    best = first[-1] if prefix else math.inf
    cheapest = min(costs.insert_cost(s) for s in spec["stages"])
    worst = sum(skip) + (0 if prefix else 2 * len(spec["stages"]) * 2)
    limit = n + int(worst / cheapest) + 1

    def extend(column: list[float], stage: str) -> list[float]:
        ins = costs.insert_cost(stage)
        out = [column[0] + ins]
        for i in range(1, n + 1):
            options = [out[i - 1] + skip[i - 1], column[i] + ins]
            if seq[i - 1] == stage:
                options.append(column[i - 1])
            out.append(min(options))
        return out

    stack = [([s], extend(first, s)) for s in spec["entry"]]
    while stack:
        walk, column = stack.pop()
        if min(column) > best:
            continue
        if prefix or walk[-1] in terminal:
            best = min(best, column[-1])
        if len(walk) < limit:
            stack.extend(([*walk, b], extend(column, b)) for a, b in sorted(edges) if a == walk[-1])
    return best


journeys = st.lists(
    st.lists(st.sampled_from([*STAGES, "zz", None]), min_size=1, max_size=4), min_size=1, max_size=4
)
cost_models = st.builds(
    AlignmentCosts,
    skip=st.sampled_from([1, 2]),
    insert=st.sampled_from([1, 2]),
    insert_stage=st.dictionaries(st.sampled_from(STAGES), st.sampled_from([1, 3]), max_size=2),
    skip_stage=st.dictionaries(st.sampled_from([*STAGES, "zz"]), st.just(3), max_size=1),
)


def _complete_walk_exists(spec: dict[str, Any]) -> bool:
    """Breadth-first: can an entry stage reach a terminal stage?"""
    seen = set(spec["entry"])
    frontier = list(seen)
    while frontier:
        a = frontier.pop()
        for x, b in spec["edges"]:
            if x == a and b not in seen:
                seen.add(b)
                frontier.append(b)
    return bool(seen & set(spec["terminal"]))


@settings(max_examples=80)
@given(spec=maps(), paths=journeys, costs=cost_models, prefix=st.booleans())
def test_costs_equal_the_exhaustive_search_over_walks(
    spec: dict[str, Any], paths: list[list[str | None]], costs: AlignmentCosts, prefix: bool
) -> None:
    """Every journey's cost is the minimum over all map walks of the skip/insert edit
    distance, and its repair is a walk of the map that costs exactly that."""
    m = build(spec)
    log = log_of(paths)
    if not prefix and not _complete_walk_exists(spec):
        with pytest.raises(MapError, match="no walk from an entry"):
            align(log, m, costs=costs, prefix=prefix)
        return
    a = align(log, m, costs=costs, prefix=prefix)
    edges = set(spec["edges"])
    for j, stages in enumerate(paths):
        seq = visits(stages)
        expected = brute_force(spec, seq, costs, prefix)
        assert a.costs[j] == pytest.approx(expected)
        r = a.repair(f"j{j}")
        assert r.cost == pytest.approx(expected)
        walk = r.walk
        if walk:
            assert walk[0] in spec["entry"]
            assert all(pair in edges for pair in itertools.pairwise(walk))
        if not prefix:
            assert walk
            assert walk[-1] in spec["terminal"]
        assert [x.stage for x in r.moves if x.kind is not MoveKind.INSERT] == seq
        paid = sum(
            costs.skip_cost(x.stage) if x.kind is MoveKind.SKIP else costs.insert_cost(x.stage)
            for x in r.moves
            if x.kind is not MoveKind.MATCH
        )
        assert paid == pytest.approx(expected)
        assert 0.0 <= a.fitness[j] <= 1.0


@settings(max_examples=60)
@given(spec=maps(), data=st.data(), prefix=st.booleans())
def test_a_walk_of_the_map_costs_nothing(
    spec: dict[str, Any], data: st.DataObject, prefix: bool
) -> None:
    """A journey that walks the map (from an entry stage to a terminal one; any prefix of
    such a walk in prefix mode) aligns at cost 0 with fitness 1, whatever its repeats."""
    if not _complete_walk_exists(spec):
        return
    succ: dict[str, list[str]] = {}
    for a, b in spec["edges"]:
        succ.setdefault(a, []).append(b)
    for _ in range(20):  # a random walk that ends at a terminal stage
        walk = [data.draw(st.sampled_from(spec["entry"]))]
        while walk[-1] not in spec["terminal"] or data.draw(st.booleans()):
            nxt = sorted(succ.get(walk[-1], []))
            if not nxt or len(walk) > 8:
                break
            walk.append(data.draw(st.sampled_from(nxt)))
        if walk[-1] in spec["terminal"]:
            break
    else:
        return
    if prefix:
        walk = walk[: data.draw(st.integers(1, len(walk)))]
    elif walk[-1] not in spec["terminal"]:
        return
    stuttered: list[str | None] = []
    for s in walk:
        stuttered += [s] * data.draw(st.integers(1, 2)) + [None] * data.draw(st.integers(0, 1))
    a = align(log_of([stuttered]), build(spec), prefix=prefix)
    assert a.costs.tolist() == [0.0]
    assert a.conforming == 1
    assert a.fitness.tolist() == [1.0]
    assert all(x.kind is MoveKind.MATCH for x in a.repair("j0").moves)


@settings(max_examples=60)
@given(
    spec=maps(),
    paths=journeys,
    costs=cost_models,
    prefix=st.booleans(),
    extra=st.tuples(st.sampled_from(STAGES), st.sampled_from(STAGES)),
)
def test_adding_an_edge_never_raises_a_cost(
    spec: dict[str, Any],
    paths: list[list[str | None]],
    costs: AlignmentCosts,
    prefix: bool,
    extra: tuple[str, str],
) -> None:
    """More walks can only make the cheapest one cheaper: every cost with the extra edge is
    at most the cost without it."""
    a, b = extra
    if a == b or a not in spec["stages"] or b not in spec["stages"] or extra in spec["edges"]:
        return
    if not prefix and not _complete_walk_exists(spec):
        return
    log = log_of(paths)
    before = align(log, build(spec), costs=costs, prefix=prefix).costs
    after = align(log, build(spec, [extra]), costs=costs, prefix=prefix).costs
    assert np.all(after <= before + 1e-12)


def test_hand_computed_alignment() -> None:
    """b2b_five_stage (awareness > consideration > decision > ...): awareness, decision,
    pricing-typo, with decision costly to skip, is one insert (consideration) and one skip
    (the unknown stage): cost 2 of a worst 1 + 2 + 1."""
    m = templates.get("b2b_five_stage")
    log = log_of([["awareness", "decision", "pricng"]])
    costs = AlignmentCosts(skip_stage={"decision": 2})
    a = align(log, m, prefix=True, costs=costs)
    r = a.repair("j0")
    assert r.cost == 2.0
    assert r.inserted == (("consideration", 1),)
    assert r.skipped == (("pricng", 2),)
    assert a.worst.tolist() == [4.0]
    assert a.fitness.tolist() == pytest.approx([0.5])
    full = align(log, m, costs=costs)  # a complete walk must also reach the terminal stage
    assert full.costs[0] > a.costs[0]
    assert "conform" in repr(a)
    section = a.report_section()
    assert "insert" in section.body
    frame = a.to_pandas()
    assert frame["cost"].tolist() == [2.0]


def test_alignment_options_are_checked() -> None:
    """Costs must be positive numbers; costs and prefix must have the right types."""
    with pytest.raises(ConfigError, match="'skip'"):
        AlignmentCosts(skip=0)
    with pytest.raises(ConfigError, match="stage 'x'"):
        AlignmentCosts(insert_stage={"x": -1})
    m = templates.get("b2b_five_stage")
    log = log_of([["awareness"]])
    with pytest.raises(ConfigError, match="'costs'"):
        align(log, m, costs={"skip": 1})  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="'prefix'"):
        align(log, m, prefix="yes")  # type: ignore[arg-type]


def test_alignment_and_funnel_intervals_go_into_a_report() -> None:
    """The alignment summary and a funnel with intervals render in a self-contained report."""
    from touchpath.metrics import funnel
    from touchpath.report import Report

    m = templates.get("b2b_five_stage")
    log = log_of([["awareness", "decision"], ["awareness", "consideration"]])
    report = Report("r").add(align(log, m, prefix=True))
    report = report.add(
        funnel(log, ["awareness", "consideration"]).report_section(interval="wilson")
    )
    html = report.to_html()
    assert "Alignment to the map" in html
    assert "95% interval" in html

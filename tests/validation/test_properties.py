"""Hypothesis: walks along the map's edges conform; one illegal jump is one violation; the
vectorised rules and the comparison agree with a brute-force reference on random journeys."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from touchpath import JourneyMap
from touchpath.validation import (
    DEFAULT_RULES,
    AllowedTransitions,
    EntryStage,
    KnownStages,
    NoRegression,
    NoSkippedStages,
    TransitionRule,
    ValidationCounts,
    compare_to_map,
    validate,
)

from ._helpers import classify, reference_transitions, reference_violations, stages_log

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None)

# Logs whose events are in no stage of the map are drawn on purpose: their fitness is
# undefined and validate() warns (tests/validation/test_undefined.py checks the warning).
pytestmark = pytest.mark.filterwarnings("ignore::touchpath.exceptions.UndefinedResultWarning")


@st.composite
def maps(draw: st.DrawFn, min_stages: int = 1) -> JourneyMap:
    """A map on stages s0..s{n-1}: forward edges down a random order, any loop-backs."""
    n = draw(st.integers(min_stages, 6))
    ids = [f"s{i}" for i in range(n)]
    order = draw(st.permutations(ids))
    rank = {s: i for i, s in enumerate(order)}
    pairs = [(a, b) for a in ids for b in ids if a != b]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=12)) if pairs else []
    b = JourneyMap.builder("h")
    for s in ids:
        b.stage(s)
    for src, dst in chosen:
        b.edge(src, dst, loop_back=not (rank[src] < rank[dst] and draw(st.booleans())))
    if draw(st.booleans()):
        b.entry(*draw(st.lists(st.sampled_from(ids), min_size=1, max_size=n, unique=True)))
    return b.build()


@dataclass
class Walk:
    """A journey as a list of stages (None: an event without a stage)."""

    stages: list[str | None]


Draw = Callable[[st.SearchStrategy[Any]], Any]


def walk_from(draw: Draw, m: JourneyMap, start: str, max_steps: int) -> list[str | None]:
    """Stay, add a stage-less event, or follow an edge (forward or loop-back), from start."""
    out: list[str | None] = [start]
    here = start
    for _ in range(draw(st.integers(0, max_steps))):
        step = draw(st.sampled_from(["stay", "none", "move", "move"]))
        options = m.successors(here)
        if step == "move" and options:
            here = draw(st.sampled_from(options))
            out.append(here)
        elif step == "none":
            out.append(None)
        else:
            out.append(here)
    return out


@st.composite
def walks(draw: st.DrawFn, m: JourneyMap) -> Walk:
    """A walk from an entry stage along the map's edges."""
    return Walk(walk_from(draw, m, draw(st.sampled_from(m.entry_stages)), 10))


STRUCTURAL: list[TransitionRule] = [*DEFAULT_RULES, NoSkippedStages(), NoRegression()]


@PROPERTY_SETTINGS
@given(data=st.data())
def test_walks_along_edges_conform(data: st.DataObject) -> None:
    """Journeys that start at an entry stage and only follow edges break no structural rule,
    and score fitness 1."""
    m = data.draw(maps())
    journeys = data.draw(st.lists(walks(m), min_size=1, max_size=4))
    log = stages_log({f"j{i}": w.stages for i, w in enumerate(journeys)})
    report = validate(log, m, STRUCTURAL)
    assert report.violations == ()
    assert report.journey_fitness.value == 1.0
    assert report.counts.conforming_transitions == report.counts.transitions


@PROPERTY_SETTINGS
@given(data=st.data())
def test_one_illegal_jump_is_one_violation_at_its_index(data: st.DataObject) -> None:
    """Inserting one move to a stage without an edge from the current one, then walking on
    along edges, gives exactly one violation (default rules), at the inserted event."""
    m = data.draw(maps(min_stages=2))
    prefix = data.draw(walks(m)).stages
    here = [s for s in prefix if s is not None][-1]
    illegal = [s for s in m.stage_ids if s != here and not m.allows(here, s)]
    assume(illegal)
    target = data.draw(st.sampled_from(illegal))
    suffix = walk_from(data.draw, m, target, 6)
    stages = prefix + suffix
    others = data.draw(st.lists(walks(m), max_size=2))
    journeys = {"bad": stages, **{f"ok{i}": w.stages for i, w in enumerate(others)}}
    report = validate(stages_log(journeys), m)
    (v,) = report.violations
    assert (v.journey_id, v.index, v.from_stage, v.to_stage) == ("bad", len(prefix), here, target)
    assert v.rule == AllowedTransitions()


@st.composite
def random_journeys(draw: st.DrawFn, m: JourneyMap) -> dict[str, list[str | None]]:
    """Up to four journeys of random stages: map stages, two unknown ones, or none."""
    pool: list[str | None] = [*m.stage_ids, "zz", "yy", None]
    seqs = draw(st.lists(st.lists(st.sampled_from(pool), min_size=1, max_size=9), max_size=4))
    return {f"j{i}": seq for i, seq in enumerate(seqs)}


@PROPERTY_SETTINGS
@given(data=st.data())
def test_rules_agree_with_reference(data: st.DataObject) -> None:
    """On random journeys (with unknown stages and stage-less events) every structural rule
    flags exactly the events the brute-force reference finds, and both fitness scores equal
    the reference definition."""
    m = data.draw(maps())
    journeys = data.draw(random_journeys(m))
    assume(journeys)
    max_skip = data.draw(st.integers(0, 2))
    log = stages_log(journeys)
    cases: list[tuple[TransitionRule, str]] = [
        (AllowedTransitions(), "allowed"),
        (NoSkippedStages(max_skip=max_skip), "skip"),
        (NoRegression(), "regression"),
        (KnownStages(), "known"),
        (EntryStage(), "entry"),
    ]
    for rule, name in cases:
        got = sorted((v.journey_id, v.index) for v in validate(log, m, [rule]).violations)
        want = sorted(
            (jid, i)
            for jid, seq in journeys.items()
            for i in reference_violations(m, seq, name, max_skip)
        )
        assert got == want, rule.name

    rules = [rule for rule, _ in cases]
    counts = validate(log, m, rules).counts
    flagged: dict[str, set[int]] = {}
    for jid, seq in journeys.items():
        flagged[jid] = {
            i for _, name in cases for i in reference_violations(m, seq, name, max_skip)
        }
    good_journeys = sum(
        1
        for jid, seq in journeys.items()
        if not flagged[jid] and all(s is None or s in m for s in seq)
    )
    moves = [(jid, t) for jid, seq in journeys.items() for t in reference_transitions(m, seq)]
    good_moves = sum(
        1 for jid, (i, _, _, kind) in moves if kind != "unknown" and i not in flagged[jid]
    )
    assert (counts.journeys, counts.conforming_journeys) == (len(journeys), good_journeys)
    assert (counts.transitions, counts.conforming_transitions) == (len(moves), good_moves)
    in_map = any(s is not None and s in m for seq in journeys.values() for s in seq)
    assert counts.journey_fitness.is_defined is in_map


@PROPERTY_SETTINGS
@given(data=st.data())
def test_compare_agrees_with_reference(data: st.DataObject) -> None:
    """compare_to_map counts every observed move and classifies it as the reference does;
    dead edges are the map edges never observed."""
    m = data.draw(maps())
    journeys = data.draw(random_journeys(m))
    assume(journeys)
    cmp = compare_to_map(stages_log(journeys), m)
    moves = Counter(
        (a, b) for seq in journeys.values() for _, a, b, _ in reference_transitions(m, seq)
    )
    assert {(t.source, t.target): t.count for t in cmp.transitions} == dict(moves)
    assert all(t.kind.value == classify(m, t.source, t.target) for t in cmp.transitions)
    assert {(e.source, e.target) for e in cmp.dead_edges} == {
        (e.source, e.target) for e in m.edges
    } - set(moves)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_counts_are_additive_over_journey_splits(data: st.DataObject) -> None:
    """Validating any split of the journeys separately (same now) and adding the counts gives
    the counts of validating them together."""
    m = data.draw(maps())
    journeys = data.draw(random_journeys(m))
    assume(len(journeys) >= 2)
    log = stages_log(journeys)
    ids = log.journey_ids.tolist()
    cut = data.draw(st.integers(1, len(ids) - 1))
    now = "2030-01-01T00:00:00Z"
    parts = [log.select(ids[:cut]), log.select(ids[cut:])]
    total = sum(
        (ValidationCounts.from_log(p, m, STRUCTURAL, now=now) for p in parts),
        ValidationCounts.zero(),
    )
    assert total == validate(log, m, STRUCTURAL, now=now).counts


@PROPERTY_SETTINGS
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["x", "y"]),
            st.integers(0, 3),
            st.sampled_from(["a", "b", None]),
            st.sampled_from(["web", "email", None]),
        ).filter(lambda r: r[2] is not None or r[3] is not None),
        min_size=1,
        max_size=25,
    )
)
def test_duplicates_agree_with_reference(
    rows: list[tuple[str, int, str | None, str | None]],
) -> None:
    """NoDuplicateEvents flags exactly the events equal (time, touchpoint, channel, stage) to
    an earlier event of their journey, and as many as log.duplicates counts."""
    from touchpath import EventLog
    from touchpath.validation import NoDuplicateEvents

    log = EventLog.from_records(
        [
            {"journey_id": j, "timestamp": t, "stage": s, "channel": c, "touchpoint": None}
            for j, t, s, c in rows
        ]
    )
    want = []
    for journey in log:
        seen: set[tuple[object, ...]] = set()
        for e in journey.events:
            key = (e.timestamp, e.touchpoint, e.channel, e.stage)
            if key in seen:
                want.append((journey.id, e.index))
            seen.add(key)
    report = validate(log, linear_map(), [NoDuplicateEvents()])
    assert [(v.journey_id, v.index) for v in report.violations] == want
    assert log.duplicates == len(want)


def linear_map() -> JourneyMap:
    """a -> b."""
    return JourneyMap.builder("ab").stage("a").stage("b").path("a", "b").build()

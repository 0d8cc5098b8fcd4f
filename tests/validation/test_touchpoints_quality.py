"""RequiredTouchpoints, MonotonicTime and NoDuplicateEvents on hand-built journeys."""

from __future__ import annotations

from typing import Any

import pytest

from touchpath import EventLog, JourneyMap
from touchpath.exceptions import ConfigError
from touchpath.validation import (
    Match,
    MonotonicTime,
    NoDuplicateEvents,
    RequiredTouchpoints,
    Severity,
    validate,
)

from ._helpers import ev, linear, log_of

M = (
    JourneyMap.builder("m")
    .stage("a")
    .stage("b")
    .stage("c")
    .path("a", "b", "c")
    .loop_back("c", "b")
    .touchpoint("t1", channel="web", stage="b")
    .touchpoint("t2", channel="web", stage="b")
    .touchpoint("t3", channel="web", stage="c")
    .build()
)


# -- RequiredTouchpoints ----------------------------------------------------------------------

REQUIRED_CASES = [
    pytest.param(
        [ev(0, "b", touchpoint="t1"), ev(1, "b", touchpoint="t2"), ev(2, "c")],
        Match.ALL,
        [],
        id="all-present",
    ),
    pytest.param(
        [ev(0, "b", touchpoint="t1"), ev(1, "b"), ev(2, "c", touchpoint="t3")],
        Match.ALL,
        [(2, "without 't2'")],
        id="one-missing",
    ),
    pytest.param(
        [ev(0, "b", touchpoint="t1"), ev(1, None, touchpoint="t2"), ev(2, "c")],
        Match.ALL,
        [],
        id="stageless-touch-inside-the-stay-counts",
    ),
    pytest.param(
        [ev(0, "b", touchpoint="t1"), ev(1, "c"), ev(2, "c", touchpoint="t2")],
        Match.ALL,
        [(1, "without 't2'")],
        id="touch-after-leaving-does-not-count",
    ),
    pytest.param([ev(0, "a"), ev(1, "b")], Match.ALL, [], id="open-stay-not-judged"),
    pytest.param(
        [ev(0, "b"), ev(1, "c")], Match.ALL, [(1, "without 't1', 't2'")], id="both-missing"
    ),
    pytest.param([ev(0, "b", touchpoint="t2"), ev(1, "c")], Match.ANY, [], id="any-one-is-enough"),
    pytest.param(
        [ev(0, "b"), ev(1, "c")], Match.ANY, [(1, "without any of 't1', 't2'")], id="any-none"
    ),
    pytest.param(
        [
            ev(0, "b", touchpoint="t1"),
            ev(1, "b", touchpoint="t2"),
            ev(2, "c"),
            ev(3, "b"),
            ev(4, "c"),
        ],
        Match.ALL,
        [(4, "without 't1', 't2'")],
        id="each-visit-separately",
    ),
]


@pytest.mark.parametrize(("events", "match", "expected"), REQUIRED_CASES)
def test_required_touchpoints(
    events: list[dict[str, Any]], match: Match, expected: list[tuple[int, str]]
) -> None:
    """A stay in b that the journey leaves must contain t1 and t2 (ALL) or one of them (ANY),
    counting every event from entering b up to the move out; the violation is at the event
    that leaves b."""
    report = validate(log_of({"j": events}), M, [RequiredTouchpoints("b", ["t1", "t2"], match)])
    got = [(v.index, v.message.split(": ", 1)[1].split(" [")[0]) for v in report.violations]
    assert [(i, f"left 'b' {text}") for i, text in expected] == got
    assert all((v.from_stage, v.to_stage) == ("b", "c") for v in report.violations)


def test_required_touchpoints_configuration() -> None:
    """A single id is a one-element tuple; empty, repeated, blank ids and unknown match
    values are refused; the name says all/any."""
    assert RequiredTouchpoints("b", "t1").touchpoints == ("t1",)
    assert RequiredTouchpoints("b", ["t1", "t2"], Match.ANY).name == (
        "RequiredTouchpoints('b', any of 't1', 't2')"
    )
    for bad in ([], ["t1", "t1"], [""], 5):
        with pytest.raises(ConfigError, match="touchpoints"):
            RequiredTouchpoints("b", bad)
    with pytest.raises(ConfigError, match="'match'"):
        RequiredTouchpoints("b", "t1", "some")


def test_required_touchpoints_unknown_touchpoint() -> None:
    """Naming a touchpoint the map lacks is a ConfigError with a hint."""
    with pytest.raises(ConfigError, match="unknown touchpoint 't22'; did you mean 't2'"):
        validate(log_of({"j": [ev(0, "b")]}), M, [RequiredTouchpoints("b", ["t22"])])


def test_required_touchpoint_never_observed() -> None:
    """A required touchpoint that no event of the log has is simply missing everywhere."""
    log = log_of({"j": [ev(0, "b", touchpoint="t1"), ev(1, "c")]})
    (v,) = validate(log, M, [RequiredTouchpoints("b", ["t2"])]).violations
    assert v.index == 1


# -- MonotonicTime ----------------------------------------------------------------------------


def records(*pairs: tuple[str, int]) -> EventLog:
    """A log of (journey, timestamp in seconds) events in this input order."""
    return EventLog.from_records(
        [{"journey_id": j, "timestamp": t, "stage": "a"} for j, t in pairs]
    )


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        pytest.param(records(("j", 1), ("j", 2), ("j", 3)), [], id="in-order"),
        pytest.param(records(("j", 1), ("j", 1), ("j", 1)), [], id="ties-are-in-order"),
        pytest.param(records(("j", 1), ("j", 3), ("j", 2)), [(1, 2)], id="one-late-arrival"),
        pytest.param(records(("j", 5), ("j", 4), ("j", 3)), [(0, 2), (1, 1)], id="reversed-input"),
        pytest.param(
            records(("x", 5), ("y", 1), ("x", 6), ("y", 2)), [], id="journeys-interleaved"
        ),
        pytest.param(
            records(("y", 9), ("x", 5), ("y", 1), ("x", 6)), [(0, 2)], id="second-journey"
        ),
    ],
)
def test_monotonic_time(log: EventLog, expected: list[tuple[int, int]]) -> None:
    """An event is flagged when an earlier input row of its journey has a later timestamp:
    (index in the sorted journey, input row). Reversed input 5, 4, 3 sorts to 3 (row 2), 4
    (row 1), 5 (row 0): rows 2 and 1 came after later events. In the last case y's event at
    time 1 (row 2) is index 0 of journey y and came after y's event at time 9 (row 0)."""
    report = validate(log, linear("a"), [MonotonicTime()])
    assert [(v.index, v.row) for v in report.violations] == expected
    assert all(v.severity is Severity.WARNING for v in report.violations)


# -- NoDuplicateEvents ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param([ev(0, "a"), ev(0, "a")], [1], id="exact-repeat"),
        pytest.param([ev(0, "a"), ev(0, "a", channel="x")], [], id="different-channel"),
        pytest.param([ev(0, "a"), ev(1, "a")], [], id="different-time"),
        pytest.param(
            [ev(0, "a", channel="p"), ev(0, "a", channel="q"), ev(0, "a", channel="p")],
            [2],
            id="repeat-not-adjacent",
        ),
        pytest.param([ev(0, "a"), ev(0, "a"), ev(0, "a")], [1, 2], id="three-times"),
    ],
)
def test_no_duplicate_events(events: list[dict[str, Any]], expected: list[int]) -> None:
    """Every repeat of an earlier event (same journey, time, touchpoint, channel and stage) is
    flagged, the first is kept: the same events log.duplicates counts."""
    log = log_of({"j": events})
    report = validate(log, linear("a"), [NoDuplicateEvents()])
    assert [v.index for v in report.violations] == expected
    assert log.duplicates == len(expected)


def test_data_quality_warnings_do_not_change_fitness() -> None:
    """Warnings are counted but the journey still conforms; as errors they do not."""
    log = log_of({"j": [ev(0, "a"), ev(0, "a")]})
    warn = validate(log, linear("a"), [NoDuplicateEvents()])
    assert (warn.counts.violations, warn.journey_fitness.value, warn.ok) == (1, 1.0, True)
    err = validate(log, linear("a"), [NoDuplicateEvents(severity=Severity.ERROR)])
    assert (err.counts.violations, err.journey_fitness.value, err.ok) == (1, 0.0, False)

"""validate_journey: one Journey, validated through the same vectorised path."""

from __future__ import annotations

import pendulum
import pytest

from touchpath import Event, Journey
from touchpath.exceptions import ConfigError, JourneyViolation, UnsupportedInputError
from touchpath.validation import MonotonicTime, validate, validate_journey

from ._helpers import linear, stages_log

ABCD = linear("a", "b", "c", "d")
T = pendulum.datetime(2025, 1, 1)


def journey(*events: tuple[int, str | None]) -> Journey:
    """A hand-built journey of (hours, stage) events, in the given order."""
    return Journey(
        "hand",
        tuple(
            Event("hand", i, T.add(hours=h), stage=s, channel=None if s else "web")
            for i, (h, s) in enumerate(events)
        ),
    )


def test_validate_journey_reports_positions_in_the_journey() -> None:
    """a -> c skips b: flagged at position 1 of journey.events."""
    report = validate_journey(journey((0, "a"), (1, "c")), ABCD)
    assert [(v.journey_id, v.index, v.from_stage, v.to_stage) for v in report.violations] == [
        ("hand", 1, "a", "c")
    ]


def test_out_of_order_events_keep_their_given_positions() -> None:
    """Events given as a@0h, c@2h, b@1h are validated in time order (a, b, c: no skip), and
    MonotonicTime flags the event at given position 2 (b, earlier than c given before it)."""
    j = journey((0, "a"), (2, "c"), (1, "b"))
    report = validate_journey(j, ABCD, [MonotonicTime()])
    assert [(v.index, v.row, v.to_stage) for v in report.violations] == [(2, 2, None)]
    assert j.events[report.violations[0].index].stage == "b"
    assert validate_journey(j, ABCD).violations == ()


def test_same_result_as_validate_on_the_log() -> None:
    """A journey taken from a log gets the same violations as in validate(log)."""
    log = stages_log({"x": ["a", "b", "d", None, "a"], "y": ["b"]})
    whole = [v for v in validate(log, ABCD).violations if v.journey_id == "x"]
    alone = validate_journey(log.journey("x"), ABCD, now=validate(log, ABCD).now).violations
    assert [(v.index, v.message) for v in alone] == [(v.index, v.message) for v in whole]


def test_validate_journey_strict() -> None:
    """Strict mode raises the first violation."""
    with pytest.raises(JourneyViolation, match="event 1"):
        validate_journey(journey((0, "a"), (1, "d")), ABCD, strict=True)


def test_validate_journey_bad_input() -> None:
    """An EventLog or an empty journey is refused."""
    log = stages_log({"x": ["a"]})
    with pytest.raises(UnsupportedInputError, match="use validate for an EventLog"):
        validate_journey(log, ABCD)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="no events"):
        validate_journey(Journey("e", ()), ABCD)

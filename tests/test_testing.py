"""touchpath.testing.journey_log: the one hand-written log dialect the suite builds logs with."""

from __future__ import annotations

import datetime as dt

import pytest

from touchpath.exceptions import ConfigError
from touchpath.testing import START, journey_log, journey_records


def test_offsets_in_every_form_land_on_the_same_instants() -> None:
    """Seconds, a timedelta and duration text name the same offsets; the expected instants are
    START plus the offset, written out by hand."""
    log = journey_log(
        {
            "a": [{"stage": "x", "at": 90}, {"stage": "y", "at": dt.timedelta(hours=2)}],
            "b": [{"stage": "x", "at": "1 day"}],
        }
    )
    times = {
        (jid, e.stage): e.timestamp.isoformat()
        for jid in ("a", "b")
        for e in log.journey(jid).events
    }
    assert times == {
        ("a", "x"): "2025-01-01T00:01:30+00:00",
        ("a", "y"): "2025-01-01T02:00:00+00:00",
        ("b", "x"): "2025-01-02T00:00:00+00:00",
    }


def test_without_at_events_are_step_apart_from_start() -> None:
    """Three stage ids with step "30 min" from a given start: 0, 30 and 60 minutes after it."""
    start = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)
    records = journey_records({"j": ["a", "b", "c"]}, start=start, step="30 min")
    assert [r["timestamp"] for r in records] == [
        start,
        start + dt.timedelta(minutes=30),
        start + dt.timedelta(hours=1),
    ]
    assert [r["stage"] for r in records] == ["a", "b", "c"]
    assert dt.datetime(2025, 1, 1, tzinfo=dt.UTC) == START


def test_fields_pass_through_to_the_log() -> None:
    """A conversion's value and a touch's channel reach the log: 1 conversion worth 40."""
    log = journey_log(
        {"j": [{"channel": "email"}, {"channel": "search", "converted": True, "value": 40}]}
    )
    events = log.journey("j").events
    assert [e.channel for e in events] == ["email", "search"]
    assert [(e.converted, e.value) for e in events] == [(False, 0.0), (True, 40.0)]


@pytest.mark.parametrize(
    ("journeys", "message"),
    [
        ({"j": "abc"}, "journey 'j': events must be a list"),
        ({"j": [3]}, "journey 'j', event 0: expected a mapping of fields or a stage id, got int"),
        ({"j": [{"timestamp": 0}]}, "give the time as 'at'"),
        ({"j": ["a", {"at": True}]}, "journey 'j', event 1: 'at' must be a duration"),
    ],
)
def test_bad_specs_are_config_errors_naming_journey_and_event(
    journeys: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        journey_records(journeys)  # type: ignore[arg-type]


def test_naive_start_is_refused() -> None:
    with pytest.raises(ConfigError, match="aware"):
        journey_records({"j": ["a"]}, start=dt.datetime(2025, 1, 1))

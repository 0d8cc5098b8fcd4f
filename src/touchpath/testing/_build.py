"""One way to write a small event log by hand, for tests and examples.

A journey is a list of events; an event is a mapping of fields (the default column names:
``touchpoint``, ``channel``, ``stage``, ``converted``, ``value``, ...) or, as a shorthand, the
id of the stage it is in. Each event happens ``at`` a time after ``start``: a number of seconds,
a :class:`datetime.timedelta` or duration text such as ``"2 days"``; without ``at``, events are
``step`` apart in list order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final, TypeAlias

from .._log import EventLog
from .._time import DurationLike, parse_duration
from ..exceptions import ConfigError

__all__ = ["START", "EventSpec", "journey_log", "journey_records"]

START: Final = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
"""The default ``start`` of :func:`journey_log`: 2025-01-01T00:00Z."""

EventSpec: TypeAlias = "Mapping[str, Any] | str"
"""One hand-written event: a mapping of fields (with an optional ``at`` offset), or a stage id."""


def _offset(value: Any, journey: str, index: int) -> dt.timedelta:
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, bool):
        raise ConfigError(
            f"journey {journey!r}, event {index}: 'at' must be a duration, got {value!r}"
        )
    if isinstance(value, int | float):
        return dt.timedelta(seconds=value)
    return dt.timedelta(microseconds=parse_duration(value, name="at", allow_zero=True))


def journey_records(
    journeys: Mapping[str, Sequence[EventSpec]],
    *,
    start: dt.datetime = START,
    step: DurationLike = "1 hour",
) -> list[dict[str, Any]]:
    """The event records :func:`journey_log` reads, in journey then list order.

    >>> records = journey_records({"j1": ["visit", {"channel": "email", "at": "1 day"}]})
    >>> [(r["timestamp"].isoformat(), r.get("stage"), r.get("channel")) for r in records]
    [('2025-01-01T00:00:00+00:00', 'visit', None), ('2025-01-02T00:00:00+00:00', None, 'email')]
    """
    if start.tzinfo is None:
        raise ConfigError(f"start must be an aware datetime, got {start!r}")
    gap = dt.timedelta(microseconds=parse_duration(step, name="step", allow_zero=True))
    records: list[dict[str, Any]] = []
    for journey, events in journeys.items():
        if isinstance(events, str | bytes):
            raise ConfigError(
                f"journey {journey!r}: events must be a list, got the text {events!r}"
            )
        for index, spec in enumerate(events):
            if isinstance(spec, str):
                fields: dict[str, Any] = {"stage": spec}
            elif isinstance(spec, Mapping):
                fields = dict(spec)
            else:
                raise ConfigError(
                    f"journey {journey!r}, event {index}: expected a mapping of fields or a "
                    f"stage id, got {type(spec).__name__}"
                )
            if "journey_id" in fields or "timestamp" in fields:
                raise ConfigError(
                    f"journey {journey!r}, event {index}: give the time as 'at' and the journey "
                    "as the mapping key, not 'timestamp' or 'journey_id'"
                )
            at = _offset(fields.pop("at"), journey, index) if "at" in fields else gap * index
            records.append({"journey_id": journey, "timestamp": start + at, **fields})
    return records


def journey_log(
    journeys: Mapping[str, Sequence[EventSpec]],
    *,
    start: dt.datetime = START,
    step: DurationLike = "1 hour",
) -> EventLog:
    """An :class:`~touchpath.EventLog` from journeys written by hand.

    Each journey id maps to its events; an event is a mapping of fields or a stage id. ``at``
    places an event after ``start`` (seconds, a ``timedelta`` or duration text); without it,
    events are ``step`` apart in list order.

    >>> log = journey_log({
    ...     "j1": [{"channel": "email"}, {"channel": "search", "converted": True, "value": 40}],
    ...     "j2": ["visit", "signup", {"stage": "paid", "at": "3 days"}],
    ... })
    >>> len(log), log.n_events, log.journey("j2").events[2].timestamp.isoformat()
    (2, 5, '2025-01-04T00:00:00+00:00')
    """
    return EventLog.from_records(journey_records(journeys, start=start, step=step))

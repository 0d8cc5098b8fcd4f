"""Small builders shared by the attribution tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from touchpath import EventLog

DAY = 86_400


def log_of(*journeys: Sequence[tuple[Any, ...]]) -> EventLog:
    """A log from journeys given as ``(channel, converted, value[, day[, stage]])`` tuples.

    Journey ``i`` gets id ``"j{i}"``; events are one day apart unless a day is given.
    """
    records: list[dict[str, Any]] = []
    for i, events in enumerate(journeys):
        for k, event in enumerate(events):
            channel, converted, value, *rest = event
            day = rest[0] if rest else k
            stage = rest[1] if len(rest) > 1 else None
            rec: dict[str, Any] = {
                "journey_id": f"j{i}",
                "timestamp": 1_700_000_000 + int(day * DAY),
                "converted": converted,
                "value": value,
            }
            if channel is not None:
                rec["channel"] = channel
            if stage is not None:
                rec["stage"] = stage
            if channel is None and stage is None and not converted:
                rec["stage"] = "none"
            records.append(rec)
    return EventLog.from_records(records)

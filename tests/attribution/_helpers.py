"""Small builders shared by the attribution tests, on :func:`touchpath.testing.journey_log`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from touchpath import EventLog
from touchpath.testing import journey_log

DAY = 86_400
_START = dt.datetime.fromtimestamp(1_700_000_000, dt.UTC)


def log_of(*journeys: Sequence[tuple[Any, ...]]) -> EventLog:
    """A log from journeys given as ``(channel, converted, value[, day[, stage]])`` tuples.

    Journey ``i`` gets id ``"j{i}"``; events are one day apart unless a day is given.
    """
    spec: dict[str, list[dict[str, Any]]] = {}
    for i, events in enumerate(journeys):
        rows = spec.setdefault(f"j{i}", [])
        for k, event in enumerate(events):
            channel, converted, value, *rest = event
            day = rest[0] if rest else k
            stage = rest[1] if len(rest) > 1 else None
            rec: dict[str, Any] = {
                "at": int(day * DAY),
                "converted": converted,
                "value": value,
            }
            if channel is not None:
                rec["channel"] = channel
            if stage is not None:
                rec["stage"] = stage
            if channel is None and stage is None and not converted:
                rec["stage"] = "none"
            rows.append(rec)
    return journey_log(spec, start=_START)

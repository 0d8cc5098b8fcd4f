"""Helpers for the metrics tests: compact record builders and random event logs."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from touchpath import EventLog

HOUR = 3600
DAY = 86400


def rec(journey: str, t: int, stage: str | None = None, **extra: Any) -> dict[str, Any]:
    """One event record: ``t`` in epoch seconds, every event on channel ``web``."""
    out: dict[str, Any] = {"journey_id": journey, "timestamp": t, "channel": "web"}
    if stage is not None:
        out["stage"] = stage
    out.update(extra)
    return out


def log_of(*records: dict[str, Any]) -> EventLog:
    """A log from records."""
    return EventLog.from_records(list(records))


STAGES = ("a", "b", "c")
_STAGE_OR_NONE = (*STAGES, *STAGES, None)  # a stage most of the time


@st.composite
def event_records(
    draw: st.DrawFn,
    *,
    max_journeys: int = 6,
    min_events: int = 2,
    max_events: int = 9,
    distinct_times: bool = False,
) -> list[dict[str, Any]]:
    """Random records: few stages (so repeats, loops and ties happen), some events without a
    stage, accounts and segments sometimes missing, timestamps 0..30 s apart."""
    n_journeys = draw(st.integers(1, max_journeys))
    records: list[dict[str, Any]] = []
    for j in range(n_journeys):
        account = draw(st.sampled_from(["x", "y", "z", None]))
        n = draw(st.integers(min_events, max_events))
        if distinct_times:
            times = sorted(draw(st.sets(st.integers(0, 60), min_size=n, max_size=n)))
            times = draw(st.permutations(times))
        else:
            times = draw(st.lists(st.integers(0, 12), min_size=n, max_size=n))
        for t in times:
            r = rec(f"j{j}", 1_000_000 + t, draw(st.sampled_from(_STAGE_OR_NONE)))
            if account is not None and draw(st.booleans()):
                r["account"] = account
            segment = draw(st.sampled_from(["smb", "ent", None]))
            if segment is not None:
                r["segment"] = segment
            records.append(r)
    return records

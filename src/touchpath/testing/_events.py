"""Hypothesis strategies for event records and EventLogs, for testing code that reads them.

``event_records()`` draws lists of valid event dicts (default column names)
whose timestamps come as ISO-8601 text, epoch numbers or aware datetimes;
``event_logs()`` builds them into an :class:`~touchpath.EventLog`. Both
are deterministic functions of what Hypothesis draws, so failures shrink to
small examples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final, Literal, TypeAlias

from hypothesis import strategies as st

from .._log import EventLog

__all__ = ["TimestampStyle", "event_logs", "event_records", "timestamp_values"]

TimestampStyle: TypeAlias = Literal["iso", "epoch_s", "epoch_ms", "datetime", "mixed"]
"""How drawn timestamps are written: ISO-8601 text with an offset, epoch seconds,
epoch milliseconds, aware ``datetime`` objects, or any of these per event."""

_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MIN_US: Final = 0
_MAX_US: Final = 4_102_444_800 * 1_000_000  # 2100-01-01
_STYLES: Final = ("iso", "epoch_s", "epoch_ms", "datetime")
_NAMES: Final = st.text(alphabet="abcdefgh_", min_size=1, max_size=4)
_TEXT: Final = st.one_of(_NAMES, st.text(min_size=1, max_size=6)).filter(lambda s: bool(s.strip()))


def _offsets() -> st.SearchStrategy[dt.timezone]:
    minutes = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59)
    return st.one_of(st.just(dt.UTC), minutes.map(lambda m: dt.timezone(dt.timedelta(minutes=m))))


@st.composite
def timestamp_values(draw: st.DrawFn, micros: int, style: TimestampStyle = "mixed") -> Any:
    """One way of writing the instant ``micros`` (µs since the epoch, UTC).

    Epoch styles need whole seconds (``epoch_s``) or milliseconds
    (``epoch_ms``); other values fall back to ISO text.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20)
    ... @given(timestamp_values(86_400_000_000, style="epoch_s"))
    ... def test(v): assert v == 86_400
    >>> test()
    """
    chosen = draw(st.sampled_from(_STYLES)) if style == "mixed" else style
    if chosen == "epoch_s" and micros % 1_000_000 == 0:
        return micros // 1_000_000
    if chosen == "epoch_ms" and micros % 1000 == 0 and micros >= 10**14:
        return micros // 1000  # at or above 1e11 ms "auto" reads milliseconds
    moment = (_EPOCH + dt.timedelta(microseconds=micros)).astimezone(draw(_offsets()))
    if chosen == "datetime":
        return moment
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") and draw(st.booleans()) else text


@st.composite
def event_records(
    draw: st.DrawFn,
    *,
    min_size: int = 0,
    max_size: int = 25,
    max_journeys: int = 5,
    timestamps: TimestampStyle = "mixed",
    unique_times: bool = False,
    whole_seconds: bool = False,
    channels: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Lists of valid event records with the default column names.

    Every record has a journey id and a timestamp, and a touchpoint, a
    channel or a stage (or is a conversion); optional fields are sometimes
    absent, sometimes ``None``. ``unique_times`` keeps timestamps distinct
    within a journey (so the log does not depend on row order);
    ``whole_seconds`` draws whole-second times only.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(event_records(min_size=1))
    ... def test(records):
    ...     assert EventLog.from_records(records).n_events == len(records)
    >>> test()
    """
    ids = draw(st.lists(_TEXT, min_size=1, max_size=max_journeys, unique=True))
    names = st.sampled_from(list(channels)) if channels else _NAMES
    n = draw(st.integers(min_value=min_size, max_value=max_size))
    step = 1_000_000 if whole_seconds else 1
    instants = st.integers(min_value=_MIN_US // step, max_value=_MAX_US // step).map(
        lambda k: k * step
    )
    used: set[tuple[str, int]] = set()
    records: list[dict[str, Any]] = []
    for _ in range(n):
        jid = draw(st.sampled_from(ids))
        micros = draw(instants)
        while unique_times and (jid, micros) in used:
            micros = draw(instants)
        used.add((jid, micros))
        rec: dict[str, Any] = {
            "journey_id": jid,
            "timestamp": draw(timestamp_values(micros, timestamps)),
        }
        for key, values in (
            ("touchpoint", _NAMES),
            ("channel", names),
            ("stage", _NAMES),
            ("campaign", _NAMES),
            ("segment", _NAMES),
            ("account", _NAMES),
        ):
            choice = draw(st.integers(min_value=0, max_value=3))
            if choice == 1:
                rec[key] = None
            elif choice >= 2:
                rec[key] = draw(values)
        converted = draw(st.booleans())
        if converted or draw(st.booleans()):
            rec["converted"] = converted
        touch = any(rec.get(k) is not None for k in ("touchpoint", "channel", "stage"))
        if not touch and not converted:
            rec["channel"] = draw(names)
        for key in ("value", "cost"):
            if draw(st.booleans()):
                rec[key] = draw(
                    st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
                )
        records.append(rec)
    if records and not any(k in r for r in records for k in ("touchpoint", "channel", "stage")):
        records[0]["channel"] = None  # some row must show a touch column (as a header would)
    return records


def event_logs(**options: Any) -> st.SearchStrategy[EventLog]:
    """EventLogs built from :func:`event_records` (which takes the same options).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(event_logs(min_size=1, unique_times=True))
    ... def test(log):
    ...     assert log.ties == 0 and log.n_events >= 1
    >>> test()
    """
    return event_records(**options).map(EventLog.from_records)

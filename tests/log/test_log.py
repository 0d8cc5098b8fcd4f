"""The EventLog: order, ties, duplicates, navigation, subsets, concatenation, conversion paths."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import Event, EventLog, Field, Journey
from touchpath._schema import CATEGORICAL
from touchpath.exceptions import ConfigError, NotFoundError
from touchpath.testing.strategies import event_records

DAY = 86400 * 1_000_000
SETTINGS = settings(max_examples=60, deadline=None)


def rec(j: str, t: int, channel: str | None = "x", **more: Any) -> dict[str, Any]:
    """A record at ``t`` whole days after the epoch."""
    return {"journey_id": j, "timestamp": t * 86400, "channel": channel, **more}


def simple_records() -> st.SearchStrategy[list[dict[str, Any]]]:
    """Small logs on a coarse grid, so that ties, duplicates and repeat conversions happen."""
    row = st.fixed_dictionaries(
        {
            "journey_id": st.sampled_from(["a", "b", "c"]),
            "timestamp": st.integers(min_value=0, max_value=6).map(lambda d: d * 86400),
            "channel": st.sampled_from(["x", "y", None]),
            "stage": st.sampled_from(["s", None]),
            "converted": st.booleans(),
            "value": st.sampled_from([0.0, 1.0, 2.5]),
            "segment": st.sampled_from(["smb", "ent", None]),
            "account": st.sampled_from(["acme", None]),
        }
    ).filter(lambda r: r["channel"] is not None or r["stage"] is not None or r["converted"])
    return st.lists(row, max_size=25)


def by_journey(log: EventLog) -> dict[str, list[tuple[Any, ...]]]:
    """Each journey's events as (time, channel, stage, converted, value), in log order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for j in log:
        out[j.id] = [
            (int(e.timestamp.timestamp()), e.channel, e.stage, e.converted, e.value)
            for e in j
        ]  # fmt: skip
    return out


def expected_by_journey(records: list[dict[str, Any]]) -> dict[str, list[tuple[Any, ...]]]:
    """The same, by brute force: stable sort of each journey's records by time."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for r in sorted(records, key=lambda r: r["timestamp"]):  # sorted() is stable
        out.setdefault(r["journey_id"], []).append(
            (r["timestamp"], r["channel"], r["stage"], r["converted"], r["value"])
        )
    return dict(sorted(out.items()))


# -- order, ties, duplicates ---------------------------------------------------------------------


@SETTINGS
@given(simple_records())
def test_order_ties_and_duplicates(records: list[dict[str, Any]]) -> None:
    """Journeys in id order, events by time then input order; ties counts consecutive equal
    times in a journey; duplicates counts repeats of (journey, time, touchpoint, channel,
    stage), and drop_duplicates keeps the first of each."""
    log = EventLog.from_records(records)
    expected = expected_by_journey(records)
    assert by_journey(log) == expected
    ties = sum(1 for evs in expected.values() for a, b in itertools.pairwise(evs) if a[0] == b[0])
    assert log.ties == ties
    keys = [(r["journey_id"], r["timestamp"], r["channel"], r["stage"]) for r in records]
    assert log.duplicates == len(keys) - len(set(keys))
    dedup = log.drop_duplicates()
    firsts: dict[tuple[Any, ...], dict[str, Any]] = {}
    for k, r in zip(keys, records, strict=True):
        firsts.setdefault(k, r)
    assert by_journey(dedup) == expected_by_journey(list(firsts.values()))


@SETTINGS
@given(simple_records())
def test_journey_level_facts(records: list[dict[str, Any]]) -> None:
    """offsets, lengths, event_journey, journey_converted and summary agree with counting."""
    log = EventLog.from_records(records)
    expected = expected_by_journey(records)
    assert log.journey_lengths.tolist() == [len(v) for v in expected.values()]
    assert log.offsets.tolist() == np.cumsum([0] + [len(v) for v in expected.values()]).tolist()
    assert log.event_journey.tolist() == [i for i, v in enumerate(expected.values()) for _ in v]
    assert log.journey_converted.tolist() == [any(e[3] for e in v) for v in expected.values()]
    summary = log.summary()
    assert summary["conversions"] == sum(r["converted"] for r in records)
    assert summary["value"] == sum(r["value"] for r in records if r["converted"])
    assert summary["journeys"] == len(expected)


# -- navigation -----------------------------------------------------------------------------------


def test_navigation() -> None:
    """len, iteration, membership, journey by id and position, and the Event fields."""
    log = EventLog.from_records(
        [
            rec("b", 1, "email", converted=True, value=9.0, campaign="c1", cost=2.0,
                segment="smb", account="acme", touchpoint="t", stage="s"),
            rec("a", 0, "ads"),
        ]
    )  # fmt: skip
    assert len(log) == 2
    assert [j.id for j in log] == ["a", "b"]
    assert "a" in log
    assert "zz" not in log
    assert 5 not in log
    j = log.journey("b")
    assert isinstance(j, Journey)
    assert log.journey_at(-1) == j
    e = j.events[0]
    assert isinstance(e, Event)
    assert (e.touchpoint, e.channel, e.stage, e.converted, e.value, e.campaign, e.cost) == (
        "t", "email", "s", True, 9.0, "c1", 2.0,
    )  # fmt: skip
    assert (e.segment, e.account, e.row, e.index, e.is_touch) == ("smb", "acme", 0, 0, True)
    assert (j.converted, j.conversions, j.value, j.start, j.end) == (
        True,
        1,
        9.0,
        e.timestamp,
        e.timestamp,
    )
    with pytest.raises(NotFoundError, match="unknown journey 'zz'"):
        log.journey("zz")
    with pytest.raises(NotFoundError):
        log.journey_at(2)
    with pytest.raises(ConfigError, match="not a categorical field"):
        log.codes_and_names(Field.VALUE)
    assert "2 journeys, 2 events" in repr(log)


def test_a_pure_conversion_marker_is_not_a_touch() -> None:
    """A converting event without touchpoint or channel is kept but is not a touch."""
    log = EventLog.from_records(
        [{"journey_id": "a", "timestamp": 0, "converted": True, "channel": None}]
    )
    e = log.journey("a").events[0]
    assert (e.converted, e.is_touch) == (True, False)


# -- subsets and combinations ----------------------------------------------------------------


@SETTINGS
@given(simple_records(), st.data())
def test_select_keeps_whole_journeys(records: list[dict[str, Any]], data: st.DataObject) -> None:
    """select(ids) and select(mask) keep exactly those journeys, events unchanged."""
    log = EventLog.from_records(records)
    ids = data.draw(st.lists(st.sampled_from(log.journey_ids.tolist() or ["-"]), unique=True))
    ids = [i for i in ids if i in log]
    picked = log.select(ids)
    expected = {k: v for k, v in expected_by_journey(records).items() if k in ids}
    assert by_journey(picked) == expected
    mask = np.isin(log.journey_ids, ids)
    assert log.select(mask).equals(picked)


def test_select_refuses_a_bad_mask() -> None:
    """A mask of the wrong length is a ConfigError."""
    log = EventLog.from_records([rec("a", 0)])
    with pytest.raises(ConfigError, match="one entry per journey"):
        log.select(np.ones(3, dtype=bool))


@SETTINGS
@given(simple_records(), st.integers(0, 7), st.integers(0, 7), st.sampled_from(["smb", "ent"]))
def test_filter_by_segment_account_and_window(
    records: list[dict[str, Any]], lo: int, hi: int, segment: str
) -> None:
    """filter(segment=) keeps journeys with an event in the segment; start/end keep events in
    [start, end); both together do both."""
    log = EventLog.from_records(records)
    start = f"1970-01-{1 + lo:02d}T00:00:00Z"
    end = f"1970-01-{1 + hi:02d}T00:00:00Z"
    in_seg = {r["journey_id"] for r in records if r["segment"] == segment}
    expected = [
        r
        for r in records
        if r["journey_id"] in in_seg and lo * 86400 <= r["timestamp"] < hi * 86400
    ]
    out = log.filter(segment=segment, start=start, end=end)
    assert by_journey(out) == expected_by_journey(expected)
    with_acme = {r["journey_id"] for r in records if r["account"] == "acme"}
    assert set(log.filter(account=["acme"]).journey_ids.tolist()) == with_acme


def test_filter_refuses_naive_bounds() -> None:
    """A window bound must be an aware timestamp."""
    log = EventLog.from_records([rec("a", 0)])
    with pytest.raises(ConfigError, match="aware timestamp"):
        log.filter(start="2025-01-01")


@SETTINGS
@given(simple_records(), simple_records())
def test_concat_is_reading_the_rows_together(
    first: list[dict[str, Any]], second: list[dict[str, Any]]
) -> None:
    """concat of two logs equals the log of both record lists one after the other."""
    if not first or not second:
        return
    joined = EventLog.concat([EventLog.from_records(first), EventLog.from_records(second)])
    assert joined.equals(EventLog.from_records(first + second))
    assert joined.rows_read == len(first) + len(second)


def test_concat_needs_logs() -> None:
    """concat of nothing is a ConfigError."""
    with pytest.raises(ConfigError, match="at least one"):
        EventLog.concat([])


# -- conversion paths --------------------------------------------------------------------------


def reference_paths(
    records: list[dict[str, Any]], lookback_days: int | None
) -> dict[str, list[tuple[Any, ...]]]:
    """Brute force: cut each journey after every conversion; number paths only when a journey
    has more than one; drop events more than lookback before their path's last event."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for jid, events in expected_by_journey(records).items():
        paths: list[list[tuple[Any, ...]]] = [[]]
        for e in events:
            paths[-1].append(e)
            if e[3]:
                paths.append([])
        if not paths[-1]:
            paths.pop()
        for k, path in enumerate(paths, start=1):
            name = jid if len(paths) == 1 else f"{jid}#{k}"
            if lookback_days is not None:
                last = path[-1][0]
                path = [e for e in path if e[0] >= last - lookback_days * 86400]
            if path:
                out[name] = path
    return dict(sorted(out.items()))


@SETTINGS
@given(simple_records(), st.one_of(st.none(), st.integers(1, 4)))
def test_split_conversions(records: list[dict[str, Any]], lookback: int | None) -> None:
    """split_conversions matches a brute-force cut of every journey after each conversion,
    with and without a lookback window."""
    log = EventLog.from_records(records)
    window = None if lookback is None else f"{lookback} days"
    assert by_journey(log.split_conversions(window)) == reference_paths(records, lookback)


# -- equality and reading back ------------------------------------------------------------------


@SETTINGS
@given(event_records(max_size=20))
def test_records_round_trip(records: list[dict[str, Any]]) -> None:
    """to_records gives dicts that from_records reads back to an equal log."""
    log = EventLog.from_records(records)
    assert EventLog.from_records(log.to_records()).equals(log)


def test_equals_looks_at_every_column() -> None:
    """equals is False when any event value, id or dictionary differs, or for a non-log."""
    base = [rec("a", 0, "x", value=1.0)]
    log = EventLog.from_records(base)
    for change in ({"channel": "y"}, {"value": 2.0}, {"journey_id": "b"}, {"timestamp": 60}):
        assert not log.equals(EventLog.from_records([{**base[0], **change}]))
    assert not log.equals("log")
    assert log.equals(EventLog.from_records(base))


def test_columns_are_read_only() -> None:
    """The log's arrays cannot be written to."""
    log = EventLog.from_records([rec("a", 0)])
    with pytest.raises(ValueError, match="read-only"):
        log.timestamps[0] = 5


def test_presorted_input_keeps_the_callers_arrays_writeable() -> None:
    """Building from rows already in log order (no sort needed) still copies: the caller's
    arrays stay writeable and unshared."""
    jc = np.array([0, 0, 1], dtype=np.int64)
    ts = np.array([1, 2, 0], dtype=np.int64)
    codes = np.zeros(3, dtype=np.int32)
    log = EventLog._from_unsorted(
        journey_codes=jc,
        journey_ids=["a", "b"],
        timestamps=ts,
        categorical=dict.fromkeys(CATEGORICAL, (codes, ("s",))),
        converted=np.zeros(3, dtype=bool),
        value=np.zeros(3),
        cost=np.zeros(3),
        rows=np.arange(3),
    )  # fmt: skip
    ts[0] = 99
    assert log.timestamps.tolist() == [1, 2, 0]
    assert ts.flags.writeable

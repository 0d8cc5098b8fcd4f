"""Time at the edges: timestamps to UTC microseconds, durations, wall times in a zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import numpy as np
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath._time import (
    NAIVE_REASON,
    OUT_OF_RANGE_REASON,
    format_duration,
    localize,
    parse_duration,
    parse_timestamps,
    resolve_timezone,
    to_datetime,
)
from touchpath.exceptions import ConfigError

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
NAIVE_EPOCH = dt.datetime(1970, 1, 1)
US = dt.timedelta(microseconds=1)
ZONES = ["Europe/Paris", "America/St_Johns", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]


def exact(value: dt.datetime) -> int:
    """Microseconds since the epoch of an aware datetime, by timedelta arithmetic."""
    return (dt.datetime.__sub__(value, EPOCH)) // US


@settings(max_examples=200)
@given(st.datetimes(timezones=st.timezones(), allow_imaginary=False))
def test_aware_datetimes_are_exact_to_the_microsecond(value: dt.datetime) -> None:
    """Aware datetimes anywhere in 1..9999, any zone, come out as their exact microsecond (the
    fast float path near the epoch and the exact path elsewhere agree with timedelta
    arithmetic)."""
    try:
        expected = exact(value)
    except OverflowError:
        return  # the UTC instant itself is outside datetime's range
    out, bad = parse_timestamps([value, value])
    assert bad == {}
    assert out.tolist() == [expected, expected]


@settings(max_examples=100)
@given(
    st.lists(
        st.datetimes(
            min_value=dt.datetime(1835, 1, 1),
            max_value=dt.datetime(2105, 12, 31),
            timezones=st.just(dt.UTC),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_many_datetimes_near_the_epoch(values: list[dt.datetime]) -> None:
    """A column of aware datetimes in 1835-2105 (the float fast path) is exact."""
    out, bad = parse_timestamps(values)
    assert bad == {}
    assert out.tolist() == [exact(v) for v in values]


@settings(max_examples=100)
@given(
    st.integers(min_value=-2 * 10**15, max_value=4 * 10**15),
    st.sampled_from(ZONES),
)
def test_localize_matches_replace_tzinfo(naive_us: int, zone: str) -> None:
    """Localising a wall time gives what ``datetime.replace(tzinfo=zone)`` gives (fold=0 for
    ambiguous and skipped times), also right at DST changes."""
    tz = zoneinfo.ZoneInfo(zone)
    hour = 3_600_000_000
    values = np.array([naive_us, naive_us // hour * hour, naive_us // hour * hour - 1])
    utc, bad = localize(values, tz)
    assert not bad.any()
    for v, u in zip(values.tolist(), utc.tolist(), strict=True):
        wall = (NAIVE_EPOCH + dt.timedelta(microseconds=v)).replace(tzinfo=tz)
        assert u == exact(wall)


@pytest.mark.parametrize(
    ("wall", "utc"),
    [
        ("2025-03-30T02:30:00", "2025-03-30T01:30:00+00:00"),  # skipped hour: fold=0 offset +1
        ("2025-10-26T02:30:00", "2025-10-26T00:30:00+00:00"),  # repeated hour: first (+2)
        ("2025-07-01T12:00:00", "2025-07-01T10:00:00+00:00"),
    ],
    ids=["gap", "fold", "summer"],
)
def test_localize_at_dst_changes(wall: str, utc: str) -> None:
    """Paris wall times in the spring gap and the autumn repeat resolve like the standard
    library does (offsets worked out by hand)."""
    naive = (dt.datetime.fromisoformat(wall) - NAIVE_EPOCH) // US
    out, _ = localize(np.array([naive]), zoneinfo.ZoneInfo("Europe/Paris"))
    assert out.tolist() == [exact(dt.datetime.fromisoformat(utc))]


def test_localize_flags_out_of_range() -> None:
    """Wall times outside datetime's range are flagged, not wrapped."""
    far = np.array([10**18, -(10**18)], dtype=np.int64)  # years about +-31700
    _, bad = localize(far, zoneinfo.ZoneInfo("Europe/Paris"))
    assert bad.tolist() == [True, True]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-01T00:00:00Z", 1_735_689_600_000_000),
        ("2025-01-01T01:00:00+01:00", 1_735_689_600_000_000),
        ("2025-01-01T00:00:00.000001Z", 1_735_689_600_000_001),
        (1_735_689_600, 1_735_689_600_000_000),
        (1_735_689_600_000, 1_735_689_600_000_000),
        ("1735689600", 1_735_689_600_000_000),
        (pendulum.datetime(2025, 1, 1, 1, tz="Europe/Paris"), 1_735_689_600_000_000),
        (np.int64(1_735_689_600), 1_735_689_600_000_000),
    ],
    ids=["Z", "offset", "micro", "epoch-s", "epoch-ms", "digits", "pendulum", "numpy-int"],
)
def test_timestamp_forms(value: Any, expected: int) -> None:
    """Each accepted form of 2025-01-01T00:00:00Z (1735689600 s) reads to the same instant."""
    out, bad = parse_timestamps([value, "2025-01-01T00:00:00Z"])
    assert bad == {}
    assert out.tolist() == [expected, 1_735_689_600_000_000]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("yesterday", "not an ISO-8601 timestamp"),
        ("2025-01-01T00:00:00", NAIVE_REASON),
        (dt.datetime(2025, 1, 1), NAIVE_REASON),
        (dt.date(2025, 1, 1), "a date without a time; give a datetime"),
        (None, "missing or not a timestamp"),
        ("", "empty timestamp"),
        (-5, "negative epoch timestamp"),
        (float("nan"), "not a finite epoch number"),
        (True, "missing or not a timestamp"),
        (np.datetime64("NaT"), "missing timestamp (NaT)"),
    ],
    ids=[
        "text",
        "naive-text",
        "naive-dt",
        "date",
        "none",
        "empty",
        "negative",
        "nan",
        "bool",
        "nat",
    ],
)
def test_bad_timestamps_have_reasons(value: Any, reason: str) -> None:
    """Each unreadable timestamp is reported at its position with the reason; others parse."""
    out, bad = parse_timestamps(["2025-01-01T00:00:00Z", value])
    assert bad == {1: reason}
    assert out[0] == 1_735_689_600_000_000


OUT_OF_RANGE = OUT_OF_RANGE_REASON


@pytest.mark.parametrize(
    "values",
    [
        [10**17, 1_735_689_600],  # auto: ms, 10**17 ms = 10**20 us, past int64's 9.2e18
        [10**20, 1_735_689_600],  # past int64 itself
        [1e18, 1_735_689_600.0],  # float column
        np.array([10**17, 1_735_689_600]),
        np.array([1e300, 1_735_689_600.0]),
        ["100000000000000000", "1735689600"],  # digit strings
    ],
    ids=["int-ms", "int-huge", "float", "np-int", "np-float", "digits"],
)
def test_epochs_past_int64_are_reported_not_wrapped(values: Any) -> None:
    """An epoch number whose microseconds do not fit int64 (2**63 - 1 = 9.2e18 us) is a bad
    value with a reason, never a silently wrapped int64 nor a numpy overflow warning; the
    good value next to it still parses to 1735689600 s = 2025-01-01."""
    out, bad = parse_timestamps(values)
    assert bad == {0: OUT_OF_RANGE}
    assert out[1] == 1_735_689_600_000_000


@pytest.mark.parametrize("unit", ["s", "ms"], ids=["s", "ms"])
def test_explicit_units_check_the_range_too(unit: str) -> None:
    """With an explicit unit, 10**17 s (1e23 us) and 10**17 ms (1e20 us) do not fit int64;
    9999-12-31T23:59:59 (253402300799 s, in that unit) is accepted."""
    limit = 253_402_300_799 * (1 if unit == "s" else 1000)
    out, bad = parse_timestamps(np.array([10**17, limit]), unit=unit)
    assert bad == {0: OUT_OF_RANGE}
    assert out[1] == 253_402_300_799_000_000


def test_numpy_datetimes_are_naive() -> None:
    """numpy datetime64 values need a time zone; with one they are wall times there, and
    sub-microsecond values are refused."""
    arr = np.array(["2025-01-01T00:00:00", "2025-01-01T00:00:00.000000001"], dtype="M8[ns]")
    out, bad = parse_timestamps(arr)
    assert bad == {0: NAIVE_REASON, 1: "sub-microsecond precision (touchpath stores microseconds)"}
    out, bad = parse_timestamps(arr[:1], timezone=zoneinfo.ZoneInfo("Asia/Kolkata"))
    assert (out.tolist(), bad) == ([1_735_689_600_000_000 - 19_800_000_000], {})


def test_epoch_units_and_precision() -> None:
    """Numeric columns in each unit; nanoseconds must be whole microseconds."""
    assert parse_timestamps(np.array([5]), unit="s")[0].tolist() == [5_000_000]
    assert parse_timestamps(np.array([5.5]), unit="ms")[0].tolist() == [5_500]
    out, bad = parse_timestamps(np.array([1_000, 1_001]), unit="ns")
    assert out.tolist()[0] == 1
    assert bad == {1: "sub-microsecond precision (touchpath stores microseconds)"}
    _, bad = parse_timestamps([0.0000001], unit="s")
    assert bad == {0: "sub-microsecond precision (touchpath stores microseconds)"}


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("7 days", 7 * 86400),
        ("7d", 7 * 86400),
        ("24 hours", 86400),
        ("90 min", 5400),
        ("1 day 12 hours", 129600),
        ("1 day, 12 hours and 30 minutes", 131400),
        ("P7D", 7 * 86400),
        ("PT24H", 86400),
        ("1.5h", 5400),
        ("2 weeks", 14 * 86400),
        ("500 ms", 0.5),
    ],
    ids=[
        "days",
        "d",
        "hours",
        "min",
        "sum",
        "words",
        "iso-days",
        "iso-hours",
        "decimal",
        "weeks",
        "ms",
    ],
)
def test_durations(text: str, seconds: float) -> None:
    """Duration text in words, abbreviations, sums and ISO-8601 gives the hand-computed
    microseconds; so do timedeltas and plain seconds."""
    assert parse_duration(text) == round(seconds * 1_000_000)
    assert parse_duration(dt.timedelta(seconds=seconds)) == round(seconds * 1_000_000)
    assert parse_duration(seconds) == round(seconds * 1_000_000)


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("-3 days", "positive duration"),
        (0, "positive duration"),
        ("P1M", "years or months"),
        ("seven days", "not a duration"),
        ("7 fortnights", "unknown unit"),
        (True, "must be a duration"),
        (float("inf"), "finite"),
        ([7], "must be a duration"),
    ],
    ids=["negative", "zero", "months", "words", "unit", "bool", "inf", "list"],
)
def test_bad_durations(value: Any, match: str) -> None:
    """Bad durations raise a ConfigError naming the parameter."""
    with pytest.raises(ConfigError, match=match) as info:
        parse_duration(value, name="lookback")
    assert "'lookback'" in str(info.value)


@pytest.mark.parametrize(
    "value",
    ["99999999999 days", 10**30, dt.timedelta(days=999_999_999)],
    ids=["text", "seconds", "timedelta"],
)
def test_durations_longer_than_the_calendar_are_refused(value: Any) -> None:
    """A duration longer than 0001..9999 (about 3.2e17 us; 99,999,999,999 days is 8.6e21 us,
    past int64's 9.2e18) raises ConfigError instead of giving a number that overflows
    int64 arithmetic later."""
    with pytest.raises(ConfigError, match="too long") as info:
        parse_duration(value, name="window")
    assert "'window'" in str(info.value)


def test_the_longest_duration_is_accepted() -> None:
    """9,000 years (365 * 9000 days = 2.8382e17 us) is still a duration."""
    assert parse_duration("3285000 days") == 3_285_000 * 86_400 * 1_000_000


def test_zero_duration_when_allowed() -> None:
    """allow_zero accepts 0."""
    assert parse_duration("0 days", allow_zero=True) == 0


def test_formatting_and_zones() -> None:
    """Durations format in words; to_datetime is UTC; unknown zones are ConfigErrors."""
    assert format_duration(0.5 * 1_000_000) == "0.5 seconds"
    assert format_duration(2 * 86400 * 1_000_000) == "2 days"
    assert to_datetime(1_000_000).isoformat() == "1970-01-01T00:00:01+00:00"
    assert resolve_timezone(None) is None
    assert resolve_timezone(dt.UTC) is dt.UTC
    with pytest.raises(ConfigError, match="unknown time zone"):
        resolve_timezone("Nowhere/Special")

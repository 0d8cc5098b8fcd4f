"""Time at the edges: parsing timestamps and durations into int64 UTC microseconds.

Internally every timestamp is an ``int64`` count of microseconds since
1970-01-01T00:00:00Z and every duration an ``int64`` count of microseconds.
pendulum parses durations and time zones and formats them for people.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeAlias

import numpy as np
import numpy.typing as npt
import pendulum

from .exceptions import ConfigError

__all__ = [
    "US_PER_SECOND",
    "DurationLike",
    "format_duration",
    "localize",
    "localize_checked",
    "out_of_range",
    "parse_duration",
    "parse_instant",
    "parse_timestamps",
    "resolve_timezone",
    "to_datetime",
]

US_PER_SECOND: Final = 1_000_000
NAIVE_REASON: Final = (
    "naive timestamp (no UTC offset): name the zone of these wall times, e.g. "
    'timezone="Europe/Paris" (--timezone Europe/Paris on the command line), or write an '
    "offset such as 2025-03-15T10:00:00+01:00"
)
MISSING_REASON: Final = "missing or not a timestamp"
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MS_THRESHOLD: Final = 1e11  # epoch numbers at or above this are milliseconds in "auto" mode
_UNIT_US: Final = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": None}
_I64_MAX: Final = 2**63 - 1
OUT_OF_RANGE_REASON: Final = (
    "timestamp out of range (touchpath reads 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z)"
)
SUB_US_REASON: Final = "sub-microsecond precision (touchpath stores microseconds)"
SUB_US_TEXT: Final = r":\d\d[.,]\d{6}\d*[1-9]"
"""A regex that finds text whose seconds have non-zero digits past the microsecond."""
_SUB_US_RE: Final = re.compile(SUB_US_TEXT)

DurationLike: TypeAlias = "str | dt.timedelta | pendulum.Duration | float | int"
"""A duration: ``"7 days"``, ``"24h"``, ``"PT24H"``, a timedelta, or seconds as a number."""

_DURATION_RE: Final = re.compile(
    r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>"
    r"w|wk|wks|week|weeks|d|day|days|h|hr|hrs|hour|hours|m|min|mins|minute|minutes|"
    r"s|sec|secs|second|seconds|ms|millisecond|milliseconds)\s*$",
    re.IGNORECASE,
)
_UNIT_SECONDS: Final = {
    "w": 604800.0,
    "d": 86400.0,
    "h": 3600.0,
    "m": 60.0,
    "s": 1.0,
    "ms": 0.001,
}


def _unit_key(unit: str) -> str:
    u = unit.lower()
    if u in ("ms", "millisecond", "milliseconds"):
        return "ms"
    if u.startswith("min") or u == "m":
        return "m"
    return u[0]


def parse_duration(value: Any, *, name: str = "duration", allow_zero: bool = False) -> int:
    """A duration in microseconds from text, a timedelta or seconds.

    Text may be ``"7 days"``, ``"7d"``, ``"24 hours"``, ``"90 min"``, a sum such
    as ``"1 day 12 hours"``, or ISO-8601 (``"P7D"``, ``"PT24H"``, via pendulum).
    Zero is refused unless ``allow_zero``; negative durations always are.

    >>> parse_duration("7 days") == 7 * 86400 * 1_000_000
    True
    >>> parse_duration("PT24H") == parse_duration("24h") == parse_duration(86400)
    True
    >>> parse_duration("-3 days", name="half_life")
    Traceback (most recent call last):
    ...
    touchpath.exceptions.ConfigError: 'half_life' must be a positive duration; got '-3 days'
    """
    us: float
    if isinstance(value, bool):
        raise ConfigError(f"{name!r} must be a duration; got {value!r}")
    if isinstance(value, dt.timedelta):  # pendulum.Duration is a timedelta
        us = (value.days * 86400 + value.seconds) * US_PER_SECOND + value.microseconds
    elif isinstance(value, int | float):
        if not math.isfinite(value):
            raise ConfigError(f"{name!r} must be a finite duration; got {value!r}")
        us = value * US_PER_SECOND
    elif isinstance(value, str):
        us = _parse_duration_text(value, name)
    else:
        raise ConfigError(
            f"{name!r} must be a duration (text such as '7 days', a timedelta or seconds); "
            f"got {value!r}"
        )
    if us < 0 or (us == 0 and not allow_zero):
        kind = "non-negative" if allow_zero else "positive"
        raise ConfigError(f"{name!r} must be a {kind} duration; got {value!r}")
    if us > _MAX_US - _MIN_US:  # longer than all datetimes: timestamp + it could wrap int64
        raise ConfigError(f"{name!r} is too long a duration (at most 9,999 years); got {value!r}")
    if us > 0 and round(us) == 0 and not allow_zero:
        raise ConfigError(
            f"{name!r} must be at least 1 microsecond (touchpath counts time in microseconds); "
            f"got {value!r}"
        )
    return round(us)


def _parse_duration_text(text: str, name: str) -> float:
    stripped = text.strip()
    if stripped.startswith("-"):
        return -1.0
    if stripped.upper().startswith("P"):
        try:
            parsed = pendulum.parse(stripped)
        except (ValueError, TypeError, pendulum.parsing.exceptions.ParserError):
            raise ConfigError(f"{name!r} is not an ISO-8601 duration; got {text!r}") from None
        if isinstance(parsed, pendulum.Duration):
            if parsed.years or parsed.months:
                raise ConfigError(
                    f"{name!r} must not use years or months (their length varies); got {text!r}"
                )
            return (parsed.days * 86400 + parsed.seconds) * US_PER_SECOND + parsed.microseconds
        raise ConfigError(f"{name!r} is not a duration; got {text!r}")
    parts = re.findall(r"\d+(?:\.\d+)?\s*[a-zA-Z]+", stripped)
    if not parts or re.sub(r"\d+(?:\.\d+)?\s*[a-zA-Z]+|[\s,]|and", "", stripped):
        raise ConfigError(
            f"{name!r} is not a duration such as '7 days', '24h' or 'P7D'; got {text!r}"
        )
    total = 0.0
    for part in parts:
        m = _DURATION_RE.match(part)
        if m is None:
            raise ConfigError(f"{name!r} has an unknown unit in {part!r}; got {text!r}")
        total += float(m["n"]) * _UNIT_SECONDS[_unit_key(m["unit"])]
    return total * US_PER_SECOND


def format_duration(us: float) -> str:
    """A short human-readable duration from microseconds.

    >>> format_duration(36 * 3600 * 1_000_000)
    '1 day 12 hours'
    >>> format_duration(90 * 1_000_000)
    '1 minute 30 seconds'
    >>> format_duration(float("nan"))
    'n/a'
    """
    if not math.isfinite(us):
        return "n/a"
    seconds = us / US_PER_SECOND
    if abs(seconds) < 1:
        return f"{seconds:.3g} seconds"
    d = pendulum.duration(seconds=round(seconds))
    return str(d.in_words(locale="en"))


def resolve_timezone(name: str | dt.tzinfo | None) -> dt.tzinfo | None:
    """A tzinfo from an IANA name (via pendulum), a tzinfo, or None.

    >>> resolve_timezone("Europe/Paris").key
    'Europe/Paris'
    """
    if name is None or isinstance(name, dt.tzinfo):
        return name
    try:
        return pendulum.timezone(name)
    except Exception:  # pendulum raises its own InvalidTimezone
        raise ConfigError(
            f"unknown time zone {name!r}; use an IANA name such as 'Europe/Paris'"
        ) from None


def to_datetime(us: int) -> dt.datetime:
    """The aware UTC :class:`datetime.datetime` for a microsecond timestamp.

    >>> to_datetime(0)
    datetime.datetime(1970, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    return _EPOCH + dt.timedelta(microseconds=int(us))


class TimestampError(ValueError):
    """Internal: one value could not be read as a timestamp."""


def zone_name(tz: dt.tzinfo) -> str:
    """The IANA name of a zone when it has one (for messages)."""
    return str(getattr(tz, "key", None) or tz)


def nonexistent_reason(tz: dt.tzinfo) -> str:
    """Why a wall time in a DST gap is refused."""
    return (
        f"nonexistent local time in {zone_name(tz)} (the clocks skip it when daylight saving "
        "time starts); give the offset the time was meant to have"
    )


def _from_datetime(value: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        if tz is None:
            raise TimestampError(NAIVE_REASON)
        wall = value.replace(tzinfo=None)
        value = wall.replace(tzinfo=tz)  # fold=0: an ambiguous time is its first occurrence
        utc = value.astimezone(dt.UTC)
        if utc.astimezone(tz).replace(tzinfo=None) != wall:
            raise TimestampError(nonexistent_reason(tz))
        return utc.replace(tzinfo=None)
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _one(value: Any, tz: dt.tzinfo | None, unit: str, fmt: str | None = None) -> dt.datetime | int:
    """Parse one timestamp: a naive-UTC datetime, or an int of microseconds."""
    if isinstance(value, dt.datetime):
        return _from_datetime(value, tz)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise TimestampError("empty timestamp")
        if fmt is not None:
            try:
                parsed = dt.datetime.strptime(text, fmt)
            except ValueError:
                raise TimestampError(f"does not match timestamp_format {fmt!r}") from None
            return _from_datetime(parsed, tz)
        if text[0].isdigit() and text.replace(".", "", 1).isdigit():
            return _epoch(float(text) if "." in text else int(text), unit)
        if _SUB_US_RE.search(text):
            raise TimestampError(SUB_US_REASON)
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            if text.startswith("0000-"):  # well formed, but before year 1 (as Arrow sees it)
                raise TimestampError(OUT_OF_RANGE_REASON) from None
            raise TimestampError("not an ISO-8601 timestamp") from None
        return _from_datetime(parsed, tz)
    if isinstance(value, dt.date):
        raise TimestampError("a date without a time; give a datetime")
    if isinstance(value, bool) or value is None:
        raise TimestampError(MISSING_REASON)
    if isinstance(value, int | float | np.integer | np.floating):
        return _epoch(value, unit)
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise TimestampError("missing timestamp (NaT)")
        if tz is None:
            raise TimestampError(
                "numpy datetime64 has no UTC offset; name a timezone (or 'UTC') for it"
            )
        return _from_datetime(value.astype("datetime64[us]").item(), tz)
    raise TimestampError(f"not a timestamp (type {type(value).__name__})")


def _epoch(value: Any, unit: str) -> int:
    if isinstance(value, float | np.floating) and not math.isfinite(value):
        raise TimestampError("not a finite epoch number")
    if value < 0:
        raise TimestampError("negative epoch timestamp")
    if unit == "auto":
        unit = "s" if value < _MS_THRESHOLD else "ms"
    if unit == "ns":
        if int(value) % 1000:
            raise TimestampError(SUB_US_REASON)
        return int(value) // 1000
    factor = _UNIT_US[unit]
    assert factor is not None
    us = value * factor
    if us > _I64_MAX:
        raise TimestampError(OUT_OF_RANGE_REASON)
    if isinstance(us, float | np.floating):
        rounded = round(float(us))
        if abs(float(us) - rounded) > 1e-3:
            raise TimestampError(SUB_US_REASON)
        return int(rounded)
    return int(us)


def parse_timestamps(
    values: Sequence[Any] | npt.NDArray[Any],
    *,
    timezone: dt.tzinfo | None = None,
    unit: str = "auto",
    fmt: str | None = None,
) -> tuple[npt.NDArray[np.int64], dict[int, str]]:
    """Parse a column of timestamps into int64 UTC microseconds.

    Accepts aware ``datetime``/pendulum objects, ISO-8601 text with an offset
    (or ``Z``), epoch seconds or milliseconds (numbers or digit strings;
    ``unit="auto"`` takes values below 1e11 as seconds), and naive values
    when ``timezone`` is given. Returns the array (0 at bad positions) and a
    map of bad position -> reason. With ``fmt`` (a :meth:`datetime.datetime.strptime`
    format such as ``"%m/%d/%Y %H:%M"``) text must match it; naive results then need
    ``timezone`` as above. Wall times in a daylight-saving gap are refused; ambiguous ones
    (the repeated hour in autumn) are their first occurrence. The result lies within years
    1 to 9999 UTC (see :func:`out_of_range`).

    >>> arr, bad = parse_timestamps(["2025-01-01T00:00:00Z", 1735689600, "nope",
    ...                               "2025-01-01T01:00:00+01:00", "2025-01-01 00:00"])
    >>> arr[:2].tolist(), bool(arr[3] == arr[0])
    ([1735689600000000, 1735689600000000], True)
    >>> bad[2]
    'not an ISO-8601 timestamp'
    >>> print(bad[4])  # doctest: +NORMALIZE_WHITESPACE
    naive timestamp (no UTC offset): name the zone of these wall times, e.g.
    timezone="Europe/Paris" (--timezone Europe/Paris on the command line), or write an offset
    such as 2025-03-15T10:00:00+01:00
    >>> parse_timestamps(["03/15/2025 10:00"], fmt="%m/%d/%Y %H:%M",
    ...                  timezone=resolve_timezone("Europe/Paris"))[0].tolist()
    [1742029200000000]
    """
    if isinstance(values, np.ndarray):
        arr = values
        if arr.dtype.kind == "M":
            return _from_datetime64(arr, timezone)
        if arr.dtype.kind in "iu" and arr.ndim == 1:
            return _from_int_epochs(arr.astype(np.int64, copy=False), unit)
        if arr.dtype.kind == "f" and arr.ndim == 1 and np.isfinite(arr).all():
            return _from_float_epochs(arr.astype(np.float64, copy=False), unit)
    else:
        types = set(map(type, values))
        if types == {int} and all(-_I64_MAX <= v <= _I64_MAX for v in values):
            return _from_int_epochs(np.array(values, dtype=np.int64), unit)
        if types <= {int, float}:
            farr = np.array(values, dtype=np.float64)
            if np.isfinite(farr).all():
                return _from_float_epochs(farr, unit)
        fast = None
        if types == {str} and fmt is None:
            fast = _fast_iso(values)
        elif types <= {dt.datetime, pendulum.DateTime}:
            fast = _fast_aware(values)
        if fast is not None:
            return fast, {}
    n = len(values)
    out = np.zeros(n, dtype=np.int64)
    bad: dict[int, str] = {}
    naive: list[dt.datetime] = []
    naive_pos: list[int] = []
    for i, value in enumerate(values):
        try:
            parsed = _one(value, timezone, unit, fmt)
        except TimestampError as exc:
            bad[i] = str(exc)
            continue
        except (OverflowError, ValueError):
            bad[i] = OUT_OF_RANGE_REASON
            continue
        if isinstance(parsed, int):
            out[i] = parsed
        else:
            naive.append(parsed)
            naive_pos.append(i)
    if naive:
        out[np.asarray(naive_pos, dtype=np.int64)] = np.array(naive, dtype="datetime64[us]").astype(
            np.int64
        )
    return out, bad


_OFFSET_RE: Final = re.compile(r"[+-](\d\d):(\d\d)")
_E_US: Final = dt.timedelta(microseconds=1)


def parse_instant(value: Any, name: str) -> int:
    """One aware timestamp (datetime, ISO text or epoch number) as int64 microseconds.

    Anything else is a :class:`ConfigError` naming the parameter ``name``.

    >>> parse_instant("1970-01-01T00:00:01Z", "start")
    1000000
    >>> parse_instant("2025-01-01T10:00", "start")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    touchpath.exceptions.ConfigError: 'start' must be an aware timestamp; got ... (naive ...)
    """
    arr, bad = parse_timestamps([value])
    if bad:
        raise ConfigError(f"{name!r} must be an aware timestamp; got {value!r} ({bad[0]})")
    return int(arr[0])


def _fast_iso(values: Sequence[str]) -> npt.NDArray[np.int64] | None:
    """Vectorised parse of ISO-8601 text that all ends in ``Z`` or a ``+HH:MM`` offset.

    Returns None (use the careful path) for anything else: no offset, mixed
    shapes, a date without a time.
    """
    try:
        ends = set(map(operator.itemgetter(-1), values))
    except IndexError:
        return None
    if ends == {"Z"}:
        base = list(map(operator.itemgetter(slice(None, -1)), values))
        offset_us: npt.NDArray[np.int64] | int = 0
    else:
        tails = dict.fromkeys(map(operator.itemgetter(slice(-6, None)), values))
        if len(tails) > 256:
            return None
        table: dict[str, int] = {}
        for tail in tails:
            m = _OFFSET_RE.fullmatch(tail)
            if m is None or int(m[2]) >= 60:
                return None
            sign = -1 if tail[0] == "-" else 1
            table[tail] = sign * (int(m[1]) * 3600 + int(m[2]) * 60) * US_PER_SECOND
        base = list(map(operator.itemgetter(slice(None, -6)), values))
        if len(table) == 1:
            offset_us = next(iter(table.values()))
        else:
            offset_us = np.fromiter(
                (table[v[-6:]] for v in values), dtype=np.int64, count=len(values)
            )
    if min(map(len, base), default=19) < 19 or not {b[10] for b in base} <= {"T", " "}:
        return None
    if max(map(len, base), default=26) > 26:  # digits past the microsecond: checked one by one
        return None
    if any(b[-1] == " " for b in base[:1]):
        return None
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            parsed = np.array(base, dtype="datetime64[us]")
    except (ValueError, TypeError, Warning):
        return None
    if np.isnat(parsed).any():
        return None
    return parsed.astype(np.int64) - offset_us


_TZINFO: Final = operator.attrgetter("tzinfo")
_FLOAT_SAFE_SECONDS: Final = 2.0**32
"""Below this many seconds from the epoch (years 1834-2106), float seconds from
``datetime.timestamp()`` round back to the exact microsecond: the two roundings
(to a float, then times 1e6) stay under half a microsecond together."""


def _fixed_zone_types() -> tuple[type[dt.tzinfo], ...]:
    import zoneinfo

    known: list[type[dt.tzinfo]] = [dt.timezone, zoneinfo.ZoneInfo]
    fixed = getattr(pendulum, "FixedTimezone", None)
    if isinstance(fixed, type) and issubclass(fixed, dt.tzinfo):
        known.append(fixed)
    return tuple(known)


_KNOWN_ZONES: Final = _fixed_zone_types()


def _fast_aware(values: Sequence[dt.datetime]) -> npt.NDArray[np.int64] | None:
    """Exact microseconds of aware datetimes; None if any is naive."""
    zones = set(map(type, map(_TZINFO, values)))
    if zones and all(issubclass(z, _KNOWN_ZONES) for z in zones):
        # zones that always give an offset: float seconds are exact near the epoch
        seconds = np.fromiter(map(dt.datetime.timestamp, values), np.float64, len(values))
        if float(np.abs(seconds).max()) < _FLOAT_SAFE_SECONDS:
            exact: npt.NDArray[np.int64] = np.rint(seconds * 1e6).astype(np.int64)
            return exact
    try:
        # the base class method: pendulum's own __sub__ returns an Interval that cannot // 1 us
        deltas = map(dt.datetime.__sub__, values, itertools.repeat(_EPOCH))
        return np.fromiter(
            map(operator.floordiv, deltas, itertools.repeat(_E_US)),
            dtype=np.int64,
            count=len(values),
        )
    except TypeError:  # a naive datetime cannot be subtracted from an aware one
        return None


def _from_float_epochs(
    arr: npt.NDArray[np.float64], unit: str
) -> tuple[npt.NDArray[np.int64], dict[int, str]]:
    bad: dict[int, str] = {}
    for i in np.flatnonzero(arr < 0).tolist():
        bad[i] = "negative epoch timestamp"
    if unit == "auto":
        factor = np.where(arr < _MS_THRESHOLD, 1e6, 1e3)
    elif unit == "ns":
        factor = np.full(len(arr), 1e-3)
    else:
        f = _UNIT_US[unit]
        assert f is not None
        factor = np.full(len(arr), float(f))
    with np.errstate(over="ignore"):
        scaled = arr * factor
    too_late = scaled >= 2.0**63  # would not fit int64 microseconds
    for i in np.flatnonzero(too_late).tolist():
        bad.setdefault(i, OUT_OF_RANGE_REASON)
    scaled[too_late | (arr < 0)] = 0.0  # bad values must not reach the int64 cast
    out = np.rint(scaled)
    for i in np.flatnonzero(np.abs(scaled - out) > 1e-3).tolist():
        bad.setdefault(i, SUB_US_REASON)
    result = out.astype(np.int64)
    if bad:
        result[np.fromiter(bad, dtype=np.int64)] = 0
    return result, bad


def _from_int_epochs(
    arr: npt.NDArray[np.int64], unit: str
) -> tuple[npt.NDArray[np.int64], dict[int, str]]:
    bad: dict[int, str] = {}
    neg = np.flatnonzero(arr < 0)
    for i in neg.tolist():
        bad[i] = "negative epoch timestamp"
    if unit == "ns":
        frac = np.flatnonzero(arr % 1000 != 0)
        for i in frac.tolist():
            bad.setdefault(i, SUB_US_REASON)
        out = arr // 1000
    else:
        if unit == "auto":
            factor = np.where(arr < _MS_THRESHOLD, 1_000_000, 1_000)
        else:
            unit_us = _UNIT_US[unit]
            assert unit_us is not None
            factor = np.full(len(arr), unit_us, dtype=np.int64)
        too_late = arr > _I64_MAX // factor  # checked before multiplying: int64 would wrap
        for i in np.flatnonzero(too_late).tolist():
            bad.setdefault(i, OUT_OF_RANGE_REASON)
        out = np.where(too_late, 0, arr) * factor
    out = out.astype(np.int64, copy=False)
    if bad:
        out[np.fromiter(bad, dtype=np.int64)] = 0
    return out, bad


def _from_datetime64(
    arr: npt.NDArray[Any], timezone: dt.tzinfo | None
) -> tuple[npt.NDArray[np.int64], dict[int, str]]:
    """numpy datetime64 values are naive: they are read as UTC only if timezone says so."""
    bad: dict[int, str] = {}
    nat = np.isnat(arr)
    for i in np.flatnonzero(nat).tolist():
        bad[i] = "missing timestamp (NaT)"
    as_ns = arr.astype("datetime64[ns]").astype(np.int64) if arr.dtype != "M8[us]" else None
    if as_ns is not None and np.datetime_data(arr.dtype)[0] in ("ns", "ps", "fs", "as"):
        frac = np.flatnonzero((as_ns % 1000 != 0) & ~nat)
        for i in frac.tolist():
            bad.setdefault(i, SUB_US_REASON)
    us = arr.astype("datetime64[us]").astype(np.int64)
    if timezone is None:
        for i in np.flatnonzero(~nat).tolist():
            bad.setdefault(i, NAIVE_REASON)
    else:
        us, refused = localize_checked(us, timezone)
        for i, why in refused.items():
            if not nat[i]:
                bad.setdefault(i, why)
    if bad:
        us[np.fromiter(bad, dtype=np.int64)] = 0
    return us, bad


_HOUR_US: Final = 3600 * US_PER_SECOND
_NAIVE_EPOCH: Final = dt.datetime(1970, 1, 1)
_MIN_US: Final = -62135596800 * US_PER_SECOND  # 0001-01-01T00:00:00
_MAX_US: Final = 253402300799 * US_PER_SECOND + 999_999  # 9999-12-31T23:59:59.999999


def _offset_us(naive: dt.datetime, tz: dt.tzinfo) -> int:
    """The UTC offset of a wall time in a zone, as the core's ``replace(tzinfo=tz)`` sees it."""
    offset = naive.replace(tzinfo=tz).utcoffset()
    if offset is None:
        raise ValueError("time zone gives no UTC offset")
    return (offset.days * 86400 + offset.seconds) * US_PER_SECOND + offset.microseconds


def localize(
    naive_us: npt.NDArray[np.int64], tz: dt.tzinfo
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """UTC microseconds of naive wall-clock microseconds in a time zone, vectorised.

    The zone is asked once per distinct hour (at its first and last
    microsecond); only rows in an hour whose offset changes inside it are
    looked up one by one. Ambiguous and skipped wall times resolve like
    ``datetime.replace(tzinfo=tz)`` (``fold=0``). Returns the UTC values and a
    mask of values outside the range of ``datetime``.

    >>> import zoneinfo
    >>> wall = np.array([0, 6 * 30 * 86400 * 1_000_000], dtype=np.int64)  # Jan 1, Jun 30 1970
    >>> utc, bad = localize(wall, zoneinfo.ZoneInfo("Europe/Paris"))
    >>> ((wall - utc) // 3_600_000_000).tolist(), bad.tolist()
    ([1, 1], [False, False])
    """
    out = naive_us.astype(np.int64, copy=True)
    bad = (naive_us < _MIN_US) | (naive_us > _MAX_US)
    if len(out) == 0 or _is_utc(tz):
        return out, bad
    first, last, hour_ok, inverse = _offsets_by_hour(naive_us, _NAIVE_EPOCH, _offset_us, tz)
    out -= first[inverse]
    bad |= ~hour_ok[inverse]
    for i in np.flatnonzero(((first != last) & hour_ok)[inverse]).tolist():
        wall = _NAIVE_EPOCH + dt.timedelta(microseconds=int(naive_us[i]))
        out[i] = int(naive_us[i]) - _offset_us(wall, tz)
    bad |= (out < _MIN_US) | (out > _MAX_US)
    return out, bad


def out_of_range(us: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Which microsecond timestamps fall outside years 1 to 9999 UTC (what ``datetime`` holds).

    >>> out_of_range(np.array([0, _MAX_US + 1])).tolist()
    [False, True]
    """
    result: npt.NDArray[np.bool_] = (us < _MIN_US) | (us > _MAX_US)
    return result


def localize_checked(
    naive_us: npt.NDArray[np.int64], tz: dt.tzinfo
) -> tuple[npt.NDArray[np.int64], dict[int, str]]:
    """:func:`localize`, plus the reason for each refused row: out of range, or a wall time
    that does not exist in the zone (a daylight-saving gap). Vectorised like ``localize``:
    only rows near a change of offset are looked at one by one.

    >>> import zoneinfo
    >>> paris = zoneinfo.ZoneInfo("Europe/Paris")
    >>> gap = (dt.datetime(2025, 3, 30, 2, 30) - _NAIVE_EPOCH) // _E_US
    >>> utc, bad = localize_checked(np.array([0, gap], dtype=np.int64), paris)
    >>> list(bad)
    [1]
    """
    utc, outside = localize(naive_us, tz)
    bad = dict.fromkeys(np.flatnonzero(outside).tolist(), OUT_OF_RANGE_REASON)
    if len(utc) == 0 or _is_utc(tz):
        return utc, bad
    # a wall time exists iff UTC -> wall gives it back; offsets by distinct UTC hour
    safe = np.where(outside, 0, utc)
    first, last, _, inverse = _offsets_by_hour(safe, _EPOCH, _utc_offset_us, tz)
    back = safe + first[inverse]
    for i in np.flatnonzero((first != last)[inverse]).tolist():
        try:
            back[i] = int(safe[i]) + _utc_offset_us(
                _EPOCH + dt.timedelta(microseconds=int(safe[i])), tz
            )
        except (OverflowError, ValueError):
            back[i] = naive_us[i]
    reason = nonexistent_reason(tz)
    for i in np.flatnonzero((back != naive_us) & ~outside).tolist():
        bad[i] = reason
    return utc, bad


def _offsets_by_hour(
    us: npt.NDArray[np.int64],
    base: dt.datetime,
    offset: Callable[[dt.datetime, dt.tzinfo], int],
    tz: dt.tzinfo,
) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.intp]
]:
    """The zone's offset at the first and last microsecond of each distinct hour of ``us``
    (microseconds after ``base``), whether the zone could say, and each row's hour index."""
    hours, inverse = np.unique(us // _HOUR_US, return_inverse=True)
    first = np.zeros(len(hours), dtype=np.int64)
    last = np.zeros(len(hours), dtype=np.int64)
    ok = np.ones(len(hours), dtype=np.bool_)
    for k, h in enumerate(hours.tolist()):
        try:
            start = base + dt.timedelta(microseconds=h * _HOUR_US)
            first[k] = offset(start, tz)
            last[k] = offset(start + dt.timedelta(microseconds=_HOUR_US - 1), tz)
        except (OverflowError, ValueError):
            ok[k] = False
            first[k] = last[k] = 0
    return first, last, ok, inverse.reshape(-1)


def _utc_offset_us(instant: dt.datetime, tz: dt.tzinfo) -> int:
    offset = instant.astimezone(tz).utcoffset()
    if offset is None:
        raise ValueError("time zone gives no UTC offset")
    return (offset.days * 86400 + offset.seconds) * US_PER_SECOND + offset.microseconds


def _is_utc(tz: dt.tzinfo) -> bool:
    probe = dt.datetime(2000, 1, 1)
    return tz.utcoffset(probe) == dt.timedelta(0) and tz.utcoffset(
        dt.datetime(2000, 7, 1)
    ) == dt.timedelta(0)

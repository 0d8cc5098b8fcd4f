"""Turn raw columns (lists or arrays of Python values) into a validated, sorted EventLog.

Every reader (records, CSV, JSON Lines, pandas, polars, Arrow) gathers its
input into one column per field and calls :func:`build_log`. Each column is
checked in one pass over its *distinct* values where it can be (ids,
categories, flags) and vectorised otherwise; every bad row is either raised
(``on_error="raise"``: the first bad row in input order) or returned as a
:class:`~touchpath._schema.Rejection` (``"collect"``), so rows used plus rows
rejected always equals rows read.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import numpy as np
import numpy.typing as npt

from ._codes import MISSING
from ._codes import compact as _compact
from ._schema import CATEGORICAL, Field, OnError, Rejection, Schema
from ._time import OUT_OF_RANGE_REASON, out_of_range, parse_timestamps, resolve_timezone
from .exceptions import ConfigError, SchemaError

if TYPE_CHECKING:
    from ._log import EventLog
    from ._map import JourneyMap

__all__ = [
    "Coded",
    "ParsedTimestamps",
    "build_log",
    "check_on_error",
    "factorize",
    "normalize_id",
]

_TRUE: Final = frozenset({"true", "t", "yes", "y", "1"})
_FALSE: Final = frozenset({"false", "f", "no", "n", "0", ""})


def check_on_error(on_error: object) -> OnError:
    """Validate the ``on_error`` argument."""
    if on_error not in ("raise", "collect"):
        raise ConfigError(f"'on_error' must be 'raise' or 'collect'; got {on_error!r}")
    return on_error


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value == ""
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return False


class Coded:
    """A column given as integer codes into its distinct raw values (``-1``: missing).

    Readers of columnar data (Arrow, polars, pandas) hand the core their own
    factorisation, so that validation runs once per distinct value and no
    Python code runs per row. ``values`` may hold anything a plain column
    may (text, numbers, ...); duplicates among them are allowed. ``ordered=True``
    says the reader vouches that ``values`` are distinct ``str`` sorted by code
    point (an Arrow dictionary sorted in C): the core then checks them without
    sorting or hashing them again. Entries no row uses are allowed either way.

    >>> col = Coded(np.array([1, 0, -1, 1]), ["a", "b"])
    >>> (len(col), col[0], col[2])
    (4, 'b', None)
    """

    __slots__ = ("codes", "ordered", "values")

    def __init__(
        self,
        codes: npt.NDArray[np.integer[Any]],
        values: Sequence[Any],
        *,
        ordered: bool = False,
    ) -> None:
        self.codes = np.asarray(codes)
        self.values = values
        self.ordered = ordered

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, row: int) -> Any:
        code = int(self.codes[row])
        return None if code < 0 else self.values[code]

    def factorized(self) -> tuple[npt.NDArray[np.integer[Any]], list[Any]]:
        """The codes as they are, and the values plus a trailing ``None`` when some are
        missing: code ``-1`` then indexes that ``None`` (numpy's negative indexing)."""
        values = list(self.values)
        if len(self.codes) and int(self.codes.min()) < 0:
            values.append(None)
        return self.codes, values


class ParsedTimestamps:
    """A timestamp column a reader has already parsed to int64 UTC microseconds.

    ``bad`` maps the position of each unreadable row to its raw value and the
    reason (the values at those positions of ``us`` are ignored); ``raw(i)``, when
    given, is the original value of row ``i`` (for messages about other rows).

    >>> col = ParsedTimestamps(np.array([0, 0]), {1: ("x", "not an ISO-8601 timestamp")})
    >>> (len(col), col[1])
    (2, 'x')
    """

    __slots__ = ("bad", "raw", "us")

    def __init__(
        self,
        us: npt.NDArray[np.int64],
        bad: Mapping[int, tuple[Any, str]] | None = None,
        raw: Callable[[int], Any] | None = None,
    ) -> None:
        self.us = np.asarray(us, dtype=np.int64)
        self.bad = dict(bad or {})
        self.raw = raw

    def __len__(self) -> int:
        return len(self.us)

    def __getitem__(self, row: int) -> Any:
        if row in self.bad:
            return self.bad[row][0]
        if self.raw is not None:
            try:
                return self.raw(row)
            except (OverflowError, ValueError):  # e.g. a date the frame library cannot show
                pass
        return int(self.us[row])


_Column: TypeAlias = "Sequence[Any] | npt.NDArray[Any] | Coded | ParsedTimestamps"


class _Problems:
    """Collects (row, field, value, reason); keeps the first problem of each row."""

    def __init__(self) -> None:
        self.by_row: dict[int, tuple[str | None, Any, str]] = {}

    def add(self, row: int, field: str | None, value: Any, reason: str) -> None:
        if row not in self.by_row:
            self.by_row[row] = (field, value, reason)

    def add_many(self, rows: npt.NDArray[np.int64], field: str, values: Any, reason: str) -> None:
        for r in rows.tolist():
            self.add(r, field, values[r], reason)


def _rows_with(
    codes: npt.NDArray[np.integer[Any]], keys: Iterable[int], n_values: int
) -> tuple[npt.NDArray[np.intp], list[int]]:
    """Rows whose code is one of ``keys``, and their codes (``-1`` read as ``n_values - 1``)."""
    if len(codes) and int(codes.min()) < 0:
        codes = np.where(codes < 0, codes + n_values, codes)
    rows = np.flatnonzero(np.isin(codes, np.fromiter(keys, dtype=np.int64)))
    return rows, codes[rows].tolist()


def _factorize(values: _Column) -> tuple[npt.NDArray[np.integer[Any]], list[Any]]:
    """Codes into the list of distinct values, in order of first appearance.

    Codes are int32 or wider; a code of ``-1`` (Coded columns only) indexes
    the last value, which is then ``None``.
    """
    if isinstance(values, Coded):
        return values.factorized()
    if isinstance(values, ParsedTimestamps):  # not a categorical column: read its raw values
        values = [values[i] for i in range(len(values))]
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuUSb":
        uniq, codes = np.unique(values, return_inverse=True)
        return codes.astype(np.int32).reshape(-1), uniq.tolist()
    types = set(map(type, values))
    wrapped = len(types) > 1 and bool(types & {bool, np.bool_})
    if wrapped:
        # True == 1 and hash(True) == hash(1): keep booleans apart from numbers
        values = [_BoolKey(v) if isinstance(v, bool | np.bool_) else v for v in values]
    try:
        distinct = dict.fromkeys(values)
    except TypeError:  # unhashable values: fall back to one lookup each, by identity of repr
        keys = [v if _hashable(v) else _Unhashable(v) for v in values]
        distinct = dict.fromkeys(keys)
        values = keys
        wrapped = True
    table = dict(zip(distinct, range(len(distinct)), strict=True))
    codes = np.fromiter(map(table.__getitem__, values), dtype=np.int32, count=len(values))
    if not wrapped:
        return codes, list(distinct)
    return codes, [k.value if isinstance(k, _Unhashable | _BoolKey) else k for k in distinct]


def factorize(values: Sequence[Any]) -> tuple[npt.NDArray[np.integer[Any]], list[Any]]:
    """Codes into the distinct values, for readers whose values may be unhashable (lists or
    dicts in a frame): each such value is its own entry, for the core to refuse by row.

    >>> codes, values = factorize(["a", ["x"], "a"])
    >>> (codes.tolist(), values)
    ([0, 1, 0], ['a', ['x']])
    """
    return _factorize(values)


class _BoolKey:
    """A boolean as a dictionary key that does not collide with 0 and 1."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = bool(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _BoolKey) and other.value == self.value

    def __hash__(self) -> int:
        return hash((_BoolKey, self.value))


class _Unhashable:
    """Wraps an unhashable value (a list in a JSON field) so it can be reported as bad."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _categorical(
    values: _Column, field: str, problems: _Problems
) -> tuple[npt.NDArray[np.int32], tuple[str, ...]]:
    """Codes (MISSING for empty) into the sorted tuple of distinct names."""
    if isinstance(values, Coded) and values.ordered:  # distinct sorted text: nothing to check
        codes = values.codes.astype(np.int32, copy=False)
        texts: tuple[str, ...] = tuple(values.values)
        if texts and texts[0] == "":  # empty text is missing; it sorts first
            shift = np.arange(-1, len(texts), dtype=np.int32)
            shift[-1] = MISSING  # code -1 (missing) stays missing
            codes, texts = shift[codes], texts[1:]
        return (codes, texts) if _all_used(codes, len(texts)) else _compact(codes, texts)
    raw_codes, uniq = _factorize(values)
    names: list[str | None] = []
    bad_keys: dict[int, str] = {}
    if set(map(type, uniq)) <= {str, type(None)}:  # the common case: text only, C-level passes
        names = [v or None for v in uniq]
        uniq = []
    for k, v in enumerate(uniq):
        if _is_missing(v):
            names.append(None)
        elif isinstance(v, str):
            names.append(v)
        elif isinstance(v, bool | np.bool_):
            bad_keys[k] = "must be text, not a boolean"
            names.append(None)
        elif isinstance(v, int | np.integer) or (
            isinstance(v, float | np.floating) and float(v).is_integer()
        ):
            names.append(str(int(v)))
        else:
            bad_keys[k] = f"must be text (got a {type(v).__name__})"
            names.append(None)
    present = set(names)
    present.discard(None)
    distinct: list[str] = sorted(present)  # type: ignore[arg-type]
    position: dict[str | None, int] = dict(zip(distinct, range(len(distinct)), strict=True))
    position[None] = MISSING
    remap = np.fromiter(map(position.__getitem__, names), dtype=np.int32, count=len(names))
    if not len(remap):
        remap = np.full(1, MISSING, dtype=np.int32)
    codes = remap[raw_codes] if len(raw_codes) else np.zeros(0, dtype=np.int32)
    if bad_keys:
        rows, keys = _rows_with(raw_codes, bad_keys, len(uniq))
        for r, k in zip(rows.tolist(), keys, strict=True):
            problems.add(r, field, values[r], bad_keys[k])
    if isinstance(values, Coded):  # a frame's categories may include unused ones
        return _compact(codes, tuple(distinct))
    return codes, tuple(distinct)


def _all_used(codes: npt.NDArray[np.int32], n_values: int) -> bool:
    """Whether every one of ``n_values`` codes occurs (``-1``, missing, may too): one
    scatter, cheaper than :func:`_compact`'s mask when nothing is to be dropped."""
    seen = np.zeros(n_values + 1, dtype=np.bool_)
    seen[codes] = True  # code -1 marks the extra last entry
    return bool(seen[:-1].all())


_SPACE: Final = re.compile(r"\s")


# the ASCII characters str.strip() removes (str.isspace), as a table indexed by byte
_ASCII_SPACE: Final = np.array([chr(i).isspace() for i in range(256)], dtype=np.bool_)
_ASCII_SPACE[128:] = False


def _normal_ids(uniq: Sequence[str]) -> bool:
    """Whether distinct text ids are all already normal: not empty, no surrounding
    whitespace, Unicode NFC. C-level passes over all of them (numpy over the bytes when
    they are ASCII, the common case), no Python code per id."""
    if not uniq:
        return True
    joined = "\x00".join(uniq)
    if joined.isascii():  # ASCII text is NFC; look at the bytes around the separators
        data = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
        sep = np.flatnonzero(data == 0)
        if len(sep) == len(uniq) - 1:  # (else an id holds a NUL: the general check below)
            starts = np.concatenate(([0], sep + 1))
            ends = np.concatenate((sep, [len(data)]))
            if bool((ends <= starts).any()):
                return False  # an empty id
            return not bool(_ASCII_SPACE[data[starts]].any() or _ASCII_SPACE[data[ends - 1]].any())
    if "" in uniq or any(map(str.isspace, uniq)):
        return False
    edges = "".join(map(operator.itemgetter(0), uniq)) + "".join(map(operator.itemgetter(-1), uniq))
    if _SPACE.search(edges):
        return False
    return joined.isascii() or unicodedata.is_normalized("NFC", joined)


def normalize_id(text: str) -> str:
    """A journey id in normal form: surrounding whitespace removed, Unicode NFC.

    Ids that differ only in these ways name the same journey, whatever the reader.

    >>> normalize_id(" caf\u0065\u0301 ") == "caf\u00e9"
    True
    """
    return unicodedata.normalize("NFC", text.strip())


def _journey_ids(
    values: _Column, field: str, problems: _Problems
) -> tuple[npt.NDArray[np.int32], list[str]]:
    if isinstance(values, Coded) and values.ordered and _normal_ids(values.values):
        # distinct, sorted, normal text (an Arrow dictionary): the codes are the answer
        codes = values.codes.astype(np.int32, copy=False)
        if len(codes) and int(codes.min()) < 0:  # a null id
            problems.add_many(np.flatnonzero(codes < 0), field, values, "empty journey id")
        if _all_used(codes, len(values.values)):
            return codes, list(values.values)
        fast, kept = _compact(codes, tuple(values.values))
        return fast, list(kept)
    raw_codes, uniq = _factorize(values)
    if (
        uniq and set(map(type, uniq)) == {str} and _normal_ids(uniq)
    ):  # the common case: every id is non-blank text, so only sort the distinct ids
        order = _argsort_text(uniq)
        rank = np.empty(len(uniq), dtype=np.int32)
        rank[order] = np.arange(len(uniq), dtype=np.int32)
        ids = np.asarray(uniq, dtype=object)[order].tolist()
        if isinstance(values, Coded):  # a frame's categories may include unused ones
            fast, kept = _compact(rank[raw_codes], tuple(ids))
            return fast, list(kept)
        return rank[raw_codes], ids
    names: list[str | None] = []
    reasons: dict[int, str] = {}
    for k, v in enumerate(uniq):
        if isinstance(v, str):
            if v.strip():
                names.append(normalize_id(v))
                continue
            reasons[k] = "empty journey id"
        elif isinstance(v, bool | np.bool_):
            reasons[k] = "journey id must be text or an integer, not a boolean"
        elif isinstance(v, int | np.integer) or (
            isinstance(v, float | np.floating) and math.isfinite(v) and float(v).is_integer()
        ):
            names.append(str(int(v)))
            continue
        elif _is_missing(v):
            reasons[k] = "empty journey id"
        else:
            reasons[k] = f"journey id must be text or an integer (got a {type(v).__name__})"
        names.append(None)
    distinct = sorted({n for n in names if n is not None})
    position = {n: i for i, n in enumerate(distinct)}
    remap = np.array(
        [MISSING if n is None else position[n] for n in names] or [MISSING], dtype=np.int32
    )
    codes = remap[raw_codes] if len(raw_codes) else np.zeros(0, np.int32)
    if reasons:
        rows, keys = _rows_with(raw_codes, reasons, len(uniq))
        for r, k in zip(rows.tolist(), keys, strict=True):
            problems.add(r, field, values[r], reasons[k])
    if isinstance(values, Coded):
        slow, kept = _compact(codes, tuple(distinct))
        return slow, list(kept)
    return codes, distinct


def _argsort_text(texts: list[str]) -> npt.NDArray[np.intp]:
    """The order that sorts distinct strings as Python does (by code point)."""
    if len(texts) > 4096:
        arr = np.array(texts)
        # numpy drops trailing NUL characters: only trust it when no string has one
        if np.array_equal(np.char.str_len(arr), np.fromiter(map(len, texts), np.int64)):
            order: npt.NDArray[np.intp] = np.argsort(arr, kind="stable")
            return order
    return np.asarray(sorted(range(len(texts)), key=texts.__getitem__), dtype=np.intp)


def _flags(values: _Column, field: str, problems: _Problems) -> npt.NDArray[np.bool_]:
    if isinstance(values, np.ndarray) and values.dtype == np.bool_:
        return values.copy()  # the log owns what it stores
    if isinstance(values, list | tuple) and set(map(type, values)) <= {bool}:
        return np.fromiter(values, dtype=np.bool_, count=len(values))
    raw_codes, uniq = _factorize(values)
    table = np.zeros(max(len(uniq), 1), dtype=np.bool_)
    bad: dict[int, str] = {}
    for k, v in enumerate(uniq):
        if v is None or (isinstance(v, float | np.floating) and math.isnan(v)):
            continue
        if isinstance(v, bool | np.bool_) or (
            isinstance(v, int | np.integer | float | np.floating) and v in (0, 1)
        ):
            table[k] = bool(v)
        elif isinstance(v, str) and v.strip().lower() in _TRUE:
            table[k] = True
        elif isinstance(v, str) and v.strip().lower() in _FALSE:
            table[k] = False
        else:
            bad[k] = "conversion flag must be boolean-like (true/false, 1/0, yes/no)"
    if bad:
        rows, keys = _rows_with(raw_codes, bad, len(uniq))
        for r, k in zip(rows.tolist(), keys, strict=True):
            problems.add(r, field, values[r], bad[k])
    return table[raw_codes] if len(raw_codes) else np.zeros(0, dtype=np.bool_)


def _amounts(
    values: _Column, field: str, problems: _Problems, *, distinct: bool = False
) -> npt.NDArray[np.float64]:
    """Non-negative finite numbers; missing (None or empty text) is 0.

    Text and mixed columns are checked once per distinct value
    (``distinct=True`` says the values already are distinct).
    """
    if isinstance(values, Coded | ParsedTimestamps):
        spread: npt.NDArray[np.float64] = _per_distinct(values, field, problems, _amounts_once)
        return spread
    n = len(values)
    types = set(map(type, values)) if not isinstance(values, np.ndarray) else set()
    numeric = types and types <= {float, int, type(None)}
    if not distinct and not numeric and not isinstance(values, np.ndarray) and n > 16:
        codes, uniq = _factorize(values)
        return _per_distinct(Coded(codes, uniq), field, problems, _amounts_once)
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        out = values.astype(np.float64)
        missing = np.zeros(n, dtype=np.bool_)
    elif numeric:
        out = np.array(values, dtype=np.float64)  # None becomes NaN
        if type(None) in types:
            missing = np.fromiter((v is None for v in values), dtype=np.bool_, count=n)
            out[missing] = 0.0
        else:
            missing = np.zeros(n, dtype=np.bool_)
    else:
        out = np.zeros(n, dtype=np.float64)
        missing = np.zeros(n, dtype=np.bool_)
        for i, v in enumerate(values):
            if v is None or (isinstance(v, str) and not v.strip()):
                missing[i] = True
                continue
            if isinstance(v, bool | np.bool_):
                problems.add(i, field, v, "must be a number, not a boolean")
                continue
            if isinstance(v, int | float | np.integer | np.floating):
                out[i] = float(v)
                continue
            if isinstance(v, str):
                try:
                    out[i] = float(v)
                except ValueError:
                    problems.add(i, field, v, "not a number")
                continue
            problems.add(i, field, v, f"must be a number (got a {type(v).__name__})")
    nan = np.flatnonzero(np.isnan(out) & ~missing)
    if len(nan):
        problems.add_many(nan, field, values, "NaN is not a valid amount (leave it empty for 0)")
    inf = np.flatnonzero(np.isinf(out))
    if len(inf):
        problems.add_many(inf, field, values, "must be finite")
    neg = np.flatnonzero(out < 0)
    if len(neg):
        problems.add_many(neg, field, values, "must not be negative")
    out[~np.isfinite(out)] = 0.0
    return out


def _amounts_once(values: list[Any], field: str, problems: _Problems) -> npt.NDArray[np.float64]:
    return _amounts(values, field, problems, distinct=True)


def _per_distinct(
    values: Coded | ParsedTimestamps,
    field: str,
    problems: _Problems,
    check: Callable[[list[Any], str, _Problems], npt.NDArray[Any]],
) -> npt.NDArray[Any]:
    """Run a column check on the distinct values only, then spread results and problems."""
    codes, uniq = _factorize(values)
    found = _Problems()
    table = check(uniq, field, found)
    out = table[codes] if len(codes) else table[:0]
    if found.by_row:
        rows, keys = _rows_with(codes, found.by_row, len(uniq))
        for r, k in zip(rows.tolist(), keys, strict=True):
            f, v, why = found.by_row[k]
            problems.add(r, f, v, why)
    return out


def _timestamps(
    values: _Column, tz: dt.tzinfo | None, unit: str, fmt: str | None = None
) -> tuple[npt.NDArray[np.int64], dict[int, tuple[Any, str]]]:
    """Parse a timestamp column; bad rows map to (raw value, reason).

    One rule for every reader: whatever parsed the values, a result outside years 1 to
    9999 UTC is refused here (with the raw value), so no later step overflows."""
    ts, bad = _parse_column(values, tz, unit, fmt)
    outside = np.flatnonzero(out_of_range(ts))
    for r in outside.tolist():
        if r not in bad:
            bad[r] = (values[r], OUT_OF_RANGE_REASON)
    if len(outside):
        ts[outside] = 0
    return ts, bad


def _parse_column(
    values: _Column, tz: dt.tzinfo | None, unit: str, fmt: str | None
) -> tuple[npt.NDArray[np.int64], dict[int, tuple[Any, str]]]:
    if isinstance(values, ParsedTimestamps):
        us = values.us
        if not (us.flags.owndata and us.flags.writeable):
            us = us.copy()  # a view of the reader's memory: the log owns what it stores
        return us, dict(values.bad)
    if isinstance(values, Coded):
        codes, uniq = values.factorized()
        given = len(values.values)
        table, bad_keys = parse_timestamps(uniq[:given], timezone=tz, unit=unit, fmt=fmt)
        if len(uniq) > given:  # the missing entry, parsed on its own (keeps the fast paths)
            _, none_bad = parse_timestamps([None], timezone=tz, unit=unit)
            bad_keys[given] = none_bad[0]
            table = np.append(table, 0)
        ts = table[codes] if len(codes) else np.zeros(0, dtype=np.int64)
        bad: dict[int, tuple[Any, str]] = {}
        if bad_keys:
            rows, keys = _rows_with(codes, bad_keys, len(uniq))
            for r, k in zip(rows.tolist(), keys, strict=True):
                bad[r] = (uniq[k], bad_keys[k])
        return ts, bad
    ts, reasons = parse_timestamps(values, timezone=tz, unit=unit, fmt=fmt)
    return ts, {r: (values[r], why) for r, why in reasons.items()}


def build_log(
    columns: Mapping[Field, _Column],
    n_rows: int,
    *,
    source: str | None = None,
    lines: npt.NDArray[np.integer[Any]] | Sequence[int] | None = None,
    journey_map: JourneyMap | None = None,
    timezone: str | dt.tzinfo | None = None,
    on_error: OnError = "raise",
    schema: Schema | None = None,
    present: Sequence[str] | None = None,
    invalid: Mapping[int, tuple[str | None, Any, str]] | None = None,
) -> EventLog:
    """Validate raw columns and build the sorted, columnar log.

    ``columns`` holds one sequence of length ``n_rows`` per field that the
    input has (a plain sequence, an array, a :class:`Coded` column or, for
    the timestamp, :class:`ParsedTimestamps`); a ``dict`` is emptied, its
    columns handed over and freed as they are read; ``lines`` gives the 1-based
    source line of each row (files only; any indexable, read only for bad
    rows); ``present`` names the input's columns (for the missing-column
    message); ``invalid`` maps rows the reader itself could not split into
    fields (bad JSON, a wrong number of CSV fields) to ``(field, raw value,
    reason)``; their column entries are ignored.
    """
    from ._log import EventLog, _log_order

    on_error = check_on_error(on_error)
    schema = schema or Schema()
    tz = resolve_timezone(timezone)
    for required in (Field.JOURNEY_ID, Field.TIMESTAMP):
        if required not in columns:
            col = schema.column(required)
            have = f"; columns found: {list(present)}" if present is not None else ""
            raise SchemaError(
                f"missing required column {col!r} (the {required.value} field){have}",
                source=source,
                field=col,
            )
    if not any(f in columns for f in (Field.TOUCHPOINT, Field.CHANNEL, Field.STAGE)):
        names = [schema.column(f) for f in (Field.TOUCHPOINT, Field.CHANNEL, Field.STAGE)]
        have = f"; columns found: {list(present)}" if present is not None else ""
        raise SchemaError(
            f"need at least one of the columns {[n for n in names if n]} "
            f"(touchpoint, channel or stage){have}",
            source=source,
        )
    for f, values in columns.items():
        if len(values) != n_rows:
            raise SchemaError(
                f"column has {len(values)} values but the input has {n_rows} rows",
                source=source,
                field=schema.column(f),
            )

    problems = _Problems()
    for r, (f_, v_, why_) in sorted((invalid or {}).items()):
        problems.add(r, f_, v_, why_)

    def name(f: Field) -> str:
        return schema.column(f) or f.value

    # each raw column is dropped as soon as it is read, so that peak memory stays near the
    # size of the finished log (the caller's dict is emptied: its columns are handed over)
    todo: dict[Field, _Column] = dict(columns)
    if isinstance(columns, dict):
        columns.clear()
    carrier = schema.event_field()
    if schema.events is not None and carrier in todo:  # a clickstream's event names
        from ._eventmap import apply_events, only_rows

        fed, flags = apply_events(todo.pop(carrier), schema.events, name(carrier), problems)
        todo.update(fed)
        if flags is not None:
            todo[Field.CONVERTED] = flags
            if schema.events.value is not None and Field.VALUE in todo:
                todo[Field.VALUE] = only_rows(todo[Field.VALUE], flags)

    jcodes, jnames = _journey_ids(todo.pop(Field.JOURNEY_ID), name(Field.JOURNEY_ID), problems)
    ts, ts_bad = _timestamps(
        todo.pop(Field.TIMESTAMP), tz, schema.timestamp_unit, schema.timestamp_format
    )
    for r, (raw, reason) in sorted(ts_bad.items()):
        problems.add(r, name(Field.TIMESTAMP), raw, reason)
    del ts_bad

    cats: dict[Field, tuple[npt.NDArray[np.int32], tuple[str, ...]]] = {}
    for f in CATEGORICAL:
        if f in todo:
            cats[f] = _categorical(todo.pop(f), name(f), problems)
        else:
            cats[f] = (np.broadcast_to(np.int32(MISSING), (n_rows,)), ())  # no per-row memory
    converted = (
        _flags(todo.pop(Field.CONVERTED), name(Field.CONVERTED), problems)
        if Field.CONVERTED in todo
        else np.zeros(n_rows, dtype=np.bool_)
    )
    value = (
        _amounts(todo.pop(Field.VALUE), name(Field.VALUE), problems)
        if Field.VALUE in todo
        else np.zeros(n_rows, dtype=np.float64)
    )
    cost = (
        _amounts(todo.pop(Field.COST), name(Field.COST), problems)
        if Field.COST in todo
        else np.zeros(n_rows, dtype=np.float64)
    )
    impression = None  # absent: the log stores nothing per event
    if Field.IMPRESSION in todo:
        from ._impression import impression_flags

        impression = impression_flags(todo.pop(Field.IMPRESSION), name(Field.IMPRESSION), problems)

    if journey_map is not None:
        _enrich_from_map(cats, journey_map)

    empty = (
        (cats[Field.TOUCHPOINT][0] == MISSING)
        & (cats[Field.CHANNEL][0] == MISSING)
        & (cats[Field.STAGE][0] == MISSING)
        & ~converted
    )
    for r in np.flatnonzero(empty).tolist():
        problems.add(r, None, None, "no touchpoint, channel or stage, and not a conversion")

    def line_of(row: int) -> int | None:
        if lines is None:
            return None
        line = lines[row]
        return None if line is None else int(line)

    rejected: tuple[Rejection, ...] = ()
    keep: npt.NDArray[np.bool_] | None = None
    if problems.by_row:
        if on_error == "raise":
            row = min(problems.by_row)
            field, value_, reason = problems.by_row[row]
            line = line_of(row)
            raise SchemaError(
                reason,
                source=source if line is not None else _row_source(source, row),
                line=line,
                field=field,
                value=value_,
            )
        rows = sorted(problems.by_row)
        rejected = tuple(
            Rejection(row=r, line=line_of(r), field=f, value=v, reason=why)
            for r in rows
            for (f, v, why) in (problems.by_row[r],)
        )
        keep = np.ones(n_rows, dtype=np.bool_)
        keep[np.asarray(rows, dtype=np.int64)] = False

    row_ids = np.arange(n_rows, dtype=np.int64)
    if keep is not None:
        jcodes = jcodes[keep]
        ts = ts[keep]
        cats = {f: (c[keep], names) for f, (c, names) in cats.items()}
        converted = converted[keep]
        value = value[keep]
        cost = cost[keep]
        impression = None if impression is None else impression[keep]
        row_ids = row_ids[keep]
        # journeys whose every row was rejected disappear from the dictionary
        used = np.unique(jcodes)
        if len(used) != len(jnames):
            remap = np.full(len(jnames), MISSING, dtype=np.int32)
            remap[used] = np.arange(len(used), dtype=np.int32)
            jcodes = remap[jcodes]
            jnames = [jnames[i] for i in used.tolist()]
        cats = {f: _compact(c, names) for f, (c, names) in cats.items()}

    # sorted here one column at a time, each unsorted column freed as soon as its sorted copy
    # exists: peak memory is the columns plus one, not twice the columns
    order = _log_order(jcodes, ts, row_ids, len(jnames))
    if order is not None:
        jcodes = jcodes[order]
        ts = ts[order]
        for f in list(cats):
            c, names_ = cats.pop(f)
            cats[f] = (c if c.strides == (0,) else c[order], names_)
            del c
        converted = converted[order]
        value = value[order]
        cost = cost[order]
        row_ids = order if keep is None else row_ids[order]  # the rows were 0..n-1
        del order

    return EventLog._from_unsorted(
        journey_codes=jcodes,
        journey_ids=jnames,
        timestamps=ts,
        categorical={f: cats[f] for f in CATEGORICAL},
        converted=converted,
        value=value,
        cost=cost,
        impression=impression,
        rows=row_ids,
        rejected=rejected,
        rows_read=n_rows,
        source=source,
        copy=False,  # every array above was made here
        in_order=True,  # and sorted above
    )


def _row_source(source: str | None, row: int) -> str:
    return f"{source} row {row}" if source else f"row {row}"


def _enrich_from_map(
    cats: dict[Field, tuple[npt.NDArray[np.int32], tuple[str, ...]]], journey_map: JourneyMap
) -> None:
    """Fill a missing channel or stage from the map's definition of the event's touchpoint."""
    tp_codes, tp_names = cats[Field.TOUCHPOINT]
    if not tp_names:
        return
    for f, attr in ((Field.CHANNEL, "channel"), (Field.STAGE, "stage")):
        codes, names = cats[f]
        from_map: list[str | None] = []
        for tp in tp_names:
            if journey_map.has_touchpoint(tp):
                t = journey_map.touchpoint(tp)
                from_map.append(t.channel.id if attr == "channel" else t.stage)
            else:
                from_map.append(None)
        if not any(v is not None for v in from_map):
            continue
        merged = sorted(set(names) | {v for v in from_map if v is not None})
        position = {n: i for i, n in enumerate(merged)}
        old_to_new = np.array([position[n] for n in names] + [MISSING], dtype=np.int32)
        new_codes = old_to_new[codes]  # MISSING (-1) indexes the appended MISSING entry
        fill = np.array(
            [MISSING if v is None else position[v] for v in from_map] + [MISSING], dtype=np.int32
        )
        candidate = fill[tp_codes]
        need = (new_codes == MISSING) & (tp_codes != MISSING)
        new_codes[need] = candidate[need]
        cats[f] = _compact(new_codes, tuple(merged))

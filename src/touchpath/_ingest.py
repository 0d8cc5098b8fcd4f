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
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from ._schema import CATEGORICAL, Field, OnError, Rejection, Schema
from ._time import parse_timestamps, resolve_timezone
from .exceptions import ConfigError, SchemaError

if TYPE_CHECKING:
    from ._log import EventLog
    from ._map import JourneyMap

__all__ = ["build_log", "check_on_error"]

MISSING: Final = -1
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


def _factorize(values: Sequence[Any] | npt.NDArray[Any]) -> tuple[npt.NDArray[np.int64], list[Any]]:
    """Codes into the list of distinct values, in order of first appearance."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuUSb":
        uniq, codes = np.unique(values, return_inverse=True)
        return codes.astype(np.int64, copy=False).reshape(-1), uniq.tolist()
    try:
        distinct = dict.fromkeys(values)
    except TypeError:  # unhashable values: fall back to one lookup each, by identity of repr
        keys = [v if _hashable(v) else _Unhashable(v) for v in values]
        distinct = dict.fromkeys(keys)
        values = keys
    table = {k: i for i, k in enumerate(distinct)}
    codes = np.fromiter(map(table.__getitem__, values), dtype=np.int64, count=len(values))
    return codes, [k.value if isinstance(k, _Unhashable) else k for k in distinct]


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
    values: Sequence[Any] | npt.NDArray[Any], field: str, problems: _Problems
) -> tuple[npt.NDArray[np.int32], tuple[str, ...]]:
    """Codes (MISSING for empty) into the sorted tuple of distinct names."""
    raw_codes, uniq = _factorize(values)
    names: list[str | None] = []
    bad_keys: dict[int, str] = {}
    for k, v in enumerate(uniq):
        if _is_missing(v):
            names.append(None)
        elif isinstance(v, str):
            names.append(v)
        elif isinstance(v, bool | np.bool_):
            bad_keys[k] = "must be text, not a boolean"
            names.append(None)
        elif isinstance(v, int | np.integer) or (isinstance(v, float | np.floating) and float(v).is_integer()):
            names.append(str(int(v)))
        else:
            bad_keys[k] = f"must be text (got a {type(v).__name__})"
            names.append(None)
    distinct = sorted({n for n in names if n is not None})
    position = {n: i for i, n in enumerate(distinct)}
    remap = np.array(
        [MISSING if n is None else position[n] for n in names] or [MISSING], dtype=np.int32
    )
    codes = remap[raw_codes] if len(raw_codes) else np.zeros(0, dtype=np.int32)
    if bad_keys:
        bad_rows = np.flatnonzero(np.isin(raw_codes, np.fromiter(bad_keys, dtype=np.int64)))
        for r in bad_rows.tolist():
            problems.add(r, field, values[r], bad_keys[int(raw_codes[r])])
    return codes, tuple(distinct)


def _journey_ids(
    values: Sequence[Any] | npt.NDArray[Any], field: str, problems: _Problems
) -> tuple[npt.NDArray[np.int64], list[str]]:
    raw_codes, uniq = _factorize(values)
    names: list[str | None] = []
    reasons: dict[int, str] = {}
    for k, v in enumerate(uniq):
        if isinstance(v, str):
            if v.strip():
                names.append(v)
                continue
            reasons[k] = "empty journey id"
        elif isinstance(v, bool | np.bool_):
            reasons[k] = "journey id must be text or an integer, not a boolean"
        elif isinstance(v, int | np.integer) or (isinstance(v, float | np.floating) and math.isfinite(v) and float(v).is_integer()):
            names.append(str(int(v)))
            continue
        elif _is_missing(v):
            reasons[k] = "empty journey id"
        else:
            reasons[k] = f"journey id must be text or an integer (got a {type(v).__name__})"
        names.append(None)
    distinct = sorted({n for n in names if n is not None})
    position = {n: i for i, n in enumerate(distinct)}
    remap = np.array([MISSING if n is None else position[n] for n in names] or [MISSING])
    codes = remap[raw_codes].astype(np.int64) if len(raw_codes) else np.zeros(0, np.int64)
    if reasons:
        bad_rows = np.flatnonzero(np.isin(raw_codes, np.fromiter(reasons, dtype=np.int64)))
        for r in bad_rows.tolist():
            problems.add(r, field, values[r], reasons[int(raw_codes[r])])
    return codes, distinct


def _flags(
    values: Sequence[Any] | npt.NDArray[Any], field: str, problems: _Problems
) -> npt.NDArray[np.bool_]:
    if isinstance(values, np.ndarray) and values.dtype == np.bool_:
        return values.astype(np.bool_, copy=False)
    if not isinstance(values, np.ndarray) and set(map(type, values)) <= {bool}:
        return np.fromiter(values, dtype=np.bool_, count=len(values))
    raw_codes, uniq = _factorize(values)
    table = np.zeros(max(len(uniq), 1), dtype=np.bool_)
    bad: dict[int, str] = {}
    for k, v in enumerate(uniq):
        if v is None or (isinstance(v, float | np.floating) and math.isnan(v)):
            continue
        if isinstance(v, bool | np.bool_) or (isinstance(v, int | np.integer | float | np.floating) and v in (0, 1)):
            table[k] = bool(v)
        elif isinstance(v, str) and v.strip().lower() in _TRUE:
            table[k] = True
        elif isinstance(v, str) and v.strip().lower() in _FALSE:
            table[k] = False
        else:
            bad[k] = "conversion flag must be boolean-like (true/false, 1/0, yes/no)"
    if bad:
        bad_rows = np.flatnonzero(np.isin(raw_codes, np.fromiter(bad, dtype=np.int64)))
        for r in bad_rows.tolist():
            problems.add(r, field, values[r], bad[int(raw_codes[r])])
    return table[raw_codes] if len(raw_codes) else np.zeros(0, dtype=np.bool_)


def _amounts(
    values: Sequence[Any] | npt.NDArray[Any], field: str, problems: _Problems
) -> npt.NDArray[np.float64]:
    """Non-negative finite numbers; missing (None or empty text) is 0."""
    n = len(values)
    types = set(map(type, values)) if not isinstance(values, np.ndarray) else set()
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        out = values.astype(np.float64)
        missing = np.zeros(n, dtype=np.bool_)
    elif types and types <= {float, int, type(None)}:
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


def build_log(
    columns: Mapping[Field, Sequence[Any] | npt.NDArray[Any]],
    n_rows: int,
    *,
    source: str | None = None,
    lines: npt.NDArray[np.int64] | None = None,
    journey_map: JourneyMap | None = None,
    timezone: str | dt.tzinfo | None = None,
    on_error: OnError = "raise",
    schema: Schema | None = None,
    present: Sequence[str] | None = None,
) -> EventLog:
    """Validate raw columns and build the sorted, columnar log.

    ``columns`` holds one sequence of length ``n_rows`` per field that the
    input has; ``lines`` gives the 1-based source line of each row (files
    only); ``present`` names the input's columns (for the missing-column
    message).
    """
    from ._log import EventLog

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

    def name(f: Field) -> str:
        return schema.column(f) or f.value

    jcodes, jnames = _journey_ids(columns[Field.JOURNEY_ID], name(Field.JOURNEY_ID), problems)
    ts, ts_bad = parse_timestamps(columns[Field.TIMESTAMP], timezone=tz, unit=schema.timestamp_unit)
    ts_values = columns[Field.TIMESTAMP]
    for r, reason in ts_bad.items():
        problems.add(r, name(Field.TIMESTAMP), ts_values[r], reason)

    cats: dict[Field, tuple[npt.NDArray[np.int32], tuple[str, ...]]] = {}
    for f in CATEGORICAL:
        if f in columns:
            cats[f] = _categorical(columns[f], name(f), problems)
        else:
            cats[f] = (np.full(n_rows, MISSING, dtype=np.int32), ())
    converted = (
        _flags(columns[Field.CONVERTED], name(Field.CONVERTED), problems)
        if Field.CONVERTED in columns
        else np.zeros(n_rows, dtype=np.bool_)
    )
    value = (
        _amounts(columns[Field.VALUE], name(Field.VALUE), problems)
        if Field.VALUE in columns
        else np.zeros(n_rows, dtype=np.float64)
    )
    cost = (
        _amounts(columns[Field.COST], name(Field.COST), problems)
        if Field.COST in columns
        else np.zeros(n_rows, dtype=np.float64)
    )

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
        return int(lines[row]) if lines is not None else None

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
        row_ids = row_ids[keep]
        # journeys whose every row was rejected disappear from the dictionary
        used = np.unique(jcodes)
        if len(used) != len(jnames):
            remap = np.full(len(jnames), MISSING, dtype=np.int64)
            remap[used] = np.arange(len(used))
            jcodes = remap[jcodes]
            jnames = [jnames[i] for i in used.tolist()]
        cats = {f: _compact(c, names) for f, (c, names) in cats.items()}

    return EventLog._from_unsorted(
        journey_codes=jcodes,
        journey_ids=jnames,
        timestamps=ts,
        categorical={f: cats[f] for f in CATEGORICAL},
        converted=converted,
        value=value,
        cost=cost,
        rows=row_ids,
        rejected=rejected,
        rows_read=n_rows,
        source=source,
    )


def _row_source(source: str | None, row: int) -> str:
    return f"{source} row {row}" if source else f"row {row}"


def _compact(
    codes: npt.NDArray[np.int32], names: tuple[str, ...]
) -> tuple[npt.NDArray[np.int32], tuple[str, ...]]:
    """Drop dictionary entries no remaining event uses (keeps sorted order)."""
    if not names:
        return codes, names
    used = np.zeros(len(names), dtype=np.bool_)
    valid = codes[codes != MISSING]
    used[valid] = True
    if used.all():
        return codes, names
    remap = np.full(len(names) + 1, MISSING, dtype=np.int32)
    remap[:-1][used] = np.arange(int(used.sum()), dtype=np.int32)
    return remap[codes], tuple(n for n, u in zip(names, used.tolist(), strict=True) if u)


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

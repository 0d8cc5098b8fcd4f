"""EventLogs from and to pandas, polars and Arrow, without a Python loop per row.

Readers hand the core each column in the cheapest form it accepts: a numpy
array (booleans, numbers, timestamps already parsed to int64 UTC
microseconds) or a :class:`~touchpath._ingest.Coded` column (the frame
library's own factorisation: integer codes plus the distinct values), so
validation runs once per *distinct* value. Writers emit categorical /
dictionary columns straight from the log's codes.

The frame libraries are optional extras, imported inside the functions.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from .._ingest import Coded, ParsedTimestamps, build_log, factorize
from .._schema import Field, OnError, Schema
from .._time import (
    MISSING_REASON,
    NAIVE_REASON,
    OUT_OF_RANGE_REASON,
    SUB_US_REASON,
    SUB_US_TEXT,
    US_PER_SECOND,
    localize_checked,
    out_of_range,
    parse_timestamps,
    resolve_timezone,
)
from ..exceptions import MissingDependencyError, UnsupportedInputError

if TYPE_CHECKING:
    from .._ingest import _Column
    from .._log import EventLog
    from .._map import JourneyMap

__all__ = [
    "ISO_PATTERN",
    "from_arrow",
    "from_pandas",
    "from_polars",
    "to_arrow",
    "to_pandas",
    "to_polars",
]

ISO_PATTERN: Final = (
    r"^\d{4}-\d{2}-\d{2}[T ](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$"
)
"""ISO-8601 text that every engine reads the same way (anything else goes to the core)."""

_UNIT_FACTOR: Final = {"s": US_PER_SECOND, "ms": 1000, "us": 1}
_POLARS_ISO_FORMATS: Final = (
    ("%Y-%m-%dT%H:%M:%S%.fZ", None),  # naive parse of "...Z": UTC wall time
    ("%Y-%m-%dT%H:%M:%S%.f%:z", "UTC"),
    ("%Y-%m-%d %H:%M:%S%.fZ", None),
    ("%Y-%m-%d %H:%M:%S%.f%:z", "UTC"),
)
_SUB_US: Final = "sub-microsecond precision (touchpath stores microseconds)"


def _import(module: str, extra: str, what: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependencyError.for_extra(extra, what, module) from None


def _present(schema: Schema, columns: Sequence[str]) -> dict[Field, str]:
    have = set(columns)
    return {f: c for c, f in schema.columns().items() if c in have}


def _finish_timestamps(
    units: npt.NDArray[np.int64],
    unit: str,
    null: npt.NDArray[np.bool_] | None,
    naive: bool,
    tz: dt.tzinfo | None,
    raw: Any,
) -> ParsedTimestamps:
    """int64 counts of a time unit (UTC, or wall time when ``naive``) to a parsed column.

    ``raw(i)`` gives the original value of row ``i`` for messages.
    """
    bad: dict[int, tuple[Any, str]] = {}
    if unit == "ns":
        frac = units % 1000 != 0
        if null is not None:
            frac &= ~null
        for i in np.flatnonzero(frac).tolist():
            bad[i] = (raw(i), _SUB_US)
        us = units // 1000
    elif unit == "us":
        us = units  # the core copies it if it is a view of the frame's memory
    else:
        us = units * _UNIT_FACTOR[unit]
    if naive:
        if tz is None:
            rows = np.flatnonzero(~null) if null is not None else np.arange(len(us))
            for i in rows.tolist():
                bad.setdefault(i, (raw(i), NAIVE_REASON))
        else:
            us, refused = localize_checked(us, tz)
            for i, why in refused.items():
                if null is None or not null[i]:
                    bad.setdefault(i, (raw(i), why))
    for i in np.flatnonzero(out_of_range(us)).tolist():  # here, while raw values are at hand
        try:
            shown = raw(i)
        except (OverflowError, ValueError):  # a date the frame library cannot show either
            shown = int(units[i])
        bad.setdefault(i, (shown, OUT_OF_RANGE_REASON))
    if null is not None:
        for i in np.flatnonzero(null).tolist():
            bad[i] = (None, MISSING_REASON)
    return ParsedTimestamps(us, bad)  # not ``raw``: it would keep the frame's column alive


def _epochs(
    values: npt.NDArray[Any], null: npt.NDArray[np.bool_] | None, unit: str
) -> ParsedTimestamps:
    """Epoch numbers (a numeric column) with nulls to a parsed column."""
    if null is not None and null.any():
        values = np.where(null, 0, values)
    us, reasons = parse_timestamps(values, unit=unit)
    bad = {i: (values[i].item(), why) for i, why in reasons.items()}
    if null is not None:
        for i in np.flatnonzero(null).tolist():
            bad[i] = (None, MISSING_REASON)
    return ParsedTimestamps(us, bad)


def _merge_text(
    n: int,
    fast_rows: npt.NDArray[np.int64],
    fast_us: npt.NDArray[np.int64],
    slow_rows: npt.NDArray[np.int64],
    slow_values: list[Any],
    tz: dt.tzinfo | None,
    unit: str,
) -> ParsedTimestamps:
    """Combine rows a frame library parsed with rows the core parses one by one."""
    us = np.zeros(n, dtype=np.int64)
    us[fast_rows] = fast_us
    bad: dict[int, tuple[Any, str]] = {}
    if len(slow_rows):
        parsed, reasons = parse_timestamps(slow_values, timezone=tz, unit=unit)
        us[slow_rows] = parsed
        for k, why in reasons.items():
            bad[int(slow_rows[k])] = (slow_values[k], why)
    return ParsedTimestamps(us, bad)


# -- Arrow ------------------------------------------------------------------------------------


def _same_buffers(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if len(a) != len(b):
        return False
    if [(x.address, x.size) for x in a.buffers() if x] == [
        (x.address, x.size) for x in b.buffers() if x
    ]:
        return True
    return len(a) <= 4096 and bool(a.equals(b))


def _chunks(arr: Any) -> list[Any]:
    import pyarrow as pa

    return list(arr.chunks) if isinstance(arr, pa.ChunkedArray) else [arr]


def _numpy(arr: Any, convert: Callable[[Any], Any] | None = None) -> npt.NDArray[Any]:
    """An Arrow column as one numpy array, converted chunk by chunk (small Arrow buffers
    at a time; the result is numpy's own memory, or a view of a single chunk)."""
    parts = [
        np.asarray((convert(c) if convert else c).to_numpy(zero_copy_only=False))
        for c in _chunks(arr)
    ]
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return np.zeros(0)
    return np.concatenate(parts)


def _arrow_coded(arr: Any, null_text: bool = False) -> Coded:
    """Dictionary-encode an Arrow column (strings, numbers, ...) into a Coded column.

    Chunks that share a dictionary (Arrow IPC, ``dictionary_encode``) only have their
    indices joined; others are unified first. With ``null_text`` (CSV files, where null
    is an empty field) nulls read as ``""``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_nested(arr.type):  # lists, structs, maps: the core names each bad value
        codes, values = factorize(arr.to_pylist())
        return Coded(codes, values)
    if not pa.types.is_dictionary(arr.type):
        if pa.types.is_string_view(arr.type):
            arr = arr.cast(pa.large_string())
        arr = pc.dictionary_encode(arr)
    chunks = _chunks(arr)
    if not chunks:
        return Coded(np.zeros(0, dtype=np.int32), [])
    first = chunks[0].dictionary
    if not all(_same_buffers(c.dictionary, first) for c in chunks[1:]):
        chunks = pa.table({"c": arr}).unify_dictionaries().column(0).chunks
        first = chunks[0].dictionary
    values = first.to_pylist()
    missing = -1
    if any(c.null_count for c in chunks) and null_text:
        values.append("")
        missing = len(values) - 1
    codes = _numpy(
        pa.chunked_array([c.indices for c in chunks], type=chunks[0].indices.type),
        lambda c: pc.fill_null(c, missing) if c.null_count else c,
    )
    return Coded(codes, values)


def _arrow_timestamps(arr: Any, tz: dt.tzinfo | None, unit: str) -> _Column:
    import pyarrow as pa
    import pyarrow.compute as pc

    t = arr.type
    if pa.types.is_dictionary(t):
        return _arrow_timestamps(arr.cast(t.value_type), tz, unit)
    null = _numpy(arr, lambda c: c.is_null()) if arr.null_count else None
    if pa.types.is_timestamp(t):
        counts = _numpy(arr, lambda c: pc.fill_null(c.cast(pa.int64()), 0))
        return _finish_timestamps(counts, t.unit, null, t.tz is None, tz, lambda i: arr[i].as_py())
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        values = _numpy(arr, lambda c: pc.fill_null(c, 0))
        return _epochs(values, null, unit)
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return _arrow_text_timestamps(arr, tz, unit)
    return list(arr.to_pylist())  # dates and other types: the core explains what is wrong


def _arrow_text_timestamps(arr: Any, tz: dt.tzinfo | None, unit: str) -> _Column:
    import pyarrow.compute as pc

    parsed = _arrow_text_timestamps_unchecked(arr, tz, unit)
    finer = pc.fill_null(pc.match_substring_regex(arr, SUB_US_TEXT), False)
    if isinstance(parsed, ParsedTimestamps) and pc.any(finer).as_py():
        # Arrow drops digits past the microsecond: refuse them, as every reader does
        for i in np.flatnonzero(finer.to_numpy(zero_copy_only=False)).tolist():
            parsed.bad.setdefault(i, (arr[i].as_py(), SUB_US_REASON))
    return parsed


def _arrow_text_timestamps_unchecked(arr: Any, tz: dt.tzinfo | None, unit: str) -> _Column:
    import pyarrow as pa
    import pyarrow.compute as pc

    errors = (pa.ArrowInvalid, pa.ArrowNotImplementedError)
    aware, naive = pa.timestamp("us", tz="UTC"), pa.timestamp("us")
    null = _numpy(arr, lambda c: c.is_null()) if arr.null_count else None
    try:  # the common case: every value ISO-8601 with an offset (chunk by chunk: small buffers)
        counts = _numpy(arr, lambda c: pc.fill_null(pc.cast(c, aware).cast(pa.int64()), 0))
    except errors:
        pass
    else:
        return _finish_timestamps(counts, "us", null, False, tz, lambda i: arr[i].as_py())
    if tz is not None:  # naive wall times in a named zone
        try:
            counts = _numpy(arr, lambda c: pc.fill_null(pc.cast(c, naive).cast(pa.int64()), 0))
        except errors:
            pass
        else:
            return _finish_timestamps(counts, "us", null, True, tz, lambda i: arr[i].as_py())
    if pc.all(pc.match_substring_regex(arr, r"^\d+$")).as_py() is not False:
        try:  # epoch numbers as text
            return _arrow_timestamps(pc.cast(arr, pa.int64()), tz, unit)
        except errors:
            pass
    # mixed or partly bad: Arrow parses the plain ISO rows, the core the others
    n = len(arr)
    plain = pc.fill_null(pc.match_substring_regex(arr, ISO_PATTERN), False)
    plain_np = plain.to_numpy(zero_copy_only=False)
    fast_rows = np.flatnonzero(plain_np)
    try:
        fast = pc.cast(arr.filter(plain), pa.timestamp("us", tz="UTC"))
        fast_us = fast.cast(pa.int64()).to_numpy(zero_copy_only=False)
    except errors:  # e.g. 2025-02-30: let the core see every row
        fast_rows = np.zeros(0, dtype=np.int64)
        fast_us = np.zeros(0, dtype=np.int64)
        plain_np = np.zeros(n, dtype=np.bool_)
    slow_rows = np.flatnonzero(~plain_np)
    slow_values = arr.take(pa.array(slow_rows)).to_pylist()
    return _merge_text(n, fast_rows, fast_us, slow_rows, slow_values, tz, unit)


def _arrow_flags(arr: Any, null_text: bool = False) -> _Column:
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_boolean(arr.type):  # missing: not a conversion
        return _numpy(arr, lambda c: pc.fill_null(c, False))
    return _arrow_coded(arr, null_text)


def _arrow_amounts(arr: Any, null_text: bool = False) -> _Column:
    import pyarrow as pa
    import pyarrow.compute as pc

    t = arr.type
    if pa.types.is_dictionary(t):
        if not _arrow_is_text(t):
            return _arrow_coded(arr, null_text)
        try:  # numbers as text (CSV): Arrow parses each chunk's small dictionary once
            numbers = pa.chunked_array(
                [pc.take(pc.cast(c.dictionary, pa.float64()), c.indices) for c in _chunks(arr)],
                type=pa.float64(),
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return _arrow_coded(arr, null_text)
        refused = pc.or_(pc.is_nan(numbers), pc.or_(pc.is_inf(numbers), pc.less(numbers, 0)))
        if pc.any(refused).as_py():  # let the core report the text as written
            return _arrow_coded(arr, null_text)
        return _arrow_amounts(numbers)
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        # missing (null) is 0; NaN is refused by the core
        return _numpy(arr, lambda c: pc.fill_null(c.cast(pa.float64()), 0.0))
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        try:
            numbers = pc.cast(arr, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return _arrow_coded(arr)
        refused = pc.or_(pc.is_nan(numbers), pc.or_(pc.is_inf(numbers), pc.less(numbers, 0)))
        if pc.any(refused).as_py():  # let the core report the text as written
            return _arrow_coded(arr)
        return _arrow_amounts(numbers)
    return _arrow_coded(arr)


def _arrow_is_text(t: Any) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(t):
        t = t.value_type
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


def arrow_columns(
    columns: dict[str, Any],
    fields: Mapping[Field, str],
    tz: dt.tzinfo | None,
    unit: str,
    *,
    null_text: bool = False,
    timestamp_format: str | None = None,
) -> dict[Field, _Column]:
    """Arrow columns (by name) in the forms the core reads fastest.

    Each column is taken out of ``columns`` as it is converted (the timestamp
    first), so that a reader that owns them frees the Arrow memory as it goes.
    ``null_text``: nulls stand for empty text (CSV) rather than missing values;
    with a ``timestamp_format``, text timestamps are left to the core to parse.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    out: dict[Field, _Column] = {}
    pool = pa.default_memory_pool()
    for f in sorted(fields, key=lambda f: f is not Field.TIMESTAMP):
        col = columns.pop(fields[f])
        if f is Field.TIMESTAMP:
            if null_text and col.null_count:
                col = pc.fill_null(col, "")
            if timestamp_format is not None and _arrow_is_text(col.type):
                out[f] = _arrow_coded(col)
            else:
                out[f] = _arrow_timestamps(col, tz, unit)
        elif f is Field.CONVERTED:
            out[f] = _arrow_flags(col, null_text)
        elif f in (Field.VALUE, Field.COST):
            out[f] = _arrow_amounts(col, null_text)
        else:
            out[f] = _arrow_coded(col, null_text)
        del col
        pool.release_unused()  # Arrow's allocator keeps freed memory unless asked
    return {f: out[f] for f in fields}


def from_arrow(
    table: Any,
    *,
    schema: Schema | None = None,
    journey_map: JourneyMap | None = None,
    timezone: str | dt.tzinfo | None = None,
    on_error: OnError = "raise",
    source: str | None = None,
) -> EventLog:
    """Build a log from a pyarrow Table (needs ``touchpath[arrow]``).

    String and dictionary columns are dictionary-encoded by Arrow and
    validated once per distinct value; timestamp columns with a time zone
    are used as they are, naive ones need ``timezone``; ISO-8601 text is
    parsed by Arrow. Null means missing (0 for amounts, not converted for
    the flag); NaN amounts are refused. Other options are those of
    :meth:`EventLog.from_records`.

    >>> import pyarrow as pa
    >>> from touchpath import EventLog
    >>> table = pa.table({"journey_id": ["a", "a"], "channel": ["ads", "email"],
    ...                   "timestamp": ["2025-01-01T09:00:00Z", "2025-01-02T09:00:00Z"]})
    >>> EventLog.from_arrow(table).journey("a").channels
    ('ads', 'email')
    """
    _import("pyarrow", "arrow", "EventLog.from_arrow()")
    import pyarrow as pa

    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    if not isinstance(table, pa.Table):
        raise UnsupportedInputError(
            f"from_arrow needs a pyarrow Table or RecordBatch; got {type(table).__name__}"
        )
    schema = schema or Schema()
    tz = resolve_timezone(timezone)
    fields = _present(schema, table.column_names)
    columns = arrow_columns(
        {name: table.column(name) for name in fields.values()},
        fields,
        tz,
        schema.timestamp_unit,
        timestamp_format=schema.timestamp_format,
    )
    return build_log(
        columns,
        table.num_rows,
        source=source,
        journey_map=journey_map,
        timezone=tz,
        on_error=on_error,
        schema=schema,
        present=table.column_names,
    )


def to_arrow(log: EventLog) -> Any:
    """The events as a pyarrow Table (needs ``touchpath[arrow]``).

    Columns have the default names; ids and categories are dictionary
    columns (``-1`` codes become nulls), timestamps ``timestamp[us, UTC]``.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "channel": "ads"}])
    >>> table = log.to_arrow()
    >>> (table.num_rows, str(table.schema.field("timestamp").type))
    (1, 'timestamp[us, tz=UTC]')
    >>> EventLog.from_arrow(table).equals(log)
    True
    """
    _import("pyarrow", "arrow", "EventLog.to_arrow()")
    import pyarrow as pa

    def dictionary(codes: npt.NDArray[Any], names: Sequence[str]) -> Any:
        missing = codes < 0
        indices = pa.array(
            codes.astype(np.int32, copy=False), mask=missing if missing.any() else None
        )
        return pa.DictionaryArray.from_arrays(indices, pa.array(list(names), type=pa.string()))

    data: dict[str, Any] = {}
    for f in Field:
        if f is Field.JOURNEY_ID:
            data[f.value] = dictionary(log.event_journey, log.journey_ids.tolist())
        elif f is Field.TIMESTAMP:
            data[f.value] = pa.array(log.timestamps, type=pa.timestamp("us", tz="UTC"))
        elif f is Field.CONVERTED:
            data[f.value] = pa.array(log.converted, type=pa.bool_())
        elif f is Field.VALUE:
            data[f.value] = pa.array(log.values, type=pa.float64())
        elif f is Field.COST:
            data[f.value] = pa.array(log.costs, type=pa.float64())
        elif f is Field.IMPRESSION:  # written only when some event states its kind
            if log.has_impressions:
                flags = log.impressions
                data[f.value] = pa.array(flags == 1, type=pa.bool_(), mask=flags < 0)
        else:
            data[f.value] = dictionary(*log.codes_and_names(f))
    return pa.table(data)


# -- polars -----------------------------------------------------------------------------------


def _polars_coded(s: Any, null_text: bool = False) -> _Column:
    """Codes and distinct values of a polars column (nulls: ``-1``, or ``""`` with
    ``null_text``)."""
    import polars as pl

    dtype = s.dtype
    if isinstance(dtype, pl.Enum):
        codes = s.to_physical().cast(pl.Int64).fill_null(-1).to_numpy()
        values = dtype.categories.to_list()
    elif dtype == pl.Categorical:
        # physical codes index a (possibly shared) category list: map the ones used
        uniq = s.drop_nulls().unique()
        physical = uniq.to_physical().cast(pl.Int64).to_numpy()
        values = uniq.cast(pl.String).to_list()
        table = np.full(int(physical.max()) + 1 if len(physical) else 1, -1, dtype=np.int32)
        table[physical] = np.arange(len(physical), dtype=np.int32)
        raw = s.to_physical().fill_null(0).to_numpy()
        codes = table[raw]
        if s.null_count():
            codes[s.is_null().to_numpy()] = -1
    elif dtype == pl.String:
        uniq = s.drop_nulls().unique(maintain_order=True)
        codes = s.cast(pl.Enum(uniq)).to_physical().cast(pl.Int32).fill_null(-1).to_numpy()
        values = uniq.to_list()
    elif dtype.is_numeric() and not s.null_count():
        return np.asarray(s.to_numpy())
    else:
        return list(s.to_list())
    if null_text and s.null_count():
        values.append("")
        codes = np.where(codes < 0, len(values) - 1, codes)
    return Coded(np.asarray(codes), values)


def _polars_timestamps(s: Any, tz: dt.tzinfo | None, unit: str) -> _Column:
    import polars as pl

    dtype = s.dtype
    null = s.is_null().to_numpy() if s.null_count() else None
    if isinstance(dtype, pl.Datetime):
        counts = s.to_physical().fill_null(0).to_numpy()
        return _finish_timestamps(
            counts.astype(np.int64, copy=False),
            dtype.time_unit,
            null,
            dtype.time_zone is None,
            tz,
            lambda i: s[i],
        )
    if dtype.is_numeric():
        return _epochs(s.fill_null(0).to_numpy(), null, unit)
    if dtype in (pl.Categorical,) or isinstance(dtype, pl.Enum):
        return _polars_timestamps(s.cast(pl.String), tz, unit)
    if dtype != pl.String:
        return list(s.to_list())
    # plain ISO-8601 rows are parsed by polars (one format at a time, on the rows still left:
    # no copies of the text), every other row by the core
    n = len(s)
    plain = s.str.contains(ISO_PATTERN).fill_null(False).to_numpy()
    us = np.zeros(n, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    for fmt, zone in _POLARS_ISO_FORMATS:
        rows = np.flatnonzero(plain & ~done)
        if len(rows) == 0:
            break
        part = s if len(rows) == n else s.gather(rows)
        parsed = part.str.to_datetime(format=fmt, time_unit="us", time_zone=zone, strict=False)
        ok = parsed.is_not_null().to_numpy()
        us[rows[ok]] = parsed.to_physical().filter(parsed.is_not_null()).to_numpy()
        done[rows[ok]] = True
        del part, parsed
    fast_rows = np.flatnonzero(done)
    slow_rows = np.flatnonzero(~done)
    slow_values = s.gather(slow_rows).to_list() if len(slow_rows) else []
    merged = _merge_text(n, fast_rows, us[fast_rows], slow_rows, slow_values, tz, unit)
    finer = s.str.contains(SUB_US_TEXT).fill_null(False).to_numpy()
    for i in np.flatnonzero(finer & done).tolist():  # polars drops digits past the microsecond
        merged.bad.setdefault(i, (s[i], SUB_US_REASON))
    return merged


def _polars_flags(s: Any, null_text: bool = False) -> _Column:
    import polars as pl

    if s.dtype == pl.Boolean:
        return np.asarray(s.fill_null(False).to_numpy())
    return _polars_coded(s, null_text)


def _polars_amounts(s: Any, null_text: bool = False) -> _Column:
    import polars as pl

    if s.dtype.is_numeric():
        return np.asarray(s.cast(pl.Float64).fill_null(0.0).to_numpy())
    return _polars_coded(s, null_text)


def polars_columns(
    df: Any,
    fields: Mapping[Field, str],
    tz: dt.tzinfo | None,
    unit: str,
    *,
    null_text: bool = False,
    consume: bool = False,
    timestamp_format: str | None = None,
) -> dict[Field, _Column]:
    """The columns of a polars DataFrame, in the forms the core reads fastest.

    ``null_text``: nulls stand for empty text (CSV) rather than missing values;
    ``consume``: take each column out of ``df`` as it is converted (the reader owns it).
    """
    out: dict[Field, _Column] = {}
    for f in sorted(fields, key=lambda f: f is not Field.TIMESTAMP):
        name = fields[f]
        s = df.drop_in_place(name) if consume else df.get_column(name)
        if f is Field.TIMESTAMP:
            if null_text and s.null_count():
                s = s.fill_null("")
            if timestamp_format is not None and not (s.dtype.is_numeric() or s.dtype.is_temporal()):
                out[f] = _polars_coded(s)
            else:
                out[f] = _polars_timestamps(s, tz, unit)
        elif f is Field.CONVERTED:
            out[f] = _polars_flags(s, null_text)
        elif f in (Field.VALUE, Field.COST):
            out[f] = _polars_amounts(s, null_text)
        else:
            out[f] = _polars_coded(s, null_text)
        del s
    return {f: out[f] for f in fields}


def from_polars(
    df: Any,
    *,
    schema: Schema | None = None,
    journey_map: JourneyMap | None = None,
    timezone: str | dt.tzinfo | None = None,
    on_error: OnError = "raise",
    source: str | None = None,
) -> EventLog:
    """Build a log from a polars DataFrame (needs ``touchpath[polars]``).

    Text columns are factorised by polars and validated once per distinct
    value; ``Datetime`` columns with a time zone are used as they are, naive
    ones need ``timezone``; ISO-8601 text is parsed by polars where it is
    plain and by touchpath otherwise. Null means missing; NaN amounts are
    refused. Other options are those of :meth:`EventLog.from_records`.

    >>> import polars as pl
    >>> from touchpath import EventLog
    >>> df = pl.DataFrame({"journey_id": ["a", "a"], "stage": ["awareness", "decision"],
    ...                    "timestamp": [1735722000, 1735808400]})
    >>> EventLog.from_polars(df).journey("a").stages
    ('awareness', 'decision')
    """
    pl = _import("polars", "polars", "EventLog.from_polars()")
    if isinstance(df, pl.LazyFrame):
        df = df.collect()
    if not isinstance(df, pl.DataFrame):
        raise UnsupportedInputError(
            f"from_polars needs a polars DataFrame; got {type(df).__name__}"
        )
    schema = schema or Schema()
    tz = resolve_timezone(timezone)
    fields = _present(schema, df.columns)
    columns = polars_columns(
        df, fields, tz, schema.timestamp_unit, timestamp_format=schema.timestamp_format
    )
    return build_log(
        columns,
        df.height,
        source=source,
        journey_map=journey_map,
        timezone=tz,
        on_error=on_error,
        schema=schema,
        present=df.columns,
    )


def to_polars(log: EventLog) -> Any:
    """The events as a polars DataFrame (needs ``touchpath[polars]``).

    Columns have the default names; ids and categories are ``Categorical``,
    timestamps ``Datetime("us", "UTC")``.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "channel": "ads"}])
    >>> df = log.to_polars()
    >>> (df.height, str(df.schema["timestamp"]))
    (1, "Datetime(time_unit='us', time_zone='UTC')")
    >>> EventLog.from_polars(df).equals(log)
    True
    """
    pl = _import("polars", "polars", "EventLog.to_polars()")

    def categorical(codes: npt.NDArray[Any], names: Sequence[str]) -> Any:
        idx = pl.Series(codes.astype(np.int64, copy=False))
        missing = codes < 0
        if missing.any():
            idx = idx.set(pl.Series(missing), None)
        return pl.Series(list(names), dtype=pl.Categorical).gather(idx)

    data: dict[str, Any] = {}
    for f in Field:
        if f is Field.JOURNEY_ID:
            data[f.value] = categorical(log.event_journey, log.journey_ids.tolist())
        elif f is Field.TIMESTAMP:
            data[f.value] = (
                pl.Series(log.timestamps).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
            )
        elif f is Field.CONVERTED:
            data[f.value] = pl.Series(log.converted, dtype=pl.Boolean)
        elif f is Field.VALUE:
            data[f.value] = pl.Series(log.values, dtype=pl.Float64)
        elif f is Field.COST:
            data[f.value] = pl.Series(log.costs, dtype=pl.Float64)
        elif f is Field.IMPRESSION:  # written only when some event states its kind
            if log.has_impressions:
                flags = pl.Series(log.impressions == 1, dtype=pl.Boolean)
                data[f.value] = flags.set(pl.Series(log.impressions < 0), None)
        else:
            data[f.value] = categorical(*log.codes_and_names(f))
    return pl.DataFrame(data)


# -- pandas -----------------------------------------------------------------------------------


def _pandas_arrow(s: Any) -> Any | None:
    """The Arrow array behind a pandas column with an Arrow dtype, else None."""
    pd = importlib.import_module("pandas")
    if isinstance(s.dtype, pd.ArrowDtype):
        import pyarrow as pa

        return pa.array(s)
    return None


def _pandas_coded(s: Any) -> _Column:
    pd = importlib.import_module("pandas")
    if isinstance(s.dtype, pd.CategoricalDtype):
        return Coded(s.cat.codes.to_numpy(), s.cat.categories.tolist())
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    except TypeError:  # unhashable values (lists, dicts): the core names each bad value
        raw_codes, values = factorize(s.tolist())
        return Coded(raw_codes, values)
    return Coded(codes, list(uniques))


def _pandas_timestamps(s: Any, tz: dt.tzinfo | None, unit: str) -> _Column:
    pd = importlib.import_module("pandas")
    arrow = _pandas_arrow(s)
    if arrow is not None:
        return _arrow_timestamps(arrow, tz, unit)
    dtype = s.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or (isinstance(dtype, np.dtype) and dtype.kind == "M"):
        aware = isinstance(dtype, pd.DatetimeTZDtype)
        wall = s.dt.tz_convert("UTC").dt.tz_localize(None) if aware else s
        arr = wall.to_numpy()
        time_unit = np.datetime_data(arr.dtype)[0]
        null = np.isnat(arr)
        counts = arr.view(np.int64)
        if time_unit not in ("s", "ms", "us", "ns"):
            arr = arr.astype("datetime64[ns]")
            time_unit, counts = "ns", arr.view(np.int64)
        return _finish_timestamps(
            np.where(null, 0, counts),
            time_unit,
            null if null.any() else None,
            not aware,
            tz,
            lambda i: s.iloc[i],
        )
    if isinstance(dtype, np.dtype) and dtype.kind in "iuf":
        values = s.to_numpy()
        null = np.isnan(values) if dtype.kind == "f" else None
        return _epochs(values, null if null is not None and null.any() else None, unit)
    return _pandas_coded(s)


def _pandas_flags(s: Any) -> _Column:
    arrow = _pandas_arrow(s)
    if arrow is not None:
        return _arrow_flags(arrow)
    if isinstance(s.dtype, np.dtype) and s.dtype.kind == "b":
        return np.asarray(s.to_numpy())
    return _pandas_coded(s)


def _pandas_amounts(s: Any) -> _Column:
    pd = importlib.import_module("pandas")
    arrow = _pandas_arrow(s)
    if arrow is not None:
        return _arrow_amounts(arrow)
    dtype = s.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iuf":
        values: npt.NDArray[np.float64] = np.asarray(s.to_numpy(), dtype=np.float64).copy()
        values[np.isnan(values)] = 0.0  # pandas' missing value: NaN means empty here
        return values
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return np.asarray(s.to_numpy(dtype=np.float64, na_value=0.0))  # nullable Int64 / Float64
    return _pandas_coded(s)


def from_pandas(
    df: Any,
    *,
    schema: Schema | None = None,
    journey_map: JourneyMap | None = None,
    timezone: str | dt.tzinfo | None = None,
    on_error: OnError = "raise",
    source: str | None = None,
) -> EventLog:
    """Build a log from a pandas DataFrame (needs ``touchpath[pandas]``).

    Columns are factorised by pandas and validated once per distinct value;
    ``datetime64[.., tz]`` columns are used as they are, naive ones need
    ``timezone``. Missing values (``None``, ``NaN``, ``NaT``, ``pd.NA``) are
    pandas' own: an empty amount is 0 and an empty flag is "not converted",
    so a ``NaN`` value in a float column counts as empty here (unlike in
    records, where a float NaN is refused). Other options are those of
    :meth:`EventLog.from_records`.

    >>> import pandas as pd
    >>> from touchpath import EventLog
    >>> df = pd.DataFrame({"user": ["u1", "u1"], "utm_source": ["ads", "email"],
    ...                    "ts": pd.to_datetime(["2025-01-01 09:00", "2025-01-02 09:00"])})
    >>> from touchpath import Schema
    >>> log = EventLog.from_pandas(df, schema=Schema(journey_id="user", timestamp="ts",
    ...                            channel="utm_source"), timezone="Europe/Paris")
    >>> log.journey("u1").events[0].timestamp.isoformat()
    '2025-01-01T08:00:00+00:00'
    """
    pd = _import("pandas", "pandas", "EventLog.from_pandas()")
    if not isinstance(df, pd.DataFrame):
        raise UnsupportedInputError(
            f"from_pandas needs a pandas DataFrame; got {type(df).__name__}"
        )
    schema = schema or Schema()
    tz = resolve_timezone(timezone)
    original = {str(c): c for c in df.columns}  # column labels need not be strings
    names = list(original)
    if len(names) != len(df.columns):
        labels = [str(c) for c in df.columns]
        dupes = sorted({n for n in labels if labels.count(n) > 1})
        raise UnsupportedInputError(f"the DataFrame has duplicate column names: {dupes}")
    fields = _present(schema, names)
    columns: dict[Field, _Column] = {}
    for f, name in fields.items():
        s = df[original[name]]
        if f is Field.TIMESTAMP:
            text = s.dtype == object or pd.api.types.is_string_dtype(s.dtype)
            if schema.timestamp_format is not None and text:
                columns[f] = _pandas_coded(s)
            else:
                columns[f] = _pandas_timestamps(s, tz, schema.timestamp_unit)
        elif f is Field.CONVERTED:
            columns[f] = _pandas_flags(s)
        elif f in (Field.VALUE, Field.COST):
            columns[f] = _pandas_amounts(s)
        else:
            arrow = _pandas_arrow(s)
            columns[f] = _arrow_coded(arrow) if arrow is not None else _pandas_coded(s)
    return build_log(
        columns,
        len(df),
        source=source,
        journey_map=journey_map,
        timezone=tz,
        on_error=on_error,
        schema=schema,
        present=names,
    )


def to_pandas(log: EventLog) -> Any:
    """The events as a pandas DataFrame (needs ``touchpath[pandas]``).

    Columns have the default names; ids and categories are ``category``
    columns, timestamps ``datetime64[us, UTC]``.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "channel": "ads"}])
    >>> df = log.to_pandas()
    >>> (len(df), str(df["timestamp"].dtype), str(df["channel"].dtype))
    (1, 'datetime64[us, UTC]', 'category')
    >>> EventLog.from_pandas(df).equals(log)
    True
    """
    pd = _import("pandas", "pandas", "EventLog.to_pandas()")

    def categorical(codes: npt.NDArray[Any], names: Sequence[str]) -> Any:
        return pd.Categorical.from_codes(codes, categories=pd.Index(list(names)))

    data: dict[str, Any] = {}
    for f in Field:
        if f is Field.JOURNEY_ID:
            data[f.value] = categorical(log.event_journey, log.journey_ids.tolist())
        elif f is Field.TIMESTAMP:
            stamps = np.array(log.timestamps).view("datetime64[us]")
            data[f.value] = pd.Series(stamps).dt.tz_localize("UTC")
        elif f is Field.CONVERTED:
            data[f.value] = np.array(log.converted)
        elif f is Field.VALUE:
            data[f.value] = np.array(log.values)
        elif f is Field.COST:
            data[f.value] = np.array(log.costs)
        elif f is Field.IMPRESSION:  # written only when some event states its kind
            if log.has_impressions:
                flags = log.impressions
                data[f.value] = pd.arrays.BooleanArray(flags == 1, flags < 0)
        else:
            data[f.value] = categorical(*log.codes_and_names(f))
    return pd.DataFrame(data)

"""EventLogs from and to Arrow tables (``touchpath[arrow]``), without a Python loop per row.

pyarrow is imported inside the functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from .._ingest import Coded, ParsedTimestamps, build_log, factorize
from .._optional import require
from .._schema import Field, OnError, Schema
from .._time import SUB_US_REASON, SUB_US_TEXT, resolve_timezone
from ..exceptions import UnsupportedInputError
from ._fields import (
    ISO_PATTERN,
    epochs,
    finish_timestamps,
    merge_text,
    present,
    read_fields,
    write_fields,
)

if TYPE_CHECKING:
    from .._ingest import _Column
    from .._log import EventLog
    from .._map import JourneyMap

__all__ = ["arrow_columns", "from_arrow", "to_arrow"]


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
        return finish_timestamps(counts, t.unit, null, t.tz is None, tz, lambda i: arr[i].as_py())
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        values = _numpy(arr, lambda c: pc.fill_null(c, 0))
        return epochs(values, null, unit)
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
        return finish_timestamps(counts, "us", null, False, tz, lambda i: arr[i].as_py())
    if tz is not None:  # naive wall times in a named zone
        try:
            counts = _numpy(arr, lambda c: pc.fill_null(pc.cast(c, naive).cast(pa.int64()), 0))
        except errors:
            pass
        else:
            return finish_timestamps(counts, "us", null, True, tz, lambda i: arr[i].as_py())
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
    return merge_text(n, fast_rows, fast_us, slow_rows, slow_values, tz, unit)


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


@attrs.frozen
class _ArrowReader:
    """Arrow columns in the forms the core reads fastest."""

    tz: dt.tzinfo | None
    unit: str
    null_text: bool
    timestamp_format: str | None

    def timestamps(self, column: Any) -> _Column:
        import pyarrow.compute as pc

        if self.null_text and column.null_count:
            column = pc.fill_null(column, "")
        if self.timestamp_format is not None and _arrow_is_text(column.type):
            return _arrow_coded(column)
        return _arrow_timestamps(column, self.tz, self.unit)

    def flags(self, column: Any) -> _Column:
        return _arrow_flags(column, self.null_text)

    def amounts(self, column: Any) -> _Column:
        return _arrow_amounts(column, self.null_text)

    def coded(self, column: Any) -> _Column:
        return _arrow_coded(column, self.null_text)


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

    pool = pa.default_memory_pool()
    reader = _ArrowReader(tz, unit, null_text, timestamp_format)
    # Arrow's allocator keeps freed memory unless asked
    return read_fields(fields, columns.pop, reader, after=pool.release_unused)


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
    require("pyarrow", "arrow", "EventLog.from_arrow()")
    import pyarrow as pa

    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    if not isinstance(table, pa.Table):
        raise UnsupportedInputError(
            f"from_arrow needs a pyarrow Table or RecordBatch; got {type(table).__name__}"
        )
    schema = schema or Schema()
    tz = resolve_timezone(timezone)
    fields = present(schema, table.column_names)
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


@attrs.frozen
class _ArrowWriter:
    pa: Any

    def dictionary(self, codes: npt.NDArray[Any], names: Sequence[str]) -> Any:
        pa = self.pa
        missing = codes < 0
        indices = pa.array(
            codes.astype(np.int32, copy=False), mask=missing if missing.any() else None
        )
        return pa.DictionaryArray.from_arrays(indices, pa.array(list(names), type=pa.string()))

    def timestamps(self, us: npt.NDArray[np.int64]) -> Any:
        return self.pa.array(us, type=self.pa.timestamp("us", tz="UTC"))

    def flags(self, values: npt.NDArray[np.bool_]) -> Any:
        return self.pa.array(values, type=self.pa.bool_())

    def floats(self, values: npt.NDArray[np.float64]) -> Any:
        return self.pa.array(values, type=self.pa.float64())

    def nullable_flags(self, values: npt.NDArray[np.bool_], missing: npt.NDArray[np.bool_]) -> Any:
        return self.pa.array(values, type=self.pa.bool_(), mask=missing)


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
    require("pyarrow", "arrow", "EventLog.to_arrow()")
    import pyarrow as pa

    return pa.table(write_fields(log, _ArrowWriter(pa)))

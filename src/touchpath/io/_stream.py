"""EventLogs from anything that speaks the Arrow C stream protocol, one record batch at a time.

:func:`from_arrow` accepts a pyarrow Table or RecordBatch (read as a whole,
as before), a RecordBatchReader, a ``pyarrow.dataset`` Dataset or Scanner, a
polars DataFrame or LazyFrame, a DuckDB relation, or any object with an
``__arrow_c_stream__`` method. Sources that can select columns (datasets,
DuckDB, polars) are asked for the columns the schema names only; a stream is
then read batch by batch: each batch's columns are converted to the compact
forms the core reads (int64 microseconds, float64 amounts, integer codes into
a dictionary shared by the whole stream) and the batch is released, so peak
memory stays near the size of the finished log rather than of the raw text.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .._ingest import Coded, ParsedTimestamps, build_log, check_on_error
from .._schema import CATEGORICAL, Field, OnError, Schema
from .._time import resolve_timezone
from ..exceptions import SchemaError, UnsupportedInputError
from ._frames import _import, _present, _same_buffers, arrow_columns
from ._frames import from_arrow as _from_table
from ._frames import from_polars as _from_polars

if TYPE_CHECKING:
    from .._ingest import _Column
    from .._log import EventLog
    from .._map import JourneyMap

__all__ = ["from_arrow", "read_batches"]


class _Merged:
    """One field's column, grown batch by batch in the compact form the core reads.

    Coded batches share one dictionary (a batch's distinct values are looked up
    once each); arrays and parsed timestamps are concatenated at the end. Should
    the batches of one stream come in different forms (an amount column that
    parses as numbers in one batch and not in the next), the column falls back
    to a plain list of values, which the core reads just the same.
    """

    __slots__ = ("bad", "index", "kind", "n", "parts", "plain", "values")

    def __init__(self) -> None:
        self.kind: str | None = None
        self.parts: list[npt.NDArray[Any]] = []
        self.values: list[Any] = []
        self.index: dict[Any, int] = {}
        self.bad: dict[int, tuple[Any, str]] = {}
        self.plain: list[Any] = []
        self.n = 0

    @staticmethod
    def _kind(col: _Column) -> str:
        if isinstance(col, Coded):
            return "coded"
        if isinstance(col, ParsedTimestamps):
            return "parsed"
        if isinstance(col, np.ndarray):
            return f"array:{col.dtype.str}"
        return "list"

    def add(self, col: _Column) -> None:
        kind = self._kind(col)
        if self.kind is None:
            self.kind = kind
        elif kind != self.kind and self.kind != "list":
            self.plain = self._as_list()
            self.kind = "list"
        if self.kind == "list":
            self.plain.extend(col[i] for i in range(len(col)))
        elif isinstance(col, Coded):
            lookup = np.empty(len(col.values) + 1, dtype=np.int32)
            for k, v in enumerate(col.values):
                try:
                    lookup[k] = self.index.setdefault(v, len(self.values))
                except TypeError:  # unhashable (a list in a nested column): its own entry
                    lookup[k] = len(self.values)
                    self.values.append(v)
                    continue
                if lookup[k] == len(self.values):
                    self.values.append(v)
            lookup[-1] = -1  # code -1 (missing) stays missing
            self.parts.append(lookup[col.codes] if len(col.codes) else lookup[:0])
        elif isinstance(col, ParsedTimestamps):
            self.parts.append(col.us)
            self.bad.update({self.n + r: why for r, why in col.bad.items()})
        else:
            assert isinstance(col, np.ndarray)
            self.parts.append(col)
        self.n += len(col)

    def _as_list(self) -> list[Any]:
        out: list[Any] = []
        finished = self.finish()
        out.extend(finished[i] for i in range(len(finished)))
        self.parts, self.values, self.index, self.bad = [], [], {}, {}
        return out

    def finish(self) -> _Column:
        """The whole column; the parts are released (``finish`` is called once)."""
        parts, self.parts = self.parts, []
        joined = (
            np.concatenate(parts)
            if len(parts) > 1
            else (parts[0] if parts else np.zeros(0, dtype=np.int32))
        )
        del parts
        if self.kind == "coded":
            return Coded(joined, self.values)
        if self.kind == "parsed":
            return ParsedTimestamps(joined.astype(np.int64, copy=False), self.bad)
        if self.kind is None or self.kind == "list":
            return self.plain
        return joined


class _Dictionaries:
    """A text or id column as integer codes into the stream's distinct values, grown batch
    by batch in Arrow: each new batch dictionary is looked up once in the values seen so far
    (batches of one Parquet row group or IPC stream share theirs), its new values appended,
    and the batch's indices turned into codes; only the stream's distinct values are kept
    (as one Arrow array, and as Python objects once, at the end)."""

    __slots__ = ("dictionary", "distinct", "lookup", "parts")

    def __init__(self) -> None:
        self.parts: list[npt.NDArray[np.int32]] = []
        self.distinct: Any = None
        self.dictionary: Any = None  # the last batch dictionary, and its codes in ``lookup``
        self.lookup: npt.NDArray[np.int32] = np.zeros(1, dtype=np.int32)

    def _learn(self, d: Any) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if self.distinct is None:
            first = _sorted_distinct(d)
            if first is not None:  # no hashing: the stream's values start out sorted
                self.distinct, lookup = first
                self.lookup = np.append(lookup, np.int32(-1))  # index -1 (missing) stays -1
                self.dictionary = d
                return
            self.distinct = pc.unique(d.drop_null())
            position = pc.index_in(d, value_set=self.distinct)
        else:
            if d.type != self.distinct.type:
                d = d.cast(self.distinct.type)
            position = pc.index_in(d, value_set=self.distinct)
            fresh = pc.unique(d.filter(pc.and_(pc.is_null(position), pc.is_valid(d))))
            if len(fresh):
                base = pa.scalar(len(self.distinct), pa.int32())
                position = pc.coalesce(position, pc.add(pc.index_in(d, value_set=fresh), base))
                self.distinct = pa.concat_arrays([self.distinct, fresh])
        lookup = np.array(pc.fill_null(position, -1).to_numpy(zero_copy_only=False), np.int32)
        self.lookup = np.append(lookup, np.int32(-1))  # index -1 (missing) stays -1
        self.dictionary = d

    def add(self, arr: Any) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if pa.types.is_string_view(arr.type):
            arr = arr.cast(pa.large_string())
        if not pa.types.is_dictionary(arr.type):
            arr = pc.dictionary_encode(arr)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
        if self.dictionary is None or not _same_buffers(arr.dictionary, self.dictionary):
            self._learn(arr.dictionary)
        indices = arr.indices
        if indices.null_count:
            indices = pc.fill_null(indices, -1)
        self.parts.append(self.lookup[np.asarray(indices.to_numpy(zero_copy_only=False))])

    def finish(self) -> Coded:
        """The whole column, its values sorted (by Arrow, in C: UTF-8 byte order is code
        point order) so the core need not sort them; the parts are released (``finish``
        is called once)."""
        distinct, self.distinct, self.dictionary = self.distinct, None, None
        if distinct is None:
            return Coded(np.zeros(0, dtype=np.int32), [], ordered=True)
        parts, self.parts = self.parts, []
        if not _increasing(distinct):  # values met in later batches come last: sort them
            ranked = _sorted_distinct(distinct)
            assert ranked is not None  # the distinct values hold no nulls and no duplicates
            distinct, rank = ranked
            rank = np.append(rank, np.int32(-1))  # code -1 (missing) stays missing
            for part in parts:  # in place, part by part: no second copy of the column
                part[:] = rank[part]
            del rank
        values = distinct.to_pylist()
        del distinct
        codes = (
            np.concatenate(parts)
            if len(parts) > 1
            else (parts[0] if parts else np.zeros(0, dtype=np.int32))
        )
        del parts
        return Coded(codes, values, ordered=True)


def _increasing(values: Any) -> bool:
    """Whether an Arrow array without nulls is strictly increasing (so also distinct)."""
    import pyarrow.compute as pc

    if len(values) < 2:
        return True
    return bool(pc.all(pc.less(values[:-1], values[1:])).as_py())


def _sorted_distinct(values: Any) -> tuple[Any, npt.NDArray[np.int32]] | None:
    """``values`` sorted, and the position of each value in that order, when the values
    are distinct and not null (a Parquet or Arrow dictionary); None otherwise.

    Arrow compares text by its UTF-8 bytes, which orders it by code point, as Python does.
    """
    import pyarrow.compute as pc

    if values.null_count:
        return None
    if _increasing(values):
        return values, np.arange(len(values), dtype=np.int32)
    order = pc.array_sort_indices(values)
    ranked = values.take(order)
    if not _increasing(ranked):  # equal neighbours: a dictionary with duplicates
        return None
    position = np.empty(len(values), dtype=np.int32)
    position[np.asarray(order.to_numpy(), dtype=np.intp)] = np.arange(len(values), dtype=np.int32)
    return ranked, position


def _is_text(arrow_type: Any) -> bool:
    import pyarrow as pa

    t = arrow_type.value_type if pa.types.is_dictionary(arrow_type) else arrow_type
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t))


def read_batches(
    reader: Any,
    *,
    schema: Schema | None = None,
    journey_map: JourneyMap | None = None,
    timezone: str | dt.tzinfo | None = None,
    on_error: OnError = "raise",
    source: str | None = None,
) -> EventLog:
    """Build a log from a ``pyarrow.RecordBatchReader``, one batch at a time.

    Only the columns the schema names are converted; every other column of
    a batch is released with it. Rows are numbered across the whole stream.

    >>> import pyarrow as pa
    >>> batch = pa.record_batch({"journey_id": ["a"], "timestamp": [0], "stage": ["x"]})
    >>> reader = pa.RecordBatchReader.from_batches(batch.schema, [batch, batch])
    >>> read_batches(reader).n_events
    2
    """
    pa = _import("pyarrow", "arrow", "touchpath.io.read_batches()")
    on_error = check_on_error(on_error)
    schema = schema or Schema()
    tz = resolve_timezone(timezone)
    names = list(reader.schema.names)
    fields = _present(schema, names)
    coded = (Field.JOURNEY_ID, *CATEGORICAL)
    merged: dict[Field, _Merged | _Dictionaries] = {
        f: _Dictionaries() if f in coded and _is_text(reader.schema.field(c).type) else _Merged()
        for f, c in fields.items()
    }
    converted = {f: c for f, c in fields.items() if isinstance(merged[f], _Merged)}
    n_rows = 0
    errors = (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OSError)
    batches = iter(reader)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            break
        except errors as err:
            raise SchemaError(
                f"the data could not be read after row {n_rows}: {err}", source=source
            ) from None
        for f, name in fields.items():
            part = merged[f]
            if isinstance(part, _Dictionaries):
                part.add(batch.column(name))
        columns = {name: batch.column(name) for name in converted.values()}
        n = batch.num_rows
        del batch
        for f, col in arrow_columns(columns, converted, tz, schema.timestamp_unit).items():
            part = merged[f]
            assert isinstance(part, _Merged)
            part.add(col)
        n_rows += n
    pa.default_memory_pool().release_unused()  # the batches are gone: give their memory back
    columns_out: dict[Field, _Column] = {}
    for f in list(merged):  # each field's parts are freed as soon as they are joined
        columns_out[f] = merged.pop(f).finish()
    return build_log(
        columns_out,
        n_rows,
        source=source,
        journey_map=journey_map,
        timezone=tz,
        on_error=on_error,
        schema=schema,
        present=names,
    )


def _wanted(schema: Schema, names: list[str]) -> list[str]:
    """The columns of ``names`` the schema reads, in the source's order."""
    fields: Mapping[Field, str] = _present(schema, names)
    keep = set(fields.values())
    return [n for n in names if n in keep]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _reader(obj: Any, schema: Schema) -> Any:
    """A RecordBatchReader over ``obj``, projected to the schema's columns where possible."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    if isinstance(obj, pa.RecordBatchReader):
        return obj
    if isinstance(obj, ds.Dataset):
        wanted = _wanted(schema, obj.schema.names)
        return obj.scanner(columns=wanted, batch_readahead=2, fragment_readahead=1).to_reader()
    if isinstance(obj, ds.Scanner):
        return obj.to_reader()
    if type(obj).__module__.startswith("duckdb") and hasattr(obj, "project"):
        wanted = _wanted(schema, list(obj.columns))
        if wanted:  # a relation computes only the columns it is asked for
            obj = obj.project(", ".join(map(_quote, wanted)))
    if hasattr(obj, "__arrow_c_stream__"):
        return pa.RecordBatchReader.from_stream(obj)
    raise UnsupportedInputError(
        "from_arrow needs a pyarrow Table, RecordBatch, RecordBatchReader, Dataset or Scanner, "
        "a polars DataFrame or LazyFrame, a DuckDB relation, or an object with "
        f"__arrow_c_stream__; got {type(obj).__name__}"
    )


def from_arrow(
    data: Any,
    *,
    schema: Schema | None = None,
    journey_map: JourneyMap | None = None,
    timezone: str | dt.tzinfo | None = None,
    on_error: OnError = "raise",
    source: str | None = None,
) -> EventLog:
    """Build a log from Arrow data: a table, a stream of record batches, or anything that
    speaks the Arrow C stream protocol (needs ``touchpath[arrow]``).

    ``data`` may be a pyarrow Table or RecordBatch, a RecordBatchReader, a
    ``pyarrow.dataset`` Dataset or Scanner, a polars DataFrame or LazyFrame
    (collected with only the schema's columns selected), a DuckDB relation
    (``duckdb.sql(...)``: only the schema's columns are computed), or any
    object with ``__arrow_c_stream__``. Streams are read one record batch at
    a time, so the raw data never needs to fit in memory at once.

    String and dictionary columns are validated once per distinct value;
    timestamp columns with a time zone are used as they are, naive ones need
    ``timezone``; ISO-8601 text is parsed by Arrow. Null means missing (0 for
    amounts, not converted for the flag); NaN amounts are refused. Other
    options are those of :meth:`EventLog.from_records`.

    >>> import pyarrow as pa
    >>> from touchpath import EventLog
    >>> table = pa.table({"journey_id": ["a", "a"], "channel": ["ads", "email"],
    ...                   "timestamp": ["2025-01-01T09:00:00Z", "2025-01-02T09:00:00Z"]})
    >>> EventLog.from_arrow(table.to_reader(max_chunksize=1)).journey("a").channels
    ('ads', 'email')
    """
    pa = _import("pyarrow", "arrow", "EventLog.from_arrow()")
    options: dict[str, Any] = {
        "schema": schema,
        "journey_map": journey_map,
        "timezone": timezone,
        "on_error": on_error,
        "source": source,
    }
    if isinstance(data, pa.Table | pa.RecordBatch):
        return _from_table(data, **options)
    polars = sys.modules.get("polars")
    if polars is not None and isinstance(data, polars.DataFrame | polars.LazyFrame):
        names = list(data.collect_schema().names())
        data = data.select(_wanted(schema or Schema(), names) or names)
        if isinstance(data, polars.LazyFrame):
            data = data.collect()
        return _from_polars(data, **options)
    return read_batches(_reader(data, schema or Schema()), **options)

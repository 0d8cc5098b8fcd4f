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
    by batch in Arrow. A batch's indices are kept as they are (into its own dictionary);
    new batch dictionaries wait until they hold as many entries as the values seen so
    far, then are unified with those in one pass of Arrow's dictionary unifier and the
    waiting indices turned into codes, in place: every value is hashed a bounded number
    of times however many batches bring their own dictionary (a shuffled file, an IPC
    stream), and a dictionary shared by many batches (one Parquet row group) is met once.
    Only the stream's distinct values are kept (as one Arrow array, and as Python
    objects once, at the end)."""

    __slots__ = ("dictionary", "distinct", "last", "parts", "pending", "waiting")

    def __init__(self) -> None:
        self.parts: list[npt.NDArray[np.int32]] = []
        self.distinct: Any = None  # the values met so far, as one Arrow array
        self.dictionary: Any = None  # the last batch dictionary
        self.last: npt.NDArray[np.int32] | None = None  # its codes, once unified
        self.pending: list[tuple[Any, list[int]]] = []  # dictionary, parts still using it
        self.waiting = 0  # entries of the pending dictionaries

    def add(self, arr: Any) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if pa.types.is_string_view(arr.type):
            arr = arr.cast(pa.large_string())
        if not pa.types.is_dictionary(arr.type):
            arr = pc.dictionary_encode(arr)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
        indices = arr.indices
        if indices.null_count:
            indices = pc.fill_null(indices, -1)
        local = np.array(indices.to_numpy(zero_copy_only=False), dtype=np.int32)  # own copy
        if self.dictionary is not None and _same_buffers(arr.dictionary, self.dictionary):
            if self.last is not None:  # already unified: the codes are known
                local[:] = self.last[local]
            else:
                self.pending[-1][1].append(len(self.parts))
            self.parts.append(local)
            return
        self.dictionary, self.last = arr.dictionary, None
        self.pending.append((arr.dictionary, [len(self.parts)]))
        self.parts.append(local)
        self.waiting += len(arr.dictionary)
        seen = 0 if self.distinct is None else len(self.distinct)
        if self.waiting >= max(seen, 1 << 16):
            self._unify()

    def _unify(self) -> None:
        """Give the pending dictionaries codes into the stream's values (new ones appended)."""
        import pyarrow as pa

        pending, self.pending, self.waiting = self.pending, [], 0
        if not pending:
            return
        dicts = []
        for d, _ in pending:
            if self.distinct is not None and d.type != self.distinct.type:
                d = d.cast(self.distinct.type)
            dicts.append(d)
        first = _sorted_distinct(dicts[0]) if self.distinct is None and len(dicts) == 1 else None
        if first is not None:  # one dictionary, no nulls, no duplicates: sorted, no hashing
            self.distinct, position = first
            maps = [position]
        else:
            kept = [d.drop_null() if d.null_count else d for d in dicts]
            # the values so far come first (an empty array at the start: with two or more
            # distinct dictionaries the unifier never hands one back unchanged, duplicates
            # and all)
            known = [pa.array([], dicts[0].type) if self.distinct is None else self.distinct]
            chunks = [
                pa.DictionaryArray.from_arrays(pa.array(np.arange(len(v), dtype=np.int32)), v)
                for v in known + kept
            ]
            unified = pa.chunked_array(chunks).unify_dictionaries()
            del chunks
            transposed = [np.asarray(c.indices.to_numpy(), np.int32) for c in unified.chunks]
            if not np.array_equal(transposed[0], np.arange(len(known[0]))):
                # (not expected: the unifier keeps the first dictionary in order)
                waiting = {k for _, users in pending for k in users}
                old = np.append(transposed[0], np.int32(-1))
                for k, part in enumerate(self.parts):
                    if k not in waiting:
                        part[:] = old[part]
            self.distinct = unified.chunk(0).dictionary if unified.num_chunks else known[0]
            del unified
            maps = []
            for d, t in zip(dicts, transposed[len(known) :], strict=True):
                if d.null_count:  # a null entry of a dictionary is a missing value
                    full = np.full(len(d), -1, dtype=np.int32)
                    full[np.flatnonzero(d.is_valid().to_numpy(zero_copy_only=False))] = t
                    t = full
                maps.append(t)
        for (_, users), t in zip(pending, maps, strict=True):
            ext = np.append(t, np.int32(-1))  # index -1 (missing) stays -1
            for k in users:
                self.parts[k][:] = ext[self.parts[k]]
            self.last = ext

    def finish(self) -> Coded:
        """The whole column, its values sorted (by Arrow, in C: UTF-8 byte order is code
        point order) so the core need not sort them; the parts are released (``finish``
        is called once)."""
        self._unify()
        distinct, self.distinct, self.dictionary, self.last = self.distinct, None, None, None
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

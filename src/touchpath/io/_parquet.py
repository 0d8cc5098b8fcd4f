"""Parquet files and data sets (needs ``touchpath[arrow]``).

:func:`read_parquet` opens a file, a directory of files or a hive-partitioned
data set (``country=fr/part-0.parquet``) through ``pyarrow.dataset``, reads
only the columns the schema names (partition keys count as columns) and
streams the record batches into the core (:func:`~touchpath.io._stream.read_batches`).
:func:`write_parquet` writes a log's columns as they are stored: ids and
categories as dictionary columns, timestamps as ``timestamp[us, UTC]``, so a
written log reads back equal (:meth:`EventLog.equals`).
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING, Any, TypeAlias

from .._schema import CATEGORICAL, Field, OnError, Schema
from ..exceptions import ConfigError, SchemaError
from ._frames import _import, _present, to_arrow
from ._stream import read_batches

if TYPE_CHECKING:
    from .._log import EventLog
    from .._map import JourneyMap

__all__ = ["read_parquet", "write_parquet"]

PathLike: TypeAlias = "str | os.PathLike[str]"


def _expression(filters: Any) -> Any:
    """A pyarrow Expression from an Expression or DNF tuples (``[("country", "=", "fr")]``)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    if filters is None or isinstance(filters, pc.Expression):
        return filters
    try:
        return pq.filters_to_expression(filters)
    except (TypeError, ValueError) as err:
        raise ConfigError(
            "'filters' must be a pyarrow Expression or a list of (column, op, value) tuples; "
            f"got {filters!r} ({err})"
        ) from None


def read_parquet(
    path: PathLike | list[PathLike] | tuple[PathLike, ...],
    *,
    schema: Schema | None = None,
    filters: Any = None,
    journey_map: JourneyMap | None = None,
    timezone: str | dt.tzinfo | None = None,
    on_error: OnError = "raise",
) -> EventLog:
    """Read events from a Parquet file, a directory of them, a hive-partitioned data set, or a
    list of files.

    Only the columns ``schema`` names are read from disk. ``filters`` keeps
    the rows that match, as a ``pyarrow.compute`` expression
    (``pc.field("country") == "fr"``) or in the tuple form of
    ``pyarrow.parquet.read_table`` (``[("country", "=", "fr")]``); with a
    hive-partitioned directory whole files are skipped. Rows a filter leaves
    out are not read (``rows_read`` counts the rows that pass it). Other
    options are those of :func:`touchpath.read_csv`.

    >>> import tempfile, pathlib
    >>> from touchpath import EventLog
    >>> from touchpath.io import write_parquet
    >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "channel": "ads"}])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.parquet"
    >>> write_parquet(log, path)
    >>> read_parquet(path).equals(log)
    True
    """
    _import("pyarrow", "arrow", "touchpath.read_parquet()")
    import pyarrow as pa
    import pyarrow.dataset as ds

    schema = schema or Schema()
    paths: str | list[str]
    if isinstance(path, list | tuple):
        paths = [os.fspath(p) for p in path]
        source = ", ".join(paths)
    else:
        paths = source = os.fspath(path)
    for p in [paths] if isinstance(paths, str) else paths:
        if not os.path.exists(p):
            raise SchemaError("no such file or directory", source=p)
    expression = _expression(filters)
    try:
        dataset = ds.dataset(paths, format="parquet", partitioning="hive")
        fields = _present(schema, dataset.schema.names)
        wanted = [n for n in dataset.schema.names if n in set(fields.values())]
        # ids and categories are decoded straight into Arrow dictionaries from Parquet's
        # own dictionary pages: the text is never materialised row by row
        coded = [c for f, c in fields.items() if f in (Field.JOURNEY_ID, *CATEGORICAL)]
        if coded:
            fmt = ds.ParquetFileFormat(
                read_options={"dictionary_columns": coded},
                # read a row group page by page rather than whole: bounded memory
                default_fragment_scan_options=ds.ParquetFragmentScanOptions(pre_buffer=False),
            )
            dataset = ds.dataset(paths, format=fmt, partitioning="hive")
        reader = dataset.scanner(
            columns=wanted, filter=expression, batch_readahead=2, fragment_readahead=1
        ).to_reader()  # little read ahead: memory stays near one batch of raw data
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OSError) as err:
        raise SchemaError(f"not a readable Parquet data set: {err}", source=source) from None
    return read_batches(
        reader,
        schema=schema,
        journey_map=journey_map,
        timezone=timezone,
        on_error=on_error,
        source=source,
    )


def write_parquet(log: EventLog, path: PathLike, *, compression: str = "zstd") -> None:
    """Write a log to one Parquet file (needs ``touchpath[arrow]``).

    Columns have the default names; ids and categories are dictionary
    columns holding the log's own sorted names, timestamps are
    ``timestamp[us, tz=UTC]`` and amounts ``float64``, so
    :func:`read_parquet` gives back an equal log.

    >>> import tempfile, pathlib
    >>> import pyarrow.parquet as pq
    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"}])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.parquet"
    >>> write_parquet(log, path)
    >>> str(pq.read_schema(path).field("timestamp").type)
    'timestamp[us, tz=UTC]'
    """
    _import("pyarrow", "arrow", "touchpath.io.write_parquet()")
    import pyarrow.parquet as pq

    pq.write_table(to_arrow(log), os.fspath(path), compression=compression)

"""EventLogs from and to polars DataFrames (``touchpath[polars]``), without a Python loop per row.

polars is imported inside the functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from .._ingest import Coded, build_log
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

__all__ = ["from_polars", "polars_columns", "to_polars"]

_POLARS_ISO_FORMATS: Final = (
    ("%Y-%m-%dT%H:%M:%S%.fZ", None),  # naive parse of "...Z": UTC wall time
    ("%Y-%m-%dT%H:%M:%S%.f%:z", "UTC"),
    ("%Y-%m-%d %H:%M:%S%.fZ", None),
    ("%Y-%m-%d %H:%M:%S%.f%:z", "UTC"),
)


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
        return finish_timestamps(
            counts.astype(np.int64, copy=False),
            dtype.time_unit,
            null,
            dtype.time_zone is None,
            tz,
            lambda i: s[i],
        )
    if dtype.is_numeric():
        return epochs(s.fill_null(0).to_numpy(), null, unit)
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
    merged = merge_text(n, fast_rows, us[fast_rows], slow_rows, slow_values, tz, unit)
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


@attrs.frozen
class _PolarsReader:
    """polars Series in the forms the core reads fastest."""

    tz: dt.tzinfo | None
    unit: str
    null_text: bool
    timestamp_format: str | None

    def timestamps(self, column: Any) -> _Column:
        if self.null_text and column.null_count():
            column = column.fill_null("")
        dtype = column.dtype
        if self.timestamp_format is not None and not (dtype.is_numeric() or dtype.is_temporal()):
            return _polars_coded(column)
        return _polars_timestamps(column, self.tz, self.unit)

    def flags(self, column: Any) -> _Column:
        return _polars_flags(column, self.null_text)

    def amounts(self, column: Any) -> _Column:
        return _polars_amounts(column, self.null_text)

    def coded(self, column: Any) -> _Column:
        return _polars_coded(column, self.null_text)


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
    take = df.drop_in_place if consume else df.get_column
    return read_fields(fields, take, _PolarsReader(tz, unit, null_text, timestamp_format))


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
    pl = require("polars", "polars", "EventLog.from_polars()")
    if isinstance(df, pl.LazyFrame):
        df = df.collect()
    if not isinstance(df, pl.DataFrame):
        raise UnsupportedInputError(
            f"from_polars needs a polars DataFrame; got {type(df).__name__}"
        )
    schema = schema or Schema()
    tz = resolve_timezone(timezone)
    fields = present(schema, df.columns)
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


@attrs.frozen
class _PolarsWriter:
    pl: Any

    def dictionary(self, codes: npt.NDArray[Any], names: Sequence[str]) -> Any:
        pl = self.pl
        idx = pl.Series(codes.astype(np.int64, copy=False))
        missing = codes < 0
        if missing.any():
            idx = idx.set(pl.Series(missing), None)
        return pl.Series(list(names), dtype=pl.Categorical).gather(idx)

    def timestamps(self, us: npt.NDArray[np.int64]) -> Any:
        pl = self.pl
        return pl.Series(us).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")

    def flags(self, values: npt.NDArray[np.bool_]) -> Any:
        return self.pl.Series(values, dtype=self.pl.Boolean)

    def floats(self, values: npt.NDArray[np.float64]) -> Any:
        return self.pl.Series(values, dtype=self.pl.Float64)

    def nullable_flags(self, values: npt.NDArray[np.bool_], missing: npt.NDArray[np.bool_]) -> Any:
        return self.pl.Series(values, dtype=self.pl.Boolean).set(self.pl.Series(missing), None)


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
    pl = require("polars", "polars", "EventLog.to_polars()")

    return pl.DataFrame(write_fields(log, _PolarsWriter(pl)))

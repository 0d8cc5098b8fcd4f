"""EventLogs from and to pandas DataFrames (``touchpath[pandas]``), without a Python loop per row.

pandas is imported inside the functions; Arrow-backed columns are read through
the Arrow reader.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from .._ingest import Coded, build_log, factorize
from .._optional import require
from .._schema import OnError, Schema
from .._time import resolve_timezone
from ..exceptions import UnsupportedInputError
from ._arrow import _arrow_amounts, _arrow_coded, _arrow_flags, _arrow_timestamps
from ._fields import (
    epochs,
    finish_timestamps,
    present,
    read_fields,
    write_fields,
)

if TYPE_CHECKING:
    from .._ingest import _Column
    from .._log import EventLog
    from .._map import JourneyMap

__all__ = ["from_pandas", "to_pandas"]


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
        return finish_timestamps(
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
        return epochs(values, null if null is not None and null.any() else None, unit)
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


@attrs.frozen
class _PandasReader:
    """pandas Series in the forms the core reads fastest (Arrow-backed ones through Arrow)."""

    tz: dt.tzinfo | None
    unit: str
    timestamp_format: str | None

    def timestamps(self, column: Any) -> _Column:
        import pandas as pd

        text = column.dtype == object or pd.api.types.is_string_dtype(column.dtype)
        if self.timestamp_format is not None and text:
            return _pandas_coded(column)
        return _pandas_timestamps(column, self.tz, self.unit)

    def flags(self, column: Any) -> _Column:
        return _pandas_flags(column)

    def amounts(self, column: Any) -> _Column:
        return _pandas_amounts(column)

    def coded(self, column: Any) -> _Column:
        arrow = _pandas_arrow(column)
        return _arrow_coded(arrow) if arrow is not None else _pandas_coded(column)


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
    pd = require("pandas", "pandas", "EventLog.from_pandas()")
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
    fields = present(schema, names)
    reader = _PandasReader(tz, schema.timestamp_unit, schema.timestamp_format)
    columns = read_fields(fields, lambda name: df[original[name]], reader)
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


@attrs.frozen
class _PandasWriter:
    pd: Any

    def dictionary(self, codes: npt.NDArray[Any], names: Sequence[str]) -> Any:
        return self.pd.Categorical.from_codes(codes, categories=self.pd.Index(list(names)))

    def timestamps(self, us: npt.NDArray[np.int64]) -> Any:
        stamps = np.array(us).view("datetime64[us]")
        return self.pd.Series(stamps).dt.tz_localize("UTC")

    def flags(self, values: npt.NDArray[np.bool_]) -> Any:
        return np.array(values)

    def floats(self, values: npt.NDArray[np.float64]) -> Any:
        return np.array(values)

    def nullable_flags(self, values: npt.NDArray[np.bool_], missing: npt.NDArray[np.bool_]) -> Any:
        return self.pd.arrays.BooleanArray(values, missing)


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
    pd = require("pandas", "pandas", "EventLog.to_pandas()")

    return pd.DataFrame(write_fields(log, _PandasWriter(pd)))

"""One table description per result, three views of it: pandas, polars and Arrow.

A result lays itself out once, as an ordered dict of columns (:data:`Columns`):
each a 1-D numpy array or a list of Python values. The functions here turn
that dict into a pandas DataFrame, a polars DataFrame or a pyarrow Table, so
every result type's ``to_pandas()``, ``to_polars()`` and ``to_arrow()`` agree
on names, order and types. Conventions:

* ``datetime64`` arrays are UTC times (touchpath keeps every time in UTC);
  make them with :func:`utc_times`;
* ``timedelta64`` arrays are durations (``NaT`` missing); make them with
  :func:`durations`;
* a ``numpy.ma.MaskedArray`` is a column with missing entries (nullable);
* a list of ``bool`` and ``None`` is a nullable boolean column;
* an ``object`` array stays Python objects in pandas (``None``, not NaN);
* column names may be ``int`` (pandas keeps them; polars and Arrow get text).

The frame libraries are optional extras, imported inside the functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from ._optional import require

__all__ = [
    "Columns",
    "columns_from_rows",
    "durations",
    "floats",
    "to_arrow",
    "to_pandas",
    "to_polars",
    "utc_times",
]

Columns: TypeAlias = "dict[str | int, Any]"
"""Column name -> 1-D numpy array or list, in display order."""


def utc_times(us: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
    """int64 UTC microseconds as a ``datetime64[us]`` column.

    >>> utc_times([0]).tolist()
    [datetime.datetime(1970, 1, 1, 0, 0)]
    """
    return np.asarray(us, dtype=np.int64).view("datetime64[us]")


def durations(values: Iterable[dt.timedelta | None]) -> npt.NDArray[np.timedelta64]:
    """Durations (``None`` missing) as a ``timedelta64[us]`` column.

    >>> durations([dt.timedelta(seconds=1), None]).tolist()
    [datetime.timedelta(seconds=1), None]
    """
    return np.array(
        [np.timedelta64("NaT") if v is None else np.timedelta64(v, "us") for v in values],
        dtype="timedelta64[us]",
    )


def floats(values: Iterable[float | None]) -> npt.NDArray[np.float64]:
    """Numbers (``None`` missing) as a float64 column with NaN for missing.

    >>> floats([1, None]).tolist()
    [1.0, nan]
    """
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def columns_from_rows(
    rows: Sequence[Mapping[str, Any]],
    *,
    duration_prefixes: tuple[str, ...] = (),
    float_columns: tuple[str, ...] = (),
) -> Columns:
    """Rows (dicts) to columns, in the order keys first appear; absent keys are ``None``.

    Columns whose name starts with one of ``duration_prefixes`` become
    :func:`durations`, those named in ``float_columns`` :func:`floats`.

    >>> columns_from_rows([{"a": 1}, {"a": 2, "b": "x"}])
    {'a': [1, 2], 'b': [None, 'x']}
    """
    keys: dict[str, None] = {}
    for row in rows:
        keys.update(dict.fromkeys(row))
    out: Columns = {}
    for k in keys:
        values = [row.get(k) for row in rows]
        if duration_prefixes and k.startswith(duration_prefixes):
            out[k] = durations(values)
        elif k in float_columns:
            out[k] = floats(values)
        else:
            out[k] = values
    return out


def _nullable_bools(values: list[Any]) -> bool:
    return bool(values) and None in values and all(v is None or isinstance(v, bool) for v in values)


def to_pandas(columns: Columns, *, index: str | None = None, what: str) -> Any:
    """A pandas DataFrame; the column named ``index`` (if any) becomes its index.

    >>> df = to_pandas({"item": ["a"], "credit": np.array([1.5])}, index="item", what="x")
    >>> (df.index.name, df["credit"].tolist())
    ('item', [1.5])
    """
    pd = require("pandas", "pandas", what)
    data: dict[str | int, Any] = {}
    for name, col in columns.items():
        if isinstance(col, np.ma.MaskedArray):
            mask = np.ma.getmaskarray(col)
            kind = col.dtype.kind
            if kind in "iu":
                data[name] = pd.arrays.IntegerArray(np.asarray(col.data, dtype=np.int64), mask)
            elif kind == "b":
                data[name] = pd.arrays.BooleanArray(np.asarray(col.data), mask)
            else:
                data[name] = pd.arrays.FloatingArray(np.asarray(col.data, dtype=np.float64), mask)
        elif isinstance(col, np.ndarray) and col.dtype.kind == "M":
            data[name] = pd.Series(col).dt.tz_localize("UTC")
        elif isinstance(col, np.ndarray) and col.dtype.kind == "O":  # kept as Python objects
            data[name] = pd.Series(col, dtype=object)
        elif isinstance(col, list) and _nullable_bools(col):
            data[name] = pd.array(col, dtype="boolean")
        else:
            data[name] = col
    if index is None:
        return pd.DataFrame(data)
    labels = data.pop(index)
    return pd.DataFrame(data, index=pd.Index(list(labels), name=index))


def _arrow_array(col: Any) -> Any:
    import pyarrow as pa

    if isinstance(col, np.ma.MaskedArray):
        return pa.array(np.asarray(col.data), mask=np.ma.getmaskarray(col))
    if isinstance(col, np.ndarray) and col.dtype.kind == "M":
        return pa.array(col.astype("datetime64[us]").view(np.int64), type=pa.timestamp("us", "UTC"))
    if isinstance(col, np.ndarray) and col.dtype.kind == "m":
        us = col.astype("timedelta64[us]")
        return pa.array(us.view(np.int64), type=pa.duration("us"), mask=np.isnat(us))
    if isinstance(col, np.ndarray) and col.dtype.kind != "O":
        return pa.array(col)
    values = list(col)
    if values and all(isinstance(v, tuple) for v in values):
        values = [list(v) for v in values]
    return pa.array(values)


def to_arrow(columns: Columns, *, what: str) -> Any:
    """A pyarrow Table (needs ``touchpath[arrow]``); column names become text.

    >>> to_arrow({"item": ["a"], 0: np.array([2])}, what="x").column_names
    ['item', '0']
    """
    pa = require("pyarrow", "arrow", what)
    return pa.table({str(name): _arrow_array(col) for name, col in columns.items()})


def _polars_series(pl: Any, name: str, col: Any) -> Any:
    if isinstance(col, np.ma.MaskedArray):
        s = pl.Series(name, np.asarray(col.data))
        mask = pl.Series(np.ma.getmaskarray(col))
        return pl.select(pl.when(mask).then(None).otherwise(s).alias(name)).to_series()
    if isinstance(col, np.ndarray) and col.dtype.kind == "M":
        return pl.Series(name, col.astype("datetime64[us]")).dt.replace_time_zone("UTC")
    if isinstance(col, np.ndarray) and col.dtype.kind != "O":
        return pl.Series(name, col)
    values = list(col)
    if values and all(isinstance(v, tuple) for v in values):
        values = [list(v) for v in values]
    return pl.Series(name, values)


def to_polars(columns: Columns, *, what: str) -> Any:
    """A polars DataFrame (needs ``touchpath[polars]``); column names become text.

    >>> to_polars({"path": [("a", "b")], "n": np.array([1.0])}, what="x").to_dicts()
    [{'path': ['a', 'b'], 'n': 1.0}]
    """
    pl = require("polars", "polars", what)
    return pl.DataFrame([_polars_series(pl, str(name), col) for name, col in columns.items()])

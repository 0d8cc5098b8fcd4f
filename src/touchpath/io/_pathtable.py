"""Grouped path tables: one row per path with its counts, the format attribution packages use.

ChannelAttribution's ``Data.csv`` (``path;total_conversions;total_conversion_value;total_null``,
paths written ``"eta > iota > alpha"``), fractribution's path summaries and
marketing-attribution-models' journey tables all fit :func:`read_paths`:
a path column, a conversions column and optionally non-conversions and value.
Rows of the same path (a converting and a non-converting row, or the same
path exported twice) are summed into one row of the resulting
:class:`~touchpath.PathCounts`.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from .._deprecation import renamed
from .._ingest import check_on_error
from .._paths import PathCounts, _to_level
from .._schema import OnError, Rejection
from ..exceptions import ConfigError, SchemaError, UnsupportedInputError

if TYPE_CHECKING:
    from .._paths import ByLike

__all__ = ["read_paths"]

_TRUE: Final = frozenset({"true", "t", "yes", "y"})
_FALSE: Final = frozenset({"false", "f", "no", "n"})
_DELIMITERS: Final = (",", ";", "\t", "|")


class _Bad(Exception):
    """One refused field of one row."""

    def __init__(self, field: str, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.field, self.value, self.reason = field, value, reason


def _number(raw: Any, field: str, *, flag: bool = False) -> float:
    """A count or amount: a finite number >= 0; empty is 0; with ``flag`` also true/false."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return 0.0
    if isinstance(raw, bool):
        if flag:
            return float(raw)
        raise _Bad(field, raw, "must be a number, not a boolean")
    if isinstance(raw, str):
        text = raw.strip()
        if flag and text.lower() in _TRUE | _FALSE:
            return float(text.lower() in _TRUE)
        try:
            value = float(text)
        except ValueError:
            raise _Bad(field, raw, "not a number") from None
    elif isinstance(raw, int | float) or hasattr(raw, "__float__"):
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise _Bad(field, raw, "not a number") from None
        if math.isnan(value):  # a frame's missing value
            return 0.0
    else:
        raise _Bad(field, raw, f"must be a number (got a {type(raw).__name__})")
    if not math.isfinite(value):
        raise _Bad(field, raw, "must be finite")
    if value < 0:
        raise _Bad(field, raw, "must not be negative")
    return value


def _path(raw: Any, field: str, separator: str) -> tuple[str, ...]:
    """A path cell: text split on ``separator`` (items stripped), or a list of names."""
    if isinstance(raw, str):
        if not raw.strip():
            raise _Bad(field, raw, "empty path")
        items = tuple(x.strip() for x in raw.split(separator))
    elif isinstance(raw, Sequence) or hasattr(raw, "tolist"):
        seq = raw.tolist() if hasattr(raw, "tolist") else raw
        if not all(isinstance(x, str) for x in seq):
            raise _Bad(field, raw, "a path given as a list must hold text only")
        items = tuple(x.strip() for x in seq)
        if not items:
            raise _Bad(field, raw, "empty path")
    else:
        raise _Bad(field, raw, f"a path must be text (got a {type(raw).__name__})")
    if not all(items):
        raise _Bad(field, raw, f"empty item in the path (separator {separator!r})")
    return items


def _check_column(name: object, option: str, *, optional: bool) -> str | None:
    if name is None and optional:
        return None
    if not isinstance(name, str) or not name:
        allowed = "a column name or None" if optional else "a column name"
        raise ConfigError(f"{option!r} must be {allowed}; got {name!r}")
    return name


def _sniff(header: str) -> str:
    """The delimiter of a header line: the first of , ; tab | that it contains."""
    for d in _DELIMITERS:
        if d in header:
            return d
    return ","


def _csv_rows(
    path: str, delimiter: str | None, encoding: str
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and ``(line, fields)`` per data row of a CSV file (plain or gzipped)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
    except FileNotFoundError:
        raise SchemaError("no such file", source=path) from None
    except (OSError, EOFError) as err:  # a truncated or mislabelled gzip file
        raise SchemaError(f"the file could not be read: {err}", source=path) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise SchemaError(
            f"not valid {encoding} text", source=path, line=line, value=data[err.start : err.end]
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise SchemaError("the file is empty or has no header line", source=path, line=1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or _sniff(first))
    header = next(reader)
    rows: list[tuple[int, list[str]]] = []
    end = reader.line_num
    for fields in reader:
        start, end = end + 1, reader.line_num
        if fields:
            rows.append((start, fields))
    return header, rows


def _frame_columns(data: Any) -> tuple[list[str], dict[str, list[Any]], int]:
    """Column names, columns as lists and the row count of a pandas, polars or Arrow table."""
    module = type(data).__module__
    if module.startswith("pandas") and hasattr(data, "columns") and hasattr(data, "iloc"):
        names = [str(c) for c in data.columns]
        cols = {str(c): data[c].tolist() for c in data.columns}
        return names, cols, len(data)
    if module.startswith("polars") and hasattr(data, "lazy"):
        return (
            list(data.columns),
            {c: data.get_column(c).to_list() for c in data.columns},
            len(data),
        )
    if hasattr(data, "__arrow_c_stream__") or hasattr(data, "column_names"):
        import pyarrow as pa

        table = data if isinstance(data, pa.Table) else pa.table(data)
        names = list(table.column_names)
        return names, {c: table.column(c).to_pylist() for c in names}, table.num_rows
    raise UnsupportedInputError(
        "read_paths needs a CSV file path, a pandas or polars DataFrame, or Arrow data; "
        f"got {type(data).__name__}"
    )


def _error(r: Rejection, source: str | None) -> SchemaError:
    where = (
        source if r.line is not None else (f"{source} row {r.row}" if source else f"row {r.row}")
    )
    if r.field is None:
        return SchemaError(r.reason, source=where, line=r.line)
    return SchemaError(r.reason, source=where, line=r.line, field=r.field, value=r.value)


@renamed(by="level")
def read_paths(
    data: str | os.PathLike[str] | Any,
    *,
    path: str = "path",
    separator: str = " > ",
    conversions: str = "total_conversions",
    null: str | None = "total_null",
    value: str | None = "total_conversion_value",
    level: ByLike | None = None,
    delimiter: str | None = None,
    encoding: str = "utf-8",
    on_error: OnError = "raise",
) -> PathCounts:
    """Read a grouped path table into :class:`~touchpath.PathCounts`.

    ``data`` is a CSV file (gzipped or not; ``delimiter=None`` takes the
    first of ``,`` ``;`` tab ``|`` found in the header line) or a pandas,
    polars or Arrow table. The defaults read ChannelAttribution's format:
    ``path`` holds ``"a > b > c"`` (split on ``separator``, items stripped;
    a frame may hold lists of names instead), ``total_conversions``,
    ``total_null`` (non-conversions) and ``total_conversion_value``. Name your
    columns with ``conversions=``, ``null=`` and ``value=``; set ``value=None``
    when there is none, and ``null=None`` for a table of one row per journey
    (marketing-attribution-models' layout): a row with no conversion then
    counts as one non-converting journey. Conversions may be counts or
    true/false flags; empty counts are 0. Rows of the same path are summed.

    A bad row (an empty path or item, a count that is not a finite number
    >= 0, a value on a row without conversions, a wrong number of fields)
    raises a :class:`~touchpath.exceptions.SchemaError` naming the file, line
    and column, or with ``on_error="collect"`` is left out and listed in
    ``rejected``; ``rows_read`` always equals the rows used plus rejected.

    >>> import pandas as pd
    >>> from touchpath import read_paths
    >>> table = pd.DataFrame({"path": ["ads > seo", "seo", "ads > seo"],
    ...                       "total_conversions": [2, 1, 0],
    ...                       "total_conversion_value": [30.0, 5.0, 0.0],
    ...                       "total_null": [1, 4, 6]})
    >>> read_paths(table).rows()
    [(('ads', 'seo'), 2.0, 7.0, 30.0), (('seo',), 1.0, 4.0, 5.0)]
    """
    on_error = check_on_error(on_error)
    path_col = _check_column(path, "path", optional=False)
    conv_col = _check_column(conversions, "conversions", optional=False)
    null_col = _check_column(null, "null", optional=True)
    value_col = _check_column(value, "value", optional=True)
    assert path_col is not None
    assert conv_col is not None
    sep: object = separator  # callers may pass anything
    if not isinstance(sep, str) or not sep:
        raise ConfigError(f"'separator' must be non-empty text; got {separator!r}")
    if delimiter is not None and len(str(delimiter)) != 1:
        raise ConfigError(f"'delimiter' must be one character or None; got {delimiter!r}")
    field_by = None if level is None else _to_level(level)
    wanted = [c for c in (path_col, conv_col, null_col, value_col) if c is not None]

    source: str | None
    lines: list[int | None]
    if isinstance(data, str | os.PathLike):
        source = os.fspath(data)
        header, raw_rows = _csv_rows(source, delimiter, encoding)
        names = header
        lines = [line for line, _ in raw_rows]
        records = [fields for _, fields in raw_rows]
        n = len(raw_rows)
        ragged = {i: len(f) for i, f in enumerate(records) if len(f) != len(header)}
        position = {c: k for k, c in enumerate(header)}

        def cell(i: int, col: str) -> Any:
            return records[i][position[col]]
    else:
        source = None
        names, columns, n = _frame_columns(data)
        lines = [None] * n
        ragged = {}

        def cell(i: int, col: str) -> Any:
            return columns[col][i]

    missing = [c for c in wanted if c not in names]
    if missing:
        raise SchemaError(
            f"missing column {missing[0]!r}; columns found: {names}",
            source=source,
            field=missing[0],
        )

    good: list[tuple[tuple[str, ...], float, float, float]] = []
    rejected: list[Rejection] = []
    for i in range(n):
        try:
            if i in ragged:
                raise _Bad(
                    "", None, f"expected {len(names)} fields (as in the header), got {ragged[i]}"
                )
            items = _path(cell(i, path_col), path_col, separator)
            c = _number(cell(i, conv_col), conv_col, flag=True)
            nc = _number(cell(i, null_col), null_col) if null_col is not None else float(c == 0)
            v = _number(cell(i, value_col), value_col) if value_col is not None else 0.0
            if v > 0 and c == 0:
                raise _Bad(
                    value_col or "",
                    cell(i, value_col or ""),
                    "a value on a row without conversions",
                )
            if c == 0 and nc == 0:
                raise _Bad(conv_col, cell(i, conv_col), "neither conversions nor non-conversions")
        except _Bad as bad:
            rejection = Rejection(
                row=i,
                line=lines[i],
                field=bad.field or None,
                value=bad.value if bad.field else None,
                reason=bad.reason,
            )
            if on_error == "raise":
                raise _error(rejection, source) from None
            rejected.append(rejection)
            continue
        good.append((items, c, nc, v))
    table = PathCounts.from_rows(good, level=field_by)
    return attrs.evolve(table, rejected=tuple(rejected), rows_read=n)

"""One table per result: typed columns that know how to print themselves.

Every result object lays itself out once, in ``to_table()``: a :class:`Table`
of :class:`Column` descriptions (a key, a label, a :class:`ColumnKind`) over
columns of data. Everything else is a view of that table, written once here:

* ``to_pandas()``, ``to_polars()``, ``to_arrow()``: every column, raw values
  (rates as floats with NaN where undefined, durations as timedeltas);
* ``str(result)`` / :meth:`Table.to_text`: the shown columns as aligned text;
* ``_repr_html_()`` / :meth:`Table.to_html`: the same as an HTML table;
* ``report_section()`` (what ``Report.add(result)`` calls);
* the command line's text, CSV and JSON output.

The column kind decides how a value prints, with one set of rules everywhere:

=================  ===========================================================
``COUNT``          an integer with thousands separators: ``12,345``
``NUMBER``         a number to four significant digits: ``0.3333``, ``12,346``
``CREDIT``         credited conversions, ``Table.decimals`` places: ``2.50``
``MONEY``          an amount, two decimals and separators: ``1,234.50``
``RATE``           a share (a :class:`~touchpath.metrics.Ratio` or a float) as a
                   percentage: ``12.5%``
``RATE_CHANGE``    a difference of two rates in percentage points: ``+1.5 pp``
``DURATION``       a duration in one unit for the whole column (s, min, h or
                   days, chosen from the column's median): ``13.2 h``
``TIME``           an instant in ISO-8601 UTC: ``2025-03-01 12:00:00+00:00``
``QUANTITY``       a value in the unit another column names (``Column.unit_of``):
                   ``rate`` as a percentage, ``hours``/``days`` with the unit,
                   ``currency`` as money, ``count`` as a count, else a number
``FLAG``           ``yes`` / ``no``
``TEXT``           the text, whitespace collapsed
=================  ===========================================================

Undefined values (``None``, NaN, an undefined ratio, a masked entry) show as a
dash, never as 0.

>>> t = Table(
...     (Column("channel"), Column("conversions", kind=ColumnKind.CREDIT),
...      Column("share", kind=ColumnKind.RATE)),
...     {"channel": ["email", "ads"], "conversions": [2.5, 0.0], "share": [1.0, None]},
...     title="Credits", decimals=2)
>>> print(t)
Credits
channel  conversions   share
email           2.50  100.0%
ads             0.00       -
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import math
import numbers
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, cast

import attrs
import numpy as np

from ._columns import Columns, durations, to_arrow, to_pandas, to_polars
from ._markup import escape, format_number, more_rows, repr_html
from .exceptions import ConfigError

if TYPE_CHECKING:
    from .report import Section

__all__ = ["Column", "ColumnKind", "DurationUnit", "Table", "TableViews", "format_duration"]

TEXT_MISSING: Final = "-"
"""How an undefined value prints in plain text (CSV and JSON leave it empty / null)."""
HTML_MISSING: Final = "\u2014"
"""How an undefined value prints in HTML (an em dash)."""

_NOTEBOOK_ROWS: Final = 50


class ColumnKind(enum.StrEnum):
    """What a column holds, and so how its values print (see the module docstring).

    >>> ColumnKind.RATE.render(0.125), ColumnKind.RATE_CHANGE.render(-0.015)
    ('12.5%', '-1.5 pp')
    """

    TEXT = "text"
    COUNT = "count"
    NUMBER = "number"
    CREDIT = "credit"
    MONEY = "money"
    RATE = "rate"
    RATE_CHANGE = "rate_change"
    DURATION = "duration"
    TIME = "time"
    FLAG = "flag"
    QUANTITY = "quantity"

    @property
    def numeric(self) -> bool:
        """Whether the column is right-aligned (a number of some kind)."""
        return self not in (ColumnKind.TEXT, ColumnKind.TIME, ColumnKind.FLAG)

    def render(
        self, value: object, *, decimals: int = 1, unit: DurationUnit | str | None = None
    ) -> str:
        """One value as text; ``None`` (undefined) is the empty string.

        >>> ColumnKind.COUNT.render(1234), ColumnKind.MONEY.render(2.5), ColumnKind.FLAG.render(1)
        ('1,234', '2.50', 'yes')
        """
        value = _scalar(value)
        if value is None:
            return ""
        if self is ColumnKind.TEXT:
            if isinstance(value, bool):
                return "yes" if value else "no"
            if isinstance(value, tuple | list):  # a path
                return " \u2192 ".join(str(v) for v in value) or "(empty)"
            return " ".join(str(value).split())
        if self is ColumnKind.FLAG:
            return "yes" if value else "no"
        if self is ColumnKind.TIME:
            return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else str(value)
        if self is ColumnKind.DURATION:
            if not isinstance(value, dt.timedelta):
                raise ConfigError(f"a duration column holds timedeltas; got {value!r}")
            chosen = unit if isinstance(unit, DurationUnit) else None
            return (chosen or DurationUnit.for_seconds(value.total_seconds())).format(value)
        if not isinstance(value, numbers.Real):
            raise ConfigError(f"a {self.value} column holds numbers; got {value!r}")
        x = float(value)
        if self is ColumnKind.COUNT:
            return f"{round(x):,}"
        if self is ColumnKind.CREDIT:
            return f"{x:,.{decimals}f}"
        if self is ColumnKind.MONEY:
            return f"{x:,.2f}"
        if self is ColumnKind.RATE:
            return f"{x:.1%}"
        if self is ColumnKind.RATE_CHANGE:
            return f"{x * 100:+.1f} pp"
        if self is ColumnKind.QUANTITY:
            kind = _QUANTITY_KINDS.get(str(unit), ColumnKind.NUMBER)
            shown = kind.render(x, decimals=decimals)
            suffix = {"hours": " h", "days": " days"}.get(str(unit), "")
            return shown + suffix
        if isinstance(value, numbers.Integral):
            return f"{int(value):,}"
        return format_number(x, digits=4)


_QUANTITY_KINDS: Final = {
    "rate": ColumnKind.RATE,
    "currency": ColumnKind.MONEY,
    "count": ColumnKind.COUNT,
}


class DurationUnit(enum.Enum):
    """The unit a duration column prints in: the same for every row of the column.

    >>> DurationUnit.for_seconds(5400).format(dt.timedelta(minutes=30))
    '0.5 h'
    """

    SECONDS = ("s", 1.0)
    MINUTES = ("min", 60.0)
    HOURS = ("h", 3600.0)
    DAYS = ("days", 86400.0)

    @property
    def symbol(self) -> str:
        """``s``, ``min``, ``h`` or ``days``."""
        return self.value[0]

    @classmethod
    def for_seconds(cls, seconds: float) -> DurationUnit:
        """The unit that suits a typical value of ``seconds``: below a minute seconds,
        below an hour minutes, below two days hours, else days."""
        s = abs(seconds)
        if s < 60:
            return cls.SECONDS
        if s < 3600:
            return cls.MINUTES
        if s < 2 * 86400:
            return cls.HOURS
        return cls.DAYS

    def format(self, value: dt.timedelta) -> str:
        """``value`` in this unit, three significant digits."""
        return f"{format_number(value.total_seconds() / self.value[1], digits=3)} {self.symbol}"


def format_duration(value: dt.timedelta | None) -> str | None:
    """One duration in the unit that suits it (``42 min``, ``13.2 h``); None stays None.

    >>> format_duration(dt.timedelta(days=3)), format_duration(None)
    ('3 days', None)
    """
    if value is None:
        return None
    return DurationUnit.for_seconds(value.total_seconds()).format(value)


def _scalar(value: object) -> Any:
    """A Python value, ``None`` for anything undefined (NaN, NaT, undefined ratio, mask)."""
    if value is None or value is np.ma.masked:
        return None
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        us = int(value.astype("datetime64[us]").astype(np.int64))
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=us)
    if isinstance(value, np.timedelta64):
        if np.isnat(value):
            return None
        return dt.timedelta(microseconds=int(value.astype("timedelta64[us]").astype(np.int64)))
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "denominator") and hasattr(value, "is_defined"):  # a Ratio
        return getattr(value, "value", None)
    return value


@attrs.frozen
class Column:
    """One column of a :class:`Table`.

    >>> Column("share", "of first", ColumnKind.RATE).label
    'of first'
    >>> Column(0).label
    '0'
    """

    key: str | int
    """Name in exports (pandas, polars, Arrow, CSV, JSON)."""
    label: str = ""
    """Heading in text and HTML (default: the key)."""
    kind: ColumnKind = ColumnKind.TEXT
    """How its values print."""
    shown: bool = True
    """Whether text and HTML show it (exports have every column)."""
    unit: DurationUnit | None = None
    """For durations: the unit (default: chosen from the column's median)."""
    unit_of: str | int | None = None
    """For quantities: the key of the column that names each row's unit."""
    signed: bool = False
    """Whether positive numbers show a ``+`` (differences, gaps)."""

    def __attrs_post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", str(self.key))


def _as_columns(columns: Iterable[Column]) -> tuple[Column, ...]:
    return tuple(columns)


def _as_data(data: Mapping[str | int, Any] | Mapping[str, Any]) -> dict[str | int, Any]:
    out: dict[str | int, Any] = {}
    out.update(data)
    return out


def _check_columns(instance: Table, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(c, Column) for c in value):
        raise ConfigError(f"a table's columns must be Column objects; got {value!r}")


@attrs.frozen(eq=False)
class Table:
    """A result as a table: typed columns over data, with every view of it.

    ``data`` maps each column's key to a 1-D numpy array or a list (see
    :mod:`touchpath._columns` for the conventions: masked arrays for missing
    integers, ``timedelta64`` for durations, ``datetime64`` for UTC times).

    >>> t = Table((Column("step"), Column("reached", kind=ColumnKind.COUNT)),
    ...           {"step": ["visit", "buy"], "reached": [1200, 30]})
    >>> t.n_rows, t.row(1)
    (2, ['buy', 30])
    >>> print(t.to_csv(), end="")
    step,reached
    visit,1200
    buy,30
    """

    columns: tuple[Column, ...] = attrs.field(converter=_as_columns, validator=_check_columns)
    """The columns, in order."""
    data: Mapping[str | int, Any] = attrs.field(converter=_as_data)
    """Column key -> values."""
    name: str = "table"
    """Machine name (the key of the table in JSON output)."""
    title: str = ""
    """Heading in text output and the report."""
    note: str = ""
    """One line on what the numbers are (the notebook summary, the report note)."""
    index: str | int | None = None
    """The column that becomes the pandas index (None: a range index)."""
    decimals: int = 1
    """Decimal places of the credit columns."""
    source: str = ""
    """The result type shown in the notebook (``AttributionResult``)."""
    sort: str | int | tuple[str | int, ...] | None = None
    """Printed views (text, HTML, CSV, JSON) list rows by this numeric column (or the sum
    of these), largest first (ties in data order, undefined last); frames keep the data
    order."""

    def __attrs_post_init__(self) -> None:
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ConfigError(f"a table's column keys must differ; got {keys}")
        missing = [k for k in keys if k not in self.data]
        extra = [k for k in self.data if k not in keys]
        if missing or extra:
            raise ConfigError(
                f"table {self.name!r}: data and columns differ (no data for {missing}, "
                f"no column for {extra})"
            )
        lengths = {len(self.data[k]) for k in keys}
        if len(lengths) > 1:
            raise ConfigError(f"table {self.name!r}: columns have different lengths {lengths}")

    @classmethod
    def from_rows(
        cls, columns: Sequence[Column], rows: Sequence[Sequence[Any]], **options: Any
    ) -> Table:
        """A table from rows of values (durations become ``timedelta64`` columns).

        >>> Table.from_rows([Column("a"), Column("n", kind=ColumnKind.COUNT)], [["x", 1]]).row(0)
        ['x', 1]
        """
        data: Columns = {}
        for j, c in enumerate(columns):
            values = [r[j] for r in rows]
            data[c.key] = durations(values) if c.kind is ColumnKind.DURATION else values
        return cls(tuple(columns), data, **options)

    @classmethod
    def from_columns(
        cls, data: Mapping[str | int, Any], shown: Sequence[Column], **options: Any
    ) -> Table:
        """A table over ``data`` (in its order) that shows the ``shown`` columns; the other
        columns are in the exports only, their kind read from their values.

        >>> t = Table.from_columns({"step": ["a"], "n": [3], "p90": [0.5]},
        ...                        [Column("step"), Column("n", "reached", ColumnKind.COUNT)])
        >>> [(c.key, c.kind.value, c.shown) for c in t.columns]
        [('step', 'text', True), ('n', 'count', True), ('p90', 'number', False)]
        """
        given = {c.key: c for c in shown}
        unknown = [c.key for c in shown if c.key not in data]
        if unknown and all(len(v) == 0 for v in data.values()):  # no rows, no keys seen
            data = {**data, **{k: [] for k in unknown}}
            unknown = []
        if unknown:
            raise ConfigError(f"shown columns {unknown} are not in the data {list(data)}")
        columns = [
            given[k] if k in given else Column(k, kind=_kind_of(v), shown=False)
            for k, v in data.items()
        ]
        return cls(tuple(columns), data, **options)

    # -- rows and cells -------------------------------------------------------------------------

    @property
    def n_rows(self) -> int:
        """How many rows."""
        return len(self.data[self.columns[0].key]) if self.columns else 0

    def column(self, key: str | int) -> Column:
        """The column with this key."""
        for c in self.columns:
            if c.key == key:
                return c
        from .exceptions import NotFoundError

        raise NotFoundError("column", str(key), choices=[str(c.key) for c in self.columns])

    def values(self, key: str | int) -> list[Any]:
        """One column as Python values, ``None`` where undefined."""
        return [_scalar(v) for v in self.data[key]]

    def row(self, i: int) -> list[Any]:
        """Row ``i`` as Python values (every column), ``None`` where undefined."""
        return [_scalar(self.data[c.key][i]) for c in self.columns]

    def rows(self) -> Iterator[list[Any]]:
        """Every row, as :meth:`row`, in printed order (see :attr:`sort`)."""
        columns = [self.values(c.key) for c in self.columns]
        order = self._order() or range(self.n_rows)
        return ([col[i] for col in columns] for i in order)

    def _order(self) -> list[int] | None:
        if self.sort is None:
            return None
        chosen = self.sort if isinstance(self.sort, tuple) else (self.sort,)
        keys = np.zeros(self.n_rows)
        for key in chosen:
            keys -= np.array([np.nan if v is None else v for v in self.values(key)], np.float64)
        return [int(i) for i in np.argsort(keys, kind="stable")]

    def records(self) -> list[dict[str, Any]]:
        """The rows as JSON-ready dicts (undefined is ``None``, durations in seconds)."""
        keys = [str(c.key) for c in self.columns]
        return [{k: _plain(v) for k, v in zip(keys, r, strict=True)} for r in self.rows()]

    def _units(self) -> dict[str | int, DurationUnit]:
        """The unit of each shown duration column: given, else from the column's median."""
        out: dict[str | int, DurationUnit] = {}
        for c in self.columns:
            if c.kind is ColumnKind.DURATION and c.shown:
                if c.unit is not None:
                    out[c.key] = c.unit
                    continue
                seconds = [v.total_seconds() for v in self.values(c.key) if v is not None]
                out[c.key] = DurationUnit.for_seconds(float(np.median(seconds)) if seconds else 0)
        return out

    def cells(self, *, max_rows: int | None = None) -> list[list[str]]:
        """The shown columns as text, row by row (undefined is the empty string)."""
        shown = [c for c in self.columns if c.shown]
        units = self._units()
        n = self.n_rows if max_rows is None else min(max_rows, self.n_rows)
        order = self._order() or list(range(self.n_rows))
        out: list[list[str]] = []
        for c in shown:
            values = self.data[c.key]
            unit = units.get(c.key)
            row_units = None if c.unit_of is None else self.values(c.unit_of)
            cells = [
                c.kind.render(
                    values[i],
                    decimals=self.decimals,
                    unit=unit if row_units is None else row_units[i],
                )
                for i in order[:n]
            ]
            if c.signed:
                cells = [
                    "+" + v if v and (x := _scalar(values[i])) is not None and x > 0 else v
                    for v, i in zip(cells, order[:n], strict=False)
                ]
            out.append(cells)
        return [list(r) for r in zip(*out, strict=True)] if out else [[] for _ in range(n)]

    # -- text, CSV, HTML --------------------------------------------------------------------

    def to_text(self, *, max_rows: int | None = None) -> str:
        """The shown columns as aligned plain text: a title and note above, numbers right.

        >>> t = Table((Column("n", kind=ColumnKind.COUNT),), {"n": [1234, None]})
        >>> t.to_text()
        '    n\\n1,234\\n    -'
        """
        shown = [c for c in self.columns if c.shown]
        cells = [[v or TEXT_MISSING for v in r] for r in self.cells(max_rows=max_rows)]
        widths = [max([len(c.label), *(len(r[j]) for r in cells)]) for j, c in enumerate(shown)]
        right = [c.kind.numeric for c in shown]

        def line(values: Sequence[str]) -> str:
            parts = [
                v.rjust(w) if r else v.ljust(w)
                for v, w, r in zip(values, widths, right, strict=True)
            ]
            return "  ".join(parts).rstrip()

        lines = [x for x in (self.title, self.note) if x]
        lines.append(line([c.label for c in shown]))
        lines.extend(line(r) for r in cells)
        hidden = self.n_rows - len(cells)
        if hidden:
            lines.append(f"... {hidden:,} more row{'s' if hidden != 1 else ''}")
        if not self.n_rows:
            lines.append("(none)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def to_csv(self) -> str:
        """Every column as CSV, a header of keys; undefined cells are empty."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([str(c.key) for c in self.columns])
        for record in self.records():
            writer.writerow(["" if v is None else v for v in record.values()])
        return buf.getvalue()

    def to_html(self, *, max_rows: int | None = None, caption: str | None = None) -> str:
        """The shown columns as a ``<table class="touchpath-table">``, every text escaped.

        >>> t = Table((Column("x"), Column("r", kind=ColumnKind.RATE)), {"x": ["<a>"], "r": [None]})
        >>> "&lt;a&gt;" in t.to_html(), "\u2014" in t.to_html()
        (True, True)
        """
        shown = [c for c in self.columns if c.shown]
        cells = self.cells(max_rows=max_rows)
        out = ['<table class="touchpath-table">']
        if caption:
            out.append(f"<caption>{escape(caption)}</caption>")

        def attr(c: Column, missing: bool = False) -> str:
            css = " ".join(
                x for x in ("num" if c.kind.numeric else "", "na" if missing else "") if x
            )
            align = "right" if c.kind.numeric else "left"
            return (f' class="{css}"' if css else "") + f' style="text-align:{align}"'

        head = "".join(f"<th{attr(c)}>{escape(c.label)}</th>" for c in shown)
        out.append(f"<thead><tr>{head}</tr></thead>\n<tbody>")
        body = [
            "<tr>"
            + "".join(
                f"<td{attr(c, not v)}>{escape(v) if v else HTML_MISSING}</td>"
                for c, v in zip(shown, r, strict=True)
            )
            + "</tr>"
            for r in cells
        ]
        hidden = self.n_rows - len(cells)
        if hidden:
            body.append(more_rows(hidden, len(shown)))
        out.append("\n".join(body))
        out.append("</tbody></table>")
        return "".join(out)

    def _repr_html_(self) -> str:
        return repr_html(
            self.source or "Table", self.note or self.title, self.to_html(max_rows=_NOTEBOOK_ROWS)
        )

    def report_section(self, *, title: str | None = None, max_rows: int | None = None) -> Section:
        """The table as a :class:`touchpath.report.Section` (``Report.add`` calls it).

        >>> Table((Column("x"),), {"x": ["a"]}, title="Items").report_section().title
        'Items'
        """
        from .report import Section, SectionKind

        body = f'<div class="table-wrap">{self.to_html(max_rows=max_rows)}</div>'
        heading = title or self.title or self.source or self.name
        return Section(heading, body, SectionKind.TABLE, self.note or None)

    def to_table(self) -> Table:
        """The table itself (a table is :class:`touchpath.typing.Tabular` too)."""
        return self

    # -- frames ---------------------------------------------------------------------------------

    def _export(self) -> Columns:
        out: Columns = {}
        for c in self.columns:
            values = self.data[c.key]
            if isinstance(values, list) and c.kind in (ColumnKind.RATE, ColumnKind.RATE_CHANGE):
                values = np.array(
                    [np.nan if (s := _scalar(v)) is None else float(s) for v in values],
                    dtype=np.float64,
                )
            out[c.key] = values
        return out

    def to_pandas(self) -> Any:
        """Every column as a pandas DataFrame (``index`` as its index); needs ``pandas``."""
        index = cast("str | None", self.index)  # a key of the data, text or not
        return to_pandas(self._export(), index=index, what=f"{self.source or 'Table'}.to_pandas()")

    def to_polars(self) -> Any:
        """Every column as a polars DataFrame (keys as text); needs ``polars``."""
        return to_polars(self._export(), what=f"{self.source or 'Table'}.to_polars()")

    def to_arrow(self) -> Any:
        """Every column as a pyarrow Table (keys as text); needs ``pyarrow``."""
        return to_arrow(self._export(), what=f"{self.source or 'Table'}.to_arrow()")


def _kind_of(values: Any) -> ColumnKind:
    """The kind of a column from its values (for columns no result described)."""
    if isinstance(values, np.ndarray) and values.dtype.kind != "O":
        return {"m": ColumnKind.DURATION, "M": ColumnKind.TIME, "b": ColumnKind.FLAG}.get(
            values.dtype.kind,
            ColumnKind.COUNT
            if values.dtype.kind in "iu"
            else ColumnKind.NUMBER
            if values.dtype.kind == "f"
            else ColumnKind.TEXT,
        )
    present = [_scalar(v) for v in values]
    present = [v for v in present if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return ColumnKind.FLAG
    if present and all(isinstance(v, int) for v in present):
        return ColumnKind.COUNT
    if present and all(isinstance(v, int | float) for v in present):
        return ColumnKind.NUMBER
    if present and all(isinstance(v, dt.timedelta) for v in present):
        return ColumnKind.DURATION
    if present and all(isinstance(v, dt.datetime) for v in present):
        return ColumnKind.TIME
    return ColumnKind.TEXT


def _plain(value: Any) -> Any:
    """A JSON-ready value: durations in seconds, instants and other objects as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


class TableViews:
    """Every view of a result, from its one ``to_table()``: frames, text, notebook, report.

    Result types inherit it and define ``to_table()``; a result whose table
    takes options overrides the views with the same options.

    >>> import attrs
    >>> @attrs.frozen
    ... class Tally(TableViews):
    ...     n: int
    ...     def to_table(self) -> Table:
    ...         return Table((Column("n", kind=ColumnKind.COUNT),), {"n": [self.n]}, source="Tally")
    >>> print(Tally(1234))
        n
    1,234
    """

    __slots__ = ()

    def to_table(self) -> Table:
        """The result as a :class:`Table`."""
        raise NotImplementedError  # pragma: no cover - every result defines it

    def to_pandas(self) -> Any:
        """The result's table as a pandas DataFrame (needs the ``pandas`` extra)."""
        return self.to_table().to_pandas()

    def to_polars(self) -> Any:
        """The result's table as a polars DataFrame (needs the ``polars`` extra)."""
        return self.to_table().to_polars()

    def to_arrow(self) -> Any:
        """The result's table as a pyarrow Table (needs the ``arrow`` extra)."""
        return self.to_table().to_arrow()

    def __str__(self) -> str:
        return self.to_table().to_text()

    def _repr_html_(self) -> str:
        return self.to_table()._repr_html_()

    def report_section(self, *, title: str | None = None) -> Section:
        """The result's table as a :class:`touchpath.report.Section` (``Report.add`` calls it)."""
        return self.to_table().report_section(title=title)

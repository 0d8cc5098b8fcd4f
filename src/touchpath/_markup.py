"""Escaping and compact HTML tables for notebook reprs and the HTML report.

Every touchpath object that renders itself in Jupyter (``_repr_html_``) or in
:mod:`touchpath.report` builds its markup with these helpers, so all of them
escape user text the same way and look alike. The API, for the result objects
of attribution, validation and metrics:

``clean_text(text)``
    ``text`` with what XML 1.0 cannot hold replaced: control characters
    (tab included, newline kept) become spaces, ``\\r\\n``/``\\r`` become
    ``\\n``, lone surrogates and U+FFFE/U+FFFF become U+FFFD.
``escape(text)``
    ``clean_text`` of ``str(text)``, then ``& < > " '`` and newlines as
    character references: safe in element content and in quoted attributes
    (where a parser would otherwise turn a raw newline into a space), of HTML
    and of SVG/XML alike.
``Html``
    A ``str`` subclass marking markup that is already safe; :func:`html_table`
    and :func:`repr_html` insert it verbatim instead of escaping it.
``format_number(value, *, digits=3)``
    Integers with thousands separators, floats to ``digits`` significant
    digits (no exponent below ``10 ** 15``), NaN and infinities in words.
``html_table(headers, rows, *, caption=None, number_format=None, max_rows=None)``
    A ``<table class="touchpath-table">``; cells are formatted by type (numbers
    right-aligned, ``None`` and NaN as a dash, booleans as yes/no, ``Html``
    verbatim, everything else escaped text). ``number_format`` (a format spec
    such as ``".1%"`` or a callable) applies to floats, for every column or per
    column when a sequence.
``key_value_table(pairs, *, caption=None)``
    A two-column table of labelled values (summaries).
``repr_html(kind, summary, *parts)``
    The ``_repr_html_`` wrapper: one ``<div class="touchpath-repr">`` with the
    scoped CSS, a one-line summary (``kind`` in bold) and the parts.
``CSS``
    The style sheet of those classes (the report inlines it too).
``markdown_escape(text)``
    Plain text that Markdown shows literally.

The reprs of the core objects that use them live in :mod:`touchpath._repr`.

>>> print(html_table(["channel", "credit"], [["email", 2.5], ["<ads>", None]]))
... # doctest: +NORMALIZE_WHITESPACE
<table class="touchpath-table"><thead><tr><th style="text-align:left">channel</th><th
class="num" style="text-align:right">credit</th></tr></thead> <tbody><tr><td
style="text-align:left">email</td><td class="num" style="text-align:right">2.5</td></tr>
<tr><td style="text-align:left">&lt;ads&gt;</td><td class="num na"
style="text-align:right">—</td></tr></tbody></table>
"""

from __future__ import annotations

import datetime as dt
import html
import math
import numbers
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Final, TypeAlias

import numpy as np

from .exceptions import ConfigError

__all__ = [
    "CSS",
    "Html",
    "NumberFormat",
    "clean_text",
    "escape",
    "format_number",
    "html_table",
    "key_value_table",
    "markdown_escape",
    "more_rows",
    "repr_html",
]

NumberFormat: TypeAlias = str | Callable[[float], str]
"""A format spec for :func:`format` (``".1%"``, ``",.2f"``) or a function of the value."""

_NEWLINES: Final = re.compile("\r\n?")
_CONTROL: Final = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_NOT_XML: Final = re.compile("[\ud800-\udfff\ufffe\uffff]")
_MISSING_TEXT: Final = "\u2014"

CSS: Final = """\
.touchpath-repr{font-size:13px;line-height:1.4}
.touchpath-repr .touchpath-summary{margin:2px 0 6px}
.touchpath-repr .touchpath-figure{overflow-x:auto}
.touchpath-repr svg.touchpath-map{max-width:none;height:auto}
table.touchpath-table{border-collapse:collapse;margin:4px 0 10px;font-size:13px}
table.touchpath-table caption{text-align:left;font-weight:600;padding:2px 0 4px}
table.touchpath-table th,table.touchpath-table td{padding:3px 10px;text-align:left;\
border-bottom:1px solid rgba(127,127,127,.3);vertical-align:top}
table.touchpath-table thead th{border-bottom:2px solid rgba(127,127,127,.65)}
table.touchpath-table .num{text-align:right;font-variant-numeric:tabular-nums}
table.touchpath-table .na{opacity:.72}
table.touchpath-table .more{opacity:.75;font-style:italic}
table.touchpath-kv th{font-weight:500;opacity:.8}
table.touchpath-kv td.num{text-align:left}"""


class Html(str):
    """Markup that is already safe: inserted verbatim by the helpers of this module.

    >>> html_table(["x"], [[Html("<b>1</b>")]]).count("<b>1</b>")
    1
    """

    __slots__ = ()


def clean_text(text: str) -> str:
    """Text that XML 1.0 can hold: see the module docstring for the replacements.

    >>> clean_text("a\\tb\\r\\nc\\x00d\\ud800")
    'a b\\nc d\\ufffd'
    """
    text = _NEWLINES.sub("\n", text)
    text = _CONTROL.sub(" ", text)
    return _NOT_XML.sub("\ufffd", text)


def escape(text: object) -> str:
    """Escape text for HTML or XML element content and quoted attributes.

    >>> escape('R&D <"quotes"> \\'single\\'\\n')
    'R&amp;D &lt;&quot;quotes&quot;&gt; &#x27;single&#x27;&#10;'
    """
    return html.escape(clean_text(str(text)), quote=True).replace("\n", "&#10;")


def format_number(value: numbers.Real | float, *, digits: int = 3) -> str:
    """A number as compact text: ``1,234``, ``0.333``, ``12,346``, ``NaN``.

    Integers keep every digit; floats are rounded to ``digits`` significant
    digits, except that the integer part is never cut (``12,345.6`` becomes
    ``12,346``); very large or very small floats use an exponent.

    >>> [format_number(v) for v in (1234, 2.5, 1 / 3, 12345.6, 0.0, float("nan"), -1e20)]
    ['1,234', '2.5', '0.333', '12,346', '0', 'NaN', '-1e+20']
    """
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    x = float(value)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "\u221e" if x > 0 else "-\u221e"
    if x == 0:
        return "0"
    magnitude = abs(x)
    if magnitude >= 1e15 or magnitude < 1e-4:
        return f"{x:.{max(digits, 1)}g}"
    if magnitude >= 10 ** (digits - 1):
        return f"{x:,.0f}"
    return f"{x:,.{digits}g}"


def _number_formats(number_format: object, n_columns: int) -> list[NumberFormat | None]:
    if number_format is None or isinstance(number_format, str) or callable(number_format):
        return [number_format] * n_columns
    if not isinstance(number_format, Sequence):
        raise ConfigError(
            f"'number_format' must be a format spec, a function or a sequence of them; "
            f"got {number_format!r}"
        )
    if len(number_format) != n_columns:
        raise ConfigError(
            f"'number_format' has {len(number_format)} entries for {n_columns} columns; "
            f"got {list(number_format)!r}"
        )
    return list(number_format)


def _apply_format(value: float, fmt: NumberFormat | None) -> str:
    if fmt is None:
        return format_number(value)
    if isinstance(fmt, str):
        try:
            return format(value, fmt)
        except ValueError as exc:
            raise ConfigError(f"'number_format' {fmt!r} cannot format {value!r}: {exc}") from None
    return str(fmt(value))


def _cell(value: object, fmt: NumberFormat | None) -> tuple[str, str]:
    """(css class, inner html) of one table cell."""
    if isinstance(value, Html):
        return "", str(value)
    if value is None:
        return "na", _MISSING_TEXT
    if isinstance(value, bool | np.bool_):
        return "", "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return "num", f"{int(value):,}"
    if isinstance(value, numbers.Real):
        x = float(value)
        if math.isnan(x):
            return "num na", _MISSING_TEXT
        return "num", escape(_apply_format(x, fmt))
    if isinstance(value, dt.datetime):
        return "", escape(value.isoformat(sep=" "))
    return "", escape(value)


def _is_numeric(value: object) -> bool:
    if isinstance(value, bool | np.bool_):
        return False
    return isinstance(value, numbers.Real)


def _attr(css: str, align: str | None = None) -> str:
    """Class and alignment attributes of a cell; the alignment is inline so that notebook
    front ends whose CSS aligns every cell (JupyterLab right-aligns them) or that strip
    ``<style>`` from untrusted output still show text left and numbers right."""
    out = f' class="{css}"' if css else ""
    return out + (f' style="text-align:{align}"' if align else "")


def html_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    caption: str | None = None,
    number_format: NumberFormat | Sequence[NumberFormat | None] | None = None,
    max_rows: int | None = None,
) -> str:
    """A compact HTML table; every header, caption and text cell is escaped.

    A column whose cells are all numbers (or missing) gets a right-aligned
    header. With ``max_rows``, the rows past it are left out and a last row
    says how many.

    >>> t = html_table(["stage", "share"], [["a", 0.25], ["b", 0.5], ["c", 0.25]],
    ...                number_format=[None, ".0%"], max_rows=2, caption="Funnel")
    >>> "<caption>Funnel</caption>" in t, "50%" in t, "1 more row" in t
    (True, True, True)
    """
    n = len(headers)
    fmts = _number_formats(number_format, n)
    all_rows = [list(r) for r in rows]
    for i, row in enumerate(all_rows):
        if len(row) != n:
            raise ConfigError(f"table row {i} has {len(row)} cells for {n} headers; got {row!r}")
    if max_rows is not None and (isinstance(max_rows, bool) or max_rows < 0):
        raise ConfigError(f"'max_rows' must be a non-negative integer or None; got {max_rows!r}")
    shown = all_rows if max_rows is None else all_rows[:max_rows]
    numeric = [
        any(_is_numeric(r[j]) for r in all_rows)
        and all(_is_numeric(r[j]) or r[j] is None for r in all_rows)
        for j in range(n)
    ]
    out = ['<table class="touchpath-table">']
    if caption is not None:
        out.append(f"<caption>{escape(caption)}</caption>")
    align = ["right" if numeric[j] else "left" for j in range(n)]
    head = "".join(
        f"<th{_attr('num' if numeric[j] else '', align[j])}>{escape(h)}</th>"
        for j, h in enumerate(headers)
    )
    out.append(f"<thead><tr>{head}</tr></thead>\n<tbody>")
    body: list[str] = []
    for row in shown:
        cells = []
        for j, value in enumerate(row):
            css, inner = _cell(value, fmts[j])
            if numeric[j] and "num" not in css:
                css = f"num {css}".strip()
            cells.append(f"<td{_attr(css, align[j])}>{inner}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    hidden = len(all_rows) - len(shown)
    if hidden:
        body.append(more_rows(hidden, n))
    out.append("\n".join(body))
    out.append("</tbody></table>")
    return "".join(out)


def more_rows(hidden: int, colspan: int) -> str:
    """The last row of a cut table: how many rows are not shown.

    >>> more_rows(1200, 3)
    '<tr><td class="more" colspan="3" style="text-align:left">\u2026 1,200 more rows</td></tr>'
    """
    noun = "row" if hidden == 1 else "rows"
    return (
        f'<tr><td class="more" colspan="{colspan}" style="text-align:left">'
        f"\u2026 {hidden:,} more {noun}</td></tr>"
    )


def key_value_table(
    pairs: Iterable[tuple[str, object]],
    *,
    caption: str | None = None,
    number_format: NumberFormat | None = None,
) -> str:
    """A two-column table of labelled values (no header row).

    >>> t = key_value_table([("journeys", 1200), ("value", 1234.5)])
    >>> t.count("<tr>"), '>journeys</th><td class="num" style="text-align:left">1,200<' in t
    (2, True)
    """
    out = ['<table class="touchpath-table touchpath-kv">']
    if caption is not None:
        out.append(f"<caption>{escape(caption)}</caption>")
    rows = []
    for key, value in pairs:
        css, inner = _cell(value, number_format)
        rows.append(
            f"<tr><th{_attr('', 'left')}>{escape(key)}</th>"
            f"<td{_attr(css, 'left')}>{inner}</td></tr>"
        )
    out.append("<tbody>" + "\n".join(rows) + "</tbody></table>")
    return "".join(out)


def repr_html(kind: str, summary: str, *parts: str) -> str:
    """Wrap a one-line summary and parts (trusted HTML) for ``_repr_html_``.

    >>> print(repr_html("EventLog", "2 journeys & 3 events"))  # doctest: +ELLIPSIS
    <div class="touchpath-repr"><style>...</style><p class="touchpath-summary"><strong>EventLog...
    2 journeys &amp; 3 events</p></div>
    """
    line = f'<p class="touchpath-summary"><strong>{escape(kind)}</strong> {escape(summary)}</p>'
    return f'<div class="touchpath-repr"><style>{CSS}</style>{line}{"".join(parts)}</div>'


_MD_SPECIAL: Final = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")


def markdown_escape(text: object) -> str:
    """Plain text that Markdown shows literally (on one line).

    >>> markdown_escape("a_b *c* <d>")
    'a\\\\_b \\\\*c\\\\* \\\\<d\\\\>'
    """
    return _MD_SPECIAL.sub(r"\\\1", " ".join(clean_text(str(text)).split()))

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

The reprs of the core objects are built here too: :func:`map_summary`,
:func:`journey_map_html`, :func:`journey_map_markdown`,
:func:`event_log_summary`, :func:`event_log_head` and :func:`event_log_html`.

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
from typing import TYPE_CHECKING, Final, TypeAlias

import numpy as np

from .exceptions import ConfigError

if TYPE_CHECKING:
    from ._log import EventLog
    from ._map import JourneyMap

__all__ = [
    "CSS",
    "Html",
    "NumberFormat",
    "clean_text",
    "escape",
    "event_log_head",
    "event_log_html",
    "event_log_summary",
    "format_number",
    "html_table",
    "journey_map_html",
    "journey_map_markdown",
    "key_value_table",
    "map_summary",
    "markdown_escape",
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
        noun = "row" if hidden == 1 else "rows"
        body.append(
            f'<tr><td class="more" colspan="{n}" style="text-align:left">'
            f"\u2026 {hidden:,} more {noun}</td></tr>"
        )
    out.append("\n".join(body))
    out.append("</tbody></table>")
    return "".join(out)


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


# -- reprs of the core objects ------------------------------------------------------------------

_MD_SPECIAL: Final = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")


def markdown_escape(text: object) -> str:
    """Plain text that Markdown shows literally (on one line).

    >>> markdown_escape("a_b *c* <d>")
    'a\\\\_b \\\\*c\\\\* \\\\<d\\\\>'
    """
    return _MD_SPECIAL.sub(r"\\\1", " ".join(clean_text(str(text)).split()))


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def map_summary(journey_map: JourneyMap) -> str:
    """One line describing a map: name, sizes, entry and terminal stages.

    >>> from touchpath import templates
    >>> map_summary(templates.get("acquisition_nurture_growth"))  # doctest: +NORMALIZE_WHITESPACE
    "'acquisition_nurture_growth': 13 stages, 13 edges (1 loop-back), 33 touchpoints;
     entry: anonymous_visitor; terminal: referral"
    """
    loops = sum(e.is_loop_back for e in journey_map.edges)
    loop_text = f" ({_plural(loops, 'loop-back')})" if loops else ""
    return (
        f"{journey_map.name!r}: {_plural(len(journey_map.stages), 'stage')}, "
        f"{_plural(len(journey_map.edges), 'edge')}{loop_text}, "
        f"{_plural(len(journey_map.touchpoints), 'touchpoint')}; "
        f"entry: {', '.join(journey_map.entry_stages)}; "
        f"terminal: {', '.join(journey_map.terminal_stages)}"
    )


def journey_map_html(journey_map: JourneyMap) -> str:
    """``JourneyMap._repr_html_``: the one-line summary and the SVG diagram.

    >>> from touchpath import templates
    >>> out = journey_map_html(templates.get("b2b_five_stage"))
    >>> out.count("<svg"), "5 stages" in out
    (1, True)
    """
    from .render._svg import to_svg

    figure = f'<div class="touchpath-figure">{to_svg(journey_map)}</div>'
    return repr_html("JourneyMap", map_summary(journey_map), figure)


def journey_map_markdown(journey_map: JourneyMap, *, mermaid: bool = True) -> str:
    """``JourneyMap._repr_markdown_``: the summary line and a Mermaid block.

    >>> from touchpath import JourneyMap
    >>> m = JourneyMap.builder("a_b").stage("x").stage("y").edge("x", "y").build()
    >>> print(journey_map_markdown(m))  # doctest: +ELLIPSIS
    **JourneyMap** 'a\\_b': 2 stages, 1 edge, 0 touchpoints; entry: x; terminal: y
    <BLANKLINE>
    ```mermaid
    flowchart LR
    ...
    ```
    """
    line = f"**JourneyMap** {markdown_escape(map_summary(journey_map))}"
    if not mermaid:
        return line
    return f"{line}\n\n```mermaid\n{journey_map.to_mermaid()}\n```"


def event_log_summary(log: EventLog) -> list[tuple[str, object]]:
    """Labelled facts about a log for a summary table (one pass over the columns).

    Duplicates need a sort, which is skipped when there are no ties: a
    duplicate event always ties with the event it repeats.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "x",
    ...                               "converted": 1, "value": 5}])
    >>> dict(event_log_summary(log))["conversions"]
    1
    """
    ties = log.ties
    conversions = int(np.count_nonzero(log.converted))
    converting = int(np.count_nonzero(log.journey_converted))
    share = f" ({converting / len(log):.1%})" if len(log) else ""
    rows: list[tuple[str, object]] = [
        ("journeys", len(log)),
        ("events", log.n_events),
        ("conversions", conversions),
        ("converting journeys", Html(f"{converting:,}{escape(share)}")),
        ("value", float(log.values[log.converted].sum())),
    ]
    cost = float(log.costs.sum())
    if cost:
        rows.append(("cost", cost))
    for label, names in (
        ("channels", log.channel_ids),
        ("touchpoints", log.touchpoint_ids),
        ("stages", log.stage_ids),
        ("campaigns", log.campaigns),
        ("segments", log.segments),
        ("accounts", log.accounts),
    ):
        if names or label in ("channels", "touchpoints", "stages"):
            rows.append((label, len(names)))
    start, end = log.start, log.end
    if start is not None and end is not None:
        rows.append(
            (
                "date range",
                f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC",
            )
        )
    rows += [
        ("timestamp ties", ties),
        ("duplicate events", log.duplicates if ties else 0),
        ("rows read", log.rows_read),
        ("rejected rows", len(log.rejected)),
    ]
    if log.source is not None:
        rows.append(("source", log.source))
    return rows


def event_log_head(log: EventLog, n: int = 5) -> str:
    """A table of the first ``n`` events (only the fields the log has).

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([{"journey_id": "j<1>", "timestamp": 0, "channel": "x"}])
    >>> "j&lt;1&gt;" in event_log_head(log)
    True
    """
    from ._time import to_datetime

    k = min(n, log.n_events)
    journeys = log.journey_ids[log.event_journey[:k]].tolist()
    cols: list[tuple[str, list[object]]] = [
        ("journey", journeys),
        (
            "timestamp",
            [to_datetime(t).strftime("%Y-%m-%d %H:%M:%S") for t in log.timestamps[:k].tolist()],
        ),
    ]
    for label, codes, names in (
        ("touchpoint", log.touchpoint_codes, log.touchpoint_ids),
        ("channel", log.channel_codes, log.channel_ids),
        ("stage", log.stage_codes, log.stage_ids),
        ("campaign", log.campaign_codes, log.campaigns),
        ("segment", log.segment_codes, log.segments),
        ("account", log.account_codes, log.accounts),
    ):
        if names:
            table: list[object] = [*names, None]
            cols.append((label, [table[c] for c in codes[:k].tolist()]))
    if bool(np.any(log.converted)):
        cols.append(("converted", log.converted[:k].tolist()))
        cols.append(("value", log.values[:k].tolist()))
    if bool(np.any(log.costs)):
        cols.append(("cost", log.costs[:k].tolist()))
    headers = [c[0] for c in cols]
    rows = [[c[1][i] for c in cols] for i in range(k)]
    more = log.n_events - k
    caption = f"First {k:,} of {log.n_events:,} events" if more else f"All {k:,} events"
    return html_table(headers, rows, caption=caption)


def event_log_html(log: EventLog, *, head: int = 5) -> str:
    """``EventLog._repr_html_``: summary line, summary table, first events, first rejections.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "x"}])
    >>> out = event_log_html(log)
    >>> out.count("<table"), "1 journey, 1 event" in out
    (2, True)
    """
    span = ""
    if log.start is not None and log.end is not None:
        span = f", {log.start.date().isoformat()} to {log.end.date().isoformat()}"
    summary = f"{_plural(len(log), 'journey')}, {_plural(log.n_events, 'event')}{span}"
    parts = [key_value_table(event_log_summary(log), caption="Summary")]
    if log.n_events:
        parts.append(event_log_head(log, head))
    if log.rejected:
        shown = log.rejected[:head]
        parts.append(
            html_table(
                ["row", "line", "field", "value", "reason"],
                [[r.row, r.line, r.field, repr(r.value), r.reason] for r in shown],
                caption=f"Rejected rows (first {len(shown):,} of {len(log.rejected):,})",
            )
        )
    return repr_html("EventLog", summary, *parts)

"""The notebook and Markdown reprs of the core objects: journey maps and event logs.

Built from the primitives of :mod:`touchpath._markup` (escaping, tables, the
``_repr_html_`` wrapper), which are re-exported here for older imports.

>>> from touchpath import EventLog
>>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "a"}])
>>> event_log_summary(log)[:2]
[('journeys', 1), ('events', 1)]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._markup import CSS as CSS
from ._markup import Html as Html
from ._markup import NumberFormat as NumberFormat
from ._markup import clean_text as clean_text
from ._markup import escape as escape
from ._markup import format_number as format_number
from ._markup import html_table as html_table
from ._markup import key_value_table as key_value_table
from ._markup import markdown_escape as markdown_escape
from ._markup import repr_html as repr_html

if TYPE_CHECKING:
    from ._log import EventLog
    from ._map import JourneyMap

__all__ = [
    "event_log_head",
    "event_log_html",
    "event_log_summary",
    "journey_map_html",
    "journey_map_markdown",
    "map_summary",
]


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
        ("campaigns", log.campaign_ids),
        ("segments", log.segment_ids),
        ("accounts", log.account_ids),
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
        ("campaign", log.campaign_codes, log.campaign_ids),
        ("segment", log.segment_codes, log.segment_ids),
        ("account", log.account_codes, log.account_ids),
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

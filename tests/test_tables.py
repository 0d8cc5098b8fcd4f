"""Every result is one table: ``to_table()`` lays it out, and printing, the notebook, the
report and the pandas / polars / Arrow exports are views of that table.

The log below is small enough to work every cell out by hand; each case's docstring-like
comment says how its expected cells were computed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from touchpath import (
    Column,
    ColumnKind,
    DurationUnit,
    EventLog,
    JourneyMap,
    Spend,
    Table,
    templates,
)
from touchpath._table import TableViews
from touchpath.attribution import (
    FirstTouch,
    LastTouch,
    attribute,
    bootstrap,
    compare_models,
    spend_report,
)
from touchpath.metrics import (
    Ratio,
    RevenueMovements,
    compare_segments,
    dropoff_paths,
    dwell_times,
    funnel,
    funnel_trends,
    path_flow,
    retention,
    scorecard,
    step_matrix,
    time_between,
    top_paths,
    transition_graph,
)
from touchpath.report import Report
from touchpath.report._html import static_problems
from touchpath.typing import Tabular
from touchpath.validation import align, compare_to_map, coverage, validate

H = 3600
# a: s1/ads at 0, s2/seo at 1 h, s3/seo at 3 h converting (value 10)
# b: s1/email at 0, s3/ads at 2 h converting (value 4)
# c: s2/ads at 0
LOG = EventLog.from_records(
    [
        {"journey_id": "a", "timestamp": 0, "stage": "s1", "channel": "ads"},
        {"journey_id": "a", "timestamp": H, "stage": "s2", "channel": "seo"},
        {"journey_id": "a", "timestamp": 3 * H, "stage": "s3", "channel": "seo",
         "converted": True, "value": 10.0},
        {"journey_id": "b", "timestamp": 0, "stage": "s1", "channel": "email"},
        {"journey_id": "b", "timestamp": 2 * H, "stage": "s3", "channel": "ads",
         "converted": True, "value": 4.0},
        {"journey_id": "c", "timestamp": 0, "stage": "s2", "channel": "ads"},
    ],
    schema=None,
)  # fmt: skip
MAP = JourneyMap.builder("m").stage("s1").stage("s2").stage("s3").path("s1", "s2", "s3").build()
SPEND = Spend.from_rows([("1970-01-01", "ads", None, 20.0)])

# (name, make, the first printed row's leading cells, worked out by hand)
CASES: list[tuple[str, Callable[[], Any], list[str]]] = [
    # last touch: ads gets b's conversion (value 4), seo a's (10); 1 of 2 each; most credited
    # first, ties in item order (ads before seo)
    ("AttributionResult", lambda: attribute(LOG, LastTouch()), ["ads", "1.0", "4.00", "50.0%"]),
    # first touch: ads (a) and email (b); last touch: seo (a) and ads (b); ads has 2 in all
    ("Comparison", lambda: compare_models(LOG, [FirstTouch(), LastTouch()]), ["ads", "1.0", "1.0"]),
    # the point estimate is last touch's credit of ads
    ("BootstrapResult", lambda: bootstrap(LOG, LastTouch(), n=5, seed=1), ["ads", "1.0"]),
    # ads: spend 20, 1 conversion worth 4 (b's, its first): CPA 20, ROAS 4 / 20, CAC 20
    (
        "SpendReport",
        lambda: spend_report(attribute(LOG, LastTouch()), SPEND),
        ["ads", "all", "20.00", "1.00", "4.00", "20.00", "0.2", "20.00"],
    ),
    # s1 reached by a and b; s2 by a only (c never reached s1), 1 h after s1; s3 by a
    (
        "FunnelResult",
        lambda: funnel(LOG, ["s1", "s2", "s3"], level="stage"),
        ["s1", "2", "100.0%", "100.0%", "1", "50.0%", "-"],
    ),
    # every journey enters on 1970-01-01 (a Thursday), so one day holds the funnel
    (
        "FunnelTrends",
        lambda: funnel_trends(LOG, ["s1", "s2", "s3"], level="stage", period="day"),
        ["1970-01-01", "s1", "2", "100.0%", "100.0%", "1"],
    ),
    # s1 -> s3: a after 3 h, b after 2 h; median 2.5 h
    (
        "TimeBetween",
        lambda: time_between(LOG, "s1", "s3"),
        ["s1", "s3", "2", "2", "0", "2.5 h"],
    ),
    # s1: a stays 1 h, b 2 h, both visits completed; median 1.5 h
    ("DwellTimes", lambda: dwell_times(LOG), ["s1", "2", "2", "2", "0", "1.5 h"]),
    # one cohort (day 0) of all 3 journeys, all active on their first day
    (
        "RetentionTable",
        lambda: retention(LOG, period="day", now=dt.datetime(1970, 1, 3, tzinfo=dt.UTC)),
        ["1970-01-01", "3", "100.0%"],
    ),
    # the first KPI of the template (awareness) is unmeasured: no actual, no gap
    (
        "Scorecard",
        lambda: scorecard(templates.get("pay_per_call_marketplace"), {"nps": 62}),
        ["awareness"],
    ),
    # b's event 1 moves s1 -> s3, not a move of the map (c's start in s2 is the other)
    ("ValidationReport", lambda: validate(LOG, MAP), ["b", "1"]),
    # every stage of the map occurs in the data
    ("Coverage", lambda: coverage(LOG, MAP), ["stages", "3", "3"]),
    # a walks s1, s2, s3: the map's path, cost 0
    ("Alignments", lambda: align(LOG, MAP), ["a", "0"]),
    # a moves s1 -> s2 after 1 h; of the 2 moves out of s1 (a to s2, b to s3), 1
    (
        "MapComparison",
        lambda: compare_to_map(LOG, MAP),
        ["s1", "s2", "forward", "1", "1", "50.0%", "1 h"],
    ),
    # the stage moves: s1 -> s2 (a, after 1 h), s1 -> s3 (b), s2 -> s3 (a); of the 2 moves
    # out of s1, 1 goes to s2; the one move's median and mean are 1 h
    (
        "TransitionGraph",
        lambda: transition_graph(LOG),
        ["s1", "s2", "1", "1", "50.0%", "1 h", "1 h"],
    ),
    # first band of step 0: s1 to s2 (a), 1 of the 3 journeys at step 0
    ("PathFlow", lambda: path_flow(LOG, steps=2), ["0", "s1", "s2", "1", "33.3%"]),
    # at step 1, a and b are at s1: 2 of 3 journeys
    ("StepMatrix", lambda: step_matrix(LOG, steps=2), ["s1", "66.7%"]),
    # a's path ads > seo > seo converts once (value 10) and occurs once: half of 2 conversions
    (
        "TopPaths",
        lambda: top_paths(LOG),
        ["ads \u2192 seo \u2192 seo", "1", "1", "100.0%", "10.00", "50.0%"],
    ),
    # b drops off at s1 (never reaches s2); its next move is s3
    (
        "DropoffPaths",
        lambda: dropoff_paths(LOG, ["s1", "s2", "s3"], step="s1", moves=1),
        ["s3", "no", "1", "100.0%"],
    ),
    # 5 of 10 against 2 of 10: 30 percentage points more
    (
        "SegmentComparison",
        lambda: compare_segments({"a": Ratio(5, 10), "b": Ratio(2, 10)}, baseline="b"),
        ["a", "-", "50.0%", "20.0%", "+30.0 pp"],
    ),
    # NRR (400 + 60 - 20 - 100) / 400 = 85 %, GRR (400 - 20 - 100) / 400 = 70 %
    (
        "RevenueMovements",
        lambda: RevenueMovements(4, 1, 400.0, 60.0, 20.0, 100.0, 50.0),
        ["4", "1", "400.00", "60.00", "20.00", "100.00", "50.00", "85.0%", "70.0%"],
    ),
]
IDS = [c[0] for c in CASES]


def _first_row(table: Table) -> list[str]:
    return [v or "-" for v in table.cells(max_rows=1)[0]]


@pytest.mark.parametrize(("name", "make", "cells"), CASES, ids=IDS)
def test_first_printed_row_is_the_hand_computed_one(
    name: str, make: Callable[[], Any], cells: list[str]
) -> None:
    """The first printed row of each result's table starts with the cells worked out above."""
    result = make()
    assert type(result).__name__ == name
    table = result.to_table()
    assert isinstance(result, Tabular)
    assert _first_row(table)[: len(cells)] == cells


@pytest.mark.parametrize(("name", "make", "cells"), CASES, ids=IDS)
def test_every_view_comes_from_the_table(
    name: str, make: Callable[[], Any], cells: list[str]
) -> None:
    """print(), the notebook, the report and the three frames all show the one table."""
    result = make()
    table = result.to_table()
    text = str(result)
    shown = result.to_table(limit=10) if name == "ValidationReport" else table  # + summaries
    assert shown.to_text().splitlines()[-1] in text.splitlines()
    html = result._repr_html_() if hasattr(result, "_repr_html_") else table._repr_html_()
    assert static_problems(html) == []
    if isinstance(result, TableViews):  # the notebook shows the table's own HTML
        assert table.to_html(max_rows=50) in html
    report = Report("r").add(result)
    (section,) = report.sections
    assert "<table" in section.body
    keys = [str(c.key) for c in table.columns]
    frame = result.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    names = [str(c) for c in ([frame.index.name] if table.index is not None else [])]
    assert names + [str(c) for c in frame.columns] == keys
    assert isinstance(table.to_polars(), pl.DataFrame)
    assert table.to_polars().columns == keys
    assert isinstance(table.to_arrow(), pa.Table)
    assert table.to_arrow().column_names == keys


def test_retention_was_not_reportable_and_now_is() -> None:
    """``Report().add(metrics.retention(log))`` used to raise; now it is a table section."""
    section = Report("r").add(retention(LOG, period="day")).sections[0]
    assert section.title == "Retention"
    assert "100.0%" in section.body


# -- the formatting rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        (ColumnKind.COUNT, 1234567, "1,234,567"),
        (ColumnKind.NUMBER, 1 / 3, "0.3333"),
        (ColumnKind.MONEY, 1234.5, "1,234.50"),
        (ColumnKind.RATE, 0.1234, "12.3%"),
        (ColumnKind.RATE, Ratio(1, 8), "12.5%"),
        (ColumnKind.RATE_CHANGE, -0.015, "-1.5 pp"),
        (ColumnKind.RATE_CHANGE, 0.3, "+30.0 pp"),
        (ColumnKind.FLAG, True, "yes"),
        (ColumnKind.TEXT, "a  b\n c", "a b c"),
        (ColumnKind.TEXT, ("ads", "seo"), "ads \u2192 seo"),
        (
            ColumnKind.TIME,
            dt.datetime(2025, 1, 2, 3, 4, tzinfo=dt.UTC),
            "2025-01-02 03:04:00+00:00",
        ),
    ],
    ids=lambda v: str(v)[:12],
)
def test_each_kind_prints_by_its_rule(kind: ColumnKind, value: object, shown: str) -> None:
    """Counts get separators, rates percentages, rate differences points, money 2 places."""
    assert kind.render(value) == shown


@pytest.mark.parametrize("undefined", [None, math.nan, Ratio(1, 0), np.datetime64("NaT")])
def test_undefined_is_a_dash_never_zero(undefined: object) -> None:
    """An undefined value prints as a dash in text and an em dash in HTML; exports keep it
    missing."""
    kind = ColumnKind.TIME if isinstance(undefined, np.datetime64) else ColumnKind.RATE
    table = Table((Column("x", kind=kind),), {"x": [undefined]})
    assert table.to_text().splitlines()[-1].strip() == "-"
    assert "\u2014" in table.to_html()
    assert table.records() == [{"x": None}]


def test_a_duration_column_has_one_unit() -> None:
    """The median of 30 min, 2 h and 3 h is 2 h: hours for the whole column; a given unit
    wins."""
    values = [dt.timedelta(minutes=30), dt.timedelta(hours=2), dt.timedelta(hours=3)]
    table = Table.from_rows([Column("d", kind=ColumnKind.DURATION)], [[v] for v in values])
    assert [r[0] for r in table.cells()] == ["0.5 h", "2 h", "3 h"]
    minutes = Table.from_rows(
        [Column("d", kind=ColumnKind.DURATION, unit=DurationUnit.MINUTES)], [[v] for v in values]
    )
    assert [r[0] for r in minutes.cells()] == ["30 min", "120 min", "180 min"]


def test_credits_have_the_tables_decimals() -> None:
    """Credits print with the table's number of decimals, the same in every row."""
    table = Table((Column("c", kind=ColumnKind.CREDIT),), {"c": [1.0, 2 / 3, 10.25]}, decimals=2)
    assert [r[0] for r in table.cells()] == ["1.00", "0.67", "10.25"]


def test_sort_orders_printed_rows_but_not_frames() -> None:
    """``sort`` lists the largest first in text, CSV and JSON; frames keep the data order."""
    table = Table(
        (Column("x"), Column("n", kind=ColumnKind.COUNT)),
        {"x": ["a", "b", "c"], "n": [1, 3, 2]},
        sort="n",
    )
    assert [r[0] for r in table.cells()] == ["b", "c", "a"]
    assert [r["x"] for r in table.records()] == ["b", "c", "a"]
    assert table.to_pandas()["x"].tolist() == ["a", "b", "c"]


def test_hidden_columns_are_exported_not_printed() -> None:
    """A column with ``shown=False`` is in the frames and CSV, not in text or HTML."""
    table = Table((Column("x"), Column("secret", shown=False)), {"x": ["a"], "secret": ["s3cr3t"]})
    assert "s3cr3t" not in table.to_text()
    assert "s3cr3t" not in table.to_html()
    assert "s3cr3t" in table.to_csv()
    assert table.to_pandas()["secret"].tolist() == ["s3cr3t"]


def test_a_table_refuses_mismatched_data() -> None:
    """Columns without data, data without a column and ragged columns are refused."""
    from touchpath.exceptions import ConfigError

    with pytest.raises(ConfigError, match="no data for"):
        Table((Column("x"),), {})
    with pytest.raises(ConfigError, match="different lengths"):
        Table((Column("x"), Column("y")), {"x": [1], "y": [1, 2]})

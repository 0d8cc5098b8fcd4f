"""Every result with ``to_pandas()`` also has ``to_polars()`` and ``to_arrow()``, with the same
columns in the same order and the same values (one column description, three views)."""

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

from touchpath import EventLog, JourneyMap, PathCounts, templates
from touchpath.attribution import FirstTouch, LastTouch, attribute, bootstrap, compare_models
from touchpath.metrics import dwell_times, funnel, retention, scorecard, time_between
from touchpath.validation import MaxDwell, compare_to_map, validate

H = 3600  # one hour in seconds (epoch numbers below 1e11 read as seconds)

LOG = EventLog.from_records(
    [
        {"journey_id": "a", "timestamp": 0, "stage": "s1", "channel": "ads"},
        {"journey_id": "a", "timestamp": H, "stage": "s2", "channel": "seo"},
        {
            "journey_id": "a",
            "timestamp": 3 * H,
            "stage": "s3",
            "channel": "seo",
            "converted": True,
            "value": 10.0,
        },
        {"journey_id": "b", "timestamp": 0, "stage": "s1", "channel": "email"},
        {
            "journey_id": "b",
            "timestamp": 2 * H,
            "stage": "s3",
            "channel": "ads",
            "converted": True,
            "value": 4.0,
        },
        {"journey_id": "c", "timestamp": 0, "stage": "s2", "channel": "ads"},
    ],
    schema=None,
)
MAP = JourneyMap.builder("m").stage("s1").stage("s2").stage("s3").path("s1", "s2", "s3").build()


def _norm(v: Any) -> Any:
    """One spelling per value across the libraries: None for missing, Python scalars."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, np.generic):
        return _norm(v.item())
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, pd.Timedelta):
        return v.to_pytimedelta()
    if isinstance(v, tuple | list | np.ndarray):
        return [_norm(x) for x in v]
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    return v


def _pandas_columns(df: pd.DataFrame) -> dict[str, list[Any]]:
    if df.index.name is not None:
        df = df.reset_index()
    return {str(c): [_norm(v) for v in df[c].tolist()] for c in df.columns}


CASES: list[tuple[str, Callable[[], Any], dict[str, Any]]] = [
    ("AttributionResult", lambda: attribute(LOG, LastTouch()), {}),
    ("BootstrapResult", lambda: bootstrap(LOG, LastTouch(), n=5, seed=1), {"value": True}),
    ("Comparison", lambda: compare_models(LOG, [FirstTouch(), LastTouch()]), {}),
    ("PathCounts", lambda: PathCounts.from_log(LOG), {}),
    ("FunnelResult", lambda: funnel(LOG, ["s1", "s2", "s3"], level="stage"), {}),
    ("TimeBetween", lambda: time_between(LOG, "s1", "s3", window="2h"), {}),
    ("DwellTimes", lambda: dwell_times(LOG), {}),
    (
        "RetentionTable",
        lambda: retention(LOG, period="day", now=dt.datetime(1970, 1, 3, tzinfo=dt.UTC)),
        {"values": "count"},
    ),
    ("Scorecard", lambda: scorecard(templates.get("pay_per_call_marketplace"), {"nps": 62}), {}),
    ("MapComparison", lambda: compare_to_map(LOG, MAP), {}),
    ("ValidationReport", lambda: validate(LOG, MAP, [MaxDwell("s1", "30 minutes")]), {}),
]


@pytest.mark.parametrize(("name", "make", "options"), CASES, ids=[c[0] for c in CASES])
def test_three_views_agree(name: str, make: Callable[[], Any], options: dict[str, Any]) -> None:
    """Same column names in the same order, same row count, same values (missing as None)."""
    result = make()
    assert type(result).__name__ == name
    expected = _pandas_columns(result.to_pandas(**options))
    table = result.to_arrow(**options)
    frame = result.to_polars(**options)
    assert isinstance(table, pa.Table)
    assert isinstance(frame, pl.DataFrame)
    assert table.column_names == list(expected) == frame.columns
    for col, values in expected.items():
        assert [_norm(v) for v in table.column(col).to_pylist()] == values, col
        assert [_norm(v) for v in frame.get_column(col).to_list()] == values, col


def test_values_checked_by_hand() -> None:
    """Spot checks against numbers worked out from LOG by hand: last touch credits seo with
    a's conversion (value 10) and ads with b's (value 4), email gets nothing; the funnel
    reaches s1 twice, s2 once (only a goes s1 -> s2), s3 once."""
    credit = attribute(LOG, LastTouch()).to_polars()
    assert credit.to_dicts() == [
        {"channel": "ads", "conversions": 1.0, "value": 4.0, "share": 0.5},
        {"channel": "email", "conversions": 0.0, "value": 0.0, "share": 0.0},
        {"channel": "seo", "conversions": 1.0, "value": 10.0, "share": 0.5},
    ]
    steps = funnel(LOG, ["s1", "s2", "s3"], level="stage").to_arrow()
    assert steps.column("reached").to_pylist() == [2, 1, 1]
    timing = time_between(LOG, "s1", "s3").to_arrow()
    assert str(timing.schema.field("duration_median").type) == "duration[us]"
    paths = PathCounts.from_log(LOG).to_arrow()
    assert paths.column("path").to_pylist() == [["ads"], ["ads", "seo", "seo"], ["email", "ads"]]
    violations = validate(LOG, MAP).to_polars()
    assert str(violations.schema["timestamp"]) == "Datetime(time_unit='us', time_zone='UTC')"

"""Spend tables, CPA / ROAS / CAC per channel and period, and their place in the report."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from touchpath import EventLog, Spend
from touchpath.attribution import (
    LastTouch,
    Linear,
    Markov,
    PathCounts,
    attribute,
    spend_report,
)
from touchpath.exceptions import ConfigError, SchemaError, UnsupportedInputError
from touchpath.metrics import cac_by_channel, roas_by_channel
from touchpath.testing import random_log_records

LOG = EventLog.from_records(
    [
        # journey a: acquired in March by ads (first conversion), converts again in April
        {"journey_id": "a", "timestamp": "2025-03-02T10:00:00Z", "channel": "ads"},
        {"journey_id": "a", "timestamp": "2025-03-03T10:00:00Z", "channel": "seo",
         "converted": True, "value": 100.0},
        {"journey_id": "a", "timestamp": "2025-04-05T10:00:00Z", "channel": "ads",
         "converted": True, "value": 40.0},
        # journey b: acquired in April by seo
        {"journey_id": "b", "timestamp": "2025-04-01T00:00:00Z", "channel": "seo",
         "converted": True, "value": 60.0},
    ]
)  # fmt: skip
SPEND = Spend.from_rows(
    [
        ("2025-03-01", "ads", "spring", 50.0),
        ("2025-03-15", "ads", "brand", 30.0),
        ("2025-04-01", "ads", None, 20.0),
        (dt.date(2025, 4, 3), "email", None, 10.0),
    ]
)


def test_monthly_linear_by_hand() -> None:
    """Linear: March gives ads 1/2 and seo 1/2 of a 100 conversion (an acquisition); April
    gives ads the repeat conversion (40, not an acquisition) and seo journey b's (60, an
    acquisition). So per month:
    ads March: spend 80, conv 1/2, value 50 -> CPA 160, ROAS 5/8, CAC 160;
    ads April: spend 20, conv 1, value 40 -> CPA 20, ROAS 2, CAC 20/0 undefined;
    email April: spend 10, no credit -> CPA and CAC undefined, ROAS 0;
    seo March and April: no spend -> ROAS undefined, CPA 0."""
    rows = {
        (r.item, r.period): r
        for r in spend_report(attribute(LOG, Linear()), SPEND, period="month").rows
    }
    ads_mar = rows["ads", "2025-03"]
    assert (ads_mar.spend, ads_mar.conversions, ads_mar.value) == (80.0, 0.5, 50.0)
    assert (ads_mar.cpa.value, ads_mar.roas.value, ads_mar.cac.value) == (160.0, 0.625, 160.0)  # type: ignore[union-attr]
    ads_apr = rows["ads", "2025-04"]
    assert (ads_apr.cpa.value, ads_apr.roas.value) == (20.0, 2.0)
    assert ads_apr.cac is not None
    assert ads_apr.cac.value is None
    email = rows["email", "2025-04"]
    assert (email.cpa.value, email.roas.value) == (None, 0.0)
    seo_apr = rows["seo", "2025-04"]
    assert (seo_apr.roas.value, seo_apr.cpa.value, seo_apr.acquisitions) == (None, 0.0, 1.0)
    assert set(rows) == {
        ("ads", "2025-03"), ("ads", "2025-04"), ("email", "2025-04"),
        ("seo", "2025-03"), ("seo", "2025-04"),
    }  # fmt: skip


def test_campaign_results_use_campaign_spend() -> None:
    """A result by campaign reads the spend per campaign; spend on rows without a campaign
    is reported under None."""
    log = EventLog.from_records(
        [{"journey_id": "a", "timestamp": "2025-03-02T00:00:00Z", "campaign": "spring",
          "channel": "ads", "converted": True, "value": 10.0}]
    )  # fmt: skip
    result = attribute(log, LastTouch(), level="campaign")
    rows = {r.item: r for r in spend_report(result, SPEND).rows}
    assert rows["spring"].roas.value == pytest.approx(10.0 / 50.0)
    assert rows["brand"].cpa.value is None
    assert rows[None].spend == 30.0


def test_weeks_start_on_monday() -> None:
    """2025-03-02 is a Sunday (week of Monday 2025-02-24), 2025-03-03 a Monday."""
    s = Spend.from_rows([("2025-03-02", "a", None, 1.0), ("2025-03-03", "a", None, 2.0)])
    assert s.table(period="week") == {("a", "2025-02-24"): 1.0, ("a", "2025-03-03"): 2.0}
    assert s.table(period="day")[("a", "2025-03-02")] == 1.0
    ts = Spend.from_rows([("2025-03-02T23:30:00-02:00", "a", None, 5.0)])  # UTC: March 3rd
    assert ts.table(period="day") == {("a", "2025-03-03"): 5.0}


@pytest.mark.parametrize(
    ("row", "match"),
    [
        (("2025-02-30", "a", None, 1.0), "calendar date"),
        (("yesterday", "a", None, 1.0), "spend date"),
        (("2025-01-01", "", None, 1.0), "channel"),
        (("2025-01-01", "a", "", 1.0), "campaign"),
        (("2025-01-01", "a", None, -1.0), "amount"),
        (("2025-01-01", "a", None, "x"), "amount"),
        (("2025-01-01", "a"), "spend row"),
    ],
)
def test_bad_rows(row: tuple[object, ...], match: str) -> None:
    """Bad spend rows raise a SchemaError naming the row."""
    with pytest.raises(SchemaError, match=match) as info:
        Spend.from_rows([("2025-01-01", "ok", None, 1.0), row])  # type: ignore[list-item]
    assert "row 1" in str(info.value)


def test_count_tables_allow_all_periods_only() -> None:
    """Results from path counts have neither times nor journeys: period 'all', no CAC."""
    r = attribute(PathCounts.from_rows([(["ads"], 2, 0, 30.0)]), LastTouch())
    (row,) = [x for x in spend_report(r, SPEND).rows if x.item == "ads"]
    assert (row.cpa.value, row.roas.value, row.cac) == (50.0, 0.3, None)
    with pytest.raises(UnsupportedInputError, match="period='all'"):
        spend_report(r, SPEND, period="month")
    with pytest.raises(ConfigError, match="Spend"):
        spend_report(r, {"ads": 1.0})  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(5))
def test_periods_sum_to_the_result(seed: int) -> None:
    """Credit summed over days equals the result's, for a global model too."""
    log = EventLog.from_records(random_log_records(np.random.default_rng(seed), journeys=15))
    result = attribute(log, Markov())
    report = spend_report(result, Spend.zero(), period="day")
    for item, credit in result.credits().items():
        assert sum(r.conversions for r in report.rows if r.item == item) == pytest.approx(credit)


def test_revenue_metrics_take_a_spend_table() -> None:
    """cac_by_channel / roas_by_channel with spend= use the table, not event costs."""
    result = attribute(LOG, Linear())
    roas = roas_by_channel(LOG, result, spend=SPEND)
    assert roas["ads"].value == pytest.approx(90.0 / 100.0)
    assert roas["email"].value == 0.0
    assert roas["seo"].value is None
    cac = cac_by_channel(LOG, result, spend=SPEND)
    assert cac["ads"].value == pytest.approx(100.0 / 1.5)
    assert cac["email"].value is None


def test_report_shows_spend_when_given() -> None:
    """analyse(spend=...) puts a spend section after the attribution comparison."""
    from touchpath import datasets, templates
    from touchpath._demo import analyse, build_report

    log = datasets.sample()
    spend = Spend.from_rows([("2025-01-01", log.channel_ids[0], None, 100.0)])
    plain = analyse(log, templates.get("pay_per_call_marketplace"), models=["linear"])
    titles = [s.title for s in build_report(plain, charts=False).sections]
    assert "Spend and return by model" not in titles
    given = analyse(log, templates.get("pay_per_call_marketplace"), models=["linear"], spend=spend)
    titles = [s.title for s in build_report(given, charts=False).sections]
    assert titles[titles.index("Attribution by model") + 1] == "Spend and return by model"


def test_result_with_spend_is_the_spend_report() -> None:
    """AttributionResult.with_spend gives the same rows as spend_report."""
    result = attribute(LOG, Linear())
    assert (
        result.with_spend(SPEND, period="month").rows
        == spend_report(result, SPEND, period="month").rows
    )

"""Revenue and lifecycle metrics: formulas on hand-computed numbers, zero denominators."""

from __future__ import annotations

from typing import Any

import pytest

from touchpath import EventLog
from touchpath.attribution import LastTouch, attribute
from touchpath.exceptions import ConfigError
from touchpath.metrics import (
    Ratio,
    annualized_churn,
    cac_by_channel,
    cac_payback_months,
    clv_cac_ratio,
    cpc,
    cpl,
    cpm,
    customer_acquisition_cost,
    customer_churn_rate,
    customer_lifetime_value,
    gross_revenue_retention,
    net_revenue_retention,
    nps,
    revenue_churn_rate,
    revenue_movements,
    roas,
    roas_by_channel,
    spend_by_channel,
    stage_conversion,
)

from ._logs import DAY, log_of, rec


@pytest.mark.parametrize(
    ("ratio", "numerator", "denominator"),
    [
        # (1000 + 300 - 50 - 100) / 1000
        (net_revenue_retention(1000, expansion=300, contraction=50, churned=100), 1150, 1000),
        # (1000 - 50 - 100) / 1000
        (gross_revenue_retention(1000, contraction=50, churned=100), 850, 1000),
        (customer_churn_rate(200, 10), 10, 200),
        # (100 + 50) / 1000
        (revenue_churn_rate(1000, churned=100, contraction=50), 150, 1000),
        (customer_acquisition_cost(9000, 30), 9000, 30),
        (roas(5000, 1250), 5000, 1250),
        # 40 spend per 20 000 impressions: 40 * 1000 / 20 000 = 2 per thousand
        (cpm(40, 20_000), 40_000, 20_000),
        (cpc(40, 80), 40, 80),
        (cpl(40, 4), 40, 4),
    ],
    ids=["nrr", "grr", "customer-churn", "revenue-churn", "cac", "roas", "cpm", "cpc", "cpl"],
)
def test_ratio_metrics(ratio: Ratio, numerator: float, denominator: float) -> None:
    """Each ratio metric keeps the numerator and denominator of its formula."""
    assert (ratio.numerator, ratio.denominator) == (numerator, denominator)


@pytest.mark.parametrize(
    "ratio",
    [
        net_revenue_retention(0),
        gross_revenue_retention(0),
        customer_churn_rate(0, 0),
        revenue_churn_rate(0, 0),
        customer_acquisition_cost(100, 0),
        roas(100, 0),
        cpm(5, 0),
        cpc(5, 0),
        cpl(5, 0),
        nps([]),
    ],
    ids=["nrr", "grr", "churn", "revenue-churn", "cac", "roas", "cpm", "cpc", "cpl", "nps"],
)
def test_zero_denominators_are_undefined(ratio: Ratio) -> None:
    """Nothing divides by zero: the ratio is undefined, never 0."""
    assert ratio.value is None


def test_annualized_churn_compounds() -> None:
    """5 % a month: 1 - 0.95^12 = 0.45964 a year (not 60 %); undefined stays undefined."""
    assert annualized_churn(0.05) == pytest.approx(1 - 0.95**12)
    assert annualized_churn(Ratio(1, 20)) == pytest.approx(0.4596399)
    assert annualized_churn(Ratio(0, 0)) is None
    assert annualized_churn(0.0) == 0.0
    assert annualized_churn(1.0) == 1.0
    with pytest.raises(ConfigError):
        annualized_churn(1.5)


def test_clv_cac_and_payback() -> None:
    """ARPA 200, margin 75 %, churn 5 %: CLV = 200 * 0.75 / 0.05 = 3000; CAC 1000: 3:1;
    payback 1000 / 150 = 6.67 months."""
    clv = customer_lifetime_value(200, 0.75, 0.05)
    assert clv == pytest.approx(3000)
    assert clv_cac_ratio(clv, 1000) == pytest.approx(3.0)
    assert clv_cac_ratio(clv, customer_acquisition_cost(1000, 1)) == pytest.approx(3.0)
    assert cac_payback_months(1000, 200, 0.75) == pytest.approx(1000 / 150)


def test_undefined_inputs_give_none() -> None:
    """Zero churn gives no CLV; no CLV or zero/undefined CAC gives no ratio; zero margin no
    payback."""
    assert customer_lifetime_value(200, 0.75, 0.0) is None
    assert customer_lifetime_value(200, 0.75, Ratio(0, 0)) is None
    assert clv_cac_ratio(None, 1000) is None
    assert clv_cac_ratio(3000, 0) is None
    assert clv_cac_ratio(3000, Ratio(10, 0)) is None
    assert cac_payback_months(1000, 200, 0.0) is None
    assert cac_payback_months(Ratio(1000, 0), 200, 0.5) is None


def test_nps_counts_promoters_and_detractors() -> None:
    """4 promoters (9, 10), 2 passives (7, 8), 4 detractors (0-6) of 10: NPS 0; all
    promoters 100; all detractors -100."""
    assert nps([9, 10, 10, 9, 7, 8, 6, 0, 3, 5]) == Ratio(0, 10)
    assert nps([10, 9]).value == 100.0
    assert nps([0, 6]).value == -100.0
    assert nps(iter([7, 8])).value == 0.0


@pytest.mark.parametrize(
    "scores",
    [[11], [-1], [7.5], ["9"], [True]],
    ids=["above-10", "negative", "fraction", "text", "bool"],
)
def test_nps_refuses_invalid_scores(scores: list[Any]) -> None:
    """Scores outside 0-10, fractions, text and booleans are refused."""
    with pytest.raises(ConfigError):
        nps(scores)


@pytest.mark.parametrize(
    "call",
    [
        lambda: net_revenue_retention(100, contraction=60, churned=50),
        lambda: net_revenue_retention(-1),
        lambda: customer_churn_rate(10, 11),
        lambda: customer_lifetime_value(100, 1.5, 0.1),
        lambda: roas(float("nan"), 1),
        lambda: cpc(True, 1),
    ],
    ids=["losses-above-start", "negative", "lost-above-start", "margin-above-1", "nan", "bool"],
)
def test_impossible_inputs_are_refused(call: Any) -> None:
    """Inputs that cannot be right raise ConfigError instead of giving a number."""
    with pytest.raises(ConfigError):
        call()


def test_stage_conversion_from_a_log() -> None:
    """trial -> paid: a (10 days) and b (40 days) convert, c does not, d paid without a trial
    is not in the denominator: 2/3; within 30 days: 1/3; with data ending on day 40 a trial
    on day 35 (e) is still open within 30 days and left out."""
    log = log_of(
        rec("a", 0, "trial"), rec("a", 10 * DAY, "paid"),
        rec("b", 0, "trial"), rec("b", 40 * DAY, "paid"),
        rec("c", 0, "trial"),
        rec("d", 0, "paid"),
    )  # fmt: skip
    assert stage_conversion(log, "trial", "paid") == Ratio(2, 3)
    assert stage_conversion(log, "trial", "paid", window="30 days") == Ratio(1, 3)
    with_e = EventLog.concat([log, log_of(rec("e", 35 * DAY, "trial"))])
    assert stage_conversion(with_e, "trial", "paid", window="30 days") == Ratio(1, 3)
    assert stage_conversion(with_e, "trial", "paid") == Ratio(2, 4)


SPEND = log_of(
    rec("a", 0, None, channel="ads", cost=300.0),
    rec("a", 1, None, channel="seo", converted=True),
    rec("b", 0, None, channel="ads", cost=100.0, converted=True, value=50.0),
    rec("c", 0, "x", cost=20.0),
)


def test_spend_by_channel() -> None:
    """Costs summed per channel; the stage-only event has channel 'web' from the helper."""
    assert spend_by_channel(SPEND) == {"ads": 400.0, "web": 20.0}


def test_cac_by_channel_from_a_mapping_and_from_an_attribution_result() -> None:
    """Last touch credits 1 conversion to seo, 1 to ads: CAC ads 400/1, seo 0/1, web 20/0
    (undefined)."""
    expected = {"ads": Ratio(400.0, 1.0), "seo": Ratio(0.0, 1.0), "web": Ratio(20.0, 0.0)}
    assert cac_by_channel(SPEND, {"ads": 1.0, "seo": 1.0}) == expected
    result = attribute(SPEND, LastTouch())
    assert cac_by_channel(SPEND, result) == expected
    assert not cac_by_channel(SPEND, result)["web"].is_defined


def test_roas_by_channel_uses_value_credit() -> None:
    """Last touch credits b's 50 to ads: ROAS ads 50/400; seo converted without value: 0/0."""
    result = attribute(SPEND, LastTouch())
    got = roas_by_channel(SPEND, result)
    assert got["ads"] == Ratio(50.0, 400.0)
    assert not got["seo"].is_defined
    with pytest.raises(ConfigError):
        roas_by_channel(SPEND, [1, 2])  # type: ignore[arg-type]


def test_spend_without_a_channel_is_reported_under_none() -> None:
    """Cost on an event with a stage but no channel goes to None, with an undefined CAC."""
    log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x", "cost": 5.0}])
    assert spend_by_channel(log) == {None: 5.0}
    assert cac_by_channel(log, {}) == {None: Ratio(5.0, 0)}


def test_revenue_movements_keep_start_of_period_customers_only() -> None:
    """Accounts: a 100 -> 150 (expansion 50), b 100 -> 80 (contraction 20), c 100 -> 0 (churn
    100), d new with 500 (excluded). NRR (300 + 50 - 20 - 100) / 300, GRR 180 / 300."""

    def paid(account: str, month: int, value: float) -> dict[str, Any]:
        return {
            "journey_id": f"{account}-contact",
            "account": account,
            "timestamp": f"2025-{month:02d}-10T00:00:00Z",
            "stage": "paid",
            "converted": True,
            "value": value,
        }

    log = EventLog.from_records(
        [
            paid("a", 1, 100),
            paid("a", 2, 150),
            paid("b", 1, 100),
            paid("b", 2, 80),
            paid("c", 1, 60),
            paid("c", 1, 40),
            paid("d", 2, 500),
        ]
    )
    jan = ("2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
    feb = ("2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z")
    m = revenue_movements(log, jan, feb)
    assert (m.customers_at_start, m.churned_customers) == (3, 1)
    assert (m.starting, m.expansion, m.contraction, m.churned, m.new) == (
        300.0, 50.0, 20.0, 100.0, 500.0,
    )  # fmt: skip
    assert m.net_revenue_retention == Ratio(230.0, 300.0)
    assert m.gross_revenue_retention == Ratio(180.0, 300.0)
    assert m.customer_churn == Ratio(1, 3)
    assert m.revenue_churn == Ratio(120.0, 300.0)
    by_journey = revenue_movements(log, jan, feb, count="journeys")
    assert by_journey.customers_at_start == 3
    empty = revenue_movements(log, feb, ("2025-03-01T00:00:00Z", "2025-04-01T00:00:00Z"))
    assert (empty.customers_at_start, empty.churned) == (3, 730.0)
    nothing = revenue_movements(log, ("2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"), jan)
    assert not nothing.net_revenue_retention.is_defined
    with pytest.raises(ConfigError):
        revenue_movements(log, feb, jan[::-1])
    with pytest.raises(ConfigError):
        revenue_movements(log, "2025-01", feb)  # type: ignore[arg-type]

"""KPI scorecards against a map's stage KPIs."""

from __future__ import annotations

import math

import pytest

from touchpath import KPI, Direction, EventLog, JourneyMap, Unit, templates
from touchpath.exceptions import ConfigError, NotFoundError, UnsupportedInputError
from touchpath.metrics import KPIStatus, Ratio, scorecard

MAP = (
    JourneyMap.builder("m")
    .stage("trial", kpis=[KPI("trial_to_paid", 0.25, Direction.AT_LEAST, Unit.RATE)])
    .stage(
        "paid",
        kpis=[
            KPI("monthly_churn", 0.05, Direction.AT_MOST, Unit.RATE),
            KPI("nps", 50, Direction.AT_LEAST, Unit.SCORE),
            KPI("tickets"),
        ],
    )
    .path("trial", "paid")
    .build()
)


def test_scores_targets_actuals_and_gaps() -> None:
    """trial_to_paid 30/100 = 0.30 >= 0.25: met, gap +0.05; churn 0.06 > 0.05 (at most): not
    met, gap +0.01; nps undefined; tickets has no target; nothing unmeasured."""
    card = scorecard(
        MAP,
        {
            "trial_to_paid": Ratio(30, 100),
            "monthly_churn": 0.06,
            "nps": Ratio(0, 0),
            "tickets": 12,
        },
    )
    t = card["trial_to_paid"]
    assert (t.actual, t.met, t.status, t.target) == (0.3, True, KPIStatus.MET, 0.25)
    assert t.gap == pytest.approx(0.05)
    assert t.measured == Ratio(30, 100)
    c = card["monthly_churn"]
    assert (c.met, c.status) == (False, KPIStatus.NOT_MET)
    assert c.gap == pytest.approx(0.01)
    n = card["nps"]
    assert (n.actual, n.met, n.gap, n.status) == (None, None, None, KPIStatus.UNDEFINED)
    k = card["tickets"]
    assert (k.actual, k.met, k.status) == (12.0, None, KPIStatus.NO_TARGET)
    assert card.unmeasured == ()
    assert (card.met, card.not_met) == (("trial_to_paid",), ("monthly_churn",))
    assert [s.id for s in card.scores] == ["trial_to_paid", "monthly_churn", "nps", "tickets"]


def test_exactly_on_target_is_met_both_ways() -> None:
    """An actual equal to the target meets at-least and at-most KPIs."""
    card = scorecard(MAP, {"trial_to_paid": 0.25, "monthly_churn": 0.05})
    assert card["trial_to_paid"].met
    assert card["monthly_churn"].met


def test_unmeasured_kpis_are_listed_and_nan_is_undefined() -> None:
    """KPIs without a value (or None) are unmeasured; NaN is undefined, never met."""
    card = scorecard(MAP, {"nps": math.nan, "tickets": None})
    assert card.unmeasured == ("trial_to_paid", "monthly_churn", "tickets")
    assert card["nps"].status is KPIStatus.UNDEFINED
    assert len(card) == 4


def test_unknown_kpi_ids_and_bad_values_are_refused() -> None:
    """A typo in a KPI id raises NotFoundError with a suggestion; text or inf values raise
    ConfigError."""
    with pytest.raises(NotFoundError, match="trial_to_paid"):
        scorecard(MAP, {"trial_to_payd": 0.3})
    with pytest.raises(ConfigError):
        scorecard(MAP, {"nps": "high"})  # type: ignore[dict-item]
    with pytest.raises(ConfigError):
        scorecard(MAP, {"nps": math.inf})
    with pytest.raises(ConfigError):
        scorecard(MAP, [("nps", 1.0)])  # type: ignore[call-overload]
    with pytest.raises(NotFoundError):
        scorecard(MAP, {})["nope"]


def test_a_log_without_a_map_is_named() -> None:
    """scorecard(log, values) (measured values where the map goes) raises
    UnsupportedInputError naming the type it got, not an AttributeError about 'kpis'."""
    log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "trial"}])
    with pytest.raises(UnsupportedInputError, match=r"needs the JourneyMap.*got dict"):
        scorecard(log, {})  # type: ignore[call-overload]
    with pytest.raises(UnsupportedInputError, match=r"needs an EventLog.*got list"):
        scorecard([], {})  # type: ignore[call-overload]


def test_the_seed_template_scorecard() -> None:
    """The pay-per-call template: trial-to-paid 0.25, activation 0.80, churn at most 0.05,
    NRR 1.2, CLV:CAC 3; measured values score against them."""
    m = templates.get("pay_per_call_marketplace")
    card = scorecard(
        m,
        {
            "trial_to_paid": 0.22,
            "activation_24h": Ratio(85, 100),
            "monthly_churn": 0.04,
            "net_revenue_retention": 1.25,
            "clv_cac_ratio": 2.5,
        },
    )
    assert [card[k].target for k in ("trial_to_paid", "activation_24h", "monthly_churn")] == [
        0.25,
        0.8,
        0.05,
    ]
    assert card.met == ("activation_24h", "net_revenue_retention", "monthly_churn")
    assert card.not_met == ("trial_to_paid", "clv_cac_ratio")
    assert len(card.unmeasured) == len(m.kpis) - 5


def test_to_pandas() -> None:
    """One row per KPI with floats and a nullable met column."""
    frame = scorecard(MAP, {"trial_to_paid": 0.3}).to_pandas()
    assert frame["kpi"].tolist() == ["trial_to_paid", "monthly_churn", "nps", "tickets"]
    assert frame["status"].tolist() == ["met", "unmeasured", "unmeasured", "unmeasured"]
    assert frame["met"].isna().tolist() == [False, True, True, True]
    assert frame["stage"].tolist() == ["trial", "paid", "paid", "paid"]

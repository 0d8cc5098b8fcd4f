"""The seed's KPI scorecard for the pay-per-call marketplace, from the sample data.

The ``pay_per_call_marketplace`` template carries the playbook's stage KPIs
and targets (trial-to-paid 25 %, activation within 24 hours 80 %, monthly
churn at most 5 %, NRR 120 %, CLV:CAC 3:1, NPS 50, ...). This example
measures what the sample event log can tell (funnel conversions, time to
first value, activation, acquisition cost) with :mod:`touchpath.metrics`,
adds what only finance and survey data know (recurring-revenue movements,
churn, NPS answers: illustrative numbers below), and scores every KPI.
KPIs nobody measured are listed, not guessed.

    .venv/bin/python examples/kpi_scorecard.py
"""

from __future__ import annotations

import datetime as dt

from touchpath import EventLog, datasets, templates
from touchpath.metrics import (
    Ratio,
    Scorecard,
    clv_cac_ratio,
    customer_acquisition_cost,
    customer_churn_rate,
    customer_lifetime_value,
    funnel,
    net_revenue_retention,
    nps,
    scorecard,
    spend_by_channel,
    stage_conversion,
    time_between,
)

# Numbers the event log does not hold. In a real setup they come from billing and surveys.
MRR_AT_START = 120_000.0
"""Recurring revenue of the customers at the start of the year."""
MRR_EXPANSION = 31_000.0
MRR_CONTRACTION = 4_000.0
MRR_CHURNED = 5_500.0
CUSTOMERS_AT_START_OF_MONTH = 412
CUSTOMERS_LOST_IN_MONTH = 17
OTHER_ACQUISITION_SPEND = 450_000.0
"""Sales and marketing cost that is not on events (salaries, tools, events) in the period."""
ARPA_MONTHLY = 290.0
GROSS_MARGIN = 0.78
SURVEY_SCORES = [10, 9, 9, 10, 8, 7, 9, 10, 6, 9, 10, 9, 3, 10, 8, 9, 10, 9, 7, 10]


def measure_from_log(log: EventLog) -> dict[str, float | Ratio]:
    """The KPIs the event log can measure, keyed by the template's KPI ids.

    - ``trial_signup_rate``: journeys that reach the ``trial_signup``
      touchpoint, of all journeys (visitors).
    - ``trial_to_paid``: journeys in the decision stage (on trial) that go on
      to onboarding (they paid: the sample converts at the end of decision).
    - ``activation_24h`` / ``activation_30d``: new accounts (onboarding) that
      reach activation (their first call) within 24 hours / 30 days.
    - ``time_to_value_hours``: median hours from onboarding to activation.
    - ``clv_cac_ratio``: CLV from ARPA, margin and churn over the CAC: the
      log's event costs plus the other acquisition spend, per paying journey.
    """
    signup = funnel(log, ["trial_signup"], level="touchpoint")
    activation = time_between(log, "onboarding", "activation", window="24 hours")
    activation_30d = time_between(log, "onboarding", "activation", window="30 days")
    out: dict[str, float | Ratio] = {
        "trial_signup_rate": Ratio(signup.entered, signup.counts.population),
        "trial_to_paid": stage_conversion(log, "decision", "onboarding"),
    }
    if activation.share_within is not None:
        out["activation_24h"] = activation.share_within
    if activation_30d.share_within is not None:
        out["activation_30d"] = activation_30d.share_within
    if activation.durations.median is not None:
        out["time_to_value_hours"] = activation.durations.median / dt.timedelta(hours=1)
    spend = sum(spend_by_channel(log).values()) + OTHER_ACQUISITION_SPEND
    new_customers = int(log.journey_converted.sum())
    cac = customer_acquisition_cost(spend, new_customers)
    churn = customer_churn_rate(CUSTOMERS_AT_START_OF_MONTH, CUSTOMERS_LOST_IN_MONTH)
    clv = customer_lifetime_value(ARPA_MONTHLY, GROSS_MARGIN, churn)
    ratio = clv_cac_ratio(clv, cac)
    if ratio is not None:
        out["clv_cac_ratio"] = ratio
    return out


def measure_from_finance() -> dict[str, float | Ratio]:
    """The KPIs that need billing and survey data (the illustrative numbers above)."""
    return {
        "net_revenue_retention": net_revenue_retention(
            MRR_AT_START,
            expansion=MRR_EXPANSION,
            contraction=MRR_CONTRACTION,
            churned=MRR_CHURNED,
        ),
        "monthly_churn": customer_churn_rate(CUSTOMERS_AT_START_OF_MONTH, CUSTOMERS_LOST_IN_MONTH),
        "nps": nps(SURVEY_SCORES),
    }


def build_scorecard(log: EventLog | None = None) -> Scorecard:
    """Score the template's KPIs against the sample log (or ``log``) and the finance numbers."""
    data = datasets.sample() if log is None else log
    measured = {**measure_from_log(data), **measure_from_finance()}
    return scorecard(templates.get("pay_per_call_marketplace"), measured)


def _shown(value: float | None) -> str:
    return "-" if value is None else f"{value:,.3g}"


def main() -> None:
    """Print the scorecard as a table, then the KPIs left unmeasured."""
    card = build_scorecard()
    print(f"KPI scorecard: {card.map_name}")
    print(f"{'stage':<14} {'kpi':<24} {'target':>8} {'actual':>8} {'gap':>8}  status")
    for s in card.scores:
        if s.measured is None:
            continue
        print(
            f"{s.kpi.stage or '':<14} {s.id:<24} {_shown(s.target):>8} "
            f"{_shown(s.actual):>8} {_shown(s.gap):>8}  {s.status.value}"
        )
    print(f"met {len(card.met)}, not met {len(card.not_met)}")
    print("unmeasured: " + ", ".join(card.unmeasured))


if __name__ == "__main__":
    main()

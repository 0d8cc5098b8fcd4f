"""examples/kpi_scorecard.py runs and measures what it says it measures."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from touchpath import datasets
from touchpath.metrics import KPIStatus, Ratio

EXAMPLE = Path(__file__).parents[2] / "examples" / "kpi_scorecard.py"


@pytest.fixture(scope="module")
def example() -> ModuleType:
    """The example script, imported as a module."""
    spec = importlib.util.spec_from_file_location("kpi_scorecard_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_main_prints_the_scorecard(example: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    """main() prints a row per measured KPI and the unmeasured ones."""
    example.main()
    out = capsys.readouterr().out
    assert out.startswith("KPI scorecard: pay_per_call_marketplace")
    for kpi in ("trial_to_paid", "activation_24h", "monthly_churn", "nps", "clv_cac_ratio"):
        assert kpi in out
    assert "unmeasured: " in out


def test_log_measures_match_a_count_by_hand(example: ModuleType) -> None:
    """trial_signup_rate, trial_to_paid and activation_24h equal counts made journey by
    journey from the sample (no window censoring applies to these journeys)."""
    log = datasets.sample()
    measured = example.measure_from_log(log)
    journeys = list(log)
    signed = sum("trial_signup" in j.touchpoints for j in journeys)
    assert measured["trial_signup_rate"] == Ratio(signed, len(journeys))

    def reaches_after(stages: tuple[str | None, ...], a: str, b: str) -> bool:
        return a in stages and b in stages[stages.index(a) + 1 :]

    trial = [j for j in journeys if "decision" in j.stages]
    paid = [j for j in trial if reaches_after(j.stages, "decision", "onboarding")]
    assert measured["trial_to_paid"] == Ratio(len(paid), len(trial))

    onboarded = [j for j in journeys if "onboarding" in j.stages]
    fast = 0
    for j in onboarded:
        start = j.stages.index("onboarding")
        t0 = j.events[start].timestamp
        later = [e.timestamp for e in j.events[start + 1 :] if e.stage == "activation"]
        fast += bool(later) and later[0] - t0 <= dt.timedelta(hours=24)
    share = measured["activation_24h"]
    assert isinstance(share, Ratio)
    assert share.numerator == fast
    assert share.denominator <= len(onboarded)


def test_scorecard_scores_every_measured_kpi(example: ModuleType) -> None:
    """Every measured KPI is scored met or not met; the rest are listed unmeasured."""
    card = example.build_scorecard()
    scored = [s for s in card.scores if s.status is not KPIStatus.UNMEASURED]
    assert {s.status for s in scored} <= {KPIStatus.MET, KPIStatus.NOT_MET}
    assert len(scored) + len(card.unmeasured) == len(card)
    assert card["nps"].actual == pytest.approx(60.0)  # 14 promoters, 2 detractors of 20

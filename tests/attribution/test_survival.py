"""Additive-hazard survival attribution: closed form, gradient, parameter recovery."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from touchpath import EventLog
from touchpath.attribution import PathCounts, Survival, attribute
from touchpath.exceptions import ConfigError, UnsupportedInputError
from touchpath.testing import check_attribution_model

DAY = 86_400
T0 = 1_700_000_000


def records(
    journeys: Sequence[tuple[Sequence[tuple[str, float]], float | None]],
) -> list[dict[str, Any]]:
    """Journeys as (touches (channel, day), conversion day or None) -> event records."""
    out: list[dict[str, Any]] = []
    for i, (touches, converted_at) in enumerate(journeys):
        for channel, day in touches:
            at = T0 + round(day * DAY)
            out.append({"journey_id": f"j{i}", "timestamp": at, "channel": channel})
        if converted_at is not None:
            out.append(
                {"journey_id": f"j{i}", "timestamp": T0 + round(converted_at * DAY), "stage": "buy",
                 "converted": True}
            )  # fmt: skip
    return out


def test_one_channel_closed_form() -> None:
    """One touch per journey at day 0: log L = n log beta + ... - beta sum(1 - e^(-w E_i)),
    so beta_hat = conversions / sum over journeys of (1 - e^(-w E_i)), E_i the conversion
    day or the censoring day (observation end, day 10)."""
    conv_days = [0.5, 1.0, 2.0, 3.5, 7.0]
    journeys = [([("ads", 0.0)], d) for d in conv_days] + [([("ads", 0.0)], None)] * 7
    log = EventLog.from_records(records(journeys))
    end = T0 + 10 * DAY
    fit = Survival(half_life="2 days", observation_end=end).fit(log)
    w = math.log(2) / 2
    exposure = sum(1 - math.exp(-w * d) for d in conv_days) + 7 * (1 - math.exp(-w * 10))
    assert fit.strengths["ads"] == pytest.approx(len(conv_days) / exposure, rel=1e-9)


def test_gradient_matches_finite_differences() -> None:
    """The analytic gradient equals central finite differences of the log-likelihood, and
    it vanishes (KKT) at the fitted strengths."""
    rng = np.random.default_rng(4)
    journeys = []
    for _ in range(60):
        touches = [(str(rng.choice(["a", "b", "c"])), float(rng.uniform(0, 5))) for _ in range(3)]
        journeys.append((touches, 6.0 if rng.random() < 0.4 else None))
    fit = Survival(half_life="3 days").fit(EventLog.from_records(records(journeys)))
    for beta in (np.array([0.3, 0.7, 0.2]), fit.beta + 0.05):
        g = fit.gradient(beta)
        for k in range(3):
            e = np.zeros(3)
            e[k] = 1e-6
            fd = (fit.log_likelihood_at(beta + e) - fit.log_likelihood_at(beta - e)) / 2e-6
            assert g[k] == pytest.approx(fd, rel=1e-5, abs=1e-6)
    g = fit.gradient(fit.beta)
    assert np.all(np.abs(g[fit.beta > 1e-6]) < 1e-6)
    assert fit.log_likelihood >= fit.log_likelihood_at(fit.beta * 1.01)


def simulate(n: int, seed: int, beta: dict[str, float], half_life_days: float) -> EventLog:
    """Journeys with 1-3 touches in days 0-10; each touch independently triggers conversion
    with hazard beta w e^(-w age) (the superposition is the additive hazard); conversion is
    the first trigger, touches after it are not seen; censoring at day 20."""
    rng = np.random.default_rng(seed)
    w = math.log(2) / half_life_days
    names = sorted(beta)
    journeys = []
    for _ in range(n):
        k = int(rng.integers(1, 4))
        times = np.sort(rng.uniform(0, 10, k))
        chans = [names[int(i)] for i in rng.integers(len(names), size=k)]
        fire = math.inf
        for t, c in zip(times, chans, strict=True):
            u = rng.random()
            # survival of one touch's trigger: exp(-beta (1 - e^(-w x))) = u
            if u > math.exp(-beta[c]):
                x = -math.log(1 + math.log(u) / beta[c]) / w
                fire = min(fire, t + x)
        when = fire if fire < 20 else None
        seen = [
            (c, float(t)) for t, c in zip(times, chans, strict=True) if when is None or t <= when
        ]
        journeys.append((seen, when))
    return EventLog.from_records(records(journeys))


@pytest.mark.parametrize(("n", "tol"), [(1_000, 0.25), (8_000, 0.08)])
def test_parameters_are_recovered(n: int, tol: float) -> None:
    """Strengths used to simulate are recovered, within a tolerance that shrinks with n
    (fixed seeds; the tolerances are about 4 standard errors)."""
    truth = {"ads": 0.8, "seo": 0.3}
    log = simulate(n, seed=n, beta=truth, half_life_days=2.0)
    fit = Survival(half_life="2 days", observation_end=T0 + 20 * DAY).fit(log)
    for k, v in truth.items():
        assert fit.strengths[k] == pytest.approx(v, rel=tol)


def test_credit_is_share_of_hazard_at_conversion() -> None:
    """With both strengths known from the fit, a converting path's shares are each touch's
    beta w e^(-w age) over their sum."""
    journeys = [([("a", 0.0), ("b", 1.0)], 2.0), ([("a", 0.0)], 1.0), ([("b", 0.0)], None)]
    log = EventLog.from_records(records(journeys))
    r = attribute(log, Survival(half_life="1 day"))
    beta = r.fitted.strengths
    w = math.log(2)
    ha, hb = beta["a"] * w * math.exp(-2 * w), beta["b"] * w * math.exp(-w)
    first = [t for t in r.explain("j0") if t.item is not None]
    assert [t.conversions for t in first] == pytest.approx([ha / (ha + hb), hb / (ha + hb)])


def test_conformance() -> None:
    """The model passes touchpath's conformance check on random logs."""
    check_attribution_model(Survival(half_life="2 days"))


def test_errors() -> None:
    """Path counts have no timestamps; observation_end must not precede the data; a
    half-life mapping needs a default."""
    with pytest.raises(UnsupportedInputError):
        attribute(PathCounts.from_rows([(["a"], 1, 0, 0)]), Survival())
    log = EventLog.from_records(records([([("a", 0.0)], 3.0)]))
    with pytest.raises(ConfigError, match="observation_end"):
        Survival(observation_end=T0).fit(log)
    with pytest.raises(ConfigError, match="'\\*'"):
        Survival(half_life={"a": "1 day"})
    per_item = Survival(half_life={"a": "1 day", "*": "3 days"})
    assert per_item.fit(log).decay.tolist() == pytest.approx([math.log(2)])

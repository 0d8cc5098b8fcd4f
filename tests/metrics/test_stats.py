"""Intervals and tests on rates: reference values, brute-force definitions, coverage."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import EventLog
from touchpath.exceptions import ConfigError, NotFoundError, UndefinedResultWarning
from touchpath.metrics import (
    IntervalMethod,
    Ratio,
    benjamini_hochberg,
    compare_segments,
    funnel,
    proportion_interval,
    two_proportion_test,
)
from touchpath.metrics._interval import beta_cdf, beta_quantile

# (successes, trials, confidence, wilson low, wilson high, exact low, exact high), written
# from scipy 1.17 ``binomtest(s, n).proportion_ci(confidence, "wilson" / "exact")``
SCIPY_CI = [
    (0, 10, 0.95, 0.0, 0.27753279986288926, 0.0, 0.30849710781876294),
    (1, 10, 0.95, 0.017876213095072896, 0.4041500267952385, 0.0025285785444625728, 0.4450161170282),
    (7, 13, 0.9, 0.3248195589589246, 0.7388522269250104, 0.2870490027943889, 0.7760446057883169),
    (99, 100, 0.99, 0.9201988714650058, 0.9988248545734877, 0.9280423175981081, 0.99994987583809),
    (500, 1000, 0.95, 0.4690696003681042, 0.5309303996318958, 0.468549172971792, 0.531450827028208),
    # exact low: the root of P(X >= 3) = 0.025 in 50-digit decimal arithmetic; scipy 1.17's
    # beta.ppf gives 6.186725999e-07 here, 8e-8 too high (its tail there is 0.0250000051)
    (
        3,
        10**6,
        0.95,
        1.020271240968e-06,
        8.821149774312e-06,
        6.186725501906e-07,
        8.767247805906e-06,
    ),
]


@pytest.mark.parametrize(("s", "n", "conf", "wl", "wh", "el", "eh"), SCIPY_CI, ids=str)
def test_intervals_match_scipy_written_values(
    s: int, n: int, conf: float, wl: float, wh: float, el: float, eh: float
) -> None:
    """Wilson and Clopper-Pearson bounds equal scipy's (written into the test) to 1e-9."""
    w = Ratio(s, n).interval("wilson", conf)
    e = Ratio(s, n).interval("clopper-pearson", conf)
    assert w.lower == pytest.approx(wl, rel=1e-9, abs=1e-15)
    assert w.upper == pytest.approx(wh, rel=1e-9)
    assert e.lower == pytest.approx(el, rel=1e-9, abs=1e-15)
    assert e.upper == pytest.approx(eh, rel=1e-9)
    assert (w.estimate, w.confidence, e.method) == (s / n, conf, IntervalMethod.CLOPPER_PEARSON)


def _wilson_by_formula(s: int, n: int, z: float) -> tuple[float, float]:
    """The Wilson score bounds: roots in p of (p̂ - p)² = z² p (1 - p) / n."""
    p = s / n
    # quadratic (1 + z²/n) p² - (2 p̂ + z²/n) p + p̂² = 0
    a = 1 + z * z / n
    b = -(2 * p + z * z / n)
    c = p * p
    root = math.sqrt(max(0.0, b * b - 4 * a * c))
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
@settings(max_examples=60)
def test_wilson_is_the_root_of_the_score_equation(sn: tuple[int, int]) -> None:
    """Wilson's bounds solve the score equation (the quadratic, solved here independently)."""
    s, n = sn
    lo, hi = _wilson_by_formula(s, n, 1.959963984540054)
    i = proportion_interval(s, n)
    assert i.lower == pytest.approx(lo, abs=1e-12)
    assert i.upper == pytest.approx(hi, abs=1e-12)


@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
@settings(max_examples=40)
def test_clopper_pearson_bounds_are_binomial_tail_roots(sn: tuple[int, int]) -> None:
    """At the exact bounds the binomial tails equal alpha/2: P(X >= s | lower) = P(X <= s | upper).

    The tails are summed term by term from the binomial pmf (no beta function).
    """
    s, n = sn
    i = proportion_interval(s, n, method="clopper-pearson")

    def pmf(k: int, p: float) -> float:
        return math.exp(
            math.lgamma(n + 1)
            - math.lgamma(k + 1)
            - math.lgamma(n - k + 1)
            + k * math.log(p)
            + (n - k) * math.log1p(-p)
        )

    if s > 0:
        assert sum(pmf(k, i.lower) for k in range(s, n + 1)) == pytest.approx(0.025, rel=1e-7)
    else:
        assert i.lower == 0.0
    if s < n:
        assert sum(pmf(k, i.upper) for k in range(s + 1)) == pytest.approx(0.025, rel=1e-7)
    else:
        assert i.upper == 1.0


def test_beta_functions_match_scipy() -> None:
    """The incomplete beta function and its quantile agree with scipy on a grid."""
    stats = pytest.importorskip("scipy.stats")
    for a, b in [(0.5, 0.5), (1, 1), (2, 30), (30, 2), (250, 400), (10**5, 3 * 10**5)]:
        mean = a / (a + b)
        for x in (mean * 0.9, mean, min(0.999, mean * 1.05), 0.01, 0.99):
            assert beta_cdf(x, a, b) == pytest.approx(stats.beta.cdf(x, a, b), rel=1e-9, abs=1e-14)
        for p in (1e-6, 0.025, 0.5, 0.975):
            assert beta_quantile(p, a, b) == pytest.approx(stats.beta.ppf(p, a, b), rel=1e-9)


@pytest.mark.parametrize(("p", "n"), [(0.02, 50), (0.3, 20), (0.5, 100), (0.9, 40)], ids=str)
def test_monte_carlo_coverage(p: float, n: int) -> None:
    """Coverage over 4000 fixed-seed binomial draws: Clopper-Pearson at least the nominal 95%
    (minus Monte-Carlo error), Wilson within a few points of it; both agree with the exact
    coverage summed over the binomial pmf."""
    rng = np.random.default_rng(20261201)
    draws = rng.binomial(n, p, size=4000)
    mc_error = 3 * math.sqrt(0.95 * 0.05 / len(draws))
    cases: tuple[tuple[IntervalMethod, float], ...] = (
        (IntervalMethod.CLOPPER_PEARSON, 0.95),
        (IntervalMethod.WILSON, 0.92),
    )
    for method, low_ok in cases:
        covers = np.array([p in proportion_interval(x, n, method=method) for x in range(n + 1)])
        coverage = covers[draws].mean()
        exact = sum(math.comb(n, x) * p**x * (1 - p) ** (n - x) for x in range(n + 1) if covers[x])
        assert coverage >= low_ok - mc_error
        assert coverage == pytest.approx(exact, abs=mc_error)
        if method is IntervalMethod.CLOPPER_PEARSON:
            assert exact >= 0.95  # the exact interval is conservative at every p


@pytest.mark.parametrize(
    ("ratio", "message"),
    [
        (Ratio(0, 0), "undefined"),
        (Ratio(1.5, 4), "whole counts"),
        (Ratio(5, 4), "between 0 and"),
        (Ratio(-1, 4), "between 0 and"),
    ],
    ids=["undefined", "amounts", "over-one", "negative"],
)
def test_interval_refuses_what_is_not_a_proportion(ratio: Ratio, message: str) -> None:
    """An undefined rate or a rate that is not a count of units has no binomial interval."""
    with pytest.raises(ConfigError, match=message):
        ratio.interval()


def test_interval_refuses_bad_options() -> None:
    """Unknown methods and confidence levels outside (0, 1) are errors naming the value."""
    with pytest.raises(ConfigError, match="'method'"):
        Ratio(1, 2).interval("agresti")  # type: ignore[arg-type]
    for bad in (0, 1, 1.5, True):
        with pytest.raises(ConfigError, match="confidence"):
            Ratio(1, 2).interval(confidence=bad)


def test_two_proportion_test_matches_chi_square() -> None:
    """The z-test's p equals the uncorrected 2x2 chi-square test's (z² = χ²), by scipy."""
    stats = pytest.importorskip("scipy.stats")
    for (s1, n1), (s2, n2) in [((45, 100), (30, 100)), ((3, 17), (40, 90)), ((500, 900), (10, 11))]:
        t = two_proportion_test(Ratio(s1, n1), Ratio(s2, n2))
        chi2, p, _, _ = stats.chi2_contingency([[s1, n1 - s1], [s2, n2 - s2]], correction=False)
        assert t.z**2 == pytest.approx(chi2, rel=1e-9)
        assert t.p_value == pytest.approx(p, rel=1e-9)
        assert t.difference == pytest.approx(s1 / n1 - s2 / n2)
        assert t.difference_lower < t.difference < t.difference_upper


def test_two_proportion_test_by_hand() -> None:
    """45/100 vs 30/100: pooled p = 0.375, se = sqrt(.375 * .625 * .02) = 0.06847, z = 2.1909."""
    t = two_proportion_test(Ratio(45, 100), Ratio(30, 100))
    se = math.sqrt(0.375 * 0.625 * 0.02)
    assert t.z == pytest.approx(0.15 / se)
    assert t.p_value == pytest.approx(math.erfc(0.15 / se / math.sqrt(2)))
    # Newcombe's interval from the Wilson bounds of each rate
    a, b = Ratio(45, 100).interval(), Ratio(30, 100).interval()
    assert t.difference_lower == pytest.approx(0.15 - math.hypot(0.45 - a.lower, b.upper - 0.3))
    assert t.difference_upper == pytest.approx(0.15 + math.hypot(a.upper - 0.45, 0.3 - b.lower))


def _bh_step_up(p: list[float], alpha: float) -> set[int]:
    """The Benjamini-Hochberg procedure as published: reject the k smallest, k the largest
    index with p_(k) <= k alpha/ m."""
    m = len(p)
    ranked = sorted(range(m), key=lambda i: p[i])
    k = max((r + 1 for r, i in enumerate(ranked) if p[i] <= (r + 1) * alpha / m), default=0)
    return set(ranked[:k])


@given(st.lists(st.floats(0, 1), max_size=30), st.sampled_from([0.01, 0.05, 0.2]))
@settings(max_examples=100)
def test_benjamini_hochberg_rejects_what_the_step_up_procedure_rejects(
    p: list[float], alpha: float
) -> None:
    """``q <= alpha`` rejects exactly the hypotheses the step-up procedure rejects."""
    q = benjamini_hochberg(p)
    assert {i for i, x in enumerate(q) if x <= alpha} == _bh_step_up(p, alpha)
    assert all(qi >= pi - 1e-12 for qi, pi in zip(q, p, strict=True))


def test_benjamini_hochberg_matches_scipy() -> None:
    """q-values equal scipy's ``false_discovery_control`` (method 'bh')."""
    stats = pytest.importorskip("scipy.stats")
    p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]
    assert benjamini_hochberg(p) == pytest.approx(list(stats.false_discovery_control(p)))
    with pytest.raises(ConfigError, match="between 0 and 1"):
        benjamini_hochberg([0.1, 1.2])


def _segment_log() -> EventLog:
    """Three segments: smb 40 visit / 30 trial / 15 paid; ent 40 / 10 / 9; edu 4 / 2 / 1."""
    rows = []
    for seg, n, trial, paid in (("smb", 40, 30, 15), ("ent", 40, 10, 9), ("edu", 4, 2, 1)):
        for i in range(n):
            jid = f"{seg}{i}"
            rows.append({"journey_id": jid, "timestamp": 0, "stage": "visit", "segment": seg})
            if i < trial:
                rows.append({"journey_id": jid, "timestamp": 60, "stage": "trial"})
            if i < paid:
                rows.append({"journey_id": jid, "timestamp": 120, "stage": "paid"})
    return EventLog.from_records(rows)


def test_compare_segments_of_a_funnel_against_the_rest() -> None:
    """Each segment at each step is tested against the other segments pooled (counts by
    hand), the p-values are corrected together, and thin cells are suppressed and named."""
    f = funnel(_segment_log(), ["visit", "trial", "paid"], breakdown="segment")
    c = compare_segments(f, min_support=5)
    cells = {(t.segment, t.step): t for t in c.tests}
    assert set(cells) == {("ent", "trial"), ("smb", "trial"), ("ent", "paid"), ("smb", "paid")}
    # smb at trial: 30/40 against ent+edu: 12/44
    assert cells[("smb", "trial")].test.first == Ratio(30, 40)
    assert cells[("smb", "trial")].test.second == Ratio(12, 44)
    # ent at paid: 9/10 against smb+edu 16/32
    assert cells[("ent", "paid")].test.second == Ratio(16, 32)
    expected_q = benjamini_hochberg(
        [two_proportion_test(t.test.first, t.test.second).p_value for t in c.tests]
    )
    assert [t.q_value for t in c.tests] == list(expected_q)
    assert {(s.segment, s.step) for s in c.suppressed} == {("edu", "trial"), ("edu", "paid")}
    assert all("fewer than 5 units" in s.reason for s in c.suppressed)
    assert "2 cells suppressed" in repr(c)
    assert "edu/trial" in (c.report_section().note or "")


def test_compare_segments_against_a_named_baseline() -> None:
    """With baseline='ent' the others are tested against ent's own rates; ent is not tested."""
    f = funnel(_segment_log(), ["visit", "trial"], breakdown="segment")
    c = compare_segments(f, baseline="ent", rate="conversion_from_first")
    assert [(t.segment, t.test.first, t.test.second) for t in c.tests] == [
        ("edu", Ratio(2, 4), Ratio(10, 40)),
        ("smb", Ratio(30, 40), Ratio(10, 40)),
    ]
    with pytest.raises(NotFoundError):
        compare_segments(f, baseline="gov")


def test_compare_segments_refuses_what_it_cannot_compare() -> None:
    """A funnel without a breakdown, a bad rate name, bad alpha or support are errors."""
    log = _segment_log()
    with pytest.raises(ConfigError, match="breakdown="):
        compare_segments(funnel(log, ["visit", "trial"]))
    f = funnel(log, ["visit", "trial"], breakdown="segment")
    with pytest.raises(ConfigError, match="'rate'"):
        compare_segments(f, rate="drop_off")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="alpha"):
        compare_segments(f, alpha=0)
    with pytest.raises(ConfigError, match="min_support"):
        compare_segments(f, min_support=-1)
    with pytest.raises(ConfigError, match="Ratio"):
        compare_segments({"a": 0.5})  # type: ignore[dict-item]


def test_undefined_cells_are_suppressed_not_tested() -> None:
    """A segment with no units gives an undefined rate: suppressed with that reason."""
    c = compare_segments({"a": Ratio(0, 0), "b": Ratio(3, 9), "c": Ratio(5, 9)})
    assert [(s.segment, s.reason) for s in c.suppressed] == [("a", "undefined rate")]
    assert [t.segment for t in c.tests] == ["b", "c"]


def test_funnel_tables_show_intervals_when_asked() -> None:
    """``to_pandas(interval=...)`` adds bounds equal to each step's Ratio.interval(); the
    report section gets an interval column and names the method; undefined rates give NaN."""
    f = funnel(_segment_log(), ["visit", "trial", "paid"], breakdown="segment")
    frame = f.to_pandas(interval="clopper-pearson", confidence=0.9)
    smb = frame[frame["segment"] == "smb"].reset_index()
    expected = Ratio(15, 30).interval("clopper-pearson", 0.9)
    assert smb.loc[2, "conversion_from_previous_lower"] == expected.lower
    assert smb.loc[2, "conversion_from_previous_upper"] == expected.upper
    assert "conversion_from_previous_lower" not in f.to_pandas().columns
    section = f.report_section(interval="wilson")
    assert "95% interval" in section.body
    assert "intervals: wilson" in (section.note or "")
    with pytest.warns(UndefinedResultWarning, match="no journey reached"):
        empty = funnel(EventLog.from_records([]), ["visit", "trial"], level="stage")
    assert math.isnan(empty.to_pandas(interval="wilson").loc[0, "conversion_from_first_lower"])
    with pytest.raises(ConfigError, match="'interval'"):
        f.report_section(interval="bayes")  # type: ignore[arg-type]


def test_transition_probability_and_fitness_are_ratios_with_intervals() -> None:
    """The graph's transition probability and the validation fitness keep their parts
    (counted by hand), so they have intervals."""
    from touchpath import JourneyMap
    from touchpath.metrics import TransitionGraphCounts
    from touchpath.validation import ValidationCounts

    log = _segment_log()
    g = TransitionGraphCounts.from_log(log)
    # visit -> trial: 30 + 10 + 2 = 42, the only moves out of visit; trial -> paid: 15 + 9 + 1
    assert g.probability("visit", "trial") == Ratio(42, 42)
    assert g.probability("trial", "paid") == Ratio(25, 25)
    assert g.probability("trial", "visit") == Ratio(0, 25)
    with pytest.raises(NotFoundError):
        g.probability("visit", "gone")
    m = JourneyMap.builder("m").stage("visit").stage("paid").path("visit", "paid").build()
    counts = ValidationCounts.from_log(log, m, now=10**6)
    assert counts.journey_fitness == Ratio(counts.conforming_journeys, counts.journeys)
    assert counts.transition_fitness == Ratio(counts.conforming_transitions, counts.transitions)

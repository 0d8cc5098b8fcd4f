"""Tests on rates: two-proportion z-tests, Benjamini-Hochberg, segment comparisons.

Every formula is in ``docs/metrics.md`` ("Intervals and tests"). Nothing
here needs SciPy: the normal distribution comes from ``math`` and
``statistics``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal, TypeAlias, final

import attrs
import numpy as np

from .._table import Column, ColumnKind, Table, TableViews
from ..exceptions import ConfigError, NotFoundError
from ._interval import (
    IntervalMethod,
    check_confidence,
    normal_sf,
    proportion_interval,
)
from ._ratio import Ratio

if TYPE_CHECKING:
    from ._funnel import FunnelCounts, FunnelResult

__all__ = [
    "ProportionTest",
    "SegmentComparison",
    "SegmentTest",
    "SuppressedCell",
    "benjamini_hochberg",
    "compare_segments",
    "two_proportion_test",
]

FunnelRate: TypeAlias = Literal[
    "conversion_from_previous", "conversion_from_first", "settled_conversion"
]
"""Which rate of each funnel step :func:`compare_segments` compares."""


def _counts(rate: Ratio, what: str) -> tuple[int, int]:
    s, n = rate.numerator, rate.denominator
    if s != int(s) or n != int(n) or not 0 <= s <= n:
        raise ConfigError(
            f"{what} must be a proportion of whole counts (0 <= numerator <= denominator); "
            f"got {rate!r}"
        )
    if n == 0:
        raise ConfigError(f"{what} is undefined (no units); got {rate!r}")
    return int(s), int(n)


@final
@attrs.frozen
class ProportionTest:
    """A two-sided two-proportion z-test of ``first`` against ``second``.

    >>> t = two_proportion_test(Ratio(45, 100), Ratio(30, 100))
    >>> (round(t.difference, 2), round(t.z, 4), round(t.p_value, 4))
    (0.15, 2.1909, 0.0285)
    """

    first: Ratio
    """The first rate (e.g. a segment's)."""
    second: Ratio
    """The rate it is compared against (e.g. the other segments')."""
    difference: float
    """``first - second`` (the values)."""
    difference_lower: float
    """Lower bound of the difference (Newcombe's hybrid score interval, from Wilson bounds)."""
    difference_upper: float
    """Upper bound of the difference."""
    z: float
    """The pooled z statistic (0 when both rates are all 0 or all 1)."""
    p_value: float
    """Two-sided p-value ``2 P(Z > |z|)`` (1 when both rates are all 0 or all 1)."""
    confidence: float
    """Confidence level of the difference's interval."""


def two_proportion_test(first: Ratio, second: Ratio, *, confidence: float = 0.95) -> ProportionTest:
    """Whether two rates differ: the pooled two-proportion z-test, two-sided.

    ``z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2))`` with the pooled
    ``p = (s1 + s2) / (n1 + n2)``; the difference comes with Newcombe's
    hybrid score interval. Both rates must be proportions of whole counts
    with a positive denominator.

    >>> t = two_proportion_test(Ratio(0, 50), Ratio(0, 80))
    >>> (t.z, t.p_value)
    (0.0, 1.0)
    """
    level = check_confidence(confidence)
    s1, n1 = _counts(first, "'first'")
    s2, n2 = _counts(second, "'second'")
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    if se == 0.0:
        z, p_value = 0.0, 1.0
    else:
        z = (p1 - p2) / se
        p_value = min(1.0, 2.0 * normal_sf(abs(z)))
    a = proportion_interval(s1, n1, method=IntervalMethod.WILSON, confidence=level)
    b = proportion_interval(s2, n2, method=IntervalMethod.WILSON, confidence=level)
    d = p1 - p2
    lower = d - math.sqrt((p1 - a.lower) ** 2 + (b.upper - p2) ** 2)
    upper = d + math.sqrt((a.upper - p1) ** 2 + (p2 - b.lower) ** 2)
    return ProportionTest(first, second, d, lower, upper, z, p_value, level)


def benjamini_hochberg(p_values: Sequence[float]) -> tuple[float, ...]:
    """Benjamini-Hochberg adjusted p-values (q-values), in the order given.

    ``q_(i) = min over j >= i of min(1, m p_(j) / j)`` for the p-values
    sorted ascending; rejecting every hypothesis with ``q <= alpha`` keeps
    the false discovery rate at most ``alpha`` (for independent or
    positively dependent tests).

    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.5])
    (0.04, 0.05333333333333334, 0.05333333333333334, 0.5)
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1:
        raise ConfigError(f"'p_values' must be a flat sequence; got shape {p.shape}")
    if len(p) and (np.isnan(p).any() or p.min() < 0 or p.max() > 1):
        raise ConfigError(f"p-values must be between 0 and 1; got {p_values!r}")
    m = len(p)
    if m == 0:
        return ()
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    out = np.empty(m, dtype=np.float64)
    out[order] = adjusted
    return tuple(float(x) for x in out)


@final
@attrs.frozen
class SegmentTest:
    """One segment's rate (at one funnel step) tested against its baseline.

    >>> c = compare_segments({"smb": Ratio(45, 100), "ent": Ratio(30, 100)}, baseline="ent")
    >>> t = c.tests[0]
    >>> (t.segment, t.step, t.significant, round(t.q_value, 4))
    ('smb', None, True, 0.0285)
    """

    segment: str | None
    """The segment label (None: units without a value of the breakdown field)."""
    step: str | None
    """The funnel step whose rate is compared (None for a mapping of rates)."""
    test: ProportionTest
    """The z-test of the segment's rate (``first``) against the baseline (``second``)."""
    q_value: float
    """The Benjamini-Hochberg adjusted p-value over every test of the comparison."""
    significant: bool
    """``q_value <= alpha``."""


@final
@attrs.frozen
class SuppressedCell:
    """A segment (and step) left out of the tests, and why.

    >>> c = compare_segments({"a": Ratio(1, 3), "b": Ratio(40, 90)}, min_support=10)
    >>> [(s.segment, s.reason) for s in c.suppressed]  # doctest: +NORMALIZE_WHITESPACE
    [('a', 'fewer than 10 units (3)'), ('b', 'fewer than 10 units in the baseline (3)')]
    """

    segment: str | None
    """The segment label."""
    step: str | None
    """The funnel step (None for a mapping of rates)."""
    rate: Ratio
    """The segment's rate."""
    baseline: Ratio
    """The baseline's rate."""
    reason: str
    """Why it was not tested."""


def _label(label: str | None) -> str:
    return "(none)" if label is None else label


@final
@attrs.frozen
class SegmentComparison(TableViews):
    """Every segment's rate tested against a baseline, with the false discovery rate controlled.

    >>> c = compare_segments({"smb": Ratio(45, 100), "ent": Ratio(30, 100)})
    >>> [(t.segment, round(t.test.p_value, 4), t.significant) for t in c.tests]
    [('smb', 0.0285, True), ('ent', 0.0285, True)]
    """

    tests: tuple[SegmentTest, ...]
    """The tests, in segment (then step) order."""
    suppressed: tuple[SuppressedCell, ...]
    """Cells left out (too few units, or an undefined rate); not counted in the correction."""
    baseline: str | None
    """The baseline segment (None: each segment against all the others together)."""
    alpha: float
    """The false discovery rate the ``significant`` flags control."""
    min_support: int
    """Cells with fewer units than this (in the segment or its baseline) are suppressed."""

    @property
    def significant(self) -> tuple[SegmentTest, ...]:
        """The tests whose q-value is at most :attr:`alpha`.

        >>> compare_segments({"a": Ratio(5, 10), "b": Ratio(5, 10)}).significant
        ()
        """
        return tuple(t for t in self.tests if t.significant)

    def _summary(self) -> str:
        against = "the other segments" if self.baseline is None else repr(self.baseline)
        text = (
            f"{len(self.tests)} tests against {against}, {len(self.significant)} significant "
            f"at a false discovery rate of {self.alpha:g} (Benjamini-Hochberg)"
        )
        if self.suppressed:
            text += (
                f"; {len(self.suppressed)} cells suppressed (fewer than "
                f"{self.min_support} units or undefined): "
                + ", ".join(
                    _label(s.segment) + (f"/{s.step}" if s.step is not None else "")
                    for s in self.suppressed
                )
            )
        return text

    def __repr__(self) -> str:
        return f"<SegmentComparison {self._summary()}>"

    def to_table(self) -> Table:
        """One row per test (suppressed cells are in :attr:`suppressed`): the segment's
        rate, the baseline's, their difference with its interval (percentage points),
        z, p- and q-values and whether the difference is significant.

        >>> c = compare_segments({"a": Ratio(5, 10), "b": Ratio(2, 10)}, baseline="b")
        >>> c.to_pandas()[["segment", "significant"]].to_dict("records")
        [{'segment': 'a', 'significant': False}]
        >>> c.to_table().cells()[0][2:5]  # 5/10 against 2/10: 30 points more
        ['50.0%', '20.0%', '+30.0 pp']
        """
        tests = self.tests
        change = ColumnKind.RATE_CHANGE
        return Table(
            (
                Column("segment"),
                Column("step"),
                Column("rate", kind=ColumnKind.RATE),
                Column("baseline", kind=ColumnKind.RATE),
                Column("difference", kind=change),
                Column("difference_lower", "difference lower", change),
                Column("difference_upper", "difference upper", change),
                Column("z", kind=ColumnKind.NUMBER, shown=False),
                Column("p_value", "p-value", ColumnKind.NUMBER),
                Column("q_value", "q-value", ColumnKind.NUMBER),
                Column("significant", kind=ColumnKind.FLAG),
            ),
            {
                "segment": [t.segment for t in tests],
                "step": [t.step for t in tests],
                "rate": [float(t.test.first) for t in tests],
                "baseline": [float(t.test.second) for t in tests],
                "difference": [t.test.difference for t in tests],
                "difference_lower": [t.test.difference_lower for t in tests],
                "difference_upper": [t.test.difference_upper for t in tests],
                "z": [t.test.z for t in tests],
                "p_value": [t.test.p_value for t in tests],
                "q_value": [t.q_value for t in tests],
                "significant": [t.significant for t in tests],
            },
            name="segment_tests",
            title="Segment comparison",
            note=self._summary(),
            source="SegmentComparison",
        )


def _funnel_cells(
    result: FunnelResult, rate: FunnelRate
) -> list[tuple[str | None, str | None, Ratio, Ratio]]:
    if result.counts.breakdown is None:
        raise ConfigError(
            "compare_segments needs a funnel broken down into segments; "
            "compute it with breakdown=... (e.g. breakdown='segment')"
        )
    if rate not in ("conversion_from_previous", "conversion_from_first", "settled_conversion"):
        raise ConfigError(
            "'rate' must be 'conversion_from_previous', 'conversion_from_first' or "
            f"'settled_conversion'; got {rate!r}"
        )
    cells = [
        (label, steps[k].step, getattr(steps[k], rate), k)
        for label, steps in result.breakdown.items()
        for k in range(1, len(steps))
    ]
    totals = [getattr(s, rate) for s in result.steps]
    return [(label, step, r, totals[k]) for label, step, r, k in cells]


def compare_segments(
    data: FunnelResult | FunnelCounts | Mapping[str, Ratio],
    *,
    baseline: str | None = None,
    rate: FunnelRate = "conversion_from_previous",
    alpha: float = 0.05,
    min_support: int = 0,
    confidence: float = 0.95,
) -> SegmentComparison:
    """Test each segment's rate against a baseline, controlling the false discovery rate.

    ``data`` is a funnel computed with ``breakdown=...`` (every segment at every
    step after the first, on the chosen ``rate``) or a mapping of segment
    label to :class:`Ratio`. Each cell is tested with
    :func:`two_proportion_test` against ``baseline`` (a segment label) or,
    by default, against all the other segments together; the p-values of
    all cells are adjusted together by :func:`benjamini_hochberg`.

    Cells with fewer than ``min_support`` units (the rate's denominator) in
    the segment or in its baseline, and cells whose rate is undefined, are
    not tested: they are listed in :attr:`SegmentComparison.suppressed` with
    the reason and named in the summary, and do not count towards the
    correction.

    >>> from touchpath import EventLog
    >>> rows = [{"journey_id": f"{seg}{i}", "timestamp": 0, "stage": "visit", "segment": seg}
    ...         for seg in ("smb", "ent") for i in range(40)]
    >>> rows += [{"journey_id": f"smb{i}", "timestamp": 60, "stage": "trial"} for i in range(30)]
    >>> rows += [{"journey_id": f"ent{i}", "timestamp": 60, "stage": "trial"} for i in range(10)]
    >>> from touchpath.metrics import funnel
    >>> f = funnel(EventLog.from_records(rows), ["visit", "trial"], breakdown="segment")
    >>> c = compare_segments(f, baseline="ent")
    >>> [(t.segment, t.step, f"{t.test.difference:+.0%}", t.significant) for t in c.tests]
    [('smb', 'trial', '+50%', True)]
    """
    from ._funnel import FunnelCounts, FunnelResult

    given_alpha: object = alpha
    if isinstance(given_alpha, bool) or not isinstance(given_alpha, int | float):
        raise ConfigError(f"'alpha' must be strictly between 0 and 1; got {alpha!r}")
    if not 0 < given_alpha < 1:
        raise ConfigError(f"'alpha' must be strictly between 0 and 1; got {alpha!r}")
    support: object = min_support
    if isinstance(support, bool) or not isinstance(support, int) or support < 0:
        raise ConfigError(f"'min_support' must be a non-negative integer; got {min_support!r}")
    level = check_confidence(confidence)
    if isinstance(data, FunnelCounts):
        data = FunnelResult.from_counts(data)
    if isinstance(data, FunnelResult):
        cells = _funnel_cells(data, rate)
        labels = list(data.breakdown)
        by_cell = {(label, step): r for label, step, r, _ in cells}
    elif isinstance(data, Mapping):
        for key, value in data.items():
            if not isinstance(value, Ratio):
                raise ConfigError(f"segment {key!r}: rates must be Ratio objects; got {value!r}")
        total = sum(data.values(), Ratio.zero())
        cells = [(label, None, r, total) for label, r in data.items()]
        labels = list(data)
        by_cell = {(label, None): r for label, r in data.items()}
    else:
        raise ConfigError(
            "compare_segments takes a FunnelResult, FunnelCounts or a mapping of "
            f"segment to Ratio; got {type(data).__name__}"
        )
    if baseline is not None and baseline not in labels:
        raise NotFoundError("segment (baseline)", baseline, choices=[x for x in labels if x])

    candidates: list[tuple[str | None, str | None, Ratio, Ratio]] = []
    suppressed: list[SuppressedCell] = []
    for label, step, r, total in cells:
        if baseline is not None:
            if label == baseline:
                continue
            base = by_cell[(baseline, step)]
        else:
            base = Ratio(total.numerator - r.numerator, total.denominator - r.denominator)
        reason = None
        if not r.is_defined or not base.is_defined:
            reason = "undefined rate" if not r.is_defined else "undefined baseline rate"
        elif r.denominator < min_support:
            reason = f"fewer than {min_support} units ({r.denominator:g})"
        elif base.denominator < min_support:
            reason = f"fewer than {min_support} units in the baseline ({base.denominator:g})"
        if reason is None:
            candidates.append((label, step, r, base))
        else:
            suppressed.append(SuppressedCell(label, step, r, base, reason))
    tested = [two_proportion_test(r, base, confidence=level) for _, _, r, base in candidates]
    q_values = benjamini_hochberg([t.p_value for t in tested])
    tests = tuple(
        SegmentTest(label, step, t, q, q <= alpha)
        for (label, step, _, _), t, q in zip(candidates, tested, q_values, strict=True)
    )
    return SegmentComparison(tests, tuple(suppressed), baseline, float(alpha), min_support)

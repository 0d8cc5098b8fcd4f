"""DurationDigest: exact small sets, bounded-error sketches, exact merging."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath.exceptions import ConfigError
from touchpath.metrics import EXACT_LIMIT, RELATIVE_ACCURACY, DurationDigest


def test_small_sets_are_exact() -> None:
    """[10, 20, 30, 40] µs: median 25 (interpolated), p90 = 30 + 0.7 * 10 = 37, mean 25."""
    d = DurationDigest.from_microseconds([40, 10, 30, 20])
    assert d.is_exact
    assert (d.quantile(0.5), d.quantile(0.9), d.mean) == (25.0, 37.0, 25.0)
    assert (d.minimum, d.maximum, d.count, d.total) == (10, 40, 4, 100)


def test_stats_are_timedeltas_and_empty_is_none() -> None:
    """stats(): timedeltas; an empty digest has count 0 and no values."""
    s = DurationDigest.from_microseconds([3_600_000_000]).stats()
    assert s.median == dt.timedelta(hours=1)
    assert s.p90 == dt.timedelta(hours=1)
    e = DurationDigest.zero().stats()
    assert (e.count, e.median, e.mean, e.minimum) == (0, None, None, None)


def test_negative_durations_are_refused() -> None:
    """A negative duration is a ConfigError, as is a quantile outside [0, 1]."""
    with pytest.raises(ConfigError):
        DurationDigest.from_microseconds([1, -1])
    with pytest.raises(ConfigError):
        DurationDigest.from_microseconds([1]).quantile(1.5)


def test_large_sets_switch_to_buckets_within_the_accuracy() -> None:
    """Beyond EXACT_LIMIT values quantiles come from buckets, within 0.5 % of numpy's; count,
    sum, min and max stay exact."""
    rng = np.random.default_rng(1)
    values = rng.lognormal(mean=18, sigma=2, size=EXACT_LIMIT * 3).astype(np.int64)
    d = DurationDigest.from_microseconds(values)
    assert not d.is_exact
    assert (d.count, d.total) == (len(values), int(sum(values.tolist())))
    assert (d.minimum, d.maximum) == (int(values.min()), int(values.max()))
    for q in (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0):
        exact = float(np.quantile(values.astype(np.float64), q))
        got = d.quantile(q)
        assert got is not None
        assert abs(got - exact) <= RELATIVE_ACCURACY * exact + 1e-9
    assert not d.stats().exact


def test_zero_durations_are_kept_exactly_in_buckets() -> None:
    """Zero durations (ties) have their own bucket: the median of mostly zeros is 0."""
    values = np.zeros(EXACT_LIMIT + 5, dtype=np.int64)
    values[-3:] = 1_000
    d = DurationDigest.from_microseconds(values)
    assert (d.quantile(0.5), d.quantile(1.0)) == (0.0, 1000.0)


def test_sum_does_not_overflow_int64() -> None:
    """The exact sum of many long durations exceeds int64 and is still exact."""
    big = np.full(EXACT_LIMIT * 2, 2**60, dtype=np.int64)
    assert DurationDigest.from_microseconds(big).total == len(big) * 2**60


@settings(max_examples=30, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 2 * EXACT_LIMIT // 3), min_size=1, max_size=4),
    seed=st.integers(0, 1000),
)
def test_merging_parts_equals_the_digest_of_the_whole(sizes: list[int], seed: int) -> None:
    """Digests of parts, whether exact or bucketed, add up to the digest of all values."""
    rng = np.random.default_rng(seed)
    parts = [rng.integers(0, 10**10, size=n) for n in sizes]
    whole = DurationDigest.from_microseconds(np.concatenate(parts))
    merged = sum((DurationDigest.from_microseconds(p) for p in parts), DurationDigest.zero())
    assert merged == whole
    assert merged.quantile(0.5) == whole.quantile(0.5)

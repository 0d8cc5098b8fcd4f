"""Mergeable summaries of durations: exact for small sets, a log-bucket sketch for large ones."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from ..exceptions import ConfigError

__all__ = ["EXACT_LIMIT", "RELATIVE_ACCURACY", "DurationDigest", "DurationStats"]

EXACT_LIMIT: Final = 10_000
"""A digest keeps every duration up to this many; beyond it keeps log-spaced bucket counts."""

RELATIVE_ACCURACY: Final = 0.005
"""Largest relative error of a quantile read from the bucket counts (0.5 %)."""

_GAMMA: Final = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
_LOG_GAMMA: Final = math.log(_GAMMA)
_I64 = npt.NDArray[np.int64]
_EMPTY: Final = np.zeros(0, dtype=np.int64)
_EMPTY.setflags(write=False)


def _exact_sum(values: _I64) -> int:
    """The exact sum of non-negative int64 values as a Python int (no int64 overflow)."""
    if len(values) == 0:
        return 0
    high = int((values >> 32).sum(dtype=np.int64))
    low = int((values & 0xFFFFFFFF).sum(dtype=np.int64))
    return (high << 32) + low


def _bucket_of(values: _I64) -> _I64:
    """Bucket index of positive durations: ``ceil(log_gamma(v))`` (0 goes to bucket -1)."""
    out = np.full(len(values), -1, dtype=np.int64)
    pos = values > 0
    out[pos] = np.ceil(np.log(values[pos].astype(np.float64)) / _LOG_GAMMA).astype(np.int64)
    return out


def _histogram(buckets: _I64) -> tuple[_I64, _I64]:
    """Sorted distinct bucket indexes and their counts (a bincount: no sort needed)."""
    counts = np.bincount(buckets + 1)
    index = np.flatnonzero(counts)
    return (index - 1).astype(np.int64), counts[index].astype(np.int64)


def _bucket_value(index: _I64) -> npt.NDArray[np.float64]:
    """A bucket's representative duration (within the relative accuracy of all its members)."""
    rep = 2.0 * np.exp(index.astype(np.float64) * _LOG_GAMMA) / (_GAMMA + 1.0)
    return np.where(index < 0, 0.0, rep)


def _readonly(a: _I64) -> _I64:
    a.setflags(write=False)
    return a


def _sorted_quantile(values: _I64, q: float) -> float:
    """numpy's default (linear) quantile of sorted values, without numpy's overhead."""
    rank = q * (len(values) - 1)
    lo = math.floor(rank)
    hi = min(lo + 1, len(values) - 1)
    a, b = float(values[lo]), float(values[hi])
    return a + (rank - lo) * (b - a)


def _timedelta(us: float | None) -> dt.timedelta | None:
    return None if us is None else dt.timedelta(microseconds=round(us))


@attrs.frozen
class DurationStats:
    """Summary of a set of durations; every field is None when there are none.

    Quantiles interpolate linearly between the closest ranks (numpy's
    default). They are exact when :attr:`exact` is True, otherwise within
    0.5 % of the exact value (see :class:`DurationDigest`). Count, mean,
    minimum and maximum are always exact (the mean to the microsecond).

    >>> d = DurationDigest.from_microseconds([3_600_000_000, 7_200_000_000, 10_800_000_000])
    >>> s = d.stats()
    >>> (s.count, str(s.median), str(s.mean), str(s.maximum), s.exact)
    (3, '2:00:00', '2:00:00', '3:00:00', True)
    """

    count: int
    """How many durations."""
    mean: dt.timedelta | None
    """Their mean."""
    median: dt.timedelta | None
    """The 50th percentile."""
    p25: dt.timedelta | None
    """The 25th percentile."""
    p75: dt.timedelta | None
    """The 75th percentile."""
    p90: dt.timedelta | None
    """The 90th percentile."""
    minimum: dt.timedelta | None
    """The shortest."""
    maximum: dt.timedelta | None
    """The longest."""
    exact: bool = True
    """Whether the quantiles are exact (at most ``EXACT_LIMIT`` durations)."""


@attrs.frozen(eq=False, repr=False)
class DurationDigest:
    """A mergeable summary of non-negative durations (microseconds).

    Up to :data:`EXACT_LIMIT` durations it keeps them all, so quantiles are
    exact. Beyond that it keeps, like DDSketch, counts of log-spaced buckets
    whose members are all within :data:`RELATIVE_ACCURACY` (0.5 %) of the
    bucket's representative value; quantiles then are within 0.5 % of the
    exact ones. Count, sum (hence the mean), minimum and maximum are kept
    exactly in both modes.

    ``a + b`` is exact and associative: the digest of two parts equals the
    digest of the whole, whichever mode each part is in, because every
    duration always falls into the same bucket.

    >>> a = DurationDigest.from_microseconds([1, 2, 3])
    >>> b = DurationDigest.from_microseconds([4])
    >>> (a + b) == DurationDigest.from_microseconds([1, 2, 3, 4])
    True
    >>> (a + b).quantile(0.5)
    2.5
    >>> DurationDigest.zero().quantile(0.5) is None
    True
    """

    count: int
    """How many durations."""
    total: int
    """Their exact sum, in microseconds."""
    minimum: int | None
    """The shortest, in microseconds (None when empty)."""
    maximum: int | None
    """The longest, in microseconds (None when empty)."""
    values: _I64 | None
    """Every duration, sorted, while ``count <= EXACT_LIMIT``; else None."""
    bucket_index: _I64
    """Sorted bucket indexes with members (empty while exact); -1 holds zero durations."""
    bucket_count: _I64
    """Members of each bucket."""

    @classmethod
    def zero(cls) -> DurationDigest:
        """The empty digest, neutral for ``+``.

        >>> (DurationDigest.zero().count, DurationDigest.zero().mean)
        (0, None)
        """
        return cls(0, 0, None, None, _EMPTY, _EMPTY, _EMPTY)

    @classmethod
    def from_microseconds(cls, durations: Iterable[int] | _I64) -> DurationDigest:
        """A digest of durations given in microseconds (non-negative integers).

        >>> DurationDigest.from_microseconds([5, 0]).minimum
        0
        """
        arr = np.asarray(
            durations if isinstance(durations, np.ndarray) else list(durations), dtype=np.int64
        )
        if arr.ndim != 1:
            raise ConfigError(f"durations must be one-dimensional; got shape {arr.shape}")
        if len(arr) and int(arr.min()) < 0:
            raise ConfigError(f"durations must not be negative; got {int(arr.min())} µs")
        return cls._from_array(arr)

    @classmethod
    def _from_array(cls, arr: _I64) -> DurationDigest:
        n = len(arr)
        if n == 0:
            return cls.zero()
        total = _exact_sum(arr)
        lo, hi = int(arr.min()), int(arr.max())
        if n <= EXACT_LIMIT:
            return cls(n, total, lo, hi, _readonly(np.sort(arr)), _EMPTY, _EMPTY)
        index, counts = _histogram(_bucket_of(arr))
        return cls(n, total, lo, hi, None, _readonly(index), _readonly(counts))

    @property
    def is_exact(self) -> bool:
        """Whether every duration is kept (quantiles are exact).

        >>> DurationDigest.from_microseconds(range(EXACT_LIMIT + 1)).is_exact
        False
        """
        return self.values is not None

    def _buckets(self) -> tuple[_I64, _I64]:
        if self.values is None:
            return self.bucket_index, self.bucket_count
        return _histogram(_bucket_of(self.values))

    def __add__(self, other: object) -> DurationDigest:
        if not isinstance(other, DurationDigest):
            return NotImplemented
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        n = self.count + other.count
        lo = min(self.minimum, other.minimum)  # type: ignore[type-var]
        hi = max(self.maximum, other.maximum)  # type: ignore[type-var]
        total = self.total + other.total
        if self.values is not None and other.values is not None and n <= EXACT_LIMIT:
            merged = np.sort(np.concatenate([self.values, other.values]))
            return DurationDigest(n, total, lo, hi, _readonly(merged), _EMPTY, _EMPTY)
        i1, c1 = self._buckets()
        i2, c2 = other._buckets()
        index, inverse = np.unique(np.concatenate([i1, i2]), return_inverse=True)
        counts = np.zeros(len(index), dtype=np.int64)
        np.add.at(counts, inverse, np.concatenate([c1, c2]))
        return DurationDigest(
            n, total, lo, hi, None, _readonly(index.astype(np.int64)), _readonly(counts)
        )

    def __radd__(self, other: object) -> DurationDigest:
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DurationDigest):
            return NotImplemented
        if (self.count, self.total, self.minimum, self.maximum) != (
            other.count,
            other.total,
            other.minimum,
            other.maximum,
        ):
            return False
        if (self.values is None) != (other.values is None):
            return False
        if self.values is not None and other.values is not None:
            return bool(np.array_equal(self.values, other.values))
        return bool(
            np.array_equal(self.bucket_index, other.bucket_index)
            and np.array_equal(self.bucket_count, other.bucket_count)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        mode = "exact" if self.is_exact else f"{len(self.bucket_index)} buckets"
        return f"<DurationDigest: {self.count} durations, {mode}>"

    @property
    def mean(self) -> float | None:
        """The mean in microseconds (None when empty).

        >>> DurationDigest.from_microseconds([1, 2]).mean
        1.5
        """
        return self.total / self.count if self.count else None

    def quantile(self, q: float) -> float | None:
        """The ``q`` quantile in microseconds (linear interpolation; None when empty).

        >>> DurationDigest.from_microseconds([10, 20, 30, 40]).quantile(0.9)
        37.0
        """
        if not 0.0 <= q <= 1.0:
            raise ConfigError(f"'q' must be between 0 and 1; got {q!r}")
        if self.count == 0:
            return None
        if self.values is not None:
            return _sorted_quantile(self.values, q)
        assert self.minimum is not None
        assert self.maximum is not None
        rank = q * (self.count - 1)
        lo_rank = math.floor(rank)
        hi_rank = min(lo_rank + 1, self.count - 1)
        frac = rank - lo_rank
        cum = np.cumsum(self.bucket_count)
        at = np.searchsorted(cum, np.array([lo_rank, hi_rank]), side="right")
        reps = _bucket_value(self.bucket_index[at])
        reps = np.clip(reps, self.minimum, self.maximum)
        # the extreme order statistics are known exactly
        ends = {0: float(self.minimum), self.count - 1: float(self.maximum)}
        a = ends.get(lo_rank, float(reps[0]))
        b = ends.get(hi_rank, float(reps[1]))
        return a + frac * (b - a)

    def stats(self) -> DurationStats:
        """Count, mean, quartiles, 90th percentile, minimum and maximum as timedeltas.

        >>> str(DurationDigest.from_microseconds([0, 60_000_000]).stats().median)
        '0:00:30'
        """
        if self.count == 0:
            return DurationStats(0, None, None, None, None, None, None, None, True)
        return DurationStats(
            count=self.count,
            mean=_timedelta(self.mean),
            median=_timedelta(self.quantile(0.5)),
            p25=_timedelta(self.quantile(0.25)),
            p75=_timedelta(self.quantile(0.75)),
            p90=_timedelta(self.quantile(0.9)),
            minimum=_timedelta(self.minimum),
            maximum=_timedelta(self.maximum),
            exact=self.is_exact,
        )


def group_order(groups: npt.NDArray[Any], n_groups: int) -> tuple[_I64, _I64]:
    """A stable order that sorts ``groups`` (radix sort for small ranges) and group bounds.

    Group ``g`` is ``order[bounds[g]:bounds[g + 1]]``.
    """
    if n_groups < 2**15:
        keys: npt.NDArray[Any] = groups.astype(np.int16)
    else:
        keys = groups
    order = np.argsort(keys, kind="stable").astype(np.int64)
    bounds = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(np.bincount(groups, minlength=n_groups), out=bounds[1:])
    return order, bounds


def digests_by_group(
    durations: _I64,
    groups: npt.NDArray[Any],
    n_groups: int,
    grouping: tuple[_I64, _I64] | None = None,
) -> list[DurationDigest]:
    """One digest per group ``0 .. n_groups-1`` of ``durations`` (vectorised grouping).

    ``grouping`` is a precomputed :func:`group_order` of ``groups``.
    """
    out = [DurationDigest.zero()] * n_groups
    if len(durations) == 0:
        return out
    if n_groups == 1:
        out[0] = DurationDigest._from_array(durations)
        return out
    order, bounds = grouping if grouping is not None else group_order(groups, n_groups)
    sorted_durations = durations[order]
    for g in np.flatnonzero(np.diff(bounds)).tolist():
        out[g] = DurationDigest._from_array(sorted_durations[bounds[g] : bounds[g + 1]])
    return out


def stats_dict(stats: DurationStats, prefix: str) -> dict[str, Any]:
    """Flat ``{prefix_median: ..., ...}`` columns for ``to_pandas``."""
    return {
        f"{prefix}_median": stats.median,
        f"{prefix}_p25": stats.p25,
        f"{prefix}_p75": stats.p75,
        f"{prefix}_p90": stats.p90,
        f"{prefix}_mean": stats.mean,
    }

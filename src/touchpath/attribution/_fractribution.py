"""Fractribution's model: leave-one-out counterfactual credit per path (Google, 2020).

For a path ``p = (x_1, ..., x_n)`` let ``P(p)`` be the conversion rate of
the paths equal to ``p`` (conversions / (conversions + non-conversions); 0
for a path never observed). Touch ``k``'s raw contribution is

    m_k = max(0, P(p) - P(p without touch k))     (n >= 2)
    m_1 = P(p)                                     (n = 1)

and its share of the path's conversions and value is ``m_k / sum_j m_j``;
when every ``m_k`` is 0 the last touch takes it all. A channel's credit is
the sum over its touches. This is what Google's ``fractribution.py`` calls
its ``shapley`` model (it is a leave-one-out approximation, not a Shapley
value); touchpath computes the same numbers, vectorised: each path and each
leave-one-out path is found by an exact 64-bit polynomial hash of its items
(removing a touch is a modular update of the hash, no path is rebuilt), and
every hash match is verified item by item.
"""

from __future__ import annotations

import math
from typing import ClassVar, Final

import attrs
import numpy as np
import numpy.typing as npt

from .._paths import ConversionPaths, wsum
from ._result import Credit

__all__ = ["Fractribution"]

_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]
_U64 = npt.NDArray[np.uint64]
_Bool = npt.NDArray[np.bool_]
_Grouped = tuple[_I64, _I64, _I64]
"""The short paths' distinct integers, each one's among them, and the running sum of the
touch terms that gave the integers (see :func:`_path_integers`)."""

_MOD: Final = 1 << 64
_BASE_INT: Final = 0x100000001B3
_BASE: Final = np.uint64(_BASE_INT)
_BASE_INV: Final = np.uint64(pow(_BASE_INT, -1, _MOD))  # the base is odd: invertible mod 2^64
_LENGTH_MIX: Final = np.uint64(0x9E3779B97F4A7C15)
_VERIFY_CHUNK: Final = 1 << 22


def _segment_sums(values: _U64, offsets: _I64) -> _U64:
    """Per-path wrapping sums of ``values`` (touches grouped by path, in order)."""
    csum = np.zeros(len(values) + 1, dtype=np.uint64)
    np.cumsum(values, dtype=np.uint64, out=csum[1:])
    return csum[offsets[1:]] - csum[offsets[:-1]]


def _key(h: _U64, lengths: _I64) -> _U64:
    return h ^ (lengths.astype(np.uint64) * _LENGTH_MIX)


def _exact_groups(paths: ConversionPaths) -> tuple[_I64, list[tuple[int, ...]]]:
    """Group paths by their exact item tuples (fallback after a hash collision)."""
    index: dict[tuple[int, ...], int] = {}
    flat = paths.codes.tolist()
    bounds = paths.offsets.tolist()
    group = np.empty(paths.n_paths, dtype=np.int64)
    for p in range(paths.n_paths):
        group[p] = index.setdefault(tuple(flat[bounds[p] : bounds[p + 1]]), len(index))
    return group, list(index)


@attrs.frozen
class Fractribution:
    """Google fractribution's leave-one-out model: credit floored at 0, normalised per path.

    See the module documentation for the formula. Paths from a log are
    grouped by their items to get each path's conversion rate; paths that
    no conversion path equals are rate 0. Path transforms (e.g.
    :class:`~touchpath.attribution.Exposure`) apply before, with
    :func:`~touchpath.attribution.transform_paths`.

    >>> from touchpath.attribution import PathCounts, attribute
    >>> pc = PathCounts.from_rows([
    ...     (["a", "b"], 3, 1, 30.0), (["a"], 1, 3, 0.0), (["b"], 1, 1, 0.0)])
    >>> attribute(pc, Fractribution()).credits()
    {'a': 2.0, 'b': 3.0}
    """

    per_path: ClassVar[bool] = False
    """Shares depend on every path (through the conversion rates), not on the path alone."""

    def credit(self, paths: ConversionPaths) -> Credit:
        """Touch shares for the paths (see :class:`~touchpath.attribution.Credit`).

        Computed once per distinct path, then spread to the paths equal to it.
        """
        distinct = _distinct(paths)
        if distinct is None:  # a hash collision among long paths: the plain way
            return Credit(shares=self._shares(paths))
        group, summary, index, grouped = distinct
        if summary is paths:  # already distinct (path counts): no spreading
            return Credit(shares=self._shares(paths, grouped))
        shares = self._shares(summary)
        # touch t of path p is touch (position) of its distinct path
        start = summary.offsets[index[group]]
        return Credit(shares=shares[start[paths.touch_path] + paths.positions])

    def _shares(self, paths: ConversionPaths, grouped: _Grouped | None = None) -> _F64:
        """Touch shares, with every path's rate read from the paths given."""
        rate, cf_rate = self._rates(paths, grouped)
        tp = paths.touch_path
        # a one-touch path's leave-one-out rate is 0, so its touch's raw credit is the rate
        raw = np.maximum(rate[tp] - cf_rate, 0.0)
        total = wsum(tp, raw, paths.n_paths)
        shares = raw / np.where(total > 0, total, 1.0)[tp]
        # no touch contributes: the last touch takes it all
        none = (total <= 0) & (paths.lengths > 0)
        shares[paths.offsets[1:][none] - 1] = 1.0
        return shares

    def _rates(self, paths: ConversionPaths, grouped: _Grouped | None) -> tuple[_F64, _F64]:
        """Each path's conversion rate, and each touch's leave-one-out path's rate
        (``grouped``: the distinct integers of the short paths and each one's, if known)."""
        base = len(paths.items) + 1
        limit = int(62 / math.log2(max(base, 2)))  # longest path whose integer fits
        short = paths.lengths <= limit
        if not short.any():
            return self._rates_hashed(paths)
        rate, cf, uniq, group_rate = _positional(paths, base, short, grouped)
        if short.all():
            return rate, cf
        # long paths hashed; lengths differ, so no path is both an integer and a hash
        rate[~short], cf[~short[paths.touch_path]] = self._rates_hashed(_subset(paths, ~short))
        # a path one touch too long has short leave-one-out paths: look them up as integers
        edge = paths.lengths == limit + 1
        if edge.any():
            _, before, after = _digits(_subset(paths, edge), base)
            keys = before + after
            cf[edge[paths.touch_path]] = _lookup(uniq, group_rate, keys, np.ones(len(keys), bool))
        return rate, cf

    def _rates_hashed(self, paths: ConversionPaths) -> tuple[_F64, _F64]:
        """The rates by 64-bit polynomial hashes, every match verified (long paths)."""
        n_touches = paths.n_touches
        tp, pos, lengths = paths.touch_path, paths.positions, paths.lengths
        terms = (paths.codes.astype(np.uint64) + np.uint64(1)) * np.power(
            _BASE, pos.astype(np.uint64)
        )
        h = _segment_sums(terms, paths.offsets)
        keys = _key(h, lengths)
        uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        group = inverse.reshape(-1).astype(np.int64)
        rep = first.astype(np.int64)
        if not self._grouping_exact(paths, group, rep):
            return self._rates_exact(paths)
        conv = wsum(group, paths.conversions, len(uniq))
        seen = conv + wsum(group, paths.non_conversions, len(uniq))
        group_rate = np.where(seen > 0, conv / np.where(seen > 0, seen, 1.0), 0.0)
        # hash of the path without touch t: the touches before t, and those after shifted down
        csum = np.zeros(n_touches + 1, dtype=np.uint64)
        np.cumsum(terms, dtype=np.uint64, out=csum[1:])
        t = np.arange(n_touches, dtype=np.int64)
        before = csum[t] - csum[paths.offsets[tp]]
        after = (h[tp] - before - terms) * _BASE_INV
        cf_keys = _key(before + after, lengths[tp] - 1)
        at = np.minimum(np.searchsorted(uniq, cf_keys), max(len(uniq) - 1, 0))
        found = (lengths[tp] > 1) & (uniq[at] == cf_keys) if len(uniq) else np.zeros(0, bool)
        cand = np.where(found, at, 0)
        found[found] = self._verify(paths, t[found], rep[cand[found]])
        cf_rate = np.where(found, group_rate[cand], 0.0)
        return group_rate[group], cf_rate

    @staticmethod
    def _rates_positional(paths: ConversionPaths, base: int) -> tuple[_F64, _F64]:
        """See :func:`_positional` (every path within the positional limit)."""
        return _positional(paths, base, np.ones(paths.n_paths, dtype=np.bool_))[:2]

    @staticmethod
    def _grouping_exact(paths: ConversionPaths, group: _I64, rep: _I64) -> bool:
        """Whether every path equals its group's representative item by item."""
        r = rep[group]
        if not np.array_equal(paths.lengths, paths.lengths[r]):
            return False
        tp = paths.touch_path
        return bool(
            np.array_equal(paths.codes, paths.codes[paths.offsets[r[tp]] + paths.positions])
        )

    @staticmethod
    def _verify(paths: ConversionPaths, touches: _I64, reps: _I64) -> npt.NDArray[np.bool_]:
        """For each touch, whether its path without it equals the representative path."""
        ok = np.ones(len(touches), dtype=np.bool_)
        if len(touches) == 0:
            return ok
        tp = paths.touch_path
        width = paths.lengths[tp[touches]] - 1  # items to compare per touch
        start = 0
        while start < len(touches):
            # chunks of whole touches, about _VERIFY_CHUNK items at a time
            cum = np.cumsum(width[start:])
            stop = start + max(1, int(np.searchsorted(cum, _VERIFY_CHUNK)))
            w = width[start:stop]
            owner = np.repeat(np.arange(stop - start, dtype=np.int64), w)
            j = np.arange(int(w.sum()), dtype=np.int64) - np.repeat(np.cumsum(w) - w, w)
            tt = touches[start:stop][owner]
            p = tp[tt]
            i = paths.positions[tt]
            mine = paths.codes[paths.offsets[p] + j + (j >= i)]
            theirs = paths.codes[paths.offsets[reps[start:stop][owner]] + j]
            bad = np.zeros(stop - start, dtype=np.bool_)
            bad[owner[mine != theirs]] = True
            ok[start:stop] = ~bad
            start = stop
        return ok

    @staticmethod
    def _rates_exact(paths: ConversionPaths) -> tuple[_F64, _F64]:
        """The same rates by exact tuple lookup (only after a 64-bit hash collision)."""
        group, keys = _exact_groups(paths)
        conv = wsum(group, paths.conversions, len(keys))
        seen = conv + wsum(group, paths.non_conversions, len(keys))
        rate = np.where(seen > 0, conv / np.where(seen > 0, seen, 1.0), 0.0)
        lookup = dict(zip(keys, rate.tolist(), strict=True))
        cf = np.zeros(paths.n_touches)
        flat = paths.codes.tolist()
        for p in range(paths.n_paths):
            a, b = int(paths.offsets[p]), int(paths.offsets[p + 1])
            if b - a > 1:
                for k in range(a, b):
                    cf[k] = lookup.get(tuple(flat[a:k] + flat[k + 1 : b]), 0.0)
        return rate[group], cf


def _subset(paths: ConversionPaths, keep: npt.NDArray[np.bool_]) -> ConversionPaths:
    """The paths where ``keep`` holds (counts and touches only, in order)."""
    lengths = paths.lengths[keep]
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return ConversionPaths(
        items=paths.items,
        offsets=offsets,
        codes=paths.codes[keep[paths.touch_path]],
        conversions=paths.conversions[keep],
        non_conversions=paths.non_conversions[keep],
        values=paths.values[keep],
    )


def _digits(paths: ConversionPaths, base: int) -> tuple[_I64, _I64, _I64]:
    """Per touch: its digit term, the terms before it in its path, and the terms after it
    shifted down one place (so the path without the touch is ``before + after``)."""
    tp, pos = paths.touch_path, paths.positions
    width = max(int(paths.lengths.max(initial=0)), 1)
    powers = base ** np.arange(width, dtype=np.int64)  # at most base^limit: fits
    digit = paths.codes.astype(np.int64) + 1
    not_last = pos < paths.lengths[tp] - 1
    # the last term of a path one touch over the limit may wrap; it is only used for
    # paths within the limit (their integers), never in ``before``
    term = digit * powers[pos]
    shifted = digit * powers[np.maximum(pos - 1, 0)]
    csum = np.zeros(paths.n_touches + 1, dtype=np.int64)
    np.cumsum(np.where(not_last, term, 0), out=csum[1:])
    before = csum[:-1] - csum[paths.offsets[tp]]
    ssum = np.zeros(paths.n_touches + 1, dtype=np.int64)
    np.cumsum(np.where(pos > 0, shifted, 0), out=ssum[1:])
    after = ssum[paths.offsets[1:][tp]] - ssum[1:]
    return term, before, after


def _positional(
    paths: ConversionPaths, base: int, short: _Bool, grouped: _Grouped | None = None
) -> tuple[_F64, _F64, _I64, _F64]:
    """Rates with each short path written as a base-(items + 1) integer: exact, no hashing.

    Digits are the item codes + 1 (never 0), so distinct paths of any lengths are
    distinct integers; the path without touch i keeps the digits before i and shifts
    those after it down one place (an exact division by the base). Only the paths where
    ``short`` holds (within the positional limit) are read; the others get rate 0 and
    leave-one-out rates 0, for the caller to fill. Returns each path's rate, each touch's
    leave-one-out rate, the distinct path integers and their rates.
    """
    tp, pos = paths.touch_path, paths.positions
    if grouped is None:
        csum, h = _path_integers(paths, base)
        uniq, inverse = np.unique(h[short], return_inverse=True)
    else:
        uniq, inverse, csum = grouped
        h = csum[paths.offsets[1:]] - csum[paths.offsets[:-1]]
    start = csum[paths.offsets[:-1]]
    group = inverse.reshape(-1).astype(np.int64)
    conv = wsum(group, paths.conversions[short], len(uniq))
    seen = conv + wsum(group, paths.non_conversions[short], len(uniq))
    group_rate = np.where(seen > 0, conv / np.where(seen > 0, seen, 1.0), 0.0)
    rate = np.zeros(paths.n_paths)
    rate[short] = group_rate[group]
    # a touch repeating the one before it leaves the same path out: look up the others only
    fresh = np.ones(paths.n_touches, dtype=np.bool_)
    fresh[1:] = (paths.codes[1:] != paths.codes[:-1]) | (pos[1:] == 0)
    t = np.flatnonzero(fresh)
    t = t[short[tp[t]]]
    before = csum[t] - start[tp[t]]
    keys = before + (h[tp[t]] - csum[t + 1] + start[tp[t]]) // base
    asked = np.zeros(paths.n_touches, dtype=np.bool_)
    asked[t] = True
    found = np.zeros(len(t) + 1)  # the last slot: the touches of long paths
    found[:-1] = _lookup(uniq, group_rate, keys, paths.lengths[tp[t]] > 1)
    # each touch reads its latest asked touch (itself, or the run it repeats); long paths' -1
    latest = np.cumsum(asked) - 1
    latest[~short[tp]] = -1
    return rate, found[latest], uniq, group_rate


def _path_integers(paths: ConversionPaths, base: int) -> tuple[_I64, _I64]:
    """The running sum of the touch terms ``(code + 1) * base^position`` and each path's
    integer (meaningful for the paths within the positional limit only: longer paths'
    positions are capped, and sums wrap modulo 2^64)."""
    limit = max(int(62 / math.log2(max(base, 2))), 1)
    powers = base ** np.arange(limit, dtype=np.int64)  # at most base^limit: fits
    pos = np.minimum(paths.positions, limit - 1)
    csum = np.zeros(paths.n_touches + 1, dtype=np.int64)
    np.cumsum((paths.codes.astype(np.int64) + 1) * powers[pos], out=csum[1:])
    return csum, csum[paths.offsets[1:]] - csum[paths.offsets[:-1]]


def _lookup(uniq: _I64, rate: _F64, keys: _I64, valid: npt.NDArray[np.bool_]) -> _F64:
    """The rate of each key among the sorted distinct ``uniq`` (0 where absent or invalid)."""
    if len(uniq) == 0:
        return np.zeros(len(keys))
    at = np.minimum(np.searchsorted(uniq, keys), len(uniq) - 1)
    return np.where(valid & (uniq[at] == keys), rate[at], 0.0)


def _distinct(
    paths: ConversionPaths,
) -> tuple[_I64, ConversionPaths, _I64, _Grouped | None] | None:
    """Group equal paths: the group of each path, the distinct paths with summed counts,
    each group's row among them and, when the paths are their own summary, the grouping
    of the short paths (see :func:`_positional`). None after a 64-bit hash collision."""
    base = len(paths.items) + 1
    limit = int(62 / math.log2(max(base, 2)))
    short = paths.lengths <= limit
    csum, keys = _path_integers(paths, base)  # meaningless, and unused, for the long ones
    short_uniq, short_groups = np.unique(keys[short], return_inverse=True)
    short_groups = short_groups.reshape(-1)
    group = np.zeros(paths.n_paths, dtype=np.int64)
    group[short] = short_groups
    n_short = int(short_groups.max(initial=-1)) + 1
    if not short.all():
        lp = _subset(paths, ~short)
        terms = (lp.codes.astype(np.uint64) + np.uint64(1)) * np.power(
            _BASE, lp.positions.astype(np.uint64)
        )
        hashed = _key(_segment_sums(terms, lp.offsets), lp.lengths)
        _, first, inverse = np.unique(hashed, return_index=True, return_inverse=True)
        long_groups = inverse.reshape(-1).astype(np.int64)
        if not Fractribution._grouping_exact(lp, long_groups, first.astype(np.int64)):
            return None
        group[~short] = long_groups + n_short
    n_groups = int(group.max(initial=-1)) + 1
    if n_groups == paths.n_paths:  # every path distinct: they are their own summary
        index = np.empty(n_groups, dtype=np.int64)
        index[group] = np.arange(n_groups, dtype=np.int64)
        return group, paths, index, (short_uniq, short_groups, csum)
    _, reps = np.unique(group, return_index=True)
    is_rep = np.zeros(paths.n_paths, dtype=np.bool_)
    is_rep[reps] = True
    summary = _subset(paths, is_rep)
    # rows of the summary are the representatives in path order
    index = np.empty(n_groups, dtype=np.int64)
    index[group[np.flatnonzero(is_rep)]] = np.arange(n_groups, dtype=np.int64)
    order = np.argsort(index)
    summary = attrs.evolve(
        summary,
        conversions=wsum(group, paths.conversions, n_groups)[order],
        non_conversions=wsum(group, paths.non_conversions, n_groups)[order],
        values=wsum(group, paths.values, n_groups)[order],
    )
    return group, summary, index, None

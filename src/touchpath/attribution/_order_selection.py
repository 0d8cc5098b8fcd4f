"""Choosing a Markov model's order: exact likelihood, AIC, BIC and k-fold held-out log-loss.

A Markov model of order k predicts each step of every path from the last k
items (padded with the start marker, as in
:class:`~touchpath.attribution.Markov`): the first item from the start, each
next item from the state before it, and the outcome (conversion or not)
from the last state. Every order predicts the *same* observations, so their
likelihoods compare. With ``n_ij`` the count of outcome j after history i and
``n_i`` their sum, the maximum-likelihood fit is ``n_ij / n_i`` and

    log L_k = sum over i, j of n_ij log(n_ij / n_i)

exactly (no simulation). The number of free parameters ``d_k`` counts, per
observed history, its observed outcomes minus one; ``n`` is the number of
predicted observations (all ``n_ij``). Then ``AIC = 2 d_k - 2 log L_k`` and
``BIC = d_k log n - 2 log L_k`` (Schwarz, 1978; for Markov chain order,
Katz, 1981). The held-out log-loss splits the paths into ``folds`` at random
(seeded), fits each order on the other folds, and averages
``-log p`` over the held-out observations, with additive smoothing
``(n_ij + a) / (n_i + a K)`` (``a = smoothing``, K the possible outcomes) so an
outcome unseen in training has a finite loss.
"""

from __future__ import annotations

import enum
import math
from typing import TYPE_CHECKING, Final

import attrs
import numpy as np
import numpy.typing as npt

from .._deprecation import renamed
from .._enums import to_enum
from .._log import EventLog
from .._paths import ByLike, ConversionPaths, PathCounts, wsum
from .._time import DurationLike
from ..exceptions import ConfigError, UnsupportedInputError
from ._attribute import CollapseLike, as_paths

if TYPE_CHECKING:
    from ._markov import TransitionCounts

__all__ = ["OrderCriterion", "OrderFit", "OrderSelection", "markov_log_likelihood", "select_order"]

_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]

_MAX_KEY: Final = 1 << 60


class OrderCriterion(enum.StrEnum):
    """What picks the order (the smallest value wins).

    >>> OrderCriterion("bic") is OrderCriterion.BIC
    True
    """

    AIC = "aic"
    """Akaike's information criterion."""
    BIC = "bic"
    """The Bayesian (Schwarz) information criterion: consistent for the true order."""
    HELDOUT = "heldout"
    """The k-fold held-out log-loss per observation."""


def _criterion(value: object) -> OrderCriterion:
    return to_enum(OrderCriterion, "criterion", value)


@attrs.frozen
class OrderFit:
    """The fit of one order (a row of :attr:`OrderSelection.table`).

    >>> OrderFit(1, -10.0, 3, 100.0, 26.0, 30.0, None).aic
    26.0
    """

    order: int
    """The order k."""
    log_likelihood: float
    """Exact maximum log-likelihood of all observations (natural log)."""
    n_parameters: int
    """Free parameters: per observed history, its observed outcomes minus one."""
    n_observations: float
    """Predicted observations (first items, next items and outcomes)."""
    aic: float
    """``2 d - 2 log L``."""
    bic: float
    """``d log n - 2 log L``."""
    heldout_log_loss: float | None
    """Mean ``-log p`` of held-out observations (None when ``folds`` is 0)."""


@attrs.frozen(eq=False)
class OrderSelection:
    """The fit of each order and the chosen one.

    >>> from touchpath.attribution import Markov, PathCounts
    >>> pc = PathCounts.from_rows([(["a", "b"], 30, 10, 0), (["b", "a"], 5, 35, 0)])
    >>> sel = Markov.select_order(pc, max_order=2, folds=0)
    >>> sel.order, [round(r.bic, 2) for r in sel.table]
    (2, [435.24, 202.47])
    """

    table: tuple[OrderFit, ...]
    """One row per order, 1 .. max_order."""
    criterion: OrderCriterion
    """What chose the order."""
    order: int
    """The chosen order (smallest criterion; the lower order on ties)."""

    def rows(self) -> list[dict[str, float | int | None]]:
        """The table as plain dicts (for printing or a DataFrame)."""
        return [attrs.asdict(r) for r in self.table]


def _state_keys(paths: ConversionPaths, order: int, base: int) -> _I64:
    """Each touch's state of the given order as an integer (digits: items + 1; 0 = start)."""
    codes = paths.codes.astype(np.int64) + 1
    pos = paths.positions
    state = np.zeros(paths.n_touches, dtype=np.int64)
    for j in range(order):
        back = np.zeros(paths.n_touches, dtype=np.int64)
        back[j:] = codes[: paths.n_touches - j]
        state += np.where(pos >= j, back, 0) * base**j
    return state


def _event_index(paths: ConversionPaths, order: int, n_items: int) -> tuple[_I64, _I64, _I64, _I64]:
    """Every prediction as (history, outcome, path, kind); kind 0 counts the path's
    conversions and non-conversions, 1 its conversions, 2 its non-conversions."""
    base = n_items + 1
    if float(base) ** order * (n_items + 3) >= _MAX_KEY:
        raise ConfigError(f"order {order} with {n_items} items has too many possible states")
    state = _state_keys(paths, order, base) + 1  # 0 is the start node's history
    tp = paths.touch_path
    nonempty = np.flatnonzero(paths.lengths > 0)
    first = paths.offsets[:-1][nonempty]
    last = paths.offsets[1:][nonempty] - 1
    step = np.flatnonzero(paths.positions[1:] > 0) if paths.n_touches else np.zeros(0, np.int64)
    hist = np.concatenate([np.zeros(len(first), np.int64), state[step], state[last], state[last]])
    outcome = np.concatenate(
        [
            paths.codes[first].astype(np.int64),
            paths.codes[step + 1].astype(np.int64),
            np.full(len(last), n_items, np.int64),
            np.full(len(last), n_items + 1, np.int64),
        ]
    )
    path = np.concatenate([nonempty, tp[step], nonempty, nonempty])
    kind = np.concatenate(
        [
            np.zeros(len(first) + len(step), np.int64),
            np.ones(len(last), np.int64),
            np.full(len(last), 2, np.int64),
        ]
    )
    return hist, outcome, path, kind


def _weights(index: tuple[_I64, _I64, _I64, _I64], conv: _F64, null: _F64) -> _F64:
    """Each prediction's weight for per-path conversion counts."""
    _, _, path, kind = index
    table = np.stack([conv + null, conv, null])
    return np.asarray(table[kind, path], dtype=np.float64)


_DENSE_CELLS: Final = 1 << 24


def _grouped(hist: _I64, outcome: _I64, weight: _F64, width: int) -> tuple[_I64, _I64, _F64]:
    """Summed weights per distinct (history, outcome) with a positive sum, sorted."""
    key = hist * width + outcome
    bound = (int(hist.max(initial=0)) + 1) * width
    if bound <= _DENSE_CELLS:
        sums = wsum(key, weight, bound)
        cells = np.flatnonzero(sums > 0).astype(np.int64)
        return cells // width, cells % width, sums[cells]
    keep = weight > 0
    uniq, inverse = np.unique(key[keep], return_inverse=True)
    counts = wsum(inverse.reshape(-1), weight[keep], len(uniq))
    return uniq // width, uniq % width, counts


def _fit_stats(hist: _I64, outcome: _I64, weight: _F64, width: int) -> tuple[float, int, float]:
    """Exact log-likelihood, free parameters and observations of the MLE fit."""
    h, _, n_ij = _grouped(hist, outcome, weight, width)
    starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]]) if len(h) else np.zeros(0, np.int64)
    n_i = np.add.reduceat(n_ij, starts) if len(h) else np.zeros(0)
    row = np.cumsum(np.r_[True, h[1:] != h[:-1]]) - 1 if len(h) else np.zeros(0, np.int64)
    ll = float(np.sum(n_ij * np.log(n_ij / n_i[row])))
    return ll, int(len(n_ij) - len(starts)), float(n_ij.sum())


def markov_log_likelihood(counts: TransitionCounts) -> tuple[float, int]:
    """Exact maximum log-likelihood and free parameters of a Markov model's counts.

    Computed from :class:`~touchpath.attribution.TransitionCounts` alone (so
    it works on merged counts): the start row predicts the first state, each
    state's row its next state, conversion or non-conversion.

    >>> from touchpath.attribution import Markov, PathCounts
    >>> counts = Markov().counts(PathCounts.from_rows([(["a"], 1, 3, 0)]))
    >>> ll, d = markov_log_likelihood(counts)
    >>> round(ll, 6) == round(math.log(1 / 4) + 3 * math.log(3 / 4), 6), d
    (True, 1)
    """
    n_s = counts.n_states
    start = counts.start[counts.start > 0]
    rows = np.concatenate(
        [counts.source, np.arange(n_s, dtype=np.int64), np.arange(n_s, dtype=np.int64)]
    )
    cells = np.concatenate([counts.weight, counts.conversions, counts.nulls])
    keep = cells > 0
    rows, cells = rows[keep], cells[keep]
    out = wsum(rows, cells, n_s)
    ll = float(np.sum(cells * np.log(cells / out[rows])))
    if len(start):
        ll += float(np.sum(start * np.log(start / start.sum())))
    n_rows = int(np.count_nonzero(out)) + (1 if len(start) else 0)
    return ll, int(len(cells) + len(start) - n_rows)


def _fold_counts(paths: ConversionPaths, folds: int, seed: int) -> tuple[_F64, _F64]:
    """``(folds, n_paths)`` conversions and non-conversions of each path in each fold."""
    conv, null = paths.conversions, paths.non_conversions
    if not (np.array_equal(conv, np.round(conv)) and np.array_equal(null, np.round(null))):
        raise UnsupportedInputError(
            "k-fold held-out log-loss splits whole paths, so path counts must be whole numbers; "
            "pass folds=0 to skip it"
        )
    rng = np.random.default_rng(seed)
    p = np.full(folds, 1.0 / folds)
    c = rng.multinomial(conv.astype(np.int64), p).T.astype(np.float64)
    n = rng.multinomial(null.astype(np.int64), p).T.astype(np.float64)
    return c.reshape(folds, paths.n_paths), n.reshape(folds, paths.n_paths)


def _heldout(
    paths: ConversionPaths,
    index: tuple[_I64, _I64, _I64, _I64],
    n_items: int,
    fold_counts: tuple[_F64, _F64],
    smoothing: float,
) -> float:
    """Mean held-out ``-log p`` over all folds (pooled)."""
    fold_conv, fold_null = fold_counts
    hist, outcome = index[0], index[1]
    width = n_items + 2
    loss = 0.0
    seen = 0.0
    for f in range(len(fold_conv)):
        train_w = _weights(
            index, paths.conversions - fold_conv[f], paths.non_conversions - fold_null[f]
        )
        th, to, tn = _grouped(hist, outcome, train_w, width)
        qh, qo, qn = _grouped(hist, outcome, _weights(index, fold_conv[f], fold_null[f]), width)
        # training counts of each test cell and of its history
        cell = th * width + to
        wanted = qh * width + qo
        n_ij = np.zeros(len(qh))
        if len(cell):
            at = np.minimum(np.searchsorted(cell, wanted), len(cell) - 1)
            n_ij = np.where(cell[at] == wanted, tn[at], 0.0)
        hs, h_index = np.unique(th, return_inverse=True)
        n_h = wsum(h_index.reshape(-1), tn, len(hs))
        n_i = np.zeros(len(qh))
        if len(hs):
            hat = np.minimum(np.searchsorted(hs, qh), len(hs) - 1)
            n_i = np.where(hs[hat] == qh, n_h[hat], 0.0)
        k = np.where(qh == 0, n_items, n_items + 2)
        p = (n_ij + smoothing) / (n_i + smoothing * k)
        loss -= float(np.sum(qn * np.log(p)))
        seen += float(qn.sum())
    return loss / seen if seen > 0 else math.nan


class _Dense:
    """Count tables of orders 1, 2, ... as dense ``(histories, outcomes)`` arrays.

    The state of each touch grows by one digit per order; each count table is four
    ``bincount`` calls (first items, next items, conversions, non-conversions), so a
    table costs a few passes over the touches whatever the weights (folds reuse keys).
    """

    def __init__(self, paths: ConversionPaths) -> None:
        self.paths = paths
        self.n_items = len(paths.items)
        self.base = self.n_items + 1
        self.width = self.n_items + 2
        self.order = 0
        self.state = np.zeros(paths.n_touches, dtype=np.int64)
        self.codes = paths.codes.astype(np.int64)
        nonempty = np.flatnonzero(paths.lengths > 0)
        self.nonempty = nonempty
        self.first = paths.offsets[:-1][nonempty]
        self.last = paths.offsets[1:][nonempty] - 1
        pos = paths.positions
        step = np.flatnonzero(pos[1:] > 0) if paths.n_touches else np.zeros(0, np.int64)
        self.step = step
        self.step_path = paths.touch_path[step]
        self.next_codes = self.codes[step + 1]
        self.first_keys = self.codes[self.first]
        self.step_keys = self.next_codes
        self.end_keys = np.zeros(len(self.last), dtype=np.int64)

    def grow(self) -> None:
        """Move to the next order: one more item of history per state."""
        j = self.order
        back = np.zeros(self.paths.n_touches, dtype=np.int64)
        back[j:] = self.codes[: self.paths.n_touches - j] + 1
        self.state += np.where(self.paths.positions >= j, back, 0) * self.base**j
        self.order += 1
        # the keys of this order's cells, shared by every table (weights differ)
        self.step_keys = (self.state[self.step] + 1) * self.width + self.next_codes
        self.end_keys = (self.state[self.last] + 1) * self.width + self.n_items

    @property
    def bound(self) -> float:
        return (float(self.base) ** self.order + 1) * self.width

    def fits(self) -> bool:
        """Whether the dense table is small enough."""
        return self.bound <= _DENSE_CELLS

    def table(self, conv: _F64, null: _F64) -> _F64:
        """The ``(histories, outcomes)`` counts for per-path conversion counts."""
        size = int(self.bound)
        total = conv + null
        out = wsum(self.first_keys, total[self.nonempty], size)
        out += wsum(self.step_keys, total[self.step_path], size)
        out += wsum(self.end_keys, conv[self.nonempty], size)
        out += wsum(self.end_keys + 1, null[self.nonempty], size)
        return out.reshape(-1, self.width)

    def heldout(self, fold_counts: tuple[_F64, _F64], smoothing: float) -> float:
        """Mean held-out ``-log p`` over the folds (pooled), smoothed."""
        fold_conv, fold_null = fold_counts
        paths = self.paths
        k = np.full(int(self.bound) // self.width, float(self.n_items + 2))
        k[0] = self.n_items  # the start predicts only a first item
        loss = 0.0
        seen = 0.0
        for f in range(len(fold_conv)):
            train = self.table(
                paths.conversions - fold_conv[f], paths.non_conversions - fold_null[f]
            )
            test = self.table(fold_conv[f], fold_null[f])
            p = (train + smoothing) / (train.sum(axis=1) + smoothing * k)[:, None]
            used = test > 0
            loss -= float(np.sum(test[used] * np.log(p[used])))
            seen += float(test.sum())
        return loss / seen if seen > 0 else math.nan


def _table_stats(table: _F64) -> tuple[float, int, float]:
    """Exact log-likelihood, free parameters and observations of a dense count table."""
    n_i = table.sum(axis=1)
    used = table > 0
    rows = np.broadcast_to(n_i[:, None], table.shape)[used]
    ll = float(np.sum(table[used] * np.log(table[used] / rows)))
    return ll, int(used.sum() - np.count_nonzero(n_i)), float(table.sum())


def _whole(value: object, least: int) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and value >= least


@renamed(by="level")
def select_order(
    data: EventLog | PathCounts | ConversionPaths,
    *,
    max_order: int = 4,
    criterion: OrderCriterion | str = OrderCriterion.BIC,
    folds: int = 5,
    seed: int = 0,
    smoothing: float = 0.5,
    level: ByLike | None = None,
    collapse: CollapseLike | None = None,
    lookback: DurationLike | None = None,
) -> OrderSelection:
    """Fit Markov orders 1 .. ``max_order`` and choose one (see the module documentation).

    >>> from touchpath.attribution import PathCounts
    >>> pc = PathCounts.from_rows([(["a", "b"], 3, 1, 0), (["b"], 1, 3, 0)])
    >>> sel = select_order(pc, max_order=2, folds=2)
    >>> sel.order, [r.n_parameters for r in sel.table]
    (1, [2, 3])
    """
    given: dict[str, object] = {"max_order": max_order, "folds": folds, "smoothing": smoothing}
    if not _whole(given["max_order"], 1):
        raise ConfigError(f"'max_order' must be an integer >= 1; got {max_order!r}")
    if not _whole(given["folds"], 0) or folds == 1:
        raise ConfigError(f"'folds' must be 0 (no held-out loss) or an integer >= 2; got {folds!r}")
    positive = given["smoothing"]
    if isinstance(positive, bool) or not isinstance(positive, int | float) or positive <= 0:
        raise ConfigError(f"'smoothing' must be a number > 0; got {smoothing!r}")
    chosen_by = _criterion(criterion)
    if chosen_by is OrderCriterion.HELDOUT and folds == 0:
        raise ConfigError("criterion='heldout' needs folds >= 2; got folds=0")
    paths = as_paths(data, level=level, collapse=collapse, lookback=lookback)
    n_items = len(paths.items)
    if paths.n_touches == 0:
        raise UnsupportedInputError("no path has a touch: there is no chain to choose an order for")
    rows: list[OrderFit] = []
    fold_counts = _fold_counts(paths, folds, seed) if folds else None
    dense = _Dense(paths)
    for k in range(1, max_order + 1):
        dense.grow()
        if dense.fits():
            ll, d, n = _table_stats(dense.table(paths.conversions, paths.non_conversions))
            held = None
            if fold_counts is not None:
                held = dense.heldout(fold_counts, smoothing)
            bic = d * math.log(n) - 2 * ll if n > 0 else math.nan
            rows.append(OrderFit(k, ll, d, n, 2 * d - 2 * ll, bic, held))
            continue
        index = _event_index(paths, k, n_items)
        weight = _weights(index, paths.conversions, paths.non_conversions)
        ll, d, n = _fit_stats(index[0], index[1], weight, n_items + 2)
        held = None
        if fold_counts is not None:
            held = _heldout(paths, index, n_items, fold_counts, smoothing)
        rows.append(
            OrderFit(
                k, ll, d, n, 2 * d - 2 * ll, d * math.log(n) - 2 * ll if n > 0 else math.nan, held
            )
        )
    score = {
        OrderCriterion.AIC: [r.aic for r in rows],
        OrderCriterion.BIC: [r.bic for r in rows],
        OrderCriterion.HELDOUT: [r.heldout_log_loss or math.inf for r in rows],
    }[chosen_by]
    best = min(range(len(rows)), key=lambda i: (score[i], i))
    return OrderSelection(tuple(rows), chosen_by, rows[best].order)

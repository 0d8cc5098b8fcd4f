"""Markov order selection: exact likelihoods by enumeration, and BIC recovering a known order."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath.attribution import (
    Markov,
    PathCounts,
    markov_log_likelihood,
    select_order,
)
from touchpath.exceptions import ConfigError, UnsupportedInputError

Row = tuple[tuple[str, ...], int, int, float]

ROWS = st.lists(
    st.tuples(
        st.lists(st.sampled_from("abc"), min_size=1, max_size=5).map(tuple),
        st.integers(0, 4),
        st.integers(0, 4),
        st.just(0.0),
    ),
    min_size=1,
    max_size=10,
).filter(lambda rows: any(c + n for _, c, n, _ in rows))


def path_log_likelihood(rows: list[Row], k: int) -> float:
    """Sum over paths of count x log P(path) under the order-k MLE, estimated by hand with
    Counters over (history, outcome) and each path's probability as a product of steps."""

    def steps(path: tuple[str, ...], converted: bool) -> list[tuple[object, object]]:
        padded: list[str | None] = [None] * (k - 1) + list(path)
        out: list[tuple[object, object]] = [("start", path[0])]
        out.extend((tuple(padded[t - 1 : t - 1 + k]), path[t]) for t in range(1, len(path)))
        out.append((tuple(padded[len(path) - 1 : len(path) - 1 + k]), converted))
        return out

    cell: Counter[tuple[object, object]] = Counter()
    row: Counter[object] = Counter()
    for path, c, n, _ in rows:
        for converted, weight in ((True, c), (False, n)):
            for h, o in steps(path, converted):
                cell[h, o] += weight
                row[h] += weight
    ll = 0.0
    for path, c, n, _ in rows:
        for converted, weight in ((True, c), (False, n)):
            if weight:
                p = math.prod(cell[h, o] / row[h] for h, o in steps(path, converted))
                ll += weight * math.log(p)
    return ll


@given(ROWS)
@settings(max_examples=60)
def test_likelihood_is_product_of_path_probabilities(rows: list[Row]) -> None:
    """For orders 1-3 the table's log-likelihood, and the one from TransitionCounts alone,
    equal the sum of log path probabilities enumerated path by path."""
    pc = PathCounts.from_rows(rows)
    table = select_order(pc, max_order=3, folds=0).table
    for fit in table:
        want = path_log_likelihood(rows, fit.order)
        assert fit.log_likelihood == pytest.approx(want, abs=1e-9)
        from_counts, d = markov_log_likelihood(Markov(order=fit.order).counts(pc))
        assert from_counts == pytest.approx(want, abs=1e-9)
        assert d == fit.n_parameters
        assert fit.bic == pytest.approx(d * math.log(fit.n_observations) - 2 * want)
        assert fit.aic == pytest.approx(2 * d - 2 * want)


def test_likelihood_merges() -> None:
    """The counts-based likelihood reads merged counts: halves added equal the whole."""
    a = PathCounts.from_rows([(["a", "b"], 2, 1, 0)])
    b = PathCounts.from_rows([(["b", "a", "b"], 1, 3, 0)])
    m = Markov(order=2)
    assert markov_log_likelihood(m.counts(a) + m.counts(b)) == pytest.approx(
        markov_log_likelihood(m.counts(a + b))
    )


def simulate(order: int, n: int, seed: int) -> PathCounts:
    """Paths from a chain over a, b, c whose next step depends on the last ``order`` items.

    Order 1: the next item cycles a -> b -> c -> a with probability .7. Order 2: the next
    item repeats the item two back with probability .7 (a memory order 1 cannot see).
    Each step ends the path with probability .25 (converting with probability .3)."""
    rng = np.random.default_rng(seed)
    items = "abc"
    rows: Counter[tuple[tuple[str, ...], bool]] = Counter()
    for _ in range(n):
        path = [items[rng.integers(3)]]
        while rng.random() >= 0.25 and len(path) < 30:
            if order == 2 and len(path) >= 2 and rng.random() < 0.7:
                nxt = path[-2]
            elif order == 1 and rng.random() < 0.7:
                nxt = items[(items.index(path[-1]) + 1) % 3]
            else:
                nxt = items[rng.integers(3)]
            path.append(nxt)
        rows[tuple(path), bool(rng.random() < 0.3)] += 1
    return PathCounts.from_rows(
        [(p, c if conv else 0, 0 if conv else c, 0.0) for (p, conv), c in rows.items()]
    )


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("n", [2_000, 8_000])
def test_bic_recovers_the_true_order(order: int, n: int) -> None:
    """On paths simulated from a chain of known order (fixed seeds), BIC picks that order
    out of 1-4 at every sample size, and so does the held-out log-loss at the larger one."""
    pc = simulate(order, n, seed=order * 100 + n)
    sel = Markov.select_order(pc, max_order=4, folds=3 if n > 2_000 else 0)
    assert sel.order == order
    if n > 2_000:
        losses = [r.heldout_log_loss for r in sel.table]
        assert None not in losses
        assert min(range(4), key=lambda i: losses[i] or 0.0) + 1 == order


def test_heldout_criterion_and_determinism() -> None:
    """criterion='heldout' picks by held-out loss; the same seed gives the same table."""
    pc = simulate(2, 1_000, seed=3)
    a = select_order(pc, max_order=2, criterion="heldout", folds=4, seed=7)
    b = select_order(pc, max_order=2, criterion="heldout", folds=4, seed=7)
    assert a.rows() == b.rows()
    assert a.order == min(a.table, key=lambda r: r.heldout_log_loss or 0).order


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"max_order": 0}, "max_order"),
        ({"folds": 1}, "folds"),
        ({"smoothing": 0}, "smoothing"),
        ({"criterion": "aicc"}, "criterion"),
        ({"criterion": "heldout", "folds": 0}, "heldout"),
    ],
)
def test_bad_options(options: dict[str, object], match: str) -> None:
    """Bad options are refused with the option's name."""
    with pytest.raises(ConfigError, match=match):
        select_order(PathCounts.from_rows([(["a"], 1, 0, 0)]), **options)  # type: ignore[arg-type]


def test_fractional_counts_refuse_kfold() -> None:
    """k-fold splits whole paths: fractional counts need folds=0."""
    pc = PathCounts.from_rows([(["a"], 1.5, 0, 0)])
    with pytest.raises(UnsupportedInputError, match="whole numbers"):
        select_order(pc, folds=2)
    assert select_order(pc, folds=0).order == 1


def test_no_touches() -> None:
    """Data without any touch has no chain to choose an order for."""
    with pytest.raises(UnsupportedInputError, match="no path has a touch"):
        select_order(PathCounts.from_rows([([], 1, 0, 0)]))


@given(ROWS)
@settings(max_examples=30)
def test_dense_and_sparse_counts_agree(rows: list[Row]) -> None:
    """The dense count tables (small state spaces) and the sorted sparse ones (large state
    spaces, forced here) give the same table, held-out losses included."""
    from touchpath.attribution import _order_selection

    pc = PathCounts.from_rows(rows)
    dense = select_order(pc, max_order=3, folds=2, seed=1)
    old = _order_selection._DENSE_CELLS
    _order_selection._DENSE_CELLS = 0  # type: ignore[misc]
    try:
        sparse = select_order(pc, max_order=3, folds=2, seed=1)
    finally:
        _order_selection._DENSE_CELLS = old  # type: ignore[misc]
    for a, b in zip(dense.table, sparse.table, strict=True):
        assert a.log_likelihood == pytest.approx(b.log_likelihood, abs=1e-9)
        assert a.n_parameters == b.n_parameters
        assert a.heldout_log_loss == pytest.approx(b.heldout_log_loss, abs=1e-12)

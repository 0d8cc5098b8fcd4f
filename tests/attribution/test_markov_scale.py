"""The sparse and dense chain solvers against the former dense per-item solve, at any order."""

from __future__ import annotations

import sys

import numpy as np
import numpy.typing as npt
import pytest

from touchpath.attribution import Markov, PathCounts, TransitionCounts, _chain
from touchpath.attribution._markov import FittedMarkov

_F64 = npt.NDArray[np.float64]


def dense_oracle(counts: TransitionCounts) -> tuple[float, _F64]:
    """P(conversion) and P without each item: one dense ``np.linalg.solve`` per item.

    This is the solver touchpath used before the sparse one (a states x
    states matrix, the removed item's states dropped from it), kept here as
    the reference.
    """
    n_s = counts.n_states
    out = np.bincount(counts.source, counts.weight, n_s)
    row = out + counts.conversions + counts.nulls
    safe = np.where(row > 0, row, 1.0)
    q = np.zeros((n_s, n_s))
    q[counts.source, counts.target] = counts.weight / safe[counts.source]
    r = counts.conversions / safe
    s = counts.start / counts.start.sum()

    def p_of(keep: npt.NDArray[np.bool_]) -> float:
        if not keep.any():
            return 0.0
        qk = q[np.ix_(keep, keep)]
        return float(s[keep] @ np.linalg.solve(np.eye(len(qk)) - qk, r[keep]))

    p = p_of(np.ones(n_s, dtype=np.bool_))
    without = [p_of(~(counts.state_codes == i).any(axis=1)) for i in range(len(counts.items))]
    return p, np.array(without)


def assert_sparse_matches_oracle(counts: TransitionCounts) -> None:
    """The sparse solver's P(conversion) and every removal are within 1e-10 of the oracle's."""
    p, without = dense_oracle(counts)
    got_p, got = _chain._sparse(counts, *_chain._probabilities(counts))
    assert got_p == pytest.approx(p, abs=1e-10)
    np.testing.assert_allclose(got, without, atol=1e-10, rtol=0)


def random_counts(seed: int, n_items: int, order: int, n_paths: int = 100) -> TransitionCounts:
    """Counts of random paths (Zipf-like items, lengths 1..12, repeats and loops included)."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_items + 1)
    weights /= weights.sum()
    rows = []
    for _ in range(n_paths):
        length = int(rng.integers(1, 13))
        path = [f"c{int(c)}" for c in rng.choice(n_items, size=length, p=weights)]
        conv = int(rng.integers(0, 3))
        rows.append((path, conv, int(rng.integers(0 if conv else 1, 3)), float(conv) * 10))
    return TransitionCounts.from_paths(PathCounts.from_rows(rows).to_paths(), order=order)


CASES = [(0, 3, 1), (1, 12, 1), (2, 6, 2), (3, 10, 3), (4, 4, 5), (5, 25, 2)]


@pytest.mark.parametrize(("seed", "n_items", "order"), CASES, ids=[f"{c}" for c in CASES])
def test_dense_and_sparse_solvers_equal_the_dense_oracle(
    seed: int, n_items: int, order: int
) -> None:
    """Both solvers give P(conversion) and every removal within 1e-10 of the per-item solve.

    The oracle is an independent dense solve per removed item; the sparse
    solver is called directly so it is exercised on chains the dense path
    would otherwise take.
    """
    counts = random_counts(seed, n_items, order)
    p, without = dense_oracle(counts)
    prob, r, s = _chain._probabilities(counts)
    for solver in (_chain._dense, _chain._sparse):
        got_p, got = solver(counts, prob, r, s)
        assert got_p == pytest.approx(p, abs=1e-10)
        np.testing.assert_allclose(got, without, atol=1e-10, rtol=0)


def test_fitted_removal_effects_match_the_oracle_above_the_dense_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A chain with more states than the dense limit is solved sparsely, same effects."""
    monkeypatch.setattr(_chain, "DENSE_STATES", 50)
    counts = random_counts(7, 8, 3, n_paths=300)
    assert counts.n_states > _chain.DENSE_STATES
    p, without = dense_oracle(counts)
    fit = FittedMarkov.solve(Markov(order=3), counts)
    assert fit.conversion_probability == pytest.approx(p, abs=1e-10)
    expected = np.maximum(0.0, 1.0 - without / p)
    np.testing.assert_allclose(
        [fit.removal_effects[x] for x in counts.items], expected, atol=1e-9, rtol=0
    )


def test_orders_beyond_the_former_state_code_limit_work() -> None:
    """Order 12 with 60 items (61^12 > 2^62 possible states) counts and solves.

    Path j is items j .. j+13 (46 paths). Its first 11 states are padded
    with the start marker and differ between paths (46 x 11); the full
    windows of 12 items start at items 0 .. 47 (48 more). Path (a, b) at
    order 3 visits (^, ^, a) and (^, a, b), by hand.
    """
    rows = [([f"i{k}" for k in range(j, j + 14)], 1, 1, 1.0) for j in range(46)]
    pc = PathCounts.from_rows(rows)
    fit = Markov(order=12).fit(pc)
    assert fit.counts.n_states == 46 * 11 + 48
    assert fit.conversion_probability == pytest.approx(0.5)
    small = TransitionCounts.from_paths(
        PathCounts.from_rows([(["a", "b"], 1, 0, 0.0)]).to_paths(), order=3
    )
    assert small.states == ((None, None, "a"), (None, "a", "b"))


def test_merged_counts_equal_counts_of_the_merged_paths_at_high_order() -> None:
    """``+`` re-ranks states without a base**order code: same table as counting all at once."""
    a = PathCounts.from_rows([(["x", "y", "z", "x"], 1, 0, 1.0)])
    b = PathCounts.from_rows([(["z", "x", "w"], 0, 2, 0.0), (["y"], 1, 0, 2.0)])
    m = Markov(order=4)
    assert (m.counts(a) + m.counts(b)).equals(m.counts(a + b))


def test_sparse_solver_without_scipy_and_in_small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """numpy alone (SciPy hidden) and one-item blocks give the oracle's numbers.

    Hiding ``scipy.sparse`` makes the solver use its gather + ``reduceat``
    product; a block of 1 cell per state solves the items one at a time.
    Both are compared with the independent dense per-item solve.
    """
    counts = random_counts(11, 9, 2, n_paths=200)
    monkeypatch.setitem(sys.modules, "scipy.sparse", None)
    monkeypatch.setattr(_chain, "_BLOCK_CELLS", 1)
    assert_sparse_matches_oracle(counts)


def test_sparse_solver_with_a_reward_equals_the_dense_one() -> None:
    """With a reward per state (Markov value='last_state'), sparse and dense agree to 1e-10.

    The dense solver is the Schur-complement one, exact up to rounding; the
    rewards are arbitrary positive numbers up to 500, so the tolerance is
    relative to values far above 1.
    """
    counts = random_counts(12, 7, 3, n_paths=150)
    prob, r, s = _chain._probabilities(counts)
    reward = np.random.default_rng(0).uniform(1.0, 500.0, counts.n_states)
    dense = _chain._dense(counts, prob, r * reward, s)
    sparse = _chain._sparse(counts, prob, r * reward, s)
    assert sparse[0] == pytest.approx(dense[0], rel=1e-10)
    np.testing.assert_allclose(sparse[1], dense[1], rtol=1e-10)


def test_solve_order_puts_every_state_after_its_successors() -> None:
    """Outside the core every transition goes to an earlier position; the core is contiguous.

    Checked on a chain with loops: downstream and upstream states are
    peeled by level, so a transition from a non-core state must point to a
    lower position, and from a core state to the core or below it.
    """
    counts = random_counts(13, 6, 2, n_paths=200)
    off = counts.source != counts.target
    src, dst = counts.source[off], counts.target[off]
    order, bounds, lo, hi = _chain._solve_order(counts.n_states, src, dst)
    assert sorted(order.tolist()) == list(range(counts.n_states))
    assert hi > lo  # these random paths do loop
    pos = np.empty(counts.n_states, dtype=np.int64)
    pos[order] = np.arange(counts.n_states)
    ps, pd = pos[src], pos[dst]
    in_core = (ps >= lo) & (ps < hi)
    assert (pd[~in_core] < ps[~in_core]).all()
    assert (pd[in_core] < hi).all()
    assert lo in bounds.tolist()
    assert hi in bounds.tolist()


LOOPS = {
    "closed loop of links": [
        (["x", "a", "b", "c", "d", "a", "b", "c", "d", "y"], 1, 0, 1.0),
        (["x", "a", "b", "c", "d", "y"], 0, 2, 0.0),
        (["a", "b", "c", "d", "a", "y"], 1, 1, 1.0),
    ],
    "chains through a hub": [
        (["s", "h", "a1", "a2", "h", "b1", "b2", "b3", "h", "e"], 1, 0, 1.0),
        (["h", "b1", "b2", "b3", "h", "a1", "a2", "h"], 0, 1, 0.0),
        (["s", "h", "a1", "a2", "h", "c1", "h", "e"], 2, 1, 2.0),
        (["h", "c1", "h"], 1, 3, 1.0),
    ],
}


@pytest.mark.parametrize("rows", list(LOOPS.values()), ids=list(LOOPS))
@pytest.mark.parametrize("order", [1, 2])
def test_core_contraction_on_loops_of_one_in_one_out_states(
    rows: list[tuple[list[str], int, int, float]], order: int
) -> None:
    """Loops made of one-in one-out states solve like the oracle, removals cutting them.

    "closed loop of links": a -> b -> c -> d -> a is a cycle of states with
    one transition in and one out inside the core, with no other state to
    contract it onto; "chains through a hub": h -> a1 -> a2 -> h and
    h -> b1 -> b2 -> b3 -> h are chains contracted onto h, and removing
    a2 or b2 cuts them in the middle. Expected values: the dense per-item
    solve.
    """
    counts = TransitionCounts.from_paths(PathCounts.from_rows(rows).to_paths(), order=order)
    assert_sparse_matches_oracle(counts)


def test_sparse_solver_on_a_chain_without_cycles() -> None:
    """A chain with no cycle (no core) is solved by the level sweep alone, like the oracle.

    Each path's items increase, so no state can be revisited; the expected
    values are the dense per-item solve.
    """
    rows = [(["a", "b", "c"], 1, 1, 1.0), (["a", "c", "d"], 0, 2, 0.0), (["b", "d"], 1, 0, 3.0)]
    counts = TransitionCounts.from_paths(PathCounts.from_rows(rows).to_paths(), order=2)
    off = counts.source != counts.target
    _, _, lo, hi = _chain._solve_order(counts.n_states, counts.source[off], counts.target[off])
    assert lo == hi
    assert_sparse_matches_oracle(counts)

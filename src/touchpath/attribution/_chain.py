"""The absorbing chain of :class:`TransitionCounts`, solved in memory linear in its transitions.

The chain is kept as its list of observed transitions (a sparse matrix in
coordinate form), never as a states x states table, except for small
chains (at most :data:`DENSE_STATES` states) where one dense inverse is
both exact and fastest.

**Conversion probability.** ``x = Q x + r`` (``x_u``: P(conversion) from
state u) is solved by Jacobi iteration with the self-loops eliminated
exactly, ``x_u = (r_u + sum_{v != u} Q_uv x_v) / (1 - Q_uu)``. Every
observed state lies on an observed path that ends, so every state reaches
absorption, the spectral radius of Q is below 1 and the iteration converges
geometrically; it stops when the estimated remaining error (last step x
rho / (1 - rho), rho the observed contraction) is below 1e-13.

**Removal effects without a full solve per item.** Removing item i sends
its states R_i to ``(null)``. Only states that can *reach* R_i change
their conversion probability (strong Markov property), so per item the
iteration runs on the ancestors of R_i alone, warm-started at the full
solution (an upper bound, from which Jacobi decreases monotonically), with
the unchanged states' values as constants. In the dense case the Schur
complement of the one inverse ``G = (I - Q)^-1`` gives every removal:
``(A_KK)^-1 = G_KK - G_KR G_RR^-1 G_RK``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

from .._paths import wsum
from ..exceptions import ConfigError

if TYPE_CHECKING:
    from ._markov import TransitionCounts

__all__ = ["DENSE_STATES", "solve_chain"]

_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]
_B = npt.NDArray[np.bool_]

DENSE_STATES: Final = 1024
"""Chains with at most this many states are solved with one dense inverse."""
_TOL: Final = 1e-13
_MAX_ITER: Final = 1_000_000
_CHECK: Final = 4


def _matvec(n: int, ptr: _I64, dst: _I64, prob: _F64) -> Callable[[_F64], _F64]:
    """``x -> Q x`` for the sparse Q in CSR form (SciPy's kernel if installed)."""
    try:
        from scipy.sparse import csr_array
    except ImportError:  # numpy alone: a weighted bincount per product
        src = np.repeat(np.arange(n, dtype=np.int64), np.diff(ptr))
        return lambda x: wsum(src, prob * x[dst], n)
    q = csr_array((prob, dst, ptr), shape=(n, n))
    return lambda x: np.asarray(q @ x, dtype=np.float64)


def _jacobi(n: int, ptr: _I64, dst: _I64, prob: _F64, inv_diag: _F64, b: _F64, x0: _F64) -> _F64:
    """Solve ``x = D^-1 (b + Q_off x)`` by Jacobi iteration from ``x0`` (Q_off in CSR).

    ``D^-1`` is folded into the rows once. Convergence is checked every
    :data:`_CHECK` steps, from the contraction over those steps.
    """
    x = x0
    prev = np.inf
    rows = np.repeat(inv_diag, np.diff(ptr))
    qx = _matvec(n, ptr, dst, prob * rows)
    c = b * inv_diag
    for it in range(1, _MAX_ITER + 1):
        new = qx(x)
        new += c
        if it % _CHECK:
            x = new
            continue
        step = float(np.abs(new - x).max()) if n else 0.0
        x = new
        if step == 0.0:
            return x
        ratio, prev = (step / prev) ** (1.0 / _CHECK), step
        if 0.0 < ratio < 1.0 and step * ratio / (1.0 - ratio) <= _TOL:
            return x
    raise ConfigError(
        f"the Markov chain's solve did not converge in {_MAX_ITER:,} iterations "
        f"(a near-closed loop of states); use a lower order or collapse='consecutive'"
    )


def _item_states(counts: TransitionCounts) -> tuple[_I64, _I64]:
    """CSR of the states containing each item: ``states[ptr[i]:ptr[i+1]]`` for item i."""
    n_s, order = counts.state_codes.shape
    rows = np.repeat(np.arange(n_s, dtype=np.int64), order)
    item = counts.state_codes.reshape(-1).astype(np.int64)
    ok = item >= 0
    rows, item = rows[ok], item[ok]
    pair = np.unique(item * max(n_s, 1) + rows)  # a state holding an item twice counts once
    item, rows = pair // max(n_s, 1), pair % max(n_s, 1)
    ptr = np.zeros(len(counts.items) + 1, dtype=np.int64)
    np.cumsum(np.bincount(item, minlength=len(counts.items)), out=ptr[1:])
    return ptr, rows


def _gather(ptr: _I64, values: _I64, nodes: _I64) -> _I64:
    """``values[ptr[v]:ptr[v+1]]`` for every v of ``nodes``, concatenated."""
    lo, hi = ptr[nodes], ptr[nodes + 1]
    lengths = hi - lo
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    start = np.repeat(lo - np.cumsum(lengths) + lengths, lengths)
    return values[start + np.arange(total, dtype=np.int64)]


def _csr_ptr(rows: _I64, n: int) -> _I64:
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=ptr[1:])
    return ptr


def _ancestors(n: int, src: _I64, dst: _I64) -> Callable[[_I64], _B]:
    """A function: states -> mask of those states and every state that can reach them."""
    by_dst = np.argsort(dst, kind="stable")
    rptr = _csr_ptr(dst, n)
    preds = src[by_dst]
    try:
        from scipy.sparse import csr_array
        from scipy.sparse.csgraph import breadth_first_order
    except ImportError:
        pass
    else:
        ones = np.ones(len(preds) + n, dtype=np.int8)

        def scipy_bfs(nodes: _I64) -> _B:
            # the reversed graph plus a super-source n linked to every node
            indptr = np.append(rptr, rptr[-1] + len(nodes))
            g = csr_array(
                (ones[: len(preds) + len(nodes)], np.concatenate([preds, nodes]), indptr),
                shape=(n + 1, n + 1),
            )
            order = breadth_first_order(g, n, directed=True, return_predecessors=False)
            mask = np.zeros(n + 1, dtype=np.bool_)
            mask[order] = True
            return mask[:n]

        return scipy_bfs

    def numpy_bfs(nodes: _I64) -> _B:
        seen = np.zeros(n, dtype=np.bool_)
        seen[nodes] = True
        frontier = nodes
        while len(frontier):
            up = _gather(rptr, preds, frontier)
            up = up[~seen[up]]
            seen[up] = True
            frontier = np.unique(up)
        return seen

    return numpy_bfs


def _probabilities(counts: TransitionCounts) -> tuple[_F64, _F64, _F64]:
    """Transition probability of each transition, conversion vector r, start distribution s."""
    n_s = counts.n_states
    out = wsum(counts.source, counts.weight, n_s)
    row = out + counts.conversions + counts.nulls
    safe = np.where(row > 0, row, 1.0)
    prob = counts.weight / safe[counts.source]
    start_total = counts.start.sum()
    s = counts.start / start_total if start_total > 0 else np.zeros(n_s)
    return prob, counts.conversions / safe, s


def _dense(counts: TransitionCounts, prob: _F64, r: _F64, s: _F64) -> tuple[float, _F64]:
    n_s = counts.n_states
    a = np.eye(n_s)
    np.subtract.at(a, (counts.source, counts.target), prob)
    g = np.linalg.inv(a)
    x = g @ r
    p = float(s @ x)
    sg = s @ g
    ptr, rows = _item_states(counts)
    out = np.full(len(counts.items), p)
    for i in range(len(counts.items)):
        rr = rows[ptr[i] : ptr[i + 1]]
        if len(rr) == 0:
            continue
        keep = np.ones(n_s, dtype=np.bool_)
        keep[rr] = False
        u = sg - s[rr] @ g[rr]  # s_K^T G, over every column
        g_rr = g[np.ix_(rr, rr)]
        out[i] = float(u[keep] @ r[keep] - u[rr] @ np.linalg.solve(g_rr, x[rr] - g_rr @ r[rr]))
    return p, out


def _sparse(counts: TransitionCounts, prob: _F64, r: _F64, s: _F64) -> tuple[float, _F64]:
    n_s = counts.n_states
    src, dst = counts.source, counts.target  # sorted by (source, target)
    loop = src == dst
    inv_diag = 1.0 / (1.0 - wsum(src[loop], prob[loop], n_s))
    off = ~loop
    src, dst, prob = src[off], dst[off], prob[off]
    ptr = _csr_ptr(src, n_s)
    x = _jacobi(n_s, ptr, dst, prob, inv_diag, r, np.zeros(n_s))
    p = float(s @ x)
    ancestors_of = _ancestors(n_s, src, dst)
    item_ptr, item_rows = _item_states(counts)
    out = np.full(len(counts.items), p)
    loc = np.full(n_s, -1, dtype=np.int64)
    is_removed = np.zeros(n_s, dtype=np.bool_)
    edge = np.arange(len(src), dtype=np.int64)
    for i in range(len(counts.items)):
        removed = item_rows[item_ptr[i] : item_ptr[i + 1]]
        if len(removed) == 0:
            continue
        is_removed[removed] = True
        seen = ancestors_of(removed)
        seen[removed] = False
        ancestors = np.flatnonzero(seen)
        lost = float(s[removed] @ x[removed])
        m = len(ancestors)
        if m:
            loc[ancestors] = np.arange(m)
            e = _gather(ptr, edge, ancestors)  # the ancestors' transitions, by source
            es = np.repeat(np.arange(m, dtype=np.int64), np.diff(ptr)[ancestors])
            ed = dst[e]
            inner = loc[ed] >= 0
            fixed = ~inner & ~is_removed[ed]
            b = r[ancestors] + wsum(es[fixed], prob[e[fixed]] * x[ed[fixed]], m)
            sub_ptr = _csr_ptr(es[inner], m)
            xa = _jacobi(
                m, sub_ptr, loc[ed[inner]], prob[e[inner]], inv_diag[ancestors], b, x[ancestors]
            )
            lost += float(s[ancestors] @ (x[ancestors] - xa))
            loc[ancestors] = -1
        is_removed[removed] = False
        out[i] = p - lost
    return p, out


def solve_chain(counts: TransitionCounts, reward: _F64 | None = None) -> tuple[float, _F64]:
    """P(conversion) and P(conversion without item i) for every item, in items order.

    With ``reward`` (one number per state), a conversion from state ``k`` is worth
    ``reward[k]`` instead of 1: the results are then expected rewards (the value a
    walk is expected to end with), with and without each item.
    """
    if counts.n_states == 0:
        return 0.0, np.zeros(len(counts.items))
    prob, r, s = _probabilities(counts)
    if reward is not None:
        r = r * reward
    if counts.n_states <= DENSE_STATES:
        return _dense(counts, prob, r, s)
    return _sparse(counts, prob, r, s)

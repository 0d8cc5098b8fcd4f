"""The absorbing chain of :class:`TransitionCounts`, solved in memory linear in its transitions.

The chain is kept as its list of observed transitions (a sparse matrix in
coordinate form), never as a states x states table, except for small
chains (at most :data:`DENSE_STATES` states) where one dense inverse is
both exact and fastest.

**Conversion probability.** ``x = Q x + r`` (``x_u``: P(conversion) from
state u), with the self-loops eliminated exactly,
``x_u = (r_u + sum_{v != u} Q_uv x_v) / (1 - Q_uu)``. The states are put in
solve order once (Kahn's peeling, vectorised one level per round): first the
states that reach no cycle, level by level, each level exact from the ones
below it in one sparse product; then the *core*, the states that reach and
are reached from a cycle, solved by Jacobi iteration; then the states
upstream of the core, level by level again. Every observed state lies on an
observed path that ends, so every state reaches absorption, the spectral
radius of Q is below 1 and the core's iteration converges geometrically; it
stops when the estimated remaining error (last step x rho / (1 - rho), rho
the observed contraction) is below 1e-13, Aitken extrapolation removing
the slowest mode on the way (see :func:`_iterate`).

**Removal effects without a dense solve per item.** Removing item i sends
its states R_i to ``(null)``: the same sweep with ``x`` held at 0 on R_i.
The items are solved together, one column each, in blocks (a states x
items array of at most :data:`_BLOCK_CELLS` cells): each level is one
sparse x dense product for the whole block, and the core's iteration starts
from the full solution (an upper bound from which Jacobi decreases
monotonically), a column leaving the block when it has converged. Memory
is linear in states + transitions (times the block width). In the dense
case the Schur complement of the one inverse ``G = (I - Q)^-1`` gives every
removal: ``(A_KK)^-1 = G_KK - G_KR G_RR^-1 G_RK``.

SciPy, when installed, provides the sparse x dense kernel; numpy alone
does the same product as a gather and a ``reduceat``.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
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

DENSE_STATES: Final = 1024
"""Chains with at most this many states are solved with one dense inverse."""
_TOL: Final = 1e-13
_MAX_ITER: Final = 1_000_000
_RUN: Final = 6
_EXTRAPOLATE: Final = 1e-12
_MAX_LAMBDA: Final = 0.99
_BLOCK_CELLS: Final = 1 << 22
"""Items are solved in blocks of at most this many states x items cells (32 MiB)."""


def _rows(
    ptr: _I64, dst: _I64, w: _F64, rows: tuple[int, int], cols: tuple[int, int]
) -> Callable[[_F64], _F64]:
    """``X -> W[rows, cols] @ X`` for the CSR matrix W (ranges as ``(start, stop)``).

    SciPy's sparse x dense kernel if installed; else numpy: a gather and a
    ``reduceat`` over the rows' transitions, every column of X at once.
    """
    (lo, hi), (c0, c1) = rows, cols
    e0, e1 = int(ptr[lo]), int(ptr[hi])
    row = np.repeat(np.arange(hi - lo, dtype=np.int64), np.diff(ptr[lo : hi + 1]))
    d = dst[e0:e1]
    inside = (d >= c0) & (d < c1)
    sub_ptr = _csr_ptr(row[inside], hi - lo)
    sub_dst, sub_w = d[inside] - c0, w[e0:e1][inside]
    try:
        from scipy.sparse import csr_array
    except ImportError:
        filled = np.flatnonzero(np.diff(sub_ptr) > 0)
        starts = sub_ptr[filled]

        def numpy_rows(x: _F64) -> _F64:
            out = np.zeros((hi - lo, x.shape[1]))
            if len(filled):
                out[filled] = np.add.reduceat(sub_w[:, None] * x[sub_dst], starts, axis=0)
            return out

        return numpy_rows
    q = csr_array((sub_w, sub_dst, sub_ptr), shape=(hi - lo, c1 - c0))
    return lambda x: np.asarray(q @ x, dtype=np.float64)


def _largest(d: _F64) -> _F64:
    """The largest absolute value of each column (no temporary array)."""
    out: _F64 = np.maximum(d.max(axis=0, initial=0.0), -d.min(axis=0, initial=0.0))
    return out


def _iterate(
    product: Callable[[_F64], _F64],
    fixed: _F64,
    rows: _I64,
    cols: _I64,
    x: _F64,
    links: tuple[_I64, _I64, _F64, _I64] | None = None,
) -> _F64:
    """The fixed point of ``x -> product(x) + fixed`` with ``x[rows, cols]`` held at 0.

    ``links`` (``to, of, weight, column``): terms ``weight * x[of]`` that
    ``product`` includes but that column ``column`` of row ``to`` must not.

    One column per system, iterated from ``x``. Steps run in groups of
    :data:`_RUN`; within a group a column's largest change shrinks by its
    contraction rate ``rho``, and the column is done when the estimated
    remaining error, last change x rho / (1 - rho), is below :data:`_TOL`
    (relative to the largest value). Done columns leave the block, so rare
    items, whose removal changes little, stop early. While a column's
    changes are large, its group ends with an Aitken extrapolation along the
    last step, ``x + d lambda / (1 - lambda)`` (``lambda`` the ratio of its
    last two steps): it removes the slowest mode (the chain's Perron root,
    about the paths' continuation probability) and the faster modes set the
    pace. A column is judged only on a group that follows a plain one, so
    its stopping estimate is that of the plain iteration.
    """
    out = np.empty_like(x)
    left = np.arange(x.shape[1])  # the block's columns still iterating
    x = x.copy()
    x[rows, cols] = 0.0
    plain = np.zeros(x.shape[1], dtype=np.bool_)

    none = np.zeros(0, dtype=np.int64)
    to, of, lw, lc = links if links is not None else (none, none, np.zeros(0), none)

    def step(y: _F64) -> _F64:
        z = product(y)
        z += fixed
        if len(to):
            np.subtract.at(z, (to, lc), lw * y[of, lc])
        z[rows, cols] = 0.0
        return z

    for _ in range(0, _MAX_ITER, _RUN):
        new = step(x)
        first = _largest(new - x)
        x = new
        for _ in range(_RUN - 3):
            x = step(x)
        new = step(x)
        before, x = new - x, new
        new = step(x)
        last, x = new - x, new
        change = _largest(last)
        tol = _TOL * max(1.0, float(x.max(initial=0.0)), -float(x.min(initial=0.0)))
        with np.errstate(divide="ignore", invalid="ignore"):
            rho = np.where(first > 0.0, (change / first) ** (1.0 / (_RUN - 1)), 1.0)
            done = (change <= tol * 1e-2) | (
                plain & (rho < 1.0) & (change * rho / (1.0 - rho) <= tol)
            )
        plain = change <= _EXTRAPOLATE * tol / _TOL
        if not plain.all():
            den = np.einsum("ij,ij->j", before, before)
            lam = np.einsum("ij,ij->j", last, before) / np.where(den > 0.0, den, 1.0)
            lam = np.where(plain, 0.0, np.clip(lam, 0.0, _MAX_LAMBDA))
            last *= lam / (1.0 - lam)
            x += last
        if done.any():
            out[:, left[done]] = x[:, done]
            keep = ~done
            if not keep.any():
                return out
            renumber = np.cumsum(keep) - 1
            kept = keep[cols]
            rows, cols = rows[kept], renumber[cols[kept]]
            kept = keep[lc]
            to, of, lw, lc = to[kept], of[kept], lw[kept], renumber[lc[kept]]
            left, x, fixed, plain = left[keep], x[:, keep], fixed[:, keep], plain[keep]
    raise ConfigError(
        f"the Markov chain's solve did not converge in {_MAX_ITER:,} iterations "
        f"(a near-closed loop of states); use a lower order or collapse='consecutive'"
    )


def _core_solver(m: int, src: _I64, dst: _I64, w: _F64) -> Callable[[_F64, _I64, _I64, _F64], _F64]:
    """A solver of the core, ``x = W x + fixed`` with ``x[rows, cols] = 0``, from ``start``.

    ``src, dst, w``: the core's transitions (core positions 0 .. m-1). Most
    core states of sparse data are links of a chain (one transition in, one
    out, inside the core): a chain ``p -> u_1 -> ... -> u_k -> v`` is
    contracted to one transition ``p -> v`` (the product of its weights),
    its states' fixed terms summed along it, so the iteration runs on the
    other states alone; a chain cut by a removal in some column gives that
    column no ``p -> v`` term (a correction on those few pairs) and the
    fixed terms up to the cut. The links are then solved back along each
    chain, exactly.
    """
    outdeg, indeg = np.bincount(src, minlength=m), np.bincount(dst, minlength=m)
    link = (outdeg == 1) & (indeg == 1)
    succ = np.full(m, -1, dtype=np.int64)
    pred = np.full(m, -1, dtype=np.int64)
    w_out, w_in = np.zeros(m), np.zeros(m)
    one_out, one_in = link[src], link[dst]
    succ[src[one_out]], w_out[src[one_out]] = dst[one_out], w[one_out]
    pred[dst[one_in]], w_in[dst[one_in]] = src[one_in], w[one_in]
    chain = np.full(m, -1, dtype=np.int64)
    place = np.full(m, -1, dtype=np.int64)
    gain = np.ones(m)  # product of the weights from the chain's first link to this one
    cur = np.flatnonzero(link & ~link[np.maximum(pred, 0)])
    ids = np.arange(len(cur), dtype=np.int64)
    levels: list[_I64] = []
    while len(cur):
        chain[cur], place[cur] = ids, len(levels)
        levels.append(cur)
        nxt = succ[cur]
        more = link[nxt]
        gain[nxt[more]] = gain[cur[more]] * w_out[cur[more]]
        cur, ids = nxt[more], ids[more]
    link = chain >= 0  # links on a closed loop of links stay ordinary states
    n_ch = len(levels[0]) if levels else 0
    last = np.zeros(n_ch, dtype=np.int64)
    for nodes in levels:
        last[chain[nodes]] = nodes
    first = levels[0] if levels else last
    head, a = pred[first], w_in[first]  # the chain's entry p and weight p -> u_1
    tail = succ[last]  # its exit v
    g = a * gain[last] * w_out[last]
    seq = np.lexsort((place[link], chain[link]))
    seq = np.flatnonzero(link)[seq]  # links by chain, then place
    seq_start = np.zeros(n_ch + 1, dtype=np.int64)
    np.cumsum(np.bincount(chain[link], minlength=n_ch), out=seq_start[1:])
    kept = ~link
    mk = int(kept.sum())
    kidx = np.cumsum(kept) - 1
    plain = kept[src] & kept[dst]
    r_src = np.concatenate([kidx[src[plain]], kidx[head]])
    r_dst = np.concatenate([kidx[dst[plain]], kidx[tail]])
    r_w = np.concatenate([w[plain], g])
    by_row = np.lexsort((r_dst, r_src))
    product = _rows(_csr_ptr(r_src, mk), r_dst[by_row], r_w[by_row], (0, mk), (0, mk))

    def solve(fixed: _F64, rows: _I64, cols: _I64, start: _F64) -> _F64:
        b = fixed.shape[1]
        prefix = np.zeros_like(fixed)  # fixed terms summed along each chain, weighted
        for t, nodes in enumerate(levels):
            prefix[nodes] = gain[nodes, None] * fixed[nodes]
            if t:
                prefix[nodes] += prefix[pred[nodes]]
        cut_link = link[rows]
        lr, lc = rows[cut_link], cols[cut_link]
        through = prefix[last]  # what each chain adds to its entry, uncut
        cuts = np.zeros((0,), dtype=np.int64)
        cut_cols = cuts
        if len(lr):
            key = chain[lr] * b + lc
            order = np.lexsort((place[lr], key))
            key, where = key[order], place[lr][order]
            firsts = np.r_[True, key[1:] != key[:-1]]
            key, where = key[firsts], where[firsts]
            cuts, cut_cols = key // b, key % b
            before = np.where(where > 0, seq[seq_start[cuts] + np.maximum(where - 1, 0)], 0)
            through[cuts, cut_cols] = np.where(where > 0, prefix[before, cut_cols], 0.0)
        fk = fixed[kept]
        np.add.at(fk, kidx[head], a[:, None] * through)
        kr = kidx[rows[~cut_link]]
        links = (kidx[head[cuts]], kidx[tail[cuts]], g[cuts], cut_cols)
        xk = _iterate(product, fk, kr, cols[~cut_link], start[kept], links)
        x = np.empty_like(fixed)
        x[kept] = xk
        by_place = np.argsort(place[lr], kind="stable")
        lr, lc = lr[by_place], lc[by_place]
        bounds = np.searchsorted(place[lr], np.arange(len(levels) + 1))
        for t in range(len(levels) - 1, -1, -1):
            nodes = levels[t]
            x[nodes] = fixed[nodes] + w_out[nodes, None] * x[succ[nodes]]
            x[lr[bounds[t] : bounds[t + 1]], lc[bounds[t] : bounds[t + 1]]] = 0.0
        return x

    return solve


def _peel(n: int, src: _I64, dst: _I64) -> _I64:
    """Each state's level in Kahn's order, one vectorised round per level.

    Level 0 states have no successor, level L ones have every successor in
    a lower level; -1 marks the states that reach a cycle.
    """
    left = np.bincount(src, minlength=n)
    rptr, preds = _csr_ptr(dst, n), src[np.argsort(dst, kind="stable")]
    level = np.full(n, -1, dtype=np.int64)
    front = np.flatnonzero(left == 0)
    depth = 0
    while len(front):
        level[front] = depth
        up = _gather(rptr, preds, front)
        left -= np.bincount(up, minlength=n)
        up = np.unique(up)
        front = up[left[up] == 0]
        depth += 1
    return level


def _solve_order(n: int, src: _I64, dst: _I64) -> tuple[_I64, _I64, int, int]:
    """States in solve order (every state after its successors, the cycles' core as one block).

    Returns the order (new position -> state), the start of each block of
    positions (and n), and the core's positions ``lo, hi``. First the
    states that reach no cycle, by level; then the core (states that reach
    and are reached from a cycle); then the states only upstream of it, by
    decreasing level from the starts.
    """
    down = _peel(n, src, dst)
    up = _peel(n, dst, src)
    core = (down < 0) & (up < 0)
    mid = int(down.max(initial=-1)) + 1
    key = np.where(down >= 0, down, mid + 1 + int(up.max(initial=-1)) - up)
    key[core] = mid
    order = np.argsort(key, kind="stable")
    ks = key[order]
    starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]]) if n else np.zeros(0, np.int64)
    bounds = np.append(starts, n).astype(np.int64)
    lo = int(np.searchsorted(ks, mid, side="left"))
    hi = int(np.searchsorted(ks, mid, side="right"))
    return order, bounds, lo, hi


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
    n_s, n_items = counts.n_states, len(counts.items)
    src, dst = counts.source, counts.target
    loop = src == dst
    inv_diag = 1.0 / (1.0 - wsum(src[loop], prob[loop], n_s))
    off = ~loop
    src, dst, prob = src[off], dst[off], prob[off]
    order, bounds, lo, hi = _solve_order(n_s, src, dst)
    pos = np.empty(n_s, dtype=np.int64)
    pos[order] = np.arange(n_s, dtype=np.int64)
    src, dst = pos[src], pos[dst]
    by_row = np.lexsort((dst, src))
    src, dst = src[by_row], dst[by_row]
    w = prob[by_row] * inv_diag[order][src]  # D^-1 folded into the rows
    ptr = _csr_ptr(src, n_s)
    c = (r * inv_diag)[order]
    segments = [(int(a), int(b)) for a, b in pairwise(bounds.tolist())]
    # every block's successors come before it; the core's also inside it
    products = {a: _rows(ptr, dst, w, (a, b), (0, a)) for a, b in segments}
    e0, e1 = int(ptr[lo]), int(ptr[hi])
    core_src = np.repeat(np.arange(hi - lo, dtype=np.int64), np.diff(ptr[lo : hi + 1]))
    inside = dst[e0:e1] >= lo
    solve_core = _core_solver(hi - lo, core_src[inside], dst[e0:e1][inside] - lo, w[e0:e1][inside])

    def sweep(kill: _I64, column: _I64, start: _F64) -> _F64:
        """x per column, with ``x[kill, column] = 0`` (kill sorted), every block in order."""
        x = np.empty((n_s, start.shape[1]))
        cut = np.searchsorted(kill, bounds)
        for (a, b), k0, k1 in zip(segments, cut[:-1], cut[1:], strict=True):
            y = products[a](x[:a])
            y += c[a:b, None]
            rows, cols = kill[k0:k1] - a, column[k0:k1]
            if a == lo and hi > lo:
                y = solve_core(y, rows, cols, start)
            else:
                y[rows, cols] = 0.0
            x[a:b] = y
        return x

    none = np.zeros(0, dtype=np.int64)
    x = sweep(none, none, np.zeros((hi - lo, 1)))
    sp = s[order]
    p = float(sp @ x[:, 0])
    item_ptr, item_rows = _item_states(counts)
    out = np.empty(n_items)
    block = max(1, min(n_items, _BLOCK_CELLS // max(n_s, 1)))
    for i0 in range(0, n_items, block):
        i1 = min(n_items, i0 + block)
        kill = pos[item_rows[item_ptr[i0] : item_ptr[i1]]]
        column = np.repeat(np.arange(i1 - i0), np.diff(item_ptr[i0 : i1 + 1]))
        by_pos = np.argsort(kill, kind="stable")
        start = np.repeat(x[lo:hi], i1 - i0, axis=1)
        out[i0:i1] = sp @ sweep(kill[by_pos], column[by_pos], start)
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

"""Removal effects of an edge or of a sequence of items, exact in the absorbing chain.

:class:`~touchpath.attribution.Markov` removes one *item*: every visit to a
state holding it goes to ``(null)``. Here the removed thing is a *sequence*
``x_1 > ... > x_L`` of consecutive items (``social > search``): every walk
that would complete it goes to ``(null)`` at the step that completes it.
The chain is multiplied by the sequence's matching automaton (the
Knuth-Morris-Pratt failure function: how much of the sequence the last items
match), so the walks that avoid the sequence are counted exactly, for any
chain order and any sequence length, through loops and repeats:

    P_without = s' . (I - Q')^-1 r'   on states (chain state, matched prefix length),

and the removal effect is ``1 - P_without / P``. An *edge* between two items
is the sequence of those two; the edges ``(start) > x`` (walks starting at
x) and ``x > (conversion)`` (conversions straight after x) cut only that
first step or that last step. A sequence of one item is the item's own
Markov removal effect. The solve is dense (numpy), over the chain's
observed states times the sequence length.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt

from .._log import EventLog
from .._paths import ConversionPaths, PathCounts, wsum
from ..exceptions import ConfigError, NotFoundError
from ._markov import CONVERSION, START, FittedMarkov, Markov, TransitionCounts

__all__ = ["RemovalEffect", "edge_removal_effect", "sequence_removal_effect"]

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]


@attrs.frozen
class RemovalEffect:
    """What removing an edge or a sequence does to the conversion probability.

    >>> RemovalEffect(("a", "b"), 0.5, 0.25).effect
    0.5
    """

    removed: tuple[str, ...]
    """The removed sequence (an edge is two names, possibly ``(start)`` or ``(conversion)``)."""
    probability: float
    """P(conversion) of the chain."""
    probability_without: float
    """P(conversion) when walks that would take the edge or complete the sequence go to null."""

    @property
    def effect(self) -> float:
        """``1 - probability_without / probability`` (0 when nothing converts)."""
        if self.probability <= 0:
            return 0.0
        return max(0.0, 1.0 - self.probability_without / self.probability)


def _counts(
    data: TransitionCounts | FittedMarkov | EventLog | PathCounts | ConversionPaths, order: int
) -> TransitionCounts:
    if isinstance(data, FittedMarkov):
        return data.counts
    if isinstance(data, TransitionCounts):
        return data
    return Markov(order=order).counts(data)


def _chain(counts: TransitionCounts) -> tuple[_I64, _I64, _F64, _F64, _F64]:
    """Sparse transition probabilities (source, target, p), conversion vector, start vector."""
    n_s = counts.n_states
    out = wsum(counts.source, counts.weight, n_s)
    row = out + counts.conversions + counts.nulls
    safe = np.where(row > 0, row, 1.0)
    p = counts.weight / safe[counts.source]
    total = counts.start.sum()
    start = counts.start / total if total > 0 else np.zeros(n_s)
    return counts.source, counts.target, p, counts.conversions / safe, start


def _absorb(n: int, src: _I64, dst: _I64, p: _F64, r: _F64, s: _F64) -> float:
    """``s . (I - Q)^-1 r`` for the sparse Q given by (src, dst, p), dense solve."""
    if n == 0:
        return 0.0
    q = np.zeros((n, n), dtype=np.float64)
    np.add.at(q, (src, dst), p)
    return float(s @ np.linalg.solve(np.eye(n) - q, r))


def _failure(pattern: Sequence[int], n_items: int) -> _I64:
    """The KMP automaton: ``delta[j, x]`` is the matched length after item x at length j."""
    size = len(pattern)
    delta = np.zeros((size, n_items), dtype=np.int64)
    fail = 0  # length of the longest proper border of the matched prefix
    for j in range(size):
        for x in range(n_items):
            if x == pattern[j]:
                delta[j, x] = j + 1
            elif j > 0:
                delta[j, x] = delta[fail, x]
        if j > 0:
            fail = int(delta[fail, pattern[j]])
    return delta


def _codes(counts: TransitionCounts, names: Sequence[str]) -> list[int]:
    out = []
    for name in names:
        if name not in counts.items:
            raise NotFoundError("item", name, choices=counts.items)
        out.append(counts.items.index(name))
    return out


def sequence_removal_effect(
    data: TransitionCounts | FittedMarkov | EventLog | PathCounts | ConversionPaths,
    sequence: Sequence[str],
    *,
    order: int = 1,
) -> RemovalEffect:
    """The exact removal effect of a sequence of consecutive items (see the module docs).

    ``data`` is a Markov model's counts or fit, or data to count at ``order``.

    >>> from touchpath.attribution import PathCounts
    >>> pc = PathCounts.from_rows([(["a", "b", "a"], 1, 0, 0), (["a"], 0, 1, 0)])
    >>> e = sequence_removal_effect(pc, ["b", "a"])
    >>> round(e.probability, 12), round(e.probability_without, 12), round(e.effect, 12)
    (0.5, 0.333333333333, 0.333333333333)
    """
    if isinstance(sequence, str) or not sequence:
        raise ConfigError(
            f"'sequence' must be a non-empty sequence of item names (not one string); got "
            f"{sequence!r}"
        )
    counts = _counts(data, order)
    pattern = _codes(counts, sequence)
    src, dst, p, r, s = _chain(counts)
    n_s, size = counts.n_states, len(pattern)
    last = counts.state_codes[:, -1].astype(np.int64) if n_s else np.zeros(0, np.int64)
    delta = _failure(pattern, len(counts.items))
    whole = _absorb(n_s, src, dst, p, r, s)
    # product states (state, matched length j < size): index state * size + j
    j = np.arange(size, dtype=np.int64)
    psrc = (src[:, None] * size + j[None, :]).ravel()
    nxt = delta[:, last[dst]].T  # (n_edges, size): matched length after entering dst
    alive = (nxt < size).ravel()
    pdst = (dst[:, None] * size + np.minimum(nxt, size - 1)).ravel()
    pp = np.repeat(p, size)
    pr = np.repeat(r, size)
    first = delta[0, last] if n_s else np.zeros(0, np.int64)
    ps = np.zeros(n_s * size)
    ok = first < size
    ps[(np.arange(n_s) * size + np.minimum(first, size - 1))[ok]] = s[ok]
    without = _absorb(n_s * size, psrc[alive], pdst[alive], pp[alive], pr, ps)
    return RemovalEffect(tuple(sequence), whole, without)


def edge_removal_effect(
    data: TransitionCounts | FittedMarkov | EventLog | PathCounts | ConversionPaths,
    source: str,
    target: str,
    *,
    order: int = 1,
) -> RemovalEffect:
    """The exact removal effect of one edge ``source > target`` of the chain.

    Between two items the edge is the sequence ``(source, target)``;
    ``source`` may be ``"(start)"`` (walks whose first item is ``target``)
    and ``target`` may be ``"(conversion)"`` (conversions straight after a
    state ending in ``source``).

    >>> from touchpath.attribution import PathCounts
    >>> pc = PathCounts.from_rows([(["a"], 1, 1, 0), (["a", "b"], 1, 1, 0)])
    >>> edge_removal_effect(pc, "a", "b").effect
    0.5
    >>> edge_removal_effect(pc, "a", "(conversion)").effect
    0.5
    >>> edge_removal_effect(pc, "(start)", "a").probability_without
    0.0
    """
    if source == START and target == CONVERSION:
        raise ConfigError("there is no edge from (start) straight to (conversion)")
    if source != START and target != CONVERSION:
        return sequence_removal_effect(data, [source, target], order=order)
    counts = _counts(data, order)
    src, dst, p, r, s = _chain(counts)
    n_s = counts.n_states
    last = counts.state_codes[:, -1] if n_s else np.zeros(0, np.int32)
    whole = _absorb(n_s, src, dst, p, r, s)
    if source == START:
        (code,) = _codes(counts, [target])
        without = _absorb(n_s, src, dst, p, r, np.where(last == code, 0.0, s))
    else:
        (code,) = _codes(counts, [source])
        without = _absorb(n_s, src, dst, p, np.where(last == code, 0.0, r), s)
    return RemovalEffect((source, target), whole, without)

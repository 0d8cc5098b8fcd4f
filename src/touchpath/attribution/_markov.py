"""Markov-chain attribution, solved exactly as an absorbing chain (no simulation).

States are the credited items (channels by default) or, for ``order=k``,
k-tuples of consecutive items. Every path is a walk
``(start) -> s_1 -> ... -> s_n -> (conversion) | (null)``. Counting the
walks' steps gives a transition matrix; with ``Q`` its transient part and
``r`` the one-step conversion probabilities, the conversion probability is

    P = s . (I - Q)^-1 r

(``s`` the start distribution). *Removing* an item sends every visit to a
state that contains it to ``(null)``; the removal effect is
``RE_i = 1 - P_without_i / P`` and item i's credit is
``RE_i / sum_j RE_j`` times the attributed conversions (and value).

Higher orders pad the first k - 1 states of a path with the start marker:
path ``(a, b, c)`` with k = 2 visits ``(^, a), (a, b), (b, c)`` where ``^`` is
the start marker (``None`` in state tuples), so short paths keep their
information and every path has as many states as touches.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, ClassVar, Final

import attrs
import numpy as np
import numpy.typing as npt

from .._deprecation import renamed, renamed_fields, warn_renamed
from .._log import EventLog
from .._paths import (
    ByLike,
    ConversionPaths,
    PathCounts,
    check_value_total,
    dense_unique,
    item_index,
    scatter,
    wsum,
)
from .._schema import Field
from .._time import DurationLike
from ..exceptions import ConfigError
from ._attribute import CollapseLike, as_paths
from ._chain import solve_chain
from ._result import AttributionResult, Credit

if TYPE_CHECKING:
    import networkx as nx

    from ._order_selection import OrderSelection

__all__ = [
    "CONVERSION",
    "NULL",
    "START",
    "FittedMarkov",
    "Markov",
    "MarkovValue",
    "TransitionCounts",
]

_I32 = npt.NDArray[np.int32]
_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]

START: Final = "(start)"
"""Name of the start node in transition matrices and graphs."""
CONVERSION: Final = "(conversion)"
"""Name of the conversion (absorbing) node."""
NULL: Final = "(null)"
"""Name of the non-conversion (absorbing) node."""

_DENSE_PAIRS: Final = 1 << 24


_MAX_ORDER: Final = 61
"""With two items and the start marker (base 3) no higher order has its states fit in int64."""


def _order(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"'order' must be an integer >= 1; got {value!r}")
    if value > _MAX_ORDER:
        raise ConfigError(
            f"'order' must be at most {_MAX_ORDER} (higher orders have more possible states "
            f"than 64-bit codes can number); got {value!r}"
        )
    return value


def _lex_states(columns: list[_I64], base: int) -> tuple[_I64, _I64]:
    """Rank rows of digit columns (each in ``0 .. base-1``, first most significant).

    Returns each row's rank among the distinct rows, in lexicographic order,
    and one row of each rank. Ranks are re-coded after every column, so keys
    stay below ``rows * base`` whatever the order (no ``base ** order`` code).
    """
    rank = np.zeros(len(columns[0]), dtype=np.int64)
    n = 1
    for col in columns:
        uniq, rank = dense_unique(rank * base + col, n * base)
        n = len(uniq)
    rep = np.zeros(n, dtype=np.int64)
    rep[rank] = np.arange(len(rank), dtype=np.int64)
    return rank, rep


def _sum_pairs(src: _I64, dst: _I64, weight: _F64, n: int) -> tuple[_I64, _I64, _F64]:
    """Sum weights of equal (src, dst) pairs; pairs sorted, zero sums dropped."""
    key = src * n + dst
    if n * n <= _DENSE_PAIRS:
        sums = wsum(key, weight, n * n)
        nz = np.flatnonzero(sums)
        nz64 = nz.astype(np.int64)
        return nz64 // n, nz64 % n, sums[nz]
    uniq, inverse = np.unique(key, return_inverse=True)
    sums = wsum(inverse.reshape(-1), weight, len(uniq))
    keep = sums != 0
    kept = uniq[keep].astype(np.int64)
    return kept // n, kept % n, sums[keep]


@renamed_fields(by="level")
@attrs.frozen(eq=False, repr=False)
class TransitionCounts:
    """The counts a Markov model is solved from: a small, mergeable table.

    Build with :meth:`from_log` (or ``Markov(order=k).counts(data)``), add
    two with ``+`` (:meth:`empty` is the zero), and pass it to
    :func:`~touchpath.attribution.attribute` or :meth:`Markov.fit` instead
    of the log. Counts are weighted by path multiplicity.

    >>> from touchpath.attribution import PathCounts
    >>> a = TransitionCounts.from_paths(PathCounts.from_rows([(["x", "y"], 1, 0, 5.0)]).to_paths())
    >>> b = TransitionCounts.from_paths(PathCounts.from_rows([(["y"], 0, 2, 0.0)]).to_paths())
    >>> (a + b).states, (a + b).start.tolist(), (a + b).nulls.tolist()
    ((('x',), ('y',)), [1.0, 2.0], [0.0, 2.0])
    """

    items: tuple[str, ...]
    """Item names (sorted); codes in :attr:`state_codes` index this."""
    order: int
    """Number of items per state."""
    state_codes: _I32
    """``(n_states, order)`` item codes of each state, oldest first; -1 is the start marker."""
    start: _F64
    """Paths starting in each state."""
    source: _I64
    """Transition sources (state indices); with ``target`` and ``weight``, a sparse matrix."""
    target: _I64
    """Transition targets (state indices)."""
    weight: _F64
    """Transition counts."""
    conversions: _F64
    """Conversions ending in each state."""
    nulls: _F64
    """Non-converting path ends in each state."""
    value: float = 0.0
    """Value of the attributed (non-empty) converting paths."""
    unattributed: float = 0.0
    """Conversions of paths without touches (not part of the chain)."""
    unattributed_value: float = 0.0
    """Their value."""
    level: Field | None = None
    """What the items are."""
    conversion_values: _F64 | None = None
    """Value of the conversions ending in each state (what
    :attr:`MarkovValue.LAST_STATE` needs); None when not counted."""

    @property
    def by(self) -> Field | None:
        """Deprecated name of :attr:`level`."""
        warn_renamed("TransitionCounts.by", "TransitionCounts.level")
        return self.level

    @classmethod
    @renamed(by="level")
    def zero(cls, order: int = 1, level: Field | None = None) -> TransitionCounts:
        """The zero of ``+``: no states, no paths.

        >>> TransitionCounts.zero(order=2).n_states
        0
        """
        z = np.zeros(0, np.float64)
        i = np.zeros(0, np.int64)
        return cls(
            (), _order(order), np.zeros((0, order), np.int32), z, i, i, z, z, z, level=level,
            conversion_values=z,
        )  # fmt: skip

    @classmethod
    @renamed(by="level")
    def from_log(
        cls,
        log: EventLog,
        *,
        order: int = 1,
        level: ByLike = Field.CHANNEL,
        collapse: CollapseLike = "none",
        lookback: DurationLike | None = None,
    ) -> TransitionCounts:
        """Count the transitions of a log's conversion paths in one vectorised pass.

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([
        ...     {"journey_id": "a", "timestamp": 0, "channel": "ads"},
        ...     {"journey_id": "a", "timestamp": 1, "channel": "seo", "converted": True}])
        >>> TransitionCounts.from_log(log).conversions.tolist()
        [0.0, 1.0]
        """
        paths = as_paths(log, level=level, collapse=collapse, lookback=lookback)
        return cls.from_paths(paths, order=order)

    @classmethod
    def from_paths(cls, paths: ConversionPaths, *, order: int = 1) -> TransitionCounts:
        """Count the transitions of :class:`ConversionPaths`."""
        check_value_total(paths.values)
        order = _order(order)
        used = np.zeros(len(paths.items), dtype=np.bool_)
        used[paths.codes] = True
        items = tuple(x for x, u in zip(paths.items, used.tolist(), strict=True) if u)
        remap = np.cumsum(used) - 1
        codes = remap[paths.codes].astype(np.int64) + 1  # 0 is the start marker
        base = len(items) + 1
        pos = paths.positions
        columns = []
        for j in range(order - 1, -1, -1):  # the item j steps back (0 = this touch), oldest first
            back = np.zeros(paths.n_touches, dtype=np.int64)
            back[j:] = codes[: paths.n_touches - j]
            columns.append(np.where(pos >= j, back, 0))
        inv, rep = _lex_states(columns, base)
        n_s = len(rep)
        total = paths.conversions + paths.non_conversions
        tp = paths.touch_path
        step = pos[1:] > 0 if paths.n_touches else np.zeros(0, np.bool_)
        src, dst, w = _sum_pairs(inv[:-1][step], inv[1:][step], total[tp[1:][step]], n_s)
        nonempty = paths.lengths > 0
        first = inv[paths.offsets[:-1][nonempty]]
        last = inv[paths.offsets[1:][nonempty] - 1]
        digits = np.stack([c[rep] for c in columns], axis=1).reshape(n_s, order)
        return cls(
            items=items,
            order=order,
            state_codes=(digits - 1).astype(np.int32),
            start=wsum(first, total[nonempty], n_s),
            source=src,
            target=dst,
            weight=w,
            conversions=wsum(last, paths.conversions[nonempty], n_s),
            nulls=wsum(last, paths.non_conversions[nonempty], n_s),
            value=float(paths.values[nonempty].sum()),
            unattributed=float(paths.conversions[~nonempty].sum()),
            unattributed_value=float(paths.values[~nonempty].sum()),
            level=paths.level,
            conversion_values=wsum(last, paths.values[nonempty], n_s),
        )

    @property
    def n_states(self) -> int:
        """Number of (observed) states."""
        return len(self.start)

    @property
    def states(self) -> tuple[tuple[str | None, ...], ...]:
        """Each state as a tuple of item names, oldest first (None: the start marker)."""
        names = [*self.items, None]
        return tuple(tuple(names[c] for c in row) for row in self.state_codes.tolist())

    @property
    def total_conversions(self) -> float:
        """All conversions, attributed or not."""
        return float(self.conversions.sum()) + self.unattributed

    @classmethod
    @renamed(by="level")
    def empty(cls, order: int = 1, level: Field | None = None) -> TransitionCounts:
        """Deprecated: use :meth:`zero`, the name every mergeable aggregate uses."""
        warn_renamed("TransitionCounts.empty()", "TransitionCounts.zero()")
        return cls.zero(order, level)

    def __radd__(self, other: object) -> TransitionCounts:
        """``0 + counts`` is ``counts``, so ``sum(parts)`` works."""
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __add__(self, other: TransitionCounts) -> TransitionCounts:
        if not isinstance(other, TransitionCounts):
            return NotImplemented
        if self.order != other.order:
            raise ConfigError(
                f"cannot add transition counts of orders {self.order} and {other.order}"
            )
        if self.level is not None and other.level is not None and self.level != other.level:
            raise ConfigError(
                f"cannot add transition counts of {self.level.value}s and {other.level.value}s"
            )
        items = tuple(sorted(set(self.items) | set(other.items)))
        position = {x: i for i, x in enumerate(items)}
        base = len(items) + 1
        parts = []
        for t in (self, other):
            table = np.array([position[x] + 1 for x in t.items] + [0], dtype=np.int64)
            parts.append(table[t.state_codes])  # -1 indexes the trailing 0: the start marker
        stacked = np.concatenate(parts).reshape(-1, self.order)
        inv, rep = _lex_states([stacked[:, j] for j in range(self.order)], base)
        a_map, b_map = inv[: self.n_states], inv[self.n_states :]
        n_s = len(rep)

        def scatter(a: _F64, b: _F64) -> _F64:
            return wsum(a_map, a, n_s) + wsum(b_map, b, n_s)

        src, dst, w = _sum_pairs(
            np.concatenate([a_map[self.source], b_map[other.source]]),
            np.concatenate([a_map[self.target], b_map[other.target]]),
            np.concatenate([self.weight, other.weight]),
            n_s,
        )
        digits = stacked[rep]
        return TransitionCounts(
            items=items,
            order=self.order,
            state_codes=(digits - 1).astype(np.int32),
            start=scatter(self.start, other.start),
            source=src,
            target=dst,
            weight=w,
            conversions=scatter(self.conversions, other.conversions),
            nulls=scatter(self.nulls, other.nulls),
            value=self.value + other.value,
            unattributed=self.unattributed + other.unattributed,
            unattributed_value=self.unattributed_value + other.unattributed_value,
            level=self.level if self.level is not None else other.level,
            conversion_values=(
                None
                if self.conversion_values is None or other.conversion_values is None
                else scatter(self.conversion_values, other.conversion_values)
            ),
        )

    def equals(self, other: object) -> bool:
        """Same states and counts (exactly; values per state to floating-point precision).

        >>> TransitionCounts.zero().equals(TransitionCounts.zero())
        True
        """
        if not isinstance(other, TransitionCounts):
            return False
        arrays = ("state_codes", "start", "source", "target", "weight", "conversions", "nulls")
        cv = (self.conversion_values, other.conversion_values)
        return (
            self.items == other.items
            and self.order == other.order
            and all(np.array_equal(getattr(self, a), getattr(other, a)) for a in arrays)
            # values per state are float sums: merged parts may round them differently
            and (
                cv[0] is None
                or cv[1] is None
                or (cv[0].shape == cv[1].shape and np.allclose(cv[0], cv[1], rtol=1e-12, atol=0))
            )
            and (self.value, self.unattributed, self.unattributed_value)
            == (other.value, other.unattributed, other.unattributed_value)
        )

    def __repr__(self) -> str:
        return (
            f"<TransitionCounts order {self.order}: {self.n_states} states, "
            f"{len(self.weight)} transitions, {self.total_conversions:g} conversions>"
        )


def _effects(items: tuple[str, ...], p: float, without: _F64) -> dict[str, float]:
    """Removal effects ``1 - P_without_i / P`` per item (0 when nothing converts)."""
    # RE >= 0 exactly; clip only rounding noise below 0
    return {
        name: max(0.0, 1.0 - p_i / p) if p > 0 else 0.0
        for name, p_i in zip(items, without.tolist(), strict=True)
    }


@attrs.frozen(eq=False, repr=False)
class FittedMarkov:
    """A solved Markov model: transition probabilities, removal effects and credits.

    >>> from touchpath.attribution import PathCounts
    >>> fit = Markov().fit(PathCounts.from_rows([(["a", "b"], 1, 1, 0), (["b"], 1, 0, 0)]))
    >>> fit.conversion_probability
    0.6666666666666666
    >>> {k: round(v, 12) for k, v in fit.removal_effects.items()}
    {'a': 0.666666666667, 'b': 1.0}
    """

    model: Markov
    """The configuration that was fitted."""
    counts: TransitionCounts
    """The counts it was solved from."""
    conversion_probability: float
    """P(conversion) from the start node."""
    removal_effects: dict[str, float]
    """``1 - P(conversion without the item) / P(conversion)`` per item."""
    value_removal_effects: dict[str, float] | None = None
    """With :attr:`MarkovValue.LAST_STATE`: ``1 - E(value without the item) / E(value)``
    per item, each conversion worth the mean value of the conversions that end in its last
    state; None with the default :attr:`MarkovValue.REMOVAL_SHARE`."""

    @classmethod
    def solve(cls, model: Markov, counts: TransitionCounts) -> FittedMarkov:
        """Solve the absorbing chain of some counts (numpy; memory linear in the transitions).

        Small chains use one dense inverse; larger ones an iterative solve on
        the observed transitions, converged to 1e-13 (see ``_chain``).
        """
        p, without = solve_chain(counts)
        effects = _effects(counts.items, p, without)
        if model.value is not MarkovValue.LAST_STATE:
            return cls(model, counts, p, effects)
        if counts.conversion_values is None:
            raise ConfigError(
                "Markov(value='last_state') needs the value of the conversions ending in each "
                "state; these transition counts were built without it"
            )
        # a conversion from state k is worth the mean value of the conversions ending in k
        ends = counts.conversions
        mean = np.where(ends > 0, counts.conversion_values / np.where(ends > 0, ends, 1.0), 0.0)
        value, value_without = solve_chain(counts, reward=mean)
        return cls(model, counts, p, effects, _effects(counts.items, value, value_without))

    @property
    def items(self) -> tuple[str, ...]:
        """Item names."""
        return self.counts.items

    def credit_arrays(self) -> tuple[_F64, _F64]:
        """Conversions and value per item (in :attr:`items` order).

        Conversions follow the removal effects; value follows them too
        (:attr:`MarkovValue.REMOVAL_SHARE`) or the value removal effects
        (:attr:`MarkovValue.LAST_STATE`).
        """

        def shares(effects: dict[str, float]) -> _F64:
            re = np.array([effects[x] for x in self.items], dtype=np.float64)
            total = re.sum()
            out: _F64 = re / total if total > 0 else np.zeros_like(re)
            return out

        share = shares(self.removal_effects)
        value_share = (
            share if self.value_removal_effects is None else shares(self.value_removal_effects)
        )
        return share * float(self.counts.conversions.sum()), value_share * self.counts.value

    def result(self) -> AttributionResult:
        """The credits as an :class:`AttributionResult` (no ``explain``: no journeys).

        >>> from touchpath.attribution import PathCounts
        >>> Markov().fit(PathCounts.from_rows([(["a"], 2, 2, 8.0)])).result().credits()
        {'a': 2.0}
        """
        conversions, values = self.credit_arrays()
        c = self.counts
        return AttributionResult(
            model=repr(self.model),
            level=c.level,
            items=c.items,
            conversions=conversions,
            values=values,
            total_conversions=c.total_conversions,
            total_value=c.value + c.unattributed_value,
            unattributed=c.unattributed,
            unattributed_value=c.unattributed_value,
            fitted=self,
        )

    @property
    def state_names(self) -> tuple[str | tuple[str | None, ...], ...]:
        """Node names in :meth:`transition_matrix` order: start, states, conversion, null.

        A state is its item's name for order 1, a tuple of names otherwise.
        """
        states: list[str | tuple[str | None, ...]] = [
            s[0] if self.counts.order == 1 and s[0] is not None else s for s in self.counts.states
        ]
        return (START, *states, CONVERSION, NULL)

    def transition_matrix(self) -> _F64:
        """Row-stochastic matrix over :attr:`state_names` (absorbing rows are self-loops).

        >>> from touchpath.attribution import PathCounts
        >>> fit = Markov().fit(PathCounts.from_rows([(["a"], 1, 3, 0)]))
        >>> fit.state_names
        ('(start)', 'a', '(conversion)', '(null)')
        >>> fit.transition_matrix()[1].tolist()
        [0.0, 0.0, 0.25, 0.75]
        """
        q, r, s = _matrices(self.counts)
        n_s = self.counts.n_states
        m = np.zeros((n_s + 3, n_s + 3), dtype=np.float64)
        m[0, 1 : n_s + 1] = s
        m[1 : n_s + 1, 1 : n_s + 1] = q
        m[1 : n_s + 1, n_s + 1] = r
        m[1 : n_s + 1, n_s + 2] = 1.0 - q.sum(axis=1) - r
        m[n_s + 1, n_s + 1] = 1.0
        m[n_s + 2, n_s + 2] = 1.0
        if n_s == 0:
            m[0, n_s + 2] = 1.0
        return m

    def to_networkx(self) -> nx.DiGraph[Any]:
        """The chain as a ``networkx.DiGraph`` with ``probability`` on each edge (a copy).

        >>> from touchpath.attribution import PathCounts
        >>> g = Markov().fit(PathCounts.from_rows([(["a"], 1, 1, 0)])).to_networkx()
        >>> g.edges["a", "(conversion)"]["probability"]
        0.5
        """
        import networkx as nx

        m = self.transition_matrix()
        names = self.state_names
        g: nx.DiGraph[Any] = nx.DiGraph()
        g.add_nodes_from(names)
        src, dst = np.nonzero(m)
        for a, b in zip(src.tolist(), dst.tolist(), strict=True):
            if a != b or a < len(names) - 2:
                g.add_edge(names[a], names[b], probability=float(m[a, b]))
        return g

    def __repr__(self) -> str:
        return (
            f"<FittedMarkov order {self.counts.order}: {self.counts.n_states} states, "
            f"P(conversion)={self.conversion_probability:.4g}>"
        )


def _matrices(counts: TransitionCounts) -> tuple[_F64, _F64, _F64]:
    """Transient matrix Q, conversion vector r and start distribution s."""
    n_s = counts.n_states
    out = wsum(counts.source, counts.weight, n_s)
    row = out + counts.conversions + counts.nulls
    safe = np.where(row > 0, row, 1.0)
    q = np.zeros((n_s, n_s), dtype=np.float64)
    q[counts.source, counts.target] = counts.weight / safe[counts.source]
    r = counts.conversions / safe
    start_total = counts.start.sum()
    s = counts.start / start_total if start_total > 0 else np.zeros(n_s)
    return q, r, s


class MarkovValue(enum.StrEnum):
    """How :class:`Markov` credits conversion value.

    >>> MarkovValue("last_state") is MarkovValue.LAST_STATE
    True
    """

    REMOVAL_SHARE = "removal_share"
    """The default: the total value split by the same removal-effect shares as the
    conversions (``RE_i / sum_j RE_j``)."""
    LAST_STATE = "last_state"
    """ChannelAttribution's convention: each conversion is worth the mean value of the
    conversions that end in the same last state, and value is split by the *value* removal
    effects ``1 - E(value without i) / E(value)`` of that chain, solved exactly."""


def _markov_value(value: object) -> MarkovValue:
    try:
        if isinstance(value, str):
            return MarkovValue(value)
    except ValueError:
        pass
    raise ConfigError(f"'value' must be one of {[v.value for v in MarkovValue]}; got {value!r}")


@attrs.frozen(repr=False)
class Markov:
    """Markov-chain removal-effect attribution, solved exactly.

    See the module documentation for the formula. ``order`` is the number
    of consecutive items per state. For ``order=1`` repeated consecutive
    touches (self-loops) do not change the result: the probability of being
    absorbed in conversion is the same with or without them, so
    ``collapse="none"`` and ``"consecutive"`` agree; for higher orders they
    differ (``(a, a)`` is a state of its own).

    >>> from touchpath.attribution import PathCounts, attribute
    >>> pc = PathCounts.from_rows([(["a", "b"], 1, 1, 10.0), (["b"], 1, 0, 5.0)])
    >>> {k: round(v, 6) for k, v in attribute(pc, Markov()).credits().items()}
    {'a': 0.8, 'b': 1.2}
    >>> Markov(value="last_state")
    Markov(order=1, value='last_state')
    """

    order: int = attrs.field(default=1, converter=_order)
    """Items per state (1: a state is one channel)."""
    value: MarkovValue = attrs.field(default=MarkovValue.REMOVAL_SHARE, converter=_markov_value)
    """How value is credited (see :class:`MarkovValue`); conversions are credited the same
    way either way."""

    per_path: ClassVar[bool] = False
    counts_type: ClassVar[type[TransitionCounts]] = TransitionCounts
    """What :meth:`counts` returns (see :class:`touchpath.typing.CountingModel`)."""

    def __repr__(self) -> str:
        value = "" if self.value is MarkovValue.REMOVAL_SHARE else f", value={self.value.value!r}"
        return f"Markov(order={self.order}{value})"

    @staticmethod
    def select_order(
        data: EventLog | PathCounts | ConversionPaths, *, max_order: int = 4, **options: Any
    ) -> OrderSelection:
        """Fit orders 1 .. ``max_order`` and choose one: an :class:`OrderSelection`.

        See :func:`touchpath.attribution.select_order` (the same function).

        >>> from touchpath.attribution import PathCounts
        >>> Markov.select_order(PathCounts.from_rows([(["a"], 1, 1, 0)]), max_order=2).order
        1
        """
        from ._order_selection import select_order

        return select_order(data, max_order=max_order, **options)

    @renamed(by="level")
    def counts(
        self,
        data: EventLog | PathCounts | ConversionPaths,
        *,
        level: ByLike | None = None,
        collapse: CollapseLike | None = None,
        lookback: DurationLike | None = None,
    ) -> TransitionCounts:
        """The :class:`TransitionCounts` of some data at this model's order."""
        paths = as_paths(data, level=level, collapse=collapse, lookback=lookback)
        return TransitionCounts.from_paths(paths, order=self.order)

    @renamed(by="level")
    def fit(
        self,
        data: EventLog | PathCounts | ConversionPaths | TransitionCounts,
        *,
        level: ByLike | None = None,
        collapse: CollapseLike | None = None,
        lookback: DurationLike | None = None,
    ) -> FittedMarkov:
        """Count and solve: the fitted chain with its transition matrix and removal effects."""
        if isinstance(data, TransitionCounts):
            if data.order != self.order:
                raise ConfigError(
                    f"these transition counts are of order {data.order}; the model has "
                    f"order {self.order}"
                )
            counts = data
        else:
            counts = self.counts(data, level=level, collapse=collapse, lookback=lookback)
        return FittedMarkov.solve(self, counts)

    def attribute_counts(self, counts: TransitionCounts) -> AttributionResult:
        """Credits from transition counts alone (the counts' order must be the model's).

        >>> from touchpath.attribution import PathCounts
        >>> c = Markov().counts(PathCounts.from_rows([(["a", "b"], 2, 0, 4.0)]))
        >>> Markov().attribute_counts(c).credits()
        {'a': 1.0, 'b': 1.0}
        """
        return self.fit(counts).result()

    def credit(self, paths: ConversionPaths) -> Credit:
        """Credits per item from the solved chain.

        To explain one journey, its conversion is split among its distinct
        items in proportion to their removal effects, then equally among the
        touches of each item (see :class:`Credit`).
        """
        fitted = self.fit(paths)
        conversions, values = fitted.credit_arrays()
        index = item_index(fitted.items, paths.items)
        effects = [fitted.removal_effects[x] for x in fitted.items]
        full_c, full_v, re = scatter(index, len(paths.items), conversions, values, effects)
        return Credit(conversions=full_c, values=full_v, weights=re, fitted=fitted)

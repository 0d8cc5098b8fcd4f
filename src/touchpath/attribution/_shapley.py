"""Shapley-value attribution, exact, computed over coalition counts.

A *coalition* is the set of distinct items (channels) of a path, kept as a
bitmask; the data reduce to a table ``w(T)`` per observed coalition T. The
game is

    v(S) = sum over coalitions T that are subsets of S of w(T)

with ``w(T)`` the conversions of the paths whose item set is exactly T
(:attr:`ShapleyGame.CONVERSIONS`: ``v(S)`` is the conversions of the paths
that use only items of S) or their conversion rate
(:attr:`ShapleyGame.CONVERSION_RATE`, conversions / (conversions +
non-conversions), the variant of Zhao et al., 2018).

**Exact solution.** ``w`` is the Harsanyi dividend (Möbius transform) of
``v``: each term is ``w(T)`` times the unanimity game of T, whose Shapley
value is ``1/|T|`` for each member of T and 0 otherwise. Shapley values are
linear in the game, so

    phi_i = sum over coalitions T containing i of w(T) / |T|

exactly, in time linear in the number of *observed* coalitions: there is
no 2^n enumeration and hence no limit on the number of channels beyond the
63 that fit in a bitmask.

**Never negative.** Every ``w(T) >= 0``, so v is monotone (adding items to
S only adds terms) and every marginal contribution ``v(S + i) - v(S)`` is
``>= 0``; the Shapley value, an average of marginal contributions, is
``>= 0``. (The popular game "conversion rate of exactly the coalition S" is
not monotone and can give negative credit; it is not offered.)

Credits: for ``CONVERSIONS`` the Shapley values of the conversions game and
of the value game (``w(T)`` = value) are the credits themselves
(efficiency: they sum to ``v(N)``, all attributed conversions and value).
This game's credit equals :class:`Linear` with ``per="channel"``: each
path's conversion is split equally among its distinct items. For
``CONVERSION_RATE`` the Shapley values ``phi`` of the rate game weigh the
split instead: each coalition's conversions (and value) go to its members in
proportion to their ``phi``, so credit follows volume (1,000 conversions on
``a`` alone and 1 on ``b`` alone credit 1,000 and 1, whatever the rates) and
the rate game decides only how shared paths are split.
"""

from __future__ import annotations

import enum
from typing import ClassVar, Final

import attrs
import numpy as np
import numpy.typing as npt

from .._log import EventLog
from .._paths import (
    ByLike,
    ConversionPaths,
    PathCounts,
    check_value_total,
    dense_unique,
    wsum,
)
from .._schema import Field
from .._time import DurationLike
from ..exceptions import ConfigError
from ._attribute import CollapseLike, as_paths
from ._result import AttributionResult, Credit

__all__ = ["CoalitionCounts", "Shapley", "ShapleyGame"]

_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]

MAX_ITEMS: Final = 63
"""Most items a coalition bitmask holds."""


class ShapleyGame(enum.StrEnum):
    """The worth ``w(T)`` of a coalition T (the set of distinct items of a path).

    >>> ShapleyGame("conversion_rate") is ShapleyGame.CONVERSION_RATE
    True
    """

    CONVERSIONS = "conversions"
    """Conversions of the paths whose item set is T."""
    CONVERSION_RATE = "conversion_rate"
    """Conversion rate of the paths whose item set is T (Zhao et al., 2018); its Shapley
    values split each coalition's conversions among the coalition's members."""


def _game(value: object) -> ShapleyGame:
    try:
        if isinstance(value, str):
            return ShapleyGame(value)
    except ValueError:
        pass
    raise ConfigError(f"'game' must be one of {[g.value for g in ShapleyGame]}; got {value!r}")


def path_masks(paths: ConversionPaths) -> _I64:
    """The coalition bitmask of each path (bit i: item i occurs); 0 for empty paths.

    >>> from touchpath.attribution import PathCounts
    >>> pc = PathCounts.from_rows([(["b", "a", "b"], 1, 0, 0), ([], 1, 0, 0)])
    >>> path_masks(pc.to_paths()).tolist()
    [0, 3]
    """
    if len(paths.items) > MAX_ITEMS:
        raise ConfigError(
            f"Shapley attribution handles at most {MAX_ITEMS} distinct items; got "
            f"{len(paths.items)} (credit a coarser attribute, e.g. by='channel')"
        )
    masks = np.zeros(paths.n_paths, dtype=np.int64)
    nonempty = paths.lengths > 0
    if paths.n_touches:
        bits = np.left_shift(np.int64(1), paths.codes.astype(np.int64))
        masks[nonempty] = np.bitwise_or.reduceat(bits, paths.offsets[:-1][nonempty])
    return masks


@attrs.frozen(eq=False, repr=False)
class CoalitionCounts:
    """Conversions, non-conversions and value per observed coalition: mergeable with ``+``.

    Coalition 0 (paths without touches) holds the unattributed conversions.

    >>> from touchpath.attribution import PathCounts
    >>> c = CoalitionCounts.from_paths(
    ...     PathCounts.from_rows([(["a", "b"], 1, 2, 10.0), (["b", "a"], 1, 0, 5.0)]).to_paths())
    >>> c.coalitions(), c.conversions.tolist(), c.values.tolist()
    ([('a', 'b')], [2.0], [15.0])
    >>> (c + CoalitionCounts.empty()).equals(c)
    True
    """

    items: tuple[str, ...]
    """Item names; bit i of a mask is ``items[i]``."""
    masks: _I64
    """Observed coalitions as bitmasks, sorted."""
    conversions: _F64
    """Conversions per coalition."""
    non_conversions: _F64
    """Non-conversions per coalition."""
    values: _F64
    """Value per coalition."""
    by: Field | None = None
    """What the items are."""

    @classmethod
    def empty(cls, by: Field | None = None) -> CoalitionCounts:
        """The zero of ``+``."""
        z = np.zeros(0, np.float64)
        return cls((), np.zeros(0, np.int64), z, z, z, by)

    @classmethod
    def from_paths(cls, paths: ConversionPaths) -> CoalitionCounts:
        """Count the coalitions of :class:`ConversionPaths` (one vectorised pass)."""
        check_value_total(paths.values)
        used = np.zeros(len(paths.items), dtype=np.bool_)
        used[paths.codes] = True
        if not used.all():
            remap = (np.cumsum(used) - 1).astype(np.int32)
            paths = attrs.evolve(
                paths,
                items=tuple(x for x, u in zip(paths.items, used.tolist(), strict=True) if u),
                codes=remap[paths.codes],
            )
        masks = path_masks(paths)
        uniq, inv = dense_unique(masks, 1 << len(paths.items))
        k = len(uniq)
        return cls(
            items=paths.items,
            masks=uniq.astype(np.int64),
            conversions=wsum(inv, paths.conversions, k),
            non_conversions=wsum(inv, paths.non_conversions, k),
            values=wsum(inv, paths.values, k),
            by=paths.by,
        )

    @classmethod
    def from_log(
        cls,
        log: EventLog,
        *,
        by: ByLike = Field.CHANNEL,
        collapse: CollapseLike = "none",
        lookback: DurationLike | None = None,
    ) -> CoalitionCounts:
        """Count the coalitions of a log's conversion paths.

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([
        ...     {"journey_id": "a", "timestamp": 0, "channel": "ads", "converted": True}])
        >>> CoalitionCounts.from_log(log).coalitions()
        [('ads',)]
        """
        return cls.from_paths(as_paths(log, by=by, collapse=collapse, lookback=lookback))

    def coalitions(self) -> list[tuple[str, ...]]:
        """Each coalition as a tuple of item names (``()`` for paths without touches)."""
        return [
            tuple(x for i, x in enumerate(self.items) if m >> i & 1) for m in self.masks.tolist()
        ]

    @classmethod
    def zero(cls, by: Field | None = None) -> CoalitionCounts:
        """The zero of ``+``: the same as :meth:`empty`, named like the other aggregates.

        >>> CoalitionCounts.zero().equals(CoalitionCounts.empty())
        True
        """
        return cls.empty(by)

    def __radd__(self, other: object) -> CoalitionCounts:
        """``0 + counts`` is ``counts``, so ``sum(parts)`` works."""
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __add__(self, other: CoalitionCounts) -> CoalitionCounts:
        if not isinstance(other, CoalitionCounts):
            return NotImplemented
        if self.by is not None and other.by is not None and self.by != other.by:
            raise ConfigError(
                f"cannot add coalition counts of {self.by.value}s and {other.by.value}s"
            )
        items = tuple(sorted(set(self.items) | set(other.items)))
        if len(items) > MAX_ITEMS:
            raise ConfigError(f"at most {MAX_ITEMS} items fit a coalition; got {len(items)}")
        position = {x: i for i, x in enumerate(items)}
        remapped = []
        for t in (self, other):
            new = np.zeros(len(t.masks), dtype=np.int64)
            for i, x in enumerate(t.items):
                new |= ((t.masks >> i) & 1) << position[x]
            remapped.append(new)
        uniq, inverse = np.unique(np.concatenate(remapped), return_inverse=True)
        inv = inverse.reshape(-1)
        k = len(uniq)

        def total(name: str) -> _F64:
            both = np.concatenate([getattr(self, name), getattr(other, name)])
            return wsum(inv, both, k)

        return CoalitionCounts(
            items=items,
            masks=uniq.astype(np.int64),
            conversions=total("conversions"),
            non_conversions=total("non_conversions"),
            values=total("values"),
            by=self.by if self.by is not None else other.by,
        )

    def equals(self, other: object) -> bool:
        """Same coalitions and counts (exactly)."""
        if not isinstance(other, CoalitionCounts):
            return False
        return self.items == other.items and all(
            np.array_equal(getattr(self, a), getattr(other, a))
            for a in ("masks", "conversions", "non_conversions", "values")
        )

    def __repr__(self) -> str:
        return (
            f"<CoalitionCounts: {len(self.masks)} coalitions of {len(self.items)} items, "
            f"{float(self.conversions.sum()):g} conversions>"
        )


def harsanyi_shapley(masks: _I64, worth: _F64, n_items: int) -> _F64:
    """Shapley values of ``v(S) = sum of worth[T] for masks T within S``: sum of w(T)/|T|.

    >>> harsanyi_shapley(np.array([0b01, 0b11]), np.array([2.0, 1.0]), 2).tolist()
    [2.5, 0.5]
    """
    bits = [(masks >> i) & 1 for i in range(n_items)]
    size = np.sum(bits, axis=0) if bits else np.zeros(len(masks), np.int64)
    per_member = np.where(size > 0, worth / np.maximum(size, 1), 0.0)
    return np.array([float(per_member[b == 1].sum()) for b in bits], dtype=np.float64)


@attrs.frozen
class Shapley:
    """Exact Shapley-value attribution over coalition counts; credit is never negative.

    See the module documentation for the game, the exact formula and the
    proof of non-negativity.

    >>> from touchpath.attribution import PathCounts, attribute
    >>> pc = PathCounts.from_rows([(["a"], 2, 2, 0), (["a", "b"], 1, 0, 0)])
    >>> attribute(pc, Shapley()).credits()
    {'a': 2.5, 'b': 0.5}
    >>> rate = attribute(pc, Shapley(game="conversion_rate")).credits()
    >>> {k: round(v, 4) for k, v in rate.items()}
    {'a': 2.6667, 'b': 0.3333}
    """

    game: ShapleyGame = attrs.field(
        default=ShapleyGame.CONVERSIONS, converter=_game, repr=lambda g: repr(g.value)
    )
    """What a coalition is worth (see :class:`ShapleyGame`)."""

    per_path: ClassVar[bool] = False

    def counts(
        self,
        data: EventLog | PathCounts | ConversionPaths,
        *,
        by: ByLike | None = None,
        collapse: CollapseLike | None = None,
        lookback: DurationLike | None = None,
    ) -> CoalitionCounts:
        """The :class:`CoalitionCounts` of some data."""
        return CoalitionCounts.from_paths(
            as_paths(data, by=by, collapse=collapse, lookback=lookback)
        )

    def solve(self, counts: CoalitionCounts) -> tuple[_F64, _F64, _F64]:
        """Shapley values, conversions and value credited per item (in ``counts.items`` order)."""
        n = len(counts.items)
        attributed = counts.masks != 0
        masks = counts.masks[attributed]
        conv = counts.conversions[attributed]
        vals = counts.values[attributed]
        if self.game is ShapleyGame.CONVERSIONS:
            phi = harsanyi_shapley(masks, conv, n)
            return phi, phi, harsanyi_shapley(masks, vals, n)
        seen = conv + counts.non_conversions[attributed]
        rate = np.where(seen > 0, conv / np.where(seen > 0, seen, 1.0), 0.0)
        phi = harsanyi_shapley(masks, rate, n)
        # volume-weighted: each coalition's conversions (and value) are split among its
        # members in proportion to their Shapley values of the rate game
        bits = ((masks[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(np.float64)
        weight = bits * phi
        total = weight.sum(axis=1)
        equal = bits / np.maximum(bits.sum(axis=1), 1.0)[:, None]
        share = np.where(
            (total > 0)[:, None], weight / np.where(total > 0, total, 1.0)[:, None], equal
        )
        return phi, share.T @ conv, share.T @ vals

    def attribute_counts(self, counts: CoalitionCounts) -> AttributionResult:
        """Credits from coalition counts alone (no ``explain``: no journeys).

        >>> from touchpath.attribution import PathCounts
        >>> c = Shapley().counts(PathCounts.from_rows([(["a", "b"], 2, 0, 4.0)]))
        >>> Shapley().attribute_counts(c).credits(value=True)
        {'a': 2.0, 'b': 2.0}
        """
        _, conversions, values = self.solve(counts)
        empty = counts.masks == 0
        return AttributionResult(
            model=repr(self),
            by=counts.by,
            items=counts.items,
            conversions=conversions,
            values=values,
            total_conversions=float(counts.conversions.sum()),
            total_value=float(counts.values.sum()),
            unattributed=float(counts.conversions[empty].sum()),
            unattributed_value=float(counts.values[empty].sum()),
        )

    def credit(self, paths: ConversionPaths) -> Credit:
        """Credits per item; a journey is explained by splitting it among its distinct items.

        For ``CONVERSIONS`` the split is equal (the exact per-path
        decomposition of the game); for ``CONVERSION_RATE`` it follows the
        items' Shapley values. Either way a item's touches share its part
        equally.
        """
        counts = self.counts(paths)
        phi, conversions, values = self.solve(counts)
        position = {x: i for i, x in enumerate(paths.items)}
        index = np.array([position[x] for x in counts.items], dtype=np.int64)
        full = [np.zeros(len(paths.items)) for _ in range(3)]
        for arr, part in zip(full, (phi, conversions, values), strict=True):
            arr[index] = part
        weights = None if self.game is ShapleyGame.CONVERSIONS else full[0]
        return Credit(conversions=full[1], values=full[2], weights=weights)

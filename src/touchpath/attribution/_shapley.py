"""Shapley-value attribution, exact, computed over coalition counts.

A *coalition* is the set of distinct items (channels) of a path, kept as
its sorted item codes (compressed rows, like paths); the data reduce to a
table ``w(T)`` per observed coalition T. The game is

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

exactly, in time linear in the total size of the *observed* coalitions:
there is no 2^n enumeration and no limit on the number of channels.

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
import itertools
from typing import ClassVar, Final

import attrs
import numpy as np
import numpy.typing as npt

from .._codes import concat_offsets, merge_dictionaries
from .._deprecation import renamed, renamed_fields, warn_renamed
from .._enums import to_enum
from .._log import EventLog
from .._paths import (
    ByLike,
    ConversionPaths,
    PathCounts,
    _group_paths,
    _lexicographic_order,
    _take_paths,
    check_value_total,
    item_index,
    scatter,
    wsum,
)
from .._schema import Field
from .._time import DurationLike
from ..exceptions import ConfigError
from ._attribute import CollapseLike, as_paths
from ._result import AttributionResult, Credit

__all__ = ["CoalitionCounts", "Shapley", "ShapleyGame"]

_I32 = npt.NDArray[np.int32]
_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]

MAX_ITEMS: Final = 63
"""Most items a coalition bitmask (:func:`path_masks`, :attr:`CoalitionCounts.masks`) holds."""


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
    return to_enum(ShapleyGame, "game", value)


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
            f"{len(paths.items)} (credit a coarser attribute, e.g. level='channel')"
        )
    masks = np.zeros(paths.n_paths, dtype=np.int64)
    nonempty = paths.lengths > 0
    if paths.n_touches:
        bits = np.left_shift(np.int64(1), paths.codes.astype(np.int64))
        masks[nonempty] = np.bitwise_or.reduceat(bits, paths.offsets[:-1][nonempty])
    return masks


def _sets(offsets: _I64, codes: _I32) -> tuple[_I64, _I32]:
    """Each row's distinct codes, ascending (compressed rows)."""
    n_rows = len(offsets) - 1
    row = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(offsets))
    order = np.lexsort((codes, row))
    row, sorted_codes = row[order], codes[order]
    keep = np.ones(len(row), dtype=np.bool_)
    keep[1:] = (row[1:] != row[:-1]) | (sorted_codes[1:] != sorted_codes[:-1])
    new_offsets = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row[keep], minlength=n_rows), out=new_offsets[1:])
    return new_offsets, sorted_codes[keep].astype(np.int32)


def _coalition_order(offsets: _I64, members: _I32) -> _I64:
    """Order of distinct coalitions as their bitmasks would sort (highest member first)."""
    n = len(offsets) - 1
    row = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
    flipped = members[np.lexsort((-members.astype(np.int64), row))]
    return _lexicographic_order(offsets, flipped)


@renamed_fields(by="level")
@attrs.frozen(eq=False, repr=False)
class CoalitionCounts:
    """Conversions, non-conversions and value per observed coalition: mergeable with ``+``.

    Coalition ``k`` is the item codes ``members[offsets[k]:offsets[k+1]]``
    (ascending); rows are ordered as the coalitions' bitmasks would sort.
    The empty coalition (paths without touches) holds the unattributed
    conversions. There is no limit on the number of items.

    >>> from touchpath.attribution import PathCounts
    >>> c = CoalitionCounts.from_paths(
    ...     PathCounts.from_rows([(["a", "b"], 1, 2, 10.0), (["b", "a"], 1, 0, 5.0)]).to_paths())
    >>> c.coalitions(), c.conversions.tolist(), c.values.tolist()
    ([('a', 'b')], [2.0], [15.0])
    >>> (c + CoalitionCounts.zero()).equals(c)
    True
    """

    items: tuple[str, ...]
    """Item names; codes in :attr:`members` index this."""
    offsets: _I64
    """Start of each coalition's members, plus the total."""
    members: _I32
    """Each coalition's item codes, ascending."""
    conversions: _F64
    """Conversions per coalition."""
    non_conversions: _F64
    """Non-conversions per coalition."""
    values: _F64
    """Value per coalition."""
    level: Field | None = None
    """What the items are."""

    @property
    def by(self) -> Field | None:
        """Deprecated name of :attr:`level`."""
        warn_renamed("CoalitionCounts.by", "CoalitionCounts.level")
        return self.level

    @classmethod
    @renamed(by="level")
    def zero(cls, level: Field | None = None) -> CoalitionCounts:
        """The zero of ``+``: no coalitions.

        >>> len(CoalitionCounts.zero().coalitions())
        0
        """
        z = np.zeros(0, np.float64)
        return cls((), np.zeros(1, np.int64), np.zeros(0, np.int32), z, z, z, level)

    @classmethod
    def _grouped(
        cls,
        items: tuple[str, ...],
        offsets: _I64,
        codes: _I32,
        sums: tuple[_F64, _F64, _F64],
        level: Field | None,
    ) -> CoalitionCounts:
        set_offsets, set_codes = _sets(offsets, codes)
        group, first = _group_paths(set_offsets, set_codes)
        new_offsets, new_members = _take_paths(set_offsets, set_codes, first)
        order = _coalition_order(new_offsets, new_members)
        rank = np.empty(len(first), dtype=np.int64)
        rank[order] = np.arange(len(first), dtype=np.int64)
        new_offsets, new_members = _take_paths(new_offsets, new_members, order)
        g, k = rank[group], len(first)
        conv, null, vals = (wsum(g, x, k) for x in sums)
        members = new_members.astype(np.int32, copy=False)
        return cls(items, new_offsets, members, conv, null, vals, level=level)

    @classmethod
    def from_paths(cls, paths: ConversionPaths) -> CoalitionCounts:
        """Count the coalitions of :class:`ConversionPaths` (vectorised, any number of items)."""
        check_value_total(paths.values)
        used = np.zeros(len(paths.items), dtype=np.bool_)
        used[paths.codes] = True
        items = tuple(x for x, u in zip(paths.items, used.tolist(), strict=True) if u)
        remap = (np.cumsum(used) - 1).astype(np.int32)
        return cls._grouped(
            items,
            paths.offsets,
            remap[paths.codes],
            (paths.conversions, paths.non_conversions, paths.values),
            paths.level,
        )

    @property
    def sizes(self) -> _I64:
        """Number of items of each coalition."""
        return np.diff(self.offsets)

    @property
    def masks(self) -> _I64:
        """The coalitions as bitmasks (bit i: ``items[i]``); at most 63 items.

        >>> from touchpath.attribution import PathCounts
        >>> Shapley().counts(PathCounts.from_rows([(["b", "a"], 1, 0, 0)])).masks.tolist()
        [3]
        """
        if len(self.items) > MAX_ITEMS:
            raise ConfigError(
                f"at most {MAX_ITEMS} items fit a coalition bitmask; got {len(self.items)} "
                f"(read offsets and members instead)"
            )
        # exact integer sums (a float bincount loses bits past 2**53); members are distinct,
        # so a row's sum is its OR, and wrapping cumulative sums difference exactly
        bits = np.left_shift(np.uint64(1), self.members.astype(np.uint64))
        csum = np.zeros(len(bits) + 1, dtype=np.uint64)
        np.cumsum(bits, dtype=np.uint64, out=csum[1:])
        return (csum[self.offsets[1:]] - csum[self.offsets[:-1]]).astype(np.int64)

    @classmethod
    @renamed(by="level")
    def from_log(
        cls,
        log: EventLog,
        *,
        level: ByLike = Field.CHANNEL,
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
        return cls.from_paths(as_paths(log, level=level, collapse=collapse, lookback=lookback))

    def coalitions(self) -> list[tuple[str, ...]]:
        """Each coalition as a tuple of item names (``()`` for paths without touches)."""
        names = [self.items[c] for c in self.members.tolist()]
        bounds = self.offsets.tolist()
        return [tuple(names[a:b]) for a, b in itertools.pairwise(bounds)]

    @classmethod
    @renamed(by="level")
    def empty(cls, level: Field | None = None) -> CoalitionCounts:
        """Deprecated: use :meth:`zero`, the name every mergeable aggregate uses."""
        warn_renamed("CoalitionCounts.empty()", "CoalitionCounts.zero()")
        return cls.zero(level)

    def __radd__(self, other: object) -> CoalitionCounts:
        """``0 + counts`` is ``counts``, so ``sum(parts)`` works."""
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __add__(self, other: CoalitionCounts) -> CoalitionCounts:
        if not isinstance(other, CoalitionCounts):
            return NotImplemented
        if self.level is not None and other.level is not None and self.level != other.level:
            raise ConfigError(
                f"cannot add coalition counts of {self.level.value}s and {other.level.value}s"
            )
        items, members = merge_dictionaries(
            [(self.items, self.members), (other.items, other.members)]
        )
        return CoalitionCounts._grouped(
            items,
            concat_offsets(self.offsets, other.offsets),
            members,
            (
                np.concatenate([self.conversions, other.conversions]),
                np.concatenate([self.non_conversions, other.non_conversions]),
                np.concatenate([self.values, other.values]),
            ),
            self.level if self.level is not None else other.level,
        )

    def equals(self, other: object) -> bool:
        """Same coalitions and counts (exactly)."""
        if not isinstance(other, CoalitionCounts):
            return False
        return self.items == other.items and all(
            np.array_equal(getattr(self, a), getattr(other, a))
            for a in ("offsets", "members", "conversions", "non_conversions", "values")
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


def coalition_shapley(offsets: _I64, members: _I32, worth: _F64, n_items: int) -> _F64:
    """:func:`harsanyi_shapley` over coalitions in compressed rows: linear in their sizes.

    >>> coalition_shapley(np.array([0, 1, 3]), np.array([0, 0, 1], np.int32),
    ...                   np.array([2.0, 1.0]), 2).tolist()
    [2.5, 0.5]
    """
    sizes = np.diff(offsets)
    per_member = np.where(sizes > 0, worth / np.maximum(sizes, 1), 0.0)
    return wsum(members, np.repeat(per_member, sizes), n_items)


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
    counts_type: ClassVar[type[CoalitionCounts]] = CoalitionCounts
    """What :meth:`counts` returns (see :class:`touchpath.typing.CountingModel`)."""

    @renamed(by="level")
    def counts(
        self,
        data: EventLog | PathCounts | ConversionPaths,
        *,
        level: ByLike | None = None,
        collapse: CollapseLike | None = None,
        lookback: DurationLike | None = None,
    ) -> CoalitionCounts:
        """The :class:`CoalitionCounts` of some data."""
        return CoalitionCounts.from_paths(
            as_paths(data, level=level, collapse=collapse, lookback=lookback)
        )

    def solve(self, counts: CoalitionCounts) -> tuple[_F64, _F64, _F64]:
        """Shapley values, conversions and value credited per item (in ``counts.items`` order)."""
        n = len(counts.items)
        off, mem = counts.offsets, counts.members
        if self.game is ShapleyGame.CONVERSIONS:
            phi = coalition_shapley(off, mem, counts.conversions, n)
            return phi, phi, coalition_shapley(off, mem, counts.values, n)
        seen = counts.conversions + counts.non_conversions
        rate = np.where(seen > 0, counts.conversions / np.where(seen > 0, seen, 1.0), 0.0)
        phi = coalition_shapley(off, mem, rate, n)
        # volume-weighted: each coalition's conversions (and value) are split among its
        # members in proportion to their Shapley values of the rate game (equally when those
        # are all 0); empty coalitions have no members and stay unattributed
        sizes = counts.sizes
        row = np.repeat(np.arange(len(sizes)), sizes)
        weight = phi[mem]
        total = np.bincount(row, weights=weight, minlength=len(sizes))[row]
        share = np.where(
            total > 0, weight / np.where(total > 0, total, 1.0), 1.0 / np.maximum(sizes[row], 1)
        )
        conv_credit = np.bincount(mem, weights=share * counts.conversions[row], minlength=n)
        value_credit = np.bincount(mem, weights=share * counts.values[row], minlength=n)
        return phi, conv_credit.astype(np.float64), value_credit.astype(np.float64)

    def attribute_counts(self, counts: CoalitionCounts) -> AttributionResult:
        """Credits from coalition counts alone (no ``explain``: no journeys).

        >>> from touchpath.attribution import PathCounts
        >>> c = Shapley().counts(PathCounts.from_rows([(["a", "b"], 2, 0, 4.0)]))
        >>> Shapley().attribute_counts(c).credits(value=True)
        {'a': 2.0, 'b': 2.0}
        """
        _, conversions, values = self.solve(counts)
        empty = counts.sizes == 0
        return AttributionResult(
            model=repr(self),
            level=counts.level,
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
        index = item_index(counts.items, paths.items)
        full = scatter(index, len(paths.items), phi, conversions, values)
        weights = None if self.game is ShapleyGame.CONVERSIONS else full[0]
        return Credit(conversions=full[1], values=full[2], weights=weights)

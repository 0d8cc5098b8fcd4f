"""Ordered Shapley values (Zhao et al., 2018): credit per item *and* position, exact.

A path's *ordered coalition* is the sequence of its distinct items in the
order of their first touch (``(b, a, b, c)`` -> ``(b, a, c)``, see
:class:`~touchpath.attribution.First`). The players of the game are the
pairs (item, position): ``(b, a, c)`` is the coalition
``{(b, 1), (a, 2), (c, 3)}``. With ``w(T)`` the conversions (or the
conversion rate) of the paths whose ordered coalition is T, the game is

    v(S) = sum over observed ordered coalitions T within S of w(T)

and, ``w`` being its Harsanyi dividend, the Shapley value of the player
(i, k) is exactly

    phi_i^k = sum over T in which i is at position k of w(T) / |T|,

the "ordered Shapley value" of Zhao, Mahboobi and Bagheri (2018, section 4).
Every ``w(T) >= 0``, so every marginal contribution and every credit is
``>= 0``. Summing over positions gives each item's credit; for the
conversions game that sum is exactly the unordered
:class:`~touchpath.attribution.Shapley` credit (the ordered coalitions of a
set partition its paths), so the ordered game adds *where* an item earns its
credit without changing how much. For the conversion-rate game the rates of
each ordering are taken separately, so the totals may differ from the
unordered game's.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import attrs
import numpy as np
import numpy.typing as npt

from .._deprecation import renamed
from .._log import EventLog
from .._paths import ByLike, ConversionPaths, PathCounts, item_index, scatter, wsum
from .._schema import Field
from .._time import DurationLike
from ..exceptions import ConfigError
from ._attribute import CollapseLike, as_paths
from ._result import Credit
from ._shapley import ShapleyGame, _game
from ._transforms import First, first_touches

__all__ = ["OrderedShapley", "PositionCredits"]

_F64 = npt.NDArray[np.float64]


@attrs.frozen(eq=False, repr=False)
class PositionCredits:
    """Conversions and value credited per item and position (rows: items; columns: positions).

    Position 0 is the first distinct item of a path.

    >>> from touchpath.attribution import PathCounts
    >>> pc = PathCounts.from_rows([(["a", "b"], 2, 0, 10.0), (["b"], 1, 0, 4.0)])
    >>> fit = OrderedShapley().fit(pc)
    >>> fit.table()
    {'a': (1.0, 0.0), 'b': (1.0, 1.0)}
    >>> fit.table(value=True)
    {'a': (5.0, 0.0), 'b': (4.0, 5.0)}
    """

    items: tuple[str, ...]
    """Item names (sorted)."""
    conversions: _F64
    """``(n_items, n_positions)`` conversions credited to each item at each position."""
    values: _F64
    """``(n_items, n_positions)`` value credited to each item at each position."""
    phi: _F64
    """``(n_items, n_positions)`` ordered Shapley values of the game."""
    labels: tuple[str | None, ...] | None = None
    """Column names for ``position="stage"`` (stage names; None: touches without a stage)."""

    @property
    def n_positions(self) -> int:
        """Number of positions (the longest ordered coalition)."""
        return int(self.conversions.shape[1])

    def table(self, *, value: bool = False) -> dict[str, tuple[float, ...]]:
        """Credit per item, one entry per position: conversions, or value with ``value=True``."""
        arr = self.values if value else self.conversions
        return {x: tuple(row) for x, row in zip(self.items, arr.tolist(), strict=True)}

    def __repr__(self) -> str:
        return f"<PositionCredits: {len(self.items)} items x {self.n_positions} positions>"


@attrs.frozen
class OrderedShapley:
    """Exact ordered Shapley values: credit per item and position, never negative.

    See the module documentation for the game and the formula. The result's
    :attr:`~touchpath.attribution.AttributionResult.fitted` is the
    :class:`PositionCredits` table.

    >>> from touchpath.attribution import PathCounts, attribute
    >>> pc = PathCounts.from_rows([(["a", "b", "a"], 2, 2, 0), (["b", "a"], 2, 0, 0)])
    >>> r = attribute(pc, OrderedShapley())
    >>> r.credits(), r.fitted.table()
    ({'a': 2.0, 'b': 2.0}, {'a': (1.0, 1.0), 'b': (1.0, 1.0)})
    >>> attribute(pc, OrderedShapley(game="conversion_rate")).fitted.phi.tolist()
    [[0.25, 0.5], [0.5, 0.25]]

    With ``position="stage"`` a position is the stage of the item's first touch
    (needs a log): credit per channel and stage.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j", "timestamp": 0, "channel": "ads", "stage": "aware"},
    ...     {"journey_id": "j", "timestamp": 1, "channel": "seo", "stage": "buy",
    ...      "converted": True}])
    >>> fit = OrderedShapley(position="stage").fit(log)
    >>> fit.labels, fit.table()
    (('aware', 'buy'), {'ads': (0.5, 0.0), 'seo': (0.0, 0.5)})
    """

    game: ShapleyGame = attrs.field(
        default=ShapleyGame.CONVERSIONS, converter=_game, repr=lambda g: repr(g.value)
    )
    """What an ordered coalition is worth (see :class:`~touchpath.attribution.ShapleyGame`)."""
    position: Literal["rank", "stage"] = attrs.field(default="rank")
    """What a position is: the rank of the item's first touch, or that touch's stage."""

    per_path: ClassVar[bool] = False

    @position.validator
    def _check_position(self, attribute: attrs.Attribute[str], value: object) -> None:
        if value not in ("rank", "stage"):
            raise ConfigError(f"'position' must be 'rank' or 'stage'; got {value!r}")
        if value == "stage" and self.game is not ShapleyGame.CONVERSIONS:
            raise ConfigError(
                "position='stage' is offered for the conversions game only; got "
                f"game={self.game.value!r}"
            )

    @renamed(by="level")
    def counts(
        self,
        data: EventLog | PathCounts | ConversionPaths,
        *,
        level: ByLike | None = None,
        collapse: CollapseLike | None = None,
        lookback: DurationLike | None = None,
    ) -> PathCounts:
        """The ordered coalitions of some data with their counts: a mergeable table.

        >>> from touchpath.attribution import PathCounts
        >>> OrderedShapley().counts(PathCounts.from_rows([(["b", "a", "b"], 1, 0, 0)])).rows()
        [(('b', 'a'), 1.0, 0.0, 0.0)]
        """
        paths = as_paths(data, level=level, collapse=collapse, lookback=lookback)
        return PathCounts.from_paths(First().apply(paths))

    @renamed(by="level")
    def fit(
        self,
        data: EventLog | PathCounts | ConversionPaths,
        *,
        level: ByLike | None = None,
        collapse: CollapseLike | None = None,
        lookback: DurationLike | None = None,
    ) -> PositionCredits:
        """The credit per item and position (see :class:`PositionCredits`)."""
        if self.position == "stage":
            return self._fit_paths(
                as_paths(data, level=level, collapse=collapse, lookback=lookback)
            )
        return self.solve(self.counts(data, level=level, collapse=collapse, lookback=lookback))

    def solve(self, counts: PathCounts) -> PositionCredits:
        """Ordered Shapley values of the ordered coalitions of ``counts`` (one pass over them).

        Rows of ``counts`` must be ordered coalitions (as from :meth:`counts`).
        """
        coalitions = First().apply(counts.to_paths())
        n_items = len(coalitions.items)
        width = int(coalitions.lengths.max(initial=0))
        tp = coalitions.touch_path
        size = coalitions.lengths[tp].astype(np.float64)
        key = coalitions.codes.astype(np.int64) * width + coalitions.positions
        attributed = coalitions.lengths > 0
        conv = coalitions.conversions
        vals = coalitions.values

        def split(worth: _F64) -> _F64:
            cells = wsum(key, worth[tp] / size, n_items * width) if width else np.zeros(0)
            return cells.reshape(n_items, width)

        if self.game is ShapleyGame.CONVERSIONS:
            phi = split(conv)
            return PositionCredits(coalitions.items, phi, split(vals), phi)
        seen = conv + coalitions.non_conversions
        rate = np.where(seen > 0, conv / np.where(seen > 0, seen, 1.0), 0.0)
        phi = split(rate)
        total = float(phi.sum())
        share = phi / total if total > 0 else np.zeros_like(phi)
        return PositionCredits(
            coalitions.items,
            share * float(conv[attributed].sum()),
            share * float(vals[attributed].sum()),
            phi,
        )

    def _fit_paths(self, paths: ConversionPaths) -> PositionCredits:
        """The position table straight from the paths (one linear pass, conversions game)."""
        if self.game is not ShapleyGame.CONVERSIONS:
            return self.solve(PathCounts.from_paths(First().apply(paths)))
        first = first_touches(paths)
        tp = paths.touch_path
        rank = np.cumsum(first) - 1  # rank among the path's first touches
        starts = paths.offsets[:-1]
        before = np.zeros(paths.n_paths, dtype=np.int64)
        nonempty = paths.lengths > 0
        csum = np.concatenate([[0], np.cumsum(first)])
        before[nonempty] = csum[starts[nonempty]]
        size = (csum[paths.offsets[1:]] - csum[starts]).astype(np.float64)
        ft = np.flatnonzero(first)
        pos = rank[ft] - before[tp[ft]]
        n_items = len(paths.items)
        width = int(size.max(initial=0))
        labels: tuple[str | None, ...] | None = None
        if self.position == "stage":
            stage_codes, stages = paths.codes_of(Field.STAGE)
            stage = stage_codes[ft].astype(np.int64)
            width = len(stages) + int((stage < 0).any())
            pos = np.where(stage < 0, len(stages), stage)
            labels = (*stages, None) if width > len(stages) else stages
        key = paths.codes[ft].astype(np.int64) * width + pos
        share = 1.0 / size[tp[ft]]

        def split(worth: _F64) -> _F64:
            cells = wsum(key, worth[tp[ft]] * share, n_items * width) if width else np.zeros(0)
            return cells.reshape(n_items, width)

        phi = split(paths.conversions)
        return PositionCredits(paths.items, phi, split(paths.values), phi, labels)

    def credit(self, paths: ConversionPaths) -> Credit:
        """Credits per item (summed over positions), the position table kept as ``fitted``.

        A journey is explained as for :class:`~touchpath.attribution.Shapley`:
        split among its distinct items (equally for the conversions game, by
        the items' total ordered Shapley values for the rate game).
        """
        fitted = self._fit_paths(paths)
        index = item_index(fitted.items, paths.items)
        totals = (part.sum(axis=1) for part in (fitted.phi, fitted.conversions, fitted.values))
        full = scatter(index, len(paths.items), *totals)
        weights = None if self.game is ShapleyGame.CONVERSIONS else full[0]
        return Credit(conversions=full[1], values=full[2], weights=weights, fitted=fitted)

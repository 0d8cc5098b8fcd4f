"""Paths around drop-off: what journeys that stopped at a funnel step did next (or before)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, final

import attrs
import numpy as np

from .._columns import columns_from_rows
from .._table import Column, ColumnKind, Table, TableViews
from .._time import DurationLike
from ..exceptions import ConfigError, NotFoundError
from ._common import CountUnit, LevelLike, level_codes, runs, to_enum
from ._funnel import CountUnitLike, FunnelOrder, FunnelOrderLike, _attempts, _Spec, _spec_of
from ._funnel_options import Exclusion, Repeats, RepeatsLike, StepLike
from ._ratio import Ratio

if TYPE_CHECKING:
    from .._log import EventLog
    from .._map import JourneyMap

__all__ = ["DropoffPath", "DropoffPaths", "PathDirection", "dropoff_paths"]


class PathDirection(enum.StrEnum):
    """Which moves around the drop-off step: the ones after it or the ones before it.

    >>> PathDirection("previous") is PathDirection.PREVIOUS
    True
    """

    NEXT = "next"
    PREVIOUS = "previous"


DirectionLike: TypeAlias = PathDirection | Literal["next", "previous"]


@final
@attrs.frozen
class DropoffPath:
    """One sequence of moves made by journeys that dropped off, with its share and times.

    >>> p = DropoffPath(("pricing", "blog"), False, 3, Ratio(3, 4), (dt.timedelta(hours=1),) * 2)
    >>> (p.moves, p.share.value)
    (('pricing', 'blog'), 0.75)
    """

    moves: tuple[str, ...]
    """The ids visited, nearest first (after the step for ``next``, before it for ``previous``)."""
    ended: bool
    """Whether the journey had fewer moves than asked (it ended, or began, there)."""
    count: int
    """Journeys (or attempts) that made exactly these moves."""
    share: Ratio
    """``count`` over all units that dropped off at the step."""
    median_times: tuple[dt.timedelta, ...]
    """Per move, the median time between the step's event and the move (always >= 0)."""


@final
@attrs.frozen
class DropoffPaths(TableViews):
    """The moves around one funnel step of the units that dropped off there.

    :attr:`dropped` equals the funnel's ``dropped`` of that step (same
    definition, same counted attempt); the paths' counts add up to it.

    >>> from touchpath import EventLog
    >>> rec = lambda j, t, s: {"journey_id": j, "timestamp": t, "stage": s}
    >>> log = EventLog.from_records([
    ...     rec("a", 0, "visit"), rec("a", 60, "pricing"), rec("a", 120, "blog"),
    ...     rec("b", 0, "visit"), rec("b", 30, "pricing"),
    ...     rec("c", 0, "visit"), rec("c", 10, "trial")])
    >>> d = dropoff_paths(log, ["visit", "trial"], step="visit", moves=2)
    >>> [(p.moves, p.ended, p.count) for p in d.paths]
    [(('pricing',), True, 1), (('pricing', 'blog'), False, 1)]
    >>> d.dropped
    2
    """

    step: str
    """The step the units dropped off at."""
    index: int
    """Its position in the funnel (0-based)."""
    direction: PathDirection
    """Moves after the step's event, or before it."""
    moves: int
    """How many moves each path holds at most."""
    dropped: int
    """Units that dropped off at the step (the funnel's ``dropped``)."""
    paths: tuple[DropoffPath, ...]
    """The distinct move sequences, most frequent first (then by moves)."""

    def to_table(self, *, limit: int | None = None) -> Table:
        """One row per path (the ``limit`` most frequent; all by default): ``moves``
        joined by ``" > "``, ``ended``, ``count``, ``share`` and the median time to each
        move (``median_time_1``, ...).

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"}])
        >>> dropoff_paths(log, ["x", "y"], level="stage", step=0).to_pandas()["count"].tolist()
        [1]
        """
        rows = [
            {
                "moves": " > ".join(p.moves),
                "ended": p.ended,
                "count": p.count,
                "share": float(p.share),
                **{f"median_time_{i + 1}": t for i, t in enumerate(p.median_times)},
            }
            for p in self.paths[:limit]
        ]
        data = columns_from_rows(rows, duration_prefixes=("median_time_",))
        if not rows:
            data = {"moves": [], "ended": [], "count": [], "share": []}
        where = "After" if self.direction is PathDirection.NEXT else "Before"
        shown = min(len(self.paths), len(self.paths) if limit is None else limit)
        return Table.from_columns(
            data,
            [
                Column("moves"),
                Column("ended", kind=ColumnKind.FLAG),
                Column("count", "journeys", ColumnKind.COUNT),
                Column("share", kind=ColumnKind.RATE),
                *(
                    Column(
                        k, f"median time to move {str(k).rsplit('_', 1)[1]}", ColumnKind.DURATION
                    )
                    for k in data
                    if str(k).startswith("median_time_")
                ),
            ],
            name="dropoff_paths",
            title=f"{where} dropping off at {self.step!r}",
            note=f"{self.dropped:,} dropped off; the {shown} most frequent of "
            f"{len(self.paths):,} distinct paths of up to {self.moves} moves",
            source="DropoffPaths",
        )

    def report_section(self, *, title: str | None = None, limit: int = 10) -> Any:
        """The ``limit`` most frequent paths as a :class:`touchpath.report.Section`.

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"}])
        >>> dropoff_paths(log, ["x", "y"], level="stage", step=0).report_section().title
        "After dropping off at 'x'"
        """
        return self.to_table(limit=limit).report_section(title=title)


def dropoff_paths(
    log: EventLog,
    steps: Sequence[StepLike] | None = None,
    *,
    step: str | int,
    moves: int = 3,
    direction: DirectionLike = PathDirection.NEXT,
    journey_map: JourneyMap | None = None,
    level: LevelLike | None = None,
    order: FunnelOrderLike = FunnelOrder.SEQUENTIAL,
    window: DurationLike | None = None,
    count: CountUnitLike = CountUnit.JOURNEYS,
    now: Any = None,
    exclusions: Sequence[Exclusion] = (),
    repeats: RepeatsLike = Repeats.ALLOWED,
) -> DropoffPaths:
    """The next (or previous) ``moves`` moves of the units that dropped off at ``step``.

    The funnel is defined by the parameters of :func:`funnel` (``breakdown`` aside);
    ``step`` is a step id or position (not the last). A unit that dropped off
    there is taken at the event its counted attempt matched for the step; a
    *move* is a change of value at the funnel's level (a visit: repeats of
    one value are one move, events without a value are skipped). Accounts
    have no single path and are refused; censored units did not drop off and
    are not included, so the number of units is exactly the funnel's
    ``dropped`` for the step.

    >>> from touchpath import EventLog
    >>> rec = lambda j, t, s: {"journey_id": j, "timestamp": t, "stage": s}
    >>> log = EventLog.from_records([
    ...     rec("a", 0, "blog"), rec("a", 60, "visit"), rec("b", 0, "visit")])
    >>> d = dropoff_paths(log, ["visit", "trial"], level="stage", step=0, moves=1,
    ...                   direction="previous")
    >>> [(p.moves, p.ended) for p in d.paths]
    [((), True), (('blog',), False)]
    """
    how = to_enum(PathDirection, "direction", direction)
    given: object = moves
    if isinstance(given, bool) or not isinstance(given, int) or given < 1:
        raise ConfigError(f"'moves' must be a positive integer; got {moves!r}")
    spec = _spec_of(
        log, steps, journey_map, level, order, window, count, None, now, exclusions, repeats
    )
    if spec.count is CountUnit.ACCOUNTS:
        raise ConfigError("an account has no single path; count journeys or attempts")
    if spec.order is FunnelOrder.OPEN:
        raise ConfigError("an order='open' funnel has no drop-off between steps")
    k = _step_index(spec, step)
    out = _attempts(log, spec, positions=True)
    assert out.where is not None
    dropped = (out.depth == k + 1) & ~out.censored
    at = out.where[dropped, k]
    n = len(at)
    codes, names = level_codes(log, spec.level)
    r = runs(log, codes)
    # the run holding the step's event; moves are the runs after (or before) it
    holder = np.searchsorted(r.start, at, side="right") - 1
    journey = log.event_journey[at]
    sign = 1 if how is PathDirection.NEXT else -1
    path = np.full((n, moves), -1, dtype=np.int64)
    gap = np.zeros((n, moves), dtype=np.int64)
    for i in range(moves):
        idx = holder + sign * (i + 1)
        ok = (idx >= 0) & (idx < len(r.start))
        idx_c = np.clip(idx, 0, max(len(r.start) - 1, 0))
        if len(r.start):
            ok &= r.journey[idx_c] == journey
        else:
            ok &= False
        if i:
            ok &= path[:, i - 1] >= 0
        path[ok, i] = r.code[idx_c[ok]]
        gap[ok, i] = np.abs(r.time[idx_c[ok]] - log.timestamps[at[ok]])
    out_paths = []
    if n:
        distinct, inverse, counts = np.unique(path, axis=0, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
        for g in range(len(distinct)):
            row = distinct[g]
            length = int(np.count_nonzero(row >= 0))
            members = gap[inverse == g]
            medians = tuple(
                dt.timedelta(microseconds=int(np.median(members[:, i]))) for i in range(length)
            )
            out_paths.append(
                DropoffPath(
                    tuple(names[c] for c in row[:length].tolist()),
                    length < moves,
                    int(counts[g]),
                    Ratio(int(counts[g]), n),
                    medians,
                )
            )
    out_paths.sort(key=lambda p: (-p.count, p.moves, p.ended))
    return DropoffPaths(spec.steps[k], k, how, moves, n, tuple(out_paths))


def _step_index(spec: _Spec, step: object) -> int:
    last = len(spec.steps) - 1
    if isinstance(step, bool) or not isinstance(step, int | str):
        raise ConfigError(f"'step' must be a step id or position; got {step!r}")
    if isinstance(step, str):
        if step not in spec.steps:
            raise NotFoundError("funnel step", step, choices=spec.steps)
        k = spec.steps.index(step)
    else:
        k = step
    if not 0 <= k < last:
        raise ConfigError(
            f"'step' must be a step before the last (0..{last - 1}): nobody drops off after "
            f"the last step; got {step!r}"
        )
    return k

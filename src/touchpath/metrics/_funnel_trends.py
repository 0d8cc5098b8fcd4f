"""Funnel trends: the same funnel per period of entry (day, week or month), mergeable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, final

import attrs
import numpy as np

from .._deprecation import renamed
from .._schema import Field
from .._table import Column, ColumnKind, Table, TableViews
from .._time import DurationLike
from ..exceptions import ConfigError, NotFoundError
from ._common import CountUnit, LevelLike, to_enum
from ._funnel import (
    CountUnitLike,
    FunnelCounts,
    FunnelOrder,
    FunnelOrderLike,
    FunnelResult,
    _Outcomes,
    _outcomes,
    _spec_of,
    _tally,
)
from ._funnel_options import Exclusion, Repeats, RepeatsLike, StepLike
from ._ratio import Ratio
from ._retention import Period, PeriodLike, _bucket_start, _buckets

if TYPE_CHECKING:
    from .._log import EventLog
    from .._map import JourneyMap

__all__ = ["FunnelTrends", "funnel_trends"]


@final
@attrs.frozen
class FunnelTrends(TableViews):
    """One funnel per period of entry: a unit belongs to the period its counted attempt
    entered step 1 in (UTC calendar days, ISO weeks or months).

    ``a + b`` merges trends of logs with disjoint journeys (accounts) per
    period; each period's :class:`FunnelCounts` has as ``population`` the
    units that entered in it. Units left out by an exclusion have no entry
    and are counted in :attr:`excluded`; journeys without an account (for
    account counts) in :attr:`unassigned`.

    >>> from touchpath import EventLog
    >>> day = 86400
    >>> rec = lambda j, t, s: {"journey_id": j, "timestamp": t, "stage": s}
    >>> log = EventLog.from_records([rec("a", 0, "visit"), rec("a", 60, "trial"),
    ...                              rec("b", 8 * day, "visit")])
    >>> t = funnel_trends(log, ["visit", "trial"], period="week")
    >>> {str(d): c.value for d, c in t.conversion().items()}
    {'1969-12-29': 1.0, '1970-01-05': 0.0}
    """

    period: Period
    """Day, week or month."""
    periods: Mapping[dt.date, FunnelCounts]
    """Per first day of a period (in order), the counts of the units that entered in it."""
    excluded: int = 0
    """Units an exclusion left out (they have no entry period)."""
    unassigned: int = 0
    """With ``count="accounts"``: entered journeys without an account."""

    def result(self, start: dt.date) -> FunnelResult:
        """The funnel of one period, by its first day.

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"}])
        >>> funnel_trends(log, ["x"], period="month").result(dt.date(1970, 1, 1)).entered
        1
        """
        if start not in self.periods:
            raise NotFoundError("period", str(start), choices=[str(d) for d in self.periods])
        return FunnelResult.from_counts(self.periods[start])

    def conversion(self) -> dict[dt.date, Ratio]:
        """Per period, ``completed / entered`` (the last step's conversion from the first).

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"}])
        >>> funnel_trends(log, ["x", "y"], level="stage", period="day").conversion()
        {datetime.date(1970, 1, 1): Ratio(0/1 = 0)}
        """
        return {d: FunnelResult.from_counts(c).conversion for d, c in self.periods.items()}

    def __add__(self, other: object) -> FunnelTrends:
        if not isinstance(other, FunnelTrends):
            return NotImplemented
        if self.period is not other.period:
            raise ConfigError(
                f"only trends of the same period can be added; got {self.period.value!r} and "
                f"{other.period.value!r}"
            )
        merged = dict(self.periods)
        for start, counts in other.periods.items():
            merged[start] = merged[start] + counts if start in merged else counts
        return FunnelTrends(
            self.period,
            dict(sorted(merged.items())),
            self.excluded + other.excluded,
            self.unassigned + other.unassigned,
        )

    def __radd__(self, other: object) -> FunnelTrends:
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def to_table(self) -> Table:
        """One row per period and step: ``period`` (first day), the step and its counts.

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"}])
        >>> funnel_trends(log, ["x"]).to_pandas()[["period", "step", "reached"]].to_dict("records")
        [{'period': datetime.date(1969, 12, 29), 'step': 'x', 'reached': 1}]
        """
        steps = [
            (start, s)
            for start, counts in self.periods.items()
            for s in FunnelResult.from_counts(counts).steps
        ]
        rate, count = ColumnKind.RATE, ColumnKind.COUNT
        return Table(
            (
                Column("period"),
                Column("step"),
                Column("reached", kind=count),
                Column("conversion_from_first", "of first", rate),
                Column("conversion_from_previous", "of previous", rate),
                Column("dropped", kind=count),
                Column("censored", kind=count),
            ),
            {
                "period": [start for start, _ in steps],
                "step": [s.step for _, s in steps],
                "reached": [s.reached for _, s in steps],
                "conversion_from_first": [float(s.conversion_from_first) for _, s in steps],
                "conversion_from_previous": [float(s.conversion_from_previous) for _, s in steps],
                "dropped": [s.dropped for _, s in steps],
                "censored": [s.censored for _, s in steps],
            },
            name="funnel_trends",
            note=f"one funnel per {self.period.value} of entry, {len(self.periods)} periods",
            source="FunnelTrends",
        )


@renamed(by="breakdown")
def funnel_trends(
    log: EventLog,
    steps: Sequence[StepLike] | None = None,
    *,
    period: PeriodLike = Period.WEEK,
    journey_map: JourneyMap | None = None,
    level: LevelLike | None = None,
    order: FunnelOrderLike = FunnelOrder.SEQUENTIAL,
    window: DurationLike | None = None,
    count: CountUnitLike = CountUnit.JOURNEYS,
    breakdown: Field | str | None = None,
    now: Any = None,
    exclusions: Sequence[Exclusion] = (),
    repeats: RepeatsLike = Repeats.ALLOWED,
) -> FunnelTrends:
    """The funnel per period of entry; the other parameters are those of :func:`funnel`.

    Each unit is counted once, in the period its counted attempt reached
    step 1 (for accounts: the earliest step-1 time of their journeys), so the
    periods' counts add up to the funnel over the whole log. Open funnels
    have no entry and are refused.

    >>> from touchpath import EventLog
    >>> day = 86400
    >>> rec = lambda j, t, s: {"journey_id": j, "timestamp": t, "stage": s}
    >>> log = EventLog.from_records([rec("a", 0, "visit"), rec("b", 40 * day, "visit"),
    ...                              rec("b", 41 * day, "trial")])
    >>> t = funnel_trends(log, ["visit", "trial"], period="month")
    >>> [(str(d), [s.reached for s in c.total]) for d, c in t.periods.items()]
    [('1970-01-01', [1, 0]), ('1970-02-01', [1, 1])]
    """
    per = to_enum(Period, "period", period)
    spec = _spec_of(
        log, steps, journey_map, level, order, window, count, breakdown, now, exclusions, repeats
    )
    if spec.order is FunnelOrder.OPEN:
        raise ConfigError("an order='open' funnel has no entry step, so no trend by entry period")
    out, _, unassigned = _outcomes(log, spec)
    bucket = _buckets(out.times[:, 0], per) if len(out.unit) else np.zeros(0, np.int64)
    periods: dict[dt.date, FunnelCounts] = {}
    for b in np.unique(bucket).tolist():
        mask = bucket == b
        part = _Outcomes(out.unit[mask], out.depth[mask], out.times[mask], out.censored[mask])
        counts = _tally(log, spec, part, int(np.count_nonzero(mask)), 0)
        periods[_bucket_start(int(b), per)] = counts
    return FunnelTrends(per, periods, len(out.excluded), unassigned)

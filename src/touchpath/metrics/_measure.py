"""Measure a KPI's declared measurement from an event log (see :mod:`touchpath.measurements`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from .._measurement import (
    ClvCac,
    Conversion,
    ConvertsAfter,
    EventCount,
    Measurement,
    Reach,
    ReachWithin,
    Retention,
    RevenueRatio,
    TimeToStage,
    ValueShare,
)
from .._model import KPI, Unit
from .._time import parse_duration, to_datetime
from ._common import Level, level_codes
from ._digest import DurationDigest
from ._funnel import FunnelOrder, _attempts, _Spec
from ._ratio import Ratio
from ._revenue import RevenueMovements, revenue_movements, stage_conversion
from ._timing import time_between

if TYPE_CHECKING:
    from .._log import EventLog

__all__ = ["measure"]

_NEVER = np.iinfo(np.int64).max
_US_PER_DAY = 86_400_000_000
_US_PER_HOUR = 3_600_000_000


def _journeys_at(log: EventLog, level: str, target: str) -> int:
    codes, names = level_codes(log, Level(level))
    if target not in names:
        return 0
    hit = log.event_journey[codes == names.index(target)]
    return int(np.unique(hit).size)


def _movements(
    log: EventLog, period: str, customer: Literal["accounts", "journeys"]
) -> RevenueMovements:
    length = parse_duration(period, name="period")
    end = int(log.timestamps.max()) + 1
    return revenue_movements(
        log,
        (to_datetime(end - 2 * length), to_datetime(end - length)),
        (to_datetime(end - length), to_datetime(end)),
        count=customer,
    )


def _first_at(log: EventLog, level: str, name: str) -> npt.NDArray[np.int64]:
    """Per journey, the log position of its first event at ``name`` (NEVER when none)."""
    codes, names = level_codes(log, Level(level))
    first = np.full(len(log), _NEVER, dtype=np.int64)
    if name in names:
        at = np.flatnonzero(codes == names.index(name))
        np.minimum.at(first, log.event_journey[at], at)
    return first


def _last_at(log: EventLog, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Per journey, the log position of its last event where ``mask`` holds (-1 when none)."""
    last = np.full(len(log), -1, dtype=np.int64)
    at = np.flatnonzero(mask)
    np.maximum.at(last, log.event_journey[at], at)
    return last


def _cross_conversion(log: EventLog, m: Conversion) -> Ratio:
    """Journeys with a target event at or after their first source event, of those with one."""
    first = _first_at(log, m.level, m.source)
    codes, names = level_codes(log, Level(m.target_level or m.level))
    last = _last_at(log, codes == names.index(m.target))
    started = first != _NEVER
    return Ratio(int(np.count_nonzero(started & (last >= first))), int(np.count_nonzero(started)))


def _converts_after(log: EventLog, m: ConvertsAfter) -> Ratio:
    first = _first_at(log, m.level, m.source)
    last = _last_at(log, log.converted)
    started = first != _NEVER
    return Ratio(int(np.count_nonzero(started & (last >= first))), int(np.count_nonzero(started)))


def _value_share(log: EventLog, m: ValueShare) -> Ratio:
    first = _first_at(log, m.level, m.target)
    position = np.arange(log.n_events, dtype=np.int64)
    through = log.converted & (position >= first[log.event_journey])
    total = float(log.values[log.converted].sum())
    return Ratio(float(log.values[through].sum()), total)


def _retention(log: EventLog, m: Retention) -> Ratio:
    n = len(log)
    offsets = log.offsets
    last = log.timestamps[offsets[1:] - 1]
    if m.source is None:
        entry = log.timestamps[offsets[:-1]]
        has = np.ones(n, dtype=np.bool_)
    else:
        code = log.stage_ids.index(m.source)
        at = np.flatnonzero(log.stage_codes == code)
        journeys, first = np.unique(log.event_journey[at], return_index=True)
        entry = np.zeros(n, dtype=np.int64)
        entry[journeys] = log.timestamps[at[first]]
        has = np.zeros(n, dtype=np.bool_)
        has[journeys] = True
    due = entry + m.days * _US_PER_DAY
    now = int(log.timestamps.max())
    eligible = has & (due <= now)
    kept = eligible & (last >= due)
    return Ratio(int(np.count_nonzero(kept)), int(np.count_nonzero(eligible)))


def _time_to_stage(log: EventLog, m: TimeToStage, unit: Unit) -> float | None:
    spec = _Spec.make(
        [m.source, m.target], Level(m.level), FunnelOrder.SEQUENTIAL, None, "journeys", None, None
    )
    out = _attempts(log, spec)
    arrived = out.depth >= 2
    d = out.times[arrived, 1] - out.times[arrived, 0]
    q = DurationDigest._from_array(d).quantile(m.quantile)
    if q is None:
        return None
    return q / (_US_PER_HOUR if unit is Unit.HOURS else _US_PER_DAY)


def _clv_cac(log: EventLog, m: ClvCac) -> float | None:
    mv = _movements(log, m.period, m.count)
    churn = mv.customer_churn.value
    if not mv.customers_at_start or not churn:
        return None
    arpa = mv.starting / mv.customers_at_start
    clv = arpa * m.gross_margin / churn
    if m.count == "accounts":
        who = log.account_codes[log.converted]
        customers = int(np.unique(who[who >= 0]).size)
    else:
        customers = int(np.unique(log.event_journey[log.converted]).size)
    spend = float(log.costs.sum())
    if not customers or spend <= 0:
        return None
    return clv / (spend / customers)


def measure(log: EventLog, kpi: KPI) -> tuple[float | Ratio | None, str | None]:
    """The KPI's value from ``log`` and, when there is none, the reason.

    The value is a :class:`Ratio` for shares, a number otherwise; it is
    None (with the reason) when the KPI has no measurement, when the log
    lacks what it needs, or when the data gives no value (no journey
    arrived). An undefined Ratio (zero denominator) is returned as is.

    >>> from touchpath import KPI, EventLog, measurements
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "stage": "trial"},
    ...     {"journey_id": "a", "timestamp": 60, "stage": "paid"},
    ...     {"journey_id": "b", "timestamp": 0, "stage": "trial"}])
    >>> measure(log, KPI("t2p", measurement=measurements.Conversion("trial", "paid")))
    (Ratio(1/2 = 0.5), None)
    >>> measure(log, KPI("nps"))
    (None, 'no measurement declared (event data alone cannot measure it)')
    """
    m: Measurement | None = kpi.measurement
    if m is None:
        return None, "no measurement declared (event data alone cannot measure it)"
    if not log.n_events:
        return None, "the data has no events"
    why = m.missing(log)
    if why is not None:
        return None, why
    if isinstance(m, Conversion):
        if m.target_level not in (None, m.level):
            return _cross_conversion(log, m), None
        return stage_conversion(log, m.source, m.target, window=m.window, level=m.level), None
    if isinstance(m, ConvertsAfter):
        return _converts_after(log, m), None
    if isinstance(m, ValueShare):
        return _value_share(log, m), None
    if isinstance(m, ReachWithin):
        share = time_between(log, m.source, m.target, window=m.window, level=m.level).share_within
        return share, None
    if isinstance(m, TimeToStage):
        value = _time_to_stage(log, m, kpi.unit)
        if value is None:
            return None, f"no journey reached {m.target!r} after {m.source!r}"
        return value, None
    if isinstance(m, Retention):
        return _retention(log, m), None
    if isinstance(m, Reach):
        return Ratio(_journeys_at(log, m.level, m.target), len(log)), None
    if isinstance(m, EventCount):
        codes, names = level_codes(log, Level(m.level))
        return float(np.count_nonzero(codes == names.index(m.target))), None
    if isinstance(m, RevenueRatio):
        mv = _movements(log, m.period, m.count)
        ratios = {
            "net_revenue_retention": mv.net_revenue_retention,
            "gross_revenue_retention": mv.gross_revenue_retention,
            "customer_churn": mv.customer_churn,
            "revenue_churn": mv.revenue_churn,
            "expansion": Ratio(mv.expansion, mv.starting),
        }
        if not mv.customers_at_start:
            return ratios[m.metric], (
                f"undefined: no customer has revenue in the base period (the {m.period} before "
                f"the data's last {m.period})"
            )
        return ratios[m.metric], None
    value = _clv_cac(log, m)
    if value is None:
        return None, "no churn, no customer with revenue in the base period, or no cost"
    return value, None

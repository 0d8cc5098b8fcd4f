"""Declarative KPI measurements, stored with a journey map's KPIs.

Give a :class:`~touchpath.KPI` a ``measurement`` and
:func:`touchpath.scorecard` measures it from any event log; the map's JSON
keeps it under the KPI's ``"measurement"`` key. Definitions are in
``docs/metrics.md`` ("KPI scorecards").

>>> from touchpath import KPI, Unit, measurements
>>> kpi = KPI("activation_24h", target=0.8, unit=Unit.RATE,
...           measurement=measurements.ReachWithin("onboarding", "activation", "24 hours"))
>>> kpi.measurement.to_dict()["kind"]
'reach_within'
"""

from ._measurement import ClvCac as ClvCac
from ._measurement import Conversion as Conversion
from ._measurement import ConvertsAfter as ConvertsAfter
from ._measurement import EventCount as EventCount
from ._measurement import MeasureLevel as MeasureLevel
from ._measurement import Measurement as Measurement
from ._measurement import Reach as Reach
from ._measurement import ReachWithin as ReachWithin
from ._measurement import Retention as Retention
from ._measurement import RevenueMetric as RevenueMetric
from ._measurement import RevenueRatio as RevenueRatio
from ._measurement import TimeToStage as TimeToStage
from ._measurement import ValueShare as ValueShare
from ._measurement import measurement_from_dict as measurement_from_dict

__all__ = [
    "ClvCac",
    "Conversion",
    "ConvertsAfter",
    "EventCount",
    "MeasureLevel",
    "Measurement",
    "Reach",
    "ReachWithin",
    "Retention",
    "RevenueMetric",
    "RevenueRatio",
    "TimeToStage",
    "ValueShare",
    "measurement_from_dict",
]

"""Journey metrics: funnels, timing, transition graphs, retention, revenue and KPI scorecards.

Algorithms are plain functions, data first; results are frozen objects with
``to_pandas()``. Every rate is a :class:`Ratio` (numerator and denominator),
so results of parts add up exactly and a zero denominator is explicitly
undefined. The mergeable aggregates :class:`FunnelCounts` and
:class:`TransitionGraphCounts` support ``+``, ``zero()`` and ``from_log()``,
and :func:`funnel`, :func:`transition_graph` and :func:`dwell_times` accept
them in place of a log. Every definition and formula is in
``docs/metrics.md``.

>>> from touchpath import EventLog
>>> from touchpath import metrics
>>> log = EventLog.from_records([
...     {"journey_id": "a", "timestamp": 0, "stage": "trial"},
...     {"journey_id": "a", "timestamp": 3600, "stage": "paid"},
...     {"journey_id": "b", "timestamp": 0, "stage": "trial"}])
>>> metrics.funnel(log, ["trial", "paid"]).conversion
Ratio(1/2 = 0.5)
"""

from ._common import CountUnit as CountUnit
from ._common import Level as Level
from ._digest import EXACT_LIMIT as EXACT_LIMIT
from ._digest import RELATIVE_ACCURACY as RELATIVE_ACCURACY
from ._digest import DurationDigest as DurationDigest
from ._digest import DurationStats as DurationStats
from ._dropoff import DropoffPath as DropoffPath
from ._dropoff import DropoffPaths as DropoffPaths
from ._dropoff import PathDirection as PathDirection
from ._dropoff import dropoff_paths as dropoff_paths
from ._flow import FlowLink as FlowLink
from ._flow import FlowNode as FlowNode
from ._flow import NodeKind as NodeKind
from ._flow import PathFlow as PathFlow
from ._flow import PathFlowCounts as PathFlowCounts
from ._flow import StepMatrix as StepMatrix
from ._flow import TopPaths as TopPaths
from ._flow import path_flow as path_flow
from ._flow import step_matrix as step_matrix
from ._flow import top_paths as top_paths
from ._funnel import FunnelCounts as FunnelCounts
from ._funnel import FunnelOrder as FunnelOrder
from ._funnel import FunnelResult as FunnelResult
from ._funnel import FunnelStep as FunnelStep
from ._funnel import StepCounts as StepCounts
from ._funnel import funnel as funnel
from ._funnel_options import Exclusion as Exclusion
from ._funnel_options import Repeats as Repeats
from ._funnel_trends import FunnelTrends as FunnelTrends
from ._funnel_trends import funnel_trends as funnel_trends
from ._graph import TransitionEdge as TransitionEdge
from ._graph import TransitionGraph as TransitionGraph
from ._graph import TransitionGraphCounts as TransitionGraphCounts
from ._graph import TransitionNode as TransitionNode
from ._graph import transition_graph as transition_graph
from ._interval import Interval as Interval
from ._interval import IntervalMethod as IntervalMethod
from ._interval import proportion_interval as proportion_interval
from ._kpi import KPIScore as KPIScore
from ._kpi import KPIStatus as KPIStatus
from ._kpi import Scorecard as Scorecard
from ._kpi import scorecard as scorecard
from ._ratio import Ratio as Ratio
from ._retention import Cohort as Cohort
from ._retention import Period as Period
from ._retention import RetentionMode as RetentionMode
from ._retention import RetentionTable as RetentionTable
from ._retention import retention as retention
from ._revenue import ChannelCredits as ChannelCredits
from ._revenue import RevenueMovements as RevenueMovements
from ._revenue import annualized_churn as annualized_churn
from ._revenue import cac_by_channel as cac_by_channel
from ._revenue import cac_payback_months as cac_payback_months
from ._revenue import clv_cac_ratio as clv_cac_ratio
from ._revenue import cpc as cpc
from ._revenue import cpl as cpl
from ._revenue import cpm as cpm
from ._revenue import customer_acquisition_cost as customer_acquisition_cost
from ._revenue import customer_churn_rate as customer_churn_rate
from ._revenue import customer_lifetime_value as customer_lifetime_value
from ._revenue import gross_revenue_retention as gross_revenue_retention
from ._revenue import net_revenue_retention as net_revenue_retention
from ._revenue import nps as nps
from ._revenue import revenue_churn_rate as revenue_churn_rate
from ._revenue import revenue_movements as revenue_movements
from ._revenue import roas as roas
from ._revenue import roas_by_channel as roas_by_channel
from ._revenue import spend_by_channel as spend_by_channel
from ._revenue import stage_conversion as stage_conversion
from ._stats import ProportionTest as ProportionTest
from ._stats import SegmentComparison as SegmentComparison
from ._stats import SegmentTest as SegmentTest
from ._stats import SuppressedCell as SuppressedCell
from ._stats import benjamini_hochberg as benjamini_hochberg
from ._stats import compare_segments as compare_segments
from ._stats import two_proportion_test as two_proportion_test
from ._timing import Dwell as Dwell
from ._timing import DwellTimes as DwellTimes
from ._timing import TimeBetween as TimeBetween
from ._timing import dwell_times as dwell_times
from ._timing import time_between as time_between

__all__ = [
    "EXACT_LIMIT",
    "RELATIVE_ACCURACY",
    "ChannelCredits",
    "Cohort",
    "CountUnit",
    "DropoffPath",
    "DropoffPaths",
    "DurationDigest",
    "DurationStats",
    "Dwell",
    "DwellTimes",
    "Exclusion",
    "FlowLink",
    "FlowNode",
    "FunnelCounts",
    "FunnelOrder",
    "FunnelResult",
    "FunnelStep",
    "FunnelTrends",
    "Interval",
    "IntervalMethod",
    "KPIScore",
    "KPIStatus",
    "Level",
    "NodeKind",
    "PathDirection",
    "PathFlow",
    "PathFlowCounts",
    "Period",
    "ProportionTest",
    "Ratio",
    "Repeats",
    "RetentionMode",
    "RetentionTable",
    "RevenueMovements",
    "Scorecard",
    "SegmentComparison",
    "SegmentTest",
    "StepCounts",
    "StepMatrix",
    "SuppressedCell",
    "TimeBetween",
    "TopPaths",
    "TransitionEdge",
    "TransitionGraph",
    "TransitionGraphCounts",
    "TransitionNode",
    "annualized_churn",
    "benjamini_hochberg",
    "cac_by_channel",
    "cac_payback_months",
    "clv_cac_ratio",
    "compare_segments",
    "cpc",
    "cpl",
    "cpm",
    "customer_acquisition_cost",
    "customer_churn_rate",
    "customer_lifetime_value",
    "dropoff_paths",
    "dwell_times",
    "funnel",
    "funnel_trends",
    "gross_revenue_retention",
    "net_revenue_retention",
    "nps",
    "path_flow",
    "proportion_interval",
    "retention",
    "revenue_churn_rate",
    "revenue_movements",
    "roas",
    "roas_by_channel",
    "scorecard",
    "spend_by_channel",
    "stage_conversion",
    "step_matrix",
    "time_between",
    "top_paths",
    "transition_graph",
    "two_proportion_test",
]

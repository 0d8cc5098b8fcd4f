"""Attribution: credit conversions and value to channels, touchpoints, stages or campaigns.

Models are frozen configurations; :func:`attribute` runs one on an
:class:`~touchpath.EventLog` (or on :class:`PathCounts`, or on a model's
count table) and returns an :class:`AttributionResult`.

>>> from touchpath import EventLog
>>> from touchpath.attribution import Linear, attribute
>>> log = EventLog.from_records([
...     {"journey_id": "j", "timestamp": 0, "channel": "ads"},
...     {"journey_id": "j", "timestamp": 1, "channel": "seo", "converted": True, "value": 8}])
>>> attribute(log, Linear()).by_channel(value=True)
{'ads': 4.0, 'seo': 4.0}
"""

from .._paths import Collapse as Collapse
from .._paths import ConversionPaths as ConversionPaths
from .._paths import PathCounts as PathCounts
from .._paths import PathPolicy as PathPolicy
from .._paths import conversion_paths as conversion_paths
from .._spendtable import Period as Period
from .._spendtable import Spend as Spend
from ._attribute import as_paths as as_paths
from ._attribute import attribute as attribute
from ._bootstrap import BootstrapResult as BootstrapResult
from ._bootstrap import bootstrap as bootstrap
from ._compare import Comparison as Comparison
from ._compare import compare as compare
from ._compare import compare_models as compare_models
from ._fractribution import Fractribution as Fractribution
from ._markov import FittedMarkov as FittedMarkov
from ._markov import Markov as Markov
from ._markov import MarkovValue as MarkovValue
from ._markov import TransitionCounts as TransitionCounts
from ._order_selection import OrderCriterion as OrderCriterion
from ._order_selection import OrderFit as OrderFit
from ._order_selection import OrderSelection as OrderSelection
from ._order_selection import markov_log_likelihood as markov_log_likelihood
from ._order_selection import select_order as select_order
from ._ordered_shapley import OrderedShapley as OrderedShapley
from ._ordered_shapley import PositionCredits as PositionCredits
from ._removal import RemovalEffect as RemovalEffect
from ._removal import edge_removal_effect as edge_removal_effect
from ._removal import sequence_removal_effect as sequence_removal_effect
from ._result import AttributionResult as AttributionResult
from ._result import Credit as Credit
from ._result import TouchCredit as TouchCredit
from ._rules import FirstTouch as FirstTouch
from ._rules import LastNonDirect as LastNonDirect
from ._rules import LastTouch as LastTouch
from ._rules import Linear as Linear
from ._rules import PositionBased as PositionBased
from ._rules import TimeDecay as TimeDecay
from ._rules import WShaped as WShaped
from ._segments import Breakdown as Breakdown
from ._segments import breakdown as breakdown
from ._shapley import CoalitionCounts as CoalitionCounts
from ._shapley import Shapley as Shapley
from ._shapley import ShapleyGame as ShapleyGame
from ._spend import SpendReport as SpendReport
from ._spend import SpendRow as SpendRow
from ._spend import spend_report as spend_report
from ._survival import FittedSurvival as FittedSurvival
from ._survival import Survival as Survival
from ._transforms import Exposure as Exposure
from ._transforms import First as First
from ._transforms import Frequency as Frequency
from ._transforms import PathTransform as PathTransform
from ._transforms import RemoveIfLastAndNotAll as RemoveIfLastAndNotAll
from ._transforms import RemoveIfNotAll as RemoveIfNotAll
from ._transforms import TrimLongPath as TrimLongPath
from ._transforms import fold_frequency as fold_frequency
from ._transforms import transform_paths as transform_paths
from ._windows import FirstPaidTouch as FirstPaidTouch
from ._windows import LastPaidTouch as LastPaidTouch
from ._windows import TouchWindows as TouchWindows

__all__ = [
    "AttributionResult",
    "BootstrapResult",
    "Breakdown",
    "CoalitionCounts",
    "Collapse",
    "Comparison",
    "ConversionPaths",
    "Credit",
    "Exposure",
    "First",
    "FirstPaidTouch",
    "FirstTouch",
    "FittedMarkov",
    "FittedSurvival",
    "Fractribution",
    "Frequency",
    "LastNonDirect",
    "LastPaidTouch",
    "LastTouch",
    "Linear",
    "Markov",
    "MarkovValue",
    "OrderCriterion",
    "OrderFit",
    "OrderSelection",
    "OrderedShapley",
    "PathCounts",
    "PathPolicy",
    "PathTransform",
    "Period",
    "PositionBased",
    "PositionCredits",
    "RemovalEffect",
    "RemoveIfLastAndNotAll",
    "RemoveIfNotAll",
    "Shapley",
    "ShapleyGame",
    "Spend",
    "SpendReport",
    "SpendRow",
    "Survival",
    "TimeDecay",
    "TouchCredit",
    "TouchWindows",
    "TransitionCounts",
    "TrimLongPath",
    "WShaped",
    "as_paths",
    "attribute",
    "bootstrap",
    "breakdown",
    "compare",
    "compare_models",
    "conversion_paths",
    "edge_removal_effect",
    "fold_frequency",
    "markov_log_likelihood",
    "select_order",
    "sequence_removal_effect",
    "spend_report",
    "transform_paths",
]

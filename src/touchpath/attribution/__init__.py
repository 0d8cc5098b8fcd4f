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
from ._attribute import as_paths as as_paths
from ._attribute import attribute as attribute
from ._bootstrap import BootstrapResult as BootstrapResult
from ._bootstrap import bootstrap as bootstrap
from ._compare import Comparison as Comparison
from ._compare import compare as compare
from ._markov import FittedMarkov as FittedMarkov
from ._markov import Markov as Markov
from ._markov import MarkovValue as MarkovValue
from ._markov import TransitionCounts as TransitionCounts
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
from ._shapley import CoalitionCounts as CoalitionCounts
from ._shapley import Shapley as Shapley
from ._shapley import ShapleyGame as ShapleyGame

__all__ = [
    "AttributionResult",
    "BootstrapResult",
    "CoalitionCounts",
    "Collapse",
    "Comparison",
    "ConversionPaths",
    "Credit",
    "FirstTouch",
    "FittedMarkov",
    "LastNonDirect",
    "LastTouch",
    "Linear",
    "Markov",
    "MarkovValue",
    "PathCounts",
    "PathPolicy",
    "PositionBased",
    "Shapley",
    "ShapleyGame",
    "TimeDecay",
    "TouchCredit",
    "TransitionCounts",
    "WShaped",
    "as_paths",
    "attribute",
    "bootstrap",
    "compare",
    "conversion_paths",
]

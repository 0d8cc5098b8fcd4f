"""touchpath: typed customer-journey and touchpoint modeling.

Journey maps as graphs, observed journeys in a columnar event log,
attribution, validation against the map, and journey metrics.

>>> import touchpath
>>> m = touchpath.templates.get("b2b_five_stage")
>>> m.stage_ids[:2]
('awareness', 'consideration')
"""

from . import attribution as attribution
from . import datasets as datasets
from . import exceptions as exceptions
from . import io as io
from . import measurements as measurements
from . import metrics as metrics
from . import report as report
from . import templates as templates
from . import validation as validation
from ._eventmap import EventMapping as EventMapping
from ._log import Event as Event
from ._log import EventLog as EventLog
from ._log import Journey as Journey
from ._map import JourneyMap as JourneyMap
from ._map import JourneyMapBuilder as JourneyMapBuilder
from ._map import LintFinding as LintFinding
from ._map import LintKind as LintKind
from ._model import KPI as KPI
from ._model import Channel as Channel
from ._model import ChannelKind as ChannelKind
from ._model import Direction as Direction
from ._model import Edge as Edge
from ._model import EdgeKind as EdgeKind
from ._model import Phase as Phase
from ._model import Stage as Stage
from ._model import Touchpoint as Touchpoint
from ._model import Unit as Unit
from ._paths import PathCounts as PathCounts
from ._progress import Progress as Progress
from ._schema import Field as Field
from ._schema import Rejection as Rejection
from ._schema import Schema as Schema
from ._spendtable import Spend as Spend
from ._stitch import alias_map as alias_map
from ._stitch import stitch as stitch
from ._table import Column as Column
from ._table import ColumnKind as ColumnKind
from ._table import DurationUnit as DurationUnit
from ._table import Table as Table
from ._version import __version__ as __version__
from .attribution import AttributionResult as AttributionResult
from .attribution import attribute as attribute
from .attribution import bootstrap as bootstrap
from .attribution import compare as compare
from .attribution import compare_models as compare_models
from .exceptions import TouchpathError as TouchpathError
from .io import read_csv as read_csv
from .io import read_jsonl as read_jsonl
from .io import read_parquet as read_parquet
from .io import read_paths as read_paths
from .metrics import Ratio as Ratio
from .metrics import funnel as funnel
from .metrics import scorecard as scorecard
from .metrics import transition_graph as transition_graph
from .validation import ValidationReport as ValidationReport
from .validation import compare_to_map as compare_to_map
from .validation import coverage as coverage
from .validation import validate as validate
from .validation import validate_journey as validate_journey

__all__ = [
    "KPI",
    "AttributionResult",
    "Channel",
    "ChannelKind",
    "Column",
    "ColumnKind",
    "Direction",
    "DurationUnit",
    "Edge",
    "EdgeKind",
    "Event",
    "EventLog",
    "EventMapping",
    "Field",
    "Journey",
    "JourneyMap",
    "JourneyMapBuilder",
    "LintFinding",
    "LintKind",
    "PathCounts",
    "Phase",
    "Progress",
    "Ratio",
    "Rejection",
    "Schema",
    "Spend",
    "Stage",
    "Table",
    "TouchpathError",
    "Touchpoint",
    "Unit",
    "ValidationReport",
    "__version__",
    "alias_map",
    "attribute",
    "attribution",
    "bootstrap",
    "compare",
    "compare_models",
    "compare_to_map",
    "coverage",
    "datasets",
    "exceptions",
    "funnel",
    "io",
    "measurements",
    "metrics",
    "read_csv",
    "read_jsonl",
    "read_parquet",
    "read_paths",
    "report",
    "scorecard",
    "stitch",
    "templates",
    "transition_graph",
    "validate",
    "validate_journey",
    "validation",
]

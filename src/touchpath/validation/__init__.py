"""Validation of observed journeys against the designed map, with event positions.

:func:`validate` runs rules over an :class:`~touchpath.EventLog` and returns a
:class:`ValidationReport`: every :class:`Violation` (journey, event index,
timestamp, stages, rule, severity, message), checks still :class:`Pending`,
counts by rule and by edge and fitness scores (:class:`ValidationCounts`,
mergeable with ``+``). :func:`validate_journey` does the same for one
:class:`~touchpath.Journey`; :func:`compare_to_map` sets the observed
transitions against the map's edges (shadow transitions, dead edges,
unreached stages) and draws one over the other.

Rules are frozen config classes implementing the :class:`TransitionRule`
protocol: structural (:class:`AllowedTransitions`, :class:`NoSkippedStages`,
:class:`NoRegression`, :class:`KnownStages`, :class:`KnownTouchpoints`,
:class:`EntryStage`, :class:`TerminalStage`), timing (:class:`MaxDwell`,
:class:`Deadline`), touchpoints (:class:`RequiredTouchpoints`) and data
quality (:class:`MonotonicTime`, :class:`NoDuplicateEvents`).

>>> from touchpath import EventLog, templates
>>> m = templates.get("b2b_five_stage")
>>> log = EventLog.from_records([
...     {"journey_id": "j", "timestamp": 0, "stage": "awareness"},
...     {"journey_id": "j", "timestamp": 60, "stage": "decision"}])
>>> report = validate(log, m)
>>> (report.counts.violations, report.journey_fitness)
(1, Ratio(0/1 = 0))
"""

from ._align import AlignmentCosts as AlignmentCosts
from ._align import AlignmentMove as AlignmentMove
from ._align import Alignments as Alignments
from ._align import MoveKind as MoveKind
from ._align import Repair as Repair
from ._align import align as align
from ._columns import ViolationColumns as ViolationColumns
from ._compare import EdgeStatus as EdgeStatus
from ._compare import MapComparison as MapComparison
from ._compare import ObservedTransition as ObservedTransition
from ._compare import OverlayEdge as OverlayEdge
from ._compare import compare_to_map as compare_to_map
from ._compare import overlay_edges as overlay_edges
from ._context import NO_STAGE as NO_STAGE
from ._context import UNKNOWN_STAGE as UNKNOWN_STAGE
from ._context import TransitionKind as TransitionKind
from ._context import Transitions as Transitions
from ._context import TransitionTable as TransitionTable
from ._context import ValidationContext as ValidationContext
from ._context import Visits as Visits
from ._coverage import Coverage as Coverage
from ._coverage import LevelCoverage as LevelCoverage
from ._coverage import coverage as coverage
from ._protocol import Details as Details
from ._protocol import Findings as Findings
from ._protocol import RuleOutcome as RuleOutcome
from ._protocol import Severity as Severity
from ._protocol import TransitionRule as TransitionRule
from ._report import Pending as Pending
from ._report import ValidationCounts as ValidationCounts
from ._report import ValidationReport as ValidationReport
from ._report import Violation as Violation
from ._rules import DEFAULT_RULES as DEFAULT_RULES
from ._rules import AllowedTransitions as AllowedTransitions
from ._rules import Deadline as Deadline
from ._rules import EntryStage as EntryStage
from ._rules import KnownStages as KnownStages
from ._rules import KnownTouchpoints as KnownTouchpoints
from ._rules import Match as Match
from ._rules import MaxDwell as MaxDwell
from ._rules import MonotonicTime as MonotonicTime
from ._rules import NoDuplicateEvents as NoDuplicateEvents
from ._rules import NoRegression as NoRegression
from ._rules import NoSkippedStages as NoSkippedStages
from ._rules import RequiredTouchpoints as RequiredTouchpoints
from ._rules import TerminalStage as TerminalStage
from ._validate import validate as validate
from ._validate import validate_journey as validate_journey

__all__ = [
    "DEFAULT_RULES",
    "NO_STAGE",
    "UNKNOWN_STAGE",
    "AlignmentCosts",
    "AlignmentMove",
    "Alignments",
    "AllowedTransitions",
    "Coverage",
    "Deadline",
    "Details",
    "EdgeStatus",
    "EntryStage",
    "Findings",
    "KnownStages",
    "KnownTouchpoints",
    "LevelCoverage",
    "MapComparison",
    "Match",
    "MaxDwell",
    "MonotonicTime",
    "MoveKind",
    "NoDuplicateEvents",
    "NoRegression",
    "NoSkippedStages",
    "ObservedTransition",
    "OverlayEdge",
    "Pending",
    "Repair",
    "RequiredTouchpoints",
    "RuleOutcome",
    "Severity",
    "TerminalStage",
    "TransitionKind",
    "TransitionRule",
    "TransitionTable",
    "Transitions",
    "ValidationContext",
    "ValidationCounts",
    "ValidationReport",
    "Violation",
    "ViolationColumns",
    "Visits",
    "align",
    "compare_to_map",
    "coverage",
    "overlay_edges",
    "validate",
    "validate_journey",
]

"""The shipped validation rules: structural, timing, touchpoint and data-quality checks.

Every rule is a frozen attrs config class implementing
:class:`~touchpath.validation.TransitionRule`. Each check runs on whole
numpy arrays of the log; only the flagged events are turned into Python
objects, and only when a report's violations are looked at.

One module per family (``_structure``, ``_timing``, ``_touchpoints``,
``_quality``, sharing ``_rulekit``); this one gathers them and names the
defaults.
"""

from __future__ import annotations

from typing import Final

from ._protocol import TransitionRule
from ._quality import MonotonicTime as MonotonicTime
from ._quality import NoDuplicateEvents as NoDuplicateEvents
from ._structure import AllowedTransitions as AllowedTransitions
from ._structure import EntryStage as EntryStage
from ._structure import KnownStages as KnownStages
from ._structure import KnownTouchpoints as KnownTouchpoints
from ._structure import NoRegression as NoRegression
from ._structure import NoSkippedStages as NoSkippedStages
from ._structure import TerminalStage as TerminalStage
from ._timing import Deadline as Deadline
from ._timing import MaxDwell as MaxDwell
from ._touchpoints import Match as Match
from ._touchpoints import RequiredTouchpoints as RequiredTouchpoints

__all__ = [
    "DEFAULT_RULES",
    "AllowedTransitions",
    "Deadline",
    "EntryStage",
    "KnownStages",
    "KnownTouchpoints",
    "Match",
    "MaxDwell",
    "MonotonicTime",
    "NoDuplicateEvents",
    "NoRegression",
    "NoSkippedStages",
    "RequiredTouchpoints",
    "TerminalStage",
]


DEFAULT_RULES: Final[tuple[TransitionRule, ...]] = (
    KnownStages(),
    AllowedTransitions(),
    EntryStage(),
)
"""The rules :func:`~touchpath.validation.validate` applies when given none.

Structural checks that need no parameters and hold for any log: every
observed stage is in the map, every stage change is an edge, every journey
starts in an entry stage. :class:`TerminalStage` is left out because it
needs a notion of finished journeys (and most funnels have drop-offs);
:class:`NoSkippedStages` and :class:`NoRegression` are left out because
:class:`AllowedTransitions` already reports every skip and every regression
(adding them would report those moves twice).
"""

"""The rule protocol: what a validation rule is given and what it returns."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, runtime_checkable

import attrs
import numpy as np
import numpy.typing as npt

from .._deprecation import warn_renamed
from .._enums import to_enum
from ..exceptions import ConfigError

if TYPE_CHECKING:
    from ._context import ValidationContext

__all__ = ["Details", "Findings", "RuleOutcome", "Severity", "TransitionRule"]


class Severity(enum.StrEnum):
    """How serious a violation is.

    ``ERROR`` violations make a journey (and a transition) non-conforming,
    are raised by strict mode and, by default, by
    :meth:`~touchpath.validation.ValidationReport.raise_for_violations`.
    ``WARNING`` violations are reported and counted but change no fitness
    score and never raise unless asked to.

    >>> Severity.WARNING < Severity.ERROR
    True
    >>> Severity("error") is Severity.ERROR
    True
    """

    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """0 for ``WARNING``, 1 for ``ERROR``: severities compare by rank."""
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank


_RANK: dict[Severity, int] = {Severity.WARNING: 0, Severity.ERROR: 1}


def to_severity(value: object) -> Severity:
    """A :class:`Severity` from a member or its value; anything else is a ``ConfigError``."""
    return to_enum(Severity, "severity", value)


Details: TypeAlias = Sequence[str] | Callable[[], Sequence[str]]
"""One text per finding saying what is wrong, or a function returning them on demand.

A function lets a rule defer building strings until a report's violations
are looked at (validation of millions of events never formats a message it
does not show).
"""


def _int64_array(value: object) -> npt.NDArray[np.int64]:
    arr = np.asarray(value)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise ConfigError(
            f"finding positions must be a 1-d array of integers; got dtype {arr.dtype} "
            f"and shape {arr.shape}"
        )
    return arr.astype(np.int64, copy=False)


def _codes_array(value: object) -> npt.NDArray[np.int32] | None:
    if value is None:
        return None
    arr = np.asarray(value)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int32)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise ConfigError(
            f"stage codes must be a 1-d array of integers (codes into context.stage_table, "
            f"-1 for none); got dtype {arr.dtype} and shape {arr.shape}"
        )
    return arr.astype(np.int32, copy=False)


@attrs.frozen(eq=False)
class Findings:
    """Events a rule flags, as arrays: one entry per finding.

    ``events`` are positions in the whole :class:`~touchpath.EventLog` (as in
    ``log.timestamps[events]``), not positions within a journey; the report
    turns them into journey ids and event indices. ``from_codes`` and
    ``to_codes`` are the stages of each finding as int32 codes into
    :attr:`ValidationContext.stage_table <touchpath.validation.ValidationContext.stage_table>`
    (``-1``: none; a code from ``log.stage_codes`` is valid as is, and
    ``context.stage_code(name)`` gives the code of any stage name); leave them
    out when the rule is not about stages. ``due`` is only for pending
    findings: when each one turns into a violation if nothing happens.

    >>> f = Findings([3, 7], details=["too early", "too late"])
    >>> (len(f), f.events.tolist(), f.from_codes.tolist())
    (2, [3, 7], [-1, -1])
    """

    events: npt.NDArray[np.int64] = attrs.field(converter=_int64_array)
    """Positions of the flagged events in the log."""
    details: Details = attrs.field(default=())
    """What is wrong at each finding (one text each, or a function returning them)."""
    from_codes: npt.NDArray[np.int32] = attrs.field(default=None, converter=_codes_array)
    """The stage each finding's journey moved from (code into the stage table, -1: none)."""
    to_codes: npt.NDArray[np.int32] = attrs.field(default=None, converter=_codes_array)
    """The stage each finding's journey moved to, or is in (code, -1: none)."""
    due: npt.NDArray[np.int64] | None = attrs.field(default=None)
    """Pending findings only: when each becomes a violation (int64 microseconds, UTC)."""

    def __attrs_post_init__(self) -> None:
        n = len(self.events)
        for field in ("from_codes", "to_codes"):
            value = getattr(self, field)
            if value is None:
                object.__setattr__(self, field, np.full(n, -1, dtype=np.int32))
            elif len(value) != n:
                raise ConfigError(
                    f"Findings.{field} must have one entry per event ({n}); got {len(value)}"
                )
        if self.due is not None:
            due = _int64_array(self.due)
            if len(due) != n:
                raise ConfigError(
                    f"Findings.due must have one entry per event ({n}); got {len(due)}"
                )
            object.__setattr__(self, "due", due)
        if not callable(self.details) and len(self.details) not in (0, n):
            raise ConfigError(
                f"Findings.details must have one text per event ({n}); got {len(self.details)}"
            )

    def __len__(self) -> int:
        return len(self.events)

    @classmethod
    def zero(cls) -> Findings:
        """No findings.

        >>> len(Findings.zero())
        0
        """
        return cls(np.zeros(0, dtype=np.int64))

    @classmethod
    def empty(cls) -> Findings:
        """Deprecated: use :meth:`zero`, the name every empty aggregate uses."""
        warn_renamed("Findings.empty()", "Findings.zero()")
        return cls.zero()

    def texts(self) -> list[str]:
        """The detail texts, computed now if the rule deferred them.

        A rule that gave no details gets an empty text for each finding.

        >>> Findings([1], details=lambda: ["late"]).texts()
        ['late']
        """
        raw: Any = self.details() if callable(self.details) else self.details
        texts = [str(t) for t in raw]
        if not texts and len(self):
            return [""] * len(self)
        if len(texts) != len(self):
            raise ConfigError(
                f"a rule's details must have one text per finding ({len(self)}); got {len(texts)}"
            )
        return texts


@attrs.frozen(eq=False)
class RuleOutcome:
    """What a rule's :meth:`~TransitionRule.check` returns: violations and pending checks.

    A *pending* finding is a check that cannot be decided yet at the
    validation's ``now`` (a deadline that has not passed); it carries
    :attr:`Findings.due`. A rule with no pending notion may return its
    violations as a bare :class:`Findings` instead.

    >>> out = RuleOutcome(Findings([4], details=["late"]))
    >>> (len(out.violations), len(out.pending))
    (1, 0)
    """

    violations: Findings
    """Findings that break the rule."""
    pending: Findings = attrs.field(factory=Findings.zero)
    """Findings that will break the rule at their ``due`` time unless the journey moves on."""

    def __attrs_post_init__(self) -> None:
        if len(self.pending) and self.pending.due is None:
            raise ConfigError("pending findings need 'due' times; got due=None")


@runtime_checkable
class TransitionRule(Protocol):
    """A validation rule: any object with a ``name``, a ``severity`` and ``check``.

    ``check`` gets a :class:`~touchpath.validation.ValidationContext` (the
    log, the map, ``now`` and shared, precomputed arrays such as the stage
    visits and transitions of every journey) and returns the flagged events
    as :class:`Findings` or a :class:`RuleOutcome`. It must work on whole
    arrays, not journey by journey. Rules must be hashable (frozen attrs
    classes are): reports count violations by rule.

    >>> import attrs, numpy as np
    >>> @attrs.frozen
    ... class AtMostEvents:
    ...     limit: int
    ...     severity: Severity = Severity.WARNING
    ...     @property
    ...     def name(self) -> str:
    ...         return f"AtMostEvents({self.limit})"
    ...     def check(self, context):
    ...         log = context.log
    ...         long = np.flatnonzero(log.journey_lengths > self.limit)
    ...         first_extra = log.offsets[long] + self.limit
    ...         return Findings(first_extra, details=[f"more than {self.limit} events"] * len(long))
    >>> isinstance(AtMostEvents(50), TransitionRule)
    True
    """

    @property
    def name(self) -> str:
        """A short label for the rule and its parameters, used in messages and tables."""
        ...

    @property
    def severity(self) -> Severity:
        """How serious a violation of this rule is."""
        ...

    def check(self, context: ValidationContext) -> Findings | RuleOutcome:
        """Flag the events that break the rule (and the checks still pending)."""
        ...

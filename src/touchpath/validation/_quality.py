"""Data-quality rules: time order and repeated events."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np
import numpy.typing as npt

from .._codes import repeated_events
from ._context import ValidationContext
from ._protocol import Findings, Severity, to_severity

if TYPE_CHECKING:
    from .._log import EventLog

__all__ = ["MonotonicTime", "NoDuplicateEvents"]

_I64 = npt.NDArray[np.int64]


@attrs.frozen
class MonotonicTime:
    """Each journey's events must have arrived in time order in the input.

    An :class:`~touchpath.EventLog` is always sorted by time, so this rule
    checks the *input* order it was read in (``log.rows``): an event is
    flagged when an event of the same journey that came earlier in the
    input has a later timestamp (an out-of-order or back-dated event, say
    in a stream that should be append-only). For
    :func:`~touchpath.validation.validate_journey` the input order is the
    order of ``journey.events``, so hand-built journeys whose events are not
    in time order are caught, at their position in ``journey.events``. Ties
    (equal timestamps) are in order. A data-quality check: its default
    severity is ``WARNING``.

    >>> from touchpath import EventLog, JourneyMap
    >>> from touchpath.validation import validate
    >>> m = JourneyMap.builder("m").stage("a").build()
    >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": t, "stage": "a"}
    ...                              for t in (1, 3, 2)])
    >>> [(v.index, v.row) for v in validate(log, m, [MonotonicTime()]).violations]
    [(1, 2)]
    """

    severity: Severity = attrs.field(default=Severity.WARNING, converter=to_severity, kw_only=True)
    """How serious a violation is (default ``WARNING``)."""

    @property
    def name(self) -> str:
        """``MonotonicTime``."""
        return "MonotonicTime"

    def check(self, context: ValidationContext) -> Findings:
        """Flag events that came after a later-timestamped event of their journey in the input."""
        log = context.log
        rows = log.rows
        n = len(rows)
        if n < 2:
            return Findings.zero()
        ej = log.event_journey
        same = ej[1:] == ej[:-1]
        if not bool(np.any(same & (rows[1:] < rows[:-1]))):
            return Findings.zero()
        low = int(rows.min())
        span = int(rows.max()) - low + 1
        if span * (len(log) + 1) < 2**62:
            # suffix minimum of the input position within each journey, in one pass: later
            # journeys get larger keys, so their minima never leak into earlier journeys
            key = (rows - low) + ej * span
            suffix_min = np.minimum.accumulate(key[::-1])[::-1]
            events = np.flatnonzero(key[:-1] > suffix_min[1:])
        else:  # pragma: no cover - needs > 2**62 rows x journeys
            order = np.lexsort((rows, ej))
            running = np.maximum.accumulate(order)
            events = np.sort(order[1:][order[1:] < running[:-1]])
        row_of = rows[events]
        return Findings(
            events,
            details=lambda: [
                f"input row {r} has an earlier timestamp than an event of the journey "
                "that came before it in the input"
                for r in row_of.tolist()
            ],
        )


@attrs.frozen
class NoDuplicateEvents:
    """No event may repeat an earlier one of its journey (time, touchpoint, channel, stage).

    The same test as :attr:`touchpath.EventLog.duplicates`: every repeat is
    flagged, the first of each group is kept. A data-quality check: its
    default severity is ``WARNING``.

    >>> from touchpath import EventLog, JourneyMap
    >>> from touchpath.validation import validate
    >>> m = JourneyMap.builder("m").stage("a").build()
    >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 5, "stage": "a"}] * 2)
    >>> [(v.index, v.severity.value) for v in validate(log, m, [NoDuplicateEvents()]).violations]
    [(1, 'warning')]
    """

    severity: Severity = attrs.field(default=Severity.WARNING, converter=to_severity, kw_only=True)
    """How serious a violation is (default ``WARNING``)."""

    @property
    def name(self) -> str:
        """``NoDuplicateEvents``."""
        return "NoDuplicateEvents"

    def check(self, context: ValidationContext) -> Findings:
        """Flag every event counted by ``log.duplicates``."""
        events = _duplicates(context.log)
        return Findings(
            events,
            details=lambda: (
                [
                    "repeats an earlier event of the journey "
                    "(same time, touchpoint, channel and stage)"
                ]
                * len(events)
            ),
        )


def _duplicates(log: EventLog) -> _I64:
    """Positions of the events ``log.duplicates`` counts, sorted."""
    repeat = repeated_events(
        log.event_journey, log.timestamps, log.touchpoint_codes, log.channel_codes, log.stage_codes
    )
    return np.flatnonzero(repeat).astype(np.int64)

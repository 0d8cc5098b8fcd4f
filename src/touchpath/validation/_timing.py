"""Timing rules: how long a journey may stay in a stage or take between two stages."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np

from .._deprecation import renamed_fields, warn_renamed
from .._time import format_duration
from ..exceptions import ConfigError
from ._context import ValidationContext
from ._protocol import Findings, RuleOutcome, Severity, to_severity
from ._rulekit import (
    as_duration,
    as_within,
    check_stage_id,
    empty_outcome,
    map_stage,
    micros,
    show_length,
)

__all__ = ["Deadline", "MaxDwell"]


@attrs.frozen
class MaxDwell:
    """Time spent in ``stage`` must not exceed ``duration``.

    A stay (visit) runs from the event that enters the stage to the first
    later event in a different stage; events without a stage do not end
    it. A journey still in the stage has been there until ``now``: once
    that exceeds the limit it is a violation (whatever happens next, the
    stay is too long); before that it is *pending*, due when the limit runs
    out. A stay of exactly ``duration`` is fine. Each stay is reported at
    the event that entered the stage.

    >>> from touchpath import EventLog, JourneyMap
    >>> from touchpath.validation import validate
    >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j", "timestamp": "2025-01-01T00:00:00Z", "stage": "a"},
    ...     {"journey_id": "j", "timestamp": "2025-01-09T00:00:00Z", "stage": "b"}])
    >>> print(validate(log, m, [MaxDwell("a", "7 days")]).violations[0].message)
    journey 'j' event 0 (2025-01-01T00:00:00+00:00): stayed in 'a' for 1 week 1 day, \
longer than 1 week [MaxDwell('a', 1 week)]
    """

    stage: str = attrs.field(validator=check_stage_id)
    """The stage whose stays are limited."""
    duration: dt.timedelta = attrs.field(converter=as_duration)
    """The longest allowed stay (``"7 days"``, ``"24h"``, a timedelta, or seconds)."""
    severity: Severity = attrs.field(default=Severity.ERROR, converter=to_severity, kw_only=True)
    """How serious a violation is."""

    @property
    def name(self) -> str:
        """``MaxDwell('<stage>', <duration>)``."""
        return f"MaxDwell({self.stage!r}, {format_duration(micros(self.duration))})"

    def check(self, context: ValidationContext) -> RuleOutcome:
        """Flag stays longer than the limit; list open stays within it as pending."""
        k = map_stage(self, context, self.stage)
        v = context.visits
        ts = context.log.timestamps
        limit = micros(self.duration)
        sel = np.flatnonzero(v.stage == k)
        if not len(sel):
            return empty_outcome()
        entered = ts[v.start[sel]]
        is_open = v.is_last[sel]
        left = np.where(is_open, context.now, ts[np.where(is_open, v.start[sel], v.stop[sel])])
        dwell = left - entered
        over = dwell > limit
        bad = sel[over]
        bad_open = is_open[over]
        bad_dwell = dwell[over]
        next_code = np.where(bad_open, -1, v.code[np.minimum(bad + 1, len(v) - 1)])
        stage = self.stage
        max_text = format_duration(limit)

        def details() -> list[str]:
            out = []
            for d, still in zip(bad_dwell.tolist(), bad_open.tolist(), strict=True):
                if still:
                    out.append(
                        f"has been in {stage!r} for {show_length(d)} at validation time, "
                        f"longer than {max_text}"
                    )
                else:
                    out.append(f"stayed in {stage!r} for {show_length(d)}, longer than {max_text}")
            return out

        violations = Findings(
            v.start[bad],
            details=details,
            from_codes=np.full(len(bad), context.stage_code(stage), dtype=np.int32),
            to_codes=next_code,
        )
        wait = sel[~over & is_open]
        pending = Findings(
            v.start[wait],
            details=lambda: [f"in {stage!r} since this event, allowed {max_text}"] * len(wait),
            from_codes=np.full(len(wait), context.stage_code(stage), dtype=np.int32),
            due=ts[v.start[wait]] + limit,
        )
        return RuleOutcome(violations, pending)


@renamed_fields(within="window")
@attrs.frozen
class Deadline:
    """After entering ``from_stage``, a journey must reach ``to_stage`` within ``window``.

    The clock starts at the event that enters ``from_stage`` and stops at
    the next event in ``to_stage``. Re-entering ``from_stage`` while the
    clock runs does not restart it; after ``to_stage`` is reached, the next
    entry into ``from_stage`` starts a new clock (loop-backs are timed
    again). Reaching ``to_stage`` exactly at the limit is on time. A clock
    still running at ``now`` is *pending* until the limit runs out, then a
    violation. Each clock is reported at the event that started it.

    Example (seed 000): onboarding to first value within 24 hours.

    >>> from touchpath import EventLog, templates
    >>> from touchpath.validation import validate
    >>> m = templates.get("pay_per_call_marketplace")
    >>> log = EventLog.from_records([
    ...     {"journey_id": "fast", "timestamp": "2025-01-01T09:00:00Z", "stage": "onboarding"},
    ...     {"journey_id": "fast", "timestamp": "2025-01-01T15:00:00Z", "stage": "activation"},
    ...     {"journey_id": "slow", "timestamp": "2025-01-01T09:00:00Z", "stage": "onboarding"},
    ...     {"journey_id": "slow", "timestamp": "2025-01-03T09:00:00Z", "stage": "activation"},
    ...     {"journey_id": "new", "timestamp": "2025-01-03T08:00:00Z", "stage": "onboarding"}])
    >>> report = validate(log, m, [Deadline("onboarding", "activation", "24 hours")])
    >>> [(v.journey_id, v.index) for v in report.violations]
    [('slow', 0)]
    >>> [(p.journey_id, p.due.isoformat()) for p in report.pending]
    [('new', '2025-01-04T08:00:00+00:00')]
    """

    from_stage: str = attrs.field(validator=check_stage_id)
    """The stage whose entry starts the clock."""
    to_stage: str = attrs.field(validator=check_stage_id)
    """The stage that must be reached in time."""
    window: dt.timedelta = attrs.field(converter=as_within)
    """The time allowed (``"24 hours"``, ``"P1D"``, a timedelta, or seconds)."""
    severity: Severity = attrs.field(default=Severity.ERROR, converter=to_severity, kw_only=True)
    """How serious a violation is."""

    def __attrs_post_init__(self) -> None:
        if self.from_stage == self.to_stage:
            raise ConfigError(
                f"a deadline needs two different stages; got {self.from_stage!r} twice"
            )

    @property
    def within(self) -> dt.timedelta:
        """Deprecated name of :attr:`window`."""
        warn_renamed("Deadline.within", "Deadline.window")
        return self.window

    @property
    def name(self) -> str:
        """``Deadline('<from>' -> '<to>' within <duration>)``."""
        within = format_duration(micros(self.window))
        return f"Deadline({self.from_stage!r} -> {self.to_stage!r} within {within})"

    def check(self, context: ValidationContext) -> RuleOutcome:
        """Flag late or overdue clocks; list running clocks as pending."""
        a = map_stage(self, context, self.from_stage)
        b = map_stage(self, context, self.to_stage)
        v = context.visits
        ts = context.log.timestamps
        limit = micros(self.window)
        f = np.flatnonzero(v.stage == a)
        if not len(f):
            return empty_outcome()
        to = np.flatnonzero(v.stage == b)
        f_start = v.start[f]
        f_journey = v.journey[f]
        to_start = v.start[to]
        pos = np.searchsorted(to_start, f_start, side="right")
        has = pos < len(to)
        pos_c = np.minimum(pos, max(len(to) - 1, 0))
        if len(to):
            has &= v.journey[to][pos_c] == f_journey
        reached = np.where(has, to_start[pos_c] if len(to) else 0, -1)
        keep = np.ones(len(f), dtype=np.bool_)
        keep[1:] = (f_journey[1:] != f_journey[:-1]) | (reached[1:] != reached[:-1])
        f_start = f_start[keep]
        reached = reached[keep]
        has = has[keep]
        started = ts[f_start]
        end = np.where(has, ts[np.maximum(reached, 0)], context.now)
        elapsed = end - started
        late = elapsed > limit
        running = ~has & ~late
        bad = np.flatnonzero(late)
        bad_has = has[bad]
        bad_elapsed = elapsed[bad]
        bad_reached = reached[bad]
        src, dst = self.from_stage, self.to_stage
        limit_text = format_duration(limit)

        def details() -> list[str]:
            out = []
            where = context.event_index(np.maximum(bad_reached, 0)).tolist()
            for got, d, at in zip(bad_has.tolist(), bad_elapsed.tolist(), where, strict=True):
                if got:
                    out.append(
                        f"{dst!r} reached {show_length(d)} after entering {src!r} "
                        f"(at event {at}), later than {limit_text}"
                    )
                else:
                    out.append(
                        f"{dst!r} not reached within {limit_text} of entering {src!r} "
                        f"({show_length(d)} at validation time)"
                    )
            return out

        violations = Findings(
            f_start[bad],
            details=details,
            from_codes=np.full(len(bad), context.stage_code(src), dtype=np.int32),
            to_codes=np.full(len(bad), context.stage_code(dst), dtype=np.int32),
        )
        wait = np.flatnonzero(running)
        pending = Findings(
            f_start[wait],
            details=lambda: [f"{dst!r} due within {limit_text} of entering {src!r}"] * len(wait),
            from_codes=np.full(len(wait), context.stage_code(src), dtype=np.int32),
            to_codes=np.full(len(wait), context.stage_code(dst), dtype=np.int32),
            due=started[wait] + limit,
        )
        return RuleOutcome(violations, pending)

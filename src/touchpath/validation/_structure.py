"""Structural rules: which stages and moves the map allows, where journeys start and end."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import numpy.typing as npt

from .._time import format_duration
from ._context import UNKNOWN_STAGE, TransitionKind, ValidationContext
from ._protocol import Findings, RuleOutcome, Severity, to_severity
from ._rulekit import (
    as_inactive_after,
    check_max_skip,
    describe_move,
    empty_outcome,
    hint_for,
    micros,
    quoted,
    transition_findings,
    why,
)

__all__ = [
    "AllowedTransitions",
    "EntryStage",
    "KnownStages",
    "KnownTouchpoints",
    "NoRegression",
    "NoSkippedStages",
    "TerminalStage",
]


@attrs.frozen
class AllowedTransitions:
    """Every stage change must follow an edge of the map: forward, or a marked loop-back.

    Staying in a stage is not a transition, and events without a stage are
    ignored (a touch with no stage does not move the journey). Moves from
    or to a stage the map does not have are left to :class:`KnownStages`.
    The violation is reported at the event that enters the new stage.

    >>> from touchpath import EventLog, JourneyMap
    >>> from touchpath.validation import validate
    >>> m = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c").build()
    >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": t, "stage": s}
    ...                              for t, s in enumerate(["a", "a", "c"])])
    >>> print(validate(log, m, [AllowedTransitions()]).violations[0].message)
    journey 'j' event 2 (1970-01-01T00:00:02+00:00): 'a' -> 'c' is not a transition of the map: \
it skips 1 stage ('b') [AllowedTransitions]
    """

    severity: Severity = attrs.field(default=Severity.ERROR, converter=to_severity, kw_only=True)
    """How serious a violation is."""

    @property
    def name(self) -> str:
        """``AllowedTransitions``."""
        return "AllowedTransitions"

    def check(self, context: ValidationContext) -> Findings:
        """Flag transitions of kind ``SKIP``, ``REGRESSION`` or ``SIDEWAYS``."""
        t = context.transitions
        bad = t.mask(TransitionKind.SKIP, TransitionKind.REGRESSION, TransitionKind.SIDEWAYS)
        return transition_findings(context, np.flatnonzero(bad), _explain_not_allowed)


def _explain_not_allowed(
    context: ValidationContext, a_code: int, b_code: int, a: int, b: int, kind: int, n: int
) -> str:
    return (
        f"{describe_move(context, a_code, b_code)} is not a transition of the map: "
        f"it {why(context, a, b, kind, n)}"
    )


@attrs.frozen
class NoSkippedStages:
    """A forward move may not jump over more than ``max_skip`` stages.

    A move with no edge of its own but a forward path of ``k`` edges skips
    ``k - 1`` stages (counted along a shortest forward path). Backward and
    sideways moves are not this rule's business (see :class:`NoRegression`
    and :class:`AllowedTransitions`).

    >>> from touchpath import EventLog, JourneyMap
    >>> from touchpath.validation import validate
    >>> m = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c").build()
    >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": t, "stage": s}
    ...                              for t, s in enumerate(["a", "c"])])
    >>> [v.index for v in validate(log, m, [NoSkippedStages()]).violations]
    [1]
    >>> validate(log, m, [NoSkippedStages(max_skip=1)]).violations
    ()
    """

    max_skip: int = attrs.field(default=0, validator=check_max_skip)
    """How many stages a forward move may jump over."""
    severity: Severity = attrs.field(default=Severity.ERROR, converter=to_severity, kw_only=True)
    """How serious a violation is."""

    @property
    def name(self) -> str:
        """``NoSkippedStages(max_skip=<n>)``."""
        return f"NoSkippedStages(max_skip={self.max_skip})"

    def check(self, context: ValidationContext) -> Findings:
        """Flag ``SKIP`` transitions that jump over more than ``max_skip`` stages."""
        t = context.transitions
        bad = t.mask(TransitionKind.SKIP) & (t.skipped > self.max_skip)
        return transition_findings(context, np.flatnonzero(bad), _explain_skip)


def _explain_skip(
    context: ValidationContext, a_code: int, b_code: int, a: int, b: int, kind: int, n: int
) -> str:
    return f"{describe_move(context, a_code, b_code)} {why(context, a, b, kind, n)}"


@attrs.frozen
class NoRegression:
    """No move backwards, except along the map's loop-back edges.

    A move is backwards when the target comes before the source on a
    forward path of the map. Sideways moves between branches (no forward
    path either way) are not regressions; :class:`AllowedTransitions`
    catches them.

    >>> from touchpath import EventLog, JourneyMap
    >>> from touchpath.validation import validate
    >>> m = (JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c")
    ...      .loop_back("c", "b").build())
    >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": t, "stage": s}
    ...                              for t, s in enumerate(["a", "b", "c", "b", "a"])])
    >>> [(v.index, v.from_stage, v.to_stage) for v in validate(log, m, [NoRegression()]).violations]
    [(4, 'b', 'a')]
    """

    severity: Severity = attrs.field(default=Severity.ERROR, converter=to_severity, kw_only=True)
    """How serious a violation is."""

    @property
    def name(self) -> str:
        """``NoRegression``."""
        return "NoRegression"

    def check(self, context: ValidationContext) -> Findings:
        """Flag ``REGRESSION`` transitions."""
        t = context.transitions
        bad = np.flatnonzero(t.mask(TransitionKind.REGRESSION))
        return transition_findings(context, bad, _explain_regression)


def _explain_regression(
    context: ValidationContext, a_code: int, b_code: int, a: int, b: int, kind: int, n: int
) -> str:
    return f"{describe_move(context, a_code, b_code)} {why(context, a, b, kind, n)}"


@attrs.frozen
class KnownStages:
    """Every observed stage must be a stage of the map.

    Reported once per visit to an unknown stage, at the visit's first
    event, with the closest stage ids of the map as a hint. (Whatever the
    rules, fitness never counts an unknown stage as conforming.)

    >>> from touchpath import EventLog, JourneyMap
    >>> from touchpath.validation import validate
    >>> m = JourneyMap.builder("m").stage("awareness").stage("decision").build()
    >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "decison"}])
    >>> print(validate(log, m, [KnownStages()]).violations[0].message)
    journey 'j' event 0 (1970-01-01T00:00:00+00:00): stage 'decison' is not in map 'm' \
(closest: 'decision') [KnownStages]
    """

    severity: Severity = attrs.field(default=Severity.ERROR, converter=to_severity, kw_only=True)
    """How serious a violation is."""

    @property
    def name(self) -> str:
        """``KnownStages``."""
        return "KnownStages"

    def check(self, context: ValidationContext) -> Findings:
        """Flag the first event of every visit to a stage the map lacks."""
        v = context.visits
        idx = np.flatnonzero(v.stage == UNKNOWN_STAGE)
        codes = v.code[idx]
        prev = np.where(v.is_first[idx], -1, v.code[np.maximum(idx - 1, 0)])
        known = context.journey_map.stage_ids
        map_name = context.journey_map.name
        names = context.log.stage_ids

        def details() -> list[str]:
            texts = {
                c: f"stage {names[c]!r} is not in map {map_name!r} ({hint_for(names[c], known)})"
                for c in set(codes.tolist())
            }
            return [texts[c] for c in codes.tolist()]

        return Findings(
            v.start[idx],
            details=details,
            from_codes=prev,
            to_codes=codes,
        )


@attrs.frozen
class KnownTouchpoints:
    """Every observed touchpoint must be a touchpoint of the map.

    Reported at every event whose touchpoint the map lacks, with the
    closest touchpoint ids as a hint. Events without a touchpoint (a
    channel only) are fine.

    >>> from touchpath import EventLog, JourneyMap
    >>> from touchpath.validation import validate
    >>> m = (JourneyMap.builder("m").stage("a")
    ...      .touchpoint("pricing_page", channel="web", stage="a").build())
    >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0,
    ...                               "touchpoint": "pricing_pgae"}])
    >>> print(validate(log, m, [KnownTouchpoints()]).violations[0].message)
    journey 'j' event 0 (1970-01-01T00:00:00+00:00): touchpoint 'pricing_pgae' is not in map 'm' \
(closest: 'pricing_page') [KnownTouchpoints]
    """

    severity: Severity = attrs.field(default=Severity.ERROR, converter=to_severity, kw_only=True)
    """How serious a violation is."""

    @property
    def name(self) -> str:
        """``KnownTouchpoints``."""
        return "KnownTouchpoints"

    def check(self, context: ValidationContext) -> Findings:
        """Flag every event whose touchpoint the map lacks."""
        log = context.log
        m = context.journey_map
        unknown = np.array([not m.has_touchpoint(t) for t in log.touchpoint_ids] + [False])
        if not unknown.any():
            return Findings.zero()
        events = np.flatnonzero(unknown[log.touchpoint_codes])
        codes = log.touchpoint_codes[events]
        known = tuple(tp.id for tp in m.touchpoints)
        names = log.touchpoint_ids

        def details() -> list[str]:
            texts = {
                c: f"touchpoint {names[c]!r} is not in map {m.name!r} ({hint_for(names[c], known)})"
                for c in set(codes.tolist())
            }
            return [texts[c] for c in codes.tolist()]

        return Findings(events, details=details)


@attrs.frozen
class EntryStage:
    """A journey's first stage must be an entry stage of the map.

    Checks the journey's first event that has a stage (events before it
    without a stage are ignored); journeys with no stage at all are not
    checked.

    >>> from touchpath import EventLog, JourneyMap
    >>> from touchpath.validation import validate
    >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
    >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "b"}])
    >>> [(v.index, v.to_stage) for v in validate(log, m, [EntryStage()]).violations]
    [(0, 'b')]
    """

    severity: Severity = attrs.field(default=Severity.ERROR, converter=to_severity, kw_only=True)
    """How serious a violation is."""

    @property
    def name(self) -> str:
        """``EntryStage``."""
        return "EntryStage"

    def check(self, context: ValidationContext) -> Findings:
        """Flag the first staged event of journeys that start outside the entry stages."""
        m = context.journey_map
        ok = np.zeros(len(m) + 1, dtype=np.bool_)
        entry = m.entry_stages
        ok[[m.stage_index(s) for s in entry]] = True
        v = context.visits
        first = np.flatnonzero(v.is_first)
        idx = first[~ok[context.extended_index(v.stage[first])]]
        codes = v.code[idx]
        names = context.log.stage_ids

        def details() -> list[str]:
            return [
                f"the journey starts in {names[c]!r}, which is not an entry stage "
                f"(entry: {quoted(entry)})"
                for c in codes.tolist()
            ]

        return Findings(v.start[idx], details=details, to_codes=codes)


@attrs.frozen
class TerminalStage:
    """A *finished* journey must end in a terminal stage of the map.

    A journey is finished when its last event (of any kind) is more than
    ``inactive_after`` before the validation's ``now``. Journeys active more
    recently are still in progress: they are not failures, and if they are
    not in a terminal stage they are listed as *pending*, due when they
    would count as finished. With ``inactive_after=None`` (the default)
    every journey counts as finished: use that for a closed, historical
    log. The violation is reported at the journey's last staged event.
    Journeys with no stage at all are not checked.

    Note that in most funnels many journeys drop off before the end, so
    this rule is not among the default rules.

    >>> from touchpath import EventLog, JourneyMap
    >>> from touchpath.validation import validate
    >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
    >>> log = EventLog.from_records([
    ...     {"journey_id": "old", "timestamp": "2025-01-01T00:00:00Z", "stage": "a"},
    ...     {"journey_id": "new", "timestamp": "2025-03-01T00:00:00Z", "stage": "a"}])
    >>> report = validate(log, m, [TerminalStage(inactive_after="30 days")])
    >>> ([v.journey_id for v in report.violations], [p.journey_id for p in report.pending])
    (['old'], ['new'])
    """

    inactive_after: dt.timedelta | None = attrs.field(default=None, converter=as_inactive_after)
    """Inactivity after which a journey counts as finished (None: every journey is finished)."""
    severity: Severity = attrs.field(default=Severity.ERROR, converter=to_severity, kw_only=True)
    """How serious a violation is."""

    @property
    def name(self) -> str:
        """``TerminalStage`` or ``TerminalStage(inactive_after=<duration>)``."""
        if self.inactive_after is None:
            return "TerminalStage"
        return f"TerminalStage(inactive_after={format_duration(micros(self.inactive_after))})"

    def check(self, context: ValidationContext) -> RuleOutcome:
        """Flag finished journeys outside a terminal stage; list unfinished ones as pending."""
        m = context.journey_map
        ok = np.zeros(len(m) + 1, dtype=np.bool_)
        terminal = m.terminal_stages
        ok[[m.stage_index(s) for s in terminal]] = True
        v = context.visits
        log = context.log
        last = np.flatnonzero(v.is_last)
        last = last[~ok[context.extended_index(v.stage[last])]]
        if not len(last):
            return empty_outcome()
        journey_end = log.timestamps[log.offsets[1:][v.journey[last]] - 1]
        if self.inactive_after is None:
            finished = np.ones(len(last), dtype=np.bool_)
            window = 0
        else:
            window = micros(self.inactive_after)
            finished = context.now - journey_end > window
        names = log.stage_ids
        terms = quoted(terminal)

        def make(mask: npt.NDArray[np.bool_], pending: bool) -> Findings:
            sel = last[mask]
            codes = v.code[sel]

            def details() -> list[str]:
                if pending:
                    return [
                        f"the journey is in {names[c]!r}, not a terminal stage "
                        f"(terminal: {terms}), and counts as finished unless it moves on"
                        for c in codes.tolist()
                    ]
                return [
                    f"the journey ended in {names[c]!r}, which is not a terminal stage "
                    f"(terminal: {terms})"
                    for c in codes.tolist()
                ]

            return Findings(
                v.last_of(sel),
                details=details,
                from_codes=codes,
                due=journey_end[mask] + window if pending else None,
            )

        return RuleOutcome(make(finished, False), make(~finished, True))

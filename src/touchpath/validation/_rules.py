"""The shipped validation rules: structural, timing, touchpoint and data-quality checks.

Every rule is a frozen attrs config class implementing
:class:`~touchpath.validation.TransitionRule`. Each check runs on whole
numpy arrays of the log; only the flagged events are turned into Python
objects, and only when a report's violations are looked at.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from .._deprecation import renamed_fields, warn_renamed
from .._time import format_duration, parse_duration
from ..exceptions import ConfigError, NotFoundError
from ._context import UNKNOWN_STAGE, TransitionKind, ValidationContext
from ._protocol import Findings, RuleOutcome, Severity, TransitionRule, to_severity

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

if TYPE_CHECKING:
    from .._log import EventLog

_I64 = npt.NDArray[np.int64]


# -- converters and small helpers ------------------------------------------------------------


def _to_timedelta(value: object, name: str) -> dt.timedelta:
    return dt.timedelta(microseconds=parse_duration(value, name=name))


# attrs converters must be named functions for the mypy plugin to type ``__init__``.
def _duration(value: object) -> dt.timedelta:
    return _to_timedelta(value, "duration")


def _within(value: object) -> dt.timedelta:
    return _to_timedelta(value, "window")


def _inactive_after(value: object) -> dt.timedelta | None:
    return None if value is None else _to_timedelta(value, "inactive_after")


def _us(value: dt.timedelta) -> int:
    return (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds


def _stage_id(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{attribute.name!r} must be a non-empty stage id; got {value!r}")


def _touchpoint_ids(value: object) -> tuple[str, ...]:
    items: tuple[object, ...]
    if isinstance(value, str):
        items = (value,)
    elif isinstance(value, Iterable):
        items = tuple(value)
    else:
        raise ConfigError(f"'touchpoints' must be touchpoint ids; got {value!r}")
    if not items:
        raise ConfigError("'touchpoints' must name at least one touchpoint; got none")
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"'touchpoints' must be non-empty touchpoint ids; got {item!r}")
    if len(set(items)) != len(items):
        raise ConfigError(f"'touchpoints' must not repeat an id; got {items!r}")
    return tuple(str(i) for i in items)


def _max_skip(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"'max_skip' must be a non-negative integer; got {value!r}")


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(repr(n) for n in names)


def _hint(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3)
    if close:
        return f"closest: {_quoted(close)}"
    return "no similar name"


def _map_stage(rule: TransitionRule, context: ValidationContext, stage: str) -> int:
    try:
        return context.journey_map.stage_index(stage)
    except NotFoundError as exc:
        raise ConfigError(f"rule {rule.name} names {exc}") from None


def _length(us: int) -> str:
    """A duration in words, to its two largest units ("7 weeks 4 days", "2 days 1 hour")."""
    words = format_duration(us).split()
    return " ".join(words[:4])


def _empty_outcome() -> RuleOutcome:
    return RuleOutcome(Findings.empty())


def _transition_findings(
    context: ValidationContext,
    idx: _I64,
    explain: Callable[[ValidationContext, int, int, int, int, int, int], str],
) -> Findings:
    """Findings at transitions ``idx``, details from ``explain`` once per distinct move."""
    t = context.transitions
    src_code = t.source_code[idx]
    dst_code = t.target_code[idx]

    def details() -> list[str]:
        lookup = context.stage_lookup.tolist()
        kind_table, skip_table = t.tables
        cache: dict[tuple[int, int], str] = {}
        out: list[str] = []
        for a, b in zip(src_code.tolist(), dst_code.tolist(), strict=True):
            text = cache.get((a, b))
            if text is None:
                kind = int(kind_table[a, b])
                skipped = int(skip_table[a, b])
                text = explain(context, a, b, lookup[a], lookup[b], kind, skipped)
                cache[(a, b)] = text
            out.append(text)
        return out

    return Findings(t.event[idx], details=details, from_codes=src_code, to_codes=dst_code)


_KIND_BY_CODE: Final = {k.code: k for k in TransitionKind}


def _move(context: ValidationContext, a_code: int, b_code: int) -> str:
    names = context.log.stage_ids
    return f"{names[a_code]!r} -> {names[b_code]!r}"


def _why(context: ValidationContext, a: int, b: int, kind: int, skipped: int) -> str:
    k = _KIND_BY_CODE[kind]
    if k is TransitionKind.SKIP:
        between = context.shortest_forward_path(a, b)[1:-1]
        plural = "" if skipped == 1 else "s"
        return f"skips {skipped} stage{plural} ({_quoted(between)})"
    if k is TransitionKind.REGRESSION:
        return "moves back, and the map marks no loop-back edge for it"
    return "moves between stages that no forward path joins"


# -- structural rules ------------------------------------------------------------------------


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
        return _transition_findings(context, np.flatnonzero(bad), _explain_not_allowed)


def _explain_not_allowed(
    context: ValidationContext, a_code: int, b_code: int, a: int, b: int, kind: int, n: int
) -> str:
    return (
        f"{_move(context, a_code, b_code)} is not a transition of the map: "
        f"it {_why(context, a, b, kind, n)}"
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

    max_skip: int = attrs.field(default=0, validator=_max_skip)
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
        return _transition_findings(context, np.flatnonzero(bad), _explain_skip)


def _explain_skip(
    context: ValidationContext, a_code: int, b_code: int, a: int, b: int, kind: int, n: int
) -> str:
    return f"{_move(context, a_code, b_code)} {_why(context, a, b, kind, n)}"


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
        return _transition_findings(context, bad, _explain_regression)


def _explain_regression(
    context: ValidationContext, a_code: int, b_code: int, a: int, b: int, kind: int, n: int
) -> str:
    return f"{_move(context, a_code, b_code)} {_why(context, a, b, kind, n)}"


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
                c: f"stage {names[c]!r} is not in map {map_name!r} ({_hint(names[c], known)})"
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
            return Findings.empty()
        events = np.flatnonzero(unknown[log.touchpoint_codes])
        codes = log.touchpoint_codes[events]
        known = tuple(tp.id for tp in m.touchpoints)
        names = log.touchpoint_ids

        def details() -> list[str]:
            texts = {
                c: f"touchpoint {names[c]!r} is not in map {m.name!r} ({_hint(names[c], known)})"
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
                f"(entry: {_quoted(entry)})"
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

    inactive_after: dt.timedelta | None = attrs.field(default=None, converter=_inactive_after)
    """Inactivity after which a journey counts as finished (None: every journey is finished)."""
    severity: Severity = attrs.field(default=Severity.ERROR, converter=to_severity, kw_only=True)
    """How serious a violation is."""

    @property
    def name(self) -> str:
        """``TerminalStage`` or ``TerminalStage(inactive_after=<duration>)``."""
        if self.inactive_after is None:
            return "TerminalStage"
        return f"TerminalStage(inactive_after={format_duration(_us(self.inactive_after))})"

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
            return _empty_outcome()
        journey_end = log.timestamps[log.offsets[1:][v.journey[last]] - 1]
        if self.inactive_after is None:
            finished = np.ones(len(last), dtype=np.bool_)
            window = 0
        else:
            window = _us(self.inactive_after)
            finished = context.now - journey_end > window
        names = log.stage_ids
        terms = _quoted(terminal)

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


# -- timing rules --------------------------------------------------------------------------


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

    stage: str = attrs.field(validator=_stage_id)
    """The stage whose stays are limited."""
    duration: dt.timedelta = attrs.field(converter=_duration)
    """The longest allowed stay (``"7 days"``, ``"24h"``, a timedelta, or seconds)."""
    severity: Severity = attrs.field(default=Severity.ERROR, converter=to_severity, kw_only=True)
    """How serious a violation is."""

    @property
    def name(self) -> str:
        """``MaxDwell('<stage>', <duration>)``."""
        return f"MaxDwell({self.stage!r}, {format_duration(_us(self.duration))})"

    def check(self, context: ValidationContext) -> RuleOutcome:
        """Flag stays longer than the limit; list open stays within it as pending."""
        k = _map_stage(self, context, self.stage)
        v = context.visits
        ts = context.log.timestamps
        limit = _us(self.duration)
        sel = np.flatnonzero(v.stage == k)
        if not len(sel):
            return _empty_outcome()
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
                        f"has been in {stage!r} for {_length(d)} at validation time, "
                        f"longer than {max_text}"
                    )
                else:
                    out.append(f"stayed in {stage!r} for {_length(d)}, longer than {max_text}")
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

    from_stage: str = attrs.field(validator=_stage_id)
    """The stage whose entry starts the clock."""
    to_stage: str = attrs.field(validator=_stage_id)
    """The stage that must be reached in time."""
    window: dt.timedelta = attrs.field(converter=_within)
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
        within = format_duration(_us(self.window))
        return f"Deadline({self.from_stage!r} -> {self.to_stage!r} within {within})"

    def check(self, context: ValidationContext) -> RuleOutcome:
        """Flag late or overdue clocks; list running clocks as pending."""
        a = _map_stage(self, context, self.from_stage)
        b = _map_stage(self, context, self.to_stage)
        v = context.visits
        ts = context.log.timestamps
        limit = _us(self.window)
        f = np.flatnonzero(v.stage == a)
        if not len(f):
            return _empty_outcome()
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
                        f"{dst!r} reached {_length(d)} after entering {src!r} "
                        f"(at event {at}), later than {limit_text}"
                    )
                else:
                    out.append(
                        f"{dst!r} not reached within {limit_text} of entering {src!r} "
                        f"({_length(d)} at validation time)"
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


# -- touchpoint rules ---------------------------------------------------------------------


class Match(enum.StrEnum):
    """Whether a stage needs every listed touchpoint or any one of them.

    >>> Match.ANY.value
    'any'
    """

    ALL = "all"
    ANY = "any"


def _match(value: object) -> Match:
    if isinstance(value, Match):
        return value
    try:
        return Match(str(value))
    except ValueError:
        raise ConfigError(
            f"'match' must be one of {[m.value for m in Match]}; got {value!r}"
        ) from None


@attrs.frozen
class RequiredTouchpoints:
    """A journey may not pass ``stage`` without its required touchpoints.

    A stay in the stage is *passed* when the journey moves on to another
    stage; its events are those from entering the stage up to that move,
    including events without a stage. With ``match=Match.ALL`` (the
    default) every listed touchpoint must occur during the stay, with
    ``Match.ANY`` at least one. Stays the journey has not left yet are not
    judged. The violation is reported at the event that leaves the stage.

    >>> from touchpath import EventLog, templates
    >>> from touchpath.validation import validate
    >>> m = templates.get("b2b_five_stage")
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j", "timestamp": 0, "stage": "decision", "touchpoint": "ae_call"},
    ...     {"journey_id": "j", "timestamp": 1, "stage": "retention"}])
    >>> rule = RequiredTouchpoints("decision", ["ae_call", "pricing_page"])
    >>> print(validate(log, m, [rule]).violations[0].message)
    journey 'j' event 1 (1970-01-01T00:00:01+00:00): left 'decision' without 'pricing_page' \
[RequiredTouchpoints('decision', all of 'ae_call', 'pricing_page')]
    """

    stage: str = attrs.field(validator=_stage_id)
    """The stage whose stays are checked."""
    touchpoints: tuple[str, ...] = attrs.field(converter=_touchpoint_ids)
    """Touchpoint ids (a single id is fine)."""
    match: Match = attrs.field(default=Match.ALL, converter=_match)
    """Whether all listed touchpoints are needed or any one of them."""
    severity: Severity = attrs.field(default=Severity.ERROR, converter=to_severity, kw_only=True)
    """How serious a violation is."""

    @property
    def name(self) -> str:
        """``RequiredTouchpoints('<stage>', all of ...)`` (or ``any of``)."""
        wanted = f"{self.match.value} of {_quoted(self.touchpoints)}"
        return f"RequiredTouchpoints({self.stage!r}, {wanted})"

    def check(self, context: ValidationContext) -> Findings:
        """Flag the event leaving each stay that lacks the required touchpoints."""
        k = _map_stage(self, context, self.stage)
        m = context.journey_map
        for tp in self.touchpoints:
            if not m.has_touchpoint(tp):
                known = tuple(t.id for t in m.touchpoints)
                raise ConfigError(
                    f"rule {self.name} names {NotFoundError('touchpoint', tp, choices=known)}"
                )
        v = context.visits
        log = context.log
        sel = np.flatnonzero((v.stage == k) & ~v.is_last)
        if not len(sel):
            return Findings.empty()
        start = v.start[sel]
        stop = v.stop[sel]
        present = np.zeros((len(sel), len(self.touchpoints)), dtype=np.bool_)
        codes = {name: i for i, name in enumerate(log.touchpoint_ids)}
        for j, tp in enumerate(self.touchpoints):
            code = codes.get(tp)
            if code is None:
                continue
            at = np.flatnonzero(log.touchpoint_codes == code)
            present[:, j] = np.searchsorted(at, stop) > np.searchsorted(at, start)
        ok = present.all(axis=1) if self.match is Match.ALL else present.any(axis=1)
        bad = np.flatnonzero(~ok)
        missing = ~present[bad]
        tps = self.touchpoints
        stage = self.stage
        any_of = self.match is Match.ANY

        def details() -> list[str]:
            if any_of:
                return [f"left {stage!r} without any of {_quoted(tps)}"] * len(bad)
            return [
                f"left {stage!r} without "
                f"{_quoted(t for t, miss in zip(tps, row, strict=True) if miss)}"
                for row in missing.tolist()
            ]

        nxt = sel[bad] + 1
        return Findings(
            stop[bad],
            details=details,
            from_codes=np.full(len(bad), context.stage_code(stage), dtype=np.int32),
            to_codes=v.code[nxt],
        )


# -- data-quality rules -------------------------------------------------------------------


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
            return Findings.empty()
        ej = log.event_journey
        same = ej[1:] == ej[:-1]
        if not bool(np.any(same & (rows[1:] < rows[:-1]))):
            return Findings.empty()
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
    """Positions of the events ``log.duplicates`` counts, sorted.

    Only events sharing journey and timestamp with a neighbour can repeat one
    another (the log is sorted by journey and time), so only those are sorted
    by (journey, time, touchpoint, channel, stage, position); within each
    group of equal events all but the first (by position) are repeats.
    """
    ts = log.timestamps
    ej = log.event_journey
    if len(ts) < 2:
        return np.zeros(0, dtype=np.int64)
    tied = (ts[1:] == ts[:-1]) & (ej[1:] == ej[:-1])
    if not tied.any():
        return np.zeros(0, dtype=np.int64)
    candidate = np.zeros(len(ts), dtype=np.bool_)
    candidate[1:] |= tied
    candidate[:-1] |= tied
    pos = np.flatnonzero(candidate)
    keys = (
        log.stage_codes[pos],
        log.channel_codes[pos],
        log.touchpoint_codes[pos],
        ts[pos],
        ej[pos],
    )
    order = np.lexsort(keys)  # stable: equal events keep their position order
    same = np.ones(len(pos) - 1, dtype=np.bool_)
    for key in keys:
        k = key[order]
        same &= k[1:] == k[:-1]
    return np.sort(pos[order][1:][same])


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

"""validate() and validate_journey(): run the rules over a log and build the report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .._log import EventLog, Journey
from .._map import JourneyMap
from .._time import parse_instant, to_datetime
from ..exceptions import (
    ConfigError,
    JourneyViolation,
    UnsupportedInputError,
)
from ._context import UNKNOWN_STAGE, TransitionKind, ValidationContext
from ._coverage import coverage
from ._protocol import Findings, RuleOutcome, Severity, TransitionRule
from ._report import ValidationCounts, ValidationReport, _Table, edge_counts
from ._rules import DEFAULT_RULES

__all__ = ["validate", "validate_journey"]

_I64 = npt.NDArray[np.int64]


def _check_rules(rules: Sequence[TransitionRule] | None) -> tuple[TransitionRule, ...]:
    if rules is None:
        return DEFAULT_RULES
    candidate: object = rules
    if isinstance(candidate, TransitionRule | str | bytes):
        raise ConfigError(f"'rules' must be a sequence of rules; got {candidate!r}")
    out = tuple(rules)
    seen: set[TransitionRule] = set()
    for rule in out:
        if isinstance(rule, type):
            raise ConfigError(
                f"'rules' must hold rule instances; got the class {rule.__name__} "
                f"(write {rule.__name__}())"
            )
        if not isinstance(rule, TransitionRule):
            raise ConfigError(
                f"'rules' must hold objects with name, severity and check() "
                f"(the TransitionRule protocol); got {rule!r}"
            )
        try:
            if rule in seen:
                raise ConfigError(f"rule {rule.name} is given twice in 'rules'")
        except TypeError:
            raise ConfigError(
                f"rules must be hashable (use a frozen attrs class); got {rule!r}"
            ) from None
        seen.add(rule)
    return out


def _resolve_now(log: EventLog, now: Any) -> int | None:
    last = int(log.timestamps.max()) if log.n_events else None
    if now is None:
        return last
    value = parse_instant(now, "now")
    if last is not None and value < last:
        raise ConfigError(
            f"'now' must not be before the log's last event ({to_datetime(last).isoformat()}); "
            f"got {to_datetime(value).isoformat()}"
        )
    return value


def _table(context: ValidationContext, parts: Sequence[Findings], *, pending: bool) -> _Table:
    """All rules' findings in one table, sorted by event, then rule order."""
    n = context.log.n_events
    texts = tuple(_Texts(p) for p in parts)
    sizes = [len(p) for p in parts]
    if sum(sizes) == 0:
        z = np.zeros(0, dtype=np.int64)
        z32 = np.zeros(0, dtype=np.int32)
        return _Table(z, z32, z, z32, z32, z if pending else None, texts)
    events = np.concatenate([p.events for p in parts])
    lo, hi = int(events.min()), int(events.max())
    if lo < 0 or hi >= n:
        raise ConfigError(
            f"a rule flagged event positions outside the log (0 to {n - 1}); got {lo} to {hi}"
        )
    rule = np.repeat(np.arange(len(parts), dtype=np.int32), sizes)
    local = np.concatenate([np.arange(k, dtype=np.int64) for k in sizes])
    # each rule's findings are usually sorted already: a stable sort merges the runs fast
    order = np.argsort(events * len(parts) + rule, kind="stable")
    due = None
    if pending:
        due = np.concatenate(
            [p.due if p.due is not None else np.zeros(len(p), np.int64) for p in parts]
        )[order]
    limit = len(context.stage_table)
    from_codes = np.concatenate([p.from_codes for p in parts])[order]
    to_codes = np.concatenate([p.to_codes for p in parts])[order]
    for codes in (from_codes, to_codes):
        if len(codes) and (int(codes.min()) < -1 or int(codes.max()) >= limit):
            raise ConfigError(
                f"a rule gave stage codes outside the stage table (-1 to {limit - 1}); "
                f"got {int(codes.min())} to {int(codes.max())}"
            )
    return _Table(
        event=events[order],
        rule=rule[order],
        local=local[order],
        from_codes=from_codes,
        to_codes=to_codes,
        due=due,
        texts=texts,
    )


class _Texts:
    """Resolve a Findings' details once, on first call."""

    def __init__(self, findings: Findings) -> None:
        self._findings: Findings | None = findings
        self._texts: list[str] | None = None

    def __call__(self) -> list[str]:
        if self._texts is None:
            assert self._findings is not None
            self._texts = self._findings.texts()
            self._findings = None
        return self._texts


def _conformance(
    context: ValidationContext, table: _Table, rules: tuple[TransitionRule, ...]
) -> tuple[int, int, int]:
    """(conforming journeys, transitions, conforming transitions)."""
    log = context.log
    is_error = np.array([r.severity >= Severity.ERROR for r in rules] + [False])
    err_events = table.event[is_error[table.rule]] if len(table) else table.event
    bad_journey = np.zeros(len(log), dtype=np.bool_)
    bad_journey[log.event_journey[err_events]] = True
    v = context.visits
    bad_journey[v.journey[v.stage == UNKNOWN_STAGE]] = True
    t = context.transitions
    bad_t = t.mask(TransitionKind.UNKNOWN)
    if len(err_events) and len(t):
        bad_event = np.zeros(log.n_events, dtype=np.bool_)
        bad_event[err_events] = True
        bad_t |= bad_event[t.event]
    return (
        len(log) - int(np.count_nonzero(bad_journey)),
        len(t),
        len(t) - int(np.count_nonzero(bad_t)),
    )


def _unknown_stage_events(context: ValidationContext) -> dict[str, int]:
    lookup = context.stage_lookup[:-1]
    unknown = np.flatnonzero(lookup == UNKNOWN_STAGE)
    if not len(unknown):
        return {}
    log = context.log
    codes = log.stage_codes
    counts = np.bincount(codes[codes >= 0], minlength=len(log.stage_ids))
    return {log.stage_ids[c]: int(counts[c]) for c in unknown.tolist()}


def _run(
    log: EventLog,
    journey_map: JourneyMap,
    rules: Sequence[TransitionRule] | None,
    *,
    strict: bool,
    now: Any,
    index_by_row: bool,
) -> ValidationReport:
    given: object = log
    if not isinstance(given, EventLog):
        hint = " (use validate_journey for one Journey)" if isinstance(given, Journey) else ""
        raise UnsupportedInputError(f"validate needs an EventLog{hint}; got {type(given).__name__}")
    if not isinstance(journey_map, JourneyMap):
        raise UnsupportedInputError(
            f"validate needs a JourneyMap to validate against; got {type(journey_map).__name__}"
        )
    checked = _check_rules(rules)
    now_us = _resolve_now(log, now)
    context = ValidationContext(log, journey_map, now=now_us if now_us is not None else 0)
    found: list[Findings] = []
    waiting: list[Findings] = []
    for rule in checked:
        outcome = rule.check(context)
        if isinstance(outcome, Findings):
            outcome = RuleOutcome(outcome)
        elif not isinstance(outcome, RuleOutcome):
            raise ConfigError(
                f"rule {rule.name}.check() must return Findings or RuleOutcome; "
                f"got {type(outcome).__name__}"
            )
        found.append(outcome.violations)
        waiting.append(outcome.pending)
    covered = coverage(log, journey_map)
    violations = _table(context, found, pending=False)
    pending = _table(context, waiting, pending=True)
    conforming_journeys, n_transitions, conforming_transitions = _conformance(
        context, violations, checked
    )
    per_rule = np.bincount(violations.rule, minlength=len(checked)).tolist()
    by_severity: dict[Severity, int] = {}
    for rule, n in zip(checked, per_rule, strict=True):
        by_severity[rule.severity] = by_severity.get(rule.severity, 0) + n
    counts = ValidationCounts(
        journeys=len(log),
        conforming_journeys=conforming_journeys,
        events=log.n_events,
        transitions=n_transitions,
        conforming_transitions=conforming_transitions,
        violations=len(violations),
        pending=len(pending),
        by_rule=dict(zip(checked, per_rule, strict=True)),
        by_edge=edge_counts(violations.from_codes, violations.to_codes, context.stage_table),
        by_severity={s: n for s, n in by_severity.items() if n},
        unknown_stages=_unknown_stage_events(context),
        map_stage_events=sum(covered.stages.found.values()),
    )
    report = ValidationReport(
        journey_map_name=journey_map.name,
        rules=checked,
        now=to_datetime(now_us) if now_us is not None else None,
        counts=counts,
        log=log,
        stage_table=context.stage_table,
        violations_table=violations,
        pending_table=pending,
        index_by_row=index_by_row,
        coverage=covered,
    )
    if strict:
        first = report.first_violation(Severity.ERROR)
        if first is not None:
            raise JourneyViolation(first.message, first)
    return report


def validate(
    log: EventLog,
    journey_map: JourneyMap,
    rules: Sequence[TransitionRule] | None = None,
    *,
    strict: bool = False,
    now: dt.datetime | str | int | float | None = None,
) -> ValidationReport:
    """Check every journey of ``log`` against ``journey_map`` and report what breaks the rules.

    ``rules`` defaults to :data:`~touchpath.validation.DEFAULT_RULES`
    (:class:`KnownStages`, :class:`AllowedTransitions`, :class:`EntryStage`).
    ``now`` is the time at which deadlines and open stays are judged and
    journeys count as finished or still in progress: an aware datetime,
    ISO-8601 text with an offset, or epoch seconds; by default the log's
    last timestamp (right for a
    historical export; pass the current time for live data). It may not be
    before the log's last event. With ``strict=True`` the first ``ERROR``
    violation (first journey in log order, then first event, then rule
    order) is raised at once as a :class:`~touchpath.exceptions.JourneyViolation`
    carrying the :class:`Violation`; warnings never raise.

    The report carries the log's :func:`~touchpath.coverage` of the map. When
    no event is in a stage of the map (no stage column, or other stage
    names), the fitness scores are NaN, :attr:`ValidationReport.undefined_reason`
    says why, and reading :attr:`ValidationReport.journey_fitness` or
    :attr:`~ValidationReport.transition_fitness` issues
    :class:`~touchpath.exceptions.UndefinedResultWarning`: an empty question
    is not a perfect journey (rules on touchpoints or data quality still run).

    Every rule runs over whole arrays of the log; violations become Python
    objects only when the report's :attr:`~ValidationReport.violations`
    are looked at.

    >>> from touchpath import EventLog, templates
    >>> m = templates.get("pay_per_call_marketplace")
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j1", "timestamp": "2025-01-01T00:00:00Z", "stage": "awareness"},
    ...     {"journey_id": "j1", "timestamp": "2025-01-02T00:00:00Z", "stage": "decision"}])
    >>> report = validate(log, m)
    >>> [(v.journey_id, v.index, v.from_stage, v.to_stage) for v in report.violations]
    [('j1', 1, 'awareness', 'decision')]
    >>> validate(log, m, strict=True)
    Traceback (most recent call last):
    ...
    touchpath.exceptions.JourneyViolation: journey 'j1' event 1 (2025-01-02T00:00:00+00:00): \
'awareness' -> 'decision' is not a transition of the map: it skips 1 stage ('consideration') \
[AllowedTransitions]
    """
    return _run(log, journey_map, rules, strict=strict, now=now, index_by_row=False)


def validate_journey(
    journey: Journey,
    journey_map: JourneyMap,
    rules: Sequence[TransitionRule] | None = None,
    *,
    strict: bool = False,
    now: dt.datetime | str | int | float | None = None,
) -> ValidationReport:
    """Validate one :class:`~touchpath.Journey` (e.g. hand-built, or from ``log.journey(id)``).

    Same rules, defaults and report as :func:`validate` (the journey is
    validated as a one-journey log), except that a violation's ``index``
    and ``row`` are positions in ``journey.events`` as given, even when the
    events are not in time order (:class:`MonotonicTime` reports those).

    >>> import pendulum
    >>> from touchpath import Event, Journey, templates
    >>> t0 = pendulum.datetime(2025, 1, 1)
    >>> j = Journey("j", (Event("j", 0, t0, stage="awareness"),
    ...                   Event("j", 1, t0.add(days=1), stage="decision")))
    >>> [(v.index, v.to_stage) for v in
    ...  validate_journey(j, templates.get("b2b_five_stage")).violations]
    [(1, 'decision')]
    """
    if not isinstance(journey, Journey):
        raise UnsupportedInputError(
            f"validate_journey needs a Journey (use validate for an EventLog); "
            f"got {type(journey).__name__}"
        )
    records = [
        {
            "journey_id": journey.id,
            "timestamp": e.timestamp,
            "touchpoint": e.touchpoint,
            "channel": e.channel,
            "stage": e.stage,
            "converted": e.converted,
            "value": e.value,
            "campaign": e.campaign,
            "cost": e.cost,
            "segment": e.segment,
            "account": e.account,
        }
        for e in journey.events
    ]
    if not records:
        raise ConfigError(f"journey {journey.id!r} has no events to validate")
    log = EventLog.from_records(records)
    return _run(log, journey_map, rules, strict=strict, now=now, index_by_row=True)

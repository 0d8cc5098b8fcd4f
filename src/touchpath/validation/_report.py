"""Validation results: violations, pending checks, mergeable counts and the report."""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from .._columns import Columns, to_arrow, to_pandas, to_polars, utc_times
from .._deprecation import warn_renamed
from .._table import Column, ColumnKind, Table
from ..exceptions import (
    JourneyViolation,
    UndefinedResultWarning,
    ViolationsFound,
)
from ._columns import ViolationColumns
from ._protocol import Severity, TransitionRule, to_severity

if TYPE_CHECKING:
    from .._log import EventLog
    from .._map import JourneyMap
    from ..metrics._ratio import Ratio
    from ._coverage import Coverage

__all__ = ["Pending", "ValidationCounts", "ValidationReport", "Violation"]

_I64 = npt.NDArray[np.int64]
_O = npt.NDArray[np.object_]
Edge = tuple[str | None, str | None]


@attrs.frozen
class Violation:
    """One broken rule at one event of one journey.

    >>> from touchpath import EventLog, JourneyMap
    >>> from touchpath.validation import validate
    >>> m = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c").build()
    >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": t, "stage": s}
    ...                              for t, s in enumerate(["a", "c"])])
    >>> v = validate(log, m).violations[0]
    >>> (v.journey_id, v.index, v.from_stage, v.to_stage, v.rule.name, v.severity.value)
    ('j', 1, 'a', 'c', 'AllowedTransitions', 'error')
    >>> log.journey(v.journey_id).events[v.index].stage
    'c'
    """

    journey_id: str
    """The journey."""
    index: int
    """Position of the event in its journey, as in ``log.journey(journey_id).events[index]``."""
    timestamp: dt.datetime
    """When the event happened (UTC)."""
    from_stage: str | None
    """The stage the journey moved from, where the rule is about a move (else None)."""
    to_stage: str | None
    """The stage the journey moved to (or, for some rules, is in), else None."""
    rule: TransitionRule
    """The rule that was broken."""
    severity: Severity
    """The rule's severity."""
    message: str
    """Which journey, which event, what is wrong and which rule, in one line."""
    row: int
    """Position of the event's row in the input the log was read from."""


@attrs.frozen
class Pending:
    """A check not decided yet: it becomes a violation at ``due`` unless the journey moves on.

    >>> from touchpath import EventLog, templates
    >>> from touchpath.validation import Deadline, validate
    >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": "2025-01-01T00:00:00Z",
    ...                               "stage": "onboarding"}])
    >>> p = validate(log, templates.get("pay_per_call_marketplace"),
    ...              [Deadline("onboarding", "activation", "24h")]).pending[0]
    >>> (p.journey_id, p.index, p.due.isoformat())
    ('j', 0, '2025-01-02T00:00:00+00:00')
    """

    journey_id: str
    """The journey."""
    index: int
    """Position of the event that started the check, as in ``Violation.index``."""
    timestamp: dt.datetime
    """When that event happened (UTC)."""
    from_stage: str | None
    """The stage concerned (e.g. the stage whose entry started a deadline's clock)."""
    to_stage: str | None
    """The stage that is due, where there is one."""
    rule: TransitionRule
    """The rule that will be broken at ``due``."""
    severity: Severity
    """The rule's severity."""
    due: dt.datetime
    """When the check turns into a violation if nothing happens."""
    message: str
    """Which journey, which event, what is due when, and which rule, in one line."""
    row: int
    """Position of the event's row in the input the log was read from."""


def _count_map(value: object) -> dict[Any, int]:
    out: dict[Any, int] = dict(value)  # type: ignore[call-overload]
    return out


def _add_maps(a: Mapping[Any, int], b: Mapping[Any, int]) -> dict[Any, int]:
    out = dict(a)
    for key, n in b.items():
        out[key] = out.get(key, 0) + n
    return out


@attrs.frozen(hash=False)
class ValidationCounts:
    """The counts of a validation, small and mergeable: ``a + b``, ``ValidationCounts.zero()``.

    Counts of logs with disjoint journeys add up to the counts of the
    combined log (validate the parts with the same rules and the same
    explicit ``now``), so a large log can be validated in parts, and
    yesterday's counts plus today's are the counts of both days.

    **Fitness.** A *transition* is a change of stage between consecutive
    events of a journey that have a stage (events without a stage are
    skipped). :attr:`transition_fitness` is the share of transitions that
    conform: both stages are in the map and no ``ERROR`` violation is
    reported at the event that enters the new stage. :attr:`journey_fitness`
    is the share of journeys that conform: no ``ERROR`` violation anywhere
    in the journey and no event in a stage the map lacks. Unknown stages
    never count as conforming, whichever rules run. Both are
    :class:`~touchpath.metrics.Ratio` s, undefined (``0/0``) when there is
    nothing to count or no event is in a stage of the map.

    >>> from touchpath import EventLog, JourneyMap
    >>> m = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c").build()
    >>> def log_of(jid, stages):
    ...     return EventLog.from_records([{"journey_id": jid, "timestamp": t, "stage": s}
    ...                                   for t, s in enumerate(stages)])
    >>> a = ValidationCounts.from_log(log_of("x", ["a", "b", "c"]), m, now=100)
    >>> b = ValidationCounts.from_log(log_of("y", ["a", "c"]), m, now=100)
    >>> total = a + b
    >>> (total.journeys, total.conforming_journeys, total.transitions, total.transition_fitness)
    (2, 1, 3, Ratio(2/3 = 0.666667))
    >>> a + ValidationCounts.zero() == a
    True
    """

    journeys: int = 0
    """Journeys validated."""
    conforming_journeys: int = 0
    """Journeys that conform (see :attr:`journey_fitness`)."""
    events: int = 0
    """Events validated."""
    transitions: int = 0
    """Stage changes observed."""
    conforming_transitions: int = 0
    """Stage changes that conform (see :attr:`transition_fitness`)."""
    violations: int = 0
    """Violations of every severity."""
    pending: int = 0
    """Checks still pending at the validation's ``now``."""
    by_rule: dict[TransitionRule, int] = attrs.field(factory=dict, converter=_count_map)
    """Violations per rule (every rule that ran appears, with 0 if it found nothing)."""
    by_edge: dict[Edge, int] = attrs.field(factory=dict, converter=_count_map)
    """Violations per (from stage, to stage) pair; None where a rule names no stage."""
    by_severity: dict[Severity, int] = attrs.field(factory=dict, converter=_count_map)
    """Violations per severity."""
    unknown_stages: dict[str, int] = attrs.field(factory=dict, converter=_count_map)
    """Events per observed stage name that the map lacks."""
    map_stage_events: int = 0
    """Events whose stage is one of the map's. When it is 0 the data says nothing about the
    map's stages, so both fitness scores are undefined (NaN), not 100 %."""

    @classmethod
    def zero(cls) -> ValidationCounts:
        """The counts of an empty log: the neutral element of ``+``.

        >>> ValidationCounts.zero().journeys
        0
        """
        return cls()

    @classmethod
    def from_log(
        cls,
        log: EventLog,
        journey_map: JourneyMap,
        rules: Sequence[TransitionRule] | None = None,
        *,
        now: Any = None,
    ) -> ValidationCounts:
        """Validate ``log`` and keep only the counts (see :func:`validate` for the arguments).

        >>> from touchpath import EventLog, templates
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0,
        ...                               "stage": "awareness"}])
        >>> ValidationCounts.from_log(log, templates.get("b2b_five_stage")).journey_fitness
        Ratio(1/1 = 1)
        """
        from ._validate import validate

        return validate(log, journey_map, rules, now=now).counts

    def __add__(self, other: object) -> ValidationCounts:
        if not isinstance(other, ValidationCounts):
            return NotImplemented
        return ValidationCounts(
            journeys=self.journeys + other.journeys,
            conforming_journeys=self.conforming_journeys + other.conforming_journeys,
            events=self.events + other.events,
            transitions=self.transitions + other.transitions,
            conforming_transitions=self.conforming_transitions + other.conforming_transitions,
            violations=self.violations + other.violations,
            pending=self.pending + other.pending,
            by_rule=_add_maps(self.by_rule, other.by_rule),
            by_edge=_add_maps(self.by_edge, other.by_edge),
            by_severity=_add_maps(self.by_severity, other.by_severity),
            unknown_stages=_add_maps(self.unknown_stages, other.unknown_stages),
            map_stage_events=self.map_stage_events + other.map_stage_events,
        )

    def __radd__(self, other: object) -> ValidationCounts:
        if other == 0:  # so that sum(counts) works
            return self
        return NotImplemented

    @property
    def journey_fitness(self) -> Ratio:
        """Share of journeys that conform, with its parts (e.g. for a confidence interval);
        undefined (``0/0``) for no journeys, or no event in a map stage.

        >>> fitness = ValidationCounts(journeys=40, conforming_journeys=30,
        ...                            map_stage_events=1).journey_fitness
        >>> fitness, f"{fitness.interval():.3f}"
        (Ratio(30/40 = 0.75), '[0.598, 0.858]')
        """
        from ..metrics._ratio import Ratio

        if not self.map_stage_events:
            return Ratio(0, 0)
        return Ratio(self.conforming_journeys, self.journeys)

    @property
    def transition_fitness(self) -> Ratio:
        """Share of transitions that conform (conforming over all transitions); undefined
        (``0/0``) for no transitions, or no event in a map stage.

        >>> ValidationCounts(transitions=8, conforming_transitions=6,
        ...                  map_stage_events=1).transition_fitness
        Ratio(6/8 = 0.75)
        """
        from ..metrics._ratio import Ratio

        if not self.map_stage_events:
            return Ratio(0, 0)
        return Ratio(self.conforming_transitions, self.transitions)

    @property
    def journey_fitness_ratio(self) -> Ratio:
        """Deprecated name of :attr:`journey_fitness` (now a Ratio itself)."""
        warn_renamed("ValidationCounts.journey_fitness_ratio", "ValidationCounts.journey_fitness")
        return self.journey_fitness

    @property
    def transition_fitness_ratio(self) -> Ratio:
        """Deprecated name of :attr:`transition_fitness` (now a Ratio itself)."""
        warn_renamed(
            "ValidationCounts.transition_fitness_ratio", "ValidationCounts.transition_fitness"
        )
        return self.transition_fitness

    @property
    def errors(self) -> int:
        """Violations of severity ``ERROR``."""
        return self.by_severity.get(Severity.ERROR, 0)


_UTC: Final = dt.UTC


def _datetimes(us: _I64) -> list[dt.datetime]:
    """Aware UTC datetimes of microsecond timestamps (fast: one numpy conversion)."""
    return [
        dt.datetime(d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond, tzinfo=_UTC)
        for d in us.astype("datetime64[us]").tolist()
    ]


def _isoformats(us: _I64) -> list[str]:
    """ISO-8601 texts (``+00:00``) of microsecond timestamps, as pendulum writes them."""
    return [d.isoformat() + "+00:00" for d in us.astype("datetime64[us]").tolist()]


@attrs.frozen(eq=False)
class _Table:
    """Columnar findings of all rules, sorted by event then rule; rows become objects lazily."""

    event: _I64
    """Positions in the log."""
    rule: npt.NDArray[np.int32]
    """Index of the rule in the report's rules."""
    local: _I64
    """Position of the finding in its rule's Findings."""
    from_codes: npt.NDArray[np.int32]
    to_codes: npt.NDArray[np.int32]
    due: _I64 | None
    texts: Sequence[Callable[[], list[str]]]
    """Per rule: its details, computed on first call."""

    def __len__(self) -> int:
        return len(self.event)


@attrs.frozen(eq=False)
class _Rows:
    """The per-finding columns a table's objects and data frames need."""

    journey_ids: list[str]
    index: list[int]
    time: _I64
    row: list[int]
    from_stages: list[str | None]
    to_stages: list[str | None]
    rules: list[TransitionRule]
    messages: list[str]


def _detail(message: str, jid: str, index: int, rule: str) -> str:
    """A violation's message without what a table's other columns show (journey, event,
    time, rule): the inverse of :func:`_message` for display.

    >>> _detail("journey 'j' event 3 (2025-01-01T00:00:00+00:00): stage 'x' unknown [Known]",
    ...         "j", 3, "Known")
    "stage 'x' unknown"
    """
    head = f"journey {jid!r} event {index} ("
    if message.startswith(head) and "): " in message:
        message = message.split("): ", 1)[1]
    return message.removesuffix(f" [{rule}]")


def _message(jid: str, index: int, iso: str, detail: str, rule: str, due: str | None) -> str:
    text = f"journey {jid!r} event {index} ({iso}): {detail}"
    if due is not None:
        text += f"; due {due}"
    return f"{text} [{rule}]"


@attrs.frozen(eq=False, repr=False)
class ValidationReport:
    """Everything a validation found: violations, pending checks, counts and fitness.

    Violations are ordered by journey (log order), then by event, then by
    the order of the rules. They are built as objects only when first
    looked at, so validating a large log stays fast.

    >>> from touchpath import EventLog, JourneyMap
    >>> from touchpath.validation import validate
    >>> m = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c").build()
    >>> log = EventLog.from_records([
    ...     {"journey_id": "ok", "timestamp": 0, "stage": "a"},
    ...     {"journey_id": "ok", "timestamp": 1, "stage": "b"},
    ...     {"journey_id": "skip", "timestamp": 0, "stage": "a"},
    ...     {"journey_id": "skip", "timestamp": 1, "stage": "c"}])
    >>> report = validate(log, m)
    >>> report
    <ValidationReport 'm': 1 violation (1 error) in 2 journeys; journey fitness 50.0%, \
transition fitness 50.0%, 0 pending>
    >>> report.by_edge
    {('a', 'c'): 1}
    """

    journey_map_name: str
    """Name of the map the log was validated against."""
    rules: tuple[TransitionRule, ...]
    """The rules that ran, in order."""
    now: dt.datetime | None
    """The validation time (None for an empty log validated without an explicit ``now``)."""
    counts: ValidationCounts
    """The mergeable counts (see :class:`ValidationCounts`)."""
    _log: EventLog = attrs.field(alias="log")
    _stage_table: tuple[str, ...] = attrs.field(alias="stage_table")
    _violations: _Table = attrs.field(alias="violations_table")
    _pending: _Table = attrs.field(alias="pending_table")
    _index_by_row: bool = attrs.field(default=False, alias="index_by_row")
    coverage: Coverage | None = None
    """What of the map the log contains (see :func:`touchpath.coverage`)."""
    _cache: dict[str, Any] = attrs.field(factory=dict, init=False)

    @property
    def undefined_reason(self) -> str | None:
        """Why the fitness scores are undefined (None when they are defined).

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate
        >>> import warnings
        >>> m = JourneyMap.builder("m").stage("a").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "ads"}])
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     validate(log, m).undefined_reason
        "no event has a stage, so the journeys cannot be validated against the map 'm' \
(journey fitness is undefined)"
        """
        c = self.counts
        if c.map_stage_events or not c.events:
            return None
        if not c.unknown_stages:
            why = "no event has a stage"
        else:
            why = (
                "no event is in a stage of the map (the data's stages: "
                + ", ".join(repr(s) for s in list(c.unknown_stages)[:8])
                + ")"
            )
        return (
            f"{why}, so the journeys cannot be validated against the map "
            f"{self.journey_map_name!r} (journey fitness is undefined)"
        )

    # -- the findings as objects -------------------------------------------------------------

    def _rows(self, table: _Table, positions: _I64 | None = None) -> _Rows:
        """Columns of the findings at ``positions`` (all of them when None)."""
        key = "rows" if table is self._violations else "pending_rows"
        if positions is None and key in self._cache:
            cached: _Rows = self._cache[key]
            return cached
        sel = np.arange(len(table)) if positions is None else positions
        log = self._log
        events = table.event[sel]
        journey = log.event_journey[events]
        index = log.rows[events] if self._index_by_row else events - log.offsets[journey]
        time = log.timestamps[events]
        names: list[str | None] = [*self._stage_table, None]
        rule_idx = table.rule[sel].tolist()
        needed = set(rule_idx)  # build the texts of the rules that are shown only
        per_rule = [fn() if r in needed else [] for r, fn in enumerate(table.texts)]
        rules = [self.rules[r] for r in rule_idx]
        details = [per_rule[r][i] for r, i in zip(rule_idx, table.local[sel].tolist(), strict=True)]
        jids = log.journey_ids[journey].tolist()
        index_list = index.tolist()
        isos = _isoformats(time)
        dues: list[str | None]
        dues = [None] * len(sel) if table.due is None else list(_isoformats(table.due[sel]))
        rule_names = {id(r): r.name for r in self.rules}
        rows = _Rows(
            journey_ids=jids,
            index=index_list,
            time=time,
            row=log.rows[events].tolist(),
            from_stages=[names[c] for c in table.from_codes[sel].tolist()],
            to_stages=[names[c] for c in table.to_codes[sel].tolist()],
            rules=rules,
            messages=[
                _message(j, i, iso, d, rule_names[id(r)], due)
                for j, i, iso, d, r, due in zip(
                    jids, index_list, isos, details, rules, dues, strict=True
                )
            ],
        )
        if positions is None:
            self._cache[key] = rows
        return rows

    def _violation_objects(self, positions: _I64 | None = None) -> list[Violation]:
        rows = self._rows(self._violations, positions)
        return [
            Violation(
                journey_id=jid,
                index=index,
                timestamp=ts,
                from_stage=a,
                to_stage=b,
                rule=rule,
                severity=rule.severity,
                message=message,
                row=row,
            )
            for jid, index, ts, a, b, rule, message, row in zip(
                rows.journey_ids,
                rows.index,
                _datetimes(rows.time),
                rows.from_stages,
                rows.to_stages,
                rows.rules,
                rows.messages,
                rows.row,
                strict=True,
            )
        ]

    @property
    def violations(self) -> tuple[Violation, ...]:
        """Every violation, by journey, then event, then rule order."""
        cached: tuple[Violation, ...] | None = self._cache.get("violations")
        if cached is None:
            cached = tuple(self._violation_objects())
            self._cache["violations"] = cached
        return cached

    def iter_violations(self, chunk: int = 10_000) -> Iterator[Violation]:
        """The violations in :attr:`violations` order, built ``chunk`` at a time.

        Unlike :attr:`violations`, never holds more than one chunk of objects.

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "b"}])
        >>> [v.rule.name for v in validate(log, m).iter_violations()]
        ['EntryStage']
        """
        for start in range(0, len(self._violations), max(1, chunk)):
            stop = min(start + max(1, chunk), len(self._violations))
            yield from self._violation_objects(np.arange(start, stop, dtype=np.int64))

    def columns(self) -> ViolationColumns:
        """The violations as columns of codes, for frames without one object per violation.

        See :class:`~touchpath.validation.ViolationColumns` (its ``to_pandas``,
        ``to_polars`` and ``to_arrow``); rows are in :attr:`violations` order.
        """
        table, log = self._violations, self._log
        events = table.event
        journey = log.event_journey[events]
        index = log.rows[events] if self._index_by_row else events - log.offsets[journey]
        seen, local = np.unique(journey, return_inverse=True)
        return ViolationColumns(
            journey=local.reshape(-1).astype(np.int64),
            journey_names=tuple(log.journey_ids[seen].tolist()),
            index=np.asarray(index, dtype=np.int64),
            timestamp=np.asarray(log.timestamps[events], dtype=np.int64),
            from_stage=np.asarray(table.from_codes, dtype=np.int32),
            to_stage=np.asarray(table.to_codes, dtype=np.int32),
            stages=tuple(self._stage_table),
            rule=np.asarray(table.rule, dtype=np.int32),
            rule_names=tuple(r.name for r in self.rules),
            severities=tuple(r.severity.value for r in self.rules),
            row=np.asarray(log.rows[events], dtype=np.int64),
        )

    @property
    def pending(self) -> tuple[Pending, ...]:
        """Checks not decided at ``now`` (deadlines not yet passed), by journey, then event."""
        cached: tuple[Pending, ...] | None = self._cache.get("pending")
        if cached is None:
            table = self._pending
            rows = self._rows(table)
            assert table.due is not None
            cached = tuple(
                Pending(
                    journey_id=jid,
                    index=index,
                    timestamp=ts,
                    from_stage=a,
                    to_stage=b,
                    rule=rule,
                    severity=rule.severity,
                    due=due,
                    message=message,
                    row=row,
                )
                for jid, index, ts, a, b, rule, due, message, row in zip(
                    rows.journey_ids,
                    rows.index,
                    _datetimes(rows.time),
                    rows.from_stages,
                    rows.to_stages,
                    rows.rules,
                    _datetimes(table.due),
                    rows.messages,
                    rows.row,
                    strict=True,
                )
            )
            self._cache["pending"] = cached
        return cached

    def first_violation(self, min_severity: Severity = Severity.ERROR) -> Violation | None:
        """The first violation (journey order, then event order) at or above a severity.

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "b"}])
        >>> validate(log, m).first_violation().rule.name
        'EntryStage'
        """
        hits = np.flatnonzero(self._severity_mask(to_severity(min_severity)))
        if not len(hits):
            return None
        return self._violation_objects(hits[:1])[0]

    def _severity_mask(self, min_severity: Severity) -> npt.NDArray[np.bool_]:
        ok = np.array([r.severity >= min_severity for r in self.rules] + [False])
        mask: npt.NDArray[np.bool_] = ok[self._violations.rule]
        return mask

    def for_journey(self, journey_id: str) -> tuple[Violation, ...]:
        """The violations of one journey, in event order.

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "b"}])
        >>> len(validate(log, m).for_journey("j"))
        1
        """
        j = self._log.journey_index(journey_id)
        lo, hi = int(self._log.offsets[j]), int(self._log.offsets[j + 1])
        ev = self._violations.event
        a, b = np.searchsorted(ev, lo), np.searchsorted(ev, hi)
        return tuple(self._violation_objects(np.arange(a, b, dtype=np.int64)))

    # -- summaries ------------------------------------------------------------------------------

    @property
    def ok(self) -> bool:
        """True when no ``ERROR`` violation was found (warnings and pending checks allowed)."""
        return self.counts.errors == 0

    @property
    def journey_fitness(self) -> Ratio:
        """Share of journeys that conform; see :class:`ValidationCounts` for the definition.

        Undefined (``0/0``), with an :class:`~touchpath.exceptions.UndefinedResultWarning`
        saying why, when no event is in a stage of the map (:attr:`undefined_reason`).
        """
        self._warn_undefined()
        return self.counts.journey_fitness

    @property
    def transition_fitness(self) -> Ratio:
        """Share of transitions that conform; see :class:`ValidationCounts` for the definition.

        Undefined, with a warning, when no event is in a stage of the map (as
        :attr:`journey_fitness`).
        """
        self._warn_undefined()
        return self.counts.transition_fitness

    def _warn_undefined(self) -> None:
        reason = self.undefined_reason
        if reason is not None:
            warnings.warn(reason, UndefinedResultWarning, stacklevel=3)

    @property
    def by_rule(self) -> dict[TransitionRule, int]:
        """Violations per rule."""
        return dict(self.counts.by_rule)

    @property
    def by_edge(self) -> dict[Edge, int]:
        """Violations per (from stage, to stage)."""
        return dict(self.counts.by_edge)

    def raise_for_violations(self, min_severity: Severity = Severity.ERROR) -> None:
        """Raise every violation at or above ``min_severity`` together, if there is any.

        The exception is a :class:`~touchpath.exceptions.ViolationsFound`, an
        ``ExceptionGroup`` of :class:`~touchpath.exceptions.JourneyViolation`
        (each carrying its :class:`Violation` as ``.violation``) that is also a
        :class:`~touchpath.TouchpathError`.

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "b"}])
        >>> validate(log, m).raise_for_violations()
        Traceback (most recent call last):
        ...
        touchpath.exceptions.ViolationsFound: 1 validation violation in 1 journey against map 'm' \
(1 sub-exception)
        """
        positions = np.flatnonzero(self._severity_mask(to_severity(min_severity)))
        if not len(positions):
            return
        found = self._violation_objects(positions)
        n_journeys = len({v.journey_id for v in found})
        plural = "" if len(found) == 1 else "s"
        jplural = "" if n_journeys == 1 else "s"
        raise ViolationsFound(
            f"{len(found)} validation violation{plural} in {n_journeys} journey{jplural} "
            f"against map {self.journey_map_name!r}",
            [JourneyViolation(v.message, v) for v in found],
        )

    # -- tables ---------------------------------------------------------------------------------

    def _frame(self, table: _Table, what: str) -> Any:
        return to_pandas(self._columns(table), what=f"ValidationReport.{what}")

    def _columns(self, table: _Table) -> Columns:
        rows = self._rows(table)
        columns: Columns = {
            "journey_id": np.array(list(rows.journey_ids), dtype=object),
            "index": np.asarray(rows.index, dtype=np.int64),
            "timestamp": utc_times(rows.time),
            "from_stage": np.array(list(rows.from_stages), dtype=object),
            "to_stage": np.array(list(rows.to_stages), dtype=object),
            "rule": [r.name for r in rows.rules],
            "severity": [r.severity.value for r in rows.rules],
        }
        if table.due is not None:
            columns["due"] = utc_times(table.due)
        columns["message"] = list(rows.messages)
        columns["row"] = np.asarray(rows.row, dtype=np.int64)
        return columns

    def to_polars(self) -> Any:
        """The columns of :meth:`to_pandas` as a polars DataFrame."""
        return self.to_table().to_polars()

    def to_arrow(self) -> Any:
        """The columns of :meth:`to_pandas` as a pyarrow Table."""
        return self.to_table().to_arrow()

    def to_pandas(self) -> Any:
        """The violations as a pandas DataFrame, one row each (needs ``touchpath[pandas]``).

        Columns: ``journey_id``, ``index``, ``timestamp`` (UTC), ``from_stage``,
        ``to_stage``, ``rule`` (its name), ``severity``, ``message``, ``row``.

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "b"}])
        >>> validate(log, m).to_pandas()[["journey_id", "index", "rule"]]
          journey_id  index        rule
        0          j      0  EntryStage
        """
        return self.to_table().to_pandas()

    def pending_to_pandas(self) -> Any:
        """The pending checks as a pandas DataFrame (the columns of :meth:`to_pandas` and ``due``).

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate, MaxDwell
        >>> m = JourneyMap.builder("m").stage("a").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "a"}])
        >>> str(validate(log, m, [MaxDwell("a", "1 day")]).pending_to_pandas()["due"][0])
        '1970-01-02 00:00:00+00:00'
        """
        return self._frame(self._pending, "pending_to_pandas()")

    def pending_to_polars(self) -> Any:
        """The columns of :meth:`pending_to_pandas` as a polars DataFrame (needs
        ``touchpath[polars]``).

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate, MaxDwell
        >>> m = JourneyMap.builder("m").stage("a").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "a"}])
        >>> str(validate(log, m, [MaxDwell("a", "1 day")]).pending_to_polars()["due"][0])
        '1970-01-02 00:00:00+00:00'
        """
        what = "ValidationReport.pending_to_polars()"
        return to_polars(self._columns(self._pending), what=what)

    def pending_to_arrow(self) -> Any:
        """The columns of :meth:`pending_to_pandas` as a pyarrow Table (needs
        ``touchpath[arrow]``).

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate, MaxDwell
        >>> m = JourneyMap.builder("m").stage("a").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "a"}])
        >>> validate(log, m, [MaxDwell("a", "1 day")]).pending_to_arrow().column("due")[0]
        <pyarrow.TimestampScalar: '1970-01-02T00:00:00.000000+0000'>
        """
        what = "ValidationReport.pending_to_arrow()"
        return to_arrow(self._columns(self._pending), what=what)

    def __repr__(self) -> str:
        c = self.counts
        plural = "" if c.violations == 1 else "s"

        def pct(x: float) -> str:
            return "n/a" if math.isnan(x) else f"{x:.1%}"

        return (
            f"<ValidationReport {self.journey_map_name!r}: {c.violations:,} violation{plural} "
            f"({c.errors:,} error{'' if c.errors == 1 else 's'}) in {c.journeys:,} journeys; "
            f"journey fitness {pct(c.journey_fitness.value_or(math.nan))}, transition fitness "
            f"{pct(c.transition_fitness.value_or(math.nan))}, {c.pending:,} pending>"
        )

    # -- notebook and report display (touchpath._repr, touchpath.report) -----------------------

    def to_table(self, *, limit: int | None = None) -> Table:
        """The violations, one row each (the first ``limit``; all by default): the
        columns of :meth:`to_pandas`; text and HTML show journey, event, time, rule,
        severity and message. With a ``limit`` (a table to read) a ``detail`` column
        replaces the message on screen: the finding without the journey, event, time
        and rule that have their own columns.

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "b"}])
        >>> validate(log, m).to_table().values("rule")
        ['EntryStage']
        """
        data = self._columns(self._violations)
        c = self.counts
        if limit is not None:
            data = {k: v[:limit] for k, v in data.items()}
            data["detail"] = [
                _detail(m, j, i, r)
                for m, j, i, r in zip(
                    data["message"], data["journey_id"], data["index"], data["rule"], strict=True
                )
            ]
        shown = len(data["journey_id"])
        return Table.from_columns(
            data,
            [
                Column("journey_id", "journey"),
                Column("index", "event", ColumnKind.COUNT),
                Column("timestamp", "time", ColumnKind.TIME),
                Column("from_stage", "from"),
                Column("to_stage", "to"),
                Column("rule"),
                Column("severity"),
                Column("message", shown=limit is None),
                *([Column("detail")] if limit is not None else []),
            ],
            name="violations",
            title=(
                f"First {shown:,} of {c.violations:,} violations"
                if shown < c.violations
                else "Violations"
            ),
            note=self._summary(),
            source="ValidationReport",
        )

    def summary_table(self) -> Table:
        """The counts: journeys, events, violations, errors, warnings, pending and the two
        fitness rates (undefined when no journey or move could be checked).

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate
        >>> m = JourneyMap.builder("m").stage("a").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "a"}])
        >>> validate(log, m).summary_table().row(0)
        [1, 1, 0, 0, 0, 0, 1.0, None]
        """
        c = self.counts
        count, rate = ColumnKind.COUNT, ColumnKind.RATE
        keys = ("journeys", "events", "violations", "errors", "warnings", "pending")
        values = (c.journeys, c.events, c.violations, c.errors, c.violations - c.errors, c.pending)
        data: dict[str | int, Any] = {k: [v] for k, v in zip(keys, values, strict=True)}
        data["journey_fitness"] = [c.journey_fitness]
        data["transition_fitness"] = [c.transition_fitness]
        return Table(
            (
                *(Column(k, kind=count) for k in keys),
                Column("journey_fitness", "journey fitness", rate),
                Column("transition_fitness", "transition fitness", rate),
            ),
            data,
            name="summary",
            title="Summary",
            note=self._summary(),
            source="ValidationReport",
        )

    def rules_table(self) -> Table:
        """Violations per rule: the rule's name, its severity and the count.

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "b"}])
        >>> [r for r in validate(log, m).rules_table().rows() if r[2]]
        [['EntryStage', 'error', 1]]
        """
        by_rule = self.counts.by_rule
        return Table(
            (Column("rule"), Column("severity"), Column("violations", kind=ColumnKind.COUNT)),
            {
                "rule": [r.name for r in by_rule],
                "severity": [r.severity.value for r in by_rule],
                "violations": list(by_rule.values()),
            },
            name="rules",
            title="Violations per rule",
            source="ValidationReport",
        )

    def tables(self, *, limit: int | None = 10) -> list[Table]:
        """What the notebook, the report, ``str()`` and the command line show: the
        summary, the violations per rule, the data coverage (when known) and the first
        ``limit`` violations (all with None).

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate
        >>> m = JourneyMap.builder("m").stage("a").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "a"}])
        >>> [t.name for t in validate(log, m).tables()]
        ['summary', 'rules', 'coverage', 'violations']
        """
        out = [self.summary_table(), self.rules_table()]
        if self.coverage is not None:
            out.append(self.coverage.to_table())
        out.append(attrs.evolve(self.to_table(limit=limit), note=""))  # said in the summary
        return out

    def _summary(self) -> str:
        note = repr(self)[1:-1].removeprefix("ValidationReport ")
        if self.undefined_reason is not None:
            note = f"Not validated: {self.undefined_reason}. {note}"
        return note

    def __str__(self) -> str:
        return "\n\n".join(t.to_text() for t in self.tables())

    def _repr_html_(self) -> str:
        """Jupyter: the one-line summary, the counts, violations per rule, the first violations.

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "b"}])
        >>> validate(log, m)._repr_html_().count("<table")  # summary, rules, coverage
        4
        """
        from .._repr import repr_html

        parts = [t.to_html(caption=t.title) for t in self.tables()]
        return repr_html("ValidationReport", repr(self)[1:-1], *parts)

    def report_section(self, *, title: str | None = None, limit: int = 10) -> Any:
        """The validation as a :class:`touchpath.report.Section` (``Report.add`` calls it).

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "a"}])
        >>> validate(log, m).report_section().note
        "'m': 0 violations (0 errors) in 1 journeys; journey fitness 100.0%, transition \
fitness n/a, 0 pending"
        """
        from ..report import Section, SectionKind

        body = "".join(
            f'<div class="table-wrap">{t.to_html(caption=t.title)}</div>'
            for t in self.tables(limit=limit)
        )
        return Section(title or "Validation", body, SectionKind.TABLE, self._summary())


def edge_counts(
    from_codes: npt.NDArray[np.int32], to_codes: npt.NDArray[np.int32], names: Sequence[str]
) -> dict[Edge, int]:
    """Violations per (from, to) stage pair; codes index ``names``, -1 is None."""
    width = len(names) + 1
    key = (from_codes.astype(np.int64) + 1) * width + (to_codes.astype(np.int64) + 1)
    # distinct pairs by sorting: a table of every (from, to) pair is stages^2 on large maps
    pairs, counts = np.unique(key, return_counts=True)
    table: list[str | None] = [None, *names]
    return {
        (table[k // width], table[k % width]): n
        for k, n in zip(pairs.tolist(), counts.tolist(), strict=True)
    }

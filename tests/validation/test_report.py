"""validate() and its report: fields, order, counts, fitness, tables, raising, now, errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import numpy as np
import pendulum
import pytest

from touchpath import EventLog
from touchpath.exceptions import (
    ConfigError,
    JourneyViolation,
    TouchpathError,
    UnsupportedInputError,
    ViolationsFound,
)
from touchpath.metrics import Ratio
from touchpath.validation import (
    DEFAULT_RULES,
    AllowedTransitions,
    EntryStage,
    Findings,
    KnownStages,
    MaxDwell,
    NoDuplicateEvents,
    RuleOutcome,
    Severity,
    TransitionRule,
    ValidationContext,
    ValidationCounts,
    Violation,
    validate,
)

from ._helpers import T0, ev, linear, log_of, stages_log

ABCD = linear("a", "b", "c", "d")

# Five journeys (sorted ids: late_start, none, ok, skip, unk) with, under the default rules:
#   late_start  b c      EntryStage at event 0; its one transition b->c conforms
#   none        (no stage)  nothing at all
#   ok          a b c    two conforming transitions
#   skip        a c d    AllowedTransitions at event 1 (a->c); c->d conforms
#   unk         a zz b   KnownStages at event 1; both transitions touch an unknown stage
# transitions: 1 + 0 + 2 + 2 + 2 = 7, conforming 1 + 2 + 1 + 0 = 4
# journeys: 5, conforming: none, ok = 2
MIXED: dict[str, list[str | None]] = {
    "ok": ["a", "b", "c"],
    "skip": ["a", "c", "d"],
    "unk": ["a", "zz", "b"],
    "late_start": ["b", "c"],
    "none": [None],
}


@pytest.fixture
def mixed() -> EventLog:
    """The five journeys above, hourly from 2025-01-01."""
    return stages_log(MIXED)


def test_violations_in_journey_then_event_order(mixed: EventLog) -> None:
    """Violations come by journey (log order), then event; each field is as by hand."""
    report = validate(mixed, ABCD)
    got = [(v.journey_id, v.index, v.from_stage, v.to_stage, v.rule) for v in report.violations]
    assert got == [
        ("late_start", 0, None, "b", EntryStage()),
        ("skip", 1, "a", "c", AllowedTransitions()),
        ("unk", 1, "a", "zz", KnownStages()),
    ]


def test_violation_record_fields(mixed: EventLog) -> None:
    """A violation has the event's time (aware UTC datetime), its input row, the rule's severity,
    and its index points at the event in log.journey(id).events."""
    v = validate(mixed, ABCD).violations[1]
    assert isinstance(v, Violation)
    assert v.timestamp == pendulum.datetime(2025, 1, 1, 1)
    assert type(v.timestamp) is dt.datetime
    assert v.timestamp.tzinfo is not None
    # input rows: ok 0-2, skip 3-5, ...; the flagged event is skip's second, row 4
    assert (v.row, v.severity) == (4, Severity.ERROR)
    event = mixed.journey(v.journey_id).events[v.index]
    assert (event.stage, event.timestamp) == ("c", v.timestamp)


def test_counts_and_fitness(mixed: EventLog) -> None:
    """Counts by rule, by edge and severity, and both fitness scores, as worked out above."""
    c = validate(mixed, ABCD).counts
    assert (c.journeys, c.conforming_journeys, c.events) == (5, 2, 12)
    assert (c.transitions, c.conforming_transitions) == (7, 4)
    assert c.journey_fitness == Ratio(2, 5)
    assert c.transition_fitness == Ratio(4, 7)
    assert c.by_rule == {KnownStages(): 1, AllowedTransitions(): 1, EntryStage(): 1}
    assert c.by_edge == {("a", "c"): 1, ("a", "zz"): 1, (None, "b"): 1}
    assert c.by_severity == {Severity.ERROR: 3}
    assert (c.violations, c.errors, c.pending) == (3, 3, 0)
    assert c.unknown_stages == {"zz": 1}


def test_unknown_stages_never_conform_even_without_rules(mixed: EventLog) -> None:
    """With no rules at all, the journey and the two transitions touching 'zz' still do not
    conform: 4 of 5 journeys and 5 of 7 transitions do."""
    report = validate(mixed, ABCD, [])
    assert report.violations == ()
    assert report.journey_fitness == Ratio(4, 5)
    assert report.transition_fitness == Ratio(5, 7)


def test_rule_order_breaks_ties_at_one_event() -> None:
    """Two rules flagging the same event are listed in the order the rules were given."""
    log = stages_log({"j": ["zz"]})
    first = validate(log, ABCD, [EntryStage(), KnownStages()]).violations
    second = validate(log, ABCD, [KnownStages(), EntryStage()]).violations
    assert [v.rule for v in first] == [EntryStage(), KnownStages()]
    assert [v.rule for v in second] == [KnownStages(), EntryStage()]


def test_report_summaries(mixed: EventLog) -> None:
    """ok, by_rule, by_edge, first_violation, for_journey and repr agree with the counts."""
    report = validate(mixed, ABCD)
    assert not report.ok
    assert report.by_rule == report.counts.by_rule
    assert report.by_edge == report.counts.by_edge
    first = report.first_violation()
    assert first is not None
    assert (first.journey_id, first.index) == ("late_start", 0)
    assert [v.index for v in report.for_journey("skip")] == [1]
    assert report.for_journey("ok") == ()
    assert report.rules == DEFAULT_RULES
    assert report.journey_map_name == "m"
    assert repr(report) == (
        "<ValidationReport 'm': 3 violations (3 errors) in 5 journeys; journey fitness 40.0%, "
        "transition fitness 57.1%, 0 pending>"
    )


def test_report_without_problems() -> None:
    """A conforming log: no violations, fitness 1, ok, and raise_for_violations is silent."""
    report = validate(stages_log({"j": ["a", "b", None, "c"]}), ABCD)
    assert (report.violations, report.pending, report.ok) == ((), (), True)
    assert (report.journey_fitness.value, report.transition_fitness.value) == (1.0, 1.0)
    assert report.first_violation() is None
    report.raise_for_violations()


def test_empty_log() -> None:
    """An empty log has nothing to count: fitness NaN, now None."""
    log = stages_log({"j": ["a"]}).select(np.zeros(1, dtype=np.bool_))
    report = validate(log, ABCD)
    assert (report.counts.journeys, report.counts.transitions, report.now) == (0, 0, None)
    assert not report.journey_fitness.is_defined
    assert not report.transition_fitness.is_defined


# -- tables -------------------------------------------------------------------------------------


def test_to_pandas(mixed: EventLog) -> None:
    """One row per violation with the documented columns and values."""
    df = validate(mixed, ABCD).to_pandas()
    assert list(df.columns) == [
        "journey_id",
        "index",
        "timestamp",
        "from_stage",
        "to_stage",
        "rule",
        "severity",
        "message",
        "row",
    ]
    assert df["journey_id"].tolist() == ["late_start", "skip", "unk"]
    assert df["index"].tolist() == [0, 1, 1]
    assert df["rule"].tolist() == ["EntryStage", "AllowedTransitions", "KnownStages"]
    assert df["severity"].tolist() == ["error"] * 3
    assert df["from_stage"].tolist() == [None, "a", "a"]
    assert df["to_stage"].tolist() == ["b", "c", "zz"]
    assert str(df["timestamp"].dt.tz) == "UTC"
    assert df["timestamp"].iloc[1].isoformat() == "2025-01-01T01:00:00+00:00"
    assert df["row"].tolist() == [9, 4, 7]


def test_pending_to_pandas() -> None:
    """Pending checks have a due column: entered b at 0 h, 1 day allowed."""
    report = validate(stages_log({"j": ["b"]}), ABCD, [MaxDwell("b", "1 day")])
    df = report.pending_to_pandas()
    assert df["due"].iloc[0].isoformat() == "2025-01-02T00:00:00+00:00"
    assert df["journey_id"].tolist() == ["j"]
    assert report.to_pandas().empty


# -- raising ------------------------------------------------------------------------------------


def test_raise_for_violations_groups_every_error(mixed: EventLog) -> None:
    """All three errors are raised together; each sub-exception carries its violation; the
    group is a TouchpathError and works with except*."""
    report = validate(mixed, ABCD)
    with pytest.raises(ViolationsFound) as info:
        report.raise_for_violations()
    group = info.value
    assert isinstance(group, TouchpathError)
    assert str(group).startswith("3 validation violations in 3 journeys against map 'm'")
    subs = [e for e in group.exceptions if isinstance(e, JourneyViolation)]
    assert len(subs) == len(group.exceptions)
    assert [e.violation for e in subs] == list(report.violations)
    assert [str(e) for e in group.exceptions] == [v.message for v in report.violations]
    caught: list[JourneyViolation] = []
    try:
        report.raise_for_violations()
    except* JourneyViolation as eg:
        caught.extend(eg.exceptions)  # type: ignore[arg-type]
    assert len(caught) == 3


def test_raise_for_violations_respects_severity() -> None:
    """Warnings raise only when asked for with min_severity=WARNING."""
    log = log_of({"j": [ev(0, "a"), ev(0, "a")]})
    report = validate(log, ABCD, [NoDuplicateEvents()])
    report.raise_for_violations()
    with pytest.raises(ViolationsFound):
        report.raise_for_violations(min_severity=Severity.WARNING)
    assert report.first_violation() is None
    assert report.first_violation(Severity.WARNING) is not None


def test_strict_raises_the_first_error(mixed: EventLog) -> None:
    """strict=True raises the first error in journey order, carrying the Violation."""
    with pytest.raises(JourneyViolation) as info:
        validate(mixed, ABCD, strict=True)
    v = info.value.violation
    assert isinstance(v, Violation)
    assert (v.journey_id, v.index, v.rule) == ("late_start", 0, EntryStage())
    assert str(info.value) == v.message


def test_strict_ignores_warnings() -> None:
    """A warning does not stop a strict validation."""
    log = log_of({"j": [ev(0, "a"), ev(0, "a")]})
    report = validate(log, ABCD, [NoDuplicateEvents()], strict=True)
    assert report.counts.violations == 1


# -- now -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "now",
    [
        "2025-01-03T00:00:00Z",
        dt.datetime(2025, 1, 3, tzinfo=dt.UTC),
        pendulum.datetime(2025, 1, 3),
        "2025-01-03T01:00:00+01:00",
    ],
    ids=["iso-z", "datetime", "pendulum", "offset"],
)
def test_now_forms(now: Any) -> None:
    """now may be ISO text or an aware datetime; it is kept in UTC on the report."""
    report = validate(stages_log({"j": ["a"]}), ABCD, now=now)
    assert report.now == pendulum.datetime(2025, 1, 3)


def test_now_defaults_to_the_last_event() -> None:
    """Without now, the validation time is the log's last timestamp (here 2 h after T0)."""
    report = validate(stages_log({"j": ["a", None, "b"]}), ABCD)
    assert report.now == pendulum.instance(T0).add(hours=2)


@pytest.mark.parametrize(
    ("now", "fragment"),
    [
        ("2025-01-01T01:00:00", "aware timestamp"),
        ("2024-12-31T00:00:00Z", "must not be before the log's last event"),
        ("yesterday", "aware timestamp"),
    ],
    ids=["naive", "before-last-event", "not-a-time"],
)
def test_bad_now(now: str, fragment: str) -> None:
    """A naive, unparseable or too early now is a ConfigError."""
    with pytest.raises(ConfigError, match=fragment):
        validate(stages_log({"j": ["a", "b"]}), ABCD, now=now)


# -- arguments -----------------------------------------------------------------------------------


def test_bad_inputs() -> None:
    """Wrong log or map types are UnsupportedInputError (a Journey hints validate_journey)."""
    log = stages_log({"j": ["a"]})
    with pytest.raises(UnsupportedInputError, match="use validate_journey"):
        validate(log.journey("j"), ABCD)  # type: ignore[arg-type]
    with pytest.raises(UnsupportedInputError, match="JourneyMap"):
        validate(log, "m")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rules", "fragment"),
    [
        ([AllowedTransitions], "got the class AllowedTransitions"),
        (AllowedTransitions(), "must be a sequence of rules"),
        ([AllowedTransitions(), AllowedTransitions()], "given twice"),
        (["AllowedTransitions"], "TransitionRule protocol"),
    ],
    ids=["class", "single-rule", "duplicate", "string"],
)
def test_bad_rules(rules: Any, fragment: str) -> None:
    """Rules must be distinct rule instances in a sequence."""
    with pytest.raises(ConfigError, match=fragment):
        validate(stages_log({"j": ["a"]}), ABCD, rules)


# -- custom rules --------------------------------------------------------------------------------


@attrs.frozen
class AtMostEvents:
    """A user rule: flag the first event beyond ``limit`` in each journey."""

    limit: int
    severity: Severity = Severity.WARNING
    calls: list[int] = attrs.field(factory=list, eq=False, hash=False)

    @property
    def name(self) -> str:
        return f"AtMostEvents({self.limit})"

    def check(self, context: ValidationContext) -> Findings:
        log = context.log
        long = np.flatnonzero(log.journey_lengths > self.limit)
        events = log.offsets[long] + self.limit

        def details() -> list[str]:
            self.calls.append(1)
            return [f"more than {self.limit} events"] * len(events)

        return Findings(events, details=details, to_codes=log.stage_codes[events])


def test_custom_rule_is_a_transition_rule_and_details_are_lazy() -> None:
    """A user class with name, severity and check() works like a shipped rule; its details
    function runs once, when the violations are first looked at, not during validate()."""
    rule = AtMostEvents(2)
    assert isinstance(rule, TransitionRule)
    log = stages_log({"short": ["a", "b"], "long": ["a", "b", "c", "d"]})
    report = validate(log, ABCD, [rule])
    assert rule.calls == []
    (v,) = report.violations
    assert (v.journey_id, v.index, v.to_stage, v.severity) == ("long", 2, "c", Severity.WARNING)
    assert v.message.endswith("more than 2 events [AtMostEvents(2)]")
    assert report.violations[0] is v
    assert rule.calls == [1]


@attrs.frozen
class Broken:
    """A user rule that returns whatever it is told to."""

    result: Any = attrs.field(eq=False, hash=False)
    severity: Severity = Severity.ERROR

    @property
    def name(self) -> str:
        return "Broken"

    def check(self, context: ValidationContext) -> Any:
        return self.result


@pytest.mark.parametrize(
    ("result", "fragment"),
    [
        ([1, 2], "must return Findings or RuleOutcome"),
        (Findings([99]), "outside the log"),
        (Findings([0], to_codes=[42]), "outside the stage table"),
    ],
    ids=["wrong-type", "bad-position", "bad-stage-code"],
)
def test_broken_custom_rules_are_reported(result: Any, fragment: str) -> None:
    """A rule returning the wrong type, positions outside the log or unknown stage codes is a
    ConfigError naming the problem."""
    with pytest.raises(ConfigError, match=fragment):
        validate(stages_log({"j": ["a"]}), ABCD, [Broken(result)])


def test_findings_and_outcome_checks() -> None:
    """Findings refuse mismatched lengths; pending findings need due times."""
    with pytest.raises(ConfigError, match="from_codes"):
        Findings([1, 2], from_codes=[0])
    with pytest.raises(ConfigError, match="details"):
        Findings([1, 2], details=["x"])
    with pytest.raises(ConfigError, match="due"):
        RuleOutcome(Findings.zero(), Findings([1]))
    with pytest.raises(ConfigError, match="integers"):
        Findings(np.array([1.5]))


def test_custom_rule_with_wrong_number_of_details() -> None:
    """A details function returning the wrong number of texts fails when they are built."""
    report = validate(
        stages_log({"j": ["a"]}), ABCD, [Broken(Findings([0], details=lambda: ["x", "y"]))]
    )
    with pytest.raises(ConfigError, match="one text per finding"):
        _ = report.violations


def test_unhashable_rule_is_refused() -> None:
    """Rules are counted by rule, so they must be hashable."""

    @attrs.define
    class Mutable:
        severity: Severity = Severity.ERROR

        @property
        def name(self) -> str:
            return "Mutable"

        def check(self, context: ValidationContext) -> Findings:
            return Findings.zero()

    with pytest.raises(ConfigError, match="hashable"):
        validate(stages_log({"j": ["a"]}), ABCD, [Mutable()])


# -- ValidationCounts ----------------------------------------------------------------------------


def test_counts_add_up_over_parts(mixed: EventLog) -> None:
    """Counts of two disjoint sets of journeys (same rules, same now) add up to the counts of
    the whole log; zero is neutral and sum() works."""
    now = "2025-02-01T00:00:00Z"
    rules = [*DEFAULT_RULES, MaxDwell("a", "1 day")]
    whole = validate(mixed, ABCD, rules, now=now).counts
    ids = mixed.journey_ids.tolist()
    left = ValidationCounts.from_log(mixed.select(ids[:2]), ABCD, rules, now=now)
    right = ValidationCounts.from_log(mixed.select(ids[2:]), ABCD, rules, now=now)
    assert left + right == whole
    assert left + ValidationCounts.zero() == left
    assert sum([left, right], ValidationCounts.zero()) == whole
    assert sum([left, right]) == whole


def test_counts_zero_and_hash() -> None:
    """The zero has NaN fitness; counts compare by value and are not hashable (dict fields)."""
    z = ValidationCounts.zero()
    assert not z.journey_fitness.is_defined
    assert z == ValidationCounts()
    with pytest.raises(TypeError):
        hash(z)
    with pytest.raises(TypeError):
        _ = z + 1

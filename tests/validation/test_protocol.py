"""Severity, TransitionKind and rule configuration details."""

from __future__ import annotations

import pytest

from touchpath.exceptions import ConfigError
from touchpath.validation import (
    AllowedTransitions,
    KnownTouchpoints,
    Severity,
    TerminalStage,
    TransitionKind,
    ValidationCounts,
    validate,
)

from ._helpers import ev, linear, log_of, stages_log


def test_severity_order_and_conversion() -> None:
    """WARNING < ERROR; a severity can be given by value; other values are refused; comparing
    with something else is a TypeError."""
    assert sorted([Severity.ERROR, Severity.WARNING]) == [Severity.WARNING, Severity.ERROR]
    assert Severity.ERROR >= Severity.WARNING
    assert Severity.WARNING <= Severity.WARNING
    assert not Severity.WARNING > Severity.ERROR
    assert AllowedTransitions(severity="warning").severity is Severity.WARNING
    with pytest.raises(ConfigError, match="'severity' must be one of"):
        AllowedTransitions(severity="fatal")
    with pytest.raises(TypeError):
        _ = Severity.ERROR < 3


def test_transition_kind_codes_are_distinct() -> None:
    """Each kind has its own small code; exactly FORWARD and LOOP_BACK are designed."""
    codes = [k.code for k in TransitionKind]
    assert sorted(codes) == list(range(len(TransitionKind)))
    assert {k for k in TransitionKind if k.is_designed} == {
        TransitionKind.FORWARD,
        TransitionKind.LOOP_BACK,
    }


def test_quiet_rules_find_nothing() -> None:
    """All journeys in the terminal stage, all touchpoints known: no violation, no pending."""
    m = (
        linear("a", "b")
        .__class__.builder("m")
        .stage("a")
        .stage("b")
        .path("a", "b")
        .touchpoint("t", channel="web", stage="a")
        .build()
    )
    log = log_of({"j": [ev(0, "a", touchpoint="t"), ev(1, "b")]})
    report = validate(log, m, [TerminalStage(inactive_after="1 day"), KnownTouchpoints()])
    assert (report.violations, report.pending) == ((), ())


def test_counts_refuse_other_operands() -> None:
    """Only counts (and 0, for sum()) add to counts."""
    z = ValidationCounts.zero()
    assert 0 + z == z
    with pytest.raises(TypeError):
        _ = 1 + z


def test_rule_names_are_stable_labels() -> None:
    """Names identify the rule and its parameters in messages and tables."""
    assert AllowedTransitions().name == "AllowedTransitions"
    report = validate(stages_log({"j": ["a", "c"]}), linear("a", "b", "c"))
    assert [r.name for r in report.by_rule] == ["KnownStages", "AllowedTransitions", "EntryStage"]

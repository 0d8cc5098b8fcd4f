"""Structural rules on hand-built journeys: each kind of violation and of non-violation."""

from __future__ import annotations

import pytest

from touchpath import JourneyMap
from touchpath.exceptions import ConfigError
from touchpath.validation import (
    AllowedTransitions,
    EntryStage,
    KnownStages,
    KnownTouchpoints,
    NoRegression,
    NoSkippedStages,
    TerminalStage,
    TransitionRule,
    Violation,
    validate,
)

from ._helpers import diamond, ev, linear, log_of, stages_log

ABCD = linear("a", "b", "c", "d")
LOOP = linear("a", "b", "c", "d", loop_backs=[("c", "b")])


def flagged(m: JourneyMap, stages: list[str | None], rule: TransitionRule) -> list[int]:
    """Event indices the rule flags in a one-journey log."""
    return [v.index for v in validate(stages_log({"j": stages}), m, [rule]).violations]


def moves(violations: tuple[Violation, ...]) -> list[tuple[int, str | None, str | None]]:
    """(index, from, to) of each violation."""
    return [(v.index, v.from_stage, v.to_stage) for v in violations]


# -- AllowedTransitions ----------------------------------------------------------------------

ALLOWED_CASES = [
    pytest.param(ABCD, ["a", "b", "c", "d"], [], id="forward-path"),
    pytest.param(ABCD, ["a", "a", "a", "b", "b"], [], id="stays-are-not-transitions"),
    pytest.param(ABCD, ["a", None, None, "b"], [], id="stageless-events-ignored"),
    pytest.param(ABCD, ["a", None, "a", None], [], id="stageless-between-same-stage"),
    pytest.param(ABCD, ["a", "c"], [1], id="skip"),
    pytest.param(ABCD, ["a", None, "c"], [2], id="skip-across-stageless-event"),
    pytest.param(ABCD, ["a", "b", "a"], [2], id="regression"),
    pytest.param(LOOP, ["a", "b", "c", "b", "c", "d"], [], id="marked-loop-back"),
    pytest.param(LOOP, ["a", "b", "c", "d", "b"], [4], id="unmarked-return"),
    pytest.param(diamond(), ["a", "b", "c"], [2], id="sideways-between-branches"),
    pytest.param(diamond(), ["a", "c", "d", "a", "b"], [], id="diamond-with-loop-back"),
    pytest.param(ABCD, ["a", "zzz", "b"], [], id="unknown-stage-left-to-KnownStages"),
    pytest.param(ABCD, [None, None], [], id="no-stage-at-all"),
]


@pytest.mark.parametrize(("m", "stages", "expected"), ALLOWED_CASES)
def test_allowed_transitions(m: JourneyMap, stages: list[str | None], expected: list[int]) -> None:
    """Every stage change must be an edge: skips, regressions and sideways moves are flagged at
    the event entering the new stage; stays, stage-less events, marked loop-backs and moves
    involving unknown stages are not (expected indices by reading the sequences)."""
    assert flagged(m, stages, AllowedTransitions()) == expected


def test_allowed_transitions_message_names_journey_event_rule_and_skipped_stage() -> None:
    """The message says which journey, which event (with its time), the move, the skipped
    stage and the rule."""
    (v,) = validate(stages_log({"j7": ["a", "b", "d"]}), ABCD, [AllowedTransitions()]).violations
    assert v.message == (
        "journey 'j7' event 2 (2025-01-01T02:00:00+00:00): 'b' -> 'd' is not a transition "
        "of the map: it skips 1 stage ('c') [AllowedTransitions]"
    )


@pytest.mark.parametrize(
    ("m", "stages", "fragment"),
    [
        pytest.param(ABCD, ["a", "b", "a"], "it moves back", id="regression"),
        pytest.param(diamond(), ["a", "b", "c"], "no forward path joins", id="sideways"),
        pytest.param(ABCD, ["a", "d"], "skips 2 stages ('b', 'c')", id="two-skipped"),
    ],
)
def test_allowed_transitions_message_explains_the_kind(
    m: JourneyMap, stages: list[str | None], fragment: str
) -> None:
    """The message says why the move is not allowed."""
    (v,) = validate(stages_log({"j": stages}), m, [AllowedTransitions()]).violations
    assert fragment in v.message


def test_ties_keep_input_order() -> None:
    """Events with equal timestamps are ordered by input: a -> b -> c at one instant is a
    forward path, a -> c -> b at one instant has a skip at event 1 and a regression at 2."""
    ok = log_of({"j": [ev(0, "a"), ev(0, "b"), ev(0, "c")]})
    bad = log_of({"j": [ev(0, "a"), ev(0, "c"), ev(0, "b")]})
    assert validate(ok, ABCD, [AllowedTransitions()]).violations == ()
    assert moves(validate(bad, ABCD, [AllowedTransitions()]).violations) == [
        (1, "a", "c"),
        (2, "c", "b"),
    ]


def test_journeys_are_independent() -> None:
    """The last stage of one journey and the first of the next are not a transition."""
    log = stages_log({"x": ["a", "b", "c", "d"], "y": ["a", "b"]})
    assert validate(log, ABCD, [AllowedTransitions()]).violations == ()


# -- NoSkippedStages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stages", "max_skip", "expected"),
    [
        pytest.param(["a", "b", "c", "d"], 0, [], id="no-skip"),
        pytest.param(["a", "c"], 0, [1], id="skip-one"),
        pytest.param(["a", "c"], 1, [], id="skip-one-tolerated"),
        pytest.param(["a", "d"], 1, [1], id="skip-two-over-limit"),
        pytest.param(["a", "d"], 2, [], id="skip-two-tolerated"),
        pytest.param(["a", "b", "a"], 0, [], id="regression-is-not-a-skip"),
        pytest.param(["a", None, "c", "c", "d"], 0, [2], id="stageless-in-between"),
    ],
)
def test_no_skipped_stages(stages: list[str | None], max_skip: int, expected: list[int]) -> None:
    """A forward jump over k stages (k = shortest forward path - 1) is flagged when k exceeds
    max_skip; other moves are not this rule's business."""
    assert flagged(ABCD, stages, NoSkippedStages(max_skip=max_skip)) == expected


def test_skip_counts_the_shortest_forward_path() -> None:
    """With a shortcut edge a -> c in a -> b -> c -> d, a -> d skips one stage (via c), not two."""
    b = JourneyMap.builder("m").stage("a").stage("b").stage("c").stage("d")
    m = b.path("a", "b", "c", "d").edge("a", "c").build()
    (v,) = validate(stages_log({"j": ["a", "d"]}), m, [NoSkippedStages()]).violations
    assert "skips 1 stage ('c')" in v.message
    assert validate(stages_log({"j": ["a", "d"]}), m, [NoSkippedStages(max_skip=1)]).ok


@pytest.mark.parametrize("bad", [-1, 1.5, True, "1"], ids=["negative", "float", "bool", "text"])
def test_no_skipped_stages_refuses_bad_max_skip(bad: object) -> None:
    """max_skip must be a non-negative integer."""
    with pytest.raises(ConfigError, match="max_skip"):
        NoSkippedStages(max_skip=bad)  # type: ignore[arg-type]


# -- NoRegression ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("m", "stages", "expected"),
    [
        pytest.param(ABCD, ["a", "b", "a"], [2], id="one-back"),
        pytest.param(ABCD, ["a", "b", "c", "d", "a"], [4], id="far-back"),
        pytest.param(LOOP, ["a", "b", "c", "b"], [], id="marked-loop-back"),
        pytest.param(LOOP, ["a", "b", "c", "a"], [3], id="back-past-the-loop-back"),
        pytest.param(ABCD, ["a", "c"], [], id="skip-is-not-regression"),
        pytest.param(diamond(), ["a", "b", "c"], [], id="sideways-is-not-regression"),
        pytest.param(diamond(), ["a", "b", "d", "a"], [], id="loop-back-d-a"),
        pytest.param(ABCD, ["b", None, "a"], [2], id="across-stageless"),
    ],
)
def test_no_regression(m: JourneyMap, stages: list[str | None], expected: list[int]) -> None:
    """A move to a stage that comes earlier on a forward path is flagged unless the map marks
    it as a loop-back."""
    assert flagged(m, stages, NoRegression()) == expected


# -- KnownStages / KnownTouchpoints ----------------------------------------------------------------


def test_known_stages_flags_each_visit_with_hint() -> None:
    """Each visit to an unknown stage is flagged once, at its first event; the message names
    the unknown stage and the closest known ones; from/to give the move into it."""
    log = stages_log({"j": ["a", "bb", "bb", None, "bb", "c", "bb"]})
    report = validate(log, ABCD, [KnownStages()])
    assert moves(report.violations) == [(1, "a", "bb"), (6, "c", "bb")]
    assert "stage 'bb' is not in map 'm' (closest: 'b')" in report.violations[0].message


def test_known_stages_without_similar_name() -> None:
    """An unknown stage with no similar map stage says so."""
    (v,) = validate(stages_log({"j": ["qqqqqq"]}), ABCD, [KnownStages()]).violations
    assert "(no similar name)" in v.message
    assert (v.from_stage, v.to_stage) == (None, "qqqqqq")


def test_known_stages_accepts_map_stages() -> None:
    """A journey in map stages only has no KnownStages violation."""
    assert validate(stages_log({"j": ["a", "c", None]}), ABCD, [KnownStages()]).violations == ()


def test_known_touchpoints() -> None:
    """Every event whose touchpoint the map lacks is flagged (twice here), with a hint; known
    touchpoints and channel-only events are fine."""
    m = (
        JourneyMap.builder("m")
        .stage("a")
        .touchpoint("pricing_page", channel="web", stage="a")
        .touchpoint("demo", channel="sales", stage="a")
        .build()
    )
    log = log_of(
        {
            "j": [
                ev(0, "a", touchpoint="pricing_page"),
                ev(1, "a", touchpoint="pricing_pgae"),
                ev(2, "a", channel="email"),
                ev(3, "a", touchpoint="pricing_pgae"),
                ev(4, "a", touchpoint="demo"),
            ]
        }
    )
    report = validate(log, m, [KnownTouchpoints()])
    assert [v.index for v in report.violations] == [1, 3]
    assert "touchpoint 'pricing_pgae' is not in map 'm' (closest: 'pricing_page')" in (
        report.violations[0].message
    )


# -- EntryStage ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stages", "expected"),
    [
        pytest.param(["a", "b"], [], id="starts-at-entry"),
        pytest.param([None, "a"], [], id="stageless-before-entry"),
        pytest.param(["b", "c"], [0], id="starts-later"),
        pytest.param([None, None, "c"], [2], id="first-staged-event-counts"),
        pytest.param(["zz", "a"], [0], id="unknown-first-stage"),
        pytest.param([None], [], id="no-stage"),
    ],
)
def test_entry_stage(stages: list[str | None], expected: list[int]) -> None:
    """The journey's first event with a stage must be in an entry stage (here only 'a')."""
    assert flagged(ABCD, stages, EntryStage()) == expected


def test_entry_stage_uses_explicit_entries() -> None:
    """Explicit entry stages of the map are honoured: with entry ('a', 'b'), starting at 'b'
    is fine and starting at 'c' is not."""
    b = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c")
    m = b.entry("a", "b").build()
    assert flagged(m, ["b", "c"], EntryStage()) == []
    (v,) = validate(stages_log({"j": ["c"]}), m, [EntryStage()]).violations
    assert "not an entry stage (entry: 'a', 'b')" in v.message


# -- TerminalStage -------------------------------------------------------------------------------


def test_terminal_stage_without_window_treats_all_journeys_as_finished() -> None:
    """With inactive_after=None every journey is finished: ending in 'c' is flagged at the last
    staged event (index 3, the stage-less event 4 is not it); ending in 'd' is fine."""
    log = stages_log({"done": ["a", "b", "c", "d"], "stuck": ["a", "b", "c", "c", None]})
    report = validate(log, ABCD, [TerminalStage()])
    assert [(v.journey_id, v.index, v.from_stage) for v in report.violations] == [("stuck", 3, "c")]
    assert report.pending == ()


def test_terminal_stage_in_progress_journeys_are_pending() -> None:
    """now = last event (2025-01-31). 'old' last acted 2025-01-01, 30 days before: finished
    (over 7 days), so a violation. 'recent' last acted 2025-01-30T01:00, under a day before:
    in progress, so pending, due 7 days after that (2025-02-06T01:00). 'done' ended in d."""
    log = log_of(
        {
            "done": [ev(0, "a"), ev(24, "b"), ev(48, "c"), ev(72, "d")],
            "old": [ev(0, "a")],
            "recent": [ev(24 * 29, "a"), ev(24 * 29 + 1, None)],
            "z": [ev(24 * 30, "a"), ev(24 * 30, "b"), ev(24 * 30, "c"), ev(24 * 30, "d")],
        }
    )
    report = validate(log, ABCD, [TerminalStage(inactive_after="7 days")])
    assert [v.journey_id for v in report.violations] == ["old"]
    (p,) = report.pending
    assert (p.journey_id, p.index, p.from_stage) == ("recent", 0, "a")
    assert p.due.isoformat() == "2025-02-06T01:00:00+00:00"
    assert report.counts.pending == 1


def test_terminal_stage_boundary_is_strict() -> None:
    """A journey whose last event is exactly inactive_after before now is still in progress
    (finished means *more* than inactive_after)."""
    log = log_of({"j": [ev(0, "a")], "k": [ev(24, "a"), ev(24, "b"), ev(24, "c"), ev(24, "d")]})
    report = validate(log, ABCD, [TerminalStage(inactive_after="1 day")])
    assert report.violations == ()
    assert [p.journey_id for p in report.pending] == ["j"]


def test_terminal_stage_explicit_terminals_and_unknown_last_stage() -> None:
    """Explicit terminal stages are honoured (b is terminal here), and ending in a stage the
    map lacks is not ending in a terminal stage."""
    b = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c")
    m = b.terminal("b", "c").build()
    log = stages_log({"x": ["a", "b"], "y": ["a", "zz"]})
    assert [v.journey_id for v in validate(log, m, [TerminalStage()]).violations] == ["y"]


def test_terminal_stage_name_shows_window() -> None:
    """The rule's name shows its inactivity window."""
    assert TerminalStage().name == "TerminalStage"
    assert TerminalStage(inactive_after="30 days").name == (
        "TerminalStage(inactive_after=4 weeks 2 days)"
    )

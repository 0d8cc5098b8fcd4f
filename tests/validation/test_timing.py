"""MaxDwell and Deadline: stays and clocks, on time, late, overdue and pending."""

from __future__ import annotations

import datetime as dt

import pytest

from touchpath import JourneyMap
from touchpath.exceptions import ConfigError
from touchpath.validation import Deadline, MaxDwell, validate

from ._helpers import T0, ev, linear, log_of

ABCD = linear("a", "b", "c", "d")
LOOP = linear("a", "b", "c", "d", loop_backs=[("c", "b")])
RETURN = linear("a", "b", "c", "d", loop_backs=[("d", "b")])


def at(hours: float) -> str:
    """ISO text of T0 + hours."""
    return (T0 + dt.timedelta(hours=hours)).isoformat()


# -- MaxDwell ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        pytest.param([ev(0, "a"), ev(24, "b"), ev(72, "c")], [], id="exactly-the-limit"),
        pytest.param([ev(0, "a"), ev(24, "b"), ev(73, "c")], [(1, "b", "c")], id="one-hour-over"),
        pytest.param(
            [ev(0, "b"), ev(60, None), ev(70, "b"), ev(80, "c")],
            [(0, "b", "c")],
            id="stageless-and-same-stage-events-do-not-end-the-stay",
        ),
        pytest.param([ev(0, "a"), ev(100, "c")], [], id="other-stages-unchecked"),
    ],
)
def test_max_dwell_closed_stays(
    events: list[dict[str, object]], expected: list[tuple[int, str, str]]
) -> None:
    """A stay in b runs from the event entering b to the first event in another stage; over 2
    days (48 h) is a violation at the entering event, exactly 48 h is fine."""
    report = validate(log_of({"j": events}), ABCD, [MaxDwell("b", "2 days")])
    assert [(v.index, v.from_stage, v.to_stage) for v in report.violations] == expected
    assert report.pending == ()


def test_max_dwell_message() -> None:
    """The message gives the stay's length and the limit."""
    log = log_of({"j": [ev(0, "a"), ev(24, "b"), ev(73, "c")]})
    (v,) = validate(log, ABCD, [MaxDwell("b", "48h")]).violations
    assert v.message == (
        f"journey 'j' event 1 ({at(24)}): stayed in 'b' for 2 days 1 hour, longer than 2 days "
        "[MaxDwell('b', 2 days)]"
    )


def test_max_dwell_open_stays_violate_or_pend() -> None:
    """now = the log's last event, at 100 h. 'long' entered b at 0 h and is still there: 100 h
    > 48 h, a violation whatever comes next (to_stage None). 'short' entered b at 90 h: 10 h so
    far, pending, due at 90 + 48 = 138 h."""
    log = log_of({"long": [ev(0, "b")], "short": [ev(90, "b")], "z": [ev(100, "a")]})
    report = validate(log, ABCD, [MaxDwell("b", "2 days")])
    (v,) = report.violations
    assert (v.journey_id, v.index, v.from_stage, v.to_stage) == ("long", 0, "b", None)
    assert "has been in 'b' for 4 days 4 hours at validation time" in v.message
    (p,) = report.pending
    assert (p.journey_id, p.index, p.from_stage, p.due.isoformat()) == ("short", 0, "b", at(138))


def test_max_dwell_explicit_now() -> None:
    """An explicit later now makes an open stay overdue: entered b at 0 h, now at 49 h."""
    log = log_of({"j": [ev(0, "b")]})
    assert validate(log, ABCD, [MaxDwell("b", "2 days")]).violations == ()
    report = validate(log, ABCD, [MaxDwell("b", "2 days")], now=at(49))
    assert [v.index for v in report.violations] == [0]
    assert report.pending == ()


def test_max_dwell_each_visit_separately() -> None:
    """With the loop-back c -> b, b is visited twice: 10 h then 80 h; only the second stay
    (entered at event 2) breaks a 48 h limit."""
    log = log_of({"j": [ev(0, "b"), ev(10, "c"), ev(20, "b"), ev(100, "d")]})
    assert [v.index for v in validate(log, LOOP, [MaxDwell("b", "2 days")]).violations] == [2]


def test_max_dwell_unknown_stage_is_a_config_error() -> None:
    """A rule naming a stage the map lacks fails with the closest names as a hint."""
    with pytest.raises(ConfigError, match=r"MaxDwell\('bb', 1 day\) names unknown stage 'bb'"):
        validate(log_of({"j": [ev(0, "a")]}), ABCD, [MaxDwell("bb", "1 day")])


@pytest.mark.parametrize("bad", ["-1 day", "soon", 0, None], ids=["negative", "text", "0", "none"])
def test_max_dwell_refuses_bad_durations(bad: object) -> None:
    """The duration must be a positive duration."""
    with pytest.raises(ConfigError, match="duration"):
        MaxDwell("b", bad)


def test_max_dwell_accepts_timedelta() -> None:
    """A timedelta works as the limit and shows in the name."""
    assert MaxDwell("b", dt.timedelta(hours=36)).name == "MaxDwell('b', 1 day 12 hours)"


# -- Deadline ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("m", "events", "expected"),
    [
        pytest.param(ABCD, [ev(0, "b"), ev(10, "c"), ev(48, "d")], [], id="at-the-limit"),
        pytest.param(ABCD, [ev(0, "b"), ev(10, "c"), ev(49, "d")], [0], id="one-hour-late"),
        pytest.param(
            LOOP,
            [ev(0, "b"), ev(10, "c"), ev(20, "b"), ev(60, "d")],
            [0],
            id="re-entry-while-running-does-not-restart",
        ),
        pytest.param(
            RETURN,
            [ev(0, "b"), ev(10, "d"), ev(20, "b"), ev(100, "d")],
            [2],
            id="new-clock-after-target-reached",
        ),
        pytest.param(ABCD, [ev(0, "a"), ev(100, "c")], [], id="never-in-from-stage"),
    ],
)
def test_deadline(m: JourneyMap, events: list[dict[str, object]], expected: list[int]) -> None:
    """The clock starts on entering b and stops at the next event in d; over 48 h is a
    violation reported at the event that started the clock."""
    report = validate(log_of({"j": events}), m, [Deadline("b", "d", "2 days")])
    assert [v.index for v in report.violations] == expected
    assert all((v.from_stage, v.to_stage) == ("b", "d") for v in report.violations)


def test_deadline_late_message_names_the_arrival_event() -> None:
    """A late arrival says how long it took and at which event the target was reached."""
    log = log_of({"j": [ev(0, "b"), ev(10, "c"), ev(49, "d")]})
    (v,) = validate(log, ABCD, [Deadline("b", "d", "2 days")]).violations
    assert v.message == (
        f"journey 'j' event 0 ({at(0)}): 'd' reached 2 days 1 hour after entering 'b' "
        "(at event 2), later than 2 days [Deadline('b' -> 'd' within 2 days)]"
    )


def test_deadline_overdue_and_pending() -> None:
    """now = 100 h (the last event). 'late' entered b at 0 h and never reached d: overdue, a
    violation. 'waiting' entered b at 80 h: 20 h so far, pending, due at 80 + 48 = 128 h.
    A target reached before the clock started ('before': d at 0 h, b at 90 h) does not stop it."""
    log = log_of(
        {
            "late": [ev(0, "b")],
            "waiting": [ev(80, "b"), ev(85, "c")],
            "before": [ev(0, "d"), ev(90, "b")],
            "z": [ev(100, "a")],
        }
    )
    report = validate(log, RETURN, [Deadline("b", "d", "2 days")])
    (v,) = report.violations
    assert (v.journey_id, v.index) == ("late", 0)
    assert "'d' not reached within 2 days of entering 'b' (4 days 4 hours at validation time)" in (
        v.message
    )
    assert [(p.journey_id, p.index, p.due.isoformat()) for p in report.pending] == [
        ("before", 1, at(138)),
        ("waiting", 0, at(128)),
    ]
    assert all((p.from_stage, p.to_stage) == ("b", "d") for p in report.pending)


def test_deadline_target_never_observed_in_log() -> None:
    """A target stage that no event of the log is in still names it in the findings."""
    log = log_of({"j": [ev(0, "a"), ev(1, "b")], "z": [ev(100, "a")]})
    (v,) = validate(log, ABCD, [Deadline("b", "d", "1 day")]).violations
    assert (v.from_stage, v.to_stage) == ("b", "d")


def test_deadline_needs_two_stages() -> None:
    """from_stage and to_stage must differ."""
    with pytest.raises(ConfigError, match="two different stages"):
        Deadline("b", "b", "1 day")


def test_deadline_unknown_stage() -> None:
    """An unknown stage in the rule is a ConfigError naming the rule."""
    with pytest.raises(ConfigError, match=r"Deadline\('b' -> 'x' within 1 day\) names unknown"):
        validate(log_of({"j": [ev(0, "a")]}), ABCD, [Deadline("b", "x", "1 day")])

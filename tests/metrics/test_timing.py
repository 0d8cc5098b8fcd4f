"""time_between and dwell_times: hand-computed cases."""

from __future__ import annotations

import datetime as dt

import pytest

from touchpath import EventLog
from touchpath.exceptions import ConfigError, NotFoundError
from touchpath.metrics import Ratio, TransitionGraphCounts, dwell_times, time_between

from ._logs import DAY, HOUR, log_of, rec


def test_time_between_counts_arrivals_and_keeps_the_others_apart() -> None:
    """a: 2 h, b: 30 h, c: signed up but never called, d: called before signing up only
    (does not count), e: never signed up. Durations over a and b only."""
    log = log_of(
        rec("a", 0, "signup"), rec("a", 2 * HOUR, "call"),
        rec("b", 0, "signup"), rec("b", 30 * HOUR, "call"),
        rec("c", 0, "signup"),
        rec("d", 0, "call"), rec("d", HOUR, "signup"),
        rec("e", 0, "visit"),
    )  # fmt: skip
    t = time_between(log, "signup", "call")
    assert (t.journeys, t.started, t.arrived, t.never_arrived, t.never_started) == (5, 4, 2, 2, 1)
    assert t.durations.count == 2
    assert t.durations.median == dt.timedelta(hours=16)
    assert t.durations.mean == dt.timedelta(hours=16)
    assert t.durations.maximum == dt.timedelta(hours=30)
    assert t.share_within is None
    assert t.window is None


def test_time_between_measures_from_the_first_source_to_the_next_target() -> None:
    """Re-entry: signup at 0 and 5 h, call at 6 h: 6 h, from the first signup."""
    log = log_of(rec("a", 0, "signup"), rec("a", 5 * HOUR, "signup"), rec("a", 6 * HOUR, "call"))
    assert time_between(log, "signup", "call").durations.median == dt.timedelta(hours=6)


def test_share_within_leaves_out_journeys_whose_threshold_has_not_passed() -> None:
    """Within 24 h with data ending at 100 h: a (2 h) counts; b (30 h) and c (never) do not;
    d signed up at 90 h, 10 h before the end: censored. Share 1 / 3."""
    log = log_of(
        rec("a", 0, "signup"), rec("a", 2 * HOUR, "call"),
        rec("b", 0, "signup"), rec("b", 30 * HOUR, "call"),
        rec("c", 0, "signup"),
        rec("d", 90 * HOUR, "signup"),
        rec("z", 100 * HOUR, "visit"),
    )  # fmt: skip
    t = time_between(log, "signup", "call", window="24 hours")
    assert (t.arrived_within, t.censored) == (1, 1)
    assert t.share_within == Ratio(1, 3)
    assert t.window == dt.timedelta(hours=24)
    later = time_between(log, "signup", "call", window="24h", now="1970-01-10T00:00:00Z")
    assert later.share_within == Ratio(1, 4)
    assert later.censored == 0


def test_share_within_of_nobody_is_undefined() -> None:
    """No journey reached the source: the share is 0/0, undefined."""
    t = time_between(log_of(rec("a", 0, "visit")), "signup", "call", window="1 day")
    assert t.started == 0
    assert t.share_within is not None
    assert not t.share_within.is_defined


def test_time_between_to_pandas() -> None:
    """One row with counts and Timedelta durations."""
    log = log_of(rec("a", 0, "signup"), rec("a", HOUR, "call"))
    frame = time_between(log, "signup", "call", window="2h").to_pandas()
    assert frame[["started", "arrived", "share_within"]].values.tolist() == [[1, 1, 1.0]]
    assert frame["duration_median"].tolist() == [dt.timedelta(hours=1)]


def test_time_between_rejects_bad_arguments() -> None:
    """Non-string stages and bad thresholds raise ConfigError."""
    log = log_of(rec("a", 0, "signup"))
    with pytest.raises(ConfigError):
        time_between(log, "signup", 3)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        time_between(log, "signup", "call", window="soon")


def test_dwell_times_per_visit() -> None:
    """a: trial 0-48 h (events at 0 and 5 h are one visit), paid open. b: trial 0-24 h, paid
    24-30 h, trial again from 30 h (open). Trial: 3 visits in 2 journeys, 2 completed
    (48 h, 24 h: median 36 h), 1 open; paid: 2 visits, 1 completed (6 h)."""
    log = log_of(
        rec("a", 0, "trial"), rec("a", 5 * HOUR, "trial"), rec("a", 48 * HOUR, "paid"),
        rec("b", 0, "trial"), rec("b", 24 * HOUR, "paid"), rec("b", 30 * HOUR, "trial"),
    )  # fmt: skip
    d = dwell_times(log)
    trial, paid = d["trial"], d["paid"]
    assert (trial.visits, trial.journeys, trial.completed, trial.open_visits) == (3, 2, 2, 1)
    assert trial.durations.median == dt.timedelta(hours=36)
    assert (paid.visits, paid.completed, paid.open_visits) == (2, 1, 1)
    assert paid.durations.median == dt.timedelta(hours=6)
    assert [n.node for n in d.nodes] == ["paid", "trial"]
    with pytest.raises(NotFoundError):
        d["nope"]


def test_dwell_times_from_counts_and_events_without_a_stage() -> None:
    """Events without a stage do not end a visit; dwell times from merged counts equal those
    from the whole log; counts without collapsed visits are refused."""
    log = log_of(rec("a", 0, "trial"), rec("a", DAY, None), rec("a", 2 * DAY, "paid"))
    assert dwell_times(log)["trial"].durations.median == dt.timedelta(days=2)
    counts = TransitionGraphCounts.from_log(log)
    assert dwell_times(counts) == dwell_times(log)
    with pytest.raises(ConfigError):
        dwell_times(TransitionGraphCounts.from_log(log, collapse_repeats=False))


def test_dwell_times_to_pandas() -> None:
    """One row per stage with Timedelta dwell columns."""
    log = log_of(rec("a", 0, "trial"), rec("a", DAY, "paid"))
    frame = dwell_times(log).to_pandas()
    assert frame["stage"].tolist() == ["paid", "trial"]
    assert frame["dwell_median"].isna().tolist() == [True, False]


def test_an_empty_log_gives_empty_results() -> None:
    """No journeys: nothing started, an undefined share, no `now`, no dwell rows."""
    log = EventLog.from_records([])
    t = time_between(log, "signup", "call", window="1 hour")
    assert (t.journeys, t.started, t.censored, t.now) == (0, 0, 0, None)
    assert t.share_within == Ratio(0, 0)
    assert dwell_times(log).nodes == ()

"""Funnels: hand-computed cases, a brute-force reference on random logs, and invariants."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchpath import EventLog, Field, JourneyMap
from touchpath.exceptions import ConfigError, NotFoundError, UndefinedResultWarning
from touchpath.metrics import (
    CountUnit,
    FunnelCounts,
    FunnelOrder,
    Level,
    Ratio,
    funnel,
)

from ._logs import DAY, HOUR, STAGES, event_records, log_of, rec

# Random logs often give a funnel that nobody enters; funnel() then warns (checked in
# test_an_empty_log), which is not what the property tests here are about.
pytestmark = pytest.mark.filterwarnings("ignore::touchpath.exceptions.UndefinedResultWarning")

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


# -- brute-force reference: one journey at a time, straight from the definitions -------------


@dataclass
class Unit:
    """A journey's (or account's) outcome in the reference."""

    depth: int
    times: list[int]
    censored: bool


def _us(t: dt.datetime) -> int:
    delta = dt.datetime.fromtimestamp(t.timestamp(), dt.UTC) - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def ref_journey(
    events: Sequence[tuple[int, str | None]],
    steps: Sequence[str],
    order: str,
    window: int | None,
    now: int | None,
) -> Unit | None:
    """Best attempt of one journey; ``events`` are (time µs, value) in log order."""
    k_steps = len(steps)
    if order == "strict":
        visits: list[tuple[int, str]] = []  # (time of first event, value)
        for t, v in events:
            if v is None:
                continue
            if not visits or visits[-1][1] != v:
                visits.append((t, v))
        anchors = [i for i, (_, v) in enumerate(visits) if v == steps[0]]
        anchor_times = [visits[i][0] for i in anchors]
    else:
        anchors = [i for i, (_, v) in enumerate(events) if v == steps[0]]
        anchor_times = [events[i][0] for i in anchors]
    if not anchors:
        return None
    best: tuple[int, list[int]] | None = None
    for a, t0 in zip(anchors, anchor_times, strict=True):
        deadline = t0 + window if window is not None else None
        times = [t0]
        if order == "strict":
            for k in range(1, k_steps):
                at = a + k
                if at >= len(visits) or visits[at][1] != steps[k]:
                    break
                if deadline is not None and visits[at][0] > deadline:
                    break
                times.append(visits[at][0])
        elif order == "sequential":
            cur = a
            for k in range(1, k_steps):
                found = None
                for j in range(cur + 1, len(events)):
                    if events[j][1] == steps[k]:
                        found = j
                        break
                if found is None or (deadline is not None and events[found][0] > deadline):
                    break
                times.append(events[found][0])
                cur = found
        else:  # any order: each step's first event after the anchor
            for k in range(1, k_steps):
                found = None
                for j in range(a + 1, len(events)):
                    if events[j][1] == steps[k]:
                        found = j
                        break
                if found is None or (deadline is not None and events[found][0] > deadline):
                    break
                times.append(max(times[-1], events[found][0]))
        if best is None or len(times) > best[0]:
            best = (len(times), times)
    assert best is not None
    depth, times = best
    censored = bool(
        window is not None
        and now is not None
        and depth < k_steps
        and anchor_times[-1] + window > now
    )
    return Unit(depth, times, censored)


def _first(values: Sequence[str | None]) -> str | None:
    return next((v for v in values if v is not None), None)


def reference(
    log: EventLog,
    steps: Sequence[str],
    *,
    order: str = "sequential",
    window: int | None = None,
    now: int | None = None,
    count: str = "journeys",
    by: Field | None = None,
) -> dict[str | None, list[tuple[int, int, int, list[int], list[int]]]]:
    """Per group, per step: (reached, dropped, censored, times to step, times from previous)."""
    units: list[tuple[str | None, Unit]] = []
    per_journey = []
    for index, journey in enumerate(log):
        events = [(_us(e.timestamp), e.stage) for e in journey]
        unit = ref_journey(events, steps, order, window, now)
        account = _first([e.account for e in journey])
        label = None
        label_time = None
        if by is not None:
            for e in journey:
                value = getattr(e, by.value)
                if value is not None:
                    label, label_time = value, _us(e.timestamp)
                    break
        per_journey.append((index, unit, account, label, label_time))
    if count == "journeys":
        units = [(label, u) for _, u, _, label, _ in per_journey if u is not None]
    else:
        accounts: dict[str, list[Any]] = {}
        for row in per_journey:
            if row[2] is not None:
                accounts.setdefault(row[2], []).append(row)
        for rows in accounts.values():
            entered = [r[1] for r in rows if r[1] is not None]
            if not entered:
                continue
            depth = max(u.depth for u in entered)
            times = [min(u.times[k] for u in entered if u.depth > k) for k in range(depth)]
            censored = depth < len(steps) and any(u.censored for u in entered)
            labelled = [r for r in rows if r[3] is not None]
            label = min(labelled, key=lambda r: (r[4], r[0]))[3] if labelled else None
            units.append((label, Unit(depth, times, censored)))
    out: dict[str | None, list[tuple[int, int, int, list[int], list[int]]]] = {}
    labels = {label for label, _ in units} if by is not None else {None}
    for g in labels:
        members = [u for label, u in units if by is None or label == g]
        rows = []
        for k in range(len(steps)):
            reached = [u for u in members if u.depth > k]
            stuck = [u for u in members if u.depth == k + 1] if k < len(steps) - 1 else []
            cens = sum(u.censored for u in stuck)
            to_step = sorted(u.times[k] - u.times[0] for u in reached) if k else []
            from_prev = sorted(u.times[k] - u.times[k - 1] for u in reached) if k else []
            rows.append((len(reached), len(stuck) - cens, cens, to_step, from_prev))
        out[g] = rows
    return out


def observed(
    counts: FunnelCounts,
) -> dict[str | None, list[tuple[int, int, int, list[int], list[int]]]]:
    """The same shape from the counts under test (durations from the exact digests)."""
    out = {}
    for label, steps in counts.groups.items():
        rows = []
        for s in steps:
            assert s.time_to_step.values is not None
            assert s.time_from_previous.values is not None
            rows.append(
                (
                    s.reached,
                    s.dropped,
                    s.censored,
                    s.time_to_step.values.tolist(),
                    s.time_from_previous.values.tolist(),
                )
            )
        out[label] = rows
    return out


# -- hand-computed cases ------------------------------------------------------------------------


def reached(result: Any) -> list[int]:
    return [s.reached for s in result.steps]


def test_sequential_allows_other_events_between_steps_and_skips_nothing() -> None:
    """Sequential: a: visit, blog, trial, paid reaches 3; b: visit, paid (no trial) reaches 1;
    c: trial then visit reaches 1 (its trial came before the visit); d never visits: 3 entered.
    """
    log = log_of(
        rec("a", 0, "visit"), rec("a", 1, None), rec("a", 2, "trial"), rec("a", 3, "paid"),
        rec("b", 0, "visit"), rec("b", 5, "paid"),
        rec("c", 0, "trial"), rec("c", 1, "visit"),
        rec("d", 0, "trial"),
    )  # fmt: skip
    f = funnel(log, ["visit", "trial", "paid"])
    assert reached(f) == [3, 1, 1]
    assert [s.dropped for s in f.steps] == [2, 0, 0]
    assert f.steps[1].conversion_from_previous == Ratio(1, 3)
    assert f.steps[2].conversion_from_previous == Ratio(1, 1)
    assert f.steps[2].conversion_from_first == Ratio(1, 3)
    assert f.steps[0].drop_off == Ratio(2, 3)
    assert f.steps[2].drop_off is None
    assert f.counts.population == 4


def test_equal_timestamps_follow_the_log_order() -> None:
    """Events at the same second keep input order: trial listed before visit does not count
    as after it; listed after, it does."""
    before = log_of(rec("a", 0, "trial"), rec("a", 0, "visit"))
    after = log_of(rec("a", 0, "visit"), rec("a", 0, "trial"))
    steps = ["visit", "trial"]
    assert reached(funnel(before, steps)) == [1, 0]
    assert reached(funnel(after, steps)) == [1, 1]
    assert reached(funnel(before, steps, order="any")) == [1, 0]
    assert funnel(after, steps).steps[1].time_to_step.median == dt.timedelta(0)


def test_strict_needs_consecutive_visits() -> None:
    """Strict: a (visit, visit, trial) passes, repeats collapse into one visit; b (visit,
    blog, trial) fails at trial because 'blog' is a stage visit in between; an event
    without a stage does not interrupt (c)."""
    log = log_of(
        rec("a", 0, "visit"), rec("a", 1, "visit"), rec("a", 2, "trial"),
        rec("b", 0, "visit"), rec("b", 1, "blog"), rec("b", 2, "trial"),
        rec("c", 0, "visit"), rec("c", 1, None), rec("c", 2, "trial"),
    )  # fmt: skip
    f = funnel(log, ["visit", "trial"], order="strict")
    assert reached(f) == [3, 2]
    assert reached(funnel(log, ["visit", "trial"])) == [3, 3]
    # time from the first event of the visit: a's visit started at 0
    assert f.steps[1].time_to_step.maximum == dt.timedelta(seconds=2)


def test_strict_uses_the_deepest_attempt() -> None:
    """Strict: visit, trial, blog, visit, trial, paid reaches paid through the second visit,
    and times are measured from that attempt (t=3 to t=5: 2 s)."""
    log = log_of(
        rec("a", 0, "visit"), rec("a", 1, "trial"), rec("a", 2, "blog"),
        rec("a", 3, "visit"), rec("a", 4, "trial"), rec("a", 5, "paid"),
    )  # fmt: skip
    f = funnel(log, ["visit", "trial", "paid"], order="strict")
    assert reached(f) == [1, 1, 1]
    assert f.steps[2].time_to_step.median == dt.timedelta(seconds=2)


def test_any_order_counts_steps_reached_in_any_order_after_step_one() -> None:
    """Any order: a does visit, paid, trial: reaches trial (1 h) and paid; reached 'paid' at
    the later of the two first times (2 h)."""
    log = log_of(rec("a", 0, "visit"), rec("a", HOUR, "paid"), rec("a", 2 * HOUR, "trial"))
    f = funnel(log, ["visit", "trial", "paid"], order=FunnelOrder.ANY)
    assert reached(f) == [1, 1, 1]
    assert f.steps[1].time_to_step.median == dt.timedelta(hours=2)
    assert f.steps[2].time_to_step.median == dt.timedelta(hours=2)
    assert reached(funnel(log, ["visit", "trial", "paid"])) == [1, 1, 0]


def test_window_is_measured_from_step_one_and_inclusive() -> None:
    """With a 1-day window, a trial exactly 1 day after the visit counts, one second later
    does not."""
    log = log_of(
        rec("a", 0, "visit"), rec("a", DAY, "trial"),
        rec("b", 0, "visit"), rec("b", DAY + 1, "trial"),
        rec("z", 10 * DAY, "other"),  # moves now to day 10, so nothing is censored
    )  # fmt: skip
    f = funnel(log, ["visit", "trial"], window="1 day")
    assert reached(f) == [2, 1]
    assert [s.censored for s in f.steps] == [0, 0]


def test_window_re_entry_uses_the_attempt_that_gets_furthest() -> None:
    """A journey that visits, waits 10 days, visits again and starts a trial 1 hour later is
    reached at trial within a 1-day window, 1 hour after its second visit."""
    log = log_of(
        rec("a", 0, "visit"), rec("a", 10 * DAY, "visit"), rec("a", 10 * DAY + HOUR, "trial")
    )
    f = funnel(log, ["visit", "trial"], window="1 day")
    assert reached(f) == [1, 1]
    assert f.steps[1].time_to_step.median == dt.timedelta(hours=1)
    # without a window the first visit is the attempt
    assert funnel(log, ["visit", "trial"]).steps[1].time_to_step.median == dt.timedelta(
        days=10, hours=1
    )


def test_censored_journeys_are_not_drop_off() -> None:
    """Window 7 days, data ending on day 10: a (visit day 0, no trial) dropped; b (visit day
    5) is still in its window: censored; c (visit day 9, trial day 10) reached. Conversion
    from visit: 1/3; settled conversion leaves b out: 1/2."""
    log = log_of(
        rec("a", 0, "visit"),
        rec("b", 5 * DAY, "visit"),
        rec("c", 9 * DAY, "visit"), rec("c", 10 * DAY, "trial"),
    )  # fmt: skip
    f = funnel(log, ["visit", "trial"], window="7 days")
    s0, s1 = f.steps
    assert (s0.reached, s0.dropped, s0.censored) == (3, 1, 1)
    assert s1.conversion_from_previous == Ratio(1, 3)
    assert s1.settled_conversion == Ratio(1, 2)
    assert f.censored == 1
    # a later `now` closes b's window: b dropped
    later = funnel(log, ["visit", "trial"], window="7 days", now="1970-01-20T00:00:00Z")
    assert (later.steps[0].dropped, later.steps[0].censored) == (2, 0)
    assert later.counts.now == dt.datetime(1970, 1, 20, tzinfo=dt.UTC)


def test_no_window_means_no_censoring() -> None:
    """Without a window a journey that stopped at step 1 at the very end has dropped off."""
    f = funnel(log_of(rec("a", 0, "visit")), ["visit", "trial"], level="stage")
    assert (f.steps[0].dropped, f.steps[0].censored, f.counts.now) == (1, 0, None)


def test_time_to_step_statistics() -> None:
    """Trial reached after 1, 2, 3 and 10 hours: median 2.5 h (linear interpolation), mean 4 h,
    p90 = 3 + 0.7 * 7 = 7.9 h; time from previous equals time to step for step 2."""
    log = log_of(*(r for j, h in enumerate((1, 2, 3, 10)) for r in (
        rec(f"j{j}", 0, "visit"), rec(f"j{j}", h * HOUR, "trial"))))  # fmt: skip
    s = funnel(log, ["visit", "trial"]).steps[1]
    assert s.time_to_step.median == dt.timedelta(hours=2.5)
    assert s.time_to_step.mean == dt.timedelta(hours=4)
    assert s.time_to_step.p90 == dt.timedelta(hours=7.9)
    assert s.time_to_step.exact
    assert s.time_from_previous == s.time_to_step
    first = funnel(log, ["visit", "trial"]).steps[0]
    assert first.time_to_step.count == 0
    assert first.time_to_step.median is None


def test_accounts_reach_a_step_when_any_contact_does() -> None:
    """Account acme: ann visits at 0 and trials at 2 h, bob visits at 1 h: acme reached trial
    2 h after its first visit. beta's only contact visits. A journey without an account is
    unassigned."""
    log = log_of(
        rec("ann", 0, "visit", account="acme"), rec("ann", 2 * HOUR, "trial"),
        rec("bob", HOUR, "visit", account="acme"),
        rec("cat", 0, "visit", account="beta"),
        rec("dan", 0, "visit"),
    )  # fmt: skip
    f = funnel(log, ["visit", "trial"], count="accounts")
    assert reached(f) == [2, 1]
    assert f.counts.unassigned == 1
    assert f.counts.population == 2
    assert f.steps[1].time_to_step.median == dt.timedelta(hours=2)


def test_breakdown_by_segment_and_first_touch_channel() -> None:
    """Each journey is in the group of its first segment value; journeys without one form the
    None group; the total equals the sum of the groups."""
    log = log_of(
        rec("a", 0, "visit", segment="smb"), rec("a", 1, "trial", segment="ent"),
        rec("b", 0, "visit", segment="ent"),
        rec("c", 0, "visit"), rec("c", 1, "trial"),
    )  # fmt: skip
    f = funnel(log, ["visit", "trial"], breakdown=Field.SEGMENT)
    assert list(f.breakdown) == ["ent", "smb", None]
    assert {k: [s.reached for s in v] for k, v in f.breakdown.items()} == {
        "ent": [1, 0],
        "smb": [1, 1],
        None: [1, 1],
    }
    assert reached(f) == [3, 2]
    by_channel = funnel(log, ["visit", "trial"], breakdown="channel")
    assert list(by_channel.breakdown) == ["web"]


def test_default_steps_are_the_map_stages_in_canonical_order() -> None:
    """Without steps the map's stages are the steps, in canonical order."""
    m = JourneyMap.builder("m").stage("b").stage("a").path("a", "b").build()
    log = log_of(rec("j", 0, "a"), rec("j", 1, "b"))
    f = funnel(log, journey_map=m)
    assert [s.step for s in f.steps] == ["a", "b"]
    assert reached(f) == [1, 1]


def test_touchpoint_steps_are_detected_from_the_log() -> None:
    """Steps known only as touchpoints make a touchpoint funnel."""
    log = log_of(
        {"journey_id": "j", "timestamp": 0, "touchpoint": "ad"},
        {"journey_id": "j", "timestamp": 1, "touchpoint": "demo"},
    )
    f = funnel(log, ["ad", "demo"])
    assert f.counts.level is Level.TOUCHPOINT
    assert reached(f) == [1, 1]


def test_step_nobody_reached_gives_zero_and_undefined_ratios() -> None:
    """With an explicit level an absent step counts 0; the step after it has an undefined
    conversion from previous (0/0), never a silent 0."""
    log = log_of(rec("j", 0, "visit"))
    f = funnel(log, ["visit", "trial", "paid"], level="stage")
    assert reached(f) == [1, 0, 0]
    assert f.steps[1].conversion_from_previous == Ratio(0, 1)
    assert not f.steps[2].conversion_from_previous.is_defined
    assert f.steps[2].conversion_from_previous.value is None


def test_empty_counts_give_undefined_rates() -> None:
    """A funnel of zero counts has reached 0 everywhere and undefined conversions."""
    f = funnel(FunnelCounts.zero(["a", "b"], level="stage"))
    assert reached(f) == [0, 0]
    assert f.conversion.value is None
    assert f.steps[0].drop_off is not None
    assert not f.steps[0].drop_off.is_defined


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({}, ConfigError),
        ({"steps": ["nope"]}, NotFoundError),
        ({"steps": []}, ConfigError),
        ({"steps": "visit"}, ConfigError),
        ({"steps": ["visit", "visit"], "order": "any"}, ConfigError),
        ({"steps": ["visit", "visit"], "order": "strict"}, ConfigError),
        ({"steps": ["visit"], "order": "fastest"}, ConfigError),
        ({"steps": ["visit"], "window": "-1 day"}, ConfigError),
        ({"steps": ["visit"], "count": "people"}, ConfigError),
        ({"steps": ["visit"], "breakdown": "timestamp"}, ConfigError),
        ({"steps": ["visit", "web"]}, ConfigError),
    ],
    ids=[
        "no-steps-no-map",
        "unknown-step",
        "empty-steps",
        "steps-as-string",
        "any-duplicate",
        "strict-consecutive-duplicate",
        "bad-order",
        "negative-window",
        "bad-count",
        "non-categorical-by",
        "mixed-levels",
    ],
)
def test_bad_arguments_raise(kwargs: dict[str, Any], error: type[Exception]) -> None:
    """Every invalid argument raises a touchpath error naming it."""
    log = log_of(rec("j", 0, "visit"))
    with pytest.raises(error):
        funnel(log, **kwargs)


def test_ambiguous_steps_ask_for_a_level() -> None:
    """A step that is both a stage and a channel id needs an explicit level."""
    log = log_of(rec("j", 0, "web"))
    with pytest.raises(ConfigError, match="level="):
        funnel(log, ["web"])
    assert funnel(log, ["web"], level="channel").counts.level is Level.CHANNEL


def test_counts_keep_their_definition() -> None:
    """funnel(counts) refuses definition arguments; counts of different definitions do not add."""
    log = log_of(rec("j", 0, "visit"))
    counts = FunnelCounts.from_log(log, ["visit"])
    with pytest.raises(ConfigError, match="window"):
        funnel(counts, window="1 day")
    other = FunnelCounts.from_log(log, ["visit"], order="strict")
    with pytest.raises(ConfigError, match="order"):
        counts + other
    total = sum([counts, counts])
    assert isinstance(total, FunnelCounts)
    assert total.total[0].reached == 2


def test_to_pandas_has_one_row_per_group_and_step() -> None:
    """to_pandas: rows per (segment, step), rates as floats, NaN for undefined."""
    log = log_of(rec("a", 0, "visit", segment="smb"), rec("b", 0, "visit", segment="ent"))
    frame = funnel(log, ["visit", "trial"], breakdown="segment", level="stage").to_pandas()
    assert frame[["segment", "step", "reached"]].values.tolist() == [
        ["ent", "visit", 1],
        ["ent", "trial", 0],
        ["smb", "visit", 1],
        ["smb", "trial", 0],
    ]
    assert frame["conversion_from_previous"].tolist() == [1.0, 0.0, 1.0, 0.0]
    assert str(frame["time_to_step_median"].dtype).startswith("timedelta64")


# -- the reference on random logs ----------------------------------------------------------------

# the orders and units this reference knows; open funnels, attempts, exclusions, several-id
# steps and repeats="break" have their own reference in test_funnel_extensions.py
orders = st.sampled_from([FunnelOrder.SEQUENTIAL, FunnelOrder.STRICT, FunnelOrder.ANY])
units = st.sampled_from([CountUnit.JOURNEYS, CountUnit.ACCOUNTS])


@st.composite
def funnel_steps(draw: st.DrawFn, order: FunnelOrder) -> list[str]:
    if order == "any":
        size = draw(st.integers(2, 3))
        return draw(st.permutations(STAGES).map(lambda p: list(p[:size])))
    steps = draw(st.lists(st.sampled_from(STAGES), min_size=2, max_size=4))
    if order == "strict":
        steps = [s for i, s in enumerate(steps) if i == 0 or s != steps[i - 1]]
    return steps


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), records=event_records())
def test_matches_the_brute_force_reference(
    data: st.DataObject, records: list[dict[str, Any]]
) -> None:
    """Counts, drop-off, censoring and every duration equal the per-journey reference, for
    every order, with and without a window, per journey or account, with a breakdown."""
    log = EventLog.from_records(records)
    order = data.draw(orders)
    steps = data.draw(funnel_steps(order))
    window = data.draw(st.sampled_from([None, 0, 2, 6]))
    now = data.draw(st.sampled_from([None, 1_000_020]))
    count = data.draw(units)
    by = data.draw(st.sampled_from([None, Field.SEGMENT, Field.ACCOUNT]))
    counts = FunnelCounts.from_log(
        log,
        steps,
        level="stage",
        order=order,
        window=window,
        count=count,
        breakdown=by,
        now=now,
    )
    now_us = (now if now is not None else max(r["timestamp"] for r in records)) * 1_000_000
    expected = reference(
        log,
        steps,
        order=order,
        window=None if window is None else window * 1_000_000,
        now=now_us if window is not None else None,
        count=count,
        by=by,
    )
    got = observed(counts)
    assert got == {k: v for k, v in expected.items() if v[0][0] > 0}


@settings(max_examples=60, deadline=None)
@given(data=st.data(), records=event_records())
def test_counts_never_increase_along_the_steps(
    data: st.DataObject, records: list[dict[str, Any]]
) -> None:
    """In every order and window, the number reached is non-increasing from step to step."""
    log = EventLog.from_records(records)
    order = data.draw(orders)
    steps = data.draw(funnel_steps(order))
    f = funnel(log, steps, level="stage", order=order, window=data.draw(st.sampled_from([None, 5])))
    counts = reached(f)
    assert all(a >= b for a, b in itertools.pairwise(counts))
    for s in f.steps:
        assert s.reached == f.steps[0].reached - sum(
            x.dropped + x.censored for x in f.steps[: s.index]
        )


@settings(max_examples=60, deadline=None)
@given(data=st.data(), records=event_records())
def test_counts_of_two_halves_add_up_to_the_whole(
    data: st.DataObject, records: list[dict[str, Any]]
) -> None:
    """Splitting the journeys (by account for account counts) and adding the two FunnelCounts
    gives exactly the counts of the whole log, digests included."""
    log = EventLog.from_records(records)
    order = data.draw(orders)
    steps = data.draw(funnel_steps(order))
    count = data.draw(units)
    kwargs: dict[str, Any] = {
        "level": "stage",
        "order": order,
        "window": data.draw(st.sampled_from([None, 10])),
        "count": count,
        "breakdown": data.draw(st.sampled_from([None, "segment"])),
        "now": 1_000_030,
    }
    key = [(_first([e.account for e in j]) if count == "accounts" else j.id) for j in log]
    side = {k: data.draw(st.booleans()) for k in sorted(set(key), key=str)}
    mask = [side[k] for k in key]
    import numpy as np

    left = np.array(mask, dtype=np.bool_)
    whole = FunnelCounts.from_log(log, steps, **kwargs)
    parts = [
        FunnelCounts.from_log(log.select(m), steps, **kwargs) if m.any() else None
        for m in (left, ~left)
    ]
    total = sum(p for p in parts if p is not None)
    assert isinstance(total, FunnelCounts)
    assert total.groups == whole.groups
    assert total.unassigned == whole.unassigned


@settings(max_examples=40, deadline=None)
@given(records=event_records(), seed=st.integers(0, 2**32 - 1), order=orders)
def test_row_order_does_not_matter(
    records: list[dict[str, Any]], seed: int, order: FunnelOrder
) -> None:
    """Shuffling the input rows (keeping the order of rows with equal journey and timestamp,
    which the log documents as the tie-break) leaves the counts unchanged."""
    shuffled = records[:]
    random.Random(seed).shuffle(shuffled)
    # restore input order among ties so only the interleaving changes
    tie_rank = {id(r): i for i, r in enumerate(records)}
    groups: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in records:
        groups.setdefault((r["journey_id"], r["timestamp"]), []).append(r)
    seen: dict[tuple[str, int], int] = {}
    final = []
    for r in shuffled:
        k = (r["journey_id"], r["timestamp"])
        i = seen.get(k, 0)
        final.append(sorted(groups[k], key=lambda x: tie_rank[id(x)])[i])
        seen[k] = i + 1
    steps = ["a", "b", "c"] if order != "strict" else ["a", "b", "a"]
    a = FunnelCounts.from_log(EventLog.from_records(records), steps, level="stage", order=order)
    b = FunnelCounts.from_log(EventLog.from_records(final), steps, level="stage", order=order)
    assert a == b


def test_an_empty_log() -> None:
    """No journeys: nobody entered, every rate undefined, nothing censored; the funnel warns
    that it has nothing to show and its report section is a note, not an empty table."""
    log = EventLog.from_records([])
    with pytest.warns(UndefinedResultWarning, match="no account reached the funnel's first step"):
        f = funnel(
            log, ["a", "b"], level="stage", window="1 day", count="accounts", breakdown="segment"
        )
    section = f.report_section()
    assert "<table" not in section.body
    assert "no account reached" in section.body
    assert reached(f) == [0, 0]
    assert f.counts.groups == {}
    assert f.conversion == Ratio(0, 0)

"""Open funnels, several-id steps, exclusions, strict repeats and attempts: hand-computed cases
and a brute-force per-journey reference written from the definitions in docs/metrics.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import EventLog
from touchpath.exceptions import ConfigError
from touchpath.metrics import (
    CountUnit,
    Exclusion,
    FunnelCounts,
    FunnelOrder,
    Repeats,
    funnel,
)

from ._logs import STAGES, event_records, log_of, rec

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _us(t: dt.datetime) -> int:
    delta = t - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


# -- hand-computed cases ------------------------------------------------------------------------


def test_strict_repeats_allowed_or_break() -> None:
    """On A, B, B, C the strict funnel A -> B -> C completes when repeats merge into one
    visit and stops at B when every event counts."""
    log = log_of(rec("j", 0, "a"), rec("j", 1, "b"), rec("j", 2, "b"), rec("j", 3, "c"))
    allowed = funnel(log, ["a", "b", "c"], order="strict")
    broken = funnel(log, ["a", "b", "c"], order="strict", repeats="break")
    assert [s.reached for s in allowed.steps] == [1, 1, 1]
    assert [s.reached for s in broken.steps] == [1, 1, 0]
    # with repeats="break" a step may follow itself: A, B, B is matched by a -> b -> b
    twice = funnel(log, ["a", "b", "b"], order="strict", repeats=Repeats.BREAK)
    assert [s.reached for s in twice.steps] == [1, 1, 1]
    with pytest.raises(ConfigError, match="repeats='break'"):
        funnel(log, ["a", "b", "b"], order="strict")


def test_open_funnel_counts_each_step_on_its_own() -> None:
    """x has c only, y has b then a, z has a: open counts a: 2, b: 1, c: 1 whatever the
    order; dropped(k) has step k and not k+1 (a without b: z; b without c: y)."""
    log = log_of(rec("x", 0, "c"), rec("y", 0, "b"), rec("y", 1, "a"), rec("z", 0, "a"))
    f = funnel(log, ["a", "b", "c"], order="open")
    assert [(s.reached, s.dropped, s.censored) for s in f.steps] == [
        (2, 1, 0),
        (1, 1, 0),
        (1, 0, 0),
    ]
    assert f.counts.population == 3
    with pytest.raises(ConfigError, match="no window"):
        funnel(log, ["a", "b"], order="open", window="1 day")
    with pytest.raises(ConfigError, match="no attempts"):
        funnel(log, ["a", "b"], order="open", count="attempts")


def test_step_of_several_ids() -> None:
    """A step ("b", "c") is reached by either id, and is named "b | c"."""
    log = log_of(rec("x", 0, "a"), rec("x", 1, "c"), rec("y", 0, "a"), rec("y", 1, "b"))
    f = funnel(log, ["a", ("b", "c")])
    assert [s.step for s in f.steps] == ["a", "b | c"]
    assert [s.reached for s in f.steps] == [2, 2]
    with pytest.raises(ConfigError, match="tuples of distinct strings"):
        funnel(log, ["a", ("b", "b")], level="stage")
    with pytest.raises(ConfigError, match="tuples of distinct strings"):
        funnel(log, ["a", ()], level="stage")


def test_exclusion_posthog_semantics() -> None:
    """x: a, e, b is excluded (e between a and b); y: a, b, e is not (e after b); z: a, e never
    reaches b and e is after a: excluded; w: a, e, a, b re-enters after e: its second attempt
    counts. Excluded journeys are in no step and counted apart."""
    log = log_of(
        *[rec("x", t, s) for t, s in enumerate("aeb")],
        *[rec("y", t, s) for t, s in enumerate("abe")],
        *[rec("z", t, s) for t, s in enumerate("ae")],
        *[rec("w", t, s) for t, s in enumerate("aeab")],
    )
    f = funnel(log, ["a", "b"], exclusions=[Exclusion("e", after=0, before=1)])
    assert [s.reached for s in f.steps] == [2, 2]
    assert f.counts.excluded == 2
    attempts = funnel(log, ["a", "b"], count="attempts", exclusions=[Exclusion("e")])
    # attempts: x1 out, y1 in, z1 out, w1 out (e before b), w2 in
    assert [s.reached for s in attempts.steps] == [2, 2]
    assert attempts.counts.excluded == 3
    assert attempts.counts.population == 5
    assert "2 journeys excluded" in f.report_section().note


def test_exclusion_checks() -> None:
    """Exclusions must fit the steps, and need an ordered funnel."""
    log = log_of(rec("x", 0, "a"), rec("x", 1, "b"))
    with pytest.raises(ConfigError, match=r"has steps 0\.\.1"):
        funnel(log, ["a", "b"], exclusions=[Exclusion("e", after=0, before=2)])
    with pytest.raises(ConfigError, match="ordered funnel"):
        funnel(log, ["a", "b"], order="any", exclusions=[Exclusion("e")])
    with pytest.raises(ConfigError, match="'before'"):
        Exclusion("e", after=1, before=1)
    with pytest.raises(ConfigError, match="'after'"):
        Exclusion("e", after=-1)
    with pytest.raises(ConfigError, match="Exclusion objects"):
        funnel(log, ["a", "b"], exclusions=["e"])  # type: ignore[list-item]


def test_counts_refuse_redefinition() -> None:
    """funnel(counts) takes the new options from the counts too."""
    log = log_of(rec("x", 0, "a"))
    counts = FunnelCounts.from_log(log, ["a"], repeats="break", order="strict")
    assert counts.repeats is Repeats.BREAK
    with pytest.raises(ConfigError, match="'exclusions'"):
        funnel(counts, exclusions=[Exclusion("e", before=1)])


# -- the brute-force reference -------------------------------------------------------------------


@dataclass
class Unit:
    """The outcome of one unit: how deep, when each step was reached, censored."""

    depth: int
    times: list[int]
    censored: bool
    where: list[int] = field(default_factory=list)


def _attempts(
    events: Sequence[tuple[int, str | None]],
    steps: Sequence[frozenset[str]],
    order: str,
    repeats: str,
    window: int | None,
    exclusions: Sequence[tuple[frozenset[str], int, int]],
) -> list[tuple[Unit, bool, int]]:
    """Every attempt of one journey: (outcome, excluded, deadline), in anchor order."""
    k_steps = len(steps)
    if order == "strict":
        visits: list[tuple[int, str, int]] = []  # (time, value, position of first event)
        for i, (t, v) in enumerate(events):
            if v is None:
                continue
            if repeats == "break" or not visits or visits[-1][1] != v:
                visits.append((t, v, i))
        anchors = [i for i, (_, v, _) in enumerate(visits) if v in steps[0]]
    else:
        anchors = [i for i, (_, v) in enumerate(events) if v in steps[0]]
    out = []
    for a in anchors:
        t0 = visits[a][0] if order == "strict" else events[a][0]
        deadline = t0 + window if window is not None else 2**62
        times = [t0]
        where = [visits[a][2] if order == "strict" else a]
        cur = a
        for k in range(1, k_steps):
            found = None
            if order == "strict":
                at = a + k
                if at < len(visits) and visits[at][1] in steps[k]:
                    found = at
                if found is None or visits[found][0] > deadline:
                    break
                times.append(visits[found][0])
                where.append(visits[found][2])
                continue
            start = cur if order == "sequential" else a
            for j in range(start + 1, len(events)):
                if events[j][1] in steps[k]:
                    found = j
                    break
            if found is None or events[found][0] > deadline:
                break
            if order == "sequential":
                times.append(events[found][0])
                cur = found
            else:
                times.append(max(times[-1], events[found][0]))
            where.append(found)
        depth = len(times)
        excluded = False
        for ids, after, before in exclusions:
            if depth <= after:
                continue
            hi = where[before] if depth > before else len(events)
            for j in range(where[after] + 1, hi):
                t, v = events[j]
                if v in ids and (depth > before or t <= deadline):
                    excluded = True
        out.append((Unit(depth, times, False, where), excluded, deadline))
    return out


def reference(
    log: EventLog,
    steps: Sequence[frozenset[str]],
    *,
    order: str,
    repeats: str,
    window: int | None,
    now: int | None,
    count: str,
    exclusions: Sequence[tuple[frozenset[str], int, int]],
) -> tuple[list[tuple[int, int, int, list[int], list[int]]], int, int]:
    """Per step (reached, dropped, censored, times to step, times from previous), the
    number excluded and the population, one journey at a time."""
    k_steps = len(steps)
    units: list[Unit] = []
    excluded = 0
    population = 0
    per_journey: list[tuple[str | None, Unit | None, bool]] = []  # (account, unit, excluded)
    for journey in log:
        events = [(_us(e.timestamp), e.stage) for e in journey]
        account = next((e.account for e in journey if e.account is not None), None)
        if order == "open":
            has = [int(any(v in s for _, v in events)) for s in steps]
            per_journey.append((account, Unit(-1, has, False) if any(has) else None, False))
            continue
        attempts = _attempts(events, steps, order, repeats, window, exclusions)
        if count == "attempts":
            for u, out, deadline in attempts:
                population += 1
                if out:
                    excluded += 1
                    continue
                censored = now is not None and u.depth < k_steps and deadline > now
                units.append(Unit(u.depth, u.times, censored))
            continue
        kept = [u for u, out, _ in attempts if not out]
        if not attempts:
            per_journey.append((account, None, False))
            continue
        if not kept:
            per_journey.append((account, None, True))
            continue
        best = max(kept, key=lambda u: u.depth)  # max keeps the first of equals: the earliest
        censored = (
            now is not None
            and best.depth < k_steps
            and attempts[-1][2] > now
            and window is not None
        )
        per_journey.append((account, Unit(best.depth, best.times, censored), False))
    if count == "journeys":
        population = len(per_journey)
        units = [u for _, u, _ in per_journey if u is not None]
        excluded = sum(out for _, _, out in per_journey)
    elif count == "accounts":
        by_account: dict[str, list[tuple[Unit | None, bool]]] = {}
        for account, maybe, out in per_journey:
            if account is not None:
                by_account.setdefault(account, []).append((maybe, out))
        population = len(by_account)
        for members in by_account.values():
            entered = [m for m, _ in members if m is not None]
            if not entered:
                excluded += any(out for _, out in members)
                continue
            if order == "open":
                units.append(
                    Unit(-1, [max(u.times[k] for u in entered) for k in range(k_steps)], False)
                )
                continue
            depth = max(u.depth for u in entered)
            times = [min(u.times[k] for u in entered if u.depth > k) for k in range(depth)]
            censored = depth < k_steps and any(u.censored for u in entered)
            units.append(Unit(depth, times, censored))
    rows: list[tuple[int, int, int, list[int], list[int]]] = []
    for k in range(k_steps):
        if order == "open":
            reached = sum(u.times[k] for u in units)
            dropped = (
                sum(u.times[k] and not u.times[k + 1] for u in units) if k < k_steps - 1 else 0
            )
            rows.append((reached, dropped, 0, [], []))
            continue
        at = [u for u in units if u.depth > k]
        stuck = [u for u in units if u.depth == k + 1] if k < k_steps - 1 else []
        cens = sum(u.censored for u in stuck)
        to_step = sorted(u.times[k] - u.times[0] for u in at) if k else []
        from_prev = sorted(u.times[k] - u.times[k - 1] for u in at) if k else []
        rows.append((len(at), len(stuck) - cens, cens, to_step, from_prev))
    return rows, excluded, population


def observed(counts: FunnelCounts) -> list[tuple[int, int, int, list[int], list[int]]]:
    """The same shape from the counts under test (durations from the exact digests)."""
    out = []
    for s in counts.total:
        to_step = s.time_to_step.values
        from_prev = s.time_from_previous.values
        out.append(
            (
                s.reached,
                s.dropped,
                s.censored,
                [] if to_step is None else to_step.tolist(),
                [] if from_prev is None else from_prev.tolist(),
            )
        )
    return out


@st.composite
def definitions(draw: st.DrawFn, orders: Sequence[str] = ()) -> dict[str, Any]:
    """A random funnel definition over the stages a, b, c (and d, in no event)."""
    order = draw(st.sampled_from(orders or ["sequential", "strict", "any", "open"]))
    ids = st.sampled_from([*STAGES, "d"])
    one_step = st.one_of(ids, st.lists(ids, min_size=2, max_size=2, unique=True).map(tuple))
    steps: list[Any] = draw(st.lists(one_step, min_size=1, max_size=4))
    if order == "any":
        names = [s if isinstance(s, str) else " | ".join(s) for s in steps]
        steps = [s for i, s in enumerate(steps) if names[i] not in names[:i]]
    repeats = draw(st.sampled_from(["allowed", "break"]))
    if order == "strict" and repeats == "allowed":
        steps = [s for i, s in enumerate(steps) if i == 0 or s != steps[i - 1]]
    window = None if order == "open" else draw(st.sampled_from([None, 0, 3, 8]))
    units = ["journeys", "accounts"] + ([] if order == "open" else ["attempts"])
    exclusions = []
    if order in ("sequential", "strict") and len(steps) > 1 and draw(st.booleans()):
        after = draw(st.integers(0, len(steps) - 2))
        before = draw(st.integers(after + 1, len(steps) - 1))
        exclusions.append(Exclusion(draw(st.sampled_from(STAGES)), after=after, before=before))
    return {
        "steps": steps,
        "order": order,
        "repeats": repeats,
        "window": window,
        "count": draw(st.sampled_from(units)),
        "exclusions": exclusions,
    }


@settings(max_examples=250)
@given(records=event_records(), definition=definitions())
def test_matches_the_brute_force_reference(
    records: list[dict[str, Any]], definition: dict[str, Any]
) -> None:
    """Counts, drop-off, censoring, durations, exclusions and population equal the
    per-journey reference for every order, unit, step shape, exclusion and repeat rule."""
    check_reference(records, definition)


@settings(max_examples=150)
@given(
    records=event_records(max_journeys=4, min_events=4),
    definition=definitions(orders=["strict"]),
)
def test_strict_funnels_match_the_reference(
    records: list[dict[str, Any]], definition: dict[str, Any]
) -> None:
    """The same on strict funnels alone, where repeats and exclusions interact most."""
    check_reference(records, definition)


def check_reference(records: list[dict[str, Any]], definition: dict[str, Any]) -> None:
    """Compare the counts of a definition with the reference's."""
    log = EventLog.from_records(records)
    now = 1_000_010
    counts = FunnelCounts.from_log(log, level="stage", now=now, **definition)
    steps = [frozenset([s] if isinstance(s, str) else s) for s in definition["steps"]]
    window = definition["window"]
    rows, excluded, population = reference(
        log,
        steps,
        order=definition["order"],
        repeats=definition["repeats"],
        window=None if window is None else window * 1_000_000,
        now=now * 1_000_000 if window is not None else None,
        count=definition["count"],
        exclusions=[(frozenset(e.events), e.after, e.before) for e in definition["exclusions"]],
    )
    assert observed(counts) == rows
    assert counts.excluded == excluded
    assert counts.population == population


@pytest.mark.filterwarnings(
    "ignore::touchpath.exceptions.UndefinedResultWarning"
)  # random data: nobody may enter
@settings(max_examples=150)
@given(records=event_records(), definition=definitions())
def test_reached_is_next_plus_dropped_plus_censored(
    records: list[dict[str, Any]], definition: dict[str, Any]
) -> None:
    """reached(k) = reached(k+1) + dropped(k) + censored(k) for every unit (journeys,
    accounts, attempts) and ordered funnel, per group too, for every step but the last (which
    has none dropped or censored); open funnels have no order, and there reached(k) >=
    dropped(k) instead."""
    log = EventLog.from_records(records)
    f = funnel(log, level="stage", breakdown="segment", now=1_000_010, **definition)
    for steps in (f.steps, *f.breakdown.values()):
        for k, s in enumerate(steps[:-1]):
            if definition["order"] == "open":
                assert s.reached >= s.dropped
            else:
                assert s.reached == steps[k + 1].reached + s.dropped + s.censored
        assert (steps[-1].dropped, steps[-1].censored) == (0, 0)


@settings(max_examples=80)
@given(records=event_records(), definition=definitions(), data=st.data())
def test_counts_of_two_halves_add_up(
    records: list[dict[str, Any]], definition: dict[str, Any], data: st.DataObject
) -> None:
    """Counts of two disjoint sets of journeys (accounts for account counts) add up to the
    counts of the whole log, exclusions and population included."""
    log = EventLog.from_records(records)
    if definition["count"] == "accounts":
        keys = [next((e.account for e in j if e.account), None) for j in log]
    else:
        keys = [j.id for j in log]
    side = {k: data.draw(st.booleans()) for k in sorted(set(keys), key=str)}
    left = np.array([side[k] for k in keys], dtype=np.bool_)
    kwargs = {"level": "stage", "now": 1_000_010, **definition}
    whole = FunnelCounts.from_log(log, **kwargs)
    parts = [FunnelCounts.from_log(log.select(m), **kwargs) for m in (left, ~left) if m.any()]
    total = sum(parts)
    assert isinstance(total, FunnelCounts)
    assert total.groups == whole.groups
    assert total.excluded == whole.excluded
    if definition["count"] != "accounts":  # accounts without journeys have no account
        assert total.population == whole.population


def test_attempts_count_every_start() -> None:
    """a, a, b: two sequential attempts, both reach b (the same b event)."""
    log = log_of(rec("j", 0, "a"), rec("j", 1, "a"), rec("j", 2, "b"))
    f = funnel(log, ["a", "b"], count=CountUnit.ATTEMPTS)
    assert [s.reached for s in f.steps] == [2, 2]
    assert funnel(log, ["a", "b"], order=FunnelOrder.STRICT, count="attempts").entered == 1


# -- trends ---------------------------------------------------------------------------------------


@settings(max_examples=60)
@given(
    records=event_records(),
    definition=definitions(orders=["sequential", "strict", "any"]),
    period=st.sampled_from(["day", "week", "month"]),
    data=st.data(),
)
def test_trend_periods_add_up_to_the_whole_funnel(
    records: list[dict[str, Any]], definition: dict[str, Any], period: Any, data: st.DataObject
) -> None:
    """Each unit is counted in exactly one period: the periods' counts sum to the funnel of
    the whole log; trends of two disjoint halves add up to the trends of the whole."""
    from touchpath.metrics import funnel_trends

    # spread the journeys over several days so that periods differ
    for r in records:
        r["timestamp"] += 86400 * 9 * int(r["journey_id"][1:])
    log = EventLog.from_records(records)
    kwargs = {"level": "stage", "now": 2_000_000, **definition}
    whole = FunnelCounts.from_log(log, **kwargs)
    trends = funnel_trends(log, period=period, **kwargs)
    summed = sum(trends.periods.values())
    if whole.total[0].reached:
        assert isinstance(summed, FunnelCounts)
        assert summed.total == whole.total
    assert trends.excluded == whole.excluded
    keys = [j.id for j in log]
    if definition["count"] == "accounts":
        keys = [next((e.account for e in j if e.account), None) or j.id for j in log]
    side = {k: data.draw(st.booleans()) for k in sorted(set(keys))}
    left = np.array([side[k] for k in keys], dtype=np.bool_)
    if definition["count"] == "accounts" and any(
        next((e.account for e in j if e.account), None) is None for j in log
    ):
        return  # journeys without an account are never counted; nothing more to check
    parts = [
        funnel_trends(log.select(m), period=period, **kwargs) for m in (left, ~left) if m.any()
    ]
    merged = sum(parts)
    assert merged == trends


def test_trends_by_hand() -> None:
    """Entries on Thu 1 Jan 1970 and Mon 5 Jan fall in the ISO weeks starting 29 Dec 1969 and
    5 Jan 1970; open funnels have no entry period."""
    from touchpath.metrics import funnel_trends

    log = log_of(rec("x", 0, "a"), rec("x", 60, "b"), rec("y", 4 * 86400, "a"))
    t = funnel_trends(log, ["a", "b"], period="week")
    assert list(t.periods) == [dt.date(1969, 12, 29), dt.date(1970, 1, 5)]
    assert [c.population for c in t.periods.values()] == [1, 1]
    assert t.result(dt.date(1970, 1, 5)).conversion.value == 0.0
    with pytest.raises(ConfigError, match="no entry step"):
        funnel_trends(log, ["a", "b"], order="open")
    with pytest.raises(ConfigError, match="same period"):
        _ = t + funnel_trends(log, ["a", "b"], period="month")


# -- paths around drop-off ------------------------------------------------------------------------


def _moves(
    events: Sequence[tuple[int, str | None]], p: int, m: int, direction: str
) -> tuple[tuple[str, ...], bool, list[int]]:
    """The next (previous) m value changes around event p, walked event by event."""
    t_p, v_p = events[p]
    around = events[p + 1 :] if direction == "next" else events[:p][::-1]
    seq = [(t, v) for t, v in around if v is not None]
    while seq and seq[0][1] == v_p:  # still the visit holding the step's event
        seq.pop(0)
    runs: list[tuple[int, str]] = []  # (time of the run's first event, value)
    for t, v in seq:
        if runs and runs[-1][1] == v:
            if direction == "previous":
                runs[-1] = (t, v)  # walking backwards, the run starts earlier
            continue
        runs.append((t, v))
    taken = runs[:m]
    return (
        tuple(v for _, v in taken),
        len(taken) < m,
        [abs(t - t_p) for t, _ in taken],
    )


@pytest.mark.filterwarnings(
    "ignore::touchpath.exceptions.UndefinedResultWarning"
)  # random data: nobody may enter
@settings(max_examples=120)
@given(
    records=event_records(),
    definition=definitions(orders=["sequential", "strict", "any"]),
    moves=st.integers(1, 3),
    direction=st.sampled_from(["next", "previous"]),
)
def test_dropoff_paths_match_the_reference_and_the_funnel(
    records: list[dict[str, Any]], definition: dict[str, Any], moves: int, direction: Any
) -> None:
    """The paths of the units that dropped off at step k are those walked by hand from the
    reference's counted attempt; their number is the funnel's dropped(k)."""
    import statistics

    from touchpath.metrics import dropoff_paths

    if definition["count"] == "accounts" or len(definition["steps"]) < 2:
        return
    log = EventLog.from_records(records)
    kwargs = {"level": "stage", "now": 1_000_010, **definition}
    got = dropoff_paths(log, step=0, moves=moves, direction=direction, **kwargs)
    f = funnel(log, **kwargs)
    assert got.dropped == f.steps[0].dropped
    assert sum(p.count for p in got.paths) == got.dropped
    steps = [frozenset([s] if isinstance(s, str) else s) for s in definition["steps"]]
    window = definition["window"]
    expected: dict[tuple[tuple[str, ...], bool], list[list[int]]] = {}
    for journey in log:
        events = [(_us(e.timestamp), e.stage) for e in journey]
        attempts = _attempts(
            events,
            steps,
            definition["order"],
            definition["repeats"],
            None if window is None else window * 1_000_000,
            [(frozenset(e.events), e.after, e.before) for e in definition["exclusions"]],
        )
        now = 1_000_010 * 1_000_000
        if definition["count"] == "attempts":
            chosen = [
                u
                for u, out, deadline in attempts
                if not out and not (window is not None and u.depth < len(steps) and deadline > now)
            ]
        else:
            kept = [u for u, out, _ in attempts if not out]
            if not kept:
                continue
            best = max(kept, key=lambda u: u.depth)
            open_at_now = window is not None and attempts[-1][2] > now
            chosen = [] if open_at_now and best.depth < len(steps) else [best]
        for u in chosen:
            if u.depth == 1:
                path, ended, gaps = _moves(events, u.where[0], moves, direction)
                expected.setdefault((path, ended), []).append(gaps)
    assert {(p.moves, p.ended): p.count for p in got.paths} == {
        k: len(v) for k, v in expected.items()
    }
    for p in got.paths:
        all_gaps = expected[(p.moves, p.ended)]
        medians = [int(statistics.median(g[i] for g in all_gaps)) for i in range(len(p.moves))]
        assert [int(t / dt.timedelta(microseconds=1)) for t in p.median_times] == medians


def test_dropoff_paths_refuse_what_has_no_path() -> None:
    """Accounts, open funnels, the last step and unknown steps are refused."""
    from touchpath.metrics import dropoff_paths

    log = log_of(rec("x", 0, "a"), rec("x", 1, "b"))
    with pytest.raises(ConfigError, match="single path"):
        dropoff_paths(log, ["a", "b"], step=0, count="accounts")
    with pytest.raises(ConfigError, match="open"):
        dropoff_paths(log, ["a", "b"], step=0, order="open")
    with pytest.raises(ConfigError, match="before the last"):
        dropoff_paths(log, ["a", "b"], step="b")
    with pytest.raises(ConfigError, match="'moves'"):
        dropoff_paths(log, ["a", "b"], step=0, moves=0)
    from touchpath.exceptions import NotFoundError

    with pytest.raises(NotFoundError):
        dropoff_paths(log, ["a", "b"], step="c")

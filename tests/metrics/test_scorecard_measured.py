"""scorecard(log, journey_map): every KPI with a measurement, measured from the events, for every
shipped template; expected values from a brute-force walk over the journeys in plain Python."""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections import defaultdict
from collections.abc import Callable

import numpy as np
import pytest

from touchpath import KPI, EventLog, Journey, JourneyMap, Unit, datasets, scorecard, templates
from touchpath import measurements as M
from touchpath.exceptions import MapError, UndefinedResultWarning
from touchpath.metrics import KPIStatus, Ratio

_DAY = dt.timedelta(days=1)


def _level_value(e: object, level: str) -> str | None:
    value: str | None = getattr(e, level)
    return value


def _first(j: Journey, level: str, name: str) -> int | None:
    for i, e in enumerate(j.events):
        if _level_value(e, level) == name:
            return i
    return None


def _arrival(j: Journey, level: str, source: str, target: str) -> tuple[int | None, int | None]:
    """Index of the first source event and of the first target event after it."""
    i = _first(j, level, source)
    if i is None:
        return None, None
    for k in range(i + 1, len(j.events)):
        if _level_value(j.events[k], level) == target:
            return i, k
    return i, None


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def _periods(log: EventLog, period: dt.timedelta) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    end = max(e.timestamp for j in log for e in j.events) + dt.timedelta(microseconds=1)
    return end - 2 * period, end - period, end


def _revenue(
    log: EventLog, period: dt.timedelta
) -> tuple[dict[str, float], dict[str, float], set[str]]:
    """Revenue per account in the base and the current period, and the converting accounts."""
    a, b, c = _periods(log, period)
    r0: dict[str, float] = defaultdict(float)
    r1: dict[str, float] = defaultdict(float)
    converting: set[str] = set()
    for j in log:
        for e in j.events:
            if not e.converted or e.account is None:
                continue
            converting.add(e.account)
            if a <= e.timestamp < b:
                r0[e.account] += e.value
            elif b <= e.timestamp < c:
                r1[e.account] += e.value
    return r0, r1, converting


def _duration(text: str) -> dt.timedelta:
    number, unit = text.split()
    return dt.timedelta(**{unit if unit.endswith("s") else unit + "s": float(number)})


def brute_force(log: EventLog, kpi: KPI) -> float | None:
    """The KPI's value by walking every journey (None when undefined)."""
    m = kpi.measurement
    journeys = list(log)
    now = max(e.timestamp for j in journeys for e in j.events)
    if isinstance(m, M.Conversion) and m.target_level not in (None, m.level):
        hit = started = 0
        for j in journeys:
            i = _first(j, m.level, m.source)
            if i is None:
                continue
            started += 1
            hit += any(_level_value(e, m.target_level) == m.target for e in j.events[i:])
        return _ratio(hit, started)
    if isinstance(m, M.ConvertsAfter):
        hit = started = 0
        for j in journeys:
            i = _first(j, m.level, m.source)
            if i is not None:
                started += 1
                hit += any(e.converted for e in j.events[i:])
        return _ratio(hit, started)
    if isinstance(m, M.ValueShare):
        through = total = 0.0
        for j in journeys:
            at = _first(j, m.level, m.target)
            for pos, e in enumerate(j.events):
                if e.converted:
                    total += e.value
                    through += e.value if at is not None and pos >= at else 0.0
        return _ratio(through, total)
    if isinstance(m, M.Conversion):
        assert m.window is None  # the templates use windows only through ReachWithin
        pairs = [_arrival(j, m.level, m.source, m.target) for j in journeys]
        started = sum(i is not None for i, _ in pairs)
        return _ratio(sum(k is not None for _, k in pairs), started)
    if isinstance(m, M.ReachWithin):
        limit = _duration(m.window)
        ok = started = censored = 0
        for j in journeys:
            i, k = _arrival(j, m.level, m.source, m.target)
            if i is None:
                continue
            started += 1
            t0 = j.events[i].timestamp
            if k is not None and j.events[k].timestamp - t0 <= limit:
                ok += 1
            elif t0 + limit > now:
                censored += 1
        return _ratio(ok, started - censored)
    if isinstance(m, M.TimeToStage):
        hours = []
        for j in journeys:
            i, k = _arrival(j, m.level, m.source, m.target)
            if i is not None and k is not None:
                delta = j.events[k].timestamp - j.events[i].timestamp
                hours.append(delta.total_seconds() / 3600)
        per = 24.0 if kpi.unit is Unit.DAYS else 1.0
        return float(np.quantile(hours, m.quantile)) / per if hours else None
    if isinstance(m, M.Retention):
        kept = eligible = 0
        for j in journeys:
            i = 0 if m.source is None else _first(j, "stage", m.source)
            if i is None:
                continue
            due = j.events[i].timestamp + m.days * _DAY
            if due <= now:
                eligible += 1
                kept += j.events[-1].timestamp >= due
        return _ratio(kept, eligible)
    if isinstance(m, M.Reach):
        hit = sum(any(_level_value(e, m.level) == m.target for e in j.events) for j in journeys)
        return _ratio(hit, len(journeys))
    if isinstance(m, M.RevenueRatio):
        r0, r1, _ = _revenue(log, _duration(m.period))
        start = [acc for acc, v in r0.items() if v > 0]
        starting = sum(r0[acc] for acc in start)
        churned = [acc for acc in start if r1.get(acc, 0.0) == 0]
        if m.metric == "customer_churn":
            return _ratio(len(churned), len(start))
        expansion = sum(r1[a] - r0[a] for a in start if r1.get(a, 0.0) > r0[a])
        contraction = sum(r0[a] - r1[a] for a in start if 0 < r1.get(a, 0.0) < r0[a])
        lost = sum(r0[a] for a in churned)
        if m.metric == "net_revenue_retention":
            return _ratio(starting + expansion - contraction - lost, starting)
        assert m.metric == "expansion"
        return _ratio(expansion, starting)
    if isinstance(m, M.ClvCac):
        r0, r1, converting = _revenue(log, _duration(m.period))
        start = [acc for acc, v in r0.items() if v > 0]
        churn = _ratio(sum(r1.get(a, 0.0) == 0 for a in start), len(start))
        spend = sum(e.cost for j in journeys for e in j.events)
        if not churn or not converting or spend <= 0:
            return None
        clv = sum(r0[a] for a in start) / len(start) * m.gross_margin / churn
        return clv / (spend / len(converting))
    raise AssertionError(f"no brute force for {m!r}")


@pytest.mark.parametrize("name", templates.names())
def test_scorecard_measures_every_template_from_its_synthetic_data(name: str) -> None:
    """On ``datasets.synthetic`` of each template, every KPI with a measurement gets the value
    a brute-force walk over the journeys gives (or is undefined exactly when that walk finds
    nothing to divide by); KPIs without one are unmeasured with a reason."""
    m = templates.get(name)
    log = datasets.synthetic(m, 1500, seed=3, conversion_rate=0.3)
    card = scorecard(log, m)
    measured = 0
    for s in card.scores:
        if s.kpi.measurement is None:
            assert s.status is KPIStatus.UNMEASURED
            assert s.reason is not None
            assert "no measurement" in s.reason
            continue
        why = s.kpi.measurement.missing(log)
        if why is not None:
            assert s.status is KPIStatus.UNMEASURED
            assert s.reason == why
            continue
        expected = brute_force(log, s.kpi)
        if expected is None:
            assert s.actual is None, s.id
            assert s.reason, s.id
        else:
            measured += 1
            assert s.actual == pytest.approx(expected, rel=1e-9), s.id
    assert measured >= 2


def test_every_kpi_of_the_seed_with_a_target_event_data_can_measure_has_a_measurement() -> None:
    """The pay-per-call KPIs with seed targets that journeys can measure carry a measurement;
    the survey and traffic ones (NPS, support satisfaction, organic traffic growth), and those
    whose events journeys do not record (registration starts, advocate-sourced pipeline), do
    not."""
    m = templates.get("pay_per_call_marketplace")
    with_measurement = {k.id for k in m.kpis if k.measurement is not None}
    assert with_measurement == {
        "trial_signup_rate",
        "trial_to_paid",
        "activation_24h",
        "onboarding_completion",
        "time_to_value_hours",
        "retention_30d",
        "activation_30d",
        "expansion_revenue",
        "net_revenue_retention",
        "clv_cac_ratio",
        "monthly_churn",
        "upsell_conversion",
        "referral_revenue",
        "referral_participation",
    }
    for t in templates.names():
        assert any(k.measurement is not None for k in templates.get(t).kpis), t


def _log(
    rows: list[tuple[str, float, str]], extra: dict[int, dict[str, object]] | None = None
) -> EventLog:
    """Events (journey, hour, stage); ``extra`` adds fields to the row at that position."""
    more = extra or {}
    return EventLog.from_records(
        [
            {"journey_id": j, "timestamp": h * 3600, "stage": s, **more.get(i, {})}
            for i, (j, h, s) in enumerate(rows)
        ]
    )


_MAP = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()


def _with(kpi: KPI) -> JourneyMap:
    return JourneyMap.builder("m").stage("a", kpis=[kpi]).stage("b").path("a", "b").build()


@pytest.mark.parametrize(
    ("measurement", "unit", "expected"),
    [
        # x reaches b after 2 h, y after 30 h, z never; w's 24 hours are still open at 100 h
        (M.Conversion("a", "b"), Unit.RATE, 2 / 4),
        (M.ReachWithin("a", "b", "24 hours"), Unit.RATE, 1 / 3),
        (M.TimeToStage("a", "b"), Unit.HOURS, 16.0),
        (M.TimeToStage("a", "b", 0.9), Unit.HOURS, 2 + 0.9 * 28),
        (M.Reach("b", "stage"), Unit.RATE, 2 / 4),
        (M.EventCount("a", "stage"), Unit.COUNT, 5.0),
        (M.Retention(1, "a"), Unit.RATE, 1 / 3),
        # x, y and w have a web touch; x's conversion is at it, y's before it, w has none
        (M.ConvertsAfter("web", "channel"), Unit.RATE, 1 / 3),
        # of the 3 + 4 of value, x's 3 came at its web touch; y converted before its touch
        (M.ValueShare("web", "channel"), Unit.RATE, 3 / 7),
        # journeys in stage a with a web touch at or after entering it: x, y, w of 4
        (M.Conversion("a", "web", target_level="channel"), Unit.RATE, 3 / 4),
    ],
    ids=[
        "conversion",
        "reach_within",
        "median",
        "p90",
        "reach",
        "count",
        "retention",
        "converts_after",
        "value_share",
        "cross_level",
    ],
)
def test_each_measurement_by_hand(measurement: M.Measurement, unit: Unit, expected: float) -> None:
    """Hand-counted values on four journeys: x a@0 b@2, y a@0 b@30, z a@0, w a@90 (last event
    at 100 h: w's window is open). Retention at 1 day: x, y and z entered 'a' more than a day
    before 100 h; only y has an event a day or more later. Channel web on x's b (which
    converts, value 3), y's b (y converted, value 4, at its a) and w's first a."""
    web: dict[str, object] = {"channel": "web"}
    log = _log(
        [
            ("x", 0, "a"),
            ("x", 2, "b"),
            ("y", 0, "a"),
            ("y", 30, "b"),
            ("z", 0, "a"),
            ("w", 90, "a"),
            ("w", 100, "a"),
        ],
        {
            1: {**web, "converted": True, "value": 3.0},
            2: {"converted": True, "value": 4.0},
            3: web,
            5: web,
        },
    )
    card = scorecard(log, _with(KPI("k", target=1.0, unit=unit, measurement=measurement)))
    assert card["k"].actual == pytest.approx(expected)


def test_revenue_measurements_by_hand() -> None:
    """Two 30-day periods before the last event: account p pays 100 then 150 (expansion 50),
    q pays 100 then nothing (churned), r pays only in the current period (new). Customer churn
    1/2, NRR (200 + 50 - 100) / 200 = 0.75; CLV = ARPA 100 / churn 0.5 = 200, CAC = cost 30 /
    3 converting accounts = 10, so CLV:CAC = 20."""

    def rec(acc: str, day: int, value: float, cost: float = 0.0) -> dict[str, object]:
        return {
            "journey_id": acc,
            "account": acc,
            "timestamp": day * 86400,
            "stage": "a",
            "converted": value > 0,
            "value": value,
            "cost": cost,
        }

    log = EventLog.from_records(
        [
            rec("p", 5, 100, 10),
            rec("p", 40, 150),
            rec("q", 10, 100, 10),
            rec("r", 50, 80, 10),
            rec("p", 60, 0),
        ]
    )
    kpis = [
        KPI("churn", target=0.05, direction="at_most", unit=Unit.RATE,
            measurement=M.RevenueRatio("customer_churn")),
        KPI("nrr", target=1.2, unit=Unit.RATE, measurement=M.RevenueRatio("net_revenue_retention")),
        KPI("clv", target=3.0, unit=Unit.RATIO, measurement=M.ClvCac()),
    ]  # fmt: skip
    m = JourneyMap.builder("m").stage("a", kpis=kpis).build()
    card = scorecard(log, m)
    assert card["churn"].actual == pytest.approx(0.5)
    assert card["nrr"].actual == pytest.approx(0.75)
    assert card["clv"].actual == pytest.approx(20.0)


def test_missing_data_gives_a_reason_not_a_number() -> None:
    """A log without the stage a measurement needs leaves the KPI unmeasured with the reason;
    with no KPI measured at all, UndefinedResultWarning says why, and the report section is a
    note, not an empty table."""
    log = _log([("x", 0, "a")])
    kpi = KPI("k", target=0.5, unit=Unit.RATE, measurement=M.Conversion("a", "c"))
    with pytest.warns(UndefinedResultWarning, match=r"no KPI of map 'm' could be measured"):
        card = scorecard(log, _with(kpi))
    assert card["k"].status is KPIStatus.UNMEASURED
    assert card["k"].reason == "the data has no event in stage 'c'"
    section = card.report_section()
    assert "<table" not in section.body
    assert "No KPI could be measured" in section.body
    assert "stage" in section.body


def test_an_undefined_ratio_says_why() -> None:
    """A conversion from a stage no journey entered... is unmeasured (the data lacks it); one
    whose every source journey is censored is undefined, with the 0/0 in the reason."""
    log = _log([("x", 0, "a"), ("x", 1, "b")])
    kpi = KPI("k", target=0.5, unit=Unit.RATE, measurement=M.ReachWithin("b", "a", "1 day"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedResultWarning)
        card = scorecard(log, _with(kpi))
    assert card["k"].status is KPIStatus.UNDEFINED
    assert card["k"].reason is not None
    assert "0/0" in card["k"].reason
    assert isinstance(card["k"].measured, Ratio)


_BAD: list[tuple[Callable[[], object], str]] = [
    (lambda: M.Conversion("a", "t", "1 day", target_level="touchpoint"), "between levels"),
    (lambda: M.ReachWithin("a", "b", "soon"), "duration"),
    (lambda: M.Conversion("a", "", None), "non-empty id"),
    (lambda: M.Retention(0), "whole number"),
    (lambda: M.TimeToStage("a", "b", 2.0), r"\[0, 1\]"),
    (lambda: M.RevenueRatio("ltv"), "revenue metric"),
    (lambda: M.Reach("x", "account"), "level"),
    (lambda: KPI("t", unit=Unit.RATE, measurement=M.TimeToStage("a", "b")), "hours or days"),
]


@pytest.mark.parametrize(("make", "match"), _BAD, ids=[m for _, m in _BAD])
def test_bad_measurements_are_refused(make: Callable[[], object], match: str) -> None:
    """Each invalid measurement raises MapError naming what is wrong."""
    with pytest.raises(MapError, match=match):
        make()


@pytest.mark.parametrize("name", templates.names())
def test_measurements_name_ids_of_their_map(name: str) -> None:
    """Every stage or touchpoint a template's measurement names is one of the template's."""
    m = templates.get(name)
    ids = {"stage": set(m.stage_ids), "touchpoint": {t.id for t in m.touchpoints}}
    for k in m.kpis:
        if k.measurement is not None:
            for level, item in k.measurement.needs:
                assert item in ids[level], (k.id, level, item)


def test_given_values_take_precedence() -> None:
    """A value passed in ``measured`` replaces the measurement's value."""
    log = _log([("x", 0, "a"), ("x", 1, "b")])
    kpi = KPI("k", target=0.5, unit=Unit.RATE, measurement=M.Conversion("a", "b"))
    card = scorecard(log, _with(kpi), {"k": 0.25})
    assert card["k"].actual == 0.25
    assert not math.isnan(card["k"].gap or 0.0)

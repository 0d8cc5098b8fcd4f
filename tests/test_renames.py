"""Renamed parameters and attributes: the new name works, the old one warns and agrees.

One test per rename of ``docs/naming.md``. Each computes its expected value by
hand from a tiny log, checks the new name gives it, then checks the old name
emits a ``DeprecationWarning`` naming the new word and gives the same answer.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from touchpath import EventLog, Field, cli
from touchpath.attribution import (
    CoalitionCounts,
    LastTouch,
    Linear,
    Markov,
    PathCounts,
    Shapley,
    TransitionCounts,
    attribute,
    bootstrap,
    compare_models,
)
from touchpath.attribution import (
    compare as attribution_compare,
)
from touchpath.exceptions import ConfigError
from touchpath.metrics import (
    FunnelCounts,
    Ratio,
    funnel,
    funnel_trends,
    revenue_movements,
    stage_conversion,
    time_between,
)
from touchpath.validation import Deadline

DAY = 86400


def _stages(*rows: tuple[str, int, str]) -> EventLog:
    return EventLog.from_records(
        [{"journey_id": j, "timestamp": t, "stage": s} for j, t, s in rows]
    )


def test_renamed_keyword_refuses_old_and_new_together() -> None:
    """Passing both names is ambiguous: a ConfigError naming both, not a silent pick."""
    log = _stages(("a", 0, "trial"))
    with pytest.raises(ConfigError, match="window= only"):
        stage_conversion(log, "trial", "paid", window="1 day", within="2 days")  # type: ignore[call-arg]


def test_within_is_window() -> None:
    """a: trial -> paid after 10 days, b: after 40 days, c: never paid. A 30-day window
    converts a only: stage_conversion 1/3; time_between's share within 30 days 1/3 and
    its threshold is 30 days; Deadline keeps the 30 days as ``window``."""
    log = _stages(
        ("a", 0, "trial"), ("a", 10 * DAY, "paid"),
        ("b", 0, "trial"), ("b", 40 * DAY, "paid"),
        ("c", 0, "trial"), ("c", 100 * DAY, "visit"),
    )  # fmt: skip
    assert stage_conversion(log, "trial", "paid", window="30 days") == Ratio(1, 3)
    t = time_between(log, "trial", "paid", window="30 days")
    assert (t.share_within, t.window) == (Ratio(1, 3), dt.timedelta(days=30))
    rule = Deadline("trial", "paid", window="30 days")
    assert rule.window == dt.timedelta(days=30)
    old_name = r"stage_conversion\(within=\.\.\.\) is deprecated.*use window="
    with pytest.warns(DeprecationWarning, match=old_name):
        old = stage_conversion(log, "trial", "paid", within="30 days")  # type: ignore[call-arg]
    assert old == Ratio(1, 3)
    with pytest.warns(DeprecationWarning, match="use window="):
        old_t = time_between(log, "trial", "paid", within="30 days")  # type: ignore[call-arg]
    assert old_t == t
    with pytest.warns(DeprecationWarning, match="use TimeBetween.window"):
        assert old_t.within == dt.timedelta(days=30)
    with pytest.warns(DeprecationWarning, match=r"Deadline\(within=\.\.\.\).*use window="):
        old_rule = Deadline("trial", "paid", within="30 days")  # type: ignore[call-arg]
    assert old_rule == rule
    with pytest.warns(DeprecationWarning, match="use Deadline.window"):
        assert rule.within == dt.timedelta(days=30)


def test_customer_is_count() -> None:
    """Account A's journey j1 pays 100 in January, its journey j2 100 in February. Counting
    accounts, A kept its revenue (1 at start, none churned); counting journeys, j1 churned
    (1 at start, 1 churned) and j2 is new."""
    log = EventLog.from_records(
        [
            {
                "journey_id": j,
                "account": "A",
                "timestamp": t,
                "stage": "paid",
                "converted": True,
                "value": 100,
            }
            for j, t in (("j1", "2025-01-15T00:00:00Z"), ("j2", "2025-02-15T00:00:00Z"))
        ]
    )
    jan = ("2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
    feb = ("2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z")
    accounts = revenue_movements(log, jan, feb, count="accounts")
    journeys = revenue_movements(log, jan, feb, count="journeys")
    assert (accounts.customers_at_start, accounts.churned_customers) == (1, 0)
    assert (journeys.customers_at_start, journeys.churned_customers, journeys.new) == (1, 1, 100)
    with pytest.warns(DeprecationWarning, match=r"revenue_movements\(customer=.*use count="):
        old = revenue_movements(log, jan, feb, customer="journeys")  # type: ignore[call-arg]
    assert old == journeys


def test_bootstrap_level_is_confidence() -> None:
    """A 90 % interval is the 5th and 95th percentile of the resampled credits (the
    definition, computed here with numpy from the samples); the old ``level=0.9`` is the
    same confidence and, with the same seed, the same intervals."""
    counts = PathCounts.from_rows([(["a"], 30, 0, 0), (["b"], 10, 0, 0)])
    b = bootstrap(counts, LastTouch(), n=50, seed=3, confidence=0.9)
    assert b.confidence == 0.9
    expected = np.quantile(b.samples[:, 0], [0.05, 0.95])
    assert b.interval("a") == pytest.approx(tuple(expected))
    with pytest.warns(DeprecationWarning, match=r"bootstrap\(level=.*use confidence="):
        old = bootstrap(counts, LastTouch(), n=50, seed=3, level=0.9)  # type: ignore[arg-type]
    assert old.intervals() == b.intervals()
    with pytest.warns(DeprecationWarning, match="use BootstrapResult.confidence"):
        assert old.level == 0.9


def _touches() -> EventLog:
    """j1: ads (awareness) -> seo (decision), converting; j2: ads (awareness), not."""
    return EventLog.from_records(
        [
            {"journey_id": "j1", "timestamp": 0, "channel": "ads", "stage": "awareness"},
            {"journey_id": "j1", "timestamp": 1, "channel": "seo", "stage": "decision",
             "converted": True, "value": 10},
            {"journey_id": "j2", "timestamp": 0, "channel": "ads", "stage": "awareness"},
        ]
    )  # fmt: skip


def test_by_is_level_in_attribution() -> None:
    """Crediting stages: j1's path is awareness -> decision, so last touch gives decision
    1 conversion and linear gives each stage 1/2; the counts keep one converting path
    (awareness, decision) and one non-converting (awareness). Every entry point takes
    ``level=``, and ``by=`` warns and gives the same answer."""
    log = _touches()
    last = attribute(log, LastTouch(), level="stage").by_stage()
    assert last == {"awareness": 0.0, "decision": 1.0}
    assert compare_models(log, [Linear()], level="stage").results[0].credits() == {
        "awareness": 0.5,
        "decision": 0.5,
    }
    counts = PathCounts.from_log(log, level="stage")
    assert counts.rows() == [
        (("awareness",), 0.0, 1.0, 0.0),
        (("awareness", "decision"), 1.0, 0.0, 10.0),
    ]
    calls: list[Callable[..., object]] = [
        lambda **kw: attribute(log, LastTouch(), **kw).credits(),
        lambda **kw: compare_models(log, [Linear()], **kw).results[0].credits(),
        lambda **kw: bootstrap(log, LastTouch(), n=5, **kw).intervals(),
        lambda **kw: PathCounts.from_log(log, **kw).rows(),
        lambda **kw: TransitionCounts.from_log(log, **kw).states,
        lambda **kw: CoalitionCounts.from_log(log, **kw).coalitions(),
        lambda **kw: Markov().fit(log, **kw).result().credits(),
        lambda **kw: Shapley().counts(log, **kw).coalitions(),
    ]
    for call in calls:
        new = call(level="stage")
        with pytest.warns(DeprecationWarning, match=r"\(by=\.\.\.\) is deprecated.*use level="):
            assert call(by="stage") == new


def test_by_attribute_is_level() -> None:
    """Crediting stages of the two-journey log, every result and count table records
    ``level`` = the stage field (what was asked for); the old ``.by`` attribute warns and
    returns the same field, and the ``by=`` keyword of ``PathPolicy``, of the tables'
    ``zero`` and of a table's constructor warns and agrees."""
    from touchpath import Field
    from touchpath.attribution import PathPolicy, conversion_paths
    from touchpath.metrics import top_paths

    log = _touches()
    objects: list[object] = [
        PathPolicy(level="stage"),
        conversion_paths(log, PathPolicy(level="stage")),
        attribute(log, LastTouch(), level="stage"),
        PathCounts.from_log(log, level="stage"),
        TransitionCounts.from_log(log, level="stage"),
        CoalitionCounts.from_log(log, level="stage"),
    ]
    for obj in objects:
        assert obj.level is Field.STAGE  # type: ignore[attr-defined]
        name = type(obj).__name__
        with pytest.warns(DeprecationWarning, match=rf"{name}\.by .*use {name}\.level"):
            assert obj.by is Field.STAGE  # type: ignore[attr-defined]
    table = top_paths(PathCounts.from_log(log, level="stage"))
    assert table.level == "stage"
    with pytest.warns(DeprecationWarning, match=r"TopPaths\.by .*use TopPaths\.level"):
        assert table.by == "stage"
    with pytest.warns(DeprecationWarning, match=r"PathPolicy\(by=\.\.\.\).*use level="):
        assert PathPolicy(by="stage") == PathPolicy(level="stage")  # type: ignore[call-arg]
    for cls in (PathCounts, CoalitionCounts, TransitionCounts):
        assert cls.zero(level=Field.STAGE).level is Field.STAGE
        with pytest.warns(DeprecationWarning, match=r"zero\(by=\.\.\.\).*use level="):
            assert cls.zero(by=Field.STAGE).level is Field.STAGE  # type: ignore[call-arg]
    c = PathCounts.from_log(log, level="stage")
    parts = (c.items, c.offsets, c.codes, c.conversions, c.non_conversions, c.values)
    with pytest.warns(DeprecationWarning, match=r"PathCounts\(by=\.\.\.\).*use level="):
        old = PathCounts(*parts, by=Field.STAGE)  # type: ignore[call-arg]
    assert old.level is Field.STAGE
    assert old.rows() == c.rows()


def test_bootstrap_level_is_the_item_kind_and_a_number_is_the_old_confidence() -> None:
    """In ``bootstrap``, ``level="stage"`` credits stages (one item per stage) while a
    number given as ``level`` is the deprecated name of ``confidence``."""
    log = _touches()
    b = bootstrap(log, LastTouch(), n=5, level="stage", confidence=0.8)
    assert (b.items, b.confidence) == (("awareness", "decision"), 0.8)
    with pytest.warns(DeprecationWarning, match="use confidence="):
        old = bootstrap(log, LastTouch(), n=5, level=0.8)  # type: ignore[arg-type]
    assert old.confidence == 0.8
    with pytest.raises(ConfigError, match="confidence= only"):
        bootstrap(log, LastTouch(), n=5, level=0.8, confidence=0.9)  # type: ignore[arg-type]


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_by_is_level(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``touchpath attribute --level stage``: j1 (awareness -> decision, converting) gives
    last touch's one conversion to decision; ``--by stage`` prints a note naming
    ``--level`` and gives the same credits."""
    events = tmp_path / "events.csv"
    events.write_text(
        "journey_id,timestamp,channel,stage,converted\n"
        "j1,2025-01-01T09:00:00Z,ads,awareness,false\n"
        "j1,2025-01-02T09:00:00Z,seo,decision,true\n",
        encoding="utf-8",
    )
    argv = ("attribute", str(events), "--model", "last-touch", "--format", "json")
    code, out, err = _cli(capsys, *argv, "--level", "stage")
    assert code == 0
    credits = {r["stage"]: r["conversions"] for r in json.loads(out)["credits"]}
    assert credits == {"awareness": 0.0, "decision": 1.0}
    assert "deprecated" not in err
    old_code, old_out, old_err = _cli(capsys, *argv, "--by", "stage")
    assert (old_code, json.loads(old_out)) == (code, json.loads(out))
    assert "--by is deprecated and will be removed in 0.2.0; use --level instead" in old_err


def test_by_is_breakdown_in_funnels(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Two smb journeys (one reaches trial) and one ent journey (reaches trial): broken
    down by segment, smb reaches [2, 1] and ent [1, 1]. ``funnel``, ``FunnelCounts``,
    ``funnel_trends`` and ``touchpath funnel --breakdown`` take the new word; ``by=`` and
    ``--by`` warn (a note on the command line) and give the same counts."""
    rows = [("a", "smb", 1), ("b", "smb", 0), ("c", "ent", 1)]
    log = EventLog.from_records(
        [
            {"journey_id": j, "timestamp": t, "stage": s, "segment": seg}
            for j, seg, trial in rows
            for t, s in [(0, "visit"), (60, "trial")][: 1 + trial]
        ]
    )
    steps = ["visit", "trial"]
    f = funnel(log, steps, breakdown="segment")
    reached = {g: [s.reached for s in c] for g, c in f.counts.groups.items()}
    assert reached == {"ent": [1, 1], "smb": [2, 1]}
    with pytest.warns(DeprecationWarning, match=r"funnel\(by=.*use breakdown="):
        assert funnel(log, steps, by="segment") == f  # type: ignore[call-arg]
    counts = FunnelCounts.from_log(log, steps, breakdown="segment")
    with pytest.warns(DeprecationWarning, match="use breakdown="):
        assert FunnelCounts.from_log(log, steps, by="segment") == counts  # type: ignore[call-arg]
    assert counts.breakdown is Field.SEGMENT
    with pytest.warns(DeprecationWarning, match=r"FunnelCounts\.by is deprecated"):
        assert counts.by is Field.SEGMENT
    trends = funnel_trends(log, steps, period="month", breakdown="segment")
    with pytest.warns(DeprecationWarning, match="use breakdown="):
        old_trends = funnel_trends(log, steps, period="month", by="segment")  # type: ignore[call-arg]
    assert old_trends == trends
    events = tmp_path / "events.csv"
    events.write_text(
        "journey_id,timestamp,stage,segment\n"
        + "".join(
            f"{j},{t},{s},{seg}\n"
            for j, seg, tr in rows
            for t, s in [(0, "visit"), (60, "trial")][: 1 + tr]
        ),
        encoding="utf-8",
    )
    argv = ("funnel", str(events), "--steps", "visit,trial", "--format", "json")
    code, out, err = _cli(capsys, *argv, "--breakdown", "segment")
    assert code == 0
    assert "deprecated" not in err
    old_code, old_out, old_err = _cli(capsys, *argv, "--by", "segment")
    assert (old_code, json.loads(old_out)) == (code, json.loads(out))
    assert "--by is deprecated and will be removed in 0.2.0; use --breakdown instead" in old_err


def test_eventlog_channels_touchpoints_stages_are_ids() -> None:
    """Two events: (ads, t1, awareness) and (seo, t2, decision); the sorted distinct ids
    are on ``*_ids``, and the old bare plurals warn and hold the same tuples."""
    log = EventLog.from_records(
        [
            {"journey_id": "j", "timestamp": 0, "channel": "seo", "touchpoint": "t2",
             "stage": "decision"},
            {"journey_id": "k", "timestamp": 0, "channel": "ads", "touchpoint": "t1",
             "stage": "awareness"},
        ]
    )  # fmt: skip
    assert log.channel_ids == ("ads", "seo")
    assert log.touchpoint_ids == ("t1", "t2")
    assert log.stage_ids == ("awareness", "decision")
    for old, new in (("channels", "channel_ids"), ("touchpoints", "touchpoint_ids"),
                     ("stages", "stage_ids")):  # fmt: skip
        with pytest.warns(DeprecationWarning, match=rf"EventLog\.{old} .*use EventLog\.{new}"):
            assert getattr(log, old) == getattr(log, new)


def test_eventlog_campaigns_segments_accounts_are_ids() -> None:
    """Two events with campaigns (spring, fall), segments (smb, ent) and accounts (b, a):
    the sorted distinct ids, read off by hand, are on ``*_ids``, and the old bare plurals
    warn and hold the same tuples."""
    log = EventLog.from_records(
        [
            {"journey_id": "j", "timestamp": 0, "channel": "seo", "campaign": "spring",
             "segment": "smb", "account": "b"},
            {"journey_id": "k", "timestamp": 0, "channel": "ads", "campaign": "fall",
             "segment": "ent", "account": "a"},
        ]
    )  # fmt: skip
    assert log.campaign_ids == ("fall", "spring")
    assert log.segment_ids == ("ent", "smb")
    assert log.account_ids == ("a", "b")
    for old, new in (("campaigns", "campaign_ids"), ("segments", "segment_ids"),
                     ("accounts", "account_ids")):  # fmt: skip
        with pytest.warns(DeprecationWarning, match=rf"EventLog\.{old} .*use EventLog\.{new}"):
            assert getattr(log, old) == getattr(log, new)


def test_compare_is_compare_models() -> None:
    """``compare_models`` runs models against each other (first touch gives ads the one
    conversion of ads -> seo, last touch seo); ``touchpath.compare`` and
    ``touchpath.attribution.compare`` warn and give the same comparison."""
    import touchpath
    from touchpath.attribution import FirstTouch
    from touchpath.typing import AttributionModel

    paths = PathCounts.from_rows([(["ads", "seo"], 1, 0, 0)])
    models: dict[str, AttributionModel] = {"first": FirstTouch(), "last": LastTouch()}
    new = touchpath.compare_models(paths, models)
    assert [r.credits() for r in new.results] == [
        {"ads": 1.0, "seo": 0.0},
        {"ads": 0.0, "seo": 1.0},
    ]
    for old in (touchpath.compare, attribution_compare):
        with pytest.warns(DeprecationWarning, match="use touchpath.compare_models instead"):
            same = old(paths, models)
        assert same.labels == new.labels
        assert [r.credits() for r in same.results] == [r.credits() for r in new.results]


def test_journey_times_are_stdlib() -> None:
    """A journey from 2025-01-01 09:00 UTC to 2025-01-03 10:30 (given at +02:00) starts and
    ends at those instants as plain aware UTC datetimes, and lasts 2 days 1.5 hours as a
    plain timedelta (no pendulum subclass)."""
    log = EventLog.from_records(
        [
            {"journey_id": "j", "timestamp": "2025-01-01T09:00:00Z", "channel": "ads"},
            {"journey_id": "j", "timestamp": "2025-01-03T12:30:00+02:00", "channel": "seo"},
        ]
    )
    j = log.journey("j")
    assert type(j.start) is dt.datetime
    assert type(j.end) is dt.datetime
    assert type(j.duration) is dt.timedelta
    assert j.start == dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC)
    assert j.end == dt.datetime(2025, 1, 3, 10, 30, tzinfo=dt.UTC)
    assert j.start.tzinfo is dt.UTC
    assert j.duration == dt.timedelta(days=2, hours=1, minutes=30)


def test_fitness_is_a_ratio() -> None:
    """Of 2 journeys, a -> b -> c follows the map and a -> c skips b: journey fitness 1/2,
    transition fitness 2/3 (a->b, b->c conform; a->c does not), as Ratios. A log with no
    event in a map stage has undefined (0/0) fitness, not NaN. The old ``*_ratio``
    properties warn and give the same Ratio."""
    from touchpath import JourneyMap
    from touchpath.exceptions import UndefinedResultWarning
    from touchpath.validation import ValidationCounts, validate

    m = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c").build()
    log = _stages(("x", 0, "a"), ("x", 1, "b"), ("x", 2, "c"), ("y", 0, "a"), ("y", 1, "c"))
    report = validate(log, m, now=100)
    assert report.journey_fitness == Ratio(1, 2)
    assert report.transition_fitness == Ratio(2, 3)
    counts = report.counts
    with pytest.warns(DeprecationWarning, match="use ValidationCounts.journey_fitness"):
        assert counts.journey_fitness_ratio == counts.journey_fitness
    with pytest.warns(DeprecationWarning, match="use ValidationCounts.transition_fitness"):
        assert counts.transition_fitness_ratio == counts.transition_fitness
    elsewhere = validate(_stages(("z", 0, "other")), m, now=100)
    with pytest.warns(UndefinedResultWarning):
        assert not elsewhere.journey_fitness.is_defined
    assert ValidationCounts.zero().transition_fitness == Ratio(0, 0)


def test_log_fitness_is_a_ratio() -> None:
    """Map a -> b -> c. Journey x visits a, b, c: cost 0; its worst is 3 skips plus the
    cheapest complete walk (insert a, b, c: 3) = 6. Journey y visits a, c: cost 1 (insert b);
    worst 2 + 3 = 5. Log fitness 1 - 1/11 = (11 - 1)/11, a Ratio of the cost totals; a log
    with nothing to align (prefix mode, no stage visit) is undefined, not NaN or 1."""
    from touchpath import JourneyMap
    from touchpath.validation import align

    m = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c").build()
    log = _stages(("x", 0, "a"), ("x", 1, "b"), ("x", 2, "c"), ("y", 0, "a"), ("y", 1, "c"))
    fitness = align(log, m).log_fitness
    assert fitness == Ratio(10.0, 11.0)
    assert float(fitness) == pytest.approx(10 / 11)
    nothing = EventLog.from_records([{"journey_id": "z", "timestamp": 0, "touchpoint": "ad"}])
    empty = align(nothing, m, prefix=True).log_fitness
    assert not empty.is_defined
    assert np.isnan(empty.value_or(np.nan))


def _measured(log: EventLog, measurement: object) -> object:
    """The scorecard value of one KPI measured by ``measurement`` on a two-stage map."""
    from touchpath import KPI, JourneyMap, Unit, scorecard

    kpi = KPI("k", target=0.5, unit=Unit.RATE, measurement=measurement)  # type: ignore[arg-type]
    m = JourneyMap.builder("m").stage("trial", kpis=[kpi]).stage("paid").path("trial", "paid")
    return scorecard(log, m.build())["k"].actual


def test_measurement_within_is_window() -> None:
    """a: trial -> paid after 10 days, b: after 40 days, c: never paid (its last event at
    100 days closes every window). With a 30-day window only a converts: 1/3, for Conversion
    and ReachWithin alike. The old ``within=`` keyword and attribute warn and agree; the
    JSON form writes ``window``."""
    from touchpath.measurements import Conversion, ReachWithin, measurement_from_dict

    log = _stages(
        ("a", 0, "trial"), ("a", 10 * DAY, "paid"),
        ("b", 0, "trial"), ("b", 40 * DAY, "paid"),
        ("c", 0, "trial"), ("c", 100 * DAY, "visit"),
    )  # fmt: skip
    conversion = Conversion("trial", "paid", window="30 days")
    reach = ReachWithin("trial", "paid", window="30 days")
    assert (conversion.window, reach.window) == ("30 days", "30 days")
    assert _measured(log, conversion) == pytest.approx(1 / 3)
    assert _measured(log, reach) == pytest.approx(1 / 3)
    assert conversion.to_dict()["window"] == "30 days"
    assert "within" not in reach.to_dict()
    assert measurement_from_dict(reach.to_dict()) == reach
    with pytest.warns(DeprecationWarning, match=r"Conversion\(within=\.\.\.\).*use window="):
        old = Conversion("trial", "paid", within="30 days")  # type: ignore[call-arg]
    assert old == conversion
    with pytest.warns(DeprecationWarning, match=r"ReachWithin\(within=\.\.\.\).*use window="):
        old_reach = ReachWithin("trial", "paid", within="30 days")  # type: ignore[call-arg]
    assert old_reach == reach
    assert _measured(log, old_reach) == pytest.approx(1 / 3)
    with pytest.warns(DeprecationWarning, match="use Conversion.window"):
        assert conversion.within == "30 days"
    with pytest.warns(DeprecationWarning, match="use ReachWithin.window"):
        assert reach.within == "30 days"


def test_measurement_customer_is_count() -> None:
    """Account A's journey j1 pays 100 on Jan 15, its journey j2 100 on Feb 15 (the last
    event). The two 30-day periods before it hold j1 (base) and j2 (current). Counting
    accounts, A kept paying: customer churn 0/1; counting journeys, j1 churned: 1/1. The old
    ``customer=`` keyword and attribute warn and agree, for RevenueRatio and ClvCac."""
    from touchpath.measurements import ClvCac, RevenueRatio

    log = EventLog.from_records(
        [
            {"journey_id": j, "account": "A", "timestamp": t, "stage": "paid",
             "converted": True, "value": 100}
            for j, t in (("j1", "2025-01-15T00:00:00Z"), ("j2", "2025-02-15T00:00:00Z"))
        ]
    )  # fmt: skip
    accounts = RevenueRatio("customer_churn", count="accounts")
    journeys = RevenueRatio("customer_churn", count="journeys")
    assert _measured(log, accounts) == 0.0
    assert _measured(log, journeys) == 1.0
    assert journeys.to_dict() == {
        "kind": "revenue", "metric": "customer_churn", "period": "30 days", "count": "journeys"
    }  # fmt: skip
    with pytest.warns(DeprecationWarning, match=r"RevenueRatio\(customer=.*use count="):
        old = RevenueRatio("customer_churn", customer="journeys")  # type: ignore[call-arg]
    assert old == journeys
    assert _measured(log, old) == 1.0
    with pytest.warns(DeprecationWarning, match="use RevenueRatio.count"):
        assert journeys.customer == "journeys"
    clv = ClvCac(count="journeys")
    with pytest.warns(DeprecationWarning, match=r"ClvCac\(customer=.*use count="):
        assert ClvCac(customer="journeys") == clv  # type: ignore[call-arg]
    with pytest.warns(DeprecationWarning, match="use ClvCac.count"):
        assert clv.customer == "journeys"


def test_measurement_json_reads_the_old_keys() -> None:
    """A map file written before the rename (``within``, ``customer``) reads as the new keys,
    with a DeprecationWarning naming the key's path; both names in one object is a MapError
    naming the path, not a silent pick."""
    from touchpath.exceptions import MapError
    from touchpath.measurements import ReachWithin, RevenueRatio, measurement_from_dict

    old = {"kind": "reach_within", "source": "a", "target": "b", "within": "1 day"}
    with pytest.warns(DeprecationWarning, match=r"kpi\.within is deprecated.*use kpi\.window"):
        assert measurement_from_dict(old, where="kpi") == ReachWithin("a", "b", "1 day")
    with pytest.warns(DeprecationWarning, match=r"measurement\.customer.*measurement\.count"):
        got = measurement_from_dict(
            {"kind": "revenue", "metric": "expansion", "customer": "journeys"}
        )
    assert got == RevenueRatio("expansion", count="journeys")
    with pytest.raises(MapError, match=r"stages\[0\]\.kpis\[1\]\.measurement: give 'window' only"):
        measurement_from_dict({**old, "window": "2 days"}, where="stages[0].kpis[1].measurement")
    with pytest.raises(MapError, match="unknown key 'within' for kind 'reach'"):
        measurement_from_dict({"kind": "reach", "target": "a", "within": "1 day"})


def test_instants_in_results_are_stdlib() -> None:
    """Every instant a result hands out is a plain aware UTC datetime (no pendulum
    subclass): the log's start and end, an event's time, a violation's time, a pending
    check's due time, the report's ``now``, an explained touch's time and a timing's ``now``.
    The values are the hand-written instants of the log (9:00 and 9:00 + 2 days)."""
    from touchpath import JourneyMap
    from touchpath.validation import validate

    t0 = dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC)
    t1 = t0 + dt.timedelta(days=2)
    log = EventLog.from_records(
        [
            {"journey_id": "j", "timestamp": "2025-01-01T09:00:00Z", "stage": "a",
             "channel": "ads"},
            {"journey_id": "j", "timestamp": "2025-01-03T09:00:00Z", "stage": "c",
             "channel": "seo", "converted": True},
        ]
    )  # fmt: skip
    m = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c").build()
    report = validate(log, m)
    started = EventLog.from_records([{"journey_id": "k", "timestamp": t0, "stage": "a"}])
    waiting = validate(started, m, [Deadline("a", "b", window="30 days")], now=t1)
    touch = attribute(log, LastTouch()).explain("j")[0]
    instants = {
        "log.start": (log.start, t0),
        "log.end": (log.end, t1),
        "event.timestamp": (log.journey("j").events[0].timestamp, t0),
        "violation.timestamp": (report.violations[0].timestamp, t1),
        "pending.due": (waiting.pending[0].due, t0 + dt.timedelta(days=30)),
        "report.now": (report.now, t1),
        "touch.timestamp": (touch.timestamp, t0),
        "time_between.now": (time_between(log, "a", "c", window="1 day").now, t1),
    }
    for name, (got, want) in instants.items():
        assert type(got) is dt.datetime, name
        assert got == want, name
        assert got.utcoffset() == dt.timedelta(0), name

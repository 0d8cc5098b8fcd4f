"""No silent fitness: a log with no event in a stage of the map has an undefined fitness, says
why, and warns; coverage says what of the map the data contains (counted by hand)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from touchpath import EventLog, JourneyMap, coverage, datasets, templates
from touchpath.cli import EXIT_UNDEFINED, main
from touchpath.exceptions import UndefinedResultWarning
from touchpath.validation import ValidationCounts, validate

MAP = (
    JourneyMap.builder("m")
    .stage("a")
    .stage("b")
    .path("a", "b")
    .touchpoint("ad", channel="ads", stage="a")
    .touchpoint("call", channel="phone", stage="b")
    .build()
)


def _log(rows: list[dict[str, object]]) -> EventLog:
    return EventLog.from_records(rows)


def test_a_log_without_stages_has_no_fitness() -> None:
    """No event carries a stage: both fitness scores are NaN, reading them warns with the
    reason, and the report section says the log was not validated."""
    log = _log(
        [
            {"journey_id": "j", "timestamp": 0, "channel": "ads"},
            {"journey_id": "j", "timestamp": 1, "channel": "direct", "converted": True},
        ]
    )
    report = validate(log, MAP)
    assert report.undefined_reason is not None
    assert report.undefined_reason.startswith("no event has a stage")
    with pytest.warns(UndefinedResultWarning, match="no event has a stage"):
        assert not report.journey_fitness.is_defined
    with pytest.warns(UndefinedResultWarning):
        assert not report.transition_fitness.is_defined
    assert not report.counts.journey_fitness.is_defined
    note = report.report_section().note
    assert note is not None
    assert note.startswith("Not validated: no event has a stage")
    assert "journey fitness n/a" in repr(report)


def test_a_log_in_other_stages_has_no_fitness() -> None:
    """Every stage of the data is unknown to the map: undefined, and the reason names the
    data's stages."""
    log = _log([{"journey_id": "j", "timestamp": 0, "stage": "lead"}])
    report = validate(log, MAP)
    assert report.undefined_reason is not None
    assert "the data's stages: 'lead'" in report.undefined_reason
    with pytest.warns(UndefinedResultWarning, match="'lead'"):
        assert not report.journey_fitness.is_defined


def test_fitness_is_defined_once_a_part_has_map_stages() -> None:
    """Counts add: a stage-less part plus a part in the map's stages has a defined fitness
    (1 of 2 journeys conform: the stage-less one has no error, the other neither)."""
    staged = validate(_log([{"journey_id": "x", "timestamp": 0, "stage": "a"}]), MAP).counts
    bare = validate(_log([{"journey_id": "y", "timestamp": 0, "channel": "ads"}]), MAP).counts
    assert not bare.journey_fitness.is_defined
    total = staged + bare
    assert total.map_stage_events == 1
    assert total.journey_fitness.value == 1.0
    assert ValidationCounts.zero() + staged == staged


def test_coverage_counted_by_hand() -> None:
    """Three events: stage a / touchpoint ad / channel ads; stage x (unknown) with channel
    direct (unknown); and a channel-only event. Stage b, touchpoint call and channel phone
    never occur; two events have no touchpoint, one no stage."""
    log = _log(
        [
            {"journey_id": "j", "timestamp": 0, "stage": "a", "touchpoint": "ad", "channel": "ads"},
            {"journey_id": "j", "timestamp": 1, "stage": "x", "channel": "direct"},
            {"journey_id": "k", "timestamp": 0, "channel": "ads"},
        ]
    )
    c = coverage(log, MAP)
    assert (c.journeys, c.events) == (2, 3)
    assert (c.stages.found, c.stages.missing, c.stages.unknown) == ({"a": 1}, ("b",), {"x": 1})
    assert c.stages.events_without == 1
    assert (c.touchpoints.found, c.touchpoints.missing) == ({"ad": 1}, ("call",))
    assert c.touchpoints.events_without == 2
    assert (c.channels.found, c.channels.unknown) == ({"ads": 2}, {"direct": 1})
    assert c.empty_columns == ("campaign", "segment", "account", "converted", "value", "cost")
    notes = c.notes()
    assert "1 of the map's 2 stages never occur: 'b'" in notes
    assert "1 events carry stages the map does not know: 'x'" in notes
    assert validate(log, MAP).coverage == c


def test_coverage_of_the_sample_is_complete() -> None:
    """The shipped sample walks pay_per_call_marketplace: every stage occurs, every event has
    a stage, and the KPIs with a measurement are measurable."""
    m = templates.get("pay_per_call_marketplace")
    c = coverage(datasets.sample(), m)
    assert c.stages.missing == ()
    assert c.stages.events_without == 0
    assert c.stages.unknown == {}
    assert set(c.kpis_measurable) == {k.id for k in m.kpis if k.measurement is not None}
    assert c.kpis_not_measurable["nps"].startswith("no measurement")
    assert c.direct_channels == ("csm", "live_chat", "sales")
    assert c.direct_channels_missing == ()


def test_cli_validate_without_stages_exits_non_zero_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The issue's case: an ordinary event file with no stage column is not '100 % fitness,
    exit 0' but exit 3 with a one-line reason on stderr, and the coverage table says why."""
    path = tmp_path / "events.csv"
    path.write_text(
        "journey_id,timestamp,channel,converted,value\n"
        "j1,2025-01-01T00:00:00Z,google_ads,false,\n"
        "j1,2025-01-02T00:00:00Z,direct,true,50\n",
        encoding="utf-8",
    )
    code = main(["validate", str(path), "--map", "pay_per_call_marketplace"])
    out, err = capsys.readouterr()
    assert code == EXIT_UNDEFINED == 3
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"touchpath: error: {path}: no event has a stage")
    assert "journey fitness n/a" in out
    assert "Data coverage" in out
    assert "none of the map's direct channels (csm, live_chat, sales)" in out
    main(["validate", str(path), "--map", "pay_per_call_marketplace", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["undefined"].startswith("no event has a stage")

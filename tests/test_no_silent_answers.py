"""The issue's new-user case end to end: an event file with journey id, timestamp, channel,
conversion and value (no stage) against pay_per_call_marketplace. Every section that the data
cannot fill says why; last-non-direct names the direct channels it uses and warns when none
occurs in the data."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from touchpath import ChannelKind, EventLog, templates
from touchpath._demo import ModelOptions, analyse, build_report, direct_channels, has_matplotlib
from touchpath.attribution import LastNonDirect, attribute
from touchpath.cli import main
from touchpath.exceptions import AssumptionWarning, TouchpathWarning

MAP = templates.get("pay_per_call_marketplace")


def _log() -> EventLog:
    """j1: google_ads then direct (converts, 50); j2: email (converts, 20); j3: direct (no)."""
    rec = [
        ("j1", 0, "google_ads", False, 0.0),
        ("j1", 3600, "direct", True, 50.0),
        ("j2", 0, "email", True, 20.0),
        ("j3", 0, "direct", False, 0.0),
    ]
    return EventLog.from_records(
        [
            {"journey_id": j, "timestamp": t, "channel": c, "converted": v, "value": x}
            for j, t, c, v, x in rec
        ]
    )


def test_the_maps_direct_channels_absent_from_the_data_warn_by_name() -> None:
    """The map's direct channels (csm, live_chat, sales) occur nowhere: AssumptionWarning
    names them; the data's kinds given on the log or the call are used instead."""
    log = _log()
    with pytest.warns(AssumptionWarning, match="csm, live_chat, sales as direct"):
        direct, where = direct_channels(None, MAP, log)
    assert direct == frozenset({"csm", "live_chat", "sales"})
    assert where == "the map's channel kinds"
    with warnings.catch_warnings():
        warnings.simplefilter("error", TouchpathWarning)
        on_log, where = direct_channels(None, MAP, log.with_channel_kinds({"direct": "direct"}))
        on_call, _ = direct_channels(ModelOptions(channel_kinds={"direct": "direct"}), None, log)
        given, how = direct_channels(ModelOptions(direct="direct"), MAP, log)
    assert "direct" in on_log
    assert "the log's channel kinds" in where
    assert on_call == given == frozenset({"direct"})
    assert how == "--direct"


def test_treating_the_datas_direct_channel_as_direct_moves_its_credit() -> None:
    """By hand: j1 converts on 'direct' after 'google_ads', j2 on 'email'. With only the
    map's direct channels, 'direct' keeps j1's conversion; with 'direct' declared direct,
    google_ads gets it."""
    log = _log()
    with pytest.warns(AssumptionWarning):
        as_map, _ = direct_channels(None, MAP, log)
    assert attribute(log, LastNonDirect(direct=as_map)).credits() == {
        "direct": 1.0,
        "email": 1.0,
        "google_ads": 0.0,
    }
    kinds, _ = direct_channels(ModelOptions(channel_kinds={"direct": "direct"}), MAP, log)
    assert attribute(log, LastNonDirect(direct=kinds)).credits() == {
        "direct": 0.0,
        "email": 1.0,
        "google_ads": 1.0,
    }


def test_every_empty_section_of_the_report_says_why() -> None:
    """No stage: the analysis notes the undefined fitness, the funnel nobody enters, the
    missing moves, the unmeasurable KPIs and the absent direct channels; the report opens
    with them, the funnel and scorecard sections are notes without a table, no chart with an
    empty axis is drawn, and the attribution section names the direct channels."""
    analysis = analyse(_log(), MAP)
    joined = " | ".join(analysis.notes)
    for expected in (
        "no event has a stage",
        "funnel's first step 'awareness'",
        "no journey moves from one stage to another",
        "no KPI of map 'pay_per_call_marketplace' could be measured",
        "csm, live_chat, sales as direct",
    ):
        assert expected in joined
    report = build_report(analysis, charts=has_matplotlib())
    sections = {s.title: s for s in report.sections}
    assert report.sections[2].title == "What the data cannot answer"
    assert "<table" not in sections["Funnel"].body
    assert "<table" not in sections["KPI scorecard"].body
    assert "No KPI could be measured" in sections["KPI scorecard"].body
    assert (sections["Validation"].note or "").startswith("Not validated: no event has a stage")
    assert "Last-non-direct treated as direct: csm, live_chat, sales" in (
        sections["Attribution by model"].note or ""
    )
    assert "Funnel chart" not in sections
    if has_matplotlib():
        assert "<img" not in sections["Transitions"].body
        assert "no journey moves" in sections["Transitions"].body.lower()


def test_the_sample_has_nothing_to_note() -> None:
    """On the shipped sample (which walks the map) the analysis notes nothing."""
    from touchpath import datasets

    assert analyse(datasets.sample(), MAP, models=["linear"]).notes == ()


def test_cli_report_prints_the_notes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``touchpath report`` prints each note on stderr, one line each."""
    path = tmp_path / "events.csv"
    path.write_text(
        "journey_id,timestamp,channel,converted,value\n"
        "j1,2025-01-01T00:00:00Z,google_ads,false,\n"
        "j1,2025-01-02T00:00:00Z,direct,true,50\n",
        encoding="utf-8",
    )
    code = main(
        ["report", str(path), "--map", "pay_per_call_marketplace", "-o", str(tmp_path / "r.html"),
         "--no-charts", "--channel-kind", "direct=direct"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0
    notes = [line for line in err.splitlines() if line.startswith("note: ")]
    assert any("no event has a stage" in n for n in notes)
    assert not any("as direct" in n for n in notes)  # 'direct' was declared direct
    assert "Data coverage" in out


@pytest.mark.skipif(not has_matplotlib(), reason="needs matplotlib")
def test_plotting_transitions_without_moves_warns() -> None:
    """plot.transitions on a log with no stage change warns and writes why on the axes,
    rather than drawing an empty picture."""
    from matplotlib.figure import Figure

    from touchpath import plot
    from touchpath.exceptions import UndefinedResultWarning

    log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "a"}])
    with pytest.warns(UndefinedResultWarning, match="no transitions to draw"):
        ax = plot.transitions(log, ax=Figure().add_subplot())
    assert any("no moves" in t.get_text() for t in ax.texts)


def test_channel_kinds_on_the_log_survive_subsets_and_concat() -> None:
    """Kinds given with with_channel_kinds stay on select, filter, split_conversions and
    concat results; an unknown kind is refused naming the channel."""
    from touchpath.exceptions import ConfigError

    log = _log().with_channel_kinds({"direct": "direct"})
    kinds = {"direct": ChannelKind.DIRECT}
    assert log.select(["j1"]).channel_kinds == kinds
    assert log.split_conversions().channel_kinds == kinds
    assert EventLog.concat([log, _log()]).channel_kinds == kinds
    with pytest.raises(ConfigError, match="channel 'tv': kind must be one of"):
        log.with_channel_kinds({"tv": "telly"})

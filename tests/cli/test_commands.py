"""Every command of the ``touchpath`` command line, end to end through ``main([...])``.

Expected numbers are worked out by hand from the three journeys of ``conftest.GOOD_ROWS``:

- j1: ads, email, seo (converts, value 100); j2: ads, email (converts, value 50); j3: seo.
- linear: j1 gives 1/3 to each of ads, email, seo; j2 gives 1/2 to ads and email, so
  ads 5/6, email 5/6, seo 1/3 conversions; value ads 100/3 + 25, email the same, seo 100/3.
- first touch: ads 2; last touch: seo 1, email 1.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from touchpath import cli

from .conftest import HEADER, write_csv


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line; return its exit code, stdout and stderr."""
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- attribute ----------------------------------------------------------------------------------


def test_attribute_json_has_the_hand_computed_linear_credits(
    capsys: pytest.CaptureFixture[str], good_csv: Path
) -> None:
    """``--format json`` parses; linear credits and values match the hand computation."""
    code, out, err = run(
        capsys, "attribute", str(good_csv), "--model", "linear", "--format", "json"
    )
    assert (code, err) == (0, "")
    doc = json.loads(out)
    credits = {r["channel"]: r for r in doc["credits"]}
    assert credits["ads"]["conversions"] == pytest.approx(5 / 6)
    assert credits["email"]["conversions"] == pytest.approx(5 / 6)
    assert credits["seo"]["conversions"] == pytest.approx(1 / 3)
    assert credits["ads"]["value"] == pytest.approx(100 / 3 + 25)
    assert credits["seo"]["share"] == pytest.approx((1 / 3) / 2)
    summary = doc["summary"]
    assert (summary["model"], summary["total_conversions"], summary["unattributed"]) == (
        "linear",
        2.0,
        0.0,
    )


def test_attribute_table_is_aligned_and_readable(
    capsys: pytest.CaptureFixture[str], good_csv: Path
) -> None:
    """The default output is a heading line, then an aligned table: every row as wide as
    the header, credits with one decimal, most credited first (ties by name)."""
    code, out, _ = run(capsys, "attribute", str(good_csv), "--model", "first-touch")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("first-touch (FirstTouch()) by channel: 2 conversions")
    header, *rows = lines[1:]
    assert header.split() == ["channel", "conversions", "value", "share"]
    assert [r.split()[:2] for r in rows] == [["ads", "2.0"], ["email", "0.0"], ["seo", "0.0"]]
    assert {len(r) for r in rows} == {len(header)}


def test_attribute_compare_csv_parses(capsys: pytest.CaptureFixture[str], good_csv: Path) -> None:
    """``--compare`` with ``--format csv``: one row per channel, one column per model."""
    code, out, _ = run(
        capsys, "attribute", str(good_csv), "--compare", "first-touch,last-touch", "--format", "csv"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    table = {r["channel"]: (float(r["first-touch"]), float(r["last-touch"])) for r in rows}
    assert table == {"ads": (2.0, 0.0), "email": (0.0, 1.0), "seo": (0.0, 1.0)}


def test_attribute_compare_without_a_list_runs_every_model(
    capsys: pytest.CaptureFixture[str], good_csv: Path
) -> None:
    """``--compare`` alone runs all models; with a map that has consideration and decision,
    w-shaped is among them; every model credits the 2 conversions in all. The map's direct
    channels (cs_call, sales_call) are not in the data (ads, email, seo), so a note says
    last-non-direct skips no touch."""
    code, out, err = run(
        capsys,
        "attribute",
        str(good_csv),
        "--compare",
        "--map",
        "b2b_five_stage",
        "--format",
        "json",
    )
    assert code == 0
    assert err.startswith("note: last-non-direct treats cs_call, sales_call as direct")
    doc = json.loads(out)
    assert doc["summary"]["models"] == [
        "first-touch", "last-touch", "last-non-direct", "linear", "time-decay",
        "position-based", "w-shaped", "markov", "shapley",
        "ordered-shapley", "fractribution", "survival",
    ]  # fmt: skip
    for model in doc["summary"]["models"]:
        assert sum(r[model] for r in doc["credits"]) == pytest.approx(2.0), model


def test_attribute_compare_without_w_stages_notes_the_skip(
    capsys: pytest.CaptureFixture[str], good_csv: Path
) -> None:
    """Without a map or stages, ``--compare`` leaves w-shaped out and says so on stderr."""
    code, out, err = run(capsys, "attribute", str(good_csv), "--compare", "--format", "json")
    assert code == 0
    assert "w-shaped" not in json.loads(out)["summary"]["models"]
    assert "w-shaped" in err


def test_attribute_time_decay_half_life(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """time-decay with a 1-day half-life: touches 2 days and 0 days before the conversion
    weigh 1/4 and 1, so ads gets 1/5 and seo 4/5."""
    path = write_csv(
        tmp_path / "td.csv",
        ["a,2025-01-01T00:00:00Z,ads,,false,", "a,2025-01-03T00:00:00Z,seo,,true,10"],
    )
    code, out, _ = run(
        capsys, "attribute", str(path), "--model", "time-decay", "--half-life", "1d",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    credits = {r["channel"]: r["conversions"] for r in json.loads(out)["credits"]}
    assert credits == pytest.approx({"ads": 0.2, "seo": 0.8})


def test_attribute_by_stage_and_column_mapping(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Column options map other column names; ``--level stage`` credits stages (first touch:
    the one conversion goes to the first stage)."""
    path = write_csv(
        tmp_path / "renamed.csv",
        ["u1,1735722000,ads,awareness,yes", "u1,1735808400,seo,decision,yes"],
        header="user,ts,utm_source,step,won",
    )
    code, out, _ = run(
        capsys, "attribute", str(path), "--journey-id", "user", "--timestamp", "ts",
        "--channel", "utm_source", "--stage", "step", "--converted", "won",
        "--model", "first-touch", "--level", "stage", "--format", "json",
    )  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    # two conversions: the first credits awareness (its own touch), the second decision
    assert {r["stage"]: r["conversions"] for r in doc["credits"]} == {
        "awareness": 1.0,
        "decision": 1.0,
    }


def test_attribute_reads_gzipped_jsonl(
    capsys: pytest.CaptureFixture[str], good_jsonl_gz: Path
) -> None:
    """A .jsonl.gz file is read as JSON Lines and gives the CSV's last-touch credits."""
    code, out, _ = run(
        capsys, "attribute", str(good_jsonl_gz), "--model", "last-touch", "--format", "json"
    )
    assert code == 0
    credits = {r["channel"]: r["conversions"] for r in json.loads(out)["credits"]}
    assert credits == {"ads": 0.0, "email": 1.0, "seo": 1.0}


# -- bad input ----------------------------------------------------------------------------------


def test_missing_file_is_exit_2_with_the_name(capsys: pytest.CaptureFixture[str]) -> None:
    """A missing file: exit 2, one error line naming it, no traceback."""
    code, out, err = run(capsys, "attribute", "no-such-file.csv")
    assert (code, out) == (2, "")
    assert err == "touchpath: error: no-such-file.csv: no such file\n"


def test_bad_row_names_file_line_and_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An unreadable timestamp on the 3rd line of the file: exit 2, and the message names
    the file, line 3 and the field, with no traceback."""
    path = write_csv(
        tmp_path / "bad.csv",
        ["j1,2025-01-01T00:00:00Z,ads,,false,", "j2,yesterday,seo,,false,"],
    )
    code, out, err = run(capsys, "attribute", str(path))
    assert (code, out) == (2, "")
    assert f"{path} line 3, field 'timestamp'" in err
    assert "'yesterday'" in err
    assert "Traceback" not in err


def test_on_error_collect_reports_rejected_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``--on-error collect`` goes on with the good rows and prints the count of rejected
    rows and their reasons to stderr."""
    path = write_csv(
        tmp_path / "bad.csv",
        ["j1,2025-01-01T00:00:00Z,ads,,true,", "j2,yesterday,seo,,false,", "j3,later,seo,,false,"],
    )
    code, out, err = run(
        capsys, "attribute", str(path), "--on-error", "collect", "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["summary"]["total_conversions"] == 1.0
    assert f"{path}: 2 of 3 rows rejected" in err
    assert f"{path} line 3, field 'timestamp'" in err
    assert f"{path} line 4, field 'timestamp'" in err


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """With ``--debug`` the error propagates (the traceback is shown) instead of exit 2."""
    from touchpath.exceptions import SchemaError

    path = write_csv(tmp_path / "bad.csv", ["j2,yesterday,seo,,false,"])
    with pytest.raises(SchemaError, match="line 2"):
        cli.main(["attribute", str(path), "--debug"])
    with pytest.raises(SchemaError, match="line 2"):
        cli.main(["--debug", "attribute", str(path)])


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["attribute", "e.csv", "--half-life", "soon"], "argument --half-life:"),
        (["attribute", "e.csv", "--half-life=-3d"], "must be a positive duration; got '-3d'"),
        (["attribute", "e.csv", "--model", "markof"], "did you mean 'markov'?"),
        (["funnel", "e.csv", "--window", "0d"], "argument --window:"),
        (["attribute", "e.csv", "--first", "1.5"], "between 0 and 1"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "the following arguments are required: COMMAND"),
    ],
    ids=["half-life-text", "half-life-negative", "model-typo", "zero-window", "share", "command",
         "no-command"],
)  # fmt: skip
def test_usage_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    """Bad options are refused before any file is read: exit 2, the reason, and a pointer to
    ``--help`` (no usage dump, no traceback)."""
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert expected in err
    assert err.rstrip().endswith("--help)")
    assert len(err.splitlines()) == 2


def test_unknown_extension_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A file the reader cannot tell the format of is refused, naming the accepted ones;
    ``--input-format`` overrides the extension."""
    path = tmp_path / "events.txt"
    path.write_text(HEADER + "\nj1,2025-01-01T00:00:00Z,ads,,true,\n", encoding="utf-8")
    code, _, err = run(capsys, "attribute", str(path))
    assert code == 2
    assert ".csv" in err
    assert "--input-format" in err
    code, out, _ = run(capsys, "attribute", str(path), "--input-format", "csv", "--format", "json")
    assert (code, json.loads(out)["summary"]["total_conversions"]) == (0, 1.0)


# -- validate -----------------------------------------------------------------------------------


def test_validate_clean_journeys_exit_0(capsys: pytest.CaptureFixture[str], good_csv: Path) -> None:
    """Journeys that follow b2b_five_stage: exit 0, and the summary says 0 violations."""
    code, out, _ = run(capsys, "validate", str(good_csv), "--map", "b2b_five_stage")
    assert code == 0
    assert "3 journeys, 6 events: 0 violations" in out


def test_validate_skip_exit_1_and_json(capsys: pytest.CaptureFixture[str], skip_csv: Path) -> None:
    """j4 jumps from awareness to decision: one AllowedTransitions error at its event 1;
    exit 1; the JSON lists it."""
    code, out, _ = run(
        capsys, "validate", str(skip_csv), "--map", "b2b_five_stage", "--format", "json"
    )
    assert code == 1
    doc = json.loads(out)
    summary = doc["summary"]
    assert (summary["violations"], summary["errors"], summary["ok"]) == (1, 1, False)
    (v,) = doc["violations"]
    assert (v["journey_id"], v["index"], v["from_stage"], v["to_stage"]) == (
        "j4",
        1,
        "awareness",
        "decision",
    )


def test_validate_fail_on_warning_and_rule_options(
    capsys: pytest.CaptureFixture[str], good_csv: Path
) -> None:
    """A 1-hour deadline from awareness to consideration: j1 took 1 day and j2 4 days, j3
    never arrived (its deadline passed before the last event): 3 violations, exit 1;
    ``--limit 1`` lists one in CSV."""
    code, out, _ = run(
        capsys, "validate", str(good_csv), "--map", "b2b_five_stage",
        "--deadline", "awareness:consideration:1h", "--format", "csv", "--limit", "1",
    )  # fmt: skip
    assert code == 1
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["journey_id"], r["index"]) for r in rows] == [("j1", "0")]
    code, out, _ = run(
        capsys, "validate", str(good_csv), "--map", "b2b_five_stage",
        "--deadline", "awareness:consideration:1h", "--format", "json",
    )  # fmt: skip
    assert json.loads(out)["summary"]["violations"] == 3
    assert sorted(v["journey_id"] for v in json.loads(out)["violations"]) == ["j1", "j2", "j3"]


@pytest.mark.parametrize(
    ("option", "bad"),
    [("--deadline", "onboarding:activation"), ("--max-dwell", "decision")],
    ids=["deadline", "max-dwell"],
)
def test_validate_malformed_rule_option(
    capsys: pytest.CaptureFixture[str], good_csv: Path, option: str, bad: str
) -> None:
    """A rule option without all its parts is a usage error that shows the expected form."""
    code, _, err = run(capsys, "validate", str(good_csv), "--map", "b2b_five_stage", option, bad)
    assert code == 2
    assert f"{option} takes" in err


def test_validate_with_a_map_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, skip_csv: Path
) -> None:
    """``--map`` takes a JSON file too: a map that allows awareness -> decision finds no
    violation in j4."""
    from touchpath import JourneyMap

    m = (
        JourneyMap.builder("shortcut")
        .stage("awareness")
        .stage("consideration")
        .stage("decision")
        .path("awareness", "consideration", "decision")
        .edge("awareness", "decision")
        .build()
    )
    path = tmp_path / "map.json"
    path.write_text(m.to_json(), encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(skip_csv), "--map", str(path))
    assert code == 0
    assert "0 violations" in out


def test_unknown_template_suggests_the_closest(
    capsys: pytest.CaptureFixture[str], good_csv: Path
) -> None:
    """A misspelt template: exit 2 and a did-you-mean with the real name."""
    code, _, err = run(capsys, "validate", str(good_csv), "--map", "b2b_5_stage")
    assert code == 2
    assert "unknown template 'b2b_5_stage'; did you mean 'b2b_five_stage'?" in err


def test_missing_map_file(capsys: pytest.CaptureFixture[str], good_csv: Path) -> None:
    """A map path that does not exist is named in the error."""
    code, _, err = run(capsys, "validate", str(good_csv), "--map", "maps/none.json")
    assert code == 2
    assert "maps/none.json: no such map file" in err


# -- funnel -------------------------------------------------------------------------------------


def test_funnel_over_the_map_stages(capsys: pytest.CaptureFixture[str], skip_csv: Path) -> None:
    """Sequential funnel of b2b_five_stage: all 4 journeys reach awareness, j1 and j2
    consideration, only j1 decision (j4 skipped consideration), nobody retention."""
    code, out, _ = run(
        capsys, "funnel", str(skip_csv), "--map", "b2b_five_stage", "--format", "json"
    )
    assert code == 0
    doc = json.loads(out)
    reached = [(r["step"], r["reached"]) for r in doc["steps"]]
    assert reached == [
        ("awareness", 4),
        ("consideration", 2),
        ("decision", 1),
        ("retention", 0),
        ("advocacy", 0),
    ]
    assert doc["steps"][1]["conversion_from_previous"] == 0.5
    # j1 reached consideration 1 day after awareness, j2 4 days: median 2.5 days
    assert doc["steps"][1]["time_to_step_median"] == 2.5 * 86400  # seconds in JSON
    assert (doc["summary"]["entered"], doc["summary"]["completed"]) == (4, 0)


def test_funnel_any_order_and_text(capsys: pytest.CaptureFixture[str], skip_csv: Path) -> None:
    """With ``--order any`` j4 counts at decision too once it has consideration... it has
    not, so decision (step 3 needs steps 1-3) stays at 1; the text table shows the rates."""
    code, out, _ = run(
        capsys, "funnel", str(skip_csv), "--steps", "awareness,decision", "--order", "any"
    )
    assert code == 0
    lines = out.splitlines()
    assert "2 completed (50.0%)" in lines[0]
    assert lines[1].split()[:3] == ["step", "reached", "of"]
    assert lines[3].split()[:4] == ["decision", "2", "50.0%", "50.0%"]


def test_funnel_needs_steps_or_map(capsys: pytest.CaptureFixture[str], good_csv: Path) -> None:
    """Without ``--steps`` and without ``--map`` there is nothing to count: exit 2."""
    code, _, err = run(capsys, "funnel", str(good_csv))
    assert code == 2
    assert "--steps" in err


def test_funnel_window_and_breakdown_csv(
    capsys: pytest.CaptureFixture[str], good_csv: Path
) -> None:
    """A 2-day window: j2's consideration came 4 days after awareness, so only j1 counts
    (with a censored column); ``--breakdown channel`` splits by each journey's first channel."""
    code, out, _ = run(
        capsys, "funnel", str(good_csv), "--steps", "awareness,consideration",
        "--window", "2d", "--breakdown", "channel", "--format", "csv",
    )  # fmt: skip
    assert code == 0
    rows = {(r["channel"], r["step"]): r for r in csv.DictReader(io.StringIO(out))}
    assert rows[("ads", "awareness")]["reached"] == "2"
    assert rows[("ads", "consideration")]["reached"] == "1"
    assert rows[("seo", "awareness")]["reached"] == "1"
    assert "censored" in next(iter(rows.values()))


# -- render and templates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "start"),
    [("mermaid", "flowchart LR"), ("dot", 'digraph "b2b_five_stage"'), ("svg", "<svg")],
    ids=["mermaid", "dot", "svg"],
)
def test_render_formats(capsys: pytest.CaptureFixture[str], fmt: str, start: str) -> None:
    """``render`` prints the map in each format; every stage appears in it (Mermaid shows
    the stage names, which are the ids capitalised)."""
    code, out, _ = run(capsys, "render", "b2b_five_stage", "--format", fmt)
    assert code == 0
    assert out.lstrip().startswith(start)
    for stage in ("awareness", "consideration", "decision", "retention", "advocacy"):
        assert stage in out.lower()


def test_render_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``-o`` writes the file and names it on stderr; stdout stays empty."""
    target = tmp_path / "map.svg"
    code, out, err = run(capsys, "render", "b2b_five_stage", "--format", "svg", "-o", str(target))
    assert (code, out) == (0, "")
    assert str(target.resolve()) in err
    assert target.read_text(encoding="utf-8").count("<svg") == 1


def test_templates_lists_every_template(capsys: pytest.CaptureFixture[str]) -> None:
    """``templates`` in JSON: the four shipped templates with their stage counts (5, 8, 5,
    13, from the domain notes)."""
    code, out, _ = run(capsys, "templates", "--format", "json")
    assert code == 0
    stages = {r["template"]: r["stages"] for r in json.loads(out)["templates"]}
    assert stages == {
        "b2b_five_stage": 5,
        "pay_per_call_marketplace": 8,
        "attract_capture_nurture_convert_expand": 5,
        "acquisition_nurture_growth": 13,
    }


# -- help ---------------------------------------------------------------------------------------

COMMANDS = ["demo", "attribute", "validate", "funnel", "render", "report", "templates"]


@pytest.mark.parametrize("command", COMMANDS, ids=COMMANDS)
def test_every_command_has_help_with_an_example(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """``COMMAND --help`` exits 0 and ends with an example that runs that command."""
    code, out, _ = run(capsys, command, "--help")
    assert code == 0
    example = out.split("example:", 1)[1].strip().splitlines()[0]
    assert example.startswith(f"touchpath {command}")


def test_top_level_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    """``--help`` lists every command and the exit codes; ``--version`` prints the version."""
    from touchpath import __version__

    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in COMMANDS:
        assert command in out
    assert "exit codes: 0 ok, 1 violations" in out
    code, out, _ = run(capsys, "--version")
    assert (code, out.strip()) == (0, f"touchpath {__version__}")


# -- report -------------------------------------------------------------------------------------


def test_report_writes_html_and_prints_sections(
    capsys: pytest.CaptureFixture[str], good_csv: Path, tmp_path: Path
) -> None:
    """``report`` writes a self-contained page, prints the section headings and the path;
    ``--kpi`` values reach the scorecard (the b2b map has no KPIs: an unknown KPI id is
    refused with exit 2)."""
    target = tmp_path / "out" / "r.html"
    target.parent.mkdir()
    code, out, _ = run(
        capsys, "report", str(good_csv), "--map", "b2b_five_stage", "-o", str(target),
        "--model", "linear,markov", "--no-charts",
    )  # fmt: skip
    assert code == 0
    for heading in ("Data", "Validation", "Funnel", "Attribution", "KPI scorecard"):
        assert f"\n{heading}\n" in out
    assert out.rstrip().endswith(f"Report: {target.resolve()}")
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    code, _, err = run(
        capsys, "report", str(good_csv), "--map", "b2b_five_stage", "-o", str(target),
        "--kpi", "nps=40",
    )  # fmt: skip
    assert code == 2
    assert "unknown KPI" in err
    assert "'nps'" in err


def test_report_kpi_values_are_scored(
    capsys: pytest.CaptureFixture[str], good_csv: Path, tmp_path: Path
) -> None:
    """Against pay_per_call_marketplace, ``--kpi nps=61`` meets the NPS target of 50 and
    ``monthly_churn=0.08`` misses its 5% ceiling (JSON output)."""
    code, out, _ = run(
        capsys, "report", str(good_csv), "--map", "pay_per_call_marketplace",
        "-o", str(tmp_path / "r.html"), "--kpi", "nps=61", "--kpi", "monthly_churn=0.08",
        "--no-charts", "--format", "json",
    )  # fmt: skip
    assert code == 0
    status = {r["kpi"]: r["status"] for r in json.loads(out)["scorecard"]}
    assert (status["nps"], status["monthly_churn"]) == ("met", "not_met")


@pytest.mark.parametrize(
    "bad", ["nps", "nps=", "=4", "nps=high"], ids=["no-eq", "empty", "no-id", "text"]
)
def test_report_bad_kpi_option(
    capsys: pytest.CaptureFixture[str], good_csv: Path, tmp_path: Path, bad: str
) -> None:
    """``--kpi`` must be ID=NUMBER."""
    code, _, err = run(
        capsys, "report", str(good_csv), "--map", "b2b_five_stage", "-o",
        str(tmp_path / "r.html"), "--kpi", bad,
    )  # fmt: skip
    assert code == 2
    assert "--kpi takes ID=NUMBER" in err

"""``touchpath demo``: the README's main job, on the shipped sample; its HTML report passes
the headless-browser check. (How long it takes is measured in benchmarks/bench_report.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from touchpath import cli, datasets, templates
from touchpath._demo import build_report, has_matplotlib, run_demo
from touchpath.metrics import stage_conversion

from .browser.conftest import OpenPage
from .browser.conftest import chromium_binary as chromium_binary  # the harness's fixtures
from .browser.conftest import open_page as open_page


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    """``touchpath demo -o DIR/report.html`` once: exit code, stdout, report path."""
    import contextlib
    import io

    target = tmp_path_factory.mktemp("demo") / "report.html"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["demo", "-o", str(target)])
    return code, out.getvalue(), target


def test_demo_exits_0_and_writes_the_report(demo_run: tuple[int, str, Path]) -> None:
    """Exit 0; the last line names the report, which exists and is HTML."""
    code, out, target = demo_run
    assert code == 0
    assert out.rstrip().splitlines()[-1] == f"Report: {target.resolve()}"
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_demo_prints_every_section(demo_run: tuple[int, str, Path]) -> None:
    """Short headings for data, validation, funnel, attribution and the KPI scorecard, in
    that order, each followed by its table."""
    _, out, _ = demo_run
    headings = ["Data", "Validation", "Funnel", "Attribution", "KPI scorecard"]
    positions = [out.index(f"\n{h}\n") for h in headings]
    assert positions == sorted(positions)
    assert "'pay_per_call_marketplace'" in out.splitlines()[0]


def test_demo_numbers_match_the_sample(demo_run: tuple[int, str, Path]) -> None:
    """The printed facts are the sample's own: its journey and event counts, and the
    trial-to-paid rate computed here directly from the log."""
    _, out, _ = demo_run
    log = datasets.sample()
    assert re.search(rf"journeys\s+{len(log):,}\n", out)
    assert re.search(rf"events\s+{log.n_events:,}\n", out)
    rate = stage_conversion(log, "decision", "onboarding").value
    assert rate is not None
    assert re.search(rf"Trial-to-paid conversion\s+at_least\s+25.0%\s+{rate:.1%}", out)


def test_demo_report_sections(tmp_path: Path) -> None:
    """The report holds the map, the data, the validation, funnel, attribution and KPI
    sections, with charts when matplotlib is installed."""
    analysis, path = run_demo(tmp_path / "r.html")
    titles = [s.title for s in build_report(analysis).sections]
    for title in ("Journey map", "Event data", "Validation", "Funnel", "Attribution by model",
                  "KPI scorecard"):  # fmt: skip
        assert title in titles
    charts = {"Funnel chart", "Transitions", "Attribution chart", "Time to convert"}
    assert charts <= set(titles) if has_matplotlib() else not charts & set(titles)
    page = path.read_text(encoding="utf-8")
    assert page.count("<section") == len(titles)


def test_demo_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``demo --format json`` prints one JSON document (the report path goes to stderr)."""
    code = cli.main(["demo", "--format", "json", "--no-charts", "-o", str(tmp_path / "r.html")])
    out, err = capsys.readouterr()
    assert code == 0
    doc = json.loads(out)
    assert doc["summary"]["map"] == "pay_per_call_marketplace"
    assert {r["step"] for r in doc["funnel"]} == set(
        templates.get("pay_per_call_marketplace").stage_ids
    )
    assert "Report:" in err


def test_demo_default_file_is_in_the_working_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ``-o`` the report is ``touchpath-report.html`` in the current directory."""
    monkeypatch.chdir(tmp_path)
    assert cli.main(["demo", "--no-charts"]) == 0
    capsys.readouterr()
    assert (tmp_path / "touchpath-report.html").is_file()


PROBE = """({
  sections: document.querySelectorAll("main > section").length,
  headings: [...document.querySelectorAll("main > section > h2")].map(h => h.textContent),
  images: [...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight]),
  overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
})"""


@pytest.mark.browser
def test_demo_report_in_a_browser(open_page: OpenPage, demo_run: tuple[int, str, Path]) -> None:
    """The demo's report loads in headless Chromium with no console error, no exception and
    no request outside the file; every chart image decodes; the page fits the window."""
    from .browser.test_report_in_browser import assert_clean

    _, _, target = demo_run
    result = open_page(target, PROBE)
    assert_clean(result, target.resolve().as_uri())
    facts = result.facts
    assert "KPI scorecard" in facts["headings"]
    assert facts["sections"] == len(facts["headings"])
    if has_matplotlib():
        assert len(facts["images"]) == 4
    assert all(ok and w > 0 and h > 0 for ok, w, h in facts["images"])
    assert facts["overflow"] <= 0


def test_report_without_matplotlib_has_tables_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When matplotlib is missing the report keeps every table, has no image, and says how
    to get the charts."""
    import touchpath._demo as demo

    monkeypatch.setattr(demo, "has_matplotlib", lambda: False)
    analysis, path = demo.run_demo(tmp_path / "r.html")
    page = path.read_text(encoding="utf-8")
    assert "<img" not in page
    assert "pip install &#x27;touchpath[plot]&#x27;" in page
    assert "KPI scorecard" in page
    assert analysis.funnel.entered == 3000

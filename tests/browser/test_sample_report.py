"""The sample report (map, event data, funnel, journey views, validation) in headless
Chromium at 1280 px: no two labels of the map overlap and its smallest text is legible,
text columns are left-aligned and number columns right-aligned even under JupyterLab's
right-aligning CSS with the notebook's ``<style>`` stripped, and in a dark colour scheme
every text keeps a readable contrast with what is behind it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from touchpath import datasets, funnel, metrics, templates
from touchpath.report import Report, Section
from touchpath.validation import validate

from .conftest import OpenPage

pytestmark = pytest.mark.browser

# The map's text boxes, pairwise overlaps (more than 1 px each way), and the smallest font
# size as drawn (the SVG's font-size attribute times its on-screen scale).
MAP_PROBE = """(() => {
  const svg = document.querySelector("svg.touchpath-map");
  const vb = svg.viewBox.baseVal;
  const scale = svg.getBoundingClientRect().width / vb.width;
  const texts = [...svg.querySelectorAll("text")].filter(t => t.textContent.trim());
  const boxes = texts.map(t => t.getBoundingClientRect());
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) overlaps.push([texts[i].textContent, texts[j].textContent]);
    }
  }
  const sizes = texts.map(t => parseFloat(t.getAttribute("font-size") ||
                                          getComputedStyle(t).fontSize) * scale);
  return {n: texts.length, overlaps, smallest: Math.min(...sizes),
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
})()"""

# Each table cell's computed alignment, by whether it holds a number.
# Summary (key-value) tables align everything left, by design.
ALIGN_PROBE = """[...document.querySelectorAll("table.touchpath-table :is(td, th)")]
  .filter(c => !c.classList.contains("more") && c.closest("thead, tbody"))
  .map(c => [c.classList.contains("num") && !c.closest("table.touchpath-kv"),
             getComputedStyle(c).textAlign, c.textContent])"""

# For every element with its own text: the WCAG contrast ratio of its colour with the first
# opaque background behind it (images and the map's white SVG excepted: they carry their own).
CONTRAST_PROBE = """(() => {
  const rgb = s => s.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const bg = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length < 4 || c[3] > 0.5) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("svg")) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    const fg = rgb(style.color), back = bg(el);
    const alpha = parseFloat(style.opacity);
    const mixed = fg.map((v, i) => alpha * v + (1 - alpha) * back[i]);
    const [a, b] = [lum(mixed), lum(back)].sort((x, y) => y - x);
    out.push([el.tagName, el.textContent.trim().slice(0, 30), (a + 0.05) / (b + 0.05)]);
  }
  return {body: getComputedStyle(document.body).backgroundColor, texts: out};
})()"""


@pytest.fixture(scope="module")
def sample_report() -> Report:
    """The sample data on its own template, with every kind of section."""
    pytest.importorskip("matplotlib", reason="the report's charts need the plot extra")
    import matplotlib

    matplotlib.use("Agg")
    log = datasets.sample()
    journey_map = templates.get("pay_per_call_marketplace")
    report = Report("Sample journeys", summary="Every kind of section.")
    report.add(Section.journey_map(journey_map, observed=metrics.transition_graph(log)))
    report.add(Section.event_log(log))
    report.add(funnel(log, journey_map=journey_map))
    report.add(metrics.path_flow(log, level="channel", steps=4))
    report.add(metrics.step_matrix(log, steps=6))
    report.add(metrics.top_paths(log))
    report.add(validate(log, templates.get("b2b_five_stage")))
    return report


def test_map_labels_do_not_overlap_and_stay_legible(
    open_page: OpenPage, tmp_path: Path, sample_report: Report
) -> None:
    """At 1280 px no two texts of the map diagram overlap, its smallest text is drawn at 10 px
    or more (a wide map scrolls inside its frame instead of shrinking), and the page itself
    does not scroll sideways."""
    path = sample_report.write(tmp_path / "report.html")
    facts = open_page(path, MAP_PROBE).facts
    assert facts["n"] > 10
    assert facts["overlaps"] == []
    assert facts["smallest"] >= 10
    assert facts["overflow"] <= 0


def test_tables_align_under_jupyterlab_css(open_page: OpenPage, tmp_path: Path) -> None:
    """Notebook displays put under JupyterLab's rule that right-aligns every cell, with their
    <style> removed (as JupyterLab's sanitiser does for untrusted output): text cells stay
    left-aligned and number cells right-aligned."""
    log = datasets.sample()
    journey_map = templates.get("pay_per_call_marketplace")
    outputs = [
        log._repr_html_(),
        funnel(log, journey_map=journey_map)._repr_html_(),
        metrics.top_paths(log)._repr_html_(),
        metrics.step_matrix(log, steps=4)._repr_html_(),
        validate(log, templates.get("b2b_five_stage"))._repr_html_(),
    ]
    stripped = [re.sub(r"<style>.*?</style>", "", o, flags=re.DOTALL) for o in outputs]
    page = tmp_path / "notebook.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>"
        ".jp-RenderedHTMLCommon td,.jp-RenderedHTMLCommon th,.jp-RenderedHTMLCommon tr"
        "{text-align:right}</style></head><body>"
        + "".join(f'<div class="jp-RenderedHTMLCommon">{o}</div>' for o in stripped)
        + "</body></html>",
        encoding="utf-8",
    )
    cells = open_page(page, ALIGN_PROBE).facts
    assert len(cells) > 50
    wrong = [(text, align) for num, align, text in cells if align != ("right" if num else "left")]
    assert wrong == []
    assert any(num for num, _, _ in cells)
    assert any(not num for num, _, _ in cells)


def test_dark_colour_scheme_keeps_text_readable(
    open_page: OpenPage, tmp_path: Path, sample_report: Report
) -> None:
    """With prefers-color-scheme: dark the page turns dark and every text has a contrast ratio
    of at least 4.5 with its background (WCAG AA); the light page passes the same check."""
    path = sample_report.write(tmp_path / "report.html")
    for dark in (True, False):
        facts = open_page(path, CONTRAST_PROBE, dark=dark).facts
        body = [float(v) for v in re.findall(r"[\d.]+", facts["body"])[:3]]
        assert (sum(body) / 3 < 60) == dark
        poor = [(tag, text, round(ratio, 2)) for tag, text, ratio in facts["texts"] if ratio < 4.5]
        assert poor == [], ("dark" if dark else "light", poor[:8])

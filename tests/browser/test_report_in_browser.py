"""The HTML report and the SVG map in a real headless Chromium: they load with no console
error, no exception and no request for anything outside the file, the screenshot is a real
picture showing the map's phase colours, and the page fits the window's width."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import networkx as nx
import pytest

from touchpath import EventLog, templates
from touchpath.render._svg import PHASE_COLORS, to_svg
from touchpath.report import Report, Section

from .cdp import PageResult
from .conftest import OpenPage, read_png

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1280, 2000

REPORT_PROBE = """({
  sections: document.querySelectorAll("main > section").length,
  stages: document.querySelectorAll("svg.touchpath-map g.tp-stage").length,
  edges: document.querySelectorAll("svg.touchpath-map g.tp-edge").length,
  map: (() => { const r = document.querySelector("svg.touchpath-map").getBoundingClientRect();
                return [r.width, r.height]; })(),
  images: [...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight]),
  overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  title: document.title,
})"""


def solid_png(width: int, height: int) -> bytes:
    """A one-colour RGB PNG built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    raw = b"".join(b"\x00" + bytes((30, 120, 200)) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def channel_bytes(png: bytes) -> tuple[int, int, int]:
    """(width, height, bytes per pixel) of a screenshot, checking its data is complete."""
    info = read_png(png)
    assert info.bit_depth == 8
    bpp = {2: 3, 6: 4}[info.colour_type]
    assert len(info.raw) == info.height * (1 + info.width * bpp)
    return info.width, info.height, bpp


def colours(png: bytes) -> set[tuple[int, int, int]]:
    """The distinct RGB colours of a PNG (Pillow, which matplotlib depends on)."""
    image_mod = pytest.importorskip("PIL.Image", reason="colour checks need Pillow")
    import io

    with image_mod.open(io.BytesIO(png)) as img:
        rgb = img.convert("RGB")
        found = rgb.getcolors(maxcolors=1 << 24)
    assert found is not None
    return {c for _, c in found}


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def near(c: tuple[int, int, int], palette: set[tuple[int, int, int]], tol: int = 2) -> bool:
    return any(all(abs(a - b) <= tol for a, b in zip(c, p, strict=True)) for p in palette)


def assert_clean(result: PageResult, own_url: str) -> None:
    """No console error, exception or browser error; nothing requested but the file itself
    and data: URIs."""
    assert result.problems == []
    assert result.requests[0] == own_url
    for url in result.requests:
        assert url == own_url or url.startswith("data:"), url[:100]


def test_report_renders_without_errors_or_requests(open_page: OpenPage, tmp_path: Path) -> None:
    """A report with the map (and an observed overlay), event data, a table and a PNG figure
    loads cleanly; the map has its 5 boxes and 4+1 edges; images decode; no horizontal
    scrolling; the screenshot is a full-size, many-coloured picture with the three phase
    fills of the b2b template in it."""
    m = templates.get("b2b_five_stage")
    observed: nx.DiGraph[str] = nx.DiGraph()
    observed.add_edge("awareness", "consideration", count=120)
    observed.add_edge("consideration", "awareness", count=9)  # shadow path
    log = EventLog.from_records(
        [
            {"journey_id": f"j{i}", "timestamp": 60 * i, "channel": c, "stage": "awareness"}
            for i, c in enumerate(["email", "ads", "<seo>", "email"])
        ]
    )
    report = (
        Report("Journeys <&> report", summary="Browser check.")
        .add(Section.journey_map(m, observed=observed))
        .add(Section.event_log(log))
        .add(Section.table("Channels", ["channel", "share"], [["email", 0.5], ["ads", 0.25]]))
        .add(Section.figure_png("Swatch", solid_png(40, 20)))
    )
    try:
        import matplotlib
    except ImportError:  # the plot extra is optional; the hand-made PNG still checks images
        pass
    else:
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(3, 2))
        ax.bar(["a", "b"], [3, 5])
        report.add(Section.matplotlib("Bars", fig)).add(
            Section.matplotlib("Bars as SVG", fig, format="svg")
        )
        plt.close(fig)
    path = report.write(tmp_path / "report.html")
    result = open_page(path, REPORT_PROBE)

    assert_clean(result, path.resolve().as_uri())
    facts = result.facts
    assert facts["title"] == "Journeys <&> report"
    assert facts["sections"] == len(report.sections)
    assert facts["stages"] == 5
    assert facts["edges"] == len(m.edges) + 1
    assert facts["map"][0] > 300
    assert facts["map"][1] > 50
    assert facts["images"]
    assert all(ok and w > 0 and h > 0 for ok, w, h in facts["images"])
    assert facts["overflow"] <= 0

    assert channel_bytes(result.screenshot)[:2] == (WIDTH, HEIGHT)
    seen = colours(result.screenshot)
    assert len(seen) > 50
    for phase in {s.phase for s in m.stages}:
        assert near(hex_rgb(PHASE_COLORS[phase][0]), seen), phase


def test_map_svg_file_renders_on_its_own(open_page: OpenPage, tmp_path: Path) -> None:
    """The SVG written to a file (as GitHub would show it) loads cleanly and shows every
    phase fill of the branching template."""
    m = templates.get("acquisition_nurture_growth")
    path = tmp_path / "map.svg"
    path.write_text(to_svg(m), encoding="utf-8")
    result = open_page(path, 'document.querySelectorAll("g.tp-stage").length')
    assert_clean(result, path.resolve().as_uri())
    assert result.facts == len(m.stages)
    seen = colours(result.screenshot)
    for phase in {s.phase for s in m.stages}:
        assert near(hex_rgb(PHASE_COLORS[phase][0]), seen), phase


def test_harness_reports_errors_and_outside_requests(open_page: OpenPage, tmp_path: Path) -> None:
    """Control: a page that logs an error, throws and asks for an outside image is caught on
    all three counts (the request fails locally: no host name resolves in this browser)."""
    path = tmp_path / "bad.html"
    path.write_text(
        "<!DOCTYPE html><title>bad</title><p>bad page</p>"
        '<img src="http://example.invalid/x.png">'
        "<script>console.error('boom'); undefinedFunction();</script>",
        encoding="utf-8",
    )
    result = open_page(path, "document.title")
    assert result.facts == "bad"
    assert any("boom" in e for e in result.console_errors)
    assert any("undefinedFunction" in e for e in result.exceptions)
    assert "http://example.invalid/x.png" in result.requests
    assert channel_bytes(result.screenshot)[:2] == (WIDTH, HEIGHT)

"""The HTML report: one self-contained page (nothing fetched, no scripts), escaped text,
figures embedded as data URIs, sections in order with unique anchors, and refusals of
anything that would break that."""

from __future__ import annotations

import base64
import html.parser
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from touchpath import EventLog, templates
from touchpath.exceptions import ConfigError
from touchpath.report import Report, Section, SectionKind, SectionSource, build_report

# -- helpers ------------------------------------------------------------------------------------


def tiny_png(width: int, height: int, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid RGB PNG of one colour, built by hand (signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


class Collector(html.parser.HTMLParser):
    """Every start tag with its attributes, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    c = Collector()
    c.feed(page)
    c.close()
    return c.tags


def assert_self_contained(page: str) -> None:
    """No http(s):// or protocol-relative src/href, every src/href a #fragment or data: URI,
    no script, iframe, object, embed or external style sheet."""
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", page, re.IGNORECASE)
    for tag, attrs in tags(page):
        assert tag not in {"script", "iframe", "object", "embed", "link", "base"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in {"src", "href", "xlink:href"}:
                assert value is not None
                assert value.startswith(("#", "data:")), (tag, name, value[:60])


def full_report() -> Report:
    m = templates.get("b2b_five_stage")
    observed: nx.DiGraph[str] = nx.DiGraph()
    observed.add_edge("awareness", "consideration", count=90)
    observed.add_edge("awareness", "decision", count=7)
    log = EventLog.from_records(
        [
            {"journey_id": "j1", "timestamp": 0, "channel": "email", "stage": "awareness"},
            {"journey_id": "j1", "timestamp": 60, "channel": "ads", "stage": "decision"},
        ]
    )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<rect width="5" height="5"/></svg>'
    )
    return (
        Report("Review <Q3> & more", summary="Line one.\n\nLine <two>.", subtitle="sub & title")
        .add(Section.journey_map(m, observed=observed))
        .add(Section.event_log(log))
        .add(Section.table("Channels", ["channel", "share"], [["email", 0.5]], number_format=".0%"))
        .add(Section.figure_svg("Chart", svg, caption="an <svg> chart"))
        .add(Section.figure_svg("Inline chart", svg, inline=True))
        .add(Section.figure_png("Picture", tiny_png(4, 2), caption="a PNG"))
        .add(Section.text("Notes", "Plain <text>."))
    )


# -- the whole page -------------------------------------------------------------------------------


def test_full_report_is_self_contained() -> None:
    """A report with a map, an event log, a table, SVG and PNG figures and text references
    nothing outside itself and has no script."""
    page = full_report().to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert_self_contained(page)
    assert "<script" not in page.lower()


def test_sections_appear_in_order_with_unique_anchors_and_toc() -> None:
    """Each section is a <section> with an id; the contents list links to those ids in the
    same order; titles repeat without clashing ids."""
    report = full_report().add(Section.text("Notes", "again"))
    page = report.to_html()
    found = tags(page)
    ids = [a["id"] for t, a in found if t == "section"]
    assert len(ids) == len(report.sections) == 8
    assert len(set(ids)) == len(ids)
    links = [a["href"] for t, a in found if t == "a"]
    assert links == [f"#{i}" for i in ids]
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings == [
        "Journey map",
        "Event data",
        "Channels",
        "Chart",
        "Inline chart",
        "Picture",
        "Notes",
        "Notes",
    ]


def test_text_is_escaped_everywhere() -> None:
    """Title, subtitle, summary, captions and paragraphs show their text, not markup."""
    page = full_report().to_html()
    assert "<title>Review &lt;Q3&gt; &amp; more</title>" in page
    assert "<h1>Review &lt;Q3&gt; &amp; more</h1>" in page
    assert "sub &amp; title" in page
    assert "<p>Line one.</p><p>Line &lt;two&gt;.</p>" in page
    assert "<figcaption>an &lt;svg&gt; chart</figcaption>" in page
    assert "<p>Plain &lt;text&gt;.</p>" in page


def test_png_figure_is_the_same_bytes_at_its_size() -> None:
    """The PNG is embedded as a data URI that decodes to the input bytes, with its pixel size
    as width and height (4 x 2), or scaled."""
    png = tiny_png(4, 2)
    body = Section.figure_png("P", png).body
    img = next(a for t, a in tags(body) if t == "img")
    src = img["src"] or ""
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1]) == png
    assert (img["width"], img["height"]) == ("4", "2")
    scaled = next(a for t, a in tags(Section.figure_png("P", png, scale=2).body) if t == "img")
    assert (scaled["width"], scaled["height"]) == ("8", "4")


def test_svg_figure_is_embedded_without_its_prolog() -> None:
    """An SVG with an XML declaration, a comment and a DOCTYPE is embedded as a data URI whose
    content is the SVG element alone, and inline as that element."""
    core = '<svg xmlns="http://www.w3.org/2000/svg" width="3" height="3"><circle r="1"/></svg>'
    svg = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!-- made by hand -->\n'
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + core
    )
    img = next(a for t, a in tags(Section.figure_svg("S", svg).body) if t == "img")
    assert base64.b64decode((img["src"] or "").split(",", 1)[1]).decode() == core
    inline = Section.figure_svg("S", svg.encode(), inline=True).body
    assert core in inline
    assert "DOCTYPE" not in inline


def test_map_section_has_diagram_and_lint() -> None:
    """The map section holds the summary line, one inline SVG diagram that parses as XML, and
    the map's lint findings (counted here) in a folded table."""
    m = templates.get("b2b_five_stage")
    section = Section.journey_map(m)
    assert section.kind is SectionKind.MAP
    svg = re.search(r"<svg.*?</svg>", section.body, re.S)
    assert svg is not None
    ET.fromstring(svg.group(0))
    n = len(m.lint())
    if n:
        assert f"Map checks: {n} finding" in section.body
    else:
        assert "no findings" in section.body
    assert "<details>" not in Section.journey_map(m, lint=False).body


def test_write_puts_to_html_in_a_file(tmp_path: Path) -> None:
    """write() stores exactly to_html() as UTF-8 and returns the path."""
    report = full_report()
    out = report.write(tmp_path / "r.html")
    assert out == tmp_path / "r.html"
    assert out.read_bytes() == report.to_html().encode("utf-8")


def test_output_is_deterministic() -> None:
    """Two reports built the same way are byte-identical."""
    assert full_report().to_html() == full_report().to_html()


def test_build_report_orders_standard_sections() -> None:
    """build_report puts the map, then the event data, then the given sections."""
    log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "x"}])
    r = build_report(
        "R",
        journey_map=templates.get("b2b_five_stage"),
        log=log,
        sections=[Section.text("Next", "x")],
    )
    assert [s.title for s in r.sections] == ["Journey map", "Event data", "Next"]
    with pytest.raises(ConfigError, match="journey_map"):
        build_report("R", observed=nx.DiGraph())


class _Scorecard:
    """A stand-in for a later result object that knows how to become a section."""

    def report_section(self) -> Section:
        return Section.table("KPI scorecard", ["kpi", "met"], [["churn", True]])


class _Broken:
    def report_section(self) -> Any:
        return "<p>not a section</p>"


def test_objects_with_report_section_plug_in() -> None:
    """Anything with report_section() can be added; it must return a Section."""
    assert isinstance(_Scorecard(), SectionSource)
    r = Report("R").add(_Scorecard())
    assert r.sections[0].title == "KPI scorecard"
    with pytest.raises(ConfigError, match="must return a Section"):
        Report("R").add(_Broken())
    with pytest.raises(ConfigError, match="report_section"):
        Report("R").add(42)  # type: ignore[arg-type]


def test_matplotlib_figure_becomes_png_and_svg() -> None:
    """A matplotlib figure is embedded as a decodable PNG, or as an SVG image."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [1, 0])
    try:
        png_body = Section.matplotlib("Plot", fig).body
        svg_body = Section.matplotlib("Plot", fig, format="svg").body
    finally:
        plt.close(fig)
    img = next(a for t, a in tags(png_body) if t == "img")
    data = base64.b64decode((img["src"] or "").split(",", 1)[1])
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert int(img["width"] or 0) > 0
    assert 'src="data:image/svg+xml;base64,' in svg_body
    assert_self_contained(Report("R").add(Section.matplotlib("Plot", fig)).to_html())


# -- refusals -----------------------------------------------------------------------------------

BAD_BODIES = [
    ("script", "<p>x</p><script>alert(1)</script>", "<script>"),
    ("external-img", '<img src="https://example.com/a.png">', "https://example.com"),
    ("protocol-relative", '<img src="//cdn.example/a.png">', "//cdn.example"),
    ("relative-path", '<img src="chart.png">', "chart.png"),
    ("link", '<link rel="stylesheet" href="a.css">', "<link>"),
    ("handler", '<div onmouseover="x()">hi</div>', "onmouseover"),
    ("css-url", '<div style="background:url(http://x/y.png)">a</div>', "url("),
    ("css-import", "<style>@import 'x.css';</style>", "@import"),
    ("iframe", '<iframe src="data:text/html,x"></iframe>', "<iframe>"),
    ("svg-href", '<svg><image href="http://x/y.png"/></svg>', "http://x/y.png"),
    ("refresh", '<meta http-equiv="refresh" content="0;url=http://x">', "refresh"),
    ("js-url", '<a href="javascript:alert(1)">x</a>', "javascript:"),
    ("smil-href", '<svg><a><set attributeName="href" to="javascript:x()"/></a></svg>', "<set>"),
]


@pytest.mark.parametrize(
    ("body", "match"), [(b, m) for _, b, m in BAD_BODIES], ids=[i for i, _, _ in BAD_BODIES]
)
def test_sections_that_would_fetch_or_run_are_refused(body: str, match: str) -> None:
    """A section body that would load something or run code raises ConfigError naming it."""
    with pytest.raises(ConfigError, match=re.escape(match)):
        Section("Bad", body)


def test_local_references_are_allowed() -> None:
    """#fragments and data: URIs are fine, in attributes and in CSS url()."""
    body = (
        '<a href="#top">up</a><img src="data:image/png;base64,AAAA">'
        '<div style="background:url(data:image/png;base64,AAAA)">x</div>'
        '<svg><use href="#shape"/></svg>'
    )
    assert Section("Fine", body).body == body


@pytest.mark.parametrize(
    ("svg", "match"),
    [
        ("<svg", "well-formed"),
        ('<div xmlns="http://www.w3.org/1999/xhtml"/>', "<svg> root"),
        (
            '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
            "internal subset",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "<script>",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg" '
            'xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="http://x/a.png"/></svg>',
            "http://x/a.png",
        ),
        (
            '<?xml-stylesheet href="http://x/a.css"?><svg xmlns="http://www.w3.org/2000/svg"/>',
            "processing instruction",
        ),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"/><!DOCTYPE x [<!ENTITY a "b">]>',
            "DOCTYPE, entity",
        ),
        (b"\xff\xfe<svg/>", "UTF-8"),
        (42, "text or bytes"),
    ],
    ids=[
        "broken",
        "not-svg",
        "entities",
        "script",
        "external-image",
        "stylesheet-pi",
        "late-doctype",
        "not-utf8",
        "not-text",
    ],
)
def test_bad_svg_figures_are_refused(svg: Any, match: str) -> None:
    """Malformed, non-SVG, entity-defining, scripted or external-referencing SVG raises
    ConfigError."""
    with pytest.raises(ConfigError, match=re.escape(match)):
        Section.figure_svg("S", svg)


@pytest.mark.parametrize(
    ("png", "match"),
    [
        (b"GIF89a" + bytes(30), "not a PNG"),
        (b"\x89PNG\r\n\x1a\n", "not a PNG"),
        (tiny_png(1, 1)[:16] + struct.pack(">II", 0, 5) + bytes(8), "no pixels"),
        ("not bytes", "must be bytes"),
    ],
    ids=["gif", "truncated", "zero-size", "str"],
)
def test_bad_png_figures_are_refused(png: Any, match: str) -> None:
    """Anything but a PNG with pixels raises ConfigError."""
    with pytest.raises(ConfigError, match=match):
        Section.figure_png("P", png)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: Report(""), "non-empty title"),
        (lambda: Report("R", summary=3), "summary"),  # type: ignore[arg-type]
        (lambda: Section(" ", "<p>x</p>"), "non-empty title"),
        (lambda: Section("T", None), "body must be HTML text"),  # type: ignore[arg-type]
        (lambda: Section.text("T", 5), "strings"),  # type: ignore[arg-type]
        (lambda: Section.figure_png("P", tiny_png(1, 1), scale=0), "scale"),
        (lambda: Section.matplotlib("P", object()), "savefig"),
        (lambda: Section.matplotlib("P", object(), format="gif"), "'png' or 'svg'"),  # type: ignore[arg-type]
        (lambda: Section("T", "<p>x</p>", kind="chart"), "section kind"),
        (lambda: Section("T", "<p>x</p>", note=3), "note must be text"),  # type: ignore[arg-type]
    ],
    ids=[
        "report-title",
        "summary",
        "section-title",
        "body",
        "text",
        "scale",
        "not-a-figure",
        "format",
        "kind",
        "note",
    ],
)
def test_bad_arguments_are_refused(make: Any, match: str) -> None:
    """Empty titles, non-text bodies and bad options raise ConfigError."""
    with pytest.raises(ConfigError, match=re.escape(match)):
        make()


def test_section_kind_from_text_and_note_shown() -> None:
    """A kind given as its value becomes the enum; a note is shown, escaped, under the title."""
    s = Section("T", "<p>x</p>", kind="table", note="from <CRM>")
    assert s.kind is SectionKind.TABLE
    page = Report("R").add(s).to_html()
    assert '<p class="note">from &lt;CRM&gt;</p>' in page
    assert 'class="kind-table"' in page

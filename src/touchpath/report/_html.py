"""One self-contained HTML file from sections: inline CSS, inline SVG, data-URI images.

Nothing in a report is fetched: every ``src``/``href`` must be a ``#fragment``
or a ``data:`` URI, and there are no scripts, frames, embedded objects,
external style sheets or event-handler attributes. Each section is checked
when it is made, so a section that would break that promise is refused
with the offending tag named.
"""

from __future__ import annotations

import base64
import enum
import html.parser
import os
import re
import struct
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, runtime_checkable

import attrs

from .._repr import (
    CSS,
    NumberFormat,
    escape,
    event_log_head,
    event_log_summary,
    html_table,
    key_value_table,
    map_summary,
)
from ..exceptions import ConfigError

if TYPE_CHECKING:
    from typing import Self

    from .._log import EventLog
    from .._map import JourneyMap
    from ..render._svg import Observed
    from ..typing import Tabular

__all__ = ["Report", "Section", "SectionKind", "SectionSource", "build_report"]


class SectionKind(enum.StrEnum):
    """What a section holds; the report styles each kind a little differently.

    >>> SectionKind.TABLE.value
    'table'
    """

    TEXT = "text"
    TABLE = "table"
    FIGURE = "figure"
    MAP = "map"
    HTML = "html"


# -- the self-containment check -----------------------------------------------------------------

_URL_ATTRS: Final = frozenset(
    {"src", "href", "xlink:href", "srcset", "poster", "action", "formaction", "background", "data"}
)
_FORBIDDEN_TAGS: Final = frozenset(
    {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link"}
)
_CSS_URL: Final = re.compile(r"url\(\s*(['\"]?)\s*([^'\")\s]*)", re.IGNORECASE)


def _local_url(value: str) -> bool:
    v = "".join(value.split()).lower()
    return v.startswith(("#", "data:"))


def _css_problem(css: str) -> str | None:
    if "@import" in css.lower():
        return "a CSS @import"
    for match in _CSS_URL.finditer(css):
        if not _local_url(match.group(2)):
            return f"a CSS url({match.group(2)!r})"
    return None


class _StaticChecker(html.parser.HTMLParser):
    """Collects what would make a page fetch something or run code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_style = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in _FORBIDDEN_TAGS:
            self.problems.append(f"a <{tag}> element")
        if tag == "style":
            self._in_style += 1
        if tag in ("animate", "set"):
            target = (dict(attrs).get("attributename") or "").lower()
            if target in ("href", "xlink:href", "src"):
                self.problems.append(f"a <{tag}> that changes {target!r}")
        if tag == "meta":
            equiv = dict(attrs).get("http-equiv")
            if equiv is not None and equiv.lower() == "refresh":
                self.problems.append('a <meta http-equiv="refresh">')
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.problems.append(f"an event handler attribute {name!r} on <{tag}>")
            elif name in _URL_ATTRS and value is not None and not _local_url(value):
                shown = value if len(value) <= 80 else value[:77] + "..."
                self.problems.append(f"<{tag} {name}={shown!r}> (only #fragments and data: URIs)")
            elif name == "style" and value is not None:
                problem = _css_problem(value)
                if problem:
                    self.problems.append(f"{problem} in a style attribute of <{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() == "style":
            self._in_style -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag.lower() == "style" and self._in_style:
            self._in_style -= 1

    def handle_data(self, data: str) -> None:
        if self._in_style:
            problem = _css_problem(data)
            if problem:
                self.problems.append(f"{problem} in a <style> element")


def static_problems(markup: str) -> list[str]:
    """What in ``markup`` would load a resource or run code (empty when self-contained).

    >>> static_problems('<p>ok</p><img src="data:image/png;base64,AAAA">')
    []
    >>> static_problems('<img src="https://example.com/a.png"><p onclick="x()">')
    ... # doctest: +NORMALIZE_WHITESPACE
    ["<img src='https://example.com/a.png'> (only #fragments and data: URIs)",
     "an event handler attribute 'onclick' on <p>"]
    """
    checker = _StaticChecker()
    checker.feed(markup)
    checker.close()
    return checker.problems


def _check_static(markup: str, where: str) -> None:
    problems = static_problems(markup)
    if problems:
        raise ConfigError(
            f"{where} would not be self-contained: it has {problems[0]}"
            + (f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else "")
        )


# -- figures ------------------------------------------------------------------------------------

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_XML_DECL: Final = re.compile(r"^\s*<\?xml\s[^>]*\?>")
_DOCTYPE: Final = re.compile(r"^\s*<!DOCTYPE[^>\[]*>", re.IGNORECASE)
_COMMENT: Final = re.compile(r"^\s*<!--.*?-->", re.DOTALL)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG image, read from its header.

    >>> png_size(_PNG_SIGNATURE + struct.pack(">I4sII", 13, b"IHDR", 640, 480) + bytes(5))
    (640, 480)
    """
    if not isinstance(png, bytes | bytearray | memoryview):
        raise ConfigError(f"a PNG figure must be bytes; got {type(png).__name__}")
    data = bytes(png[:24])
    if len(data) < 24 or data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ConfigError(f"not a PNG image (bad signature or header); got {data[:16]!r}")
    width, height = struct.unpack(">II", data[16:24])
    if not width or not height:
        raise ConfigError(f"PNG image has no pixels; got {width}x{height}")
    return int(width), int(height)


def clean_svg(svg: str | bytes) -> str:
    """SVG text ready to embed: prolog removed, well-formed, an ``<svg>`` root, static.

    The XML declaration, leading comments and a DOCTYPE without an internal
    subset are dropped (an internal subset could define entities and is
    refused). The rest must parse as XML with an ``svg`` root element and pass
    the self-containment check.

    >>> clean_svg('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')
    '<svg xmlns="http://www.w3.org/2000/svg"/>'
    """
    import xml.etree.ElementTree as ET

    if isinstance(svg, bytes | bytearray):
        try:
            svg = bytes(svg).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"SVG figure is not UTF-8 text: {exc}") from None
    if not isinstance(svg, str):
        raise ConfigError(f"an SVG figure must be text or bytes; got {type(svg).__name__}")
    text = svg.lstrip("\ufeff")
    text = _XML_DECL.sub("", text, count=1)
    while _COMMENT.match(text):
        text = _COMMENT.sub("", text, count=1)
    if re.match(r"^\s*<!DOCTYPE", text, re.IGNORECASE):
        if not _DOCTYPE.match(text):
            raise ConfigError("SVG figure has a DOCTYPE with an internal subset; remove it")
        text = _DOCTYPE.sub("", text, count=1)
    text = text.strip()
    leftover = re.search(r"<!DOCTYPE|<!ENTITY|<\?", text, re.IGNORECASE)
    if leftover:
        raise ConfigError(
            f"SVG figure has a DOCTYPE, entity or processing instruction past its start "
            f"({text[leftover.start() : leftover.start() + 30]!r}); remove it"
        )
    try:
        # no DTD is left, so no entity can be defined or expanded
        root = ET.fromstring(text)  # noqa: S314
    except ET.ParseError as exc:
        raise ConfigError(f"SVG figure is not well-formed XML: {exc}") from None
    if root.tag.rsplit("}", 1)[-1] != "svg":
        raise ConfigError(f"an SVG figure must have an <svg> root element; got <{root.tag}>")
    _check_static(text, "SVG figure")
    return text


def _figure(inner: str, caption: str | None) -> str:
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{inner}{cap}</figure>"


def _paragraphs(texts: Iterable[str]) -> str:
    out: list[str] = []
    for text in texts:
        if not isinstance(text, str):
            raise ConfigError(f"text paragraphs must be strings; got {text!r}")
        paras = re.split(r"\n\s*\n", text.strip())
        out.extend(f"<p>{escape(' '.join(p.split()))}</p>" for p in paras if p.strip())
    return "".join(out)


# -- sections -----------------------------------------------------------------------------------


def _check_title(instance: Section, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"a report section needs a non-empty title; got {value!r}")


def _section_kind(value: object) -> SectionKind:
    if isinstance(value, SectionKind):
        return value
    if isinstance(value, str) and value in {k.value for k in SectionKind}:
        return SectionKind(value)
    raise ConfigError(
        f"section kind must be one of {[k.value for k in SectionKind]}; got {value!r}"
    )


def _check_note(instance: Section, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"a section note must be text or None; got {value!r}")


@attrs.frozen
class Section:
    """One titled part of a report: a heading and an HTML body.

    Build sections with the named constructors (:meth:`text`, :meth:`table`,
    :meth:`figure_svg`, :meth:`figure_png`, :meth:`journey_map`,
    :meth:`event_log`), which escape every text they are given. The plain
    constructor takes ``body`` as trusted HTML; it is still checked to be
    self-contained (no scripts, nothing fetched).

    >>> s = Section.text("Notes", "Data from <CRM> & ads.")
    >>> s.body
    '<p>Data from &lt;CRM&gt; &amp; ads.</p>'
    >>> Section("Raw", '<script>alert(1)</script>')
    Traceback (most recent call last):
    ...
    touchpath.exceptions.ConfigError: section 'Raw' would not be self-contained: ...
    """

    title: str = attrs.field(validator=_check_title)
    """The heading (plain text; escaped when rendered)."""
    body: str = attrs.field()
    """The content, as trusted, self-contained HTML."""
    kind: SectionKind = attrs.field(default=SectionKind.HTML, converter=_section_kind)
    """What the section holds."""
    note: str | None = attrs.field(default=None, validator=_check_note)
    """A plain-text line shown under the heading (what the numbers mean, the source)."""

    @body.validator
    def _check_body(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str):
            raise ConfigError(f"section {self.title!r}: body must be HTML text; got {value!r}")
        _check_static(value, f"section {self.title!r}")

    @classmethod
    def text(cls, title: str, *paragraphs: str, note: str | None = None) -> Section:
        """Paragraphs of plain text; blank lines inside a string also start a paragraph.

        >>> Section.text("About", "First.\\n\\nSecond.").body
        '<p>First.</p><p>Second.</p>'
        """
        return cls(title, _paragraphs(paragraphs), SectionKind.TEXT, note)

    @classmethod
    def table(
        cls,
        title: str,
        headers: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        caption: str | None = None,
        number_format: NumberFormat | Sequence[NumberFormat | None] | None = None,
        max_rows: int | None = None,
        note: str | None = None,
    ) -> Section:
        """A table (see :func:`touchpath._repr.html_table` for cell formatting).

        >>> s = Section.table("Channels", ["channel", "share"], [["email", 0.4]],
        ...                   number_format=".0%")
        >>> "40%" in s.body
        True
        """
        table = html_table(
            headers, rows, caption=caption, number_format=number_format, max_rows=max_rows
        )
        return cls(title, f'<div class="table-wrap">{table}</div>', SectionKind.TABLE, note)

    @classmethod
    def figure_svg(
        cls,
        title: str,
        svg: str | bytes,
        *,
        caption: str | None = None,
        alt: str | None = None,
        inline: bool = False,
        note: str | None = None,
    ) -> Section:
        """An SVG figure (from :func:`touchpath.render.to_svg`, matplotlib, ...).

        By default the SVG is embedded as an image (a ``data:`` URI): its
        styles and ids cannot clash with the page's. ``inline=True`` puts the
        SVG element itself in the page, which keeps tooltips and selectable
        text. Either way it must be well-formed and self-contained.

        >>> svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'
        >>> Section.figure_svg("Chart", svg).body[:45]
        '<figure><img src="data:image/svg+xml;base64,P'

        """
        text = clean_svg(svg)
        if inline:
            inner = f'<div class="svg-wrap">{text}</div>'
        else:
            data = base64.b64encode(text.encode("utf-8")).decode("ascii")
            inner = f'<img src="data:image/svg+xml;base64,{data}" alt="{escape(alt or title)}">'
        return cls(title, _figure(inner, caption), SectionKind.FIGURE, note)

    @classmethod
    def figure_png(
        cls,
        title: str,
        png: bytes,
        *,
        caption: str | None = None,
        alt: str | None = None,
        scale: float = 1.0,
        note: str | None = None,
    ) -> Section:
        """A PNG image, embedded as a ``data:`` URI and shown at ``scale`` times its pixel size.

        Use ``scale=0.5`` for an image rendered at twice the screen resolution.

        >>> png = _PNG_SIGNATURE + struct.pack(">I4sII", 13, b"IHDR", 200, 100) + bytes(5)
        >>> 'width="100" height="50"' in Section.figure_png("Funnel", png, scale=0.5).body
        True
        """
        width, height = png_size(png)
        given: object = scale
        if isinstance(given, bool) or not isinstance(given, int | float) or not given > 0:
            raise ConfigError(f"'scale' must be a positive number; got {scale!r}")
        data = base64.b64encode(bytes(png)).decode("ascii")
        inner = (
            f'<img src="data:image/png;base64,{data}" width="{round(width * scale)}" '
            f'height="{round(height * scale)}" alt="{escape(alt or title)}">'
        )
        return cls(title, _figure(inner, caption), SectionKind.FIGURE, note)

    @classmethod
    def matplotlib(
        cls,
        title: str,
        figure: Any,
        *,
        format: Literal["png", "svg"] = "png",
        dpi: int = 144,
        caption: str | None = None,
        alt: str | None = None,
        note: str | None = None,
    ) -> Section:
        """A matplotlib figure, saved as PNG (at ``dpi``, shown at 96 dpi size) or SVG.

        Only the figure's ``savefig`` method is used; matplotlib is not imported here.

        >>> class Figure:  # stands in for matplotlib.figure.Figure
        ...     def savefig(self, buf, format, **options):
        ...         buf.write(_PNG_SIGNATURE + struct.pack(">I4sII", 13, b"IHDR", 288, 144))
        >>> 'width="192" height="96"' in Section.matplotlib("Funnel", Figure()).body
        True
        """
        import io

        if format not in ("png", "svg"):
            raise ConfigError(f"'format' must be 'png' or 'svg'; got {format!r}")
        savefig = getattr(figure, "savefig", None)
        if savefig is None:
            raise ConfigError(
                f"expected a matplotlib Figure (with savefig); got {type(figure).__name__}"
            )
        buf = io.BytesIO()
        if format == "png":
            savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
            return cls.figure_png(
                title, buf.getvalue(), caption=caption, alt=alt, scale=96 / dpi, note=note
            )
        savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
        return cls.figure_svg(title, buf.getvalue(), caption=caption, alt=alt, note=note)

    @classmethod
    def journey_map(
        cls,
        journey_map: JourneyMap,
        *,
        observed: Observed | None = None,
        title: str = "Journey map",
        lint: bool = True,
        note: str | None = None,
    ) -> Section:
        """The map's summary line and diagram (inline SVG), and its lint findings folded away.

        ``observed`` is passed on to :func:`touchpath.render.to_svg`.

        >>> from touchpath import templates
        >>> s = Section.journey_map(templates.get("b2b_five_stage"))
        >>> (s.kind.value, s.body.count("<svg"))
        ('map', 1)
        """
        from ..render._svg import to_svg

        svg = to_svg(journey_map, observed=observed)
        parts = [
            f'<p class="lede">{escape(map_summary(journey_map))}</p>',
            f'<figure class="map"><div class="svg-wrap">{svg}</div></figure>',
        ]
        if lint:
            findings = journey_map.lint()
            if findings:
                table = html_table(["stage", "finding"], [[f.stage, f.message] for f in findings])
                parts.append(
                    f"<details><summary>Map checks: {len(findings):,} "
                    f"finding{'s' if len(findings) != 1 else ''}</summary>"
                    f'<div class="table-wrap">{table}</div></details>'
                )
            else:
                parts.append('<p class="ok">Map checks: no findings.</p>')
        return cls(title, "".join(parts), SectionKind.MAP, note)

    @classmethod
    def event_log(
        cls, log: EventLog, *, title: str = "Event data", head: int = 5, note: str | None = None
    ) -> Section:
        """The log's summary table and its first events.

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "x"}])
        >>> Section.event_log(log).body.count("<table")
        2
        """
        parts = [key_value_table(event_log_summary(log), caption="Summary")]
        if log.n_events:
            parts.append(event_log_head(log, head))
        body = "".join(f'<div class="table-wrap">{p}</div>' for p in parts)
        return cls(title, body, SectionKind.TABLE, note)


@runtime_checkable
class SectionSource(Protocol):
    """Anything that can render itself as a report section (result objects do).

    >>> class Scorecard:
    ...     def report_section(self) -> Section:
    ...         return Section.text("KPI scorecard", "All targets met.")
    >>> isinstance(Scorecard(), SectionSource)
    True
    """

    def report_section(self) -> Section:
        """The object as a :class:`Section`."""
        ...


# -- the report ---------------------------------------------------------------------------------

REPORT_CSS: Final = """\
:root{color-scheme:light dark}
*{box-sizing:border-box}
body{margin:0;background:#f5f6f8;color:#1f2430;\
font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
header,nav,main,footer{max-width:1200px;margin:0 auto;padding:0 24px}
header{padding-top:28px}
h1{font-size:26px;line-height:1.25;margin:0 0 4px}
.subtitle{color:#5b6170;margin:0 0 8px}
.summary p{max-width:85ch;margin:6px 0}
nav.toc ol{display:flex;flex-wrap:wrap;gap:4px 18px;list-style:none;padding:0;margin:14px 0 4px}
nav.toc a{color:#2f5fb3;text-decoration:none}
nav.toc a:hover{text-decoration:underline}
section{background:#fff;border:1px solid #e1e4ea;border-radius:10px;padding:16px 20px;\
margin:16px 0;overflow:hidden}
h2{font-size:18px;line-height:1.3;margin:0 0 8px}
.note{color:#5b6170;margin:-4px 0 10px;font-size:13px}
.lede{margin:0 0 8px;color:#444a55}
figure{margin:6px 0}
figure img,figure svg{max-width:100%;height:auto}
.svg-wrap{overflow-x:auto}
figure.map svg.touchpath-map{max-width:none}
figcaption{color:#5b6170;font-size:13px;margin-top:4px}
.table-wrap{overflow-x:auto}
details summary{cursor:pointer;color:#444a55;margin:6px 0}
.ok{color:#237546;margin:6px 0}
footer{color:#5f6573;font-size:12px;padding-top:4px;padding-bottom:28px}
@media print{body{background:#fff}nav.toc{display:none}\
section{border:none;padding:0;break-inside:avoid}}
@media (prefers-color-scheme:dark){body{background:#15171c;color:#e3e6ec}\
section{background:#1d2027;border-color:#30343d}\
.subtitle,.note,figcaption,.lede,details summary{color:#a9afbb}\
nav.toc a{color:#8ab4f8}.ok{color:#6fcf97}footer{color:#8a909c}\
figure img,.kind-map .svg-wrap{background:#fff;border-radius:6px}}"""


def _slug(title: str, position: int, taken: set[str]) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48] or f"section-{position}"
    slug, k = base, 2
    while slug in taken:
        slug, k = f"{base}-{k}", k + 1
    taken.add(slug)
    return slug


class Report:
    """Collects sections, then writes one self-contained HTML file.

    :meth:`add` takes sections and results and returns the report, so calls chain. The page has
    the title, a summary, a table of contents and the sections in the order
    added; its CSS is inline, its figures inline SVG or ``data:`` URIs, and
    it has no scripts, so it opens the same offline, attached to an e-mail
    or printed. Output is deterministic (no time stamp unless you put one
    in ``subtitle``).

    >>> from touchpath import templates
    >>> report = (Report("Q3 journeys", summary="What moved prospects this quarter.")
    ...           .add(Section.journey_map(templates.get("b2b_five_stage")))
    ...           .add(Section.table("Channels", ["channel", "conversions"], [["email", 12]])))
    >>> page = report.to_html()
    >>> page.startswith("<!DOCTYPE html>"), page.count("<section"), len(report)
    (True, 2, 2)
    """

    def __init__(self, title: str, *, summary: str = "", subtitle: str = "") -> None:
        given: object = title
        if not isinstance(given, str) or not given.strip():
            raise ConfigError(f"a report needs a non-empty title; got {title!r}")
        for name, value in (("summary", summary), ("subtitle", subtitle)):
            if not isinstance(value, str):
                raise ConfigError(f"report {name!r} must be text; got {value!r}")
        self._title = title
        self._summary = summary
        self._subtitle = subtitle
        self._sections: list[Section] = []

    @property
    def title(self) -> str:
        """The report's title."""
        return self._title

    @property
    def sections(self) -> tuple[Section, ...]:
        """The sections, in the order added."""
        return tuple(self._sections)

    def __len__(self) -> int:
        return len(self._sections)

    def __repr__(self) -> str:
        return f"<Report {self._title!r}: {len(self._sections)} sections>"

    def add(self, item: Section | SectionSource | Tabular) -> Self:
        """Add a :class:`Section`, an object with a ``report_section()`` method (every
        touchpath result), or any :class:`touchpath.typing.Tabular` object (its table).

        >>> from touchpath import Column, Table
        >>> r = Report("r").add(Section.text("Hello", "world"))
        >>> r.add(Table((Column("x"),), {"x": ["a"]}, title="Items")).sections[1].title
        'Items'
        """
        from ..typing import Tabular

        if isinstance(item, Section):
            section = item
        elif isinstance(item, SectionSource):
            section = item.report_section()
            if not isinstance(section, Section):
                raise ConfigError(
                    f"{type(item).__name__}.report_section() must return a Section; "
                    f"got {type(section).__name__}"
                )
        elif isinstance(item, Tabular):
            section = item.to_table().report_section()
        else:
            raise ConfigError(
                "a report takes Section objects, objects with a report_section() method or "
                "tabular objects (with to_table()); "
                f"got {type(item).__name__}"
            )
        self._sections.append(section)
        return self

    def to_html(self) -> str:
        """The whole report as one HTML document.

        >>> page = Report("A <b> report").add(Section.text("S", "x")).to_html()
        >>> "<title>A &lt;b&gt; report</title>" in page
        True
        """
        from .._version import __version__

        taken: set[str] = set()
        slugs = [_slug(s.title, i + 1, taken) for i, s in enumerate(self._sections)]
        head = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="touchpath {escape(__version__)}">',
            f"<title>{escape(self._title)}</title>",
            f"<style>\n{REPORT_CSS}\n{CSS}\n</style>",
            "</head>",
            "<body>",
            "<header>",
            f"<h1>{escape(self._title)}</h1>",
        ]
        if self._subtitle:
            head.append(f'<p class="subtitle">{escape(self._subtitle)}</p>')
        if self._summary.strip():
            head.append(f'<div class="summary">{_paragraphs([self._summary])}</div>')
        head.append("</header>")
        if len(self._sections) > 1:
            links = "".join(
                f'<li><a href="#{slug}">{escape(s.title)}</a></li>'
                for s, slug in zip(self._sections, slugs, strict=True)
            )
            head.append(f'<nav class="toc" aria-label="Contents"><ol>{links}</ol></nav>')
        body = ["<main>"]
        for section, slug in zip(self._sections, slugs, strict=True):
            note = f'<p class="note">{escape(section.note)}</p>' if section.note else ""
            body.append(
                f'<section id="{slug}" class="kind-{section.kind.value}">'
                f"<h2>{escape(section.title)}</h2>{note}\n{section.body}\n</section>"
            )
        body.append("</main>")
        foot = [
            f"<footer>Made with touchpath {escape(__version__)}. This page is self-contained: "
            "no scripts and nothing loaded from elsewhere.</footer>",
            "</body>",
            "</html>",
            "",
        ]
        return "\n".join([*head, *body, *foot])

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the report as UTF-8 HTML; returns the path written.

        >>> import tempfile, pathlib
        >>> with tempfile.TemporaryDirectory() as d:
        ...     out = Report("r").add(Section.text("S", "x")).write(pathlib.Path(d) / "r.html")
        ...     out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        True
        """
        target = Path(path)
        with target.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(self.to_html())
        return target


def build_report(
    title: str,
    *,
    journey_map: JourneyMap | None = None,
    log: EventLog | None = None,
    observed: Observed | None = None,
    summary: str = "",
    subtitle: str = "",
    sections: Iterable[Section | SectionSource] = (),
) -> Report:
    """A report with the usual first sections: the map diagram, the event data, then ``sections``.

    >>> from touchpath import templates
    >>> r = build_report("Demo", journey_map=templates.get("b2b_five_stage"),
    ...                  sections=[Section.text("Next steps", "Validate the journeys.")])
    >>> tuple(s.title for s in r.sections)
    ('Journey map', 'Next steps')
    """
    report = Report(title, summary=summary, subtitle=subtitle)
    if journey_map is not None:
        report.add(Section.journey_map(journey_map, observed=observed))
    elif observed is not None:
        raise ConfigError("'observed' transitions are drawn on a journey map; pass journey_map too")
    if log is not None:
        report.add(Section.event_log(log))
    for item in sections:
        report.add(item)
    return report

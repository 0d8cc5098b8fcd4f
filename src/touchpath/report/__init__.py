"""Self-contained HTML reports: one file, inline CSS and figures, no scripts, no network.

A :class:`Report` collects :class:`Section` objects (text, tables, SVG or PNG
figures, the journey map diagram, an event log summary, or anything with a
``report_section()`` method) and writes them as one HTML file that opens the
same offline, in an e-mail attachment or on paper.

>>> from touchpath import templates
>>> from touchpath.report import Report, Section
>>> page = (Report("Journey review")
...         .add(Section.journey_map(templates.get("b2b_five_stage")))
...         .add(Section.table("Channels", ["channel", "journeys"], [["email", 120], ["ads", 80]]))
...         .to_html())
>>> "http://" in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
False
"""

from ._html import Report as Report
from ._html import Section as Section
from ._html import SectionKind as SectionKind
from ._html import SectionSource as SectionSource
from ._html import build_report as build_report

__all__ = ["Report", "Section", "SectionKind", "SectionSource", "build_report"]

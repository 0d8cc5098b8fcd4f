"""Notebook display and report sections of the result objects: one-line ``repr``, compact
HTML tables (``_repr_html_``) and ``report_section()`` for :class:`touchpath.report.Report`.
Cells are read back with an HTML parser and compared with numbers worked out by hand."""

from __future__ import annotations

import html.parser
from typing import Any

import pytest

from touchpath import EventLog, templates
from touchpath.attribution import (
    FirstTouch,
    LastTouch,
    Linear,
    PathCounts,
    attribute,
    compare_models,
)
from touchpath.metrics import Ratio, funnel, scorecard
from touchpath.report import Report, Section, SectionKind
from touchpath.report._html import static_problems


class Cells(html.parser.HTMLParser):
    """Collects the text of each table row (th and td cells), table by table."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "style":
            self._in_style = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._in_style:
            self._cell.append(data)


def tables_of(markup: str) -> list[list[list[str]]]:
    """Every table of ``markup`` as rows of cell texts."""
    parser = Cells()
    parser.feed(markup)
    parser.close()
    return parser.tables


PATHS = PathCounts.from_rows([(["a", "b"], 2, 1, 10.0), (["b"], 1, 0, 4.0)])


# -- attribution --------------------------------------------------------------------------------


def test_attribution_result_html_table() -> None:
    """First touch: a gets the 2 conversions of path a>b (value 10), b the 1 of path b
    (value 4): shares 2/3 and 1/3, most credited first."""
    r = attribute(PATHS, FirstTouch())
    out = r._repr_html_()
    (table,) = tables_of(out)
    assert table == [
        ["item", "conversions", "value", "share"],
        ["a", "2.0", "10.00", "66.7%"],
        ["b", "1.0", "4.00", "33.3%"],
    ]
    assert "<strong>AttributionResult</strong> FirstTouch() by item: 3 conversions" in out
    assert static_problems(out) == []


def test_attribution_result_report_section() -> None:
    """The section is a table titled after the model, noting the totals."""
    section = attribute(PATHS, LastTouch()).report_section()
    assert isinstance(section, Section)
    assert (section.title, section.kind) == ("Attribution: LastTouch()", SectionKind.TABLE)
    assert tables_of(section.body)[0][1] == ["b", "3.0", "14.00", "100.0%"]
    assert section.note is not None
    assert "3 conversions (0 unattributed), value 14.00" in section.note


def test_comparison_html_and_section() -> None:
    """First touch gives a 2 and b 1; linear splits path a>b (2 conversions) 1 : 1 and gives
    path b to b: a 1, b 2. Both total 3, so the tie goes by name (a first). Values: first
    a 10, linear a 5."""
    c = compare_models(PATHS, {"first": FirstTouch(), "linear": Linear()})
    (table,) = tables_of(c._repr_html_())
    assert table == [["item", "first", "linear"], ["a", "2.0", "1.0"], ["b", "1.0", "2.0"]]
    section = c.report_section()
    assert section.title == "Attribution by model"
    assert tables_of(section.body)[0][0] == ["item", "first", "linear"]
    value = c.report_section(value=True)
    assert tables_of(value.body)[0][1] == ["a", "10.00", "5.00"]
    assert repr(c) == "<Comparison of 2 models over 2 items>"


def test_attribution_sections_go_into_a_report() -> None:
    """``Report.add`` takes the result objects directly."""
    report = Report("r").add(attribute(PATHS, Linear())).add(compare_models(PATHS, [FirstTouch()]))
    assert [s.title for s in report.sections] == ["Attribution: Linear(per='touch')",
                                                  "Attribution by model"]  # fmt: skip


# -- funnel -------------------------------------------------------------------------------------


def funnel_log() -> EventLog:
    """a: visit, trial (1 h later); b: visit, trial (3 h later); c: visit."""
    journeys = {
        "a": [(0, "visit"), (1, "trial")],
        "b": [(0, "visit"), (3, "trial")],
        "c": [(0, "visit")],
    }
    return EventLog.from_records(
        [
            {"journey_id": j, "timestamp": t * 3600, "stage": s}
            for j, rows in journeys.items()
            for t, s in rows
        ]
    )


def test_funnel_repr_is_one_line() -> None:
    """3 entered, 2 completed: 66.7%."""
    f = funnel(funnel_log(), ["visit", "trial"])
    assert repr(f) == (
        "<FunnelResult 2 stage steps (sequential): 3 journeys entered, 2 completed (66.7%)>"
    )
    assert "\n" not in repr(funnel(funnel_log(), ["visit", "trial"], window="1 day"))


def test_funnel_html_and_section() -> None:
    """Rows: visit 3 (100%, 1 dropped: 33.3%), trial 2 (66.7%), median time 2 h."""
    f = funnel(funnel_log(), ["visit", "trial"])
    (table,) = tables_of(f._repr_html_())
    assert table[1] == ["visit", "3", "100.0%", "100.0%", "1", "33.3%", "\u2014"]
    assert table[2] == ["trial", "2", "66.7%", "66.7%", "0", "\u2014", "2 h"]
    section = f.report_section()
    assert section.title == "Funnel"
    assert tables_of(section.body)[0] == table


def test_funnel_breakdown_tables() -> None:
    """With ``breakdown``, the one table has a row per group and step, the group first."""
    log = EventLog.from_records(
        [
            {"journey_id": "a", "timestamp": 0, "stage": "visit", "segment": "smb"},
            {"journey_id": "b", "timestamp": 0, "stage": "visit", "segment": "ent"},
        ]
    )
    out = funnel(log, ["visit"], breakdown="segment")._repr_html_()
    (table,) = tables_of(out)
    assert table[0][:3] == ["segment", "step", "reached"]
    assert sorted(r[:3] for r in table[1:]) == [["ent", "visit", "1"], ["smb", "visit", "1"]]


# -- scorecard ----------------------------------------------------------------------------------


def test_scorecard_repr_html_and_section() -> None:
    """NPS 55 meets its target of 50 (gap +5); churn 6% misses the 5% ceiling (gap +1.0%);
    the other 17 KPIs are unmeasured and named in the section's note."""
    m = templates.get("pay_per_call_marketplace")
    card = scorecard(m, {"nps": 55, "monthly_churn": Ratio(6, 100)})
    assert repr(card) == (
        "<Scorecard 'pay_per_call_marketplace': 19 KPIs, 1 met, 1 not met, 17 unmeasured>"
    )
    rows = {r[1]: r for r in tables_of(card._repr_html_())[0][1:]}
    assert len(rows) == 19
    assert rows["Net promoter score"][2:] == ["at_least", "50", "55", "+5", "met"]
    assert rows["Monthly churn"][2:] == ["at_most", "5.0%", "6.0%", "+1.0%", "not_met"]
    assert rows["Trial signup rate"][4:] == ["\u2014", "\u2014", "unmeasured"]
    section = card.report_section()
    assert len(tables_of(section.body)[0]) == 3  # header + the two measured KPIs
    assert section.note is not None
    assert (
        "Not measured: organic_traffic_growth_qoq (no value given); trial_signup_rate (no value"
        in section.note
    )


@pytest.mark.parametrize(
    "obj",
    [
        attribute(PATHS, FirstTouch()),
        compare_models(PATHS, [FirstTouch(), LastTouch()]),
        funnel(funnel_log(), ["visit", "trial"]),
        scorecard(templates.get("pay_per_call_marketplace"), {"nps": 10}),
    ],
    ids=["attribution", "comparison", "funnel", "scorecard"],
)
def test_every_html_repr_is_self_contained_and_escaped(obj: Any) -> None:
    """The HTML loads nothing and runs nothing, and the repr is one line."""
    out = obj._repr_html_()
    assert out.startswith('<div class="touchpath-repr">')
    assert static_problems(out) == []
    assert "\n" not in repr(obj)


def test_item_names_are_escaped() -> None:
    """A channel called ``<script>`` shows as text, never as markup."""
    paths = PathCounts.from_rows([(["<script>alert(1)</script>"], 1, 0, 0.0)])
    out = attribute(paths, FirstTouch())._repr_html_()
    assert "<script>" not in out
    assert "&lt;script&gt;" in out


# -- validation ---------------------------------------------------------------------------------


def test_validation_report_html_and_section() -> None:
    """Journey s jumps a -> c in a map a -> b -> c: one AllowedTransitions error at its event
    1; journey ok conforms. Fitness: 1 of 2 journeys, 1 of 2 transitions (50%)."""
    from touchpath import JourneyMap
    from touchpath.validation import validate

    m = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c").build()
    log = EventLog.from_records(
        [
            {"journey_id": "ok", "timestamp": 0, "stage": "a"},
            {"journey_id": "ok", "timestamp": 60, "stage": "b"},
            {"journey_id": "s", "timestamp": 0, "stage": "a"},
            {"journey_id": "s", "timestamp": 60, "stage": "c"},
        ]
    )
    report = validate(log, m)
    out = report._repr_html_()
    assert static_problems(out) == []
    summary, rules, coverage, violations = tables_of(out)
    assert coverage[1][:3] == ["stages", "3", "3"]  # every stage of the map occurs
    facts = dict(zip(summary[0], summary[1], strict=True))
    assert (facts["violations"], facts["errors"], facts["journey fitness"]) == ("1", "1", "50.0%")
    assert ["AllowedTransitions", "error", "1"] in rules
    assert violations[1][:2] == ["s", "1"]
    section = Report("r").add(report).sections[0]
    assert section.title == "Validation"
    assert section.note is not None
    assert section.note.startswith("'m': 1 violation (1 error) in 2 journeys")
    assert len(tables_of(section.body)) == 4  # summary, rules, coverage, violations

"""Notebook reprs and the shared HTML helpers: escaping, tables, number formats, and the
summaries of JourneyMap and EventLog."""

from __future__ import annotations

import html
import math
import re
import xml.etree.ElementTree as ET
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import EventLog, JourneyMap, templates
from touchpath._repr import (
    Html,
    clean_text,
    escape,
    format_number,
    html_table,
    key_value_table,
    markdown_escape,
)
from touchpath.exceptions import ConfigError

# -- escaping -----------------------------------------------------------------------------------


def by_hand_clean(text: str) -> str:
    """The replacements XML 1.0 needs, written out independently of the code."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for c in text:
        o = ord(c)
        if (o < 32 and c != "\n") or 0x7F <= o <= 0x9F:
            out.append(" ")
        elif 0xD800 <= o <= 0xDFFF or o in (0xFFFE, 0xFFFF):
            out.append("\ufffd")
        else:
            out.append(c)
    return "".join(out)


@settings(max_examples=200)
@given(st.text())
def test_escape_round_trips_through_an_xml_parser(text: str) -> None:
    """Escaped text, put in an element and an attribute, parses back to the cleaned text;
    the escaped form has no raw markup characters."""
    escaped = escape(text)
    assert not set("<>\"'") & set(escaped)
    assert re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt|quot|#x27|#10);)*", escaped)
    el = ET.fromstring(f'<x a="{escaped}">{escaped}</x>')
    assert el.get("a") == by_hand_clean(text)
    assert (el.text or "") == by_hand_clean(text)
    assert html.unescape(escaped) == by_hand_clean(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("a\tb", "a b"),
        ("x\r\ny\rz", "x\ny\nz"),
        ("nul\x00", "nul "),
        ("c1\x85", "c1 "),
        ("lone\ud800", "lone\ufffd"),
        ("nonchar\ufffe", "nonchar\ufffd"),
        ("emoji 🚀 ok", "emoji 🚀 ok"),
    ],
    ids=["plain", "tab", "newlines", "nul", "c1", "surrogate", "nonchar", "emoji"],
)
def test_clean_text_cases(text: str, expected: str) -> None:
    """Control characters become spaces, CR/CRLF newlines, surrogates and non-characters
    U+FFFD; everything else is kept."""
    assert clean_text(text) == expected


def test_markdown_escape_shows_text_literally() -> None:
    """Markdown's special characters are backslash-escaped and newlines become spaces."""
    assert markdown_escape("*a*_b\n[c](d) `e` #f") == r"\*a\*\_b \[c\]\(d\) \`e\` \#f"


# -- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (1234567, "1,234,567"),
        (np.int64(-42), "-42"),
        (2.5, "2.5"),
        (1 / 3, "0.333"),
        (0.1 + 0.2, "0.3"),
        (99.95, "100"),
        (12345.6, "12,346"),
        (-0.0, "0"),
        (1e-7, "1e-07"),
        (3.2e16, "3.2e+16"),
        (float("nan"), "NaN"),
        (float("inf"), "\u221e"),
        (float("-inf"), "-\u221e"),
    ],
    ids=[
        "zero",
        "int",
        "numpy-int",
        "half",
        "third",
        "float-noise",
        "round-up",
        "big",
        "neg-zero",
        "tiny",
        "huge",
        "nan",
        "inf",
        "-inf",
    ],
)
def test_format_number(value: Any, expected: str) -> None:
    """Integers in full with separators; floats to 3 significant digits without cutting the
    integer part; NaN and infinities in words."""
    assert format_number(value) == expected


# -- tables -------------------------------------------------------------------------------------


def parse_table(markup: str) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """(header texts, cell texts, cell classes) of a table, read with an XML parser."""
    root = ET.fromstring(markup)
    headers = ["".join(th.itertext()) for th in root.iter("th")]
    rows, css = [], []
    for tr in root.iter("tr"):
        tds = tr.findall("td")
        if tds:
            rows.append(["".join(td.itertext()) for td in tds])
            css.append([td.get("class", "") for td in tds])
    return headers, rows, css


@settings(max_examples=60)
@given(
    st.lists(st.text(max_size=8), min_size=1, max_size=4).flatmap(
        lambda headers: st.tuples(
            st.just(headers),
            st.lists(
                st.lists(st.text(max_size=10), min_size=len(headers), max_size=len(headers)),
                max_size=5,
            ),
        )
    )
)
def test_text_tables_round_trip(data: tuple[list[str], list[list[str]]]) -> None:
    """Any header and cell text comes back from an XML parser as the cleaned text."""
    headers, rows = data
    got_headers, got_rows, _ = parse_table(html_table(headers, rows))
    assert got_headers == [by_hand_clean(h) for h in headers]
    assert got_rows == [[by_hand_clean(c) for c in row] for row in rows]


def test_cells_are_formatted_by_type() -> None:
    """Numbers are right-aligned and formatted, None and NaN are a dash, booleans yes/no,
    Html is inserted as is; a numeric column gets a numeric header."""
    headers, rows, css = parse_table(
        html_table(
            ["name", "n", "share", "ok", "raw"],
            [
                ["a", 1200, 0.125, True, Html("<b>x</b>")],
                [None, None, float("nan"), np.bool_(False), Html("<i>y</i>")],
            ],
            number_format=[None, None, ".1%", None, None],
        )
    )
    assert headers == ["name", "n", "share", "ok", "raw"]
    assert rows == [["a", "1,200", "12.5%", "yes", "x"], ["\u2014", "\u2014", "\u2014", "no", "y"]]
    assert css[0][1] == "num"
    assert "num" in css[1][2].split()
    assert "na" in css[1][2].split()
    root = ET.fromstring(html_table(["n"], [[1], [None]]))
    assert root.find(".//th").get("class") == "num"  # type: ignore[union-attr]


def test_number_format_callable_and_spec_apply_to_floats_only() -> None:
    """A callable or spec formats floats in every column; integers keep their own format."""
    _, rows, _ = parse_table(html_table(["a", "b"], [[2.0, 3]], number_format=lambda v: f"<{v}>"))
    assert rows == [["<2.0>", "3"]]
    _, rows, _ = parse_table(html_table(["a"], [[0.5]], number_format=".2f"))
    assert rows == [["0.50"]]


def test_max_rows_leaves_rows_out_and_says_how_many() -> None:
    """With max_rows=2 of 5 rows, two are shown and a last row says 3 more."""
    _, rows, css = parse_table(html_table(["i"], [[i] for i in range(5)], max_rows=2))
    assert rows[:2] == [["0"], ["1"]]
    assert rows[2][0] == "\u2026 3 more rows"
    assert css[2] == ["more"]


def test_caption_is_escaped() -> None:
    """The caption is text, not markup."""
    root = ET.fromstring(html_table(["a"], [], caption="<b>x</b> & y"))
    assert root.findtext("caption") == "<b>x</b> & y"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rows": [["a", "b"]]}, "2 cells for 1 headers"),
        ({"number_format": [None, None]}, "2 entries for 1 columns"),
        ({"number_format": 3}, "format spec"),
        ({"max_rows": -1}, "max_rows"),
        ({"rows": [[1.5]], "number_format": "d"}, "cannot format"),
    ],
    ids=["row-length", "formats-length", "format-type", "max-rows", "bad-spec"],
)
def test_bad_table_arguments(kwargs: dict[str, Any], match: str) -> None:
    """Mismatched rows and bad options raise ConfigError saying what is wrong."""
    args: dict[str, Any] = {"rows": [[1]]} | kwargs
    rows = args.pop("rows")
    with pytest.raises(ConfigError, match=match):
        html_table(["h"], rows, **args)


def test_key_value_table() -> None:
    """Labels are header cells, values formatted cells, one row per pair."""
    root = ET.fromstring(key_value_table([("journeys", 1200), ("source", "<f.csv>")]))
    assert [th.text for th in root.iter("th")] == ["journeys", "source"]
    assert [td.text for td in root.iter("td")] == ["1,200", "<f.csv>"]


# -- JourneyMap reprs ---------------------------------------------------------------------------


def test_journey_map_repr_html_is_summary_plus_svg() -> None:
    """The HTML repr is one line naming the map and its sizes (counted here) plus one SVG
    diagram with a box per stage."""
    m = templates.get("acquisition_nurture_growth")
    out = m._repr_html_()
    n_loops = sum(1 for e in m.edges if e.is_loop_back)
    summary = re.search(r'<p class="touchpath-summary">(.*?)</p>', out)
    assert summary is not None
    text = html.unescape(re.sub(r"<[^>]+>", "", summary.group(1)))
    assert text.startswith("JourneyMap 'acquisition_nurture_growth'")
    assert f"{len(m.stages)} stages, {len(m.edges)} edges ({n_loops} loop-back)" in text
    assert f"{len(m.touchpoints)} touchpoints" in text
    svg = re.search(r"<svg.*</svg>", out, re.DOTALL)
    assert svg is not None
    root = ET.fromstring(svg.group(0))
    boxes = [
        g for g in root.iter("{http://www.w3.org/2000/svg}g") if "tp-stage" in g.get("class", "")
    ]
    assert len(boxes) == len(m.stages)
    assert "<script" not in out


def test_journey_map_repr_markdown_has_mermaid_block() -> None:
    """The Markdown repr is the summary line (Markdown-escaped) and a ```mermaid block."""
    m = JourneyMap.builder("my_*map*").stage("a").stage("b").edge("a", "b").build()
    out = m._repr_markdown_()
    first, rest = out.split("\n", 1)
    assert first.startswith(r"**JourneyMap** 'my\_\*map\*': 2 stages, 1 edge")
    assert rest.strip().startswith("```mermaid\nflowchart")
    assert rest.strip().endswith("```")


def test_journey_map_repr_stays_one_line() -> None:
    """repr() of a map is a single line."""
    assert "\n" not in repr(templates.get("acquisition_nurture_growth"))


# -- EventLog reprs -----------------------------------------------------------------------------

RECORDS: list[dict[str, Any]] = [
    # journey b: 3 events, converts once (value 100), two events tie at t=20 (1 tie)
    {"journey_id": "b", "timestamp": "2025-01-02T00:00:20Z", "channel": "email"},
    {"journey_id": "b", "timestamp": "2025-01-02T00:00:20Z", "channel": "ads"},
    {
        "journey_id": "b",
        "timestamp": "2025-01-03T10:00:00Z",
        "channel": "email",
        "converted": True,
        "value": 100,
    },
    # journey a: 2 events, converts (value 50.5), one exact duplicate (1 tie, 1 duplicate)
    {"journey_id": "a", "timestamp": "2025-01-01T08:30:00Z", "channel": "seo"},
    {"journey_id": "a", "timestamp": "2025-01-01T08:30:00Z", "channel": "seo"},
    {
        "journey_id": "a",
        "timestamp": "2025-01-01T09:00:00Z",
        "channel": "<direct>",
        "converted": True,
        "value": 50.5,
    },
    # journey c: 1 event, no conversion
    {"journey_id": "c", "timestamp": "2025-01-05T12:00:00Z", "channel": "ads"},
    # a rejected row
    {"journey_id": "d", "timestamp": "not a time", "channel": "ads"},
]


def kv(markup: str) -> dict[str, str]:
    """The label -> value text pairs of the summary table in a repr."""
    table = re.search(r'<table class="touchpath-table touchpath-kv">.*?</table>', markup, re.S)
    assert table is not None
    root = ET.fromstring(table.group(0))
    return {
        "".join(tr.find("th").itertext()): "".join(tr.find("td").itertext())  # type: ignore[union-attr]
        for tr in root.iter("tr")
    }


def test_event_log_repr_html_summary_values() -> None:
    """The summary table holds the facts counted by hand from RECORDS: 3 journeys, 7 events,
    2 conversions in 2 of 3 journeys, value 150.5, 4 channels, 2 ties, 1 duplicate, 8 rows
    read, 1 rejected, the date range."""
    log = EventLog.from_records(RECORDS, on_error="collect", source="events.csv")
    facts = kv(log._repr_html_())
    assert facts["journeys"] == "3"
    assert facts["events"] == "7"
    assert facts["conversions"] == "2"
    assert facts["converting journeys"] == "2 (66.7%)"
    assert facts["value"] == "150"  # 150.5 to 3 significant digits
    assert facts["channels"] == "4"
    assert facts["timestamp ties"] == "2"
    assert facts["duplicate events"] == "1"
    assert facts["rows read"] == "8"
    assert facts["rejected rows"] == "1"
    assert facts["date range"] == "2025-01-01 08:30 to 2025-01-05 12:00 UTC"
    assert facts["source"] == "events.csv"


def test_event_log_repr_html_first_events_and_rejections() -> None:
    """The events table shows the first five events in log order (journey a first), with
    escaped channel names; the rejection table names the bad row."""
    log = EventLog.from_records(RECORDS, on_error="collect")
    out = log._repr_html_()
    tables = re.findall(r'<table class="touchpath-table">.*?</table>', out, re.S)
    assert len(tables) == 2
    headers, rows, _ = parse_table(tables[0])
    assert headers == ["journey", "timestamp", "channel", "converted", "value"]
    assert [r[0] for r in rows] == ["a", "a", "a", "b", "b"]
    assert rows[2][1:] == ["2025-01-01 09:00:00", "<direct>", "yes", "50.5"]
    assert "First 5 of 7 events" in tables[0]
    headers, rows, _ = parse_table(tables[1])
    assert headers == ["row", "line", "field", "value", "reason"]
    assert rows[0][0] == "7"
    assert rows[0][2] == "timestamp"


def test_event_log_repr_stays_one_line_and_empty_log_works() -> None:
    """repr() is one line; an empty log still renders a summary with zero counts."""
    log = EventLog.from_records(RECORDS, on_error="collect")
    assert "\n" not in repr(log)
    empty = log.select(np.zeros(len(log), dtype=np.bool_))
    facts = kv(empty._repr_html_())
    assert facts["journeys"] == "0"
    assert facts["events"] == "0"
    assert "date range" not in facts


def test_duplicates_without_ties_are_zero() -> None:
    """With no equal timestamps in a journey there can be no duplicate; the shortcut agrees
    with the full count on a log without ties."""
    log = EventLog.from_records(
        [{"journey_id": "j", "timestamp": t, "channel": "x"} for t in (1, 2, 3)]
    )
    assert log.ties == 0
    assert kv(log._repr_html_())["duplicate events"] == str(log.duplicates) == "0"


def test_values_in_summary_are_finite() -> None:
    """A conversion without a value counts as 0 in the value total."""
    log = EventLog.from_records(
        [{"journey_id": "j", "timestamp": 0, "channel": "x", "converted": True}]
    )
    value = kv(log._repr_html_())["value"]
    assert math.isfinite(float(value.replace(",", "")))

"""Tables carry their alignment inline (text left, numbers right), so front ends that strip
``<style>`` or align every cell still show them right; the violations table shows each
fact once."""

from __future__ import annotations

import re

from touchpath import EventLog, JourneyMap
from touchpath._repr import html_table, key_value_table
from touchpath.validation import validate


def cells(markup: str) -> list[tuple[str, str]]:
    """(tag, inline alignment) of every header and data cell."""
    return re.findall(r'<(td|th)[^>]*?style="text-align:(\w+)"', markup)


def test_text_columns_left_numbers_right() -> None:
    """A text column's header and cells are left-aligned, a number column's right-aligned,
    a column mixing text and numbers counts as text; summary tables align left."""
    t = html_table(["channel", "credit", "mixed"], [["a", 1.5, "x"], ["b", None, 2]])
    assert cells(t) == [
        ("th", "left"), ("th", "right"), ("th", "left"),
        ("td", "left"), ("td", "right"), ("td", "left"),
        ("td", "left"), ("td", "right"), ("td", "left"),
    ]  # fmt: skip
    assert {a for _, a in cells(key_value_table([("journeys", 3), ("source", "x.csv")]))} == {
        "left"
    }


def test_violation_details_do_not_repeat_the_other_columns() -> None:
    """The violations table's last column holds only the finding: not the journey, event,
    time or rule that have their own columns."""
    m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
    log = EventLog.from_records(
        [
            {"journey_id": "late", "timestamp": 0, "stage": "b"},
            {"journey_id": "odd", "timestamp": 0, "stage": "a"},
            {"journey_id": "odd", "timestamp": 5, "stage": "zz"},
        ]
    )
    report = validate(log, m)
    html = report._repr_html_()
    table = html[html.index("<caption>Violations</caption>") :]
    rows = re.findall(r"<tr>(.*?)</tr>", table)[1:]
    assert len(rows) == report.counts.violations
    for row, message in zip(rows, report.to_pandas()["message"], strict=True):
        detail = re.findall(r"<td[^>]*>(.*?)</td>", row)[-1]
        assert not detail.startswith("journey &#x27;"), detail
        assert "[" not in detail, detail
        assert detail.replace("&#x27;", "'") in message
    assert '<th style="text-align:left">detail</th>' in table

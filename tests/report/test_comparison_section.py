"""The attribution comparison as a report section with its chart (bars or heat map)."""

from __future__ import annotations

import pytest

from touchpath.attribution import (
    FirstTouch,
    LastNonDirect,
    LastTouch,
    Linear,
    Markov,
    PathCounts,
    PositionBased,
    Shapley,
    compare_models,
)
from touchpath.report import Report

pytest.importorskip("matplotlib")

PATHS = PathCounts.from_rows(
    [(["a", "b"], 3, 1, 30.0), (["b", "c"], 1, 2, 5.0), (["c"], 0, 4, 0.0)]
)
NINE = [
    FirstTouch(),
    LastTouch(),
    Linear(),
    Linear(per="channel"),
    PositionBased(),
    LastNonDirect(),
    Markov(),
    Shapley(),
    Shapley(game="conversion_rate"),
]


@pytest.mark.parametrize("models", [NINE[:2], NINE], ids=["two-models", "nine-models"])
def test_section_draws_the_chart_above_the_table(models: list[object]) -> None:
    """With chart=True the section is a figure: one embedded PNG, then the same table rows as
    without the chart (one header per model plus the item column; a, b, c as rows)."""
    c = compare_models(PATHS, models)  # type: ignore[arg-type]
    plain = c.report_section()
    section = c.report_section(chart=True)
    assert section.kind.value == "figure"
    assert plain.kind.value == "table"
    assert section.body.count("<img") == 1
    assert section.body.endswith(plain.body)
    assert plain.body.count("</th>") == len(models) + 1
    assert section.note == plain.note
    page = Report("r").add(section).to_html()
    assert page.count("<img") == 1


def test_value_chart_orders_items_by_value() -> None:
    """value=True charts and tables the value credits. By hand: first touch gives a 30 (path
    a > b) and b 5 (path b > c); last touch gives b 30 and c 5; so b (35) leads a (30) and c (5)."""
    c = compare_models(PATHS, [FirstTouch(), LastTouch()])
    section = c.report_section(chart=True, value=True)
    assert "Value credited" in (section.note or "")
    table = section.body[section.body.index("<table") :]
    rows = [table.index(f">{x}</td>") for x in ("b", "a", "c")]
    assert rows == sorted(rows)

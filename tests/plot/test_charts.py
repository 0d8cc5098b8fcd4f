"""The charts of ``touchpath.plot``: drawn with the Agg backend, saved as PNG, checked to be
real pictures (not one colour) with titles, axis labels and legends; bar sizes checked
against numbers worked out by hand."""

from __future__ import annotations

import datetime as dt
import io
import sys
from typing import Any

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="the plot extra is not installed")

from touchpath import EventLog, JourneyMap, metrics, plot  # noqa: E402
from touchpath.attribution import FirstTouch, LastTouch, Linear, PathCounts, compare_models  # noqa: E402
from touchpath.exceptions import ConfigError, MissingDependencyError, UnsupportedInputError  # noqa: E402

DAY = 86_400


def png_colours(ax: Any) -> int:
    """Save the axes' figure as PNG and count its distinct colours."""
    from PIL import Image

    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=60)
    data = buf.getvalue()
    assert data.startswith(b"\x89PNG")
    assert len(data) > 1000
    with Image.open(io.BytesIO(data)) as img:
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None
    return len(colours)


def legend(ax: Any) -> list[str]:
    """The legend's texts."""
    return [t.get_text() for t in ax.get_legend().get_texts()]


def sizes(ax: Any, what: str) -> list[float]:
    """Width or height of every bar (rectangle patch) of the axes."""
    return [float(getattr(p, f"get_{what}")()) for p in ax.patches]


def stage_log() -> EventLog:
    """a: visit, trial, paid; b: visit, trial; c: visit; d: visit, paid (no trial)."""
    journeys = {
        "a": ["visit", "trial", "paid"],
        "b": ["visit", "trial"],
        "c": ["visit"],
        "d": ["visit", "paid"],
    }
    return EventLog.from_records(
        [
            {"journey_id": j, "timestamp": t * DAY, "stage": s}
            for j, stages in journeys.items()
            for t, s in enumerate(stages)
        ]
    )


def test_funnel_chart(agg: Any) -> None:
    """Bars are the reached counts (visit 4, trial 2, paid 1: d has no trial), the y
    labels the steps, and the title the entered/completed numbers."""
    result = metrics.funnel(stage_log(), ["visit", "trial", "paid"])
    ax = plot.funnel(result)
    assert sizes(ax, "width") == [4, 2, 1]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["visit", "trial", "paid"]
    assert ax.get_title() == "Funnel: 4 journeys entered, 1 completed (25.0%)"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("journeys reaching the step", "stage")
    texts = [t.get_text() for t in ax.texts]
    assert texts[1] == "2  (50.0% of first, 50.0% of previous)"
    assert png_colours(ax) > 10


def test_attribution_chart_grouped_bars(agg: Any) -> None:
    """Paths a>b (3 conversions) and b (1): first touch a 3, b 1; last touch b 4; linear
    a 1.5, b 2.5. Items ordered by mean credit (b first); one bar per model and item."""
    paths = PathCounts.from_rows([(["a", "b"], 3, 0, 0.0), (["b"], 1, 2, 0.0)])
    c = compare_models(paths, {"first": FirstTouch(), "last": LastTouch(), "linear": Linear()})
    ax = plot.attribution(c)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["b", "a"]
    heights = sizes(ax, "height")
    # series by series: first (b, a), last (b, a), linear (b, a)
    assert heights == pytest.approx([1, 3, 4, 0, 2.5, 1.5])
    assert legend(ax) == ["first", "last", "linear"]
    assert ax.get_ylabel() == "conversions credited"
    assert ax.get_title() == "Conversions credited by 3 models"
    assert png_colours(ax) > 10


def test_attribution_chart_top_and_single_result(agg: Any) -> None:
    """``top=1`` keeps the most credited item and says how many there were; a single
    result is one series labelled with its model."""
    paths = PathCounts.from_rows([(["a", "b"], 3, 0, 6.0), (["b"], 1, 2, 2.0)])
    ax = plot.attribution(compare_models(paths, [FirstTouch(), LastTouch()]), top=1, value=True)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["b"]
    assert ax.get_title() == "Value credited by 2 models (top 1 of 2 items)"
    assert ax.get_ylabel() == "value credited"
    from touchpath.attribution import attribute

    ax = plot.attribution(attribute(paths, LastTouch()))
    assert legend(ax) == ["LastTouch()"]


def test_transitions_chart(agg: Any) -> None:
    """With a map, the layered picture has one arc per observed move (no self-loops),
    marks the move the map lacks, and labels the stages."""
    m = (
        JourneyMap.builder("m")
        .stage("visit")
        .stage("trial")
        .stage("paid")
        .path("visit", "trial", "paid")
        .build()
    )
    log = stage_log()
    ax = plot.transitions(log, journey_map=m)
    # observed moves: visit->trial (2), trial->paid (1), visit->paid (1, not in the map)
    arcs = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arcs) == 3
    assert legend(ax)[:2] == ["forward move", "move not in the map"]
    assert legend(ax)[2] == "dot area: journeys (4 largest)"
    labels = [t.get_text() for t in ax.texts]
    for stage in ("visit", "trial", "paid"):
        assert stage in labels
    assert ax.get_title() == "Observed moves between stages (4 moves)"
    assert ax.get_xlabel() == "stages in map order"
    assert png_colours(ax) > 10


def test_transitions_backward_and_min_share(agg: Any) -> None:
    """A move back is drawn and named in the legend; ``min_share`` drops rare moves."""
    log = EventLog.from_records(
        [
            {"journey_id": "a", "timestamp": t, "stage": s}
            for t, s in enumerate(["visit", "trial", "visit", "trial", "paid"])
        ]
    )
    ax = plot.transitions(log)
    assert "backward move" in legend(ax)
    graph = metrics.transition_graph(log)
    ax = plot.transitions(graph, min_share=0.3)  # 4 moves: visit->trial (2) kept, others not
    arcs = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arcs) == 1


def test_time_to_convert_chart(agg: Any) -> None:
    """Journeys converting 1, 2 and 6 days after their first event (one converts twice:
    only the first counts): 3 journeys in the histogram, median line at 2 days."""
    rec = []
    for j, days in {"a": [0, 1], "b": [0, 2, 3], "c": [0, 6], "d": [0]}.items():
        for k, d in enumerate(days):
            rec.append({"journey_id": j, "timestamp": d * DAY, "channel": "x", "converted": k > 0})
    ax = plot.time_to_convert(EventLog.from_records(rec), bins=5)
    assert sum(sizes(ax, "height")) == 3
    (line,) = ax.get_lines()
    assert list(np.asarray(line.get_xdata())) == [2.0, 2.0]
    assert legend(ax) == ["median 2 days"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("days to convert", "converting journeys")
    assert ax.get_title() == "Time from first event to conversion (3 journeys)"
    assert png_colours(ax) > 5


def test_time_to_convert_units_and_empty(agg: Any) -> None:
    """A median under two days switches to hours; no conversions draws a note, not a crash."""
    ax = plot.time_to_convert([dt.timedelta(hours=h) for h in (1, 3, 5)])
    assert ax.get_xlabel() == "hours to convert"
    assert legend(ax) == ["median 3 hours"]
    ax = plot.time_to_convert([])
    assert [t.get_text() for t in ax.texts] == ["no conversions"]


def test_given_axes_is_drawn_on(agg: Any) -> None:
    """``ax=`` is used as given, and returned."""
    _fig, ax = agg.subplots()
    assert plot.funnel(metrics.funnel(stage_log(), ["visit"]), ax=ax) is ax


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: plot.funnel("x"), UnsupportedInputError),  # type: ignore[arg-type]
        (lambda: plot.attribution(3), UnsupportedInputError),  # type: ignore[arg-type]
        (lambda: plot.transitions([1]), UnsupportedInputError),  # type: ignore[arg-type]
        (lambda: plot.time_to_convert([1.5]), UnsupportedInputError),  # type: ignore[list-item]
        (lambda: plot.time_to_convert([], bins=0), ConfigError),
        (lambda: plot.time_to_convert([], unit="weeks"), ConfigError),  # type: ignore[arg-type]
        (lambda: plot.transitions(stage_log(), min_share=1.5), ConfigError),
        (
            lambda: plot.attribution(
                compare_models(PathCounts.from_rows([(["a"], 1, 0, 0)]), [FirstTouch()]), top=0
            ),
            ConfigError,
        ),
        (lambda: plot.funnel(metrics.funnel(stage_log(), ["visit"]), ax="ax"), ConfigError),  # type: ignore[arg-type]
    ],
    ids=["funnel-type", "attribution-type", "transitions-type", "durations", "bins", "unit",
         "min-share", "top", "ax"],
)  # fmt: skip
def test_bad_arguments(agg: Any, call: Any, error: type[Exception]) -> None:
    """Wrong inputs raise touchpath errors saying what was expected."""
    with pytest.raises(error):
        call()


def test_without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """When matplotlib cannot be imported, a chart raises MissingDependencyError naming the
    plot extra."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(MissingDependencyError, match=r"touchpath\[plot\]"):
        plot.funnel(metrics.funnel(stage_log(), ["visit"]))

"""The journey views of ``touchpath.plot`` (path flow, step matrix, top paths, retention and
attribution heat maps, funnel by segment): every label checked against the metric's own
numbers, one bar group per segment, PNG smoke renders, and labels readable under a dark
matplotlib style (text contrasts with what it is drawn on)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="the plot extra is not installed")

from touchpath import EventLog, attribution, metrics, plot  # noqa: E402
from touchpath.exceptions import UnsupportedInputError  # noqa: E402
from touchpath.report import Report  # noqa: E402

DAY = 86_400


def journeys_log() -> EventLog:
    """12 journeys over stages and channels in two segments, some converting, over 3 weeks."""
    paths = {
        "j01": (["visit", "trial", "paid"], "smb"),
        "j02": (["visit", "trial", "paid"], "smb"),
        "j03": (["visit", "trial"], "smb"),
        "j04": (["visit"], "smb"),
        "j05": (["visit", "trial", "visit", "trial", "paid"], "smb"),
        "j06": (["trial", "paid"], "smb"),
        "j07": (["visit", "trial", "paid"], "ent"),
        "j08": (["visit"], "ent"),
        "j09": (["visit", "demo", "trial"], "ent"),
        "j10": (["demo", "paid"], "ent"),
        "j11": (["visit", "demo"], "ent"),
        "j12": (["visit"], "ent"),
    }
    channels = ["ads", "seo", "email", "ads", "seo"]
    records = []
    for n, (jid, (stages, segment)) in enumerate(paths.items()):
        for k, stage in enumerate(stages):
            records.append(
                {
                    "journey_id": jid,
                    "timestamp": (n % 3) * 7 * DAY + k * DAY,
                    "stage": stage,
                    "channel": channels[(n + k) % len(channels)],
                    "segment": segment,
                    "converted": stage == "paid",
                    "value": 100.0 if stage == "paid" else 0.0,
                }
            )
    return EventLog.from_records(records)


def render_png(ax: Any) -> bytes:
    """The axes' figure as PNG (a smoke render: it draws, and is not one colour)."""
    from PIL import Image

    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=60)
    data = buf.getvalue()
    assert data.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(data)) as img:
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None
    assert len(colours) > 20
    return data


def luminance(colour: Any) -> float:
    """Relative luminance of a matplotlib colour."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def legend_of(ax: Any) -> Any:
    """The axes' legend (typed loosely for the tests)."""
    return ax.get_legend()


def width(patch: Any) -> float:
    """A bar's width."""
    return float(patch.get_width())


def laid_out(ax: Any) -> None:
    """Lay the axes' figure out (draw it without rendering), so extents are final."""
    ax.figure.draw_without_rendering()


def texts(ax: Any) -> list[str]:
    """The texts drawn in the data area."""
    return [t.get_text() for t in ax.texts]


def test_path_flow_labels_equal_the_metric() -> None:
    """Every box is labelled 'name  journeys' with the flow's own node counts, and each
    column's item boxes hold all journeys still on their path."""
    flow = metrics.path_flow(journeys_log(), steps=3)
    ax = plot.path_flow(flow, min_label_share=0.0)
    expected = sorted(f"{n.label}  {n.journeys:,}" for n in flow.nodes)
    assert sorted(texts(ax)) == expected
    assert ax.get_title().startswith("Paths of 12 journeys, first 3 stage steps")
    # bands: one patch per link, boxes: one per node
    assert len(ax.patches) == len(flow.nodes) + len(flow.links)
    render_png(ax)


def test_path_flow_says_which_boxes_are_unlabelled() -> None:
    """Boxes under min_label_share are not labelled, and the axis label says how many."""
    flow = metrics.path_flow(journeys_log(), steps=3)
    small = [n for n in flow.nodes if n.journeys / flow.counts.journeys < 0.2]
    assert small
    ax = plot.path_flow(flow, min_label_share=0.2)
    assert len(ax.texts) == len(flow.nodes) - len(small)
    assert f"{len(small)} boxes under 20% of journeys not labelled" in ax.get_xlabel()


def test_step_matrix_cells_equal_the_shares() -> None:
    """One label per cell, equal to the matrix's share rounded to a percent; a difference of
    two segments is drawn with signed labels."""
    log = journeys_log()
    m = metrics.step_matrix(log, steps=4)
    ax = plot.step_matrix(m)
    assert texts(ax) == [f"{v:.0%}" for v in m.shares.ravel().tolist()]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(m.rows)
    render_png(ax)
    d = metrics.step_matrix(log.filter(segment="smb"), steps=4, label="smb").difference(
        metrics.step_matrix(log.filter(segment="ent"), steps=4, label="ent")
    )
    ax = plot.step_matrix(d)
    assert texts(ax) == [f"{v:+.1%}" for v in d.shares.ravel().tolist()]
    assert ax.get_title() == "Step matrix: smb - ent"


def test_top_paths_labels_equal_the_metric() -> None:
    """One bar per path, its length the conversions; the label names conversions, rate of
    occurrences and value exactly as the metric has them."""
    t = metrics.top_paths(journeys_log(), level="stage")
    ax = plot.top_paths(t)
    assert [width(p) for p in ax.patches] == [r[1] for r in t.rows]
    for label, (_path, conv, occ, rate, value, _share) in zip(texts(ax), t.rows, strict=True):
        assert label == f"{conv:g} conv., {rate:.1%} of {occ:g}, value {value:g}"
    render_png(ax)


def test_retention_heat_map() -> None:
    """Observed cells are labelled with the table's rates; unobserved cells stay blank."""
    table = metrics.retention(journeys_log(), period="week")
    ax = plot.retention(table)
    rates = table.rates()
    assert texts(ax) == [f"{v:.0%}" for v in rates.ravel().tolist() if not np.isnan(v)]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        f"{s.isoformat()} ({n:,})" for s, n in zip(table.starts, table.sizes.tolist(), strict=True)
    ]
    render_png(ax)


def test_funnel_by_segment_draws_one_group_per_segment() -> None:
    """With breakdown='segment', every step has one bar per segment whose length is that segment's
    count (from result.breakdown), with the segments in the legend, outside the axes."""
    result = metrics.funnel(journeys_log(), ["visit", "trial", "paid"], breakdown="segment")
    ax = plot.funnel(result)
    groups = list(result.breakdown)
    assert [t.get_text() for t in legend_of(ax).get_texts()] == groups
    assert len(ax.containers) == len(groups)
    for container, label in zip(ax.containers, groups, strict=True):
        assert [width(p) for p in container] == [s.reached for s in result.breakdown[label]]
    anchor = legend_of(ax).get_bbox_to_anchor().transformed(ax.transAxes.inverted())
    assert anchor.x0 > 1.0  # the legend sits right of the data
    counts = [int(t.split()[0].replace(",", "")) for t in texts(ax)]
    assert counts == [s.reached for label in groups for s in result.breakdown[label]]
    render_png(ax)


def test_attribution_heat_map_for_nine_models() -> None:
    """Nine models draw a heat map (channels x models) whose cells are labelled with each
    model's credit; two models keep grouped bars; kind= forces either."""
    from touchpath._repr import format_number

    log = journeys_log()
    models: list[Any] = [
        attribution.FirstTouch(),
        attribution.LastTouch(),
        attribution.Linear(),
        attribution.PositionBased(),
        attribution.TimeDecay(half_life="1 day"),
        attribution.TimeDecay(half_life="7 days"),
        attribution.Markov(),
        attribution.Shapley(),
        attribution.LastNonDirect(),
    ]
    c = attribution.compare_models(log, models)
    ax = plot.attribution(c)
    assert len(ax.images) == 1
    items = [t.get_text() for t in ax.get_yticklabels()]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(c.labels)
    expected = [
        format_number(float(r.credits().get(item, 0.0)), digits=3)
        for item in items
        for r in c.results
    ]
    assert texts(ax) == expected
    render_png(ax)
    few = attribution.compare_models(log, models[:2])
    assert plot.attribution(few).get_legend() is not None
    assert len(plot.attribution(few, kind="heatmap").images) == 1
    assert not plot.attribution(c, kind="bars").images


def test_labels_survive_a_dark_style() -> None:
    """Under dark_background, titles, ticks and labels take the style's light text colour,
    and text drawn on a coloured cell contrasts with that cell."""
    import matplotlib.pyplot as plt

    log = journeys_log()
    with plt.style.context("dark_background"):
        for ax in (
            plot.path_flow(metrics.path_flow(log, steps=3), min_label_share=0.0),
            plot.top_paths(metrics.top_paths(log, level="stage")),
            plot.funnel(metrics.funnel(log, ["visit", "trial"], breakdown="segment")),
        ):
            background = luminance(ax.get_facecolor())
            for text in [*ax.texts, ax.title, ax.xaxis.label, *ax.get_yticklabels()]:
                assert abs(luminance(text.get_color()) - background) > 0.5, text.get_text()
            render_png(ax)
        ax = plot.step_matrix(metrics.step_matrix(log, steps=3))
        image = ax.images[0]
        values: Any = image.get_array()
        for text in ax.texts:
            x, y = text.get_position()
            cell = image.cmap(image.norm(values[int(y), int(x)]))
            assert abs(luminance(text.get_color()) - luminance(cell)) > 0.4, text.get_text()


def test_report_sections_with_charts() -> None:
    """Report().add(result) embeds the chart (a PNG) above the table for each new view."""
    log = journeys_log()
    report = Report("views")
    for result in (
        metrics.path_flow(log),
        metrics.step_matrix(log),
        metrics.top_paths(log),
        metrics.retention(log),
    ):
        report.add(result)
    assert [s.title for s in report.sections] == [
        "Path flow",
        "Step matrix",
        "Top conversion paths",
        "Retention",
    ]
    for section in report.sections:
        assert section.body.count("data:image/png;base64,") == 1
        assert section.body.count("<table") == 1
    assert "RetentionTable" in metrics.retention(log)._repr_html_()


@pytest.mark.parametrize(
    "call",
    [plot.path_flow, plot.step_matrix, plot.top_paths, plot.retention],
    ids=["path_flow", "step_matrix", "top_paths", "retention"],
)
def test_wrong_input_is_refused(call: Any) -> None:
    """Each view names the result it draws."""
    with pytest.raises(UnsupportedInputError, match="draws"):
        call("x")


# -- the older charts, made to hold up ----------------------------------------------------------


def messy_log(n: int = 300) -> EventLog:
    """Journeys wandering at random among the b2b map's stages and three it does not have:
    dozens of kinds of off-map moves."""
    import random

    from touchpath import templates

    rng = random.Random(7)
    stages = [*templates.get("b2b_five_stage").stage_ids, "churned", "support", "webinar"]
    return EventLog.from_records(
        [
            {"journey_id": f"j{j}", "timestamp": t, "stage": rng.choice(stages)}
            for j in range(n)
            for t in range(rng.randint(1, 8))
        ]
    )


def test_transitions_labels_every_arc_or_says_which_are_not() -> None:
    """Each arc is labelled with its count just outside its top (the label's box does not
    cover the arc's apex), or counted in the legend's 'unlabelled' entry; the legend
    explains the dot size and sits right of the data."""
    log = journeys_log()
    graph: Any = metrics.transition_graph(log)
    ax = plot.transitions(graph, label_min_share=0.3)
    arcs = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    counts = sorted(int(c) for a, b, c in graph.to_networkx().edges(data="count") if a != b)
    labelled = sorted(
        int(t.get_text().replace(",", "")) for t in ax.texts if t.get_text()[0].isdigit()
    )
    entries = [t.get_text() for t in legend_of(ax).get_texts()]
    unlabelled = [e for e in entries if e.endswith("unlabelled")]
    hidden = int(unlabelled[0].split()[0]) if unlabelled else 0
    assert len(labelled) + hidden == len(arcs) == len(counts)
    assert labelled == [c for c in counts if c >= 0.3 * max(counts)]
    assert any(e.startswith("dot area: journeys (") for e in entries)
    laid_out(ax)
    labels: list[Any] = list(ax.texts)
    for text in labels:
        if not text.get_text()[0].isdigit():
            continue
        apex = ax.transData.transform(text.xy)
        assert not text.get_window_extent().contains(*apex)
    anchor = legend_of(ax).get_bbox_to_anchor().transformed(ax.transAxes.inverted())
    assert anchor.x0 > 1.0


def test_transitions_draws_many_off_map_moves_as_a_matrix() -> None:
    """With many moves the map lacks, they are drawn as a from x to matrix beside the arcs,
    each cell labelled with the graph's count; only map moves remain arcs."""
    from touchpath import templates

    journey_map = templates.get("b2b_five_stage")
    log = messy_log()
    graph: Any = metrics.transition_graph(log)
    designed = {(e.source, e.target) for e in journey_map.edges}
    off = {
        (a, b): int(c)
        for a, b, c in graph.to_networkx().edges(data="count")
        if a != b and (a, b) not in designed
    }
    assert len(off) > 6
    ax = plot.transitions(graph, journey_map=journey_map)
    side = [a for a in ax.figure.axes if a.get_title().startswith("Moves not in the map")]
    assert len(side) == 1
    assert sorted(int(t.get_text().replace(",", "")) for t in side[0].texts) == sorted(off.values())
    arcs = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    on_map = [
        1 for a, b, _ in graph.to_networkx().edges(data="count") if a != b and (a, b) in designed
    ]
    assert len(arcs) == len(on_map)
    render_png(ax)
    arcs_only = plot.transitions(graph, journey_map=journey_map, off_map="arcs")
    assert len(arcs_only.figure.axes) == 1


def test_funnel_labels_never_overflow_their_bar() -> None:
    """A label drawn inside a bar ends inside it; one that does not fit starts past the
    bar's end. Checked on a narrow figure, where long labels cannot fit; the count axis has
    thousands separators."""
    from matplotlib.figure import Figure

    records = [
        {"journey_id": f"j{j}", "timestamp": t, "stage": s}
        for j in range(2400)
        for t, s in enumerate(["visit", "trial", "paid"][: 1 + (j % 3 == 0) + (j % 6 == 0)])
    ]
    result = metrics.funnel(EventLog.from_records(records), ["visit", "trial", "paid"])
    for inches in (3.0, 9.0):
        fig = Figure(figsize=(inches, 3), layout="constrained")
        ax = plot.funnel(result, ax=fig.add_subplot())
        laid_out(ax)
        for text, bar in zip(ax.texts, ax.patches, strict=True):
            box = text.get_window_extent()
            edge = ax.transData.transform((width(bar), 0))[0]
            assert box.x1 <= edge or box.x0 >= edge - 1
        assert any("," in t.get_text() for t in ax.get_xticklabels())


def test_older_charts_survive_a_dark_style() -> None:
    """Under dark_background the funnel, attribution, transitions and time-to-convert
    charts draw every text in a colour that contrasts with what it sits on."""
    import matplotlib.pyplot as plt

    log = journeys_log()
    with plt.style.context("dark_background"):
        charts = [
            plot.funnel(metrics.funnel(log, ["visit", "trial", "paid"])),
            plot.attribution(
                attribution.compare_models(log, [attribution.FirstTouch(), attribution.Linear()])
            ),
            plot.transitions(log),
            plot.time_to_convert(log),
        ]
        for ax in charts:
            laid_out(ax)
            background = luminance(ax.get_facecolor())
            bars = [p for p in ax.patches if type(p).__name__ == "Rectangle"]
            for text in [*ax.texts, ax.title, ax.xaxis.label, ax.yaxis.label]:
                if not text.get_text():
                    continue
                under = background
                box = text.get_window_extent()
                for bar in bars:  # text drawn on a bar contrasts with the bar
                    if bar.get_window_extent().contains(box.x0 + 1, (box.y0 + box.y1) / 2):
                        under = luminance(bar.get_facecolor())
                assert abs(luminance(text.get_color()) - under) > 0.4, text.get_text()
            render_png(ax)

"""Path flows, step matrices, top paths and heat maps; matplotlib is imported inside each function.

Text takes the colours of the active matplotlib style (``text.color``,
``axes.labelcolor``), so charts read under ``dark_background`` too; only text
drawn on a coloured cell picks black or white for contrast with that cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from .._markup import format_number
from ..exceptions import ConfigError, UnsupportedInputError
from ._charts import PALETTE, _axes, _ink, _thousands

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..attribution import AttributionResult
    from ..metrics import PathFlow, RetentionTable, StepMatrix, TopPaths

__all__ = ["path_flow", "retention", "step_matrix", "top_paths"]

_SINK_COLOURS: Final = {"converted": "#3f9e5a", "ended": "#8a8f99", "continued": "#b9bec8"}
_OTHER_COLOUR: Final = "#a7a9ae"
_ITEM_COLOURS: Final = tuple(c for c in PALETTE if c not in ("#3f9e5a", "#7f7f7f"))
"""Item colours of a path flow: the palette without the sinks' green and grey."""
_NODE_WIDTH: Final = 0.08
_GAP: Final = 0.025


def _hide_spines(ax: Axes, sides: Sequence[str] = ("top", "right")) -> None:
    for side in sides:
        ax.spines[side].set_visible(False)


# -- path flow (Sankey) -------------------------------------------------------------------------


def _band(x0: float, x1: float, top0: float, bottom0: float, top1: float, bottom1: float) -> Any:
    """A filled band between two vertical intervals, edges as cubic Beziers."""
    from matplotlib.path import Path as MplPath

    mid = (x0 + x1) / 2
    verts = [
        (x0, top0),
        (mid, top0),
        (mid, top1),
        (x1, top1),
        (x1, bottom1),
        (mid, bottom1),
        (mid, bottom0),
        (x0, bottom0),
        (x0, top0),
    ]
    codes = [
        MplPath.MOVETO,
        MplPath.CURVE4,
        MplPath.CURVE4,
        MplPath.CURVE4,
        MplPath.LINETO,
        MplPath.CURVE4,
        MplPath.CURVE4,
        MplPath.CURVE4,
        MplPath.CLOSEPOLY,
    ]
    return MplPath(verts, codes)


def path_flow(
    flow: PathFlow,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    min_label_share: float = 0.02,
) -> Axes:
    """A Sankey diagram of a :class:`~touchpath.metrics.PathFlow`: one column per step.

    Box heights are journeys (the same scale in every column); bands show
    the journeys moving from step to step, coloured by their source, and
    into the sinks ``(converted)``, ``(ended)`` and ``(more steps)``. Every
    box with at least ``min_label_share`` of the journeys is labelled with
    its name and journeys; the axis label says which boxes are not.

    >>> from matplotlib.figure import Figure
    >>> from touchpath import EventLog, metrics
    >>> log = EventLog.from_records([
    ...     {"journey_id": j, "timestamp": t, "stage": s, "converted": s == "paid"}
    ...     for j, path in {"a": ["visit", "paid"], "b": ["visit"]}.items()
    ...     for t, s in enumerate(path)])
    >>> ax = path_flow(metrics.path_flow(log, steps=2), ax=Figure().add_subplot())
    >>> sorted(t.get_text() for t in ax.texts)
    ['(converted)  1', '(ended)  1', 'paid  1', 'visit  2']
    """
    from matplotlib.patches import PathPatch, Rectangle

    from ..metrics import NodeKind, PathFlow

    if not isinstance(flow, PathFlow):
        raise UnsupportedInputError(
            f"plot.path_flow() draws a PathFlow (from metrics.path_flow); got {type(flow).__name__}"
        )
    given: object = min_label_share
    if isinstance(given, bool) or not isinstance(given, int | float) or not 0 <= given < 1:
        raise ConfigError(f"'min_label_share' must be a number in [0, 1); got {min_label_share!r}")
    n_cols = max((n.step for n in flow.nodes), default=0) + 1
    ax = _axes(ax, "touchpath.plot.path_flow()", (max(7.0, 2.1 * n_cols), 5.2))
    total = max(flow.counts.journeys, 1)
    per_col: dict[int, list[int]] = {}
    for p, node in enumerate(flow.nodes):
        per_col.setdefault(node.step, []).append(p)
    most = max((len(v) for v in per_col.values()), default=1)
    scale = (1.0 - _GAP * (most - 1)) / total
    # item colours: one per label, by first appearance (columns are ordered by journeys)
    colour: dict[str, str] = {}
    for node in flow.nodes:
        if node.kind is NodeKind.ITEM and node.label not in colour:
            colour[node.label] = _ITEM_COLOURS[len(colour) % len(_ITEM_COLOURS)]

    def node_colour(kind: NodeKind, label: str) -> str:
        if kind is NodeKind.ITEM:
            return colour[label]
        if kind is NodeKind.OTHER:
            return _OTHER_COLOUR
        return _SINK_COLOURS[kind.value]

    top_of: dict[tuple[int, str], float] = {}
    height_of: dict[tuple[int, str], float] = {}
    hidden = 0
    for col, members in per_col.items():
        y = 1.0
        for p in members:
            node = flow.nodes[p]
            h = node.journeys * scale
            key = (node.step, node.label)
            top_of[key], height_of[key] = y, h
            ax.add_patch(
                Rectangle(
                    (col - _NODE_WIDTH / 2, y - h),
                    _NODE_WIDTH,
                    h,
                    facecolor=node_colour(node.kind, node.label),
                    edgecolor="none",
                    zorder=3,
                )
            )
            if node.journeys / total >= min_label_share:
                ax.text(
                    col + _NODE_WIDTH / 2 + 0.03,
                    y - h / 2,
                    f"{node.label}  {node.journeys:,}",
                    ha="left",
                    va="center",
                    fontsize=8,
                    zorder=4,
                    clip_on=False,
                    bbox={
                        "facecolor": ax.get_facecolor(),
                        "alpha": 0.75,
                        "edgecolor": "none",
                        "pad": 1.0,
                    },
                )
            else:
                hidden += 1
            y -= h + _GAP
    out_used = dict.fromkeys(top_of, 0.0)
    in_used = dict.fromkeys(top_of, 0.0)
    kind_of = {(n.step, n.label): n.kind for n in flow.nodes}
    for link in flow.links:
        src, dst = (link.step, link.source), (link.step + 1, link.target)
        h = link.journeys * scale
        t0 = top_of[src] - out_used[src]
        t1 = top_of[dst] - in_used[dst]
        out_used[src] += h
        in_used[dst] += h
        target_kind = kind_of[dst]
        band_colour = (
            _SINK_COLOURS[target_kind.value]
            if target_kind in (NodeKind.CONVERTED, NodeKind.ENDED, NodeKind.CONTINUED)
            else node_colour(kind_of[src], link.source)
        )
        ax.add_patch(
            PathPatch(
                _band(
                    link.step + _NODE_WIDTH / 2,
                    link.step + 1 - _NODE_WIDTH / 2,
                    t0,
                    t0 - h,
                    t1,
                    t1 - h,
                ),
                facecolor=band_colour,
                edgecolor="none",
                alpha=0.35,
                zorder=2,
            )
        )
    ax.set_xlim(-0.3, n_cols - 0.2)
    ax.set_ylim(-0.02, 1.02)
    ax.set_yticks([])
    labels = [f"step {k + 1}" for k in range(flow.counts.steps)] + ["end"]
    ax.set_xticks(range(n_cols), labels[:n_cols])
    _hide_spines(ax, ("top", "right", "left"))
    note = (
        f"box height: journeys; {hidden} box{'es' if hidden != 1 else ''} under "
        f"{min_label_share:.0%} of journeys not labelled"
        if hidden
        else "box height: journeys"
    )
    ax.set_xlabel(f"{flow.counts.level.value} at each step ({note})")
    if title is None:
        title = (
            f"Paths of {flow.counts.journeys:,} journeys, first {flow.counts.steps} "
            f"{flow.counts.level.value} steps (top {flow.top} per step)"
        )
    ax.set_title(title)
    return ax


# -- heat maps ----------------------------------------------------------------------------------


def _heatmap(
    ax: Axes,
    values: npt.NDArray[np.float64],
    texts: Sequence[Sequence[str]],
    rows: Sequence[str],
    columns: Sequence[str],
    *,
    cmap: str,
    vmin: float,
    vmax: float,
    colorbar: str,
) -> Any:
    """Cells coloured by ``values`` (NaN left blank) and labelled with ``texts``."""
    masked = np.ma.masked_invalid(values)
    image = ax.imshow(masked, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    mapper = image.cmap
    norm = image.norm
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if not texts[i][j] or np.isnan(values[i, j]):
                continue
            ax.text(
                j,
                i,
                texts[i][j],
                ha="center",
                va="center",
                fontsize=7 if values.shape[1] > 8 else 8,
                color=_ink(mapper(norm(values[i, j]))),
            )
    ax.set_xticks(range(len(columns)), columns)
    ax.set_yticks(range(len(rows)), rows)
    ax.tick_params(length=0)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.8, pad=0.02)
    bar.set_label(colorbar)
    return bar


def step_matrix(
    matrix: StepMatrix,
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """A heat map of a :class:`~touchpath.metrics.StepMatrix`: rows items, columns steps.

    Every cell is labelled with its share (a difference in points for a
    :meth:`~touchpath.metrics.StepMatrix.difference`, on a diverging scale).

    >>> from matplotlib.figure import Figure
    >>> from touchpath import EventLog, metrics
    >>> log = EventLog.from_records([
    ...     {"journey_id": j, "timestamp": t, "stage": s}
    ...     for j, path in {"a": ["visit", "trial"], "b": ["visit"]}.items()
    ...     for t, s in enumerate(path)])
    >>> ax = step_matrix(metrics.step_matrix(log, steps=2), ax=Figure().add_subplot())
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['visit', 'trial', '(converted)', '(ended)']
    """
    from ..metrics import StepMatrix

    if not isinstance(matrix, StepMatrix):
        raise UnsupportedInputError(
            "plot.step_matrix() draws a StepMatrix (from metrics.step_matrix); got "
            f"{type(matrix).__name__}"
        )
    ax = _axes(
        ax,
        "touchpath.plot.step_matrix()",
        (max(6.0, 0.75 * matrix.steps + 3), 0.42 * len(matrix.rows) + 1.6),
    )
    diff = matrix.difference_of is not None
    values = matrix.shares
    texts = [[f"{v:+.1%}" if diff else f"{v:.0%}" for v in row] for row in values.tolist()]
    if diff:
        span = max(float(np.abs(values).max()) if values.size else 0.0, 0.01)
        cmap, vmin, vmax, what = "RdBu", -span, span, "difference of shares"
    else:
        cmap, vmin, vmax, what = "Blues", 0.0, 1.0, "share of journeys"
    _heatmap(
        ax,
        values,
        texts,
        list(matrix.rows),
        [str(k + 1) for k in range(matrix.steps)],
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        colorbar=what,
    )
    ax.set_xlabel("step")
    ax.set_ylabel(matrix.level.value)
    sinks = sum(r in ("(converted)", "(ended)") for r in matrix.rows)
    if sinks and len(matrix.rows) > sinks:
        ax.axhline(len(matrix.rows) - sinks - 0.5, color=ax.xaxis.label.get_color(), lw=1)
    if title is None:
        if diff:
            title = f"Step matrix: {matrix.label}"
        else:
            who = f" ({matrix.label})" if matrix.label else ""
            title = f"Step matrix of {matrix.journeys:,} journeys{who}"
    ax.set_title(title)
    return ax


def retention(
    table: RetentionTable,
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """A cohort retention heat map: one row per cohort (with its size), one column per offset.

    Cells not yet observed are left blank; each observed cell is labelled
    with its retained share.

    >>> from matplotlib.figure import Figure
    >>> from touchpath import EventLog, metrics
    >>> day = 86400
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "stage": "x"},
    ...     {"journey_id": "a", "timestamp": day, "stage": "x"},
    ...     {"journey_id": "b", "timestamp": day, "stage": "x"}])
    >>> ax = retention(metrics.retention(log, period="day"), ax=Figure().add_subplot())
    >>> [t.get_text() for t in ax.texts]
    ['100%', '100%', '100%']
    """
    from ..metrics import RetentionTable

    if not isinstance(table, RetentionTable):
        raise UnsupportedInputError(
            "plot.retention() draws a RetentionTable (from metrics.retention); got "
            f"{type(table).__name__}"
        )
    n_rows, n_cols = table.retained.shape
    ax = _axes(
        ax, "touchpath.plot.retention()", (max(6.0, 0.6 * n_cols + 3.5), 0.35 * n_rows + 1.8)
    )
    rates = table.rates()
    texts = [["" if np.isnan(v) else f"{v:.0%}" for v in row] for row in rates.tolist()]
    rows = [
        f"{start.isoformat()} ({int(size):,})"
        for start, size in zip(table.starts, table.sizes.tolist(), strict=True)
    ]
    _heatmap(
        ax,
        rates,
        texts if n_cols <= 24 else [[""] * n_cols] * n_rows,
        rows,
        [str(k) for k in range(n_cols)],
        cmap="Blues",
        vmin=0.0,
        vmax=1.0,
        colorbar="share of the cohort retained",
    )
    ax.set_xlabel(f"{table.period.value}s since the cohort's {table.period.value}")
    ax.set_ylabel("cohort start (journeys)")
    if title is None:
        cohort = "first event" if table.cohort == "first_event" else f"first {table.cohort}"
        title = f"Retention by {table.period.value} of {cohort} ({table.mode.value})"
    ax.set_title(title)
    return ax


def attribution_heatmap(
    ax: Axes,
    labels: Sequence[str],
    results: Sequence[AttributionResult],
    *,
    value: bool,
    top: int | None,
) -> tuple[int, int, str]:
    """Channels x models: cells coloured by the share of the model's credit, labelled with credits.

    Returns (items shown, items in all, item noun).
    """
    items = sorted({x for r in results for x in r.items})
    credits = np.array(
        [[r.credits(value=value).get(x, 0.0) for r in results] for x in items], dtype=np.float64
    ).reshape(len(items), len(results))
    order = sorted(range(len(items)), key=lambda i: (-float(credits[i].mean()), items[i]))
    if top is not None:
        order = order[:top]
    totals = credits.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(totals > 0, credits / np.where(totals > 0, totals, 1), np.nan)
    shown = shares[order]
    texts = [
        [format_number(float(credits[i, k]), digits=3) for k in range(len(results))] for i in order
    ]
    _heatmap(
        ax,
        shown,
        texts,
        [items[i] for i in order],
        list(labels),
        cmap="Blues",
        vmin=0.0,
        vmax=max(float(np.nanmax(shown)) if np.isfinite(shown).any() else 1.0, 1e-9),
        colorbar="share of the model's credit",
    )
    ax.set_xticks(range(len(labels)), list(labels), rotation=35, ha="right")
    by = results[0].level if results else None
    noun = by.value if by is not None else "item"
    ax.set_ylabel(noun)
    ax.set_xlabel("model (cells: " + ("value" if value else "conversions") + " credited)")
    return len(order), len(items), noun


# -- top paths ----------------------------------------------------------------------------------


def _short(text: str, width: int = 48) -> str:
    """Cut long text in the middle with an ellipsis."""
    if len(text) <= width:
        return text
    keep = (width - 1) // 2
    return text[:keep] + "\u2026" + text[-(width - 1 - keep) :]


def top_paths(
    paths: TopPaths,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    color: str = PALETTE[0],
) -> Axes:
    """Horizontal bars of the top conversion paths' conversions, labelled with rate and value.

    Labels sit past the end of each bar (never inside it), so they cannot
    overflow; long paths are shortened in the middle on the axis.

    >>> from matplotlib.figure import Figure
    >>> from touchpath.attribution import PathCounts
    >>> from touchpath import metrics
    >>> t = metrics.top_paths(PathCounts.from_rows([(["ads", "seo"], 3, 1, 90.0)]))
    >>> ax = top_paths(t, ax=Figure().add_subplot())
    >>> [x.get_text() for x in ax.texts]
    ['3 conv., 75.0% of 4, value 90']
    """
    from ..metrics import TopPaths

    if not isinstance(paths, TopPaths):
        raise UnsupportedInputError(
            f"plot.top_paths() draws TopPaths (from metrics.top_paths); got {type(paths).__name__}"
        )
    ax = _axes(ax, "touchpath.plot.top_paths()", (9.0, 0.42 * len(paths.rows) + 1.6))
    conv = np.array([r[1] for r in paths.rows], dtype=np.float64)
    y = np.arange(len(paths.rows))
    ax.barh(y, conv, color=color, height=0.7)
    widest = float(conv.max()) if len(conv) and conv.max() > 0 else 1.0
    for k, (_path, c, occ, rate, val, _share) in enumerate(paths.rows):
        rate_text = "n/a" if rate is None else f"{rate:.1%}"
        ax.text(
            c + widest * 0.01,
            k,
            f"{format_number(c)} conv., {rate_text} of {format_number(occ)}, value "
            f"{format_number(val)}",
            va="center",
            ha="left",
            fontsize=8,
        )
    ax.set_yticks(y, [_short(" \u2192 ".join(r[0]) or "(no touch)") for r in paths.rows])
    ax.invert_yaxis()
    ax.set_xlim(0, widest * 1.75)
    _thousands(ax, "x")
    if bool(np.all(conv == np.round(conv))):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("conversions (label: conversion rate of the path's occurrences, value)")
    _hide_spines(ax)
    if title is None:
        title = (
            f"Top {len(paths.rows)} {paths.level} conversion paths "
            f"({format_number(sum(r[1] for r in paths.rows))} of "
            f"{format_number(paths.total_conversions)} conversions)"
        )
    ax.set_title(title)
    return ax


# -- funnel by group ----------------------------------------------------------------------------


def funnel_by_group(ax: Axes, result: Any) -> int:
    """One bar group per funnel step, one bar per group of the breakdown; returns the groups.

    Each bar is labelled past its end with the count and the share of the
    group's first step; the legend sits outside the data, right of the axes.
    """
    groups = list(result.breakdown.items())
    n_steps = len(result.steps)
    n = max(len(groups), 1)
    height = 0.8 / n
    widest = max((s.reached for _, steps in groups for s in steps), default=0) or 1
    y = np.arange(n_steps, dtype=np.float64)
    for g, (label, steps) in enumerate(groups):
        reached = np.array([s.reached for s in steps], dtype=np.float64)
        where = y - 0.4 + height * (g + 0.5)
        ax.barh(
            where,
            reached,
            height=height * 0.92,
            color=PALETTE[g % len(PALETTE)],
            label="(none)" if label is None else str(label),
        )
        for k, s in enumerate(steps):
            share = s.conversion_from_first.value
            ax.text(
                s.reached + widest * 0.01,
                where[k],
                f"{s.reached:,}" + ("" if share is None or k == 0 else f" ({share:.0%})"),
                va="center",
                ha="left",
                fontsize=7 if n > 3 else 8,
            )
    ax.set_yticks(y, [s.step for s in result.steps])
    ax.invert_yaxis()
    ax.set_xlim(0, widest * 1.3)
    _thousands(ax, "x")
    by = result.counts.breakdown.value if result.counts.breakdown is not None else "group"
    ax.legend(
        title=by,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        title_fontsize=9,
        frameon=False,
    )
    _hide_spines(ax)
    return len(groups)

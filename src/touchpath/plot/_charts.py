"""The charts of :mod:`touchpath.plot`; matplotlib is imported inside each function."""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from .._log import EventLog
from ..exceptions import (
    ConfigError,
    MissingDependencyError,
    UndefinedResultWarning,
    UnsupportedInputError,
)

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes

    from .._map import JourneyMap
    from ..attribution import AttributionResult, Comparison
    from ..metrics import FunnelResult, TransitionGraph
    from ..validation import MapComparison

__all__ = ["attribution", "funnel", "time_to_convert", "transitions"]

TimeUnit: TypeAlias = Literal["auto", "minutes", "hours", "days"]
"""The unit of a time axis; ``"auto"`` picks hours below a two-day median, else days."""

PALETTE: Final = (
    "#3b6fb6",
    "#e07b39",
    "#3f9e5a",
    "#c44e52",
    "#8172b3",
    "#937860",
    "#da8bc3",
    "#5a9bb0",
    "#b5a33a",
    "#7f7f7f",
)
"""Colours of the series, in order (colour-blind friendly, print safe)."""

_FORWARD: Final = "#3b6fb6"
_BACKWARD: Final = "#8a8f99"
_SHADOW: Final = "#c44e52"
_BULGE: Final = 0.45
_US_PER: Final = {"minutes": 60e6, "hours": 3600e6, "days": 86_400e6}


def _pyplot_axes(what: str, figsize: tuple[float, float]) -> Axes:
    """A new figure's axes through pyplot (so notebooks show it), or a clear error."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependencyError.for_extra("plot", what, "matplotlib") from None
    _fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _require_matplotlib(what: str) -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingDependencyError.for_extra("plot", what, "matplotlib") from None


def _axes(ax: Axes | None, what: str, figsize: tuple[float, float]) -> Axes:
    _require_matplotlib(what)
    if ax is None:
        return _pyplot_axes(what, figsize)
    if not hasattr(ax, "figure") or not hasattr(ax, "bar"):
        raise ConfigError(f"'ax' must be a matplotlib Axes or None; got {type(ax).__name__}")
    return ax


def _ink(background: Any) -> str:
    """Black or white, whichever reads better on ``background`` (text drawn on a bar or cell)."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(background)
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5 else "white"


def _thousands(ax: Axes, axis: Literal["x", "y"]) -> None:
    """Thousands separators on a count axis."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _pos: f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2g}")
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def _fit_in_bars(ax: Axes, labels: Sequence[Any], ends: Sequence[float], widest: float) -> None:
    """Move each in-bar label that does not fit inside its bar past the bar's end.

    The figure is laid out first (``draw_without_rendering``), so the test
    uses the final size of the axes and of the text.
    """
    import matplotlib as mpl

    figure: Any = ax.figure
    while getattr(figure, "figure", figure) is not figure:  # a subfigure's root figure
        figure = figure.figure
    inside = dict.fromkeys(range(len(labels)), True)
    for _round in range(4):  # moving a label out can shrink the axes: check again
        figure.draw_without_rendering()
        moved = False
        for k, (text, end) in enumerate(zip(labels, ends, strict=True)):
            if not inside[k]:
                continue
            box = text.get_window_extent()
            right = ax.transData.transform((end, 0.0))[0]
            if box.x1 > right - 2:
                text.set_x(end + widest * 0.01)
                text.set_color(mpl.rcParams["text.color"])
                inside[k] = False
                moved = True
        if not moved:
            break


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


# -- funnel -------------------------------------------------------------------------------------


def funnel(
    result: FunnelResult,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    color: str = PALETTE[0],
) -> Axes:
    """A funnel chart: one bar per step, its length the units that reached the step.

    Each bar is labelled with the count, the share of step 1 and (from step
    2 on) the share of the previous step. When the funnel has a breakdown
    (``breakdown=``), each step is a group of bars, one per group of the breakdown
    (in ``result.breakdown`` order, colours as in the legend), labelled with
    the count and the share of the group's first step. Returns the ``Axes``.

    >>> from matplotlib.figure import Figure
    >>> from touchpath import EventLog, metrics
    >>> log = EventLog.from_records([
    ...     {"journey_id": j, "timestamp": t, "stage": s}
    ...     for j, stages in {"a": ["visit", "trial"], "b": ["visit"]}.items()
    ...     for t, s in enumerate(stages)])
    >>> ax = funnel(metrics.funnel(log, ["visit", "trial"]), ax=Figure().add_subplot())
    >>> [t.get_text() for t in ax.get_yticklabels()], ax.get_xlabel()
    (['visit', 'trial'], 'journeys reaching the step')
    """
    from ..metrics import FunnelResult

    if not isinstance(result, FunnelResult):
        raise UnsupportedInputError(
            f"plot.funnel() draws a FunnelResult (from touchpath.funnel); got "
            f"{type(result).__name__}"
        )
    if result.counts.breakdown is not None and result.breakdown:
        from ._views import funnel_by_group

        n_groups = len(result.breakdown)
        ax = _axes(
            ax, "touchpath.plot.funnel()", (8.0, (0.25 * n_groups + 0.3) * len(result.steps) + 1.4)
        )
        funnel_by_group(ax, result)
        unit = result.counts.count.value
        ax.set_xlabel(f"{unit} reaching the step")
        ax.set_ylabel(result.counts.level.value)
        if title is None:
            title = (
                f"Funnel by {result.counts.breakdown.value} ({n_groups} groups): "
                f"{result.entered:,} "
                f"{unit} entered, {result.completed:,} completed ({_pct(result.conversion.value)})"
            )
        ax.set_title(title)
        return ax
    ax = _axes(ax, "touchpath.plot.funnel()", (7.0, 0.6 * len(result.steps) + 1.4))
    steps = result.steps
    reached = np.array([s.reached for s in steps], dtype=np.float64)
    widest = float(reached.max()) if len(reached) and reached.max() > 0 else 1.0
    y = np.arange(len(steps))
    ax.barh(y, reached, color=color, height=0.72)
    labels = []
    for k, s in enumerate(steps):
        label = f"{s.reached:,}  ({_pct(s.conversion_from_first.value)} of first"
        label += ")" if k == 0 else f", {_pct(s.conversion_from_previous.value)} of previous)"
        labels.append(
            ax.text(widest * 0.02, k, label, va="center", ha="left", fontsize=9, color=_ink(color))
        )
    ax.set_xlim(0, widest * 1.5)
    _fit_in_bars(ax, labels, [float(r) for r in reached], widest)
    ax.set_yticks(y, [s.step for s in steps])
    ax.invert_yaxis()
    _thousands(ax, "x")
    unit = result.counts.count.value
    ax.set_xlabel(f"{unit} reaching the step")
    ax.set_ylabel(result.counts.level.value)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title is None:
        title = (
            f"Funnel: {result.entered:,} {unit} entered, {result.completed:,} completed "
            f"({_pct(result.conversion.value)})"
        )
    ax.set_title(title)
    return ax


# -- attribution --------------------------------------------------------------------------------


def attribution(
    data: Comparison | AttributionResult,
    *,
    value: bool = False,
    top: int | None = 12,
    kind: Literal["auto", "bars", "heatmap"] = "auto",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """The credit of each item (channel, ...) under each model: grouped bars or a heat map.

    Items are ordered by their mean credit over the models; with ``top``,
    only the ``top`` items with the most credit are shown (the title says
    how many are left out). ``value=True`` plots credited value instead of
    conversions. ``kind="bars"`` draws bars side by side, ``"heatmap"`` a
    grid of items x models whose cells are coloured by the share of the
    model's credit and labelled with the credit; ``"auto"`` draws bars for
    up to four models and the heat map for more. Returns the ``Axes``.

    >>> from matplotlib.figure import Figure
    >>> from touchpath.attribution import FirstTouch, LastTouch, PathCounts, compare_models
    >>> c = compare_models(PathCounts.from_rows([(["ads", "seo"], 3, 1, 0)]),
    ...             {"first": FirstTouch(), "last": LastTouch()})
    >>> ax = attribution(c, ax=Figure().add_subplot())
    >>> [t.get_text() for t in ax.get_legend().get_texts()], ax.get_ylabel()
    (['first', 'last'], 'conversions credited')
    """
    from ..attribution import AttributionResult, Comparison

    if isinstance(data, AttributionResult):
        labels: tuple[str, ...] = (data.model,)
        results: tuple[AttributionResult, ...] = (data,)
    elif isinstance(data, Comparison):
        labels, results = data.labels, data.results
    else:
        raise UnsupportedInputError(
            "plot.attribution() draws a Comparison (touchpath.compare) or an AttributionResult; "
            f"got {type(data).__name__}"
        )
    top_given: object = top
    if top_given is not None and (
        isinstance(top_given, bool) or not isinstance(top_given, int) or top_given < 1
    ):
        raise ConfigError(f"'top' must be a positive integer or None; got {top!r}")
    if kind not in ("auto", "bars", "heatmap"):
        raise ConfigError(f"'kind' must be auto, bars or heatmap; got {kind!r}")
    if kind == "heatmap" or (kind == "auto" and len(results) > 4):
        from ._views import attribution_heatmap

        n_items = len({x for r in results for x in r.items})
        ax = _axes(
            ax,
            "touchpath.plot.attribution()",
            (max(6.0, 0.9 * len(results) + 3), 0.4 * min(n_items, top or n_items) + 2),
        )
        shown_n, all_n, noun = attribution_heatmap(ax, labels, results, value=value, top=top)
        if title is None:
            what = "Value" if value else "Conversions"
            title = f"{what} credited by {len(results)} model{'s' if len(results) != 1 else ''}"
            if shown_n < all_n:
                title += f" (top {shown_n} of {all_n} {noun}s)"
        ax.set_title(title)
        return ax
    ax = _axes(ax, "touchpath.plot.attribution()", (9.0, 4.8))
    items = sorted({x for r in results for x in r.items})
    credits = np.array(
        [[r.credits(value=value).get(x, 0.0) for x in items] for r in results], dtype=np.float64
    ).reshape(len(results), len(items))
    order = sorted(range(len(items)), key=lambda i: (-float(credits[:, i].mean()), items[i]))
    hidden = 0
    if top is not None and len(order) > top:
        hidden = len(order) - top
        order = order[:top]
    shown = [items[i] for i in order]
    x = np.arange(len(shown))
    n = max(len(results), 1)
    width = 0.82 / n
    for k, label in enumerate(labels):
        ax.bar(
            x - 0.41 + width * (k + 0.5),
            credits[k, order] if len(order) else np.zeros(0),
            width=width,
            label=label,
            color=PALETTE[k % len(PALETTE)],
        )
    ax.set_xticks(x, shown, rotation=40, ha="right")
    by = results[0].level if results else None
    ax.set_xlabel(by.value if by is not None else "item")
    ax.set_ylabel("value credited" if value else "conversions credited")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(
        title="model",
        fontsize=8,
        title_fontsize=9,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    _thousands(ax, "y")
    if title is None:
        what = "Value" if value else "Conversions"
        title = f"{what} credited by {len(results)} model{'s' if len(results) != 1 else ''}"
        if hidden:
            title += f" (top {len(shown)} of {len(items)} {by.value if by else 'item'}s)"
    ax.set_title(title)
    return ax


# -- transitions --------------------------------------------------------------------------------


@attrs.frozen
class _Flow:
    """What :func:`transitions` draws, whatever it was given: nodes, moves, the map."""

    sizes: dict[str, float]
    """Journeys visiting each node (visits when journeys are not known)."""
    entries: dict[str, int]
    """Journeys starting at each node (0 when not known)."""
    moves: list[tuple[str, str, int, bool]]
    """(source, target, count, shadow) for every observed move, self-moves included."""
    journey_map: JourneyMap | None
    level: str
    """Stage, touchpoint or channel (a transition graph's own level)."""


def _flow(
    data: object, journey_map: JourneyMap | None, level: Literal["stage", "touchpoint", "channel"]
) -> _Flow:
    """One shape for every input; shadow moves as the overlay classifies them."""
    import networkx as nx

    from ..metrics import TransitionGraph, transition_graph
    from ..validation import EdgeStatus, MapComparison, compare_to_map, overlay_edges

    if isinstance(data, EventLog) and journey_map is not None and level == "stage":
        data = compare_to_map(data, journey_map)
    if isinstance(data, MapComparison):
        if level != "stage":
            raise ConfigError(f"a MapComparison holds moves between stages; got level={level!r}")
        if journey_map is not None and journey_map != data.journey_map:
            raise ConfigError(
                f"the comparison is against map {data.journey_map.name!r}, not "
                f"{journey_map.name!r}; pass the comparison alone"
            )
        return _Flow(
            {k: float(v) for k, v in data.stage_journeys.items()},
            {},
            [
                (e.source, e.target, int(e.count), e.status is EdgeStatus.SHADOW)
                for e in data.edges
                if e.count
            ],
            data.journey_map,
            "stage",
        )
    if isinstance(data, EventLog):
        data = transition_graph(data, level=level)
    drawn_level: str = level
    if isinstance(data, TransitionGraph):
        drawn_level = data.level.value
        sizes = {n.id: float(n.journeys) for n in data.nodes}
        entries = {n.id: n.entries for n in data.nodes}
        counts = {(e.source, e.target): e.count for e in data.edges}
    elif isinstance(data, nx.DiGraph):
        sizes = {n: float(d.get("journeys", d.get("visits", 1))) for n, d in data.nodes(data=True)}
        entries = {n: int(d.get("entries", 0)) for n, d in data.nodes(data=True)}
        counts = {(a, b): int(c) for a, b, c in data.edges(data="count", default=0)}
    else:
        raise UnsupportedInputError(
            "plot.transitions() draws an EventLog, a MapComparison or a TransitionGraph "
            f"(or a networkx DiGraph with 'count' edge attributes); got {type(data).__name__}"
        )
    shadows: set[tuple[str, str]] = set()
    if journey_map is not None:
        shadows = {
            (e.source, e.target)
            for e in overlay_edges(journey_map, counts)
            if e.status is EdgeStatus.SHADOW
        }
    moves = [(a, b, c, (a, b) in shadows) for (a, b), c in counts.items()]
    return _Flow(sizes, entries, moves, journey_map, drawn_level)


def _flow_order(flow: _Flow) -> list[str]:
    """Map order first (when given), then the rest breadth-first from the entry nodes."""
    nodes = set(flow.sizes) | {m[0] for m in flow.moves} | {m[1] for m in flow.moves}
    order: list[str] = []
    if flow.journey_map is not None:
        order = [s for s in flow.journey_map.stage_ids if s in nodes]
    seen = set(order)
    successors: dict[str, list[tuple[int, str]]] = {}
    for a, b, c, _ in flow.moves:
        successors.setdefault(a, []).append((c, b))
    starts = sorted((n for n in nodes if n not in seen), key=lambda n: (-flow.entries.get(n, 0), n))
    for start in starts:
        if start in seen:
            continue
        queue = [start]
        seen.add(start)
        while queue:
            node = queue.pop(0)
            order.append(node)
            nexts = sorted(
                ((c, t) for c, t in successors.get(node, []) if t not in seen),
                key=lambda ct: (-ct[0], ct[1]),
            )
            for _, t in nexts:
                if t not in seen:
                    seen.add(t)
                    queue.append(t)
    return order


def transitions(
    data: EventLog | MapComparison | TransitionGraph | nx.DiGraph[str],
    *,
    journey_map: JourneyMap | None = None,
    level: Literal["stage", "touchpoint", "channel"] = "stage",
    min_share: float = 0.0,
    label_min_share: float = 0.05,
    off_map: Literal["auto", "arcs", "matrix"] = "auto",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """The observed moves between stages as a layered flow picture.

    Stages sit in a row (in the map's order when ``journey_map`` is given),
    each dot's area proportional to the journeys that visit it (the legend
    names the largest). Every observed move is an arc whose width grows
    with its count: forward moves above the row, moves back below it
    (dashed). Arcs carrying at least ``label_min_share`` of the largest
    move are labelled with their count, just outside the arc's top; the
    legend says which are not. Moves carrying less than ``min_share`` of
    all moves are left out. ``data`` is an :class:`~touchpath.EventLog`, a
    :class:`~touchpath.validation.MapComparison`, a
    :class:`~touchpath.metrics.TransitionGraph` from
    :func:`touchpath.transition_graph` (or its networkx graph: edges with a
    ``count``).

    With a ``MapComparison`` (or a ``journey_map``, against which a log is
    compared with :func:`~touchpath.validation.compare_to_map`), the shadow
    moves (:attr:`EdgeStatus.SHADOW <touchpath.validation.EdgeStatus>`: moves
    the map does not have) are drawn in red; ``off_map="matrix"`` draws them instead
    as a from x to matrix of counts beside the arcs (a second axes in the
    same figure, titled "Moves not in the map"), which keeps the picture
    readable when there are many; ``"auto"`` picks the matrix above six
    off-map moves.

    >>> from matplotlib.figure import Figure
    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": t, "stage": s}
    ...     for t, s in enumerate(["visit", "trial", "visit", "paid"])])
    >>> ax = transitions(log, ax=Figure().add_subplot())
    >>> [t.get_text() for t in ax.get_legend().get_texts()][:2]
    ['forward move', 'backward move']
    """
    import matplotlib as mpl

    flow = _flow(data, journey_map, level)
    journey_map, drawn = flow.journey_map, flow.level
    shares: tuple[tuple[str, object], ...] = (
        ("min_share", min_share),
        ("label_min_share", label_min_share),
    )
    for name, given in shares:
        if isinstance(given, bool) or not isinstance(given, int | float) or not 0 <= given < 1:
            raise ConfigError(f"{name!r} must be a number in [0, 1); got {given!r}")
    if off_map not in ("auto", "arcs", "matrix"):
        raise ConfigError(f"'off_map' must be auto, arcs or matrix; got {off_map!r}")
    _require_matplotlib("touchpath.plot.transitions()")
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path as MplPath

    curve3 = [MplPath.MOVETO, MplPath.CURVE3, MplPath.CURVE3]

    order = _flow_order(flow)
    ax = _axes(ax, "touchpath.plot.transitions()", (max(6.0, 1.2 * len(order) + 3), 4.6))
    ink = mpl.rcParams["text.color"]
    position = {n: i for i, n in enumerate(order)}
    total = sum(c for _, _, c, _ in flow.moves)
    if total == 0:
        warnings.warn(
            "no journey moves from one stage to another, so there are no transitions to draw",
            UndefinedResultWarning,
            stacklevel=2,
        )
        ax.text(0.5, 0.5, "no moves between stages in the data", ha="center", va="center",
                transform=ax.transAxes)  # fmt: skip
    shadow_pairs = {(a, b) for a, b, _, shadow in flow.moves if shadow}
    moves = [
        (source, target, count)
        for source, target, count, _ in sorted(flow.moves)
        if source != target and not (total and count / total < min_share)
    ]
    shadows = [m for m in moves if (m[0], m[1]) in shadow_pairs]
    as_matrix = off_map == "matrix" or (off_map == "auto" and len(shadows) > 6)
    if as_matrix and shadows:
        moves = [m for m in moves if m not in shadows]
    biggest = max((c for _, _, c in moves), default=0) or 1
    kinds: set[str] = set()
    unlabelled = 0
    up, down = 1, 0
    for source, target, count in moves:
        a, b = position[source], position[target]
        forward = b > a
        if forward:
            up = max(up, b - a)
        else:
            down = max(down, a - b)
        shadow = (source, target) in shadow_pairs
        kinds.add("forward" if forward else "backward")
        if shadow:
            kinds.add("shadow")
        colour = _SHADOW if shadow else (_FORWARD if forward else _BACKWARD)
        lw = 0.8 + 9.0 * math.sqrt(count / biggest)
        # a quadratic Bezier in data coordinates: forward arcs bulge up, backward ones down
        bulge = _BULGE * (b - a)
        arc = FancyArrowPatch(
            path=MplPath([(a, 0.0), ((a + b) / 2, bulge), (b, 0.0)], curve3),
            arrowstyle="-|>",
            mutation_scale=8 + lw,
            linewidth=lw,
            color=colour,
            alpha=0.55,
            linestyle="-" if forward else (0, (4, 2)),
        )
        ax.add_patch(arc)
        if count >= label_min_share * biggest:
            # the curve's apex is at bulge / 2; the label sits just outside the line there
            ax.annotate(
                f"{count:,}",
                ((a + b) / 2, bulge / 2),
                xytext=(0, (lw / 2 + 2) * (1 if forward else -1)),
                textcoords="offset points",
                ha="center",
                va="bottom" if forward else "top",
                fontsize=8,
                bbox={
                    "facecolor": ax.get_facecolor(),
                    "alpha": 0.8,
                    "edgecolor": "none",
                    "pad": 0.8,
                },
                zorder=5,
            )
        else:
            unlabelled += 1
    visits = np.array([flow.sizes.get(n, 1.0) for n in order])
    most = float(visits.max()) if len(visits) and visits.max() > 0 else 1.0
    x = np.arange(len(order), dtype=np.float64)
    dot_area = 80 + 900 * visits / most
    ax.scatter(x, np.zeros(len(order)), s=dot_area, color=ink, zorder=3)
    for i, node in enumerate(order):
        ax.annotate(
            node,
            (i, 0.0),
            xytext=(0, -(math.sqrt(float(dot_area[i])) / 2 + 3)),
            textcoords="offset points",
            ha="center" if len(order) <= 6 else "right",
            va="top",
            rotation=0 if len(order) <= 6 else 30,
            rotation_mode="anchor",
            fontsize=9,
            zorder=4,
        )
    ax.set_xlim(-0.7, max(len(order) - 0.3, 0.7))
    ax.set_ylim(-max(_BULGE * down / 2 + 0.15, 0.25), _BULGE * up / 2 + 0.15)
    ax.set_yticks([])
    ax.set_xticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(f"{drawn}s{' in map order' if journey_map is not None else ''}")
    handles = []
    if "forward" in kinds:
        handles.append(Line2D([], [], color=_FORWARD, linewidth=3, label="forward move"))
    if "backward" in kinds:
        handles.append(
            Line2D([], [], color=_BACKWARD, linestyle="--", linewidth=3, label="backward move")
        )
    if "shadow" in kinds:
        handles.append(Line2D([], [], color=_SHADOW, linewidth=3, label="move not in the map"))
    if as_matrix and shadows:
        handles.append(
            Line2D(
                [],
                [],
                color=_SHADOW,
                linestyle="none",
                marker="s",
                markersize=8,
                label=f"{len(shadows)} moves not in the map: matrix",
            )
        )
    if order:
        handles.append(
            Line2D(
                [],
                [],
                color=ink,
                linestyle="none",
                marker="o",
                markersize=math.sqrt(80 + 900) * 0.5,
                label=f"dot area: journeys ({int(most):,} largest)",
            )
        )
    if unlabelled:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                label=f"{unlabelled} arcs under {label_min_share:.0%} of the largest unlabelled",
            )
        )
    if handles:
        beside = not (as_matrix and shadows)  # with the matrix beside, the legend goes below
        ax.legend(
            handles=handles,
            loc="upper left" if beside else "upper center",
            bbox_to_anchor=(1.01, 1.0) if beside else (0.5, -0.12),
            ncols=1 if beside else 2,
            fontsize=8,
            frameon=False,
            markerscale=0.6,
        )
    if as_matrix and shadows:
        _off_map_matrix(ax, shadows, order)
    if title is None:
        title = f"Observed moves between {drawn}s ({total:,} moves)"
    ax.set_title(title)
    return ax


def _off_map_matrix(ax: Axes, shadows: list[tuple[str, str, int]], order: list[str]) -> Axes:
    """Beside ``ax`` (splitting its grid cell), a from x to matrix of the off-map moves."""
    sources = [n for n in order if any(s == n for s, _, _ in shadows)]
    targets = [n for n in order if any(t == n for _, t, _ in shadows)]
    grid = np.full((len(sources), len(targets)), np.nan)
    for s, t, c in shadows:
        grid[sources.index(s), targets.index(t)] = c
    spec = ax.get_subplotspec()
    if spec is not None:
        cells = spec.subgridspec(1, 2, width_ratios=[3, 2], wspace=0.08)
        ax.set_subplotspec(cells[0])
        side = ax.figure.add_subplot(cells[1])
    else:  # an Axes placed by hand: put the matrix in its lower right corner
        side = ax.inset_axes((0.62, 0.05, 0.36, 0.5))
    from ._views import _heatmap

    texts = [["" if np.isnan(v) else f"{int(v):,}" for v in row] for row in grid.tolist()]
    _heatmap(
        side,
        grid,
        texts,
        sources,
        targets,
        cmap="Reds",
        vmin=0.0,
        vmax=float(np.nanmax(grid)) if len(shadows) else 1.0,
        colorbar="moves",
    )
    side.set_xticks(range(len(targets)), targets, rotation=40, ha="right")
    side.set_xlabel("to")
    side.set_ylabel("from")
    side.set_title(f"Moves not in the map ({sum(c for _, _, c in shadows):,})", fontsize=10)
    return side


# -- time to convert ----------------------------------------------------------------------------


def conversion_durations(log: EventLog) -> npt.NDArray[np.int64]:
    """Microseconds from each converting journey's first event to its first conversion.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "channel": "ads"},
    ...     {"journey_id": "a", "timestamp": 90, "channel": "seo", "converted": True},
    ...     {"journey_id": "a", "timestamp": 99, "channel": "seo", "converted": True},
    ...     {"journey_id": "b", "timestamp": 5, "channel": "ads"}])
    >>> (conversion_durations(log) // 1_000_000).tolist()
    [90]
    """
    idx = np.flatnonzero(log.converted)
    if not len(idx):
        return np.zeros(0, dtype=np.int64)
    journeys = log.event_journey[idx]
    first = np.ones(len(idx), dtype=np.bool_)
    first[1:] = journeys[1:] != journeys[:-1]
    events, owners = idx[first], journeys[first]
    out: npt.NDArray[np.int64] = log.timestamps[events] - log.timestamps[log.offsets[owners]]
    return out


def _as_microseconds(data: EventLog | Sequence[dt.timedelta]) -> npt.NDArray[np.int64]:
    if isinstance(data, EventLog):
        return conversion_durations(data)
    given: object = data
    if isinstance(given, str | bytes) or not isinstance(given, Sequence | np.ndarray):
        raise UnsupportedInputError(
            "plot.time_to_convert() draws an EventLog or a sequence of timedeltas; "
            f"got {type(data).__name__}"
        )
    out = []
    for d in data:
        if not isinstance(d, dt.timedelta):
            raise UnsupportedInputError(
                f"plot.time_to_convert() needs timedeltas; got {type(d).__name__} {d!r}"
            )
        out.append(d // dt.timedelta(microseconds=1))
    return np.asarray(out, dtype=np.int64)


def time_to_convert(
    data: EventLog | Sequence[dt.timedelta],
    *,
    unit: TimeUnit = "auto",
    bins: int = 30,
    ax: Axes | None = None,
    title: str | None = None,
    color: str = PALETTE[0],
) -> Axes:
    """A histogram of the time from a journey's first event to its first conversion.

    ``data`` is an :class:`~touchpath.EventLog` (every converting journey
    counts once) or a sequence of timedeltas. The median is drawn as a line
    and named in the legend. Returns the ``Axes``.

    >>> import datetime as dt
    >>> from matplotlib.figure import Figure
    >>> days = [dt.timedelta(days=d) for d in (1, 2, 2, 3, 9)]
    >>> ax = time_to_convert(days, ax=Figure().add_subplot())
    >>> ax.get_xlabel(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('days to convert', ['median 2 days'])
    """
    if unit not in ("auto", "minutes", "hours", "days"):
        raise ConfigError(f"'unit' must be auto, minutes, hours or days; got {unit!r}")
    bins_given: object = bins
    if isinstance(bins_given, bool) or not isinstance(bins_given, int) or bins_given < 1:
        raise ConfigError(f"'bins' must be a positive integer; got {bins!r}")
    us = _as_microseconds(data)
    ax = _axes(ax, "touchpath.plot.time_to_convert()", (7.0, 4.0))
    import matplotlib as mpl

    median_us = float(np.median(us)) if len(us) else 0.0
    chosen = unit if unit != "auto" else ("hours" if median_us < 2 * _US_PER["days"] else "days")
    scaled = us.astype(np.float64) / _US_PER[chosen]
    if len(scaled):
        ax.hist(
            scaled,
            bins=bins,
            color=color,
            alpha=0.85,
            edgecolor=ax.get_facecolor(),
            label="_journeys",
        )
        median = median_us / _US_PER[chosen]
        shown = f"{median:.3g}"
        ax.axvline(
            median,
            color=mpl.rcParams["text.color"],
            linestyle="--",
            linewidth=1.5,
            label=f"median {shown} {chosen}",
        )
        # A fixed place outside the bars: loc="best" searches the artists and, on a busy
        # machine, matplotlib warns that the search is slow (a warning is an error in tests).
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        ax.text(0.5, 0.5, "no conversions", transform=ax.transAxes, ha="center", va="center")
    ax.set_xlabel(f"{chosen} to convert")
    ax.set_ylabel("converting journeys")
    _thousands(ax, "y")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title is None:
        title = f"Time from first event to conversion ({len(us):,} journeys)"
    ax.set_title(title)
    return ax

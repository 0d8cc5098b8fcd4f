"""The charts of :mod:`touchpath.plot`; matplotlib is imported inside each function."""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

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
    from ..metrics import FunnelResult

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
    2 on) the share of the previous step. Returns the ``Axes``.

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
    ax = _axes(ax, "touchpath.plot.funnel()", (7.0, 0.6 * len(result.steps) + 1.4))
    steps = result.steps
    reached = np.array([s.reached for s in steps], dtype=np.float64)
    widest = float(reached.max()) if len(reached) and reached.max() > 0 else 1.0
    y = np.arange(len(steps))
    ax.barh(y, reached, color=color, height=0.72)
    for k, s in enumerate(steps):
        label = f"{s.reached:,}  ({_pct(s.conversion_from_first.value)} of first"
        label += ")" if k == 0 else f", {_pct(s.conversion_from_previous.value)} of previous)"
        inside = s.reached >= 0.6 * widest
        ax.text(
            widest * 0.02 if inside else s.reached + widest * 0.01,
            k,
            label,
            va="center",
            ha="left",
            color="white" if inside else "#1f2430",
            fontsize=9,
        )
    ax.set_yticks(y, [s.step for s in steps])
    ax.invert_yaxis()
    ax.set_xlim(0, widest * 1.5)
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
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Grouped bars: the credit of each item (channel, ...) under each model, side by side.

    Items are ordered by their mean credit over the models; with ``top``,
    only the ``top`` items with the most credit are shown (the title says
    how many are left out). ``value=True`` plots credited value instead of
    conversions. Returns the ``Axes``.

    >>> from matplotlib.figure import Figure
    >>> from touchpath.attribution import FirstTouch, LastTouch, PathCounts, compare
    >>> c = compare(PathCounts.from_rows([(["ads", "seo"], 3, 1, 0)]),
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
    by = results[0].by if results else None
    ax.set_xlabel(by.value if by is not None else "item")
    ax.set_ylabel("value credited" if value else "conversions credited")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(title="model", fontsize=8, title_fontsize=9, ncols=2 if n > 5 else 1, frameon=False)
    if title is None:
        what = "Value" if value else "Conversions"
        title = f"{what} credited by {len(results)} model{'s' if len(results) != 1 else ''}"
        if hidden:
            title += f" (top {len(shown)} of {len(items)} {by.value if by else 'item'}s)"
    ax.set_title(title)
    return ax


# -- transitions --------------------------------------------------------------------------------


def _flow_order(graph: nx.DiGraph[str], journey_map: JourneyMap | None) -> list[str]:
    """Map order first (when given), then the rest breadth-first from the entry nodes."""
    nodes = set(graph.nodes)
    order: list[str] = []
    if journey_map is not None:
        order = [s for s in journey_map.stage_ids if s in nodes]
    seen = set(order)
    starts = sorted(
        (n for n in graph.nodes if n not in seen),
        key=lambda n: (-int(graph.nodes[n].get("entries", 0)), n),
    )
    for start in starts:
        if start in seen:
            continue
        queue = [start]
        seen.add(start)
        while queue:
            node = queue.pop(0)
            order.append(node)
            nexts = sorted(
                (t for t in graph.successors(node) if t not in seen),
                key=lambda t: (-int(graph.edges[node, t].get("count", 0)), t),
            )
            for t in nexts:
                seen.add(t)
                queue.append(t)
    return order


def transitions(
    data: EventLog | nx.DiGraph[str],
    *,
    journey_map: JourneyMap | None = None,
    level: Literal["stage", "touchpoint", "channel"] = "stage",
    min_share: float = 0.0,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """The observed moves between stages as a layered flow picture.

    Stages sit in a row (in the map's order when ``journey_map`` is given),
    each dot sized by the journeys that visit it. Every observed move is an
    arc whose width grows with its count: forward moves above the row,
    moves back below it (dashed). With a ``journey_map``, moves the map
    does not have (shadow transitions) are drawn in red. Moves carrying
    less than ``min_share`` of all moves are left out. ``data`` is an
    :class:`~touchpath.EventLog` or a graph from
    :func:`touchpath.transition_graph` (edges with a ``count``).

    >>> from matplotlib.figure import Figure
    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": t, "stage": s}
    ...     for t, s in enumerate(["visit", "trial", "visit", "paid"])])
    >>> ax = transitions(log, ax=Figure().add_subplot())
    >>> sorted(t.get_text() for t in ax.get_legend().get_texts())
    ['backward move', 'forward move']
    """
    import networkx as nx

    from ..metrics import transition_graph

    if isinstance(data, EventLog):
        graph = transition_graph(data, level=level)
    elif isinstance(data, nx.DiGraph):
        graph = data
    else:
        raise UnsupportedInputError(
            "plot.transitions() draws an EventLog or a transition graph (networkx DiGraph); "
            f"got {type(data).__name__}"
        )
    given: object = min_share
    if isinstance(given, bool) or not isinstance(given, int | float) or not 0 <= given < 1:
        raise ConfigError(f"'min_share' must be a number in [0, 1); got {min_share!r}")
    _require_matplotlib("touchpath.plot.transitions()")
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path as MplPath

    curve3 = [MplPath.MOVETO, MplPath.CURVE3, MplPath.CURVE3]

    order = _flow_order(graph, journey_map)
    ax = _axes(ax, "touchpath.plot.transitions()", (max(6.0, 1.2 * len(order) + 2), 4.6))
    position = {n: i for i, n in enumerate(order)}
    counts = [int(c) for _, _, c in graph.edges(data="count", default=0)]
    total = sum(counts)
    if total == 0:
        warnings.warn(
            "no journey moves from one stage to another, so there are no transitions to draw",
            UndefinedResultWarning,
            stacklevel=2,
        )
        ax.text(0.5, 0.5, "no moves between stages in the data", ha="center", va="center",
                transform=ax.transAxes)  # fmt: skip
    biggest = max(counts, default=0) or 1
    designed: set[tuple[str, str]] = set()
    if journey_map is not None:
        designed = {(e.source, e.target) for e in journey_map.edges}
    kinds: set[str] = set()
    up, down = 1, 0
    for source, target, count in sorted(graph.edges(data="count", default=0)):
        if source == target or (total and count / total < min_share):
            continue
        a, b = position[source], position[target]
        forward = b > a
        if forward:
            up = max(up, b - a)
        else:
            down = max(down, a - b)
        shadow = journey_map is not None and (source, target) not in designed
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
        if count >= 0.05 * biggest:
            ax.text(
                (a + b) / 2,
                bulge / 2,
                f"{count:,}",
                ha="center",
                va="bottom" if forward else "top",
                fontsize=8,
                color="#1f2430",
            )
    visits = np.array(
        [float(graph.nodes[n].get("journeys", graph.nodes[n].get("visits", 1))) for n in order]
    )
    most = float(visits.max()) if len(visits) and visits.max() > 0 else 1.0
    x = np.arange(len(order), dtype=np.float64)
    ax.scatter(x, np.zeros(len(order)), s=80 + 900 * visits / most, color="#1f2430", zorder=3)
    for i, node in enumerate(order):
        ax.text(i, -0.14, node, ha="center", va="top", fontsize=9, zorder=4)
    ax.set_xlim(-0.7, max(len(order) - 0.3, 0.7))
    ax.set_ylim(-max(_BULGE * down / 2 + 0.15, 0.25), _BULGE * up / 2 + 0.15)
    ax.set_yticks([])
    ax.set_xticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(f"{level}s{' in map order' if journey_map is not None else ''}")
    handles = []
    if "forward" in kinds:
        handles.append(Line2D([], [], color=_FORWARD, linewidth=3, label="forward move"))
    if "backward" in kinds:
        handles.append(
            Line2D([], [], color=_BACKWARD, linestyle="--", linewidth=3, label="backward move")
        )
    if "shadow" in kinds:
        handles.append(Line2D([], [], color=_SHADOW, linewidth=3, label="move not in the map"))
    if handles:
        ax.legend(handles=handles, loc="upper right", fontsize=8, frameon=False)
    if title is None:
        title = f"Observed moves between {level}s ({total:,} moves)"
    ax.set_title(title)
    return ax


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
    median_us = float(np.median(us)) if len(us) else 0.0
    chosen = unit if unit != "auto" else ("hours" if median_us < 2 * _US_PER["days"] else "days")
    scaled = us.astype(np.float64) / _US_PER[chosen]
    if len(scaled):
        ax.hist(scaled, bins=bins, color=color, alpha=0.85, edgecolor="white", label="_journeys")
        median = median_us / _US_PER[chosen]
        shown = f"{median:.3g}"
        ax.axvline(
            median, color="#1f2430", linestyle="--", linewidth=1.5, label=f"median {shown} {chosen}"
        )
        ax.legend(frameon=False)
    else:
        ax.text(0.5, 0.5, "no conversions", transform=ax.transAxes, ha="center", va="center")
    ax.set_xlabel(f"{chosen} to convert")
    ax.set_ylabel("converting journeys")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title is None:
        title = f"Time from first event to conversion ({len(us):,} journeys)"
    ax.set_title(title)
    return ax

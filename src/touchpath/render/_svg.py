"""A self-contained SVG diagram of a journey map, drawn without JavaScript or network.

The drawing is plain SVG 1.1 (no scripts, no external fonts, images, style
sheets or ids to clash), so it shows the same offline in Jupyter, inside the
HTML report, as a ``.svg`` file on GitHub, and in any browser.

This module paints; where things go (columns by rank, lanes and gaps that
keep edges clear of the boxes) is decided by :mod:`._layout`, which knows
nothing of SVG. The observed overlay is a
:class:`~touchpath.validation.MapComparison` (or plain counts classified by
the same :func:`~touchpath.validation.overlay_edges`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

from .._model import Phase
from .._repr import escape, format_number
from ..exceptions import ConfigError, UnsupportedInputError
from ..validation._compare import EdgeStatus, MapComparison, OverlayEdge, overlay_edges
from ._layout import (
    BOX_H,
    BOX_H_NO_COUNT,
    BOX_W,
    Point,
    arrow_head,
    dedupe,
    label_point,
    layout,
    text_width,
    unit,
    wrap_label,
)

if TYPE_CHECKING:
    import networkx as nx

    from .._map import JourneyMap
    from ..metrics import TransitionGraph

__all__ = ["Observed", "text_width", "to_svg", "wrap_label"]

Observed: TypeAlias = "MapComparison | TransitionGraph | nx.DiGraph[Any]"
"""What :func:`to_svg` overlays on a map: a comparison, a stage-level transition graph, or a
networkx graph of stage ids with ``count`` edge attributes (for annotations only: the alias
is text at run time, since networkx graphs cannot be subscripted then)."""

# -- palette and type sizes ------------------------------------------------------------------

PAD: Final = 16.0
NAME_SIZE: Final = 13.0
NAME_LINE: Final = 16.0
SMALL_SIZE: Final = 11.0
TITLE_SIZE: Final = 15.0
NAME_LINES: Final = 2
CORNER: Final = 10.0

FONT: Final = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"
INK: Final = "#1f2430"
MUTED: Final = "#5b6170"
EDGE: Final = "#4b5563"
UNUSED: Final = "#c3c7cf"
SHADOW: Final = "#e8590c"

PHASE_COLORS: Final[Mapping[Phase | None, tuple[str, str]]] = {
    Phase.BEFORE_PURCHASE: ("#e3edff", "#3b6fc4"),
    Phase.DURING_PURCHASE: ("#fff1d6", "#b87a0b"),
    Phase.AFTER_PURCHASE: ("#dff5e6", "#2f8f55"),
    None: ("#f0f1f4", "#6b7080"),
}
"""Fill and stroke of a stage box by phase (``None``: no phase)."""

_Kind = Literal["forward", "loop_back", "shadow"]
_CSS: Final[Mapping[_Kind, str]] = {
    "forward": "tp-forward",
    "loop_back": "tp-loop-back",
    "shadow": "tp-shadow",
}
_WHAT: Final[Mapping[_Kind, str]] = {
    "forward": "forward transition",
    "loop_back": "loop-back",
    "shadow": "observed, not on the map",
}


# -- small SVG helpers ---------------------------------------------------------------------------


def _n(x: float) -> str:
    """A coordinate as short, deterministic text."""
    r = round(x, 1)
    if r == 0:
        r = 0.0
    text = f"{r:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _pt(p: Point) -> str:
    return f"{_n(p[0])},{_n(p[1])}"


def _rounded_path(points: list[Point]) -> str:
    """SVG path data through points, with rounded corners."""
    parts = [f"M{_pt(points[0])}"]
    for i in range(1, len(points) - 1):
        a, c, b = points[i - 1], points[i], points[i + 1]
        r = min(CORNER, math.dist(a, c) / 2, math.dist(c, b) / 2)
        ua, ub = unit(a, c), unit(c, b)
        p1 = (c[0] - ua[0] * r, c[1] - ua[1] * r)
        p2 = (c[0] + ub[0] * r, c[1] + ub[1] * r)
        parts.append(f"L{_pt(p1)}Q{_pt(c)} {_pt(p2)}")
    parts.append(f"L{_pt(points[-1])}")
    return "".join(parts)


# -- the observed overlay -------------------------------------------------------------------------


class _Drawn:
    """An edge to paint: stage indices, its kind, and its count (None without an overlay)."""

    __slots__ = ("count", "kind", "s", "t")

    def __init__(self, s: int, t: int, kind: _Kind, count: float | None) -> None:
        self.s, self.t, self.kind, self.count = s, t, kind, count


_Skipped = tuple[int, float]  # (distinct pairs or stages, total count)


def _overlay(
    journey_map: JourneyMap, observed: object
) -> tuple[tuple[OverlayEdge, ...], _Skipped, _Skipped]:
    """The overlay's edges between map stages, plus what cannot be drawn (unknown, repeats)."""
    from ..metrics import TransitionGraph

    if isinstance(observed, MapComparison):
        if observed.journey_map != journey_map:
            raise ConfigError(
                f"the comparison is against map {observed.journey_map.name!r}, not "
                f"{journey_map.name!r}; draw it with to_svg(comparison)"
            )
        known = set(journey_map.stage_ids)
        drawn = tuple(e for e in observed.edges if e.source in known and e.target in known)
        off = [e for e in observed.edges if e.source not in known or e.target not in known]
        return drawn, (len(off), float(sum(e.count for e in off))), (0, 0.0)
    if isinstance(observed, TransitionGraph):
        if observed.level.value != "stage":
            raise ConfigError(
                "a transition graph drawn on a map must be at level 'stage'; "
                f"got level {observed.level.value!r}"
            )
        counts: dict[tuple[str, str], int | float] = {
            (e.source, e.target): e.count for e in observed.edges
        }
    else:
        counts = _networkx_counts(observed)
    known = set(journey_map.stage_ids)
    unknown = {p: c for p, c in counts.items() if p[0] not in known or p[1] not in known}
    repeats = {p: c for p, c in counts.items() if p not in unknown and p[0] == p[1]}
    kept = {p: c for p, c in counts.items() if p not in unknown and p not in repeats}
    return (
        overlay_edges(journey_map, kept),
        (len(unknown), float(sum(unknown.values()))),
        (len(repeats), float(sum(repeats.values()))),
    )


def _networkx_counts(observed: object) -> dict[tuple[str, str], int | float]:
    """Counts by (source, target) of a networkx DiGraph (parallel edges added up)."""
    import networkx as nx

    if not isinstance(observed, nx.DiGraph):
        raise UnsupportedInputError(
            "'observed' must be a MapComparison, a TransitionGraph or a networkx DiGraph of "
            f"stage ids with 'count' edge attributes; got {type(observed).__name__}"
        )
    counts: dict[tuple[Any, Any], float] = {}
    for u, v, data in observed.edges(data=True):
        c = data.get("count")
        if (
            c is None
            or isinstance(c, bool)
            or not isinstance(c, numbers.Real)
            or not math.isfinite(float(c))
            or float(c) < 0
        ):
            raise UnsupportedInputError(
                f"observed edge {u!r} -> {v!r} needs a 'count' attribute that is a finite "
                f"number >= 0; got {c!r}"
            )
        counts[(u, v)] = counts.get((u, v), 0.0) + float(c)
    return dict(counts)


# -- drawing --------------------------------------------------------------------------------------


def _stage_tooltip(journey_map: JourneyMap, i: int, entry: bool, terminal: bool) -> str:
    stage = journey_map.stages[i]
    lines = [stage.name]
    if stage.id != stage.name:
        lines.append(f"id: {stage.id}")
    if stage.phase is not None:
        lines.append(f"phase: {stage.phase.value.replace('_', ' ')}")
    if stage.group:
        lines.append(f"group: {stage.group}")
    if stage.owner:
        lines.append(f"owner: {stage.owner}")
    if entry:
        lines.append("entry stage")
    if terminal:
        lines.append("terminal stage")
    tps = journey_map.touchpoints_of(stage.id)
    if tps:
        names = ", ".join(tp.name for tp in tps[:8])
        more = f", and {len(tps) - 8} more" if len(tps) > 8 else ""
        lines.append(f"touchpoints: {names}{more}")
    if stage.kpis:
        lines.append("KPIs: " + ", ".join(k.name for k in stage.kpis))
    return "\n".join(lines)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def to_svg(
    journey_map: JourneyMap | MapComparison,
    *,
    observed: Observed | None = None,
    touchpoints: bool = True,
    title: bool = True,
    legend: bool = True,
) -> str:
    """Draw a map as a self-contained SVG document (text; no script, no external reference).

    Stages are rounded boxes coloured by phase, laid out left to right by
    their rank along the forward edges (see :mod:`touchpath.render._layout`).
    Entry stages have a thick border, terminal stages a double border.
    Forward edges are solid arrows, loop-back edges dashed ones. With
    ``touchpoints=True`` each box shows its touchpoint count. Names that do
    not fit on two lines are cut with ``…``; every box has a tooltip
    (``<title>``) with the full name, id, phase, owner and touchpoints.

    Given a :class:`~touchpath.validation.MapComparison` (or a map and
    ``observed``), the observed traffic is drawn over the map, edge by edge
    as :attr:`MapComparison.edges <touchpath.validation.MapComparison.edges>`
    classifies it: every edge is labelled with its count and drawn with a
    width growing with it; dead map edges (nobody took them) are light grey;
    shadow moves (observed, not on the map; CSS class ``tp-shadow``) are
    orange. ``observed`` may also be a stage-level
    :class:`~touchpath.metrics.TransitionGraph` or a networkx ``DiGraph``
    whose nodes are stage ids and whose edges have a ``count`` attribute
    (parallel edges of a ``MultiDiGraph`` are added up). Moves from or to
    stages the map does not have, and repeats of a stage, are left out and
    counted in a note under the legend.

    Every text is XML-escaped and the output is deterministic.

    >>> from touchpath import EventLog, templates
    >>> from touchpath.validation import compare_to_map
    >>> svg = to_svg(templates.get("b2b_five_stage"))
    >>> svg.startswith("<svg") and svg.count('class="tp-stage') == 5
    True
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j", "timestamp": 0, "stage": "awareness"},
    ...     {"journey_id": "j", "timestamp": 60, "stage": "decision"}])
    >>> to_svg(compare_to_map(log, templates.get("b2b_five_stage"))).count("tp-shadow")
    1
    """
    if isinstance(journey_map, MapComparison):
        if observed is not None:
            raise ConfigError("a MapComparison is its own overlay; do not pass 'observed' too")
        observed, journey_map = journey_map, journey_map.journey_map
    stage_ids = journey_map.stage_ids
    index = {sid: i for i, sid in enumerate(stage_ids)}
    overlay = observed is not None
    skipped_unknown = skipped_self = (0, 0.0)

    # the edges to draw: the map's in declaration order, then shadow moves by stage order
    edges: list[_Drawn] = []
    if observed is None:
        for map_edge in journey_map.edges:
            kind: _Kind = "loop_back" if map_edge.is_loop_back else "forward"
            edges.append(_Drawn(index[map_edge.source], index[map_edge.target], kind, None))
    else:
        classified, skipped_unknown, skipped_self = _overlay(journey_map, observed)
        shadows: list[_Drawn] = []
        for overlay_edge in classified:
            s, t = index[overlay_edge.source], index[overlay_edge.target]
            if overlay_edge.status is EdgeStatus.SHADOW:
                shadows.append(_Drawn(s, t, "shadow", overlay_edge.count))
            else:
                kind = "loop_back" if overlay_edge.loop_back else "forward"
                edges.append(_Drawn(s, t, kind, overlay_edge.count))
        edges.extend(sorted(shadows, key=lambda d: (d.s, d.t)))

    box_h = BOX_H if touchpoints else BOX_H_NO_COUNT
    geometry = layout(journey_map, [(e.s, e.t) for e in edges], box_h=box_h)
    boxes = geometry.boxes

    max_count = max((e.count or 0.0 for e in edges), default=0.0)
    body: list[str] = []
    xs: list[float] = [0.0, geometry.width]
    ys: list[float] = [geometry.top_base, geometry.bottom_base]

    # edges first, so boxes sit on top of line ends
    for e, route in zip(edges, geometry.routes, strict=True):
        if not overlay:
            width = 1.6
        else:
            c = e.count or 0.0
            width = 1.25 + (6.75 * c / max_count if max_count > 0 else 0.0)
        color = SHADOW if e.kind == "shadow" else EDGE
        if overlay and not e.count and e.kind != "shadow":
            color = UNUSED
        points = dedupe(route.points)
        line_points, (tip, left, right) = arrow_head(points, width)
        head = f"M{_pt(tip)}L{_pt(left)}L{_pt(right)}Z"
        xs.extend(p[0] for p in points)
        ys.extend(p[1] for p in points)
        dash = (
            f' stroke-dasharray="{_n(4 + 1.5 * width)} {_n(2.5 + 1.2 * width)}"'
            if e.kind == "loop_back"
            else ""
        )
        s_id, t_id = stage_ids[e.s], stage_ids[e.t]
        tip_text = (
            f"{journey_map.stages[e.s].name} \u2192 {journey_map.stages[e.t].name}: {_WHAT[e.kind]}"
        )
        count_attr = ""
        if e.count is not None:
            tip_text += f", observed {format_number(e.count)} times"
            count_attr = f' data-count="{escape(format_number(e.count))}"'
        parts = [
            f'<g class="tp-edge {_CSS[e.kind]}" data-source="{escape(s_id)}" '
            f'data-target="{escape(t_id)}"{count_attr}>',
            f"<title>{escape(tip_text)}</title>",
            f'<path class="tp-line" d="{_rounded_path(line_points)}" fill="none" '
            f'stroke="{color}" stroke-width="{_n(width)}"{dash} stroke-linejoin="round"/>',
            f'<path class="tp-arrow" d="{head}" fill="{color}"/>',
        ]
        if e.count is not None:
            lx, ly, anchor = label_point(route, points)
            label = format_number(e.count)
            parts.append(
                f'<text class="tp-edge-count" x="{_n(lx)}" y="{_n(ly)}" '
                f'text-anchor="{anchor}" font-size="{_n(SMALL_SIZE)}" fill="{color}" '
                f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{escape(label)}</text>'
            )
            w = text_width(label, SMALL_SIZE)
            xs.extend((lx - w, lx + w))
            ys.extend((ly - SMALL_SIZE, ly + 4))
        parts.append("</g>")
        body.append("".join(parts))

    # stage boxes
    entries, terminals = set(journey_map.entry_stages), set(journey_map.terminal_stages)
    n_touchpoints = dict.fromkeys(stage_ids, 0)
    for tp in journey_map.touchpoints:
        n_touchpoints[tp.stage] += 1
    for box in boxes:
        stage = journey_map.stages[box.index]
        fill, stroke = PHASE_COLORS[stage.phase]
        is_entry, is_terminal = stage.id in entries, stage.id in terminals
        css = (
            "tp-stage" + (" tp-entry" if is_entry else "") + (" tp-terminal" if is_terminal else "")
        )
        lines, cut = wrap_label(stage.name, BOX_W - 16, NAME_SIZE, max_lines=NAME_LINES, bold=True)
        tooltip = _stage_tooltip(journey_map, box.index, is_entry, is_terminal)
        parts = [
            f'<g class="{css}" data-stage="{escape(stage.id)}" data-index="{box.index}"'
            + (' data-truncated="true"' if cut else "")
            + ">",
            f"<title>{escape(tooltip)}</title>",
        ]
        if is_terminal:
            parts.append(
                f'<rect x="{_n(box.x - 4)}" y="{_n(box.y - 4)}" width="{_n(BOX_W + 8)}" '
                f'height="{_n(box.h + 8)}" rx="11" fill="none" stroke="{stroke}" '
                'stroke-width="1.2"/>'
            )
        parts.append(
            f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(BOX_W)}" height="{_n(box.h)}" '
            f'rx="8" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{"3" if is_entry else "1.4"}"/>'
        )
        name_block = NAME_LINE * len(lines)
        count_h = 15.0 if touchpoints else 0.0
        top = box.y + (box.h - name_block - count_h) / 2
        tspans = "".join(
            f'<tspan x="{_n(box.cx)}" y="{_n(top + NAME_LINE * (j + 1) - 4)}">{escape(ln)}</tspan>'
            for j, ln in enumerate(lines)
        )
        parts.append(
            f'<text class="tp-name" text-anchor="middle" font-size="{_n(NAME_SIZE)}" '
            f'font-weight="600" fill="{INK}">{tspans}</text>'
        )
        if touchpoints:
            n = n_touchpoints[stage.id]
            parts.append(
                f'<text class="tp-count" x="{_n(box.cx)}" y="{_n(top + name_block + 12)}" '
                f'text-anchor="middle" font-size="{_n(SMALL_SIZE)}" fill="{MUTED}">'
                f"{escape(_plural(n, 'touchpoint'))}</text>"
            )
        parts.append("</g>")
        body.append("".join(parts))
        xs.extend((box.x - 5, box.x + BOX_W + 5))
        ys.extend((box.y - 5, box.y + box.h + 5))

    min_x, max_x = min(xs), max(xs)
    min_y, max_y = min(ys), max(ys)
    head_parts: list[str] = []
    if title:
        ty = min_y - 12
        head_parts.append(
            f'<text class="tp-title" x="{_n(min_x)}" y="{_n(ty)}" font-size="{_n(TITLE_SIZE)}" '
            f'font-weight="700" fill="{INK}">{escape(journey_map.name)}</text>'
        )
        max_x = max(max_x, min_x + text_width(journey_map.name, TITLE_SIZE, bold=True))
        min_y = ty - TITLE_SIZE
    foot: list[str] = []
    if legend:
        items = _legend_items(journey_map, edges, overlay)
        notes = _notes(overlay, skipped_unknown, skipped_self)
        legend_svg, legend_w, legend_h = _legend(items, notes, min_x, max_y + 18, max_x - min_x)
        foot.append(legend_svg)
        max_x = max(max_x, min_x + legend_w)
        max_y = max_y + 18 + legend_h
    vx, vy = min_x - PAD, min_y - PAD
    vw, vh = max_x - min_x + 2 * PAD, max_y - min_y + 2 * PAD
    label = f"Journey map {journey_map.name}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="touchpath-map" role="img" '
        f'width="{_n(vw)}" height="{_n(vh)}" viewBox="{_n(vx)} {_n(vy)} {_n(vw)} {_n(vh)}" '
        f'font-family="{FONT}" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>"
        f'<rect x="{_n(vx)}" y="{_n(vy)}" width="{_n(vw)}" height="{_n(vh)}" fill="#ffffff"/>'
        + "\n".join([*head_parts, *body, *foot])
        + "</svg>"
    )


_LegendItem = tuple[str, str]  # (swatch svg drawn at origin 0..24 x -9..3, text)


def _legend_items(journey_map: JourneyMap, edges: list[_Drawn], overlay: bool) -> list[_LegendItem]:
    items: list[_LegendItem] = []
    phases = {s.phase for s in journey_map.stages}
    for phase in (*Phase, None):
        if phase in phases:
            fill, stroke = PHASE_COLORS[phase]
            text = "no phase" if phase is None else phase.value.replace("_", " ")
            items.append(
                (
                    f'<rect x="0" y="-9" width="24" height="12" rx="3" fill="{fill}" '
                    f'stroke="{stroke}" stroke-width="1.4"/>',
                    text,
                )
            )
    items.append(
        (
            '<rect x="1" y="-9" width="22" height="12" rx="3" fill="#ffffff" '
            f'stroke="{MUTED}" stroke-width="3"/>',
            "entry stage",
        )
    )
    items.append(
        (
            f'<rect x="0" y="-10" width="24" height="14" rx="4" fill="none" stroke="{MUTED}" '
            'stroke-width="1"/><rect x="3" y="-7" width="18" height="8" rx="2" fill="#ffffff" '
            f'stroke="{MUTED}" stroke-width="1.2"/>',
            "terminal stage",
        )
    )
    kinds = {e.kind for e in edges}

    def line(color: str, dash: str = "") -> str:
        return (
            f'<path d="M0,-3L17,-3" stroke="{color}" stroke-width="1.6"{dash}/>'
            f'<path d="M24,-3L16,-7L16,1Z" fill="{color}"/>'
        )

    if "forward" in kinds:
        items.append((line(EDGE), "forward transition"))
    if "loop_back" in kinds:
        items.append((line(EDGE, ' stroke-dasharray="6 4"'), "loop-back"))
    if overlay:
        if any(e.kind != "shadow" and not e.count for e in edges):
            items.append((line(UNUSED), "designed, not observed"))
        if "shadow" in kinds:
            items.append((line(SHADOW), "observed, not on the map"))
    return items


def _notes(overlay: bool, unknown: tuple[int, float], selfs: tuple[int, float]) -> list[str]:
    notes: list[str] = []
    if overlay:
        notes.append("Labels: observed transitions; line width grows with the count.")
    if unknown[0]:
        notes.append(
            f"Not drawn: {_plural(unknown[0], 'observed transition')} "
            f"(count {format_number(unknown[1])}) from or to stages not on the map."
        )
    if selfs[0]:
        notes.append(
            f"Not drawn: repeats within {_plural(selfs[0], 'stage')} "
            f"(count {format_number(selfs[1])})."
        )
    return notes


def _legend(
    items: Iterable[_LegendItem], notes: list[str], x0: float, y0: float, width: float
) -> tuple[str, float, float]:
    """The legend as a flowing row of items plus note lines; (svg, width, height)."""
    width = max(width, 520.0)
    parts = ['<g class="tp-legend">']
    x, y, used_w = x0, y0 + 10, 0.0
    for swatch, text in items:
        w = 24 + 6 + text_width(text, SMALL_SIZE) + 18
        if x > x0 and x + w - 18 > x0 + width:
            x, y = x0, y + 20
        parts.append(
            f'<g transform="translate({_n(x)},{_n(y)})">{swatch}'
            f'<text x="30" y="0" font-size="{_n(SMALL_SIZE)}" fill="{MUTED}">'
            f"{escape(text)}</text></g>"
        )
        x += w
        used_w = max(used_w, x - x0 - 18)
    for note in notes:
        y += 18
        parts.append(
            f'<text class="tp-note" x="{_n(x0)}" y="{_n(y)}" font-size="{_n(SMALL_SIZE)}" '
            f'fill="{MUTED}">{escape(note)}</text>'
        )
        used_w = max(used_w, text_width(note, SMALL_SIZE))
    parts.append("</g>")
    return "".join(parts), used_w, y - y0 + 6

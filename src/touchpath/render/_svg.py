"""A self-contained SVG diagram of a journey map, drawn without JavaScript or network.

The drawing is plain SVG 1.1 (no scripts, no external fonts, images, style
sheets or ids to clash), so it shows the same offline in Jupyter, inside the
HTML report, as a ``.svg`` file on GitHub, and in any browser.

Layout: stages are placed in columns by *rank*, the length of the longest
forward path that reaches them from a stage no forward edge enters; within a
column, stages keep canonical order from top to bottom. Edges between
neighbouring columns are straight arrows. Other edges (loop-backs, forward
edges that skip columns, observed moves the map does not have) run as
rounded orthogonal paths through the free *lanes* above or below the
columns and the free gaps between columns, so they never cross a stage box:
backward moves prefer the lane above, forward skips the lane below.
"""

from __future__ import annotations

import itertools
import math
import numbers
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

from .._model import Phase
from .._repr import clean_text, escape, format_number
from ..exceptions import UnsupportedInputError

if TYPE_CHECKING:
    import networkx as nx

    from .._map import JourneyMap

__all__ = ["to_svg"]

# -- geometry and palette --------------------------------------------------------------------

BOX_W: Final = 152.0
BOX_H: Final = 60.0
BOX_H_NO_COUNT: Final = 46.0
COL_GAP: Final = 64.0
ROW_GAP: Final = 40.0
LANE_FIRST: Final = 24.0
LANE_STEP: Final = 14.0
GAP_STEP: Final = 9.0
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

EdgeKindName = Literal["forward", "loop_back", "observed_only"]
_Side = Literal["left", "right", "top", "bottom"]
_Lane = Literal["top", "bottom"]
_Point = tuple[float, float]


# -- text measuring and wrapping -----------------------------------------------------------------

_NARROW: Final = frozenset("iljtfrI.,;:!'|()[]{}`")
_WIDE_LATIN: Final = frozenset("mwMWQGOD@%")


def _char_width(ch: str) -> float:
    """Approximate advance of a character in em (sans-serif; errs on the wide side)."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0.0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch == " ":
        return 0.3
    if ch in _NARROW:
        return 0.34
    if ch in _WIDE_LATIN:
        return 0.86
    if ch.isupper():
        return 0.72
    if ch.isdigit():
        return 0.58
    return 0.6


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimated width in pixels of text set at ``size`` px (no font file is read).

    >>> text_width("Mm", 10) > text_width("il", 10)
    True
    """
    return sum(map(_char_width, text)) * size * (1.07 if bold else 1.0)


def _split_long(word: str, width: float, size: float, bold: bool) -> list[str]:
    parts: list[str] = []
    current = ""
    for ch in word:
        if current and text_width(current + ch, size, bold=bold) > width:
            parts.append(current)
            current = ch
        else:
            current += ch
    if current:
        parts.append(current)
    return parts


def _truncate(text: str, width: float, size: float, bold: bool) -> str:
    while text and text_width(text + "\u2026", size, bold=bold) > width:
        text = text[:-1]
    return text.rstrip() + "\u2026"


def wrap_label(
    text: str, width: float, size: float, *, max_lines: int, bold: bool = False
) -> tuple[list[str], bool]:
    """Greedy word wrap into at most ``max_lines`` lines; True when text was cut.

    Lines break at spaces (kept explicit line breaks too) and, for a word
    wider than a line, between characters; a cut last line ends with ``…``.

    >>> wrap_label("Customer lifetime value increased", 136, 13, max_lines=2, bold=True)
    (['Customer lifetime', 'value increased'], False)
    >>> wrap_label("a b c d e f g h", 20, 13, max_lines=2)
    (['a b', 'c…'], True)
    """
    lines: list[str] = []
    for para in clean_text(text).split("\n"):
        current = ""
        for word in para.split():
            pieces = (
                _split_long(word, width, size, bold)
                if text_width(word, size, bold=bold) > width
                else [word]
            )
            for piece in pieces:
                candidate = f"{current} {piece}" if current else piece
                if current and text_width(candidate, size, bold=bold) > width:
                    lines.append(current)
                    current = piece
                else:
                    current = candidate
        lines.append(current)
    lines = [ln for ln in lines if ln] or [""]
    if len(lines) <= max_lines:
        return lines, False
    kept = lines[:max_lines]
    kept[-1] = _truncate(kept[-1] + " " + lines[max_lines], width, size, bold)
    return kept, True


# -- small SVG helpers ---------------------------------------------------------------------------


def _n(x: float) -> str:
    """A coordinate as short, deterministic text."""
    r = round(x, 1)
    if r == 0:
        r = 0.0
    text = f"{r:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _pt(p: _Point) -> str:
    return f"{_n(p[0])},{_n(p[1])}"


def _dedupe(points: list[_Point]) -> list[_Point]:
    out: list[_Point] = []
    for p in points:
        if not out or math.dist(out[-1], p) > 0.01:
            out.append(p)
    # drop middle points of straight runs
    i = 1
    while i < len(out) - 1:
        (ax, ay), (bx, by), (cx, cy) = out[i - 1], out[i], out[i + 1]
        if abs((bx - ax) * (cy - by) - (by - ay) * (cx - bx)) < 0.01:
            del out[i]
        else:
            i += 1
    return out


def _unit(a: _Point, b: _Point) -> _Point:
    d = math.dist(a, b)
    return ((b[0] - a[0]) / d, (b[1] - a[1]) / d) if d else (0.0, 0.0)


def _rounded_path(points: list[_Point]) -> str:
    """SVG path data through points, with rounded corners."""
    parts = [f"M{_pt(points[0])}"]
    for i in range(1, len(points) - 1):
        a, c, b = points[i - 1], points[i], points[i + 1]
        r = min(CORNER, math.dist(a, c) / 2, math.dist(c, b) / 2)
        ua, ub = _unit(a, c), _unit(c, b)
        p1 = (c[0] - ua[0] * r, c[1] - ua[1] * r)
        p2 = (c[0] + ub[0] * r, c[1] + ub[1] * r)
        parts.append(f"L{_pt(p1)}Q{_pt(c)} {_pt(p2)}")
    parts.append(f"L{_pt(points[-1])}")
    return "".join(parts)


def _arrow(points: list[_Point], width: float) -> tuple[list[_Point], str]:
    """Shorten the last segment for an arrowhead; return the points and the head's path."""
    tip, before = points[-1], points[-2]
    length = 8.0 + 1.3 * width
    half = 4.0 + 0.8 * width
    seg = math.dist(before, tip)
    length = min(length, seg * 0.6)
    ux, uy = _unit(before, tip)
    base = (tip[0] - ux * length, tip[1] - uy * length)
    nx_, ny_ = -uy, ux
    left = (base[0] + nx_ * half, base[1] + ny_ * half)
    right = (base[0] - nx_ * half, base[1] - ny_ * half)
    # the line stops a little inside the head so no gap shows between them
    stop = (base[0] + ux * 1.0, base[1] + uy * 1.0)
    head = f"M{_pt(tip)}L{_pt(left)}L{_pt(right)}Z"
    return [*points[:-1], stop], head


# -- the layout -----------------------------------------------------------------------------------


class _Box:
    __slots__ = ("col", "h", "index", "row", "x", "y")

    def __init__(self, index: int, col: int, row: int, h: float) -> None:
        self.index, self.col, self.row, self.h = index, col, row, h
        self.x = col * (BOX_W + COL_GAP)
        self.y = row * (h + ROW_GAP)

    @property
    def cx(self) -> float:
        return self.x + BOX_W / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def port(self, side: _Side, offset: float) -> _Point:
        """A point on a side; ``offset`` runs along it from its middle."""
        if side == "left":
            return (self.x, self.cy + offset)
        if side == "right":
            return (self.x + BOX_W, self.cy + offset)
        if side == "top":
            return (self.cx + offset, self.y)
        return (self.cx + offset, self.y + self.h)


class _Edge:
    __slots__ = (
        "count",
        "kind",
        "lane",
        "level",
        "points",
        "s",
        "src_gap",
        "src_side",
        "straight",
        "t",
        "tgt_gap",
        "tgt_side",
    )

    def __init__(self, s: int, t: int, kind: EdgeKindName, count: float | None) -> None:
        self.s, self.t, self.kind, self.count = s, t, kind, count
        self.straight = False
        self.lane: _Lane | None = None
        self.level = 0
        self.src_side: _Side = "right"
        self.tgt_side: _Side = "left"
        self.src_gap: int | None = None
        self.tgt_gap: int | None = None
        self.points: list[_Point] = []


def _ranks(journey_map: JourneyMap) -> list[int]:
    """Longest forward path from a source, per stage (stages are in topological order)."""
    index = {sid: i for i, sid in enumerate(journey_map.stage_ids)}
    preds: list[list[int]] = [[] for _ in index]
    for e in journey_map.edges:
        if not e.is_loop_back:
            preds[index[e.target]].append(index[e.source])
    rank = [0] * len(index)
    for i in range(len(index)):
        if preds[i]:
            rank[i] = 1 + max(rank[p] for p in preds[i])
    return rank


def _column_order(journey_map: JourneyMap, rank: list[int]) -> list[list[int]]:
    """Stage indices per column, top to bottom.

    Column 0 keeps canonical order; each later column is sorted by the mean
    row of each stage's forward predecessors (the barycenter heuristic,
    which removes most crossings), ties in canonical order.
    """
    index = {sid: i for i, sid in enumerate(journey_map.stage_ids)}
    preds: list[list[int]] = [[] for _ in index]
    for e in journey_map.edges:
        if not e.is_loop_back:
            preds[index[e.target]].append(index[e.source])
    columns: list[list[int]] = [[] for _ in range(max(rank) + 1)]
    for i, r in enumerate(rank):
        columns[r].append(i)
    row: dict[int, int] = {}
    for r, members in enumerate(columns):
        if r:
            members.sort(key=lambda i: (sum(row[p] for p in preds[i]) / len(preds[i]), i))
        row.update((i, k) for k, i in enumerate(members))
    return columns


def _blocked(a: _Box, b: _Box, columns: list[list[_Box]]) -> bool:
    """Whether the straight line from a's right side to b's left side crosses a box."""
    (x0, y0), (x1, y1) = a.port("right", 0), b.port("left", 0)
    for col in range(a.col + 1, b.col):
        for box in columns[col]:
            ya = y0 + (y1 - y0) * (box.x - x0) / (x1 - x0)
            yb = y0 + (y1 - y0) * (box.x + BOX_W - x0) / (x1 - x0)
            if max(ya, yb) >= box.y - 4 and min(ya, yb) <= box.y + box.h + 4:
                return True
    return False


def _plan(edge: _Edge, boxes: list[_Box], columns: list[list[_Box]]) -> None:
    """Choose straight line or lane route, and the sides and gaps the edge uses."""
    a, b = boxes[edge.s], boxes[edge.t]
    if b.col > a.col and not _blocked(a, b, columns):
        edge.straight = True
        edge.src_side, edge.tgt_side = "right", "left"
        return
    first_a, last_a = a.row == 0, a.row == len(columns[a.col]) - 1
    first_b, last_b = b.row == 0, b.row == len(columns[b.col]) - 1
    if a.col == b.col:
        # same column: down the gap on the right, no lane needed
        edge.src_side = edge.tgt_side = "right"
        edge.src_gap = edge.tgt_gap = a.col + 1
        return
    # gap-ends each lane would need; ties go to the preferred lane
    top_cost = (not first_a) + (not first_b)
    bottom_cost = (not last_a) + (not last_b)
    prefer_top = b.col < a.col
    if top_cost != bottom_cost:
        lane: _Lane = "top" if top_cost < bottom_cost else "bottom"
    else:
        lane = "top" if prefer_top else "bottom"
    edge.lane = lane
    towards_b: _Side = "right" if b.col > a.col else "left"
    towards_a: _Side = "left" if towards_b == "right" else "right"
    if (lane == "top" and first_a) or (lane == "bottom" and last_a):
        edge.src_side = lane
    else:
        edge.src_side = towards_b
        edge.src_gap = a.col + 1 if towards_b == "right" else a.col
    if (lane == "top" and first_b) or (lane == "bottom" and last_b):
        edge.tgt_side = lane
    else:
        edge.tgt_side = towards_a
        edge.tgt_gap = b.col + 1 if towards_a == "right" else b.col
    if edge.src_gap is not None and edge.src_gap == edge.tgt_gap:
        edge.lane = None  # both ends meet in one gap: run along it


def _port_offsets(edges: list[_Edge], boxes: list[_Box]) -> dict[tuple[int, int], float]:
    """Spread the ends that share a side of a box; key (edge position, 0 source / 1 target)."""
    groups: dict[tuple[int, _Side], list[tuple[float, int, int]]] = {}
    for k, e in enumerate(edges):
        for end, (me, other, side) in enumerate(((e.s, e.t, e.src_side), (e.t, e.s, e.tgt_side))):
            ob = boxes[other]
            if side in ("left", "right"):
                if e.straight or e.lane is None:
                    key = ob.cy
                else:
                    key = -1e9 + ob.cx if e.lane == "top" else 1e9 + ob.cx
            else:
                key = ob.cx
            groups.setdefault((me, side), []).append((key, k, end))
    offsets: dict[tuple[int, int], float] = {}
    for (me, side), ends in groups.items():
        ends.sort()
        n = len(ends)
        length = BOX_W if side in ("top", "bottom") else boxes[me].h
        span = min(length * 0.6, 14.0 * (n - 1))
        for i, (_, k, end) in enumerate(ends):
            offsets[(k, end)] = 0.0 if n == 1 else -span / 2 + span * i / (n - 1)
    return offsets


def _gap_x(gap: int) -> float:
    return gap * (BOX_W + COL_GAP) - COL_GAP / 2


def _route(edges: list[_Edge], boxes: list[_Box], columns: list[list[_Box]]) -> tuple[float, float]:
    """Compute every edge's points; return the top and bottom lane bases."""
    offsets = _port_offsets(edges, boxes)
    gap_use: dict[int, int] = {}

    def gap_x(gap: int) -> float:
        k = gap_use.get(gap, 0)
        gap_use[gap] = k + 1
        step = min(GAP_STEP * ((k + 1) // 2), COL_GAP / 2 - 10)
        return _gap_x(gap) + (step if k % 2 else -step)

    top_base = 0.0
    bottom_base = max(b.y + b.h for b in boxes)
    starts: dict[int, tuple[_Point, float | None]] = {}
    ends: dict[int, tuple[_Point, float | None]] = {}
    for k, e in enumerate(edges):
        p_src = boxes[e.s].port(e.src_side, offsets[(k, 0)])
        p_tgt = boxes[e.t].port(e.tgt_side, offsets[(k, 1)])
        if e.straight:
            e.points = [p_src, p_tgt]
            continue
        gx_src = gap_x(e.src_gap) if e.src_gap is not None else None
        gx_tgt = gap_x(e.tgt_gap) if e.tgt_gap is not None else None
        if e.lane is None:  # one gap joins both ends
            assert gx_src is not None
            e.points = [p_src, (gx_src, p_src[1]), (gx_src, p_tgt[1]), p_tgt]
            continue
        starts[k] = (p_src, gx_src)
        ends[k] = (p_tgt, gx_tgt)

    # lane levels: shortest spans nearest to the boxes, no overlap within a level
    for lane in ("top", "bottom"):
        spans = []
        for k, e in enumerate(edges):
            if e.lane != lane:
                continue
            (ps, gs), (pt, gt) = starts[k], ends[k]
            x0 = gs if gs is not None else ps[0]
            x1 = gt if gt is not None else pt[0]
            spans.append((abs(x1 - x0), e.s, e.t, k, min(x0, x1), max(x0, x1)))
        spans.sort()
        levels: list[list[tuple[float, float]]] = []
        for _, _, _, k, lo, hi in spans:
            for lv, taken in enumerate(levels):
                if all(hi + 8 < a or lo - 8 > b for a, b in taken):
                    taken.append((lo, hi))
                    edges[k].level = lv
                    break
            else:
                levels.append([(lo, hi)])
                edges[k].level = len(levels) - 1

    for k, e in enumerate(edges):
        if e.lane is None or e.straight:
            continue
        offset = LANE_FIRST + LANE_STEP * e.level
        y = top_base - offset if e.lane == "top" else bottom_base + offset
        (ps, gs), (pt, gt) = starts[k], ends[k]
        pts: list[_Point] = [ps]
        if gs is not None:
            pts += [(gs, ps[1]), (gs, y)]
        else:
            pts.append((ps[0], y))
        if gt is not None:
            pts += [(gt, y), (gt, pt[1])]
        else:
            pts.append((pt[0], y))
        pts.append(pt)
        e.points = pts
    return top_base, bottom_base


# -- observed overlay -----------------------------------------------------------------------------


def _observed_counts(
    observed: object, known: Mapping[str, int]
) -> tuple[dict[tuple[int, int], float], tuple[int, float], tuple[int, float]]:
    """Counts by (source, target) stage index; plus (pairs, total) skipped as unknown / self."""
    import networkx as nx

    if not isinstance(observed, nx.DiGraph):
        raise UnsupportedInputError(
            "'observed' must be a networkx DiGraph of stage ids with 'count' edge attributes; "
            f"got {type(observed).__name__}"
        )
    counts: dict[tuple[int, int], float] = {}
    unknown_pairs: set[tuple[object, object]] = set()
    unknown_total = 0.0
    self_pairs: set[object] = set()
    self_total = 0.0
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
        c = float(c)
        if u not in known or v not in known:
            unknown_pairs.add((u, v))
            unknown_total += c
        elif u == v:
            self_pairs.add(u)
            self_total += c
        else:
            key = (known[u], known[v])
            counts[key] = counts.get(key, 0.0) + c
    return counts, (len(unknown_pairs), unknown_total), (len(self_pairs), self_total)


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
    journey_map: JourneyMap,
    *,
    observed: nx.DiGraph[Any] | None = None,
    touchpoints: bool = True,
    title: bool = True,
    legend: bool = True,
) -> str:
    """Draw a map as a self-contained SVG document (text; no script, no external reference).

    Stages are rounded boxes coloured by phase, laid out left to right by
    their rank along the forward edges (see the module docstring). Entry
    stages have a thick border, terminal stages a double border. Forward
    edges are solid arrows, loop-back edges dashed ones. With
    ``touchpoints=True`` each box shows its touchpoint count. Names that do
    not fit on two lines are cut with ``…``; every box has a tooltip
    (``<title>``) with the full name, id, phase, owner and touchpoints.

    ``observed`` overlays an observed transition graph: a networkx
    ``DiGraph`` whose nodes are stage ids and whose edges have a ``count``
    attribute (parallel edges of a ``MultiDiGraph`` are added up). Every
    edge is then labelled with its count and drawn with a width growing
    with it; map edges nobody took are drawn light grey; observed moves the
    map does not have (*shadow paths*) are drawn in orange. Moves from or to
    stages the map does not have, and repeats of a stage, are left out and
    counted in a note under the legend.

    Every text is XML-escaped and the output is deterministic.

    >>> from touchpath import templates
    >>> svg = to_svg(templates.get("b2b_five_stage"))
    >>> svg.startswith("<svg") and svg.count('class="tp-stage') == 5
    True
    >>> import networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_edge("awareness", "consideration", count=90)
    >>> g.add_edge("awareness", "decision", count=12)
    >>> svg = to_svg(templates.get("b2b_five_stage"), observed=g)
    >>> svg.count("tp-observed-only")
    1
    """
    stage_ids = journey_map.stage_ids
    index = {sid: i for i, sid in enumerate(stage_ids)}
    counts: dict[tuple[int, int], float] | None = None
    skipped_unknown = skipped_self = (0, 0.0)
    if observed is not None:
        counts, skipped_unknown, skipped_self = _observed_counts(observed, index)

    # boxes
    box_h = BOX_H if touchpoints else BOX_H_NO_COUNT
    rank = _ranks(journey_map)
    n_cols = max(rank) + 1
    columns: list[list[_Box]] = [[] for _ in range(n_cols)]
    boxes_by_index: dict[int, _Box] = {}
    for r, members in enumerate(_column_order(journey_map, rank)):
        for i in members:
            box = _Box(i, r, len(columns[r]), box_h)
            columns[r].append(box)
            boxes_by_index[i] = box
    boxes = [boxes_by_index[i] for i in range(len(stage_ids))]

    # edges: the map's in declaration order, then observed-only ones by stage order
    edges: list[_Edge] = []
    map_pairs = set()
    for map_edge in journey_map.edges:
        key = (index[map_edge.source], index[map_edge.target])
        map_pairs.add(key)
        count = None if counts is None else counts.get(key, 0.0)
        kind: EdgeKindName = "loop_back" if map_edge.is_loop_back else "forward"
        edges.append(_Edge(*key, kind, count))
    if counts is not None:
        edges.extend(
            _Edge(*key, "observed_only", counts[key])
            for key in sorted(counts)
            if key not in map_pairs
        )
    for e in edges:
        _plan(e, boxes, columns)
    top_base, bottom_base = _route(edges, boxes, columns)

    max_count = max((e.count or 0.0 for e in edges), default=0.0)
    body: list[str] = []
    xs: list[float] = [0.0, n_cols * (BOX_W + COL_GAP) - COL_GAP]
    ys: list[float] = [top_base, bottom_base]

    # edges first, so boxes sit on top of line ends
    for e in edges:
        if counts is None:
            width = 1.6
        else:
            c = e.count or 0.0
            width = 1.25 + (6.75 * c / max_count if max_count > 0 else 0.0)
        color = SHADOW if e.kind == "observed_only" else EDGE
        if counts is not None and not e.count and e.kind != "observed_only":
            color = UNUSED
        points = _dedupe(e.points)
        line_points, head = _arrow(points, width)
        xs.extend(p[0] for p in points)
        ys.extend(p[1] for p in points)
        dash = (
            f' stroke-dasharray="{_n(4 + 1.5 * width)} {_n(2.5 + 1.2 * width)}"'
            if e.kind == "loop_back"
            else ""
        )
        css = {"forward": "tp-forward", "loop_back": "tp-loop-back"}.get(e.kind, "tp-observed-only")
        s_id, t_id = stage_ids[e.s], stage_ids[e.t]
        what = {
            "forward": "forward transition",
            "loop_back": "loop-back",
            "observed_only": "observed, not on the map",
        }[e.kind]
        tip = f"{journey_map.stages[e.s].name} \u2192 {journey_map.stages[e.t].name}: {what}"
        count_attr = ""
        if e.count is not None:
            tip += f", observed {format_number(e.count)} times"
            count_attr = f' data-count="{escape(format_number(e.count))}"'
        parts = [
            f'<g class="tp-edge {css}" data-source="{escape(s_id)}" '
            f'data-target="{escape(t_id)}"{count_attr}>',
            f"<title>{escape(tip)}</title>",
            f'<path class="tp-line" d="{_rounded_path(line_points)}" fill="none" '
            f'stroke="{color}" stroke-width="{_n(width)}"{dash} stroke-linejoin="round"/>',
            f'<path class="tp-arrow" d="{head}" fill="{color}"/>',
        ]
        if e.count is not None:
            lx, ly, anchor = _label_point(e, points)
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
        items = _legend_items(journey_map, edges, counts is not None)
        notes = _notes(counts is not None, skipped_unknown, skipped_self)
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


def _label_point(e: _Edge, points: list[_Point]) -> tuple[float, float, str]:
    """Where an edge's count label goes: mid-line, or mid-lane for routed edges."""
    if e.straight or len(points) == 2:
        (x0, y0), (x1, y1) = points[0], points[-1]
        return (x0 + x1) / 2, (y0 + y1) / 2 - 5, "middle"
    if e.lane is None:  # along a gap
        (x0, y0), (x1, y1) = points[1], points[2]
        return x0 + 5, (y0 + y1) / 2 + 4, "start"
    horizontal = [(a, b) for a, b in itertools.pairwise(points) if abs(a[1] - b[1]) < 0.01]
    a, b = max(horizontal, key=lambda ab: abs(ab[0][0] - ab[1][0]))
    y = a[1] - 5 if e.lane == "top" else a[1] + 13
    return (a[0] + b[0]) / 2, y, "middle"


_LegendItem = tuple[str, str]  # (swatch svg drawn at origin 0..24 x -9..3, text)


def _legend_items(journey_map: JourneyMap, edges: list[_Edge], overlay: bool) -> list[_LegendItem]:
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
        if any(e.kind != "observed_only" and not e.count for e in edges):
            items.append((line(UNUSED), "designed, not observed"))
        if "observed_only" in kinds:
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

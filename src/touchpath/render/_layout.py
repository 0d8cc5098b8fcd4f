"""Where everything of a map diagram goes: pure geometry, no SVG (see :mod:`._svg`).

Stages are placed in columns by *rank*, the length of the longest forward
path that reaches them from a stage no forward edge enters; within a
column, stages are ordered by the barycenter heuristic (column 0 in
canonical order). Edges between neighbouring columns are straight. Other
edges (loop-backs, forward edges that skip columns, observed moves the map
does not have) run as rounded orthogonal paths through the free *lanes*
above or below the columns and the free gaps between columns, so they never
cross a stage box: backward moves prefer the lane above, forward skips the
lane below.

:func:`layout` returns a :class:`MapLayout` of boxes and routed edges that a
test can check without parsing any SVG; text widths are estimated by
:func:`text_width` (no font file is read).
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Literal

import attrs

from .._repr import clean_text
from ..exceptions import ConfigError

if TYPE_CHECKING:
    from .._map import JourneyMap

__all__ = ["MapLayout", "layout", "text_width", "wrap_label"]

BOX_W: Final = 152.0
BOX_H: Final = 60.0
BOX_H_NO_COUNT: Final = 46.0
COL_GAP: Final = 64.0
ROW_GAP: Final = 40.0
LANE_FIRST: Final = 24.0
LANE_STEP: Final = 14.0
GAP_STEP: Final = 9.0

Side = Literal["left", "right", "top", "bottom"]
Lane = Literal["top", "bottom"]
Point = tuple[float, float]


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


# -- geometry helpers ----------------------------------------------------------------------------


def dedupe(points: list[Point]) -> list[Point]:
    """The points without repeats and without the middle points of straight runs."""
    out: list[Point] = []
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


def unit(a: Point, b: Point) -> Point:
    """The unit vector from a to b ((0, 0) when they coincide)."""
    d = math.dist(a, b)
    return ((b[0] - a[0]) / d, (b[1] - a[1]) / d) if d else (0.0, 0.0)


def arrow_head(points: list[Point], width: float) -> tuple[list[Point], tuple[Point, Point, Point]]:
    """Shorten the last segment for an arrowhead; return the points and the head's corners.

    The head's corners are its tip (the last point) and the two back corners.

    >>> arrow_head([(0.0, 0.0), (100.0, 0.0)], 2.0)
    ([(0.0, 0.0), (90.4, 0.0)], ((100.0, 0.0), (89.4, 5.6), (89.4, -5.6)))
    """
    tip, before = points[-1], points[-2]
    length = 8.0 + 1.3 * width
    half = 4.0 + 0.8 * width
    seg = math.dist(before, tip)
    length = min(length, seg * 0.6)
    ux, uy = unit(before, tip)
    base = (tip[0] - ux * length, tip[1] - uy * length)
    nx_, ny_ = -uy, ux
    left = (base[0] + nx_ * half, base[1] + ny_ * half)
    right = (base[0] - nx_ * half, base[1] - ny_ * half)
    # the line stops a little inside the head so no gap shows between them
    stop = (base[0] + ux * 1.0, base[1] + uy * 1.0)
    return [*points[:-1], stop], (tip, left, right)


# -- the layout -----------------------------------------------------------------------------------


class Box:
    """A stage's box: its column and row, its top-left corner and height (width ``BOX_W``)."""

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

    def port(self, side: Side, offset: float) -> Point:
        """A point on a side; ``offset`` runs along it from its middle."""
        if side == "left":
            return (self.x, self.cy + offset)
        if side == "right":
            return (self.x + BOX_W, self.cy + offset)
        if side == "top":
            return (self.cx + offset, self.y)
        return (self.cx + offset, self.y + self.h)


class Route:
    """How one edge runs from stage ``s`` to stage ``t``: straight, or through a lane and gaps.

    ``points`` is the polyline (first point on the source box, last on the target).
    """

    __slots__ = (
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

    def __init__(self, s: int, t: int) -> None:
        self.s, self.t = s, t
        self.straight = False
        self.lane: Lane | None = None
        self.level = 0
        self.src_side: Side = "right"
        self.tgt_side: Side = "left"
        self.src_gap: int | None = None
        self.tgt_gap: int | None = None
        self.points: list[Point] = []


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


def _blocked(a: Box, b: Box, columns: list[list[Box]]) -> bool:
    """Whether the straight line from a's right side to b's left side crosses a box."""
    (x0, y0), (x1, y1) = a.port("right", 0), b.port("left", 0)
    for col in range(a.col + 1, b.col):
        for box in columns[col]:
            ya = y0 + (y1 - y0) * (box.x - x0) / (x1 - x0)
            yb = y0 + (y1 - y0) * (box.x + BOX_W - x0) / (x1 - x0)
            if max(ya, yb) >= box.y - 4 and min(ya, yb) <= box.y + box.h + 4:
                return True
    return False


def _plan(edge: Route, boxes: list[Box], columns: list[list[Box]]) -> None:
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
        lane: Lane = "top" if top_cost < bottom_cost else "bottom"
    else:
        lane = "top" if prefer_top else "bottom"
    edge.lane = lane
    towards_b: Side = "right" if b.col > a.col else "left"
    towards_a: Side = "left" if towards_b == "right" else "right"
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


def _port_offsets(edges: list[Route], boxes: list[Box]) -> dict[tuple[int, int], float]:
    """Spread the ends that share a side of a box; key (edge position, 0 source / 1 target)."""
    groups: dict[tuple[int, Side], list[tuple[float, int, int]]] = {}
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


def _route(edges: list[Route], boxes: list[Box], columns: list[list[Box]]) -> tuple[float, float]:
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
    starts: dict[int, tuple[Point, float | None]] = {}
    ends: dict[int, tuple[Point, float | None]] = {}
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
        pts: list[Point] = [ps]
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


def label_point(e: Route, points: list[Point]) -> tuple[float, float, str]:
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


@attrs.frozen(eq=False)
class MapLayout:
    """The geometry of a map diagram: boxes by stage index and routed edges, in pixels.

    >>> from touchpath import JourneyMap
    >>> m = JourneyMap.builder("m").stage("a").stage("b").edge("a", "b").build()
    >>> lay = layout(m, [(0, 1)])
    >>> [(b.col, b.row) for b in lay.boxes], lay.routes[0].straight
    ([(0, 0), (1, 0)], True)
    """

    boxes: tuple[Box, ...]
    """One box per stage, by canonical stage index."""
    columns: tuple[tuple[Box, ...], ...]
    """The boxes of each column, top to bottom."""
    routes: tuple[Route, ...]
    """One route per edge asked for, in the order asked."""
    top_base: float
    """The y above which the top lanes run."""
    bottom_base: float
    """The y below which the bottom lanes run."""

    @property
    def width(self) -> float:
        """Width of the columns (without lanes, labels or padding)."""
        return len(self.columns) * (BOX_W + COL_GAP) - COL_GAP


def layout(
    journey_map: JourneyMap, edges: Sequence[tuple[int, int]], *, box_h: float = BOX_H
) -> MapLayout:
    """Place a map's stages and route ``edges`` (pairs of canonical stage indices) among them.

    Only the map's forward edges decide the columns; every edge in ``edges``
    (map edges, shadow moves) is routed around the boxes. Pairs of one stage
    with itself are not routable and are refused.

    >>> from touchpath import JourneyMap
    >>> m = (JourneyMap.builder("m").stage("a").stage("b").stage("c")
    ...      .path("a", "b", "c").build())
    >>> lay = layout(m, [(0, 1), (1, 2), (0, 2)])
    >>> [(r.straight, r.lane) for r in lay.routes]
    [(True, None), (True, None), (False, 'bottom')]
    """
    for s, t in edges:
        if s == t:
            raise ConfigError(f"an edge from a stage to itself cannot be drawn; got {s} -> {t}")
    rank = _ranks(journey_map)
    n_cols = max(rank) + 1 if rank else 0
    columns: list[list[Box]] = [[] for _ in range(n_cols)]
    by_index: dict[int, Box] = {}
    for r, members in enumerate(_column_order(journey_map, rank) if rank else []):
        for i in members:
            box = Box(i, r, len(columns[r]), box_h)
            columns[r].append(box)
            by_index[i] = box
    boxes = [by_index[i] for i in range(len(journey_map.stage_ids))]
    routes = [Route(s, t) for s, t in edges]
    for route in routes:
        _plan(route, boxes, columns)
    top_base, bottom_base = _route(routes, boxes, columns) if boxes else (0.0, 0.0)
    return MapLayout(
        tuple(boxes), tuple(tuple(c) for c in columns), tuple(routes), top_base, bottom_base
    )

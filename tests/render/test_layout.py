"""The diagram layout as pure geometry: columns by rank, straight neighbours, routed others.

Checked on the numbers :func:`touchpath.render.layout` returns, without any SVG. Expected
columns and rows are worked out by hand from the maps' forward edges.
"""

from __future__ import annotations

import pytest

from touchpath import JourneyMap
from touchpath.exceptions import ConfigError
from touchpath.render import layout
from touchpath.render._layout import BOX_W, COL_GAP

# a -> b -> d and a -> c -> d: ranks a 0, b 1, c 1, d 2; b above c (canonical order);
# d -> a loops back over everything.
DIAMOND = (
    JourneyMap.builder("diamond")
    .stage("a")
    .stage("b")
    .stage("c")
    .stage("d")
    .path("a", "b", "d")
    .path("a", "c", "d")
    .edge("d", "a", loop_back=True)
    .build()
)


def test_columns_follow_the_longest_forward_path() -> None:
    """Each stage sits in the column of its rank, rows top to bottom, boxes one column
    pitch (box width + gap) apart."""
    lay = layout(DIAMOND, [])
    assert [(b.col, b.row) for b in lay.boxes] == [(0, 0), (1, 0), (1, 1), (2, 0)]
    assert [b.x for b in lay.boxes] == [
        0.0,
        BOX_W + COL_GAP,
        BOX_W + COL_GAP,
        2 * (BOX_W + COL_GAP),
    ]
    assert lay.width == 3 * BOX_W + 2 * COL_GAP
    assert [[b.index for b in col] for col in lay.columns] == [[0], [1, 2], [3]]


def test_neighbours_are_straight_and_others_avoid_every_box() -> None:
    """Edges between neighbouring columns are straight from the right side to the left side;
    the loop-back d -> a and the skip a -> d are routed, and no point of any route lies
    strictly inside a box."""
    pairs = [(0, 1), (0, 2), (1, 3), (2, 3), (3, 0), (0, 3)]
    lay = layout(DIAMOND, pairs)
    routes = dict(zip(pairs, lay.routes, strict=True))
    for pair in [(0, 1), (0, 2), (1, 3), (2, 3)]:
        r = routes[pair]
        assert r.straight
        (x0, _), (x1, _) = r.points
        assert x0 == lay.boxes[pair[0]].x + BOX_W
        assert x1 == lay.boxes[pair[1]].x
    assert not routes[(3, 0)].straight
    assert routes[(3, 0)].lane == "top"  # backward moves prefer the lane above
    assert not routes[(0, 3)].straight  # a straight a -> d would cross b
    for r in lay.routes:
        for px, py in r.points:
            for b in lay.boxes:
                assert not (b.x < px < b.x + BOX_W and b.y < py < b.y + b.h), (r.s, r.t)
    top = [y for _, y in routes[(3, 0)].points[1:-1]]
    assert all(y < lay.top_base for y in top)


def test_a_stage_to_itself_cannot_be_routed() -> None:
    """A self-move has no route in this layout: it is refused, not drawn wrong."""
    with pytest.raises(ConfigError, match="itself"):
        layout(DIAMOND, [(1, 1)])

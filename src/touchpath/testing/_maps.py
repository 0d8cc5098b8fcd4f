"""Hypothesis strategies for journey maps (needs ``hypothesis``, a test dependency).

``map_parts()`` draws the *declared* ingredients of a map (stages in
declaration order, edges, touchpoints, explicit entry/terminal stages) so
tests can compare what the map computes with what was declared;
``journey_maps()`` builds them into a :class:`~touchpath.JourneyMap`.

Forward edges always follow one random permutation of the stages (so they
form a DAG), which is drawn independently of the declaration order; loop-back
edges are any other ordered pairs.
"""

from __future__ import annotations

import attrs
from hypothesis import strategies as st

from .._map import JourneyMap
from .._model import (
    KPI,
    Channel,
    ChannelKind,
    Direction,
    Edge,
    EdgeKind,
    Phase,
    Stage,
    Touchpoint,
    Unit,
)

__all__ = [
    "MapParts",
    "channels",
    "identifiers",
    "journey_maps",
    "kpis",
    "map_parts",
    "names",
]

# Mostly short ASCII ids (so collisions and ties happen), plus any non-blank unicode text.
_ASCII_ID = st.text(alphabet="abcdefgh_", min_size=1, max_size=3)
_UNICODE_ID = st.text(min_size=1, max_size=8)


def identifiers() -> st.SearchStrategy[str]:
    """Stage, KPI, touchpoint and channel ids: non-blank strings, often ASCII, sometimes not.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20)
    ... @given(identifiers())
    ... def test(i): assert i.strip()
    >>> test()
    """
    return st.one_of(_ASCII_ID, _UNICODE_ID).filter(lambda s: bool(s.strip()))


def names() -> st.SearchStrategy[str | None]:
    """A display name, or None for "defaults to the id".

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20)
    ... @given(names())
    ... def test(n): assert n is None or n.strip()
    >>> test()
    """
    return st.none() | st.text(min_size=1, max_size=10).filter(lambda s: bool(s.strip()))


def _texts() -> st.SearchStrategy[str]:
    return st.text(max_size=12)


def _targets() -> st.SearchStrategy[float | None]:
    return st.one_of(
        st.none(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(min_value=-(10**6), max_value=10**6),
    )


@st.composite
def kpis(draw: st.DrawFn, stage: str | None = None) -> KPI:
    """A KPI with an optional finite target (float or int), any direction and unit.

    >>> import math
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20)
    ... @given(kpis(stage="visit"))
    ... def test(k): assert k.stage == "visit" and (k.target is None or math.isfinite(k.target))
    >>> test()
    """
    kpi_id = draw(identifiers())
    name = draw(names())
    return KPI(
        kpi_id,
        target=draw(_targets()),
        direction=draw(st.sampled_from(Direction)),
        unit=draw(st.sampled_from(Unit)),
        name=name if name is not None else kpi_id,
        stage=stage,
        description=draw(_texts()),
    )


@st.composite
def channels(draw: st.DrawFn) -> Channel:
    """A channel of any kind, with or without its own display name.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20)
    ... @given(channels())
    ... def test(c): assert c.name.strip()
    >>> test()
    """
    channel_id = draw(identifiers())
    name = draw(names())
    return Channel(channel_id, draw(st.sampled_from(ChannelKind)), name or channel_id)


@attrs.frozen
class MapParts:
    """The declared ingredients of a map, before :class:`JourneyMap` orders them.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(map_parts(max_stages=4))
    ... def test(parts):
    ...     assert set(parts.build().stage_ids) == {s.id for s in parts.stages}
    >>> test()
    """

    name: str
    stages: tuple[Stage, ...]
    """In declaration order."""
    edges: tuple[Edge, ...]
    touchpoints: tuple[Touchpoint, ...]
    entry: tuple[str, ...]
    terminal: tuple[str, ...]
    description: str

    def build(self) -> JourneyMap:
        """The map these parts declare."""
        return JourneyMap(
            name=self.name,
            stages=self.stages,
            edges=self.edges,
            touchpoints=self.touchpoints,
            entry=self.entry,
            terminal=self.terminal,
            description=self.description,
        )


@st.composite
def _stage(draw: st.DrawFn, stage_id: str) -> Stage:
    name = draw(names())
    stage_kpis = draw(st.lists(kpis(), max_size=2, unique_by=lambda k: k.id))
    return Stage(
        stage_id,
        name=name if name is not None else stage_id,
        phase=draw(st.none() | st.sampled_from(Phase)),
        goal=draw(_texts()),
        owner=draw(st.none() | _texts()),
        group=draw(st.none() | _texts()),
        kpis=stage_kpis,
    )


@st.composite
def map_parts(draw: st.DrawFn, *, min_stages: int = 1, max_stages: int = 8) -> MapParts:
    """Valid map ingredients: a forward DAG, loop-backs, touchpoints, sometimes explicit ends.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(map_parts(min_stages=2, max_stages=3))
    ... def test(parts): assert 2 <= len(parts.stages) <= 3
    >>> test()
    """
    ids = draw(st.lists(identifiers(), min_size=min_stages, max_size=max_stages, unique=True))
    stages_list: list[Stage] = []
    kpi_ids: set[str] = set()
    for sid in ids:
        stage = draw(_stage(sid))
        # KPI ids are unique across a map: drop repeats of ids another stage already uses
        kept = tuple(k for k in stage.kpis if k.id not in kpi_ids)
        kpi_ids.update(k.id for k in kept)
        stages_list.append(stage if kept == stage.kpis else attrs.evolve(stage, kpis=kept))
    stages = tuple(stages_list)

    # Forward edges go "down" a random topological order; loop-backs may go either way.
    topo = draw(st.permutations(ids))
    edges: list[Edge] = []
    for i, a in enumerate(topo):
        for j, b in enumerate(topo):
            if i == j:
                continue
            roll = draw(st.integers(0, 3))
            if i < j and roll == 2:
                edges.append(Edge(a, b, EdgeKind.FORWARD))
            elif roll == 3:  # uphill, or a downhill "return" that skips ahead
                edges.append(Edge(a, b, EdgeKind.LOOP_BACK))
    edges = draw(st.permutations(edges))  # declaration order is independent of everything

    pool = draw(st.lists(channels(), min_size=1, max_size=4, unique_by=lambda c: c.id))
    touchpoints: list[Touchpoint] = []
    for tp_id in draw(st.lists(identifiers(), max_size=6, unique=True)):
        name = draw(names())
        touchpoints.append(
            Touchpoint(
                tp_id,
                channel=draw(st.sampled_from(pool)),
                stage=draw(st.sampled_from(ids)),
                name=name if name is not None else tp_id,
                phase=draw(st.none() | st.sampled_from(Phase)),
                description=draw(_texts()),
            )
        )

    def ends() -> tuple[str, ...]:
        if draw(st.booleans()):
            return ()
        return tuple(draw(st.lists(st.sampled_from(ids), min_size=1, unique=True)))

    return MapParts(
        name=draw(identifiers()),
        stages=stages,
        edges=tuple(edges),
        touchpoints=tuple(touchpoints),
        entry=ends(),
        terminal=ends(),
        description=draw(_texts()),
    )


def journey_maps(*, min_stages: int = 1, max_stages: int = 8) -> st.SearchStrategy[JourneyMap]:
    """Random valid journey maps (see the module docstring for what they contain).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10)
    ... @given(journey_maps(max_stages=5))
    ... def test(m): assert 1 <= len(m.stage_ids) <= 5 and m.entry_stages
    >>> test()
    """
    return map_parts(min_stages=min_stages, max_stages=max_stages).map(MapParts.build)

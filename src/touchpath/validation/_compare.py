"""Designed versus observed: the transitions journeys take, set against the map's edges."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs
import networkx as nx
import numpy as np
import numpy.typing as npt

from .._columns import Columns, durations
from .._log import EventLog
from .._map import JourneyMap
from .._model import Edge
from .._table import Column, ColumnKind, Table, TableViews
from ..exceptions import UnsupportedInputError
from ._context import TransitionKind, ValidationContext

__all__ = [
    "EdgeStatus",
    "MapComparison",
    "ObservedTransition",
    "OverlayEdge",
    "compare_to_map",
    "overlay_edges",
]

_KIND_BY_CODE: Final = {k.code: k for k in TransitionKind}


@attrs.frozen
class ObservedTransition:
    """A stage change seen in the data, with how often and how fast it happens.

    >>> t = ObservedTransition("a", "b", TransitionKind.FORWARD, count=3, journeys=2,
    ...                        probability=0.75, median_duration=dt.timedelta(days=2))
    >>> (t.is_designed, t.median_duration.days)
    (True, 2)
    """

    source: str
    """The stage left."""
    target: str
    """The stage entered."""
    kind: TransitionKind
    """How the move relates to the map (forward edge, loop-back, skip, ...)."""
    count: int
    """How many times the move was observed."""
    journeys: int
    """How many journeys made it at least once."""
    probability: float
    """``count`` over all observed moves out of ``source``: the chance that a journey
    leaving ``source`` goes to ``target`` (journeys that stay or end are not counted)."""
    median_duration: dt.timedelta
    """Median time from entering ``source`` to entering ``target`` (the time spent in
    ``source`` before this move)."""

    @property
    def is_designed(self) -> bool:
        """True when the move follows an edge of the map (forward or loop-back)."""
        return self.kind.is_designed


@attrs.frozen(repr=False)
class MapComparison(TableViews):
    """The observed journeys set against the designed map.

    Built by :func:`compare_to_map`. ``transitions`` holds every observed
    stage change; :attr:`shadow_transitions` are those the map lacks,
    :attr:`dead_edges` the designed edges no journey took,
    :attr:`unreached_stages` the map stages no event is in, and
    :attr:`unknown_stages` the observed stages the map lacks.

    The comparison is the one overlay of observed on designed: :attr:`edges`
    classifies every edge once (taken, dead or shadow), and the renderers of
    :mod:`touchpath.render` and :func:`touchpath.plot.transitions` draw it.

    >>> from touchpath import EventLog, JourneyMap
    >>> m = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c").build()
    >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": t, "stage": s}
    ...                              for t, s in enumerate(["a", "c"])])
    >>> c = compare_to_map(log, m)
    >>> [(e.source, e.target, e.status.value) for e in c.edges]
    [('a', 'b', 'dead'), ('b', 'c', 'dead'), ('a', 'c', 'shadow')]
    """

    journey_map: JourneyMap
    """The map compared with."""
    transitions: tuple[ObservedTransition, ...]
    """Every observed stage change, most frequent first (ties: source, then target)."""
    dead_edges: tuple[Edge, ...]
    """Designed edges that no journey took, in the map's declaration order."""
    unreached_stages: tuple[str, ...]
    """Map stages with no observed event, in canonical order."""
    stage_journeys: dict[str, int]
    """Journeys with at least one event in each observed stage (map stages and unknown ones)."""
    stage_events: dict[str, int]
    """Events in each observed stage."""
    unknown_stages: tuple[str, ...]
    """Observed stages the map does not have, sorted."""
    journeys: int
    """Journeys in the log."""

    @property
    def shadow_transitions(self) -> tuple[ObservedTransition, ...]:
        """Observed stage changes the map does not design (skips, regressions, ...).

        Most frequent first.
        """
        return tuple(
            e.observed
            for e in self.edges
            if e.status is EdgeStatus.SHADOW and e.observed is not None
        )

    def __repr__(self) -> str:
        return (
            f"<MapComparison {self.journey_map.name!r}: {len(self.transitions)} observed "
            f"transitions ({len(self.shadow_transitions)} not in the map), "
            f"{len(self.dead_edges)} dead edges, {len(self.unreached_stages)} unreached stages, "
            f"{len(self.unknown_stages)} unknown stages>"
        )

    # -- graph -------------------------------------------------------------------------------

    def to_networkx(self) -> nx.DiGraph[str]:
        """The observed transition graph: one edge per observed stage change.

        Nodes are the map's stages (attributes ``in_map=True``, ``order``,
        ``journeys``, ``events``) plus observed stages the map lacks
        (``in_map=False``). Edges carry ``count``, ``journeys``,
        ``probability``, ``median_duration`` (a :class:`datetime.timedelta`),
        ``kind`` (:class:`TransitionKind`) and ``designed``.

        >>> from touchpath import EventLog, JourneyMap
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": t, "stage": s}
        ...                              for t, s in enumerate(["a", "b", "a"])])
        >>> g = compare_to_map(log, m).to_networkx()
        >>> sorted((a, b, d["count"], d["kind"].value) for a, b, d in g.edges(data=True))
        [('a', 'b', 1, 'forward'), ('b', 'a', 1, 'regression')]
        """
        graph: nx.DiGraph[str] = nx.DiGraph(name=self.journey_map.name)
        for i, sid in enumerate(self.journey_map.stage_ids):
            graph.add_node(
                sid,
                in_map=True,
                order=i,
                journeys=self.stage_journeys.get(sid, 0),
                events=self.stage_events.get(sid, 0),
            )
        for sid in self.unknown_stages:
            graph.add_node(
                sid,
                in_map=False,
                order=None,
                journeys=self.stage_journeys.get(sid, 0),
                events=self.stage_events.get(sid, 0),
            )
        for t in self.transitions:
            graph.add_edge(
                t.source,
                t.target,
                count=t.count,
                journeys=t.journeys,
                probability=t.probability,
                median_duration=t.median_duration,
                kind=t.kind,
                designed=t.is_designed,
            )
        return graph

    def to_pandas(self) -> Any:
        """The observed transitions as a pandas DataFrame (needs ``touchpath[pandas]``).

        Columns: ``source``, ``target``, ``kind``, ``designed``, ``count``,
        ``journeys``, ``probability``, ``median_duration`` (a timedelta).

        >>> from touchpath import EventLog, JourneyMap
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": t, "stage": s}
        ...                              for t, s in enumerate(["a", "b"])])
        >>> compare_to_map(log, m).to_pandas()[["source", "target", "count"]]
          source target  count
        0      a      b      1
        """
        return self.to_table().to_pandas()

    def _columns(self) -> Columns:
        return {
            "source": [t.source for t in self.transitions],
            "target": [t.target for t in self.transitions],
            "kind": [t.kind.value for t in self.transitions],
            "designed": np.array([t.is_designed for t in self.transitions], dtype=np.bool_),
            "count": np.array([t.count for t in self.transitions], dtype=np.int64),
            "journeys": np.array([t.journeys for t in self.transitions], dtype=np.int64),
            "probability": np.array([t.probability for t in self.transitions], dtype=np.float64),
            "median_duration": durations(t.median_duration for t in self.transitions),
        }

    def to_table(self) -> Table:
        """The observed transitions, one row each (the columns of :meth:`to_pandas`), as a
        :class:`touchpath.Table`: what ``print()``, ``Report.add`` and the command line show.

        >>> from touchpath import EventLog, JourneyMap
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": t, "stage": s}
        ...                              for t, s in enumerate(["a", "b"])])
        >>> compare_to_map(log, m).to_table().row(0)[:5]
        ['a', 'b', 'forward', True, 1]
        """
        count = ColumnKind.COUNT
        return Table(
            (
                Column("source", "from"),
                Column("target", "to"),
                Column("kind"),
                Column("designed", kind=ColumnKind.FLAG, shown=False),
                Column("count", "moves", count),
                Column("journeys", kind=count),
                Column("probability", kind=ColumnKind.RATE),
                Column("median_duration", "median time", ColumnKind.DURATION),
            ),
            self._columns(),
            name="transitions",
            title="Observed transitions against the map",
            source="MapComparison",
        )

    # -- the overlay -----------------------------------------------------------------------

    @property
    def edges(self) -> tuple[OverlayEdge, ...]:
        """Every edge of the overlay, classified once: the map's edges then the shadow moves.

        The map's edges come in declaration order, each :attr:`EdgeStatus.TAKEN`
        (some journey made the move) or :attr:`EdgeStatus.DEAD` (none did);
        then the observed moves the map lacks, :attr:`EdgeStatus.SHADOW`, most
        frequent first. The renderers (:func:`touchpath.render.to_mermaid`,
        :func:`~touchpath.render.to_dot`, :func:`~touchpath.render.to_svg`) and
        :func:`touchpath.plot.transitions` draw this tuple.

        >>> from touchpath import EventLog, JourneyMap
        >>> m = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": t, "stage": s}
        ...                              for t, s in enumerate(["a", "c"])])
        >>> [(e.source, e.target, e.status.value, e.count) for e in compare_to_map(log, m).edges]
        [('a', 'b', 'dead', 0), ('b', 'c', 'dead', 0), ('a', 'c', 'shadow', 1)]
        """
        counts = {(t.source, t.target): t.count for t in self.transitions}
        observed = {(t.source, t.target): t for t in self.transitions}
        return overlay_edges(self.journey_map, counts, observed)

    # -- drawing (convenience: the renderers in touchpath.render do the work) -------------------

    def to_mermaid(self, *, direction: Literal["LR", "TB", "TD", "RL", "BT"] = "LR") -> str:
        """Mermaid flowchart of the overlay; see :func:`touchpath.render.to_mermaid`.

        A convenience that imports :mod:`touchpath.render` when called.

        >>> from touchpath import EventLog, JourneyMap
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": t, "stage": s}
        ...                              for t, s in enumerate(["a", "b"])])
        >>> print(compare_to_map(log, m).to_mermaid().splitlines()[3])
            s0 -->|"1 (100%)"| s1
        """
        from ..render import to_mermaid

        return to_mermaid(self, direction=direction)

    def to_dot(
        self,
        *,
        direction: Literal["LR", "TB", "RL", "BT"] = "LR",
        rankdir: Literal["LR", "TB", "RL", "BT"] | None = None,
    ) -> str:
        """Graphviz digraph of the overlay; see :func:`touchpath.render.to_dot`.

        A convenience that imports :mod:`touchpath.render` when called.
        ``rankdir`` is the old name of ``direction`` (deprecated).

        >>> from touchpath import EventLog, JourneyMap
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": t, "stage": s}
        ...                              for t, s in enumerate(["a", "b"])])
        >>> compare_to_map(log, m).to_dot(direction="TB").splitlines()[1]
        '    rankdir=TB;'
        """
        from ..render import to_dot
        from ..render._dot import resolve_direction

        return to_dot(self, direction=resolve_direction(direction, rankdir))

    def to_svg(self, *, touchpoints: bool = True, title: bool = True, legend: bool = True) -> str:
        """A self-contained SVG of the overlay; see :func:`touchpath.render.to_svg`.

        A convenience that imports :mod:`touchpath.render` when called.

        >>> from touchpath import EventLog, JourneyMap
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": t, "stage": s}
        ...                              for t, s in enumerate(["b", "a"])])
        >>> compare_to_map(log, m).to_svg().count('class="tp-edge tp-shadow"')
        1
        """
        from ..render import to_svg

        return to_svg(self, touchpoints=touchpoints, title=title, legend=legend)


class EdgeStatus(enum.StrEnum):
    """How an edge of the observed-over-designed overlay relates to the data.

    ``TAKEN``: a map edge some journey took; ``DEAD``: a map edge no journey
    took; ``SHADOW``: a move journeys made that the map does not have (a skip,
    a regression, a sideways move, or a move from or to a stage the map lacks).

    >>> [s.value for s in EdgeStatus]
    ['taken', 'dead', 'shadow']
    """

    TAKEN = "taken"
    DEAD = "dead"
    SHADOW = "shadow"

    @property
    def is_designed(self) -> bool:
        """True for the map's own edges (taken or dead).

        >>> EdgeStatus.SHADOW.is_designed
        False
        """
        return self is not EdgeStatus.SHADOW


@attrs.frozen
class OverlayEdge:
    """One edge of the overlay: a map edge with its traffic, or a shadow move.

    >>> e = OverlayEdge("a", "c", EdgeStatus.SHADOW, loop_back=False, count=3)
    >>> (e.is_designed, e.count, e.observed)
    (False, 3, None)
    """

    source: str
    """The stage left."""
    target: str
    """The stage entered."""
    status: EdgeStatus
    """Taken, dead or shadow."""
    loop_back: bool
    """True for a map edge marked loop-back (always False for a shadow move)."""
    count: int | float
    """How many times the move was observed (0 for a dead edge). An int for the
    overlays of :func:`compare_to_map`; a networkx graph given to
    :func:`touchpath.render.to_svg` may carry fractional weights."""
    observed: ObservedTransition | None = None
    """The observed move with its journeys, probability and duration (None for a dead
    edge, and for overlays built from plain counts)."""

    @property
    def is_designed(self) -> bool:
        """True for the map's own edges (taken or dead)."""
        return self.status.is_designed


def overlay_edges(
    journey_map: JourneyMap,
    counts: Mapping[tuple[str, str], int | float],
    observed: Mapping[tuple[str, str], ObservedTransition] | None = None,
) -> tuple[OverlayEdge, ...]:
    """Classify observed counts against a map: the one classification every overlay uses.

    ``counts`` maps ``(source, target)`` to how often the move was observed
    (moves with count 0 are not observed). The map's edges come first, in
    declaration order (taken or dead), then the shadow moves, most frequent
    first (ties in the order of ``counts``). ``observed`` optionally gives the
    :class:`ObservedTransition` behind each pair.

    >>> from touchpath import JourneyMap
    >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
    >>> [(e.source, e.target, e.status.value) for e in overlay_edges(m, {("b", "a"): 2})]
    [('a', 'b', 'dead'), ('b', 'a', 'shadow')]
    """
    found = observed or {}

    def count_of(pair: tuple[str, str]) -> int | float:
        return counts.get(pair, 0)

    designed: set[tuple[str, str]] = set()
    out: list[OverlayEdge] = []
    for edge in journey_map.edges:
        pair = (edge.source, edge.target)
        designed.add(pair)
        c = count_of(pair)
        out.append(
            OverlayEdge(
                edge.source,
                edge.target,
                EdgeStatus.TAKEN if c else EdgeStatus.DEAD,
                loop_back=edge.is_loop_back,
                count=c,
                observed=found.get(pair) if c else None,
            )
        )
    shadows = [pair for pair in counts if pair not in designed and count_of(pair)]
    shadows.sort(key=lambda pair: -count_of(pair))
    out.extend(
        OverlayEdge(
            a,
            b,
            EdgeStatus.SHADOW,
            loop_back=False,
            count=count_of((a, b)),
            observed=found.get((a, b)),
        )
        for a, b in shadows
    )
    return tuple(out)


def _grouped(codes: npt.NDArray[np.int64], n_groups: int) -> npt.NDArray[np.int64]:
    """A stable order that groups ``codes`` (0 .. n_groups-1), keeping log order within a group.

    A stable sort of 16-bit integers is a radix sort in numpy: linear time.
    """
    small = codes.astype(np.int16) if n_groups < 2**15 else codes
    order: npt.NDArray[np.int64] = np.argsort(small, kind="stable")
    return order


def _distinct_per_group(
    groups: npt.NDArray[np.int64], journeys: npt.NDArray[np.int64], n_groups: int
) -> npt.NDArray[np.int64]:
    """How many distinct journeys each group has; rows are in log (journey) order."""
    if not len(groups):
        return np.zeros(n_groups, dtype=np.int64)
    order = _grouped(groups, n_groups)
    g = groups[order]
    j = journeys[order]
    new = np.ones(len(g), dtype=np.bool_)
    new[1:] = (g[1:] != g[:-1]) | (j[1:] != j[:-1])
    counts: npt.NDArray[np.int64] = np.bincount(g[new], minlength=n_groups)
    return counts


def compare_to_map(log: EventLog, journey_map: JourneyMap) -> MapComparison:
    """Set the observed journeys against the designed map.

    Finds the observed stage changes (with counts, journeys, the
    probability of each move among the moves out of its source stage, and
    the median time from entering the source to entering the target), the
    *shadow* transitions among them (moves the map does not design), the
    *dead* edges of the map (designed moves nobody made), the stages no
    event reached and the observed stages the map lacks. Stage changes
    are counted as in :func:`validate`: between consecutive events that
    have a stage, ignoring events without one.

    >>> from touchpath import EventLog, templates
    >>> m = templates.get("b2b_five_stage")
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "stage": "awareness"},
    ...     {"journey_id": "a", "timestamp": 3600, "stage": "decision"},
    ...     {"journey_id": "b", "timestamp": 0, "stage": "awareness"},
    ...     {"journey_id": "b", "timestamp": 7200, "stage": "consideration"}])
    >>> cmp = compare_to_map(log, m)
    >>> [(t.source, t.target, t.count, t.kind.value) for t in cmp.shadow_transitions]
    [('awareness', 'decision', 1, 'skip')]
    >>> [(e.source, e.target) for e in cmp.dead_edges]
    [('consideration', 'decision'), ('decision', 'retention'), ('retention', 'advocacy')]
    >>> cmp.unreached_stages
    ('retention', 'advocacy')
    """
    if not isinstance(log, EventLog):
        raise UnsupportedInputError(f"compare_to_map needs an EventLog; got {type(log).__name__}")
    if not isinstance(journey_map, JourneyMap):
        raise UnsupportedInputError(
            f"compare_to_map needs a JourneyMap; got {type(journey_map).__name__}"
        )
    context = ValidationContext(log, journey_map, now=0)
    t = context.transitions
    v = context.visits
    names = log.stage_ids
    width = max(len(names), 1)

    # observed moves, by (source, target) code pair: counting, then one pass per pair
    key = t.source_code.astype(np.int64) * width + t.target_code
    by_key = np.bincount(key, minlength=width * width)
    pairs = np.flatnonzero(by_key)
    n_pairs = len(pairs)
    position = np.full(width * width, -1, dtype=np.int64)
    position[pairs] = np.arange(n_pairs)
    group = position[key]
    counts = by_key[pairs]
    journeys = _distinct_per_group(group, t.journey, n_pairs)
    order = _grouped(group, n_pairs)
    durations = (log.timestamps[t.event] - log.timestamps[t.previous_event])[order]
    starts = np.zeros(n_pairs, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    medians = [
        float(np.median(durations[s : s + c]))
        for s, c in zip(starts.tolist(), counts.tolist(), strict=True)
    ]
    kinds = t.kind[order[starts]] if n_pairs else np.zeros(0, np.int8)
    src = pairs // width
    dst = pairs % width
    out_total = np.bincount(src, weights=counts, minlength=width)

    observed = [
        ObservedTransition(
            source=names[a],
            target=names[b],
            kind=_KIND_BY_CODE[int(k)],
            count=int(c),
            journeys=int(j),
            probability=float(c / out_total[a]),
            median_duration=dt.timedelta(microseconds=round(med)),
        )
        for a, b, k, c, j, med in zip(
            src.tolist(),
            dst.tolist(),
            kinds.tolist(),
            counts.tolist(),
            journeys.tolist(),
            medians,
            strict=True,
        )
    ]
    canonical = {sid: i for i, sid in enumerate(journey_map.stage_ids)}
    unknown = tuple(sorted(n for n in names if n not in canonical))
    rank = {**canonical, **{n: len(canonical) + i for i, n in enumerate(unknown)}}
    observed.sort(key=lambda o: (-o.count, rank[o.source], rank[o.target]))

    counted = {(o.source, o.target): o.count for o in observed}
    dead_pairs = {
        (e.source, e.target)
        for e in overlay_edges(journey_map, counted)
        if e.status is EdgeStatus.DEAD
    }
    dead = tuple(e for e in journey_map.edges if (e.source, e.target) in dead_pairs)

    codes = log.stage_codes
    event_counts = np.bincount(codes[codes >= 0], minlength=len(names))
    journey_counts = _distinct_per_group(v.code.astype(np.int64), v.journey, len(names))
    stage_events = {names[c]: int(n) for c, n in enumerate(event_counts.tolist()) if n}
    stage_journeys = {names[c]: int(n) for c, n in enumerate(journey_counts.tolist()) if n}
    unreached = tuple(s for s in journey_map.stage_ids if s not in stage_events)
    return MapComparison(
        journey_map=journey_map,
        transitions=tuple(observed),
        dead_edges=dead,
        unreached_stages=unreached,
        stage_journeys=_ordered(stage_journeys, rank),
        stage_events=_ordered(stage_events, rank),
        unknown_stages=unknown,
        journeys=len(log),
    )


def _ordered(counts: Mapping[str, int], rank: Mapping[str, int]) -> dict[str, int]:
    return {k: counts[k] for k in sorted(counts, key=rank.__getitem__)}

"""Designed versus observed: the transitions journeys take, set against the map's edges."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs
import networkx as nx
import numpy as np
import numpy.typing as npt

from .._columns import Columns, durations, to_arrow, to_pandas, to_polars
from .._log import EventLog
from .._map import JourneyMap
from .._model import Edge
from ..exceptions import ConfigError, UnsupportedInputError
from ._context import TransitionKind, ValidationContext

__all__ = ["MapComparison", "ObservedTransition", "compare_to_map"]

_KIND_BY_CODE: Final = {k.code: k for k in TransitionKind}

_SHADOW_COLOR: Final = "#d62728"
_DEAD_COLOR: Final = "#aaaaaa"

MermaidDirection = Literal["LR", "TB", "TD", "RL", "BT"]
DotRankDir = Literal["LR", "TB", "RL", "BT"]


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


def _pct(p: float) -> str:
    """A probability as a whole percentage that never rounds a rare move to 0 % or 100 %."""
    if 0 < p < 0.01:
        return "<1%"
    if 0.99 < p < 1:
        return ">99%"
    return f"{p:.0%}"


@attrs.frozen(repr=False)
class MapComparison:
    """The observed journeys set against the designed map.

    Built by :func:`compare_to_map`. ``transitions`` holds every observed
    stage change; :attr:`shadow_transitions` are those the map lacks,
    :attr:`dead_edges` the designed edges no journey took,
    :attr:`unreached_stages` the map stages no event is in, and
    :attr:`unknown_stages` the observed stages the map lacks.
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
        return tuple(t for t in self.transitions if not t.is_designed)

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
        return to_pandas(self._columns(), what="MapComparison.to_pandas()")

    def to_polars(self) -> Any:
        """The columns of :meth:`to_pandas` as a polars DataFrame."""
        return to_polars(self._columns(), what="MapComparison.to_polars()")

    def to_arrow(self) -> Any:
        """The columns of :meth:`to_pandas` as a pyarrow Table."""
        return to_arrow(self._columns(), what="MapComparison.to_arrow()")

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

    # -- rendering -------------------------------------------------------------------------

    def _edge_rows(self) -> list[tuple[str, str, str, ObservedTransition | None]]:
        """(source, target, style, observed) for every edge to draw.

        style: ``designed`` (a map edge that was taken), ``loop_back`` (a taken
        loop-back edge), ``dead`` (a map edge nobody took), ``dead_loop_back``
        and ``shadow`` (observed, not in the map).
        """
        observed = {(t.source, t.target): t for t in self.transitions}
        rows: list[tuple[str, str, str, ObservedTransition | None]] = []
        for edge in self.journey_map.edges:
            t = observed.get((edge.source, edge.target))
            if t is None:
                style = "dead_loop_back" if edge.is_loop_back else "dead"
            else:
                style = "loop_back" if edge.is_loop_back else "designed"
            rows.append((edge.source, edge.target, style, t))
        rows.extend((t.source, t.target, "shadow", t) for t in self.shadow_transitions)
        return rows

    def to_mermaid(self, *, direction: MermaidDirection = "LR") -> str:
        """A Mermaid flowchart of the map with the observed traffic drawn over it.

        Map edges that were taken are labelled with their count and
        probability; map edges nobody took are grey; observed moves the map
        lacks are thick red arrows (``==>``) with their counts; stages no
        event reached are grey and dashed, observed stages the map lacks
        red. Node ids are generated (``s<i>`` for map stages in canonical
        order, ``u<i>`` for unknown stages) and every label is escaped, so
        any stage id is safe.

        >>> from touchpath import EventLog, JourneyMap
        >>> m = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": t, "stage": s}
        ...                              for t, s in enumerate(["a", "c"])])
        >>> print(compare_to_map(log, m).to_mermaid())
        flowchart LR
            s0["a"]
            s1["b"]
            s2["c"]
            s0 --> s1
            s1 --> s2
            s0 ==>|"1 (100%)"| s2
            classDef unreached fill:#f4f4f4,stroke:#aaaaaa,color:#777777,stroke-dasharray: 3 3
            classDef unknown fill:#fdecea,stroke:#d62728,color:#d62728
            class s1 unreached
            linkStyle 0,1 stroke:#aaaaaa,stroke-dasharray: 3 3
            linkStyle 2 stroke:#d62728,stroke-width:3px
        """
        from ..render._mermaid import mermaid_label

        allowed = ("LR", "TB", "TD", "RL", "BT")
        if direction not in allowed:
            raise ConfigError(f"'direction' must be one of {list(allowed)}; got {direction!r}")
        ids = {sid: f"s{i}" for i, sid in enumerate(self.journey_map.stage_ids)}
        ids.update({sid: f"u{i}" for i, sid in enumerate(self.unknown_stages)})
        lines = [f"flowchart {direction}"]
        lines.extend(f"    {ids[s.id]}[{mermaid_label(s.name)}]" for s in self.journey_map.stages)
        lines.extend(f"    {ids[sid]}[{mermaid_label(sid)}]" for sid in self.unknown_stages)
        dead: list[int] = []
        shadow: list[int] = []
        for k, (a, b, style, t) in enumerate(self._edge_rows()):
            label = "" if t is None else f"{t.count} ({_pct(t.probability)})"
            if style in ("loop_back", "dead_loop_back"):
                text = "loop back" + (f": {label}" if label else "")
                lines.append(f"    {ids[a]} -.->|{mermaid_label(text)}| {ids[b]}")
            elif style == "shadow":
                lines.append(f"    {ids[a]} ==>|{mermaid_label(label)}| {ids[b]}")
            elif label:
                lines.append(f"    {ids[a]} -->|{mermaid_label(label)}| {ids[b]}")
            else:
                lines.append(f"    {ids[a]} --> {ids[b]}")
            if style.startswith("dead"):
                dead.append(k)
            elif style == "shadow":
                shadow.append(k)
        lines.append(
            "    classDef unreached fill:#f4f4f4,stroke:#aaaaaa,color:#777777,stroke-dasharray: 3 3"
        )
        lines.append(
            f"    classDef unknown fill:#fdecea,stroke:{_SHADOW_COLOR},color:{_SHADOW_COLOR}"
        )
        if self.unreached_stages:
            lines.append(f"    class {','.join(ids[s] for s in self.unreached_stages)} unreached")
        if self.unknown_stages:
            lines.append(f"    class {','.join(ids[s] for s in self.unknown_stages)} unknown")
        if dead:
            lines.append(
                f"    linkStyle {','.join(map(str, dead))} "
                f"stroke:{_DEAD_COLOR},stroke-dasharray: 3 3"
            )
        if shadow:
            lines.append(
                f"    linkStyle {','.join(map(str, shadow))} "
                f"stroke:{_SHADOW_COLOR},stroke-width:3px"
            )
        return "\n".join(lines)

    def to_dot(self, *, rankdir: DotRankDir = "LR") -> str:
        """A Graphviz digraph of the map with the observed traffic drawn over it.

        The same picture as :meth:`to_mermaid`: taken map edges labelled
        with count and probability, dead map edges grey and dotted,
        observed moves the map lacks bold red (and not used for ranking),
        unreached stages grey and dashed, unknown stages red. Node names
        are the stage ids, quoted so that any id is safe.

        >>> from touchpath import EventLog, JourneyMap
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": t, "stage": s}
        ...                              for t, s in enumerate(["b", "a"])])
        >>> print(compare_to_map(log, m).to_dot())
        digraph "m" {
            rankdir=LR;
            node [shape=box, style=rounded];
            "a" [label="a"];
            "b" [label="b"];
            "a" -> "b" [color="#aaaaaa", style=dotted];
            "b" -> "a" [label="1 (100%)", color="#d62728", fontcolor="#d62728", \
penwidth=2.5, constraint=false];
        }
        """
        from ..render._dot import dot_label, dot_quote

        allowed = ("LR", "TB", "RL", "BT")
        if rankdir not in allowed:
            raise ConfigError(f"'rankdir' must be one of {list(allowed)}; got {rankdir!r}")
        unreached = set(self.unreached_stages)
        lines = [
            f"digraph {dot_quote(self.journey_map.name)} {{",
            f"    rankdir={rankdir};",
            "    node [shape=box, style=rounded];",
        ]
        for stage in self.journey_map.stages:
            extra = ""
            if stage.id in unreached:
                extra = f', color="{_DEAD_COLOR}", fontcolor="#777777", style="rounded,dashed"'
            lines.append(f"    {dot_quote(stage.id)} [label={dot_label(stage.name)}{extra}];")
        lines.extend(
            f'    {dot_quote(sid)} [label={dot_label(sid)}, color="{_SHADOW_COLOR}", '
            f'fontcolor="{_SHADOW_COLOR}", style="rounded,bold"];'
            for sid in self.unknown_stages
        )
        for a, b, style, t in self._edge_rows():
            label = "" if t is None else f"{t.count} ({_pct(t.probability)})"
            attrs_: list[str] = []
            if style in ("loop_back", "dead_loop_back"):
                text = "loop back" + (f": {label}" if label else "")
                attrs_ += [f"label={dot_label(text)}", "style=dashed", "constraint=false"]
            elif label:
                attrs_.append(f"label={dot_label(label)}")
            if style.startswith("dead"):
                attrs_ = [a_ for a_ in attrs_ if not a_.startswith("style=")]
                attrs_ += [f'color="{_DEAD_COLOR}"', "style=dotted"]
            elif style == "shadow":
                attrs_ += [
                    f'color="{_SHADOW_COLOR}"',
                    f'fontcolor="{_SHADOW_COLOR}"',
                    "penwidth=2.5",
                    "constraint=false",
                ]
            suffix = f" [{', '.join(attrs_)}]" if attrs_ else ""
            lines.append(f"    {dot_quote(a)} -> {dot_quote(b)}{suffix};")
        lines.append("}")
        return "\n".join(lines)


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

    taken = {(o.source, o.target) for o in observed}
    dead = tuple(e for e in journey_map.edges if (e.source, e.target) not in taken)

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

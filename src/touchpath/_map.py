"""JourneyMap: the designed journey as an immutable, typed facade over a private graph."""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

import attrs
import networkx as nx
import numpy as np
import numpy.typing as npt

from ._model import KPI, Channel, Edge, EdgeKind, Phase, Stage, Touchpoint
from .exceptions import MapError, NotFoundError

if TYPE_CHECKING:
    from typing import Self

    from .render._svg import Observed

__all__ = ["JourneyMap", "JourneyMapBuilder", "LintFinding", "LintKind"]

UNREACHABLE: Final = -1
"""Forward distance between stages that no forward path joins."""


class LintKind(enum.StrEnum):
    """The kinds of findings :meth:`JourneyMap.lint` reports."""

    UNREACHABLE_STAGE = "unreachable_stage"
    DEAD_END = "dead_end"
    NO_TOUCHPOINTS = "no_touchpoints"
    KPI_WITHOUT_TARGET = "kpi_without_target"
    NO_OWNER = "no_owner"


@attrs.frozen
class LintFinding:
    """One finding of :meth:`JourneyMap.lint`."""

    kind: LintKind
    """What is wrong."""
    stage: str
    """The stage concerned."""
    message: str
    """A sentence saying what and where."""
    kpi: str | None = None
    """The KPI concerned, for ``KPI_WITHOUT_TARGET``."""


_T = TypeVar("_T")


def _tuple_of(kind: type[_T], what: str, value: object) -> tuple[_T, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise MapError(f"{what} must be a sequence; got {value!r}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, kind):
            raise MapError(f"{what} must contain {kind.__name__} objects; got {item!r}")
    return items


# attrs converters must be named functions for the mypy plugin to type ``__init__``.
def _stage_tuple(value: object) -> tuple[Stage, ...]:
    return _tuple_of(Stage, "stages", value)


def _edge_tuple(value: object) -> tuple[Edge, ...]:
    return _tuple_of(Edge, "edges", value)


def _touchpoint_tuple(value: object) -> tuple[Touchpoint, ...]:
    return _tuple_of(Touchpoint, "touchpoints", value)


def _str_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable):
        raise MapError(f"expected a sequence of stage ids; got {value!r}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise MapError(f"expected stage ids (strings); got {item!r}")
    return items


@attrs.frozen(repr=False)
class JourneyMap:
    """The designed customer journey: stages, allowed transitions and touchpoints.

    Stages are kept in *canonical order*: a topological order of the forward
    edges that keeps the declaration order wherever the graph allows it.
    Forward edges must not form a cycle; returns (nurture re-entry, renewal
    loops) are declared as loop-back edges. Entry stages default to the
    stages no forward edge enters, terminal stages to the stages no forward
    edge leaves; both can be named explicitly.

    Build one with :meth:`builder`, :meth:`from_dict` or :meth:`from_json`,
    or from the shipped :mod:`touchpath.templates`.

    >>> m = (JourneyMap.builder("tiny")
    ...      .stage("awareness").stage("consideration").stage("decision")
    ...      .path("awareness", "consideration", "decision")
    ...      .loop_back("decision", "consideration")
    ...      .touchpoint("blog", channel="organic_search", stage="awareness")
    ...      .build())
    >>> m.stage_ids
    ('awareness', 'consideration', 'decision')
    >>> (m.allows("awareness", "consideration"), m.allows("awareness", "decision"))
    (True, False)
    >>> m.forward_distance("awareness", "decision")
    2
    >>> m.is_loop_back("decision", "consideration")
    True
    """

    name: str = attrs.field()
    """The map's name."""
    stages: tuple[Stage, ...] = attrs.field(converter=_stage_tuple)
    """Stages in canonical order."""
    edges: tuple[Edge, ...] = attrs.field(default=(), converter=_edge_tuple)
    """Designed transitions, forward and loop-back, in declaration order."""
    touchpoints: tuple[Touchpoint, ...] = attrs.field(default=(), converter=_touchpoint_tuple)
    """Touchpoints, in declaration order."""
    entry: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    """Stages where journeys may start (empty: the sources of the forward graph)."""
    terminal: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    """Stages where finished journeys end (empty: the sinks of the forward graph)."""
    description: str = ""
    """Free text describing the map."""

    _graph: nx.DiGraph[str] = attrs.field(init=False, eq=False, hash=False)
    _index: dict[str, int] = attrs.field(init=False, eq=False, hash=False)
    _tp_index: dict[str, int] = attrs.field(init=False, eq=False, hash=False)
    _kinds: dict[tuple[int, int], int] = attrs.field(init=False, eq=False, hash=False)
    _forward: nx.DiGraph[str] = attrs.field(init=False, eq=False, hash=False)
    _dist: npt.NDArray[np.int32] | None = attrs.field(init=False, eq=False, hash=False)
    _edge_code: npt.NDArray[np.int8] | None = attrs.field(init=False, eq=False, hash=False)
    _succ: list[list[int]] | None = attrs.field(init=False, eq=False, hash=False)

    @name.validator
    def _check_name(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            raise MapError(f"a journey map needs a non-empty name; got {value!r}")

    def __attrs_post_init__(self) -> None:
        if not self.stages:
            raise MapError(f"journey map {self.name!r} has no stages")
        index: dict[str, int] = {}
        for i, stage in enumerate(self.stages):
            if stage.id in index:
                raise MapError(f"journey map {self.name!r}: duplicate stage id {stage.id!r}")
            index[stage.id] = i
        known = tuple(index)

        graph: nx.DiGraph[str] = nx.DiGraph()
        for stage in self.stages:
            graph.add_node(stage.id)
        seen_edges: set[tuple[str, str]] = set()
        for edge in self.edges:
            for end in (edge.source, edge.target):
                if end not in index:
                    raise MapError(
                        f"journey map {self.name!r}: edge {edge.source!r} -> {edge.target!r} "
                        f"references unknown stage {end!r} "
                        f"({NotFoundError('stage', end, choices=known)})"
                    )
            key = (edge.source, edge.target)
            if key in seen_edges:
                raise MapError(
                    f"journey map {self.name!r}: duplicate edge {edge.source!r} -> {edge.target!r}"
                )
            seen_edges.add(key)
            graph.add_edge(edge.source, edge.target, kind=edge.kind)

        forward: nx.DiGraph[str] = nx.DiGraph()
        forward.add_nodes_from(index)
        forward.add_edges_from((e.source, e.target) for e in self.edges if not e.is_loop_back)
        if not nx.is_directed_acyclic_graph(forward):
            cycle_edges = nx.find_cycle(forward)
            cycle = " -> ".join([*(a for a, _ in cycle_edges), cycle_edges[0][0]])
            raise MapError(
                f"journey map {self.name!r}: forward edges form a cycle ({cycle}); "
                "mark the edge that returns as a loop-back"
            )
        order = list(nx.lexicographical_topological_sort(forward, key=index.__getitem__))
        stages = tuple(self.stages[index[s]] for s in order)
        object.__setattr__(self, "stages", stages)
        index = {s.id: i for i, s in enumerate(stages)}

        tp_index: dict[str, int] = {}
        channels: dict[str, Channel] = {}
        for i, tp in enumerate(self.touchpoints):
            if tp.id in tp_index:
                raise MapError(f"journey map {self.name!r}: duplicate touchpoint id {tp.id!r}")
            if tp.stage not in index:
                raise MapError(
                    f"journey map {self.name!r}: touchpoint {tp.id!r} "
                    f"references unknown stage {tp.stage!r} "
                    f"({NotFoundError('stage', tp.stage, choices=known)})"
                )
            other = channels.setdefault(tp.channel.id, tp.channel)
            if other != tp.channel:
                raise MapError(
                    f"journey map {self.name!r}: channel {tp.channel.id!r} is declared twice "
                    f"with different attributes ({other!r} and {tp.channel!r})"
                )
            tp_index[tp.id] = i

        kpi_stage: dict[str, str] = {}
        for stage in stages:
            for kpi in stage.kpis:
                if kpi.id in kpi_stage:
                    raise MapError(
                        f"journey map {self.name!r}: duplicate KPI id {kpi.id!r} "
                        f"(stages {kpi_stage[kpi.id]!r} and {stage.id!r}); "
                        "KPI ids key scorecards and must be unique in a map"
                    )
                kpi_stage[kpi.id] = stage.id

        for what, ids in (("entry", self.entry), ("terminal", self.terminal)):
            if len(set(ids)) != len(ids):
                raise MapError(f"journey map {self.name!r}: duplicate {what} stage in {ids!r}")
            for sid in ids:
                if sid not in index:
                    raise MapError(
                        f"journey map {self.name!r}: {what} stage "
                        f"{NotFoundError('stage', sid, choices=known)}"
                    )

        # designed transitions by stage index, for linear-time lookups; the
        # stages x stages tables are built only when first asked for
        kinds = {(index[e.source], index[e.target]): 2 if e.is_loop_back else 1 for e in self.edges}

        object.__setattr__(self, "_graph", graph)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_tp_index", tp_index)
        object.__setattr__(self, "_kinds", kinds)
        object.__setattr__(self, "_forward", forward)
        object.__setattr__(self, "_dist", None)
        object.__setattr__(self, "_edge_code", None)
        object.__setattr__(self, "_succ", None)

    # -- construction ----------------------------------------------------------------------

    @staticmethod
    def builder(name: str, description: str = "") -> JourneyMapBuilder:
        """Start building a map step by step; see :class:`JourneyMapBuilder`."""
        return JourneyMapBuilder(name, description)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str | None = None) -> JourneyMap:
        """Build a map from plain data (as produced by :meth:`to_dict`).

        Malformed input raises :class:`~touchpath.exceptions.SchemaError` with
        the path of the bad field (``stages[3].kpis[0].target``); an
        inconsistent map raises :class:`~touchpath.exceptions.MapError`.

        >>> m = JourneyMap.from_dict({"name": "m", "stages": [{"id": "a"}, {"id": "b"}],
        ...                           "edges": [{"source": "a", "target": "b"}]})
        >>> m.successors("a")
        ('b',)
        """
        from ._mapdict import map_from_dict

        return map_from_dict(data, source=source)

    @classmethod
    def from_json(cls, text: str | bytes, *, source: str | None = None) -> JourneyMap:
        """Parse a map from JSON text (no code is ever executed).

        >>> JourneyMap.from_json('{"name": "m", "stages": [{"id": "a"}]}').stage_ids
        ('a',)
        """
        from ._mapdict import map_from_json

        return map_from_json(text, source=source)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-compatible) that :meth:`from_dict` turns back into an equal map.

        >>> from touchpath import templates
        >>> m = templates.get("b2b_five_stage")
        >>> JourneyMap.from_dict(m.to_dict()) == m
        True
        """
        from ._mapdict import map_to_dict

        return map_to_dict(self)

    def to_json(self, *, indent: int | None = 2) -> str:
        """JSON text that :meth:`from_json` turns back into an equal map.

        >>> m = JourneyMap.builder("m").stage("a").build()
        >>> JourneyMap.from_json(m.to_json()) == m
        True
        """
        import json

        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    # -- stages ------------------------------------------------------------------------------

    @property
    def stage_ids(self) -> tuple[str, ...]:
        """Stage ids in canonical order."""
        return tuple(s.id for s in self.stages)

    def __contains__(self, stage_id: object) -> bool:
        """Whether a stage with this id exists (anything unhashable is simply not one)."""
        try:
            return stage_id in self._index
        except TypeError:
            return False

    def __len__(self) -> int:
        return len(self.stages)

    def __iter__(self) -> Iterator[Stage]:
        return iter(self.stages)

    def stage(self, stage_id: str) -> Stage:
        """The stage with this id.

        >>> from touchpath import templates
        >>> templates.get("b2b_five_stage").stage("decision").phase.value
        'during_purchase'
        """
        return self.stages[self.stage_index(stage_id)]

    def stage_index(self, stage_id: str) -> int:
        """Position of a stage in canonical order; unknown ids raise ``NotFoundError``.

        >>> from touchpath import templates
        >>> templates.get("b2b_five_stage").stage_index("decision")
        2
        """
        try:
            return self._index[stage_id]
        except (KeyError, TypeError):
            raise NotFoundError("stage", stage_id, choices=self.stage_ids) from None

    def successors(self, stage_id: str) -> tuple[str, ...]:
        """Stages reachable in one designed transition (forward or loop-back), canonical order.

        >>> from touchpath import templates
        >>> templates.get("acquisition_nurture_growth").successors("raw_lead")
        ('qualified_lead', 'added_to_nurture')
        """
        i = self.stage_index(stage_id)
        return tuple(self.stages[j].id for j in sorted(b for a, b in self._out_edges(i)))

    def predecessors(self, stage_id: str) -> tuple[str, ...]:
        """Stages with a designed transition into this one, canonical order.

        >>> from touchpath import templates
        >>> templates.get("b2b_five_stage").predecessors("decision")
        ('consideration',)
        """
        i = self.stage_index(stage_id)
        ids = sorted(self._index[p] for p in self._graph.predecessors(self.stages[i].id))
        return tuple(self.stages[j].id for j in ids)

    def allows(self, source: str, target: str) -> bool:
        """Whether the map has a transition (forward or loop-back) from source to target.

        >>> from touchpath import templates
        >>> templates.get("b2b_five_stage").allows("awareness", "decision")
        False
        """
        return (self.stage_index(source), self.stage_index(target)) in self._kinds

    def is_loop_back(self, source: str, target: str) -> bool:
        """Whether source -> target is a marked loop-back edge.

        >>> from touchpath import templates
        >>> templates.get("acquisition_nurture_growth").is_loop_back("engaged", "qualified_lead")
        True
        """
        return self._kinds.get((self.stage_index(source), self.stage_index(target))) == 2

    def forward_distance(self, source: str, target: str) -> int | None:
        """Fewest forward edges from source to target; None when no forward path exists.

        A distance above 1 for an observed move means stages were skipped.

        >>> from touchpath import templates
        >>> m = templates.get("b2b_five_stage")
        >>> m.forward_distance("awareness", "retention")
        3
        >>> m.forward_distance("decision", "awareness") is None
        True
        """
        d = self._distance_index(self.stage_index(source), self.stage_index(target))
        return None if d == UNREACHABLE else d

    @property
    def entry_stages(self) -> tuple[str, ...]:
        """Stages where journeys may start, canonical order.

        Unless named explicitly, these are the stages that no forward edge
        enters and that have a way out (an isolated stage is not an entry,
        so :meth:`lint` reports it as unreachable); a map whose stages have
        no edges at all starts at its first stage.

        >>> from touchpath import templates
        >>> templates.get("b2b_five_stage").entry_stages
        ('awareness',)
        """
        if self.entry:
            return tuple(s for s in self.stage_ids if s in set(self.entry))
        fwd_in, has_out = self._degrees(kind=1, incoming=True), self._degrees(kind=0)
        found = tuple(
            s.id
            for s, into, out in zip(self.stages, fwd_in, has_out, strict=True)
            if not into and out
        )
        return found or (self.stages[0].id,)

    @property
    def terminal_stages(self) -> tuple[str, ...]:
        """Stages where finished journeys end, canonical order.

        Unless named explicitly, these are the stages that no edge at all
        leaves (a stage whose only way on is a loop-back is not an end) and
        that can be entered; failing that, the stages no forward edge leaves;
        a map with no edges ends at its last stage.

        >>> from touchpath import templates
        >>> templates.get("b2b_five_stage").terminal_stages
        ('advocacy',)
        """
        if self.terminal:
            return tuple(s for s in self.stage_ids if s in set(self.terminal))
        any_out, fwd_out = self._degrees(kind=0), self._degrees(kind=1)
        has_in = self._degrees(kind=0, incoming=True)
        for out in (any_out, fwd_out):
            found = tuple(
                s.id for s, o, into in zip(self.stages, out, has_in, strict=True) if not o and into
            )
            if found:
                return found
        return (self.stages[-1].id,)

    def stages_in_phase(self, phase: Phase) -> tuple[str, ...]:
        """Stage ids whose phase is ``phase``, canonical order.

        >>> from touchpath import templates
        >>> from touchpath import Phase
        >>> templates.get("b2b_five_stage").stages_in_phase(Phase.AFTER_PURCHASE)
        ('retention', 'advocacy')
        """
        return tuple(s.id for s in self.stages if s.phase is phase)

    # -- touchpoints, channels, KPIs --------------------------------------------------------

    def touchpoint(self, touchpoint_id: str) -> Touchpoint:
        """The touchpoint with this id.

        >>> from touchpath import templates
        >>> templates.get("b2b_five_stage").touchpoint("pricing_page").stage
        'decision'
        """
        try:
            return self.touchpoints[self._tp_index[touchpoint_id]]
        except (KeyError, TypeError):
            raise NotFoundError(
                "touchpoint", touchpoint_id, choices=tuple(self._tp_index)
            ) from None

    def has_touchpoint(self, touchpoint_id: str) -> bool:
        """Whether a touchpoint with this id exists.

        >>> from touchpath import templates
        >>> templates.get("b2b_five_stage").has_touchpoint("fax")
        False
        """
        try:
            return touchpoint_id in self._tp_index
        except TypeError:
            return False

    def touchpoints_of(self, stage_id: str) -> tuple[Touchpoint, ...]:
        """Touchpoints attached to a stage, in declaration order.

        >>> from touchpath import templates
        >>> [t.id for t in templates.get("b2b_five_stage").touchpoints_of("decision")][:2]
        ['ae_call', 'pricing_page']
        """
        self.stage_index(stage_id)
        return tuple(tp for tp in self.touchpoints if tp.stage == stage_id)

    @property
    def channels(self) -> tuple[Channel, ...]:
        """Distinct channels of the touchpoints, in order of first use.

        >>> from touchpath import templates
        >>> templates.get("b2b_five_stage").channels[0].id
        'social'
        """
        seen: dict[str, Channel] = {}
        for tp in self.touchpoints:
            seen.setdefault(tp.channel.id, tp.channel)
        return tuple(seen.values())

    def kpis_of(self, stage_id: str) -> tuple[KPI, ...]:
        """KPIs of a stage.

        >>> from touchpath import templates
        >>> [k.id for k in templates.get("pay_per_call_marketplace").kpis_of("decision")]
        ['trial_to_paid', 'registration_completion']
        """
        return self.stage(stage_id).kpis

    @property
    def kpis(self) -> tuple[KPI, ...]:
        """Every KPI of every stage, canonical stage order.

        >>> from touchpath import templates
        >>> len(templates.get("pay_per_call_marketplace").kpis) >= 8
        True
        """
        return tuple(k for s in self.stages for k in s.kpis)

    # -- graph ------------------------------------------------------------------------------

    def to_networkx(self) -> nx.DiGraph[str]:
        """A copy of the map as a networkx graph.

        Nodes are stage ids with ``stage`` (the :class:`Stage`) and ``order``
        attributes; edges carry ``kind`` (:class:`EdgeKind`).

        >>> from touchpath import templates
        >>> g = templates.get("b2b_five_stage").to_networkx()
        >>> (g.number_of_nodes(), g.edges["awareness", "consideration"]["kind"].value)
        (5, 'forward')
        """
        graph: nx.DiGraph[str] = nx.DiGraph(name=self.name)
        for i, stage in enumerate(self.stages):
            graph.add_node(stage.id, stage=stage, order=i)
        for edge in self.edges:
            graph.add_edge(edge.source, edge.target, kind=edge.kind)
        return graph

    def lint(self) -> tuple[LintFinding, ...]:
        """Findings about the map's completeness, in canonical stage order.

        Reports stages no path from an entry stage reaches, dead ends (no
        outgoing transition) that are not terminal, stages without
        touchpoints, KPIs without targets, and stages without an owner.
        An isolated stage is neither an entry nor a terminal stage by
        default, so it is reported as unreachable and as a dead end.

        >>> m = (JourneyMap.builder("m").stage("a").stage("b").stage("c")
        ...      .edge("a", "b").build())
        >>> [(f.kind.value, f.stage) for f in m.lint() if f.kind.value != "no_owner"]
        ... # doctest: +NORMALIZE_WHITESPACE
        [('no_touchpoints', 'a'), ('no_touchpoints', 'b'),
         ('unreachable_stage', 'c'), ('dead_end', 'c'), ('no_touchpoints', 'c')]
        """
        findings: list[LintFinding] = []
        entries = set(self.entry_stages)
        reachable: set[str] = set(entries)
        for e in entries:
            reachable |= nx.descendants(self._graph, e)
        terminals = set(self.terminal_stages)
        for stage in self.stages:
            sid = stage.id
            if sid not in reachable:
                findings.append(
                    LintFinding(
                        LintKind.UNREACHABLE_STAGE,
                        sid,
                        f"stage {sid!r} cannot be reached from an entry stage "
                        f"({', '.join(map(repr, self.entry_stages))})",
                    )
                )
            if sid not in terminals and self._graph.out_degree(sid) == 0:
                findings.append(
                    LintFinding(
                        LintKind.DEAD_END,
                        sid,
                        f"stage {sid!r} has no outgoing transition and is not terminal",
                    )
                )
            if not any(tp.stage == sid for tp in self.touchpoints):
                findings.append(
                    LintFinding(LintKind.NO_TOUCHPOINTS, sid, f"stage {sid!r} has no touchpoints")
                )
            if stage.owner is None:
                findings.append(LintFinding(LintKind.NO_OWNER, sid, f"stage {sid!r} has no owner"))
            findings.extend(
                LintFinding(
                    LintKind.KPI_WITHOUT_TARGET,
                    sid,
                    f"KPI {kpi.id!r} of stage {sid!r} has no target",
                    kpi=kpi.id,
                )
                for kpi in stage.kpis
                if kpi.target is None
            )
        return tuple(findings)

    # -- rendering ------------------------------------------------------------------------

    def to_mermaid(
        self,
        *,
        direction: Literal["LR", "TB", "RL", "BT"] = "LR",
        touchpoints: bool = False,
    ) -> str:
        """Mermaid flowchart text; see :func:`touchpath.render.to_mermaid`.

        >>> m = JourneyMap.builder("m").stage("a").stage("b").edge("a", "b").build()
        >>> print(m.to_mermaid())  # doctest: +ELLIPSIS
        flowchart LR
        ...
        """
        from .render import to_mermaid

        return to_mermaid(self, direction=direction, touchpoints=touchpoints)

    def to_dot(
        self,
        *,
        direction: Literal["LR", "TB", "RL", "BT"] = "LR",
        touchpoints: bool = False,
        rankdir: Literal["LR", "TB", "RL", "BT"] | None = None,
    ) -> str:
        """Graphviz DOT text; see :func:`touchpath.render.to_dot`.

        ``rankdir`` is the deprecated old name of ``direction``.

        >>> m = JourneyMap.builder("m").stage("a").stage("b").edge("a", "b").build()
        >>> m.to_dot().startswith("digraph")
        True
        """
        from .render import to_dot
        from .render._dot import resolve_direction

        return to_dot(
            self, direction=resolve_direction(direction, rankdir), touchpoints=touchpoints
        )

    def to_svg(
        self,
        *,
        observed: Observed | None = None,
        touchpoints: bool = True,
        title: bool = True,
        legend: bool = True,
    ) -> str:
        """A self-contained SVG diagram; see :func:`touchpath.render.to_svg`.

        >>> m = JourneyMap.builder("m").stage("a").stage("b").edge("a", "b").build()
        >>> m.to_svg().startswith("<svg")
        True
        """
        from .render import to_svg

        return to_svg(self, observed=observed, touchpoints=touchpoints, title=title, legend=legend)

    def __repr__(self) -> str:
        return (
            f"<JourneyMap {self.name!r}: {len(self.stages)} stages, {len(self.edges)} edges, "
            f"{len(self.touchpoints)} touchpoints>"
        )

    # -- internal, for vectorised validation ---------------------------------------------------

    def _out_edges(self, i: int) -> list[tuple[int, int]]:
        return [(i, self._index[t]) for t in self._graph.successors(self.stages[i].id)]

    def _degrees(self, *, kind: int, incoming: bool = False) -> list[bool]:
        """Per stage: whether an edge of ``kind`` (0: any) leaves it (or enters it)."""
        has = [False] * len(self.stages)
        for (a, b), k in self._kinds.items():
            if kind in (0, k):
                has[b if incoming else a] = True
        return has

    def _distance_index(self, i: int, j: int) -> int:
        """Fewest forward edges from stage index ``i`` to ``j`` (``-1`` where unreachable).

        Stages are in topological order, so no forward path leads to an earlier
        stage, and a breadth-first search from ``i`` only visits stages before
        ``j``: the work is about the stages between the two, never a table of
        all stages.
        """
        if self._dist is not None:
            return int(self._dist[i, j])
        if j <= i:
            return 0 if i == j else UNREACHABLE
        succ = self._succ
        if succ is None:
            succ = [[] for _ in self.stages]
            for (a, b), kind in self._kinds.items():
                if kind == 1:
                    succ[a].append(b)
            object.__setattr__(self, "_succ", succ)
        frontier, seen, d = [i], {i}, 0
        while frontier:
            d += 1
            following: list[int] = []
            for u in frontier:
                for v in succ[u]:
                    if v == j:
                        return d
                    if v < j and v not in seen:
                        seen.add(v)
                        following.append(v)
            frontier = following
        return UNREACHABLE

    def _move_kinds(self, i: int, j: int) -> tuple[int, int]:
        """(kind, skipped) of a move from stage index ``i`` to ``j``, kinds as edge codes.

        Kind 1 forward edge, 2 loop-back edge, 3 skip (``skipped`` stages jumped
        over), 4 regression, 0 sideways; computed from the edges and two
        shortest-path searches, for validation (which caches one answer per
        observed move).
        """
        edge = self._kinds.get((i, j))
        if edge is not None:
            return edge, 0
        d = self._distance_index(i, j)
        if d >= 2:
            return 3, d - 1
        if self._distance_index(j, i) >= 1:
            return 4, 0
        return 0, 0

    @property
    def _distance_matrix(self) -> npt.NDArray[np.int32]:
        """Forward distances by stage index (``-1`` where unreachable); read-only.

        A stages x stages table, built on first use by callers that ask for the
        whole table (the synthetic data generator); never when a map is built,
        loaded, linted or used to validate a log (those ask per observed move,
        :meth:`_move_kinds`).
        """
        if self._dist is None:
            n = len(self.stages)
            dist = np.full((n, n), UNREACHABLE, dtype=np.int32)
            for src, lengths in nx.all_pairs_shortest_path_length(self._forward):
                for dst, d in lengths.items():
                    dist[self._index[src], self._index[dst]] = d
            dist.setflags(write=False)
            object.__setattr__(self, "_dist", dist)
        assert self._dist is not None
        return self._dist

    @property
    def _edge_matrix(self) -> npt.NDArray[np.int8]:
        """0 no edge, 1 forward, 2 loop-back, by stage index; read-only, built on first use."""
        if self._edge_code is None:
            n = len(self.stages)
            code = np.zeros((n, n), dtype=np.int8)
            for (a, b), k in self._kinds.items():
                code[a, b] = k
            code.setflags(write=False)
            object.__setattr__(self, "_edge_code", code)
        assert self._edge_code is not None
        return self._edge_code

    # -- notebook display ------------------------------------------------------------------------

    def _repr_html_(self) -> str:
        """Jupyter: a one-line summary and the SVG diagram (:func:`touchpath.render.to_svg`)."""
        from ._repr import journey_map_html

        return journey_map_html(self)

    def _repr_markdown_(self) -> str:
        """Jupyter: the summary line and a Mermaid block (for Markdown front ends)."""
        from ._repr import journey_map_markdown

        return journey_map_markdown(self)


class JourneyMapBuilder:
    """Collects stages, edges and touchpoints, then :meth:`build` validates them all at once.

    Every method returns the builder, so calls chain.

    >>> m = (JourneyMap.builder("m")
    ...      .stage("a", owner="marketing").stage("b", owner="sales")
    ...      .edge("a", "b").build())
    >>> m.stage("b").owner
    'sales'
    """

    def __init__(self, name: str, description: str = "") -> None:
        self._name = name
        self._description = description
        self._stages: list[Stage] = []
        self._edges: list[Edge] = []
        self._touchpoints: list[Touchpoint] = []
        self._channels: dict[str, Channel] = {}
        self._entry: list[str] = []
        self._terminal: list[str] = []

    def stage(
        self,
        id: str,
        name: str | None = None,
        *,
        phase: Phase | str | None = None,
        goal: str = "",
        owner: str | None = None,
        group: str | None = None,
        kpis: Sequence[KPI] = (),
    ) -> Self:
        """Add a stage; stages are ordered as added unless forward edges say otherwise."""
        self._stages.append(
            Stage(
                id,
                name=name if name is not None else id,
                phase=phase,
                goal=goal,
                owner=owner,
                group=group,
                kpis=tuple(kpis),
            )
        )
        return self

    def add_stage(self, stage: Stage) -> Self:
        """Add a ready-made :class:`Stage`."""
        self._stages.append(stage)
        return self

    def edge(self, source: str, target: str, *, loop_back: bool = False) -> Self:
        """Add a designed transition; ``loop_back=True`` marks an allowed return."""
        self._edges.append(
            Edge(source, target, EdgeKind.LOOP_BACK if loop_back else EdgeKind.FORWARD)
        )
        return self

    def path(self, *stage_ids: str) -> Self:
        """Add forward edges along consecutive stages: ``path("a", "b", "c")``."""
        for source, target in itertools.pairwise(stage_ids):
            self.edge(source, target)
        return self

    def loop_back(self, source: str, target: str) -> Self:
        """Add a loop-back edge (shorthand for ``edge(source, target, loop_back=True)``)."""
        return self.edge(source, target, loop_back=True)

    def channel(self, id: str, kind: Any = "other", name: str | None = None) -> Self:
        """Declare a channel so touchpoints can name it by id."""
        self._channels[id] = Channel(id, kind, name if name is not None else id)
        return self

    def touchpoint(
        self,
        id: str,
        *,
        channel: Channel | str,
        stage: str,
        name: str | None = None,
        phase: Phase | str | None = None,
        description: str = "",
    ) -> Self:
        """Add a touchpoint; a channel given by id uses a channel declared with :meth:`channel`."""
        if isinstance(channel, str):
            channel = self._channels.get(channel, Channel(channel))
        self._touchpoints.append(
            Touchpoint(
                id,
                channel=channel,
                stage=stage,
                name=name if name is not None else id,
                phase=phase,
                description=description,
            )
        )
        return self

    def entry(self, *stage_ids: str) -> Self:
        """Name the entry stages explicitly."""
        self._entry.extend(stage_ids)
        return self

    def terminal(self, *stage_ids: str) -> Self:
        """Name the terminal stages explicitly."""
        self._terminal.extend(stage_ids)
        return self

    def build(self) -> JourneyMap:
        """Validate and return the immutable :class:`JourneyMap`."""
        return JourneyMap(
            name=self._name,
            stages=tuple(self._stages),
            edges=tuple(self._edges),
            touchpoints=tuple(self._touchpoints),
            entry=tuple(self._entry),
            terminal=tuple(self._terminal),
            description=self._description,
        )

"""The observed transition graph: who moves from where to where, how often and how fast.

A journey's *visits* at a level (stage, touchpoint or channel) are the runs
of consecutive events with the same value, events without a value at that
level skipped (``collapse_repeats=False``: every event is a visit). A
*transition* ``a -> b`` is a visit of ``a`` followed by a visit of ``b`` in
the same journey; its duration is the time from the first event of the ``a``
visit to the first event of the ``b`` visit (the time spent in ``a``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import networkx as nx
import numpy as np
import numpy.typing as npt

from .._columns import Columns, durations
from .._table import Column, ColumnKind, Table, TableViews
from ..exceptions import ConfigError
from ._common import (
    Level,
    LevelLike,
    level_codes,
    runs,
    to_enum,
)
from ._digest import DurationDigest, DurationStats, digests_by_group, group_order
from ._ratio import Ratio

if TYPE_CHECKING:
    from .._log import EventLog

__all__ = [
    "TransitionEdge",
    "TransitionGraph",
    "TransitionGraphCounts",
    "TransitionNode",
    "transition_graph",
]

_I64 = npt.NDArray[np.int64]


def _readonly(a: _I64) -> _I64:
    a.setflags(write=False)
    return a


def _remap(a: _I64, index: _I64, size: int) -> _I64:
    """Scatter a square matrix or a vector onto a larger node set."""
    if a.ndim == 1:
        out = np.zeros(size, dtype=np.int64)
        out[index] = a
        return out
    out = np.zeros((size, size), dtype=np.int64)
    out[np.ix_(index, index)] = a
    return out


@attrs.frozen(eq=False, repr=False)
class TransitionGraphCounts:
    """Mergeable counts behind :func:`transition_graph` (and :func:`dwell_times`).

    ``a + b`` adds the counts of two logs with disjoint journeys (node sets
    are aligned by name); :meth:`zero` is the neutral element. Distinct from
    the Markov attribution's transition counts: these count observed
    visits at one level with their durations, not paths to conversion.

    >>> from touchpath import EventLog
    >>> rec = lambda j, t, s: {"journey_id": j, "timestamp": t, "stage": s}
    >>> a = TransitionGraphCounts.from_log(EventLog.from_records(
    ...     [rec("a", 0, "visit"), rec("a", 10, "trial")]))
    >>> b = TransitionGraphCounts.from_log(EventLog.from_records(
    ...     [rec("b", 0, "visit"), rec("b", 30, "paid")]))
    >>> both = a + b
    >>> (both.nodes, both.count("visit", "trial"), both.count("visit", "paid"))
    (('paid', 'trial', 'visit'), 1, 1)
    """

    level: Level
    """Stage, touchpoint or channel."""
    collapse_repeats: bool
    """Whether consecutive events with the same value form one visit."""
    nodes: tuple[str, ...]
    """Node ids, sorted."""
    transitions: _I64
    """``transitions[i, j]``: transitions from node i to node j."""
    journeys: _I64
    """``journeys[i, j]``: journeys with at least one transition from node i to node j."""
    visits: _I64
    """Visits of each node."""
    entries: _I64
    """Journeys whose first visit is the node."""
    exits: _I64
    """Journeys whose last visit is the node (visits not followed by another)."""
    node_journeys: _I64
    """Journeys with at least one visit of the node."""
    durations: Mapping[tuple[str, str], DurationDigest]
    """Per transition with at least one occurrence, its durations."""

    @classmethod
    def zero(
        cls, *, level: LevelLike = Level.STAGE, collapse_repeats: bool = True
    ) -> TransitionGraphCounts:
        """Empty counts, neutral for ``+``.

        >>> TransitionGraphCounts.zero().nodes
        ()
        """
        empty = _readonly(np.zeros(0, dtype=np.int64))
        return cls(
            to_enum(Level, "level", level),
            _check_bool(collapse_repeats),
            (),
            _readonly(np.zeros((0, 0), dtype=np.int64)),
            _readonly(np.zeros((0, 0), dtype=np.int64)),
            empty,
            empty,
            empty,
            empty,
            {},
        )

    @classmethod
    def from_log(
        cls, log: EventLog, *, level: LevelLike = Level.STAGE, collapse_repeats: bool = True
    ) -> TransitionGraphCounts:
        """Count visits and transitions of a log (vectorised over all events).

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([
        ...     {"journey_id": "a", "timestamp": 0, "stage": "visit"},
        ...     {"journey_id": "a", "timestamp": 5, "stage": "visit"},
        ...     {"journey_id": "a", "timestamp": 9, "stage": "trial"}])
        >>> c = TransitionGraphCounts.from_log(log)
        >>> (c.count("visit", "trial"), c.visits.tolist())
        (1, [1, 1])
        """
        lvl = to_enum(Level, "level", level)
        collapse = _check_bool(collapse_repeats)
        codes, names = level_codes(log, lvl)
        n = len(names)
        r = runs(log, codes, collapse=collapse)
        code = r.code.astype(np.int64)
        moves = np.flatnonzero(~r.last)
        src = code[moves]
        dst = code[moves + 1]
        edge = src * n + dst
        mover = r.journey[moves]
        transitions = np.bincount(edge, minlength=n * n).reshape(n, n)
        # group transitions by edge (stable: journeys stay in order within an edge) once,
        # for the distinct journeys and the durations of each edge
        grouping = group_order(edge, n * n)
        edge_journeys = _distinct_per_group(mover, edge, grouping, n * n).reshape(n, n)
        node_journeys = _distinct_per_group(r.journey, code, group_order(code, n), n)
        duration = r.time[moves + 1] - r.time[moves]
        digests = digests_by_group(duration, edge, n * n, grouping) if len(edge) else []
        durations = {
            (names[e // n], names[e % n]): digests[e]
            for e in np.flatnonzero(transitions.ravel()).tolist()
        }
        return cls(
            lvl,
            collapse,
            names,
            _readonly(transitions.astype(np.int64)),
            _readonly(edge_journeys.astype(np.int64)),
            _readonly(np.bincount(code, minlength=n).astype(np.int64)),
            _readonly(np.bincount(code[r.first], minlength=n).astype(np.int64)),
            _readonly(np.bincount(code[r.last], minlength=n).astype(np.int64)),
            _readonly(node_journeys.astype(np.int64)),
            durations,
        )

    def index(self, node: str) -> int:
        """Position of a node; unknown ids raise ``NotFoundError``.

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"}])
        >>> TransitionGraphCounts.from_log(log).index("x")
        0
        """
        try:
            return self.nodes.index(node)
        except ValueError:
            from ..exceptions import NotFoundError

            raise NotFoundError(self.level.value, node, choices=self.nodes) from None

    def count(self, source: str, target: str) -> int:
        """Transitions from ``source`` to ``target`` (0 for unseen ids).

        >>> TransitionGraphCounts.zero().count("a", "b")
        0
        """
        if source not in self.nodes or target not in self.nodes:
            return 0
        return int(self.transitions[self.index(source), self.index(target)])

    def probability(self, source: str, target: str) -> Ratio:
        """``count(source, target)`` over all transitions leaving ``source``, as a :class:`Ratio`.

        The edge attribute ``probability`` of :func:`transition_graph` with its
        parts, so it merges and has a confidence interval (each transition
        counted as one trial; a journey that leaves ``source`` several times
        contributes several).

        >>> from touchpath import EventLog
        >>> rec = lambda j, t, s: {"journey_id": j, "timestamp": t, "stage": s}
        >>> log = EventLog.from_records([rec("a", 0, "x"), rec("a", 1, "y"),
        ...                              rec("b", 0, "x"), rec("b", 1, "z")])
        >>> p = TransitionGraphCounts.from_log(log).probability("x", "y")
        >>> p, f"{p.interval():.2f}"
        (Ratio(1/2 = 0.5), '[0.09, 0.91]')
        """
        i = self.index(source)
        leaving = int(self.transitions[i].sum())
        if target not in self.nodes:
            self.index(target)  # raises NotFoundError naming the known nodes
        return Ratio(int(self.transitions[i, self.index(target)]), leaving)

    def __add__(self, other: object) -> TransitionGraphCounts:
        if not isinstance(other, TransitionGraphCounts):
            return NotImplemented
        if (self.level, self.collapse_repeats) != (other.level, other.collapse_repeats):
            raise ConfigError(
                "only transition counts of the same level and collapse_repeats can be added; "
                f"got {self.level.value}/{self.collapse_repeats} and "
                f"{other.level.value}/{other.collapse_repeats}"
            )
        nodes = tuple(sorted(set(self.nodes) | set(other.nodes)))
        pos = {name: i for i, name in enumerate(nodes)}
        size = len(nodes)

        def aligned(c: TransitionGraphCounts, attr: str) -> _I64:
            index = np.array([pos[x] for x in c.nodes], dtype=np.int64)
            return _remap(getattr(c, attr), index, size)

        arrays = {
            attr: _readonly(aligned(self, attr) + aligned(other, attr))
            for attr in (
                "transitions",
                "journeys",
                "visits",
                "entries",
                "exits",
                "node_journeys",
            )
        }
        durations = dict(self.durations)
        for key, digest in other.durations.items():
            durations[key] = durations[key] + digest if key in durations else digest
        ordered = dict(sorted(durations.items(), key=lambda kv: (pos[kv[0][0]], pos[kv[0][1]])))
        return TransitionGraphCounts(
            self.level, self.collapse_repeats, nodes, durations=ordered, **arrays
        )

    def __radd__(self, other: object) -> TransitionGraphCounts:
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TransitionGraphCounts):
            return NotImplemented
        same = (self.level, self.collapse_repeats, self.nodes) == (
            other.level,
            other.collapse_repeats,
            other.nodes,
        )
        return (
            same
            and all(
                np.array_equal(getattr(self, a), getattr(other, a))
                for a in ("transitions", "journeys", "visits", "entries", "exits", "node_journeys")
            )
            and dict(self.durations) == dict(other.durations)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"<TransitionGraphCounts {self.level.value}: {len(self.nodes)} nodes, "
            f"{int(self.transitions.sum())} transitions>"
        )

    def to_networkx(self) -> nx.DiGraph[str]:
        """The graph; see :func:`transition_graph` for its attributes.

        >>> TransitionGraphCounts.zero().to_networkx().number_of_nodes()
        0
        """
        graph: nx.DiGraph[str] = nx.DiGraph(level=self.level.value)
        for i, node in enumerate(self.nodes):
            graph.add_node(
                node,
                visits=int(self.visits[i]),
                journeys=int(self.node_journeys[i]),
                entries=int(self.entries[i]),
                exits=int(self.exits[i]),
            )
        leaving = self.transitions.sum(axis=1)
        for (a, b), digest in self.durations.items():
            i, j = self.index(a), self.index(b)
            stats = digest.stats()
            graph.add_edge(
                a,
                b,
                count=int(self.transitions[i, j]),
                journeys=int(self.journeys[i, j]),
                probability=float(self.transitions[i, j] / leaving[i]),
                median_duration=stats.median,
                mean_duration=stats.mean,
                durations=stats,
            )
        return graph


def _distinct_per_group(
    journeys: _I64, groups: _I64, grouping: tuple[_I64, _I64], n_groups: int
) -> _I64:
    """Distinct journeys per group, given a stable grouping order (journeys ascending)."""
    order, _ = grouping
    if len(order) == 0:
        return np.zeros(n_groups, dtype=np.int64)
    g = groups[order]
    j = journeys[order]
    new = np.ones(len(order), dtype=np.bool_)
    new[1:] = (g[1:] != g[:-1]) | (j[1:] != j[:-1])
    return np.bincount(g[new], minlength=n_groups).astype(np.int64)


def _check_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"'collapse_repeats' must be True or False; got {value!r}")
    return value


@attrs.frozen
class TransitionNode:
    """A node of a :class:`TransitionGraph`: a stage, touchpoint or channel with its visits.

    >>> TransitionNode("trial", visits=3, journeys=2, entries=0, exits=1).exits
    1
    """

    id: str
    """The stage, touchpoint or channel id."""
    visits: int
    """Visits of the node (runs of consecutive events with it, see the module documentation)."""
    journeys: int
    """Journeys with at least one visit."""
    entries: int
    """Journeys whose first visit is this node."""
    exits: int
    """Journeys whose last visit is this node."""


@attrs.frozen
class TransitionEdge:
    """An observed move ``source -> target`` of a :class:`TransitionGraph`.

    >>> from touchpath import EventLog
    >>> rec = lambda j, t, s: {"journey_id": j, "timestamp": t, "stage": s}
    >>> g = transition_graph(EventLog.from_records([rec("a", 0, "x"), rec("a", 60, "y")]))
    >>> e = g.edges[0]
    >>> (e.source, e.target, e.count, e.probability, str(e.median_duration))
    ('x', 'y', 1, Ratio(1/1 = 1), '0:01:00')
    """

    source: str
    """The node left."""
    target: str
    """The node entered."""
    count: int
    """How many times the move was made."""
    journeys: int
    """Distinct journeys making it."""
    probability: Ratio
    """``count`` over all moves leaving ``source`` (exits are not moves)."""
    durations: DurationStats
    """Time from entering ``source`` to entering ``target``."""

    @property
    def median_duration(self) -> dt.timedelta:
        """The median of :attr:`durations` (an edge has at least one)."""
        median = self.durations.median
        assert median is not None  # an edge is observed at least once
        return median

    @property
    def mean_duration(self) -> dt.timedelta:
        """The mean of :attr:`durations`."""
        mean = self.durations.mean
        assert mean is not None
        return mean


@attrs.frozen(eq=False, repr=False)
class TransitionGraph(TableViews):
    """The observed transitions of a log at one level: what :func:`transition_graph` returns.

    A typed view of :class:`TransitionGraphCounts`: :attr:`nodes` and
    :attr:`edges` as frozen records, :meth:`to_networkx` the networkx graph
    (attributes as documented in :func:`transition_graph`) and
    :meth:`to_pandas` one row per edge.

    >>> from touchpath import EventLog
    >>> rec = lambda j, t, s: {"journey_id": j, "timestamp": t, "stage": s}
    >>> g = transition_graph(EventLog.from_records([rec("a", 0, "x"), rec("a", 60, "y")]))
    >>> g
    <TransitionGraph stage: 2 nodes, 1 edges, 1 transitions>
    >>> g.count("x", "y"), g.node_ids
    (1, ('x', 'y'))
    """

    counts: TransitionGraphCounts
    """The mergeable counts the graph is built from."""

    @property
    def level(self) -> Level:
        """Stage, touchpoint or channel."""
        return self.counts.level

    @property
    def node_ids(self) -> tuple[str, ...]:
        """Node ids, sorted."""
        return self.counts.nodes

    @property
    def nodes(self) -> tuple[TransitionNode, ...]:
        """Every node with its visits, journeys, entries and exits, by id."""
        c = self.counts
        return tuple(
            TransitionNode(
                node,
                visits=int(c.visits[i]),
                journeys=int(c.node_journeys[i]),
                entries=int(c.entries[i]),
                exits=int(c.exits[i]),
            )
            for i, node in enumerate(c.nodes)
        )

    @property
    def edges(self) -> tuple[TransitionEdge, ...]:
        """Every observed move, by source then target id."""
        c = self.counts
        pos = {node: i for i, node in enumerate(c.nodes)}
        leaving = c.transitions.sum(axis=1)
        out = []
        for (a, b), digest in sorted(
            c.durations.items(), key=lambda kv: (pos[kv[0][0]], pos[kv[0][1]])
        ):
            i, j = pos[a], pos[b]
            out.append(
                TransitionEdge(
                    a,
                    b,
                    count=int(c.transitions[i, j]),
                    journeys=int(c.journeys[i, j]),
                    probability=Ratio(int(c.transitions[i, j]), int(leaving[i])),
                    durations=digest.stats(),
                )
            )
        return tuple(out)

    def count(self, source: str, target: str) -> int:
        """Moves from ``source`` to ``target`` (0 for unseen ids).

        >>> transition_graph(TransitionGraphCounts.zero()).count("a", "b")
        0
        """
        return self.counts.count(source, target)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TransitionGraph):
            return NotImplemented
        return self.counts == other.counts

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"<TransitionGraph {self.level.value}: {len(self.counts.nodes)} nodes, "
            f"{len(self.counts.durations)} edges, {int(self.counts.transitions.sum())} transitions>"
        )

    def to_networkx(self) -> nx.DiGraph[str]:
        """The graph as a new networkx ``DiGraph`` (attributes: see :func:`transition_graph`).

        >>> transition_graph(TransitionGraphCounts.zero()).to_networkx().number_of_nodes()
        0
        """
        return self.counts.to_networkx()

    def to_pandas(self) -> Any:
        """One row per edge as a pandas DataFrame (needs ``touchpath[pandas]``).

        Columns: ``source``, ``target``, ``count``, ``journeys``,
        ``probability`` (a float), ``median_duration`` and ``mean_duration``
        (timedeltas).

        >>> from touchpath import EventLog
        >>> rec = lambda j, t, s: {"journey_id": j, "timestamp": t, "stage": s}
        >>> g = transition_graph(EventLog.from_records([rec("a", 0, "x"), rec("a", 60, "y")]))
        >>> g.to_pandas()[["source", "target", "count"]]
          source target  count
        0      x      y      1
        """
        return self.to_table().to_pandas()

    def to_table(self) -> Table:
        """One row per edge (the columns of :meth:`to_pandas`): what ``print()``, the
        notebook, ``Report.add`` and the frames show.

        >>> from touchpath import EventLog
        >>> rec = lambda j, t, s: {"journey_id": j, "timestamp": t, "stage": s}
        >>> g = transition_graph(EventLog.from_records([rec("a", 0, "x"), rec("a", 60, "y")]))
        >>> g.to_table().row(0)[:4]
        ['x', 'y', 1, 1]
        """
        count = ColumnKind.COUNT
        return Table(
            (
                Column("source", "from"),
                Column("target", "to"),
                Column("count", "moves", count),
                Column("journeys", kind=count),
                Column("probability", kind=ColumnKind.RATE),
                Column("median_duration", "median time", ColumnKind.DURATION),
                Column("mean_duration", "mean time", ColumnKind.DURATION),
            ),
            self._columns(),
            name="transitions",
            title=f"Observed transitions ({self.level.value})",
            source="TransitionGraph",
        )

    def _columns(self) -> Columns:
        edges = self.edges
        return {
            "source": [e.source for e in edges],
            "target": [e.target for e in edges],
            "count": np.array([e.count for e in edges], dtype=np.int64),
            "journeys": np.array([e.journeys for e in edges], dtype=np.int64),
            "probability": np.array([e.probability.value for e in edges], dtype=np.float64),
            "median_duration": durations(e.median_duration for e in edges),
            "mean_duration": durations(e.mean_duration for e in edges),
        }


def transition_graph(
    data: EventLog | TransitionGraphCounts,
    *,
    level: LevelLike = Level.STAGE,
    collapse_repeats: bool = True,
) -> TransitionGraph:
    """The observed transitions of a log, as a :class:`TransitionGraph`.

    Its :attr:`~TransitionGraph.nodes` and :attr:`~TransitionGraph.edges`
    are typed records; :meth:`~TransitionGraph.to_networkx` gives a
    networkx ``DiGraph`` whose nodes are the ids of the level (``stage``,
    ``touchpoint`` or ``channel``) with attributes ``visits``, ``journeys``
    (distinct journeys visiting),
    ``entries`` (journeys starting there) and ``exits`` (journeys ending
    there). Each observed transition ``a -> b`` is an edge with ``count``,
    ``journeys`` (distinct journeys making it), ``probability`` (``count``
    over all transitions leaving ``a``, so a node's out-edges sum to 1;
    exits are not transitions), ``median_duration`` and ``mean_duration``
    (timedeltas) and ``durations`` (a :class:`DurationStats`). Visits and
    durations are defined in the module documentation; the graph has no
    self-loops unless ``collapse_repeats=False``.

    ``data`` may be :class:`TransitionGraphCounts` (for example merged from
    parts); ``level`` and ``collapse_repeats`` then come from the counts.

    >>> from touchpath import EventLog
    >>> rec = lambda j, t, s: {"journey_id": j, "timestamp": t, "stage": s}
    >>> log = EventLog.from_records([
    ...     rec("a", 0, "visit"), rec("a", 3600, "trial"), rec("a", 7200, "paid"),
    ...     rec("b", 0, "visit"), rec("b", 60, "trial")])
    >>> g = transition_graph(log)
    >>> [(e.source, e.target, e.count) for e in g.edges]
    [('trial', 'paid', 1), ('visit', 'trial', 2)]
    >>> [n.exits for n in g.nodes if n.id == "trial"]
    [1]
    >>> nxg = g.to_networkx()
    >>> edge = nxg.edges["visit", "trial"]
    >>> nxg.edges["trial", "paid"]["probability"], str(edge["median_duration"])
    (1.0, '0:30:30')
    """
    if isinstance(data, TransitionGraphCounts):
        return TransitionGraph(data)
    return TransitionGraph(
        TransitionGraphCounts.from_log(data, level=level, collapse_repeats=collapse_repeats)
    )

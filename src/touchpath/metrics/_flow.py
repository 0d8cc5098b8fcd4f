"""Where journeys go, step by step: path flows, step matrices and top conversion paths.

A journey's *path* at a level (stage, touchpoint or channel) is its sequence
of visits (runs of consecutive events with the same value, events without a
value skipped; ``collapse_repeats=False``: every event is a visit), cut after
the visit holding its first conversion: the path *ends in conversion* when
the journey converts, else it *ends without conversion*. Step ``k`` (0-based)
of a path is its ``k``-th visit. :class:`PathFlowCounts` counts, for the
first ``steps`` steps, the journeys at each item, the moves from step ``k`` to
step ``k + 1`` and the paths ending at each step; it is mergeable (``+``,
``zero()``, ``from_log``). :func:`path_flow` (a Sankey) and
:func:`step_matrix` finish it; :func:`top_paths` ranks whole conversion paths
from :class:`~touchpath.attribution.PathCounts`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs
import numpy as np
import numpy.typing as npt

from .._columns import floats
from .._deprecation import renamed, renamed_fields, warn_renamed
from .._optional import available
from .._paths import ByLike, Collapse
from .._schema import Field
from .._table import Column, ColumnKind, Table, TableViews
from ..exceptions import ConfigError, MissingDependencyError
from ._common import NEVER, Level, LevelLike, level_codes, runs, to_enum

if TYPE_CHECKING:
    from .._log import EventLog
    from .._paths import PathCounts

__all__ = [
    "FlowLink",
    "FlowNode",
    "NodeKind",
    "PathFlow",
    "PathFlowCounts",
    "StepMatrix",
    "TopPaths",
    "path_flow",
    "step_matrix",
    "top_paths",
]

_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]

_OTHER: Final = "(other)"
"""The label of the items grouped outside the top ones."""
_CONVERTED: Final = "(converted)"
"""The sink of paths ending in conversion."""
_ENDED: Final = "(ended)"
"""The sink of paths ending without conversion."""
_CONTINUED: Final = "(more steps)"
"""The sink of paths longer than the steps counted."""


def _readonly(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a.setflags(write=False)
    return a


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ConfigError(f"{name!r} must be a positive integer; got {value!r}")
    return int(value)


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{name!r} must be True or False; got {value!r}")
    return value


@attrs.frozen(eq=False, repr=False)
class PathFlowCounts:
    """Mergeable step-by-step counts of the first ``steps`` visits of each journey's path.

    ``a + b`` adds the counts of two logs with disjoint journeys (items are
    aligned by name); :meth:`zero` is the neutral element. At every step
    ``k`` the journeys at an item either move on (``moves``) or end there
    (``converted``, ``ended``; at the last step also ``continued``), so
    ``at[k] == moves from k + converted[k] + ended[k] (+ continued)``.

    >>> from touchpath import EventLog
    >>> rec = lambda j, t, s, c=False: {"journey_id": j, "timestamp": t, "stage": s,
    ...                                 "converted": c}
    >>> a = PathFlowCounts.from_log(EventLog.from_records(
    ...     [rec("a", 0, "visit"), rec("a", 9, "trial", True)]), steps=3)
    >>> b = PathFlowCounts.from_log(EventLog.from_records([rec("b", 0, "visit")]), steps=3)
    >>> both = a + b
    >>> both.items, both.at.tolist(), both.move("visit", "trial")
    (('trial', 'visit'), [[0, 2], [1, 0], [0, 0]], 1)
    """

    level: Level
    """Stage, touchpoint or channel."""
    steps: int
    """How many steps are counted."""
    collapse_repeats: bool
    """Whether consecutive events with the same value form one visit."""
    items: tuple[str, ...]
    """Item ids, sorted."""
    at: _I64
    """``at[k, i]``: journeys whose step ``k`` is item ``i`` (shape ``(steps, items)``)."""
    move_step: _I64
    """Step ``k`` of each observed move ``k -> k + 1`` (moves sorted by step, source, target)."""
    move_source: _I64
    """The item at step ``k`` of each move."""
    move_target: _I64
    """The item at step ``k + 1`` of each move."""
    move_journeys: _I64
    """Journeys making each move."""
    converted: _I64
    """``converted[k, i]``: journeys whose path ends in conversion at step ``k`` on item ``i``."""
    ended: _I64
    """``ended[k, i]``: journeys whose path ends without conversion at step ``k`` on item ``i``."""
    continued: _I64
    """Journeys at each item at the last step whose path goes on past it."""
    journeys: int
    """Journeys with at least one visit (the denominator of step shares)."""
    without_visits: int
    """Journeys with no visit at this level (left out of every count above)."""

    @classmethod
    def zero(
        cls, *, level: LevelLike = Level.STAGE, steps: int = 5, collapse_repeats: bool = True
    ) -> PathFlowCounts:
        """Empty counts, neutral for ``+``.

        >>> PathFlowCounts.zero(steps=2).at.shape
        (2, 0)
        """
        n = _positive_int(steps, "steps")
        e = np.zeros(0, dtype=np.int64)
        z = np.zeros((n, 0), dtype=np.int64)
        return cls(
            to_enum(Level, "level", level),
            n,
            _check_bool(collapse_repeats, "collapse_repeats"),
            (),
            _readonly(z),
            _readonly(e.copy()),
            _readonly(e.copy()),
            _readonly(e.copy()),
            _readonly(e.copy()),
            _readonly(z.copy()),
            _readonly(z.copy()),
            _readonly(e.copy()),
            0,
            0,
        )

    @classmethod
    def from_log(
        cls,
        log: EventLog,
        *,
        level: LevelLike = Level.STAGE,
        steps: int = 5,
        collapse_repeats: bool = True,
    ) -> PathFlowCounts:
        """Count the first ``steps`` steps of every journey's path (vectorised over events).

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([
        ...     {"journey_id": "a", "timestamp": 0, "channel": "ads"},
        ...     {"journey_id": "a", "timestamp": 5, "channel": "ads"},
        ...     {"journey_id": "a", "timestamp": 9, "channel": "seo", "converted": True},
        ...     {"journey_id": "a", "timestamp": 20, "channel": "email"}])
        >>> c = PathFlowCounts.from_log(log, level="channel", steps=2)
        >>> c.items, c.at.tolist(), c.converted.tolist()
        (('ads', 'email', 'seo'), [[1, 0, 0], [0, 0, 1]], [[0, 0, 0], [0, 0, 1]])
        """
        lvl = to_enum(Level, "level", level)
        n_steps = _positive_int(steps, "steps")
        collapse = _check_bool(collapse_repeats, "collapse_repeats")
        codes, names = level_codes(log, lvl)
        n_items = len(names)
        n_journeys = len(log)
        r = runs(log, codes, collapse=collapse)
        # cut every path after the visit holding the journey's first conversion
        first_conversion = np.full(n_journeys, NEVER, dtype=np.int64)
        conv = np.flatnonzero(log.converted)
        if len(conv):
            cj = log.event_journey[conv]
            head = np.ones(len(conv), dtype=np.bool_)
            head[1:] = cj[1:] != cj[:-1]
            first_conversion[cj[head]] = conv[head]
        keep = r.start <= first_conversion[r.journey]
        journey = r.journey[keep]
        code = r.code[keep].astype(np.int64)
        length = np.bincount(journey, minlength=n_journeys).astype(np.int64)
        starts = np.zeros(n_journeys + 1, dtype=np.int64)
        np.cumsum(length, out=starts[1:])
        rank = np.arange(len(journey), dtype=np.int64) - starts[journey]
        counted = rank < n_steps
        at = np.bincount(
            rank[counted] * n_items + code[counted], minlength=n_steps * n_items
        ).reshape(n_steps, n_items)
        # moves: a visit at step k < steps - 1 followed by one of the same journey
        src = np.flatnonzero((rank < n_steps - 1) & (rank < length[journey] - 1))
        key = (rank[src] * n_items + code[src]) * n_items + code[src + 1]
        step_, source, target, count = _grouped_moves(key, n_items)
        # the last counted visit of each journey: where its path ends or is cut
        visited = np.flatnonzero(length > 0)
        last = starts[visited] + np.minimum(length[visited], n_steps) - 1
        last_cell = rank[last] * n_items + code[last]
        longer = length[visited] > n_steps
        converts = log.journey_converted[visited] if n_journeys else np.zeros(0, np.bool_)
        size = n_steps * n_items
        converted = np.bincount(last_cell[~longer & converts], minlength=size)
        ended = np.bincount(last_cell[~longer & ~converts], minlength=size)
        continued = np.bincount(code[last[longer]], minlength=n_items)
        return cls(
            lvl,
            n_steps,
            collapse,
            names,
            _readonly(at.astype(np.int64)),
            _readonly(step_),
            _readonly(source),
            _readonly(target),
            _readonly(count),
            _readonly(converted.reshape(n_steps, n_items).astype(np.int64)),
            _readonly(ended.reshape(n_steps, n_items).astype(np.int64)),
            _readonly(continued.astype(np.int64)),
            len(visited),
            n_journeys - len(visited),
        )

    def move(self, source: str, target: str, step: int | None = None) -> int:
        """Journeys moving from ``source`` to ``target`` (at step ``step``, or at any step).

        >>> PathFlowCounts.zero().move("a", "b")
        0
        """
        if source not in self.items or target not in self.items:
            return 0
        i, j = self.items.index(source), self.items.index(target)
        hit = (self.move_source == i) & (self.move_target == j)
        if step is not None:
            hit &= self.move_step == step
        return int(self.move_journeys[hit].sum())

    def __add__(self, other: object) -> PathFlowCounts:
        if not isinstance(other, PathFlowCounts):
            return NotImplemented
        mine = (self.level, self.steps, self.collapse_repeats)
        theirs = (other.level, other.steps, other.collapse_repeats)
        if mine != theirs:
            raise ConfigError(
                "only path flow counts of the same level, steps and collapse_repeats can be "
                f"added; got {self.level.value}/{self.steps}/{self.collapse_repeats} and "
                f"{other.level.value}/{other.steps}/{other.collapse_repeats}"
            )
        items = tuple(sorted(set(self.items) | set(other.items)))
        pos = {name: i for i, name in enumerate(items)}
        n = len(items)

        def index(c: PathFlowCounts) -> _I64:
            return np.array([pos[x] for x in c.items], dtype=np.int64)

        def wide(c: PathFlowCounts, a: _I64) -> _I64:
            out = np.zeros((a.shape[0], n) if a.ndim == 2 else n, dtype=np.int64)
            out[..., index(c)] = a
            return out

        keys = []
        weights = []
        for c in (self, other):
            ix = index(c)
            keys.append((c.move_step * n + ix[c.move_source]) * n + ix[c.move_target])
            weights.append(c.move_journeys)
        step_, source, target, count = _grouped_moves(
            np.concatenate(keys), n, np.concatenate(weights)
        )
        return PathFlowCounts(
            self.level,
            self.steps,
            self.collapse_repeats,
            items,
            _readonly(wide(self, self.at) + wide(other, other.at)),
            _readonly(step_),
            _readonly(source),
            _readonly(target),
            _readonly(count),
            _readonly(wide(self, self.converted) + wide(other, other.converted)),
            _readonly(wide(self, self.ended) + wide(other, other.ended)),
            _readonly(wide(self, self.continued) + wide(other, other.continued)),
            self.journeys + other.journeys,
            self.without_visits + other.without_visits,
        )

    def __radd__(self, other: object) -> PathFlowCounts:
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PathFlowCounts):
            return NotImplemented
        head = (self.level, self.steps, self.collapse_repeats, self.items, self.journeys)
        return (
            head == (other.level, other.steps, other.collapse_repeats, other.items, other.journeys)
            and self.without_visits == other.without_visits
            and all(
                np.array_equal(getattr(self, a), getattr(other, a))
                for a in (
                    "at",
                    "move_step",
                    "move_source",
                    "move_target",
                    "move_journeys",
                    "converted",
                    "ended",
                    "continued",
                )
            )
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"<PathFlowCounts {self.level.value}: {self.steps} steps, {len(self.items)} items, "
            f"{self.journeys:,} journeys>"
        )


def _grouped_moves(
    key: _I64, n_items: int, weights: _I64 | None = None
) -> tuple[_I64, _I64, _I64, _I64]:
    """Distinct ``(step, source, target)`` keys, sorted, with their summed weights."""
    if len(key) == 0:
        e = np.zeros(0, dtype=np.int64)
        return e, e.copy(), e.copy(), e.copy()
    distinct, inverse = np.unique(key, return_inverse=True)
    count = np.bincount(inverse, weights=weights, minlength=len(distinct))
    nn = n_items * n_items
    return (
        (distinct // nn).astype(np.int64),
        (distinct % nn // n_items).astype(np.int64),
        (distinct % n_items).astype(np.int64),
        np.rint(count).astype(np.int64),
    )


def _counts_of(
    data: EventLog | PathFlowCounts,
    level: LevelLike,
    steps: int,
    collapse_repeats: bool,
) -> PathFlowCounts:
    if isinstance(data, PathFlowCounts):
        return data
    from .._log import EventLog

    if not isinstance(data, EventLog):
        raise ConfigError(f"expected an EventLog or PathFlowCounts; got {type(data).__name__}")
    return PathFlowCounts.from_log(
        data, level=level, steps=steps, collapse_repeats=collapse_repeats
    )


# -- path flow ----------------------------------------------------------------------------------


class NodeKind(enum.StrEnum):
    """What a node of a path flow stands for.

    >>> [k.value for k in NodeKind]
    ['item', 'other', 'converted', 'ended', 'continued']
    """

    ITEM = "item"
    OTHER = "other"
    CONVERTED = "converted"
    ENDED = "ended"
    CONTINUED = "continued"


@attrs.frozen
class FlowNode:
    """A box of a path flow: an item (or a sink) at a step, with its journeys.

    Sinks of paths ending at step ``k`` sit at step ``k + 1``.

    >>> FlowNode(0, "visit", NodeKind.ITEM, 12).journeys
    12
    """

    step: int
    """The column (0-based); sinks sit one column after the step they end."""
    label: str
    """The item id, or ``(other)``, ``(converted)``, ``(ended)``, ``(more steps)``."""
    kind: NodeKind
    """Item, grouped others, or a sink."""
    journeys: int
    """Journeys in the box."""


@attrs.frozen
class FlowLink:
    """A band of a path flow: journeys from a node at ``step`` to a node at ``step + 1``.

    >>> FlowLink(0, "visit", "trial", 3).journeys
    3
    """

    step: int
    """The source node's step."""
    source: str
    """The source node's label."""
    target: str
    """The target node's label (an item, ``(other)`` or a sink)."""
    journeys: int
    """Journeys moving."""


def _top_labels(at_k: _I64, items: Sequence[str], top: int) -> tuple[list[str], bool]:
    """The ``top`` items with most journeys at a step (ties by name); whether others exist."""
    present = list(np.flatnonzero(at_k).tolist())
    present.sort(key=lambda i: (-int(at_k[i]), items[i]))
    return [items[i] for i in present[:top]], len(present) > top


@attrs.frozen(eq=False)
class PathFlow(TableViews):
    """A path flow (Sankey): nodes per step and the bands between them.

    At each step the ``top`` items with the most journeys are kept and the
    rest grouped as ``(other)``; paths ending at a step flow into the sinks
    ``(converted)`` or ``(ended)`` of the next column, and paths longer than
    the steps counted into ``(more steps)``. Every journey of
    :attr:`PathFlowCounts.journeys` is in exactly one node per column until
    it reaches a sink.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "stage": "visit"},
    ...     {"journey_id": "a", "timestamp": 9, "stage": "trial", "converted": True},
    ...     {"journey_id": "b", "timestamp": 0, "stage": "visit"}])
    >>> flow = path_flow(log, steps=2)
    >>> [(n.step, n.label, n.journeys) for n in flow.nodes]
    [(0, 'visit', 2), (1, 'trial', 1), (1, '(ended)', 1), (2, '(converted)', 1)]
    >>> [(x.source, x.target, x.journeys) for x in flow.links]
    [('visit', 'trial', 1), ('visit', '(ended)', 1), ('trial', '(converted)', 1)]
    """

    counts: PathFlowCounts
    """The mergeable counts the flow was computed from."""
    top: int
    """Items kept per step."""
    nodes: tuple[FlowNode, ...]
    """Per column: items by journeys (then name), ``(other)``, then the sinks."""
    links: tuple[FlowLink, ...]
    """Per step: bands in the order of their source, then target, nodes."""

    def to_table(self) -> Table:
        """One row per band: ``step`` (0-based: the move from step k to k + 1), ``source``,
        ``target``, ``journeys`` and ``share`` (of the journeys at the source's step).

        >>> PathFlow.from_counts(PathFlowCounts.zero()).to_pandas().columns.tolist()
        ['step', 'source', 'target', 'journeys', 'share']
        """
        totals: dict[int, int] = {}
        for n in self.nodes:
            if n.kind in (NodeKind.ITEM, NodeKind.OTHER):
                totals[n.step] = totals.get(n.step, 0) + n.journeys
        links = self.links
        return Table(
            (
                Column("step", kind=ColumnKind.COUNT),
                Column("source", "from"),
                Column("target", "to"),
                Column("journeys", kind=ColumnKind.COUNT),
                Column("share", "share of step", ColumnKind.RATE),
            ),
            {
                "step": np.array([x.step for x in links], dtype=np.int64),
                "source": [x.source for x in links],
                "target": [x.target for x in links],
                "journeys": np.array([x.journeys for x in links], dtype=np.int64),
                "share": np.array([x.journeys / totals[x.step] for x in links], dtype=np.float64),
            },
            name="path_flow",
            note=self._display_summary(),
            source="PathFlow",
        )

    @classmethod
    def from_counts(cls, counts: PathFlowCounts, *, top: int = 8) -> PathFlow:
        """The flow of counts, with the ``top`` items per step (what :func:`path_flow` returns).

        >>> PathFlow.from_counts(PathFlowCounts.zero()).nodes
        ()
        """
        k_top = _positive_int(top, "top")
        items = counts.items
        n_steps = counts.steps
        keep: list[dict[str, str]] = []  # per step: item -> label shown
        node_journeys: dict[tuple[int, str], int] = {}
        order: list[tuple[int, str, NodeKind]] = []
        for k in range(n_steps):
            shown, others = _top_labels(counts.at[k], items, k_top)
            label_of = {x: (x if x in shown else _OTHER) for x in items}
            keep.append(label_of)
            order.extend((k, x, NodeKind.ITEM) for x in shown)
            if others:
                order.append((k, _OTHER, NodeKind.OTHER))
            for i, x in enumerate(items):
                if counts.at[k, i]:
                    node_journeys[(k, label_of[x])] = node_journeys.get((k, label_of[x]), 0) + int(
                        counts.at[k, i]
                    )
        links: dict[tuple[int, str, str], int] = {}
        for k, i, j, c in zip(
            counts.move_step.tolist(),
            counts.move_source.tolist(),
            counts.move_target.tolist(),
            counts.move_journeys.tolist(),
            strict=True,
        ):
            key = (k, keep[k][items[i]], keep[k + 1][items[j]])
            links[key] = links.get(key, 0) + c
        sinks: dict[tuple[int, str], int] = {}
        for sink, table in ((_CONVERTED, counts.converted), (_ENDED, counts.ended)):
            for k in range(n_steps):
                for i in np.flatnonzero(table[k]).tolist():
                    key = (k, keep[k][items[i]], sink)
                    links[key] = links.get(key, 0) + int(table[k, i])
                    sinks[(k + 1, sink)] = sinks.get((k + 1, sink), 0) + int(table[k, i])
        for i in np.flatnonzero(counts.continued).tolist():
            key = (n_steps - 1, keep[-1][items[i]], _CONTINUED)
            links[key] = links.get(key, 0) + int(counts.continued[i])
            sinks[(n_steps, _CONTINUED)] = sinks.get((n_steps, _CONTINUED), 0) + int(
                counts.continued[i]
            )
        kinds = {
            _CONVERTED: NodeKind.CONVERTED,
            _ENDED: NodeKind.ENDED,
            _CONTINUED: NodeKind.CONTINUED,
        }
        for k in range(n_steps + 1):
            for sink in (_CONVERTED, _ENDED, _CONTINUED):
                if (k, sink) in sinks:
                    order.append((k, sink, kinds[sink]))
                    node_journeys[(k, sink)] = sinks[(k, sink)]
        order.sort(key=lambda o: o[0])  # stable: within a column items, other, then sinks
        nodes = tuple(FlowNode(k, x, kind, node_journeys[(k, x)]) for k, x, kind in order)
        rank = {(n.step, n.label): p for p, n in enumerate(nodes)}
        ordered = sorted(
            links.items(),
            key=lambda kv: (kv[0][0], rank[(kv[0][0], kv[0][1])], rank[(kv[0][0] + 1, kv[0][2])]),
        )
        return cls(counts, k_top, nodes, tuple(FlowLink(k, s, t, c) for (k, s, t), c in ordered))

    def _display_summary(self) -> str:
        c = self.counts
        conv = int(c.converted.sum())
        return (
            f"{c.journeys:,} journeys over the first {c.steps} {c.level.value} steps "
            f"(top {self.top} per step); {conv:,} paths end in conversion, "
            f"{int(c.ended.sum()):,} without, {int(c.continued.sum()):,} go on past step "
            f"{c.steps}"
            + (f"; {c.without_visits:,} journeys have no visit" if c.without_visits else "")
        )

    def report_section(self, *, title: str | None = None, chart: bool | None = None) -> Any:
        """The flow chart (when matplotlib is installed, or ``chart=True``) and its bands.

        >>> PathFlow.from_counts(PathFlowCounts.zero()).report_section(chart=False).title
        'Path flow'
        """
        return _chart_section(self, title or "Path flow", chart, "path_flow")


def path_flow(
    data: EventLog | PathFlowCounts,
    *,
    level: LevelLike = Level.STAGE,
    steps: int = 5,
    top: int = 8,
    collapse_repeats: bool = True,
) -> PathFlow:
    """The path flow (Sankey) of the first ``steps`` steps of every journey.

    ``data`` may be :class:`PathFlowCounts` (for example merged from parts);
    ``level``, ``steps`` and ``collapse_repeats`` then come from the counts.
    See :class:`PathFlow` for the nodes and the module documentation for
    paths.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": j, "timestamp": t, "channel": c}
    ...     for j, path in {"a": ["ads", "seo"], "b": ["ads", "email"], "c": ["seo"]}.items()
    ...     for t, c in enumerate(path)])
    >>> flow = path_flow(log, level="channel", steps=2, top=1)
    >>> [(n.step, n.label, n.journeys) for n in flow.nodes if n.step == 1]
    [(1, 'email', 1), (1, '(other)', 1), (1, '(ended)', 1)]
    """
    return PathFlow.from_counts(_counts_of(data, level, steps, collapse_repeats), top=top)


# -- step matrix --------------------------------------------------------------------------------


@attrs.frozen(eq=False)
class StepMatrix(TableViews):
    """Share of journeys at each item at each step (retentioneering's step matrix).

    Rows are the ``top`` items with the most visits over the steps (the rest
    summed as ``(other)``), then ``(converted)`` and ``(ended)``: the share of
    journeys whose path has ended, in conversion or not, before the step.
    Each column sums to 1 (paths longer than the steps stay in their last
    column's rows). A :meth:`difference` of two matrices holds differences
    of shares instead (each column sums to 0).

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "stage": "visit"},
    ...     {"journey_id": "a", "timestamp": 9, "stage": "trial", "converted": True},
    ...     {"journey_id": "b", "timestamp": 0, "stage": "visit"}])
    >>> m = step_matrix(log, steps=3)
    >>> m.rows
    ('visit', 'trial', '(converted)', '(ended)')
    >>> m.shares.tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.5, 0.0], [0.0, 0.0, 0.5], [0.0, 0.5, 0.5]]
    """

    level: Level
    """Stage, touchpoint or channel."""
    rows: tuple[str, ...]
    """Row labels: items (by journeys, then name), ``(other)``, ``(converted)``, ``(ended)``."""
    shares: _F64
    """``shares[r, k]``: share of journeys in row ``r`` at step ``k`` (or a difference)."""
    journeys: int
    """Journeys counted (the denominator); for a difference, those of the first matrix."""
    label: str | None = None
    """What the matrix describes (a segment name); a difference says ``'a - b'``."""
    difference_of: tuple[str, str] | None = None
    """For a difference, the labels of the two matrices; None for shares."""

    @property
    def steps(self) -> int:
        """Columns (steps counted).

        >>> step_matrix(PathFlowCounts.zero(steps=4)).steps
        4
        """
        return int(self.shares.shape[1])

    def share(self, row: str, step: int) -> float:
        """The share (or difference) of a row at a step (0-based); 0 for a row not shown.

        >>> step_matrix(PathFlowCounts.zero()).share("visit", 0)
        0.0
        """
        if row not in self.rows:
            return 0.0
        return float(self.shares[self.rows.index(row), step])

    def difference(self, other: StepMatrix) -> StepMatrix:
        """``self - other`` row by row (rows aligned by label, missing rows counted 0).

        Compare two segments: ``step_matrix(log.filter(segment="smb"), label="smb")
        .difference(step_matrix(log.filter(segment="enterprise"), label="enterprise"))``.

        >>> from touchpath import EventLog
        >>> rec = lambda j, s: {"journey_id": j, "timestamp": 0, "stage": s}
        >>> a = step_matrix(EventLog.from_records([rec("a", "x")]), steps=1, label="A")
        >>> b = step_matrix(EventLog.from_records([rec("b", "y")]), steps=1, label="B")
        >>> d = a.difference(b)
        >>> d.label, d.share("x", 0), d.share("y", 0)
        ('A - B', 1.0, -1.0)
        """
        if not isinstance(other, StepMatrix):
            raise ConfigError(f"a step matrix difference needs a StepMatrix; got {other!r}")
        if (self.level, self.steps) != (other.level, other.steps):
            raise ConfigError(
                "step matrices of the same level and steps can be compared; got "
                f"{self.level.value}/{self.steps} and {other.level.value}/{other.steps}"
            )
        if self.difference_of is not None or other.difference_of is not None:
            raise ConfigError("a difference of step matrices cannot be compared again")
        sinks = (_CONVERTED, _ENDED)
        items = [r for r in self.rows if r not in sinks and r != _OTHER]
        items += [r for r in other.rows if r not in sinks and r != _OTHER and r not in items]
        if _OTHER in self.rows or _OTHER in other.rows:
            items.append(_OTHER)
        rows = (*items, *sinks)
        shares = np.array(
            [[self.share(r, k) - other.share(r, k) for k in range(self.steps)] for r in rows],
            dtype=np.float64,
        ).reshape(len(rows), self.steps)
        a, b = self.label or "first", other.label or "second"
        return StepMatrix(self.level, rows, _readonly(shares), self.journeys, f"{a} - {b}", (a, b))

    def to_table(self) -> Table:
        """Rows as the index, one column per step (1-based, as on the chart): shares, or
        for a difference, differences of shares (in percentage points).

        >>> step_matrix(PathFlowCounts.zero(steps=2)).to_pandas().columns.tolist()
        [1, 2]
        """
        kind = ColumnKind.RATE_CHANGE if self.difference_of else ColumnKind.RATE
        index = self.level.value
        data: dict[str | int, Any] = {index: list(self.rows)}
        data.update({k + 1: self.shares[:, k] for k in range(self.steps)})
        return Table(
            (Column(index), *(Column(k + 1, f"step {k + 1}", kind) for k in range(self.steps))),
            data,
            name="step_matrix",
            note=self._display_summary(),
            index=index,
            source="StepMatrix",
        )

    def _display_summary(self) -> str:
        if self.difference_of is not None:
            a, b = self.difference_of
            return f"difference of step shares, {a} minus {b}, over {self.steps} steps"
        who = f" ({self.label})" if self.label else ""
        return (
            f"{self.journeys:,} journeys{who}, share at each {self.level.value} "
            f"over {self.steps} steps"
        )

    def report_section(self, *, title: str | None = None, chart: bool | None = None) -> Any:
        """The heat map (when matplotlib is installed, or ``chart=True``) and the table.

        >>> step_matrix(PathFlowCounts.zero()).report_section(chart=False).title
        'Step matrix'
        """
        return _chart_section(self, title or "Step matrix", chart, "step_matrix")


def step_matrix(
    data: EventLog | PathFlowCounts,
    *,
    level: LevelLike = Level.STAGE,
    steps: int = 10,
    top: int = 12,
    collapse_repeats: bool = True,
    label: str | None = None,
) -> StepMatrix:
    """The step matrix of the first ``steps`` steps (see :class:`StepMatrix`).

    ``data`` may be :class:`PathFlowCounts`; ``level``, ``steps`` and
    ``collapse_repeats`` then come from the counts. ``label`` names what the
    matrix describes (used by :meth:`StepMatrix.difference` and the charts).

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": j, "timestamp": t, "stage": s}
    ...     for j, path in {"a": ["visit", "trial"], "b": ["visit"]}.items()
    ...     for t, s in enumerate(path)])
    >>> step_matrix(log, steps=2).share("visit", 0)
    1.0
    """
    counts = _counts_of(data, level, steps, collapse_repeats)
    k_top = _positive_int(top, "top")
    items = counts.items
    total = counts.at.sum(axis=0)
    ranked = sorted(np.flatnonzero(total).tolist(), key=lambda i: (-int(total[i]), items[i]))
    shown, rest = ranked[:k_top], ranked[k_top:]
    n = counts.steps
    rows_counts = [counts.at[:, i] for i in shown]
    labels = [items[i] for i in shown]
    if rest:
        rows_counts.append(counts.at[:, rest].sum(axis=1))
        labels.append(_OTHER)
    # paths that ended before step k (cumulative over earlier steps)
    for table in (counts.converted, counts.ended):
        per_step = table.sum(axis=1)
        before = np.concatenate([[0], np.cumsum(per_step)[:-1]])
        rows_counts.append(before)
    labels += [_CONVERTED, _ENDED]
    matrix = np.array(rows_counts, dtype=np.float64).reshape(len(labels), n)
    if counts.journeys:
        matrix /= counts.journeys
    return StepMatrix(counts.level, tuple(labels), _readonly(matrix), counts.journeys, label)


# -- top paths ----------------------------------------------------------------------------------


@renamed_fields(by="level")
@attrs.frozen(eq=False)
class TopPaths(TableViews):
    """The most common conversion paths (GA's top conversion paths).

    Rows are distinct paths by conversions (then occurrences, then path):
    ``conversions``, ``occurrences`` (converting and non-converting paths),
    ``conversion_rate`` (conversions over occurrences), ``value`` and the
    ``share`` of all conversions. :attr:`other` sums the paths not shown.

    >>> from touchpath.attribution import PathCounts
    >>> t = top_paths(PathCounts.from_rows([(["ads", "seo"], 3, 1, 90.0), (["seo"], 1, 3, 10.0)]))
    >>> [(p, c, o, r) for p, c, o, r, _, _ in t.rows]
    [(('ads', 'seo'), 3.0, 4.0, 0.75), (('seo',), 1.0, 4.0, 0.25)]
    """

    level: str
    """What the path items are (channel, touchpoint, ...)."""
    rows: tuple[tuple[tuple[str, ...], float, float, float | None, float, float | None], ...]
    """``(path, conversions, occurrences, conversion_rate, value, share)`` per path shown."""
    other: tuple[int, float, float, float]
    """Paths not shown: ``(paths, conversions, occurrences, value)``."""
    total_conversions: float
    """Conversions of all paths."""

    @property
    def by(self) -> str:
        """Deprecated name of :attr:`level`."""
        warn_renamed("TopPaths.by", "TopPaths.level")
        return self.level

    def to_table(self) -> Table:
        """One row per path shown: ``path`` (tuples of items), ``conversions``,
        ``occurrences``, ``conversion_rate``, ``value`` and ``share`` (of all conversions).

        >>> from touchpath.attribution import PathCounts
        >>> top_paths(PathCounts.from_rows([(["a"], 1, 1, 5.0)])).to_pandas().columns.tolist()
        ['path', 'conversions', 'occurrences', 'conversion_rate', 'value', 'share']
        """
        rows = self.rows
        return Table(
            (
                Column("path"),
                Column("conversions", kind=ColumnKind.CREDIT),
                Column("occurrences", kind=ColumnKind.CREDIT),
                Column("conversion_rate", "conversion rate", ColumnKind.RATE),
                Column("value", kind=ColumnKind.MONEY),
                Column("share", kind=ColumnKind.RATE),
            ),
            {
                "path": [r[0] for r in rows],
                "conversions": floats([r[1] for r in rows]),
                "occurrences": floats([r[2] for r in rows]),
                "conversion_rate": floats([r[3] for r in rows]),
                "value": floats([r[4] for r in rows]),
                "share": floats([r[5] for r in rows]),
            },
            name="top_paths",
            note=self._display_summary(),
            decimals=0,
            source="TopPaths",
        )

    def _display_summary(self) -> str:
        hidden = f"; {self.other[0]:,} more paths not shown" if self.other[0] else ""
        return (
            f"top {len(self.rows)} {self.level} paths by conversions, of "
            f"{self.total_conversions:,.0f} conversions{hidden}"
        )

    def report_section(self, *, title: str | None = None, chart: bool | None = None) -> Any:
        """The chart (when matplotlib is installed, or ``chart=True``) and the table.

        >>> from touchpath.attribution import PathCounts
        >>> top_paths(PathCounts.from_rows([(["a"], 1, 1, 5.0)])).report_section(chart=False).title
        'Top conversion paths'
        """
        return _chart_section(self, title or "Top conversion paths", chart, "top_paths")


@renamed(by="level")
def top_paths(
    data: EventLog | PathCounts,
    *,
    level: ByLike = Field.CHANNEL,
    top: int = 10,
    collapse: Collapse | Literal["none", "consecutive"] = Collapse.NONE,
) -> TopPaths:
    """The ``top`` conversion paths by conversions, from a log or ``PathCounts``.

    Paths are those of :func:`touchpath.attribution.conversion_paths` (a
    conversion ends a path; the touches after a journey's last conversion
    form a non-converting path); ``level`` and ``collapse`` are passed to
    :meth:`PathCounts.from_log <touchpath.attribution.PathCounts.from_log>`
    when ``data`` is a log. Paths without conversions are not ranked but
    counted in :attr:`TopPaths.other`.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "channel": "ads"},
    ...     {"journey_id": "a", "timestamp": 1, "channel": "seo", "converted": True, "value": 9},
    ...     {"journey_id": "b", "timestamp": 0, "channel": "ads"},
    ...     {"journey_id": "b", "timestamp": 1, "channel": "seo"}])
    >>> top_paths(log).rows
    ((('ads', 'seo'), 1.0, 2.0, 0.5, 9.0, 1.0),)
    """
    from .._log import EventLog
    from .._paths import PathCounts

    k_top = _positive_int(top, "top")
    if isinstance(data, EventLog):
        counts = PathCounts.from_log(data, level=level, collapse=collapse)
    elif isinstance(data, PathCounts):
        counts = data
    else:
        raise ConfigError(f"top_paths() needs an EventLog or PathCounts; got {type(data).__name__}")
    conv = counts.conversions
    occ = counts.conversions + counts.non_conversions
    total = float(conv.sum())

    def path(i: int) -> tuple[str, ...]:
        codes = counts.codes[counts.offsets[i] : counts.offsets[i + 1]].tolist()
        return tuple(counts.items[c] for c in codes)

    # rank by conversions, then occurrences (vectorised); name paths only where ties decide
    candidates = np.flatnonzero(conv > 0)
    order = candidates[np.lexsort((-occ[candidates], -conv[candidates]))]
    if len(order) > k_top:
        last = order[k_top - 1]
        tied = (conv[order] == conv[last]) & (occ[order] == occ[last])
        order = order[: max(k_top, int(np.flatnonzero(tied)[-1]) + 1)]
    ranked = sorted(order.tolist(), key=lambda i: (-float(conv[i]), -float(occ[i]), path(i)))
    shown = ranked[:k_top]
    hidden = np.ones(len(conv), dtype=np.bool_)
    hidden[shown] = False
    rows = tuple(
        (
            path(i),
            float(conv[i]),
            float(occ[i]),
            float(conv[i] / occ[i]) if occ[i] else None,
            float(counts.values[i]),
            float(conv[i] / total) if total else None,
        )
        for i in shown
    )
    other = (
        int(np.count_nonzero(hidden)),
        float(conv[hidden].sum()),
        float(occ[hidden].sum()),
        float(counts.values[hidden].sum()),
    )
    level_name = counts.level.value if counts.level is not None else "item"
    return TopPaths(level_name, rows, other, total)


# -- report sections with a chart ---------------------------------------------------------------


def _chart_section(result: Any, title: str, chart: bool | None, plot_name: str) -> Any:
    """A report section: the result's chart (PNG) above its table."""
    from ..report import Section

    section = result.to_table().report_section(title=title, max_rows=60)
    table, note = section.body, section.note
    if chart is None:
        chart = available("matplotlib")
    if not chart:
        return Section(title, table, "table", note)
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingDependencyError.for_extra(
            "plot", f"{type(result).__name__}.report_section(chart=True)", "matplotlib"
        ) from None

    from .. import plot

    figure = Figure(figsize=(9.0, 5.0), layout="constrained")
    getattr(plot, plot_name)(result, ax=figure.add_subplot())
    image = Section.matplotlib(title, figure, alt=note)
    return Section(title, image.body + table, "figure", note)

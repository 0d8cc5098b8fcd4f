"""Optimal alignments of journeys to the map: the cheapest repair that makes each a walk.

A journey map has no concurrency, so aligning a journey's stage visits
``v_1 .. v_n`` to the map is a shortest path on the product of the journey
(positions ``0..n``) and the map (its stages plus a start state): from
``(i, q)`` one may *skip* visit ``i+1`` (to ``(i+1, q)``, cost
``skip(v_{i+1})``), *match* it when the map allows ``q -> v_{i+1}`` (to
``(i+1, v_{i+1})``, cost 0) or *insert* a stage ``s`` the map allows after
``q`` (to ``(i, s)``, cost ``insert(s)``). The path starts at ``(0, start)``
and ends at ``(n, t)`` with ``t`` a terminal stage (any state in prefix
mode, for journeys still in progress). Insertions within one position are
closed with all-pairs shortest paths over the map first (``O(S^3)``, once),
so each position is one min-plus step over all journeys at once: ``O(n S)``
per journey of ``n`` visits for ``S`` stages, exact, and vectorised.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final, final

import attrs
import numpy as np
import numpy.typing as npt

from .._runs import runs
from .._table import Column, ColumnKind, Table, TableViews
from ..exceptions import ConfigError, MapError

if TYPE_CHECKING:
    from .._log import EventLog
    from .._map import JourneyMap
    from ..metrics._ratio import Ratio

__all__ = ["AlignmentCosts", "AlignmentMove", "Alignments", "MoveKind", "Repair", "align"]

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]
_INF: Final = math.inf
_CHUNK: Final = 8192  # journeys per batch: small enough for the states to stay in cache


def _positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{name} must be a positive number; got {value!r}")
    out = float(value)
    if not (math.isfinite(out) and out > 0):
        raise ConfigError(f"{name} must be a positive finite number; got {value!r}")
    return out


def _cost_map(value: object) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"per-stage costs must be a mapping of stage id to cost; got {value!r}")
    return {str(k): _positive(f"the cost of stage {k!r}", v) for k, v in value.items()}


def _skip_cost(value: object) -> float:
    return _positive("'skip'", value)


def _insert_cost(value: object) -> float:
    return _positive("'insert'", value)


@final
@attrs.frozen
class AlignmentCosts:
    """What each repair costs: skipping an observed visit, inserting a stage of the map.

    A stage observed in the wrong place shows as skipped where it was seen
    and inserted where the map needs it (``skip + insert``). Costs are
    positive; per-stage costs override the defaults.

    >>> AlignmentCosts(insert_stage={"decision": 3}).insert_cost("decision")
    3.0
    """

    skip: float = attrs.field(default=1.0, converter=_skip_cost)
    """Cost of leaving out one observed stage visit."""
    insert: float = attrs.field(default=1.0, converter=_insert_cost)
    """Cost of adding one stage the journey lacks."""
    skip_stage: Mapping[str, float] = attrs.field(factory=dict, converter=_cost_map)
    """Per observed stage id, its skip cost (unknown stages included)."""
    insert_stage: Mapping[str, float] = attrs.field(factory=dict, converter=_cost_map)
    """Per map stage id, its insert cost."""

    def skip_cost(self, stage: str) -> float:
        """Cost of skipping a visit of ``stage``.

        >>> AlignmentCosts(skip=2).skip_cost("anything")
        2.0
        """
        return self.skip_stage.get(stage, self.skip)

    def insert_cost(self, stage: str) -> float:
        """Cost of inserting ``stage``.

        >>> AlignmentCosts().insert_cost("awareness")
        1.0
        """
        return self.insert_stage.get(stage, self.insert)


class MoveKind(enum.StrEnum):
    """One move of an alignment.

    >>> MoveKind("insert") is MoveKind.INSERT
    True
    """

    MATCH = "match"
    """An observed visit the walk keeps."""
    SKIP = "skip"
    """An observed visit left out (the map has no place for it here)."""
    INSERT = "insert"
    """A map stage the journey lacks, added to make a walk."""


@final
@attrs.frozen
class AlignmentMove:
    """A move of a repair: which stage, and which event of the journey (None for inserts).

    >>> AlignmentMove(MoveKind.SKIP, "decision", 2)
    AlignmentMove(kind=<MoveKind.SKIP: 'skip'>, stage='decision', index=2)
    """

    kind: MoveKind
    """Match, skip or insert."""
    stage: str
    """The stage visited, left out or added."""
    index: int | None
    """For matches and skips, the index of the visit's first event in the journey."""


@final
@attrs.frozen
class Repair:
    """An optimal alignment of one journey: its moves in order and their total cost.

    >>> from touchpath import EventLog, templates
    >>> m = templates.get("b2b_five_stage")
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j", "timestamp": 0, "stage": "awareness"},
    ...     {"journey_id": "j", "timestamp": 1, "stage": "decision"}])
    >>> r = align(log, m, prefix=True, costs=AlignmentCosts(skip=2)).repair("j")
    >>> (r.cost, r.inserted, r.skipped)
    (1.0, (('consideration', 1),), ())
    """

    journey_id: str
    """The journey."""
    cost: float
    """The total cost (the minimum over all walks of the map)."""
    moves: tuple[AlignmentMove, ...]
    """Matches, skips and inserts, in walk order."""

    @property
    def inserted(self) -> tuple[tuple[str, int | None], ...]:
        """Each inserted stage with the event index it goes before (None: at the end)."""
        out = []
        for i, move in enumerate(self.moves):
            if move.kind is MoveKind.INSERT:
                after = next((m.index for m in self.moves[i + 1 :] if m.index is not None), None)
                out.append((move.stage, after))
        return tuple(out)

    @property
    def skipped(self) -> tuple[tuple[str, int], ...]:
        """Each skipped stage with the index of its event."""
        return tuple(
            (m.stage, m.index)
            for m in self.moves
            if m.kind is MoveKind.SKIP and m.index is not None
        )

    @property
    def walk(self) -> tuple[str, ...]:
        """The map walk the journey is aligned to (matches and inserts).

        >>> from touchpath import EventLog, templates
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "decision"}])
        >>> m = templates.get("b2b_five_stage")
        >>> align(log, m, prefix=True).repair("j").walk  # skipping (1) beats 2 inserts
        ()
        >>> align(log, m, prefix=True, costs=AlignmentCosts(skip=3)).repair("j").walk
        ('awareness', 'consideration', 'decision')
        """
        return tuple(m.stage for m in self.moves if m.kind is not MoveKind.SKIP)


@attrs.frozen
class _Model:
    """The map prepared for the DP: stage 0..S-1 and the start state S."""

    stages: tuple[str, ...]
    insert: _F64  # per state (S + 1,), start: inf
    allowed: npt.NDArray[np.bool_]  # (S + 1, S + 1): q -> s allowed
    dist: _F64  # (S + 1, S + 1): cheapest insertions from q to s (ending at s)
    nxt: _I64  # (S + 1, S + 1): next state on that cheapest path
    goal: npt.NDArray[np.bool_]  # (S + 1,): where an alignment may end
    pred_cost: _F64  # (S, S + 1): 0 where q -> s is allowed, inf otherwise

    @classmethod
    def of(cls, journey_map: JourneyMap, costs: AlignmentCosts, prefix: bool) -> _Model:
        stages = journey_map.stage_ids
        n = len(stages)
        start = n
        allowed = np.zeros((n + 1, n + 1), dtype=np.bool_)
        for i, a in enumerate(stages):
            for j, b in enumerate(stages):
                allowed[i, j] = journey_map.allows(a, b)
        entries = set(journey_map.entry_stages)
        for j, b in enumerate(stages):
            allowed[start, j] = b in entries
        insert = np.array([costs.insert_cost(s) for s in stages] + [_INF], dtype=np.float64)
        dist = np.where(allowed, insert[None, :], _INF)
        np.fill_diagonal(dist, 0.0)
        nxt = np.where(allowed, np.arange(n + 1)[None, :], -1).astype(np.int64)
        np.fill_diagonal(nxt, np.arange(n + 1))
        for k in range(n + 1):  # Floyd-Warshall, vectorised per intermediate state
            through = dist[:, k : k + 1] + dist[k : k + 1, :]
            better = through < dist
            dist = np.where(better, through, dist)
            nxt = np.where(better, nxt[:, k : k + 1], nxt)
        goal = np.ones(n + 1, dtype=np.bool_)
        if not prefix:
            terminals = set(journey_map.terminal_stages)
            goal = np.array([s in terminals for s in stages] + [False], dtype=np.bool_)
            if not np.isfinite(dist[start][goal]).any():
                raise MapError(
                    f"map {journey_map.name!r} has no walk from an entry stage to a terminal "
                    "stage, so no journey can be aligned to a complete walk; use prefix=True"
                )
        pred_cost = np.where(allowed[:, :n].T, 0.0, _INF)
        return cls(stages, insert, allowed, dist, nxt, goal, pred_cost)

    def closure(self, best: _F64) -> _F64:
        """``min_q best[:, q] + dist[q, s]``: every state reachable by insertions."""
        out = best.copy()
        for q in range(best.shape[1]):
            column = best[:, q : q + 1]
            finite = np.isfinite(column[:, 0])
            if not finite.any():
                continue
            np.minimum(out, column + self.dist[q][None, :], out=out)
        return out

    def inserted_path(self, q: int, s: int) -> list[int]:
        """The stages inserted on the cheapest way from ``q`` to ``s`` (``s`` included)."""
        path = []
        while q != s:
            q = int(self.nxt[q, s])
            path.append(q)
        return path


def _visits(log: EventLog, model: _Model) -> tuple[_I64, _I64, _I64, _I64, tuple[str, ...]]:
    """Stage visits: per run its map state (-1 unknown), log stage code, journey, start event."""
    from .._schema import Field

    codes, names = log.codes_and_names(Field.STAGE)
    r = runs(log, codes)
    index = {s: i for i, s in enumerate(model.stages)}
    to_state = np.array([index.get(n, -1) for n in names] + [-1], dtype=np.int64)
    return to_state[r.code], r.code.astype(np.int64), r.journey, r.start, names


def _batch_costs(
    model: _Model,
    state: _I64,
    skip: _F64,
    first: _I64,
    count: _I64,
) -> _F64:
    """Optimal costs of journeys whose visits are ``state[first[j] : first[j] + count[j]]``;
    ``count`` is sorted in decreasing order, so the journeys still going are a prefix.

    ``closed`` holds, per journey and state, the cheapest cost of having consumed the
    visits so far and then inserted any stages. Skipping the next visit adds a constant
    per journey, which keeps ``closed`` closed under insertions; matching it reaches one
    state ``v``, whose insertions are the row ``dist[v]``. So one position costs
    ``O(S)`` per journey (not the ``O(S^2)`` of a general closure).
    """
    b = len(first)
    closed = np.repeat(model.dist[-1][None, :], b, axis=0)  # insertions from the start
    longest = int(count[0]) if b else 0
    active = b
    for i in range(longest):
        while active and count[active - 1] <= i:
            active -= 1
        at = first[:active] + i
        v = state[at]
        now = closed[:active]
        known = np.flatnonzero(v >= 0)
        matched = None
        if len(known):
            vk = v[known]
            matched = (now[known] + model.pred_cost[vk]).min(axis=1)
        now += skip[at][:, None]
        if matched is not None:
            now[known] = np.minimum(now[known], matched[:, None] + model.dist[vk])
    out: _F64 = np.where(model.goal[None, :], closed, _INF).min(axis=1)
    return out


@final
@attrs.frozen(eq=False)
class Alignments(TableViews):
    """Optimal alignments of every journey of a log to a map (see :func:`align`).

    :attr:`costs` holds each journey's minimal repair cost; :attr:`worst`
    the cost of the worst sensible alignment (skip every visit, then insert
    the cheapest complete walk, or nothing in prefix mode); a journey's
    :attr:`fitness` is ``1 - cost / worst``. :meth:`repair` gives the moves
    of one journey.

    >>> from touchpath import EventLog, templates
    >>> m = templates.get("b2b_five_stage")
    >>> rows = [("a", "awareness"), ("a", "consideration"), ("b", "awareness"), ("b", "decision")]
    >>> log = EventLog.from_records(
    ...     [{"journey_id": j, "timestamp": t, "stage": s} for t, (j, s) in enumerate(rows)])
    >>> a = align(log, m, prefix=True)
    >>> (a.costs.tolist(), a.conforming, a.log_fitness)
    ([0.0, 1.0], 1, Ratio(3.0/4.0 = 0.75))
    """

    journey_ids: npt.NDArray[np.object_]
    """Journey ids (``str``), in log order."""
    costs: _F64
    """Per journey, the minimal total cost."""
    worst: _F64
    """Per journey, the cost of skipping every visit plus the cheapest complete walk."""
    prefix: bool
    """Whether journeys were aligned to prefixes of walks (journeys still in progress)."""
    cost_model: AlignmentCosts
    """The costs used."""
    _log: EventLog = attrs.field(alias="log", repr=False)
    _map: JourneyMap = attrs.field(alias="journey_map", repr=False)

    @property
    def fitness(self) -> _F64:
        """Per journey, ``1 - cost / worst`` (1 where ``worst`` is 0).

        >>> from touchpath import EventLog, templates
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "x"}])
        >>> align(log, templates.get("b2b_five_stage"), prefix=True).fitness.tolist()
        [0.0]
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            out = 1.0 - self.costs / self.worst
        out[self.worst == 0] = 1.0
        return out

    @property
    def log_fitness(self) -> Ratio:
        """``1 - sum(costs) / sum(worst)`` over all journeys, as the
        :class:`~touchpath.metrics.Ratio` ``(sum(worst) - sum(costs)) / sum(worst)``;
        undefined (``0/0``) when there is nothing to align (no journey, or in prefix mode
        no stage visit).

        >>> from touchpath import EventLog, templates
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "x"}])
        >>> align(log, templates.get("b2b_five_stage"), prefix=True).log_fitness
        Ratio(0.0/1.0 = 0)
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "touchpoint": "ad"}])
        >>> align(log, templates.get("b2b_five_stage"), prefix=True).log_fitness.is_defined
        False
        """
        from ..metrics._ratio import Ratio

        total = float(self.worst.sum())
        if total == 0:
            return Ratio(0, 0)
        return Ratio(total - float(self.costs.sum()), total)

    @property
    def conforming(self) -> int:
        """Journeys whose cost is 0 (their visits are a walk of the map)."""
        return int(np.count_nonzero(self.costs == 0))

    def cost(self, journey_id: str) -> float:
        """The minimal cost of one journey."""
        return float(self.costs[self._log.journey_index(journey_id)])

    def repair(self, journey_id: str) -> Repair:
        """One optimal alignment of a journey (the cheapest moves; ties broken by stage order).

        Its cost equals :attr:`costs` for the journey.
        """
        index = self._log.journey_index(journey_id)
        model = _Model.of(self._map, self.cost_model, self.prefix)
        state, codes, journey, start, names = _visits(self._log, model)
        mine = journey == index
        offset = int(self._log.offsets[index])
        visits = [
            (int(s), names[int(c)], int(e) - offset)
            for s, c, e in zip(
                state[mine].tolist(), codes[mine].tolist(), start[mine].tolist(), strict=True
            )
        ]
        return _repair_one(model, self.cost_model, journey_id, visits)

    def repairs(self, limit: int | None = None) -> Iterator[Repair]:
        """Repairs of the journeys that do not conform, in log order (at most ``limit``)."""
        for shown, i in enumerate(np.flatnonzero(self.costs > 0).tolist()):
            if limit is not None and shown >= limit:
                return
            yield self.repair(str(self.journey_ids[i]))

    def to_table(self) -> Table:
        """One row per journey: ``journey_id``, ``cost``, ``worst``, ``fitness``.

        >>> from touchpath import EventLog, templates
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0,
        ...                               "stage": "awareness"}])
        >>> align(log, templates.get("b2b_five_stage"), prefix=True).to_table().row(0)
        ['a', 0.0, 1.0, 1.0]
        """
        number = ColumnKind.NUMBER
        return Table(
            (
                Column("journey_id", "journey"),
                Column("cost", kind=number),
                Column("worst", kind=number),
                Column("fitness", kind=ColumnKind.RATE),
            ),
            {
                "journey_id": list(self.journey_ids),
                "cost": self.costs,
                "worst": self.worst,
                "fitness": self.fitness,
            },
            name="alignments",
            note=self._summary(),
            source="Alignments",
        )

    def repairs_table(self, *, sample: int = 200) -> Table:
        """The most frequent repairs (moves other than matches) over up to ``sample``
        non-conforming journeys, in log order: the move, the stage and how often.

        >>> from touchpath import EventLog, templates
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0,
        ...                               "stage": "decision"}])
        >>> align(log, templates.get("b2b_five_stage"), prefix=True).repairs_table().n_rows > 0
        True
        """
        tally: dict[tuple[str, str], int] = {}
        looked = 0
        for repair in self.repairs(limit=sample):
            looked += 1
            for move in repair.moves:
                if move.kind is not MoveKind.MATCH:
                    key = (move.kind.value, move.stage)
                    tally[key] = tally.get(key, 0) + 1
        rows = [
            [kind, stage, n]
            for (kind, stage), n in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        note = self._summary() + (
            f"; repairs counted over {looked:,} non-conforming journeys" if looked else ""
        )
        return Table.from_rows(
            (Column("repair"), Column("stage"), Column("times", kind=ColumnKind.COUNT)),
            rows,
            name="repairs",
            title="Alignment to the map",
            note=note,
            source="Alignments",
        )

    def _summary(self) -> str:
        n = len(self.costs)
        mode = "prefixes of walks" if self.prefix else "complete walks"
        mean = float(self.costs.mean()) if n else math.nan
        return (
            f"{n:,} journeys aligned to {mode} of {self._map.name!r}: {self.conforming:,} "
            f"conform (cost 0), mean cost {mean:.3g}, log fitness {self.log_fitness:.1%}"
        )

    def __repr__(self) -> str:
        return f"<Alignments {self._summary()}>"

    def report_section(self, *, title: str | None = None, sample: int = 200) -> Any:
        """The alignment summary and the most frequent repairs (:meth:`repairs_table`) as a
        :class:`touchpath.report.Section`."""
        return self.repairs_table(sample=sample).report_section(title=title)


def _repair_one(
    model: _Model, costs: AlignmentCosts, journey_id: str, visits: list[tuple[int, str, int]]
) -> Repair:
    """The DP of :func:`_batch_costs` for one journey, keeping back-pointers."""
    n_states = len(model.stages) + 1
    best = np.full(n_states, _INF)
    best[-1] = 0.0
    layers: list[tuple[_F64, _I64, _F64, _I64]] = []  # closed, closed-from, new, new-from
    for s_obs, name, _ in visits:
        closed, came = _closure_one(model, best)
        skip = costs.skip_cost(name)
        new = closed + skip
        origin = np.full(n_states, -1, dtype=np.int64)  # -1: skip; q >= 0: matched from q
        if s_obs >= 0:
            rows = closed + model.pred_cost[s_obs]
            q = int(np.argmin(rows))
            if rows[q] < new[s_obs]:
                new[s_obs] = rows[q]
                origin[s_obs] = q
        layers.append((closed, came, new, origin))
        best = new
    final, came_final = _closure_one(model, best)
    goal = np.where(model.goal, final, _INF)
    s = int(np.argmin(goal))
    moves: list[AlignmentMove] = []

    def inserts(q: int, target: int) -> list[AlignmentMove]:
        return [
            AlignmentMove(MoveKind.INSERT, model.stages[x], None)
            for x in model.inserted_path(q, target)
        ]

    q = int(came_final[s])
    tail = inserts(q, s)
    s = q
    for (_closed, came, _new, origin), (s_obs, name, event) in zip(
        reversed(layers), reversed(visits), strict=True
    ):
        if origin[s] >= 0 and s == s_obs:
            moves[:0] = [AlignmentMove(MoveKind.MATCH, name, event)]
            prev = int(origin[s])
        else:
            moves[:0] = [AlignmentMove(MoveKind.SKIP, name, event)]
            prev = s
        q = int(came[prev])
        moves[:0] = inserts(q, prev)
        s = q
    moves.extend(tail)
    return Repair(journey_id, float(goal.min()), tuple(moves))


def _closure_one(model: _Model, best: _F64) -> tuple[_F64, _I64]:
    """Closure of one state vector under insertions, with the state each value came from."""
    total = best[:, None] + model.dist  # (from q, to s)
    came = np.argmin(total, axis=0).astype(np.int64)
    return total[came, np.arange(len(best))], came


def align(
    log: EventLog,
    journey_map: JourneyMap,
    *,
    costs: AlignmentCosts | None = None,
    prefix: bool = False,
) -> Alignments:
    """Align every journey to its closest walk of the map, exactly.

    A journey's stage *visits* (runs of one stage; events without a stage
    are not moves) are aligned to a walk of the map that starts at an entry
    stage and ends at a terminal stage (with ``prefix=True``: anywhere, for
    journeys still in progress). The cost is the cheapest total of skipped
    visits and inserted stages (:class:`AlignmentCosts`) that turns the
    visits into such a walk; stages the map lacks can only be skipped. The
    algorithm is in the module documentation and ``docs/validation.md``.

    >>> from touchpath import EventLog, templates
    >>> m = templates.get("b2b_five_stage")
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j", "timestamp": 0, "stage": "awareness"},
    ...     {"journey_id": "j", "timestamp": 1, "stage": "decision"},
    ...     {"journey_id": "j", "timestamp": 2, "stage": "consideration"}])
    >>> a = align(log, m, prefix=True)
    >>> a.costs.tolist(), [(x.kind.value, x.stage) for x in a.repair("j").moves]
    ([1.0], [('match', 'awareness'), ('skip', 'decision'), ('match', 'consideration')])
    """
    cost_model = AlignmentCosts() if costs is None else costs
    if not isinstance(cost_model, AlignmentCosts):
        raise ConfigError(f"'costs' must be AlignmentCosts; got {costs!r}")
    if not isinstance(prefix, bool):
        raise ConfigError(f"'prefix' must be True or False; got {prefix!r}")
    model = _Model.of(journey_map, cost_model, prefix)
    state, codes, journey, _, names = _visits(log, model)
    skip_of_code = np.array([cost_model.skip_cost(n) for n in names] + [0.0], dtype=np.float64)
    skip = skip_of_code[codes]
    n_journeys = len(log)
    count = np.bincount(journey, minlength=n_journeys).astype(np.int64)
    first = np.zeros(n_journeys, dtype=np.int64)
    if n_journeys > 1:
        np.cumsum(count[:-1], out=first[1:])
    order = np.argsort(-count, kind="stable")
    costs_out = np.empty(n_journeys, dtype=np.float64)
    for a in range(0, n_journeys, _CHUNK):
        part = order[a : a + _CHUNK]
        costs_out[part] = _batch_costs(model, state, skip, first[part], count[part])
    walk = 0.0 if prefix else float(model.dist[-1][model.goal].min())
    worst = np.bincount(journey, weights=skip, minlength=n_journeys) + walk
    return Alignments(
        log.journey_ids,
        costs_out,
        worst.astype(np.float64),
        prefix,
        cost_model,
        log=log,
        journey_map=journey_map,
    )

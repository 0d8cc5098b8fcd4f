"""What every rule works from: stage visits and stage transitions of all journeys, as arrays.

A journey's *staged* events are its events that carry a stage; events without
a stage (a touch the data did not place in a stage) are ignored for stage
logic: they neither start nor end a stay in a stage. A *visit* is a maximal
run of consecutive staged events of one journey in the same stage. A
*transition* is the step from one visit to the next within a journey; it
happens at the first event of the new visit.
"""

from __future__ import annotations

import copy
import enum
import functools
from typing import TYPE_CHECKING, Final

import networkx as nx
import numpy as np
import numpy.typing as npt

from .._paths import dense_unique
from ..exceptions import NotFoundError

if TYPE_CHECKING:
    from .._log import EventLog
    from .._map import JourneyMap

__all__ = [
    "NO_STAGE",
    "UNKNOWN_STAGE",
    "TransitionKind",
    "TransitionTable",
    "Transitions",
    "ValidationContext",
    "Visits",
]

NO_STAGE: Final = -1
"""Map stage index of an event without a stage."""
UNKNOWN_STAGE: Final = -2
"""Map stage index of an event whose stage the map does not have."""

_I64 = npt.NDArray[np.int64]
_I32 = npt.NDArray[np.int32]
_I8 = npt.NDArray[np.int8]
_B = npt.NDArray[np.bool_]
_O = npt.NDArray[np.object_]


class TransitionKind(enum.StrEnum):
    """How an observed stage change relates to the map.

    Every transition between two map stages is exactly one of ``FORWARD``
    (a forward edge), ``LOOP_BACK`` (a marked loop-back edge), ``SKIP`` (no
    edge, but a longer forward path leads there: stages were jumped over),
    ``REGRESSION`` (no edge, and the target comes before the source on a
    forward path: a move backwards) or ``SIDEWAYS`` (no edge and no forward
    path either way, e.g. from one branch to another). A transition from or
    to a stage the map does not have is ``UNKNOWN``.

    >>> [k.value for k in TransitionKind if k.is_designed]
    ['forward', 'loop_back']
    """

    FORWARD = "forward"
    LOOP_BACK = "loop_back"
    SKIP = "skip"
    REGRESSION = "regression"
    SIDEWAYS = "sideways"
    UNKNOWN = "unknown"

    @property
    def code(self) -> int:
        """The small integer :attr:`Transitions.kind` stores for this kind."""
        return _KIND_CODE[self]

    @property
    def is_designed(self) -> bool:
        """True for the kinds that follow an edge of the map."""
        return self in (TransitionKind.FORWARD, TransitionKind.LOOP_BACK)


_KINDS: Final = tuple(TransitionKind)
_KIND_CODE: Final = {k: i for i, k in enumerate(_KINDS)}


class Visits:
    """Every stay of every journey in a stage, in log order (journey, then time).

    Each array has one entry per visit and is computed on first use.
    Positions are positions in the whole log (``log.timestamps[visits.start]``
    is when each visit began).
    """

    def __init__(
        self,
        start: _I64,
        journey: _I64,
        code: _I32,
        is_first: _B,
        *,
        staged: _I64 | None,
        staged_pos: _I64,
        offsets: _I64,
        lookup: _I32,
    ) -> None:
        self.start: _I64 = start
        """Position of the visit's first event."""
        self.journey: _I64 = journey
        """Index of the visit's journey."""
        self.code: _I32 = code
        """The visit's stage as a code into ``log.stage_ids`` (and ``context.stage_table``)."""
        self.is_first: _B = is_first
        """Whether this is its journey's first visit."""
        self._staged = staged
        self._staged_pos = staged_pos
        self._offsets = offsets
        self._lookup = lookup

    def __len__(self) -> int:
        return len(self.start)

    @functools.cached_property
    def stage(self) -> _I32:
        """The visit's stage as an index into the map's stages (``UNKNOWN_STAGE`` if not there)."""
        stage: _I32 = self._lookup[self.code]
        return stage

    @functools.cached_property
    def is_last(self) -> _B:
        """Whether this is its journey's last visit (the journey is still in this stage)."""
        is_last = np.empty(len(self), dtype=np.bool_)
        is_last[-1:] = True
        is_last[:-1] = self.is_first[1:]
        return is_last

    @functools.cached_property
    def stop(self) -> _I64:
        """End of the visit's span (exclusive): the next visit's first event, or the journey's end.

        The span includes events without a stage between the visit's events
        and after them, up to the next stage change.
        """
        next_start = np.empty(len(self), dtype=np.int64)
        next_start[:-1] = self.start[1:]
        next_start[-1:] = 0
        stop: _I64 = np.where(self.is_last, self._offsets[self.journey + 1], next_start)
        return stop

    @functools.cached_property
    def last(self) -> _I64:
        """Position of the visit's last staged event."""
        return self.last_of(np.arange(len(self), dtype=np.int64))

    def last_of(self, visits: _I64) -> _I64:
        """Position of the last staged event of some visits (faster than all of :attr:`last`)."""
        n_staged = int(self._offsets[-1]) if self._staged is None else len(self._staged)
        nxt = visits + 1
        following = self._staged_pos[np.minimum(nxt, max(len(self) - 1, 0))]
        following = np.where(nxt < len(self), following, n_staged)
        if self._staged is None:  # every event has a stage: positions are staged indices
            last_pos: _I64 = following - 1
            return last_pos
        last: _I64 = self._staged[following - 1]
        return last


class TransitionTable:
    """The kind and skipped stages of moves between log stage codes, found per distinct move.

    Indexing with ``[a, b]`` (two codes into ``log.stage_ids``) gives an int;
    :meth:`of` answers arrays of moves at once. Each distinct move is
    classified once, from the map's edges and shortest-path searches, so
    nothing of size stages x stages is ever built (maps of any size).

    >>> from touchpath import EventLog, JourneyMap
    >>> m = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c").build()
    >>> log = EventLog.from_records(
    ...     [{"journey_id": "j", "timestamp": t, "stage": s} for t, s in enumerate("acb")])
    >>> kind, skipped = ValidationContext(log, m, now=0).transitions.tables
    >>> a, c = log.stage_ids.index("a"), log.stage_ids.index("c")
    >>> kind[a, c] == TransitionKind.SKIP.code, skipped[a, c], kind[c, a] == kind[a, c]
    (True, 1, False)
    """

    def __init__(self, journey_map: JourneyMap, lookup: _I32) -> None:
        self._map = journey_map
        self._lookup: list[int] = lookup.tolist()
        self._found: dict[tuple[int, int], tuple[int, int]] = {}
        self._column = 0

    def _move(self, a: int, b: int) -> tuple[int, int]:
        found = self._found.get((a, b))
        if found is None:
            i, j = self._lookup[a], self._lookup[b]
            if i < 0 or j < 0:
                found = (_KIND_CODE[TransitionKind.UNKNOWN], 0)
            else:
                edge, skipped = self._map._move_kinds(i, j)
                found = (_EDGE_KIND[edge], skipped)
            self._found[(a, b)] = found
        return found

    def __getitem__(self, move: tuple[int, int]) -> int:
        return self._move(int(move[0]), int(move[1]))[self._column]

    def of(self, source: _I32, target: _I32) -> tuple[_I8, _I32]:
        """(kind codes, skipped stages) of every move ``source[k] -> target[k]``."""
        width = len(self._lookup)
        pair = source.astype(np.int64) * width + target
        uniq, inverse = dense_unique(pair, width * width)
        answers = [self._move(*divmod(int(p), width)) for p in uniq.tolist()]
        table = np.array(answers, dtype=np.int64).reshape(-1, 2)
        return table[:, 0].astype(np.int8)[inverse], table[:, 1].astype(np.int32)[inverse]

    def skipped_view(self) -> TransitionTable:
        """The same moves, indexed for their skipped stages instead of their kind."""
        view = copy.copy(self)  # shares the moves found so far
        view._column = 1
        return view


class Transitions:
    """Every stage change of every journey, in log order; one entry per transition.

    A transition happens at :attr:`event`, the first event of the new visit.
    Each array is computed on first use.
    """

    def __init__(self, visits: Visits, moves: TransitionTable) -> None:
        self._v = visits
        self._moves = moves

    def __len__(self) -> int:
        return len(self.visit)

    @functools.cached_property
    def visit(self) -> _I64:
        """Index (into :class:`Visits`) of the visit that is entered."""
        return np.flatnonzero(~self._v.is_first)

    @functools.cached_property
    def event(self) -> _I64:
        """Position of the event that enters the new stage."""
        event: _I64 = self._v.start[self.visit]
        return event

    @functools.cached_property
    def previous_event(self) -> _I64:
        """Position of the first event of the visit that is left."""
        event: _I64 = self._v.start[self.visit - 1]
        return event

    @functools.cached_property
    def journey(self) -> _I64:
        """Index of the journey."""
        journey: _I64 = self._v.journey[self.visit]
        return journey

    @functools.cached_property
    def source_code(self) -> _I32:
        """Stage left, as a code into ``log.stage_ids``."""
        code: _I32 = self._v.code[self.visit - 1]
        return code

    @functools.cached_property
    def target_code(self) -> _I32:
        """Stage entered, as a code into ``log.stage_ids``."""
        code: _I32 = self._v.code[self.visit]
        return code

    @functools.cached_property
    def source(self) -> _I32:
        """Stage left, as a map stage index (``UNKNOWN_STAGE`` if the map lacks it)."""
        stage: _I32 = self._v.stage[self.visit - 1]
        return stage

    @functools.cached_property
    def target(self) -> _I32:
        """Stage entered, as a map stage index (``UNKNOWN_STAGE`` if the map lacks it)."""
        stage: _I32 = self._v.stage[self.visit]
        return stage

    @functools.cached_property
    def _kinds(self) -> tuple[_I8, _I32]:
        return self._moves.of(self.source_code, self.target_code)

    @functools.cached_property
    def kind(self) -> _I8:
        """The :class:`TransitionKind` of each transition, by :attr:`TransitionKind.code`."""
        return self._kinds[0]

    @functools.cached_property
    def skipped(self) -> _I32:
        """For ``SKIP`` transitions the stages jumped over (on a shortest forward path); else 0."""
        return self._kinds[1]

    @property
    def tables(self) -> tuple[TransitionTable, TransitionTable]:
        """(kind, skipped) of a move between any two log stage codes: ``kind[a, b]``.

        Looked up per move on demand (no stages x stages table).
        """
        return self._moves, self._moves.skipped_view()

    def mask(self, *kinds: TransitionKind) -> _B:
        """Which transitions are of one of the given kinds."""
        table = np.zeros(len(_KINDS), dtype=np.bool_)
        for k in kinds:
            table[k.code] = True
        mask: _B = table[self.kind]
        return mask


def _lookup_table(log: EventLog, journey_map: JourneyMap) -> _I32:
    """Log stage code -> map stage index; one extra last entry (for code -1) is NO_STAGE."""
    index = {sid: i for i, sid in enumerate(journey_map.stage_ids)}
    table = [index.get(name, UNKNOWN_STAGE) for name in log.stage_ids]
    return np.array([*table, NO_STAGE], dtype=np.int32)


_EDGE_KIND: Final = {
    0: _KIND_CODE[TransitionKind.SIDEWAYS],
    1: _KIND_CODE[TransitionKind.FORWARD],
    2: _KIND_CODE[TransitionKind.LOOP_BACK],
    3: _KIND_CODE[TransitionKind.SKIP],
    4: _KIND_CODE[TransitionKind.REGRESSION],
}
"""``JourneyMap._move_kinds`` codes -> TransitionKind codes."""


class ValidationContext:
    """What a rule is given: the log, the map, ``now``, and arrays shared by all rules.

    The arrays are computed on first use and then shared, so rules that
    need the same view of the data (the stage visits, the transitions) pay
    for it once. Stages in findings are int32 codes into :attr:`stage_table`:
    the log's stage names, then the map's stages the log does not use.

    >>> from touchpath import EventLog, JourneyMap
    >>> m = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c").build()
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j", "timestamp": 0, "stage": "a"},
    ...     {"journey_id": "j", "timestamp": 1, "channel": "ads"},
    ...     {"journey_id": "j", "timestamp": 2, "stage": "c"}])
    >>> ctx = ValidationContext(log, m, now=2_000_000)
    >>> (ctx.visits.start.tolist(), ctx.visits.stop.tolist(), ctx.stage_table)
    ([0, 2], [2, 3], ('a', 'c', 'b'))
    >>> t = ctx.transitions
    >>> (t.event.tolist(), ctx.stage_names(t.source_code).tolist(), t.skipped.tolist())
    ([2], ['a'], [1])
    >>> bool(t.mask(TransitionKind.SKIP)[0])
    True
    """

    def __init__(self, log: EventLog, journey_map: JourneyMap, *, now: int) -> None:
        self._log = log
        self._map = journey_map
        self._now = int(now)
        observed = set(log.stage_ids)
        self._table = (*log.stage_ids, *(s for s in journey_map.stage_ids if s not in observed))
        self._code_of = {name: i for i, name in enumerate(self._table)}

    @property
    def log(self) -> EventLog:
        """The log being validated."""
        return self._log

    @property
    def journey_map(self) -> JourneyMap:
        """The map it is validated against."""
        return self._map

    @property
    def now(self) -> int:
        """The validation time, int64 microseconds UTC: deadlines are judged at this time."""
        return self._now

    @property
    def stage_table(self) -> tuple[str, ...]:
        """Stage names by code: ``log.stage_ids``, then the map stages the log does not use."""
        return self._table

    def stage_code(self, stage: str) -> int:
        """The code of a stage name in :attr:`stage_table`; unknown names raise NotFoundError."""
        try:
            return self._code_of[stage]
        except (KeyError, TypeError):
            raise NotFoundError("stage", stage, choices=self._table) from None

    @functools.cached_property
    def _stage_name_table(self) -> _O:
        table = np.empty(len(self._table) + 1, dtype=object)
        table[:-1] = list(self._table)
        table[-1] = None
        return table

    def stage_names(self, codes: npt.NDArray[np.integer]) -> _O:
        """Stage names of codes into :attr:`stage_table` (None for ``-1``), as an object array."""
        names: _O = self._stage_name_table[codes]
        return names

    @functools.cached_property
    def stage_lookup(self) -> _I32:
        """Log stage code -> map stage index (index with ``code``; ``-1`` gives ``NO_STAGE``)."""
        return _lookup_table(self._log, self._map)

    def extended_index(self, stage: _I32) -> _I64:
        """Map stage indices with ``UNKNOWN_STAGE`` (and ``NO_STAGE``) replaced by ``len(map)``.

        Handy for looking stages up in a table with one extra "unknown" entry.
        """
        n = len(self._map)
        return np.where(stage < 0, n, stage).astype(np.int64)

    @functools.cached_property
    def visits(self) -> Visits:
        """Every stay of every journey in a stage (see :class:`Visits`)."""
        log = self._log
        codes = log.stage_codes
        ej = log.event_journey
        staged: _I64 | None
        if codes.size and int(codes.min()) >= 0:
            staged = None
            cs = codes
            js = ej
        else:
            staged = np.flatnonzero(codes >= 0)
            cs = codes[staged]
            js = ej[staged]
        m = len(cs)
        new = np.empty(m, dtype=np.bool_)
        new[:1] = True
        if m > 1:
            np.not_equal(cs[1:], cs[:-1], out=new[1:])
            if staged is None:
                new[log.offsets[1:-1]] = True
            else:
                new[1:] |= js[1:] != js[:-1]
        vp = np.flatnonzero(new)
        start = vp if staged is None else staged[vp]
        journey = js[vp]
        nv = len(vp)
        is_first = np.empty(nv, dtype=np.bool_)
        is_first[:1] = True
        if nv > 1:
            np.not_equal(journey[1:], journey[:-1], out=is_first[1:])
        return Visits(
            start,
            journey,
            cs[vp],
            is_first,
            staged=staged,
            staged_pos=vp,
            offsets=log.offsets,
            lookup=self.stage_lookup,
        )

    @functools.cached_property
    def transitions(self) -> Transitions:
        """Every stage change of every journey (see :class:`Transitions`)."""
        return Transitions(self.visits, TransitionTable(self._map, self.stage_lookup[:-1]))

    def event_index(self, events: _I64) -> _I64:
        """Position of each event within its journey (as in ``log.journey(id).events``)."""
        log = self._log
        index: _I64 = events - log.offsets[log.event_journey[events]]
        return index

    def shortest_forward_path(self, source: int, target: int) -> tuple[str, ...]:
        """Stage ids on a shortest forward path from source to target (map indices), both ends.

        Empty when no forward path exists.
        """
        graph = self._forward_graph
        ids = self._map.stage_ids
        try:
            path: list[str] = nx.shortest_path(graph, ids[source], ids[target])
        except nx.NetworkXNoPath:
            return ()
        return tuple(path)

    @functools.cached_property
    def _forward_graph(self) -> nx.DiGraph[str]:
        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_nodes_from(self._map.stage_ids)
        graph.add_edges_from((e.source, e.target) for e in self._map.edges if not e.is_loop_back)
        return graph

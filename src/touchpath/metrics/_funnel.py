"""Funnels: how many journeys reach each step, how fast, and where they drop off.

The six ways analytics tools disagree about funnels are explicit parameters
here; every one is defined in ``docs/metrics.md`` and below.

Attempts
    A journey *enters* the funnel when it reaches step 1. Every step-1 event
    (every step-1 visit for ``STRICT``) starts an *attempt*; the journey's
    result is its deepest attempt, the earliest one among equally deep
    attempts. Without a window the first attempt is always a deepest one.
Order
    ``SEQUENTIAL``: each step's event comes after the previous step's event,
    other events allowed in between. ``STRICT``: the events that carry the
    step field (stage, touchpoint or channel) are collapsed into visits (runs
    of the same value) and the steps must be consecutive visits: nothing
    else at that level in between. ``ANY``: step 1 first, then steps
    2..k in any order; a journey is counted at step k when it reached every
    step 1..k, and reached step k when the last of them was reached.
Window
    Steps count only when reached at most ``window`` after the attempt's
    step-1 event (inclusive).
Censoring
    With a window, a journey that has not completed the funnel and whose
    latest attempt's window is still open at ``now`` (``deadline > now``)
    is *censored*: reported apart, not as drop-off. Without a window nothing
    is censored; a journey that has not reached the next step by the end of
    the data has dropped off.
Ties
    Events with equal timestamps follow the EventLog's order (input order):
    "after" means later in the log.
Counting unit
    Journeys, or accounts: an account reaches a step when any of its
    journeys does, at the earliest time one of them does.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from .._columns import Columns, columns_from_rows
from .._deprecation import renamed, renamed_fields, warn_renamed
from .._schema import Field
from .._table import Column, ColumnKind, Table, TableViews, format_duration
from .._time import DurationLike, parse_duration
from ..exceptions import ConfigError, NotFoundError, UndefinedResultWarning
from ._common import (
    NEVER,
    CountUnit,
    Level,
    LevelLike,
    categorical_field,
    first_values,
    instant,
    label_names,
    level_codes,
    map_ids,
    parse_instant,
    runs,
    to_enum,
)
from ._digest import DurationDigest, DurationStats, digests_by_group, stats_dict
from ._funnel_options import Exclusion, Repeats, RepeatsLike, StepLike
from ._interval import IntervalMethod, IntervalMethodLike, bounds_or_none
from ._ratio import Ratio

if TYPE_CHECKING:
    from .._log import EventLog
    from .._map import JourneyMap

__all__ = [
    "FunnelCounts",
    "FunnelOrder",
    "FunnelResult",
    "FunnelStep",
    "StepCounts",
    "funnel",
]

_I64 = npt.NDArray[np.int64]
_B = npt.NDArray[np.bool_]


class FunnelOrder(enum.StrEnum):
    """How the steps of a funnel must be ordered in a journey.

    >>> FunnelOrder("strict") is FunnelOrder.STRICT
    True
    """

    SEQUENTIAL = "sequential"
    """Each step after the previous one; other events allowed in between."""
    STRICT = "strict"
    """Each step the very next visit at the step's level after the previous one."""
    ANY = "any"
    """Step 1 first, then the other steps in any order."""
    OPEN = "open"
    """Each step counted on its own, whatever the order (retentioneering's ``open`` funnel)."""


FunnelOrderLike: TypeAlias = FunnelOrder | Literal["sequential", "strict", "any", "open"]
CountUnitLike: TypeAlias = CountUnit | Literal["journeys", "accounts", "attempts"]


@attrs.frozen
class StepCounts:
    """Mergeable counts of one funnel step (for one group).

    >>> a = StepCounts(reached=3, dropped=1, censored=0)
    >>> (a + StepCounts(reached=2, dropped=0, censored=1)).reached
    5
    """

    reached: int
    """Units (journeys or accounts) that reached the step."""
    dropped: int
    """Units that reached the step, not the next one, and whose window has closed."""
    censored: int
    """Units that reached the step, not the next one, and whose window is still open."""
    time_to_step: DurationDigest = attrs.field(factory=DurationDigest.zero)
    """Time from entering step 1 to reaching this step (empty for step 1)."""
    time_from_previous: DurationDigest = attrs.field(factory=DurationDigest.zero)
    """Time from reaching the previous step to reaching this step (empty for step 1)."""

    def __add__(self, other: object) -> StepCounts:
        if not isinstance(other, StepCounts):
            return NotImplemented
        return StepCounts(
            self.reached + other.reached,
            self.dropped + other.dropped,
            self.censored + other.censored,
            self.time_to_step + other.time_to_step,
            self.time_from_previous + other.time_from_previous,
        )


def _zero_steps(n: int) -> tuple[StepCounts, ...]:
    return tuple(StepCounts(0, 0, 0) for _ in range(n))


def _add_steps(a: Sequence[StepCounts], b: Sequence[StepCounts]) -> tuple[StepCounts, ...]:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _group_key(label: str | None) -> tuple[bool, str]:
    return (label is None, label or "")


def _window(value: object) -> dt.timedelta | None:
    if value is None:
        return None
    return dt.timedelta(microseconds=parse_duration(value, name="window", allow_zero=True))


def _us(delta: dt.timedelta) -> int:
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


@renamed_fields(by="breakdown")
@attrs.frozen
class FunnelCounts:
    """The mergeable aggregate a funnel is computed from.

    Holds the funnel's definition (steps, level, order, window, counting
    unit, breakdown field, ``now``) and, per group, per step, the counts and
    duration digests. ``a + b`` merges counts of two logs with disjoint
    journeys (for ``count="accounts"``: disjoint accounts) and the same
    definition; :meth:`zero` is the neutral element; :func:`funnel` turns
    counts into a :class:`FunnelResult`.

    Without ``breakdown``, there is one group, keyed ``None``. With ``breakdown``, the key
    ``None`` holds the units that have no value for that field.

    >>> from touchpath import EventLog
    >>> rec = lambda j, t, s: {"journey_id": j, "timestamp": t, "stage": s}
    >>> first = EventLog.from_records([rec("a", 0, "visit"), rec("a", 5, "trial")])
    >>> second = EventLog.from_records([rec("b", 0, "visit")])
    >>> steps = ["visit", "trial"]
    >>> both = (FunnelCounts.from_log(first, steps, level="stage")
    ...         + FunnelCounts.from_log(second, steps, level="stage"))
    >>> [s.reached for s in both.total]
    [2, 1]
    """

    steps: tuple[str, ...]
    """Step ids, in funnel order."""
    level: Level
    """Whether steps are stages, touchpoints or channels."""
    order: FunnelOrder
    """How steps must be ordered."""
    window: dt.timedelta | None
    """Longest time from step 1 to a later step (None: unlimited)."""
    count: CountUnit
    """Journeys or accounts."""
    breakdown: Field | None
    """The breakdown field (None: no breakdown)."""
    now: dt.datetime | None
    """The end of observation for censoring (None without a window)."""
    groups: Mapping[str | None, tuple[StepCounts, ...]]
    """Per group label, the counts of each step."""
    population: int = 0
    """Units (journeys or accounts) in the data, whether or not they entered."""
    unassigned: int = 0
    """With ``count="accounts"``: entered journeys without an account (not counted)."""
    step_values: tuple[tuple[str, ...], ...] = ()
    """The ids that reach each step (one for a plain step, several for ``("p1", "p2")``)."""
    exclusions: tuple[Exclusion, ...] = ()
    """The exclusion steps of the definition."""
    repeats: Repeats = Repeats.ALLOWED
    """Whether a repeated value breaks a strict funnel."""
    excluded: int = 0
    """Units left out of every step by an exclusion (see :class:`Exclusion`)."""

    @classmethod
    @renamed(by="breakdown")
    def zero(
        cls,
        steps: Sequence[StepLike],
        *,
        level: LevelLike,
        order: FunnelOrderLike = FunnelOrder.SEQUENTIAL,
        window: DurationLike | None = None,
        count: CountUnitLike = CountUnit.JOURNEYS,
        breakdown: Field | str | None = None,
        now: Any = None,
        exclusions: Sequence[Exclusion] = (),
        repeats: RepeatsLike = Repeats.ALLOWED,
    ) -> FunnelCounts:
        """Empty counts of a funnel definition, neutral for ``+``.

        >>> z = FunnelCounts.zero(["visit", "trial"], level="stage")
        >>> [s.reached for s in z.total]
        [0, 0]
        """
        spec = _Spec.make(steps, level, order, window, count, breakdown, now, exclusions, repeats)
        return spec.zero()

    @classmethod
    @renamed(by="breakdown")
    def from_log(
        cls,
        log: EventLog,
        steps: Sequence[StepLike] | None = None,
        *,
        journey_map: JourneyMap | None = None,
        level: LevelLike | None = None,
        order: FunnelOrderLike = FunnelOrder.SEQUENTIAL,
        window: DurationLike | None = None,
        count: CountUnitLike = CountUnit.JOURNEYS,
        breakdown: Field | str | None = None,
        now: Any = None,
        exclusions: Sequence[Exclusion] = (),
        repeats: RepeatsLike = Repeats.ALLOWED,
    ) -> FunnelCounts:
        """Count a funnel over a log; the parameters are those of :func:`funnel`.

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([
        ...     {"journey_id": "a", "timestamp": 0, "stage": "visit"},
        ...     {"journey_id": "a", "timestamp": 60, "stage": "trial"}])
        >>> c = FunnelCounts.from_log(log, ["visit", "trial"])
        >>> (c.level.value, [s.reached for s in c.total])
        ('stage', [1, 1])
        """
        spec = _spec_of(
            log,
            steps,
            journey_map,
            level,
            order,
            window,
            count,
            breakdown,
            now,
            exclusions,
            repeats,
        )
        return _count(log, spec)

    @property
    def by(self) -> Field | None:
        """Deprecated name of :attr:`breakdown`."""
        warn_renamed("FunnelCounts.by", "FunnelCounts.breakdown")
        return self.breakdown

    @property
    def total(self) -> tuple[StepCounts, ...]:
        """Counts of each step over all groups.

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([
        ...     {"journey_id": "a", "timestamp": 0, "stage": "x", "segment": "smb"},
        ...     {"journey_id": "b", "timestamp": 0, "stage": "x", "segment": "ent"}])
        >>> c = FunnelCounts.from_log(log, ["x"], breakdown="segment")
        >>> (list(c.groups), c.total[0].reached)
        (['ent', 'smb'], 2)
        """
        out = _zero_steps(len(self.steps))
        for counts in self.groups.values():
            out = _add_steps(out, counts)
        return out

    def _spec(self) -> _Spec:
        return _Spec(
            self.steps,
            self.level,
            self.order,
            self.window,
            self.count,
            self.breakdown,
            self.now,
            self.step_values or tuple((s,) for s in self.steps),
            self.exclusions,
            self.repeats,
        )

    def _recount(self, log: EventLog) -> FunnelCounts:
        """Counts of another log under this (already resolved and checked) definition."""
        return _count(log, self._spec())

    def __add__(self, other: object) -> FunnelCounts:
        if not isinstance(other, FunnelCounts):
            return NotImplemented
        mine, theirs = self._spec(), other._spec()
        if mine != theirs:
            diff = [
                f"{a.name}: {getattr(mine, a.name)!r} != {getattr(theirs, a.name)!r}"
                for a in attrs.fields(_Spec)
                if getattr(mine, a.name) != getattr(theirs, a.name)
            ]
            raise ConfigError(
                "only counts of the same funnel definition can be added; got " + "; ".join(diff)
            )
        groups = dict(self.groups)
        for label, counts in other.groups.items():
            groups[label] = _add_steps(groups[label], counts) if label in groups else counts
        return attrs.evolve(
            self,
            groups=dict(sorted(groups.items(), key=lambda kv: _group_key(kv[0]))),
            population=self.population + other.population,
            unassigned=self.unassigned + other.unassigned,
            excluded=self.excluded + other.excluded,
        )

    def __radd__(self, other: object) -> FunnelCounts:
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented


@attrs.frozen
class _Spec:
    steps: tuple[str, ...]
    level: Level
    order: FunnelOrder
    window: dt.timedelta | None
    count: CountUnit
    breakdown: Field | None
    now: dt.datetime | None
    step_values: tuple[tuple[str, ...], ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    repeats: Repeats = Repeats.ALLOWED

    @classmethod
    def make(
        cls,
        steps: Sequence[StepLike],
        level: object,
        order: object,
        window: object,
        count: object,
        breakdown: object,
        now: object,
        exclusions: object = (),
        repeats: object = Repeats.ALLOWED,
    ) -> _Spec:
        if isinstance(steps, str) or not isinstance(steps, Iterable):
            raise ConfigError(f"'steps' must be a sequence of ids; got {steps!r}")
        values = tuple(_step_values(s) for s in steps)
        if not values:
            raise ConfigError("a funnel needs at least one step; got none")
        step_tuple = tuple(" | ".join(v) for v in values)
        lvl = to_enum(Level, "level", level)
        ord_ = to_enum(FunnelOrder, "order", order)
        if ord_ is FunnelOrder.ANY and len(set(step_tuple)) != len(step_tuple):
            raise ConfigError(f"an order='any' funnel cannot repeat a step; got {list(step_tuple)}")
        rep = to_enum(Repeats, "repeats", repeats)
        if ord_ is FunnelOrder.STRICT and rep is Repeats.ALLOWED:
            for a, b in itertools.pairwise(step_tuple):
                if a == b:
                    raise ConfigError(
                        f"an order='strict' funnel cannot have the same step twice in a row "
                        f"(visits of one value are merged); got {a!r} twice; "
                        "pass repeats='break' to count every event"
                    )
        win = _window(window)
        unit = to_enum(CountUnit, "count", count)
        field = None if breakdown is None else categorical_field(breakdown, "breakdown")
        when: dt.datetime | None = None
        if win is not None and now is not None:
            when = instant(parse_instant(now, "now"))
        excl = _exclusions(exclusions, len(values), ord_)
        if ord_ is FunnelOrder.OPEN:
            if win is not None:
                raise ConfigError(
                    "an order='open' funnel counts each step on its own and has no window; "
                    f"got window={window!r}"
                )
            if unit is CountUnit.ATTEMPTS:
                raise ConfigError(
                    "an order='open' funnel has no attempts; count journeys or accounts"
                )
        return cls(step_tuple, lvl, ord_, win, unit, field, when, values, excl, rep)

    def zero(self) -> FunnelCounts:
        return FunnelCounts(
            self.steps,
            self.level,
            self.order,
            self.window,
            self.count,
            self.breakdown,
            self.now,
            {},
            step_values=self.step_values,
            exclusions=self.exclusions,
            repeats=self.repeats,
        )


def _step_values(step: object) -> tuple[str, ...]:
    """The ids of one step: a string, or a non-empty sequence of distinct strings."""
    if isinstance(step, str):
        return (step,)
    if isinstance(step, Iterable) and not isinstance(step, Mapping):
        out = tuple(step)
        if out and all(isinstance(v, str) for v in out) and len(set(out)) == len(out):
            return out
    raise ConfigError(
        f"funnel steps must be strings, or tuples of distinct strings for a step any of "
        f"several ids reaches; got {step!r}"
    )


def _exclusions(value: object, k_steps: int, order: FunnelOrder) -> tuple[Exclusion, ...]:
    if isinstance(value, Exclusion):
        value = (value,)
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ConfigError(f"'exclusions' must be a sequence of Exclusion; got {value!r}")
    out = tuple(value)
    for ex in out:
        if not isinstance(ex, Exclusion):
            raise ConfigError(f"'exclusions' must hold Exclusion objects; got {ex!r}")
        if ex.before >= k_steps:
            raise ConfigError(
                f"exclusion {list(ex.events)} ends before step {ex.before}, but the funnel "
                f"has steps 0..{k_steps - 1}"
            )
    if out and order in (FunnelOrder.ANY, FunnelOrder.OPEN):
        raise ConfigError(
            f"exclusions need an ordered funnel (sequential or strict); got order={order.value!r}"
        )
    return out


def _spec_of(
    log: EventLog,
    steps: Sequence[StepLike] | None,
    journey_map: JourneyMap | None,
    level: LevelLike | None,
    order: object,
    window: object,
    count: object,
    by: object,
    now: object,
    exclusions: object,
    repeats: object,
) -> _Spec:
    """A funnel's definition over a log: steps and level resolved, ``now`` defaulting to the
    log's last event when there is a window."""
    resolved_steps, resolved_level = _resolve_steps(log, steps, level, journey_map)
    if now is None and window is not None and log.n_events:
        now = instant(int(log.timestamps.max()))
    return _Spec.make(
        resolved_steps, resolved_level, order, window, count, by, now, exclusions, repeats
    )


def _resolve_steps(
    log: EventLog,
    steps: Sequence[StepLike] | None,
    level: LevelLike | None,
    journey_map: JourneyMap | None,
) -> tuple[tuple[StepLike, ...], Level]:
    """The funnel's steps and their level, with the errors a user needs."""
    lvl = None if level is None else to_enum(Level, "level", level)
    if steps is None:
        if journey_map is None:
            raise ConfigError(
                "a funnel needs its steps: pass steps=[...] or a journey_map "
                "(whose stages, in canonical order, become the steps)"
            )
        if lvl not in (None, Level.STAGE):
            raise ConfigError(
                f"without steps the funnel uses the map's stages; got level={lvl.value!r}"
            )
        return journey_map.stage_ids, Level.STAGE
    if isinstance(steps, str) or not isinstance(steps, Iterable):
        raise ConfigError(f"'steps' must be a sequence of ids; got {steps!r}")
    raw = tuple(steps)
    names = tuple(v for step in raw for v in _step_values(step))
    if not names:
        raise ConfigError("a funnel needs at least one step; got steps=[]")
    if lvl is not None:
        if journey_map is not None:
            declared = map_ids(journey_map, lvl)
            for name in names:
                if name not in declared and name not in level_codes(log, lvl)[1]:
                    raise NotFoundError(f"{lvl.value} (funnel step)", name, choices=declared)
        return raw, lvl

    def known(candidate: Level) -> set[str]:
        ids = set(level_codes(log, candidate)[1])
        if journey_map is not None:
            ids |= set(map_ids(journey_map, candidate))
        return ids

    known_ids = {candidate: known(candidate) for candidate in Level}
    fits = [c for c in Level if all(n in known_ids[c] for n in names)]
    if len(fits) == 1:
        return raw, fits[0]
    if len(fits) > 1:
        kinds = " and ".join(f.value for f in fits)
        raise ConfigError(
            f"funnel steps {list(names)} are all known as {kinds} ids; "
            f"say which with level=Level.{fits[0].name} (or another)"
        )
    everything = sorted(set().union(*known_ids.values()))
    for name in names:
        if not any(name in known_ids[c] for c in Level):
            error = NotFoundError(
                "funnel step (stage, touchpoint or channel id)", name, choices=everything
            )
            error.add_note(
                "no event of the log"
                + (" nor the map" if journey_map is not None else "")
                + " has it; pass level=... to count a step that no event reached"
                + ("" if journey_map is not None else ", or journey_map=... to use its stages")
            )
            raise error
    raise ConfigError(
        f"funnel steps {list(names)} mix levels (some are stages, some touchpoints or "
        "channels); a funnel's steps must all be of one level"
    )


@attrs.frozen(eq=False)
class _Outcomes:
    """Per unit that entered: its index, depth (steps reached), step times, censoring."""

    unit: _I64
    depth: _I64
    times: _I64
    censored: _B
    excluded: _I64 = attrs.field(factory=lambda: np.zeros(0, np.int64))
    """Journey of each unit (journey, or attempt) that an exclusion removed."""
    hits: _B | None = None
    """Open funnels: per unit and step, whether the unit has an event of the step."""
    where: _I64 | None = None
    """With ``_attempts(..., positions=True)``: per unit and step, the matched event."""


def _open_outcomes(log: EventLog, spec: _Spec) -> tuple[_Outcomes, int]:
    """Per journey (or account) with an event of any step: which steps it has (vectorised)."""
    codes, names = level_codes(log, spec.level)
    values = spec.step_values or tuple((s,) for s in spec.steps)
    step_sets = _code_sets(names, values)
    k_steps = len(step_sets)
    by_account = spec.count is CountUnit.ACCOUNTS
    account = first_values(log, log.account_codes)[0] if by_account else None
    n_units = len(log.account_ids) if by_account else len(log)
    hits = np.zeros((n_units, k_steps), dtype=np.bool_)
    touched = np.zeros(len(log), dtype=np.bool_)
    for k, wanted in enumerate(step_sets):
        if len(wanted) == 0:
            continue
        journeys = log.event_journey[_where_in(codes, wanted)]
        touched[journeys] = True
        if account is not None:
            acc = account[journeys]
            hits[acc[acc >= 0], k] = True
        else:
            hits[journeys, k] = True
    unassigned = int(np.count_nonzero(touched & (account < 0))) if account is not None else 0
    unit = np.flatnonzero(hits.any(axis=1)).astype(np.int64)
    n = len(unit)
    return (
        _Outcomes(
            unit,
            np.zeros(n, np.int64),
            np.zeros((n, k_steps), np.int64),
            np.zeros(n, np.bool_),
            hits=hits[unit],
        ),
        unassigned,
    )


def _code_sets(codes_names: tuple[str, ...], groups: Sequence[Sequence[str]]) -> list[_I64]:
    code_of = {n: i for i, n in enumerate(codes_names)}
    return [
        np.array(sorted({code_of[v] for v in vals if v in code_of}), dtype=np.int64)
        for vals in groups
    ]


def _where_in(codes: npt.NDArray[np.int32], wanted: _I64) -> _I64:
    """Positions of the events whose code is in ``wanted`` (sorted)."""
    if len(wanted) == 1:
        return np.flatnonzero(codes == wanted[0])
    return np.flatnonzero(np.isin(codes, wanted))


def _attempts(log: EventLog, spec: _Spec, *, positions: bool = False) -> _Outcomes:
    """Per entered journey (per attempt when counting attempts): the best attempt's depth and
    step times (vectorised)."""
    codes, names = level_codes(log, spec.level)
    values = spec.step_values or tuple((s,) for s in spec.steps)
    step_sets = _code_sets(names, values)
    k_steps = len(step_sets)
    ts = log.timestamps
    empty = _Outcomes(
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros((0, k_steps), np.int64),
        np.zeros(0, np.bool_),
        where=np.zeros((0, k_steps), np.int64) if positions else None,
    )
    if len(step_sets[0]) == 0 or log.n_events == 0:
        return empty
    window = None if spec.window is None else _us(spec.window)
    per_attempt = spec.count is CountUnit.ATTEMPTS
    track = bool(spec.exclusions) or positions

    if spec.order is FunnelOrder.STRICT:
        r = runs(log, codes, collapse=spec.repeats is Repeats.ALLOWED)
        anchors = _where_in(r.code, step_sets[0])
        a_journey = r.journey[anchors]
        a_time = r.time[anchors]
        a_where = r.start[anchors]
    else:
        step_positions: dict[tuple[int, ...], _I64] = {}
        for wanted in step_sets:
            set_key = tuple(wanted.tolist())
            if set_key and set_key not in step_positions:
                step_positions[set_key] = _where_in(codes, wanted)
        anchors = step_positions[tuple(step_sets[0].tolist())]
        a_journey = log.event_journey[anchors]
        if window is None and not per_attempt and not track and len(anchors):
            keep = np.ones(len(anchors), dtype=np.bool_)
            keep[1:] = a_journey[1:] != a_journey[:-1]
            anchors, a_journey = anchors[keep], a_journey[keep]
        a_time = ts[anchors]
        a_where = anchors
    n_anchor = len(anchors)
    if n_anchor == 0:
        return empty
    deadline = a_time + window if window is not None else np.full(n_anchor, NEVER, np.int64)
    times = np.zeros((n_anchor, k_steps), dtype=np.int64)
    times[:, 0] = a_time
    where = np.zeros((n_anchor, k_steps) if track else (0, 0), dtype=np.int64)
    if track:
        where[:, 0] = a_where
    depth = np.ones(n_anchor, dtype=np.int64)
    live = np.arange(n_anchor, dtype=np.int64)  # attempts that reached every step so far

    if spec.order is FunnelOrder.STRICT:
        n_runs = len(r.start)
        for k in range(1, k_steps):
            if len(live) == 0:
                break
            at = anchors[live] + k
            at_ok = at < n_runs
            live, at = live[at_ok], at[at_ok]
            t = r.time[at]
            ok = (
                (r.journey[at] == a_journey[live])
                & np.isin(r.code[at], step_sets[k])
                & (t <= deadline[live])
            )
            live = live[ok]
            times[live, k] = t[ok]
            if track:
                where[live, k] = r.start[at[ok]]
            depth[live] += 1
    else:
        journey_end = log.offsets[a_journey + 1]
        pos = anchors.copy()
        sequential = spec.order is FunnelOrder.SEQUENTIAL
        for k in range(1, k_steps):
            pk = step_positions.get(tuple(step_sets[k].tolist()))
            if pk is None or len(pk) == 0 or len(live) == 0:
                break
            i = np.searchsorted(pk, pos[live] if sequential else anchors[live], side="right")
            ok = i < len(pk)
            live, i = live[ok], i[ok]
            cand = pk[i]
            t = ts[cand]
            ok = (cand < journey_end[live]) & (t <= deadline[live])
            live, cand, t = live[ok], cand[ok], t[ok]
            depth[live] += 1
            if track:
                where[live, k] = cand
            if sequential:
                pos[live] = cand
                times[live, k] = t
            else:
                times[live, k] = np.maximum(times[live, k - 1], t)

    valid = np.ones(n_anchor, dtype=np.bool_)
    if track:
        valid = ~_excluded_attempts(log, spec, a_journey, depth, where, deadline)
    now_us = parse_instant(spec.now, "now") if window is not None and spec.now is not None else None
    if per_attempt:
        censored = np.zeros(n_anchor, dtype=np.bool_)
        if now_us is not None:
            censored = (depth < k_steps) & (deadline > now_us)
        return _Outcomes(
            a_journey[valid],
            depth[valid],
            times[valid],
            censored[valid],
            a_journey[~valid],
            where=where[valid] if positions else None,
        )

    # the best attempt of each journey that no exclusion removed: deepest, then earliest
    starts = np.flatnonzero(np.r_[True, a_journey[1:] != a_journey[:-1]])
    key = np.where(valid, depth * n_anchor - np.arange(n_anchor, dtype=np.int64), -1)
    best_key = np.maximum.reduceat(key, starts)
    kept = best_key >= 0
    best_depth = -((-best_key) // n_anchor)
    best = best_depth * n_anchor - best_key
    censored = np.zeros(len(starts), dtype=np.bool_)
    if now_us is not None:
        ends = np.r_[starts[1:], n_anchor] - 1
        censored = (best_depth < k_steps) & (deadline[ends] > now_us)
    return _Outcomes(
        a_journey[starts][kept],
        best_depth[kept],
        times[best[kept]],
        censored[kept],
        a_journey[starts][~kept],
        where=where[best[kept]] if positions else None,
    )


def _excluded_attempts(
    log: EventLog,
    spec: _Spec,
    a_journey: _I64,
    depth: _I64,
    where: _I64,
    deadline: _I64,
) -> _B:
    """Per attempt, whether an exclusion event falls between its two steps (vectorised).

    The first exclusion event after the attempt's event for step ``after`` is
    the one to check: it excludes when it comes before the event for step
    ``before`` or, if that step was never reached, within the window.
    """
    ts = log.timestamps
    journey_end = log.offsets[a_journey + 1]
    hit = np.zeros(len(a_journey), dtype=np.bool_)
    for ex in spec.exclusions:
        codes, names = level_codes(log, ex.level or spec.level)
        wanted = _code_sets(names, [ex.events])[0]
        if len(wanted) == 0:
            continue
        events = _where_in(codes, wanted)
        if len(events) == 0:
            continue
        reached_after = depth > ex.after
        reached_before = depth > ex.before
        lo = where[:, ex.after]
        hi = np.where(reached_before, where[:, ex.before], journey_end)
        i = np.searchsorted(events, lo, side="right")
        has = i < len(events)
        e = events[np.minimum(i, len(events) - 1)]
        hit |= reached_after & has & (e < hi) & (reached_before | (ts[e] <= deadline))
    return hit


def _by_account(log: EventLog, out: _Outcomes, k_steps: int) -> tuple[_Outcomes, int]:
    """Roll journey outcomes up to accounts; also the number of journeys without one."""
    account, _ = first_values(log, log.account_codes)
    acc = account[out.unit].astype(np.int64)
    has = acc >= 0
    unassigned = int(np.count_nonzero(~has))
    acc, depth, times, cens = acc[has], out.depth[has], out.times[has], out.censored[has]
    if len(acc) == 0:
        return _Outcomes(acc, depth, times, cens), unassigned
    order = np.argsort(acc)  # any order within an account will do: only max/min/or follow
    acc, depth, times, cens = acc[order], depth[order], times[order], cens[order]
    starts = np.flatnonzero(np.r_[True, acc[1:] != acc[:-1]])
    steps = np.arange(k_steps)
    masked = np.where(steps[None, :] < depth[:, None], times, NEVER)
    a_depth = np.maximum.reduceat(depth, starts)
    a_times = np.minimum.reduceat(masked, starts, axis=0)
    a_cens = np.logical_or.reduceat(cens, starts) & (a_depth < k_steps)
    return _Outcomes(acc[starts], a_depth, a_times, a_cens), unassigned


def _account_labels(log: EventLog, field_codes: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    """Per account, the first value of a field over all its journeys (earliest event)."""
    account, _ = first_values(log, log.account_codes)
    label, where = first_values(log, field_codes)
    out = np.full(len(log.account_ids), -1, dtype=np.int32)
    ok = (account >= 0) & (label >= 0)
    if not ok.any():
        return out
    j = np.flatnonzero(ok)
    t = log.timestamps[where[j]]
    order = np.lexsort((j, t, account[j]))
    acc_sorted = account[j][order]
    first = np.r_[True, acc_sorted[1:] != acc_sorted[:-1]]
    out[acc_sorted[first]] = label[j][order][first]
    return out


def _count(log: EventLog, spec: _Spec) -> FunnelCounts:
    out, population, unassigned = _outcomes(log, spec)
    return _tally(log, spec, out, population, unassigned)


def _outcomes(log: EventLog, spec: _Spec) -> tuple[_Outcomes, int, int]:
    """The units' outcomes, the population and the unassigned journeys of a funnel."""
    k_steps = len(spec.steps)
    unassigned = 0
    if spec.order is FunnelOrder.OPEN:
        out, unassigned = _open_outcomes(log, spec)
    else:
        out = _attempts(log, spec)
    if spec.count is CountUnit.ACCOUNTS:
        accounts = first_values(log, log.account_codes)[0]
        used = np.bincount(accounts[accounts >= 0], minlength=len(log.account_ids))
        population = int(np.count_nonzero(used))
        if out.hits is None:  # open funnels are counted by account directly
            excluded_journeys = out.excluded
            out, unassigned = _by_account(log, out, k_steps)
            gone = accounts[excluded_journeys]
            gone = np.setdiff1d(gone[gone >= 0], out.unit)
            out = attrs.evolve(out, excluded=gone.astype(np.int64))
    elif spec.count is CountUnit.ATTEMPTS:
        population = len(out.unit) + len(out.excluded)
    else:
        population = len(log)
    return out, population, unassigned


def _tally(
    log: EventLog, spec: _Spec, out: _Outcomes, population: int, unassigned: int
) -> FunnelCounts:
    """Counts per group and step of the units' outcomes."""
    k_steps = len(spec.steps)
    if spec.breakdown is None:
        label_codes = np.zeros(len(out.unit), dtype=np.int64)
        labels: list[str | None] = [None]
    else:
        codes, names = log.codes_and_names(spec.breakdown)
        if spec.count is CountUnit.ACCOUNTS:
            per_unit = _account_labels(log, codes)
        else:
            per_unit = first_values(log, codes)[0]
        raw = per_unit[out.unit].astype(np.int64)
        label_codes = np.where(raw < 0, len(names), raw)
        labels = label_names(names)
    n_groups = len(labels)
    if out.hits is not None:
        return _tally_open(spec, out, label_codes, labels, population, unassigned)
    depth, times, cens = out.depth, out.times, out.censored
    by_depth = np.bincount(label_codes * (k_steps + 1) + depth, minlength=n_groups * (k_steps + 1))
    by_depth = by_depth.reshape(n_groups, k_steps + 1)
    reached = np.cumsum(by_depth[:, ::-1], axis=1)[:, ::-1][:, 1:]
    cens_depth = np.bincount(
        label_codes[cens] * (k_steps + 1) + depth[cens], minlength=n_groups * (k_steps + 1)
    ).reshape(n_groups, k_steps + 1)
    to_step: list[list[DurationDigest]] = [[DurationDigest.zero()] * n_groups]
    from_prev: list[list[DurationDigest]] = [[DurationDigest.zero()] * n_groups]
    rows = np.flatnonzero(depth > 1)
    for k in range(1, k_steps):
        rows = rows[depth[rows] > k]
        row_groups = label_codes[rows]
        tk = times[rows, k]
        to_step.append(digests_by_group(tk - times[rows, 0], row_groups, n_groups))
        from_prev.append(digests_by_group(tk - times[rows, k - 1], row_groups, n_groups))
    present = np.flatnonzero(by_depth.sum(axis=1))
    groups: dict[str | None, tuple[StepCounts, ...]] = {}
    for g in present.tolist():
        steps = []
        for k in range(k_steps):
            stuck = int(by_depth[g, k + 1]) if k < k_steps - 1 else 0
            cen = int(cens_depth[g, k + 1]) if k < k_steps - 1 else 0
            steps.append(
                StepCounts(
                    reached=int(reached[g, k]),
                    dropped=stuck - cen,
                    censored=cen,
                    time_to_step=to_step[k][g],
                    time_from_previous=from_prev[k][g],
                )
            )
        groups[labels[g]] = tuple(steps)
    groups = dict(sorted(groups.items(), key=lambda kv: _group_key(kv[0])))
    return attrs.evolve(
        spec.zero(),
        groups=groups,
        population=population,
        unassigned=unassigned,
        excluded=len(out.excluded),
    )


def _tally_open(
    spec: _Spec,
    out: _Outcomes,
    label_codes: _I64,
    labels: list[str | None],
    population: int,
    unassigned: int,
) -> FunnelCounts:
    """Counts of an open funnel: each step on its own; dropped(k) has step k, not k+1."""
    assert out.hits is not None
    hits = out.hits
    k_steps = len(spec.steps)
    groups: dict[str | None, tuple[StepCounts, ...]] = {}
    for g in np.unique(label_codes).tolist():
        h = hits[label_codes == g]
        steps = []
        for k in range(k_steps):
            dropped = int(np.count_nonzero(h[:, k] & ~h[:, k + 1])) if k < k_steps - 1 else 0
            steps.append(StepCounts(int(np.count_nonzero(h[:, k])), dropped, 0))
        groups[labels[g]] = tuple(steps)
    groups = dict(sorted(groups.items(), key=lambda kv: _group_key(kv[0])))
    return attrs.evolve(spec.zero(), groups=groups, population=population, unassigned=unassigned)


@attrs.frozen
class FunnelStep:
    """One step of a funnel result (for all units, or for one group).

    Rates are :class:`Ratio` objects: ``conversion_from_previous`` of the
    first step is ``reached / reached`` (1 when anyone entered).

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "stage": "visit"},
    ...     {"journey_id": "b", "timestamp": 0, "stage": "visit"},
    ...     {"journey_id": "b", "timestamp": 60, "stage": "trial"}])
    >>> s = funnel(log, ["visit", "trial"]).steps[0]
    >>> (s.step, s.reached, s.dropped, s.drop_off)
    ('visit', 2, 1, Ratio(1/2 = 0.5))
    """

    index: int
    """Position of the step (0-based)."""
    step: str
    """The step id."""
    reached: int
    """Units that reached the step."""
    conversion_from_first: Ratio
    """``reached / reached(step 1)``."""
    conversion_from_previous: Ratio
    """``reached / reached(previous step)``."""
    settled_conversion: Ratio
    """``reached / (reached(previous) - censored(previous))``: conversion from the previous
    step among units whose outcome is known (equals ``conversion_from_previous`` without a
    window)."""
    dropped: int
    """Units that reached this step but not the next, window closed (0 for the last step)."""
    censored: int
    """Units that reached this step but not yet the next, window still open."""
    drop_off: Ratio | None
    """``dropped / reached``; None for the last step."""
    time_to_step: DurationStats
    """Time from entering step 1 (empty for step 1)."""
    time_from_previous: DurationStats
    """Time from reaching the previous step (empty for step 1)."""


def _steps_of(names: Sequence[str], counts: Sequence[StepCounts]) -> tuple[FunnelStep, ...]:
    out = []
    first = counts[0].reached if counts else 0
    last = len(counts) - 1
    for k, (name, c) in enumerate(zip(names, counts, strict=True)):
        prev = counts[k - 1] if k else c
        out.append(
            FunnelStep(
                index=k,
                step=name,
                reached=c.reached,
                conversion_from_first=Ratio(c.reached, first),
                conversion_from_previous=Ratio(c.reached, prev.reached),
                settled_conversion=Ratio(c.reached, prev.reached - (prev.censored if k else 0)),
                dropped=c.dropped,
                censored=c.censored,
                drop_off=None if k == last else Ratio(c.dropped, c.reached),
                time_to_step=c.time_to_step.stats(),
                time_from_previous=c.time_from_previous.stats(),
            )
        )
    return tuple(out)


@attrs.frozen
class FunnelResult(TableViews):
    """A computed funnel: per step counts, rates and times, overall and per group.

    >>> from touchpath import EventLog
    >>> rec = lambda j, t, s: {"journey_id": j, "timestamp": t, "stage": s}
    >>> log = EventLog.from_records([rec("a", 0, "visit"), rec("a", 3600, "trial"),
    ...                              rec("b", 0, "visit")])
    >>> f = funnel(log, ["visit", "trial"])
    >>> [(s.step, s.reached, s.conversion_from_first.value) for s in f.steps]
    [('visit', 2, 1.0), ('trial', 1, 0.5)]
    >>> (f.entered, f.completed, f.conversion.value)
    (2, 1, 0.5)
    """

    counts: FunnelCounts
    """The mergeable counts the result was computed from."""
    steps: tuple[FunnelStep, ...]
    """Each step over all groups."""
    breakdown: Mapping[str | None, tuple[FunnelStep, ...]]
    """Each step per group label (empty without ``breakdown``); ``None`` is the no-value group."""

    @classmethod
    def from_counts(cls, counts: FunnelCounts) -> FunnelResult:
        """The result of counts (what :func:`funnel` returns).

        >>> counts = FunnelCounts.zero(["visit"], level="stage")
        >>> FunnelResult.from_counts(counts).entered
        0
        """
        breakdown = (
            {label: _steps_of(counts.steps, c) for label, c in counts.groups.items()}
            if counts.breakdown is not None
            else {}
        )
        return cls(counts, _steps_of(counts.steps, counts.total), breakdown)

    @property
    def entered(self) -> int:
        """Units that reached step 1.

        >>> funnel(FunnelCounts.zero(["x"], level="stage")).entered
        0
        """
        return self.steps[0].reached

    @property
    def completed(self) -> int:
        """Units that reached the last step.

        >>> funnel(FunnelCounts.zero(["x", "y"], level="stage")).completed
        0
        """
        return self.steps[-1].reached

    @property
    def conversion(self) -> Ratio:
        """``completed / entered``.

        >>> funnel(FunnelCounts.zero(["x", "y"], level="stage")).conversion.is_defined
        False
        """
        return self.steps[-1].conversion_from_first

    @property
    def censored(self) -> int:
        """Units that have not completed and whose window is still open.

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"}])
        >>> funnel(log, ["x", "y"], level="stage", window="1 day").censored
        1
        """
        return sum(s.censored for s in self.steps)

    def step(self, step: str | int) -> FunnelStep:
        """A step by id (its first occurrence) or position.

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"}])
        >>> funnel(log, ["x"]).step("x").reached
        1
        """
        if isinstance(step, int):
            return self.steps[step]
        for s in self.steps:
            if s.step == step:
                return s
        raise NotFoundError("funnel step", step, choices=self.counts.steps)

    def to_table(
        self, *, interval: IntervalMethodLike | None = None, confidence: float = 0.95
    ) -> Any:
        """One row per step (per group and step with ``breakdown``), rates as floats (NaN
        undefined).

        With ``interval="wilson"`` (or ``"clopper-pearson"``) each conversion
        also gets ``_lower`` and ``_upper`` columns: its confidence interval
        at ``confidence`` (undefined where the rate is undefined).

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"},
        ...                              {"journey_id": "b", "timestamp": 0, "stage": "x"},
        ...                              {"journey_id": "a", "timestamp": 5400, "stage": "y"}])
        >>> print(funnel(log, ["x", "y"]))
        2 journeys entered, 1 completed (50.0%); order sequential
        step  reached  of first  of previous  dropped  drop-off  median time to step
        x           2    100.0%       100.0%        1     50.0%                    -
        y           1     50.0%        50.0%        0         -                1.5 h
        """
        by = self.counts.breakdown
        windowed = self.counts.window is not None
        shown = [
            *([Column(by.value)] if by is not None else []),
            Column("step"),
            Column("reached", kind=ColumnKind.COUNT),
            Column("conversion_from_first", "of first", ColumnKind.RATE),
            Column("conversion_from_previous", "of previous", ColumnKind.RATE),
            Column("settled_conversion", "settled", ColumnKind.RATE, shown=windowed),
            Column("dropped", kind=ColumnKind.COUNT),
            Column("censored", kind=ColumnKind.COUNT, shown=windowed),
            Column("drop_off", "drop-off", ColumnKind.RATE),
            Column("time_to_step_median", "median time to step", ColumnKind.DURATION),
        ]
        return Table.from_columns(
            self._columns(interval, confidence),
            shown,
            name="steps",
            note=self._display_summary() if self.entered else self._empty_reason(),
            source="FunnelResult",
        )

    def to_pandas(
        self, *, interval: IntervalMethodLike | None = None, confidence: float = 0.95
    ) -> Any:
        """The columns of :meth:`to_table` as a pandas DataFrame, rates as floats (NaN
        undefined), times as Timedelta columns.

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"}])
        >>> funnel(log, ["x"]).to_pandas()[["step", "reached"]].to_dict("records")
        [{'step': 'x', 'reached': 1}]
        >>> list(funnel(log, ["x"]).to_pandas(interval="wilson").columns[3:5])
        ['conversion_from_first_lower', 'conversion_from_first_upper']
        """
        return self.to_table(interval=interval, confidence=confidence).to_pandas()

    def to_polars(
        self, *, interval: IntervalMethodLike | None = None, confidence: float = 0.95
    ) -> Any:
        """The columns of :meth:`to_pandas` as a polars DataFrame."""
        return self.to_table(interval=interval, confidence=confidence).to_polars()

    def to_arrow(
        self, *, interval: IntervalMethodLike | None = None, confidence: float = 0.95
    ) -> Any:
        """The columns of :meth:`to_pandas` as a pyarrow Table."""
        return self.to_table(interval=interval, confidence=confidence).to_arrow()

    def _columns(
        self, interval: IntervalMethodLike | None = None, confidence: float = 0.95
    ) -> Columns:
        rows = []
        sources: list[tuple[str | None, tuple[FunnelStep, ...]]] = (
            list(self.breakdown.items())
            if self.counts.breakdown is not None
            else [(None, self.steps)]
        )
        for label, steps in sources:
            for s in steps:
                row: dict[str, Any] = {}
                if self.counts.breakdown is not None:
                    row[self.counts.breakdown.value] = label
                row.update(
                    step=s.step,
                    reached=s.reached,
                    conversion_from_first=float(s.conversion_from_first),
                    conversion_from_previous=float(s.conversion_from_previous),
                    settled_conversion=float(s.settled_conversion),
                    dropped=s.dropped,
                    censored=s.censored,
                    drop_off=float("nan") if s.drop_off is None else float(s.drop_off),
                )
                if interval is not None:
                    row = _with_intervals(row, s, interval, confidence)
                row.update(stats_dict(s.time_to_step, "time_to_step"))
                row.update(stats_dict(s.time_from_previous, "time_from_previous"))
                rows.append(row)
        return columns_from_rows(rows, duration_prefixes=("time_to_step", "time_from_previous"))

    # -- notebook and report display (touchpath._repr, touchpath.report) -----------------------

    def __repr__(self) -> str:
        c = self.counts
        by = f", by {c.breakdown.value}" if c.breakdown is not None else ""
        window = f", window {format_duration(c.window)}" if c.window is not None else ""
        return (
            f"<FunnelResult {len(self.steps)} {c.level.value} steps ({c.order.value}{window}{by}):"
            f" {self.entered:,} {c.count.value} entered, {self.completed:,} completed"
            f" ({self.conversion:.1%})>"
        )

    def _display_summary(self) -> str:
        c = self.counts
        text = (
            f"{self.entered:,} {c.count.value} entered, {self.completed:,} completed "
            f"({self.conversion:.1%}); order {c.order.value}"
        )
        if c.window is not None:
            text += f", window {format_duration(c.window)}"
        if self.censored:
            text += f", {self.censored:,} censored (window still open)"
        if c.excluded:
            text += f", {c.excluded:,} {c.count.value} excluded (an exclusion step)"
        return text

    def _empty_reason(self) -> str:
        """Why no unit entered the funnel (the first step never occurs)."""
        c = self.counts
        first = self.steps[0].step if self.steps else None
        return (
            f"no {c.count.value[:-1]} reached the funnel's first step {first!r} "
            f"({c.level.value}), so there are no conversions to show; "
            f"check that the data has {c.level.value} values that match the steps"
        )

    def report_section(
        self,
        *,
        title: str | None = None,
        interval: IntervalMethodLike | None = None,
        confidence: float = 0.95,
    ) -> Any:
        """The steps as a :class:`touchpath.report.Section` (``Report.add`` calls it).

        With ``interval="wilson"`` (or ``"clopper-pearson"``) a last column
        gives the confidence interval of the conversion from the previous step.

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"}])
        >>> funnel(log, ["x"]).report_section().title
        'Funnel'
        >>> "95% interval" in funnel(log, ["x"]).report_section(interval="wilson").body
        True
        """
        from ..report import Section

        title = title or "Funnel"
        if self.entered == 0:
            return Section.text(title, self._empty_reason() + ".", note=self._display_summary())
        how = None if interval is None else to_enum(IntervalMethod, "interval", interval)
        table = self.to_table(interval=how, confidence=confidence)
        if how is not None:
            lower = table.column("conversion_from_previous_lower")
            upper = table.column("conversion_from_previous_upper")
            label = f"{confidence:.0%} interval of previous"
            table = attrs.evolve(
                table,
                columns=[
                    attrs.evolve(c, label=f"{label}: lower", shown=True)
                    if c is lower
                    else attrs.evolve(c, label=f"{label}: upper", shown=True)
                    if c is upper
                    else c
                    for c in table.columns
                ],
                note=f"{table.note}; intervals: {how.value}",
            )
        return table.report_section(title=title)


def _with_intervals(
    row: dict[str, Any], step: FunnelStep, method: IntervalMethodLike, confidence: float
) -> dict[str, Any]:
    """``row`` with lower and upper bounds after each conversion column (NaN if undefined)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        out[key] = value
        if key.startswith(("conversion_from", "settled_conversion")):
            rate: Ratio = getattr(step, key)
            lower, upper = bounds_or_none(rate.numerator, rate.denominator, method, confidence)
            out[f"{key}_lower"] = float("nan") if lower is None else lower
            out[f"{key}_upper"] = float("nan") if upper is None else upper
    return out


@renamed(by="breakdown")
def funnel(
    data: EventLog | FunnelCounts,
    steps: Sequence[StepLike] | None = None,
    *,
    journey_map: JourneyMap | None = None,
    level: LevelLike | None = None,
    order: FunnelOrderLike = FunnelOrder.SEQUENTIAL,
    window: DurationLike | None = None,
    count: CountUnitLike = CountUnit.JOURNEYS,
    breakdown: Field | str | None = None,
    now: Any = None,
    exclusions: Sequence[Exclusion] = (),
    repeats: RepeatsLike = Repeats.ALLOWED,
) -> FunnelResult:
    """Count how many journeys (or accounts) reach each step, how fast, and who drops off.

    ``steps`` are stage ids (default: the ``journey_map``'s stages in
    canonical order), touchpoint ids or channel ids; ``level`` says which,
    and may be left out when every step is known at exactly one level in
    the log (or the map). ``order`` (sequential, strict, any), ``window``
    (``"30 days"``), ``count`` (journeys or accounts), ``breakdown`` (a categorical
    field: each unit's first value of it, e.g. ``Field.SEGMENT`` or
    ``Field.CHANNEL`` for the first-touch channel) and ``now`` (end of
    observation for censoring, default the log's last timestamp) are
    defined in the module documentation and ``docs/metrics.md``.

    A step may be several ids, any of which reaches it (``("p1", "p2")``,
    shown as ``"p1 | p2"``). ``order="open"`` counts each step on its own.
    ``count="attempts"`` counts every attempt. ``exclusions`` (a sequence
    of :class:`Exclusion`) leave out journeys that did an excluding event
    between two steps; ``repeats="break"`` makes a repeated value break a
    strict funnel (see :class:`Repeats`).

    ``data`` may also be :class:`FunnelCounts` (for example merged from
    parts), whose definition is then used; the other arguments must be left
    at their defaults.

    >>> from touchpath import EventLog
    >>> rec = lambda j, t, s: {"journey_id": j, "timestamp": t, "stage": s}
    >>> log = EventLog.from_records([
    ...     rec("a", 0, "visit"), rec("a", 3600, "trial"), rec("a", 7200, "paid"),
    ...     rec("b", 0, "visit"), rec("b", 60, "paid"), rec("b", 90, "trial"),  # paid first
    ...     rec("c", 0, "trial"), rec("c", 60, "visit")])   # the trial before the visit
    >>> f = funnel(log, ["visit", "trial", "paid"])
    >>> [s.reached for s in f.steps]
    [3, 2, 1]
    >>> f.steps[2].conversion_from_previous
    Ratio(1/2 = 0.5)
    >>> [s.reached for s in funnel(log, ["visit", "trial", "paid"], order="any").steps]
    [3, 2, 2]
    >>> str(f.steps[2].time_to_step.median)
    '2:00:00'
    >>> [s.reached for s in funnel(log, ["visit", "trial", "paid"], order="open").steps]
    [3, 3, 2]
    >>> no_paid_first = Exclusion("paid", after=0, before=1)
    >>> g = funnel(log, ["visit", "trial"], exclusions=[no_paid_first])
    >>> ([s.reached for s in g.steps], g.counts.excluded)  # b is out: paid before trial
    ([2, 1], 1)
    """
    if isinstance(data, FunnelCounts):
        given = {
            "steps": steps,
            "journey_map": journey_map,
            "level": level,
            "window": window,
            "breakdown": breakdown,
            "now": now,
        }
        extra = [k for k, v in given.items() if v is not None]
        if order != FunnelOrder.SEQUENTIAL:
            extra.append("order")
        if count != CountUnit.JOURNEYS:
            extra.append("count")
        if exclusions:
            extra.append("exclusions")
        if repeats != Repeats.ALLOWED:
            extra.append("repeats")
        if extra:
            raise ConfigError(
                "funnel(counts) takes the definition from the counts; "
                f"leave out {', '.join(map(repr, extra))}"
            )
        return FunnelResult.from_counts(data)
    counts = FunnelCounts.from_log(
        data,
        steps,
        journey_map=journey_map,
        level=level,
        order=order,
        window=window,
        count=count,
        breakdown=breakdown,
        now=now,
        exclusions=exclusions,
        repeats=repeats,
    )
    result = FunnelResult.from_counts(counts)
    if result.entered == 0:
        warnings.warn(result._empty_reason(), UndefinedResultWarning, stacklevel=2)
    return result

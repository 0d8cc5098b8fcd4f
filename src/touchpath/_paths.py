"""Conversion paths: what attribution models read, and the mergeable ``PathCounts`` table.

An :class:`~touchpath.EventLog` becomes *conversion paths* in one vectorised
pass (:func:`conversion_paths`):

* every conversion event ends a path holding the touches since the previous
  conversion of the same journey (the semantics of
  :meth:`EventLog.split_conversions`); a converting event that is itself a
  touch is the last touch of its path;
* the touches after a journey's last conversion (or of a journey that never
  converts) form one non-converting path;
* a *touch* is an event whose credited attribute (``level``: channel,
  touchpoint, stage or campaign) is present;
* ``lookback`` drops touches earlier than that before the path's end (its
  conversion, or for a non-converting path its last event);
* ``collapse="consecutive"`` keeps only the first of consecutive touches with
  the same credited attribute.

:class:`PathCounts` is the same information grouped by distinct path
(the input format of the popular attribution packages): each row is a path
with its conversions, non-conversions and value. It is mergeable with ``+``.
"""

from __future__ import annotations

import enum
import functools
import itertools
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, TypeVar

import attrs
import numpy as np
import numpy.typing as npt

from ._codes import MISSING, concat_offsets, merge_dictionaries
from ._columns import Columns, to_arrow, to_pandas, to_polars
from ._deprecation import renamed, renamed_fields, warn_renamed
from ._enums import to_enum
from ._schema import Field, Rejection
from ._time import DurationLike, parse_duration
from .exceptions import ConfigError, SchemaError, UnsupportedInputError

if TYPE_CHECKING:
    from ._log import EventLog

__all__ = [
    "CREDITABLE",
    "Collapse",
    "ConversionPaths",
    "PathCounts",
    "PathPolicy",
    "conversion_paths",
    "dense_unique",
    "item_index",
    "scatter",
    "wsum",
]

_I32 = npt.NDArray[np.int32]
_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]
_U64 = npt.NDArray[np.uint64]
_T = TypeVar("_T")


CREDITABLE: Final = (Field.CHANNEL, Field.TOUCHPOINT, Field.STAGE, Field.CAMPAIGN)
"""The attributes that can receive credit."""

ByLike: TypeAlias = Field | Literal["channel", "touchpoint", "stage", "campaign"]
"""The credited attribute: a :class:`~touchpath.Field` or its name."""


def item_index(items: Sequence[str], into: Sequence[str]) -> _I64:
    """The position in ``into`` of each of ``items`` (every one must be in ``into``).

    >>> item_index(("b", "d"), ("a", "b", "c", "d")).tolist()
    [1, 3]
    """
    position = {x: i for i, x in enumerate(into)}
    return np.array([position[x] for x in items], dtype=np.int64)


def scatter(index: _I64, n: int, *parts: npt.ArrayLike) -> list[_F64]:
    """Each of ``parts`` (one number per ``index`` entry) spread into ``n`` zeros at ``index``.

    >>> [a.tolist() for a in scatter(np.array([2, 0]), 3, [5.0, 1.0])]
    [[1.0, 0.0, 5.0]]
    """
    out = []
    for part in parts:
        full = np.zeros(n, dtype=np.float64)
        full[index] = part
        out.append(full)
    return out


def wsum(index: npt.NDArray[np.integer[Any]], weights: npt.ArrayLike, n: int) -> _F64:
    """Sums of ``weights`` per ``index`` value, for ``0 .. n-1`` (a typed ``np.bincount``).

    >>> wsum(np.array([0, 2, 2]), np.array([1.0, 2.0, 3.0]), 4).tolist()
    [1.0, 0.0, 5.0, 0.0]
    """
    return np.bincount(index, weights, minlength=n).astype(np.float64, copy=False)


_DENSE_UNIQUE: Final = 1 << 24


def dense_unique(keys: _I64, bound: int) -> tuple[_I64, _I64]:
    """Sorted distinct keys and each key's index among them, for keys in ``0 .. bound-1``.

    Uses a presence table (linear time) when ``bound`` is small, ``np.unique`` otherwise.

    >>> [a.tolist() for a in dense_unique(np.array([7, 2, 7, 5]), 8)]
    [[2, 5, 7], [2, 0, 2, 1]]
    """
    if bound <= _DENSE_UNIQUE:
        present = np.bincount(keys, minlength=bound) > 0
        uniq = np.flatnonzero(present).astype(np.int64)
        lookup = np.cumsum(present) - 1
        return uniq, lookup[keys].astype(np.int64)
    uniq, inverse = np.unique(keys, return_inverse=True)
    return uniq.astype(np.int64), inverse.reshape(-1).astype(np.int64)


def check_value_total(values: _F64) -> None:
    """Refuse values whose sum overflows a float: their credits could only be inf or NaN."""
    with np.errstate(over="ignore"):
        total = float(np.sum(values))
    if not np.isfinite(total):
        raise SchemaError(
            "the conversion values sum to more than the largest float (about 1.8e308), "
            "so value credits would overflow; scale the values down (e.g. to thousands)",
            field="value",
        )


class Collapse(enum.StrEnum):
    """What happens to consecutive touches with the same credited attribute.

    >>> Collapse("consecutive") is Collapse.CONSECUTIVE
    True
    """

    NONE = "none"
    """Keep every touch."""
    CONSECUTIVE = "consecutive"
    """Keep the first touch of each run of equal consecutive touches."""


def _to_level(value: object) -> Field:
    return to_enum(Field, "level", value, allowed=CREDITABLE)


CollapseLike: TypeAlias = Collapse | Literal["none", "consecutive"]
"""A :class:`~touchpath.attribution.Collapse` or its name."""


def _to_collapse(value: object) -> Collapse:
    return to_enum(Collapse, "collapse", value)


def _to_lookback(value: object) -> int | None:
    return None if value is None else parse_duration(value, name="lookback")


@renamed_fields(by="level")
@attrs.frozen
class PathPolicy:
    """How a log becomes conversion paths; shared by every attribution model.

    ``lookback`` is stored in microseconds.

    >>> p = PathPolicy(level="touchpoint", collapse="consecutive", lookback="30 days")
    >>> (p.level, p.collapse, p.lookback == 30 * 86400 * 10**6)
    (<Field.TOUCHPOINT: 'touchpoint'>, <Collapse.CONSECUTIVE: 'consecutive'>, True)
    """

    level: Field = attrs.field(default=Field.CHANNEL, converter=_to_level)
    """The credited attribute: channel, touchpoint, stage or campaign."""
    collapse: Collapse = attrs.field(
        default=Collapse.NONE, converter=_to_collapse, repr=lambda c: repr(c.value)
    )
    """Whether consecutive repeats of the credited attribute count once."""
    lookback: int | None = attrs.field(default=None, converter=_to_lookback)
    """Touches older than this before the path's end are ignored (microseconds; None: all)."""

    @property
    def by(self) -> Field:
        """Deprecated name of :attr:`level`."""
        warn_renamed("PathPolicy.by", "PathPolicy.level")
        return self.level


@renamed_fields(by="level")
@attrs.frozen(eq=False, slots=False)
class ConversionPaths:
    """Paths in compressed form: the input of every attribution model.

    Path ``p`` owns the touches ``offsets[p]:offsets[p+1]``; ``codes`` gives
    each touch's credited attribute as an index into ``items``. A path
    carries ``conversions`` (0 or 1 for a path of a log, any count for
    :class:`PathCounts`), ``non_conversions`` and ``values``. Paths without
    touches are kept: their conversions are *unattributed*.

    Paths built from a log also know each touch's event (``events``) and
    each path's last event (``ends``) in that log, so timestamps, stages and
    channels can be read (:meth:`times`, :meth:`codes_of`).

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j", "timestamp": 0, "channel": "ads"},
    ...     {"journey_id": "j", "timestamp": 1, "channel": "seo", "converted": True,
    ...      "value": 10.0},
    ...     {"journey_id": "j", "timestamp": 2, "channel": "ads"}])
    >>> paths = conversion_paths(log)
    >>> (paths.n_paths, paths.paths(), paths.conversions.tolist(), paths.values.tolist())
    (2, [('ads', 'seo'), ('ads',)], [1.0, 0.0], [10.0, 0.0])
    """

    items: tuple[str, ...]
    """Names of the credited attribute (sorted)."""
    offsets: _I64
    """Start of each path's touches, plus the total at the end."""
    codes: _I32
    """Credited attribute of each touch, as an index into :attr:`items`."""
    conversions: _F64
    """Conversions ending each path."""
    non_conversions: _F64
    """Times each path ended without a conversion."""
    values: _F64
    """Value of each path's conversions."""
    level: Field | None = None
    """What :attr:`items` are (None: unknown, e.g. paths given as rows)."""
    log: EventLog | None = None
    """The log the paths were read from, if any."""
    events: _I64 | None = None
    """Event index (in :attr:`log`) of each touch."""
    ends: _I64 | None = None
    """Event index (in :attr:`log`) of each path's last event (its conversion, if any)."""

    @property
    def by(self) -> Field | None:
        """Deprecated name of :attr:`level`."""
        warn_renamed("ConversionPaths.by", "ConversionPaths.level")
        return self.level

    @property
    def n_paths(self) -> int:
        """Number of paths."""
        return len(self.offsets) - 1

    @property
    def n_touches(self) -> int:
        """Number of touches over all paths."""
        return len(self.codes)

    @functools.cached_property
    def lengths(self) -> _I64:
        """Touches per path."""
        return np.diff(self.offsets)

    @functools.cached_property
    def touch_path(self) -> _I64:
        """Path index of each touch."""
        return np.repeat(np.arange(self.n_paths, dtype=np.int64), self.lengths)

    @functools.cached_property
    def positions(self) -> _I64:
        """Position of each touch in its path (0-based)."""
        return np.arange(self.n_touches, dtype=np.int64) - self.offsets[self.touch_path]

    @functools.cached_property
    def journeys(self) -> _I64 | None:
        """Journey index (in :attr:`log`) of each path, for paths read from a log."""
        if self.log is None or self.ends is None:
            return None
        return self.log.event_journey[self.ends]

    @functools.cached_property
    def credited_touches(self) -> tuple[_I64 | None, _I64]:
        """The touches that can receive credit, and the path of each.

        Only touches of paths with conversions or value can: the others add
        zero to every credit. ``(None, touch_path)`` stands for every touch
        when most of them can (summing over all is then cheaper than picking).

        >>> p = PathCounts.from_rows([(["a", "b", "c"], 0, 4, 0), (["d"], 1, 0, 0)]).to_paths()
        >>> [x.tolist() for x in p.credited_touches]
        [[3], [1]]
        """
        live = (self.conversions != 0) | (self.values != 0)
        lengths = self.lengths
        n_live = int(lengths[live].sum())
        if 2 * n_live >= self.n_touches:
            return None, self.touch_path
        which = np.flatnonzero(live)
        counts = lengths[which]
        path = np.repeat(which, counts)
        # touch t of the k-th live path sits at offsets[path] + (t - its start in the output)
        start = np.zeros(len(which) + 1, dtype=np.int64)
        np.cumsum(counts, out=start[1:])
        shift = np.repeat(self.offsets[which] - start[:-1], counts)
        return np.arange(n_live, dtype=np.int64) + shift, path

    @functools.cached_property
    def _memo(self) -> dict[object, Any]:
        return {}

    def memo(self, key: object, build: Callable[[], _T]) -> _T:
        """``build()``, computed once per paths object and key, then shared.

        Models run by :func:`~touchpath.attribution.compare` read the same
        paths, so what one derives from them (timestamps, stages, distinct
        items per path) the next reuses. Keep what ``build`` returns read-only.

        >>> p = PathCounts.from_rows([(["a"], 1, 0, 0)]).to_paths()
        >>> p.memo("n", lambda: [p.n_touches]) is p.memo("n", lambda: [0])
        True
        """
        memo = self._memo
        if key not in memo:
            memo[key] = build()
        found: _T = memo[key]
        return found

    def times(self) -> tuple[_I64, _I64]:
        """Each touch's timestamp and each path's end time (int64 µs UTC; read-only, cached).

        Raises :class:`~touchpath.exceptions.UnsupportedInputError` for paths
        without timestamps (from :class:`PathCounts`).
        """
        if self.log is None or self.events is None or self.ends is None:
            raise UnsupportedInputError(
                "this model needs timestamps, but the paths have none (they come from "
                "PathCounts or rows); attribute an EventLog instead"
            )
        log, events, ends = self.log, self.events, self.ends
        return self.memo(
            "times",
            lambda: (_read_only(log.timestamps[events]), _read_only(log.timestamps[ends])),
        )

    def codes_of(self, field: Field) -> tuple[_I32, tuple[str, ...]]:
        """Each touch's code for another attribute (e.g. its stage), with the names.

        For the credited attribute itself this is :attr:`codes` and :attr:`items`.
        Read once per paths object and shared (read-only).
        """
        if field == self.level:
            return self.codes, self.items
        if self.log is None or self.events is None:
            raise UnsupportedInputError(
                f"this model needs each touch's {field.value}, but the paths only carry "
                f"{self.level.value if self.level else 'their items'}; "
                "attribute an EventLog instead"
            )
        log, events = self.log, self.events

        def build() -> tuple[_I32, tuple[str, ...]]:
            codes, names = log.codes_and_names(field)
            return _read_only(codes[events]), names

        return self.memo(field, build)

    def paths(self) -> list[tuple[str, ...]]:
        """Every path as a tuple of item names (for inspection; slow on big inputs)."""
        names = self.items
        flat = [names[c] for c in self.codes.tolist()]
        bounds = self.offsets.tolist()
        return [tuple(flat[a:b]) for a, b in itertools.pairwise(bounds)]

    def reweighted(self, weights: _F64) -> ConversionPaths:
        """The same paths with conversions, non-conversions and values multiplied per path.

        >>> p = PathCounts.from_rows([(["a"], 2, 1, 20.0)]).to_paths()
        >>> p.reweighted(np.array([3.0])).conversions.tolist()
        [6.0]
        """
        w = np.asarray(weights, dtype=np.float64)
        return attrs.evolve(
            self,
            conversions=self.conversions * w,
            non_conversions=self.non_conversions * w,
            values=self.values * w,
        )


def _read_only(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.setflags(write=False)
    return array


def conversion_paths(log: EventLog, policy: PathPolicy | None = None) -> ConversionPaths:
    """The conversion paths of a log under a policy, in one vectorised pass.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j", "timestamp": "2025-01-01T00:00:00Z", "channel": "ads"},
    ...     {"journey_id": "j", "timestamp": "2025-01-20T00:00:00Z", "channel": "ads"},
    ...     {"journey_id": "j", "timestamp": "2025-01-21T00:00:00Z", "channel": "seo",
    ...      "converted": True}])
    >>> conversion_paths(log).paths()
    [('ads', 'ads', 'seo')]
    >>> conversion_paths(log, PathPolicy(collapse="consecutive", lookback="7 days")).paths()
    [('ads', 'seo')]
    """
    policy = policy or PathPolicy()
    codes_all, names = log.codes_and_names(policy.level)
    n = log.n_events
    if n == 0:
        z = np.zeros(0, dtype=np.float64)
        return ConversionPaths(
            items=names,
            offsets=np.zeros(1, dtype=np.int64),
            codes=np.zeros(0, dtype=np.int32),
            conversions=z,
            non_conversions=z,
            values=z,
            level=policy.level,
            log=log,
            events=np.zeros(0, dtype=np.int64),
            ends=np.zeros(0, dtype=np.int64),
        )
    conv = log.converted
    # a path ends at every conversion event and at every journey's last event
    is_end = conv.copy()
    is_end[log.offsets[1:] - 1] = True
    ends = np.flatnonzero(is_end)
    if (
        policy.lookback is None
        and policy.collapse is Collapse.NONE
        and _every_event_has(log, policy.level, codes_all)
    ):
        # the common case, every event a touch: a path's touches are its events
        return _every_event_a_touch(log, policy.level, codes_all, names, conv, ends)
    # path index of each event: number of path ends strictly before it
    key = np.zeros(n, dtype=np.int64)
    key[1:] = np.cumsum(is_end[:-1])
    touch = codes_all != MISSING
    if policy.lookback is not None:
        end_time = log.timestamps[ends]
        touch &= log.timestamps >= end_time[key] - policy.lookback
    events = np.flatnonzero(touch)
    tkey = key[events]
    tcodes = codes_all[events]
    if policy.collapse is Collapse.CONSECUTIVE and len(events) > 1:
        keep = np.ones(len(events), dtype=np.bool_)
        keep[1:] = (tkey[1:] != tkey[:-1]) | (tcodes[1:] != tcodes[:-1])
        events, tkey, tcodes = events[keep], tkey[keep], tcodes[keep]
    n_paths = len(ends)
    offsets = np.zeros(n_paths + 1, dtype=np.int64)
    np.cumsum(np.bincount(tkey, minlength=n_paths), out=offsets[1:])
    return _paths_of(log, policy.level, names, offsets, tcodes, conv, ends, events)


def _every_event_a_touch(
    log: EventLog,
    level: Field,
    codes: _I32,
    names: tuple[str, ...],
    conv: npt.NDArray[np.bool_],
    ends: _I64,
) -> ConversionPaths:
    """:func:`conversion_paths` when every event is a touch: no per-event path index needed."""
    offsets = np.empty(len(ends) + 1, dtype=np.int64)
    offsets[0] = 0
    np.add(ends, 1, out=offsets[1:])
    return _paths_of(log, level, names, offsets, codes, conv, ends, _every_event(log))


def _paths_of(
    log: EventLog,
    level: Field,
    names: tuple[str, ...],
    offsets: _I64,
    codes: npt.NDArray[np.integer[Any]],
    conv: npt.NDArray[np.bool_],
    ends: _I64,
    events: npt.NDArray[np.integer[Any]],
) -> ConversionPaths:
    """The paths ending at ``ends`` (one per conversion or journey end), touches ``codes``."""
    path_conv = conv[ends]
    conversions = path_conv.astype(np.float64)
    return ConversionPaths(
        items=names,
        offsets=offsets,
        codes=np.ascontiguousarray(codes, dtype=np.int32),
        conversions=conversions,
        non_conversions=1.0 - conversions,
        values=np.where(path_conv, log.values[ends], 0.0),
        level=level,
        log=log,
        events=events.astype(np.int64, copy=False),
        ends=ends.astype(np.int64, copy=False),
    )


# facts about a log's (read-only) columns, found once per log and dropped with it
_LOG_FACTS: Final[weakref.WeakKeyDictionary[EventLog, dict[object, Any]]] = (
    weakref.WeakKeyDictionary()
)


def _log_fact(log: EventLog, key: object, build: Callable[[], _T]) -> _T:
    facts = _LOG_FACTS.setdefault(log, {})
    if key not in facts:
        facts[key] = build()
    found: _T = facts[key]
    return found


def _every_event(log: EventLog) -> _I64:
    """``0 .. n_events-1`` (read-only), made once per log and shared by all its paths."""
    return _log_fact(
        log, "every_event", lambda: _read_only(np.arange(log.n_events, dtype=np.int64))
    )


def _every_event_has(log: EventLog, field: Field, codes: _I32) -> bool:
    """Whether no event of the log lacks ``field`` (whose codes are ``codes``)."""
    return _log_fact(log, ("every_event_has", field), lambda: bool(codes.min() >= 0))


# -- grouping identical paths ---------------------------------------------------------------

_HASH_BASE: Final = np.uint64(0x100000001B3)
_HASH_LEN: Final = np.uint64(0x9E3779B97F4A7C15)
_HASH_INVERSE: Final = np.uint64(pow(0x100000001B3, -1, 1 << 64))


def _path_hashes(offsets: _I64, codes: _I32) -> _U64:
    """A 64-bit polynomial hash of each path (wrapping arithmetic), mixed with its length."""
    n_paths = len(offsets) - 1
    lengths = np.diff(offsets)
    tp = np.repeat(np.arange(n_paths, dtype=np.int64), lengths)
    # integer arithmetic on arrays wraps modulo 2**64, which is what a hash wants;
    # B**pos = B**(global index) * (B**-1)**(path offset), B odd hence invertible:
    # two running products instead of one exponentiation per touch
    powers = _running_powers(_HASH_BASE, len(codes))
    powers *= _running_powers(_HASH_INVERSE, len(codes) + 1)[offsets[tp]]
    terms = (codes.astype(np.uint64) + np.uint64(1)) * powers
    h = np.zeros(n_paths, dtype=np.uint64)
    if len(terms):
        _wrapping_sum(h, tp, terms)
    h ^= lengths.astype(np.uint64) * _HASH_LEN
    return h


def _running_powers(base: np.uint64, n: int) -> _U64:
    """``base ** k`` modulo 2**64 for ``k = 0 .. n-1``."""
    steps = np.full(n, base, dtype=np.uint64)
    if n:
        steps[0] = 1
    return np.cumprod(steps, dtype=np.uint64)


def _wrapping_sum(out: _U64, index: _I64, terms: _U64) -> None:
    """``out[index] += terms`` with uint64 wrap-around, for sorted ``index`` (fast path)."""
    csum = np.cumsum(terms, dtype=np.uint64)
    # the sum of a sorted segment is the difference of the cumulative sums at its bounds
    last = np.flatnonzero(np.r_[index[1:] != index[:-1], True])
    seg_end = csum[last]
    seg_before = np.zeros(len(last), dtype=np.uint64)
    seg_before[1:] = seg_end[:-1]
    out[index[last]] += seg_end - seg_before


def _group_paths(offsets: _I64, codes: _I32) -> tuple[_I64, _I64]:
    """Group equal paths: (group of each path, one representative path per group).

    Groups are ordered by hash; equality is verified exactly, and on a hash
    collision the grouping falls back to comparing the paths themselves.
    """
    n_paths = len(offsets) - 1
    if n_paths == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    h = _path_hashes(offsets, codes)
    _, first, group = np.unique(h, return_index=True, return_inverse=True)
    group = group.astype(np.int64).reshape(-1)
    rep = first.astype(np.int64)[group]
    lengths = np.diff(offsets)
    same = bool(np.array_equal(lengths, lengths[rep]))
    if same:
        tp = np.repeat(np.arange(n_paths, dtype=np.int64), lengths)
        pos = np.arange(len(codes), dtype=np.int64) - offsets[tp]
        same = bool(np.array_equal(codes, codes[offsets[rep[tp]] + pos]))
    if same:
        return group, first.astype(np.int64)
    return _group_paths_exact(offsets, codes)


def _group_paths_exact(offsets: _I64, codes: _I32) -> tuple[_I64, _I64]:
    """Exact grouping by the paths' tuples (only used after a hash collision)."""
    flat = codes.tolist()
    bounds = offsets.tolist()
    keys = [tuple(flat[a:b]) for a, b in itertools.pairwise(bounds)]
    index: dict[tuple[int, ...], int] = {}
    group = np.empty(len(keys), dtype=np.int64)
    first: list[int] = []
    for k, key in enumerate(keys):
        g = index.setdefault(key, len(index))
        if g == len(first):
            first.append(k)
        group[k] = g
    return group, np.asarray(first, dtype=np.int64)


def _take_paths(offsets: _I64, codes: _I32, which: _I64) -> tuple[_I64, _I32]:
    """The CSR arrays of the paths ``which`` (in that order)."""
    lengths = np.diff(offsets)[which]
    new_offsets = np.zeros(len(which) + 1, dtype=np.int64)
    np.cumsum(lengths, out=new_offsets[1:])
    tp = np.repeat(np.arange(len(which), dtype=np.int64), lengths)
    pos = np.arange(int(new_offsets[-1]), dtype=np.int64) - new_offsets[tp]
    return new_offsets, codes[offsets[which][tp] + pos]


def _check_count(name: str, value: float, i: int) -> float:
    if not np.isfinite(value) or value < 0:
        raise SchemaError(f"{name} must be a finite number >= 0", source=f"row {i}", value=value)
    return value


@renamed_fields(by="level")
@attrs.frozen(eq=False, repr=False)
class PathCounts:
    """Distinct paths with their conversions, non-conversions and value: a mergeable table.

    Rows are distinct paths (empty paths allowed: their conversions are
    unattributed). Build it from rows (``from_rows``) or a log
    (``from_log``); add two with ``+`` (``PathCounts.zero()`` is the zero).
    Every model that needs no timestamps accepts it in place of a log.

    >>> a = PathCounts.from_rows([(["ads", "seo"], 3, 7, 300.0), (["seo"], 1, 0, 50.0)])
    >>> b = PathCounts.from_rows([(("seo",), 2, 5, 80.0)])
    >>> for row in (a + b).rows():
    ...     print(row)
    (('ads', 'seo'), 3.0, 7.0, 300.0)
    (('seo',), 3.0, 5.0, 130.0)
    >>> (a + PathCounts.zero()).equals(a)
    True
    """

    items: tuple[str, ...]
    """Distinct item names (sorted)."""
    offsets: _I64
    """Start of each row's path in :attr:`codes`, plus the total."""
    codes: _I32
    """The paths' items, as indices into :attr:`items`."""
    conversions: _F64
    """Conversions of each row."""
    non_conversions: _F64
    """Non-converting occurrences of each row."""
    values: _F64
    """Total conversion value of each row."""
    level: Field | None = None
    """What the items are (None: unknown, e.g. built from rows)."""
    rejected: tuple[Rejection, ...] = ()
    """Input rows that were not used, with reasons (:func:`touchpath.read_paths` with
    ``on_error="collect"``)."""
    rows_read: int | None = None
    """Rows read from a path table (:func:`touchpath.read_paths`); None for a table built
    in memory, such as a sum."""

    @property
    def by(self) -> Field | None:
        """Deprecated name of :attr:`level`."""
        warn_renamed("PathCounts.by", "PathCounts.level")
        return self.level

    @classmethod
    @renamed(by="level")
    def zero(cls, level: Field | None = None) -> PathCounts:
        """The empty table, the zero of ``+``.

        >>> len(PathCounts.zero())
        0
        """
        z = np.zeros(0, dtype=np.float64)
        return cls((), np.zeros(1, np.int64), np.zeros(0, np.int32), z, z, z, level)

    @classmethod
    @renamed(by="level")
    def from_rows(
        cls,
        rows: Iterable[tuple[Sequence[str], float, float, float]],
        *,
        level: Field | None = None,
    ) -> PathCounts:
        """Build from rows ``(path, conversions, non_conversions, value)``.

        A path is a sequence of item names (a ``"a > b"`` string is refused:
        split it yourself, so no separator can clash with a name). Equal paths
        are summed.

        >>> PathCounts.from_rows([(["a", "b"], 1, 0, 9.5), (["a", "b"], 2, 4, 0.5)]).rows()
        [(('a', 'b'), 3.0, 4.0, 10.0)]

        A row with a value but no conversions is refused, so every model agrees
        that only conversions carry value:

        >>> PathCounts.from_rows([(["a"], 0, 3, 5.0)])
        Traceback (most recent call last):
        ...
        touchpath.exceptions.SchemaError: row 0: value on a row with no conversions: ...
        """
        paths: list[tuple[str, ...]] = []
        conv: list[float] = []
        null: list[float] = []
        vals: list[float] = []
        for i, row in enumerate(rows):
            try:
                path, c, nc, v = row
            except (TypeError, ValueError):
                raise SchemaError(
                    "a row must be (path, conversions, non_conversions, value)",
                    source=f"row {i}",
                    value=row,
                ) from None
            names: Sequence[object] = path
            if isinstance(names, str) or not all(isinstance(x, str) and x for x in names):
                raise SchemaError(
                    "a path must be a sequence of non-empty item names (not one string)",
                    source=f"row {i}",
                    value=path,
                )
            try:
                cf, nf, vf = float(c), float(nc), float(v)
            except (TypeError, ValueError):
                raise SchemaError(
                    "conversions, non_conversions and value must be numbers",
                    source=f"row {i}",
                    value=row,
                ) from None
            conv.append(_check_count("conversions", cf, i))
            null.append(_check_count("non_conversions", nf, i))
            vals.append(_check_count("value", vf, i))
            if cf == 0 and vf != 0:
                raise SchemaError(
                    "value on a row with no conversions: value is the value of the row's "
                    "conversions (an event log ignores value on non-converting events)",
                    source=f"row {i}",
                    value=row,
                )
            paths.append(tuple(path))
        items = tuple(sorted({x for p in paths for x in p}))
        position = {x: k for k, x in enumerate(items)}
        offsets = np.zeros(len(paths) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in paths], out=offsets[1:])
        codes = np.fromiter((position[x] for p in paths for x in p), np.int32, int(offsets[-1]))
        return cls._grouped(
            items,
            offsets,
            codes,
            np.asarray(conv, np.float64),
            np.asarray(null, np.float64),
            np.asarray(vals, np.float64),
            level,
        )

    @classmethod
    @renamed(by="level")
    def from_log(
        cls,
        log: EventLog,
        *,
        level: ByLike = Field.CHANNEL,
        collapse: Collapse | Literal["none", "consecutive"] = Collapse.NONE,
        lookback: DurationLike | None = None,
    ) -> PathCounts:
        """The conversion paths of a log, grouped (see :func:`conversion_paths`).

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([
        ...     {"journey_id": "a", "timestamp": 0, "channel": "ads"},
        ...     {"journey_id": "a", "timestamp": 1, "channel": "seo", "converted": 1,
        ...      "value": 5},
        ...     {"journey_id": "b", "timestamp": 0, "channel": "ads"},
        ...     {"journey_id": "b", "timestamp": 1, "channel": "seo"}])
        >>> PathCounts.from_log(log).rows()
        [(('ads', 'seo'), 1.0, 1.0, 5.0)]
        """
        policy = PathPolicy(level=level, collapse=collapse, lookback=lookback)
        return cls.from_paths(conversion_paths(log, policy))

    @classmethod
    def from_paths(cls, paths: ConversionPaths) -> PathCounts:
        """Group :class:`ConversionPaths` by distinct path."""
        return cls._grouped(
            paths.items,
            paths.offsets,
            paths.codes,
            paths.conversions,
            paths.non_conversions,
            paths.values,
            paths.level,
        )

    @classmethod
    def _grouped(
        cls,
        items: tuple[str, ...],
        offsets: _I64,
        codes: _I32,
        conv: _F64,
        null: _F64,
        vals: _F64,
        level: Field | None,
    ) -> PathCounts:
        check_value_total(vals)
        group, first = _group_paths(offsets, codes)
        k = len(first)
        # canonical row order: lexicographic by item names, so equal tables compare equal
        new_offsets, new_codes = _take_paths(offsets, codes, first)
        order = _lexicographic_order(new_offsets, new_codes)
        rank = np.empty(k, dtype=np.int64)
        rank[order] = np.arange(k, dtype=np.int64)
        new_offsets, new_codes = _take_paths(new_offsets, new_codes, order)
        g = rank[group]
        table = cls(
            items=items,
            offsets=new_offsets,
            codes=new_codes.astype(np.int32, copy=False),
            conversions=wsum(g, conv, k),
            non_conversions=wsum(g, null, k),
            values=wsum(g, vals, k),
            level=level,
        )
        return table._drop_unused_items()

    def _drop_unused_items(self) -> PathCounts:
        used = np.zeros(len(self.items), dtype=np.bool_)
        used[self.codes] = True
        if used.all():
            return self
        remap = np.cumsum(used) - 1
        return attrs.evolve(
            self,
            items=tuple(x for x, u in zip(self.items, used.tolist(), strict=True) if u),
            codes=remap[self.codes].astype(np.int32),
        )

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @classmethod
    @renamed(by="level")
    def empty(cls, level: Field | None = None) -> PathCounts:
        """Deprecated: use :meth:`zero`, the name every mergeable aggregate uses."""
        warn_renamed("PathCounts.empty()", "PathCounts.zero()")
        return cls.zero(level)

    def __radd__(self, other: object) -> PathCounts:
        """``0 + counts`` is ``counts``, so ``sum(parts)`` works."""
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __add__(self, other: PathCounts) -> PathCounts:
        if not isinstance(other, PathCounts):
            return NotImplemented
        if self.level is not None and other.level is not None and self.level != other.level:
            raise ConfigError(
                f"cannot add path counts of different attributes; got {self.level.value!r} "
                f"and {other.level.value!r}"
            )
        items, codes = merge_dictionaries([(self.items, self.codes), (other.items, other.codes)])
        return PathCounts._grouped(
            items,
            concat_offsets(self.offsets, other.offsets),
            codes,
            np.concatenate([self.conversions, other.conversions]),
            np.concatenate([self.non_conversions, other.non_conversions]),
            np.concatenate([self.values, other.values]),
            self.level if self.level is not None else other.level,
        )

    @property
    def total_conversions(self) -> float:
        """Sum of the conversions."""
        return float(self.conversions.sum())

    @property
    def total_value(self) -> float:
        """Sum of the values."""
        return float(self.values.sum())

    def to_paths(self) -> ConversionPaths:
        """The rows as :class:`ConversionPaths` (one path per row, with its counts)."""
        return ConversionPaths(
            items=self.items,
            offsets=self.offsets,
            codes=self.codes,
            conversions=self.conversions,
            non_conversions=self.non_conversions,
            values=self.values,
            level=self.level,
        )

    def rows(self) -> list[tuple[tuple[str, ...], float, float, float]]:
        """The rows as ``(path, conversions, non_conversions, value)`` tuples."""
        return list(self)

    def __iter__(self) -> Iterator[tuple[tuple[str, ...], float, float, float]]:
        paths = self.to_paths().paths()
        yield from zip(
            paths,
            self.conversions.tolist(),
            self.non_conversions.tolist(),
            self.values.tolist(),
            strict=True,
        )

    def equals(self, other: object) -> bool:
        """Same rows (paths, counts and values exactly).

        >>> rows = [(["a"], 1, 0, 0)]
        >>> PathCounts.from_rows(rows).equals(PathCounts.from_rows(rows))
        True
        """
        if not isinstance(other, PathCounts):
            return False
        return self.items == other.items and all(
            np.array_equal(getattr(self, a), getattr(other, a))
            for a in ("offsets", "codes", "conversions", "non_conversions", "values")
        )

    def to_pandas(self) -> Any:
        """A DataFrame: ``path`` (tuples), ``conversions``, ``non_conversions``, ``value``."""
        return to_pandas(self._columns(), what="PathCounts.to_pandas()")

    def to_polars(self) -> Any:
        """The columns of :meth:`to_pandas` as a polars DataFrame (``path``: a list column).

        >>> PathCounts.from_rows([(["a", "b"], 1, 2, 5.0)]).to_polars().row(0)
        (['a', 'b'], 1.0, 2.0, 5.0)
        """
        return to_polars(self._columns(), what="PathCounts.to_polars()")

    def to_arrow(self) -> Any:
        """The columns of :meth:`to_pandas` as a pyarrow Table (``path``: a list column).

        >>> PathCounts.from_rows([(["a"], 1, 0, 0.0)]).to_arrow().column("path").to_pylist()
        [['a']]
        """
        return to_arrow(self._columns(), what="PathCounts.to_arrow()")

    def _columns(self) -> Columns:
        return {
            "path": self.to_paths().paths(),
            "conversions": self.conversions,
            "non_conversions": self.non_conversions,
            "value": self.values,
        }

    def __repr__(self) -> str:
        return (
            f"<PathCounts: {len(self):,} paths, {len(self.items)} items, "
            f"{self.total_conversions:g} conversions>"
        )


def _lexicographic_order(offsets: _I64, codes: _I32) -> _I64:
    """Order of distinct paths by their code sequences, lexicographically (prefixes first).

    Sorts by windows of positions, only among paths still tied on every
    earlier position, with windows doubling in width: the work is about
    the touches of paths that share prefixes, never a paths x longest-path
    table.
    """
    n_paths = len(offsets) - 1
    order = np.arange(n_paths, dtype=np.int64)
    if n_paths < 2:
        return order
    lengths = np.diff(offsets)
    boundary = np.zeros(n_paths, dtype=np.bool_)  # a new tie group starts at this position
    boundary[0] = True
    active = order.copy()  # positions (in order) of paths still tied with another
    depth, width = 0, 8
    while len(active):
        paths = order[active]
        width = max(1, min(width, int(lengths[paths].max()) - depth + 1))
        pos = depth + np.arange(width, dtype=np.int64)
        inside = pos[None, :] < lengths[paths][:, None]
        at = np.where(inside, offsets[paths][:, None] + pos[None, :], 0)
        window = np.where(inside, codes[at].astype(np.int64), -1)
        group = np.cumsum(boundary)[active]
        sort = np.lexsort(np.vstack([window.T[::-1], group[None, :]]))
        order[active] = paths[sort]
        window, group = window[sort], group[sort]
        new = np.ones(len(active), dtype=np.bool_)
        new[1:] = (group[1:] != group[:-1]) | (window[1:] != window[:-1]).any(axis=1)
        boundary[active] = new
        tie = np.cumsum(boundary)
        size = np.bincount(tie)
        active = np.flatnonzero(size[tie] > 1)
        depth += width
        width *= 2
    return order

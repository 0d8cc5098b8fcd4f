"""EventLog: many observed journeys in immutable numpy columns; Event and Journey for one."""

from __future__ import annotations

import datetime as dt
import itertools
import operator
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from ._codes import MISSING, compact, repeated_events
from ._deprecation import warn_renamed
from ._model import ChannelKind, channel_kind_map
from ._schema import CATEGORICAL, Field, OnError, Rejection, Schema
from ._time import DurationLike, parse_duration, parse_instant, to_datetime
from .exceptions import ConfigError, NotFoundError

if TYPE_CHECKING:
    from ._map import JourneyMap

__all__ = ["Event", "EventLog", "Journey"]

_I32 = npt.NDArray[np.int32]
_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]
_B = npt.NDArray[np.bool_]
_I8 = npt.NDArray[np.int8]


@attrs.frozen
class Event:
    """One observed event of a journey.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([{"journey_id": "j1", "timestamp": "2025-01-01T09:00:00Z",
    ...                               "channel": "email"}])
    >>> e = log.journey("j1").events[0]
    >>> (e.channel, e.timestamp.isoformat(), e.converted)
    ('email', '2025-01-01T09:00:00+00:00', False)
    """

    journey_id: str
    """The journey the event belongs to."""
    index: int
    """Position of the event in its journey (0-based, after sorting)."""
    timestamp: dt.datetime
    """When it happened, in UTC."""
    touchpoint: str | None = None
    """Touchpoint id, if known."""
    channel: str | None = None
    """Channel id, if known."""
    stage: str | None = None
    """Journey stage id, if known."""
    converted: bool = False
    """Whether the event is a conversion."""
    value: float = 0.0
    """Conversion value (revenue)."""
    campaign: str | None = None
    """Campaign id, if known."""
    cost: float = 0.0
    """Cost (spend) attached to the event."""
    segment: str | None = None
    """Segment or persona, if known."""
    account: str | None = None
    """Account (company) id, if known."""
    row: int = 0
    """Position of the row in the input it was read from."""
    impression: bool | None = None
    """True for a view (impression), False for a click, None where the data does not say."""

    @property
    def is_touch(self) -> bool:
        """True when the event has a touchpoint or a channel (it can receive credit)."""
        return self.touchpoint is not None or self.channel is not None


@attrs.frozen
class Journey:
    """One observed journey: its events in order. For inspection, not for bulk work.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j1", "timestamp": "2025-01-01T09:00:00Z", "channel": "ads"},
    ...     {"journey_id": "j1", "timestamp": "2025-01-03T09:00:00Z", "channel": "email",
    ...      "converted": True, "value": 120.0},
    ... ])
    >>> j = log.journey("j1")
    >>> (len(j), j.channels, j.converted, j.value, j.duration.days)
    (2, ('ads', 'email'), True, 120.0, 2)
    >>> j.start
    datetime.datetime(2025, 1, 1, 9, 0, tzinfo=datetime.timezone.utc)
    """

    id: str
    """The journey id."""
    events: tuple[Event, ...]
    """Events sorted by time, then input order."""

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    @property
    def converted(self) -> bool:
        """Whether any event is a conversion."""
        return any(e.converted for e in self.events)

    @property
    def conversions(self) -> int:
        """Number of conversion events."""
        return sum(e.converted for e in self.events)

    @property
    def value(self) -> float:
        """Total value of the conversion events."""
        return float(sum(e.value for e in self.events if e.converted))

    @property
    def start(self) -> dt.datetime:
        """Time of the first event (an aware UTC :class:`datetime.datetime`)."""
        return _utc_datetime(self.events[0].timestamp)

    @property
    def end(self) -> dt.datetime:
        """Time of the last event (an aware UTC :class:`datetime.datetime`)."""
        return _utc_datetime(self.events[-1].timestamp)

    @property
    def duration(self) -> dt.timedelta:
        """Time from the first to the last event."""
        return self.end - self.start

    @property
    def channels(self) -> tuple[str | None, ...]:
        """Channel of each event, in order."""
        return tuple(e.channel for e in self.events)

    @property
    def touchpoints(self) -> tuple[str | None, ...]:
        """Touchpoint of each event, in order."""
        return tuple(e.touchpoint for e in self.events)

    @property
    def stages(self) -> tuple[str | None, ...]:
        """Stage of each event, in order."""
        return tuple(e.stage for e in self.events)


def impression_values(flags: _I8) -> list[bool | None]:
    """The flags as Python values: True (view), False (click), None (not stated)."""
    table: list[bool | None] = [False, True, None]
    return [table[c] for c in flags.tolist()]


def _utc_datetime(t: dt.datetime) -> dt.datetime:
    """``t`` as a plain :class:`datetime.datetime` in UTC (not a pendulum subclass)."""
    u = t.astimezone(dt.UTC)
    return dt.datetime(
        u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=dt.UTC
    )


def _readonly(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a.setflags(write=False)
    return a


def _compact(a: npt.NDArray[Any], fill: float) -> npt.NDArray[Any]:
    """``a`` itself, or when every element is ``fill`` a read-only stride-0 view of one value.

    Absent columns (no touchpoints, no costs, ...) then cost a few bytes
    instead of one element per event, and still read as the full column.
    """
    if len(a) == 0 or a.strides == (0,) or bool((a != fill).any()):
        return a
    return np.broadcast_to(np.array(fill, dtype=a.dtype), a.shape)


def _storage_bytes(a: npt.NDArray[Any]) -> int:
    """Bytes an array's data actually occupies (a stride-0 view: one element)."""
    return a.itemsize if a.ndim == 1 and a.strides == (0,) and len(a) else a.nbytes


_SPARSE_COLUMNS: Final = (
    ("touchpoint_codes", -1),
    ("channel_codes", -1),
    ("stage_codes", -1),
    ("campaign_codes", -1),
    ("segment_codes", -1),
    ("account_codes", -1),
    ("values", 0.0),
    ("costs", 0.0),
    ("impressions", -1),
)


def _is_sorted(journey: npt.NDArray[np.integer[Any]], timestamps: _I64, rows: _I64) -> bool:
    """Whether events are already ordered by journey, then timestamp, then input row."""
    if len(rows) < 2:
        return True
    j0, j1 = journey[:-1], journey[1:]
    if not bool(np.all(j1 >= j0)):
        return False
    t0, t1 = timestamps[:-1], timestamps[1:]
    later = (t1 > t0) | ((t1 == t0) & (rows[1:] > rows[:-1]))
    return bool(np.all((j1 > j0) | later))


def _log_order(
    journey: npt.NDArray[np.integer[Any]], timestamps: _I64, rows: _I64, n_journeys: int
) -> _I64 | None:
    """The permutation that sorts events by (journey, timestamp, input row); None if sorted."""
    if _is_sorted(journey, timestamps, rows):
        return None  # already in log order (sorted files, generated data): no sort
    if not bool(np.all(rows[1:] > rows[:-1])):
        return np.lexsort((rows, timestamps, journey))
    # input order breaks ties, so a stable sort by (journey, timestamp) suffices; one
    # argsort of a packed int64 key beats lexsort when journey and time span fit in 62 bits
    t_min = int(timestamps.min())
    time_bits = (int(timestamps.max()) - t_min).bit_length()
    if time_bits + max(n_journeys - 1, 1).bit_length() <= 62:
        key = (journey.astype(np.int64) << time_bits) | (timestamps - t_min)
        return _argsort_stable(key)
    return np.lexsort((timestamps, journey))


def _argsort_stable(key: _I64) -> _I64:
    """``np.argsort(key, kind="stable")``, about three times faster on a million keys: an
    unstable sort, then each run of equal keys (rare: events at the same microsecond)
    put back in input order."""
    order: _I64 = np.argsort(key)
    ranked = key[order]
    tie = ranked[1:] == ranked[:-1]
    del ranked
    n_ties = int(np.count_nonzero(tie))
    if not n_ties:
        return order
    if n_ties > len(key) // 32:  # many ties (coarse timestamps): the stable sort is faster
        stable: _I64 = np.argsort(key, kind="stable")
        return stable
    in_run = np.zeros(len(key), dtype=np.bool_)
    in_run[1:] |= tie
    in_run[:-1] |= tie
    run = np.cumsum(np.concatenate(([True], ~tie)))  # one number per run of equal keys
    at = np.flatnonzero(in_run)
    sub = order[at]
    order[at] = sub[np.lexsort((sub, run[at]))]
    return order


@attrs.frozen(eq=False, repr=False)
class EventLog:
    """Many observed journeys in immutable numpy columns.

    Events are sorted by journey id, then timestamp, then input order (a
    stable sort, so events with equal timestamps keep the order they had in
    the input; :attr:`ties` counts such pairs). Categorical fields are
    ``int32`` codes into sorted tuples of names, ``-1`` where missing;
    timestamps are ``int64`` microseconds since the Unix epoch, UTC.

    Build one with :meth:`from_records`, :func:`touchpath.read_csv`,
    :func:`touchpath.read_jsonl`, :func:`touchpath.read_parquet`,
    :meth:`from_pandas`, :meth:`from_polars` or :meth:`from_arrow` (Arrow
    streams, DuckDB relations).

    >>> log = EventLog.from_records([
    ...     {"journey_id": "b", "timestamp": "2025-01-02T00:00:00Z", "channel": "email"},
    ...     {"journey_id": "a", "timestamp": "2025-01-01T00:00:00Z", "channel": "search"},
    ...     {"journey_id": "b", "timestamp": "2025-01-01T00:00:00Z", "channel": "search",
    ...      "converted": "no"},
    ... ])
    >>> (len(log), log.n_events, log.journey_ids.tolist(), log.channel_ids)
    (2, 3, ['a', 'b'], ('email', 'search'))
    >>> log.channel_codes.tolist(), log.offsets.tolist()
    ([1, 1, 0], [0, 1, 3])
    """

    journey_ids: npt.NDArray[np.object_]
    """Journey ids (``str``), sorted; journey ``j`` owns events ``offsets[j]:offsets[j+1]``."""
    offsets: _I64
    """Start of each journey's events, plus the total at the end (length ``len(log) + 1``)."""
    timestamps: _I64
    """Event times: int64 microseconds since 1970-01-01 UTC."""
    touchpoint_codes: _I32
    """Touchpoint of each event, as a code into :attr:`touchpoint_ids` (-1: none)."""
    channel_codes: _I32
    """Channel of each event, as a code into :attr:`channel_ids` (-1: none)."""
    stage_codes: _I32
    """Stage of each event, as a code into :attr:`stage_ids` (-1: none)."""
    campaign_codes: _I32
    """Campaign of each event, as a code into :attr:`campaign_ids` (-1: none)."""
    segment_codes: _I32
    """Segment of each event, as a code into :attr:`segment_ids` (-1: none)."""
    account_codes: _I32
    """Account of each event, as a code into :attr:`account_ids` (-1: none)."""
    touchpoint_ids: tuple[str, ...]
    """Distinct touchpoint ids, sorted."""
    channel_ids: tuple[str, ...]
    """Distinct channel ids, sorted."""
    stage_ids: tuple[str, ...]
    """Distinct stage ids, sorted."""
    campaign_ids: tuple[str, ...]
    """Distinct campaign ids, sorted."""
    segment_ids: tuple[str, ...]
    """Distinct segments, sorted."""
    account_ids: tuple[str, ...]
    """Distinct account ids, sorted."""
    converted: _B
    """Whether each event is a conversion."""
    values: _F64
    """Conversion value of each event (0 where none)."""
    costs: _F64
    """Cost of each event (0 where none)."""
    rows: _I64
    """Position of each event's row in the input it was read from."""
    rejected: tuple[Rejection, ...] = ()
    """Input rows that were not used, with reasons (``on_error="collect"``)."""
    rows_read: int = 0
    """Rows read from the input; ``n_events + len(rejected)`` for a freshly read log."""
    source: str | None = None
    """Where the data came from (a file name), when known."""
    channel_kinds: Mapping[str, ChannelKind] = attrs.field(factory=dict, converter=channel_kind_map)
    """The data's own channel kinds (e.g. which channels are direct), when given with
    :meth:`with_channel_kinds`; they take precedence over a map's."""
    impressions: _I8 = attrs.field(factory=lambda: np.zeros(0, dtype=np.int8), kw_only=True)
    """Touch kind of each event: 1 a view (impression), 0 a click, -1 not stated (see
    :attr:`~touchpath.Schema.impression`); empty when given: none stated."""

    _event_journey: _I64 = attrs.field(init=False)
    _id_index: dict[str, int] | None = attrs.field(init=False, default=None)

    def __attrs_post_init__(self) -> None:
        if len(self.impressions) != len(self.timestamps):
            if len(self.impressions):
                raise ConfigError(
                    f"'impressions' must have one flag per event ({len(self.timestamps)}); "
                    f"got {len(self.impressions)}"
                )
            unstated = np.full(len(self.timestamps), -1, dtype=np.int8)
            object.__setattr__(self, "impressions", _readonly(unstated))
        for name, fill in _SPARSE_COLUMNS:
            object.__setattr__(self, name, _compact(getattr(self, name), fill))
        lengths = np.diff(self.offsets)
        object.__setattr__(
            self,
            "_event_journey",
            _readonly(np.repeat(np.arange(len(self.journey_ids), dtype=np.int64), lengths)),
        )

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def _from_unsorted(
        cls,
        *,
        journey_codes: npt.NDArray[np.integer[Any]],
        journey_ids: Sequence[str],
        timestamps: _I64,
        categorical: Mapping[Field, tuple[_I32, tuple[str, ...]]],
        converted: _B,
        value: _F64,
        cost: _F64,
        rows: _I64,
        impression: _I8 | None = None,
        rejected: tuple[Rejection, ...] = (),
        rows_read: int | None = None,
        source: str | None = None,
        copy: bool = True,
        in_order: bool = False,
    ) -> EventLog:
        """Sort validated columns by (journey, timestamp, input order) and wrap them.

        ``journey_codes`` may be any integer dtype. With ``copy=False`` the caller
        hands its arrays over: when they are already in order they become the
        log's (read-only) columns without a copy. ``in_order=True``: the caller has
        sorted them already (with :func:`_log_order`), so they are not checked again.
        """
        order = None if in_order else _log_order(journey_codes, timestamps, rows, len(journey_ids))
        counts = np.bincount(journey_codes, minlength=len(journey_ids))
        offsets = np.zeros(len(journey_ids) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        ids = np.empty(len(journey_ids), dtype=object)
        ids[:] = list(journey_ids)

        def take(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
            if order is not None:
                return _readonly(a[order])
            # unless handed over, a new array: the caller's stay writeable and unshared
            return _readonly(np.array(a) if copy else a)

        cat = {
            f: (take(codes.astype(np.int32, copy=False)), names)
            for f, (codes, names) in categorical.items()
        }
        return cls(
            journey_ids=_readonly(ids),
            offsets=_readonly(offsets),
            timestamps=take(timestamps.astype(np.int64, copy=False)),
            touchpoint_codes=cat[Field.TOUCHPOINT][0],
            channel_codes=cat[Field.CHANNEL][0],
            stage_codes=cat[Field.STAGE][0],
            campaign_codes=cat[Field.CAMPAIGN][0],
            segment_codes=cat[Field.SEGMENT][0],
            account_codes=cat[Field.ACCOUNT][0],
            touchpoint_ids=cat[Field.TOUCHPOINT][1],
            channel_ids=cat[Field.CHANNEL][1],
            stage_ids=cat[Field.STAGE][1],
            campaign_ids=cat[Field.CAMPAIGN][1],
            segment_ids=cat[Field.SEGMENT][1],
            account_ids=cat[Field.ACCOUNT][1],
            converted=take(converted.astype(np.bool_, copy=False)),
            values=take(value.astype(np.float64, copy=False)),
            costs=take(cost.astype(np.float64, copy=False)),
            rows=take(rows.astype(np.int64, copy=False)),
            impressions=(
                np.zeros(0, dtype=np.int8)
                if impression is None
                else take(impression.astype(np.int8, copy=False))
            ),
            rejected=rejected,
            rows_read=len(rows) + len(rejected) if rows_read is None else rows_read,
            source=source,
        )

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        *,
        schema: Schema | None = None,
        journey_map: JourneyMap | None = None,
        timezone: str | dt.tzinfo | None = None,
        on_error: OnError = "raise",
        source: str | None = None,
    ) -> EventLog:
        """Build a log from mappings (dicts), one per event.

        Only the journey id and timestamp are required, plus one of
        touchpoint, channel or stage; ``schema`` maps other column names. With
        ``journey_map``, an event whose touchpoint the map knows gets the
        touchpoint's channel and stage where the row leaves them empty.
        Naive timestamps are refused unless ``timezone`` names their zone.

        >>> log = EventLog.from_records(
        ...     [{"user": "u1", "ts": 1735689600, "utm": "ads"},
        ...      {"user": "u1", "ts": "oops", "utm": "email"}],
        ...     schema=Schema(journey_id="user", timestamp="ts", channel="utm"),
        ...     on_error="collect")
        >>> (log.n_events, log.rows_read, log.rejected[0].reason)
        (1, 2, 'not an ISO-8601 timestamp')
        """
        from ._ingest import build_log

        schema = schema or Schema()
        recs = records if isinstance(records, list | tuple) else list(records)
        fields = schema.columns()
        all_dicts = set(map(type, recs)) <= {dict}
        if not all_dicts:
            for i, rec in enumerate(recs):
                if not isinstance(rec, Mapping):
                    from .exceptions import SchemaError

                    raise SchemaError(
                        f"each record must be a mapping (got a {type(rec).__name__})",
                        source=f"{source} row {i}" if source else f"row {i}",
                    )
        seen: set[Any] = set().union(*recs)
        if not recs:  # no rows, no columns to look for: an empty log
            seen = set(fields)
        columns: dict[Field, list[Any]] = {}
        for column, field in fields.items():
            if column in seen:
                if all_dicts:
                    try:  # every record has the key: itemgetter is the fastest lookup
                        columns[field] = list(map(operator.itemgetter(column), recs))
                    except KeyError:
                        columns[field] = list(map(dict.get, recs, itertools.repeat(column)))
                else:
                    columns[field] = [rec.get(column) for rec in recs]
        return build_log(
            columns,
            len(recs),
            source=source,
            journey_map=journey_map,
            timezone=timezone,
            on_error=on_error,
            schema=schema,
            present=sorted(map(str, seen)),
        )

    @classmethod
    def from_pandas(cls, df: Any, **options: Any) -> EventLog:
        """Build a log from a pandas DataFrame (needs ``touchpath[pandas]``).

        Options are those of :meth:`from_records`.
        """
        from .io._frames import from_pandas

        return from_pandas(df, **options)

    @classmethod
    def from_polars(cls, df: Any, **options: Any) -> EventLog:
        """Build a log from a polars DataFrame (needs ``touchpath[polars]``)."""
        from .io._frames import from_polars

        return from_polars(df, **options)

    @classmethod
    def from_arrow(cls, table: Any, **options: Any) -> EventLog:
        """Build a log from Arrow data (needs ``touchpath[arrow]``): a pyarrow Table or
        RecordBatchReader, a Dataset, a polars frame, a DuckDB relation, or anything with
        ``__arrow_c_stream__``, read one record batch at a time (see
        :func:`touchpath.io.from_arrow`)."""
        from .io._stream import from_arrow

        return from_arrow(table, **options)

    def to_pandas(self) -> Any:
        """The events as a pandas DataFrame with the default column names."""
        from .io._frames import to_pandas

        return to_pandas(self)

    def to_polars(self) -> Any:
        """The events as a polars DataFrame with the default column names."""
        from .io._frames import to_polars

        return to_polars(self)

    def to_arrow(self) -> Any:
        """The events as a pyarrow Table with the default column names."""
        from .io._frames import to_arrow

        return to_arrow(self)

    def to_records(self) -> list[dict[str, Any]]:
        """The events as dicts with the default column names; ``from_records`` reads them back.

        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "a"}])
        >>> rec = log.to_records()[0]
        >>> (rec["journey_id"], rec["stage"], rec["timestamp"].isoformat(), rec["channel"])
        ('j', 'a', '1970-01-01T00:00:00+00:00', None)
        >>> EventLog.from_records(log.to_records()).equals(log)
        True
        """
        cols = self._decoded_columns()
        n = self.n_events
        keys = [f.value for f in Field if f.value in cols]
        return [{k: cols[k][i] for k in keys} for i in range(n)]

    def _decoded_columns(self) -> dict[str, list[Any]]:
        """Every field as a Python list (timestamps as aware UTC datetimes)."""
        out: dict[str, list[Any]] = {
            Field.JOURNEY_ID.value: self.journey_ids[self._event_journey].tolist(),
            Field.TIMESTAMP.value: [to_datetime(t) for t in self.timestamps.tolist()],
            Field.CONVERTED.value: self.converted.tolist(),
            Field.VALUE.value: self.values.tolist(),
            Field.COST.value: self.costs.tolist(),
        }
        for f in CATEGORICAL:
            codes, names = self.codes_and_names(f)
            table = [*names, None]
            out[f.value] = [table[c] for c in codes.tolist()]
        if self.has_impressions:  # absent unless stated somewhere
            out[Field.IMPRESSION.value] = impression_values(self.impressions)
        return out

    @property
    def touchpoints(self) -> tuple[str, ...]:
        """Deprecated name of :attr:`touchpoint_ids`."""
        warn_renamed("EventLog.touchpoints", "EventLog.touchpoint_ids")
        return self.touchpoint_ids

    @property
    def channels(self) -> tuple[str, ...]:
        """Deprecated name of :attr:`channel_ids`."""
        warn_renamed("EventLog.channels", "EventLog.channel_ids")
        return self.channel_ids

    @property
    def stages(self) -> tuple[str, ...]:
        """Deprecated name of :attr:`stage_ids`."""
        warn_renamed("EventLog.stages", "EventLog.stage_ids")
        return self.stage_ids

    @property
    def campaigns(self) -> tuple[str, ...]:
        """Deprecated name of :attr:`campaign_ids`."""
        warn_renamed("EventLog.campaigns", "EventLog.campaign_ids")
        return self.campaign_ids

    @property
    def segments(self) -> tuple[str, ...]:
        """Deprecated name of :attr:`segment_ids`."""
        warn_renamed("EventLog.segments", "EventLog.segment_ids")
        return self.segment_ids

    @property
    def accounts(self) -> tuple[str, ...]:
        """Deprecated name of :attr:`account_ids`."""
        warn_renamed("EventLog.accounts", "EventLog.account_ids")
        return self.account_ids

    # -- size and navigation -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.journey_ids)

    @property
    def n_events(self) -> int:
        """Number of events."""
        return len(self.timestamps)

    @property
    def has_impressions(self) -> bool:
        """Whether any event states its touch kind (view or click); see :attr:`impressions`.

        >>> EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "x",
        ...                         "impression": "view"}]).has_impressions
        True
        """
        return bool(len(self.impressions)) and bool((self.impressions >= 0).any())

    @property
    def event_journey(self) -> _I64:
        """For each event, the index of its journey (``0 .. len(log)-1``)."""
        return self._event_journey

    @property
    def journey_lengths(self) -> _I64:
        """Number of events of each journey."""
        return np.diff(self.offsets)

    def codes_and_names(self, field: Field) -> tuple[_I32, tuple[str, ...]]:
        """The code array and dictionary of a categorical field.

        >>> from touchpath._schema import Field
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "a"}])
        >>> log.codes_and_names(Field.STAGE)
        (array([0], dtype=int32), ('a',))
        """
        pairs: dict[Field, tuple[_I32, tuple[str, ...]]] = {
            Field.TOUCHPOINT: (self.touchpoint_codes, self.touchpoint_ids),
            Field.CHANNEL: (self.channel_codes, self.channel_ids),
            Field.STAGE: (self.stage_codes, self.stage_ids),
            Field.CAMPAIGN: (self.campaign_codes, self.campaign_ids),
            Field.SEGMENT: (self.segment_codes, self.segment_ids),
            Field.ACCOUNT: (self.account_codes, self.account_ids),
        }
        try:
            return pairs[field]
        except KeyError:
            raise ConfigError(
                f"{field!r} is not a categorical field; use one of {[f.value for f in pairs]}"
            ) from None

    def journey_index(self, journey_id: str) -> int:
        """Position of a journey in the log; unknown ids raise ``NotFoundError``."""
        index = self._id_index
        if index is None:
            index = {j: i for i, j in enumerate(self.journey_ids.tolist())}
            object.__setattr__(self, "_id_index", index)
        try:
            return index[journey_id]
        except (KeyError, TypeError):
            raise NotFoundError(
                "journey", journey_id, choices=self.journey_ids[:20].tolist()
            ) from None

    def journey(self, journey_id: str) -> Journey:
        """One journey as a frozen :class:`Journey` of :class:`Event` objects."""
        return self.journey_at(self.journey_index(journey_id))

    def journey_at(self, index: int) -> Journey:
        """The journey at a position (0-based)."""
        if not -len(self) <= index < len(self):
            raise NotFoundError("journey position", index)
        index %= len(self)
        start, stop = int(self.offsets[index]), int(self.offsets[index + 1])
        jid = str(self.journey_ids[index])

        def name(codes: _I32, names: tuple[str, ...], i: int) -> str | None:
            c = int(codes[i])
            return None if c == MISSING else names[c]

        events = tuple(
            Event(
                journey_id=jid,
                index=i - start,
                timestamp=to_datetime(int(self.timestamps[i])),
                touchpoint=name(self.touchpoint_codes, self.touchpoint_ids, i),
                channel=name(self.channel_codes, self.channel_ids, i),
                stage=name(self.stage_codes, self.stage_ids, i),
                converted=bool(self.converted[i]),
                value=float(self.values[i]),
                campaign=name(self.campaign_codes, self.campaign_ids, i),
                cost=float(self.costs[i]),
                segment=name(self.segment_codes, self.segment_ids, i),
                account=name(self.account_codes, self.account_ids, i),
                row=int(self.rows[i]),
                impression=None if self.impressions[i] < 0 else bool(self.impressions[i]),
            )
            for i in range(start, stop)
        )
        return Journey(jid, events)

    def __iter__(self) -> Iterator[Journey]:
        for i in range(len(self)):
            yield self.journey_at(i)

    def __contains__(self, journey_id: object) -> bool:
        try:
            self.journey_index(journey_id)  # type: ignore[arg-type]
        except NotFoundError:
            return False
        return True

    # -- derived facts --------------------------------------------------------------------------

    @property
    def ties(self) -> int:
        """Pairs of consecutive events in a journey with equal timestamps (ordered by input).

        >>> log = EventLog.from_records([
        ...     {"journey_id": "j", "timestamp": 5, "channel": "a"},
        ...     {"journey_id": "j", "timestamp": 5, "channel": "b"}])
        >>> log.ties
        1
        """
        return int(np.count_nonzero(self._tied()))

    def _tied(self) -> _B:
        """Per event but the first: whether it has its predecessor's journey and timestamp."""
        same_journey = self._event_journey[1:] == self._event_journey[:-1]
        tied: _B = same_journey & (self.timestamps[1:] == self.timestamps[:-1])
        return tied

    def _duplicate_mask(self) -> _B:
        """Events equal to an earlier event in journey, time, touchpoint, channel and stage."""
        return repeated_events(
            self._event_journey,
            self.timestamps,
            self.touchpoint_codes,
            self.channel_codes,
            self.stage_codes,
        )

    @property
    def duplicates(self) -> int:
        """Events that repeat an earlier event's journey, time, touchpoint, channel and stage.

        >>> log = EventLog.from_records([
        ...     {"journey_id": "j", "timestamp": 5, "channel": "a"},
        ...     {"journey_id": "j", "timestamp": 5, "channel": "a"}])
        >>> (log.duplicates, log.drop_duplicates().n_events)
        (1, 1)
        """
        return int(np.count_nonzero(self._duplicate_mask()))

    def drop_duplicates(self) -> EventLog:
        """A log without the events counted by :attr:`duplicates` (the first of each is kept)."""
        return self._take_events(~self._duplicate_mask())

    @property
    def journey_converted(self) -> _B:
        """Whether each journey has at least one conversion event."""
        return (
            np.logical_or.reduceat(self.converted, self.offsets[:-1])
            if len(self)
            else np.zeros(0, np.bool_)
        )

    @property
    def start(self) -> dt.datetime | None:
        """Time of the earliest event (None for an empty log)."""
        return to_datetime(int(self.timestamps.min())) if self.n_events else None

    @property
    def end(self) -> dt.datetime | None:
        """Time of the latest event (None for an empty log)."""
        return to_datetime(int(self.timestamps.max())) if self.n_events else None

    def with_channel_kinds(self, kinds: Mapping[str, ChannelKind | str]) -> EventLog:
        """The same log with the data's channel kinds (``{"direct": "direct"}``), so that
        last-non-direct knows the data's direct channels without a map.

        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "tv"}])
        >>> log.with_channel_kinds({"tv": "direct"}).channel_kinds
        {'tv': <ChannelKind.DIRECT: 'direct'>}
        """
        return attrs.evolve(self, channel_kinds={**self.channel_kinds, **channel_kind_map(kinds)})

    # -- subsets and combinations -------------------------------------------------------------

    def _take_events(self, mask: _B) -> EventLog:
        """A log of the events where mask is True (journeys left with no event disappear)."""

        if mask.all():
            return self
        j = self._event_journey[mask]
        used = np.unique(j)
        remap = np.full(len(self) + 1, MISSING, dtype=np.int64)
        remap[used] = np.arange(len(used))
        cats = {f: compact(c[mask], names) for f, (c, names) in self._categorical().items()}
        return EventLog._from_unsorted(
            journey_codes=remap[j],
            journey_ids=self.journey_ids[used].tolist(),
            timestamps=self.timestamps[mask],
            categorical=cats,
            converted=self.converted[mask],
            value=self.values[mask],
            cost=self.costs[mask],
            impression=self.impressions[mask],
            rows=self.rows[mask],
            rows_read=int(np.count_nonzero(mask)),
            source=self.source,
        ).with_channel_kinds(self.channel_kinds)

    def _categorical(self) -> dict[Field, tuple[_I32, tuple[str, ...]]]:
        return {f: self.codes_and_names(f) for f in CATEGORICAL}

    def select(self, journeys: Iterable[str] | _B) -> EventLog:
        """A log of some journeys: a boolean mask over journeys, or journey ids.

        >>> log = EventLog.from_records([
        ...     {"journey_id": "a", "timestamp": 0, "channel": "x"},
        ...     {"journey_id": "b", "timestamp": 0, "channel": "y"}])
        >>> log.select(["b"]).journey_ids.tolist(), log.select(["b"]).channel_ids
        (['b'], ('y',))
        """
        if isinstance(journeys, np.ndarray) and journeys.dtype == np.bool_:
            if journeys.shape != (len(self),):
                raise ConfigError(
                    f"a journey mask must have one entry per journey ({len(self)}); "
                    f"got shape {journeys.shape}"
                )
            jmask = journeys
        else:
            jmask = np.zeros(len(self), dtype=np.bool_)
            for jid in journeys:
                jmask[self.journey_index(jid)] = True
        return self._take_events(jmask[self._event_journey])

    def filter(
        self,
        *,
        segment: str | Iterable[str] | None = None,
        account: str | Iterable[str] | None = None,
        start: Any = None,
        end: Any = None,
    ) -> EventLog:
        """Journeys of some segments or accounts, and/or the events in a time window.

        ``segment`` and ``account`` keep whole journeys that have an event
        with one of the given values; ``start`` (inclusive) and ``end``
        (exclusive) keep the events in that window (aware datetimes or ISO
        text).

        >>> log = EventLog.from_records([
        ...     {"journey_id": "a", "timestamp": "2025-01-01T00:00:00Z", "channel": "x",
        ...      "segment": "smb"},
        ...     {"journey_id": "a", "timestamp": "2025-02-01T00:00:00Z", "channel": "y"},
        ...     {"journey_id": "b", "timestamp": "2025-01-05T00:00:00Z", "channel": "y",
        ...      "segment": "enterprise"}])
        >>> log.filter(segment="smb").journey_ids.tolist()
        ['a']
        >>> log.filter(end="2025-01-31T00:00:00Z").n_events
        2
        """

        mask = np.ones(self.n_events, dtype=np.bool_)
        for value, field in ((segment, Field.SEGMENT), (account, Field.ACCOUNT)):
            if value is None:
                continue
            wanted = {value} if isinstance(value, str) else set(value)
            codes, names = self.codes_and_names(field)
            hit_codes = [i for i, n in enumerate(names) if n in wanted]
            ev_hit = np.isin(codes, np.asarray(hit_codes, dtype=np.int32))
            jhit = np.zeros(len(self), dtype=np.bool_)
            jhit[self._event_journey[ev_hit]] = True
            mask &= jhit[self._event_journey]
        for bound, is_start in ((start, True), (end, False)):
            if bound is None:
                continue
            t = parse_instant(bound, "start" if is_start else "end")
            mask &= (self.timestamps >= t) if is_start else (self.timestamps < t)
        return self._take_events(mask)

    @classmethod
    def concat(cls, logs: Sequence[EventLog]) -> EventLog:
        """One log of the events of several (events of the same journey id are merged).

        Input order continues across the logs: ties between logs keep the
        order of ``logs``.

        >>> a = EventLog.from_records([{"journey_id": "j", "timestamp": 1, "channel": "x"}])
        >>> b = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "y"}])
        >>> EventLog.concat([a, b]).journey("j").channels
        ('y', 'x')
        """
        if not logs:
            raise ConfigError("concat needs at least one EventLog; got none")
        ids = sorted(set().union(*(log.journey_ids.tolist() for log in logs)))
        position = {j: i for i, j in enumerate(ids)}
        jcodes: list[_I64] = []
        rows: list[_I64] = []
        base = 0
        for log in logs:
            remap = np.array([position[j] for j in log.journey_ids.tolist()], dtype=np.int64)
            jcodes.append(remap[log._event_journey] if len(remap) else np.zeros(0, np.int64))
            rows.append(log.rows + base)
            base += max(log.rows_read, int(log.rows.max()) + 1 if log.n_events else 0)
        cats: dict[Field, tuple[_I32, tuple[str, ...]]] = {}
        for f in CATEGORICAL:
            pairs = [log.codes_and_names(f) for log in logs]
            names = sorted(set().union(*(set(n) for _, n in pairs)))
            pos = {n: i for i, n in enumerate(names)}
            parts = []
            for codes, old in pairs:
                table = np.array([pos[n] for n in old] + [MISSING], dtype=np.int32)
                parts.append(table[codes])
            cats[f] = (np.concatenate(parts), tuple(names))
        return EventLog._from_unsorted(
            journey_codes=np.concatenate(jcodes),
            journey_ids=ids,
            timestamps=np.concatenate([log.timestamps for log in logs]),
            categorical=cats,
            converted=np.concatenate([log.converted for log in logs]),
            value=np.concatenate([log.values for log in logs]),
            cost=np.concatenate([log.costs for log in logs]),
            impression=np.concatenate([log.impressions for log in logs]),
            rows=np.concatenate(rows),
            rejected=tuple(r for log in logs for r in log.rejected),
            rows_read=sum(log.rows_read for log in logs),
            source=None,
        ).with_channel_kinds({c: k for log in logs for c, k in log.channel_kinds.items()})

    def split_conversions(self, lookback: DurationLike | None = None) -> EventLog:
        """One journey per conversion path.

        A journey is cut after each conversion event: every conversion ends
        a path holding the events since the previous conversion, and events
        after the last conversion form a final, non-converting path. A
        journey with more than one path gets ids ``"<id>#1"``, ``"<id>#2"``,
        ...; others keep their id. Ids stay unique: if ``"<id>#1"`` already names
        another journey, the paths take ``"<id>##1"``, ... (as many ``#`` as
        needed). With ``lookback`` (``"30 days"``, a timedelta, ...), events
        earlier than that before the end of their path are dropped.

        >>> log = EventLog.from_records([
        ...     {"journey_id": "j", "timestamp": "2025-01-01T00:00:00Z", "channel": "ads"},
        ...     {"journey_id": "j", "timestamp": "2025-01-02T00:00:00Z", "channel": "email",
        ...      "converted": True},
        ...     {"journey_id": "j", "timestamp": "2025-03-01T00:00:00Z", "channel": "ads"},
        ...     {"journey_id": "j", "timestamp": "2025-03-02T00:00:00Z", "channel": "seo",
        ...      "converted": True}])
        >>> paths = log.split_conversions()
        >>> [(j.id, j.channels) for j in paths]
        [('j#1', ('ads', 'email')), ('j#2', ('ads', 'seo'))]
        >>> log.split_conversions(lookback="12 hours").n_events
        2
        """
        if self.n_events == 0:
            return self
        conv = self.converted.astype(np.int64)
        cum = np.cumsum(conv)
        starts = self.offsets[:-1]
        before_journey = (cum - conv)[starts] if len(starts) else np.zeros(0, np.int64)
        # path number within the journey: conversions strictly before this event
        path_no = (cum - conv) - np.repeat(before_journey, np.diff(self.offsets))
        # a trailing path exists unless the journey's last event is a conversion
        last = self.offsets[1:] - 1
        n_conv = np.add.reduceat(conv, starts)
        n_paths = n_conv + (~self.converted[last]).astype(np.int64)
        # global path key: journey-major, then path number
        path_base = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum(n_paths, out=path_base[1:])
        key_new = path_base[self._event_journey] + path_no
        mask = np.ones(self.n_events, dtype=np.bool_)
        if lookback is not None:
            window = parse_duration(lookback, name="lookback")
            path_end = np.zeros(int(path_base[-1]), dtype=np.int64)
            np.maximum.at(path_end, key_new, self.timestamps)
            mask = self.timestamps >= path_end[key_new] - window
        ids_old = self.journey_ids.tolist()
        counts = n_paths.tolist()
        taken = {i for i, n in zip(ids_old, counts, strict=True) if n == 1}
        new_ids: list[str] = []
        for j, n in enumerate(counts):
            if n == 1:
                new_ids.append(ids_old[j])
                continue
            sep = "#"
            while any(f"{ids_old[j]}{sep}{k}" in taken for k in range(1, n + 1)):
                sep += "#"  # "c#1" is already a journey: "c##1", ...
            made = [f"{ids_old[j]}{sep}{k}" for k in range(1, n + 1)]
            taken.update(made)
            new_ids.extend(made)
        # keep journey-major order: sort the new ids but remember the natural order
        order = sorted(range(len(new_ids)), key=new_ids.__getitem__)
        rank = np.empty(len(new_ids), dtype=np.int64)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(len(new_ids))
        codes = rank[key_new]
        kept_paths = np.unique(codes[mask])
        remap = np.full(len(new_ids), MISSING, dtype=np.int64)
        remap[kept_paths] = np.arange(len(kept_paths))
        sorted_ids = [new_ids[i] for i in order]

        cats = {f: compact(c[mask], names) for f, (c, names) in self._categorical().items()}
        return EventLog._from_unsorted(
            journey_codes=remap[codes[mask]],
            journey_ids=[sorted_ids[i] for i in kept_paths.tolist()],
            timestamps=self.timestamps[mask],
            categorical=cats,
            converted=self.converted[mask],
            value=self.values[mask],
            cost=self.costs[mask],
            impression=self.impressions[mask],
            rows=self.rows[mask],
            rows_read=int(np.count_nonzero(mask)),
            source=self.source,
        ).with_channel_kinds(self.channel_kinds)

    # -- comparison and display ---------------------------------------------------------------

    def equals(self, other: object) -> bool:
        """Same journeys and events with the same values (input positions aside).

        >>> a = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "x"}])
        >>> b = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "x"}])
        >>> a.equals(b), a == b
        (True, False)
        """
        if not isinstance(other, EventLog):
            return False
        if self.journey_ids.tolist() != other.journey_ids.tolist():
            return False
        arrays = (
            "offsets",
            "timestamps",
            "touchpoint_codes",
            "channel_codes",
            "stage_codes",
            "campaign_codes",
            "segment_codes",
            "account_codes",
            "converted",
            "values",
            "costs",
            "impressions",
        )
        names = (
            "touchpoint_ids",
            "channel_ids",
            "stage_ids",
            "campaign_ids",
            "segment_ids",
            "account_ids",
        )
        return all(np.array_equal(getattr(self, a), getattr(other, a)) for a in arrays) and all(
            getattr(self, n) == getattr(other, n) for n in names
        )

    def __repr__(self) -> str:
        span = ""
        if self.n_events:
            assert self.start is not None
            assert self.end is not None
            span = f", {self.start.date().isoformat()} to {self.end.date().isoformat()}"
        rej = f", {len(self.rejected)} rejected rows" if self.rejected else ""
        return (
            f"<EventLog: {len(self):,} journeys, {self.n_events:,} events, "
            f"{len(self.channel_ids)} channels, {len(self.stage_ids)} stages{span}{rej}>"
        )

    def summary(self) -> dict[str, Any]:
        """Counts that describe the log at a glance.

        >>> EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "x",
        ...                         "converted": 1, "value": 5}]).summary()["conversions"]
        1
        """
        return {
            "journeys": len(self),
            "events": self.n_events,
            "conversions": int(np.count_nonzero(self.converted)),
            "converting_journeys": int(np.count_nonzero(self.journey_converted)),
            "value": float(self.values[self.converted].sum()),
            "cost": float(self.costs.sum()),
            "channels": len(self.channel_ids),
            "touchpoints": len(self.touchpoint_ids),
            "stages": len(self.stage_ids),
            "ties": self.ties,
            "duplicates": self.duplicates,
            "rows_read": self.rows_read,
            "rejected": len(self.rejected),
            "memory_bytes": self.memory_bytes,
        }

    @property
    def memory_bytes(self) -> int:
        """Bytes the log's columns hold: numpy data, plus the journey id strings.

        Absent columns (every code -1, every cost or value 0) are stored as
        one value each, so they count a few bytes.

        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "x"}])
        >>> 0 < log.memory_bytes < 1000
        True
        """
        arrays = [getattr(self, name) for name, _ in _SPARSE_COLUMNS]
        arrays += [self.offsets, self.timestamps, self.converted, self.rows, self._event_journey]
        ids = self.journey_ids
        strings = sum(sys.getsizeof(x) for x in ids.tolist())
        return sum(_storage_bytes(a) for a in arrays) + ids.nbytes + strings

    def _repr_html_(self) -> str:
        """Jupyter: summary table, first events and first rejected rows, as compact HTML."""
        from ._repr import event_log_html

        return event_log_html(self)

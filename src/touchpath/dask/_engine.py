"""The machinery: partition a Dask DataFrame by journey, reduce per-partition aggregates.

Every public function of :mod:`touchpath.dask` is one pass of :func:`run`:

1. **Partition by journey.** Unless the caller promises that each journey's
   events are in one partition, the frame is shuffled on the journey id
   (:func:`by_journey`). Before the shuffle each row gets its position in
   the input (partition number, row), and each partition is sorted back
   into input order afterwards, so events with equal timestamps keep the
   order a single-process read of ``ddf.compute()`` gives them.
2. **One EventLog per partition** (:class:`Reader`), read with the options
   of :meth:`touchpath.EventLog.from_pandas`.
3. **Aggregate per partition, merge with** ``+`` in a tree (``split_every``
   pieces per merge). When the caller promised journey partitioning, each
   partition also reports its journey ids and every merge checks that no id
   came from two partitions (:class:`touchpath.exceptions.PartitionError`).

Only the small aggregates travel to the client.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

import attrs
import dask.dataframe as dd
import numpy as np
import numpy.typing as npt
import pandas as pd
from dask.callbacks import Callback
from dask.delayed import delayed

from .._log import EventLog
from .._progress import current
from .._schema import Field, Schema
from ..exceptions import ConfigError, PartitionError, SchemaError, UnsupportedInputError

if TYPE_CHECKING:
    from .._map import JourneyMap

__all__ = [
    "ACCOUNT_KEY",
    "ORDER",
    "READ_ALWAYS",
    "Piece",
    "Reader",
    "by_account",
    "by_journey",
    "check_frame",
    "merge",
    "run",
]

T = TypeVar("T")

ORDER: Final = "__touchpath_order__"
"""Helper column: each row's position in the input, ``partition << 40 | row``."""
ACCOUNT_KEY: Final = "__touchpath_account__"
"""Helper column: the account a row's journey counts for (account funnels)."""
_HELPERS: Final = (ORDER, ACCOUNT_KEY)
_ROW_BITS: Final = 40
_NO_ACCOUNT: Final = "\x00journey\x00"


def check_frame(ddf: object, schema: Schema) -> None:
    """Refuse anything but a Dask DataFrame holding the journey id and timestamp columns."""
    if not isinstance(ddf, dd.DataFrame):
        hint = (
            " (wrap it: dask.dataframe.from_pandas(df, npartitions=...))"
            if isinstance(ddf, pd.DataFrame)
            else ""
        )
        raise UnsupportedInputError(
            f"touchpath.dask reads a dask.dataframe.DataFrame{hint}; got {type(ddf).__name__}"
        )
    columns = [str(c) for c in ddf.columns]
    for field in (Field.JOURNEY_ID, Field.TIMESTAMP):
        name = schema.column(field)
        if name not in columns:
            raise SchemaError(
                f"missing required column {name!r} (the {field.value} field); "
                f"columns found: {columns}",
                field=name,
            )


READ_ALWAYS: Final = frozenset(
    {
        Field.JOURNEY_ID,
        Field.TIMESTAMP,
        Field.TOUCHPOINT,
        Field.CHANNEL,
        Field.STAGE,
        Field.CONVERTED,
    }
)
"""The fields every reading needs: they decide which rows are events and which are touches."""


@attrs.frozen
class Reader:
    """How a partition becomes an EventLog: the options of ``EventLog.from_pandas``."""

    schema: Schema = attrs.field(factory=Schema)
    journey_map: JourneyMap | None = None
    timezone: str | dt.tzinfo | None = None
    journeys: bool = True
    """False: read each row as a conversion of one anonymous journey, which is all the last
    timestamp and the names of a level need (and much cheaper than reading the ids)."""

    def reading(self, fields: frozenset[Field] | None) -> Reader:
        """A reader of some fields only (plus :data:`READ_ALWAYS`); None keeps them all."""
        if fields is None:
            return self
        unread: dict[str, Any] = {f.value: None for f in Field if f not in fields | READ_ALWAYS}
        return attrs.evolve(self, schema=attrs.evolve(self.schema, **unread))

    def columns(self, ddf: Any) -> Any:
        """The frame with only the columns this reader reads (so no other column moves)."""
        unread = () if self.journeys else (Field.JOURNEY_ID, Field.CONVERTED)
        wanted = [
            c for c, f in self.schema.columns().items() if c in ddf.columns and f not in unread
        ]
        return ddf[wanted] if wanted != list(ddf.columns) else ddf

    def frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """The partition in input order, without helper columns.

        (A partition of a categorical column carries every category of the
        whole frame; the reader keeps only the ones that occur.)
        """
        if ORDER in df.columns and not df[ORDER].is_monotonic_increasing:
            df = df.sort_values(ORDER, kind="stable")
        helpers = [c for c in _HELPERS if c in df.columns]
        return df.drop(columns=helpers) if helpers else df

    def log(self, df: pd.DataFrame, number: int) -> EventLog:
        """Read one partition (``number`` names it in error messages)."""
        df = self.frame(df)
        schema = self.schema
        if not self.journeys:
            columns = {f.value: df[c] for c, f in schema.columns().items() if c in df.columns}
            columns[Field.JOURNEY_ID.value] = pd.Series("events", index=df.index, dtype=object)
            columns[Field.CONVERTED.value] = pd.Series(True, index=df.index)
            df = pd.DataFrame(columns)
            schema = Schema(timestamp_unit=schema.timestamp_unit)
        return EventLog.from_pandas(
            df,
            schema=schema,
            journey_map=self.journey_map,
            timezone=self.timezone,
            source=f"partition {number}",
        )


# -- partitioning ---------------------------------------------------------------------------


def _with_order(df: pd.DataFrame, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    number = 0 if partition_info is None else int(partition_info["number"])
    rows = np.arange(len(df), dtype=np.int64) + (np.int64(number) << np.int64(_ROW_BITS))
    return df.assign(**{ORDER: rows})


def _ordered(ddf: Any) -> Any:
    """The frame with the :data:`ORDER` column (kept if already there)."""
    if ORDER in ddf.columns:
        return ddf
    if ddf.npartitions >= 1 << (63 - _ROW_BITS):
        raise ConfigError(
            f"at most {1 << (63 - _ROW_BITS)} partitions can be shuffled; got {ddf.npartitions}"
        )
    meta = ddf._meta.assign(**{ORDER: np.zeros(0, dtype=np.int64)})
    return ddf.map_partitions(_with_order, meta=meta)


def _journey_name(value: object) -> str | None:
    """A raw id as the EventLog names it (text as is, integral numbers as integer text)."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
        return None  # missing: the reader refuses it with its own message
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return str(int(value))
    if isinstance(value, float | np.floating) and np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    raise ValueError(value)


def _with_text_ids(
    df: pd.DataFrame, column: str, partition_info: dict[str, Any] | None = None
) -> pd.DataFrame:
    """The id column as text, as the EventLog reads it, so equal ids hash alike."""
    codes, uniques = pd.factorize(df[column], use_na_sentinel=True)
    if pd.api.types.infer_dtype(uniques, skipna=False) == "string":
        return df  # only text: nothing to change
    names = np.empty(len(uniques) + 1, dtype=object)
    for k, value in enumerate(uniques.tolist()):
        try:
            names[k] = _journey_name(value)
        except ValueError:
            number = 0 if partition_info is None else int(partition_info["number"])
            row = int(np.flatnonzero(codes == k)[0])
            raise SchemaError(
                f"journey id must be text or an integer (got a {type(value).__name__})",
                source=f"partition {number} row {row}",
                field=column,
                value=value,
            ) from None
    names[-1] = None
    ids = names[np.where(codes < 0, len(uniques), codes)]
    return df.assign(**{column: pd.Series(ids, index=df.index, dtype=object)})


def by_journey(ddf: Any, schema: Schema, *, partitioned: bool) -> Any:
    """The frame with every journey's events in one partition (shuffled unless promised).

    An id column of Python objects is first turned into the ids the
    EventLog reads (``7``, ``7.0`` and ``"7"`` are one journey), so that
    equal ids meet in one partition and the shuffle can store the column.
    """
    if partitioned:
        return ddf
    column = schema.journey_id
    ordered = _ordered(ddf)
    dtype = ddf._meta[column].dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        ordered = ordered.map_partitions(_with_text_ids, column, meta=ordered._meta)
    return ordered.shuffle(on=column)


def _with_account_key(
    df: pd.DataFrame, reader: Reader, partition_info: dict[str, Any] | None = None
) -> pd.DataFrame:
    """Each row's account key: its journey's first account, or the journey if it has none."""
    if ORDER in df.columns and not df[ORDER].is_monotonic_increasing:
        df = df.sort_values(ORDER, kind="stable")
    log = reader.log(df, 0 if partition_info is None else int(partition_info["number"]))
    account = np.full(len(log), -1, dtype=np.int64)
    has = np.flatnonzero(log.account_codes >= 0)
    if len(has):
        j = log.event_journey[has]
        first = np.ones(len(has), dtype=np.bool_)
        first[1:] = j[1:] != j[:-1]
        account[j[first]] = log.account_codes[has[first]]
    names = np.empty(len(log.account_ids) + len(log), dtype=object)
    names[: len(log.account_ids)] = list(log.account_ids)
    names[len(log.account_ids) :] = [_NO_ACCOUNT + j for j in log.journey_ids.tolist()]
    own = len(log.account_ids) + np.arange(len(log), dtype=np.int64)
    per_journey = names[np.where(account >= 0, account, own)]
    key = np.empty(len(df), dtype=object)
    key[log.rows] = per_journey[log.event_journey]
    return df.assign(**{ACCOUNT_KEY: pd.Series(key, index=df.index, dtype=object)})


def by_account(ddf: Any, reader: Reader) -> Any:
    """A journey-partitioned frame reshuffled so every account's journeys share a partition.

    A journey counts for the first account among its events (the one account
    funnels use); journeys without one stay whole too.
    """
    ordered = _ordered(ddf)
    meta = ordered._meta.assign(**{ACCOUNT_KEY: pd.Series([], dtype=object)})
    accounts = reader.reading(frozenset({Field.ACCOUNT}))
    keyed = ordered.map_partitions(_with_account_key, accounts, meta=meta)
    return keyed.shuffle(on=ACCOUNT_KEY)


# -- the reduction --------------------------------------------------------------------------

_O = npt.NDArray[np.object_]
_I64 = npt.NDArray[np.int64]


@attrs.frozen(eq=False)
class Piece(Generic[T]):
    """A partial result, with the journey ids it covers when they are being checked."""

    value: T
    ids: _O | None = None
    """Journey ids seen (each once), when partitioning is being verified."""
    partitions: _I64 | None = None
    """The partition each of ``ids`` came from."""


def _first_shared(ids: _O) -> int | None:
    """Position of the first id that occurs twice (hash-based, exact), or None."""
    dup = pd.Index(ids).duplicated()
    hits = np.flatnonzero(dup)
    return int(hits[0]) if len(hits) else None


def merge(*pieces: Piece[Any]) -> Piece[Any]:
    """Add the values; with ids, refuse a journey that two partitions hold."""
    value = functools.reduce(operator.add, (p.value for p in pieces))
    if pieces[0].ids is None:
        return Piece(value)
    ids = np.concatenate([p.ids for p in pieces if p.ids is not None])
    where = np.concatenate([p.partitions for p in pieces if p.partitions is not None])
    shared = _first_shared(ids)
    if shared is not None:
        journey = ids[shared]
        parts = sorted(set(where[ids == journey].tolist()))
        raise PartitionError(
            f"journey {journey!r} has events in partitions {parts[0]} and {parts[1]}; "
            "partitioned_by_journey=True promises that each journey's events are in one "
            "partition (leave it False and touchpath shuffles the events by journey id)"
        )
    return Piece(value, ids, where)


@attrs.frozen
class _Chunk(Generic[T]):
    """The per-partition task: read the partition, aggregate it, maybe report its ids."""

    reader: Reader
    count: Callable[[EventLog], T]
    track: bool

    def __call__(self, df: pd.DataFrame, number: int) -> Piece[T]:
        log = self.reader.log(df, number)
        value = self.count(log)
        if not self.track:
            return Piece(value)
        ids = np.asarray(log.journey_ids, dtype=object)
        return Piece(value, ids, np.full(len(ids), number, dtype=np.int64))


def run(
    ddf: Any,
    reader: Reader,
    count: Callable[[EventLog], T],
    *,
    verify: bool,
    split_every: int = 8,
) -> T:
    """``count`` of every partition's log, merged with ``+`` in a tree, computed now.

    With ``verify`` the partitions' journey ids are checked to be disjoint.
    Runs on the current Dask scheduler (a ``distributed.Client`` when one is
    active).
    """
    given: object = split_every
    if isinstance(given, bool) or not isinstance(given, int) or split_every < 2:
        raise ConfigError(f"'split_every' must be an integer >= 2; got {split_every!r}")
    token = uuid.uuid4().hex
    chunk = delayed(_Chunk(reader, count, verify), name=f"touchpath-task-{token}")
    level = [
        chunk(part, i, dask_key_name=f"touchpath-read-{token}-{i}")
        for i, part in enumerate(ddf.to_delayed())
    ]
    combine = delayed(merge)
    depth = 0
    n_tasks = len(level)
    while len(level) > 1:
        depth += 1
        level = [
            combine(
                *level[i : i + split_every], dask_key_name=f"touchpath-merge-{token}-{depth}-{i}"
            )
            for i in range(0, len(level), split_every)
        ]
        n_tasks += len(level)
    reporter = current()
    if reporter is not None:  # our tasks; a local scheduler then counts the whole graph
        reporter.start(float(n_tasks))
    if reporter is None:
        piece: Piece[T] = level[0].compute()
    else:
        with _TaskProgress(reporter):
            piece = level[0].compute()
    out: T = piece.value
    return out


class _TaskProgress(Callback):
    """Reports finished tasks to a progress reporter (local schedulers; a distributed
    cluster reports only the start and the end)."""

    def __init__(self, reporter: Any) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._reporter = reporter

    def _start_state(self, dsk: Any, state: Any) -> None:
        total = sum(len(state[k]) for k in ("ready", "waiting", "running", "finished"))
        self._reporter.start(float(total))

    def _posttask(self, key: Any, result: Any, dsk: Any, state: Any, worker_id: Any) -> None:
        self._reporter.advance(float(len(state["finished"])))

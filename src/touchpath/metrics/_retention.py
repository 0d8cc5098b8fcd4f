"""Cohort retention tables: of the journeys that started in a period, who is still active later."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from .._table import Column, ColumnKind, Table, TableViews
from ..exceptions import ConfigError, NotFoundError
from ._common import instant, parse_instant, to_enum
from ._ratio import Ratio

if TYPE_CHECKING:
    from .._log import EventLog

__all__ = ["Cohort", "Period", "RetentionMode", "RetentionTable", "retention"]

_I64 = npt.NDArray[np.int64]
_B = npt.NDArray[np.bool_]
_US_PER_DAY = 86_400_000_000


class Cohort(enum.StrEnum):
    """Cohorts by the journey's first event (or pass a stage id to :func:`retention`).

    >>> Cohort.FIRST_EVENT.value
    'first_event'
    """

    FIRST_EVENT = "first_event"


class Period(enum.StrEnum):
    """Calendar periods in UTC: days, ISO weeks (Monday to Sunday), calendar months.

    >>> [p.value for p in Period]
    ['day', 'week', 'month']
    """

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class RetentionMode(enum.StrEnum):
    """``ON``: active in period n. ``ON_OR_AFTER``: active in period n or any later one.

    >>> RetentionMode("on_or_after") is RetentionMode.ON_OR_AFTER
    True
    """

    ON = "on"
    ON_OR_AFTER = "on_or_after"


PeriodLike: TypeAlias = Period | Literal["day", "week", "month"]
ModeLike: TypeAlias = RetentionMode | Literal["on", "on_or_after"]


def _buckets(us: _I64, period: Period) -> _I64:
    """Calendar period number of each timestamp (days/weeks/months since 1970, UTC)."""
    if period is Period.DAY:
        return us // _US_PER_DAY
    if period is Period.WEEK:
        return (us // _US_PER_DAY + 3) // 7  # 1970-01-01 was a Thursday; weeks start Monday
    months: _I64 = us.astype("datetime64[us]").astype("datetime64[M]").astype(np.int64)
    return months


def _bucket_start(b: int, period: Period) -> dt.date:
    epoch = dt.date(1970, 1, 1)
    if period is Period.DAY:
        return epoch + dt.timedelta(days=b)
    if period is Period.WEEK:
        return epoch + dt.timedelta(days=7 * b - 3)
    return dt.date(1970 + b // 12, b % 12 + 1, 1)


@attrs.frozen(eq=False)
class RetentionTable(TableViews):
    """A cohort table: rows are cohorts (by start period), columns period offsets 0, 1, ...

    Cell ``(i, n)`` counts the journeys of cohort ``i`` retained ``n``
    periods after their cohort period. A cell is *observed* when that
    period has started by ``now``, *complete* when it has ended; cells not
    observed have no value (``None``), not 0. Cohorts without journeys
    between the first and the last cohort are kept as rows of size 0 whose
    ratios are undefined.

    >>> from touchpath import EventLog
    >>> t = retention(EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "stage": "x"},
    ...     {"journey_id": "a", "timestamp": 86400, "stage": "x"}]), period="day")
    >>> (t.sizes.tolist(), t.retained.tolist(), t.observed.tolist())
    ([1], [[1, 1]], [[True, True]])
    """

    cohort: str
    """``"first_event"`` or the stage the cohorts start at."""
    period: Period
    """Day, week or month."""
    mode: RetentionMode
    """On, or on or after."""
    starts: tuple[dt.date, ...]
    """First day of each cohort's period."""
    sizes: _I64
    """Journeys in each cohort."""
    retained: _I64
    """``retained[i, n]``: journeys of cohort i retained at offset n."""
    observed: _B
    """Whether period ``i + n`` has started by :attr:`now`."""
    complete: _B
    """Whether period ``i + n`` has ended by :attr:`now`."""
    excluded: int
    """Journeys that never reached the cohort stage (not in any cohort)."""
    now: dt.datetime | None
    """The end of observation."""

    def ratio(self, cohort: int | dt.date, offset: int) -> Ratio | None:
        """Retained share of a cohort (by position or start date) at an offset; None if unobserved.

        >>> from touchpath import EventLog
        >>> day = 86400
        >>> log = EventLog.from_records([
        ...     {"journey_id": "a", "timestamp": 0, "stage": "x"},
        ...     {"journey_id": "a", "timestamp": 8 * day, "stage": "x"},
        ...     {"journey_id": "b", "timestamp": day, "stage": "x"}])
        >>> t = retention(log, period="week")
        >>> t.ratio(0, 1), t.ratio(0, 2)
        (Ratio(1/2 = 0.5), None)
        """
        i = self._row(cohort)
        if not 0 <= offset < self.retained.shape[1] or not self.observed[i, offset]:
            return None
        return Ratio(int(self.retained[i, offset]), int(self.sizes[i]))

    def _row(self, cohort: int | dt.date) -> int:
        if isinstance(cohort, dt.date):
            try:
                return self.starts.index(cohort)
            except ValueError:
                raise NotFoundError(
                    "cohort start", cohort.isoformat(), choices=[s.isoformat() for s in self.starts]
                ) from None
        if not -len(self.starts) <= cohort < len(self.starts):
            raise NotFoundError("cohort position", cohort)
        return cohort % len(self.starts)

    def rates(self) -> npt.NDArray[np.float64]:
        """Retained shares as floats: NaN where unobserved or the cohort is empty.

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"},
        ...                              {"journey_id": "b", "timestamp": 86400, "stage": "x"}])
        >>> retention(log, period="day").rates().tolist()
        [[1.0, 0.0], [1.0, nan]]
        """
        with np.errstate(invalid="ignore", divide="ignore"):
            out = self.retained / self.sizes[:, None].astype(np.float64)
        out[~self.observed | (self.sizes[:, None] == 0)] = np.nan
        return out

    def to_table(self, values: Literal["rate", "count"] = "rate") -> Table:
        """Cohorts as rows (indexed by start date), ``size`` then one column per offset.

        ``values="rate"`` gives shares (undefined where unobserved or the cohort is
        empty), ``"count"`` retained journeys (undefined where unobserved).

        >>> from touchpath import EventLog
        >>> day = 86400
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"},
        ...                              {"journey_id": "a", "timestamp": day, "stage": "x"},
        ...                              {"journey_id": "b", "timestamp": 0, "stage": "x"}])
        >>> print(retention(log, period="day"))
        2 journeys in 1 day cohorts by first event, retained on
        cohort      journeys       0      1
        1970-01-01         2  100.0%  50.0%
        """
        if values == "rate":
            table = self.rates()
            cells: list[Any] = [table[:, k] for k in range(table.shape[1])]
            kind = ColumnKind.RATE
        elif values == "count":
            cells = [
                np.ma.MaskedArray(self.retained[:, k].astype(np.int64), mask=~self.observed[:, k])
                for k in range(self.retained.shape[1])
            ]
            kind = ColumnKind.COUNT
        else:
            raise ConfigError(f"'values' must be 'rate' or 'count'; got {values!r}")
        data: dict[str | int, Any] = {"cohort": list(self.starts), "size": np.asarray(self.sizes)}
        data.update(enumerate(cells))
        return Table(
            (
                Column("cohort"),
                Column("size", "journeys", ColumnKind.COUNT),
                *(Column(k, kind=kind) for k in range(len(cells))),
            ),
            data,
            name="retention",
            note=self._display_summary(),
            index="cohort",
            source="RetentionTable",
        )

    def to_pandas(self, values: Literal["rate", "count"] = "rate") -> Any:
        """Cohorts as rows (indexed by start date), ``size`` then one column per offset.

        ``values="rate"`` gives shares (NaN where unobserved or undefined),
        ``"count"`` retained journeys (missing where unobserved).

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"}])
        >>> retention(log, period="day").to_pandas().to_dict("list")
        {'size': [1], 0: [1.0]}
        """
        return self.to_table(values).to_pandas()

    def to_polars(self, values: Literal["rate", "count"] = "rate") -> Any:
        """The columns of :meth:`to_pandas`, ``cohort`` first (offsets named "0", "1", ...),
        as a polars DataFrame."""
        return self.to_table(values).to_polars()

    def to_arrow(self, values: Literal["rate", "count"] = "rate") -> Any:
        """The columns of :meth:`to_pandas`, ``cohort`` first (offsets named "0", "1", ...),
        as a pyarrow Table."""
        return self.to_table(values).to_arrow()

    # -- notebook and report display (touchpath._repr, touchpath.report) -----------------------

    def _display_summary(self) -> str:
        text = (
            f"{int(self.sizes.sum()):,} journeys in {len(self.starts):,} {self.period.value} "
            f"cohorts by {self.cohort.replace('_', ' ')}, "
            f"retained {self.mode.value.replace('_', ' ')}"
        )
        if self.excluded:
            text += f"; {self.excluded:,} journeys never reached the cohort stage"
        return text

    def report_section(self, *, title: str | None = None, chart: bool | None = None) -> Any:
        """The heat map (when matplotlib is installed, or ``chart=True``) and the cohort table.

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"}])
        >>> retention(log, period="day").report_section(chart=False).title
        'Retention'
        """
        from ._flow import _chart_section

        return _chart_section(self, title or "Retention", chart, "retention")


def retention(
    log: EventLog,
    cohort: Cohort | str = Cohort.FIRST_EVENT,
    *,
    period: PeriodLike = Period.WEEK,
    mode: ModeLike = RetentionMode.ON,
    now: Any = None,
) -> RetentionTable:
    """A cohort retention table of journeys.

    Each journey joins the cohort of the calendar period (UTC) of its
    *cohort event*: its first event (``Cohort.FIRST_EVENT``), or its first
    event of the stage named by ``cohort`` (journeys that never reach it
    are counted in ``excluded``). A journey is *active* in a period when it
    has an event there at or after its cohort event; offset ``n`` is the
    number of calendar periods since the cohort period (offset 0 is the
    cohort period itself, so it is always 100 %). ``mode="on"`` retains a
    journey at offset n when it is active in that period, ``"on_or_after"``
    when it is active in that period or any later one. ``now`` (default:
    the log's last timestamp) ends the observation; a ``now`` before the
    log's last event is refused with :class:`~touchpath.exceptions.ConfigError`.

    >>> from touchpath import EventLog
    >>> day = 86400
    >>> rec = lambda j, d: {"journey_id": j, "timestamp": d * day, "stage": "x"}
    >>> # 1970-01-01 is a Thursday: days 0-3 are week 0, days 4-10 week 1, ...
    >>> log = EventLog.from_records([rec("a", 0), rec("a", 12), rec("b", 1), rec("b", 5),
    ...                              rec("c", 15)])
    >>> t = retention(log, period="week")
    >>> [s.isoformat() for s in t.starts], t.sizes.tolist()
    (['1969-12-29', '1970-01-05', '1970-01-12'], [2, 0, 1])
    >>> t.retained.tolist()
    [[2, 1, 1], [0, 0, 0], [1, 0, 0]]
    >>> retention(log, period="week", mode="on_or_after").retained[0].tolist()
    [2, 2, 1]
    >>> t.ratio(1, 0).is_defined, t.ratio(2, 1)
    (False, None)
    """
    per = to_enum(Period, "period", period)
    how = to_enum(RetentionMode, "mode", mode)
    if not isinstance(cohort, str):
        raise ConfigError(f"'cohort' must be Cohort.FIRST_EVENT or a stage id; got {cohort!r}")
    n_journeys = len(log)
    if cohort == Cohort.FIRST_EVENT:
        label = Cohort.FIRST_EVENT.value
        has = np.ones(n_journeys, dtype=np.bool_)
        start = log.offsets[:-1].copy()
    else:
        label = cohort
        if cohort not in log.stage_ids:
            raise NotFoundError(
                "stage (retention cohort)", cohort, choices=("first_event", *log.stage_ids)
            )
        code = log.stage_ids.index(cohort)
        idx = np.flatnonzero(log.stage_codes == code)
        j = log.event_journey[idx]
        first = np.ones(len(idx), dtype=np.bool_)
        first[1:] = j[1:] != j[:-1]
        has = np.zeros(n_journeys, dtype=np.bool_)
        has[j[first]] = True
        start = np.full(n_journeys, np.iinfo(np.int64).max, dtype=np.int64)
        start[j[first]] = idx[first]
    now_us = parse_instant(now, "now") if now is not None else None
    if now_us is None and log.n_events:
        now_us = int(log.timestamps.max())
    if now_us is not None and log.n_events and now_us < int(log.timestamps.max()):
        last, got = _iso(int(log.timestamps.max())), _iso(now_us)
        raise ConfigError(
            f"'now' must not be before the log's last event ({last}): retention would count "
            f"activity in periods it calls unobserved; got {got} (leave 'now' out, or drop the "
            "later events first)"
        )
    excluded = int(np.count_nonzero(~has))
    members = np.flatnonzero(has)
    empty = np.zeros(0, dtype=np.int64)
    if len(members) == 0 or now_us is None:
        return RetentionTable(
            label,
            per,
            how,
            (),
            empty,
            np.zeros((0, 0), np.int64),
            np.zeros((0, 0), np.bool_),
            np.zeros((0, 0), np.bool_),
            excluded,
            instant(now_us),
        )
    cohort_bucket_j = _buckets(log.timestamps[start[members]], per)
    first_bucket = int(cohort_bucket_j.min())
    now_bucket = int(_buckets(np.array([now_us], dtype=np.int64), per)[0])
    last_cohort = int(cohort_bucket_j.max())
    n_cohorts = last_cohort - first_bucket + 1
    width = max(now_bucket, last_cohort) - first_bucket + 1
    row_of = np.full(n_journeys, -1, dtype=np.int64)
    row_of[members] = cohort_bucket_j - first_bucket
    sizes = np.bincount(row_of[members], minlength=n_cohorts).astype(np.int64)

    # active events: at or after the journey's cohort event
    ej = log.event_journey
    ev = np.flatnonzero(has[ej] & (np.arange(log.n_events) >= start[ej]))
    ev_j = ej[ev]
    offset = _buckets(log.timestamps[ev], per) - (row_of[ev_j] + first_bucket)
    if how is RetentionMode.ON:
        # (journey, offset) keys are already sorted: journey-major, time-ordered within
        key = ev_j * width + offset
        keep = np.ones(len(key), dtype=np.bool_)
        keep[1:] = key[1:] != key[:-1]
        cells = row_of[ev_j[keep]] * width + offset[keep]
        retained = np.bincount(cells, minlength=n_cohorts * width).reshape(n_cohorts, width)
    else:
        last_offset = np.full(n_journeys, -1, dtype=np.int64)
        np.maximum.at(last_offset, ev_j, offset)
        cells = row_of[members] * width + last_offset[members]
        hist = np.bincount(cells, minlength=n_cohorts * width).reshape(n_cohorts, width)
        retained = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1]
    rows = np.arange(n_cohorts)[:, None]
    cols = np.arange(width)[None, :]
    period_of_cell = first_bucket + rows + cols
    observed = period_of_cell <= now_bucket
    ends = np.array(
        [_period_end_us(first_bucket + p, per) for p in range(n_cohorts + width)],
        dtype=np.int64,
    )
    complete = ends[rows + cols] <= now_us
    starts = tuple(_bucket_start(first_bucket + i, per) for i in range(n_cohorts))
    return RetentionTable(
        label,
        per,
        how,
        starts,
        sizes,
        retained.astype(np.int64),
        observed,
        complete,
        excluded,
        instant(now_us),
    )


def _iso(us: int) -> str:
    """ISO-8601 text of a UTC microsecond timestamp."""
    return (_EPOCH + dt.timedelta(microseconds=us)).isoformat()


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _period_end_us(bucket: int, period: Period) -> int:
    """Microsecond timestamp where a period ends (the next period's start)."""
    nxt = _bucket_start(bucket + 1, period)
    return (nxt - dt.date(1970, 1, 1)).days * _US_PER_DAY

"""Time-to-X: the time between two stages, and the time spent in each stage."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from .._columns import Columns, columns_from_rows
from .._deprecation import renamed, warn_renamed
from .._table import Column, ColumnKind, Table, TableViews
from .._time import DurationLike, parse_duration
from ..exceptions import ConfigError, NotFoundError
from ._common import Level, LevelLike, instant, parse_instant, to_enum
from ._digest import DurationDigest, DurationStats, stats_dict
from ._funnel import FunnelOrder, _attempts, _Spec
from ._graph import TransitionGraphCounts
from ._ratio import Ratio

if TYPE_CHECKING:
    from .._log import EventLog

__all__ = ["Dwell", "DwellTimes", "TimeBetween", "dwell_times", "time_between"]


@attrs.frozen
class TimeBetween(TableViews):
    """How long journeys take from one stage to another, and who never arrives.

    See :func:`time_between` for the definitions.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "stage": "signup"},
    ...     {"journey_id": "a", "timestamp": 600, "stage": "first_call"}])
    >>> t = time_between(log, "signup", "first_call")
    >>> (t.started, t.arrived, str(t.durations.median))
    (1, 1, '0:10:00')
    """

    source: str
    """The stage (touchpoint, channel) measured from."""
    target: str
    """The stage (touchpoint, channel) measured to."""
    level: Level
    """The level of ``source`` and ``target``."""
    journeys: int
    """Journeys in the log."""
    started: int
    """Journeys that reached ``source``."""
    arrived: int
    """Journeys that reached ``target`` after reaching ``source``."""
    never_arrived: int
    """Journeys that reached ``source`` but not ``target`` after it (``started - arrived``)."""
    never_started: int
    """Journeys that never reached ``source`` (``journeys - started``)."""
    durations: DurationStats
    """Time from ``source`` to ``target``, over the journeys that arrived."""
    window: dt.timedelta | None = None
    """The threshold of :attr:`share_within` (None when not asked)."""
    arrived_within: int = 0
    """Journeys that arrived at most ``window`` after reaching ``source``."""
    censored: int = 0
    """Journeys that have not arrived within the threshold and whose threshold has not
    passed at ``now``: their outcome is unknown, so they are left out of the share."""
    share_within: Ratio | None = None
    """``arrived_within / (started - censored)``; None without ``window``."""
    now: dt.datetime | None = None
    """The end of observation used for censoring."""

    @property
    def within(self) -> dt.timedelta | None:
        """Deprecated name of :attr:`window`."""
        warn_renamed("TimeBetween.within", "TimeBetween.window")
        return self.window

    def to_table(self) -> Table:
        """One row with every field (durations as Timedelta columns); text and HTML show
        the counts, the median and 90th percentile, and the share within the threshold.

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"},
        ...                              {"journey_id": "a", "timestamp": 7200, "stage": "y"}])
        >>> time_between(log, "x", "y").to_pandas()["started"].tolist()
        [1]
        >>> print(time_between(log, "x", "y"))
        source  target  started  arrived  never arrived  median  90th percentile
        x       y             1        1              0     2 h              2 h
        """
        windowed = self.window is not None
        return Table.from_columns(
            self._columns(),
            [
                Column("source"),
                Column("target"),
                Column("started", kind=ColumnKind.COUNT),
                Column("arrived", kind=ColumnKind.COUNT),
                Column("never_arrived", "never arrived", ColumnKind.COUNT),
                Column("duration_median", "median", ColumnKind.DURATION),
                Column("duration_p90", "90th percentile", ColumnKind.DURATION),
                Column("window", kind=ColumnKind.DURATION, shown=windowed),
                Column("censored", kind=ColumnKind.COUNT, shown=windowed),
                Column("share_within", "share within", ColumnKind.RATE, shown=windowed),
            ],
            name="time_between",
            source="TimeBetween",
        )

    def _columns(self) -> Columns:
        row: dict[str, Any] = {
            "source": self.source,
            "target": self.target,
            "journeys": self.journeys,
            "started": self.started,
            "arrived": self.arrived,
            "never_arrived": self.never_arrived,
            "never_started": self.never_started,
            "count": self.durations.count,
        }
        row.update(stats_dict(self.durations, "duration"))
        row.update(
            window=self.window,
            arrived_within=self.arrived_within,
            censored=self.censored,
            share_within=float("nan") if self.share_within is None else float(self.share_within),
        )
        return columns_from_rows([row], duration_prefixes=("duration_", "window"))


@renamed(within="window")
def time_between(
    log: EventLog,
    source: str,
    target: str,
    *,
    window: DurationLike | None = None,
    level: LevelLike = Level.STAGE,
    now: Any = None,
) -> TimeBetween:
    """The time from reaching ``source`` to reaching ``target``, per journey.

    For each journey: from its first ``source`` event to the first
    ``target`` event after it (events with equal timestamps follow the
    log's order). Journeys that reached ``source`` but never ``target``
    after it are counted in ``never_arrived``, journeys that never reached
    ``source`` in ``never_started``; neither enters the durations.

    With ``window`` (``"24 hours"``), ``share_within`` is the share of the
    journeys that reached ``source`` and arrived within that time ("80 %
    activated within 24 h"). A journey that has not arrived yet but whose
    threshold has not passed at ``now`` (default: the log's last timestamp)
    is censored: left out of the share's denominator and counted in
    ``censored``.

    >>> from touchpath import EventLog
    >>> rec = lambda j, h, s: {"journey_id": j, "timestamp": h * 3600, "stage": s}
    >>> log = EventLog.from_records([
    ...     rec("a", 0, "signup"), rec("a", 2, "first_call"),
    ...     rec("b", 0, "signup"), rec("b", 30, "first_call"),
    ...     rec("c", 0, "signup"),
    ...     rec("d", 0, "visit"), rec("d", 100, "signup")])  # signed up at the end of the data
    >>> t = time_between(log, "signup", "first_call", window="24 hours")
    >>> (t.started, t.arrived, t.never_arrived, t.never_started)
    (4, 2, 2, 0)
    >>> str(t.durations.median), t.share_within, t.censored
    ('16:00:00', Ratio(1/3 = 0.333333), 1)
    """
    lvl = to_enum(Level, "level", level)
    for name, value in (("source", source), ("target", target)):
        if not isinstance(value, str):
            raise ConfigError(f"{name!r} must be a {lvl.value} id; got {value!r}")
    spec = _Spec.make([source, target], lvl, FunnelOrder.SEQUENTIAL, None, "journeys", None, None)
    out = _attempts(log, spec)
    arrived = out.depth >= 2
    d = out.times[arrived, 1] - out.times[arrived, 0]
    started = len(out.unit)
    n_arrived = int(np.count_nonzero(arrived))
    result = TimeBetween(
        source=source,
        target=target,
        level=lvl,
        journeys=len(log),
        started=started,
        arrived=n_arrived,
        never_arrived=started - n_arrived,
        never_started=len(log) - started,
        durations=DurationDigest._from_array(d).stats(),
    )
    if window is None:
        return result
    limit = parse_duration(window, name="window", allow_zero=True)
    now_us: int | None = parse_instant(now, "now") if now is not None else None
    if now_us is None and log.n_events:
        now_us = int(log.timestamps.max())
    ok = np.zeros(started, dtype=np.bool_)
    ok[arrived] = d <= limit
    open_ = np.zeros(started, dtype=np.bool_)
    if now_us is not None:  # None only for an empty log: nothing is open
        open_ = ~ok & (out.times[:, 0] + limit > now_us)
    n_ok = int(np.count_nonzero(ok))
    n_open = int(np.count_nonzero(open_))
    return attrs.evolve(
        result,
        window=dt.timedelta(microseconds=limit),
        arrived_within=n_ok,
        censored=n_open,
        share_within=Ratio(n_ok, started - n_open),
        now=instant(now_us),
    )


@attrs.frozen
class Dwell:
    """Time spent in one stage (touchpoint, channel) per visit.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "stage": "trial"},
    ...     {"journey_id": "a", "timestamp": 7200, "stage": "paid"}])
    >>> d = dwell_times(log)["trial"]
    >>> (d.visits, d.completed, d.open_visits, str(d.durations.median))
    (1, 1, 0, '2:00:00')
    """

    node: str
    """The stage (touchpoint, channel) id."""
    visits: int
    """Visits: runs of consecutive events in the node."""
    journeys: int
    """Distinct journeys with a visit."""
    completed: int
    """Visits followed by a visit elsewhere: their dwell time is known."""
    open_visits: int
    """Journeys' last visits: no later visit, so the dwell time is unknown (not counted)."""
    durations: DurationStats
    """Dwell time of the completed visits: from the visit's first event to the next visit's."""


@attrs.frozen
class DwellTimes(TableViews):
    """Dwell times per node; see :func:`dwell_times`.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "trial"}])
    >>> [(d.node, d.open_visits) for d in dwell_times(log).nodes]
    [('trial', 1)]
    """

    level: Level
    """Stage, touchpoint or channel."""
    nodes: tuple[Dwell, ...]
    """One entry per node, sorted by id."""

    def __getitem__(self, node: str) -> Dwell:
        for d in self.nodes:
            if d.node == node:
                return d
        raise NotFoundError(self.level.value, node, choices=[d.node for d in self.nodes])

    def to_table(self) -> Table:
        """One row per node: visits, journeys, completed and open visits, and the dwell
        time of the completed visits (median, quartiles, 90th percentile, mean).

        >>> from touchpath import EventLog
        >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "stage": "x"}])
        >>> dwell_times(log).to_pandas()[["stage", "visits", "open_visits"]].to_dict("records")
        [{'stage': 'x', 'visits': 1, 'open_visits': 1}]
        >>> print(dwell_times(log))
        stage  visits  journeys  completed  open visits  median dwell  90th percentile
        x           1         1          0            1             -                -
        """
        return Table.from_columns(
            self._columns(),
            [
                Column(self.level.value),
                Column("visits", kind=ColumnKind.COUNT),
                Column("journeys", kind=ColumnKind.COUNT),
                Column("completed", kind=ColumnKind.COUNT),
                Column("open_visits", "open visits", ColumnKind.COUNT),
                Column("dwell_median", "median dwell", ColumnKind.DURATION),
                Column("dwell_p90", "90th percentile", ColumnKind.DURATION),
            ],
            name="dwell_times",
            source="DwellTimes",
        )

    def _columns(self) -> Columns:
        rows = []
        for d in self.nodes:
            row: dict[str, Any] = {
                self.level.value: d.node,
                "visits": d.visits,
                "journeys": d.journeys,
                "completed": d.completed,
                "open_visits": d.open_visits,
            }
            row.update(stats_dict(d.durations, "dwell"))
            rows.append(row)
        return columns_from_rows(rows, duration_prefixes=("dwell_",))


def dwell_times(
    data: EventLog | TransitionGraphCounts, *, level: LevelLike = Level.STAGE
) -> DwellTimes:
    """How long journeys stay in each stage (or touchpoint, or channel) per visit.

    A *visit* is a run of consecutive events with the same stage (events
    without a stage are skipped; re-entering a stage later is a new visit).
    Its dwell time runs from its first event to the first event of the next
    visit. A journey's last visit has no end and is counted in
    ``open_visits``, not in the durations.

    ``data`` may be :class:`TransitionGraphCounts` (with ``collapse_repeats``),
    since a node's dwell times are the durations of its outgoing transitions.

    >>> from touchpath import EventLog
    >>> rec = lambda j, h, s: {"journey_id": j, "timestamp": h * 3600, "stage": s}
    >>> log = EventLog.from_records([
    ...     rec("a", 0, "trial"), rec("a", 5, "trial"), rec("a", 48, "paid"),
    ...     rec("b", 0, "trial"), rec("b", 24, "paid"), rec("b", 30, "trial")])
    >>> d = dwell_times(log)["trial"]
    >>> (d.visits, d.completed, d.open_visits, str(d.durations.median))
    (3, 2, 1, '1 day, 12:00:00')
    """
    if isinstance(data, TransitionGraphCounts):
        counts = data
        if not counts.collapse_repeats:
            raise ConfigError(
                "dwell times need visits: counts made with collapse_repeats=True; got False"
            )
    else:
        counts = TransitionGraphCounts.from_log(data, level=level)
    out_digests: dict[str, DurationDigest] = {}
    for (a, _), digest in counts.durations.items():
        out_digests[a] = out_digests.get(a, DurationDigest.zero()) + digest
    nodes = tuple(
        Dwell(
            node=node,
            visits=int(counts.visits[i]),
            journeys=int(counts.node_journeys[i]),
            completed=int(counts.visits[i] - counts.exits[i]),
            open_visits=int(counts.exits[i]),
            durations=out_digests.get(node, DurationDigest.zero()).stats(),
        )
        for i, node in enumerate(counts.nodes)
    )
    return DwellTimes(counts.level, nodes)

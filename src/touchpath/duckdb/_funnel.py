# The SQL is built from fixed fragments, validated integers and step ids escaped by
# _literal: no input text reaches it unquoted.
# ruff: noqa: S608
"""A funnel's mergeable counts (:class:`~touchpath.metrics.FunnelCounts`) computed in DuckDB.

Each step's event is found per journey with one grouped join (the first event
of the step after the previous step's event, in the stable event order of
:class:`~touchpath.EventLog`); only the number of journeys per depth and the
distinct durations between steps with their multiplicities leave the
database, and the duration digests are built from those in numpy, exactly as
:meth:`FunnelCounts.from_log` builds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from .._schema import Field
from ..exceptions import ConfigError
from ..metrics._common import CountUnit, Level
from ..metrics._digest import DurationDigest
from ..metrics._funnel import FunnelCounts, FunnelOrder, StepCounts, _Spec
from ..metrics._funnel_options import Exclusion, Repeats, StepLike
from ._reduce import Source, _duckdb, _events, _literal, _run

__all__ = ["funnel_counts"]


def _refuse_unsupported(spec: _Spec) -> None:
    """The funnel definitions the SQL reproduces exactly; the others raise, naming the option."""
    unsupported = [
        (spec.order is not FunnelOrder.SEQUENTIAL, f"order={spec.order.value!r}"),
        (spec.window is not None, "a window"),
        (spec.count is not CountUnit.JOURNEYS, f"count={spec.count.value!r}"),
        (spec.breakdown is not None, "a breakdown (breakdown=...)"),
        (bool(spec.exclusions), "exclusions"),
        (spec.repeats is not Repeats.ALLOWED, f"repeats={spec.repeats.value!r}"),
    ]
    for bad, what in unsupported:
        if bad:
            raise ConfigError(
                f"touchpath.duckdb.funnel_counts counts sequential funnels of journeys without "
                f"a window, breakdown or exclusions; got {what}: read the events into an "
                "EventLog (or use touchpath.dask.funnel) for this funnel"
            )


def _funnel_sql(step_values: Sequence[Sequence[str]]) -> str:
    """Per depth the journeys reaching it, and per step the distinct durations (to the step
    from step 1, and from the previous step) with their counts, from the events ``ev``."""
    order = "ORDER BY t, fr, f, r"
    ctes = [f"e AS (SELECT j, t, item, row_number() OVER (PARTITION BY j {order}) AS pos FROM ev)"]
    for k, values in enumerate(step_values):
        wanted = ", ".join(map(_literal, values))
        if k == 0:
            ctes.append(
                f"s0 AS (SELECT j, min(pos) AS p, arg_min(t, pos) AS t FROM e "
                f"WHERE item IN ({wanted}) GROUP BY j)"
            )
        else:
            ctes.append(
                f"s{k} AS (SELECT e.j, min(e.pos) AS p, arg_min(e.t, e.pos) AS t "
                f"FROM e JOIN s{k - 1} prev ON e.j = prev.j AND e.pos > prev.p "
                f"WHERE e.item IN ({wanted}) GROUP BY e.j)"
            )
    k_steps = len(step_values)
    times = ", ".join(f"s{k}.t AS t{k}" for k in range(k_steps))
    joins = " ".join(f"LEFT JOIN s{k} USING (j)" for k in range(1, k_steps))
    ctes.append(f"done AS (SELECT {times} FROM s0 {joins})")
    depth = " + ".join(["1", *(f"CAST(t{k} IS NOT NULL AS INTEGER)" for k in range(1, k_steps))])
    parts = [f"SELECT 0 AS step, 0 AS kind, {depth} AS d, count(*) AS n FROM done GROUP BY ALL"]
    for k in range(1, k_steps):
        for kind, start in ((1, "t0"), (2, f"t{k - 1}")):
            parts.append(
                f"SELECT {k} AS step, {kind} AS kind, t{k} - {start} AS d, count(*) AS n "
                f"FROM done WHERE t{k} IS NOT NULL GROUP BY ALL"
            )
    return "WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL ".join(parts)


def _digest(durations: Any, counts: Any) -> DurationDigest:
    values = np.repeat(np.asarray(durations, dtype=np.int64), np.asarray(counts, dtype=np.int64))
    return DurationDigest.from_microseconds(values)


def funnel_counts(
    source: Source,
    steps: Sequence[StepLike],
    *,
    level: Level | str,
    order: FunnelOrder | str = FunnelOrder.SEQUENTIAL,
    window: Any = None,
    count: CountUnit | str = CountUnit.JOURNEYS,
    breakdown: Field | str | None = None,
    exclusions: Sequence[Exclusion] = (),
    repeats: Repeats | str = Repeats.ALLOWED,
    schema: Any = None,
    connection: Any = None,
    memory_limit: str | None = None,
) -> FunnelCounts:
    """:meth:`FunnelCounts.from_log` computed inside DuckDB, for events larger than memory.

    ``source``, ``schema``, ``connection`` and ``memory_limit`` are those of
    :func:`path_counts`; the funnel's parameters those of
    :func:`touchpath.metrics.funnel`, with ``steps`` and ``level`` given
    explicitly. Sequential funnels of journeys without a window, breakdown
    or exclusions are counted in SQL; any other definition raises
    :class:`~touchpath.exceptions.ConfigError` naming the option (read those
    into an :class:`~touchpath.EventLog`, or use Dask). The counts, durations
    included, equal ``FunnelCounts.from_log`` of the same events exactly.

    >>> import duckdb
    >>> from touchpath.metrics import funnel
    >>> rel = duckdb.sql(
    ...     "SELECT * FROM (VALUES ('a', TIMESTAMPTZ '2025-01-01 09:00Z', 'visit'),"
    ...     "('a', TIMESTAMPTZ '2025-01-01 10:00Z', 'trial'),"
    ...     "('b', TIMESTAMPTZ '2025-01-01 09:00Z', 'visit')) t(journey_id, timestamp, stage)")
    >>> counts = funnel_counts(rel, ["visit", "trial"], level="stage")
    >>> [s.reached for s in counts.total], str(counts.total[1].time_to_step.stats().median)
    ([2, 1], '1:00:00')
    """
    duckdb = _duckdb("touchpath.duckdb.funnel_counts()")
    spec = _Spec.make(steps, level, order, window, count, breakdown, None, exclusions, repeats)
    _refuse_unsupported(spec)
    field = Field(spec.level.value)
    k_steps = len(spec.steps)
    with _events(source, schema, field, connection, memory_limit, duckdb) as (events, where):
        (population,) = events.query("ev", "SELECT count(DISTINCT j) FROM ev").fetchall()[0]
        table = _run(events, _funnel_sql(spec.step_values), memory_limit, where, duckdb)
    step, kind, d, n = (np.asarray(table.column(c), dtype=np.int64) for c in table.column_names)
    at_depth = np.zeros(k_steps + 1, dtype=np.int64)
    depth_rows = kind == 0
    np.add.at(at_depth, d[depth_rows], n[depth_rows])
    counts = attrs.evolve(spec.zero(), population=int(population))
    if at_depth.sum() == 0:
        return counts
    reached = np.cumsum(at_depth[::-1])[::-1][1:]
    out = []
    for k in range(k_steps):
        to_step, from_previous = DurationDigest.zero(), DurationDigest.zero()
        if k > 0:
            rows_to = (step == k) & (kind == 1)
            rows_prev = (step == k) & (kind == 2)
            to_step = _digest(d[rows_to], n[rows_to])
            from_previous = _digest(d[rows_prev], n[rows_prev])
        stuck = int(at_depth[k + 1]) if k < k_steps - 1 else 0
        out.append(StepCounts(int(reached[k]), stuck, 0, to_step, from_previous))
    return attrs.evolve(counts, groups={None: tuple(out)})

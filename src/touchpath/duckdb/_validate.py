# The SQL is built from fixed fragments and stage names escaped by _literal: no input text
# reaches it unquoted.
# ruff: noqa: S608
"""A validation's mergeable counts (:class:`~touchpath.validation.ValidationCounts`) in DuckDB.

The database finds each journey's visits (runs of events in one stage, in the
stable event order of :class:`~touchpath.EventLog`) and returns the distinct
moves between visits with their counts and the events per stage name; the
map classifies each distinct move in Python, and one more query counts the
journeys with an unknown stage or an error. Rules whose findings follow from
the moves alone (:class:`~touchpath.validation.AllowedTransitions`,
:class:`~touchpath.validation.KnownStages`) are counted this way; the others
need each journey's events and times and are refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._map import JourneyMap
from .._schema import Field
from ..exceptions import ConfigError, UnsupportedInputError
from ..typing import TransitionRule
from ..validation import AllowedTransitions, KnownStages, Severity, ValidationCounts
from ..validation._context import TransitionKind
from ..validation._validate import _check_rules
from ._reduce import Source, _duckdb, _events, _literal, _run

__all__ = ["SQL_RULES", "validation_counts"]

SQL_RULES: tuple[type, ...] = (AllowedTransitions, KnownStages)
"""The rules :func:`validation_counts` counts in SQL exactly."""

_NOT_ALLOWED = (TransitionKind.SKIP, TransitionKind.REGRESSION, TransitionKind.SIDEWAYS)
_KIND_OF_EDGE = {
    0: TransitionKind.SIDEWAYS,
    1: TransitionKind.FORWARD,
    2: TransitionKind.LOOP_BACK,
    3: TransitionKind.SKIP,
    4: TransitionKind.REGRESSION,
}

_VISITS = """
    WITH staged AS (
        SELECT j, item, lag(item) OVER (PARTITION BY j ORDER BY t, fr, f, r) AS prev
        FROM ev WHERE item IS NOT NULL),
    visits AS (SELECT j, prev, item FROM staged WHERE prev IS DISTINCT FROM item)"""


def _values(rows: Sequence[tuple[str | None, ...]], alias: str, columns: str) -> str:
    """A VALUES table of text rows (one row of NULLs matching nothing when empty)."""
    if not rows:
        width = columns.count(",") + 1
        nulls = ", ".join(["NULL::VARCHAR"] * width)
        return f"(SELECT {nulls} WHERE false) AS {alias}({columns})"
    body = ", ".join(
        "(" + ", ".join("NULL::VARCHAR" if v is None else _literal(v) for v in row) + ")"
        for row in rows
    )
    return f"(VALUES {body}) AS {alias}({columns})"


def validation_counts(
    source: Source,
    journey_map: JourneyMap,
    rules: Sequence[TransitionRule] | None = None,
    *,
    schema: Any = None,
    connection: Any = None,
    memory_limit: str | None = None,
) -> ValidationCounts:
    """:meth:`ValidationCounts.from_log` computed inside DuckDB, for events larger than memory.

    ``source``, ``schema``, ``connection`` and ``memory_limit`` are those of
    :func:`path_counts`. The rules must be among :data:`SQL_RULES`
    (``AllowedTransitions`` and ``KnownStages``, of any severity), whose
    findings follow from the moves between stages alone; any other rule (the
    default rules include deadlines, entry and terminal stages) raises
    :class:`~touchpath.exceptions.ConfigError` naming it: validate an
    :class:`~touchpath.EventLog` (or with Dask) for those. The counts equal
    ``ValidationCounts.from_log`` with the same rules exactly.

    >>> import duckdb
    >>> from touchpath import JourneyMap
    >>> from touchpath.validation import AllowedTransitions, KnownStages
    >>> m = JourneyMap.builder("m").stage("a").stage("b").stage("c").path("a", "b", "c").build()
    >>> rel = duckdb.sql(
    ...     "SELECT * FROM (VALUES ('x', TIMESTAMPTZ '2025-01-01 09:00Z', 'a'),"
    ...     "('x', TIMESTAMPTZ '2025-01-01 10:00Z', 'c'),"
    ...     "('y', TIMESTAMPTZ '2025-01-01 09:00Z', 'a')) t(journey_id, timestamp, stage)")
    >>> c = validation_counts(rel, m, [AllowedTransitions(), KnownStages()])
    >>> c.journeys, c.conforming_journeys, c.transitions, c.violations, c.by_edge
    (2, 1, 1, 1, {('a', 'c'): 1})
    """
    duckdb = _duckdb("touchpath.duckdb.validation_counts()")
    if not isinstance(journey_map, JourneyMap):
        raise UnsupportedInputError(
            f"validation_counts needs a JourneyMap; got {type(journey_map).__name__}"
        )
    checked = _check_rules(rules)
    for rule in checked:
        if type(rule) not in SQL_RULES:
            raise ConfigError(
                f"touchpath.duckdb.validation_counts cannot count rule {rule.name} in SQL "
                f"exactly (it needs each journey's events); it counts "
                f"{', '.join(r.__name__ for r in SQL_RULES)}: pass rules=[...] of those, or "
                "validate an EventLog (or with touchpath.dask) for the others"
            )
    with _events(source, schema, Field.STAGE, connection, memory_limit, duckdb) as (ev, where):
        (journeys, events) = ev.query(
            "ev", "SELECT count(DISTINCT j), count(*) FROM ev"
        ).fetchall()[0]
        per_stage = _run(
            ev,
            "SELECT item, count(*) AS n FROM ev WHERE item IS NOT NULL GROUP BY item",
            None,
            where,
            duckdb,
        ).to_pylist()
        moves = _run(
            ev,
            _VISITS + " SELECT prev, item, count(*) AS n FROM visits GROUP BY ALL",
            memory_limit,
            where,
            duckdb,
        ).to_pylist()
        known = set(journey_map.stage_ids)
        unknown = sorted({row["item"] for row in per_stage} - known)
        by_edge: dict[tuple[str | None, str | None], int] = {}
        found = dict.fromkeys(checked, 0)
        transitions = unknown_transitions = bad_transitions = 0
        error_moves: list[tuple[str | None, str | None]] = []
        for row in moves:
            prev, item, n = row["prev"], row["item"], int(row["n"])
            if prev is not None:
                transitions += n
            if item not in known:
                unknown_transitions += n if prev is not None else 0
                for rule in checked:
                    if isinstance(rule, KnownStages):
                        found[rule] += n
                        by_edge[(prev, item)] = by_edge.get((prev, item), 0) + n
                continue
            if prev is None:
                continue
            if prev not in known:
                unknown_transitions += n
                continue
            edge, _ = journey_map._move_kinds(
                journey_map.stage_index(prev), journey_map.stage_index(item)
            )
            if _KIND_OF_EDGE[edge] not in _NOT_ALLOWED:
                continue
            is_error = False
            for rule in checked:
                if isinstance(rule, AllowedTransitions):
                    found[rule] += n
                    by_edge[(prev, item)] = by_edge.get((prev, item), 0) + n
                    is_error |= rule.severity >= Severity.ERROR
            if is_error:
                bad_transitions += n
                error_moves.append((prev, item))
        (bad_journeys,) = ev.query(
            "ev",
            _VISITS + " SELECT count(DISTINCT v.j) FROM visits v "
            f"LEFT JOIN {_values([(u,) for u in unknown], 'u', 'item')} ON v.item = u.item "
            f"LEFT JOIN {_values(error_moves, 'e', 'prev, item')} "
            "ON v.prev = e.prev AND v.item = e.item "
            "WHERE u.item IS NOT NULL OR e.item IS NOT NULL",
        ).fetchall()[0]
    by_severity: dict[Severity, int] = {}
    for rule, n in found.items():
        by_severity[rule.severity] = by_severity.get(rule.severity, 0) + n
    stage_events = {row["item"]: int(row["n"]) for row in per_stage}
    return ValidationCounts(
        journeys=int(journeys),
        conforming_journeys=int(journeys) - int(bad_journeys),
        events=int(events),
        transitions=transitions,
        conforming_transitions=transitions - unknown_transitions - bad_transitions,
        violations=sum(found.values()),
        pending=0,
        by_rule=found,
        by_edge=by_edge,
        by_severity={s: n for s, n in by_severity.items() if n},
        unknown_stages={u: stage_events[u] for u in unknown},
        map_stage_events=sum(n for s, n in stage_events.items() if s in known),
    )

"""``touchpath.duckdb.validation_counts`` against ``ValidationCounts.from_log`` on the same files.

The reference reads the Parquet files with pyarrow into an EventLog and validates it in numpy
(visits, transition kinds, conformance), sharing nothing with the SQL. Random logs have ties
(timestamps from a few values), conversions, events without a stage, stages the map lacks,
journeys spread over files and timestamps in various time zones; the map has a skip, a
loop-back and a side branch. Every count must be equal exactly.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import JourneyMap
from touchpath.exceptions import ConfigError
from touchpath.validation import (
    AllowedTransitions,
    EntryStage,
    KnownStages,
    Severity,
    ValidationCounts,
)

tdb = pytest.importorskip("touchpath.duckdb")
duckdb = pytest.importorskip("duckdb")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from touchpath.io import read_parquet  # noqa: E402

ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"]
BASE = dt.datetime(2025, 3, 30, 0, 30, tzinfo=dt.UTC)
MAP = (
    JourneyMap.builder("m")
    .stage("a")
    .stage("b")
    .stage("c")
    .stage("d")
    .stage("side")
    .path("a", "b", "c", "d")
    .edge("a", "side")
    .loop_back("d", "b")
    .build()
)

event = st.tuples(
    st.sampled_from(["j1", "j2", "j3", "j4"]),  # journey
    st.integers(0, 4),  # hour: few values, so many ties
    st.sampled_from(["a", "b", "c", "d", "side", "zzz", None, ""]),  # stage, sometimes unknown
    st.booleans(),  # converted
    st.integers(0, 2),  # file
)

RULE_SETS = [
    [AllowedTransitions(), KnownStages()],
    [AllowedTransitions()],
    [KnownStages(severity="warning")],
    [AllowedTransitions(severity="warning"), KnownStages()],
]


def write(events: list[tuple[Any, ...]], zone: str, folder: str) -> tuple[str, ...]:
    """Three Parquet files in the given row order; every row has a channel, so none is empty."""
    files = []
    for k in range(3):
        rows = [e for e in events if e[4] == k]
        table = pa.table(
            {
                "journey_id": pa.array([r[0] for r in rows], pa.string()),
                "timestamp": pa.array(
                    [BASE + dt.timedelta(hours=r[1]) for r in rows], pa.timestamp("us", tz=zone)
                ),
                "channel": pa.array(["ads"] * len(rows), pa.string()),
                "stage": pa.array([r[2] for r in rows], pa.string()),
                "converted": pa.array([r[3] for r in rows], pa.bool_()),
            }
        )
        path = os.path.join(folder, f"part-{k}.parquet")
        pq.write_table(table, path)
        files.append(path)
    return tuple(files)


@settings(max_examples=15)
@given(
    events=st.lists(event, min_size=1, max_size=30),
    zone=st.sampled_from(ZONES),
    rules=st.sampled_from(RULE_SETS),
)
def test_sql_validation_counts_equal_in_memory_counts(
    events: list[tuple[Any, ...]], zone: str, rules: list[Any]
) -> None:
    """Journeys, transitions, conformance, violations per rule, edge and severity all agree."""
    with tempfile.TemporaryDirectory() as folder:
        files = write(events, zone, folder)
        expected = ValidationCounts.from_log(read_parquet(files), MAP, rules)
        got = tdb.validation_counts(files, MAP, rules, memory_limit="500MB")
        assert got == expected, (got, expected)


def test_by_hand() -> None:
    """a -> c skips b; c -> a moves back; a -> zzz enters a stage the map lacks.

    By hand: 2 journeys, 4 transitions, 1 conforming (y's d -> b is the loop-back); x is not
    conforming, y is; AllowedTransitions finds 2 (the skip and the regression), KnownStages 1
    (x's visit to zzz). x's c ties with its a in time (another zone) and comes after it.
    """
    rel = duckdb.sql(
        "SELECT * FROM (VALUES "
        "('x', TIMESTAMPTZ '2025-01-01 09:00Z', 'a'),"
        "('x', TIMESTAMPTZ '2025-01-01 10:00+01:00', 'c'),"  # a tie with the first, after it
        "('x', TIMESTAMPTZ '2025-01-01 11:00Z', 'a'),"
        "('x', TIMESTAMPTZ '2025-01-01 12:00Z', 'zzz'),"
        "('y', TIMESTAMPTZ '2025-01-01 09:00Z', 'd'),"
        "('y', TIMESTAMPTZ '2025-01-01 10:00Z', 'b')"
        ") t(journey_id, timestamp, stage)"
    )
    rules = [AllowedTransitions(), KnownStages()]
    c = tdb.validation_counts(rel, MAP, rules)
    assert (c.journeys, c.conforming_journeys, c.transitions) == (2, 1, 4)
    assert c.conforming_transitions == 1
    assert c.by_rule == {rules[0]: 2, rules[1]: 1}
    assert c.by_edge == {("a", "c"): 1, ("c", "a"): 1, ("a", "zzz"): 1}
    assert c.by_severity == {Severity.ERROR: 3}
    assert c.unknown_stages == {"zzz": 1}


def test_rules_the_sql_cannot_count_are_refused_by_name() -> None:
    """EntryStage (and the default rules) need each journey's events: a ConfigError names it."""
    rel = duckdb.sql(
        "SELECT * FROM (VALUES ('x', TIMESTAMPTZ '2025-01-01 09:00Z', 'a')) "
        "t(journey_id, timestamp, stage)"
    )
    with pytest.raises(ConfigError, match="cannot count rule EntryStage"):
        tdb.validation_counts(rel, MAP, [KnownStages(), EntryStage()])
    with pytest.raises(ConfigError, match="cannot count rule"):
        tdb.validation_counts(rel, MAP)

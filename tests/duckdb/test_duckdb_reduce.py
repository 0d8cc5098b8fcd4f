"""``touchpath.duckdb`` against the in-memory reduction on the same Parquet files.

The reference is ``PathCounts.from_log(read_parquet(files))``: pyarrow reads
the files into an EventLog and numpy splits the paths, a code path that
shares nothing with the SQL. Random logs have ties (timestamps from a few
values), several conversions per journey, missing and empty channels,
journeys spread over files, and timestamp columns in various time zones.
Values are multiples of 0.5, so every float sum is exact in any order and
the tables must be equal exactly.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import PathCounts, Schema
from touchpath.attribution import CoalitionCounts, TransitionCounts
from touchpath.exceptions import SchemaError

duckdb = pytest.importorskip("duckdb")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
tdb = pytest.importorskip("touchpath.duckdb")

from touchpath.io import read_parquet  # noqa: E402

ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"]
BASE = dt.datetime(2025, 3, 30, 0, 30, tzinfo=dt.UTC)  # near a DST change in Europe

event = st.tuples(
    st.sampled_from(["a", "b", "c", "d"]),  # journey
    st.integers(0, 5),  # hour: few values, so many ties
    st.sampled_from(["ads", "seo", "email", None, ""]),  # channel, sometimes missing
    st.booleans(),  # converted
    st.one_of(st.none(), st.integers(0, 40).map(lambda k: k / 2)),  # value
    st.integers(0, 2),  # file
)


def write(events: list[tuple[Any, ...]], zone: str, folder: str) -> tuple[str, ...]:
    """Write the events to three Parquet files (some may be empty), in the given row order."""
    files = []
    for k in range(3):
        rows = [e for e in events if e[5] == k]
        table = pa.table(
            {
                "journey_id": pa.array([r[0] for r in rows], pa.string()),
                "timestamp": pa.array(
                    [BASE + dt.timedelta(hours=r[1]) for r in rows], pa.timestamp("us", tz=zone)
                ),
                "channel": pa.array([r[2] for r in rows], pa.string()),
                "stage": pa.array(
                    ["visit"] * len(rows), pa.string()
                ),  # so a row without a channel is still valid
                "converted": pa.array([r[3] for r in rows], pa.bool_()),
                "value": pa.array([r[4] for r in rows], pa.float64()),
            }
        )
        path = os.path.join(folder, f"part-{k}.parquet")
        pq.write_table(table, path)
        files.append(path)
    return tuple(files)


@settings(max_examples=40)
@given(
    events=st.lists(event, max_size=30),
    zone=st.sampled_from(ZONES),
    collapse=st.sampled_from(["none", "consecutive"]),
    lookback=st.sampled_from([None, "2 hours"]),
)
def test_sql_paths_equal_in_memory_paths(
    events: list[tuple[Any, ...]],
    zone: str,
    collapse: Literal["none", "consecutive"],
    lookback: str | None,
) -> None:
    """Parquet files, a glob, a table and a relation all give from_log's table exactly."""
    with tempfile.TemporaryDirectory() as folder:
        files = write(events, zone, folder)
        expected = PathCounts.from_log(read_parquet(files), collapse=collapse, lookback=lookback)
        got = tdb.path_counts(files, collapse=collapse, lookback=lookback)
        assert got.equals(expected), (got.rows(), expected.rows())
        glob = tdb.path_counts(
            os.path.join(folder, "*.parquet"), collapse=collapse, lookback=lookback
        )
        assert glob.equals(expected)
        con = duckdb.connect()
        listed = ", ".join(f"'{f}'" for f in files)
        con.execute(f"CREATE TABLE events AS SELECT * FROM read_parquet([{listed}])")
        table = tdb.path_counts(
            "events", connection=con, collapse=collapse, lookback=lookback, memory_limit="500MB"
        )
        assert table.equals(expected)
        rel = con.sql("SELECT * FROM events")
        assert tdb.path_counts(rel, collapse=collapse, lookback=lookback).equals(expected)
        # files in the order given, as read_parquet reads them: ties across files follow it
        backwards = PathCounts.from_log(
            read_parquet(files[::-1]), collapse=collapse, lookback=lookback
        )
        assert tdb.path_counts(files[::-1], collapse=collapse, lookback=lookback).equals(backwards)


@settings(max_examples=25)
@given(
    events=st.lists(event, max_size=30), zone=st.sampled_from(ZONES), order=st.sampled_from([1, 2])
)
def test_sql_markov_and_shapley_counts_equal_in_memory(
    events: list[tuple[Any, ...]], zone: str, order: int
) -> None:
    """The Markov and Shapley tables from the SQL paths equal from_log's on the same files."""
    with tempfile.TemporaryDirectory() as folder:
        files = write(events, zone, folder)
        log = read_parquet(files)
        got = tdb.transition_counts(files, order=order)
        assert got.equals(TransitionCounts.from_log(log, order=order))
        assert tdb.coalition_counts(files).equals(CoalitionCounts.from_log(log))


def test_by_hand() -> None:
    """Two conversions in one journey, a tie, and a trailing path, counted by hand.

    Journey a: ads@0, seo@1 (converts, 10), email@1 (tie: after the
    conversion, by input order), ads@2 (converts, 5), seo@3. Paths:
    (ads, seo) converts 10; (email, ads) converts 5; (seo,) does not.
    """
    with tempfile.TemporaryDirectory() as folder:
        rows = [
            ("a", 0, "ads", False, None, 0),
            ("a", 1, "seo", True, 10.0, 0),
            ("a", 1, "email", False, None, 0),
            ("a", 2, "ads", True, 5.0, 0),
            ("a", 3, "seo", False, None, 0),
        ]
        files = write(rows, "Europe/Paris", folder)
        assert tdb.path_counts(files).rows() == [
            (("ads", "seo"), 1.0, 0.0, 10.0),
            (("email", "ads"), 1.0, 0.0, 5.0),
            (("seo",), 0.0, 1.0, 0.0),
        ]


def test_refuses_what_eventlog_refuses() -> None:
    """A negative value and a naive timestamp column are errors, not numbers."""
    con = duckdb.connect()
    bad = con.sql(
        "SELECT 'a' AS journey_id, TIMESTAMPTZ '2025-01-01 00:00Z' AS timestamp, "
        "'ads' AS channel, true AS converted, -1.0 AS value"
    )
    with pytest.raises(SchemaError, match="must not be negative"):
        tdb.path_counts(bad)
    naive = con.sql("SELECT 'a' AS journey_id, TIMESTAMP '2025-01-01' AS timestamp, 'x' AS channel")
    with pytest.raises(SchemaError, match="time zone"):
        tdb.path_counts(naive, schema=Schema())


def test_integer_flags_and_ids_read_as_eventlog_reads_them() -> None:
    """0/1 flags and integer journey ids are read; a flag of 2 or float ids are refused.

    Journey 7: ads then seo converting (flag 1) with value 4, so one path (ads, seo) with
    one conversion and value 4, counted by hand.
    """
    con = duckdb.connect()
    ok = con.sql(
        "SELECT * FROM (VALUES (7, TIMESTAMPTZ '2025-01-01 00:00Z', 'ads', 0, 1),"
        "(7, TIMESTAMPTZ '2025-01-01 01:00Z', 'seo', 1, 4)) "
        "t(journey_id, timestamp, channel, converted, value)"
    )
    assert tdb.path_counts(ok).rows() == [(("ads", "seo"), 1.0, 0.0, 4.0)]
    two = con.sql(
        "SELECT 7 AS journey_id, TIMESTAMPTZ '2025-01-01 00:00Z' AS timestamp, "
        "'ads' AS channel, 2 AS converted"
    )
    with pytest.raises(SchemaError, match="boolean-like"):
        tdb.path_counts(two)
    floats = con.sql(
        "SELECT 7.5 AS journey_id, TIMESTAMPTZ '2025-01-01 00:00Z' AS timestamp, 'a' AS channel"
    )
    with pytest.raises(SchemaError, match="text or integers"):
        tdb.path_counts(floats)

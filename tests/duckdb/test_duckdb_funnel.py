"""``touchpath.duckdb.funnel_counts`` against ``FunnelCounts.from_log`` on the same Parquet files.

The reference reads the files with pyarrow into an EventLog and counts the funnel in numpy, a
code path that shares nothing with the SQL. The random logs of ``test_duckdb_reduce`` have
ties (timestamps from a few values), several conversions per journey, missing and empty
channels, journeys spread over files and timestamps in various time zones; the funnels are
over channels, with a repeated step and a step of two values. Counts and duration digests
must be equal exactly.
"""

from __future__ import annotations

import tempfile
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath.exceptions import ConfigError
from touchpath.metrics import FunnelCounts, funnel

from .test_duckdb_reduce import ZONES, event, write

tdb = pytest.importorskip("touchpath.duckdb")
duckdb = pytest.importorskip("duckdb")

from touchpath.io import read_parquet  # noqa: E402

FUNNELS: list[list[Any]] = [
    ["ads", "seo"],
    ["seo", "ads", "seo"],
    ["ads", ("email", "seo"), "ads", "email"],
    ["email"],
]


@settings(max_examples=10)
@given(
    events=st.lists(event, max_size=30),
    zone=st.sampled_from(ZONES),
    steps=st.sampled_from(FUNNELS),
)
def test_sql_funnel_counts_equal_in_memory_counts(
    events: list[tuple[Any, ...]], zone: str, steps: list[Any]
) -> None:
    """Reached, dropped and both duration digests of every step equal from_log's exactly."""
    with tempfile.TemporaryDirectory() as folder:
        files = write(events, zone, folder)
        expected = FunnelCounts.from_log(read_parquet(files), steps, level="channel")
        got = tdb.funnel_counts(files, steps, level="channel", memory_limit="500MB")
        assert got == expected, (got.total, expected.total)
        backwards = FunnelCounts.from_log(read_parquet(files[::-1]), steps, level="channel")
        assert tdb.funnel_counts(files[::-1], steps, level="channel") == backwards


def test_by_hand() -> None:
    """Two journeys in two time zones, with a tie kept in input order.

    By hand: a's ads (08:00Z) and seo (08:00Z, after it in input order) reach both steps 0 s
    apart; b's rows come out of time order, ads 08:00Z then seo 09:00Z: one hour. Both reach
    both steps, so the funnel converts 100 % with 1 hour in total to step 2.
    """
    rel = duckdb.sql(
        "SELECT * FROM (VALUES "
        "('a', TIMESTAMPTZ '2025-01-01 09:00+01:00', 'ads'),"
        "('a', TIMESTAMPTZ '2025-01-01 09:00+01:00', 'seo'),"  # a tie, after ads in input order
        "('a', TIMESTAMPTZ '2025-01-01 10:00+01:00', 'ads'),"
        "('b', TIMESTAMPTZ '2025-01-01 09:00Z', 'seo'),"
        "('b', TIMESTAMPTZ '2025-01-01 08:00Z', 'ads')"
        ") t(journey_id, timestamp, channel)"
    )
    counts = tdb.funnel_counts(rel, ["ads", "seo"], level="channel")
    first, second = counts.total
    assert (first.reached, first.dropped, second.reached) == (2, 0, 2)
    assert second.time_to_step.count == 2
    assert second.time_to_step.total == 3600 * 10**6  # a: 0 (the tie), b: one hour
    assert counts.population == 2
    assert funnel(counts).conversion.value == 1.0


@pytest.mark.parametrize(
    ("option", "named"),
    [
        ({"order": "strict"}, "order='strict'"),
        ({"order": "any"}, "order='any'"),
        ({"window": "7 days"}, "a window"),
        ({"count": "accounts"}, "count='accounts'"),
        ({"breakdown": "segment"}, "a breakdown"),
    ],
    ids=lambda x: str(x),
)
def test_definitions_the_sql_does_not_reproduce_are_refused(
    option: dict[str, Any], named: str
) -> None:
    """Any funnel the SQL cannot count exactly raises ConfigError naming the option."""
    rel = duckdb.sql(
        "SELECT * FROM (VALUES ('a', TIMESTAMPTZ '2025-01-01 09:00Z', 'ads')) "
        "t(journey_id, timestamp, channel)"
    )
    with pytest.raises(ConfigError, match=named):
        tdb.funnel_counts(rel, ["ads", "seo"], level="channel", **option)

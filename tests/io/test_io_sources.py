"""Parquet files and data sets, Arrow streams, polars, DuckDB: each source reads the same log."""

from __future__ import annotations

import datetime as dt
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings

import touchpath
from touchpath import EventLog, Schema
from touchpath.exceptions import ConfigError, SchemaError, UnsupportedInputError
from touchpath.io import from_arrow, read_parquet, write_parquet
from touchpath.testing.strategies import event_logs

RECORDS: list[dict[str, Any]] = [
    {"journey_id": "a", "timestamp": "2025-01-01T09:00:00Z", "channel": "ads", "stage": "x"},
    {
        "journey_id": "a",
        "timestamp": "2025-01-02T09:00:00+02:00",
        "channel": "seo",
        "converted": True,
        "value": 12.5,
    },
    {"journey_id": "b", "timestamp": "2025-01-01T10:00:00Z", "channel": "email", "cost": 0.25},
]


@pytest.fixture
def log() -> EventLog:
    return EventLog.from_records(RECORDS)


@settings(max_examples=25)
@given(event_logs())
def test_parquet_round_trip_is_exact(
    tmp_path_factory: pytest.TempPathFactory, log: EventLog
) -> None:
    """Any log written to Parquet reads back equal: every field, dictionary and value."""
    path = tmp_path_factory.mktemp("pq") / "events.parquet"
    write_parquet(log, path)
    back = read_parquet(path)
    assert back.equals(log)
    assert back.rows_read == back.n_events == log.n_events


def test_parquet_keeps_time_zone_and_dictionaries(tmp_path: Path, log: EventLog) -> None:
    """The file stores UTC microseconds and dictionary columns of the log's sorted names
    (read back with pyarrow itself, not with touchpath)."""
    path = tmp_path / "e.parquet"
    write_parquet(log, path)
    table = pq.read_table(path)
    assert str(table.schema.field("timestamp").type) == "timestamp[us, tz=UTC]"
    assert pa.types.is_dictionary(table.schema.field("channel").type)
    channel = table.column("channel").combine_chunks()
    assert channel.dictionary.to_pylist() == ["ads", "email", "seo"]
    # 2025-01-02T09:00+02:00 is 07:00 UTC
    stamps = table.column("timestamp").to_pylist()
    assert dt.datetime(2025, 1, 2, 7, tzinfo=dt.UTC) in stamps
    assert table.column("value").to_pylist()[1] == 12.5


def test_parquet_reads_only_the_schema_columns(tmp_path: Path) -> None:
    """Columns the schema does not name are never read: a column pyarrow cannot even
    convert to numpy (a nested list) does no harm, and a renamed column is found."""
    table = pa.table(
        {
            "user": ["u1", "u1"],
            "ts": pa.array([0, 1_000_000], type=pa.timestamp("us", tz="UTC")),
            "page": ["home", "cart"],
            "payload": [[1, 2], [3]],
        }
    )
    path = tmp_path / "clicks.parquet"
    pq.write_table(table, path)
    got = read_parquet(path, schema=Schema(journey_id="user", timestamp="ts", touchpoint="page"))
    assert got.journey("u1").touchpoints == ("home", "cart")


def test_hive_partitioned_data_set_and_filters(tmp_path: Path, log: EventLog) -> None:
    """A hive-partitioned directory reads as one log; a partition key can be a schema column;
    filters (expression or tuples) keep the matching rows only."""
    table = log.to_arrow().append_column("country", pa.array(["fr", "fr", "de"]))
    pq.write_to_dataset(table, tmp_path / "ds", partition_cols=["country"])
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == ["country=de", "country=fr"]
    whole = read_parquet(tmp_path / "ds")
    assert whole.equals(log)
    fr = read_parquet(tmp_path / "ds", filters=[("country", "=", "fr")])
    assert fr.journey_ids.tolist() == ["a"]
    assert fr.rows_read == 2
    de = read_parquet(tmp_path / "ds", filters=pc.field("country") == "de")
    assert de.journey_ids.tolist() == ["b"]
    by_country = read_parquet(tmp_path / "ds", schema=Schema(segment="country"))
    assert by_country.segment_ids == ("de", "fr")


def test_parquet_bad_inputs_name_the_file(tmp_path: Path) -> None:
    """A missing path, a file that is not Parquet and a bad filter are clear errors."""
    with pytest.raises(SchemaError, match="no such file") as info:
        read_parquet(tmp_path / "nope.parquet")
    assert info.value.source is not None
    assert info.value.source.endswith("nope.parquet")
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"not parquet at all")
    with pytest.raises(SchemaError, match="Parquet") as err:
        read_parquet(junk)
    assert err.value.source == str(junk)
    pq.write_table(pa.table({"journey_id": ["a"]}), tmp_path / "ok.parquet")
    with pytest.raises(ConfigError, match="filters"):
        read_parquet(tmp_path / "ok.parquet", filters="country = fr")


def test_parquet_collects_bad_rows(tmp_path: Path) -> None:
    """rows read = rows used + rows rejected; a bad timestamp is named by row and field."""
    table = pa.table(
        {
            "journey_id": ["a", "a", "b"],
            "timestamp": ["2025-01-01T00:00:00Z", "soon", "0"],
            "channel": ["x", "y", "z"],
        }
    )
    pq.write_table(table, tmp_path / "bad.parquet", row_group_size=1)
    with pytest.raises(SchemaError, match="row 1") as err:
        read_parquet(tmp_path / "bad.parquet")
    assert err.value.field == "timestamp"
    got = read_parquet(tmp_path / "bad.parquet", on_error="collect")
    assert (got.n_events, len(got.rejected), got.rows_read) == (2, 1, 3)
    assert got.rejected[0].row == 1
    assert got.rejected[0].value == "soon"


# -- Arrow streams ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda t: t.to_reader(max_chunksize=1), id="record-batch-reader"),
        pytest.param(lambda t: ds.dataset(t), id="dataset"),
        pytest.param(lambda t: ds.dataset(t).scanner(batch_size=2), id="scanner"),
        pytest.param(lambda t: pl.DataFrame(t), id="polars-dataframe"),
        pytest.param(lambda t: pl.DataFrame(t).lazy(), id="polars-lazyframe"),
        pytest.param(lambda t: _CStream(t), id="c-stream-object"),
    ],
)
def test_every_arrow_source_reads_the_same_log(make: object, log: EventLog) -> None:
    """Each source gives the log that from_records gave for the same rows."""
    table = pa.Table.from_pylist(
        [
            {
                k: r.get(k)
                for k in (
                    "journey_id",
                    "timestamp",
                    "channel",
                    "stage",
                    "converted",
                    "value",
                    "cost",
                )
            }
            for r in RECORDS
        ]
    )
    assert callable(make)
    got = EventLog.from_arrow(make(table))
    assert got.equals(log)
    assert got.rows_read == 3


class _CStream:
    """A foreign object that only speaks the Arrow C stream protocol."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self._table.__arrow_c_stream__(requested_schema)


def test_duckdb_query(log: EventLog) -> None:
    """Events from a DuckDB SQL query: TIMESTAMPTZ, VARCHAR and DOUBLE columns; only the
    schema's columns are computed (a failing column the schema ignores is never evaluated)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rel = con.sql(
        """
        SELECT * FROM (VALUES
          ('a', TIMESTAMPTZ '2025-01-01 09:00:00+00', 'ads', 'x', false, NULL, NULL),
          ('a', TIMESTAMPTZ '2025-01-02 07:00:00+00', 'seo', NULL, true, 12.5, NULL),
          ('b', TIMESTAMPTZ '2025-01-01 10:00:00+00', 'email', NULL, false, NULL, 0.25)
        ) AS t(journey_id, timestamp, channel, stage, converted, value, cost)
        """
    )
    assert EventLog.from_arrow(rel).equals(log)
    renamed = con.sql(
        "SELECT 'u' || i::VARCHAR AS uid, TIMESTAMPTZ '2025-01-01 00:00:00+00' + i * INTERVAL 1 "
        "HOUR AS ts, 'page' || (i % 3)::VARCHAR AS page, error('never computed') AS boom "
        "FROM range(10) t(i)"
    )
    got = from_arrow(renamed, schema=Schema(journey_id="uid", timestamp="ts", touchpoint="page"))
    assert (len(got), got.n_events, got.touchpoint_ids) == (10, 10, ("page0", "page1", "page2"))


def test_stream_dictionaries_are_shared_across_batches() -> None:
    """Batches with different dictionaries (and different missing entries) merge into one."""
    schema = pa.schema(
        [
            ("journey_id", pa.string()),
            ("timestamp", pa.int64()),
            ("channel", pa.dictionary(pa.int32(), pa.string())),
        ]
    )
    b1 = pa.record_batch(
        [
            pa.array(["a", "b"]),
            pa.array([1, 2]),
            pa.DictionaryArray.from_arrays(pa.array([1, None], pa.int32()), pa.array(["x", "y"])),
        ],
        schema=schema,
    )
    b2 = pa.record_batch(
        [
            pa.array(["a", "c"]),
            pa.array([3, 4]),
            pa.DictionaryArray.from_arrays(pa.array([0, 0], pa.int32()), pa.array(["z"])),
        ],
        schema=schema,
    )
    reader = pa.RecordBatchReader.from_batches(schema, [b1, b2])
    got = from_arrow(reader, on_error="collect", schema=Schema(stage=None))
    # row 1 (b, no channel) has nothing to record and is rejected
    assert [r.row for r in got.rejected] == [1]
    assert got.journey("a").channels == ("y", "z")
    assert got.journey("c").channels == ("z",)
    assert got.rows_read == 4 == got.n_events + len(got.rejected)


def test_stream_batches_of_different_forms() -> None:
    """An amount column that is numeric text in one batch and not in the next still reads,
    the bad value rejected with its row number across the stream."""
    schema = pa.schema(
        [
            ("journey_id", pa.string()),
            ("timestamp", pa.int64()),
            ("channel", pa.string()),
            ("value", pa.string()),
        ]
    )
    b1 = pa.record_batch([["a"], [1], ["x"], ["2.5"]], schema=schema)
    b2 = pa.record_batch([["a", "a"], [2, 3], ["x", "y"], ["n/a", "1"]], schema=schema)
    got = from_arrow(pa.RecordBatchReader.from_batches(schema, [b1, b2]), on_error="collect")
    assert [(r.row, r.value) for r in got.rejected] == [(1, "n/a")]
    assert got.values.tolist() == [2.5, 1.0]


def test_unsupported_input() -> None:
    """Something that is no Arrow data says what it accepts."""
    with pytest.raises(UnsupportedInputError, match="__arrow_c_stream__"):
        from_arrow([{"journey_id": "a"}])


def test_stream_memory_is_bounded() -> None:
    """Reading a stream of text batches holds about one batch of raw text at a time, not the
    whole input: peak traced memory stays below 2x the finished log's columns plus one batch."""
    n, batch = 200_000, 20_000
    ids = np.char.add("journey-", (np.arange(n) // 4).astype(str))
    stamps = np.arange(n, dtype=np.int64) * 1_000_000
    channels = np.array(["search", "email", "ads", "social"])[np.arange(n) % 4]

    def batches() -> Iterator[pa.RecordBatch]:
        for s in range(0, n, batch):
            yield pa.record_batch(
                {
                    "journey_id": pa.array(ids[s : s + batch]),
                    "timestamp": pa.array(stamps[s : s + batch]),
                    "channel": pa.array(channels[s : s + batch]),
                }
            )

    first = next(iter(batches()))
    reader = pa.RecordBatchReader.from_batches(first.schema, batches())
    tracemalloc.start()
    got = from_arrow(reader)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = sum(
        getattr(got, a).nbytes
        for a in (
            "timestamps",
            "channel_codes",
            "touchpoint_codes",
            "stage_codes",
            "campaign_codes",
            "segment_codes",
            "account_codes",
            "converted",
            "values",
            "costs",
            "rows",
            "offsets",
        )
    )
    size += sum(len(j) + 49 for j in got.journey_ids.tolist())  # the id strings themselves
    assert got.n_events == n
    assert peak < 2 * size + 10 * batch * 60


def test_top_level_exports() -> None:
    """read_parquet is reachable from the package and from touchpath.io."""
    assert touchpath.read_parquet is read_parquet


def test_stream_null_dictionary_entries_and_ids() -> None:
    """A null *entry* of a batch's dictionary is a missing value like a null index, and a null
    journey id is refused by row: rows 0 (no channel at all) and 3 (no id) are rejected."""
    schema = pa.schema(
        [
            ("journey_id", pa.string()),
            ("timestamp", pa.int64()),
            ("channel", pa.dictionary(pa.int32(), pa.string())),
        ]
    )
    b1 = pa.record_batch(
        [
            pa.array(["a", "b"]),
            pa.array([1, 2]),
            pa.DictionaryArray.from_arrays(pa.array([0, 1], pa.int32()), pa.array([None, "y"])),
        ],
        schema=schema,
    )
    b2 = pa.record_batch(
        [
            pa.array(["a", None]),
            pa.array([3, 4]),
            pa.DictionaryArray.from_arrays(pa.array([0, 0], pa.int32()), pa.array(["y"])),
        ],
        schema=schema,
    )
    reader = pa.RecordBatchReader.from_batches(schema, [b1, b2])
    got = from_arrow(reader, on_error="collect", schema=Schema(stage=None))
    assert [(r.row, r.field) for r in got.rejected] == [(0, None), (3, "journey_id")]
    assert got.journey("a").channels == ("y",)
    assert got.rows_read == 4


def test_lazyframe_is_collected_with_the_needed_columns_only() -> None:
    """A LazyFrame column the schema does not name is never computed: a cast that would fail
    on collect does no harm (polars pushes the projection down)."""
    lazy = pl.LazyFrame(
        {"journey_id": ["a"], "timestamp": [0], "channel": ["x"], "junk": ["not a number"]}
    ).with_columns(pl.col("junk").str.to_integer().alias("junk"))
    with pytest.raises(pl.exceptions.ComputeError):
        lazy.collect()
    assert from_arrow(lazy).journey("a").channels == ("x",)

"""Clickstreams: an EventMapping on the schema turns event names into touches, stages and
conversions, the same way through every reader."""

from __future__ import annotations

import gzip
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from touchpath import EventLog, EventMapping, Field, Schema, datasets, read_csv, read_jsonl
from touchpath.datasets._clickstream import clickstream_csv, clickstream_rows
from touchpath.exceptions import ConfigError, SchemaError
from touchpath.io import read_parquet

STAGES = {
    "catalog": "browse",
    "product1": "browse",
    "product2": "browse",
    "cart": "buy",
    "payment_done": "buy",
}
SCHEMA = Schema(
    journey_id="user",
    timestamp="ts",
    events=EventMapping(
        touchpoint=True, stage=STAGES, conversions=["payment_done"], value="amount"
    ),
)
ROWS: list[dict[str, Any]] = [
    {"user": "u1", "ts": "2025-03-01T10:00:00Z", "event": "catalog", "amount": ""},
    {"user": "u1", "ts": "2025-03-01T10:01:00Z", "event": "product1|product2", "amount": "9"},
    {"user": "u1", "ts": "2025-03-01T10:02:00Z", "event": "cart", "amount": "40"},
    {"user": "u1", "ts": "2025-03-01T10:03:00Z", "event": "payment_done", "amount": "40"},
    {"user": "u2", "ts": "2025-03-01T11:00:00Z", "event": "help_page", "amount": ""},
    {"user": "u2", "ts": "2025-03-01T11:01:00Z", "event": "catalog", "amount": ""},
]


def test_recipe_by_hand() -> None:
    """Worked by hand from ROWS: touchpoints are the names; the grouped name's parts both map
    to 'browse'; only payment_done converts and only its amount (40) is a value (the cart's 40
    and the product's 9 are not); help_page is in no table, so its stage is empty."""
    log = EventLog.from_records(ROWS, schema=SCHEMA)
    u1, u2 = log.journey("u1"), log.journey("u2")
    assert u1.touchpoints == ("catalog", "product1|product2", "cart", "payment_done")
    assert u1.stages == ("browse", "browse", "buy", "buy")
    assert [e.converted for e in u1] == [False, False, False, True]
    assert [e.value for e in u1] == [0.0, 0.0, 0.0, 40.0]
    assert u2.stages == (None, "browse")
    assert log.rows_read == 6 == log.n_events


def _csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    keys = list(rows[0])
    lines = [",".join(keys)] + [",".join(str(r[k]) for k in keys) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_every_reader_honours_the_mapping(tmp_path: Path) -> None:
    """Records, CSV (every engine), JSON Lines, pandas, polars, Arrow and Parquet agree."""
    want = EventLog.from_records(ROWS, schema=SCHEMA)
    f = _csv(tmp_path / "c.csv", ROWS)
    for engine in ("python", "pyarrow"):  # the polars CSV engine was removed
        assert read_csv(f, schema=SCHEMA, engine=engine).equals(want), engine
    j = tmp_path / "c.jsonl"
    j.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    assert read_jsonl(j, schema=SCHEMA).equals(want)
    frame = pd.DataFrame(ROWS)
    assert EventLog.from_pandas(frame, schema=SCHEMA).equals(want)
    assert EventLog.from_polars(pl.DataFrame(ROWS), schema=SCHEMA).equals(want)
    table = pa.Table.from_pylist(ROWS)
    assert EventLog.from_arrow(table, schema=SCHEMA).equals(want)
    assert EventLog.from_arrow(table.to_reader(max_chunksize=2), schema=SCHEMA).equals(want)
    import pyarrow.parquet as pq

    pq.write_table(table, tmp_path / "c.parquet")
    assert read_parquet(tmp_path / "c.parquet", schema=SCHEMA).equals(want)


def test_one_column_feeds_several_fields() -> None:
    """The event name feeds touchpoint (as is), channel and stage (two tables) at once, and
    the schema's own channel column is then ignored."""
    schema = Schema(
        events=EventMapping(
            column="name",
            touchpoint=True,
            channel={"ad_click": "ads", "newsletter_open": "email"},
            stage={"ad_click": "awareness", "newsletter_open": "consideration"},
        )
    )
    log = EventLog.from_records(
        [
            {"journey_id": "j", "timestamp": 0, "name": "ad_click", "channel": "IGNORED"},
            {"journey_id": "j", "timestamp": 1, "name": "newsletter_open"},
        ],
        schema=schema,
    )
    j = log.journey("j")
    assert (j.touchpoints, j.channels, j.stages) == (
        ("ad_click", "newsletter_open"),
        ("ads", "email"),
        ("awareness", "consideration"),
    )
    assert schema.event_field() is Field.TOUCHPOINT


def test_unmapped_and_ambiguous_names() -> None:
    """'keep' uses the name, 'reject' refuses the row by field and value; a grouped name whose
    parts map to two stages is refused as ambiguous."""
    rows = [
        {"journey_id": "j", "timestamp": 0, "event": "cart"},
        {"journey_id": "j", "timestamp": 1, "event": "faq"},
        {"journey_id": "j", "timestamp": 2, "event": "cart|catalog"},
    ]
    table = {"cart": "buy", "catalog": "browse"}
    keep = EventLog.from_records(
        rows[:2], schema=Schema(events=EventMapping(stage=table, unmapped="keep"))
    )
    assert keep.journey("j").stages == ("buy", "faq")
    strict = Schema(events=EventMapping(stage=table, unmapped="reject"))
    with pytest.raises(SchemaError, match="event 'faq' is not in the stage table") as err:
        EventLog.from_records(rows, schema=strict)
    assert (err.value.field, err.value.value) == ("event", "faq")
    got = EventLog.from_records(rows, schema=strict, on_error="collect")
    assert [(r.row, r.reason) for r in got.rejected] == [
        (1, "event 'faq' is not in the stage table"),
        (2, "event group 'cart|catalog' maps to several stages: ['browse', 'buy']"),
    ]
    assert got.rows_read == 3 == got.n_events + len(got.rejected)


def test_grouped_conversion_and_no_separator() -> None:
    """A grouped name converts when one of its parts is a conversion; with separator=None
    names are never split."""
    rows = [{"journey_id": "j", "timestamp": 0, "event": "cart|payment_done"}]
    split = EventLog.from_records(
        rows, schema=Schema(events=EventMapping(touchpoint=True, conversions="payment_done"))
    )
    assert split.converted.tolist() == [True]
    whole = EventLog.from_records(
        rows,
        schema=Schema(
            events=EventMapping(touchpoint=True, conversions="payment_done", separator=None)
        ),
    )
    assert whole.converted.tolist() == [False]


def test_conversions_only_mapping() -> None:
    """A mapping that only names conversions reads the event column as the flag; the
    touches come from the schema's own columns."""
    schema = Schema(channel="src", events=EventMapping(conversions=["signup"]))
    log = EventLog.from_records(
        [
            {"journey_id": "j", "timestamp": 0, "src": "ads", "event": "view"},
            {"journey_id": "j", "timestamp": 1, "src": "ads", "event": "signup"},
        ],
        schema=schema,
    )
    assert log.converted.tolist() == [False, True]
    assert log.channel_ids == ("ads",)


def test_bad_configurations() -> None:
    """Mistakes in the mapping are ConfigErrors naming the option."""
    with pytest.raises(ConfigError, match="must feed"):
        EventMapping()
    with pytest.raises(ConfigError, match="unmapped"):
        EventMapping(touchpoint=True, unmapped="drop")
    with pytest.raises(ConfigError, match="mapping table"):
        EventMapping(stage={"a": ""})
    with pytest.raises(ConfigError, match="EventMapping"):
        Schema(events={"touchpoint": True})  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="duplicates"):
        Schema(journey_id="event", events=EventMapping(touchpoint=True))


def test_the_shipped_sample_is_the_generator_output() -> None:
    """The file in the package is byte for byte the generator's output (seeded), so it can
    be regenerated; read with the recipe, every raw row is used, conversions are exactly the
    payment_done rows and the value is the sum of their amounts (counted from the raw rows)."""
    shipped = resources.files("touchpath.datasets").joinpath(datasets.CLICKSTREAM_FILE)
    assert shipped.read_bytes() == clickstream_csv()
    rows = clickstream_rows()
    log = datasets.clickstream()
    assert log.rows_read == len(rows) == log.n_events
    assert len(log) == datasets.CLICKSTREAM_USERS
    done = [r for r in rows if r[2] == "payment_done"]
    assert int(log.converted.sum()) == len(done)
    assert log.values.sum() == pytest.approx(sum(float(r[4]) for r in done))
    assert set(log.touchpoint_ids) == {r[2] for r in rows}
    # reading the same file another way: the source column as touchpoint, no mapping
    plain = datasets.clickstream(
        Schema(
            journey_id="user_id",
            touchpoint="event",
            channel=None,
            stage=None,
            converted=None,
            value=None,
        ),
        on_error="collect",
    )
    assert int(plain.converted.sum()) == 0
    assert plain.n_events == len(rows)
    with gzip.open(str(shipped)) as fh:
        assert fh.readline().decode().strip() == "user_id,timestamp,event,source,amount"

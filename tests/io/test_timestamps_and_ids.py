"""Timestamps and journey ids: one rule for every reader.

Each case is read through records, CSV (both engines), JSON Lines, pandas, polars and Arrow,
all fed the same text; expected instants are worked out by hand from the zone rules (Paris is
UTC+1 in winter, UTC+2 in summer; 2025 clocks go forward on 30 March at 02:00 and back on
26 October at 03:00).
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from touchpath import EventLog, Schema, cli
from touchpath.exceptions import ConfigError, SchemaError
from touchpath.io import read_csv, read_jsonl

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def micros(text: str) -> int:
    """An ISO-8601 instant in microseconds, by the standard library."""
    return (dt.datetime.fromisoformat(text) - EPOCH) // dt.timedelta(microseconds=1)


def _csv(engine: str) -> Callable[..., EventLog]:
    def read(ids: list[str], stamps: list[str], tmp: Path, **options: Any) -> EventLog:
        path = tmp / "events.csv"
        body = "".join(f'"{i}",{t},ads\n' for i, t in zip(ids, stamps, strict=True))
        path.write_text("journey_id,timestamp,channel\n" + body, encoding="utf-8")
        return read_csv(path, engine=engine, **options)  # type: ignore[arg-type]

    return read


def _jsonl(ids: list[str], stamps: list[str], tmp: Path, **options: Any) -> EventLog:
    path = tmp / "events.jsonl"
    path.write_text(
        "".join(
            json.dumps({"journey_id": i, "timestamp": t, "channel": "ads"}) + "\n"
            for i, t in zip(ids, stamps, strict=True)
        ),
        encoding="utf-8",
    )
    return read_jsonl(path, **options)


def _records(ids: list[str], stamps: list[str], tmp: Path, **options: Any) -> EventLog:
    rows = [
        {"journey_id": i, "timestamp": t, "channel": "ads"}
        for i, t in zip(ids, stamps, strict=True)
    ]
    return EventLog.from_records(rows, **options)


def _frame(kind: str) -> Callable[..., EventLog]:
    def read(ids: list[str], stamps: list[str], tmp: Path, **options: Any) -> EventLog:
        data = {"journey_id": ids, "timestamp": stamps, "channel": ["ads"] * len(ids)}
        if kind == "pandas":
            return EventLog.from_pandas(pd.DataFrame(data), **options)
        if kind == "polars":
            return EventLog.from_polars(pl.DataFrame(data), **options)
        return EventLog.from_arrow(pa.table(data), **options)

    return read


READERS: dict[str, Callable[..., EventLog]] = {
    "records": _records,
    "csv-python": _csv("python"),
    "csv-pyarrow": _csv("pyarrow"),
    "jsonl": _jsonl,
    "pandas": _frame("pandas"),
    "polars": _frame("polars"),
    "arrow": _frame("arrow"),
}

REFUSED = {
    # text: the start of the reason every reader gives
    "9999-12-31T23:59:59-01:00": "timestamp out of range",  # 10000-01-01T00:59:59Z
    "0001-01-01T00:30:00+01:00": "timestamp out of range",  # 0000-12-31T23:30:00Z
    "0000-01-01T00:00:00Z": "timestamp out of range",
    "253402300800000": "timestamp out of range",  # epoch ms of 10000-01-01
    "2025-01-01T00:00:00.1234567Z": "sub-microsecond precision",
    "2025-01-01T00:00:00.123456789+00:00": "sub-microsecond precision",
    "2025-03-30T02:30:00": "nonexistent local time in Europe/Paris",
}
ACCEPTED = {
    "9999-12-31T23:59:59Z": micros("9999-12-31T23:59:59+00:00"),
    "0001-01-01T00:00:00Z": micros("0001-01-01T00:00:00+00:00"),
    "2025-01-01T00:00:00.1234560Z": micros("2025-01-01T00:00:00.123456+00:00"),
    "2025-10-26T02:30:00": micros("2025-10-26T00:30:00+00:00"),  # first occurrence, +02:00
    "2025-03-30T03:30:00": micros("2025-03-30T01:30:00+00:00"),  # just after the gap, +02:00
}


@pytest.mark.parametrize("reader", list(READERS))
def test_every_reader_refuses_and_accepts_the_same_timestamps(reader: str, tmp_path: Path) -> None:
    """Out-of-range results (after the offset), digits past the microsecond and wall times in
    a DST gap are rejected rows with the same reason everywhere; the extremes of the range,
    zero digits past the microsecond and ambiguous wall times (first occurrence) are read;
    repr(log) works on the extremes (it used to overflow)."""
    stamps = [*REFUSED, *ACCEPTED]
    ids = [f"j{k}" for k in range(len(stamps))]
    log = READERS[reader](ids, stamps, tmp_path, on_error="collect", timezone="Europe/Paris")
    assert (log.rows_read, log.n_events) == (len(stamps), len(ACCEPTED))
    got = {r.row: r.reason for r in log.rejected}
    for row, (text, reason) in enumerate(REFUSED.items()):
        assert got[row].startswith(reason), (text, got[row])
    by_id = {j.id: j.events[0].timestamp for j in log}
    for k, expected in enumerate(ACCEPTED.values(), start=len(REFUSED)):
        assert micros(by_id[f"j{k}"].isoformat()) == expected
    assert "EventLog" in repr(log)


@pytest.mark.parametrize("reader", list(READERS))
def test_timestamp_format_reads_us_style_dates_everywhere(reader: str, tmp_path: Path) -> None:
    """With timestamp_format, 03/15/2025 10:00 in Paris is 09:00Z (CET); text that does not
    match (ISO here) is a rejected row naming the format."""
    log = READERS[reader](
        ["a", "b"],
        ["03/15/2025 10:00", "2025-03-15T10:00:00Z"],
        tmp_path,
        schema=Schema(timestamp_format="%m/%d/%Y %H:%M"),
        timezone="Europe/Paris",
        on_error="collect",
    )
    assert log.timestamps.tolist() == [micros("2025-03-15T09:00:00+00:00")]
    assert [(r.row, r.reason) for r in log.rejected] == [
        (1, "does not match timestamp_format '%m/%d/%Y %H:%M'")
    ]


def test_naive_timestamps_say_how_to_fix_them(tmp_path: Path) -> None:
    """The error names the exact option to pass, timezone="Europe/Paris"."""
    with pytest.raises(SchemaError, match=r'line 2, field .timestamp.*timezone="Europe/Paris"'):
        _csv("pyarrow")(["a"], ["2025-01-01 09:00"], tmp_path)


def test_naive_datetime_columns_in_a_gap_are_refused_too() -> None:
    """A pandas datetime64 column of wall times takes the vectorised path, with the same rule:
    02:30 on 30 March is refused, 03:30 is 01:30Z."""
    df = pd.DataFrame(
        {
            "journey_id": ["a", "a"],
            "timestamp": pd.to_datetime(["2025-03-30 02:30", "2025-03-30 03:30"]),
            "channel": ["x", "y"],
        }
    )
    log = EventLog.from_pandas(df, timezone="Europe/Paris", on_error="collect")
    assert log.timestamps.tolist() == [micros("2025-03-30T01:30:00+00:00")]
    assert log.rejected[0].row == 0
    assert log.rejected[0].reason.startswith("nonexistent local time in Europe/Paris")


def test_a_timestamp_format_must_be_a_format() -> None:
    """A format without a single % directive is a ConfigError."""
    with pytest.raises(ConfigError, match="timestamp_format"):
        Schema(timestamp_format="MM/DD/YYYY")


# -- journey ids -----------------------------------------------------------------------------

NFC = "caf\u00e9"
NFD = unicodedata.normalize("NFD", NFC)


@pytest.mark.parametrize("reader", list(READERS))
def test_ids_differing_by_whitespace_or_normalisation_are_one_journey(
    reader: str, tmp_path: Path
) -> None:
    """NFC, NFD and space-padded spellings of one id are one journey (3 events), named by the
    stripped NFC form; "j2" stays apart."""
    stamps = ["2025-01-01T00:00:00Z", "2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z"]
    log = READERS[reader]([NFC, NFD, f" {NFC} ", "j2"], [*stamps, stamps[0]], tmp_path)
    assert log.journey_ids.tolist() == [NFC, "j2"]
    assert len(log.journey(NFC).events) == 3


def test_split_conversions_never_repeats_an_id() -> None:
    """Journey "c" converts twice (two paths) while a journey "c#1" exists: c's paths become
    "c##1" and "c##2", and every id is unique."""
    log = EventLog.from_records(
        [
            {"journey_id": "c", "timestamp": 0, "channel": "a", "converted": True},
            {"journey_id": "c", "timestamp": 1, "channel": "b", "converted": True},
            {"journey_id": "c#1", "timestamp": 0, "channel": "a"},
        ]
    )
    ids = log.split_conversions().journey_ids.tolist()
    assert ids == ["c##1", "c##2", "c#1"]


# -- the command line ------------------------------------------------------------------------


def test_cli_timezone_and_timestamp_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--timezone and --timestamp-format reach the reader: without them the naive US-style
    dates are one error line (exit 2); with them the file reads (exit 0)."""
    path = tmp_path / "events.csv"
    path.write_text(
        "journey_id,timestamp,channel,converted\n"
        "a,03/15/2025 10:00,ads,false\na,03/16/2025 10:00,email,true\n",
        encoding="utf-8",
    )
    assert cli.main(["attribute", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "events.csv line 2" in err
    argv = ["attribute", str(path), "--timezone", "Europe/Paris"]
    assert cli.main([*argv, "--timestamp-format", "%m/%d/%Y %H:%M"]) == 0

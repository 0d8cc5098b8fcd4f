"""Readers and writers: exact round trips, engines that agree, and frames of every common dtype."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchpath import EventLog, Schema
from touchpath.exceptions import (
    ConfigError,
    MissingDependencyError,
    SchemaError,
    UnsupportedInputError,
)
from touchpath.io import _csv, read_csv, read_jsonl, write_csv, write_jsonl
from touchpath.testing.strategies import event_logs

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
US = dt.timedelta(microseconds=1)
ENGINES = ["python", "pyarrow"]
FILE_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def micros(text: str) -> int:
    """An ISO-8601 instant in microseconds, by the standard library."""
    return (dt.datetime.fromisoformat(text) - EPOCH) // US


# -- exact round trips -------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(event_logs(max_size=30))
@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow", "records"])
def test_frame_round_trips_are_exact(kind: str, log: EventLog) -> None:
    """to_X then from_X gives an equal log, for pandas, polars, Arrow and records."""
    out = getattr(log, f"to_{kind}")()
    back = getattr(EventLog, f"from_{kind}")(out)
    assert back.equals(log)
    assert back.rows_read == log.n_events


@FILE_SETTINGS
@given(log=event_logs(max_size=30))
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"], ids=["plain", "gzip"])
def test_csv_round_trips_are_exact(engine: Any, suffix: str, log: EventLog, tmp_path: Path) -> None:
    """write_csv then read_csv gives an equal log with every engine, gzipped or not."""
    path = tmp_path / f"events{suffix}"
    write_csv(log, path)
    assert read_csv(path, engine=engine).equals(log)


@FILE_SETTINGS
@given(log=event_logs(max_size=30))
@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"], ids=["plain", "gzip"])
def test_jsonl_round_trips_are_exact(suffix: str, log: EventLog, tmp_path: Path) -> None:
    """write_jsonl then read_jsonl gives an equal log."""
    path = tmp_path / f"events{suffix}"
    write_jsonl(log, path)
    assert read_jsonl(path).equals(log)


def test_frames_have_the_documented_types() -> None:
    """Ids and categories come out as categorical / dictionary columns, timestamps as UTC
    microseconds, with the default column names in field order; missing categories are null."""
    log = EventLog.from_records(
        [
            {"journey_id": "a", "timestamp": "2025-01-01T00:00:00Z", "channel": "ads"},
            {"journey_id": "a", "timestamp": "2025-01-02T00:00:00Z", "stage": "s"},
        ]
    )
    df = log.to_pandas()
    assert list(df.columns) == [
        "journey_id", "timestamp", "touchpoint", "channel", "stage", "converted", "value",
        "campaign", "cost", "segment", "account",
    ]  # fmt: skip
    assert str(df["timestamp"].dtype) == "datetime64[us, UTC]"
    assert df["channel"].isna().tolist() == [False, True]
    pdf = log.to_polars()
    assert pdf.schema["channel"] == pl.Categorical
    assert pdf["channel"].to_list() == ["ads", None]
    table = log.to_arrow()
    assert pa.types.is_dictionary(table.schema.field("channel").type)
    assert table.column("timestamp").cast(pa.int64()).to_pylist() == [
        micros("2025-01-01T00:00:00+00:00"),
        micros("2025-01-02T00:00:00+00:00"),
    ]


# -- CSV engines agree, on clean and awkward files ------------------------------------------

AWKWARD = (
    "\ufeffjourney_id,timestamp,channel,value,converted\r\n"
    '"a,1",2025-01-01T00:00:00Z,"line\nbreak",,\r\n'
    "\r\n"
    'b,2025-01-01T00:00:00+01:00,"quote ""q""",12.5,yes\r\n'
    "\r\n"
    "b,2025-01-01T01:00:00Z,email,,no\r\n"
)


@pytest.mark.parametrize("engine", ENGINES)
def test_engines_agree_on_an_awkward_file(engine: Any, tmp_path: Path) -> None:
    """A BOM, CRLF line ends, blank lines, quoted delimiters, quotes and line breaks: every
    engine reads the same three events (checked by hand)."""
    path = tmp_path / "awkward.csv"
    path.write_text(AWKWARD, encoding="utf-8", newline="")
    log = read_csv(path, engine=engine)
    assert log.journey_ids.tolist() == ["a,1", "b"]
    assert [e.channel for j in log for e in j] == ["line\nbreak", 'quote "q"', "email"]
    assert log.values.tolist() == [0.0, 12.5, 0.0]
    assert log.converted.tolist() == [False, True, False]
    # b's +01:00 event is 2024-12-31T23:00Z, an hour before its other event
    assert log.timestamps.tolist() == [
        micros("2025-01-01T00:00:00+00:00"),
        micros("2024-12-31T23:00:00+00:00"),
        micros("2025-01-01T01:00:00+00:00"),
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_lines_are_counted_through_blank_lines_and_quoted_breaks(
    engine: Any, tmp_path: Path
) -> None:
    """A rejected row names the line it starts on, counting blank lines and line breaks inside
    quoted fields (the bad row here starts on line 6)."""
    text = (
        "journey_id,timestamp,channel\n"  # line 1
        '"x",2025-01-01T00:00:00Z,"two\nlines"\n'  # lines 2-3
        "\n"  # line 4
        "y,2025-01-01T00:00:00Z,ok\n"  # line 5
        "z,never,ads\n"  # line 6
    )
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    log = read_csv(path, engine=engine, on_error="collect")
    assert [(r.row, r.line, r.field, r.value) for r in log.rejected] == [
        (2, 6, "timestamp", "never")
    ]
    with pytest.raises(SchemaError, match=r"events\.csv line 6, field 'timestamp'.*'never'"):
        read_csv(path, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_ragged_rows_are_rejected_by_every_engine(engine: Any, tmp_path: Path) -> None:
    """A row with too few or too many fields is rejected with its line, whatever the engine
    (the fast engines hand such files to the Python reader)."""
    path = tmp_path / "events.csv"
    path.write_text(
        "journey_id,timestamp,channel\na,2025-01-01T00:00:00Z,x\nb,2025-01-01T00:00:00Z\n"
        "c,2025-01-01T00:00:00Z,y,extra\n",
        encoding="utf-8",
    )
    log = read_csv(path, engine=engine, on_error="collect")
    assert [(r.line, r.reason) for r in log.rejected] == [
        (3, "expected 3 fields, got 2"),
        (4, "expected 3 fields, got 4"),
    ]
    assert log.journey_ids.tolist() == ["a"]


@pytest.mark.parametrize("engine", ENGINES)
def test_mixed_and_bad_timestamps_in_a_column(engine: Any, tmp_path: Path) -> None:
    """One column may mix ISO text, offsets and epoch digits; a single bad value is rejected
    and the others are parsed exactly (the fast engines parse the plain rows, touchpath the
    rest)."""
    rows = [
        ("a", "2025-01-01T00:00:00Z"),
        ("a", "2025-01-01T00:00:00.5+05:30"),
        ("a", "1735689600"),
        ("a", "2025-02-30T00:00:00Z"),
        ("a", " 2025-01-01T00:00:00Z "),
        ("a", "2025-01-01 00:00:00Z"),
    ]
    path = tmp_path / "events.csv"
    path.write_text(
        "journey_id,timestamp,stage\n" + "".join(f"{j},{t},s\n" for j, t in rows), encoding="utf-8"
    )
    log = read_csv(path, engine=engine, on_error="collect")
    assert [(r.line, r.value) for r in log.rejected] == [(5, "2025-02-30T00:00:00Z")]
    base = micros("2025-01-01T00:00:00+00:00")
    assert sorted(log.timestamps.tolist()) == sorted(
        [base, base - 5 * 3600 * 10**6 - 30 * 60 * 10**6 + 500_000, base, base, base]
    )


def test_naive_csv_timestamps_need_a_time_zone(tmp_path: Path) -> None:
    """Naive text is refused without a time zone and read as wall time with one, by every
    engine alike (09:00 Paris in January is 08:00Z)."""
    path = tmp_path / "events.csv"
    path.write_text("journey_id,timestamp,stage\na,2025-01-15T09:00:00,s\n", encoding="utf-8")
    for engine in ENGINES:
        with pytest.raises(SchemaError, match="naive timestamp"):
            read_csv(path, engine=engine)  # type: ignore[arg-type]
        log = read_csv(path, engine=engine, timezone="Europe/Paris")  # type: ignore[arg-type]
        assert log.timestamps.tolist() == [micros("2025-01-15T08:00:00+00:00")]


def test_csv_options_and_file_problems(tmp_path: Path) -> None:
    """A delimiter and another encoding are honoured; an empty file, a duplicate header, an
    unknown engine or a bad delimiter are clear errors; a header-only file is an empty log."""
    semi = tmp_path / "semi.csv"
    semi.write_bytes("journey_id;timestamp;channel\nj\xe9;0;caf\xe9\n".encode("latin-1"))
    log = read_csv(semi, delimiter=";", encoding="latin-1")
    assert (log.journey_ids.tolist(), log.channel_ids) == (["j\xe9"], ("caf\xe9",))
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(SchemaError, match="empty"):
        read_csv(empty)
    header = tmp_path / "header.csv"
    header.write_text("journey_id,timestamp,channel\n", encoding="utf-8")
    assert read_csv(header).n_events == 0
    dup = tmp_path / "dup.csv"
    dup.write_text("journey_id,timestamp,channel,channel\na,0,x,y\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="appears twice"):
        read_csv(dup)
    with pytest.raises(ConfigError, match="'engine'"):
        read_csv(header, engine="spark")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="'delimiter'"):
        read_csv(header, delimiter=",,")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("journey_id,timestamp,channel\nj\xe9,0,x\n".encode("latin-1"))
    with pytest.raises(SchemaError, match="not valid utf-8"):
        read_csv(latin)


def test_missing_extras_name_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without pandas / polars / pyarrow the frame functions and engines say which extra to
    install; engine="auto" falls back to the Python reader."""
    log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "channel": "x"}])
    path = tmp_path / "events.csv"
    write_csv(log, path)
    for module, extra, call in (
        ("pandas", "pandas", log.to_pandas),
        ("polars", "polars", log.to_polars),
        ("pyarrow", "arrow", log.to_arrow),
    ):
        with monkeypatch.context() as m:
            m.setitem(sys.modules, module, None)
            with pytest.raises(MissingDependencyError, match=rf"touchpath\[{extra}\]"):
                call()
    with monkeypatch.context() as m:
        m.setattr(_csv, "_has_module", lambda name: False)
        assert read_csv(path).equals(log)
        with pytest.raises(MissingDependencyError, match=r"touchpath\[arrow\]"):
            read_csv(path, engine="pyarrow")
    with pytest.raises(ConfigError, match="polars CSV engine was removed"):
        read_csv(path, engine="polars")  # type: ignore[arg-type]


# -- JSON Lines ----------------------------------------------------------------------------------


def test_jsonl_blank_lines_and_bad_lines(tmp_path: Path) -> None:
    """Blank lines are skipped (but counted), bad JSON and non-objects are rejected with their
    line; a file of nothing but bad lines is all rejected."""
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"journey_id": "a", "timestamp": 0, "channel": "x"}\n'
        "\n"
        "  \n"
        "[1, 2]\n"
        '{"journey_id": "a", "timestamp": 1, "channel": "y"} trailing\n'
        '  {"journey_id": "a", "timestamp": 2, "channel": "z"}  \n',
        encoding="utf-8",
    )
    log = read_jsonl(path, on_error="collect")
    assert [(r.row, r.line) for r in log.rejected] == [(1, 4), (2, 5)]
    assert log.rejected[0].reason == "each line must be a JSON object (got a list)"
    assert log.rejected[1].reason.startswith("not valid JSON (Extra data")
    assert log.journey("a").channels == ("x", "z")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{\nnope\n", encoding="utf-8")
    assert read_jsonl(bad, on_error="collect").rows_read == 2
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert read_jsonl(empty).n_events == 0


def test_jsonl_raise_names_the_line(tmp_path: Path) -> None:
    """With on_error="raise" a bad line raises a SchemaError with the file and line."""
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"journey_id": "a", "timestamp": 0, "channel": "x"}\n{oops\n', encoding="utf-8"
    )
    with pytest.raises(SchemaError, match=r"events\.jsonl line 2: not valid JSON") as info:
        read_jsonl(path)
    assert info.value.line == 2


# -- frames of every common dtype --------------------------------------------------------------


def test_pandas_dtypes() -> None:
    """pandas: category and string ids, tz-aware and naive datetimes, nullable ints as epoch
    seconds, NaN amounts (empty) and object flags all read as the equivalent records do."""
    expected = EventLog.from_records(
        [
            {"journey_id": "a", "timestamp": 0, "channel": "x", "value": 0.0},
            {"journey_id": "b", "timestamp": 60, "channel": "y", "value": 2.5, "converted": True},
        ]
    )
    stamps = pd.Series(pd.to_datetime([0, 60], unit="s"))
    frames = [
        pd.DataFrame(
            {"journey_id": pd.Categorical(["a", "b"]), "timestamp": stamps.dt.tz_localize("UTC"),
             "channel": ["x", "y"], "value": [np.nan, 2.5], "converted": [False, True]}
        ),
        pd.DataFrame(
            {"journey_id": ["a", "b"], "timestamp": pd.array([0, 60], dtype="Int64"),
             "channel": pd.Categorical(["x", "y"]), "value": pd.array([None, 2.5], dtype="Float64"),
             "converted": ["no", "yes"]}
        ),
        pd.DataFrame(
            {"journey_id": ["a", "b"], "channel": ["x", "y"], "value": ["", "2.5"],
             "timestamp": ["1970-01-01T00:00:00Z", "1970-01-01T00:01:00Z"],
             "converted": [None, True]}
        ),
    ]  # fmt: skip
    for df in frames:
        assert EventLog.from_pandas(df).equals(expected)
    naive = pd.DataFrame({"journey_id": ["a"], "timestamp": stamps[:1], "channel": ["x"]})
    with pytest.raises(SchemaError, match="naive timestamp"):
        EventLog.from_pandas(naive)
    assert EventLog.from_pandas(naive, timezone="UTC").timestamps.tolist() == [0]


def test_polars_dtypes() -> None:
    """polars: Enum and Categorical ids, tz-aware, naive and millisecond datetimes, text
    timestamps with one bad value, NaN (refused) and null (empty) amounts."""
    df = pl.DataFrame(
        {
            "journey_id": pl.Series(["a", "a", "b"], dtype=pl.Enum(["b", "a"])),
            "timestamp": pl.Series([0, 1000, 2000]).cast(pl.Datetime("ms", "Europe/Paris")),
            "channel": pl.Series(["x", None, "y"], dtype=pl.Categorical),
            "value": [None, float("nan"), 1.0],
        }
    )
    log = EventLog.from_polars(df, on_error="collect")
    assert [(r.row, r.field) for r in log.rejected] == [(1, "value")]
    assert log.timestamps.tolist() == [0, 2_000_000]
    assert log.journey_ids.tolist() == ["a", "b"]
    text = pl.DataFrame(
        {"journey_id": ["a", "a", "a"], "stage": ["s", "s", "s"],
         "timestamp": ["1970-01-01T00:00:01Z", "soon", "1970-01-01 00:00:02+00:00"]}
    )  # fmt: skip
    log = EventLog.from_polars(text, on_error="collect")
    assert log.timestamps.tolist() == [1_000_000, 2_000_000]
    assert [(r.row, r.value) for r in log.rejected] == [(1, "soon")]
    naive = pl.DataFrame({"journey_id": ["a"], "timestamp": [dt.datetime(2025, 7, 1, 12)],
                          "stage": ["s"]})  # fmt: skip
    assert EventLog.from_polars(naive, timezone="Europe/Paris").timestamps.tolist() == [
        micros("2025-07-01T10:00:00+00:00")
    ]


def test_arrow_dtypes() -> None:
    """Arrow: chunked dictionary columns with different dictionaries, nanosecond timestamps
    (sub-microsecond values refused), nulls as missing values, record batches."""
    ids = pa.chunked_array(
        [pa.array(["a", "b"]).dictionary_encode(), pa.array(["b", None]).dictionary_encode()]
    )
    table = pa.table(
        {
            "journey_id": ids,
            "timestamp": pa.array([0, 1000, 1001, 3000], type=pa.timestamp("ns", tz="UTC")),
            "stage": ["s", "s", "s", "s"],
            "cost": pa.array([1, None, 2, 3], type=pa.int32()),
        }
    )
    log = EventLog.from_arrow(table, on_error="collect")
    assert [(r.row, r.field) for r in log.rejected] == [(2, "timestamp"), (3, "journey_id")]
    assert (log.journey_ids.tolist(), log.timestamps.tolist(), log.costs.tolist()) == (
        ["a", "b"], [0, 1], [1.0, 0.0]
    )  # fmt: skip
    batch = table.slice(0, 2).to_batches()[0]
    assert EventLog.from_arrow(batch).n_events == 2


@pytest.mark.parametrize(
    ("reader", "arg"),
    [
        (EventLog.from_pandas, [1, 2]),
        (EventLog.from_polars, {"a": 1}),
        (EventLog.from_arrow, "table"),
    ],
    ids=["pandas", "polars", "arrow"],
)
def test_frame_readers_refuse_other_objects(reader: Any, arg: Any) -> None:
    """Passing something that is not the library's frame is an UnsupportedInputError (a
    TypeError)."""
    with pytest.raises(UnsupportedInputError):
        reader(arg)


def test_frames_use_the_schema() -> None:
    """Frame readers map columns through a Schema like every other reader."""
    df = pd.DataFrame({"user": ["u"], "ts": [0], "utm": ["ads"]})
    log = EventLog.from_pandas(df, schema=Schema(journey_id="user", timestamp="ts", channel="utm"))
    assert (log.journey_ids.tolist(), log.channel_ids) == (["u"], ("ads",))


def test_write_csv_formats(tmp_path: Path) -> None:
    """write_csv writes ISO UTC times (microseconds only when needed), true/false flags, plain
    numbers and empty missing values; gzip when the name ends in .gz."""
    log = EventLog.from_records(
        [
            {"journey_id": "a", "timestamp": 1.5, "channel": "x", "converted": True, "value": 12.0},
            {"journey_id": "a", "timestamp": 2, "stage": "s", "cost": 0.1},
        ]
    )
    path = tmp_path / "out.csv.gz"
    write_csv(log, path)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    assert lines[1:] == [
        "a,1970-01-01T00:00:01.500000Z,,x,,true,12,,0,,",
        "a,1970-01-01T00:00:02.000000Z,,,s,false,0,,0.1,,",
    ]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.one_of(
            st.just("blank"),
            st.lists(st.text(alphabet='ab,"\n\r x', max_size=4), min_size=1, max_size=4),
            st.text(alphabet='ab,"\r x', max_size=6),  # raw text: stray quotes, lone CRs
        ),
        min_size=1,
        max_size=10,
    ),
    block=st.integers(min_value=1, max_value=9),
    terminator=st.sampled_from(["\r\n", "\n", "\r"]),
)
def test_the_structure_scan_agrees_with_the_csv_module(
    rows: list[Any], block: int, terminator: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The vectorised scan that finds where records start and how many fields they have gives
    what the csv module gives (line numbers by "\\r\\n", "\\n" or a lone "\\r"), also when
    the file is read in blocks of a few bytes, so that quotes, line breaks and records straddle
    blocks. Files the csv writer wrote are always regular; a file the scan calls regular is
    split exactly as the csv module splits it (raw rows may hold stray quotes)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator=terminator)
    written = True
    for row in rows:
        if row == "blank":
            buf.write(terminator)
        elif isinstance(row, str):
            buf.write(row + terminator)
            written = False
        else:
            writer.writerow(row)
    text = buf.getvalue()
    path = tmp_path / "scan.csv"
    path.write_bytes(text.encode("utf-8"))
    expected_lines, expected_fields = [], []
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    last = 0
    for rec in reader:
        if rec:
            expected_lines.append(last + 1)
            expected_fields.append(len(rec))
        last = reader.line_num
    monkeypatch.setattr(_csv, "_BLOCK", block)
    scan = _csv._Structure(path, ",", str(path))
    if written and terminator != "\r":  # the writer leaves a lone CR in a field unquoted
        assert scan.regular
    if scan.regular:
        assert scan.header_fields == (expected_fields[0] if expected_fields else 0)
        assert scan.lines.tolist() == expected_lines[1:]
        assert scan.fields.tolist() == expected_fields[1:]
    n = max(len(expected_lines) - 1, 0)
    assert _csv.record_lines(path, ",", str(path), n).tolist() == expected_lines[1:]


def test_unused_categories_are_dropped() -> None:
    """Categories a frame declares but no row uses (pandas categories, Arrow dictionaries,
    polars Enums) appear neither in the dictionaries nor as empty journeys."""
    df = pd.DataFrame(
        {
            "journey_id": pd.Categorical(["a"], categories=["a", "b"]),
            "timestamp": [0],
            "channel": pd.Categorical(["x"], categories=["w", "x", "z"]),
        }
    )
    expected = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "channel": "x"}])
    for log in (
        EventLog.from_pandas(df),
        EventLog.from_arrow(pa.Table.from_pandas(df, preserve_index=False)),
        EventLog.from_polars(
            pl.DataFrame(
                {
                    "journey_id": pl.Series(["a"], dtype=pl.Enum(["b", "a"])),
                    "timestamp": [0],
                    "channel": pl.Series(["x"], dtype=pl.Enum(["z", "x", "w"])),
                }
            )
        ),
    ):
        assert (log.journey_ids.tolist(), log.channel_ids, len(log)) == (["a"], ("x",), 1)
        assert log.equals(expected)

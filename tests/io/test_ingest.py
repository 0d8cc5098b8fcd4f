"""Ingestion: what rows become, which rows are refused and why, and rows in = used + rejected."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchpath import EventLog, Field, Schema, templates
from touchpath._ingest import Coded, ParsedTimestamps, build_log
from touchpath.exceptions import ConfigError, SchemaError
from touchpath.io import read_csv, read_jsonl
from touchpath.testing.strategies import event_records

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
US = dt.timedelta(microseconds=1)
FIELDS = [f.value for f in Field]
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- an independent reference: the standard library and plain sorting --------------------------


def true_micros(value: Any) -> int:
    """The instant a drawn timestamp stands for, computed with the standard library only."""
    if isinstance(value, dt.datetime):
        return (value - EPOCH) // US
    if isinstance(value, int):
        return value * 1_000_000 if value < 10**11 else value * 1000
    return (dt.datetime.fromisoformat(value) - EPOCH) // US


def reference(records: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Events as tuples sorted by (journey id, instant, input position): a brute-force log.
    Journey ids are brought to the documented normal form (stripped, Unicode NFC)."""
    rows = []
    for i, r in enumerate(records):
        rows.append(
            (
                unicodedata.normalize("NFC", str(r["journey_id"]).strip()),
                true_micros(r["timestamp"]),
                i,
                r.get("touchpoint"),
                r.get("channel"),
                r.get("stage"),
                bool(r.get("converted") or False),
                float(r.get("value") or 0.0),
                r.get("campaign"),
                float(r.get("cost") or 0.0),
                r.get("segment"),
                r.get("account"),
            )
        )
    rows.sort(key=lambda t: (t[0], t[1], t[2]))
    return [t[:2] + t[3:] for t in rows]


def decoded(log: EventLog) -> list[tuple[Any, ...]]:
    """The log's events as the same tuples, read straight from its arrays."""

    def names(field: Field) -> list[str | None]:
        codes, table = log.codes_and_names(field)
        return [None if c < 0 else table[c] for c in codes.tolist()]

    cols = [
        log.journey_ids[log.event_journey].tolist(),
        log.timestamps.tolist(),
        names(Field.TOUCHPOINT),
        names(Field.CHANNEL),
        names(Field.STAGE),
        log.converted.tolist(),
        log.values.tolist(),
        names(Field.CAMPAIGN),
        log.costs.tolist(),
        names(Field.SEGMENT),
        names(Field.ACCOUNT),
    ]
    return list(zip(*cols, strict=True))


@SLOW
@given(event_records(max_size=40))
def test_records_match_a_brute_force_reference(records: list[dict[str, Any]]) -> None:
    """Every valid record becomes one event, sorted by journey id, instant and input position,
    with its fields as given (missing amounts 0, missing flag False)."""
    log = EventLog.from_records(records)
    assert decoded(log) == reference(records)
    assert log.rows_read == len(records)
    assert log.rejected == ()
    assert sorted(log.rows.tolist()) == list(range(len(records)))
    assert log.journey_ids.tolist() == sorted({row[0] for row in reference(records)})


@SLOW
@given(st.data())
def test_row_order_does_not_matter(data: st.DataObject) -> None:
    """Without equal timestamps inside a journey, any permutation of the rows gives an equal
    log."""
    records = data.draw(event_records(max_size=30, unique_times=True))
    shuffled = data.draw(st.permutations(records))
    assert EventLog.from_records(shuffled).equals(EventLog.from_records(records))


@SLOW
@given(
    st.lists(st.integers(min_value=0, max_value=253402300799999999), max_size=30),
    st.data(),
)
def test_sorting_handles_any_time_span(stamps: list[int], data: st.DataObject) -> None:
    """Sorting is right whether journeys and time span fit a packed 62-bit key or not (epoch
    microseconds up to the end of year 9999, about 2**58, with up to 30 journeys, 5 more bits):
    compared with Python's sort of (journey, time, position)."""
    names = [f"j{k:02d}" for k in range(32)]
    journeys = data.draw(
        st.lists(st.sampled_from(names), min_size=len(stamps), max_size=len(stamps))
    )
    records = [
        {"journey_id": j, "timestamp": t, "channel": f"c{i}"}
        for i, (j, t) in enumerate(zip(journeys, stamps, strict=True))
    ]
    log = EventLog.from_records(records, schema=Schema(timestamp_unit="us"))
    expected = sorted(range(len(records)), key=lambda i: (journeys[i], stamps[i], i))
    assert log.rows.tolist() == expected
    assert log.timestamps.tolist() == [stamps[i] for i in expected]


# -- bad rows of every kind ---------------------------------------------------------------------

GOOD_TIME = "2025-01-01T00:00:00Z"
BAD_ROWS: dict[str, tuple[dict[str, Any], str | None]] = {
    # kind: (record, field the rejection names)
    "bad-timestamp": ({"journey_id": "b", "timestamp": "not a time", "channel": "c"}, "timestamp"),
    "naive-timestamp": (
        {"journey_id": "b", "timestamp": "2025-01-01T00:00:00", "channel": "c"},
        "timestamp",
    ),
    "missing-timestamp": ({"journey_id": "b", "channel": "c"}, "timestamp"),
    "negative-value": (
        {
            "journey_id": "b",
            "timestamp": GOOD_TIME,
            "channel": "c",
            "converted": True,
            "value": -5.0,
        },
        "value",
    ),
    "nan-value": (
        {"journey_id": "b", "timestamp": GOOD_TIME, "channel": "c", "value": math.nan},
        "value",
    ),
    "negative-cost": (
        {"journey_id": "b", "timestamp": GOOD_TIME, "channel": "c", "cost": -0.5},
        "cost",
    ),
    "bad-flag": (
        {"journey_id": "b", "timestamp": GOOD_TIME, "channel": "c", "converted": "maybe"},
        "converted",
    ),
    "empty-journey-id": ({"journey_id": "", "timestamp": GOOD_TIME, "channel": "c"}, "journey_id"),
    "blank-journey-id": (
        {"journey_id": "   ", "timestamp": GOOD_TIME, "channel": "c"},
        "journey_id",
    ),
    "nothing": ({}, "journey_id"),
    "no-touch": ({"journey_id": "b", "timestamp": GOOD_TIME}, None),
}
FILE_ONLY = {"csv": ["ragged"], "jsonl": ["invalid-json", "not-an-object"]}


def csv_text(value: Any) -> str:
    """How a record value is written in a CSV field."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def write_csv_rows(path: Path, rows: list[dict[str, Any] | str]) -> list[int]:
    """Write rows (dicts, or the marker "ragged") as CSV; return each row's first line
    (line ends are "\\r\\n", "\\n" or a lone "\\r", as the csv module and editors count them)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")  # so that fields holding "\r" are quoted
    writer.writerow(FIELDS)
    lines = []
    for row in rows:
        lines.append(len(re.findall("\r\n|\r|\n", buf.getvalue())) + 1)
        if row == "ragged":
            writer.writerow(["b", GOOD_TIME])
        else:
            assert isinstance(row, dict)
            writer.writerow([csv_text(row.get(f)) for f in FIELDS])
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return lines


def json_value(value: Any) -> Any:
    """How a record value is written in JSON (datetimes as ISO text)."""
    return value.isoformat() if isinstance(value, dt.datetime) else value


def write_jsonl_rows(path: Path, rows: list[dict[str, Any] | str]) -> list[int]:
    """Write rows (dicts, or the markers "invalid-json" / "not-an-object") as JSON Lines."""
    out = []
    for row in rows:
        if row == "invalid-json":
            out.append('{"journey_id": "b", "timestamp": ')
        elif row == "not-an-object":
            out.append('["b", "2025-01-01T00:00:00Z"]')
        else:
            assert isinstance(row, dict)
            out.append(json.dumps({k: json_value(v) for k, v in row.items()}))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return list(range(1, len(rows) + 1))


SOURCES = ["records", "csv-python", "csv-pyarrow", "jsonl"]


def read_source(
    source: str, rows: list[dict[str, Any] | str], tmp: Path, **options: Any
) -> tuple[EventLog, list[int] | None]:
    """Feed rows to one reader; return the log and each row's line (None for records)."""
    if source == "records":
        assert all(isinstance(r, dict) for r in rows)
        return EventLog.from_records(rows, **options), None  # type: ignore[arg-type]
    if source.startswith("csv"):
        path = tmp / "events.csv"
        lines = write_csv_rows(path, rows)
        engine = source.partition("-")[2]
        return read_csv(path, engine=engine, **options), lines  # type: ignore[arg-type]
    path = tmp / "events.jsonl"
    lines = write_jsonl_rows(path, rows)
    return read_jsonl(path, **options), lines


def kinds_for(source: str) -> list[str]:
    """The kinds of bad row a source can have (files add their own)."""
    extra = FILE_ONLY["csv"] if source.startswith("csv") else FILE_ONLY.get(source, [])
    return [*BAD_ROWS, *extra]


@pytest.mark.parametrize("source", SOURCES, ids=SOURCES)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_rows_used_plus_rejected_equals_rows_read(
    source: str, data: st.DataObject, tmp_path: Path
) -> None:
    """Good rows and bad rows of every kind, interleaved at random: every bad row is rejected
    (at its position and line), every good row is used, nothing else happens, and the log equals
    the log of the good rows alone."""
    good = data.draw(event_records(min_size=1, max_size=12))
    good[0].setdefault("channel", None)  # records and JSON Lines learn columns from the rows
    kinds = data.draw(st.lists(st.sampled_from(kinds_for(source)), max_size=10))
    tagged: list[tuple[str, int]] = [("good", i) for i in range(len(good))]
    tagged += [("bad", i) for i in range(len(kinds))]
    order = data.draw(st.permutations(tagged))
    rows: list[dict[str, Any] | str] = []
    good_in_order = []
    for what, i in order:
        if what == "good":
            rows.append(good[i])
            good_in_order.append(good[i])
        else:
            kind = kinds[i]
            rows.append(dict(BAD_ROWS[kind][0]) if kind in BAD_ROWS else kind)
    log, lines = read_source(source, rows, tmp_path, on_error="collect")
    bad_positions = [p for p, (what, _) in enumerate(order) if what == "bad"]
    assert log.rows_read == len(rows)
    assert log.n_events + len(log.rejected) == log.rows_read
    assert [r.row for r in log.rejected] == bad_positions
    if lines is not None:
        assert [r.line for r in log.rejected] == [lines[p] for p in bad_positions]
    assert log.equals(EventLog.from_records(good_in_order))


CASES = [(source, kind) for source in SOURCES for kind in kinds_for(source)]


@pytest.mark.parametrize(("source", "kind"), CASES, ids=[f"{s}-{k}" for s, k in CASES])
def test_the_first_bad_row_raises_with_where_and_what(
    source: str, kind: str, tmp_path: Path
) -> None:
    """With on_error="raise", a bad row (after two good ones) raises a SchemaError naming the
    source file and line (or the row), the field and the raw value."""
    ok = {"journey_id": "a", "timestamp": GOOD_TIME, "channel": "c"}
    bad: dict[str, Any] | str = dict(BAD_ROWS[kind][0]) if kind in BAD_ROWS else kind
    with pytest.raises(SchemaError) as info:
        read_source(source, [ok, dict(ok), bad], tmp_path)
    err = info.value
    assert isinstance(err, ValueError)
    if source == "records":
        assert err.line is None
        assert "row 2" in str(err)
    else:
        assert err.source is not None
        assert err.source.endswith(("events.csv", "events.jsonl"))
        header = 1 if source.startswith("csv") else 0
        assert err.line == 3 + header
        assert f"line {3 + header}" in str(err)
    if kind in BAD_ROWS:
        field = BAD_ROWS[kind][1]
        assert err.field == field
        if field is not None and isinstance(bad, dict):
            raw = bad.get(field)
            if source.startswith("csv"):
                assert err.value == csv_text(raw)  # the text as written in the file
            elif isinstance(raw, float) and math.isnan(raw):
                assert isinstance(err.value, float)
                assert math.isnan(err.value)
            else:
                assert err.value == raw


def test_a_naive_timestamp_is_fine_with_a_time_zone() -> None:
    """Naive wall times are read in the named zone: 09:00 in Paris is 08:00Z in winter and
    07:00Z in summer (CET +1, CEST +2)."""
    log = EventLog.from_records(
        [
            {"journey_id": "a", "timestamp": "2025-01-15T09:00:00", "channel": "c"},
            {"journey_id": "a", "timestamp": dt.datetime(2025, 7, 15, 9), "channel": "c"},
        ],
        timezone="Europe/Paris",
    )
    expected = [
        (dt.datetime(2025, 1, 15, 8, tzinfo=dt.UTC) - EPOCH) // US,
        (dt.datetime(2025, 7, 15, 7, tzinfo=dt.UTC) - EPOCH) // US,
    ]
    assert log.timestamps.tolist() == expected


@pytest.mark.parametrize(
    ("unit", "raw", "expected_us"),
    [
        ("auto", 1_735_689_600, 1_735_689_600_000_000),
        ("auto", 1_735_689_600_000, 1_735_689_600_000_000),
        ("s", 5, 5_000_000),
        ("ms", 5, 5_000),
        ("us", 5, 5),
        ("ns", 5_000, 5),
        ("auto", "1735689600", 1_735_689_600_000_000),
        ("auto", 1.5, 1_500_000),
    ],
    ids=["auto-s", "auto-ms", "s", "ms", "us", "ns", "digits", "float-s"],
)
def test_epoch_units(unit: Any, raw: Any, expected_us: int) -> None:
    """Epoch numbers are read in the schema's unit ("auto": below 1e11 seconds, else ms)."""
    log = EventLog.from_records(
        [{"journey_id": "a", "timestamp": raw, "stage": "s"}], schema=Schema(timestamp_unit=unit)
    )
    assert log.timestamps.tolist() == [expected_us]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("yes", True),
        ("No", False),
        (" TRUE ", True),
        ("f", False),
        ("1", True),
        ("", False),
        (None, False),
    ],
    ids=[
        "true",
        "false",
        "one",
        "zero",
        "yes",
        "No",
        "TRUE-padded",
        "f",
        "text-1",
        "empty",
        "none",
    ],
)
def test_boolean_like_flags(raw: Any, expected: bool) -> None:
    """Conversion flags accept booleans, 0/1 and true/false/yes/no text in any case; missing is
    False."""
    log = EventLog.from_records(
        [{"journey_id": "a", "timestamp": 0, "stage": "s", "converted": raw}]
    )
    assert log.converted.tolist() == [expected]


def test_booleans_are_not_confused_with_one_and_zero() -> None:
    """True == 1 in Python, yet a boolean journey id or channel is refused while 1 is the id "1"
    (whichever comes first)."""
    for first, second in ((1, True), (True, 1)):
        log = EventLog.from_records(
            [
                {"journey_id": first, "timestamp": 0, "channel": "c"},
                {"journey_id": second, "timestamp": 0, "channel": "c"},
                {"journey_id": "x", "timestamp": 0, "channel": first},
                {"journey_id": "x", "timestamp": 1, "channel": second},
            ],
            on_error="collect",
        )
        bad = {r.row for r in log.rejected}
        assert bad == ({0, 2} if first is True else {1, 3})
        assert log.journey_ids.tolist() == ["1", "x"]


def test_amounts_from_text_and_numbers() -> None:
    """Values and costs may be numbers or numeric text; empty text and None are 0."""
    rows = [
        {"journey_id": "a", "timestamp": i, "stage": "s", "converted": True, "value": v, "cost": c}
        for i, (v, c) in enumerate([("12.5", 1), (3, ""), (None, " 2 "), ("1e3", None)] * 5)
    ]
    log = EventLog.from_records(rows)
    assert log.values.tolist() == [12.5, 3.0, 0.0, 1000.0] * 5
    assert log.costs.tolist() == [1.0, 0.0, 2.0, 0.0] * 5


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("abc", "not a number"),
        (True, "must be a number, not a boolean"),
        (float("inf"), "must be finite"),
        ([1], "must be a number (got a list)"),
    ],
    ids=["text", "bool", "inf", "list"],
)
def test_bad_amounts_are_named(value: Any, reason: str) -> None:
    """A value that is not a non-negative finite number is rejected with the reason."""
    rows = [{"journey_id": "a", "timestamp": i, "stage": "s", "value": 1.0} for i in range(20)]
    rows[7]["value"] = value
    log = EventLog.from_records(rows, on_error="collect")
    assert [(r.row, r.field, r.reason) for r in log.rejected] == [(7, "value", reason)]


def test_schema_maps_and_ignores_columns() -> None:
    """A Schema renames fields; a field set to None is ignored even when the column exists."""
    log = EventLog.from_records(
        [{"user": "u", "ts": 0, "utm": "ads", "stage": "awareness"}],
        schema=Schema(journey_id="user", timestamp="ts", channel="utm", stage=None),
    )
    assert (log.journey_ids.tolist(), log.channel_ids, log.stage_ids) == (["u"], ("ads",), ())


def test_missing_required_columns_are_named() -> None:
    """A missing journey id or timestamp column, or no touchpoint/channel/stage column, raises a
    SchemaError that names the column and the columns found."""
    with pytest.raises(SchemaError, match=r"missing required column 'timestamp'.*'journey_id'"):
        EventLog.from_records([{"journey_id": "a", "channel": "c"}])
    with pytest.raises(SchemaError, match="touchpoint, channel or stage"):
        EventLog.from_records([{"journey_id": "a", "timestamp": 0}])
    with pytest.raises(SchemaError, match="each record must be a mapping"):
        EventLog.from_records([("a", 0)])  # type: ignore[list-item]


def test_a_journey_map_fills_channel_and_stage() -> None:
    """A touchpoint the map knows brings its channel and stage where the row leaves them empty;
    a channel the row gives is kept."""
    m = templates.get("b2b_five_stage")
    tp = m.touchpoint("pricing_page")
    log = EventLog.from_records(
        [
            {"journey_id": "a", "timestamp": 0, "touchpoint": "pricing_page"},
            {"journey_id": "a", "timestamp": 1, "touchpoint": "pricing_page", "channel": "own"},
            {"journey_id": "a", "timestamp": 2, "touchpoint": "unknown"},
        ],
        journey_map=m,
    )
    events = log.journey("a").events
    assert [(e.channel, e.stage) for e in events] == [
        (tp.channel.id, tp.stage),
        ("own", tp.stage),
        (None, None),
    ]


def test_bad_options() -> None:
    """on_error must be raise or collect; a time zone must exist."""
    rec = [{"journey_id": "a", "timestamp": 0, "stage": "s"}]
    with pytest.raises(ConfigError, match="'on_error'"):
        EventLog.from_records(rec, on_error="ignore")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unknown time zone"):
        EventLog.from_records(rec, timezone="Mars/Olympus")


# -- the columnar entry points readers use -----------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.sampled_from(["a", "b", "", "  ", "yes", "0", "12.5", "-1", "x"])),
        min_size=1,
        max_size=40,
    )
)
def test_coded_columns_read_like_plain_ones(values: list[str | None]) -> None:
    """A Coded column (codes into distinct values, -1 missing) gives exactly what the same
    values as a plain list give, for every kind of field."""
    n = len(values)
    distinct = list(dict.fromkeys(v for v in values if v is not None))
    codes = np.array([-1 if v is None else distinct.index(v) for v in values])
    base: dict[Field, Any] = {
        Field.JOURNEY_ID: ["j"] * n,
        Field.TIMESTAMP: list(range(n)),
        Field.STAGE: ["s"] * n,
    }
    for field in (Field.CHANNEL, Field.CONVERTED, Field.VALUE, Field.JOURNEY_ID):
        plain = build_log({**base, field: values}, n, on_error="collect")
        coded = build_log({**base, field: Coded(codes, distinct)}, n, on_error="collect")
        assert coded.equals(plain)
        assert [(r.row, r.reason, r.value) for r in coded.rejected] == [
            (r.row, r.reason, r.value) for r in plain.rejected
        ]


def test_parsed_timestamps_are_used_as_they_are() -> None:
    """ParsedTimestamps carry microseconds and bad rows with their raw value and reason."""
    col = ParsedTimestamps(np.array([5, 0, 7]), {1: ("nope", "not an ISO-8601 timestamp")})
    log = build_log(
        {Field.JOURNEY_ID: ["a", "a", "a"], Field.TIMESTAMP: col, Field.STAGE: ["s"] * 3},
        3,
        on_error="collect",
    )
    assert log.timestamps.tolist() == [5, 7]
    assert [(r.row, r.value, r.reason) for r in log.rejected] == [
        (1, "nope", "not an ISO-8601 timestamp")
    ]


def test_rows_the_reader_refused_are_rejected_first() -> None:
    """Rows a reader could not split (``invalid``) are rejected with the reader's reason, ahead
    of anything their column entries would say."""
    log = build_log(
        {Field.JOURNEY_ID: ["a", None], Field.TIMESTAMP: [0, None], Field.STAGE: ["s", None]},
        2,
        on_error="collect",
        invalid={1: (None, "{oops", "not valid JSON")},
        lines=np.array([1, 2]),
    )
    assert [(r.row, r.line, r.value, r.reason) for r in log.rejected] == [
        (1, 2, "{oops", "not valid JSON")
    ]


def test_column_lengths_must_agree() -> None:
    """A column with the wrong number of values is a SchemaError naming the column."""
    with pytest.raises(SchemaError, match="column has 1 values but the input has 2 rows"):
        build_log({Field.JOURNEY_ID: ["a"], Field.TIMESTAMP: [0, 1], Field.STAGE: ["s", "s"]}, 2)


@pytest.mark.parametrize(
    "make",
    [lambda: [{"journey_id": "a", "timestamp": 0, "stage": "s"}] * 3, list],
    ids=["three", "empty"],
)
def test_rows_read_counts_every_row(make: Callable[[], list[dict[str, Any]]]) -> None:
    """rows_read counts the input rows, also for an empty input."""
    recs = make()
    assert EventLog.from_records(recs).rows_read == len(recs)

"""Bad input: a clear error or a rejected row, never a crash and never a lost row.

Every file here is written by hand, so the bad line, its field and the counts are known
without running the reader: rows read = rows used + rows rejected, and the error names the
file, the line and the field.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from touchpath import EventLog, cli
from touchpath.attribution import LastTouch, Markov, TimeDecay, attribute, bootstrap
from touchpath.exceptions import ConfigError, SchemaError
from touchpath.io import read_csv, read_jsonl

ENGINES = ["python", "pyarrow"]
HEADER = b"journey_id,timestamp,channel\n"
GOOD = b"j1,2025-01-01T00:00:00Z,ads\n"
BAD_TS = b"j3,nope,ads\n"


def rejected(log: EventLog) -> list[tuple[int, int | None, str | None, str]]:
    """(row, line, field, reason) of each rejected row."""
    return [(r.row, r.line, r.field, r.reason) for r in log.rejected]


# -- compressed files ------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_truncated_gz_names_the_file_and_the_line_where_it_breaks(
    engine: Any, tmp_path: Path
) -> None:
    """Cutting the last bytes of a gzip stream loses its end marker: the reader cannot know
    how many rows are missing, so even ``collect`` mode raises, naming the file and a line
    after the header (the rows before it were readable)."""
    path = tmp_path / "events.csv.gz"
    path.write_bytes(gzip.compress(HEADER + GOOD * 2000)[:-20])
    for on_error in ("raise", "collect"):
        with pytest.raises(SchemaError, match=r"events\.csv\.gz line \d+: .*truncated") as info:
            read_csv(path, engine=engine, on_error=on_error)
        assert info.value.line is not None
        assert 1 < info.value.line <= 2002


@pytest.mark.parametrize("reader", [read_csv, read_jsonl], ids=["csv", "jsonl"])
def test_a_gz_name_on_plain_text_is_refused_and_gzip_content_is_read(
    reader: Callable[..., EventLog], tmp_path: Path
) -> None:
    """A ``.gz`` name on a file that is not gzip is a SchemaError naming the file; gzip
    content under a plain name is read by its content (one event, written by hand)."""
    text = (
        HEADER + GOOD
        if reader is read_csv
        else b'{"journey_id": "j1", "timestamp": "2025-01-01T00:00:00Z", "channel": "ads"}\n'
    )
    suffix = ".csv" if reader is read_csv else ".jsonl"
    wrong = tmp_path / f"events{suffix}.gz"
    wrong.write_bytes(text)
    with pytest.raises(SchemaError, match=rf"events\{suffix}\.gz: .*not gzip-compressed"):
        reader(wrong)
    hidden = tmp_path / f"hidden{suffix}"
    hidden.write_bytes(gzip.compress(text))
    log = reader(hidden)
    assert (log.n_events, log.rows_read) == (1, 1)


# -- bytes that are not text -----------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bad_byte_rejects_only_its_row(engine: Any, tmp_path: Path) -> None:
    """Line 3 holds the byte 0xff in the channel field: raise names line 3 and the field;
    collect rejects that row alone and reads the two others (3 read = 2 used + 1 rejected)."""
    path = tmp_path / "events.csv"
    path.write_bytes(HEADER + GOOD + b"j2,2025-01-01T00:00:00Z,a\xffb\n" + GOOD)
    with pytest.raises(SchemaError, match=r"events\.csv line 3, field 'channel': not valid utf-8"):
        read_csv(path, engine=engine)
    log = read_csv(path, engine=engine, on_error="collect")
    assert (log.rows_read, log.n_events) == (3, 2)
    assert rejected(log) == [(1, 3, "channel", "not valid utf-8 text")]
    assert log.rejected[0].value == "a\\xffb"


def test_a_bad_byte_far_into_a_big_file_has_the_right_line(tmp_path: Path) -> None:
    """Far beyond the decoder's first block (100,000 good rows), the bad row is still named
    by its own line: header + 100,000 rows puts it on line 100,002."""
    path = tmp_path / "events.csv"
    path.write_bytes(HEADER + GOOD * 100_000 + b"j2,2025-01-01T00:00:00Z,\xe9\n")
    log = read_csv(path, on_error="collect")
    assert (log.rows_read, log.n_events) == (100_001, 100_000)
    assert rejected(log) == [(100_000, 100_002, "channel", "not valid utf-8 text")]


def test_jsonl_bad_bytes_and_duplicate_keys_reject_their_line(tmp_path: Path) -> None:
    """A JSON object naming a key twice, or holding a byte that is not UTF-8, is one rejected
    row with its line; the other lines are read (4 read = 2 used + 2 rejected). The 0xff is
    the 18th byte of its line: 16 for '{"journey_id": "', then 'j'."""
    good = b'{"journey_id": "j1", "timestamp": "2025-01-01T00:00:00Z", "channel": "ads"}\n'
    path = tmp_path / "events.jsonl"
    path.write_bytes(
        good
        + b'{"journey_id": "j2", "timestamp": 0, "channel": "a", "channel": "b"}\n'
        + b'{"journey_id": "j\xff", "timestamp": 0, "channel": "a"}\n'
        + good
    )
    log = read_jsonl(path, on_error="collect")
    assert (log.rows_read, log.n_events) == (4, 2)
    assert [(r.line, r.reason) for r in log.rejected] == [
        (2, "the key 'channel' appears twice in one object"),
        (3, "not valid utf-8 text (byte b'\\xff' at byte 18 of the line)"),
    ]
    with pytest.raises(SchemaError, match=r"events\.jsonl line 2: the key 'channel' appears"):
        read_jsonl(path)


# -- awkward CSV: every engine gives the same log, rejections and lines ---------------------

AWKWARD: dict[str, tuple[bytes, int, int, list[tuple[int, int, str | None]]]] = {
    # name: (file bytes, rows read, events used, [(row, line, field)] rejected), by hand
    "very long field": (HEADER + GOOD + b"j2,2025-01-01T00:00:00Z," + b"x" * 300_000 + b"\n"
                        + BAD_TS + GOOD, 4, 3, [(2, 4, "timestamp")]),
    "bare CR in a quoted field": (HEADER + GOOD + b'j2,2025-01-01T00:00:00Z,"a\rb"\n' + BAD_TS
                                  + GOOD, 4, 3, [(2, 5, "timestamp")]),
    # an unquoted lone CR ends the line: "b" is a row of one field on line 4
    "bare CR outside quotes": (HEADER + GOOD + b"j2,2025-01-01T00:00:00Z,a\rb\n" + BAD_TS
                               + GOOD, 5, 3, [(2, 4, None), (3, 5, "timestamp")]),
    "CR-only line ends": ((HEADER + GOOD + BAD_TS + GOOD).replace(b"\n", b"\r"), 3, 2,
                          [(1, 3, "timestamp")]),
    "stray quote inside a field": (HEADER + GOOD + b'j2,2025-01-01T00:00:00Z,a"b\n' + BAD_TS
                                   + GOOD, 4, 3, [(2, 4, "timestamp")]),
    "text after a closing quote": (HEADER + GOOD + b'j2,2025-01-01T00:00:00Z,"a"b\n' + BAD_TS
                                   + GOOD, 4, 3, [(2, 4, "timestamp")]),
    "ragged rows": (HEADER + GOOD + b"j2,2025-01-01T00:00:00Z\nj2,0,a,b\n" + BAD_TS + GOOD, 5,
                    2, [(1, 3, None), (2, 4, None), (3, 5, "timestamp")]),
}  # fmt: skip


@pytest.mark.parametrize("name", list(AWKWARD))
def test_engines_agree_on_awkward_files(name: str, tmp_path: Path) -> None:
    """Each engine reads the same events, rejects the same rows with the same reasons and
    the same (hand-counted) lines; raise mode names the first bad line."""
    data, n_read, n_used, expected = AWKWARD[name]
    path = tmp_path / "events.csv"
    path.write_bytes(data)
    logs = {e: read_csv(path, engine=e, on_error="collect") for e in ENGINES}  # type: ignore[arg-type]
    for log in logs.values():
        assert (log.rows_read, log.n_events) == (n_read, n_used)
        assert [(r.row, r.line, r.field) for r in log.rejected] == expected
    python, pyarrow = logs["python"], logs["pyarrow"]
    assert python.equals(pyarrow)
    assert [(r.value, r.reason) for r in python.rejected] == [
        (r.value, r.reason) for r in pyarrow.rejected
    ]
    for engine in ENGINES:
        with pytest.raises(SchemaError, match=rf"events\.csv line {expected[0][1]}\b"):
            read_csv(path, engine=engine)  # type: ignore[arg-type]


def test_one_ragged_row_keeps_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ragged row is rejected inside the pyarrow engine: the Python reader is never
    called (it would hold the whole file as Python text)."""
    from touchpath.io import _csv

    def refuse(*args: Any) -> EventLog:
        raise AssertionError("the Python engine was used")

    monkeypatch.setattr(_csv, "_read_python", refuse)
    path = tmp_path / "events.csv"
    path.write_bytes(HEADER + GOOD * 1000 + b"j2,2025-01-01T00:00:00Z,a,extra\n" + GOOD * 1000)
    log = read_csv(path, engine="pyarrow", on_error="collect")
    assert (log.rows_read, log.n_events) == (2001, 2000)
    assert [(r.row, r.line, r.value, r.reason) for r in log.rejected] == [
        (1000, 1002, "j2,2025-01-01T00:00:00Z,a,extra", "expected 3 fields, got 4")
    ]


# -- frames with values no column can hold ---------------------------------------------------


def test_pandas_object_columns_of_lists_and_dicts_are_rejected_rows() -> None:
    """A list or a dict in an object column is a bad value of its row (never a TypeError):
    rows 0 and 1 are rejected, row 2 is used."""
    df = pd.DataFrame(
        {
            "journey_id": ["a", "b", "c"],
            "timestamp": ["2025-01-01T00:00:00Z"] * 3,
            "channel": [["x"], {"k": 1}, "ok"],
        }
    )
    log = EventLog.from_pandas(df, on_error="collect")
    assert (log.rows_read, log.n_events) == (3, 1)
    assert [(r.row, r.field, r.reason) for r in log.rejected] == [
        (0, "channel", "must be text (got a list)"),
        (1, "channel", "must be text (got a dict)"),
    ]
    with pytest.raises(SchemaError, match=r"row 0, field 'channel': must be text"):
        EventLog.from_pandas(df)


def test_arrow_nested_and_dictionary_columns_with_nulls() -> None:
    """A list column is rejected row by row (never ArrowNotImplementedError); a dictionary
    column with a null index and a null dictionary entry reads both as missing."""
    ts = pa.array(["2025-01-01T00:00:00Z"] * 3)
    nested = pa.table(
        {"journey_id": ["a", "b", "c"], "timestamp": ts, "channel": [["x"], ["y"], None]}
    )
    log = EventLog.from_arrow(nested, on_error="collect")
    assert (log.rows_read, log.n_events) == (3, 0)
    assert [r.reason for r in log.rejected[:2]] == ["must be text (got a list)"] * 2
    channel = pa.DictionaryArray.from_arrays(pa.array([0, None, 1]), pa.array(["x", None]))
    stage = pa.DictionaryArray.from_arrays(pa.array([0, 0, 0]), pa.array(["s"]))
    table = pa.table({"journey_id": ["a", "b", "c"], "timestamp": ts, "channel": channel,
                      "stage": stage})  # fmt: skip
    log = EventLog.from_arrow(table)
    assert [e.channel for j in log for e in j] == ["x", None, None]


# -- numeric options -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: Markov(order=10**30),
        lambda: Markov(order=62),
        lambda: TimeDecay(half_life=10**30),
        lambda: TimeDecay(half_life=1e-300),
        lambda: read_csv("unused.csv", delimiter="\u00e9"),
        lambda: read_csv("unused.csv", delimiter="\x00"),
        lambda: read_csv("unused.csv", encoding="no-such-codec"),
    ],
    ids=["order-huge", "order-62", "half-life-huge", "half-life-tiny", "delimiter-non-ascii",
         "delimiter-nul", "encoding"],
)  # fmt: skip
def test_nonsense_numeric_options_are_config_errors(make: Callable[[], object]) -> None:
    """Options no data could make sense of are refused up front as ConfigError (never an
    OverflowError or ValueError from deep inside)."""
    with pytest.raises(ConfigError):
        make()


def test_bootstrap_refuses_nonsense_counts_and_seeds() -> None:
    """More resamples than memory holds, or a negative seed, are ConfigErrors."""
    log = EventLog.from_records(
        [{"journey_id": "a", "timestamp": 0, "channel": "x", "converted": True}]
    )
    with pytest.raises(ConfigError, match="'n' must be at most"):
        bootstrap(log, LastTouch(), n=10**30)
    with pytest.raises(ConfigError, match="'seed'"):
        bootstrap(log, LastTouch(), seed=-1)


def test_markov_at_the_highest_order_counts_without_overflow() -> None:
    """Order 61 is the highest allowed. States are numbered from the observed histories column
    by column, never as base ** order codes, so even 3**61 possible states count without an
    OverflowError; the one conversion is credited in full (efficiency: 1.0 in all)."""
    log = EventLog.from_records(
        [
            {"journey_id": "a", "timestamp": 0, "channel": "x"},
            {"journey_id": "a", "timestamp": 1, "channel": "y", "converted": True},
        ]
    )
    counts = Markov(order=61).counts(log)
    assert counts.order == 61
    credits = attribute(log, Markov(order=61)).credits()
    assert sum(credits.values()) == pytest.approx(1.0)
    with pytest.raises(ConfigError, match="order"):
        Markov(order=62)


# -- the command line ------------------------------------------------------------------------


CLI_CASES = {
    "truncated.csv.gz": gzip.compress(HEADER + GOOD * 2000)[:-20],
    "mislabelled.csv.gz": HEADER + GOOD,
    "bytes.csv": HEADER + GOOD + b"j2,2025-01-01T00:00:00Z,\xff\n",
    "naive.csv": HEADER + b"j1,2025-01-01T00:00:00,ads\n",
    "ragged.csv": HEADER + b"j1,2025-01-01T00:00:00Z\n",
    "dupkey.jsonl": b'{"journey_id": "j", "timestamp": 0, "channel": "a", "channel": "b"}\n',
    "bytes.jsonl": b'{"journey_id": "\xff", "timestamp": 0, "channel": "a"}\n',
    "empty.csv": b"",
    "header-only-bytes.csv": b"journey_id,timestamp,\xff\n",
}


@pytest.mark.parametrize("name", list(CLI_CASES))
def test_the_cli_reports_bad_input_in_one_line_with_exit_code_2(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every bad input above is one line on stderr naming the file, exit code 2, no
    traceback, and nothing on stdout."""
    path = tmp_path / name
    path.write_bytes(CLI_CASES[name])
    code = cli.main(["attribute", str(path), "--model", "last-touch"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert name in err
    assert "Traceback" not in err

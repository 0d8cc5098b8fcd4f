"""Every reader, fed the same random good and bad rows, accounts for every row and agrees.

The rows are text (as a file or a frame of strings holds them); each is written through
records, CSV (both engines), JSON Lines, pandas, polars and Arrow. The oracle is the readers
themselves against each other plus the counting identity: rows read = rows used + rows
rejected, and the rejected rows (by position and field) are the same for all.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchpath import EventLog
from touchpath.io import read_csv, read_jsonl

COLUMNS = ("journey_id", "timestamp", "channel", "converted", "value")

ids = st.sampled_from(["a", "b", " a", "a ", "caf\u00e9", "cafe\u0301", "", " ", "7"])
stamps = st.one_of(
    st.sampled_from(
        [
            "2025-01-01T00:00:00Z",
            "2025-01-01T01:00:00+01:00",
            "2025-01-01 09:30:00.250Z",
            "2025-06-01T12:00:00-04:00",
            "2025-03-30T02:30:00",  # naive, in the Paris gap
            "2025-01-01T00:00:00",  # naive, fine in Paris
            "1735689600",
            "yesterday",
            "",
            "9999-12-31T23:59:59-01:00",
            "2025-01-01T00:00:00.1234567Z",
            "2025-02-30T00:00:00Z",
        ]
    ),
    st.integers(min_value=0, max_value=4_102_444_800).map(str),
)
channels = st.sampled_from(["ads", "email", "", "line\nbreak", 'quo"te', "comma,here", "\r"])
flags = st.sampled_from(["true", "false", "", "yes", "maybe", "1"])
amounts = st.sampled_from(["", "0", "12.5", "-3", "abc", "nan", "1e3"])
rows_strategy = st.lists(st.tuples(ids, stamps, channels, flags, amounts), min_size=1, max_size=15)


def _to_csv(rows: list[tuple[str, ...]], path: Path) -> None:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")


def _read_all(rows: list[tuple[str, ...]], tmp: Path) -> dict[str, EventLog]:
    options: dict[str, Any] = {"on_error": "collect", "timezone": "Europe/Paris"}
    columns = {c: [r[k] for r in rows] for k, c in enumerate(COLUMNS)}
    path = tmp / "events.csv"
    _to_csv(rows, path)
    jsonl = tmp / "events.jsonl"
    jsonl.write_text(
        "".join(json.dumps(dict(zip(COLUMNS, r, strict=True))) + "\n" for r in rows),
        encoding="utf-8",
    )
    records = [dict(zip(COLUMNS, r, strict=True)) for r in rows]
    return {
        "records": EventLog.from_records(records, **options),
        "csv-python": read_csv(path, engine="python", **options),
        "csv-pyarrow": read_csv(path, engine="pyarrow", **options),
        "jsonl": read_jsonl(jsonl, **options),
        "pandas": EventLog.from_pandas(pd.DataFrame(columns), **options),
        "polars": EventLog.from_polars(pl.DataFrame(columns), **options),
        "arrow": EventLog.from_arrow(pa.table(columns), **options),
    }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rows=rows_strategy)
def test_every_reader_accounts_for_every_row_and_they_agree(
    rows: list[tuple[str, ...]], tmp_path: Path
) -> None:
    """rows read = used + rejected for each reader; all readers build equal logs and reject
    the same rows for the same field."""
    logs = _read_all(rows, tmp_path)
    reference = logs["records"]
    for name, log in logs.items():
        assert log.rows_read == len(rows), name
        assert log.n_events + len(log.rejected) == log.rows_read, name
        assert [(r.row, r.field) for r in log.rejected] == [
            (r.row, r.field) for r in reference.rejected
        ], name
        assert log.equals(reference), name

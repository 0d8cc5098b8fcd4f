"""The pending checks as polars and Arrow tables, twins of ``pending_to_pandas``."""

from __future__ import annotations

import datetime as dt

import pytest

from touchpath.validation import MaxDwell, validate

from ._helpers import linear, stages_log

ABCD = linear("a", "b", "c", "d")


def test_pending_to_arrow() -> None:
    """Journey j entered b at 2025-01-01 00:00 UTC (the helper's T0) with 1 day allowed and
    never left: one pending check, due at 2025-01-02 00:00 UTC (by hand)."""
    pa = pytest.importorskip("pyarrow")
    report = validate(stages_log({"j": ["b"]}), ABCD, [MaxDwell("b", "1 day")])
    table = report.pending_to_arrow()
    assert table.num_rows == 1
    assert table.column("journey_id").to_pylist() == ["j"]
    assert table.schema.field("due").type == pa.timestamp("us", tz="UTC")
    due = table.column("due")[0].as_py()
    assert due == dt.datetime(2025, 1, 2, tzinfo=dt.UTC)
    assert table.column_names == list(report.pending_to_pandas().columns)


def test_pending_to_polars() -> None:
    """The same pending check as a polars frame: same columns as pandas, due one day after
    entering b (by hand)."""
    pytest.importorskip("polars")
    report = validate(stages_log({"j": ["b"]}), ABCD, [MaxDwell("b", "1 day")])
    frame = report.pending_to_polars()
    assert frame.height == 1
    assert frame["journey_id"].to_list() == ["j"]
    assert frame["due"][0] == dt.datetime(2025, 1, 2, tzinfo=dt.UTC)
    assert frame.columns == list(report.pending_to_pandas().columns)


def test_no_pending_is_an_empty_table() -> None:
    """A journey that left b in time has nothing pending: empty tables, columns kept."""
    pytest.importorskip("pyarrow")
    pytest.importorskip("polars")
    report = validate(stages_log({"j": ["b", "c"]}), ABCD, [MaxDwell("b", "1 day")])
    assert report.pending_to_arrow().num_rows == 0
    assert report.pending_to_polars().height == 0
    assert "due" in report.pending_to_arrow().column_names

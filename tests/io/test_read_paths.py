"""Grouped path tables (ChannelAttribution, fractribution, marketing-attribution-models)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from touchpath import Field, PathCounts, read_paths
from touchpath.exceptions import ConfigError, SchemaError, UnsupportedInputError

# ChannelAttribution's layout (semicolon-separated, the same path on several rows); the rows
# are made up for this test
CA_TEXT = (
    "path;total_conversions;total_conversion_value;total_null\n"
    "eta > iota;1;2.5;3\n"
    "beta;2;4;6\n"
    "eta > iota;0;0;2\n"
    "beta > eta > beta;1;1.25;0\n"
)


def test_channelattribution_layout(tmp_path: Path) -> None:
    """The defaults read Data.csv as it is; the two 'eta > iota' rows are summed by hand:
    conversions 1 + 0, non-conversions 3 + 2, value 2.5 + 0."""
    f = tmp_path / "Data.csv"
    f.write_text(CA_TEXT)
    got = read_paths(f)
    assert got.rows() == [
        (("beta",), 2.0, 6.0, 4.0),
        (("beta", "eta", "beta"), 1.0, 0.0, 1.25),
        (("eta", "iota"), 1.0, 5.0, 2.5),
    ]
    assert (got.rows_read, got.rejected) == (4, ())


def test_gzipped_and_by(tmp_path: Path) -> None:
    """A gzipped file reads the same; ``by`` names what the items are."""
    f = tmp_path / "Data.csv.gz"
    f.write_bytes(gzip.compress(CA_TEXT.encode()))
    got = read_paths(f, level="channel")
    assert got.level is Field.CHANNEL
    assert got.total_conversions == 4.0


def test_fractribution_names_and_frames() -> None:
    """Other column names, and pandas, polars and Arrow tables give the same counts."""
    data = {
        "path": ["a > b", "b", "a > b"],
        "total_conversions": [1, 0, 2],
        "total_non_conversions": [4, 3, 0],
        "revenue": [10.0, 0.0, 5.5],
    }
    expected = [(("a", "b"), 3.0, 4.0, 15.5), (("b",), 0.0, 3.0, 0.0)]
    for frame in (pd.DataFrame(data), pl.DataFrame(data), pa.table(data)):
        got = read_paths(frame, null="total_non_conversions", value="revenue")
        assert got.rows() == expected


def test_one_row_per_journey_with_flags() -> None:
    """``null=None``: each row is one journey; a False flag is one non-conversion
    (3 journeys on 'x > y': two converted, one not)."""
    frame = pd.DataFrame(
        {
            "path": [["x", "y"], ["x", "y"], ["x", "y"], ["y"]],
            "conversion": [True, False, True, False],
            "value": [1.0, 0.0, 2.0, 0.0],
        }
    )
    got = read_paths(frame, conversions="conversion", null=None, value="value")
    assert got.rows() == [(("x", "y"), 2.0, 1.0, 3.0), (("y",), 0.0, 1.0, 0.0)]


BAD = (
    "path,total_conversions,total_conversion_value,total_null\n"
    "a > b,1,2,0\n"  # line 2: fine
    ",1,2,0\n"  # line 3: empty path
    "a >  > b,1,2,0\n"  # line 4: empty item
    "a,-1,0,0\n"  # line 5: negative
    "a,0,5,1\n"  # line 6: value without conversions
    "a,1,2\n"  # line 7: ragged
    'b,"x\ny",0,1\n'  # lines 8-9: not a number (a quoted line break)
    "c,0,0,0\n"  # line 10: nothing counted
    "b,1,1,1\n"  # line 11: fine
)


def test_bad_rows_name_line_and_field(tmp_path: Path) -> None:
    """Each bad row is refused with its line and column; collected, rows read = used +
    rejected (2 good rows, 7 bad, counted by hand from the file above)."""
    f = tmp_path / "bad.csv"
    f.write_text(BAD)
    with pytest.raises(SchemaError) as err:
        read_paths(f)
    assert (err.value.source, err.value.line, err.value.field) == (str(f), 3, "path")
    got = read_paths(f, on_error="collect")
    found = [(r.line, r.field, r.reason) for r in got.rejected]
    assert found == [
        (3, "path", "empty path"),
        (4, "path", "empty item in the path (separator ' > ')"),
        (5, "total_conversions", "must not be negative"),
        (6, "total_conversion_value", "a value on a row without conversions"),
        (7, None, "expected 4 fields (as in the header), got 3"),
        (8, "total_conversions", "not a number"),
        (10, "total_conversions", "neither conversions nor non-conversions"),
    ]
    assert got.rows_read == 9 == len(got.rejected) + 2
    assert got.rows() == [(("a", "b"), 1.0, 0.0, 2.0), (("b",), 1.0, 1.0, 1.0)]


def test_frame_errors_name_the_row() -> None:
    """In a frame a bad row is named by its 0-based position."""
    frame = pd.DataFrame({"path": ["a", "b"], "total_conversions": [1, float("inf")]})
    with pytest.raises(SchemaError, match=r"row 1, field 'total_conversions': must be finite"):
        read_paths(frame, null=None, value=None)


def test_file_problems(tmp_path: Path) -> None:
    """Missing file, missing column, bad bytes and bad options are clear errors."""
    with pytest.raises(SchemaError, match="no such file"):
        read_paths(tmp_path / "none.csv")
    f = tmp_path / "cols.csv"
    f.write_text("route,conv\na,1\n")
    with pytest.raises(SchemaError, match=r"missing column 'path'; columns found: \['route'"):
        read_paths(f)
    b = tmp_path / "latin.csv"
    b.write_bytes(b"path,total_conversions\na,1\n\xe9t\xe9,1\n")
    with pytest.raises(SchemaError, match="not valid utf-8") as err:
        read_paths(b, null=None, value=None)
    assert err.value.line == 3
    with pytest.raises(ConfigError, match="separator"):
        read_paths(f, separator="")
    with pytest.raises(UnsupportedInputError):
        read_paths(42)


def test_matches_from_rows() -> None:
    """read_paths of a frame equals PathCounts.from_rows of the same rows split by hand."""
    frame = pl.DataFrame(
        {"path": ["u > v", "v"], "c": [1.5, 2.0], "n": [0.5, 1.0], "v": [3.0, 0.0]}
    )
    got = read_paths(frame, conversions="c", null="n", value="v")
    want = PathCounts.from_rows([(["u", "v"], 1.5, 0.5, 3.0), (["v"], 2.0, 1.0, 0.0)])
    assert got.equals(want)

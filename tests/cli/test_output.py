"""The output layer of the command line: aligned text, CSV, JSON, and the progress line."""

from __future__ import annotations

import csv
import io
import json
import math
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import Column, ColumnKind, Table
from touchpath.cli import Progress, render_csv, render_json, render_text

COLUMNS = (
    Column("name", "name"),
    Column("n", "count", ColumnKind.COUNT),
    Column("share", "share", ColumnKind.RATE),
)


def table_of(name: str, title: str, rows: list[list[object]], note: str = "") -> Table:
    """The library's table of ``rows`` under COLUMNS."""
    return Table.from_rows(COLUMNS, rows, name=name, title=title, note=note)


names = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), max_size=12
)
rows = st.lists(
    st.tuples(
        names,
        st.integers(min_value=0, max_value=10**9),
        st.one_of(st.none(), st.floats(min_value=0, max_value=1)),
    ).map(list),
    max_size=8,
)


@settings(max_examples=60)
@given(rows)
def test_csv_and_json_round_trip(table_rows: list[list[object]]) -> None:
    """CSV and JSON parse back to the same values (None as an empty field / null)."""
    table = table_of("t", "T", table_rows)
    parsed = list(csv.DictReader(io.StringIO(render_csv(table))))
    assert [r["name"] for r in parsed] == [r[0] for r in table_rows]
    assert [int(r["n"]) for r in parsed] == [r[1] for r in table_rows]
    assert [None if r["share"] == "" else float(r["share"]) for r in parsed] == [
        r[2] for r in table_rows
    ]
    doc = json.loads(render_json([table]))
    assert doc["t"] == [dict(zip(["name", "n", "share"], r, strict=True)) for r in table_rows]


@settings(max_examples=60)
@given(rows)
def test_text_columns_line_up(table_rows: list[list[object]]) -> None:
    """In text output every line of a table after the title has the header's column
    starts: numbers end where their header ends (right-aligned)."""
    clean = [[" ".join(str(r[0]).split()) or "x", r[1], r[2]] for r in table_rows]
    text = render_text([table_of("t", "T", clean)])
    header, *body = text.splitlines()[1:]
    count_end = header.index("count") + len("count")
    for line, row in zip(body, clean, strict=False):
        shown = f"{row[1]:,}"
        assert line[count_end - len(shown) : count_end] == shown


def test_text_shows_missing_and_nan_as_a_dash_and_notes() -> None:
    """None and NaN print as '-'; the title and note come first; an empty table says so."""
    table = table_of("t", "Credits", [["a", 1, None], ["b", 2, math.nan]], note="note")
    lines = render_text([table, table_of("u", "Empty", [])]).splitlines()
    assert lines[:2] == ["Credits", "note"]
    assert lines[3].split() == ["a", "1", "-"]
    assert lines[4].split() == ["b", "2", "-"]
    assert lines[-1] == "(none)"


def test_json_turns_nan_into_null() -> None:
    """NaN is not JSON: it is written as null."""
    doc = json.loads(render_json([table_of("t", "", [["a", 1, math.nan]])], {"x": math.nan}))
    assert doc == {"summary": {"x": None}, "t": [{"name": "a", "n": 1, "share": None}]}


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_progress_writes_nothing_to_a_pipe() -> None:
    """Not a terminal: no progress output, however long the step."""
    stream = io.StringIO()
    with Progress("reading", stream=stream, delay=0.0, tick=0.01):
        time.sleep(0.05)
    assert stream.getvalue() == ""


def test_progress_on_a_terminal_shows_then_erases() -> None:
    """On a terminal, a step longer than the delay shows its label and elapsed time, and
    the line is erased at the end."""
    stream = FakeTerminal()
    with Progress("reading big.csv", stream=stream, delay=0.0, tick=0.01):
        time.sleep(0.1)
    out = stream.getvalue()
    assert "\rreading big.csv ... " in out
    assert out.endswith("\r\x1b[2K")


def test_progress_on_a_terminal_is_silent_for_quick_steps() -> None:
    """A step that ends before the delay prints nothing, even on a terminal."""
    stream = FakeTerminal()
    with Progress("reading small.csv", stream=stream, delay=5.0):
        pass
    assert stream.getvalue() == ""

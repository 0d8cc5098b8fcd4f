"""Printing results: every command's output is one or more :class:`touchpath.Table`.

Text output is the tables' own :meth:`~touchpath.Table.to_text` (with ``rich``
when it is installed and the output is a terminal), CSV one table's
:meth:`~touchpath.Table.to_csv`, JSON every table's records under its name,
after a ``summary`` of facts. Nothing here lays a result out: the result did,
in its ``to_table()``.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Sequence
from typing import IO, Any

from .._table import Table, _plain

__all__ = ["emit", "error", "render_csv", "render_json", "render_text"]


def render_text(tables: Sequence[Table]) -> str:
    """Tables as aligned plain text, one after the other.

    >>> from touchpath import Column, ColumnKind, Table
    >>> print(render_text([Table((Column("n", kind=ColumnKind.COUNT),), {"n": [1234]})]))
        n
    1,234
    """
    return "\n\n".join(t.to_text() for t in tables)


def render_json(tables: Sequence[Table], meta: dict[str, Any] | None = None) -> str:
    """Tables as one JSON object: ``summary`` (the facts of ``meta``), then each table as a
    list of row objects under its name.

    >>> from touchpath import Column, ColumnKind, Table
    >>> t = Table((Column("channel"), Column("share", kind=ColumnKind.RATE)),
    ...           {"channel": ["email"], "share": [0.25]}, name="credits")
    >>> json.loads(render_json([t], {"model": "linear"}))
    {'summary': {'model': 'linear'}, 'credits': [{'channel': 'email', 'share': 0.25}]}
    """
    doc: dict[str, Any] = {}
    if meta:
        doc["summary"] = {k: _plain(v) for k, v in meta.items()}
    for table in tables:
        doc[table.name] = table.records()
    return json.dumps(doc, indent=2, ensure_ascii=False)


def render_csv(table: Table) -> str:
    """One table as CSV with a header of column keys; undefined values are empty."""
    return table.to_csv()


def _rich_print(tables: Sequence[Table], stream: IO[str]) -> bool:  # pragma: no cover - optional
    """Print with rich when it is installed and ``stream`` is a terminal; False otherwise."""
    if not stream.isatty() or os.environ.get("TOUCHPATH_PLAIN"):
        return False
    try:
        console_module = importlib.import_module("rich.console")
        table_module = importlib.import_module("rich.table")
    except ImportError:
        return False
    console = console_module.Console(file=stream)
    for table in tables:
        out = table_module.Table(title=table.title or None, caption=table.note or None)
        for c in table.columns:
            if c.shown:
                out.add_column(c.label, justify="right" if c.kind.numeric else "left")
        for row in table.cells():
            out.add_row(*(v or "-" for v in row))
        console.print(out)
    return True


def emit(
    tables: Sequence[Table],
    fmt: str,
    *,
    meta: dict[str, Any] | None = None,
    primary: str | None = None,
    stream: IO[str] | None = None,
) -> None:
    """Print tables in the chosen format (``table``, ``csv`` or ``json``).

    CSV holds one table: ``primary`` (by name), else the first.
    """
    out = stream or sys.stdout
    if fmt == "json":
        out.write(render_json(tables, meta) + "\n")
    elif fmt == "csv":
        chosen = next((t for t in tables if t.name == primary), tables[0])
        out.write(render_csv(chosen))
    elif not _rich_print(tables, out):
        out.write(render_text(tables) + "\n")


def error(message: str) -> None:
    """One line on stderr: ``touchpath: error: message``."""
    print(f"touchpath: error: {message}", file=sys.stderr)

# The SQL is built from column names quoted by _quote, literals escaped by _literal,
# validated integers and fixed fragments: no input text reaches it unquoted.
# ruff: noqa: S608
"""Reduce events larger than memory to touchpath's aggregates inside DuckDB.

The SQL reproduces :func:`touchpath.conversion_paths` row for row: events
are ordered within a journey by timestamp, then by input order (for Parquet:
the files in the order given, a glob's or directory's by name, then the row
in the file; for a table: ``rowid``; for a relation: the order DuckDB
produces it in), exactly the stable order of
:class:`~touchpath.EventLog`; every conversion ends a path holding the
touches since the journey's previous conversion; the touches after the last
conversion form one non-converting path. Only the grouped table of distinct
paths leaves the database.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Sequence
from typing import Any, Final, Literal, TypeAlias

import numpy as np

from .._deprecation import renamed
from .._paths import CREDITABLE, Collapse, PathCounts, PathPolicy
from .._schema import Field, Schema
from .._time import DurationLike
from ..attribution import CoalitionCounts, TransitionCounts
from ..exceptions import ConfigError, MissingDependencyError, SchemaError, UnsupportedInputError

__all__ = ["coalition_counts", "path_counts", "transition_counts"]

Source: TypeAlias = "str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | Any"

_ORDER: Final = "__touchpath_order"
_FILE: Final = "__touchpath_file"
_RANK: Final = "__touchpath_rank"
_MEMORY: Final = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.I)
_CATEGORIES: Final = (Field.TOUCHPOINT, Field.CHANNEL, Field.STAGE)
_INTEGER: Final = re.compile(r"^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$")
_NUMBER: Final = re.compile(
    r"^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|DECIMAL.*)$"
)


def _duckdb(what: str) -> Any:
    try:
        import duckdb
    except ImportError:  # pragma: no cover - depends on the environment
        raise MissingDependencyError.for_extra("duckdb", what) from None
    return duckdb


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _relation(source: Source, connection: Any, duckdb: Any) -> tuple[Any, str]:
    """The source as a relation with an input-order column, and a name for messages."""
    if isinstance(source, duckdb.DuckDBPyRelation):
        rel = source.query("src", f"SELECT *, row_number() OVER () AS {_ORDER} FROM src")
        return rel, "the relation"
    if isinstance(source, str | os.PathLike) and not os.fspath(source).lower().endswith(
        (".parquet", ".pq")
    ):
        name = os.fspath(source)
        if not os.path.isdir(name):
            try:
                rel = connection.sql(f"SELECT *, rowid AS {_ORDER} FROM {_quote(name)}")
            except duckdb.Error as err:
                raise SchemaError(f"not a table on the connection: {err}", source=name) from None
            return rel, f"table {name!r}"
        source = os.path.join(name, "**", "*.parquet")
    if isinstance(source, str | os.PathLike):
        files: list[str] = [os.fspath(source)]
    elif isinstance(source, Sequence) and all(isinstance(p, str | os.PathLike) for p in source):
        files = [os.fspath(p) for p in source]
    else:
        raise UnsupportedInputError(
            "source must be a Parquet path, glob, directory or list of them, a DuckDB relation "
            f"or a table name; got a {type(source).__name__}"
        )
    listed = "[" + ", ".join(map(_literal, files)) + "]"
    where = ", ".join(files)
    # files in the order given (as touchpath.read_parquet reads them), a glob's in name order
    rank = "0" if any(set(p) & set("*?[{") for p in files) else f"list_position({listed}, filename)"
    try:
        rel = connection.sql(
            f"SELECT * EXCLUDE (filename, file_row_number), {rank} AS {_RANK}, "
            f"filename AS {_FILE}, file_row_number AS {_ORDER} "
            f"FROM read_parquet({listed}, filename = true, file_row_number = true)"
        )
    except duckdb.Error as err:
        raise SchemaError(f"not a readable Parquet data set: {err}", source=where) from None
    return rel, where


def _columns(
    rel: Any, schema: Schema, by: Field, where: str
) -> tuple[dict[Field, str], dict[str, str]]:
    """The fields the reduction reads, by column name; refuse what the SQL does not read."""
    if schema.events is not None:
        raise UnsupportedInputError(
            "touchpath.duckdb does not read an EventMapping schema; map the events to "
            "columns first (or use EventLog)"
        )
    types = dict(zip(rel.columns, map(str, rel.types), strict=True))
    fields: dict[Field, str] = {}
    for field in (Field.JOURNEY_ID, Field.TIMESTAMP, *_CATEGORIES, by, Field.CONVERTED):
        column = schema.column(field)
        if column is not None and column in types:
            fields[field] = column
        elif field in (Field.JOURNEY_ID, Field.TIMESTAMP):
            raise SchemaError(
                f"required column {column!r} is missing; columns found: {list(types)}",
                source=where,
                field=field.value,
            )
    value = schema.column(Field.VALUE)
    if value is not None and value in types:
        fields[Field.VALUE] = value
    kind = types[fields[Field.TIMESTAMP]].upper()
    if not kind.startswith("TIMESTAMP WITH TIME ZONE"):
        raise SchemaError(
            f"the timestamp column must be a timestamp with a time zone (TIMESTAMPTZ); got "
            f"{kind}: give the data an offset (naive timestamps are refused, as by EventLog)",
            source=where,
            field=fields[Field.TIMESTAMP],
        )
    # only the types whose SQL cast reads as EventLog reads them; cast others yourself
    for field, column in fields.items():
        kind = types[column].upper()
        if field in (Field.JOURNEY_ID, *CREDITABLE):
            ok = kind == "VARCHAR" or kind.startswith("ENUM") or bool(_INTEGER.match(kind))
            need = "text or integers"
        elif field is Field.CONVERTED:
            ok, need = kind == "BOOLEAN" or bool(_INTEGER.match(kind)), "BOOLEAN or 0/1 integers"
        elif field is Field.VALUE:
            ok, need = bool(_NUMBER.match(kind)), "numbers"
        else:
            continue
        if not ok:
            raise SchemaError(
                f"column {column!r} must hold {need}; got {kind} (cast it in SQL first)",
                source=where,
                field=field.value,
            )
    return fields, types


def _events_sql(fields: dict[Field, str], types: dict[str, str], by: Field, has_file: bool) -> str:
    """One row per event: journey, time (µs UTC), order, credited item, flag, value."""

    def text(field: Field) -> str:
        column = fields.get(field)
        if column is None:
            return "CAST(NULL AS VARCHAR)"
        return f"NULLIF(CAST({_quote(column)} AS VARCHAR), '')"

    conv = fields.get(Field.CONVERTED)
    value = fields.get(Field.VALUE)
    flag, bad_flag = "false", "false"
    if conv is not None and types[conv].upper() == "BOOLEAN":
        flag = f"coalesce({_quote(conv)}, false)"
    elif conv is not None:
        flag = f"coalesce({_quote(conv)} = 1, false)"
        bad_flag = f"coalesce({_quote(conv)} NOT IN (0, 1), false)"
    present = " OR ".join(f"{text(f)} IS NOT NULL" for f in _CATEGORIES)
    return f"""
        SELECT CAST({_quote(fields[Field.JOURNEY_ID])} AS VARCHAR) AS j,
               epoch_us({_quote(fields[Field.TIMESTAMP])}) AS t,
               {_RANK if has_file else "0"} AS fr, {_FILE if has_file else "''"} AS f,
               {_ORDER} AS r,
               {text(by)} AS item,
               {flag} AS c, {bad_flag} AS bad_flag,
               {f"coalesce(CAST({_quote(value)} AS DOUBLE), 0.0)" if value else "0.0"} AS v,
               ({present}) AS has_touch
        FROM src"""


def _check(events: Any, where: str) -> None:
    """Refuse the rows EventLog would refuse, naming the first one; no silent answers."""
    checks = (
        ("journey_id", "j IS NULL OR trim(j) = ''", "empty journey id"),
        ("timestamp", "t IS NULL", "missing timestamp"),
        ("converted", "bad_flag", "conversion flag must be boolean-like (true/false, 1/0)"),
        ("value", "isnan(v)", "NaN is not a valid amount (leave it empty for 0)"),
        ("value", "isinf(v)", "must be finite"),
        ("value", "v < 0", "must not be negative"),
        (None, "NOT has_touch AND NOT c", "no touchpoint, channel or stage, and not a conversion"),
    )
    counts = events.query(
        "ev",
        "SELECT " + ", ".join(f"count(*) FILTER (WHERE {c})" for _, c, _ in checks) + " FROM ev",
    ).fetchall()[0]
    for (field, condition, reason), n in zip(checks, counts, strict=True):
        if n:
            row = events.query(
                "ev", f"SELECT f, r, j, t, v FROM ev WHERE {condition} ORDER BY fr, f, r LIMIT 1"
            ).fetchall()[0]
            place = f"{row[0] or where} row {row[1]}"
            raise SchemaError(f"{reason} ({n:,} rows)", source=place, field=field)


def _paths_sql(policy: PathPolicy, names: Sequence[str]) -> str:
    """Distinct paths with conversions, non-conversions and value, from the events ``ev``.

    One window numbers each event's path (the conversions before it in its journey); the
    path's end time and the previous touch are computed only when lookback or collapse
    needs them. Items become their codes in ``names`` and a path is grouped by the text of
    its codes (grouping by a list of names does not spill to disk, text does); the codes
    come back as an integer list per distinct path.
    """
    order = "ORDER BY t, fr, f, r"
    coding = (
        "(VALUES " + ", ".join(f"({_literal(x)}, {k})" for k, x in enumerate(names)) + ")"
        if names
        else "(SELECT NULL::VARCHAR, NULL::INTEGER WHERE false)"
    )
    touches = "SELECT j, p, t, fr, f, r, item FROM seg WHERE item IS NOT NULL"
    if policy.lookback is not None:
        touches = (
            "SELECT s.j, s.p, s.t, s.fr, s.f, s.r, s.item FROM seg s JOIN per_path USING (j, p) "
            f"WHERE s.item IS NOT NULL AND s.t >= per_path.path_end - {int(policy.lookback)}"
        )
    if policy.collapse is Collapse.CONSECUTIVE:
        touches = (
            f"SELECT * FROM (SELECT *, lag(item) OVER (PARTITION BY j, p {order}) AS prev "
            f"FROM ({touches})) WHERE prev IS DISTINCT FROM item"
        )
    return f"""
        WITH seg AS (
            SELECT j, t, fr, f, r, item, c, v,
                   coalesce(count(*) FILTER (WHERE c) OVER (
                       PARTITION BY j {order}
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS p
            FROM ev),
        per_path AS (
            SELECT j, p, bool_or(c) AS converted, sum(v) FILTER (WHERE c) AS value,
                   max(t) AS path_end
            FROM seg GROUP BY j, p),
        items AS (
            SELECT j, p, string_agg(CAST(code AS VARCHAR), ',' {order}) AS path_key
            FROM ({touches}) JOIN {coding} coding(item, code) USING (item)
            GROUP BY j, p),
        grouped AS (
            SELECT coalesce(items.path_key, '') AS path_key,
                   count(*) FILTER (WHERE converted) AS conversions,
                   count(*) FILTER (WHERE NOT converted) AS non_conversions,
                   coalesce(sum(value), 0.0) AS value
            FROM per_path LEFT JOIN items USING (j, p)
            GROUP BY ALL)
        SELECT CASE WHEN path_key = '' THEN []::INTEGER[]
                    ELSE CAST(string_split(path_key, ',') AS INTEGER[]) END AS path,
               conversions, non_conversions, value
        FROM grouped"""


def _table(table: Any, names: tuple[str, ...], by: Field) -> PathCounts:
    """The distinct paths DuckDB returned (an Arrow table of code lists into ``names``) as a
    PathCounts, without a Python object per path."""
    path = table.column("path").combine_chunks()
    offsets = np.asarray(path.offsets, dtype=np.int64)
    codes = np.asarray(path.flatten(), dtype=np.int32)
    conv, null, vals = (
        np.asarray(table.column(c), dtype=np.float64)
        for c in ("conversions", "non_conversions", "value")
    )
    return PathCounts._grouped(names, offsets - offsets[0], codes, conv, null, vals, by)


@contextlib.contextmanager
def _events(
    source: Source,
    schema: Schema | None,
    by: Field,
    connection: Any,
    memory_limit: str | None,
    duckdb: Any,
) -> Iterator[tuple[Any, str]]:
    """The checked events ``ev`` of a source (item: the ``by`` field), under a memory limit.

    The limit is set on the connection for the block and the previous setting restored.
    """
    schema = schema or Schema()
    if memory_limit is not None and not _MEMORY.match(str(memory_limit)):
        raise ConfigError(f"'memory_limit' must be a size such as '2GB'; got {memory_limit!r}")
    if connection is None:
        if isinstance(source, duckdb.DuckDBPyRelation) and memory_limit is not None:
            raise ConfigError("with a relation and a memory_limit, pass its connection too")
        connection = duckdb.connect()
    elif not isinstance(connection, duckdb.DuckDBPyConnection):
        raise ConfigError(
            f"'connection' must be a duckdb connection; got a {type(connection).__name__}"
        )
    previous = None
    if memory_limit is not None:
        (previous,) = connection.sql("SELECT current_setting('memory_limit')").fetchall()[0]
        connection.execute(f"SET memory_limit = {_literal(memory_limit)}")
    try:
        rel, where = _relation(source, connection, duckdb)
        fields, types = _columns(rel, schema, by, where)
        events = rel.query("src", _events_sql(fields, types, by, _FILE in rel.columns))
        _check(events, where)
        yield events, where
    finally:
        if previous is not None:
            connection.execute(f"SET memory_limit = {_literal(str(previous))}")


def _run(events: Any, sql: str, memory_limit: str | None, where: str, duckdb: Any) -> Any:
    """The result of ``sql`` over the events as an Arrow table; running out of memory is a
    ConfigError that says to raise the limit."""
    try:
        return events.query("ev", sql).to_arrow_table()
    except duckdb.OutOfMemoryException as err:
        raise ConfigError(
            f"DuckDB ran out of memory under memory_limit={memory_limit!r} reading "
            f"{where}; raise the limit: {str(err).splitlines()[0]}"
        ) from None


@renamed(by="level")
def path_counts(
    source: Source,
    *,
    schema: Schema | None = None,
    level: Field | Literal["channel", "touchpoint", "stage", "campaign"] = Field.CHANNEL,
    collapse: Collapse | Literal["none", "consecutive"] = Collapse.NONE,
    lookback: DurationLike | None = None,
    connection: Any = None,
    memory_limit: str | None = None,
) -> PathCounts:
    """:meth:`PathCounts.from_log` computed inside DuckDB, for events larger than memory.

    ``source`` is a Parquet file, glob, directory (every ``*.parquet`` under
    it) or list of files; a DuckDB relation; or the name of a table on
    ``connection`` (a ``duckdb.DuckDBPyConnection``; default: a new in-memory
    database). ``memory_limit`` (``"2GB"``) bounds DuckDB's memory for the
    query (it spills to disk beyond); the setting of a given connection is
    restored afterwards. The columns are those of ``schema``; the timestamp
    column must carry a time zone. Rows an :class:`~touchpath.EventLog`
    would refuse (empty journey id, missing timestamp, negative or NaN
    value, an event with no touchpoint, channel or stage that is not a
    conversion) raise :class:`~touchpath.exceptions.SchemaError` naming the
    first such row. The counts equal ``PathCounts.from_log`` of the same
    events exactly; values are summed in the database's order, so they equal
    to float rounding (exactly when the sums are exact, e.g. whole cents).

    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.sql(
    ...     "CREATE TABLE events AS SELECT * FROM (VALUES "
    ...     "('a', TIMESTAMPTZ '2025-01-01 09:00Z', 'ads', false, NULL),"
    ...     "('a', TIMESTAMPTZ '2025-01-02 09:00Z', 'seo', true, 30.0),"
    ...     "('a', TIMESTAMPTZ '2025-01-03 09:00Z', 'ads', false, NULL),"
    ...     "('b', TIMESTAMPTZ '2025-01-01 09:00Z', 'ads', false, NULL)"
    ...     ") t(journey_id, timestamp, channel, converted, value)")
    >>> path_counts("events", connection=con, memory_limit="1GB").rows()
    [(('ads',), 0.0, 2.0, 0.0), (('ads', 'seo'), 1.0, 0.0, 30.0)]
    """
    duckdb = _duckdb("touchpath.duckdb.path_counts()")
    policy = PathPolicy(level=level, collapse=collapse, lookback=lookback)
    with _events(source, schema, policy.level, connection, memory_limit, duckdb) as (events, where):
        found = events.query("ev", "SELECT DISTINCT item FROM ev WHERE item IS NOT NULL")
        names = tuple(sorted(x for (x,) in found.fetchall()))  # as Python sorts them
        table = _run(events, _paths_sql(policy, names), memory_limit, where, duckdb)
    return _table(table, names, policy.level)


@renamed(by="level")
def transition_counts(
    source: Source,
    *,
    order: int = 1,
    schema: Schema | None = None,
    level: Field | Literal["channel", "touchpoint", "stage", "campaign"] = Field.CHANNEL,
    collapse: Collapse | Literal["none", "consecutive"] = Collapse.NONE,
    lookback: DurationLike | None = None,
    connection: Any = None,
    memory_limit: str | None = None,
) -> TransitionCounts:
    """:meth:`TransitionCounts.from_log` (Markov counts) from the paths :func:`path_counts`
    reduces in DuckDB; arguments as there.

    Transitions are counted in numpy from the distinct paths, weighted by
    their multiplicity: the counts equal ``from_log``'s exactly.

    >>> import duckdb
    >>> rel = duckdb.sql(
    ...     "SELECT * FROM (VALUES ('a', TIMESTAMPTZ '2025-01-01 09:00Z', 'ads', false),"
    ...     "('a', TIMESTAMPTZ '2025-01-01 10:00Z', 'seo', true)) "
    ...     "t(journey_id, timestamp, channel, converted)")
    >>> counts = transition_counts(rel)
    >>> counts.states, counts.weight.tolist()
    ((('ads',), ('seo',)), [1.0])
    """
    paths = path_counts(
        source,
        schema=schema,
        level=level,
        collapse=collapse,
        lookback=lookback,
        connection=connection,
        memory_limit=memory_limit,
    )
    return TransitionCounts.from_paths(paths.to_paths(), order=order)


@renamed(by="level")
def coalition_counts(
    source: Source,
    *,
    schema: Schema | None = None,
    level: Field | Literal["channel", "touchpoint", "stage", "campaign"] = Field.CHANNEL,
    collapse: Collapse | Literal["none", "consecutive"] = Collapse.NONE,
    lookback: DurationLike | None = None,
    connection: Any = None,
    memory_limit: str | None = None,
) -> CoalitionCounts:
    """:meth:`CoalitionCounts.from_log` (Shapley counts) from the paths :func:`path_counts`
    reduces in DuckDB; arguments as there.

    >>> import duckdb
    >>> rel = duckdb.sql(
    ...     "SELECT * FROM (VALUES ('a', TIMESTAMPTZ '2025-01-01 09:00Z', 'seo', false),"
    ...     "('a', TIMESTAMPTZ '2025-01-01 10:00Z', 'ads', true)) "
    ...     "t(journey_id, timestamp, channel, converted)")
    >>> coalition_counts(rel).coalitions()
    [('ads', 'seo')]
    """
    paths = path_counts(
        source,
        schema=schema,
        level=level,
        collapse=collapse,
        lookback=lookback,
        connection=connection,
        memory_limit=memory_limit,
    )
    return CoalitionCounts.from_paths(paths.to_paths())

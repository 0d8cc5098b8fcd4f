"""CSV files: a fast path through pyarrow or polars, and a pure-Python reader that always works.

Every engine returns the same log for the same file. The fast engines read
every column as text (dictionary-encoded where the field is categorical)
and hand it to the core column by column; a file they cannot split cleanly
(a row with the wrong number of fields, a quoted line break, text that is
not UTF-8) is read again by the Python engine, which reports such rows with
their line numbers. Line numbers are 1-based and count the header as line 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import operator
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from .._ingest import build_log, check_on_error
from .._progress import ProgressLike, file_size, open_binary, reporting
from .._schema import Field, OnError, Schema
from .._time import resolve_timezone
from ..exceptions import ConfigError, MissingDependencyError, SchemaError

if TYPE_CHECKING:
    from .._ingest import _Column
    from .._log import EventLog
    from .._map import JourneyMap

__all__ = ["CsvEngine", "read_csv", "write_csv"]

CsvEngine: TypeAlias = Literal["auto", "python", "pyarrow", "polars"]
"""Which CSV reader to use: ``"auto"`` takes pyarrow, else polars, else Python."""

_ENGINES: Final = ("auto", "python", "pyarrow", "polars")
_UTF8: Final = frozenset({"utf-8", "utf8", "utf_8", "utf-8-sig", "utf_8_sig"})

PathLike: TypeAlias = "str | os.PathLike[str]"


def _check_engine(engine: object) -> CsvEngine:
    if engine not in _ENGINES:
        raise ConfigError(f"'engine' must be one of {list(_ENGINES)}; got {engine!r}")
    return engine


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _pick_engine(engine: CsvEngine, encoding: str) -> CsvEngine:
    if engine == "pyarrow" and not _has_module("pyarrow"):
        raise MissingDependencyError.for_extra("arrow", "read_csv(engine='pyarrow')", "pyarrow")
    if engine == "polars" and not _has_module("polars"):
        raise MissingDependencyError.for_extra("polars", "read_csv(engine='polars')")
    if encoding.lower() not in _UTF8:
        return "python"  # the fast readers take UTF-8 only
    if engine == "auto":
        if _has_module("pyarrow"):
            return "pyarrow"
        return "polars" if _has_module("polars") else "python"
    return engine


def _is_gzip(path: PathLike) -> bool:
    return os.fspath(path).lower().endswith(".gz")


def _text_stream(path: PathLike, encoding: str) -> io.TextIOBase:
    enc = "utf-8-sig" if encoding.lower() in _UTF8 else encoding
    return io.TextIOWrapper(open_binary(path, gz=_is_gzip(path)), encoding=enc, newline="")


def read_csv(
    path: PathLike,
    *,
    schema: Schema | None = None,
    journey_map: JourneyMap | None = None,
    timezone: str | dt.tzinfo | None = None,
    on_error: OnError = "raise",
    engine: CsvEngine = "auto",
    delimiter: str = ",",
    encoding: str = "utf-8",
    progress: ProgressLike = None,
) -> EventLog:
    """Read events from a CSV file with a header line (``.csv`` or gzipped ``.csv.gz``).

    Columns are found by name through ``schema`` (default names:
    ``journey_id``, ``timestamp``, ``touchpoint``, ``channel``, ...); other
    columns are ignored. An empty field is a missing value. ``engine``
    chooses the reader (:data:`CsvEngine`); all give the same log. Errors
    and ``log.rejected`` name the file, the line (the header is line 1), the
    column and the raw text. ``progress`` (a callback taking a
    :class:`~touchpath.Progress`, or ``True`` for a bar on standard error)
    reports the bytes read. Other options are those of
    :meth:`EventLog.from_records`.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = path.write_text("journey_id,timestamp,channel,converted,value\\n"
    ...                     "j1,2025-01-01T09:00:00Z,ads,false,\\n"
    ...                     "j1,2025-01-03T09:00:00Z,email,true,120\\n"
    ...                     "j2,yesterday,ads,false,\\n")
    >>> log = read_csv(path, on_error="collect")
    >>> (log.n_events, log.rows_read, log.rejected[0].line, log.rejected[0].value)
    (2, 3, 4, 'yesterday')
    >>> read_csv(path)
    Traceback (most recent call last):
    ...
    touchpath.exceptions.SchemaError: ...events.csv line 4, field 'timestamp': not an ISO-8601 ...
    """
    if progress is not None and progress is not False:
        with reporting(progress, f"reading {os.path.basename(path)}", total=file_size(path)):
            return read_csv(
                path, schema=schema, journey_map=journey_map, timezone=timezone,
                on_error=on_error, engine=engine, delimiter=delimiter, encoding=encoding,
            )  # fmt: skip
    on_error = check_on_error(on_error)
    engine = _check_engine(engine)
    given: object = delimiter
    if not isinstance(given, str) or len(given) != 1 or given in '"\r\n':
        raise ConfigError(
            f"'delimiter' must be one character (not a quote or newline); got {delimiter!r}"
        )
    schema = schema or Schema()
    tz = resolve_timezone(timezone)
    source = os.fspath(path)
    chosen = _pick_engine(engine, encoding)
    options: dict[str, Any] = {
        "schema": schema,
        "journey_map": journey_map,
        "timezone": tz,
        "on_error": on_error,
        "source": source,
    }
    if chosen == "pyarrow":
        log = _read_pyarrow(path, delimiter, options)
        if log is not None:
            return log
    elif chosen == "polars":
        log = _read_polars(path, delimiter, options)
        if log is not None:
            return log
    return _read_python(path, delimiter, encoding, options)


# -- the Python engine ------------------------------------------------------------------------


def _header_fields(header: Sequence[str], schema: Schema, source: str) -> dict[Field, int]:
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in seen:
            raise SchemaError(
                f"column {name!r} appears twice in the header", source=source, line=1, field=name
            )
        seen[name] = i
    return {f: seen[c] for c, f in schema.columns().items() if c in seen}


def _read_python(
    path: PathLike, delimiter: str, encoding: str, options: dict[str, Any]
) -> EventLog:
    source: str = options["source"]
    schema: Schema = options["schema"]
    try:
        with _text_stream(path, encoding) as fh:
            records = [rec for rec in csv.reader(fh, delimiter=delimiter, strict=False) if rec]
    except UnicodeDecodeError as exc:
        raise SchemaError(
            f"not valid {encoding} text ({exc.reason} at byte {exc.start})", source=source
        ) from None
    except csv.Error as exc:
        raise SchemaError(f"not a readable CSV file ({exc})", source=source) from None
    if not records:
        raise SchemaError("the file is empty (no header line)", source=source)
    header = records[0]
    data = records[1:]
    del records
    width = len(header)
    invalid: dict[int, tuple[str | None, Any, str]] = {}
    if any(len(rec) != width for rec in data):
        for i, rec in enumerate(data):
            if len(rec) != width:
                invalid[i] = (None, delimiter.join(rec), f"expected {width} fields, got {len(rec)}")
                data[i] = [""] * width
    fields = _header_fields(header, schema, source)
    columns: dict[Field, _Column] = {
        f: list(map(operator.itemgetter(i), data)) for f, i in fields.items()
    }
    return build_log(
        columns,
        len(data),
        lines=_python_lines(path, delimiter, encoding, len(data)),
        present=header,
        invalid=invalid,
        **options,
    )


def _python_lines(
    path: PathLike, delimiter: str, encoding: str, n_rows: int
) -> npt.NDArray[np.integer[Any]]:
    """1-based first line of each data record, as the csv module splits the file."""
    if encoding.lower() in _UTF8:
        structure = _Structure(path, delimiter)
        if structure.n_records == n_rows:
            return structure.lines
    # unusual files (lone carriage returns, odd quoting, other encodings): ask the csv module
    lines: list[int] = []
    with _text_stream(path, encoding) as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=False)
        last = 0
        header_seen = False
        for rec in reader:
            if rec:
                if header_seen:
                    lines.append(last + 1)
                header_seen = True
            last = reader.line_num
    return np.asarray(lines, dtype=np.int64)


# -- structure scan (line numbers; guards the polars engine) ----------------------------------


_BLOCK: Final = 1 << 22


def _open_binary(path: PathLike) -> Any:
    return open_binary(path, gz=_is_gzip(path))


class _Structure:
    """Where each data record of an (ASCII-compatible) CSV starts, and how many fields it has.

    A vectorised scan of the bytes, block by block (bounded memory): newlines
    and delimiters count only outside double quotes (quote parity), blank lines
    are not records, the first record is the header. Lines are counted by
    ``"\n"``.
    """

    def __init__(self, path: PathLike, delimiter: str) -> None:
        delim = ord(delimiter)
        lines: list[npt.NDArray[np.int32]] = []  # int32: two billion lines are enough
        fields: list[npt.NDArray[np.int32]] = []
        parity = 0  # quotes seen before this block, mod 2
        newlines_before = 0  # every "\n" before this block, quoted or not
        rec_line, rec_fields, rec_len, rec_cr = 1, 0, 0, False  # the record in progress
        with _open_binary(path) as fh:
            while chunk := fh.read(_BLOCK):
                b = np.frombuffer(chunk, dtype=np.uint8)
                n = len(b)
                quotes = np.flatnonzero(b == 34)
                all_nl = np.flatnonzero(b == 10)

                def outside(
                    pos: npt.NDArray[np.intp], q: npt.NDArray[np.intp] = quotes, par: int = parity
                ) -> npt.NDArray[np.intp]:
                    if len(q) == 0:
                        return pos if par == 0 else pos[:0]
                    kept: npt.NDArray[np.intp] = pos[(np.searchsorted(q, pos) + par) % 2 == 0]
                    return kept

                ends = outside(all_nl)
                delims = outside(np.flatnonzero(b == delim))
                starts = np.concatenate([np.zeros(1, dtype=np.intp), ends + 1])
                stops = np.concatenate([ends, np.array([n], dtype=np.intp)])
                per_seg = np.diff(np.searchsorted(delims, np.concatenate([starts, [n]])))
                seg_len = stops - starts
                last_cr = np.zeros(len(stops), dtype=np.bool_)
                has = seg_len > 0
                last_cr[has] = b[stops[has] - 1] == 13
                seg_line = newlines_before + np.searchsorted(all_nl, starts) + 1
                # the first segment continues the record carried over from the last block
                per_seg[0] += rec_fields
                if not has[0]:
                    last_cr[0] = rec_cr
                seg_len[0] += rec_len
                seg_line[0] = rec_line
                done = len(ends)  # segments 0 .. done-1 are complete records
                blank = seg_len[:done] - last_cr[:done] <= 0
                lines.append(seg_line[:done][~blank].astype(np.int32))
                fields.append(per_seg[:done][~blank].astype(np.int32) + 1)
                rec_line, rec_fields = int(seg_line[done]), int(per_seg[done])
                rec_len, rec_cr = int(seg_len[done]), bool(last_cr[done])
                parity = (parity + len(quotes)) % 2
                newlines_before += len(all_nl)
        if rec_len - rec_cr > 0:  # a last record without a final newline
            lines.append(np.array([rec_line], dtype=np.int32))
            fields.append(np.array([rec_fields + 1], dtype=np.int32))
        all_lines = np.concatenate(lines) if lines else np.zeros(0, dtype=np.int32)
        all_fields = np.concatenate(fields) if fields else np.zeros(0, dtype=np.int32)
        del lines, fields
        self.header_fields = int(all_fields[0]) if len(all_fields) else 0
        self.fields = all_fields[1:]
        self.lines = all_lines[1:]

    @property
    def n_records(self) -> int:
        return len(self.lines)


class _LazyLines(Sequence[int]):
    """Line numbers computed on first use (only bad rows need them)."""

    def __init__(self, path: PathLike, delimiter: str, n_rows: int) -> None:
        self._path = path
        self._delimiter = delimiter
        self._n = n_rows
        self._lines: npt.NDArray[np.integer[Any]] | None = None

    def _get(self) -> npt.NDArray[np.integer[Any]]:
        if self._lines is None:
            s = _Structure(self._path, self._delimiter)
            self._lines = s.lines if s.n_records == self._n else np.full(self._n, -1, np.int64)
        return self._lines

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, row: Any) -> Any:
        line = self._get()[row]
        return None if isinstance(line, np.integer) and line < 0 else line

    def __iter__(self) -> Iterator[int]:
        return iter(self._get().tolist())


# -- the pyarrow engine -----------------------------------------------------------------------


def _read_pyarrow(path: PathLike, delimiter: str, options: dict[str, Any]) -> EventLog | None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from ._frames import arrow_columns

    schema: Schema = options["schema"]
    header = _peek_header(path, delimiter)
    if header is None:
        return None  # empty or not UTF-8: the Python engine explains
    try:
        fields = _header_fields(header, schema, options["source"])
    except SchemaError:
        return None
    wanted = [header[i] for i in fields.values()]
    # every column as text; all but the timestamp dictionary-encoded while parsing (ids,
    # categories, flags and amounts repeat a lot: this keeps the table small)
    text = pa.string()
    types = {
        header[i]: text if f is Field.TIMESTAMP else pa.dictionary(pa.int32(), text)
        for f, i in fields.items()
    }
    try:
        table = pacsv.read_csv(
            os.fspath(path),
            read_options=pacsv.ReadOptions(use_threads=True),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                include_columns=wanted,
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None  # ragged rows, quoted line breaks, bad UTF-8: the Python engine
    if table.column_names != wanted:
        return None
    tz = options["timezone"]
    n_rows = table.num_rows
    raw = {name: table.column(name) for name in wanted}
    del table  # each column is freed as soon as it is converted
    columns = arrow_columns(
        raw, fields_by_name(fields, header), tz, schema.timestamp_unit, null_text=True
    )
    return build_log(
        columns,
        n_rows,
        lines=_LazyLines(path, delimiter, n_rows),
        present=header,
        **options,
    )


def fields_by_name(fields: Mapping[Field, int], header: Sequence[str]) -> dict[Field, str]:
    """Field -> column name, from field -> header position."""
    return {f: header[i] for f, i in fields.items()}


def _peek_header(path: PathLike, delimiter: str) -> list[str] | None:
    try:
        with _text_stream(path, "utf-8") as fh:
            for rec in csv.reader(fh, delimiter=delimiter, strict=False):
                if rec:
                    return rec
    except (UnicodeDecodeError, csv.Error):
        return None
    return None


# -- the polars engine ------------------------------------------------------------------------


def _read_polars(path: PathLike, delimiter: str, options: dict[str, Any]) -> EventLog | None:
    import polars as pl

    from .._ingest import ParsedTimestamps
    from .._time import parse_timestamps
    from ._frames import ISO_PATTERN, polars_columns

    schema: Schema = options["schema"]
    structure = _Structure(path, delimiter)
    header = _peek_header(path, delimiter)
    if header is None or structure.header_fields != len(header):
        return None
    if bool(np.any(structure.fields != len(header))):
        return None  # rows with the wrong number of fields: the Python engine rejects them
    try:
        fields = _header_fields(header, schema, options["source"])
    except SchemaError:
        return None
    wanted = [header[i] for i in fields.values()]
    ts_name = header[fields[Field.TIMESTAMP]] if Field.TIMESTAMP in fields else None
    # categorical (polars' own dictionary encoding) for all but the timestamp, which is parsed
    # while streaming through the file: the text of the whole column is never held at once
    overrides = {name: pl.String if name == ts_name else pl.Categorical for name in wanted}

    def scan() -> Any:
        lazy = pl.scan_csv(
            os.fspath(path),
            separator=delimiter,
            schema_overrides=overrides,
            infer_schema=False,
            empty_string_is_null=True,
            raise_if_empty=False,
        ).select(wanted)
        if dropped_blank:  # polars turns blank lines into rows of nulls: drop exactly those
            lazy = lazy.filter(~pl.all_horizontal(pl.all().is_null()))
        return lazy

    if _is_gzip(path):
        return None  # polars does not stream gzip files: the Python engine reads them
    dropped_blank = False
    try:
        lazy = scan()
        if ts_name is not None:
            t = pl.col(ts_name)
            plain_iso = (
                t.str.replace("Z", "+00:00", literal=True)
                .str.replace(" ", "T", literal=True, n=1)
                .str.to_datetime(
                    format="%Y-%m-%dT%H:%M:%S%.f%:z", time_unit="us", time_zone="UTC", strict=False
                )
                .dt.epoch("us")
            )
            lazy = lazy.with_columns(pl.when(t.str.contains(ISO_PATTERN)).then(plain_iso))
        df = _collect_streaming(lazy)
        if df.height != structure.n_records:
            dropped_blank = True
            df = df.filter(~pl.all_horizontal(pl.all().is_null()))
            if df.height != structure.n_records:
                return None
    except (pl.exceptions.PolarsError, UnicodeDecodeError):
        return None
    tz = options["timezone"]
    columns: dict[Field, Any] = {}
    if ts_name is not None:
        stamps = df.drop_in_place(ts_name)
        slow = np.flatnonzero(stamps.is_null().to_numpy())
        us = np.array(stamps.fill_null(0).to_numpy(), dtype=np.int64)  # own, writeable
        del stamps
        bad: dict[int, tuple[Any, str]] = {}
        if len(slow):  # the rows polars could not parse: their text, for the core
            raw = _collect_streaming(
                scan()
                .select(pl.col(ts_name).fill_null(""))
                .with_row_index("__row")
                .filter(pl.col("__row").is_in(slow.tolist()))
            )
            values = raw.get_column(ts_name).to_list()
            parsed, reasons = parse_timestamps(values, timezone=tz, unit=schema.timestamp_unit)
            us[slow] = parsed
            bad = {int(slow[k]): (values[k], why) for k, why in reasons.items()}
        columns[Field.TIMESTAMP] = ParsedTimestamps(us, bad)
    others = {f: name for f, name in fields_by_name(fields, header).items() if name != ts_name}
    columns.update(
        polars_columns(df, others, tz, schema.timestamp_unit, null_text=True, consume=True)
    )
    n_rows = df.height
    del df
    return build_log(
        columns,
        n_rows,
        lines=structure.lines,
        present=header,
        **options,
    )


def _collect_streaming(lazy: Any) -> Any:
    try:
        return lazy.collect(engine="streaming")
    except TypeError:  # polars before the engine= argument
        return lazy.collect(streaming=True)


# -- writing ----------------------------------------------------------------------------------


def _iso_column(timestamps: npt.NDArray[np.int64]) -> list[str]:
    """ISO-8601 UTC text for microsecond timestamps (seconds precision when exact)."""
    whole = bool(np.all(timestamps % 1_000_000 == 0))
    unit: Literal["s", "us"] = "s" if whole else "us"
    stamps: npt.NDArray[np.datetime64] = timestamps.astype("datetime64[us]")
    text: list[str] = np.datetime_as_string(stamps, unit=unit).tolist()
    return [t + "Z" for t in text]


def _number(x: float) -> str:
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def open_for_writing(path: PathLike) -> io.TextIOWrapper:
    """A UTF-8 text file to write, gzipped (reproducibly: no time stamp) for ``.gz`` names."""
    if _is_gzip(path):
        raw = gzip.GzipFile(os.fspath(path), mode="wb", mtime=0)
        return io.TextIOWrapper(raw, encoding="utf-8", newline="")
    return open(path, "w", encoding="utf-8", newline="")


def decoded_text_columns(log: EventLog) -> dict[str, list[Any]]:
    """Every field of every event as text-friendly Python values (for the writers)."""
    out: dict[str, list[Any]] = {}
    for f in Field:
        if f is Field.JOURNEY_ID:
            out[f.value] = log.journey_ids[log.event_journey].tolist()
        elif f is Field.TIMESTAMP:
            out[f.value] = _iso_column(log.timestamps)
        elif f is Field.CONVERTED:
            out[f.value] = log.converted.tolist()
        elif f is Field.VALUE:
            out[f.value] = log.values.tolist()
        elif f is Field.COST:
            out[f.value] = log.costs.tolist()
        else:
            codes, names = log.codes_and_names(f)
            table = [*names, None]
            out[f.value] = [table[c] for c in codes.tolist()]
    return out


def write_csv(log: EventLog, path: PathLike) -> None:
    """Write the events to a CSV file (gzipped when the name ends in ``.gz``).

    Columns have the default names, in :class:`~touchpath.Field` order;
    timestamps are ISO-8601 UTC (``Z``), flags ``true``/``false``, missing
    values empty. :func:`read_csv` reads the file back to an equal log.

    >>> import tempfile, pathlib
    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "channel": "ads"}])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "out.csv"
    >>> write_csv(log, path)
    >>> path.read_text().splitlines()[1]
    'a,1970-01-01T00:00:00Z,,ads,,false,0,,0,,'
    >>> read_csv(path).equals(log)
    True
    """
    cols = decoded_text_columns(log)
    cols[Field.CONVERTED.value] = ["true" if c else "false" for c in cols[Field.CONVERTED.value]]
    for f in (Field.VALUE, Field.COST):
        cols[f.value] = [_number(x) for x in cols[f.value]]
    names = [f.value for f in Field]
    rows = zip(*(cols[n] for n in names), strict=True)
    with open_for_writing(path) as fh:
        # CRLF (RFC 4180): the csv module quotes a field only for the terminator's characters,
        # so with "\n" alone a field holding "\r" would be written bare and read back split
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows(rows)

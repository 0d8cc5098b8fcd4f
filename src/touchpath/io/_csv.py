"""CSV files: a fast path through pyarrow, and a pure-Python reader that always works.

Both engines return the same log, the same rejected rows and the same line
numbers for the same file. The pyarrow engine reads every column as text
(dictionary-encoded where the field is categorical) and hands it to the core
column by column; rows with the wrong number of fields are rejected on the
way. A file it cannot read exactly (text that is not UTF-8, a damaged
``.gz``) is read again by the Python engine, which streams the file in
chunks (bounded memory) and reports every bad row with its line. Line
numbers are 1-based, count the header as line 1 and count ``"\\r\\n"``,
``"\\n"`` and a lone ``"\\r"`` as one line end each (as Python and most
editors do).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import gzip
import io
import os
import re
import threading
import zlib
from array import array
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO, Final, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from .._ingest import Coded, ParsedTimestamps, build_log, check_on_error
from .._log import impression_values
from .._progress import ProgressLike, file_size, reporting
from .._progress import open_binary as tracked_binary
from .._schema import Field, OnError, Schema
from .._time import OUT_OF_RANGE_REASON, out_of_range, parse_timestamps, resolve_timezone
from ..exceptions import ConfigError, MissingDependencyError, SchemaError

if TYPE_CHECKING:
    from .._ingest import _Column
    from .._log import EventLog
    from .._map import JourneyMap

__all__ = ["CsvEngine", "read_csv", "write_csv"]

CsvEngine: TypeAlias = Literal["auto", "python", "pyarrow"]
"""Which CSV reader to use: ``"auto"`` takes pyarrow when it is installed, else Python."""

_ENGINES: Final = ("auto", "python", "pyarrow")
_UTF8: Final = frozenset({"utf-8", "utf8", "utf_8", "utf-8-sig", "utf_8_sig"})

PathLike: TypeAlias = "str | os.PathLike[str]"


def _check_engine(engine: object) -> CsvEngine:
    if engine == "polars":
        raise ConfigError(
            "the polars CSV engine was removed (it could not split every file the way the "
            "others do); use engine='pyarrow' (the default) or 'python'; got 'polars'"
        )
    if engine not in _ENGINES:
        raise ConfigError(f"'engine' must be one of {list(_ENGINES)}; got {engine!r}")
    return engine


def check_delimiter(delimiter: object) -> str:
    """Validate a CSV delimiter: one ASCII character, not a quote or a line break."""
    if (
        not isinstance(delimiter, str)
        or len(delimiter) != 1
        or not delimiter.isascii()
        or delimiter in '"\r\n\x00'
    ):
        raise ConfigError(
            f"'delimiter' must be one ASCII character (not a quote, newline or NUL); "
            f"got {delimiter!r}"
        )
    return delimiter


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _pick_engine(engine: CsvEngine, encoding: str) -> CsvEngine:
    if engine == "pyarrow" and not _has_module("pyarrow"):
        raise MissingDependencyError.for_extra("arrow", "read_csv(engine='pyarrow')", "pyarrow")
    if encoding.lower() not in _UTF8:
        return "python"  # the fast reader takes UTF-8 only
    if engine == "auto":
        return "pyarrow" if _has_module("pyarrow") else "python"
    return engine


def _is_gzip(path: PathLike) -> bool:
    return os.fspath(path).lower().endswith(".gz")


# -- opening files: gzip by content, damaged files and bad bytes as SchemaErrors --------------

_GZIP_MAGIC: Final = b"\x1f\x8b"
GZIP_ERRORS: Final = (EOFError, gzip.BadGzipFile, zlib.error)
"""What reading a damaged gzip stream raises (a truncated file: EOFError)."""


def gzipped(path: PathLike, source: str) -> bool:
    """Whether the file is gzip-compressed, by its first bytes; a ``.gz`` name on a file that
    is not is a SchemaError (the name says one thing, the content another)."""
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head[:2] == _GZIP_MAGIC:
        return True
    if _is_gzip(path):
        raise SchemaError(
            f"the name ends in .gz but the file is not gzip-compressed (it starts with "
            f"{head!r}); rename it without .gz or compress it",
            source=source,
        )
    return False


def open_binary(path: PathLike, source: str) -> BinaryIO:
    """The file's bytes, decompressed when its content is gzip (whatever its name), reported
    to the active progress reporter if there is one."""
    # tracked: with an active progress reporter, the bytes read are reported
    return tracked_binary(path, gz=gzipped(path, source))  # type: ignore[no-any-return]


def gzip_error(exc: BaseException, source: str, line: int) -> SchemaError:
    """The error for a compressed stream that breaks off at ``line``."""
    return SchemaError(
        f"the compressed data breaks off or is damaged here, so the rest of the file cannot "
        f"be read (a truncated or corrupt .gz file: {exc}); the lines before were readable",
        source=source,
        line=line,
    )


_BAD_BYTES: Final = threading.local()
_FLAG_ERRORS: Final = "touchpath.flag_bad_bytes"
_SURROGATE: Final = re.compile("[\udc80-\udcff]")


def _flag_bad_bytes(exc: UnicodeError) -> tuple[str, int]:
    """Decode bad bytes as lone surrogates (``surrogateescape``) and note that some were seen:
    the reader then rejects the rows whose fields hold them, by line."""
    _BAD_BYTES.seen = True
    text, end = codecs.lookup_error("surrogateescape")(exc)
    return str(text), end


codecs.register_error(_FLAG_ERRORS, _flag_bad_bytes)


def _text_stream(path: PathLike, encoding: str, source: str) -> io.TextIOWrapper:
    enc = "utf-8-sig" if encoding.lower() in _UTF8 else encoding
    return io.TextIOWrapper(
        open_binary(path, source), encoding=enc, errors=_FLAG_ERRORS, newline=""
    )


def _shown(text: str) -> str:
    """Text with lone surrogates (undecodable bytes) shown as ``\\xNN`` escapes."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@contextlib.contextmanager
def _no_field_limit() -> Iterator[None]:
    """Lift the csv module's 128 KiB field limit while reading (the pyarrow engine has none)."""
    old = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(old)


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
    column and the raw text: a row with the wrong number of fields, or with
    bytes that are not valid text in a column touchpath reads, is one bad
    row; a damaged ``.gz`` file is a :class:`~touchpath.exceptions.SchemaError`
    naming the line where it breaks off. ``progress`` (a callback taking a
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
    delimiter = check_delimiter(delimiter)
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise ConfigError(f"'encoding' must be a known text encoding; got {encoding!r}") from None
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


_CHUNK: Final = 1 << 16
"""Rows the Python engine holds as text at once."""


class _CodedBuilder:
    """A text column as codes into its distinct values, built chunk by chunk."""

    def __init__(self) -> None:
        self.table: dict[str, int] = {}
        self.parts: list[npt.NDArray[np.int32]] = []

    def add(self, values: list[str]) -> None:
        table = self.table
        new = [v for v in dict.fromkeys(values) if v not in table]
        table.update(zip(new, range(len(table), len(table) + len(new)), strict=True))
        self.parts.append(np.fromiter(map(table.__getitem__, values), np.int32, len(values)))

    def column(self) -> Coded:
        codes = np.concatenate(self.parts) if self.parts else np.zeros(0, dtype=np.int32)
        self.parts = []
        return Coded(codes, list(self.table))


class _TimestampBuilder:
    """A timestamp column parsed chunk by chunk (its text is never held whole)."""

    def __init__(self, tz: dt.tzinfo | None, unit: str, fmt: str | None) -> None:
        self.tz = tz
        self.unit = unit
        self.fmt = fmt
        self.parts: list[npt.NDArray[np.int64]] = []
        self.bad: dict[int, tuple[Any, str]] = {}
        self.n = 0

    def add(self, values: list[str]) -> None:
        us, reasons = parse_timestamps(values, timezone=self.tz, unit=self.unit, fmt=self.fmt)
        for k in np.flatnonzero(out_of_range(us)).tolist():
            reasons.setdefault(k, OUT_OF_RANGE_REASON)  # here, while the text is at hand
        for k, why in reasons.items():
            self.bad[self.n + k] = (values[k], why)
        self.parts.append(us)
        self.n += len(values)

    def column(self) -> ParsedTimestamps:
        us = np.concatenate(self.parts) if self.parts else np.zeros(0, dtype=np.int64)
        return ParsedTimestamps(us, self.bad)


def _read_python(
    path: PathLike, delimiter: str, encoding: str, options: dict[str, Any]
) -> EventLog:
    source: str = options["source"]
    schema: Schema = options["schema"]
    _BAD_BYTES.seen = False
    invalid: dict[int, tuple[str | None, Any, str]] = {}
    lines = array("q")
    n_rows = 0
    line = 0
    try:
        with _no_field_limit(), _text_stream(path, encoding, source) as fh:
            reader = csv.reader(fh, delimiter=delimiter, strict=False)
            header: list[str] | None = next((rec for rec in reader if rec), None)
            line = reader.line_num
            if header is None:
                raise SchemaError("the file is empty (no header line)", source=source)
            if _BAD_BYTES.seen and any(map(_SURROGATE.search, header)):
                raise SchemaError(
                    f"the header is not valid {encoding} text",
                    source=source,
                    line=line,
                    value=_shown(delimiter.join(header)),
                )
            width = len(header)
            fields = _header_fields(header, schema, source)
            builders: dict[Field, _CodedBuilder | _TimestampBuilder] = {
                f: _TimestampBuilder(
                    options["timezone"], schema.timestamp_unit, schema.timestamp_format
                )
                if f is Field.TIMESTAMP
                else _CodedBuilder()
                for f in fields
            }
            blank = [""] * width

            def flush(chunk: list[list[str]]) -> None:
                if set(map(len, chunk)) != {width}:
                    for i, rec in enumerate(chunk):
                        if len(rec) != width:
                            reason = f"expected {width} fields, got {len(rec)}"
                            invalid[n_rows + i] = (None, delimiter.join(rec), reason)
                            chunk[i] = blank
                for f, builder in builders.items():
                    column = [rec[fields[f]] for rec in chunk]
                    if _BAD_BYTES.seen:
                        _reject_bad_text(column, n_rows, header[fields[f]], encoding, invalid)
                    builder.add(column)

            chunk: list[list[str]] = []
            for rec in reader:
                if rec:
                    chunk.append(rec)
                    lines.append(line + 1)
                    if len(chunk) == _CHUNK:
                        flush(chunk)
                        n_rows += len(chunk)
                        chunk = []
                line = reader.line_num
            flush(chunk)
            n_rows += len(chunk)
    except GZIP_ERRORS as exc:
        raise gzip_error(exc, source, line + 1) from None
    except csv.Error as exc:
        raise SchemaError(f"not a readable CSV file ({exc})", source=source, line=line) from None
    columns: dict[Field, _Column] = {f: b.column() for f, b in builders.items()}
    builders.clear()
    return build_log(
        columns,
        n_rows,
        lines=np.frombuffer(lines, dtype=np.int64),
        present=header,
        invalid=invalid,
        **options,
    )


def _reject_bad_text(
    column: list[str],
    offset: int,
    name: str,
    encoding: str,
    invalid: dict[int, tuple[str | None, Any, str]],
) -> None:
    """Reject the rows of a chunk whose field holds undecodable bytes (lone surrogates)."""
    for i, value in enumerate(column):
        if _SURROGATE.search(value) and offset + i not in invalid:
            invalid[offset + i] = (name, _shown(value), f"not valid {encoding} text")
            column[i] = ""


def _csv_module_lines(path: PathLike, delimiter: str, source: str) -> npt.NDArray[np.int64]:
    """1-based first line of each data record, as the csv module splits the file (UTF-8)."""
    lines = array("q")
    with _no_field_limit(), _text_stream(path, "utf-8", source) as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=False)
        last = 0
        header_seen = False
        for rec in reader:
            if rec:
                if header_seen:
                    lines.append(last + 1)
                header_seen = True
            last = reader.line_num
    return np.frombuffer(lines, dtype=np.int64)


# -- structure scan (line numbers, ragged rows for the pyarrow engine) ------------------------


_BLOCK: Final = 1 << 22


class _Structure:
    """Where each data record of an (ASCII-compatible) CSV starts, and how many fields it has.

    A vectorised scan of the bytes, block by block (bounded memory): line ends
    (``"\\r\\n"``, ``"\\n"`` or a lone ``"\\r"``) and delimiters count only outside
    double quotes (quote parity), blank lines are not records, the first
    record is the header. ``regular`` says every quote stands where the CSV
    grammar puts one (opening a field, closing it, or doubled inside it) and
    none is left open: only then does quote parity split the file as the csv
    module does, and only then are ``lines`` and ``fields`` used.
    """

    def __init__(self, path: PathLike, delimiter: str, source: str) -> None:
        delim = ord(delimiter)
        lines: list[npt.NDArray[np.int32]] = []  # int32: two billion lines are enough
        fields: list[npt.NDArray[np.int32]] = []
        parity = 0  # quotes seen before this block, mod 2
        newlines_before = 0  # every line end before this block, quoted or not
        rec_line, rec_fields, rec_len, rec_cr = 1, 0, 0, False  # the record in progress
        regular = True
        prev_byte = 10  # the byte before the block (the file starts like a new line)
        close_pending = False  # the last block ended on a closing quote: check the next byte
        boundary = np.array([delim, 10, 13], dtype=np.uint8)
        with open_binary(path, source) as fh:
            while chunk := fh.read(_BLOCK):
                while chunk.endswith(b"\r") and (more := fh.read(1)):
                    chunk += more  # whether "\r" ends a line depends on the next byte
                b = np.frombuffer(chunk, dtype=np.uint8)
                n = len(b)
                is_lf = b == 10
                lone_cr = (b == 13) & np.append(~is_lf[1:], True)
                quotes = np.flatnonzero(b == 34)
                all_nl = np.flatnonzero(is_lf | lone_cr)
                if close_pending:
                    regular &= bool(b[0] in (34, *boundary.tolist()))
                if regular and len(quotes):
                    opening = (np.arange(len(quotes)) + parity) % 2 == 0
                    before = np.where(quotes > 0, b[np.maximum(quotes - 1, 0)], prev_byte)
                    ok_open = np.isin(before, boundary) | (before == 34)
                    after_at = np.minimum(quotes + 1, n - 1)
                    after = b[after_at]
                    ok_close = np.isin(after, boundary) | (after == 34) | (quotes + 1 == n)
                    regular = bool(np.all(np.where(opening, ok_open, ok_close)))
                    close_pending = bool(quotes[-1] == n - 1 and not opening[-1])
                else:
                    close_pending = False
                prev_byte = int(b[-1])

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
        self.regular = regular and parity == 0
        self.header_fields = int(all_fields[0]) if len(all_fields) else 0
        self.fields = all_fields[1:]
        self.lines = all_lines[1:]

    @property
    def n_records(self) -> int:
        return len(self.lines)


def record_lines(
    path: PathLike, delimiter: str, source: str, n_rows: int, structure: _Structure | None = None
) -> npt.NDArray[np.integer[Any]]:
    """The 1-based first line of each of the ``n_rows`` data records: from the vectorised
    scan when the file is regular, else from a streaming pass of the csv module."""
    s = structure or _Structure(path, delimiter, source)
    if s.regular and s.n_records == n_rows:
        return s.lines
    lines = _csv_module_lines(path, delimiter, source)
    if len(lines) != n_rows:  # cannot happen for files both engines split alike
        return np.full(n_rows, -1, dtype=np.int64)
    return lines


class _LazyLines(Sequence[int]):
    """Line numbers computed on first use (only bad rows need them)."""

    def __init__(self, path: PathLike, delimiter: str, source: str, n_rows: int) -> None:
        self._args = (path, delimiter, source, n_rows)
        self._n = n_rows
        self._lines: npt.NDArray[np.integer[Any]] | None = None

    def _get(self) -> npt.NDArray[np.integer[Any]]:
        if self._lines is None:
            self._lines = record_lines(*self._args)
        return self._lines

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, row: Any) -> Any:
        line = self._get()[row]
        return None if isinstance(line, np.integer) and line < 0 else line

    def __iter__(self) -> Iterator[int]:
        return iter(self._get().tolist())


# -- the pyarrow engine -----------------------------------------------------------------------

_ARROW_BLOCK: Final = 1 << 22
"""Bytes per pyarrow parse block: 4 MiB keeps both cores busy with a few hundred times fewer
chunks (dictionaries to unify, per-chunk conversions) than the 1 MiB default."""


def _read_pyarrow(path: PathLike, delimiter: str, options: dict[str, Any]) -> EventLog | None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from ._frames import arrow_columns

    schema: Schema = options["schema"]
    source: str = options["source"]
    header = _peek_header(path, delimiter, source)
    if header is None:
        return None  # empty or not UTF-8: the Python engine explains
    try:
        fields = _header_fields(header, schema, source)
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
    skipped: list[str] = []

    def skip(row: Any) -> str:
        skipped.append(row.text)
        return "skip"

    compression = "gzip" if gzipped(path, source) else None
    if compression is None and not _valid_utf8(path):
        # the Python engine reports the bad bytes by line; running pyarrow first would only
        # hold part of the table while the Python engine starts (peak memory above 2x)
        return None
    try:
        table = pacsv.read_csv(
            pa.input_stream(os.fspath(path), compression=compression),
            read_options=pacsv.ReadOptions(use_threads=True, block_size=_ARROW_BLOCK),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=skip
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                include_columns=wanted,
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OSError):
        pa.default_memory_pool().release_unused()  # the Python engine starts from a clean slate
        return None  # bad UTF-8, damaged gzip: the Python engine reports them by line
    if table.column_names != wanted:
        return None
    n_rows = table.num_rows
    raw = {name: table.column(name) for name in wanted}
    del table  # each column is freed as soon as it is converted
    columns = arrow_columns(  # the Arrow memory is freed column by column
        raw,
        fields_by_name(fields, header),
        options["timezone"],
        schema.timestamp_unit,
        null_text=True,
        timestamp_format=schema.timestamp_format,
    )
    lines: Sequence[int] | npt.NDArray[np.integer[Any]]
    invalid: dict[int, tuple[str | None, Any, str]] = {}
    if skipped:  # rows with the wrong number of fields: put them back as rejected rows
        structure = _Structure(path, delimiter, source)
        ragged = np.flatnonzero(structure.fields != len(header))
        if not (
            structure.regular
            and structure.n_records == n_rows + len(skipped)
            and len(ragged) == len(skipped)
        ):
            return None  # the Python engine splits such a file row by row
        n_rows += len(skipped)
        for pos, row_text in zip(ragged.tolist(), skipped, strict=True):
            rec = next(csv.reader(io.StringIO(row_text, newline=""), delimiter=delimiter), [])
            reason = f"expected {len(header)} fields, got {int(structure.fields[pos])}"
            invalid[pos] = (None, delimiter.join(rec), reason)
        lines = structure.lines
        del structure
        for f in list(columns):  # one at a time: each old column is freed as its copy is made
            columns[f] = _with_rows_inserted(columns.pop(f), ragged)
    else:
        lines = _LazyLines(path, delimiter, source, n_rows)
    return build_log(columns, n_rows, lines=lines, present=header, invalid=invalid, **options)


def _valid_utf8(path: PathLike) -> bool:
    """Whether a (not compressed) file is all valid UTF-8, read in blocks of
    ``_ARROW_BLOCK`` bytes into one buffer: an ASCII block costs one C scan, any other an
    incremental decode whose text is dropped at once (a character may straddle blocks)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    block = bytearray(_ARROW_BLOCK)
    view = memoryview(block)
    try:
        with open(path, "rb") as fh:
            while n := fh.readinto(block):
                if n == len(block) and not decoder.getstate()[0] and block.isascii():
                    continue
                decoder.decode(view[:n])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        view.release()
    return True


def _with_rows_inserted(column: _Column, positions: npt.NDArray[np.intp]) -> _Column:
    """A converted column with a placeholder row at each of ``positions`` (indices of the
    longer result); the reader rejects those rows, so the placeholder is never used. Only
    the small converted arrays are copied, never the text."""
    before = positions - np.arange(len(positions))  # np.insert counts in the shorter column
    if isinstance(column, Coded):
        return Coded(np.insert(column.codes, before, -1), column.values, ordered=column.ordered)
    if isinstance(column, ParsedTimestamps):
        us = np.insert(column.us, before, 0)
        moved = {
            r + int(np.searchsorted(before, r, side="right")): v for r, v in column.bad.items()
        }
        raw = column.raw

        def old_raw(i: int) -> Any:
            assert raw is not None
            return raw(i - int(np.searchsorted(positions, i)))

        return ParsedTimestamps(us, moved, old_raw if raw is not None else None)
    if isinstance(column, np.ndarray):
        return np.insert(column, before, column.dtype.type(0))
    out = list(column)
    for p in positions.tolist():
        out.insert(p, None)
    return out


def fields_by_name(fields: Mapping[Field, int], header: Sequence[str]) -> dict[Field, str]:
    """Field -> column name, from field -> header position."""
    return {f: header[i] for f, i in fields.items()}


def _peek_header(path: PathLike, delimiter: str, source: str) -> list[str] | None:
    _BAD_BYTES.seen = False
    try:
        with _no_field_limit(), _text_stream(path, "utf-8", source) as fh:
            for rec in csv.reader(fh, delimiter=delimiter, strict=False):
                if rec:
                    return None if _BAD_BYTES.seen else rec
    except (csv.Error, *GZIP_ERRORS):
        return None
    return None


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
        elif f is Field.IMPRESSION:  # written only when some event states its kind
            if log.has_impressions:
                out[f.value] = impression_values(log.impressions)
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
    if Field.IMPRESSION.value in cols:  # true (view), false (click), empty (not stated)
        text = {True: "true", False: "false", None: ""}
        cols[Field.IMPRESSION.value] = [text[x] for x in cols[Field.IMPRESSION.value]]
    names = [f.value for f in Field if f.value in cols]
    rows = zip(*(cols[n] for n in names), strict=True)
    with open_for_writing(path) as fh:
        # CRLF (RFC 4180): the csv module quotes a field only for the terminator's characters,
        # so with "\n" alone a field holding "\r" would be written bare and read back split
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows(rows)

"""JSON Lines files: one JSON object per line, one event per object."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import itertools
import json
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from .._ingest import build_log, check_on_error
from .._progress import ProgressLike, file_size, reporting
from .._schema import Field, OnError, Schema
from ..exceptions import SchemaError
from ._csv import (
    GZIP_ERRORS,
    PathLike,
    decoded_text_columns,
    gzip_error,
    open_binary,
    open_for_writing,
)

if TYPE_CHECKING:
    from .._log import EventLog
    from .._map import JourneyMap

__all__ = ["read_jsonl", "write_jsonl"]


class _DuplicateKeyError(ValueError):
    """Internal: one JSON object names a key twice."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _DuplicateKeyError(f"the key {twice!r} appears twice in one object")
    return obj


def _lines(path: PathLike, encoding: str, source: str) -> Iterator[tuple[int, Any]]:
    """(line number, text or the UnicodeDecodeError) for each line, in order."""
    ascii_based = not codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))
    number = 0
    try:
        if ascii_based:  # split the bytes into lines, decode each: a bad byte spoils one line
            with open_binary(path, source) as fh:
                for number, raw in enumerate(fh, start=1):
                    try:
                        yield number, raw.decode(encoding)
                    except UnicodeDecodeError as exc:
                        yield number, exc
        else:
            with io.TextIOWrapper(open_binary(path, source), encoding=encoding) as text:
                for number, line in enumerate(text, start=1):
                    yield number, line
    except GZIP_ERRORS as exc:
        raise gzip_error(exc, source, number + 1) from None
    except UnicodeDecodeError as exc:
        raise SchemaError(
            f"not valid {encoding} text ({exc.reason})", source=source, line=number + 1
        ) from None


def _decode(scan: Any, text: str) -> Any:
    """``json.loads(text)``, faster: the scanner first, loads only to explain a failure."""
    start = 0
    while text[start : start + 1] in (" ", "\t"):
        start += 1
    try:
        obj, end = scan(text, start)
    except StopIteration:
        return json.loads(text)  # raises the JSONDecodeError with its position
    if end != len(text) and text[end:].strip(" \t\r\n"):
        return json.loads(text)
    return obj


def read_jsonl(
    path: PathLike,
    *,
    schema: Schema | None = None,
    journey_map: JourneyMap | None = None,
    timezone: str | dt.tzinfo | None = None,
    on_error: OnError = "raise",
    encoding: str = "utf-8",
    progress: ProgressLike = None,
) -> EventLog:
    """Read events from a JSON Lines file (``.jsonl`` or gzipped ``.jsonl.gz``).

    Each non-blank line is one JSON object, one event; keys are found by
    name through ``schema``, other keys are ignored, ``null`` or a missing
    key is a missing value. A line that is not valid JSON, or not an object,
    is a bad row like any other: it raises a ``SchemaError`` naming the
    line, or with ``on_error="collect"`` is listed in ``log.rejected``.
    ``progress`` (a callback taking a :class:`~touchpath.Progress`, or
    ``True`` for a bar on standard error) reports the bytes read. Other
    options are those of :meth:`EventLog.from_records`.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.jsonl"
    >>> _ = path.write_text(
    ...     '{"journey_id": "j1", "timestamp": "2025-01-01T09:00:00Z", "channel": "ads"}\\n'
    ...     '{"journey_id": "j1", "timestamp": 1735808400, "channel": "email",'
    ...     ' "converted": true}\\n'
    ...     '{"journey_id": "j2", "timestamp": \\n')
    >>> log = read_jsonl(path, on_error="collect")
    >>> (log.n_events, log.rows_read, log.rejected[0].line)
    (2, 3, 3)
    >>> log.rejected[0].reason
    'not valid JSON (Expecting value at character 35)'
    """
    if progress is not None and progress is not False:
        with reporting(progress, f"reading {os.path.basename(path)}", total=file_size(path)):
            return read_jsonl(
                path, schema=schema, journey_map=journey_map, timezone=timezone,
                on_error=on_error, encoding=encoding,
            )  # fmt: skip
    on_error = check_on_error(on_error)
    schema = schema or Schema()
    source = os.fspath(path)
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    invalid: dict[int, tuple[str | None, Any, str]] = {}
    empty: dict[str, Any] = {}
    decoder: Any = json.JSONDecoder(object_pairs_hook=_unique_keys)
    scan = decoder.scan_once  # the C scanner: no per-line wrapper overhead
    for number, text in _lines(path, enc, source):
        if isinstance(text, UnicodeDecodeError):
            raw = text.object[text.start : text.end]
            invalid[len(records)] = (
                None,
                text.object.decode(enc, "backslashreplace").rstrip("\r\n"),
                f"not valid {encoding} text (byte {raw!r} at byte {text.start + 1} of the line)",
            )
            records.append(empty)
            lines.append(number)
            continue
        text = text.rstrip("\r\n")
        if not text.strip():
            continue
        try:
            obj = _decode(scan, text)
        except json.JSONDecodeError as exc:
            invalid[len(records)] = (
                None,
                text,
                f"not valid JSON ({exc.msg} at character {exc.pos + 1})",
            )
            obj = empty
        except _DuplicateKeyError as exc:
            invalid[len(records)] = (None, text, str(exc))
            obj = empty
        else:
            if type(obj) is not dict:
                invalid[len(records)] = (
                    None,
                    obj,
                    f"each line must be a JSON object (got a {type(obj).__name__})",
                )
                obj = empty
        records.append(obj)
        lines.append(number)
    seen = set(itertools.chain.from_iterable(records))
    if len(invalid) == len(records):  # no object to learn the columns from: all are "present"
        seen = set(schema.columns())
    columns: dict[Field, list[Any]] = {}
    for column, field in schema.columns().items():
        if column in seen:
            columns[field] = list(map(dict.get, records, itertools.repeat(column)))
    return build_log(
        columns,
        len(records),
        source=source,
        lines=np.asarray(lines, dtype=np.int64),
        journey_map=journey_map,
        timezone=timezone,
        on_error=on_error,
        schema=schema,
        present=sorted(map(str, seen)),
        invalid=invalid,
    )


def write_jsonl(log: EventLog, path: PathLike) -> None:
    """Write the events to a JSON Lines file (gzipped when the name ends in ``.gz``).

    One object per event with the default field names; timestamps are
    ISO-8601 UTC text, missing values ``null``. :func:`read_jsonl` reads the
    file back to an equal log.

    >>> import tempfile, pathlib
    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "channel": "ads"}])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "out.jsonl"
    >>> write_jsonl(log, path)
    >>> path.read_text()[:60]
    '{"journey_id": "a", "timestamp": "1970-01-01T00:00:00Z", "to'
    >>> read_jsonl(path).equals(log)
    True
    """
    cols = decoded_text_columns(log)
    names = [f.value for f in Field if f.value in cols]
    dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    with open_for_writing(path) as fh:
        for values in zip(*(cols[n] for n in names), strict=True):
            fh.write(dumps(dict(zip(names, values, strict=True))))
            fh.write("\n")

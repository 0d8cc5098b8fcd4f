"""What the frame readers and writers share: the per-field switch, written once.

Readers hand the core each column in the cheapest form it accepts: a numpy
array (booleans, numbers, timestamps already parsed to int64 UTC
microseconds) or a :class:`~touchpath._ingest.Coded` column (the frame
library's own factorisation: integer codes plus the distinct values), so
validation runs once per *distinct* value. Writers emit categorical /
dictionary columns straight from the log's codes.

Each library (``_arrow``, ``_polars``, ``_pandas``) says how to read and
write one kind of column (a :class:`ColumnReader`, a :class:`ColumnWriter`);
:func:`read_fields` and :func:`write_fields` say which kind each field is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Protocol

import numpy as np
import numpy.typing as npt

from .._ingest import ParsedTimestamps
from .._schema import Field, Schema
from .._time import (
    MISSING_REASON,
    NAIVE_REASON,
    OUT_OF_RANGE_REASON,
    US_PER_SECOND,
    localize_checked,
    out_of_range,
    parse_timestamps,
)

if TYPE_CHECKING:
    from .._ingest import _Column
    from .._log import EventLog

__all__ = [
    "ISO_PATTERN",
    "SUB_US",
    "UNIT_FACTOR",
    "ColumnReader",
    "ColumnWriter",
    "epochs",
    "finish_timestamps",
    "merge_text",
    "present",
    "read_fields",
    "write_fields",
]

ISO_PATTERN: Final = (
    r"^\d{4}-\d{2}-\d{2}[T ](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$"
)
"""ISO-8601 text that every engine reads the same way (anything else goes to the core)."""

UNIT_FACTOR: Final = {"s": US_PER_SECOND, "ms": 1000, "us": 1}
SUB_US: Final = "sub-microsecond precision (touchpath stores microseconds)"
_AMOUNTS: Final = (Field.VALUE, Field.COST)


class ColumnReader(Protocol):
    """How one frame library turns each kind of column into what the core reads."""

    def timestamps(self, column: Any) -> _Column:
        """The timestamp column (parsed here, or coded text for a ``timestamp_format``)."""
        ...

    def flags(self, column: Any) -> _Column:
        """The ``converted`` flag."""
        ...

    def amounts(self, column: Any) -> _Column:
        """An amount (``value``, ``cost``)."""
        ...

    def coded(self, column: Any) -> _Column:
        """An id or a category, as codes and distinct values."""
        ...


def read_fields(
    fields: Mapping[Field, str],
    take: Callable[[str], Any],
    reader: ColumnReader,
    *,
    after: Callable[[], object] | None = None,
) -> dict[Field, _Column]:
    """Each present field's column, ``take``-n by name and read by its kind.

    The timestamp goes first (its errors name rows the others refer to);
    ``after`` runs once each column is converted and let go (a reader that
    owns the columns frees memory there).
    """
    out: dict[Field, _Column] = {}
    for f in sorted(fields, key=lambda f: f is not Field.TIMESTAMP):
        column = take(fields[f])
        if f is Field.TIMESTAMP:
            out[f] = reader.timestamps(column)
        elif f is Field.CONVERTED:
            out[f] = reader.flags(column)
        elif f in _AMOUNTS:
            out[f] = reader.amounts(column)
        else:
            out[f] = reader.coded(column)
        del column
        if after is not None:
            after()
    return {f: out[f] for f in fields}


class ColumnWriter(Protocol):
    """How one frame library builds each kind of column from a log's arrays."""

    def dictionary(self, codes: npt.NDArray[Any], names: Sequence[str]) -> Any:
        """A categorical / dictionary column (code ``-1``: missing)."""
        ...

    def timestamps(self, us: npt.NDArray[np.int64]) -> Any:
        """UTC microseconds as the library's aware timestamp column."""
        ...

    def flags(self, values: npt.NDArray[np.bool_]) -> Any:
        """A boolean column."""
        ...

    def floats(self, values: npt.NDArray[np.float64]) -> Any:
        """A float64 column."""
        ...

    def nullable_flags(self, values: npt.NDArray[np.bool_], missing: npt.NDArray[np.bool_]) -> Any:
        """A boolean column with missing entries where ``missing`` is true."""
        ...


def write_fields(log: EventLog, writer: ColumnWriter) -> dict[str, Any]:
    """Every field of the log as a column, under its default name."""
    data: dict[str, Any] = {}
    for f in Field:
        if f is Field.JOURNEY_ID:
            data[f.value] = writer.dictionary(log.event_journey, log.journey_ids.tolist())
        elif f is Field.TIMESTAMP:
            data[f.value] = writer.timestamps(log.timestamps)
        elif f is Field.CONVERTED:
            data[f.value] = writer.flags(log.converted)
        elif f is Field.VALUE:
            data[f.value] = writer.floats(log.values)
        elif f is Field.COST:
            data[f.value] = writer.floats(log.costs)
        elif f is Field.IMPRESSION:  # written only when some event states its kind
            if log.has_impressions:
                flags = log.impressions
                data[f.value] = writer.nullable_flags(flags == 1, flags < 0)
        else:
            data[f.value] = writer.dictionary(*log.codes_and_names(f))
    return data


def present(schema: Schema, columns: Sequence[str]) -> dict[Field, str]:
    """The schema's fields whose column is among ``columns``, with the column names."""
    have = set(columns)
    return {f: c for c, f in schema.columns().items() if c in have}


def finish_timestamps(
    units: npt.NDArray[np.int64],
    unit: str,
    null: npt.NDArray[np.bool_] | None,
    naive: bool,
    tz: dt.tzinfo | None,
    raw: Any,
) -> ParsedTimestamps:
    """int64 counts of a time unit (UTC, or wall time when ``naive``) to a parsed column.

    ``raw(i)`` gives the original value of row ``i`` for messages.
    """
    bad: dict[int, tuple[Any, str]] = {}
    if unit == "ns":
        frac = units % 1000 != 0
        if null is not None:
            frac &= ~null
        for i in np.flatnonzero(frac).tolist():
            bad[i] = (raw(i), SUB_US)
        us = units // 1000
    elif unit == "us":
        us = units  # the core copies it if it is a view of the frame's memory
    else:
        us = units * UNIT_FACTOR[unit]
    if naive:
        if tz is None:
            rows = np.flatnonzero(~null) if null is not None else np.arange(len(us))
            for i in rows.tolist():
                bad.setdefault(i, (raw(i), NAIVE_REASON))
        else:
            us, refused = localize_checked(us, tz)
            for i, why in refused.items():
                if null is None or not null[i]:
                    bad.setdefault(i, (raw(i), why))
    for i in np.flatnonzero(out_of_range(us)).tolist():  # here, while raw values are at hand
        try:
            shown = raw(i)
        except (OverflowError, ValueError):  # a date the frame library cannot show either
            shown = int(units[i])
        bad.setdefault(i, (shown, OUT_OF_RANGE_REASON))
    if null is not None:
        for i in np.flatnonzero(null).tolist():
            bad[i] = (None, MISSING_REASON)
    return ParsedTimestamps(us, bad)  # not ``raw``: it would keep the frame's column alive


def epochs(
    values: npt.NDArray[Any], null: npt.NDArray[np.bool_] | None, unit: str
) -> ParsedTimestamps:
    """Epoch numbers (a numeric column) with nulls to a parsed column."""
    if null is not None and null.any():
        values = np.where(null, 0, values)
    us, reasons = parse_timestamps(values, unit=unit)
    bad = {i: (values[i].item(), why) for i, why in reasons.items()}
    if null is not None:
        for i in np.flatnonzero(null).tolist():
            bad[i] = (None, MISSING_REASON)
    return ParsedTimestamps(us, bad)


def merge_text(
    n: int,
    fast_rows: npt.NDArray[np.int64],
    fast_us: npt.NDArray[np.int64],
    slow_rows: npt.NDArray[np.int64],
    slow_values: list[Any],
    tz: dt.tzinfo | None,
    unit: str,
) -> ParsedTimestamps:
    """Combine rows a frame library parsed with rows the core parses one by one."""
    us = np.zeros(n, dtype=np.int64)
    us[fast_rows] = fast_us
    bad: dict[int, tuple[Any, str]] = {}
    if len(slow_rows):
        parsed, reasons = parse_timestamps(slow_values, timezone=tz, unit=unit)
        us[slow_rows] = parsed
        for k, why in reasons.items():
            bad[int(slow_rows[k])] = (slow_values[k], why)
    return ParsedTimestamps(us, bad)

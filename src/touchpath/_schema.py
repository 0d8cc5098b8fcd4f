"""Column names of event data, error policies, and rejected rows."""

from __future__ import annotations

import enum
from typing import Any, Literal, TypeAlias

import attrs

from ._eventmap import EventMapping
from .exceptions import ConfigError

__all__ = ["Field", "OnError", "Rejection", "Schema", "TimestampUnit"]

OnError: TypeAlias = Literal["raise", "collect"]
"""``"raise"`` stops at the first bad row; ``"collect"`` rejects it with a reason and goes on."""

TimestampUnit: TypeAlias = Literal["auto", "s", "ms", "us", "ns"]
"""How numeric timestamps are read; ``"auto"`` takes values below 1e11 as seconds, else ms."""


class Field(enum.StrEnum):
    """The fields of an event, by their default column names."""

    JOURNEY_ID = "journey_id"
    TIMESTAMP = "timestamp"
    TOUCHPOINT = "touchpoint"
    CHANNEL = "channel"
    STAGE = "stage"
    CONVERTED = "converted"
    VALUE = "value"
    CAMPAIGN = "campaign"
    COST = "cost"
    SEGMENT = "segment"
    ACCOUNT = "account"
    IMPRESSION = "impression"


CATEGORICAL: tuple[Field, ...] = (
    Field.TOUCHPOINT,
    Field.CHANNEL,
    Field.STAGE,
    Field.CAMPAIGN,
    Field.SEGMENT,
    Field.ACCOUNT,
)
"""Fields stored as integer codes into a sorted dictionary of names."""


def _column(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"a column name must be a non-empty string or None; got {value!r}")
    return value


@attrs.frozen
class Schema:
    """Maps event fields to the column names of your data.

    Every field defaults to its own name (``journey_id``, ``timestamp``, ...).
    Set a field to ``None`` to ignore that column even if present.

    >>> s = Schema(journey_id="user_id", timestamp="ts", channel="utm_source")
    >>> s.column(Field.JOURNEY_ID), s.column(Field.STAGE)
    ('user_id', 'stage')
    >>> s.columns()["utm_source"]
    <Field.CHANNEL: 'channel'>
    """

    journey_id: str = attrs.field(default="journey_id", converter=_column)
    """Column with the journey (or user, or contact) id. Required."""
    timestamp: str = attrs.field(default="timestamp", converter=_column)
    """Column with the event time. Required."""
    touchpoint: str | None = attrs.field(default="touchpoint", converter=_column)
    """Column with the touchpoint id."""
    channel: str | None = attrs.field(default="channel", converter=_column)
    """Column with the channel id."""
    stage: str | None = attrs.field(default="stage", converter=_column)
    """Column with the journey stage id."""
    converted: str | None = attrs.field(default="converted", converter=_column)
    """Column with a boolean-like conversion flag."""
    value: str | None = attrs.field(default="value", converter=_column)
    """Column with the conversion value (revenue)."""
    campaign: str | None = attrs.field(default="campaign", converter=_column)
    """Column with the campaign id."""
    cost: str | None = attrs.field(default="cost", converter=_column)
    """Column with the cost of the event (spend)."""
    segment: str | None = attrs.field(default="segment", converter=_column)
    """Column with the segment or persona."""
    account: str | None = attrs.field(default="account", converter=_column)
    """Column with the account (company) id."""
    timestamp_unit: TimestampUnit = "auto"
    """Unit of numeric timestamps."""
    events: EventMapping | None = attrs.field(default=None)
    """How a clickstream's event names feed touchpoint, channel, stage and conversions
    (see :class:`~touchpath.EventMapping`); None: no event column."""

    @events.validator
    def _check_events(self, _: object, value: object) -> None:
        if value is not None and not isinstance(value, EventMapping):
            raise ConfigError(f"'events' must be an EventMapping or None; got {value!r}")

    timestamp_format: str | None = attrs.field(default=None, kw_only=True)
    """A :meth:`~datetime.datetime.strptime` format for text timestamps, such as
    ``"%m/%d/%Y %H:%M"`` for ``03/15/2025 10:00``; None reads ISO-8601 and epoch digits.
    With a format, text must match it (numbers are still epochs); a format without ``%z``
    gives wall times, which need a ``timezone``."""
    impression: str | None = attrs.field(default="impression", converter=_column, kw_only=True)
    """Column with each event's touch kind: true / ``view`` / ``impression`` for a view, false /
    ``click`` for a click, empty where not stated (then name rules such as
    :class:`~touchpath.attribution.TouchWindows`' ``views`` decide)."""

    def __attrs_post_init__(self) -> None:
        for required in ("journey_id", "timestamp"):
            if getattr(self, required) is None:
                raise ConfigError(f"the {required} column is required; got None")
        names = [c for c in map(self.column, Field) if c is not None]
        if self.events is not None:  # the event column may feed several fields
            fed = [f for f in Field if self.column(f) == self.events.column]
            if all(f.value in self.events.fed() or f is Field.CONVERTED for f in fed):
                names = [c for c in names if c != self.events.column] + [self.events.column]
        dupes = sorted({c for c in names if names.count(c) > 1})
        if dupes:
            raise ConfigError(f"a column may map to one field only; got duplicates {dupes}")
        fmt: object = self.timestamp_format
        if fmt is not None and (not isinstance(fmt, str) or "%" not in fmt):
            raise ConfigError(
                f"'timestamp_format' must be a strptime format such as '%m/%d/%Y %H:%M'; "
                f"got {fmt!r}"
            )
        if self.timestamp_unit not in ("auto", "s", "ms", "us", "ns"):
            raise ConfigError(
                f"'timestamp_unit' must be one of auto, s, ms, us, ns; got {self.timestamp_unit!r}"
            )

    def column(self, field: Field) -> str | None:
        """The column name for a field (None when ignored); a field an
        :class:`~touchpath.EventMapping` feeds reads the event column."""
        events = self.events
        if events is not None:
            if field.value in events.fed() or (field is Field.CONVERTED and events.conversions):
                return events.column
            if field is Field.VALUE and events.value is not None:
                return events.value
        name: str | None = getattr(self, field.value)
        return name

    def columns(self) -> dict[str, Field]:
        """Column name -> field, for the fields that are read (the event column is read once,
        as the first field it feeds: see :meth:`event_field`)."""
        out: dict[str, Field] = {}
        for f in Field:
            c = self.column(f)
            if c is not None and c not in out:
                out[c] = f
        return out

    def event_field(self) -> Field | None:
        """The field the readers read the event column as (None without ``events``).

        >>> Schema(events=EventMapping(stage=True, channel={"ad": "ads"})).event_field()
        <Field.CHANNEL: 'channel'>
        """
        if self.events is None:
            return None
        return self.columns()[self.events.column]


@attrs.frozen
class Rejection:
    """An input row that was not used, with the reason.

    >>> Rejection(row=4, line=6, field="timestamp", value="yesterday",
    ...           reason="not an ISO-8601 timestamp").message(source="events.csv")
    "events.csv line 6, field 'timestamp': not an ISO-8601 timestamp; got 'yesterday'"
    """

    row: int
    """0-based position of the row in the input (data rows only)."""
    line: int | None
    """1-based line number in the source file, when read from a file."""
    field: str | None
    """The column whose value was refused (None for whole-row problems)."""
    value: Any
    """The raw value that was refused."""
    reason: str
    """Why the row was refused."""

    def message(self, source: str | None = None) -> str:
        """The rejection as a one-line message naming source, line (or row), field and value."""
        from .exceptions import SchemaError

        if self.line is not None:
            return str(
                SchemaError(
                    self.reason, source=source, line=self.line, field=self.field, value=self.value
                )
            )
        where = f"{source} row {self.row}" if source else f"row {self.row}"
        return str(SchemaError(self.reason, source=where, field=self.field, value=self.value))

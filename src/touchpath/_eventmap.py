"""Clickstreams: how raw event names become touchpoints, channels, stages and conversions.

A clickstream has a user id, a time and an *event name* (``catalog``,
``product``, ``cart``, ``payment_done``). An :class:`EventMapping` on the
:class:`~touchpath.Schema` says declaratively what those names mean, so no
new column has to be written first:

* which fields the event column feeds: ``touchpoint=True`` takes the name as
  it is, a mapping (``stage={"catalog": "browse", "cart": "buy"}``) looks it
  up; one column may feed several fields;
* which names are conversions (``conversions=("payment_done",)``) and which
  column holds their value (``value="amount"``, read on conversion events only);
* grouped names (``"product1|product2"``, retentioneering's grouped events)
  map through the same tables, part by part.

The mapping runs once per *distinct* event name (vectorised over the rows)
inside the core, so every reader (records, CSV, JSON Lines, Parquet, frames,
Arrow streams) honours it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeAlias

import attrs

from .exceptions import ConfigError

__all__ = ["EventMapping", "Feed", "Unmapped"]

Unmapped: TypeAlias = Literal["empty", "keep", "reject"]
"""What a name missing from a table becomes: no value, the name itself, or a rejected row."""

Feed: TypeAlias = "bool | Mapping[str, str] | None"
"""How a field is fed: ``True`` the event name itself, a table of names, ``False``/None not."""

_Table: TypeAlias = "tuple[tuple[str, str], ...] | bool"


def _feed(value: object) -> _Table:
    """Store a feed as True/False or a sorted tuple of (event name, target) pairs."""
    if value is None or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, Mapping):
        pairs = sorted(value.items())
        for k, v in pairs:
            if not isinstance(k, str) or not k or not isinstance(v, str) or not v:
                raise ConfigError(
                    f"a mapping table must map event names to non-empty names; got {k!r}: {v!r}"
                )
        return tuple(pairs)
    raise ConfigError(
        f"a field is fed by True (the event name), a mapping of names, or False; got {value!r}"
    )


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable):
        raise ConfigError(f"'conversions' must be event names; got {value!r}")
    names = tuple(sorted(set(value)))
    if not all(isinstance(n, str) and n for n in names):
        raise ConfigError(f"'conversions' must be non-empty event names; got {value!r}")
    return names


def _optional_column(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"a column name must be a non-empty string or None; got {value!r}")
    return value


def _column(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"'column' must be a non-empty column name; got {value!r}")
    return value


def _separator(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"'separator' must be non-empty text or None; got {value!r}")
    return value


def _unmapped(value: object) -> Unmapped:
    if value not in ("empty", "keep", "reject"):
        raise ConfigError(f"'unmapped' must be 'empty', 'keep' or 'reject'; got {value!r}")
    return value


@attrs.frozen
class EventMapping:
    """How the event names of a clickstream become touchpoints, channels, stages, conversions.

    Put it on the schema: ``Schema(journey_id="user_id", events=EventMapping(...))``.
    A field the mapping feeds ignores its own column in the schema; so does
    the conversion flag when ``conversions`` is given, and the value when
    ``value`` is.

    >>> m = EventMapping(column="event", touchpoint=True,
    ...                  stage={"catalog": "browse", "cart": "buy", "payment_done": "buy"},
    ...                  conversions=["payment_done"], value="amount")
    >>> (m.fed(), m.table("stage")["cart"], m.conversions)
    (('touchpoint', 'stage'), 'buy', ('payment_done',))
    """

    column: str = attrs.field(default="event", converter=_column)
    """Column with the event name."""
    touchpoint: _Table = attrs.field(default=False, converter=_feed)
    """Feed the touchpoint: True (the name), a table of names, or False."""
    channel: _Table = attrs.field(default=False, converter=_feed)
    """Feed the channel: True (the name), a table of names, or False."""
    stage: _Table = attrs.field(default=False, converter=_feed)
    """Feed the stage: True (the name), a table of names, or False."""
    conversions: tuple[str, ...] = attrs.field(default=(), converter=_names)
    """Event names that are conversions (a grouped name converts if one of its parts does)."""
    value: str | None = attrs.field(default=None, converter=_optional_column)
    """Column with the conversion value, read on conversion events only (None: the schema's
    ``value`` column, read on every event)."""
    separator: str | None = attrs.field(default="|", converter=_separator)
    """Separator of grouped event names (None: names are never split)."""
    unmapped: Unmapped = attrs.field(default="empty", converter=_unmapped)
    """A name a table does not know: ``"empty"`` leaves the field empty, ``"keep"`` uses
    the name itself, ``"reject"`` rejects the row."""

    def __attrs_post_init__(self) -> None:
        if not self.fed() and not self.conversions:
            raise ConfigError(
                "an EventMapping must feed touchpoint, channel or stage, or name conversions"
            )

    def fed(self) -> tuple[str, ...]:
        """The fields the event column feeds, in the order touchpoint, channel, stage.

        >>> EventMapping(stage=True, touchpoint={"ad": "banner"}).fed()
        ('touchpoint', 'stage')
        """
        return tuple(f for f in ("touchpoint", "channel", "stage") if getattr(self, f) is not False)

    def table(self, field: str) -> dict[str, str]:
        """The mapping table of a field (empty when it takes the name as it is, or is not fed).

        >>> EventMapping(channel={"ad_click": "ads"}).table("channel")
        {'ad_click': 'ads'}
        """
        feed: Any = getattr(self, field)
        return dict(feed) if isinstance(feed, tuple) else {}


def apply_events(
    values: Any, mapping: EventMapping, name: str, problems: Any
) -> tuple[dict[Any, Any], Any]:
    """Derive the fed fields (as Coded columns) and the conversion flags from an event column.

    Runs once per distinct event name; bad names are reported to ``problems``
    (the core's collector) under the column ``name``. Returns the columns by
    field and the flags (None when the mapping names no conversions).
    """
    import numpy as np

    from ._ingest import Coded, _factorize, _is_missing, _rows_with
    from ._schema import Field

    codes, uniq = _factorize(values)
    fed = mapping.fed()
    tables = {f: mapping.table(f) for f in fed}
    identity = {f: getattr(mapping, f) is True for f in fed}
    out: dict[str, list[str | None]] = {f: [] for f in fed}
    converts = set(mapping.conversions)
    flags = np.zeros(len(uniq), dtype=np.bool_)
    bad: dict[int, str] = {}
    sep = mapping.separator
    for k, raw in enumerate(uniq):
        text: str | None = None
        if isinstance(raw, str) and not _is_missing(raw):
            text = raw
        elif isinstance(raw, int | np.integer) and not isinstance(raw, bool | np.bool_):
            text = str(int(raw))
        elif not _is_missing(raw):
            bad[k] = f"an event name must be text (got a {type(raw).__name__})"
        if text is None:
            for f in fed:
                out[f].append(None)
            continue
        parts = [p.strip() for p in text.split(sep)] if sep and sep in text else [text]
        flags[k] = text in converts or any(p in converts for p in parts)
        for f in fed:
            table = tables[f]
            if identity[f]:
                out[f].append(text)
            elif text in table:
                out[f].append(table[text])
            else:
                found = sorted({table[p] for p in parts if p in table})
                if len(found) == 1:
                    out[f].append(found[0])
                    continue
                if len(found) > 1:
                    bad.setdefault(k, f"event group {text!r} maps to several {f}s: {found}")
                elif mapping.unmapped == "keep":
                    out[f].append(text)
                    continue
                elif mapping.unmapped == "reject":
                    bad.setdefault(k, f"event {text!r} is not in the {f} table")
                out[f].append(None)
    if bad:
        rows, keys = _rows_with(codes, bad, len(uniq))
        for r, key in zip(rows.tolist(), keys, strict=True):
            problems.add(r, name, values[r], bad[key])
    columns = {Field(f): Coded(codes, out[f]) for f in fed}
    converted = flags[codes] if len(codes) else np.zeros(0, dtype=np.bool_)
    return columns, (converted if mapping.conversions else None)


def only_rows(values: Any, keep: Any) -> Any:
    """A raw amount column with every row outside ``keep`` (a boolean array) made empty."""
    import numpy as np

    from ._ingest import Coded

    if isinstance(values, Coded):
        return Coded(np.where(keep, values.codes, -1), values.values)
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "iuf":
            return np.where(keep, values, 0)
        if values.dtype.kind == "O":
            out = values.copy()
            out[~keep] = None
            return out
        return np.where(keep, values, "")
    return [v if k else None for v, k in zip(values, keep.tolist(), strict=True)]

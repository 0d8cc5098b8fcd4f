"""Attribution by segment: one result's credit broken down by a categorical column.

:func:`breakdown` splits the credit of an
:class:`~touchpath.attribution.AttributionResult` computed from a log by
``segment``, ``account`` or any categorical field. Each path belongs to the
value of the field at its last event (its conversion), or, when that event
has none, at the latest earlier event of the journey that has one; paths
with no value at all form the segment ``None``.

* For per-touch models (the rules, :class:`Fractribution`) each touch's
  credit goes to its path's segment: the breakdown is exact and additive, so
  breakdowns of two logs add up with ``+``.
* For models defined on the whole data (Markov, Shapley) each path is split
  among its items as in ``explain()``, and each item's credit is then shared
  among segments in proportion: the columns still sum to the model's credit
  per item, but a segment's total need not equal its conversions. Such
  breakdowns do not add (refit on the merged data instead).

Either way ``sum over segments == the result's credit`` per item, and
``unattributed`` per segment sums to the result's unattributed conversions.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from .._paths import wsum
from .._schema import CATEGORICAL, Field
from ..exceptions import ConfigError, NotFoundError, UnsupportedInputError
from ._result import AttributionResult

__all__ = ["Breakdown", "breakdown", "split_credit"]

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]


def _field(value: object) -> Field:
    try:
        field = Field(value) if isinstance(value, str) else None
    except ValueError:
        field = None
    if field not in CATEGORICAL:
        raise ConfigError(
            f"'by' must be a categorical field, one of {[f.value for f in CATEGORICAL]}; "
            f"got {value!r}"
        )
    assert field is not None
    return field


@attrs.frozen(eq=False, repr=False)
class Breakdown:
    """Credit per segment and item (rows: segments; columns: items).

    >>> from touchpath import EventLog
    >>> from touchpath.attribution import LastTouch, attribute
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "channel": "ads", "segment": "smb",
    ...      "converted": True, "value": 10},
    ...     {"journey_id": "b", "timestamp": 0, "channel": "seo", "segment": "ent",
    ...      "converted": True, "value": 50}])
    >>> b = breakdown(attribute(log, LastTouch()), "segment")
    >>> b.table()
    {'ent': {'ads': 0.0, 'seo': 1.0}, 'smb': {'ads': 1.0, 'seo': 0.0}}
    >>> b.totals(value=True)
    {'ads': 10.0, 'seo': 50.0}
    """

    field: Field
    """The field the credit is broken down by."""
    segments: tuple[str | None, ...]
    """Segment names (sorted; None last: paths without a value)."""
    items: tuple[str, ...]
    """Credited items (as in the result)."""
    conversions: _F64
    """``(n_segments, n_items)`` conversions credited."""
    values: _F64
    """``(n_segments, n_items)`` value credited."""
    unattributed: _F64
    """Conversions without touches, per segment."""
    unattributed_value: _F64
    """Their value, per segment."""
    model: str
    """The result's model label."""
    additive: bool
    """Whether breakdowns of separate data add up (per-touch models)."""

    def table(self, *, value: bool = False) -> dict[str | None, dict[str, float]]:
        """``{segment: {item: credit}}``: conversions, or value with ``value=True``."""
        arr = self.values if value else self.conversions
        return {
            s: dict(zip(self.items, row, strict=True))
            for s, row in zip(self.segments, arr.tolist(), strict=True)
        }

    def credits(self, segment: str | None, *, value: bool = False) -> dict[str, float]:
        """One segment's credit per item."""
        if segment not in self.segments:
            raise NotFoundError("segment", str(segment), choices=[str(s) for s in self.segments])
        return self.table(value=value)[segment]

    def totals(self, *, value: bool = False) -> dict[str, float]:
        """Credit per item over all segments (the result's credit)."""
        arr = self.values if value else self.conversions
        return dict(zip(self.items, arr.sum(axis=0).tolist(), strict=True))

    def __add__(self, other: Breakdown) -> Breakdown:
        if not isinstance(other, Breakdown):
            return NotImplemented
        if not (self.additive and other.additive):
            raise UnsupportedInputError(
                "breakdowns of a model defined on the whole data (Markov, Shapley) do not add; "
                "fit the model on the merged data and break that result down"
            )
        if self.field != other.field or self.model != other.model:
            raise ConfigError(
                f"cannot add breakdowns of {self.model} by {self.field.value} and "
                f"{other.model} by {other.field.value}"
            )
        segments = tuple(sorted(set(self.segments) | set(other.segments), key=_segment_key))
        items = tuple(sorted(set(self.items) | set(other.items)))

        def place(b: Breakdown, name: str) -> Any:
            arr = getattr(b, name)
            rows = [segments.index(s) for s in b.segments]
            if arr.ndim == 1:
                out = np.zeros(len(segments))
                out[rows] = arr
                return out
            out2 = np.zeros((len(segments), len(items)))
            out2[np.ix_(rows, [items.index(x) for x in b.items])] = arr
            return out2

        names = ("conversions", "values", "unattributed", "unattributed_value")
        summed = {n: place(self, n) + place(other, n) for n in names}
        return Breakdown(self.field, segments, items, model=self.model, additive=True, **summed)

    def __repr__(self) -> str:
        return (
            f"<Breakdown of {self.model} by {self.field.value}: {len(self.segments)} segments, "
            f"{len(self.items)} items>"
        )


def _segment_key(s: str | None) -> tuple[bool, str]:
    return (s is None, s or "")


def _path_segments(result: AttributionResult, field: Field) -> tuple[_I64, tuple[str | None, ...]]:
    """The segment code of each path (names sorted, None last) and the names."""
    paths = result.paths
    assert paths is not None
    assert paths.log is not None
    assert paths.ends is not None
    log = paths.log
    codes, names = log.codes_and_names(field)
    n = log.n_events
    # the latest event at or before each event, within its journey, that has a value
    has = codes >= 0
    idx = np.where(has, np.arange(n, dtype=np.int64), -1)
    filled = np.maximum.accumulate(idx) if n else idx
    journey_start = log.offsets[:-1][log.event_journey] if n else np.zeros(0, np.int64)
    source = np.where(filled >= journey_start, filled, -1)
    at_end = source[paths.ends]
    seg = np.where(at_end >= 0, codes[np.maximum(at_end, 0)], -1).astype(np.int64)
    present = np.unique(seg[seg >= 0])
    out_names: list[str | None] = [names[int(c)] for c in present]
    lookup = np.full(len(names) + 1, len(present), dtype=np.int64)
    lookup[present] = np.arange(len(present), dtype=np.int64)
    if (seg < 0).any():
        out_names.append(None)
    return lookup[seg], tuple(out_names)


def breakdown(result: AttributionResult, by: Field | str = Field.SEGMENT) -> Breakdown:
    """Break a result's credit down by a categorical field (see the module documentation).

    ``result`` must come from an :class:`~touchpath.EventLog` (count tables
    have no journeys to take a segment from).

    >>> from touchpath import EventLog
    >>> from touchpath.attribution import FirstTouch, attribute
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "channel": "ads", "segment": "smb",
    ...      "converted": True},
    ...     {"journey_id": "b", "timestamp": 0, "channel": "ads", "segment": "ent",
    ...      "converted": True}])
    >>> breakdown(attribute(log, FirstTouch())).segments
    ('ent', 'smb')
    """
    field = _field(by)
    paths = result.paths
    if paths is None or paths.log is None or paths.ends is None:
        raise UnsupportedInputError(
            "breakdown() needs a result computed from an EventLog (count tables have no "
            "journeys to read a segment from)"
        )
    seg, names = _path_segments(result, field)
    n_seg = len(names)
    conv, vals = split_credit(result, seg, n_seg)
    additive = result.shares is not None
    empty = paths.lengths == 0
    return Breakdown(
        field=field,
        segments=names,
        items=result.items,
        conversions=conv,
        values=vals,
        unattributed=wsum(seg[empty], paths.conversions[empty], n_seg),
        unattributed_value=wsum(seg[empty], paths.values[empty], n_seg),
        model=result.model,
        additive=additive,
    )


def split_credit(result: AttributionResult, group: _I64, n_groups: int) -> tuple[_F64, _F64]:
    """``(n_groups, n_items)`` conversions and value credited, for a group per path.

    Exact for per-touch results; for the others each path is split as in
    ``explain()`` and every item's column is scaled to the result's credit.
    """
    paths = result.paths
    assert paths is not None
    n_items = len(result.items)
    tp = paths.touch_path
    codes = paths.codes.astype(np.int64)
    if result.shares is not None:
        shares = result.shares
    else:
        # explain()'s split: item weights, shared equally among the item's touches in a path
        item_w = result.weights if result.weights is not None else np.ones(n_items)
        key = tp * max(n_items, 1) + codes
        _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        same = counts[inverse.reshape(-1)].astype(np.float64)
        w = item_w[codes] / same
        total = wsum(tp, w, paths.n_paths)[tp]
        distinct = wsum(tp, 1.0 / same, paths.n_paths)[tp]
        shares = np.where(total > 0, w / np.where(total > 0, total, 1.0), 1.0 / (same * distinct))
    cell = group[tp] * max(n_items, 1) + codes
    size = n_groups * n_items
    conv = wsum(cell, shares * paths.conversions[tp], size).reshape(n_groups, n_items)
    vals = wsum(cell, shares * paths.values[tp], size).reshape(n_groups, n_items)
    if result.shares is None:
        # an item credited by the chain but on no converting path goes by its touches
        seen = wsum(cell, (paths.conversions + paths.non_conversions)[tp], size)
        fallback = seen.reshape(n_groups, n_items)
        conv = _rescale(conv, result.conversions, fallback)
        vals = _rescale(vals, result.values, fallback)
    return conv, vals


def _rescale(raw: _F64, totals: _F64, fallback: _F64) -> _F64:
    """Columns scaled to sum to ``totals``; columns without raw credit use ``fallback``."""
    raw = np.where((raw.sum(axis=0) > 0)[None, :], raw, fallback)
    col = raw.sum(axis=0)
    scale = np.where(col > 0, totals / np.where(col > 0, col, 1.0), 0.0)
    return raw * scale

"""Lookback windows per kind of touch (click versus view) and first / last *paid* touch.

Ad platforms credit a click for longer than an impression (e.g. 28 days
after a click, 1 day after a view). :class:`TouchWindows` is a path
transform (use it with :func:`~touchpath.attribution.transform_paths`)
that keeps a touch when its age at the path's end (its conversion, or a
non-converting path's last event) is within the window of its kind. **The
window edge is inclusive**: a click exactly 28 days before the conversion
counts, one a microsecond older does not (the same rule as ``lookback``).

A touch's kind comes first from its event's impression flag
(:attr:`~touchpath.Schema.impression`, :attr:`~touchpath.EventLog.impressions`):
an event flagged as a view is a view and one flagged as a click is a click,
whatever its name. Only an event whose flag is not stated (or a log without
the column) falls back to the name rule: a *view* when its channel (or, with
``field="touchpoint"``, its touchpoint) is one of ``views``, a *click*
otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from .._paths import ConversionPaths
from .._schema import Field
from .._time import format_duration, parse_duration
from ..exceptions import ConfigError
from ._result import Credit
from ._transforms import _keep

__all__ = ["FirstPaidTouch", "LastPaidTouch", "TouchWindows"]

_B = npt.NDArray[np.bool_]


def _window(value: object) -> int | None:
    return None if value is None else parse_duration(value, name="window")


def _names(value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ConfigError(f"expected a collection of names (not one string); got {value!r}")
    out = frozenset(value)
    if not all(isinstance(x, str) and x for x in out):
        raise ConfigError(f"names must be non-empty strings; got {sorted(map(repr, out))}")
    return out


def _kind_field(value: object) -> Field:
    if value in (Field.CHANNEL, "channel"):
        return Field.CHANNEL
    if value in (Field.TOUCHPOINT, "touchpoint"):
        return Field.TOUCHPOINT
    raise ConfigError(f"'field' must be 'channel' or 'touchpoint'; got {value!r}")


def _view_touches(paths: ConversionPaths, views: frozenset[str], field: Field) -> _B:
    """Whether each touch is a view: its event's flag where stated, else its name in ``views``."""
    codes, names = paths.codes_of(field)
    by_name: _B = np.array([n in views for n in names] + [False], dtype=np.bool_)[codes]
    log, events = paths.log, paths.events
    if log is None or events is None or not log.has_impressions:
        return by_name
    flag = log.impressions[events]
    out: _B = np.where(flag >= 0, flag == 1, by_name)
    return out


def _show(value: int | None) -> str:
    return "None" if value is None else format_duration(value)


@attrs.frozen
class TouchWindows:
    """Keep clicks up to ``click`` and views up to ``view`` before the path's end (inclusive).

    A window of None keeps every touch of that kind. Needs timestamps.

    >>> from touchpath import EventLog
    >>> from touchpath.attribution import LastTouch, attribute, transform_paths
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j", "timestamp": "2025-01-01T00:00:00Z", "channel": "search"},
    ...     {"journey_id": "j", "timestamp": "2025-01-28T00:00:00Z", "channel": "display"},
    ...     {"journey_id": "j", "timestamp": "2025-01-29T00:00:00Z", "stage": "buy",
    ...      "converted": True}])
    >>> w = TouchWindows(click="28 days", view="1 day", views={"display"})
    >>> transform_paths(log, w).paths()  # the click is exactly 28 days old: kept
    [('search', 'display')]
    >>> tight = TouchWindows(click="27 days", view="12 hours", views={"display"})
    >>> transform_paths(log, tight).paths()
    [()]

    An event's own flag (the ``impression`` column) takes precedence over ``views``:

    >>> flagged = EventLog.from_records([
    ...     {"journey_id": "j", "timestamp": "2025-01-01T00:00:00Z", "channel": "search",
    ...      "impression": "view"},
    ...     {"journey_id": "j", "timestamp": "2025-01-28T00:00:00Z", "channel": "display",
    ...      "impression": "click"},
    ...     {"journey_id": "j", "timestamp": "2025-01-29T00:00:00Z", "stage": "buy",
    ...      "converted": True}])
    >>> transform_paths(flagged, w).paths()  # a 28-day-old view, a 1-day-old click
    [('display',)]
    """

    click: int | None = attrs.field(default=28 * 86_400, converter=_window, repr=_show)
    """Window after a click (µs; None: no limit)."""
    view: int | None = attrs.field(default=86_400, converter=_window, repr=_show)
    """Window after a view / impression (µs; None: no limit)."""
    views: frozenset[str] = attrs.field(default=frozenset(), converter=_names)
    """The channels (or touchpoints) whose touches are views."""
    field: Field = attrs.field(default=Field.CHANNEL, converter=_kind_field)
    """What ``views`` names: ``channel`` or ``touchpoint``."""

    def apply(self, paths: ConversionPaths) -> ConversionPaths:
        """The paths without the touches older than their kind's window."""
        times, ends = paths.times()
        is_view = _view_touches(paths, self.views, self.field)
        age = ends[paths.touch_path] - times
        limit = np.where(
            is_view,
            np.iinfo(np.int64).max if self.view is None else self.view,
            np.iinfo(np.int64).max if self.click is None else self.click,
        )
        return _keep(paths, age <= limit)


def _paid_choice(
    paths: ConversionPaths, paid: frozenset[str], *, last: bool, views: frozenset[str] | None
) -> Credit:
    if paths.level in (Field.CHANNEL, None):
        codes, names = paths.codes, paths.items
    else:
        codes, names = paths.codes_of(Field.CHANNEL)
    is_paid = np.array([n in paid for n in names] + [False], dtype=np.bool_)[codes]
    if views is not None:  # clicks only
        channel_paths = attrs.evolve(paths, level=Field.CHANNEL, codes=codes, items=names)
        is_paid &= ~_view_touches(channel_paths, views, Field.CHANNEL)
    nonempty = paths.lengths > 0
    starts = paths.offsets[:-1][nonempty]
    ends = paths.offsets[1:][nonempty] - 1
    index = np.arange(paths.n_touches, dtype=np.int64)
    shares = np.zeros(paths.n_touches)
    if len(starts) == 0:
        return Credit(shares)
    if last:
        best = np.maximum.reduceat(np.where(is_paid, index, -1), starts)
        chosen = np.where(best >= starts, best, ends)
    else:
        big = np.int64(paths.n_touches)
        best = np.minimum.reduceat(np.where(is_paid, index, big), starts)
        chosen = np.where(best <= ends, best, starts)
    shares[chosen] = 1.0
    return Credit(shares)


@attrs.frozen
class FirstPaidTouch:
    """All credit to the first touch on a paid channel; a path without one: its first touch.

    ``paid`` names the paid channels (read from each touch's channel,
    whatever attribute is credited).

    >>> from touchpath.attribution import PathCounts, attribute
    >>> pc = PathCounts.from_rows([(["seo", "ads", "social"], 1, 0, 0), (["seo"], 1, 0, 0)])
    >>> attribute(pc, FirstPaidTouch(paid={"ads", "social"})).credits()
    {'ads': 1.0, 'seo': 1.0, 'social': 0.0}
    """

    paid: frozenset[str] = attrs.field(converter=_names, repr=lambda s: repr(tuple(sorted(s))))
    """The paid channels."""
    clicks_only: bool = attrs.field(default=False, kw_only=True)
    """Only a paid *click* qualifies: an event flagged as a view, or an unflagged one whose
    channel is in ``views``, is passed over (see :class:`TouchWindows` for the rule)."""
    views: frozenset[str] = attrs.field(default=frozenset(), converter=_names, kw_only=True)
    """With ``clicks_only``: the channels whose unflagged touches are views."""

    per_path: ClassVar[bool] = True

    def credit(self, paths: ConversionPaths) -> Credit:
        """Touch shares for the paths."""
        views = self.views if self.clicks_only else None
        return _paid_choice(paths, self.paid, last=False, views=views)


@attrs.frozen
class LastPaidTouch:
    """All credit to the last touch on a paid channel; a path without one: its last touch.

    >>> from touchpath.attribution import PathCounts, attribute
    >>> pc = PathCounts.from_rows([(["ads", "social", "seo"], 1, 0, 0)])
    >>> attribute(pc, LastPaidTouch(paid={"ads", "social"})).credits()
    {'ads': 0.0, 'seo': 0.0, 'social': 1.0}

    The last paid *click*, with each event's impression flag (a view is passed over):

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j", "timestamp": 0, "channel": "ads", "impression": "click"},
    ...     {"journey_id": "j", "timestamp": 1, "channel": "social", "impression": "view"},
    ...     {"journey_id": "j", "timestamp": 2, "stage": "buy", "converted": True}])
    >>> attribute(log, LastPaidTouch(paid={"ads", "social"}, clicks_only=True)).credits()
    {'ads': 1.0, 'social': 0.0}
    """

    paid: frozenset[str] = attrs.field(converter=_names, repr=lambda s: repr(tuple(sorted(s))))
    """The paid channels."""
    clicks_only: bool = attrs.field(default=False, kw_only=True)
    """Only a paid *click* qualifies: an event flagged as a view, or an unflagged one whose
    channel is in ``views``, is passed over (see :class:`TouchWindows` for the rule)."""
    views: frozenset[str] = attrs.field(default=frozenset(), converter=_names, kw_only=True)
    """With ``clicks_only``: the channels whose unflagged touches are views."""

    per_path: ClassVar[bool] = True

    def credit(self, paths: ConversionPaths) -> Credit:
        """Touch shares for the paths."""
        views = self.views if self.clicks_only else None
        return _paid_choice(paths, self.paid, last=True, views=views)

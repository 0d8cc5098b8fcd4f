"""Declarative KPI measurements: how a KPI is measured from an event log, stored with the map.

A :class:`~touchpath.KPI` may carry one measurement; :func:`touchpath.scorecard`
then measures it from any event log, for any map. Each measurement is a
frozen value with a ``kind`` (its name in the map's JSON) and says which
stages, touchpoints and columns it needs, so a log that lacks them gives a
reason, never a made-up number. Definitions are in ``docs/metrics.md``.

>>> m = Conversion("decision", "onboarding", window="30 days")
>>> m.to_dict()
{'kind': 'conversion', 'source': 'decision', 'target': 'onboarding', 'window': '30 days'}
>>> measurement_from_dict(m.to_dict()) == m
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, TypeAlias

import attrs

from ._deprecation import renamed_fields, warn_renamed
from ._time import parse_duration
from .exceptions import MapError

if TYPE_CHECKING:
    from ._log import EventLog

__all__ = [
    "ClvCac",
    "Conversion",
    "ConvertsAfter",
    "EventCount",
    "MeasureLevel",
    "Measurement",
    "Reach",
    "ReachWithin",
    "Retention",
    "RevenueMetric",
    "RevenueRatio",
    "TimeToStage",
    "ValueShare",
    "measurement_from_dict",
]

MeasureLevel: TypeAlias = Literal["stage", "touchpoint", "channel"]
"""The level a measurement's ids are read at."""
RevenueMetric: TypeAlias = Literal[
    "net_revenue_retention", "gross_revenue_retention", "customer_churn", "revenue_churn",
    "expansion",
]  # fmt: skip
"""The ratios of :class:`RevenueRatio` (see :class:`touchpath.metrics.RevenueMovements`)."""

_LEVELS: Final = ("stage", "touchpoint", "channel")
_REVENUE: Final = (
    "net_revenue_retention",
    "gross_revenue_retention",
    "customer_churn",
    "revenue_churn",
    "expansion",
)


def _duration_text(value: object) -> str:
    """A duration kept as its text (so the JSON round-trips); checked to parse."""
    if isinstance(value, dt.timedelta):
        value = f"{value.total_seconds():g} seconds"
    if not isinstance(value, str):
        raise MapError(f"a measurement duration must be text such as '24 hours'; got {value!r}")
    try:
        parse_duration(value, name="window")
    except ValueError as exc:
        raise MapError(f"measurement duration: {exc}") from None
    return value


def _optional_duration(value: object) -> str | None:
    return None if value is None else _duration_text(value)


def _level(value: object) -> MeasureLevel:
    if value not in _LEVELS:
        raise MapError(f"measurement level must be one of {list(_LEVELS)}; got {value!r}")
    out: MeasureLevel = value
    return out


def _id(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise MapError(f"measurement {attribute.name} must be a non-empty id; got {value!r}")


def _optional_id(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _id(instance, attribute, value)


def _absent(log: EventLog, level: str, ids: tuple[str, ...]) -> str | None:
    """Why ``log`` cannot measure something that needs ``ids`` at ``level`` (None: it can)."""
    known = {"stage": log.stage_ids, "touchpoint": log.touchpoint_ids, "channel": log.channel_ids}[
        level
    ]
    if not known:
        return f"the data has no {level} values"
    missing = [i for i in ids if i not in known]
    if missing:
        return f"the data has no event in {level} " + ", ".join(repr(m) for m in missing)
    return None


def _needs_revenue(log: EventLog) -> str | None:
    if not bool(log.converted.any()) or not bool((log.values != 0).any()):
        return "the data has no conversion values (revenue)"
    return None


class _Measure:
    """What every measurement shares: its JSON form, the ids it needs, why data cannot serve.

    A subclass names the fields that hold ids at its ``level`` (``_ids``) and
    what else the data must hold (:meth:`_unmeasurable`).
    """

    __slots__ = ()
    kind: ClassVar[str]
    _ids: ClassVar[tuple[str, ...]] = ()
    """The fields holding the ids (at the measurement's ``level``) the data must contain."""
    _keep: ClassVar[tuple[str, ...]] = ()
    """Fields written by :meth:`to_dict` even at their default."""

    @property
    def needs(self) -> tuple[tuple[str, str], ...]:
        """The (level, id) pairs the data must contain."""
        if not self._ids:
            return ()
        level: str = getattr(self, "level")  # noqa: B009 - every measurement with ids has one
        return tuple((level, getattr(self, name)) for name in self._ids)

    def missing(self, log: EventLog) -> str | None:
        """Why ``log`` cannot measure this (None when it can)."""
        reason = self._unmeasurable(log)
        if reason is not None:
            return reason
        needs = self.needs
        return _absent(log, needs[0][0], tuple(i for _, i in needs)) if needs else None

    def _unmeasurable(self, log: EventLog) -> str | None:
        """What the data lacks besides the ids (conversions, revenue, ...); None: nothing."""
        return None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (defaults left out)."""
        return _plain(self, keep=self._keep)


@renamed_fields(within="window")
@attrs.frozen
class Conversion(_Measure):
    """Share of the journeys reaching ``source`` that reach ``target`` after it (within a window).

    :func:`touchpath.metrics.stage_conversion`; with a ``window``, journeys
    whose window is still open at the log's end are left out.

    >>> Conversion("decision", "onboarding").needs
    (('stage', 'decision'), ('stage', 'onboarding'))
    """

    kind: ClassVar[str] = "conversion"
    source: str = attrs.field(validator=_id)
    """The stage (touchpoint, channel) measured from."""
    target: str = attrs.field(validator=_id)
    """The stage (touchpoint, channel) to reach."""
    window: str | None = attrs.field(default=None, converter=_optional_duration)
    """The time allowed after ``source``, as text (``"30 days"``); None for no window."""
    level: MeasureLevel = attrs.field(default="stage", converter=_level)
    """The level of ``source`` (and of ``target`` unless ``target_level`` is given)."""
    target_level: MeasureLevel | None = attrs.field(
        default=None, converter=attrs.converters.optional(_level)
    )
    """The level of ``target`` when it differs (customers who reach a touchpoint); a
    target at another level is reached at or after the source's first event."""

    def __attrs_post_init__(self) -> None:
        if self.target_level not in (None, self.level) and self.window is not None:
            raise MapError(
                "a conversion between levels takes no 'window'; got "
                f"{self.level} -> {self.target_level} with window {self.window!r}"
            )

    @property
    def within(self) -> str | None:
        """Deprecated name of :attr:`window`."""
        warn_renamed("Conversion.within", "Conversion.window")
        return self.window

    @property
    def needs(self) -> tuple[tuple[str, str], ...]:
        """The (level, id) pairs the data must contain."""
        return ((self.level, self.source), (self.target_level or self.level, self.target))

    def missing(self, log: EventLog) -> str | None:
        """Why ``log`` cannot measure this (None when it can)."""
        return _absent(log, self.level, (self.source,)) or _absent(
            log, self.target_level or self.level, (self.target,)
        )


@attrs.frozen
class ConvertsAfter(_Measure):
    """Share of the journeys with an event at ``source`` that convert at or after it (an
    upsell offer accepted).

    >>> ConvertsAfter("upsell_package").needs
    (('touchpoint', 'upsell_package'),)
    """

    kind: ClassVar[str] = "converts_after"
    source: str = attrs.field(validator=_id)
    """The touchpoint (stage, channel) whose first event starts the count."""
    level: MeasureLevel = attrs.field(default="touchpoint", converter=_level)
    """The level of ``source``."""

    _ids: ClassVar[tuple[str, ...]] = ("source",)

    def _unmeasurable(self, log: EventLog) -> str | None:
        if not bool(log.converted.any()):
            return "the data has no conversions"
        return None


@attrs.frozen
class ValueShare(_Measure):
    """Share of all conversion value whose journey had an event at ``target`` at or before
    the converting event (referral revenue: value that came through the referral program).

    >>> ValueShare("referral_program").to_dict()
    {'kind': 'value_share', 'target': 'referral_program'}
    """

    kind: ClassVar[str] = "value_share"
    target: str = attrs.field(validator=_id)
    """The touchpoint (stage, channel) the value must have come through."""
    level: MeasureLevel = attrs.field(default="touchpoint", converter=_level)
    """The level of ``target``."""

    _ids: ClassVar[tuple[str, ...]] = ("target",)

    def _unmeasurable(self, log: EventLog) -> str | None:
        return _needs_revenue(log)


@renamed_fields(within="window")
@attrs.frozen
class ReachWithin(_Measure):
    """Share of the journeys entering ``source`` that reach ``target`` within ``window``.

    :attr:`touchpath.metrics.TimeBetween.share_within` (the seeds' "activation
    within 24 hours"): journeys still inside the window at the log's end are
    censored.

    >>> ReachWithin("onboarding", "activation", "24 hours").window
    '24 hours'
    """

    kind: ClassVar[str] = "reach_within"
    source: str = attrs.field(validator=_id)
    """The stage (touchpoint, channel) measured from."""
    target: str = attrs.field(validator=_id)
    """The stage (touchpoint, channel) to reach."""
    window: str = attrs.field(converter=_duration_text)
    """The time allowed after ``source``, as text (``"24 hours"``)."""
    level: MeasureLevel = attrs.field(default="stage", converter=_level)
    """The level of ``source`` and ``target``."""

    _ids: ClassVar[tuple[str, ...]] = ("source", "target")

    @property
    def within(self) -> str:
        """Deprecated name of :attr:`window`."""
        warn_renamed("ReachWithin.within", "ReachWithin.window")
        return self.window


def _quantile(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise MapError(f"measurement quantile must be a number in [0, 1]; got {value!r}")
    return float(value)


@attrs.frozen
class TimeToStage(_Measure):
    """A quantile of the time from entering ``source`` to first reaching ``target`` after it.

    Over the journeys that arrive (linear interpolation, as ``numpy.quantile``);
    in the KPI's unit (hours or days).

    >>> TimeToStage("onboarding", "activation").quantile
    0.5
    """

    kind: ClassVar[str] = "time_to_stage"
    source: str = attrs.field(validator=_id)
    """The stage (touchpoint, channel) measured from."""
    target: str = attrs.field(validator=_id)
    """The stage (touchpoint, channel) measured to."""
    quantile: float = attrs.field(default=0.5, converter=_quantile)
    """The quantile (0.5 is the median, 0.9 the 90th percentile)."""
    level: MeasureLevel = attrs.field(default="stage", converter=_level)
    """The level of ``source`` and ``target``."""

    _ids: ClassVar[tuple[str, ...]] = ("source", "target")


@attrs.frozen
class Retention(_Measure):
    """Share of journeys still active ``days`` after they entered ``source`` (or started).

    Of the journeys that entered ``source`` (with None: every journey, from its
    first event) at least ``days`` days before the log's last event, the
    share with an event ``days`` days or more after that entry.

    >>> Retention(30, "onboarding").needs
    (('stage', 'onboarding'),)
    """

    kind: ClassVar[str] = "retention"
    days: int = attrs.field()
    """How many days after entry the journey must still be active."""
    source: str | None = attrs.field(default=None, validator=_optional_id)
    """The stage entry counted from (None: the journey's first event)."""

    @days.validator
    def _check_days(self, attribute: attrs.Attribute[int], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise MapError(f"retention days must be a whole number >= 1; got {value!r}")

    @property
    def needs(self) -> tuple[tuple[str, str], ...]:
        """The (level, id) pairs the data must contain."""
        return () if self.source is None else (("stage", self.source),)

    def missing(self, log: EventLog) -> str | None:
        """Why ``log`` cannot measure this (None when it can)."""
        return None if self.source is None else _absent(log, "stage", (self.source,))


@attrs.frozen
class Reach(_Measure):
    """Share of all journeys that reach ``target`` (e.g. trial signups of all visitors).

    >>> Reach("trial_signup").level
    'touchpoint'
    """

    kind: ClassVar[str] = "reach"
    target: str = attrs.field(validator=_id)
    """The touchpoint (stage, channel) to reach."""
    level: MeasureLevel = attrs.field(default="touchpoint", converter=_level)
    """The level of ``target``."""

    _ids: ClassVar[tuple[str, ...]] = ("target",)


@attrs.frozen
class EventCount(_Measure):
    """How many events happen at ``target`` (a touchpoint, stage or channel).

    >>> EventCount("referral_program").to_dict()
    {'kind': 'event_count', 'target': 'referral_program'}
    """

    kind: ClassVar[str] = "event_count"
    target: str = attrs.field(validator=_id)
    """The touchpoint (stage, channel) whose events are counted."""
    level: MeasureLevel = attrs.field(default="touchpoint", converter=_level)
    """The level of ``target``."""

    _ids: ClassVar[tuple[str, ...]] = ("target",)


def _revenue_metric(value: object) -> RevenueMetric:
    if value not in _REVENUE:
        raise MapError(f"revenue metric must be one of {list(_REVENUE)}; got {value!r}")
    out: RevenueMetric = value
    return out


def _count(value: object) -> Literal["accounts", "journeys"]:
    if value not in ("accounts", "journeys"):
        raise MapError(f"measurement count must be 'accounts' or 'journeys'; got {value!r}")
    out: Literal["accounts", "journeys"] = value
    return out


@renamed_fields(customer="count")
@attrs.frozen
class RevenueRatio(_Measure):
    """A ratio of the revenue movements between the last two ``period`` s of the log.

    The current period is ``[end - period, end)`` and the base period the
    one before it, where ``end`` is just after the log's last event;
    :func:`touchpath.metrics.revenue_movements` gives the movements and
    ``metric`` picks the ratio (``expansion`` is expansion over starting
    revenue). Undefined when no customer has revenue in the base period.

    >>> RevenueRatio("customer_churn", period="30 days").to_dict()
    {'kind': 'revenue', 'metric': 'customer_churn', 'period': '30 days'}
    """

    kind: ClassVar[str] = "revenue"
    metric: RevenueMetric = attrs.field(converter=_revenue_metric)
    """Which ratio: NRR, GRR, customer churn, revenue churn or expansion."""
    period: str = attrs.field(default="30 days", converter=_duration_text)
    """The length of each period, as text."""
    count: Literal["accounts", "journeys"] = attrs.field(default="accounts", converter=_count)
    """Whose revenue moves: the journey's account, or the journey."""

    _keep: ClassVar[tuple[str, ...]] = ("period",)

    @property
    def customer(self) -> Literal["accounts", "journeys"]:
        """Deprecated name of :attr:`count`."""
        warn_renamed("RevenueRatio.customer", "RevenueRatio.count")
        return self.count

    def _unmeasurable(self, log: EventLog) -> str | None:
        if self.count == "accounts" and not log.account_ids:
            return "the data has no account values"
        return _needs_revenue(log)


def _margin(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise MapError(f"gross margin must be a number in (0, 1]; got {value!r}")
    return float(value)


@renamed_fields(customer="count")
@attrs.frozen
class ClvCac(_Measure):
    """Customer lifetime value over customer acquisition cost, from revenue and costs.

    With the last two ``period`` s as in :class:`RevenueRatio`: ARPA is the
    current period's revenue per customer with revenue in it, churn the
    customer churn between the periods, ``CLV = ARPA * gross_margin / churn``;
    ``CAC`` is the log's total cost over its converting customers.
    Undefined when churn is 0 or undefined, or there is no cost.

    >>> ClvCac(gross_margin=0.8).gross_margin
    0.8
    """

    kind: ClassVar[str] = "clv_cac"
    period: str = attrs.field(default="30 days", converter=_duration_text)
    """The length of each period, as text."""
    gross_margin: float = attrs.field(default=1.0, converter=_margin)
    """The gross margin applied to revenue."""
    count: Literal["accounts", "journeys"] = attrs.field(default="accounts", converter=_count)
    """Who the customer is: the journey's account, or the journey."""

    _keep: ClassVar[tuple[str, ...]] = ("period",)

    @property
    def customer(self) -> Literal["accounts", "journeys"]:
        """Deprecated name of :attr:`count`."""
        warn_renamed("ClvCac.customer", "ClvCac.count")
        return self.count

    def _unmeasurable(self, log: EventLog) -> str | None:
        if self.count == "accounts" and not log.account_ids:
            return "the data has no account values"
        if not bool((log.costs != 0).any()):
            return "the data has no costs"
        return _needs_revenue(log)


Measurement: TypeAlias = (
    Conversion
    | ReachWithin
    | TimeToStage
    | Retention
    | Reach
    | EventCount
    | RevenueRatio
    | ClvCac
    | ConvertsAfter
    | ValueShare
)
"""Any of the declarative KPI measurements."""

_KINDS: Final[Mapping[str, type[Measurement]]] = {
    c.kind: c
    for c in (
        Conversion, ReachWithin, TimeToStage, Retention, Reach, EventCount, RevenueRatio, ClvCac,
        ConvertsAfter, ValueShare,
    )
}  # fmt: skip


def _plain(m: _Measure, keep: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": m.kind}
    kind: Any = type(m)  # an attrs class (every measurement is one)
    for a in attrs.fields(kind):
        value = getattr(m, a.name)
        if a.default is not attrs.NOTHING and value == a.default and a.name not in keep:
            continue
        out[a.name] = value
    return out


_OLD_KEYS: Final[Mapping[str, str]] = MappingProxyType({"within": "window", "customer": "count"})
"""Keys of the JSON form that were renamed: old key -> new key (read with a warning)."""


def _renamed_keys(data: Mapping[str, Any], names: set[str], where: str) -> dict[str, Any]:
    """``data`` without its ``kind``, each deprecated key moved to its new name (with a
    :class:`DeprecationWarning`); both names in one object is a :class:`MapError`."""
    out = {k: v for k, v in data.items() if k != "kind"}
    for old, new in _OLD_KEYS.items():
        if old not in out or new not in names:
            continue
        if new in out:
            raise MapError(
                f"{where}: give {new!r} only ({old!r} is its deprecated name); got both "
                f"{new!r}: {out[new]!r} and {old!r}: {out[old]!r}"
            )
        warn_renamed(f"{where}.{old}", f"{where}.{new}", stacklevel=3)
        out[new] = out.pop(old)
    return out


def measurement_from_dict(data: Mapping[str, Any], *, where: str = "measurement") -> Measurement:
    """A measurement from its JSON form; unknown kinds and keys are refused.

    The keys renamed to the naming table's words (``within`` to ``window``,
    ``customer`` to ``count``) are still read, with a :class:`DeprecationWarning`;
    an object with both the old and the new key is refused.

    >>> measurement_from_dict({"kind": "reach", "target": "trial_signup"})
    Reach(target='trial_signup', level='touchpoint')
    >>> measurement_from_dict({"kind": "reach", "taget": "x"})
    Traceback (most recent call last):
    ...
    touchpath.exceptions.MapError: measurement: unknown key 'taget' for kind 'reach'; \
expected one of ['kind', 'level', 'target']
    """
    if not isinstance(data, Mapping):
        raise MapError(f"{where}: must be an object; got {data!r}")
    kind = data.get("kind")
    cls = _KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise MapError(f"{where}.kind: must be one of {sorted(_KINDS)}; got {kind!r}")
    names = {a.name for a in attrs.fields(cls)}
    fields = _renamed_keys(data, names, where)
    for key in fields:
        if key not in names:
            raise MapError(
                f"{where}: unknown key {key!r} for kind {kind!r}; "
                f"expected one of {sorted(names | {'kind'})}"
            )
    try:
        return cls(**fields)
    except TypeError as exc:
        raise MapError(f"{where}: {exc}") from None

"""Frozen value types of a designed journey: phases, channels, KPIs, stages, touchpoints."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from ._enums import to_enum
from .exceptions import ConfigError, MapError

if TYPE_CHECKING:
    from ._measurement import Measurement

_E = TypeVar("_E", bound=enum.Enum)

__all__ = [
    "KPI",
    "Channel",
    "ChannelKind",
    "Direction",
    "Edge",
    "EdgeKind",
    "Phase",
    "Stage",
    "Touchpoint",
    "Unit",
]


class Phase(enum.StrEnum):
    """Where a stage or touchpoint sits relative to the purchase.

    >>> Phase("during_purchase") is Phase.DURING_PURCHASE
    True
    """

    BEFORE_PURCHASE = "before_purchase"
    DURING_PURCHASE = "during_purchase"
    AFTER_PURCHASE = "after_purchase"


class ChannelKind(enum.StrEnum):
    """How a channel reaches people; ``DIRECT`` matters to last-non-direct attribution.

    >>> [k.value for k in ChannelKind][:3]
    ['organic', 'paid', 'owned']
    """

    ORGANIC = "organic"
    PAID = "paid"
    OWNED = "owned"
    THIRD_PARTY = "third_party"
    REFERRAL = "referral"
    DIRECT = "direct"
    OTHER = "other"


class Direction(enum.StrEnum):
    """Whether a KPI's actual value must be at least or at most its target.

    >>> Direction.AT_MOST.value
    'at_most'
    """

    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class Unit(enum.StrEnum):
    """The unit of a KPI's target and actual values.

    ``RATE`` values are fractions (0.25 means 25 %); ``RATIO`` values are
    multiples (3.0 means 3:1).

    >>> Unit.RATE.value
    'rate'
    """

    RATE = "rate"
    RATIO = "ratio"
    COUNT = "count"
    CURRENCY = "currency"
    HOURS = "hours"
    DAYS = "days"
    SCORE = "score"


class EdgeKind(enum.StrEnum):
    """A designed transition is either the expected forward path or a marked loop-back.

    >>> EdgeKind.LOOP_BACK.value
    'loop_back'
    """

    FORWARD = "forward"
    LOOP_BACK = "loop_back"


def _non_empty(kind: str) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str):
            raise MapError(f"{kind} {attribute.name} must be a string; got {value!r}")
        if not value.strip():
            raise MapError(f"{kind} {attribute.name} must not be empty; got {value!r}")

    return check


def _to_enum(kind: type[_E], what: str, value: object) -> _E:
    """``kind(value)``, refusing unknown values with a :class:`MapError`."""
    return to_enum(kind, what, value, error=MapError)


# attrs converters must be named functions for the mypy plugin to type ``__init__``.
def _channel_kind(value: object) -> ChannelKind:
    return _to_enum(ChannelKind, "channel kind", value)


def channel_kind_map(value: object) -> dict[str, ChannelKind]:
    """Channel id -> :class:`ChannelKind` from a mapping of ids to kinds (or their values).

    >>> channel_kind_map({"tv": "direct"})
    {'tv': <ChannelKind.DIRECT: 'direct'>}
    """
    if not isinstance(value, Mapping):
        raise ConfigError(f"channel kinds must map channel ids to kinds; got {value!r}")
    out: dict[str, ChannelKind] = {}
    for channel, kind in value.items():
        if not isinstance(channel, str) or not channel:
            raise ConfigError(f"channel kinds must be keyed by channel id; got {channel!r}")
        try:
            out[channel] = ChannelKind(kind)
        except ValueError:
            raise ConfigError(
                f"channel {channel!r}: kind must be one of {[k.value for k in ChannelKind]}; "
                f"got {kind!r}"
            ) from None
    return out


def _direction(value: object) -> Direction:
    return _to_enum(Direction, "KPI direction", value)


def _unit(value: object) -> Unit:
    return _to_enum(Unit, "KPI unit", value)


def _edge_kind(value: object) -> EdgeKind:
    return _to_enum(EdgeKind, "edge kind", value)


def _optional_text(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MapError(f"expected a string or None; got {value!r}")
    return value


@attrs.frozen
class Channel:
    """A marketing or service channel (email, paid search, webinar, ...).

    >>> Channel("paid_search", ChannelKind.PAID)
    Channel(id='paid_search', kind=<ChannelKind.PAID: 'paid'>, name='paid_search')
    """

    id: str = attrs.field(validator=_non_empty("channel"))
    """Stable identifier, used in event data and attribution results."""
    kind: ChannelKind = attrs.field(default=ChannelKind.OTHER, converter=_channel_kind)
    """How the channel reaches people (organic, paid, owned, ...)."""
    name: str = attrs.field(validator=_non_empty("channel"))
    """Display name; defaults to the id."""

    @name.default
    def _name_default(self) -> str:
        return self.id


@attrs.frozen
class KPI:
    """A stage KPI with an optional target.

    >>> k = KPI("trial_to_paid", target=0.25, direction=Direction.AT_LEAST, unit=Unit.RATE)
    >>> (k.is_met(0.3), k.is_met(0.2), k.gap(0.2))
    (True, False, -0.04999999999999999)
    >>> KPI("churn", target=0.05, direction=Direction.AT_MOST, unit=Unit.RATE).is_met(0.04)
    True
    """

    id: str = attrs.field(validator=_non_empty("KPI"))
    """Stable identifier; scorecards key measured values by it."""
    target: float | None = attrs.field(default=None)
    """The target value, or None when the KPI is tracked without a target."""
    direction: Direction = attrs.field(default=Direction.AT_LEAST, converter=_direction)
    """Whether the actual value must be at least or at most the target."""
    unit: Unit = attrs.field(default=Unit.COUNT, converter=_unit)
    """The unit of target and actual values."""
    name: str = attrs.field(validator=_non_empty("KPI"))
    """Display name; defaults to the id."""
    stage: str | None = attrs.field(default=None, converter=_optional_text)
    """The stage the KPI belongs to (filled in by the map when attached to a stage)."""
    description: str = ""
    """What is measured and how, in words."""
    measurement: Measurement | None = attrs.field(default=None)
    """How the KPI is measured from event data (see :mod:`touchpath.measurements`);
    None when event data cannot measure it (a survey score, a growth rate)."""

    @name.default
    def _name_default(self) -> str:
        return self.id

    @measurement.validator
    def _check_measurement(self, attribute: attrs.Attribute[Any], value: object) -> None:
        from ._measurement import _KINDS, TimeToStage

        if value is None:
            return
        if type(value) not in _KINDS.values():
            kinds = sorted(c.__name__ for c in _KINDS.values())
            raise MapError(
                f"KPI {self.id!r} measurement must be one of {kinds} or None; got {value!r}"
            )
        if isinstance(value, TimeToStage) and self.unit not in (Unit.HOURS, Unit.DAYS):
            raise MapError(
                f"KPI {self.id!r} measures a time (TimeToStage), so its unit must be hours or "
                f"days; got {self.unit.value!r}"
            )

    @target.validator
    def _check_target(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise MapError(f"KPI {self.id!r} target must be a number or None; got {value!r}")
        if not _is_finite(value):
            raise MapError(f"KPI {self.id!r} target must be finite; got {value!r}")

    def is_met(self, actual: float | None) -> bool | None:
        """Whether ``actual`` meets the target (None when there is no target or no actual)."""
        if self.target is None or actual is None or math.isnan(actual):
            return None
        if self.direction is Direction.AT_LEAST:
            return actual >= self.target
        return actual <= self.target

    def gap(self, actual: float | None) -> float | None:
        """``actual - target``: positive is above the target (good for ``AT_LEAST``)."""
        if self.target is None or actual is None or math.isnan(actual):
            return None
        return actual - self.target


def _kpi_tuple(value: object) -> tuple[KPI, ...]:
    if isinstance(value, KPI):
        return (value,)
    if not isinstance(value, list | tuple):
        raise MapError(f"kpis must be a sequence of KPI; got {value!r}")
    for item in value:
        if not isinstance(item, KPI):
            raise MapError(f"kpis must contain KPI objects; got {item!r}")
    return tuple(value)


def _optional_phase(value: object) -> Phase | None:
    if value is None:
        return None
    return _to_enum(Phase, "phase", value)


@attrs.frozen
class Stage:
    """A stage of the designed journey (awareness, decision, onboarding, ...).

    KPIs attached to a stage have their ``stage`` set to the stage id.

    >>> s = Stage("decision", phase=Phase.DURING_PURCHASE,
    ...           kpis=[KPI("trial_to_paid", target=0.25, unit=Unit.RATE)])
    >>> (s.name, s.kpis[0].stage)
    ('decision', 'decision')
    """

    id: str = attrs.field(validator=_non_empty("stage"))
    """Stable identifier (snake_case by convention), used in event data."""
    name: str = attrs.field(validator=_non_empty("stage"))
    """Display name; defaults to the id."""
    phase: Phase | None = attrs.field(default=None, converter=_optional_phase)
    """Before, during or after purchase, when known."""
    goal: str = ""
    """What the stage is for, in one sentence."""
    owner: str | None = attrs.field(default=None, converter=_optional_text)
    """The team or role accountable for the stage."""
    group: str | None = attrs.field(default=None, converter=_optional_text)
    """A coarser grouping such as ``acquisition``, ``nurture`` or ``growth``."""
    kpis: tuple[KPI, ...] = attrs.field(default=(), converter=_kpi_tuple)
    """The stage's KPIs, in display order."""

    @name.default
    def _name_default(self) -> str:
        return self.id

    def __attrs_post_init__(self) -> None:
        fixed = []
        for kpi in self.kpis:
            if kpi.stage is not None and kpi.stage != self.id:
                raise MapError(
                    f"KPI {kpi.id!r} is attached to stage {self.id!r} but names stage {kpi.stage!r}"
                )
            fixed.append(kpi if kpi.stage == self.id else attrs.evolve(kpi, stage=self.id))
        object.__setattr__(self, "kpis", tuple(fixed))


def _channel(value: object) -> Channel:
    if isinstance(value, Channel):
        return value
    if isinstance(value, str):
        return Channel(value)
    raise MapError(f"channel must be a Channel or a channel id; got {value!r}")


@attrs.frozen
class Touchpoint:
    """A moment of contact with the brand (a webinar, the pricing page, an onboarding call).

    >>> tp = Touchpoint("webinar", channel=Channel("webinar", ChannelKind.OWNED),
    ...                 stage="consideration", phase=Phase.BEFORE_PURCHASE)
    >>> (tp.channel.kind.value, tp.stage)
    ('owned', 'consideration')
    """

    id: str = attrs.field(validator=_non_empty("touchpoint"))
    """Stable identifier, used in event data."""
    channel: Channel = attrs.field(converter=_channel)
    """The channel the touchpoint happens in (a plain string becomes ``Channel(id)``)."""
    stage: str = attrs.field(validator=_non_empty("touchpoint"))
    """The id of the stage the touchpoint belongs to."""
    name: str = attrs.field(validator=_non_empty("touchpoint"))
    """Display name; defaults to the id."""
    phase: Phase | None = attrs.field(default=None, converter=_optional_phase)
    """Before, during or after purchase, when known."""
    description: str = ""
    """What happens at this touchpoint."""

    @name.default
    def _name_default(self) -> str:
        return self.id


@attrs.frozen
class Edge:
    """A designed transition between two stages.

    >>> Edge("engaged", "qualified_lead", EdgeKind.LOOP_BACK).is_loop_back
    True
    """

    source: str = attrs.field(validator=_non_empty("edge"))
    """The stage the transition leaves."""
    target: str = attrs.field(validator=_non_empty("edge"))
    """The stage the transition enters."""
    kind: EdgeKind = attrs.field(default=EdgeKind.FORWARD, converter=_edge_kind)
    """Forward (the expected path) or loop-back (an allowed return, such as nurture re-entry)."""

    def __attrs_post_init__(self) -> None:
        if self.source == self.target:
            raise MapError(
                f"edge {self.source!r} -> {self.target!r} is a self-loop; "
                "staying in a stage is not a transition"
            )

    @property
    def is_loop_back(self) -> bool:
        """True for a marked loop-back edge."""
        return self.kind is EdgeKind.LOOP_BACK


def _is_finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def require_positive(name: str, value: object) -> float:
    """Raise a :class:`ConfigError` unless ``value`` is a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(f"{name!r} must be a positive number; got {value!r}")
    if not _is_finite(value):
        raise ConfigError(f"{name!r} must be finite; got {value!r}")
    return float(value)

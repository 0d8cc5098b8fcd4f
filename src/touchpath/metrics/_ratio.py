"""Ratio: a rate kept as numerator and denominator, so partial results add up exactly."""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any, final

import attrs

from ..exceptions import ConfigError

if TYPE_CHECKING:
    from ._interval import Interval, IntervalMethodLike

__all__ = ["Ratio"]


def _number(value: object, what: str) -> float:
    """``value`` as an exact Python int (for integral numbers) or a float; refuse others."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"a Ratio {what} must be a real number; got {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    out = float(value)
    if not math.isfinite(out):
        raise ConfigError(f"a Ratio {what} must be finite; got {value!r}")
    return out


def _numerator(value: object) -> float:
    return _number(value, "numerator")


def _denominator(value: object) -> float:
    out = _number(value, "denominator")
    if out < 0:
        raise ConfigError(f"a Ratio denominator must not be negative; got {value!r}")
    return out


@final
@attrs.frozen(repr=False)
class Ratio:
    """A rate kept as its two parts: ``value = numerator / denominator``.

    Rates computed on parts of the data add up exactly: ``a + b`` adds the
    numerators and the denominators (never the values), so the conversion
    rate of two halves of a log equals the rate of the whole log. Integral
    parts stay Python ints, so counts never drift.

    A zero denominator makes the ratio *undefined*: :attr:`value` is ``None``,
    :attr:`is_defined` is ``False`` and ``float(ratio)`` is NaN. Nothing
    divides by zero and nothing silently becomes 0.

    Equality compares the parts, not the values: ``Ratio(1, 2) != Ratio(2, 4)``
    although both have the value 0.5 (use :meth:`same_value` for that).

    >>> r = Ratio(3, 12) + Ratio(2, 8)
    >>> (r.numerator, r.denominator, r.value)
    (5, 20, 0.25)
    >>> empty = Ratio(0, 0)
    >>> (empty.value, empty.is_defined, float(empty))
    (None, False, nan)
    >>> sum([Ratio(1, 4), Ratio(1, 4)])
    Ratio(2/8 = 0.25)
    """

    numerator: float = attrs.field(converter=_numerator)
    """The part counted (converted journeys, revenue kept, spend); any finite number."""
    denominator: float = attrs.field(converter=_denominator)
    """The whole it is counted against; finite and not negative, 0 makes the ratio undefined."""

    @classmethod
    def zero(cls) -> Ratio:
        """The neutral element of ``+``: ``Ratio(0, 0)`` (undefined on its own).

        >>> Ratio.zero() + Ratio(1, 3) == Ratio(1, 3)
        True
        """
        return cls(0, 0)

    @property
    def is_defined(self) -> bool:
        """Whether the denominator is positive (so :attr:`value` is a number).

        >>> Ratio(0, 5).is_defined, Ratio(5, 0).is_defined
        (True, False)
        """
        return self.denominator > 0

    @property
    def value(self) -> float | None:
        """``numerator / denominator``, or ``None`` when the denominator is 0.

        >>> Ratio(1, 4).value, Ratio(1, 0).value
        (0.25, None)
        """
        if self.denominator > 0:
            return self.numerator / self.denominator
        return None

    def value_or(self, default: float) -> float:
        """The value, or ``default`` when undefined (an explicit choice by the caller).

        >>> Ratio(0, 0).value_or(0.0)
        0.0
        """
        value = self.value
        return default if value is None else value

    def same_value(self, other: Ratio) -> bool:
        """Whether both ratios have the same value (both undefined counts as the same).

        >>> Ratio(1, 2).same_value(Ratio(2, 4)), Ratio(1, 0).same_value(Ratio(0, 0))
        (True, True)
        """
        if not (self.is_defined and other.is_defined):
            return self.is_defined == other.is_defined
        return self.numerator * other.denominator == other.numerator * self.denominator

    def interval(self, method: IntervalMethodLike = "wilson", confidence: float = 0.95) -> Interval:
        """A confidence interval of the rate, read as ``numerator`` successes in ``denominator``
        trials: Wilson by default, exact Clopper-Pearson with ``method="clopper-pearson"``.

        Both parts must be whole counts with ``0 <= numerator <= denominator``
        and the denominator positive; anything else (an undefined ratio, a
        rate of amounts) raises :class:`~touchpath.exceptions.ConfigError`.
        Formulas in ``docs/metrics.md``.

        >>> f"{Ratio(30, 100).interval():.3f}"
        '[0.219, 0.396]'
        >>> f"{Ratio(30, 100).interval('clopper-pearson', confidence=0.9):.3f}"
        '[0.225, 0.384]'
        """
        from ._interval import proportion_interval

        return proportion_interval(
            self.numerator, self.denominator, method=method, confidence=confidence
        )

    def __float__(self) -> float:
        """The value as a float; NaN when undefined."""
        value = self.value
        return math.nan if value is None else value

    def __add__(self, other: object) -> Ratio:
        if isinstance(other, Ratio):
            return Ratio(self.numerator + other.numerator, self.denominator + other.denominator)
        return NotImplemented

    def __radd__(self, other: object) -> Ratio:
        # lets ``sum(ratios)`` start from the int 0
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __repr__(self) -> str:
        value = self.value
        shown = "undefined" if value is None else f"{value:.6g}"
        return f"Ratio({self.numerator!r}/{self.denominator!r} = {shown})"

    def __format__(self, spec: str) -> str:
        """Format the value (``f"{r:.1%}"``); an undefined ratio formats as ``n/a``.

        >>> f"{Ratio(1, 8):.1%} {Ratio(0, 0):.1%}"
        '12.5% n/a'
        """
        value = self.value
        if not spec:
            return repr(self)
        return "n/a" if value is None else format(value, spec)


def as_value(measure: Ratio | float | None) -> float | None:
    """A plain number from a Ratio, a number or None (undefined and NaN become None)."""
    if measure is None:
        return None
    if isinstance(measure, Ratio):
        return measure.value
    out = float(measure)
    return None if math.isnan(out) else out


def check_number(name: str, value: Any, *, minimum: float | None = 0.0) -> float:
    """A finite real number (not a bool) at least ``minimum``, or a :class:`ConfigError`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"{name!r} must be a number; got {value!r}")
    out = int(value) if isinstance(value, numbers.Integral) else float(value)
    if not math.isfinite(out):
        raise ConfigError(f"{name!r} must be finite; got {value!r}")
    if minimum is not None and out < minimum:
        raise ConfigError(f"{name!r} must be at least {minimum:g}; got {value!r}")
    return out

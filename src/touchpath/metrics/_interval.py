"""Confidence intervals of a proportion: Wilson score and exact Clopper-Pearson.

Pure Python (``math`` and ``statistics``), no SciPy at run time: the exact
interval needs quantiles of the beta distribution, computed here from the
regularized incomplete beta function (a continued fraction evaluated with
the modified Lentz method) and inverted by bisection to double precision.
"""

from __future__ import annotations

import enum
import math
import statistics
from typing import Final, Literal, TypeAlias, final

import attrs

from ..exceptions import ConfigError, TouchpathError
from ._common import to_enum

__all__ = ["Interval", "IntervalMethod", "IntervalMethodLike", "proportion_interval"]

_TINY: Final = 1e-300
_EPS: Final = 1e-15
_MAX_TERMS: Final = 1_000_000


class IntervalMethod(enum.StrEnum):
    """How a confidence interval of a proportion is computed.

    >>> IntervalMethod("clopper-pearson") is IntervalMethod.CLOPPER_PEARSON
    True
    """

    WILSON = "wilson"
    """The Wilson score interval: close to nominal coverage on average, never outside [0, 1]."""
    CLOPPER_PEARSON = "clopper-pearson"
    """The exact (conservative) interval from beta quantiles: coverage at least nominal."""


IntervalMethodLike: TypeAlias = IntervalMethod | Literal["wilson", "clopper-pearson"]
"""An :class:`IntervalMethod` or its value."""


@final
@attrs.frozen
class Interval:
    """A confidence interval of a proportion ``successes / trials``.

    >>> i = proportion_interval(3, 10)
    >>> (round(i.lower, 4), i.estimate, round(i.upper, 4), i.method.value)
    (0.1078, 0.3, 0.6032, 'wilson')
    >>> 0.5 in i, 0.05 in i
    (True, False)
    """

    estimate: float
    """The observed proportion ``successes / trials``."""
    lower: float
    """Lower bound (inclusive)."""
    upper: float
    """Upper bound (inclusive)."""
    confidence: float
    """The confidence level, e.g. 0.95."""
    method: IntervalMethod
    """How the bounds were computed."""

    @property
    def width(self) -> float:
        """``upper - lower``.

        >>> round(proportion_interval(50, 100).width, 4)
        0.1923
        """
        return self.upper - self.lower

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int | float) and self.lower <= value <= self.upper

    def __format__(self, spec: str) -> str:
        """Both bounds formatted (``f"{i:.1%}"`` gives ``'[10.8%, 60.3%]'``).

        >>> f"{proportion_interval(3, 10):.1%}"
        '[10.8%, 60.3%]'
        """
        if not spec:
            return repr(self)
        return f"[{format(self.lower, spec)}, {format(self.upper, spec)}]"


def check_confidence(confidence: object) -> float:
    """A confidence level strictly between 0 and 1, or a :class:`ConfigError`."""
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise ConfigError(f"'confidence' must be a number between 0 and 1; got {confidence!r}")
    level = float(confidence)
    if not 0.0 < level < 1.0:
        raise ConfigError(f"'confidence' must be strictly between 0 and 1; got {confidence!r}")
    return level


def check_counts(successes: object, trials: object) -> tuple[int, int]:
    """Two counts with ``0 <= successes <= trials`` and ``trials > 0``, or an error saying why."""
    whole = []
    for name, value in (("successes", successes), ("trials", trials)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{name!r} must be a count; got {value!r}")
        if not math.isfinite(value) or value != int(value):
            raise ConfigError(
                f"a confidence interval needs whole counts; got {name}={value!r} "
                "(a rate of amounts, not of units, has no binomial interval)"
            )
        whole.append(int(value))
    s, n = whole
    if n <= 0:
        raise ConfigError(f"a proportion of {n} trials is undefined and has no confidence interval")
    if not 0 <= s <= n:
        raise ConfigError(f"successes must be between 0 and trials={n}; got {s}")
    return s, n


def normal_quantile(p: float) -> float:
    """The standard normal quantile (``statistics.NormalDist``).

    >>> round(normal_quantile(0.975), 6)
    1.959964
    """
    return statistics.NormalDist().inv_cdf(p)


def normal_sf(z: float) -> float:
    """``P(Z > z)`` for a standard normal Z, accurate in the far tail.

    >>> round(normal_sf(1.959964), 6)
    0.025
    """
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def _beta_cf(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_TERMS):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            return h
    raise TouchpathError(  # pragma: no cover - the fraction converges in O(sqrt(a + b)) terms
        f"the incomplete beta continued fraction did not converge for a={a}, b={b}, x={x}"
    )


def _log_beta(a: float, b: float) -> float:
    """``log B(a, b)``; for a small whole ``min(a, b)`` by a sum of logs, which avoids the
    cancellation of ``lgamma(a + b) - lgamma(b)`` when the other argument is large."""
    small, large = min(a, b), max(a, b)
    if small == int(small) and small <= 1000 and large > 1000:
        k = int(small)
        return math.lgamma(small) - math.fsum(math.log(large + i) for i in range(k))
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def beta_cdf(x: float, a: float, b: float) -> float:
    """The regularized incomplete beta function ``I_x(a, b)`` (the Beta(a, b) CDF).

    >>> beta_cdf(0.5, 2.0, 2.0)
    0.5
    >>> round(beta_cdf(0.3, 1.0, 1.0), 12)
    0.3
    """
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(a * math.log(x) + b * math.log1p(-x) - _log_beta(a, b))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_cf(a, b, x) / a
    return 1.0 - front * _beta_cf(b, a, 1.0 - x) / b


def beta_quantile(p: float, a: float, b: float) -> float:
    """The ``p`` quantile of Beta(a, b), by bisection on :func:`beta_cdf` to double precision.

    >>> round(beta_quantile(0.5, 2.0, 2.0), 12)
    0.5
    >>> round(beta_quantile(0.025, 3.0, 8.0), 7)  # scipy.stats.beta.ppf(0.025, 3, 8)
    0.0667395
    """
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if beta_cdf(mid, a, b) < p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _wilson(s: int, n: int, z: float) -> tuple[float, float]:
    p = s / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1.0 - p) / n + z2 / (4 * n * n))
    lower = 0.0 if s == 0 else max(0.0, centre - half)
    upper = 1.0 if s == n else min(1.0, centre + half)
    return lower, upper


def _clopper_pearson(s: int, n: int, alpha: float) -> tuple[float, float]:
    lower = 0.0 if s == 0 else beta_quantile(alpha / 2, s, n - s + 1)
    upper = 1.0 if s == n else beta_quantile(1 - alpha / 2, s + 1, n - s)
    return lower, upper


def proportion_interval(
    successes: float,
    trials: float,
    *,
    method: IntervalMethodLike = IntervalMethod.WILSON,
    confidence: float = 0.95,
) -> Interval:
    """The confidence interval of ``successes / trials`` (Wilson, or exact Clopper-Pearson).

    Wilson: the score interval, centre ``(p + z²/2n) / (1 + z²/n)``.
    Clopper-Pearson: ``[Beta(alpha/2; s, n-s+1), Beta(1-alpha/2; s+1, n-s)]``, with
    bound 0 when ``s = 0`` and 1 when ``s = n``. Both are in ``docs/metrics.md``.

    >>> i = proportion_interval(0, 20, method="clopper-pearson")
    >>> (i.lower, round(i.upper, 4))  # the "rule of three" bound is 3/20 = 0.15
    (0.0, 0.1684)
    """
    how = to_enum(IntervalMethod, "method", method)
    level = check_confidence(confidence)
    s, n = check_counts(successes, trials)
    alpha = 1.0 - level
    if how is IntervalMethod.WILSON:
        lower, upper = _wilson(s, n, normal_quantile(1.0 - alpha / 2))
    else:
        lower, upper = _clopper_pearson(s, n, alpha)
    return Interval(s / n, lower, upper, level, how)


def bounds_or_none(
    numerator: float, denominator: float, method: IntervalMethodLike, confidence: float
) -> tuple[float | None, float | None]:
    """The bounds of a count proportion for a table cell; ``(None, None)`` when undefined."""
    if denominator == 0:
        return None, None
    i = proportion_interval(numerator, denominator, method=method, confidence=confidence)
    return i.lower, i.upper

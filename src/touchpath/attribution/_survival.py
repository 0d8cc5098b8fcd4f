"""Survival (additive-hazard) attribution (after Zhang, Wei and Ren, 2014).

Each touch ``j`` of channel ``k`` at time ``t_j`` adds a conversion hazard
that decays with its age,

    lambda(t) = sum over touches j with t_j <= t of beta_k w e^(-w (t - t_j)),

(``w = ln 2 / half_life``, time in days), so a touch's total push
``beta_k (1 - e^(-w a))`` saturates at ``beta_k``. A converting path
contributes ``log lambda(T) - Lambda(T)`` to the log-likelihood (T its
conversion), a non-converting one is right-censored at the end of
observation C: ``-Lambda(C)``. In the strengths ``beta`` this is

    log L(beta) = sum over conversions p of log(A_p . beta) - b . beta,

a concave function (``A_p`` sums the kernels at T per channel, ``b`` the
exposures), maximised over ``beta >= 0`` deterministically: minorise-
maximise steps (``beta_k <- beta_k (A^T (1 / A beta))_k / b_k``, monotone,
positive) accelerated by Newton steps on the positive coordinates, until
the Karush-Kuhn-Tucker conditions hold to ``tol``. A conversion's credit is
each touch's share of the hazard at the conversion instant,
``beta_k w e^(-w (T - t_j)) / lambda(T)``.

Zhang et al. also estimate the decay; here it is a setting (``half_life``,
one for all channels or one per channel), which keeps the fit concave. Ages
shorter than ``resolution`` (default 1 minute) count as ``resolution``, so a
touch at the conversion instant (a converting event with a channel) has a
finite, small exposure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar, Final

import attrs
import numpy as np
import numpy.typing as npt

from .._deprecation import renamed
from .._log import EventLog
from .._paths import ByLike, ConversionPaths, PathCounts, wsum
from .._time import DurationLike, format_duration, parse_duration, parse_instant
from ..exceptions import ConfigError, UnsupportedInputError
from ._attribute import CollapseLike, as_paths
from ._result import Credit

__all__ = ["FittedSurvival", "Survival"]

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]

_DAY_US: Final = 86_400 * 10**6


def _half_life(value: object) -> int | dict[str, int]:
    if isinstance(value, Mapping):
        out: dict[str, int] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise ConfigError(f"'half_life' keys must be item names; got {k!r}")
            out[k] = parse_duration(v, name=f"half_life[{k!r}]")
        if "*" not in out:
            raise ConfigError(
                "a 'half_life' mapping needs a '*' entry for the items it does not name; "
                f"got {sorted(out)}"
            )
        return out
    return parse_duration(value, name="half_life")


def _resolution(value: object) -> int:
    return parse_duration(value, name="resolution")


def _instant(value: object) -> int | None:
    if value is None:
        return None
    return parse_instant(value, "observation_end")


def _show_half_life(value: int | dict[str, int]) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {format_duration(v)}" for k, v in value.items()) + "}"
    return format_duration(value)


@attrs.frozen(eq=False, repr=False)
class _Design:
    """The likelihood's ingredients: ``A`` (conversions x items), ``c`` and ``b``."""

    a: _F64
    c: _F64
    b: _F64
    kernel: _F64  # per touch: w e^(-w age at the path's end)

    def log_likelihood(self, beta: _F64) -> float:
        h = self.a @ beta
        with np.errstate(divide="ignore"):
            return float(np.sum(self.c * np.log(h)) - self.b @ beta)

    def gradient(self, beta: _F64) -> _F64:
        h = self.a @ beta
        return np.asarray(self.a.T @ (self.c / h) - self.b, dtype=np.float64)


@attrs.frozen(eq=False, repr=False)
class FittedSurvival:
    """A fitted additive-hazard model: channel strengths and the fit's log-likelihood.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": "2025-01-01T00:00:00Z", "channel": "ads"},
    ...     {"journey_id": "a", "timestamp": "2025-01-02T00:00:00Z", "stage": "buy",
    ...      "converted": True},
    ...     {"journey_id": "b", "timestamp": "2025-01-01T00:00:00Z", "channel": "ads"},
    ...     {"journey_id": "b", "timestamp": "2025-01-08T00:00:00Z", "stage": "look"}])
    >>> fit = Survival(half_life="1 day").fit(log)
    >>> round(fit.strengths["ads"], 6)  # 1 conversion / exposures (1 - 1/2) + (1 - 2^-7)
    0.670157
    """

    model: Survival
    """The configuration that was fitted."""
    items: tuple[str, ...]
    """Item names."""
    beta: _F64
    """Strength of each item: the expected conversions one touch causes in the long run."""
    decay: _F64
    """Decay rate ``w`` of each item, per day."""
    log_likelihood: float
    """Maximum log-likelihood."""
    iterations: int
    """Iterations used."""
    design: _Design
    """The likelihood (kept for :meth:`log_likelihood_at` and :meth:`gradient`)."""

    @property
    def strengths(self) -> dict[str, float]:
        """``beta`` per item."""
        return dict(zip(self.items, self.beta.tolist(), strict=True))

    def log_likelihood_at(self, beta: npt.ArrayLike) -> float:
        """The log-likelihood at other strengths (for checks and profiles)."""
        return self.design.log_likelihood(np.asarray(beta, dtype=np.float64))

    def gradient(self, beta: npt.ArrayLike) -> _F64:
        """The gradient of the log-likelihood in ``beta``."""
        return self.design.gradient(np.asarray(beta, dtype=np.float64))

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}: {v:.4g}" for k, v in self.strengths.items())
        return f"<FittedSurvival: {shown}; log L={self.log_likelihood:.6g}>"


@attrs.frozen
class Survival:
    """Additive-hazard survival attribution, fitted by concave maximum likelihood.

    See the module documentation for the model. ``half_life`` is the decay
    of a touch's hazard (one duration, or a mapping from item to duration
    with a ``"*"`` default); ``observation_end`` is when non-converting
    paths are censored (default: the log's last timestamp). Needs
    timestamps: path counts raise ``UnsupportedInputError``.

    >>> from touchpath import EventLog
    >>> from touchpath.attribution import attribute
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": "2025-01-01T00:00:00Z", "channel": "ads"},
    ...     {"journey_id": "a", "timestamp": "2025-01-02T00:00:00Z", "channel": "seo"},
    ...     {"journey_id": "a", "timestamp": "2025-01-03T00:00:00Z", "stage": "buy",
    ...      "converted": True},
    ...     {"journey_id": "b", "timestamp": "2025-01-01T00:00:00Z", "channel": "seo"},
    ...     {"journey_id": "b", "timestamp": "2025-01-09T00:00:00Z", "stage": "look"},
    ...     {"journey_id": "c", "timestamp": "2025-01-01T00:00:00Z", "channel": "ads"},
    ...     {"journey_id": "c", "timestamp": "2025-01-02T00:00:00Z", "stage": "buy",
    ...      "converted": True}])
    >>> r = attribute(log, Survival(half_life="1 day"))
    >>> {k: round(v, 4) for k, v in r.credits().items()}  # seo's exposure costs more than it adds
    {'ads': 2.0, 'seo': 0.0}
    >>> round(r.fitted.strengths["ads"], 4)  # 2 conversions / exposure 3/4 + 1/2
    1.6
    """

    half_life: int | dict[str, int] = attrs.field(
        default=7 * 86_400, converter=_half_life, repr=_show_half_life
    )
    """How fast a touch's hazard halves (stored in microseconds)."""
    observation_end: int | None = attrs.field(default=None, converter=_instant)
    """When non-converting paths are censored (µs; None: the log's last timestamp)."""
    resolution: int = attrs.field(default=60, converter=_resolution, repr=format_duration)
    """Shortest age a touch counts with (µs): a touch at the conversion instant is this old."""
    max_iter: int = 10_000
    """Most iterations."""
    tol: float = 1e-10
    """Tolerance of the optimality (KKT) conditions, relative to the conversions."""

    per_path: ClassVar[bool] = False

    def _decay(self, items: tuple[str, ...]) -> _F64:
        hl = self.half_life
        days = [(hl.get(x, hl["*"]) if isinstance(hl, dict) else hl) / _DAY_US for x in items]
        return math.log(2) / np.asarray(days, dtype=np.float64)

    def _design(self, paths: ConversionPaths) -> _Design:
        times, ends = paths.times()
        assert paths.log is not None
        end_obs = self.observation_end
        if end_obs is None:
            end_obs = int(paths.log.timestamps.max()) if paths.log.n_events else 0
        if paths.n_paths and int(ends.max()) > end_obs:
            raise ConfigError(
                "'observation_end' is before the last path ends; it must be at or after every event"
            )
        n_items = len(paths.items)
        w = self._decay(paths.items)[paths.codes]
        tp = paths.touch_path
        conv, null = paths.conversions, paths.non_conversions
        floor = self.resolution / _DAY_US
        age_end = np.maximum((ends[tp] - times).astype(np.float64) / _DAY_US, floor)
        age_obs = np.maximum((end_obs - times).astype(np.float64) / _DAY_US, floor)
        kernel = w * np.exp(-w * age_end)
        exposure = conv[tp] * -np.expm1(-w * age_end) + null[tp] * -np.expm1(-w * age_obs)
        b = wsum(paths.codes, exposure, n_items)
        converting = np.flatnonzero((conv > 0) & (paths.lengths > 0))
        row = np.full(paths.n_paths, -1, dtype=np.int64)
        row[converting] = np.arange(len(converting), dtype=np.int64)
        on = row[tp] >= 0
        cell = row[tp][on] * n_items + paths.codes[on].astype(np.int64)
        a = wsum(cell, kernel[on], len(converting) * n_items).reshape(len(converting), n_items)
        return _Design(a=a, c=conv[converting], b=b, kernel=kernel)

    @renamed(by="level")
    def fit(
        self,
        data: EventLog | PathCounts | ConversionPaths,
        *,
        level: ByLike | None = None,
        collapse: CollapseLike | None = None,
        lookback: DurationLike | None = None,
    ) -> FittedSurvival:
        """Fit the strengths by maximum likelihood (see the module documentation)."""
        paths = as_paths(data, level=level, collapse=collapse, lookback=lookback)
        return self._fit(paths, self._design(paths))

    def _fit(self, paths: ConversionPaths, d: _Design) -> FittedSurvival:
        n_items = len(paths.items)
        total = float(d.c.sum())
        live = d.b > 0
        beta = np.where(live, total / max(float(d.b.sum()), 1e-300), 0.0)
        if total == 0 or not live.any():
            return FittedSurvival(
                self, paths.items, np.zeros(n_items), self._decay(paths.items), 0.0, 0, d
            )
        scale = max(total, 1.0)
        iterations = 0
        for iterations in range(1, self.max_iter + 1):  # noqa: B007 - kept for the result
            h = d.a @ beta
            beta = np.where(live, beta * (d.a.T @ (d.c / h)) / np.where(live, d.b, 1.0), 0.0)
            beta = self._newton(d, beta, live)
            g = d.gradient(beta)
            free = beta > 0
            kkt = np.abs(g[free] * beta[free]).max(initial=0.0) / scale
            bound = g[live & ~free].max(initial=0.0) / scale
            if kkt < self.tol and bound < self.tol:
                break
        else:
            raise UnsupportedInputError(
                f"the survival model did not converge in {self.max_iter} iterations "
                f"(tolerance {self.tol}); raise max_iter or tol"
            )
        return FittedSurvival(
            self,
            paths.items,
            beta,
            self._decay(paths.items),
            d.log_likelihood(beta),
            iterations,
            d,
        )

    @staticmethod
    def _newton(d: _Design, beta: _F64, live: npt.NDArray[np.bool_]) -> _F64:
        """One safeguarded Newton step on the positive coordinates (kept only if it helps)."""
        free = np.flatnonzero(live & (beta > 1e-12 * max(float(beta.max()), 1e-300)))
        if len(free) == 0:
            return beta
        h = d.a @ beta
        g = d.gradient(beta)[free]
        af = d.a[:, free]
        hess = (af * (d.c / h**2)[:, None]).T @ af
        try:
            step = np.linalg.solve(hess, g)
        except np.linalg.LinAlgError:
            return beta
        current = d.log_likelihood(beta)
        t = 1.0
        for _ in range(30):
            trial = beta.copy()
            trial[free] = beta[free] + t * step
            if (trial[free] > 0).all() and d.log_likelihood(trial) >= current:
                return trial
            t /= 2
        return beta

    def credit(self, paths: ConversionPaths) -> Credit:
        """Each touch's share of its path's hazard at the path's end (its conversion)."""
        d = self._design(paths)
        fitted = self._fit(paths, d)
        tp = paths.touch_path
        hazard = fitted.beta[paths.codes] * d.kernel
        total = wsum(tp, hazard, paths.n_paths)[tp]
        same = np.bincount(tp, minlength=paths.n_paths)[tp].astype(np.float64)
        shares = np.where(total > 0, hazard / np.where(total > 0, total, 1.0), 1.0 / same)
        return Credit(shares=shares, fitted=fitted)

"""``bootstrap()``: confidence intervals on credits by resampling journeys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from .._deprecation import renamed, warn_renamed
from .._log import EventLog
from .._paths import ByLike, ConversionPaths, PathCounts, wsum
from .._progress import ProgressLike, accepts_progress, current
from .._table import Column, ColumnKind, Table, TableViews
from .._time import DurationLike
from ..exceptions import ConfigError, NotFoundError
from ._attribute import CollapseLike, as_paths
from ._result import AttributionResult

if TYPE_CHECKING:
    from ..typing import AttributionModel

__all__ = ["BootstrapResult", "bootstrap"]

_F64 = npt.NDArray[np.float64]


@attrs.frozen(eq=False, repr=False)
class BootstrapResult(TableViews):
    """Percentile confidence intervals for a model's credits.

    >>> from touchpath.attribution import LastTouch, PathCounts, bootstrap
    >>> b = bootstrap(PathCounts.from_rows([(["a"], 30, 0, 0), (["b"], 10, 0, 0)]),
    ...               LastTouch(), n=200, seed=1)
    >>> lo, hi = b.interval("a")
    >>> lo < 30 < hi, b.samples.shape
    (True, (200, 2))
    """

    point: AttributionResult
    """The result on the data itself."""
    samples: _F64
    """``(n, items)`` conversions credited in each resample."""
    value_samples: _F64
    """``(n, items)`` value credited in each resample."""
    confidence: float
    """Confidence level of the intervals (0.95: the 2.5 and 97.5 percentiles)."""

    @property
    def level(self) -> float:
        """Deprecated name of :attr:`confidence`."""
        warn_renamed("BootstrapResult.level", "BootstrapResult.confidence")
        return self.confidence

    @property
    def items(self) -> tuple[str, ...]:
        """The credited items."""
        return self.point.items

    def intervals(self, *, value: bool = False) -> dict[str, tuple[float, float]]:
        """``{item: (lower, upper)}`` percentile intervals."""
        s = self.value_samples if value else self.samples
        tail = (1.0 - self.confidence) / 2.0
        lo, hi = np.quantile(s, [tail, 1.0 - tail], axis=0) if len(s) else (s.sum(0), s.sum(0))
        return {
            x: (float(a), float(b))
            for x, a, b in zip(self.items, np.atleast_1d(lo), np.atleast_1d(hi), strict=True)
        }

    def interval(self, item: str, *, value: bool = False) -> tuple[float, float]:
        """The interval of one item."""
        found = self.intervals(value=value)
        if item not in found:
            raise NotFoundError("item", item, choices=self.items)
        return found[item]

    def to_table(self, *, value: bool = False) -> Table:
        """Per item (the index): the point ``credit``, the interval's ``lower`` and
        ``upper`` bounds and the ``std`` of the resamples; conversions, or with
        ``value=True`` the value credited.

        >>> from touchpath.attribution import LastTouch, PathCounts, bootstrap
        >>> b = bootstrap(PathCounts.from_rows([(["a"], 3, 0, 0)]), LastTouch(), n=20, seed=1)
        >>> print(b)
        LastTouch(): 20 resamples, 95% intervals (percentile)
        item  credit  lower  upper  std
        a        3.0    3.0    3.0  0.0
        """
        ints = self.intervals(value=value)
        s = self.value_samples if value else self.samples
        point = self.point.values if value else self.point.conversions
        index = self._index
        kind = ColumnKind.MONEY if value else ColumnKind.CREDIT
        return Table(
            (Column(index), *(Column(k, kind=kind) for k in ("credit", "lower", "upper", "std"))),
            {
                index: list(self.items),
                "credit": point,
                "lower": np.array([ints[x][0] for x in self.items], dtype=np.float64),
                "upper": np.array([ints[x][1] for x in self.items], dtype=np.float64),
                "std": s.std(axis=0, ddof=1) if len(s) > 1 else np.zeros(len(self.items)),
            },
            name="intervals",
            note=(
                f"{self.point.model}: {len(self.samples)} resamples, {self.confidence:.0%} "
                "intervals (percentile)"
            ),
            index=index,
            source="BootstrapResult",
            sort="credit",
        )

    def to_pandas(self, *, value: bool = False) -> Any:
        """A DataFrame per item: ``credit``, ``lower``, ``upper``, ``std``."""
        return self.to_table(value=value).to_pandas()

    def to_polars(self, *, value: bool = False) -> Any:
        """The columns of :meth:`to_pandas`, the item first, as a polars DataFrame."""
        return self.to_table(value=value).to_polars()

    def to_arrow(self, *, value: bool = False) -> Any:
        """The columns of :meth:`to_pandas`, the item first, as a pyarrow Table."""
        return self.to_table(value=value).to_arrow()

    @property
    def _index(self) -> str:
        return self.point.level.value if self.point.level else "item"

    def __repr__(self) -> str:
        return (
            f"<BootstrapResult {self.point.model}: {len(self.samples)} resamples, "
            f"{self.confidence:.0%} intervals>"
        )


def _weights_journeys(rng: np.random.Generator, paths: ConversionPaths) -> _F64:
    """Resample journeys with replacement: how often each path's journey is drawn."""
    assert paths.log is not None
    assert paths.journeys is not None
    n = len(paths.log)
    draws = np.bincount(rng.integers(0, n, size=n), minlength=n).astype(np.float64)
    return draws[paths.journeys]


def _resample_counts(rng: np.random.Generator, paths: ConversionPaths) -> ConversionPaths:
    """Resample the path occurrences of counted paths (multinomial on counts)."""
    conv, null = paths.conversions, paths.non_conversions
    counts = np.concatenate([conv, null])
    total = round(float(counts.sum()))
    if total == 0:
        return paths
    drawn = rng.multinomial(total, counts / counts.sum()).astype(np.float64)
    new_conv, new_null = drawn[: paths.n_paths], drawn[paths.n_paths :]
    per_conv = np.where(conv > 0, paths.values / np.where(conv > 0, conv, 1.0), 0.0)
    return attrs.evolve(
        paths, conversions=new_conv, non_conversions=new_null, values=new_conv * per_conv
    )


_MAX_RESAMPLES: Final = 10_000_000
"""More resamples than this would not fit in memory for any real set of items."""


@renamed(by="level")
@accepts_progress("bootstrap", unit="resamples")
def bootstrap(
    data: EventLog | PathCounts | ConversionPaths,
    model: AttributionModel,
    n: int = 200,
    *,
    seed: int | None = 0,
    confidence: float = 0.95,
    level: ByLike | None = None,
    collapse: CollapseLike | None = None,
    lookback: DurationLike | None = None,
    progress: ProgressLike = None,
) -> BootstrapResult:
    """Confidence intervals on a model's credits by resampling journeys with replacement.

    For a log, whole journeys are drawn (all the conversion paths of a
    journey go together); for path counts, path occurrences are drawn
    (multinomially on the counts, which must be whole numbers). Each
    resample re-runs the model, except for per-path rule models whose touch
    shares do not depend on the other paths: those are computed once and
    only re-summed. Deterministic for a given ``seed``. ``progress`` (a
    callback taking a :class:`~touchpath.Progress`, or ``True`` for a bar on
    standard error) reports the resamples done.

    ``confidence`` is the level of the intervals; ``level`` (as in
    :func:`attribute`) is the kind of credited item. A number given as
    ``level`` is the confidence under its deprecated name.

    >>> from touchpath.attribution import LastTouch, PathCounts
    >>> paths = PathCounts.from_rows([(["ads"], 3, 1, 0.0), (["seo"], 1, 1, 0.0)])
    >>> r = bootstrap(paths, LastTouch(), n=50, seed=7)
    >>> r.confidence, r.point.credits()
    (0.95, {'ads': 3.0, 'seo': 1.0})
    """
    given_level: object = level
    if isinstance(given_level, float):  # ``level`` was the confidence before 0.2.0
        if confidence != 0.95:
            raise ConfigError(
                "bootstrap: pass confidence= only (a number as level= is its deprecated name); "
                f"got both confidence={confidence!r} and level={given_level!r}"
            )
        # the caller is beyond the accepts_progress and renamed wrappers
        warn_renamed("bootstrap(level=<confidence>)", "confidence=...", stacklevel=4)
        confidence, level = given_level, None
    count: object = n
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ConfigError(f"'n' must be a positive integer; got {n!r}")
    if count > _MAX_RESAMPLES:
        raise ConfigError(f"'n' must be at most {_MAX_RESAMPLES:,} resamples; got {n!r}")
    given: object = seed
    if given is not None and (isinstance(given, bool) or not isinstance(given, int) or given < 0):
        raise ConfigError(f"'seed' must be a non-negative integer or None; got {seed!r}")
    if not 0.0 < confidence < 1.0:
        raise ConfigError(f"'confidence' must be between 0 and 1; got {confidence!r}")
    paths = as_paths(data, level=level, collapse=collapse, lookback=lookback)
    from_log = paths.log is not None and paths.journeys is not None
    if not from_log:
        counts = np.concatenate([paths.conversions, paths.non_conversions])
        if not np.array_equal(counts, np.round(counts)):
            raise ConfigError("bootstrap over path counts needs whole-number counts")
    credit = model.credit(paths)
    point = AttributionResult.from_credit(model, paths, credit)
    rng = np.random.default_rng(seed)
    k = len(paths.items)
    samples = np.zeros((n, k))
    value_samples = np.zeros((n, k))
    per_path = bool(getattr(model, "per_path", False)) and credit.conversions is None
    if per_path:
        tp = paths.touch_path
        live = (paths.conversions[tp] != 0) | (paths.values[tp] != 0)
        share = point.shares[live] if point.shares is not None else np.zeros(0)
        t_path = tp[live]
        t_code = paths.codes[live]
    reporter = current()
    if reporter is not None:
        reporter.start(n)
    for b in range(n):
        if reporter is not None:
            reporter.advance(b)
        if from_log:
            sample = paths.reweighted(_weights_journeys(rng, paths))
        else:
            sample = _resample_counts(rng, paths)
        if per_path:
            samples[b] = wsum(t_code, share * sample.conversions[t_path], k)
            value_samples[b] = wsum(t_code, share * sample.values[t_path], k)
        else:
            r = AttributionResult.from_credit(model, sample, model.credit(sample))
            samples[b] = r.conversions
            value_samples[b] = r.values
    return BootstrapResult(point, samples, value_samples, float(confidence))

"""Public type aliases and protocols, for annotating code that uses touchpath.

- :class:`AttributionModel`: what :func:`touchpath.attribute` can run.
- :class:`CountingModel`: a model that counts into a mergeable table before it solves
  (Markov, Shapley); :func:`touchpath.attribute` and :mod:`touchpath.dask` rely on it.
- :class:`Aggregate`: a mergeable count table (``from_log``, ``+``, ``zero()``).
- :class:`TransitionRule`: what :func:`touchpath.validate` can check.
- The aliases used in signatures: :data:`DurationLike`, :data:`LevelLike`,
  :data:`ByLike`, :data:`CollapseLike`, :data:`OnError`, :data:`TimestampUnit`,
  :data:`ProgressLike` (defined beside the code that reads them, published here).
- :class:`Tabular`: a result that lays itself out as a :class:`touchpath.Table`.

>>> from touchpath.attribution import LastTouch, PathCounts
>>> isinstance(LastTouch(), AttributionModel)
True
>>> isinstance(PathCounts.zero(), Aggregate)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, Self, runtime_checkable

if TYPE_CHECKING:
    from ._log import EventLog
    from ._paths import ConversionPaths, PathCounts
    from ._table import Table
    from .attribution._result import AttributionResult, Credit

from ._level import LevelLike as LevelLike
from ._paths import ByLike as ByLike
from ._paths import CollapseLike as CollapseLike
from ._progress import ProgressLike as ProgressLike
from ._schema import OnError as OnError
from ._schema import TimestampUnit as TimestampUnit
from ._time import DurationLike as DurationLike
from .validation._protocol import TransitionRule as TransitionRule

__all__ = [
    "Aggregate",
    "AttributionModel",
    "ByLike",
    "CollapseLike",
    "CountingModel",
    "DurationLike",
    "LevelLike",
    "OnError",
    "ProgressLike",
    "Tabular",
    "TimestampUnit",
    "TransitionRule",
]


@runtime_checkable
class AttributionModel(Protocol):
    """Anything :func:`touchpath.attribution.attribute` can run.

    A model reads :class:`~touchpath.attribution.ConversionPaths` and returns
    a :class:`~touchpath.attribution.Credit`: one share per touch (the shares
    of a path with touches sum to 1), and for models defined on the whole
    data, the conversions and value per item. Check a model of your own with
    :func:`touchpath.testing.check_attribution_model`.

    >>> import numpy as np
    >>> from touchpath.attribution import Credit, PathCounts, attribute
    >>> class Middle:
    ...     "All credit to the middle touch (the earlier one of two)."
    ...     def credit(self, paths):
    ...         middle = paths.offsets[:-1] + (paths.lengths - 1) // 2
    ...         shares = np.zeros(paths.n_touches)
    ...         shares[middle[paths.lengths > 0]] = 1.0
    ...         return Credit(shares)
    >>> attribute(PathCounts.from_rows([(["a", "b", "c"], 1, 0, 0)]), Middle()).credits()
    {'a': 0.0, 'b': 1.0, 'c': 0.0}
    """

    def credit(self, paths: ConversionPaths) -> Credit:
        """Credit for the paths: touch shares, and per-item totals for global models."""
        ...


@runtime_checkable
class Aggregate(Protocol):
    """A mergeable count table: count parts with ``from_log``, add them, then finish.

    ``from_log(log, ...)`` counts one log (or one partition of it);
    ``a + b`` is the table of both logs' events, for disjoint sets of
    journeys; ``zero()`` (with the options that shape the table) is the
    neutral element, and ``0 + table`` is the table, so ``sum(parts)``
    works. Finishers (``attribute``, ``funnel``, ...) are pure functions of
    the sum. :class:`~touchpath.attribution.PathCounts`,
    :class:`~touchpath.attribution.TransitionCounts`,
    :class:`~touchpath.attribution.CoalitionCounts`,
    :class:`~touchpath.metrics.FunnelCounts`,
    :class:`~touchpath.metrics.PathFlowCounts`,
    :class:`~touchpath.metrics.TransitionGraphCounts` and
    :class:`~touchpath.validation.ValidationCounts` are aggregates.

    >>> from touchpath import EventLog
    >>> from touchpath.attribution import PathCounts
    >>> day = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "channel": "ads", "converted": True}])
    >>> def merged(kind: type[Aggregate], logs: list[EventLog]) -> Aggregate:
    ...     return sum((kind.from_log(log) for log in logs), kind.zero())
    >>> len(merged(PathCounts, [day, day]))
    1
    """

    @classmethod
    def from_log(cls, *args: Any, **kwargs: Any) -> Self:
        """The table of one log's events (the log first, then the table's options)."""
        ...

    @classmethod
    def zero(cls, *args: Any, **kwargs: Any) -> Self:
        """The neutral element of ``+`` (given the options that shape the table)."""
        ...

    def __add__(self, other: Any, /) -> Self:
        """The table of both operands' journeys."""
        ...

    def __radd__(self, other: Any, /) -> Self:
        """``0 + table`` is the table, so ``sum(parts)`` starts from 0."""
        ...


@runtime_checkable
class CountingModel(AttributionModel, Protocol):
    """A model that counts into a mergeable :class:`Aggregate` before it solves.

    :func:`touchpath.attribute` accepts the table in place of a log (and
    calls :meth:`attribute_counts`), and :mod:`touchpath.dask` counts each
    partition with :meth:`counts`, adds the tables and solves once: the
    credits of the whole log in memory. :class:`~touchpath.attribution.Markov`
    (:class:`~touchpath.attribution.TransitionCounts`) and
    :class:`~touchpath.attribution.Shapley`
    (:class:`~touchpath.attribution.CoalitionCounts`) count.

    >>> from touchpath.attribution import LastTouch, Markov, Shapley
    >>> [isinstance(m, CountingModel) for m in (Markov(), Shapley(), LastTouch())]
    [True, True, False]
    >>> Markov.counts_type.__name__
    'TransitionCounts'
    """

    @property
    def counts_type(self) -> type[Aggregate]:
        """The table :meth:`counts` returns and :meth:`attribute_counts` reads."""
        ...

    def counts(
        self,
        data: EventLog | PathCounts | ConversionPaths,
        *,
        level: ByLike | None = None,
        collapse: CollapseLike | None = None,
        lookback: DurationLike | None = None,
    ) -> Aggregate:
        """The table of some data (a log, one partition of it, or paths): a part to add."""
        ...

    def attribute_counts(self, counts: Any, /) -> AttributionResult:
        """Credits from a (summed) table alone."""
        ...


@runtime_checkable
class Tabular(Protocol):
    """Anything that lays itself out as one :class:`touchpath.Table`.

    Every touchpath result is tabular; its ``to_pandas()``, ``str()``,
    notebook display and report section are views of that table, and
    ``Report.add`` takes any tabular object.

    >>> from touchpath import Column, ColumnKind, Table
    >>> class Visits:
    ...     def to_table(self) -> Table:
    ...         return Table((Column("visits", kind=ColumnKind.COUNT),), {"visits": [1200]})
    >>> isinstance(Visits(), Tabular), str(Visits().to_table())
    (True, 'visits\\n 1,200')
    """

    def to_table(self) -> Table:
        """The object as a table."""
        ...

"""Public type aliases and protocols, for annotating code that uses touchpath.

- :class:`AttributionModel`: what :func:`touchpath.attribute` can run.
- :class:`TransitionRule`: what :func:`touchpath.validate` can check.
- :class:`Tabular`: a result that lays itself out as a :class:`touchpath.Table`.

>>> from touchpath.attribution import LastTouch
>>> isinstance(LastTouch(), AttributionModel)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ._paths import ConversionPaths
    from ._table import Table
    from .attribution._result import Credit

from .validation._protocol import TransitionRule as TransitionRule

__all__ = ["AttributionModel", "Tabular", "TransitionRule"]


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

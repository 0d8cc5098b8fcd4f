"""``compare_models()``: several models on the same data, side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from .._deprecation import renamed, warn_renamed
from .._log import EventLog
from .._paths import ByLike, ConversionPaths, PathCounts
from .._table import Column, ColumnKind, Table, TableViews
from .._time import DurationLike
from ..exceptions import ConfigError, MissingDependencyError, NotFoundError
from ._attribute import CollapseLike, as_paths
from ._result import AttributionResult, _label

if TYPE_CHECKING:
    from ..report import Section
    from ..typing import AttributionModel

__all__ = ["Comparison", "compare", "compare_models"]


@attrs.frozen(eq=False, repr=False)
class Comparison(TableViews):
    """Results of several models on the same paths, keyed by model label.

    >>> from touchpath.attribution import FirstTouch, LastTouch, PathCounts, compare_models
    >>> p = PathCounts.from_rows([(["a", "b"], 4, 0, 0)])
    >>> c = compare_models(p, [FirstTouch(), LastTouch()])
    >>> c.table()
    {'a': {'FirstTouch()': 4.0, 'LastTouch()': 0.0}, 'b': {'FirstTouch()': 0.0, 'LastTouch()': 4.0}}
    """

    labels: tuple[str, ...]
    """Model labels, in the order given."""
    results: tuple[AttributionResult, ...]
    """One result per model."""

    @property
    def items(self) -> tuple[str, ...]:
        """Every credited item (sorted)."""
        return tuple(sorted({x for r in self.results for x in r.items}))

    def __getitem__(self, label: str) -> AttributionResult:
        try:
            return self.results[self.labels.index(label)]
        except ValueError:
            raise NotFoundError("model", label, choices=self.labels) from None

    def table(self, *, value: bool = False) -> dict[str, dict[str, float]]:
        """Credit per item and model: ``{item: {label: credit}}``."""
        per_model = [r.credits(value=value) for r in self.results]
        return {
            x: {label: c.get(x, 0.0) for label, c in zip(self.labels, per_model, strict=True)}
            for x in self.items
        }

    def to_table(self, *, value: bool = False) -> Table:
        """Credit per item (rows, indexed by item) and model (one column per label): the
        conversions credited, or with ``value=True`` the value. Printed views list the
        items with the most credit over all models first.

        >>> from touchpath.attribution import FirstTouch, LastTouch, PathCounts, compare_models
        >>> p = PathCounts.from_rows([(["a", "b"], 4, 0, 0)])
        >>> c = compare_models(p, [FirstTouch(), LastTouch()])
        >>> print(c.to_table().to_text())  # doctest: +NORMALIZE_WHITESPACE
        2 models over 2 items; 4 conversions (0 unattributed)
        item  FirstTouch()  LastTouch()
        a              4.0          0.0
        b              0.0          4.0
        """
        table = self.table(value=value)
        index = self._index
        data: dict[str | int, Any] = {index: list(table)}
        for label in self.labels:
            data[label] = np.array([table[x][label] for x in table], dtype=np.float64)
        kind = ColumnKind.MONEY if value else ColumnKind.CREDIT
        return Table(
            (Column(index), *(Column(label, kind=kind) for label in self.labels)),
            data,
            name="credits",
            note=self._display_summary(),
            index=index,
            source="Comparison",
            sort=tuple(self.labels),
        )

    def to_pandas(self, *, value: bool = False) -> Any:
        """A DataFrame with one row per item and one column per model (see :meth:`to_table`)."""
        return self.to_table(value=value).to_pandas()

    def to_polars(self, *, value: bool = False) -> Any:
        """The columns of :meth:`to_pandas`, the item first, as a polars DataFrame."""
        return self.to_table(value=value).to_polars()

    def to_arrow(self, *, value: bool = False) -> Any:
        """The columns of :meth:`to_pandas`, the item first, as a pyarrow Table."""
        return self.to_table(value=value).to_arrow()

    @property
    def _index(self) -> str:
        by = self.results[0].level if self.results else None
        return by.value if by is not None else "item"

    def __repr__(self) -> str:
        return f"<Comparison of {len(self.labels)} models over {len(self.items)} items>"

    # -- notebook and report display (touchpath._repr, touchpath.report) -----------------------

    def _display_summary(self) -> str:
        first = self.results[0] if self.results else None
        if first is None:
            return "no models"
        by = first.level.value if first.level is not None else "item"
        return (
            f"{len(self.labels)} models over {len(self.items)} {by}s; "
            f"{first.total_conversions:,.6g} conversions ({first.unattributed:,.6g} unattributed)"
        )

    def report_section(
        self, *, title: str | None = None, value: bool = False, chart: bool = False
    ) -> Section:
        """Credit per item and model as a :class:`touchpath.report.Section`.

        With ``chart=True`` the section also draws :func:`touchpath.plot.attribution` above
        the table: grouped bars for up to four models, a heat map of items x models beyond
        (needs the ``plot`` extra).

        >>> from touchpath.attribution import FirstTouch, LastTouch, PathCounts, compare_models
        >>> p = PathCounts.from_rows([(["a", "b"], 4, 0, 0)])
        >>> c = compare_models(p, [FirstTouch(), LastTouch()])
        >>> c.report_section().body.count("</th>")
        3
        >>> section = c.report_section(chart=True)
        >>> section.kind.value, section.body.count("<img")
        ('figure', 1)
        """
        from ..report import Section

        title = title or "Attribution by model"
        what = "Value" if value else "Conversions"
        table = attrs.evolve(
            self.to_table(value=value),
            note=f"{what} credited to each item by each model: {self._display_summary()}.",
        ).report_section(title=title)
        if not chart:
            return table
        try:
            from matplotlib.figure import Figure
        except ImportError:
            raise MissingDependencyError.for_extra(
                "plot", "Comparison.report_section(chart=True)", "matplotlib"
            ) from None
        from .. import plot

        figure = Figure(figsize=(9.0, 0.32 * min(len(self.items), 12) + 2.4), layout="constrained")
        plot.attribution(self, value=value, ax=figure.add_subplot())
        image = Section.matplotlib(title, figure, alt=table.note)
        return Section(title, image.body + table.body, "figure", table.note)


@renamed(by="level")
def compare_models(
    data: EventLog | PathCounts | ConversionPaths,
    models: Sequence[AttributionModel] | Mapping[str, AttributionModel],
    *,
    level: ByLike | None = None,
    collapse: CollapseLike | None = None,
    lookback: DurationLike | None = None,
) -> Comparison:
    """Run several attribution models on the same conversion paths (built once).

    ``models`` is a sequence (labelled by their repr) or a mapping from
    label to model. (:func:`touchpath.compare_to_map` compares observed
    moves with a journey map instead.)

    >>> from touchpath.attribution import FirstTouch, LastTouch, PathCounts
    >>> c = compare_models(PathCounts.from_rows([(["ads", "seo"], 1, 0, 0)]),
    ...                    {"first": FirstTouch(), "last": LastTouch()})
    >>> [r.credits() for r in c.results]
    [{'ads': 1.0, 'seo': 0.0}, {'ads': 0.0, 'seo': 1.0}]
    """
    if isinstance(models, Mapping):
        labels = [str(k) for k in models]
        chosen = list(models.values())
    else:
        chosen = list(models)
        labels = [_label(m) for m in chosen]
    if not chosen:
        raise ConfigError("compare_models needs at least one model; got none")
    dupes = sorted({x for x in labels if labels.count(x) > 1})
    if dupes:
        raise ConfigError(f"model labels must be unique (pass a mapping); got duplicates {dupes}")
    paths = as_paths(data, level=level, collapse=collapse, lookback=lookback)
    results = tuple(AttributionResult.from_credit(m, paths, m.credit(paths)) for m in chosen)
    return Comparison(tuple(labels), results)


def compare(
    data: EventLog | PathCounts | ConversionPaths,
    models: Sequence[AttributionModel] | Mapping[str, AttributionModel],
    *,
    level: ByLike | None = None,
    collapse: CollapseLike | None = None,
    lookback: DurationLike | None = None,
) -> Comparison:
    """Deprecated name of :func:`compare_models` (removed in 0.2.0), with a warning.

    >>> import warnings
    >>> from touchpath.attribution import LastTouch, PathCounts
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     c = compare(PathCounts.from_rows([(["a"], 1, 0, 0)]), [LastTouch()])
    >>> c.labels, caught[0].category.__name__
    (('LastTouch()',), 'DeprecationWarning')
    """
    warn_renamed("touchpath.compare", "touchpath.compare_models")
    return compare_models(data, models, level=level, collapse=collapse, lookback=lookback)

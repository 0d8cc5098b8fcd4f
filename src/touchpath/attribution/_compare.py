"""``compare()``: several models on the same data, side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .._log import EventLog
from .._paths import ByLike, ConversionPaths, PathCounts
from .._time import DurationLike
from ..exceptions import ConfigError, MissingDependencyError, NotFoundError
from ._attribute import CollapseLike, as_paths
from ._result import AttributionResult, _label

if TYPE_CHECKING:
    from ..typing import AttributionModel

__all__ = ["Comparison", "compare"]


@attrs.frozen(eq=False, repr=False)
class Comparison:
    """Results of several models on the same paths, keyed by model label.

    >>> from touchpath.attribution import FirstTouch, LastTouch, PathCounts, compare
    >>> c = compare(PathCounts.from_rows([(["a", "b"], 4, 0, 0)]), [FirstTouch(), LastTouch()])
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

    def to_pandas(self, *, value: bool = False) -> Any:
        """A DataFrame with one row per item and one column per model."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - depends on the environment
            raise MissingDependencyError.for_extra("pandas", "Comparison.to_pandas()") from None
        table = self.table(value=value)
        by = self.results[0].by if self.results else None
        frame = pd.DataFrame.from_dict(table, orient="index", columns=list(self.labels))
        frame.index.name = by.value if by is not None else "item"
        return frame

    def __repr__(self) -> str:
        return f"<Comparison of {len(self.labels)} models over {len(self.items)} items>"


def compare(
    data: EventLog | PathCounts | ConversionPaths,
    models: Sequence[AttributionModel] | Mapping[str, AttributionModel],
    *,
    by: ByLike | None = None,
    collapse: CollapseLike | None = None,
    lookback: DurationLike | None = None,
) -> Comparison:
    """Run several models on the same conversion paths (built once).

    ``models`` is a sequence (labelled by their repr) or a mapping from
    label to model.
    """
    if isinstance(models, Mapping):
        labels = [str(k) for k in models]
        chosen = list(models.values())
    else:
        chosen = list(models)
        labels = [_label(m) for m in chosen]
    dupes = sorted({x for x in labels if labels.count(x) > 1})
    if dupes:
        raise ConfigError(f"model labels must be unique (pass a mapping); got duplicates {dupes}")
    paths = as_paths(data, by=by, collapse=collapse, lookback=lookback)
    results = tuple(AttributionResult.from_credit(m, paths, m.credit(paths)) for m in chosen)
    return Comparison(tuple(labels), results)

"""``attribute()``: run a model on a log, on path counts, or on a model's count table."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import attrs
import numpy as np

from .._deprecation import renamed
from .._log import EventLog
from .._paths import (
    ByLike,
    Collapse,
    CollapseLike,
    ConversionPaths,
    PathCounts,
    PathPolicy,
    check_value_total,
    conversion_paths,
)
from .._time import DurationLike
from ..exceptions import ConfigError, UnsupportedInputError
from ..typing import Aggregate, AttributionModel, CountingModel
from ._result import AttributionResult

if TYPE_CHECKING:
    from ._markov import TransitionCounts
    from ._shapley import CoalitionCounts

__all__ = ["AttributionData", "CollapseLike", "as_paths", "attribute"]

AttributionData: TypeAlias = (
    "EventLog | PathCounts | ConversionPaths | TransitionCounts | CoalitionCounts"
)
"""What :func:`attribute` reads: a log, path counts, paths, or a model's count table."""


@renamed(by="level")
def as_paths(
    data: EventLog | PathCounts | ConversionPaths,
    *,
    level: ByLike | None = None,
    collapse: CollapseLike | None = None,
    lookback: DurationLike | None = None,
) -> ConversionPaths:
    """The conversion paths of a log or of path counts under the path policy.

    For a log, ``level`` defaults to ``"channel"``. Path counts already fix
    their attribute and cannot apply a lookback window (they have no
    timestamps); ``collapse="consecutive"`` still applies to them.

    >>> from touchpath.attribution import PathCounts
    >>> as_paths(PathCounts.from_rows([(["a", "a", "b"], 1, 0, 0)]), collapse="consecutive").paths()
    [('a', 'b')]
    """
    if isinstance(data, EventLog):
        policy = PathPolicy(
            level=level if level is not None else "channel",
            collapse=collapse if collapse is not None else Collapse.NONE,
            lookback=lookback,
        )
        return conversion_paths(data, policy)
    if isinstance(data, PathCounts | ConversionPaths):
        if lookback is not None:
            raise UnsupportedInputError(
                "a lookback window needs timestamps; path counts have none (apply it when "
                f"building them: PathCounts.from_log(log, lookback=...)); got lookback={lookback!r}"
            )
        paths = data.to_paths() if isinstance(data, PathCounts) else data
        if level is not None:
            wanted = PathPolicy(level=level).level
            if paths.level is not None and paths.level != wanted:
                raise ConfigError(
                    f"these paths credit {paths.level.value}s; got level={wanted.value!r} (rebuild "
                    "them from the log with that attribute)"
                )
            if paths.level is None:
                paths = attrs.evolve(paths, level=wanted)
        if collapse is not None and PathPolicy(collapse=collapse).collapse is Collapse.CONSECUTIVE:
            paths = _collapse(paths)
        return paths
    raise UnsupportedInputError(
        f"attribution reads an EventLog, PathCounts or ConversionPaths; got {type(data).__name__}"
    )


def _collapse(paths: ConversionPaths) -> ConversionPaths:
    """Keep the first of consecutive equal touches within each path."""
    if paths.n_touches < 2:
        return paths
    tp = paths.touch_path
    codes = paths.codes
    keep = np.ones(paths.n_touches, dtype=np.bool_)
    keep[1:] = (tp[1:] != tp[:-1]) | (codes[1:] != codes[:-1])
    if keep.all():
        return paths
    offsets = np.zeros(paths.n_paths + 1, dtype=np.int64)
    np.cumsum(np.bincount(tp[keep], minlength=paths.n_paths), out=offsets[1:])
    return attrs.evolve(
        paths,
        offsets=offsets,
        codes=codes[keep],
        events=None if paths.events is None else paths.events[keep],
    )


@renamed(by="level")
def attribute(
    data: AttributionData,
    model: AttributionModel,
    *,
    level: ByLike | None = None,
    collapse: CollapseLike | None = None,
    lookback: DurationLike | None = None,
) -> AttributionResult:
    """Credit conversions and value to channels (or touchpoints, stages, campaigns).

    ``data`` is an :class:`~touchpath.EventLog`, :class:`PathCounts` (for
    models that need no timestamps), or the count table of a
    :class:`Markov` (:class:`TransitionCounts`) or :class:`Shapley`
    (:class:`CoalitionCounts`) model. The path policy is shared by every
    model: ``level`` (the credited attribute, ``"channel"`` by default),
    ``collapse`` (``"consecutive"`` counts repeated touches once) and
    ``lookback`` (``"30 days"``: older touches are ignored).

    Each conversion credits the touches since the journey's previous
    conversion (see :func:`touchpath.attribution.conversion_paths`);
    touches after the last conversion credit nothing; conversions with no
    touch are :attr:`~AttributionResult.unattributed`.

    >>> from touchpath import EventLog
    >>> from touchpath.attribution import PositionBased
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j", "timestamp": 0, "channel": "ads"},
    ...     {"journey_id": "j", "timestamp": 1, "channel": "email"},
    ...     {"journey_id": "j", "timestamp": 2, "channel": "seo", "converted": True}])
    >>> attribute(log, PositionBased(first=0.25, last=0.25)).by_channel()
    {'ads': 0.25, 'email': 0.5, 'seo': 0.25}
    """
    if not isinstance(data, EventLog | PathCounts | ConversionPaths) and isinstance(
        data, Aggregate
    ):  # a counting model's table
        if level is not None or collapse is not None or lookback is not None:
            raise ConfigError(
                "a count table already fixes the path policy; pass level/collapse/lookback when "
                "building it"
            )
        if isinstance(model, CountingModel) and isinstance(data, model.counts_type):
            return model.attribute_counts(data)
        reads = (
            f"counts {model.counts_type.__name__}"
            if isinstance(model, CountingModel)
            else "reads an EventLog, PathCounts or ConversionPaths"
        )
        raise UnsupportedInputError(
            f"{type(data).__name__} feed the model that counts them; got "
            f"{type(model).__name__}, which {reads}"
        )
    paths = as_paths(data, level=level, collapse=collapse, lookback=lookback)
    check_value_total(paths.values)
    credit = model.credit(paths)
    return AttributionResult.from_credit(model, paths, credit)

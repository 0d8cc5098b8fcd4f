"""Path transforms: fractribution's named rewrites of a conversion path, as options.

Each transform is a frozen option that rewrites every path of some
:class:`~touchpath.attribution.ConversionPaths` at once (vectorised: a mask
over the touches, no Python loop per path). They follow the definitions of
Google's fractribution (``path_transforms.sql``); on ``[D, A, B, B, C, D, C, C]``:

=================================  ====================================
``Exposure()``                     ``[D, A, B, C, D, C]`` (repeats in a row count once)
``First()``                        ``[D, A, B, C]`` (each item's first touch only)
``Frequency()``                    ``[D(2), A(1), B(2), C(3)]`` (first touches, with counts)
``RemoveIfNotAll("C")``            ``[D, A, B, B, D]`` (unless the path is only C)
``RemoveIfLastAndNotAll("C")``     ``[D, A, B, B, C, D]`` (the trailing run of C)
``TrimLongPath(3)``                ``[D, C, C]`` (the last 3 touches)
=================================  ====================================

:func:`transform_paths` applies several in order; the result is again
``ConversionPaths`` (touches keep their events, so ``explain()`` still
works), ready for :func:`~touchpath.attribution.attribute` or
:meth:`PathCounts.from_paths <touchpath.attribution.PathCounts.from_paths>`.
``Frequency`` renames items to ``name(count)`` as fractribution does;
:func:`fold_frequency` sums a result's credit back to the plain names.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from .._deprecation import renamed
from .._log import EventLog
from .._paths import ByLike, ConversionPaths, PathCounts, item_index, wsum
from .._time import DurationLike
from ..exceptions import ConfigError
from ._attribute import CollapseLike, as_paths
from ._result import AttributionResult

if TYPE_CHECKING:
    from ._windows import TouchWindows

__all__ = [
    "Exposure",
    "First",
    "Frequency",
    "PathTransform",
    "RemoveIfLastAndNotAll",
    "RemoveIfNotAll",
    "TrimLongPath",
    "first_touches",
    "fold_frequency",
    "transform_paths",
]

_B: TypeAlias = npt.NDArray[np.bool_]

_FREQUENCY_SUFFIX: Final = re.compile(r"\(\d+\)$")


def _keep(paths: ConversionPaths, keep: _B) -> ConversionPaths:
    """The paths with only the touches where ``keep`` is true (path counts unchanged)."""
    if keep.all():
        return paths
    offsets = np.zeros(paths.n_paths + 1, dtype=np.int64)
    np.cumsum(np.bincount(paths.touch_path[keep], minlength=paths.n_paths), out=offsets[1:])
    return attrs.evolve(
        paths,
        offsets=offsets,
        codes=paths.codes[keep],
        events=None if paths.events is None else paths.events[keep],
    )


def first_touches(paths: ConversionPaths) -> _B:
    """Which touches are the first touch of their item in their path.

    One linear pass per item (no sort): among the touches of an item, in
    order, the first of each path.

    >>> pc = PathCounts.from_rows([(["b", "a", "b", "a", "c"], 1, 0, 0)])
    >>> first_touches(pc.to_paths()).tolist()
    [True, True, False, False, True]
    """
    mask = np.zeros(paths.n_touches, dtype=np.bool_)
    if paths.n_touches == 0:
        return mask
    tp = paths.touch_path
    small = paths.codes.astype(np.int16) if len(paths.items) < 1 << 15 else paths.codes
    order = np.argsort(small, kind="stable")  # by item, then path order (a radix sort)
    sorted_codes = paths.codes[order]
    sorted_tp = tp[order]
    new = np.ones(len(order), dtype=np.bool_)
    new[1:] = (sorted_codes[1:] != sorted_codes[:-1]) | (sorted_tp[1:] != sorted_tp[:-1])
    mask[order[new]] = True
    return mask


def _code_of(paths: ConversionPaths, item: str) -> int | None:
    try:
        return paths.items.index(item)
    except ValueError:
        return None


def _item(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"'item' must be a non-empty item name; got {value!r}")
    return value


def _max_length(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"'max_length' must be an integer >= 1; got {value!r}")
    return value


@attrs.frozen
class Exposure:
    """Consecutive repeats of an item count once (fractribution's ``exposure``).

    >>> pc = PathCounts.from_rows([(list("DABBCDCC"), 1, 0, 0)])
    >>> Exposure().apply(pc.to_paths()).paths()
    [('D', 'A', 'B', 'C', 'D', 'C')]
    """

    def apply(self, paths: ConversionPaths) -> ConversionPaths:
        """The transformed paths."""
        keep = np.ones(paths.n_touches, dtype=np.bool_)
        if paths.n_touches > 1:
            tp, codes = paths.touch_path, paths.codes
            keep[1:] = (tp[1:] != tp[:-1]) | (codes[1:] != codes[:-1])
        return _keep(paths, keep)


@attrs.frozen
class First:
    """Only each item's first touch of a path, in order (fractribution's ``first``).

    >>> pc = PathCounts.from_rows([(list("DABBCDCC"), 1, 0, 0)])
    >>> First().apply(pc.to_paths()).paths()
    [('D', 'A', 'B', 'C')]
    """

    def apply(self, paths: ConversionPaths) -> ConversionPaths:
        """The transformed paths."""
        return _keep(paths, first_touches(paths))


@attrs.frozen
class Frequency:
    """Each item's first touch, renamed ``name(count)`` (fractribution's ``frequency``).

    The count is the item's number of touches in the path.

    >>> pc = PathCounts.from_rows([(list("DABBCDCC"), 1, 0, 0)])
    >>> Frequency().apply(pc.to_paths()).paths()
    [('D(2)', 'A(1)', 'B(2)', 'C(3)')]
    """

    def apply(self, paths: ConversionPaths) -> ConversionPaths:
        """The transformed paths (items renamed)."""
        n_items = max(len(paths.items), 1)
        key = paths.touch_path * n_items + paths.codes.astype(np.int64)
        _, inverse, count = np.unique(key, return_inverse=True, return_counts=True)
        touch_count = count[inverse.reshape(-1)].astype(np.int64)
        mask = first_touches(paths)
        width = int(touch_count.max(initial=0)) + 1
        pair = paths.codes[mask].astype(np.int64) * width + touch_count[mask]
        pairs, pair_index = np.unique(pair, return_inverse=True)
        names = [f"{paths.items[p // width]}({p % width})" for p in pairs.tolist()]
        order = sorted(range(len(names)), key=names.__getitem__)
        rank = np.empty(len(names), dtype=np.int32)
        rank[order] = np.arange(len(names), dtype=np.int32)
        return attrs.evolve(
            _keep(paths, mask),
            items=tuple(names[i] for i in order),
            codes=rank[pair_index.reshape(-1)],
        )


@attrs.frozen
class RemoveIfNotAll:
    """Drop every touch of ``item``, unless the path has only ``item`` touches.

    fractribution's ``remove_if_not_all`` (e.g. for ``"direct"``).

    >>> pc = PathCounts.from_rows([(list("DAC"), 1, 0, 0), (list("CC"), 1, 0, 0)])
    >>> RemoveIfNotAll("C").apply(pc.to_paths()).paths()
    [('C', 'C'), ('D', 'A')]
    """

    item: str = attrs.field(converter=_item)
    """The item to drop."""

    def apply(self, paths: ConversionPaths) -> ConversionPaths:
        """The transformed paths."""
        code = _code_of(paths, self.item)
        if code is None:
            return paths
        is_item = paths.codes == code
        others = wsum(paths.touch_path, (~is_item).astype(np.float64), paths.n_paths)
        return _keep(paths, ~is_item | (others[paths.touch_path] == 0))


@attrs.frozen
class RemoveIfLastAndNotAll:
    """Drop the trailing run of ``item`` touches, unless the path has only ``item`` touches.

    fractribution's ``remove_if_last_and_not_all``.

    >>> pc = PathCounts.from_rows([(list("CACC"), 1, 0, 0), (list("CC"), 1, 0, 0)])
    >>> RemoveIfLastAndNotAll("C").apply(pc.to_paths()).paths()
    [('C', 'A'), ('C', 'C')]
    """

    item: str = attrs.field(converter=_item)
    """The item to drop from the end of paths."""

    def apply(self, paths: ConversionPaths) -> ConversionPaths:
        """The transformed paths."""
        code = _code_of(paths, self.item)
        if code is None:
            return paths
        other = paths.codes != code
        last_other = np.full(paths.n_paths, -1, dtype=np.int64)
        np.maximum.at(last_other, paths.touch_path[other], paths.positions[other])
        bound = last_other[paths.touch_path]
        return _keep(paths, (paths.positions <= bound) | (bound < 0))


@attrs.frozen
class TrimLongPath:
    """Keep only the last ``max_length`` touches of each path (fractribution's ``trim_long_path``).

    >>> pc = PathCounts.from_rows([(list("DABBCDCC"), 1, 0, 0)])
    >>> TrimLongPath(3).apply(pc.to_paths()).paths()
    [('D', 'C', 'C')]
    """

    max_length: int = attrs.field(converter=_max_length)
    """Most touches a path keeps (its last ones)."""

    def apply(self, paths: ConversionPaths) -> ConversionPaths:
        """The transformed paths."""
        tail = paths.lengths[paths.touch_path] - paths.positions
        return _keep(paths, tail <= self.max_length)


PathTransform: TypeAlias = (
    "Exposure | First | Frequency | RemoveIfNotAll | RemoveIfLastAndNotAll | TrimLongPath"
    " | TouchWindows"
)
"""One of the path transforms (:class:`~touchpath.attribution.TouchWindows` included)."""

_TRANSFORMS: Final = (
    Exposure,
    First,
    Frequency,
    RemoveIfNotAll,
    RemoveIfLastAndNotAll,
    TrimLongPath,
)


@renamed(by="level")
def transform_paths(
    data: EventLog | PathCounts | ConversionPaths,
    *transforms: PathTransform,
    level: ByLike | None = None,
    collapse: CollapseLike | None = None,
    lookback: DurationLike | None = None,
) -> ConversionPaths:
    """The conversion paths of some data, rewritten by each transform in turn.

    The path policy (``level``, ``collapse``, ``lookback``) applies first, as in
    :func:`~touchpath.attribution.attribute`; pass the result to any model.

    >>> from touchpath.attribution import LastTouch, attribute
    >>> pc = PathCounts.from_rows([(["ads", "seo", "direct"], 1, 0, 0)])
    >>> paths = transform_paths(pc, RemoveIfLastAndNotAll("direct"))
    >>> attribute(paths, LastTouch()).credits()
    {'ads': 0.0, 'direct': 0.0, 'seo': 1.0}
    """
    from ._windows import TouchWindows

    paths = as_paths(data, level=level, collapse=collapse, lookback=lookback)
    for t in transforms:
        if not isinstance(t, (*_TRANSFORMS, TouchWindows)):
            raise ConfigError(
                f"a path transform must be one of {[c.__name__ for c in _TRANSFORMS]}; got {t!r}"
            )
        paths = t.apply(paths)
    return paths


def fold_frequency(result: AttributionResult) -> AttributionResult:
    """A result over ``name(count)`` items (see :class:`Frequency`) summed back to names.

    The folded result has no journeys to explain (its items are not the paths').

    >>> from touchpath.attribution import Linear, attribute
    >>> pc = PathCounts.from_rows([(["a", "a", "b"], 2, 0, 0), (["a"], 1, 0, 0)])
    >>> r = attribute(transform_paths(pc, Frequency()), Linear())
    >>> r.credits(), fold_frequency(r).credits()
    ({'a(1)': 1.0, 'a(2)': 1.0, 'b(1)': 1.0}, {'a': 2.0, 'b': 1.0})
    """
    names = [_FREQUENCY_SUFFIX.sub("", x) for x in result.items]
    items = tuple(sorted(set(names)))
    index = item_index(names, items)
    return attrs.evolve(
        result,
        items=items,
        conversions=wsum(index, result.conversions, len(items)),
        values=wsum(index, result.values, len(items)),
        paths=None,
        shares=None,
        weights=None,
    )

"""Rule-based models: each touch's share of its path follows from the path alone.

Every model here is vectorised over all touches at once: positions come from
the path offsets, weights are numpy expressions, per-path sums are
``np.bincount``. No Python code runs per path or per touch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Final, Literal

import attrs
import numpy as np
import numpy.typing as npt

from .._paths import ConversionPaths, wsum
from .._schema import Field
from .._time import DurationLike, format_duration, parse_duration
from ..exceptions import ConfigError
from ._result import Credit

__all__ = [
    "FirstTouch",
    "LastNonDirect",
    "LastTouch",
    "Linear",
    "PositionBased",
    "TimeDecay",
    "WShaped",
]

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]
_DENSE_PAIRS: Final = 1 << 25


def _segment_pick(values: _I64, paths: ConversionPaths, *, largest: bool) -> _I64:
    """Per non-empty path, the max (or min) of ``values`` over its touches."""
    starts = paths.offsets[:-1][paths.lengths > 0]
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64)
    ufunc = np.maximum if largest else np.minimum
    return ufunc.reduceat(values, starts)


def _one_hot(paths: ConversionPaths, index: _I64) -> Credit:
    """All of each non-empty path to its touch ``index`` (one per non-empty path, in order).

    The credits are summed over the chosen touches alone: the other touches
    add exact zeros, so the sums equal those over every touch's share.
    """
    shares = np.zeros(paths.n_touches, dtype=np.float64)
    shares[index] = 1.0
    conversions, values = paths.conversions, paths.values
    if len(index) < paths.n_paths:  # some paths have no touch
        nonempty = paths.lengths > 0
        conversions, values = conversions[nonempty], values[nonempty]
    # only paths with conversions or value add to the credits
    live = np.flatnonzero((conversions != 0) | (values != 0))
    if 2 * len(live) < len(index):
        index, conversions, values = index[live], conversions[live], values[live]
    codes, n_items = paths.codes[index], len(paths.items)
    return Credit(
        shares,
        conversions=wsum(codes, conversions, n_items),
        values=wsum(codes, values, n_items),
    )


@attrs.frozen
class FirstTouch:
    """All credit to the first touch of each conversion path.

    share(touch k of a path of n touches) = 1 if k == 0 else 0.

    >>> from touchpath.attribution import PathCounts, attribute
    >>> attribute(PathCounts.from_rows([(["ads", "seo"], 1, 0, 0)]), FirstTouch()).credits()
    {'ads': 1.0, 'seo': 0.0}
    """

    per_path: ClassVar[bool] = True

    def credit(self, paths: ConversionPaths) -> Credit:
        """Touch shares for the paths (see :class:`~touchpath.attribution.Credit`)."""
        return _one_hot(paths, paths.offsets[:-1][paths.lengths > 0])


@attrs.frozen
class LastTouch:
    """All credit to the last touch of each conversion path (the converting touch if any).

    >>> from touchpath.attribution import PathCounts, attribute
    >>> attribute(PathCounts.from_rows([(["ads", "seo"], 1, 0, 0)]), LastTouch()).credits()
    {'ads': 0.0, 'seo': 1.0}
    """

    per_path: ClassVar[bool] = True

    def credit(self, paths: ConversionPaths) -> Credit:
        """Touch shares for the paths."""
        return _one_hot(paths, paths.offsets[1:][paths.lengths > 0] - 1)


def _names(value: str | Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({value})
    out = frozenset(value)
    if not all(isinstance(x, str) for x in out):
        raise ConfigError(f"'direct' must be channel names; got {sorted(map(repr, out))}")
    return out


@attrs.frozen
class LastNonDirect:
    """All credit to the last touch whose channel is not direct-like.

    ``direct`` names the direct-like channels. A path of only direct
    touches falls back to its last touch. Direct-ness is read from each
    touch's *channel*, whatever attribute is credited (for path counts, from
    their items).

    >>> from touchpath.attribution import PathCounts, attribute
    >>> pc = PathCounts.from_rows([(["ads", "direct"], 1, 0, 0), (["direct"], 1, 0, 0)])
    >>> attribute(pc, LastNonDirect()).credits()
    {'ads': 1.0, 'direct': 1.0}
    """

    direct: frozenset[str] = attrs.field(
        default=frozenset({"direct"}), converter=_names, repr=lambda s: repr(tuple(sorted(s)))
    )
    """Channels counted as direct (``{"direct"}`` by default)."""

    per_path: ClassVar[bool] = True

    def credit(self, paths: ConversionPaths) -> Credit:
        """Touch shares for the paths."""
        if paths.level in (Field.CHANNEL, None):
            codes, names = paths.codes, paths.items
        else:
            codes, names = paths.codes_of(Field.CHANNEL)
        is_direct = np.array([n in self.direct for n in names] + [False], dtype=np.bool_)
        candidate = np.where(
            is_direct[codes], np.int64(-1), np.arange(paths.n_touches, dtype=np.int64)
        )
        best = _segment_pick(candidate, paths, largest=True)
        nonempty = paths.lengths > 0
        last = paths.offsets[1:][nonempty] - 1
        first = paths.offsets[:-1][nonempty]
        chosen = np.where(best >= first, best, last)
        return _one_hot(paths, chosen)


LinearPer = Literal["touch", "channel"]


def _per(value: object) -> LinearPer:
    if value == "touch":
        return "touch"
    if value == "channel":
        return "channel"
    raise ConfigError(f"'per' must be 'touch' or 'channel'; got {value!r}")


def distinct_counts(paths: ConversionPaths) -> tuple[_I64, _I64]:
    """For each touch: how many touches of its path share its item, and distinct items of its path.

    >>> from touchpath.attribution import PathCounts
    >>> p = PathCounts.from_rows([(["a", "b", "a"], 1, 0, 0)]).to_paths()
    >>> [x.tolist() for x in distinct_counts(p)]
    [[2, 1, 2], [2, 2, 2]]
    """
    return paths.memo("distinct_counts", lambda: _distinct_counts(paths))


def _distinct_counts(paths: ConversionPaths) -> tuple[_I64, _I64]:
    tp = paths.touch_path
    n_items = max(len(paths.items), 1)
    if paths.n_paths * n_items <= _DENSE_PAIRS:
        key = tp * n_items + paths.codes
        counts = np.bincount(key, minlength=paths.n_paths * n_items)
        same = counts[key]
        distinct = np.count_nonzero(counts.reshape(paths.n_paths, n_items), axis=1)
    else:
        key = tp * n_items + paths.codes
        uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        same = counts[inverse.reshape(-1)]
        distinct = np.bincount(uniq // n_items, minlength=paths.n_paths)
    out = same.astype(np.int64), distinct[tp].astype(np.int64)
    for array in out:
        array.setflags(write=False)
    return out


@attrs.frozen
class Linear:
    """Equal credit to the touches of a path, or to its distinct items.

    ``per="touch"``: each touch gets 1/n (an item touched twice of n gets 2/n).
    ``per="channel"``: each distinct item (channel, touchpoint, ...) gets
    1/d of the path, d the number of distinct items, split evenly among its
    touches.

    >>> from touchpath.attribution import PathCounts, attribute
    >>> pc = PathCounts.from_rows([(["a", "a", "b"], 1, 0, 0)])
    >>> attribute(pc, Linear()).credits(), attribute(pc, Linear(per="channel")).credits()
    ({'a': 0.6666666666666666, 'b': 0.3333333333333333}, {'a': 0.5, 'b': 0.5})
    """

    per: LinearPer = attrs.field(default="touch", converter=_per)
    """``"touch"`` or ``"channel"`` (distinct items of the credited attribute)."""

    per_path: ClassVar[bool] = True

    def credit(self, paths: ConversionPaths) -> Credit:
        """Touch shares for the paths."""
        if self.per == "touch":
            return Credit(1.0 / paths.lengths[paths.touch_path])
        same, distinct = distinct_counts(paths)
        return Credit(1.0 / (same * distinct))


def _half_life(value: DurationLike) -> int:
    return parse_duration(value, name="half_life")


@attrs.frozen
class TimeDecay:
    """Credit halves for every ``half_life`` between a touch and its conversion.

    weight(touch) = 2 ** (-(t_conversion - t_touch) / half_life), normalised
    so a path's shares sum to 1. For a non-converting path the end is its
    last event (it has no credit to give anyway). Normalising makes the
    reference point cancel: measuring from the path's last touch instead
    gives the same shares, which is how it is computed (no underflow for old
    touches). Needs timestamps: path counts raise ``UnsupportedInputError``.

    >>> from touchpath import EventLog
    >>> from touchpath.attribution import attribute
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j", "timestamp": "2025-01-01T00:00:00Z", "channel": "ads"},
    ...     {"journey_id": "j", "timestamp": "2025-01-08T00:00:00Z", "channel": "seo",
    ...      "converted": True}])
    >>> attribute(log, TimeDecay(half_life="7 days")).by_channel()
    {'ads': 0.3333333333333333, 'seo': 0.6666666666666666}
    >>> TimeDecay()
    TimeDecay(half_life=1 week)
    """

    half_life: int = attrs.field(default=7 * 86_400, converter=_half_life, repr=format_duration)
    """Time for a touch's weight to halve: text such as ``"7 days"``, a timedelta, or seconds.

    Stored in microseconds.
    """ ""

    per_path: ClassVar[bool] = True

    def credit(self, paths: ConversionPaths) -> Credit:
        """Touch shares for the paths (needs timestamps)."""
        times, _ = paths.times()
        tp = paths.touch_path
        nonempty = paths.lengths > 0
        latest = np.zeros(paths.n_paths, dtype=np.int64)
        latest[nonempty] = times[paths.offsets[1:][nonempty] - 1]
        weights = np.exp2((times - latest[tp]).astype(np.float64) / self.half_life)
        total = wsum(tp, weights, paths.n_paths)
        return Credit(weights / total[tp])


def _fraction(name: str) -> Callable[[Any, attrs.Attribute[float], float], None]:
    def check(instance: object, attribute: attrs.Attribute[float], value: object) -> None:
        if isinstance(value, bool) or not (isinstance(value, int | float) and 0 <= value <= 1):
            raise ConfigError(f"{name!r} must be a number between 0 and 1; got {value!r}")

    return check


@attrs.frozen
class PositionBased:
    """U-shaped: ``first`` to the first touch, ``last`` to the last, the rest to the middle.

    With n >= 3 touches the n - 2 middle touches share ``1 - first - last``
    equally. One touch gets everything. Two touches split the path in
    proportion ``first : last`` (0.5 each by default; equally if both are 0).

    >>> from touchpath.attribution import PathCounts, attribute
    >>> pc = PathCounts.from_rows([(["a", "b", "c", "d"], 1, 0, 0), (["a", "d"], 1, 0, 0)])
    >>> credits = attribute(pc, PositionBased(first=0.4, last=0.4)).credits()
    >>> {k: round(v, 12) for k, v in credits.items()}
    {'a': 0.9, 'b': 0.1, 'c': 0.1, 'd': 0.9}
    """

    first: float = attrs.field(default=0.4, validator=_fraction("first"))
    """Share of the first touch."""
    last: float = attrs.field(default=0.4, validator=_fraction("last"))
    """Share of the last touch."""

    per_path: ClassVar[bool] = True

    def __attrs_post_init__(self) -> None:
        if self.first + self.last > 1.0 + 1e-12:
            raise ConfigError(f"'first' + 'last' must be at most 1; got {self.first} + {self.last}")

    def credit(self, paths: ConversionPaths) -> Credit:
        """Touch shares for the paths."""
        n = paths.lengths
        f, la = float(self.first), float(self.last)
        both = f + la
        f2, l2 = (f / both, la / both) if both > 0 else (0.5, 0.5)
        # per path first, then overwrite the two ends: no per-touch branching
        shares = (max(0.0, 1.0 - f - la) / np.maximum(n - 2, 1))[paths.touch_path]
        firsts, lasts = paths.offsets[:-1], paths.offsets[1:] - 1
        two_plus = n >= 2
        shares[lasts[two_plus]] = np.where(n[two_plus] == 2, l2, la)
        one_plus = n >= 1
        shares[firsts[one_plus]] = np.where(
            n[one_plus] == 1, 1.0, np.where(n[one_plus] == 2, f2, f)
        )
        return Credit(shares)


@attrs.frozen
class WShaped:
    """W-shaped: the first touch and the touches entering the lead and opportunity stages.

    The key touches get ``first``, ``lead`` and ``opportunity`` (0.3 each by
    default); the rest (0.1) is spread equally over the other touches.
    The lead (opportunity) touch is the first touch of the path whose stage is
    ``lead_stage`` (``opportunity_stage``). Where two keys are the same
    touch, that touch gets both weights; a key with no such touch adds its
    weight to the rest. When every touch is a key touch, the key touches
    share the whole path in proportion to their weights (equally if those
    are 0). Needs each touch's stage (an EventLog, or path counts of stages).

    >>> from touchpath import EventLog
    >>> from touchpath.attribution import attribute
    >>> rows = [("ads", "awareness"), ("webinar", "lead"), ("email", "lead"),
    ...         ("call", "opportunity"), ("seo", "opportunity")]
    >>> log = EventLog.from_records(
    ...     [{"journey_id": "j", "timestamp": i, "channel": c, "stage": s}
    ...      for i, (c, s) in enumerate(rows)] +
    ...     [{"journey_id": "j", "timestamp": 9, "channel": "seo", "converted": True}])
    >>> credits = attribute(log, WShaped("lead", "opportunity")).by_channel()
    >>> {k: round(v, 4) for k, v in credits.items()}
    {'ads': 0.3, 'call': 0.3, 'email': 0.0333, 'seo': 0.0667, 'webinar': 0.3}
    """

    lead_stage: str
    """Stage whose first touch is the lead-creation touch."""
    opportunity_stage: str
    """Stage whose first touch is the opportunity-creation touch."""
    first: float = attrs.field(default=0.3, validator=_fraction("first"))
    """Share of the first touch."""
    lead: float = attrs.field(default=0.3, validator=_fraction("lead"))
    """Share of the lead-creation touch."""
    opportunity: float = attrs.field(default=0.3, validator=_fraction("opportunity"))
    """Share of the opportunity-creation touch."""

    per_path: ClassVar[bool] = True

    def __attrs_post_init__(self) -> None:
        if self.first + self.lead + self.opportunity > 1.0 + 1e-12:
            raise ConfigError(
                "'first' + 'lead' + 'opportunity' must be at most 1; got "
                f"{self.first} + {self.lead} + {self.opportunity}"
            )

    def credit(self, paths: ConversionPaths) -> Credit:
        """Touch shares for the paths (needs each touch's stage)."""
        stage_codes, stage_names = paths.codes_of(Field.STAGE)
        n_t = paths.n_touches
        tp = paths.touch_path
        index = np.arange(n_t, dtype=np.int64)
        weight = np.zeros(n_t, dtype=np.float64)
        key = np.zeros(n_t, dtype=np.bool_)
        first = paths.offsets[:-1][paths.lengths > 0]
        weight[first] += self.first
        key[first] = True
        for stage, w in ((self.lead_stage, self.lead), (self.opportunity_stage, self.opportunity)):
            if stage not in stage_names:
                continue
            code = stage_names.index(stage)
            candidate = np.where(stage_codes == code, index, np.int64(n_t))
            hit = _segment_pick(candidate, paths, largest=False)
            hit = hit[hit < n_t]
            weight[hit] += w
            key[hit] = True
        n_key = wsum(tp, key, paths.n_paths)
        key_sum = wsum(tp, weight, paths.n_paths)
        n_rest = paths.lengths - n_key
        rest = np.maximum(1.0 - key_sum, 0.0)  # clip rounding noise below 0
        with np.errstate(divide="ignore", invalid="ignore"):
            spread = np.where(n_rest > 0, rest / n_rest, 0.0)
            scale = np.where(n_rest > 0, 1.0, np.where(key_sum > 0, 1.0 / key_sum, 0.0))
        shares = np.where(key, weight * scale[tp], spread[tp])
        # every touch a key touch and all key weights 0: split equally
        flat = (n_rest == 0) & (key_sum == 0)
        shares = np.where(flat[tp], 1.0 / paths.lengths[tp].clip(min=1), shares)
        return Credit(shares)

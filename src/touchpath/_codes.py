"""Dictionary-encoded columns: the missing code, compaction, repeated events (a bottom module).

A categorical column is an int32 code per event into a sorted tuple of
names, with :data:`MISSING` where the event has no value.

>>> import numpy as np
>>> codes, names = compact(np.array([2, MISSING, 2], dtype=np.int32), ("a", "b", "c"))
>>> codes.tolist(), names
([0, -1, 0], ('c',))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt

__all__ = ["MISSING", "compact", "concat_offsets", "merge_dictionaries", "repeated_events"]

MISSING: Final = -1
"""The code of an event without a value in a dictionary-encoded column."""

_I32 = npt.NDArray[np.int32]


def compact(codes: _I32, names: tuple[str, ...]) -> tuple[_I32, tuple[str, ...]]:
    """Drop dictionary entries no remaining event uses (keeps sorted order)."""
    if not names:
        return codes, names
    used = np.zeros(len(names), dtype=np.bool_)
    valid = codes[codes != MISSING]
    used[valid] = True
    if used.all():
        return codes, names
    remap = np.full(len(names) + 1, MISSING, dtype=np.int32)
    remap[:-1][used] = np.arange(int(used.sum()), dtype=np.int32)
    kept: list[str] = np.asarray(names, dtype=object)[used].tolist()
    return remap[codes], tuple(kept)


def repeated_events(
    journey: npt.NDArray[Any], timestamps: npt.NDArray[np.int64], *keys: _I32
) -> npt.NDArray[np.bool_]:
    """Per event, whether an earlier event has its journey, timestamp and every key.

    The events must be sorted by journey and time, so repeats can only sit in
    a block of one journey and one timestamp; only those blocks are sorted
    (stable by position, so the first of equal events is the one not marked).

    >>> j = np.array([0, 0, 0, 1]); t = np.array([5, 5, 5, 5])
    >>> repeated_events(j, t, np.array([1, 2, 1, 1], dtype=np.int32)).tolist()
    [False, False, True, False]
    """
    n = len(timestamps)
    repeat = np.zeros(n, dtype=np.bool_)
    if n < 2:
        return repeat
    tied = (journey[1:] == journey[:-1]) & (timestamps[1:] == timestamps[:-1])
    if not tied.any():
        return repeat
    block = np.concatenate(([0], np.cumsum(~tied)))  # one id per (journey, time) block
    candidate = np.zeros(n, dtype=np.bool_)
    candidate[1:] |= tied
    candidate[:-1] |= tied
    idx = np.flatnonzero(candidate)
    sort_keys: list[npt.NDArray[Any]] = [idx, *(k[idx] for k in reversed(keys)), block[idx]]
    order = idx[np.lexsort(sort_keys)]
    same = block[order][1:] == block[order][:-1]
    for k in keys:
        ordered = k[order]
        same &= ordered[1:] == ordered[:-1]
    repeat[order[1:][same]] = True
    return repeat


def merge_dictionaries(
    parts: Sequence[tuple[tuple[str, ...], _I32]],
) -> tuple[tuple[str, ...], _I32]:
    """The sorted union of several dictionaries, and every part's codes recoded into it.

    The recoded codes are concatenated in the order of ``parts`` (what adding
    two count tables needs).

    >>> items, codes = merge_dictionaries(
    ...     [(("b", "c"), np.array([1, 0], dtype=np.int32)), (("a",), np.array([0], np.int32))])
    >>> items, codes.tolist()
    (('a', 'b', 'c'), [2, 1, 0])
    """
    items = tuple(sorted(set().union(*(names for names, _ in parts))))
    position = {x: i for i, x in enumerate(items)}
    recoded = []
    for names, codes in parts:
        table = np.array([position[x] for x in names] + [0], dtype=np.int32)
        recoded.append(table[codes] if len(codes) else np.zeros(0, np.int32))
    return items, np.concatenate(recoded)


def concat_offsets(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The offsets of rows ``a`` followed by rows ``b`` (both CSR-style, starting at 0).

    >>> concat_offsets(np.array([0, 2]), np.array([0, 1, 3])).tolist()
    [0, 2, 3, 5]
    """
    return np.concatenate([a[:-1], b + a[-1]])

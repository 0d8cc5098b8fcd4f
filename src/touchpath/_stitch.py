"""Identity stitching: merge the journeys of one person that arrive under several ids.

Alias pairs (cookie and user id, device and account, ...) are the edges of a
graph over ids; each connected component is one person, named by its
smallest id (in Python string order). Components come from a vectorised
union-find (min-label hooking with pointer jumping), so the result depends
only on the *set* of pairs: not on their order, not on how the events are
partitioned.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .exceptions import ConfigError

if TYPE_CHECKING:
    from ._log import EventLog

__all__ = ["alias_map", "stitch"]

_I64 = npt.NDArray[np.int64]


def _pairs(aliases: object) -> tuple[list[str], list[str]]:
    """The two sides of the alias pairs, checked."""
    if isinstance(aliases, dict):
        items: Iterable[Any] = aliases.items()
    elif isinstance(aliases, str) or not isinstance(aliases, Iterable):
        raise ConfigError(f"'aliases' must be pairs of ids (or a mapping); got {aliases!r}")
    else:
        items = aliases
    left: list[str] = []
    right: list[str] = []
    for i, pair in enumerate(items):
        if isinstance(pair, str):
            raise ConfigError(f"alias pair {i} must be two ids, not one string; got {pair!r}")
        try:
            a, b = pair
        except (TypeError, ValueError):
            raise ConfigError(f"alias pair {i} must be two ids; got {pair!r}") from None
        if not isinstance(a, str) or not isinstance(b, str) or not a or not b:
            raise ConfigError(f"alias pair {i} must be two non-empty strings; got {pair!r}")
        left.append(a)
        right.append(b)
    return left, right


def _components(n: int, u: _I64, v: _I64) -> _I64:
    """Per node 0..n-1, the smallest node of its component (vectorised union-find)."""
    parent = np.arange(n, dtype=np.int64)
    if len(u) == 0:
        return parent
    while True:
        pu, pv = parent[u], parent[v]
        if np.array_equal(pu, pv):
            return parent
        low = np.minimum(pu, pv)
        np.minimum.at(parent, pu, low)  # hook each root under the smaller label
        np.minimum.at(parent, pv, low)
        while True:  # pointer jumping until every node points at a root
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped


def _resolve(
    ids: npt.NDArray[np.object_], left: list[str], right: list[str]
) -> tuple[npt.NDArray[np.object_], _I64]:
    """All ids (sorted) and, per id, the position of its component's smallest id."""
    sides = np.array(left + right, dtype=object)
    names = np.unique(np.concatenate([ids.astype(object), sides]))
    ends = np.searchsorted(names, sides)
    root = _components(len(names), ends[: len(left)], ends[len(left) :])
    return names, root


def alias_map(aliases: Iterable[tuple[str, str]] | dict[str, str]) -> dict[str, str]:
    """Each id named in the alias pairs, mapped to its person's id (the smallest id of its
    connected component).

    >>> alias_map([("cookie-9", "user-1"), ("device-4", "cookie-9"), ("b", "a")])
    {'a': 'a', 'b': 'a', 'cookie-9': 'cookie-9', 'device-4': 'cookie-9', 'user-1': 'cookie-9'}
    """
    left, right = _pairs(aliases)
    names, root = _resolve(np.zeros(0, dtype=object), left, right)
    return dict(zip(names.tolist(), names[root].tolist(), strict=True))


def stitch(log: EventLog, aliases: Iterable[tuple[str, str]] | dict[str, str]) -> EventLog:
    """A log where the journeys of one person are one journey, named by its smallest id.

    ``aliases`` are pairs of ids known to be the same person (or a mapping
    alias -> id); ids in them need not be in the log, and chains
    (a ~ b, b ~ c) merge transitively. The merged journey keeps every event,
    in time order; events at the same instant keep the order of the original
    journeys' ids, then their order in them (the stitched log's ``rows`` are
    the events' positions in ``log``). The result depends only on the set of
    pairs, never on their order or on how the data was split, so a funnel of
    the stitched log counts each person once.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "cookie-9", "timestamp": 0, "stage": "visit"},
    ...     {"journey_id": "user-1", "timestamp": 60, "stage": "trial"},
    ...     {"journey_id": "other", "timestamp": 0, "stage": "visit"}])
    >>> one = stitch(log, [("user-1", "cookie-9")])
    >>> one.journey_ids.tolist(), one.journey("cookie-9").stages
    (['cookie-9', 'other'], ('visit', 'trial'))
    """
    from ._ingest import _compact
    from ._log import EventLog

    left, right = _pairs(aliases)
    if not left:
        return log
    names, root = _resolve(log.journey_ids, left, right)
    person = root[np.searchsorted(names, log.journey_ids)]  # per journey, its person's id
    used, code_of_journey = np.unique(person, return_inverse=True)
    new_ids = names[used]
    journey_codes = code_of_journey.reshape(-1)[log.event_journey]
    cats = {f: _compact(c, names) for f, (c, names) in log._categorical().items()}
    return EventLog._from_unsorted(
        journey_codes=journey_codes,
        journey_ids=new_ids.tolist(),
        timestamps=log.timestamps,
        categorical=cats,
        converted=log.converted,
        value=log.values,
        cost=log.costs,
        rows=np.arange(log.n_events, dtype=np.int64),
        rows_read=log.n_events,
        source=log.source,
    )

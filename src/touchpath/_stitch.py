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
    from ._log import EventLog

    left, right = _pairs(aliases)
    if not left:
        return log
    # union-find over the ids named in pairs only: every other journey is its own person
    names, root = _resolve(np.zeros(0, dtype=object), left, right)
    ids = log.journey_ids
    n, k = len(ids), len(names)
    # where each named id sits among the log's (sorted) ids: k log n string comparisons
    at = np.searchsorted(ids, names)
    in_log = at < n
    in_log[in_log] = ids[at[in_log]] == names[in_log]
    # a sortable integer key per person: a log id j is 2j+1, an id the log lacks that sorts
    # just before log id p is 2p, ties among those broken by their rank among the names
    slot = np.where(in_log, 2 * at + 1, 2 * at).astype(np.int64)
    name_key = slot * (k + 1) + np.where(in_log, 0, np.arange(k))
    own_key = (2 * np.arange(n, dtype=np.int64) + 1) * (k + 1)
    key = own_key.copy()
    key[at[in_log]] = name_key[root][in_log]  # a named journey takes its person's key
    used, code_of_journey = np.unique(key, return_inverse=True)
    label = np.empty(len(used), dtype=object)
    own = key == own_key  # journeys that name their person (alone, or the smallest id)
    label[np.searchsorted(used, key[own])] = ids[own]
    lacking = ~in_log & (root == np.arange(k))  # persons named by an id the log lacks
    where = np.searchsorted(used, name_key[lacking])
    hit = where < len(used)
    hit[hit] = used[where[hit]] == name_key[lacking][hit]
    label[where[hit]] = names[lacking][hit]
    code = code_of_journey.reshape(-1)
    order = _merged_order(log, code, np.bincount(code, minlength=len(used)) > 1)
    cats = {f: (c[order], names_) for f, (c, names_) in log._categorical().items()}
    return EventLog._from_unsorted(
        journey_codes=code[log.event_journey][order],
        journey_ids=label.tolist(),
        timestamps=log.timestamps[order],
        categorical=cats,
        converted=log.converted[order],
        value=log.values[order],
        cost=log.costs[order],
        impression=log.impressions[order],
        rows=order,
        rows_read=log.n_events,
        source=log.source,
        copy=False,
    )


def _merged_order(log: EventLog, code: _I64, merged: npt.NDArray[np.bool_]) -> _I64:
    """The events in stitched order: by person, then time, then position in ``log``.

    Events of journeys that merged with none keep their place relative to each
    other; only the merged persons' events are sorted, then the two runs are
    merged (a stable sort of two sorted runs: linear work).
    """
    event_code = code[log.event_journey]
    moved = merged[event_code]
    alone = np.flatnonzero(~moved)
    mixed = np.flatnonzero(moved)
    if len(mixed):
        mixed = mixed[np.lexsort((mixed, log.timestamps[mixed], event_code[mixed]))]
    both = np.concatenate([alone, mixed])
    return both[np.argsort(event_code[both], kind="stable")].astype(np.int64)

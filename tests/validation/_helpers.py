"""Shared helpers for the validation tests: small maps, compact log building, a reference.

The reference (``reference_*``) re-derives what the vectorised rules compute with plain
Python loops over each journey and a breadth-first search over the map's declared edges,
never using the map's distance or edge matrices, so tests compare two independent
implementations.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from touchpath import EventLog, JourneyMap
from touchpath.testing import START, journey_log

T0 = START


def ev(hours: float, stage: str | None = None, **fields: Any) -> dict[str, Any]:
    """One event ``hours`` after ``START`` (a channel is added when there is no stage), in
    :func:`touchpath.testing.journey_log`'s dialect."""
    record: dict[str, Any] = {"at": dt.timedelta(hours=hours), "stage": stage}
    if stage is None and "touchpoint" not in fields and "channel" not in fields:
        record["channel"] = "web"
    record.update(fields)
    return record


def log_of(journeys: Mapping[str, Sequence[Mapping[str, Any]]]) -> EventLog:
    """A log of journeys given as lists of ``ev(...)`` records, in input order."""
    return journey_log(journeys)


def stages_log(journeys: Mapping[str, Sequence[str | None]]) -> EventLog:
    """A log where each journey is a list of stages (None: an event without a stage), hourly."""
    return log_of({jid: [ev(h, s) for h, s in enumerate(seq)] for jid, seq in journeys.items()})


def linear(*stage_ids: str, loop_backs: Iterable[tuple[str, str]] = ()) -> JourneyMap:
    """A map with forward edges along the stages and the given loop-backs."""
    b = JourneyMap.builder("m")
    for s in stage_ids:
        b.stage(s)
    b.path(*stage_ids)
    for src, dst in loop_backs:
        b.loop_back(src, dst)
    return b.build()


def diamond() -> JourneyMap:
    """a -> b -> d and a -> c -> d; b and c are on different branches; d -> a is a loop-back."""
    return (
        JourneyMap.builder("diamond")
        .stage("a")
        .stage("b")
        .stage("c")
        .stage("d")
        .path("a", "b", "d")
        .path("a", "c", "d")
        .loop_back("d", "a")
        .build()
    )


# -- reference implementation ---------------------------------------------------------------


def forward_distance(m: JourneyMap, source: str, target: str) -> int | None:
    """Fewest forward edges from source to target, by breadth-first search over ``m.edges``."""
    succ: dict[str, list[str]] = {}
    for e in m.edges:
        if not e.is_loop_back:
            succ.setdefault(e.source, []).append(e.target)
    seen = {source: 0}
    queue = deque([source])
    while queue:
        cur = queue.popleft()
        for nxt in succ.get(cur, []):
            if nxt not in seen:
                seen[nxt] = seen[cur] + 1
                queue.append(nxt)
    return seen.get(target)


def classify(m: JourneyMap, a: str, b: str) -> str:
    """The kind of the move a -> b: forward, loop_back, skip, regression, sideways, unknown."""
    if a not in m or b not in m:
        return "unknown"
    for e in m.edges:
        if (e.source, e.target) == (a, b):
            return "loop_back" if e.is_loop_back else "forward"
    d = forward_distance(m, a, b)
    if d is not None and d >= 2:
        return "skip"
    back = forward_distance(m, b, a)
    if back is not None and back >= 1:
        return "regression"
    return "sideways"


def reference_transitions(
    m: JourneyMap, stages: Sequence[str | None]
) -> list[tuple[int, str, str, str]]:
    """(event index, from, to, kind) of every stage change, skipping events without a stage."""
    out: list[tuple[int, str, str, str]] = []
    previous: str | None = None
    for i, s in enumerate(stages):
        if s is None:
            continue
        if previous is not None and s != previous:
            out.append((i, previous, s, classify(m, previous, s)))
        previous = s
    return out


def reference_violations(
    m: JourneyMap, stages: Sequence[str | None], rule: str, max_skip: int = 0
) -> list[int]:
    """Event indices a structural rule should flag in one journey, by brute force."""
    if rule == "entry":
        staged = [(i, s) for i, s in enumerate(stages) if s is not None]
        if staged and staged[0][1] not in m.entry_stages:
            return [staged[0][0]]
        return []
    if rule == "known":
        out = []
        previous: str | None = None
        for i, s in enumerate(stages):
            if s is None:
                continue
            if s not in m and s != previous:
                out.append(i)
            previous = s
        return out
    moves = reference_transitions(m, stages)
    if rule == "allowed":
        return [i for i, _, _, k in moves if k in ("skip", "regression", "sideways")]
    if rule == "regression":
        return [i for i, _, _, k in moves if k == "regression"]
    if rule == "skip":
        return [
            i
            for i, a, b, k in moves
            if k == "skip" and (forward_distance(m, a, b) or 0) - 1 > max_skip
        ]
    raise ValueError(rule)

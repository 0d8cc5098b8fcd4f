"""Helpers shared by the benchmark scripts (run as ``python benchmarks/bench_<topic>.py``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchpath import templates

__all__ = ["StageWalks", "best_of", "best_time", "stage_walks"]


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs, in seconds, and the last result."""
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def best_time(repeat: int, fn: Callable[[], object]) -> float:
    """Best wall time of ``repeat`` runs, in seconds."""
    return best_of(repeat, fn)[0]


@attrs.frozen
class StageWalks:
    """The columns of random stage walks, before each script adds its own extras."""

    n: int
    lengths: npt.NDArray[np.int64]
    journey: npt.NDArray[np.int64]
    offsets: npt.NDArray[np.int64]
    stage_codes: npt.NDArray[np.int32]
    stages: tuple[str, ...]
    touchpoints: tuple[str, ...]
    channels: tuple[str, ...]
    timestamps: npt.NDArray[np.int64]


def stage_walks(
    rng: np.random.Generator,
    n_journeys: int,
    *,
    min_length: int,
    max_length: int,
    steps: tuple[int, ...],
    probabilities: tuple[float, ...],
    stageless: float = 0.0,
) -> StageWalks:
    """Random walks through the pay-per-call map's stages, vectorised.

    Each event moves by one of ``steps`` stages (with ``probabilities``) from
    the previous one, clipped to the map; a share ``stageless`` of events
    carries no stage; gaps between events are exponential with a 2-day mean.
    """
    m = templates.get("pay_per_call_marketplace")
    stage_order = m.stage_ids
    lengths = rng.integers(min_length, max_length + 1, size=n_journeys)
    n = int(lengths.sum())
    journey = np.repeat(np.arange(n_journeys, dtype=np.int64), lengths)
    offsets = np.zeros(n_journeys + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    move = rng.choice(np.array(steps), size=n, p=list(probabilities))
    move[offsets[:-1]] = 0
    walk = np.cumsum(move)
    walk -= np.repeat(walk[offsets[:-1]], lengths)
    level = np.clip(walk, 0, len(stage_order) - 1)
    sorted_stages = tuple(sorted(stage_order))
    rank = {s: i for i, s in enumerate(sorted_stages)}
    to_code = np.array([rank[s] for s in stage_order], dtype=np.int32)
    stage_codes = to_code[level]
    if stageless:
        stage_codes[rng.random(n) < stageless] = -1
    start = rng.integers(1_704_067_200, 1_735_689_600, size=n_journeys) * 1_000_000
    gaps = rng.exponential(2 * 86400e6, size=n).astype(np.int64)
    gaps[offsets[:-1]] = 0
    ts = np.cumsum(gaps)
    ts = ts - np.repeat(ts[offsets[:-1]], lengths) + np.repeat(start, lengths)
    return StageWalks(
        n=n,
        lengths=lengths,
        journey=journey,
        offsets=offsets,
        stage_codes=stage_codes,
        stages=sorted_stages,
        touchpoints=tuple(sorted(t.id for t in m.touchpoints)),
        channels=tuple(sorted({t.channel.id for t in m.touchpoints})),
        timestamps=ts,
    )

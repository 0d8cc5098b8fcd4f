"""``check_attribution_model``: the invariants every attribution model must keep.

Runs on random logs made with numpy (no Hypothesis needed), or on logs you
pass, and raises one ``AssertionError`` listing every broken invariant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import numpy as np

from .._log import EventLog
from .._paths import PathCounts
from ..attribution._attribute import attribute
from ..attribution._result import AttributionResult
from ..exceptions import UnsupportedInputError
from ..typing import AttributionModel

__all__ = ["check_attribution_model", "random_log_records"]

_CHANNELS: Final = ("ads", "direct", "email", "search", "social")
_STAGES: Final = ("awareness", "lead", "opportunity", "decision")


def random_log_records(
    rng: np.random.Generator,
    *,
    journeys: int = 12,
    max_events: int = 7,
    ties: bool = False,
) -> list[dict[str, Any]]:
    """Random event records: channels (some missing), stages, conversions, values.

    Values also appear on non-converting events (they must never be
    credited). Without ``ties`` the timestamps within a journey are distinct,
    so the log does not depend on row order.

    >>> recs = random_log_records(np.random.default_rng(0), journeys=3)
    >>> sorted(recs[0])
    ['channel', 'converted', 'journey_id', 'stage', 'timestamp', 'value']
    """
    records: list[dict[str, Any]] = []
    for j in range(journeys):
        n = int(rng.integers(1, max_events + 1))
        if ties:
            times = np.sort(rng.integers(0, 4, n))
        else:
            times = np.sort(rng.choice(10 * max_events, n, replace=False))
        for t in times.tolist():
            channel = None if rng.random() < 0.15 else _CHANNELS[int(rng.integers(len(_CHANNELS)))]
            stage = None if rng.random() < 0.3 else _STAGES[int(rng.integers(len(_STAGES)))]
            if channel is None and stage is None:
                stage = _STAGES[0]  # an event needs a touchpoint, channel or stage
            records.append(
                {
                    "journey_id": f"j{j}",
                    "timestamp": 1_700_000_000 + 3600 * int(t),
                    "channel": channel,
                    "stage": stage,
                    "converted": bool(rng.random() < 0.3),
                    "value": float(rng.integers(0, 5)) * 10.0,
                }
            )
    return records


def _close(a: Any, b: Any, rtol: float) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = max(float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)), 1.0)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= rtol * scale))


def _same(r1: AttributionResult, r2: AttributionResult, rtol: float) -> bool:
    c1, c2 = r1.credits(), r2.credits()
    v1, v2 = r1.credits(value=True), r2.credits(value=True)
    keys = sorted(set(c1) | set(c2))
    return (
        _close([c1.get(k, 0.0) for k in keys], [c2.get(k, 0.0) for k in keys], rtol)
        and _close([v1.get(k, 0.0) for k in keys], [v2.get(k, 0.0) for k in keys], rtol)
        and _close(r1.unattributed, r2.unattributed, rtol)
    )


def _check_log(model: AttributionModel, log: EventLog, rtol: float, name: str) -> list[str]:
    problems: list[str] = []
    conv_events = log.converted
    total_conv = float(np.count_nonzero(conv_events))
    total_value = float(log.values[conv_events].sum())
    result = attribute(log, model)
    paths = result.paths
    assert paths is not None
    # 1. credits + unattributed add up to every conversion and all converting value
    if not _close(result.conversions.sum() + result.unattributed, total_conv, rtol):
        problems.append(
            f"{name}: credits {result.conversions.sum()} + unattributed {result.unattributed} "
            f"!= conversions {total_conv}"
        )
    if not _close(result.values.sum() + result.unattributed_value, total_value, rtol):
        problems.append(
            f"{name}: value credits {result.values.sum()} + unattributed "
            f"{result.unattributed_value} != converting value {total_value}"
        )
    # 2. never negative
    if (result.conversions < 0).any() or (result.values < 0).any():
        problems.append(f"{name}: negative credit {result.credits()}")
    # 3. touch shares, where given, sum to 1 on paths with touches
    if result.shares is not None:
        sums = np.bincount(paths.touch_path, result.shares, minlength=paths.n_paths)
        has = paths.lengths > 0
        if not _close(sums[has], np.ones(int(has.sum())), rtol) or (result.shares < 0).any():
            problems.append(f"{name}: touch shares are negative or do not sum to 1 per path")
    # 4. explain() of each journey sums to its conversions and value; non-converting: nothing
    for j, jid in enumerate(log.journey_ids.tolist()):
        a, b = int(log.offsets[j]), int(log.offsets[j + 1])
        conv = log.converted[a:b]
        want = (float(conv.sum()), float(log.values[a:b][conv].sum()))
        entries = result.explain(jid)
        got = (sum(e.conversions for e in entries), sum(e.value for e in entries))
        if not (_close(got[0], want[0], rtol) and _close(got[1], want[1], rtol)):
            problems.append(f"{name}: explain({jid!r}) sums to {got}, journey has {want}")
        if any(e.conversions < 0 or e.value < 0 for e in entries):
            problems.append(f"{name}: explain({jid!r}) has negative credit")
    # 5. value on non-converting events is never credited
    zeroed = log.to_records()
    for rec in zeroed:
        if not rec["converted"]:
            rec["value"] = 0.0
    if not _same(attribute(EventLog.from_records(zeroed), model), result, rtol):
        problems.append(f"{name}: value on non-converting events changed the credits")
    # 6. deterministic
    again = attribute(log, model)
    if not (
        np.array_equal(again.conversions, result.conversions)
        and np.array_equal(again.values, result.values)
    ):
        problems.append(f"{name}: two runs on the same log differ")
    # 7. row order does not matter (the log has no timestamp ties)
    if log.ties == 0 and log.n_events > 1:
        records = log.to_records()
        order = np.random.default_rng(len(records)).permutation(len(records))
        shuffled = EventLog.from_records([records[i] for i in order.tolist()])
        if not _same(attribute(shuffled, model), result, rtol):
            problems.append(f"{name}: shuffling the input rows changed the credits")
    # 8. path counts: the same answer as the log, and merging two halves' counts == whole
    try:
        counted = attribute(PathCounts.from_log(log), model)
    except UnsupportedInputError:
        counted = None  # the model needs timestamps or stages: logs only
    if counted is not None and len(log) > 1:
        if not _same(counted, result, rtol):
            problems.append(f"{name}: PathCounts.from_log(log) gives other credits than the log")
        half = np.zeros(len(log), dtype=np.bool_)
        half[: len(log) // 2] = True
        merged = PathCounts.from_log(log.select(half)) + PathCounts.from_log(log.select(~half))
        if not _same(attribute(merged, model), counted, rtol):
            problems.append(f"{name}: merging two halves' path counts changed the credits")
    # 9. per-path models: dropping the non-converting journeys changes nothing
    if getattr(model, "per_path", False) and log.journey_converted.any():
        kept = attribute(log.select(log.journey_converted), model)
        if not _same(kept, result, rtol):
            problems.append(f"{name}: non-converting journeys changed a per-path model's credits")
    return problems


def check_attribution_model(
    model: AttributionModel,
    *,
    logs: Iterable[EventLog] | None = None,
    n_logs: int = 25,
    seed: int = 0,
    rtol: float = 1e-9,
) -> None:
    """Check a model against the invariants every attribution model must keep.

    On each log (``logs``, or ``n_logs`` random ones): credits plus
    unattributed sum to all conversions and all converting value (relative
    error ``rtol``); nothing is negative; touch shares sum to 1 per path;
    ``explain()`` of every journey sums to its conversions and value (zero for
    a journey that does not convert); value on non-converting events is never
    credited; the output is deterministic and independent of input row order;
    path counts give the same credits as the log, also when merged from two
    halves; per-path models ignore non-converting journeys. Raises one
    ``AssertionError`` listing every broken invariant.

    >>> from touchpath.attribution import Linear, Markov
    >>> check_attribution_model(Linear(), n_logs=3)
    >>> check_attribution_model(Markov(), n_logs=3)
    """
    if not isinstance(model, AttributionModel):
        raise TypeError(
            f"{model!r} does not implement the AttributionModel protocol (a credit(paths) method)"
        )
    if logs is None:
        rng = np.random.default_rng(seed)
        chosen: Sequence[EventLog] = [
            EventLog.from_records(random_log_records(rng, ties=bool(i % 3 == 2)))
            for i in range(n_logs)
        ]
    else:
        chosen = list(logs)
    problems: list[str] = []
    for i, log in enumerate(chosen):
        problems.extend(_check_log(model, log, rtol, f"log {i}"))
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise AssertionError(f"{model!r} breaks attribution invariants:\n  {shown}{more}")

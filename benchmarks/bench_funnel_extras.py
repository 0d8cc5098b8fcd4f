"""Benchmark of the funnel extensions, rate statistics and identity stitching.

On the metrics benchmark's own synthetic log (1M journeys by default,
``--quick`` for 50k; stage walks through ``pay_per_call_marketplace`` with a
segment per journey) times: the plain sequential funnel (for reference), an
exclusion step, several-id steps, ``order="open"``, ``count="attempts"``,
``repeats="break"``, weekly trends, drop-off paths, ``compare_segments`` and
Wilson / Clopper-Pearson intervals of every step, and ``stitch`` with alias
pairs merging a tenth of the journeys into pairs.

    .venv/bin/python benchmarks/bench_funnel_extras.py [--quick] [--journeys N] [--repeat R]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import best_time
from bench_metrics import synthetic_log

from touchpath import stitch, templates
from touchpath.metrics import (
    Exclusion,
    compare_segments,
    dropoff_paths,
    funnel,
    funnel_trends,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--journeys", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    n = args.journeys or (50_000 if args.quick else 1_000_000)
    log = synthetic_log(n)
    m = templates.get("pay_per_call_marketplace")
    steps = list(m.stage_ids[:4])
    print(f"{len(log):,} journeys, {log.n_events:,} events; steps {steps}\n")
    print("| what | time | events/s |")
    print("|---|---|---|")
    by_segment = funnel(log, steps, breakdown="segment")
    ids = log.journey_ids
    rng = np.random.default_rng(3)
    pick = rng.choice(len(ids), size=len(ids) // 10, replace=False)
    pairs = list(zip(ids[pick[::2]].tolist(), ids[pick[1::2]].tolist(), strict=False))
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("funnel, sequential (reference)", lambda: funnel(log, steps)),
        (
            "funnel, exclusion step",
            lambda: funnel(log, steps, exclusions=[Exclusion(m.stage_ids[5], after=0, before=3)]),
        ),
        ("funnel, several-id steps", lambda: funnel(log, [steps[0], tuple(steps[1:3]), steps[3]])),
        ("funnel, order='open'", lambda: funnel(log, steps, order="open")),
        ("funnel, count='attempts'", lambda: funnel(log, steps, count="attempts")),
        (
            "funnel, strict, repeats='break'",
            lambda: funnel(log, steps, order="strict", repeats="break"),
        ),
        ("funnel_trends, weekly", lambda: funnel_trends(log, steps, period="week")),
        ("dropoff_paths, 3 next moves", lambda: dropoff_paths(log, steps, step=1, moves=3)),
        ("compare_segments (funnel by segment given)", lambda: compare_segments(by_segment)),
        (
            "Clopper-Pearson interval of every step",
            lambda: [
                s.conversion_from_previous.interval("clopper-pearson") for s in by_segment.steps
            ],
        ),
        (f"stitch, {len(pairs):,} alias pairs", lambda: stitch(log, pairs)),
    ]
    for name, fn in cases:
        seconds = best_time(args.repeat, fn)
        print(f"| {name} | {seconds:.2f} s | {log.n_events / seconds:,.0f} |")


if __name__ == "__main__":
    main()

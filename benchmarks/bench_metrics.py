"""Benchmark of touchpath.metrics: funnels, transitions, timing, retention and path views.

Runs each metric on a synthetic log (1M journeys by default, ``--quick``
for 50k) and prints a table of wall time and throughput in events per
second. The log is ``touchpath.datasets.synthetic`` on the
``pay_per_call_marketplace`` map; ``--own-generator`` uses a simpler
vectorised generator of this script instead (stage random walks with
loop-backs, about 10 events per journey).

    .venv/bin/python benchmarks/bench_metrics.py [--quick] [--journeys N] [--repeat R]

The machine is shared, so numbers are noisy: the best of ``--repeat`` runs is
reported.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import best_time, stage_walks

from touchpath import EventLog, Field, templates
from touchpath.metrics import (
    dwell_times,
    funnel,
    path_flow,
    retention,
    step_matrix,
    time_between,
    top_paths,
    transition_graph,
)


def synthetic_log(n_journeys: int, seed: int = 7) -> EventLog:
    """A log of random stage walks through the pay-per-call map (vectorised generator)."""
    rng = np.random.default_rng(seed)
    walks = stage_walks(
        rng,
        n_journeys,
        min_length=1,
        max_length=19,
        steps=(0, 1, -1),
        probabilities=(0.45, 0.45, 0.10),
    )
    n, lengths, journey = walks.n, walks.lengths, walks.journey
    stage_codes, sorted_stages, ts = walks.stage_codes, walks.stages, walks.timestamps
    tps, chans = walks.touchpoints, walks.channels
    converted = rng.random(n) < 0.03
    segments = ("enterprise", "mid_market", "smb")
    cats: dict[Field, tuple[Any, tuple[str, ...]]] = {
        Field.STAGE: (stage_codes, sorted_stages),
        Field.TOUCHPOINT: (rng.integers(0, len(tps), n).astype(np.int32), tps),
        Field.CHANNEL: (rng.integers(0, len(chans), n).astype(np.int32), chans),
        Field.CAMPAIGN: (np.full(n, -1, np.int32), ()),
        Field.SEGMENT: (
            np.repeat(rng.integers(0, 3, n_journeys).astype(np.int32), lengths),
            segments,
        ),
        Field.ACCOUNT: (np.full(n, -1, np.int32), ()),
    }
    width = len(str(n_journeys))
    return EventLog._from_unsorted(
        journey_codes=journey,
        journey_ids=[f"j{i:0{width}d}" for i in range(n_journeys)],
        timestamps=ts,
        categorical=cats,
        converted=converted,
        value=np.where(converted, 100.0, 0.0),
        cost=np.zeros(n),
        rows=np.arange(n, dtype=np.int64),
    )


def make_log(n_journeys: int, own: bool) -> tuple[EventLog, str]:
    """The synthetic log of ``touchpath.datasets`` (or of this script with ``own``)."""
    if own:
        return synthetic_log(n_journeys), "bench_metrics generator"
    from touchpath import datasets

    m = templates.get("pay_per_call_marketplace")
    return datasets.synthetic(m, n_journeys, seed=7), "touchpath.datasets.synthetic"


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run every case, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="50k journeys instead of 1M")
    parser.add_argument("--journeys", type=int, default=None, help="number of journeys")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (best is kept)")
    parser.add_argument(
        "--own-generator", action="store_true", help="use this script's generator for the log"
    )
    args = parser.parse_args(argv)
    n_journeys = args.journeys or (50_000 if args.quick else 1_000_000)
    t0 = time.perf_counter()
    log, source = make_log(n_journeys, args.own_generator)
    built = time.perf_counter() - t0
    m = templates.get("pay_per_call_marketplace")
    stages = list(m.stage_ids)
    touchpoints = ["google_ads", "trial_signup", "single_page_signup"]
    print(f"log: {len(log):,} journeys, {log.n_events:,} events ({source}, built in {built:.1f} s)")
    cases: list[tuple[str, Callable[[], object]]] = [
        ("funnel sequential, 8 stages", lambda: funnel(log, journey_map=m)),
        ("funnel sequential, window 30 days", lambda: funnel(log, stages, window="30 days")),
        ("funnel strict, 8 stages", lambda: funnel(log, stages, order="strict")),
        ("funnel any order, 8 stages", lambda: funnel(log, stages, order="any")),
        ("funnel by segment", lambda: funnel(log, stages, breakdown=Field.SEGMENT)),
        ("funnel accounts", lambda: funnel(log, stages, count="accounts")),
        ("funnel touchpoints, 3 steps", lambda: funnel(log, touchpoints, level="touchpoint")),
        ("transition_graph stage", lambda: transition_graph(log)),
        ("transition_graph touchpoint", lambda: transition_graph(log, level="touchpoint")),
        ("dwell_times", lambda: dwell_times(log)),
        (
            "time_between onboarding->activation",
            lambda: time_between(log, "onboarding", "activation", window="24 hours"),
        ),
        ("retention weekly", lambda: retention(log, period="week")),
        ("path_flow stage, 5 steps", lambda: path_flow(log)),
        ("path_flow touchpoint, 5 steps", lambda: path_flow(log, level="touchpoint")),
        ("step_matrix stage, 10 steps", lambda: step_matrix(log)),
        ("top_paths channel", lambda: top_paths(log)),
    ]
    print(f"{'case':<40} {'seconds':>9} {'M events/s':>11}")
    for name, fn in cases:
        seconds = best_time(args.repeat, fn)
        rate = log.n_events / seconds / 1e6
        print(f"{name:<40} {seconds:>9.3f} {rate:>11.1f}")


if __name__ == "__main__":
    main()

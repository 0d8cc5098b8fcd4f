"""Speed of the models beyond the peers: ordered Shapley, fractribution, order selection, survival.

Run ``.venv/bin/python benchmarks/bench_attribution_models.py`` (1,000,000 journeys, 8 channels,
the data of ``bench_attribution.py``) or with ``--quick`` (50,000 journeys). Times are the best
of a few runs on one core (BLAS threads pinned to 1 before numpy loads). The targets: ordered
Shapley and fractribution within 2x of the unordered Shapley, order selection up to order 4 under
5 s, survival under 30 s.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import time
from collections.abc import Callable
from typing import Any

from _common import best_of
from bench_attribution import make_log

from touchpath.attribution import (
    Exposure,
    Fractribution,
    Linear,
    Markov,
    OrderedShapley,
    PathCounts,
    Shapley,
    Survival,
    attribute,
    breakdown,
    select_order,
    sequence_removal_effect,
    transform_paths,
)


def main(argv: list[str] | None = None) -> None:
    """Time each model on the log and on its path counts, print one table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="50,000 journeys")
    parser.add_argument("--journeys", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    n = args.journeys or (50_000 if args.quick else 1_000_000)

    t = time.perf_counter()
    log = make_log(n, args.seed)
    print(f"data: {log!r} built in {time.perf_counter() - t:.1f} s")
    counts = PathCounts.from_log(log)
    print(f"{len(counts):,} distinct paths, {len(log.channel_ids)} channels")
    a, b = log.channel_ids[0], log.channel_ids[1]

    tasks: dict[str, tuple[Callable[[], Any], Callable[[], Any] | None]] = {
        "Shapley (reference)": (
            lambda: attribute(log, Shapley()),
            lambda: attribute(counts, Shapley()),
        ),
        "OrderedShapley": (
            lambda: attribute(log, OrderedShapley()),
            lambda: attribute(counts, OrderedShapley()),
        ),
        "Fractribution": (
            lambda: attribute(log, Fractribution()),
            lambda: attribute(counts, Fractribution()),
        ),
        "select_order(max 4, BIC)": (
            lambda: select_order(log, max_order=4, folds=0),
            lambda: select_order(counts, max_order=4, folds=0),
        ),
        "select_order(max 4, 5-fold)": (
            lambda: select_order(log, max_order=4, folds=5),
            lambda: select_order(counts, max_order=4, folds=5),
        ),
        "Survival": (lambda: attribute(log, Survival()), None),
        f"sequence {a} > {b} (order 1)": (
            lambda: sequence_removal_effect(log, [a, b]),
            lambda: sequence_removal_effect(Markov().counts(counts), [a, b]),
        ),
        "transform_paths(Exposure)": (
            lambda: transform_paths(log, Exposure()),
            lambda: transform_paths(counts, Exposure()),
        ),
        "breakdown(Linear, segment)": (lambda: breakdown(attribute(log, Linear())), None),
    }
    rows = []
    for label, (on_log, on_counts) in tasks.items():
        t_log, _ = best_of(args.repeat, on_log)
        t_pc = best_of(args.repeat, on_counts)[0] if on_counts is not None else None
        rows.append((label, t_log, t_pc))
        print(f"  {label}: {t_log:.2f} s", flush=True)
    ref_log, ref_pc = rows[0][1], rows[0][2]
    print()
    print(f"{n:,} journeys, {log.n_events:,} events; best of {args.repeat}; one core")
    header = f"{'task':34} {'log s':>8} {'x Shapley':>10} {'counts s':>9} {'x Shapley':>10}"
    print(header)
    print("-" * len(header))
    for label, t_log, t_pc in rows:
        line = f"{label:34} {t_log:8.2f} {t_log / ref_log:9.2f}x "
        if t_pc is not None and ref_pc:
            line += f"{t_pc:9.3f} {t_pc / ref_pc:9.2f}x"
        else:
            line += f"{'-':>9} {'-':>10}"
        print(line)


if __name__ == "__main__":
    main()

"""Maps of any size: load, lint and validate against maps of 1,000 to 100,000 stages.

Run ``python benchmarks/bench_map_scale.py`` (or ``--quick``: up to 10,000 stages).
Each map is a line of stages with one loop-back from the last to the first,
given as a JSON document; the log is 1,000 journeys of 5 moves each (forward
steps, skips, a regression; one in ten also jumps to the last stage and takes
the loop-back). A skip costs a search over the stages it jumps over. Times are CPU seconds; the
peak is tracemalloc's for that step alone, beside the size one stages x
stages int8 table would take (what validation allocated before).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from touchpath import EventLog, JourneyMap
from touchpath.validation import validate


def chain_json(n: int) -> str:
    """A line of ``n`` stages with one loop-back edge, as JSON text."""
    ids = [f"s{i:06d}" for i in range(n)]
    edges: list[dict[str, str]] = [{"source": a, "target": b} for a, b in itertools.pairwise(ids)]
    edges.append({"source": ids[-1], "target": ids[0], "kind": "loop_back"})
    return json.dumps({"name": "chain", "stages": [{"id": s} for s in ids], "edges": edges})


def walks(n: int, journeys: int) -> EventLog:
    """Journeys stepping forward, skipping, moving back along the line; one in ten loops back."""
    records: list[dict[str, Any]] = []
    for j in range(journeys):
        base = (j * 7) % (n - 20)
        steps = [base, base + 1, base + 4, base + 3, base + 9, base + 12]
        if j % 10 == 0:
            steps += [n - 1, 0]
        for k, stage in enumerate(steps):
            records.append({"journey_id": f"j{j}", "timestamp": k, "stage": f"s{stage:06d}"})
    return EventLog.from_records(records)


def measured(fn: Callable[[], Any]) -> tuple[float, int, Any]:
    """CPU seconds and tracemalloc peak bytes of one call."""
    tracemalloc.start()
    start = time.process_time()
    try:
        out = fn()
        elapsed = time.process_time() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return elapsed, peak, out


def main(argv: list[str] | None = None) -> None:
    """Print one row per map size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="up to 10,000 stages")
    args = parser.parse_args(argv)
    sizes = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
    print(
        f"{'stages':>8} {'load s':>7} {'lint s':>7} {'validate s':>10} {'peak MB':>8} "
        f"{'n^2 table MB':>12}"
    )
    for n in sizes:
        text = chain_json(n)
        log = walks(n, 1000)
        start = time.process_time()
        m = JourneyMap.from_json(text)
        t_load = time.process_time() - start
        start = time.process_time()
        m.lint()
        t_lint = time.process_time() - start
        t_val, peak, _ = measured(functools.partial(validate, log, m))
        assert m._dist is None
        print(
            f"{n:8,} {t_load:7.3f} {t_lint:7.3f} {t_val:10.3f} {peak / 1e6:8.1f} "
            f"{n * n / 1e6:12,.0f}"
        )


if __name__ == "__main__":
    main()

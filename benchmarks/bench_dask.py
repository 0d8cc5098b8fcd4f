"""Benchmark of touchpath.dask: one process versus a local two-worker Dask cluster.

The data is ``touchpath.datasets.synthetic`` on the ``pay_per_call_marketplace``
map (1M journeys, about 5M events, by default; ``--quick`` for 50k), as a
pandas DataFrame with text journey and account ids. Each task is timed

* in one process: ``EventLog.from_pandas(df)`` then the ordinary function
  (reading the frame is part of the work, as it is for the workers);
* on a ``LocalCluster`` of ``--workers`` single-threaded worker processes,
  with the frame already held by the workers (``client.persist``, as if read
  from Parquet there), both as it comes (touchpath shuffles it by journey)
  and partitioned by journey id ranges (``partitioned_by_journey=True``:
  no shuffle, the promise is checked).

The distributed results are checked against the single-process ones. The
machine is shared with other work, so timings are noisy: the best of
``--repeat`` runs is reported.

    .venv/bin/python benchmarks/bench_dask.py [--quick] [--journeys N] [--partitions P]
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from _common import best_of

from touchpath import EventLog, datasets, templates
from touchpath import attribution as A
from touchpath import metrics as M
from touchpath import validation as V

MAP = templates.get("pay_per_call_marketplace")
STEPS = ["awareness", "consideration", "decision", "onboarding"]


def same(a: Any, b: Any) -> bool:
    """Whether a distributed result equals the single-process one (credits to 1e-9)."""
    if isinstance(a, A.AttributionResult):
        assert isinstance(b, A.AttributionResult)
        return a.items == b.items and bool(
            np.allclose(a.conversions, b.conversions, rtol=1e-9, atol=1e-9)
            and np.allclose(a.values, b.values, rtol=1e-9, atol=1e-6)
        )
    if isinstance(a, M.FunnelResult):
        assert isinstance(b, M.FunnelResult)
        return a.counts == b.counts
    return bool(a == b)


Single = Callable[[pd.DataFrame], Any]
Distributed = Callable[..., Any]


def tasks() -> list[tuple[str, Single, Distributed]]:
    """(name, single-process function of a frame, distributed function of a Dask frame)."""
    import touchpath.dask as td

    def log(df: pd.DataFrame) -> EventLog:
        return EventLog.from_pandas(df)

    return [
        (
            "attribution: LastTouch",
            lambda df: A.attribute(log(df), A.LastTouch()),
            lambda ddf, **kw: td.attribute(ddf, A.LastTouch(), **kw),
        ),
        (
            "attribution: Markov",
            lambda df: A.attribute(log(df), A.Markov()),
            lambda ddf, **kw: td.attribute(ddf, A.Markov(), **kw),
        ),
        (
            "funnel (30-day window)",
            lambda df: M.funnel(log(df), STEPS, window="30 days"),
            lambda ddf, **kw: td.funnel(ddf, STEPS, window="30 days", **kw),
        ),
        (
            "validation (default rules)",
            lambda df: V.validate(log(df), MAP).counts,
            lambda ddf, **kw: td.validate(ddf, MAP, **kw),
        ),
    ]


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50k journeys, one run each")
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    n = 50_000 if args.quick else args.journeys
    repeat = 1 if args.quick else args.repeat

    import warnings

    import dask.dataframe
    import distributed

    dd: Any = dask.dataframe  # Dask's and distributed's functions are untyped
    dist: Any = distributed
    # the frame is sent to the workers once, inside the graph: fine for a benchmark
    warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)

    # the P2P shuffle logs two WARNING lines per shuffle; they are not problems
    logging.getLogger("distributed.shuffle").setLevel(logging.ERROR)

    start = time.perf_counter()
    synthetic = datasets.synthetic(MAP, n, seed=args.seed)
    df = synthetic.to_pandas().astype({"journey_id": str, "account": str})
    made = time.perf_counter() - start
    print(
        f"{n:,} journeys, {len(df):,} events (generated in {made:.1f} s); "
        f"{args.partitions} partitions, {args.workers} worker processes x 1 thread; "
        f"best of {repeat}"
    )

    single: dict[str, tuple[float, Any]] = {}
    for name, one, _ in tasks():
        single[name] = best_of(repeat, lambda: one(df))  # noqa: B023

    rows = []
    with (
        dist.LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.CRITICAL,  # shutdown chatter of workers and P2P warnings
        ) as cluster,
        dist.Client(cluster) as client,
    ):
        as_is = client.persist(dd.from_pandas(df, npartitions=args.partitions))
        by_id = df.set_index(pd.Index(df["journey_id"], name="jid"))
        ranged = client.persist(dd.from_pandas(by_id, npartitions=args.partitions, sort=True))
        dist.wait([as_is, ranged])
        for name, _, many in tasks():
            t_one, want = single[name]
            t_shuffled, got = best_of(repeat, lambda: many(as_is))  # noqa: B023
            t_ranged, got2 = best_of(
                repeat,
                lambda: many(ranged, partitioned_by_journey=True),  # noqa: B023
            )
            ok = same(got, want) and same(got2, want)
            rows.append((name, t_one, t_shuffled, t_ranged, ok))

    header = (
        f"{'task':<28} {'1 process':>10} {'shuffled':>10} {'speed-up':>9} "
        f"{'by journey':>11} {'speed-up':>9} {'same':>5}"
    )
    print(header)
    print("-" * len(header))
    for name, t_one, t_shuffled, t_ranged, ok in rows:
        print(
            f"{name:<28} {t_one:>9.2f}s {t_shuffled:>9.2f}s {t_one / t_shuffled:>8.2f}x "
            f"{t_ranged:>10.2f}s {t_one / t_ranged:>8.2f}x {'yes' if ok else 'NO':>5}"
        )


if __name__ == "__main__":
    main()

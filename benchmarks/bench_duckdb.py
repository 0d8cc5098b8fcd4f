"""Benchmark: path counts of a Parquet data set larger than the memory DuckDB may use.

Run ``python benchmarks/bench_duckdb.py`` (20,000,000 events, ``memory_limit="500MB"``) or
``--events N --memory-limit 1GB``; ``--in-memory`` also reads the same files into an
EventLog and runs ``PathCounts.from_log`` (needs several GB). The data set is written by
DuckDB itself into a temporary directory: 5 events per journey over 20 channels, 10% of
events converting. Each case runs once in a fresh process (wall time, CPU time and peak
resident set of that process); the tables of both are compared when both run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def write(folder: Path, n_events: int) -> None:
    """Write the synthetic events as Parquet files under ``folder``."""
    import duckdb

    channels = "[" + ", ".join(f"'ch{k:02d}'" for k in range(20)) + "]"
    duckdb.sql(
        f"""COPY (SELECT 'j' || (i // 5)::VARCHAR AS journey_id,
                 TIMESTAMPTZ '2025-01-01 00:00Z'
                   + to_seconds(((i % 5) * 3600 + hash(i) % 600)::BIGINT) AS timestamp,
                 {channels}[1 + (hash(i * 7) % 20)::BIGINT] AS channel,
                 hash(i * 13) % 10 = 0 AS converted,
                 CASE WHEN hash(i * 13) % 10 = 0 THEN (hash(i) % 200)::DOUBLE END AS value
               FROM range({n_events}) t(i))
           TO '{folder}' (FORMAT parquet, PER_THREAD_OUTPUT)"""
    )


def child(case: str, folder: str, memory_limit: str) -> None:
    """Run one case and print its timings as JSON (peak RSS read by the parent)."""
    import touchpath.duckdb as tdb
    from touchpath import PathCounts, read_parquet

    start, cpu = time.perf_counter(), time.process_time()
    if case == "duckdb":
        counts = tdb.path_counts(folder, memory_limit=memory_limit)
    else:
        counts = PathCounts.from_log(read_parquet(folder))
    out = {
        "wall": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "paths": len(counts),
        "conversions": counts.total_conversions,
        "rows": [[*r[0], r[1], r[2]] for r in counts.rows()[:1000]],
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(out))


def run(case: str, folder: Path, memory_limit: str) -> dict[str, float]:
    """One case in a fresh process (which reports its own peak RSS, in MB)."""
    proc = subprocess.run(
        [sys.executable, __file__, "--child", case, str(folder), memory_limit],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        sys.exit(f"{case} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, float] = json.loads(proc.stdout)
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000_000)
    parser.add_argument("--memory-limit", default="500MB")
    parser.add_argument("--in-memory", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "events"
        start = time.perf_counter()
        write(folder, args.events)
        size = sum(p.stat().st_size for p in folder.rglob("*.parquet")) / 2**20
        print(
            f"{args.events:,} events, {size:.0f} MB of Parquet, written in "
            f"{time.perf_counter() - start:.1f} s"
        )
        cases = ["duckdb", *(["in-memory"] if args.in_memory else [])]
        results = {c: run(c, folder, args.memory_limit) for c in cases}
        print(f"{'case':<12} {'wall s':>8} {'cpu s':>8} {'peak RSS MB':>12} {'paths':>10}")
        for case, r in results.items():
            label = f"{case} ({args.memory_limit})" if case == "duckdb" else case
            print(
                f"{label:<12} {r['wall']:8.1f} {r['cpu']:8.1f} {r['rss_mb']:12.0f} "
                f"{int(r['paths']):10,}"
            )
        if len(results) == 2:
            a, b = results.values()
            same = a["rows"] == b["rows"] and a["conversions"] == b["conversions"]
            print("tables equal (first 1,000 rows, total conversions):", same)


if __name__ == "__main__":
    main()

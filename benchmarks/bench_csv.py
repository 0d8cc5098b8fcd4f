"""Benchmark: CSV -> EventLog against polars and pyarrow reading the same file; peak memory.

Run ``python benchmarks/bench_csv.py`` (3.3 M rows, the issue's size) or ``--quick`` (330 k
rows). Prints one table: wall and CPU seconds (best of a few runs; CPU time sums the
threads, so it is steadier on a shared machine), then the peak resident memory each reader
adds in a fresh process, against the size of the finished log (numpy columns plus journey id
strings), for a clean file, a file with one ragged row, and a file with one byte that is not
UTF-8 (which the pyarrow engine hands to the streaming Python reader).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench_eventlog import (
    _peak_and_current,
    _reset_peak,
    array_bytes,
    log_of,
    timed,
    write_csv_fast,
)

from touchpath.io import read_csv


def memory_case(engine: str, path: str) -> dict[str, Any]:
    """Read one file in this (fresh) process; the peak memory the read added."""
    import pyarrow.compute
    import pyarrow.csv  # noqa: F401

    import touchpath.io._frames  # noqa: F401

    _reset_peak()
    _, before = _peak_and_current()
    log = read_csv(path, engine=engine, on_error="collect")  # type: ignore[arg-type]
    peak, _ = _peak_and_current()
    arrays, strings = array_bytes(log)
    return {"added_peak": peak - before, "size": arrays + strings, "rejected": len(log.rejected)}


def _variants(clean: Path) -> dict[str, Path]:
    """The clean file, and copies with one ragged row / one bad byte in the middle."""
    data = clean.read_bytes()
    middle = data.index(b"\n", len(data) // 2) + 1
    ragged = clean.with_name("ragged.csv")
    ragged.write_bytes(
        data[:middle] + b'"jx","2025-01-01T00:00:00Z","only three"\n' + data[middle:]
    )
    bad = clean.with_name("badbyte.csv")
    line_end = data.index(b"\n", middle)
    bad.write_bytes(data[: line_end - 1] + b"\xff" + data[line_end - 1 :])
    return {"clean": clean, "one ragged row": ragged, "one bad byte": bad}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="330k rows instead of 3.3M")
    parser.add_argument("--memory-case", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_case:
        print(json.dumps(memory_case(*args.memory_case)))
        return
    import polars as pl
    import pyarrow.csv as pacsv

    n = 330_000 if args.quick else 3_300_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        base = log_of(n)
        write_csv_fast(base, path)
        rows = base.n_events
        print(f"{rows:,} rows, {len(base):,} journeys, {path.stat().st_size / 1e6:,.0f} MB")
        del base
        table: list[tuple[str, float, float]] = []
        steps: list[tuple[str, Any, int]] = [
            ("polars.read_csv", lambda: pl.read_csv(path), 3),
            (
                "polars.read_csv + sort(journey, time)",
                lambda: pl.read_csv(path).sort(["journey_id", "timestamp"]),
                3,
            ),
            ("pyarrow.csv.read_csv", lambda: pacsv.read_csv(path), 3),
            ("touchpath.read_csv engine=pyarrow", lambda: read_csv(path, engine="pyarrow"), 3),
            ("touchpath.read_csv engine=python", lambda: read_csv(path, engine="python"), 1),
        ]
        for name, fn, repeat in steps:
            wall, cpu, _ = timed(fn, repeat)
            table.append((name, wall, cpu))
        print(f"{'step':40s} {'wall s':>8s} {'CPU s':>8s}")
        for name, wall, cpu in table:
            print(f"{name:40s} {wall:8.3f} {cpu:8.3f}")
        ref_wall, ref_cpu = table[1][1], table[1][2]
        tp_wall, tp_cpu = table[3][1], table[3][2]
        print(
            f"touchpath / (polars read + sort): {tp_wall / ref_wall:.2f}x wall, "
            f"{tp_cpu / ref_cpu:.2f}x CPU"
        )
        print()
        print(f"{'file':16s} {'engine':8s} {'log MB':>8s} {'added peak MB':>14s} {'ratio':>6s}")
        for label, file in _variants(path).items():
            for engine in ("pyarrow", "python"):
                done = subprocess.run(
                    [sys.executable, __file__, "--memory-case", engine, str(file)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                m = json.loads(done.stdout.strip().splitlines()[-1])
                print(
                    f"{label:16s} {engine:8s} {m['size'] / 1e6:8.0f} {m['added_peak'] / 1e6:14.0f} "
                    f"{m['added_peak'] / m['size']:6.2f}"
                )
        print("ratio = added peak / (log's numpy columns + journey id strings); target <= 2")


if __name__ == "__main__":
    main()

"""Benchmark: Parquet -> EventLog against pyarrow (and polars) reading the same file; memory.

Run ``python benchmarks/bench_io.py`` (1,000,000 events; memory at 10,000,000) or add
``--quick`` (100,000; memory at 1,000,000). Two
files of the same synthetic log: one written by ``touchpath.io.write_parquet`` (dictionary
columns, sorted by journey), one with plain string columns in shuffled row order, as an
export from elsewhere would be. Times are the best of a few runs (wall clock and CPU seconds
of every thread); the ratios are in CPU time, against pyarrow's own read and against polars
reading and sorting by journey and time (the issue's baseline for the CSV reader). Memory is
the peak resident set a fresh process adds while reading, against the size of the log's
columns.
"""

from __future__ import annotations

import argparse
import functools
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from bench_eventlog import _peak_and_current, _reset_peak, array_bytes, log_of, timed

from touchpath import read_parquet
from touchpath.io import write_parquet


def plain_table(path: Path, n_events: int) -> None:
    """The log with string columns and rows in random order, written by pyarrow."""
    table = log_of(n_events).to_arrow()
    columns = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_dictionary(col.type):
            col = col.cast(pa.string())
        columns[name] = col
    order = np.random.default_rng(3).permutation(table.num_rows)
    pq.write_table(pa.table(columns).take(pa.array(order)), path)


def polars_sorted(path: Path) -> Any:
    """What an analyst would do without touchpath: read, then sort by journey and time."""
    return pl.read_parquet(path).sort(["journey_id", "timestamp"])


def memory_case(path: str) -> dict[str, Any]:
    """Read one file in this (fresh) process; report the peak memory the read added."""
    import pyarrow.dataset as ds  # code a step imports is not the step's data

    import touchpath.io._stream  # noqa: F401

    _ = (pc.field("x"), ds.ParquetFileFormat())
    _reset_peak()
    _, before = _peak_and_current()
    log = read_parquet(path)
    peak, _ = _peak_and_current()
    arrays, strings = array_bytes(log)
    return {
        "events": log.n_events,
        "added_peak": peak - before,
        "arrays": arrays,
        "strings": strings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--memory-case", default=None)
    args = parser.parse_args()
    if args.memory_case:
        print(json.dumps(memory_case(args.memory_case)))
        return
    n_events = 100_000 if args.quick else 1_000_000
    repeat = 3
    with tempfile.TemporaryDirectory() as tmp:
        own = Path(tmp) / "touchpath.parquet"
        plain = Path(tmp) / "plain.parquet"
        log = log_of(n_events)
        write_parquet(log, own)
        plain_table(plain, n_events)
        print(f"Parquet -> EventLog, {log.n_events:,} events, {len(log):,} journeys")
        print(
            f"{'file':<25}{'reader':<33}{'wall s':>7}{'cpu s':>7}"
            f"{'cpu/pyarrow':>12}{'cpu/polars+sort':>16}"
        )
        readers: list[tuple[str, Any]] = [
            ("pyarrow.parquet.read_table", pq.read_table),
            ("polars.read_parquet", pl.read_parquet),
            ("polars read + sort(journey, time)", polars_sorted),
            ("touchpath.read_parquet", read_parquet),
        ]
        for label, path in (("write_parquet (sorted)", own), ("plain strings, shuffled", plain)):
            cpus: dict[str, float] = {}
            for reader, fn in readers:
                wall, cpu, _ = timed(functools.partial(fn, path), repeat)
                cpus[reader] = cpu
                vs_pa = cpu / cpus["pyarrow.parquet.read_table"]
                vs_sort = (
                    f"{cpu / cpus[readers[2][0]]:>15.2f}x" if readers[2][0] in cpus else " " * 16
                )
                print(f"{label:<25}{reader:<33}{wall:>7.3f}{cpu:>7.3f}{vs_pa:>11.2f}x{vs_sort}")
        memory_file = Path(tmp) / "memory.parquet"
        plain_table(memory_file, n_events * 10)
        done = subprocess.run(
            [sys.executable, __file__, "--memory-case", str(memory_file)],
            capture_output=True,
            text=True,
            check=True,
        )
        mem = json.loads(done.stdout.strip().splitlines()[-1])
        size = mem["arrays"] + mem["strings"]
        print(
            f"memory, plain file of {mem['events']:,} events: peak added "
            f"{mem['added_peak'] / 2**20:.0f} MiB; log columns "
            f"{size / 2**20:.0f} MiB (arrays {mem['arrays'] / 2**20:.0f} + id strings "
            f"{mem['strings'] / 2**20:.0f}); ratio {mem['added_peak'] / size:.2f}x"
        )


if __name__ == "__main__":
    main()

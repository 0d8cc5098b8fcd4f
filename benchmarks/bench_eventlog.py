"""Benchmark: building EventLogs from records, files and frames; synthetic data; peak memory.

Run ``python benchmarks/bench_eventlog.py`` (1,000,000 events, memory at 10,000,000) or add
``--quick`` (100,000 events, memory at 1,000,000). Prints one table. Times are the best of a
few runs (wall clock, and CPU time of this process, which is steadier on a shared machine);
memory is the peak resident set of a fresh process doing only that step, minus what it held
before the step, compared with the size of the log's numpy columns.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from touchpath import EventLog, templates
from touchpath.datasets import synthetic
from touchpath.io import read_csv, read_jsonl

TEMPLATE = "pay_per_call_marketplace"
EVENTS_PER_JOURNEY = 4.9  # what synthetic() gives on this template with its defaults


def log_of(n_events: int, seed: int = 1) -> EventLog:
    """A synthetic log of about ``n_events`` events (8 channels)."""
    n_journeys = max(1, round(n_events / EVENTS_PER_JOURNEY))
    return synthetic(templates.get(TEMPLATE), n_journeys, seed=seed, channels=8)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Best wall and CPU seconds over ``repeat`` runs, and the last result."""
    best_wall = best_cpu = float("inf")
    result: Any = None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best_wall, best_cpu, result


def records_of(log: EventLog, kind: str) -> list[dict[str, Any]]:
    """The log as records whose timestamps are ISO text, epoch seconds or datetimes."""
    secs = log.timestamps // 1_000_000
    if kind == "iso":
        stamps: list[Any] = [
            t + "Z" for t in np.datetime_as_string(secs.astype("datetime64[s]")).tolist()
        ]
    elif kind == "epoch":
        stamps = secs.tolist()
    else:
        base = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        stamps = [base + dt.timedelta(seconds=s) for s in secs.tolist()]
    ids = log.journey_ids[log.event_journey].tolist()
    channels = np.array(log.channel_ids, dtype=object)[log.channel_codes].tolist()
    stages = np.array(log.stage_ids, dtype=object)[log.stage_codes].tolist()
    return [
        {"journey_id": j, "timestamp": t, "channel": c, "stage": s, "converted": v, "value": x}
        for j, t, c, s, v, x in zip(
            ids, stamps, channels, stages, log.converted.tolist(), log.values.tolist(), strict=True
        )
    ]


def write_csv_fast(log: EventLog, path: Path) -> None:
    """Write a benchmark CSV quickly with pyarrow (same content as touchpath.io.write_csv)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    table = log.to_arrow()
    columns = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_dictionary(col.type):
            col = col.cast(pa.string())
        elif pa.types.is_timestamp(col.type):
            col = pc.strftime(col, format="%Y-%m-%dT%H:%M:%SZ")
        columns[name] = col
    pacsv.write_csv(pa.table(columns), path)


def array_bytes(log: EventLog) -> tuple[int, int]:
    """Bytes of the log's numpy columns, and of its journey id strings."""
    arrays: list[np.ndarray[Any, Any]] = [
        log.offsets,
        log.event_journey,
        log.timestamps,
        log.touchpoint_codes,
        log.channel_codes,
        log.stage_codes,
        log.campaign_codes,
        log.segment_codes,
        log.account_codes,
        log.converted,
        log.values,
        log.costs,
        log.rows,
        log.journey_ids,
    ]
    strings = sum(sys.getsizeof(s) for s in log.journey_ids.tolist())
    return sum(a.nbytes for a in arrays), strings


# -- memory: one step in a fresh process ------------------------------------------------------


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_and_current() -> tuple[int, int]:
    """Peak and current resident set size in bytes (Linux /proc, else getrusage)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return peak, peak
    values = {}
    for line in status.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = int(rest.split()[0]) * 1024
    return values["VmHWM"], values["VmRSS"]


def memory_case(case: str, n_events: int, path: str) -> dict[str, Any]:
    """Run one step; report the peak memory it added and the log's column sizes."""
    # libraries a step imports are loaded before measuring: their code is not the step's data
    import polars  # noqa: F401
    import pyarrow.compute
    import pyarrow.csv  # noqa: F401

    import touchpath.io._frames  # noqa: F401

    table: Any = None
    if case == "from_arrow":
        import pyarrow.feather as feather

        table = feather.read_table(path)
    _reset_peak()
    _, before = _peak_and_current()
    if case == "synthetic":
        log = log_of(n_events)
    elif case == "csv-pyarrow":
        log = read_csv(path, engine="pyarrow")
    elif case == "csv-python":
        log = read_csv(path, engine="python")
    else:
        log = EventLog.from_arrow(table)
    peak, _ = _peak_and_current()
    arrays, strings = array_bytes(log)
    return {
        "case": case,
        "events": log.n_events,
        "added_peak": peak - before,
        "arrays": arrays,
        "strings": strings,
    }


def run_memory(n_events: int, workdir: Path) -> list[dict[str, Any]]:
    log = log_of(n_events, seed=2)
    csv_path = workdir / "memory.csv"
    feather_path = workdir / "memory.feather"
    write_csv_fast(log, csv_path)
    import pyarrow.feather as feather

    feather.write_feather(log.to_arrow(), feather_path)
    del log
    out = []
    for case, path in (
        ("synthetic", ""),
        ("csv-pyarrow", str(csv_path)),
        ("csv-python", str(csv_path)),
        ("from_arrow", str(feather_path)),
    ):
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--memory-case",
                case,
                "--events",
                str(n_events),
                "--path",
                path,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


# -- the timing table ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k events; memory at 1M")
    parser.add_argument("--memory-case", help=argparse.SUPPRESS)
    parser.add_argument("--events", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--path", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_case:
        print(json.dumps(memory_case(args.memory_case, args.events, args.path)))
        return

    n = 100_000 if args.quick else 1_000_000
    n_memory = 1_000_000 if args.quick else 10_000_000
    repeat = 3
    rows: list[tuple[str, int, float, float]] = []

    def add(name: str, count: int, fn: Callable[[], Any], times: int = repeat) -> Any:
        wall, cpu, result = timed(fn, times)
        rows.append((name, count, wall, cpu))
        return result

    base = log_of(n)
    n_ev = base.n_events
    for kind in ("iso", "epoch", "datetime"):
        recs = records_of(base, kind)
        add(f"from_records ({kind} timestamps)", n_ev, lambda r=recs: EventLog.from_records(r))  # type: ignore[misc]
        del recs

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "events.csv"
        write_csv_fast(base, csv_path)
        for engine in ("pyarrow", "python"):
            log = add(
                f"read_csv engine={engine}",
                n_ev,
                lambda e=engine: read_csv(csv_path, engine=e),  # type: ignore[misc]
                times=1 if engine == "python" else repeat,
            )
            assert log.equals(base), engine
        jsonl = workdir / "events.jsonl"
        from touchpath.io import write_jsonl

        small = base.select(np.arange(len(base)) < len(base) // 4)
        write_jsonl(small, jsonl)
        add("read_jsonl (a quarter of the events)", small.n_events, lambda: read_jsonl(jsonl), 1)

        for kind in ("pandas", "polars", "arrow"):
            frame = getattr(base, f"to_{kind}")()
            add(f"to_{kind}", n_ev, getattr(base, f"to_{kind}"))
            reader = getattr(EventLog, f"from_{kind}")
            back = add(f"from_{kind}", n_ev, lambda f=frame, r=reader: r(f))  # type: ignore[misc]
            assert back.equals(base), kind
            del frame

        n_journeys = n if not args.quick else 100_000
        m = templates.get(TEMPLATE)
        made = add(
            f"synthetic ({n_journeys:,} journeys, 8 channels)",
            0,
            lambda: synthetic(m, n_journeys, seed=3, channels=8),
            times=2,
        )
        rows[-1] = (rows[-1][0], made.n_events, rows[-1][2], rows[-1][3])

        memory = run_memory(n_memory, workdir)

    print(
        f"touchpath EventLog benchmark ({'quick' if args.quick else 'full'}), {os.cpu_count()} CPUs"
    )
    print("Shared machine: numbers are noisy; wall = best of runs, CPU = this process's CPU time.")
    print()
    print(f"{'step':44s} {'events':>11s} {'wall s':>8s} {'CPU s':>8s} {'M rows/s':>9s}")
    for name, count, wall, cpu in rows:
        print(f"{name:44s} {count:>11,d} {wall:>8.3f} {cpu:>8.3f} {count / wall / 1e6:>9.2f}")
    print()
    print(f"peak memory while building (fresh process), {n_memory:,} events target")
    head = ("step", "events", "columns MB", "id strs MB", "added peak MB", "ratio")
    print(
        f"{head[0]:14s} {head[1]:>11s} {head[2]:>11s} {head[3]:>11s} {head[4]:>14s} {head[5]:>6s}"
    )
    for mem in memory:
        ratio = mem["added_peak"] / mem["arrays"]
        print(
            f"{mem['case']:14s} {mem['events']:>11,d} {mem['arrays'] / 1e6:>11.0f} "
            f"{mem['strings'] / 1e6:>11.0f} {mem['added_peak'] / 1e6:>14.0f} {ratio:>6.2f}"
        )
    print("ratio = added peak / numpy columns (target <= 2.5); id strings are the journey ids.")


if __name__ == "__main__":
    main()

"""Benchmark of touchpath.validation: rules, compare_to_map, growth, and pm4py for comparison.

Validates a synthetic log (1M journeys by default, ``--quick`` for 50k)
against ``pay_per_call_marketplace`` and prints a table of wall time and
throughput in events per second: the default structural rules together,
each rule alone, and :func:`compare_to_map`. Uses
``touchpath.datasets.synthetic`` when it is available, else a vectorised
generator of its own (stage random walks through the map with stays, forward
moves, skips, regressions and events without a stage; exponential gaps).

Then a growth check: time per event for journeys of 100 to 10,000 events
and for 10k to 100k journeys; flat numbers mean linear time.

Finally the same data is handed to pm4py (installed in a separate venv,
``/work/peers-pm4py`` or ``--pm4py PYTHON``, run as a subprocess): its DFG
discovery on the whole log and its log-skeleton discovery and conformance
on a sample. Skipped with a message when that Python or pm4py is missing.

    .venv/bin/python benchmarks/bench_validation.py [--quick] [--journeys N] [--repeat R]
        [--pm4py PYTHON | --no-pm4py]

The machine is shared, so numbers are noisy: the best of ``--repeat`` runs is
reported.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import best_time, stage_walks

from touchpath import EventLog, Field, JourneyMap, datasets, templates
from touchpath.validation import (
    DEFAULT_RULES,
    AllowedTransitions,
    Deadline,
    EntryStage,
    KnownStages,
    KnownTouchpoints,
    MaxDwell,
    MonotonicTime,
    NoDuplicateEvents,
    NoRegression,
    NoSkippedStages,
    RequiredTouchpoints,
    TerminalStage,
    TransitionRule,
    compare_to_map,
    validate,
)

DEFAULT_PM4PY = "/work/peers-pm4py/bin/python"


def synthetic_log(
    n_journeys: int,
    seed: int = 7,
    *,
    min_length: int = 1,
    max_length: int = 20,
    moves: tuple[float, float, float, float] = (0.45, 0.45, 0.05, 0.05),
) -> EventLog:
    """Random stage walks through the pay-per-call map, vectorised.

    Each step stays, moves one stage forward, skips a stage or moves back,
    with the probabilities ``moves`` (by default 45, 45, 5 and 5 %); 5 % of
    events carry no stage.
    """
    rng = np.random.default_rng(seed)
    walks = stage_walks(
        rng,
        n_journeys,
        min_length=min_length,
        max_length=max_length,
        steps=(0, 1, 2, -1),
        probabilities=moves,
        stageless=0.05,
    )
    n, journey = walks.n, walks.journey
    stage_codes, sorted_stages, ts = walks.stage_codes, walks.stages, walks.timestamps
    tps, chans = walks.touchpoints, walks.channels
    cats: dict[Field, tuple[Any, tuple[str, ...]]] = {
        Field.STAGE: (stage_codes, sorted_stages),
        Field.TOUCHPOINT: (rng.integers(0, len(tps), n).astype(np.int32), tps),
        Field.CHANNEL: (rng.integers(0, len(chans), n).astype(np.int32), chans),
        Field.CAMPAIGN: (np.full(n, -1, np.int32), ()),
        Field.SEGMENT: (np.full(n, -1, np.int32), ()),
        Field.ACCOUNT: (np.full(n, -1, np.int32), ()),
    }
    width = len(str(n_journeys))
    return EventLog._from_unsorted(
        journey_codes=journey,
        journey_ids=[f"j{i:0{width}d}" for i in range(n_journeys)],
        timestamps=ts,
        categorical=cats,
        converted=rng.random(n) < 0.03,
        value=np.zeros(n),
        cost=np.zeros(n),
        rows=np.arange(n, dtype=np.int64),
    )


def dataset(journey_map: JourneyMap, n_journeys: int) -> tuple[EventLog, str]:
    """The walks of touchpath.datasets.synthetic through the map."""
    log = datasets.synthetic(journey_map, n_journeys, seed=7)
    return log, "touchpath.datasets.synthetic"


def row(name: str, seconds: float, events: int) -> str:
    """One line of the results table."""
    rate = events / seconds / 1e6 if seconds > 0 else float("inf")
    return f"{name:<58} {seconds * 1e3:>10.1f} ms {rate:>9.1f} M ev/s"


def time_rules(log: EventLog, journey_map: JourneyMap, repeat: int) -> list[str]:
    """Wall time of validate() with the default rules, with each rule alone, and of compare."""
    n = log.n_events
    lines = [f"{'what':<58} {'time':>13} {'throughput':>16}"]
    t = best_time(repeat, lambda: validate(log, journey_map))
    lines.append(row("validate, default rules (3 structural)", t, n))
    structural: list[TransitionRule] = [
        *DEFAULT_RULES,
        NoSkippedStages(),
        NoRegression(),
        TerminalStage(inactive_after="90 days"),
    ]
    t = best_time(repeat, lambda: validate(log, journey_map, structural))
    lines.append(row("validate, all 6 structural rules", t, n))
    t = best_time(repeat, lambda: validate(log, journey_map, every_rule()))
    lines.append(row("validate, all 12 rules", t, n))
    for rule in every_rule():
        t = best_time(repeat, lambda rule=rule: validate(log, journey_map, [rule]))  # type: ignore[misc]
        lines.append(row(f"  {rule.name}", t, n))
    t = best_time(repeat, lambda: validate(log, journey_map, []))
    lines.append(row("  (no rules: visits, transitions, fitness)", t, n))
    t = best_time(repeat, lambda: compare_to_map(log, journey_map))
    lines.append(row("compare_to_map", t, n))
    report = validate(log, journey_map)
    t0 = time.perf_counter()
    materialised = len(report.violations)
    lines.append(
        row(f"  materialise {materialised:,} Violation objects (once)", time.perf_counter() - t0, n)
    )
    return lines


GROWTH_MOVES = (0.4, 0.3, 0.05, 0.25)
"""Walks that keep moving (back and forth) however long the journey."""


def every_rule() -> list[TransitionRule]:
    """All twelve shipped rules."""
    return [
        AllowedTransitions(),
        NoSkippedStages(),
        NoRegression(),
        KnownStages(),
        KnownTouchpoints(),
        EntryStage(),
        TerminalStage(inactive_after="90 days"),
        MaxDwell("onboarding", "7 days"),
        Deadline("onboarding", "activation", "24 hours"),
        RequiredTouchpoints("decision", ["single_page_signup"]),
        MonotonicTime(),
        NoDuplicateEvents(),
    ]


def growth(journey_map: JourneyMap, quick: bool, repeat: int) -> list[str]:
    """Time per event (all twelve rules) as journeys get longer and as there are more of them."""
    rules = every_rule()
    lines = [f"{'shape (all 12 rules)':<40} {'events':>10} {'time':>10} {'ns/event':>10}"]
    lengths = [100, 1_000, 10_000]
    counts = [10_000, 30_000, 100_000] if not quick else [3_000, 10_000, 30_000]
    per_event: dict[str, list[float]] = {"length": [], "count": []}
    for length in lengths:
        n_journeys = 200 if not quick else 50
        log = synthetic_log(
            n_journeys, seed=length, min_length=length, max_length=length, moves=GROWTH_MOVES
        )
        t = best_time(repeat, lambda log=log: validate(log, journey_map, rules))  # type: ignore[misc]
        per_event["length"].append(t / log.n_events * 1e9)
        lines.append(
            f"{f'{n_journeys} journeys x {length:,} events':<40} {log.n_events:>10,} "
            f"{t * 1e3:>8.1f}ms {t / log.n_events * 1e9:>10.1f}"
        )
    for count in counts:
        log = synthetic_log(count, seed=count, min_length=10, max_length=10, moves=GROWTH_MOVES)
        t = best_time(repeat, lambda log=log: validate(log, journey_map, rules))  # type: ignore[misc]
        per_event["count"].append(t / log.n_events * 1e9)
        lines.append(
            f"{f'{count:,} journeys x 10 events':<40} {log.n_events:>10,} "
            f"{t * 1e3:>8.1f}ms {t / log.n_events * 1e9:>10.1f}"
        )
    for what, values in per_event.items():
        ratio = values[-1] / values[0]
        lines.append(
            f"time per event, largest / smallest journey {what}: {ratio:.2f} "
            "(about 1 = linear; a quadratic check would grow with the size)"
        )
    return lines


_PM4PY_SCRIPT = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np
import pandas as pd
import pm4py

src = sys.argv[1]
sample = int(sys.argv[2])
z = np.load(src, allow_pickle=False)
names = z["names"].tolist()
case = z["case"]
df = pd.DataFrame({
    "case:concept:name": case.astype(str),
    "concept:name": pd.Categorical.from_codes(z["stage"], names).astype(str),
    "time:timestamp": pd.to_datetime(z["time"], unit="us", utc=True),
})
t0 = time.perf_counter()
df = pm4py.format_dataframe(df, case_id="case:concept:name", activity_key="concept:name",
                            timestamp_key="time:timestamp")
t_format = time.perf_counter() - t0
t0 = time.perf_counter()
dfg, start, end = pm4py.discover_dfg(df)
t_dfg = time.perf_counter() - t0
cases = df["case:concept:name"].unique()[:sample]
small = df[df["case:concept:name"].isin(set(cases))]
t0 = time.perf_counter()
skeleton = pm4py.discover_log_skeleton(small, noise_threshold=0.0)
t_skel = time.perf_counter() - t0
t0 = time.perf_counter()
diag = pm4py.conformance_log_skeleton(small, skeleton)
t_conf = time.perf_counter() - t0
print(json.dumps({"version": pm4py.__version__, "events": len(df), "format": t_format,
                  "dfg": t_dfg, "dfg_edges": len(dfg), "sample_events": len(small),
                  "sample_cases": len(cases), "skeleton": t_skel, "conformance": t_conf}))
"""


def pm4py_comparison(log: EventLog, python: str, sample: int) -> list[str]:
    """Time pm4py's DFG discovery and log-skeleton conformance on the same (staged) events."""
    if not Path(python).exists():
        return [f"pm4py skipped: no Python at {python} (make a venv with pm4py, or --pm4py PATH)"]
    staged = log.stage_codes >= 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.npz"
        np.savez(
            path,
            case=log.event_journey[staged],
            stage=log.stage_codes[staged],
            time=log.timestamps[staged],
            names=np.array(log.stage_ids),
        )
        script = Path(tmp) / "run_pm4py.py"
        script.write_text(_PM4PY_SCRIPT, encoding="utf-8")
        proc = subprocess.run(
            [python, str(script), str(path), str(sample)],
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["(no output)"]
        return [f"pm4py skipped: the run failed ({tail[0]})"]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    n, ns = out["events"], out["sample_events"]
    return [
        f"pm4py {out['version']} (separate venv, same staged events; pandas input)",
        row("pm4py.format_dataframe (preparation, not compared)", out["format"], n),
        row(f"pm4py.discover_dfg ({out['dfg_edges']} edges)", out["dfg"], n),
        row(
            f"pm4py.discover_log_skeleton ({out['sample_cases']:,} journeys)",
            out["skeleton"],
            ns,
        ),
        row(
            f"pm4py.conformance_log_skeleton ({out['sample_cases']:,} journeys)",
            out["conformance"],
            ns,
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="50k journeys instead of 1M")
    parser.add_argument("--journeys", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pm4py", default=DEFAULT_PM4PY, help="Python of a venv with pm4py")
    parser.add_argument("--no-pm4py", action="store_true")
    args = parser.parse_args(argv)
    n_journeys = args.journeys or (50_000 if args.quick else 1_000_000)
    journey_map = templates.get("pay_per_call_marketplace")
    print(f"numpy {np.__version__}, Python {sys.version.split()[0]}; map {journey_map.name!r}")
    t0 = time.perf_counter()
    log, source = dataset(journey_map, n_journeys)
    print(
        f"\n[1] {source}: {len(log):,} journeys, {log.n_events:,} events "
        f"(built in {time.perf_counter() - t0:.1f}s), {validate(log, journey_map)!r}"
    )
    print("\n".join(time_rules(log, journey_map, args.repeat)))
    t0 = time.perf_counter()
    noisy = synthetic_log(n_journeys)
    print(
        f"\n[2] noisy walks (skips, regressions, stage-less events): {len(noisy):,} journeys, "
        f"{noisy.n_events:,} events (built in {time.perf_counter() - t0:.1f}s), "
        f"{validate(noisy, journey_map)!r}"
    )
    print("\n".join(time_rules(noisy, journey_map, args.repeat)))
    print()
    print("\n".join(growth(journey_map, args.quick, args.repeat)))
    print()
    if args.no_pm4py:
        print("pm4py skipped (--no-pm4py)")
    else:
        sample = 2_000 if args.quick else 20_000
        print("[1] " + "\n".join(pm4py_comparison(log, args.pm4py, sample)))
        print("[2] " + "\n".join(pm4py_comparison(noisy, args.pm4py, sample)))


if __name__ == "__main__":
    main()

"""Scale in the number of items: Markov orders 1-3 and Shapley on 50 / 200 / 1,000 channels.

Run ``python benchmarks/bench_scale.py`` (100,000 journeys per set) or with
``--quick`` (20,000). Every cell runs in its own subprocess, which builds the
seeded data set and reports the model's wall time and the process's peak RSS
(``ru_maxrss``; it includes the interpreter, numpy and the data, about
100 MB), so one cell's memory never inflates another's. The CPU time is
printed too: on a shared machine it is the fairer number.

The data: journeys of 1 + Geometric(0.3) touches (capped at 30), channels
drawn Zipf-like (weight 1 / rank^0.8), and a conversion probability that
grows with the channels' random lifts; touchpath reads the grouped paths
(``PathCounts``, the input format of the peers).

ChannelAttribution (``markov_model``, orders 1-3, its default simulation
settings) runs on the same grouped paths, written as its CSV input, in the
interpreter given by ``--peers-python`` or ``$TOUCHPATH_PEERS_PYTHON`` (a
separate venv: ``python3 -m venv peers && peers/bin/pip install
ChannelAttribution pandas matplotlib``); without one it is skipped with a
message. Its rows print the peer's time and peak RSS, then the ratio of its
wall (and CPU) time to touchpath's and, after ``±``, the largest difference
between the two models' credit shares (touchpath solves the chain exactly,
the peer simulates it).
``--channels`` and ``--models`` run a subset of the cells.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

CHANNELS = (50, 200, 1000)
MODELS = ("markov_1", "markov_2", "markov_3", "shapley")

CELL = r"""
import json, resource, sys, time
sys.path[:0] = [{src!r}, {bench!r}]
from bench_scale import make_paths
from touchpath.attribution import Markov, PathCounts, Shapley, attribute
n_channels, n_journeys, model = {n_channels}, {n_journeys}, {model!r}
pc = PathCounts.from_paths(make_paths(n_channels, n_journeys))
m = Shapley() if model == "shapley" else Markov(order=int(model[-1]))
t, c = time.perf_counter(), time.process_time()
try:
    result = attribute(pc, m)
    credits = result.credits()
    total = sum(credits.values())
    out = {{"time": time.perf_counter() - t, "cpu": time.process_time() - c,
            "credited": total, "shares": {{k: v / total for k, v in credits.items()}}}}
    if model != "shapley":
        out["states"] = result.fitted.counts.n_states
except MemoryError as e:
    out = {{"error": "MemoryError"}}
except Exception as e:
    out = {{"error": type(e).__name__ + ": " + str(e)[:60]}}
out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""

PEER_CELL = r"""
import contextlib, io, json, resource, sys, time
import pandas as pd
df = pd.read_csv(sys.argv[1], keep_default_na=False)
order = int(sys.argv[2])
with contextlib.redirect_stdout(io.StringIO()):
    import ChannelAttribution as ca
t, c = time.perf_counter(), time.process_time()
with contextlib.redirect_stdout(io.StringIO()):
    res = ca.markov_model(df, "path", "conversions", var_null="nulls", order=order, sep=">",
                          verbose=0)
wall, cpu = time.perf_counter() - t, time.process_time() - c
credits = dict(zip(res["channel_name"], res["total_conversions"].astype(float)))
total = sum(credits.values())
print(json.dumps({"time": wall, "cpu": cpu, "shares": {k: v / total for k, v in credits.items()},
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def make_paths(n_channels: int, n_journeys: int = 100_000, seed: int = 0) -> object:
    """The seeded conversion paths of one cell (one path per journey)."""
    from touchpath._paths import ConversionPaths

    rng = np.random.default_rng(seed)
    lengths = np.minimum(rng.geometric(0.3, n_journeys), 30).astype(np.int64)
    offsets = np.zeros(n_journeys + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    weight = 1.0 / np.arange(1, n_channels + 1) ** 0.8
    codes = rng.choice(n_channels, size=int(offsets[-1]), p=weight / weight.sum())
    lift = rng.uniform(0.5, 2.0, n_channels)
    journey = np.repeat(np.arange(n_journeys), lengths)
    score = np.bincount(journey, lift[codes], n_journeys)
    conv = (rng.random(n_journeys) < 0.03 * score).astype(np.float64)
    return ConversionPaths(
        items=tuple(f"ch{i:04d}" for i in range(n_channels)),
        offsets=offsets,
        codes=codes.astype(np.int32),
        conversions=conv,
        non_conversions=1.0 - conv,
        values=100.0 * conv,
    )


def run_cell(n_channels: int, n_journeys: int, model: str, timeout: float) -> dict[str, object]:
    here = Path(__file__).resolve().parent
    code = CELL.format(
        src=str(here.parent / "src"),
        bench=str(here),
        n_channels=n_channels,
        n_journeys=n_journeys,
        model=model,
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timeout {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1][:60] if proc.stderr else "failed"}
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run_peer(
    python: str, n_channels: int, n_journeys: int, order: int, timeout: float
) -> dict[str, object]:
    from touchpath.attribution import PathCounts

    pc = PathCounts.from_paths(make_paths(n_channels, n_journeys))  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "paths.csv"
        lines = ["path,conversions,nulls"]
        for items, conv, null, _ in pc.rows():
            if items:
                lines.append(f"{'>'.join(items)},{conv:g},{null:g}")
        path.write_text("\n".join(lines) + "\n")
        try:
            proc = subprocess.run(
                [python, "-c", PEER_CELL, str(path), str(order)],
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return {"error": f"timeout {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1][:60]}
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def fmt(cell: dict[str, object]) -> str:
    if "error" in cell:
        return str(cell["error"])[:28]
    cpu = f" (cpu {cell['cpu']:.1f})" if "cpu" in cell else ""
    return f"{cell['time']:.2f} s{cpu}, {cell['rss_mb']:.0f} MB"


def compare(ours: dict[str, object], peer: dict[str, object]) -> str:
    """The peer's time over ours (wall, CPU) and the largest difference of credit shares."""
    if "error" in ours or "error" in peer:
        return "-"
    a, b = ours["shares"], peer["shares"]
    if not isinstance(a, dict) or not isinstance(b, dict):
        return "-"
    diff = max(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in a.keys() | b.keys())
    wall = float(peer["time"]) / max(float(ours["time"]), 1e-3)  # type: ignore[arg-type]
    cpu = float(peer["cpu"]) / max(float(ours["cpu"]), 1e-3)  # type: ignore[arg-type]
    return f"{wall:.1f}x (cpu {cpu:.1f}x), ±{diff:.4f}"


def row(label: str, cells: list[str]) -> str:
    return f"{label:<14}" + "".join(f"{c:>34}" for c in cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20,000 journeys per set")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per cell")
    parser.add_argument("--channels", type=int, nargs="+", default=list(CHANNELS))
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument(
        "--peers-python",
        default=os.environ.get("TOUCHPATH_PEERS_PYTHON"),
        help="an interpreter with ChannelAttribution (default $TOUCHPATH_PEERS_PYTHON)",
    )
    args = parser.parse_args()
    n_journeys = 20_000 if args.quick else 100_000
    models = [m for m in MODELS if m in args.models]
    orders = [int(m[-1]) for m in models if m != "shapley"]
    peer = args.peers_python
    if peer is not None and not Path(peer).exists():
        print(f"ChannelAttribution skipped: no interpreter at {peer}")
        peer = None
    elif peer is None:
        print("ChannelAttribution skipped: give --peers-python or $TOUCHPATH_PEERS_PYTHON")
    print(
        f"{n_journeys:,} journeys per set; each cell: model wall time (its CPU time), "
        "peak RSS of its process"
    )
    header = row("items", models)
    print(header)
    print("-" * len(header))
    for n_channels in args.channels:
        cells = [run_cell(n_channels, n_journeys, m, args.timeout) for m in models]
        print(row(f"{n_channels:>5} channels", [fmt(c) for c in cells]))
        states = [str(c.get("states", "")) for c in cells]
        print(row("  states", states))
        if peer is None or not orders:
            continue
        theirs = {k: run_peer(peer, n_channels, n_journeys, k, args.timeout) for k in orders}
        print(
            row(
                "  ChannelAttr.",
                [fmt(theirs[int(m[-1])]) if m != "shapley" else "" for m in models],
            )
        )
        ratios = [
            compare(c, theirs[int(m[-1])]) if m != "shapley" else ""
            for m, c in zip(models, cells, strict=True)
        ]
        print(row("  its/ours, ±", ratios))


if __name__ == "__main__":
    main()

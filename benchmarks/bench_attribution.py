"""Attribution speed: every touchpath model, and the installed peers on the same data.

Run ``.venv/bin/python benchmarks/bench_attribution.py`` (1,000,000 journeys,
8 channels) or with ``--quick`` (50,000 journeys). Times are the best of a
few runs on one core (BLAS threads are pinned to 1 before numpy loads).

Peers (``channelattribution``, ``marketing-attribution-models``) run in a
separate interpreter given by ``--peers-python`` (default
``/work/peers/bin/python``, or ``$TOUCHPATH_PEERS_PYTHON``); they are not
touchpath dependencies. They read the same data grouped into distinct paths
(their input format), written to a temporary CSV; reading it is not timed.
touchpath is timed both from the raw event log and from the same grouped
paths (``PathCounts``); the speed-up compares the grouped timings.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import best_of

from touchpath import EventLog, templates
from touchpath.attribution import (
    FirstTouch,
    LastNonDirect,
    LastTouch,
    Linear,
    Markov,
    PathCounts,
    PositionBased,
    Shapley,
    TimeDecay,
    WShaped,
    attribute,
)
from touchpath.typing import AttributionModel

# touchpath label -> (peer, peer model key) pairs that claim the same model
PEER_MODELS: dict[str, list[tuple[str, str]]] = {
    "FirstTouch": [("channelattribution", "first_touch"), ("mam", "first_click")],
    "LastTouch": [("channelattribution", "last_touch"), ("mam", "last_click")],
    "Linear(touch)": [("channelattribution", "linear_touch"), ("mam", "linear")],
    "PositionBased": [("mam", "position_based")],
    "Markov(1)": [("channelattribution", "markov_1"), ("mam", "markov")],
    "Markov(2)": [("channelattribution", "markov_2")],
    "Markov(3)": [("channelattribution", "markov_3")],
    "Shapley(rate)": [("mam", "shapley_conv_rate")],
}

PEER_SCRIPT = r"""
import json, sys, time, io, contextlib
import pandas as pd
path = sys.argv[1]
wanted = set(sys.argv[2].split(","))
df = pd.read_csv(path, keep_default_na=False)
out = {}
def credits(names, values):
    return {str(n): float(v) for n, v in zip(names, values)}
try:
    with contextlib.redirect_stdout(io.StringIO()):
        import ChannelAttribution as ca
    t = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        h = ca.heuristic_models(df, "path", "conversions", sep=">", flg_pro=False)
    dt = time.perf_counter() - t
    for key in ("first_touch", "last_touch", "linear_touch"):
        out["channelattribution:" + key] = {"time": dt, "note": "3 models in one call",
            "credits": credits(h["channel_name"], h[key])}
    for order in (1, 2, 3):
        if "markov_%d" % order not in wanted:
            continue
        t = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            m = ca.markov_model(df, "path", "conversions", var_null="nulls", order=order,
                                sep=">", ncore=1, verbose=False, flg_pro=False, seed=0)
        dt = time.perf_counter() - t
        out["channelattribution:markov_%d" % order] = {"time": dt,
            "credits": credits(m["channel_name"], m["total_conversions"])}
except ImportError as e:
    out["channelattribution"] = {"error": "not importable: %s" % e}
try:
    import polars as pl
    with contextlib.redirect_stdout(io.StringIO()):
        import mam
    rows = []
    for p, c, n in zip(df["path"], df["conversions"], df["nulls"]):
        if c > 0: rows.append((p.replace(">", " > "), int(c), True))
        if n > 0: rows.append((p.replace(">", " > "), int(n), False))
    g = pl.DataFrame({"path": [r[0] for r in rows], "occurrences": [r[1] for r in rows],
                      "has_conversion": [r[2] for r in rows]})
    t = time.perf_counter()
    model = mam.MAM(g, format_type="grouped_journey", channels_colname="path",
                    journey_with_conv_colname="has_conversion", occurrences_colname="occurrences")
    prep = time.perf_counter() - t
    runs = {"first_click": lambda: model.run_first_click(),
            "last_click": lambda: model.run_last_click(),
            "linear": lambda: model.run_linear(),
            "position_based": lambda: model.run_position_based(),
            "markov": lambda: model.run_markov(),
            "shapley_conv_rate": lambda: model.run_shapley(value_column="conv_rate")}
    for key, run in runs.items():
        if key not in wanted:
            continue
        t = time.perf_counter()
        try:
            r = run().to_pandas()
        except Exception as e:  # a peer failing is a result too
            out["mam:" + key] = {"error": "%s: %s" % (type(e).__name__, e)}
            continue
        dt = time.perf_counter() - t
        value_col = [c for c in r.columns if c != "channels"][0]
        out["mam:" + key] = {"time": dt, "note": "+%.2fs shared preprocessing" % prep,
                             "credits": credits(r["channels"], r[value_col])}
except ImportError as e:
    out["mam"] = {"error": "not importable: %s" % e}
print(json.dumps(out))
"""


def make_log(n_journeys: int, seed: int) -> EventLog:
    """The synthetic benchmark log: ``pay_per_call_marketplace`` folded onto 8 channels."""
    from touchpath import datasets

    journey_map = templates.get("pay_per_call_marketplace")
    return datasets.synthetic(journey_map, n_journeys, seed=seed, channels=8)


def run_peers(
    python: str, counts: PathCounts, wanted: set[str], timeout: float
) -> dict[str, dict[str, Any]]:
    """Run the peers on the grouped paths in their own interpreter; ``{}`` with a reason if not."""
    if not Path(python).exists():
        print(f"peers skipped: no interpreter at {python} (see --peers-python)")
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "paths.csv"
        lines = ["path,conversions,nulls,value"]
        for path, conv, null, value in counts:
            if any(">" in x or "," in x for x in path):
                raise SystemExit("a channel name holds '>' or ','; cannot write peer input")
            lines.append(f"{'>'.join(path)},{conv:.0f},{null:.0f},{value:.6f}")
        csv.write_text("\n".join(lines) + "\n")
        try:
            proc = subprocess.run(
                [python, "-c", PEER_SCRIPT, str(csv), ",".join(sorted(wanted))],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            print(f"peers skipped: they did not finish within {timeout:.0f} s")
            return {}
    if proc.returncode != 0:
        print("peers failed:", proc.stderr.strip().splitlines()[-3:])
        return {}
    found: dict[str, dict[str, Any]] = json.loads(proc.stdout.strip().splitlines()[-1])
    return found


def agreement(ours: dict[str, float], theirs: dict[str, float]) -> str:
    """Largest difference per channel, relative to the total credited conversions."""
    keys = set(ours) | set(theirs)
    total = max(sum(ours.values()), 1e-12)
    worst = max(abs(ours.get(k, 0.0) - theirs.get(k, 0.0)) for k in keys)
    return f"{worst / total:.2e}"


def main(argv: list[str] | None = None) -> None:
    """Time every model, run the peers, print one table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="50,000 journeys")
    parser.add_argument("--journeys", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument(
        "--peers-python",
        default=os.environ.get("TOUCHPATH_PEERS_PYTHON", "/work/peers/bin/python"),
    )
    parser.add_argument("--peer-timeout", type=float, default=1800.0)
    args = parser.parse_args(argv)
    n = args.journeys or (50_000 if args.quick else 1_000_000)

    t = time.perf_counter()
    log = make_log(n, args.seed)
    print(f"data: {log!r} built in {time.perf_counter() - t:.1f} s")
    t_counts, counts = best_of(1, lambda: PathCounts.from_log(log))
    print(f"PathCounts.from_log: {len(counts):,} distinct paths in {t_counts:.2f} s")
    n_touches = int(np.count_nonzero(log.channel_codes >= 0))

    models: dict[str, AttributionModel] = {
        "FirstTouch": FirstTouch(),
        "LastTouch": LastTouch(),
        "LastNonDirect": LastNonDirect(direct={log.channel_ids[0]}),
        "Linear(touch)": Linear(),
        "Linear(channel)": Linear(per="channel"),
        "TimeDecay": TimeDecay(),
        "PositionBased": PositionBased(),
        "WShaped": WShaped(lead_stage="consideration", opportunity_stage="decision"),
        "Markov(1)": Markov(order=1),
        "Markov(2)": Markov(order=2),
        "Markov(3)": Markov(order=3),
        "Shapley(conversions)": Shapley(),
        "Shapley(rate)": Shapley(game="conversion_rate"),
    }
    ours: dict[str, tuple[float, float | None, dict[str, float]]] = {}
    for label, model in models.items():
        t_log, result = best_of(args.repeat, lambda m=model: attribute(log, m))  # type: ignore[misc]
        try:
            t_pc: float | None = best_of(args.repeat, lambda m=model: attribute(counts, m))[0]  # type: ignore[misc]
        except Exception:  # models that need timestamps or stages run on logs only
            t_pc = None
        ours[label] = (t_log, t_pc, result.credits())

    wanted = {key for pairs in PEER_MODELS.values() for _, key in pairs}
    peers = {} if args.no_peers else run_peers(args.peers_python, counts, wanted, args.peer_timeout)
    for name in ("channelattribution", "mam"):
        if name in peers:
            print(f"{name}: {peers[name]['error']}")

    header = (
        f"{'model':22} {'log s':>7} {'Mtouch/s':>9} {'counts s':>9} "
        f"{'peer':28} {'peer s':>8} {'speed-up':>9} {'max diff':>9}"
    )
    print()
    print(
        f"{n:,} journeys, {log.n_events:,} events, {n_touches:,} touches, "
        f"{len(log.channel_ids)} channels; best of {args.repeat}; one core"
    )
    print(header)
    print("-" * len(header))
    for label, (t_log, t_pc, credits) in ours.items():
        head = f"{label:22} {t_log:7.3f} {n_touches / t_log / 1e6:9.1f} "
        head += f"{t_pc:9.3f} " if t_pc is not None else f"{'-':>9} "
        pairs = PEER_MODELS.get(label, [])
        rows = [(p, k, peers.get(f"{p}:{k}")) for p, k in pairs]
        rows = [r for r in rows if r[2] is not None]
        if not rows:
            print(head + f"{'(no peer)':28}")
            continue
        for i, (peer, key, found) in enumerate(rows):
            assert found is not None
            prefix = head if i == 0 else " " * len(head)
            name = f"{peer}:{key}"[:28]
            if "error" in found:
                print(prefix + f"{name:28} {found['error'][:60]}")
                continue
            speed = found["time"] / t_pc if t_pc else float("nan")
            print(
                prefix + f"{name:28} {found['time']:8.2f} {speed:8.1f}x "
                f"{agreement(credits, found['credits']):>9}"
                + (f"  ({found['note']})" if "note" in found else "")
            )


if __name__ == "__main__":
    main()

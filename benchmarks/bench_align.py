"""Benchmark of touchpath.validation.align (exact alignments to the map), and pm4py's.

Aligns the validation benchmark's synthetic log (1M journeys by default,
``--quick`` for 50k) to ``pay_per_call_marketplace``: random stage walks
with stays, forward moves, skips and regressions and 5 % of events without
a stage. Prints wall time
and events per second for complete-walk and prefix alignments.

Then the same journeys (a sample) go to pm4py (in a separate venv,
``/work/peers-pm4py`` or ``--pm4py PYTHON``, run as a subprocess): the map is
written as a Petri net (a place per stage, a transition labelled ``b`` per
edge ``a -> b`` and per entry stage, a silent transition from each terminal
stage to the sink), aligned with pm4py's standard costs (10,000 per visible
move), and the costs are compared with touchpath's at unit costs. Skipped
with a message when that Python or pm4py is missing.

    .venv/bin/python benchmarks/bench_align.py [--quick] [--journeys N] [--sample N]
        [--pm4py PYTHON | --no-pm4py]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import best_of
from bench_validation import synthetic_log  # the 1M-journey set of the validation benchmark

from touchpath import EventLog, templates
from touchpath.validation import Alignments, align

DEFAULT_PM4PY = "/work/peers-pm4py/bin/python"

_PM4PY_SCRIPT = r"""
import json, sys, time
from pm4py.objects.petri_net.obj import PetriNet, Marking
from pm4py.objects.petri_net.utils import petri_utils
from pm4py.objects.log.obj import EventLog, Trace, Event
from pm4py.algo.conformance.alignments.petri_net import algorithm as alignments

spec = json.load(open(sys.argv[1]))
net = PetriNet("map")
places = {s: PetriNet.Place(s) for s in spec["stages"]}
source, sink = PetriNet.Place("source"), PetriNet.Place("sink")
for p in [*places.values(), source, sink]:
    net.places.add(p)
def arc(a, label, b, name):
    t = PetriNet.Transition(name, label)
    net.transitions.add(t)
    petri_utils.add_arc_from_to(a, t, net)
    petri_utils.add_arc_from_to(t, b, net)
for i, e in enumerate(spec["entry"]):
    arc(source, e, places[e], f"entry{i}")
for i, (a, b) in enumerate(spec["edges"]):
    arc(places[a], b, places[b], f"edge{i}")
for i, t in enumerate(spec["terminal"]):
    arc(places[t], None, sink, f"end{i}")
im, fm = Marking({source: 1}), Marking({sink: 1})
log = EventLog([Trace([Event({"concept:name": s}) for s in trace]) for trace in spec["traces"]])
start = time.perf_counter()
result = alignments.apply_log(log, net, im, fm)
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "costs": [r["cost"] // 10000 for r in result]}))
"""


def _pm4py(python: str, log: EventLog, sample: int) -> None:
    m = templates.get("pay_per_call_marketplace")
    if not Path(python).exists():
        print(f"pm4py: skipped ({python} not found; pip install pm4py into a venv there)")
        return
    part = log.select(np.arange(len(log)) < sample)
    ours = align(part, m)
    traces = []
    for j in part:
        visits: list[str] = []
        for s in j.stages:
            if s is not None and (not visits or visits[-1] != s):
                visits.append(s)
        traces.append(visits)
    spec = {
        "stages": list(m.stage_ids),
        "edges": [[a, b] for a in m.stage_ids for b in m.stage_ids if m.allows(a, b)],
        "entry": list(m.entry_stages),
        "terminal": list(m.terminal_stages),
        "traces": traces,
    }
    with tempfile.TemporaryDirectory() as tmp:
        spec_path = Path(tmp) / "spec.json"
        spec_path.write_text(json.dumps(spec))
        script = Path(tmp) / "run.py"
        script.write_text(_PM4PY_SCRIPT)
        done = subprocess.run(
            [python, str(script), str(spec_path)], capture_output=True, text=True, check=False
        )
    if done.returncode != 0:
        print("pm4py: failed\n" + done.stderr[-2000:])
        return
    out = json.loads(done.stdout.strip().splitlines()[-1])
    theirs = np.array(out["costs"], dtype=np.float64)
    agree = int(np.count_nonzero(theirs == ours.costs))
    start = time.perf_counter()
    align(part, m)
    mine = time.perf_counter() - start
    print(
        f"| pm4py alignments, {len(part):,} journeys | {out['seconds']:.2f} s | "
        f"{part.n_events / out['seconds']:,.0f} | touchpath {mine:.3f} s; "
        f"costs agree on {agree:,} of {len(part):,} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--journeys", type=int, default=None)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--pm4py", default=DEFAULT_PM4PY)
    parser.add_argument("--no-pm4py", action="store_true")
    args = parser.parse_args()
    n = args.journeys or (50_000 if args.quick else 1_000_000)
    log = synthetic_log(n)
    m = templates.get("pay_per_call_marketplace")
    print(f"{len(log):,} journeys, {log.n_events:,} events, map {m.name!r} ({len(m)} stages)\n")
    print("| what | time | events/s | note |")
    print("|---|---|---|---|")
    for prefix in (False, True):

        def run(p: bool = prefix) -> Alignments:
            return align(log, m, prefix=p)

        seconds, result = best_of(args.repeat, run)
        print(
            f"| align(prefix={prefix}) | {seconds:.2f} s | {log.n_events / seconds:,.0f} | "
            f"{result.conforming:,} conform, log fitness {result.log_fitness:.3f} |"
        )
    if not args.no_pm4py:
        _pm4py(args.pm4py, log, args.sample)
    sys.stdout.flush()


if __name__ == "__main__":
    main()

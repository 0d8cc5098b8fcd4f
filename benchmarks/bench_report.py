"""Benchmark of the user-facing layer: SVG map diagrams, notebook reprs, the HTML report.

Times ``to_svg`` on the shipped templates and on a synthetic wide map (with and without an
observed overlay), ``EventLog._repr_html_`` on a synthetic log (which must stay fast on
large logs: it reads only the first events and skips the duplicate sort when there are no
timestamp ties), building a full report, and the whole ``touchpath demo`` (read the sample,
validate, funnel, nine models, scorecard, report with charts). Prints a table of the best wall
time of ``--repeat`` runs; the machine is shared, so numbers are noisy.

    .venv/bin/python benchmarks/bench_report.py [--quick] [--events N] [--repeat R]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import tempfile
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from _common import best_time

from touchpath import EventLog, Field, JourneyMap, Phase, cli, templates
from touchpath.render._svg import to_svg
from touchpath.report import Report, Section


def wide_map(n_stages: int, seed: int = 3) -> JourneyMap:
    """A map of ``n_stages`` stages: a main chain with side branches and some loop-backs."""
    rng = np.random.default_rng(seed)
    b = JourneyMap.builder(f"wide_{n_stages}")
    phases = list(Phase)
    for i in range(n_stages):
        b.stage(f"s{i}", f"Stage number {i}", phase=phases[i * 3 // n_stages])
    for i in range(1, n_stages):
        b.edge(f"s{int(rng.integers(max(0, i - 3), i))}", f"s{i}")
    for _ in range(n_stages // 5):
        a, c = sorted(rng.choice(n_stages, size=2, replace=False).tolist())
        if not any(e.source == f"s{c}" and e.target == f"s{a}" for e in b._edges):
            b.loop_back(f"s{c}", f"s{a}")
    return b.build()


def random_overlay(m: JourneyMap, n_pairs: int, seed: int = 5) -> nx.DiGraph[str]:
    """Observed counts on the map's edges plus ``n_pairs`` random other moves."""
    rng = np.random.default_rng(seed)
    g: nx.DiGraph[str] = nx.DiGraph()
    for e in m.edges:
        g.add_edge(e.source, e.target, count=int(rng.integers(0, 1000)))
    ids = m.stage_ids
    for _ in range(n_pairs):
        a, c = rng.choice(len(ids), size=2, replace=False).tolist()
        g.add_edge(ids[a], ids[c], count=int(rng.integers(1, 50)))
    return g


def synthetic_log(n_events: int, *, ties: bool, seed: int = 7) -> EventLog:
    """About 10 events per journey; with ``ties`` many events share a timestamp."""
    rng = np.random.default_rng(seed)
    n_journeys = max(1, n_events // 10)
    journey = np.sort(rng.integers(0, n_journeys, n_events))
    # each journey lives within one day; with ``ties`` its times are whole hours
    step = 3600 if ties else 1
    offset = rng.integers(0, 86_400, n_events) // step * step
    ts = (1_735_689_600 + journey * 86_400 + offset) * 1_000_000
    chans = ("ads", "email", "seo", "social")
    stages = tuple(sorted(templates.get("b2b_five_stage").stage_ids))
    empty: tuple[Any, tuple[str, ...]] = (np.full(n_events, -1, np.int32), ())
    cats: dict[Field, tuple[Any, tuple[str, ...]]] = {
        Field.CHANNEL: (rng.integers(0, len(chans), n_events).astype(np.int32), chans),
        Field.STAGE: (rng.integers(0, len(stages), n_events).astype(np.int32), stages),
        Field.TOUCHPOINT: empty,
        Field.CAMPAIGN: empty,
        Field.SEGMENT: empty,
        Field.ACCOUNT: empty,
    }
    return EventLog._from_unsorted(
        journey_codes=journey,
        journey_ids=[f"j{i:08d}" for i in range(n_journeys)],
        timestamps=ts,
        categorical=cats,
        converted=rng.random(n_events) < 0.03,
        value=np.where(rng.random(n_events) < 0.03, 100.0, 0.0),
        cost=np.zeros(n_events),
        rows=np.arange(n_events, dtype=np.int64),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (seconds)")
    parser.add_argument("--events", type=int, default=None, help="events in the synthetic log")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; best is shown")
    args = parser.parse_args()
    n_events = args.events or (100_000 if args.quick else 2_000_000)
    n_wide = 30 if args.quick else 120

    rows: list[tuple[str, str, float]] = []
    for name in templates.names():
        m = templates.get(name)
        rows.append(("to_svg", name, best_time(args.repeat, functools.partial(to_svg, m))))
    big = wide_map(n_wide)
    overlay = random_overlay(big, n_wide)
    rows.append(("to_svg", f"{len(big)} stages", best_time(args.repeat, lambda: to_svg(big))))
    rows.append(
        (
            "to_svg + overlay",
            f"{len(big)} stages, {overlay.number_of_edges()} moves",
            best_time(args.repeat, lambda: to_svg(big, observed=overlay)),
        )
    )
    for ties in (False, True):
        log = synthetic_log(n_events, ties=ties)
        label = f"{log.n_events:,} events, {log.ties:,} ties"
        rows.append(("EventLog._repr_html_", label, best_time(args.repeat, log._repr_html_)))
    m = templates.get("acquisition_nurture_growth")
    log = synthetic_log(min(n_events, 100_000), ties=False)

    def build() -> str:
        return (
            Report("Benchmark")
            .add(Section.journey_map(m, observed=random_overlay(m, 10)))
            .add(Section.event_log(log))
            .add(Section.table("Table", ["a", "b"], [[i, i / 3] for i in range(200)]))
            .to_html()
        )

    rows.append(("Report.to_html", "map + log + 200-row table", best_time(args.repeat, build)))

    def demo() -> None:
        with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
            cli.main(["demo", "-o", str(Path(tmp) / "report.html")])

    rows.append(("touchpath demo", "the shipped sample", best_time(args.repeat, demo)))

    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    print(f"{'what':<{w0}}  {'input':<{w1}}  {'best ms':>9}")
    for what, size, seconds in rows:
        print(f"{what:<{w0}}  {size:<{w1}}  {seconds * 1000:>9.1f}")


if __name__ == "__main__":
    main()

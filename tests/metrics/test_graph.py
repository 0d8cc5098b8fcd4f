"""transition_graph: hand-computed graph, a brute-force reference, mergeable counts."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import EventLog
from touchpath.exceptions import ConfigError
from touchpath.metrics import (
    DurationStats,
    Ratio,
    TransitionEdge,
    TransitionGraph,
    TransitionGraphCounts,
    TransitionNode,
    transition_graph,
)

from ._logs import HOUR, event_records, log_of, rec

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def test_hand_computed_graph() -> None:
    """a: visit, visit, trial (2 h after the first visit), paid (1 h later); b: visit, trial
    (4 h), visit (loop back, 1 h): visit->trial twice (median 3 h), trial->visit once."""
    log = log_of(
        rec("a", 0, "visit"), rec("a", HOUR, "visit"), rec("a", 2 * HOUR, "trial"),
        rec("a", 3 * HOUR, "paid"),
        rec("b", 0, "visit"), rec("b", 4 * HOUR, "trial"), rec("b", 5 * HOUR, "visit"),
    )  # fmt: skip
    g = transition_graph(log).to_networkx()
    assert sorted(g.edges(data="count")) == [
        ("trial", "paid", 1),
        ("trial", "visit", 1),
        ("visit", "trial", 2),
    ]
    e = g.edges["visit", "trial"]
    assert (e["journeys"], e["probability"]) == (2, 1.0)
    assert e["median_duration"] == dt.timedelta(hours=3)
    assert e["mean_duration"] == dt.timedelta(hours=3)
    assert g.edges["trial", "paid"]["probability"] == 0.5
    assert dict(g.nodes["visit"]) == {"visits": 3, "journeys": 2, "entries": 2, "exits": 1}
    assert dict(g.nodes["paid"]) == {"visits": 1, "journeys": 1, "entries": 0, "exits": 1}
    assert g.graph["level"] == "stage"


def test_repeats_become_self_loops_when_not_collapsed() -> None:
    """collapse_repeats=False: every event is a visit, so visit->visit appears."""
    log = log_of(rec("a", 0, "visit"), rec("a", HOUR, "visit"), rec("a", 2 * HOUR, "trial"))
    g = transition_graph(log, collapse_repeats=False).to_networkx()
    assert sorted(g.edges(data="count")) == [("visit", "trial", 1), ("visit", "visit", 1)]
    assert g.edges["visit", "trial"]["median_duration"] == dt.timedelta(hours=1)


def test_touchpoint_and_channel_levels() -> None:
    """Levels read the touchpoint or channel of each event; events without one are skipped."""
    log = log_of(
        {"journey_id": "a", "timestamp": 0, "touchpoint": "ad", "channel": "paid"},
        {"journey_id": "a", "timestamp": 1, "channel": "email"},
        {"journey_id": "a", "timestamp": 2, "touchpoint": "demo", "channel": "sales"},
    )
    assert list(transition_graph(log, level="touchpoint").to_networkx().edges) == [("ad", "demo")]
    assert sorted(transition_graph(log, level="channel").to_networkx().edges) == [
        ("email", "sales"),
        ("paid", "email"),
    ]


def test_bad_level_and_flag() -> None:
    """Unknown levels and non-bool flags raise ConfigError."""
    log = log_of(rec("a", 0, "visit"))
    with pytest.raises(ConfigError):
        transition_graph(log, level="campaign")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        transition_graph(log, collapse_repeats=1)  # type: ignore[arg-type]


def reference(log: EventLog) -> dict[str, Any]:
    """Per journey, straight from the definitions (stage level, collapsed visits)."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    journeys: dict[tuple[str, str], set[str]] = defaultdict(set)
    durations: dict[tuple[str, str], list[int]] = defaultdict(list)
    visits: dict[str, int] = defaultdict(int)
    entries: dict[str, int] = defaultdict(int)
    exits: dict[str, int] = defaultdict(int)
    node_journeys: dict[str, set[str]] = defaultdict(set)
    for j in log:
        seq: list[tuple[str, int]] = []
        for e in j:
            if e.stage is None:
                continue
            if not seq or seq[-1][0] != e.stage:
                t = dt.datetime.fromtimestamp(e.timestamp.timestamp(), dt.UTC) - EPOCH
                seq.append((e.stage, t // dt.timedelta(microseconds=1)))
        for (a, ta), (b, tb) in itertools.pairwise(seq):
            counts[a, b] += 1
            journeys[a, b].add(j.id)
            durations[a, b].append(tb - ta)
        for s, _ in seq:
            visits[s] += 1
            node_journeys[s].add(j.id)
        if seq:
            entries[seq[0][0]] += 1
            exits[seq[-1][0]] += 1
    return {
        "counts": dict(counts),
        "journeys": {k: len(v) for k, v in journeys.items()},
        "durations": {k: sorted(v) for k, v in durations.items()},
        "visits": dict(visits),
        "entries": {k: v for k, v in entries.items() if v},
        "exits": {k: v for k, v in exits.items() if v},
        "node_journeys": {k: len(v) for k, v in node_journeys.items()},
    }


def observed(c: TransitionGraphCounts) -> dict[str, Any]:
    """The same shape from the counts under test."""
    n = c.nodes

    def nonzero_matrix(m: np.ndarray[Any, Any]) -> dict[tuple[str, str], int]:
        return {(n[i], n[j]): int(m[i, j]) for i, j in zip(*np.nonzero(m), strict=True)}

    def nonzero_vector(v: np.ndarray[Any, Any]) -> dict[str, int]:
        return {n[i]: int(v[i]) for i in np.flatnonzero(v)}

    durations = {}
    for k, d in c.durations.items():
        assert d.values is not None
        durations[k] = d.values.tolist()
    return {
        "counts": nonzero_matrix(c.transitions),
        "journeys": nonzero_matrix(c.journeys),
        "durations": durations,
        "visits": nonzero_vector(c.visits),
        "entries": nonzero_vector(c.entries),
        "exits": nonzero_vector(c.exits),
        "node_journeys": nonzero_vector(c.node_journeys),
    }


@settings(max_examples=80, deadline=None)
@given(records=event_records())
def test_matches_the_brute_force_reference(records: list[dict[str, Any]]) -> None:
    """Every count and duration equals the per-journey reference on random logs."""
    log = EventLog.from_records(records)
    assert observed(TransitionGraphCounts.from_log(log)) == reference(log)


@settings(max_examples=50, deadline=None)
@given(records=event_records(), data=st.data())
def test_counts_of_two_halves_add_up_to_the_whole(
    records: list[dict[str, Any]], data: st.DataObject
) -> None:
    """Counts of a random split of the journeys add up to the counts of the whole log, and
    the graphs of both are equal."""
    log = EventLog.from_records(records)
    mask = np.array([data.draw(st.booleans()) for _ in range(len(log))], dtype=np.bool_)
    parts = [TransitionGraphCounts.from_log(log.select(m)) for m in (mask, ~mask) if m.any()]
    merged = sum(parts, TransitionGraphCounts.zero())
    whole = TransitionGraphCounts.from_log(log)
    assert merged == whole
    a, b = transition_graph(merged).to_networkx(), transition_graph(whole).to_networkx()
    assert dict(a.nodes.items()) == dict(b.nodes.items())
    assert {k: v for *k_, v in a.edges(data=True) for k in [tuple(k_)]} == {
        k: v for *k_, v in b.edges(data=True) for k in [tuple(k_)]
    }


def test_counts_of_different_levels_do_not_add() -> None:
    """Adding stage counts to touchpoint counts raises ConfigError."""
    with pytest.raises(ConfigError):
        TransitionGraphCounts.zero() + TransitionGraphCounts.zero(level="touchpoint")


def test_an_empty_log() -> None:
    """No events: an empty graph, and counts equal to zero()."""
    log = EventLog.from_records([])
    assert transition_graph(log).to_networkx().number_of_nodes() == 0
    assert TransitionGraphCounts.from_log(log) == TransitionGraphCounts.zero()


# j1: x@0 y@1h z@3h; j2: x@0 y@3h. By hand: x->y twice (1 h and 3 h), y->z once (2 h).
TINY = log_of(
    rec("j1", 0, "x"), rec("j1", HOUR, "y"), rec("j1", 3 * HOUR, "z"),
    rec("j2", 0, "x"), rec("j2", 3 * HOUR, "y"),
)  # fmt: skip
H = dt.timedelta(hours=1)
# linear interpolation between 1 h and 3 h: p25 1.5 h, p75 2.5 h, p90 2.8 h
XY = DurationStats(2, 2 * H, 2 * H, 1.5 * H, 2.5 * H, 2.8 * H, H, 3 * H)
YZ = DurationStats(1, 2 * H, 2 * H, 2 * H, 2 * H, 2 * H, 2 * H, 2 * H)


def test_to_networkx_is_the_graph_transition_graph_returned() -> None:
    """to_networkx() is the DiGraph transition_graph returned before it was typed: the
    expected graph is built by hand from TINY, node and edge attributes included."""
    import networkx as nx

    want: nx.DiGraph[str] = nx.DiGraph(level="stage")
    want.add_node("x", visits=2, journeys=2, entries=2, exits=0)
    want.add_node("y", visits=2, journeys=2, entries=0, exits=1)
    want.add_node("z", visits=1, journeys=1, entries=0, exits=1)
    want.add_edge("x", "y", count=2, journeys=2, probability=1.0, median_duration=2 * H,
                  mean_duration=2 * H, durations=XY)  # fmt: skip
    want.add_edge("y", "z", count=1, journeys=1, probability=1.0, median_duration=2 * H,
                  mean_duration=2 * H, durations=YZ)  # fmt: skip
    got = transition_graph(TINY).to_networkx()
    assert got.graph == want.graph
    assert [(n, got.nodes[n]) for n in got] == [(n, want.nodes[n]) for n in want]
    assert {(a, b): d for a, b, d in got.edges(data=True)} == {
        (a, b): d for a, b, d in want.edges(data=True)
    }
    assert list(got.nodes) == ["x", "y", "z"]


def test_typed_nodes_and_edges() -> None:
    """The typed view holds the same numbers as records; probabilities are Ratios."""
    g = transition_graph(TINY)
    assert isinstance(g, TransitionGraph)
    assert g.nodes == (
        TransitionNode("x", visits=2, journeys=2, entries=2, exits=0),
        TransitionNode("y", visits=2, journeys=2, entries=0, exits=1),
        TransitionNode("z", visits=1, journeys=1, entries=0, exits=1),
    )
    assert g.edges == (
        TransitionEdge("x", "y", count=2, journeys=2, probability=Ratio(2, 2), durations=XY),
        TransitionEdge("y", "z", count=1, journeys=1, probability=Ratio(1, 1), durations=YZ),
    )
    assert (g.edges[0].median_duration, g.edges[0].mean_duration) == (2 * H, 2 * H)
    assert (g.count("x", "y"), g.count("z", "x"), g.count("nope", "x")) == (2, 0, 0)
    assert g == transition_graph(TransitionGraphCounts.from_log(TINY))
    assert repr(g) == "<TransitionGraph stage: 3 nodes, 2 edges, 3 transitions>"


def test_to_pandas_has_one_row_per_edge() -> None:
    """to_pandas: one row per edge, in the order of the typed edges."""
    pytest.importorskip("pandas")
    frame = transition_graph(TINY).to_pandas()
    assert list(frame.columns) == [
        "source", "target", "count", "journeys", "probability", "median_duration",
        "mean_duration",
    ]  # fmt: skip
    assert frame[["source", "target", "count"]].values.tolist() == [["x", "y", 2], ["y", "z", 1]]
    assert frame["median_duration"].tolist() == [2 * H, 2 * H]

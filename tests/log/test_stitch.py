"""Identity stitching: components against networkx, order and partition independence,
funnels counting people once."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import EventLog, alias_map, stitch
from touchpath.exceptions import ConfigError
from touchpath.metrics import funnel

IDS = [f"id{i}" for i in range(12)]

pairs = st.lists(st.tuples(st.sampled_from(IDS), st.sampled_from(IDS)), max_size=15)


def reference_map(edges: list[tuple[str, str]]) -> dict[str, str]:
    """Connected components by networkx; each id to the smallest id of its component."""
    g: nx.Graph[str] = nx.Graph()
    g.add_edges_from(edges)
    return {node: min(comp) for comp in nx.connected_components(g) for node in comp}


@settings(max_examples=100)
@given(edges=pairs, seed=st.integers(0, 2**32 - 1))
def test_alias_map_equals_connected_components(edges: list[tuple[str, str]], seed: int) -> None:
    """Each id maps to the smallest id of its connected component, whatever the order of
    the pairs and of the two ids in each pair."""
    assert alias_map(edges) == reference_map(edges)
    rng = random.Random(seed)
    shuffled = [(b, a) if rng.random() < 0.5 else (a, b) for a, b in edges]
    rng.shuffle(shuffled)
    assert alias_map(shuffled) == alias_map(edges)


def test_long_chain_merges_transitively() -> None:
    """A chain of 2,000 ids given in reverse order is one person named by the smallest id."""
    chain = [(f"n{i:05d}", f"n{i + 1:05d}") for i in range(2000)][::-1]
    mapping = alias_map(chain)
    assert set(mapping.values()) == {"n00000"}
    assert len(mapping) == 2001


records = st.lists(
    st.fixed_dictionaries(
        {
            "journey_id": st.sampled_from(IDS),
            "timestamp": st.integers(0, 5),
            "stage": st.sampled_from(["visit", "trial", "paid"]),
        }
    ),
    min_size=1,
    max_size=25,
)


def _events(log: EventLog) -> Counter[tuple[str, int, str | None]]:
    return Counter((j.id, int(e.timestamp.timestamp()), e.stage) for j in log for e in j)


@settings(max_examples=80)
@given(rows=records, edges=pairs, data=st.data())
def test_stitching_parts_gives_the_events_of_stitching_the_whole(
    rows: list[dict[str, Any]], edges: list[tuple[str, str]], data: st.DataObject
) -> None:
    """However the journeys are split into parts, stitching each part with the same pairs
    names every event's person as stitching the whole log does; every event is kept."""
    log = EventLog.from_records(rows)
    whole = stitch(log, edges)
    assert whole.n_events == log.n_events
    side = np.array([data.draw(st.integers(0, 2)) for _ in range(len(log))])
    parts = [log.select(side == k) for k in range(3) if (side == k).any()]
    stitched = Counter[tuple[str, int, str | None]]()
    for part in parts:
        stitched += _events(stitch(part, list(reversed(edges))))
    assert stitched == _events(whole)
    expected = reference_map(edges)
    assert set(whole.journey_ids.tolist()) == {expected.get(j, j) for j in log.journey_ids}
    for j in whole:  # each merged journey stays in time order
        times = [e.timestamp for e in j]
        assert times == sorted(times)


@pytest.mark.filterwarnings(
    "ignore::touchpath.exceptions.UndefinedResultWarning"
)  # random data: nobody may enter
@settings(max_examples=80)
@given(rows=records, edges=pairs)
def test_funnels_count_a_stitched_person_once(
    rows: list[dict[str, Any]], edges: list[tuple[str, str]]
) -> None:
    """After stitching, the funnel's entered count is the number of people (components of
    the journey ids under the pairs) with a visit, counted by hand."""
    log = EventLog.from_records(rows)
    person = reference_map(edges)
    visitors = {person.get(r["journey_id"], r["journey_id"]) for r in rows if r["stage"] == "visit"}
    f = funnel(stitch(log, edges), ["visit", "trial"], level="stage")
    assert f.entered == len(visitors)


def test_ties_keep_the_order_of_the_original_ids() -> None:
    """Events at the same instant come in the order of their original journeys' ids."""
    log = EventLog.from_records(
        [
            {"journey_id": "z-cookie", "timestamp": 0, "stage": "trial"},
            {"journey_id": "a-user", "timestamp": 0, "stage": "visit"},
        ]
    )
    merged = stitch(log, {"z-cookie": "a-user"})
    assert merged.journey("a-user").stages == ("visit", "trial")
    assert merged.rows.tolist() == [0, 1]
    assert stitch(log, []) is log


@pytest.mark.parametrize(
    "bad",
    [["ab"], [("a",)], [("a", 1)], [("", "b")], "a-b", 7],
    ids=["string-pair", "one-id", "not-a-string", "empty", "string", "number"],
)
def test_bad_alias_pairs_are_refused(bad: Any) -> None:
    """Pairs must be two non-empty strings; the error names the pair."""
    with pytest.raises(ConfigError, match="alias"):
        alias_map(bad)


def test_stitching_before_dask_partitions_gives_the_single_process_funnel() -> None:
    """Renaming journey ids by alias_map inside each Dask partition (1, 2 or 3 partitions,
    pairs in any order) gives the funnel of the stitched log computed in one process."""
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    from touchpath import dask as tdask

    rng = random.Random(5)
    rows = [
        {"journey_id": rng.choice(IDS), "timestamp": rng.randint(0, 50), "stage": stage}
        for stage in ["visit", "trial", "paid"] * 20
    ]
    edges = [(rng.choice(IDS), rng.choice(IDS)) for _ in range(6)]
    expected = funnel(stitch(EventLog.from_records(rows), edges), ["visit", "trial", "paid"])
    frame = pd.DataFrame(rows)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], unit="s", utc=True)
    for n, order in ((1, edges), (2, edges[::-1]), (3, [(b, a) for a, b in edges])):
        mapping = alias_map(order)

        def rename(part: Any, mapping: dict[str, str] = mapping) -> Any:
            return part.assign(journey_id=part["journey_id"].map(lambda j: mapping.get(j, j)))

        events = dd.from_pandas(frame, npartitions=n).map_partitions(rename)
        got = tdask.funnel(events, ["visit", "trial", "paid"], level="stage")
        assert [s.reached for s in got.steps] == [s.reached for s in expected.steps]

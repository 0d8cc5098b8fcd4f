"""Maps of any size: linear-time loading, lazy tables, and limits on untrusted documents."""

from __future__ import annotations

import itertools
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import EventLog, JourneyMap, _mapdict
from touchpath.exceptions import MapError
from touchpath.testing.strategies import journey_maps
from touchpath.validation import TransitionKind, ValidationContext, validate

KIND_OF_CODE = {k.code: k for k in TransitionKind}


def chain_document(n: int) -> dict[str, object]:
    """A map of ``n`` stages in a line, with one loop-back from the last to the first."""
    ids = [f"s{i:06d}" for i in range(n)]
    edges: list[dict[str, str]] = [{"source": a, "target": b} for a, b in itertools.pairwise(ids)]
    edges.append({"source": ids[-1], "target": ids[0], "kind": "loop_back"})
    return {"name": "chain", "stages": [{"id": s} for s in ids], "edges": edges}


def test_a_large_map_builds_no_stage_by_stage_table_until_asked() -> None:
    """A 5,000-stage map answers lookups from its edges; the dense tables wait for first use.

    Distances along a line are index differences, by hand.
    """
    m = JourneyMap.from_dict(chain_document(5000))
    assert m._dist is None
    assert m._edge_code is None
    assert m.successors("s000010") == ("s000011",)
    assert m.predecessors("s000000") == ("s004999",)
    assert m.allows("s004999", "s000000")
    assert m.is_loop_back("s004999", "s000000")
    assert not m.allows("s000000", "s000002")
    assert m.forward_distance("s000003", "s000010") == 7
    assert m.forward_distance("s000010", "s000003") is None
    assert m.entry_stages == ("s000000",)
    assert m.terminal_stages == ("s004999",)
    assert m._dist is None
    assert m._edge_code is None


def test_dense_tables_are_built_on_demand_and_agree() -> None:
    """The lazily built distance and edge tables agree with the edge lookups."""
    m = JourneyMap.from_dict(chain_document(30))
    assert m._distance_matrix[2, 9] == 7
    assert m._distance_matrix[9, 2] == -1
    assert m._edge_matrix[29, 0] == 2
    assert m._edge_matrix[0, 1] == 1
    assert m.forward_distance("s000002", "s000009") == 7
    assert not m._distance_matrix.flags.writeable


@pytest.mark.parametrize("key", ["stages", "edges", "touchpoints", "channels"])
def test_lists_over_the_limit_are_refused_with_a_map_error(
    key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document list longer than its documented limit is refused before the map is built."""
    monkeypatch.setitem(_mapdict.LIMITS, key, 3)
    doc = chain_document(5)
    doc.setdefault(key, [{"id": f"x{i}"} for i in range(4)])
    with pytest.raises(MapError, match=f"'{key}' holds .* at most 3"):
        JourneyMap.from_dict(doc, source="m.json")


def test_a_document_over_the_byte_limit_is_refused_before_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Text over MAX_DOCUMENT_BYTES raises MapError without being parsed (even if invalid)."""
    monkeypatch.setattr(_mapdict, "MAX_DOCUMENT_BYTES", 10)
    with pytest.raises(MapError, match="at most 10 bytes; got 20"):
        JourneyMap.from_json("{" * 20, source="big.json")


def _dense_kinds(m: JourneyMap, source: int, target: int) -> tuple[TransitionKind, int]:
    """The kind of a move read from the full stages x stages tables (the way before)."""
    dist, edge = m._distance_matrix, m._edge_matrix
    if edge[source, target] == 2:
        return TransitionKind.LOOP_BACK, 0
    if edge[source, target] == 1:
        return TransitionKind.FORWARD, 0
    if dist[target, source] >= 1:
        return TransitionKind.REGRESSION, 0
    if dist[source, target] >= 2:
        return TransitionKind.SKIP, int(dist[source, target]) - 1
    return TransitionKind.SIDEWAYS, 0


@settings(max_examples=30)
@given(journey_maps(min_stages=2, max_stages=8), st.data())
def test_transition_kinds_found_per_move_equal_those_of_the_full_tables(
    m: JourneyMap, data: st.DataObject
) -> None:
    """Each observed move's kind and skipped stages, found by search, match the dense tables.

    The reference classifies from the all-pairs distance and edge tables; a stage outside the
    map makes the move UNKNOWN.
    """
    names = [*m.stage_ids, "not-in-map"]
    walk = data.draw(st.lists(st.sampled_from(names), min_size=2, max_size=12))
    log = EventLog.from_records(
        [{"journey_id": "j", "timestamp": i, "stage": s} for i, s in enumerate(walk)]
    )
    t = ValidationContext(log, m, now=0).transitions
    kinds = [KIND_OF_CODE[int(k)] for k in t.kind] if len(t) else []
    fresh = JourneyMap.from_dict(m.to_dict())  # its tables are built for the reference only
    for k, a, b, skipped in zip(kinds, t.source_code, t.target_code, t.skipped, strict=True):
        sa, sb = log.stage_ids[a], log.stage_ids[b]
        if "not-in-map" in (sa, sb):
            assert (k, int(skipped)) == (TransitionKind.UNKNOWN, 0)
        else:
            expected = _dense_kinds(fresh, fresh.stage_index(sa), fresh.stage_index(sb))
            assert (k, int(skipped)) == expected
    assert m._dist is None


def test_validating_against_a_10000_stage_map_builds_no_stage_by_stage_table() -> None:
    """validate() on a 10,000-stage chain allocates megabytes, not the 10^8-cell tables.

    tracemalloc's peak stays under 20 MB where one int8 table of 10,000^2 cells is 100 MB;
    the skip of 1 -> 4 jumps two stages and 4 -> 3 moves back (by hand on the line).
    """
    m = JourneyMap.from_dict(chain_document(10_000))
    walk = ["s000000", "s000001", "s000004", "s000003", "s009999", "s000000"]
    log = EventLog.from_records(
        [{"journey_id": "j", "timestamp": i, "stage": s} for i, s in enumerate(walk)]
    )
    tracemalloc.start()
    try:
        report = validate(log, m)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000
    assert m._dist is None
    assert m._edge_code is None
    t = ValidationContext(log, m, now=0).transitions
    assert [KIND_OF_CODE[int(k)] for k in t.kind] == [
        TransitionKind.FORWARD,
        TransitionKind.SKIP,
        TransitionKind.REGRESSION,
        TransitionKind.SKIP,
        TransitionKind.LOOP_BACK,
    ]
    assert t.skipped.tolist() == [0, 2, 0, 9995, 0]
    assert len(report.violations) > 0
    assert m.forward_distance("s000003", "s009999") == 9996

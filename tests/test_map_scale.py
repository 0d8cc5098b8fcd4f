"""Maps of any size: linear-time loading, lazy tables, and limits on untrusted documents."""

from __future__ import annotations

import itertools

import pytest

from touchpath import JourneyMap, _mapdict
from touchpath.exceptions import MapError


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

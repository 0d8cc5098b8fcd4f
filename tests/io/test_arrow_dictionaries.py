"""Arrow dictionary columns take a fast path through the core (values sorted and checked in
Arrow, no per-value Python); every case here must give the log the record reader gives."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from touchpath import EventLog, Schema
from touchpath._ingest import _normal_ids
from touchpath._log import _argsort_stable

pa = pytest.importorskip("pyarrow")


def _records(table: Any) -> list[dict[str, Any]]:
    return table.to_pylist()  # type: ignore[no-any-return]


def _dict(indices: list[int | None], values: list[str | None]) -> Any:
    return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), pa.array(values))


def _same(table: Any, **options: Any) -> EventLog:
    """The log of ``table`` read as a stream of two-row batches, after checking it equals
    the log ``from_records`` builds from the same rows as Python dicts (the independent
    path: no Arrow, one value at a time)."""
    got = EventLog.from_arrow(table.to_reader(max_chunksize=2), **options)
    want = EventLog.from_records(_records(table), **options)
    assert got.equals(want)
    assert [(r.row, r.field, r.reason) for r in got.rejected] == [
        (r.row, r.field, r.reason) for r in want.rejected
    ]
    return got


def test_ids_needing_normal_form_are_normalised() -> None:
    """' a', 'a ' and 'a' are one journey; 'e' + combining acute (NFD) is the NFC 'é'."""
    ids = _dict([0, 1, 2, 3, 4], [" a", "a ", "a", "e\u0301", "\u00e9"])
    table = pa.table({"journey_id": ids, "timestamp": [1, 2, 3, 4, 5], "stage": ["s"] * 5})
    log = _same(table)
    assert log.journey_ids.tolist() == ["a", "\u00e9"]
    assert log.n_events == 5


def test_empty_text_unused_entries_and_duplicates_in_a_dictionary() -> None:
    """A dictionary with '' (missing), an entry no row uses ('zz') and the same text twice
    ('x' at 1 and 3): channels are ('x', 'y'); the row whose only field is '' is rejected."""
    channel = _dict([1, 0, 3, 4, 1], ["", "x", "zz", "x", "y"])
    table = pa.table({"journey_id": ["j"] * 5, "timestamp": [1, 2, 3, 4, 5], "channel": channel})
    log = _same(table, on_error="collect")
    assert log.channel_ids == ("x", "y")
    assert [r.row for r in log.rejected] == [1]
    assert log.journey("j").channels == ("x", "x", "y", "x")


def test_batches_with_their_own_unsorted_dictionaries() -> None:
    """Every batch brings a new dictionary in no particular order: the names end sorted
    and each row keeps its own (checked against from_records)."""
    rng = np.random.default_rng(5)
    names = [f"c{k}" for k in rng.permutation(40)]
    codes = rng.integers(0, 40, 60)
    ids = [f"j{k}" for k in rng.integers(0, 15, 60)]
    batches = []
    for start in range(0, 60, 7):
        part = codes[start : start + 7]
        local = sorted(set(part.tolist()), reverse=True)
        where = {c: i for i, c in enumerate(local)}
        batches.append(
            pa.record_batch(
                {
                    "journey_id": pa.array(ids[start : start + 7]).dictionary_encode(),
                    "timestamp": pa.array(range(start, start + len(part))),
                    "channel": _dict([where[c] for c in part.tolist()], [names[c] for c in local]),
                }
            )
        )
    table = pa.Table.from_batches(batches)
    log = _same(table)
    assert list(log.channel_ids) == sorted({names[c] for c in codes.tolist()})


def test_null_ids_are_rejected_by_row() -> None:
    """A null journey id in a dictionary column is an empty id: its row (1) is rejected."""
    table = pa.table(
        {"journey_id": _dict([0, None, 1], ["a", "b"]), "timestamp": [1, 2, 3], "stage": ["s"] * 3}
    )
    log = _same(table, on_error="collect", schema=Schema())
    assert [(r.row, r.reason) for r in log.rejected] == [(1, "empty journey id")]


@pytest.mark.parametrize(
    ("ids", "normal"),
    [
        (["a", "b"], True),
        ([], True),
        (["a", ""], False),
        (["a", " b"], False),
        (["a\x1c"], False),  # str.strip() removes the ASCII separators 0x1c-0x1f
        (["a\x00b", "c"], True),  # a NUL inside an id is not a separator
        (["\x00", "c"], True),
        (["caf\u00e9"], True),
        (["cafe\u0301"], False),  # NFD
        (["\u00a0x"], False),  # no-break space is whitespace
        (["   "], False),
    ],
)
def test_normal_ids_agrees_with_the_rule(ids: list[str], normal: bool) -> None:
    """The expected answer is the rule itself, one id at a time (normalize_id's rule: not
    empty, equal to its NFC form with surrounding whitespace removed), written out here."""
    import unicodedata

    by_rule = all(i and unicodedata.normalize("NFC", i.strip()) == i for i in ids)
    assert by_rule == normal
    assert _normal_ids(ids) == normal


@pytest.mark.parametrize("high", [2, 40, 10**12])
def test_argsort_stable_matches_numpy_stable_sort(high: int) -> None:
    """Against numpy's own stable sort, with many ties (high=2), some, and none."""
    rng = np.random.default_rng(high)
    for n in (0, 1, 2, 17, 1000, 5000):
        key = rng.integers(0, high, n)
        assert np.array_equal(_argsort_stable(key), np.argsort(key, kind="stable"))


def test_many_batches_each_with_its_own_dictionary() -> None:
    """300 batches of 50 rows, each dictionary-encoded on its own (as a shuffled Parquet file
    or an IPC stream arrives), with nulls, empty batches and repeated dictionaries: the
    deferred unification must give the log from_records gives."""
    rng = np.random.default_rng(11)
    ids = [f"u{k}" for k in rng.integers(0, 3000, 15_000)]
    channels = [None if k == 0 else f"c{k}" for k in rng.integers(0, 30, 15_000)]
    batches = []
    for start in range(0, 15_000, 50):
        rows = slice(start, start + 50)
        channel = pa.array(channels[rows]).dictionary_encode()
        batches.append(
            pa.record_batch(
                {
                    "journey_id": pa.array(ids[rows]).dictionary_encode(),
                    "timestamp": pa.array(range(start, start + 50)),
                    "channel": channel,
                }
            )
        )
        if start % 1000 == 0:
            batches.append(batches[-1].slice(0, 0))  # an empty batch
            batches.append(batches[-2])  # the same dictionaries again
    table = pa.Table.from_batches(batches)
    log = _same(table, on_error="collect")
    assert log.rows_read == table.num_rows
    assert len(log.rejected) == sum(c is None for c in table.column("channel").to_pylist())

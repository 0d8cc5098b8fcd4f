"""PathCounts grouping and ordering on long paths, against Python's own tuple sort."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pytest

from touchpath._paths import ConversionPaths, PathCounts, _lexicographic_order


def _csr(paths: list[tuple[int, ...]]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    offsets = np.zeros(len(paths) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in paths], out=offsets[1:])
    codes = np.array([c for p in paths for c in p], dtype=np.int32)
    return offsets, codes


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_order_equals_sorted_tuples_with_long_shared_prefixes(seed: int) -> None:
    """Distinct paths sharing prefixes of up to 3,000 codes sort as ``sorted()`` sorts tuples.

    Prefixes of other paths (and the empty path) must come first, as in
    Python's tuple order.
    """
    rng = np.random.default_rng(seed)
    stem = tuple(int(c) for c in rng.integers(0, 3, 3000))
    paths = {stem, stem[:1], (), stem[:1500]}
    for _ in range(200):
        cut = int(rng.integers(0, 3000))
        tail = tuple(int(c) for c in rng.integers(0, 3, int(rng.integers(0, 20))))
        paths.add(stem[:cut] + tail)
    listed = sorted(paths, key=lambda p: rng.random())
    offsets, codes = _csr(listed)
    got = [listed[i] for i in _lexicographic_order(offsets, codes).tolist()]
    assert got == sorted(listed)


def test_ten_long_journeys_group_like_short_ones() -> None:
    """10 paths of 100,000 touches (two of them equal) group into 9 rows, sorted.

    The expected rows come from Python: a Counter of the paths' tuples.
    """
    rng = np.random.default_rng(3)
    paths = [tuple(int(c) for c in rng.integers(0, 4, 100_000)) for _ in range(9)]
    paths.append(paths[4])
    offsets, codes = _csr(paths)
    cp = ConversionPaths(
        items=("a", "b", "c", "d"),
        offsets=offsets,
        codes=codes,
        conversions=np.ones(10),
        non_conversions=np.zeros(10),
        values=np.arange(10, dtype=np.float64),
    )
    pc = PathCounts.from_paths(cp)
    assert len(pc) == 9
    bounds = pc.offsets.tolist()
    rows = [tuple(pc.codes[a:b].tolist()) for a, b in itertools.pairwise(bounds)]
    assert rows == sorted(set(paths))
    assert pc.conversions[rows.index(paths[4])] == 2.0
    assert pc.values[rows.index(paths[4])] == 4.0 + 9.0

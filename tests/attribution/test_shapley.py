"""Shapley attribution against brute-force enumerations of permutations and coalitions."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from touchpath import EventLog
from touchpath.attribution import (
    CoalitionCounts,
    Linear,
    PathCounts,
    Shapley,
    ShapleyGame,
    attribute,
)
from touchpath.attribution._shapley import coalition_shapley, harsanyi_shapley
from touchpath.exceptions import ConfigError, UnsupportedInputError
from touchpath.testing import random_log_records

Row = tuple[tuple[str, ...], int, int, float]

ROWS = st.lists(
    st.tuples(
        st.lists(st.sampled_from("abcde"), min_size=0, max_size=4).map(tuple),
        st.integers(0, 5),
        st.integers(0, 5),
        st.integers(0, 40).map(float),
    ),
    min_size=1,
    max_size=8,
)


def worth(rows: list[Row], game: str) -> dict[frozenset[str], float]:
    """w(T) per exact channel set T (attributed paths only)."""
    conv: dict[frozenset[str], float] = {}
    seen: dict[frozenset[str], float] = {}
    for path, c, n, _ in rows:
        if not path:
            continue
        key = frozenset(path)
        conv[key] = conv.get(key, 0.0) + c
        seen[key] = seen.get(key, 0.0) + c + n
    if game == "conversions":
        return conv
    return {k: conv[k] / seen[k] if seen[k] else 0.0 for k in conv}


def shapley_by_permutations(players: list[str], v: dict[frozenset[str], float]) -> dict[str, float]:
    """The textbook definition: average marginal contribution over all orderings."""

    def value(s: frozenset[str]) -> float:
        return sum(w for t, w in v.items() if t <= s)

    phi = dict.fromkeys(players, 0.0)
    perms = list(itertools.permutations(players))
    for perm in perms:
        before: frozenset[str] = frozenset()
        for p in perm:
            phi[p] += value(before | {p}) - value(before)
            before = before | {p}
    return {p: x / len(perms) for p, x in phi.items()}


def shapley_by_zeta(players: list[str], v: dict[frozenset[str], float]) -> dict[str, float]:
    """Coalition formula over all 2^n subsets, v computed by a zeta (subset-sum) transform."""
    n = len(players)
    w = np.zeros(1 << n)
    for t, x in v.items():
        w[sum(1 << players.index(p) for p in t)] += x
    for i in range(n):  # zeta transform: v(S) = sum over T within S of w(T)
        for s in range(1 << n):
            if s >> i & 1:
                w[s] += w[s ^ (1 << i)]
    phi = {}
    for i, p in enumerate(players):
        total = 0.0
        for s in range(1 << n):
            if not s >> i & 1:
                k = bin(s).count("1")
                weight = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
                total += weight * (w[s | 1 << i] - w[s])
        phi[p] = total
    return phi


@settings(max_examples=40, deadline=None)
@given(rows=ROWS, game=st.sampled_from(["conversions", "conversion_rate"]))
def test_matches_brute_force_shapley(rows: list[Row], game: str) -> None:
    """Shapley values equal the permutation and the coalition (zeta) definitions. Credits: for
    the conversions game the values themselves; for the rate game each path's conversions
    split among its distinct items in proportion to their (brute-force) values."""
    rows = [(p, c, n if (c or n) else 1, v if c else 0.0) for p, c, n, v in rows]
    result = attribute(PathCounts.from_rows(rows), Shapley(game=game))
    players = sorted({x for p, *_ in rows for x in p})
    if not players:
        return
    v = worth(rows, game)
    by_perm = shapley_by_permutations(players, v)
    by_zeta = shapley_by_zeta(players, v)
    assert by_perm == pytest.approx(by_zeta, rel=1e-9, abs=1e-12)
    attributed = sum(c for p, c, _, _ in rows if p)
    total = sum(by_perm.values())
    expected = {p: (x / total * attributed if total else 0.0) for p, x in by_perm.items()}
    if game == "conversion_rate":
        expected = dict.fromkeys(players, 0.0)
        for p, c, _, _ in rows:
            members = sorted(set(p))
            weight = sum(by_perm[x] for x in members)
            for x in members:
                expected[x] += c * (by_perm[x] / weight if weight else 1 / len(members))
    assert result.credits() == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert all(x >= 0 for x in result.credits().values())


@settings(max_examples=30, deadline=None)
@given(rows=ROWS)
def test_conversions_game_equals_linear_per_channel(rows: list[Row]) -> None:
    """The documented identity: Shapley of the conversions game == Linear(per='channel')."""
    rows = [(p, c, n if (c or n) else 1, v if c else 0.0) for p, c, n, v in rows]
    pc = PathCounts.from_rows(rows)
    a, b = attribute(pc, Shapley()), attribute(pc, Linear(per="channel"))
    np.testing.assert_allclose(a.conversions, b.conversions, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a.values, b.values, rtol=1e-12, atol=1e-12)


def test_rate_game_hand_case() -> None:
    """Paths {a}: 2 of 4 convert (rate 1/2); {a, b}: 1 of 1 (rate 1).

    phi_a = 1/2 + 1/2 = 1, phi_b = 1/2. {a}'s 2 conversions go to a; {a, b}'s 1 splits
    1 : 1/2, so a gets 2 + 2/3 and b 1/3.
    """
    pc = PathCounts.from_rows([(["a"], 2, 2, 0), (["a", "b"], 1, 0, 0)])
    credits = attribute(pc, Shapley(game=ShapleyGame.CONVERSION_RATE)).credits()
    assert credits == pytest.approx({"a": 8 / 3, "b": 1 / 3})


def test_rate_game_credit_follows_volume() -> None:
    """The issue's case: 1,000 of 2,000 journeys on a alone convert (rate 1/2), 1 of 1 on b
    alone (rate 1). Spreading all 1,001 conversions by phi (1/2 : 1) gave b 667; credit now
    follows volume: a 1,000, b 1. With a shared path {a, b} of 3 of 4 (rate 3/4):
    phi_a = 1/2 + 3/8, phi_b = 1 + 3/8, so its 3 conversions split 0.875 : 1.375."""
    game = Shapley(game="conversion_rate")
    pc = PathCounts.from_rows([(["a"], 1000, 1000, 0), (["b"], 1, 0, 0)])
    assert attribute(pc, game).credits() == pytest.approx({"a": 1000.0, "b": 1.0})
    pc = PathCounts.from_rows([(["a"], 1000, 1000, 0), (["b"], 1, 0, 0), (["a", "b"], 3, 1, 0)])
    assert attribute(pc, game).credits() == pytest.approx(
        {"a": 1000 + 3 * 0.875 / 2.25, "b": 1 + 3 * 1.375 / 2.25}
    )


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_coalition_counts_of_halves_merge_exactly(seed: int) -> None:
    """CoalitionCounts of two halves added equal those of the whole; attribute() reads them."""
    log = EventLog.from_records(random_log_records(np.random.default_rng(seed)))
    half = np.arange(len(log)) < len(log) // 2
    parts = [CoalitionCounts.from_log(log.select(m)) for m in (half, ~half) if m.any()]
    merged = sum(parts, CoalitionCounts.zero())
    assert merged.equals(CoalitionCounts.from_log(log))
    for game in ShapleyGame:
        a = attribute(merged, Shapley(game=game))
        b = attribute(log, Shapley(game=game))
        np.testing.assert_allclose(a.conversions, b.conversions, rtol=1e-12)
        assert a.unattributed == b.unattributed


def test_many_channels_are_exact_with_no_item_limit() -> None:
    """30 channels need no 2^30 enumeration; 1,000 need no bitmask (only ``masks`` refuses).

    By hand: a path over n items worth 3 gives each 3/n; a one-item path
    gives its item all of its conversion.
    """
    names = [f"c{i:02d}" for i in range(30)]
    pc = PathCounts.from_rows([(names, 3, 0, 0.0), (names[:1], 1, 0, 0.0)])
    credits = attribute(pc, Shapley()).credits()
    assert credits["c00"] == pytest.approx(1 + 3 / 30)
    assert credits["c29"] == pytest.approx(3 / 30)
    many = [f"c{i:04d}" for i in range(1000)]
    big = PathCounts.from_rows([(many, 2, 0, 0.0), (many[500:], 1, 1, 0.0), (many[:1], 1, 0, 0.0)])
    got = attribute(big, Shapley()).credits()
    assert got["c0000"] == pytest.approx(1 + 2 / 1000)
    assert got["c0499"] == pytest.approx(2 / 1000)
    assert got["c0500"] == pytest.approx(2 / 1000 + 1 / 500)
    counts = Shapley().counts(big)
    assert counts.coalitions()[0] == ("c0000",)
    with pytest.raises(ConfigError, match="at most 63"):
        _ = counts.masks


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.lists(st.integers(0, 62), max_size=8),
            st.integers(0, 3),
            st.integers(0, 3),
            st.floats(0, 100),
        ),
        max_size=30,
    ),
    game=st.sampled_from(["conversions", "conversion_rate"]),
)
@example(  # bits past 2**53: a float sum of the bits would round them
    rows=[([2, 4, 5, 6, 8, 19], 0, 0, 0.0), ([0, 1, 3, 17, 31, 36, 45, 55, 62], 1, 0, 0.0)],
    game="conversions",
)
def test_coalition_rows_equal_the_bitmask_formula(
    rows: list[tuple[list[int], int, int, float]], game: str
) -> None:
    """On up to 63 items the compressed coalitions give what bitmasks gave, exactly ordered.

    The reference builds each path's bitmask in Python, sums worths per
    mask (sorted by mask, as the former table was) and applies the
    bitmask Harsanyi formula ``harsanyi_shapley``.
    """
    named = [  # value only on rows with conversions (PathCounts refuses it elsewhere)
        ([f"i{c:02d}" for c in p], c, n if (c or n) else 1, v if c else 0.0) for p, c, n, v in rows
    ]
    counts = Shapley(game=game).counts(PathCounts.from_rows(named))
    position = {x: i for i, x in enumerate(counts.items)}
    by_mask: dict[int, float] = defaultdict(float)
    for p, c, _, _ in named:
        by_mask[sum(1 << position[x] for x in set(p))] += c
    assert counts.masks.tolist() == sorted(by_mask)
    assert counts.conversions.tolist() == pytest.approx([by_mask[m] for m in sorted(by_mask)])
    masks = np.array(sorted(by_mask), dtype=np.int64)
    expected = harsanyi_shapley(masks, counts.conversions, len(counts.items))
    got = coalition_shapley(counts.offsets, counts.members, counts.conversions, len(counts.items))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_counts_need_a_shapley_model() -> None:
    """CoalitionCounts feed Shapley only; game names are checked."""
    counts = Shapley().counts(PathCounts.from_rows([(["a"], 1, 0, 0.0)]))
    with pytest.raises(UnsupportedInputError):
        attribute(counts, Linear())
    with pytest.raises(ConfigError):
        Shapley(game="exact_rate")

"""Ordered Shapley values against a brute force over every ordering of (item, position) players."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath.attribution import OrderedShapley, PathCounts, Shapley, attribute
from touchpath.testing import check_attribution_model

Row = tuple[tuple[str, ...], int, int, float]
Players = frozenset[tuple[str, int]]

ROWS = st.lists(
    st.tuples(
        st.lists(st.sampled_from("abc"), min_size=0, max_size=4).map(tuple),
        st.integers(0, 5),
        st.integers(0, 5),
        st.integers(0, 40).map(float),
    ).map(lambda r: (r[0], r[1], r[2], r[3] if r[1] else 0.0)),  # value only with conversions
    min_size=1,
    max_size=6,
)


def ordered_coalition(path: tuple[str, ...]) -> tuple[str, ...]:
    """Distinct items in order of first touch, written out by hand."""
    seen: list[str] = []
    for x in path:
        if x not in seen:
            seen.append(x)
    return tuple(seen)


def ordered_worth(rows: list[Row], game: str, value: bool = False) -> dict[Players, float]:
    """w(T) per ordered coalition, T as a set of (item, position) players."""
    conv: dict[Players, float] = {}
    seen: dict[Players, float] = {}
    for path, c, n, v in rows:
        if not path:
            continue
        key = frozenset((x, k) for k, x in enumerate(ordered_coalition(path)))
        conv[key] = conv.get(key, 0.0) + (v if value else c)
        seen[key] = seen.get(key, 0.0) + c + n
    if game == "conversions":
        return conv
    return {k: conv[k] / seen[k] if seen[k] else 0.0 for k in conv}


def shapley_by_orderings(worth: dict[Players, float]) -> dict[tuple[str, int], float]:
    """The textbook definition: average marginal contribution over every ordering of players."""
    players = sorted({p for t in worth for p in t})

    def v(s: Players) -> float:
        return sum(w for t, w in worth.items() if t <= s)

    phi = dict.fromkeys(players, 0.0)
    for order in itertools.permutations(players):
        s: Players = frozenset()
        for p in order:
            phi[p] += v(s | {p}) - v(s)
            s = s | {p}
    n = math.factorial(len(players))
    return {p: x / n for p, x in phi.items()}


def table_of(fit_phi: np.ndarray, items: tuple[str, ...]) -> dict[tuple[str, int], float]:
    return {
        (x, k): float(fit_phi[i, k])
        for i, x in enumerate(items)
        for k in range(fit_phi.shape[1])
        if fit_phi[i, k] != 0
    }


@given(ROWS, st.sampled_from(["conversions", "conversion_rate"]))
@settings(max_examples=60)
def test_matches_brute_force_over_orderings(rows: list[Row], game: str) -> None:
    """phi per (item, position) equals the permutation definition (<= 8 players here: 3 items
    at up to 3 positions), and every credit is >= 0."""
    pc = PathCounts.from_rows(rows)
    fit = OrderedShapley(game=game).fit(pc)
    want = {p: x for p, x in shapley_by_orderings(ordered_worth(rows, game)).items() if x != 0}
    got = table_of(fit.phi, fit.items)
    assert got.keys() == want.keys()
    for p in want:
        assert got[p] == pytest.approx(want[p], abs=1e-9)
    assert (fit.conversions >= 0).all()
    assert (fit.values >= 0).all()


@given(ROWS)
@settings(max_examples=60)
def test_efficiency(rows: list[Row]) -> None:
    """Efficiency: the position table sums to the attributed conversions and value."""
    pc = PathCounts.from_rows(rows)
    for game in ("conversions", "conversion_rate"):
        r = attribute(pc, OrderedShapley(game=game))
        attributed = float(sum(c for p, c, _, _ in rows if p))
        value = sum(v for p, _, _, v in rows if p)
        if game == "conversion_rate" and r.fitted.phi.sum() == 0:
            attributed = value = 0.0
        assert r.fitted.conversions.sum() == pytest.approx(attributed)
        assert r.fitted.values.sum() == pytest.approx(value)
        assert r.attributed + r.unattributed == pytest.approx(r.total_conversions) or (
            attributed == 0
        )


@given(ROWS)
@settings(max_examples=40)
def test_symmetry(rows: list[Row]) -> None:
    """Symmetry: the data plus its copy with a and b swapped gives a and b equal credit at
    every position."""
    swap = {"a": "b", "b": "a", "c": "c"}
    mirrored = [(tuple(swap[x] for x in p), c, n, v) for p, c, n, v in rows]
    fit = OrderedShapley().fit(PathCounts.from_rows(rows + mirrored))
    table = fit.table()
    if "a" in table:
        assert table["a"] == pytest.approx(table["b"])


@given(ROWS)
@settings(max_examples=40)
def test_null_player(rows: list[Row]) -> None:
    """Null player: an item only on paths that never convert gets nothing at any position."""
    extra = [(("z", *p), 0, n + 1, 0.0) for p, _, n, _ in rows]
    table = OrderedShapley().fit(PathCounts.from_rows(rows + extra)).table()
    assert all(x == 0 for x in table["z"])


@given(ROWS)
@settings(max_examples=40)
def test_conversions_game_sums_to_unordered_shapley(rows: list[Row]) -> None:
    """For the conversions game, summing over positions gives the unordered Shapley credit."""
    pc = PathCounts.from_rows(rows)
    ordered = attribute(pc, OrderedShapley()).credits(value=True)
    plain = attribute(pc, Shapley()).credits(value=True)
    assert ordered == pytest.approx(plain)


def test_hand_example() -> None:
    """(a, b, a) and (b, a) with 2 conversions each: the coalitions (a, b) and (b, a) split
    each path's 2 conversions 1 : 1, so a and b both get 1 at position 0 and 1 at position 1."""
    pc = PathCounts.from_rows([(["a", "b", "a"], 2, 0, 0), (["b", "a"], 2, 0, 0)])
    assert OrderedShapley().fit(pc).table() == {"a": (1.0, 1.0), "b": (1.0, 1.0)}


def test_counts_merge() -> None:
    """The ordered-coalition table is mergeable: solving the sum equals solving all the data."""
    a = PathCounts.from_rows([(["a", "b", "a"], 2, 1, 5.0)])
    b = PathCounts.from_rows([(["b", "a"], 1, 1, 3.0), (["a"], 1, 0, 1.0)])
    m = OrderedShapley()
    merged = m.solve(m.counts(a) + m.counts(b))
    direct = m.fit(a + b)
    assert np.array_equal(merged.conversions, direct.conversions)


def test_conformance() -> None:
    """The model passes touchpath's own conformance check on random logs."""
    check_attribution_model(OrderedShapley())
    check_attribution_model(OrderedShapley(game="conversion_rate"))


@pytest.mark.parametrize("seed", range(5))
def test_stage_positions(seed: int) -> None:
    """With position='stage' each path's conversions are split equally among its distinct
    channels, each part filed under the stage of the channel's first touch (computed here
    journey by journey); rows sum to the unordered Shapley credit."""
    from touchpath import EventLog
    from touchpath.attribution import conversion_paths
    from touchpath.testing import random_log_records

    log = EventLog.from_records(random_log_records(np.random.default_rng(seed), journeys=15))
    fit = OrderedShapley(position="stage").fit(log)
    assert fit.labels is not None
    paths = conversion_paths(log)
    assert paths.events is not None
    want: dict[tuple[str, str | None], float] = {}
    for p in range(paths.n_paths):
        a, b = int(paths.offsets[p]), int(paths.offsets[p + 1])
        firsts: dict[str, str | None] = {}
        for t in range(a, b):
            item = paths.items[int(paths.codes[t])]
            code = int(log.stage_codes[int(paths.events[t])])
            firsts.setdefault(item, log.stage_ids[code] if code >= 0 else None)
        for item, stage in firsts.items():
            key = (item, stage)
            want[key] = want.get(key, 0.0) + float(paths.conversions[p]) / len(firsts)
    got = {
        (item, fit.labels[k]): float(fit.conversions[i, k])
        for i, item in enumerate(fit.items)
        for k in range(fit.n_positions)
        if fit.conversions[i, k] != 0
    }
    assert got == pytest.approx({k: v for k, v in want.items() if v != 0})
    totals = attribute(log, OrderedShapley(position="stage")).credits()
    assert totals == pytest.approx(attribute(log, Shapley()).credits())


def test_stage_positions_need_a_log_and_the_conversions_game() -> None:
    """Path counts have no stages; the rate game is not offered by stage."""
    from touchpath.exceptions import ConfigError, UnsupportedInputError

    with pytest.raises(UnsupportedInputError):
        OrderedShapley(position="stage").fit(PathCounts.from_rows([(["a"], 1, 0, 0)]))
    with pytest.raises(ConfigError, match="conversions game"):
        OrderedShapley(game="conversion_rate", position="stage")
    with pytest.raises(ConfigError, match="position"):
        OrderedShapley(position="touch")  # type: ignore[arg-type]

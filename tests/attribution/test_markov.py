"""Markov attribution against hand-solved chains and an independent reference solver."""

from __future__ import annotations

import itertools
from collections import defaultdict
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import EventLog
from touchpath.attribution import Linear, Markov, PathCounts, TransitionCounts, attribute
from touchpath.exceptions import ConfigError, UnsupportedInputError
from touchpath.testing import random_log_records

Row = tuple[tuple[str, ...], int, int, float]


def reference_markov(rows: list[Row], order: int = 1) -> dict[str, float]:
    """Removal-effect credits by value iteration on Fraction-free dict counts (pure Python).

    Counting walks each path in Python; absorption probabilities come from
    iterating x <- Q x + r to convergence (not a linear solve), so the code
    shares nothing with the implementation.
    """
    start: dict[tuple[object, ...], float] = defaultdict(float)
    trans: dict[tuple[object, ...], dict[tuple[object, ...], float]] = defaultdict(
        lambda: defaultdict(float)
    )
    conv: dict[tuple[object, ...], float] = defaultdict(float)
    null: dict[tuple[object, ...], float] = defaultdict(float)
    total_conv = 0.0
    for path, c, n, _ in rows:
        if not path:
            continue
        padded = (None,) * (order - 1) + tuple(path)
        states = [padded[i : i + order] for i in range(len(path))]
        start[states[0]] += c + n
        for a, b in itertools.pairwise(states):
            trans[a][b] += c + n
        conv[states[-1]] += c
        null[states[-1]] += n
        total_conv += c
    states_all = set(start) | set(conv) | set(null) | set(trans)
    for t in trans.values():
        states_all |= set(t)

    def p_conv(removed: str | None) -> float:
        x = dict.fromkeys(states_all, 0.0)
        for _ in range(5000):
            new = {}
            for s in states_all:
                if removed is not None and removed in s:
                    new[s] = 0.0
                    continue
                out = sum(trans[s].values()) + conv[s] + null[s]
                new[s] = (conv[s] + sum(w * x[t] for t, w in trans[s].items())) / out
            if max(abs(new[s] - x[s]) for s in states_all) < 1e-15:
                x = new
                break
            x = new
        total = sum(start.values())
        return sum(w * x[s] for s, w in start.items()) / total

    items = sorted({i for path, *_ in rows for i in path})
    p = p_conv(None)
    effects = {i: 1 - p_conv(i) / p for i in items}
    norm = sum(effects.values())
    return {i: effects[i] / norm * total_conv for i in items}


def test_hand_solved_chain() -> None:
    """Paths (a, b) converting once and not once, (b) converting once.

    Start: a 2/3, b 1/3; a -> b always; b -> conversion 2/3. P = 2/3.
    Without a: 1/3 * 2/3 = 2/9, RE_a = 1 - (2/9)/(2/3) = 2/3. Without b: 0, RE_b = 1.
    Credits: 2 conversions split 2/3 : 1 -> a 0.8, b 1.2.
    """
    pc = PathCounts.from_rows([(["a", "b"], 1, 1, 10.0), (["b"], 1, 0, 20.0)])
    fit = Markov().fit(pc)
    assert fit.conversion_probability == pytest.approx(2 / 3, rel=1e-14)
    assert fit.removal_effects == pytest.approx({"a": 2 / 3, "b": 1.0}, rel=1e-14)
    result = attribute(pc, Markov())
    assert result.credits() == pytest.approx({"a": 0.8, "b": 1.2}, rel=1e-14)
    # value: removal-effect share times total value 30
    assert result.credits(value=True) == pytest.approx({"a": 12.0, "b": 18.0}, rel=1e-14)


def test_transition_matrix_and_graph() -> None:
    """The matrix rows are the counted probabilities; the graph has the same edges."""
    fit = Markov().fit(PathCounts.from_rows([(["a", "b"], 1, 1, 0), (["b"], 1, 0, 0)]))
    names = fit.state_names
    assert names == ("(start)", "a", "b", "(conversion)", "(null)")
    m = fit.transition_matrix()
    expected = np.array(
        [
            [0, 2 / 3, 1 / 3, 0, 0],
            [0, 0, 1, 0, 0],
            [0, 0, 0, 2 / 3, 1 / 3],
            [0, 0, 0, 1, 0],
            [0, 0, 0, 0, 1],
        ]
    )
    np.testing.assert_allclose(m, expected, rtol=1e-14)
    g = fit.to_networkx()
    assert g.edges["(start)", "a"]["probability"] == pytest.approx(2 / 3)
    assert not g.has_edge("(conversion)", "(conversion)")


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.lists(st.sampled_from("abcd"), min_size=0, max_size=5).map(tuple),
            st.integers(0, 4),
            st.integers(0, 4),
            st.integers(0, 50).map(float),
        ),
        min_size=1,
        max_size=8,
    ),
    order=st.integers(1, 3),
)
def test_matches_reference_solver(rows: list[Row], order: int) -> None:
    """Exact solve == value-iteration reference, orders 1 to 3, random path counts."""
    rows = [(p, c, n if (c or n) else 1, v if c else 0.0) for p, c, n, v in rows]
    pc = PathCounts.from_rows(rows)
    result = attribute(pc, Markov(order=order))
    if sum(c for p, c, _, _ in rows if p) == 0:
        assert all(v == 0 for v in result.credits().values())
        return
    assert result.credits() == pytest.approx(reference_markov(rows, order), rel=1e-9, abs=1e-9)


def test_higher_order_pads_with_the_start_marker() -> None:
    """Order 2 states of (a, b, c) are (None, a), (a, b), (b, c)."""
    counts = Markov(order=2).counts(PathCounts.from_rows([(["a", "b", "c"], 1, 0, 0)]))
    assert counts.states == ((None, "a"), ("a", "b"), ("b", "c"))


def test_order_one_ignores_repeats_but_order_two_does_not() -> None:
    """Self-loops leave order-1 absorption probabilities unchanged; order 2 sees (a, a).

    Paths: (a, a, b) converts, (b, a) does not, (a) does not.
    """
    pc = PathCounts.from_rows(
        [(["a", "a", "b"], 1, 0, 0), (["b", "a"], 0, 1, 0), (["a"], 0, 1, 0), (["b"], 1, 0, 0)]
    )
    one = attribute(pc, Markov()).credits()
    one_collapsed = attribute(pc, Markov(), collapse="consecutive").credits()
    assert one == pytest.approx(one_collapsed, rel=1e-12)
    two = Markov(order=2).counts(pc)
    two_collapsed = Markov(order=2).counts(pc, collapse="consecutive")
    assert ("a", "a") in two.states
    assert ("a", "a") not in two_collapsed.states


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), order=st.integers(1, 3))
def test_counts_of_halves_merge_exactly(seed: int, order: int) -> None:
    """TransitionCounts of two halves added equal the counts of the whole, bit for bit."""
    log = EventLog.from_records(random_log_records(np.random.default_rng(seed)))
    half = np.arange(len(log)) < len(log) // 2
    whole = TransitionCounts.from_log(log, order=order)
    parts = [
        TransitionCounts.from_log(log.select(m), order=order) for m in (half, ~half) if m.any()
    ]
    merged = sum(parts, TransitionCounts.zero(order=order))
    assert merged.equals(whole)
    a = attribute(merged, Markov(order=order))
    b = attribute(log, Markov(order=order))
    np.testing.assert_array_equal(a.conversions, b.conversions)


def test_counts_feed_attribute_and_fit() -> None:
    """attribute() and fit() accept TransitionCounts; a mismatched order or model is refused."""
    pc = PathCounts.from_rows([(["a", "b"], 1, 1, 10.0), (["b"], 1, 0, 20.0)])
    counts = Markov().counts(pc)
    assert attribute(counts, Markov()).credits() == pytest.approx({"a": 0.8, "b": 1.2})
    with pytest.raises(ConfigError):
        Markov(order=2).fit(counts)
    with pytest.raises(UnsupportedInputError):
        attribute(counts, Linear())
    with pytest.raises(ConfigError):
        attribute(counts, Markov(), level="stage")
    with pytest.raises(ConfigError):
        counts + Markov(order=2).counts(pc)


def test_explain_follows_removal_effects() -> None:
    """A journey a -> b split by removal effects 2/3 : 1 gives a 0.4 and b 0.6."""
    log = EventLog.from_records(
        [
            {"journey_id": "x", "timestamp": 0, "channel": "a"},
            {"journey_id": "x", "timestamp": 1, "channel": "b", "converted": True},
            {"journey_id": "y", "timestamp": 0, "channel": "a"},
            {"journey_id": "y", "timestamp": 1, "channel": "b"},
            {"journey_id": "z", "timestamp": 0, "channel": "b", "converted": True},
        ]
    )
    result = attribute(log, Markov())
    shares = {t.item: t.conversions for t in result.explain("x")}
    assert shares == pytest.approx({"a": 0.4, "b": 0.6})


@pytest.mark.parametrize("order", [0, -1, True, 1.5], ids=["zero", "negative", "bool", "float"])
def test_bad_order(order: object) -> None:
    """The order is an integer >= 1."""
    with pytest.raises(ConfigError):
        Markov(order=order)


def test_fraction_exact_small_case() -> None:
    """Three channels in a line with exact fractions: a -> b -> c -> conversion, plus (c) lost.

    Start a 1/2, c 1/2; c converts 1/2. P = 1/2*1/2 + 1/2*1/2 = 1/2.
    Without a: 1/4 (RE 1/2); without b: 1/4 (RE 1/2); without c: 0 (RE 1).
    One conversion splits 1/4, 1/4, 1/2.
    """
    pc = PathCounts.from_rows([(["a", "b", "c"], 1, 0, 0), (["c"], 0, 1, 0)])
    want = {"a": Fraction(1, 4), "b": Fraction(1, 4), "c": Fraction(1, 2)}
    assert attribute(pc, Markov()).credits() == pytest.approx(
        {k: float(v) for k, v in want.items()}
    )

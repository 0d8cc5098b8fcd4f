"""Removal effects of edges and sequences on hand-solved two- and three-state chains."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath.attribution import (
    Markov,
    PathCounts,
    edge_removal_effect,
    sequence_removal_effect,
)
from touchpath.exceptions import ConfigError, NotFoundError

# start -> a always; a -> b 1/2, a -> conversion 1/4, a -> null 1/4; b -> conversion 1/2
LINE = PathCounts.from_rows([(["a"], 1, 1, 0), (["a", "b"], 1, 1, 0)])
# start -> a; a -> b 1/3, conversion 1/3, null 1/3; b -> a always (a loop)
LOOP = PathCounts.from_rows([(["a", "b", "a"], 1, 0, 0), (["a"], 0, 1, 0)])


def test_line_chain_edges() -> None:
    """P = 1/4 + 1/2 * 1/2 = 1/2. Cutting a > b leaves 1/4 (effect 1/2); cutting
    a > (conversion) leaves 1/4 (1/2); cutting b > (conversion) leaves 1/4; cutting
    (start) > a leaves nothing (effect 1)."""
    ab = edge_removal_effect(LINE, "a", "b")
    assert (ab.probability, ab.probability_without) == pytest.approx((0.5, 0.25))
    assert edge_removal_effect(LINE, "a", "(conversion)").effect == pytest.approx(0.5)
    assert edge_removal_effect(LINE, "b", "(conversion)").probability_without == pytest.approx(0.25)
    assert edge_removal_effect(LINE, "(start)", "a").effect == pytest.approx(1.0)
    assert edge_removal_effect(LINE, "(start)", "b").effect == 0.0


def test_loop_chain_sequences() -> None:
    """x_a = 1/3 + x_b / 3 and x_b = x_a give P = 1/2.
    * b > a cut: x_b = 0, so P' = 1/3 (effect 1/3);
    * a > b > a: the first return to a completes it, P' = 1/3;
    * a > b > a > b: x(a, 3 matched) = 1/3, x(b, 2) = 1/3, x(a, 1) = 1/3 + 1/9 = 4/9,
      effect 1 - (4/9) / (1/2) = 1/9;
    * b > b never happens: effect 0."""
    assert sequence_removal_effect(LOOP, ["b", "a"]).probability_without == pytest.approx(1 / 3)
    assert sequence_removal_effect(LOOP, ["a", "b", "a"]).effect == pytest.approx(1 / 3)
    long = sequence_removal_effect(LOOP, ["a", "b", "a", "b"])
    assert long.probability_without == pytest.approx(4 / 9)
    assert long.effect == pytest.approx(1 / 9)
    assert sequence_removal_effect(LOOP, ["b", "b"]).effect == pytest.approx(0.0)


def test_three_state_chain_with_self_overlap() -> None:
    """Rows (a, b) x2 converting, (a, a, b) converting, (a) and (a, a) not: the a row has
    a -> b 3, a -> a 2, a -> null 2 (of 7) and b always converts, so P = x_a with
    x_a = 3/7 + 2/7 x_a, P = 3/5. Cutting a > a leaves only a -> b at once: P' = 3/7.
    Cutting a > a > b: after two a's every later a keeps two matched (the prefix overlaps
    itself) and b completes the sequence, so that branch is worth 0 and P' = 3/7 again."""
    rows = [(["a", "b"], 2, 0, 0), (["a", "a", "b"], 1, 0, 0), (["a"], 0, 1, 0)]
    pc = PathCounts.from_rows([*rows, (["a", "a"], 0, 1, 0)])
    e = sequence_removal_effect(pc, ["a", "a"])
    assert e.probability == pytest.approx(3 / 5)
    assert e.probability_without == pytest.approx(3 / 7)
    assert sequence_removal_effect(pc, ["a", "a", "b"]).probability_without == pytest.approx(3 / 7)


@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from("abc"), min_size=1, max_size=5).map(tuple),
            st.integers(0, 3),
            st.integers(0, 3),
            st.just(0.0),
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from([1, 2]),
)
@settings(max_examples=50)
def test_one_item_sequence_is_the_markov_removal_effect(rows: list, order: int) -> None:  # type: ignore[type-arg]
    """A sequence of one item removes exactly what Markov removes for that item."""
    pc = PathCounts.from_rows(rows)
    fit = Markov(order=order).fit(pc)
    for item, effect in fit.removal_effects.items():
        got = sequence_removal_effect(fit, [item]).effect
        assert got == pytest.approx(effect, abs=1e-9)


def test_bad_input() -> None:
    """Unknown items, a plain string and (start) > (conversion) are refused."""
    with pytest.raises(NotFoundError):
        sequence_removal_effect(LINE, ["a", "zzz"])
    with pytest.raises(ConfigError, match="not one string"):
        sequence_removal_effect(LINE, "a > b")
    with pytest.raises(ConfigError, match="no edge"):
        edge_removal_effect(LINE, "(start)", "(conversion)")

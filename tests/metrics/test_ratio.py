"""Ratio: exact merging, explicit undefined values, validation."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from touchpath.exceptions import ConfigError
from touchpath.metrics import Ratio

counts = st.integers(0, 10**6)


def test_value_is_numerator_over_denominator() -> None:
    """3/12 is 0.25; both parts are kept as given."""
    r = Ratio(3, 12)
    assert (r.numerator, r.denominator, r.value, r.is_defined) == (3, 12, 0.25, True)


def test_zero_denominator_is_undefined_not_zero() -> None:
    """0/0 and 5/0 have no value: None, NaN as a float, 'n/a' when formatted."""
    for r in (Ratio(0, 0), Ratio(5, 0)):
        assert r.value is None
        assert not r.is_defined
        assert math.isnan(float(r))
        assert f"{r:.1%}" == "n/a"
        assert "undefined" in repr(r)
    assert Ratio(0, 0).value_or(-1.0) == -1.0


def test_zero_numerator_is_a_defined_zero() -> None:
    """0/5 is a real 0, unlike 0/0."""
    assert Ratio(0, 5).value == 0.0
    assert Ratio(0, 5).is_defined


def test_addition_adds_parts_not_values() -> None:
    """1/2 + 1/8 = 2/10 (0.2), not the mean of 0.5 and 0.125."""
    assert Ratio(1, 2) + Ratio(1, 8) == Ratio(2, 10)
    assert (Ratio(1, 2) + Ratio(1, 8)).value == 0.2


def test_sum_and_zero() -> None:
    """sum() starts from 0; Ratio.zero() is neutral."""
    assert sum([Ratio(1, 3), Ratio(2, 3)]) == Ratio(3, 6)
    assert Ratio.zero() + Ratio(1, 3) == Ratio(1, 3)
    assert sum([], Ratio.zero()) == Ratio(0, 0)


def test_equality_is_of_parts_and_same_value_of_values() -> None:
    """Ratio(1, 2) != Ratio(2, 4) but they have the same value; undefined ratios share 'no
    value'."""
    assert Ratio(1, 2) != Ratio(2, 4)
    assert Ratio(1, 2).same_value(Ratio(2, 4))
    assert not Ratio(1, 2).same_value(Ratio(1, 3))
    assert Ratio(1, 0).same_value(Ratio(0, 0))
    assert not Ratio(1, 0).same_value(Ratio(0, 1))


def test_integral_parts_stay_exact_ints() -> None:
    """numpy integers become Python ints, so huge counts add exactly."""
    r = Ratio(np.int64(2**62), np.int64(2**62)) + Ratio(2**62, 2**62)
    assert r.numerator == 2**63
    assert isinstance(r.numerator, int)


def test_adding_something_else_is_a_type_error() -> None:
    """Ratio + float is refused (TypeError), so nobody adds a rate to a count by mistake."""
    with pytest.raises(TypeError):
        Ratio(1, 2) + 0.5
    with pytest.raises(TypeError):
        1 + Ratio(1, 2)


@pytest.mark.parametrize(
    ("numerator", "denominator"),
    [(1, -1), (float("nan"), 1), (1, float("inf")), (True, 1), ("1", 2)],
    ids=["negative-denominator", "nan", "inf", "bool", "text"],
)
def test_invalid_parts_are_refused(numerator: object, denominator: object) -> None:
    """Negative denominators, non-finite or non-numeric parts raise ConfigError."""
    with pytest.raises(ConfigError):
        Ratio(numerator, denominator)


@given(st.lists(st.tuples(counts, counts), min_size=1, max_size=20))
def test_merging_parts_equals_the_ratio_of_totals(parts: list[tuple[int, int]]) -> None:
    """Adding ratios of parts gives sum(numerators) / sum(denominators) exactly."""
    total = sum((Ratio(n, n + d) for n, d in parts), Ratio.zero())
    num = sum(n for n, _ in parts)
    den = sum(n + d for n, d in parts)
    assert (total.numerator, total.denominator) == (num, den)
    if den:
        assert Fraction(num, den) == Fraction(int(total.numerator), int(total.denominator))
        assert total.value == pytest.approx(num / den)
    else:
        assert total.value is None

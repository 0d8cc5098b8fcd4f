"""The published invariants hold for every model; the checker catches models that break them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import EventLog
from touchpath.attribution import (
    ConversionPaths,
    Credit,
    FirstTouch,
    LastNonDirect,
    LastTouch,
    Linear,
    Markov,
    PositionBased,
    Shapley,
    TimeDecay,
    WShaped,
)
from touchpath.testing import check_attribution_model, random_log_records
from touchpath.typing import AttributionModel

MODELS: list[AttributionModel] = [
    FirstTouch(),
    LastTouch(),
    LastNonDirect(),
    Linear(),
    Linear(per="channel"),
    TimeDecay(half_life="2 hours"),
    PositionBased(first=0.3, last=0.5),
    WShaped("lead", "opportunity"),
    Markov(),
    Markov(order=2),
    Shapley(),
    Shapley(game="conversion_rate"),
]


@pytest.mark.parametrize("model", MODELS, ids=repr)
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), ties=st.booleans(), journeys=st.integers(1, 15))
def test_models_keep_the_invariants(
    model: AttributionModel, seed: int, ties: bool, journeys: int
) -> None:
    """Sums, non-negativity, explain, row order, merges, determinism on random logs."""
    records = random_log_records(np.random.default_rng(seed), journeys=journeys, ties=ties)
    check_attribution_model(model, logs=[EventLog.from_records(records)])


class _Doubling:
    """Breaks the sums: every share is 2."""

    def credit(self, paths: ConversionPaths) -> Credit:
        return Credit(np.full(paths.n_touches, 2.0))


class _Negative:
    """Breaks non-negativity: first touch +2, others share -1 (sums still 1 for 2+ touches)."""

    def credit(self, paths: ConversionPaths) -> Credit:
        shares = np.zeros(paths.n_touches)
        lengths = paths.lengths
        one = lengths == 1
        first = paths.offsets[:-1]
        rest = np.where(lengths > 1, -1.0 / np.maximum(lengths - 1, 1), 0.0)
        shares[:] = rest[paths.touch_path]
        shares[first[lengths > 0]] = np.where(one[lengths > 0], 1.0, 2.0)
        return Credit(shares)


class _Random:
    """Breaks determinism: random (normalised) shares."""

    def credit(self, paths: ConversionPaths) -> Credit:
        w = np.random.default_rng().random(paths.n_touches) + 0.01
        total = np.bincount(paths.touch_path, w, minlength=paths.n_paths)
        return Credit(w / total[paths.touch_path])


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (_Doubling(), "!= conversions"),
        (_Negative(), "negative"),
        (_Random(), "differ"),
    ],
    ids=["sums", "negative", "random"],
)
def test_checker_catches_broken_models(model: AttributionModel, message: str) -> None:
    """Each broken model fails the check with a message naming the broken invariant."""
    with pytest.raises(AssertionError, match=message):
        check_attribution_model(model, n_logs=5)


def test_checker_refuses_non_models() -> None:
    """An object without credit() is not an AttributionModel."""
    with pytest.raises(TypeError):
        check_attribution_model(object())  # type: ignore[arg-type]

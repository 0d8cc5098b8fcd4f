"""AttributionResult, explain(), compare_models() and bootstrap()."""

from __future__ import annotations

import numpy as np
import pytest

import touchpath.attribution as attribution
from touchpath.attribution import (
    FirstTouch,
    LastTouch,
    Linear,
    Markov,
    PathCounts,
    Shapley,
    attribute,
    bootstrap,
    compare_models,
)
from touchpath.exceptions import ConfigError, NotFoundError, UnsupportedInputError

from ._helpers import log_of


def test_explain_lists_each_touch_of_each_conversion() -> None:
    """Journey a, b(conv 10), c, d(conv 30), e: Linear gives 5/5 then 15/15; e is not listed."""
    log = log_of(
        [("a", False, 0), ("b", True, 10.0), ("c", False, 0), ("d", True, 30.0), ("e", False, 0)]
    )
    entries = attribute(log, Linear()).explain("j0")
    got = [(e.path, e.event, e.item, e.conversions, e.value) for e in entries]
    assert got == [
        (1, 0, "a", 0.5, 5.0),
        (1, 1, "b", 0.5, 5.0),
        (2, 2, "c", 0.5, 15.0),
        (2, 3, "d", 0.5, 15.0),
    ]


def test_explain_shows_unattributed_conversions_and_nothing_for_non_converting() -> None:
    """A conversion without touches is an item=None entry; a non-converting journey is empty."""
    log = log_of([(None, True, 4.0, 0, "decision")], [("a", False, 0)])
    result = attribute(log, FirstTouch())
    (entry,) = result.explain("j0")
    assert (entry.item, entry.event, entry.conversions, entry.value) == (None, None, 1.0, 4.0)
    assert result.explain("j1") == ()
    with pytest.raises(NotFoundError):
        result.explain("nope")


def test_explain_needs_journeys() -> None:
    """Results from path counts have no journeys to explain."""
    result = attribute(PathCounts.from_rows([(["a"], 1, 0, 0)]), LastTouch())
    with pytest.raises(UnsupportedInputError):
        result.explain("j0")


def test_by_attribute_accessors_check_the_credited_attribute() -> None:
    """by_stage() on a channel result says how to get stage credit instead of guessing."""
    log = log_of([("a", True, 1.0, 0, "decision")])
    result = attribute(log, LastTouch())
    assert result.by_channel() == {"a": 1.0}
    with pytest.raises(ConfigError, match="level='stage'"):
        result.by_stage()
    assert attribute(log, LastTouch(), level="stage").by_stage() == {"decision": 1.0}


def test_to_pandas() -> None:
    """One row per item with conversions, value and share of the attributed conversions."""
    pytest.importorskip("pandas")
    pc = PathCounts.from_rows([(["a"], 3, 0, 30.0), (["b"], 1, 0, 5.0)])
    frame = attribute(pc, LastTouch()).to_pandas()
    assert frame.loc["a"].tolist() == [3.0, 30.0, 0.75]
    assert list(frame.columns) == ["conversions", "value", "share"]


def test_compare_runs_models_side_by_side() -> None:
    """One row per item, one column per model; labels may be given by a mapping."""
    pc = PathCounts.from_rows([(["a", "b"], 4, 0, 0)])
    c = compare_models(pc, {"first": FirstTouch(), "last": LastTouch(), "markov": Markov()})
    assert c.table() == {
        "a": {"first": 4.0, "last": 0.0, "markov": 2.0},
        "b": {"first": 0.0, "last": 4.0, "markov": 2.0},
    }
    assert c["last"].credits() == {"a": 0.0, "b": 4.0}
    with pytest.raises(ConfigError):
        compare_models(pc, [FirstTouch(), FirstTouch()])
    pytest.importorskip("pandas")
    assert c.to_pandas().shape == (2, 3)


def test_bootstrap_is_seeded_and_brackets_the_point() -> None:
    """Same seed, same samples; the interval contains the point estimate; n is checked."""
    log = log_of(
        *[[("a", False, 0), ("b", i % 3 == 0, 10.0)] for i in range(60)],
        *[[("b", False, 0), ("a", i % 2 == 0, 5.0)] for i in range(40)],
    )
    for model in (Linear(), Markov(), Shapley()):
        b1 = bootstrap(log, model, n=50, seed=7)
        b2 = bootstrap(log, model, n=50, seed=7)
        np.testing.assert_array_equal(b1.samples, b2.samples)
        for item, (lo, hi) in b1.intervals().items():
            assert lo <= b1.point.credits()[item] <= hi
        # each resample keeps the totals: the journeys drawn hold all their conversions
        assert np.all(b1.samples.sum(axis=1) > 0)
    with pytest.raises(ConfigError):
        bootstrap(log, Linear(), n=0)


def test_bootstrap_per_path_shortcut_equals_rerunning_the_model() -> None:
    """Re-summing fixed shares gives the same samples as re-running a per-path model."""

    class Rerun:
        def credit(self, paths: attribution.ConversionPaths) -> attribution.Credit:
            return Linear().credit(paths)

    log = log_of(*[[("a", False, 0), ("b", i % 2 == 0, float(i))] for i in range(30)])
    fast = bootstrap(log, Linear(), n=20, seed=3)
    slow = bootstrap(log, Rerun(), n=20, seed=3)
    np.testing.assert_allclose(fast.samples, slow.samples, rtol=1e-12)
    np.testing.assert_allclose(fast.value_samples, slow.value_samples, rtol=1e-12)


def test_bootstrap_over_path_counts_resamples_occurrences() -> None:
    """Path counts are resampled multinomially; fractional counts are refused."""
    pc = PathCounts.from_rows([(["a"], 30, 10, 300.0), (["b"], 10, 50, 100.0)])
    b = bootstrap(pc, LastTouch(), n=100, seed=0)
    # every resample draws the same number of path occurrences (100) as the data
    assert b.samples.shape == (100, 2)
    assert b.interval("a")[0] < 30 < b.interval("a")[1]
    assert b.interval("a", value=True)[0] < 300 < b.interval("a", value=True)[1]
    with pytest.raises(ConfigError):
        bootstrap(PathCounts.from_rows([(["a"], 0.5, 0, 0)]), LastTouch())


def test_exports_are_complete_and_sorted() -> None:
    """__all__ lists every public name of touchpath.attribution, sorted."""
    public = {n for n in dir(attribution) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(attribution, n)).__name__ == "module"}
    assert set(attribution.__all__) == public - modules
    assert attribution.__all__ == sorted(attribution.__all__)

"""Conversion paths and PathCounts: which touches each conversion credits, grouping, merging."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import EventLog
from touchpath._paths import PathCounts, PathPolicy, conversion_paths
from touchpath.attribution import as_paths
from touchpath.exceptions import ConfigError, SchemaError, UnsupportedInputError
from touchpath.testing import random_log_records

from ._helpers import log_of


def test_each_conversion_credits_the_touches_since_the_previous_one() -> None:
    """a, b, conv(c), d, conv(e), f -> paths (a, b, c) converting, (d, e) converting, (f,) not."""
    log = log_of(
        [
            ("a", False, 0),
            ("b", False, 0),
            ("c", True, 10.0),
            ("d", False, 0),
            ("e", True, 20.0),
            ("f", False, 5.0),
        ]
    )
    paths = conversion_paths(log)
    assert paths.paths() == [("a", "b", "c"), ("d", "e"), ("f",)]
    assert paths.conversions.tolist() == [1.0, 1.0, 0.0]
    assert paths.non_conversions.tolist() == [0.0, 0.0, 1.0]
    assert paths.values.tolist() == [10.0, 20.0, 0.0]


def test_a_conversion_marker_without_channel_is_not_a_touch() -> None:
    """A converting event with no channel ends the path but adds no touch; alone it is empty."""
    log = log_of([("a", False, 0), (None, True, 3.0, 1, "decision")], [(None, True, 7.0)])
    paths = conversion_paths(log)
    assert paths.paths() == [("a",), ()]
    assert paths.conversions.tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("lookback", "expected"),
    [(None, [("a", "b", "c")]), ("10 days", [("b", "c")]), ("1 day", [("c",)])],
    ids=["none", "ten-days", "one-day"],
)
def test_lookback_is_measured_from_each_conversion(
    lookback: str | None, expected: list[tuple[str, ...]]
) -> None:
    """Touches at days 0, 25, 30 with conversion at day 30: 10 days keeps 25 and 30."""
    log = log_of([("a", False, 0, 0), ("b", False, 0, 25), ("c", True, 1.0, 30)])
    assert conversion_paths(log, PathPolicy(lookback=lookback)).paths() == expected


def test_collapse_consecutive_keeps_the_first_of_each_run() -> None:
    """a a b a -> a b a; runs do not cross paths (a | a stays two touches)."""
    log = log_of(
        [("a", False, 0), ("a", False, 0), ("b", False, 0), ("a", True, 0), ("a", True, 0)]
    )
    paths = conversion_paths(log, PathPolicy(collapse="consecutive"))
    assert paths.paths() == [("a", "b", "a"), ("a",)]
    first_events = paths.events
    assert first_events is not None
    assert first_events.tolist()[:2] == [0, 2]


def test_by_stage_credits_events_with_a_stage() -> None:
    """With level='stage' a touch is an event with a stage, whatever its channel."""
    log = log_of(
        [("ads", False, 0, 0, "awareness"), ("seo", False, 0, 1), ("x", True, 1.0, 2, "decision")]
    )
    assert conversion_paths(log, PathPolicy(level="stage")).paths() == [("awareness", "decision")]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"level": "segment"}, ConfigError),
        ({"collapse": "all"}, ConfigError),
        ({"lookback": "-1 day"}, ConfigError),
    ],
    ids=["level", "collapse", "lookback"],
)
def test_bad_policies_are_refused(kwargs: dict[str, str], error: type[Exception]) -> None:
    """Unknown attributes, collapse modes and negative windows raise ConfigError."""
    with pytest.raises(error):
        PathPolicy(**kwargs)


def test_path_counts_from_rows_sum_equal_paths_and_sort_rows() -> None:
    """Rows with the same path are summed; rows come out in lexicographic order."""
    pc = PathCounts.from_rows(
        [(["b"], 1, 0, 1.0), (["a", "b"], 2, 1, 4.0), (["b"], 3, 2, 2.0), ([], 1, 0, 0.0)]
    )
    assert pc.rows() == [((), 1.0, 0.0, 0.0), (("a", "b"), 2.0, 1.0, 4.0), (("b",), 4.0, 2.0, 3.0)]
    assert pc.total_conversions == 7.0


@pytest.mark.parametrize(
    "row",
    [
        ("a > b", 1, 0, 0),
        (["a"], -1, 0, 0),
        (["a"], 1, 0, float("nan")),
        (["a"], 1, 0),
        ([""], 1, 0, 0),
    ],
    ids=["string-path", "negative", "nan", "short-row", "empty-name"],
)
def test_path_counts_refuse_bad_rows(row: object) -> None:
    """A separator string, negative or NaN counts, short rows, empty names: SchemaError."""
    with pytest.raises(SchemaError):
        PathCounts.from_rows([row])  # type: ignore[list-item]


def test_path_counts_survive_a_hash_collision(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even if every path hashed alike, grouping stays exact (verified, then exact fallback)."""
    import touchpath._paths as paths_module

    monkeypatch.setattr(
        paths_module, "_path_hashes", lambda offsets, codes: np.zeros(len(offsets) - 1, np.uint64)
    )
    pc = PathCounts.from_rows([(["a"], 1, 0, 0), (["b"], 1, 0, 0), (["a"], 1, 0, 0)])
    assert pc.rows() == [(("a",), 2.0, 0.0, 0.0), (("b",), 1.0, 0.0, 0.0)]


def test_path_counts_keep_timestamps_out() -> None:
    """A lookback needs timestamps, so path counts refuse one."""
    with pytest.raises(UnsupportedInputError):
        as_paths(PathCounts.from_rows([(["a"], 1, 0, 0)]), lookback="7 days")


def test_adding_path_counts_of_different_attributes_is_refused() -> None:
    """Channel counts and stage counts do not add."""
    log = log_of([("a", True, 0, 0, "s")])
    with pytest.raises(ConfigError):
        PathCounts.from_log(log) + PathCounts.from_log(log, level="stage")


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cut=st.floats(0.0, 1.0))
def test_path_counts_of_two_halves_add_up_to_the_whole(seed: int, cut: float) -> None:
    """from_log(first part) + from_log(rest) equals from_log(all), exactly; empty is the zero."""
    log = EventLog.from_records(random_log_records(np.random.default_rng(seed)))
    mask = np.arange(len(log)) < round(cut * len(log))
    parts = [PathCounts.from_log(log.select(m)) for m in (mask, ~mask) if m.any()]
    merged = sum(parts, PathCounts.zero())
    assert merged.equals(PathCounts.from_log(log))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_conversion_paths_match_split_conversions(seed: int) -> None:
    """The vectorised paths equal a per-journey reading of log.split_conversions()."""
    log = EventLog.from_records(random_log_records(np.random.default_rng(seed)))
    paths = conversion_paths(log)
    expected = [
        tuple(c for c in journey.channels if c is not None) for journey in log.split_conversions()
    ]
    # split_conversions sorts ids ("j1#2" after "j10"?) so compare as multisets of paths
    assert sorted(paths.paths()) == sorted(expected)
    assert paths.conversions.sum() == np.count_nonzero(log.converted)

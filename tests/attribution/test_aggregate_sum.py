"""The attribution aggregates follow the same zero/sum conventions as the other aggregates."""

from __future__ import annotations

from typing import Any

import pytest

from touchpath import EventLog, PathCounts
from touchpath.attribution import CoalitionCounts, TransitionCounts


def _halves() -> tuple[EventLog, EventLog, EventLog]:
    rows = [
        {"journey_id": "a", "timestamp": 1, "channel": "x"},
        {"journey_id": "a", "timestamp": 2, "channel": "y", "converted": True, "value": 3.0},
        {"journey_id": "b", "timestamp": 1, "channel": "y"},
        {"journey_id": "c", "timestamp": 1, "channel": "x", "converted": True, "value": 1.0},
    ]
    return (
        EventLog.from_records(rows[:2]),
        EventLog.from_records(rows[2:]),
        EventLog.from_records(rows),
    )


@pytest.mark.parametrize(
    "kind", [PathCounts, TransitionCounts, CoalitionCounts], ids=lambda k: k.__name__
)
def test_sum_of_parts_equals_whole(
    kind: Any,
) -> None:
    """sum() starts from 0, so 0 + counts must be the counts; the sum of the counts of two
    halves of a log equals the counts of the whole log, and zero() is the neutral element."""
    first, second, whole = _halves()
    parts = [kind.from_log(first), kind.from_log(second)]
    total = sum(parts)
    assert total.equals(kind.from_log(whole))
    assert (kind.zero() + parts[0]).equals(parts[0])
    with pytest.warns(DeprecationWarning, match=r"empty\(\) is deprecated"):
        assert kind.zero().equals(kind.empty())


@pytest.mark.parametrize(
    "kind", [PathCounts, TransitionCounts, CoalitionCounts], ids=lambda k: k.__name__
)
def test_only_zero_is_accepted_on_the_left(
    kind: Any,
) -> None:
    """Adding any number other than 0 (or a bool) to counts is a TypeError, not a silent no-op."""
    counts = kind.from_log(_halves()[2])
    with pytest.raises(TypeError):
        _ = 1 + counts
    with pytest.raises(TypeError):
        _ = False + counts

"""Attribution by segment: per-segment credit against per-segment runs, sums and merges."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from touchpath import EventLog
from touchpath.attribution import (
    FirstTouch,
    Fractribution,
    Linear,
    Markov,
    PathCounts,
    Shapley,
    TimeDecay,
    attribute,
    breakdown,
)
from touchpath.exceptions import ConfigError, UnsupportedInputError
from touchpath.testing import random_log_records

SEGMENTS = ("ent", "mid", "smb")


def segmented_records(seed: int) -> list[dict[str, Any]]:
    """Random records with a segment per journey (some journeys without one)."""
    rng = np.random.default_rng(seed)
    records = random_log_records(rng, journeys=20)
    chosen: dict[str, str | None] = {}
    for rec in records:
        j = rec["journey_id"]
        if j not in chosen:
            pick = int(rng.integers(len(SEGMENTS) + 1))
            chosen[j] = SEGMENTS[pick] if pick < len(SEGMENTS) else None
        if chosen[j] is not None:
            rec["segment"] = chosen[j]
    return records


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "model",
    [Linear(), FirstTouch(), TimeDecay(half_life="3 days")],
    ids=["linear", "first", "time-decay"],
)
def test_per_touch_models_equal_runs_per_segment(seed: int, model: Any) -> None:
    """For models whose shares depend on the path alone, a segment's credit equals the model
    run on that segment's journeys alone (the independent reference)."""
    records = segmented_records(seed)
    b = breakdown(attribute(EventLog.from_records(records), model), "segment")
    for segment in b.segments:
        subset = [r for r in records if r.get("segment") == segment]
        if not subset:
            continue
        alone = attribute(EventLog.from_records(subset), model)
        got = b.credits(segment)
        for item, credit in alone.credits().items():
            assert got[item] == pytest.approx(credit, abs=1e-9)
        row = b.segments.index(segment)
        assert b.unattributed[row] == pytest.approx(alone.unattributed)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "model", [Markov(), Shapley(game="conversion_rate"), Fractribution(), Linear()]
)
def test_segments_sum_to_totals(seed: int, model: Any) -> None:
    """Per-segment credits (and unattributed) sum to the result's, for every kind of model."""
    result = attribute(EventLog.from_records(segmented_records(seed)), model)
    b = breakdown(result, "segment")
    assert b.totals() == pytest.approx(result.credits())
    assert b.totals(value=True) == pytest.approx(result.credits(value=True))
    assert float(b.unattributed.sum()) == pytest.approx(result.unattributed)
    assert (b.conversions >= 0).all()


def test_breakdowns_of_per_touch_models_merge() -> None:
    """Breakdowns of two logs add up to the breakdown of both (per-touch models only)."""
    a, c = segmented_records(1), segmented_records(2)
    for r in c:
        r["journey_id"] = "second-" + r["journey_id"]
    both = breakdown(attribute(EventLog.from_records(a + c), Linear()))
    parts = breakdown(attribute(EventLog.from_records(a), Linear())) + breakdown(
        attribute(EventLog.from_records(c), Linear())
    )
    assert parts.segments == both.segments
    assert np.allclose(parts.conversions, both.conversions)
    assert np.allclose(parts.values, both.values)
    markov = breakdown(attribute(EventLog.from_records(a), Markov()))
    with pytest.raises(UnsupportedInputError, match="do not add"):
        markov + markov


def test_segment_of_a_path_is_read_at_its_end() -> None:
    """A path takes the segment at its conversion, else the latest earlier one in the
    journey; a journey with none is the None segment."""
    log = EventLog.from_records(
        [
            {"journey_id": "a", "timestamp": 0, "channel": "ads", "segment": "smb"},
            {"journey_id": "a", "timestamp": 1, "channel": "seo", "converted": True},
            {"journey_id": "a", "timestamp": 2, "channel": "ads", "segment": "ent"},
            {"journey_id": "a", "timestamp": 3, "channel": "seo", "converted": True},
            {"journey_id": "b", "timestamp": 0, "channel": "ads", "converted": True},
        ]
    )
    b = breakdown(attribute(log, FirstTouch()), "segment")
    assert b.table() == {
        "ent": {"ads": 1.0, "seo": 0.0},
        "smb": {"ads": 1.0, "seo": 0.0},
        None: {"ads": 1.0, "seo": 0.0},
    }


def test_errors() -> None:
    """A result from counts has no journeys; 'by' must be a categorical field."""
    from_counts = attribute(PathCounts.from_rows([(["a"], 1, 0, 0)]), Linear())
    with pytest.raises(UnsupportedInputError, match="EventLog"):
        breakdown(from_counts)
    log = EventLog.from_records([{"journey_id": "a", "timestamp": 0, "channel": "x"}])
    with pytest.raises(ConfigError, match="categorical"):
        breakdown(attribute(log, Linear()), "value")

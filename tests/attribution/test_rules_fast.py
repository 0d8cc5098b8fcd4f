"""Fast paths of the rule-based models: same numbers, and shared work in ``compare_models()``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import EventLog
from touchpath.attribution import (
    FirstTouch,
    LastNonDirect,
    LastTouch,
    Linear,
    PathCounts,
    PositionBased,
    TimeDecay,
    WShaped,
    attribute,
    compare_models,
    conversion_paths,
)
from touchpath.typing import AttributionModel

MODELS: list[AttributionModel] = [
    FirstTouch(),
    LastTouch(),
    LastNonDirect(direct={"direct", "seo"}),
    Linear(),
    Linear(per="channel"),
    PositionBased(first=0.3, last=0.5),
    TimeDecay(half_life="2 days"),
    WShaped("lead", "deal"),
]

CHANNELS = ("ads", "direct", "email", "seo")
STAGES = ("visit", "lead", "deal")


@st.composite
def logs(draw: st.DrawFn, *, every_event_a_touch: bool) -> EventLog:
    """Small logs: several conversions per journey, ties in time, optionally missing channels."""
    records: list[dict[str, Any]] = []
    for j in range(draw(st.integers(1, 6))):
        n = draw(st.integers(1, 7))
        for k in range(n):
            channel = draw(st.sampled_from(CHANNELS if every_event_a_touch else (*CHANNELS, None)))
            rec: dict[str, Any] = {
                "journey_id": f"j{j}",
                "timestamp": 1_700_000_000 + 3600 * draw(st.integers(0, 3)) * k,
                "converted": draw(st.booleans()),
                "stage": draw(st.sampled_from(STAGES)),
            }
            if rec["converted"]:
                rec["value"] = float(draw(st.integers(0, 50)))
            if channel is not None:
                rec["channel"] = channel
            records.append(rec)
    return EventLog.from_records(records)


def split_by_hand(log: EventLog) -> list[tuple[tuple[str, ...], float, float]]:
    """Paths by a loop per journey: a path ends at each conversion and at the journey's end."""
    out: list[tuple[tuple[str, ...], float, float]] = []
    for journey_id in log.journey_ids:
        path: list[str] = []
        events = log.journey(journey_id).events
        for i, e in enumerate(events):
            if e.channel is not None:
                path.append(e.channel)
            if e.converted or i == len(events) - 1:
                out.append((tuple(path), 1.0 if e.converted else 0.0, e.value or 0.0))
                path = []
    return out


@given(logs(every_event_a_touch=True))
def test_paths_of_a_log_whose_every_event_is_a_touch_match_a_split_by_hand(log: EventLog) -> None:
    """The shortcut taken when every event is a touch gives the paths of a per-journey loop."""
    paths = conversion_paths(log)
    expected = split_by_hand(log)
    assert paths.paths() == [p for p, _, _ in expected]
    assert paths.conversions.tolist() == [c for _, c, _ in expected]
    assert paths.values.tolist() == [v if c else 0.0 for _, c, v in expected]
    assert paths.events is not None
    assert paths.events.tolist() == list(range(log.n_events))


@given(logs(every_event_a_touch=False))
def test_paths_with_missing_channels_match_a_split_by_hand(log: EventLog) -> None:
    """Events without a channel are no touches, yet a conversion among them still ends a path."""
    expected = split_by_hand(log)
    paths = conversion_paths(log)
    assert paths.paths() == [p for p, _, _ in expected]
    assert paths.conversions.tolist() == [c for _, c, _ in expected]


@pytest.mark.parametrize("model", MODELS, ids=repr)
@settings(max_examples=25)
@given(st.data())
def test_the_credits_are_exactly_the_sums_of_the_touch_shares(
    model: AttributionModel, data: st.DataObject
) -> None:
    """Credits summed over the credited touches only equal the sum over every touch, bit for bit.

    The reference is the definition: sum over all touches of share x the path's conversions.
    """
    log = data.draw(logs(every_event_a_touch=data.draw(st.booleans())))
    for source in (log, PathCounts.from_log(log, level="stage")):
        if isinstance(model, TimeDecay | WShaped) and isinstance(source, PathCounts):
            continue
        if isinstance(model, LastNonDirect) and isinstance(source, PathCounts):
            continue
        result = attribute(source, model)
        paths = result.paths
        assert paths is not None
        assert result.shares is not None
        tp = paths.touch_path
        k = len(paths.items)
        by_touch = np.bincount(paths.codes, result.shares * paths.conversions[tp], minlength=k)
        value_by_touch = np.bincount(paths.codes, result.shares * paths.values[tp], minlength=k)
        assert np.array_equal(result.conversions, by_touch)
        assert np.array_equal(result.values, value_by_touch)


def test_compare_builds_the_paths_and_their_log_views_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Eight models in one compare_models(): one conversion_paths call, one read of each log column.

    Counted by wrapping conversion_paths and EventLog.codes_and_names; the timestamps every
    TimeDecay reads are the very same array.
    """
    log = EventLog.from_records(
        [
            {"journey_id": "a", "timestamp": 0, "channel": "ads", "stage": "visit"},
            {"journey_id": "a", "timestamp": 5, "channel": "seo", "stage": "lead"},
            {"journey_id": "a", "timestamp": 9, "channel": "email", "stage": "deal"},
            {"journey_id": "a", "timestamp": 9, "channel": "ads", "converted": True},
            {"journey_id": "b", "timestamp": 1, "channel": "direct", "converted": True},
        ]
    )
    calls: list[str] = []
    real_codes = EventLog.codes_and_names

    def counted_paths(*args: Any, **kwargs: Any) -> Any:
        calls.append("paths")
        return conversion_paths(*args, **kwargs)

    def counted_codes(self: EventLog, field: Any) -> Any:
        calls.append(str(field.value))
        return real_codes(self, field)

    monkeypatch.setattr("touchpath.attribution._attribute.conversion_paths", counted_paths)
    monkeypatch.setattr(EventLog, "codes_and_names", counted_codes)
    models: dict[str, AttributionModel] = {
        "wa": WShaped("lead", "deal"),
        "wb": WShaped("lead", "deal", first=0.2),
        "ta": TimeDecay(half_life="1 day"),
        "tb": TimeDecay(half_life="3 days"),
        "la": Linear(per="channel"),
        "lb": Linear(per="channel"),
        "f": FirstTouch(),
        "p": PositionBased(),
    }
    c = compare_models(log, models)
    assert calls.count("paths") == 1
    assert calls.count("stage") == 1
    assert calls.count("channel") == 1  # the credited attribute, read by conversion_paths
    assert len({id(c[label].paths) for label in models}) == 1
    times_a, times_b = (c[label].paths.times() for label in ("ta", "tb"))  # type: ignore[union-attr]
    assert times_a[0] is times_b[0]
    assert c["f"].credits() == {"ads": 1.0, "direct": 1.0, "email": 0.0, "seo": 0.0}

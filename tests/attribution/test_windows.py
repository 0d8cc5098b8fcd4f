"""Click and view lookback windows (inclusive edge) and first / last paid touch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from touchpath import EventLog
from touchpath.attribution import (
    FirstPaidTouch,
    FirstTouch,
    LastPaidTouch,
    LastTouch,
    PathCounts,
    TouchWindows,
    attribute,
    transform_paths,
)
from touchpath.exceptions import ConfigError, UnsupportedInputError
from touchpath.testing import check_attribution_model

DAY = 86_400
T0 = 1_700_000_000


def log_with(touches: list[tuple[str, float]], converted_at: float) -> EventLog:
    """One journey: touches (channel, day) and a conversion event at a day."""
    records: list[dict[str, Any]] = [
        {"journey_id": "j", "timestamp": T0 + round(d * DAY), "channel": c} for c, d in touches
    ]
    records.append(
        {"journey_id": "j", "timestamp": T0 + round(converted_at * DAY), "stage": "buy",
         "converted": True}
    )  # fmt: skip
    return EventLog.from_records(records)


def test_window_edge_is_inclusive() -> None:
    """A click exactly 28 days before the conversion is kept; one second older is not. A
    view exactly 1 day old is kept; one second older is not."""
    log = EventLog.from_records(
        [
            {"journey_id": "a", "timestamp": T0, "channel": "search"},
            {"journey_id": "a", "timestamp": T0 + 27 * DAY, "channel": "display"},
            {"journey_id": "a", "timestamp": T0 + 28 * DAY, "stage": "buy", "converted": True},
            {"journey_id": "b", "timestamp": T0 - 1, "channel": "search"},
            {"journey_id": "b", "timestamp": T0 + 27 * DAY - 1, "channel": "display"},
            {"journey_id": "b", "timestamp": T0 + 28 * DAY, "stage": "buy", "converted": True},
        ]
    )
    w = TouchWindows(click="28 days", view="1 day", views={"display"})
    assert transform_paths(log, w).paths() == [("search", "display"), ()]


def test_kinds_have_their_own_windows() -> None:
    """Clicks 10 days old survive a 28-day click window; views 10 days old do not survive a
    1-day view window; None means no limit."""
    log = log_with([("display", 0.0), ("search", 0.0), ("display", 9.5)], 10.0)
    w = TouchWindows(click="28 days", view="1 day", views={"display"})
    assert transform_paths(log, w).paths() == [("search", "display")]
    assert transform_paths(log, TouchWindows(click=None, view=None, views={"display"})).paths() == [
        ("display", "search", "display")
    ]
    by_touchpoint = TouchWindows(view="1 day", views={"banner"}, field="touchpoint")
    tp_log = EventLog.from_records(
        [
            {"journey_id": "j", "timestamp": T0, "channel": "display", "touchpoint": "banner"},
            {"journey_id": "j", "timestamp": T0, "channel": "display", "touchpoint": "click"},
            {"journey_id": "j", "timestamp": T0 + 3 * DAY, "stage": "buy", "converted": True},
        ]
    )
    assert transform_paths(tp_log, by_touchpoint).paths() == [("display",)]


def test_windows_match_a_per_touch_reference() -> None:
    """On random journeys, the kept touches are exactly those whose age (conversion time
    minus touch time) is <= the window of their kind, computed touch by touch."""
    rng = np.random.default_rng(0)
    records: list[dict[str, Any]] = []
    expected: list[tuple[str, ...]] = []
    for j in range(40):
        days = np.sort(rng.integers(0, 40, size=4))
        chans = rng.choice(["display", "video", "search", "email"], size=4)
        end = int(days[-1]) + int(rng.integers(0, 3))
        keep = []
        for d, c in zip(days.tolist(), chans.tolist(), strict=True):
            records.append({"journey_id": f"j{j:02d}", "timestamp": T0 + d * DAY, "channel": c})
            window = 2 if c in ("display", "video") else 20
            if end - d <= window:
                keep.append(c)
        records.append(
            {"journey_id": f"j{j:02d}", "timestamp": T0 + end * DAY, "stage": "buy",
             "converted": True}
        )  # fmt: skip
        expected.append(tuple(keep))
    log = EventLog.from_records(records)
    w = TouchWindows(click="20 days", view="2 days", views={"display", "video"})
    assert transform_paths(log, w).paths() == expected


def test_paid_touch_variants() -> None:
    """First / last paid touch pick the first / last touch on a paid channel; a path with
    none falls back to its first / last touch (like last-non-direct)."""
    pc = PathCounts.from_rows(
        [(["seo", "ads", "email", "social", "seo"], 2, 0, 10.0), (["seo", "email"], 1, 0, 0.0)]
    )
    paid = {"ads", "social"}
    first = attribute(pc, FirstPaidTouch(paid=paid)).credits()
    last = attribute(pc, LastPaidTouch(paid=paid)).credits()
    assert first == {"ads": 2.0, "email": 0.0, "seo": 1.0, "social": 0.0}
    assert last == {"ads": 0.0, "email": 1.0, "seo": 0.0, "social": 2.0}
    # with every channel paid they are first touch and last touch
    everything = {"ads", "email", "seo", "social"}
    assert (
        attribute(pc, FirstPaidTouch(paid=everything)).credits()
        == attribute(pc, FirstTouch()).credits()
    )
    assert (
        attribute(pc, LastPaidTouch(paid=everything)).credits()
        == attribute(pc, LastTouch()).credits()
    )


def test_conformance() -> None:
    """The paid variants pass touchpath's conformance check."""
    check_attribution_model(FirstPaidTouch(paid={"ads", "seo"}))
    check_attribution_model(LastPaidTouch(paid={"email"}))


def test_errors() -> None:
    """Windows need timestamps; names must be a collection of names."""
    with pytest.raises(UnsupportedInputError):
        transform_paths(PathCounts.from_rows([(["a"], 1, 0, 0)]), TouchWindows())
    with pytest.raises(ConfigError, match="not one string"):
        FirstPaidTouch(paid="ads")
    with pytest.raises(ConfigError, match="field"):
        TouchWindows(field="campaign")

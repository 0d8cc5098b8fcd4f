"""The per-event impression flag: read by every reader, stored when used, written back, and
taking precedence over the name rules in the click / view windows and the paid-click models."""

from __future__ import annotations

import pathlib
from typing import Any

import attrs
import numpy as np
import pytest

from touchpath import EventLog, Schema, read_csv, read_jsonl
from touchpath.attribution import (
    FirstPaidTouch,
    LastPaidTouch,
    LastTouch,
    Linear,
    PathCounts,
    TouchWindows,
    attribute,
    transform_paths,
)
from touchpath.exceptions import ConfigError, SchemaError
from touchpath.io import read_parquet, write_csv, write_jsonl, write_parquet

DAY = 86_400
T0 = 1_700_000_000


def journey(touches: list[tuple[str, float, Any]], converted_at: float = 30.0) -> EventLog:
    """One journey: (channel, day, impression flag) touches, then a conversion at a day."""
    records: list[dict[str, Any]] = [
        {"journey_id": "j", "timestamp": T0 + round(d * DAY), "channel": c, "impression": f}
        for c, d, f in touches
    ]
    records.append(
        {"journey_id": "j", "timestamp": T0 + round(converted_at * DAY), "stage": "buy",
         "converted": True}
    )  # fmt: skip
    return EventLog.from_records(records)


def test_values_accepted_and_codes() -> None:
    """Boolean-like values and the words view / impression / click map to 1 (view) and 0
    (click); None and empty text are not stated (-1). Expected codes written by hand."""
    flags: list[Any] = ["view", "Impression", "click", True, False, 1, 0, "yes", "no", None, ""]
    log = EventLog.from_records(
        {"journey_id": "j", "timestamp": i, "channel": "x", "impression": f}
        for i, f in enumerate(flags)
    )
    assert log.impressions.tolist() == [1, 1, 0, 1, 0, 1, 0, 1, 0, -1, -1]
    assert log.has_impressions
    assert [e.impression for e in log.journey("j")] == [
        True, True, False, True, False, True, False, True, False, None, None,
    ]  # fmt: skip


def test_absent_column_stores_nothing() -> None:
    """A log without the column keeps one stride-0 value, says it has no flags, and writes
    no impression column."""
    log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "x"}] * 3)
    assert log.impressions.tolist() == [-1, -1, -1]
    assert log.impressions.strides == (0,)
    assert not log.has_impressions
    assert "impression" not in log.to_records()[0]
    assert "impression" not in log.to_arrow().column_names


def test_bad_value_is_reported_with_its_row_and_column() -> None:
    """A value that is neither boolean-like nor a kind word raises naming the column, or is
    rejected with ``on_error='collect'`` while the other rows are kept."""
    rows = [
        {"journey_id": "j", "timestamp": 0, "channel": "x", "kind": "maybe"},
        {"journey_id": "j", "timestamp": 1, "channel": "x", "kind": "view"},
    ]
    with pytest.raises(SchemaError, match=r"row 0, field 'kind'.*got 'maybe'"):
        EventLog.from_records(rows, schema=Schema(impression="kind"))
    log = EventLog.from_records(rows, schema=Schema(impression="kind"), on_error="collect")
    assert [r.row for r in log.rejected] == [0]
    assert log.impressions.tolist() == [1]


def test_schema_can_ignore_the_column() -> None:
    """``Schema(impression=None)`` ignores a column called impression."""
    rows = [{"journey_id": "j", "timestamp": 0, "channel": "x", "impression": "banana"}]
    assert not EventLog.from_records(rows, schema=Schema(impression=None)).has_impressions


def test_every_reader_and_writer_round_trips(tmp_path: pathlib.Path) -> None:
    """CSV, JSON Lines, Parquet, Arrow, pandas and polars all read back the flags they wrote:
    view, not stated, click."""
    log = EventLog.from_records(
        [
            {"journey_id": "a", "timestamp": 0, "channel": "x", "impression": "view"},
            {"journey_id": "a", "timestamp": 1, "channel": "y"},
            {"journey_id": "b", "timestamp": 2, "channel": "y", "impression": "click"},
        ]
    )
    expected = [1, -1, 0]
    write_csv(log, tmp_path / "e.csv")
    write_jsonl(log, tmp_path / "e.jsonl")
    write_parquet(log, tmp_path / "e.parquet")
    back = [
        read_csv(tmp_path / "e.csv"),
        read_jsonl(tmp_path / "e.jsonl"),
        read_parquet(tmp_path / "e.parquet"),
        EventLog.from_arrow(log.to_arrow()),
        EventLog.from_pandas(log.to_pandas()),
        EventLog.from_polars(log.to_polars()),
        EventLog.from_records(log.to_records()),
    ]
    for other in back:
        assert other.impressions.tolist() == expected
        assert other.equals(log)
    assert (tmp_path / "e.csv").read_text().splitlines()[0].endswith(",impression")


def test_frames_with_a_boolean_or_kind_column() -> None:
    """A nullable boolean ``is_view`` column and a ``click``/``view`` text column, in pandas."""
    pd = pytest.importorskip("pandas")
    base = {"journey_id": ["a", "a", "a"], "timestamp": [0, 1, 2], "channel": ["x", "y", "z"]}
    df = pd.DataFrame({**base, "is_view": pd.array([True, None, False], dtype="boolean")})
    log = EventLog.from_pandas(df, schema=Schema(impression="is_view"))
    assert log.impressions.tolist() == [1, -1, 0]
    df = pd.DataFrame({**base, "kind": ["click", "view", None]})
    assert EventLog.from_pandas(df, schema=Schema(impression="kind")).impressions.tolist() == [
        0,
        1,
        -1,
    ]


def test_filters_and_concatenation_keep_the_flags() -> None:
    """Taking events and concatenating logs carry each event's flag with it."""
    a = journey([("x", 0.0, "view"), ("y", 1.0, None)])
    b = EventLog.from_records([{"journey_id": "k", "timestamp": 0, "channel": "z"}])
    both = EventLog.concat([a, b])
    assert both.impressions.tolist() == [1, -1, -1, -1]
    assert both.split_conversions().impressions.tolist() == [1, -1, -1, -1]


def test_flag_takes_precedence_over_names_in_windows() -> None:
    """Conversion at day 30; click window 28 days, view window 1 day, ``display`` named a
    view. Touches and what the rule says, by hand:

    - search, day 0, flagged view: a view 30 days old > 1 day: dropped;
    - display, day 5, flagged click (the flag beats the name): a click 25 days old: kept;
    - display, day 29.5, not stated: the name says view, 0.5 days old: kept;
    - display, day 20, not stated: a view 10 days old: dropped;
    - email, day 2, exactly 28 days old, flagged click: the edge is inclusive: kept.

    Last touch then credits the day-29.5 display; linear splits 1/3 over the three kept.
    """
    log = journey(
        [
            ("search", 0.0, "view"),
            ("email", 2.0, "click"),
            ("display", 5.0, "click"),
            ("display", 20.0, None),
            ("display", 29.5, None),
        ]
    )
    w = TouchWindows(click="28 days", view="1 day", views={"display"})
    assert transform_paths(log, w).paths() == [("email", "display", "display")]
    linear = attribute(transform_paths(log, w), Linear()).credits()
    assert linear == pytest.approx({"display": 2 / 3, "email": 1 / 3, "search": 0.0})
    assert attribute(transform_paths(log, w), LastTouch()).credits()["display"] == 1.0


def test_edge_is_inclusive_for_flagged_views() -> None:
    """A flagged view exactly 1 day old is kept; one second older is dropped."""
    recs: list[dict[str, Any]] = [
        {"journey_id": "a", "timestamp": T0, "channel": "x", "impression": True},
        {"journey_id": "a", "timestamp": T0 + DAY, "stage": "buy", "converted": True},
        {"journey_id": "b", "timestamp": T0 - 1, "channel": "x", "impression": True},
        {"journey_id": "b", "timestamp": T0 + DAY, "stage": "buy", "converted": True},
    ]
    w = TouchWindows(click=None, view="1 day")
    assert transform_paths(EventLog.from_records(recs), w).paths() == [("x",), ()]


def test_without_flags_the_name_rule_is_unchanged() -> None:
    """No impression column: the same windows as before (display a view by name)."""
    log = EventLog.from_records(
        [
            {"journey_id": "j", "timestamp": T0, "channel": "display"},
            {"journey_id": "j", "timestamp": T0 + 2 * DAY, "channel": "search"},
            {"journey_id": "j", "timestamp": T0 + 3 * DAY, "stage": "buy", "converted": True},
        ]
    )
    w = TouchWindows(click="28 days", view="1 day", views={"display"})
    assert transform_paths(log, w).paths() == [("search",)]


def test_last_paid_click_passes_over_views() -> None:
    """Paid: ads, social. Path ads (click), social (flagged view), seo, conversion. Last paid
    touch: social; last paid *click*: ads. With the flag not stated, ``views={'social'}`` makes
    social a view by name; without ``clicks_only`` the flag is ignored. By hand."""
    log = journey([("ads", 0.0, "click"), ("social", 1.0, "view"), ("seo", 2.0, None)])
    paid = {"ads", "social"}
    assert attribute(log, LastPaidTouch(paid=paid)).credits()["social"] == 1.0
    assert attribute(log, LastPaidTouch(paid=paid, clicks_only=True)).credits()["ads"] == 1.0
    unflagged = journey([("ads", 0.0, None), ("social", 1.0, None), ("seo", 2.0, None)])
    named = LastPaidTouch(paid=paid, clicks_only=True, views={"social"})
    assert attribute(unflagged, named).credits()["ads"] == 1.0
    # no paid click at all: the path's last touch, as without a paid touch
    views_only = journey([("social", 0.0, "view"), ("seo", 1.0, None)])
    assert attribute(views_only, LastPaidTouch(paid=paid, clicks_only=True)).credits() == {
        "seo": 1.0,
        "social": 0.0,
    }


def test_paid_click_on_path_counts_uses_names() -> None:
    """Path counts carry no events: ``views`` alone decides (first paid click of
    (social, ads): ads, as social is a view by name)."""
    pc = PathCounts.from_rows([(["social", "ads"], 1, 0, 0)])
    r = attribute(pc, FirstPaidTouch(paid={"ads", "social"}, clicks_only=True, views={"social"}))
    assert r.credits() == {"ads": 1.0, "social": 0.0}


def test_impressions_length_is_checked() -> None:
    """An impressions column of the wrong length is refused when building a log directly."""
    log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "x"}])
    with pytest.raises(ConfigError, match="one flag per event"):
        attrs.evolve(log, impressions=np.array([1, 0], dtype=np.int8))

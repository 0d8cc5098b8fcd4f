"""Rule-based models against hand-computed credits."""

from __future__ import annotations

import math

import pytest

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
)
from touchpath.exceptions import ConfigError, UnsupportedInputError
from touchpath.typing import AttributionModel

from ._helpers import log_of

# one path a, b, a, c converting with value 40, one path b, c converting with value 10,
# one non-converting path c, a
ROWS = [(["a", "b", "a", "c"], 1, 0, 40.0), (["b", "c"], 1, 0, 10.0), (["c", "a"], 0, 1, 0.0)]


@pytest.mark.parametrize(
    ("model", "conversions", "values"),
    [
        # first touches: a (path 1), b (path 2)
        (FirstTouch(), {"a": 1, "b": 1, "c": 0}, {"a": 40, "b": 10, "c": 0}),
        # last touches: c, c
        (LastTouch(), {"a": 0, "b": 0, "c": 2}, {"a": 0, "b": 0, "c": 50}),
        # path 1: a 2/4, b 1/4, c 1/4; path 2: b 1/2, c 1/2
        (Linear(), {"a": 0.5, "b": 0.75, "c": 0.75}, {"a": 20, "b": 15, "c": 15}),
        # path 1: a, b, c 1/3 each; path 2: b, c 1/2 each
        (
            Linear(per="channel"),
            {"a": 1 / 3, "b": 1 / 3 + 0.5, "c": 1 / 3 + 0.5},
            {"a": 40 / 3, "b": 40 / 3 + 5, "c": 40 / 3 + 5},
        ),
        # path 1: a .4, b .1, a .1, c .4; path 2: b .5, c .5
        (PositionBased(), {"a": 0.5, "b": 0.6, "c": 0.9}, {"a": 20, "b": 9, "c": 21}),
        # first=0.6, last=0.2: path 1: a .6, b .1, a .1, c .2; path 2: b .75, c .25
        (
            PositionBased(first=0.6, last=0.2),
            {"a": 0.7, "b": 0.85, "c": 0.45},
            {"a": 28, "b": 4 + 7.5, "c": 8 + 2.5},
        ),
    ],
    ids=["first", "last", "linear-touch", "linear-channel", "position", "position-60-20"],
)
def test_rule_models_match_hand_computed_credits(
    model: AttributionModel, conversions: dict[str, float], values: dict[str, float]
) -> None:
    """Each model's credits on ROWS equal the shares worked out by hand in the comments."""
    result = attribute(PathCounts.from_rows(ROWS), model)
    for item, want in conversions.items():
        assert math.isclose(result.credits()[item], want, abs_tol=1e-12), item
    for item, want in values.items():
        assert math.isclose(result.credits(value=True)[item], want, abs_tol=1e-12), item
    assert result.total_conversions == 2.0
    assert result.unattributed == 0.0


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([(["ads", "direct", "direct"], 1, 0, 0)], {"ads": 1.0, "direct": 0.0}),
        ([(["direct", "direct"], 1, 0, 0)], {"direct": 1.0}),
        ([(["ads", "seo", "direct"], 1, 0, 0)], {"ads": 0.0, "direct": 0.0, "seo": 1.0}),
    ],
    ids=["skips-direct", "all-direct-falls-back", "last-of-several"],
)
def test_last_non_direct(
    rows: list[tuple[list[str], int, int, float]], expected: dict[str, float]
) -> None:
    """The last non-direct touch wins; a path of only direct touches credits its last touch."""
    assert attribute(PathCounts.from_rows(rows), LastNonDirect()).credits() == expected


def test_last_non_direct_with_custom_direct_channels() -> None:
    """Several direct-like channels can be named."""
    pc = PathCounts.from_rows([(["ads", "brand", "direct"], 1, 0, 0)])
    credits = attribute(pc, LastNonDirect(direct={"direct", "brand"})).credits()
    assert credits == {"ads": 1.0, "brand": 0.0, "direct": 0.0}


def test_time_decay_measures_from_the_conversion() -> None:
    """Touches 14 and 7 days before a conversion (half-life 7 days) weigh 1/4 and 1/2.

    A touch 0 days before weighs 1: shares 0.25/1.75, 0.5/1.75, 1/1.75.
    """
    log = log_of([("a", False, 0, 0), ("b", False, 0, 7), ("c", True, 7.0, 14)])
    credits = attribute(log, TimeDecay(half_life="7 days")).by_channel()
    assert credits == pytest.approx({"a": 0.25 / 1.75, "b": 0.5 / 1.75, "c": 1 / 1.75}, rel=1e-12)


def test_time_decay_with_a_non_touch_conversion() -> None:
    """With the conversion marker 7 days after the last touch, the reference cancels out.

    Touches at days 0 and 7, conversion at 14: weights 1/4 and 1/2, shares 1/3 and 2/3.
    """
    log = log_of([("a", False, 0, 0), ("b", False, 0, 7), (None, True, 1.0, 14, "decision")])
    credits = attribute(log, TimeDecay(half_life=7 * 86_400)).by_channel()
    assert credits == pytest.approx({"a": 1 / 3, "b": 2 / 3}, rel=1e-12)


def test_time_decay_does_not_underflow_for_old_touches() -> None:
    """Touches ten years before the conversion still get finite, normalised shares."""
    log = log_of([("a", False, 0, 0), ("b", True, 1.0, 3650)])
    credits = attribute(log, TimeDecay(half_life="1 day")).by_channel()
    assert credits == {"a": 0.0, "b": 1.0}


def test_time_decay_needs_timestamps() -> None:
    """On path counts there is no time: UnsupportedInputError."""
    with pytest.raises(UnsupportedInputError):
        attribute(PathCounts.from_rows(ROWS), TimeDecay())


def test_w_shaped_hand_case() -> None:
    """Touches: ads (first), web (enters lead), mail (lead again), call (enters opportunity), seo.

    Keys get 0.3 each; the 0.1 rest goes to mail and seo, 0.05 each.
    """
    log = log_of(
        [
            ("ads", False, 0, 0, "awareness"),
            ("web", False, 0, 1, "lead"),
            ("mail", False, 0, 2, "lead"),
            ("call", False, 0, 3, "opportunity"),
            ("seo", True, 100.0, 4, "decision"),
        ]
    )
    result = attribute(log, WShaped(lead_stage="lead", opportunity_stage="opportunity"))
    assert result.by_channel() == pytest.approx(
        {"ads": 0.3, "web": 0.3, "mail": 0.05, "call": 0.3, "seo": 0.05}, abs=1e-12
    )
    assert result.by_channel(value=True)["call"] == pytest.approx(30.0)


@pytest.mark.parametrize(
    ("journey", "expected"),
    [
        # the first touch also enters the lead stage: it gets 0.6; no opportunity -> rest 0.4
        # over the two others
        (
            [("a", False, 0, 0, "lead"), ("b", False, 0, 1), ("c", True, 1.0, 2)],
            {"a": 0.6, "b": 0.2, "c": 0.2},
        ),
        # every touch is a key touch: keys share the path in proportion 0.3 : 0.3 : 0.3
        (
            [("a", False, 0, 0), ("b", False, 0, 1, "lead"), ("c", True, 1.0, 2, "opportunity")],
            {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3},
        ),
        # one touch only: all of it
        ([("a", True, 1.0, 0)], {"a": 1.0}),
    ],
    ids=["first-is-lead", "all-keys", "single"],
)
def test_w_shaped_edge_cases(journey: list[tuple[object, ...]], expected: dict[str, float]) -> None:
    """Coinciding and missing key touches follow the documented rule."""
    result = attribute(log_of(journey), WShaped("lead", "opportunity"))
    assert result.by_channel() == pytest.approx(expected, abs=1e-12)


def test_w_shaped_needs_stages() -> None:
    """Channel path counts carry no stages."""
    with pytest.raises(UnsupportedInputError):
        attribute(PathCounts.from_rows(ROWS), WShaped("lead", "opportunity"))


@pytest.mark.parametrize(
    "make",
    [
        lambda: PositionBased(first=0.7, last=0.5),
        lambda: PositionBased(first=-0.1),
        lambda: WShaped("l", "o", first=0.5, lead=0.5, opportunity=0.5),
        lambda: Linear(per="journey"),
        lambda: TimeDecay(half_life=0),
    ],
    ids=["position-sum", "position-negative", "w-sum", "linear-per", "decay-zero"],
)
def test_bad_model_parameters_raise(make: object) -> None:
    """Weights outside [0, 1] or summing above 1, unknown options, zero half-life: ConfigError."""
    with pytest.raises(ConfigError):
        make()  # type: ignore[operator]


def test_converting_journeys_without_touches_are_unattributed() -> None:
    """A conversion with no touch credits no one: it is in the unattributed bucket."""
    log = log_of([("a", True, 5.0)], [(None, True, 7.0, 0, "decision")])
    result = attribute(log, LastTouch())
    assert result.by_channel() == {"a": 1.0}
    assert (result.unattributed, result.unattributed_value) == (1.0, 7.0)
    assert (result.total_conversions, result.total_value) == (2.0, 12.0)

"""The frozen value types of a designed journey: validation, conversion, KPI checks."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import attrs
import attrs.exceptions
import pytest

from touchpath import (
    KPI,
    Channel,
    ChannelKind,
    Direction,
    Edge,
    EdgeKind,
    Phase,
    Stage,
    Touchpoint,
    Unit,
)
from touchpath._model import require_positive
from touchpath.exceptions import ConfigError, MapError

# -- empty and non-string ids / names -------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "bad"),
    [
        (lambda: Channel(""), ""),
        (lambda: Channel("   "), "   "),
        (lambda: Channel("email", name=""), ""),
        (lambda: KPI(""), ""),
        (lambda: KPI("k", name="\t"), "\t"),
        (lambda: Stage(""), ""),
        (lambda: Stage("s", name=" \n"), " \n"),
        (lambda: Touchpoint("", channel="c", stage="s"), ""),
        (lambda: Touchpoint("t", channel="c", stage=""), ""),
        (lambda: Touchpoint("t", channel="c", stage="s", name=" "), " "),
        (lambda: Edge("", "b"), ""),
        (lambda: Edge("a", "  "), "  "),
    ],
    ids=[
        "channel-id",
        "channel-id-blank",
        "channel-name",
        "kpi-id",
        "kpi-name",
        "stage-id",
        "stage-name",
        "touchpoint-id",
        "touchpoint-stage",
        "touchpoint-name",
        "edge-source",
        "edge-target",
    ],
)
def test_empty_text_refused(build: Callable[[], object], bad: str) -> None:
    """Empty or blank ids and names raise MapError quoting the bad value."""
    with pytest.raises(MapError, match="must not be empty") as info:
        build()
    assert f"got {bad!r}" in str(info.value)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Stage(5),  # type: ignore[arg-type]
        lambda: KPI(None),  # type: ignore[arg-type]
        lambda: Channel(b"email"),  # type: ignore[arg-type]
        lambda: Edge("a", 3),  # type: ignore[arg-type]
        lambda: Touchpoint("t", channel="c", stage=1.5),  # type: ignore[arg-type]
    ],
    ids=["stage-int", "kpi-none", "channel-bytes", "edge-int", "touchpoint-float"],
)
def test_non_string_id_refused(build: Callable[[], object]) -> None:
    """Ids that are not strings raise MapError saying a string was expected."""
    with pytest.raises(MapError, match="must be a string; got"):
        build()


@pytest.mark.parametrize(
    "build",
    [
        lambda: Stage("s", owner=3),
        lambda: Stage("s", group=["g"]),
        lambda: KPI("k", stage=7),
    ],
    ids=["stage-owner", "stage-group", "kpi-stage"],
)
def test_optional_text_must_be_str_or_none(build: Callable[[], object]) -> None:
    """Optional text fields accept a string or None, nothing else."""
    with pytest.raises(MapError, match="expected a string or None; got"):
        build()


def test_names_default_to_ids() -> None:
    """Display names default to the id for every named type."""
    assert Channel("email").name == "email"
    assert KPI("k").name == "k"
    assert Stage("s").name == "s"
    assert Touchpoint("t", channel="c", stage="s").name == "t"


# -- Channel --------------------------------------------------------------------------------------


def test_channel_defaults() -> None:
    """A channel is of kind OTHER unless told otherwise."""
    assert Channel("x") == Channel("x", ChannelKind.OTHER, "x")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("paid", ChannelKind.PAID),
        ("direct", ChannelKind.DIRECT),
        (ChannelKind.OWNED, ChannelKind.OWNED),
    ],
    ids=["paid", "direct", "member"],
)
def test_channel_kind_converted(raw: Any, expected: ChannelKind) -> None:
    """A channel kind given as its string value becomes the enum member."""
    assert Channel("x", raw).kind is expected


# -- enum converters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "bad"),
    [
        (lambda: Channel("x", "bogus"), "'bogus'"),
        (lambda: KPI("k", direction="up"), "'up'"),
        (lambda: KPI("k", unit="percent"), "'percent'"),
        (lambda: Edge("a", "b", "backwards"), "'backwards'"),
        (lambda: Stage("s", phase="pre_purchase"), "'pre_purchase'"),
        (lambda: Touchpoint("t", channel="c", stage="s", phase=3), "3"),
        (lambda: Stage("s", phase=["before_purchase"]), "['before_purchase']"),
    ],
    ids=["channel-kind", "direction", "unit", "edge-kind", "stage-phase", "tp-phase-int", "list"],
)
def test_bad_enum_value_refused(build: Callable[[], object], bad: str) -> None:
    """An unknown enum value raises MapError listing the choices and quoting the bad value."""
    with pytest.raises(MapError, match="must be one of") as info:
        build()
    assert str(info.value).endswith(f"got {bad}")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("before_purchase", Phase.BEFORE_PURCHASE),
        ("after_purchase", Phase.AFTER_PURCHASE),
        (Phase.DURING_PURCHASE, Phase.DURING_PURCHASE),
        (None, None),
    ],
    ids=["before", "after", "member", "none"],
)
def test_phase_converted(raw: Any, expected: Phase | None) -> None:
    """Stage and touchpoint phases accept members, their string values, or None."""
    assert Stage("s", phase=raw).phase is expected
    assert Touchpoint("t", channel="c", stage="s", phase=raw).phase is expected


def test_kpi_direction_and_unit_converted() -> None:
    """KPI direction and unit accept their string values."""
    k = KPI("k", direction="at_most", unit="currency")
    assert (k.direction, k.unit) == (Direction.AT_MOST, Unit.CURRENCY)


def test_edge_kind_converted() -> None:
    """An edge kind given as a string becomes the enum member; forward is the default."""
    assert Edge("a", "b", "loop_back").kind is EdgeKind.LOOP_BACK
    assert Edge("a", "b").kind is EdgeKind.FORWARD


# -- KPI ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [math.nan, math.inf, -math.inf, True, False, "0.25", [0.25], 10**400],
    ids=["nan", "inf", "-inf", "true", "false", "str", "list", "huge-int"],
)
def test_kpi_target_refused(target: Any) -> None:
    """A target must be a finite int or float (bools excluded); the message names the KPI."""
    with pytest.raises(MapError, match=r"KPI 'k' target must be") as info:
        KPI("k", target=target)
    assert "got" in str(info.value)


@pytest.mark.parametrize("target", [None, 0, -3, 0.25, 1e300], ids=str)
def test_kpi_target_accepted(target: float | None) -> None:
    """None and finite numbers are valid targets, kept as given."""
    assert KPI("k", target=target).target == target


@pytest.mark.parametrize(
    ("direction", "target", "actual", "met", "gap"),
    [
        (Direction.AT_LEAST, 0.25, 0.30, True, 0.05),
        (Direction.AT_LEAST, 0.25, 0.25, True, 0.0),
        (Direction.AT_LEAST, 0.25, 0.20, False, -0.05),
        (Direction.AT_MOST, 0.05, 0.04, True, -0.01),
        (Direction.AT_MOST, 0.05, 0.05, True, 0.0),
        (Direction.AT_MOST, 0.05, 0.06, False, 0.01),
        (Direction.AT_LEAST, 10, 12, True, 2),
        (Direction.AT_MOST, 0, -1, True, -1),
    ],
    ids=[
        "at-least-above",
        "at-least-equal",
        "at-least-below",
        "at-most-below",
        "at-most-equal",
        "at-most-above",
        "ints",
        "zero-target",
    ],
)
def test_kpi_is_met_and_gap(
    direction: Direction, target: float, actual: float, met: bool, gap: float
) -> None:
    """is_met compares in the KPI's direction (boundary counts as met); gap is actual - target."""
    k = KPI("k", target=target, direction=direction)
    assert k.is_met(actual) is met
    assert k.gap(actual) == pytest.approx(gap)


@pytest.mark.parametrize(
    ("target", "actual"),
    [(None, 0.5), (0.5, None), (0.5, math.nan), (None, None)],
    ids=["no-target", "no-actual", "nan-actual", "neither"],
)
@pytest.mark.parametrize("direction", list(Direction), ids=str)
def test_kpi_unknown_when_target_or_actual_missing(
    target: float | None, actual: float | None, direction: Direction
) -> None:
    """Without a target or an actual value, is_met and gap are None."""
    k = KPI("k", target=target, direction=direction)
    assert k.is_met(actual) is None
    assert k.gap(actual) is None


def test_kpi_defaults() -> None:
    """A bare KPI: no target, at least, a count, not yet attached, no description."""
    k = KPI("k")
    assert (k.target, k.direction, k.unit, k.stage, k.description) == (
        None,
        Direction.AT_LEAST,
        Unit.COUNT,
        None,
        "",
    )


# -- Stage ----------------------------------------------------------------------------------------


def test_stage_sets_kpi_stage() -> None:
    """KPIs attached to a stage get the stage's id; the stage keeps their order."""
    s = Stage("decision", kpis=[KPI("b"), KPI("a")])
    assert [(k.id, k.stage) for k in s.kpis] == [("b", "decision"), ("a", "decision")]
    assert isinstance(s.kpis, tuple)


def test_stage_keeps_kpi_already_naming_it() -> None:
    """A KPI that already names the stage is accepted and equal to an unattached one."""
    assert Stage("s", kpis=[KPI("k", stage="s")]) == Stage("s", kpis=[KPI("k")])


def test_stage_refuses_kpi_of_other_stage() -> None:
    """A KPI that names another stage cannot be attached; the message names both stages."""
    with pytest.raises(MapError, match="KPI 'k' is attached to stage 'b' but names stage 'a'"):
        Stage("b", kpis=[KPI("k", stage="a")])


def test_stage_single_kpi_becomes_tuple() -> None:
    """A single KPI (not in a sequence) is accepted as a one-KPI tuple."""
    assert Stage("s", kpis=KPI("k")).kpis == (KPI("k", stage="s"),)


@pytest.mark.parametrize(
    "kpis",
    [["k"], "k", 5, [KPI("a"), {"id": "b"}]],
    ids=["str-in-list", "str", "int", "dict-in-list"],
)
def test_stage_kpis_must_be_kpi_objects(kpis: Any) -> None:
    """kpis must be a sequence of KPI objects."""
    with pytest.raises(MapError, match="kpis must"):
        Stage("s", kpis=kpis)


def test_stage_defaults() -> None:
    """A bare stage: named after its id, no phase, goal, owner, group or KPIs."""
    s = Stage("s")
    assert (s.name, s.phase, s.goal, s.owner, s.group, s.kpis) == ("s", None, "", None, None, ())


# -- Touchpoint, Edge -----------------------------------------------------------------------------


def test_touchpoint_channel_from_string() -> None:
    """A channel given by id becomes ``Channel(id)`` (kind OTHER)."""
    tp = Touchpoint("t", channel="email", stage="s")
    assert tp.channel == Channel("email", ChannelKind.OTHER, "email")


def test_touchpoint_channel_must_be_channel_or_str() -> None:
    """Anything else as a channel raises MapError."""
    with pytest.raises(MapError, match="channel must be a Channel or a channel id; got 5"):
        Touchpoint("t", channel=5, stage="s")


def test_edge_self_loop_refused() -> None:
    """An edge from a stage to itself is not a transition."""
    with pytest.raises(MapError, match=r"edge 'a' -> 'a' is a self-loop"):
        Edge("a", "a")
    with pytest.raises(MapError, match="self-loop"):
        Edge("a", "a", EdgeKind.LOOP_BACK)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(EdgeKind.FORWARD, False), (EdgeKind.LOOP_BACK, True)],
    ids=["forward", "loop-back"],
)
def test_edge_is_loop_back(kind: EdgeKind, expected: bool) -> None:
    """is_loop_back is True exactly for loop-back edges."""
    assert Edge("a", "b", kind).is_loop_back is expected


# -- frozen, evolve, equality ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "field", "value"),
    [
        (Channel("c"), "kind", ChannelKind.PAID),
        (KPI("k"), "target", 1.0),
        (Stage("s"), "name", "other"),
        (Stage("s", kpis=[KPI("k")]), "kpis", ()),
        (Touchpoint("t", channel="c", stage="s"), "stage", "x"),
        (Edge("a", "b"), "kind", EdgeKind.LOOP_BACK),
    ],
    ids=["channel", "kpi", "stage", "stage-kpis", "touchpoint", "edge"],
)
def test_frozen(obj: object, field: str, value: object) -> None:
    """Assigning to a field raises FrozenInstanceError and changes nothing."""
    before = attrs.asdict(obj)  # type: ignore[arg-type]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(obj, field, value)
    assert attrs.asdict(obj) == before  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("obj", "changes", "match"),
    [
        (KPI("k", target=1.0), {"target": math.nan}, "must be finite"),
        (KPI("k"), {"id": ""}, "must not be empty"),
        (KPI("k"), {"direction": "sideways"}, "must be one of"),
        (Stage("s"), {"id": " "}, "must not be empty"),
        (Stage("s"), {"phase": "never"}, "must be one of"),
        (Stage("s", kpis=[KPI("k")]), {"kpis": [KPI("k", stage="other")]}, "names stage"),
        (Edge("a", "b"), {"target": "a"}, "self-loop"),
        (Touchpoint("t", channel="c", stage="s"), {"channel": 1}, "channel must be"),
        (Channel("c"), {"kind": "nope"}, "must be one of"),
    ],
    ids=[
        "kpi-target",
        "kpi-id",
        "kpi-direction",
        "stage-id",
        "stage-phase",
        "stage-kpi",
        "edge-self-loop",
        "touchpoint-channel",
        "channel-kind",
    ],
)
def test_evolve_revalidates(obj: Any, changes: dict[str, Any], match: str) -> None:
    """attrs.evolve runs converters and validators again."""
    with pytest.raises(MapError, match=match):
        attrs.evolve(obj, **changes)


def test_evolve_converts() -> None:
    """attrs.evolve converts like the constructor (strings to enums, KPIs attached)."""
    s = attrs.evolve(Stage("s"), phase="after_purchase", kpis=[KPI("k")])
    assert s.phase is Phase.AFTER_PURCHASE
    assert s.kpis == (KPI("k", stage="s"),)
    assert attrs.evolve(Edge("a", "b"), kind="loop_back").is_loop_back


def test_value_equality_and_hash() -> None:
    """Equal fields make equal, equally hashed values; a different field makes them differ."""
    a = Stage("s", phase="before_purchase", kpis=[KPI("k", target=1)])
    b = Stage("s", phase=Phase.BEFORE_PURCHASE, kpis=(KPI("k", target=1, stage="s"),))
    assert a == b
    assert hash(a) == hash(b)
    assert a != attrs.evolve(a, goal="g")
    assert len({Edge("a", "b"), Edge("a", "b"), Edge("b", "a")}) == 2


# -- require_positive -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (0, "must be a positive number; got 0"),
        (-1.5, "must be a positive number; got -1.5"),
        (True, "must be a positive number; got True"),
        ("3", "must be a positive number; got '3'"),
        (math.nan, "must be a positive number; got nan"),
        (math.inf, "must be finite; got inf"),
        (10**400, "must be finite"),
    ],
    ids=["zero", "negative", "bool", "str", "nan", "inf", "huge-int"],
)
def test_require_positive_refuses(value: object, match: str) -> None:
    """require_positive raises ConfigError naming the parameter and the bad value."""
    with pytest.raises(ConfigError, match=match) as info:
        require_positive("half_life", value)
    assert str(info.value).startswith("'half_life' must be")


@pytest.mark.parametrize(("value", "expected"), [(2, 2.0), (0.5, 0.5)], ids=["int", "float"])
def test_require_positive_returns_float(value: float, expected: float) -> None:
    """A valid value comes back as a float."""
    result = require_positive("x", value)
    assert result == expected
    assert type(result) is float

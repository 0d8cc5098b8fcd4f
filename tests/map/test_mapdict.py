"""The plain-data and JSON form of a JourneyMap: round trips and strict, path-reporting parsing."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import types
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings

from touchpath import (
    KPI,
    Channel,
    ChannelKind,
    Direction,
    Edge,
    EdgeKind,
    JourneyMap,
    Phase,
    Stage,
    Touchpoint,
    Unit,
)
from touchpath.exceptions import MapError, SchemaError
from touchpath.testing.strategies import journey_maps

# -- a hand-written document and the map it describes ------------------------------------------


def base_doc() -> dict[str, Any]:
    """A valid document using most of the format (4 stages, stage 3 with 2 KPIs)."""
    return {
        "format": "touchpath.journey_map",
        "version": 1,
        "name": "funnel",
        "description": "a test map",
        "stages": [
            {"id": "awareness", "phase": "before_purchase", "owner": "marketing"},
            {
                "id": "consideration",
                "name": "Consideration",
                "kpis": [{"id": "mql", "target": 100}],
            },
            {"id": "decision", "goal": "sign", "group": "sales"},
            {
                "id": "retention",
                "kpis": [
                    {"id": "churn", "target": 0.05, "direction": "at_most", "unit": "rate"},
                    {"id": "nps", "description": "asked quarterly"},
                ],
            },
        ],
        "edges": [
            {"source": "awareness", "target": "consideration"},
            {"source": "consideration", "target": "decision", "kind": "forward"},
            {"source": "decision", "target": "retention"},
            {"source": "decision", "target": "consideration", "kind": "loop_back"},
        ],
        "channels": [{"id": "email", "kind": "owned", "name": "E-mail"}, {"id": "web"}],
        "touchpoints": [
            {"id": "newsletter", "channel": "email", "stage": "awareness"},
            {"id": "pricing", "channel": "web", "stage": "decision", "phase": "during_purchase"},
        ],
        "entry": ["awareness"],
        "terminal": ["retention"],
    }


EMAIL = Channel("email", ChannelKind.OWNED, "E-mail")
WEB = Channel("web", ChannelKind.OTHER, "web")


def base_map() -> JourneyMap:
    """The map base_doc() describes, built by hand."""
    return JourneyMap(
        name="funnel",
        description="a test map",
        stages=[
            Stage("awareness", phase=Phase.BEFORE_PURCHASE, owner="marketing"),
            Stage("consideration", name="Consideration", kpis=[KPI("mql", target=100)]),
            Stage("decision", goal="sign", group="sales"),
            Stage(
                "retention",
                kpis=[
                    KPI("churn", target=0.05, direction=Direction.AT_MOST, unit=Unit.RATE),
                    KPI("nps", description="asked quarterly"),
                ],
            ),
        ],
        edges=[
            Edge("awareness", "consideration"),
            Edge("consideration", "decision"),
            Edge("decision", "retention"),
            Edge("decision", "consideration", EdgeKind.LOOP_BACK),
        ],
        touchpoints=[
            Touchpoint("newsletter", channel=EMAIL, stage="awareness"),
            Touchpoint("pricing", channel=WEB, stage="decision", phase=Phase.DURING_PURCHASE),
        ],
        entry=["awareness"],
        terminal=["retention"],
    )


def test_from_dict_reads_every_field() -> None:
    """A hand-written document gives exactly the hand-built map."""
    assert JourneyMap.from_dict(base_doc()) == base_map()


def test_to_dict_normal_form() -> None:
    """to_dict writes defaults explicitly (names, directions, units, kinds), leaves out empty
    optional fields, and keeps a stable key order."""
    d = base_map().to_dict()
    assert d == {
        "format": "touchpath.journey_map",
        "version": 1,
        "name": "funnel",
        "description": "a test map",
        "stages": [
            {
                "id": "awareness",
                "name": "awareness",
                "phase": "before_purchase",
                "owner": "marketing",
            },
            {
                "id": "consideration",
                "name": "Consideration",
                "kpis": [
                    {
                        "id": "mql",
                        "name": "mql",
                        "target": 100,
                        "direction": "at_least",
                        "unit": "count",
                    }
                ],
            },
            {"id": "decision", "name": "decision", "goal": "sign", "group": "sales"},
            {
                "id": "retention",
                "name": "retention",
                "kpis": [
                    {
                        "id": "churn",
                        "name": "churn",
                        "target": 0.05,
                        "direction": "at_most",
                        "unit": "rate",
                    },
                    {
                        "id": "nps",
                        "name": "nps",
                        "direction": "at_least",
                        "unit": "count",
                        "description": "asked quarterly",
                    },
                ],
            },
        ],
        "edges": [
            {"source": "awareness", "target": "consideration", "kind": "forward"},
            {"source": "consideration", "target": "decision", "kind": "forward"},
            {"source": "decision", "target": "retention", "kind": "forward"},
            {"source": "decision", "target": "consideration", "kind": "loop_back"},
        ],
        "channels": [
            {"id": "email", "kind": "owned", "name": "E-mail"},
            {"id": "web", "kind": "other", "name": "web"},
        ],
        "touchpoints": [
            {"id": "newsletter", "name": "newsletter", "channel": "email", "stage": "awareness"},
            {
                "id": "pricing",
                "name": "pricing",
                "channel": "web",
                "stage": "decision",
                "phase": "during_purchase",
            },
        ],
        "entry": ["awareness"],
        "terminal": ["retention"],
    }
    assert list(d) == [
        "format",
        "version",
        "name",
        "description",
        "stages",
        "edges",
        "channels",
        "touchpoints",
        "entry",
        "terminal",
    ]


def test_minimal_document() -> None:
    """Only name and stage ids are required; everything else takes its default."""
    m = JourneyMap.from_dict({"name": "m", "stages": [{"id": "a"}, {"id": "b"}]})
    assert m == JourneyMap("m", [Stage("a"), Stage("b")])
    assert m.to_dict() == {
        "format": "touchpath.journey_map",
        "version": 1,
        "name": "m",
        "stages": [{"id": "a", "name": "a"}, {"id": "b", "name": "b"}],
        "edges": [],
        "channels": [],
        "touchpoints": [],
    }


def test_empty_names_and_nulls_take_defaults() -> None:
    """An empty name means "the id"; null phase, owner, target, kind and direction mean unset."""
    doc = {
        "name": "m",
        "stages": [
            {"id": "a", "name": "", "phase": None, "owner": None, "group": None},
            {"id": "b", "kpis": [{"id": "k", "name": "", "target": None, "direction": None}]},
        ],
        "edges": [{"source": "a", "target": "b", "kind": None}],
        "channels": [{"id": "c", "name": "", "kind": None}],
        "touchpoints": [{"id": "t", "name": "", "channel": "c", "stage": "a", "phase": None}],
    }
    expected = JourneyMap(
        "m",
        [Stage("a"), Stage("b", kpis=[KPI("k")])],
        [Edge("a", "b")],
        [Touchpoint("t", channel=Channel("c"), stage="a")],
    )
    assert JourneyMap.from_dict(doc) == expected


def test_kpi_may_name_its_own_stage() -> None:
    """A KPI's optional ``stage`` key is accepted when it names the enclosing stage."""
    m = JourneyMap.from_dict(
        {"name": "m", "stages": [{"id": "a", "kpis": [{"id": "k", "stage": "a"}]}]}
    )
    assert m.kpis == (KPI("k", stage="a"),)


def test_empty_owner_and_group_round_trip() -> None:
    """An empty-string owner or group is not confused with "no owner" by the round trip."""
    m = JourneyMap("m", [Stage("a", owner="", group=""), Stage("b", owner=None)])
    d = m.to_dict()
    assert d["stages"] == [
        {"id": "a", "name": "a", "owner": "", "group": ""},
        {"id": "b", "name": "b"},
    ]
    assert JourneyMap.from_dict(d) == m


def test_from_dict_accepts_any_mapping_and_does_not_mutate() -> None:
    """Any Mapping works as the root, and the input document is left untouched."""
    doc = base_doc()
    before = copy.deepcopy(doc)
    assert JourneyMap.from_dict(types.MappingProxyType(doc)) == base_map()
    assert doc == before


# -- round trips --------------------------------------------------------------------------------


@settings(deadline=None)
@given(journey_maps())
def test_dict_round_trip(m: JourneyMap) -> None:
    """from_dict(to_dict(m)) gives back an equal map."""
    assert JourneyMap.from_dict(m.to_dict()) == m


@settings(deadline=None)
@given(journey_maps())
def test_json_round_trip(m: JourneyMap) -> None:
    """from_json(to_json(m)) gives back an equal map, indented or not, str or UTF-8 bytes."""
    assert JourneyMap.from_json(m.to_json()) == m
    assert JourneyMap.from_json(m.to_json(indent=None)) == m
    assert JourneyMap.from_json(m.to_json().encode()) == m


def _strict_loads(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} in output")

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        assert len(keys) == len(set(keys)), keys
        return dict(items)

    return json.loads(text, parse_constant=refuse, object_pairs_hook=pairs)


@settings(deadline=None)
@given(journey_maps())
def test_to_json_is_strict_json_of_to_dict(m: JourneyMap) -> None:
    """to_json is standard JSON (no NaN, no repeated keys) holding exactly to_dict()."""
    assert _strict_loads(m.to_json()) == m.to_dict()
    assert json.loads(json.dumps(m.to_dict(), allow_nan=False)) == m.to_dict()


# -- malformed documents -------------------------------------------------------------------------

Path = tuple[str | int, ...]
Mutation = Callable[[dict[str, Any]], Any]


def setting(path: Path, value: Any) -> Mutation:
    """Set the value at path (creating the last key), return the document."""

    def mutate(doc: dict[str, Any]) -> Any:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return doc

    return mutate


def deleting(path: Path) -> Mutation:
    """Delete the value at path, return the document."""

    def mutate(doc: dict[str, Any]) -> Any:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        return doc

    return mutate


MALFORMED: list[tuple[str, Mutation, str]] = [
    ("root-list", lambda d: [d], "<root>"),
    ("root-str", lambda d: "funnel", "<root>"),
    ("unknown-root-key", setting(("stagez",), []), "stagez"),
    ("dunder-class-key", setting(("__class__",), "os.system"), "__class__"),
    (
        "python-tag-key",
        setting(("stages", 0, "!!python/object/apply:os.system"), ["ls"]),
        "stages[0].!!python/object/apply:os.system",
    ),
    (
        "reduce-key-in-kpi",
        setting(("stages", 3, "kpis", 1, "__reduce__"), "x"),
        "stages[3].kpis[1].__reduce__",
    ),
    ("missing-name", deleting(("name",)), "name"),
    ("blank-name", setting(("name",), "  "), "name"),
    ("int-name", setting(("name",), 3), "name"),
    ("description-int", setting(("description",), 1), "description"),
    ("stages-object", setting(("stages",), {"id": "a"}), "stages"),
    ("stages-null", setting(("stages",), None), "stages"),
    ("stage-str", setting(("stages", 1), "consideration"), "stages[1]"),
    ("stage-missing-id", deleting(("stages", 2, "id")), "stages[2].id"),
    ("stage-id-int", setting(("stages", 0, "id"), 7), "stages[0].id"),
    ("stage-id-empty", setting(("stages", 0, "id"), ""), "stages[0].id"),
    ("stage-name-blank", setting(("stages", 1, "name"), " "), "stages[1].name"),
    ("stage-name-list", setting(("stages", 1, "name"), ["x"]), "stages[1].name"),
    ("stage-phase-bad", setting(("stages", 0, "phase"), "pre_purchase"), "stages[0].phase"),
    ("stage-owner-int", setting(("stages", 0, "owner"), 1), "stages[0].owner"),
    ("stage-goal-null", setting(("stages", 2, "goal"), None), "stages[2].goal"),
    ("stage-group-bool", setting(("stages", 2, "group"), False), "stages[2].group"),
    ("kpis-object", setting(("stages", 3, "kpis"), {"id": "x"}), "stages[3].kpis"),
    ("kpi-str", setting(("stages", 3, "kpis", 1), "nps"), "stages[3].kpis[1]"),
    (
        "kpi-target-str",
        setting(("stages", 3, "kpis", 0, "target"), "5%"),
        "stages[3].kpis[0].target",
    ),
    (
        "kpi-target-bool",
        setting(("stages", 3, "kpis", 0, "target"), True),
        "stages[3].kpis[0].target",
    ),
    (
        "kpi-target-inf",
        setting(("stages", 3, "kpis", 0, "target"), float("inf")),
        "stages[3].kpis[0].target",
    ),
    (
        "kpi-target-nan",
        setting(("stages", 3, "kpis", 0, "target"), float("nan")),
        "stages[3].kpis[0].target",
    ),
    (
        "kpi-target-huge-int",
        setting(("stages", 3, "kpis", 0, "target"), 10**400),
        "stages[3].kpis[0].target",
    ),
    (
        "kpi-target-list",
        setting(("stages", 1, "kpis", 0, "target"), [1]),
        "stages[1].kpis[0].target",
    ),
    (
        "kpi-direction-bad",
        setting(("stages", 3, "kpis", 0, "direction"), "up"),
        "stages[3].kpis[0].direction",
    ),
    (
        "kpi-unit-bad",
        setting(("stages", 3, "kpis", 1, "unit"), "percent"),
        "stages[3].kpis[1].unit",
    ),
    (
        "kpi-unit-unhashable",
        setting(("stages", 3, "kpis", 1, "unit"), {"rate": 1}),
        "stages[3].kpis[1].unit",
    ),
    ("kpi-missing-id", deleting(("stages", 1, "kpis", 0, "id")), "stages[1].kpis[0].id"),
    ("kpi-unknown-key", setting(("stages", 3, "kpis", 1, "weight"), 2), "stages[3].kpis[1].weight"),
    (
        "kpi-other-stage",
        setting(("stages", 3, "kpis", 0, "stage"), "awareness"),
        "stages[3].kpis[0].stage",
    ),
    (
        "kpi-description-int",
        setting(("stages", 3, "kpis", 1, "description"), 5),
        "stages[3].kpis[1].description",
    ),
    ("kpi-name-blank", setting(("stages", 3, "kpis", 1, "name"), "\t"), "stages[3].kpis[1].name"),
    ("edges-str", setting(("edges",), "awareness -> consideration"), "edges"),
    ("edge-list", setting(("edges", 1), ["consideration", "decision"]), "edges[1]"),
    ("edge-missing-source", deleting(("edges", 0, "source")), "edges[0].source"),
    ("edge-target-int", setting(("edges", 2, "target"), 3), "edges[2].target"),
    ("edge-kind-bad", setting(("edges", 3, "kind"), "backwards"), "edges[3].kind"),
    ("edge-unknown-key", setting(("edges", 1, "weight"), 1), "edges[1].weight"),
    ("channel-duplicate-id", setting(("channels", 1, "id"), "email"), "channels[1].id"),
    ("channel-kind-bad", setting(("channels", 0, "kind"), "tv"), "channels[0].kind"),
    ("channel-missing-id", deleting(("channels", 1, "id")), "channels[1].id"),
    ("channel-name-blank", setting(("channels", 0, "name"), " "), "channels[0].name"),
    ("tp-unknown-channel", setting(("touchpoints", 1, "channel"), "sms"), "touchpoints[1].channel"),
    (
        "tp-channel-object",
        setting(("touchpoints", 0, "channel"), {"id": "email"}),
        "touchpoints[0].channel",
    ),
    ("tp-missing-channel", deleting(("touchpoints", 0, "channel")), "touchpoints[0].channel"),
    ("tp-missing-stage", deleting(("touchpoints", 0, "stage")), "touchpoints[0].stage"),
    ("tp-phase-bad", setting(("touchpoints", 1, "phase"), "during"), "touchpoints[1].phase"),
    (
        "tp-unknown-key",
        setting(("touchpoints", 0, "channel_id"), "email"),
        "touchpoints[0].channel_id",
    ),
    ("entry-str", setting(("entry",), "awareness"), "entry"),
    ("entry-item-int", setting(("entry",), ["awareness", 2]), "entry[1]"),
    ("terminal-item-null", setting(("terminal",), [None]), "terminal[0]"),
    ("format-wrong", setting(("format",), "touchpath.map"), "format"),
    ("version-2", setting(("version",), 2), "version"),
    ("version-true", setting(("version",), True), "version"),
    ("version-str", setting(("version",), "1"), "version"),
]


@pytest.mark.parametrize(
    ("mutate", "field"), [(m, f) for _, m, f in MALFORMED], ids=[i for i, _, _ in MALFORMED]
)
def test_malformed_document_refused(mutate: Mutation, field: str) -> None:
    """A malformed document raises SchemaError whose ``field`` is the exact path."""
    doc = mutate(base_doc())
    with pytest.raises(SchemaError) as info:
        JourneyMap.from_dict(doc)
    assert info.value.field == field
    assert str(info.value).startswith(f"field {field!r}: ")


def test_base_document_is_valid() -> None:
    """The document the malformed cases start from is itself accepted (so each case tests one
    defect)."""
    assert len(JourneyMap.from_dict(base_doc())) == 4


@pytest.mark.parametrize(
    ("mutate", "field", "value", "reason"),
    [
        (
            setting(("stages", 3, "kpis", 0, "target"), "5%"),
            "stages[3].kpis[0].target",
            "5%",
            "must be a number or null",
        ),
        (setting(("stagez",), []), "stagez", "stagez", "unknown key; expected one of"),
        (
            setting(("edges", 3, "kind"), "back"),
            "edges[3].kind",
            "back",
            "must be one of ['forward', 'loop_back']",
        ),
        (setting(("version",), 2), "version", 2, "unsupported version; this touchpath reads 1"),
        (
            setting(("touchpoints", 1, "channel"), "sms"),
            "touchpoints[1].channel",
            "sms",
            "unknown channel; declared: ['email', 'web']",
        ),
    ],
    ids=["target", "unknown-key", "edge-kind", "version", "channel"],
)
def test_schema_error_carries_value_and_reason(
    mutate: Mutation, field: str, value: object, reason: str
) -> None:
    """The error keeps the refused value and a reason saying what was expected."""
    with pytest.raises(SchemaError) as info:
        JourneyMap.from_dict(mutate(base_doc()))
    err = info.value
    assert (err.field, err.value, err.has_value) == (field, value, True)
    assert err.reason.startswith(reason)


def test_missing_field_reports_no_value() -> None:
    """A missing required field says it is required, without a made-up "got None"."""
    with pytest.raises(SchemaError) as info:
        JourneyMap.from_dict(deleting(("stages", 2, "id"))(base_doc()))
    assert str(info.value) == "field 'stages[2].id': is required"
    assert not info.value.has_value


def test_source_in_message() -> None:
    """The source given to from_dict is carried on the error and leads the message."""
    with pytest.raises(SchemaError) as info:
        JourneyMap.from_dict(setting(("name",), 3)(base_doc()), source="maps/funnel.json")
    assert info.value.source == "maps/funnel.json"
    assert str(info.value) == "maps/funnel.json, field 'name': must be a string; got 3"


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (setting(("edges", 0, "target"), "considerasion"), "did you mean 'consideration'?"),
        (setting(("touchpoints", 0, "stage"), "nowhere"), "unknown stage 'nowhere'"),
        (setting(("entry",), ["decison"]), "did you mean 'decision'?"),
        (setting(("edges", 0, "target"), "awareness"), "self-loop"),
        (setting(("edges", 3, "kind"), "forward"), "cycle"),
        (setting(("stages", 1, "id"), "awareness"), "duplicate stage id 'awareness'"),
    ],
    ids=[
        "edge-unknown-stage",
        "tp-unknown-stage",
        "entry-unknown",
        "self-loop",
        "cycle",
        "dup-stage",
    ],
)
def test_inconsistent_document_raises_map_error(mutate: Mutation, fragment: str) -> None:
    """A well-formed document describing an inconsistent map raises MapError, not SchemaError."""
    with pytest.raises(MapError, match=fragment.replace("?", r"\?")):
        JourneyMap.from_dict(mutate(base_doc()))


# -- malformed JSON text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (
            '{"name": "m", "stages": [{"id": "a", "kpis": [{"id": "k", "target": NaN}]}]}',
            "stages[0].kpis[0].target",
        ),
        (
            '{"name": "m", "stages": [{"id": "a"}, '
            '{"id": "b", "kpis": [{"id": "k"}, {"id": "j", "target": -Infinity}]}]}',
            "stages[1].kpis[1].target",
        ),
        ('{"version": Infinity, "name": "m", "stages": [{"id": "a"}]}', "version"),
        ("NaN", "<root>"),
        ('{"name": "m", "name": "n", "stages": [{"id": "a"}]}', "name"),
        ('{"name": "m", "stages": [{"id": "a"}, {"id": "b", "id": "c"}]}', "stages[1].id"),
        (
            '{"name": "m", "stages": '
            '[{"id": "a", "kpis": [{"id": "k", "unit": "rate", "unit": "count"}]}]}',
            "stages[0].kpis[0].unit",
        ),
        (
            '{"name": "m", "stages": [{"id": "a"}, {"id": "b"}], '
            '"edges": [{"source": "a", "source": "b", "target": "b"}]}',
            "edges[0].source",
        ),
        ('{"name": "m", "stages": [{"id": "a"}], "extra": {"x": 1, "x": 2}}', "extra.x"),
    ],
    ids=[
        "nan-target",
        "minus-infinity-target",
        "infinity-version",
        "nan-root",
        "duplicate-root-key",
        "duplicate-stage-key",
        "duplicate-kpi-key",
        "duplicate-edge-key",
        "duplicate-nested-key",
    ],
)
def test_json_refuses_nan_and_duplicate_keys(text: str, field: str) -> None:
    """NaN/Infinity literals and repeated keys are refused with the exact path of the value."""
    with pytest.raises(SchemaError) as info:
        JourneyMap.from_json(text)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('{\n  "name": "m",\n  "stages": [\n    {"id": "a",}\n  ]\n}', 4),
        ('{"name": "m"', 1),
        ("", 1),
        ("\n\n\n{'name': 'm'}", 4),
        ('{"name": "m", "stages": [{"id": "a"}]}\n[]', 2),
    ],
    ids=["trailing-comma", "truncated", "empty", "single-quotes", "extra-data"],
)
def test_invalid_json_reports_line(text: str, line: int) -> None:
    """Text that is not JSON raises SchemaError with the line of the problem."""
    with pytest.raises(SchemaError, match="not valid JSON") as info:
        JourneyMap.from_json(text, source="map.json")
    err = info.value
    assert (err.line, err.field, err.source) == (line, None, "map.json")
    assert str(err).startswith(f"map.json line {line}: not valid JSON: ")


@pytest.mark.parametrize(
    "text",
    [
        b'{"name": "\xff\xfe", "stages": [{"id": "a"}]}',
        b"\xff\xfe\x00",
        '{"name": "m", "stages": [{"id": "a", "kpis": [{"id": "k", "target": '
        + "9" * 5000
        + "}]}]}",
        "[" * 100_000 + "]" * 100_000,
    ],
    ids=["bad-utf8", "bad-utf16", "huge-int-literal", "deep-nesting"],
)
def test_unreadable_json_is_schema_error(text: str | bytes) -> None:
    """Undecodable bytes, absurd numbers or nesting are refused as SchemaError, nothing else."""
    with pytest.raises(SchemaError, match="not valid JSON"):
        JourneyMap.from_json(text)


def test_json_wrong_root() -> None:
    """Valid JSON that is not an object is refused at the root."""
    with pytest.raises(SchemaError) as info:
        JourneyMap.from_json("[1, 2]")
    assert info.value.field == "<root>"


# -- untrusted input -------------------------------------------------------------------------------


def test_untrusted_input_executes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Code-like keys are refused as unknown keys and code-like values stay inert strings;
    nothing is ever run."""

    def forbidden(*args: object, **kwargs: object) -> Any:
        raise AssertionError("loading a map ran something")

    monkeypatch.setattr(os, "system", forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)

    for key in ["__class__", "__reduce__", "!!python/object/apply:os.system", "py/object"]:
        doc = base_doc()
        doc[key] = {"args": ["echo pwned"]}
        with pytest.raises(SchemaError, match="unknown key") as info:
            JourneyMap.from_json(json.dumps(doc))
        assert info.value.field == key

    payload = "!!python/object/apply:os.system ['echo pwned']"
    text = json.dumps({"name": payload, "stages": [{"id": "__import__('os').system('x')"}]})
    m = JourneyMap.from_json(text)
    assert m.name == payload
    assert m.stage_ids == ("__import__('os').system('x')",)

"""Plain-data (and JSON) form of a JourneyMap, with strict, path-reporting parsing.

The format, version 1::

    {"format": "touchpath.journey_map", "version": 1,
     "name": str, "description": str,
     "stages": [{"id", "name", "phase", "goal", "owner", "group",
                 "kpis": [{"id", "name", "target", "direction", "unit", "description",
                           "measurement": {"kind", ...}}]}],
     "edges": [{"source", "target", "kind"}],
     "channels": [{"id", "kind", "name"}],
     "touchpoints": [{"id", "name", "channel", "stage", "phase", "description"}],
     "entry": [str], "terminal": [str]}

Only ``name`` and ``stages`` (each with ``id``) are required. Unknown keys are
refused, so a typo never passes silently.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar

from ._measurement import Measurement, measurement_from_dict
from ._model import KPI, Channel, ChannelKind, Direction, Edge, EdgeKind, Phase, Stage, Touchpoint
from ._model import Unit as KPIUnit
from .exceptions import MapError, SchemaError

if TYPE_CHECKING:
    from ._map import JourneyMap

__all__ = ["FORMAT", "VERSION", "map_from_dict", "map_from_json", "map_to_dict"]

FORMAT: Final = "touchpath.journey_map"
VERSION: Final = 1

_E = TypeVar("_E", bound=enum.Enum)

MAX_DOCUMENT_BYTES: Final = 256 * 1024 * 1024
"""Largest map JSON text read (bytes, or characters of a str); refused before parsing."""
LIMITS: Final = {
    "stages": 1_000_000,
    "edges": 4_000_000,
    "channels": 1_000_000,
    "touchpoints": 4_000_000,
    "kpis": 10_000,
    "entry": 1_000_000,
    "terminal": 1_000_000,
}
"""Most entries of each list of a map document (``kpis``: per stage); refused when read."""


class _Reader:
    def __init__(self, source: str | None) -> None:
        self.source = source

    def fail(self, path: str, reason: str, value: object) -> SchemaError:
        return SchemaError(reason, source=self.source, field=path, value=value)

    def obj(self, value: object, path: str, allowed: frozenset[str]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(path or "<root>", "must be an object", value)
        for key in value:
            if not isinstance(key, str) or key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                raise self.fail(where, f"unknown key; expected one of {sorted(allowed)}", key)
        return value

    def list(self, m: Mapping[str, Any], key: str, path: str) -> list[Any]:
        value = m.get(key, [])
        if not isinstance(value, list | tuple):
            raise self.fail(_join(path, key), "must be a list", value)
        limit = LIMITS.get(key)
        if limit is not None and len(value) > limit:
            where = f"{self.source}: " if self.source else ""
            raise MapError(
                f"{where}{_join(path, key)!r} holds {len(value):,} entries; a map document "
                f"may hold at most {limit:,} (touchpath._mapdict.LIMITS)"
            )
        return list(value)

    def text(self, m: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> str:
        if key not in m:
            if required:
                raise SchemaError("is required", source=self.source, field=_join(path, key))
            return ""
        value = m[key]
        if not isinstance(value, str):
            raise self.fail(_join(path, key), "must be a string", value)
        if required and not value.strip():
            raise self.fail(_join(path, key), "must not be empty", value)
        return value

    def name(self, m: Mapping[str, Any], key: str, path: str, default: str) -> str:
        """An optional display name: absent or ``""`` gives ``default``; blank is refused."""
        value = self.text(m, key, path)
        if not value:
            return default
        if not value.strip():
            raise self.fail(_join(path, key), "must not be blank", value)
        return value

    def opt_text(self, m: Mapping[str, Any], key: str, path: str) -> str | None:
        value = m.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(_join(path, key), "must be a string or null", value)
        return value

    def enum(self, m: Mapping[str, Any], key: str, path: str, kind: type[_E], default: _E) -> _E:
        value = m.get(key)
        if value is None:
            return default
        try:
            return kind(value)
        except ValueError:
            choices = [str(e.value) for e in kind]
            raise self.fail(_join(path, key), f"must be one of {choices}", value) from None

    def opt_enum(self, m: Mapping[str, Any], key: str, path: str, kind: type[_E]) -> _E | None:
        if m.get(key) is None:
            return None
        return self.enum(m, key, path, kind, next(iter(kind)))

    def measurement(self, m: Mapping[str, Any], path: str) -> Measurement | None:
        """A KPI's optional measurement (see :mod:`touchpath.measurements`)."""
        value = m.get("measurement")
        if value is None:
            return None
        where = _join(path, "measurement")
        try:
            return measurement_from_dict(value, where=where)
        except MapError as exc:
            raise self.fail(where, str(exc).removeprefix(f"{where}: "), value) from None

    def number(self, m: Mapping[str, Any], key: str, path: str) -> float | None:
        value = m.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(_join(path, key), "must be a number or null", value)
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an int too large for a float
            finite = False
        if not finite:
            raise self.fail(_join(path, key), "must be finite", value)
        return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


_ROOT_KEYS = frozenset(
    {
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
    }
)
_STAGE_KEYS = frozenset({"id", "name", "phase", "goal", "owner", "group", "kpis"})
_KPI_KEYS = frozenset(
    {"id", "name", "target", "direction", "unit", "description", "stage", "measurement"}
)
_EDGE_KEYS = frozenset({"source", "target", "kind"})
_CHANNEL_KEYS = frozenset({"id", "kind", "name"})
_TP_KEYS = frozenset({"id", "name", "channel", "stage", "phase", "description"})


def map_from_dict(data: Mapping[str, Any], *, source: str | None = None) -> JourneyMap:
    """Parse and validate a map document; see the module docstring for the format."""
    from ._map import JourneyMap

    r = _Reader(source)
    root = r.obj(data, "", _ROOT_KEYS)
    if "format" in root and root["format"] != FORMAT:
        raise r.fail("format", f"must be {FORMAT!r}", root["format"])
    if "version" in root and (isinstance(root["version"], bool) or root["version"] != VERSION):
        raise r.fail(
            "version", f"unsupported version; this touchpath reads {VERSION}", root["version"]
        )
    name = r.text(root, "name", "", required=True)

    stages: list[Stage] = []
    for i, raw in enumerate(r.list(root, "stages", "")):
        p = f"stages[{i}]"
        s = r.obj(raw, p, _STAGE_KEYS)
        sid = r.text(s, "id", p, required=True)
        kpis: list[KPI] = []
        for j, kraw in enumerate(r.list(s, "kpis", p)):
            kp = f"{p}.kpis[{j}]"
            k = r.obj(kraw, kp, _KPI_KEYS)
            kid = r.text(k, "id", kp, required=True)
            kstage = r.opt_text(k, "stage", kp)
            if kstage is not None and kstage != sid:
                raise r.fail(f"{kp}.stage", f"must be the enclosing stage {sid!r}", kstage)
            kpis.append(
                KPI(
                    kid,
                    target=r.number(k, "target", kp),
                    direction=r.enum(k, "direction", kp, Direction, Direction.AT_LEAST),
                    unit=r.enum(k, "unit", kp, KPIUnit, KPIUnit.COUNT),
                    name=r.name(k, "name", kp, kid),
                    description=r.text(k, "description", kp),
                    measurement=r.measurement(k, kp),
                )
            )
        stages.append(
            Stage(
                sid,
                name=r.name(s, "name", p, sid),
                phase=r.opt_enum(s, "phase", p, Phase),
                goal=r.text(s, "goal", p),
                owner=r.opt_text(s, "owner", p),
                group=r.opt_text(s, "group", p),
                kpis=tuple(kpis),
            )
        )

    edges: list[Edge] = []
    for i, raw in enumerate(r.list(root, "edges", "")):
        p = f"edges[{i}]"
        e = r.obj(raw, p, _EDGE_KEYS)
        edges.append(
            Edge(
                r.text(e, "source", p, required=True),
                r.text(e, "target", p, required=True),
                r.enum(e, "kind", p, EdgeKind, EdgeKind.FORWARD),
            )
        )

    channels: dict[str, Channel] = {}
    for i, raw in enumerate(r.list(root, "channels", "")):
        p = f"channels[{i}]"
        c = r.obj(raw, p, _CHANNEL_KEYS)
        cid = r.text(c, "id", p, required=True)
        if cid in channels:
            raise r.fail(f"{p}.id", "duplicate channel id", cid)
        channels[cid] = Channel(
            cid,
            r.enum(c, "kind", p, ChannelKind, ChannelKind.OTHER),
            r.name(c, "name", p, cid),
        )

    touchpoints: list[Touchpoint] = []
    for i, raw in enumerate(r.list(root, "touchpoints", "")):
        p = f"touchpoints[{i}]"
        t = r.obj(raw, p, _TP_KEYS)
        tid = r.text(t, "id", p, required=True)
        cid = r.text(t, "channel", p, required=True)
        if cid not in channels:
            raise r.fail(f"{p}.channel", f"unknown channel; declared: {sorted(channels)}", cid)
        touchpoints.append(
            Touchpoint(
                tid,
                channel=channels[cid],
                stage=r.text(t, "stage", p, required=True),
                name=r.name(t, "name", p, tid),
                phase=r.opt_enum(t, "phase", p, Phase),
                description=r.text(t, "description", p),
            )
        )

    def ids(key: str) -> tuple[str, ...]:
        out = []
        for i, v in enumerate(r.list(root, key, "")):
            if not isinstance(v, str):
                raise r.fail(f"{key}[{i}]", "must be a stage id (string)", v)
            out.append(v)
        return tuple(out)

    return JourneyMap(
        name=name,
        stages=tuple(stages),
        edges=tuple(edges),
        touchpoints=tuple(touchpoints),
        entry=ids("entry"),
        terminal=ids("terminal"),
        description=r.text(root, "description", ""),
    )


class _Refused:
    """Stands in for a JSON value the parser refuses, until its path is known."""

    __slots__ = ("key", "reason")

    def __init__(self, reason: str, key: str | None = None) -> None:
        self.reason = reason
        self.key = key  # the repeated key, for a duplicate key; else None


def _raise_refused(data: object, source: str | None) -> None:
    """Raise a SchemaError naming the path of the first refused value, in document order."""
    stack: list[tuple[str, object]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _Refused):
            field = _join(path, value.key) if value.key is not None else path or "<root>"
            raise SchemaError(value.reason, source=source, field=field)
        if isinstance(value, dict):
            stack.extend((_join(path, k), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", v) for i, v in reversed(list(enumerate(value))))


def map_from_json(text: str | bytes, *, source: str | None = None) -> JourneyMap:
    """Parse JSON text strictly (no NaN/Infinity, no duplicate keys) into a map."""
    if len(text) > MAX_DOCUMENT_BYTES:
        where = f"{source}: " if source else ""
        raise MapError(
            f"{where}a map document may be at most {MAX_DOCUMENT_BYTES:,} bytes; got {len(text):,}"
        )
    refused = False

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any] | _Refused:
        nonlocal refused
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                refused = True
                return _Refused("duplicate key in JSON object", key)
            out[key] = value
        return out

    def no_constant(name: str) -> _Refused:
        nonlocal refused
        refused = True
        return _Refused(f"{name} is not valid JSON")

    try:
        data = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise SchemaError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", source=source, line=exc.lineno
        ) from None
    except RecursionError:
        raise SchemaError("not valid JSON: nested too deeply", source=source) from None
    except ValueError as exc:  # undecodable bytes, an integer literal too long to convert
        raise SchemaError(f"not valid JSON: {exc}", source=source) from None
    if refused:
        _raise_refused(data, source)
    return map_from_dict(data, source=source)


def _drop_empty(d: dict[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        if d.get(key) in (None, "", [], ()):
            d.pop(key, None)
    return d


def _drop_none(d: dict[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        if d.get(key) is None:
            d.pop(key, None)
    return d


def _stage_to_dict(s: Stage) -> dict[str, Any]:
    kpis = [
        _drop_empty(
            {
                "id": k.id,
                "name": k.name,
                "target": k.target,
                "direction": k.direction.value,
                "unit": k.unit.value,
                "description": k.description,
                "measurement": None if k.measurement is None else k.measurement.to_dict(),
            },
            "target",
            "description",
            "measurement",
        )
        for k in s.kpis
    ]
    out = {
        "id": s.id,
        "name": s.name,
        "phase": s.phase.value if s.phase is not None else None,
        "goal": s.goal,
        "owner": s.owner,
        "group": s.group,
        "kpis": kpis,
    }
    # owner and group may be "" (distinct from None), so only None is left out
    return _drop_none(_drop_empty(out, "phase", "goal", "kpis"), "owner", "group")


def map_to_dict(m: JourneyMap) -> dict[str, Any]:
    """The map as plain, JSON-compatible data; stable key order."""
    return _drop_empty(
        {
            "format": FORMAT,
            "version": VERSION,
            "name": m.name,
            "description": m.description,
            "stages": [_stage_to_dict(s) for s in m.stages],
            "edges": [
                {"source": e.source, "target": e.target, "kind": e.kind.value} for e in m.edges
            ],
            "channels": [{"id": c.id, "kind": c.kind.value, "name": c.name} for c in m.channels],
            "touchpoints": [
                _drop_empty(
                    {
                        "id": t.id,
                        "name": t.name,
                        "channel": t.channel.id,
                        "stage": t.stage,
                        "phase": t.phase.value if t.phase is not None else None,
                        "description": t.description,
                    },
                    "phase",
                    "description",
                )
                for t in m.touchpoints
            ],
            "entry": list(m.entry),
            "terminal": list(m.terminal),
        },
        "description",
        "entry",
        "terminal",
    )

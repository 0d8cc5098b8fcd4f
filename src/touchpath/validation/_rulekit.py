"""What the shipped validation rules share: converters, name hints and transition findings."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from .._time import format_duration, parse_duration
from ..exceptions import ConfigError, NotFoundError
from ._context import TransitionKind, ValidationContext
from ._protocol import Findings, RuleOutcome, TransitionRule

__all__ = [
    "as_duration",
    "as_inactive_after",
    "as_within",
    "check_max_skip",
    "check_stage_id",
    "describe_move",
    "empty_outcome",
    "hint_for",
    "map_stage",
    "micros",
    "quoted",
    "show_length",
    "to_timedelta",
    "to_touchpoint_ids",
    "transition_findings",
    "why",
]

_I64 = npt.NDArray[np.int64]


def to_timedelta(value: object, name: str) -> dt.timedelta:
    return dt.timedelta(microseconds=parse_duration(value, name=name))


# attrs converters must be named functions for the mypy plugin to type ``__init__``.
def as_duration(value: object) -> dt.timedelta:
    return to_timedelta(value, "duration")


def as_within(value: object) -> dt.timedelta:
    return to_timedelta(value, "window")


def as_inactive_after(value: object) -> dt.timedelta | None:
    return None if value is None else to_timedelta(value, "inactive_after")


def micros(value: dt.timedelta) -> int:
    return (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds


def check_stage_id(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{attribute.name!r} must be a non-empty stage id; got {value!r}")


def to_touchpoint_ids(value: object) -> tuple[str, ...]:
    items: tuple[object, ...]
    if isinstance(value, str):
        items = (value,)
    elif isinstance(value, Iterable):
        items = tuple(value)
    else:
        raise ConfigError(f"'touchpoints' must be touchpoint ids; got {value!r}")
    if not items:
        raise ConfigError("'touchpoints' must name at least one touchpoint; got none")
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"'touchpoints' must be non-empty touchpoint ids; got {item!r}")
    if len(set(items)) != len(items):
        raise ConfigError(f"'touchpoints' must not repeat an id; got {items!r}")
    return tuple(str(i) for i in items)


def check_max_skip(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"'max_skip' must be a non-negative integer; got {value!r}")


def quoted(names: Iterable[str]) -> str:
    return ", ".join(repr(n) for n in names)


def hint_for(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3)
    if close:
        return f"closest: {quoted(close)}"
    return "no similar name"


def map_stage(rule: TransitionRule, context: ValidationContext, stage: str) -> int:
    try:
        return context.journey_map.stage_index(stage)
    except NotFoundError as exc:
        raise ConfigError(f"rule {rule.name} names {exc}") from None


def show_length(us: int) -> str:
    """A duration in words, to its two largest units ("7 weeks 4 days", "2 days 1 hour")."""
    words = format_duration(us).split()
    return " ".join(words[:4])


def empty_outcome() -> RuleOutcome:
    return RuleOutcome(Findings.zero())


def transition_findings(
    context: ValidationContext,
    idx: _I64,
    explain: Callable[[ValidationContext, int, int, int, int, int, int], str],
) -> Findings:
    """Findings at transitions ``idx``, details from ``explain`` once per distinct move."""
    t = context.transitions
    src_code = t.source_code[idx]
    dst_code = t.target_code[idx]

    def details() -> list[str]:
        lookup = context.stage_lookup.tolist()
        kind_table, skip_table = t.tables
        cache: dict[tuple[int, int], str] = {}
        out: list[str] = []
        for a, b in zip(src_code.tolist(), dst_code.tolist(), strict=True):
            text = cache.get((a, b))
            if text is None:
                kind = int(kind_table[a, b])
                skipped = int(skip_table[a, b])
                text = explain(context, a, b, lookup[a], lookup[b], kind, skipped)
                cache[(a, b)] = text
            out.append(text)
        return out

    return Findings(t.event[idx], details=details, from_codes=src_code, to_codes=dst_code)


_KIND_BY_CODE: Final = {k.code: k for k in TransitionKind}


def describe_move(context: ValidationContext, a_code: int, b_code: int) -> str:
    names = context.log.stage_ids
    return f"{names[a_code]!r} -> {names[b_code]!r}"


def why(context: ValidationContext, a: int, b: int, kind: int, skipped: int) -> str:
    k = _KIND_BY_CODE[kind]
    if k is TransitionKind.SKIP:
        between = context.shortest_forward_path(a, b)[1:-1]
        plural = "" if skipped == 1 else "s"
        return f"skips {skipped} stage{plural} ({quoted(between)})"
    if k is TransitionKind.REGRESSION:
        return "moves back, and the map marks no loop-back edge for it"
    return "moves between stages that no forward path joins"

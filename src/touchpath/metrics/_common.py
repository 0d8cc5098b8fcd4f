"""Shared pieces of the metrics: options, level lookup, journey labels, stage runs."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, TypeVar

import numpy as np
import numpy.typing as npt

from .._enums import to_enum as to_enum
from .._level import Level as Level
from .._level import LevelLike as LevelLike
from .._optional import require_pandas as require_pandas
from .._runs import Runs as Runs
from .._runs import runs as runs
from .._schema import CATEGORICAL, Field
from .._time import parse_instant as parse_instant
from .._time import to_datetime
from ..exceptions import ConfigError, NotFoundError

if TYPE_CHECKING:
    from .._log import EventLog
    from .._map import JourneyMap

__all__ = ["CountUnit", "Level", "LevelLike"]

_E = TypeVar("_E", bound=enum.Enum)
_I32 = npt.NDArray[np.int32]
_I64 = npt.NDArray[np.int64]
_B = npt.NDArray[np.bool_]

NEVER: Final = np.iinfo(np.int64).max
"""A time later than any event (an open deadline, an unreached step)."""


class CountUnit(enum.StrEnum):
    """What a funnel counts: journeys (contacts), accounts (companies) or attempts.

    An account reaches a step when any of its journeys does; journeys without
    an account are left out of account counts and reported as unassigned.

    >>> CountUnit("accounts").value
    'accounts'
    """

    JOURNEYS = "journeys"
    ACCOUNTS = "accounts"
    ATTEMPTS = "attempts"
    """Funnels only: every attempt (every step-1 event, or visit when strict) is a unit."""


def level_codes(log: EventLog, level: Level) -> tuple[_I32, tuple[str, ...]]:
    """The code array and dictionary of a level's field."""
    return log.codes_and_names(level.field)


def map_ids(journey_map: JourneyMap, level: Level) -> tuple[str, ...]:
    """The ids a map declares at a level."""
    if level is Level.STAGE:
        return journey_map.stage_ids
    if level is Level.TOUCHPOINT:
        return tuple(t.id for t in journey_map.touchpoints)
    return tuple(c.id for c in journey_map.channels)


def categorical_field(value: object, name: str = "by") -> Field:
    """A categorical :class:`Field` (segment, channel, campaign, ...) from a Field or its name."""
    field = to_enum(Field, name, value)
    if field not in CATEGORICAL:
        raise ConfigError(
            f"{name!r} must be a categorical field ({', '.join(f.value for f in CATEGORICAL)}); "
            f"got {field.value!r}"
        )
    return field


def instant(us: int | None) -> dt.datetime | None:
    """A UTC datetime from microseconds (None stays None)."""
    return None if us is None else to_datetime(us)


def first_values(log: EventLog, codes: _I32) -> tuple[_I32, _I64]:
    """Per journey, the first non-missing code and the position of its event.

    Journeys without a value get code -1 and position ``NEVER``.
    """
    n = len(log)
    if n == 0:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
    starts = log.offsets[:-1]
    label = codes[starts].astype(np.int32)
    where = starts.astype(np.int64)
    if bool((label >= 0).all()):  # the usual case: every journey's first event has a value
        return label, where
    label = np.full(n, -1, dtype=np.int32)
    where = np.full(n, NEVER, dtype=np.int64)
    idx = np.flatnonzero(codes >= 0)
    if len(idx):
        j = log.event_journey[idx]
        first = np.ones(len(idx), dtype=np.bool_)
        first[1:] = j[1:] != j[:-1]
        label[j[first]] = codes[idx[first]]
        where[j[first]] = idx[first]
    return label, where


def distinct_sorted(keys: _I64) -> _I64:
    """The distinct values of ``keys``, sorted (fast on nearly sorted input)."""
    if len(keys) == 0:
        return keys
    s = np.sort(keys, kind="stable")
    keep = np.ones(len(s), dtype=np.bool_)
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def check_names(names: Sequence[str], known: Sequence[str], kind: str) -> None:
    """Raise :class:`NotFoundError` for the first name not in ``known``."""
    known_set = set(known)
    for name in names:
        if name not in known_set:
            raise NotFoundError(kind, name, choices=tuple(known))


def label_names(names: tuple[str, ...]) -> list[str | None]:
    """Group labels by code, with ``None`` (no value) at index ``len(names)``."""
    return [*names, None]

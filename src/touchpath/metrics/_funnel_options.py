"""Options of a funnel definition beyond the order: exclusion steps and the strict-repeat rule."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from typing import Literal, TypeAlias, final

import attrs

from ..exceptions import ConfigError
from ._common import Level, to_enum

__all__ = ["Exclusion", "Repeats", "RepeatsLike", "StepLike"]

StepLike: TypeAlias = str | Sequence[str]
"""A funnel step: one id, or several ids any of which reaches the step (``("p1", "p2")``)."""


class Repeats(enum.StrEnum):
    """Whether a repeat of a step's value breaks a strict funnel.

    On events A, B, B, C the strict funnel A -> B -> C completes with
    ``ALLOWED`` (consecutive events of one value are one visit) and stops at B
    with ``BREAK`` (every event is its own visit, so the second B stands
    between B and C).

    >>> Repeats("break") is Repeats.BREAK
    True
    """

    ALLOWED = "allowed"
    """Consecutive events of one value merge into one visit (the default)."""
    BREAK = "break"
    """Every event counts: a repeated value between two steps breaks strict order."""


RepeatsLike: TypeAlias = Repeats | Literal["allowed", "break"]
"""A :class:`Repeats` or its value."""


def _values(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable):
        raise ConfigError(f"an exclusion's events must be ids; got {value!r}")
    out = tuple(value)
    if not out or not all(isinstance(v, str) for v in out):
        raise ConfigError(f"an exclusion's events must be one or more string ids; got {value!r}")
    return out


def _level(value: object) -> Level | None:
    return None if value is None else to_enum(Level, "level", value)


@final
@attrs.frozen
class Exclusion:
    """An exclusion step: a journey doing one of ``events`` between two funnel steps is out.

    PostHog's semantics: an attempt is excluded when an exclusion event
    comes after its event for step ``after`` and before its event for step
    ``before`` (or, when it never reaches ``before``, anywhere after step
    ``after`` within the attempt's window). A journey's result is its best
    attempt that is not excluded; a journey all of whose attempts are
    excluded is left out of every step and counted in
    :attr:`FunnelCounts.excluded`. Steps are 0-based positions,
    ``after < before``.

    >>> Exclusion("support_ticket", after=0, before=2)
    Exclusion(events=('support_ticket',), after=0, before=2, level=None)
    """

    events: tuple[str, ...] = attrs.field(converter=_values)
    """The excluding ids (any of them excludes)."""
    after: int = attrs.field(default=0)
    """The step (0-based) after whose event an exclusion event counts."""
    before: int = attrs.field(default=1)
    """The step (0-based) before whose event an exclusion event counts."""
    level: Level | None = attrs.field(default=None, converter=_level)
    """The level of ``events`` (None: the funnel's level)."""

    @after.validator
    def _check_after(self, _: object, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"an exclusion's 'after' must be a step index >= 0; got {value!r}")

    @before.validator
    def _check_before(self, _: object, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value <= self.after:
            raise ConfigError(
                f"an exclusion's 'before' must be a step index after 'after'={self.after}; "
                f"got {value!r}"
            )

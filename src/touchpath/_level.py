"""The item kinds a step, node or path item can be: stage, touchpoint, channel.

Defined below every feature package so the metrics, the attribution models
and :mod:`touchpath.typing` share one :class:`Level`; the public name is
:class:`touchpath.metrics.Level`.
"""

from __future__ import annotations

import enum
from typing import Literal, TypeAlias

from ._schema import Field

__all__ = ["Level", "LevelLike"]


class Level(enum.StrEnum):
    """Which event field a funnel step or a graph node is: stage, touchpoint or channel.

    >>> Level("touchpoint") is Level.TOUCHPOINT
    True
    """

    STAGE = "stage"
    TOUCHPOINT = "touchpoint"
    CHANNEL = "channel"

    @property
    def field(self) -> Field:
        """The event field of this level.

        >>> Level.CHANNEL.field
        <Field.CHANNEL: 'channel'>
        """
        return Field(self.value)


LevelLike: TypeAlias = Level | Literal["stage", "touchpoint", "channel"]
"""A :class:`Level` or its value."""

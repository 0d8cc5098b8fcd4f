"""Options from their values: one coercion, one message (a bottom module).

>>> import enum
>>> class Color(enum.StrEnum):
...     RED = "red"
>>> to_enum(Color, "color", "red") is Color.RED
True
>>> to_enum(Color, "color", "blue")
Traceback (most recent call last):
...
touchpath.exceptions.ConfigError: 'color' must be one of ['red']; got 'blue'
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from typing import TypeVar

from .exceptions import ConfigError, TouchpathError

__all__ = ["to_enum"]

_E = TypeVar("_E", bound=enum.Enum)


def to_enum(
    kind: type[_E],
    name: str,
    value: object,
    *,
    allowed: Collection[_E] | None = None,
    error: type[TouchpathError] = ConfigError,
) -> _E:
    """``kind(value)``, refusing anything else with ``error`` listing the choices.

    ``name`` says what was given: a parameter's name is quoted in the message
    (``'level' must be one of ...``), a phrase is written as is
    (``channel kind must be one of ...``). ``allowed``: the members accepted,
    when not all of them are.

    >>> to_enum(enum.Enum("Kind", {"A": "a"}), "edge kind", "b", error=TouchpathError)
    Traceback (most recent call last):
    ...
    touchpath.exceptions.TouchpathError: edge kind must be one of ['a']; got 'b'
    >>> Size = enum.Enum("Size", {"S": "s", "M": "m", "L": "l"})
    >>> to_enum(Size, "size", "l", allowed=(Size.S, Size.M))
    Traceback (most recent call last):
    ...
    touchpath.exceptions.ConfigError: 'size' must be one of ['s', 'm']; got 'l'
    """
    try:
        member = value if isinstance(value, kind) else kind(value)
    except (ValueError, TypeError):
        member = None
    if member is None or (allowed is not None and member not in allowed):
        subject = repr(name) if name.isidentifier() else name
        choices = [e.value for e in (kind if allowed is None else allowed)]
        raise error(f"{subject} must be one of {choices}; got {value!r}")
    return member

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
from typing import TypeVar

from .exceptions import ConfigError, TouchpathError

__all__ = ["to_enum"]

_E = TypeVar("_E", bound=enum.Enum)


def to_enum(
    kind: type[_E], name: str, value: object, *, error: type[TouchpathError] = ConfigError
) -> _E:
    """``kind(value)``, refusing anything else with ``error`` listing the choices.

    ``name`` says what was given: a parameter's name is quoted in the message
    (``'level' must be one of ...``), a phrase is written as is
    (``channel kind must be one of ...``).

    >>> to_enum(enum.Enum("Kind", {"A": "a"}), "edge kind", "b", error=TouchpathError)
    Traceback (most recent call last):
    ...
    touchpath.exceptions.TouchpathError: edge kind must be one of ['a']; got 'b'
    """
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except (ValueError, TypeError):
        subject = repr(name) if name.isidentifier() else name
        raise error(f"{subject} must be one of {[e.value for e in kind]}; got {value!r}") from None

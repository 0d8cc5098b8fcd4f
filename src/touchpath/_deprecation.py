"""Old names that keep working for one release, each with a warning naming the new one.

:func:`renamed` wraps a function (or method) whose keyword was renamed:
the old keyword is still accepted, moved to the new one, and warns.

>>> import warnings
>>> @renamed(by="level")
... def credit(*, level: str = "channel") -> str:
...     return level
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     credit(by="stage")
'stage'
>>> print(caught[0].message)
credit(by=...) is deprecated and will be removed in 0.2.0; use level=... instead
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Final, ParamSpec, TypeVar

from .exceptions import ConfigError

__all__ = [
    "REMOVAL",
    "renamed",
    "renamed_fields",
    "renamed_message",
    "warn_renamed",
]

REMOVAL: Final = "0.2.0"
"""The release that removes the deprecated names."""

_P = ParamSpec("_P")
_R = TypeVar("_R")
_T = TypeVar("_T")


def renamed_message(old: str, new: str) -> str:
    """The one sentence every deprecated name says (the command line prints it as a note).

    >>> renamed_message("--by", "--level")
    '--by is deprecated and will be removed in 0.2.0; use --level instead'
    """
    return f"{old} is deprecated and will be removed in {REMOVAL}; use {new} instead"


def warn_renamed(old: str, new: str, *, stacklevel: int = 2) -> None:
    """Warn that ``old`` is deprecated in favour of ``new`` (``stacklevel`` as in ``warnings``).

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_renamed("EventLog.channels", "EventLog.channel_ids")
    >>> print(caught[0].message)
    EventLog.channels is deprecated and will be removed in 0.2.0; use EventLog.channel_ids instead
    """
    warnings.warn(
        renamed_message(old, new),
        DeprecationWarning,
        stacklevel=stacklevel + 1,
    )


def _move(where: str, renames: dict[str, str], kwargs: dict[str, object]) -> None:
    """Move each old keyword in ``kwargs`` to its new name, warning at the caller's caller."""
    for old, new in renames.items():
        if old not in kwargs:
            continue
        if new in kwargs:
            raise ConfigError(
                f"{where}: pass {new}= only ({old}= is its deprecated name); got both "
                f"{new}={kwargs[new]!r} and {old}={kwargs[old]!r}"
            )
        warn_renamed(f"{where}({old}=...)", f"{new}=...", stacklevel=3)
        kwargs[new] = kwargs.pop(old)


def renamed(**renames: str) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Accept the old keyword names ``renames`` maps to the new ones, with a warning.

    Passing both the old and the new name is a :class:`~touchpath.exceptions.ConfigError`.
    The signature (and its type) shows only the new names.

    >>> @renamed(within="window")
    ... def share(*, window: int = 0) -> int:
    ...     return window
    >>> share(within=1, window=2)
    Traceback (most recent call last):
    ...
    touchpath.exceptions.ConfigError: share: pass window= only (within= is its deprecated name); \
got both window=2 and within=1
    """

    def decorate(func: Callable[_P, _R]) -> Callable[_P, _R]:
        where = func.__qualname__.removesuffix(".__init__")

        @functools.wraps(func)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            if kwargs:
                _move(where, renames, kwargs)
            return func(*args, **kwargs)

        return wrapper

    return decorate


def renamed_fields(**renames: str) -> Callable[[type[_T]], type[_T]]:
    """A class decorator: :func:`renamed` for the ``__init__`` of an attrs class.

    Put it above ``@attrs.frozen``; give each old field name a deprecated
    property (with :func:`warn_renamed`) so reading it keeps working too.

    >>> import attrs, warnings
    >>> @renamed_fields(within="window")
    ... @attrs.frozen
    ... class Rule:
    ...     window: int
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     Rule(within=3)
    Rule(window=3)
    >>> print(caught[0].message)
    Rule(within=...) is deprecated and will be removed in 0.2.0; use window=... instead
    """

    def decorate(cls: type[_T]) -> type[_T]:
        init = renamed(**renames)(cls.__init__)
        setattr(cls, "__init__", init)  # noqa: B010 (mypy refuses assigning to a method)
        return cls

    return decorate

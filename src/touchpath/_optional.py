"""Optional dependencies: one import helper naming the extra to install (a bottom module).

Core touchpath needs only attrs, networkx, pendulum, typing-extensions and
numpy; everything else is imported inside the function that needs it,
through :func:`require` (or tested with :func:`available`).

>>> require("numpy", "core", "this example").__name__
'numpy'
>>> require("no_such_module_here", "polars", "EventLog.to_polars()")
Traceback (most recent call last):
...
touchpath.exceptions.MissingDependencyError: EventLog.to_polars() needs no_such_module_here: \
pip install 'touchpath[polars]'
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from .exceptions import MissingDependencyError

__all__ = ["available", "require", "require_pandas"]


def require(module: str, extra: str, what: str) -> Any:
    """Import ``module``, or raise :class:`MissingDependencyError` naming ``touchpath[extra]``.

    ``what`` names the feature that needs it, for the message.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependencyError.for_extra(extra, what, module.partition(".")[0]) from None


def require_pandas(what: str) -> Any:
    """``pandas``, or :class:`MissingDependencyError` naming ``touchpath[pandas]``.

    >>> require_pandas("this example").__name__
    'pandas'
    """
    return require("pandas", "pandas", what)


def available(module: str) -> bool:
    """Whether ``module`` can be imported (without importing it).

    >>> available("numpy"), available("no_such_module_here")
    (True, False)
    """
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a missing parent package
        return False

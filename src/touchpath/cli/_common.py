"""Exit codes, the usage error, and the argument types the parser checks early."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Final

from ..exceptions import TouchpathError

__all__ = [
    "EXIT_OK",
    "EXIT_UNDEFINED",
    "EXIT_USAGE",
    "EXIT_VIOLATIONS",
    "UsageError",
    "duration_type",
    "fraction",
    "model_list",
    "names",
    "positive_int",
]

EXIT_OK: Final = 0
"""Success."""
EXIT_VIOLATIONS: Final = 1
"""``validate`` found violations (of the ``--fail-on`` severity or worse)."""
EXIT_USAGE: Final = 2
"""Bad usage or bad input: unknown option, missing file, unreadable row, unknown template."""
EXIT_UNDEFINED: Final = 3
"""``validate``: the data cannot answer (no event is in a stage of the map)."""


class UsageError(TouchpathError):
    """A command-line argument the parser could not check by itself (exit code 2)."""


def duration_type(name: str) -> Callable[[str], str]:
    """An argparse type that checks a duration (``7d``, ``24 hours``, ``PT1H``) early."""
    from .._time import parse_duration

    def check(text: str) -> str:
        try:
            parse_duration(text, name=name)
        except TouchpathError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return text

    return check


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number between 0 and 1; got {text!r}"
        ) from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1; got {text!r}")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


def names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected comma-separated names; got {text!r}")
    return names


def model_list(text: str) -> list[str]:
    from .._demo import MODEL_NAMES

    given = names(text)
    for name in given:
        if name not in MODEL_NAMES:
            known = ", ".join(MODEL_NAMES)
            import difflib

            close = difflib.get_close_matches(name, list(MODEL_NAMES), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise argparse.ArgumentTypeError(f"unknown model {name!r}{hint} (known: {known})")
    return given

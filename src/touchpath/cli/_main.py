"""``main()``: parse, run the command, turn errors into one line and an exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ..exceptions import TouchpathError
from ._common import EXIT_USAGE
from ._output import error
from ._parser import build_parser

__all__ = ["main"]


@contextmanager
def _broken_pipe_ok() -> Iterator[None]:
    try:
        yield
    except BrokenPipeError:  # pragma: no cover - `touchpath ... | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 violations, 2 bad usage or input).

    >>> main(["render", "b2b_five_stage", "--format", "mermaid"])  # doctest: +ELLIPSIS
    flowchart LR
    ...
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (already printed)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    debug = bool(getattr(args, "debug", False))
    try:
        with _broken_pipe_ok():
            code: int = args.func(args)
    except (TouchpathError, OSError) as exc:
        if debug:
            raise
        if isinstance(exc, OSError) and not isinstance(exc, TouchpathError):
            where = f"{exc.filename}: " if exc.filename else ""
            error(f"{where}{exc.strerror or exc}")
        else:
            error(str(exc))
        return EXIT_USAGE
    return code

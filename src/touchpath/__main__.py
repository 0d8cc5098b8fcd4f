"""``python -m touchpath``: the command-line interface (see :mod:`touchpath.cli`)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())

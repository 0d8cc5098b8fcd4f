"""The ``touchpath`` command line (``touchpath --help``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import templates
from ._version import __version__
from .exceptions import TouchpathError

__all__ = ["main"]

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2


def _cmd_templates(args: argparse.Namespace) -> int:
    for name in templates.names():
        m = templates.get(name)
        print(f"{name:<42} {len(m.stages):>2} stages  {len(m.touchpoints):>3} touchpoints")
    return EXIT_OK


def _cmd_render(args: argparse.Namespace) -> int:
    m = templates.get(args.map)
    print(m.to_mermaid() if args.format == "mermaid" else m.to_dot())
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    m = templates.get("pay_per_call_marketplace")
    print(f"touchpath {__version__} demo: the {m.name!r} journey map")
    print(" -> ".join(m.stage_ids))
    findings = m.lint()
    print(f"lint: {len(findings)} finding(s)")
    for f in findings:
        print(f"  [{f.kind.value}] {f.message}")
    print()
    print(m.to_mermaid())
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="touchpath",
        description="Customer-journey maps, event logs, attribution, validation and metrics.",
    )
    p.add_argument("--version", action="version", version=f"touchpath {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="run the demo on the shipped sample data")
    demo.set_defaults(func=_cmd_demo)

    tpl = sub.add_parser("templates", help="list the shipped journey templates")
    tpl.set_defaults(func=_cmd_templates)

    render = sub.add_parser(
        "render",
        help="render a journey map as Mermaid or DOT",
        epilog="example: touchpath render b2b_five_stage --format dot",
    )
    render.add_argument("map", help="a template name")
    render.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")
    render.set_defaults(func=_cmd_render)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 violations, 2 bad usage or input).

    >>> main(["templates"])  # doctest: +ELLIPSIS
    b2b_five_stage ...
    0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except TouchpathError as exc:
        if args.debug:
            raise
        print(f"touchpath: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return code

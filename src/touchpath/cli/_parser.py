"""The argument parser of the ``touchpath`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from .._version import __version__
from ._commands import (
    cmd_attribute,
    cmd_demo,
    cmd_funnel,
    cmd_render,
    cmd_report,
    cmd_templates,
    cmd_validate,
)
from ._common import EXIT_USAGE, duration_type, fraction, model_list, names, positive_int
from ._input import FIELDS

__all__ = ["build_parser"]


class _RenamedFlag(argparse.Action):
    """A flag's old name: stores into the new flag's destination and prints a note naming it."""

    def __init__(self, *args: Any, new: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", argparse.SUPPRESS)
        super().__init__(*args, **kwargs)
        self.new = new

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        from .._deprecation import renamed_message

        print(f"note: {renamed_message(str(option_string), self.new)}", file=sys.stderr)
        setattr(namespace, self.dest, values)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's examples as written."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and a pointer to ``--help``."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n(see: {self.prog} --help)\n")


def _common(debug_default: Any) -> _Parser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", default=debug_default, help="show tracebacks on errors"
    )
    return common


def _add_input(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="events: .csv, .csv.gz, .tsv, .jsonl, .jsonl.gz")
    g = p.add_argument_group("reading FILE")
    g.add_argument("--input-format", choices=["csv", "jsonl"], help="override the file extension")
    for field in FIELDS:
        g.add_argument(
            f"--{field.replace('_', '-')}",
            dest=f"col_{field}",
            metavar="COLUMN",
            help=f"column holding the {field.replace('_', ' ')} (default: {field})",
        )
    g.add_argument(
        "--timestamp-unit",
        choices=["auto", "s", "ms", "us", "ns"],
        default="auto",
        help="unit of numeric timestamps (default: auto)",
    )
    g.add_argument("--timezone", help="zone of timestamps without an offset, e.g. Europe/Paris")
    g.add_argument(
        "--timestamp-format",
        metavar="FORMAT",
        help="strptime format of text timestamps, e.g. '%%m/%%d/%%Y %%H:%%M' (default: ISO-8601)",
    )
    g.add_argument(
        "--on-error",
        choices=["raise", "collect"],
        default="raise",
        help="stop at the first bad row (raise, default) or skip bad rows and report them",
    )
    g.add_argument("--delimiter", help="CSV field separator (default: comma; tab for .tsv)")


def _add_models(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model settings")
    g.add_argument(
        "--half-life",
        type=duration_type("half_life"),
        default="7 days",
        help="time-decay half-life, e.g. 7d, 36h, P2W (default: 7 days)",
    )
    g.add_argument("--order", type=positive_int, default=1, help="markov order (default: 1)")
    g.add_argument("--first", type=fraction, default=0.4, help="position-based first share")
    g.add_argument("--last", type=fraction, default=0.4, help="position-based last share")
    g.add_argument("--lead-stage", help="w-shaped lead stage (default: consideration)")
    g.add_argument("--opportunity-stage", help="w-shaped opportunity stage (default: decision)")
    g.add_argument(
        "--direct",
        type=names,
        help="last-non-direct: direct channels, comma-separated (default: the channels of "
        "kind direct in --channel-kind and the map, else 'direct')",
    )
    g.add_argument(
        "--channel-kind",
        action="append",
        default=[],
        metavar="CHANNEL=KIND",
        help="the data's kind of a channel, e.g. direct=direct (repeatable; overrides the map)",
    )
    g.add_argument(
        "--markov-value",
        choices=["removal_share", "last_state"],
        default="removal_share",
        help="markov: how value is credited (default: removal_share; last_state is "
        "ChannelAttribution's convention)",
    )
    g.add_argument(
        "--shapley-game",
        choices=["conversions", "conversion_rate"],
        default="conversions",
        help="shapley: what a coalition is worth (default: conversions)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``touchpath`` command.

    >>> build_parser().parse_args(["attribute", "e.csv", "--model", "markov"]).model
    ['markov']
    """
    from .._demo import DEFAULT_REPORT, MODEL_NAMES

    parser = _Parser(
        prog="touchpath",
        description="Customer-journey maps, event logs, attribution, validation and metrics.",
        epilog=(
            "examples:\n"
            "  touchpath demo\n"
            "  touchpath attribute events.csv --model time-decay --half-life 7d\n"
            "  touchpath validate events.csv --map pay_per_call_marketplace\n\n"
            "exit codes: 0 ok, 1 violations found (validate), 2 bad usage or bad input, "
            "3 the data cannot answer (validate: no event in a stage of the map)"
        ),
        formatter_class=_Formatter,
        parents=[_common(False)],
    )
    parser.add_argument("--version", action="version", version=f"touchpath {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    common = _common(argparse.SUPPRESS)
    output = _Parser(add_help=False)
    output.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default="table",
        help="output: an aligned table (default), csv or json",
    )

    def command(name: str, help: str, example: str, parents: Sequence[_Parser] = ()) -> _Parser:
        return sub.add_parser(
            name,
            help=help,
            description=help[:1].upper() + help[1:] + ".",
            epilog=f"example:\n  {example}",
            formatter_class=_Formatter,
            parents=[common, *parents],
        )

    demo = command(
        "demo",
        "run the whole job on the shipped sample data and write an HTML report",
        "touchpath demo -o report.html",
    )
    demo.add_argument(
        "-o", "--output", default=DEFAULT_REPORT, help=f"report file (default: {DEFAULT_REPORT})"
    )
    demo.add_argument("--no-charts", action="store_true", help="tables only in the report")
    demo.add_argument(
        "--format", choices=["table", "json"], default="table", help="output: table or json"
    )
    demo.set_defaults(func=cmd_demo)

    models = ", ".join(MODEL_NAMES)
    attribute = command(
        "attribute",
        "credit conversions and value to channels with one model or several",
        "touchpath attribute events.csv --model time-decay --half-life 7d --by channel\n"
        "  touchpath attribute events.csv --compare first-touch,markov,shapley --format csv",
        parents=[output],
    )
    _add_input(attribute)
    attribute.add_argument(
        "--model",
        type=model_list,
        action="extend",
        help=f"model(s), comma-separated: {models} (default: linear)",
    )
    attribute.add_argument(
        "--compare",
        type=model_list,
        nargs="?",
        const=[],
        help="run several models side by side (all of them when no list is given)",
    )
    attribute.add_argument(
        "--level",
        choices=["channel", "touchpoint", "stage", "campaign"],
        default="channel",
        help="what gets the credit (default: channel)",
    )
    attribute.add_argument(
        "--by", dest="level", choices=["channel", "touchpoint", "stage", "campaign"],
        action=_RenamedFlag, new="--level",
    )  # fmt: skip
    attribute.add_argument("--collapse", choices=["none", "consecutive"], help="repeated touches")
    attribute.add_argument(
        "--lookback",
        type=duration_type("lookback"),
        help="ignore touches older than this, e.g. 30d",
    )
    attribute.add_argument(
        "--credit",
        choices=["conversions", "value"],
        default="conversions",
        help="what --compare shows per model (default: conversions)",
    )
    attribute.add_argument(
        "--click-window",
        type=duration_type("click_window"),
        help="keep clicks up to this before the path's end, inclusive, e.g. 28d (default: all)",
    )
    attribute.add_argument(
        "--view-window",
        type=duration_type("view_window"),
        help="keep views (impressions) up to this before the path's end, e.g. 1d (default: all)",
    )
    attribute.add_argument(
        "--views",
        type=lambda text: [c for c in text.split(",") if c],
        metavar="CHANNELS",
        help="channels whose touches are views when the --impression column does not say",
    )
    attribute.add_argument("--map", help="journey map (template or JSON): fills channels")
    _add_models(attribute)
    attribute.set_defaults(func=cmd_attribute)

    validate = command(
        "validate",
        "check journeys against a journey map; exit code 1 when violations are found",
        "touchpath validate events.csv --map pay_per_call_marketplace --deadline "
        "onboarding:activation:24h",
        parents=[output],
    )
    _add_input(validate)
    validate.add_argument("--map", required=True, help="a template name or a map JSON file")
    g = validate.add_argument_group("rules (besides known stages, allowed moves, entry stage)")
    g.add_argument("--no-skips", action="store_true", help="forbid skipping stages")
    g.add_argument("--no-regression", action="store_true", help="forbid moving back")
    g.add_argument("--known-touchpoints", action="store_true", help="touchpoints must be mapped")
    g.add_argument(
        "--deadline",
        action="append",
        default=[],
        metavar="FROM:TO:DURATION",
        help="reach TO within DURATION of entering FROM (repeatable)",
    )
    g.add_argument(
        "--max-dwell",
        action="append",
        default=[],
        metavar="STAGE:DURATION",
        help="stay in STAGE at most DURATION (repeatable)",
    )
    validate.add_argument("--now", help="validation time, ISO-8601 (default: the last event)")
    validate.add_argument(
        "--limit", type=positive_int, help="violations listed (default: 10 in a table, all else)"
    )
    validate.add_argument(
        "--fail-on",
        choices=["error", "warning"],
        default="error",
        help="lowest severity that makes the exit code 1 (default: error)",
    )
    validate.set_defaults(func=cmd_validate)

    funnel = command(
        "funnel",
        "count how many journeys reach each step and where they drop off",
        "touchpath funnel events.csv --map pay_per_call_marketplace --window 30d",
        parents=[output],
    )
    _add_input(funnel)
    funnel.add_argument("--map", help="journey map: its stages are the default steps")
    funnel.add_argument("--steps", type=names, help="steps, comma-separated")
    funnel.add_argument(
        "--level", choices=["stage", "touchpoint", "channel"], help="what the steps are"
    )
    funnel.add_argument(
        "--order",
        choices=["sequential", "strict", "any"],
        default="sequential",
        help="how steps must follow each other (default: sequential)",
    )
    funnel.add_argument("--window", type=duration_type("window"), help="e.g. 30d")
    funnel.add_argument(
        "--count", choices=["journeys", "accounts"], default="journeys", help="what is counted"
    )
    funnel.add_argument(
        "--breakdown",
        choices=["touchpoint", "channel", "stage", "campaign", "segment", "account"],
        help="break down by each unit's first value of this field",
    )
    funnel.add_argument(
        "--by", dest="breakdown", action=_RenamedFlag, new="--breakdown",
        choices=["touchpoint", "channel", "stage", "campaign", "segment", "account"],
    )  # fmt: skip
    funnel.set_defaults(func=cmd_funnel)

    render = command(
        "render",
        "draw a journey map as Mermaid, Graphviz DOT or SVG",
        "touchpath render b2b_five_stage --format svg -o map.svg",
    )
    render.add_argument("map", metavar="MAP", help="a template name or a map JSON file")
    render.add_argument("--format", choices=["mermaid", "dot", "svg"], default="mermaid")
    render.add_argument("-o", "--output", help="write to this file instead of standard output")
    render.set_defaults(func=cmd_render)

    report = command(
        "report",
        "write a self-contained HTML report of event data against a journey map",
        "touchpath report events.csv --map pay_per_call_marketplace -o report.html",
    )
    _add_input(report)
    report.add_argument("--map", required=True, help="a template name or a map JSON file")
    report.add_argument(
        "-o", "--output", default=DEFAULT_REPORT, help=f"report file (default: {DEFAULT_REPORT})"
    )
    report.add_argument("--title", help="report title")
    report.add_argument(
        "--model", type=model_list, action="extend", help="models to compare (default: all)"
    )
    report.add_argument(
        "--level", choices=["channel", "touchpoint", "stage", "campaign"], default="channel"
    )
    report.add_argument(
        "--by", dest="level", choices=["channel", "touchpoint", "stage", "campaign"],
        action=_RenamedFlag, new="--level",
    )  # fmt: skip
    report.add_argument(
        "--kpi",
        action="append",
        default=[],
        metavar="ID=NUMBER",
        help="a measured KPI value for the scorecard, e.g. nps=42 (repeatable)",
    )
    report.add_argument("--no-charts", action="store_true", help="tables only")
    report.add_argument(
        "--spend",
        metavar="FILE",
        help="spend CSV (date,channel,campaign,amount): adds CPA and ROAS per model",
    )
    report.add_argument(
        "--format", choices=["table", "json"], default="table", help="output: table or json"
    )
    _add_models(report)
    report.set_defaults(func=cmd_report)

    tpl = command(
        "templates",
        "list the shipped journey-map templates",
        "touchpath templates --format json",
        parents=[output],
    )
    tpl.set_defaults(func=cmd_templates)
    return parser

"""The commands: each reads its inputs, computes, and prints the result's tables."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from .. import templates
from .._table import Column, ColumnKind, Table, format_duration
from .._version import __version__
from ..exceptions import NotFoundError
from ._common import EXIT_OK, EXIT_UNDEFINED, EXIT_VIOLATIONS, UsageError
from ._input import load_map, read_events, read_spend
from ._output import emit, error
from ._progress import Progress

if TYPE_CHECKING:
    from .._demo import Analysis, ModelOptions
    from .._map import JourneyMap
    from ..validation import TransitionRule, ValidationReport

__all__ = [
    "cmd_attribute",
    "cmd_demo",
    "cmd_funnel",
    "cmd_render",
    "cmd_report",
    "cmd_templates",
    "cmd_validate",
]

_VIOLATIONS_SHOWN: Final = 10


def _model_options(args: argparse.Namespace) -> ModelOptions:
    from .._demo import ModelOptions

    return ModelOptions(
        half_life=args.half_life,
        order=args.order,
        first=args.first,
        last=args.last,
        lead_stage=args.lead_stage,
        opportunity_stage=args.opportunity_stage,
        direct=args.direct,
        shapley_game=args.shapley_game,
        markov_value=args.markov_value,
        channel_kinds=_channel_kinds(args.channel_kind),
    )


def _channel_kinds(specs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for spec in specs:
        channel, sep, kind = spec.partition("=")
        if not sep or not channel.strip() or not kind.strip():
            raise UsageError(f"--channel-kind takes CHANNEL=KIND (direct=direct); got {spec!r}")
        out[channel.strip()] = kind.strip()
    return out


def _optional_map(args: argparse.Namespace) -> JourneyMap | None:
    spec: str | None = getattr(args, "map", None)
    return None if spec is None else load_map(spec)


def cmd_attribute(args: argparse.Namespace) -> int:
    from .._demo import MODEL_NAMES, build_models
    from ..attribution import attribute, compare_models

    journey_map = _optional_map(args)
    if args.compare is not None:
        names: list[str] | None = None if args.compare == [] else args.compare
    else:
        names = args.model or ["linear"]
    for name in names or []:
        if name not in MODEL_NAMES:
            raise NotFoundError("attribution model", name, choices=list(MODEL_NAMES))
    options = _model_options(args)
    log = read_events(args, journey_map)
    if names is None or "last-non-direct" in names:
        import warnings

        from .._demo import direct_channels
        from ..exceptions import TouchpathWarning

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", TouchpathWarning)
            direct, _ = direct_channels(options, journey_map, log)
        options = attrs.evolve(options, direct=direct)
        for w in caught:
            print(f"note: {w.message}", file=sys.stderr)
    models, skipped = build_models(names, options, journey_map)
    for reason in skipped:
        print(f"note: {reason}", file=sys.stderr)
    policy = {"level": args.level, "collapse": args.collapse, "lookback": args.lookback}
    data: Any = log
    if args.click_window is not None or args.view_window is not None:
        from ..attribution import TouchWindows, transform_paths

        windows = TouchWindows(args.click_window, args.view_window, views=args.views or ())
        data, policy = transform_paths(log, windows, **policy), {}
    with Progress("attributing"):
        if len(models) == 1 and args.compare is None:
            ((label, model),) = models.items()
            result = attribute(data, model, **policy)
            table = result.to_table()
            meta = {
                "model": label,
                "model_config": result.model,
                "by": args.level,
                "total_conversions": result.total_conversions,
                "unattributed": result.unattributed,
                "total_value": result.total_value,
                "unattributed_value": result.unattributed_value,
            }
            head = (
                f"{label} ({result.model}) by {args.level}: {result.total_conversions:,.6g} "
                f"conversions ({result.unattributed:,.6g} unattributed), value "
                f"{result.total_value:,.2f}"
            )
        else:
            comparison = compare_models(data, models, **policy)
            table = comparison.to_table(value=args.credit == "value")
            first = comparison.results[0]
            meta = {
                "models": list(comparison.labels),
                "by": args.level,
                "credit": "value" if args.credit == "value" else "conversions",
                "total_conversions": first.total_conversions,
                "unattributed": first.unattributed,
                "total_value": first.total_value,
            }
            what = "value" if args.credit == "value" else "conversions"
            head = (
                f"{len(models)} models, {what} credited by {args.level}: "
                f"{first.total_conversions:,.6g} conversions ({first.unattributed:,.6g} "
                "unattributed)"
            )
    emit([attrs.evolve(table, note=head)], args.format, meta=meta)
    return EXIT_OK


def _rules(args: argparse.Namespace) -> tuple[TransitionRule, ...]:
    from ..validation import (
        DEFAULT_RULES,
        Deadline,
        KnownTouchpoints,
        MaxDwell,
        NoRegression,
        NoSkippedStages,
    )

    rules: list[TransitionRule] = list(DEFAULT_RULES)
    if args.no_skips:
        rules.append(NoSkippedStages())
    if args.no_regression:
        rules.append(NoRegression())
    if args.known_touchpoints:
        rules.append(KnownTouchpoints())
    for spec in args.deadline:
        parts = spec.split(":")
        if len(parts) != 3 or not all(parts):
            raise UsageError(
                f"--deadline takes FROM:TO:DURATION (onboarding:activation:24h); got {spec!r}"
            )
        rules.append(Deadline(parts[0], parts[1], parts[2]))
    for spec in args.max_dwell:
        parts = spec.split(":")
        if len(parts) != 2 or not all(parts):
            raise UsageError(f"--max-dwell takes STAGE:DURATION (decision:30d); got {spec!r}")
        rules.append(MaxDwell(parts[0], parts[1]))
    return tuple(rules)


def cmd_validate(args: argparse.Namespace) -> int:
    from ..validation import Severity, validate

    journey_map = load_map(args.map)
    rules = _rules(args)
    log = read_events(args, journey_map)
    with Progress("validating"):
        report = validate(log, journey_map, rules, now=args.now)
    limit = (
        args.limit
        if args.limit is not None
        else (_VIOLATIONS_SHOWN if args.format == "table" else None)
    )
    # the counts are in the head line (and the JSON summary), so not a table of their own
    tables = [t for t in report.tables(limit=limit) if t.name != "summary"]
    head = f"Validation against {report.journey_map_name!r}: {_validation_line(report)}"
    if args.format == "table":
        print(head)
        print()
    emit(tables, args.format, meta=_validation_meta(report), primary="violations")
    if report.undefined_reason is not None:
        error(f"{args.file}: {report.undefined_reason}")
        return EXIT_UNDEFINED
    threshold = Severity(args.fail_on)
    failing = sum(n for r, n in report.counts.by_rule.items() if r.severity >= threshold)
    return EXIT_VIOLATIONS if failing else EXIT_OK


def cmd_funnel(args: argparse.Namespace) -> int:
    from ..metrics import funnel

    journey_map = _optional_map(args)
    if journey_map is None and not args.steps:
        raise UsageError("funnel needs --steps a,b,c or --map MAP (whose stages are the steps)")
    log = read_events(args, journey_map)
    result = funnel(
        log,
        args.steps,
        journey_map=journey_map,
        level=args.level,
        order=args.order,
        window=args.window,
        count=args.count,
        breakdown=args.breakdown,
    )
    table = result.to_table()
    c = result.counts
    note = (
        f"{result.entered:,} {c.count.value} entered, {result.completed:,} completed "
        f"({_pct(float(result.conversion))}); {c.level.value} steps, order {c.order.value}"
        + (f", window {format_duration(c.window)}" if c.window is not None else "")
    )
    meta = {
        "level": c.level.value,
        "order": c.order.value,
        "window_seconds": None if c.window is None else c.window.total_seconds(),
        "count": c.count.value,
        "entered": result.entered,
        "completed": result.completed,
        "conversion": result.conversion.value,
        "population": c.population,
    }
    emit([attrs.evolve(table, note=note)], args.format, meta=meta)
    return EXIT_OK


def _write_or_print(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    Path(output).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    print(f"wrote {Path(output).resolve()}", file=sys.stderr)


def cmd_render(args: argparse.Namespace) -> int:
    journey_map = load_map(args.map)
    if args.format == "mermaid":
        text = journey_map.to_mermaid()
    elif args.format == "dot":
        text = journey_map.to_dot()
    else:
        text = journey_map.to_svg()
    _write_or_print(text, args.output)
    return EXIT_OK


def _parse_kpis(specs: Sequence[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for spec in specs:
        key, sep, value = spec.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not sep or not key or math.isnan(number):
            raise UsageError(f"--kpi takes ID=NUMBER (nps=42, monthly_churn=0.04); got {spec!r}")
        out[key.strip()] = number
    return out


def _validation_meta(report: ValidationReport) -> dict[str, Any]:
    c = report.counts
    cov = report.coverage
    return {
        "map": report.journey_map_name,
        "journeys": c.journeys,
        "events": c.events,
        "violations": c.violations,
        "errors": c.errors,
        "pending": c.pending,
        "journey_fitness": c.journey_fitness.value_or(math.nan),
        "transition_fitness": c.transition_fitness.value_or(math.nan),
        "ok": report.ok,
        "undefined": report.undefined_reason,
        "coverage": [] if cov is None else list(cov.notes()),
    }


def _pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:.1%}"


def _validation_line(report: ValidationReport) -> str:
    c = report.counts
    warnings = c.violations - c.errors
    return (
        f"{c.journeys:,} journeys, {c.events:,} events: {c.violations:,} violations "
        f"({c.errors:,} errors, {warnings:,} warnings), {c.pending:,} pending; "
        f"journey fitness {_pct(c.journey_fitness.value_or(math.nan))}, transition fitness "
        f"{_pct(c.transition_fitness.value_or(math.nan))}"
    )


def _print_analysis(analysis: Analysis, fmt: str, *, heading: str, report: Path) -> None:
    """The demo's and the report's results (tables, or one JSON document), then the report's path.

    With JSON on stdout, the path goes to stderr.
    """
    summary = analysis.log.summary()
    facts = [
        ("journeys", "journeys"),
        ("events", "events"),
        ("conversions", "conversions"),
        ("converting journeys", "converting_journeys"),
        ("conversion value", "value"),
        ("channels", "channels"),
        ("touchpoints", "touchpoints"),
        ("rejected rows", "rejected"),
    ]
    data = Table.from_rows(
        (Column("fact"), Column("value", kind=ColumnKind.NUMBER)),
        [[label, summary[key]] for label, key in facts],
        name="data",
        title="Data",
    )
    validation = attrs.evolve(
        analysis.validation.rules_table(),
        name="validation",
        title="Validation",
        note=_validation_line(analysis.validation),
    )
    f = analysis.funnel
    funnel_table = f.to_table()
    funnel = attrs.evolve(
        funnel_table,
        name="funnel",
        title="Funnel",
        note=(
            f"{f.entered:,} journeys entered, {f.completed:,} reached the last stage "
            f"({_pct(float(f.conversion))})"
            if f.entered
            else funnel_table.note
        ),
    )
    c = analysis.comparison
    first = c.results[0]
    attribution = attrs.evolve(
        c.to_table(),
        name="attribution",
        title="Attribution",
        note=(
            f"conversions credited per channel by {len(c.labels)} models "
            f"({first.total_conversions:,.6g} conversions, {first.unattributed:,.6g} unattributed)"
            + (
                f"; last-non-direct skips the direct channels {', '.join(analysis.direct_channels)}"
                f" (from {analysis.direct_source})"
                if "last-non-direct" in c.labels and analysis.direct_channels
                else ""
            )
        ),
    )
    card = analysis.scorecard
    measured = card.to_table(measured_only=True)
    kpis = attrs.evolve(
        measured,
        name="scorecard",
        title="KPI scorecard",
        note=(
            f"{len(card.met)} met, {len(card.not_met)} not met, {len(card.unmeasured)} of "
            f"{len(card)} KPIs not measurable from event data"
            if measured.n_rows
            else measured.note
        ),
    )
    tables = [data, analysis.coverage.to_table(), validation, funnel, attribution, kpis]
    for note in analysis.notes:
        print(f"note: {note}", file=sys.stderr)
    if fmt == "json":
        emit(
            tables,
            "json",
            meta={"map": analysis.journey_map.name, "notes": list(analysis.notes)},
        )
    else:
        print(heading)
        print()
        emit(tables, "table")
        print()
    print(f"Report: {report}", file=sys.stderr if fmt == "json" else sys.stdout)


def cmd_demo(args: argparse.Namespace) -> int:
    from .._demo import run_demo

    with Progress("running the demo"):
        analysis, path = run_demo(args.output, charts=not args.no_charts)
    heading = (
        f"touchpath {__version__} demo: {len(analysis.log):,} sample journeys against the "
        f"{analysis.journey_map.name!r} journey map"
    )
    _print_analysis(analysis, args.format, heading=heading, report=path)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from .._demo import analyse, build_report

    journey_map = load_map(args.map)
    kpis = _parse_kpis(args.kpi)
    names = args.model if args.model else None
    options = _model_options(args)
    log = read_events(args, journey_map)
    spend = read_spend(args.spend) if args.spend else None
    with Progress("analysing"):
        analysis = analyse(
            log,
            journey_map,
            models=names,
            options=options,
            kpis=kpis,
            level=args.level,
            spend=spend,
        )
        report = build_report(analysis, title=args.title, charts=not args.no_charts)
        path = report.write(args.output).resolve()
    for reason in analysis.skipped_models:
        print(f"note: {reason}", file=sys.stderr)
    heading = f"{len(log):,} journeys from {args.file} against {journey_map.name!r}"
    _print_analysis(analysis, args.format, heading=heading, report=path)
    return EXIT_OK


def cmd_templates(args: argparse.Namespace) -> int:
    rows = []
    for name in templates.names():
        m = templates.get(name)
        rows.append([name, len(m.stages), len(m.touchpoints), len(m.kpis), " > ".join(m.stage_ids)])
    count = ColumnKind.COUNT
    table = Table.from_rows(
        (
            Column("template"),
            Column("stages", kind=count),
            Column("touchpoints", kind=count),
            Column("kpis", "KPIs", count),
            Column("stage_order", "stages in order"),
        ),
        rows,
        name="templates",
    )
    emit([table], args.format)
    return EXIT_OK

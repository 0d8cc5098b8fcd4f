"""The ``touchpath`` command line (``touchpath --help``; also ``python -m touchpath``).

Commands: ``demo``, ``attribute``, ``validate``, ``funnel``, ``render``,
``report`` and ``templates``. Results print as aligned tables (with
``rich`` when it is installed and the output is a terminal), or as CSV or
JSON with ``--format``. Exit codes: 0 ok, 1 violations found
(``validate``), 2 bad usage or bad input (the message names the file, the
line and the field; ``--debug`` shows the traceback), 3 the data cannot
answer (``validate`` of a log with no event in a stage of the map).

>>> main(["templates"])  # doctest: +ELLIPSIS
template ...
b2b_five_stage ...
0
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import json
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, Literal, NoReturn, TypeAlias

import attrs

from . import templates
from ._version import __version__
from .exceptions import NotFoundError, TouchpathError

if TYPE_CHECKING:
    from ._demo import Analysis, ModelOptions
    from ._log import EventLog
    from ._map import JourneyMap
    from ._spendtable import Spend
    from .attribution import AttributionResult, Comparison
    from .metrics import FunnelResult, Scorecard
    from .validation import Coverage, TransitionRule, ValidationReport

__all__ = ["main"]

EXIT_OK: Final = 0
"""Success."""
EXIT_VIOLATIONS: Final = 1
"""``validate`` found violations (of the ``--fail-on`` severity or worse)."""
EXIT_USAGE: Final = 2
"""Bad usage or bad input: unknown option, missing file, unreadable row, unknown template."""
EXIT_UNDEFINED: Final = 3
"""``validate``: the data cannot answer (no event is in a stage of the map)."""

Kind: TypeAlias = Literal["text", "int", "num", "credit", "pct", "money"]
"""How a column's values print: text, integers, numbers, credits (one decimal),
percentages, amounts (two decimals)."""

_MISSING_CELL: Final = "-"
_REJECTIONS_SHOWN: Final = 5
_VIOLATIONS_SHOWN: Final = 10


class UsageError(TouchpathError):
    """A command-line argument the parser could not check by itself (exit code 2)."""


# -- output tables ------------------------------------------------------------------------------


@attrs.frozen
class Column:
    """One column of an output table: its machine key, its printed label and its kind."""

    key: str
    label: str
    kind: Kind = "text"


@attrs.frozen
class Table:
    """A result table, printed as aligned text, CSV or JSON.

    >>> t = Table("t", "Credits", (Column("channel", "channel"), Column("share", "share", "pct")),
    ...           [["email", 0.25], ["ads", None]])
    >>> print(render_text([t]))
    Credits
    channel  share
    email    25.0%
    ads          -
    """

    name: str
    """Key of the table in JSON output."""
    title: str
    """Heading in text output."""
    columns: tuple[Column, ...]
    rows: list[list[Any]]
    note: str = ""
    """A line under the heading in text output."""
    display: list[list[str]] | None = None
    """Cells as text output shows them, when the column kinds cannot say (units per row)."""
    text_columns: tuple[int, ...] | None = None
    """The columns text output shows (all when None); CSV and JSON have every column."""


def _cell(value: Any, kind: Kind) -> str:
    from ._repr import format_number

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _MISSING_CELL
    if kind == "int":
        return f"{int(value):,}"
    if kind == "pct":
        return f"{float(value):.1%}"
    if kind == "money":
        return f"{float(value):,.2f}"
    if kind == "credit":
        return f"{float(value):,.1f}"
    if kind == "num":
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return format_number(float(value), digits=4)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split())


def _line(values: Sequence[str], widths: Sequence[int], right: Sequence[bool]) -> str:
    parts = [v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)]
    return "  ".join(parts).rstrip()


def render_text(tables: Sequence[Table]) -> str:
    """Tables as aligned plain text: numbers right-aligned, a heading and note above each.

    >>> t = Table("t", "", (Column("n", "n", "int"),), [[1234]])
    >>> render_text([t])
    '    n\\n1,234'
    """
    blocks: list[str] = []
    for table in tables:
        lines: list[str] = []
        if table.title:
            lines.append(table.title)
        if table.note:
            lines.append(table.note)
        cells = table.display or [
            [_cell(v, c.kind) for v, c in zip(r, table.columns, strict=True)] for r in table.rows
        ]
        keep = table.text_columns or tuple(range(len(table.columns)))
        columns = [table.columns[j] for j in keep]
        cells = [[r[j] for j in keep] for r in cells]
        widths = [max([len(c.label), *(len(r[j]) for r in cells)]) for j, c in enumerate(columns)]
        right = [c.kind != "text" for c in columns]
        lines.append(_line([c.label for c in columns], widths, right))
        lines.extend(_line(r, widths, right) for r in cells)
        if not table.rows:
            lines.append("(none)")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _plain(value: Any) -> Any:
    """A JSON-ready value: NaN becomes null, everything else a number, text or bool."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def render_json(tables: Sequence[Table], meta: dict[str, Any] | None = None) -> str:
    """Tables as one JSON object: ``summary`` (the facts of ``meta``), then each table as a
    list of row objects under its name.

    >>> t = Table("credits", "", (Column("channel", "channel"), Column("share", "share", "pct")),
    ...           [["email", 0.25]])
    >>> json.loads(render_json([t], {"model": "linear"}))
    {'summary': {'model': 'linear'}, 'credits': [{'channel': 'email', 'share': 0.25}]}
    """
    doc: dict[str, Any] = {}
    if meta:
        doc["summary"] = {k: _plain(v) for k, v in meta.items()}
    for table in tables:
        doc[table.name] = [
            {c.key: _plain(v) for c, v in zip(table.columns, row, strict=True)}
            for row in table.rows
        ]
    return json.dumps(doc, indent=2, ensure_ascii=False)


def render_csv(table: Table) -> str:
    """One table as CSV with a header of column keys; missing values are empty.

    >>> t = Table("t", "", (Column("channel", "channel"), Column("share", "share", "pct")),
    ...           [["email", 0.25], ["a,b", None]])
    >>> print(render_csv(t), end="")
    channel,share
    email,0.25
    "a,b",
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.key for c in table.columns])
    for row in table.rows:
        writer.writerow(["" if _plain(v) is None else _plain(v) for v in row])
    return buf.getvalue()


def _rich_print(tables: Sequence[Table], stream: IO[str]) -> bool:  # pragma: no cover - optional
    """Print with rich when it is installed and ``stream`` is a terminal; False otherwise."""
    if not stream.isatty() or os.environ.get("TOUCHPATH_PLAIN"):
        return False
    try:
        console_module = importlib.import_module("rich.console")
        table_module = importlib.import_module("rich.table")
    except ImportError:
        return False
    console = console_module.Console(file=stream)
    rich_table = table_module.Table
    for table in tables:
        out = rich_table(title=table.title or None, caption=table.note or None)
        for c in table.columns:
            out.add_column(c.label, justify="left" if c.kind == "text" else "right")
        for row in table.rows:
            out.add_row(*(_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)))
        console.print(out)
    return True


def emit(
    tables: Sequence[Table],
    fmt: str,
    *,
    meta: dict[str, Any] | None = None,
    primary: str | None = None,
    stream: IO[str] | None = None,
) -> None:
    """Print tables in the chosen format (``table``, ``csv`` or ``json``).

    CSV holds one table: ``primary`` (by name), else the first.
    """
    out = stream or sys.stdout
    if fmt == "json":
        out.write(render_json(tables, meta) + "\n")
    elif fmt == "csv":
        chosen = next((t for t in tables if t.name == primary), tables[0])
        out.write(render_csv(chosen))
    elif not _rich_print(tables, out):
        out.write(render_text(tables) + "\n")


# -- progress -----------------------------------------------------------------------------------


class Progress:
    """A one-line status on stderr for steps that take more than ``delay`` seconds.

    Only when ``stream`` is a terminal: nothing is written to pipes, files or
    test captures. The line names the step, shows the percentage done when
    the work reports it (:meth:`update`, for example the bytes of a file of
    known size) and the elapsed time, and is erased when the step ends.

    >>> from touchpath import Progress as Event
    >>> with Progress("reading events.csv", stream=io.StringIO()) as status:
    ...     status.update(Event("reading events.csv", 50, 200, "bytes"))
    >>> status.status(1.5)
    'reading events.csv ... 25% 1.5 s'
    """

    def __init__(
        self, label: str, *, stream: IO[str] | None = None, delay: float = 1.0, tick: float = 0.2
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.tick = tick
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False
        self._fraction: float | None = None

    def update(self, event: Any) -> None:
        """Take a :class:`touchpath.Progress` event (the percentage shown next)."""
        self._fraction = event.fraction

    def status(self, elapsed: float) -> str:
        """The status line after ``elapsed`` seconds."""
        share = "" if self._fraction is None else f"{self._fraction:.0%} "
        return f"{self.label} ... {share}{elapsed:.1f} s"

    def _run(self) -> None:
        start = time.monotonic()
        if self._stop.wait(self.delay):
            return
        while True:
            self._shown = True
            self.stream.write(f"\r{self.status(time.monotonic() - start)}\x1b[K")
            self.stream.flush()
            if self._stop.wait(self.tick):
                return

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            if self._shown:
                self.stream.write("\r\x1b[2K")
                self.stream.flush()


# -- input --------------------------------------------------------------------------------------

_FIELDS: Final = (
    "journey_id",
    "timestamp",
    "touchpoint",
    "channel",
    "stage",
    "converted",
    "value",
    "campaign",
    "cost",
    "segment",
    "account",
)
_CSV_SUFFIXES: Final = (".csv", ".csv.gz", ".tsv", ".tsv.gz")
_JSONL_SUFFIXES: Final = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")


def _input_format(path: str, given: str | None) -> str:
    if given:
        return given
    lower = path.lower()
    if lower.endswith(_CSV_SUFFIXES):
        return "csv"
    if lower.endswith(_JSONL_SUFFIXES):
        return "jsonl"
    raise UsageError(
        f"cannot tell the format of {path!r} from its name; use a .csv, .csv.gz, .jsonl or "
        ".jsonl.gz file, or --input-format csv|jsonl"
    )


def _size(path: str) -> str:
    n = float(os.path.getsize(path))
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")  # pragma: no cover


def read_events(args: argparse.Namespace, journey_map: JourneyMap | None = None) -> EventLog:
    """Read the FILE argument with the column mapping, timezone and error options."""
    from ._schema import Schema
    from .io import read_csv, read_jsonl

    path: str = args.file
    fmt = _input_format(path, args.input_format)
    if not os.path.exists(path):
        raise UsageError(f"{path}: no such file")
    if os.path.isdir(path):
        raise UsageError(f"{path}: is a directory, not an event file")
    columns = {f: getattr(args, f"col_{f}") for f in _FIELDS}
    schema = Schema(
        **{f: c for f, c in columns.items() if c is not None},
        timestamp_unit=args.timestamp_unit,
        timestamp_format=getattr(args, "timestamp_format", None),
    )
    with Progress(f"reading {path} ({_size(path)})") as status:
        progress = status.update if status.enabled else None
        if fmt == "csv":
            delimiter = args.delimiter or (
                "\t" if path.lower().endswith((".tsv", ".tsv.gz")) else ","
            )
            log = read_csv(
                path,
                schema=schema,
                journey_map=journey_map,
                timezone=args.timezone,
                on_error=args.on_error,
                delimiter=delimiter,
                progress=progress,
            )
        else:
            log = read_jsonl(
                path,
                schema=schema,
                journey_map=journey_map,
                timezone=args.timezone,
                on_error=args.on_error,
                progress=progress,
            )
    if log.rejected:
        print(
            f"{path}: {len(log.rejected):,} of {log.rows_read:,} rows rejected "
            f"(--on-error collect); the first {min(len(log.rejected), _REJECTIONS_SHOWN)}:",
            file=sys.stderr,
        )
        for rejection in log.rejected[:_REJECTIONS_SHOWN]:
            print(f"  {rejection.message(source=path)}", file=sys.stderr)
    return log


def load_map(spec: str) -> JourneyMap:
    """A journey map from a template name or a JSON file.

    >>> load_map("b2b_five_stage").name
    'b2b_five_stage'
    """
    from ._map import JourneyMap

    if spec.lower().endswith(".json") or os.path.sep in spec or os.path.exists(spec):
        if not os.path.exists(spec):
            raise UsageError(f"{spec}: no such map file (give a JSON file or a template name)")
        with open(spec, "rb") as fh:
            return JourneyMap.from_json(fh.read(), source=spec)
    return templates.get(spec)


def _duration(name: str) -> Callable[[str], str]:
    """An argparse type that checks a duration (``7d``, ``24 hours``, ``PT1H``) early."""
    from ._time import parse_duration

    def check(text: str) -> str:
        try:
            parse_duration(text, name=name)
        except TouchpathError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return text

    return check


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number between 0 and 1; got {text!r}"
        ) from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1; got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected comma-separated names; got {text!r}")
    return names


# -- tables of results --------------------------------------------------------------------------


def attribution_table(result: AttributionResult, *, name: str = "credits") -> Table:
    """Credit per item of one model: conversions, share of the attributed ones, value."""
    by = result.by.value if result.by is not None else "item"
    total = result.attributed
    rows = [
        [x, c, c / total if total > 0 else None, v]
        for x, c, v in sorted(
            zip(result.items, result.conversions.tolist(), result.values.tolist(), strict=True),
            key=lambda r: (-r[1], r[0]),
        )
    ]
    return Table(
        name,
        "",
        (
            Column(by, by),
            Column("conversions", "conversions", "credit"),
            Column("share", "share", "pct"),
            Column("value", "value", "money"),
        ),
        rows,
    )


def comparison_table(comparison: Comparison, *, value: bool = False) -> Table:
    """Credit per item (rows) and model (columns), most credited items first."""
    table = comparison.table(value=value)
    by = comparison.results[0].by if comparison.results else None
    key = by.value if by is not None else "item"
    order = sorted(table, key=lambda x: (-sum(table[x].values()), x))
    kind: Kind = "money" if value else "credit"
    return Table(
        "credits",
        "",
        (Column(key, key), *(Column(label, label, kind) for label in comparison.labels)),
        [[x, *(table[x][label] for label in comparison.labels)] for x in order],
    )


def _short_duration(value: Any) -> str | None:
    from .metrics import FunnelResult

    shown: str | None = FunnelResult._short_duration(value)
    return shown


def funnel_table(result: FunnelResult) -> Table:
    """One row per step (and per group with ``by``); times in seconds, shown readably."""
    by = result.counts.by
    windowed = result.counts.window is not None
    columns = [
        Column("step", "step"),
        Column("reached", "reached", "int"),
        Column("conversion_from_first", "of first", "pct"),
        Column("conversion_from_previous", "of previous", "pct"),
        Column("dropped", "dropped", "int"),
        Column("drop_off", "drop-off", "pct"),
        *([Column("censored", "censored", "int")] if windowed else []),
        Column("median_seconds_to_step", "median time to step", "num"),
    ]
    if by is not None:
        columns.insert(0, Column(by.value, by.value))
    sources = list(result.breakdown.items()) if by is not None else [(None, result.steps)]
    rows: list[list[Any]] = []
    display: list[list[str]] = []
    for label, steps in sources:
        for s in steps:
            median = s.time_to_step.median
            row: list[Any] = [
                s.step,
                s.reached,
                s.conversion_from_first.value,
                s.conversion_from_previous.value,
                s.dropped,
                None if s.drop_off is None else s.drop_off.value,
                *([s.censored] if windowed else []),
                None if median is None else median.total_seconds(),
            ]
            if by is not None:
                row.insert(0, label)
            rows.append(row)
            shown = [_cell(v, c.kind) for v, c in zip(row[:-1], columns[:-1], strict=True)]
            display.append([*shown, _short_duration(median) or _MISSING_CELL])
    return Table("steps", "", tuple(columns), rows, display=display)


def scorecard_table(card: Scorecard) -> Table:
    """The measured KPIs: stage, id, target, actual, gap, status (in the KPI's unit as text)."""
    scores = [s for s in card.scores if s.measured is not None]
    rows = [
        [s.kpi.stage, s.id, s.kpi.direction.value, s.target, s.actual, s.gap, s.status.value]
        for s in scores
    ]
    show = card._show
    display = [
        [
            s.kpi.stage or _MISSING_CELL,
            s.id,
            "at least" if s.kpi.direction.value == "at_least" else "at most",
            show(s.kpi, s.target) or _MISSING_CELL,
            show(s.kpi, s.actual) or _MISSING_CELL,
            ("+" if (s.gap or 0) > 0 else "") + (show(s.kpi, s.gap) or _MISSING_CELL),
            s.status.value.replace("_", " "),
        ]
        for s in scores
    ]
    return Table(
        "kpis",
        "",
        (
            Column("stage", "stage"),
            Column("kpi", "KPI"),
            Column("direction", "direction"),
            Column("target", "target", "num"),
            Column("actual", "actual", "num"),
            Column("gap", "gap", "num"),
            Column("status", "status"),
        ),
        rows,
        display=display,
    )


def validation_tables(report: ValidationReport, limit: int | None) -> list[Table]:
    """Violations per rule, then the first ``limit`` violations (all when None)."""
    c = report.counts
    rules = Table(
        "rules",
        "Violations per rule",
        (
            Column("rule", "rule"),
            Column("severity", "severity"),
            Column("violations", "violations", "int"),
        ),
        [[r.name, r.severity.value, n] for r, n in c.by_rule.items()],
    )
    shown = report.violations if limit is None else report.violations[:limit]
    more = c.violations - len(shown)
    title = "Violations" if not more else f"First {len(shown):,} of {c.violations:,} violations"
    violations = Table(
        "violations",
        title,
        (
            Column("journey_id", "journey"),
            Column("index", "event", "int"),
            Column("timestamp", "time"),
            Column("from_stage", "from"),
            Column("to_stage", "to"),
            Column("rule", "rule"),
            Column("severity", "severity"),
            Column("message", "message"),
        ),
        [
            [
                v.journey_id,
                v.index,
                v.timestamp.isoformat(),
                v.from_stage,
                v.to_stage,
                v.rule.name,
                v.severity.value,
                v.message,
            ]
            for v in shown
        ],
        text_columns=(6, 7),
    )
    return [rules, violations]


def coverage_table(cov: Coverage) -> Table:
    """What of the map the data contains: one row per level, then the KPIs."""
    return Table(
        "coverage",
        "Data coverage",
        (
            Column("level", "level"),
            Column("in_map", "in map", "int"),
            Column("in_data", "in data", "int"),
            Column("missing", "missing from data"),
            Column("unknown", "unknown to map"),
            Column("events_without", "events without", "int"),
        ),
        cov._rows(),
        note="; ".join(cov.notes()) or "the data covers the whole map",
    )


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


# -- commands -----------------------------------------------------------------------------------


def _model_options(args: argparse.Namespace) -> ModelOptions:
    from ._demo import ModelOptions

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


def _cmd_attribute(args: argparse.Namespace) -> int:
    from ._demo import MODEL_NAMES, build_models
    from .attribution import attribute, compare_models

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

        from ._demo import direct_channels
        from .exceptions import TouchpathWarning

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
    with Progress("attributing"):
        if len(models) == 1 and args.compare is None:
            ((label, model),) = models.items()
            result = attribute(log, model, **policy)
            table = attribution_table(result)
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
            comparison = compare_models(log, models, **policy)
            table = comparison_table(comparison, value=args.credit == "value")
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
    from .validation import (
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


def _cmd_validate(args: argparse.Namespace) -> int:
    from .validation import Severity, validate

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
    tables = validation_tables(report, limit)
    if report.coverage is not None:
        tables.insert(0, coverage_table(report.coverage))
    head = f"Validation against {report.journey_map_name!r}: {_validation_line(report)}"
    if args.format == "table":
        print(head)
        print()
    emit(tables, args.format, meta=_validation_meta(report), primary="violations")
    if report.undefined_reason is not None:
        _error(f"{args.file}: {report.undefined_reason}")
        return EXIT_UNDEFINED
    threshold = Severity(args.fail_on)
    failing = sum(n for r, n in report.counts.by_rule.items() if r.severity >= threshold)
    return EXIT_VIOLATIONS if failing else EXIT_OK


def _cmd_funnel(args: argparse.Namespace) -> int:
    from .metrics import funnel

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
    table = funnel_table(result)
    c = result.counts
    note = (
        f"{result.entered:,} {c.count.value} entered, {result.completed:,} completed "
        f"({_pct(float(result.conversion))}); {c.level.value} steps, order {c.order.value}"
        + (f", window {_short_duration(c.window)}" if c.window is not None else "")
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


def _cmd_render(args: argparse.Namespace) -> int:
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


def _print_analysis(analysis: Analysis, fmt: str, *, heading: str, report: Path) -> None:
    """The demo's and the report's results (tables, or one JSON document), then the report's path.

    With JSON on stdout, the path goes to stderr.
    """
    log = analysis.log
    summary = log.summary()
    data = Table(
        "data",
        "Data",
        (Column("fact", "fact"), Column("value", "value", "num")),
        [
            ["journeys", summary["journeys"]],
            ["events", summary["events"]],
            ["conversions", summary["conversions"]],
            ["converting journeys", summary["converting_journeys"]],
            ["conversion value", summary["value"]],
            ["channels", summary["channels"]],
            ["touchpoints", summary["touchpoints"]],
            ["rejected rows", summary["rejected"]],
        ],
    )
    rules, _violations = validation_tables(analysis.validation, 0)
    validation = attrs.evolve(
        rules, name="validation", title="Validation", note=_validation_line(analysis.validation)
    )
    f = analysis.funnel
    funnel = attrs.evolve(
        funnel_table(f),
        name="funnel",
        title="Funnel",
        note=(
            f"{f.entered:,} journeys entered, {f.completed:,} reached the last stage "
            f"({_pct(float(f.conversion))})"
            if f.entered
            else f._empty_reason()
        ),
    )
    c = analysis.comparison
    first = c.results[0]
    attribution = attrs.evolve(
        comparison_table(c),
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
    kpis = attrs.evolve(
        scorecard_table(card),
        name="scorecard",
        title="KPI scorecard",
        note=(
            f"{len(card.met)} met, {len(card.not_met)} not met, {len(card.unmeasured)} of "
            f"{len(card)} KPIs not measurable from event data"
            if any(s.actual is not None for s in card.scores)
            else "no KPI could be measured: " + card._empty_reason()
        ),
    )
    tables = [data, coverage_table(analysis.coverage), validation, funnel, attribution, kpis]
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


def _cmd_demo(args: argparse.Namespace) -> int:
    from ._demo import run_demo

    with Progress("running the demo"):
        analysis, path = run_demo(args.output, charts=not args.no_charts)
    heading = (
        f"touchpath {__version__} demo: {len(analysis.log):,} sample journeys against the "
        f"{analysis.journey_map.name!r} journey map"
    )
    _print_analysis(analysis, args.format, heading=heading, report=path)
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from ._demo import analyse, build_report

    journey_map = load_map(args.map)
    kpis = _parse_kpis(args.kpi)
    names = args.model if args.model else None
    options = _model_options(args)
    log = read_events(args, journey_map)
    spend = _read_spend(args.spend) if args.spend else None
    with Progress("analysing"):
        analysis = analyse(
            log, journey_map, models=names, options=options, kpis=kpis, by=args.level, spend=spend
        )
        report = build_report(analysis, title=args.title, charts=not args.no_charts)
        path = report.write(args.output).resolve()
    for reason in analysis.skipped_models:
        print(f"note: {reason}", file=sys.stderr)
    heading = f"{len(log):,} journeys from {args.file} against {journey_map.name!r}"
    _print_analysis(analysis, args.format, heading=heading, report=path)
    return EXIT_OK


def _read_spend(path: str) -> Spend:
    """A spend CSV (``date,channel,campaign,amount``; campaign may be empty) as a Spend table.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "spend.csv"
    >>> _ = f.write_text("date,channel,campaign,amount" + chr(10) + "2025-01-01,ads,,12.5")
    >>> _read_spend(str(f)).by_channel()
    {'ads': 12.5}
    """
    from ._spendtable import Spend
    from .exceptions import SchemaError

    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        wanted = ["date", "channel", "campaign", "amount"]
        missing = [c for c in wanted if c not in (reader.fieldnames or [])]
        if missing:
            raise SchemaError(
                f"a spend file needs the columns {wanted}; missing {missing}", source=path, line=1
            )
        rows = [(r["date"], r["channel"], r["campaign"] or None, r["amount"]) for r in reader]
    return Spend.from_rows(rows, source=path, first_line=2)


def _cmd_templates(args: argparse.Namespace) -> int:
    rows = []
    for name in templates.names():
        m = templates.get(name)
        rows.append(
            [
                name,
                len(m.stages),
                len(m.touchpoints),
                len(m.kpis),
                " > ".join(m.stage_ids),
            ]
        )
    table = Table(
        "templates",
        "",
        (
            Column("template", "template"),
            Column("stages", "stages", "int"),
            Column("touchpoints", "touchpoints", "int"),
            Column("kpis", "KPIs", "int"),
            Column("stage_order", "stages in order"),
        ),
        rows,
    )
    emit([table], args.format)
    return EXIT_OK


# -- the parser ---------------------------------------------------------------------------------


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
        from ._deprecation import renamed_message

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
    for field in _FIELDS:
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
        type=_duration("half_life"),
        default="7 days",
        help="time-decay half-life, e.g. 7d, 36h, P2W (default: 7 days)",
    )
    g.add_argument("--order", type=_positive_int, default=1, help="markov order (default: 1)")
    g.add_argument("--first", type=_fraction, default=0.4, help="position-based first share")
    g.add_argument("--last", type=_fraction, default=0.4, help="position-based last share")
    g.add_argument("--lead-stage", help="w-shaped lead stage (default: consideration)")
    g.add_argument("--opportunity-stage", help="w-shaped opportunity stage (default: decision)")
    g.add_argument(
        "--direct",
        type=_names,
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


def _model_list(text: str) -> list[str]:
    from ._demo import MODEL_NAMES

    names = _names(text)
    for name in names:
        if name not in MODEL_NAMES:
            known = ", ".join(MODEL_NAMES)
            import difflib

            close = difflib.get_close_matches(name, list(MODEL_NAMES), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise argparse.ArgumentTypeError(f"unknown model {name!r}{hint} (known: {known})")
    return names


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``touchpath`` command.

    >>> build_parser().parse_args(["attribute", "e.csv", "--model", "markov"]).model
    ['markov']
    """
    from ._demo import DEFAULT_REPORT, MODEL_NAMES

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
    demo.set_defaults(func=_cmd_demo)

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
        type=_model_list,
        action="extend",
        help=f"model(s), comma-separated: {models} (default: linear)",
    )
    attribute.add_argument(
        "--compare",
        type=_model_list,
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
        "--lookback", type=_duration("lookback"), help="ignore touches older than this, e.g. 30d"
    )
    attribute.add_argument(
        "--credit",
        choices=["conversions", "value"],
        default="conversions",
        help="what --compare shows per model (default: conversions)",
    )
    attribute.add_argument("--map", help="journey map (template or JSON): fills channels")
    _add_models(attribute)
    attribute.set_defaults(func=_cmd_attribute)

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
        "--limit", type=_positive_int, help="violations listed (default: 10 in a table, all else)"
    )
    validate.add_argument(
        "--fail-on",
        choices=["error", "warning"],
        default="error",
        help="lowest severity that makes the exit code 1 (default: error)",
    )
    validate.set_defaults(func=_cmd_validate)

    funnel = command(
        "funnel",
        "count how many journeys reach each step and where they drop off",
        "touchpath funnel events.csv --map pay_per_call_marketplace --window 30d",
        parents=[output],
    )
    _add_input(funnel)
    funnel.add_argument("--map", help="journey map: its stages are the default steps")
    funnel.add_argument("--steps", type=_names, help="steps, comma-separated")
    funnel.add_argument(
        "--level", choices=["stage", "touchpoint", "channel"], help="what the steps are"
    )
    funnel.add_argument(
        "--order",
        choices=["sequential", "strict", "any"],
        default="sequential",
        help="how steps must follow each other (default: sequential)",
    )
    funnel.add_argument("--window", type=_duration("window"), help="e.g. 30d")
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
    funnel.set_defaults(func=_cmd_funnel)

    render = command(
        "render",
        "draw a journey map as Mermaid, Graphviz DOT or SVG",
        "touchpath render b2b_five_stage --format svg -o map.svg",
    )
    render.add_argument("map", metavar="MAP", help="a template name or a map JSON file")
    render.add_argument("--format", choices=["mermaid", "dot", "svg"], default="mermaid")
    render.add_argument("-o", "--output", help="write to this file instead of standard output")
    render.set_defaults(func=_cmd_render)

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
        "--model", type=_model_list, action="extend", help="models to compare (default: all)"
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
    report.set_defaults(func=_cmd_report)

    tpl = command(
        "templates",
        "list the shipped journey-map templates",
        "touchpath templates --format json",
        parents=[output],
    )
    tpl.set_defaults(func=_cmd_templates)
    return parser


def _error(message: str) -> None:
    print(f"touchpath: error: {message}", file=sys.stderr)


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
            _error(f"{where}{exc.strerror or exc}")
        else:
            _error(str(exc))
        return EXIT_USAGE
    return code

"""Reading the command line's inputs: the event file, the journey map, the spend file."""

from __future__ import annotations

import argparse
import csv
import os
import sys
from typing import TYPE_CHECKING, Final

from .. import templates
from ._common import UsageError
from ._progress import Progress

if TYPE_CHECKING:
    from .._log import EventLog
    from .._map import JourneyMap
    from .._spendtable import Spend

__all__ = ["FIELDS", "load_map", "read_events", "read_spend"]

_REJECTIONS_SHOWN: Final = 5

FIELDS: Final = (
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
    "impression",
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
    from .._schema import Schema
    from ..io import read_csv, read_jsonl

    path: str = args.file
    fmt = _input_format(path, args.input_format)
    if not os.path.exists(path):
        raise UsageError(f"{path}: no such file")
    if os.path.isdir(path):
        raise UsageError(f"{path}: is a directory, not an event file")
    columns = {f: getattr(args, f"col_{f}") for f in FIELDS}
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
    from .._map import JourneyMap

    if spec.lower().endswith(".json") or os.path.sep in spec or os.path.exists(spec):
        if not os.path.exists(spec):
            raise UsageError(f"{spec}: no such map file (give a JSON file or a template name)")
        with open(spec, "rb") as fh:
            return JourneyMap.from_json(fh.read(), source=spec)
    return templates.get(spec)


def read_spend(path: str) -> Spend:
    """A spend CSV (``date,channel,campaign,amount``; campaign may be empty) as a Spend table.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "spend.csv"
    >>> _ = f.write_text("date,channel,campaign,amount" + chr(10) + "2025-01-01,ads,,12.5")
    >>> read_spend(str(f)).by_channel()
    {'ads': 12.5}
    """
    from .._spendtable import Spend
    from ..exceptions import SchemaError

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

"""Attribute the conversions of a CSV export to channels, the way a script in a pipeline would.

The script writes a small CSV export with its own column names (as a CRM or
web-analytics export would have them), reads it with a column mapping,
reports the rows it had to reject, and prints the credit of three models
side by side, then the same as CSV for the next step of the pipeline.

    .venv/bin/python examples/attribute_csv.py

The command line does the same: ``touchpath attribute export.csv
--journey-id contact --timestamp ts --channel source --converted won
--value amount --on-error collect --compare first-touch,linear,markov``.
"""

from __future__ import annotations

import csv
import sys
import tempfile
from pathlib import Path

from touchpath import Schema
from touchpath.attribution import FirstTouch, Linear, Markov, compare_models
from touchpath.io import read_csv

EXPORT = """\
contact,ts,source,won,amount
c1,2025-02-01T08:00:00Z,search,no,
c1,2025-02-03T12:30:00Z,email,no,
c1,2025-02-04T09:10:00Z,direct,yes,1200
c2,2025-02-02T10:00:00Z,social,no,
c2,2025-02-09T16:45:00Z,search,yes,300
c3,2025-02-05T11:00:00Z,email,no,
c3,not a date,email,no,
c4,2025-02-06T14:00:00Z,search,no,
"""


def main() -> None:
    """Write the export, read it, print the comparison as a table and as CSV."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_text(EXPORT, encoding="utf-8")
        schema = Schema(
            journey_id="contact", timestamp="ts", channel="source", converted="won", value="amount"
        )
        log = read_csv(path, schema=schema, on_error="collect")
    print(log)
    for rejection in log.rejected:
        print("rejected:", rejection.message(source="export.csv"))

    comparison = compare_models(
        log, {"first touch": FirstTouch(), "linear": Linear(), "markov": Markov()}
    )
    table = comparison.table()
    print(f"\n{'channel':10}" + "".join(f"{label:>13}" for label in comparison.labels))
    for channel, row in table.items():
        print(f"{channel:10}" + "".join(f"{row[label]:13.2f}" for label in comparison.labels))

    print("\nas CSV:")
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["channel", *comparison.labels])
    for channel, row in table.items():
        writer.writerow([channel, *(f"{row[label]:.6f}" for label in comparison.labels)])


if __name__ == "__main__":
    main()

"""Load event data from a CSV file and a DataFrame, see what was refused, and look around.

Run it with ``python examples/load_events.py``. It writes a CSV of synthetic journeys (with a
few broken rows) to a temporary folder, reads it back, and shows the log from several sides.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from touchpath import EventLog, Schema, datasets, templates
from touchpath.io import read_csv, write_csv


def make_csv(folder: Path) -> Path:
    """Synthetic journeys through the pay-per-call template, plus three broken rows."""
    journey_map = templates.get("pay_per_call_marketplace")
    log = datasets.synthetic(journey_map, 500, seed=42)
    path = folder / "events.csv"
    write_csv(log, path)
    with path.open("a", encoding="utf-8", newline="") as fh:
        fh.write("j9000,last tuesday,,email,,false,0,,0,,\r\n")
        fh.write(",2025-02-01T10:00:00Z,,email,,false,0,,0,,\r\n")
        fh.write("j9001,2025-02-01T10:00:00Z,,email,,maybe,0,,0,,\r\n")
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = make_csv(Path(tmp))
        log = read_csv(path, on_error="collect")
        print(log)
        print(f"rows read {log.rows_read:,} = used {log.n_events:,} + rejected {len(log.rejected)}")
        for rejection in log.rejected:
            print("  ", rejection.message(source=path.name))

    summary = log.summary()
    print(
        f"{summary['converting_journeys']} of {summary['journeys']} journeys converted, "
        f"value {summary['value']:,.2f}, spend {summary['cost']:,.2f}"
    )
    first = log.journey_at(0)
    print(f"journey {first.id}: " + " -> ".join(str(c) for c in first.channels))

    paths = log.split_conversions(lookback="30 days")
    print(f"{len(paths)} conversion paths (30-day lookback) from {len(log)} journeys")

    try:
        import pandas  # noqa: F401 - only to know whether to_pandas() can work
    except ImportError:
        print("pandas is not installed: skipping the DataFrame part")
        return
    df = log.to_pandas()
    touches = df.groupby("channel", observed=True).size().sort_values(ascending=False)
    print("events per channel:")
    print(touches.head(5).to_string())

    # your own column names: map them with a Schema
    renamed = df.rename(columns={"journey_id": "user", "timestamp": "ts", "channel": "source"})
    back = EventLog.from_pandas(
        renamed, schema=Schema(journey_id="user", timestamp="ts", channel="source")
    )
    assert back.equals(log)
    print("round trip through pandas with renamed columns: equal")


if __name__ == "__main__":
    main()

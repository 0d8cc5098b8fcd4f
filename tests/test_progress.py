"""Progress: readers, bootstrap and Dask runs report to a recording callback when asked, the
results do not change, and nothing is printed unless asked."""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path
from typing import Any

import pytest

from touchpath import EventLog, Progress, bootstrap, read_csv, read_jsonl
from touchpath.attribution import Linear
from touchpath.cli import Progress as StatusLine
from touchpath.exceptions import ConfigError


def sample_records(n: int = 3000) -> list[dict[str, Any]]:
    """n events of n / 3 journeys (about 150 kB as CSV)."""
    return [
        {
            "journey_id": f"journey-{i // 3:05d}",
            "timestamp": f"2025-01-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
            "channel": ["ads", "seo", "email"][i % 3],
            "converted": i % 7 == 0,
            "value": float(i % 7 == 0) * 10,
        }
        for i in range(n)
    ]


def write_csv(path: Path) -> Path:
    records = sample_records()
    header = list(records[0])
    text = (
        ",".join(header)
        + "\n"
        + "".join(
            ",".join(str(r[h]).lower() if isinstance(r[h], bool) else str(r[h]) for h in header)
            + "\n"
            for r in records
        )
    )
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def write_jsonl(path: Path) -> Path:
    import json

    path.write_text("".join(json.dumps(r) + "\n" for r in sample_records()), encoding="utf-8")
    return path


def check_events(events: list[Progress], step: str, path: Path) -> None:
    """The events of one read: the step named, totals the file's size, done never going
    back, the last one complete."""
    assert events, "no progress reported"
    assert {e.step for e in events} == {step}
    assert {e.unit for e in events} == {"bytes"}
    assert {e.total for e in events} == {float(os.path.getsize(path))}
    done = [e.done for e in events]
    assert done == sorted(done)
    assert events[-1].fraction == 1.0


@pytest.mark.parametrize("name", ["events.csv", "events.csv.gz"])
@pytest.mark.parametrize("engine", ["python", "pyarrow"])
def test_read_csv_reports_bytes(tmp_path: Path, name: str, engine: str) -> None:
    """Every engine reports the step and reaches 100 % of the file's size (compressed size for
    .gz); the Python engine reports on the way too; the log equals one read without it."""
    if engine != "python":
        pytest.importorskip(engine)
    path = write_csv(tmp_path / name)
    events: list[Progress] = []
    log = read_csv(path, engine=engine, progress=events.append)  # type: ignore[arg-type]
    check_events(events, f"reading {name}", path)
    if engine == "python":
        assert len(events) > (2 if name.endswith(".gz") else 5)
    assert log.equals(read_csv(path, engine=engine))  # type: ignore[arg-type]


def test_read_jsonl_reports_bytes(tmp_path: Path) -> None:
    """The JSON Lines reader reports its bytes read the same way."""
    path = write_jsonl(tmp_path / "events.jsonl")
    events: list[Progress] = []
    log = read_jsonl(path, progress=events.append)
    check_events(events, "reading events.jsonl", path)
    assert len(events) > 5
    assert log.equals(read_jsonl(path))


def test_nothing_is_printed_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without progress= nothing is written; progress=True writes to standard error only."""
    path = write_csv(tmp_path / "events.csv")
    read_csv(path, engine="python")
    read_csv(path, engine="python", progress=None)
    read_csv(path, engine="python", progress=False)
    assert capsys.readouterr() == ("", "")
    read_csv(path, engine="python", progress=True)
    out, err = capsys.readouterr()
    assert out == ""
    assert "reading events.csv" in err
    assert "100%" in err


def test_bootstrap_reports_resamples() -> None:
    """bootstrap(progress=...) reports each resample of n, ending at n of n, and gives the
    same result as without it (same seed)."""
    log = EventLog.from_records(sample_records(600))
    events: list[Progress] = []
    with_progress = bootstrap(log, Linear(), n=40, progress=events.append)
    assert {e.step for e in events} == {"bootstrap"}
    assert {e.unit for e in events} == {"resamples"}
    assert [e.done for e in events] == [float(k) for k in range(41)]
    assert events[-1].fraction == 1.0
    plain = bootstrap(log, Linear(), n=40)
    assert (with_progress.samples == plain.samples).all()


def test_dask_run_reports_tasks() -> None:
    """A Dask run on a local scheduler reports its finished tasks up to all of them, and its
    result equals the run without progress."""
    dd = pytest.importorskip("dask.dataframe")
    pytest.importorskip("distributed")
    import touchpath.dask as td

    frame = EventLog.from_records(sample_records(900)).to_pandas()
    ddf = dd.from_pandas(frame.astype({"journey_id": str}), npartitions=3)
    import dask

    events: list[Progress] = []
    local = {"scheduler": "threads", "dataframe.shuffle.method": "tasks"}
    with dask.config.set(local):  # a local scheduler, even while a test session's cluster runs
        result = td.attribute(ddf, Linear(), progress=events.append)
    assert {e.step for e in events} == {"attributing on Dask"}
    assert {e.unit for e in events} == {"tasks"}
    done = [e.done for e in events]
    assert done == sorted(done)
    assert events[-1].fraction == 1.0
    assert len(events) > 3
    assert result.credits() == td.attribute(ddf, Linear()).credits()


def test_bad_progress_is_refused(tmp_path: Path) -> None:
    """progress= takes a callable, True, False or None."""
    path = write_csv(tmp_path / "events.csv")
    with pytest.raises(ConfigError, match="'progress' must be a callable"):
        read_csv(path, progress="yes")  # type: ignore[arg-type]


def test_cli_status_line_shows_the_percentage() -> None:
    """The command line's status names the step and, once the reader reports, the share
    done; it writes nothing to a stream that is not a terminal."""
    stream = io.StringIO()
    with StatusLine("reading events.csv (150 kB)", stream=stream, delay=0) as status:
        assert status.status(0.2) == "reading events.csv (150 kB) ... 0.2 s"
        status.update(Progress("reading events.csv", 30, 120, "bytes"))
        assert status.status(0.4) == "reading events.csv (150 kB) ... 25% 0.4 s"
    assert stream.getvalue() == ""

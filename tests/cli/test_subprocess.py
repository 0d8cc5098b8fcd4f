"""``python -m touchpath`` as a real process: exit codes and streams."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import GOOD_ROWS, SKIP_ROWS, write_csv


def run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m touchpath ARGV`` with warnings as errors."""
    return subprocess.run(
        [sys.executable, "-W", "error", "-m", "touchpath", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


def test_python_m_touchpath_end_to_end(tmp_path: Path) -> None:
    """One process per case: JSON output parses (exit 0), violations give exit 1, a bad
    row gives exit 2 with the line and no traceback, and nothing goes to stderr on
    success (no progress output into a pipe)."""
    events = write_csv(tmp_path / "events.csv", GOOD_ROWS + SKIP_ROWS)
    done = run("attribute", str(events), "--model", "last-touch", "--format", "json", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    credits = {r["channel"]: r["conversions"] for r in json.loads(done.stdout)["credits"]}
    assert credits == {"ads": 0.0, "email": 1.0, "seo": 1.0}

    done = run("validate", str(events), "--map", "b2b_five_stage", cwd=tmp_path)
    assert done.returncode == 1
    assert "1 violations (1 errors" in done.stdout

    bad = write_csv(tmp_path / "bad.csv", ["j1,2025-01-01T00:00:00Z,ads,,maybe,"])
    done = run("attribute", str(bad), cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert "bad.csv line 2, field 'converted'" in done.stderr
    assert "Traceback" not in done.stderr

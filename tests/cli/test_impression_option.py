"""``touchpath attribute --impression COLUMN --click-window --view-window --views``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from touchpath.cli import main

EVENTS = """journey_id,timestamp,channel,kind,converted
j,2025-01-01T00:00:00Z,search,view,false
j,2025-01-03T00:00:00Z,email,click,false
j,2025-01-29T00:00:00Z,display,,false
j,2025-01-31T00:00:00Z,,,true
"""


def credits(out: str) -> dict[str, float]:
    """Conversions per channel from the JSON output."""
    rows = json.loads(out)["credits"]
    return {r["channel"]: r["conversions"] for r in rows}


def test_windows_read_the_named_column(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Conversion on Jan 31; 28-day click and 1-day view windows, display a view by name.
    By hand: search is flagged a view, 30 days old: dropped; email a click exactly 28 days
    old: kept (inclusive); display is unflagged, so a view by name, 2 days old: dropped. All
    linear credit goes to email. Without the windows the three share it."""
    path = tmp_path / "e.csv"
    path.write_text(EVENTS, encoding="utf-8")
    argv = ["attribute", str(path), "--impression", "kind", "--model", "linear"]
    windows = ["--click-window", "28d", "--view-window", "1d", "--views", "display"]
    assert main([*argv, *windows, "--format", "json"]) == 0
    got = credits(capsys.readouterr().out)
    assert got == pytest.approx({"email": 1.0, "display": 0.0, "search": 0.0})
    assert main([*argv, "--format", "json"]) == 0
    got = credits(capsys.readouterr().out)
    assert got == pytest.approx({"email": 1 / 3, "display": 1 / 3, "search": 1 / 3})


def test_bad_flag_names_file_line_and_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A value that is not a flag fails with the file, line and column."""
    path = tmp_path / "e.csv"
    path.write_text(EVENTS.replace("click", "clack"), encoding="utf-8")
    assert main(["attribute", str(path), "--impression", "kind"]) != 0
    err = capsys.readouterr().err
    assert f"{path} line 3" in err
    assert "'kind'" in err

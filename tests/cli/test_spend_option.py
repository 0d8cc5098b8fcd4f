"""``touchpath report --spend``: a spend CSV adds CPA and ROAS per model to the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from touchpath.cli import main


def test_report_with_spend(
    capsys: pytest.CaptureFixture[str], good_csv: Path, tmp_path: Path
) -> None:
    """The page gets the spend section; a bad spend row fails with its file and line."""
    spend = tmp_path / "spend.csv"
    spend.write_text("date,channel,campaign,amount\n2025-01-01,email,,100\n", encoding="utf-8")
    target = tmp_path / "r.html"
    argv = ["report", str(good_csv), "--map", "b2b_five_stage", "-o", str(target)]
    code = main([*argv, "--model", "linear", "--no-charts", "--spend", str(spend)])
    capsys.readouterr()
    assert code == 0
    assert "Spend and return by model" in target.read_text(encoding="utf-8")
    spend.write_text(
        "date,channel,campaign,amount\n2025-01-01,email,,100\n2025-01-02,email,,-5\n",
        encoding="utf-8",
    )
    code = main([*argv, "--model", "linear", "--no-charts", "--spend", str(spend)])
    err = capsys.readouterr().err
    assert code != 0
    assert f"{spend} line 3" in err
    spend.write_text("day,channel,amount\n", encoding="utf-8")
    assert main([*argv, "--model", "linear", "--spend", str(spend)]) != 0
    assert "missing ['date', 'campaign']" in capsys.readouterr().err

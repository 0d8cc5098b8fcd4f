"""``import touchpath`` is quiet and light: no output, no optional heavy dependencies."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ["pandas", "polars", "pyarrow", "matplotlib", "dask", "distributed"]

_REPORT = """
import json, sys
import touchpath
loaded = sorted({name.partition(".")[0] for name in sys.modules})
sys.stdout.write(json.dumps(loaded))
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    # -W default shows the warnings Python hides by default (DeprecationWarning & co.)
    return subprocess.run(
        [sys.executable, "-W", "default", "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_import_prints_nothing() -> None:
    """Importing touchpath writes nothing to stdout or stderr, warnings included."""
    result = _run("import touchpath")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.fixture(scope="module")
def loaded_after_import() -> set[str]:
    """Top-level names of every module loaded by a fresh ``import touchpath``."""
    result = _run(_REPORT)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return set(json.loads(result.stdout))


def test_touchpath_was_imported(loaded_after_import: set[str]) -> None:
    """The probe really imported touchpath (so the checks below mean something)."""
    assert "touchpath" in loaded_after_import


@pytest.mark.parametrize("module", HEAVY)
def test_import_does_not_load_heavy_module(module: str, loaded_after_import: set[str]) -> None:
    """Optional heavy dependencies are only imported when a feature that needs them is used."""
    assert module not in loaded_after_import

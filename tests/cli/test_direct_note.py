"""The demo says which channels last-non-direct skips, so zero credit there is not a surprise."""

from __future__ import annotations

from pathlib import Path

import pytest

from touchpath import ChannelKind, templates
from touchpath.cli import main


def test_demo_names_the_direct_channels(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The direct channels are the map's channels of kind DIRECT (read from the template
    here, independently of the CLI), listed sorted in the attribution note."""
    m = templates.get("pay_per_call_marketplace")
    direct = sorted(c.id for c in m.channels if c.kind is ChannelKind.DIRECT)
    assert direct  # the template has some, or the test would prove nothing
    assert main(["demo", "-o", str(tmp_path / "r.html")]) == 0
    out = capsys.readouterr().out
    assert f"last-non-direct skips the direct channels {', '.join(direct)}" in out

"""An empty step list is refused with a clear error (repeated steps are legitimate: the
second needs a later event of the same id, which the funnel tests cover)."""

from __future__ import annotations

import pytest

from touchpath import EventLog
from touchpath.exceptions import ConfigError, NotFoundError
from touchpath.metrics import funnel


def _log() -> EventLog:
    return EventLog.from_records(
        [
            {"journey_id": "a", "timestamp": 1, "stage": "awareness"},
            {"journey_id": "a", "timestamp": 2, "stage": "decision"},
        ]
    )


def test_empty_steps_are_refused() -> None:
    """An empty step list is a mistake, not an ambiguity between stage/touchpoint/channel."""
    with pytest.raises(ConfigError, match="at least one step"):
        funnel(_log(), [])


def test_unreached_step_without_map_suggests_the_map() -> None:
    """A stage that no event reached is unknown without a map; the error's note points to
    both ways out: level=... and journey_map=..."""
    with pytest.raises(NotFoundError) as info:
        funnel(_log(), ["awareness", "advocacy"])
    notes = " ".join(getattr(info.value, "__notes__", []))
    assert "level=" in notes
    assert "journey_map=" in notes

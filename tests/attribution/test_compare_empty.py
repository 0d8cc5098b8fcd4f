"""compare_models() refuses an empty list of models instead of returning an empty table."""

from __future__ import annotations

import pytest

from touchpath import EventLog
from touchpath.attribution import compare_models
from touchpath.exceptions import ConfigError


def test_no_models_is_an_error() -> None:
    """With no model there is nothing to compare; the error says so."""
    log = EventLog.from_records([{"journey_id": "a", "timestamp": 1, "channel": "x"}])
    with pytest.raises(ConfigError, match="at least one model"):
        compare_models(log, [])
    with pytest.raises(ConfigError, match="at least one model"):
        compare_models(log, {})

"""An EventLog stores absent columns as nothing and says how much memory it holds."""

from __future__ import annotations

import numpy as np

from touchpath import EventLog


def _log(n: int) -> EventLog:
    """``n`` channel-only events (no touchpoint, stage, campaign, segment, account or cost)."""
    return EventLog.from_records(
        [{"journey_id": f"j{i % 50}", "timestamp": i, "channel": "ads"} for i in range(n)]
    )


def test_absent_columns_read_as_full_columns_but_take_no_space() -> None:
    """Absent codes read as -1 and absent costs as 0 for every event, from one stored value."""
    log = _log(2000)
    for column in (log.touchpoint_codes, log.stage_codes, log.account_codes):
        assert column.shape == (2000,)
        assert column.tolist() == [-1] * 2000
        assert column.strides == (0,)
        assert not column.flags.writeable
    assert log.costs.tolist() == [0.0] * 2000
    assert log.costs.strides == (0,)
    assert log.channel_codes.strides != (0,)  # a present column is stored
    assert log.select(np.arange(50) < 10).stage_codes.strides == (0,)


def test_memory_is_what_the_present_columns_need() -> None:
    """summary() states the memory: about timestamps, rows, journey index, channel, offsets.

    By hand, per event: 8 (timestamp) + 8 (row) + 8 (event's journey) + 4 (channel)
    + 1 (converted) = 29 bytes; the absent columns add 6 x 4 + 2 x 8 bytes in all.
    """
    log = _log(10_000)
    memory = log.summary()["memory_bytes"]
    assert memory == log.memory_bytes
    per_event = 29 * 10_000
    assert per_event < memory < per_event + 20_000

"""Hypothesis strategies for event data (needs ``hypothesis``, a test dependency).

>>> from touchpath.testing.strategies import event_records
"""

from ._events import TimestampStyle as TimestampStyle
from ._events import event_logs as event_logs
from ._events import event_records as event_records
from ._events import timestamp_values as timestamp_values

__all__ = ["TimestampStyle", "event_logs", "event_records", "timestamp_values"]

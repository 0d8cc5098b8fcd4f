"""Hypothesis strategies for event data and journey maps (needs ``hypothesis``, a test dependency).

- :func:`event_records` and :func:`event_logs`: valid event records and EventLogs.
- :func:`map_parts` and :func:`journey_maps`: the declared parts of a random map, and the map.

>>> from touchpath.testing.strategies import event_records, journey_maps
"""

from ._events import TimestampStyle as TimestampStyle
from ._events import event_logs as event_logs
from ._events import event_records as event_records
from ._events import timestamp_values as timestamp_values
from ._maps import MapParts as MapParts
from ._maps import channels as channels
from ._maps import identifiers as identifiers
from ._maps import journey_maps as journey_maps
from ._maps import kpis as kpis
from ._maps import map_parts as map_parts
from ._maps import names as names

__all__ = [
    "MapParts",
    "TimestampStyle",
    "channels",
    "event_logs",
    "event_records",
    "identifiers",
    "journey_maps",
    "kpis",
    "map_parts",
    "names",
    "timestamp_values",
]

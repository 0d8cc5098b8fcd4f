"""Helpers for testing code built on touchpath.

- :func:`journey_log` writes a small event log by hand: journeys as lists of events, each a
  mapping of fields or a stage id, placed ``at`` a time after a fixed start.
- :func:`check_attribution_model` runs the attribution invariants (credits
  sum to conversions and value, never negative, non-converting journeys credit
  nothing, row order and partitioning do not matter) on any
  :class:`~touchpath.typing.AttributionModel`.
- :func:`random_log_records` makes random event records for such checks.
- :mod:`touchpath.testing.strategies` has Hypothesis strategies for event records, event logs
  and journey maps (it needs ``hypothesis``).

touchpath's own test suite builds its logs with these helpers.
"""

from ._attribution import check_attribution_model as check_attribution_model
from ._attribution import random_log_records as random_log_records
from ._build import START as START
from ._build import EventSpec as EventSpec
from ._build import journey_log as journey_log
from ._build import journey_records as journey_records

__all__ = [
    "START",
    "EventSpec",
    "check_attribution_model",
    "journey_log",
    "journey_records",
    "random_log_records",
]

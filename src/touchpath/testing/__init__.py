"""Helpers for testing code built on touchpath.

- :func:`check_attribution_model` runs the attribution invariants (credits
  sum to conversions and value, never negative, non-converting journeys credit
  nothing, row order and partitioning do not matter) on any
  :class:`~touchpath.typing.AttributionModel`.
- :func:`random_log_records` makes random event records for such checks.
- :mod:`touchpath.testing.strategies` has Hypothesis strategies for event records and
  event logs (it needs ``hypothesis``).
"""

from ._attribution import check_attribution_model as check_attribution_model
from ._attribution import random_log_records as random_log_records

__all__ = ["check_attribution_model", "random_log_records"]

"""Shared test configuration: the one Hypothesis profile every property test runs under.

Property tests set only ``max_examples`` locally; deadlines and health checks
are decided here, once, so that a loaded CI machine (two pytest workers on two
cores) does not turn a slow example into a spurious failure. Set
``HYPOTHESIS_PROFILE=thorough`` to run ten times as many examples locally.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "touchpath",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "thorough",
    parent=settings.get_profile("touchpath"),
    max_examples=1000,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "touchpath"))

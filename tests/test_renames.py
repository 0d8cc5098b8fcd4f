"""Renamed parameters and attributes: the new name works, the old one warns and agrees.

One test per rename of ``docs/naming.md``. Each computes its expected value by
hand from a tiny log, checks the new name gives it, then checks the old name
emits a ``DeprecationWarning`` naming the new word and gives the same answer.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from touchpath import EventLog
from touchpath.attribution import LastTouch, PathCounts, bootstrap
from touchpath.exceptions import ConfigError
from touchpath.metrics import Ratio, revenue_movements, stage_conversion, time_between
from touchpath.validation import Deadline

DAY = 86400


def _stages(*rows: tuple[str, int, str]) -> EventLog:
    return EventLog.from_records(
        [{"journey_id": j, "timestamp": t, "stage": s} for j, t, s in rows]
    )


def test_renamed_keyword_refuses_old_and_new_together() -> None:
    """Passing both names is ambiguous: a ConfigError naming both, not a silent pick."""
    log = _stages(("a", 0, "trial"))
    with pytest.raises(ConfigError, match="window= only"):
        stage_conversion(log, "trial", "paid", window="1 day", within="2 days")  # type: ignore[call-arg]


def test_within_is_window() -> None:
    """a: trial -> paid after 10 days, b: after 40 days, c: never paid. A 30-day window
    converts a only: stage_conversion 1/3; time_between's share within 30 days 1/3 and
    its threshold is 30 days; Deadline keeps the 30 days as ``window``."""
    log = _stages(
        ("a", 0, "trial"), ("a", 10 * DAY, "paid"),
        ("b", 0, "trial"), ("b", 40 * DAY, "paid"),
        ("c", 0, "trial"), ("c", 100 * DAY, "visit"),
    )  # fmt: skip
    assert stage_conversion(log, "trial", "paid", window="30 days") == Ratio(1, 3)
    t = time_between(log, "trial", "paid", window="30 days")
    assert (t.share_within, t.window) == (Ratio(1, 3), dt.timedelta(days=30))
    rule = Deadline("trial", "paid", window="30 days")
    assert rule.window == dt.timedelta(days=30)
    old_name = r"stage_conversion\(within=\.\.\.\) is deprecated.*use window="
    with pytest.warns(DeprecationWarning, match=old_name):
        old = stage_conversion(log, "trial", "paid", within="30 days")  # type: ignore[call-arg]
    assert old == Ratio(1, 3)
    with pytest.warns(DeprecationWarning, match="use window="):
        old_t = time_between(log, "trial", "paid", within="30 days")  # type: ignore[call-arg]
    assert old_t == t
    with pytest.warns(DeprecationWarning, match="use TimeBetween.window"):
        assert old_t.within == dt.timedelta(days=30)
    with pytest.warns(DeprecationWarning, match=r"Deadline\(within=\.\.\.\).*use window="):
        old_rule = Deadline("trial", "paid", within="30 days")  # type: ignore[call-arg]
    assert old_rule == rule
    with pytest.warns(DeprecationWarning, match="use Deadline.window"):
        assert rule.within == dt.timedelta(days=30)


def test_customer_is_count() -> None:
    """Account A's journey j1 pays 100 in January, its journey j2 100 in February. Counting
    accounts, A kept its revenue (1 at start, none churned); counting journeys, j1 churned
    (1 at start, 1 churned) and j2 is new."""
    log = EventLog.from_records(
        [
            {
                "journey_id": j,
                "account": "A",
                "timestamp": t,
                "stage": "paid",
                "converted": True,
                "value": 100,
            }
            for j, t in (("j1", "2025-01-15T00:00:00Z"), ("j2", "2025-02-15T00:00:00Z"))
        ]
    )
    jan = ("2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
    feb = ("2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z")
    accounts = revenue_movements(log, jan, feb, count="accounts")
    journeys = revenue_movements(log, jan, feb, count="journeys")
    assert (accounts.customers_at_start, accounts.churned_customers) == (1, 0)
    assert (journeys.customers_at_start, journeys.churned_customers, journeys.new) == (1, 1, 100)
    with pytest.warns(DeprecationWarning, match=r"revenue_movements\(customer=.*use count="):
        old = revenue_movements(log, jan, feb, customer="journeys")  # type: ignore[call-arg]
    assert old == journeys


def test_bootstrap_level_is_confidence() -> None:
    """A 90 % interval is the 5th and 95th percentile of the resampled credits (the
    definition, computed here with numpy from the samples); the old ``level=0.9`` is the
    same confidence and, with the same seed, the same intervals."""
    counts = PathCounts.from_rows([(["a"], 30, 0, 0), (["b"], 10, 0, 0)])
    b = bootstrap(counts, LastTouch(), n=50, seed=3, confidence=0.9)
    assert b.confidence == 0.9
    expected = np.quantile(b.samples[:, 0], [0.05, 0.95])
    assert b.interval("a") == pytest.approx(tuple(expected))
    with pytest.warns(DeprecationWarning, match=r"bootstrap\(level=.*use confidence="):
        old = bootstrap(counts, LastTouch(), n=50, seed=3, level=0.9)  # type: ignore[call-arg]
    assert old.intervals() == b.intervals()
    with pytest.warns(DeprecationWarning, match="use BootstrapResult.confidence"):
        assert old.level == 0.9

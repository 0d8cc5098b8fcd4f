"""Cohort retention: hand-computed tables, empty cohorts, unobserved cells."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from touchpath import EventLog
from touchpath.exceptions import ConfigError, NotFoundError
from touchpath.metrics import Cohort, Period, Ratio, RetentionMode, retention

from ._logs import log_of


def at(journey: str, day: str, stage: str = "use") -> dict[str, Any]:
    return {"journey_id": journey, "timestamp": f"{day}T00:00:00Z", "stage": stage}


MONTHLY = log_of(
    at("a", "2025-01-15"), at("a", "2025-02-03"), at("a", "2025-04-01"),
    at("b", "2025-02-20"),
)  # fmt: skip


def test_monthly_on() -> None:
    """a starts in January and is active in February and April; b starts in February only.
    Data ends on April 1st: b's offset 3 (May) is not observed."""
    t = retention(MONTHLY, period="month")
    assert t.starts == (dt.date(2025, 1, 1), dt.date(2025, 2, 1))
    assert t.sizes.tolist() == [1, 1]
    assert t.retained.tolist() == [[1, 1, 0, 1], [1, 0, 0, 0]]
    assert t.observed.tolist() == [[True] * 4, [True, True, True, False]]
    assert t.complete.tolist() == [[True, True, True, False], [True, True, False, False]]
    assert t.ratio(dt.date(2025, 1, 1), 2) == Ratio(0, 1)
    assert t.ratio(1, 3) is None
    assert t.ratio(0, 99) is None


def test_monthly_on_or_after() -> None:
    """On or after: a counts at every offset up to its last activity (April)."""
    t = retention(MONTHLY, period=Period.MONTH, mode=RetentionMode.ON_OR_AFTER)
    assert t.retained.tolist() == [[1, 1, 1, 1], [1, 0, 0, 0]]


def test_iso_weeks_start_on_monday() -> None:
    """Sunday 2025-01-05 and Monday 2025-01-06 are in consecutive weeks; the cohort starts
    on Monday 2024-12-30."""
    t = retention(log_of(at("a", "2025-01-05"), at("a", "2025-01-06")), period="week")
    assert t.starts == (dt.date(2024, 12, 30),)
    assert t.retained.tolist() == [[1, 1]]


def test_empty_cohorts_are_rows_with_undefined_ratios() -> None:
    """Cohorts on day 1 and day 4: days 2 and 3 are rows of size 0 whose ratios are 0/0."""
    t = retention(log_of(at("a", "2025-01-01"), at("b", "2025-01-04")), period="day")
    assert t.sizes.tolist() == [1, 0, 0, 1]
    empty = t.ratio(1, 0)
    assert empty is not None
    assert not empty.is_defined
    rates = t.rates()
    assert math.isnan(rates[1, 0])
    assert rates[0, 0] == 1.0
    assert math.isnan(rates[3, 1])  # not observed


def test_stage_cohorts_ignore_earlier_activity_and_count_the_excluded() -> None:
    """Cohort 'paid': c visited in December, paid in January: its December event does not
    count; a never paid: excluded."""
    log = log_of(
        at("a", "2025-01-02", "visit"),
        at("c", "2024-12-20", "visit"), at("c", "2025-01-05", "paid"),
        at("c", "2025-02-05", "use"),
    )  # fmt: skip
    t = retention(log, "paid", period="month")
    assert (t.cohort, t.excluded) == ("paid", 1)
    assert t.starts == (dt.date(2025, 1, 1),)
    assert t.retained.tolist() == [[1, 1]]
    assert retention(log, Cohort.FIRST_EVENT, period="month").starts[0] == dt.date(2024, 12, 1)


def test_now_extends_the_table() -> None:
    """A later `now` adds observed columns (zero activity), not missing ones."""
    t = retention(log_of(at("a", "2025-01-01")), period="day", now="2025-01-03T12:00:00Z")
    assert t.retained.tolist() == [[1, 0, 0]]
    assert t.observed.tolist() == [[True, True, True]]
    assert t.complete.tolist() == [[True, True, False]]


def test_now_before_the_last_event_is_refused() -> None:
    """MONTHLY's last event is on 2025-04-01: a `now` in March would call April unobserved while
    counting its activity, so it is a ConfigError naming both instants (it was a numpy reshape
    ValueError)."""
    with pytest.raises(ConfigError, match=r"last event \(2025-04-01T00:00:00\+00:00\).*2025-03-01"):
        retention(MONTHLY, period="month", now="2025-03-01T00:00:00Z")
    assert retention(MONTHLY, period="month", now="2025-04-01T00:00:00Z").sizes.tolist() == [1, 1]


def test_to_pandas_rates_and_counts() -> None:
    """Rows by cohort start, a size column, one column per offset."""
    t = retention(MONTHLY, period="month")
    rates = t.to_pandas()
    assert list(rates.columns) == ["size", 0, 1, 2, 3]
    assert rates.loc[dt.date(2025, 1, 1)].tolist() == [1, 1.0, 1.0, 0.0, 1.0]
    assert math.isnan(rates.loc[dt.date(2025, 2, 1), 3])
    counts = t.to_pandas("count")
    assert counts.loc[dt.date(2025, 2, 1), 0] == 1
    assert counts.isna().loc[dt.date(2025, 2, 1), 3]
    with pytest.raises(ConfigError):
        t.to_pandas("share")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"cohort": "nope"}, NotFoundError),
        ({"cohort": 3}, ConfigError),
        ({"period": "year"}, ConfigError),
        ({"mode": "after"}, ConfigError),
    ],
    ids=["unknown-stage", "not-a-string", "bad-period", "bad-mode"],
)
def test_bad_arguments(kwargs: dict[str, Any], error: type[Exception]) -> None:
    """Unknown stages, periods and modes raise touchpath errors."""
    with pytest.raises(error):
        retention(MONTHLY, **kwargs)


def test_journeys_without_the_cohort_stage_are_excluded_not_lost() -> None:
    """Of two journeys only b reaches 'paid': one cohort of 1, one excluded journey."""
    log = log_of(at("a", "2025-01-01", "visit"), at("b", "2025-01-01", "paid"))
    t = retention(log, "paid", period="day")
    assert (t.excluded, t.sizes.tolist()) == (1, [1])


def test_an_empty_log() -> None:
    """No journeys: no cohorts, no `now`."""
    t = retention(EventLog.from_records([]))
    assert (t.starts, t.sizes.tolist(), t.now, t.excluded) == ((), [], None, 0)

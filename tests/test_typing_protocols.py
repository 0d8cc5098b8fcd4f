"""The protocols of ``touchpath.typing``: every shipped aggregate and counting model follows them,
and ``attribute()`` relies on the protocol, not on the shipped classes."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import attrs
import pytest

from touchpath import EventLog, JourneyMap
from touchpath.attribution import (
    AttributionResult,
    CoalitionCounts,
    ConversionPaths,
    Credit,
    LastTouch,
    Markov,
    OrderedShapley,
    PathCounts,
    Shapley,
    TransitionCounts,
    attribute,
)
from touchpath.exceptions import UnsupportedInputError
from touchpath.metrics import FunnelCounts, PathFlowCounts, TransitionGraphCounts
from touchpath.typing import Aggregate, ByLike, CollapseLike, CountingModel, DurationLike
from touchpath.validation import Findings, ValidationCounts

_ROWS = [
    {"journey_id": "a", "timestamp": 1, "channel": "x", "stage": "visit"},
    {"journey_id": "a", "timestamp": 2, "channel": "y", "stage": "buy", "converted": True},
    {"journey_id": "b", "timestamp": 1, "channel": "y", "stage": "visit"},
]
_MAP = JourneyMap.builder("m").stage("visit").stage("buy").path("visit", "buy").build()


def _zero_and_count(kind: type[Any], log: EventLog) -> tuple[Any, Any]:
    if kind is FunnelCounts:
        return kind.zero(["visit", "buy"], level="stage"), kind.from_log(
            log, ["visit", "buy"], level="stage"
        )
    if kind is ValidationCounts:
        return kind.zero(), kind.from_log(log, _MAP)
    return kind.zero(), kind.from_log(log)


@pytest.mark.parametrize(
    "kind",
    [
        PathCounts,
        TransitionCounts,
        CoalitionCounts,
        FunnelCounts,
        PathFlowCounts,
        TransitionGraphCounts,
        ValidationCounts,
    ],
    ids=lambda k: k.__name__,
)
def test_shipped_aggregates_follow_the_protocol(kind: type[Any]) -> None:
    """Each aggregate is an ``Aggregate``: ``zero()`` is neutral on both sides of ``+`` and
    ``sum()`` (which starts from 0) returns the counts (the definition of a monoid's unit)."""
    log = EventLog.from_records(_ROWS)
    zero, counts = _zero_and_count(kind, log)
    assert isinstance(zero, Aggregate)
    assert isinstance(counts, Aggregate)
    assert sum([counts]) is counts
    for total in (zero + counts, counts + zero):
        assert total == counts or (hasattr(total, "equals") and total.equals(counts))


def test_shipped_counting_models() -> None:
    """Markov and Shapley count before they solve; per-path and ordered models do not."""
    assert isinstance(Markov(), CountingModel)
    assert isinstance(Shapley(), CountingModel)
    assert not isinstance(LastTouch(), CountingModel)
    assert not isinstance(OrderedShapley(), CountingModel)
    assert Markov.counts_type is TransitionCounts
    assert Shapley.counts_type is CoalitionCounts


@attrs.frozen
class _RenamedShapley:
    """A user's counting model (not a touchpath class): Shapley under another name."""

    counts_type: ClassVar[type[CoalitionCounts]] = CoalitionCounts

    def counts(
        self,
        data: EventLog | PathCounts | ConversionPaths,
        *,
        level: ByLike | None = None,
        collapse: CollapseLike | None = None,
        lookback: DurationLike | None = None,
    ) -> CoalitionCounts:
        return Shapley().counts(data, level=level, collapse=collapse, lookback=lookback)

    def attribute_counts(self, counts: CoalitionCounts) -> AttributionResult:
        return Shapley().attribute_counts(counts)

    def credit(self, paths: Any) -> Credit:
        return Shapley().credit(paths)


def test_attribute_reads_counts_through_the_protocol() -> None:
    """A counting model of the user's is given its own table: for paths {a} x2 converting and
    {a, b} x1, v(a)=2, v(b)=0, v(ab)=3, so phi_a = (2 + 3)/2 = 2.5 and phi_b = (0 + 1)/2 = 0.5
    (the two orders of a two-player game, by hand)."""
    model = _RenamedShapley()
    assert isinstance(model, CountingModel)
    counts = model.counts(PathCounts.from_rows([(["a"], 2, 2, 0), (["a", "b"], 1, 0, 0)]))
    assert attribute(counts, model).credits() == pytest.approx({"a": 2.5, "b": 0.5})


def test_a_table_for_another_model_is_refused() -> None:
    """Transition counts given to Shapley or to a rule-based model are an error naming both."""
    counts = TransitionCounts.from_log(EventLog.from_records(_ROWS))
    with pytest.raises(UnsupportedInputError, match=r"TransitionCounts.*Shapley.*CoalitionCounts"):
        attribute(counts, Shapley())
    with pytest.raises(UnsupportedInputError, match=r"TransitionCounts.*LastTouch"):
        attribute(counts, LastTouch())


def test_findings_empty_is_deprecated_for_zero() -> None:
    """``Findings.empty()`` still works for one release, with a DeprecationWarning naming zero()."""
    with pytest.warns(DeprecationWarning, match=r"Findings\.zero\(\)"):
        old = Findings.empty()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(old) == len(Findings.zero()) == 0

"""``touchpath.dask`` on a real two-process cluster.

Every distributed result is compared with the single-process result on the
same events (``EventLog.from_pandas(frame)`` and the ordinary functions),
which is a separate code path: one log of everything, no shuffle, no merge.
Counts must be equal exactly; credits to 1e-12 relative.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any, ClassVar

import attrs
import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchpath import EventLog, templates
from touchpath import attribution as A
from touchpath import metrics as M
from touchpath import validation as V
from touchpath.exceptions import PartitionError, SchemaError
from touchpath.typing import ByLike, CollapseLike, DurationLike

REASON = "the dask tests need touchpath[dask] (dask and distributed)"
dd = pytest.importorskip("dask.dataframe", reason=REASON)
pytest.importorskip("distributed", reason=REASON)
td = pytest.importorskip("touchpath.dask", reason=REASON)

import pandas as pd  # noqa: E402

pytestmark = pytest.mark.dask

REL = 1e-12
MAP = templates.get("pay_per_call_marketplace")
STEPS = ["awareness", "consideration", "decision"]


def assert_same_credit(got: A.AttributionResult, want: A.AttributionResult) -> None:
    """Same items, credits to 1e-12 relative, totals and unattributed conversions exactly."""
    assert got.items == want.items
    assert got.level == want.level
    assert got.model == want.model
    for name in ("conversions", "values"):
        g, w = getattr(got, name), getattr(want, name)
        scale = float(np.abs(w).max()) if len(w) else 0.0
        np.testing.assert_allclose(g, w, rtol=REL, atol=REL * scale, err_msg=name)
    assert got.total_conversions == want.total_conversions
    assert got.unattributed == want.unattributed
    assert got.total_value == pytest.approx(want.total_value, rel=REL)
    assert got.unattributed_value == pytest.approx(want.unattributed_value, rel=REL, abs=1e-9)


def graph_data(g: nx.DiGraph[str]) -> tuple[list[Any], list[Any]]:
    """A graph's nodes and edges with their attributes, in a canonical order."""
    return sorted(g.nodes(data=True)), sorted(g.edges(data=True))


# -- the work runs on the workers ---------------------------------------------------------


@attrs.frozen
class Where:
    """Where aggregate tasks ran: worker addresses and process ids (merged by union)."""

    addresses: frozenset[str]
    pids: frozenset[int]

    def __add__(self, other: Where) -> Where:
        return Where(self.addresses | other.addresses, self.pids | other.pids)


def where_ran(log: EventLog) -> Where:
    """Record the worker this partition's task runs on (fails outside a worker)."""
    from distributed import get_worker

    time.sleep(0.05)  # long enough that one worker cannot take every task
    return Where(frozenset({get_worker().address}), frozenset({os.getpid()}))


def test_partitions_run_on_both_worker_processes(client: Any, frame: pd.DataFrame) -> None:
    """Per-partition tasks run inside the cluster's two worker processes, not in the test
    process: the addresses recorded by the tasks are exactly the scheduler's two workers."""
    workers = set(client.scheduler_info()["workers"])
    assert len(workers) == 2
    seen = td.aggregate(dd.from_pandas(frame, npartitions=8), where_ran)
    assert seen.addresses == workers
    assert len(seen.pids) == 2
    assert os.getpid() not in seen.pids


# -- attribution ----------------------------------------------------------------------------

MODELS = [
    pytest.param(A.FirstTouch(), {}, id="first-touch"),
    pytest.param(A.LastTouch(), {}, id="last-touch"),
    pytest.param(A.LastNonDirect(direct={"website"}), {}, id="last-non-direct"),
    pytest.param(A.Linear(), {}, id="linear"),
    pytest.param(A.Linear(per="channel"), {"collapse": "consecutive"}, id="linear-collapsed"),
    pytest.param(A.PositionBased(), {"level": "touchpoint"}, id="position-by-touchpoint"),
    pytest.param(A.TimeDecay(half_life="3 days"), {"lookback": "30 days"}, id="time-decay"),
    pytest.param(A.WShaped("consideration", "decision"), {}, id="w-shaped"),
    pytest.param(A.Markov(), {}, id="markov"),
    pytest.param(A.Markov(order=2), {"level": "touchpoint"}, id="markov-2-by-touchpoint"),
    pytest.param(A.Markov(), {"lookback": "5 days"}, id="markov-lookback"),
    pytest.param(A.Shapley(), {}, id="shapley"),
    pytest.param(A.Shapley(game="conversion_rate"), {"level": "stage"}, id="shapley-rate"),
]


@pytest.mark.parametrize(("model", "policy"), MODELS)
def test_attribution_equals_single_process(
    client: Any, frame: pd.DataFrame, model: Any, policy: dict[str, Any]
) -> None:
    """Distributed credits equal single-process credits on the same events, for rule-based
    models (run per partition), Markov and Shapley (count tables merged, solved once)."""
    want = A.attribute(EventLog.from_pandas(frame), model, **policy)
    got = td.attribute(dd.from_pandas(frame, npartitions=5), model, **policy)
    assert_same_credit(got, want)


@attrs.frozen
class EveryoneFirst:
    """A user model without ``per_path``: all credit to the first touch (needs no timestamps)."""

    def credit(self, paths: A.ConversionPaths) -> A.Credit:
        shares = np.zeros(paths.n_touches)
        shares[paths.offsets[:-1][paths.lengths > 0]] = 1.0
        return A.Credit(shares)


def test_a_model_of_unknown_kind_runs_once_on_merged_path_counts(
    client: Any, frame: pd.DataFrame
) -> None:
    """A model that does not say it is per-path is solved once on the merged PathCounts and
    agrees with the single-process run (and, being first-touch, with FirstTouch)."""
    ddf = dd.from_pandas(frame, npartitions=4)
    got = td.attribute(ddf, EveryoneFirst())
    want = A.attribute(EventLog.from_pandas(frame), EveryoneFirst())
    assert_same_credit(got, want)
    assert got.credits() == pytest.approx(td.attribute(ddf, A.FirstTouch()).credits(), rel=REL)


@attrs.frozen
class CountingShapley:
    """A user's counting model (``touchpath.typing.CountingModel``): Shapley's table and
    solver under another class; ``credit`` refuses, so only the counting path can run it."""

    counts_type: ClassVar[type[A.CoalitionCounts]] = A.CoalitionCounts

    def counts(
        self,
        data: EventLog | A.PathCounts | A.ConversionPaths,
        *,
        level: ByLike | None = None,
        collapse: CollapseLike | None = None,
        lookback: DurationLike | None = None,
    ) -> A.CoalitionCounts:
        return A.Shapley().counts(data, level=level, collapse=collapse, lookback=lookback)

    def attribute_counts(self, counts: A.CoalitionCounts) -> A.AttributionResult:
        return A.Shapley().attribute_counts(counts)

    def credit(self, paths: A.ConversionPaths) -> A.Credit:
        raise AssertionError("a counting model is solved from its merged table")


def test_a_users_counting_model_is_counted_per_partition_and_solved_once(
    client: Any, frame: pd.DataFrame
) -> None:
    """touchpath.dask asks the model for its table rather than checking for Markov/Shapley:
    a user's counting model gets the same credits as Shapley on the whole log in memory."""
    got = td.attribute(dd.from_pandas(frame, npartitions=4), CountingShapley())
    want = A.attribute(EventLog.from_pandas(frame), A.Shapley())
    assert_same_credit(got, want)


def test_markov_result_keeps_the_fitted_chain(client: Any, frame: pd.DataFrame) -> None:
    """The Markov result from merged counts carries the fitted chain, whose removal effects
    equal those fitted on the whole log."""
    got = td.attribute(dd.from_pandas(frame, npartitions=3), A.Markov())
    want = A.Markov().fit(EventLog.from_pandas(frame))
    assert got.fitted.removal_effects == pytest.approx(want.removal_effects, rel=REL)
    assert got.fitted.counts.equals(want.counts)


# -- metrics --------------------------------------------------------------------------------

FUNNELS = [
    pytest.param({"steps": STEPS}, id="sequential"),
    pytest.param({"steps": STEPS, "window": "10 days", "order": "strict"}, id="strict-window"),
    pytest.param({"steps": STEPS, "order": "any", "breakdown": "segment"}, id="any-by-segment"),
    pytest.param({"steps": STEPS, "count": "accounts", "breakdown": "segment"}, id="accounts"),
    pytest.param(
        {"journey_map": MAP, "window": "20 days", "count": "accounts"}, id="map-accounts-window"
    ),
    pytest.param({"steps": ["website", "email"]}, id="channel-level-inferred"),
]


@pytest.mark.parametrize("options", FUNNELS)
def test_funnel_equals_single_process(
    client: Any, frame: pd.DataFrame, options: dict[str, Any]
) -> None:
    """Funnel counts (per step, per group, digests, population, censoring with the global
    ``now``, account roll-ups) equal the single-process counts exactly."""
    log = EventLog.from_pandas(frame, journey_map=options.get("journey_map"))
    want = M.funnel(log, **options)
    got = td.funnel(dd.from_pandas(frame, npartitions=6), **options)
    assert got.counts == want.counts
    assert got.steps == want.steps


@pytest.mark.parametrize(
    ("level", "collapse"),
    [(M.Level.STAGE, True), (M.Level.CHANNEL, False), (M.Level.TOUCHPOINT, True)],
    ids=["stage", "channel-every-event", "touchpoint"],
)
def test_transition_graph_equals_single_process(
    client: Any, frame: pd.DataFrame, level: M.Level, collapse: bool
) -> None:
    """The transition graph's nodes, edges and all their attributes (counts, distinct
    journeys, probabilities, duration statistics) equal the single-process graph."""
    want = M.transition_graph(EventLog.from_pandas(frame), level=level, collapse_repeats=collapse)
    got = td.transition_graph(
        dd.from_pandas(frame, npartitions=4), level=level, collapse_repeats=collapse
    )
    assert graph_data(got.to_networkx()) == graph_data(want.to_networkx())
    assert got == want


def test_dwell_times_equal_single_process(client: Any, frame: pd.DataFrame) -> None:
    """Dwell times per stage equal the single-process ones."""
    want = M.dwell_times(EventLog.from_pandas(frame))
    assert td.dwell_times(dd.from_pandas(frame, npartitions=3)) == want


# -- validation -----------------------------------------------------------------------------

RULES = [
    pytest.param(None, None, id="default-rules"),
    pytest.param(
        [
            V.NoSkippedStages(),
            V.MaxDwell("consideration", "3 days"),
            V.Deadline("onboarding", "activation", "2 days"),
        ],
        None,
        id="timing-rules-global-now",
    ),
    pytest.param(
        [V.Deadline("decision", "onboarding", "5 days"), V.KnownTouchpoints()],
        "2025-06-01T00:00:00Z",
        id="explicit-now",
    ),
]


@pytest.mark.parametrize(("rules", "now"), RULES)
def test_validation_equals_single_process(
    client: Any, frame: pd.DataFrame, rules: Any, now: str | None
) -> None:
    """Validation counts (per rule, edge, severity, pending, fitness numerators and
    denominators) equal the single-process report's counts; pending deadlines are judged at
    the last timestamp of all the data, as one process does."""
    log = EventLog.from_pandas(frame, journey_map=MAP)
    want = V.validate(log, MAP, rules, now=now).counts
    got = td.validate(dd.from_pandas(frame, npartitions=5), MAP, rules, now=now)
    assert got == want
    assert got.transition_fitness == want.transition_fitness


def test_every_partition_judges_deadlines_at_the_global_now(client: Any) -> None:
    """Journey a stops in onboarding on day 0; journey b's last event is on day 10. Each in
    its own partition, a's 2-day activation deadline is judged at day 10 (the last event of
    all the data), so it is a violation, not a pending check (by hand: 1 violation, 0 pending,
    1 conforming journey of 2)."""
    days = pd.to_datetime([0, 0, 1, 10], unit="D", utc=True)
    frame = pd.DataFrame(
        {
            "journey_id": ["a", "b", "b", "b"],
            "timestamp": days,
            "stage": ["onboarding", "onboarding", "activation", "activation"],
        }
    )
    ddf = by_journey_index(frame, 2)
    assert [set(ddf.partitions[i].compute()["journey_id"]) for i in range(2)] == [{"a"}, {"b"}]
    rules = [V.Deadline("onboarding", "activation", "2 days")]
    got = td.validate(ddf, MAP, rules, partitioned_by_journey=True)
    assert (got.violations, got.pending, got.conforming_journeys, got.journeys) == (1, 0, 1, 2)


# -- partitioning ---------------------------------------------------------------------------


def test_a_journey_split_across_partitions_raises(client: Any, frame: pd.DataFrame) -> None:
    """Events sorted by time, not journey, and claimed to be partitioned by journey: a
    PartitionError names a journey that really has events in the two partitions it names."""
    ddf = dd.from_pandas(frame.sort_values("timestamp", kind="stable"), npartitions=4)
    with pytest.raises(PartitionError) as caught:
        td.attribute(ddf, A.Linear(), partitioned_by_journey=True)
    found = re.search(
        r"journey '([^']+)' has events in partitions (\d+) and (\d+)", str(caught.value)
    )
    assert found is not None
    journey, first, second = found.group(1), int(found.group(2)), int(found.group(3))
    for part in (first, second):
        assert journey in set(ddf.partitions[part].compute()["journey_id"])


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda ddf: td.validate(ddf, MAP, partitioned_by_journey=True), id="validate"),
        pytest.param(
            lambda ddf: td.funnel(ddf, STEPS, count="accounts", partitioned_by_journey=True),
            id="account-funnel",
        ),
        pytest.param(lambda ddf: td.transition_graph(ddf, partitioned_by_journey=True), id="graph"),
    ],
)
def test_every_function_checks_the_promise(client: Any, frame: pd.DataFrame, call: Any) -> None:
    """Validation (with its first pass), account funnels (before reshuffling by account) and
    graphs all refuse a journey split across partitions."""
    ddf = dd.from_pandas(frame.sort_values("timestamp", kind="stable"), npartitions=3)
    with pytest.raises(PartitionError, match=r"has events in partitions"):
        call(ddf)


def by_journey_index(frame: pd.DataFrame, npartitions: int) -> Any:
    """The events partitioned by journey id ranges (as a Parquet dataset partitioned by it)."""
    indexed = frame.set_index(pd.Index(frame["journey_id"], name="jid"))
    return dd.from_pandas(indexed, npartitions=npartitions, sort=True)


def test_partitioned_input_is_used_as_it_is(client: Any, frame: pd.DataFrame) -> None:
    """Data already partitioned by journey passes the check and gives the single-process
    results, including an account funnel (accounts span partitions, so it reshuffles)."""
    ddf = by_journey_index(frame, 4)
    log = EventLog.from_pandas(frame)
    assert_same_credit(
        td.attribute(ddf, A.Markov(), partitioned_by_journey=True), A.attribute(log, A.Markov())
    )
    options: dict[str, Any] = {"count": "accounts", "window": "15 days"}
    got = td.funnel(ddf, STEPS, partitioned_by_journey=True, **options)
    assert got.counts == M.funnel(log, STEPS, **options).counts


@pytest.mark.parametrize("npartitions", [1, 3, 11], ids=["one", "three", "eleven"])
def test_results_do_not_depend_on_row_order_or_partition_count(
    client: Any, frame: pd.DataFrame, npartitions: int
) -> None:
    """With rows shuffled at random and any number of partitions, results equal the
    single-process results on the original frame (the events have no timestamp ties)."""
    log = EventLog.from_pandas(frame)
    shuffled = frame.sample(frac=1.0, random_state=npartitions)
    ddf = dd.from_pandas(shuffled, npartitions=npartitions)
    assert_same_credit(td.attribute(ddf, A.Markov()), A.attribute(log, A.Markov()))
    assert td.funnel(ddf, STEPS, window="7 days").counts == (
        M.funnel(log, STEPS, window="7 days").counts
    )
    assert td.aggregate(ddf, M.TransitionGraphCounts.from_log) == (
        M.TransitionGraphCounts.from_log(log)
    )


def test_ties_keep_the_input_order_through_the_shuffle(client: Any) -> None:
    """Events with equal timestamps are ordered as in the input (across input partitions),
    as one process reading ``ddf.compute()`` orders them: the last touch is the later row."""
    day1, day2 = pd.Timestamp("2025-01-01", tz="UTC"), pd.Timestamp("2025-01-02", tz="UTC")
    frame = pd.DataFrame(
        {
            "journey_id": ["j", "k", "j", "k", "j", "k"],
            "timestamp": [day1, day1, day1, day1, day2, day2],
            "channel": ["ads", "seo", "email", "ads", None, None],
            "converted": [False, False, False, False, True, True],
        }
    )
    # by input order j is (ads, email) and k is (seo, ads), each then converting
    want = {"ads": 1.0, "email": 1.0, "seo": 0.0}
    assert A.attribute(EventLog.from_pandas(frame), A.LastTouch()).credits() == want
    for npartitions in (2, 6):
        got = td.attribute(dd.from_pandas(frame, npartitions=npartitions), A.LastTouch())
        assert got.credits() == want


# -- reading --------------------------------------------------------------------------------


def test_text_timestamps_and_a_time_zone_are_read_per_partition(
    client: Any, frame: pd.DataFrame
) -> None:
    """Naive local times as text, with ``timezone=``, read as EventLog reads them: same
    funnel counts (including the global ``now``) as the single-process read."""
    local = frame["timestamp"].dt.tz_convert("America/New_York").dt.strftime("%Y-%m-%d %H:%M:%S")
    text = frame.assign(timestamp=local)
    want = M.funnel(EventLog.from_pandas(text, timezone="America/New_York"), STEPS, window="9 days")
    got = td.funnel(
        dd.from_pandas(text, npartitions=4), STEPS, window="9 days", timezone="America/New_York"
    )
    assert got.counts == want.counts
    assert (
        got.counts.now == M.funnel(EventLog.from_pandas(frame), STEPS, window="9 days").counts.now
    )


def test_mixed_number_and_text_ids_are_one_journey(client: Any) -> None:
    """An object id column holding 7.0 in one partition and "7" in another is one journey
    for EventLog, so the shuffle brings both rows together: the path is (ads, seo)."""
    import dask

    frame = pd.DataFrame(
        {
            "journey_id": pd.Series([7.0, "x", "7"], dtype=object),
            "timestamp": pd.to_datetime([1, 1, 2], unit="D", utc=True),
            "channel": ["ads", "ads", "seo"],
            "converted": [False, False, True],
        }
    )
    with dask.config.set({"dataframe.convert-string": False}):
        ddf = dd.from_pandas(frame, npartitions=3)
        assert ddf.dtypes["journey_id"].kind == "O"
        counts = td.aggregate(ddf, A.PathCounts.from_log)
    assert counts.rows() == [(("ads",), 0.0, 1.0, 0.0), (("ads", "seo"), 1.0, 0.0, 0.0)]


def test_categorical_ids_count_only_the_journeys_of_each_partition(
    client: Any, events: EventLog
) -> None:
    """A categorical journey id column carries all ids in every partition; each partition
    still counts only its own journeys, so the validation counts 1,200 journeys once."""
    frame = events.to_pandas()
    assert isinstance(frame["journey_id"].dtype, pd.CategoricalDtype)
    got = td.validate(dd.from_pandas(frame, npartitions=4), MAP)
    assert got.journeys == 1200
    assert got == V.validate(EventLog.from_pandas(frame, journey_map=MAP), MAP).counts


def test_each_function_reads_the_columns_it_needs(client: Any, frame: pd.DataFrame) -> None:
    """Attribution and validation with touchpath's rules do not read the cost column, so a
    negative cost does not stop them; ``aggregate`` reads every column (its function may use
    any) and refuses it, as one process does."""
    bad = frame.copy()
    bad.loc[bad.index[5], "cost"] = -1.0
    ddf = dd.from_pandas(bad, npartitions=3)
    log = EventLog.from_pandas(frame)
    assert_same_credit(td.attribute(ddf, A.LastTouch()), A.attribute(log, A.LastTouch()))
    assert td.validate(ddf, MAP) == V.validate(log, MAP).counts
    refused = r"field 'cost': must not be negative; got .*-1\.0"
    with pytest.raises(SchemaError, match=refused):
        td.aggregate(ddf, A.PathCounts.from_log)
    with pytest.raises(SchemaError, match=refused):
        td.attribute(ddf, EveryoneFirst())
    with pytest.raises(SchemaError, match=refused):
        td.validate(ddf, MAP, [OwnKnownStages()])


@attrs.frozen
class OwnKnownStages(V.KnownStages):
    """A rule of the user's own (here a copy of KnownStages): it might read any field."""


def test_bad_rows_raise_from_the_workers(client: Any, frame: pd.DataFrame) -> None:
    """A timestamp the reader refuses raises SchemaError on the client, naming the partition
    and the value."""
    bad = frame.astype({"timestamp": object})
    bad.loc[bad.index[10], "timestamp"] = "not a time"
    with pytest.raises(SchemaError, match=r"partition \d+ row \d+.*'not a time'"):
        td.attribute(dd.from_pandas(bad, npartitions=3), A.Linear())


# -- invariants -----------------------------------------------------------------------------

CHANNELS = ["ads", "email", "seo", "direct"]


@st.composite
def small_frames(draw: st.DrawFn) -> pd.DataFrame:
    """Random events: up to 8 journeys, distinct whole-second times per journey, ISO text."""
    n_journeys = draw(st.integers(1, 8))
    rows: list[dict[str, Any]] = []
    for j in range(n_journeys):
        times = draw(st.lists(st.integers(0, 10_000), min_size=1, max_size=6, unique=True))
        rows.extend(
            {
                "journey_id": f"j{j}",
                "timestamp": pd.Timestamp(1_735_689_600 + t, unit="s", tz="UTC").isoformat(),
                "channel": draw(st.sampled_from(CHANNELS)),
                "converted": draw(st.booleans()),
                "value": float(draw(st.integers(0, 100))),
            }
            for t in times
        )
    order = draw(st.permutations(range(len(rows))))
    return pd.DataFrame([rows[i] for i in order])


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=small_frames(), npartitions=st.integers(1, 4))
def test_random_events_give_single_process_results(
    client: Any, events: pd.DataFrame, npartitions: int
) -> None:
    """For random events in any row order and partition count, Linear and Markov credits and
    transition-graph counts equal the single-process ones."""
    log = EventLog.from_pandas(events)
    ddf = dd.from_pandas(events, npartitions=npartitions)
    for model in (A.Linear(), A.Markov()):
        assert_same_credit(td.attribute(ddf, model), A.attribute(log, model))
    assert td.aggregate(ddf, M.TransitionGraphCounts.from_log, partitioned_by_journey=False) == (
        M.TransitionGraphCounts.from_log(log)
    )

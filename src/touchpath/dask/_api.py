"""The distributed functions: attribution, validation, funnels and transition graphs on Dask."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from .._deprecation import renamed
from .._log import EventLog
from .._map import JourneyMap
from .._paths import ByLike, Collapse, PathCounts, PathPolicy, item_index
from .._progress import ProgressLike, accepts_progress
from .._schema import Field, Schema
from .._time import DurationLike, to_datetime
from ..attribution import AttributionResult
from ..attribution import attribute as attribute_log
from ..exceptions import ConfigError, UnsupportedInputError
from ..metrics import (
    CountUnit,
    DwellTimes,
    FunnelCounts,
    FunnelOrder,
    FunnelResult,
    Level,
    TransitionGraph,
    TransitionGraphCounts,
)
from ..metrics import dwell_times as dwell_times_of
from ..typing import Aggregate, AttributionModel, CountingModel
from ..validation import ValidationCounts
from ._engine import Reader, by_account, by_journey, check_frame, run

if TYPE_CHECKING:
    from .._level import LevelLike
    from ..attribution._attribute import CollapseLike
    from ..metrics._funnel import CountUnitLike, FunnelOrderLike
    from ..validation import TransitionRule

__all__ = [
    "aggregate",
    "attribute",
    "dwell_times",
    "funnel",
    "transition_graph",
    "validate",
]

T = TypeVar("T")
_F64 = npt.NDArray[np.float64]


@attrs.frozen
class _Data:
    """The events to read: the input (only the columns read) and how to read them."""

    raw: Any
    """The input frame, with only the schema's columns that are read."""
    reader: Reader
    partitioned: bool
    """Whether the caller promised that each journey's events are in one partition."""
    verify: bool
    """Whether that promise is still to be checked."""

    @classmethod
    def of(
        cls,
        ddf: Any,
        schema: Schema | None,
        journey_map: JourneyMap | None,
        timezone: str | dt.tzinfo | None,
        partitioned_by_journey: bool,
        fields: frozenset[Field] | None,
    ) -> _Data:
        """Check the arguments and the frame; read ``fields`` only (None: every field)."""
        if not isinstance(partitioned_by_journey, bool):
            raise ConfigError(
                f"'partitioned_by_journey' must be True or False; got {partitioned_by_journey!r}"
            )
        if schema is not None and not isinstance(schema, Schema):
            raise ConfigError(f"'schema' must be a touchpath.Schema; got {schema!r}")
        if journey_map is not None and not isinstance(journey_map, JourneyMap):
            raise UnsupportedInputError(
                f"'journey_map' must be a JourneyMap; got {type(journey_map).__name__}"
            )
        reader = Reader(schema or Schema(), journey_map, timezone).reading(fields)
        check_frame(ddf, reader.schema)
        return cls(reader.columns(ddf), reader, partitioned_by_journey, partitioned_by_journey)

    @property
    def journeys(self) -> Any:
        """The frame with every journey in one partition (shuffled unless promised)."""
        return by_journey(self.raw, self.reader.schema, partitioned=self.partitioned)

    def reduce(self, count: Callable[[EventLog], T], *, split_every: int = 8) -> T:
        """``count`` per partition of :attr:`journeys`, merged (checking a promise)."""
        return run(self.journeys, self.reader, count, verify=self.verify, split_every=split_every)

    def last(self) -> tuple[int | None, _Data]:
        """The last timestamp of all the data (µs), and the data (a promise maybe checked).

        An aware datetime column needs no reading: Dask's ``max`` of it is
        exact (a time the reader would refuse fails the main pass anyway).
        Other columns are read by the survey, with touchpath's parsers.
        """
        column = self.raw[self.reader.schema.timestamp]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            latest = column.max().compute()
            return (None if pd.isna(latest) else int(latest.value) // 1000), self
        survey, data = self.survey(names=False)
        return survey.last, data

    def survey(self, *, names: bool, check: bool = False) -> tuple[_Survey, _Data]:
        """The last timestamp (and the names at each level) of all the data, in one pass.

        Journeys need not be whole for that, so the input is read as it is,
        with the fields that decide what an event is only and without the
        journey ids, unless ``check`` asks to check a promise of journey
        partitioning on the way. Returns the data with the promise checked.
        """
        reader = self.reader.reading(frozenset())
        verify = self.verify and check
        if not verify:  # no ids needed: read the times (and names) only
            reader = attrs.evolve(reader, journeys=False)
        survey = run(reader.columns(self.raw), reader, _Surveyor(names), verify=verify)
        return survey, attrs.evolve(self, verify=self.verify and not verify)


@accepts_progress("aggregating on Dask")
def aggregate(
    ddf: Any,
    count: Callable[[EventLog], T],
    *,
    schema: Schema | None = None,
    journey_map: JourneyMap | None = None,
    timezone: str | dt.tzinfo | None = None,
    partitioned_by_journey: bool = False,
    split_every: int = 8,
    progress: ProgressLike = None,
) -> T:
    """Reduce a Dask DataFrame of events to one mergeable aggregate.

    The events are partitioned by journey (shuffled on the journey id, unless
    ``partitioned_by_journey=True`` promises that each journey's events are
    already in one partition: the promise is checked, and a journey found in
    two partitions raises :class:`~touchpath.exceptions.PartitionError`).
    Each partition is read as ``EventLog.from_pandas(partition, schema=...,
    journey_map=..., timezone=...)``, ``count(log)`` runs on the workers, and
    the results are merged with ``+`` in a tree of ``split_every`` pieces per
    merge. Any aggregate with ``+`` works: ``PathCounts.from_log``,
    ``TransitionCounts.from_log``, ``functools.partial(FunnelCounts.from_log,
    steps=..., level=..., now=...)``, ... (``count`` travels to the workers
    with cloudpickle, so a lambda works too). The aggregate must add up over
    disjoint sets of journeys, and options such as ``now`` must be the same
    for every partition.

    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from touchpath.attribution import PathCounts
    >>> events = pd.DataFrame({
    ...     "journey_id": ["a", "b", "a", "b"],
    ...     "timestamp": pd.to_datetime([1, 1, 2, 2], unit="D", utc=True),
    ...     "channel": ["ads", "seo", "email", "email"],
    ...     "converted": [False, False, True, False]})
    >>> counts = aggregate(dd.from_pandas(events, npartitions=2), PathCounts.from_log)
    >>> counts.rows()
    [(('ads', 'email'), 1.0, 0.0, 0.0), (('seo', 'email'), 0.0, 1.0, 0.0)]
    """
    data = _Data.of(ddf, schema, journey_map, timezone, partitioned_by_journey, None)
    return data.reduce(count, split_every=split_every)


# -- attribution ----------------------------------------------------------------------------


@attrs.frozen(eq=False)
class _CreditSums:
    """The per-item credit sums of per-path models: they add across partitions."""

    model: str
    level: Field | None
    items: tuple[str, ...]
    conversions: _F64
    values: _F64
    total_conversions: float
    total_value: float
    unattributed: float
    unattributed_value: float

    @classmethod
    def of(cls, r: AttributionResult) -> _CreditSums:
        return cls(
            r.model,
            r.level,
            r.items,
            r.conversions,
            r.values,
            r.total_conversions,
            r.total_value,
            r.unattributed,
            r.unattributed_value,
        )

    def __add__(self, other: _CreditSums) -> _CreditSums:
        items = tuple(sorted(set(self.items) | set(other.items)))
        conversions = np.zeros(len(items))
        values = np.zeros(len(items))
        for part in (self, other):
            index = item_index(part.items, items)
            conversions[index] += part.conversions
            values[index] += part.values
        return _CreditSums(
            self.model,
            self.level if self.level is not None else other.level,
            items,
            conversions,
            values,
            self.total_conversions + other.total_conversions,
            self.total_value + other.total_value,
            self.unattributed + other.unattributed,
            self.unattributed_value + other.unattributed_value,
        )

    def result(self) -> AttributionResult:
        return AttributionResult(
            model=self.model,
            level=self.level,
            items=self.items,
            conversions=self.conversions,
            values=self.values,
            total_conversions=self.total_conversions,
            total_value=self.total_value,
            unattributed=self.unattributed,
            unattributed_value=self.unattributed_value,
        )


@attrs.frozen(eq=False)
class _Named(Generic[T]):
    """An aggregate with the names of the credited attribute seen (items without credit too)."""

    value: T
    names: frozenset[str]

    def __add__(self, other: _Named[T]) -> _Named[T]:
        total: T = self.value + other.value  # type: ignore[operator]
        return _Named(total, self.names | other.names)


@attrs.frozen
class _Policy:
    """The path policy as the readers take it (``PathPolicy`` keeps the lookback in µs)."""

    level: Field
    collapse: Collapse
    lookback: dt.timedelta | None

    @classmethod
    def of(
        cls, level: ByLike | None, collapse: CollapseLike | None, lookback: DurationLike | None
    ) -> _Policy:
        p = PathPolicy(
            level=level if level is not None else Field.CHANNEL,
            collapse=collapse if collapse is not None else Collapse.NONE,
            lookback=lookback,
        )
        window = None if p.lookback is None else dt.timedelta(microseconds=p.lookback)
        return cls(p.level, p.collapse, window)


@attrs.frozen
class _PerPath:
    """Per partition: run a per-path model and keep its credit sums."""

    model: AttributionModel
    policy: _Policy

    def __call__(self, log: EventLog) -> _CreditSums:
        p = self.policy
        return _CreditSums.of(
            attribute_log(log, self.model, level=p.level, collapse=p.collapse, lookback=p.lookback)
        )


@attrs.frozen
class _Counts:
    """Per partition: the count table a global model is solved from, with the item names."""

    model: CountingModel | None
    """The model whose table to count; None for path counts (every other global model)."""
    policy: _Policy

    def __call__(self, log: EventLog) -> _Named[Any]:
        p = self.policy
        names = frozenset(log.codes_and_names(p.level)[1])
        value: Aggregate
        if self.model is None:
            value = PathCounts.from_log(
                log, level=p.level, collapse=p.collapse, lookback=p.lookback
            )
        else:
            value = self.model.counts(log, level=p.level, collapse=p.collapse, lookback=p.lookback)
        return _Named(value, names)


def _with_items(result: AttributionResult, names: frozenset[str]) -> AttributionResult:
    """The result listing every name of the credited attribute (0 where no credit)."""
    items = tuple(sorted(set(result.items) | names))
    if items == result.items:
        return result
    index = np.searchsorted(np.asarray(items, dtype=object), np.asarray(result.items, dtype=object))
    index = np.asarray(index, dtype=np.int64)

    def spread(a: _F64) -> _F64:
        out = np.zeros(len(items))
        out[index] = a
        return out

    return attrs.evolve(
        result,
        items=items,
        conversions=spread(result.conversions),
        values=spread(result.values),
        weights=None if result.weights is None else spread(result.weights),
    )


@accepts_progress("attributing on Dask")
@renamed(by="level")
def attribute(
    ddf: Any,
    model: AttributionModel,
    *,
    level: ByLike | None = None,
    collapse: CollapseLike | None = None,
    lookback: DurationLike | None = None,
    schema: Schema | None = None,
    journey_map: JourneyMap | None = None,
    timezone: str | dt.tzinfo | None = None,
    partitioned_by_journey: bool = False,
    progress: ProgressLike = None,
) -> AttributionResult:
    """Credit conversions and value on a Dask DataFrame of events, as :func:`touchpath.attribute`.

    The result equals ``touchpath.attribute(EventLog.from_pandas(ddf.compute(),
    schema=..., journey_map=..., timezone=...), model, level=..., collapse=...,
    lookback=...)`` (credits up to float rounding), without collecting the
    events: rule-based models (``per_path``) run entirely on the workers and
    only their per-item credit sums are merged; :class:`~touchpath.attribution.Markov`
    and :class:`~touchpath.attribution.Shapley` merge their count tables
    (:class:`~touchpath.attribution.TransitionCounts`,
    :class:`~touchpath.attribution.CoalitionCounts`) and solve once on the
    client; any other model is run once on the merged
    :class:`~touchpath.PathCounts` (so it must not need timestamps). The
    result has no journeys to :meth:`~touchpath.AttributionResult.explain`.
    touchpath's own models read the columns that make events and touches,
    the value and the credited field only; a model of your own reads every
    column of the schema.

    Partitioning by journey is as in :func:`aggregate`.

    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from touchpath.attribution import Linear, Markov
    >>> events = pd.DataFrame({
    ...     "journey_id": ["a", "a", "b", "b"],
    ...     "timestamp": pd.to_datetime([1, 2, 1, 2], unit="D", utc=True),
    ...     "channel": ["ads", "seo", "seo", "seo"],
    ...     "converted": [False, True, False, False],
    ...     "value": [0.0, 80.0, 0.0, 0.0]})
    >>> ddf = dd.from_pandas(events, npartitions=2)
    >>> attribute(ddf, Linear()).credits(value=True)
    {'ads': 40.0, 'seo': 40.0}
    >>> {k: round(v, 6) for k, v in attribute(ddf, Markov()).credits().items()}
    {'ads': 0.333333, 'seo': 0.666667}
    """
    if not isinstance(model, AttributionModel):
        raise ConfigError(
            f"'model' must be an attribution model (an object with credit(paths)); got {model!r}"
        )
    policy = _Policy.of(level, collapse, lookback)
    # shipped models read the credited field and the value only; others may read anything
    fields = frozenset({policy.level, Field.VALUE}) if _shipped(model) else None
    data = _Data.of(ddf, schema, journey_map, timezone, partitioned_by_journey, fields)
    if getattr(model, "per_path", False) is True:
        return data.reduce(_PerPath(model, policy)).result()
    counting = model if isinstance(model, CountingModel) else None
    named = data.reduce(_Counts(counting, policy))
    return _with_items(attribute_log(named.value, model), named.names)


# -- a first pass: the last timestamp and the names at each level --------------------------

_LEVELS = (Level.STAGE, Level.TOUCHPOINT, Level.CHANNEL)


@attrs.frozen
class _Survey:
    """What a funnel or a validation must know about all the data before counting it."""

    last: int | None
    names: tuple[frozenset[str], ...]

    def __add__(self, other: _Survey) -> _Survey:
        lasts = [t for t in (self.last, other.last) if t is not None]
        return _Survey(
            max(lasts) if lasts else None,
            tuple(a | b for a, b in zip(self.names, other.names, strict=True)),
        )

    def vocabulary(self) -> EventLog:
        """A tiny log with every name seen at each level (to resolve funnel steps)."""
        return EventLog.from_records(
            [
                {"journey_id": "names", "timestamp": 0, level.value: name}
                for level, names in zip(_LEVELS, self.names, strict=True)
                for name in sorted(names)
            ]
        )


@attrs.frozen
class _Surveyor:
    names: bool

    def __call__(self, log: EventLog) -> _Survey:
        last = int(log.timestamps.max()) if log.n_events else None
        if not self.names:
            return _Survey(last, (frozenset(),) * len(_LEVELS))
        return _Survey(last, tuple(frozenset(log.codes_and_names(lv.field)[1]) for lv in _LEVELS))


def _shipped(thing: object) -> bool:
    """Whether a model or rule is one of touchpath's own (so what it reads is known)."""
    return type(thing).__module__.startswith(("touchpath.attribution.", "touchpath.validation."))


def _instant(us: int | None) -> dt.datetime | None:
    return None if us is None else to_datetime(us)


# -- validation -----------------------------------------------------------------------------


@attrs.frozen
class _Validate:
    journey_map: JourneyMap
    rules: tuple[TransitionRule, ...] | None
    now: Any

    def __call__(self, log: EventLog) -> ValidationCounts:
        return ValidationCounts.from_log(log, self.journey_map, self.rules, now=self.now)


@accepts_progress("validating on Dask")
def validate(
    ddf: Any,
    journey_map: JourneyMap,
    rules: Sequence[TransitionRule] | None = None,
    *,
    now: dt.datetime | str | int | float | None = None,
    schema: Schema | None = None,
    timezone: str | dt.tzinfo | None = None,
    partitioned_by_journey: bool = False,
    progress: ProgressLike = None,
) -> ValidationCounts:
    """Validate a Dask DataFrame of events against a map: the merged :class:`ValidationCounts`.

    The counts equal ``validate(EventLog.from_pandas(ddf.compute(),
    journey_map=journey_map, ...), journey_map, rules, now=now).counts``
    (violations per rule, edge and severity, pending checks, unknown stages,
    and the fitness numerators and denominators, so both fitness scores are
    exact). ``now`` defaults to the last timestamp of *all* the data, found
    first (Dask's maximum of an aware datetime column, else a pass reading
    the timestamps), so that every partition judges deadlines at the same
    time; pass it to skip that. Rules must judge each journey on its own
    (every shipped rule does); with touchpath's rules only the columns that
    make events are read, with a rule of your own every column. The map
    also fills a missing channel or stage from the event's touchpoint when
    reading, as in :meth:`EventLog.from_pandas`.

    Partitioning by journey is as in :func:`aggregate`.

    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from touchpath import templates
    >>> events = pd.DataFrame({
    ...     "journey_id": ["a", "a", "b", "b"],
    ...     "timestamp": pd.to_datetime([1, 2, 1, 2], unit="D", utc=True),
    ...     "stage": ["awareness", "consideration", "awareness", "decision"]})
    >>> counts = validate(dd.from_pandas(events, npartitions=2), templates.get("b2b_five_stage"))
    >>> (counts.journeys, counts.violations, counts.journey_fitness)
    (2, 1, Ratio(1/2 = 0.5))
    """
    if not isinstance(journey_map, JourneyMap):
        raise UnsupportedInputError(
            f"validate needs a JourneyMap to validate against; got {type(journey_map).__name__}"
        )
    checked = None if rules is None else tuple(rules)
    # the rules and now are checked on the client, against an empty log, before any work
    ValidationCounts.from_log(EventLog.from_records([]), journey_map, checked, now=now)
    # the shipped rules read the fields that make events and touches only
    mine = checked is None or all(_shipped(rule) for rule in checked)
    fields: frozenset[Field] | None = frozenset() if mine else None
    data = _Data.of(ddf, schema, journey_map, timezone, partitioned_by_journey, fields)
    if now is None:
        last, data = data.last()
        now = _instant(last)
    return data.reduce(_Validate(journey_map, checked, now))


# -- funnels and transition graphs ----------------------------------------------------------


@attrs.frozen
class _Funnel:
    spec: FunnelCounts

    def __call__(self, log: EventLog) -> FunnelCounts:
        return self.spec._recount(log)


@accepts_progress("funnel on Dask")
@renamed(by="breakdown")
def funnel(
    ddf: Any,
    steps: Sequence[str] | None = None,
    *,
    journey_map: JourneyMap | None = None,
    level: LevelLike | None = None,
    order: FunnelOrderLike = FunnelOrder.SEQUENTIAL,
    window: DurationLike | None = None,
    count: CountUnitLike = CountUnit.JOURNEYS,
    breakdown: Field | str | None = None,
    now: Any = None,
    schema: Schema | None = None,
    timezone: str | dt.tzinfo | None = None,
    partitioned_by_journey: bool = False,
    progress: ProgressLike = None,
) -> FunnelResult:
    """A funnel over a Dask DataFrame of events, as :func:`touchpath.metrics.funnel`.

    The result (and its mergeable :attr:`~touchpath.metrics.FunnelResult.counts`)
    equals ``funnel(EventLog.from_pandas(ddf.compute(), journey_map=...), steps,
    ...)``. What must be the same for every partition is settled first, in
    one pass over the data at most: ``now`` (with a ``window``, default
    the last timestamp of all the data) and the steps' level when it is left
    out (or checked against a ``journey_map``). For ``count="accounts"`` the
    events are shuffled a second time, so that all journeys of an account
    are counted in one partition (a journey counts for the first account
    among its events). The map also fills a missing channel or stage from
    the event's touchpoint when reading.

    Partitioning by journey is as in :func:`aggregate`.

    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "journey_id": ["a", "a", "b", "c", "c"],
    ...     "timestamp": pd.to_datetime([1, 2, 1, 1, 5], unit="D", utc=True),
    ...     "stage": ["visit", "trial", "visit", "visit", "trial"]})
    >>> f = funnel(dd.from_pandas(events, npartitions=2), ["visit", "trial"], window="2 days")
    >>> [(s.step, s.reached) for s in f.steps], f.conversion
    ([('visit', 3), ('trial', 1)], Ratio(1/3 = 0.333...))
    """
    vocabulary = EventLog.from_records([])
    # check the definition on the client before any work (only the steps' level needs data)
    if steps is None:
        FunnelCounts.from_log(vocabulary, None, journey_map=journey_map, level=level)
    zero = FunnelCounts.zero(
        steps if steps is not None else journey_map.stage_ids if journey_map is not None else (),
        level=level if level is not None else Level.STAGE,
        order=order,
        window=window,
        count=count,
        breakdown=breakdown,
        now=now,
    )
    accounts = zero.count is CountUnit.ACCOUNTS
    fields = frozenset(
        f for f in (zero.breakdown, Field.ACCOUNT if accounts else None) if f is not None
    )
    data = _Data.of(ddf, schema, journey_map, timezone, partitioned_by_journey, fields)
    need_last = window is not None and now is None
    need_names = steps is not None and (level is None or journey_map is not None)
    # an account funnel reshuffles by account: a promise is checked before that
    if need_names or (accounts and data.verify):
        survey, data = data.survey(names=need_names, check=accounts)
        if need_last:
            now = _instant(survey.last)
        vocabulary = survey.vocabulary()
    elif need_last:
        last, data = data.last()
        now = _instant(last)
    # resolving the steps on every name seen gives the single-process errors and choices
    spec = FunnelCounts.from_log(
        vocabulary,
        steps,
        journey_map=journey_map,
        level=level,
        order=order,
        window=window,
        count=count,
        breakdown=breakdown,
        now=now,
    )
    if accounts:  # every account's journeys in one partition: a second shuffle
        grouped = by_account(data.journeys, data.reader)
        counts = run(grouped, data.reader, _Funnel(spec), verify=False)
    else:
        counts = data.reduce(_Funnel(spec))
    return FunnelResult.from_counts(counts)


@attrs.frozen
class _Graph:
    level: Level
    collapse_repeats: bool

    def __call__(self, log: EventLog) -> TransitionGraphCounts:
        return TransitionGraphCounts.from_log(
            log, level=self.level, collapse_repeats=self.collapse_repeats
        )


def _graph_counts(
    ddf: Any,
    level: LevelLike,
    collapse_repeats: bool,
    schema: Schema | None,
    journey_map: JourneyMap | None,
    timezone: str | dt.tzinfo | None,
    partitioned_by_journey: bool,
) -> TransitionGraphCounts:
    zero = TransitionGraphCounts.zero(level=level, collapse_repeats=collapse_repeats)
    data = _Data.of(ddf, schema, journey_map, timezone, partitioned_by_journey, frozenset())
    return data.reduce(_Graph(zero.level, zero.collapse_repeats))


@accepts_progress("transition graph on Dask")
def transition_graph(
    ddf: Any,
    *,
    level: LevelLike = Level.STAGE,
    collapse_repeats: bool = True,
    schema: Schema | None = None,
    journey_map: JourneyMap | None = None,
    timezone: str | dt.tzinfo | None = None,
    partitioned_by_journey: bool = False,
    progress: ProgressLike = None,
) -> TransitionGraph:
    """The observed transition graph of a Dask DataFrame, as :func:`~touchpath.transition_graph`.

    Built from the merged :class:`~touchpath.metrics.TransitionGraphCounts`
    (counts, distinct journeys and duration digests add exactly across
    partitions). Partitioning by journey is as in :func:`aggregate`.

    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "journey_id": ["a", "a", "b", "b"],
    ...     "timestamp": pd.to_datetime([0, 60, 0, 30], unit="m", utc=True),
    ...     "stage": ["visit", "trial", "visit", "trial"]})
    >>> g = transition_graph(dd.from_pandas(events, npartitions=2))
    >>> [(e.count, str(e.median_duration)) for e in g.edges]
    [(2, '0:45:00')]
    """
    counts = _graph_counts(
        ddf, level, collapse_repeats, schema, journey_map, timezone, partitioned_by_journey
    )
    return TransitionGraph(counts)


@accepts_progress("dwell times on Dask")
def dwell_times(
    ddf: Any,
    *,
    level: LevelLike = Level.STAGE,
    schema: Schema | None = None,
    journey_map: JourneyMap | None = None,
    timezone: str | dt.tzinfo | None = None,
    partitioned_by_journey: bool = False,
    progress: ProgressLike = None,
) -> DwellTimes:
    """Dwell times per stage (or touchpoint, or channel), as :func:`touchpath.metrics.dwell_times`.

    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "journey_id": ["a", "a", "b", "b"],
    ...     "timestamp": pd.to_datetime([0, 2, 0, 4], unit="h", utc=True),
    ...     "stage": ["trial", "paid", "trial", "paid"]})
    >>> str(dwell_times(dd.from_pandas(events, npartitions=2))["trial"].durations.median)
    '3:00:00'
    """
    counts = _graph_counts(ddf, level, True, schema, journey_map, timezone, partitioned_by_journey)
    return dwell_times_of(counts)

"""KPI scorecards: a journey map's stage KPIs against measured values."""

from __future__ import annotations

import enum
import math
import numbers
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, overload

import attrs
import numpy as np

from .._columns import Columns, columns_from_rows
from .._model import KPI
from .._table import Column, ColumnKind, Table, TableViews
from ..exceptions import ConfigError, NotFoundError, UndefinedResultWarning, UnsupportedInputError
from ._measure import measure
from ._ratio import Ratio

if TYPE_CHECKING:
    from .._log import EventLog
    from .._map import JourneyMap
    from ..report import Section

__all__ = ["KPIScore", "KPIStatus", "Scorecard", "scorecard"]


class KPIStatus(enum.StrEnum):
    """Where a KPI stands against its target.

    >>> KPIStatus.NOT_MET.value
    'not_met'
    """

    MET = "met"
    """Measured, and meets the target."""
    NOT_MET = "not_met"
    """Measured, and misses the target."""
    NO_TARGET = "no_target"
    """Measured, but the KPI has no target."""
    UNDEFINED = "undefined"
    """Measured as undefined (a Ratio with a zero denominator, or NaN)."""
    UNMEASURED = "unmeasured"
    """No measured value given."""


@attrs.frozen
class KPIScore:
    """One KPI of a scorecard: target, actual, met or not, gap.

    >>> from touchpath import templates
    >>> s = scorecard(templates.get("pay_per_call_marketplace"), {"nps": 42})["nps"]
    >>> (s.id, s.target, s.actual, s.met, s.gap, s.status.value)
    ('nps', 50.0, 42.0, False, -8.0, 'not_met')
    """

    kpi: KPI
    """The KPI, with its stage, target, direction and unit."""
    measured: float | Ratio | None
    """The value given for it (None when not measured)."""
    actual: float | None
    """The measured value as a number (None when unmeasured or undefined)."""
    met: bool | None
    """Whether the actual meets the target (None without a target or an actual)."""
    gap: float | None
    """``actual - target``: above 0 is above the target (good for at-least KPIs, bad for
    at-most ones such as churn); None without a target or an actual."""
    status: KPIStatus
    """Met, not met, no target, undefined or unmeasured."""
    reason: str | None = None
    """Why the KPI is unmeasured or undefined (None when it has a value)."""

    @property
    def id(self) -> str:
        """The KPI id.

        >>> from touchpath import templates
        >>> scorecard(templates.get("pay_per_call_marketplace"), {}).scores[0].id
        'organic_traffic_growth_qoq'
        """
        return self.kpi.id

    @property
    def target(self) -> float | None:
        """The KPI's target.

        >>> from touchpath import templates
        >>> scorecard(templates.get("pay_per_call_marketplace"), {})["monthly_churn"].target
        0.05
        """
        return self.kpi.target


@attrs.frozen
class Scorecard(TableViews):
    """Every KPI of a journey map, scored; see :func:`scorecard`.

    >>> from touchpath import templates
    >>> card = scorecard(templates.get("pay_per_call_marketplace"), {"nps": 55})
    >>> (card.map_name, len(card), card["nps"].status.value)
    ('pay_per_call_marketplace', 19, 'met')
    """

    map_name: str
    """Name of the journey map."""
    scores: tuple[KPIScore, ...]
    """One score per KPI, in canonical stage order."""

    def __getitem__(self, kpi_id: str) -> KPIScore:
        for s in self.scores:
            if s.kpi.id == kpi_id:
                return s
        raise NotFoundError("KPI", kpi_id, choices=[s.kpi.id for s in self.scores])

    def __len__(self) -> int:
        return len(self.scores)

    @property
    def unmeasured(self) -> tuple[str, ...]:
        """Ids of the KPIs without a measured value.

        >>> from touchpath import templates
        >>> scorecard(templates.get("pay_per_call_marketplace"), {}).unmeasured[:2]
        ('organic_traffic_growth_qoq', 'trial_signup_rate')
        """
        return tuple(s.id for s in self.scores if s.status is KPIStatus.UNMEASURED)

    @property
    def met(self) -> tuple[str, ...]:
        """Ids of the KPIs that meet their target.

        >>> from touchpath import templates
        >>> scorecard(templates.get("pay_per_call_marketplace"), {"nps": 70}).met
        ('nps',)
        """
        return tuple(s.id for s in self.scores if s.status is KPIStatus.MET)

    @property
    def not_met(self) -> tuple[str, ...]:
        """Ids of the KPIs that miss their target.

        >>> from touchpath import templates
        >>> scorecard(templates.get("pay_per_call_marketplace"), {"monthly_churn": 0.1}).not_met
        ('monthly_churn',)
        """
        return tuple(s.id for s in self.scores if s.status is KPIStatus.NOT_MET)

    def to_table(self, *, measured_only: bool = False) -> Table:
        """One row per KPI (with ``measured_only``, per KPI with a value): stage, id,
        name, unit, direction, target, actual, met, gap, status. Values are in the KPI's
        unit (rates as fractions, times in hours or days, as the ``unit`` column says);
        undefined where not measured.

        >>> from touchpath import templates
        >>> card = scorecard(templates.get("pay_per_call_marketplace"), {"nps": 62})
        >>> row = card.to_pandas().set_index("kpi").loc["nps"]
        >>> (float(row["target"]), float(row["actual"]), bool(row["met"]), row["status"])
        (50.0, 62.0, True, 'met')
        >>> print(" ".join(next(x for x in str(card).splitlines() if "promoter" in x).split()))
        retention Net promoter score at_least 50 62 +12 met
        """
        if not measured_only:
            return self._table(self.scores, self._display_summary())
        measured = [s for s in self.scores if s.status is not KPIStatus.UNMEASURED]
        note = self._display_summary()
        if not measured:
            note = f"no KPI could be measured: {self._empty_reason()}"
        return self._table(measured, note)

    def _table(self, scores: Sequence[KPIScore], note: str) -> Table:
        quantity = ColumnKind.QUANTITY
        shown = [
            Column("stage"),
            Column("kpi", "KPI", shown=False),
            Column("name", "KPI"),
            Column("unit", shown=False),
            Column("direction"),
            Column("target", kind=quantity, unit_of="unit"),
            Column("actual", kind=quantity, unit_of="unit"),
            Column("gap", kind=quantity, unit_of="unit", signed=True),
            Column("status"),
        ]
        return Table.from_columns(
            self._columns(scores),
            shown,
            name="kpis",
            note=note,
            source="Scorecard",
        )

    def _columns(self, scores: Sequence[KPIScore]) -> Columns:
        rows = [
            {
                "stage": s.kpi.stage,
                "kpi": s.kpi.id,
                "name": s.kpi.name,
                "unit": s.kpi.unit.value,
                "direction": s.kpi.direction.value,
                "target": s.kpi.target,
                "actual": s.actual,
                "met": s.met,
                "gap": s.gap,
                "status": s.status.value,
            }
            for s in scores
        ]
        columns = columns_from_rows(rows, float_columns=("target", "actual", "gap"))
        if "met" in columns:  # nullable: None where unmeasured
            columns["met"] = np.ma.MaskedArray(
                np.array([bool(m) for m in columns["met"]], dtype=np.bool_),
                mask=np.array([m is None for m in columns["met"]], dtype=np.bool_),
            )
        return columns

    # -- notebook and report display (touchpath._repr, touchpath.report) -----------------------

    def __repr__(self) -> str:
        return (
            f"<Scorecard {self.map_name!r}: {len(self.scores)} KPIs, {len(self.met)} met, "
            f"{len(self.not_met)} not met, {len(self.unmeasured)} unmeasured>"
        )

    def _display_summary(self) -> str:
        return (
            f"{self.map_name!r}: {len(self.scores)} KPIs; {len(self.met)} met, "
            f"{len(self.not_met)} not met, {len(self.unmeasured)} unmeasured"
        )

    def report_section(self, *, title: str | None = None) -> Section:
        """The measured KPIs as a :class:`touchpath.report.Section`; unmeasured ones in its note.

        >>> from touchpath import templates
        >>> card = scorecard(templates.get("pay_per_call_marketplace"), {"nps": 55})
        >>> section = card.report_section()
        >>> section.body.count("<tr>"), section.note.startswith("'pay_per_call_marketplace'")
        (2, True)
        """
        from ..report import Section

        title = title or "KPI scorecard"
        note = self._display_summary()
        if not any(s.actual is not None for s in self.scores):
            return Section.text(
                title,
                f"No KPI could be measured, so there is nothing to score: {self._empty_reason()}.",
                note=note,
            )
        if self.unmeasured:
            note += ". Not measured: " + "; ".join(
                f"{s.id} ({s.reason})" if s.reason else s.id
                for s in self.scores
                if s.status is KPIStatus.UNMEASURED
            )
        return attrs.evolve(self.to_table(measured_only=True), note=note).report_section(
            title=title
        )

    def _empty_reason(self) -> str:
        """Why no KPI has a value: the reasons, each with the KPIs it applies to."""
        if not self.scores:
            return f"the map {self.map_name!r} declares no KPIs"
        by_reason: dict[str, list[str]] = {}
        for s in self.scores:
            by_reason.setdefault(s.reason or s.status.value, []).append(s.id)
        return "; ".join(f"{why} ({', '.join(ids)})" for why, ids in by_reason.items())


def _actual(kpi_id: str, value: object) -> tuple[float | Ratio | None, float | None]:
    """The given value and its number (None when undefined)."""
    if value is None:
        return None, None
    if isinstance(value, Ratio):
        return value, value.value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(
            f"measured value of KPI {kpi_id!r} must be a number, a Ratio or None; got {value!r}"
        )
    number = float(value)
    if math.isinf(number):
        raise ConfigError(f"measured value of KPI {kpi_id!r} must be finite; got {value!r}")
    return number, None if math.isnan(number) else number


@overload
def scorecard(
    log: EventLog,
    journey_map: JourneyMap,
    measured: Mapping[str, float | Ratio | None] | None = None,
) -> Scorecard: ...


@overload
def scorecard(
    log: JourneyMap,
    journey_map: Mapping[str, float | Ratio | None],
    measured: None = None,
) -> Scorecard: ...


def scorecard(
    log: EventLog | JourneyMap,
    journey_map: JourneyMap | Mapping[str, float | Ratio | None],
    measured: Mapping[str, float | Ratio | None] | None = None,
) -> Scorecard:
    """Score every KPI of a journey map: measured from an event log, or from given values.

    ``scorecard(log, journey_map)`` measures every KPI that carries a
    :mod:`~touchpath.measurements` measurement from the log, for any map;
    values in ``measured`` (keyed by KPI id) are added and take precedence.
    A KPI without a measurement, or whose measurement needs stages,
    touchpoints or columns the log lacks, is listed as unmeasured with the
    reason (:attr:`KPIScore.reason`); one the data gives no value for (a
    Ratio with a zero denominator) scores ``UNDEFINED``, never 0. When no
    KPI at all gets a value, :class:`~touchpath.exceptions.UndefinedResultWarning`
    is issued. ``scorecard(journey_map, measured)`` scores given values only.

    For each KPI (canonical stage order): the target, the actual value
    (a number, or a :class:`Ratio` from the metrics functions), whether it
    meets the target (``>=`` for at-least KPIs, ``<=`` for at-most ones
    such as churn) and the gap ``actual - target``. A key of ``measured``
    that is no KPI of the map raises :class:`~touchpath.exceptions.NotFoundError`
    (so a typo cannot silently drop a measurement).

    >>> from touchpath import datasets, templates
    >>> m = templates.get("pay_per_call_marketplace")
    >>> card = scorecard(datasets.sample(), m)
    >>> card["trial_to_paid"].status.value, card["nps"].reason
    ('not_met', 'no measurement declared (event data alone cannot measure it)')
    >>> from touchpath.metrics import Ratio
    >>> card = scorecard(m, {
    ...     "trial_to_paid": Ratio(30, 100), "monthly_churn": 0.062, "nps": Ratio(0, 0)})
    >>> [(s.id, s.status.value) for s in card.scores if s.measured is not None]
    [('trial_to_paid', 'met'), ('monthly_churn', 'not_met'), ('nps', 'undefined')]
    >>> round(card["monthly_churn"].gap, 3), len(card.unmeasured)
    (0.012, 16)
    """
    from .._log import EventLog
    from .._map import JourneyMap

    events: EventLog | None = None
    if isinstance(log, EventLog):
        events = log
        if not isinstance(journey_map, JourneyMap):
            raise UnsupportedInputError(
                "scorecard(log, journey_map) needs the JourneyMap whose KPIs it measures; "
                f"got {type(journey_map).__name__}"
            )
        given: Mapping[str, float | Ratio | None] = measured or {}
        the_map = journey_map
    elif isinstance(log, JourneyMap):
        the_map = log
        if isinstance(journey_map, JourneyMap) or measured is not None:
            raise UnsupportedInputError(
                "scorecard takes (log, journey_map) or (journey_map, measured values)"
            )
        given = journey_map
    else:
        raise UnsupportedInputError(
            "scorecard needs an EventLog and the JourneyMap whose KPIs it scores (or the map "
            f"and measured values); got {type(log).__name__}"
        )
    if not isinstance(given, Mapping):
        raise ConfigError(f"'measured' must be a mapping of KPI id to value; got {given!r}")
    kpis = the_map.kpis
    known = tuple(dict.fromkeys(k.id for k in kpis))
    for key in given:
        if key not in known:
            raise NotFoundError(f"KPI of map {the_map.name!r}", key, choices=known)
    scores = []
    for kpi in kpis:
        reason: str | None = None
        value = given.get(kpi.id)
        if value is None and events is not None:
            value, reason = measure(events, kpi)
        elif value is None:
            reason = "no value given"
        given_value, actual = _actual(kpi.id, value)
        if given_value is None:
            status = KPIStatus.UNMEASURED
        elif actual is None:
            status = KPIStatus.UNDEFINED
            reason = reason or _undefined_reason(given_value)
        elif kpi.target is None:
            status = KPIStatus.NO_TARGET
        else:
            status = KPIStatus.MET if kpi.is_met(actual) else KPIStatus.NOT_MET
        scores.append(
            KPIScore(
                kpi=kpi,
                measured=given_value,
                actual=actual,
                met=kpi.is_met(actual),
                gap=kpi.gap(actual),
                status=status,
                reason=reason,
            )
        )
    card = Scorecard(the_map.name, tuple(scores))
    if events is not None and not any(s.actual is not None for s in scores):
        warnings.warn(
            f"no KPI of map {the_map.name!r} could be measured from the data: "
            f"{card._empty_reason()}",
            UndefinedResultWarning,
            stacklevel=2,
        )
    return card


def _undefined_reason(value: float | Ratio) -> str:
    if isinstance(value, Ratio):
        return f"undefined: {value.numerator:g}/{value.denominator:g} (nothing in the denominator)"
    return "undefined (NaN)"

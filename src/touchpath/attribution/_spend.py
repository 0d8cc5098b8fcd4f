"""Spend against attributed credit: CPA, ROAS and CAC per channel (or campaign) and period.

:func:`spend_report` joins a :class:`~touchpath.Spend` table with an
:class:`~touchpath.attribution.AttributionResult`. Conversions fall in the
period of their conversion event (UTC); per channel and period

* ``CPA = spend / credited conversions``,
* ``ROAS = credited value / spend``,
* ``CAC = spend / credited acquisitions``, an acquisition being a journey's
  first conversion,

each a :class:`~touchpath.metrics.Ratio`, *undefined* (``value`` None, never
0) when its denominator is 0. Credit per period is exact for per-touch models
and follows ``explain()``'s split, scaled to the model's credit, for Markov
and Shapley (as :func:`~touchpath.attribution.breakdown`). Results computed
from count tables have no timestamps or journeys: they allow
``period="all"`` only and have no CAC.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from .._columns import floats
from .._deprecation import renamed_fields, warn_renamed
from .._schema import Field
from .._spendtable import Period, Spend, period_labels, to_period
from .._table import Column, ColumnKind, Table, TableViews
from ..exceptions import ConfigError, UnsupportedInputError
from ..metrics import Ratio
from ._compare import Comparison
from ._result import AttributionResult
from ._segments import split_credit

__all__ = ["SpendReport", "SpendRow", "spend_report", "spend_section"]

_DAY_US = 86_400 * 10**6


@attrs.frozen
class SpendRow:
    """One channel (or campaign) in one period.

    >>> row = SpendRow("ads", "all", 100.0, 4.0, 300.0, 2.0)
    >>> row.cpa, row.roas, row.cac
    (Ratio(100.0/4.0 = 25), Ratio(300.0/100.0 = 3), Ratio(100.0/2.0 = 50))
    >>> SpendRow("seo", "all", 0.0, 0.0, 0.0, None).cpa.value is None
    True
    """

    item: str | None
    """The channel or campaign (None: spend on rows without a campaign)."""
    period: str
    """The period label (``all``, a day, a week's Monday, or ``YYYY-MM``)."""
    spend: float
    """Spend in the period."""
    conversions: float
    """Conversions credited in the period."""
    value: float
    """Value credited in the period."""
    acquisitions: float | None
    """Credited first conversions of journeys (None: unknown, the result has no journeys)."""

    @property
    def cpa(self) -> Ratio:
        """Cost per (credited) conversion."""
        return Ratio(self.spend, self.conversions)

    @property
    def roas(self) -> Ratio:
        """Return on ad spend: credited value per unit of spend."""
        return Ratio(self.value, self.spend)

    @property
    def cac(self) -> Ratio | None:
        """Cost per credited acquisition (None when acquisitions are unknown)."""
        return None if self.acquisitions is None else Ratio(self.spend, self.acquisitions)


@renamed_fields(by="level")
@attrs.frozen(eq=False, repr=False)
class SpendReport(TableViews):
    """Spend, credit, CPA, ROAS and CAC per item and period (see :func:`spend_report`)."""

    model: str
    """The result's model label."""
    level: Field | None
    """Channels or campaigns."""
    period: Period
    """How time is grouped."""
    rows: tuple[SpendRow, ...]
    """One row per item and period with spend or credit."""

    @property
    def by(self) -> Field | None:
        """Deprecated name of :attr:`level`."""
        warn_renamed("SpendReport.by", "SpendReport.level")
        return self.level

    def totals(self) -> tuple[SpendRow, ...]:
        """One row per item over all periods."""
        out: dict[str | None, list[float | None]] = {}
        for r in self.rows:
            acc = out.setdefault(r.item, [0.0, 0.0, 0.0, 0.0])
            acc[0] = (acc[0] or 0.0) + r.spend
            acc[1] = (acc[1] or 0.0) + r.conversions
            acc[2] = (acc[2] or 0.0) + r.value
            acc[3] = None if r.acquisitions is None or acc[3] is None else acc[3] + r.acquisitions
        return tuple(
            SpendRow(k, "all", float(v[0] or 0.0), float(v[1] or 0.0), float(v[2] or 0.0), v[3])
            for k, v in out.items()
        )

    def to_table(self) -> Table:
        """One row per item and period: ``spend``, credited ``conversions`` and ``value``,
        ``cpa``, ``roas`` and ``cac`` (undefined where the denominator is 0).

        >>> from touchpath import Spend
        >>> from touchpath.attribution import LastTouch, PathCounts, attribute
        >>> r = attribute(PathCounts.from_rows([(["ads"], 2, 0, 50.0)]), LastTouch())
        >>> rep = spend_report(r, Spend.from_rows([("2025-01-01", "ads", None, 20.0)]))
        >>> rep.to_table().row(0)
        ['ads', 'all', 20.0, 2.0, 50.0, 10.0, 2.5, None]
        """
        by = self.level.value if self.level is not None else "item"
        money, credit = ColumnKind.MONEY, ColumnKind.CREDIT
        columns = (
            Column(by),
            Column("period"),
            Column("spend", kind=money),
            Column("conversions", kind=credit),
            Column("value", kind=money),
            Column("cpa", "CPA", money),
            Column("roas", "ROAS", ColumnKind.NUMBER),
            Column("cac", "CAC", money),
        )
        rows = [
            [
                r.item,
                r.period,
                r.spend,
                r.conversions,
                r.value,
                r.cpa.value,
                r.roas.value,
                None if r.cac is None else r.cac.value,
            ]
            for r in self.rows
        ]
        data: dict[str | int, Any] = {
            c.key: [row[j] for row in rows] if j < 2 else floats([row[j] for row in rows])  # type: ignore[misc]
            for j, c in enumerate(columns)
        }
        return Table(
            columns,
            data,
            name="spend",
            title=f"Spend and return: {self.model}",
            note=(
                "CPA = spend / credited conversions, ROAS = credited value / spend, CAC = "
                "spend / credited first conversions; empty where the denominator is 0."
            ),
            decimals=2,
            source="SpendReport",
        )


def _acquisition_paths(result: AttributionResult) -> np.ndarray[Any, np.dtype[np.bool_]] | None:
    """Which paths hold a journey's first conversion (None without journeys)."""
    paths = result.paths
    journeys = None if paths is None else paths.journeys
    if paths is None or journeys is None:
        return None
    converting = np.flatnonzero(paths.conversions > 0)
    first = np.ones(len(converting), dtype=np.bool_)
    first[1:] = journeys[converting[1:]] != journeys[converting[:-1]]
    out = np.zeros(paths.n_paths, dtype=np.bool_)
    out[converting[first]] = True
    return out


def spend_report(
    result: AttributionResult, spend: Spend, *, period: Period | str = Period.ALL
) -> SpendReport:
    """CPA, ROAS and CAC per channel (or campaign) and period (see the module documentation).

    >>> from touchpath import EventLog, Spend
    >>> from touchpath.attribution import LastTouch, attribute
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": "2025-03-02T00:00:00Z", "channel": "ads",
    ...      "converted": True, "value": 90.0},
    ...     {"journey_id": "a", "timestamp": "2025-04-02T00:00:00Z", "channel": "ads",
    ...      "converted": True, "value": 10.0}])
    >>> spend = Spend.from_rows([("2025-03-01", "ads", None, 30.0),
    ...                          ("2025-04-01", "seo", None, 5.0)])
    >>> for row in spend_report(attribute(log, LastTouch()), spend, period="month").rows:
    ...     print(row.item, row.period, row.cpa.value, row.roas.value, row.cac.value)
    ads 2025-03 30.0 3.0 30.0
    ads 2025-04 0.0 None None
    seo 2025-04 None 0.0 None
    """
    chosen = to_period(period)
    if not isinstance(spend, Spend):
        raise ConfigError(f"'spend' must be a touchpath.Spend table; got {type(spend).__name__}")
    if result.level not in (Field.CHANNEL, Field.CAMPAIGN, None):
        raise ConfigError(
            f"spend is per channel or campaign; this result credits {result.level.value}s"
        )
    key = "campaign" if result.level is Field.CAMPAIGN else "channel"
    spent = spend.table(key, period=chosen)
    paths = result.paths
    has_times = paths is not None and paths.log is not None and paths.ends is not None
    if chosen is not Period.ALL and not has_times:
        raise UnsupportedInputError(
            f"period={chosen.value!r} needs conversion times, but this result comes from count "
            "tables; attribute an EventLog, or use period='all'"
        )
    acquisitions = _acquisition_paths(result) if paths is not None else None
    credit: dict[tuple[str | None, str], list[float]] = {}
    if has_times and paths is not None and paths.log is not None and paths.ends is not None:
        days = paths.log.timestamps[paths.ends] // _DAY_US
        index, labels = period_labels(days.astype(np.int64), chosen)
        acq = np.zeros(paths.n_paths, np.int64) if acquisitions is None else acquisitions
        group = index * 2 + acq.astype(np.int64)
        conv, vals = split_credit(result, group, 2 * len(labels))
        for p, label in enumerate(labels):
            for i, item in enumerate(result.items):
                c = float(conv[2 * p, i] + conv[2 * p + 1, i])
                v = float(vals[2 * p, i] + vals[2 * p + 1, i])
                if c or v:
                    credit[item, label] = [c, v, float(conv[2 * p + 1, i])]
    else:
        for i, item in enumerate(result.items):
            c, v = float(result.conversions[i]), float(result.values[i])
            if c or v:
                credit[item, "all"] = [c, v, 0.0]
    keys = sorted(set(spent) | set(credit), key=lambda k: (k[0] is None, k[0] or "", k[1]))
    rows = []
    for k in keys:
        c, v, a = credit.get(k, [0.0, 0.0, 0.0])
        rows.append(
            SpendRow(k[0], k[1], spent.get(k, 0.0), c, v, None if acquisitions is None else a)
        )
    return SpendReport(result.model, result.level, chosen, tuple(rows))


def spend_section(comparison: Comparison, spend: Spend) -> Any:
    """Spend, CPA and ROAS per channel for every model of a comparison (all periods).

    >>> from touchpath import Spend
    >>> from touchpath.attribution import FirstTouch, LastTouch, PathCounts, compare_models
    >>> paths = PathCounts.from_rows([(["a", "b"], 4, 0, 8.0)])
    >>> c = compare_models(paths, [FirstTouch(), LastTouch()])
    >>> s = spend_section(c, Spend.from_rows([("2025-01-01", "a", None, 2.0)]))
    >>> s.title, s.body.count("</th>")
    ('Spend and return by model', 6)
    """
    from ..report import Section

    reports = [spend_report(r, spend) for r in comparison.results]
    items = sorted(
        {row.item for rep in reports for row in rep.rows}, key=lambda x: (x is None, x or "")
    )
    per_model = [{row.item: row for row in rep.totals()} for rep in reports]
    spent = {row.item: row.spend for rep in reports for row in rep.totals()}
    rows: list[list[object]] = []
    for item in items:
        line: list[object] = [item, spent.get(item, 0.0)]
        for table in per_model:
            row = table.get(item)
            line += [None, None] if row is None else [row.cpa.value, row.roas.value]
        rows.append(line)
    headers = ["item", "spend"]
    for label in comparison.labels:
        headers += [f"CPA {label}", f"ROAS {label}"]
    return Section.table(
        "Spend and return by model",
        headers,
        rows,
        number_format=",.2f",
        note=(
            "CPA = spend / credited conversions and ROAS = credited value / spend, per model; "
            "empty where the denominator is 0."
        ),
    )

"""Revenue and lifecycle metrics: plain functions with their formula in the docstring.

Quotients of quantities that add up across segments or periods (retention,
churn, costs per unit, ROAS, NPS, conversion rates) are returned as
:class:`Ratio`, so they merge exactly and a zero denominator is explicitly
undefined. Derived, non-additive quantities (CLV, CLV:CAC, payback,
annualised churn) are plain floats, ``None`` when an input is undefined or a
denominator is 0. Rates are fractions: 0.05 means 5 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs
import numpy as np
import numpy.typing as npt

from .._deprecation import renamed
from .._table import Column, ColumnKind, Table, TableViews
from ..exceptions import ConfigError
from ._common import CountUnit, Level, LevelLike, first_values, parse_instant, to_enum
from ._funnel import CountUnitLike, FunnelOrder, funnel
from ._ratio import Ratio, as_value, check_number

if TYPE_CHECKING:
    from .._log import EventLog
    from .._spendtable import Spend
    from .._time import DurationLike

__all__ = [
    "ChannelCredits",
    "RevenueMovements",
    "annualized_churn",
    "cac_by_channel",
    "cac_payback_months",
    "clv_cac_ratio",
    "cpc",
    "cpl",
    "cpm",
    "customer_acquisition_cost",
    "customer_churn_rate",
    "customer_lifetime_value",
    "gross_revenue_retention",
    "net_revenue_retention",
    "nps",
    "revenue_churn_rate",
    "revenue_movements",
    "roas",
    "roas_by_channel",
    "spend_by_channel",
    "stage_conversion",
]


@runtime_checkable
class ChannelCredits(Protocol):
    """Anything with ``by_channel(value=...)``, such as an attribution result.

    ``by_channel()`` gives credited conversions per channel id,
    ``by_channel(value=True)`` credited value (revenue).

    >>> from touchpath.attribution import AttributionResult
    >>> issubclass(AttributionResult, ChannelCredits)
    True
    """

    def by_channel(self, *, value: bool = False) -> Mapping[str, float]:
        """Credited conversions (or, with ``value=True``, revenue) per channel id.

        >>> class Credits:
        ...     def by_channel(self, *, value: bool = False) -> dict[str, float]:
        ...         return {"ads": 100.0 if value else 2.0}
        >>> isinstance(Credits(), ChannelCredits), Credits().by_channel(value=True)
        (True, {'ads': 100.0})
        """
        ...


# -- retention and churn --------------------------------------------------------------------


def _losses(starting: float, contraction: float, churned: float) -> None:
    if contraction + churned > starting:
        raise ConfigError(
            "contraction plus churned revenue cannot exceed the starting revenue; "
            f"got {contraction:g} + {churned:g} > {starting:g}"
        )


def net_revenue_retention(
    starting: float, expansion: float = 0.0, contraction: float = 0.0, churned: float = 0.0
) -> Ratio:
    """Net revenue retention of the customers who were customers at the start of the period.

    ``NRR = (starting + expansion - contraction - churned) / starting``

    ``starting`` is their recurring revenue at the start; ``expansion``
    (upsell, cross-sell), ``contraction`` (downgrades) and ``churned``
    (revenue of customers who left) are their changes over the period.
    Revenue from customers acquired during the period is *not* included.
    Above 1 means existing customers grow revenue on their own.

    >>> net_revenue_retention(100_000, expansion=30_000, contraction=5_000, churned=5_000).value
    1.2
    >>> net_revenue_retention(0).is_defined
    False
    """
    s = check_number("starting", starting)
    e = check_number("expansion", expansion)
    c = check_number("contraction", contraction)
    ch = check_number("churned", churned)
    _losses(s, c, ch)
    return Ratio(s + e - c - ch, s)


def gross_revenue_retention(
    starting: float, contraction: float = 0.0, churned: float = 0.0
) -> Ratio:
    """Gross revenue retention: like NRR without expansion, so never above 1.

    ``GRR = (starting - contraction - churned) / starting``

    >>> gross_revenue_retention(100_000, contraction=5_000, churned=5_000).value
    0.9
    """
    s = check_number("starting", starting)
    c = check_number("contraction", contraction)
    ch = check_number("churned", churned)
    _losses(s, c, ch)
    return Ratio(s - c - ch, s)


def customer_churn_rate(customers_at_start: int, customers_lost: int) -> Ratio:
    """Customer (logo) churn rate over a period, usually a month.

    ``churn = customers lost during the period / customers at the start``

    Customers acquired during the period are in neither count.

    >>> customer_churn_rate(200, 9).value
    0.045
    """
    start = check_number("customers_at_start", customers_at_start)
    lost = check_number("customers_lost", customers_lost)
    if lost > start:
        raise ConfigError(
            f"'customers_lost' cannot exceed 'customers_at_start'; got {lost:g} > {start:g}"
        )
    return Ratio(lost, start)


def revenue_churn_rate(starting: float, churned: float, contraction: float = 0.0) -> Ratio:
    """Gross revenue churn rate over a period: ``1 - GRR``.

    ``revenue churn = (churned + contraction) / starting``

    >>> revenue_churn_rate(100_000, churned=4_000, contraction=1_000).value
    0.05
    """
    s = check_number("starting", starting)
    ch = check_number("churned", churned)
    c = check_number("contraction", contraction)
    _losses(s, c, ch)
    return Ratio(ch + c, s)


def annualized_churn(monthly: float | Ratio) -> float | None:
    """The yearly churn implied by a constant monthly churn rate ``m``.

    ``annual = 1 - (1 - m) ** 12`` (not ``12 * m``: customers lost early
    cannot be lost again). None when ``monthly`` is an undefined Ratio.

    >>> round(annualized_churn(0.05), 4)
    0.4596
    """
    m = as_value(monthly)
    if m is None:
        return None
    if not 0.0 <= m <= 1.0:
        raise ConfigError(f"a monthly churn rate must be between 0 and 1; got {m!r}")
    return 1.0 - (1.0 - m) ** 12


# -- customer value and acquisition ----------------------------------------------------------


def customer_lifetime_value(
    arpa: float, gross_margin: float, churn_rate: float | Ratio
) -> float | None:
    """Simple customer lifetime value.

    ``CLV = ARPA * gross margin / churn rate``

    ``arpa`` is the average revenue per account per period and
    ``churn_rate`` the customer churn rate of the same period (so
    ``1 / churn`` is the expected lifetime in periods). None when the churn
    rate is 0 or undefined: the formula gives no finite value.

    >>> customer_lifetime_value(arpa=500, gross_margin=0.8, churn_rate=0.04)
    10000.0
    >>> customer_lifetime_value(500, 0.8, 0.0) is None
    True
    """
    a = check_number("arpa", arpa)
    g = _fraction("gross_margin", gross_margin)
    churn = as_value(churn_rate)
    if churn is None or churn == 0:
        return None
    _fraction("churn_rate", churn)
    return a * g / churn


def customer_acquisition_cost(spend: float, new_customers: int) -> Ratio:
    """Customer acquisition cost: ``CAC = sales and marketing spend / new customers``.

    >>> customer_acquisition_cost(50_000, 40).value
    1250.0
    >>> customer_acquisition_cost(50_000, 0).value is None
    True
    """
    return Ratio(check_number("spend", spend), check_number("new_customers", new_customers))


def clv_cac_ratio(clv: float | None, cac: float | Ratio) -> float | None:
    """``CLV / CAC``; the usual target is 3 (3:1). None when either is undefined or CAC is 0.

    >>> clv_cac_ratio(10_000.0, customer_acquisition_cost(50_000, 40))
    8.0
    """
    c = as_value(cac)
    if clv is None or c is None or c == 0:
        return None
    return check_number("clv", clv, minimum=None) / check_number("cac", c)


def cac_payback_months(cac: float | Ratio, arpa: float, gross_margin: float) -> float | None:
    """Months of gross margin needed to earn back the acquisition cost.

    ``payback = CAC / (monthly ARPA * gross margin)``

    >>> cac_payback_months(1_250, arpa=500, gross_margin=0.8)
    3.125
    """
    c = as_value(cac)
    if c is None:
        return None
    margin = check_number("arpa", arpa) * _fraction("gross_margin", gross_margin)
    if margin == 0:
        return None
    return check_number("cac", c) / margin


def _fraction(name: str, value: Any) -> float:
    out = check_number(name, value)
    if out > 1:
        raise ConfigError(f"{name!r} must be a fraction between 0 and 1; got {value!r}")
    return out


# -- advertising -----------------------------------------------------------------------------


def roas(revenue: float, spend: float) -> Ratio:
    """Return on ad spend: ``ROAS = attributed revenue / ad spend``.

    >>> roas(12_000, 3_000).value
    4.0
    """
    return Ratio(check_number("revenue", revenue), check_number("spend", spend))


def cpm(spend: float, impressions: int) -> Ratio:
    """Cost per thousand impressions: ``CPM = spend * 1000 / impressions``.

    The ratio's numerator is ``spend * 1000``, so CPMs of campaigns add up
    into the CPM of all of them.

    >>> cpm(250, 100_000).value
    2.5
    """
    return Ratio(check_number("spend", spend) * 1000, check_number("impressions", impressions))


def cpc(spend: float, clicks: int) -> Ratio:
    """Cost per click: ``CPC = spend / clicks``.

    >>> cpc(250, 500).value
    0.5
    """
    return Ratio(check_number("spend", spend), check_number("clicks", clicks))


def cpl(spend: float, leads: int) -> Ratio:
    """Cost per lead: ``CPL = spend / leads``.

    >>> cpl(250, 10).value
    25.0
    """
    return Ratio(check_number("spend", spend), check_number("leads", leads))


# -- satisfaction ----------------------------------------------------------------------------


def nps(scores: Iterable[int] | npt.NDArray[np.integer[Any]]) -> Ratio:
    """Net Promoter Score from 0-10 answers to "how likely are you to recommend us?".

    ``NPS = 100 * (promoters - detractors) / answers``, promoters scoring
    9-10 and detractors 0-6 (7-8 are passives), so it runs from -100 to 100.
    The ratio's numerator is ``100 * (promoters - detractors)``. Scores must
    be whole numbers from 0 to 10; anything else is refused.

    >>> nps([10, 9, 9, 8, 7, 6, 3, 10, 10, 0]).value
    20.0
    >>> nps([]).is_defined
    False
    """
    arr = np.asarray(scores if isinstance(scores, np.ndarray) else list(scores))
    if arr.size == 0:
        return Ratio(0, 0)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iuf":
        bad = next((s for s in arr.tolist() if isinstance(s, bool) or not isinstance(s, int)), None)
        raise ConfigError(f"NPS scores must be whole numbers from 0 to 10; got {bad!r}")
    bad_pos = np.flatnonzero((arr < 0) | (arr > 10) | (arr != np.floor(arr)))
    if len(bad_pos):
        i = int(bad_pos[0])
        raise ConfigError(
            f"NPS scores must be whole numbers from 0 to 10; got {arr[i].item()!r} at position {i}"
        )
    promoters = int(np.count_nonzero(arr >= 9))
    detractors = int(np.count_nonzero(arr <= 6))
    return Ratio(100 * (promoters - detractors), int(arr.size))


# -- from an event log ----------------------------------------------------------------------


@renamed(within="window")
def stage_conversion(
    log: EventLog,
    source: str,
    target: str,
    *,
    window: DurationLike | None = None,
    level: LevelLike = Level.STAGE,
    count: CountUnitLike = CountUnit.JOURNEYS,
    now: Any = None,
) -> Ratio:
    """The share of journeys reaching ``source`` that reach ``target`` after it.

    ``conversion = journeys reaching target after source / journeys reaching source``

    Trial-to-paid is ``stage_conversion(log, "trial", "paid")``, MQL-to-SQL
    ``stage_conversion(log, "mql", "sql")``. It is the two-step sequential
    :func:`funnel`: with ``window`` the target must be reached at most that
    long after the source, and journeys whose window is still open at
    ``now`` are left out of the denominator (the funnel's
    ``settled_conversion``).

    >>> from touchpath import EventLog
    >>> rec = lambda j, d, s: {"journey_id": j, "timestamp": d * 86400, "stage": s}
    >>> log = EventLog.from_records([
    ...     rec("a", 0, "trial"), rec("a", 10, "paid"),
    ...     rec("b", 0, "trial"), rec("b", 40, "paid"),
    ...     rec("c", 0, "trial"), rec("d", 0, "paid")])
    >>> stage_conversion(log, "trial", "paid")
    Ratio(2/3 = 0.666667)
    >>> stage_conversion(log, "trial", "paid", window="30 days")
    Ratio(1/3 = 0.333333)
    """
    result = funnel(
        log,
        [source, target],
        level=level,
        order=FunnelOrder.SEQUENTIAL,
        window=window,
        count=count,
        now=now,
    )
    return result.steps[1].settled_conversion


def spend_by_channel(log: EventLog) -> dict[str | None, float]:
    """Total event cost per channel id; cost on events without a channel is under ``None``.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "channel": "ads", "cost": 2.5},
    ...     {"journey_id": "b", "timestamp": 0, "channel": "ads", "cost": 1.5},
    ...     {"journey_id": "b", "timestamp": 1, "stage": "x", "cost": 1.0}])
    >>> spend_by_channel(log)
    {'ads': 4.0, None: 1.0}
    """
    n = len(log.channel_ids)
    codes = np.where(log.channel_codes < 0, n, log.channel_codes)
    totals = np.bincount(codes, weights=log.costs, minlength=n + 1)
    out: dict[str | None, float] = {
        name: float(totals[i]) for i, name in enumerate(log.channel_ids) if totals[i] != 0
    }
    if totals[n] != 0:
        out[None] = float(totals[n])
    return out


def _credits(
    credited: Mapping[str, float] | ChannelCredits, what: str, *, value: bool
) -> dict[str, float]:
    raw = credited.by_channel(value=value) if isinstance(credited, ChannelCredits) else credited
    if not isinstance(raw, Mapping):
        raise ConfigError(
            f"{what!r} must be a mapping of channel id to credit, or have by_channel(); "
            f"got {type(credited).__name__}"
        )
    out: dict[str, float] = {}
    for channel, credit in raw.items():
        if not isinstance(channel, str):
            raise ConfigError(f"{what!r} keys must be channel ids; got {channel!r}")
        out[channel] = check_number(f"{what}[{channel!r}]", credit)
    return out


def _per_channel(
    spend: Mapping[str | None, float], credited: Mapping[str, float], *, spend_on_top: bool
) -> dict[str | None, Ratio]:
    keys: list[str | None] = [*sorted({k for k in spend if k is not None} | set(credited))]
    if None in spend:
        keys.append(None)
    out: dict[str | None, Ratio] = {}
    for k in keys:
        s = spend.get(k, 0.0)
        c = credited.get(k, 0.0) if k is not None else 0.0
        out[k] = Ratio(s, c) if spend_on_top else Ratio(c, s)
    return out


def cac_by_channel(
    log: EventLog, conversions: Mapping[str, float] | ChannelCredits, *, spend: Spend | None = None
) -> dict[str | None, Ratio]:
    """Acquisition cost per channel from the log's event costs and credited conversions.

    ``CAC(channel) = cost of the channel's events / conversions credited to it``

    ``conversions`` maps channel ids to credited conversions, e.g. an
    attribution result's ``by_channel()``, or is the result itself. A channel
    with spend but no credit has an undefined CAC; one with credit but no
    spend a CAC of 0. Spend on events without a channel is under ``None``
    (its CAC is undefined: no conversion can be credited to it). With
    ``spend`` (a :class:`~touchpath.Spend` table) the spend per channel comes
    from that table instead of the events' costs.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "channel": "ads", "cost": 300.0},
    ...     {"journey_id": "b", "timestamp": 0, "channel": "seo"}])
    >>> cac_by_channel(log, {"ads": 1.5, "seo": 0.5})
    {'ads': Ratio(300.0/1.5 = 200), 'seo': Ratio(0.0/0.5 = 0)}
    """
    return _per_channel(
        _spent(log, spend), _credits(conversions, "conversions", value=False), spend_on_top=True
    )


def roas_by_channel(
    log: EventLog, revenue: Mapping[str, float] | ChannelCredits, *, spend: Spend | None = None
) -> dict[str | None, Ratio]:
    """Return on ad spend per channel: ``credited revenue / cost of the channel's events``.

    ``revenue`` maps channel ids to credited revenue, e.g. an attribution
    result's ``by_channel(value=True)``, or is the result itself (whose
    value credit is then used). ``spend``, a :class:`~touchpath.Spend`
    table, replaces the events' costs.

    >>> from touchpath import EventLog
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "channel": "ads", "cost": 300.0}])
    >>> roas_by_channel(log, {"ads": 1200.0})
    {'ads': Ratio(1200.0/300.0 = 4)}
    >>> from touchpath import Spend
    >>> table = Spend.from_rows([("2025-01-01", "ads", None, 600)])
    >>> roas_by_channel(log, {"ads": 1200.0}, spend=table)
    {'ads': Ratio(1200.0/600.0 = 2)}
    """
    return _per_channel(
        _spent(log, spend), _credits(revenue, "revenue", value=True), spend_on_top=False
    )


def _spent(log: EventLog, spend: Spend | None) -> dict[str | None, float]:
    """Spend per channel: from the table when given, else from the events' costs."""
    if spend is None:
        return spend_by_channel(log)
    from .._spendtable import Spend

    if not isinstance(spend, Spend):
        raise ConfigError(f"'spend' must be a touchpath.Spend table; got {type(spend).__name__}")
    channels: list[str | None] = list(spend.by_channel())
    return dict(zip(channels, spend.by_channel().values(), strict=True))


@attrs.frozen
class RevenueMovements(TableViews):
    """How the revenue of the customers at the start of a period moved by the next one.

    See :func:`revenue_movements`; the properties are the usual ratios.

    >>> m = RevenueMovements(customers_at_start=4, churned_customers=1, starting=400.0,
    ...                      expansion=60.0, contraction=20.0, churned=100.0, new=50.0)
    >>> m.net_revenue_retention, m.gross_revenue_retention
    (Ratio(340.0/400.0 = 0.85), Ratio(280.0/400.0 = 0.7))
    >>> m.customer_churn, m.revenue_churn
    (Ratio(1/4 = 0.25), Ratio(120.0/400.0 = 0.3))
    """

    customers_at_start: int
    """Customers with revenue in the base period."""
    churned_customers: int
    """Of those, customers without revenue in the current period."""
    starting: float
    """Their revenue in the base period."""
    expansion: float
    """Sum of the increases of those whose revenue went up."""
    contraction: float
    """Sum of the decreases of those whose revenue went down but not to 0."""
    churned: float
    """Base-period revenue of those with no revenue in the current period."""
    new: float
    """Current-period revenue of customers not in the base period (excluded from NRR)."""

    @property
    def net_revenue_retention(self) -> Ratio:
        """``(starting + expansion - contraction - churned) / starting``.

        >>> RevenueMovements(1, 0, 100.0, 30.0, 0.0, 0.0, 0.0).net_revenue_retention.value
        1.3
        """
        return Ratio(
            self.starting + self.expansion - self.contraction - self.churned, self.starting
        )

    @property
    def gross_revenue_retention(self) -> Ratio:
        """``(starting - contraction - churned) / starting``.

        >>> RevenueMovements(1, 0, 100.0, 30.0, 10.0, 0.0, 0.0).gross_revenue_retention.value
        0.9
        """
        return Ratio(self.starting - self.contraction - self.churned, self.starting)

    @property
    def customer_churn(self) -> Ratio:
        """``churned_customers / customers_at_start``.

        >>> RevenueMovements(0, 0, 0.0, 0.0, 0.0, 0.0, 0.0).customer_churn.is_defined
        False
        """
        return Ratio(self.churned_customers, self.customers_at_start)

    @property
    def revenue_churn(self) -> Ratio:
        """``(churned + contraction) / starting``.

        >>> RevenueMovements(2, 1, 100.0, 0.0, 10.0, 40.0, 0.0).revenue_churn.value
        0.5
        """
        return Ratio(self.churned + self.contraction, self.starting)

    def to_table(self) -> Table:
        """One row: the customers and revenue movements, then the four ratios.

        >>> m = RevenueMovements(4, 1, 400.0, 60.0, 20.0, 100.0, 50.0)
        >>> m.to_table().values("net_revenue_retention")
        [0.85]
        """
        money, rate, count = ColumnKind.MONEY, ColumnKind.RATE, ColumnKind.COUNT
        values: dict[str | int, Any] = {
            "customers_at_start": [self.customers_at_start],
            "churned_customers": [self.churned_customers],
            "starting": [self.starting],
            "expansion": [self.expansion],
            "contraction": [self.contraction],
            "churned": [self.churned],
            "new": [self.new],
            "net_revenue_retention": [float(self.net_revenue_retention)],
            "gross_revenue_retention": [float(self.gross_revenue_retention)],
            "customer_churn": [float(self.customer_churn)],
            "revenue_churn": [float(self.revenue_churn)],
        }
        kinds = [count, count, money, money, money, money, money, rate, rate, rate, rate]
        labels = [
            "customers",
            "churned customers",
            "starting",
            "expansion",
            "contraction",
            "churned",
            "new",
            "NRR",
            "GRR",
            "customer churn",
            "revenue churn",
        ]
        return Table(
            tuple(Column(k, lab, kind) for k, lab, kind in zip(values, labels, kinds, strict=True)),
            values,
            name="revenue_movements",
            title="Revenue movements",
            source="RevenueMovements",
        )


def _period_mask(log: EventLog, period: object, name: str) -> npt.NDArray[np.bool_]:
    if not isinstance(period, tuple) or len(period) != 2:
        raise ConfigError(f"{name!r} must be a (start, end) pair of timestamps; got {period!r}")
    start = parse_instant(period[0], f"{name}[0]")
    end = parse_instant(period[1], f"{name}[1]")
    if end <= start:
        raise ConfigError(f"{name!r} must end after it starts; got {period!r}")
    return (log.timestamps >= start) & (log.timestamps < end)


@renamed(customer="count")
def revenue_movements(
    log: EventLog,
    base: tuple[Any, Any],
    current: tuple[Any, Any],
    *,
    count: CountUnitLike = CountUnit.ACCOUNTS,
) -> RevenueMovements:
    """Expansion, contraction and churn of the base period's customers, from conversion values.

    A customer's revenue in a period is the value of its converting events
    with ``start <= timestamp < end``. The *customers at start* are those
    with revenue in ``base``; for each, the revenue in ``current`` against
    the base: more is expansion, less (but not 0) contraction, 0 churn.
    Customers with revenue only in ``current`` are new and excluded. The
    customer is the journey's account (``count="accounts"``, journeys
    without one are left out) or the journey itself (``"journeys"``).

    >>> from touchpath import EventLog
    >>> rec = lambda a, month, v: {"journey_id": a, "account": a, "converted": True,
    ...     "value": v, "timestamp": f"2025-{month:02d}-15T00:00:00Z", "stage": "paid"}
    >>> log = EventLog.from_records([rec("a", 1, 100), rec("a", 2, 150),
    ...     rec("b", 1, 100), rec("b", 2, 80), rec("c", 1, 100), rec("d", 2, 500)])
    >>> m = revenue_movements(log, ("2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z"),
    ...                       ("2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z"))
    >>> (m.starting, m.expansion, m.contraction, m.churned, m.new)
    (300.0, 50.0, 20.0, 100.0, 500.0)
    >>> m.net_revenue_retention.value, m.customer_churn
    (0.7666666666666667, Ratio(1/3 = 0.333333))
    """
    unit = to_enum(CountUnit, "count", count)
    if unit is CountUnit.ACCOUNTS:
        per_journey, _ = first_values(log, log.account_codes)
        size = len(log.account_ids)
    else:
        per_journey = np.arange(len(log), dtype=np.int32)
        size = len(log)
    who = per_journey[log.event_journey].astype(np.int64)
    paid = log.converted & (who >= 0)
    values = np.where(paid, log.values, 0.0)
    safe_who = np.where(who >= 0, who, 0)
    r0 = np.bincount(safe_who, weights=values * _period_mask(log, base, "base"), minlength=size)
    r1 = np.bincount(
        safe_who, weights=values * _period_mask(log, current, "current"), minlength=size
    )
    at_start = r0 > 0
    up = at_start & (r1 > r0)
    down = at_start & (r1 < r0) & (r1 > 0)
    gone = at_start & (r1 == 0)
    return RevenueMovements(
        customers_at_start=int(np.count_nonzero(at_start)),
        churned_customers=int(np.count_nonzero(gone)),
        starting=float(r0[at_start].sum()),
        expansion=float((r1 - r0)[up].sum()),
        contraction=float((r0 - r1)[down].sum()),
        churned=float(r0[gone].sum()),
        new=float(r1[~at_start].sum()),
    )

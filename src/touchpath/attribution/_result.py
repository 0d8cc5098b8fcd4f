"""What a model returns (``Credit``) and what :func:`attribute` returns (``AttributionResult``)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from .._deprecation import renamed_fields, warn_renamed
from .._paths import wsum
from .._schema import Field
from .._table import Column, ColumnKind, Table, TableViews
from .._time import to_datetime
from ..exceptions import ConfigError, UnsupportedInputError

if TYPE_CHECKING:
    from .._paths import ConversionPaths
    from .._spendtable import Period, Spend
    from ..report import Section
    from ._spend import SpendReport

__all__ = ["AttributionResult", "Credit", "TouchCredit"]

_F64 = npt.NDArray[np.float64]


def _float_array(value: object) -> _F64:
    return np.asarray(value, dtype=np.float64)


def _optional_float_array(value: object) -> _F64 | None:
    return None if value is None else np.asarray(value, dtype=np.float64)


@attrs.frozen(eq=False)
class Credit:
    """A model's answer for some :class:`~touchpath.attribution.ConversionPaths`.

    A *per-path* model gives ``shares``: every touch's share of its path's
    conversions and value (the shares of a path with touches sum to 1); the
    credits are their sums. A model defined on the whole data (Markov,
    Shapley) gives ``conversions`` and ``values`` per item instead, and may
    give ``weights`` per item to explain single journeys: a journey's
    conversion is split among its distinct items in proportion to their
    weights (equally when absent or all 0), then equally among each item's
    touches.

    >>> Credit(shares=[0.5, 0.5]).shares.tolist()
    [0.5, 0.5]
    >>> Credit(conversions=[3.0, 1.0], values=[30.0, 10.0]).shares is None
    True
    """

    shares: _F64 | None = attrs.field(default=None, converter=_optional_float_array)
    """Each touch's share of its path (same order as the paths' touches)."""
    conversions: _F64 | None = attrs.field(default=None, converter=_optional_float_array)
    """Conversions credited to each item, for models defined on the whole data."""
    values: _F64 | None = attrs.field(default=None, converter=_optional_float_array)
    """Value credited to each item, for models defined on the whole data."""
    weights: _F64 | None = attrs.field(default=None, converter=_optional_float_array)
    """Per-item weights that explain single journeys, for models defined on the whole data."""
    fitted: Any = None
    """Learned state worth keeping (e.g. a :class:`~touchpath.attribution.FittedMarkov`)."""

    def __attrs_post_init__(self) -> None:
        if self.shares is None and (self.conversions is None or self.values is None):
            raise ConfigError(
                "a Credit needs touch shares, or conversions and values per item; got neither"
            )


@attrs.frozen
class TouchCredit:
    """The credit one touch of one journey received (see :meth:`AttributionResult.explain`).

    An entry with ``item`` None is a conversion without touches: unattributed.

    >>> TouchCredit("j", 1, 0, None, "ads", 1.0, 20.0).item
    'ads'
    """

    journey_id: str
    """The journey."""
    path: int
    """Which conversion of the journey (1 for the first)."""
    event: int | None
    """Position of the touch's event in the journey (None for unattributed)."""
    timestamp: dt.datetime | None
    """When the touch happened (None for unattributed)."""
    item: str | None
    """The credited channel, touchpoint, stage or campaign (None for unattributed)."""
    conversions: float
    """Conversions credited to this touch."""
    value: float
    """Value credited to this touch."""


def _label(model: object) -> str:
    label = getattr(model, "label", None)
    return label if isinstance(label, str) else repr(model)


@renamed_fields(by="level")
@attrs.frozen(eq=False, repr=False)
class AttributionResult(TableViews):
    """Conversions and value credited to channels (or touchpoints, stages, campaigns).

    ``credits()`` plus :attr:`unattributed` always equals
    :attr:`total_conversions` (the same for value). Build one with
    :func:`touchpath.attribution.attribute`.

    >>> from touchpath import EventLog
    >>> from touchpath.attribution import LastTouch, attribute
    >>> log = EventLog.from_records([
    ...     {"journey_id": "a", "timestamp": 0, "channel": "ads"},
    ...     {"journey_id": "a", "timestamp": 1, "channel": "seo", "converted": True,
    ...      "value": 30.0},
    ...     {"journey_id": "b", "timestamp": 0, "converted": True, "value": 5.0,
    ...      "stage": "decision"}])
    >>> r = attribute(log, LastTouch())
    >>> (r.by_channel(), r.by_channel(value=True), r.unattributed, r.total_value)
    ({'ads': 0.0, 'seo': 1.0}, {'ads': 0.0, 'seo': 30.0}, 1.0, 35.0)
    """

    model: str
    """The model, as a label (its repr)."""
    level: Field | None
    """The credited attribute (None when unknown, e.g. paths given as rows)."""
    items: tuple[str, ...]
    """The credited names, sorted."""
    conversions: _F64
    """Conversions credited to each item."""
    values: _F64
    """Value credited to each item."""
    total_conversions: float
    """All conversions, credited or not."""
    total_value: float
    """All conversion value, credited or not."""
    unattributed: float
    """Conversions of paths without touches: credited to no one."""
    unattributed_value: float
    """Value of the conversions of paths without touches."""
    paths: ConversionPaths | None = None
    """The paths the result was computed from (None for results from count tables)."""
    shares: _F64 | None = None
    """Each touch's share of its path, for per-path models (see :class:`Credit`)."""
    weights: _F64 | None = None
    """Per-item weights that explain journeys, for models defined on the whole data."""
    fitted: Any = None
    """A model's learned state, if it keeps one (e.g. ``FittedMarkov``)."""

    @property
    def by(self) -> Field | None:
        """Deprecated name of :attr:`level`."""
        warn_renamed("AttributionResult.by", "AttributionResult.level")
        return self.level

    @classmethod
    def from_credit(
        cls, model: object, paths: ConversionPaths, credit: Credit
    ) -> AttributionResult:
        """Sum a model's :class:`Credit` into a result."""
        n_items = len(paths.items)
        shares = credit.shares
        if shares is not None:
            # a finite sum means every share is finite (inf and NaN propagate)
            if shares.shape != (paths.n_touches,) or not (
                np.isfinite(shares.sum()) or np.isfinite(shares).all()
            ):
                raise ConfigError(
                    f"{_label(model)} returned {shares.shape} touch shares for "
                    f"{paths.n_touches} touches (or non-finite ones); a model must give one "
                    "finite share per touch"
                )
            if credit.conversions is None or credit.values is None:
                # touches of paths without conversions or value add exact zeros: skip them
                touches, tp = paths.credited_touches
                codes = paths.codes if touches is None else paths.codes[touches]
                live = shares if touches is None else shares[touches]
            if credit.conversions is None:
                conversions = wsum(codes, live * paths.conversions[tp], n_items)
            if credit.values is None:
                values = wsum(codes, live * paths.values[tp], n_items)
        if credit.conversions is not None:
            conversions = credit.conversions
        if credit.values is not None:
            values = credit.values
        for name, arr in (("conversions", conversions), ("values", values)):
            if arr.shape != (n_items,):
                raise ConfigError(
                    f"{_label(model)} returned {name} of shape {arr.shape}; expected one "
                    f"per item ({n_items})"
                )
        empty = paths.lengths == 0
        return cls(
            model=_label(model),
            level=paths.level,
            items=paths.items,
            conversions=conversions,
            values=values,
            total_conversions=float(paths.conversions.sum()),
            total_value=float(paths.values.sum()),
            unattributed=float(paths.conversions[empty].sum()),
            unattributed_value=float(paths.values[empty].sum()),
            paths=paths,
            shares=shares,
            weights=credit.weights,
            fitted=credit.fitted,
        )

    # -- credits ------------------------------------------------------------------------------

    def credits(self, *, value: bool = False) -> dict[str, float]:
        """Credit per item: conversions, or value with ``value=True``.

        >>> from touchpath.attribution import FirstTouch, PathCounts, attribute
        >>> r = attribute(PathCounts.from_rows([(["a", "b"], 2, 0, 10.0)]), FirstTouch())
        >>> r.credits(), r.credits(value=True)
        ({'a': 2.0, 'b': 0.0}, {'a': 10.0, 'b': 0.0})
        """
        arr = self.values if value else self.conversions
        return dict(zip(self.items, arr.tolist(), strict=True))

    def _by(self, field: Field, value: bool) -> dict[str, float]:
        if self.level is not None and self.level != field:
            raise ConfigError(
                f"this result credits {self.level.value}s, not {field.value}s; run "
                f"attribute(..., level={field.value!r}) to credit {field.value}s"
            )
        return self.credits(value=value)

    def by_channel(self, *, value: bool = False) -> dict[str, float]:
        """Credit per channel (the result must credit channels, the default)."""
        return self._by(Field.CHANNEL, value)

    def by_touchpoint(self, *, value: bool = False) -> dict[str, float]:
        """Credit per touchpoint (for a result of ``attribute(..., level="touchpoint")``)."""
        return self._by(Field.TOUCHPOINT, value)

    def by_stage(self, *, value: bool = False) -> dict[str, float]:
        """Credit per stage (for a result of ``attribute(..., level="stage")``)."""
        return self._by(Field.STAGE, value)

    def by_campaign(self, *, value: bool = False) -> dict[str, float]:
        """Credit per campaign (for a result of ``attribute(..., level="campaign")``)."""
        return self._by(Field.CAMPAIGN, value)

    @property
    def attributed(self) -> float:
        """Conversions credited to some item (``total_conversions - unattributed``)."""
        return float(self.conversions.sum())

    def with_spend(self, spend: Spend, *, period: Period | str = "all") -> SpendReport:
        """CPA, ROAS and CAC per item and period against a spend table (see ``spend_report``).

        >>> from touchpath import Spend
        >>> from touchpath.attribution import LastTouch, PathCounts, attribute
        >>> r = attribute(PathCounts.from_rows([(["ads"], 4, 0, 200.0)]), LastTouch())
        >>> row = r.with_spend(Spend.from_rows([("2025-01-01", "ads", None, 50.0)])).rows[0]
        >>> row.cpa.value, row.roas.value
        (12.5, 4.0)
        """
        from ._spend import spend_report

        return spend_report(self, spend, period=period)

    # -- single journeys -------------------------------------------------------------------------

    def explain(self, journey_id: str) -> tuple[TouchCredit, ...]:
        """Each touch's credit in one journey; the entries sum to its conversions and value.

        Every touch of every converting path of the journey is listed (with
        zero credit where the model gives it none), plus one entry with
        ``item=None`` per conversion that had no touch.

        >>> from touchpath import EventLog
        >>> from touchpath.attribution import Linear, attribute
        >>> log = EventLog.from_records([
        ...     {"journey_id": "j", "timestamp": 0, "channel": "ads"},
        ...     {"journey_id": "j", "timestamp": 1, "channel": "seo", "converted": True,
        ...      "value": 30.0}])
        >>> [(t.item, t.conversions, t.value) for t in attribute(log, Linear()).explain("j")]
        [('ads', 0.5, 15.0), ('seo', 0.5, 15.0)]
        """
        paths = self.paths
        if paths is None or paths.log is None:
            raise UnsupportedInputError(
                "explain() needs a result computed from an EventLog (this one came from "
                "aggregated counts, which have no journeys)"
            )
        log = paths.log
        journeys = paths.journeys
        assert journeys is not None
        assert paths.events is not None
        j = log.journey_index(journey_id)
        lo, hi = (int(x) for x in np.searchsorted(journeys, [j, j + 1]))
        start = int(log.offsets[j])
        out: list[TouchCredit] = []
        for number, p in enumerate(range(lo, hi), start=1):
            conv = float(paths.conversions[p])
            val = float(paths.values[p])
            if conv == 0 and val == 0:
                continue
            a, b = int(paths.offsets[p]), int(paths.offsets[p + 1])
            if a == b:
                out.append(TouchCredit(journey_id, number, None, None, None, conv, val))
                continue
            shares = self._path_shares(a, b)
            for t in range(a, b):
                e = int(paths.events[t])
                share = float(shares[t - a])
                out.append(
                    TouchCredit(
                        journey_id,
                        number,
                        e - start,
                        to_datetime(int(log.timestamps[e])),
                        paths.items[int(paths.codes[t])],
                        share * conv,
                        share * val,
                    )
                )
        return tuple(out)

    def _path_shares(self, a: int, b: int) -> _F64:
        """The touch shares of the path holding touches ``a:b``."""
        if self.shares is not None:
            return self.shares[a:b]
        assert self.paths is not None
        codes = self.paths.codes[a:b]
        same = np.bincount(codes)[codes]
        item_w = self.weights if self.weights is not None else np.ones(len(self.items))
        w = item_w[codes] / same
        total = float(w.sum())
        return w / total if total > 0 else 1.0 / (same * len(np.unique(codes)))

    # -- output ---------------------------------------------------------------------------------

    def to_table(self) -> Table:
        """The credit per item: ``conversions`` (credit), ``value`` (money) and ``share``
        (of the attributed conversions; :attr:`unattributed` conversions are not a row).
        Frames keep the item order and index by item; printed views list the most
        credited first. ``to_pandas()``, ``str()``, the notebook and the report show it.

        >>> from touchpath import EventLog, attribute
        >>> from touchpath.attribution import LastTouch
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "ads",
        ...                               "converted": True}])
        >>> attribute(log, LastTouch()).to_polars().to_dicts()
        [{'channel': 'ads', 'conversions': 1.0, 'value': 0.0, 'share': 1.0}]
        >>> print(attribute(log, LastTouch()))
        LastTouch() by channel: 1 conversions (0 unattributed), value 0.00
        channel  conversions   value   share
        ads              1.0    0.00  100.0%
        """
        total = self.attributed
        share = self.conversions / total if total > 0 else np.zeros_like(self.conversions)
        index = self._index
        return Table(
            (
                Column(index),
                Column("conversions", kind=ColumnKind.CREDIT),
                Column("value", kind=ColumnKind.MONEY),
                Column("share", kind=ColumnKind.RATE),
            ),
            {
                index: list(self.items),
                "conversions": self.conversions,
                "value": self.values,
                "share": share,
            },
            name="credits",
            note=self._display_summary(),
            index=index,
            source="AttributionResult",
            sort="conversions",
        )

    @property
    def _index(self) -> str:
        return self.level.value if self.level else "item"

    def __repr__(self) -> str:
        top = sorted(self.credits().items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        shown = ", ".join(f"{k}: {v:.4g}" for k, v in top)
        return (
            f"<AttributionResult {self.model}: {self.total_conversions:g} conversions "
            f"({self.unattributed:g} unattributed); {shown}>"
        )

    def _display_summary(self) -> str:
        by = self.level.value if self.level is not None else "item"
        return (
            f"{self.model} by {by}: {self.total_conversions:,.6g} conversions "
            f"({self.unattributed:,.6g} unattributed), value {self.total_value:,.2f}"
        )

    def report_section(self, *, title: str | None = None) -> Section:
        """The credit per item as a :class:`touchpath.report.Section` (``Report.add`` calls it).

        >>> from touchpath.attribution import LastTouch, PathCounts, attribute
        >>> s = attribute(PathCounts.from_rows([(["a", "b"], 2, 0, 10.0)]), LastTouch())
        >>> s.report_section().title
        'Attribution: LastTouch()'
        """
        return self.to_table().report_section(title=title or f"Attribution: {self.model}")

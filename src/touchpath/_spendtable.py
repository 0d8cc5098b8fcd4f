"""Spend per channel (and campaign) per day, from a table of its own: a mergeable aggregate.

Spend usually comes from the ad platforms, not from the events; :class:`Spend`
holds it as rows ``(date, channel, campaign, amount)`` and sums it per
:class:`Period` (UTC calendar days, ISO weeks starting Monday, calendar
months, or everything). Attribution results and the revenue metrics read it
through ``spend=``.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt

from ._enums import to_enum
from ._time import parse_timestamps
from .exceptions import ConfigError, SchemaError

__all__ = ["Period", "Spend", "period_labels"]

_I64 = npt.NDArray[np.int64]
_F64 = npt.NDArray[np.float64]

_DAY_US: Final = 86_400 * 10**6
_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EPOCH: Final = dt.date(1970, 1, 1)


class Period(enum.StrEnum):
    """How spend and conversions are grouped in time (UTC).

    >>> Period("month") is Period.MONTH
    True
    """

    DAY = "day"
    """Calendar days."""
    WEEK = "week"
    """ISO weeks (Monday to Sunday), labelled by their Monday."""
    MONTH = "month"
    """Calendar months, labelled ``YYYY-MM``."""
    ALL = "all"
    """Everything in one period, labelled ``all``."""


def to_period(value: object) -> Period:
    """A :class:`Period` from itself or its name."""
    return to_enum(Period, "period", value)


def period_labels(days: _I64, period: Period) -> tuple[_I64, tuple[str, ...]]:
    """Each day's period index and the sorted period labels (days since 1970-01-01, UTC).

    >>> idx, labels = period_labels(np.array([0, 31, 3]), Period.MONTH)
    >>> idx.tolist(), labels
    ([0, 1, 0], ('1970-01', '1970-02'))
    """
    if period is Period.ALL:
        return np.zeros(len(days), dtype=np.int64), ("all",)
    if period is Period.DAY:
        keys = days
    elif period is Period.WEEK:
        keys = days - (days + 3) % 7  # 1970-01-01 was a Thursday
    else:
        as_dates = (days.astype("datetime64[D]")).astype("datetime64[M]")
        keys = as_dates.astype(np.int64)
    uniq, inverse = np.unique(keys, return_inverse=True)
    if period is Period.MONTH:
        labels = tuple(str(np.datetime64(int(k), "M")) for k in uniq.tolist())
    else:
        labels = tuple(str(_EPOCH + dt.timedelta(days=int(k))) for k in uniq.tolist())
    return inverse.reshape(-1).astype(np.int64), labels


def _where(i: int, source: str | None, first_line: int | None) -> dict[str, Any]:
    """Where row ``i`` is, for an error: a file line when known, else the row index."""
    if first_line is None:
        return {"source": f"row {i}" if source is None else f"{source} row {i}"}
    return {"source": source, "line": first_line + i}


def _day(value: object, where: dict[str, Any]) -> int:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return (value - _EPOCH).days
    if isinstance(value, str) and _DATE.match(value):
        try:
            return (dt.date.fromisoformat(value) - _EPOCH).days
        except ValueError:
            raise SchemaError("not a calendar date", **where, value=value) from None
    arr, bad = parse_timestamps([value])
    if bad:
        raise SchemaError(
            f"a spend date must be a date or an aware timestamp ({bad[0]})",
            **where,
            value=value,
        )
    return int(arr[0] // _DAY_US)


@attrs.frozen(eq=False, repr=False)
class Spend:
    """Spend per day, channel and campaign: mergeable with ``+`` (``Spend.zero()``).

    Build it from rows ``(date, channel, campaign, amount)``: a date is
    ``"YYYY-MM-DD"``, a ``datetime.date`` or an aware timestamp (its UTC
    day); ``campaign`` may be None.

    >>> s = Spend.from_rows([("2025-03-01", "ads", "spring", 100.0),
    ...                      ("2025-03-20", "ads", None, 50.0),
    ...                      ("2025-04-02", "seo", None, 10.0)])
    >>> s.by_channel()
    {'ads': 150.0, 'seo': 10.0}
    >>> s.table("channel", period="month")
    {('ads', '2025-03'): 150.0, ('seo', '2025-04'): 10.0}
    >>> (s + Spend.zero()).total
    160.0
    """

    days: _I64
    """UTC day of each row (days since 1970-01-01)."""
    channels: tuple[str, ...]
    """Channel of each row."""
    campaigns: tuple[str | None, ...]
    """Campaign of each row (None: not given)."""
    amounts: _F64
    """Amount of each row."""

    @classmethod
    def zero(cls) -> Spend:
        """No spend, the zero of ``+``."""
        return cls(np.zeros(0, np.int64), (), (), np.zeros(0, np.float64))

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[tuple[Any, str, str | None, float | str]],
        *,
        source: str | None = None,
        first_line: int | None = None,
    ) -> Spend:
        """Build from ``(date, channel, campaign, amount)`` rows; a bad row raises its index.

        With ``source`` and ``first_line`` (the file line of the first row), errors name
        the file and line instead.

        >>> try:
        ...     Spend.from_rows([("2025-01-01", "ads", None, -1)], source="s.csv", first_line=2)
        ... except ValueError as e:
        ...     print(e)
        s.csv line 2: amount must be a finite number >= 0; got -1
        """
        days: list[int] = []
        channels: list[str] = []
        campaigns: list[str | None] = []
        amounts: list[float] = []
        for i, row in enumerate(rows):
            try:
                date, channel, campaign, amount = row
            except (TypeError, ValueError):
                raise SchemaError(
                    "a spend row must be (date, channel, campaign, amount)",
                    **_where(i, source, first_line),
                    value=row,
                ) from None
            name: object = channel
            if not isinstance(name, str) or not name:
                raise SchemaError(
                    "channel must be a non-empty name",
                    **_where(i, source, first_line),
                    value=channel,
                )
            label: object = campaign
            if label is not None and (not isinstance(label, str) or not label):
                raise SchemaError(
                    "campaign must be a non-empty name or None",
                    **_where(i, source, first_line),
                    value=campaign,
                )
            try:
                a = float(amount)
            except (TypeError, ValueError):
                raise SchemaError(
                    "amount must be a number", **_where(i, source, first_line), value=amount
                ) from None
            if not np.isfinite(a) or a < 0:
                raise SchemaError(
                    "amount must be a finite number >= 0",
                    **_where(i, source, first_line),
                    value=amount,
                )
            days.append(_day(date, _where(i, source, first_line)))
            channels.append(channel)
            campaigns.append(campaign)
            amounts.append(a)
        return cls(
            np.asarray(days, np.int64), tuple(channels), tuple(campaigns), np.asarray(amounts)
        )

    def __add__(self, other: Spend) -> Spend:
        if not isinstance(other, Spend):
            return NotImplemented
        return Spend(
            np.concatenate([self.days, other.days]),
            self.channels + other.channels,
            self.campaigns + other.campaigns,
            np.concatenate([self.amounts, other.amounts]),
        )

    def __radd__(self, other: object) -> Spend:
        """``0 + spend`` is ``spend``, so ``sum(parts)`` works."""
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    @property
    def total(self) -> float:
        """All spend."""
        return float(self.amounts.sum())

    def table(
        self, key: str = "channel", *, period: Period | str = Period.ALL
    ) -> dict[tuple[str | None, str], float]:
        """Spend per ``(name, period label)``; names are channels, or campaigns."""
        if key not in ("channel", "campaign"):
            raise ConfigError(f"'key' must be 'channel' or 'campaign'; got {key!r}")
        names = self.channels if key == "channel" else self.campaigns
        index, labels = period_labels(self.days, to_period(period))
        out: dict[tuple[str | None, str], float] = {}
        for name, p, amount in zip(names, index.tolist(), self.amounts.tolist(), strict=True):
            k = (name, labels[p])
            out[k] = out.get(k, 0.0) + amount
        return dict(
            sorted(out.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or "", kv[0][1]))
        )

    def by_channel(self) -> dict[str, float]:
        """Total spend per channel."""
        return {str(k[0]): v for k, v in self.table("channel").items()}

    def __repr__(self) -> str:
        return (
            f"<Spend: {len(self.amounts)} rows, {len(set(self.channels))} channels, {self.total:g}>"
        )

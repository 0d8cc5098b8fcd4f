"""coverage(): what of a journey map an event log contains, and what it cannot answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

import attrs
import numpy as np

from .._model import ChannelKind
from .._schema import CATEGORICAL, Field
from .._table import Column, ColumnKind, Table, TableViews
from ..exceptions import UnsupportedInputError

if TYPE_CHECKING:
    from .._log import EventLog
    from .._map import JourneyMap

__all__ = ["Coverage", "LevelCoverage", "coverage"]

_SHOWN: Final = 8


def _counts(value: Mapping[str, int]) -> dict[str, int]:
    return dict(value)


def _reasons(value: Mapping[str, str]) -> dict[str, str]:
    return dict(value)


def _names(items: list[str] | tuple[str, ...], limit: int = _SHOWN) -> str:
    shown = ", ".join(repr(i) for i in items[:limit])
    more = len(items) - limit
    return shown + (f" and {more} more" if more > 0 else "")


@attrs.frozen
class LevelCoverage:
    """How one level (stages, touchpoints or channels) of a map shows in an event log.

    >>> from touchpath import EventLog, JourneyMap
    >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
    >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "a"},
    ...                              {"journey_id": "j", "timestamp": 1, "stage": "x"},
    ...                              {"journey_id": "j", "timestamp": 2, "channel": "ads"}])
    >>> c = coverage(log, m).stages
    >>> (c.found, c.missing, c.unknown, c.events_without)
    ({'a': 1}, ('b',), {'x': 1}, 1)
    """

    level: str
    """``stage``, ``touchpoint`` or ``channel``."""
    in_map: tuple[str, ...]
    """The map's ids at this level, in the map's order."""
    found: dict[str, int] = attrs.field(converter=_counts)
    """The map's ids that occur in the data, with their event counts."""
    missing: tuple[str, ...]
    """The map's ids no event carries."""
    unknown: dict[str, int] = attrs.field(converter=_counts)
    """Values in the data that the map does not know, with their event counts."""
    events_without: int
    """Events with no value at this level."""

    @property
    def covered(self) -> bool:
        """True when some event carries one of the map's ids at this level."""
        return bool(self.found)


def _level(log: EventLog, field: Field, in_map: tuple[str, ...]) -> LevelCoverage:
    codes, names = log.codes_and_names(field)
    counts = np.bincount(codes[codes >= 0], minlength=len(names)).tolist()
    per = dict(zip(names, counts, strict=True))
    known = set(in_map)
    return LevelCoverage(
        level=field.value,
        in_map=in_map,
        found={i: per[i] for i in in_map if per.get(i, 0)},
        missing=tuple(i for i in in_map if not per.get(i, 0)),
        unknown={n: c for n, c in per.items() if n not in known and c},
        events_without=int(np.count_nonzero(codes < 0)),
    )


@attrs.frozen
class Coverage(TableViews):
    """What of a journey map an event log contains; see :func:`coverage`.

    >>> from touchpath import datasets, templates
    >>> c = coverage(datasets.sample(), templates.get("pay_per_call_marketplace"))
    >>> c.stages.missing, c.empty_columns, len(c.kpis_measurable)
    ((), (), 14)
    """

    journey_map_name: str
    """The map the log was read against."""
    journeys: int
    """Journeys in the log."""
    events: int
    """Events in the log."""
    stages: LevelCoverage
    """The map's stages in the data."""
    touchpoints: LevelCoverage
    """The map's touchpoints in the data."""
    channels: LevelCoverage
    """The map's channels in the data."""
    kpis_measurable: tuple[str, ...]
    """KPIs whose measurement the data can take."""
    kpis_not_measurable: dict[str, str] = attrs.field(converter=_reasons)
    """The other KPIs, each with the reason."""
    empty_columns: tuple[str, ...]
    """Columns no event has a value in (``converted`` when nothing converts, ``value`` and
    ``cost`` when all are 0)."""
    direct_channels: tuple[str, ...] = ()
    """The map's channels of kind ``direct`` (what last-non-direct skips by default)."""

    @property
    def levels(self) -> tuple[LevelCoverage, LevelCoverage, LevelCoverage]:
        """Stages, touchpoints and channels."""
        return (self.stages, self.touchpoints, self.channels)

    @property
    def direct_channels_missing(self) -> tuple[str, ...]:
        """The map's direct channels that no event carries.

        >>> from touchpath import EventLog, templates
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "csm"}])
        >>> coverage(log, templates.get("pay_per_call_marketplace")).direct_channels_missing
        ('live_chat', 'sales')
        """
        return tuple(c for c in self.direct_channels if c not in self.channels.found)

    def notes(self) -> tuple[str, ...]:
        """One sentence per gap between the data and the map (empty when there is none).

        >>> from touchpath import EventLog, JourneyMap
        >>> m = JourneyMap.builder("m").stage("a").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "x"}])
        >>> coverage(log, m).notes()[0]
        'no event has a stage: questions about stages (validation, funnels, transitions) \
cannot be answered'
        """
        out: list[str] = []
        for lv in self.levels:
            if not lv.in_map:
                continue
            if lv.events_without == self.events and self.events:
                what = {
                    "stage": "stages (validation, funnels, transitions)",
                    "touchpoint": "touchpoints",
                    "channel": "channels (attribution)",
                }[lv.level]
                out.append(f"no event has a {lv.level}: questions about {what} cannot be answered")
                continue
            if not lv.found:
                out.append(f"none of the map's {lv.level}s occurs in the data")
            elif lv.missing:
                out.append(
                    f"{len(lv.missing)} of the map's {len(lv.in_map)} {lv.level}s never occur: "
                    + _names(lv.missing)
                )
            if lv.events_without:
                out.append(f"{lv.events_without:,} events have no {lv.level}")
            if lv.unknown:
                n = sum(lv.unknown.values())
                out.append(
                    f"{n:,} events carry {lv.level}s the map does not know: "
                    + _names(list(lv.unknown))
                )
        if self.empty_columns:
            out.append("empty columns: " + ", ".join(self.empty_columns))
        if self.direct_channels and self.direct_channels_missing == self.direct_channels:
            out.append(
                "none of the map's direct channels ("
                + ", ".join(self.direct_channels)
                + ") occurs in the data"
            )
        return tuple(out)

    def __repr__(self) -> str:
        def part(lv: LevelCoverage) -> str:
            return f"{len(lv.found)}/{len(lv.in_map)} {lv.level}s"

        kpis = len(self.kpis_measurable) + len(self.kpis_not_measurable)
        return (
            f"<Coverage {self.journey_map_name!r}: "
            + ", ".join(part(lv) for lv in self.levels)
            + f", {len(self.kpis_measurable)}/{kpis} KPIs measurable; "
            + f"{len(self.notes())} gaps>"
        )

    def _rows(self) -> list[list[object]]:
        rows: list[list[object]] = [
            [
                lv.level + "s",
                len(lv.in_map),
                len(lv.found),
                _names(lv.missing, 3) if lv.missing else None,
                _names(list(lv.unknown), 3) if lv.unknown else None,
                lv.events_without,
            ]
            for lv in self.levels
        ]
        kpis = len(self.kpis_measurable) + len(self.kpis_not_measurable)
        rows.append(
            [
                "KPIs",
                kpis,
                len(self.kpis_measurable),
                _names(list(self.kpis_not_measurable), 3) if self.kpis_not_measurable else None,
                None,
                None,
            ]
        )
        return rows

    def _summary(self) -> str:
        notes = self.notes()
        return repr(self)[1:-1].removeprefix("Coverage ") + (
            ". " + "; ".join(notes) if notes else ". The data covers the whole map."
        )

    def to_table(self) -> Table:
        """One row per level and KPIs: ``level``, ``in_map``, ``in_data``, the ids
        ``missing`` from the data or ``unknown`` to the map (the first three named),
        ``events_without`` a value; the gaps in its note.

        >>> from touchpath import datasets, templates
        >>> c = coverage(datasets.sample(), templates.get("pay_per_call_marketplace"))
        >>> c.to_pandas()["in_data"].tolist()
        [8, 49, 17, 14]
        """
        rows = self._rows()
        count = ColumnKind.COUNT
        return Table.from_rows(
            (
                Column("level"),
                Column("in_map", "in map", count),
                Column("in_data", "in data", count),
                Column("missing", "missing from data"),
                Column("unknown", "unknown to map"),
                Column("events_without", "events without", count),
            ),
            rows,
            name="coverage",
            title="Data coverage",
            note=self._summary(),
            source="Coverage",
        )


def coverage(log: EventLog, journey_map: JourneyMap) -> Coverage:
    """Which of the map's stages, touchpoints, channels and KPIs the data contains.

    For each level: the map's ids that occur (with event counts), those
    that never do, the data's values the map does not know, and the events
    without a value. For KPIs: which measurements the data can take and why
    the others cannot. Columns no event has a value in are listed, so an
    answer that stands on nothing (a journey fitness of a log without
    stages) can say so. :func:`validate` attaches it to its report.

    >>> from touchpath import EventLog, templates
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j", "timestamp": 0, "channel": "direct", "converted": True}])
    >>> c = coverage(log, templates.get("pay_per_call_marketplace"))
    >>> c.channels.unknown, c.stages.events_without, c.empty_columns
    ({'direct': 1}, 1, ('touchpoint', 'stage', 'campaign', 'segment', 'account', 'value', 'cost'))
    """
    from .._log import EventLog
    from .._map import JourneyMap

    if not isinstance(log, EventLog):
        raise UnsupportedInputError(f"coverage needs an EventLog; got {type(log).__name__}")
    if not isinstance(journey_map, JourneyMap):
        raise UnsupportedInputError(
            f"coverage needs the JourneyMap to compare with; got {type(journey_map).__name__}"
        )
    measurable: list[str] = []
    not_measurable: dict[str, str] = {}
    for kpi in journey_map.kpis:
        if kpi.measurement is None:
            not_measurable[kpi.id] = "no measurement declared (event data alone cannot measure it)"
            continue
        why = kpi.measurement.missing(log) if log.n_events else "the data has no events"
        if why is None:
            measurable.append(kpi.id)
        else:
            not_measurable[kpi.id] = why
    empty: list[str] = []
    if log.n_events:
        for field in CATEGORICAL:
            codes, _ = log.codes_and_names(field)
            if not bool((codes >= 0).any()):
                empty.append(field.value)
        if not bool(log.converted.any()):
            empty.append(Field.CONVERTED.value)
        if not bool((log.values != 0).any()):
            empty.append(Field.VALUE.value)
        if not bool((log.costs != 0).any()):
            empty.append(Field.COST.value)
    return Coverage(
        journey_map_name=journey_map.name,
        journeys=len(log),
        events=log.n_events,
        stages=_level(log, Field.STAGE, journey_map.stage_ids),
        touchpoints=_level(log, Field.TOUCHPOINT, tuple(t.id for t in journey_map.touchpoints)),
        channels=_level(log, Field.CHANNEL, tuple(c.id for c in journey_map.channels)),
        kpis_measurable=tuple(measurable),
        kpis_not_measurable=not_measurable,
        empty_columns=tuple(empty),
        direct_channels=tuple(
            sorted(c.id for c in journey_map.channels if c.kind is ChannelKind.DIRECT)
        ),
    )

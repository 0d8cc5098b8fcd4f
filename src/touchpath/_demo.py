"""The analysis behind ``touchpath demo`` and ``touchpath report``: one pass, one HTML report.

:func:`analyse` runs the whole job on an event log and a journey map:
validation against the map, the map's funnel, the attribution models side
by side, the KPI scorecard; :func:`build_report` turns the result into a
self-contained :class:`~touchpath.report.Report` (with charts when
matplotlib is installed, tables only otherwise); :func:`run_demo` does both
on the shipped sample. The command line prints the same results.

Model names are the command line's: :data:`MODEL_NAMES` maps each to its
model class in one table (the only string-keyed model lookup in touchpath).

>>> from touchpath import datasets, templates
>>> analysis = analyse(datasets.sample(), templates.get("pay_per_call_marketplace"))
>>> analysis.comparison.labels[:3], analysis.funnel.entered
(('first-touch', 'last-touch', 'last-non-direct'), 3000)
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from ._deprecation import renamed
from ._model import ChannelKind, channel_kind_map
from ._paths import ByLike
from ._spendtable import Spend
from ._time import DurationLike
from .attribution import (
    Comparison,
    FirstTouch,
    Fractribution,
    LastNonDirect,
    LastTouch,
    Linear,
    Markov,
    OrderedShapley,
    PositionBased,
    Shapley,
    Survival,
    TimeDecay,
    WShaped,
    compare_models,
)
from .exceptions import (
    AssumptionWarning,
    ConfigError,
    NotFoundError,
    TouchpathWarning,
    UndefinedResultWarning,
)
from .metrics import (
    FunnelResult,
    Ratio,
    Scorecard,
    funnel,
    scorecard,
)

if TYPE_CHECKING:
    from ._log import EventLog
    from ._map import JourneyMap
    from .report import Report
    from .typing import AttributionModel
    from .validation import Coverage, MapComparison, TransitionRule, ValidationReport

__all__ = [
    "DEFAULT_REPORT",
    "MODEL_NAMES",
    "Analysis",
    "ModelOptions",
    "analyse",
    "build_models",
    "build_report",
    "default_rules",
    "direct_channels",
    "has_matplotlib",
    "run_demo",
]

DEFAULT_REPORT: Final = "touchpath-report.html"
"""File name of the report ``touchpath demo`` writes (in the current directory)."""

DEMO_TEMPLATE: Final = "pay_per_call_marketplace"


def _csv_names(value: object) -> frozenset[str]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")]
    if not isinstance(value, Sequence | frozenset | set):
        raise ConfigError(f"expected channel names; got {value!r}")
    return frozenset(str(v) for v in value if str(v))


@attrs.frozen
class ModelOptions:
    """The settings of the models that have some (the command line's model options).

    >>> ModelOptions(half_life="14 days").half_life
    '14 days'
    """

    half_life: DurationLike = "7 days"
    """Half-life of ``time-decay`` (text such as ``"7d"``, a timedelta or seconds)."""
    order: int = 1
    """Order of ``markov``."""
    markov_value: str = "removal_share"
    """Value convention of ``markov``: ``removal_share`` or ``last_state`` (ChannelAttribution's;
    see :class:`~touchpath.attribution.MarkovValue`)."""
    first: float = 0.4
    """Share of the first touch for ``position-based``."""
    last: float = 0.4
    """Share of the last touch for ``position-based``."""
    lead_stage: str | None = None
    """Lead stage of ``w-shaped`` (None: ``consideration`` when the map has it)."""
    opportunity_stage: str | None = None
    """Opportunity stage of ``w-shaped`` (None: ``decision`` when the map has it)."""
    direct: frozenset[str] | None = attrs.field(
        default=None, converter=attrs.converters.optional(_csv_names)
    )
    """Direct channels of ``last-non-direct`` (None: the channels of kind ``direct`` in
    :attr:`channel_kinds`, the log's and the map's, else ``direct``)."""
    shapley_game: str = "conversions"
    """Game of ``shapley``: ``conversions`` or ``conversion_rate``."""
    channel_kinds: Mapping[str, ChannelKind] = attrs.field(factory=dict, converter=channel_kind_map)
    """The data's channel kinds given on the call (``--channel-kind tv=direct``); they take
    precedence over the log's (:meth:`~touchpath.EventLog.with_channel_kinds`) and the map's."""


def direct_channels(
    options: ModelOptions | None = None,
    journey_map: JourneyMap | None = None,
    log: EventLog | None = None,
) -> tuple[frozenset[str], str]:
    """The channels ``last-non-direct`` skips, and where they come from.

    In order: ``options.direct``; else the channels of kind ``direct`` in the
    kinds given on the call, on the log and on the map (the call's override
    the log's, which override the map's); else ``{"direct"}``. With a log,
    direct channels taken from the kinds that occur nowhere in the data
    issue :class:`~touchpath.exceptions.AssumptionWarning` naming them (the
    model would skip nothing it was meant to).

    >>> from touchpath import EventLog, templates
    >>> m = templates.get("pay_per_call_marketplace")
    >>> sorted(direct_channels(None, m)[0]), direct_channels(None, m)[1]
    (['csm', 'live_chat', 'sales'], "the map's channel kinds")
    >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "channel": "direct"}])
    >>> found, where = direct_channels(ModelOptions(channel_kinds={"direct": "direct"}), m, log)
    >>> sorted(found), where
    (['csm', 'direct', 'live_chat', 'sales'], "the channel kinds given and the map's channel kinds")
    """
    options = options or ModelOptions()
    if options.direct is not None:
        return options.direct, "--direct"
    kinds: dict[str, tuple[ChannelKind, str]] = {}
    if journey_map is not None:
        kinds.update((c.id, (c.kind, "the map's channel kinds")) for c in journey_map.channels)
    if log is not None:
        kinds.update((c, (k, "the log's channel kinds")) for c, k in log.channel_kinds.items())
    kinds.update((c, (k, "the channel kinds given")) for c, k in options.channel_kinds.items())
    direct = {c: where for c, (k, where) in kinds.items() if k is ChannelKind.DIRECT}
    if not direct:
        return frozenset({"direct"}), "the default"
    sources = sorted(set(direct.values()))
    found = frozenset(direct)
    if log is not None and log.n_events and not found & set(log.channel_ids):
        warnings.warn(
            "last-non-direct treats " + ", ".join(sorted(found)) + f" as direct ({sources[0]}), "
            "but none of them occurs in the data, so it skips no touch; give the data's direct "
            "channels (--direct, --channel-kind CHANNEL=direct, or EventLog.with_channel_kinds)",
            AssumptionWarning,
            stacklevel=2,
        )
    return found, " and ".join(sources)


def _w_stages(options: ModelOptions, journey_map: JourneyMap | None) -> tuple[str, str] | None:
    lead, opportunity = options.lead_stage, options.opportunity_stage
    if lead is not None and opportunity is not None:
        return lead, opportunity
    if lead is not None or opportunity is not None:
        raise ConfigError(
            "w-shaped needs both a lead stage and an opportunity stage; "
            f"got lead={lead!r}, opportunity={opportunity!r}"
        )
    if journey_map is not None and {"consideration", "decision"} <= set(journey_map.stage_ids):
        return "consideration", "decision"
    return None


_Factory = Callable[["ModelOptions", "JourneyMap | None"], "AttributionModel | None"]


def _w_shaped(options: ModelOptions, journey_map: JourneyMap | None) -> AttributionModel | None:
    stages = _w_stages(options, journey_map)
    return None if stages is None else WShaped(*stages)


MODEL_NAMES: Final[Mapping[str, _Factory]] = {
    "first-touch": lambda o, m: FirstTouch(),
    "last-touch": lambda o, m: LastTouch(),
    "last-non-direct": lambda o, m: LastNonDirect(direct=direct_channels(o, m)[0]),
    "linear": lambda o, m: Linear(),
    "time-decay": lambda o, m: TimeDecay(half_life=o.half_life),
    "position-based": lambda o, m: PositionBased(first=o.first, last=o.last),
    "w-shaped": _w_shaped,
    "markov": lambda o, m: Markov(order=o.order, value=o.markov_value),
    "shapley": lambda o, m: Shapley(game=o.shapley_game),
    "ordered-shapley": lambda o, m: OrderedShapley(game=o.shapley_game),
    "fractribution": lambda o, m: Fractribution(),
    "survival": lambda o, m: Survival(half_life=o.half_life),
}
"""Command-line model name -> a factory of the model from :class:`ModelOptions` and the map.

``w-shaped`` gives None when its stages are neither given nor found in the map."""


def build_models(
    names: Sequence[str] | None = None,
    options: ModelOptions | None = None,
    journey_map: JourneyMap | None = None,
) -> tuple[dict[str, AttributionModel], list[str]]:
    """The models of ``names`` (default: all), keyed by name, and the names left out (why).

    A model named explicitly that cannot be built raises
    :class:`~touchpath.exceptions.ConfigError`; with ``names=None``,
    ``w-shaped`` is left out (and reported) when its stages are unknown.

    >>> models, skipped = build_models(["linear", "markov"])
    >>> list(models), skipped
    (['linear', 'markov'], [])
    >>> build_models(None)[1]
    ['w-shaped: give --lead-stage and --opportunity-stage']
    """
    options = options or ModelOptions()
    chosen = list(MODEL_NAMES) if names is None else list(names)
    models: dict[str, AttributionModel] = {}
    skipped: list[str] = []
    for name in chosen:
        factory = MODEL_NAMES.get(name)
        if factory is None:
            raise NotFoundError("attribution model", name, choices=list(MODEL_NAMES))
        model = factory(options, journey_map)
        if model is None:
            if names is not None:
                raise ConfigError(
                    "w-shaped needs --lead-stage and --opportunity-stage (or a map with "
                    "'consideration' and 'decision' stages)"
                )
            skipped.append(f"{name}: give --lead-stage and --opportunity-stage")
            continue
        models[name] = model
    return models, skipped


def default_rules(journey_map: JourneyMap) -> tuple[TransitionRule, ...]:
    """The report's validation rules: the defaults, plus a warning-level
    :class:`~touchpath.validation.Deadline` for every KPI of the map measured as
    :class:`~touchpath.measurements.ReachWithin` (a stage to reach within a time).

    >>> from touchpath import templates
    >>> [r.name for r in default_rules(templates.get("pay_per_call_marketplace"))][3:]
    ["Deadline('onboarding' -> 'activation' within 1 day)", \
"Deadline('onboarding' -> 'activation' within 4 weeks 2 days)"]
    >>> len(default_rules(templates.get("b2b_five_stage")))
    3
    """
    from ._measurement import ReachWithin
    from .validation import DEFAULT_RULES, Deadline

    rules: list[TransitionRule] = list(DEFAULT_RULES)
    for kpi in journey_map.kpis:
        m = kpi.measurement
        if isinstance(m, ReachWithin) and m.level == "stage":
            rule = Deadline(m.source, m.target, m.window, severity="warning")
            if rule not in rules:
                rules.append(rule)
    return tuple(rules)


@attrs.frozen(eq=False)
class Analysis:
    """Everything ``touchpath demo`` and ``touchpath report`` compute for one log and map.

    >>> from touchpath import datasets, templates
    >>> a = analyse(datasets.sample(), templates.get("pay_per_call_marketplace"))
    >>> a.validation.counts.journeys, len(a.scorecard.scores)
    (3000, 19)
    """

    journey_map: JourneyMap
    """The map the log is read against."""
    log: EventLog
    """The observed journeys."""
    validation: ValidationReport
    """The log validated against the map."""
    map_comparison: MapComparison
    """Observed transitions set against the map's edges: the overlay the report's map
    diagram and transitions chart draw."""
    funnel: FunnelResult
    """The map's stages as a funnel."""
    comparison: Comparison
    """The attribution models side by side (labels are the command-line names)."""
    skipped_models: tuple[str, ...]
    """Models left out of the comparison, with the reason."""
    scorecard: Scorecard
    """The map's KPIs against what the log measures (and any given values)."""
    direct_channels: tuple[str, ...] = ()
    """The channels ``last-non-direct`` skips as direct, sorted (shown with its results)."""
    direct_source: str = ""
    """Where :attr:`direct_channels` come from (``--direct``, the map's channel kinds, ...)."""
    notes: tuple[str, ...] = ()
    """What the data cannot answer: the touchpath warnings raised while analysing (an
    undefined fitness, a funnel nobody enters, direct channels absent from the data, ...)."""

    @property
    def coverage(self) -> Coverage:
        """What of the map the log contains (the validation's coverage)."""
        from .validation import coverage

        return self.validation.coverage or coverage(self.log, self.journey_map)

    spend: Spend | None = None
    """Spend per channel and period, if given: the report then shows CPA and ROAS."""


@renamed(by="level")
def analyse(
    log: EventLog,
    journey_map: JourneyMap,
    *,
    models: Sequence[str] | None = None,
    options: ModelOptions | None = None,
    rules: Sequence[TransitionRule] | None = None,
    kpis: Mapping[str, float | Ratio] | None = None,
    level: ByLike = "channel",
    spend: Spend | None = None,
) -> Analysis:
    """Validate, count the funnel, compare the models and score the KPIs, in one call.

    ``rules`` default to :func:`default_rules` of the map; ``kpis`` are measured values
    added to (and overriding) what :func:`touchpath.scorecard` measures from the log
    with the measurements the map's KPIs declare. The touchpath warnings raised on the
    way (:class:`~touchpath.exceptions.TouchpathWarning`) are kept in
    :attr:`Analysis.notes`, which the report and the command line show, instead of
    being printed; other warnings pass through. ``spend`` (a
    :class:`~touchpath.Spend` table) adds CPA and ROAS per model to the report.

    >>> from touchpath import datasets, templates
    >>> a = analyse(datasets.sample(), templates.get("pay_per_call_marketplace"),
    ...             models=["linear"], kpis={"nps": 61})
    >>> a.comparison.labels, a.scorecard["nps"].status.value, a.notes
    (('linear',), 'met', ())
    """
    from .validation import compare_to_map, validate

    options = options or ModelOptions()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TouchpathWarning)
        wants_direct = models is None or "last-non-direct" in models
        direct, direct_source = direct_channels(options, journey_map, log if wants_direct else None)
        options = attrs.evolve(options, direct=direct)
        chosen, skipped = build_models(models, options, journey_map)
        if not chosen:
            raise ConfigError("no attribution model to run; name at least one")
        report = validate(log, journey_map, default_rules(journey_map) if rules is None else rules)
        if report.undefined_reason is not None:
            warnings.warn(report.undefined_reason, UndefinedResultWarning, stacklevel=1)
        map_comparison = compare_to_map(log, journey_map)
        if not map_comparison.transitions:
            warnings.warn(_NO_MOVES, UndefinedResultWarning, stacklevel=1)
        analysis = Analysis(
            journey_map=journey_map,
            log=log,
            validation=report,
            map_comparison=map_comparison,
            funnel=funnel(log, journey_map=journey_map),
            comparison=compare_models(log, chosen, level=level),
            skipped_models=tuple(skipped),
            scorecard=scorecard(log, journey_map, dict(kpis or {})),
            direct_channels=tuple(sorted(direct)) if "last-non-direct" in chosen else (),
            direct_source=direct_source,
            spend=spend,
        )
    notes: list[str] = []
    for w in caught:
        if issubclass(w.category, TouchpathWarning):
            if str(w.message) not in notes:
                notes.append(str(w.message))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return attrs.evolve(analysis, notes=tuple(notes))


_NO_MOVES: Final = (
    "no journey moves from one stage to another in the data (no stage changes), so there "
    "are no transitions to draw"
)


def has_matplotlib() -> bool:
    """Whether matplotlib can be imported (the report then has charts)."""
    return importlib.util.find_spec("matplotlib") is not None


def _figure(width: float, height: float) -> Any:
    """A matplotlib figure made without pyplot (no global state, no GUI backend)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def build_report(
    analysis: Analysis,
    *,
    title: str | None = None,
    summary: str | None = None,
    charts: bool = True,
) -> Report:
    """The HTML report of an analysis: map, data, validation, funnel, flows, attribution, KPIs.

    With ``charts`` and matplotlib installed, the funnel, the transitions,
    the attribution comparison and the time to convert are drawn as
    embedded PNG images next to their tables; without matplotlib the report
    has the tables only, and says so.

    >>> from touchpath import datasets, templates
    >>> a = analyse(datasets.sample(), templates.get("pay_per_call_marketplace"))
    >>> [s.title for s in build_report(a, charts=False).sections]  # doctest: +NORMALIZE_WHITESPACE
    ['Journey map', 'Event data', 'Data coverage', 'Validation', 'Funnel',
     'Attribution by model', 'KPI scorecard', 'Charts']

    A section the data cannot fill (no stage, no move, no measurable KPI) is a
    note saying why, never an empty chart; :attr:`Analysis.notes` open the
    report under "What the data cannot answer".
    """
    from . import plot
    from .report import Report, Section

    m, log = analysis.journey_map, analysis.log
    report = Report(
        title or f"Journeys against {m.name!r}",
        summary=summary
        or (
            f"{len(log):,} journeys ({log.n_events:,} events) read against the "
            f"{m.name!r} journey map: how they conform to it, how far they get, which "
            "channels get the credit, and where the stage KPIs stand."
        ),
    )
    report.add(
        Section.journey_map(
            m,
            observed=analysis.map_comparison,
            note="Designed stages and transitions; edge widths show the observed moves.",
        )
    )
    report.add(Section.event_log(log))
    if analysis.notes:
        report.add(
            Section.text(
                "What the data cannot answer",
                *(n[:1].upper() + n[1:] + "." for n in analysis.notes),
                note="Sections below that stand on these are left empty, with the reason.",
            )
        )
    report.add(analysis.coverage)
    report.add(analysis.validation)
    with_charts = charts and has_matplotlib()
    report.add(analysis.funnel)
    if with_charts and analysis.funnel.entered:
        fig = _figure(8.0, 0.45 * len(analysis.funnel.steps) + 1.4)
        plot.funnel(analysis.funnel, ax=fig.add_subplot())
        report.add(Section.matplotlib("Funnel chart", fig))
    if with_charts and analysis.map_comparison.transitions:
        fig = _figure(9.0, 4.0)
        plot.transitions(analysis.map_comparison, ax=fig.add_subplot())
        report.add(
            Section.matplotlib(
                "Transitions", fig, note="Forward moves above the row of stages, moves back below."
            )
        )
    elif with_charts:
        report.add(Section.text("Transitions", _NO_MOVES[:1].upper() + _NO_MOVES[1:] + "."))
    section = analysis.comparison.report_section()
    if analysis.direct_channels:
        section = attrs.evolve(
            section,
            note=(section.note + " " if section.note else "")
            + "Last-non-direct treated as direct: "
            + ", ".join(analysis.direct_channels)
            + f" (from {analysis.direct_source}).",
        )
    report.add(section)
    if analysis.spend is not None:
        from .attribution._spend import spend_section

        report.add(spend_section(analysis.comparison, analysis.spend))
    if with_charts:
        fig = _figure(9.0, 4.8)
        plot.attribution(analysis.comparison, ax=fig.add_subplot())
        report.add(Section.matplotlib("Attribution chart", fig))
        fig = _figure(8.0, 3.6)
        plot.time_to_convert(log, ax=fig.add_subplot())
        report.add(Section.matplotlib("Time to convert", fig))
    report.add(analysis.scorecard)
    if charts and not with_charts:
        report.add(
            Section.text(
                "Charts",
                "Charts are left out because matplotlib is not installed: "
                "pip install 'touchpath[plot]'.",
            )
        )
    elif not charts:
        report.add(Section.text("Charts", "Charts were turned off for this report."))
    return report


def run_demo(
    output: str | os.PathLike[str] = DEFAULT_REPORT, *, charts: bool = True
) -> tuple[Analysis, Path]:
    """The demo: the shipped sample against ``pay_per_call_marketplace``, report written.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     analysis, path = run_demo(pathlib.Path(d) / "r.html", charts=False)
    ...     path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    True
    """
    from . import datasets, templates

    analysis = analyse(datasets.sample(), templates.get(DEMO_TEMPLATE))
    report = build_report(
        analysis,
        title="touchpath demo: the pay-per-call marketplace",
        charts=charts,
    )
    return analysis, report.write(output).resolve()

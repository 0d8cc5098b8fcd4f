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
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from ._model import ChannelKind
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
    compare,
)
from .exceptions import ConfigError, NotFoundError
from .metrics import (
    FunnelResult,
    Ratio,
    Scorecard,
    funnel,
    scorecard,
    stage_conversion,
    time_between,
    transition_graph,
)

if TYPE_CHECKING:
    import networkx as nx

    from ._log import EventLog
    from ._map import JourneyMap
    from .report import Report
    from .typing import AttributionModel
    from .validation import MapComparison, TransitionRule, ValidationReport

__all__ = [
    "DEFAULT_REPORT",
    "MODEL_NAMES",
    "Analysis",
    "ModelOptions",
    "analyse",
    "build_models",
    "build_report",
    "default_rules",
    "has_matplotlib",
    "measure_kpis",
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
    """Direct channels of ``last-non-direct`` (None: the map's direct channels, else
    ``direct``)."""
    shapley_game: str = "conversions"
    """Game of ``shapley``: ``conversions`` or ``conversion_rate``."""


def _direct(options: ModelOptions, journey_map: JourneyMap | None) -> frozenset[str]:
    if options.direct is not None:
        return options.direct
    if journey_map is not None:
        found = frozenset(c.id for c in journey_map.channels if c.kind is ChannelKind.DIRECT)
        if found:
            return found
    return frozenset({"direct"})


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
    "last-non-direct": lambda o, m: LastNonDirect(direct=_direct(o, m)),
    "linear": lambda o, m: Linear(),
    "time-decay": lambda o, m: TimeDecay(half_life=o.half_life),
    "position-based": lambda o, m: PositionBased(first=o.first, last=o.last),
    "w-shaped": _w_shaped,
    "markov": lambda o, m: Markov(order=o.order),
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
    """The report's validation rules: the defaults, plus, for a map with ``onboarding`` and
    ``activation`` stages, the 24-hour activation deadline as a warning.

    >>> from touchpath import templates
    >>> [r.name for r in default_rules(templates.get("pay_per_call_marketplace"))][-1]
    "Deadline('onboarding' -> 'activation' within 1 day)"
    >>> len(default_rules(templates.get("b2b_five_stage")))
    3
    """
    from .validation import DEFAULT_RULES, Deadline

    rules: tuple[TransitionRule, ...] = tuple(DEFAULT_RULES)
    if {"onboarding", "activation"} <= set(journey_map.stage_ids):
        rules += (Deadline("onboarding", "activation", "24 hours", severity="warning"),)
    return rules


def measure_kpis(log: EventLog, journey_map: JourneyMap) -> dict[str, float | Ratio]:
    """The KPIs of the map that an event log can measure, keyed by KPI id.

    Only KPIs the map has, and only from stages and touchpoints the log has
    (the KPIs of the ``pay_per_call_marketplace`` template):

    - ``trial_signup_rate``: journeys reaching the ``trial_signup``
      touchpoint, of all journeys;
    - ``trial_to_paid``: journeys reaching ``decision`` that go on to
      ``onboarding``;
    - ``activation_24h`` / ``activation_30d``: journeys reaching
      ``activation`` within 24 hours / 30 days of entering ``onboarding``;
    - ``time_to_value_hours``: median hours from ``onboarding`` to ``activation``.

    Everything else (churn, NPS, revenue retention) needs billing or survey
    data and stays unmeasured.

    >>> from touchpath import datasets, templates
    >>> kpis = measure_kpis(datasets.sample(), templates.get("pay_per_call_marketplace"))
    >>> sorted(kpis)  # doctest: +NORMALIZE_WHITESPACE
    ['activation_24h', 'activation_30d', 'time_to_value_hours', 'trial_signup_rate',
     'trial_to_paid']
    """
    ids = {k.id for k in journey_map.kpis}
    stages = set(log.stages)
    out: dict[str, float | Ratio] = {}
    if "trial_signup_rate" in ids and "trial_signup" in log.touchpoints:
        signup = funnel(log, ["trial_signup"], level="touchpoint")
        out["trial_signup_rate"] = Ratio(signup.entered, signup.counts.population)
    if "trial_to_paid" in ids and {"decision", "onboarding"} <= stages:
        out["trial_to_paid"] = stage_conversion(log, "decision", "onboarding")
    if {"onboarding", "activation"} <= stages:
        day = time_between(log, "onboarding", "activation", within="24 hours")
        month = time_between(log, "onboarding", "activation", within="30 days")
        if "activation_24h" in ids and day.share_within is not None:
            out["activation_24h"] = day.share_within
        if "activation_30d" in ids and month.share_within is not None:
            out["activation_30d"] = month.share_within
        median = day.durations.median
        if "time_to_value_hours" in ids and median is not None:
            out["time_to_value_hours"] = median.total_seconds() / 3600
    return out


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
    """Observed transitions set against the map's edges."""
    observed: nx.DiGraph[str]
    """The observed stage transitions (:func:`touchpath.transition_graph`)."""
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
    spend: Spend | None = None
    """Spend per channel and period, if given: the report then shows CPA and ROAS."""


def analyse(
    log: EventLog,
    journey_map: JourneyMap,
    *,
    models: Sequence[str] | None = None,
    options: ModelOptions | None = None,
    rules: Sequence[TransitionRule] | None = None,
    kpis: Mapping[str, float | Ratio] | None = None,
    by: ByLike = "channel",
    spend: Spend | None = None,
) -> Analysis:
    """Validate, count the funnel, compare the models and score the KPIs, in one call.

    ``rules`` default to :func:`default_rules` of the map; ``kpis`` are measured values
    added to (and overriding) what :func:`measure_kpis` finds; ``spend`` (a
    :class:`~touchpath.Spend` table) adds CPA and ROAS per model to the report.

    >>> from touchpath import datasets, templates
    >>> a = analyse(datasets.sample(), templates.get("pay_per_call_marketplace"),
    ...             models=["linear"], kpis={"nps": 61})
    >>> a.comparison.labels, a.scorecard["nps"].status.value
    (('linear',), 'met')
    """
    from .validation import compare_to_map, validate

    chosen, skipped = build_models(models, options, journey_map)
    if not chosen:
        raise ConfigError("no attribution model to run; name at least one")
    measured: dict[str, float | Ratio] = {**measure_kpis(log, journey_map), **(kpis or {})}
    return Analysis(
        journey_map=journey_map,
        log=log,
        validation=validate(
            log, journey_map, default_rules(journey_map) if rules is None else rules
        ),
        map_comparison=compare_to_map(log, journey_map),
        observed=transition_graph(log),
        funnel=funnel(log, journey_map=journey_map),
        comparison=compare(log, chosen, by=by),
        skipped_models=tuple(skipped),
        scorecard=scorecard(journey_map, measured),
        direct_channels=tuple(sorted(_direct(options or ModelOptions(), journey_map))),
        spend=spend,
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
    ['Journey map', 'Event data', 'Validation', 'Funnel', 'Attribution by model',
     'KPI scorecard', 'Charts']
    """
    from . import plot
    from .report import Report

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
    report.add_map(
        m,
        observed=analysis.observed,
        note="Designed stages and transitions; edge widths show the observed moves.",
    )
    report.add_event_log(log)
    report.add(analysis.validation)
    with_charts = charts and has_matplotlib()
    report.add(analysis.funnel)
    if with_charts:
        fig = _figure(8.0, 0.45 * len(analysis.funnel.steps) + 1.4)
        plot.funnel(analysis.funnel, ax=fig.add_subplot())
        report.add_matplotlib("Funnel chart", fig)
        fig = _figure(9.0, 4.0)
        plot.transitions(analysis.observed, journey_map=m, ax=fig.add_subplot())
        report.add_matplotlib(
            "Transitions", fig, note="Forward moves above the row of stages, moves back below."
        )
    report.add(analysis.comparison)
    if analysis.spend is not None:
        from .attribution._spend import spend_section

        report.add(spend_section(analysis.comparison, analysis.spend))
    if with_charts:
        fig = _figure(9.0, 4.8)
        plot.attribution(analysis.comparison, ax=fig.add_subplot())
        report.add_matplotlib("Attribution chart", fig)
        fig = _figure(8.0, 3.6)
        plot.time_to_convert(log, ax=fig.add_subplot())
        report.add_matplotlib("Time to convert", fig)
    report.add(analysis.scorecard)
    if charts and not with_charts:
        report.add_text(
            "Charts",
            "Charts are left out because matplotlib is not installed: "
            "pip install 'touchpath[plot]'.",
        )
    elif not charts:
        report.add_text("Charts", "Charts were turned off for this report.")
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

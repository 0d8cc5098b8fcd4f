"""Charts of journey results with matplotlib (``pip install 'touchpath[plot]'``).

Each function draws one chart on ``ax`` (a new figure when ``ax`` is None)
and returns the matplotlib ``Axes``; titles, axis labels and legends are
set, so the chart reads on its own. matplotlib is imported only when a
function is called: ``import touchpath.plot`` works without it, and a call
without it raises :class:`~touchpath.exceptions.MissingDependencyError`.

:func:`funnel`
    Bars per funnel step, shaped like a funnel, with counts and rates (one
    bar per group with a breakdown).
:func:`attribution`
    Credit per channel (touchpoint, stage, campaign), grouped bars per model
    (a heat map of channels x models for many models).
:func:`transitions`
    The observed moves between stages as a layered flow picture, forward
    moves above the row of stages and moves back below it; with a journey
    map, moves the map does not have are marked.
:func:`path_flow`
    A Sankey of the first steps of journeys, with conversion and drop-off sinks.
:func:`step_matrix`
    A heat map of the share of journeys at each item at each step (or the
    difference of two segments).
:func:`top_paths`
    The top conversion paths with conversions, conversion rate and value.
:func:`retention`
    A cohort retention heat map.
:func:`time_to_convert`
    The distribution of time from a journey's first event to its first
    conversion, with the median marked.

>>> from matplotlib.figure import Figure
>>> from touchpath import EventLog, metrics, plot
>>> log = EventLog.from_records([
...     {"journey_id": "a", "timestamp": 0, "stage": "visit"},
...     {"journey_id": "a", "timestamp": 60, "stage": "trial"},
...     {"journey_id": "b", "timestamp": 0, "stage": "visit"}])
>>> ax = plot.funnel(metrics.funnel(log, ["visit", "trial"]), ax=Figure().add_subplot())
>>> ax.get_title()
'Funnel: 2 journeys entered, 1 completed (50.0%)'
"""

from ._charts import attribution as attribution
from ._charts import funnel as funnel
from ._charts import time_to_convert as time_to_convert
from ._charts import transitions as transitions
from ._views import path_flow as path_flow
from ._views import retention as retention
from ._views import step_matrix as step_matrix
from ._views import top_paths as top_paths

__all__ = [
    "attribution",
    "funnel",
    "path_flow",
    "retention",
    "step_matrix",
    "time_to_convert",
    "top_paths",
    "transitions",
]

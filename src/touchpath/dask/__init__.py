"""Scale-out on Dask: the same attribution, validation and metrics on a cluster.

Every function takes a ``dask.dataframe.DataFrame`` of events (one row per
event, the columns of :class:`touchpath.Schema`), partitions it by journey,
reads each partition as an :class:`~touchpath.EventLog` on the workers,
reduces it to a small mergeable aggregate (path, transition, coalition,
funnel, transition-graph or validation counts), merges the aggregates with
``+`` in a tree and solves once on the client. The results equal the
single-process results on the same events. They run on the current Dask
scheduler: a ``distributed.Client`` (a local cluster or a remote scheduler)
when one is active. Needs ``touchpath[dask]``; ``import touchpath`` never
imports Dask.

>>> import dask.dataframe as dd
>>> import pandas as pd
>>> from touchpath.attribution import LastTouch
>>> events = pd.DataFrame({
...     "journey_id": ["a", "a", "b"],
...     "timestamp": ["2025-01-01T09:00:00Z", "2025-01-02T09:00:00Z", "2025-01-01T10:00:00Z"],
...     "channel": ["ads", "email", "seo"],
...     "converted": [False, True, True]})
>>> attribute(dd.from_pandas(events, npartitions=2), LastTouch()).credits()
{'ads': 0.0, 'email': 1.0, 'seo': 1.0}
"""

from ..exceptions import MissingDependencyError

try:
    import dask.dataframe  # noqa: F401
except ImportError:  # pragma: no cover - depends on the environment
    raise MissingDependencyError.for_extra("dask", "touchpath.dask") from None

from ._api import aggregate as aggregate
from ._api import attribute as attribute
from ._api import dwell_times as dwell_times
from ._api import funnel as funnel
from ._api import transition_graph as transition_graph
from ._api import validate as validate

__all__ = [
    "aggregate",
    "attribute",
    "dwell_times",
    "funnel",
    "transition_graph",
    "validate",
]

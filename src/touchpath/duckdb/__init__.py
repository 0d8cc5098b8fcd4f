"""Events larger than memory: touchpath's aggregates computed inside DuckDB.

:func:`path_counts` turns Parquet files, a DuckDB table or a relation into
a :class:`~touchpath.PathCounts` in SQL, with DuckDB's memory bounded by its
``memory_limit`` (it spills to disk beyond); :func:`transition_counts` and
:func:`coalition_counts` give the Markov and Shapley tables from it, and the
exact solvers run in numpy on these small tables; :func:`funnel_counts` gives a
sequential funnel's :class:`~touchpath.metrics.FunnelCounts` and
:func:`validation_counts` the :class:`~touchpath.validation.ValidationCounts` of the
rules in :data:`SQL_RULES`. Needs
``touchpath[duckdb]``; ``import touchpath`` never imports DuckDB.

>>> import duckdb
>>> from touchpath.attribution import LastTouch, attribute
>>> rel = duckdb.sql(
...     "SELECT * FROM (VALUES ('a', TIMESTAMPTZ '2025-01-01 09:00Z', 'ads', true)) "
...     "t(journey_id, timestamp, channel, converted)")
>>> attribute(path_counts(rel), LastTouch()).credits()
{'ads': 1.0}
"""

from ._funnel import funnel_counts as funnel_counts
from ._reduce import coalition_counts as coalition_counts
from ._reduce import path_counts as path_counts
from ._reduce import transition_counts as transition_counts
from ._validate import SQL_RULES as SQL_RULES
from ._validate import validation_counts as validation_counts

__all__ = [
    "SQL_RULES",
    "coalition_counts",
    "funnel_counts",
    "path_counts",
    "transition_counts",
    "validation_counts",
]

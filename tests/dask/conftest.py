"""A real Dask cluster for the ``touchpath.dask`` tests: two worker processes, shared.

Starting a cluster takes about a second, so one is started per test session
(per xdist worker) and only when a test asks for it. Dask is imported inside the
fixtures: without it, the test modules skip themselves (``pytest.importorskip``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from touchpath import EventLog, datasets, templates

N_WORKERS = 2


@pytest.fixture(scope="session")
def client() -> Iterator[Any]:
    """A ``distributed.Client`` on a ``LocalCluster`` of 2 single-threaded worker processes."""
    import distributed

    local_cluster: Any = distributed.LocalCluster  # distributed's constructors are untyped
    connect: Any = distributed.Client
    with (
        local_cluster(
            n_workers=N_WORKERS,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: no clash with other clusters
            silence_logs=logging.ERROR,  # the P2P shuffle logs two warnings per shuffle
        ) as cluster,
        connect(cluster) as connected,
    ):
        yield connected


@pytest.fixture(scope="session")
def events() -> EventLog:
    """A synthetic log: 1,200 journeys through ``pay_per_call_marketplace`` (no timestamp ties)."""
    log = datasets.synthetic(templates.get("pay_per_call_marketplace"), 1200, seed=11)
    assert log.ties == 0
    return log


@pytest.fixture(scope="session")
def frame(events: EventLog) -> Any:
    """The events as a pandas DataFrame with text journey and account ids (as read from files)."""
    df = events.to_pandas()
    assert df["account"].notna().all()
    return df.astype({"journey_id": str, "account": str})

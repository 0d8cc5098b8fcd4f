"""``touchpath.dask`` refuses bad input with touchpath errors, before doing any work.

These tests need Dask but no cluster: they run on Dask's default scheduler.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from touchpath import templates
from touchpath.attribution import Linear
from touchpath.exceptions import (
    ConfigError,
    NotFoundError,
    SchemaError,
    UnsupportedInputError,
)

REASON = "the dask tests need touchpath[dask] (dask and distributed)"
dd = pytest.importorskip("dask.dataframe", reason=REASON)
pytest.importorskip("distributed", reason=REASON)
td = pytest.importorskip("touchpath.dask", reason=REASON)

import pandas as pd  # noqa: E402

pytestmark = pytest.mark.dask

MAP = templates.get("b2b_five_stage")


def small() -> pd.DataFrame:
    """Three events of two journeys."""
    return pd.DataFrame(
        {
            "journey_id": ["a", "a", "b"],
            "timestamp": pd.to_datetime([1, 2, 1], unit="D", utc=True),
            "stage": ["awareness", "consideration", "awareness"],
            "channel": ["ads", "seo", "ads"],
        }
    )


def explode(df: pd.DataFrame) -> pd.DataFrame:
    """A partition function that fails: any work on the frame below raises."""
    raise RuntimeError("the data was computed")


def untouchable() -> Any:
    """A Dask DataFrame whose partitions raise RuntimeError when computed."""
    ddf = dd.from_pandas(small(), npartitions=2)
    return ddf.map_partitions(explode, meta=ddf._meta)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        pytest.param(
            lambda ddf: td.funnel(ddf, ["awareness"], order="sideways"),
            ConfigError,
            r"'order' must be one of",
            id="funnel-order",
        ),
        pytest.param(
            lambda ddf: td.funnel(ddf),
            ConfigError,
            r"a funnel needs its steps",
            id="funnel-without-steps",
        ),
        pytest.param(
            lambda ddf: td.funnel(ddf, ["awareness"], window="-3 days"),
            ConfigError,
            r"window",
            id="funnel-window",
        ),
        pytest.param(
            lambda ddf: td.validate(ddf, MAP, now="yesterday"),
            ConfigError,
            r"'now' must be an aware timestamp",
            id="validate-now",
        ),
        pytest.param(
            lambda ddf: td.validate(ddf, MAP, [Linear()]),
            ConfigError,
            r"TransitionRule protocol",
            id="validate-rules",
        ),
        pytest.param(
            lambda ddf: td.validate(ddf, "b2b_five_stage"),
            UnsupportedInputError,
            r"needs a JourneyMap",
            id="validate-map",
        ),
        pytest.param(
            lambda ddf: td.attribute(ddf, "linear"),
            ConfigError,
            r"'model' must be an attribution model",
            id="attribute-model",
        ),
        pytest.param(
            lambda ddf: td.attribute(ddf, Linear(), level="colour"),
            ConfigError,
            r"'level' must be one of",
            id="attribute-level",
        ),
        pytest.param(
            lambda ddf: td.transition_graph(ddf, level="planet"),
            ConfigError,
            r"'level' must be one of",
            id="graph-level",
        ),
        pytest.param(
            lambda ddf: td.aggregate(ddf, len, split_every=1),
            ConfigError,
            r"'split_every' must be an integer >= 2",
            id="split-every",
        ),
        pytest.param(
            lambda ddf: td.attribute(ddf, Linear(), partitioned_by_journey="yes"),
            ConfigError,
            r"'partitioned_by_journey' must be True or False",
            id="partitioned-flag",
        ),
    ],
)
def test_bad_arguments_fail_before_the_data_is_read(
    call: Any, error: type[Exception], message: str
) -> None:
    """A bad argument raises its touchpath error on the client without computing any
    partition (the frame's partitions raise RuntimeError if computed)."""
    with pytest.raises(error, match=message):
        call(untouchable())


def test_a_pandas_frame_is_refused_with_a_hint() -> None:
    """A pandas DataFrame is not a Dask one: the error says how to wrap it."""
    with pytest.raises(UnsupportedInputError, match=r"dask.dataframe.from_pandas"):
        td.attribute(small(), Linear())


def test_a_missing_journey_column_is_named() -> None:
    """The schema's journey id column must be in the frame; the error lists the columns."""
    ddf = dd.from_pandas(small().rename(columns={"journey_id": "user"}), npartitions=1)
    with pytest.raises(SchemaError, match=r"missing required column 'journey_id'.*'user'"):
        td.transition_graph(ddf)


def test_the_schema_maps_column_names() -> None:
    """With a Schema, other column names are read (and shuffled on) as the journey id."""
    from touchpath import Schema

    ddf = dd.from_pandas(small().rename(columns={"journey_id": "user"}), npartitions=2)
    graph = td.transition_graph(ddf, schema=Schema(journey_id="user"))
    assert graph.count("awareness", "consideration") == 1


def test_an_unknown_funnel_step_lists_the_names_of_all_partitions() -> None:
    """Resolving funnel steps sees the names of every partition, as one log would."""
    ddf = dd.from_pandas(small(), npartitions=2)
    with pytest.raises(NotFoundError, match=r"'awarenes'.*did you mean 'awareness'"):
        td.funnel(ddf, ["awarenes"])


def test_a_boolean_journey_id_is_refused_with_its_partition() -> None:
    """An id column of Python objects holding a boolean: SchemaError with partition and row."""
    frame = small().astype({"journey_id": object})
    frame.loc[2, "journey_id"] = True
    import dask

    with dask.config.set({"dataframe.convert-string": False}):
        ddf = dd.from_pandas(frame, npartitions=2)
        with pytest.raises(SchemaError, match=r"partition 1 row 0, field 'journey_id'.*True"):
            td.attribute(ddf, Linear())


def test_importing_without_the_extra_names_it() -> None:
    """Without Dask installed, ``import touchpath.dask`` raises MissingDependencyError saying
    which extra to install (Dask is hidden from a fresh interpreter to check)."""
    code = (
        "import sys\n"
        "sys.modules['dask'] = None\n"
        "sys.modules['dask.dataframe'] = None\n"
        "import touchpath\n"
        "try:\n"
        "    import touchpath.dask\n"
        "except touchpath.exceptions.MissingDependencyError as e:\n"
        "    print(type(e).__name__, e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "MissingDependencyError touchpath.dask needs dask: pip install 'touchpath[dask]'"
    )

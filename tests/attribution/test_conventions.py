"""Attribution conventions, stated and exact: value belongs to conversions, Markov's two value
conventions (hand-solved chains), and credits that cannot overflow."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from touchpath import EventLog, PathCounts
from touchpath.attribution import (
    FirstTouch,
    Linear,
    Markov,
    MarkovValue,
    Shapley,
    TransitionCounts,
    attribute,
)
from touchpath.exceptions import ConfigError, SchemaError


def test_value_on_a_row_without_conversions_is_refused() -> None:
    """The issue's rows: ``(["a"], 0, 3, 5.0)`` would give a, which never converts, 5.0 of
    value under Linear, FirstTouch and Shapley; the row is refused, naming it."""
    with pytest.raises(SchemaError, match=r"row 0: value on a row with no conversions"):
        PathCounts.from_rows([(["a"], 0, 3, 5.0), (["b"], 1, 0, 2.0)])
    pc = PathCounts.from_rows([(["a"], 0, 3, 0.0), (["b"], 1, 0, 2.0)])
    for model in (Linear(), FirstTouch(), Shapley(), Markov()):
        assert attribute(pc, model).credits(value=True) == {"a": 0.0, "b": 2.0}, model


# Hand-solved chain: path 1 a -> conv (value 10), path 2 a, b -> conv (value 2), path 3 b ->
# null. s = (2/3, 1/3); from a: conv 1/2, to b 1/2; from b: conv 1/2, null 1/2.
# P = 2/3 * 3/4 + 1/3 * 1/2 = 2/3; without a 1/6 (RE_a 3/4); without b 1/3 (RE_b 1/2).
# Last state: u_a = 10, u_b = 2, r_v = (5, 1): E = 2/3 * 5.5 + 1/3 = 4; without a 1/3
# (RVE_a 11/12), without b 10/3 (RVE_b 1/6).
ROWS = [(["a"], 1, 0, 10.0), (["a", "b"], 1, 0, 2.0), (["b"], 0, 1, 0.0)]


def test_markov_value_removal_share_is_the_default() -> None:
    """Value follows the conversion shares 3/5 : 2/5 of the 12 attributed."""
    result = attribute(PathCounts.from_rows(ROWS), Markov())
    assert Markov().value is MarkovValue.REMOVAL_SHARE
    assert result.credits() == pytest.approx({"a": 1.2, "b": 0.8})
    assert result.credits(value=True) == pytest.approx({"a": 7.2, "b": 4.8})
    assert result.fitted is not None
    assert result.fitted.value_removal_effects is None


def test_markov_value_last_state_is_channelattributions_convention() -> None:
    """Value follows the value removal effects 11/12 : 1/6 (12 split 11 : 2); conversions
    are unchanged."""
    result = attribute(PathCounts.from_rows(ROWS), Markov(value="last_state"))
    assert result.credits() == pytest.approx({"a": 1.2, "b": 0.8})
    assert result.credits(value=True) == pytest.approx({"a": 12 * 11 / 13, "b": 12 * 2 / 13})
    assert result.fitted is not None
    assert result.fitted.value_removal_effects == pytest.approx({"a": 11 / 12, "b": 1 / 6})
    assert sum(result.credits(value=True).values()) == pytest.approx(12.0)
    assert repr(Markov(value="last_state")) == "Markov(order=1, value='last_state')"
    assert repr(Markov()) == "Markov(order=1)"


def test_conventions_agree_when_every_conversion_ends_in_one_state() -> None:
    """All conversions end in b, so u is one number and the value chain is the conversion
    chain scaled: both conventions give the same value credit."""
    pc = PathCounts.from_rows([(["a", "b"], 1, 1, 10.0), (["b"], 1, 0, 5.0)])
    a = attribute(pc, Markov()).credits(value=True)
    b = attribute(pc, Markov(value="last_state")).credits(value=True)
    assert a == pytest.approx(b)


def test_last_state_counts_merge_and_old_counts_are_refused() -> None:
    """Transition counts of two halves add up to those of the whole (values per last state
    included), so the convention works on merged aggregates; counts built without values per
    state are refused with a clear error."""
    whole = TransitionCounts.from_paths(PathCounts.from_rows(ROWS).to_paths())
    halves = TransitionCounts.from_paths(
        PathCounts.from_rows(ROWS[:1]).to_paths()
    ) + TransitionCounts.from_paths(PathCounts.from_rows(ROWS[1:]).to_paths())
    assert halves.equals(whole)
    assert halves.conversion_values is not None
    model = Markov(value="last_state")
    assert attribute(halves, model).credits(value=True) == pytest.approx(
        attribute(whole, model).credits(value=True)
    )
    import attrs

    bare = attrs.evolve(whole, conversion_values=None)
    with pytest.raises(ConfigError, match="value of the conversions ending in each state"):
        model.fit(bare)
    with pytest.raises(ConfigError, match="'value' must be one of"):
        Markov(value="per_path")


def _huge_log(value: float) -> EventLog:
    return EventLog.from_records(
        [
            {"journey_id": j, "timestamp": 0, "channel": c, "converted": True, "value": value}
            for j, c in (("x", "a"), ("y", "b"), ("z", "a"))
        ]
    )


@pytest.mark.parametrize("model", [Markov(), Shapley(), Linear()], ids=repr)
def test_values_whose_sum_overflows_are_refused(model: Markov | Shapley | Linear) -> None:
    """Three conversions of 1e308 sum past the largest float: refused with an error naming
    the value field (not inf or nan credits); 1e307 each stays finite and exact (a gets two
    thirds of 3e307)."""
    with pytest.raises(SchemaError, match="field 'value': the conversion values sum"):
        attribute(_huge_log(1e308), model)
    with pytest.raises(SchemaError, match="sum to more than the largest float"):
        PathCounts.from_rows([(["a"], 3, 0, 1e308), (["b"], 1, 0, 1e308)])
    credits = attribute(_huge_log(1e307), model).credits(value=True)
    assert all(math.isfinite(v) for v in credits.values())
    assert credits["a"] == pytest.approx(2e307)
    assert np.isclose(sum(credits.values()), 3e307)


def test_cli_markov_value_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``--markov-value last_state`` on the hand-solved chain above as events (j1: a converts
    with 10; j2: a, b converts with 2; j3: b, no conversion): value 12 split 11 : 2."""
    import json

    from touchpath.cli import main

    path = tmp_path / "events.csv"
    path.write_text(
        "journey_id,timestamp,channel,converted,value\n"
        "j1,2025-01-01T00:00:00Z,a,true,10\nj2,2025-01-01T00:00:00Z,a,false,\n"
        "j2,2025-01-02T00:00:00Z,b,true,2\nj3,2025-01-01T00:00:00Z,b,false,\n",
        encoding="utf-8",
    )
    args = ["attribute", str(path), "--model", "markov", "--format", "json"]
    assert main([*args, "--markov-value", "last_state"]) == 0
    doc = json.loads(capsys.readouterr().out)
    value = {r["channel"]: r["value"] for r in doc["credits"]}
    assert value == pytest.approx({"a": 12 * 11 / 13, "b": 12 * 2 / 13})

"""Synthetic journeys walk the map they are made from; the shipped sample is one of them."""

from __future__ import annotations

import itertools
import math
from importlib import resources
from typing import Any

import numpy as np
import pytest

from touchpath import ChannelKind, EventLog, JourneyMap, templates
from touchpath.datasets import (
    SAMPLE_FILE,
    SAMPLE_JOURNEYS,
    SAMPLE_SEED,
    SAMPLE_TEMPLATE,
    sample,
    synthetic,
)
from touchpath.exceptions import ConfigError, NotFoundError

N = 3000


@pytest.fixture(scope="module", params=templates.names())
def walked(request: pytest.FixtureRequest) -> tuple[JourneyMap, EventLog]:
    """Each template with 3,000 synthetic journeys (loop-backs likely where the map has them)."""
    m = templates.get(request.param)
    return m, synthetic(m, N, seed=11, loop_back_rate=0.5)


def stage_sequences(log: EventLog) -> list[list[str]]:
    """Each journey's stages in order, consecutive repeats collapsed (one entry per visit)."""
    out = []
    for j in log:
        stages = [s for s in j.stages if s is not None]
        out.append([s for s, _ in itertools.groupby(stages)])
    return out


def test_walks_follow_the_maps_edges(walked: tuple[JourneyMap, EventLog]) -> None:
    """Every change of stage inside a journey is a designed edge (forward or loop-back), and
    every journey starts at an entry stage."""
    m, log = walked
    for seq in stage_sequences(log):
        assert seq[0] in m.entry_stages
        for a, b in itertools.pairwise(seq):
            assert m.allows(a, b), (a, b)


def test_touchpoints_belong_to_their_stage_and_channel(walked: tuple[JourneyMap, EventLog]) -> None:
    """An event's touchpoint is one of its stage's touchpoints and brings the map's channel."""
    m, log = walked
    for j in itertools.islice(log, 500):
        for e in j:
            assert e.touchpoint is not None
            tp = m.touchpoint(e.touchpoint)
            assert (tp.stage, tp.channel.id) == (e.stage, e.channel)


def test_conversions(walked: tuple[JourneyMap, EventLog]) -> None:
    """About conversion_rate (0.1) of the journeys convert, within 4 binomial standard
    deviations; a journey's first conversion is at the conversion stage (the last
    during-purchase one) on the last touch of that visit; values are positive; journeys that
    never convert never pass that stage."""
    m, log = walked
    conv_stage = [
        s.id for s in m.stages if s.phase is not None and s.phase.value == "during_purchase"
    ][-1]
    after = {s for s in m.stage_ids if (m.forward_distance(conv_stage, s) or 0) > 0}
    rate = float(log.journey_converted.mean())
    assert abs(rate - 0.1) <= 4 * math.sqrt(0.1 * 0.9 / N)
    for j in log:
        events = j.events
        first = next((i for i, e in enumerate(events) if e.converted), None)
        if first is None:
            assert not any(e.stage in after for e in events)
            continue
        assert events[first].stage == conv_stage
        assert events[first].value > 0
        assert first + 1 == len(events) or events[first + 1].stage != conv_stage


def test_paid_touches_carry_campaigns_and_costs(walked: tuple[JourneyMap, EventLog]) -> None:
    """Touches on paid channels have a campaign named after the channel and a positive cost;
    other touches have neither."""
    m, log = walked
    paid = {c.id for c in m.channels if c.kind is ChannelKind.PAID}
    channels = np.array([*log.channel_ids, ""], dtype=object)[log.channel_codes]
    campaigns = np.array([*log.campaign_ids, ""], dtype=object)[log.campaign_codes]
    is_paid = np.isin(channels, list(paid))
    assert (log.costs[is_paid] > 0).all()
    assert (log.costs[~is_paid] == 0).all()
    assert all(
        str(c).startswith(f"{ch}_c")
        for c, ch in zip(campaigns[is_paid], channels[is_paid], strict=True)
    )
    assert (campaigns[~is_paid] == "").all()


def test_times_accounts_and_segments(walked: tuple[JourneyMap, EventLog]) -> None:
    """Journeys start within [start, start + span), events are whole seconds and strictly
    increasing in a journey; each journey has one account and one segment, and an account's
    journeys share its segment."""
    _, log = walked
    start = 1_735_689_600_000_000  # 2025-01-01T00:00:00Z
    first = log.timestamps[log.offsets[:-1]]
    assert (first >= start).all()
    assert (first < start + 90 * 86400 * 1_000_000).all()
    assert (log.timestamps % 1_000_000 == 0).all()
    assert log.ties == 0
    seg_of_account: dict[int, set[int]] = {}
    for j in range(len(log)):
        a, b = log.offsets[j], log.offsets[j + 1]
        accounts = set(log.account_codes[a:b].tolist())
        segments = set(log.segment_codes[a:b].tolist())
        assert len(accounts) == 1
        assert len(segments) == 1
        seg_of_account.setdefault(accounts.pop(), set()).update(segments)
    assert all(len(s) == 1 for s in seg_of_account.values())
    assert set(log.segment_ids) <= {"smb", "mid_market", "enterprise"}


def test_same_seed_same_log_other_seed_other_log() -> None:
    """The generator is a function of its seed."""
    m = templates.get("b2b_five_stage")
    assert synthetic(m, 500, seed=3).equals(synthetic(m, 500, seed=3))
    assert not synthetic(m, 500, seed=3).equals(synthetic(m, 500, seed=4))


def test_loop_backs_are_taken_where_the_map_has_them() -> None:
    """acquisition_nurture_growth loops engaged -> qualified_lead; with loop_back_rate=0.9
    some journeys take that edge, and none takes a loop-back the map lacks."""
    m = templates.get("acquisition_nurture_growth")
    log = synthetic(m, 2000, seed=5, loop_back_rate=0.9, conversion_rate=0.0)
    pairs = {p for seq in stage_sequences(log) for p in itertools.pairwise(seq)}
    assert ("engaged", "qualified_lead") in pairs
    assert all(m.allows(a, b) for a, b in pairs)


@pytest.mark.parametrize(
    ("channels", "expected"),
    [(8, 8), (1, 1), (["paid", "free"], 2), (None, 17)],
    ids=["eight", "one", "names", "map"],
)
def test_channel_folding(channels: Any, expected: int) -> None:
    """channels=k keeps k channels, a list renames them cyclically, None keeps the map's."""
    log = synthetic(templates.get("pay_per_call_marketplace"), 3000, seed=1, channels=channels)
    assert len(log.channel_ids) == expected
    if isinstance(channels, list):
        assert set(log.channel_ids) == set(channels)


def test_repeat_conversions_and_values() -> None:
    """With repeat_conversion_rate=1 every converter that reaches a later stage converts
    again; mean_value sets the first conversions' mean (within 10 %)."""
    m = templates.get("b2b_five_stage")
    log = synthetic(
        m, 4000, seed=2, conversion_rate=0.5, repeat_conversion_rate=1.0, mean_value=100.0
    )
    first_values = []
    for j in log:
        conv = [e for e in j if e.converted]
        if not conv:
            continue
        first_values.append(conv[0].value)
        later_stages = {e.stage for e in j.events if e.stage in ("retention", "advocacy")}
        assert len(conv) == 1 + len(later_stages)
    assert abs(float(np.mean(first_values)) - 100.0) < 10.0
    paths = log.split_conversions()
    assert len(paths) > len(log)


def test_stages_without_touchpoints_give_stage_only_events() -> None:
    """A stage with no touchpoint still shows up, as events with a stage and no channel."""
    m = (
        JourneyMap.builder("bare")
        .stage("a")
        .stage("b")
        .path("a", "b")
        .touchpoint("ad", channel="ads", stage="a")
        .build()
    )
    log = synthetic(m, 300, seed=1, conversion_rate=1.0, conversion_stage="b")
    b_events = [e for j in log for e in j if e.stage == "b"]
    assert b_events
    assert all(e.channel is None and e.touchpoint is None for e in b_events)
    assert log.journey_converted.all()


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"n_journeys": 0}, "'n_journeys'"),
        ({"seed": 1.5}, "'seed'"),
        ({"conversion_rate": 1.5}, "'conversion_rate'"),
        ({"drop_off": -0.1}, "'drop_off'"),
        ({"loop_back_rate": 1.0}, "'loop_back_rate'"),
        ({"touches_per_stage": 0.5}, "'touches_per_stage'"),
        ({"mean_value": float("nan")}, "'mean_value'"),
        ({"contacts_per_account": 0}, "'contacts_per_account'"),
        ({"segments": []}, "'segments'"),
        ({"channels": 0}, "'channels'"),
        ({"channels": "ads"}, "'channels'"),
        ({"start": "2025-01-01"}, "'start'"),
        ({"span": "soon"}, "'span'"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_bad_options_are_config_errors(options: dict[str, Any], match: str) -> None:
    """Every option is checked and named in the error."""
    args: dict[str, Any] = {"n_journeys": 10, "seed": 0}
    args.update(options)
    with pytest.raises(ConfigError, match=match):
        synthetic(templates.get("b2b_five_stage"), **args)


def test_unknown_conversion_stage() -> None:
    """An unknown conversion stage is a NotFoundError."""
    with pytest.raises(NotFoundError):
        synthetic(templates.get("b2b_five_stage"), 10, conversion_stage="nope")


def test_the_sample_is_the_documented_synthetic_log() -> None:
    """sample() reads the shipped file, and it equals synthetic() of the template with the
    documented size and seed (regenerate the file with datasets._write_sample after changing
    the generator)."""
    assert resources.files("touchpath.datasets").joinpath(SAMPLE_FILE).is_file()
    log = sample()
    expected = synthetic(templates.get(SAMPLE_TEMPLATE), SAMPLE_JOURNEYS, seed=SAMPLE_SEED)
    assert log.equals(expected)
    assert len(log) == SAMPLE_JOURNEYS
    assert log.rejected == ()

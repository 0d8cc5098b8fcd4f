"""Event data to try touchpath on: a generator that walks a journey map, and a shipped sample.

:func:`synthetic` simulates journeys through a :class:`~touchpath.JourneyMap`,
vectorised with numpy (a million journeys take seconds); :func:`sample`
loads the small CSV file shipped with the package, made by :func:`synthetic`
from the ``pay_per_call_marketplace`` template.

>>> from touchpath import datasets
>>> log = datasets.sample()
>>> (len(log), log.channel_ids[:3])
(3000, ('blog', 'community', 'csm'))
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from .._codes import compact as _compact
from .._model import ChannelKind, Phase
from .._schema import Field
from .._time import DurationLike, parse_duration, parse_instant
from ..exceptions import ConfigError
from ._clickstream import CLICKSTREAM_FILE as CLICKSTREAM_FILE
from ._clickstream import CLICKSTREAM_SCHEMA as CLICKSTREAM_SCHEMA
from ._clickstream import CLICKSTREAM_SEED as CLICKSTREAM_SEED
from ._clickstream import CLICKSTREAM_STAGES as CLICKSTREAM_STAGES
from ._clickstream import CLICKSTREAM_USERS as CLICKSTREAM_USERS

if TYPE_CHECKING:
    from .._log import EventLog
    from .._map import JourneyMap
    from .._schema import OnError, Schema

__all__ = [
    "CLICKSTREAM_FILE",
    "CLICKSTREAM_SCHEMA",
    "CLICKSTREAM_SEED",
    "CLICKSTREAM_STAGES",
    "CLICKSTREAM_USERS",
    "SAMPLE_FILE",
    "SAMPLE_JOURNEYS",
    "SAMPLE_SEED",
    "SAMPLE_TEMPLATE",
    "clickstream",
    "sample",
    "synthetic",
]

SAMPLE_FILE: Final = "sample_events.csv.gz"
"""Name of the sample data file inside the package."""
SAMPLE_JOURNEYS: Final = 3000
"""Number of journeys in the sample."""
SAMPLE_SEED: Final = 2025
"""Seed the sample was generated with."""
SAMPLE_TEMPLATE: Final = "pay_per_call_marketplace"
"""Template the sample walks."""

_SEGMENT_WEIGHTS: Final = (0.6, 0.3, 0.1)
_MAX_TOUCHES: Final = 12
_US: Final = 1_000_000


def sample() -> EventLog:
    """The shipped sample: 3,000 journeys through ``pay_per_call_marketplace``.

    It equals ``synthetic(templates.get("pay_per_call_marketplace"), 3000,
    seed=2025)`` and is read from a gzipped CSV inside the package, so it
    also shows what :func:`touchpath.read_csv` returns.

    >>> log = sample()
    >>> log.summary()["events"] > 10_000, log.stage_ids[0]
    (True, 'activation')
    """
    from ..io import read_csv

    ref = resources.files(__name__).joinpath(SAMPLE_FILE)
    with resources.as_file(ref) as path:
        return read_csv(path)


def clickstream(schema: Schema | None = None, *, on_error: OnError = "raise") -> EventLog:
    """The shipped clickstream sample: raw shop events of 400 users, read with a recipe.

    The file (``clickstream_events.csv.gz``: ``user_id, timestamp, event,
    source, amount``) holds event names, not touches; :data:`CLICKSTREAM_SCHEMA`
    (the default ``schema``) makes each event name a touchpoint, maps it to a
    stage through :data:`CLICKSTREAM_STAGES` (grouped names such as
    ``product1|product3`` included), counts ``payment_done`` as a conversion
    valued at its ``amount``, and reads ``source`` as the channel. Pass another
    :class:`~touchpath.Schema` to read the same file another way.

    >>> log = clickstream()
    >>> (len(log), log.stage_ids, log.rows_read == log.n_events)
    (400, ('browse', 'cart', 'checkout', 'purchase', 'visit'), True)
    >>> int(log.journey_converted.sum()) > 0, "product1|product3" in log.touchpoint_ids
    (True, True)
    """
    from ..io import read_csv

    ref = resources.files(__name__).joinpath(CLICKSTREAM_FILE)
    with resources.as_file(ref) as path:
        return read_csv(path, schema=schema or CLICKSTREAM_SCHEMA, on_error=on_error)


def _write_sample(path: str) -> None:
    """Regenerate the shipped sample file (run after changing :func:`synthetic`)."""
    from .. import templates
    from ..io import write_csv

    log = synthetic(templates.get(SAMPLE_TEMPLATE), SAMPLE_JOURNEYS, seed=SAMPLE_SEED)
    write_csv(log, path)


def _weights(n: int) -> npt.NDArray[np.float64]:
    """Cumulative weights 1, 1/2, 1/3, ... (normalised): earlier options are likelier."""
    w = 1.0 / np.arange(1, n + 1, dtype=np.float64)
    cw: npt.NDArray[np.float64] = np.cumsum(w / w.sum())
    cw[-1] = 1.0
    return cw


def _check_number(
    name: str, value: object, low: float, high: float, *, open_high: bool = False
) -> float:
    """``value`` as a float in ``[low, high]`` (``[low, high)`` when ``open_high``)."""
    bound = f"[{low:g}, {high:g})" if open_high else f"[{low:g}, {high:g}]"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{name!r} must be a number in {bound}; got {value!r}")
    v = float(value)
    if not math.isfinite(v) or not low <= v <= high or (open_high and v >= high):
        raise ConfigError(f"{name!r} must be a number in {bound}; got {value!r}")
    return v


def _conversion_stage(journey_map: JourneyMap, stage: str | None) -> int:
    if stage is not None:
        return journey_map.stage_index(stage)
    during = [i for i, s in enumerate(journey_map.stages) if s.phase is Phase.DURING_PURCHASE]
    return during[-1] if during else (len(journey_map.stages) - 1) // 2


def _channel_names(journey_map: JourneyMap, channels: int | Sequence[str] | None) -> list[str]:
    """The channel each of the map's channels (first-use order) is emitted as."""
    own = [c.id for c in journey_map.channels]
    if channels is None:
        return own
    if isinstance(channels, int):
        if isinstance(channels, bool) or channels < 1:
            raise ConfigError(f"'channels' must be a count >= 1 or channel names; got {channels}")
        return [own[j % channels] for j in range(len(own))]
    names: list[object] = list(channels)
    if isinstance(channels, str) or not all(isinstance(c, str) and c for c in names):
        raise ConfigError(
            f"'channels' must be a count or a sequence of channel names; got {channels!r}"
        )
    if not names:
        raise ConfigError("'channels' must name at least one channel; got none")
    return [str(names[j % len(names)]) for j in range(len(own))]


def _coded(
    codes: npt.NDArray[np.integer[Any]], names: Sequence[str]
) -> tuple[npt.NDArray[np.int32], tuple[str, ...]]:
    """Codes into arbitrary names -> codes into their sorted distinct names, unused dropped."""
    distinct = sorted(set(names))
    position = {n: i for i, n in enumerate(distinct)}
    table = np.array([position[n] for n in names] + [-1], dtype=np.int32)
    return _compact(table[codes], tuple(distinct))


def synthetic(
    journey_map: JourneyMap,
    n_journeys: int,
    seed: int = 0,
    *,
    start: str | dt.datetime = "2025-01-01T00:00:00Z",
    span: DurationLike = "90 days",
    conversion_rate: float = 0.1,
    conversion_stage: str | None = None,
    drop_off: float = 0.3,
    loop_back_rate: float = 0.15,
    touches_per_stage: float = 2.0,
    dwell: DurationLike = "2 days",
    repeat_conversion_rate: float = 0.1,
    mean_value: float = 500.0,
    channels: int | Sequence[str] | None = None,
    segments: Sequence[str] = ("smb", "mid_market", "enterprise"),
    contacts_per_account: float = 3.0,
) -> EventLog:
    """Simulate ``n_journeys`` journeys through a map; the same seed gives the same log.

    Each journey starts at an entry stage at a uniform time in
    ``[start, start + span)`` and visits stages along the map's forward
    edges, taking a loop-back edge with probability ``loop_back_rate`` where
    the map has one. A visit is ``touches_per_stage`` touches on average
    (geometric, at least 1) at the stage's touchpoints (earlier-declared
    touchpoints are likelier; a stage without touchpoints gives one
    stage-only event), with exponential gaps averaging ``dwell`` between
    stages and a quarter of it within a stage, in whole seconds.

    A share ``conversion_rate`` of the journeys (drawn per journey) reach
    ``conversion_stage`` (default: the map's last ``during_purchase`` stage)
    and convert on their last touch there, with a log-normal value averaging
    ``mean_value``; they then go on through the later stages, dropping off
    with probability ``drop_off`` after each, and convert again with
    probability ``repeat_conversion_rate`` per later stage (expansion, at
    half the value). The other journeys drop off with probability
    ``drop_off`` after each stage and never pass the conversion stage.

    Events carry the touchpoint's channel and stage; ``channels`` folds the
    map's channels onto fewer: a count ``k`` keeps the first ``k`` (the
    others are emitted as ``channel[j % k]``), a list of names renames them
    cyclically. (``attract_capture_nurture_convert_expand`` has 9 channels,
    ``b2b_five_stage`` 16, ``pay_per_call_marketplace`` 17; pass
    ``channels=8`` for about 8.) Touches on paid channels carry a campaign
    (``<channel>_c1`` .. ``_c3``) and a cost; each journey belongs to an
    account (about ``contacts_per_account`` journeys each) whose segment it
    shares.

    >>> from touchpath import templates
    >>> m = templates.get("b2b_five_stage")
    >>> log = synthetic(m, 1000, seed=7, conversion_rate=0.25)
    >>> again = synthetic(m, 1000, seed=7, conversion_rate=0.25)
    >>> (len(log), len(log.channel_ids), log.equals(again))
    (1000, 16, True)
    >>> 0.2 < float(log.journey_converted.mean()) < 0.3
    True
    >>> len(synthetic(m, 100, seed=7, channels=8).channel_ids)
    8
    """
    from .._log import EventLog

    given: tuple[object, object] = (n_journeys, seed)
    if not isinstance(given[0], int) or isinstance(given[0], bool) or n_journeys < 1:
        raise ConfigError(f"'n_journeys' must be a positive integer; got {n_journeys!r}")
    if not isinstance(given[1], int) or isinstance(given[1], bool):
        raise ConfigError(f"'seed' must be an integer; got {seed!r}")
    rate = _check_number("conversion_rate", conversion_rate, 0.0, 1.0)
    drop = _check_number("drop_off", drop_off, 0.0, 1.0)
    loop_rate = _check_number("loop_back_rate", loop_back_rate, 0.0, 1.0, open_high=True)
    repeat = _check_number("repeat_conversion_rate", repeat_conversion_rate, 0.0, 1.0)
    touches = _check_number("touches_per_stage", touches_per_stage, 1.0, 50.0)
    value_mean = _check_number("mean_value", mean_value, 0.0, 1e12)
    contacts = _check_number("contacts_per_account", contacts_per_account, 1.0, 1e12)
    seg_given: list[object] = list(segments)
    if not seg_given or not all(isinstance(x, str) and x for x in seg_given):
        raise ConfigError(f"'segments' must be non-empty names; got {segments!r}")
    segment_names = [str(x) for x in seg_given]
    t0 = parse_instant(start, "start")
    span_us = parse_duration(span, name="span")
    dwell_s = parse_duration(dwell, name="dwell") / _US
    channel_out = _channel_names(journey_map, channels)

    rng = np.random.default_rng(seed)
    n_stages = len(journey_map.stages)
    conv = _conversion_stage(journey_map, conversion_stage)
    dist = journey_map._distance_matrix  # forward distances, -1 where unreachable
    edge = journey_map._edge_matrix  # 1 forward, 2 loop-back
    reaches_conv = dist[:, conv] >= 0
    after_conv = (dist[conv, :] > 0).copy()
    entries = np.array([journey_map.stage_index(s) for s in journey_map.entry_stages])
    conv_entries = entries[reaches_conv[entries]]
    if len(conv_entries) == 0 and rate > 0:
        raise ConfigError(
            f"no entry stage of {journey_map.name!r} leads to the conversion stage "
            f"{journey_map.stages[conv].id!r}; pass conversion_stage="
        )

    # successor tables per journey state: 0 will not convert, 1 converts later, 2 converted
    def table(allowed: npt.NDArray[np.bool_], kind: int) -> tuple[npt.NDArray[np.int64], ...]:
        cand = (edge == kind) & allowed[None, :]
        counts = cand.sum(axis=1).astype(np.int64)
        width = max(int(counts.max()), 1)
        padded = np.zeros((n_stages, width), dtype=np.int64)
        for s in range(n_stages):
            row = np.flatnonzero(cand[s])
            padded[s, : len(row)] = row
        return padded, counts

    everything = np.ones(n_stages, dtype=np.bool_)
    fwd = [table(~after_conv, 1), table(reaches_conv, 1), table(everything, 1)]
    back = [table(~after_conv, 2), table(reaches_conv, 2), table(everything, 2)]

    # -- who converts, where they start ----------------------------------------------------------
    will = rng.random(n_journeys) < rate if len(conv_entries) else np.zeros(n_journeys, np.bool_)
    any_entry = entries[rng.integers(0, len(entries), n_journeys)]
    if len(conv_entries):
        conv_entry = conv_entries[rng.integers(0, len(conv_entries), n_journeys)]
        first = np.where(will, conv_entry, any_entry)
    else:
        first = any_entry

    # -- walk: one stage visit per active journey per step --------------------------------------
    active = np.arange(n_journeys, dtype=np.int32)
    stage = first.astype(np.int64)
    state = will.astype(np.int64)  # 0 / 1 / 2 as above
    steps: list[tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]] = []
    max_steps = 3 * n_stages + 10
    for _ in range(max_steps):
        if len(active) == 0:
            break
        converts_here = (state == 1) & (stage == conv)
        repeat_here = (state == 2) & (rng.random(len(active)) < repeat)
        kind = converts_here.astype(np.int8) + 2 * repeat_here.astype(np.int8)
        steps.append((active, stage.astype(np.int8 if n_stages < 128 else np.int32), kind))
        state = np.where(converts_here, 2, state)
        stop = (state != 1) & (rng.random(len(active)) < drop)
        nxt = np.full(len(active), -1, dtype=np.int64)
        u_loop = rng.random(len(active))
        u_pick = rng.random(len(active))
        for k in range(3):
            rows = np.flatnonzero((state == k) & ~stop)
            if len(rows) == 0:
                continue
            s = stage[rows]
            f_pad, f_n = fwd[k]
            b_pad, b_n = back[k]
            go_back = (b_n[s] > 0) & ((u_loop[rows] < loop_rate) | (f_n[s] == 0))
            n_opts = np.where(go_back, b_n[s], f_n[s])
            pick = np.minimum((u_pick[rows] * n_opts).astype(np.int64), np.maximum(n_opts - 1, 0))
            to_back = b_pad[s, np.minimum(pick, b_pad.shape[1] - 1)]
            to_fwd = f_pad[s, np.minimum(pick, f_pad.shape[1] - 1)]
            target = np.where(go_back, to_back, to_fwd)
            nxt[rows] = np.where(n_opts > 0, target, -1)
        moving = nxt >= 0
        active, stage, state = active[moving], nxt[moving], state[moving]

    # -- visits in journey order: visit k of a journey happened at step k ----------------------
    # (memory: per-event arrays are int32 where they can be, and dropped as soon as used)
    visits_per = np.zeros(n_journeys, dtype=np.int64)
    for act, _, _ in steps:
        visits_per[act] += 1
    v_off = np.zeros(n_journeys + 1, dtype=np.int64)
    np.cumsum(visits_per, out=v_off[1:])
    n_visits = int(v_off[-1])
    v_stage = np.zeros(n_visits, dtype=np.int32)
    v_conv = np.zeros(n_visits, dtype=np.int8)
    for k, (act, stg, cv) in enumerate(steps):
        pos = v_off[act] + k
        v_stage[pos] = stg
        v_conv[pos] = cv
    del steps, v_off
    v_journey = np.repeat(np.arange(n_journeys, dtype=np.int32), visits_per)
    del visits_per

    # -- touches per visit, then events -----------------------------------------------------------
    tps = journey_map.touchpoints
    tp_of_stage = [[i for i, t in enumerate(tps) if t.stage == s.id] for s in journey_map.stages]
    p_geo = 1.0 / touches
    v_touches = np.minimum(rng.geometric(p_geo, n_visits), _MAX_TOUCHES).astype(np.int32)
    e_visit = np.repeat(np.arange(n_visits, dtype=np.int32), v_touches)
    n_events = len(e_visit)
    e_stage = v_stage[e_visit]
    e_journey = v_journey[e_visit]  # the log's journey codes (journey i is "j<i>")
    del e_visit, v_stage, v_journey
    # one search for every event: stage s owns the interval [s, s + 1) of "stage + u"
    bounds: list[float] = []
    bucket_tp: list[int] = []
    for si, members in enumerate(tp_of_stage):
        bounds.append(float(si))
        if not members:
            bucket_tp.append(-1)
            continue
        cw = _weights(len(members))
        bounds.extend((si + cw[:-1]).tolist())
        bucket_tp.extend(members)
    key = rng.random(n_events)
    key += e_stage
    bucket = np.searchsorted(np.asarray(bounds), key, side="right")
    del key
    e_tp = np.asarray([-1, *bucket_tp], dtype=np.int32)[bucket]  # bucket b is entry b - 1
    del bucket
    map_channels = [c.id for c in journey_map.channels]
    ch_index = {c: i for i, c in enumerate(map_channels)}
    tp_channel = np.array([ch_index[t.channel.id] for t in tps] + [-1], dtype=np.int32)
    tp_paid = np.array([t.channel.kind is ChannelKind.PAID for t in tps] + [False])
    e_channel = tp_channel[e_tp]  # -1 (no touchpoint) indexes the trailing -1
    paid_rows = np.flatnonzero(tp_paid[e_tp])

    # conversions on the last touch of a converting visit
    v_last = np.cumsum(v_touches, dtype=np.int64)
    v_last -= 1
    del v_touches
    e_converted = np.zeros(n_events, dtype=np.bool_)
    e_value = np.zeros(n_events, dtype=np.float64)
    conv_visits = np.flatnonzero(v_conv > 0)
    last = v_last[conv_visits]
    e_converted[last] = True
    scale = np.where(v_conv[conv_visits] == 1, 1.0, 0.5) * value_mean
    sigma = 0.6
    draws = rng.lognormal(-sigma * sigma / 2, sigma, len(conv_visits))
    e_value[last] = np.round(draws * scale, 2)
    del v_conv, conv_visits, last, draws, scale

    # times: journey start + gaps (between stages ~ dwell, within a stage ~ dwell / 4)
    j_start = t0 + (rng.random(n_journeys) * span_us).astype(np.int64) // _US * _US
    first_of_visit = np.zeros(n_events, dtype=np.bool_)
    first_of_visit[v_last[:-1] + 1] = True
    del v_last
    gaps = rng.exponential(1.0, n_events)
    gaps *= dwell_s / 4
    gaps[first_of_visit] *= 4
    del first_of_visit
    np.rint(gaps, out=gaps)
    np.maximum(gaps, 1, out=gaps)
    elapsed = gaps.astype(np.int64)
    del gaps
    counts = np.bincount(e_journey, minlength=n_journeys)
    starts = np.zeros(n_journeys, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    elapsed[starts] = 0  # a journey's first event is at its start
    np.cumsum(elapsed, out=elapsed)
    elapsed -= np.repeat(elapsed[starts], counts)
    elapsed *= _US
    del counts, starts
    timestamps = j_start[e_journey]
    timestamps += elapsed
    del elapsed, j_start

    # campaigns and costs on paid channels
    e_out_channel = np.array([*range(len(channel_out)), -1], dtype=np.int32)[e_channel]
    del e_channel
    camp_k = rng.integers(0, 3, len(paid_rows))
    paid_ids = sorted(
        {channel_out[ch_index[t.channel.id]] for t in tps if t.channel.kind is ChannelKind.PAID}
    )
    camp_names = [f"{c}_c{k + 1}" for c in paid_ids for k in range(3)]
    paid_pos = {c: i for i, c in enumerate(paid_ids)}
    out_to_paid = np.array([paid_pos.get(c, -1) for c in channel_out] + [-1], dtype=np.int32)
    e_camp = np.full(n_events, -1, dtype=np.int32)
    e_camp[paid_rows] = out_to_paid[e_out_channel[paid_rows]] * 3 + camp_k
    e_cost = np.zeros(n_events, dtype=np.float64)
    e_cost[paid_rows] = np.round(rng.lognormal(0.5, 0.7, len(paid_rows)), 2)
    del paid_rows, camp_k

    # accounts and segments
    n_accounts = max(1, math.ceil(n_journeys / contacts))
    j_account = rng.integers(0, n_accounts, n_journeys).astype(np.int32)
    acc_segment = np.searchsorted(
        _weights_for(len(segment_names)), rng.random(n_accounts), side="right"
    )
    acc_segment = np.minimum(acc_segment, len(segment_names) - 1).astype(np.int32)
    acc_names = _numbered("acct_", n_accounts)
    e_account = j_account[e_journey]
    e_segment = acc_segment[j_account][e_journey]

    journey_ids = _numbered("j", n_journeys)
    stage_names = [s.id for s in journey_map.stages]
    categorical = {
        Field.TOUCHPOINT: _coded(e_tp, [t.id for t in tps]),
        Field.CHANNEL: _coded(e_out_channel, channel_out),
        Field.STAGE: _coded(e_stage, stage_names),
        Field.CAMPAIGN: _coded(e_camp, camp_names),
        Field.SEGMENT: _coded(e_segment, segment_names),
        Field.ACCOUNT: _compact(e_account, tuple(acc_names)),  # numbered, so sorted already
    }
    del e_tp, e_out_channel, e_stage, e_camp, e_segment, e_account
    return EventLog._from_unsorted(
        journey_codes=e_journey,
        journey_ids=journey_ids,
        timestamps=timestamps,
        categorical=categorical,
        converted=e_converted,
        value=e_value,
        cost=e_cost,
        rows=np.arange(n_events, dtype=np.int64),
        rows_read=n_events,
        source=f"synthetic({journey_map.name}, seed={seed})",
        copy=False,  # every array above was made here
    )


def _numbered(prefix: str, n: int) -> list[str]:
    """``prefix`` + zero-padded 0 .. n-1, so that text order is numeric order."""
    width = len(str(n - 1))
    strings = getattr(np, "strings", None)
    if strings is None:  # numpy < 2
        return list(map(f"{prefix}{{:0{width}d}}".format, range(n)))
    digits = np.arange(n).astype(f"U{width}")
    names: list[str] = strings.add(prefix, strings.zfill(digits, width)).tolist()
    return names


def _weights_for(n: int) -> npt.NDArray[np.float64]:
    """Cumulative segment weights: 60/30/10 for three, 1, 1/2, 1/3, ... otherwise."""
    if n == len(_SEGMENT_WEIGHTS):
        return np.cumsum(np.asarray(_SEGMENT_WEIGHTS))
    return _weights(n)

"""Rule-based models against a hand-written numpy pass over the same arrays (the bound).

Run ``python benchmarks/bench_rules_bound.py`` (1,000,000 journeys, 8 channels,
the ``bench_attribution.py`` log) or with ``--quick`` (100,000). Each row times
``attribute(log, model)`` (or ``conversion_paths(log)``) from the event log, and
beside it a numpy pass written for that one model over the log's own arrays
(channel codes, converted flags, values, timestamps, journey offsets), splitting
at every conversion as touchpath does. The bound computes only the credits per
channel (conversions and value); touchpath also keeps every touch's share (for
``explain``). Both answers are checked to agree before anything is printed.
Times are the least CPU time of ``--repeat`` runs on one core (BLAS pinned to one thread);
the target is ratio <= 2.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import functools
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from bench_attribution import make_log

from touchpath import EventLog
from touchpath._schema import Field
from touchpath.attribution import (
    FirstTouch,
    LastNonDirect,
    LastTouch,
    Linear,
    PositionBased,
    TimeDecay,
    attribute,
    conversion_paths,
)
from touchpath.typing import AttributionModel

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]
Arrays = dict[str, Any]
Pair = tuple[Any, Any]


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Least CPU time of ``repeat`` runs (fairer than wall time on a shared machine)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        result = fn()
        best = min(best, time.process_time() - start)
    return best, result


# -- the bound: one hand-written numpy pass per model ----------------------------------------


def _split(a: Arrays) -> tuple[_I64, _I64, _F64, _F64]:
    """First and last event of every path (a path ends at each conversion and journey end).

    Written for this data, where every event has a channel (so every event is a touch).
    """
    conv = a["converted"]
    is_end = conv.copy()
    is_end[a["offsets"][1:] - 1] = True
    ends = np.flatnonzero(is_end)
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    path_conv = conv[ends].astype(np.float64)
    path_value = np.where(conv[ends], a["values"][ends], 0.0)
    return starts, ends, path_conv, path_value


def _credit(a: Arrays, codes: Any, pc: _F64, pv: _F64) -> Pair:
    k = a["k"]
    return np.bincount(codes, pc, minlength=k), np.bincount(codes, pv, minlength=k)


def _touch_path(starts: _I64, ends: _I64) -> tuple[_I64, _I64]:
    n = ends - starts + 1
    return n, np.repeat(np.arange(len(n), dtype=np.int64), n)


def bound_paths(a: Arrays) -> Pair:
    """Offsets and conversions of every path (with codes: the log's, and values)."""
    _, ends, pc, _ = _split(a)
    offsets = np.zeros(len(ends) + 1, dtype=np.int64)
    offsets[1:] = ends + 1
    return offsets, pc


def bound_first(a: Arrays) -> Pair:
    starts, _, pc, pv = _split(a)
    return _credit(a, a["codes"][starts], pc, pv)


def bound_last(a: Arrays) -> Pair:
    _, ends, pc, pv = _split(a)
    return _credit(a, a["codes"][ends], pc, pv)


def bound_last_non_direct(a: Arrays) -> Pair:
    starts, ends, pc, pv = _split(a)
    codes = a["codes"]
    candidate = np.where(a["direct"][codes], -1, np.arange(len(codes), dtype=np.int64))
    best = np.maximum.reduceat(candidate, starts)
    return _credit(a, codes[np.where(best >= starts, best, ends)], pc, pv)


def bound_linear(a: Arrays) -> Pair:
    starts, ends, pc, pv = _split(a)
    n, tp = _touch_path(starts, ends)
    share = 1.0 / n
    return _credit(a, a["codes"], (share * pc)[tp], (share * pv)[tp])


def bound_linear_channel(a: Arrays) -> Pair:
    starts, ends, pc, pv = _split(a)
    n, tp = _touch_path(starts, ends)
    codes, k = a["codes"], a["k"]
    key = tp * k + codes
    same = np.bincount(key, minlength=len(n) * k)
    distinct = np.count_nonzero(same.reshape(len(n), k), axis=1)
    share = 1.0 / (same[key] * distinct[tp])
    return _credit(a, codes, share * pc[tp], share * pv[tp])


def bound_position(a: Arrays) -> Pair:
    starts, ends, pc, pv = _split(a)
    n, tp = _touch_path(starts, ends)
    share = (0.2 / np.maximum(n - 2, 1))[tp]
    share[ends] = np.where(n == 1, 1.0, np.where(n == 2, 0.5, 0.4))
    two = n >= 2
    share[starts[two]] = np.where(n[two] == 2, 0.5, 0.4)
    return _credit(a, a["codes"], share * pc[tp], share * pv[tp])


def bound_time_decay(a: Arrays) -> Pair:
    starts, ends, pc, pv = _split(a)
    n, tp = _touch_path(starts, ends)
    t = a["timestamps"]
    w = np.exp2((t - t[ends][tp]).astype(np.float64) / a["half_life"])
    share = w / np.bincount(tp, w, minlength=len(n))[tp]
    return _credit(a, a["codes"], share * pc[tp], share * pv[tp])


CASES: list[tuple[str, AttributionModel | None, Callable[[Arrays], Pair]]] = [
    ("conversion_paths", None, bound_paths),
    ("FirstTouch", FirstTouch(), bound_first),
    ("LastTouch", LastTouch(), bound_last),
    ("LastNonDirect", LastNonDirect(direct={"website"}), bound_last_non_direct),
    ("Linear", Linear(), bound_linear),
    ("Linear(channel)", Linear(per="channel"), bound_linear_channel),
    ("PositionBased", PositionBased(), bound_position),
    ("TimeDecay", TimeDecay(), bound_time_decay),
]


def arrays(log: EventLog) -> Arrays:
    """The log's own columns, as the bound reads them (no copies)."""
    codes, names = log.codes_and_names(Field.CHANNEL)
    return {
        "codes": codes,
        "converted": log.converted,
        "values": log.values,
        "timestamps": log.timestamps,
        "offsets": log.offsets,
        "k": len(names),
        "half_life": TimeDecay().half_life,
        "direct": np.array([n == "website" for n in names], dtype=np.bool_),
    }


def main(argv: list[str] | None = None) -> None:
    """Time each model and its bound, check they agree, print one table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 journeys")
    parser.add_argument("--journeys", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    n = args.journeys or (100_000 if args.quick else 1_000_000)
    t = time.perf_counter()
    log = make_log(n, 1)
    print(f"data: {log!r} built in {time.perf_counter() - t:.1f} s")
    a = arrays(log)
    if (a["codes"] < 0).any():
        raise SystemExit("the bound is written for logs whose every event has a channel")
    print(f"{'':18} {'touchpath':>11} {'numpy bound':>12} {'ratio':>6}")
    for label, model, bound in CASES:
        t_bound, (b_conv, b_value) = best_of(args.repeat, functools.partial(bound, a))
        if model is None:
            t_ours, paths = best_of(args.repeat, functools.partial(conversion_paths, log))
            ok = np.array_equal(paths.offsets, b_conv) and np.array_equal(
                paths.conversions, b_value
            )
        else:
            t_ours, result = best_of(args.repeat, functools.partial(attribute, log, model))
            ok = np.allclose(result.conversions, b_conv, rtol=1e-12, atol=1e-9) and np.allclose(
                result.values, b_value, rtol=1e-12, atol=1e-6
            )
        if not ok:
            raise SystemExit(f"{label}: touchpath and the numpy bound disagree")
        print(f"{label:18} {t_ours * 1e3:8.1f} ms {t_bound * 1e3:9.1f} ms {t_ours / t_bound:6.2f}")


if __name__ == "__main__":
    main()

"""Runs of equal consecutive values per journey (stage visits, repeated touches).

Used by the metrics (dwell times, flows, drop-offs) and by validation's
alignment, so it sits below both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from ._log import EventLog

__all__ = ["Runs", "runs"]

_I32 = npt.NDArray[np.int32]
_I64 = npt.NDArray[np.int64]
_B = npt.NDArray[np.bool_]


@attrs.frozen(eq=False)
class Runs:
    """Maximal runs of consecutive events with the same value (events without one skipped)."""

    start: _I64
    """Position of each run's first event."""
    code: _I32
    """The run's value."""
    journey: _I64
    """The run's journey."""
    time: _I64
    """Timestamp of the run's first event."""
    last: _B
    """Whether the run is its journey's last."""
    first: _B
    """Whether the run is its journey's first."""


def runs(log: EventLog, codes: _I32, *, collapse: bool = True) -> Runs:
    """Runs of ``codes`` per journey; with ``collapse=False`` every event is its own run."""
    has = codes >= 0
    if bool(has.all()):
        c, j = codes, log.event_journey
        idx: _I64 | None = None
    else:
        idx = np.flatnonzero(has)
        c, j = codes[idx], log.event_journey[idx]
    n = len(c)
    new = np.ones(n, dtype=np.bool_)
    if n > 1 and collapse:
        np.not_equal(c[1:], c[:-1], out=new[1:])
        new[1:] |= j[1:] != j[:-1]
    at = np.flatnonzero(new)
    start = at if idx is None else idx[at]
    rj = j[at]
    last = np.ones(len(start), dtype=np.bool_)
    first = np.ones(len(start), dtype=np.bool_)
    if len(start) > 1:
        np.not_equal(rj[1:], rj[:-1], out=last[:-1])
        first[1:] = last[:-1]
    return Runs(
        start=start,
        code=c[at],
        journey=rj,
        time=log.timestamps[start],
        last=last,
        first=first,
    )

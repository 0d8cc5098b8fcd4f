"""A small generated clickstream of an online shop: raw events that are not yet touches.

Each row is ``user_id, timestamp, event, source, amount``: a user id, an
ISO-8601 UTC time, an event name (``main``, ``catalog``, ``product1`` ...
``product4``, a product comparison logged as a grouped name such as
``product1|product3``, ``cart``, ``delivery_choice``, ``payment_choice``,
``payment_done``), the traffic source of the session's first event, and an
amount on ``cart`` (the basket) and ``payment_done`` (the order) events.

Users walk a fixed transition table (:data:`TRANSITIONS`) with numpy's
seeded generator, so the same seed always gives the same rows; the shipped
file ``clickstream_events.csv.gz`` is ``_write_clickstream`` of the
documented size and seed.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from typing import Final

import numpy as np

from .._eventmap import EventMapping
from .._schema import Schema

__all__ = [
    "CLICKSTREAM_COLUMNS",
    "CLICKSTREAM_FILE",
    "CLICKSTREAM_SCHEMA",
    "CLICKSTREAM_SEED",
    "CLICKSTREAM_STAGES",
    "CLICKSTREAM_USERS",
    "TRANSITIONS",
    "clickstream_rows",
]

CLICKSTREAM_FILE: Final = "clickstream_events.csv.gz"
"""Name of the clickstream sample inside the package."""
CLICKSTREAM_USERS: Final = 400
"""Number of users in the clickstream sample."""
CLICKSTREAM_SEED: Final = 7
"""Seed the clickstream sample was generated with."""
CLICKSTREAM_COLUMNS: Final = ("user_id", "timestamp", "event", "source", "amount")
"""The columns of the raw file, in order."""

TRANSITIONS: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "main": (("catalog", 0.7), ("product1", 0.1), ("END", 0.2)),
    "catalog": (
        ("product1", 0.25),
        ("product2", 0.2),
        ("product3", 0.15),
        ("product4", 0.1),
        ("COMPARE", 0.1),
        ("main", 0.05),
        ("END", 0.15),
    ),
    "product1": (("cart", 0.35), ("catalog", 0.4), ("END", 0.25)),
    "product2": (("cart", 0.3), ("catalog", 0.45), ("END", 0.25)),
    "product3": (("cart", 0.25), ("catalog", 0.45), ("END", 0.3)),
    "product4": (("cart", 0.2), ("catalog", 0.5), ("END", 0.3)),
    "COMPARE": (("cart", 0.3), ("catalog", 0.5), ("END", 0.2)),
    "cart": (("delivery_choice", 0.6), ("catalog", 0.2), ("END", 0.2)),
    "delivery_choice": (("payment_choice", 0.75), ("cart", 0.1), ("END", 0.15)),
    "payment_choice": (("payment_done", 0.7), ("END", 0.3)),
    "payment_done": (("END", 1.0),),
}
"""Next-event probabilities; ``COMPARE`` is a comparison of two products, logged as a
grouped name, and ``END`` ends the session."""

CLICKSTREAM_STAGES: Final = {
    "main": "visit",
    "catalog": "browse",
    "product1": "browse",
    "product2": "browse",
    "product3": "browse",
    "product4": "browse",
    "cart": "cart",
    "delivery_choice": "checkout",
    "payment_choice": "checkout",
    "payment_done": "purchase",
}
"""The stage of each event name (a grouped name takes the stage its parts share)."""

CLICKSTREAM_SCHEMA: Final = Schema(
    journey_id="user_id",
    channel="source",
    events=EventMapping(
        column="event",
        touchpoint=True,
        stage=CLICKSTREAM_STAGES,
        conversions=("payment_done",),
        value="amount",
    ),
)
"""The recipe that reads the sample: the event name is the touchpoint, the stage comes from
:data:`CLICKSTREAM_STAGES`, ``payment_done`` converts with its ``amount`` as value."""

_SOURCES: Final = ("ads", "seo", "email", "direct", "social")
_SOURCE_WEIGHTS: Final = (0.3, 0.25, 0.15, 0.2, 0.1)
_PRICES: Final = {"product1": 40.0, "product2": 25.0, "product3": 60.0, "product4": 15.0}
_START: Final = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
_MAX_EVENTS: Final = 40


def clickstream_rows(
    n_users: int = CLICKSTREAM_USERS, seed: int = CLICKSTREAM_SEED
) -> list[tuple[str, str, str, str, str]]:
    """The raw rows (as the CSV file holds them) of ``n_users`` simulated users.

    Each user has one to three sessions a few days apart, each starting at
    ``main`` or ``catalog`` and following :data:`TRANSITIONS` with gaps of
    about a minute; the same seed gives the same rows.

    >>> rows = clickstream_rows(3, seed=1)
    >>> rows == clickstream_rows(3, seed=1), rows[0][2] in ("main", "catalog")
    (True, True)
    """
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, str, str, str, str]] = []
    names = {k: [n for n, _ in v] for k, v in TRANSITIONS.items()}
    weights = {k: np.array([p for _, p in v]) for k, v in TRANSITIONS.items()}
    for u in range(n_users):
        user = f"u{u:04d}"
        t = _START + dt.timedelta(seconds=int(rng.integers(0, 28 * 86400)))
        for _ in range(int(rng.integers(1, 4))):
            source = str(rng.choice(_SOURCES, p=_SOURCE_WEIGHTS))
            state = "main" if rng.random() < 0.6 else "catalog"
            basket = 0.0
            seen: list[str] = []
            for k in range(_MAX_EVENTS):
                event = state
                if state == "COMPARE":
                    a, b = sorted(rng.choice(list(_PRICES), size=2, replace=False).tolist())
                    event = f"{a}|{b}"
                amount = ""
                if state.startswith("product"):
                    seen.append(state)
                elif state == "cart":
                    basket = _PRICES[seen[-1]] if seen else 20.0
                    amount = f"{basket:.2f}"
                elif state == "payment_done":
                    amount = f"{basket or 20.0:.2f}"
                stamp = t.isoformat().replace("+00:00", "Z")
                rows.append((user, stamp, event, source if k == 0 else "", amount))
                t += dt.timedelta(seconds=int(rng.exponential(60.0)) + 1)
                state = str(rng.choice(names[state], p=weights[state]))
                if state == "END":
                    break
            t += dt.timedelta(seconds=int(rng.integers(86400, 5 * 86400)))
    return rows


def clickstream_csv(n_users: int = CLICKSTREAM_USERS, seed: int = CLICKSTREAM_SEED) -> bytes:
    """The gzipped CSV text of :func:`clickstream_rows` (byte for byte the shipped file).

    >>> import gzip
    >>> gzip.decompress(clickstream_csv(1)).decode().splitlines()[0]
    'user_id,timestamp,event,source,amount'
    """
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(CLICKSTREAM_COLUMNS)
    writer.writerows(clickstream_rows(n_users, seed))
    return gzip.compress(text.getvalue().encode(), mtime=0)


def _write_clickstream(path: str) -> None:
    """Regenerate the shipped clickstream file (run after changing the generator)."""
    with open(path, "wb") as fh:
        fh.write(clickstream_csv())

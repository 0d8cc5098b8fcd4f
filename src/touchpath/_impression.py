"""The impression flag: whether each event is a view (impression) or a click.

One column, read by every reader through :attr:`~touchpath.Schema.impression`
(default column ``impression``). Both ways ad platforms export the kind of a
touch are read: a boolean ``is_view``-style flag (true / false, 1 / 0,
yes / no) and a kind column (``view`` or ``impression`` versus ``click``).
A missing value means *not stated*: the event's kind is then decided by the
name rules of the model that asks (e.g.
:class:`~touchpath.attribution.TouchWindows`' ``views``). Anything else is a
bad row, reported like every other bad value.

The log stores the flag as ``int8`` codes (:data:`VIEW`, :data:`CLICK`,
:data:`UNSTATED`); a log without the column stores nothing per event.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from ._ingest import _Column, _Problems

__all__ = ["CLICK", "UNSTATED", "VIEW", "impression_flags"]

VIEW: Final = 1
"""The event is a view (impression)."""
CLICK: Final = 0
"""The event is a click."""
UNSTATED: Final = -1
"""The data does not say."""

_VIEW_WORDS: Final = frozenset({"view", "impression", "true", "t", "yes", "y", "1"})
_CLICK_WORDS: Final = frozenset({"click", "false", "f", "no", "n", "0"})
_REASON: Final = (
    "impression flag must be true/false (1/0, yes/no), 'view'/'impression' or 'click', "
    "or empty when not stated"
)


def _code(value: object) -> int | None:
    """The flag code of one raw value; None when it is not a flag."""
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return UNSTATED
    if isinstance(value, bool | np.bool_):
        return VIEW if value else CLICK
    if isinstance(value, int | np.integer | float | np.floating) and value in (0, 1):
        return VIEW if value == 1 else CLICK
    if isinstance(value, str):
        word = value.strip().lower()
        if word == "":
            return UNSTATED
        if word in _VIEW_WORDS:
            return VIEW
        if word in _CLICK_WORDS:
            return CLICK
    return None


def impression_flags(values: _Column, field: str, problems: _Problems) -> npt.NDArray[np.int8]:
    """Flag codes of a raw column, checked once per distinct value; bad rows go to ``problems``.

    >>> from touchpath._ingest import _Problems
    >>> impression_flags(["view", "click", None, True, "0"], "kind", _Problems()).tolist()
    [1, 0, -1, 1, 0]
    """
    from ._ingest import _factorize, _rows_with

    if isinstance(values, np.ndarray) and values.dtype == np.bool_:
        return values.astype(np.int8)
    raw_codes, uniq = _factorize(values)
    table = np.full(len(uniq) + 1, UNSTATED, dtype=np.int8)  # code -1: the last slot
    bad: dict[int, str] = {}
    for k, v in enumerate(uniq):
        code = _code(v)
        if code is None:
            bad[k] = _REASON
        else:
            table[k] = code
    if bad:
        rows, keys = _rows_with(raw_codes, bad, len(uniq))
        for r, k in zip(rows.tolist(), keys, strict=True):
            problems.add(r, field, values[r], bad[k])
    out: npt.NDArray[np.int8] = table[raw_codes]
    return out

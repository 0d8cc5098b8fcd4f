"""Deprecated names: one warning, one wording (a bottom module).

>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     warn_renamed("PathCounts.empty()", "PathCounts.zero()")
>>> print(caught[0].message)
PathCounts.empty() is deprecated and will be removed in the next release; use PathCounts.zero()
"""

from __future__ import annotations

import warnings

__all__ = ["warn_renamed"]


def warn_renamed(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn (``DeprecationWarning``) that ``old`` is now ``new``, at the caller's caller."""
    warnings.warn(
        f"{old} is deprecated and will be removed in the next release; use {new}",
        DeprecationWarning,
        stacklevel=stacklevel,
    )

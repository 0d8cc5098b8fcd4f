"""EventLogs from and to pandas, polars and Arrow: one module per library.

``_fields`` holds what they share (the per-field switch, timestamp
finishing); ``_arrow``, ``_polars`` and ``_pandas`` say how each library reads
and writes a column. This module gathers them for the rest of the package.
The frame libraries are optional extras, imported inside the functions.
"""

from __future__ import annotations

from .._optional import require
from ._arrow import _same_buffers as _same_buffers
from ._arrow import arrow_columns as arrow_columns
from ._arrow import from_arrow as from_arrow
from ._arrow import to_arrow as to_arrow
from ._fields import ISO_PATTERN as ISO_PATTERN
from ._fields import present
from ._pandas import from_pandas as from_pandas
from ._pandas import to_pandas as to_pandas
from ._polars import from_polars as from_polars
from ._polars import polars_columns as polars_columns
from ._polars import to_polars as to_polars

__all__ = [
    "ISO_PATTERN",
    "arrow_columns",
    "from_arrow",
    "from_pandas",
    "from_polars",
    "polars_columns",
    "to_arrow",
    "to_pandas",
    "to_polars",
]

# the names io/_stream and io/_parquet import from here
_import = require
_present = present

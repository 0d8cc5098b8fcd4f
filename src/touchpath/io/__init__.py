"""Reading and writing event data: CSV, JSON Lines, Parquet, pandas, polars and Arrow.

>>> from touchpath.io import read_csv, write_csv
"""

from ._csv import CsvEngine as CsvEngine
from ._csv import read_csv as read_csv
from ._csv import write_csv as write_csv
from ._frames import from_pandas as from_pandas
from ._frames import from_polars as from_polars
from ._frames import to_arrow as to_arrow
from ._frames import to_pandas as to_pandas
from ._frames import to_polars as to_polars
from ._jsonl import read_jsonl as read_jsonl
from ._jsonl import write_jsonl as write_jsonl
from ._parquet import read_parquet as read_parquet
from ._parquet import write_parquet as write_parquet
from ._pathtable import read_paths as read_paths
from ._stream import from_arrow as from_arrow

__all__ = [
    "CsvEngine",
    "from_arrow",
    "from_pandas",
    "from_polars",
    "read_csv",
    "read_jsonl",
    "read_parquet",
    "read_paths",
    "to_arrow",
    "to_pandas",
    "to_polars",
    "write_csv",
    "write_jsonl",
    "write_parquet",
]

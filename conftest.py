"""Collect the Python code blocks of docs/*.md as tests (Sybil).

Without the ``dask`` extra the doctests of ``touchpath.dask`` cannot even be
imported, so they are not collected (``tests/dask`` skips with a reason).
"""

from __future__ import annotations

import importlib.util

from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser

pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser(), SkipParser()],
    patterns=["*.md"],
    path="docs",
).pytest()

collect_ignore_glob = [] if importlib.util.find_spec("distributed") else ["src/touchpath/dask/*"]

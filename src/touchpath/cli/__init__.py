"""The ``touchpath`` command line (``touchpath --help``; also ``python -m touchpath``).

Commands: ``demo``, ``attribute``, ``validate``, ``funnel``, ``render``,
``report`` and ``templates``. Results print as aligned tables (with
``rich`` when it is installed and the output is a terminal), or as CSV or
JSON with ``--format``. Exit codes: 0 ok, 1 violations found
(``validate``), 2 bad usage or bad input (the message names the file, the
line and the field; ``--debug`` shows the traceback), 3 the data cannot
answer (``validate`` of a log with no event in a stage of the map).

>>> main(["templates"])  # doctest: +ELLIPSIS
template ...
b2b_five_stage ...
0

The package holds one module per concept: ``_output`` (printing tables),
``_input`` (reading events, maps and spend), ``_progress`` (the status line),
``_commands``, ``_parser`` and ``_main``. Every table printed comes from a
result's ``to_table()``.
"""

from ._common import EXIT_OK as EXIT_OK
from ._common import EXIT_UNDEFINED as EXIT_UNDEFINED
from ._common import EXIT_USAGE as EXIT_USAGE
from ._common import EXIT_VIOLATIONS as EXIT_VIOLATIONS
from ._common import UsageError as UsageError
from ._input import load_map as load_map
from ._input import read_events as read_events
from ._main import main as main
from ._output import emit as emit
from ._output import render_csv as render_csv
from ._output import render_json as render_json
from ._output import render_text as render_text
from ._parser import build_parser as build_parser
from ._progress import Progress as Progress

__all__ = [
    "EXIT_OK",
    "EXIT_UNDEFINED",
    "EXIT_USAGE",
    "EXIT_VIOLATIONS",
    "Progress",
    "UsageError",
    "build_parser",
    "emit",
    "load_map",
    "main",
    "read_events",
    "render_csv",
    "render_json",
    "render_text",
]

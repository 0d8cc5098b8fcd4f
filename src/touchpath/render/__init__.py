"""Text renderings of journey maps: Mermaid flowcharts and Graphviz DOT.

Both escape every id and label, so quotes, brackets, colons, newlines and
non-ASCII text always give output that parses.
"""

from ._dot import to_dot as to_dot
from ._mermaid import to_mermaid as to_mermaid

__all__ = ["to_dot", "to_mermaid"]

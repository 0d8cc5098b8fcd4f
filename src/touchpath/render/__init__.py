"""Renderings of journey maps: Mermaid flowcharts, Graphviz DOT and self-contained SVG.

Mermaid and DOT escape every id and label, so quotes, brackets, colons, ``#``, ``;``,
``|``, backslashes, newlines, Mermaid keywords (``end``, ``subgraph``) and
non-ASCII text always give output that parses, and the rendered labels show
the original text. The one normalisation: ``\\r\\n``, ``\\r``, U+2028 and
U+2029 become line breaks, other control characters spaces, and lone
surrogates U+FFFD.

>>> from touchpath import JourneyMap
>>> m = JourneyMap.builder("m").stage("end", 'The "end"').build()
>>> print(to_mermaid(m).splitlines()[1])
    s0["The #quot;end#quot;"]
>>> print(to_dot(m).splitlines()[3])
    "end" [label="The \\"end\\"", penwidth=2, peripheries=2];


The three also draw a :class:`~touchpath.validation.MapComparison`: the map with the
observed traffic over it, every edge classified once by the comparison (taken, dead or
shadow, :class:`~touchpath.validation.EdgeStatus`).
"""

from ._dot import to_dot as to_dot
from ._layout import MapLayout as MapLayout
from ._layout import layout as layout
from ._mermaid import to_mermaid as to_mermaid
from ._svg import to_svg as to_svg

__all__ = ["MapLayout", "layout", "to_dot", "to_mermaid", "to_svg"]

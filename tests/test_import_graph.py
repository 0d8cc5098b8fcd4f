"""The modules of touchpath import one another without cycles.

The graph is read from the source (``ast``), not from ``sys.modules``: an edge
``a -> b`` is an ``import``/``from ... import`` executed when ``a`` is loaded,
that is a statement at module level (also inside a top-level ``if``/``try``),
except under ``if TYPE_CHECKING:``. Imports inside functions are the
documented lazy convenience imports (``EventLog.to_pandas()`` importing
``touchpath.io``, a renderer importing matplotlib) and are not edges. A
package is the module of its ``__init__.py``; importing ``a.b`` runs ``a``
first, but that implicit edge is left out (every submodule would otherwise
sit in a cycle with the package that re-exports it).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

import touchpath

_ROOT = Path(touchpath.__file__).parent


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(_ROOT.rglob("*.py")):
        parts = list(path.relative_to(_ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements run when the module loads (not under TYPE_CHECKING)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _top_level(block)
            for handler in node.handlers:
                yield from _top_level(handler.body)
        elif isinstance(node, ast.With):
            yield from _top_level(node.body)


def _targets(name: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    if node.level:
        base = name.split(".") if is_package else name.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        module = ".".join([*base, node.module] if node.module else base)
    else:
        module = node.module or ""
    yield module
    for alias in node.names:  # ``from . import plot`` imports the submodule
        yield f"{module}.{alias.name}"


@functools.cache
def import_graph() -> nx.DiGraph[str]:
    """touchpath's modules and the load-time imports among them."""
    modules = _modules()
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in _top_level(tree.body):
            for target in _targets(name, is_package, node):
                if target in modules and target != name:
                    graph.add_edge(name, target)
    return graph


def test_the_graph_is_read_from_the_source() -> None:
    """Sanity check of the reader: known load-time edges are there, lazy ones are not
    (``EventLog.to_pandas`` imports ``touchpath.io._frames`` inside the method)."""
    graph = import_graph()
    assert graph.has_edge("touchpath._log", "touchpath._schema")
    assert graph.has_edge("touchpath", "touchpath._log")
    assert not graph.has_edge("touchpath._log", "touchpath.io._frames")
    assert len(graph) > 100
    looped = graph.copy()
    looped.add_edge("touchpath._schema", "touchpath._log")  # the check below would see it
    assert not nx.is_directed_acyclic_graph(looped)


def test_the_import_graph_has_no_cycles() -> None:
    """No module imports itself through others at load time: a cycle would make the import
    order matter and hide a module that belongs lower in the graph."""
    graph = import_graph()
    if not nx.is_directed_acyclic_graph(graph):
        cycles = sorted(" -> ".join(c) for c in nx.simple_cycles(graph, length_bound=6))
        raise AssertionError("import cycles:\n" + "\n".join(cycles))


def test_bottom_modules_import_only_exceptions() -> None:
    """The shared foundations sit at the bottom: they import no other touchpath module but
    the exception tree, so anything can use them."""
    graph = import_graph()
    bottom = [f"touchpath.{m}" for m in ("_enums", "_optional", "_codes", "_deprecation", "_runs")]
    bottom.append("touchpath._markup")
    for name in bottom:
        assert set(graph.successors(name)) <= {"touchpath.exceptions"}, name

"""``__all__`` lists exactly the public names, in order (after httpx's test_exported_members).

"Sorted" means ruff's isort-style order (RUF022): SCREAMING_SNAKE_CASE names first, then
CamelCase, then everything else, each group in natural order.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

import touchpath
from touchpath.exceptions import MissingDependencyError

PACKAGE_DIR = Path(touchpath.__file__).parent
OPTIONAL = {"pandas", "polars", "pyarrow", "matplotlib", "dask", "distributed"}


def _statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Top-level statements, looking into ``if``/``try`` blocks but not ``if TYPE_CHECKING``."""
    out: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.If):
            test = node.test
            if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
            ):
                continue
            out.extend(_statements(node.body + node.orelse))
        elif isinstance(node, ast.Try):
            blocks = node.body + node.orelse + node.finalbody
            out.extend(_statements(blocks + [s for h in node.handlers for s in h.body]))
        else:
            out.append(node)
    return out


def defined_names(path: Path) -> tuple[set[str], bool]:
    """The public names a module defines or explicitly re-exports (``import x as x``, which
    may also re-export a dunder such as ``__version__``), and whether it assigns ``__all__``;
    read from the source, without importing it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined: set[str] = set()
    reexported: set[str] = set()
    for node in _statements(tree.body):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            if isinstance(node, ast.AnnAssign) and node.value is None:
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            reexported.update(a.name for a in node.names if a.asname == a.name)
    has_all = "__all__" in defined
    public = {n for n in defined if not n.startswith("_")}
    public |= {n for n in reexported if not n.startswith("_") or re.fullmatch(r"__\w+__", n)}
    return public, has_all


def public_modules() -> list[tuple[str, Path]]:
    """Every public module and package of touchpath (no ``_`` in any part of its name)."""
    found: list[tuple[str, Path]] = [("touchpath", PACKAGE_DIR / "__init__.py")]
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not parts or any(p.startswith("_") for p in parts):
            continue
        found.append((".".join(["touchpath", *parts]), path))
    return found


WITH_ALL = [(name, path) for name, path in public_modules() if defined_names(path)[1]]
PACKAGES = [(name, path) for name, path in WITH_ALL if path.name == "__init__.py"]


def import_or_skip(name: str) -> ModuleType:
    """Import a module; skip when it needs an optional extra that is not installed."""
    try:
        return importlib.import_module(name)
    except MissingDependencyError as exc:
        pytest.skip(f"{name}: {exc}")
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] in OPTIONAL:
            pytest.skip(f"{name} needs {exc.name}")
        raise


def test_top_level_all_is_complete() -> None:
    """Every public name of ``import touchpath`` is in ``__all__`` (submodules only when they
    are explicitly re-exported), plus ``__version__``; every listed name exists."""
    reexported, _ = defined_names(PACKAGE_DIR / "__init__.py")
    public = {
        name
        for name, value in vars(touchpath).items()
        if not name.startswith("_") and (not isinstance(value, ModuleType) or name in reexported)
    }
    assert set(touchpath.__all__) == public | {"__version__"}
    for name in touchpath.__all__:
        assert hasattr(touchpath, name), name


def test_version_is_a_string() -> None:
    """``touchpath.__version__`` is a non-empty string."""
    assert isinstance(touchpath.__version__, str)
    assert touchpath.__version__


@pytest.mark.parametrize(("module_name", "path"), PACKAGES, ids=[n for n, _ in PACKAGES])
def test_package_all_is_complete(module_name: str, path: Path) -> None:
    """Each public (sub)package's ``__all__`` lists exactly the public names it defines or
    explicitly re-exports (``from ._x import y as y``), and every listed name exists."""
    module = import_or_skip(module_name)
    assert set(module.__all__) == defined_names(path)[0]
    for name in module.__all__:
        assert hasattr(module, name), f"{module_name}.{name}"


@pytest.mark.parametrize(("module_name", "path"), WITH_ALL, ids=[n for n, _ in WITH_ALL])
def test_module_all_is_unique_and_exists(module_name: str, path: Path) -> None:
    """Every public module's ``__all__`` has no duplicates and every listed name exists (its order
    is ruff's RUF022 rule, checked by ``ruff check``)."""
    module = import_or_skip(module_name)
    listed = list(module.__all__)
    assert len(set(listed)) == len(listed)
    for name in listed:
        assert hasattr(module, name), f"{module_name}.{name}"

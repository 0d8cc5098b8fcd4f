"""A griffe extension that turns touchpath's docstrings into clean Markdown for the API pages.

touchpath's docstrings are written for readers of the source (and ``help()``): reST roles such
as ``:class:`~touchpath.EventLog``` for cross-references and bare doctest blocks (``>>>``).
mkdocstrings renders docstrings as Markdown, where roles stay raw text and ``>>>`` becomes a
nested quote. This extension rewrites each docstring once, after griffe has loaded the package:

* every role becomes an optional cross-reference to the object it names, resolved the way a
  reader would (the object's own scope, its module, then touchpath's public namespaces); the
  link is drawn when the object is on some API page, and plain code when it is not;
* every doctest block becomes a fenced ``pycon`` code block, highlighted offline by Pygments;
* a reST literal block (a paragraph ending in ``::``) becomes a fenced text block.

The docstrings in the source are untouched; only the rendered pages change.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(meth|class|func|attr|mod|data|exc|obj|const):`([^`]+)`")
_PROMPT = re.compile(r"^(\s*)>>> ")
_SUBPACKAGES = (
    "attribution",
    "validation",
    "metrics",
    "io",
    "report",
    "render",
    "plot",
    "datasets",
    "templates",
    "testing",
    "typing",
    "exceptions",
    "dask",
)


def _lookup(
    scope: griffe.Object | griffe.Alias, dotted: str
) -> griffe.Object | griffe.Alias | None:
    try:
        return scope[dotted]  # type: ignore[no-any-return]
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError, ValueError):
        return None


class TouchpathDocstrings(griffe.Extension):
    """Rewrite roles and doctest blocks of every docstring in the package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        if pkg.name != "touchpath":
            return
        self._pkg = pkg
        self._walk(pkg, seen=set())

    def _walk(self, obj: griffe.Object, seen: set[str]) -> None:
        if obj.path in seen:
            return
        seen.add(obj.path)
        if obj.docstring is not None:
            obj.docstring.value = self.rewrite(obj.docstring.value, obj)
        for member in obj.members.values():
            if isinstance(member, griffe.Alias):
                continue
            self._walk(member, seen)

    def rewrite(self, text: str, owner: griffe.Object) -> str:
        """Return ``text`` with roles linked and doctest / literal blocks fenced."""
        text = _ROLE.sub(lambda m: self._link(m.group(2), owner), text)
        return _fence(text)

    def _resolve(self, target: str, owner: griffe.Object) -> str | None:
        name = target.lstrip(".").removesuffix("()")
        if name.startswith("touchpath."):
            found = _lookup(self._pkg, name.removeprefix("touchpath."))
        else:
            found = None
            scope: griffe.Object | None = owner
            while found is None and scope is not None:
                found = _lookup(scope, name)
                scope = scope.parent
            for sub in ("", *_SUBPACKAGES):
                if found is not None:
                    break
                base = _lookup(self._pkg, sub) if sub else self._pkg
                if base is not None:
                    found = _lookup(base, name)
        if found is None:
            return None
        try:
            return str(found.final_target.path if isinstance(found, griffe.Alias) else found.path)
        except (griffe.AliasResolutionError, griffe.CyclicAliasError):
            return str(found.path)

    def _link(self, target: str, owner: griffe.Object) -> str:
        shown = target.lstrip("~").lstrip(".")
        if target.startswith("~"):
            shown = shown.rsplit(".", 1)[-1]
        shown = shown.removesuffix("()")
        ident = self._resolve(target.lstrip("~"), owner)
        if ident is None:
            return f"`{shown}`"
        return f'<autoref identifier="{ident}" optional><code>{shown}</code></autoref>'


def _fence(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        prompt = _PROMPT.match(line)
        if prompt is not None:
            indent = prompt.group(1)
            out.append(f"{indent}```pycon")
            while i < len(lines) and lines[i].strip():
                out.append(lines[i])
                i += 1
            out.append(f"{indent}```")
            continue
        if line.rstrip().endswith("::") and not line.lstrip().startswith((":", "..")):
            # A reST literal block: "text::", a blank line, then an indented block.
            head = line.rstrip()[:-1]
            out.append(head if head.rstrip().endswith(":") else head.rstrip())
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            base = len(line) - len(line.lstrip())
            block: list[str] = []
            while j < len(lines) and (
                not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > base
            ):
                block.append(lines[j])
                j += 1
            while block and not block[-1].strip():
                block.pop()
            if block:
                pad = min(len(b) - len(b.lstrip()) for b in block if b.strip())
                out.extend(["", " " * base + "```text"])
                out.extend(" " * base + b[pad:] if b.strip() else "" for b in block)
                out.extend([" " * base + "```", ""])
                i = j
                continue
        out.append(line)
        i += 1
    return "\n".join(out)

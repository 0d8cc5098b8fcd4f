"""MkDocs hooks: charts drawn from the shipped sample at build time, and API-page checks.

* ``on_files`` draws the charts the pages describe with :mod:`touchpath.plot` from
  ``datasets.sample()`` and adds them to the site as generated files (``img/charts/*.png``);
  nothing is committed by hand, so a chart on a page is always what the code draws today.
* ``on_post_page`` fails the build when an API page still shows a raw reST role
  (``:class:`...```) or a doctest flattened into a quote.
* ``on_post_build`` fails the build when a public name (in ``__all__`` of touchpath or one of its
  public modules) is not rendered on any API page.

The build fails through :class:`mkdocs.exceptions.PluginError`, so ``mkdocs build --strict`` in CI
enforces all three.
"""

from __future__ import annotations

import importlib
import io
import re
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

_RAW_ROLE = re.compile(r":(?:meth|class|func|attr|mod|data|exc|obj):`")
_FLAT_DOCTEST = re.compile(r"<blockquote>\s*<blockquote>\s*<blockquote>")
_ANCHOR = re.compile(r'id="(touchpath(?:\.[A-Za-z_][A-Za-z0-9_]*)+)"')
PUBLIC_MODULES = (
    "touchpath",
    "touchpath.attribution",
    "touchpath.datasets",
    "touchpath.duckdb",
    "touchpath.exceptions",
    "touchpath.io",
    "touchpath.measurements",
    "touchpath.metrics",
    "touchpath.plot",
    "touchpath.render",
    "touchpath.report",
    "touchpath.templates",
    "touchpath.testing",
    "touchpath.testing.strategies",
    "touchpath.typing",
    "touchpath.validation",
)
_anchors: dict[str, set[str]] = {}


_SIZES: dict[str, tuple[float, float]] = {
    "funnel_by_segment": (8, 6),
    "attribution_heatmap": (9, 6),
    "path_flow": (11, 6),
    "step_matrix": (8, 5),
    "retention": (9, 6),
}
"""Figure sizes (inches) of the charts that need more room than 8 x 4.5."""


def _charts() -> dict[str, bytes]:
    """The PNG charts the docs show, drawn from the shipped sample."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    import touchpath
    from touchpath import attribution, datasets, metrics, plot, templates

    journey_map = templates.get("pay_per_call_marketplace")
    log = datasets.sample()
    drawings: dict[str, Any] = {
        "funnel": lambda ax: plot.funnel(touchpath.funnel(log, journey_map=journey_map), ax=ax),
        "attribution": lambda ax: plot.attribution(
            touchpath.compare_models(
                log, [attribution.FirstTouch(), attribution.Linear(), attribution.Markov()]
            ),
            ax=ax,
        ),
        "transitions": lambda ax: plot.transitions(
            metrics.transition_graph(log), journey_map=journey_map, ax=ax
        ),
        "time_to_convert": lambda ax: plot.time_to_convert(log, ax=ax),
        "funnel_by_segment": lambda ax: plot.funnel(
            touchpath.funnel(log, journey_map=journey_map, breakdown="segment"), ax=ax
        ),
        "attribution_heatmap": lambda ax: plot.attribution(
            touchpath.compare_models(
                log,
                [
                    attribution.FirstTouch(),
                    attribution.LastTouch(),
                    attribution.LastNonDirect(),
                    attribution.Linear(),
                    attribution.PositionBased(),
                    attribution.TimeDecay(half_life="7 days"),
                    attribution.Markov(),
                    attribution.Markov(order=2),
                    attribution.Shapley(),
                ],
            ),
            ax=ax,
        ),
        "path_flow": lambda ax: plot.path_flow(
            metrics.path_flow(log, level="channel", steps=4, top=6), ax=ax
        ),
        "step_matrix": lambda ax: plot.step_matrix(metrics.step_matrix(log, steps=8), ax=ax),
        "top_paths": lambda ax: plot.top_paths(metrics.top_paths(log), ax=ax),
        "retention": lambda ax: plot.retention(metrics.retention(log, period="week"), ax=ax),
    }
    out: dict[str, bytes] = {}
    for name, draw in drawings.items():
        fig = Figure(figsize=_SIZES.get(name, (8, 4.5)), layout="constrained")
        draw(fig.add_subplot())
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=96)
        out[name] = buffer.getvalue()
    return out


def on_files(files: Files, config: MkDocsConfig) -> Files:
    files.append(File.generated(config, "css/pygments.css", content=_PYGMENTS_CSS))
    for name, png in _charts().items():
        files.append(File.generated(config, f"img/charts/{name}.png", content=png))
    return files


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    if page.file.src_uri.startswith("api/"):
        where = page.file.src_uri
        if (raw := _RAW_ROLE.search(output)) is not None:
            context = output[max(0, raw.start() - 80) : raw.end() + 40]
            raise PluginError(f"{where}: a raw reST role is rendered: ...{context}...")
        if _FLAT_DOCTEST.search(output) is not None:
            raise PluginError(f"{where}: a doctest is rendered as a quote, not as code")
        _anchors[where] = set(_ANCHOR.findall(output))
    return output


def _resolve(path: str) -> object | None:
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def on_post_build(config: MkDocsConfig) -> None:
    rendered: set[int] = set()
    for anchors in _anchors.values():
        for anchor in anchors:
            obj = _resolve(anchor)
            if obj is not None:
                rendered.add(id(obj))
    missing: list[str] = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if name.startswith("__") or type(obj).__name__ == "module":
                continue
            if id(obj) not in rendered:
                missing.append(f"{module_name}.{name}")
    if missing:
        pages = ", ".join(sorted(_anchors)) or "no API pages"
        raise PluginError(
            f"public names not rendered on any API page ({pages}): {', '.join(missing)}"
        )


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    from pygments.formatters import HtmlFormatter

    global _PYGMENTS_CSS
    _PYGMENTS_CSS = HtmlFormatter(style="friendly").get_style_defs(".highlight")
    return config


_PYGMENTS_CSS = ""

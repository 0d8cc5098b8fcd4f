"""The journey frameworks touchpath ships as ready-made maps (placeholder, being written)."""

from __future__ import annotations

from collections.abc import Callable

from ._map import JourneyMap
from .exceptions import NotFoundError

__all__ = ["get", "names"]


def _b2b_five_stage() -> JourneyMap:
    return (
        JourneyMap.builder("b2b_five_stage")
        .stage("awareness")
        .stage("consideration")
        .stage("decision")
        .stage("retention")
        .stage("advocacy")
        .path("awareness", "consideration", "decision", "retention", "advocacy")
        .build()
    )


_BUILDERS: dict[str, Callable[[], JourneyMap]] = {"b2b_five_stage": _b2b_five_stage}


def names() -> tuple[str, ...]:
    """The names of the shipped templates."""
    return tuple(_BUILDERS)


def get(name: str) -> JourneyMap:
    """The template with this name."""
    try:
        return _BUILDERS[name]()
    except KeyError:
        raise NotFoundError("template", name, choices=names()) from None

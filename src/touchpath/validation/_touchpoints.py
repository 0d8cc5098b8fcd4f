"""Touchpoint rules: which touchpoints a journey must have seen."""

from __future__ import annotations

import enum

import attrs
import numpy as np

from .._enums import to_enum
from ..exceptions import ConfigError, NotFoundError
from ._context import ValidationContext
from ._protocol import Findings, Severity, to_severity
from ._rulekit import (
    check_stage_id,
    map_stage,
    quoted,
    to_touchpoint_ids,
)

__all__ = ["Match", "RequiredTouchpoints"]


class Match(enum.StrEnum):
    """Whether a stage needs every listed touchpoint or any one of them.

    >>> Match.ANY.value
    'any'
    """

    ALL = "all"
    ANY = "any"


def _match(value: object) -> Match:
    return to_enum(Match, "match", value)


@attrs.frozen
class RequiredTouchpoints:
    """A journey may not pass ``stage`` without its required touchpoints.

    A stay in the stage is *passed* when the journey moves on to another
    stage; its events are those from entering the stage up to that move,
    including events without a stage. With ``match=Match.ALL`` (the
    default) every listed touchpoint must occur during the stay, with
    ``Match.ANY`` at least one. Stays the journey has not left yet are not
    judged. The violation is reported at the event that leaves the stage.

    >>> from touchpath import EventLog, templates
    >>> from touchpath.validation import validate
    >>> m = templates.get("b2b_five_stage")
    >>> log = EventLog.from_records([
    ...     {"journey_id": "j", "timestamp": 0, "stage": "decision", "touchpoint": "ae_call"},
    ...     {"journey_id": "j", "timestamp": 1, "stage": "retention"}])
    >>> rule = RequiredTouchpoints("decision", ["ae_call", "pricing_page"])
    >>> print(validate(log, m, [rule]).violations[0].message)
    journey 'j' event 1 (1970-01-01T00:00:01+00:00): left 'decision' without 'pricing_page' \
[RequiredTouchpoints('decision', all of 'ae_call', 'pricing_page')]
    """

    stage: str = attrs.field(validator=check_stage_id)
    """The stage whose stays are checked."""
    touchpoints: tuple[str, ...] = attrs.field(converter=to_touchpoint_ids)
    """Touchpoint ids (a single id is fine)."""
    match: Match = attrs.field(default=Match.ALL, converter=_match)
    """Whether all listed touchpoints are needed or any one of them."""
    severity: Severity = attrs.field(default=Severity.ERROR, converter=to_severity, kw_only=True)
    """How serious a violation is."""

    @property
    def name(self) -> str:
        """``RequiredTouchpoints('<stage>', all of ...)`` (or ``any of``)."""
        wanted = f"{self.match.value} of {quoted(self.touchpoints)}"
        return f"RequiredTouchpoints({self.stage!r}, {wanted})"

    def check(self, context: ValidationContext) -> Findings:
        """Flag the event leaving each stay that lacks the required touchpoints."""
        k = map_stage(self, context, self.stage)
        m = context.journey_map
        for tp in self.touchpoints:
            if not m.has_touchpoint(tp):
                known = tuple(t.id for t in m.touchpoints)
                raise ConfigError(
                    f"rule {self.name} names {NotFoundError('touchpoint', tp, choices=known)}"
                )
        v = context.visits
        log = context.log
        sel = np.flatnonzero((v.stage == k) & ~v.is_last)
        if not len(sel):
            return Findings.zero()
        start = v.start[sel]
        stop = v.stop[sel]
        present = np.zeros((len(sel), len(self.touchpoints)), dtype=np.bool_)
        codes = {name: i for i, name in enumerate(log.touchpoint_ids)}
        for j, tp in enumerate(self.touchpoints):
            code = codes.get(tp)
            if code is None:
                continue
            at = np.flatnonzero(log.touchpoint_codes == code)
            present[:, j] = np.searchsorted(at, stop) > np.searchsorted(at, start)
        ok = present.all(axis=1) if self.match is Match.ALL else present.any(axis=1)
        bad = np.flatnonzero(~ok)
        missing = ~present[bad]
        tps = self.touchpoints
        stage = self.stage
        any_of = self.match is Match.ANY

        def details() -> list[str]:
            if any_of:
                return [f"left {stage!r} without any of {quoted(tps)}"] * len(bad)
            return [
                f"left {stage!r} without "
                f"{quoted(t for t, miss in zip(tps, row, strict=True) if miss)}"
                for row in missing.tolist()
            ]

        nxt = sel[bad] + 1
        return Findings(
            stop[bad],
            details=details,
            from_codes=np.full(len(bad), context.stage_code(stage), dtype=np.int32),
            to_codes=v.code[nxt],
        )

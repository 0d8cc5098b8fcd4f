"""Validate the sample journeys against the ``pay_per_call_marketplace`` map.

Run ``python examples/validate_journeys.py``. It checks the sample data
(``touchpath.datasets.sample()``, journeys that walk the map) with the
structural rules, then with the playbook's timing targets (first value
within 24 hours of onboarding, seed 000), adds a few journeys that break the
map, and prints what is wrong where, the fitness scores, and the observed
transition graph drawn over the map as Mermaid.

>>> report = structural_report()
>>> (report.ok, report.journey_fitness.value)
(True, 1.0)
>>> timing = timing_report()
>>> timing.counts.by_rule[TIME_TO_VALUE] + len(timing.pending) > 0
True
>>> [v.rule.name for v in messy_report().violations]
['EntryStage', 'AllowedTransitions', 'KnownStages']
"""

from __future__ import annotations

from touchpath import EventLog, JourneyMap, datasets, templates
from touchpath.validation import (
    DEFAULT_RULES,
    Deadline,
    MaxDwell,
    TerminalStage,
    TransitionRule,
    ValidationReport,
    compare_to_map,
    validate,
)

TIME_TO_VALUE = Deadline("onboarding", "activation", "24 hours")
"""Seed 000's north star: the first successful call within 24 hours of onboarding."""


def journey_map() -> JourneyMap:
    """The designed journey."""
    return templates.get("pay_per_call_marketplace")


def sample() -> EventLog:
    """The shipped sample journeys."""
    return datasets.sample()


def structural_report() -> ValidationReport:
    """The default rules: known stages, allowed transitions, entry stages."""
    return validate(sample(), journey_map())


def timing_report() -> ValidationReport:
    """Timing targets: time to value, at most two weeks in consideration, and journeys quiet
    for 30 days should have reached advocacy."""
    rules: list[TransitionRule] = [
        TIME_TO_VALUE,
        MaxDwell("consideration", "14 days"),
        TerminalStage(inactive_after="30 days"),
    ]
    return validate(sample(), journey_map(), rules)


def messy() -> EventLog:
    """Three journeys that break the map: a skipped stage, a typo, a late start."""
    return EventLog.from_records(
        [
            {"journey_id": "skipper", "timestamp": "2025-05-01T09:00:00Z", "stage": "awareness"},
            {"journey_id": "skipper", "timestamp": "2025-05-03T09:00:00Z", "stage": "decision"},
            {"journey_id": "typo", "timestamp": "2025-05-01T10:00:00Z", "stage": "awareness"},
            {"journey_id": "typo", "timestamp": "2025-05-01T11:00:00Z", "stage": "considerations"},
            {"journey_id": "late", "timestamp": "2025-05-01T12:00:00Z", "stage": "onboarding"},
        ]
    )


def messy_report() -> ValidationReport:
    """The default rules on the three broken journeys."""
    return validate(messy(), journey_map(), DEFAULT_RULES)


def main() -> None:
    """Print the reports and the overlay."""
    m = journey_map()
    report = structural_report()
    print(report)
    timing = timing_report()
    print(timing)
    for rule, n in timing.counts.by_rule.items():
        print(f"  {rule.name}: {n} violations")
    print(f"  pending: {len(timing.pending)}")
    for v in timing.violations[:3]:
        print(f"  {v.message}")
    broken = messy_report()
    print(broken)
    for v in broken.violations:
        print(f"  {v.message}")
    comparison = compare_to_map(EventLog.concat([sample(), messy()]), m)
    print(comparison)
    print(comparison.to_mermaid())


if __name__ == "__main__":
    main()

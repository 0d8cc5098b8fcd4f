"""Build a journey map, lint it, print it as Mermaid and round-trip it through JSON.

Run it with ``python examples/build_map.py``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from touchpath import KPI, ChannelKind, Direction, JourneyMap, Phase, Unit


def build() -> JourneyMap:
    """A webinar-led B2B journey; the ``review`` stage has no touchpoint yet."""
    return (
        JourneyMap.builder("webinar_led", "Prospects find a webinar, trial the product, buy.")
        .stage("discover", "Discover", phase=Phase.BEFORE_PURCHASE, owner="marketing")
        .stage(
            "webinar",
            "Attend webinar",
            phase=Phase.BEFORE_PURCHASE,
            owner="marketing",
            kpis=[KPI("attendance_rate", target=0.4, unit=Unit.RATE, name="Attendance rate")],
        )
        .stage("nurture", "Nurture", phase=Phase.BEFORE_PURCHASE, owner="marketing")
        .stage("review", "Security review", phase=Phase.DURING_PURCHASE, owner="sales")
        .stage(
            "customer",
            "Customer",
            phase=Phase.AFTER_PURCHASE,
            owner="customer success",
            kpis=[
                KPI(
                    "monthly_churn",
                    target=0.05,
                    direction=Direction.AT_MOST,
                    unit=Unit.RATE,
                    name="Monthly churn",
                )
            ],
        )
        .path("discover", "webinar", "review", "customer")
        .edge("webinar", "nurture")
        .loop_back("nurture", "webinar")
        .terminal("customer")
        .channel("linkedin", ChannelKind.PAID, "LinkedIn Ads")
        .channel("webinar", ChannelKind.OWNED, "Webinar")
        .channel("email", ChannelKind.OWNED, "Email")
        .touchpoint("linkedin_ad", channel="linkedin", stage="discover", name="LinkedIn ad")
        .touchpoint("live_webinar", channel="webinar", stage="webinar", name="Live webinar")
        .touchpoint("replay_email", channel="email", stage="nurture", name="Replay email")
        .touchpoint("welcome_email", channel="email", stage="customer", name="Welcome email")
        .build()
    )


def main() -> int:
    """Build, lint, render, save, reload; exit status 1 if the reloaded map differs."""
    journey = build()
    print(f"{journey.name}: {' -> '.join(journey.stage_ids)}")
    findings = journey.lint()
    print(f"lint: {len(findings)} finding(s)")
    for finding in findings:
        print(f"  [{finding.kind.value}] {finding.message}")
    print()
    print(journey.to_mermaid(touchpoints=True))
    print()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{journey.name}.json"
        path.write_text(journey.to_json(), encoding="utf-8")
        loaded = JourneyMap.from_json(path.read_text(encoding="utf-8"), source=path.name)
    if loaded != journey:
        print(f"{path.name}: the reloaded map differs from the saved one", file=sys.stderr)
        return 1
    print(f"saved {path.name} ({len(journey.to_json())} characters) and reloaded it unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())

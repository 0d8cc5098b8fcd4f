"""Compare every attribution model on the sample journeys, notebook style.

Run ``python examples/attribution_compare.py``. The data are 2,000 journeys
through the ``pay_per_call_marketplace`` template (the same data as
``touchpath.datasets.sample()``, generated here with the same seed).

>>> comparison = compare_all()
>>> len(comparison.labels), comparison.items == build_log().channel_ids
(13, True)
"""

from __future__ import annotations

from touchpath import EventLog, datasets, templates
from touchpath.attribution import (
    Comparison,
    FirstTouch,
    LastNonDirect,
    LastTouch,
    Linear,
    Markov,
    PositionBased,
    Shapley,
    TimeDecay,
    WShaped,
    attribute,
    bootstrap,
    compare_models,
)


def build_log() -> EventLog:
    """The sample journeys (equal to ``datasets.sample()``)."""
    return datasets.synthetic(templates.get("pay_per_call_marketplace"), 2000, seed=2025)


def compare_all(log: EventLog | None = None) -> Comparison:
    """Every model on the same conversion paths."""
    log = log if log is not None else build_log()
    return compare_models(
        log,
        {
            "first": FirstTouch(),
            "last": LastTouch(),
            "last non-direct": LastNonDirect(direct={"direct"}),
            "linear": Linear(),
            "linear/channel": Linear(per="channel"),
            "time decay 7d": TimeDecay(half_life="7 days"),
            "U 40/40": PositionBased(),
            "W": WShaped(lead_stage="consideration", opportunity_stage="decision"),
            "markov 1": Markov(),
            "markov 2": Markov(order=2),
            "markov 3": Markov(order=3),
            "shapley": Shapley(),
            "shapley rate": Shapley(game="conversion_rate"),
        },
    )


def main() -> None:
    """Print the comparison, one journey explained, and bootstrap intervals."""
    log = build_log()
    print(log)
    comparison = compare_all(log)
    table = comparison.table()
    labels = comparison.labels
    print(f"\n{'channel':14}" + "".join(f"{x[:12]:>13}" for x in labels))
    for channel, row in table.items():
        print(f"{channel:14}" + "".join(f"{row[x]:13.1f}" for x in labels))

    markov = comparison["markov 1"]
    print(f"\nmarkov removal effects: {markov.fitted.removal_effects}")
    print(f"unattributed conversions: {markov.unattributed:g} of {markov.total_conversions:g}")

    converting = log.journey_ids[log.journey_converted][0]
    print(f"\nwhy journey {converting} credits what it does (linear):")
    for touch in attribute(log, Linear()).explain(str(converting)):
        print(f"  #{touch.path} event {touch.event}: {touch.item:12} {touch.conversions:.3f}")

    ci = bootstrap(log, Markov(), n=100, seed=0)
    print("\nmarkov 95% intervals (100 journey resamples):")
    for channel, (lo, hi) in ci.intervals().items():
        print(f"  {channel:14} {ci.point.credits()[channel]:8.1f}  [{lo:8.1f}, {hi:8.1f}]")


if __name__ == "__main__":
    main()

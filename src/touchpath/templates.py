"""The journey frameworks touchpath ships as ready-made maps.

Four templates, each a :class:`~touchpath.JourneyMap` with owners, goals and
touchpoints on every stage, so :meth:`~touchpath.JourneyMap.lint` finds
nothing to report:

``b2b_five_stage``
    The common five-stage B2B model: awareness, consideration, decision,
    retention, advocacy. Awareness and consideration come before the
    purchase, decision during it, retention and advocacy after it. The
    touchpoints are the usual B2B ones of each phase: social media, paid
    search and paid social ads, owned media, events, third-party reviews,
    organic search and word of mouth before the purchase; calls with account
    executives, the pricing and product pages, nurture email and the point of
    sale during it; onboarding call, feedback survey, upsell email, billing
    and subscription renewal after it, plus a referral program and review
    requests for advocates. Subscription businesses often insert a
    ``renewal`` micro-stage after retention; the template keeps the five
    stages and models renewal as a retention touchpoint. Sources: a guide to
    the B2B customer journey and its stages, and a guide to B2B touchpoints
    before, during and after the purchase.

``pay_per_call_marketplace``
    A buyer journey for a pay-per-call marketplace in eight stages
    (awareness, consideration, decision, onboarding, activation, growth,
    retention, advocacy), each with a goal, an owner, the playbook's
    activities as touchpoints and KPIs with targets. The two north-star
    metrics sit on the stage that moves them: ``time_to_value_hours``
    (under 24 hours to the first successful call) on ``onboarding`` and
    ``clv_cac_ratio`` (3:1) on ``growth``. Net revenue retention is a
    ``Unit.RATE`` like the other percentages, so its target of 120 % is
    written ``1.2``. Source: a 2025 buyer-journey playbook for a
    pay-per-call marketplace (its stage goals, activities and targets).

``attract_capture_nurture_convert_expand``
    The five-stage B2B lifecycle: attract new prospects with content,
    capture who they are with forms and calls to action, nurture them with
    scoring and automated programs, convert them into opportunities and
    customers, expand the account with upsell, cross-sell, loyalty programs
    and referrals. Marketing owns the stages up to nurture, sales owns
    convert, and sales, service and marketing share expand. Source: an
    article on mapping the B2B lifecycle, the questions to ask at each
    stage and who leads it. It sets no targets, so its KPIs (capture rate,
    nurture-to-convert rate, sales-cycle length, expansion rate) have none:
    the scorecard measures them without judging them.

``acquisition_nurture_growth``
    Customer journey marketing in three phases, each stage carrying its
    phase as ``group``. Acquisition: anonymous visitor, known contact, raw
    lead, qualified lead, customer. A raw lead that does not convert is
    added to nurture, qualified and scored, and once engaged may return to
    ``qualified_lead`` (the template's only loop-back edge). Growth: the new
    customer is welcomed, gets a remarkable experience, grows in lifetime
    value, stays long term and refers others. ``referral`` is the terminal
    stage. Source: Ortto's guide to customer journey marketing (its three
    phases and the journeys it suggests for each).

Stage ids are snake_case and stable; they are the ids event data uses.

The templates are data: each is a JSON file in the public map format
(``touchpath/_templates/<name>.json``), read with
:meth:`~touchpath.JourneyMap.from_json`. KPIs that event data can measure
carry a :mod:`~touchpath.measurements` measurement, so
:func:`touchpath.scorecard` measures them from any log. ``b2b_five_stage``
and ``acquisition_nurture_growth`` carry stage-conversion, cycle-time and
retention KPIs without targets, as their sources set none.

>>> names()
('b2b_five_stage', 'pay_per_call_marketplace', 'attract_capture_nurture_convert_expand', \
'acquisition_nurture_growth')
>>> get("b2b_five_stage").stage_ids
('awareness', 'consideration', 'decision', 'retention', 'advocacy')
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Final

from ._map import JourneyMap
from .exceptions import NotFoundError

__all__ = ["get", "names"]

_NAMES: Final = (
    "b2b_five_stage",
    "pay_per_call_marketplace",
    "attract_capture_nurture_convert_expand",
    "acquisition_nurture_growth",
)


def names() -> tuple[str, ...]:
    """The names of the shipped templates, in the order the documentation lists them.

    >>> "acquisition_nurture_growth" in names()
    True
    >>> len(names())
    4
    """
    return _NAMES


@functools.cache
def _load(name: str) -> JourneyMap:
    file = resources.files(__package__ or "touchpath").joinpath("_templates", f"{name}.json")
    return JourneyMap.from_json(file.read_text(encoding="utf-8"), source=f"{name}.json")


def get(name: str) -> JourneyMap:
    """The template with this name, as an immutable :class:`~touchpath.JourneyMap`.

    Maps are immutable, so every call may return the same object.
    An unknown name raises :class:`~touchpath.exceptions.NotFoundError`
    (a :class:`LookupError`) whose message lists the valid names.

    >>> m = get("pay_per_call_marketplace")
    >>> [(k.id, k.target) for k in m.kpis_of("decision")]
    [('trial_to_paid', 0.25), ('registration_completion', 0.85)]
    >>> get("b2b_5_stage")
    Traceback (most recent call last):
    ...
    touchpath.exceptions.NotFoundError: unknown template 'b2b_5_stage'; did you mean \
'b2b_five_stage'? (known: ...)
    """
    if name not in _NAMES:  # a tuple test, so an unhashable argument fails the same way
        raise NotFoundError("template", name, choices=_NAMES)
    return _load(name)

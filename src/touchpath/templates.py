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
    stage and who leads it. It sets no targets, so the stages carry no KPIs.

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

>>> names()
('b2b_five_stage', 'pay_per_call_marketplace', 'attract_capture_nurture_convert_expand', \
'acquisition_nurture_growth')
>>> get("b2b_five_stage").stage_ids
('awareness', 'consideration', 'decision', 'retention', 'advocacy')
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Final

from ._map import JourneyMap
from ._model import KPI, ChannelKind, Direction, Phase, Unit
from .exceptions import NotFoundError

__all__ = ["get", "names"]

_BEFORE: Final = Phase.BEFORE_PURCHASE
_DURING: Final = Phase.DURING_PURCHASE
_AFTER: Final = Phase.AFTER_PURCHASE

_MARKETING: Final = "marketing"
_SALES: Final = "sales"
_SUCCESS: Final = "customer success"


def _rate(kpi_id: str, target: float, name: str, description: str = "") -> KPI:
    """A KPI measured as a fraction that should reach at least ``target``."""
    return KPI(
        kpi_id,
        target=target,
        direction=Direction.AT_LEAST,
        unit=Unit.RATE,
        name=name,
        description=description,
    )


def _b2b_five_stage() -> JourneyMap:
    b = JourneyMap.builder(
        "b2b_five_stage",
        "The five-stage B2B customer journey with the usual touchpoints before, during "
        "and after the purchase.",
    )
    b.stage(
        "awareness",
        "Awareness",
        phase=_BEFORE,
        owner=_MARKETING,
        goal="Be found by prospects researching a problem and show that the company "
        "understands it, without pushing a sale.",
    )
    b.stage(
        "consideration",
        "Consideration",
        phase=_BEFORE,
        owner=_MARKETING,
        goal="Help prospects weigh approaches and vendors on price, specifications and "
        "reviews, and answer their questions quickly.",
    )
    b.stage(
        "decision",
        "Decision",
        phase=_DURING,
        owner=_SALES,
        goal="Give the buying group the proof it needs to choose the product now.",
    )
    b.stage(
        "retention",
        "Retention",
        phase=_AFTER,
        owner=_SUCCESS,
        goal="Keep customers after the purchase; keeping one costs far less than "
        "winning a new one.",
    )
    b.stage(
        "advocacy",
        "Advocacy",
        phase=_AFTER,
        owner=_MARKETING,
        goal="Turn satisfied customers into promoters who recommend the company.",
    )
    b.path("awareness", "consideration", "decision", "retention", "advocacy")

    b.channel("social", ChannelKind.ORGANIC, "Social media")
    b.channel("paid_search", ChannelKind.PAID, "Paid search")
    b.channel("paid_social", ChannelKind.PAID, "Paid social")
    b.channel("organic_search", ChannelKind.ORGANIC, "Organic search")
    b.channel("blog", ChannelKind.OWNED, "Blog")
    b.channel("podcast", ChannelKind.OWNED, "Podcast")
    b.channel("events", ChannelKind.OTHER, "Events")
    b.channel("word_of_mouth", ChannelKind.REFERRAL, "Word of mouth")
    b.channel("website", ChannelKind.OWNED, "Website")
    b.channel("webinar", ChannelKind.OWNED, "Webinar")
    b.channel("review_sites", ChannelKind.THIRD_PARTY, "Review and comparison sites")
    b.channel("sales_call", ChannelKind.DIRECT, "Sales call or meeting")
    b.channel("email", ChannelKind.OWNED, "Email")
    b.channel("cs_call", ChannelKind.DIRECT, "Customer success call")
    b.channel("account", ChannelKind.OWNED, "Customer account")
    b.channel("referral_program", ChannelKind.REFERRAL, "Referral program")

    pricing = "Priced per thousand impressions (CPM), per click (CPC) or per lead (CPL)."
    before = (
        ("social_media", "social", "awareness", "Social media presence", ""),
        ("search_ad", "paid_search", "awareness", "Paid search ad", pricing),
        ("social_ad", "paid_social", "awareness", "Paid social ad", pricing),
        ("organic_search", "organic_search", "awareness", "Organic search result", ""),
        ("blog_post", "blog", "awareness", "Blog post", ""),
        ("podcast", "podcast", "awareness", "Podcast episode", ""),
        ("event", "events", "awareness", "Conference or event", "In person or virtual."),
        ("word_of_mouth", "word_of_mouth", "awareness", "Word of mouth", ""),
        ("case_study", "website", "consideration", "Case study", ""),
        ("whitepaper", "website", "consideration", "Whitepaper", ""),
        ("webinar", "webinar", "consideration", "Webinar", ""),
        (
            "third_party_reviews",
            "review_sites",
            "consideration",
            "Third-party reviews",
            "Reviews on comparison sites, which prospects trust more than vendor claims.",
        ),
    )
    during = (
        ("ae_call", "sales_call", "Call or demo with an AE or SDR", ""),
        ("pricing_page", "website", "Pricing page", ""),
        ("product_page", "website", "Product page", ""),
        ("nurture_email", "email", "Nurture email track", "Keeps a slow deal moving."),
        (
            "point_of_sale",
            "website",
            "Point of sale",
            "Terms and conditions, self-service account opening or contract review.",
        ),
    )
    after = (
        ("onboarding_call", "cs_call", "retention", "Onboarding call", ""),
        (
            "feedback_survey",
            "email",
            "retention",
            "Product feedback survey",
            "Typically answered by 3-10 % of customers.",
        ),
        ("upsell_email", "email", "retention", "Upsell email or call", ""),
        ("billing", "account", "retention", "Billing and invoicing", ""),
        ("subscription_renewal", "account", "retention", "Subscription renewal", ""),
        ("referral_program", "referral_program", "advocacy", "Referral program", ""),
        (
            "review_request",
            "email",
            "advocacy",
            "Review request",
            "Asks happy customers to review the product on third-party sites.",
        ),
    )
    for tid, channel, stage, name, description in before:
        b.touchpoint(
            tid, channel=channel, stage=stage, name=name, phase=_BEFORE, description=description
        )
    for tid, channel, name, description in during:
        b.touchpoint(
            tid,
            channel=channel,
            stage="decision",
            name=name,
            phase=_DURING,
            description=description,
        )
    for tid, channel, stage, name, description in after:
        b.touchpoint(
            tid, channel=channel, stage=stage, name=name, phase=_AFTER, description=description
        )
    return b.build()


def _pay_per_call_marketplace() -> JourneyMap:
    b = JourneyMap.builder(
        "pay_per_call_marketplace",
        "Buyer journey of a pay-per-call marketplace, from first contact to advocacy, "
        "with stage KPIs and targets.",
    )
    b.stage(
        "awareness",
        "Awareness",
        phase=_BEFORE,
        owner=_MARKETING,
        goal="Make the market know the brand and teach how pay-per-call works.",
        kpis=[
            _rate(
                "organic_traffic_growth_qoq",
                0.20,
                "Organic traffic growth, quarter on quarter",
                "Growth of organic visits over the previous quarter (target range 15-20 %).",
            )
        ],
    )
    b.stage(
        "consideration",
        "Consideration",
        phase=_BEFORE,
        owner=_MARKETING,
        goal="Let buyers check the fit on their own and build their trust.",
        kpis=[
            _rate(
                "trial_signup_rate",
                0.10,
                "Trial signup rate",
                "Trial signups as a share of visitors (target range 8-10 %).",
            )
        ],
    )
    b.stage(
        "decision",
        "Decision",
        phase=_DURING,
        owner=_SALES,
        goal="Remove friction so buyers can decide and register with confidence.",
        kpis=[
            _rate(
                "trial_to_paid",
                0.25,
                "Trial-to-paid conversion",
                "Trials that become paying accounts (target range 20-25 %).",
            ),
            _rate(
                "registration_completion",
                0.85,
                "Registration completion rate",
                "Started registrations that are completed.",
            ),
        ],
    )
    b.stage(
        "onboarding",
        "Onboarding",
        phase=_AFTER,
        owner=_SUCCESS,
        goal="Deliver the first value, a first successful call, within 24 hours.",
        kpis=[
            _rate(
                "activation_24h",
                0.80,
                "24-hour activation",
                "New accounts that receive their first call within 24 hours.",
            ),
            _rate(
                "onboarding_completion",
                0.80,
                "Onboarding completion rate",
                "New accounts that finish the onboarding checklist.",
            ),
            KPI(
                "time_to_value_hours",
                target=24.0,
                direction=Direction.AT_MOST,
                unit=Unit.HOURS,
                name="Time to value",
                description="Hours from signup to the first successful call (north-star metric).",
            ),
        ],
    )
    b.stage(
        "activation",
        "Activation",
        phase=_AFTER,
        owner=_SUCCESS,
        goal="Turn first use into steady use and prove the return on investment.",
        kpis=[
            _rate(
                "retention_30d",
                0.85,
                "30-day retention",
                "Accounts still active 30 days after signup.",
            ),
            _rate(
                "activation_30d",
                0.60,
                "30-day activation rate",
                "Accounts that reach steady usage within 30 days.",
            ),
        ],
    )
    b.stage(
        "growth",
        "Growth",
        phase=_AFTER,
        owner="account management",
        goal="Grow account value through more usage and added features.",
        kpis=[
            _rate(
                "expansion_revenue",
                0.30,
                "Expansion revenue",
                "Revenue added by existing accounts, relative to their starting revenue.",
            ),
            _rate(
                "net_revenue_retention",
                1.20,
                "Net revenue retention",
                "Revenue kept from existing accounts after expansion, contraction and churn, "
                "over a year (north-star metric; 1.2 means 120 %).",
            ),
            _rate(
                "upsell_conversion",
                0.30,
                "Upsell conversion rate",
                "Upsell offers that are accepted.",
            ),
            KPI(
                "clv_cac_ratio",
                target=3.0,
                direction=Direction.AT_LEAST,
                unit=Unit.RATIO,
                name="CLV to CAC ratio",
                description="Customer lifetime value over the cost of acquiring the customer "
                "(north-star metric; 3.0 means 3:1).",
            ),
        ],
    )
    b.stage(
        "retention",
        "Retention",
        phase=_AFTER,
        owner=_SUCCESS,
        goal="Keep satisfaction high and catch churn risk early.",
        kpis=[
            KPI(
                "monthly_churn",
                target=0.05,
                direction=Direction.AT_MOST,
                unit=Unit.RATE,
                name="Monthly churn",
                description="Share of accounts lost per month (gross churn).",
            ),
            KPI(
                "nps",
                target=50.0,
                direction=Direction.AT_LEAST,
                unit=Unit.SCORE,
                name="Net promoter score",
                description="Promoters minus detractors, from -100 to 100.",
            ),
            _rate(
                "support_satisfaction",
                0.95,
                "Support satisfaction",
                "Support conversations rated satisfactory.",
            ),
        ],
    )
    b.stage(
        "advocacy",
        "Advocacy",
        phase=_AFTER,
        owner=_MARKETING,
        goal="Turn satisfied customers into active promoters.",
        kpis=[
            _rate(
                "referral_revenue",
                0.25,
                "Referral revenue",
                "Share of new revenue that comes from referrals.",
            ),
            _rate(
                "referral_participation",
                0.40,
                "Referral program participation",
                "Customers who take part in the referral program.",
            ),
            _rate(
                "advocate_pipeline",
                0.30,
                "Advocate-generated pipeline",
                "Share of new pipeline that advocates bring in.",
            ),
        ],
    )
    b.path(
        "awareness",
        "consideration",
        "decision",
        "onboarding",
        "activation",
        "growth",
        "retention",
        "advocacy",
    )

    b.channel("blog", ChannelKind.OWNED, "Blog")
    b.channel("website", ChannelKind.OWNED, "Website")
    b.channel("linkedin", ChannelKind.ORGANIC, "LinkedIn (organic)")
    b.channel("industry_media", ChannelKind.THIRD_PARTY, "Industry publications and podcasts")
    b.channel("events", ChannelKind.OTHER, "Events")
    b.channel("google_ads", ChannelKind.PAID, "Google Ads")
    b.channel("linkedin_ads", ChannelKind.PAID, "LinkedIn Ads")
    b.channel("retargeting", ChannelKind.PAID, "Retargeting ads")
    b.channel("product", ChannelKind.OWNED, "Product")
    b.channel("webinar", ChannelKind.OWNED, "Webinar")
    b.channel("review_sites", ChannelKind.THIRD_PARTY, "Review sites")
    b.channel("sales", ChannelKind.DIRECT, "Sales team")
    b.channel("live_chat", ChannelKind.DIRECT, "Live chat")
    b.channel("csm", ChannelKind.DIRECT, "Customer success manager")
    b.channel("email", ChannelKind.OWNED, "Email")
    b.channel("community", ChannelKind.OWNED, "Customer community")
    b.channel("referral_program", ChannelKind.REFERRAL, "Referral program")

    touchpoints: dict[str, tuple[tuple[str, str, str], ...]] = {
        "awareness": (
            ("seo_blog", "blog", "Educational blog series (SEO)"),
            ("benchmark_report", "website", "Industry benchmark report"),
            ("roi_calculator", "website", "ROI calculator (ungated)"),
            ("explainer_video", "website", "How-it-works video series"),
            ("linkedin_thought_leadership", "linkedin", "LinkedIn thought leadership"),
            ("industry_byline", "industry_media", "Byline in an industry publication"),
            ("podcast_appearance", "industry_media", "Podcast sponsorship or guest spot"),
            ("conference_talk", "events", "Talk at a marketing conference"),
            ("google_ads", "google_ads", "Google Ads on call-tracking searches"),
            ("linkedin_abm", "linkedin_ads", "LinkedIn ABM campaign"),
            ("retargeting_ad", "retargeting", "Retargeting ad with educational content"),
        ),
        "consideration": (
            ("product_tour", "website", "Interactive product tour"),
            ("pricing_calculator", "website", "Pricing calculator"),
            ("comparison_tool", "website", "Competitor comparison tool"),
            ("readiness_assessment", "website", "Marketplace readiness assessment"),
            ("success_stories", "website", "Customer success stories"),
            ("trial_signup", "product", "14-day free trial signup"),
            ("weekly_webinar", "webinar", "Weekly ROI webinar"),
            ("review_widgets", "review_sites", "G2 and Capterra reviews"),
        ),
        "decision": (
            ("single_page_signup", "product", "Single-page signup"),
            ("social_login", "product", "Social login"),
            ("buyer_toolkit", "website", "Buyer enablement toolkit"),
            ("sales_engineer_demo", "sales", "Custom demo with a sales engineer"),
            ("trial_success_planning", "sales", "Trial success planning session"),
        ),
        "onboarding": (
            ("quick_start_templates", "product", "Quick-start campaign templates"),
            ("one_click_launch", "product", "One-click campaign launch"),
            ("onboarding_checklist", "product", "Onboarding checklist"),
            ("video_walkthrough", "product", "Setup video walkthrough"),
            ("live_chat", "live_chat", "Live chat support"),
            ("dedicated_csm", "csm", "Dedicated CSM for large accounts"),
        ),
        "activation": (
            ("first_call_milestone", "product", "First successful call milestone"),
            ("milestone_badges", "product", "Usage milestone badges"),
            ("weekly_performance_report", "email", "Weekly performance report"),
            ("optimization_suggestions", "product", "Optimisation suggestions"),
            ("optimization_webinar", "webinar", "Monthly optimisation webinar"),
        ),
        "growth": (
            ("qbr", "csm", "Quarterly business review"),
            ("optimization_workshop", "csm", "Performance optimisation workshop"),
            ("beta_access", "product", "New feature beta access"),
            ("upsell_package", "sales", "Upsell package offer"),
            ("co_marketing", "sales", "Co-marketing opportunity"),
        ),
        "retention": (
            ("health_monitoring", "csm", "Proactive outreach on churn risk"),
            ("feature_announcement", "email", "New feature announcement"),
            ("priority_support", "live_chat", "Priority support"),
            ("community_group", "community", "Private buyer community"),
            ("user_conference", "events", "Annual user conference"),
        ),
        "advocacy": (
            ("referral_program", "referral_program", "Referral program (revenue share)"),
            ("review_request", "email", "Automated review request"),
            ("case_study_cocreation", "sales", "Case study co-creation"),
            ("video_testimonial", "sales", "Video testimonial program"),
        ),
    }
    for stage_id, items in touchpoints.items():
        phase = _BEFORE if stage_id in ("awareness", "consideration") else _AFTER
        if stage_id == "decision":
            phase = _DURING
        for tid, channel, name in items:
            b.touchpoint(tid, channel=channel, stage=stage_id, name=name, phase=phase)
    return b.build()


def _attract_capture_nurture_convert_expand() -> JourneyMap:
    b = JourneyMap.builder(
        "attract_capture_nurture_convert_expand",
        "The five-stage B2B lifecycle: attract, capture, nurture, convert, expand.",
    )
    b.stage(
        "attract",
        "Attract",
        phase=_BEFORE,
        owner=_MARKETING,
        goal="Raise visibility and grow the audience through content and channels "
        "prospects already use.",
    )
    b.stage(
        "capture",
        "Capture",
        phase=_BEFORE,
        owner=_MARKETING,
        goal="Learn who the prospects are and what they want, so more of them become known leads.",
    )
    b.stage(
        "nurture",
        "Nurture",
        phase=_BEFORE,
        owner=_MARKETING,
        goal="Build the relationship with timed, relevant touches until the lead is ready to buy.",
    )
    b.stage(
        "convert",
        "Convert",
        phase=_DURING,
        owner=_SALES,
        goal="Turn qualified leads into opportunities and won customers at a lower cost "
        "per lead and per customer.",
    )
    b.stage(
        "expand",
        "Expand",
        phase=_AFTER,
        owner="sales, service and marketing",
        goal="Deepen the relationship: repeat sales, upsell, cross-sell, loyalty and referrals.",
    )
    b.path("attract", "capture", "nurture", "convert", "expand")

    b.channel("blog", ChannelKind.OWNED, "Blog")
    b.channel("social", ChannelKind.ORGANIC, "Social media")
    b.channel("organic_search", ChannelKind.ORGANIC, "Organic search")
    b.channel("website", ChannelKind.OWNED, "Website")
    b.channel("email", ChannelKind.OWNED, "Email")
    b.channel("webinar", ChannelKind.OWNED, "Webinar")
    b.channel("sales", ChannelKind.DIRECT, "Sales team")
    b.channel("loyalty_program", ChannelKind.OWNED, "Loyalty program")
    b.channel("referral_program", ChannelKind.REFERRAL, "Referral program")

    items = (
        ("blog_post", "blog", "attract", "Blog post"),
        ("ebook", "website", "attract", "Educational ebook"),
        ("social_post", "social", "attract", "Social media post"),
        ("search_result", "organic_search", "attract", "Organic search result"),
        ("lead_form", "website", "capture", "Lead form"),
        ("call_to_action", "website", "capture", "Call to action"),
        ("gated_download", "website", "capture", "Gated content download"),
        ("automated_program_email", "email", "nurture", "Automated nurture program email"),
        ("triggered_campaign_email", "email", "nurture", "Behaviour-triggered campaign email"),
        ("nurture_webinar", "webinar", "nurture", "Nurture webinar"),
        ("sales_meeting", "sales", "convert", "Sales meeting"),
        ("product_demo", "sales", "convert", "Product demo"),
        ("proposal", "sales", "convert", "Proposal and close"),
        ("upsell_offer", "sales", "expand", "Upsell offer"),
        ("cross_sell_email", "email", "expand", "Cross-sell campaign email"),
        ("loyalty_program", "loyalty_program", "expand", "Loyalty program"),
        ("referral_request", "referral_program", "expand", "Referral request"),
    )
    phases = {
        "attract": _BEFORE,
        "capture": _BEFORE,
        "nurture": _BEFORE,
        "convert": _DURING,
        "expand": _AFTER,
    }
    for tid, channel, stage_id, name in items:
        b.touchpoint(tid, channel=channel, stage=stage_id, name=name, phase=phases[stage_id])
    return b.build()


def _acquisition_nurture_growth() -> JourneyMap:
    b = JourneyMap.builder(
        "acquisition_nurture_growth",
        "Customer journey marketing in three phases: acquisition, nurture and growth, "
        "with nurtured leads returning to qualification.",
    )
    acquisition = (
        ("anonymous_visitor", "Anonymous visitor", _BEFORE, _MARKETING),
        ("known_contact", "Known contact", _BEFORE, _MARKETING),
        ("raw_lead", "Raw lead", _BEFORE, _MARKETING),
        ("qualified_lead", "Qualified lead", _BEFORE, _SALES),
        ("customer", "Customer", _DURING, _SALES),
    )
    goals = {
        "anonymous_visitor": "Earn traffic from people who do not know the brand yet.",
        "known_contact": "Get visitors to share their contact details.",
        "raw_lead": "Follow up while the brand is top of mind after a first action.",
        "qualified_lead": "Confirm buying signals and hand sales-ready leads on.",
        "customer": "Turn the qualified lead into a paying customer.",
        "added_to_nurture": "Keep leads that are not ready to buy warm and informed.",
        "qualified_and_scored": "Score engagement and fit to spot buying signals.",
        "engaged": "Earn enough interest to move the lead back into qualification.",
        "new_customer_welcomed": "Welcome the new customer and help them get started.",
        "remarkable_experience": "Deliver an experience worth talking about.",
        "increased_clv": "Grow customer lifetime value with upsell and cross-sell.",
        "long_term_customer": "Keep the customer for the long term.",
        "referral": "Win new customers through recommendations.",
    }
    for sid, name, phase, owner in acquisition:
        b.stage(sid, name, phase=phase, owner=owner, group="acquisition", goal=goals[sid])
    nurture = (
        ("added_to_nurture", "Added to nurture"),
        ("qualified_and_scored", "Qualified and scored"),
        ("engaged", "Engaged"),
    )
    for sid, name in nurture:
        b.stage(sid, name, phase=_BEFORE, owner=_MARKETING, group="nurture", goal=goals[sid])
    growth = (
        ("new_customer_welcomed", "New customer welcomed", _SUCCESS),
        ("remarkable_experience", "Remarkable experience delivered", _SUCCESS),
        ("increased_clv", "Customer lifetime value increased", _MARKETING),
        ("long_term_customer", "Long-term customer", _SUCCESS),
        ("referral", "Referral", _MARKETING),
    )
    for sid, name, owner in growth:
        b.stage(sid, name, phase=_AFTER, owner=owner, group="growth", goal=goals[sid])

    b.path("anonymous_visitor", "known_contact", "raw_lead", "qualified_lead", "customer")
    b.path("raw_lead", "added_to_nurture", "qualified_and_scored", "engaged")
    b.loop_back("engaged", "qualified_lead")
    b.path(
        "customer",
        "new_customer_welcomed",
        "remarkable_experience",
        "increased_clv",
        "long_term_customer",
        "referral",
    )
    b.terminal("referral")

    b.channel("organic_search", ChannelKind.ORGANIC, "Organic search")
    b.channel("retargeting", ChannelKind.PAID, "Retargeting ads")
    b.channel("paid_social", ChannelKind.PAID, "Paid social")
    b.channel("paid_search", ChannelKind.PAID, "Paid search")
    b.channel("website", ChannelKind.OWNED, "Website")
    b.channel("podcast", ChannelKind.OWNED, "Podcast")
    b.channel("events", ChannelKind.OTHER, "Events")
    b.channel("email", ChannelKind.OWNED, "Email")
    b.channel("sales", ChannelKind.DIRECT, "Sales team")
    b.channel("product", ChannelKind.OWNED, "Product")
    b.channel("webinar", ChannelKind.OWNED, "Webinar")
    b.channel("referral_program", ChannelKind.REFERRAL, "Referral program")

    items = (
        ("seo_content", "organic_search", "anonymous_visitor", "Search-optimised content"),
        ("retargeting_ad", "retargeting", "anonymous_visitor", "Retargeting ad"),
        ("social_lead_ad", "paid_social", "anonymous_visitor", "Social lead-gen campaign"),
        ("search_lead_ad", "paid_search", "anonymous_visitor", "Search lead-gen campaign"),
        ("testimonials", "website", "anonymous_visitor", "Customer testimonials"),
        ("podcast", "podcast", "anonymous_visitor", "Podcast"),
        ("event", "events", "anonymous_visitor", "Event (in person or virtual)"),
        ("lead_magnet", "website", "known_contact", "Lead magnet"),
        ("landing_page", "website", "known_contact", "Landing page"),
        ("gated_content", "website", "known_contact", "Gated content"),
        ("newsletter_signup", "website", "known_contact", "Newsletter signup"),
        ("newsletter_welcome_email", "email", "known_contact", "Newsletter welcome email"),
        ("contact_form", "website", "raw_lead", "Contact form"),
        ("lead_follow_up_email", "email", "raw_lead", "Lead follow-up email"),
        ("qualification_email", "email", "qualified_lead", "Qualification email"),
        ("demo_invite", "email", "qualified_lead", "Product demo invitation"),
        ("sales_call", "sales", "qualified_lead", "Call from an assigned rep"),
        ("checkout", "website", "customer", "Paid signup"),
        ("lifecycle_nurture_email", "email", "added_to_nurture", "Lifecycle nurture email"),
        ("pricing_page_visit", "website", "qualified_and_scored", "Pricing page visit"),
        (
            "product_qualifying_action",
            "product",
            "qualified_and_scored",
            "Product-qualifying action",
        ),
        ("call_to_action_email", "email", "engaged", "Call-to-action email"),
        ("nurture_webinar", "webinar", "engaged", "Webinar"),
        ("customer_welcome_email", "email", "new_customer_welcomed", "Customer welcome email"),
        ("onboarding_tips", "product", "new_customer_welcomed", "Onboarding tips"),
        ("online_training", "webinar", "remarkable_experience", "Online training"),
        ("usage_nudge", "product", "remarkable_experience", "Usage-triggered nudge"),
        ("nps_survey", "email", "remarkable_experience", "NPS survey"),
        ("upsell_journey", "email", "increased_clv", "Upsell or cross-sell journey"),
        ("product_announcement", "email", "increased_clv", "Product announcement"),
        ("customer_newsletter", "email", "long_term_customer", "Customer newsletter"),
        ("customer_event", "events", "long_term_customer", "Customer event or webinar"),
        ("referral_ask", "referral_program", "referral", "Referral ask"),
    )
    phase_of = {sid: phase for sid, _, phase, _ in acquisition}
    phase_of.update((sid, _BEFORE) for sid, _ in nurture)
    phase_of.update((sid, _AFTER) for sid, _, _ in growth)
    for tid, channel, stage_id, name in items:
        b.touchpoint(tid, channel=channel, stage=stage_id, name=name, phase=phase_of[stage_id])
    return b.build()


_BUILDERS: Final[dict[str, Callable[[], JourneyMap]]] = {
    "b2b_five_stage": _b2b_five_stage,
    "pay_per_call_marketplace": _pay_per_call_marketplace,
    "attract_capture_nurture_convert_expand": _attract_capture_nurture_convert_expand,
    "acquisition_nurture_growth": _acquisition_nurture_growth,
}


def names() -> tuple[str, ...]:
    """The names of the shipped templates, in the order the documentation lists them.

    >>> "acquisition_nurture_growth" in names()
    True
    >>> len(names())
    4
    """
    return tuple(_BUILDERS)


@functools.cache
def _build(name: str) -> JourneyMap:
    return _BUILDERS[name]()


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
    if name not in names():  # a tuple test, so an unhashable argument fails the same way
        raise NotFoundError("template", name, choices=names())
    return _build(name)

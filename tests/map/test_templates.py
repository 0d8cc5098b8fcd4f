"""The shipped journey templates: names, stage order, KPIs, loop-backs, touchpoints, lint."""

from __future__ import annotations

import itertools

import pytest

from touchpath import ChannelKind, Direction, EdgeKind, JourneyMap, Phase, Unit, templates
from touchpath.exceptions import NotFoundError

NAMES = (
    "b2b_five_stage",
    "pay_per_call_marketplace",
    "attract_capture_nurture_convert_expand",
    "acquisition_nurture_growth",
)

# Stage order as the domain digest's table gives it (for acquisition_nurture_growth: the
# acquisition chain, then the nurture branch, then growth).
STAGE_ORDER = {
    "b2b_five_stage": ("awareness", "consideration", "decision", "retention", "advocacy"),
    "pay_per_call_marketplace": (
        "awareness",
        "consideration",
        "decision",
        "onboarding",
        "activation",
        "growth",
        "retention",
        "advocacy",
    ),
    "attract_capture_nurture_convert_expand": (
        "attract",
        "capture",
        "nurture",
        "convert",
        "expand",
    ),
    "acquisition_nurture_growth": (
        "anonymous_visitor",
        "known_contact",
        "raw_lead",
        "qualified_lead",
        "customer",
        "added_to_nurture",
        "qualified_and_scored",
        "engaged",
        "new_customer_welcomed",
        "remarkable_experience",
        "increased_clv",
        "long_term_customer",
        "referral",
    ),
}


def test_names_lists_the_four_templates_in_order() -> None:
    """``names()`` returns the four shipped template names, in documentation order."""
    assert templates.names() == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_get_returns_the_named_map(name: str) -> None:
    """``get(name)`` returns a JourneyMap carrying that name, the same on every call."""
    m = templates.get(name)
    assert isinstance(m, JourneyMap)
    assert m.name == name
    assert templates.get(name) == m


def test_unknown_name_raises_lookup_error_listing_names() -> None:
    """An unknown name raises NotFoundError, a LookupError whose message lists every name."""
    with pytest.raises(LookupError) as info:
        templates.get("b2b_5_stage")
    assert isinstance(info.value, NotFoundError)
    message = str(info.value)
    assert "unknown template 'b2b_5_stage'" in message
    assert "did you mean 'b2b_five_stage'?" in message
    for name in NAMES:
        assert repr(name) in message


@pytest.mark.parametrize("name", NAMES)
def test_stage_order_follows_the_framework(name: str) -> None:
    """Each template's canonical stage order is the framework's order."""
    assert templates.get(name).stage_ids == STAGE_ORDER[name]


@pytest.mark.parametrize("name", NAMES)
def test_templates_lint_clean(name: str) -> None:
    """Every stage is reachable, none is a dead end, and all have touchpoints, owners and
    KPI targets, so lint reports nothing."""
    assert templates.get(name).lint() == ()


@pytest.mark.parametrize("name", NAMES)
def test_templates_round_trip_through_json(name: str) -> None:
    """A template survives ``to_json`` and ``from_json`` unchanged."""
    m = templates.get(name)
    assert JourneyMap.from_json(m.to_json()) == m


@pytest.mark.parametrize("name", NAMES)
def test_every_stage_has_goal_owner_and_touchpoints(name: str) -> None:
    """Each stage states a goal, names an owner and has at least one touchpoint."""
    m = templates.get(name)
    for stage in m.stages:
        assert stage.goal.strip(), stage.id
        assert stage.owner, stage.id
        assert m.touchpoints_of(stage.id), stage.id


@pytest.mark.parametrize("name", NAMES)
def test_touchpoint_phase_matches_its_stage(name: str) -> None:
    """A touchpoint sits in the same purchase phase as its stage."""
    m = templates.get(name)
    for tp in m.touchpoints:
        assert tp.phase is not None
        assert tp.phase is m.stage(tp.stage).phase, tp.id


@pytest.mark.parametrize(
    ("name", "entry", "terminal"),
    [
        ("b2b_five_stage", ("awareness",), ("advocacy",)),
        ("pay_per_call_marketplace", ("awareness",), ("advocacy",)),
        ("attract_capture_nurture_convert_expand", ("attract",), ("expand",)),
        ("acquisition_nurture_growth", ("anonymous_visitor",), ("referral",)),
    ],
    ids=list(NAMES),
)
def test_entry_and_terminal_stages(
    name: str, entry: tuple[str, ...], terminal: tuple[str, ...]
) -> None:
    """Journeys start at the first stage and end at the last one."""
    m = templates.get(name)
    assert m.entry_stages == entry
    assert m.terminal_stages == terminal


@pytest.mark.parametrize(
    "name",
    ["b2b_five_stage", "pay_per_call_marketplace", "attract_capture_nurture_convert_expand"],
)
def test_linear_templates_have_only_forward_edges_along_the_chain(name: str) -> None:
    """The sources give these frameworks no loops: the edges are exactly the chain."""
    m = templates.get(name)
    stages = STAGE_ORDER[name]
    assert [(e.source, e.target, e.kind) for e in m.edges] == [
        (a, b, EdgeKind.FORWARD) for a, b in itertools.pairwise(stages)
    ]


# -- b2b_five_stage -----------------------------------------------------------------------------


def test_b2b_phases() -> None:
    """Awareness and consideration are before the purchase, decision during, the rest after."""
    m = templates.get("b2b_five_stage")
    assert m.stages_in_phase(Phase.BEFORE_PURCHASE) == ("awareness", "consideration")
    assert m.stages_in_phase(Phase.DURING_PURCHASE) == ("decision",)
    assert m.stages_in_phase(Phase.AFTER_PURCHASE) == ("retention", "advocacy")


def test_b2b_first_channel_is_social() -> None:
    """Social media is the first touchpoint declared, so its channel comes first."""
    m = templates.get("b2b_five_stage")
    assert m.channels[0].id == "social"
    assert m.channels[0].kind is ChannelKind.ORGANIC


def test_b2b_decision_touchpoints() -> None:
    """Decision starts with the AE call and the pricing page, then the other purchase-time
    touchpoints: product page, nurture email, point of sale."""
    ids = [tp.id for tp in templates.get("b2b_five_stage").touchpoints_of("decision")]
    assert ids == ["ae_call", "pricing_page", "product_page", "nurture_email", "point_of_sale"]


def test_b2b_after_purchase_touchpoints() -> None:
    """The five after-purchase touchpoints sit in retention; advocacy asks for referrals
    and reviews."""
    m = templates.get("b2b_five_stage")
    assert [tp.id for tp in m.touchpoints_of("retention")] == [
        "onboarding_call",
        "feedback_survey",
        "upsell_email",
        "billing",
        "subscription_renewal",
    ]
    assert [tp.id for tp in m.touchpoints_of("advocacy")] == ["referral_program", "review_request"]


def test_b2b_channel_kinds() -> None:
    """Channels are classified: paid ads are paid, reviews third-party, word of mouth a
    referral, the AE call direct, owned media owned."""
    m = templates.get("b2b_five_stage")
    kind = {c.id: c.kind for c in m.channels}
    assert kind["paid_search"] is ChannelKind.PAID
    assert kind["paid_social"] is ChannelKind.PAID
    assert kind["review_sites"] is ChannelKind.THIRD_PARTY
    assert kind["organic_search"] is ChannelKind.ORGANIC
    assert kind["word_of_mouth"] is ChannelKind.REFERRAL
    assert m.touchpoint("ae_call").channel.kind is ChannelKind.DIRECT
    for owned in ("blog_post", "case_study", "whitepaper", "webinar", "podcast"):
        assert m.touchpoint(owned).channel.kind is ChannelKind.OWNED, owned
    assert m.touchpoint("third_party_reviews").stage == "consideration"


def test_b2b_paid_ads_name_their_pricing_models() -> None:
    """Paid ad touchpoints say they are priced by CPM, CPC or CPL."""
    m = templates.get("b2b_five_stage")
    paid = [tp for tp in m.touchpoints if tp.channel.kind is ChannelKind.PAID]
    assert [tp.id for tp in paid] == ["search_ad", "social_ad"]
    for tp in paid:
        for model in ("CPM", "CPC", "CPL"):
            assert model in tp.description


def test_b2b_owners() -> None:
    """Marketing owns the stages before the purchase, sales the decision, customer success
    retention."""
    m = templates.get("b2b_five_stage")
    assert [m.stage(s).owner for s in ("awareness", "consideration", "decision", "retention")] == [
        "marketing",
        "marketing",
        "sales",
        "customer success",
    ]


# -- pay_per_call_marketplace -------------------------------------------------------------------

RATE, AT_LEAST, AT_MOST = Unit.RATE, Direction.AT_LEAST, Direction.AT_MOST

# (stage, KPI id) -> (target, direction, unit), from the source's stage targets.
PPC_KPIS = {
    ("awareness", "organic_traffic_growth_qoq"): (0.20, AT_LEAST, RATE),
    ("consideration", "trial_signup_rate"): (0.10, AT_LEAST, RATE),
    ("decision", "trial_to_paid"): (0.25, AT_LEAST, RATE),
    ("decision", "registration_completion"): (0.85, AT_LEAST, RATE),
    ("onboarding", "activation_24h"): (0.80, AT_LEAST, RATE),
    ("onboarding", "onboarding_completion"): (0.80, AT_LEAST, RATE),
    ("onboarding", "time_to_value_hours"): (24.0, AT_MOST, Unit.HOURS),
    ("activation", "retention_30d"): (0.85, AT_LEAST, RATE),
    ("activation", "activation_30d"): (0.60, AT_LEAST, RATE),
    ("growth", "expansion_revenue"): (0.30, AT_LEAST, RATE),
    ("growth", "net_revenue_retention"): (1.20, AT_LEAST, RATE),
    ("growth", "upsell_conversion"): (0.30, AT_LEAST, RATE),
    ("growth", "clv_cac_ratio"): (3.0, AT_LEAST, Unit.RATIO),
    ("retention", "monthly_churn"): (0.05, AT_MOST, RATE),
    ("retention", "nps"): (50.0, AT_LEAST, Unit.SCORE),
    ("retention", "support_satisfaction"): (0.95, AT_LEAST, RATE),
    ("advocacy", "referral_revenue"): (0.25, AT_LEAST, RATE),
    ("advocacy", "referral_participation"): (0.40, AT_LEAST, RATE),
    ("advocacy", "advocate_pipeline"): (0.30, AT_LEAST, RATE),
}


def test_ppc_decision_kpis() -> None:
    """Decision tracks trial-to-paid (25 %) then registration completion (85 %)."""
    kpis = templates.get("pay_per_call_marketplace").kpis_of("decision")
    assert [(k.id, k.target) for k in kpis] == [
        ("trial_to_paid", 0.25),
        ("registration_completion", 0.85),
    ]


def test_ppc_kpi_targets() -> None:
    """Every stage KPI has the source's target, direction and unit, and sits on its stage."""
    m = templates.get("pay_per_call_marketplace")
    found = {(k.stage, k.id): (k.target, k.direction, k.unit) for k in m.kpis}
    assert found == PPC_KPIS


def test_ppc_kpis_meet_and_miss_as_the_source_reads() -> None:
    """Churn of 4 % meets the under-5 % target, 6 % misses it; an NRR of 1.1 misses 120 %."""
    m = templates.get("pay_per_call_marketplace")
    churn = m.kpis_of("retention")[0]
    assert (churn.is_met(0.04), churn.is_met(0.06)) == (True, False)
    nrr = next(k for k in m.kpis_of("growth") if k.id == "net_revenue_retention")
    assert nrr.is_met(1.1) is False


def test_ppc_north_star_placement() -> None:
    """Time to value is an onboarding KPI; the CLV:CAC ratio a growth KPI."""
    m = templates.get("pay_per_call_marketplace")
    assert "time_to_value_hours" in [k.id for k in m.kpis_of("onboarding")]
    assert "clv_cac_ratio" in [k.id for k in m.kpis_of("growth")]


@pytest.mark.parametrize(
    ("touchpoint", "stage"),
    [
        ("roi_calculator", "awareness"),
        ("linkedin_abm", "awareness"),
        ("google_ads", "awareness"),
        ("retargeting_ad", "awareness"),
        ("product_tour", "consideration"),
        ("pricing_calculator", "consideration"),
        ("trial_signup", "consideration"),
        ("review_widgets", "consideration"),
        ("single_page_signup", "decision"),
        ("sales_engineer_demo", "decision"),
        ("quick_start_templates", "onboarding"),
        ("onboarding_checklist", "onboarding"),
        ("live_chat", "onboarding"),
        ("first_call_milestone", "activation"),
        ("weekly_performance_report", "activation"),
        ("qbr", "growth"),
        ("upsell_package", "growth"),
        ("health_monitoring", "retention"),
        ("community_group", "retention"),
        ("referral_program", "advocacy"),
        ("review_request", "advocacy"),
    ],
)
def test_ppc_activities_are_touchpoints_of_their_stage(touchpoint: str, stage: str) -> None:
    """The playbook's activities appear as touchpoints of the stage that lists them."""
    assert templates.get("pay_per_call_marketplace").touchpoint(touchpoint).stage == stage


def test_ppc_review_sites_are_third_party() -> None:
    """G2 and Capterra reviews are a third-party channel; Google Ads a paid one."""
    m = templates.get("pay_per_call_marketplace")
    assert m.touchpoint("review_widgets").channel.kind is ChannelKind.THIRD_PARTY
    assert m.touchpoint("google_ads").channel.kind is ChannelKind.PAID


# -- attract_capture_nurture_convert_expand ----------------------------------------------------


def test_acnce_owners() -> None:
    """Marketing leads up to nurture, sales leads convert, expand is shared by sales,
    service and marketing."""
    m = templates.get("attract_capture_nurture_convert_expand")
    owners = {s.id: s.owner for s in m.stages}
    assert owners["attract"] == owners["capture"] == owners["nurture"] == "marketing"
    assert owners["convert"] == "sales"
    expand = owners["expand"]
    assert expand is not None
    for team in ("sales", "service", "marketing"):
        assert team in expand


def test_acnce_expand_covers_upsell_cross_sell_loyalty() -> None:
    """Expand has upsell, cross-sell and loyalty touchpoints; capture has forms and CTAs."""
    m = templates.get("attract_capture_nurture_convert_expand")
    expand = [tp.id for tp in m.touchpoints_of("expand")]
    for tid in ("upsell_offer", "cross_sell_email", "loyalty_program"):
        assert tid in expand
    capture = [tp.id for tp in m.touchpoints_of("capture")]
    assert "lead_form" in capture
    assert "call_to_action" in capture


# -- acquisition_nurture_growth ----------------------------------------------------------------


def test_ang_nurture_loop_back() -> None:
    """An engaged lead may return to qualified_lead, the template's only loop-back edge."""
    m = templates.get("acquisition_nurture_growth")
    assert m.is_loop_back("engaged", "qualified_lead")
    assert m.allows("engaged", "qualified_lead")
    assert [(e.source, e.target) for e in m.edges if e.is_loop_back] == [
        ("engaged", "qualified_lead")
    ]
    assert m.forward_distance("engaged", "qualified_lead") is None


def test_ang_raw_lead_branches_to_qualification_then_nurture() -> None:
    """A raw lead either qualifies or is added to nurture, in that order."""
    m = templates.get("acquisition_nurture_growth")
    assert m.successors("raw_lead") == ("qualified_lead", "added_to_nurture")
    assert m.predecessors("qualified_lead") == ("raw_lead", "engaged")


def test_ang_forward_distances() -> None:
    """Four steps from anonymous visitor to customer, three from raw lead to engaged, and
    the growth chain continues from customer to referral in five."""
    m = templates.get("acquisition_nurture_growth")
    assert m.forward_distance("anonymous_visitor", "customer") == 4
    assert m.forward_distance("raw_lead", "engaged") == 3
    assert m.forward_distance("customer", "referral") == 5


def test_ang_groups() -> None:
    """Each stage carries its phase as group: acquisition, nurture or growth."""
    m = templates.get("acquisition_nurture_growth")
    groups: dict[str | None, list[str]] = {}
    for stage in m.stages:
        groups.setdefault(stage.group, []).append(stage.id)
    assert groups == {
        "acquisition": [
            "anonymous_visitor",
            "known_contact",
            "raw_lead",
            "qualified_lead",
            "customer",
        ],
        "nurture": ["added_to_nurture", "qualified_and_scored", "engaged"],
        "growth": [
            "new_customer_welcomed",
            "remarkable_experience",
            "increased_clv",
            "long_term_customer",
            "referral",
        ],
    }


@pytest.mark.parametrize(
    ("touchpoint", "stage"),
    [
        ("retargeting_ad", "anonymous_visitor"),
        ("seo_content", "anonymous_visitor"),
        ("lead_magnet", "known_contact"),
        ("newsletter_signup", "known_contact"),
        ("lead_follow_up_email", "raw_lead"),
        ("qualification_email", "qualified_lead"),
        ("demo_invite", "qualified_lead"),
        ("lifecycle_nurture_email", "added_to_nurture"),
        ("customer_welcome_email", "new_customer_welcomed"),
        ("onboarding_tips", "new_customer_welcomed"),
        ("nps_survey", "remarkable_experience"),
        ("upsell_journey", "increased_clv"),
        ("referral_ask", "referral"),
    ],
)
def test_ang_journeys_are_touchpoints_of_their_stage(touchpoint: str, stage: str) -> None:
    """The guide's journeys and tactics appear as touchpoints of the fitting stage."""
    assert templates.get("acquisition_nurture_growth").touchpoint(touchpoint).stage == stage


@pytest.mark.parametrize("name", NAMES)
def test_templates_ship_as_canonical_json_data(name: str) -> None:
    """Each template is a JSON file of package data in the public map format, read by
    ``JourneyMap.from_json``, and the file is exactly the map's canonical ``to_dict`` form (so
    a reviewer reads the data the library uses)."""
    import json
    from importlib import resources

    file = resources.files("touchpath").joinpath("_templates", f"{name}.json")
    text = file.read_text(encoding="utf-8")
    assert JourneyMap.from_json(text) == templates.get(name)
    assert json.loads(text) == templates.get(name).to_dict()

"""SVG map diagrams: well-formed, escaped, one box per stage, one arrow per edge, static,
deterministic, laid out by rank, edges clear of boxes, and the observed overlay."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchpath import JourneyMap, Phase, templates
from touchpath.exceptions import UnsupportedInputError
from touchpath.render._svg import PHASE_COLORS, SHADOW, text_width, to_svg, wrap_label
from touchpath.testing.strategies import journey_maps

SVG = "{http://www.w3.org/2000/svg}"
TEMPLATES = templates.names()


# -- helpers (independent of the code under test) ----------------------------------------------


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def classes(el: ET.Element) -> set[str]:
    return set(el.get("class", "").split())


def groups(root: ET.Element, css: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if css in classes(g)]


def stage_groups(root: ET.Element) -> dict[str, ET.Element]:
    found = groups(root, "tp-stage")
    out = {g.get("data-stage", ""): g for g in found}
    assert len(out) == len(found), "two boxes for one stage"
    return out


def ends(g: ET.Element) -> tuple[str, str]:
    """(source, target) stage ids of an edge group."""
    return g.get("data-source", ""), g.get("data-target", "")


def stage_groups_by_index(root: ET.Element, m: JourneyMap) -> dict[str, ET.Element]:
    """Stage groups keyed by the stage id their ``data-index`` names (ids that differ only in
    control characters look alike once XML has replaced those)."""
    found = groups(root, "tp-stage")
    out = {m.stage_ids[int(g.get("data-index", "-1"))]: g for g in found}
    assert len(out) == len(found) == len(m.stages)
    for sid, g in out.items():
        assert g.get("data-stage") == expected_text(sid)
    return out


def visible_name(g: ET.Element) -> list[str]:
    text = next(t for t in g.iter(f"{SVG}text") if "tp-name" in classes(t))
    return [ts.text or "" for ts in text.iter(f"{SVG}tspan")]


def tooltip(el: ET.Element) -> str:
    title = el.find(f"{SVG}title")
    assert title is not None
    return title.text or ""


def expected_text(text: str) -> str:
    """What a label may show for ``text``: control characters as spaces (XML cannot hold them),
    CR/CRLF as newlines; written out here rather than taken from the code under test."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        " " if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F else c for c in text
    )


def box_rects(root: ET.Element, m: JourneyMap) -> dict[str, tuple[float, float, float, float]]:
    """(x, y, width, height) of each stage's main box (the last rect of its group)."""
    out = {}
    for sid, g in stage_groups_by_index(root, m).items():
        rect = g.findall(f"{SVG}rect")[-1]
        out[sid] = tuple(float(rect.get(k, "nan")) for k in ("x", "y", "width", "height"))
    return out  # type: ignore[return-value]


_TOKEN = re.compile(r"[MLQ]|-?\d+(?:\.\d+)?")


def path_points(d: str, per_curve: int = 8) -> list[tuple[float, float]]:
    """Points along a path made of M, L and Q commands (the only ones the renderer writes)."""
    tokens = _TOKEN.findall(d)
    points: list[tuple[float, float]] = []
    i, cmd = 0, ""
    while i < len(tokens):
        if tokens[i] in "MLQ":
            cmd = tokens[i]
            i += 1
        if cmd in "ML":
            points.append((float(tokens[i]), float(tokens[i + 1])))
            i += 2
        else:
            (x0, y0) = points[-1]
            cx, cy, x1, y1 = (float(t) for t in tokens[i : i + 4])
            for k in range(1, per_curve + 1):
                t = k / per_curve
                points.append(
                    (
                        (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1,
                        (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1,
                    )
                )
            i += 4
    return points


def sampled(points: list[tuple[float, float]], step: float = 2.0) -> Iterator[tuple[float, float]]:
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        n = max(1, int(math.dist((x0, y0), (x1, y1)) / step))
        for k in range(n + 1):
            yield x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n


def longest_path_ranks(m: JourneyMap) -> dict[str, int]:
    """Rank by brute force: the most edges on any simple forward path ending at the stage."""
    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_nodes_from(m.stage_ids)
    g.add_edges_from((e.source, e.target) for e in m.edges if not e.is_loop_back)
    sources = [n for n in g if g.in_degree(n) == 0]
    rank = dict.fromkeys(m.stage_ids, 0)
    for s in sources:
        for target in g:
            for path in nx.all_simple_paths(g, s, target):
                rank[target] = max(rank[target], len(path) - 1)
    return rank


def observed_graph(pairs: Mapping[tuple[str, str], float]) -> nx.DiGraph[str]:
    g: nx.DiGraph[str] = nx.DiGraph()
    for (a, b), c in pairs.items():
        g.add_edge(a, b, count=c)
    return g


# -- the shipped templates ------------------------------------------------------------------------


@pytest.mark.parametrize("name", TEMPLATES, ids=TEMPLATES)
def test_template_svg_has_one_box_per_stage_with_its_name(name: str) -> None:
    """Each template draws as well-formed XML with exactly one stage group per stage, showing
    the stage name (whole, or cut with '…' and then whole in the tooltip)."""
    m = templates.get(name)
    root = parse(to_svg(m))
    found = stage_groups(root)
    assert set(found) == set(m.stage_ids)
    for stage in m.stages:
        g = found[stage.id]
        shown = " ".join(visible_name(g))
        assert tooltip(g).split("\n")[0] == stage.name
        if g.get("data-truncated") == "true":
            assert shown.endswith("\u2026")
            assert stage.name.startswith(shown[:-1].split(" ")[0])
        else:
            assert shown == " ".join(stage.name.split())


@pytest.mark.parametrize("name", TEMPLATES, ids=TEMPLATES)
def test_template_svg_has_one_arrow_per_edge_and_no_script(name: str) -> None:
    """One edge group with one arrowhead per designed edge, with the right ends and kind; no
    script element, no event-handler attribute and no external reference anywhere."""
    m = templates.get(name)
    svg = to_svg(m)
    root = parse(svg)
    edges = groups(root, "tp-edge")
    assert len(edges) == len(m.edges)
    assert len(root.findall(f".//{SVG}path[@class='tp-arrow']")) == len(m.edges)
    drawn = {(g.get("data-source"), g.get("data-target")): classes(g) for g in edges}
    for e in m.edges:
        css = drawn[(e.source, e.target)]
        assert ("tp-loop-back" in css) == e.is_loop_back
        assert ("tp-forward" in css) == (not e.is_loop_back)
    assert "<script" not in svg.lower()
    for el in root.iter():
        for attr, value in el.attrib.items():
            assert not attr.lower().startswith("on"), attr
            if attr.rsplit("}", 1)[-1] == "href":
                assert value.startswith("#"), value
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", svg)


def test_b2b_touchpoint_counts_and_phase_colours() -> None:
    """Each box says how many touchpoints its stage has (counted here from the map's list) and
    is filled with the colour of its phase."""
    m = templates.get("b2b_five_stage")
    root = parse(to_svg(m))
    for sid, g in stage_groups(root).items():
        n = sum(1 for tp in m.touchpoints if tp.stage == sid)
        count = next(t for t in g.iter(f"{SVG}text") if "tp-count" in classes(t))
        assert count.text == (f"{n} touchpoint" if n == 1 else f"{n} touchpoints")
        fill = g.findall(f"{SVG}rect")[-1].get("fill")
        assert fill == PHASE_COLORS[m.stage(sid).phase][0]


def test_entry_and_terminal_styles() -> None:
    """Entry stages carry the entry class and a thicker border; terminal stages the terminal
    class and a second (outer) border."""
    m = templates.get("b2b_five_stage")  # entry awareness, terminal advocacy
    found = stage_groups(parse(to_svg(m)))
    assert {s for s, g in found.items() if "tp-entry" in classes(g)} == {"awareness"}
    assert {s for s, g in found.items() if "tp-terminal" in classes(g)} == {"advocacy"}
    assert len(found["advocacy"].findall(f"{SVG}rect")) == 2
    assert len(found["decision"].findall(f"{SVG}rect")) == 1
    widths = {
        s: float(g.findall(f"{SVG}rect")[-1].get("stroke-width", "0")) for s, g in found.items()
    }
    assert widths["awareness"] > widths["decision"]


def test_linear_map_is_one_row_in_stage_order() -> None:
    """A chain of five stages is five boxes on one row, left to right in chain order."""
    m = templates.get("b2b_five_stage")
    rects = box_rects(parse(to_svg(m)), m)
    xs = [rects[s][0] for s in m.stage_ids]
    assert xs == sorted(xs)
    assert len(set(xs)) == 5
    assert len({rects[s][1] for s in m.stage_ids}) == 1


def test_branching_template_puts_nurture_below_acquisition() -> None:
    """In the acquisition/nurture/growth template the nurture branch (which leaves raw_lead)
    sits on a second row, and the loop-back engaged -> qualified_lead is dashed."""
    m = templates.get("acquisition_nurture_growth")
    root = parse(to_svg(m))
    rects = box_rects(root, m)
    row0 = rects["anonymous_visitor"][1]
    for sid in ("known_contact", "raw_lead", "qualified_lead", "customer", "referral"):
        assert rects[sid][1] == row0, sid
    for sid in ("added_to_nurture", "qualified_and_scored", "engaged"):
        assert rects[sid][1] > row0, sid
    loop = next(g for g in groups(root, "tp-loop-back"))
    assert (loop.get("data-source"), loop.get("data-target")) == ("engaged", "qualified_lead")
    line = next(p for p in loop.iter(f"{SVG}path") if p.get("class") == "tp-line")
    assert line.get("stroke-dasharray")


def test_output_is_deterministic() -> None:
    """The same map, even rebuilt from its dict form, gives byte-identical SVG."""
    m = templates.get("acquisition_nurture_growth")
    again = JourneyMap.from_dict(m.to_dict())
    g = observed_graph({("raw_lead", "customer"): 4, ("known_contact", "raw_lead"): 9})
    assert to_svg(m) == to_svg(again)
    assert to_svg(m, observed=g) == to_svg(again, observed=g.copy())


def test_options_hide_title_legend_and_counts() -> None:
    """title=False, legend=False and touchpoints=False drop those parts."""
    m = templates.get("b2b_five_stage")
    root = parse(to_svg(m, title=False, legend=False, touchpoints=False))
    assert not [t for t in root.iter(f"{SVG}text") if "tp-title" in classes(t)]
    assert not groups(root, "tp-legend")
    assert not [t for t in root.iter(f"{SVG}text") if "tp-count" in classes(t)]
    full = parse(to_svg(m))
    assert groups(full, "tp-legend")


# -- escaping -----------------------------------------------------------------------------------

NASTY = [
    ("lt", "a<b", "x <y> & z"),
    ("amp", "R&D", "R&D &amp; co"),
    ("quotes", 'say "hi"', 'it\'s "quoted"'),
    ("unicode", "überprüfung", "Überprüfung 🚀 決定 ﬂ"),
    ("markup", "</text><script>", "<script>alert(1)</script>"),
    ("cdata", "]]>", "<![CDATA[x]]>"),
    ("controls", "c\x00d", "tab\there\x07bell\x1b"),
    ("newline", "n", "line one\r\nline two"),
]


@pytest.mark.parametrize(
    ("sid", "name"), [(a, b) for _, a, b in NASTY], ids=[i for i, _, _ in NASTY]
)
def test_stage_ids_and_names_are_escaped(sid: str, name: str) -> None:
    """Ids and names with markup, entities, quotes, unicode and control characters come back
    from an XML parser as the text itself (control characters as spaces)."""
    m = (
        JourneyMap.builder(f"map {name}")
        .stage(sid, name)
        .stage("next", "Next")
        .edge(sid, "next")
        .touchpoint(f"tp {name}", channel="email", stage=sid)
        .build()
    )
    svg = to_svg(m)
    root = parse(svg)
    assert "<script" not in svg
    found = stage_groups(root)
    assert set(found) == {expected_text(sid), "next"}
    g = found[expected_text(sid)]
    # long words may be broken between characters, so compare without whitespace
    assert g.get("data-truncated") is None
    assert "".join("".join(visible_name(g)).split()) == "".join(expected_text(name).split())
    assert tooltip(g).split("\n")[0] == expected_text(name).split("\n")[0]
    title = next(t for t in root.iter(f"{SVG}text") if "tp-title" in classes(t))
    assert title.text == expected_text(f"map {name}")
    edge = groups(root, "tp-edge")[0]
    assert edge.get("data-source") == expected_text(sid)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journey_maps(max_stages=7))
def test_any_map_draws_valid_static_svg(m: JourneyMap) -> None:
    """For any map: well-formed XML, one box per stage whose tooltip starts with the stage
    name, one arrowhead per edge, boxes that do not overlap, and no script."""
    svg = to_svg(m)
    root = parse(svg)
    found = stage_groups_by_index(root, m)
    for stage in m.stages:
        first_line = expected_text(stage.name).split("\n")[0]
        assert tooltip(found[stage.id]).split("\n")[0] == first_line
    assert len(root.findall(f".//{SVG}path[@class='tp-arrow']")) == len(m.edges)
    assert "<script" not in svg
    rects = list(box_rects(root, m).values())
    for (x0, y0, w0, h0), (x1, y1, w1, h1) in itertools.combinations(rects, 2):
        assert x0 + w0 <= x1 or x1 + w1 <= x0 or y0 + h0 <= y1 or y1 + h1 <= y0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journey_maps(max_stages=7))
def test_layout_columns_follow_longest_forward_paths(m: JourneyMap) -> None:
    """A stage's column is its rank (longest forward path reaching it, found by brute force):
    equal ranks share an x, higher ranks are further right; every forward edge points right."""
    ranks = longest_path_ranks(m)
    rects = box_rects(parse(to_svg(m)), m)
    x_of = {sid: rects[sid][0] for sid in m.stage_ids}
    for a, b in itertools.combinations(m.stage_ids, 2):
        if ranks[a] == ranks[b]:
            assert x_of[a] == x_of[b]
        else:
            assert (x_of[a] < x_of[b]) == (ranks[a] < ranks[b])
    for e in m.edges:
        if not e.is_loop_back:
            assert x_of[e.source] < x_of[e.target]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journey_maps(max_stages=7))
def test_edges_never_cross_a_box(m: JourneyMap) -> None:
    """No point of any edge line lies inside a stage box (boxes shrunk by 2px, so lines may
    touch the border where they start and end)."""
    root = parse(to_svg(m))
    rects = list(box_rects(root, m).values())
    for g in groups(root, "tp-edge"):
        line = next(p for p in g.iter(f"{SVG}path") if p.get("class") == "tp-line")
        for px, py in sampled(path_points(line.get("d", ""))):
            for x, y, w, h in rects:
                inside = x + 2 < px < x + w - 2 and y + 2 < py < y + h - 2
                assert not inside, (g.get("data-source"), g.get("data-target"), (px, py))


# -- the observed overlay -------------------------------------------------------------------------


def test_overlay_marks_shadow_paths_and_counts() -> None:
    """Observed moves the map lacks are drawn as extra arrows in the shadow colour, with their
    counts; map edges are labelled with their observed count (0 when never taken)."""
    m = templates.get("b2b_five_stage")
    pairs: dict[tuple[str, str], int] = {
        ("awareness", "consideration"): 900,
        ("consideration", "decision"): 300,
        ("awareness", "decision"): 50,  # skip: not on the map
        ("decision", "consideration"): 80,  # backwards: not on the map
    }
    root = parse(to_svg(m, observed=observed_graph(pairs)))
    map_pairs = {(e.source, e.target) for e in m.edges}
    shadow_expected = {p for p in pairs if p not in map_pairs}
    assert len(root.findall(f".//{SVG}path[@class='tp-arrow']")) == len(m.edges) + len(
        shadow_expected
    )
    shadow = groups(root, "tp-shadow")
    assert {ends(g) for g in shadow} == shadow_expected
    map_colours = set()
    for g in groups(root, "tp-forward"):
        line = next(p for p in g.iter(f"{SVG}path") if p.get("class") == "tp-line")
        map_colours.add(line.get("stroke"))
        assert g.get("data-count") == f"{pairs.get(ends(g), 0):,}"
    for g in shadow:
        line = next(p for p in g.iter(f"{SVG}path") if p.get("class") == "tp-line")
        assert line.get("stroke") == SHADOW
        assert SHADOW not in map_colours
        label = next(t for t in g.iter(f"{SVG}text") if "tp-edge-count" in classes(t))
        assert label.text == str(pairs[ends(g)])


@settings(max_examples=30, deadline=None)
@given(
    st.dictionaries(
        st.tuples(
            st.sampled_from(["awareness", "consideration", "decision", "retention", "advocacy"]),
            st.sampled_from(["awareness", "consideration", "decision", "retention", "advocacy"]),
        ).filter(lambda p: p[0] != p[1]),
        st.integers(min_value=0, max_value=10_000),
        max_size=12,
    )
)
def test_overlay_width_grows_with_count(pairs: dict[tuple[str, str], int]) -> None:
    """Across all drawn edges, a larger observed count never gets a thinner line."""
    m = templates.get("b2b_five_stage")
    root = parse(to_svg(m, observed=observed_graph(dict(pairs))))
    seen = []
    for g in groups(root, "tp-edge"):
        line = next(p for p in g.iter(f"{SVG}path") if p.get("class") == "tp-line")
        count = pairs.get(ends(g), 0)
        seen.append((count, float(line.get("stroke-width", "nan"))))
    for (c0, w0), (c1, w1) in itertools.combinations(seen, 2):
        if c0 < c1:
            assert w0 <= w1
        elif c0 == c1:
            assert w0 == w1


def test_overlay_notes_moves_it_cannot_draw() -> None:
    """Moves from/to stages not on the map and repeats of a stage are not drawn; a note says
    how many and their total count (3 + 4 = 7 unknown in 2 pairs, 5 repeats in 1 stage)."""
    m = templates.get("b2b_five_stage")
    pairs = {
        ("awareness", "ghost"): 3,
        ("ghost", "decision"): 4,
        ("decision", "decision"): 5,
        ("awareness", "consideration"): 1,
    }
    root = parse(to_svg(m, observed=observed_graph(pairs)))
    notes = [t.text or "" for t in root.iter(f"{SVG}text") if "tp-note" in classes(t)]
    assert any("2 observed transitions (count 7)" in n for n in notes), notes
    assert any("1 stage (count 5)" in n for n in notes), notes
    assert len(groups(root, "tp-edge")) == len(m.edges)


def test_overlay_adds_up_parallel_edges_of_a_multigraph() -> None:
    """Parallel edges of a MultiDiGraph count together (2 + 5 = 7)."""
    m = templates.get("b2b_five_stage")
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_edge("awareness", "consideration", count=2)
    g.add_edge("awareness", "consideration", count=5)
    root = parse(to_svg(m, observed=g))
    edge = next(e for e in groups(root, "tp-edge") if e.get("data-target") == "consideration")
    assert edge.get("data-count") == "7"


@pytest.mark.parametrize(
    ("observed", "match"),
    [
        ({"awareness": "decision"}, "networkx DiGraph"),
        (nx.Graph([("awareness", "decision")]), "networkx DiGraph"),
        (nx.DiGraph([("awareness", "decision")]), "'count'"),
        (observed_graph({("awareness", "decision"): -1}), ">= 0"),
        (observed_graph({("awareness", "decision"): float("nan")}), "finite"),
        (observed_graph({("awareness", "decision"): True}), "'count'"),
    ],
    ids=["dict", "undirected", "no-count", "negative", "nan", "bool"],
)
def test_bad_overlay_is_refused(observed: object, match: str) -> None:
    """An overlay that is not a DiGraph with finite, non-negative counts raises
    UnsupportedInputError naming what is wrong."""
    with pytest.raises(UnsupportedInputError, match=match):
        to_svg(templates.get("b2b_five_stage"), observed=observed)  # type: ignore[arg-type]


# -- text fitting ----------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=60), st.integers(min_value=40, max_value=200))
def test_wrapped_lines_fit_and_keep_the_words(text: str, width: int) -> None:
    """Wrapped lines are at most two, each fits the width by the same estimate (a line holding
    a single character may not), and when nothing is cut the words are the text's words."""
    lines, cut = wrap_label(text, width, 13, max_lines=2, bold=True)
    assert 1 <= len(lines) <= 2
    for line in lines:
        assert text_width(line, 13, bold=True) <= width or len(line) <= 2
    if not cut:
        assert "".join("".join(lines).split()) == "".join(expected_text(text).split())


def test_long_name_is_cut_with_ellipsis() -> None:
    """A name far longer than two lines ends in '…' and is flagged as truncated."""
    name = "word " * 40
    m = JourneyMap.builder("m").stage("long", name).build()
    g = stage_groups(parse(to_svg(m)))["long"]
    assert g.get("data-truncated") == "true"
    lines = visible_name(g)
    assert len(lines) == 2
    assert lines[-1].endswith("\u2026")
    assert tooltip(g).startswith(name.strip())


def test_phase_legend_lists_only_phases_in_use() -> None:
    """The legend names the phases the map uses and no other."""
    m = (
        JourneyMap.builder("m")
        .stage("a", phase=Phase.BEFORE_PURCHASE)
        .stage("b", phase=Phase.BEFORE_PURCHASE)
        .edge("a", "b")
        .build()
    )
    texts = [t.text for g in groups(parse(to_svg(m)), "tp-legend") for t in g.iter(f"{SVG}text")]
    assert "before purchase" in texts
    assert "after purchase" not in texts
    assert "during purchase" not in texts


def test_transition_graph_of_a_log_overlays_directly() -> None:
    """The observed transition graph that touchpath.metrics computes from a log plugs in as
    ``observed``: journey a goes awareness -> consideration -> decision, journey b skips
    from awareness to decision, so the skip is the one shadow path, with count 1."""
    metrics = pytest.importorskip("touchpath.metrics")
    transition_graph = getattr(metrics, "transition_graph", None)
    if transition_graph is None:
        pytest.skip("touchpath.metrics.transition_graph is not available yet")
    from touchpath import EventLog

    def rec(j: str, t: int, s: str) -> dict[str, object]:
        return {"journey_id": j, "timestamp": t, "stage": s}

    log = EventLog.from_records(
        [
            rec("a", 0, "awareness"),
            rec("a", 60, "consideration"),
            rec("a", 120, "decision"),
            rec("b", 0, "awareness"),
            rec("b", 60, "decision"),
        ]
    )
    root = parse(to_svg(templates.get("b2b_five_stage"), observed=transition_graph(log)))
    shadow = groups(root, "tp-shadow")
    assert [ends(g) for g in shadow] == [("awareness", "decision")]
    assert shadow[0].get("data-count") == "1"
    counts = {ends(g): g.get("data-count") for g in groups(root, "tp-forward")}
    assert counts[("awareness", "consideration")] == "1"
    assert counts[("retention", "advocacy")] == "0"

"""Mermaid and DOT rendering: output parses with the real tools and shows the original labels.

The Mermaid checks run Mermaid's own parser in Node.js (``tests/js``, installed with
``npm ci --prefix tests/js``); the DOT checks run Graphviz's ``dot``. Each set skips,
saying why, when its tool is missing.
"""

from __future__ import annotations

import json
import re
import select
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchpath import Channel, ChannelKind, JourneyMap, templates
from touchpath.exceptions import ConfigError
from touchpath.render import to_dot, to_mermaid
from touchpath.render._dot import dot_label, dot_quote
from touchpath.render._mermaid import mermaid_label

JS_DIR = Path(__file__).parents[1] / "js"

MermaidCheck = Callable[[str], dict[str, Any]]
DotRun = Callable[[str, str], str]


# -- the real parsers -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def mermaid(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MermaidCheck]:
    """Mermaid's parser in a long-lived Node.js process (tests/js/mermaid_check.mjs)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed; the Mermaid parser checks need it")
    if not (JS_DIR / "node_modules" / "mermaid" / "package.json").is_file():
        pytest.skip("Mermaid is not installed for the tests; run: npm ci --prefix tests/js")
    log = tmp_path_factory.mktemp("mermaid") / "stderr.txt"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [node, "mermaid_check.mjs"],
            cwd=JS_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            encoding="utf-8",
        )
    assert proc.stdin is not None
    assert proc.stdout is not None
    stdin, stdout = proc.stdin, proc.stdout

    def check(text: str) -> dict[str, Any]:
        stdin.write(json.dumps({"text": text}) + "\n")
        stdin.flush()
        ready, _, _ = select.select([stdout], [], [], 60)
        line = stdout.readline() if ready else ""
        if not line:
            pytest.fail(f"the Mermaid checker died or hung; its stderr: {log.read_text()}")
        result: dict[str, Any] = json.loads(line)
        return result

    yield check
    stdin.close()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    stdout.close()


@pytest.fixture(scope="session")
def graphviz() -> DotRun:
    """Run Graphviz ``dot`` with a format flag on DOT text; fail on any error."""
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz is not installed (apt-get install graphviz); DOT checks skipped")

    def run(text: str, fmt: str) -> str:
        done = subprocess.run(
            [dot, f"-T{fmt}"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=60,
            check=False,
        )
        stderr = done.stderr.decode("utf-8", "replace")
        assert done.returncode == 0, f"dot failed: {stderr}\n{text}"
        assert "rror" not in stderr, f"{stderr}\n{text}"
        assert "syntax" not in stderr, f"{stderr}\n{text}"
        return done.stdout.decode("utf-8")

    return run


# -- what a label should show -----------------------------------------------------------------


def shown(text: str) -> str:
    """The documented normalisation: line-break variants become newlines, other control
    characters spaces, lone surrogates U+FFFD."""
    text = re.sub("\r\n|\r|\u2028|\u2029", "\n", text)
    return "".join(
        "\ufffd"
        if unicodedata.category(c) == "Cs"
        else " "
        if unicodedata.category(c) == "Cc" and c != "\n"
        else c
        for c in text
    )


def touchpoint_text(m: JourneyMap, k: int) -> str:
    tp = m.touchpoints[k]
    return f"{tp.name}\n({tp.channel.name})"


def assert_mermaid_reads(m: JourneyMap, result: dict[str, Any], touchpoints: bool) -> None:
    """Mermaid's parser read exactly the map's nodes, subgraphs, edges and labels."""
    assert result["ok"], result.get("error")
    assert result["type"] == "flowchart-v2"
    assert result["config"] == {}, "a label was read as a directive"
    vertices = {v["id"]: v for v in result["vertices"]}
    expected_ids = {f"s{i}" for i in range(len(m.stages))}
    subgraphs = {g["id"]: g for g in result["subgraphs"]}
    expected_subgraphs = set()
    entry, terminal = set(m.entry_stages), set(m.terminal_stages)
    for i, stage in enumerate(m.stages):
        node = vertices[f"s{i}"]
        assert node["text"] == shown(stage.name)
        assert node["shape"] == "square"
        classes = ["entry"] if stage.id in entry else ["terminal"] if stage.id in terminal else []
        assert node["classes"] == classes
        tps = [k for k, tp in enumerate(m.touchpoints) if tp.stage == stage.id]
        if touchpoints and tps:
            expected_subgraphs.add(f"s{i}_g")
            group = subgraphs[f"s{i}_g"]
            assert group["title"] == shown(stage.name)
            assert group["nodes"] == [f"s{i}"] + [f"s{i}_t{j}" for j in range(len(tps))]
            for j, k in enumerate(tps):
                expected_ids.add(f"s{i}_t{j}")
                assert vertices[f"s{i}_t{j}"]["text"] == shown(touchpoint_text(m, k))
                assert vertices[f"s{i}_t{j}"]["shape"] == "stadium"
    assert set(vertices) == expected_ids
    assert set(subgraphs) == expected_subgraphs
    index = {sid: i for i, sid in enumerate(m.stage_ids)}
    edges = [(e["start"], e["end"], e["text"], e["stroke"]) for e in result["edges"]]
    assert edges == [
        (
            f"s{index[e.source]}",
            f"s{index[e.target]}",
            "loop back" if e.is_loop_back else "",
            "dotted" if e.is_loop_back else "normal",
        )
        for e in m.edges
    ]


def dot_attribute_text(value: str) -> str:
    """Undo DOT label escapes as Graphviz reads them: ``\\\\`` and ``\\n``, then ``&amp;``."""
    text = re.sub(r"\\(.)", lambda g: "\n" if g.group(1) == "n" else g.group(1), value)
    return text.replace("&amp;", "&")


def assert_dot_reads(m: JourneyMap, graph: dict[str, Any], touchpoints: bool) -> None:
    """Graphviz read exactly the map's nodes and edges, and draws each label's text."""
    objects = graph.get("objects", [])
    n = len(m.stages)
    labels = [s.name for s in m.stages]
    if touchpoints:
        labels += [touchpoint_text(m, k) for k in range(len(m.touchpoints))]
    assert len(objects) == len(labels), "nodes were merged or invented"
    assert len({o["name"] for o in objects}) == len(labels)
    for obj, label in zip(objects, labels, strict=True):
        assert dot_attribute_text(obj["label"]) == shown(label)
        drawn = [op["text"] for op in obj.get("_ldraw_", []) if op["op"] == "T"]
        assert drawn == [line for line in shown(label).split("\n") if line]
    entry, terminal = set(m.entry_stages), set(m.terminal_stages)
    for obj, stage in zip(objects, m.stages, strict=False):
        assert (obj.get("penwidth") == "2") == (stage.id in entry)
        assert (obj.get("peripheries") == "2") == (stage.id in terminal)
    index = {sid: i for i, sid in enumerate(m.stage_ids)}
    expected: list[tuple[int, int, str | None]] = []
    if touchpoints:
        expected += [(index[tp.stage], n + k, "dotted") for k, tp in enumerate(m.touchpoints)]
    expected += [
        (index[e.source], index[e.target], "dashed" if e.is_loop_back else None) for e in m.edges
    ]
    edges = [(e["tail"], e["head"], e.get("style")) for e in graph.get("edges", [])]
    assert sorted(edges, key=repr) == sorted(expected, key=repr)  # Graphviz lists by tail node


# -- Hypothesis: arbitrary text in every id and label ------------------------------------------

TRICKY = [
    '"', "'", "[", "]", "(", ")", "{", "}", ":", ";", "#", "|", "\\", "<", ">", "&", "%", "`",
    "\n", "\r", "\r\n", "\t", "\x00", "\x7f", "\x85", "\u2028", "\u2029", "\u00a0", "\ufeff",
    "\u3000", " ", "-->", "-.->", "==>", "---", "end", "subgraph", "style", "style:", "click",
    "classDef x:",
    "%%", "%%{init: {'theme': 'dark'}}%%", "&amp;", "&#65;", "#quot;", "#35;", "<br/>", "\\N",
    "\\n", "\\l", "\u00b6\u00df", "\ufb02\u00b0", "\ufb02\u00b0\u00b0", "touchpoint:", "s0",
    "\u65e5\u672c", "\u00fc", "\U0001f600", "\u200d", "---\ntitle: x\n---",
]  # fmt: skip

texts = (
    st.lists(st.one_of(st.sampled_from(TRICKY), st.characters()), min_size=1, max_size=8)
    .map("".join)
    .filter(lambda s: bool(s.strip()))
)


@st.composite
def journey_maps(draw: st.DrawFn) -> JourneyMap:
    """Small maps whose ids, names and channels are arbitrary text."""
    n = draw(st.integers(1, 5))
    ids = draw(st.lists(texts, min_size=n, max_size=n, unique=True))
    b = JourneyMap.builder(draw(texts))
    for sid in ids:
        b.stage(sid, draw(texts))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    if pairs:
        for i, j in draw(st.lists(st.sampled_from(pairs), unique=True, max_size=6)):
            b.edge(ids[i], ids[j])
        for i, j in draw(st.lists(st.sampled_from(pairs), unique=True, max_size=3)):
            b.loop_back(ids[j], ids[i])
    channels = draw(
        st.lists(st.tuples(texts, texts), min_size=1, max_size=3, unique_by=lambda c: c[0])
    )
    # some touchpoint ids equal a stage id, or a stage id minus "touchpoint:" (DOT node names)
    near = [t for t in (sid.removeprefix("touchpoint:") for sid in ids) if t.strip()]
    tp_id = st.one_of(texts, st.sampled_from(near)) if near else texts
    tp_ids = draw(st.lists(tp_id, max_size=4, unique=True))
    for tid in tp_ids:
        cid, cname = draw(st.sampled_from(channels))
        b.touchpoint(
            tid,
            channel=Channel(cid, ChannelKind.OTHER, cname),
            stage=draw(st.sampled_from(ids)),
            name=draw(texts),
        )
    return b.build()


PARSER_SETTINGS = settings(
    deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow]
)


@PARSER_SETTINGS
@given(m=journey_maps(), touchpoints=st.booleans())
def test_mermaid_output_of_any_map_parses_and_shows_labels(
    mermaid: MermaidCheck, m: JourneyMap, touchpoints: bool
) -> None:
    """Whatever the ids and names, Mermaid parses the flowchart into exactly the map's
    nodes, subgraphs and edges, and every label shows the original text."""
    assert_mermaid_reads(m, mermaid(to_mermaid(m, touchpoints=touchpoints)), touchpoints)


@PARSER_SETTINGS
@given(m=journey_maps(), touchpoints=st.booleans())
def test_dot_output_of_any_map_parses_and_shows_labels(
    graphviz: DotRun, m: JourneyMap, touchpoints: bool
) -> None:
    """Whatever the ids and names, Graphviz parses the digraph into exactly the map's
    nodes and edges, and draws every label's original text."""
    out = graphviz(to_dot(m, touchpoints=touchpoints), "json")
    assert_dot_reads(m, json.loads(out), touchpoints)


# -- examples --------------------------------------------------------------------------------


def demo_map() -> JourneyMap:
    return (
        JourneyMap.builder("demo")
        .stage("visit", "Visit")
        .stage("signup", 'Sign "up"')
        .stage("buy", "Buy")
        .path("visit", "signup", "buy")
        .loop_back("buy", "signup")
        .touchpoint(
            "ad",
            channel=Channel("paid_search", ChannelKind.PAID, "Paid search"),
            stage="visit",
            name="Search ad",
        )
        .build()
    )


def test_mermaid_exact_output_with_touchpoints() -> None:
    """A stage with touchpoints becomes a subgraph; loop-backs are dotted and labelled."""
    assert to_mermaid(demo_map(), touchpoints=True) == "\n".join(
        [
            "flowchart LR",
            '    subgraph s0_g["Visit"]',
            '        s0["Visit"]',
            '        s0_t0(["Search ad<br/>(Paid search)"])',
            "    end",
            '    s1["Sign #quot;up#quot;"]',
            '    s2["Buy"]',
            "    s0 --> s1",
            "    s1 --> s2",
            '    s2 -.->|"loop back"| s1',
            "    classDef entry stroke-width:3px",
            "    classDef terminal stroke-width:3px,stroke-dasharray: 4 2",
            "    class s0 entry",
            "    class s2 terminal",
        ]
    )


def test_dot_exact_output_with_touchpoints() -> None:
    """Touchpoints hang off their stage as notes named ``touchpoint:<id>``."""
    assert to_dot(demo_map(), direction="TB", touchpoints=True) == "\n".join(
        [
            'digraph "demo" {',
            "    rankdir=TB;",
            "    node [shape=box, style=rounded];",
            '    "visit" [label="Visit", penwidth=2];',
            '    "signup" [label="Sign \\"up\\""];',
            '    "buy" [label="Buy", peripheries=2];',
            '    "touchpoint:ad" [label="Search ad\\n(Paid search)", shape=note, fontsize=10];',
            '    "visit" -> "touchpoint:ad" [arrowhead=none, style=dotted];',
            '    "visit" -> "signup";',
            '    "signup" -> "buy";',
            '    "buy" -> "signup" [style=dashed, constraint=false, label="loop back"];',
            "}",
        ]
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", '"plain"'),
        ('a "b"', '"a #quot;b#quot;"'),
        ("x\ny", '"x<br/>y"'),
        ("x\r\ny\rz", '"x<br/>y<br/>z"'),
        ("a#b;", '"a#35;b;"'),
        ("<i>&", '"#lt;i#gt;#amp;"'),
        ("end --> [x]", '"end --#gt; [x]"'),
        (" pad\t", '"#32;pad#32;"'),
        ("50%%", '"50%#37;"'),
        ("style: red", '"style#58; red"'),
        ("Step 1: go", '"Step 1: go"'),
        ("\u00b6\u00df", '"#182;\u00df"'),
    ],
    ids=["plain", "quote", "newline", "crlf", "hash", "html", "arrow", "edge-space",
         "percent", "style-colon", "colon", "marker"],
)  # fmt: skip
def test_mermaid_label_escapes(text: str, expected: str) -> None:
    """Labels are quoted; only the characters Mermaid would misread become entity codes."""
    assert mermaid_label(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", '"plain"'),
        ('a "b"', '"a \\"b\\""'),
        ("a\\N", '"a\\\\N"'),
        ("x\r\ny", '"x\\ny"'),
        ("R&D", '"R&amp;D"'),
        ("tab\there", '"tab here"'),
    ],
    ids=["plain", "quote", "backslash", "crlf", "ampersand", "tab"],
)
def test_dot_label_escapes(text: str, expected: str) -> None:
    """DOT labels escape quotes, backslashes, newlines and ``&`` (Graphviz decodes entities)."""
    assert dot_label(text) == expected


def test_dot_names_keep_distinct_ids_distinct() -> None:
    """Ids that differ only in control characters or line-break style get distinct names."""
    ids = ["a\nb", "a\rb", "a\r\nb", "a\\nb", "a\x01b", "a b"]
    assert len({dot_quote(i) for i in ids}) == len(ids)
    assert dot_quote("a\x01b") == '"a\\u0001b"'


def test_touchpoint_nodes_never_collide_with_stage_ids(graphviz: DotRun) -> None:
    """A stage whose id looks like a touchpoint node name stays a separate node."""
    m = (
        JourneyMap.builder("m")
        .stage("touchpoint:web", "Stage")
        .stage("touchpoint::web", "Other stage")
        .edge("touchpoint:web", "touchpoint::web")
        .touchpoint("web", channel="site", stage="touchpoint:web", name="Touchpoint")
        .build()
    )
    text = to_dot(m, touchpoints=True)
    assert '"touchpoint:::web" [label="Touchpoint\\n(site)"' in text
    graph = json.loads(graphviz(text, "json"))
    names = [o["name"] for o in graph["objects"]]
    assert names == ["touchpoint:web", "touchpoint::web", "touchpoint:::web"]
    assert_dot_reads(m, graph, touchpoints=True)


def test_mermaid_keywords_as_stage_ids_are_safe(mermaid: MermaidCheck) -> None:
    """Stage ids ``end``, ``subgraph``, ``style`` and ``graph`` never reach Mermaid as ids."""
    m = (
        JourneyMap.builder("m")
        .stage("end", "end")
        .stage("subgraph", "subgraph")
        .stage("style", "style: #f00;")
        .stage("graph")
        .path("end", "subgraph", "style", "graph")
        .touchpoint("end", channel="end", stage="end", name="end")
        .build()
    )
    for touchpoints in (False, True):
        assert_mermaid_reads(m, mermaid(to_mermaid(m, touchpoints=touchpoints)), touchpoints)


def surrogate_map() -> JourneyMap:
    """A map whose name, ids and labels hold lone surrogates (possible from JSON ``\\ud800``)."""
    return (
        JourneyMap.builder("m\ud800")
        .stage("a\udc80", "x\ud800y")
        .stage("b")
        .edge("a\udc80", "b")
        .build()
    )


def test_lone_surrogates_never_break_utf8() -> None:
    """Lone surrogates show as U+FFFD in labels and escaped in DOT names; output encodes."""
    m = surrogate_map()
    for text in (to_mermaid(m), to_dot(m)):
        text.encode("utf-8")
    assert '    s0["x\ufffdy"]' in to_mermaid(m)
    assert '    "a\\udc80" [label="x\ufffdy", penwidth=2];' in to_dot(m)


def test_lone_surrogates_parse_in_mermaid(mermaid: MermaidCheck) -> None:
    """Mermaid reads the surrogate map's labels as U+FFFD."""
    m = surrogate_map()
    assert_mermaid_reads(m, mermaid(to_mermaid(m)), touchpoints=False)


def test_lone_surrogates_parse_in_dot(graphviz: DotRun) -> None:
    """Graphviz reads the surrogate map's labels as U+FFFD."""
    m = surrogate_map()
    assert_dot_reads(m, json.loads(graphviz(to_dot(m), "json")), touchpoints=False)


def test_mermaid_checker_rejects_naive_output(mermaid: MermaidCheck) -> None:
    """The checker is not vacuous: unescaped quotes fail to parse or lose the quotes, and a
    colon after ``style`` with an entity code loses its ``;`` (why such labels escape ``:``)."""
    assert not mermaid('flowchart LR\n    s0["a"b"]')["ok"]
    naive = mermaid('flowchart LR\n    s0["say "hi""]')
    assert naive["vertices"][0]["text"] != 'say "hi"'
    garbled = mermaid('flowchart LR\n    s0["style:#35;"]')
    assert garbled["ok"]
    assert garbled["vertices"][0]["text"] == "style:#35"
    fixed = mermaid(f"flowchart LR\n    s0[{mermaid_label('style:#')}]")
    assert fixed["vertices"][0]["text"] == "style:#"


@pytest.mark.parametrize("name", templates.names())
@pytest.mark.parametrize("touchpoints", [False, True], ids=["stages", "touchpoints"])
def test_templates_render_to_mermaid_that_parses(
    name: str, touchpoints: bool, mermaid: MermaidCheck
) -> None:
    """Every shipped template renders to a flowchart Mermaid reads exactly."""
    m = templates.get(name)
    assert_mermaid_reads(m, mermaid(to_mermaid(m, touchpoints=touchpoints)), touchpoints)


@pytest.mark.parametrize("name", templates.names())
@pytest.mark.parametrize("touchpoints", [False, True], ids=["stages", "touchpoints"])
def test_templates_render_to_dot_that_parses(
    name: str, touchpoints: bool, graphviz: DotRun
) -> None:
    """Every shipped template renders to a digraph Graphviz reads exactly and lays out as SVG."""
    m = templates.get(name)
    dot = to_dot(m, touchpoints=touchpoints)
    assert_dot_reads(m, json.loads(graphviz(dot, "json")), touchpoints)
    assert "<svg" in graphviz(dot, "svg")


def test_pay_per_call_flowchart_matches_the_source_diagram(mermaid: MermaidCheck) -> None:
    """The pay-per-call template draws the source's chain Awareness --> ... --> Advocacy."""
    result = mermaid(templates.get("pay_per_call_marketplace").to_mermaid())
    text = {v["id"]: v["text"] for v in result["vertices"]}
    chain = [(text[e["start"]], text[e["end"]]) for e in result["edges"]]
    assert chain == [
        ("Awareness", "Consideration"),
        ("Consideration", "Decision"),
        ("Decision", "Onboarding"),
        ("Onboarding", "Activation"),
        ("Activation", "Growth"),
        ("Growth", "Retention"),
        ("Retention", "Advocacy"),
    ]


@pytest.mark.parametrize("render", [to_mermaid, to_dot], ids=["mermaid", "dot"])
def test_unknown_direction_is_refused(render: Callable[..., str]) -> None:
    """A direction outside the allowed set raises ConfigError instead of injecting text."""
    m = JourneyMap.builder("m").stage("a").build()
    with pytest.raises(ConfigError, match="'direction' must be one of"):
        render(m, direction="LR;\nclick s0 call alert()")


def test_map_methods_delegate_to_the_renderers() -> None:
    """``JourneyMap.to_mermaid`` and ``to_dot`` pass their options through."""
    m = demo_map()
    assert m.to_mermaid(touchpoints=True) == to_mermaid(m, touchpoints=True)
    assert m.to_dot(direction="BT") == to_dot(m, direction="BT")


def test_rankdir_still_works_for_one_release_with_a_deprecation_warning() -> None:
    """``rankdir=`` is the old name of ``direction=``: it still sets the direction, on the
    function and on both convenience methods, and warns (DeprecationWarning) naming the new
    parameter, attributed to the caller's line."""
    from touchpath import EventLog
    from touchpath.validation import compare_to_map

    m = demo_map()
    with pytest.warns(DeprecationWarning, match=r"use direction='TB'") as caught:
        old = to_dot(m, rankdir="TB")
    assert old == to_dot(m, direction="TB")
    assert "    rankdir=TB;" in old.splitlines()
    assert caught[0].filename == __file__
    with pytest.warns(DeprecationWarning, match="'rankdir' is deprecated") as caught:
        assert m.to_dot(rankdir="BT") == to_dot(m, direction="BT")
    assert caught[0].filename == __file__
    log = EventLog.from_records(
        [{"journey_id": "j", "timestamp": t, "stage": s} for t, s in enumerate(["visit", "buy"])]
    )
    cmp = compare_to_map(log, m)
    with pytest.warns(DeprecationWarning, match="'rankdir' is deprecated") as caught:
        assert cmp.to_dot(rankdir="RL") == to_dot(cmp, direction="RL")
    assert caught[0].filename == __file__

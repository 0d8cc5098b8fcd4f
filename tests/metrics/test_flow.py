"""Path flow, step matrix and top paths: hand-computed cases, a brute-force per-journey
reference (plain Python over each journey's events), and counts merged across partitions."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath import EventLog
from touchpath.attribution import PathCounts
from touchpath.exceptions import ConfigError
from touchpath.metrics import (
    NodeKind,
    PathFlowCounts,
    path_flow,
    step_matrix,
    top_paths,
)

from ._logs import event_records, log_of, rec


@st.composite
def converting_records(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Random records (few stages, repeats, events without a stage) with some conversions."""
    records = draw(event_records(max_journeys=7, max_events=8))
    for r in records:
        if draw(st.integers(0, 5)) == 0:
            r["converted"] = True
            r["value"] = draw(st.integers(1, 9))
    return records


def reference_paths(
    log: EventLog, level: str, collapse: bool = True
) -> list[tuple[list[str], bool]]:
    """Per journey: its visits up to and including the first conversion event, and whether
    it converts; worked out event by event from the journey objects."""
    out = []
    for journey in log:
        path: list[str] = []
        for event in journey.events:
            value = getattr(event, level)
            if value is not None and not (collapse and path and path[-1] == value):
                path.append(value)
            if event.converted:
                break
        out.append((path, journey.converted))
    return out


def reference_counts(
    log: EventLog, level: str, steps: int, collapse: bool = True
) -> dict[str, Any]:
    """The step counts of :class:`PathFlowCounts`, brute force from :func:`reference_paths`."""
    at: Counter[tuple[int, str]] = Counter()
    moves: Counter[tuple[int, str, str]] = Counter()
    converted: Counter[tuple[int, str]] = Counter()
    ended: Counter[tuple[int, str]] = Counter()
    continued: Counter[str] = Counter()
    without = 0
    for path, conv in reference_paths(log, level, collapse):
        if not path:
            without += 1
            continue
        for k, item in enumerate(path[:steps]):
            at[k, item] += 1
            if k + 1 < min(len(path), steps):
                moves[k, item, path[k + 1]] += 1
        if len(path) > steps:
            continued[path[steps - 1]] += 1
        else:
            (converted if conv else ended)[len(path) - 1, path[-1]] += 1
    return {
        "at": at,
        "moves": moves,
        "converted": converted,
        "ended": ended,
        "continued": continued,
        "without": without,
    }


def as_counters(c: PathFlowCounts) -> dict[str, Any]:
    """The same shape from the counts under test."""
    items = c.items

    def cells(a: Any) -> Counter[tuple[int, str]]:
        return Counter({(k, items[i]): int(a[k, i]) for k, i in zip(*np.nonzero(a), strict=True)})

    return {
        "at": cells(c.at),
        "moves": Counter(
            {
                (k, items[i], items[j]): n
                for k, i, j, n in zip(
                    c.move_step.tolist(),
                    c.move_source.tolist(),
                    c.move_target.tolist(),
                    c.move_journeys.tolist(),
                    strict=True,
                )
            }
        ),
        "converted": cells(c.converted),
        "ended": cells(c.ended),
        "continued": Counter({items[i]: int(c.continued[i]) for i in np.flatnonzero(c.continued)}),
        "without": c.without_visits,
    }


def test_hand_computed_flow() -> None:
    """a: visit, visit, trial (converts), paid (after the conversion: cut); b: visit, trial,
    visit; c: trial. Steps=2: step 1 visit 2, trial 1; step 2 trial 2; a ends converted at
    step 2, b goes on past step 2, c ends at step 1 without converting."""
    log = log_of(
        rec("a", 0, "visit"), rec("a", 1, "visit"), rec("a", 2, "trial", converted=True),
        rec("a", 3, "paid"),
        rec("b", 0, "visit"), rec("b", 1, "trial"), rec("b", 2, "visit"),
        rec("c", 0, "trial"),
    )  # fmt: skip
    flow = path_flow(log, steps=2)
    nodes = [(n.step, n.label, n.kind, n.journeys) for n in flow.nodes]
    assert nodes == [
        (0, "visit", NodeKind.ITEM, 2),
        (0, "trial", NodeKind.ITEM, 1),
        (1, "trial", NodeKind.ITEM, 2),
        (1, "(ended)", NodeKind.ENDED, 1),
        (2, "(converted)", NodeKind.CONVERTED, 1),
        (2, "(more steps)", NodeKind.CONTINUED, 1),
    ]
    links = [(x.step, x.source, x.target, x.journeys) for x in flow.links]
    assert links == [
        (0, "visit", "trial", 2),
        (0, "trial", "(ended)", 1),
        (1, "trial", "(converted)", 1),
        (1, "trial", "(more steps)", 1),
    ]
    assert flow.counts.at[:, flow.counts.items.index("paid")].sum() == 0
    frame = flow.to_pandas()
    assert frame["journeys"].tolist() == [2, 1, 1, 1]


def test_top_items_and_other() -> None:
    """Three journeys start at ads, two at seo, one at email: top=2 keeps ads and seo and
    groups email as (other); every column's item boxes sum to the journeys."""
    paths = {"a": ["ads"], "b": ["ads"], "c": ["ads"], "d": ["seo"], "e": ["seo"], "f": ["email"]}
    log = EventLog.from_records(
        [
            {"journey_id": j, "timestamp": t, "channel": c}
            for j, path in paths.items()
            for t, c in enumerate(path)
        ]
    )
    flow = path_flow(log, level="channel", steps=1, top=2)
    assert [(n.label, n.journeys) for n in flow.nodes if n.step == 0] == [
        ("ads", 3),
        ("seo", 2),
        ("(other)", 1),
    ]
    assert [(n.label, n.journeys) for n in flow.nodes if n.step == 1] == [("(ended)", 6)]


@settings(max_examples=80)
@given(records=converting_records(), steps=st.integers(1, 4), collapse=st.booleans())
def test_counts_match_brute_force(
    records: list[dict[str, Any]], steps: int, collapse: bool
) -> None:
    """Every count equals the per-journey reference, and each step's journeys either move on
    or end there (at == moves + converted + ended (+ continued at the last step))."""
    log = EventLog.from_records(records)
    c = PathFlowCounts.from_log(log, steps=steps, collapse_repeats=collapse)
    assert as_counters(c) == reference_counts(log, "stage", steps, collapse)
    outflow = np.zeros_like(c.at)
    np.add.at(outflow, (c.move_step, c.move_source), c.move_journeys)
    outflow += c.converted + c.ended
    outflow[-1] += c.continued
    assert np.array_equal(outflow, c.at)
    assert c.journeys + c.without_visits == len(log)


@settings(max_examples=60)
@given(records=converting_records(), data=st.data())
def test_counts_merge_across_partitions(records: list[dict[str, Any]], data: st.DataObject) -> None:
    """Counts of journey partitions added with + (in any grouping, with zero()) equal the
    counts of the whole log."""
    log = EventLog.from_records(records)
    owner = np.array(data.draw(st.lists(st.integers(0, 2), min_size=len(log), max_size=len(log))))
    parts = [PathFlowCounts.from_log(log.select(owner == p), steps=3) for p in range(3)]
    whole = PathFlowCounts.from_log(log, steps=3)
    assert sum(parts, PathFlowCounts.zero(steps=3)) == whole
    assert parts[2] + (parts[1] + parts[0]) == whole
    assert path_flow(sum(parts, PathFlowCounts.zero(steps=3))).links == path_flow(whole).links


@settings(max_examples=60)
@given(records=converting_records(), steps=st.integers(1, 5))
def test_step_matrix_matches_brute_force(records: list[dict[str, Any]], steps: int) -> None:
    """Each share is (journeys at the item at step k) / journeys with a visit, counted from
    the reference paths; the sink rows count paths ended before step k; columns sum to 1."""
    log = EventLog.from_records(records)
    m = step_matrix(log, steps=steps, top=50)
    paths = [(p, conv) for p, conv in reference_paths(log, "stage") if p]
    if not paths:
        assert m.journeys == 0
        return
    for k in range(steps):
        at = Counter(p[k] for p, _ in paths if len(p) > k)
        for item, n in at.items():
            assert m.share(item, k) == pytest.approx(n / len(paths))
        done_conv = sum(1 for p, conv in paths if len(p) <= k and conv)
        done_end = sum(1 for p, conv in paths if len(p) <= k and not conv)
        assert m.share("(converted)", k) == pytest.approx(done_conv / len(paths))
        assert m.share("(ended)", k) == pytest.approx(done_end / len(paths))
    assert np.allclose(m.shares.sum(axis=0), 1.0)


def test_step_matrix_top_and_difference() -> None:
    """top=1 keeps the most visited item and sums the rest as (other); a difference of two
    segments is the row-by-row difference of their shares (columns sum to 0)."""
    log = log_of(
        rec("a", 0, "x", segment="s"), rec("a", 1, "y", segment="s"),
        rec("b", 0, "x", segment="t"), rec("c", 0, "z", segment="t"),
    )  # fmt: skip
    m = step_matrix(log, steps=2, top=1)
    assert m.rows == ("x", "(other)", "(converted)", "(ended)")
    assert m.shares[:, 0].tolist() == pytest.approx([2 / 3, 1 / 3, 0, 0])
    assert m.shares[:, 1].tolist() == pytest.approx([0, 1 / 3, 0, 2 / 3])
    s = step_matrix(log.filter(segment="s"), steps=2, label="s")
    t = step_matrix(log.filter(segment="t"), steps=2, label="t")
    d = s.difference(t)
    assert d.label == "s - t"
    # s: x at step 1 (100%), y at step 2 (100%); t: x 50% / z 50%, then both ended
    assert d.share("x", 0) == pytest.approx(0.5)
    assert d.share("z", 0) == pytest.approx(-0.5)
    assert d.share("y", 1) == pytest.approx(1.0)
    assert d.share("(ended)", 1) == pytest.approx(-1.0)
    assert np.allclose(d.shares.sum(axis=0), 0.0)
    with pytest.raises(ConfigError, match="same level and steps"):
        s.difference(step_matrix(log, steps=3))
    assert d.to_pandas().loc["x", 1] == pytest.approx(0.5)


def test_top_paths_match_brute_force() -> None:
    """Conversion paths worked out by hand: a converts after ads, seo (value 10) and again
    after email (value 5); b converts after ads, seo (value 4); c does ads, seo without
    converting. ads > seo: 2 conversions of 3 occurrences, value 14."""
    log = EventLog.from_records(
        [
            {"journey_id": "a", "timestamp": 0, "channel": "ads"},
            {"journey_id": "a", "timestamp": 1, "channel": "seo", "converted": True, "value": 10},
            {"journey_id": "a", "timestamp": 2, "channel": "email", "converted": True, "value": 5},
            {"journey_id": "b", "timestamp": 0, "channel": "ads"},
            {"journey_id": "b", "timestamp": 1, "channel": "seo", "converted": True, "value": 4},
            {"journey_id": "c", "timestamp": 0, "channel": "ads"},
            {"journey_id": "c", "timestamp": 1, "channel": "seo"},
        ]
    )
    t = top_paths(log, top=1)
    assert t.rows == ((("ads", "seo"), 2.0, 3.0, 2 / 3, 14.0, 2 / 3),)
    assert t.other == (1, 1.0, 1.0, 5.0)
    assert t.total_conversions == 3.0
    frame = t.to_pandas()
    assert frame["conversions"].tolist() == [2.0]
    # the same from PathCounts merged from two halves
    halves = PathCounts.from_log(log.select(["a"])) + PathCounts.from_log(log.select(["b", "c"]))
    assert top_paths(halves, top=1).rows == t.rows


def test_displays_and_report_sections() -> None:
    """Notebook displays and report sections (tables only here) show the metrics' numbers."""
    from touchpath.report import Report

    log = log_of(rec("a", 0, "visit"), rec("a", 1, "trial", converted=True), rec("b", 0, "visit"))
    flow = path_flow(log, steps=2)
    assert "PathFlow" in flow._repr_html_()
    m = step_matrix(log, steps=2)
    assert ">50.0%<" in m._repr_html_()
    t = top_paths(log, level="stage")
    assert "visit \u2192 trial" in t._repr_html_()
    report = Report("r")
    for item in (flow, m, t):
        report.add(item.report_section(chart=False))
    assert [s.title for s in report.sections] == [
        "Path flow",
        "Step matrix",
        "Top conversion paths",
    ]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda log: PathFlowCounts.from_log(log, steps=0), "'steps' must be a positive"),
        (lambda log: path_flow(log, top=0), "'top' must be a positive"),
        (
            lambda log: PathFlowCounts.from_log(log, collapse_repeats=1),  # type: ignore[arg-type]
            "collapse_repeats",
        ),
        (
            lambda log: PathFlowCounts.from_log(log, steps=2) + PathFlowCounts.from_log(log),
            "same level, steps",
        ),
        (lambda log: top_paths("x"), "EventLog or PathCounts"),  # type: ignore[arg-type]
    ],
    ids=["steps", "top", "collapse", "merge", "top-paths-type"],
)
def test_bad_arguments(call: Any, match: str) -> None:
    """Bad options are refused with a message naming the option."""
    with pytest.raises(ConfigError, match=match):
        call(log_of(rec("a", 0, "x")))


@settings(max_examples=60)
@given(
    rows=st.lists(
        st.tuples(
            st.lists(st.sampled_from("abc"), min_size=1, max_size=3),
            st.integers(0, 3),
            st.integers(0, 3),
            st.integers(0, 50),
        ),
        max_size=25,
    ),
    top=st.integers(1, 6),
)
def test_top_paths_rank_like_a_plain_sort(
    rows: list[tuple[list[str], int, int, int]], top: int
) -> None:
    """The rows shown are those a plain sort of every converting path by (conversions desc,
    occurrences desc, path) puts first, ties included; the rest are summed in other."""
    counts = PathCounts.from_rows([(p, c, n, v if c else 0) for p, c, n, v in rows])
    everything = counts.rows()
    expected = sorted(
        (r for r in everything if r[1] > 0), key=lambda r: (-r[1], -(r[1] + r[2]), r[0])
    )[:top]
    t = top_paths(counts, top=top)
    assert [(p, c, o) for p, c, o, *_ in t.rows] == [(p, c, c + n) for p, c, n, _ in expected]
    assert t.other[0] == len(everything) - len(expected)
    assert t.other[1] + sum(r[1] for r in t.rows) == pytest.approx(t.total_conversions)

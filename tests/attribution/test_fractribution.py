"""Fractribution's model and path transforms against references written from Google's definitions.

The references below are re-implemented from the fractribution paper/SQL definitions (the
``run_shapley_attribution`` semantics of ``fractribution.py`` and ``path_transforms.sql``),
one path at a time with plain tuples and dicts; no code is shared with touchpath.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchpath.attribution import (
    Exposure,
    First,
    Fractribution,
    Frequency,
    Linear,
    PathCounts,
    RemoveIfLastAndNotAll,
    RemoveIfNotAll,
    TrimLongPath,
    attribute,
    fold_frequency,
    transform_paths,
)
from touchpath.exceptions import ConfigError
from touchpath.testing import check_attribution_model

Row = tuple[tuple[str, ...], int, int, float]

ROWS = st.lists(
    st.tuples(
        st.lists(st.sampled_from("abcd"), min_size=0, max_size=5).map(tuple),
        st.integers(0, 4),
        st.integers(0, 4),
        st.integers(0, 30).map(float),
    ),
    min_size=1,
    max_size=12,
).map(lambda rows: [(p, c, n, v if c else 0.0) for p, c, n, v in rows])
"""Value only on rows that convert (value without a conversion is refused elsewhere)."""


def reference_fractribution(rows: list[Row]) -> tuple[dict[str, float], dict[str, float]]:
    """Channel -> conversions and value, path by path, from the published definition."""
    summary: dict[tuple[str, ...], list[float]] = {}
    for path, c, n, v in rows:
        entry = summary.setdefault(tuple(path), [0.0, 0.0, 0.0])
        entry[0] += c
        entry[1] += n
        entry[2] += v

    def prob(path: tuple[str, ...]) -> float:
        if path not in summary:
            return 0.0
        c, n, _ = summary[path]
        return c / (c + n) if c + n else 0.0

    conv: dict[str, float] = {}
    val: dict[str, float] = {}
    for path, (conversions, _, v) in summary.items():
        if not path or not conversions:
            continue
        if len(path) == 1:
            contrib: list[float] = [prob(path)]
        else:
            contrib = [
                max(prob(path) - prob(path[:i] + path[i + 1 :]), 0.0) for i in range(len(path))
            ]
        total = sum(contrib)
        if total:
            contrib = [x / total for x in contrib]
        else:
            contrib[-1] = 1.0
        for ch, share in zip(path, contrib, strict=True):
            conv[ch] = conv.get(ch, 0.0) + share * conversions
            val[ch] = val.get(ch, 0.0) + share * v
    return conv, val


@given(ROWS)
@settings(max_examples=100)
def test_matches_reference(rows: list[Row]) -> None:
    """Credits equal the per-path reference on random path summaries."""
    r = attribute(PathCounts.from_rows(rows), Fractribution())
    conv, val = reference_fractribution(rows)
    for ch in r.items:
        assert r.credits()[ch] == pytest.approx(conv.get(ch, 0.0), abs=1e-9)
        assert r.credits(value=True)[ch] == pytest.approx(val.get(ch, 0.0), abs=1e-9)


def test_hand_example() -> None:
    """P(a,b) = 3/4, P(a) = 1/4, P(b) = 1/2: on (a, b), a contributes 3/4 - 1/2 = 1/4 and b
    3/4 - 1/4 = 1/2, so a gets 1/3 and b 2/3 of its 3 conversions and 30 value."""
    pc = PathCounts.from_rows([(["a", "b"], 3, 1, 30.0), (["a"], 1, 3, 0.0), (["b"], 1, 1, 0.0)])
    r = attribute(pc, Fractribution())
    assert r.credits() == pytest.approx({"a": 2.0, "b": 3.0})
    assert r.credits(value=True) == pytest.approx({"a": 10.0, "b": 20.0})


def test_last_touch_when_nothing_contributes() -> None:
    """(a, b) converts at rate 1/2, as do (a) and (b): every contribution is 0, so the last
    touch b takes the path's conversion; an unseen counterfactual path has rate 0."""
    pc = PathCounts.from_rows([(["a", "b"], 1, 1, 0), (["a"], 1, 1, 0), (["b"], 1, 1, 0)])
    assert attribute(pc, Fractribution()).credits() == {"a": 1.0, "b": 2.0}
    # (c, d) alone: both counterfactuals unseen, each touch contributes P = 1: half each
    solo = PathCounts.from_rows([(["c", "d"], 2, 0, 0)])
    assert attribute(solo, Fractribution()).credits() == {"c": 1.0, "d": 1.0}


def test_conformance() -> None:
    """The model passes touchpath's conformance check (explain sums, merges, order)."""
    check_attribution_model(Fractribution())


# -- path transforms -------------------------------------------------------------------------


def ref_exposure(p: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(x for i, x in enumerate(p) if i == 0 or p[i - 1] != x)


def ref_first(p: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p))


def ref_frequency(p: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{x}({p.count(x)})" for x in dict.fromkeys(p))


def ref_remove_if_not_all(p: tuple[str, ...], t: str) -> tuple[str, ...]:
    rest = tuple(x for x in p if x != t)
    return rest if rest else p


def ref_remove_if_last_and_not_all(p: tuple[str, ...], t: str) -> tuple[str, ...]:
    end = len(p)
    while end > 0 and p[end - 1] == t:
        end -= 1
    return p[:end] if end > 0 else p


def ref_trim(p: tuple[str, ...], n: int) -> tuple[str, ...]:
    return p[max(0, len(p) - n) :]


SQL_EXAMPLE = tuple("DABBCDCC")


@pytest.mark.parametrize(
    ("transform", "want"),
    [
        pytest.param(Exposure(), tuple("DABCDC"), id="exposure"),
        pytest.param(First(), tuple("DABC"), id="first"),
        pytest.param(Frequency(), ("D(2)", "A(1)", "B(2)", "C(3)"), id="frequency"),
        pytest.param(RemoveIfNotAll("C"), tuple("DABBD"), id="remove_if_not_all"),
        pytest.param(RemoveIfLastAndNotAll("C"), tuple("DABBCD"), id="remove_if_last"),
        pytest.param(TrimLongPath(3), tuple("DCC"), id="trim_long_path"),
    ],
)
def test_sql_comment_examples(transform: object, want: tuple[str, ...]) -> None:
    """The example path of path_transforms.sql, rewritten as its comments (and our hand) say."""
    pc = PathCounts.from_rows([(SQL_EXAMPLE, 1, 0, 0)])
    assert transform_paths(pc, transform).paths() == [want]  # type: ignore[arg-type]


def test_all_target_paths_are_kept() -> None:
    """A path of only the target item is returned unchanged by both remove transforms."""
    pc = PathCounts.from_rows([(("x", "x"), 1, 0, 0), (("x", "y", "x"), 1, 0, 0)])
    assert transform_paths(pc, RemoveIfNotAll("x")).paths() == [("x", "x"), ("y",)]
    assert transform_paths(pc, RemoveIfLastAndNotAll("x")).paths() == [("x", "x"), ("x", "y")]


PATHS = st.lists(st.lists(st.sampled_from("xyz"), max_size=7).map(tuple), min_size=1, max_size=8)


@given(PATHS, st.integers(1, 4))
@settings(max_examples=80)
def test_transforms_match_references(paths: list[tuple[str, ...]], n: int) -> None:
    """Every transform equals its reference on random paths (chained ones too)."""
    pc = PathCounts.from_rows([(p, 1, 0, 0) for p in paths])
    originals = [p for p, *_ in pc.rows()]
    cases = [
        (Exposure(), ref_exposure),
        (First(), ref_first),
        (Frequency(), ref_frequency),
        (RemoveIfNotAll("x"), lambda p: ref_remove_if_not_all(p, "x")),
        (RemoveIfLastAndNotAll("x"), lambda p: ref_remove_if_last_and_not_all(p, "x")),
        (TrimLongPath(n), lambda p: ref_trim(p, n)),
    ]
    for transform, ref in cases:
        assert transform_paths(pc, transform).paths() == [ref(p) for p in originals]  # type: ignore[arg-type]
    chained = transform_paths(pc, RemoveIfNotAll("x"), Exposure(), TrimLongPath(n))
    assert chained.paths() == [
        ref_trim(ref_exposure(ref_remove_if_not_all(p, "x")), n) for p in originals
    ]


def test_frequency_folds_back() -> None:
    """Linear on frequency-transformed paths, folded: a(2) and a(1) both count as a."""
    pc = PathCounts.from_rows([(["a", "a", "b"], 2, 0, 4.0), (["a"], 1, 0, 1.0)])
    r = fold_frequency(attribute(transform_paths(pc, Frequency()), Linear()))
    assert r.credits() == {"a": 2.0, "b": 1.0}
    assert r.credits(value=True) == {"a": 3.0, "b": 2.0}


def test_transforms_keep_events_for_explain() -> None:
    """Transformed paths of a log still explain journeys (touch events follow the mask)."""
    from tests.attribution._helpers import log_of

    log = log_of([("ads", False, 0), ("ads", False, 0), ("seo", True, 10.0)])
    r = attribute(transform_paths(log, Exposure()), Linear())
    assert [(t.item, t.event, t.value) for t in r.explain("j0")] == [
        ("ads", 0, 5.0),
        ("seo", 2, 5.0),
    ]


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_trim_needs_positive_length(bad: object) -> None:
    """max_length must be a positive integer."""
    with pytest.raises(ConfigError, match="max_length"):
        TrimLongPath(bad)


def test_unknown_transform_is_refused() -> None:
    """Passing something that is not a transform is an error naming the choices."""
    with pytest.raises(ConfigError, match="TrimLongPath"):
        transform_paths(PathCounts.from_rows([(["a"], 1, 0, 0)]), "first")  # type: ignore[arg-type]


@given(ROWS)
@settings(max_examples=40)
def test_hash_path_equals_exact_fallback(rows: list[Row]) -> None:
    """The three lookups give the same rates: paths as base-(items + 1) integers (short
    paths), 64-bit hashes verified item by item (long paths; small chunks here), and the
    exact tuples used after a hash collision."""
    import numpy as np

    from touchpath.attribution import _fractribution

    paths = PathCounts.from_rows(rows).to_paths()
    old = _fractribution._VERIFY_CHUNK
    _fractribution._VERIFY_CHUNK = 3  # type: ignore[misc]
    try:
        fast = Fractribution()._rates_hashed(paths)
    finally:
        _fractribution._VERIFY_CHUNK = old  # type: ignore[misc]
    exact = Fractribution._rates_exact(paths)
    positional = Fractribution._rates_positional(paths, len(paths.items) + 1)
    for a, b, c in zip(fast, exact, positional, strict=True):
        assert np.array_equal(a, b)
        assert np.array_equal(a, c)


def test_long_paths_use_hashes() -> None:
    """Paths too long for a 62-bit positional integer go through the hashed lookup and
    still match the reference."""
    long = tuple("ab" * 40)
    rows: list[Row] = [(long, 2, 1, 10.0), (long[1:], 1, 1, 0.0), (long[:-1], 1, 3, 0.0)]
    r = attribute(PathCounts.from_rows(rows), Fractribution())
    conv, _ = reference_fractribution(rows)
    assert r.credits() == pytest.approx(conv)


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=25)
def test_mixed_short_and_long_paths(seed: int) -> None:
    """Two items give 39-touch integers at most: paths of 38 to 42 touches mix both lookups,
    and a 40-touch path's leave-one-outs (39 touches) are found among the short ones."""
    rng = np.random.default_rng(seed)
    rows: list[Row] = []
    for length in (40, 41, 42):
        path = tuple(rng.choice(["a", "b"], size=length).tolist())
        rows.append((path, int(rng.integers(1, 4)), int(rng.integers(0, 4)), 5.0))
        for i in rng.choice(length, size=3, replace=False).tolist():
            cf = path[:i] + path[i + 1 :]
            rows.append((cf, int(rng.integers(0, 3)), int(rng.integers(1, 4)), 0.0))
    r = attribute(PathCounts.from_rows(rows), Fractribution())
    conv, _ = reference_fractribution(rows)
    assert r.credits() == pytest.approx({k: conv.get(k, 0.0) for k in r.items}, abs=1e-9)


@given(ROWS)
@settings(max_examples=30)
def test_per_distinct_path_equals_per_path(rows: list[Row]) -> None:
    """Computing once per distinct path and spreading the shares equals computing every path
    (the way taken after a hash collision)."""
    from touchpath.attribution import ConversionPaths

    paths = PathCounts.from_rows(rows).to_paths()
    doubled = paths.reweighted(np.full(paths.n_paths, 0.5))
    both = ConversionPaths(
        items=paths.items,
        offsets=np.concatenate([paths.offsets[:-1], paths.offsets + paths.offsets[-1]]),
        codes=np.concatenate([paths.codes, paths.codes]),
        conversions=np.concatenate([doubled.conversions] * 2),
        non_conversions=np.concatenate([doubled.non_conversions] * 2),
        values=np.concatenate([doubled.values] * 2),
    )
    shares = Fractribution().credit(both).shares
    plain = Fractribution()._shares(both)
    assert shares is not None
    assert np.allclose(shares, plain)

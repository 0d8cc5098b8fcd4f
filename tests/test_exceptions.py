"""The exception tree: builtin compatibility, message formats, groups and pickling."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from touchpath import exceptions
from touchpath.exceptions import (
    AssumptionWarning,
    ConfigError,
    JourneyViolation,
    MapError,
    MissingDependencyError,
    NotFoundError,
    PartitionError,
    SchemaError,
    TouchpathError,
    TouchpathWarning,
    UndefinedResultWarning,
    UnsupportedInputError,
    ViolationsFound,
)

# What each class is documented to inherit besides TouchpathError (module docstring tree).
BUILTIN_BASE: dict[type[BaseException], type[BaseException]] = {
    SchemaError: ValueError,
    MapError: ValueError,
    ConfigError: ValueError,
    NotFoundError: LookupError,
    UnsupportedInputError: TypeError,
    MissingDependencyError: ImportError,
    PartitionError: ValueError,
    JourneyViolation: ValueError,
    ViolationsFound: ExceptionGroup,
}


WARNINGS: tuple[type[Warning], ...] = (TouchpathWarning, UndefinedResultWarning, AssumptionWarning)


def test_tree_covers_every_exported_exception() -> None:
    """The table above names every exception the module exports (besides the root and the
    warnings)."""
    assert set(exceptions.__all__) == {c.__name__ for c in BUILTIN_BASE} | {"TouchpathError"} | {
        w.__name__ for w in WARNINGS
    }


@pytest.mark.parametrize("cls", WARNINGS, ids=[w.__name__ for w in WARNINGS])
def test_warnings_share_one_filterable_root(cls: type[Warning]) -> None:
    """Every touchpath warning is a TouchpathWarning (a UserWarning), never an error, so one
    filter on the root turns all of them into errors or silences them."""
    import warnings

    assert issubclass(cls, TouchpathWarning)
    assert issubclass(cls, UserWarning)
    assert not issubclass(cls, TouchpathError)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.filterwarnings("error", category=TouchpathWarning)
        with pytest.raises(cls):
            warnings.warn("x", cls, stacklevel=1)


def test_root_is_an_exception() -> None:
    """TouchpathError is a plain Exception subclass, so ``except Exception`` catches it."""
    assert issubclass(TouchpathError, Exception)
    assert not issubclass(TouchpathError, ValueError)


@pytest.mark.parametrize(
    ("cls", "builtin"), list(BUILTIN_BASE.items()), ids=[c.__name__ for c in BUILTIN_BASE]
)
def test_subclasses_root_and_builtin(
    cls: type[BaseException], builtin: type[BaseException]
) -> None:
    """Every class subclasses TouchpathError and the builtin its docstring promises."""
    assert issubclass(cls, TouchpathError)
    assert issubclass(cls, builtin)


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [(c, b) for c, b in BUILTIN_BASE.items() if c not in {ViolationsFound, NotFoundError}],
    ids=[c.__name__ for c in BUILTIN_BASE if c not in {ViolationsFound, NotFoundError}],
)
def test_caught_by_builtin_except(cls: type[Exception], builtin: type[Exception]) -> None:
    """Code that only knows the builtin (``except ValueError``) still catches the error."""
    with pytest.raises(builtin):
        raise cls("boom")


def test_not_found_caught_as_lookup_error() -> None:
    """NotFoundError is caught by ``except LookupError`` but is not a KeyError."""
    with pytest.raises(LookupError):
        raise NotFoundError("stage", "x")
    assert not issubclass(NotFoundError, KeyError)


# -- SchemaError ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "bad"),
        ({"value": 5}, "bad; got 5"),
        ({"value": None}, "bad; got None"),
        ({"value": "x"}, "bad; got 'x'"),
        ({"field": "stages[3].name"}, "field 'stages[3].name': bad"),
        ({"source": "map.json"}, "map.json: bad"),
        ({"line": 7}, "line 7: bad"),
        ({"source": "events.csv", "line": 418}, "events.csv line 418: bad"),
        ({"source": "map.json", "field": "name"}, "map.json, field 'name': bad"),
        ({"line": 2, "field": "ts"}, "line 2, field 'ts': bad"),
        ({"field": "ts", "value": 3.5}, "field 'ts': bad; got 3.5"),
        (
            {"source": "e.csv", "line": 418, "field": "timestamp", "value": "2025-13-01"},
            "e.csv line 418, field 'timestamp': bad; got '2025-13-01'",
        ),
        ({"source": "s", "line": 0}, "s line 0: bad"),
    ],
    ids=[
        "reason-only",
        "value",
        "value-none",
        "value-str",
        "field",
        "source",
        "line",
        "source-line",
        "source-field",
        "line-field",
        "field-value",
        "everything",
        "line-zero",
    ],
)
def test_schema_error_message(kwargs: dict[str, Any], expected: str) -> None:
    """The message puts where (source, line, field) first, then the reason, then what was got."""
    assert str(SchemaError("bad", **kwargs)) == expected


def test_schema_error_fields() -> None:
    """The structured fields are kept as given."""
    err = SchemaError("bad", source="f", line=3, field="x", value=[1])
    assert (err.reason, err.source, err.line, err.field, err.value, err.has_value) == (
        "bad",
        "f",
        3,
        "x",
        [1],
        True,
    )


def test_schema_error_without_value() -> None:
    """With no value given, ``value`` is None and ``has_value`` tells it apart from None."""
    err = SchemaError("bad")
    assert (err.value, err.has_value) == (None, False)
    assert (err.source, err.line, err.field) == (None, None, None)


@pytest.mark.parametrize(
    "err",
    [
        SchemaError("bad"),
        SchemaError("bad", value=None),
        SchemaError("bad", source="f.json", line=4, field="stages[0].id", value={"a": [1, 2]}),
        SchemaError("bad", field="name", value=0.5),
    ],
    ids=["bare", "value-none", "everything", "field-value"],
)
def test_schema_error_pickle_round_trip(err: SchemaError) -> None:
    """A SchemaError survives pickling (e.g. from a worker process) with all its fields."""
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is SchemaError
    assert str(back) == str(err)
    assert (back.reason, back.source, back.line, back.field, back.value, back.has_value) == (
        err.reason,
        err.source,
        err.line,
        err.field,
        err.value,
        err.has_value,
    )


# -- NotFoundError --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "choices", "expected"),
    [
        ("x", (), "unknown stage 'x'"),
        (
            "decison",
            ("awareness", "decision"),
            "unknown stage 'decison'; did you mean 'decision'? (known: 'awareness', 'decision')",
        ),
        ("zzz", ("awareness", "decision"), "unknown stage 'zzz' (known: 'awareness', 'decision')"),
        (3, ("a",), "unknown stage 3 (known: 'a')"),
    ],
    ids=["no-choices", "close-match", "no-close-match", "non-str-name"],
)
def test_not_found_message(name: object, choices: tuple[str, ...], expected: str) -> None:
    """The message names the unknown thing, suggests the closest known name and lists them."""
    assert str(NotFoundError("stage", name, choices=choices)) == expected


def test_not_found_lists_at_most_twenty_choices() -> None:
    """Long lists of known names are cut after 20, with the total count."""
    choices = [f"s{i:02d}" for i in range(25)]
    text = str(NotFoundError("stage", "qqq", choices=choices))
    shown = ", ".join(f"'s{i:02d}'" for i in range(20))
    assert text == f"unknown stage 'qqq' (known: {shown}, ... (25 in all))"


def test_not_found_str_is_not_key_error_quoted() -> None:
    """str() is the plain message, not the repr-quoted form KeyError would give."""
    err = NotFoundError("template", "nope")
    assert str(err) == "unknown template 'nope'"
    assert err.args == ("unknown template 'nope'",)


def test_not_found_fields() -> None:
    """kind, name and choices (as a tuple) are kept."""
    err = NotFoundError("touchpoint", "tp", choices=["a", "b"])
    assert (err.kind, err.name, err.choices) == ("touchpoint", "tp", ("a", "b"))


def test_not_found_pickle_round_trip() -> None:
    """A NotFoundError survives pickling with kind, name, choices and message."""
    err = NotFoundError("stage", "decison", choices=["awareness", "decision"])
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is NotFoundError
    assert (back.kind, back.name, back.choices, str(back)) == (
        err.kind,
        err.name,
        err.choices,
        str(err),
    )


# -- the other leaves -----------------------------------------------------------------------------


def test_missing_dependency_message() -> None:
    """for_extra names what needs it, the module and the pip extra to install."""
    err = MissingDependencyError.for_extra("arrow", "EventLog.to_arrow()", module="pyarrow")
    assert str(err) == "EventLog.to_arrow() needs pyarrow: pip install 'touchpath[arrow]'"
    assert isinstance(err, MissingDependencyError)


def test_journey_violation_keeps_record() -> None:
    """JourneyViolation carries its structured record (None by default), also through pickle."""
    assert JourneyViolation("m").violation is None
    err = JourneyViolation("journey 'j1' skips a stage", violation=("j1", 3))
    back = pickle.loads(pickle.dumps(err))
    assert (str(back), back.violation) == ("journey 'j1' skips a stage", ("j1", 3))


# -- ViolationsFound ------------------------------------------------------------------------------


class _Skip(JourneyViolation):
    """A narrower violation, to split groups by type."""


def _group() -> ViolationsFound:
    return ViolationsFound(
        "3 violations", [JourneyViolation("a"), _Skip("b"), JourneyViolation("c")]
    )


def test_violations_found_is_group_and_root() -> None:
    """ViolationsFound is an ExceptionGroup and a TouchpathError at once."""
    group = _group()
    assert isinstance(group, ExceptionGroup)
    assert isinstance(group, TouchpathError)
    assert group.message == "3 violations"
    assert [str(e) for e in group.exceptions] == ["a", "b", "c"]


def test_violations_found_caught_by_except_root() -> None:
    """A plain ``except TouchpathError`` catches the whole group."""
    with pytest.raises(TouchpathError) as info:
        raise _group()
    assert type(info.value) is ViolationsFound


def test_violations_found_except_star() -> None:
    """``except* JourneyViolation`` catches every member; the caught group keeps its type."""
    caught: list[BaseExceptionGroup[JourneyViolation]] = []
    try:
        raise _group()
    except* JourneyViolation as eg:
        caught.append(eg)
    assert len(caught) == 1
    assert type(caught[0]) is ViolationsFound
    assert [str(e) for e in caught[0].exceptions] == ["a", "b", "c"]


def _handle_skips(caught: list[BaseExceptionGroup[_Skip]]) -> None:
    try:
        raise _group()
    except* _Skip as eg:
        caught.append(eg)


def test_violations_found_except_star_partial() -> None:
    """``except*`` on a narrower type takes its members; the rest re-raise as ViolationsFound."""
    caught: list[BaseExceptionGroup[_Skip]] = []
    with pytest.raises(ViolationsFound) as info:
        _handle_skips(caught)
    assert [str(e) for e in caught[0].exceptions] == ["b"]
    assert type(caught[0]) is ViolationsFound
    assert [str(e) for e in info.value.exceptions] == ["a", "c"]


def test_violations_found_split_by_type_keeps_type() -> None:
    """split() by type gives two ViolationsFound with the original message."""
    match, rest = _group().split(_Skip)
    assert type(match) is ViolationsFound
    assert type(rest) is ViolationsFound
    assert (match.message, rest.message) == ("3 violations", "3 violations")
    assert [str(e) for e in match.exceptions] == ["b"]
    assert [str(e) for e in rest.exceptions] == ["a", "c"]


def test_violations_found_split_by_predicate_keeps_type() -> None:
    """split() and subgroup() by predicate keep the type too."""
    match, rest = _group().split(lambda e: str(e) == "c")
    assert type(match) is ViolationsFound
    assert type(rest) is ViolationsFound
    assert [str(e) for e in match.exceptions] == ["c"]
    # the predicate sees the group itself first, so it must only accept leaves
    sub = _group().subgroup(lambda e: isinstance(e, JourneyViolation) and str(e) != "b")
    assert type(sub) is ViolationsFound
    assert [str(e) for e in sub.exceptions] == ["a", "c"]


def test_violations_found_split_with_no_match() -> None:
    """When nothing matches, split gives None and a ViolationsFound of every member."""
    match, rest = _group().split(lambda e: False)
    assert match is None
    assert type(rest) is ViolationsFound
    assert [str(e) for e in rest.exceptions] == ["a", "b", "c"]


def test_violations_found_derive_keeps_type_and_message() -> None:
    """derive() builds a ViolationsFound with the same message over other violations."""
    derived = _group().derive([JourneyViolation("z")])
    assert type(derived) is ViolationsFound
    assert derived.message == "3 violations"
    assert [str(e) for e in derived.exceptions] == ["z"]


def test_violations_found_pickle_round_trip() -> None:
    """A ViolationsFound survives pickling with its message and members."""
    back = pickle.loads(pickle.dumps(_group()))
    assert type(back) is ViolationsFound
    assert back.message == "3 violations"
    assert [(type(e), str(e)) for e in back.exceptions] == [
        (JourneyViolation, "a"),
        (_Skip, "b"),
        (JourneyViolation, "c"),
    ]

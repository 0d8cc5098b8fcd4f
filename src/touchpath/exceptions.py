"""Every error touchpath raises, under one root.

Each class also inherits the builtin exception a caller would expect, so
``except ValueError`` keeps working for code that does not know touchpath::

    TouchpathError                      (Exception)
    ├── SchemaError                     (ValueError)   bad input data: a row, a field, a document
    ├── MapError                        (ValueError)   an inconsistent journey map
    ├── ConfigError                     (ValueError)   a bad parameter of a model or rule
    ├── NotFoundError                   (LookupError)  an unknown stage, journey, template
    ├── UnsupportedInputError           (TypeError)    the input lacks what the operation needs
    ├── MissingDependencyError          (ImportError)  an optional extra is not installed
    ├── PartitionError                  (ValueError)   a journey split across partitions
    ├── JourneyViolation                (ValueError)   a journey broke a rule (strict mode)
    └── ViolationsFound                 (ExceptionGroup[JourneyViolation])

Warnings have their own root, so ``warnings.filterwarnings("error",
category=TouchpathWarning)`` (or ``"ignore"``) applies to all of them::

    TouchpathWarning                    (UserWarning)
    ├── UndefinedResultWarning                         the data cannot answer: the result is NaN,
    │                                                  None or undefined, never a made-up number
    └── AssumptionWarning                              an assumption stands on data that is absent

Messages say what was wrong, what was found and where:

>>> from touchpath.exceptions import SchemaError
>>> err = SchemaError("not ISO-8601", source="events.csv", line=418, field="timestamp",
...                   value="2025-13-01")
>>> str(err)
"events.csv line 418, field 'timestamp': not ISO-8601; got '2025-13-01'"
>>> isinstance(err, ValueError)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, final

__all__ = [
    "AssumptionWarning",
    "ConfigError",
    "JourneyViolation",
    "MapError",
    "MissingDependencyError",
    "NotFoundError",
    "PartitionError",
    "SchemaError",
    "TouchpathError",
    "TouchpathWarning",
    "UndefinedResultWarning",
    "UnsupportedInputError",
    "ViolationsFound",
]

_MISSING: Final = object()


class TouchpathError(Exception):
    """The root of every error raised by touchpath.

    >>> issubclass(SchemaError, TouchpathError)
    True
    """


class SchemaError(TouchpathError, ValueError):
    """Input data does not fit the expected schema.

    Carries where the problem is (``source`` file or document, ``line``,
    ``field``) and the raw ``value`` that was refused, so callers can report
    it or collect it.

    >>> e = SchemaError("must be a string", field="stages[3].name", value=5)
    >>> (e.field, e.value)
    ('stages[3].name', 5)
    >>> str(e)
    "field 'stages[3].name': must be a string; got 5"
    """

    def __init__(
        self,
        reason: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
        value: Any = _MISSING,
    ) -> None:
        self.reason = reason
        self.source = source
        self.line = line
        self.field = field
        self.value = None if value is _MISSING else value
        self.has_value = value is not _MISSING
        super().__init__(self._message())

    def _message(self) -> str:
        where: list[str] = []
        if self.source is not None:
            where.append(self.source)
        if self.line is not None:
            where.append(f"line {self.line}")
        head = " ".join(where)
        if self.field is not None:
            head = f"{head}, field {self.field!r}" if head else f"field {self.field!r}"
        text = f"{head}: {self.reason}" if head else self.reason
        if self.has_value:
            text += f"; got {self.value!r}"
        return text

    def __reduce__(self) -> tuple[Any, ...]:  # keep the structured fields across processes
        return (
            _rebuild_schema_error,
            (self.reason, self.source, self.line, self.field, self.value, self.has_value),
        )


def _rebuild_schema_error(
    reason: str,
    source: str | None,
    line: int | None,
    field: str | None,
    value: Any,
    has_value: bool,
) -> SchemaError:
    if has_value:
        return SchemaError(reason, source=source, line=line, field=field, value=value)
    return SchemaError(reason, source=source, line=line, field=field)


class MapError(TouchpathError, ValueError):
    """A journey map is inconsistent: an unknown stage, a duplicate id, an empty name.

    >>> isinstance(MapError("x"), ValueError)
    True
    """


class ConfigError(TouchpathError, ValueError):
    """A model, rule or function was given an invalid parameter.

    >>> str(ConfigError("'half_life' must be a positive duration; got -3 days"))
    "'half_life' must be a positive duration; got -3 days"
    """


class NotFoundError(TouchpathError, LookupError):
    """A name that does not exist: a stage, touchpoint, journey id or template.

    ``choices`` holds the valid names (or the closest ones) when known.

    >>> e = NotFoundError("stage", "decison", choices=["awareness", "decision"])
    >>> str(e)
    "unknown stage 'decison'; did you mean 'decision'? (known: 'awareness', 'decision')"
    >>> isinstance(e, LookupError)
    True
    """

    def __init__(self, kind: str, name: object, *, choices: Sequence[str] = ()) -> None:
        self.kind = kind
        self.name = name
        self.choices = tuple(choices)
        super().__init__(self._message())

    def _message(self) -> str:
        import difflib

        text = f"unknown {self.kind} {self.name!r}"
        if self.choices:
            close = difflib.get_close_matches(str(self.name), self.choices, n=1)
            if close:
                text += f"; did you mean {close[0]!r}?"
            shown = ", ".join(repr(c) for c in self.choices[:20])
            more = f", ... ({len(self.choices)} in all)" if len(self.choices) > 20 else ""
            text += f" (known: {shown}{more})"
        return text

    def __str__(self) -> str:  # LookupError/KeyError-style repr quoting is not wanted
        return self._message()

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_not_found, (self.kind, self.name, self.choices))


def _rebuild_not_found(kind: str, name: object, choices: tuple[str, ...]) -> NotFoundError:
    return NotFoundError(kind, name, choices=choices)


class UnsupportedInputError(TouchpathError, TypeError):
    """The input lacks what an operation needs (e.g. timestamps for time decay).

    >>> isinstance(UnsupportedInputError("x"), TypeError)
    True
    """


class MissingDependencyError(TouchpathError, ImportError):
    """An optional dependency is not installed; the message names the extra to install.

    >>> str(MissingDependencyError.for_extra("pandas", "EventLog.to_pandas()"))
    "EventLog.to_pandas() needs pandas: pip install 'touchpath[pandas]'"
    """

    @classmethod
    def for_extra(cls, extra: str, what: str, module: str | None = None) -> MissingDependencyError:
        """Build the standard message for a missing optional extra."""
        return cls(f"{what} needs {module or extra}: pip install 'touchpath[{extra}]'")


class PartitionError(TouchpathError, ValueError):
    """A journey's events were found in more than one partition.

    >>> isinstance(PartitionError("x"), ValueError)
    True
    """


class JourneyViolation(TouchpathError, ValueError):
    """One observed journey broke a validation rule; raised at once in strict mode.

    ``violation`` holds the structured record (a
    :class:`touchpath.validation.Violation`) when there is one.

    >>> str(JourneyViolation("journey 'j1' event 3: awareness -> decision skips 1 stage"))
    "journey 'j1' event 3: awareness -> decision skips 1 stage"
    """

    def __init__(self, message: str, violation: object = None) -> None:
        super().__init__(message)
        self.violation = violation


@final
class ViolationsFound(TouchpathError, ExceptionGroup[JourneyViolation]):
    """Every violation of a validation report, raised together.

    It is an :class:`ExceptionGroup`, so ``except* JourneyViolation`` works,
    and a :class:`TouchpathError`, so ``except TouchpathError`` does too.

    >>> group = ViolationsFound("2 violations", [JourneyViolation("a"), JourneyViolation("b")])
    >>> (len(group.exceptions), isinstance(group, TouchpathError))
    (2, True)
    """

    def __new__(cls, message: str, exceptions: Sequence[JourneyViolation]) -> ViolationsFound:
        return super().__new__(cls, message, exceptions)

    def derive(self, excs: Sequence[JourneyViolation]) -> ViolationsFound:  # type: ignore[override]
        return ViolationsFound(self.message, excs)


class TouchpathWarning(UserWarning):
    """The root of every warning touchpath issues; filter it to act on all of them.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always", TouchpathWarning)
    ...     warnings.warn("the data cannot answer", UndefinedResultWarning, stacklevel=1)
    >>> caught[0].category.__name__, issubclass(caught[0].category, UserWarning)
    ('UndefinedResultWarning', True)
    """


class UndefinedResultWarning(TouchpathWarning):
    """The data cannot answer the question: the result is undefined (NaN, None), not a number.

    Issued, for example, when a log has no event in any stage of the map, so
    a validation fitness would mean nothing (see ``docs/validation.md``).

    >>> issubclass(UndefinedResultWarning, TouchpathWarning)
    True
    """


class AssumptionWarning(TouchpathWarning):
    """A result stands on an assumption the data does not support.

    Issued, for example, when the channels a map marks as direct occur
    nowhere in the data, so last-non-direct skips nothing it was meant to.

    >>> issubclass(AssumptionWarning, TouchpathWarning)
    True
    """

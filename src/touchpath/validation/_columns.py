"""A columnar view of a report's violations: numpy codes, no Python object per violation."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from .._optional import require

__all__ = ["ViolationColumns"]

_I32 = npt.NDArray[np.int32]
_I64 = npt.NDArray[np.int64]


@attrs.frozen(eq=False, repr=False)
class ViolationColumns:
    """The violations of a report as columns of codes (see ``ValidationReport.columns()``).

    Names are stored once (``journey_names``, ``stages``, ``rule_names``)
    and each violation holds integer codes into them, so millions of
    violations cost a few arrays, and the frames built from them use
    categorical columns. ``message`` is not a column (it is text per
    violation); read :attr:`ValidationReport.violations` for it.

    >>> from touchpath import EventLog, JourneyMap
    >>> from touchpath.validation import validate
    >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
    >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "b"}])
    >>> cols = validate(log, m).columns()
    >>> len(cols), cols.rule_names[cols.rule[0]], cols.journey_names[cols.journey[0]]
    (1, 'EntryStage', 'j')
    """

    journey: _I64
    """Journey of each violation, as an index into :attr:`journey_names`."""
    journey_names: tuple[str, ...]
    """Journey ids (the log's)."""
    index: _I64
    """Position of the violating event in its journey (or its input row, if so reported)."""
    timestamp: _I64
    """The event's time, microseconds since the epoch (UTC)."""
    from_stage: _I32
    """Stage before the move, as an index into :attr:`stages` (-1: none)."""
    to_stage: _I32
    """Stage of the event (-1: none)."""
    stages: tuple[str, ...]
    """Stage names the codes index."""
    rule: _I32
    """Rule of each violation, as an index into :attr:`rule_names`."""
    rule_names: tuple[str, ...]
    """Name of each rule of the report."""
    severities: tuple[str, ...]
    """Severity of each rule of the report."""
    row: _I64
    """Input row of the violating event."""

    def __len__(self) -> int:
        return len(self.journey)

    def __repr__(self) -> str:
        return f"<ViolationColumns: {len(self):,} violations>"

    def _parts(self) -> dict[str, tuple[npt.NDArray[Any], tuple[str, ...]] | npt.NDArray[Any]]:
        kinds = tuple(dict.fromkeys(self.severities))
        sev_codes = np.array([kinds.index(s) for s in self.severities], np.int32)[self.rule]
        return {
            "journey_id": (self.journey, self.journey_names),
            "index": self.index,
            "timestamp": self.timestamp,
            "from_stage": (self.from_stage, self.stages),
            "to_stage": (self.to_stage, self.stages),
            "rule": (self.rule, self.rule_names),
            "severity": (sev_codes, kinds),
            "row": self.row,
        }

    def to_pandas(self) -> Any:
        """A pandas DataFrame with categorical name columns (needs ``touchpath[pandas]``).

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "b"}])
        >>> validate(log, m).columns().to_pandas()[["journey_id", "to_stage", "rule"]]
          journey_id to_stage        rule
        0          j        b  EntryStage
        """
        pd = require("pandas", "pandas", "ViolationColumns.to_pandas")
        columns: dict[str, Any] = {}
        for name, part in self._parts().items():
            if isinstance(part, tuple):
                codes, names = part
                columns[name] = pd.Categorical.from_codes(codes, categories=pd.Index(names))
            elif name == "timestamp":
                columns[name] = pd.to_datetime(part, unit="us", utc=True)
            else:
                columns[name] = part
        return pd.DataFrame(columns)

    def to_arrow(self) -> Any:
        """A pyarrow Table with dictionary-encoded name columns (needs ``touchpath[arrow]``).

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "b"}])
        >>> validate(log, m).columns().to_arrow().column("rule").to_pylist()
        ['EntryStage']
        """
        pa = require("pyarrow", "arrow", "ViolationColumns.to_arrow")
        arrays: dict[str, Any] = {}
        for name, part in self._parts().items():
            if isinstance(part, tuple):
                codes, names = part
                indices = pa.array(codes, type=pa.int32(), mask=codes < 0)
                arrays[name] = pa.DictionaryArray.from_arrays(
                    indices, pa.array(names, type=pa.string())
                )
            elif name == "timestamp":
                arrays[name] = pa.array(part, type=pa.timestamp("us", tz="UTC"))
            else:
                arrays[name] = pa.array(part)
        return pa.table(arrays)

    def to_polars(self) -> Any:
        """A polars DataFrame (via arrow; needs ``touchpath[polars]`` and ``touchpath[arrow]``).

        >>> from touchpath import EventLog, JourneyMap
        >>> from touchpath.validation import validate
        >>> m = JourneyMap.builder("m").stage("a").stage("b").path("a", "b").build()
        >>> log = EventLog.from_records([{"journey_id": "j", "timestamp": 0, "stage": "b"}])
        >>> validate(log, m).columns().to_polars()["rule"].to_list()
        ['EntryStage']
        """
        pl = require("polars", "polars", "ViolationColumns.to_polars")
        return pl.from_arrow(self.to_arrow())

"""The columnar view of violations against the violation objects, field by field."""

from __future__ import annotations

import numpy as np
import pytest

from touchpath import EventLog, templates
from touchpath.validation import DEFAULT_RULES, MaxDwell, ValidationReport, validate


def _report() -> ValidationReport:
    """Random stage walks on a template: skips, regressions, unknown stages, dwell warnings."""
    m = templates.get("b2b_five_stage")
    rng = np.random.default_rng(5)
    stages = [*m.stage_ids, "nowhere"]
    records: list[dict[str, object]] = []
    for j in range(60):
        for k in range(int(rng.integers(1, 8))):
            rec: dict[str, object] = {
                "journey_id": f"j{j:02d}",
                "timestamp": 1_700_000_000 + k * 86400 * 9,
            }
            if rng.random() > 0.1:
                rec["stage"] = stages[int(rng.integers(0, len(stages)))]
            else:  # an event without a stage (a conversion): from/to stage None
                rec["converted"] = True
            records.append(rec)
    log = EventLog.from_records(records)
    rules = [*DEFAULT_RULES, MaxDwell(m.stage_ids[1], "7 days", severity="warning")]
    return validate(log, m, rules)


def test_columns_hold_what_the_objects_hold() -> None:
    """Every column, decoded through its names, equals the same field of the Violation objects."""
    report = _report()
    objects = report.violations
    cols = report.columns()
    assert len(cols) == len(objects) > 20
    assert [cols.journey_names[c] for c in cols.journey] == [v.journey_id for v in objects]
    assert cols.index.tolist() == [v.index for v in objects]
    assert cols.row.tolist() == [v.row for v in objects]
    names = [*cols.stages, None]
    assert [names[c] for c in cols.from_stage] == [v.from_stage for v in objects]
    assert [names[c] for c in cols.to_stage] == [v.to_stage for v in objects]
    assert [cols.rule_names[r] for r in cols.rule] == [v.rule.name for v in objects]
    micros = [int(v.timestamp.timestamp()) * 1_000_000 for v in objects]
    assert cols.timestamp.tolist() == micros
    assert list(report.iter_violations(chunk=7)) == list(objects)


def test_frames_decode_the_same_values() -> None:
    """pandas, arrow and polars frames carry the same rows as the objects."""
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    pytest.importorskip("polars")
    report = _report()
    objects = report.violations
    df = report.columns().to_pandas()
    assert df["journey_id"].astype(str).tolist() == [v.journey_id for v in objects]
    assert df["severity"].astype(str).tolist() == [v.severity.value for v in objects]
    assert [None if x != x else x for x in df["from_stage"].tolist()] == [
        v.from_stage for v in objects
    ]
    table = report.columns().to_arrow()
    assert table.column("to_stage").to_pylist() == [v.to_stage for v in objects]
    pl = report.columns().to_polars()
    assert pl["rule"].to_list() == [v.rule.name for v in objects]

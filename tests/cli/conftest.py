"""Small event files whose results are worked out by hand in the tests."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

HEADER = "journey_id,timestamp,channel,stage,converted,value"
GOOD_ROWS = [
    # j1: ads -> email -> seo, converts on the seo touch (value 100)
    "j1,2025-01-01T09:00:00Z,ads,awareness,false,",
    "j1,2025-01-02T09:00:00Z,email,consideration,false,",
    "j1,2025-01-03T09:00:00Z,seo,decision,true,100",
    # j2: ads -> email, converts on the email touch (value 50)
    "j2,2025-01-01T10:00:00Z,ads,awareness,false,",
    "j2,2025-01-05T10:00:00Z,email,consideration,true,50",
    # j3: one seo touch, no conversion
    "j3,2025-01-02T11:00:00Z,seo,awareness,false,",
]
SKIP_ROWS = [
    # j4: awareness -> decision skips consideration (not an edge of b2b_five_stage)
    "j4,2025-01-01T12:00:00Z,ads,awareness,false,",
    "j4,2025-01-03T12:00:00Z,email,decision,false,",
]


def write_csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    """A CSV file of ``rows`` under ``header``."""
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def good_csv(tmp_path: Path) -> Path:
    """Journeys j1-j3: valid against b2b_five_stage."""
    return write_csv(tmp_path / "events.csv", GOOD_ROWS)


@pytest.fixture
def skip_csv(tmp_path: Path) -> Path:
    """Journeys j1-j4: j4 skips a stage."""
    return write_csv(tmp_path / "skips.csv", GOOD_ROWS + SKIP_ROWS)


@pytest.fixture
def good_jsonl_gz(tmp_path: Path) -> Path:
    """The rows of ``good_csv`` as gzipped JSON Lines."""
    keys = HEADER.split(",")
    path = tmp_path / "events.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for row in GOOD_ROWS:
            record: dict[str, object] = dict(zip(keys, row.split(","), strict=True))
            record["converted"] = record["converted"] == "true"
            record["value"] = float(str(record["value"])) if record["value"] else None
            fh.write(json.dumps(record) + "\n")
    return path

"""A CSV with bytes that are not UTF-8 goes straight to the Python engine, without a pyarrow
attempt that fails part way (that attempt held part of the table while the Python engine
started: peak memory above 2x the log)."""

from __future__ import annotations

from pathlib import Path

import pytest

from touchpath.io import _csv, read_csv

pytest.importorskip("pyarrow")

HEADER = b"journey_id,timestamp,channel\n"
GOOD = b"j1,2025-01-01T00:00:00Z,ads\n"


@pytest.mark.parametrize(
    ("data", "valid"),
    [
        (b"", True),
        (b"plain ascii\n" * 50, True),
        ("caf\u00e9 \u65e5\u672c\n".encode() * 50, True),
        (b"ab\xff\n", False),
        (b"ab" * 40 + b"\xc3", False),  # a character cut off at the end of the file
        (b"ab" * 40 + b"\xc3\x28", False),  # a lead byte without its continuation
        (b"ab" * 40 + b"\xed\xa0\x80", False),  # an encoded surrogate is not UTF-8
    ],
)
def test_valid_utf8_in_small_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, valid: bool
) -> None:
    """Blocks of 7 bytes, so multi-byte characters straddle blocks; the expected answer is
    Python's own strict decode of the whole file."""
    monkeypatch.setattr(_csv, "_ARROW_BLOCK", 7)
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    try:
        data.decode("utf-8")
        strict = True
    except UnicodeDecodeError:
        strict = False
    assert strict == valid
    assert _csv._valid_utf8(path) == valid


def test_a_bad_byte_skips_the_pyarrow_attempt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyarrow's reader is never called for a file with a bad byte; the row is still
    rejected by line (line 3: the header is line 1), and 3 rows read = 2 used + 1 rejected."""
    import pyarrow.csv as pacsv

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pyarrow.csv.read_csv was called")

    path = tmp_path / "events.csv"
    path.write_bytes(HEADER + GOOD + b"j2,2025-01-01T00:00:00Z,a\xffb\n" + GOOD)
    monkeypatch.setattr(pacsv, "read_csv", refuse)
    log = read_csv(path, engine="pyarrow", on_error="collect")
    assert [(r.line, r.field) for r in log.rejected] == [(3, "channel")]
    assert (log.rows_read, log.n_events) == (3, 2)


def test_a_clean_file_still_uses_pyarrow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check lets a valid file through to pyarrow (a non-ASCII name included)."""
    import pyarrow.csv as pacsv

    calls: list[int] = []
    original = pacsv.read_csv

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)

    path = tmp_path / "events.csv"
    path.write_bytes(HEADER + GOOD + "j2,2025-01-01T00:00:00Z,caf\u00e9\n".encode())
    monkeypatch.setattr(pacsv, "read_csv", counting)
    log = read_csv(path, engine="pyarrow")
    assert calls == [1]
    assert log.channel_ids == ("ads", "caf\u00e9")

"""Fixtures for the browser tests: a headless Chromium (skipped, saying why, when none is
installed) and a PNG reader for its screenshots."""

from __future__ import annotations

import itertools
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .cdp import Chromium, PageResult, find_chromium

OpenPage = Callable[..., PageResult]


@pytest.fixture(scope="session")
def chromium_binary() -> str:
    """The Chromium executable; skips the browser tests when there is none."""
    binary = find_chromium()
    if binary is None:
        pytest.skip(
            "no headless Chromium found (looked for $TOUCHPATH_CHROMIUM, chromium, "
            "chromium-browser, google-chrome); install Debian's: apt-get install chromium"
        )
    return binary


@pytest.fixture
def open_page(chromium_binary: str, tmp_path: Path) -> OpenPage:
    """``open_page(path_or_url, probe=None, *, dark=False)``: load it in a fresh headless
    Chromium (``dark``: preferring a dark colour scheme) and return the PageResult
    (screenshot, console errors, exceptions, requests, probe value)."""
    counter = itertools.count()

    def run(target: Path | str, probe: str | None = None, *, dark: bool = False) -> PageResult:
        url = target.resolve().as_uri() if isinstance(target, Path) else target
        with Chromium(chromium_binary, tmp_path / f"chromium-{next(counter)}") as browser:
            return browser.load(url, probe=probe, dark=dark)

    return run


@dataclass(frozen=True)
class Png:
    """The header facts of a PNG and its decompressed scanlines."""

    width: int
    height: int
    bit_depth: int
    colour_type: int
    raw: bytes


def read_png(data: bytes) -> Png:
    """Parse a PNG's chunks (checking each CRC) and inflate its image data."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, header, idat = 8, b"", bytearray()
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"bad CRC in {kind!r}"
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    return Png(width, height, depth, colour, zlib.decompress(bytes(idat)))

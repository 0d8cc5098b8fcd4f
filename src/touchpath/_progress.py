"""Progress of long work (reading files, bootstrap, Dask runs), reported only when asked.

Functions that can take long accept ``progress=``: ``None`` or ``False``
(the default: nothing is reported or printed), a callable that receives
each :class:`Progress` event, or ``True`` for a progress bar on standard
error (``rich`` when installed, else ``tqdm``, else one plain line per
step). The work sets the active reporter for its duration; file readers
pick it up where they open the file (:func:`tracked_open`), so a reader
needs no other change to report the bytes it has read.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gzip
import importlib
import io
import os
import sys
from collections.abc import Callable, Iterator
from typing import IO, Any, Final, ParamSpec, TypeAlias, TypeVar

import attrs

from ._optional import available
from .exceptions import ConfigError

__all__ = [
    "Progress",
    "ProgressLike",
    "accepts_progress",
    "console_reporter",
    "current",
    "file_size",
    "open_binary",
    "reporting",
    "tracked_open",
]


@attrs.frozen
class Progress:
    """One progress event: which step, how far, out of how much.

    >>> p = Progress("reading events.csv", 512, 2048, "bytes")
    >>> p.fraction, str(p)
    (0.25, 'reading events.csv: 25% (512 of 2,048 bytes)')
    """

    step: str
    """What is being done (``"reading events.csv"``, ``"bootstrap"``, ...)."""
    done: float
    """How much is done, in :attr:`unit`."""
    total: float | None
    """How much there is (None when not known)."""
    unit: str
    """``"bytes"``, ``"resamples"``, ``"tasks"``, ..."""

    @property
    def fraction(self) -> float | None:
        """``done / total`` (None when the total is unknown or zero).

        >>> Progress("x", 1, None, "tasks").fraction is None
        True
        """
        if not self.total:
            return None
        return min(self.done / self.total, 1.0)

    def __str__(self) -> str:
        share = self.fraction
        if share is None:
            return f"{self.step}: {self.done:,.0f} {self.unit}"
        return f"{self.step}: {share:.0%} ({self.done:,.0f} of {self.total:,.0f} {self.unit})"


ProgressLike: TypeAlias = "Callable[[Progress], object] | bool | None"
"""What ``progress=`` takes: a callback, ``True`` (a bar on standard error) or None/False."""

_ACTIVE: Final[contextvars.ContextVar[_Reporter | None]] = contextvars.ContextVar(
    "touchpath_progress", default=None
)


class _Reporter:
    """Sends the events of one step to a callback, at most about every percent."""

    def __init__(self, callback: Callable[[Progress], object], step: str, unit: str) -> None:
        self.callback = callback
        self.step = step
        self.unit = unit
        self.total: float | None = None
        self.done = 0.0
        self._last = -1.0
        self.files = 0

    def start(
        self, total: float | None, *, step: str | None = None, unit: str | None = None
    ) -> None:
        """(Re)start the step with a total."""
        if step is not None:
            self.step = step
        if unit is not None:
            self.unit = unit
        self.total, self.done, self._last = total, 0.0, -1.0
        self.emit(force=True)

    def advance(self, done: float) -> None:
        """Set how much is done; reports when it moved by a percent (or the total is unknown)."""
        self.done = done
        self.emit()

    def emit(self, *, force: bool = False) -> None:
        """Send the current state (unless it moved less than a percent since the last)."""
        if not force and self.total:
            if self._last >= self.total:
                return  # completion was reported already
            if self.done < self.total and self.done - self._last < self.total / 100:
                return
        self._last = self.done
        self.callback(Progress(self.step, self.done, self.total, self.unit))

    def finish(self) -> None:
        """Report the step as complete."""
        if self.total is not None and self.done < self.total:
            self.done = self.total
            self.emit(force=True)


def _resolve(progress: object) -> Callable[[Progress], object] | None:
    if progress is None or progress is False:
        return None
    if progress is True:
        return console_reporter()
    if callable(progress):
        return progress
    raise ConfigError(
        f"'progress' must be a callable taking a Progress, True or None; got {progress!r}"
    )


@contextlib.contextmanager
def reporting(
    progress: object, step: str, *, total: float | None = None, unit: str = "bytes"
) -> Iterator[_Reporter | None]:
    """Make ``progress`` the active reporter of ``step`` for the block (None: report nothing).

    >>> seen = []
    >>> with reporting(seen.append, "work", total=4, unit="items") as r:
    ...     r.advance(2)
    >>> [str(p) for p in seen]
    ['work: 0% (0 of 4 items)', 'work: 50% (2 of 4 items)', 'work: 100% (4 of 4 items)']
    """
    callback = _resolve(progress)
    if callback is None:
        yield None
        return
    reporter = _Reporter(callback, step, unit)
    token = _ACTIVE.set(reporter)
    try:
        if total is not None:  # otherwise the work starts the count when it knows the total
            reporter.start(total)
        yield reporter
        reporter.finish()
    finally:
        _ACTIVE.reset(token)
        close = getattr(callback, "close", None)
        if callable(close) and getattr(callback, "_touchpath_console", False):
            close()


class _TrackedFile(io.RawIOBase):
    """A binary file that tells the active reporter how far into the file reading is."""

    def __init__(self, raw: IO[bytes], reporter: _Reporter) -> None:
        super().__init__()
        self._raw = raw
        self._reporter = reporter

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return bool(self._raw.seekable())

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._reporter.advance(float(self._raw.tell()))
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


class _GzipClosingFile(gzip.GzipFile):
    """A gzip reader over a file object that it also closes."""

    def close(self) -> None:
        inner: Any = self.fileobj
        try:
            super().close()
        finally:
            if inner is not None:
                inner.close()


def open_binary(path: str | os.PathLike[str], *, gz: bool = False) -> Any:
    """A binary reader of ``path`` (decompressed when ``gz``), tracked by the active reporter.

    With no active reporter this is exactly ``open(path, "rb")`` or
    ``gzip.open(path, "rb")``; with one, the compressed bytes read are
    reported against the file's size.

    >>> import gzip as gz_module, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.gz"
    >>> _ = path.write_bytes(gz_module.compress(b"hello"))
    >>> seen = []
    >>> with reporting(seen.append, "reading x.gz"):
    ...     with open_binary(path, gz=True) as fh:
    ...         fh.read()
    b'hello'
    >>> seen[-1].fraction
    1.0
    """
    if _ACTIVE.get() is None:
        return gzip.open(path, "rb") if gz else open(path, "rb")
    raw = tracked_open(path)
    return _GzipClosingFile(fileobj=raw, mode="rb") if gz else raw


def file_size(path: str | os.PathLike[str]) -> float | None:
    """The size of a file in bytes, None when it cannot be told."""
    try:
        return float(os.path.getsize(path))
    except OSError:
        return None


def tracked_open(path: str | os.PathLike[str]) -> Any:
    """``open(path, "rb")``, reporting the bytes read to the active reporter (if any).

    Only the first file opened under a reporter is tracked (readers that
    pass over a file twice report the first pass), with the file's size as
    the total.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.bin"
    >>> _ = path.write_bytes(b"x" * 1000)
    >>> seen = []
    >>> with reporting(seen.append, "reading x.bin"):
    ...     with tracked_open(path) as fh:
    ...         _ = fh.read()
    >>> str(seen[-1])
    'reading x.bin: 100% (1,000 of 1,000 bytes)'
    """
    raw = open(path, "rb")  # noqa: SIM115 - handed to the caller, who closes it
    reporter = _ACTIVE.get()
    if reporter is None or reporter.files:
        return raw
    reporter.files += 1
    try:
        size = float(os.fstat(raw.fileno()).st_size)
    except OSError:
        size = None
    reporter.start(size, unit="bytes")
    return io.BufferedReader(_TrackedFile(raw, reporter))


# -- progress bars on standard error ---------------------------------------------------------


def console_reporter() -> Callable[[Progress], object]:
    """A progress display on standard error: rich, else tqdm, else a line per step.

    >>> callable(console_reporter())
    True
    """
    if available("rich"):
        return _RichBar()
    if available("tqdm"):
        return _TqdmBar()
    return _Lines()


class _Lines:
    """One line per step and per tenth of the way, on standard error."""

    _touchpath_console = True

    def __init__(self) -> None:
        self._shown: tuple[str, int] | None = None

    def __call__(self, p: Progress) -> None:
        share = p.fraction
        key = (p.step, -1 if share is None else int(share * 10))
        if key != self._shown:
            self._shown = key
            print(str(p), file=sys.stderr, flush=True)

    def close(self) -> None:
        self._shown = None


class _RichBar:
    """A rich progress bar per step."""

    _touchpath_console = True

    def __init__(self) -> None:
        rich_progress: Any = importlib.import_module("rich.progress")
        self._bar = rich_progress.Progress(transient=False)
        self._task: Any = None
        self._step: str | None = None

    def __call__(self, p: Progress) -> None:
        if self._step != p.step:
            if self._task is None:
                self._bar.start()
            self._task = self._bar.add_task(p.step, total=p.total)
            self._step = p.step
        self._bar.update(self._task, completed=p.done, total=p.total)

    def close(self) -> None:
        if self._task is not None:
            self._bar.stop()
        self._task = None
        self._step = None


class _TqdmBar:
    """A tqdm bar per step."""

    _touchpath_console = True

    def __init__(self) -> None:
        self._bar: Any = None
        self._step: str | None = None

    def __call__(self, p: Progress) -> None:
        tqdm: Any = importlib.import_module("tqdm")
        if self._step != p.step or self._bar is None:
            if self._bar is not None:
                self._bar.close()
            self._bar = tqdm.tqdm(total=p.total, desc=p.step, unit=p.unit, file=sys.stderr)
            self._step = p.step
        self._bar.total = p.total
        self._bar.n = p.done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        self._bar = None
        self._step = None


def current() -> _Reporter | None:
    """The active reporter (None when progress was not asked for).

    >>> current() is None
    True
    """
    return _ACTIVE.get()


_P = ParamSpec("_P")
_R = TypeVar("_R")


def accepts_progress(
    step: str, unit: str = "tasks"
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Decorate a function with a keyword ``progress=`` parameter: the call runs as ``step``
    under that reporter (the function reads it with :func:`current`).

    >>> @accepts_progress("counting", unit="items")
    ... def count(n: int, *, progress: ProgressLike = None) -> int:
    ...     reporter = current()
    ...     if reporter is not None:
    ...         reporter.start(n)
    ...         reporter.advance(n)
    ...     return n
    >>> seen = []
    >>> count(3, progress=seen.append), [str(p) for p in seen][-1]
    (3, 'counting: 100% (3 of 3 items)')
    """

    def decorate(fn: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(fn)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            progress = kwargs.pop("progress", None)
            if progress is None or progress is False:
                return fn(*args, **kwargs)
            with reporting(progress, step, unit=unit):
                return fn(*args, **kwargs)

        return wrapper

    return decorate

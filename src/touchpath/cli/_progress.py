"""The one-line status of a long step, on a terminal only."""

from __future__ import annotations

import sys
import threading
import time
from typing import IO, Any

__all__ = ["Progress"]


class Progress:
    """A one-line status on stderr for steps that take more than ``delay`` seconds.

    Only when ``stream`` is a terminal: nothing is written to pipes, files or
    test captures. The line names the step, shows the percentage done when
    the work reports it (:meth:`update`, for example the bytes of a file of
    known size) and the elapsed time, and is erased when the step ends.

    >>> import io
    >>> from touchpath import Progress as Event
    >>> with Progress("reading events.csv", stream=io.StringIO()) as status:
    ...     status.update(Event("reading events.csv", 50, 200, "bytes"))
    >>> status.status(1.5)
    'reading events.csv ... 25% 1.5 s'
    """

    def __init__(
        self, label: str, *, stream: IO[str] | None = None, delay: float = 1.0, tick: float = 0.2
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.tick = tick
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False
        self._fraction: float | None = None

    def update(self, event: Any) -> None:
        """Take a :class:`touchpath.Progress` event (the percentage shown next)."""
        self._fraction = event.fraction

    def status(self, elapsed: float) -> str:
        """The status line after ``elapsed`` seconds."""
        share = "" if self._fraction is None else f"{self._fraction:.0%} "
        return f"{self.label} ... {share}{elapsed:.1f} s"

    def _run(self) -> None:
        start = time.monotonic()
        if self._stop.wait(self.delay):
            return
        while True:
            self._shown = True
            self.stream.write(f"\r{self.status(time.monotonic() - start)}\x1b[K")
            self.stream.flush()
            if self._stop.wait(self.tick):
                return

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            if self._shown:
                self.stream.write("\r\x1b[2K")
                self.stream.flush()

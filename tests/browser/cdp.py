"""A minimal DevTools-protocol client for headless Chromium over ``--remote-debugging-pipe``.

Why this rather than ``chromium --screenshot`` plus grepping ``--enable-logging`` output:
the log format of stderr changes between Chromium versions and mixes the page's console
with the browser's own noise (D-Bus, GPU, ...). Over the pipe the browser reports, as
structured events, exactly what the page did: console calls (``Runtime.consoleAPICalled``),
uncaught exceptions (``Runtime.exceptionThrown``), browser-side errors such as failed loads or
blocked content (``Log.entryAdded``) and every request it made (``Network.requestWillBeSent``);
the screenshot comes from ``Page.captureScreenshot`` after the load event and the fonts are
ready. No port is opened, and no network is needed: the browser is started with every host
name unresolvable and a proxy on a closed loopback port, so a page that tried to fetch
something would fail locally and the attempt would still be recorded.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["BrowserError", "Chromium", "PageResult", "find_chromium"]

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_chromium() -> str | None:
    """The Chromium binary: ``$TOUCHPATH_CHROMIUM`` if set, else the first one on PATH."""
    env = os.environ.get("TOUCHPATH_CHROMIUM")
    if env:
        return shutil.which(env)
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserError(RuntimeError):
    """The browser did not answer as expected (with the tail of its stderr)."""


@dataclass
class PageResult:
    """What one page load produced."""

    screenshot: bytes
    """PNG of the viewport."""
    console_errors: list[str] = field(default_factory=list)
    """``console.error``/``console.assert`` messages."""
    exceptions: list[str] = field(default_factory=list)
    """Uncaught exceptions."""
    log_errors: list[str] = field(default_factory=list)
    """Browser-side errors: failed loads, blocked content, ..."""
    requests: list[str] = field(default_factory=list)
    """Every URL the page requested, the page itself first."""
    facts: Any = None
    """The value of the probe expression, evaluated after load."""

    @property
    def problems(self) -> list[str]:
        """Every console error, exception and browser error, for an assertion message."""
        return [*self.console_errors, *self.exceptions, *self.log_errors]


class Chromium:
    """One headless Chromium process driven over the DevTools pipe.

    Use as a context manager; :meth:`load` opens a page and returns a :class:`PageResult`.
    Every wait has a deadline (``timeout`` seconds in all per call), after which the
    process group this class started is killed.
    """

    def __init__(
        self,
        binary: str,
        profile_dir: Path,
        *,
        width: int = 1280,
        height: int = 2000,
        timeout: float = 60.0,
    ) -> None:
        self.binary = binary
        self.profile_dir = profile_dir
        self.width, self.height = width, height
        self.timeout = timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._to_browser = -1
        self._from_browser = -1
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        self._stderr_path = profile_dir / "stderr.txt"

    # -- process ------------------------------------------------------------------------------

    def __enter__(self) -> Chromium:
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        child_in, self._to_browser = os.pipe()
        self._from_browser, child_out = os.pipe()
        args = [
            self.binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-features=Translate,MediaRouter,OptimizationHints",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=http://127.0.0.1:9",
            "--proxy-bypass-list=<-loopback>",
            "--hide-scrollbars",
            "--mute-audio",
            f"--user-data-dir={self.profile_dir / 'profile'}",
            f"--window-size={self.width},{self.height}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        # The browser reads commands on fd 3 and writes replies on fd 4. A tiny Python
        # wrapper moves the pipe ends there and execs the browser (a POSIX shell's
        # ``3<&N`` cannot name descriptors above 9, which pytest's process easily has).
        wrapper = (
            "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
            "os.execv(sys.argv[3], sys.argv[3:])"
        )
        with self._stderr_path.open("wb") as err:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", wrapper, str(child_in), str(child_out), *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                pass_fds=(child_in, child_out),
                start_new_session=True,
            )
        os.close(child_in)
        os.close(child_out)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        proc = self._proc
        if proc is None:
            return
        try:
            if proc.poll() is None:
                with contextlib.suppress(OSError):
                    self._send("Browser.close")
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)  # the group this class started
                proc.wait(timeout=10)
            for fd in (self._to_browser, self._from_browser):
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _stderr_tail(self) -> str:
        try:
            lines = self._stderr_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-15:])

    # -- protocol -----------------------------------------------------------------------------

    def _send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"no answer from Chromium in time\n{self._stderr_tail()}")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise BrowserError(f"Chromium closed the pipe\n{self._stderr_tail()}")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def _call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        *,
        deadline: float,
    ) -> dict[str, Any]:
        wanted = self._send(method, params, session)
        while True:
            message = self._receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise BrowserError(f"{method} failed: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self._events.append(message)

    def _wait_for(self, method: str, session: str, *, deadline: float) -> None:
        for i, event in enumerate(self._events):
            if event.get("method") == method and event.get("sessionId") == session:
                del self._events[i]
                return
        while True:
            message = self._receive(deadline)
            if message.get("method") == method and message.get("sessionId") == session:
                return
            self._events.append(message)

    # -- one page -------------------------------------------------------------------------------

    def load(self, url: str, *, probe: str | None = None, dark: bool = False) -> PageResult:
        """Open ``url``, wait for load and fonts, evaluate ``probe``, take a screenshot.

        ``dark=True`` emulates ``prefers-color-scheme: dark``."""
        deadline = time.monotonic() + self.timeout
        targets = self._call("Target.getTargets", deadline=deadline)["targetInfos"]
        page = next((t for t in targets if t.get("type") == "page"), None)
        if page is None:
            target = self._call("Target.createTarget", {"url": "about:blank"}, deadline=deadline)
            target_id = target["targetId"]
        else:
            target_id = page["targetId"]
        session = self._call(
            "Target.attachToTarget", {"targetId": target_id, "flatten": True}, deadline=deadline
        )["sessionId"]
        for domain in ("Runtime.enable", "Log.enable", "Network.enable", "Page.enable"):
            self._call(domain, session=session, deadline=deadline)
        self._call(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
            session,
            deadline=deadline,
        )
        if dark:
            self._call(
                "Emulation.setEmulatedMedia",
                {"features": [{"name": "prefers-color-scheme", "value": "dark"}]},
                session,
                deadline=deadline,
            )
        self._events.clear()
        self._call("Page.navigate", {"url": url}, session, deadline=deadline)
        self._wait_for("Page.loadEventFired", session, deadline=deadline)
        expression = (
            "document.fonts.ready.then(() => JSON.stringify("
            + (probe if probe is not None else "null")
            + "))"
        )
        evaluated = self._call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session,
            deadline=deadline,
        )
        if "exceptionDetails" in evaluated:
            raise BrowserError(f"the probe failed: {evaluated['exceptionDetails']}")
        facts = json.loads(evaluated["result"]["value"])
        shot = self._call("Page.captureScreenshot", {"format": "png"}, session, deadline=deadline)
        result = PageResult(screenshot=base64.b64decode(shot["data"]), facts=facts)
        for event in self._events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                text = " ".join(
                    str(a.get("value", a.get("description", ""))) for a in params["args"]
                )
                result.console_errors.append(f"console.{params['type']}: {text}")
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                described = details.get("exception", {}).get("description", "")
                result.exceptions.append(f"{details.get('text', 'exception')} {described}".strip())
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                result.log_errors.append(
                    f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}"
                )
            elif method == "Network.requestWillBeSent":
                result.requests.append(params.get("request", {}).get("url", ""))
        return result

"""One headless Chromium for many pages, driven over the DevTools protocol on a pipe.

A launch of Chromium per page (`--dump-dom`, `--screenshot`) costs about a second of start-up
each time; here one browser serves every page of a test module, each in a tab of its own, with
the same window size a launch's `--window-size` gives and the DOM `--dump-dom` prints. The
protocol's messages are JSON, each ended by a NUL byte: commands go to the browser's fd 3,
replies and events come back on its fd 4 (`--remote-debugging-pipe`).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
# argv: the two fds, then the browser's command: they become its fds 3 and 4, then it runs
AS_FD_3_AND_4 = (
    "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
    "os.execv(sys.argv[3], sys.argv[3:])"
)
TIMEOUT = 60.0  # seconds for any one reply or event: a browser that hangs fails the test


class BrowserError(Exception):
    pass


class Browser:
    """A headless Chromium, ended by close() (or `with`); pages() open in tabs of it."""

    def __init__(self, executable: str, profile: Path):
        # Our ends stay here; the browser's go to it as fds 3 and 4, put there by a small Python
        # that then becomes Chromium (a preexec_fn would run Python in a forked child of a
        # threaded process). Both get numbers above 4 first, so neither is overwritten there.
        commands_read, self._commands = os.pipe()
        self._events, events_write = os.pipe()
        theirs = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 5) for fd in (commands_read, events_write)]
        os.close(commands_read)
        os.close(events_write)
        self.log = profile / "chromium.log"
        profile.mkdir(parents=True, exist_ok=True)
        argv = [executable, *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={profile}"]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", AS_FD_3_AND_4, *map(str, theirs), *argv],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                pass_fds=theirs,
            )
        for fd in theirs:
            os.close(fd)
        self._buffer = b""
        self._queue: list[dict] = []  # messages read, not yet asked for
        self._id = 0

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for fd in (self._commands, self._events):
            try:
                os.close(fd)
            except OSError:
                pass
        self.process.kill()
        self.process.wait()

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """The result of one command (in `session`: a tab's), or BrowserError with its error."""
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._commands, data) :]
        reply = self._next(lambda m: m.get("id") == self._id, method)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error']}")
        return reply["result"]

    def event(self, method: str, session: str | None = None) -> dict:
        """The parameters of the first event `method` (of `session`) not asked for yet."""
        wanted = lambda m: m.get("method") == method and m.get("sessionId") == session  # noqa: E731
        return self._next(wanted, method)["params"]

    def _next(self, wanted, what: str) -> dict:
        for k, message in enumerate(self._queue):
            if wanted(message):
                return self._queue.pop(k)
        deadline = time.monotonic() + TIMEOUT
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if wanted(message):
                    return message
                self._queue.append(message)
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._events], [], [], left)[0]:
                raise BrowserError(f"no answer to {what} in {TIMEOUT:.0f} s: {self._tail()}")
            chunk = os.read(self._events, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium ended while waiting for {what}: {self._tail()}")
            self._buffer += chunk

    def _tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]

    def page(self, url: str, width: int = 800, height: int = 600) -> Page:
        """`url` loaded in a new tab of width x height CSS pixels, its load event fired."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session)
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        page.send("Emulation.setDeviceMetricsOverride", metrics)
        page.send("Page.enable")
        page.send("Page.navigate", {"url": url})
        self.event("Page.loadEventFired", session)
        page.evaluate("new Promise(function (done) { setTimeout(done, 0); })")  # after onload
        return page


class Page:
    """One tab: its DOM, a screenshot, a script's value."""

    def __init__(self, browser: Browser, session: str):
        self.browser, self.session = browser, session

    def send(self, method: str, params: dict | None = None) -> dict:
        return self.browser.send(method, params, self.session)

    def evaluate(self, expression: str):
        """The value of a script in the page (awaited when it is a promise)."""
        params = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        reply = self.send("Runtime.evaluate", params)
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression[:80]}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def dom(self) -> str:
        """The document as `--dump-dom` prints it: the <html> element, serialized."""
        return self.evaluate("document.documentElement.outerHTML")

    def screenshot(self) -> bytes:
        return base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"])

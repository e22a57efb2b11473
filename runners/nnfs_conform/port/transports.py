"""Talk to a port process without trusting it: it may hang, crash, flood, fork or lie.

Every port runs in its own session (process group), and on Linux the runner is a child
subreaper (proctree.py), so a timeout kills it together with every process it started, even one
that left the group with setsid() and double-forked. Stdout is read in bounded chunks against
a deadline, and stderr is drained (keeping only a short tail) in the same poll() as every wait
for the port, its exit included (a pidfd: no thread, no sleep-polling), so no port can block
the runner or exhaust its memory.
Every anticipated failure becomes a PortError with a one-line message. POSIX only.
"""

from __future__ import annotations

import errno
import json
import math
import os
import select
import shlex
import shutil
import signal
import subprocess
import time
from collections import deque
from collections.abc import Container, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from . import crashes, interrupt, proctree, protocol

MAX_LINE = 32 * 1024 * 1024  # the longest reply line accepted, in bytes
STDERR_TAIL = 16384  # bytes of stderr kept for messages: a Rust backtrace, a Java trace
STDERR_SHOWN = 240  # characters of stderr quoted in a one-line message
TERM_GRACE = 0.2  # seconds between SIGTERM and SIGKILL
MAX_START_FAILURES = 3  # consecutive failed restarts before a session gives up
WINDOW = 32  # run requests a session sends ahead of the reply it waits for
_CHUNK = 65536
_LONGEST_WAIT = 3600.0  # seconds one poll() may block; a longer wait polls again
MAX_TIMEOUT = 86400.0  # the longest --timeout or --handshake-timeout accepted: one day


class PortError(Exception):
    """A request got no usable reply. `raw` is what came back, if anything (for reports);
    `stderr` is the meaningful end of the port's stderr when it died (crashes.py), or None."""

    def __init__(self, message: str, raw: str | None = None, stderr: str | None = None):
        super().__init__(message)
        self.raw = raw
        self.stderr = stderr


class HandshakeError(PortError):
    """The port could not be started or did not complete a valid hello."""


class StartError(HandshakeError):
    """The port's command could not be started at all: not found, not executable, a missing
    interpreter. `describe(runner)` says what to do, with `runner` (e.g. `nnfs-conform run`)
    in the command it suggests; str() is the same without it."""

    def __init__(
        self,
        program: str,
        problem: str,
        fix: str | None = None,
        interpreter: list[str] | None = None,
    ):
        self.program, self.problem, self.fix, self.interpreter = program, problem, fix, interpreter
        super().__init__(self.describe())

    def describe(self, runner: str | None = None) -> str:
        text = f"cannot start {shlex.quote(self.program)}: {self.problem}"
        if self.fix:
            text += f": {self.fix}"
        if self.interpreter:
            argv = shlex.join([*self.interpreter, self.program])
            shown = f"{runner} -- {argv}" if runner else argv
            text += (" or" if self.fix else ":") + f" run it through its interpreter ({shown})"
        return text


_BY_SUFFIX = {
    ".py": ["python3"],
    ".js": ["node"],
    ".mjs": ["node"],
    ".cjs": ["node"],
    ".sh": ["sh"],
    ".bash": ["bash"],
    ".rb": ["ruby"],
    ".pl": ["perl"],
    ".jar": ["java", "-jar"],
}
_BUILD_FILES = (
    "Makefile",
    "CMakeLists.txt",
    "Cargo.toml",
    "go.mod",
    "build.gradle",
    "pom.xml",
    "package.json",
    "meson.build",
    "build.zig",
)


def _shebang(path: str) -> list[str] | None:
    """The interpreter argv of a script's `#!` line, or None."""
    try:
        with open(path, "rb") as f:
            first = f.readline(256)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    words = first[2:].decode("utf-8", "replace").split()
    return words or None


def _interpreter(path: str) -> list[str] | None:
    """How to run a script without its execute bit: the interpreter its `#!` line names (when
    this system has it), else the usual one for its suffix."""
    shebang = _shebang(path)
    if shebang:
        words = shebang[1:] if os.path.basename(shebang[0]) == "env" else shebang
        words = [w for w in words if not w.startswith("-")][:1]
        if words and shutil.which(os.path.basename(words[0])):
            return [os.path.basename(words[0])]
    return _BY_SUFFIX.get(os.path.splitext(path)[1].lower())


def _build_file(path: str) -> str | None:
    """A build file near a program that does not exist: it was probably not built yet."""
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(4):
        if os.path.isdir(folder):
            for name in _BUILD_FILES:
                if os.path.isfile(os.path.join(folder, name)):
                    return os.path.relpath(os.path.join(folder, name))
        folder = os.path.dirname(folder)
    return None


def start_error(command: Sequence[str], exc: OSError) -> StartError:
    """What to do about a port command the system refused to start."""
    program = command[0] if command else ""
    is_path = os.sep in program
    if exc.errno in (errno.EACCES, errno.EPERM):
        if os.path.isdir(program):
            return StartError(program, "it is a directory", "name the program inside it")
        return StartError(
            program,
            "permission denied",
            f"make it executable (chmod +x {shlex.quote(program)})",
            _interpreter(program),
        )
    if exc.errno == errno.ENOENT and not is_path:
        here = os.path.isfile(program)
        return StartError(
            program,
            f"no program named {program!r} on PATH",
            f"to run the file in this folder, say ./{program}" if here else None,
        )
    if exc.errno == errno.ENOENT and os.path.exists(program):
        shebang = _shebang(program)
        if shebang:
            return StartError(
                program,
                f"the interpreter its #! line names, {shebang[0]}, is not installed",
                "install it",
                _interpreter(program),
            )
        return StartError(
            program,
            "the system cannot run it (its dynamic loader is missing: "
            "was it built for another system?)",
        )
    if exc.errno == errno.ENOENT:
        build = _build_file(program)
        return StartError(
            program, "no such file", f"did you build it? ({build} is there)" if build else None
        )
    if exc.errno == errno.ENOEXEC:
        return StartError(
            program,
            "not a program this system can run (exec format error)",
            "a script needs a #! line",
            _interpreter(program),
        )
    return StartError(program, exc.strerror or str(exc))


class PortGone(PortError):
    """The port failed to restart MAX_START_FAILURES times in a row, or answered another hello
    when it was restarted; stop asking it. `reason` says why the run is incomplete."""

    def __init__(
        self,
        message: str,
        raw: str | None = None,
        stderr: str | None = None,
        reason: str = "the port could not be restarted",
    ):
        super().__init__(message, raw, stderr)
        self.reason = reason


def _hello_change(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What a restarted port's hello changed: `dtype "float32", was "float64"`, at most 3."""
    keys = [k for k in sorted(set(before) | set(after), key=str) if before.get(k) != after.get(k)]

    def show(value: Any) -> str:
        return protocol.shorten(json.dumps(value, ensure_ascii=True), 60, quote=False)

    return "; ".join(
        f"{protocol.shorten(str(k), 40, quote=False)} {show(after.get(k))}, "
        f"was {show(before.get(k))}"
        for k in keys[:3]
    )


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class _StderrTail:
    """A port's stderr, drained whenever the runner waits on the port (a full pipe would block
    the port), keeping the last bytes. No thread: every wait polls this pipe too."""

    def __init__(self, pipe):
        self._pipe = pipe
        self.fd = pipe.fileno()
        os.set_blocking(self.fd, False)
        self._tail = bytearray()
        self._cut = False  # bytes were dropped: the tail starts mid-line
        self.eof = False

    def drain(self) -> None:
        """Read what the pipe holds now, without waiting."""
        while not self.eof:
            try:
                chunk = os.read(self.fd, _CHUNK)
            except BlockingIOError:
                return
            except OSError:
                self.eof = True
                return
            if not chunk:
                self.eof = True
                return
            self._tail += chunk
            if len(self._tail) > STDERR_TAIL:
                del self._tail[:-STDERR_TAIL]
                self._cut = True

    def finish(self, wait: float) -> None:
        """Drain until the port's last writer closes the pipe, for at most `wait` seconds."""
        deadline = time.monotonic() + wait
        while True:
            self.drain()
            remaining = deadline - time.monotonic()
            if self.eof or remaining <= 0:
                return
            poller = select.poll()
            poller.register(self.fd, select.POLLIN)
            poller.poll(math.ceil(remaining * 1000))

    def crash(self) -> crashes.Crash | None:
        """What the tail says: its meaningful lines and an excerpt (None: nothing written)."""
        return crashes.read(self._tail.decode("utf-8", "replace"), self._cut)


def _pidfd(pid: int) -> int | None:
    """A descriptor that polls readable when the process exits (Linux 5.3+), or None."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


class Process:
    """One port process: write lines to it, read lines from it with a deadline, kill it."""

    _live: set[int] = set()  # the pids of the ports running now, each the owner of its tree

    def __init__(self, command: Sequence[str], max_line: int = MAX_LINE, cwd: Path | None = None):
        self.command = list(command)
        self.max_line = max_line
        proctree.become_subreaper()
        # Orphans re-parented to the runner from this start on are this port's (see proctree).
        self._since = proctree.now()
        try:
            self._popen = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                bufsize=0,
                start_new_session=True,
                cwd=cwd,
            )
        except OSError as exc:
            raise start_error(self.command, exc) from None
        Process._live.add(self._popen.pid)
        self._in, self._out, self._err = _pipes(self._popen)
        self._stdin = self._in.fileno()
        os.set_blocking(self._stdin, False)
        self._stdin_open = True
        self.written = 0  # bytes written ahead by read_line (pipelining)
        self._stdout = self._out.fileno()
        self._buffer = bytearray()
        self._scanned = 0  # bytes of _buffer known to hold no newline
        self._stderr = _StderrTail(self._err)
        self._exit_fd = _pidfd(self._popen.pid)

    @property
    def pid(self) -> int:
        return self._popen.pid

    def alive(self) -> bool:
        return self._popen.poll() is None

    def exited(self, wait: float) -> bool:
        """Whether the port exits within `wait` seconds (reaped if so). A blocking wait on the
        process's pidfd and its stderr, which is drained meanwhile; no sleep-polling."""
        if self._popen.poll() is not None:
            return True
        deadline = time.monotonic() + min(wait, _LONGEST_WAIT)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return self._popen.poll() is not None
            poller = select.poll()
            if self._exit_fd is not None:
                poller.register(self._exit_fd, select.POLLIN)
            # without a pidfd (or once stderr is closed), check the exit every 5 ms
            step = remaining if self._exit_fd is not None else min(remaining, 0.005)
            events = self._poll(poller, step)
            if (
                self._exit_fd is not None and self._exit_fd in events or self._exit_fd is None
            ) and self._popen.poll() is not None:
                return True

    def _poll(self, poller: select.poll, seconds: float) -> dict[int, int]:
        """Wait up to `seconds` for what `poller` watches, and for stderr (drained here, so a
        port that writes much to stderr never blocks); a signal stops the wait. The events."""
        if not self._stderr.eof:
            poller.register(self._stderr.fd, select.POLLIN)
        interrupt.arm()
        try:
            events = dict(poller.poll(math.ceil(seconds * 1000)))
        finally:
            interrupt.disarm()
        if self._stderr.fd in events:
            self._stderr.drain()
        return events

    def describe_exit(self, wait: float = 0.5) -> str:
        """'exited with status 3' / 'was killed by SIGSEGV' / 'is still running'."""
        if not self.exited(wait):
            return "is still running"
        status = self._popen.returncode
        if status < 0:
            return f"was killed by {_signal_name(-status)}"
        return f"exited with status {status}"

    def failure(self, message: str, raw: str | None = None) -> PortError:
        """The error of a port that died or is dying: the message ends with the meaningful lines
        of its stderr (the exception and where, not the last stack frame), joined on one line;
        the error carries the excerpt for the failure block."""
        self._stderr.finish(0.2)  # let the drain catch the port's last words
        crash = self._stderr.crash()
        if crash is None:
            return PortError(message, raw)
        said = protocol.shorten(" | ".join(crash.summary), STDERR_SHOWN)
        return PortError(f"{message}; stderr: {said}", raw, "\n".join(crash.excerpt))

    def send(self, data: bytes, deadline: float) -> None:
        """Write all of `data`, or raise PortError if the port stops reading or exits."""
        view = memoryview(data)
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PortError(
                    f"port stopped reading its stdin (request not taken within "
                    f"the timeout, {len(view)} bytes left)"
                )
            poller = select.poll()
            poller.register(self._stdin, select.POLLOUT)
            events = self._poll(poller, min(remaining, _LONGEST_WAIT))
            if self._stdin not in events:
                continue
            try:
                written = os.write(self._stdin, view)
            except BlockingIOError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                how = self.describe_exit()
                raise self.failure(f"port {how} before reading the request") from None
            view = view[written:]

    def close_stdin(self) -> None:
        try:
            self._in.close()
        except OSError:
            pass

    def read_line(
        self, deadline: float, timeout: float, outbox: bytearray | None = None, need: int = 0
    ) -> bytes:
        """The next non-blank line (without its newline), or PortError on timeout, EOF or a
        line longer than max_line. Partial lines wait for their newline until the deadline.

        Pipelining: while it waits, the bytes of `outbox` (requests sent ahead) are written as
        the port takes them; `need` is how many bytes (counted in `written`) must have reached
        the port for the awaited reply to exist at all."""
        while True:
            newline = self._buffer.find(b"\n", self._scanned)
            if newline >= 0:
                line = bytes(self._buffer[:newline]).rstrip(b"\r")
                del self._buffer[: newline + 1]
                self._scanned = 0
                if line.strip():
                    return line
                continue
            self._scanned = len(self._buffer)
            if len(self._buffer) > self.max_line:
                raise PortError(f"reply line longer than {self.max_line} bytes (not read further)")
            if outbox:
                self._write_ahead(outbox, need)
            if not self._stdin_open and self.written < need:
                raise self.failure(f"port {self.describe_exit()} before reading the request")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if self.written < need:
                    raise PortError(
                        f"port stopped reading its stdin (request not taken within "
                        f"the timeout, {need - self.written} bytes left)"
                    )
                raise PortError(self._timeout_message(timeout), raw=self._partial())
            poller = select.poll()
            poller.register(self._stdout, select.POLLIN)
            if outbox and self._stdin_open:
                poller.register(self._stdin, select.POLLOUT)
            events = self._poll(poller, min(remaining, _LONGEST_WAIT))
            if self._stdin in events and outbox:
                self._write_ahead(outbox, need)
            if self._stdout not in events:
                continue
            chunk = os.read(self._stdout, min(_CHUNK, self.max_line + 1 - len(self._buffer)))
            if not chunk:
                how = self.describe_exit()
                if how == "is still running":
                    what = "closed its stdout without replying but kept running (killed)"
                elif self._buffer:
                    size = len(self._buffer)
                    what = f"{how} in the middle of a line ({size} bytes without a newline)"
                else:
                    what = f"{how} without replying"
                raise self.failure(f"port {what}", raw=self._partial())
            self._buffer += chunk

    def _write_ahead(self, outbox: bytearray, need: int) -> None:
        """Write what the port's stdin takes now, without waiting."""
        if not self._stdin_open:
            outbox.clear()
            return
        try:
            written = os.write(self._stdin, outbox)
        except BlockingIOError:
            return
        except (BrokenPipeError, ConnectionResetError):
            outbox.clear()
            self._stdin_open = False  # the port is gone: its replies, if any, are still readable
            return
        del outbox[:written]
        self.written += written

    def _partial(self) -> str | None:
        if not self._buffer:
            return None
        return bytes(self._buffer[:2000]).decode("utf-8", "replace")

    def _timeout_message(self, timeout: float) -> str:
        if self._buffer:
            return (
                f"no complete reply line within {timeout:g} s (got {len(self._buffer)} bytes "
                f"without a newline: {protocol.shorten(self._partial() or '', 60)})"
            )
        return f"no reply within {timeout:g} s (port killed)"

    def kill(self) -> None:
        """End the port and everything it started: SIGTERM to its group and its tree, SIGKILL
        after a grace; then every process left in its tree (proctree.end), reaped."""
        if self._popen.returncode is not None and proctree.nothing_left():
            self._reap()  # it exited and was reaped, and no process of its tree is left
            return
        others = frozenset(Process._live - {self._popen.pid})
        tree = (
            list(proctree.descendants(self._popen.pid, self._since, others))
            if proctree.available()
            else []
        )
        for pid in tree:  # found while the port lives: without a subreaper, its chain breaks
            try:
                os.kill(pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
        for sig, grace in ((signal.SIGTERM, TERM_GRACE), (signal.SIGKILL, 2.0)):
            try:
                os.killpg(self._popen.pid, sig)
            except (ProcessLookupError, PermissionError):
                break
            try:
                self._popen.wait(grace)
            except subprocess.TimeoutExpired:
                continue
            if sig == signal.SIGTERM:  # the leader is gone; its children may not be
                try:
                    os.killpg(self._popen.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            break
        for pid in tree:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self._reap()
        proctree.end(self._popen.pid, self._since, others)

    def _reap(self) -> None:
        try:
            self._popen.wait(2.0)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be ignored
            pass
        Process._live.discard(self._popen.pid)
        for pipe in (self._in, self._out):
            try:
                pipe.close()
            except OSError:
                pass
        self._stderr.finish(1.0)
        try:
            self._err.close()
        except OSError:
            pass
        if self._exit_fd is not None:
            os.close(self._exit_fd)
            self._exit_fd = None


def _pipes(popen: subprocess.Popen) -> tuple[IO[bytes], IO[bytes], IO[bytes]]:
    """The port's stdin, stdout and stderr: all three were asked for as pipes."""
    stdin, stdout, stderr = popen.stdin, popen.stdout, popen.stderr
    assert stdin is not None and stdout is not None and stderr is not None
    return stdin, stdout, stderr


def _exchange(proc: Process, message: dict[str, Any], timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    proc.send(protocol.encode(message), deadline)
    return proc.read_line(deadline, timeout)


def _stdout_text(line: bytes) -> str | None:
    """What to say about a line that cannot be a reply at all because it does not start like a
    JSON object (a learner's `print("loss", x)`), or None: JSON garbage that starts with `{`
    gets the parser's precise message instead."""
    if line[:1] == b"{" or line.lstrip().removeprefix(b"\xef\xbb\xbf")[:1] == b"{":
        return None
    text = protocol.shorten(line[:2000].decode("utf-8", "replace").strip())
    return (
        f"the port printed text on stdout that is not a protocol reply: {text}: "
        "print debug output to stderr"
    )


def _hello_reply(line: bytes, every_problem: bool) -> dict:
    text = _stdout_text(line)
    if text is not None:
        raise HandshakeError(text, line[:2000].decode("utf-8", "replace"))
    return protocol.check_hello(protocol.parse(line, "hello reply"), every_problem)


def _handshake(proc: Process, suite_version: str, timeout: float, every_problem: bool) -> dict:
    """Send hello and check the reply, or raise HandshakeError (the caller kills the process)."""
    try:
        line = _exchange(proc, protocol.hello_request(suite_version), timeout)
        return _hello_reply(line, every_problem)
    except protocol.ProtocolError as exc:
        raise HandshakeError(str(exc)) from None
    except HandshakeError:
        raise
    except PortError as exc:
        raise HandshakeError(f"during hello: {exc}", exc.raw, exc.stderr) from None


def _reply(line: bytes, seq: int, strict: bool) -> dict:
    text = _stdout_text(line)
    if text is not None:
        raise PortError(text, line[:2000].decode("utf-8", "replace"))
    try:
        return protocol.check_reply(protocol.parse(line), seq, strict)
    except protocol.ProtocolError as exc:
        raise PortError(str(exc), line[:2000].decode("utf-8", "replace")) from None


class _ProcessPort:
    """What every transport that starts the port's command shares: its settings."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        suite_version: str,
        timeout: float = 10.0,
        handshake_timeout: float = 30.0,
        validate: bool = False,
        max_line: int = MAX_LINE,
        cwd: Path | None = None,
    ):
        self.command = list(command)
        self.cwd = cwd  # the folder the command runs in (a port.toml's), else the runner's
        self.suite_version = suite_version
        self.timeout = timeout
        self.handshake_timeout = handshake_timeout
        self.validate = validate
        self.max_line = max_line
        self.info: dict[str, Any] | None = None


class SessionPort(_ProcessPort):
    """A long-lived port: hello once, then one run per request, bye at the end.

    After any failure (timeout, crash, garbage, wrong seq) the process is killed, so a stale
    or shifted reply can never be graded as the answer to a later case; the next request
    starts a fresh process with a new handshake. `request` is strict request-reply;
    `exchange` pipelines: up to WINDOW requests are written ahead, replies are read in order,
    and after a failure the requests still in flight are sent again to the fresh process.
    """

    transport = "session"

    def __init__(
        self,
        command: Sequence[str],
        *,
        max_start_failures: int = MAX_START_FAILURES,
        window: int = WINDOW,
        **settings: Any,
    ):
        _ProcessPort.__init__(self, command, **settings)
        self.max_start_failures = max_start_failures
        self.window = max(1, window)
        self.restarts = 0
        self._proc: Process | None = None
        self._early: Process | None = None  # started by spawn(), not yet greeted
        self._start_failures = 0

    def spawn(self) -> None:
        """Start the port's process now and greet it later, at hello(): a port that loads a
        JVM or NumPy gets ready while the caller does other work. A command that cannot start
        is left for hello() to try again and report."""
        if self._proc is None and self._early is None:
            try:
                self._early = Process(self.command, self.max_line, self.cwd)
            except StartError:
                pass

    def hello(self) -> dict[str, Any]:
        """Start the port and shake hands; return its hello reply or raise HandshakeError."""
        if self._proc is None:
            self._start()
        assert self.info is not None  # a started port has answered its hello
        return self.info

    def _start(self) -> Process:
        proc, self._early = self._early or Process(self.command, self.max_line, self.cwd), None
        try:
            info = _handshake(proc, self.suite_version, self.handshake_timeout, self.validate)
        except BaseException:  # a failed hello, an interruption: the port must not outlive it
            proc.kill()
            raise
        if self.info is not None and info != self.info:
            proc.kill()
            change = _hello_change(self.info, info)
            raise PortGone(
                f"not run: the restarted port answered another hello ({change}): "
                "a port must declare the same at every start",
                reason=f"the restarted port answered another hello ({change})",
            )
        self.info = info
        self._proc = proc
        return proc

    def _restart(self) -> Process:
        if self._start_failures >= self.max_start_failures:
            raise PortGone(
                f"not run: port could not be restarted ({self._start_failures} attempts failed)"
            )
        try:
            proc = self._start()
        except HandshakeError as exc:
            self._start_failures += 1
            if self._start_failures >= self.max_start_failures:
                raise PortGone(
                    f"not run: port could not be restarted ({exc})", None, exc.stderr
                ) from None
            raise PortError(f"port could not be restarted: {exc}", exc.raw, exc.stderr) from None
        self._start_failures = 0
        self.restarts += 1
        return proc

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send one run request and return the checked reply, or raise PortError."""
        proc = self._proc or self._restart()
        try:
            line = _exchange(proc, message, self.timeout)
            return _reply(line, message["seq"], self.validate)
        except PortError:
            self._discard()
            raise

    def exchange(
        self, messages: Iterable[dict[str, Any]]
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None, PortError | None, float]]:
        """Pipelined requests: (message, checked reply or None, PortError or None, seconds) for
        each run message, in order. Up to `window` requests are in flight; each reply has its
        own timeout, counted from when it became the one awaited. After a failure only the
        awaited request gets the error: the process is killed and the requests behind it are
        sent again, in order, to a fresh process. After PortGone nothing more is sent: every
        later message gets the same PortGone."""
        source = iter(messages)
        waiting: deque[dict[str, Any]] = deque()  # taken from `source`, not yet answered
        gone: PortGone | None = None
        while True:
            if not waiting:
                message = next(source, None)
                if message is None:
                    return
                waiting.append(message)
            if gone is not None:
                yield waiting.popleft(), None, gone, 0.0
                continue
            proc = self._proc
            if proc is None:
                started = time.monotonic()
                try:
                    proc = self._restart()
                except PortGone as exc:
                    gone = exc
                    yield waiting.popleft(), None, exc, time.monotonic() - started
                    continue
                except PortError as exc:
                    yield waiting.popleft(), None, exc, time.monotonic() - started
                    continue
            yield from self._pipeline(proc, waiting, source)

    def _pipeline(self, proc: Process, waiting: deque, source: Iterator) -> Iterator[tuple]:
        """Serve `waiting` (then `source`) on one live process until it fails or all is done."""
        outbox = bytearray()
        ends: deque[int] = deque()  # for each queued request: `proc.written` once it is sent
        queued = 0
        while True:
            while len(waiting) < self.window:
                message = next(source, None)
                if message is None:
                    break
                waiting.append(message)
            while len(ends) < len(waiting):
                data = protocol.encode(waiting[len(ends)])
                outbox += data
                queued += len(data)
                ends.append(queued)
            if not waiting:
                return
            message = waiting[0]
            started = time.monotonic()
            try:
                line = proc.read_line(started + self.timeout, self.timeout, outbox, ends[0])
                reply = _reply(line, message["seq"], self.validate)
            except PortError as exc:
                self._discard()
                waiting.popleft()
                yield message, None, exc, time.monotonic() - started
                return
            waiting.popleft()
            ends.popleft()
            yield message, reply, None, time.monotonic() - started

    def _discard(self) -> None:
        for proc in (self._proc, self._early):
            if proc is not None:
                proc.kill()
        self._proc = self._early = None

    def abort(self) -> None:
        """End the port and its tree at once, without a bye (the run was interrupted)."""
        self._discard()

    def close(self) -> None:
        """Say bye, give the port a moment to exit, then make sure its whole tree is gone."""
        proc, self._proc = self._proc, None
        self._discard()  # a port spawned and never greeted
        if proc is None:
            return
        try:
            proc.send(protocol.encode(protocol.BYE), time.monotonic() + 1.0)
            proc.close_stdin()
            proc.describe_exit(min(self.timeout, 1.0))
        except PortError:
            pass
        proc.kill()


class OneShotPort(_ProcessPort):
    """One process per message: the port reads one line, writes one line and exits."""

    transport = "oneshot"

    def _once(self, message: dict[str, Any], timeout: float) -> bytes:
        proc = Process(self.command, self.max_line, self.cwd)
        deadline = time.monotonic() + timeout
        try:
            proc.send(protocol.encode(message), deadline)
            proc.close_stdin()
            line = proc.read_line(deadline, timeout)
            if not proc.exited(max(0.0, deadline - time.monotonic())):
                raise PortError(f"port replied but did not exit within {timeout:g} s (killed)")
            return line
        finally:
            proc.kill()

    def hello(self) -> dict[str, Any]:
        if self.info is None:
            try:
                line = self._once(
                    protocol.hello_request(self.suite_version), self.handshake_timeout
                )
                self.info = _hello_reply(line, self.validate)
            except protocol.ProtocolError as exc:
                raise HandshakeError(str(exc)) from None
            except HandshakeError:
                raise
            except PortError as exc:
                raise HandshakeError(f"during hello: {exc}", exc.raw, exc.stderr) from None
        return self.info

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        try:
            line = self._once(message, self.timeout)
        except HandshakeError as exc:  # the command could not be started this time
            raise PortError(str(exc)) from None
        return _reply(line, message["seq"], self.validate)

    def close(self) -> None:
        """Nothing stays running between messages."""


class ResponsesFile:
    """The blind-file transport: answers were written ahead of time, matched here by seq."""

    transport = "file"

    def __init__(self, document: Any, *, validate: bool = False):
        if not isinstance(document, dict):
            raise HandshakeError("must hold a JSON object")
        if document.get("protocol") != protocol.PROTOCOL:
            raise HandshakeError(f"/protocol must be {protocol.PROTOCOL}")
        try:
            self.info = protocol.check_hello(document.get("port"), validate)
        except protocol.ProtocolError as exc:
            raise HandshakeError(f"/port: {exc}") from None
        responses = document.get("responses")
        if not isinstance(responses, list):
            raise HandshakeError("/responses must be an array")
        self.command = None
        self.validate = validate
        self._by_seq: dict[Any, list[Any]] = {}
        for response in responses:
            seq = response.get("seq") if isinstance(response, dict) else None
            if not isinstance(seq, int) or isinstance(seq, bool):
                seq = None  # unusable: reported by unasked(), never matched to a request
            self._by_seq.setdefault(seq, []).append(response)

    def hello(self) -> dict[str, Any]:
        return self.info

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        found = self._by_seq.get(message["seq"], [])
        if not found:
            raise PortError(f"no response for seq {message['seq']}")
        if len(found) > 1:
            raise PortError(f"{len(found)} responses for seq {message['seq']}")
        try:
            return protocol.check_reply(found[0], message["seq"], self.validate)
        except protocol.ProtocolError as exc:
            raise PortError(str(exc), found[0]) from None

    def unasked(self, asked: Container[Any]) -> list[Any]:
        """Seqs answered that were never asked (or responses without a usable seq)."""
        return sorted((seq for seq in self._by_seq if seq not in asked), key=repr)

    def close(self) -> None:
        """A file holds no process."""

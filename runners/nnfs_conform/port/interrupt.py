"""SIGTERM, SIGHUP and SIGINT alike: stop asking, end the port's tree, write what was graded.

A CI cancel, `timeout` and Ctrl-C all end a run the same way. The handler never interrupts the
runner's own bookkeeping: it only notes the signal, and raises `Interrupted` when the runner is
blocked waiting for the port (`waiting()`), or at the next `check()`. So a case result is
either graded and kept, or never started; the run then ends incomplete, its reports written,
with exit status 128 + the signal's number. A second signal while the reports are being written
is noted and ignored: they are written in a moment.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name)
)


class Interrupted(BaseException):  # noqa: N818 - like KeyboardInterrupt, which it replaces
    """The run was told to stop by a signal. A BaseException, so that no `except Exception`
    on the way up mistakes it for a port's failure."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signal_name(signum))

    @property
    def status(self) -> int:
        return 128 + self.signum


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


class _State:
    caught: int | None = None  # the first signal received, once one is
    waiting: bool = False  # blocked on the port: the handler may raise at once
    installed: bool = False


_state = _State()


def _handler(signum: int, frame) -> None:
    first = _state.caught is None
    if first:
        _state.caught = signum
    if first and _state.waiting and _state.installed:
        _state.waiting, _state.installed = False, False
        raise Interrupted(signum)


def check() -> None:
    """Raise Interrupted if a signal came and was not acted on yet."""
    if _state.caught is not None and _state.installed:
        signum, _state.installed = _state.caught, False  # raised once; later ones are noted
        _state.waiting = False
        raise Interrupted(signum)


def arm() -> None:
    """Before a blocking wait for the port: a signal now raises Interrupted at once (one that
    came already raises here). `disarm()` after the wait, in a `finally`."""
    if _state.installed:
        _state.waiting = True
        check()


def disarm() -> None:
    _state.waiting = False


@contextmanager
def handled() -> Iterator[None]:
    """Install the handlers for the duration of a run (main thread only; elsewhere nothing
    changes), then restore the previous ones."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _handler) for sig in SIGNALS}
    _state.caught, _state.waiting, _state.installed = None, False, True
    try:
        yield
    finally:
        _state.installed, _state.waiting = False, False
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def caught() -> int | None:
    return _state.caught

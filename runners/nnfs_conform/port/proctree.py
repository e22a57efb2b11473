"""Own every process a port starts, whatever session or process group it moves to.

A port runs in its own session, so signalling its group ends the port and the children that
stayed in it; a child that calls setsid() or setpgid() and double-forks leaves that group. On
Linux the runner is therefore a child subreaper (prctl(PR_SET_CHILD_SUBREAPER)): an orphan
anywhere below it is re-parented to the runner instead of to init. A port's tree is then
everything whose parent chain leads to the port, plus the orphans re-parented to the runner
since the port started; `end` kills it all, round after round until nothing is left (a process
may fork while it is being killed), and reaps the orphans that died as the runner's children.
Elsewhere (no /proc) only the port's group is signalled.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
_PROC = "/proc"
_state: dict[str, bool] = {}


def become_subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (Linux); whether it is."""
    if "subreaper" not in _state:
        done = False
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                done = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
            except (OSError, AttributeError):  # pragma: no cover - no libc prctl
                done = False
        _state["subreaper"] = done
    return _state["subreaper"]


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state letter, start time in clock ticks since boot), or None if gone."""
    try:
        with open(f"{_PROC}/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2 :].split()
    return int(fields[1]), fields[0].decode("ascii", "replace"), int(fields[19])


def now() -> int | None:
    """The boot-time clock in clock ticks, as /proc/PID/stat counts a start time (the kernel
    stamps a process with CLOCK_BOOTTIME at fork): read before a port starts, it is at or
    below the start time of the port and of everything it starts. Reading the port's own start
    time instead waits for the port to finish loading (the kernel takes its memory map's lock),
    ~0.1-0.8 ms a process. None where there is no such clock."""
    try:
        return time.clock_gettime_ns(time.CLOCK_BOOTTIME) // (10**9 // os.sysconf("SC_CLK_TCK"))
    except (AttributeError, OSError, ValueError):  # pragma: no cover - not Linux
        return None


def _table() -> dict[int, tuple[int, str, int]]:
    table: dict[int, tuple[int, str, int]] = {}
    try:
        names = os.listdir(_PROC)
    except OSError:
        return table
    for name in names:
        if name.isdigit():
            stat = _stat(int(name))
            if stat is not None:
                table[int(name)] = stat
    return table


def descendants(
    root: int,
    since: int | None,
    exclude: frozenset[int] = frozenset(),
    table: dict[int, tuple[int, str, int]] | None = None,
) -> dict[int, str]:
    """pid -> state of every process below `root`, and below each orphan re-parented to this
    process that started at or after `since` (clock ticks) and is not in `exclude`."""
    table = _table() if table is None else table
    me = os.getpid()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    seeds = list(children.get(root, []))
    if since is not None:
        seeds += [
            pid
            for pid in children.get(me, [])
            if pid != root and pid not in exclude and table[pid][2] >= since
        ]
    found: dict[int, str] = {}
    while seeds:
        pid = seeds.pop()
        if pid in found or pid in exclude:
            continue
        found[pid] = table[pid][1]
        seeds += children.get(pid, [])
    return found


def _signal(pids, sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _reap(pids) -> None:
    """Collect the exit status of the given processes that died as this process's children."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except (ChildProcessError, OSError):
            pass


def nothing_left() -> bool:
    """Whether this process, a subreaper, has no child at all: then a port that exited and was
    reaped left nothing running (an orphan of its tree would be this process's child), and its
    tree need not be searched."""
    if not _state.get("subreaper"):
        return False
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    except OSError:
        return False
    return False


def available() -> bool:
    return os.path.isdir(f"{_PROC}/self")


def end(
    root: int,
    since: int | None,
    exclude: frozenset[int] = frozenset(),
    first: int = signal.SIGKILL,
    limit: float = 3.0,
) -> list[int]:
    """Kill every process of `root`'s tree but `root` itself (its owner kills and reaps it);
    return the pids still alive after `limit` seconds (none, unless they are not ours to kill).
    `first` is sent first (SIGTERM gives a moment to exit cleanly), then SIGKILL until none is
    left."""
    if not available():
        return []
    me = os.getpid()
    deadline = time.monotonic() + limit
    sig = first
    while True:
        table = _table()
        tree = descendants(root, since, exclude, table)
        alive = [pid for pid, state in tree.items() if state not in ("Z", "X")]
        _reap([pid for pid, state in tree.items() if state == "Z" and table[pid][0] == me])
        orphaning = [pid for pid, state in tree.items() if state == "Z" and table[pid][0] != me]
        if not (alive or orphaning) or time.monotonic() > deadline:
            return alive
        _signal(alive, sig)
        if sig != signal.SIGKILL:
            time.sleep(0.05)
        sig = signal.SIGKILL
        time.sleep(0.002)

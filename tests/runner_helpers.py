"""Running the CLI in-process against fake ports, and proving no process outlived the run."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnfs_conform.cli import main
from nnfs_conform.port import proctree

FAKES = Path(__file__).parent / "fakes"
# The tests are a subreaper too: whatever a run leaves behind, even a daemon that left the
# port's session, is re-parented here, where walking this process's descendants finds it.
proctree.become_subreaper()


def fake(name: str) -> list[str]:
    """The argv of a fake port."""
    return [sys.executable, str(FAKES / f"{name}.py")]


@dataclass
class Run:
    status: int
    out: str
    err: str
    result: dict[str, Any] | None

    def case(self, case_id: str) -> dict[str, Any]:
        return next(c for c in self.result["cases"] if c["id"] == case_id)

    @property
    def last_line(self) -> str:
        return self.out.rstrip("\n").splitlines()[-1]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def assert_no_leftovers(pid_file: Path) -> None:
    """Every process a fake port started (it records its pid) must be gone."""
    pids = [int(p) for p in pid_file.read_text().split()] if pid_file.exists() else []
    deadline = time.monotonic() + 2.0
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [pid for pid in pids if _alive(pid)] == [], "a port process outlived the run"


def descendants() -> set[int]:
    """The live processes below this one (orphans re-parented here included), by walking /proc
    from this process, not by name."""
    return {
        pid
        for pid, state in proctree.descendants(os.getpid(), 0).items()
        if state not in ("Z", "X")
    }


def assert_no_descendants(before: set[int], wait: float = 3.0) -> None:
    """No process below this one but those alive before (`before`); zombies left are reaped."""
    deadline = time.monotonic() + wait
    while (left := descendants() - before) and time.monotonic() < deadline:
        time.sleep(0.02)
    table = proctree.descendants(os.getpid(), 0)
    for pid, state in table.items():
        if state == "Z" and pid not in before:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
    assert left == set(), f"processes outlived the run: {sorted(left)}"


def run_cli(args: list[str], tmp_path: Path, capsys, monkeypatch, *, report: bool = True) -> Run:
    """`nnfs-conform ARGS` in-process, with the JSON report read back and leftovers checked:
    every pid a fake recorded, and every descendant of this process."""
    pid_file = tmp_path / "pids"
    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    monkeypatch.setenv("FAKE_PIDS", str(pid_file))
    monkeypatch.setenv("FAKE_STATE", str(state))
    path = tmp_path / "result.json"
    if path.exists():
        path.unlink()
    command = args[0]
    extra = ["--report-json", str(path)] if report and command in ("run", "grade") else []
    before = descendants()
    status = main([command, *extra, *args[1:]])
    captured = capsys.readouterr()
    assert_no_leftovers(pid_file)
    assert_no_descendants(before)
    result = json.loads(path.read_text()) if path.exists() else None
    return Run(status, captured.out, captured.err, result)


def correct_port_module(monkeypatch):
    """The correct fake's code (tests/fakes/_port.py), imported without recording this process
    as a port."""
    import importlib

    monkeypatch.delenv("FAKE_PIDS", raising=False)
    monkeypatch.syspath_prepend(str(FAKES))
    return importlib.import_module("_port")


def pids_recorded(tmp_path: Path) -> int:
    pid_file = tmp_path / "pids"
    return len(pid_file.read_text().split()) if pid_file.exists() else 0


__all__ = [
    "FAKES",
    "Run",
    "assert_no_descendants",
    "assert_no_leftovers",
    "correct_port_module",
    "descendants",
    "fake",
    "os",
    "pids_recorded",
    "run_cli",
]

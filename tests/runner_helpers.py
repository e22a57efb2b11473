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

FAKES = Path(__file__).parent / "fakes"


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


def run_cli(args: list[str], tmp_path: Path, capsys, monkeypatch, *, report: bool = True) -> Run:
    """`nnfs-conform ARGS` in-process, with the JSON report read back and leftovers checked."""
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
    status = main([command, *extra, *args[1:]])
    captured = capsys.readouterr()
    assert_no_leftovers(pid_file)
    result = json.loads(path.read_text()) if path.exists() else None
    return Run(status, captured.out, captured.err, result)


def pids_recorded(tmp_path: Path) -> int:
    pid_file = tmp_path / "pids"
    return len(pid_file.read_text().split()) if pid_file.exists() else 0


__all__ = ["FAKES", "Run", "assert_no_leftovers", "fake", "os", "pids_recorded", "run_cli"]

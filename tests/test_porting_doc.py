"""docs/PORTING.md's CI shell line works as written, here against the bundled Python port."""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def shell_line() -> str:
    text = (REPO / "docs" / "PORTING.md").read_text()
    match = re.search(r"<!-- shell-line -->\n```sh\n(.+?)\n```", text)
    assert match, "PORTING.md lost its tested shell line"
    return match.group(1)


def test_the_porting_shell_line_checks_a_port_from_its_own_repository(tmp_path):
    port = tmp_path / "build" / "my-port"
    port.parent.mkdir()
    port.write_text(f"#!/bin/sh\nexec {sys.executable} {REPO}/ports/python/port.py\n")
    port.chmod(0o755)
    env = {
        **os.environ,
        "NNFS_SUITE_URL": f"file://{REPO}",
        "MAKEFLAGS": "",
        "PYTHONDONTWRITEBYTECODE": "1",  # as on many CI images: no process writes its bytecode
    }
    run = subprocess.run(
        ["bash", "-c", shell_line()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert re.search(r"^\d+ passed, 0 failed, 0 errored, 0 skipped$", run.stdout, re.M), run.stdout
    # `make` compiled the runner itself, so no run of it compiles it again
    runner = sorted((tmp_path / ".nnfs" / "runners" / "nnfs_conform").rglob("*.py"))
    assert runner, "the shell line no longer clones the suite into .nnfs"
    uncompiled = [p for p in runner if not Path(importlib.util.cache_from_source(p)).is_file()]
    assert not uncompiled, uncompiled

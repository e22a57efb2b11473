"""tools/venv.sh, which makes `make`'s .venv and the action's venv, takes the fast way where the
host's pip can install into the new venv, falls back to ensurepip where it cannot, and says in
one line what to install where neither works. A fake python3 logs what the script asks of it."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# The host's python3: `-m venv DIR` makes DIR/bin/python, a copy of itself; `-m pip` and
# `-m ensurepip` work unless HOST_PIP / ENSUREPIP is "broken". Every call is logged.
FAKE_PYTHON = """#!/bin/sh
echo "$0 $*" >> "$LOG"
case "$1 $2" in
  "-m venv") case "$4" in "$ROOT"/*) ;; *) exit 3 ;; esac  # never outside the test's folder
            mkdir -p "$4/bin" && cp "$0" "$4/bin/python" && exit 0 ;;
  "-m pip") [ "$0" = "$HOST" ] && [ "$HOST_PIP" = broken ] && exit 1
            [ "$0" != "$HOST" ] && [ ! -f "$(dirname "$0")/pip-installed" ] && exit 1
            [ "$3" = "--python" ] && touch "$(dirname "$4")/pip-installed"; exit 0 ;;
  "-m ensurepip") [ "$ENSUREPIP" = broken ] && exit 1
            touch "$(dirname "$0")/pip-installed"; exit 0 ;;
esac
exit 3
"""


def make_venv(tmp_path: Path, host_pip: str = "works", ensurepip: str = "works"):
    host = tmp_path / "host" / "python3"
    host.parent.mkdir(exist_ok=True)
    host.write_text(FAKE_PYTHON)
    host.chmod(0o755)
    log = tmp_path / "log"
    log.touch()
    env = {"PATH": "/usr/bin:/bin", "PYTHON": str(host), "HOST": str(host), "LOG": str(log)}
    env["ROOT"] = str(tmp_path)
    env |= {"HOST_PIP": host_pip, "ENSUREPIP": ensurepip}
    run = subprocess.run(
        ["sh", str(REPO / "tools" / "venv.sh"), str(tmp_path / "venv")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    asked = [line.split(" ", 1)[1] for line in log.read_text().splitlines()]
    return run, asked


def test_the_hosts_pip_puts_pip_in_a_venv_made_without_ensurepip(tmp_path):
    run, asked = make_venv(tmp_path)
    assert run.returncode == 0, run.stderr
    venv = tmp_path / "venv"
    assert f"-m venv --without-pip {venv}" in asked
    assert any(a.startswith(f"-m pip --python {venv}/bin/python install") for a in asked)
    assert not any("ensurepip" in a for a in asked)


def test_a_host_pip_that_cannot_install_into_it_leaves_it_to_ensurepip(tmp_path):
    run, asked = make_venv(tmp_path, host_pip="broken")
    assert run.returncode == 0, run.stderr
    assert "-m ensurepip --default-pip" in asked
    assert (tmp_path / "venv" / "bin" / "pip-installed").exists()


def test_a_venv_that_has_a_pip_is_left_as_it_is(tmp_path):
    make_venv(tmp_path)
    (tmp_path / "log").write_text("")
    run, asked = make_venv(tmp_path)
    assert run.returncode == 0 and asked == ["-m pip --version"]


def test_no_way_to_a_pip_is_one_line_naming_what_to_install(tmp_path):
    run, _ = make_venv(tmp_path, host_pip="broken", ensurepip="broken")
    assert run.returncode == 1
    (line,) = run.stderr.splitlines()
    assert line.startswith("tools/venv.sh: cannot put pip in ") and "python3-venv" in line

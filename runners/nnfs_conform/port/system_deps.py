"""What the suite's commands need that pip cannot install, and how to get it on this machine.

`make test` needs a real Chromium (the HTML report is proven in a browser); `make conform-all`
needs each bundled port's toolchain, and cJSON for the C port. Run as root where apt-get exists
(a fresh Debian or Ubuntu machine, a CI container), the missing packages are installed; anywhere
else the command stops at once with the exact install command, one line per system.

    python3 tools/system_deps.py chromium          # install or explain; exit 0 when present
    python3 tools/system_deps.py --check go cjson  # only say what is missing (exit 1)

Standard library only: `tools/system_deps.py` runs it before the virtual environment exists,
and the installed runner uses it for `run --port-dir` (a port.toml's `requires`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Need:
    """One thing a command needs: found as a program on PATH or as a header file."""

    programs: tuple[str, ...] = ()  # any one of them on PATH will do
    headers: tuple[str, ...] = ()  # any one of them on disk will do
    apt: tuple[str, ...] = ()  # Debian/Ubuntu packages
    brew: str = ""  # the macOS command


NEEDS = {
    "chromium": Need(
        programs=("chromium", "chromium-browser", "google-chrome"),
        apt=("chromium",),
        brew="brew install --cask chromium",
    ),
    "cjson": Need(
        headers=(
            "/usr/include/cjson/cJSON.h",
            "/usr/local/include/cjson/cJSON.h",
            "/opt/homebrew/include/cjson/cJSON.h",
        ),
        apt=("libcjson-dev",),
        brew="brew install cjson",
    ),
    "cc": Need(programs=("cc",), apt=("build-essential",), brew="xcode-select --install"),
    "c++": Need(programs=("c++", "g++", "clang++"), apt=("g++",), brew="xcode-select --install"),
    "make": Need(programs=("make",), apt=("make",), brew="xcode-select --install"),
    "nlohmann_json": Need(
        headers=(
            "/usr/include/nlohmann/json.hpp",
            "/usr/local/include/nlohmann/json.hpp",
            "/opt/homebrew/include/nlohmann/json.hpp",
        ),
        apt=("nlohmann-json3-dev",),
        brew="brew install nlohmann-json",
    ),
    "cmake": Need(programs=("cmake",), apt=("cmake",), brew="brew install cmake"),
    "python3": Need(programs=("python3",), apt=("python3",), brew="brew install python"),
    "go": Need(programs=("go",), apt=("golang-go",), brew="brew install go"),
    "cargo": Need(programs=("cargo",), apt=("cargo",), brew="brew install rust"),
    "node": Need(programs=("node",), apt=("nodejs",), brew="brew install node"),
    "npm": Need(programs=("npm",), apt=("npm",), brew="brew install node"),
    "java": Need(programs=("java",), apt=("default-jdk-headless",), brew="brew install openjdk"),
    "mvn": Need(programs=("mvn",), apt=("maven",), brew="brew install maven"),
}


def missing(
    names: Iterable[str],
    which: Callable[[str], str | None] = shutil.which,
    exists: Callable[[str], bool] = os.path.exists,
) -> list[str]:
    """The names whose program or header is nowhere to be found, in the order asked."""
    gone = []
    for name in names:
        need = NEEDS[name]
        found = any(which(p) for p in need.programs) or any(exists(h) for h in need.headers)
        if not found:
            gone.append(name)
    return gone


def apt_packages(names: Iterable[str]) -> list[str]:
    packages: list[str] = []
    for name in names:
        packages += [p for p in NEEDS[name].apt if p not in packages]
    return packages


def install_hint(names: list[str]) -> str:
    """One line: the install command for Debian/Ubuntu and for macOS."""
    brew = " && ".join(dict.fromkeys(NEEDS[n].brew for n in names))
    return (
        f"install with: sudo apt-get install -y {' '.join(apt_packages(names))} "
        f"(Debian/Ubuntu), or: {brew} (macOS)"
    )


def decide(
    names: list[str],
    *,
    which: Callable[[str], str | None] = shutil.which,
    exists: Callable[[str], bool] = os.path.exists,
    is_root: bool | None = None,
) -> tuple[str, list[str]]:
    """What to do: ("ok", []), ("install", apt packages) when this process may install them
    itself (root, with apt-get on PATH), or ("explain", missing names)."""
    gone = missing(names, which, exists)
    if not gone:
        return "ok", []
    root = os.geteuid() == 0 if is_root is None else is_root
    if root and which("apt-get"):
        return "install", apt_packages(gone)
    return "explain", gone


def main(argv: list[str]) -> int:
    check_only = "--check" in argv
    names = [a for a in argv if a != "--check"]
    unknown = [n for n in names if n not in NEEDS]
    if unknown or not names:
        print(
            f"system_deps: usage: system_deps.py [--check] NAME... (NAME one of "
            f"{', '.join(NEEDS)}; unknown: {', '.join(unknown) or 'none given'})",
            file=sys.stderr,
        )
        return 2
    action, what = decide(names)
    if action == "ok":
        return 0
    if action == "install" and not check_only:
        print(
            f"--- installing {' '.join(what)} with apt-get (needed by the suite, not by pip)",
            flush=True,
        )
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for step in (
            ["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *what],
        ):
            done = subprocess.run(step, env=env, stdout=subprocess.DEVNULL)
            if done.returncode != 0:
                print(
                    f"system_deps: `{' '.join(step)}` failed (exit {done.returncode})",
                    file=sys.stderr,
                )
                return 2
        left = missing(names)
        if not left:
            return 0
        what = left
    gone = what if action == "explain" else missing(names)
    print(f"system_deps: missing {', '.join(gone)}: {install_hint(gone)}", file=sys.stderr)
    return 1 if check_only else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

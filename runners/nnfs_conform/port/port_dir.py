"""A port's folder: its `port.toml` (what it needs, how to build it, how to run it), the kit
projects `new-port` writes, and the build `run --port-dir` does before grading.

`port.toml` has the format of one `[[port]]` entry of the suite's own `ports/ports.toml`, with
commands run from the port's folder:

    name = "my-port"
    requires = ["go"]                         # names known to system_deps: programs, headers
    build = ["go", "build", "-o", "nnfs-port", "."]
    run = ["./nnfs-port"]
"""

from __future__ import annotations

import difflib
import re
import subprocess
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..files import FileProblem
from ..suite.vectors import data_dir
from . import system_deps

PORT_TOML = "port.toml"
# What a kit's folder holds that is not the library a project copies (paths in the kit): the
# project itself, the kit's README and its own tests; and what no copy takes: build output.
NOT_KIT = {"template", "README.md", "tests", "test", "fixtures", "src/test", "src/tests.rs"}
BUILD_OUTPUT = {"target", "node_modules", "build", "__pycache__", ".ruff_cache", ".pytest_cache"}
BUILD_SUFFIXES = {".o", ".a", ".so", ".class", ".pyc"}
NAME = re.compile(r"[a-z][a-z0-9-]{0,62}")


@dataclass(frozen=True)
class PortSpec:
    """One port: its name, what it needs, its build and run argv, and the folder they run in."""

    name: str
    requires: tuple[str, ...]
    build: tuple[str, ...]
    run: tuple[str, ...]
    where: Path
    expectations: Path | None = None


def _argv(source: str, table: dict[str, Any], field: str, *, empty: bool) -> tuple[str, ...]:
    value = table.get(field, [] if empty else None)
    if (
        not isinstance(value, list)
        or not all(isinstance(w, str) and w for w in value)
        or (not value and not empty)
    ):
        what = "a list of strings" if empty else "a non-empty list of strings"
        raise FileProblem(f"{source}: `{field}` must be {what} (an argv), got {value!r:.80}")
    return tuple(value)


def parse_spec(table: Any, where: Path, source: str) -> PortSpec:
    """Check one port table; every problem is one line naming the file and the field."""
    if not isinstance(table, dict):
        raise FileProblem(f"{source}: a port must be a table of name, requires, build, run")
    unknown = sorted(set(table) - {"name", "requires", "build", "run", "expectations"})
    if unknown:
        raise FileProblem(
            f"{source}: unknown field `{unknown[0]}` (fields: name, requires, "
            "build, run, expectations)"
        )
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise FileProblem(f"{source}: `name` must be a non-empty string")
    requires = _argv(source, table, "requires", empty=True)
    strange = [r for r in requires if r not in system_deps.NEEDS]
    if strange:
        raise FileProblem(
            f"{source}: `requires` names {strange[0]!r}, which the suite does not "
            f"know (known: {', '.join(system_deps.NEEDS)})"
        )
    expectations = table.get("expectations")
    if expectations is not None and not isinstance(expectations, str):
        raise FileProblem(f"{source}: `expectations` must be a path, relative to the port.toml")
    return PortSpec(
        name=name,
        requires=requires,
        build=_argv(source, table, "build", empty=True),
        run=_argv(source, table, "run", empty=False),
        where=where,
        expectations=where / expectations if expectations else None,
    )


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileProblem(
            f"{path}: no such file (a port folder needs a {PORT_TOML}: "
            "`nnfs-conform new-port LANG DIR` writes one)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileProblem(f"{path}: cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise FileProblem(f"{path}: not TOML: {exc}") from None


def read_port_dir(folder: Path) -> PortSpec:
    """The port described by `folder/port.toml`; its expectations.toml is used when present."""
    if not folder.is_dir():
        raise FileProblem(f"{folder}: not a folder (--port-dir takes the folder of port.toml)")
    path = folder / PORT_TOML
    spec = parse_spec(_load_toml(path), folder, str(path))
    if spec.expectations is None and (folder / "expectations.toml").is_file():
        return PortSpec(**{**spec.__dict__, "expectations": folder / "expectations.toml"})
    return spec


def read_ports_toml(path: Path, where: Path) -> list[PortSpec]:
    """Every `[[port]]` of a ports.toml, commands run from `where` (the repository)."""
    ports = _load_toml(path).get("port")
    if not isinstance(ports, list) or not ports:
        raise FileProblem(f"{path}: no [[port]] entries")
    return [parse_spec(table, where, f"{path} [[port]] {i + 1}") for i, table in enumerate(ports)]


@dataclass
class Built:
    """How a build went: `ok`, one status line, and the indented lines to show under it."""

    ok: bool
    status: str = ""
    log: str = ""
    seconds: float | None = None


def indent_tail(text: str, lines: int = 8) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])


def build(spec: PortSpec) -> Built:
    """Check what the port needs, then run its build in its folder."""
    missing = system_deps.missing(spec.requires)
    if missing:
        return Built(
            False,
            f"not built: missing {', '.join(missing)}",
            "    " + system_deps.install_hint(missing),
        )
    if not spec.build:
        return Built(True)
    start = time.monotonic()
    try:
        done = subprocess.run(
            spec.build,
            cwd=spec.where,
            capture_output=True,
            text=True,
            errors="replace",
            stdin=subprocess.DEVNULL,
        )
    except OSError as exc:
        return Built(
            False,
            f"build could not start: {spec.build[0]}: {exc.strerror}",
            seconds=time.monotonic() - start,
        )
    seconds = time.monotonic() - start
    if done.returncode != 0:
        return Built(
            False,
            f"build failed (exit {done.returncode}): {' '.join(spec.build)}",
            indent_tail(done.stdout + done.stderr),
            seconds,
        )
    return Built(True, seconds=seconds)


# ---- new-port -----------------------------------------------------------------------------


def kits_dir() -> Path:
    return data_dir("kits")


def languages() -> list[str]:
    """The languages with a kit: a folder of kits/ holding a template with a port.toml."""
    root = kits_dir()
    return (
        sorted(p.name for p in root.iterdir() if (p / "template" / PORT_TOML).is_file())
        if root.is_dir()
        else []
    )


def _copy_tree(
    source: Path, target: Path, name: str, skip: set[str], under: str = ""
) -> list[Path]:
    """Copy `source` into `target` (but the paths in `skip` and build output), with `{{name}}`
    filled in in every text file."""
    written = []
    for item in sorted(source.iterdir()):
        path = f"{under}{item.name}"
        if path in skip or item.name in BUILD_OUTPUT or item.suffix in BUILD_SUFFIXES:
            continue
        goal = target / item.name
        if item.is_dir():
            goal.mkdir()
            written += _copy_tree(item, goal, name, skip, f"{path}/")
            continue
        data = item.read_bytes()
        try:
            data = data.decode("utf-8").replace("{{name}}", name).encode("utf-8")
        except UnicodeDecodeError:
            pass  # a binary file is copied as it is
        goal.write_bytes(data)
        goal.chmod(item.stat().st_mode & 0o777)
        written.append(goal)
    return written


def default_name(folder: Path) -> str:
    """A port name from the folder's name: lower case, words joined by '-'."""
    words = re.findall(r"[a-z0-9]+", folder.resolve().name.lower())
    name = "-".join(words)
    return name if NAME.fullmatch(name) else "my-port"


def new_port(language: str, folder: Path, name: str | None = None) -> list[Path]:
    """Write the kit's project for `language` into `folder` (new or empty): the template with
    `{{name}}` filled in, and the kit library itself in `folder/kit/`. Returns the files."""
    known = languages()
    if language not in known:
        near = difflib.get_close_matches(language, known, n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        raise FileProblem(f"no kit for {language!r}{hint}; kits: {', '.join(known)}")
    name = default_name(folder) if name is None else name
    if not NAME.fullmatch(name):
        raise FileProblem(
            f"--name {name!r}: use lower-case letters, digits and '-', starting "
            "with a letter (it names the package in the build file)"
        )
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileProblem(
            f"{folder}: exists and is not an empty folder; new-port writes a new "
            "project (choose another DIR)"
        )
    kit = kits_dir() / language
    folder.mkdir(parents=True, exist_ok=True)
    written = _copy_tree(kit / "template", folder, name, set())
    (folder / "kit").mkdir(exist_ok=True)
    return written + _copy_tree(kit, folder / "kit", name, NOT_KIT)

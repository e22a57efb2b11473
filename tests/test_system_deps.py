"""`make test`, `make setup` and `make conform-all` get what pip cannot (Chromium, cJSON, the
ports' toolchains): installed with apt-get when run as root, else one line with the command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nnfs_conform.port import port_dir, system_deps
from tools import conform_all

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "tools" / "system_deps.py"


def nothing(_name):
    return None


def test_nothing_is_installed_when_everything_is_there():
    assert system_deps.decide(["chromium"], which=lambda n: f"/usr/bin/{n}") == ("ok", [])


def test_root_with_apt_get_installs_the_debian_packages_of_what_is_missing():
    def which(name):
        return "/usr/bin/apt-get" if name == "apt-get" else None

    action = system_deps.decide(
        ["chromium", "cjson", "go"], which=which, exists=lambda _: False, is_root=True
    )
    assert action == ("install", ["chromium", "libcjson-dev", "golang-go"])


def test_without_root_or_apt_get_it_explains_instead_of_installing():
    assert system_deps.decide(["chromium"], which=nothing, is_root=False) == (
        "explain",
        ["chromium"],
    )
    assert system_deps.decide(["chromium"], which=nothing, is_root=True) == (
        "explain",
        ["chromium"],
    )


def test_a_header_on_disk_counts_as_cjson_installed():
    assert (
        system_deps.missing(
            ["cjson"], which=nothing, exists=lambda p: p == "/usr/include/cjson/cJSON.h"
        )
        == []
    )


def test_the_hint_names_the_debian_and_the_macos_command_on_one_line():
    hint = system_deps.install_hint(["chromium", "cjson"])
    assert hint == (
        "install with: sudo apt-get install -y chromium libcjson-dev "
        "(Debian/Ubuntu), or: brew install --cask chromium && brew install cjson "
        "(macOS)"
    )


def _script(*args, path):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env={"PATH": str(path)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_script_on_a_path_without_the_tools_stops_at_once_with_the_command(tmp_path):
    run = _script("chromium", path=tmp_path)  # no apt-get either: nothing it may run
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr == (
        "system_deps: missing chromium: install with: sudo apt-get install "
        "-y chromium (Debian/Ubuntu), or: brew install --cask chromium "
        "(macOS)\n"
    )


def test_check_only_reports_without_installing(tmp_path):
    run = _script("--check", "go", "cargo", path=tmp_path)
    assert run.returncode == 1 and "missing go, cargo:" in run.stderr


def test_an_unknown_name_is_a_usage_error(tmp_path):
    run = _script("chromum", path=tmp_path)
    assert run.returncode == 2 and "unknown: chromum" in run.stderr


def test_conform_all_names_a_missing_toolchain_with_its_install_line(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    port = port_dir.PortSpec(
        name="go", requires=("go",), build=("go", "build"), run=("x",), where=tmp_path
    )
    row = conform_all.conform(port, tmp_path, "go")
    assert row["status"] == "not built: missing go"
    assert row["log"] == (
        "    install with: sudo apt-get install -y golang-go (Debian/Ubuntu), "
        "or: brew install go (macOS)"
    )
    assert row["result"] is None and row["build_s"] is None


def test_every_requirement_of_a_bundled_port_or_kit_is_a_known_name():
    ports = port_dir.read_ports_toml(REPO / "ports" / "ports.toml", REPO)
    ports += [
        port_dir.read_port_dir(REPO / "kits" / lang / "template") for lang in port_dir.languages()
    ]
    for port in ports:
        assert set(port.requires) <= set(system_deps.NEEDS), port.name


def test_conform_all_fails_a_bundled_port_that_leaves_a_stage_out_but_not_a_kit_example(tmp_path):
    """A bundled port runs with --require-all: an undeclared stage fails unless its expectations
    skip it. A new-port example declares two stages and is green as written."""
    port_dir.new_port("python", tmp_path / "example", "example")
    example = port_dir.read_port_dir(tmp_path / "example")
    assert conform_all.conform(example, tmp_path, "example", bundled=False)["status"] == "green"
    row = conform_all.conform(example, tmp_path, "example", bundled=True)
    assert row["status"] == "red"
    assert row["result"]["summary"]["failed"] > 0

"""The release path: build the sdist and wheel as `make dist` does, install the wheel in a fresh
virtual environment, and use it from an empty directory, far from this repository.

The wheel must carry the vectors and schemas (the installed runner reads its own copies) and
nothing of the repository's tests, ports or virtual environment. Takes 10-20 s: it builds in
an isolated environment and installs numpy, jsonschema and orjson (pinned by constraints.txt)
from pip's cache or the package index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import nnfs_conform
from nnfs_conform.port import port_dir

REPO = Path(__file__).resolve().parent.parent
SOURCES = [
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "MANIFEST.in",
    "CHANGELOG.md",
    "runners",  # the one package; reference/ and generator/ stay behind: not installed
    "vectors",
    "schema",
    "docs",
    "kits",
]


def _run(argv, cwd, env, timeout=600) -> subprocess.CompletedProcess:
    run = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, (
        f"{argv}: exit {run.returncode}\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    )
    return run


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the fresh venv's bin directory, an empty working directory, the wheel, environment)"""
    work = tmp_path_factory.mktemp("install")
    source = work / "src"  # a copy, so the build writes nothing into the repository
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(
                REPO / name,
                source / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.png"),
            )
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env |= {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    _run([sys.executable, "-m", "build", "--outdir", str(work / "dist"), str(source)], work, env)
    (wheel,) = (work / "dist").glob("*.whl")
    venv = work / "venv"
    # The venv gets no pip of its own (ensurepip alone is ~4 s): this pip installs into it, and
    # leaves out the byte-compilation that only speeds up a later import.
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], work, env)
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--quiet",
            "--no-compile",
            "-c",
            str(REPO / "constraints.txt"),
            str(wheel),
        ],
        work,
        env,
    )
    empty = work / "empty"
    empty.mkdir()
    return venv / "bin", empty, wheel, env


def test_the_wheel_holds_the_package_and_its_data_and_nothing_else(installed):
    _, _, wheel, _ = installed
    assert wheel.name == f"nnfs_conformance-{nnfs_conform.__version__}-py3-none-any.whl"
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"nnfs_conform", f"nnfs_conformance-{nnfs_conform.__version__}.dist-info"}
    for folder in ("vectors", "schema"):
        prefix = f"nnfs_conform/data/{folder}/"
        shipped = {n.removeprefix(prefix) for n in names if n.startswith(prefix)}
        assert shipped == {p.name for p in (REPO / folder).glob("*.json")}, folder
    kits = {n.removeprefix("nnfs_conform/data/kits/") for n in names if "/data/kits/" in n}
    assert {f"{lang}/template/port.toml" for lang in port_dir.languages()} <= kits
    assert not [n for n in names if re.search(r"(^|/)(tests?|ports|\.venv|__pycache__)/", n)]
    assert wheel.stat().st_size < 2_000_000  # vectors ~1.4 MB, the seven kits ~200 kB, zipped


def test_the_installed_runner_checks_a_port_from_an_empty_directory(installed):
    bin_dir, empty, _, env = installed
    where = _run(
        [
            str(bin_dir / "python"),
            "-c",
            "from nnfs_conform.suite.vectors import default_vectors_dir, data_dir;"
            "print(default_vectors_dir()); print(data_dir('schema'))",
        ],
        empty,
        env,
    )
    for line in where.stdout.split():
        assert "site-packages/nnfs_conform/data/" in line and str(REPO) not in line, line

    validate = _run([str(bin_dir / "nnfs-conform"), "validate"], empty, env)
    assert validate.stdout.startswith(f"vectors {nnfs_conform.__version__} valid: ")
    copy = _run([str(bin_dir / "nnfs-conform"), "copy", "my-vectors"], empty, env)
    assert copy.stdout.startswith(f"copied vectors {nnfs_conform.__version__} ")
    assert (empty / "my-vectors" / "manifest.json").is_file()
    _run([str(bin_dir / "nnfs-conform"), "validate", "--vectors", "my-vectors"], empty, env)

    port = ["python3", str(REPO / "ports" / "python" / "port.py")]
    run = _run(
        [str(bin_dir / "nnfs-conform"), "run", "-q", "--report-json", "r.json", "--", *port],
        empty,
        env,
    )
    assert re.search(r"^\d+ passed, 0 failed, 0 errored, 0 skipped$", run.stdout, re.M)
    _run([str(bin_dir / "nnfs-conform"), "report", "--html", "r.html", "r.json"], empty, env)
    assert "<h1>nnfs-conformance report</h1>" in (empty / "r.html").read_text()

    usage = _run([str(bin_dir / "python"), "-m", "nnfs_conform", "--help"], empty, env)
    assert usage.stdout.startswith("usage: nnfs-conform")
    assert sorted(p.name for p in empty.iterdir()) == ["my-vectors", "r.html", "r.json"]

"""docs/VERSIONING.md held by tests: one version everywhere, and released case ids immutable.

The version has one source, `nnfs_conform.__version__` (pyproject.toml reads it); every vector
file, the manifest and every result carry it. A case id released in a lock file
(tests/data/case-fingerprints-X.Y.Z.json, written by tools/lock_case_ids.py at a release) must
keep existing with the same fingerprint for as long as the major version stays: changing an
expected value, a tolerance, an input or a param is a major change. New ids are always allowed.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

import pytest

import nnfs_conform
from nnfs_conform.suite.vectors import load_suite

REPO = Path(__file__).resolve().parent.parent
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")


def major(version: str) -> int:
    return int(version.split(".")[0])


# the locks of this major version: those of earlier majors no longer bind (ids may change there)
LOCKS = [
    lock
    for lock in sorted((REPO / "tests" / "data").glob("case-fingerprints-*.json"))
    if major(json.loads(lock.read_text())["suite_version"]) == major(nnfs_conform.__version__)
]


def test_the_version_has_one_source_and_is_semver():
    assert SEMVER.fullmatch(nnfs_conform.__version__)
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    dynamic = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["dynamic"]
    assert dynamic["version"] == {"attr": "nnfs_conform.__version__"}


def test_the_changelog_has_an_entry_for_this_version():
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert re.search(
        rf"^## \[{re.escape(nnfs_conform.__version__)}\] - \d{{4}}-\d\d-\d\d$", changelog, re.M
    ), f"CHANGELOG.md: no entry for {nnfs_conform.__version__}"


def test_every_vector_file_and_the_manifest_carry_the_package_version():
    version = nnfs_conform.__version__
    vectors = REPO / "vectors"
    manifest = json.loads((vectors / "manifest.json").read_text())
    assert manifest["suite_version"] == version
    for entry in manifest["files"]:
        document = json.loads((vectors / entry["path"]).read_text())
        assert document["suite_version"] == version, entry["path"]
    assert load_suite(vectors).suite_version == version


def test_a_result_carries_the_suite_and_runner_version(tmp_path):
    from nnfs_conform.cli import main

    out = tmp_path / "r.json"
    port = [sys.executable, str(REPO / "ports" / "python" / "port.py")]
    assert main(["run", "-q", "--stage", "relu", "--report-json", str(out), "--", *port]) == 0
    result = json.loads(out.read_text())
    assert result["suite_version"] == nnfs_conform.__version__
    assert result["platform"]["runner_version"] == nnfs_conform.__version__


def test_a_lock_holds_the_case_ids_of_this_major_version():
    assert LOCKS, (
        f"no tests/data/case-fingerprints-*.json of major {major(nnfs_conform.__version__)}: "
        "run `python -m tools.lock_case_ids` at the release"
    )


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: p.stem)
def test_released_case_ids_keep_their_meaning_within_a_major_version(lock):
    locked = json.loads(lock.read_text())
    suite = load_suite(REPO / "vectors")
    now = {case.id: case.fingerprint for case in suite.cases()}
    gone = sorted(set(locked["cases"]) - set(now))
    changed = sorted(i for i, fp in locked["cases"].items() if i in now and now[i] != fp)
    assert not gone, (
        f"case ids released in {locked['suite_version']} are gone: {gone[:10]} "
        "(ids are immutable; removing one is a major version, docs/VERSIONING.md)"
    )
    assert not changed, (
        f"cases released in {locked['suite_version']} changed their inputs, "
        f"params, expected values or tolerances: {changed[:10]} (a major "
        "version: docs/VERSIONING.md)"
    )

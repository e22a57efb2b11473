"""The docs keep up with the vectors: every stage of the manifest is everywhere it must be.

Driven by vectors/manifest.json, so a new stage is checked the moment it has vectors: a vector
file, the stage in schema/vectors.schema.json's stage enum, a row in README.md's stage table, a
mention in docs/PORTING.md, and an implementation in every bundled port of ports/ports.toml (its
source names the stage in a string, as its hello's `stages` list does), or an entry of that
port's expectations file, with a reason, covering the stage's cases.
"""

from __future__ import annotations

import json
import re
import tomllib
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from nnfs_conform.expectations import Expectations

REPO = Path(__file__).resolve().parent.parent
MANIFEST = json.loads((REPO / "vectors" / "manifest.json").read_text())
STAGES = [entry["stage"] for entry in MANIFEST["files"]]
PORTS = tomllib.loads((REPO / "ports" / "ports.toml").read_text())["port"]
SOURCE_SUFFIXES = {".py", ".c", ".h", ".go", ".js", ".mjs", ".rs", ".java", ".kt", ".cs", ".ts"}
BUILD_DIRS = {"target", "node_modules", "build", "dist", "__pycache__"}


def port_source(name: str) -> str:
    folder = REPO / "ports" / name
    files = [p for p in sorted(folder.rglob("*")) if p.suffix in SOURCE_SUFFIXES
             and p.is_file() and not BUILD_DIRS & set(p.relative_to(folder).parts)]
    assert files, f"ports/{name}: no source files found"
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)


def expectations_of(port: dict) -> Expectations | None:
    """The port's expectations file, as ports/conform_all.py finds it (ports.toml's
    `expectations`, else ports/<name>/expectations.toml), or None."""
    path = REPO / port.get("expectations", f"ports/{port['name']}/expectations.toml")
    return Expectations.load(path) if path.exists() else None


def test_the_manifest_lists_stages():
    assert STAGES and len(STAGES) == len(set(STAGES))


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_has_vectors_a_schema_entry_a_readme_row_and_a_porting_mention(stage):
    entry = next(e for e in MANIFEST["files"] if e["stage"] == stage)
    vectors = REPO / "vectors" / entry["path"]
    assert vectors.is_file(), f"stage {stage}: no vector file {vectors.relative_to(REPO)}"
    assert json.loads(vectors.read_text())["stage"] == stage
    schema = json.loads((REPO / "schema" / "vectors.schema.json").read_text())
    assert stage in schema["$defs"]["stage"]["enum"], (
        f"stage {stage}: missing from schema/vectors.schema.json's stage enum")
    readme = (REPO / "README.md").read_text()
    assert re.search(rf"^\| `{re.escape(stage)}` \|", readme, re.M), (
        f"stage {stage}: no row in README.md's stage table (a line starting `| `{stage}` |`)")
    porting = (REPO / "docs" / "PORTING.md").read_text()
    assert f"`{stage}`" in porting, (
        f"stage {stage}: not mentioned in docs/PORTING.md (add it to the stage list, §1)")


@pytest.mark.parametrize("port", PORTS, ids=lambda p: p["name"])
def test_every_bundled_port_implements_every_stage_or_says_why_not(port):
    source = port_source(port["name"])
    expectations = expectations_of(port)
    missing = []
    for stage in STAGES:
        if re.search(rf"""["']{re.escape(stage)}["']""", source):
            continue
        entry = next(e for e in MANIFEST["files"] if e["stage"] == stage)
        ids = [c["id"] for c in json.loads((REPO / "vectors" / entry["path"]).read_text())["cases"]]
        covered = expectations is not None and all(
            any(fnmatchcase(case_id, e.pattern) for e in expectations.entries if e.reason.strip())
            for case_id in ids)
        if not covered:
            missing.append(stage)
    assert not missing, (
        f"ports/{port['name']} does not implement {', '.join(missing)} (no string naming it in "
        "its source) and has no expectations entry with a reason for it")


# -- counts and promises the prose makes --------------------------------------------------------

def _error_kinds() -> list[str]:
    """The error kinds of the vector schema: the one list every doc must agree with."""
    schema = json.loads((REPO / "schema" / "vectors.schema.json").read_text())
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "shape_mismatch" in node.get("enum", []):
                found.append(node["enum"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    assert len(found) == 1, "one enum of error kinds in the vector schema"
    return found[0]


NUMBER_WORDS = {4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def test_every_doc_that_counts_the_error_kinds_counts_them_right():
    kinds = _error_kinds()
    for doc in ("README.md", "docs/PORTING.md", "docs/STAGES.md", "docs/PROTOCOL.md"):
        text = (REPO / doc).read_text()
        for word in re.findall(r"\b(four|five|six|seven|eight) (?:error )?kinds\b", text):
            assert word == NUMBER_WORDS[len(kinds)], f"{doc} says {word} kinds, there are " \
                f"{len(kinds)}"


def test_the_readme_lists_every_error_kind_and_the_stages_table_has_a_row_for_each():
    kinds = _error_kinds()
    readme = (REPO / "README.md").read_text()
    listed = re.search(r"error of a named kind\s*\((.*?)\)\.", readme, re.S).group(1)
    assert re.findall(r"`(\w+)`", listed) == kinds
    stages = (REPO / "docs" / "STAGES.md").read_text()
    errors = stages.split("## Errors", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \|", errors, re.M)
    assert rows == kinds


def test_the_protocol_schema_knows_every_kind_of_the_vectors_and_exception_besides():
    protocol = (REPO / "schema" / "protocol.schema.json").read_text()
    enum = json.loads(protocol)["$defs"]["error_reply"]["properties"]["error"]["properties"][
        "kind"]["enum"]
    assert enum == [*_error_kinds(), "exception"]


def test_the_readmes_needs_line_names_what_make_test_installs_beyond_pip():
    readme = (REPO / "README.md").read_text()
    makefile = (REPO / "Makefile").read_text()
    needs = re.findall(r"system_deps\.py (\w[\w ]*)", makefile)
    assert needs, "make test and make setup get their system needs through system_deps.py"
    for line in needs:
        for name in line.split():
            assert name.capitalize() in readme or name in readme, \
                f"README's first screen does not say make test needs {name}"

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
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MANIFEST = json.loads((REPO / "vectors" / "manifest.json").read_text())
STAGES = [entry["stage"] for entry in MANIFEST["files"]]


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
        f"stage {stage}: missing from schema/vectors.schema.json's stage enum"
    )
    readme = (REPO / "README.md").read_text()
    assert re.search(rf"^\| `{re.escape(stage)}` \|", readme, re.M), (
        f"stage {stage}: no row in README.md's stage table (a line starting `| `{stage}` |`)"
    )
    porting = (REPO / "docs" / "PORTING.md").read_text()
    assert f"`{stage}`" in porting, (
        f"stage {stage}: not mentioned in docs/PORTING.md (add it to the stage list, §1)"
    )


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
            assert word == NUMBER_WORDS[len(kinds)], (
                f"{doc} says {word} kinds, there are {len(kinds)}"
            )


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
        "kind"
    ]["enum"]
    assert enum == [*_error_kinds(), "exception"]


def test_the_readmes_needs_line_names_what_make_test_installs_beyond_pip():
    readme = (REPO / "README.md").read_text()
    makefile = (REPO / "Makefile").read_text()
    needs = re.findall(r"system_deps\.py (\w[\w ]*)", makefile)
    assert needs, "make test and make setup get their system needs through system_deps.py"
    for line in needs:
        for name in line.split():
            assert name.capitalize() in readme or name in readme, (
                f"README's first screen does not say make test needs {name}"
            )


def test_the_count_of_catalogued_mistakes_is_the_catalogue_s():
    from nnfs_conform.diagnosis.mistakes import MISTAKES

    porting = (REPO / "docs" / "PORTING.md").read_text()
    catalogue = "runners/nnfs_conform/diagnosis/mistakes.py"
    said = re.findall(rf"(\d+) are catalogued in `{catalogue}`", porting)
    assert said == [str(len(MISTAKES))]

"""Every list of stages agrees with the one stage table (nnfs_conform.suite.stages).

The table declares each stage once: name, group, inputs, params and outputs; the reference has
one checked runner per name. What follows it by construction (the runner's stage groups, the
generator's stage modules, the vector files' signatures) is checked here too, and so is what is
typed by hand because it is prose or JSON (the schemas' stage enums, the stage tables of
README.md and docs/STAGES.md): a new stage missing from any of them fails here, naming the file.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator import stages as stage_modules
from nnfs_conform.diagnosis import emulator, mistakes
from nnfs_conform.port import book_port
from nnfs_conform.reports import matrix
from nnfs_conform.suite.stages import (
    BOOK,
    FORWARD,
    GROUPS,
    STAGES,
    TABLE,
    TRAINING,
    stage_names,
)
from reference import CHECKED

REPO = Path(__file__).resolve().parent.parent
NAMES = stage_names()


def _section(path: str, start: str, end: str) -> str:
    text = (REPO / path).read_text()
    assert start in text, f"{path}: no heading {start!r}"
    return text.split(start, 1)[1].split(end, 1)[0]


def _rows(text: str) -> list[str]:
    return re.findall(r"^\| `(\w+)` \|", text, re.M)


def test_the_table_names_each_stage_once_in_groups_of_the_pipeline_order():
    assert len(set(NAMES)) == len(NAMES) == len(STAGES)
    assert all(stage.group in GROUPS for stage in TABLE)
    order = [GROUPS.index(stage.group) for stage in TABLE]
    assert order == sorted(order), "the table lists the forward, training and book stages in turn"
    for stage in TABLE:
        names = [*stage.inputs, *stage.params]
        assert len(set(names)) == len(names) and stage.outputs, stage.name


@pytest.mark.parametrize("schema", ["vectors.schema.json", "protocol.schema.json"])
def test_each_schemas_stage_enum_is_the_table(schema):
    enum = json.loads((REPO / "schema" / schema).read_text())["$defs"]["stage"]["enum"]
    assert enum == list(NAMES), f"schema/{schema}'s stage enum differs from the stage table"


def test_the_vector_files_are_the_table_in_its_order_with_its_signatures():
    manifest = json.loads((REPO / "vectors" / "manifest.json").read_text())
    assert [entry["stage"] for entry in manifest["files"]] == list(NAMES), "run `make vectors`"
    for stage in TABLE:
        signature = json.loads((REPO / "vectors" / f"{stage.name}.json").read_text())["signature"]
        assert signature == {
            "inputs": list(stage.inputs),
            "params": list(stage.params),
            "outputs": list(stage.outputs),
        }, stage.name


def test_the_generator_has_one_module_per_stage_and_nothing_else():
    folder = REPO / "generator" / "stages"
    files = sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
    assert files == sorted(NAMES), "generator/stages/ holds one <stage>.py per stage of the table"
    for name, module in stage_modules.MODULES.items():
        assert callable(module.cases) and callable(module.golden), name
        assert isinstance(module.DESCRIPTION, str) and module.DESCRIPTION.endswith("."), name
        earlier = NAMES[: NAMES.index(name)]
        assert all(r in earlier for r in module.REQUIRES), f"{name} requires a later stage"


@pytest.mark.parametrize(
    ("group", "start", "end"),
    [
        (FORWARD, "## The stages", "### Training"),
        (TRAINING, "### Training", "### The book tier"),
        (BOOK, "### The book tier", "\n## "),
    ],
)
def test_the_readme_has_a_row_per_stage_of_each_group_in_order(group, start, end):
    assert _rows(_section("README.md", start, end)) == list(stage_names(group))


@pytest.mark.parametrize(
    ("group", "start", "end"),
    [
        (FORWARD, "# Stages", "## Conventions"),
        (TRAINING, "## Training", "### Conventions"),
        (BOOK, "## The book tier", "\n## "),
    ],
)
def test_docs_stages_has_a_row_per_stage_of_each_group_in_order(group, start, end):
    assert _rows(_section("docs/STAGES.md", start, end)) == list(stage_names(group))


def test_the_runners_groups_are_the_tables():
    assert matrix.GROUPS == {group: stage_names(group) for group in GROUPS}
    assert mistakes.STAGES == stage_names(FORWARD) + stage_names(TRAINING)


def test_every_mistake_names_stages_of_the_table():
    for mistake in mistakes.MISTAKES:
        unknown = set(mistake.stages) - set(mistakes.STAGES)
        assert not unknown, f"mistake {mistake.id} names stages {unknown} the table lacks"
    for name in (
        "DOTS",
        "SOFTMAX",
        "LOSS",
        "LABELS",
        "ACCURACY",
        "STEPS",
        "CACHED_STEPS",
        "PER_SAMPLE_GRADIENTS",
    ):
        assert set(getattr(mistakes, name)) <= set(mistakes.STAGES), name


def test_the_independent_implementations_cover_the_core_stages():
    """The emulator (the matrix's variants and the mistakes) and the book-class driver are ports
    of their own: each implements every stage outside the book tier."""
    core = [stage.name for stage in TABLE if stage.group != BOOK]
    assert [name for name in core if not callable(getattr(emulator.Engine, name, None))] == []
    assert list(book_port.STAGES) == core


def test_make_vectors_writes_each_schemas_stage_enum_from_the_table(tmp_path):
    """`make vectors` (generator --schema schema) writes the enums: a stage left out is put back,
    in the table's order, and nothing else in the file changes."""
    from generator import build

    for name in build.SCHEMAS_WITH_STAGES:
        real = (REPO / "schema" / name).read_text()
        (tmp_path / name).write_text(real.replace('"dropout", ', "", 1))
    assert build.write_stage_enums(tmp_path) == [tmp_path / n for n in build.SCHEMAS_WITH_STAGES]
    for name in build.SCHEMAS_WITH_STAGES:
        assert (tmp_path / name).read_text() == (REPO / "schema" / name).read_text()
    assert build.write_stage_enums(tmp_path) == []  # the committed files are what it writes


def test_the_reference_has_one_checked_runner_per_stage_of_the_table():
    assert list(CHECKED) == list(NAMES)


def test_the_installed_runner_imports_neither_the_reference_nor_the_generator(tmp_path):
    """Only nnfs_conform is installed: its every module must import without reference/ or
    generator/ on the path (the emulator and the catalogue read the stage table, not NumPy's)."""
    package = REPO / "runners" / "nnfs_conform"
    modules = [
        ".".join(("nnfs_conform", *p.relative_to(package).with_suffix("").parts))
        for p in sorted(package.rglob("*.py"))
        if p.name not in ("__main__.py", "book_port.py")  # run as programs, not imported
    ]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name.removesuffix('.__init__'))\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in ('reference', 'generator'))\n"
        "assert not leaked, leaked\n"
    )
    # From an empty folder: the repository's root (where reference/ lives) is not on sys.path.
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_a_schema_folder_without_the_schemas_is_one_line_naming_the_file(tmp_path):
    from generator.build import main

    with pytest.raises(SystemExit) as stop:
        main(["--out", str(tmp_path / "v"), "--schema", str(tmp_path / "missing")])
    message = str(stop.value)
    assert "\n" not in message and "missing/vectors.schema.json: no such schema" in message

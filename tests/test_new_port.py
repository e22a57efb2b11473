"""`nnfs-conform new-port LANG DIR` writes a kit's project; `run --port-dir DIR` builds it with
its port.toml and grades it. Every language's project is built and graded by `make conform-all`
(rows new-LANG); here the Python kit's, which needs nothing but python3, and the refusals."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nnfs_conform.port import port_dir
from nnfs_conform.suite.stages import BOOK, STAGES

REPO = Path(__file__).resolve().parent.parent
LANGUAGES = ["c", "cpp", "go", "java", "javascript", "python", "rust"]


def nnfs(*args: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nnfs_conform", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )


def write_port(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "port.toml").write_text(text)
    return folder


def test_every_language_of_the_issue_has_a_kit_with_a_template():
    assert port_dir.languages() == LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_kit_names_every_stage_of_the_suite_and_its_signature(language):
    """A kit owns the protocol for every stage: each stage's protocol name, and each name of its
    signature in the stage table (inputs, params, outputs), is in its source (as a string or a
    key: `"relu"`, `relu:`, `Stage::Relu => "relu"`...)."""
    kit = REPO / "kits" / language
    text = "\n".join(
        p.read_text(errors="replace")
        for p in sorted(kit.rglob("*"))
        if p.is_file()
        and "template" not in p.relative_to(kit).parts
        and not port_dir.BUILD_OUTPUT & set(p.relative_to(kit).parts)
        and p.suffix not in (".md", ".json", ".toml", ".lock", ".xml", ".txt")
    )
    manifest = json.loads((REPO / "vectors" / "manifest.json").read_text())
    core = [f["stage"] for f in manifest["files"] if STAGES[f["stage"]].group != BOOK]
    missing = [s for s in core if not re.search(rf"(?<![\w.]){s}(?!\w)", text)]
    assert not missing, f"kits/{language} does not name the stages {missing}"
    names = {n for s in core for n in (*STAGES[s].inputs, *STAGES[s].params, *STAGES[s].outputs)}
    missing = sorted(n for n in names if not re.search(rf"(?<![\w.]){n}(?!\w)", text))
    assert not missing, f"kits/{language} does not name the inputs or outputs {missing}"


def test_new_port_writes_the_python_project_and_run_port_dir_grades_it_green(tmp_path):
    folder = tmp_path / "My Port"
    made = nnfs("new-port", "python", str(folder))
    assert made.returncode == 0, made.stderr
    assert "run --port-dir" in made.stdout
    assert (folder / "port.toml").is_file() and (folder / "kit").is_dir()
    assert 'name = "my-port"' in (folder / "port.toml").read_text()
    assert "{{name}}" not in "".join(
        p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file()
    )
    report = tmp_path / "result.json"
    run = nnfs("run", "--port-dir", str(folder), "--report-json", str(report), "-q")
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(report.read_text())
    graded = {r["stage"] for r in result["cases"] if r["outcome"] == "passed"}
    assert graded == {"neuron", "dense_batch"}
    assert result["summary"]["failed"] == 0 and result["summary"]["errored"] == 0


def test_new_port_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "mine.py").write_text("# a learner's work\n")
    made = nnfs("new-port", "python", str(tmp_path))
    assert made.returncode == 2
    assert made.stderr.count("\n") == 1 and "not an empty folder" in made.stderr
    assert (tmp_path / "mine.py").read_text() == "# a learner's work\n"


def test_new_port_names_the_closest_language_for_a_typo(tmp_path):
    made = nnfs("new-port", "pyhton", str(tmp_path / "x"))
    assert made.returncode == 2
    assert "no kit for 'pyhton' (did you mean python?)" in made.stderr
    assert not (tmp_path / "x").exists()


def test_new_port_refuses_a_name_a_build_file_cannot_hold(tmp_path):
    made = nnfs("new-port", "python", str(tmp_path / "x"), "--name", "My Port")
    assert made.returncode == 2 and "--name 'My Port'" in made.stderr


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('name = "p"\nbuild = []\n', "`run` must be a non-empty list of strings"),
        ('name = "p"\nrun = "./port"\n', "`run` must be a non-empty list of strings"),
        ('name = "p"\nrun = ["./port"]\nrequires = ["gcc-13"]\n', "`requires` names 'gcc-13'"),
        ('name = "p"\nrun = ["./port"]\nbiuld = ["make"]\n', "unknown field `biuld`"),
        ('run = ["./port"]\n', "`name` must be a non-empty string"),
        ('name = "p"\nrun = [\n', "not TOML"),
    ],
)
def test_a_bad_port_toml_is_one_line_naming_the_file_and_field(tmp_path, text, said):
    folder = write_port(tmp_path / "p", text)
    run = nnfs("run", "--port-dir", str(folder))
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1, run.stderr
    assert f"{folder / 'port.toml'}: " in run.stderr and said in run.stderr


def test_a_missing_folder_or_port_toml_says_how_to_make_one(tmp_path):
    run = nnfs("run", "--port-dir", str(tmp_path))
    assert run.returncode == 2 and "new-port LANG DIR" in run.stderr
    run = nnfs("run", "--port-dir", str(tmp_path / "nowhere"))
    assert run.returncode == 2 and "not a folder" in run.stderr


def test_a_missing_toolchain_is_its_install_command_in_one_line(tmp_path):
    folder = write_port(
        tmp_path / "p", 'name = "p"\nrequires = ["go"]\nbuild = ["go", "build"]\nrun = ["./p"]\n'
    )
    env = {"PATH": str(tmp_path / "empty"), "HOME": str(tmp_path)}
    run = nnfs("run", "--port-dir", str(folder), env=env)
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert (
        "not built: missing go: install with: sudo apt-get install -y golang-go "
        "(Debian/Ubuntu), or: brew install go (macOS)" in run.stderr
    )


def test_a_failed_build_shows_its_log_tail_indented_under_one_line(tmp_path):
    folder = write_port(
        tmp_path / "p",
        'name = "p"\nbuild = ["sh", "-c", '
        '"echo compiling; echo port.c:3: error: want a semicolon >&2; exit 3"]\n'
        'run = ["./p"]\n',
    )
    run = nnfs("run", "--port-dir", str(folder))
    assert run.returncode == 2
    first, *tail = run.stderr.splitlines()
    assert first.endswith(
        "build failed (exit 3): sh -c echo compiling; echo port.c:3: error: "
        "want a semicolon >&2; exit 3"
    )
    assert tail == ["    compiling", "    port.c:3: error: want a semicolon"]


def test_port_dir_and_a_port_command_are_one_or_the_other(tmp_path):
    folder = write_port(tmp_path / "p", 'name = "p"\nrun = ["./p"]\n')
    both = nnfs("run", "--port-dir", str(folder), "--", "python3", "port.py")
    assert both.returncode == 2 and "not both" in both.stderr
    neither = nnfs("run")
    assert neither.returncode == 2 and "--port-dir DIR" in neither.stderr


def test_the_port_runs_in_its_folder_with_its_own_expectations(tmp_path):
    """port.toml's relative paths are its folder's, and its expectations.toml is read."""
    folder = write_port(tmp_path / "p", 'name = "p"\nrun = ["python3", "relay.py"]\n')
    real = REPO / "ports" / "python" / "port.py"
    (folder / "relay.py").write_text(
        f"import os, sys\nos.execv(sys.executable, [sys.executable, {str(real)!r}])\n"
    )
    (folder / "expectations.toml").write_text(
        '[[expect]]\ncase = "relu/*"\nmode = "skip"\nreason = "not today"\n'
    )
    report = tmp_path / "r.json"
    run = nnfs(
        "run",
        "--port-dir",
        str(folder),
        "--stage",
        "relu",
        "--stage",
        "neuron",
        "--report-json",
        str(report),
        "-q",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    summary = json.loads(report.read_text())["summary"]
    assert summary["skipped"] > 0 and summary["passed"] > 0

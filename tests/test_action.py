"""The GitHub Action (action.yml) runs its shell steps here as GitHub would: a port's workflow of
three lines produces JUnit XML, the Markdown summary, the badge JSON and the HTML report."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ACTION = (REPO / "action.yml").read_text(encoding="utf-8")
WORKFLOW_INPUTS = {
    "port": f"{sys.executable} {REPO / 'ports' / 'python' / 'port.py'}",
    "args": "--stage 'relu*' --stage neuron",
}  # the three lines' `with:`


def action_inputs() -> dict[str, str]:
    """Every input of action.yml with its default ('' when it has none)."""
    block = ACTION.split("\ninputs:\n", 1)[1].split("\noutputs:\n", 1)[0]
    names = re.findall(r"^  (\w+):$", block, re.M)
    defaults = dict(re.findall(r"^  (\w+):\n(?:    .*\n)*?    default: (.*)$", block, re.M))
    return {name: defaults.get(name, "").strip('"') for name in names}


def shell_steps() -> list[tuple[dict[str, str], str]]:
    """(env, command) of every `shell: bash` step, with ${{ ... }} expressions resolved."""
    steps = []
    for step in ACTION.split("\n    - ")[1:]:
        if "shell: bash" not in step:
            continue
        env = dict(re.findall(r"^        (\w+): (.*)$", step, re.M))
        command = re.search(r"^      run: (.*)$", step, re.M).group(1)
        steps.append((env, command))
    return steps


def resolve(text: str, inputs: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        expression = match.group(1).strip()
        if expression == "github.action_path":
            return str(REPO)
        return inputs[expression.removeprefix("inputs.")]

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def run_step(inputs: dict[str, str], work: Path, runner_temp: Path, summary: Path | None = None):
    """The action's shell step, as GitHub runs it for a job whose temporary folder is
    runner_temp, in the port's checkout `work`."""
    ((env, command),) = shell_steps()
    environment = {
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "HOME": str(work),
        "RUNNER_TEMP": str(runner_temp),
    }
    if summary is not None:
        environment["GITHUB_STEP_SUMMARY"] = str(summary)
    environment |= {key: resolve(value, inputs) for key, value in env.items()}
    return subprocess.run(
        resolve(command, inputs),
        shell=True,
        cwd=work,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    """A job's RUNNER_TEMP: the action installs the suite there once per job."""
    return tmp_path_factory.mktemp("runner-temp")


@pytest.fixture(scope="module")
def ran(tmp_path_factory, job):
    work = tmp_path_factory.mktemp("port-repo")
    summary = work / "step-summary.md"
    return work, summary, run_step(action_inputs() | WORKFLOW_INPUTS, work, job, summary)


def test_the_action_has_one_shell_step_and_the_upload_of_its_folder():
    assert len(shell_steps()) == 1
    assert "uses: actions/upload-artifact@v4" in ACTION
    assert "path: ${{ inputs.out }}" in ACTION
    assert action_inputs() == {
        "port": "",
        "expectations": "",
        "args": "",
        "out": "nnfs-conformance",
    }


def test_a_three_line_workflow_writes_junit_summary_badge_and_html(ran):
    work, summary, status = ran
    assert status.returncode == 0, status.stderr[-2000:]
    out = work / "nnfs-conformance"
    suite = ET.parse(out / "junit.xml").getroot()
    assert int(suite.get("tests") or suite.find("testsuite").get("tests")) > 0
    assert "passed" in summary.read_text()
    badge = json.loads((out / "badge.json").read_text())
    assert badge["color"] == "brightgreen" and badge["message"].startswith(tuple("0123456789"))
    assert "<html" in (out / "report.html").read_text().lower()
    result = json.loads((out / "result.json").read_text())
    assert result["complete"] and result["filters"]["stages"] == ["relu*", "neuron"]


def test_a_red_port_makes_the_step_fail_and_still_writes_every_report(tmp_path, job, ran):
    """The job's second use of the action: its install of the suite is already there, and is
    not done again."""
    inputs = action_inputs() | {
        "port": f"{sys.executable} {REPO / 'tests' / 'fakes' / 'wrong_shape.py'}",
        "args": "--stage relu",
    }
    run = run_step(inputs, tmp_path, job)
    assert run.returncode == 1, run.stderr[-2000:]
    assert "--- installing" in ran[2].stdout and "--- installing" not in run.stdout
    out = tmp_path / "nnfs-conformance"
    assert {p.name for p in out.iterdir()} >= {
        "junit.xml",
        "summary.md",
        "badge.json",
        "result.json",
        "report.html",
    }
    assert json.loads((out / "badge.json").read_text())["color"] != "brightgreen"

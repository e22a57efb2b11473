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


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    work = tmp_path_factory.mktemp("port-repo")
    inputs = action_inputs() | WORKFLOW_INPUTS
    summary = work / "step-summary.md"
    statuses = []
    for env, command in shell_steps():
        environment = {
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "HOME": str(work),
            "RUNNER_TEMP": str(work / "runner-temp"),
            "GITHUB_STEP_SUMMARY": str(summary),
        }
        environment |= {key: resolve(value, inputs) for key, value in env.items()}
        statuses.append(
            subprocess.run(
                resolve(command, inputs),
                shell=True,
                cwd=work,
                env=environment,
                capture_output=True,
                text=True,
                timeout=600,
            )
        )
    return work, summary, statuses


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
    work, summary, statuses = ran
    assert [s.returncode for s in statuses] == [0], statuses[0].stderr[-2000:]
    out = work / "nnfs-conformance"
    suite = ET.parse(out / "junit.xml").getroot()
    assert int(suite.get("tests") or suite.find("testsuite").get("tests")) > 0
    assert "passed" in summary.read_text()
    badge = json.loads((out / "badge.json").read_text())
    assert badge["color"] == "brightgreen" and badge["message"].startswith(tuple("0123456789"))
    assert "<html" in (out / "report.html").read_text().lower()
    result = json.loads((out / "result.json").read_text())
    assert result["complete"] and result["filters"]["stages"] == ["relu*", "neuron"]


def test_a_red_port_makes_the_step_fail_and_still_writes_every_report(tmp_path):
    inputs = action_inputs() | {
        "port": f"{sys.executable} {REPO / 'tests' / 'fakes' / 'wrong_shape.py'}",
        "args": "--stage relu",
    }
    env, command = shell_steps()[0]
    environment = {
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "HOME": str(tmp_path),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
    }
    environment |= {key: resolve(value, inputs) for key, value in env.items()}
    run = subprocess.run(
        resolve(command, inputs),
        shell=True,
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 1, run.stderr[-2000:]
    out = tmp_path / "nnfs-conformance"
    assert {p.name for p in out.iterdir()} >= {
        "junit.xml",
        "summary.md",
        "badge.json",
        "result.json",
        "report.html",
    }
    assert json.loads((out / "badge.json").read_text())["color"] != "brightgreen"

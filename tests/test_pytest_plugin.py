"""The pytest plugin: `pytest --nnfs-port CMD` turns the suite's cases into pytest tests."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import pytest
from suite_factory import case, write_suite

pytest_plugins = ["pytester"]

FAKES = Path(__file__).resolve().parent / "plugin_fakes"
GOOD = shlex.join([sys.executable, str(FAKES / "good_port.py")])
BROKEN = shlex.join([sys.executable, str(FAKES / "broken_port.py")])
CASES = {
    "neuron": [
        case(
            "neuron/basic",
            "adds the bias to the weighted sum",
            {"inputs": [1.0, 2.0], "weights": [0.5, 0.25], "bias": 2.0},
            expected={"output": 3.0},
        ),
    ],
    "relu": [
        case(
            "relu/mixed-signs",
            "negatives become zero",
            {"inputs": [[-1.0, 0.0, 2.5]]},
            expected={"output": [[0.0, 0.0, 2.5]]},
            tol=0.0,
        ),
        case(
            "relu/ragged-rows",
            "ragged rows are an error",
            {"inputs": [[1.0], [1.0, 2.0]]},
            error="ragged_rows",
        ),
    ],
    "accuracy": [
        case(
            "accuracy/sparse-labels",
            "sparse labels are compared with argmax",
            {"y_pred": [[0.7, 0.3], [0.2, 0.8]], "y_true": [0, 0]},
            params={"label_format": "sparse"},
            expected={"predictions": [0, 1], "accuracy": 0.5},
        ),
        case(
            "accuracy/onehot-labels",
            "one-hot labels are compared with argmax",
            {"y_pred": [[0.7, 0.3]], "y_true": [[1, 0]]},
            params={"label_format": "onehot"},
            expected={"predictions": [0], "accuracy": 1.0},
        ),
    ],
}
IDS = [raw["id"] for raws in CASES.values() for raw in raws]


@pytest.fixture(scope="module")
def vectors(tmp_path_factory) -> Path:
    """A five-case suite: one case a port gets wrong, one crash, one not applicable."""
    directory = tmp_path_factory.mktemp("vectors")
    assert [c.id for c in write_suite(directory, CASES).cases()] == IDS
    return directory


def run(pytester, vectors, port, *args):
    """pytest in a subprocess, in an empty project, with the plugin pointed at `port`."""
    return pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "--rootdir",
        pytester.path,
        "--nnfs-port",
        port,
        "--nnfs-vectors",
        str(vectors),
        "--nnfs-timeout",
        "10",
        "-rA",
        *args,
    )


def test_a_correct_port_passes_every_applicable_case_and_skips_the_rest(pytester, vectors):
    outcome = run(pytester, vectors, GOOD, "-v")
    outcome.assert_outcomes(passed=4, skipped=1)
    outcome.stdout.fnmatch_lines(
        [
            "*collected 5 items",
            "nnfs::relu/mixed-signs PASSED*",
            "*SKIPPED*not applicable: the port does not declare label format 'onehot'*",
        ]
    )


def test_test_ids_are_the_case_ids_in_suite_order(pytester, vectors):
    outcome = run(pytester, vectors, GOOD, "--collect-only", "-q")
    collected = [line.split("nnfs::")[-1] for line in outcome.stdout.lines if "nnfs::" in line]
    assert collected == IDS


def test_failures_show_the_console_failure_block_with_a_rerun_command(pytester, vectors):
    outcome = run(pytester, vectors, BROKEN)
    outcome.assert_outcomes(passed=1, failed=3, skipped=1)
    outcome.stdout.fnmatch_lines(
        [
            "FAILED relu/mixed-signs: negatives become zero",
            "  why:     1 of 3 elements out of tolerance",
            "  worst:   output?0, 0?: got -1.0, want 0.0 (error 1, tol 0: exact case, *",
            f"  rerun:   nnfs-conform run --case relu/mixed-signs --vectors {vectors} -- *",
        ]
    )
    outcome.stdout.fnmatch_lines(
        ["FAILED relu/ragged-rows: *", "  why:     wanted error 'ragged_rows', got outputs"]
    )
    outcome.stdout.fnmatch_lines(
        [
            "ERRORED neuron/basic: adds the bias to the weighted sum",
            "  why:     port exited with status 3 without replying; stderr: *ZeroDivisionError*",
        ]
    )
    assert "Traceback" not in outcome.stdout.str()


def test_runs_with_two_xdist_workers_and_the_same_outcomes(pytester, vectors):
    outcome = run(pytester, vectors, BROKEN, "-n", "2")
    outcome.assert_outcomes(passed=1, failed=3, skipped=1)
    outcome.stdout.fnmatch_lines(["*2 workers*"])


def test_expectations_turn_known_failures_into_xfail_and_skip(pytester, vectors):
    expectations = pytester.path / "broken.toml"
    expectations.write_text(
        '[[expect]]\ncase = "relu/*"\nmode = "xfail"\nreason = "relu is '
        'wrong"\n\n[[expect]]\ncase = "neuron/basic"\nmode = "skip"\n'
        'reason = "crashes"\n'
    )
    outcome = run(pytester, vectors, BROKEN, "--nnfs-expectations", str(expectations))
    outcome.assert_outcomes(passed=1, xfailed=2, skipped=2)
    outcome.stdout.fnmatch_lines(["*skipped by the expectations file: crashes*"])


def test_an_xfail_case_that_passes_fails_the_run(pytester, vectors):
    expectations = pytester.path / "good.toml"
    expectations.write_text(
        '[[expect]]\ncase = "neuron/basic"\nmode = "xfail"\nreason = "thought it was broken"\n'
    )
    outcome = run(pytester, vectors, GOOD, "--nnfs-expectations", str(expectations))
    outcome.assert_outcomes(passed=3, failed=1, skipped=1)
    outcome.stdout.fnmatch_lines(
        ["XPASSED neuron/basic: *", "  why:     passed, but the expectations file says xfail*"]
    )


def test_an_expectation_that_matches_no_case_stops_the_run(pytester, vectors):
    expectations = pytester.path / "typo.toml"
    expectations.write_text('[[expect]]\ncase = "sofmax/*"\nmode = "skip"\nreason = "x"\n')
    outcome = run(pytester, vectors, GOOD, "--nnfs-expectations", str(expectations))
    assert outcome.ret == pytest.ExitCode.USAGE_ERROR
    outcome.stderr.fnmatch_lines([f"*{expectations}: case 'sofmax/*' matches no case*"])


def test_a_port_that_cannot_start_fails_every_applicable_case_with_one_reason(pytester, vectors):
    outcome = run(pytester, vectors, str(pytester.path / "no-such-port"))
    outcome.assert_outcomes(failed=5)
    outcome.stdout.fnmatch_lines(["*the port did not start: cannot start*no-such-port*"])


def test_invalid_vectors_are_a_one_line_usage_error(pytester, tmp_path):
    outcome = run(pytester, tmp_path, GOOD)
    assert outcome.ret == pytest.ExitCode.USAGE_ERROR
    outcome.stderr.fnmatch_lines(["*nnfs-conform: invalid vectors: *manifest.json: cannot read*"])
    assert "Traceback" not in outcome.stderr.str()


def test_without_nnfs_port_the_plugin_adds_no_tests(pytester):
    pytester.makepyfile(test_own="def test_own():\n    assert True\n")
    outcome = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v")
    outcome.assert_outcomes(passed=1)
    assert "nnfs::" not in outcome.stdout.str()
    outcome.stdout.fnmatch_lines(["*test_own.py::test_own PASSED*"])


def test_with_nnfs_port_only_the_suites_cases_are_collected_not_the_projects_tests(
    pytester, vectors
):
    pytester.makepyfile(test_own="def test_own_work():\n    assert False\n")
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\ntestpaths = ["."]\n')
    outcome = run(pytester, vectors, GOOD)
    outcome.assert_outcomes(passed=4, skipped=1)
    assert "test_own_work" not in outcome.stdout.str()


def test_without_nnfs_port_the_projects_tests_are_collected_as_usual(pytester):
    pytester.makepyfile(test_own="def test_own_work():\n    assert True\n")
    outcome = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    outcome.assert_outcomes(passed=1)


def started_port(pytester, wait: float, port: str = GOOD) -> str:
    """`port` behind a shell that notes its pid in `started` first, and a conftest that waits
    up to `wait` s, once pytest has collected, for that note: `seen` says if it came."""
    started, seen = pytester.path / "started", pytester.path / "seen"
    pytester.makeconftest(
        "import pathlib, time\n"
        f"started, seen = pathlib.Path({str(started)!r}), pathlib.Path({str(seen)!r})\n"
        "def pytest_collection_finish(session):\n"
        f"    deadline = time.monotonic() + {wait}\n"
        "    while not started.exists() and time.monotonic() < deadline:\n"
        "        time.sleep(0.01)\n"
        "    seen.write_text(str(started.exists()))\n"
    )
    return shlex.join(["sh", "-c", f"echo $$ > {started}; exec {port}"])


def test_the_port_starts_while_pytest_collects_the_cases(pytester, vectors):
    outcome = run(pytester, vectors, started_port(pytester, 10.0))
    outcome.assert_outcomes(passed=4, skipped=1)
    assert (pytester.path / "seen").read_text() == "True"  # before the first case ran


def test_collect_only_starts_no_port(pytester, vectors):
    outcome = run(pytester, vectors, started_port(pytester, 1.0), "--collect-only")
    assert outcome.ret == pytest.ExitCode.OK
    assert (pytester.path / "seen").read_text() == "False"


def test_a_port_started_for_cases_that_are_all_deselected_is_ended(pytester, vectors):
    deaf = started_port(pytester, 10.0, "sleep 60")  # would outlive pytest if not ended
    outcome = run(pytester, vectors, deaf, "-k", "no-such-case")
    assert outcome.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    pid = int((pytester.path / "started").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)

"""The renderers of the canonical result: JUnit XML, Markdown step summary, badge JSON."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from nnfs_conform.grading.result import exit_status
from nnfs_conform.reports.badge import badge, write_badge
from nnfs_conform.reports.junit import write_junit
from nnfs_conform.reports.markdown import MAX_FAILURES, render_markdown, write_markdown
from nnfs_conform.suite.stages import FORWARD, TRAINING, stage_names

HOSTILE = 'nul\x00 esc\x1b[31m <script>alert(1)</script> | `tick` &amp; ]]> "q" \ud800 \ufffe'
OUTCOMES = ("passed", "failed", "errored", "skipped", "xfailed", "xpassed", "not_applicable")


def case(case_id, outcome="passed", **fields):
    stage = case_id.split("/")[0]
    failing = outcome in ("failed", "errored", "xpassed")
    base = {
        "id": case_id,
        "stage": stage,
        "description": f"{case_id} does its job",
        "tags": [],
        "outcome": outcome,
        "message": None,
        "reason": None,
        "expected_error": None,
        "got_error": None,
        "worst": None,
        "problems": [],
        "duration_s": 0.002,
        "request": {"cmd": "run", "seq": 1, "id": case_id} if failing else None,
        "response": {"seq": 1, "outputs": {}} if failing else None,
        "wanted": {"output": [[0.6652409434]]} if failing else None,
        "rerun": f"nnfs-conform run --case '{case_id}' -- python3 port.py",
        "diagnosis": None,
    }
    if outcome == "failed":
        base["message"] = "1 of 3 elements out of tolerance"
        base["worst"] = {
            "output": "output",
            "index": [0, 2],
            "got": 0.5,
            "want": 0.6652409434,
            "error": 0.1652409434,
            "tol": 1e-12,
            "ratio": 1.65e11,
            "ulps": "Infinity",
        }
    elif outcome == "errored":
        base["message"] = "port crashed: exit status 1"
        base["got_error"] = {"kind": "crash", "message": "Traceback ..."}
    elif outcome in ("skipped", "xfailed", "xpassed"):
        base["reason"] = "softmax not written yet"
    elif outcome == "not_applicable":
        base["reason"] = "the port does not declare stage " + stage
    base.update(fields)
    return base


def result(*cases, complete=True, dtype="float64", name="my-port"):
    summary = dict.fromkeys(OUTCOMES, 0)
    for c in cases:
        summary[c["outcome"]] += 1
    summary["total"] = len(cases)
    return {
        "result_version": 1,
        "suite_version": "0.1.0",
        "protocol": 1,
        "port": {
            "name": name,
            "language": "python",
            "dtype": dtype,
            "version": None,
            "stages": ["softmax", "relu"],
            "label_formats": ["sparse"],
            "command": ["python3", "port.py"],
            "transport": "session",
        },
        "platform": {
            "system": "Linux",
            "machine": "x86_64",
            "python": "3.11.9",
            "runner_version": "0.1.0",
        },
        "started_at": "2025-01-02T03:04:05Z",
        "duration_s": 0.5,
        "filters": {"stages": [], "cases": [], "expectations": None, "require_all": False},
        "complete": complete,
        "incomplete_reason": None if complete else "the port stopped answering",
        "summary": summary,
        "cases": list(cases),
    }


MIXED = result(
    case("relu/a"),
    case("relu/b", "failed"),
    case("relu/c", "not_applicable"),
    case("softmax/a"),
    case("softmax/b", "errored"),
    case("softmax/c", "skipped"),
    case("softmax/d", "xfailed"),
    case("softmax/e", "xpassed"),
)


def junit(tmp_path, res):
    path = tmp_path / "junit.xml"
    write_junit(res, path)
    return ET.parse(path).getroot()


# JUnit


def test_junit_has_one_testsuite_per_stage_with_counts_that_match(tmp_path):
    root = junit(tmp_path, MIXED)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["relu", "softmax"]
    relu, softmax = suites["relu"], suites["softmax"]
    assert (relu.get("tests"), relu.get("failures"), relu.get("errors"), relu.get("skipped")) == (
        "3",
        "1",
        "0",
        "1",
    )
    assert (
        softmax.get("tests"),
        softmax.get("failures"),
        softmax.get("errors"),
        softmax.get("skipped"),
    ) == ("5", "1", "1", "2")
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "8",
        "2",
        "1",
        "3",
    )


def test_junit_testcases_are_named_by_case_id_and_classed_by_stage(tmp_path):
    root = junit(tmp_path, MIXED)
    names = [(t.get("classname"), t.get("name")) for t in root.iter("testcase")]
    assert names[:2] == [("nnfs.relu", "relu/a"), ("nnfs.relu", "relu/b")]
    assert all(float(t.get("time")) >= 0 for t in root.iter("testcase"))


def test_junit_failure_text_has_worst_element_problems_and_rerun(tmp_path):
    res = result(case("relu/b", "failed", problems=["output 'output' has shape [2], want [3]"]))
    failure = junit(tmp_path, res).find(".//testcase/failure")
    assert failure.get("message") == "1 of 3 elements out of tolerance"
    assert "output[0, 2]: got 0.5, want 0.6652409434" in failure.text
    assert "problem: output 'output' has shape [2], want [3]" in failure.text
    assert "rerun: nnfs-conform run --case 'relu/b' -- python3 port.py" in failure.text


DIAGNOSIS = {
    "id": "relu-inverted",
    "explanation": "ReLU kept the negatives <b>",
    "fix": "use max(0, x) | `now`",
}


def test_junit_and_markdown_failures_name_the_likely_mistake_and_its_fix(tmp_path):
    res = result(case("relu/b", "failed", diagnosis=DIAGNOSIS))
    failure = junit(tmp_path, res).find(".//testcase/failure")
    assert "likely: ReLU kept the negatives <b> [relu-inverted]" in failure.text
    assert "fix: use max(0, x) | `now`" in failure.text
    page = render_markdown(res)
    assert "likely: ReLU kept the negatives <b> [relu-inverted]" in page  # inside a code block
    assert "fix: use max(0, x) | `now`" in page


def test_junit_marks_xpassed_as_failure_and_xfailed_as_skipped(tmp_path):
    root = junit(tmp_path, MIXED)
    by_name = {t.get("name"): t for t in root.iter("testcase")}
    assert by_name["softmax/e"].find("failure").get("type") == "xpassed"
    assert "xfailed: softmax not written yet" in by_name["softmax/d"].find("skipped").get("message")
    assert by_name["relu/c"].find("skipped") is not None
    assert by_name["softmax/b"].find("error") is not None
    assert list(by_name["relu/a"]) == []


def test_junit_carries_port_and_suite_properties(tmp_path):
    suite = junit(tmp_path, MIXED).find("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props == {
        "port": "my-port",
        "language": "python",
        "dtype": "float64",
        "suite_version": "0.1.0",
    }


def test_junit_stays_valid_xml_with_hostile_port_output(tmp_path):
    hostile = case(
        "relu/b",
        "errored",
        message=HOSTILE,
        description=HOSTILE,
        got_error={"kind": HOSTILE, "message": HOSTILE},
        problems=[HOSTILE],
    )
    root = junit(tmp_path, result(hostile, name=HOSTILE))
    error = root.find(".//error")
    assert error.get("message").startswith("nul\\x00 esc\\x1b[31m <script>")
    assert "\\x00" in error.text and "\\x1b[31m" in error.text and "\x00" not in error.text
    assert root.find(".//property").get("value").startswith("nul\\x00")


def test_junit_adds_an_error_when_the_run_is_incomplete(tmp_path):
    root = junit(tmp_path, result(case("relu/a"), complete=False))
    assert root.get("errors") == "1" and root.get("tests") == "2"
    error = root.find(".//testcase[@name='run is complete']/error")
    assert "the port stopped answering" in error.get("message")


def test_junit_of_a_run_without_cases_is_an_empty_testsuites(tmp_path):
    root = junit(tmp_path, result())
    assert root.tag == "testsuites" and root.get("tests") == "0" and list(root) == []


# Markdown


def test_markdown_headline_names_port_and_ends_totals_with_the_summary_line():
    text = render_markdown(MIXED)
    assert "my-port" in text.splitlines()[0]
    assert "python, float64, suite 0.1.0" in text
    assert "**2 passed, 1 failed, 1 errored, 1 skipped, 1 xpassed**" in text
    assert "1 xfailed" in text and "1 xpassed" in text and "1 not applicable" in text
    assert "INCOMPLETE" not in text


def test_markdown_warns_when_the_run_is_incomplete():
    text = render_markdown(result(case("relu/a"), complete=False))
    assert "> **INCOMPLETE**: the port stopped answering" in text
    assert text.splitlines()[0].startswith("## ❌")


def test_markdown_headline_is_green_only_for_a_complete_clean_run():
    assert render_markdown(result(case("relu/a"))).startswith("## ✅")
    assert render_markdown(MIXED).startswith("## ❌")


def test_markdown_table_has_a_row_per_stage_with_its_counts():
    lines = render_markdown(MIXED).splitlines()
    header = next(line for line in lines if line.startswith("| stage"))
    assert header == "| stage | passed | failed | errored | skipped | n/a | xfailed | xpassed |"
    assert "| relu | 1 | 1 | 0 | 0 | 1 | 0 | 0 |" in lines
    assert "| softmax | 1 | 0 | 1 | 1 | 0 | 1 | 1 |" in lines


def test_markdown_table_leaves_out_xfail_columns_when_there_are_none():
    lines = render_markdown(result(case("relu/a"), case("relu/b", "failed"))).splitlines()
    assert "| stage | passed | failed | errored | skipped | n/a |" in lines
    assert "| relu | 1 | 1 | 0 | 0 | 0 |" in lines


def test_markdown_folds_each_failure_with_its_rerun_command():
    text = render_markdown(MIXED)
    assert text.count("<details>") == 3  # failed, errored, xpassed
    assert (
        "<summary><code>relu/b</code> (failed): 1 of 3 elements out of tolerance</summary>" in text
    )
    assert "worst element: output[0, 2]: got 0.5, want 0.6652409434" in text
    assert "```\nnnfs-conform run --case 'relu/b' -- python3 port.py\n```" in text


def test_markdown_shows_at_most_twenty_failures():
    many = result(*(case(f"relu/c{i:02}", "failed") for i in range(MAX_FAILURES + 5)))
    text = render_markdown(many)
    assert text.count("<details>") == MAX_FAILURES
    assert "... and 5 more" in text


def test_markdown_escapes_hostile_port_text():
    hostile = case("relu/b", "failed", message=HOSTILE, problems=["```\n</details><img src=x>"])
    text = render_markdown(result(hostile, name=HOSTILE))
    headline = text.splitlines()[0]
    assert "<script>" not in text.replace("```", "")[: text.find("```")]
    assert "&lt;script&gt;" in headline and "\\|" in headline and "\\`tick\\`" in headline
    assert "\x00" not in text and "\x1b" not in text
    summary = next(line for line in text.splitlines() if line.startswith("<summary>"))
    assert "&lt;script&gt;" in summary
    # the problem's backticks cannot close the code block: the fence is longer
    assert "````\nrelu/b" in text


def test_markdown_table_escapes_a_pipe_in_a_stage_name():
    text = render_markdown(result(case("re|lu/a")))
    assert "| re\\|lu | 1 |" in text


def test_write_markdown_appends_like_a_step_summary(tmp_path):
    path = tmp_path / "summary.md"
    path.write_text("# earlier step\n", encoding="utf-8")
    write_markdown(MIXED, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n") and text.endswith(render_markdown(MIXED))


# Badge


@pytest.mark.parametrize(
    ("cases", "complete", "color", "message"),
    [
        ([case("relu/a"), case("relu/n", "not_applicable")], True, "brightgreen", "1/1 float64"),
        ([case("relu/a")], False, "red", "1/1 float64 (incomplete)"),
        (
            [case(f"relu/{i}") for i in range(9)] + [case("relu/x", "failed")],
            True,
            "red",
            "9/10 float64",
        ),
        (
            [case(f"relu/{i}") for i in range(8)]
            + [case("relu/x", "xfailed"), case("relu/y", "skipped")],
            True,
            "brightgreen",
            "8/10 float64, 1 xfail, 1 skipped",
        ),
        ([case("relu/a"), case("relu/x", "xpassed")], True, "red", "1/2 float64"),
        ([case("relu/n", "not_applicable")], False, "red", "0/0 float64 (incomplete)"),
    ],
)
def test_badge_is_green_exactly_when_the_run_exits_0_and_counts_what_is_excused(
    cases, complete, color, message
):
    result_ = result(*cases, complete=complete)
    got = badge(result_)
    assert (got["color"], got["message"]) == (color, message)
    assert (got["color"] == "brightgreen") == (exit_status(result_) == 0)


def test_write_badge_writes_a_shields_endpoint_document(tmp_path):
    path = tmp_path / "badge.json"
    write_badge(result(case("relu/a"), dtype="float32"), path)
    assert json.loads(path.read_text()) == {
        "schemaVersion": 1,
        "label": "nnfs conformance",
        "message": "1/1 float32",
        "color": "brightgreen",
    }


# The console matrix


def _every_stage(name, failing=()):
    from nnfs_conform.reports.matrix import GROUPS

    stages = [stage for group in GROUPS.values() for stage in group]
    return result(
        *(case(f"{stage}/a", "failed" if stage in failing else "passed") for stage in stages),
        name=name,
    )


def test_the_console_matrix_is_grouped_and_fits_100_columns_with_failing_stages_named():
    from nnfs_conform.reports.matrix import render_console

    results = [
        _every_stage("a-port-with-a-rather-long-name-" + "x" * 60),
        _every_stage("broken", failing=("softmax", "training")),
    ]
    text = render_console(results)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[0].split() == ["port", "dtype", "forward", "training", "book", "verdict"]
    forward, training = len(stage_names(FORWARD)), len(stage_names(TRAINING))
    assert f"FAIL 1/{forward}" in lines[2] and f"FAIL 1/{training}" in lines[2]
    assert lines[2].endswith("red")
    assert lines[3] == "    failing: softmax 1/1, training 1/1"


def test_the_wide_console_matrix_has_a_column_per_stage():
    from nnfs_conform.reports.matrix import GROUPS, render_console

    text = render_console([_every_stage("p")], wide=True)
    header = text.splitlines()[0].split()
    assert header[2:-1] == [stage for group in GROUPS.values() for stage in group]

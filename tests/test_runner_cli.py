"""`nnfs-conform run`, `prompt`, `grade` and `expectations init`: exit statuses, filters,
transports, expectations, reports and the console's last line."""

from __future__ import annotations

import io
import json
import shlex
from collections import Counter

from runner_helpers import correct_port_module, run_cli
from suite_factory import default_cases, write_suite

from nnfs_conform import __version__
from nnfs_conform.grading import engine
from nnfs_conform.reports.console import Console

SUMMARY = r"^\d+ passed, \d+ failed, \d+ errored, \d+ skipped$"


def test_a_correct_port_passes_every_case_and_exits_0(cli):
    r = cli()
    assert r.status == 0
    assert r.result["complete"] and r.result["summary"]["passed"] == 8
    assert r.last_line == "8 passed, 0 failed, 0 errored, 0 skipped"


def test_the_observed_worst_error_is_recorded_for_passing_cases(cli):
    r = cli("--case", "neuron/book")
    assert r.case("neuron/book")["outcome"] == "passed"
    assert r.case("neuron/book")["worst"] == {
        "output": "output",
        "index": [],
        "got": 2.3,
        "want": 2.3,
        "error": 0.0,
        "tol": 1e-12,
        "ratio": 0.0,
        "ulps": 0.0,
    }


def test_a_failing_case_exits_1_and_prints_a_block_a_learner_can_act_on(cli):
    r = cli("--case", "relu/*", port="wrong_shape")
    assert r.status == 1
    assert "FAILED relu/basic: zeroes negatives and keeps positives" in r.out
    assert '  sent:    inputs {"inputs":[[-1,2],[3,-4]]}' in r.out
    assert '  got:     {"seq":4,"outputs":{"output":[[[0.0,2.0],[3.0,0.0]]]}}' in r.out
    assert '  wanted:  {"output":[[0,2],[3,0]]}' in r.out
    assert r.last_line == "0 passed, 3 failed, 0 errored, 0 skipped"


def test_the_worst_element_of_a_wrong_value_is_shown(cli, tmp_path):
    cases = default_cases()
    cases["relu"][0]["expected"]["float64"]["output"]["value"] = [[0, 2.5], [3, 0]]
    from nnfs_conform.suite.vectors import fingerprint

    cases["relu"][0]["fingerprint"] = fingerprint(cases["relu"][0])
    write_suite(tmp_path / "vectors", cases)
    r = cli("--case", "relu/basic")
    assert r.case("relu/basic")["message"] == "1 of 4 elements out of tolerance"
    assert "  worst:   output[0, 1]: got 2.0, want 2.5 (error 0.5, tol 1e-12, 5e+11 x tol" in r.out


def test_invalid_vectors_exit_2_without_running_the_port(cli, vectors):
    (vectors / "relu.json").write_text((vectors / "relu.json").read_text().replace("-4", "-5"))
    r = cli()
    assert r.status == 2 and r.result is None
    assert r.err.startswith("nnfs-conform: invalid vectors: ") and "sha256 differs" in r.err


def test_a_filter_matching_no_case_is_never_green_but_a_usage_error(cli):
    r = cli("--case", "softmax/*")
    assert r.status == 2 and r.result is None
    assert r.err.startswith("nnfs-conform: no case matches 'softmax/*'; ")


def test_a_run_where_every_case_is_not_applicable_is_never_green(cli):
    r = cli("--stage", "neuron", port="float32_port")
    assert r.status == 1
    assert r.result["incomplete_reason"] == "no applicable case was run"
    assert r.out.splitlines()[-3:] == [
        "(3 not applicable)",
        "INCOMPLETE: no applicable case was run",
        "0 passed, 0 failed, 0 errored, 0 skipped",
    ]


def test_stage_and_case_globs_select_cases_in_suite_order(cli):
    r = cli("--stage", "rel*")
    assert [c["id"] for c in r.result["cases"]] == [
        "relu/basic",
        "relu/infinities",
        "relu/negative-zero",
    ]
    r = cli("--stage", "relu", "--stage", "neuron", "--case", "*/b*")
    assert [c["id"] for c in r.result["cases"]] == ["neuron/book", "relu/basic"]
    r = cli("--case", "neuron/book", "--case", "accuracy/*")
    assert [c["id"] for c in r.result["cases"]] == [
        "neuron/book",
        "accuracy/sparse",
        "accuracy/onehot",
    ]


def test_undeclared_stages_and_label_formats_are_not_applicable_with_a_reason(cli):
    r = cli(port="float32_port")
    assert r.status == 0
    assert r.case("neuron/book")["reason"] == "the port does not declare stage 'neuron'"
    assert r.case("accuracy/onehot")["reason"] == "the port does not declare label format 'onehot'"
    assert r.result["summary"]["not_applicable"] == 4
    assert r.out.splitlines()[-2] == "(4 not applicable)"


def test_require_all_fails_what_the_port_does_not_declare(cli):
    r = cli("--require-all", port="float32_port")
    assert r.status == 1
    assert r.case("accuracy/onehot")["outcome"] == "failed"
    assert r.case("accuracy/onehot")["message"] == (
        "the port does not declare label format 'onehot' (--require-all)"
    )


def test_a_float32_port_is_graded_against_the_float32_tier(cli, tmp_path):
    cases = {"relu": default_cases()["relu"]}
    cases["relu"][0]["expected"]["float32"] = json.loads(
        json.dumps(cases["relu"][0]["expected"]["float64"])
    )
    cases["relu"][0]["expected"]["float32"]["output"]["value"] = [[0, 2.25], [3, 0]]
    from nnfs_conform.suite.vectors import fingerprint

    cases["relu"][0]["fingerprint"] = fingerprint(cases["relu"][0])
    write_suite(tmp_path / "vectors", cases)
    assert cli(port="correct").status == 0
    r = cli(port="float32_port")
    assert r.case("relu/basic")["worst"]["want"] == 2.25
    assert r.result["port"]["dtype"] == "float32"


def test_the_oneshot_transport_runs_one_process_per_case(cli, tmp_path):
    r = cli("--transport", "oneshot")
    assert r.status == 0 and r.result["port"]["transport"] == "oneshot"
    assert len((tmp_path / "pids").read_text().split()) == 1 + 8  # hello, then one per case


def test_the_rerun_command_reruns_just_that_case(cli, vectors, tmp_path, capsys, monkeypatch):
    r = cli("--transport", "oneshot", port="crash_once")
    rerun = r.case("relu/infinities")["rerun"]
    argv = shlex.split(rerun)
    assert argv[:4] == ["nnfs-conform", "run", "--case", "relu/infinities"]
    again = run_cli(argv[1:], tmp_path, capsys, monkeypatch)
    assert [c["id"] for c in again.result["cases"]] == ["relu/infinities"]
    assert again.result["port"]["transport"] == "oneshot"
    assert again.case("relu/infinities")["outcome"] == "errored"


def test_a_prompt_answered_in_full_grades_green(cli, tmp_path, monkeypatch):
    prompt = tmp_path / "prompt.json"
    assert cli(str(prompt), command="prompt").status == 0
    document = json.loads(prompt.read_text())
    _port = correct_port_module(monkeypatch)
    responses = {
        "protocol": 1,
        "port": _port.HELLO,
        "responses": [_port.answer(m) for m in reversed(document["requests"])],
    }
    answers = tmp_path / "responses.json"
    answers.write_text(json.dumps(responses))
    r = cli(str(answers), command="grade")
    assert r.status == 0 and r.result["port"]["transport"] == "file"
    assert r.result["summary"]["passed"] == 8

    responses["responses"] = responses["responses"][1:] + [
        responses["responses"][1],
        {"seq": 99, "outputs": {}},
    ]
    answers.write_text(json.dumps(responses))
    r = cli(str(answers), command="grade")
    assert r.status == 1
    assert r.case("accuracy/onehot")["message"] == "no response for seq 8"
    assert r.case("accuracy/sparse")["message"] == "2 responses for seq 7"
    assert r.result["incomplete_reason"] == (
        "the responses file answers 1 requests that were "
        "never made (seq 99): is it for another prompt?"
    )


def test_responses_with_unusable_seqs_are_reported_not_fatal(cli, tmp_path, monkeypatch):
    _port = correct_port_module(monkeypatch)
    responses = [{"seq": [1]}, {"seq": {"a": 1}}, {"seq": True}, "not an object", None]
    answers = tmp_path / "responses.json"
    answers.write_text(json.dumps({"protocol": 1, "port": _port.HELLO, "responses": responses}))
    r = cli(str(answers), command="grade")
    assert r.status == 1 and "Traceback" not in r.err
    assert r.result["summary"]["errored"] == 8
    assert "never made" in r.result["incomplete_reason"]


def test_a_responses_file_with_an_invalid_port_header_cannot_be_graded(cli, tmp_path):
    answers = tmp_path / "responses.json"
    answers.write_text(json.dumps({"protocol": 1, "port": {"name": "x"}, "responses": []}))
    r = cli(str(answers), command="grade")
    assert r.status == 2
    assert r.err == (
        f"nnfs-conform: {answers}: /port: hello reply is invalid: "
        "/: 'protocol' is a required property\n"
    )


def write_expectations(tmp_path, *entries):
    path = tmp_path / "expect.toml"
    path.write_text(
        "".join(f'[[expect]]\ncase = "{c}"\nmode = "{m}"\nreason = "known"\n' for c, m in entries)
    )
    return str(path)


def test_skip_hides_a_case_from_the_port_and_xfail_turns_a_failure_green(cli, tmp_path):
    path = write_expectations(tmp_path, ("relu/infinities", "xfail"), ("relu/basic", "skip"))
    r = cli("--expectations", path, "--stage", "relu", port="crash_once")
    assert r.status == 0
    assert [c["outcome"] for c in r.result["cases"]] == ["skipped", "xfailed", "passed"]
    assert r.out.splitlines()[-2:] == ["(1 xfailed)", "1 passed, 0 failed, 0 errored, 1 skipped"]


def test_an_unexpected_pass_of_an_xfail_case_fails_the_run(cli, tmp_path):
    path = write_expectations(tmp_path, ("relu/basic", "xfail"))
    r = cli("--expectations", path, "--stage", "relu")
    assert r.status == 1
    assert r.case("relu/basic")["outcome"] == "xpassed"
    assert "delete the entry 'relu/basic'" in r.case("relu/basic")["message"]


def test_an_expectation_matching_no_case_is_an_error(cli, tmp_path):
    r = cli("--expectations", write_expectations(tmp_path, ("relu/typo", "skip")))
    assert r.status == 2
    assert f"1 entries match no case of suite {__version__}: 'relu/typo'" in r.err


def test_expectations_init_writes_a_file_that_makes_the_same_run_green(
    cli, tmp_path, capsys, monkeypatch
):
    first = cli(port="crash_once")
    assert first.status == 1
    saved = tmp_path / "first.json"
    saved.write_text(json.dumps(first.result))
    out = tmp_path / "port.toml"
    init = run_cli(
        ["expectations", "init", "--from", str(saved), str(out)], tmp_path, capsys, monkeypatch
    )
    assert init.status == 0
    assert cli("--expectations", str(out), port="crash_once").status == 0


def test_junit_markdown_and_badge_reports_are_written(cli, tmp_path):
    paths = {flag: tmp_path / f"report.{flag}" for flag in ("junit", "markdown", "badge")}
    r = cli(
        *[arg for flag, path in paths.items() for arg in (f"--{flag}", str(path))],
        port="crash_once",
    )
    assert r.status == 1
    assert "relu/infinities" in paths["junit"].read_text()
    assert "relu/infinities" in paths["markdown"].read_text()
    assert json.loads(paths["badge"].read_text())["schemaVersion"] == 1


def test_quiet_prints_only_the_summary(cli):
    r = cli("-q", port="crash_once")
    assert r.out == "7 passed, 0 failed, 1 errored, 0 skipped\n"


def test_an_internal_error_is_one_line_asking_for_a_report(cli, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "grade", broken)
    r = cli()
    assert r.status == 2
    assert r.err == (
        "nnfs-conform: internal error: RuntimeError: boom (please report this at "
        "the nnfs-conformance issue tracker)\n"
    )


def test_without_filters_a_stage_with_fewer_results_than_promised_is_incomplete(vectors):
    from nnfs_conform.suite.vectors import load_suite

    suite = load_suite(vectors)
    full = Counter(c.stage for c in suite.cases())
    short = full - Counter(["neuron"])
    reason = engine.missing_promised(suite, short, {"stages": ["neuron", "relu"]})
    assert reason == "stage 'neuron' has 2 case results, the manifest promises 3"
    assert engine.missing_promised(suite, full, {"stages": ["neuron", "relu"]}) is None


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_drawn_on_a_terminal_and_not_in_a_pipe(vectors):
    result = {"id": "relu/basic", "outcome": "passed"}
    pipe, tty = io.StringIO(), Terminal()
    Console(err=pipe).progress(1, 2, result)
    Console(err=tty).progress(1, 2, result)
    assert pipe.getvalue() == ""
    assert tty.getvalue().startswith("\r[1/2] passed")

"""A port can be wrong in every way: the runner grades the case, says why in one line, goes on
and leaves no process behind (run_cli checks every recorded pid after each run)."""

from __future__ import annotations

import pytest
from runner_helpers import fake, pids_recorded, run_cli


@pytest.fixture
def run(tmp_path, vectors, capsys, monkeypatch):
    def run(port: str, *cases: str, options=()):
        selection = [arg for case in cases for arg in ("--case", case)]
        args = [
            "run",
            "--vectors",
            str(vectors),
            "--timeout",
            "0.5",
            "--handshake-timeout",
            "0.5",
            *selection,
            *options,
            "--",
            *fake(port),
        ]
        return run_cli(args, tmp_path, capsys, monkeypatch)

    return run


def test_a_port_that_crashes_on_every_run_is_restarted_and_each_case_errors_with_status_and_stderr(
    run, tmp_path
):
    r = run("crash_on_run", "relu/*")
    assert r.status == 1
    assert r.result["summary"]["errored"] == 3 and r.result["complete"]
    assert r.case("relu/basic")["message"] == (
        "port exited with status 3 without replying; stderr: 'ZeroDivisionError: division by zero'"
    )
    assert pids_recorded(tmp_path) == 3  # one fresh process per case after each crash


def test_a_port_that_never_answers_a_run_is_killed_after_the_timeout(run):
    r = run("hang_forever", "relu/basic")
    assert r.status == 1
    assert r.case("relu/basic")["outcome"] == "errored"
    assert r.case("relu/basic")["message"] == "no reply within 0.5 s (port killed)"
    assert r.case("relu/basic")["duration_s"] < 1.5


def test_a_port_that_never_answers_hello_fails_the_handshake_with_status_2(run):
    r = run("hang_in_hello")
    assert r.status == 2 and r.result is None
    assert r.err == (
        "nnfs-conform: the port failed the handshake: during hello: "
        "no reply within 0.5 s (port killed)\n"
    )


def test_a_port_that_exits_during_hello_fails_the_handshake_showing_its_stderr(run):
    r = run("exit_in_hello")
    assert r.status == 2
    assert (
        "port exited with status 1 without replying; stderr: 'error: cannot load weights.npy'"
        in r.err
    )


def test_a_reply_that_is_not_json_errors_the_case_quoting_the_reply(run):
    r = run("nonjson_reply", "relu/basic")
    assert r.status == 1
    case = r.case("relu/basic")
    assert case["message"] == (
        "the port printed text on stdout that is not a protocol reply: 'output is [0, 2]': "
        "print debug output to stderr"
    )
    assert case["response"] == "output is [0, 2]"
    assert case["request"]["id"] == "relu/basic"


def test_a_reply_line_longer_than_32_mib_errors_the_case_without_being_read_whole(run):
    r = run("huge_line", "relu/basic", "relu/infinities")
    assert r.status == 1
    assert {c["message"] for c in r.result["cases"]} == {
        "reply line longer than 33554432 bytes (not read further)"
    }


def test_a_port_that_floods_stderr_is_drained_and_still_passes(run):
    r = run("stderr_flood", "relu/*")
    assert r.status == 0
    assert r.result["summary"]["passed"] == 3


def test_a_reply_with_the_wrong_seq_errors_the_case(run):
    r = run("wrong_seq", "relu/basic")
    assert r.status == 1
    assert r.case("relu/basic")["message"] == "reply has seq 5, the request had seq 4"


def test_a_reply_without_the_stage_outputs_fails_naming_the_missing_output(run):
    r = run("missing_outputs", "relu/basic")
    assert r.status == 1
    assert r.case("relu/basic")["outcome"] == "failed"
    assert r.case("relu/basic")["message"] == "missing output 'output'"


def test_an_output_the_stage_does_not_have_fails_the_case_naming_it(run):
    r = run("extra_outputs", "relu/basic")
    assert r.case("relu/basic")["outcome"] == "failed"
    assert r.case("relu/basic")["message"] == "unexpected output 'debug' (the stage has ['output'])"


def test_outputs_of_the_wrong_shape_fail_the_case_with_both_shapes(run):
    r = run("wrong_shape", "relu/basic")
    assert r.case("relu/basic")["outcome"] == "failed"
    assert r.case("relu/basic")["message"] == "output 'output' has shape [1, 2, 2], want [2, 2]"


def test_booleans_strings_and_null_where_numbers_belong_fail_the_case(run):
    r = run("non_number", "relu/infinities")
    assert r.case("relu/infinities")["outcome"] == "failed"
    assert r.case("relu/infinities")["message"] == (
        "output 'output' is not a rectangular array of numbers"
    )


def test_an_error_reply_fails_a_valid_case_and_passes_an_invalid_case_of_that_kind(run):
    r = run("error_everywhere", "relu/basic", "neuron/length-mismatch")
    assert r.status == 1
    assert r.case("relu/basic")["message"] == (
        "the port reported error 'shape_mismatch' ('nope') on a valid case"
    )
    assert r.case("relu/basic")["got_error"] == {"kind": "shape_mismatch", "message": "nope"}
    assert r.case("neuron/length-mismatch")["outcome"] == "passed"


def test_a_port_speaking_another_protocol_version_fails_the_handshake(run):
    r = run("wrong_protocol_version")
    assert r.status == 2
    assert r.err == (
        "nnfs-conform: the port failed the handshake: "
        "the port speaks protocol 2, this runner speaks 1\n"
    )


def test_a_port_that_crashes_on_one_case_is_restarted_and_the_other_cases_pass(run, tmp_path):
    r = run("crash_once", "relu/*")
    assert r.status == 1
    assert r.case("relu/infinities")["message"] == "port was killed by SIGABRT without replying"
    assert [c["outcome"] for c in r.result["cases"]] == ["passed", "errored", "passed"]
    assert pids_recorded(tmp_path) == 2


def test_a_grandchild_of_a_hanging_port_is_killed_with_it(run, tmp_path):
    r = run("forks_child_and_hangs", "relu/basic")
    assert r.case("relu/basic")["message"] == "no reply within 0.5 s (port killed)"
    assert pids_recorded(tmp_path) == 2  # the port and its grandchild, both checked dead


def test_a_port_that_closes_stdout_but_keeps_running_is_killed(run):
    r = run("closes_stdout", "relu/basic")
    assert r.case("relu/basic")["outcome"] == "errored"
    assert r.case("relu/basic")["message"] == (
        "port closed its stdout without replying but kept running (killed)"
    )


def test_a_partial_line_times_out_showing_the_bytes_received(run):
    r = run("partial_line", "relu/basic")
    assert r.case("relu/basic")["message"] == (
        'no complete reply line within 0.5 s (got 16 bytes without a newline: \'{"seq": 4, "outp\')'
    )
    assert r.case("relu/basic")["response"] == '{"seq": 4, "outp'


def test_blank_lines_before_a_reply_are_skipped(run):
    r = run("blank_lines", "relu/*")
    assert r.status == 0 and r.result["summary"]["passed"] == 3


def test_a_log_line_before_a_reply_errors_the_case_and_does_not_shift_later_replies(run):
    r = run("junk_before_reply", "relu/basic", "relu/infinities")
    assert [c["message"] for c in r.result["cases"]] == [
        "the port printed text on stdout that is not a protocol reply: 'Loading model...': "
        "print debug output to stderr"
    ] * 2


def test_a_bare_nan_token_is_rejected_with_a_hint_to_write_the_string(run):
    r = run("bare_nan", "relu/basic")
    assert r.case("relu/basic")["message"].startswith(
        'reply is not JSON (bare NaN is not JSON; write the string "NaN")'
    )


def test_a_number_beyond_the_float64_range_is_rejected_not_read_as_infinity(run):
    r = run("overflowing_number", "relu/infinities")
    assert r.case("relu/infinities")["outcome"] == "errored"
    assert r.case("relu/infinities")["message"].startswith(
        'reply is not JSON (1e400 is beyond the float64 range; write "Infinity" if you mean it)'
    )


def test_a_port_that_cannot_be_restarted_marks_the_rest_not_run_and_the_run_incomplete(run):
    r = run("dies_after_first_start", "neuron/*", "relu/*")
    assert r.status == 1
    assert not r.result["complete"]
    messages = [c["message"] for c in r.result["cases"]]
    assert messages[0] == "port exited with status 3 without replying"
    assert messages[1].startswith(
        "port could not be restarted: during hello: port exited with status 4"
    )
    assert messages[3].startswith("not run: port could not be restarted (")
    assert (
        messages[4:]
        == [
            "not run: port could not be restarted (during hello: port exited with "
            "status 4 without replying; stderr: 'error: lock file exists')"
        ]
        * 2
    )
    assert r.result["incomplete_reason"] == "the port could not be restarted; 3 cases were not run"
    assert "INCOMPLETE: the port could not be restarted; 3 cases were not run" in r.out


def test_a_port_command_that_does_not_exist_cannot_be_started(
    tmp_path, vectors, capsys, monkeypatch
):
    r = run_cli(
        ["run", "--vectors", str(vectors), "--", str(tmp_path / "no-such-port")],
        tmp_path,
        capsys,
        monkeypatch,
    )
    assert r.status == 2
    assert r.err == f"nnfs-conform: cannot start {tmp_path / 'no-such-port'}: no such file\n"


def test_a_reply_nested_beyond_the_recursion_limit_is_an_errored_case_not_a_runner_crash(run):
    r = run("deeply_nested", "relu/basic", "accuracy/sparse")
    assert r.status == 1
    for case_id in ("relu/basic", "accuracy/sparse"):
        assert r.case(case_id)["outcome"] == "errored"
        assert r.case(case_id)["message"].startswith("reply is nested too deeply: ")


def test_stages_from_a_newer_suite_are_ignored_with_a_note(run):
    r = run("newer_stages")
    assert r.status == 0
    assert "ignored: conv2d_backward" in r.err


def test_requests_are_pipelined_so_a_port_may_read_ahead_before_answering(run, tmp_path):
    r = run("answers_in_pairs", "accuracy/*", "neuron/book", "neuron/zero-weights")
    assert r.status == 0 and r.result["summary"]["passed"] == 4
    assert pids_recorded(tmp_path) == 1


def test_requests_in_flight_behind_a_failure_go_to_the_fresh_process_in_order(run, tmp_path):
    r = run("crash_once", "neuron/*", "relu/*", "accuracy/*")
    outcomes = {c["id"]: c["outcome"] for c in r.result["cases"]}
    assert outcomes.pop("relu/infinities") == "errored"
    assert set(outcomes.values()) == {"passed"} and len(outcomes) == 7
    assert pids_recorded(tmp_path) == 2

"""What a port declares and what it may decline: input checks (opt-in, as the book checks
none), `unsupported` replies, label formats per stage, the stages it names as missing, and
the tag filters and tag expectations that select cases by why they exist."""

from __future__ import annotations

import json

import pytest
from runner_helpers import correct_port_module

from nnfs_conform.grading import engine
from nnfs_conform.grading.expectations import Expectations, ExpectationsError


def test_a_port_that_checks_no_inputs_is_green_on_every_valid_case(cli):
    r = cli(port="no_input_checks")
    assert r.status == 0, r.out
    assert r.case("neuron/length-mismatch")["outcome"] == "not_applicable"
    assert r.case("neuron/length-mismatch")["reason"] == engine.INPUT_CHECK
    assert r.result["summary"]["passed"] == 7
    assert r.result["summary"]["not_applicable_input_checks"] == 1
    assert r.result["port"]["checks_inputs"] is False
    assert (
        "1 input-check cases not applicable: declare checks_inputs to be graded on them"
        in r.out.splitlines()
    )
    assert r.last_line == "7 passed, 0 failed, 0 errored, 0 skipped"


def test_a_port_that_declares_checks_inputs_is_graded_on_the_invalid_cases(cli):
    r = cli(port="correct")
    assert r.case("neuron/length-mismatch")["outcome"] == "passed"
    assert r.result["summary"]["not_applicable_input_checks"] == 0
    assert r.result["port"]["checks_inputs"] is True
    assert "input-check" not in r.out


def test_require_all_fails_the_input_check_cases_of_a_port_that_checks_no_inputs(cli):
    r = cli("--require-all", port="no_input_checks")
    assert r.status == 1
    assert r.case("neuron/length-mismatch")["outcome"] == "failed"
    assert r.case("neuron/length-mismatch")["message"] == f"{engine.INPUT_CHECK} (--require-all)"


def test_an_exception_where_an_error_kind_is_wanted_fails_the_case(cli):
    r = cli(port="raises_on_invalid")
    assert r.status == 1
    case = r.case("neuron/length-mismatch")
    assert case["outcome"] == "failed"
    assert case["message"] == (
        "wanted error 'shape_mismatch', got error 'exception' "
        "('IndexError: list index out of range')"
    )


def test_a_declined_case_is_not_applicable_with_the_ports_reason_never_a_pass(cli):
    r = cli(port="declines_accuracy")
    assert r.status == 0
    for case_id in ("accuracy/sparse", "accuracy/onehot"):
        assert r.case(case_id)["outcome"] == "not_applicable"
        assert r.case(case_id)["reason"] == "declined by the port: accuracy is not written yet"
    assert r.result["summary"]["declined"] == 2 and r.result["summary"]["passed"] == 6
    assert "2 cases declined by the port (unsupported): not applicable" in r.out.splitlines()


def test_require_all_fails_a_declined_case(cli):
    r = cli("--require-all", port="declines_accuracy")
    assert r.status == 1
    assert r.case("accuracy/sparse")["outcome"] == "failed"
    assert r.case("accuracy/sparse")["message"] == (
        "declined by the port: accuracy is not written yet (--require-all)"
    )


def test_a_run_where_the_port_declines_every_case_is_not_green(cli):
    r = cli(port="declines_everything")
    assert r.status == 1
    assert r.result["summary"]["passed"] == 0 and r.result["summary"]["declined"] == 8
    assert r.result["complete"] is False
    assert "INCOMPLETE: no applicable case was run" in r.out


def test_an_unsupported_reply_without_a_reason_is_a_protocol_error(cli):
    r = cli("--case", "relu/basic", port="declines_without_reason")
    assert r.status == 1
    case = r.case("relu/basic")
    assert case["outcome"] == "errored"
    assert "unsupported must be a non-empty string" in case["message"]


def test_an_unsupported_reply_is_valid_under_validate_protocol(cli):
    r = cli("--validate-protocol", port="declines_accuracy")
    assert r.status == 0 and r.result["summary"]["declined"] == 2


def test_label_formats_may_be_declared_per_stage(cli):
    r = cli(port="label_formats_per_stage")
    assert r.status == 0
    assert r.case("accuracy/sparse")["outcome"] == "passed"
    assert r.case("accuracy/onehot")["reason"] == (
        "the port does not declare label format 'onehot'"
    )
    assert r.result["port"]["label_formats"] == {"accuracy": ["sparse"]}


def test_label_formats_per_stage_pass_the_hello_schema(cli):
    r = cli("--validate-protocol", port="label_formats_per_stage")
    assert r.status == 0


def test_the_stages_a_port_names_as_missing_are_shown_with_their_reason(cli):
    r = cli(port="names_missing_stages")
    assert r.status == 0
    assert (
        "not graded: accuracy (Accuracy_Categorical is not defined in my_nn.py)"
        in r.out.splitlines()
    )
    assert r.result["port"]["missing"] == {
        "accuracy": "Accuracy_Categorical is not defined in my_nn.py"
    }


def test_tag_keeps_only_cases_with_one_of_the_tags(cli):
    r = cli("--tag", "book", "--tag", "invalid")
    assert [c["id"] for c in r.result["cases"]] == ["neuron/book", "neuron/length-mismatch"]
    assert r.result["filters"]["tags"] == ["book", "invalid"]
    assert r.status == 0


def test_skip_tag_drops_every_case_with_the_tag(cli):
    r = cli("--skip-tag", "invalid")
    assert "neuron/length-mismatch" not in [c["id"] for c in r.result["cases"]]
    assert r.result["summary"]["total"] == 7 and r.status == 0
    assert r.result["filters"]["skip_tags"] == ["invalid"]


def test_a_tag_no_case_carries_is_a_usage_error_naming_the_closest(cli):
    r = cli("--tag", "bok")
    assert r.status == 2
    assert r.err == "nnfs-conform: no case has tag 'bok'; did you mean 'book'?\n"


def test_tag_filters_apply_to_the_prompt_file(cli, tmp_path):
    out = tmp_path / "prompt.json"
    r = cli("--tag", "book", str(out), command="prompt")
    assert r.status == 0 and "wrote 1 requests" in r.out


def _expectations(tmp_path, text):
    path = tmp_path / "expect.toml"
    path.write_text(text)
    return path


def test_an_expectations_entry_may_name_a_tag(cli, tmp_path):
    path = _expectations(tmp_path, '[[expect]]\ntag = "book"\nmode = "skip"\nreason = "later"\n')
    r = cli("--expectations", str(path))
    assert r.case("neuron/book")["outcome"] == "skipped"
    assert r.case("neuron/book")["reason"] == "later"
    assert r.status == 0


def test_an_exact_id_beats_a_tag_and_the_first_glob_or_tag_wins(tmp_path):
    path = _expectations(
        tmp_path,
        "\n".join(
            [
                "[[expect]]",
                'tag = "edge"',
                'mode = "skip"',
                'reason = "tag"',
                "[[expect]]",
                'case = "relu/*"',
                'mode = "skip"',
                'reason = "glob"',
                "[[expect]]",
                'case = "relu/basic"',
                'mode = "xfail"',
                'reason = "exact"',
            ]
        ),
    )
    loaded = Expectations.load(path)
    assert loaded.match("relu/basic", ("edge",)).reason == "exact"
    assert loaded.match("relu/other", ("edge",)).reason == "tag"
    assert loaded.match("relu/other", ()).reason == "glob"
    assert loaded.match("neuron/x", ("book",)) is None


def test_a_tag_entry_that_matches_no_case_is_an_error(cli, tmp_path):
    path = _expectations(tmp_path, '[[expect]]\ntag = "bok"\nmode = "skip"\nreason = "typo"\n')
    r = cli("--expectations", str(path))
    assert r.status == 2
    assert "1 entries match no case" in r.err and "'bok'" in r.err


def test_an_entry_with_both_case_and_tag_is_refused_in_one_line(tmp_path):
    path = _expectations(
        tmp_path, '[[expect]]\ncase = "a"\ntag = "b"\nmode = "skip"\nreason = "r"\n'
    )
    with pytest.raises(ExpectationsError, match=r"expect\[0\]: has both case and tag: give one"):
        Expectations.load(path)


def test_the_oneshot_transport_grades_a_declined_case_as_not_applicable(cli):
    r = cli("--transport", "oneshot", port="declines_accuracy")
    assert r.status == 0 and r.result["port"]["transport"] == "oneshot"
    assert r.result["summary"]["declined"] == 2


def test_a_responses_file_may_decline_a_case_and_omit_checks_inputs(cli, tmp_path):
    prompt = tmp_path / "prompt.json"
    assert cli(str(prompt), command="prompt").status == 0
    requests = json.loads(prompt.read_text())["requests"]
    hello = {
        "protocol": 1,
        "name": "blind",
        "language": "python",
        "dtype": "float64",
        "stages": ["relu"],
        "label_formats": ["sparse"],
    }
    responses = [
        {"seq": m["seq"], "unsupported": "no infinities on this GPU"}
        if m["id"] == "relu/infinities"
        else {"seq": m["seq"], "outputs": {"output": [[0, 2], [3, 0]]}}
        for m in requests
        if m["stage"] == "relu"
    ]
    answers = tmp_path / "responses.json"
    answers.write_text(json.dumps({"protocol": 1, "port": hello, "responses": responses}))
    r = cli("--stage", "relu", "--case", "relu/[bi]*", str(answers), command="grade")
    assert r.case("relu/basic")["outcome"] == "passed"
    assert r.case("relu/infinities")["reason"] == (
        "declined by the port: no infinities on this GPU"
    )
    assert r.status == 0


def _answered_prompt(cli, tmp_path, monkeypatch, *filters):
    """A prompt written with `filters`, and a responses file answering it correctly."""
    prompt = tmp_path / "prompt.json"
    assert cli(*filters, str(prompt), command="prompt").status == 0
    document = json.loads(prompt.read_text())
    _port = correct_port_module(monkeypatch)

    answers = tmp_path / "responses.json"
    answers.write_text(
        json.dumps(
            {
                "protocol": 1,
                "port": _port.HELLO,
                "responses": [_port.answer(m) for m in document["requests"]],
            }
        )
    )
    return prompt, answers, document


def test_grade_with_the_prompt_grades_the_cases_it_asked_without_repeating_its_filters(
    cli, tmp_path, monkeypatch
):
    prompt, answers, document = _answered_prompt(cli, tmp_path, monkeypatch, "--stage", "relu")
    assert document["filters"] == {"stages": ["relu"], "cases": [], "tags": [], "skip_tags": []}
    r = cli("--prompt", str(prompt), str(answers), command="grade")
    assert r.status == 0, r.out
    assert r.result["summary"]["passed"] == 3 and r.result["summary"]["errored"] == 0
    assert r.result["filters"]["stages"] == ["relu"]
    without = cli(str(answers), command="grade")
    assert without.status == 1 and without.result["summary"]["errored"] == 5


def test_grade_refuses_a_prompt_whose_filters_the_command_line_contradicts(
    cli, tmp_path, monkeypatch
):
    prompt, answers, _ = _answered_prompt(cli, tmp_path, monkeypatch, "--stage", "relu")
    r = cli("--prompt", str(prompt), "--stage", "neuron", str(answers), command="grade")
    assert r.status == 2 and "give --prompt alone" in r.err and r.err.count("\n") == 1


def test_the_last_line_names_an_expected_failure_that_passed(cli, tmp_path):
    path = _expectations(
        tmp_path, '[[expect]]\ncase = "relu/basic"\nmode = "xfail"\nreason = "was wrong"\n'
    )
    r = cli("--expectations", str(path))
    assert r.status == 1
    assert r.last_line == "7 passed, 0 failed, 0 errored, 0 skipped, 1 xpassed"

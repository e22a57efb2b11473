"""The runner's messages follow the protocol schema, and --validate-protocol says where a port's
JSON is wrong (the schemas themselves are checked in test_schemas.py)."""

from __future__ import annotations

import re

import jsonschema
import pytest
from runner_helpers import fake, run_cli
from suite_factory import write_suite

from nnfs_conform.port import protocol
from nnfs_conform.suite.vectors import schema


def test_the_messages_the_runner_builds_follow_the_schema(tmp_path):
    case = write_suite(tmp_path).cases()[0]
    assert protocol.schema_problems(protocol.hello_request("0.1.0"), "hello_request") == []
    assert protocol.schema_problems(protocol.run_request(case, 1), "run_request") == []
    assert protocol.schema_problems(protocol.BYE, "bye_request") == []


def test_a_run_request_carries_inputs_and_params_but_never_expected_values(tmp_path):
    case = write_suite(tmp_path).cases()[0]
    assert set(protocol.run_request(case, 7)) == {"cmd", "seq", "id", "stage", "inputs", "params"}


def test_messages_are_single_compact_utf8_lines():
    assert protocol.encode({"cmd": "run", "id": "é"}) == '{"cmd":"run","id":"é"}\n'.encode()


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_bare_non_finite_tokens_are_not_json(token):
    with pytest.raises(protocol.ProtocolError, match=re.escape(f'write the string "{token}"')):
        protocol.parse(f'{{"seq": 1, "outputs": {{"x": {token}}}}}'.encode())


def test_a_reply_with_both_outputs_and_error_is_refused():
    with pytest.raises(
        protocol.ProtocolError, match="exactly one of outputs, error and unsupported"
    ):
        protocol.check_reply({"seq": 1, "outputs": {}, "error": {"kind": "x"}}, 1)


def test_a_boolean_seq_is_not_the_request_seq():
    with pytest.raises(protocol.ProtocolError, match="reply has seq true, the request had seq 1"):
        protocol.check_reply({"seq": True, "outputs": {}}, 1)


@pytest.fixture
def vectors(tmp_path):
    write_suite(tmp_path / "vectors")
    return tmp_path / "vectors"


def test_validate_protocol_lists_every_problem_of_a_bad_hello_with_its_location(
    tmp_path, vectors, capsys, monkeypatch
):
    r = run_cli(
        ["run", "--vectors", str(vectors), "--validate-protocol", "--", *fake("bad_hello")],
        tmp_path,
        capsys,
        monkeypatch,
    )
    assert r.status == 2
    assert r.err == (
        "nnfs-conform: the port failed the handshake: hello reply is invalid: "
        "/dtype: 'float16' is not one of ['float64', 'float32']; "
        "/: 'label_formats' is a required property\n"
    )


def test_without_validate_protocol_a_bad_hello_still_fails_naming_the_first_problem(
    tmp_path, vectors, capsys, monkeypatch
):
    r = run_cli(
        ["run", "--vectors", str(vectors), "--", *fake("bad_hello")], tmp_path, capsys, monkeypatch
    )
    assert r.status == 2
    assert r.err == (
        "nnfs-conform: the port failed the handshake: hello reply is invalid: "
        "/dtype: 'float16' is not one of ['float64', 'float32']\n"
    )


def test_validate_protocol_refuses_a_reply_field_the_lenient_check_lets_through(
    tmp_path, vectors, capsys, monkeypatch
):
    base = ["run", "--vectors", str(vectors), "--case", "relu/basic"]
    lenient = run_cli([*base, "--", *fake("extra_reply_field")], tmp_path, capsys, monkeypatch)
    assert lenient.status == 0
    strict = run_cli(
        [*base, "--validate-protocol", "--", *fake("extra_reply_field")],
        tmp_path,
        capsys,
        monkeypatch,
    )
    assert strict.status == 1
    assert strict.case("relu/basic")["message"] == (
        "reply breaks the protocol at /: Additional properties are not allowed "
        "('debug' was unexpected)"
    )


def test_a_result_with_failures_and_non_finite_errors_follows_the_result_schema(
    tmp_path, vectors, capsys, monkeypatch
):
    r = run_cli(
        ["run", "--vectors", str(vectors), "--", *fake("crash_once")], tmp_path, capsys, monkeypatch
    )
    jsonschema.validate(r.result, schema("result"))
    infinities = r.case("relu/basic")
    assert infinities["worst"]["ratio"] == 0.0
    assert r.case("relu/infinities")["request"] is not None
    assert r.case("relu/basic")["request"] is None  # kept only for cases that did not pass

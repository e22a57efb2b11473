"""The expectations file: loading, matching, refusing malformed entries, writing a first one."""

from __future__ import annotations

import json

import pytest

from nnfs_conform.grading.expectations import (
    Expectation,
    Expectations,
    ExpectationsError,
    render_initial,
    write_initial,
)

IDS = ["softmax/basic", "softmax/large-logits-1000", "relu/negative-zero", "accuracy/ties"]


def write(tmp_path, text, name="port.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def entry(case, mode="xfail", reason="not written yet"):
    return f'[[expect]]\ncase = "{case}"\nmode = "{mode}"\nreason = "{reason}"\n'


def error_of(path) -> str:
    with pytest.raises(ExpectationsError) as info:
        Expectations.load(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path) + ": ")
    return message


def test_loads_toml_entries_in_file_order(tmp_path):
    path = write(tmp_path, "version = 1\n" + entry("softmax/*") + entry("relu/x", "skip", "hangs"))
    loaded = Expectations.load(path)
    assert loaded.entries == [
        Expectation("softmax/*", "xfail", "not written yet"),
        Expectation("relu/x", "skip", "hangs"),
    ]


def test_loads_the_same_shape_from_json(tmp_path):
    document = {"expect": [{"case": "softmax/*", "mode": "skip", "reason": "later"}]}
    path = write(tmp_path, json.dumps(document), "port.json")
    assert Expectations.load(path).entries == [Expectation("softmax/*", "skip", "later")]


def test_a_file_without_entries_expects_nothing(tmp_path):
    loaded = Expectations.load(write(tmp_path, "# nothing yet\n"))
    assert loaded.entries == [] and loaded.match("softmax/basic") is None


def test_an_exact_id_beats_an_earlier_glob(tmp_path):
    path = write(
        tmp_path, entry("softmax/*", reason="glob") + entry("softmax/basic", "skip", "exact")
    )
    loaded = Expectations.load(path)
    assert loaded.match("softmax/basic").reason == "exact"
    assert loaded.match("softmax/large-logits-1000").reason == "glob"


def test_the_first_matching_glob_wins(tmp_path):
    path = write(
        tmp_path, entry("softmax/large-*", reason="first") + entry("softmax/*", reason="second")
    )
    loaded = Expectations.load(path)
    assert loaded.match("softmax/large-logits-1000").reason == "first"
    assert loaded.match("softmax/basic").reason == "second"


def test_globs_are_case_sensitive_and_match_nothing_else(tmp_path):
    loaded = Expectations.load(write(tmp_path, entry("Softmax/*")))
    assert loaded.match("softmax/basic") is None
    assert loaded.match("relu/negative-zero") is None


def test_unmatched_lists_entries_that_match_no_case(tmp_path):
    path = write(tmp_path, entry("softmax/*") + entry("sofmax/basic") + entry("relu/nope"))
    unmatched = Expectations.load(path).unmatched(IDS)
    assert [e.pattern for e in unmatched] == ["sofmax/basic", "relu/nope"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (entry("a/b", mode="xfial"), 'expect[0]: mode must be "skip" or "xfail", got "xfial"'),
        (entry("a/b") + entry("a/c", reason=" "), "expect[1]: reason must be a non-empty string"),
        ('[[expect]]\ncase = "a/b"\nmode = "skip"\n', "expect[0]: missing reason"),
        (
            '[[expect]]\ncase = 3\nmode = "skip"\nreason = "x"\n',
            "expect[0]: case must be a non-empty string, got 3",
        ),
        (entry("a/b")[:-1] + '\nissue = "#1"\n', 'expect[0]: unknown key "issue"'),
        (entry("a/b") + entry("a/b"), 'expect[1]: case "a/b" repeats expect[0]'),
        ("version = 2\n", "version must be 1, got 2"),
        ("versoin = 1\n", 'unknown key "versoin"'),
        ('expect = "softmax/*"\n', "expect must be a list"),
        ("expect = [1]\n", "expect[0]: must be a table"),
        ("[[expect]\n", "not valid TOML"),
    ],
)
def test_a_malformed_toml_file_is_one_line_naming_file_and_entry(tmp_path, text, expected):
    assert expected in error_of(write(tmp_path, text))


def test_malformed_json_is_one_line(tmp_path):
    assert "not valid JSON" in error_of(write(tmp_path, '{"expect": [', "port.json"))


def test_a_json_list_at_top_is_refused(tmp_path):
    assert "must be a table" in error_of(write(tmp_path, "[]", "port.json"))


def test_an_unknown_suffix_is_refused(tmp_path):
    assert "must end in .toml or .json" in error_of(write(tmp_path, "", "port.yaml"))


def test_a_missing_file_is_one_line(tmp_path):
    assert "cannot read" in error_of(tmp_path / "absent.toml")


def result_with(*cases):
    return {
        "suite_version": "0.1.0",
        "started_at": "2025-01-02T03:04:05Z",
        "port": {"name": "my-port", "language": "python", "dtype": "float64"},
        "cases": [{"id": i, "outcome": o, "message": m, "reason": r} for i, o, m, r in cases],
    }


def test_write_initial_lists_failed_and_errored_cases_sorted_by_id(tmp_path):
    result = result_with(
        ("softmax/b", "failed", "1 of 6 elements out of tolerance", None),
        ("relu/a", "passed", None, None),
        ("accuracy/c", "errored", "port crashed: exit 1", None),
        ("layer/n", "not_applicable", None, "the port does not declare layer"),
    )
    path = tmp_path / "init.toml"
    write_initial(result, path)
    assert Expectations.load(path).entries == [
        Expectation("accuracy/c", "xfail", "port crashed: exit 1"),
        Expectation("softmax/b", "xfail", "1 of 6 elements out of tolerance"),
    ]


def test_write_initial_keeps_cases_already_expected_with_their_reasons(tmp_path):
    result = result_with(
        ("softmax/b", "xfailed", "still wrong", "softmax not written"),
        ("relu/a", "skipped", None, "hangs the port"),
    )
    path = tmp_path / "init.toml"
    write_initial(result, path)
    assert Expectations.load(path).entries == [
        Expectation("relu/a", "skip", "hangs the port"),
        Expectation("softmax/b", "xfail", "softmax not written"),
    ]


def test_write_initial_starts_with_a_comment_saying_how_it_was_made():
    text = render_initial(result_with())
    assert text.startswith(
        "# Expectations for my-port (python, float64), written by `nnfs-conform expectations init`"
    )
    assert "version = 1" in text


def test_write_initial_survives_hostile_messages(tmp_path):
    hostile = 'quote " back\\slash \x00nul \x1b[31mred\n"""\ud800 ]]'
    result = result_with(("softmax/b", "failed", hostile, None))
    result["port"]["name"] = "evil\nname\x07"
    path = tmp_path / "init.toml"
    write_initial(result, path)
    (loaded,) = Expectations.load(path).entries
    assert loaded.reason.startswith('quote " back\\slash')
    assert "\n" not in loaded.reason


def test_write_initial_writes_json_for_a_json_name(tmp_path):
    path = tmp_path / "init.json"
    write_initial(result_with(("softmax/b", "failed", "wrong", None)), path)
    assert Expectations.load(path).entries == [Expectation("softmax/b", "xfail", "wrong")]


def test_write_initial_gives_a_failure_without_message_a_reason(tmp_path):
    path = tmp_path / "init.toml"
    write_initial(result_with(("softmax/b", "errored", None, None)), path)
    assert Expectations.load(path).entries[0].reason == "errored (no message)"

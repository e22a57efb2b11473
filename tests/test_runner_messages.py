"""Messages a learner can act on: a crash shows its exception, not its last stack frame; stdout
chatter is named as such; the rerun line is the command that was run; a typo in a filter or a
port that cannot start is one line that says what to do.

The stderr texts in tests/data/stderr/ are real: capture.sh there builds and runs each tiny
crashing program with its own toolchain and keeps what it wrote (STATUS: how it exited)."""

from __future__ import annotations

import importlib
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
from runner_helpers import FAKES, fake, run_cli

import nnfs_conform
from nnfs_conform import cli, invocation
from nnfs_conform.port import crashes
from nnfs_conform.suite.vectors import schema

STDERR = Path(__file__).parent / "data" / "stderr"


def status(name: str) -> int:
    """How the program of fixture `name` exited when it was captured (negative: a signal)."""
    for line in (STDERR / "STATUS").read_text().splitlines():
        fixture, code = line.split()
        if fixture == name:
            return int(code)
    raise KeyError(name)


def summary(name: str) -> str:
    crash = crashes.read((STDERR / f"{name}.txt").read_text())
    return " | ".join(crash.summary)


@pytest.fixture
def run(tmp_path, vectors, capsys, monkeypatch):
    def run(port: str, *cases: str, options=(), env=None):
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        selection = [arg for case in cases for arg in ("--case", case)]
        args = [
            "run",
            "--vectors",
            str(vectors),
            "--timeout",
            "2",
            "--handshake-timeout",
            "5",
            *selection,
            *options,
            "--",
            *fake(port),
        ]
        return run_cli(args, tmp_path, capsys, monkeypatch)

    return run


@pytest.fixture
def replay(run):
    """Run one case against a port that dies as the captured program did, with its stderr."""

    def replay(name: str):
        return run(
            "replays_stderr",
            "relu/basic",
            env={"FAKE_STDERR": str(STDERR / f"{name}.txt"), "FAKE_EXIT": str(status(name))},
        )

    return replay


# 1. A crash shows the meaningful lines of stderr.


def test_java_crash_shows_the_exception_line_not_the_last_frame(replay):
    r = replay("java")
    case = r.case("relu/basic")
    assert case["message"] == (
        'port exited with status 1 without replying; stderr: \'Exception in thread "main" '
        "java.lang.ArrayIndexOutOfBoundsException: Index 2 out of bounds for length 2 | "
        "at Port.softmax(Port.java:4)'"
    )
    assert case["stderr"] == (
        'Exception in thread "main" java.lang.ArrayIndexOutOfBoundsException: Index 2 out of '
        "bounds for length 2\n    at Port.softmax(Port.java:4)\n    at Port.main(Port.java:10)"
    )
    jsonschema.validate(r.result, schema("result"))


def test_java_crash_with_a_cause_shows_the_root_cause_and_its_first_frame_outside_the_jdk():
    assert summary("java_caused") == (
        'Exception in thread "main" java.lang.IllegalStateException: cannot read the weights | '
        "at Caused.load(Caused.java:10) | "
        "Caused by: java.lang.NumberFormatException: multiple points | "
        "at Caused.parse(Caused.java:3)"
    )
    excerpt = crashes.read((STDERR / "java_caused.txt").read_text()).excerpt
    assert excerpt[-1] == "    ... (9 frames not shown)"  # the launcher's reflection frames
    assert len(excerpt) == 9


def test_a_real_python_crash_shows_the_exception_and_the_innermost_frame(run):
    r = run("raises_on_run", "relu/basic")
    case = r.case("relu/basic")
    assert re.fullmatch(
        r"port exited with status 1 without replying; stderr: 'ValueError: softmax: expected 3 "
        r"classes, got 2 \| File \"[^\"]*raises_on_run\.py\", line 8, in softmax'",
        case["message"],
    ), case["message"]
    assert case["stderr"].startswith("Traceback (most recent call last):\n")
    assert case["stderr"].endswith("\nValueError: softmax: expected 3 classes, got 2")


def test_python_crash_after_debug_output_shows_the_exception_and_the_innermost_frame():
    assert summary("python") == (
        "ValueError: softmax: expected 3 classes, got 2 | "
        'File "/tmp/nnfs-port/port.py", line 8, in softmax'
    )


def test_python_syntax_error_without_a_traceback_shows_the_error_and_the_line():
    assert summary("python_syntax") == (
        "SyntaxError: '(' was never closed | File \"/tmp/nnfs-port/port_syntax.py\", line 1"
    )


def test_go_crash_under_go_run_shows_the_panic_and_the_first_user_frame_not_exit_status(replay):
    r = replay("go")
    assert r.case("relu/basic")["message"] == (
        "port exited with status 1 without replying; stderr: 'panic: runtime error: index out of "
        "range [2] with length 2 | /tmp/nnfs-port/go/main.go:11 in main.softmax'"
    )


def test_rust_panic_shows_the_panic_line_and_its_message_not_the_backtrace_note(replay):
    r = replay("rust")
    assert re.fullmatch(
        r"port exited with status 101 without replying; stderr: \"thread 'main' \(\d+\) panicked "
        r"at src/main.rs:2:26: \| index out of bounds: the len is 2 but the index is 2\"",
        r.case("relu/basic")["message"],
    ), r.case("relu/basic")["message"]


def test_rust_backtrace_keeps_the_panic_and_only_the_ports_own_frames():
    crash = crashes.read((STDERR / "rust_backtrace.txt").read_text())
    assert crash.summary[1] == "index out of bounds: the len is 2 but the index is 2"
    assert [line.strip() for line in crash.excerpt if line.strip().startswith("at ")] == [
        "at ./src/main.rs:2:26",
        "at ./src/main.rs:2:40",
        "at ./src/main.rs:7:15",
    ]
    assert "    (14 frames of the Rust library not shown)" in crash.excerpt


def test_node_crash_shows_the_error_line_and_where_not_the_node_version(replay):
    r = replay("node")
    assert r.case("relu/basic")["message"] == (
        "port exited with status 1 without replying; stderr: 'TypeError: softmax: expected 3 "
        "classes, got 2 | /tmp/nnfs-port/port.js:3'"
    )
    assert "Node.js" not in r.case("relu/basic")["stderr"]


def test_node_error_thrown_inside_a_builtin_is_placed_at_the_first_frame_of_the_port():
    assert summary("node_json") == (
        "SyntaxError: Unexpected token 'l', \"loss 1.09\" is not valid JSON | "
        "at Object.<anonymous> (/tmp/nnfs-port/port_json.js:2:22)"
    )


def test_c_assert_shows_the_failed_assertion_and_the_signal(replay):
    r = replay("c_assert")
    assert r.case("relu/basic")["message"] == (
        "port was killed by SIGABRT without replying; stderr: 'port_c: port.c:5: softmax: "
        "Assertion `cols > 0 && \"a row needs at least one class\"\\' failed.'"
    )


def test_cpp_uncaught_exception_shows_its_type_and_what(replay):
    r = replay("cpp_terminate")
    assert r.case("relu/basic")["message"] == (
        'port was killed by SIGABRT without replying; stderr: "terminate called after throwing '
        "an instance of 'std::runtime_error' | what():  softmax: rows of different lengths\""
    )


def test_stderr_in_no_known_language_shows_its_last_line_as_before(run):
    r = run("crash_on_run", "relu/basic")
    assert r.case("relu/basic")["message"] == (
        "port exited with status 3 without replying; stderr: 'ZeroDivisionError: division by zero'"
    )


def test_the_failure_block_shows_the_stderr_excerpt_indented_under_the_case(replay):
    out = replay("go").out.splitlines()
    start = out.index("  stderr:  panic: runtime error: index out of range [2] with length 2")
    assert out[start + 1 : start + 7] == [
        "           goroutine 1 [running]:",
        "           main.softmax(...)",
        "               /tmp/nnfs-port/go/main.go:11",
        "           main.main()",
        "               /tmp/nnfs-port/go/main.go:18 +0x66",
        "           exit status 2",
    ]
    assert out[start - 1].startswith("  sent:    ")


def test_terminal_escapes_and_control_characters_never_reach_the_excerpt():
    text = (
        "\x1b[35mTraceback (most recent call last):\x1b[0m\n"
        '  File \x1b[35m"port.py"\x1b[0m, line \x1b[35m3\x1b[0m, in \x1b[35mf\x1b[0m\n'
        "\x1b[1;35mKeyError\x1b[0m: \x1b[35m'w'\x07\x00\x1b]0;title\x07\r\n"
    )
    crash = crashes.read(text)
    assert crash.summary == ["KeyError: 'w'", 'File "port.py", line 3, in f']
    assert crash.excerpt == [
        "Traceback (most recent call last):",
        '  File "port.py", line 3, in f',
        "KeyError: 'w'",
    ]


def test_a_crash_after_more_stderr_than_the_tail_keeps_is_still_found(tmp_path, run):
    noisy = tmp_path / "noisy.txt"
    noisy.write_text(
        "debug: "
        + "x" * 100
        + "\n" * 1
        + ("loss 1.0986 " * 10 + "\n") * 400
        + (STDERR / "java.txt").read_text()
    )
    r = run("replays_stderr", "relu/basic", env={"FAKE_STDERR": str(noisy), "FAKE_EXIT": "1"})
    assert (
        'stderr: \'Exception in thread "main" java.lang.ArrayIndex'
        in r.case("relu/basic")["message"]
    )


def test_a_long_traceback_keeps_its_header_and_its_last_lines_in_twenty_lines():
    frames = "".join(f'  File "port.py", line {n}, in f\n    f()\n' for n in range(1, 40))
    crash = crashes.read(f"Traceback (most recent call last):\n{frames}RecursionError: deep\n")
    assert len(crash.excerpt) == 20
    assert crash.excerpt[:2] == ["Traceback (most recent call last):", "... (61 lines)"]
    assert crash.excerpt[-1] == "RecursionError: deep"


# 2. Text on stdout that is not a reply is named as a print, with the fix.


def test_a_debug_print_on_stdout_says_print_debug_output_to_stderr(run):
    r = run("prints_loss", "relu/basic")
    case = r.case("relu/basic")
    assert case["message"] == (
        "the port printed text on stdout that is not a protocol reply: 'loss 1.09': "
        "print debug output to stderr"
    )
    assert case["response"] == "loss 1.09"


def test_a_banner_before_the_hello_reply_fails_the_handshake_naming_the_print(run):
    r = run("prints_in_hello")
    assert r.status == 2
    assert r.err == (
        "nnfs-conform: the port failed the handshake: the port printed text on stdout that is "
        "not a protocol reply: 'Neural network ready (2 layers)': print debug output to stderr\n"
    )


def test_a_banner_before_the_hello_reply_is_named_over_the_oneshot_transport_too(run):
    r = run("prints_in_hello", options=["--transport", "oneshot"])
    assert r.status == 2
    assert "the port printed text on stdout that is not a protocol reply: 'Neural" in r.err


def test_json_garbage_that_starts_with_a_brace_keeps_the_precise_json_message(run):
    r = run("bare_nan", "relu/basic")
    assert r.case("relu/basic")["message"].startswith(
        'reply is not JSON (bare NaN is not JSON; write the string "NaN")'
    )


# 3. The rerun line is the command that was run, with every grading option.

RUNNER = Path(sys.executable).parent / "nnfs-conform"


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAKE_")}
    return subprocess.run(
        command, shell=True, cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


def rerun_lines(out: str) -> list[str]:
    return [
        line.split("rerun:", 1)[1].strip()
        for line in out.splitlines()
        if line.startswith("  rerun:")
    ]


def test_the_printed_rerun_line_run_by_a_shell_reruns_that_one_case_with_the_same_verdict(
    tmp_path, vectors
):
    runner = os.path.relpath(RUNNER, tmp_path)  # as a learner types .venv/bin/nnfs-conform
    port = shlex.join(fake("wrong_shape"))
    first = shell(
        f"{shlex.quote(runner)} run --vectors vectors --stage relu --timeout 3 "
        f"--handshake-timeout 7 --transport oneshot --validate-protocol "
        f"--report-json out.json -q -- {port}",
        tmp_path,
    )
    assert first.returncode == 1, first.stderr
    assert first.stdout.splitlines()[-1] == "0 passed, 3 failed, 0 errored, 0 skipped"
    [line] = [
        c["rerun"]
        for c in json.loads((tmp_path / "out.json").read_text())["cases"]
        if c["id"] == "relu/basic"
    ]
    assert line == (
        f"{shlex.quote(runner)} run --case relu/basic --vectors vectors "
        f"--validate-protocol --transport oneshot --timeout 3.0 "
        f"--handshake-timeout 7.0 -- {port}"
    )
    again = shell(line, tmp_path)
    assert again.returncode == 1, again.stderr
    assert again.stdout.splitlines()[-1] == "0 passed, 1 failed, 0 errored, 0 skipped"
    assert "FAILED relu/basic: " in again.stdout
    assert rerun_lines(again.stdout) == [line]


def test_a_grade_run_through_python_m_prints_a_rerun_line_through_the_same_interpreter(
    tmp_path, vectors, monkeypatch
):
    prompt = shell(
        f"{shlex.quote(sys.executable)} -m nnfs_conform prompt --vectors vectors "
        "--stage neuron prompt.json",
        tmp_path,
    )
    assert prompt.returncode == 0, prompt.stderr
    monkeypatch.delenv("FAKE_PIDS", raising=False)
    monkeypatch.syspath_prepend(str(Path(__file__).parent / "fakes"))
    _port = importlib.import_module("_port")
    requests = json.loads((tmp_path / "prompt.json").read_text())["requests"]
    answers = [_port.answer(m) for m in requests]
    answers[0] = {"seq": answers[0]["seq"], "outputs": {"output": 0.5}}
    (tmp_path / "responses.json").write_text(
        json.dumps({"protocol": 1, "port": _port.HELLO, "responses": answers})
    )
    first = shell(
        f"{shlex.quote(sys.executable)} -m nnfs_conform grade --vectors vectors "
        "--stage neuron --require-all responses.json",
        tmp_path,
    )
    assert first.returncode == 1, first.stderr
    [line] = rerun_lines(first.stdout)
    case_id = requests[0]["id"]
    assert line == (
        f"{shlex.quote(sys.executable)} -m nnfs_conform grade --case {case_id} "
        "--vectors vectors --require-all responses.json"
    )
    again = shell(line, tmp_path)
    assert again.returncode == 1
    assert again.stdout.splitlines()[-1] == "0 passed, 1 failed, 0 errored, 0 skipped"


def test_an_option_added_to_the_parser_later_is_carried_by_the_rerun_line():
    parser = cli.build_parser()
    run = next(a for a in parser._actions if a.dest == "command").choices["run"]
    run.add_argument("--future-filter", action="append", default=[], metavar="X")
    args = parser.parse_args(
        [
            "run",
            "--future-filter",
            "random",
            "--future-filter",
            "book",
            "--skip-tag",
            "invalid",
            "--case",
            "relu/*",
            "--junit",
            "j.xml",
            "--",
            "./port",
        ]
    )
    assert invocation.rerun(args, "relu/basic") == (
        "nnfs-conform run --case relu/basic --skip-tag invalid --future-filter random "
        "--future-filter book -- ./port"
    )
    once = invocation.rerunner(args)  # what a run uses: the words around the id built once
    for case_id in ("relu/basic", "relu/it's", "neuron/a b", "-x"):
        assert once(SimpleNamespace(id=case_id)) == invocation.rerun(args, case_id)
    args = parser.parse_args(["run", "--case", "relu/*"])
    assert invocation.rerunner(args)(SimpleNamespace(id="a")) == invocation.rerun(args, "a")


def test_the_runner_is_named_as_it_was_invoked(tmp_path, monkeypatch):
    assert invocation.program([".venv/bin/nnfs-conform"], []) == [".venv/bin/nnfs-conform"]
    assert invocation.program(["nnfs-conform"], []) == ["nnfs-conform"]
    main_py = str(Path(cli.__file__).with_name("__main__.py"))
    assert invocation.program(
        [main_py], ["python3", "-X", "utf8", "-m", "nnfs_conform", "run"]
    ) == ["python3", "-X", "utf8", "-m", "nnfs_conform"]
    on_path = tmp_path / "nnfs-conform"
    on_path.write_text("#!/bin/sh\n")
    on_path.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert invocation.program([str(on_path)], []) == ["nnfs-conform"]  # the shell found it


# 4. --version


def test_version_prints_the_runner_suite_and_protocol_versions_and_exits_0():
    done = subprocess.run([str(RUNNER), "--version"], capture_output=True, text=True, timeout=60)
    manifest = json.loads((Path(__file__).parent.parent / "vectors" / "manifest.json").read_text())
    assert done.returncode == 0
    assert done.stdout == (
        f"nnfs-conform {nnfs_conform.__version__} (suite {manifest['suite_version']}, protocol 1)\n"
    )


def test_version_still_answers_when_the_bundled_manifest_cannot_be_read(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr("nnfs_conform.suite.vectors.default_vectors_dir", lambda: tmp_path)
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == (
        f"nnfs-conform {nnfs_conform.__version__} (suite unreadable, protocol 1)\n"
    )


# 5. A --stage or --case glob that matches nothing is a usage error naming the closest names.


@pytest.mark.parametrize("command", ["run", "prompt", "grade"])
def test_a_misspelt_stage_is_a_usage_error_with_the_closest_stage(
    command, tmp_path, vectors, capsys, monkeypatch
):
    responses = tmp_path / "responses.json"
    responses.write_text(
        json.dumps(
            {
                "protocol": 1,
                "responses": [],
                "port": {
                    "protocol": 1,
                    "name": "x",
                    "language": "c",
                    "dtype": "float64",
                    "stages": ["relu"],
                    "label_formats": ["sparse"],
                },
            }
        )
    )
    tail = {
        "run": ["--", *fake("correct")],
        "prompt": [str(tmp_path / "p.json")],
        "grade": [str(responses)],
    }[command]
    r = run_cli(
        [command, "--vectors", str(vectors), "--stage", "rleu", *tail],
        tmp_path,
        capsys,
        monkeypatch,
    )
    assert r.status == 2 and r.result is None
    assert r.err == "nnfs-conform: no stage matches 'rleu'; did you mean 'relu'?\n"
    assert not (tmp_path / "pids").exists() and not (tmp_path / "p.json").exists()


def test_a_stage_glob_matching_nothing_and_like_nothing_lists_the_stages(run):
    r = run("correct", options=["--stage", "conv*"])
    assert r.status == 2
    assert r.err == (
        "nnfs-conform: no stage matches 'conv*'; the stages are neuron, relu, accuracy\n"
    )


def test_a_misspelt_case_id_is_a_usage_error_with_the_closest_ids(run):
    r = run("correct", "relu/basci")
    assert r.status == 2 and r.result is None
    assert r.err == "nnfs-conform: no case matches 'relu/basci'; did you mean 'relu/basic'?\n"


def test_a_case_glob_with_a_misspelt_stage_suggests_the_stage_glob(run):
    r = run("correct", "rleu/*")
    assert r.err == "nnfs-conform: no case matches 'rleu/*'; did you mean 'relu/*'?\n"


def test_a_case_of_a_stage_that_the_stage_filter_leaves_out_says_so(run):
    r = run("correct", "neuron/book", options=["--stage", "relu"])
    assert r.status == 2
    assert r.err == (
        "nnfs-conform: no case of the selected stages (relu) matches 'neuron/book': "
        "--stage leaves out stage 'neuron'\n"
    )


def test_every_case_glob_must_match_not_just_one(run):
    r = run("correct", "relu/basic", "relu/nope-at-all")
    assert r.status == 2
    assert r.err.startswith("nnfs-conform: no case matches 'relu/nope-at-all'; ")


# 6. A port that cannot start gets the fix, in one line.


@pytest.fixture
def start(tmp_path, vectors, capsys, monkeypatch):
    """`nnfs-conform run -- COMMAND` in tmp_path, where the port's files are."""
    monkeypatch.chdir(tmp_path)

    def start(*command: str, options=()):
        return run_cli(
            ["run", "--vectors", str(vectors), *options, "--", *command],
            tmp_path,
            capsys,
            monkeypatch,
        )

    return start


def script(path: Path, text: str, mode: int) -> None:
    path.write_text(text)
    path.chmod(mode)


def test_a_script_without_the_execute_bit_says_chmod_or_run_it_through_its_interpreter(
    start, tmp_path
):
    script(tmp_path / "port.py", (FAKES / "correct.py").read_text(), 0o644)
    r = start("./port.py")
    assert r.status == 2 and r.result is None
    assert r.err == (
        "nnfs-conform: cannot start ./port.py: permission denied: make it executable "
        "(chmod +x ./port.py) or run it through its interpreter "
        "(nnfs-conform run -- python3 ./port.py)\n"
    )


def test_a_missing_program_says_no_such_file_and_asks_whether_it_was_built(start, tmp_path):
    assert start("./myport").err == "nnfs-conform: cannot start ./myport: no such file\n"
    (tmp_path / "Cargo.toml").write_text("[package]\n")
    assert start("./target/release/port").err == (
        "nnfs-conform: cannot start ./target/release/port: no such file: did you build it? "
        "(Cargo.toml is there)\n"
    )


def test_a_script_whose_shebang_interpreter_is_missing_names_that_interpreter(start, tmp_path):
    script(tmp_path / "port.py", "#!/nonexistent/bin/python9\nprint('hi')\n", 0o755)
    r = start("./port.py")
    assert r.status == 2
    assert r.err == (
        "nnfs-conform: cannot start ./port.py: the interpreter its #! line names, "
        "/nonexistent/bin/python9, is not installed: install it or run it through its "
        "interpreter (nnfs-conform run -- python3 ./port.py)\n"
    )


def test_a_bare_name_not_on_path_says_so_and_points_at_the_file_here(start, tmp_path):
    script(tmp_path / "myport", "#!/bin/sh\n", 0o755)
    assert start("myport").err == (
        "nnfs-conform: cannot start myport: no program named 'myport' on PATH: "
        "to run the file in this folder, say ./myport\n"
    )


def test_a_script_without_a_shebang_says_it_needs_one(start, tmp_path):
    script(tmp_path / "port.js", "console.log('hi')\n", 0o755)
    assert start("./port.js", options=["--transport", "oneshot"]).err == (
        "nnfs-conform: cannot start ./port.js: not a program this system can run (exec format "
        "error): a script needs a #! line or run it through its interpreter "
        "(nnfs-conform run -- node ./port.js)\n"
    )

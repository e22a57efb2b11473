"""The runner survives anything a port, a file, a signal or a full disk does, and never loses a
result: a gallery of attacks, each ending with one clear line and the right exit status, no
traceback, no hang, no process left (found by walking this process's descendants) and every
graded case kept."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from runner_helpers import (
    assert_no_descendants,
    assert_no_leftovers,
    descendants,
    fake,
    pids_recorded,
    run_cli,
)

from nnfs_conform import files
from nnfs_conform.cli import main
from nnfs_conform.grading import result as results
from nnfs_conform.port import proctree, protocol
from nnfs_conform.suite.vectors import REPO

ESCAPES = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")  # \t and \n aside


def one_line(err: str) -> str:
    """The single line a refused run prints on stderr, checked to be one without a traceback."""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err and "internal error" not in err, err
    return err.rstrip("\n")


@pytest.fixture
def run(tmp_path, vectors, capsys, monkeypatch):
    def run(port: str, *cases: str, options=(), report: bool = True, timeout: str = "2"):
        selection = [arg for case in cases for arg in ("--case", case)]
        args = [
            "run",
            "--vectors",
            str(vectors),
            "--timeout",
            timeout,
            "--handshake-timeout",
            "5",
            *selection,
            *options,
            "--",
            *fake(port),
        ]
        return run_cli(args, tmp_path, capsys, monkeypatch, report=report)

    return run


def cli(args: list[str], capsys) -> tuple[int, str, str]:
    before = descendants()
    status = main(args)
    out, err = capsys.readouterr()
    assert_no_descendants(before)
    return status, out, err


def spawn(args: list[str], tmp_path: Path, **options) -> subprocess.Popen:
    """`python -m nnfs_conform ARGS` as its own process, TMPDIR an empty folder of its own."""
    (tmp_path / "tmp").mkdir(exist_ok=True)
    (tmp_path / "state").mkdir(exist_ok=True)
    env = dict(
        os.environ,
        FAKE_PIDS=str(tmp_path / "pids"),
        FAKE_STATE=str(tmp_path / "state"),
        TMPDIR=str(tmp_path / "tmp"),
        PYTHONPATH=str(REPO / "tests"),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "nnfs_conform", *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **options,
    )


# --- orphans: the whole process tree is the runner's ------------------------------------------


def test_the_clock_read_before_a_port_starts_is_at_or_below_its_start_time_in_proc():
    """A port's tree is counted from proctree.now() read before it starts: the kernel's own
    start time of the process, in the same ticks, is never earlier."""
    for _ in range(20):
        since = proctree.now()
        child = subprocess.Popen(["true"])
        started = proctree._stat(child.pid)
        child.wait()
        assert since is not None and started is not None
        assert since <= started[2] <= proctree.now()


@pytest.mark.parametrize("transport", ["session", "oneshot"])
def test_a_daemon_that_left_the_ports_session_is_killed_with_the_port(run, tmp_path, transport):
    r = run("daemonizes", "relu/*", options=("--transport", transport))
    assert r.status == 0 and r.result["summary"]["passed"] == 3
    starts = 1 if transport == "session" else 4  # one-shot: the hello, then one per case
    assert pids_recorded(tmp_path) == 2 * starts  # each start: the port and its daemon, dead


def _answered(tmp_path: Path) -> int:
    path = tmp_path / "state" / "answered"
    return len(path.read_text().split()) if path.exists() else 0


@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["SIGTERM", "SIGHUP", "SIGINT"]
)
def test_a_signal_mid_run_stops_it_kills_the_port_and_writes_every_graded_case(
    tmp_path, vectors, sig
):
    before = descendants()
    report = tmp_path / "result.json"
    proc = spawn(
        [
            "run",
            "--vectors",
            str(vectors),
            "--report-json",
            str(report),
            "--",
            *fake("slow_answers"),
        ],
        tmp_path,
    )
    deadline = time.monotonic() + 20
    while _answered(tmp_path) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    answered = _answered(tmp_path)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    name = signal.Signals(sig).name
    assert proc.returncode == 128 + sig, (out, err)
    assert "Traceback" not in err and err == ""
    assert f"INCOMPLETE: interrupted by {name}: " in out
    assert re.fullmatch(r"\d+ passed, 0 failed, 0 errored, 0 skipped", out.splitlines()[-1])
    result = json.loads(report.read_text())
    assert not result["complete"] and result["incomplete_reason"].startswith(
        f"interrupted by {name}: "
    )
    graded = [case["outcome"] for case in result["cases"]]
    assert len(graded) >= answered - 1 >= 2 and set(graded) == {"passed"}
    assert result["summary"]["passed"] == len(graded)
    assert list((tmp_path / "tmp").iterdir()) == []  # the spool is never left behind
    assert_no_leftovers(tmp_path / "pids")
    assert_no_descendants(before)


def test_a_signal_during_the_handshake_ends_the_port_with_one_line(tmp_path, vectors):
    before = descendants()
    proc = spawn(
        [
            "run",
            "--vectors",
            str(vectors),
            "--handshake-timeout",
            "86400",
            "--",
            *fake("slow_hello"),
        ],
        tmp_path,
    )
    deadline = time.monotonic() + 20
    while pids_recorded(tmp_path) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 128 + signal.SIGTERM
    assert one_line(err) == "nnfs-conform: interrupted by SIGTERM before any case was graded"
    assert_no_leftovers(tmp_path / "pids")
    assert_no_descendants(before)


def test_a_hello_breaking_the_schema_at_every_item_of_a_long_list_is_refused_at_once(tmp_path):
    """200,000 distinct wrong stages: the uniqueness check takes one pass and the explanation
    reads a bounded number of breaks, so the run ends in one line (both once took minutes)."""
    command = ["run", "--handshake-timeout", "20", "--", *fake("long_hello_list")]
    proc = spawn(command, tmp_path, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:  # stalled: end it and its port (a new session: its group)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 2
    assert one_line(err).endswith("hello reply is invalid: /stages/0: 0 is not of type 'string'")


def test_schema_problems_names_at_most_a_few_places_of_a_message_broken_everywhere():
    hello = {"protocol": 1, "name": "n", "language": "x", "dtype": "float64"}
    problems = protocol.schema_problems(
        dict(hello, stages=list(range(5000)), label_formats=["sparse"]), "hello_reply"
    )
    assert 1 <= len(problems) <= protocol.MAX_PROBLEMS
    assert len(set(problems)) == len(problems)


def test_a_restarted_port_that_answers_another_hello_errors_the_rest_with_the_change(run):
    r = run("changes_hello", "relu/*")
    assert r.status == 1 and not r.result["complete"]
    messages = [c["message"] for c in r.result["cases"]]
    assert messages[0] == "port exited with status 3 without replying"
    change = (
        'the restarted port answered another hello (dtype "float32", was "float64"; '
        'name "another", was "fake")'
    )
    assert (
        messages[1:]
        == [f"not run: {change[:-1]}): a port must declare the same at every start"] * 2
    )
    assert r.result["incomplete_reason"] == f"{change}; 2 cases were not run"


# --- lost results: every graded case is kept --------------------------------------------------


@pytest.mark.parametrize("option", ["--report-json", "--junit", "--markdown", "--badge"])
@pytest.mark.parametrize("where", ["/dev/full", "missing-folder", "a-directory", "read-only"])
def test_a_report_path_that_cannot_be_written_stops_the_run_before_it_starts(
    tmp_path, vectors, capsys, monkeypatch, option, where
):
    monkeypatch.setenv("FAKE_PIDS", str(tmp_path / "pids"))
    (tmp_path / "folder").mkdir()
    path, problem = {
        "/dev/full": (
            "/dev/full",
            "is a character device, not a regular file: name a file to write",
        ),
        "missing-folder": (
            str(tmp_path / "nope" / "r.out"),
            f"the folder {tmp_path / 'nope'} does not exist: create it or name another",
        ),
        "a-directory": (
            str(tmp_path / "folder"),
            "is a directory, not a regular file: name a file to write",
        ),
        "read-only": ("/sys/r.out", "cannot write in /sys: Permission denied"),
    }[where]
    status, out, err = cli(
        ["run", "--vectors", str(vectors), option, path, "--", *fake("correct")], capsys
    )
    assert status == 2 and out == ""
    assert one_line(err).startswith(f"nnfs-conform: {option} {path}: {problem}")
    assert pids_recorded(tmp_path) == 0  # refused before the port was started


def test_a_disk_filling_mid_write_keeps_the_previous_report_and_says_so(
    tmp_path, vectors, capsys, monkeypatch
):
    report = tmp_path / "result.json"
    report.write_text('{"previous": "report"}\n')
    monkeypatch.setattr(files, "atomic", _atomic_failing_after(files.atomic, 300))
    status, out, err = cli(
        ["run", "--vectors", str(vectors), "--report-json", str(report), "--", *fake("correct")],
        capsys,
    )
    assert status == 2
    assert out.splitlines()[-1] == "8 passed, 0 failed, 0 errored, 0 skipped"  # verdict first
    assert one_line(err) == (
        f"nnfs-conform: cannot write --report-json {report}: No space left "
        "on device: the verdict above stands"
    )
    assert report.read_text() == '{"previous": "report"}\n'
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def _atomic_failing_after(real, limit: int, only: str | None = None):
    """files.atomic whose text file fails with ENOSPC once `limit` characters were written."""
    from contextlib import contextmanager

    @contextmanager
    def atomic(path, **kwargs):
        with real(path, **kwargs) as out:
            if only is None or str(path).endswith(only):
                written, write = [0], out.write

                def limited(text):
                    written[0] += len(text)
                    if written[0] > limit:
                        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                    return write(text)

                out.write = limited
            yield out

    return atomic


def test_a_report_that_fails_marks_the_others_incomplete_with_the_reason(
    tmp_path, vectors, capsys, monkeypatch
):
    report, junit = tmp_path / "result.json", tmp_path / "junit.xml"
    monkeypatch.setattr(files, "atomic", _atomic_failing_after(files.atomic, 100, "junit.xml"))
    status, out, err = cli(
        [
            "run",
            "--vectors",
            str(vectors),
            "--report-json",
            str(report),
            "--junit",
            str(junit),
            "--",
            *fake("correct"),
        ],
        capsys,
    )
    assert status == 2 and not junit.exists()
    assert one_line(err) == (
        f"nnfs-conform: cannot write --junit {junit}: No space left on "
        "device: the verdict above stands; the reports written say it is "
        "incomplete"
    )
    result = json.loads(report.read_text())
    assert not result["complete"] and result["summary"]["passed"] == 8
    assert result["incomplete_reason"] == (
        f"a report could not be written (cannot write --junit {junit}: No space left on device)"
    )


def test_two_runs_writing_one_report_leave_one_whole_report(tmp_path, vectors):
    report = tmp_path / "result.json"
    runs = [
        spawn(
            ["run", "--vectors", str(vectors), "--report-json", str(report), "--", *fake(port)],
            tmp_path,
        )
        for port in ("correct", "crash_once", "correct")
    ]
    for proc in runs:
        proc.communicate(timeout=60)
    assert [proc.returncode for proc in runs] == [0, 1, 0]
    data = report.read_bytes()
    assert b"\x00" not in data
    result = json.loads(data)
    assert result["summary"]["total"] == 8 and len(result["cases"]) == 8
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".result")] == []


def test_a_tmpdir_that_cannot_hold_the_spool_keeps_the_results_in_memory_and_names_the_fix(
    run, tmp_path, monkeypatch
):
    monkeypatch.setattr(results.tempfile, "tempdir", str(tmp_path / "no-such-tmp"))
    r = run("correct")
    assert r.status == 0 and r.result["summary"]["passed"] == 8 and len(r.result["cases"]) == 8
    assert r.err.startswith(
        f"nnfs-conform: note: cannot keep the results in the temporary "
        f"file {tmp_path / 'no-such-tmp'}/nnfs-conform-"
    )
    assert one_line(r.err).endswith(
        f"No such file or directory): the rest were kept in memory;"
        f" free space in {tmp_path / 'no-such-tmp'} or set TMPDIR "
        "to a folder with room"
    )


def test_a_tmpdir_filling_mid_run_loses_no_result(run, tmp_path, monkeypatch):
    monkeypatch.setattr(results.Spool, "FLUSH", 1)  # every result goes to the file at once
    real_write, calls = results.os.write, [0]

    def write(fd, data):
        calls[0] += 1
        if calls[0] == 4:  # half of a line written, then the disk is full
            real_write(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(results.os, "write", write)
    r = run("crash_once")
    assert r.status == 1
    assert [c["outcome"] for c in r.result["cases"]].count("passed") == 7
    assert [c["id"] for c in r.result["cases"]][:3] == [
        "neuron/book",
        "neuron/zero-weights",
        "neuron/length-mismatch",
    ]
    assert "No space left on device): the rest were kept in memory" in one_line(r.err)


def test_a_reader_that_goes_away_does_not_change_a_passing_verdict(tmp_path, vectors):
    proc = spawn(["run", "--vectors", str(vectors), "--verbose", "--", *fake("correct")], tmp_path)
    proc.stdout.read(10)
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0
    err = proc.stderr.read()
    proc.stderr.close()
    assert "Traceback" not in err and "BrokenPipe" not in err and err == ""


# --- inputs: regular files within their limits ------------------------------------------------


def _input(tmp_path: Path, vectors: Path, which: str, kind: str) -> tuple[list[str], Path]:
    """The argv of a command reading input `which`, which is made a FIFO, /dev/zero or a
    directory; and the path named in the message."""
    responses = tmp_path / "responses.json"
    responses.write_text(json.dumps({"protocol": 1, "port": {**_hello()}, "responses": []}))
    result = tmp_path / "result.json"
    places = {
        "manifest": (vectors / "manifest.json", None),
        "vector file": (vectors / "relu.json", None),
        "expectations": (tmp_path / "expect.json", None),
        "responses": (responses, None),
        "result": (result, None),
        "expectations source": (result, None),
    }
    path = places[which][0]
    if path.exists():
        path.unlink()
    if kind == "FIFO":
        os.mkfifo(path)
    elif kind == "/dev/zero":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    argv = {
        "manifest": ["validate", "--vectors", str(vectors)],
        "vector file": ["validate", "--vectors", str(vectors)],
        "expectations": [
            "run",
            "--vectors",
            str(vectors),
            "--expectations",
            str(path),
            "--",
            *fake("correct"),
        ],
        "responses": ["grade", "--vectors", str(vectors), str(path)],
        "result": ["report", str(path)],
        "expectations source": [
            "expectations",
            "init",
            "--from",
            str(path),
            str(tmp_path / "out.toml"),
        ],
    }[which]
    return argv, path


def _hello() -> dict:
    return {
        "protocol": 1,
        "name": "file",
        "language": "python",
        "dtype": "float64",
        "stages": ["relu"],
        "label_formats": ["sparse"],
    }


KINDS = {
    "FIFO": "a FIFO (named pipe)",
    "/dev/zero": "a character device",
    "directory": "a directory",
}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize(
    "which",
    ["manifest", "vector file", "expectations", "responses", "result", "expectations source"],
)
def test_an_input_that_is_not_a_regular_file_is_refused_in_one_line(
    tmp_path, vectors, capsys, monkeypatch, which, kind
):
    monkeypatch.setenv("FAKE_PIDS", str(tmp_path / "pids"))
    argv, path = _input(tmp_path, vectors, which, kind)
    started = time.monotonic()
    status, out, err = cli(argv, capsys)
    assert time.monotonic() - started < 20  # no hang on a FIFO, no endless read of /dev/zero
    assert status == 2
    line = one_line(err)
    assert f"{path}: is {KINDS[kind]}, not a regular file: name the " in line
    assert pids_recorded(tmp_path) == 0


@pytest.mark.parametrize(
    ("which", "size", "limit"),
    [
        ("manifest", 2 << 30, "16 MiB"),
        ("expectations", 17 << 20, "16 MiB"),
        ("responses", 300 << 20, "256 MiB"),
        ("result", 300 << 20, "256 MiB"),
        ("vector file", 60 << 30, None),
    ],
)
def test_an_input_larger_than_its_limit_is_refused_before_it_is_read(
    tmp_path, vectors, capsys, which, size, limit
):
    argv, path = _input(tmp_path, vectors, which, "directory")
    path.rmdir()
    with open(path, "wb") as f:  # sparse: takes no disk and, read, would take all the memory
        f.truncate(size)
    status, out, err = cli(argv, capsys)
    assert status == 2
    what = {
        "manifest": "manifest",
        "expectations": "expectations",
        "responses": "responses",
        "result": "result",
        "vector file": "vector",
    }[which]
    if limit is None:  # a vector file's limit is what its manifest promises: 3 cases here
        limit = files.size_text(files.MIB + 3 * 16 * files.MIB)
    assert f"{path}: {files.size_text(size)}, more than a {what} file may be ({limit})" in one_line(
        err
    )


# --- unbounded output: every field a port controls has a cap --------------------------------


def test_an_8_mb_reply_per_case_keeps_the_report_small(run, tmp_path):
    r = run("huge_reply", "relu/*", options=("--junit", str(tmp_path / "junit.xml")))
    assert r.status == 1 and r.result["summary"]["failed"] == 3, r.err
    assert (tmp_path / "result.json").stat().st_size < 60_000
    assert (tmp_path / "junit.xml").stat().st_size < 30_000
    response = r.case("relu/basic")["response"]
    assert response.endswith("... (cut: the reply is 6400032 characters of JSON)")


def test_300000_output_names_error_the_case_with_a_small_report(run, tmp_path):
    r = run("many_outputs", "relu/*", options=("--junit", str(tmp_path / "junit.xml")))
    assert r.status == 1
    assert {c["message"] for c in r.result["cases"]} == {
        "reply has 300001 outputs, more than the 256 a reply may have (a stage has a handful)"
    }
    assert (tmp_path / "result.json").stat().st_size < 30_000
    assert (tmp_path / "junit.xml").stat().st_size < 20_000


def test_a_20_mib_port_name_is_cut_with_its_length_noted(run, tmp_path):
    r = run("huge_name", "relu/*")
    assert r.status == 0
    assert max(len(line) for line in r.out.splitlines()) < 1000
    port = r.result["port"]
    assert port["name"] == "n" * 200 + "... (cut: 20971520 characters)"
    assert port["language"] == "l" * 200 + "... (cut: 100000 characters)"
    assert (tmp_path / "result.json").stat().st_size < 20_000


def test_an_error_reply_megabytes_long_is_cut(run, tmp_path):
    r = run("huge_error", "neuron/length-mismatch", "relu/basic")
    got = r.case("relu/basic")["got_error"]
    assert got["kind"] == "k" * 200 + "... (cut: 1000000 characters)"
    assert got["message"] == "m" * 2000 + "... (cut: 8000000 characters)"
    assert len(r.case("relu/basic")["message"]) < 3000
    assert (tmp_path / "result.json").stat().st_size < 40_000


# --- terminal injection ---------------------------------------------------------------------


def test_terminal_escapes_in_the_ports_name_reach_no_terminal_raw(run, tmp_path, capsys):
    r = run("escape_name", "relu/*")
    assert r.status == 0 and not ESCAPES.search(r.out) and not ESCAPES.search(r.err)
    assert r.out.startswith("port \\x1b[2J\\x1b[Hevil port line2 (\\x1b]0;pwned\\x07python, ")
    status, out, err = cli(
        ["report", str(tmp_path / "result.json"), "--markdown", str(tmp_path / "matrix.md")], capsys
    )
    assert status == 0 and not ESCAPES.search(out) and out.count("\n") == 3
    markdown = (tmp_path / "matrix.md").read_text()
    assert not ESCAPES.search(markdown) and "\\\\x1b\\[2J" in markdown


def test_a_lone_surrogate_in_the_ports_name_still_prints_the_verdict(run):
    r = run("surrogate_name", "relu/*")
    assert r.status == 0
    assert r.out.startswith("port port \\ud800 one (python, float64)")
    assert r.last_line == "3 passed, 0 failed, 0 errored, 0 skipped"


# --- wrong verdicts: `report` recomputes them -----------------------------------------------


def _graded_result(run, port="wrong_shape") -> Path:
    run(port, "relu/*")
    return Path(os.environ["FAKE_STATE"]).parent / "result.json"


def test_report_refuses_a_result_whose_summary_was_edited_to_pass(run, capsys):
    path = _graded_result(run)
    document = json.loads(path.read_text())
    document["summary"].update(passed=3, failed=0)
    path.write_text(json.dumps(document))
    status, out, err = cli(["report", str(path)], capsys)
    assert status == 2 and out == ""
    assert one_line(err) == (
        f"nnfs-conform: {path}: not a result the runner wrote: /summary "
        "says passed 3, failed 0, its cases say passed 0, failed 3: edited "
        "after the run?"
    )


def test_report_refuses_a_complete_result_without_a_case(run, capsys):
    path = _graded_result(run, "correct")
    document = json.loads(path.read_text())
    document["cases"] = []
    document["summary"] = results.summarize([])
    path.write_text(json.dumps(document))
    status, out, err = cli(["report", str(path)], capsys)
    assert status == 2
    assert one_line(err) == (
        f"nnfs-conform: {path}: not a result the runner wrote: /complete "
        "is true but no case ran: a runner never writes that"
    )


def test_report_refuses_a_duration_beyond_the_float64_range(run, capsys):
    path = _graded_result(run, "correct")
    text = path.read_text()
    path.write_text(
        re.sub(r'"duration_s": [0-9.e-]+', '"duration_s": 1' + "0" * 400, text, count=1)
    )
    status, out, err = cli(["report", str(path)], capsys)
    assert status == 2
    assert one_line(err).startswith(
        f"nnfs-conform: {path}: not a result JSON: 100000000000..."
        "000000 (401 characters) is beyond the float64 range"
    )


# --- silent acceptance: repeats, anchors, links, restarts ------------------------------------


@pytest.mark.parametrize(
    ("port", "key", "options"),
    [
        ("duplicate_seq", '"seq"', ()),
        ("duplicate_outputs", '"outputs"', ()),
        ("duplicate_outputs", '"outputs"', ("--validate-protocol",)),
    ],
)
def test_a_reply_with_a_key_twice_errors_the_case(run, port, key, options):
    r = run(port, "relu/basic", "accuracy/sparse", options=options)
    assert r.status == 1
    assert {c["message"] for c in r.result["cases"]} == {
        f"reply has the key {key} twice in one object: JSON keys must be unique"
    }


def test_an_expectations_file_with_a_key_twice_is_refused(tmp_path, vectors, capsys):
    path = tmp_path / "expect.json"
    entry = '{"case": "relu/basic", "mode": "xfail", "reason": "r"}'
    path.write_text(f'{{"expect": [{entry}], "expect": []}}')
    status, out, err = cli(
        ["run", "--vectors", str(vectors), "--expectations", str(path), "--", *fake("correct")],
        capsys,
    )
    assert status == 2
    assert one_line(err) == (
        f'nnfs-conform: invalid expectations: {path}: the key "expect" '
        "appears twice in one object: only the last would count"
    )


def test_a_responses_file_with_a_key_twice_is_refused(tmp_path, vectors, capsys):
    path = tmp_path / "responses.json"
    hello = json.dumps(_hello())
    path.write_text(
        f'{{"protocol": 1, "port": {hello}, "responses": [{{"seq": 4, "outputs": '
        '{"output": [[0, 2], [3, 0]]}}], "responses": []}'
    )
    status, out, err = cli(["grade", "--vectors", str(vectors), str(path)], capsys)
    assert status == 2
    assert one_line(err) == (
        f'nnfs-conform: {path}: responses file has the key "responses" '
        "twice in one object: JSON keys must be unique"
    )


def test_a_manifest_path_with_a_trailing_newline_is_invalid(tmp_path, vectors, capsys):
    manifest = json.loads((vectors / "manifest.json").read_text())
    manifest["files"][1]["path"] = "relu.json\n"
    (vectors / "manifest.json").write_text(json.dumps(manifest))
    status, out, err = cli(["copy", "--vectors", str(vectors), str(tmp_path / "out")], capsys)
    assert status == 2
    assert one_line(err) == (
        f"nnfs-conform: invalid vectors: {vectors / 'manifest.json'}: "
        "/files/1/path: 'relu.json\\n' does not match "
        "'^[a-z_]+\\\\.json$(?!\\\\n)'"
    )
    assert not (tmp_path / "out").exists()


def _patterns(node, where=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield where, value
            else:
                yield from _patterns(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _patterns(value, f"{where}/{i}")


# A string each pattern of schema/*.json accepts: the test fails for a pattern added without one.
SAMPLES = {
    "^[0-9]+\\.[0-9]+\\.[0-9]+$(?!\\n)": "0.1.0",
    "^[a-z_]+$(?!\\n)": "relu",
    "^[a-z_]+\\.json$(?!\\n)": "relu.json",
    "^[0-9a-f]{64}$(?!\\n)": "ab" * 32,
    "^[a-z][a-z0-9_]*$(?!\\n)": "adam_step",
    "^[a-z_]+/[a-z0-9]+(-[a-z0-9]+)*$(?!\\n)": "relu/large-logits",
    "^sha256:[0-9a-f]{64}$(?!\\n)": "sha256:" + "ab" * 32,
}


@pytest.mark.parametrize("name", ["manifest", "vectors", "protocol", "result"])
def test_no_schema_pattern_accepts_a_trailing_newline(name):
    schema = json.loads((REPO / "schema" / f"{name}.schema.json").read_text())
    for where, pattern in _patterns(schema):
        sample = SAMPLES[pattern]
        assert re.search(pattern, sample), (where, pattern)
        for tail in ("\n", "\r\n", "\nx"):
            assert not re.search(pattern, sample + tail), (where, pattern, tail)


def test_copy_never_writes_through_a_symbolic_link(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "relu.json").symlink_to(tmp_path / "outside.json")  # dangling: would be created
    status, _, err = cli(["copy", str(out)], capsys)
    assert status == 2
    assert one_line(err) == (
        f"nnfs-conform: {out / 'relu.json'} is a symbolic link: copy never "
        "writes through one; remove it or choose another folder"
    )
    assert not (tmp_path / "outside.json").exists()


# --- clear messages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "most"),
    [
        ("--timeout", "inf", "86400"),
        ("--timeout", "3e6", "86400"),
        ("--timeout", "1e300", "86400"),
        ("--timeout", "nan", "86400"),
        ("--timeout", "0", "86400"),
        ("--handshake-timeout", "inf", "86400"),
        ("--max-run-time", "-1", "604800"),
        ("--max-run-time", "1e400", "604800"),
    ],
)
def test_a_number_of_seconds_out_of_range_is_a_usage_error(vectors, capsys, option, value, most):
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--vectors", str(vectors), option, value, "--", *fake("correct")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        f"nnfs-conform run: error: argument {option}: must be a "
        f"number of seconds above 0 and at most {most}, got {value}"
    )
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("port", "shown"),
    [
        ("huge_integer", "100000000000...000000 (100001 characters)"),
        ("integer_overflow", "100000000000...000000 (401 characters)"),
        ("overflowing_number", "1e400"),
    ],
)
def test_an_integer_beyond_the_float64_range_reads_like_1e400(run, port, shown):
    r = run(port, "relu/infinities")
    assert r.status == 1
    assert r.case("relu/infinities")["message"].startswith(
        f'reply is not JSON ({shown} is beyond the float64 range; write "Infinity" if you mean it)'
    )


def test_a_run_longer_than_max_run_time_ends_incomplete(run):
    r = run("slow_answers", options=("--max-run-time", "0.5"))
    assert r.status == 1 and not r.result["complete"]
    graded = len(r.result["cases"])
    assert 1 <= graded < 8 and r.result["summary"]["passed"] == graded
    last = r.result["cases"][-1]["id"]
    assert r.result["incomplete_reason"] == (
        f"the run reached --max-run-time (0.5 s); the cases after {last} were not run"
    )
    assert f"INCOMPLETE: {r.result['incomplete_reason']}" in r.out


def test_every_protocol_message_is_parsed_with_the_same_duplicate_check():
    assert protocol.parse(b'{"seq": 1, "outputs": {"a": 1, "b": [1, 2]}}') == {
        "seq": 1,
        "outputs": {"a": 1, "b": [1, 2]},
    }
    for text in (
        b'{"seq": 1, "seq": 1}',
        b'{"e": {"k": 1, "k": 2}}',
        b'{"a": [{"x": 1, "x": 2}]}',
        b'{"s\\u003a": 1, "t": 1, "t": 2}',
    ):
        with pytest.raises(protocol.ProtocolError, match="twice in one object"):
            protocol.parse(text)

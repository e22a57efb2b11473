"""The `nnfs-conform` command: a thin shell over the library modules.

Exit status: 0 every applicable case passed; 1 a case failed, errored or passed unexpectedly,
or the run is incomplete (a run of zero cases is never green); 2 the run could not be made
(bad arguments, invalid vectors or expectations, a port that cannot start or shake hands, a
report that cannot be written); 128 + N the run was stopped by signal N (SIGINT, SIGTERM,
SIGHUP): the cases graded until then are reported, the run marked incomplete.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import shutil
import sys
import tempfile
import time
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from . import files, invocation
from .grading import engine
from .grading import result as results
from .port import interrupt, port_dir, protocol
from .port.transports import (
    MAX_TIMEOUT,
    HandshakeError,
    OneShotPort,
    ResponsesFile,
    SessionPort,
    StartError,
)
from .reports.console import Console
from .reports.report_text import one_line
from .suite import numbers, selection
from .suite.vectors import VectorError, load_suite

MAX_RUN_TIME = 3600.0  # default --max-run-time: one hour
LONGEST_RUN = 7 * 86400.0  # the largest --max-run-time accepted: a week


class UsageError(Exception):
    """The run cannot be made (exit 2); the message is one line."""


def _validate(args: argparse.Namespace) -> int:
    try:
        suite = load_suite(args.vectors)
    except VectorError as exc:
        print(f"nnfs-conform: invalid vectors: {exc}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{stage} {f.cases}" for stage, f in suite.files.items())
    print(f"vectors {suite.suite_version} valid: {suite.total} cases ({counts})")
    return 0


def _suite(args: argparse.Namespace):
    """The vectors, loaded and checked once per command however often they are asked for."""
    if getattr(args, "loaded_suite", None) is None:
        try:
            args.loaded_suite = load_suite(args.vectors)
        except VectorError as exc:
            raise UsageError(f"invalid vectors: {exc}") from None
    return args.loaded_suite


def _check_filters(args: argparse.Namespace, suite) -> None:
    """A --stage or --case glob that matches nothing is a usage error naming the closest."""
    try:
        selection.check(suite, args.stage, args.case)
        selection.check_tags(suite, [*args.tag, *args.skip_tag])
    except selection.FilterError as exc:
        raise UsageError(str(exc)) from None
    except VectorError as exc:
        raise UsageError(f"invalid vectors: {exc}") from None


def _expectations(args: argparse.Namespace, suite):
    if args.expectations is None:
        return None
    from .grading.expectations import Expectations, ExpectationsError

    try:
        expectations = Expectations.load(args.expectations)
    except ExpectationsError as exc:
        raise UsageError(f"invalid expectations: {exc}") from None
    try:
        ids, tags = [], set()
        for case in suite.iter_cases():
            ids.append(case.id)
            tags.update(case.tags)
        unmatched = expectations.unmatched(ids, tags)
    except VectorError as exc:
        raise UsageError(f"invalid vectors: {exc}") from None
    if unmatched:
        names = ", ".join(repr(e.pattern) for e in unmatched[:5])
        raise UsageError(
            f"invalid expectations: {args.expectations}: {len(unmatched)} entries "
            f"match no case of suite {suite.suite_version}: {names}"
        )
    return expectations


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "stages": list(args.stage),
        "cases": list(args.case),
        "expectations": str(args.expectations) if args.expectations else None,
        "require_all": args.require_all,
        "tags": list(args.tag),
        "skip_tags": list(args.skip_tag),
    }


_REPORTS = (
    ("report_json", "--report-json"),
    ("junit", "--junit"),
    ("markdown", "--markdown"),
    ("badge", "--badge"),
)


def _check_outputs(args: argparse.Namespace, options=_REPORTS) -> None:
    """Every report path can be written, checked before the run: a run is never thrown away
    for a report it cannot write."""
    for dest, option in options:
        path = getattr(args, dest, None)
        if path is not None:
            try:
                files.check_output(path, option)
            except files.FileProblem as exc:
                raise UsageError(str(exc)) from None


def _writers(args: argparse.Namespace) -> list[tuple[str, str, Any]]:
    writers = []
    if args.report_json:
        writers.append(("--report-json", args.report_json, results.write_json))
    if args.junit:
        from .reports.junit import write_junit

        writers.append(("--junit", args.junit, write_junit))
    if args.markdown:
        from .reports.markdown import write_markdown

        writers.append(("--markdown", args.markdown, write_markdown))
    if args.badge:
        from .reports.badge import write_badge

        writers.append(("--badge", args.badge, write_badge))
    return writers


def _write_reports(result: dict[str, Any], args: argparse.Namespace) -> list[str]:
    """Write every report (each whole or not at all); one line per report that could not be
    written. When one fails, those written are written again marked incomplete with the
    reason, so that no report says green for a run whose reports are not all there."""
    written, failed = [], []
    for option, path, write in _writers(args):
        try:
            write(result, path)
        except OSError as exc:
            failed.append(f"cannot write {option} {path}: {exc.strerror or exc}")
        else:
            written.append((option, path, write))
    if failed and result["complete"]:
        result["complete"] = False
        result["incomplete_reason"] = f"a report could not be written ({failed[0]})"
        for option, path, write in written:
            if option == "--markdown":  # appended, not replaced: written once is enough
                continue
            try:
                write(result, path)
            except OSError as exc:
                failed.append(f"cannot write {option} {path}: {exc.strerror or exc}")
    return failed


def _abort(port) -> None:
    """End the port at once (no bye): the run was interrupted or failed."""
    getattr(port, "abort", port.close)()


def _grade_with(
    port, args: argparse.Namespace, console: Console, rerun, spool: results.Spool
) -> dict[str, Any]:
    """Shake hands, ask every selected case (results go to `spool` as they come), and assemble
    the canonical result."""
    suite = _suite(args)
    _check_filters(args, suite)
    expectations = _expectations(args, suite)
    cases = engine.select(suite, args.stage, args.case, args.tag, args.skip_tag)
    filtered = bool(args.stage or args.case or args.tag or args.skip_tag)
    total = (
        None
        if args.case or args.tag or args.skip_tag
        else sum(
            f.cases
            for stage, f in suite.files.items()
            if not args.stage or any(fnmatchcase(stage, g) for g in args.stage)
        )
    )
    started_at, started = results.now_iso(), time.monotonic()
    max_run_time = getattr(args, "max_run_time", None)
    stopped: interrupt.Interrupted | None = None
    finished = False
    try:
        interrupt.check()
        info = port.hello()
        unknown = sorted(set(info["stages"]) - set(suite.files))
        if unknown:
            shown = one_line(", ".join(unknown[:20]), 1000)
            more = f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
            console.note(
                f"the port declares stages suite {suite.suite_version} "
                f"does not have, ignored: {shown}{more}"
            )
        run = engine.Run(
            port,
            cases,
            expectations=expectations,
            require_all=args.require_all,
            rerun=rerun,
            deadline=None if max_run_time is None else started + max_run_time,
            max_run_time=max_run_time,
        )
        try:
            for done, (_, case_result) in enumerate(run, start=1):
                spool.add(case_result)
                console.progress(done, total, case_result)
                interrupt.check()
        except interrupt.Interrupted as exc:  # keep every case graded so far, then stop
            stopped = exc
            _abort(port)
            for _, case_result in run.drain():
                spool.add(case_result)
        console.progress_end()
        finished = True
    except StartError as exc:  # the fix names the runner as it was invoked
        raise UsageError(exc.describe(shlex.join([*args.program, args.command]))) from None
    except HandshakeError as exc:
        raise UsageError(f"the port failed the handshake: {exc}") from None
    except VectorError as exc:
        raise UsageError(f"invalid vectors: {exc}") from None
    finally:
        if finished and stopped is None:
            port.close()
        else:
            _abort(port)
    incomplete = run.incomplete
    if stopped is not None:
        graded = "1 case was" if len(spool) == 1 else f"{len(spool)} cases were"
        incomplete = (
            f"interrupted by {interrupt.signal_name(stopped.signum)}: {graded} "
            "graded, the rest were not run"
        )
        args.stopped = stopped
    if incomplete is None and not filtered:
        incomplete = engine.missing_promised(suite, spool.per_stage, info)
    command = getattr(port, "command", None)
    return results.build(
        suite_version=suite.suite_version,
        port=results.port_header(info, command, port.transport),
        started_at=started_at,
        duration_s=time.monotonic() - started,
        filters=_filters(args),
        cases=spool,
        incomplete_reason=incomplete,
    )


def _finish(
    result: dict[str, Any], args: argparse.Namespace, console: Console, spool: results.Spool
) -> int:
    """The verdict on the console first, then the reports: a report that cannot be written
    never hides the verdict. Exit status 2 when a report is missing, 128 + N after signal N."""
    console.report(result)
    if spool.problem:
        console.note(spool.problem)
    failed = _write_reports(result, args)
    for line in failed:
        console.fatal(
            f"{line}: the verdict above stands"
            + (
                "; the reports written say it is incomplete"
                if len(failed) < len(_writers(args))
                else ""
            )
        )
    stopped = getattr(args, "stopped", None)
    if stopped is not None:
        return stopped.status
    return 2 if failed else results.exit_status(result)


def _console(args: argparse.Namespace) -> Console:
    return Console(quiet=args.quiet, verbose=args.verbose)


def _port_dir(args: argparse.Namespace, console: Console) -> tuple[list[str], Path | None] | None:
    """The port's argv and the folder it runs in: after `--`, or built from --port-dir's
    port.toml (its expectations.toml is used unless --expectations says otherwise). None when
    the build could not be made: said in one line, a failed build's log tail under it."""
    if args.port_dir is None:
        if not args.port_command:
            raise UsageError("say which port to run: `-- PORT COMMAND...` or --port-dir DIR")
        return list(args.port_command), None
    if args.port_command:
        raise UsageError("give --port-dir DIR or `-- PORT COMMAND...`, not both")
    spec = port_dir.read_port_dir(args.port_dir)
    built = port_dir.build(spec)
    if not built.ok:
        console.fatal(
            f"{args.port_dir}: {built.status}"
            + (f": {built.log.strip()}" if "\n" not in built.log else "")
        )
        if "\n" in built.log:
            sys.stderr.write(built.log + "\n")
        return None
    if built.seconds is not None and not args.quiet:
        print(
            f"built {spec.name} in {built.seconds:.1f} s ({shlex.join(spec.build)})",
            file=sys.stderr,
            flush=True,
        )
    if args.expectations is None and spec.expectations is not None:
        args.expectations = spec.expectations
    return list(spec.run), spec.where


def _run(args: argparse.Namespace) -> int:
    console = _console(args)
    _check_outputs(args)
    located = _port_dir(args, console)
    if located is None:
        return 2
    command, cwd = located
    suite_version = _suite(args).suite_version
    kind = SessionPort if args.transport == "session" else OneShotPort
    port = kind(
        command,
        suite_version=suite_version,
        timeout=args.timeout,
        handshake_timeout=args.handshake_timeout,
        validate=args.validate_protocol,
        cwd=cwd,
    )

    rerun = invocation.rerunner(args)

    with results.Spool() as spool:
        return _finish(_grade_with(port, args, console, rerun, spool), args, console, spool)


def _new_port(args: argparse.Namespace) -> int:
    written = port_dir.new_port(args.language, args.dir, args.name)
    spec = port_dir.read_port_dir(args.dir)
    where = shlex.quote(str(args.dir))
    print(
        f"wrote {len(written)} files to {args.dir}: a {args.language} port named {spec.name} "
        f"on the suite's kit (its README says what to write next)\n"
        f"grade it:  {shlex.join(args.program)} run --port-dir {where}"
    )
    return 0


def _prompt(args: argparse.Namespace) -> int:
    _check_outputs(args, (("out", "OUT.json"),))
    suite = _suite(args)
    _check_filters(args, suite)
    try:
        requests = [
            protocol.run_request(case, case.seq)
            for case in engine.select(suite, args.stage, args.case, args.tag, args.skip_tag)
        ]
    except VectorError as exc:
        raise UsageError(f"invalid vectors: {exc}") from None
    document = {
        "protocol": protocol.PROTOCOL,
        "suite_version": suite.suite_version,
        "requests": requests,
        "filters": _selected(args),
    }
    try:
        with files.atomic(args.out) as out:
            out.write(json.dumps(document, ensure_ascii=False, allow_nan=False) + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"wrote {len(requests)} requests (suite {suite.suite_version}) to {args.out}")
    return 0 if requests else 1


def _selected(args: argparse.Namespace) -> dict[str, list[str]]:
    """The selection options of a command: what a prompt file records for `grade --prompt`."""
    return {
        "stages": list(args.stage),
        "cases": list(args.case),
        "tags": list(args.tag),
        "skip_tags": list(args.skip_tag),
    }


def _prompt_filters(args: argparse.Namespace) -> None:
    """`grade --prompt PROMPT.json`: grade the cases the prompt asked, by its own filters."""
    where = str(args.prompt)
    try:
        document = protocol.parse(
            files.read_input(args.prompt, files.RESPONSES_LIMIT, "prompt"), "prompt file"
        )
    except files.FileProblem as exc:
        raise UsageError(str(exc)) from None
    except protocol.ProtocolError as exc:
        raise UsageError(f"{where}: {exc}") from None
    problems = protocol.schema_problems(document, "prompt_file")
    if problems:
        raise UsageError(f"{where}: not a prompt file: {problems[0]}")
    if document["suite_version"] != _suite(args).suite_version:
        raise UsageError(
            f"{where}: a prompt of suite {document['suite_version']}, graded "
            f"against suite {_suite(args).suite_version}: use the same vectors"
        )
    recorded = document.get("filters")
    if recorded is None:
        raise UsageError(
            f"{where}: records no filters (written by an older runner): repeat "
            "its --stage/--case options instead of --prompt"
        )
    given = _selected(args)
    if any(given.values()) and given != recorded:
        raise UsageError(
            f"{where} selects {json.dumps(recorded)}; the command line selects "
            f"{json.dumps(given)}: give --prompt alone"
        )
    args.stage, args.case = recorded["stages"], recorded["cases"]
    args.tag, args.skip_tag = recorded["tags"], recorded["skip_tags"]


def _grade(args: argparse.Namespace) -> int:
    console = _console(args)
    _check_outputs(args)
    if args.prompt is not None:
        _prompt_filters(args)
    try:
        document = protocol.parse(
            files.read_input(args.responses, files.RESPONSES_LIMIT, "responses"), "responses file"
        )
    except files.FileProblem as exc:
        raise UsageError(str(exc)) from None
    except protocol.ProtocolError as exc:
        raise UsageError(f"{args.responses}: {exc}") from None
    try:
        port = ResponsesFile(document, validate=args.validate_protocol)
    except HandshakeError as exc:
        raise UsageError(f"{args.responses}: {exc}") from None

    rerun = invocation.rerunner(args)

    with results.Spool() as spool:
        result = _grade_with(port, args, console, rerun, spool)
        unasked = port.unasked(range(1, _suite(args).total + 1))
        if unasked and result["complete"]:
            shown = ", ".join(json.dumps(seq) for seq in unasked[:5])
            result["complete"] = False
            result["incomplete_reason"] = (
                f"the responses file answers {len(unasked)} requests that "
                f"were never made (seq {shown}): is it for another prompt?"
            )
        return _finish(result, args, console, spool)


def _read_result(path: Path) -> Any:
    """A result JSON read back: a regular file within the size limit, strict JSON (no number
    beyond the float64 range), not yet checked against the schema."""
    try:
        data = files.read_input(path, files.RESULT_LIMIT, "result")
    except files.FileProblem as exc:
        raise UsageError(str(exc)) from None
    try:
        return numbers.loads(data)
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not a result JSON: {one_line(exc, 300)}") from None


def _report(args: argparse.Namespace) -> int:
    from .reports import matrix

    _check_outputs(args, (("markdown", "--markdown"), ("html", "--html")))
    documents = []
    for path in args.results:
        document = _read_result(path)
        problem = results.schema_problem(document)
        if problem:
            raise UsageError(f"{path}: not a result JSON: {problem}")
        problem = results.summary_problem(document)
        if problem:  # every verdict is recomputed from the cases: a summary must agree
            raise UsageError(f"{path}: not a result the runner wrote: {problem}")
        if not math.isfinite(float(document["duration_s"])):  # pragma: no cover - strict JSON
            raise UsageError(f"{path}: /duration_s is not a finite number")
        documents.append(document)
    print(matrix.render_console(documents, wide=args.wide))
    if args.markdown:
        try:
            with files.atomic(args.markdown) as out:
                out.write(matrix.render_markdown(documents) + "\n")
        except OSError as exc:
            raise UsageError(f"cannot write {args.markdown}: {exc.strerror or exc}") from None
    if args.html:
        from .reports.html_report import write_html

        try:
            write_html(documents, args.html)
        except OSError as exc:
            raise UsageError(f"cannot write {args.html}: {exc.strerror or exc}") from None
    return max(results.exit_status(r) for r in documents)


def _copy(args: argparse.Namespace) -> int:
    """Write the suite's vector files and manifest to DIR, for a port that reads them itself.
    Each file is written whole (files.atomic) and never through a symbolic link: a link in DIR
    could send it anywhere."""
    suite = _suite(args)
    names = ["manifest.json", *(entry.path.name for entry in suite.files.values())]
    try:
        sources = {
            name: files.read_input(suite.directory / name, files.RESULT_LIMIT, "vector")
            for name in names
        }
    except files.FileProblem as exc:
        raise UsageError(str(exc)) from None
    out = Path(args.dir)
    for name in names:
        if (out / name).is_symlink():
            raise UsageError(
                f"{out / name} is a symbolic link: copy never writes through one; "
                "remove it or choose another folder"
            )
        if (out / name).exists() and not (out / name).is_file():
            raise UsageError(
                f"{out / name} is not a regular file: remove it or choose another folder"
            )
    clashes = [
        name
        for name, data in sources.items()
        if (out / name).exists() and (out / name).read_bytes() != data
    ]
    if clashes and not args.force:
        raise UsageError(
            f"{out} already holds other versions of {', '.join(clashes)} (--force overwrites them)"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, data in sources.items():
            with files.atomic(out / name) as target:
                target.buffer.write(data)
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or out}: {exc.strerror or exc}") from None
    try:  # what was written checks out (hashes, counts, fingerprints)
        copied = load_suite(out)
    except VectorError as exc:
        raise UsageError(f"the copy in {out} is not valid: {exc}") from None
    print(
        f"copied vectors {copied.suite_version} ({copied.total} cases, {len(names)} files) to {out}"
    )
    return 0


def _expectations_init(args: argparse.Namespace) -> int:
    from .grading.expectations import ExpectationsError, write_initial

    document = _read_result(Path(args.source))
    try:
        write_initial(document, args.out)
    except OSError as exc:
        raise UsageError(f"{exc.filename or args.source}: {exc.strerror or exc}") from None
    except (ValueError, RecursionError) as exc:
        raise UsageError(f"{args.source}: not a result JSON: {exc}") from None
    except ExpectationsError as exc:
        raise UsageError(str(exc)) from None
    print(f"wrote {args.out}")
    return 0


def _book(args: argparse.Namespace) -> int:
    """`nnfs-conform book FILE.py`: the learner's module, written with the book's classes, driven
    by book_port.py (a child process under --python, standard library and NumPy only) and graded
    like `run`. A module that cannot be imported is one line naming the file, exit 2."""
    from .port import book_port

    path = Path(args.file)
    if not path.is_file() or path.suffix != ".py":
        problem = "no such file" if not path.exists() else "not a Python file (FILE.py)"
        raise UsageError(f"{path}: {problem}")
    if args.python and shutil.which(args.python) is None:
        raise UsageError(
            f"--python {args.python}: no such program (give the path of a Python that has NumPy)"
        )
    console = _console(args)
    _check_outputs(args)
    command = [args.python or sys.executable, str(Path(book_port.__file__)), str(path)]
    command += ["--dtype", args.dtype] if args.dtype else []

    rerun = invocation.rerunner(args)

    port = SessionPort(
        command,
        suite_version=_suite(args).suite_version,
        timeout=args.timeout,
        handshake_timeout=args.handshake_timeout,
        validate=args.validate_protocol,
    )
    with tempfile.TemporaryDirectory() as scratch, results.Spool() as spool:
        fatal = Path(scratch) / "fatal"  # the driver's one line when the import fails (exit 3)
        before = os.environ.get(book_port.FATAL_FILE)
        os.environ[book_port.FATAL_FILE] = str(fatal)
        try:
            try:
                port.hello()
            except HandshakeError as exc:
                port.close()
                said = fatal.read_text(encoding="utf-8").strip() if fatal.exists() else ""
                raise UsageError(said or f"{path}: the book driver did not start: {exc}") from None
            result = _grade_with(port, args, console, rerun, spool)
        finally:
            if before is None:
                os.environ.pop(book_port.FATAL_FILE, None)
            else:
                os.environ[book_port.FATAL_FILE] = before
        return _finish(result, args, console, spool)


def _book_parser(commands) -> None:
    book = commands.add_parser(
        "book",
        help="grade a Python module written with the book's classes, with no adapter",
        usage="%(prog)s [options] FILE.py",
    )
    _grading(book)
    book.add_argument(
        "--dtype",
        choices=("float32", "float64"),
        default=None,
        help="the tier to grade (default: float32 if the module calls nnfs.init())",
    )
    book.add_argument(
        "--python",
        metavar="PATH",
        default=None,
        help="the Python that imports the module (default: this one); it needs "
        "NumPy, not nnfs-conformance",
    )
    _timing(book, handshake=60.0, why="to import the module and answer hello")
    book.add_argument("file", metavar="FILE.py", help="the module with Layer_Dense and friends")
    book.set_defaults(handler=_book)


def _timing(parser: argparse.ArgumentParser, *, handshake: float, why: str) -> None:
    """The time limits of a command that drives a port: per case, the start, the whole run."""
    parser.add_argument(
        "--timeout",
        type=_seconds(MAX_TIMEOUT),
        default=10.0,
        metavar="SECONDS",
        help="per-case time limit (default 10)",
    )
    parser.add_argument(
        "--handshake-timeout",
        type=_seconds(MAX_TIMEOUT),
        default=handshake,
        metavar="SECONDS",
        help=f"time limit {why} (default {handshake:g})",
    )
    parser.add_argument(
        "--max-run-time",
        type=_seconds(LONGEST_RUN),
        default=MAX_RUN_TIME,
        metavar="SECONDS",
        help="time limit for the whole run, checked after each case; then it ends incomplete "
        "(default 3600)",
    )


def _seconds(most: float):
    """An argparse type: a finite number of seconds above 0 and at most `most`."""

    def seconds(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and 0 < value <= most):
            raise argparse.ArgumentTypeError(
                f"must be a number of seconds above 0 and at most {most:g}, got {text}"
            )
        return value

    return seconds


def _selection(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(command_parser=parser)  # a rerun line rebuilds its options from it
    parser.add_argument(
        "--vectors",
        type=Path,
        default=None,
        metavar="DIR",
        help="vector directory (default: the suite's own)",
    )
    parser.add_argument(
        "--stage",
        action="append",
        default=[],
        metavar="GLOB",
        help="only stages matching GLOB (repeatable)",
    )
    parser.add_argument(
        "--case",
        action="append",
        default=[],
        metavar="GLOB",
        help="only case ids matching GLOB (repeatable)",
    )
    parser.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="TAG",
        help="only cases with this tag, e.g. book or edge (repeatable: any of them)",
    )
    parser.add_argument(
        "--skip-tag",
        action="append",
        default=[],
        metavar="TAG",
        help="no case with this tag, e.g. invalid (repeatable)",
    )


def _grading(parser: argparse.ArgumentParser) -> None:
    _selection(parser)
    parser.add_argument(
        "--expectations",
        type=Path,
        default=None,
        metavar="FILE",
        help="skip / xfail entries of this port (TOML or JSON)",
    )
    parser.add_argument(
        "--require-all",
        action="store_true",
        help="fail the cases the port does not declare (stages, label formats, input checks) "
        "or declines",
    )
    parser.add_argument(
        "--validate-protocol",
        action="store_true",
        help="check every port message against schema/protocol.schema.json",
    )
    parser.add_argument("--report-json", metavar="FILE", help="write the canonical result")
    parser.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    parser.add_argument("--markdown", metavar="FILE", help="write a Markdown report")
    parser.add_argument("--badge", metavar="FILE", help="write a shields.io endpoint badge")
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    loudness.add_argument("--verbose", action="store_true", help="also list every case")


class _Version(argparse.Action):
    """`--version`: the runner's version, the bundled suite's and the protocol's, read only when
    asked."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        from . import __version__
        from .suite.vectors import default_vectors_dir

        try:
            manifest = json.loads((default_vectors_dir() / "manifest.json").read_text("utf-8"))
            suite = f"suite {manifest['suite_version']}"
        except (OSError, ValueError, KeyError, TypeError):
            suite = "suite unreadable"
        print(f"nnfs-conform {__version__} ({suite}, protocol {protocol.PROTOCOL})")
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnfs-conform",
        description="Check a port of Neural Networks from Scratch against certified vectors.",
    )
    parser.add_argument(
        "--version", action=_Version, help="print the runner, suite and protocol versions and exit"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    validate = commands.add_parser(
        "validate", help="check the vector files against the schema, manifest hashes and counts"
    )
    validate.add_argument(
        "--vectors",
        type=Path,
        default=None,
        metavar="DIR",
        help="vector directory (default: the suite's own)",
    )
    validate.set_defaults(handler=_validate)

    run = commands.add_parser(
        "run",
        help="run a port over stdin/stdout and grade it",
        usage="%(prog)s [options] -- PORT COMMAND...\n       %(prog)s [options] --port-dir DIR",
    )
    _grading(run)
    run.add_argument(
        "--transport",
        choices=("session", "oneshot"),
        default="session",
        help="one long-lived process (default) or one process per case",
    )
    _timing(run, handshake=30.0, why="for the port to start and answer hello")
    run.add_argument(
        "--port-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="build the port with DIR/port.toml's `build`, then run its `run` in "
        "DIR (and use DIR/expectations.toml if there is one)",
    )
    run.add_argument(
        "port_command", nargs="*", metavar="PORT COMMAND", help="the port's argv, after --"
    )
    run.set_defaults(handler=_run)

    new_port = commands.add_parser(
        "new-port",
        help="write a ready project for a language's kit: the network's first "
        "stages done, the others stubbed, a port.toml to `run --port-dir` it",
    )
    new_port.add_argument(
        "language",
        metavar="LANG",
        help=f"one of: {', '.join(port_dir.languages()) or 'none found'}",
    )
    new_port.add_argument("dir", type=Path, metavar="DIR", help="a new (or empty) folder")
    new_port.add_argument("--name", default=None, help="the port's name (default: from DIR's name)")
    new_port.set_defaults(handler=_new_port)

    prompt = commands.add_parser("prompt", help="write the run requests to a file (blind file)")
    _selection(prompt)
    prompt.add_argument("out", metavar="OUT.json", help="where to write the prompt")
    prompt.set_defaults(handler=_prompt)

    grade = commands.add_parser("grade", help="grade a responses file (blind file)")
    _grading(grade)
    grade.add_argument(
        "--prompt",
        type=Path,
        default=None,
        metavar="PROMPT.json",
        help="the prompt the responses answer: grade the cases it asked, by its own filters",
    )
    grade.add_argument("responses", type=Path, metavar="RESPONSES.json")
    grade.set_defaults(handler=_grade)

    expectations = commands.add_parser("expectations", help="manage a port's expectations file")
    actions = expectations.add_subparsers(dest="action", required=True, metavar="ACTION")
    init = actions.add_parser("init", help="write entries for every case a result did not pass")
    init.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="RESULT.json",
        help="a result written by --report-json",
    )
    init.add_argument("out", metavar="OUT", help="the expectations file to write (.toml or .json)")
    init.set_defaults(handler=_expectations_init)

    report = commands.add_parser(
        "report", help="a port x stage matrix of several runs, from their --report-json files"
    )
    report.add_argument("results", nargs="+", type=Path, metavar="RESULT.json")
    report.add_argument(
        "--wide",
        action="store_true",
        help="one column per stage on the console (else grouped, 100 columns)",
    )
    report.add_argument("--markdown", type=Path, metavar="FILE", help="also write it as Markdown")
    report.add_argument(
        "--html",
        type=Path,
        metavar="OUT.html",
        help="also write a static, self-contained HTML page (details per case)",
    )
    report.set_defaults(handler=_report)

    copy = commands.add_parser(
        "copy", help="write the vector files and manifest of this suite version to DIR"
    )
    copy.add_argument(
        "--vectors",
        type=Path,
        default=None,
        metavar="SRC",
        help="vector directory to copy (default: the suite's own)",
    )
    copy.add_argument("--force", action="store_true", help="overwrite other versions of the files")
    copy.add_argument("dir", metavar="DIR", help="where to write them (created if missing)")
    copy.set_defaults(handler=_copy)
    _book_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.program = invocation.program() if argv is None else [invocation.NAME]
    try:
        if args.command in ("run", "grade"):  # stop cleanly, writing what was graded
            with interrupt.handled():
                return args.handler(args)
        return args.handler(args)
    except UsageError as exc:
        Console().fatal(str(exc))
        return 2
    except files.FileProblem as exc:
        Console().fatal(str(exc))
        return 2
    except interrupt.Interrupted as exc:
        Console().fatal(
            f"interrupted by {interrupt.signal_name(exc.signum)} before any case was graded"
        )
        return exc.status
    except KeyboardInterrupt:
        Console().fatal("interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback
        Console().fatal(
            f"internal error: {type(exc).__name__}: {exc} "
            "(please report this at the nnfs-conformance issue tracker)"
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())

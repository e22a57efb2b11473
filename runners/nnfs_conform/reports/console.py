"""What a learner reads in the terminal: a block per case that did not pass, then the verdict.

A failure block carries everything needed to act without opening the JSON report: what was
sent, what came back (and, when the port died, the meaningful end of its stderr), what was
wanted, the worst element and the command that reruns the case alone. The last line is always
`N passed, N failed, N errored, N skipped`, so scripts and eyes can rely on it.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, TextIO

from .report_text import NOT_PASSING, diagnosis_parts, one_line, summary_line, worst_line

SHOWN = 300  # characters of an input, reply or expected value shown in a block


def abbreviate(value: Any, limit: int = SHOWN) -> str:
    """Compact JSON of `value`, cut to `limit` characters with a note of the full length."""
    text = (
        value
        if isinstance(value, str)
        else json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    )
    text = one_line(text, len(text) + 1)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


def _wanted(result: dict[str, Any]) -> str | None:
    if result["expected_error"]:
        return f"error {result['expected_error']!r}"
    if result.get("wanted") is None:
        return None
    return abbreviate(result["wanted"])


def failure_block(result: dict[str, Any]) -> list[str]:
    """The lines describing one case that did not pass."""
    lines = [
        f"{result['outcome'].upper()} {result['id']}: {one_line(result['description'])}",
        f"  why:     {one_line(result['message'] or result['reason'] or result['outcome'])}",
    ]
    lines += [f"  {label + ':':<8} {text}" for label, text in diagnosis_parts(result)]
    request = result.get("request")
    if request is not None:
        lines.append(
            f"  sent:    inputs {abbreviate(request.get('inputs'))}"
            + (f" params {abbreviate(request['params'])}" if request.get("params") else "")
        )
    if result.get("response") is not None:
        lines.append(f"  got:     {abbreviate(result['response'])}")
    if result.get("stderr"):  # the end of a crashed port's stderr, indented as it was written
        for i, line in enumerate(str(result["stderr"]).split("\n")[:20]):
            depth = min(len(line) - len(line.lstrip()), 20)
            lines.append(("  stderr:  " if i == 0 else " " * 11) + " " * depth + one_line(line))
    wanted = _wanted(result)
    if wanted is not None:
        lines.append(f"  wanted:  {wanted}")
    if result.get("worst"):
        lines.append(f"  worst:   {worst_line(result['worst'])}")
    lines += [f"  problem: {one_line(p)}" for p in result.get("problems", [])[:10]]
    if result.get("rerun"):
        lines.append(f"  rerun:   {result['rerun']}")
    return lines


class Console:
    """Prints the progress line (only on a terminal), the failure blocks and the verdict."""

    def __init__(
        self,
        out: TextIO | None = None,
        err: TextIO | None = None,
        *,
        quiet: bool = False,
        verbose: bool = False,
    ):
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.quiet, self.verbose = quiet, verbose
        self._live = not quiet and hasattr(self.err, "isatty") and self.err.isatty()
        self._width = 0

    def progress(self, done: int, total: int | None, result: dict[str, Any]) -> None:
        """`[done/total] outcome id` redrawn in place (total None: not known in advance)."""
        if not self._live:
            return
        count = f"{done}/{total}" if total is not None else str(done)
        text = f"[{count}] {result['outcome']:<14} {result['id']}"[:100]
        self.err.write("\r" + text.ljust(self._width))
        self._width = len(text)
        self.err.flush()

    def progress_end(self) -> None:
        """Erase the progress line, so the report starts on a clean line."""
        if self._live and self._width:
            self.err.write("\r" + " " * self._width + "\r")
            self.err.flush()
            self._width = 0

    def report(self, result: dict[str, Any]) -> None:
        dtype = result["port"]["dtype"]
        say = self._print
        if not self.quiet:
            port = result["port"]  # what the port named itself: escaped, never raw
            say(
                f"port {one_line(port['name'], 200)} ({one_line(port['language'], 200)}, {dtype}"
                + (f", {one_line(port['version'], 200)}" if port.get("version") else "")
                + f") over {port['transport']}, suite {one_line(result['suite_version'], 60)}"
            )
            for stage, why in sorted(port.get("missing", {}).items()):
                say(f"not graded: {one_line(stage, 60)} ({one_line(why, 200)})")
            for case in result["cases"] if self._blocks(result) else ():
                if case["outcome"] in NOT_PASSING or (
                    self.verbose and case["outcome"] == "xfailed"
                ):
                    say("")
                    for line in failure_block(case):
                        say(line)
            if self.verbose:
                say("")
                for case in result["cases"]:
                    ratio = (
                        f"  worst {case['worst']['ratio']:.3g} x tol"
                        if (case["worst"] and isinstance(case["worst"]["ratio"], float))
                        else ""
                    )
                    say(f"{case['outcome']:<14} {case['id']}{ratio}")
            say("")
        summary = result["summary"]
        extra = [
            f"{summary[key]} {label}"
            for key, label in (
                ("not_applicable", "not applicable"),
                ("xfailed", "xfailed"),
                ("xpassed", "xpassed"),
            )
            if summary[key]
        ]
        if extra:
            say(f"({', '.join(extra)})")
        for key, text in (
            (
                "not_applicable_input_checks",
                "input-check cases not applicable: declare checks_inputs to be graded on them",
            ),
            ("declined", "cases declined by the port (unsupported): not applicable"),
        ):
            if summary.get(key):
                say(f"{summary[key]} {text}")
        if not result["complete"]:
            say(f"INCOMPLETE: {one_line(result['incomplete_reason'], 1000)}")
        say(summary_line(summary))

    def _blocks(self, result: dict[str, Any]) -> bool:
        """Whether a case may need a failure block. A Spool counted its results as they came:
        when none failed, it is not read back (100,000 cases to find none). A list is read."""
        counted = getattr(result["cases"], "summary", None)
        if counted is None:
            return True
        return any(counted[key] for key in NOT_PASSING) or bool(self.verbose and counted["xfailed"])

    def _print(self, line: str) -> None:
        self.out = _write(self.out, line + "\n")

    def note(self, message: str) -> None:
        """Something to know that does not stop the run: one line on stderr."""
        self.err = _write(self.err, f"nnfs-conform: note: {one_line(message, 1000)}\n")

    def fatal(self, message: str) -> None:
        """A run that could not be made: one line on stderr."""
        self.err = _write(self.err, f"nnfs-conform: {one_line(message, 1000)}\n")


def _write(stream: TextIO, text: str) -> TextIO:
    """Write and flush; a reader that went away (`run ... | head`, a closed terminal) is no
    error: the rest goes nowhere and the exit status still tells the verdict. Returns the
    stream to write to from now on."""
    try:
        try:
            stream.write(text)
        except UnicodeEncodeError:  # a lone surrogate, a terminal that is not UTF-8
            encoding = getattr(stream, "encoding", None) or "utf-8"
            stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
        stream.flush()
        return stream
    except (BrokenPipeError, ConnectionResetError, OSError, ValueError):
        sink = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives with the process
        try:
            if stream in (sys.stdout, sys.stderr):  # Python's flush at exit must not fail too
                os.dup2(sink.fileno(), stream.fileno())
        except (OSError, ValueError):
            pass
        return sink

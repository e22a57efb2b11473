"""What a crashed port's stderr says: its meaningful lines, not its last one.

The last line of a crash is rarely the news: a stack frame in Java and Go, the RUST_BACKTRACE
note in Rust, `Node.js v20` in Node, `exit status 2` under `go run`. One reader per language
family finds the lines a learner acts on (the exception or panic and where it happened); `read`
tries each in turn and falls back to the last line that is not known noise. Every reader takes
the cleaned lines of the stderr tail and returns a Crash, or None when the text is not its
language's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

EXCERPT_LINES = 20  # lines of stderr kept in a case result
LINE_WIDTH = 300  # characters of one excerpt line

_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NOISE = re.compile(
    r"^(Node\.js v\d|\(Use `node --trace-|note: run with `RUST_BACKTRACE=|exit status \d+$"
    r"|Aborted( \(core dumped\))?$|Segmentation fault( \(core dumped\))?$|make: \*\*\* )"
)


@dataclass(frozen=True)
class Crash:
    summary: list[str]  # the meaningful lines, for the one-line message
    excerpt: list[str]  # at most EXCERPT_LINES lines, for the failure block


def clean_lines(text: str, cut: bool = False) -> list[str]:
    """The non-blank lines of `text` without terminal escapes and control characters, tabs
    expanded; `cut`: the text starts mid-line (a tail), so its first line is dropped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if cut:
        lines = lines[1:]
    cleaned = []
    for line in lines:
        line = _CONTROL.sub("", _ESCAPE.sub("", line).expandtabs(4)).rstrip()
        if line.strip():
            cleaned.append(line if len(line) <= LINE_WIDTH else line[: LINE_WIDTH - 3] + "...")
    return cleaned


def _head(lines: list[str]) -> list[str]:
    if len(lines) <= EXCERPT_LINES:
        return lines
    return [*lines[: EXCERPT_LINES - 1], f"... ({len(lines) - EXCERPT_LINES + 1} more lines)"]


def _tail(lines: list[str]) -> list[str]:
    """The first line (a header) and the last ones: where a Python traceback ends is the news."""
    if len(lines) <= EXCERPT_LINES:
        return lines
    skipped = len(lines) - EXCERPT_LINES + 1
    return [lines[0], f"... ({skipped} lines)", *lines[-(EXCERPT_LINES - 2) :]]


def _last(lines: list[str], pattern: re.Pattern) -> int | None:
    for i in range(len(lines) - 1, -1, -1):
        if pattern.search(lines[i]):
            return i
    return None


# Python: `ValueError: ...` after a traceback (or after a SyntaxError's `File` line), with the
# innermost `File "...", line N` frame.
_PY_FRAME = re.compile(r'^\s*File "[^"]*", line \d+')
_PY_HEADER = re.compile(r"^Traceback \(most recent call last\):$")


def python(lines: list[str]) -> Crash | None:
    frame = _last(lines, _PY_FRAME)
    if frame is None:
        return None
    error = next((i for i in range(frame + 1, len(lines)) if not lines[i][0].isspace()), None)
    if error is None:
        return None
    header = _last(lines[:frame], _PY_HEADER)
    start = header if header is not None else frame
    return Crash([lines[error], lines[frame].strip()], _tail(lines[start : error + 1]))


# Java: `Exception in thread "main" java.lang.X: msg`, the root `Caused by:`, and the first
# frame of each outside the JDK.
_JAVA_FRAME = re.compile(r"^\s+at \S+\([^()]*\)$")
_JAVA_THROWN = re.compile(r"^(Exception in thread \"[^\"]*\" |Caused by: )\S")
_JAVA_MORE = re.compile(r"^\s+\.\.\. \d+ more$")
_JDK = ("java.", "javax.", "jdk.", "sun.", "com.sun.")
FRAMES_PER_EXCEPTION = 4


def _in_jdk(frame: str) -> bool:
    """`at java.base/java.lang.Double.parseDouble(Double.java:651)`: a frame of the JDK."""
    module, _, name = frame[3:].split("(")[0].rpartition("/")
    return module.startswith(("java.", "jdk.")) or name.startswith(_JDK)


def _java_frame(lines: list[str], i: int) -> str | None:
    """The first frame after the exception line `i` outside the JDK (else the first one)."""
    frames = []
    for line in lines[i + 1 :]:
        if not _JAVA_FRAME.match(line):
            break
        frames.append(line.strip())
    return next((f for f in frames if not _in_jdk(f)), frames[0] if frames else None)


def java(lines: list[str]) -> Crash | None:
    thrown = [i for i, line in enumerate(lines) if _JAVA_THROWN.match(line)]
    if not thrown:  # the header may have scrolled out of the tail: an exception line + frames
        thrown = [
            i
            for i in range(len(lines) - 1)
            if not lines[i][0].isspace() and _JAVA_FRAME.match(lines[i + 1])
        ]
    if not thrown:
        return None
    first = max((i for i in thrown if not lines[i].startswith("Caused by: ")), default=thrown[0])
    chain = [i for i in thrown if i >= first]
    summary = []
    for i in (chain[0], chain[-1]) if len(chain) > 1 else (chain[0],):
        summary.append(lines[i])
        frame = _java_frame(lines, i)
        if frame:
            summary.append(frame)
    excerpt, shown, hidden = [], 0, 0
    for line in lines[first:]:
        if _JAVA_FRAME.match(line) or _JAVA_MORE.match(line):
            if shown < FRAMES_PER_EXCEPTION:
                excerpt.append(line)
                shown += 1
            else:
                hidden += 1
            continue
        if hidden:
            excerpt.append(f"    ... ({hidden} frames not shown)")
        excerpt.append(line)
        shown = hidden = 0
    if hidden:
        excerpt.append(f"    ... ({hidden} frames not shown)")
    return Crash(summary, _head(excerpt))


# Go: `panic: ...` (or `fatal error: ...`) and the first frame of the first goroutine that is
# not the runtime's, as `file.go:N in pkg.func`.
_GO_PANIC = re.compile(r"^(panic: |fatal error: )")
_GO_GOROUTINE = re.compile(r"^goroutine \d+ \[")
_GO_FILE = re.compile(r"^\s+(\S+\.go:\d+)( \+0x[0-9a-f]+)?$")


def go(lines: list[str]) -> Crash | None:
    panic = next((i for i, line in enumerate(lines) if _GO_PANIC.match(line)), None)
    if panic is None:
        return None
    summary = [lines[panic]]
    goroutine = next((i for i in range(panic, len(lines)) if _GO_GOROUTINE.match(lines[i])), None)
    if goroutine is not None:
        for i in range(goroutine + 1, len(lines) - 1):
            if _GO_GOROUTINE.match(lines[i]):
                break  # only the first goroutine's frames: the one that panicked
            where = _GO_FILE.match(lines[i + 1])
            if where is None:
                continue
            function = lines[i].strip()
            function = function[: function.rfind("(")] if function.endswith(")") else function
            if not (function.startswith(("runtime.", "panic")) or "/src/runtime/" in where[1]):
                summary.append(f"{where[1]} in {function}")
                break
    return Crash(summary, _head(lines[panic:]))


# Rust: `thread 'main' panicked at src/x.rs:N:M:` and the message line after it (before Rust
# 1.73: the message inside the same line); a backtrace keeps only the port's own frames.
_RUST_PANIC = re.compile(r"^thread '[^']*'( \(\d+\))? panicked at ")
_RUST_FRAME = re.compile(r"^\s+\d+: ")
_RUST_LIBRARY = re.compile(r"^\s+at (/rustc/|.*/\.cargo/registry/|.*/library/(std|core|alloc)/)")


def rust(lines: list[str]) -> Crash | None:
    panic = _last(lines, _RUST_PANIC)
    if panic is None:
        return None
    summary = [lines[panic]]
    after = lines[panic + 1] if panic + 1 < len(lines) else ""
    if lines[panic].endswith(":") and after and not after.startswith(("note: ", "stack ")):
        summary.append(after)
    excerpt, hidden, at, i = [], 0, None, panic
    while i < len(lines):
        line = lines[i]
        if _RUST_FRAME.match(line):
            location = (
                lines[i + 1]
                if i + 1 < len(lines) and lines[i + 1].lstrip().startswith("at ")
                else None
            )
            step = 2 if location is not None else 1
            if location is None or _RUST_LIBRARY.match(location):
                hidden += 1
            else:
                excerpt += lines[i : i + step]
            i += step
            continue
        if not _NOISE.match(line):
            excerpt.append(line)
        if line.startswith("stack backtrace:"):
            at = len(excerpt)
        i += 1
    if hidden:
        excerpt.insert(
            len(excerpt) if at is None else at,
            f"    ({hidden} frames of the Rust library not shown)",
        )
    return Crash(summary, _head(excerpt))


# Node: the `TypeError: msg` line and where it was thrown (the `file.js:N` line node prints
# above the source line, else the first frame outside node's internals), not `Node.js v20`.
_NODE_ERROR = re.compile(r"^(Uncaught )?([A-Z]\w*)?(Error|Exception)\b( \[\w+\])?(: |$)")
_NODE_FRAME = re.compile(r"^\s+at (?:.+ \((.+)\)|(.+))$")  # group 1 or 2: where
_NODE_WHERE = re.compile(r"^\S+:\d+$")
_NODE_VERSION = re.compile(r"^Node\.js v\d")


def _node_user_frame(frame: str) -> bool:
    where = _NODE_FRAME.match(frame)
    if where is None:
        return False
    path = where[1] or where[2]
    return re.search(r":\d+:\d+$", path) is not None and not path.startswith(("node:", "internal/"))


def node(lines: list[str]) -> Crash | None:
    error = None
    for i in range(len(lines) - 1, -1, -1):
        if _NODE_ERROR.match(lines[i]) and (
            (i + 1 < len(lines) and _NODE_FRAME.match(lines[i + 1]))
            or any(_NODE_VERSION.match(line) for line in lines[i + 1 :])
        ):
            error = i
            break
    if error is None:
        return None
    header = next(
        (i for i in range(error - 1, max(-1, error - 5), -1) if _NODE_WHERE.match(lines[i])), None
    )
    frames = []
    for line in lines[error + 1 :]:
        if not _NODE_FRAME.match(line):
            break
        frames.append(line)
    user = [f for f in frames if _node_user_frame(f)]
    summary = [lines[error]]
    if header is not None and re.search(r"\.[cm]?[jt]s:\d+$", lines[header]):
        summary.append(lines[header])
    elif user:
        summary.append(user[0].strip())
    start = header if header is not None else error
    excerpt = lines[start : error + 1] + user
    if len(user) < len(frames):
        excerpt.append(f"    ({len(frames) - len(user)} frames of node's internals not shown)")
    return Crash(summary, _head(excerpt))


# C and C++: a failed assert, an uncaught exception's type and what(), a sanitizer's report;
# a signal (SIGSEGV, SIGABRT) is already named by the exit status.
_NATIVE = re.compile(
    r"(: Assertion .+ failed\.?$|^terminate called |^\s+what\(\): |^==\d+==ERROR: |^SUMMARY: "
    r"|^\*\*\* .+ \*\*\*|^(free|malloc|realloc)\(\): |^double free or corruption)"
)


def native(lines: list[str]) -> Crash | None:
    found = [i for i, line in enumerate(lines) if _NATIVE.search(line)]
    if not found:
        return None
    start = found[0]
    if any(lines[i].lstrip().startswith("what():") for i in found):
        start = next(i for i in found if not lines[i].lstrip().startswith("what():"))
    summary = [lines[i].strip() for i in found if i >= start][:3]
    return Crash(summary, _head([line for line in lines[start:] if not _NOISE.match(line)]))


READERS: tuple[Callable[[list[str]], Crash | None], ...] = (
    python,
    java,
    go,
    rust,
    node,
    native,
)


def read(text: str, cut: bool = False) -> Crash | None:
    """The meaningful lines of a port's stderr (`cut`: the text is a tail starting mid-line), or
    None when it wrote nothing."""
    lines = clean_lines(text, cut)
    if not lines:
        return None
    for reader in READERS:
        crash = reader(lines)
        if crash is not None and crash.summary:
            return crash
    meaningful = [line for line in lines if not _NOISE.match(line)] or lines
    return Crash([meaningful[-1].strip()], lines[-EXCERPT_LINES:])

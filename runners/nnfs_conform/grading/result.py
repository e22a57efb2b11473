"""The canonical result of a run: one JSON document every report is rendered from.

Its shape is schema/result.schema.json. The verdict (`exit_status`) is computed from the
document alone, so a report read back later reaches the same verdict as the run did.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from .. import __version__, files
from ..port import protocol
from ..reports.report_text import NOT_PASSING
from ..suite.vectors import schema
from .engine import DECLINED, INPUT_CHECK, OUTCOMES, cut

RESULT_VERSION = 1
FAILING = NOT_PASSING  # the outcomes that fail a run: one definition, in report_text
RAN = ("passed", "failed", "errored", "xfailed", "xpassed")
NAME_LIMIT = 200  # characters of the port's name, language, version kept (length noted)
LIST_LIMIT = 200  # stages, label formats and missing stages kept from the port's hello
DETAILS_BUDGET = 64 * 1024 * 1024  # characters of case details (request, reply, wanted...) in
# one JSON report; past it each case keeps its verdict and message, its details left out
LEFT_OUT = "(left out: the report reached its cap on details)"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def platform_info() -> dict[str, str]:
    return {
        "system": platform.system(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "runner_version": __version__,
    }


def port_header(info: dict[str, Any], command: list[str] | None, transport: str) -> dict[str, Any]:
    """What the port declared, every string and list it controls held to a limit."""
    formats = info["label_formats"]
    return {
        "name": cut(info["name"], NAME_LIMIT),
        "language": cut(info["language"], NAME_LIMIT),
        "dtype": info["dtype"],
        "version": cut(info.get("version"), NAME_LIMIT),
        "stages": [cut(s, NAME_LIMIT) for s in info["stages"][:LIST_LIMIT]],
        "label_formats": (
            {
                cut(stage, NAME_LIMIT): list(formats)
                for stage, formats in list(formats.items())[:LIST_LIMIT]
            }
            if isinstance(formats, dict)
            else list(formats)
        ),
        "checks_inputs": protocol.checks_inputs(info),
        "missing": {
            cut(stage, NAME_LIMIT): cut(why)
            for stage, why in list(info.get("missing", {}).items())[:LIST_LIMIT]
        },
        "command": command,
        "transport": transport,
    }


def _empty_summary() -> dict[str, int]:
    return (
        {"total": 0}
        | {outcome: 0 for outcome in OUTCOMES}
        | {"not_applicable_input_checks": 0, "declined": 0}
    )


def _count(summary: dict[str, int], case: dict[str, Any]) -> None:
    """Add one case result to `summary`; the not-applicable ones are also counted by cause."""
    summary["total"] += 1
    summary[case["outcome"]] += 1
    if case["outcome"] == "not_applicable":
        reason = case.get("reason") or ""
        summary["not_applicable_input_checks"] += reason == INPUT_CHECK
        summary["declined"] += reason.startswith(DECLINED)


def summarize(cases: Iterable[dict[str, Any]]) -> dict[str, int]:
    summary = _empty_summary()
    for case in cases:
        _count(summary, case)
    return summary


# One encoder for every case result, built once: json.dumps(result, ensure_ascii=False,
# allow_nan=False) builds one at each call around this same C encoder, with the same
# arguments but one: the table of the containers being encoded, kept only to refuse a
# circular value (a result is a tree of values read from JSON and of new dicts and lists).
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
_c_encoder = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None,
        _ENCODER.default,
        json.encoder.encode_basestring,
        None,
        _ENCODER.key_separator,
        _ENCODER.item_separator,
        False,
        False,
        False,
    )
    if json.encoder.c_make_encoder is not None  # type: ignore[attr-defined]
    else None
)


def _dumps(result: dict[str, Any]) -> str:
    """json.dumps(result, ensure_ascii=False, allow_nan=False)."""
    if _c_encoder is None:  # pragma: no cover - CPython has the C encoder
        return _ENCODER.encode(result)
    return "".join(_c_encoder(result, 0))


class Spool:
    """The case results of a run, written to a temporary file as they come, so that a run of
    any size holds none of them in memory; iterating reads them back in order, as often as the
    reports need. Counts are kept as the results come.

    The file is removed as soon as it is created (it lives on as an open descriptor), so no
    end of the runner, even SIGKILL, leaves it behind. When it cannot be created or written
    (a full $TMPDIR), the results from there on are kept in memory and `problem` says so, with
    the fix: no result is lost."""

    FLUSH = 1 << 16  # bytes of results gathered before they are written

    def __init__(self) -> None:
        self.summary = _empty_summary()
        self.per_stage: dict[str, int] = {}
        self.problem: str | None = None
        self._buffer = bytearray()
        self._memory: list[bytes] = []  # lines kept in memory once the file failed
        self._size = 0  # bytes of whole lines in the file
        self._fd: int | None = None
        self.path = os.path.join(tempfile.gettempdir(), "nnfs-conform-*.jsonl")
        try:
            self._fd, self.path = tempfile.mkstemp(prefix="nnfs-conform-", suffix=".jsonl")
            os.unlink(self.path)
        except OSError as exc:
            self._failed(exc)

    def _failed(self, exc: OSError) -> None:
        folder = os.path.dirname(self.path)
        self.problem = (
            f"cannot keep the results in the temporary file {self.path} "
            f"({exc.strerror or exc}): the rest were kept in memory; free space "
            f"in {folder} or set TMPDIR to a folder with room"
        )

    def _flush(self) -> None:
        if not self._buffer:
            return
        data, self._buffer = bytes(self._buffer), bytearray()
        if self.problem is not None or self._fd is None:
            self._memory += data.splitlines(keepends=True)
            return
        done = 0
        try:
            while done < len(data):
                done += os.write(self._fd, data[done:])
        except OSError as exc:
            whole = data.rfind(b"\n", 0, done) + 1  # the file keeps whole lines only
            try:
                os.ftruncate(self._fd, self._size + whole)
            except OSError:  # pragma: no cover - shrinking a file does not need space
                whole = done = 0
            self._size += whole
            self._memory += data[whole:].splitlines(keepends=True)
            self._failed(exc)
            return
        self._size += done

    def add(self, result: dict[str, Any]) -> None:
        line = _dumps(result)  # the JSON report's text of the case (write_json copies it)
        self._buffer += line.encode("utf-8", "surrogatepass")
        self._buffer += b"\n"
        if len(self._buffer) >= self.FLUSH:
            self._flush()
        _count(self.summary, result)
        stage = result["stage"]
        self.per_stage[stage] = self.per_stage.get(stage, 0) + 1

    def __len__(self) -> int:
        return self.summary["total"]

    def batches(self) -> Iterator[list[str]]:
        """The results in order, about a MiB of them at a time, each as the text
        `json.dumps(result, ensure_ascii=False, allow_nan=False)` gave when it was added: the
        JSON report writes them as they are, without reading them."""
        self._flush()
        position, rest = 0, b""
        while self._fd is not None and position < self._size:
            chunk = os.pread(self._fd, min(1 << 20, self._size - position), position)
            if not chunk:  # pragma: no cover - the file is ours and open
                break
            position += len(chunk)
            data = rest + chunk
            end = data.rfind(b"\n") + 1  # whole lines; a newline is never inside a character
            rest = data[end:]
            if end:
                yield data[: end - 1].decode("utf-8", "surrogatepass").split("\n")
        if self._memory:
            yield [line[:-1].decode("utf-8", "surrogatepass") for line in self._memory]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for batch in self.batches():
            for text in batch:
                yield json.loads(text)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._memory, self._buffer = [], bytearray()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def build(
    *,
    suite_version: str,
    port: dict[str, Any],
    started_at: str,
    duration_s: float,
    filters: dict[str, Any],
    cases: list[dict[str, Any]] | Spool,
    incomplete_reason: str | None,
) -> dict[str, Any]:
    """Assemble the result; a run in which no case ran is incomplete, never green. `cases` is a
    list, or a Spool (read back only by the report writers)."""
    summary = dict(cases.summary) if isinstance(cases, Spool) else summarize(cases)
    if incomplete_reason is None and not any(summary[o] for o in RAN):
        incomplete_reason = (
            "no case matches the filters" if not cases else "no applicable case was run"
        )
    return {
        "result_version": RESULT_VERSION,
        "suite_version": suite_version,
        "protocol": protocol.PROTOCOL,
        "port": port,
        "platform": platform_info(),
        "started_at": started_at,
        "duration_s": duration_s,
        "filters": filters,
        "complete": incomplete_reason is None,
        "incomplete_reason": incomplete_reason,
        "summary": summary,
        "cases": cases,
    }


def schema_problem(document: Any) -> str | None:
    """Where a document read back from disk breaks schema/result.schema.json, or None."""
    import jsonschema  # only when a result is read back: not on every run's path

    validator = jsonschema.Draft202012Validator(schema("result"))
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    return None if error is None else f"{protocol.pointer(error.absolute_path)}: {error.message}"


def exit_status(result: dict[str, Any]) -> int:
    """0 when the run is complete, some case ran and nothing failed, errored or passed
    unexpectedly; else 1."""
    summary = result["summary"]
    if (
        not result["complete"]
        or any(summary[o] for o in FAILING)
        or not any(summary[o] for o in RAN)
    ):
        return 1
    return 0


def summary_problem(document: dict[str, Any]) -> str | None:
    """Where a result read back disagrees with itself: its summary is not the count of its
    cases, or it says complete with no case run. None when it holds together."""
    counted = summarize(document["cases"])
    stated = document["summary"]
    wrong = [key for key in counted if stated.get(key, 0) != counted[key]]
    if wrong:
        shown = ", ".join(f"{key} {stated.get(key, 0)}" for key in wrong[:3])
        actual = ", ".join(f"{key} {counted[key]}" for key in wrong[:3])
        return f"/summary says {shown}, its cases say {actual}: edited after the run?"
    if document["complete"] and not any(counted[o] for o in RAN):
        return "/complete is true but no case ran: a runner never writes that"
    return None


def rerun_command(case_id: str, port_command: Sequence[str], extra: Sequence[str] = ()) -> str:
    """A shell command that reruns one case with the same vectors, transport and port."""
    return shlex.join(["nnfs-conform", "run", "--case", case_id, *extra, "--", *port_command])


def _without_details(case: dict[str, Any]) -> dict[str, Any]:
    """A case result past the report's cap: its verdict and message, not its details."""
    lean = dict(case, request=None, wanted=None, problems=case["problems"][:1])
    lean["response"] = None if case.get("response") is None else LEFT_OUT
    lean.pop("stderr", None)
    return lean


def _batches(
    cases: Iterable[dict[str, Any]] | Spool, dumps: Callable[[Any], str]
) -> Iterator[list[str]]:
    """The cases as the text `dumps` gives, in batches: a Spool holds them so already."""
    if isinstance(cases, Spool):
        yield from cases.batches()
        return
    rest = iter(cases)
    while batch := [dumps(case) for case in islice(rest, 1000)]:
        yield batch


def write_json(result: dict[str, Any], path: str | Path) -> None:
    """Written a case a line, about a MiB of lines at a time (the cases may be a Spool, whose
    texts are written as they are): a run of 100k cases never holds its cases or its text in
    memory. The file replaces `path` whole, or not at all (files.atomic). Past DETAILS_BUDGET
    characters of cases, each case is written without its details (request, reply, wanted
    outputs, stderr)."""

    def dumps(value: Any, indent: int | None = None) -> str:
        return json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)

    cases = result["cases"]
    with files.atomic(path, errors="backslashreplace") as f:  # \udXXX: JSON
        f.write("{\n")
        for key, value in result.items():
            if key != "cases":
                f.write(f" {dumps(key)}: {dumps(value, 1).replace(chr(10), chr(10) + ' ')},\n")
        f.write(' "cases": [')
        spent, first = 0, True
        for batch in _batches(cases, dumps):
            size = sum(map(len, batch))
            if spent + size <= DETAILS_BUDGET:  # the common case: the texts as they are
                f.write(("\n  " if first else ",\n  ") + ",\n  ".join(batch))
                spent, first = spent + size, False
                continue
            for text in batch:
                if spent + len(text) > DETAILS_BUDGET:
                    text = dumps(_without_details(json.loads(text)))
                spent += len(text)
                f.write(("\n  " if first else ",\n  ") + text)
                first = False
        f.write("\n ]\n}\n" if cases else "]\n}\n")

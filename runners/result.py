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
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema

from . import __version__, protocol
from .engine import DECLINED, INPUT_CHECK, OUTCOMES
from .report_text import NOT_PASSING
from .vectors import schema

RESULT_VERSION = 1
FAILING = NOT_PASSING  # the outcomes that fail a run: one definition, in report_text
RAN = ("passed", "failed", "errored", "xfailed", "xpassed")


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
    return {
        "name": info["name"],
        "language": info["language"],
        "dtype": info["dtype"],
        "version": info.get("version"),
        "stages": list(info["stages"]),
        "label_formats": (
            {stage: list(formats) for stage, formats in info["label_formats"].items()}
            if isinstance(info["label_formats"], dict)
            else list(info["label_formats"])
        ),
        "checks_inputs": protocol.checks_inputs(info),
        "missing": dict(info.get("missing", {})),
        "command": command,
        "transport": transport,
    }


def _empty_summary() -> dict[str, int]:
    return {"total": 0} | {outcome: 0 for outcome in OUTCOMES} | {
        "not_applicable_input_checks": 0, "declined": 0}


def _count(summary: dict[str, int], case: dict[str, Any]) -> None:
    """Add one case result to `summary`; the not-applicable ones are also counted by cause."""
    summary["total"] += 1
    summary[case["outcome"]] += 1
    if case["outcome"] == "not_applicable":
        reason = case.get("reason") or ""
        summary["not_applicable_input_checks"] += reason == INPUT_CHECK
        summary["declined"] += reason.startswith(DECLINED)


def summarize(cases: list[dict[str, Any]]) -> dict[str, int]:
    summary = _empty_summary()
    for case in cases:
        _count(summary, case)
    return summary


class Spool:
    """The case results of a run, written to a temporary file as they come, so that a run of
    any size holds none of them in memory; iterating reads them back in order, as often as the
    reports need. Counts are kept as the results come."""

    def __init__(self) -> None:
        handle, self.path = tempfile.mkstemp(prefix="nnfs-conform-", suffix=".jsonl")
        self._file = os.fdopen(handle, "wb")
        self.summary = _empty_summary()
        self.per_stage: dict[str, int] = {}

    def add(self, result: dict[str, Any]) -> None:
        line = json.dumps(result, ensure_ascii=False, allow_nan=False)
        self._file.write(line.encode("utf-8", "surrogatepass") + b"\n")
        _count(self.summary, result)
        self.per_stage[result["stage"]] = self.per_stage.get(result["stage"], 0) + 1

    def __len__(self) -> int:
        return self.summary["total"]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self._file.flush()
        with open(self.path, "rb") as f:
            for line in f:
                yield json.loads(line.decode("utf-8", "surrogatepass"))

    def close(self) -> None:
        self._file.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass

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
    cases: Iterable[dict[str, Any]],
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
    validator = jsonschema.Draft202012Validator(schema("result"))
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    return None if error is None else f"{protocol.pointer(error.absolute_path)}: {error.message}"


def exit_status(result: dict[str, Any]) -> int:
    """0 when the run is complete and nothing failed, errored or passed unexpectedly; else 1."""
    if not result["complete"] or any(result["summary"][o] for o in FAILING):
        return 1
    return 0


def rerun_command(case_id: str, port_command: list[str], extra: list[str] = ()) -> str:
    """A shell command that reruns one case with the same vectors, transport and port."""
    return shlex.join(["nnfs-conform", "run", "--case", case_id, *extra, "--", *port_command])


def write_json(result: dict[str, Any], path: str | Path) -> None:
    """Written a case at a time, one line each (the cases may be a Spool): a run of 100k cases
    never holds its cases or its text in memory."""
    def dumps(value: Any, indent: int | None = None) -> str:
        return json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)

    with open(path, "w", encoding="utf-8", errors="backslashreplace") as f:  # \udXXX: JSON
        f.write("{\n")
        for key, value in result.items():
            if key != "cases":
                f.write(f" {dumps(key)}: {dumps(value, 1).replace(chr(10), chr(10) + ' ')},\n")
        f.write(' "cases": [')
        for i, case in enumerate(result["cases"]):
            f.write(("\n  " if i == 0 else ",\n  ") + dumps(case))
        f.write("\n ]\n}\n" if result["cases"] else "]\n}\n")

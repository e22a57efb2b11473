"""The canonical result of a run: one JSON document every report is rendered from.

Its shape is schema/result.schema.json. The verdict (`exit_status`) is computed from the
document alone, so a report read back later reaches the same verdict as the run did.
"""

from __future__ import annotations

import json
import platform
import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema

from . import __version__, protocol
from .engine import OUTCOMES
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
        "label_formats": list(info["label_formats"]),
        "command": command,
        "transport": transport,
    }


def summarize(cases: list[dict[str, Any]]) -> dict[str, int]:
    summary = {"total": len(cases)} | {outcome: 0 for outcome in OUTCOMES}
    for case in cases:
        summary[case["outcome"]] += 1
    return summary


def build(
    *,
    suite_version: str,
    port: dict[str, Any],
    started_at: str,
    duration_s: float,
    filters: dict[str, Any],
    cases: list[dict[str, Any]],
    incomplete_reason: str | None,
) -> dict[str, Any]:
    """Assemble the result; a run in which no case ran is incomplete, never green."""
    summary = summarize(cases)
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
    """Streamed to the file piece by piece: a run of 100k cases never holds its whole text."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, ensure_ascii=False, allow_nan=False)
        f.write("\n")

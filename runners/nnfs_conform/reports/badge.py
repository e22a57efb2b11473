"""The canonical result as a shields.io endpoint badge, so a port's README shows its standing.

Its colour is the run's verdict and nothing else: green when the run exits 0 (expected failures
included: the port's CI is green), red otherwise. The message counts passes among the
applicable cases, then the cases the expectations file excuses, so a green badge never hides
them: `649/651 float64, 2 xfail`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import files
from ..grading.result import exit_status

LABEL = "nnfs conformance"


def badge(result: dict[str, Any]) -> dict[str, Any]:
    """The endpoint JSON object (https://shields.io/badges/endpoint-badge)."""
    summary = result.get("summary", {})
    passed = summary.get("passed", 0)
    applicable = summary.get("total", 0) - summary.get("not_applicable", 0)
    dtype = result.get("port", {}).get("dtype") or "?"
    message = f"{passed}/{applicable} {dtype}"
    excused = [
        f"{summary[key]} {word}"
        for key, word in (("xfailed", "xfail"), ("skipped", "skipped"))
        if summary.get(key)
    ]
    if excused:
        message += ", " + ", ".join(excused)
    if not result.get("complete", False):
        message += " (incomplete)"
    color = "brightgreen" if exit_status(result) == 0 else "red"
    return {"schemaVersion": 1, "label": LABEL, "message": message, "color": color}


def write_badge(result: dict[str, Any], path: str | Path) -> None:
    """Write the badge JSON to `path`, for a CI job to publish (e.g. to a gist or Pages)."""
    with files.atomic(path) as out:
        out.write(json.dumps(badge(result)) + "\n")

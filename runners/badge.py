"""The canonical result as a shields.io endpoint badge, so a port's README shows its standing.

The message counts passes among the applicable cases (skipped and xfailed ones count as not
passed: a badge must not look better than the run). Green only for a complete run with every
applicable case passing; yellow from 90 %; red below; grey when nothing applicable ran.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import files

LABEL = "nnfs conformance"


def badge(result: dict[str, Any]) -> dict[str, Any]:
    """The endpoint JSON object (https://shields.io/badges/endpoint-badge)."""
    summary = result.get("summary", {})
    passed = summary.get("passed", 0)
    applicable = summary.get("total", 0) - summary.get("not_applicable", 0)
    dtype = result.get("port", {}).get("dtype") or "?"
    complete = bool(result.get("complete", False))
    if applicable <= 0:
        color = "lightgrey"
    elif passed == applicable and complete:
        color = "brightgreen"
    elif passed >= 0.9 * applicable:
        color = "yellow"
    else:
        color = "red"
    message = f"{passed}/{applicable} {dtype}"
    if not complete:
        message += " (incomplete)"
    return {"schemaVersion": 1, "label": LABEL, "message": message, "color": color}


def write_badge(result: dict[str, Any], path: str | Path) -> None:
    """Write the badge JSON to `path`, for a CI job to publish (e.g. to a gist or Pages)."""
    with files.atomic(path) as out:
        out.write(json.dumps(badge(result)) + "\n")

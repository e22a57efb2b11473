"""The canonical result as a short Markdown page, for a CI step summary ($GITHUB_STEP_SUMMARY).

A headline with the totals, one table row per stage, then the first failures folded in
<details> blocks, each with the command that reruns it. Port-controlled text is escaped (HTML,
table pipes, backticks and emphasis), so a port cannot break the page or inject markup.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from .. import files
from .report_text import NOT_PASSING, details, headline, one_line, summary_line

MAX_FAILURES = 20
_COLUMNS = ("passed", "failed", "errored", "skipped", "not_applicable")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~#!])")


def text(value: Any, limit: int = 300) -> str:
    """Port-controlled text made inert in Markdown: one line, HTML and punctuation escaped."""
    escaped = html.escape(one_line(value, limit), quote=False)
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", escaped)


def _code_block(body: str) -> list[str]:
    """A fenced block that no backtick run inside `body` can close early."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, body, fence]


def _headline(result: dict[str, Any]) -> list[str]:
    port, summary = result.get("port", {}), result.get("summary", {})
    failing = sum(summary.get(outcome, 0) for outcome in NOT_PASSING)
    ok = failing == 0 and result.get("complete", False)
    lines = [
        f"## {'✅' if ok else '❌'} nnfs conformance: {text(port.get('name', '?'))}",
        "",
        (
            f"{text(port.get('language', '?'))}, {text(port.get('dtype', '?'))}, "
            f"suite {text(result.get('suite_version', '?'))}"
        ),
        "",
        f"**{summary_line(summary)}**",
    ]
    extra = [
        f"{summary[key]} {label}"
        for key, label in (
            ("xfailed", "xfailed (expected failures)"),
            ("xpassed", "xpassed (passes the expectations file says fail: the run fails)"),
            ("not_applicable", "not applicable"),
        )
        if summary.get(key)
    ]
    if extra:
        lines += ["", ", ".join(extra)]
    if not result.get("complete", False):
        reason = text(result.get("incomplete_reason") or "no reason given")
        lines += ["", "> [!WARNING]", f"> **INCOMPLETE**: {reason}"]
    return lines


def _table(result: dict[str, Any]) -> list[str]:
    cases = result.get("cases", [])
    extra = tuple(k for k in ("xfailed", "xpassed") if any(c["outcome"] == k for c in cases))
    columns = _COLUMNS + extra
    rows: dict[str, dict[str, int]] = {}
    for case in cases:
        row = rows.setdefault(case["stage"], dict.fromkeys(columns, 0))
        row[case["outcome"]] = row.get(case["outcome"], 0) + 1
    names = ["stage", *("n/a" if c == "not_applicable" else c for c in columns)]
    lines = ["| " + " | ".join(names) + " |", "|---" + "|---:" * len(columns) + "|"]
    for stage, row in rows.items():
        lines.append(f"| {text(stage)} | " + " | ".join(str(row[c]) for c in columns) + " |")
    return lines


def _failure(case: dict[str, Any]) -> list[str]:
    # The <summary> line is raw HTML (Markdown is not parsed there): HTML escapes suffice.
    summary = (
        f"<summary><code>{html.escape(one_line(case['id']))}</code> "
        f"({case['outcome']}): {html.escape(one_line(headline(case), 200))}</summary>"
    )
    lines = ["<details>", summary, ""]
    lines += _code_block("\n".join(details(case)))
    if case.get("rerun"):
        lines += ["", "Rerun it alone:", ""] + _code_block(one_line(case["rerun"], 1000))
    return lines + ["", "</details>"]


def render_markdown(result: dict[str, Any]) -> str:
    """The Markdown summary of a result."""
    lines = _headline(result)
    if result.get("cases"):
        lines += [""] + _table(result)
    failures, shown = 0, []  # the cases may be a Spool: keep only the blocks shown
    for case in result.get("cases", []):
        if case["outcome"] in NOT_PASSING:
            failures += 1
            if failures <= MAX_FAILURES:
                shown += [""] + _failure(case)
    if failures:
        lines += ["", f"### Failures ({failures})"] + shown
        if failures > MAX_FAILURES:
            more = failures - MAX_FAILURES
            lines += ["", f"... and {more} more: see the JSON or JUnit report."]
    return "\n".join(lines) + "\n"


def write_markdown(result: dict[str, Any], path: str | Path) -> None:
    """Write the summary to `path`, appending (a step summary file collects several)."""
    with files.atomic(path, append=True, errors="replace") as out:
        out.write(render_markdown(result))

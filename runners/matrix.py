"""Port × stage: many runs at a glance, from their canonical results.

One cell per (port, stage): `pass` when every case of the stage the port was asked passed,
`FAIL n` when n did not, `n/a` when the port does not declare the stage (or ran none of it).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from .report_text import one_line, summary_line
from .result import FAILING, exit_status


def load_result(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def cell(result: dict[str, Any], stage: str) -> str:
    outcomes = Counter(c["outcome"] for c in result["cases"] if c["stage"] == stage)
    bad = sum(outcomes[o] for o in FAILING)
    asked = sum(outcomes.values()) - outcomes["not_applicable"]
    if bad:
        return f"FAIL {bad}/{asked}"
    if asked == 0:
        return "n/a"
    held_back = [f"{outcomes[o]} {o}" for o in ("skipped", "xfailed") if outcomes[o]]
    if not outcomes["passed"]:
        return ", ".join(held_back)  # the port says it does not do this stage yet
    return f"pass {outcomes['passed']}" + (f" (+{', '.join(held_back)})" if held_back else "")


def kind(text: str) -> str:
    """What a cell's text means, for renderers that colour it: pass, partial, fail or na."""
    if text.startswith("FAIL"):
        return "fail"
    if text == "n/a":
        return "na"
    return "pass" if text.startswith("pass") and "(" not in text else "partial"


def stages_of(results: list[dict[str, Any]]) -> list[str]:
    """Every stage any result mentions, in the order the runs met them (the suite's order)."""
    seen: dict[str, None] = {}
    for result in results:
        for case in result["cases"]:
            seen.setdefault(case["stage"], None)
    return list(seen)


def rows(results: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    stages = stages_of(results)
    header = ["port", "dtype", *(one_line(stage, 60) for stage in stages), "verdict"]
    table = []
    for result in results:
        port = result["port"]
        verdict = "green" if exit_status(result) == 0 else (
            "INCOMPLETE" if not result["complete"] else "red")
        table.append([f"{one_line(port['name'], 200)} ({one_line(port['language'], 200)})",
                      one_line(port["dtype"], 20),
                      *(cell(result, stage) for stage in stages), verdict])
    return header, table


def render_console(results: list[dict[str, Any]]) -> str:
    header, table = rows(results)
    widths = [max(len(str(r[i])) for r in [header, *table]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in table]
    lines += [f"{one_line(result['port']['name'], 200)}: {summary_line(result['summary'])}"
              for result in results]
    return "\n".join(lines)


def render_markdown(results: list[dict[str, Any]]) -> str:
    header, table = rows(results)

    from .markdown import text

    def line(values, first=None):
        cells = [str(v).replace("|", "\\|") for v in values]
        if first is not None:
            cells[0] = first
        return "| " + " | ".join(cells) + " |"

    rows_ = [line(r, text(r[0])) for r in table]  # the port's name: inert in Markdown
    return "\n".join([line(header), line(["---"] * len(header)), *rows_])

"""Port × stage: many runs at a glance, from their canonical results.

One cell per (port, stage): `pass` when every case of the stage the port was asked passed,
`FAIL n` when n did not, `n/a` when the port does not declare the stage (or ran none of it).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from ..grading.result import FAILING, exit_status
from ..suite.stages import GROUPS as STAGE_GROUPS
from ..suite.stages import stage_names
from .report_text import one_line, summary_line


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
        verdict = (
            "green"
            if exit_status(result) == 0
            else ("INCOMPLETE" if not result["complete"] else "red")
        )
        table.append(
            [
                f"{one_line(port['name'], 200)} ({one_line(port['language'], 200)})",
                one_line(port["dtype"], 20),
                *(cell(result, stage) for stage in stages),
                verdict,
            ]
        )
    return header, table


# The stages in groups, as the book meets them: the forward pass (chapters 1-5), training
# (chapters 9-17), and the book tier's own numbers; a stage of a newer suite goes to "other".
GROUPS = {group: stage_names(group) for group in STAGE_GROUPS}
NAME_WIDTH = 40  # characters of a port's name in the grouped table: it fits 100 columns


def group_of(stage: str) -> str:
    return next((group for group, stages in GROUPS.items() if stage in stages), "other")


def grouped(stages: list[str]) -> list[tuple[str, list[str]]]:
    """(group, its stages in the given order) for each group that has one, groups in order."""
    return [
        (group, members)
        for group in (*GROUPS, "other")
        if (members := [s for s in stages if group_of(s) == group])
    ]


def group_cell(result: dict[str, Any], stages: list[str]) -> str:
    """`pass 8/8` (stages that passed whole / stages asked), `pass 3/4, 1 held` (a stage with
    cases skipped or xfailed by the expectations file), `FAIL 2/16`, or n/a."""
    kinds = [kind(cell(result, stage)) for stage in stages]
    asked = len(kinds) - kinds.count("na")
    if not asked:
        return "n/a"
    if "fail" in kinds:
        return f"FAIL {kinds.count('fail')}/{asked}"
    held = kinds.count("partial")
    return f"pass {kinds.count('pass')}/{asked}" + (f", {held} held" if held else "")


def render_console(results: list[dict[str, Any]], wide: bool = False) -> str:
    """The grouped table (fits 100 columns; failing stages named under their port), or with
    `wide` one column per stage."""
    if wide:
        return render_wide(results)
    stages = stages_of(results)
    groups = grouped(stages)
    header = ["port", "dtype", *(group for group, _ in groups), "verdict"]
    table, notes = [], []
    for result in results:
        port = result["port"]
        name = one_line(f"{port['name']} ({port['language']})", NAME_WIDTH)
        verdict = (
            "green"
            if exit_status(result) == 0
            else ("INCOMPLETE" if not result["complete"] else "red")
        )
        table.append(
            [
                name,
                one_line(port["dtype"], 20),
                *(group_cell(result, members) for _, members in groups),
                verdict,
            ]
        )
        failing = [
            f"{one_line(stage, 60)} {cell(result, stage).removeprefix('FAIL ')}"
            for stage in stages
            if kind(cell(result, stage)) == "fail"
        ]
        if failing:
            notes.append((len(table) - 1, "    failing: " + ", ".join(failing)))
    widths = [max(len(str(r[i])) for r in [header, *table]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    for i, row in enumerate(table):
        lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
        lines += [note for at, note in notes if at == i]
    lines += [
        f"{one_line(result['port']['name'], NAME_WIDTH)}: {summary_line(result['summary'])}"
        for result in results
    ]
    return "\n".join(lines)


def render_wide(results: list[dict[str, Any]]) -> str:
    """One column per stage: as wide as the suite (about 430 columns for 28 stages)."""
    header, table = rows(results)
    widths = [max(len(str(r[i])) for r in [header, *table]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in table]
    lines += [
        f"{one_line(result['port']['name'], 200)}: {summary_line(result['summary'])}"
        for result in results
    ]
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

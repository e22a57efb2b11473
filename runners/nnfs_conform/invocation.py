"""The command line the runner was started with, so that a printed command runs again as typed.

A `rerun:` line must work when pasted: the runner as it was invoked (`.venv/bin/nnfs-conform`,
`python3 -m nnfs_conform`, or `nnfs-conform` found on PATH), and every grading option the run
had, rebuilt from the parsed arguments so that an option added later is carried too. Only the
selection (`--case`, `--stage`), the report files and the loudness are left out.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

NAME = "nnfs-conform"
# Options a rerun of one case leaves out: it selects its own case and writes no reports.
NOT_RERUN = {
    "case",
    "stage",
    "prompt",
    "report_json",
    "junit",
    "markdown",
    "badge",
    "quiet",
    "verbose",
    "help",
}


def program(argv: list[str] | None = None, orig_argv: list[str] | None = None) -> list[str]:
    """How this process was started: `python -m nnfs_conform` with the interpreter as typed,
    the script's path as given, or the bare name when it was found on PATH."""
    argv = sys.argv if argv is None else argv
    orig_argv = getattr(sys, "orig_argv", argv) if orig_argv is None else orig_argv
    first = argv[0] if argv else NAME
    if Path(first).name == "__main__.py" and "-m" in orig_argv[:-1]:
        return orig_argv[: orig_argv.index("-m") + 2]
    if os.sep not in first:
        return [first or NAME]
    found = shutil.which(Path(first).name)
    try:
        if os.path.isabs(first) and found and os.path.samefile(found, first):
            return [Path(first).name]  # the shell found it on PATH: say it as the learner does
    except OSError:
        pass
    return [first]


def _flag(action: argparse.Action) -> str:
    return max(action.option_strings, key=lambda s: (s.startswith("--"), len(s)))


def options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[str]:
    """The options of `args` that differ from `parser`'s defaults, as argv words, in the
    parser's order, without the ones a rerun leaves out; then the positional arguments."""
    words: list[str] = []
    positionals: list[str] = []
    needs_separator = False
    for action in parser._actions:  # noqa: SLF001 - argparse has no public list of its options
        if action.dest in NOT_RERUN or action.dest == argparse.SUPPRESS:
            continue
        value = getattr(args, action.dest, action.default)
        if not action.option_strings:
            values = value if isinstance(value, list) else [value]
            positionals += [str(v) for v in values]
            needs_separator |= action.nargs in ("+", "*", argparse.REMAINDER) or any(
                str(v).startswith("-") for v in values
            )
            continue
        if value == action.default or value is None:
            continue
        flag = _flag(action)
        if action.nargs == 0:  # store_true, store_const, count
            count = value if isinstance(value, int) and not isinstance(value, bool) else 1
            words += [flag] * count
        elif isinstance(value, list) and action.nargs is None:  # append: one flag per value
            for item in value:
                words += [flag, str(item)]
        elif isinstance(value, (list, tuple)):
            words += [flag, *(str(v) for v in value)]
        else:
            words += [flag, str(value)]
    return words + (["--"] if needs_separator and positionals else []) + positionals


def rerun(args: argparse.Namespace, case_id: str) -> str:
    """The shell command that runs case `case_id` again, exactly as this run did."""
    parser = args.command_parser
    return shlex.join(
        [*getattr(args, "program", [NAME]), args.command, "--case", case_id, *options(parser, args)]
    )


def rerunner(args: argparse.Namespace) -> Callable[[Any], str]:
    """`rerun` for every case of one run: the words around the case id, the same for each case,
    are built and quoted once, at the first case (the run's options are settled by then)."""
    parts: list[str] = []

    def rerun_case(case: Any) -> str:
        if not parts:
            parts.append(shlex.join([*getattr(args, "program", [NAME]), args.command, "--case"]))
            rest = shlex.join(options(args.command_parser, args))
            parts.append(f" {rest}" if rest else "")
        return f"{parts[0]} {shlex.quote(case.id)}{parts[1]}"

    return rerun_case

"""A `--stage` or `--case` glob that selects nothing is a typo, not a run: say which, and the
closest names the suite has."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from fnmatch import fnmatchcase

from .vectors import Suite

SHOWN = 5  # names listed when none is close


class FilterError(ValueError):
    """A glob matches nothing; the message is one line with the closest names."""


def _either(names: list[str]) -> str:
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _hint(glob: str, names: list[str], what: str, also: Iterable[str] = ()) -> str:
    """The closest of `names` (and of `also`, never listed), else the first few names."""
    close = difflib.get_close_matches(glob, [*names, *also], n=3, cutoff=0.6)
    if close:
        return f"did you mean {_either(close)}?"
    shown = ", ".join(names[:SHOWN])
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return f"the {what} are {shown}{more}"


def check(suite: Suite, stage_globs: Iterable[str], case_globs: Iterable[str]) -> None:
    """Raise FilterError for the first glob that matches no stage of the suite, or no case id
    of the stages selected."""
    stage_globs, case_globs = list(stage_globs), list(case_globs)
    stages = list(suite.files)
    for glob in stage_globs:
        if not any(fnmatchcase(stage, glob) for stage in stages):
            raise FilterError(f"no stage matches {glob!r}; {_hint(glob, stages, 'stages')}")
    if not case_globs:
        return
    selected = [s for s in stages if not stage_globs or any(fnmatchcase(s, g) for g in stage_globs)]
    waiting, ids = list(case_globs), []
    for case in suite.iter_cases(selected):  # stops as soon as every glob has matched
        ids.append(case.id)
        waiting = [g for g in waiting if not fnmatchcase(case.id, g)]
        if not waiting:
            return
    glob = waiting[0]
    where = (
        "no case"
        if not stage_globs
        else (f"no case of the selected stages ({', '.join(selected)})")
    )
    left_out = [
        s
        for s in stages
        if s not in selected and "/" in glob and fnmatchcase(s, glob.split("/")[0])
    ]
    if left_out:
        raise FilterError(f"{where} matches {glob!r}: --stage leaves out stage {left_out[0]!r}")
    wild = any(ch in glob for ch in "*?[")
    stage_globs = [f"{stage}/*" for stage in selected] if wild else []  # 'softmx/*'
    raise FilterError(f"{where} matches {glob!r}; {_hint(glob, ids, 'case ids', stage_globs)}")


def check_tags(suite: Suite, tags: Iterable[str]) -> None:
    """Raise FilterError for the first `--tag`/`--skip-tag` that no case of the suite carries."""
    tags = list(tags)
    if not tags:
        return
    known: set[str] = set()
    for case in suite.iter_cases():
        known.update(case.tags)
        if known.issuperset(tags):
            return
    tag = next(t for t in tags if t not in known)
    raise FilterError(f"no case has tag {tag!r}; {_hint(tag, sorted(known), 'tags')}")

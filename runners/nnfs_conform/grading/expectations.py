"""A port's expectations file: the cases it knows it fails (xfail) or must not run (skip).

The file lives in the port's repository, so a port can keep CI green while it grows stage by
stage, without the suite lowering its bar:

    version = 1                     # optional
    [[expect]]
    case = "softmax/*"              # a case id, or an fnmatch glob on case ids
    mode = "xfail"                  # or "skip"
    reason = "softmax not written yet"

    [[expect]]
    tag = "inexact-inputs"          # instead of case: every case with this tag
    mode = "xfail"
    reason = "reads inputs as float32 before widening"

TOML or JSON (chosen by the suffix), the same shape in both. An exact id beats a glob or a
tag; among globs and tags the first entry in file order wins.

Two rules keep the file honest, so it cannot silently hide progress or regressions:
- xfail is strict: the runner grades an xfail case as usual and turns a pass into "xpassed",
  which fails the run. Delete the entry once the case passes.
- An entry that matches no case is an error (see `unmatched`): a typo must not hide nothing.

Every problem in the file is one ExpectationsError line naming the file and the entry.
`write_initial` writes a starting file from a run's failures (`nnfs-conform expectations init`).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from .. import files
from ..reports.report_text import one_line

MODES = ("skip", "xfail")
_SELECTORS = ("case", "tag")  # an entry has exactly one of them
_KEYS = (*_SELECTORS, "mode", "reason")
_TOP_KEYS = ("version", "expect")


class ExpectationsError(Exception):
    """The expectations file cannot be used; the message is one line naming file and entry."""


@dataclass(frozen=True)
class Expectation:
    pattern: str  # a case id or an fnmatch glob (case-sensitive on every platform), or a tag
    mode: str  # "skip" or "xfail"
    reason: str
    by: str = "case"  # what `pattern` names: "case" (id or glob) or "tag"

    def matches(self, case_id: str, tags: Iterable[str] = ()) -> bool:
        if self.by == "tag":
            return self.pattern in tags
        return self.pattern == case_id or fnmatchcase(case_id, self.pattern)


def _quote(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _read(path: Path) -> Any:
    where = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise ExpectationsError(f"{where}: the name must end in .toml or .json")
    try:
        text = files.read_input(path, files.EXPECTATIONS_LIMIT, "expectations").decode("utf-8")
    except files.FileProblem as exc:
        raise ExpectationsError(str(exc)) from None
    except UnicodeDecodeError:
        raise ExpectationsError(f"{where}: not UTF-8 text") from None
    try:  # a key twice is refused in both (TOML refuses it itself)
        return (
            tomllib.loads(text)
            if suffix == ".toml"
            else json.loads(text, object_pairs_hook=lambda pairs: _unique(pairs, where))
        )
    except ExpectationsError:
        raise
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        kind = "TOML" if suffix == ".toml" else "JSON"
        raise ExpectationsError(f"{where}: not valid {kind}: {exc}") from None


def _unique(pairs: list[tuple[str, Any]], where: str) -> dict[str, Any]:
    """A JSON object whose keys are all distinct: a repeated `expect` would drop the first."""
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise ExpectationsError(
                f"{where}: the key {_quote(key)} appears twice in one "
                "object: only the last would count"
            )
        seen.add(key)
    return dict(pairs)


def _entry(raw: Any, at: str) -> Expectation:
    if not isinstance(raw, dict):
        raise ExpectationsError(f"{at}: must be a table with case (or tag), mode and reason")
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise ExpectationsError(
            f"{at}: unknown key {_quote(unknown[0])} (an entry has case or tag, mode and reason)"
        )
    selectors = [key for key in _SELECTORS if key in raw]
    if len(selectors) != 1:
        raise ExpectationsError(
            f"{at}: "
            + ("has both case and tag: give one" if selectors else "missing case (or tag)")
        )
    by = selectors[0]
    for key in (by, "mode", "reason"):
        if key not in raw:
            raise ExpectationsError(f"{at}: missing {key}")
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise ExpectationsError(
                f"{at}: {key} must be a non-empty string, got {_quote(raw[key])}"
            )
    if raw["mode"] not in MODES:
        raise ExpectationsError(f'{at}: mode must be "skip" or "xfail", got {_quote(raw["mode"])}')
    return Expectation(raw[by], raw["mode"], raw["reason"], by)


class Expectations:
    """The entries of one file, in file order."""

    def __init__(self, entries: list[Expectation], path: Path | None = None):
        self.entries = list(entries)
        self.path = path

    @classmethod
    def load(cls, path: str | Path) -> Expectations:
        path = Path(path)
        where = str(path)
        document = _read(path)
        if not isinstance(document, dict):
            raise ExpectationsError(f"{where}: must be a table (object) with an expect list")
        unknown = sorted(set(document) - set(_TOP_KEYS))
        if unknown:
            raise ExpectationsError(
                f"{where}: unknown key {_quote(unknown[0])} (the file has version and expect)"
            )
        if "version" in document and document["version"] != 1:
            raise ExpectationsError(
                f"{where}: version must be 1, got {_quote(document['version'])}"
            )
        raw_entries = document.get("expect", [])
        if not isinstance(raw_entries, list):
            raise ExpectationsError(f"{where}: expect must be a list of entries ([[expect]])")
        entries: list[Expectation] = []
        first: dict[tuple[str, str], int] = {}
        for i, raw in enumerate(raw_entries):
            entry = _entry(raw, f"{where}: expect[{i}]")
            key = (entry.by, entry.pattern)
            if key in first:
                raise ExpectationsError(
                    f"{where}: expect[{i}]: {entry.by} "
                    f"{_quote(entry.pattern)} repeats expect[{first[key]}]"
                )
            first[key] = i
            entries.append(entry)
        return cls(entries, path)

    def match(self, case_id: str, tags: Iterable[str] = ()) -> Expectation | None:
        """The entry for a case: its exact id if listed, else the first glob or tag (in file
        order) that matches."""
        for entry in self.entries:
            if entry.by == "case" and entry.pattern == case_id:
                return entry
        tags = tuple(tags)
        for entry in self.entries:
            if entry.matches(case_id, tags):
                return entry
        return None

    def unmatched(self, case_ids: Iterable[str], tags: Iterable[str] = ()) -> list[Expectation]:
        """Entries that match none of the cases (a typo or a removed case): the run fails.
        `tags` are every tag the cases carry."""
        ids, tags = list(case_ids), set(tags)
        return [
            e
            for e in self.entries
            if not (e.pattern in tags if e.by == "tag" else any(e.matches(c) for c in ids))
        ]


def _toml_string(text: str) -> str:
    """A TOML basic string: escape what TOML forbids raw, replace lone surrogates."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\ufffd")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _initial_entries(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(id, mode, reason) for every case that does not pass now, keeping given reasons."""
    entries = []
    for case in result.get("cases", []):
        outcome = case["outcome"]
        if outcome in ("failed", "errored"):
            reason = one_line(case.get("message") or f"{outcome} (no message)", 200)
            entries.append((case["id"], "xfail", reason))
        elif outcome in ("xfailed", "skipped"):  # already expected: keep the entry and its reason
            mode = "xfail" if outcome == "xfailed" else "skip"
            reason = one_line(case.get("reason") or case.get("message") or outcome, 200)
            entries.append((case["id"], mode, reason))
    return sorted(entries)


def render_initial(result: dict[str, Any]) -> str:
    """The text of a starting expectations file for the run in `result`."""
    port = result.get("port", {})
    about = one_line(
        f"{port.get('name', '?')} ({port.get('language', '?')}, {port.get('dtype', '?')})"
    )
    lines = [
        f"# Expectations for {about}, written by `nnfs-conform expectations init`",
        (
            f"# from a run of suite {result.get('suite_version', '?')} at "
            f"{result.get('started_at', '?')}: one entry per case that did not pass."
        ),
        "# xfail is strict: when a case passes, the run fails until its entry is deleted.",
        "",
        "version = 1",
    ]
    for case_id, mode, reason in _initial_entries(result):
        lines += [
            "",
            "[[expect]]",
            f"case = {_toml_string(case_id)}",
            f"mode = {_toml_string(mode)}",
            f"reason = {_toml_string(reason)}",
        ]
    return "\n".join(lines) + "\n"


def write_initial(result: dict[str, Any], path: str | Path) -> None:
    """Write a starting expectations file that makes the run in `result` pass.

    TOML, or JSON when the name ends in .json (the same shape either way).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        entries = [{"case": c, "mode": m, "reason": r} for c, m, r in _initial_entries(result)]
        text = json.dumps({"version": 1, "expect": entries}, indent=2, ensure_ascii=False) + "\n"
    elif suffix == ".toml":
        text = render_initial(result)
    else:
        raise ExpectationsError(f"{path}: the name must end in .toml or .json")
    path.write_text(text, encoding="utf-8", errors="replace")

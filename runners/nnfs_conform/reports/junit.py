"""The canonical result as JUnit XML, the one test report format every CI system reads.

One <testsuite> per stage, one <testcase classname="nnfs.<stage>" name="<case id>"> per case.
failed and xpassed cases carry <failure>, errored ones <error>; skipped, xfailed and not
applicable ones <skipped>, so CI shows them without failing on them. An incomplete run adds an
errored testcase `run is complete`, so no CI mistakes a cut-short run for a green one.

Port output is hostile input: characters XML 1.0 forbids (NUL, escape codes, lone surrogates)
are written as visible \\xNN / \\uNNNN escapes, so the file always parses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from .. import files
from .report_text import details, headline, one_line

_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
DETAILS_BUDGET = 64 * 1024 * 1024  # characters of failure text per report; then headlines only
_TAG = {
    "failed": "failure",
    "xpassed": "failure",
    "errored": "error",
    "skipped": "skipped",
    "xfailed": "skipped",
    "not_applicable": "skipped",
}


def xml_text(value: Any) -> str:
    """Any text made legal in XML 1.0: forbidden characters become visible escapes."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _FORBIDDEN.sub(escape, str(value))


def _element(parent: ET.Element, tag: str, **attributes: Any) -> ET.Element:
    return ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})


class _Counts:
    """The attributes of a <testsuite> or <testsuites>, summed a case at a time."""

    def __init__(self) -> None:
        self.tests = self.failures = self.errors = self.skipped = 0
        self.time = 0.0

    def add(self, case: dict[str, Any]) -> None:
        tag = _TAG.get(case["outcome"])
        self.tests += 1
        self.failures += tag == "failure"
        self.errors += tag == "error"
        self.skipped += tag == "skipped"
        self.time += case.get("duration_s") or 0

    def attributes(self) -> dict[str, Any]:
        return {
            "tests": self.tests,
            "failures": self.failures,
            "errors": self.errors,
            "skipped": self.skipped,
            "time": f"{self.time:.3f}",
        }


def _open_tag(tag: str, attributes: dict[str, Any]) -> str:
    return f"<{tag}" + "".join(f" {k}={quoteattr(xml_text(v))}" for k, v in attributes.items())


def _xml(element: ET.Element, level: int) -> str:
    ET.indent(element, space="  ", level=level)
    return "  " * level + ET.tostring(element, encoding="unicode") + "\n"


def _timestamp(started_at: Any) -> str | None:
    """JUnit wants a local-style ISO timestamp without a zone; the result's is UTC."""
    try:
        return datetime.fromisoformat(str(started_at)).strftime("%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None


def _outcome(testcase: ET.Element, case: dict[str, Any], budget: list[int]) -> None:
    """The case's verdict element; its failure text counts against `budget` ([characters
    left]): past it only the headline is written."""
    tag = _TAG.get(case["outcome"])
    if tag is None:
        return
    if tag == "skipped":
        reason = case.get("reason") or case.get("message") or case["outcome"]
        _element(testcase, tag, message=one_line(f"{case['outcome']}: {reason}"))
        return
    text = "\n".join(details(case))
    if case.get("rerun"):
        text += f"\nrerun: {case['rerun']}"
    if len(text) > budget[0]:
        text = headline(case) + "\n(details left out: the report reached its cap)"
    budget[0] -= len(text)
    element = _element(testcase, tag, message=headline(case), type=case["outcome"])
    element.text = xml_text(text)


def write_junit(result: dict[str, Any], path: str | Path) -> None:
    """Write the JUnit XML of a result to `path` (UTF-8, with an XML declaration), a case at a
    time: the cases (a list or a Spool) are read twice, once to count and once to write."""
    cases = result.get("cases", [])
    port = result.get("port", {})
    properties = ET.Element("properties")
    for name, value in {
        "port": port.get("name"),
        "language": port.get("language"),
        "dtype": port.get("dtype"),
        "suite_version": result.get("suite_version"),
    }.items():
        _element(properties, "property", name=name, value="" if value is None else value)
    stamp = _timestamp(result.get("started_at"))

    total, by_stage = _Counts(), dict[str, _Counts]()
    for case in cases:
        by_stage.setdefault(case["stage"], _Counts()).add(case)
        total.add(case)
    incomplete = None
    if not result.get("complete", True):
        incomplete = {
            "id": "run is complete",
            "outcome": "errored",
            "message": f"the run is INCOMPLETE: {result.get('incomplete_reason')}",
        }
        total.add(incomplete)

    budget = [DETAILS_BUDGET]
    with files.atomic(path) as out:
        out.write("<?xml version='1.0' encoding='utf-8'?>\n")
        out.write(
            _open_tag("testsuites", {"name": "nnfs-conformance"} | total.attributes()) + ">\n"
        )
        stage = None
        for case in cases:
            if case["stage"] != stage:
                if stage is not None:
                    out.write("  </testsuite>\n")
                stage = case["stage"]
                attributes = {"name": stage} | by_stage[stage].attributes()
                out.write(
                    "  "
                    + _open_tag("testsuite", attributes | ({"timestamp": stamp} if stamp else {}))
                    + ">\n"
                )
                out.write(_xml(properties, 2))
            testcase = ET.Element(
                "testcase",
                {
                    "classname": xml_text(f"nnfs.{stage}"),
                    "name": xml_text(case["id"]),
                    "time": f"{case.get('duration_s') or 0:.3f}",
                },
            )
            _outcome(testcase, case, budget)
            out.write(_xml(testcase, 2))
        if stage is not None:
            out.write("  </testsuite>\n")
        if incomplete is not None:
            counts = _Counts()
            counts.add(incomplete)
            out.write(
                "  "
                + _open_tag("testsuite", {"name": "nnfs-conform"} | counts.attributes())
                + ">\n"
            )
            testcase = ET.Element(
                "testcase", classname="nnfs.run", name="run is complete", time="0.000"
            )
            _element(testcase, "error", message=headline(incomplete), type="incomplete")
            out.write(_xml(testcase, 2) + "  </testsuite>\n")
        out.write("</testsuites>\n")

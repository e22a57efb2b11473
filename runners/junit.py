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

from .report_text import details, headline, one_line

_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TAG = {"failed": "failure", "xpassed": "failure", "errored": "error",
        "skipped": "skipped", "xfailed": "skipped", "not_applicable": "skipped"}


def xml_text(value: Any) -> str:
    """Any text made legal in XML 1.0: forbidden characters become visible escapes."""
    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return _FORBIDDEN.sub(escape, str(value))


def _element(parent: ET.Element, tag: str, **attributes: Any) -> ET.Element:
    return ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})


def _counts(cases: list[dict[str, Any]]) -> dict[str, Any]:
    tags = [_TAG.get(c["outcome"]) for c in cases]
    return {"tests": len(cases), "failures": tags.count("failure"), "errors": tags.count("error"),
            "skipped": tags.count("skipped"),
            "time": f"{sum(c.get('duration_s') or 0 for c in cases):.3f}"}


def _timestamp(started_at: Any) -> str | None:
    """JUnit wants a local-style ISO timestamp without a zone; the result's is UTC."""
    try:
        return datetime.fromisoformat(str(started_at)).strftime("%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None


def _outcome(testcase: ET.Element, case: dict[str, Any]) -> None:
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
    element = _element(testcase, tag, message=headline(case), type=case["outcome"])
    element.text = xml_text(text)


def build_junit(result: dict[str, Any]) -> ET.ElementTree:
    """The JUnit tree of a result; `write_junit` writes it."""
    cases = result.get("cases", [])
    by_stage: dict[str, list[dict[str, Any]]] = {}
    for case in cases:
        by_stage.setdefault(case["stage"], []).append(case)
    port = result.get("port", {})
    properties = {"port": port.get("name"), "language": port.get("language"),
                  "dtype": port.get("dtype"), "suite_version": result.get("suite_version")}
    stamp = _timestamp(result.get("started_at"))

    root = ET.Element("testsuites", name="nnfs-conformance")
    all_cases = list(cases)
    for stage, stage_cases in by_stage.items():
        suite = _element(root, "testsuite", name=stage, **_counts(stage_cases))
        if stamp:
            suite.set("timestamp", stamp)
        props = _element(suite, "properties")
        for name, value in properties.items():
            _element(props, "property", name=name, value="" if value is None else value)
        for case in stage_cases:
            testcase = _element(suite, "testcase", classname=f"nnfs.{stage}", name=case["id"],
                                time=f"{case.get('duration_s') or 0:.3f}")
            _outcome(testcase, case)
    if not result.get("complete", True):
        incomplete = {"id": "run is complete", "outcome": "errored",
                      "message": f"the run is INCOMPLETE: {result.get('incomplete_reason')}"}
        suite = _element(root, "testsuite", name="nnfs-conform", **_counts([incomplete]))
        testcase = _element(suite, "testcase", classname="nnfs.run", name="run is complete",
                            time="0.000")
        _element(testcase, "error", message=headline(incomplete), type="incomplete")
        all_cases.append(incomplete)
    for name, value in _counts(all_cases).items():
        root.set(name, str(value))
    return ET.ElementTree(root)


def write_junit(result: dict[str, Any], path: str | Path) -> None:
    """Write the JUnit XML of a result to `path` (UTF-8, with an XML declaration)."""
    tree = build_junit(result)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)

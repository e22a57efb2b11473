"""Plain-text pieces of a case result, shared by the JUnit and Markdown renderers.

A failure reads the same in every report: what went wrong, the worst element, the structural
problems and the command that reruns the case alone.
"""

from __future__ import annotations

from typing import Any

NOT_PASSING = ("failed", "errored", "xpassed")  # the outcomes that fail a run


def _visible(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: Any, limit: int = 300) -> str:
    """Port-controlled text as one printable line of at most `limit` characters.

    Control characters (terminal escapes, NUL, lone surrogates) become visible `\\x1b`-style
    escapes: harmless in every report, and they show the learner what their port wrote.
    """
    printable = "".join(
        ch if ch.isprintable() or ch.isspace() else _visible(ch) for ch in str(text)
    )
    line = " ".join(printable.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _number(value: Any) -> str:
    """A reported number: floats shortest round-trip, non-finite names kept as they are."""
    return repr(value) if isinstance(value, float) else str(value)


def _measure(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, (int, float)) else str(value)


def worst_line(worst: dict[str, Any]) -> str:
    """`softmax[0, 2]: got 0.5, want 0.66524 (error 0.165, tol 1e-12, 1.65e+11 x tol, ...)`."""
    index = ", ".join(str(i) for i in worst.get("index", []))
    where = f"{worst.get('output', '?')}[{index}]" if index else str(worst.get("output", "?"))
    if worst.get("tol") == 0:  # an exact case: every correct port gives these very bits
        judged = "tol 0: exact case"
    else:
        judged = f"tol {_measure(worst.get('tol'))}, {_measure(worst.get('ratio'))} x tol"
    return (
        f"{where}: got {_number(worst.get('got'))}, want {_number(worst.get('want'))} "
        f"(error {_measure(worst.get('error'))}, {judged}, "
        f"{_measure(worst.get('ulps'))} ulps)"
    )


def diagnosis_parts(case: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) lines of a failed case's diagnosis: the one mistake that explains its
    stage, several that explain it equally, or none (with the closest candidates)."""
    diagnosis, candidates = case.get("diagnosis"), case.get("candidates")
    if diagnosis:
        return [
            ("likely", f"{one_line(diagnosis.get('explanation'))} [{diagnosis.get('id')}]"),
            ("fix", one_line(diagnosis.get("fix"))),
        ]
    if not candidates:
        return []
    mistakes = candidates.get("mistakes", [])
    if candidates.get("verdict") == "one_of":
        parts = [("likely", "one of these mistakes (this stage's cases cannot tell them apart)")]
        for m in mistakes:
            parts += [
                ("- maybe", f"{one_line(m.get('explanation'))} [{m.get('id')}]"),
                ("  fix", one_line(m.get("fix"))),
            ]
        return parts
    parts = [("likely", "no single known mistake explains this stage's failures")]
    if mistakes:
        parts.append(
            (
                "closest",
                "; ".join(
                    f"{one_line(m.get('explanation'), 120)} [{m.get('id')}]" for m in mistakes
                ),
            )
        )
    return parts


def headline(case: dict[str, Any]) -> str:
    """One line saying why a case did not pass (the engine's message, or a fallback)."""
    if case.get("message"):
        return one_line(case["message"])
    if case["outcome"] == "xpassed":
        return one_line(
            "passed, but the expectations file says xfail"
            + (f": {case['reason']}" if case.get("reason") else "")
        )
    if case.get("reason"):
        return one_line(case["reason"])
    return case["outcome"]


def details(case: dict[str, Any]) -> list[str]:
    """The lines of a failure block, without the rerun command."""
    lines = [f"{case['id']}: {one_line(case.get('description') or '')}", headline(case)]
    lines += [f"{label}: {text}" for label, text in diagnosis_parts(case)]
    if case.get("expected_error"):
        lines.append(f"expected error: {case['expected_error']}")
    got_error = case.get("got_error")
    if got_error:
        lines.append(
            f"got error: {one_line(got_error.get('kind'), 80)}: "
            f"{one_line(got_error.get('message') or '')}"
        )
    if case.get("worst"):
        lines.append("worst element: " + worst_line(case["worst"]))
    lines += [f"problem: {one_line(p)}" for p in case.get("problems") or []]
    return lines


def summary_line(summary: dict[str, int]) -> str:
    """The line every report ends with: `N passed, N failed, N errored, N skipped`, and
    `, N xpassed` when an expected failure passed: that fails the run, so the last line says so
    rather than read `0 failed` over exit status 1."""
    line = (
        f"{summary.get('passed', 0)} passed, {summary.get('failed', 0)} failed, "
        f"{summary.get('errored', 0)} errored, {summary.get('skipped', 0)} skipped"
    )
    return line + (f", {summary['xpassed']} xpassed" if summary.get("xpassed") else "")

"""Decide the outcome of every case: which cases apply, what a reply is worth, what a run owes.

`grade` is a pure function from a case and a reply to a case result, so that every runner
front end (the CLI, the pytest plugin, the file grader) judges the same way. `run_cases` drives a
port (any object with hello/request/close) through a selection of cases.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from fnmatch import fnmatchcase
from typing import Any

from . import protocol
from .compare import compare_outputs
from .diagnose import diagnose, diagnosis_record
from .numbers import encode
from .transports import PortError, PortGone
from .vectors import Case, Suite

OUTCOMES = ("passed", "failed", "errored", "skipped", "xfailed", "xpassed", "not_applicable")
RAW_LIMIT = 2000  # characters of a raw reply kept in a report


def select(
    suite: Suite, stage_globs: Iterable[str] = (), case_globs: Iterable[str] = ()
) -> list[Case]:
    """The suite's cases, in suite order, whose stage and id match the globs (none = all)."""
    stage_globs, case_globs = list(stage_globs), list(case_globs)
    return [
        case
        for case in suite.cases()
        if (not stage_globs or any(fnmatchcase(case.stage, g) for g in stage_globs))
        and (not case_globs or any(fnmatchcase(case.id, g) for g in case_globs))
    ]


def sequence_numbers(suite: Suite) -> dict[str, int]:
    """Each case's seq: its 1-based position in the whole suite, so a case keeps its number
    whatever the filters, and a responses file can be graded with other filters than its prompt."""
    return {case.id: i for i, case in enumerate(suite.cases(), start=1)}


def unsupported(case: Case, port_info: dict[str, Any]) -> str | None:
    """Why the port cannot be asked this case (a stage or label format it did not declare)."""
    if case.stage not in port_info.get("stages", ()):
        return f"the port does not declare stage {case.stage!r}"
    if case.label_format is not None and case.label_format not in port_info.get(
        "label_formats", ()
    ):
        return f"the port does not declare label format {case.label_format!r}"
    return None


def blank_result(
    case: Case, outcome: str, *, message: str | None = None, reason: str | None = None
) -> dict[str, Any]:
    return {
        "id": case.id,
        "stage": case.stage,
        "description": case.description,
        "tags": list(case.tags),
        "outcome": outcome,
        "message": message,
        "reason": reason,
        "expected_error": case.error,
        "got_error": None,
        "worst": None,
        "problems": [],
        "duration_s": 0.0,
        "request": None,
        "response": None,
        "rerun": None,
        "diagnosis": None,
    }


def _worst(comparison) -> dict[str, Any] | None:
    w = comparison.worst
    if w is None:
        return None
    return {
        "output": w.output,
        "index": list(w.index),
        "got": _number(w.got),
        "want": _number(w.want),
        "error": _number(w.error),
        "tol": _number(w.tol),
        "ratio": _number(w.ratio),
        "ulps": _number(w.ulps),
    }


def _number(x: Any) -> Any:
    """encode() of one number: finite numbers as they are (x - x is 0 only for those)."""
    return x if x - x == 0 else encode(x)


def _error_text(error: dict[str, Any]) -> str:
    text = repr(error["kind"])
    if isinstance(error.get("message"), str) and error["message"]:
        text += f" ({protocol.shorten(error['message'], 120)})"
    return text


def _raw(response: Any) -> Any:
    if isinstance(response, str) and len(response) > RAW_LIMIT:
        return response[:RAW_LIMIT]
    return response


def _diagnosis(case: Case, outputs: Any, dtype: str) -> dict[str, str] | None:
    """The known mistake that reproduces failed outputs, or None; never breaks the grading."""
    try:
        return diagnosis_record(diagnose(case, outputs, dtype))
    except Exception:  # noqa: BLE001 - a diagnosis is a hint: without it the result stands
        return None


def grade(
    case: Case,
    reply: dict[str, Any] | None,
    port_info: dict[str, Any],
    error_message: str | None = None,
    *,
    request: dict[str, Any] | None = None,
    response: Any = None,
) -> dict[str, Any]:
    """The result of one case from the port's reply (already protocol-checked), or errored
    with `error_message` when no usable reply came (timeout, crash, garbage).

    `request` and `response` (raw text when the reply was not JSON) are kept in the result
    only when the case did not pass, to keep reports small. Failed outputs get a `diagnosis`:
    the catalogued mistake that reproduces them (mistakes.py), or None.
    """
    result = blank_result(case, "errored")
    if reply is None:
        result["message"] = error_message or "no reply"
        result["request"], result["response"] = request, _raw(response)
        return result
    if "error" in reply:
        got = reply["error"]
        result["got_error"] = {"kind": got["kind"], "message": str(got.get("message", ""))}
        if case.error is None:
            result["outcome"] = "failed"
            result["message"] = f"the port reported error {_error_text(got)} on a valid case"
        elif got["kind"] == case.error:
            result["outcome"] = "passed"
        else:
            result["outcome"] = "failed"
            result["message"] = f"wanted error {case.error!r}, got error {_error_text(got)}"
    elif case.error is not None:
        result["outcome"] = "failed"
        result["message"] = f"wanted error {case.error!r}, got outputs"
    else:
        comparison = compare_outputs(
            reply["outputs"], case.expected[port_info["dtype"]], port_info["dtype"]
        )
        result["worst"] = _worst(comparison)
        result["problems"] = list(comparison.problems)
        if comparison.ok:
            result["outcome"] = "passed"
        else:
            result["outcome"] = "failed"
            result["diagnosis"] = _diagnosis(case, reply["outputs"], port_info["dtype"])
            if comparison.problems:
                more = len(comparison.problems) - 1
                result["message"] = comparison.problems[0] + (f" (and {more} more)" if more else "")
            else:
                result["message"] = (
                    f"{comparison.out_of_tolerance} of {comparison.elements} "
                    "elements out of tolerance"
                )
    if result["outcome"] != "passed":
        result["request"], result["response"] = (
            request,
            _raw(reply if response is None else response),
        )
    return result


def apply_expectation(result: dict[str, Any], expectation) -> dict[str, Any]:
    """Strict xfail: a failure becomes xfailed, a pass becomes xpassed (which fails the run)."""
    if expectation is None or expectation.mode != "xfail":
        return result
    if result["outcome"] in ("failed", "errored"):
        result["outcome"], result["reason"] = "xfailed", expectation.reason
    elif result["outcome"] == "passed":
        result["outcome"], result["reason"] = "xpassed", expectation.reason
        result["message"] = (
            f"passed, but the expectations file says xfail ({expectation.reason}): "
            f"delete the entry {expectation.pattern!r}"
        )
    return result


def exchange(port, messages: Iterable[dict[str, Any]]) -> Iterator[tuple]:
    """(message, reply or None, PortError or None, seconds) for each run message, in order:
    pipelined when the port can (SessionPort.exchange), else one request at a time. After
    PortGone nothing more is asked: every later message gets the same PortGone."""
    if hasattr(port, "exchange"):
        yield from port.exchange(messages)
        return
    gone: PortGone | None = None
    for message in messages:
        if gone is not None:
            yield message, None, gone, 0.0
            continue
        started = time.monotonic()
        try:
            reply = port.request(message)
        except PortGone as exc:
            gone = exc
            yield message, None, exc, time.monotonic() - started
        except PortError as exc:
            yield message, None, exc, time.monotonic() - started
        else:
            yield message, reply, None, time.monotonic() - started


def run_cases(
    port,
    cases: list[Case],
    seqs: dict[str, int],
    *,
    expectations=None,
    require_all: bool = False,
    rerun: Callable[[Case], str] | None = None,
    progress: Callable[[int, int, dict[str, Any]], None] | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Ask `port` every applicable case; return the case results and, when the port stopped
    restarting, the reason the run is incomplete. The port must have completed hello().

    Requests go out ahead of the results (see `exchange`), in the order of `cases`."""
    info = port.hello()

    def expectation_of(case: Case):
        return expectations.match(case.id) if expectations is not None else None

    def asked(case: Case, expectation) -> bool:
        skipped = expectation is not None and expectation.mode == "skip"
        return not skipped and unsupported(case, info) is None

    requests = (
        protocol.run_request(case, seqs[case.id])
        for case in cases
        if asked(case, expectation_of(case))
    )
    replies = exchange(port, requests)
    results: list[dict[str, Any]] = []
    gone: PortGone | None = None
    for done, case in enumerate(cases, start=1):
        expectation = expectation_of(case)
        reason = unsupported(case, info)
        if expectation is not None and expectation.mode == "skip":
            result = blank_result(case, "skipped", reason=expectation.reason)
        elif reason is not None and not require_all:
            result = blank_result(case, "not_applicable", reason=reason)
        elif reason is not None:
            result = blank_result(case, "failed", message=f"{reason} (--require-all)")
        else:
            request, reply, error, seconds = next(replies)
            if gone is not None:
                result = blank_result(case, "errored", message=str(gone))
            elif isinstance(error, PortGone):
                gone = error
                result = grade(case, None, info, str(error), request=request)
            elif error is not None:
                result = grade(case, None, info, str(error), request=request, response=error.raw)
            else:
                result = grade(case, reply, info, request=request)
            if gone is None or result["request"] is not None:
                result["duration_s"] = seconds
        result = apply_expectation(result, expectation)
        if rerun is not None:
            result["rerun"] = rerun(case)
        results.append(result)
        if progress is not None:
            progress(done, len(cases), result)
    replies.close()
    incomplete = None
    if gone is not None:
        not_run = sum(1 for r in results if str(r["message"]).startswith("not run:"))
        cases_word = "case was" if not_run == 1 else "cases were"
        incomplete = f"the port could not be restarted; {not_run} {cases_word} not run"
    return results, incomplete


def missing_promised(
    suite: Suite, results: list[dict[str, Any]], port_info: dict[str, Any]
) -> str | None:
    """Without filters, every promised case of every declared stage must have a result."""
    counts: dict[str, int] = {}
    for result in results:
        counts[result["stage"]] = counts.get(result["stage"], 0) + 1
    for stage in port_info.get("stages", ()):
        if stage in suite.promised and counts.get(stage, 0) != suite.promised[stage]:
            return (
                f"stage {stage!r} has {counts.get(stage, 0)} case results, "
                f"the manifest promises {suite.promised[stage]}"
            )
    return None

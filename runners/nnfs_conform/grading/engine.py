"""Decide the outcome of every case: which cases apply, what a reply is worth, what a run owes.

`grade` is a pure function from a case and a reply to a case result, so that every runner
front end (the CLI, the pytest plugin, the file grader) judges the same way. `run_cases` drives a
port (any object with hello/request/close) through a selection of cases.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from fnmatch import fnmatchcase
from typing import Any

from ..diagnosis.diagnose import StageEvidence, candidates_record, diagnosis_record
from ..port import protocol
from ..port.transports import PortError, PortGone
from ..suite.numbers import encode
from ..suite.vectors import Case, Suite
from .compare import compare_outputs

OUTCOMES = ("passed", "failed", "errored", "skipped", "xfailed", "xpassed", "not_applicable")
RAW_LIMIT = 2000  # characters of a raw reply kept in a report
# What a port controls is kept in a case result only up to these sizes, the original length
# noted, so that no reply can make a report grow without bound (a port may answer 8 MB per case).
REPLY_LIMIT = 256 * 1024  # characters of a parsed reply's JSON kept; a longer one is cut text
TEXT_LIMIT = 2000  # characters of a message, a reason or a port's error message
KIND_LIMIT = 200  # characters of an error kind
PROBLEMS_SHOWN = 20  # structural problems listed per case; then "... and N more"
PROBLEM_LIMIT = 500  # characters of one problem


# The reason of every invalid-input case of a port that does not declare checks_inputs: one
# string, so that reports can count these cases on a line of their own.
INPUT_CHECK = "input-check case: the port does not declare checks_inputs"
DECLINED = "declined by the port: "  # the start of the reason of a case answered `unsupported`


def select(
    suite: Suite,
    stage_globs: Iterable[str] = (),
    case_globs: Iterable[str] = (),
    tags: Iterable[str] = (),
    skip_tags: Iterable[str] = (),
) -> Iterator[Case]:
    """The suite's cases, in suite order, whose stage and id match the globs (none = all), that
    carry one of `tags` (none = any) and none of `skip_tags`, read one at a time: the files of
    other stages are not read at all."""
    stage_globs, case_globs = list(stage_globs), list(case_globs)
    tags, skip_tags = set(tags), set(skip_tags)
    stages = [
        s for s in suite.files if not stage_globs or any(fnmatchcase(s, g) for g in stage_globs)
    ]
    if not (case_globs or tags or skip_tags):  # every case of those stages: no sieve to pass
        return suite.iter_cases(stages)
    return _sieved(suite.iter_cases(stages), case_globs, tags, skip_tags)


def _sieved(
    cases: Iterator[Case], case_globs: list[str], tags: set[str], skip_tags: set[str]
) -> Iterator[Case]:
    for case in cases:
        if (
            (not case_globs or any(fnmatchcase(case.id, g) for g in case_globs))
            and (not tags or tags.intersection(case.tags))
            and not skip_tags.intersection(case.tags)
        ):
            yield case


def unsupported(case: Case, port_info: dict[str, Any]) -> str | None:
    """Why the port cannot be asked this case: a stage or label format it did not declare, or
    an invalid-input case when it does not declare checks_inputs."""
    if case.stage not in port_info.get("stages", ()):
        return f"the port does not declare stage {case.stage!r}"
    if case.label_format is not None and case.label_format not in protocol.label_formats(
        port_info, case.stage
    ):
        return f"the port does not declare label format {case.label_format!r}"
    if case.error is not None and not protocol.checks_inputs(port_info):
        return INPUT_CHECK
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
        "wanted": None,
        "rerun": None,
        "diagnosis": None,
        "candidates": None,
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


def cut(text: Any, limit: int = TEXT_LIMIT) -> Any:
    """Port-controlled text kept to `limit` characters, noting the original length."""
    if isinstance(text, str) and len(text) > limit:
        return f"{text[:limit]}... (cut: {len(text)} characters)"
    return text


def _raw(response: Any) -> Any:
    if isinstance(response, str):
        return response[:RAW_LIMIT] if len(response) > RAW_LIMIT else response
    if isinstance(response, (dict, list)):
        try:
            text = protocol._ENCODER.encode(response)  # noqa: SLF001 - the one compact encoder
        except (ValueError, TypeError, RecursionError):
            return cut(str(response)[:RAW_LIMIT], RAW_LIMIT)
        if len(text) > REPLY_LIMIT:
            return f"{text[:RAW_LIMIT]}... (cut: the reply is {len(text)} characters of JSON)"
    return response


def bounded(result: dict[str, Any]) -> dict[str, Any]:
    """`result` with every port-controlled field held to its limit (see REPLY_LIMIT)."""
    for key in ("message", "reason"):
        if isinstance(result.get(key), str) and len(result[key]) > TEXT_LIMIT:
            result[key] = cut(result[key])
    got = result.get("got_error")
    if got is not None:
        got["kind"], got["message"] = cut(got["kind"], KIND_LIMIT), cut(got["message"])
    problems = result.get("problems")
    if problems:
        kept = [cut(p, PROBLEM_LIMIT) for p in problems[:PROBLEMS_SHOWN]]
        if len(problems) > PROBLEMS_SHOWN:
            kept.append(f"... and {len(problems) - PROBLEMS_SHOWN} more problems")
        result["problems"] = kept
    return result


def grade(
    case: Case,
    reply: dict[str, Any] | None,
    port_info: dict[str, Any],
    error_message: str | None = None,
    *,
    request: dict[str, Any] | None = None,
    response: Any = None,
    require_all: bool = False,
) -> dict[str, Any]:
    """The result of one case from the port's reply (already protocol-checked), or errored
    with `error_message` when no usable reply came (timeout, crash, garbage). A case the port
    declines (`unsupported`) is not applicable, or failed under `require_all`.

    `request` and `response` (raw text when the reply was not JSON) are kept in the result
    only when the case did not pass, to keep reports small. The diagnosis of failed outputs
    is the stage's, given by `Run` once the stage's last case is graded (diagnose.py).
    """
    result = blank_result(case, "errored")
    if reply is None:
        result["message"] = error_message or "no reply"
        result["request"], result["response"] = request, _raw(response)
        return bounded(result)
    if "unsupported" in reply:
        reason = DECLINED + str(reply["unsupported"])
        if not require_all:
            return bounded(blank_result(case, "not_applicable", reason=reason))
        result["outcome"], result["message"] = "failed", f"{reason} (--require-all)"
    elif "error" in reply:
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
        assert case.expected is not None  # a valid case carries its expected values
        comparison = compare_outputs(
            reply["outputs"], case.expected[port_info["dtype"]], port_info["dtype"]
        )
        result["worst"] = _worst(comparison)
        result["problems"] = list(comparison.problems)
        if comparison.ok:
            result["outcome"] = "passed"
        else:
            result["outcome"] = "failed"
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
        return bounded(result)
    return bounded(result) if result["got_error"] is not None else result


def with_stderr(result: dict[str, Any], error: PortError) -> dict[str, Any]:
    """The case result of a port that died, with the meaningful end of its stderr (an excerpt of
    at most 20 lines) for the failure block; the key is left out when the port said nothing."""
    if getattr(error, "stderr", None):
        result["stderr"] = error.stderr
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


def exchange(port, messages: Iterable[dict[str, Any]]) -> Generator[tuple, None, None]:
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


class Run:
    """Ask a port every applicable case of a stream of cases: iterating gives (case, result) in
    the order of the cases, each as soon as it is graded, so a run of any size holds only the
    requests in flight. After the iteration, `incomplete` is the reason the run is incomplete
    when the port stopped restarting, else None. The port must have completed hello().

    Requests go out ahead of the results (see `exchange`), in the order of the cases."""

    def __init__(
        self,
        port,
        cases: Iterable[Case],
        *,
        expectations=None,
        require_all: bool = False,
        rerun: Callable[[Case], str] | None = None,
        deadline: float | None = None,
        max_run_time: float | None = None,
    ):
        self.port, self.cases = port, cases
        self.expectations, self.require_all, self.rerun = expectations, require_all, rerun
        # time.monotonic() after which no more case is asked (checked after each case)
        self.deadline, self.max_run_time = deadline, max_run_time
        self.incomplete: str | None = None
        self._held: list[tuple[Case, dict[str, Any]]] = []
        self._evidence: StageEvidence | None = None

    HELD = 2000  # results of one stage held back, at most, until its diagnosis is known

    def __iter__(self) -> Iterator[tuple[Case, dict[str, Any]]]:
        """The results in case order. From a stage's first failure on, its results are held
        back until its last case, so that each failed case carries the stage's diagnosis: a
        mistake is named on the evidence of every case of the stage (diagnose.py)."""
        for case, result, outputs, passed in self._graded():
            if self._evidence is None or case.stage != self._evidence.stage:
                yield from self.drain()
                self._evidence = StageEvidence(case.stage, self.info["dtype"])
            if len(self._evidence.cases) < self.HELD:
                self._evidence.add(case, outputs, passed)
            if self._held or not passed and outputs is not None:
                self._held.append((case, result))
            else:
                yield case, result
            if len(self._held) >= self.HELD:  # a huge stage: judge it on what it has shown
                yield from self.drain()
        yield from self.drain()

    def drain(self) -> Iterator[tuple[Case, dict[str, Any]]]:
        """The results held back for their stage's diagnosis, diagnosed on what the stage has
        shown so far: at the stage's end, or when the run is interrupted (none is lost)."""
        held, self._held = self._held, []
        yield from self._diagnosed(held, self._evidence)

    @staticmethod
    def _diagnosed(held, evidence) -> Iterator[tuple[Case, dict[str, Any]]]:
        if held:
            verdict = evidence.verdict_safely()
            for case, result in held:
                if case.id in verdict.explains:
                    result["diagnosis"] = diagnosis_record(verdict.named)
                    result["candidates"] = candidates_record(verdict)
                yield case, result

    def _graded(self) -> Iterator[tuple[Case, dict[str, Any], Any, bool]]:
        """(case, settled result, the outputs it gave or None, whether its outputs passed)."""
        info = self.info = self.port.hello()
        order: deque[tuple[Case, Any, str | None]] = deque()  # read, not yet given a result

        cases = iter(self.cases)

        def requests() -> Iterator[dict[str, Any]]:
            for case in cases:
                expectation = (
                    self.expectations.match(case.id, case.tags) if self.expectations else None
                )
                reason = unsupported(case, info)
                order.append((case, expectation, reason))
                if _asked(expectation, reason):
                    yield protocol.run_request(case, case.seq)

        replies = exchange(self.port, requests())
        ready: deque[tuple] = deque()  # a reply taken ahead to make `requests` read on
        gone: PortGone | None = None
        not_run = 0
        try:
            while True:
                if not order and not ready:
                    try:
                        ready.append(next(replies))
                    except StopIteration:
                        pass
                if not order:
                    break
                case, expectation, reason = order.popleft()
                outputs = None
                if expectation is not None and expectation.mode == "skip":
                    result = blank_result(case, "skipped", reason=expectation.reason)
                elif reason is not None and not self.require_all:
                    result = blank_result(case, "not_applicable", reason=reason)
                elif reason is not None:
                    result = blank_result(case, "failed", message=f"{reason} (--require-all)")
                else:
                    request, reply, error, seconds = ready.popleft() if ready else next(replies)
                    if gone is not None:
                        result = blank_result(case, "errored", message=str(gone))
                    elif isinstance(error, PortGone):
                        gone = error
                        result = with_stderr(
                            grade(case, None, info, str(error), request=request), error
                        )
                    elif error is not None:
                        result = with_stderr(
                            grade(
                                case, None, info, str(error), request=request, response=error.raw
                            ),
                            error,
                        )
                    else:
                        result = grade(
                            case, reply, info, request=request, require_all=self.require_all
                        )
                        outputs = reply.get("outputs")
                    if gone is None or result["request"] is not None:
                        result["duration_s"] = seconds
                passed = result["outcome"] == "passed"
                result = settle(case, result, expectation, info["dtype"])
                if self.rerun is not None:
                    result["rerun"] = self.rerun(case)
                not_run += str(result["message"]).startswith("not run:")
                yield case, result, outputs, passed
                if (
                    self.deadline is not None
                    and gone is None
                    and time.monotonic() > self.deadline
                    and (order or next(cases, None) is not None)
                ):
                    self.incomplete = (
                        f"the run reached --max-run-time ({self.max_run_time:g} s);"
                        f" the cases after {case.id} were not run"
                    )
                    return
        finally:
            replies.close()
        if gone is not None:
            cases_word = "case was" if not_run == 1 else "cases were"
            reason = getattr(gone, "reason", "the port could not be restarted")
            self.incomplete = f"{reason}; {not_run} {cases_word} not run"


def _asked(expectation, reason: str | None) -> bool:
    return reason is None and not (expectation is not None and expectation.mode == "skip")


def settle(case: Case, result: dict[str, Any], expectation, dtype: str) -> dict[str, Any]:
    """The final result: the expectation applied, and a case that ran without passing carries
    the outputs it wanted (as JSON), so that reports need not read the vectors again."""
    result = apply_expectation(result, expectation)
    if result["outcome"] in ("failed", "errored", "xfailed", "xpassed") and case.expected:
        result["wanted"] = {name: encode(out.value) for name, out in case.expected[dtype].items()}
    return result


def run_cases(port, cases: Iterable[Case], **options) -> tuple[list[dict[str, Any]], str | None]:
    """Every result of a Run in a list, and the reason the run is incomplete (or None)."""
    run = Run(port, cases, **options)
    results = [result for _, result in run]
    return results, run.incomplete


def missing_promised(suite: Suite, counts: dict[str, int], port_info: dict[str, Any]) -> str | None:
    """Without filters, every promised case of every declared stage must have a result
    (`counts`: stage -> number of case results)."""
    for stage in port_info.get("stages", ()):
        if stage in suite.promised and counts.get(stage, 0) != suite.promised[stage]:
            return (
                f"stage {stage!r} has {counts.get(stage, 0)} case results, "
                f"the manifest promises {suite.promised[stage]}"
            )
    return None

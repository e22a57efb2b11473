"""pytest plugin: `pytest --nnfs-port "CMD"` makes every case of the suite a pytest test.

A Python learner then sees conformance failures in the tool they already use, with -k, --lf,
-x, -n auto and JUnit output for free. Grading is the runner's own
(`engine.grade`, `engine.apply_expectation`), and a failure shows the console's failure block.

Without --nnfs-port the plugin only adds its options; with it, the run holds the suite's cases
and nothing else, from any folder (a project's own tests are not collected). Collection is the
suite's case order,
identical in every process, so pytest-xdist (`-n auto`) works: each worker starts its own port
session on its first case and says bye when the worker ends.

Requests are pipelined through the session engine `nnfs-conform run` uses (`engine.exchange`):
when a case runs, the cases this process will run next (pytest's order, or an xdist worker's
queue) are sent ahead, up to the session's window, and their results wait for their tests. A
test that runs out of the predicted order first collects the replies in flight (kept for their
tests), then starts a new prediction from itself.
"""

from __future__ import annotations

import shlex
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from .grading.engine import exchange, grade, settle, unsupported, with_stderr
from .grading.expectations import Expectations, ExpectationsError
from .grading.result import rerun_command
from .port import protocol
from .port.transports import HandshakeError, PortGone, SessionPort
from .reports.console import failure_block
from .suite.vectors import Case, VectorError, load_suite


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(
        "nnfs", "nnfs-conformance (check a port of Neural Networks from Scratch)"
    )
    group.addoption(
        "--nnfs-port",
        metavar="CMD",
        default=None,
        help="the port's command line, split like a shell does; adds one test "
        "per case of the suite",
    )
    group.addoption(
        "--nnfs-vectors",
        metavar="DIR",
        default=None,
        help="vector directory (default: the suite's own)",
    )
    group.addoption(
        "--nnfs-timeout",
        metavar="SECONDS",
        type=float,
        default=10.0,
        help="seconds a port may take over one case (default: 10)",
    )
    group.addoption(
        "--nnfs-expectations",
        metavar="FILE",
        default=None,
        help="the port's expectations file (skip / strict xfail entries)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("nnfs_port") is not None:
        config.addinivalue_line("markers", "nnfs: a case of the nnfs-conformance suite")
        config.pluginmanager.register(NnfsSuite(config), "nnfs-conform-suite")


class CaseFailed(Exception):
    """A case did not pass; carries the failure block the console would print."""


class NnfsSuite:
    """The suite and the port session of one pytest process (the controller or a worker)."""

    def __init__(self, config: pytest.Config):
        try:
            self.command = shlex.split(config.getoption("nnfs_port"))
        except ValueError as exc:
            raise pytest.UsageError(f"--nnfs-port: {exc}") from None
        if not self.command:
            raise pytest.UsageError("--nnfs-port: the command is empty")
        self.timeout = config.getoption("nnfs_timeout")
        vectors = config.getoption("nnfs_vectors")
        try:
            self.suite = load_suite(Path(vectors) if vectors else None)
        except VectorError as exc:
            raise pytest.UsageError(f"nnfs-conform: invalid vectors: {exc}") from None
        path = config.getoption("nnfs_expectations")
        try:
            self.expectations = Expectations.load(path) if path else None
        except ExpectationsError as exc:
            raise pytest.UsageError(f"nnfs-conform: {exc}") from None
        if self.expectations is not None:
            cases = list(self.suite.cases())
            stale = self.expectations.unmatched(
                [case.id for case in cases], {tag for case in cases for tag in case.tags}
            )
            if stale:
                raise pytest.UsageError(
                    f"nnfs-conform: {path}: {stale[0].by} "
                    f"{stale[0].pattern!r} matches no case of the suite"
                )
        self.rerun_extra = ["--vectors", str(vectors)] if vectors else []
        self._port: SessionPort | None = None
        self._info: dict[str, Any] | None = None
        self._broken: str | None = None  # why the port cannot be used in this process
        self._ready: dict[int, tuple[dict[str, Any], str | None]] = {}  # seq -> graded ahead
        self._stream: Generator[None, None, None] | None = None  # the pipelined exchange
        self._stop = False  # asks the stream's feed to send nothing more
        self._session: pytest.Session | None = None

    def pytest_ignore_collect(self, collection_path: Path, config: pytest.Config) -> bool:
        """With --nnfs-port the run is the suite's cases, wherever pytest runs: the project's
        own test files are not collected (nor imported)."""
        return True

    @pytest.hookimpl(tryfirst=True)  # before -k and -m deselect
    def pytest_collection_modifyitems(
        self, session: pytest.Session, items: list[pytest.Item]
    ) -> None:
        collector = SuiteCollector.from_parent(session, name="nnfs", nodeid="nnfs", suite=self)
        cases = collector.case_items()
        # Reported like any collector, so "collected N items" and xdist count the cases.
        result = list[pytest.Item | pytest.Collector](cases)
        report = pytest.CollectReport(collector.nodeid, "passed", None, result)
        session.ihook.pytest_collectreport(report=report)
        items.extend(cases)

    def pytest_unconfigure(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        if self._port is not None:
            self._port.close()
            self._port = None

    def port_info(self) -> dict[str, Any]:
        """The hello reply, starting the port on the first call; a failed start is final."""
        if self._broken is None and self._info is None:
            self._port = SessionPort(
                self.command, suite_version=self.suite.suite_version, timeout=self.timeout
            )
            try:
                self._info = self._port.hello()
            except HandshakeError as exc:
                self._broken = f"the port did not start: {exc}"
        if self._broken is not None:
            raise CaseFailed(self._broken)
        assert self._info is not None  # started, and not broken
        return self._info

    def ask(self, item: CaseItem, info: dict[str, Any]) -> dict[str, Any]:
        """The result of the item's case, graded exactly as `nnfs-conform run` grades it; the
        request went out ahead with those of the tests predicted to run next."""
        case = item.case
        if case.seq not in self._ready:
            self._collect(case.seq)
        if case.seq not in self._ready:  # not predicted: predict again, from this test
            self._drain()
            self._stream = self._pipeline(item, info)
            self._collect(case.seq)
        result, gone = self._ready.pop(case.seq)
        if gone is not None:
            self._broken = gone
        return result

    def _collect(self, seq: int) -> None:
        """Grade what the stream gives until the case `seq` is graded or the stream ends."""
        while self._stream is not None and seq not in self._ready:
            try:
                next(self._stream)
            except StopIteration:
                self._stream = None

    def _drain(self) -> None:
        """End the stream: send nothing more, and grade every reply still in flight."""
        self._stop = True
        try:
            while self._stream is not None:
                self._collect(-1)
        finally:
            self._stop = False

    def _pipeline(self, item: CaseItem, info: dict[str, Any]) -> Generator[None, None, None]:
        cases: dict[int, Case] = {}

        def feed() -> Iterator[dict[str, Any]]:
            for following in [item, *self._upcoming(item)]:
                if self._stop:
                    return
                case = following.case
                if case.seq in self._ready or case.seq in cases or not self._asked(case, info):
                    continue
                cases[case.seq] = case
                yield protocol.run_request(case, case.seq)

        for request, reply, error, seconds in exchange(self._port, feed()):
            case = cases.pop(request["seq"])
            gone = None
            if isinstance(error, PortGone):
                gone = str(error)
                result = grade(case, None, info, str(error), request=request)
            elif error is not None:
                result = with_stderr(
                    grade(case, None, info, str(error), request=request, response=error.raw), error
                )
            else:
                result = grade(case, reply, info, request=request)
            result["duration_s"] = seconds
            result["rerun"] = rerun_command(case.id, self.command, self.rerun_extra)
            self._ready[case.seq] = (result, gone)
            yield

    def _asked(self, case: Case, info: dict[str, Any]) -> bool:
        """Whether the test of `case` will send it (as CaseItem.runtest decides)."""
        expectation = (
            self.expectations.match(case.id, case.tags) if self.expectations is not None else None
        )
        return (
            not (expectation is not None and expectation.mode == "skip")
            and unsupported(case, info) is None
        )

    def _upcoming(self, item: CaseItem) -> list[CaseItem]:
        """The case tests this process is expected to run after `item`: an xdist worker's queue
        when it can be read, else pytest's order."""
        items = item.session.items
        interactor = item.config.pluginmanager.getplugin("workerinteractor")
        if interactor is not None:
            try:
                with interactor.torun.lock() as queue:
                    indices = [interactor.nextitem_index, *queue]
                return [
                    case
                    for i in indices
                    if isinstance(i, int) and isinstance(case := items[i], CaseItem)
                ]
            except (AttributeError, TypeError, IndexError):  # another xdist: pytest's order
                pass
        try:
            start = items.index(item) + 1
        except ValueError:
            return []
        return [following for following in items[start:] if isinstance(following, CaseItem)]


class SuiteCollector(pytest.Collector):
    """The suite as one pytest collector, so cases appear as `nnfs::<case id>`."""

    def __init__(self, *, suite: NnfsSuite, **kwargs: Any):
        super().__init__(**kwargs)
        self.suite = suite

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        return list(self.case_items())

    def case_items(self) -> list[CaseItem]:
        return [
            CaseItem.from_parent(self, name=case.id, case=case) for case in self.suite.suite.cases()
        ]


class CaseItem(pytest.Item):
    """One case of the suite."""

    def __init__(self, *, case: Case, **kwargs: Any):
        super().__init__(**kwargs)
        self.case = case
        self.add_marker(pytest.mark.nnfs)

    def runtest(self) -> None:
        assert isinstance(self.parent, SuiteCollector)
        plugin = self.parent.suite
        case = self.case
        expectations = plugin.expectations
        expectation = expectations.match(case.id, case.tags) if expectations is not None else None
        if expectation is not None and expectation.mode == "skip":
            pytest.skip(f"skipped by the expectations file: {expectation.reason}")
        info = plugin.port_info()
        reason = unsupported(case, info)
        if reason is not None:
            pytest.skip(f"not applicable: {reason}")
        result = settle(case, plugin.ask(self, info), expectation, info["dtype"])
        self.user_properties.append(("nnfs_outcome", result["outcome"]))
        if result["worst"] is not None:
            self.user_properties.append(("nnfs_worst_ratio", result["worst"]["ratio"]))
        if result["outcome"] == "not_applicable":  # the port declined the case
            pytest.skip(f"not applicable: {result['reason']}")
        if result["outcome"] == "xfailed":
            pytest.xfail(f"{result['reason']} ({result['message']})")
        if result["outcome"] != "passed":
            raise CaseFailed("\n".join(failure_block(result)))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None):
        if isinstance(excinfo.value, CaseFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, None, str]:
        return self.path, None, self.case.id

"""The pytest plugin's suite (pytest_plugin.py holds its options): every case a pytest test,
graded by the runner's own engine through one pipelined port session per process."""

from __future__ import annotations

import gc
import shlex
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from .grading.engine import exchange, grade, settle, unsupported, with_stderr
from .port import protocol
from .port.transports import HandshakeError, PortGone, SessionPort
from .suite.vectors import Case, VectorError, load_suite


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
        self.expectations = None
        if path:
            from .grading.expectations import Expectations, ExpectationsError

            try:
                self.expectations = Expectations.load(path)
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
        # result.rerun_command's words, all but the case id's quoted once for every case
        self._rerun = (
            shlex.join(["nnfs-conform", "run", "--case"]),
            shlex.join([*(["--vectors", str(vectors)] if vectors else []), "--", *self.command]),
        )
        self._port: SessionPort | None = None
        self._info: dict[str, Any] | None = None
        self._broken: str | None = None  # why the port cannot be used in this process
        self._ready: dict[int, tuple[dict[str, Any], str | None]] = {}  # seq -> graded ahead
        self._stream: Generator[None, None, None] | None = None  # the pipelined exchange
        self._stop = False  # asks the stream's feed to send nothing more
        self._session: pytest.Session | None = None
        self._frozen = False  # the objects alive after collection were frozen (_long_lived)
        config.add_cleanup(self._thaw)  # (LIFO: after those pytest's plugins register later)

    def pytest_ignore_collect(self, collection_path: Path, config: pytest.Config) -> bool:
        """With --nnfs-port the run is the suite's cases, wherever pytest runs: the project's
        own test files are not collected (nor imported)."""
        return True

    @pytest.hookimpl(tryfirst=True)  # before -k and -m deselect
    def pytest_collection_modifyitems(
        self, session: pytest.Session, items: list[pytest.Item]
    ) -> None:
        if not session.config.option.collectonly:  # it starts while the cases are collected
            self._session_port().spawn()
        collector = SuiteCollector.from_parent(session, name="nnfs", nodeid="nnfs", suite=self)
        with self._long_lived():
            cases = collector.case_items()
        # Reported like any collector, so "collected N items" and xdist count the cases.
        result = list[pytest.Item | pytest.Collector](cases)
        report = pytest.CollectReport(collector.nodeid, "passed", None, result)
        session.ihook.pytest_collectreport(report=report)
        items.extend(cases)

    @contextmanager
    def _long_lived(self) -> Iterator[None]:
        """Every item holds its case, alive until the session ends (tens of thousands of lists
        none of which can become garbage before): each full collection of the cyclic GC would
        walk them all, several times a session. They are read with the collector paused, then
        frozen (gc.freeze) with all else alive then, out of its walks; the config's last
        cleanup unfreezes them, so a process that goes on after the session frees them as
        usual. A process that froze objects itself is left as it is."""
        enabled, self._frozen = gc.isenabled(), gc.get_freeze_count() == 0
        gc.disable()
        try:
            yield
        finally:
            if self._frozen:
                gc.freeze()
            if enabled:
                gc.enable()

    def _thaw(self) -> None:
        """Give the frozen objects back to the collector: a cleanup of the config, registered
        while pytest configures its plugins, so that it runs after the cleanups they register
        later (LIFO), pytest's last gc.collect among them."""
        if self._frozen:
            self._frozen = False
            gc.unfreeze()

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
            try:
                self._info = self._session_port().hello()
            except HandshakeError as exc:
                self._broken = f"the port did not start: {exc}"
        if self._broken is not None:
            raise CaseFailed(self._broken)
        assert self._info is not None  # started, and not broken
        return self._info

    def _session_port(self) -> SessionPort:
        if self._port is None:
            self._port = SessionPort(
                self.command, suite_version=self.suite.suite_version, timeout=self.timeout
            )
        return self._port

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
            result["rerun"] = f"{self._rerun[0]} {shlex.quote(case.id)} {self._rerun[1]}"
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
            from .reports.console import failure_block

            raise CaseFailed("\n".join(failure_block(result)))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style=None):
        if isinstance(excinfo.value, CaseFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, None, str]:
        return self.path, None, self.case.id

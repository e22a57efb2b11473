"""How `make test` (-n 2 --dist loadfile) hands test files to its two workers: the costliest file
first, by the seconds each file took in earlier runs (pytest's cache), so that no long file is
left for the end while the other worker idles (longest processing time first).

xdist's own order is by number of tests, which puts the one-test files that build a fresh
virtual environment last, each 10-20 s. A file never timed counts as the costliest, so on a
fresh clone the order is xdist's own but for those files (BUILD_A_VENV), which go first. The
files of SHARE_A_WORKER go to one worker together.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sized

import pytest

# These files ask the same variants the same cases (variant_runs.py) and the same diagnosis
# replays, cached per process: they go to one worker together, so each answer is computed once.
SHARE_A_WORKER = frozenset(
    f"tests/{name}.py"
    for name in ("test_mistakes", "test_sharpness", "test_soundness", "test_discrimination")
)
SHARED = "the variants' answers"
# These files build a virtual environment and install into it, 10-20 s whatever their number of
# tests: of the files never timed (all of them on a fresh clone), they go first.
BUILD_A_VENV = frozenset(
    f"tests/{name}.py" for name in ("test_install", "test_porting_doc", "test_action")
)
REMEMBERED = "nnfs-conformance/seconds-per-file"  # {scope: [seconds, tests timed]}


def scope_of(nodeid: str) -> str:
    """The unit of work of a test: its file, or SHARED for the files of SHARE_A_WORKER."""
    file = nodeid.split("::", 1)[0]
    return SHARED if file in SHARE_A_WORKER else file


def costliest(queue: Mapping[str, Sized], remembered: Mapping[str, list]) -> str:
    """The scope of `queue` expected to take longest: its remembered seconds per test times its
    number of tests now (a file timed in a partial run is not taken for a cheap one); a scope
    never timed first, of those the files of BUILD_A_VENV. Ties keep the queue's order."""

    def expected(scope: str) -> tuple[float, bool]:
        timed = remembered.get(scope)
        try:
            seconds, tests = float(timed[0]), int(timed[1])
        except (TypeError, ValueError, IndexError, KeyError):  # never timed, or not as we write
            return math.inf, scope in BUILD_A_VENV
        return seconds / max(tests, 1) * len(queue[scope]), False

    return max(queue, key=expected)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """--dist loadfile, by SHARED scopes, costliest first; any other --dist is xdist's own."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    cache = getattr(config, "cache", None)  # None with -p no:cacheprovider
    remembered = cache.get(REMEMBERED, {}) if cache else {}

    class Scheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

        def _assign_work_unit(self, node) -> None:
            self.workqueue.move_to_end(costliest(self.workqueue, remembered), last=False)
            super()._assign_work_unit(node)

    return Scheduling(config, log)


_timed: dict[str, list] = {}


def pytest_runtest_logreport(report) -> None:
    """Every phase's seconds, by scope (under xdist the controller sees every worker's)."""
    timed = _timed.setdefault(scope_of(report.nodeid), [0.0, 0])
    timed[0] += report.duration
    timed[1] += report.when == "call"


def pytest_sessionfinish(session) -> None:
    config = session.config
    cache = getattr(config, "cache", None)
    if hasattr(config, "workerinput") or cache is None or not _timed:
        return  # a worker: its reports reach the controller, which remembers them
    remembered = cache.get(REMEMBERED, {})
    remembered.update({scope: timed for scope, timed in _timed.items() if timed[1]})
    cache.set(REMEMBERED, remembered)

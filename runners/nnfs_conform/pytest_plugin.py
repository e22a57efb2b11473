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

import pytest

# pytest imports this module at every start, wherever nnfs-conformance is installed: it holds
# the options alone, and the runner (pytest_suite.py) is imported only with --nnfs-port.


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
        from .pytest_suite import NnfsSuite  # the runner, imported only when it is asked for

        config.addinivalue_line("markers", "nnfs: a case of the nnfs-conformance suite")
        config.pluginmanager.register(NnfsSuite(config), "nnfs-conform-suite")

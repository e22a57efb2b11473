"""Fixtures shared by the runner's tests: a small suite on disk, and the CLI run in-process
against a fake port of tests/fakes/."""

from __future__ import annotations

import pytest
from runner_helpers import fake, run_cli
from suite_factory import write_suite
from variant_runs import remember_variant_runs

remember_variant_runs()  # the variants' answers, computed once per process (variant_runs.py)

# `make test` (-n 2 --dist loadfile) keeps each test file in one worker. These files ask the
# same variants the same cases (variant_runs.py) and the same diagnosis replays, cached per
# process: they go to one worker together, so each answer is computed once in the whole run.
SHARE_A_WORKER = frozenset(
    f"tests/{name}.py"
    for name in ("test_mistakes", "test_sharpness", "test_soundness", "test_discrimination")
)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """--dist loadfile, with SHARE_A_WORKER as one file; any other --dist is xdist's own."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Scheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return "the variants' answers" if scope in SHARE_A_WORKER else scope

    return Scheduling(config, log)


@pytest.fixture
def vectors(tmp_path):
    """The eight cases of suite_factory.default_cases, written as a suite."""
    write_suite(tmp_path / "vectors")
    return tmp_path / "vectors"


@pytest.fixture
def cli(tmp_path, vectors, capsys, monkeypatch):
    """`nnfs-conform COMMAND --vectors <the small suite> ARGS`, for run against a fake port."""

    def cli(*args, port="correct", command="run"):
        argv = [command, "--vectors", str(vectors), *args]
        if command == "run":
            argv += ["--timeout", "2", "--", *fake(port)]
        return run_cli(argv, tmp_path, capsys, monkeypatch)

    return cli

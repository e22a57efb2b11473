"""Fixtures shared by the runner's tests: a small suite on disk, and the CLI run in-process
against a fake port of tests/fakes/."""

from __future__ import annotations

import pytest
from runner_helpers import fake, run_cli
from suite_factory import write_suite
from variant_runs import remember_variant_runs

remember_variant_runs()  # the variants' answers, computed once per process (variant_runs.py)

pytest_plugins = ["file_order"]  # how `make test` hands files to its workers


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

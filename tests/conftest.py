"""Fixtures shared by the runner's tests: a small suite on disk, and the CLI run in-process
against a fake port of tests/fakes/."""

from __future__ import annotations

import pytest
from runner_helpers import fake, run_cli
from suite_factory import write_suite
from variant_runs import FOLDER, Store, remember_variant_runs

ANSWERS = Store(None)  # in pytest's cache folder once pytest_configure knows it
remember_variant_runs(ANSWERS)  # the variants' answers, computed once (variant_runs.py)

pytest_plugins = ["file_order"]  # how `make test` hands files to its workers


def pytest_configure(config):
    cache = getattr(config, "cache", None)  # None with -p no:cacheprovider: nothing on disk
    ANSWERS.folder = cache.mkdir(FOLDER) if cache else None


def pytest_unconfigure(config):
    ANSWERS.save()


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

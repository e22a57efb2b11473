"""The runner's fixed and per-process costs (issue 21), each against its anchor.

- one-shot harness cost per case: a one-shot run of the C port, less the port started bare
  (`spawn_floor`: posix_spawn, stdin from a file, a blocking waitpid); beside it the same for
  toml-test (a Go harness, also one process per case, `-parallel 1`) on BurntSushi/toml's
  decoder, both built from the Go module proxy into the cache (never into the repository).
- the pytest plugin over the whole suite on the null port, against plain pytest running as many
  trivial parametrized tests, and against `nnfs-conform run` on the same port.
- the warm fixed cost of `nnfs-conform run`: its wall time less the same cases graded in
  process through the session (handshake excluded) and less the null port's own start.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

PYTHON = sys.executable
TOML_TEST = "github.com/toml-lang/toml-test"
TOML_TEST_VERSION = "v1.6.0"
# toml-test v1.6.0 asks for a BurntSushi/toml pseudo-version the proxy does not serve; the
# release after it builds the same command.
DECODER = "github.com/BurntSushi/toml"
DECODER_VERSION = "v1.6.0"


def timed(
    command: list[str], cwd: Path | None = None, env: dict | None = None, ok: tuple[int, ...] = (0,)
) -> float:
    """Wall seconds of one whole process (its output thrown away); raise on an exit not in ok."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        raise RuntimeError(
            f"{command[:4]}... exited {done.returncode}: "
            f"{(done.stderr or done.stdout).decode(errors='replace')[-400:]}"
        )
    return elapsed


def spawn_floor(command: list[str], inputs: list[bytes], work: Path) -> Callable[[], float]:
    """Seconds per input to start `command` with it on stdin and wait for its exit, and nothing
    more: the floor under any harness that starts one process per case."""
    work.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, data in enumerate(inputs):
        path = work / f"in-{i}"
        path.write_bytes(data)
        paths.append(str(path))
    program = shutil.which(command[0]) or command[0]

    def once() -> float:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            started = time.perf_counter()
            for path in paths:
                fd = os.open(path, os.O_RDONLY)
                pid = os.posix_spawn(
                    program,
                    command,
                    os.environ,
                    file_actions=[
                        (os.POSIX_SPAWN_DUP2, fd, 0),
                        (os.POSIX_SPAWN_DUP2, devnull, 1),
                        (os.POSIX_SPAWN_DUP2, devnull, 2),
                    ],
                )
                os.close(fd)
                os.waitpid(pid, 0)
            return (time.perf_counter() - started) / len(paths)
        finally:
            os.close(devnull)

    return once


def go_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nnfs-conform" / "bench-go"


def build_toml_test() -> tuple[Path, Path] | str:
    """(toml-test, its decoder), built from the Go module proxy into the cache; or why not."""
    go = shutil.which("go")
    if go is None:
        return "no Go toolchain"
    root = go_cache()
    binaries = root / "bin"
    tool, decoder = binaries / "toml-test", binaries / "toml-test-decoder"
    if tool.exists() and decoder.exists():
        return tool, decoder
    wrap = root / "wrap"
    wrap.mkdir(parents=True, exist_ok=True)
    (wrap / "go.mod").write_text(
        f"module benchwrap\n\ngo 1.22\n\nrequire (\n\t{TOML_TEST} {TOML_TEST_VERSION}\n"
        f"\t{DECODER} {DECODER_VERSION}\n)\n"
    )
    (wrap / "tools.go").write_text(
        f'//go:build tools\n\npackage benchwrap\n\nimport (\n\t_ "{TOML_TEST}/cmd/toml-test"\n'
        f'\t_ "{DECODER}/cmd/toml-test-decoder"\n)\n'
    )
    env = {
        **os.environ,
        "GOPATH": str(root / "gopath"),
        "GOCACHE": str(root / "gocache"),
        "GOFLAGS": "-mod=mod",
    }
    try:
        subprocess.run([go, "mod", "tidy"], cwd=wrap, env=env, check=True, capture_output=True)
        for target, path in (
            (f"{TOML_TEST}/cmd/toml-test", tool),
            (f"{DECODER}/cmd/toml-test-decoder", decoder),
        ):
            subprocess.run(
                [go, "build", "-o", str(path), target],
                cwd=wrap,
                env=env,
                check=True,
                capture_output=True,
            )
    except subprocess.CalledProcessError as exc:
        return f"go build failed: {exc.stderr.decode(errors='replace').strip()[-200:]}"
    return tool, decoder


def toml_test_measures(work: Path) -> tuple[dict[str, Callable[[], float]], int] | str:
    """toml-test's seconds per test (all tests less one test, over the count between) and its
    decoder's bare start over the same inputs; or why toml-test could not be measured."""
    built = build_toml_test()
    if isinstance(built, str):
        return built
    tool, decoder = built
    flags = ["-parallel", "1", "-color", "never"]
    done = subprocess.run([str(tool), *flags, "--", str(decoder)], capture_output=True, text=True)
    counts = [
        int(a) + int(b)
        for a, b in re.findall(r"(\d+) passed,\s+(\d+) failed", done.stdout + done.stderr)
    ]
    total = sum(counts)
    if total < 2:
        return f"toml-test ran no tests: {(done.stdout + done.stderr)[-200:]}"
    tests = work / "toml-tests"
    subprocess.run([str(tool), "-copy", str(tests)], check=True, capture_output=True)
    inputs = [p.read_bytes() for p in sorted(tests.rglob("*.toml"))]
    one = subprocess.run([str(tool), "-list-files"], capture_output=True, text=True)
    first = next(line for line in one.stdout.split() if line.endswith(".toml"))
    first = first.removesuffix(".toml")
    run_all = [str(tool), *flags, "--", str(decoder)]
    run_one = [str(tool), *flags, "-run", first, "--", str(decoder)]

    def per_test() -> float:
        return (timed(run_all, ok=(0, 1)) - timed(run_one, ok=(0, 1))) / (total - 1)

    return {
        "toml-test": per_test,
        "toml-test floor": spawn_floor([str(decoder)], inputs, work / "toml-floor"),
    }, total


def plain_pytest(work: Path, count: int) -> list[str]:
    """A folder of `count` trivial parametrized tests, and the command that runs them."""
    folder = work / "plain-pytest"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "test_plain.py").write_text(
        "import pytest\n\n\n"
        f"@pytest.mark.parametrize('i', range({count}))\n"
        "def test_case(i):\n    assert i >= 0\n"
    )
    return [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)]

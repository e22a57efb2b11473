"""`make bench`: what the runner costs, measured in one run on one machine.

Prints a Markdown table (medians of several repetitions) and the ratios against the goals of
benchmarks/README.md. BENCH_QUICK=1 runs every measurement with tiny sizes and one or two
repetitions, as a smoke test (no timing is asserted anywhere).

    .venv/bin/python benchmarks/bench.py [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from operator import sub, truediv
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]  # its sibling modules; the repository's `generator`

import fixed  # noqa: E402
import synthetic  # noqa: E402

from nnfs_conform.grading import engine  # noqa: E402
from nnfs_conform.port import protocol  # noqa: E402
from nnfs_conform.port.transports import OneShotPort, ResponsesFile, SessionPort  # noqa: E402
from nnfs_conform.suite.numbers import encode  # noqa: E402
from nnfs_conform.suite.vectors import Suite, load_suite  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
REPS = 2 if QUICK else 5
SCALE = tuple(int(n) for n in os.environ.get("BENCH_SCALE", "").split(",") if n) or (
    (100, 200, 400) if QUICK else (1_000, 10_000, 100_000)
)
SECTIONS = ("generation", "throughput", "fixed", "scale", "conform-all", "make-test")
DEFAULT_SECTIONS = SECTIONS[:-1]  # `make test` is timed only when asked: --only make-test
ONESHOT_CASES = 10 if QUICK else 60  # one process per case: a sample is enough
PYTHON = sys.executable
C_PORT = REPO / "ports" / "c" / "nnfs_port"
PY_PORT = ["python3", str(REPO / "ports" / "python" / "port.py")]

NULL_HELLO = {
    "protocol": 1,
    "name": "null",
    "language": "python",
    "dtype": "float64",
    "stages": [],
    "label_formats": ["sparse", "onehot"],
    "checks_inputs": True,
}


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def repeat(measure: Callable[[], float], reps: int = REPS) -> float:
    return median([measure() for _ in range(reps)])


def in_turns(measures: dict[Any, Callable[[], float]]) -> dict[Any, list[float]]:
    """Each measure's samples, repetitions taken in turns so that every measure sees the same
    drift in the machine's load (the ratios between them are what the goals judge)."""
    samples: dict[Any, list[float]] = {key: [] for key in measures}
    for _ in range(REPS):
        for key, measure in measures.items():
            samples[key].append(measure())
    return samples


def medians(samples: dict[Any, list[float]]) -> dict[Any, float]:
    return {key: median(values) for key, values in samples.items()}


def interleaved(measures: dict[Any, Callable[[], float]]) -> dict[Any, float]:
    """The median of each measure, taken in turns (in_turns)."""
    return medians(in_turns(measures))


def paired(samples: dict[Any, list[float]], *keys: Any, of: Callable[..., float]) -> float:
    """The median over the rounds of `of` applied to the samples of `keys` taken in that round:
    a difference of two measures taken one after the other, so that a drift of the machine's
    speed between rounds cancels, where the difference of two medians keeps it (it came out
    below zero for toml-test on a noisy host)."""
    return median([of(*round_) for round_ in zip(*(samples[key] for key in keys))])


# --- the null port's reply table -----------------------------------------------------------


def reply_for(case, seq: int, dtype: str) -> dict[str, Any]:
    if case.error is not None:
        return {"seq": seq, "error": {"kind": case.error, "message": "null port"}}
    outputs = {name: encode(out.value) for name, out in case.expected[dtype].items()}
    return {"seq": seq, "outputs": outputs}


def null_replies(suite: Suite, path: Path, dtype: str = "float64") -> list[bytes]:
    """Write the null port's table (hello, then one reply a line); return the reply lines."""
    hello = dict(NULL_HELLO, stages=list(suite.files), dtype=dtype)
    lines = [protocol.encode(reply_for(c, c.seq, dtype)) for c in suite.iter_cases()]
    with open(path, "wb") as f:
        f.write(protocol.encode(hello))
        f.writelines(lines)
    return lines


def null_command(table: Path) -> list[str]:
    return [PYTHON, str(HERE / "null_port.py"), str(table)]


# --- measurements --------------------------------------------------------------------------


def floor_per_case(
    suite: Suite, cases: list, lines: list[bytes], dtype: str = "float64"
) -> Callable[[], float]:
    """Seconds per case to encode each request, decode and check each reply and grade it, in
    one process with no port: the least any runner must spend."""
    info = dict(NULL_HELLO, stages=list(suite.files), dtype=dtype)

    def once() -> float:
        started = time.perf_counter()
        for case, line in zip(cases, lines):
            request = protocol.run_request(case, case.seq)
            protocol.encode(request)
            reply = protocol.check_reply(protocol.parse(line), request["seq"])
            engine.grade(case, reply, info, request=request)
        return (time.perf_counter() - started) / len(cases)

    return once


def alone_per_case(command: list[str], suite: Suite, cases: list) -> Callable[[], float]:
    """Seconds per case of the port by itself: every request written at once, every reply read,
    less the same for hello and bye alone. No transport can make a case cheaper than this."""
    hello = protocol.encode(protocol.hello_request(suite.suite_version))
    bye = protocol.encode(protocol.BYE)
    requests = b"".join(protocol.encode(protocol.run_request(c, c.seq)) for c in cases)

    def timed(data: bytes) -> float:
        started = time.perf_counter()
        subprocess.run(command, input=data, capture_output=True, check=True)
        return time.perf_counter() - started

    def once() -> float:
        return (timed(hello + requests + bye) - timed(hello + bye)) / len(cases)

    return once


def run_per_case(
    make_port: Callable[[], Any], suite: Suite, cases: list, notes: list[str], name: str
) -> Callable[[], float]:
    """Seconds per case of engine.run_cases through a port (handshake and bye excluded)."""

    def once() -> float:
        port = make_port()
        try:
            port.hello()
            started = time.perf_counter()
            results, incomplete = engine.run_cases(port, cases)
            elapsed = time.perf_counter() - started
        finally:
            port.close()
        if incomplete:
            raise RuntimeError(f"{name}: benchmark run incomplete: {incomplete}")
        failing = [r["id"] for r in results if r["outcome"] != "passed"]
        if failing and not any(note.startswith(name + ":") for note in notes):
            notes.append(
                f"{name}: {len(failing)} of {len(cases)} cases did not pass "
                f"(first: {failing[0]}); timed all the same"
            )
        return elapsed / len(cases)

    return once


def common_cases(suite: Suite, commands: list[list[str]]) -> list:
    """The cases of the stages every port declares, so that every row times the same work."""
    stages = set(suite.files)
    for command in commands:
        port = SessionPort(command, suite_version=suite.suite_version)
        try:
            stages &= set(port.hello()["stages"])
        finally:
            port.close()
    return [case for case in suite.cases() if case.stage in stages]


def generation() -> tuple[dict[str, float], dict[str, float] | None]:
    """Seconds to build each stage's vectors, and for the whole `make vectors`."""
    from generator import build

    stages = {}
    catalogue = list(build.MODULES)[:2] if QUICK else list(build.MODULES)
    no_cache = {**os.environ, "NNFS_CONFORM_CACHE": "off"}  # goldens computed, not read back
    for stage in catalogue:  # each in a fresh process: the oracle caches within a process

        def once(stage=stage) -> float:
            code = (
                "import time; from generator import build; "
                f"t = time.perf_counter(); build.build_stage({stage!r}); "
                "print(time.perf_counter() - t)"
            )
            done = subprocess.run(
                [PYTHON, "-c", code],
                cwd=REPO,
                check=True,
                capture_output=True,
                text=True,
                env=no_cache,
            )
            return float(done.stdout.split()[-1])

        stages[stage] = repeat(once, 1 if QUICK else 3)
    if QUICK:  # the whole suite takes too long for a smoke run
        return stages, None
    return stages, whole_generation()


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def whole_generation() -> dict[str, float]:
    """`make vectors` (the generator into a temporary folder, a new process): wall and CPU
    seconds, first with an empty cache of goldens (cold: every golden computed, the stages
    built by as many processes as CPUs), then the median of three with it filled (warm), and
    last cold again in one process (--jobs 1: its CPU is the work itself)."""
    cache = Path(tempfile.mkdtemp(prefix="nnfs-bench-cache-"))
    env = {**os.environ, "NNFS_CONFORM_CACHE": str(cache)}
    try:
        with tempfile.TemporaryDirectory() as tmp:

            def whole(*options: str) -> tuple[float, float]:
                cpu, started = children_cpu(), time.perf_counter()
                subprocess.run(
                    [PYTHON, "-m", "generator", "--out", tmp, *options],
                    cwd=REPO,
                    check=True,
                    capture_output=True,
                    env=env,
                )
                return time.perf_counter() - started, children_cpu() - cpu

            cold = whole()
            warm = [whole() for _ in range(3)]
            shutil.rmtree(cache / "goldens", ignore_errors=True)
            one = whole("--jobs", "1")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return {
        "cold_wall": cold[0],
        "cold_cpu": cold[1],
        "cold_one_wall": one[0],
        "cold_one_cpu": one[1],
        "wall": median([w for w, _ in warm]),
        "cpu": median([c for _, c in warm]),
    }


def make_test() -> dict[str, float | str]:
    """`make test` three times: first with pytest's cache cleared (what a fresh clone computes:
    every emulator answer and golden, in xdist's own order), then twice again (the maintainer
    loop, a change that touches none of their sources; the second run is scheduled by the
    seconds of a warm one). Wall and CPU seconds (every process it waited for), and the load
    average before and after (the machine is shared)."""
    figures: dict[str, float | str] = {}
    for prefix, options in (("cold_", "--cache-clear"), ("first_", ""), ("", "")):
        before = os.getloadavg()
        cpu, started = children_cpu(), time.perf_counter()
        done = subprocess.run(
            ["make", "test"],
            cwd=REPO,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTEST_ADDOPTS": options},
        )
        wall, used = time.perf_counter() - started, children_cpu() - cpu
        after = os.getloadavg()
        last = (done.stdout.strip() or done.stderr.strip() or "no output").splitlines()[-1]
        figures |= {
            f"{prefix}wall": wall,
            f"{prefix}cpu": used,
            f"{prefix}status": done.returncode,
            f"{prefix}last": last[-160:],
            f"{prefix}load": f"{before[0]:.2f} before, {after[0]:.2f} after (1-min load average)",
        }
    return figures


def measured_cli(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MiB) of the runner process alone, and exit status of a run."""
    with tempfile.NamedTemporaryFile(suffix=".json") as rss:
        started = time.perf_counter()
        done = subprocess.run(
            [PYTHON, str(Path(__file__)), "_child", rss.name, *args], capture_output=True, text=True
        )
        wall = time.perf_counter() - started
        try:
            peak = json.loads(Path(rss.name).read_text())["maxrss_kib"] / 1024
        except ValueError:
            raise RuntimeError(f"run failed: {done.stderr.strip()[-500:]}") from None
    return wall, peak, done.returncode


def peak_rss_kib() -> int:
    """This process's peak resident set. Linux's VmHWM belongs to the address space that exec
    created; ru_maxrss survives exec, so a child started from a large process would report the
    parent's size (this benchmark's own, holding a 100k-case table) instead of its own."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(rss_path: str, args: list[str]) -> int:
    """The runner, as `nnfs-conform` runs it, reporting its own peak RSS."""
    from nnfs_conform import cli

    status = cli.main(args)
    Path(rss_path).write_text(json.dumps({"maxrss_kib": peak_rss_kib()}))
    return status


def scale(work: Path) -> list[dict[str, Any]]:
    """Synthetic suites of growing size through the real CLI on the null port: the first load
    (the schema check of every file, remembered after), then the run's wall time and the
    runner's peak RSS, and the same cases graded in process, each repetition of the run
    followed by one of the grading (medians; in turns, so that both see the same load)."""
    rows = []
    for size in SCALE:
        directory = synthetic.write_suite(work / f"synthetic-{size}", size)
        started = time.perf_counter()
        suite = load_suite(directory)
        cold = time.perf_counter() - started
        table = work / f"null-{size}.jsonl"
        null_replies(suite, table)
        report = work / f"result-{size}.json"
        samples, gradings = [], []
        for _ in range(2 if QUICK else 3):
            samples.append(
                measured_cli(
                    [
                        "run",
                        "--quiet",
                        "--vectors",
                        str(directory),
                        "--report-json",
                        str(report),
                        "--",
                        *null_command(table),
                    ]
                )
            )
            gradings.append(graded_in_process(suite, table))
        del suite
        grading = median(gradings)
        if any(status != 0 for _, _, status in samples):
            raise RuntimeError(f"the {size}-case synthetic run was not green")
        rows.append(
            {
                "cases": size,
                "cold_s": cold,
                "wall_s": median([s[0] for s in samples]),
                "peak_mib": median([s[1] for s in samples]),
                "grading_s": grading,
            }
        )
    return rows


def graded_in_process(suite: Suite, table: Path) -> float:
    """Seconds to grade every case of `suite` through the null port in this process, session
    transport, handshake excluded: what a run must spend whatever its fixed costs."""
    port = SessionPort(null_command(table), suite_version=suite.suite_version)
    try:
        port.hello()
        started = time.perf_counter()
        results, incomplete = engine.run_cases(port, suite.iter_cases())
        elapsed = time.perf_counter() - started
    finally:
        port.close()
    if incomplete or any(r["outcome"] != "passed" for r in results):
        raise RuntimeError("the null port did not pass every case")
    return elapsed


def fixed_costs(
    work: Path,
    suite: Suite,
    vectors: Path | None,
    table: Path,
    oneshot_cases,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Issue 21's fixed costs, every figure of a row taken in turns with its anchor."""
    null = null_command(table)
    extra = ["--vectors", str(vectors)] if vectors else []
    empty = work / "empty"
    empty.mkdir(exist_ok=True)
    plugin = [
        PYTHON,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--nnfs-port",
        shlex.join(null),
    ] + (["--nnfs-vectors", str(vectors)] if vectors else [])
    cli = [PYTHON, "-m", "nnfs_conform", "run", "--quiet", *extra, "--", *null]
    hello_bye = protocol.encode(protocol.hello_request(suite.suite_version)) + protocol.encode(
        protocol.BYE
    )
    measures: dict[str, Callable[[], float]] = {
        "plain pytest": lambda: fixed.timed(fixed.plain_pytest(work, suite.total), cwd=empty),
        "plugin": lambda: fixed.timed(plugin, cwd=empty),
        "run": lambda: fixed.timed(cli, cwd=empty),
        "graded": lambda: graded_in_process(suite, table),
        "null start": lambda: fixed.spawn_floor(null, [hello_bye], work / "null-floor")(),
    }
    toml = None
    if oneshot_cases:
        version = suite.suite_version
        measures["c oneshot"] = run_per_case(
            lambda: OneShotPort([str(C_PORT)], suite_version=version), suite, oneshot_cases, [], "c"
        )
        measures["c floor"] = fixed.spawn_floor(
            [str(C_PORT)],
            [protocol.encode(protocol.run_request(c, c.seq)) for c in oneshot_cases],
            work / "c-floor",
        )
        toml = fixed.toml_test_measures(work)
        if not isinstance(toml, str):
            measures.update(toml[0])
    for measure in measures.values():  # warm: the schema checks and verdicts remembered
        measure()
    samples = in_turns(measures)
    t = medians(samples)
    out: dict[str, Any] = {k: v for k, v in t.items()}
    say("### Fixed costs (issue 21; whole processes unless said, medians, taken in turns)")
    say()
    say("| measure | seconds |")
    say("| --- | ---: |")
    for key, value in t.items():
        say(f"| {key} | {value:.4f} |")
    say()
    out["plugin / plain pytest"] = paired(samples, "plugin", "plain pytest", of=truediv)
    out["plugin / run"] = paired(samples, "plugin", "run", of=truediv)
    out["warm fixed cost"] = paired(
        samples, "run", "graded", "null start", of=lambda run, graded, start: run - graded - start
    )
    if "c oneshot" in t:
        out["oneshot harness"] = paired(samples, "c oneshot", "c floor", of=sub)
    if toml is not None and isinstance(toml, str):
        out["toml-test"] = f"not measured: {toml}"
    elif toml is not None:
        out["toml-test harness"] = paired(samples, "toml-test", "toml-test floor", of=sub)
        out["toml-test tests"] = toml[1]
    return out


def conform_all() -> tuple[float, str] | None:
    """Wall seconds of `make conform-all` (its script), and its last line (how many green)."""
    if QUICK:
        return None
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "-m", "tools.conform_all"], cwd=REPO, capture_output=True, text=True
    )
    lines = (done.stdout.strip() or done.stderr.strip() or "no output").splitlines()
    return time.perf_counter() - started, f"exit {done.returncode}: {lines[-1]}"


# --- the table -----------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        memory = float("nan")
    system = (
        platform.freedesktop_os_release().get("PRETTY_NAME", platform.system())
        if hasattr(platform, "freedesktop_os_release")
        else platform.system()
    )
    return (
        f"{model}, {os.cpu_count()} cores, {memory:.0f} GiB RAM; Python "
        f"{platform.python_version()}; {system}"
    )


def us(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e6:,.1f} µs"


def rate(seconds: float | None) -> str:
    return "-" if seconds is None else f"{1 / seconds:,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the table (Markdown) here")
    parser.add_argument(
        "--vectors",
        type=Path,
        default=None,
        metavar="DIR",
        help="the real suite to time (default: the suite's own vectors/)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures (JSON) here")
    parser.add_argument(
        "--before",
        type=Path,
        metavar="JSON",
        help="the figures of an earlier run (--json): shown as `before`",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        default=[],
        help="measure only this section (repeatable; default: all)",
    )
    args = parser.parse_args(argv)
    only = set(args.only or DEFAULT_SECTIONS)
    lines: list[str] = []
    figures: dict[str, Any] = {}  # what the goals table and --json report

    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    say(f"machine: {machine()}")
    say(
        f"mode: {'BENCH_QUICK (smoke run, sizes and repetitions cut)' if QUICK else 'full'}; "
        f"medians of {REPS} repetitions"
    )
    say()

    try:
        stages, total = generation() if "generation" in only else ({}, None)
    except (subprocess.CalledProcessError, Exception) as exc:  # noqa: BLE001 - report, go on
        stages, total = {}, None
        say(f"generation failed: {type(exc).__name__}: {exc}")
    say("### Generation (`make vectors`)")
    say()
    say("| stage (each built in a fresh process) | seconds |")
    say("| --- | ---: |")
    for stage, seconds in stages.items():
        say(f"| {stage} | {seconds:.3f} |")
    if total is not None:
        say(
            f"| whole `make vectors` (new process), goldens cache empty | "
            f"{total['cold_wall']:.3f} ({total['cold_cpu']:.1f} s CPU) |"
        )
        say(
            f"| the same in one process (`--jobs 1`) | "
            f"{total['cold_one_wall']:.3f} ({total['cold_one_cpu']:.1f} s CPU) |"
        )
        say(
            f"| whole `make vectors` (new process), goldens cache filled | "
            f"{total['wall']:.3f} ({total['cpu']:.1f} s CPU) |"
        )
        figures["make vectors"] = total
    say()

    work = Path(tempfile.mkdtemp(prefix="nnfs-bench-"))
    os.environ["NNFS_CONFORM_CACHE"] = str(work / "valid")  # every schema check starts cold
    try:
        suite = load_suite(args.vectors)
        table = work / "null.jsonl"
        replies = null_replies(suite, table)
        null = null_command(table)
        if shutil.which("make") and shutil.which("cc"):  # incremental; a failure leaves "not built"
            subprocess.run(["make", "-C", str(C_PORT.parent), "-s"], capture_output=True)
        c_built = C_PORT.exists()
        ports: list[tuple[str, list[str] | None]] = [
            ("null", null),
            ("c", [str(C_PORT)] if c_built else None),
            ("python", PY_PORT),
        ]
        version = suite.suite_version
        cases = common_cases(suite, [command for _, command in ports if command])
        wanted = {case.id for case in cases}
        replies = [line for case, line in zip(suite.cases(), replies) if case.id in wanted]
        measures: dict[Any, Callable[[], float]] = {"floor": floor_per_case(suite, cases, replies)}
        notes: list[str] = []
        for name, command in ports:
            if command is None or "throughput" not in only:
                continue
            measures[name, "session"] = run_per_case(
                lambda command=command: SessionPort(command, suite_version=version),
                suite,
                cases,
                notes,
                name,
            )
            measures[name, "oneshot"] = run_per_case(
                lambda command=command: OneShotPort(command, suite_version=version),
                suite,
                cases[:ONESHOT_CASES],
                notes,
                name,
            )
            if name != "null":
                measures[name, "alone"] = alone_per_case(command, suite, cases)
            if name == "null":
                document = {
                    "protocol": 1,
                    "port": dict(NULL_HELLO, stages=list(suite.files)),
                    "responses": [json.loads(line) for line in replies],
                }
                measures[name, "file"] = run_per_case(
                    lambda document=document: ResponsesFile(document), suite, cases, notes, name
                )
        small: Suite | None = None
        if c_built and "throughput" in only:  # small cases, where the runner's own cost shows
            size = 100 if QUICK else 1000
            small = load_suite(synthetic.write_suite(work / "small", size, seed=11))
            small_cases = small.cases()
            small_replies = null_replies(small, work / "small.jsonl")
            measures["small floor"] = floor_per_case(small, small_cases, small_replies)
            measures["small", "session"] = run_per_case(
                lambda: SessionPort([str(C_PORT)], suite_version=version),
                small,
                small_cases,
                notes,
                "c (synthetic)",
            )
            measures["small", "oneshot"] = run_per_case(
                lambda: OneShotPort([str(C_PORT)], suite_version=version),
                small,
                small_cases[:ONESHOT_CASES],
                notes,
                "c (synthetic)",
            )
        timed = interleaved(measures)
        floor = timed["floor"]
        transports = ("session", "oneshot", "file", "alone")
        rows = [{"port": name} | {t: timed.get((name, t)) for t in transports} for name, _ in ports]
        say(
            f"### Runner throughput ({len(cases)} cases of the real suite, the stages every "
            f"port declares; one-shot on the first {ONESHOT_CASES})"
        )
        say()
        say("| port | transport | cases/s | per case | over the floor | × floor |")
        say("| --- | --- | ---: | ---: | ---: | ---: |")
        say(f"| (none: the floor) | in process | {rate(floor)} | {us(floor)} | - | 1.0 |")
        for row in rows:
            for transport in transports:
                seconds = row[transport]
                if seconds is None and (transport in ("file", "alone") or row["port"] == "python"):
                    continue
                if transport == "alone":
                    say(
                        f"| {row['port']} | the port alone (all requests piped at once, no runner) "
                        f"| {rate(seconds)} | {us(seconds)} | - | {seconds / floor:,.2f} |"
                    )
                    continue
                if seconds is None:
                    say(f"| {row['port']} | {transport} | not built | - | - | - |")
                    continue
                say(
                    f"| {row['port']} | {transport} | {rate(seconds)} | {us(seconds)} | "
                    f"{us(seconds - floor)} | {seconds / floor:,.2f} |"
                )
        if small is not None:
            small_floor = timed["small floor"]
            say(
                f"| (none: the floor) | in process, {len(small.cases())} small synthetic cases | "
                f"{rate(small_floor)} | {us(small_floor)} | - | 1.0 |"
            )
            for transport in ("session", "oneshot"):
                seconds = timed["small", transport]
                say(
                    f"| c | {transport}, small synthetic cases | {rate(seconds)} | "
                    f"{us(seconds)} | {us(seconds - small_floor)} | "
                    f"{seconds / small_floor:,.2f} |"
                )
        for note in notes:
            say(f"\nnote: {note}")
        say()

        if "fixed" in only:
            figures["fixed"] = fixed_costs(
                work, suite, args.vectors, table, cases[:ONESHOT_CASES] if c_built else None, say
            )

        scaled = scale(work) if "scale" in only else []
        say("### Scale (synthetic suites, `nnfs-conform run --report-json` on the null port)")
        say()
        say(
            "| cases | first load (schema check) | run wall | per case | peak RSS of the runner "
            "| grading alone (in process) | run / grading |"
        )
        say("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for row in scaled:
            say(
                f"| {row['cases']:,} | {row['cold_s']:.2f} s | {row['wall_s']:.2f} s | "
                f"{us(row['wall_s'] / row['cases'])} | {row['peak_mib']:.1f} MiB | "
                f"{row['grading_s']:.2f} s | {row['wall_s'] / row['grading_s']:.2f}× |"
            )
        if scaled:
            figures["scale"] = scaled
        say()

        everything = conform_all() if "conform-all" in only else None
        say("### `make conform-all`")
        say()
        if everything is not None:
            say(f"{everything[0]:.1f} s wall ({everything[1]})")
        else:
            say(
                "skipped in BENCH_QUICK"
                if QUICK and "conform-all" in only
                else "not measured in this run (--only)"
            )
        say()

        by = {row["port"]: row for row in rows}
        say("### Goals (ratios from this run)")
        say()
        c = by["c"]
        if by["null"]["session"] is None:
            pass  # throughput not measured in this run
        elif c.get("session") and c.get("oneshot"):
            ratio = c["oneshot"] / c["session"]
            bound = c["oneshot"] / floor
            say(
                f"- session vs one-shot throughput on the C port, real suite: {ratio:,.0f}× "
                f"(goal ≥ 100×: {'met' if ratio >= 100 else 'NOT met'}; a runner costing nothing "
                f"would reach one-shot / the port alone = {c['oneshot'] / c['alone']:,.0f}×; "
                f"one-shot / floor = {bound:,.0f}×)"
            )
            if small is not None:
                ratio = timed["small", "oneshot"] / timed["small", "session"]
                say(
                    f"- session vs one-shot throughput on the C port, small synthetic cases: "
                    f"{ratio:,.0f}× (goal ≥ 100×: {'met' if ratio >= 100 else 'NOT met'})"
                )
        else:
            say("- session vs one-shot on the C port: C port not built")
        if by["null"]["session"] is not None:
            ratio = by["null"]["session"] / floor
            say(
                f"- runner overhead with the null port (session): {ratio:.2f}× the floor "
                f"(goal ≤ 2×: {'met' if ratio <= 2 else 'NOT met'})"
            )
        if scaled:
            say_scale_goals(say, scaled)
        if by["null"]["session"] is not None:
            figures["null session / floor"] = by["null"]["session"] / floor
        if "make-test" in only:
            figures["make test"] = make_test()
        before = json.loads(args.before.read_text()) if args.before else {}
        say()
        say_goal_table(say, figures, before)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


def _goal_rows(f: dict[str, Any]) -> dict[str, tuple[str, float | None, float, str]]:
    """goal -> (anchor, figure, bound, unit) from one run's figures; None: not measured."""
    fx, scaled = f.get("fixed", {}), f.get("scale") or []
    big = scaled[-1] if scaled else None
    vectors, test = f.get("make vectors"), f.get("make test")
    return {
        "runner vs floor (null port, session)": (
            "the floor: the same grading in process",
            f.get("null session / floor"),
            2.0,
            "×",
        ),
        "one-shot harness cost per case (C port)": (
            "toml-test's, same method",
            fx.get("oneshot harness"),
            fx.get("toml-test harness") or float("nan"),
            "s",
        ),
        "pytest plugin vs plain pytest": (
            "as many trivial tests",
            fx.get("plugin / plain pytest"),
            1.2,
            "×",
        ),
        "pytest plugin vs `nnfs-conform run`": (
            "the same port, same cases",
            fx.get("plugin / run"),
            1.1,
            "×",
        ),
        "warm fixed cost of `nnfs-conform run`": (
            "run wall - grading in process - the port's start",
            fx.get("warm fixed cost"),
            0.25,
            "s",
        ),
        f"warm {big['cases']:,}-case run" if big else "warm largest run": (
            "its grading in process (null port)",
            big["wall_s"] / big["grading_s"] if big else None,
            1.3,
            "×",
        ),
        "`make vectors` wall (goldens cache filled)": (
            "-",
            vectors["wall"] if vectors else None,
            10.0,
            "s",
        ),
        "`make vectors` wall, cache empty": (
            "-",
            vectors.get("cold_wall") if vectors else None,
            10.0,
            "s",
        ),
        "`make test` wall (the maintainer loop: run again)": (
            "-",
            test["wall"] if test else None,
            90.0,
            "s",
        ),
        "`make test` wall, pytest's cache empty (a fresh clone)": (
            "-",
            # a run timed before `make test` kept answers on disk computed everything anyway
            test.get("cold_wall", test["wall"]) if test else None,
            90.0,
            "s",
        ),
    }


def _shown(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s" and value < 0.1:
        return f"{value * 1e3:.2f} ms"
    return f"{value:.2f} {unit}" if unit == "s" else f"{value:.2f}×"


def say_goal_table(
    say: Callable[[str], None], figures: dict[str, Any], before: dict[str, Any]
) -> None:
    """One table: every goal of issue 21 as a figure with its anchor, before and after."""
    now, then = _goal_rows(figures), _goal_rows(before) if before else {}
    say("### Issue 21 goals (this run; `before` from --before)")
    say()
    say("| goal | anchor | bound | before | after | verdict |")
    say("| --- | --- | ---: | ---: | ---: | --- |")
    for goal, (anchor, value, bound, unit) in now.items():
        old = then.get(goal, (None, None))[1] if then else None
        if value is None and old is None:
            continue
        verdict = (
            "-" if value is None or bound != bound else ("met" if value <= bound else "NOT met")
        )
        shown_bound = _shown(bound, unit) if bound == bound else "toml-test not measured"
        say(
            f"| {goal} | {anchor} | ≤ {shown_bound} | {_shown(old, unit)} | "
            f"{_shown(value, unit)} | {verdict} |"
        )
    for name in ("make vectors", "make test"):
        for label, run in (("before", before), ("after", figures)):
            got = run.get(name) if run else None
            for prefix, kind in (("cold_", ", cache empty"), ("first_", ", then"), ("", ", again")):
                if got and f"{prefix}wall" in got and f"{prefix}cpu" in got:
                    extra = f"; {got[prefix + 'load']}" if f"{prefix}load" in got else ""
                    if f"{prefix}last" in got:  # a red run is no anchor
                        extra += f"; {got[prefix + 'last']}"
                    say(
                        f"\n{name} {label}{kind}: {got[prefix + 'wall']:.1f} s wall, "
                        f"{got[prefix + 'cpu']:.1f} s CPU{extra}"
                    )


def say_scale_goals(say: Callable[[str], None], scaled: list[dict[str, Any]]) -> None:
    ratio = scaled[-1]["peak_mib"] / scaled[0]["peak_mib"]
    say(
        f"- peak memory at {scaled[-1]['cases']:,} cases vs {scaled[0]['cases']:,}: "
        f"{ratio:.2f}× (goal ≤ 1.5×: {'met' if ratio <= 1.5 else 'NOT met'})"
    )
    growth = (scaled[-1]["wall_s"] / scaled[-1]["cases"]) / (
        scaled[0]["wall_s"] / scaled[0]["cases"]
    )
    say(
        f"- time per case at {scaled[-1]['cases']:,} vs {scaled[0]['cases']:,} cases: "
        f"{growth:.2f}× (linear growth = about 1×, or below as start-up is amortized)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_child":
        sys.exit(child(sys.argv[2], sys.argv[3:]))
    sys.exit(main())

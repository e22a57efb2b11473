"""`make conform-all`: build every bundled port with its own tool, run the suite on each, and
print the port x stage matrix (console, Markdown in out/conform-all/matrix.md, and a page with
every case's details in out/conform-all/report.html). Then the same for the project
`nnfs-conform new-port LANG` writes for every kit, as a learner gets it (rows `new-LANG`).

A port whose toolchain is missing or whose build fails is a row of the report, not a silent
omission, and makes the exit status non-zero: every bundled port must pass in CI.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from nnfs_conform.files import FileProblem
from nnfs_conform.grading.result import exit_status
from nnfs_conform.port import port_dir
from nnfs_conform.reports import html_report, matrix

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "out" / "conform-all"


def conform(port: port_dir.PortSpec, out: Path, label: str, *, bundled: bool = True) -> dict:
    """Build and run one port; returns its row of the timing table and its result, if any.
    `status` is one line; `log` the indented lines shown under it (a build's tail, a hint).
    A bundled port runs with --require-all: a stage it does not declare fails unless its
    expectations file skips it with a reason (a kit's example declares two stages)."""
    row = {"name": label, "build_s": None, "run_s": None, "status": "", "log": "", "result": None}
    built = port_dir.build(port)
    row["build_s"] = built.seconds
    if not built.ok:
        row["status"], row["log"] = built.status, built.log
        return row
    report = out / f"{label}.json"
    report.unlink(missing_ok=True)
    start = time.monotonic()
    # a stage a port does not implement yet is skipped with a reason in its expectations file
    expectations = port.expectations or REPO / "ports" / port.name / "expectations.toml"
    expect = ["--expectations", str(expectations)] if expectations.exists() else []
    strict = ["--require-all"] if bundled else []
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "nnfs_conform",
            "run",
            "--quiet",
            *strict,
            *expect,
            "--report-json",
            str(report),
            "--",
            *port.run,
        ],
        cwd=port.where,
        capture_output=True,
        text=True,
    )
    row["run_s"] = time.monotonic() - start
    if not report.exists():
        row["status"] = f"could not run (exit {run.returncode})"
        row["log"] = port_dir.indent_tail(run.stderr)
        return row
    row["result"] = matrix.load_result(report)
    row["status"] = "green" if exit_status(row["result"]) == 0 else "red"
    return row


def kit_examples(out: Path) -> list[tuple[str, port_dir.PortSpec, bool]]:
    """`nnfs-conform new-port LANG` for every kit, written afresh under out/: the example a
    learner starts from must build and pass as written."""
    examples = []
    for language in port_dir.languages():
        folder = out / f"new-{language}"
        shutil.rmtree(folder, ignore_errors=True)
        port_dir.new_port(language, folder, f"new-{language}")
        examples.append((f"new-{language}", port_dir.read_port_dir(folder), False))
    return examples


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def main() -> int:
    try:
        ports = [
            (p.name, p, True) for p in port_dir.read_ports_toml(REPO / "ports" / "ports.toml", REPO)
        ]
        OUT.mkdir(parents=True, exist_ok=True)
        ports += kit_examples(OUT)
    except FileProblem as exc:
        print(f"conform-all: {exc}", file=sys.stderr)
        return 2
    rows = []
    for label, port, bundled in ports:
        print(f"--- {label}", flush=True)
        rows.append(conform(port, OUT, label, bundled=bundled))
        print(
            f"    {rows[-1]['status']} (build {_seconds(rows[-1]['build_s'])}, "
            f"run {_seconds(rows[-1]['run_s'])})",
            flush=True,
        )
        if rows[-1]["log"]:
            print(rows[-1]["log"], flush=True)
    results = [row["result"] for row in rows if row["result"] is not None]
    print()
    if results:
        print(matrix.render_console(results))
    timing = ["| port | build | run | status |", "| --- | --- | --- | --- |"]
    timing += [
        f"| {r['name']} | {_seconds(r['build_s'])} | {_seconds(r['run_s'])} | {r['status']} |"
        for r in rows
    ]
    markdown = "\n".join([matrix.render_markdown(results) if results else "", "", *timing, ""])
    (OUT / "matrix.md").write_text(markdown, encoding="utf-8")
    (OUT / "report.html").unlink(missing_ok=True)
    if results:
        html_report.write_html(results, OUT / "report.html")
    failed = [r["name"] for r in rows if r["status"] != "green"]
    print(
        f"\n{len(rows) - len(failed)} of {len(rows)} ports green"
        + (f"; not green: {', '.join(failed)}" if failed else "")
        + f" (Markdown: {OUT.relative_to(REPO)}/matrix.md, HTML: "
        f"{OUT.relative_to(REPO)}/report.html)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

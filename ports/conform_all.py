"""`make conform-all`: build every bundled port with its own tool, run the suite on each, and
print the port x stage matrix (console, Markdown in out/conform-all/matrix.md, and a page with
every case's details in out/conform-all/report.html).

A port whose toolchain is missing or whose build fails is a row of the report, not a silent
omission, and makes the exit status non-zero: every bundled port must pass in CI.
"""

from __future__ import annotations

import subprocess
import sys
import time
import tomllib
from pathlib import Path

from nnfs_conform import html_report, matrix
from nnfs_conform.result import exit_status

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
import system_deps  # noqa: E402 - a script beside, not a package

OUT = REPO / "out" / "conform-all"


def _tail(text: str, lines: int = 8) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])


def conform(port: dict, out: Path) -> dict:
    """Build and run one port; returns its row of the timing table and its result, if any.
    `status` is one line; `log` the indented lines shown under it (a build's tail, a hint)."""
    row = {"name": port["name"], "build_s": None, "run_s": None, "status": "", "log": "",
           "result": None}
    missing = system_deps.missing(port["requires"])
    if missing:
        row["status"] = f"not built: missing {', '.join(missing)}"
        row["log"] = "    " + system_deps.install_hint(missing)
        return row
    if port["build"]:
        start = time.monotonic()
        build = subprocess.run(port["build"], cwd=REPO, capture_output=True, text=True)
        row["build_s"] = time.monotonic() - start
        if build.returncode != 0:
            row["status"] = f"build failed (exit {build.returncode})"
            row["log"] = _tail(build.stdout + build.stderr)
            return row
    report = out / f"{port['name']}.json"
    report.unlink(missing_ok=True)
    start = time.monotonic()
    # a stage a port does not implement yet is skipped with a reason in its expectations file
    expectations = REPO / port.get("expectations", f"ports/{port['name']}/expectations.toml")
    expect = ["--expectations", str(expectations)] if expectations.exists() else []
    run = subprocess.run([sys.executable, "-m", "nnfs_conform", "run", "--quiet", *expect,
                          "--report-json", str(report), "--", *port["run"]],
                         cwd=REPO, capture_output=True, text=True)
    row["run_s"] = time.monotonic() - start
    if not report.exists():
        row["status"] = f"could not run (exit {run.returncode})"
        row["log"] = _tail(run.stderr)
        return row
    row["result"] = matrix.load_result(report)
    row["status"] = "green" if exit_status(row["result"]) == 0 else "red"
    return row


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def main() -> int:
    ports = tomllib.loads((REPO / "ports" / "ports.toml").read_text())["port"]
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for port in ports:
        print(f"--- {port['name']}", flush=True)
        rows.append(conform(port, OUT))
        print(f"    {rows[-1]['status']} (build {_seconds(rows[-1]['build_s'])}, "
              f"run {_seconds(rows[-1]['run_s'])})", flush=True)
        if rows[-1]["log"]:
            print(rows[-1]["log"], flush=True)
    results = [row["result"] for row in rows if row["result"] is not None]
    print()
    if results:
        print(matrix.render_console(results))
    timing = ["| port | build | run | status |", "| --- | --- | --- | --- |"]
    timing += [f"| {r['name']} | {_seconds(r['build_s'])} | {_seconds(r['run_s'])} | "
               f"{r['status']} |" for r in rows]
    markdown = "\n".join([matrix.render_markdown(results) if results else "", "", *timing, ""])
    (OUT / "matrix.md").write_text(markdown, encoding="utf-8")
    (OUT / "report.html").unlink(missing_ok=True)
    if results:
        html_report.write_html(results, OUT / "report.html")
    failed = [r["name"] for r in rows if r["status"] != "green"]
    print(f"\n{len(rows) - len(failed)} of {len(rows)} ports green"
          + (f"; not green: {', '.join(failed)}" if failed else "")
          + f" (Markdown: {OUT.relative_to(REPO)}/matrix.md, HTML: "
          f"{OUT.relative_to(REPO)}/report.html)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

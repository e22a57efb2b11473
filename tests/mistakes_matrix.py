"""The mistakes catalogue held honest: every mistake is caught, named, and never named wrongly.

`python tests/mistakes_matrix.py` prints one row per mistake and tier:
- killed: the cases of its stages it fails (it must fail at least one),
- named: the failed cases on which the runner's diagnosis names it (at least one),
- misnamed: the failed cases on which the diagnosis names another mistake (listed below the
  table with the mistake named instead: only a more specific mistake that reproduces the
  same outputs is acceptable),
then the false diagnoses: every legit variant of tests/variants.py (which pass every case) has
its outputs fed to the diagnosis on every case, and must never be named; with `--ports`, so has
every bundled port of ports/ports.toml that is built (the others are listed as skipped). The
last line is `mistakes: N/N killed, N/N named, 0 false diagnoses`; the exit status is 0 only if
all hold. `--detail` lists the cases behind every count.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from variants import LEGIT, SHORT, VARIANTS, Variant, grade, suite

from nnfs_conform.compare import compare_outputs
from nnfs_conform.diagnose import diagnose
from nnfs_conform.engine import unsupported
from nnfs_conform.mistakes import MISTAKES, Mistake
from nnfs_conform.numbers import decode
from nnfs_conform.protocol import run_request
from nnfs_conform.reference import StageError
from nnfs_conform.transports import PortError, SessionPort

REPO = Path(__file__).resolve().parent.parent
PORTS = REPO / "ports" / "ports.toml"


@dataclass(frozen=True)
class Row:
    mistake: Mistake
    tier: str
    killed: tuple[str, ...]  # failed case ids
    named: tuple[str, ...]  # failed cases where diagnose names this mistake
    misnamed: tuple[tuple[str, str], ...]  # (case id, the mistake named instead)

    @property
    def name(self) -> str:
        return f"{self.mistake.id}@{SHORT[self.tier]}"


def _outputs(variant: Variant, case):
    """The variant's outputs on a valid case, or None when it raised."""
    try:
        return variant.run(case.stage, decode(case.inputs), case.params)
    except (StageError, Exception):  # noqa: BLE001 - a raising mutant simply has no outputs
        return None


@cache
def row(mistake_id: str, tier: str) -> Row:
    variant = VARIANTS[f"{mistake_id}@{SHORT[tier]}"]
    killed, named, misnamed = [], [], []
    for stage in variant.stages:
        for case in suite().stages.get(stage, ()):
            if grade(variant, case).ok:
                continue
            killed.append(case.id)
            if case.error is not None:
                continue
            outputs = _outputs(variant, case)
            if outputs is None:
                continue
            found = diagnose(case, outputs, tier)
            if found is None:
                continue
            if found.id == mistake_id:
                named.append(case.id)
            else:
                misnamed.append((case.id, found.id))
    return Row(next(m for m in MISTAKES if m.id == mistake_id), tier, tuple(killed),
               tuple(named), tuple(misnamed))


def rows() -> list[Row]:
    return [row(m.id, tier) for m in MISTAKES for tier in m.tiers]


@cache
def false_diagnoses(name: str) -> tuple[tuple[str, str], ...]:
    """(case id, mistake id) for every case on which a legit variant's outputs are named."""
    variant = VARIANTS[name]
    found = []
    for case in suite().cases():
        if case.error is not None:
            continue
        outputs = _outputs(variant, case)
        if outputs is None:
            continue
        mistake = diagnose(case, outputs, variant.tier)
        if mistake is not None:
            found.append((case.id, mistake.id))
    return tuple(found)


def bundled_ports() -> list[dict]:
    """The bundled ports of ports/ports.toml, their run commands made absolute."""
    if not PORTS.exists():
        return []
    ports = tomllib.loads(PORTS.read_text())["port"]
    for port in ports:
        port["run"] = [str(REPO / a) if a.startswith("ports/") else a for a in port["run"]]
    return ports


def not_runnable(port: dict) -> str | None:
    """Why a bundled port cannot be run here (toolchain missing, not built), or None."""
    missing = [tool for tool in [port["run"][0], *port.get("requires", [])]
               if "/" not in tool and shutil.which(tool) is None]
    if missing:
        return f"toolchain missing: {', '.join(missing)}"
    absent = [a for a in port["run"] if a.startswith(str(REPO)) and not Path(a).exists()]
    if absent:
        return f"not built: {', '.join(str(Path(a).relative_to(REPO)) for a in absent)}"
    return None


def port_diagnoses(command: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """Every case's outputs from a real port fed to the diagnosis: (case id, mistake id) for
    each case named, and the cases the port could not answer or failed (which say why)."""
    named, trouble = [], []
    port = SessionPort(command, suite_version=suite().suite_version, timeout=30.0)
    try:
        info = port.hello()
        dtype = info["dtype"]
        for seq, case in enumerate(suite().cases(), start=1):
            if case.error is not None or unsupported(case, info) is not None:
                continue
            try:
                reply = port.request(run_request(case, seq))
            except PortError as exc:
                trouble.append(f"{case.id}: {exc}")
                continue
            if "outputs" not in reply:
                trouble.append(f"{case.id}: " + (f"error {reply['error']['kind']}"
                                                 if "error" in reply else "declined"))
                continue
            if not compare_outputs(reply["outputs"], case.expected[dtype], dtype).ok:
                trouble.append(f"{case.id}: fails")
            mistake = diagnose(case, reply["outputs"], dtype)
            if mistake is not None:
                named.append((case.id, mistake.id))
    finally:
        port.close()
    return named, trouble


def matrix(out=print, detail=False, ports=False) -> bool:
    table = rows()
    width = max(len(r.name) for r in table)
    out(f"{'mistake':<{width}}  {'killed':>6}  {'named':>5}  {'misnamed':>8}")
    for r in table:
        out(f"{r.name:<{width}}  {len(r.killed):>6}  {len(r.named):>5}  {len(r.misnamed):>8}")
        if detail:
            out(f"    named on: {', '.join(r.named) or '-'}")
    misnamed = [(r, case, other) for r in table for case, other in r.misnamed]
    if misnamed:
        out("\nmisnamed: the case, and the mistake named instead (more specific, same outputs)")
        pairs = Counter((r.name, other) for r, _, other in misnamed)
        for (name, other), n in sorted(pairs.items()):
            cases = [c for r, c, o in misnamed if r.name == name and o == other]
            out(f"  {name} -> {other}: {n} case(s), e.g. {', '.join(cases[:3])}")

    out("\nfalse diagnoses: legit variants' outputs fed to the diagnosis on every valid case")
    false = {name: false_diagnoses(name) for name in LEGIT}
    for name, found in false.items():
        if found or detail:
            out(f"  {name}: {len(found)}" + "".join(f"\n    {c}: {m}" for c, m in found))
    total_false = sum(len(f) for f in false.values())
    if not total_false:
        out(f"  none across {len(LEGIT)} legit variants")
    for port in bundled_ports() if ports else ():
        why = not_runnable(port)
        if why:
            out(f"  port {port['name']}: skipped ({why})")
            continue
        named, trouble = port_diagnoses(port["run"])
        total_false += len(named)
        out(f"  port {port['name']}: {len(named)}" + "".join(f"\n    {c}: {m}" for c, m in named)
            + (f" ({len(trouble)} case(s) not passed: {'; '.join(trouble[:3])})" if trouble
               else ""))

    ids = [m.id for m in MISTAKES]
    killed = [i for i in ids if all(r.killed for r in table if r.mistake.id == i)]
    named = [i for i in ids if all(r.named for r in table if r.mistake.id == i)]
    for i in ids:
        if i not in killed:
            out(f"NOT KILLED {i}")
        if i not in named:
            out(f"NEVER NAMED {i}")
    out("")
    out(f"mistakes: {len(killed)}/{len(ids)} killed, {len(named)}/{len(ids)} named, "
        f"{total_false} false diagnoses")
    return len(killed) == len(ids) and len(named) == len(ids) and total_false == 0


if __name__ == "__main__":
    sys.exit(0 if matrix(detail="--detail" in sys.argv[1:], ports="--ports" in sys.argv[1:])
             else 1)

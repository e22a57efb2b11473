"""The mistakes catalogue held honest: every mistake is caught, named, and never named wrongly.

The diagnosis judges a stage on all its cases (nnfs_conform.diagnosis.diagnose), so this proof
does too.
`python -m tools.mistakes_matrix` prints one row per mistake and tier:
- killed: the cases of its stages it fails (it must fail at least one),
- named: the failed cases of the stages on which the runner's diagnosis names it (at least one),
- one of: the failed cases of stages where it is shown among several that explain them equally
  (the vectors cannot tell them apart there),
- misnamed: the failed cases of stages on which the diagnosis names another mistake (must be
  none: listed below the table),
then the false diagnoses: every legit variant of tools/variants.py (which pass every case) has
its outputs fed to the diagnosis, stage by stage, and must never be named; with `--ports`, so
has every bundled port of ports/ports.toml that is built (the others are listed as skipped).
The last line is `mistakes: N/N killed, N/N named, 0 misnamed, 0 false diagnoses`; the exit
status is 0 only if all hold. `--detail` lists the cases behind every count.
"""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nnfs_conform.diagnosis.diagnose import Verdict, diagnose_stage
from nnfs_conform.diagnosis.mistakes import BY_ID, MISTAKES, Mistake
from nnfs_conform.grading.compare import compare_outputs
from nnfs_conform.grading.engine import unsupported
from nnfs_conform.port import port_dir, system_deps
from nnfs_conform.port.protocol import run_request
from nnfs_conform.port.transports import PortError, SessionPort
from nnfs_conform.suite.errors import StageError
from nnfs_conform.suite.numbers import decode
from tools.variants import LEGIT, VARIANTS, Variant, grade, suite, wrong_name

REPO = Path(__file__).resolve().parent.parent

PORTS = REPO / "ports" / "ports.toml"


@dataclass(frozen=True)
class Row:
    mistake: Mistake
    tier: str
    form: str  # "" for the mistake's first form
    killed: tuple[str, ...]  # failed case ids
    named: tuple[str, ...]  # failed cases of stages whose diagnosis names this mistake
    one_of: tuple[str, ...]  # failed cases of stages where it is one of several named
    misnamed: tuple[tuple[str, str], ...]  # (case id, the mistake named instead)

    @property
    def name(self) -> str:
        return wrong_name(self.mistake.id, self.tier, self.form)


def _outputs(variant: Variant, case):
    """The variant's outputs on a valid case, or None when it raised."""
    try:
        return variant.run(case.stage, decode(case.inputs), case.params)
    except (StageError, Exception):  # noqa: BLE001 - a raising mutant simply has no outputs
        return None


def stage_verdict(variant: Variant, stage: str) -> tuple[Verdict, list[str]]:
    """The runner's verdict on a variant's answers to every valid case of a stage, and the
    failed case ids (invalid ones included)."""
    triples, failed = [], []
    for case in suite().stages.get(stage, ()):
        passed = grade(variant, case).ok
        if not passed:
            failed.append(case.id)
        if case.error is None:
            triples.append((case, _outputs(variant, case), passed))
    return diagnose_stage(triples, stage, variant.tier), failed


@cache
def row(mistake_id: str, tier: str, form: str = "") -> Row:
    variant = VARIANTS[wrong_name(mistake_id, tier, form)]
    killed, named, one_of, misnamed = [], [], [], []
    for stage in variant.stages:
        verdict, failed = stage_verdict(variant, stage)
        killed += failed
        explained = sorted(verdict.explains)
        if verdict.named is not None and verdict.named.id == mistake_id:
            named += explained
        elif verdict.named is not None:
            misnamed += [(c, verdict.named.id) for c in explained]
        elif any(m.id == mistake_id for m in verdict.one_of):
            one_of += explained
    return Row(
        BY_ID[mistake_id], tier, form, tuple(killed), tuple(named), tuple(one_of), tuple(misnamed)
    )


def rows() -> list[Row]:
    return [row(m.id, tier, form) for m in MISTAKES for form in m.all_forms for tier in m.tiers]


@cache
def false_diagnoses(name: str) -> tuple[tuple[str, str], ...]:
    """(stage, mistake ids) for every stage on which a legit variant's outputs name a
    mistake, alone or as one of several."""
    variant = VARIANTS[name]
    found = []
    for stage in suite().stages:
        verdict, _ = stage_verdict(variant, stage)
        shown = ([verdict.named] if verdict.named else []) + list(verdict.one_of)
        if shown:
            found.append((stage, ", ".join(m.id for m in shown)))
    return tuple(found)


def bundled_ports() -> list[port_dir.PortSpec]:
    """The bundled ports of ports/ports.toml, as conform-all reads them (run from the repo)."""
    return port_dir.read_ports_toml(PORTS, REPO) if PORTS.exists() else []


def not_runnable(port: port_dir.PortSpec) -> str | None:
    """Why a bundled port cannot be run here (toolchain missing, not built), or None."""
    missing = system_deps.missing(port.requires)
    if "/" not in port.run[0] and shutil.which(port.run[0]) is None:
        missing.append(port.run[0])
    if missing:
        return f"toolchain missing: {', '.join(missing)}"
    absent = [a for a in port.run if a.startswith("ports/") and not (port.where / a).exists()]
    folder = REPO / "ports" / port.name
    if (folder / "package.json").exists() and not (folder / "node_modules").is_dir():
        absent.append(f"ports/{port.name}/node_modules")  # its kit is an npm dependency: npm ci
    if absent:
        return f"not built: {', '.join(absent)}"
    return None


def port_diagnoses(spec: port_dir.PortSpec) -> tuple[list[tuple[str, str]], list[str]]:
    """A real port's answers fed to the diagnosis, stage by stage: (stage, mistake ids) for
    each stage named, and the cases the port could not answer or failed (which say why)."""
    named, trouble = [], []
    port = SessionPort(
        list(spec.run), suite_version=suite().suite_version, timeout=30.0, cwd=spec.where
    )
    try:
        info = port.hello()
        dtype = info["dtype"]
        for stage, cases in suite().stages.items():
            triples = []
            for case in cases:
                seq = case.seq
                if case.error is not None or unsupported(case, info) is not None:
                    continue
                try:
                    reply = port.request(run_request(case, seq))
                except PortError as exc:
                    trouble.append(f"{case.id}: {exc}")
                    continue
                if "outputs" not in reply:
                    trouble.append(
                        f"{case.id}: "
                        + (f"error {reply['error']['kind']}" if "error" in reply else "declined")
                    )
                    continue
                passed = compare_outputs(reply["outputs"], case.expected[dtype], dtype).ok
                if not passed:
                    trouble.append(f"{case.id}: fails")
                triples.append((case, reply["outputs"], passed))
            verdict = diagnose_stage(triples, stage, dtype)
            shown = ([verdict.named] if verdict.named else []) + list(verdict.one_of)
            if shown:
                named.append((stage, ", ".join(m.id for m in shown)))
    finally:
        port.close()
    return named, trouble


def matrix(out=print, detail=False, ports=False) -> bool:
    table = rows()
    width = max(len(r.name) for r in table)
    out(f"{'mistake':<{width}}  {'killed':>6}  {'named':>5}  {'one of':>6}  {'misnamed':>8}")
    for r in table:
        out(
            f"{r.name:<{width}}  {len(r.killed):>6}  {len(r.named):>5}  {len(r.one_of):>6}  "
            f"{len(r.misnamed):>8}"
        )
        if detail:
            out(f"    named on: {', '.join(r.named) or '-'}")
    misnamed = [(r, case, other) for r in table for case, other in r.misnamed]
    if misnamed:
        out("\nmisnamed: the case, and the mistake named instead")
        pairs = Counter((r.name, other) for r, _, other in misnamed)
        for (name, other), n in sorted(pairs.items()):
            cases = [c for r, c, o in misnamed if r.name == name and o == other]
            out(f"  {name} -> {other}: {n} case(s), e.g. {', '.join(cases[:3])}")

    out("\nfalse diagnoses: legit variants' outputs fed to the diagnosis, stage by stage")
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
            out(f"  port {port.name}: skipped ({why})")
            continue
        named, trouble = port_diagnoses(port)
        total_false += len(named)
        out(
            f"  port {port.name}: {len(named)}"
            + "".join(f"\n    {c}: {m}" for c, m in named)
            + (f" ({len(trouble)} case(s) not passed: {'; '.join(trouble[:3])})" if trouble else "")
        )

    ids = [m.id for m in MISTAKES]
    killed = [i for i in ids if all(r.killed for r in table if r.mistake.id == i)]
    named = [i for i in ids if all(r.named for r in table if r.mistake.id == i)]
    for i in ids:
        if i not in killed:
            out(f"NOT KILLED {i}")
        if i not in named:
            out(f"NEVER NAMED {i}")
    out("")
    out(
        f"mistakes: {len(killed)}/{len(ids)} killed, {len(named)}/{len(ids)} named, "
        f"{len(misnamed)} misnamed, {total_false} false diagnoses"
    )
    return len(killed) == len(ids) and len(named) == len(ids) and not misnamed and total_false == 0


if __name__ == "__main__":
    sys.exit(0 if matrix(detail="--detail" in sys.argv[1:], ports="--ports" in sys.argv[1:]) else 1)

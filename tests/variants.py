"""Legitimate and deliberately wrong implementations of the eight stages, to prove the vectors.

Sound: every legitimate implementation passes every case at its tier. Sharp: every wrong one
fails at least one case of a stage it mutates. `python tests/variants.py` prints the matrix
(variant x stage: "pass", "FAIL n" or "-" for a stage the variant does not touch), the margins
and a verdict per property; it exits 0 only if both hold. `--detail` names the legit variant and
element behind each margin, `--legend` says what every variant emulates.

The plain-Python `Engine` (nnfs_conform.emulator) computes every stage on nested lists with an
`Arith`: the port's rounding (float64 identity, or float32 after EVERY operation), a summation
order, FMA or not, float64 accumulation, and its exp and log. The legit variants are defined
here; the wrong ones are the mistakes catalogue (nnfs_conform.mistakes), each mistake at every
tier a port can make it in: one source of truth for the runner's diagnoses and this proof.
Every variant checks its inputs with the reference's own checks: the point is numerics.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np

from nnfs_conform.compare import compare_outputs
from nnfs_conform.emulator import (
    ARITH,
    Engine,
    f64,
    forward_sum,
    fsum,
    kahan_sum,
    pairwise_sum,
    reversed_sum,
)
from nnfs_conform.mistakes import MISTAKES
from nnfs_conform.numbers import decode, encode
from nnfs_conform.reference import StageError, run_stage
from nnfs_conform.vectors import load_suite

STAGE_NAMES = ("neuron", "layer", "dense_batch", "relu", "softmax", "categorical_crossentropy",
               "accuracy", "forward")

# ----------------------------------------------------------------------------------------------
# NumPy implementations: the reference itself, and the reference fed one row at a time

BATCHED = {  # stage -> (batch inputs split by row, per-sample outputs)
    "dense_batch": (("inputs",), ("output",)),
    "softmax": (("inputs",), ("output",)),
    "categorical_crossentropy": (("y_pred", "y_true"), ("sample_losses",)),
    "accuracy": (("y_pred", "y_true"), ("predictions",)),
    "forward": (("inputs", "y_true"), ("dense1", "relu1", "dense2", "softmax", "sample_losses",
                                       "predictions")),
}


def numpy_run(tier):
    def run(stage, inputs, params):
        return encode(run_stage(stage, inputs, params, tier))
    return run


def numpy_rows_run(tier):
    """The reference called once per sample; batch means recomputed from the rows."""
    dtype = np.dtype(tier).type

    def run(stage, inputs, params):
        whole = run_stage(stage, inputs, params, tier)  # checks the whole batch first
        if stage not in BATCHED:
            return encode(whole)
        split, per_sample = BATCHED[stage]
        rows = [run_stage(stage, {**inputs, **{k: [inputs[k][b]] for k in split}}, params, tier)
                for b in range(len(inputs[split[0]]))]
        out = {name: [r[name][0] for r in rows] for name in per_sample}
        if "sample_losses" in out:
            out["loss"] = float(np.mean(np.array(out["sample_losses"], dtype=dtype)))
        if "predictions" in out:
            out["accuracy"] = float(np.mean([r["accuracy"] for r in rows]))
        return encode(out)
    return run


# ----------------------------------------------------------------------------------------------
# The variants


@dataclass(frozen=True)
class Variant:
    name: str
    tier: str  # "float64" or "float32"
    kind: str  # "legit" or "wrong"
    stages: tuple[str, ...]  # the stages it runs: all for legit, the mutated ones for wrong
    doc: str  # one line: what it emulates
    run: Callable = field(repr=False)  # (stage, decoded inputs, params) -> encoded outputs


ORDERS = {"forward": forward_sum, "reversed": reversed_sum, "pairwise": pairwise_sum,
          "kahan": kahan_sum, "fsum": fsum}
SHORT = {"float64": "f64", "float32": "f32"}


def _legit() -> list[Variant]:
    out = [
        Variant("numpy-float64", "float64", "legit", STAGE_NAMES,
                "the NumPy reference itself (BLAS dot, pairwise np.sum, SIMD exp)",
                numpy_run("float64")),
        Variant("numpy-float32", "float32", "legit", STAGE_NAMES,
                "the NumPy reference on float32 arrays (float32 BLAS, float32 SIMD exp/log)",
                numpy_run("float32")),
    ]
    for tier in ("float64", "float32"):
        for order, summation in ORDERS.items():
            out.append(Variant(
                f"python-{order}-{SHORT[tier]}", tier, "legit", STAGE_NAMES,
                f"plain-Python loops, {order} summation, every operation rounded to {tier}",
                Engine(replace(ARITH[tier], summation=summation)).run))
        out.append(Variant(
            f"python-fma-{SHORT[tier]}", tier, "legit", STAGE_NAMES,
            f"plain-Python loops, dot products by fused multiply-add (one rounding) in {tier}",
            Engine(replace(ARITH[tier], fused=True)).run))
    out += [
        Variant("python-f64-accumulate-f32", "float32", "legit", STAGE_NAMES,
                "a float32 port accumulating every dot product and sum in a double, "
                "rounding once at the end",
                Engine(replace(ARITH["float32"], acc=f64)).run),
        Variant("numpy-row-at-a-time-f64", "float64", "legit", STAGE_NAMES,
                "the NumPy reference called once per sample (gemv, not gemm), means recomputed",
                numpy_rows_run("float64")),
        Variant("numpy-row-at-a-time-f32", "float32", "legit", STAGE_NAMES,
                "as numpy-row-at-a-time-f64, on float32 arrays",
                numpy_rows_run("float32")),
    ]
    for tier in ("float64", "float32"):
        out.append(Variant(
            f"softmax-logsumexp-{SHORT[tier]}", tier, "legit", STAGE_NAMES,
            f"division-free softmax exp(x - logsumexp(x)) in plain-Python {tier}",
            Engine(ARITH[tier], softmax_algorithm="logsumexp").run))
    return out


# name -> (stages it mutates, what it emulates): the mistakes catalogue, each mistake at every
# tier a port can make it in.
WRONG = {m.id: (m.stages, m.explanation) for m in MISTAKES}


def _wrong() -> list[Variant]:
    return [Variant(f"{m.id}@{SHORT[tier]}", tier, "wrong", m.stages, m.explanation,
                    m.runner(tier)) for m in MISTAKES for tier in m.tiers]


VARIANTS = {v.name: v for v in _legit() + _wrong()}
LEGIT = [v.name for v in VARIANTS.values() if v.kind == "legit"]
WRONG_VARIANTS = [v.name for v in VARIANTS.values() if v.kind == "wrong"]


# ----------------------------------------------------------------------------------------------
# Grading


@dataclass(frozen=True)
class Outcome:
    case: str
    stage: str
    ok: bool
    ratio: float  # worst err/tol; 0 if exact or the right error, inf for a structural miss
    detail: str  # the worst element, or what went wrong


@cache
def suite():
    return load_suite()


def grade(variant: Variant, case) -> Outcome:
    try:
        outputs = variant.run(case.stage, decode(case.inputs), case.params)
    except StageError as exc:
        if case.error is not None:
            ok = exc.kind == case.error
            return Outcome(case.id, case.stage, ok, 0.0 if ok else math.inf,
                           f"raised {exc.kind}, want {case.error}")
        return Outcome(case.id, case.stage, False, math.inf, f"raised {exc.kind}: {exc.message}")
    except Exception as exc:  # noqa: BLE001 - a crash is a failure, reported as such
        return Outcome(case.id, case.stage, False, math.inf, f"crashed: {exc!r}")
    if case.error is not None:
        return Outcome(case.id, case.stage, False, math.inf, f"no error, want {case.error}")
    result = compare_outputs(outputs, case.expected[variant.tier], variant.tier)
    if result.problems:
        return Outcome(case.id, case.stage, False, math.inf, "; ".join(result.problems[:2]))
    w = result.worst
    detail = "no elements" if w is None else (
        f"worst {w.output}{list(w.index)}: got {w.got!r} want {w.want!r} "
        f"err {w.error:.3g} tol {w.tol:.3g} ratio {w.ratio:.3g}")
    return Outcome(case.id, case.stage, result.ok, w.ratio if w else 0.0, detail)


@cache
def evaluate(name: str) -> tuple[Outcome, ...]:
    """Every case of every stage the variant runs, graded at its tier."""
    variant = VARIANTS[name]
    return tuple(grade(variant, case) for stage in variant.stages
                 for case in suite().stages[stage])


# ----------------------------------------------------------------------------------------------
# The matrix


def _ratio(r: float) -> str:
    return "inf" if math.isinf(r) else f"{r:.3g}"


def matrix(out=print, detail=False) -> bool:
    names = list(VARIANTS)
    short = {"categorical_crossentropy": "cce", "dense_batch": "dense"}
    heads = [short.get(s, s) for s in STAGE_NAMES]
    width = max(map(len, names))
    out(f"{'variant':<{width}}  tier  " + "  ".join(f"{h:>8}" for h in heads))
    results = {}
    for name in names:
        if name == WRONG_VARIANTS[0]:
            out("")
        variant = VARIANTS[name]
        outcomes = results[name] = evaluate(name)
        cells = []
        for stage in STAGE_NAMES:
            if stage not in variant.stages:
                cells.append("-")
                continue
            failed = sum(not o.ok for o in outcomes if o.stage == stage)
            cells.append(f"FAIL {failed}" if failed else "pass")
        out(f"{name:<{width}}  {SHORT[variant.tier]}   " + "  ".join(f"{c:>8}" for c in cells))

    out("\nmargin: the largest err/tol of any legit variant, per stage and tier (pass <= 1)")
    for tier in ("float64", "float32"):
        cells = []
        for stage in STAGE_NAMES:
            ratios = [o.ratio for n in LEGIT if VARIANTS[n].tier == tier
                      for o in results[n] if o.stage == stage]
            cells.append(_ratio(max(ratios)))
        out(f"{'legit':<{width}}  {SHORT[tier]}   " + "  ".join(f"{c:>8}" for c in cells))
    if detail:
        for tier in ("float64", "float32"):
            for stage in STAGE_NAMES:
                n, o = max(((n, o) for n in LEGIT if VARIANTS[n].tier == tier
                            for o in results[n] if o.stage == stage), key=lambda t: t[1].ratio)
                out(f"  {SHORT[tier]} {stage}: {n} {o.case}: {o.detail}")

    out("\nsharpness: each wrong variant's failing cases, by worst err/tol "
        "(narrowest and widest miss)")
    for name in WRONG_VARIANTS:
        failing = sorted((o for o in results[name] if not o.ok), key=lambda o: o.ratio)
        if failing:
            lo, hi = failing[0], failing[-1]
            out(f"  {name:<{width}}  {len(failing):3d} failing; narrowest {lo.case} "
                f"({_ratio(lo.ratio)}), widest {hi.case} ({_ratio(hi.ratio)})")
        else:
            out(f"  {name:<{width}}  passes every case it runs")

    unsound = [n for n in LEGIT if not all(o.ok for o in results[n])]
    blunt = [n for n in WRONG_VARIANTS if all(o.ok for o in results[n])]
    for n in unsound:
        for o in results[n]:
            if not o.ok:
                out(f"UNSOUND {n}: {o.case}: {o.detail}")
    out("")
    out(f"sound: {len(LEGIT) - len(unsound)}/{len(LEGIT)} legit variants pass every case")
    out(f"sharp: {len(WRONG_VARIANTS) - len(blunt)}/{len(WRONG_VARIANTS)} wrong variants fail "
        "at least one case" + (f" (not: {', '.join(blunt)})" if blunt else ""))
    return not unsound and not blunt


def legend(out=print) -> None:
    for v in VARIANTS.values():
        out(f"  {v.name}: {v.doc}")


if __name__ == "__main__":
    ok = matrix(detail="--detail" in sys.argv[1:])
    if "--legend" in sys.argv[1:]:
        print("\nvariants:")
        legend()
    sys.exit(0 if ok else 1)

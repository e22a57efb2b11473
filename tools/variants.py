"""Legitimate and deliberately wrong implementations of the core stages, to prove the vectors.

Sound: every legitimate implementation passes every case at its tier. Sharp: every wrong one
fails at least one case of a stage it mutates. `python -m tools.variants` prints the matrix
(variant x stage: "pass", "FAIL n" or "-" for a stage the variant does not touch) in blocks of
eight stages, each listing the legit variants and the wrong ones that touch the block, then the
margins and a verdict per property; it exits 0 only if both hold. `--detail` names the legit
variant and element behind each margin, `--legend` says what every variant emulates.

The plain-Python `Engine` (nnfs_conform.diagnosis.emulator) computes every stage on nested lists
with an `Arith`: the port's rounding (float64 identity, or float32 after EVERY operation), a
summation order, FMA or not, float64 accumulation, and its exp and log. The legit variants are
defined here; the wrong ones are the mistakes catalogue (nnfs_conform.diagnosis.mistakes), each
mistake at every tier a port can make it in: one source of truth for the runner's diagnoses and
this proof. Every variant refuses invalid inputs with the reference's own checks: the point is
numerics.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np

from nnfs_conform.diagnosis.emulator import (
    ARITH,
    Engine,
    f64,
    flush_to_zero,
    forward_sum,
    fsum,
    kahan_sum,
    pairwise_sum,
    reversed_sum,
)
from nnfs_conform.diagnosis.mistakes import MISTAKES, STAGES
from nnfs_conform.grading.compare import compare_outputs
from nnfs_conform.suite.numbers import decode, encode
from nnfs_conform.suite.vectors import load_suite
from reference import StageError, run_stage

STAGE_NAMES = STAGES  # the 8 forward stages, then the 16 of training (backward ... training)

# ----------------------------------------------------------------------------------------------
# NumPy implementations: the reference itself, and the reference fed one row at a time

BATCHED = {  # stage -> (batch inputs split by row, per-sample outputs)
    "dense_batch": (("inputs",), ("output",)),
    "softmax": (("inputs",), ("output",)),
    "categorical_crossentropy": (("y_pred", "y_true"), ("sample_losses",)),
    "accuracy": (("y_pred", "y_true"), ("predictions",)),
    "forward": (
        ("inputs", "y_true"),
        ("dense1", "relu1", "dense2", "softmax", "sample_losses", "predictions"),
    ),
    "relu_backward": (("inputs", "dvalues"), ("dinputs",)),
    "softmax_backward": (("output", "dvalues"), ("dinputs",)),
    "dropout": (("inputs", "mask", "dvalues"), ("output", "dinputs")),
    "sigmoid": (("inputs", "dvalues"), ("output", "dinputs")),
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
        rows = [
            run_stage(stage, {**inputs, **{k: [inputs[k][b]] for k in split}}, params, tier)
            for b in range(len(inputs[split[0]]))
        ]
        out = {name: [r[name][0] for r in rows] for name in per_sample}
        if "sample_losses" in out:
            out["loss"] = float(np.mean(np.array(out["sample_losses"], dtype=dtype)))
        if "predictions" in out:
            out["accuracy"] = float(np.mean([r["accuracy"] for r in rows]))
        return encode(out)

    return run


def flush_to_zero_run(tier):
    """A flush-to-zero port: arithmetic flushes subnormals (results, and inputs it reads: DAZ).
    ReLU and its mask do no arithmetic: there the numbers are as parsed, so their subnormal
    cases stay parsing checks (docs/TOLERANCES.md, "Subnormals")."""
    flushed, parsed = Engine(flush_to_zero(tier)).run, Engine(ARITH[tier]).run

    def run(stage, inputs, params):
        return (parsed if stage in NO_ARITHMETIC else flushed)(stage, inputs, params)

    return run


# a comparison and a copy per element
NO_ARITHMETIC = ("relu", "relu_backward", "linear", "batches", "predictions")


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


ORDERS = {
    "forward": forward_sum,
    "reversed": reversed_sum,
    "pairwise": pairwise_sum,
    "kahan": kahan_sum,
    "fsum": fsum,
}
SHORT = {"float64": "f64", "float32": "f32"}


def _legit() -> list[Variant]:
    out = [
        Variant(
            "numpy-float64",
            "float64",
            "legit",
            STAGE_NAMES,
            "the NumPy reference itself (BLAS dot, pairwise np.sum, SIMD exp)",
            numpy_run("float64"),
        ),
        Variant(
            "numpy-float32",
            "float32",
            "legit",
            STAGE_NAMES,
            "the NumPy reference on float32 arrays (float32 BLAS, float32 SIMD exp/log)",
            numpy_run("float32"),
        ),
    ]
    for tier in ("float64", "float32"):
        for order, summation in ORDERS.items():
            out.append(
                Variant(
                    f"python-{order}-{SHORT[tier]}",
                    tier,
                    "legit",
                    STAGE_NAMES,
                    f"plain-Python loops, {order} summation, every operation rounded to {tier}",
                    Engine(replace(ARITH[tier], summation=summation)).run,
                )
            )
        out.append(
            Variant(
                f"python-fma-{SHORT[tier]}",
                tier,
                "legit",
                STAGE_NAMES,
                f"plain-Python loops, dot products by fused multiply-add (one rounding) in {tier}",
                Engine(replace(ARITH[tier], fused=True)).run,
            )
        )
    out += [
        Variant(
            "python-f64-accumulate-f32",
            "float32",
            "legit",
            STAGE_NAMES,
            "a float32 port accumulating every dot product and sum in a double, "
            "rounding once at the end",
            Engine(replace(ARITH["float32"], acc=f64)).run,
        ),
        Variant(
            "numpy-row-at-a-time-f64",
            "float64",
            "legit",
            STAGE_NAMES,
            "the NumPy reference called once per sample (gemv, not gemm), means recomputed",
            numpy_rows_run("float64"),
        ),
        Variant(
            "numpy-row-at-a-time-f32",
            "float32",
            "legit",
            STAGE_NAMES,
            "as numpy-row-at-a-time-f64, on float32 arrays",
            numpy_rows_run("float32"),
        ),
    ]
    for tier in ("float64", "float32"):
        out.append(
            Variant(
                f"softmax-logsumexp-{SHORT[tier]}",
                tier,
                "legit",
                STAGE_NAMES,
                f"division-free softmax exp(x - logsumexp(x)) in plain-Python {tier}",
                Engine(ARITH[tier], softmax_algorithm="logsumexp").run,
            )
        )
    for tier in ("float64", "float32"):
        out.append(
            Variant(
                f"python-rewritten-{SHORT[tier]}",
                tier,
                "legit",
                STAGE_NAMES,
                f"the training formulas in equivalent forms, plain-Python {tier}: softmax backward "
                "p·(dv - p·dv), -y/(p·B), lr0/(1+decay·t), (x·mask)/(1-rate), dv·s·(1-s), "
                "single divisions by O·B, -lr·(g/den), "
                "PyTorch's Adam (lerp, lr/c1, sqrt(v)/sqrt(c2))",
                Engine(ARITH[tier], rewritten=True).run,
            )
        )
    for tier in ("float64", "float32"):
        out.append(
            Variant(
                f"python-reciprocal-{SHORT[tier]}",
                tier,
                "legit",
                STAGE_NAMES,
                f"plain-Python {tier} dividing by a count (samples B, outputs O) as x·(1/n): "
                "the means, the accuracy and the gradients' /O and /B",
                Engine(ARITH[tier], reciprocal=True).run,
            )
        )
    for tier in ("float64", "float32"):
        out.append(
            Variant(
                f"python-reciprocal-product-{SHORT[tier]}",
                tier,
                "legit",
                STAGE_NAMES,
                f"plain-Python {tier} scaling by rounded reciprocals, as JAX: x/O/B as "
                "x·fl(fl(1/O)·fl(1/B)), the means and /B as x·fl(1/n)",
                Engine(ARITH[tier], reciprocal_product=True).run,
            )
        )
        out.append(
            Variant(
                f"python-accuracy-additions-{SHORT[tier]}",
                tier,
                "legit",
                STAGE_NAMES,
                f"plain-Python {tier} computing every accuracy (the stage, forward, training) as "
                "hits additions of fl(1/B), as PyTorch's (pred == y).float().mean() may",
                Engine(ARITH[tier], accuracy_additions=True).run,
            )
        )
        out.append(
            Variant(
                f"python-flush-to-zero-{SHORT[tier]}",
                tier,
                "legit",
                STAGE_NAMES,
                f"plain-Python {tier} built with FTZ/DAZ (XLA on CPU, -ffast-math): subnormal "
                "results and operands of arithmetic flushed to 0; "
                "numbers parsed exactly and passed "
                "through where a stage does no arithmetic (relu, relu_backward)",
                flush_to_zero_run(tier),
            )
        )
    out.append(
        Variant(
            "python-f64-hyperparameters-f32",
            "float32",
            "legit",
            STAGE_NAMES,
            "a float32 port holding its hyperparameters (rate, learning_rate, decay, momentum, "
            "epsilon, rho, betas, regularizer factors) in float64, as the book's Python floats",
            Engine(ARITH["float32"], scalar_arith=ARITH["float64"]).run,
        )
    )
    return out


# name -> (stages it mutates, what it emulates): the mistakes catalogue, each mistake at every
# tier a port can make it in.
WRONG = {m.id: (m.stages, m.explanation) for m in MISTAKES}


def wrong_name(mistake_id: str, tier: str, form: str = "") -> str:
    """`id@f64`, or `id/form@f64` for another form the mistake takes."""
    return f"{mistake_id}{'/' + form if form else ''}@{SHORT[tier]}"


def _wrong() -> list[Variant]:
    return [
        Variant(
            wrong_name(m.id, tier, form),
            tier,
            "wrong",
            m.stages,
            m.explanation,
            m.runner(tier, form),
        )
        for m in MISTAKES
        for form in m.all_forms
        for tier in m.tiers
    ]


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


_GRADED: dict[tuple[Variant, str, str], Outcome] = {}


def grade(variant: Variant, case) -> Outcome:
    """The variant's outcome on a case, graded once per process: a variant is a pure function
    of its inputs, and the soundness and sharpness proofs and the mistakes matrix grade the same
    (variant, case) pairs. A case is known by its id and fingerprint, as the diagnosis's replays
    are."""
    key = (variant, case.id, case.fingerprint)
    if key not in _GRADED:
        _GRADED[key] = _grade(variant, case)
    return _GRADED[key]


def _grade(variant: Variant, case) -> Outcome:
    inputs = decode(case.inputs)
    try:
        if case.error is not None:  # every variant refuses inputs with the reference's checks
            run_stage(case.stage, inputs, case.params)
        outputs = variant.run(case.stage, inputs, case.params)
    except StageError as exc:
        if case.error is not None:
            ok = exc.kind == case.error
            return Outcome(
                case.id,
                case.stage,
                ok,
                0.0 if ok else math.inf,
                f"raised {exc.kind}, want {case.error}",
            )
        return Outcome(case.id, case.stage, False, math.inf, f"raised {exc.kind}: {exc.message}")
    except Exception as exc:  # noqa: BLE001 - a crash is a failure, reported as such
        return Outcome(case.id, case.stage, False, math.inf, f"crashed: {exc!r}")
    if case.error is not None:
        return Outcome(case.id, case.stage, False, math.inf, f"no error, want {case.error}")
    result = compare_outputs(outputs, case.expected[variant.tier], variant.tier)
    if result.problems:
        return Outcome(case.id, case.stage, False, math.inf, "; ".join(result.problems[:2]))
    w = result.worst
    detail = (
        "no elements"
        if w is None
        else (
            f"worst {w.output}{list(w.index)}: got {w.got!r} want {w.want!r} "
            f"err {w.error:.3g} tol {w.tol:.3g} ratio {w.ratio:.3g}"
        )
    )
    return Outcome(case.id, case.stage, result.ok, w.ratio if w else 0.0, detail)


@cache
def evaluate(name: str) -> tuple[Outcome, ...]:
    """Every case of every stage the variant runs, graded at its tier."""
    variant = VARIANTS[name]
    return tuple(
        grade(variant, case) for stage in variant.stages for case in suite().stages.get(stage, ())
    )


# ----------------------------------------------------------------------------------------------
# The matrix


def _ratio(r: float) -> str:
    return "inf" if math.isinf(r) else f"{r:.3g}"


HEADS = {
    "dense_batch": "dense",
    "categorical_crossentropy": "cce",
    "dense_backward": "dense_bw",
    "relu_backward": "relu_bw",
    "softmax_backward": "smax_bw",
    "categorical_crossentropy_backward": "cce_bw",
    "softmax_crossentropy_backward": "smce_bw",
    "regularization": "reg",
    "binary_crossentropy": "bce",
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    "sgd_step": "sgd",
    "adagrad_step": "adagrad",
    "rmsprop_step": "rmsprop",
    "adam_step": "adam",
}
BLOCK = 8  # stages per block of the matrix


def _blocks() -> list[tuple[str, ...]]:
    return [STAGE_NAMES[i : i + BLOCK] for i in range(0, len(STAGE_NAMES), BLOCK)]


def matrix(out=print, detail=False) -> bool:
    names = list(VARIANTS)
    width = max(map(len, names))
    results = {name: evaluate(name) for name in names}
    missing = [stage for stage in STAGE_NAMES if stage not in suite().stages]

    def cell(variant, outcomes, stage):
        if stage not in variant.stages:
            return "-"
        if stage in missing:
            return "no cases"
        failed = sum(not o.ok for o in outcomes if o.stage == stage)
        return f"FAIL {failed}" if failed else "pass"

    for number, block in enumerate(_blocks()):
        out(
            ("" if number == 0 else "\n")
            + f"{'variant':<{width}}  tier  "
            + "  ".join(f"{HEADS.get(s, s):>8}" for s in block)
        )
        for name in names:
            variant = VARIANTS[name]
            if variant.kind == "wrong" and not set(block) & set(variant.stages):
                continue  # a wrong variant appears in the blocks of the stages it mutates
            if name == _first_wrong(block):
                out("")  # the wrong variants, below the legit ones
            cells = [cell(variant, results[name], stage) for stage in block]
            out(f"{name:<{width}}  {SHORT[variant.tier]}   " + "  ".join(f"{c:>8}" for c in cells))

    out("\nmargin: the largest err/tol of any legit variant, per stage and tier (pass <= 1)")
    for block in _blocks():
        out(f"{'':<{width}}        " + "  ".join(f"{HEADS.get(s, s):>8}" for s in block))
        for tier in ("float64", "float32"):
            cells = []
            for stage in block:
                ratios = [
                    o.ratio
                    for n in LEGIT
                    if VARIANTS[n].tier == tier
                    for o in results[n]
                    if o.stage == stage
                ]
                cells.append(_ratio(max(ratios)) if ratios else "-")
            out(f"{'legit':<{width}}  {SHORT[tier]}   " + "  ".join(f"{c:>8}" for c in cells))
    if detail:
        for tier in ("float64", "float32"):
            for stage in STAGE_NAMES:
                worst = [
                    (n, o)
                    for n in LEGIT
                    if VARIANTS[n].tier == tier
                    for o in results[n]
                    if o.stage == stage
                ]
                if worst:
                    n, o = max(worst, key=lambda t: t[1].ratio)
                    out(f"  {SHORT[tier]} {stage}: {n} {o.case}: {o.detail}")
    if missing:
        out(f"\nno vectors (no cases to run) for: {', '.join(missing)}")

    out(
        "\nsharpness: each wrong variant's failing cases, by worst err/tol "
        "(narrowest and widest miss)"
    )
    for name in WRONG_VARIANTS:
        failing = sorted((o for o in results[name] if not o.ok), key=lambda o: o.ratio)
        if failing:
            lo, hi = failing[0], failing[-1]
            out(
                f"  {name:<{width}}  {len(failing):3d} failing; narrowest {lo.case} "
                f"({_ratio(lo.ratio)}), widest {hi.case} ({_ratio(hi.ratio)})"
            )
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
    out(
        f"sharp: {len(WRONG_VARIANTS) - len(blunt)}/{len(WRONG_VARIANTS)} wrong variants fail "
        "at least one case" + (f" (not: {', '.join(blunt)})" if blunt else "")
    )
    return not unsound and not blunt


def _first_wrong(block) -> str | None:
    """The first wrong variant shown in a block (a blank line separates it from the legit)."""
    return next((n for n in WRONG_VARIANTS if set(block) & set(VARIANTS[n].stages)), None)


def legend(out=print) -> None:
    for v in VARIANTS.values():
        out(f"  {v.name}: {v.doc}")


if __name__ == "__main__":
    ok = matrix(detail="--detail" in sys.argv[1:])
    if "--legend" in sys.argv[1:]:
        print("\nvariants:")
        legend()
    sys.exit(0 if ok else 1)

"""Legitimate and deliberately wrong implementations of the eight stages, to prove the vectors.

Sound: every legitimate implementation passes every case at its tier. Sharp: every wrong one
fails at least one case of a stage it mutates. `python tests/variants.py` prints the matrix
(variant x stage: "pass", "FAIL n" or "-" for a stage the variant does not touch), the margins
and a verdict per property; it exits 0 only if both hold. `--detail` names the legit variant and
element behind each margin, `--legend` says what every variant emulates.

The plain-Python `Engine` computes every stage on nested lists with an `Arith`: the port's
rounding (float64 identity, or float32 after EVERY operation), a summation order, FMA or not,
float64 accumulation, and its exp and log. Wrong variants are the same engine with one bug
flag. Every variant checks its inputs with the reference's own checks: the point is numerics.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import cache

import numpy as np

from nnfs_conform.compare import compare_outputs
from nnfs_conform.numbers import decode, encode
from nnfs_conform.reference import StageError, run_stage
from nnfs_conform.vectors import load_suite

STAGE_NAMES = ("neuron", "layer", "dense_batch", "relu", "softmax", "categorical_crossentropy",
               "accuracy", "forward")
DOTS = ("neuron", "layer", "dense_batch", "forward")

# ----------------------------------------------------------------------------------------------
# Arithmetic: roundings, summation orders, exact FMA, exp and log of each dtype


def f64(x: float) -> float:
    return x


def f32(x: float) -> float:
    return float(np.float32(x))  # float64 op then float32 rounding == the float32 op (53 >= 2*24+2)


def f16(x: float) -> float:
    return float(np.float16(x))


def round_fraction(q: Fraction, precision: int, emin: int) -> float:
    """Round an exact rational to the nearest float of `precision` bits (ties to even)."""
    if q == 0:
        return 0.0
    sign, q = (-1.0 if q < 0 else 1.0), abs(q)
    e = q.numerator.bit_length() - q.denominator.bit_length()
    if Fraction(2) ** e > q:
        e -= 1
    quantum = Fraction(2) ** (max(e, emin) - precision + 1)  # subnormals keep emin's quantum
    value = round(q / quantum) * quantum
    return sign * (float(value) if value < _MAX[precision] else math.inf)


_MAX = {53: Fraction(2) ** 1024, 24: Fraction(2) ** 128, 11: Fraction(2) ** 16}
_FORMAT = {f64: (53, -1022), f32: (24, -126), f16: (11, -14)}


def fma_with(rnd: Callable[[float], float]) -> Callable[[float, float, float], float]:
    """a*b + c with ONE rounding to rnd's dtype (math.fma is Python 3.13+: emulate it exactly)."""
    precision, emin = _FORMAT[rnd]

    def fma(a: float, b: float, c: float) -> float:
        if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
            return rnd(a * b + c)
        return round_fraction(Fraction(a) * Fraction(b) + Fraction(c), precision, emin)
    return fma


def forward_sum(terms, rnd):
    total = terms[0]
    for t in terms[1:]:
        total = rnd(total + t)
    return total


def reversed_sum(terms, rnd):
    return forward_sum(terms[::-1], rnd)


def pairwise_sum(terms, rnd):
    if len(terms) <= 2:
        return forward_sum(terms, rnd)
    half = len(terms) // 2
    return rnd(pairwise_sum(terms[:half], rnd) + pairwise_sum(terms[half:], rnd))


def kahan_sum(terms, rnd):
    total = compensation = 0.0
    for t in terms:
        y = rnd(t - compensation)
        s = rnd(total + y)
        compensation = rnd(rnd(s - total) - y)
        total = s
    return total


def fsum(terms, rnd):
    """Correctly rounded float64 sum of the terms (math.fsum), then the port's rounding."""
    return rnd(math.fsum(terms))


def exp64(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def log64(x: float) -> float:
    return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)


def log10_64(x: float) -> float:
    return math.log10(x) if x > 0 else (-math.inf if x == 0 else math.nan)


def exp32(x: float) -> float:
    return float(np.exp(np.float32(x)))


def log32(x: float) -> float:
    return float(np.log(np.float32(x)))


def log10_32(x: float) -> float:
    return float(np.log10(np.float32(x)))


def div(a: float, b: float) -> float:
    """IEEE division (Python raises on b == 0; a port's float division does not)."""
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


@dataclass(frozen=True)
class Arith:
    """How one port computes: its dtype rounding, summation, dot products, exp and log."""

    rnd: Callable[[float], float]  # rounding to the port's dtype, after every operation
    summation: Callable = forward_sum  # order of every sum: dots, softmax denominators, means
    acc: Callable[[float], float] | None = None  # accumulator rounding (default: rnd)
    fused: bool = False  # dot products by fused multiply-add
    exp: Callable[[float], float] = exp64
    log: Callable[[float], float] = log64
    log10: Callable[[float], float] = log10_64

    def total(self, terms):
        acc = self.acc or self.rnd
        return self.rnd(self.summation(list(terms), acc))

    def dot(self, xs, ws, extra):
        """Σ xs[k]·ws[k] + Σ extra (the biases), in this port's way."""
        acc = self.acc or self.rnd
        if self.fused and xs:
            fma = fma_with(acc)
            total = acc(xs[0] * ws[0])
            for x, w in zip(xs[1:], ws[1:]):
                total = fma(x, w, total)
            return self.rnd(self.summation([total, *extra], acc))
        return self.total([acc(x * w) for x, w in zip(xs, ws)] + list(extra))


# ----------------------------------------------------------------------------------------------
# The plain-Python engine, with optional bugs


def _shape_error(message):
    return StageError("shape_mismatch", message)


def transpose(matrix):
    return [list(col) for col in zip(*matrix)]


@dataclass(frozen=True)
class Engine:
    """Every stage on nested lists of Python floats; `bugs` switches on wrong behaviour."""

    arith: Arith
    bugs: frozenset[str] = frozenset()
    dot_arith: Arith | None = None  # a different arithmetic for dot products only
    softmax_algorithm: str = "shift-divide"  # or "logsumexp": exp(x - lse(x)), division-free

    def run(self, stage, inputs, params):
        run_stage(stage, inputs, params, "float64")  # the reference's input checks (raises)
        read = self._read
        x = {k: (v if k == "y_true" else read(v)) for k, v in inputs.items()}
        with np.errstate(all="ignore"):
            outputs = getattr(self, stage)(x, params)
        return encode(outputs)

    def _read(self, value):
        """A float32 port reads every input rounded to float32."""
        if isinstance(value, list):
            return [self._read(v) for v in value]
        return self.arith.rnd(float(value))

    # -- dense -------------------------------------------------------------------------------
    def affine(self, xs, ws, bias):
        arith = self.dot_arith or self.arith
        if "skip-last-input" in self.bugs:
            xs, ws = xs[:-1], ws[:-1]
        extra = [] if "bias-dropped" in self.bugs else [bias] * (2 if "bias-twice" in self.bugs
                                                                 else 1)
        return arith.dot(xs, ws, extra)

    def dense(self, inputs, weights_kn, biases):
        if len(weights_kn) != len(inputs[0]):  # only reachable through a bug: np.dot raises
            raise _shape_error("shapes do not align for the matrix product")
        columns = transpose(weights_kn)
        wrong_axis = "bias-wrong-axis" in self.bugs
        return [[self.affine(row, col, biases[i % len(biases)] if wrong_axis else biases[j])
                 for j, col in enumerate(columns)] for i, row in enumerate(inputs)]

    def neuron(self, x, p):
        return {"output": self.affine(x["inputs"], x["weights"], x["bias"])}

    def layer(self, x, p):
        if "weights-not-transposed" in self.bugs:  # inputs @ weights, as if (K, N)
            return {"output": self.dense([x["inputs"]], x["weights"], x["biases"])[0]}
        return {"output": [self.affine(x["inputs"], row, b)
                           for row, b in zip(x["weights"], x["biases"])]}

    def dense_batch(self, x, p):
        weights = x["weights"]
        if p["weights_layout"] == "neurons_inputs" and "weights-not-transposed" not in self.bugs:
            weights = transpose(weights)
        return {"output": self.dense(x["inputs"], weights, x["biases"])}

    # -- activations -------------------------------------------------------------------------
    def relu_value(self, v):
        if "relu-as-boolean" in self.bugs:
            return 1.0 if v > 0 else 0.0
        return 0.0 if v < 0 else v

    def relu(self, x, p):
        def apply(value):
            return [apply(v) for v in value] if isinstance(value, list) else self.relu_value(value)
        return {"output": apply(x["inputs"])}

    def softmax_rows(self, rows):
        if "softmax-batch-axis" in self.bugs:
            return transpose(self._softmax_rows(transpose(rows)))
        return self._softmax_rows(rows)

    def _softmax_rows(self, rows):
        a, out = self.arith, []
        for row in rows:
            m = 0.0 if "softmax-no-max-shift" in self.bugs else max(row)
            exps = [a.exp(a.rnd(v - m)) for v in row]
            summed = exps[:-1] if "softmax-drops-last-class" in self.bugs else exps
            s = a.total(summed) if summed else 0.0
            if self.softmax_algorithm == "logsumexp":
                lse = a.rnd(m + a.log(s))
                out.append([a.exp(a.rnd(v - lse)) for v in row])
            else:
                out.append([a.rnd(div(e, s)) for e in exps])
        return out

    def softmax(self, x, p):
        return {"output": self.softmax_rows(x["inputs"])}

    # -- loss and accuracy -------------------------------------------------------------------
    def losses(self, y_pred, y_true, label_format):
        a = self.arith
        lo, hi = a.rnd(1e-7), a.rnd(1 - 1e-7)
        log = a.log10 if "cce-log10" in self.bugs else a.log

        def clip(v):
            if "cce-no-clip" in self.bugs:
                return v
            if "cce-lower-clip-only" in self.bugs:
                return max(v, lo)
            return min(max(v, lo), hi)
        sample_losses = []
        for row, truth in zip(y_pred, y_true):
            if label_format == "sparse":
                confidence = clip(row[int(truth)])
            else:
                confidence = a.total([a.rnd(clip(v) * t) for v, t in zip(row, truth)])
            sample_losses.append(-log(confidence))
        total = a.total(sample_losses)
        loss = total if "cce-sum-not-mean" in self.bugs else a.rnd(total / len(sample_losses))
        return sample_losses, loss

    def categorical_crossentropy(self, x, p):
        sample_losses, loss = self.losses(x["y_pred"], x["y_true"], p["label_format"])
        return {"sample_losses": sample_losses, "loss": loss}

    def argmax(self, row):
        best = 0
        for i, v in enumerate(row):
            if v > row[best] or ("accuracy-last-max" in self.bugs and v == row[best]):
                best = i
        return best

    def accuracy_of(self, y_pred, y_true, label_format):
        predictions = [self.argmax(row) for row in y_pred]
        labels = [int(t) for t in y_true] if label_format == "sparse" else \
            [row.index(1) for row in y_true]
        matches = sum(pr == la for pr, la in zip(predictions, labels))
        if "accuracy-integer-division" in self.bugs:
            return predictions, matches // len(labels)
        return predictions, self.arith.rnd(matches / len(labels))

    def accuracy(self, x, p):
        predictions, accuracy = self.accuracy_of(x["y_pred"], x["y_true"], p["label_format"])
        return {"predictions": predictions, "accuracy": accuracy}

    # -- the whole network -------------------------------------------------------------------
    def forward(self, x, p):
        if "relu-before-bias" in self.bugs:  # relu(x·W1) + b1 instead of relu(x·W1 + b1)
            bare = replace(self, bugs=self.bugs | {"bias-dropped"}).dense(
                x["inputs"], x["weights1"], x["biases1"])
            rnd = self.arith.rnd
            dense1 = [[rnd(v + b) for v, b in zip(row, x["biases1"])] for row in bare]
            relu1 = [[rnd(self.relu_value(v) + b) for v, b in zip(row, x["biases1"])]
                     for row in bare]
        else:
            dense1 = self.dense(x["inputs"], x["weights1"], x["biases1"])
            relu1 = [[self.relu_value(v) for v in row] for row in dense1]
        dense2 = self.dense(relu1, x["weights2"], x["biases2"])
        probabilities = self.softmax_rows(dense2)
        sample_losses, loss = self.losses(probabilities, x["y_true"], p["label_format"])
        predictions, accuracy = self.accuracy_of(probabilities, x["y_true"], p["label_format"])
        return {"dense1": dense1, "relu1": relu1, "dense2": dense2, "softmax": probabilities,
                "sample_losses": sample_losses, "loss": loss, "predictions": predictions,
                "accuracy": accuracy}


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


ARITH = {
    "float64": Arith(f64),
    "float32": Arith(f32, exp=exp32, log=log32, log10=log10_32),
}
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


# name -> (stages it mutates, what it emulates); the engine's bug flag is the name. Each runs at
# both tiers unless ONLY_TIER pins one.
WRONG = {
    "bias-dropped": (DOTS, "forgets to add the bias"),
    "bias-twice": (DOTS, "adds the bias twice (once in the sum, once after)"),
    "weights-not-transposed": (
        ("layer", "dense_batch"),
        "uses per-neuron weight rows as given, without the transpose (inputs @ weights); "
        "raises where the shapes do not align"),
    "bias-wrong-axis": (
        ("dense_batch", "forward"),
        "indexes the bias by sample instead of neuron (biases[row % N], a (N, 1) column)"),
    "softmax-batch-axis": (("softmax", "forward"), "normalises over the batch axis (columns)"),
    "softmax-no-max-shift": (("softmax", "forward"),
                             "exp(x) without subtracting the row max: overflow gives inf/NaN"),
    "softmax-drops-last-class": (("softmax", "forward"),
                                 "leaves the last class out of the denominator"),
    "cce-no-clip": (("categorical_crossentropy", "forward"), "-ln(p) without clipping"),
    "cce-lower-clip-only": (("categorical_crossentropy", "forward"),
                            "clips at 1e-7 only, not at 1 - 1e-7"),
    "cce-log10": (("categorical_crossentropy", "forward"), "log10 instead of the natural log"),
    "cce-sum-not-mean": (("categorical_crossentropy", "forward"),
                         "the batch loss is the sum of the sample losses, not the mean"),
    "accuracy-last-max": (("accuracy", "forward"), "argmax lets the LAST maximum win a tie"),
    "relu-as-boolean": (("relu", "forward"), "ReLU returns x > 0 (1.0 or 0.0), not max(0, x)"),
    "float16-accumulation": (DOTS, "a float32 port accumulating dot products in float16"),
    # extras
    "relu-before-bias": (("forward",), "relu(x·W1) + b1 instead of relu(x·W1 + b1)"),
    "accuracy-integer-division": (("accuracy", "forward"),
                                  "accuracy = matches / samples in integer division"),
    "skip-last-input": (DOTS, "an off-by-one loop: the last input is left out of every dot"),
    "float32-claiming-float64": (STAGE_NAMES,
                                 "a float32 port that declares float64 (reads floats as float)"),
}
ONLY_TIER = {"float16-accumulation": "float32", "float32-claiming-float64": "float64"}


def _wrong() -> list[Variant]:
    out = []
    for name, (stages, doc) in WRONG.items():
        for tier in ("float64", "float32"):
            if ONLY_TIER.get(name, tier) != tier:
                continue
            if name == "float16-accumulation":
                engine = Engine(ARITH[tier], dot_arith=replace(ARITH[tier], acc=f16))
            elif name == "float32-claiming-float64":
                engine = Engine(ARITH["float32"])
            else:
                engine = Engine(ARITH[tier], bugs=frozenset({name}))
            out.append(Variant(f"{name}@{SHORT[tier]}", tier, "wrong", stages, doc, engine.run))
    return out


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

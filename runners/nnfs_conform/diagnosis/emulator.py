"""A plain-Python emulator of the core stages, with switchable bugs.

The `Engine` computes every stage on nested lists of Python floats with an `Arith`: the port's
rounding (float64 identity, or float32 after EVERY operation), a summation order, FMA or not,
float64 accumulation, and its exp and log. Every sum (dot products, gradients summed over the
batch, the softmax-backward row dot, regularization sums, loss means) goes through the Arith, so
every legit arithmetic variant applies to every stage; `training` composes the Engine's own
forward, backward and optimizer-step methods. `bugs` switches on one wrong behaviour each: the
mistakes catalogue (`mistakes.py`) names them, the runner replays them to diagnose a failure,
and tools/variants.py proves the vectors sound and sharp with the same engine. It runs valid
inputs only (the runner diagnoses valid cases; tools/variants.py answers invalid ones with the
reference's own checks): the point is numerics.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np

from ..suite.errors import StageError
from ..suite.numbers import encode
from ..suite.stages import HYPERPARAMETERS as OPTIMIZER_HYPERPARAMETERS
from ..suite.stages import REGULARIZERS, STATE

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


def log2_64(x: float) -> float:
    return math.log2(x) if x > 0 else (-math.inf if x == 0 else math.nan)


def exp32(x: float) -> float:
    return float(np.exp(np.float32(x)))


def log32(x: float) -> float:
    return float(np.log(np.float32(x)))


def log10_32(x: float) -> float:
    return float(np.log10(np.float32(x)))


def log2_32(x: float) -> float:
    return float(np.log2(np.float32(x)))


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
    log2: Callable[[float], float] = log2_64

    def total(self, terms):
        terms = list(terms)
        if not terms:  # an empty sum (a zero-width matrix product) is 0
            return 0.0
        acc = self.acc or self.rnd
        return self.rnd(self.summation(terms, acc))

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

    def sqrt(self, x: float) -> float:
        """The dtype's correctly rounded square root (float64 sqrt then float32 rounding is)."""
        if math.isnan(x) or x < 0:
            return math.nan
        return self.rnd(math.sqrt(x))


@dataclass(frozen=True)
class BookDotArith(Arith):
    """`np.dot` after `nnfs.init()`: the arguments cast to float64, the products summed there,
    the result rounded once to float32; the biases are added afterwards, in float32."""

    def dot(self, xs, ws, extra):
        total = self.rnd(forward_sum([f64(x * w) for x, w in zip(xs, ws)], f64))
        for bias in extra:
            total = self.rnd(total + bias)
        return total


ARITH = {
    "float64": Arith(f64),
    "float32": Arith(f32, exp=exp32, log=log32, log10=log10_32, log2=log2_32),
}
SMALLEST_NORMAL = {"float64": 2.0**-1022, "float32": 2.0**-126}


def flushing(fn: Callable[[float], float], tier: str) -> Callable[[float], float]:
    """fn, then a subnormal result flushed to zero (keeping its sign): FTZ."""
    tiny = SMALLEST_NORMAL[tier]

    def flushed(x: float) -> float:
        y = fn(x)
        return math.copysign(0.0, y) if y != 0 and abs(y) < tiny else y

    return flushed


def flush_to_zero(tier: str) -> Arith:
    """A port built with flush-to-zero and denormals-are-zero (FTZ/DAZ: -ffast-math, XLA on
    CPU): every rounded result, exp and log included, is flushed to 0 when it is subnormal, and
    so is every input it reads (an Engine rounds its inputs with `rnd`), so no arithmetic ever
    sees a subnormal operand."""
    base = ARITH[tier]
    return replace(
        base,
        rnd=flushing(base.rnd, tier),
        exp=flushing(base.exp, tier),
        log=flushing(base.log, tier),
        log10=flushing(base.log10, tier),
        log2=flushing(base.log2, tier),
    )


APPROXIMATE_E = 2.71828  # the book's readers sometimes type e by hand


def approximate_exp(
    rnd: Callable[[float], float], e: float = APPROXIMATE_E
) -> Callable[[float], float]:
    """e ** x rounded to the port's dtype, for a hand-typed, truncated e (2.71828 by default)."""

    def exp(x: float) -> float:
        try:
            return rnd(e**x)
        except OverflowError:
            return math.inf

    return exp


# ----------------------------------------------------------------------------------------------
# The plain-Python engine, with optional bugs (each flag is a mistake id of mistakes.py)


def _shape_error(message):
    return StageError("shape_mismatch", message)


def transpose(matrix):
    return [list(col) for col in zip(*matrix)]


def _numpy_broadcast(*arrays):
    """NumPy's broadcasting of index or label arrays; ValueError where NumPy would raise."""
    return np.broadcast_arrays(*(np.asarray(a) for a in arrays))


def _mean_of(values, a: Arith):
    flat = [v for row in values for v in (row if isinstance(row, list) else [row])]
    return a.rnd(a.total(flat) / len(flat))


# Inputs a port reads as they are: labels, counts and the dropout mask are integers (the
# regression losses' y_true are measurements, read like any other number).
RAW = ("y_true", "iterations", "steps", "mask")
MEASURED_Y_TRUE = ("mean_squared_error", "mean_absolute_error")
# Scalars a port may hold in another dtype than its arrays (the book's are Python floats).
HYPERPARAMETERS = (
    "rate",
    "learning_rate",
    "decay",
    "momentum",
    "epsilon",
    "rho",
    "beta_1",
    "beta_2",
    *REGULARIZERS,
)


def ew(fn, *arrays):
    """fn applied element by element to same-shaped nested lists: one NumPy elementwise line."""
    if isinstance(arrays[0], list):
        return [ew(fn, *items) for items in zip(*arrays)]
    return fn(*arrays)


def _flat(values):
    return [v for row in values for v in (row if isinstance(row, list) else [row])]


def _sign(v: float) -> float:
    """np.sign: -1, 0 or +1."""
    return -1.0 if v < 0 else (1.0 if v > 0 else 0.0)


@dataclass(frozen=True)
class Engine:
    """Every stage on nested lists of Python floats; `bugs` switches on wrong behaviour."""

    arith: Arith
    bugs: frozenset[str] = frozenset()
    dot_arith: Arith | None = None  # a different arithmetic for dot products only
    softmax_algorithm: str = "shift-divide"  # or "logsumexp": exp(x - lse(x)), division-free
    scalar_arith: Arith | None = None  # hyperparameters held (and combined) in another dtype
    rewritten: bool = False  # the training formulas in other, equivalent forms
    reciprocal: bool = False  # x / n by a count n (batch, outputs) computed as x · (1/n)
    # x / O / B computed as x · fl(fl(1/O)·fl(1/B)) (JAX scales MSE's gradient so), and the
    # means as x · fl(1/n)
    reciprocal_product: bool = False
    accuracy_additions: bool = False  # the accuracy as `hits` additions of fl(1/B) (PyTorch's sum)

    def run(self, stage, inputs, params):
        x = {}
        for name, value in inputs.items():
            if name in HYPERPARAMETERS:
                x[name] = self._scalar(float(value))
            elif name in RAW and not (name == "y_true" and stage in MEASURED_Y_TRUE):
                x[name] = value
            else:
                x[name] = self._read(value)
        with np.errstate(all="ignore"):
            outputs = getattr(self, stage)(x, params)
        return encode(outputs)

    def _form(self, mistake: str, parse: Callable, default: Any) -> Any:
        """The form a mistake takes (bug `MISTAKE/FORM`), parsed, or `default`."""
        prefix = mistake + "/"
        found = [b[len(prefix) :] for b in self.bugs if b.startswith(prefix)]
        return parse(found[0]) if found else default

    def _read(self, value):
        """A float32 port reads every input rounded to float32."""
        if isinstance(value, list):
            return [self._read(v) for v in value]
        return self.arith.rnd(float(value))

    def _per(self, value: float, count: float) -> float:
        """value / count for a count (samples, outputs): divided, or times the reciprocal."""
        r = self.arith.rnd
        if self.reciprocal or self.reciprocal_product:
            return r(value * r(1.0 / count))
        return r(div(value, count))

    def _per_both(self, value: float, outputs: float, samples: float) -> float:
        """value / outputs / samples: two divisions, or times a product of two reciprocals."""
        r = self.arith.rnd
        if self.reciprocal_product:
            return r(value * r(r(1.0 / outputs) * r(1.0 / samples)))
        return self._per(self._per(value, outputs), samples)

    def _scalar(self, value: float) -> float:
        """The rounding of a hyperparameter, and of arithmetic on hyperparameters alone."""
        return (self.scalar_arith or self.arith).rnd(value)

    # -- dense -------------------------------------------------------------------------------
    def affine(self, xs, ws, bias):
        arith = self.dot_arith or self.arith
        if "skip-last-input" in self.bugs:
            xs, ws = xs[:-1], ws[:-1]
        if "dot-keeps-last-product" in self.bugs:  # total = x * w, not total += x * w
            xs, ws = xs[-1:], ws[-1:]
        extra = (
            [] if "bias-dropped" in self.bugs else [bias] * (2 if "bias-twice" in self.bugs else 1)
        )
        return arith.dot(xs, ws, extra)

    def dense(self, inputs, weights_kn, biases):
        if len(weights_kn) != len(inputs[0]):  # only reachable through a bug: np.dot raises
            raise _shape_error("shapes do not align for the matrix product")
        columns = transpose(weights_kn)
        wrong_axis = "bias-wrong-axis" in self.bugs
        past_end = self._form("bias-wrong-axis", str, "wraps")  # biases[i]: the sample's
        return [
            [
                self.affine(
                    row,
                    col,
                    biases[j]
                    if not wrong_axis
                    else biases[i % len(biases)]
                    if past_end == "wraps"
                    else biases[i]
                    if i < len(biases)
                    else math.nan,
                )  # JS: undefined
                for j, col in enumerate(columns)
            ]
            for i, row in enumerate(inputs)
        ]

    def neuron(self, x, p):
        return {"output": self.affine(x["inputs"], x["weights"], x["bias"])}

    def layer(self, x, p):
        if "weights-not-transposed" in self.bugs:  # inputs @ weights, as if (K, N)
            return {"output": self.dense([x["inputs"]], x["weights"], x["biases"])[0]}
        return {
            "output": [
                self.affine(x["inputs"], row, b) for row, b in zip(x["weights"], x["biases"])
            ]
        }

    def dense_batch(self, x, p):
        weights = x["weights"]
        if p["weights_layout"] == "neurons_inputs" and "weights-not-transposed" not in self.bugs:
            weights = transpose(weights)
        return {"output": self.dense(x["inputs"], weights, x["biases"])}

    # -- activations -------------------------------------------------------------------------
    def relu_value(self, v):
        if "relu-as-boolean" in self.bugs:
            return 1.0 if v > 0 else 0.0
        if "relu-inverted" in self.bugs:  # min(0, x)
            return v if v < 0 else 0.0
        return 0.0 if v < 0 else v

    def relu(self, x, p):
        def apply(value):
            return [apply(v) for v in value] if isinstance(value, list) else self.relu_value(value)

        return {"output": apply(x["inputs"])}

    def softmax_rows(self, rows):
        if "softmax-batch-axis" in self.bugs:
            return transpose(self._softmax_rows(transpose(rows)))
        return self._softmax_rows(rows)

    def _shift(self, rows):
        """The number each row's logits are shifted by, per element."""
        bugs = self.bugs
        if "softmax-no-max-shift" in bugs:
            return [[0.0] * len(row) for row in rows]
        if "softmax-column-max" in bugs:  # np.max(x, axis=0): one maximum per column
            column_max = [max(col) for col in transpose(rows)]
            return [list(column_max) for _ in rows]
        if "softmax-max-starts-at-zero" in bugs:  # m = 0; for v in row: m = max(m, v)
            return [[max(0.0, *row)] * len(row) for row in rows]
        return [[max(row)] * len(row) for row in rows]

    def _softmax_rows(self, rows):
        a, out = self.arith, []
        exp = (
            approximate_exp(a.rnd, self._form("softmax-approximate-e", float, APPROXIMATE_E))
            if "softmax-approximate-e" in self.bugs
            else a.exp
        )
        for row, shift in zip(rows, self._shift(rows)):
            exps = [exp(a.rnd(v - m)) for v, m in zip(row, shift)]
            summed = exps[:-1] if "softmax-drops-last-class" in self.bugs else exps
            if "softmax-divides-by-max" in self.bugs:
                s = max(exps)
            else:
                s = a.total(summed) if summed else 0.0
            if self.softmax_algorithm == "logsumexp":
                lse = a.rnd(shift[0] + a.log(s))
                out.append([a.exp(a.rnd(v - lse)) for v in row])
            else:
                out.append([a.rnd(div(e, s)) for e in exps])
        return out

    def softmax(self, x, p):
        return {"output": self.softmax_rows(x["inputs"])}

    # -- loss and accuracy -------------------------------------------------------------------
    def losses(self, y_pred, y_true, label_format):
        a, bugs = self.arith, self.bugs
        lo, hi = a.rnd(1e-7), a.rnd(1 - 1e-7)
        log = a.log10 if "cce-log10" in bugs else a.log2 if "cce-log2" in bugs else a.log
        if "cce-clip-float64-bounds" in bugs:  # float64 bounds, so a clipped log is float64
            lo, hi, dtype_log = 1e-7, 1 - 1e-7, log

            def log(v):
                return a.rnd(log64(v)) if v in (lo, hi) else dtype_log(v)

        def clip(v):
            if "cce-no-clip" in bugs:
                return v
            if "cce-lower-clip-only" in bugs:
                return max(v, lo)
            if "cce-upper-clip-only" in bugs:
                return min(v, hi)
            return min(max(v, lo), hi)

        if label_format == "sparse" and "cce-every-label" in bugs:
            # y_pred[:, y_true]: every sample indexed by every label, an n x n matrix
            matrix = [[-log(clip(row[int(t)])) for t in y_true] for row in y_pred]
            return matrix, _mean_of(matrix, a)
        if (
            label_format == "onehot"
            and "onehot-read-as-sparse" in bugs
            and self._form("onehot-read-as-sparse", str, "numpy") == "undefined"
        ):
            # JavaScript: y_pred[b][[0, 1, 0]] is undefined, and so is every loss: NaN
            losses = [math.nan] * len(y_pred)
            return losses, math.nan
        if label_format == "onehot" and "onehot-read-as-sparse" in bugs:
            # y_pred[range(samples), y_true] on one-hot rows, with NumPy's broadcasting
            rows, cols = _numpy_broadcast(np.arange(len(y_pred)), y_true)
            matrix = [
                [-log(clip(y_pred[r][c])) for r, c in zip(rr, cc)]
                for rr, cc in zip(rows.tolist(), cols.tolist())
            ]
            return matrix, _mean_of(matrix, a)
        sample_losses = []
        for row, truth in zip(y_pred, y_true):
            if label_format == "sparse":
                index = int(truth) - (1 if "labels-one-based" in bugs else 0)  # 0 wraps to -1
                confidence = clip(row[index])
            else:
                confidence = a.total([a.rnd(clip(v) * t) for v, t in zip(row, truth)])
            sample_losses.append(-log(confidence))
        total = a.total(sample_losses)
        loss = total if "cce-sum-not-mean" in bugs else self._per(total, len(sample_losses))
        return sample_losses, loss

    def categorical_crossentropy(self, x, p):
        sample_losses, loss = self.losses(x["y_pred"], x["y_true"], p["label_format"])
        return {"sample_losses": sample_losses, "loss": loss}

    def argmax(self, row):
        """np.argmax: the first maximum, and the first NaN when there is one."""
        for i, v in enumerate(row):
            if v != v:
                return i
        best = 0
        for i, v in enumerate(row):
            if v > row[best] or ("accuracy-last-max" in self.bugs and v == row[best]):
                best = i
        return best

    def accuracy_of(self, y_pred, y_true, label_format):
        bugs = self.bugs
        if "accuracy-wrong-axis" in bugs:  # np.argmax(y_pred, axis=0): one per class
            predictions = [self.argmax(col) for col in transpose(y_pred)]
        else:
            predictions = [self.argmax(row) for row in y_pred]
        if label_format == "sparse":
            labels = [int(t) for t in y_true]
        elif (
            "onehot-read-as-sparse" in bugs
            and self._form("onehot-read-as-sparse", str, "numpy") == "undefined"
        ):
            return predictions, 0.0  # JavaScript: a number === an array is never true
        elif "onehot-read-as-sparse" in bugs:  # np.mean(predictions == y_true), one-hot y_true
            same = np.equal(*_numpy_broadcast(predictions, y_true))
            return predictions, self.arith.rnd(float(np.mean(same)))
        else:
            labels = [row.index(1) for row in y_true]
        if "labels-one-based" in bugs:  # 1-based class numbers: argmax + 1
            predictions = [pr + 1 for pr in predictions]
            if label_format == "onehot":
                labels = [la + 1 for la in labels]
        if len(predictions) == len(labels):
            matches = sum(pr == la for pr, la in zip(predictions, labels))
            count = len(labels)
        else:  # np.mean(predictions == labels) broadcasts, or raises
            same = np.equal(*_numpy_broadcast(predictions, labels))
            matches, count = int(same.sum()), same.size
        if "accuracy-integer-division" in bugs:
            return predictions, matches // count
        if self.accuracy_additions:  # Σ over the hits of fl(1/B), as a sum of a float mask / B
            share = self.arith.rnd(1.0 / count)
            return predictions, self.arith.total([share] * matches)
        return predictions, self._per(matches, count)

    def accuracy(self, x, p):
        predictions, accuracy = self.accuracy_of(x["y_pred"], x["y_true"], p["label_format"])
        return {"predictions": predictions, "accuracy": accuracy}

    # -- the whole network -------------------------------------------------------------------
    def network(self, inputs, weights1, biases1, weights2, biases2):
        """Dense -> ReLU -> Dense -> softmax: dense1, relu1, dense2 and the probabilities."""
        if "relu-before-bias" in self.bugs:  # relu(x·W1) + b1 instead of relu(x·W1 + b1)
            bare = replace(self, bugs=self.bugs | {"bias-dropped"}).dense(inputs, weights1, biases1)
            rnd = self.arith.rnd
            dense1 = [[rnd(v + b) for v, b in zip(row, biases1)] for row in bare]
            relu1 = [[rnd(self.relu_value(v) + b) for v, b in zip(row, biases1)] for row in bare]
        else:
            dense1 = self.dense(inputs, weights1, biases1)
            relu1 = [[self.relu_value(v) for v in row] for row in dense1]
        dense2 = self.dense(relu1, weights2, biases2)
        return dense1, relu1, dense2, self.softmax_rows(dense2)

    def forward(self, x, p):
        dense1, relu1, dense2, probabilities = self.network(
            x["inputs"], x["weights1"], x["biases1"], x["weights2"], x["biases2"]
        )
        sample_losses, loss = self.losses(probabilities, x["y_true"], p["label_format"])
        predictions, accuracy = self.accuracy_of(probabilities, x["y_true"], p["label_format"])
        return {
            "dense1": dense1,
            "relu1": relu1,
            "dense2": dense2,
            "softmax": probabilities,
            "sample_losses": sample_losses,
            "loss": loss,
            "predictions": predictions,
            "accuracy": accuracy,
        }

    # -- backward passes (chapter 9) ---------------------------------------------------------
    def _outputs(self, outputs: int) -> float:
        """The number a per-output gradient (BCE, MSE, MAE) is divided by."""
        return 1.0 if "gradient-not-divided-by-outputs" in self.bugs else float(outputs)

    def _samples(self, samples: int) -> float:
        """The number a batch gradient is divided by."""
        return 1.0 if "gradient-not-divided-by-samples" in self.bugs else float(samples)

    def dense_gradients(self, inputs, weights, dvalues):
        """dweights = inputs.T @ dvalues, dbiases = Σ_b dvalues[b], dinputs = dvalues @ W.T."""
        a = self.dot_arith or self.arith
        per_neuron = transpose(dvalues)
        dweights = [[a.dot(column, dv, []) for dv in per_neuron] for column in transpose(inputs)]
        if "dbiases-sum-everything" in self.bugs:  # np.sum(dvalues): one number, no axis
            dbiases = self.arith.total(_flat(dvalues))
        else:
            dbiases = [self.arith.total(dv) for dv in per_neuron]
        dinputs = [[a.dot(row, w, []) for w in weights] for row in dvalues]
        return dweights, dbiases, dinputs

    def dense_backward(self, x, p):
        dweights, dbiases, dinputs = self.dense_gradients(x["inputs"], x["weights"], x["dvalues"])
        return {"dweights": dweights, "dbiases": dbiases, "dinputs": dinputs}

    def relu_gradient(self, inputs, dvalues):
        bugs = self.bugs

        def one(x, dv):
            if "relu-backward-mask-on-dvalues" in bugs:  # dinputs[dvalues <= 0] = 0
                return dv if dv > 0 else 0.0
            if "relu-backward-passes-zero" in bugs:  # dinputs[inputs < 0] = 0
                return 0.0 if x < 0 else dv
            return dv if x > 0 else 0.0

        return ew(one, inputs, dvalues)

    def relu_backward(self, x, p):
        return {"dinputs": self.relu_gradient(x["inputs"], x["dvalues"])}

    def softmax_gradient(self, output, dvalues):
        a, r = self.arith, self.arith.rnd
        out = []
        for p, dv in zip(output, dvalues):
            if "softmax-backward-diagonal-only" in self.bugs:  # diag(p) @ dv, no -p·pᵀ
                out.append([r(pi * d) for pi, d in zip(p, dv)])
            elif self.rewritten:  # p_i·(dv_i - Σ_j p_j·dv_j)
                s = a.dot(p, dv, [])
                out.append([r(pi * r(d - s)) for pi, d in zip(p, dv)])
            else:  # the book: the Jacobian diag(p) - p·pᵀ, times dv
                jacobian = [
                    [r((pi if i == j else 0.0) - r(pi * pj)) for j, pj in enumerate(p)]
                    for i, pi in enumerate(p)
                ]
                out.append([a.dot(row, dv, []) for row in jacobian])
        return out

    def softmax_backward(self, x, p):
        return {"dinputs": self.softmax_gradient(x["output"], x["dvalues"])}

    @staticmethod
    def onehot(y_true, classes):
        if y_true and isinstance(y_true[0], list):
            return y_true
        return [[1 if c == int(t) else 0 for c in range(classes)] for t in y_true]

    def cce_gradient(self, y_pred, y_true):
        r = self.arith.rnd
        samples = self._samples(len(y_pred))
        truth = self.onehot(y_true, len(y_pred[0]))
        if "cce-backward-clipped" in self.bugs:  # the forward's clip, reused
            lo, hi = r(1e-7), r(1 - 1e-7)
            y_pred = ew(lambda v: min(max(v, lo), hi), y_pred)
        if self.rewritten:  # -y / (p·B)
            return ew(lambda t, v: r(div(-float(t), r(v * samples))), truth, y_pred)
        return ew(lambda t, v: self._per(r(div(-float(t), v)), samples), truth, y_pred)

    def categorical_crossentropy_backward(self, x, p):
        return {"dinputs": self.cce_gradient(x["y_pred"], x["y_true"])}

    def softmax_cce_gradient(self, y_pred, y_true, path="combined"):
        if path == "separate":
            return self.softmax_gradient(y_pred, self.cce_gradient(y_pred, y_true))
        r = self.arith.rnd
        truth = self.onehot(y_true, len(y_pred[0]))
        if "softmax-cce-divided-by-classes" in self.bugs:
            samples = float(len(y_pred[0]))
        else:
            samples = self._samples(len(y_pred))
        return ew(lambda v, t: self._per(r(v - t), samples), y_pred, truth)

    def softmax_crossentropy_backward(self, x, p):
        return {"dinputs": self.softmax_cce_gradient(x["y_pred"], x["y_true"], p["path"])}

    # -- regularization and dropout (chapters 14-15) -----------------------------------------
    def regularizer_gradient(self, values, l1, l2):
        r, bugs = self.arith.rnd, self.bugs
        two_l2 = self._scalar((1.0 if "l2-gradient-without-2" in bugs else 2.0) * l2)

        def sign(v):  # the book's dL1: +1 where w >= 0 (0 and -0.0 included), -1 where w < 0
            if "l1-sign-zero-as-zero" in bugs:  # np.sign
                return _sign(v)
            if "l1-sign-of-negative-zero" in bugs:  # copysign(1, w), Rust's signum
                return math.copysign(1.0, v)
            if "l1-sign-zero-as-minus-one" in bugs:  # np.where(w > 0, 1, -1)
                return 1.0 if v > 0 else -1.0
            return -1.0 if v < 0 else 1.0

        return ew(lambda v: r(r(l1 * sign(v)) + r(two_l2 * v)), values)

    def regularization(self, x, p):
        a, r = self.arith, self.arith.rnd
        weights, biases = x["weights"], x["biases"]
        l1w, l2w, l1b, l2b = (x[name] for name in REGULARIZERS)
        flat = _flat(weights)
        loss = a.total(
            [
                r(l1w * a.total(abs(v) for v in flat)),
                r(l2w * a.dot(flat, flat, [])),
                r(l1b * a.total(abs(v) for v in biases)),
                r(l2b * a.dot(biases, biases, [])),
            ]
        )
        return {
            "loss": loss,
            "dweights": self.regularizer_gradient(weights, l1w, l2w),
            "dbiases": self.regularizer_gradient(biases, l1b, l2b),
        }

    def dropout(self, x, p):
        r, bugs = self.arith.rnd, self.bugs
        keep = (
            x["rate"]
            if "dropout-rate-as-keep-probability" in bugs
            else self._scalar(1.0 - x["rate"])
        )
        if "dropout-not-scaled" in bugs:

            def apply(v, m):
                return r(v * m)
        elif self.rewritten:  # (x·mask) / (1 - rate)

            def apply(v, m):
                return r(div(r(v * m), keep))
        else:  # the book: binary_mask = mask / (1 - rate), then x·binary_mask

            def apply(v, m):
                return r(v * r(div(float(m), keep)))

        return {
            "output": ew(apply, x["inputs"], x["mask"]),
            "dinputs": ew(apply, x["dvalues"], x["mask"]),
        }

    # -- sigmoid and the losses of chapters 16-17 --------------------------------------------
    def sigmoid(self, x, p):
        a, r = self.arith, self.arith.rnd
        output = ew(lambda v: r(div(1.0, r(1.0 + a.exp(-v)))), x["inputs"])
        if self.rewritten:  # dv·s·(1 - s)
            dinputs = ew(lambda d, s: r(r(d * s) * r(1.0 - s)), x["dvalues"], output)
        else:  # the book: dv·(1 - s)·s
            dinputs = ew(lambda d, s: r(r(d * r(1.0 - s)) * s), x["dvalues"], output)
        return {"output": output, "dinputs": dinputs}

    def _losses_and_mean(self, terms):
        """Per sample the mean of its terms, and the mean of those."""
        a = self.arith
        sample_losses = [self._per(a.total(row), len(row)) for row in terms]
        return sample_losses, self._per(a.total(sample_losses), len(sample_losses))

    def binary_crossentropy(self, x, p):
        a, r = self.arith, self.arith.rnd
        y_pred, y_true = x["y_pred"], x["y_true"]
        lo, hi = r(1e-7), r(1 - 1e-7)
        clipped = ew(lambda v: min(max(v, lo), hi), y_pred)

        def loss(t, c):  # -(y·ln c + (1 - y)·ln(1 - c))
            return -r(r(t * a.log(c)) + r(r(1 - t) * a.log(r(1.0 - c))))

        sample_losses, mean = self._losses_and_mean(ew(loss, y_true, clipped))
        outputs, samples = self._outputs(len(y_pred[0])), self._samples(len(y_pred))
        seen = y_pred if "bce-backward-not-clipped" in self.bugs else clipped
        if self.rewritten:  # ((1 - y)/(1 - c) - y/c) / (O·B)

            def grad(t, c):
                return r(
                    div(
                        r(r(div(float(1 - t), r(1.0 - c))) - r(div(float(t), c))), outputs * samples
                    )
                )
        else:  # -(y/c - (1 - y)/(1 - c)) / O / B

            def grad(t, c):
                inner = r(r(div(float(t), c)) - r(div(float(1 - t), r(1.0 - c))))
                return self._per_both(-inner, outputs, samples)

        return {"sample_losses": sample_losses, "loss": mean, "dinputs": ew(grad, y_true, seen)}

    def mean_squared_error(self, x, p):
        r = self.arith.rnd
        y_pred, y_true = x["y_pred"], x["y_true"]
        diff = ew(lambda t, v: r(t - v), y_true, y_pred)  # y_true - y_pred
        sample_losses = [self._per(self.arith.dot(row, row, []), len(row)) for row in diff]
        mean = self._per(self.arith.total(sample_losses), len(sample_losses))
        outputs, samples = self._outputs(len(y_pred[0])), self._samples(len(y_pred))
        two = 1.0 if "mse-gradient-without-2" in self.bugs else 2.0
        if self.rewritten:  # 2·(y_pred - y_true) / (O·B)
            dinputs = ew(lambda d: r(r(two * -d) / (outputs * samples)), diff)
        else:  # -2·(y_true - y_pred) / O / B
            dinputs = ew(lambda d: self._per_both(r(-two * d), outputs, samples), diff)
        return {"sample_losses": sample_losses, "loss": mean, "dinputs": dinputs}

    def mean_absolute_error(self, x, p):
        r = self.arith.rnd
        y_pred, y_true = x["y_pred"], x["y_true"]
        diff = ew(lambda t, v: r(t - v), y_true, y_pred)  # y_true - y_pred
        sample_losses, mean = self._losses_and_mean(ew(abs, diff))
        outputs, samples = self._outputs(len(y_pred[0])), self._samples(len(y_pred))
        if "mae-gradient-sign-flipped" in self.bugs:  # the book's np.sign(y_true - y_pred)

            def slope(d):
                return _sign(d)
        else:  # sign(y_pred - y_true), 0 where they are equal

            def slope(d):
                return -_sign(d)

        if self.rewritten:
            dinputs = ew(lambda d: r(slope(d) / (outputs * samples)), diff)
        else:
            dinputs = ew(lambda d: self._per_both(slope(d), outputs, samples), diff)
        return {"sample_losses": sample_losses, "loss": mean, "dinputs": dinputs}

    # -- optimizers (chapter 10): one step on one layer, the whole state in and out ----------
    def current_learning_rate(self, learning_rate, decay, iterations):
        s = self._scalar
        if not decay:
            return learning_rate
        if self.rewritten:  # lr0 / (1 + decay·t)
            return s(div(learning_rate, s(1.0 + s(decay * iterations))))
        return s(learning_rate * s(div(1.0, s(1.0 + s(decay * iterations)))))  # the book

    def _descent(self, lr):
        """The step's factor on the gradient: -lr (the gradient is descended)."""
        return lr if "optimizer-sign-flipped" in self.bugs else -lr

    def _sgd(self, x, t):
        r, bugs = self.arith.rnd, self.bugs
        lr = self.current_learning_rate(x["learning_rate"], x["decay"], t)
        step, momentum, factor = self._descent(lr), x["momentum"], 1.0
        if "momentum-before-decay" in bugs and momentum:
            # v = μ·v - lr0·g with the undecayed rate; the decay divides the update instead
            step = self._descent(x["learning_rate"])
            factor = self._scalar(1.0 + self._scalar(x["decay"] * t))
        out = {"learning_rate": lr, "iterations": t + 1}
        for name, state in (("weights", "weight_momentums"), ("biases", "bias_momentums")):
            grad, moms = x["d" + name], x[state]
            if momentum or "sgd-momentums-updated-without-momentum" in bugs:
                moms = ew(lambda m, g: r(r(momentum * m) + r(step * g)), moms, grad)
                updates = ew(lambda m: r(div(m, factor)), moms) if factor != 1.0 else moms
            else:  # without momentum the book keeps no momentums: they come back unchanged
                updates = ew(lambda g: r(step * g), grad)
            out[name] = ew(lambda w, u: r(w + u), x[name], updates)
            out[state] = moms
        return out

    def _adaptive(self, step, g, cache, epsilon):
        """-lr·g / (sqrt(cache) + epsilon): Adagrad's and RMSprop's update."""
        a, r = self.arith, self.arith.rnd
        if "epsilon-inside-sqrt" in self.bugs:
            denominator = a.sqrt(r(cache + epsilon))
        else:
            denominator = r(a.sqrt(cache) + epsilon)
        if self.rewritten:  # -lr·(g / (sqrt(cache) + epsilon))
            return r(step * r(div(g, denominator)))
        return r(div(r(step * g), denominator))

    def _cached(self, x, t, new_cache):
        r = self.arith.rnd
        lr = self.current_learning_rate(x["learning_rate"], x["decay"], t)
        step, epsilon = self._descent(lr), self._epsilon(x["epsilon"])
        out = {"learning_rate": lr, "iterations": t + 1}
        for name, state in (("weights", "weight_cache"), ("biases", "bias_cache")):
            grad = x["d" + name]
            cache = ew(new_cache, x[state], grad)
            out[name] = ew(
                lambda w, g, c: r(w + self._adaptive(step, g, c, epsilon)), x[name], grad, cache
            )
            out[state] = cache
        return out

    def _epsilon(self, given: float) -> float:
        """The epsilon of an adaptive step: the given one, or a library default typed in."""
        return self._scalar(1e-8) if "epsilon-1e-8" in self.bugs else given

    def _adagrad(self, x, t):
        r = self.arith.rnd
        return self._cached(x, t, lambda c, g: r(c + r(g * g)))

    def _rmsprop(self, x, t):
        r, rho = self.arith.rnd, x["rho"]
        keep = self._scalar(1.0 - rho)
        return self._cached(x, t, lambda c, g: r(r(rho * c) + r(keep * r(g * g))))

    def _adam(self, x, t):
        a, r, s = self.arith, self.arith.rnd, self._scalar
        lr = self.current_learning_rate(x["learning_rate"], x["decay"], t)
        step, epsilon = self._descent(lr), self._epsilon(x["epsilon"])
        beta_1, beta_2 = x["beta_1"], x["beta_2"]
        power = t if "adam-bias-correction-off-by-one" in self.bugs else t + 1
        correction_1, correction_2 = s(1.0 - s(beta_1**power)), s(1.0 - s(beta_2**power))
        one_minus_1, one_minus_2 = s(1.0 - beta_1), s(1.0 - beta_2)

        def momentum(m, g):
            if self.rewritten:  # m + (1 - β1)·(g - m), PyTorch's lerp
                return r(m + r(one_minus_1 * r(g - m)))
            return r(r(beta_1 * m) + r(one_minus_1 * g))

        def update(m, v):
            if self.rewritten:  # PyTorch: -(lr/c1)·m / (sqrt(v)/sqrt(c2) + epsilon)
                denominator = r(r(div(a.sqrt(v), a.sqrt(correction_2))) + epsilon)
                return r(r(div(step, correction_1)) * r(div(m, denominator)))
            m_hat, v_hat = r(div(m, correction_1)), r(div(v, correction_2))
            if "epsilon-inside-sqrt" in self.bugs:
                denominator = a.sqrt(r(v_hat + epsilon))
            else:
                denominator = r(a.sqrt(v_hat) + epsilon)
            return r(div(r(step * m_hat), denominator))

        out = {"learning_rate": lr, "iterations": t + 1}
        for name, moms, cache in (
            ("weights", "weight_momentums", "weight_cache"),
            ("biases", "bias_momentums", "bias_cache"),
        ):
            grad = x["d" + name]
            m = ew(momentum, x[moms], grad)
            v = ew(lambda c, g: r(r(beta_2 * c) + r(one_minus_2 * r(g * g))), x[cache], grad)
            out[name] = ew(lambda w, mm, vv: r(w + update(mm, vv)), x[name], m, v)
            out[moms], out[cache] = m, v
        return out

    def sgd_step(self, x, p):
        return self._sgd(x, int(x["iterations"]))

    def adagrad_step(self, x, p):
        return self._adagrad(x, int(x["iterations"]))

    def rmsprop_step(self, x, p):
        return self._rmsprop(x, int(x["iterations"]))

    def adam_step(self, x, p):
        return self._adam(x, int(x["iterations"]))

    # -- training: the book's model, full batch, a few steps ---------------------------------
    def training(self, x, p):
        optimizer, label_format, y_true = p["optimizer"], p["label_format"], x["y_true"]
        step = getattr(self, f"_{optimizer}")
        layers = [
            {"weights": x["weights1"], "biases": x["biases1"]},
            {"weights": x["weights2"], "biases": x["biases2"]},
        ]
        for layer in layers:  # optimizer state starts at zeros
            for name in STATE[optimizer]:
                like = layer["weights"] if name.startswith("weight") else layer["biases"]
                layer[name] = ew(lambda v: 0.0, like)
        hyper = {name: x[name] for name in OPTIMIZER_HYPERPARAMETERS[optimizer]}
        record = {
            name: []
            for name in (
                "loss",
                "accuracy",
                "learning_rate",
                "weights1",
                "biases1",
                "weights2",
                "biases2",
            )
        }
        for iteration in range(int(x["steps"])):
            dense1, relu1, dense2, probabilities = self.network(
                x["inputs"],
                layers[0]["weights"],
                layers[0]["biases"],
                layers[1]["weights"],
                layers[1]["biases"],
            )
            record["loss"].append(self.losses(probabilities, y_true, label_format)[1])
            record["accuracy"].append(self.accuracy_of(probabilities, y_true, label_format)[1])
            dvalues = self.softmax_cce_gradient(probabilities, y_true)
            dweights2, dbiases2, drelu1 = self.dense_gradients(relu1, layers[1]["weights"], dvalues)
            ddense1 = self.relu_gradient(dense1, drelu1)
            dweights1, dbiases1, _ = self.dense_gradients(
                x["inputs"], layers[0]["weights"], ddense1
            )
            for layer, dweights, dbiases in (
                (layers[0], dweights1, dbiases1),
                (layers[1], dweights2, dbiases2),
            ):
                if not isinstance(dbiases, list):  # one number (a bug): NumPy broadcasts it
                    dbiases = [dbiases] * len(layer["biases"])
                result = step(
                    {**layer, **hyper, "dweights": dweights, "dbiases": dbiases}, iteration
                )
                layer.update(
                    {name: result[name] for name in ("weights", "biases", *STATE[optimizer])}
                )
            if "lr-decay-compounded" in self.bugs:  # the decayed rate becomes the next base
                hyper["learning_rate"] = result["learning_rate"]
            record["learning_rate"].append(result["learning_rate"])
            for i, layer in enumerate(layers, start=1):
                record[f"weights{i}"].append(layer["weights"])
                record[f"biases{i}"].append(layer["biases"])
        return record

"""A plain-Python emulator of the eight stages, with switchable bugs.

The `Engine` computes every stage on nested lists of Python floats with an `Arith`: the port's
rounding (float64 identity, or float32 after EVERY operation), a summation order, FMA or not,
float64 accumulation, and its exp and log. `bugs` switches on one wrong behaviour each: the
mistakes catalogue (`mistakes.py`) names them, the runner replays them to diagnose a failure,
and tests/variants.py proves the vectors sound and sharp with the same engine. Every run checks
its inputs with the reference's own checks: the point is numerics.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from .numbers import encode
from .reference import StageError, run_stage

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



ARITH = {
    "float64": Arith(f64),
    "float32": Arith(f32, exp=exp32, log=log32, log10=log10_32, log2=log2_32),
}
APPROXIMATE_E = 2.71828  # the book's readers sometimes type e by hand


def approximate_exp(rnd: Callable[[float], float]) -> Callable[[float], float]:
    """2.71828 ** x rounded to the port's dtype: exp with a hand-typed e."""
    def exp(x: float) -> float:
        try:
            return rnd(APPROXIMATE_E ** x)
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
        if "dot-keeps-last-product" in self.bugs:  # total = x * w, not total += x * w
            xs, ws = xs[-1:], ws[-1:]
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
        exp = approximate_exp(a.rnd) if "softmax-approximate-e" in self.bugs else a.exp
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
        if label_format == "onehot" and "onehot-read-as-sparse" in bugs:
            # y_pred[range(samples), y_true] on one-hot rows, with NumPy's broadcasting
            rows, cols = _numpy_broadcast(np.arange(len(y_pred)), y_true)
            matrix = [[-log(clip(y_pred[r][c])) for r, c in zip(rr, cc)]
                      for rr, cc in zip(rows.tolist(), cols.tolist())]
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
        loss = total if "cce-sum-not-mean" in bugs else a.rnd(total / len(sample_losses))
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
        bugs = self.bugs
        if "accuracy-wrong-axis" in bugs:  # np.argmax(y_pred, axis=0): one per class
            predictions = [self.argmax(col) for col in transpose(y_pred)]
        else:
            predictions = [self.argmax(row) for row in y_pred]
        if label_format == "sparse":
            labels = [int(t) for t in y_true]
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
        return predictions, self.arith.rnd(matches / count)

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

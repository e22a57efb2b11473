"""A plain-Python emulator of the core stages: the correct computation, with extension points.

The `Engine` computes every stage on nested lists of Python floats with an `Arith`: the port's
rounding (float64 identity, or float32 after EVERY operation), a summation order, FMA or not,
float64 accumulation, and its exp and log. Its formulas are written with operators on `Rounded`
numbers (rounded.py), one rounding per operator, so they read like the reference. Every sum (dot
products, gradients summed over the batch, the softmax-backward row dot, regularization sums,
loss means) goes through the Arith, so every legit arithmetic variant applies to every stage;
`training` and `model_training` compose the Engine's own forward, backward, regularization and
optimizer-step methods. The steps known mistakes get wrong are named extension points
(@extension_point): the mistakes catalogue (`mistakes.py`) overrides one per mistake, the
runner replays them to diagnose a failure, and tools/variants.py proves the vectors sound and
sharp with the same engine. It runs valid inputs only (the runner diagnoses valid cases;
tools/variants.py answers invalid ones with the reference's own checks): the point is numerics.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from ..suite.errors import StageError
from ..suite.numbers import encode
from ..suite.stages import (
    EPOCH_OUTPUTS,
    PARAMETERS,
    REGULARIZERS,
    STATE,
    TRAINING_HYPERPARAMETERS,
)
from ..suite.stages import HYPERPARAMETERS as OPTIMIZER_HYPERPARAMETERS
from .rounded import Rounded, exp, ieee_div, log, plain, rounded_type, sqrt

# ----------------------------------------------------------------------------------------------
# Arithmetic: roundings, summation orders, exact FMA, exp and log of each dtype


def f64(x: float) -> float:
    return x


_FLOAT32 = struct.Struct("f")


def f32(x: float) -> float:
    """x rounded to the nearest float32, ties to even (a float64 op then float32 rounding == the
    float32 op: 53 >= 2*24+2). C's double-to-float conversion is that rounding; struct makes it
    without a NumPy scalar, at a third of the cost (the emulator rounds every operation)."""
    try:
        return _FLOAT32.unpack(_FLOAT32.pack(x))[0]
    except OverflowError:  # beyond float32's range, where the conversion gives ±inf
        return math.copysign(math.inf, x)


def f16(x: float) -> float:
    return float(np.float16(x))


def scaled(x: float) -> tuple[int, int]:
    """A finite float as (n, e) with x == n·2**e exactly (its denominator is a power of 2)."""
    n, d = x.as_integer_ratio()
    return n, 1 - d.bit_length()


def round_scaled(n: int, e: int, precision: int, emin: int) -> float:
    """Round the exact n·2**e to the nearest float of `precision` bits, ties to even, in integers
    (a Fraction's gcds cost ten times more); an exact zero is +0.0."""
    if n == 0:
        return 0.0
    sign, n = (-1.0 if n < 0 else 1.0), abs(n)
    quantum = max(n.bit_length() - 1 + e, emin) - precision + 1  # subnormals keep emin's quantum
    if quantum > e:  # drop the bits below the quantum, rounding half to even
        shift = quantum - e
        kept = n >> shift
        rest, half = n - (kept << shift), 1 << (shift - 1)
        n, e = kept + (rest > half or (rest == half and kept & 1)), quantum
    if n.bit_length() + e > _MAX_EXPONENT[precision]:  # n·2**e >= 2**max: beyond the range
        return sign * math.inf
    return sign * math.ldexp(n, e)  # exact: n has at most `precision` bits


_MAX_EXPONENT = {53: 1024, 24: 128, 11: 16}
_FORMAT: dict[Callable[[float], float], tuple[int, int]] = {
    f64: (53, -1022),
    f32: (24, -126),
    f16: (11, -14),
}


def fma_with(rnd: Callable[[float], float]) -> Callable[[float, float, float], float]:
    """a*b + c with ONE rounding to rnd's dtype (math.fma is Python 3.13+: emulate it exactly)."""
    precision, emin = _FORMAT[rnd]

    def fma(a: float, b: float, c: float) -> float:
        if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
            return rnd(a * b + c)
        (na, ea), (nb, eb), (nc, ec) = scaled(a), scaled(b), scaled(c)
        e = min(ea + eb, ec)  # a·b + c exactly, as an integer times 2**e
        return round_scaled((na * nb << (ea + eb - e)) + (nc << (ec - e)), e, precision, emin)

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


div = ieee_div  # IEEE division on plain floats (x/0 is ±inf, 0/0 NaN)


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

    def dots(self, rows, columns, biases=None):
        """rows @ columnsᵀ: entry (i, j) is self.dot(rows[i], columns[j], [biases[j]]) (no bias
        term when biases is None). A plain sequential arithmetic does it a column of terms at a
        time in NumPy (`sequential_dots`), bit for bit the same; any other, entry by entry."""
        rounding = _array_rounding(self)
        if rounding is not None:
            fast = sequential_dots(rows, columns, biases, rounding)
            if fast is not None:
                return fast
        return [
            [
                self.dot(row, col, [] if biases is None else [biases[j]])
                for j, col in enumerate(columns)
            ]
            for row in rows
        ]

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


def _as_is(values: np.ndarray) -> np.ndarray:
    return values


def _to_float32(values: np.ndarray) -> np.ndarray:
    """f32 of every element: NumPy's float64-to-float32 cast is C's conversion, as f32's."""
    return values.astype(np.float32).astype(np.float64)


_ARRAY_ROUNDING: dict[Callable[[float], float], Callable[[np.ndarray], np.ndarray]] = {
    f64: _as_is,
    f32: _to_float32,
}  # rnd -> the same rounding of a whole array


def _array_rounding(a: Arith) -> Callable[[np.ndarray], np.ndarray] | None:
    """rnd on whole arrays, for an arithmetic whose dot products are Arith.dot's plain sequential
    sum: every product and every partial sum rounded by rnd (forward_sum, acc == rnd, no FMA),
    in float64 or float32; None for any other (other orders, FMA, float64 accumulation, FTZ,
    BookDotArith's)."""
    if type(a) is not Arith or a.summation is not forward_sum or a.fused:
        return None
    if a.acc is not None and a.acc is not a.rnd:
        return None
    return _ARRAY_ROUNDING.get(a.rnd)


def _float_matrix(rows) -> np.ndarray | None:
    """rows as a float64 array, when they are non-empty lists of one length of plain floats."""
    if type(rows) is not list or not rows or type(rows[0]) is not list or not rows[0]:
        return None
    width = len(rows[0])
    for row in rows:
        if not _plain_floats(row) or len(row) != width:
            return None
    return np.array(rows, dtype=np.float64)


def _plain_floats(values) -> bool:
    """Whether values is a list of Python floats and nothing else (no int, bool or number)."""
    return type(values) is list and _FLOATS.issuperset(map(type, values))


_FLOATS = frozenset((float,))


def sequential_dots(rows, columns, biases, rounding) -> list[list[float]] | None:
    """Arith.dot's forward_sum for every (row, column) pair at once, or None where the inputs are
    not a plain matrix (ragged, empty, or not floats) or a result is NaN: Arith.dots then goes
    entry by entry.

    Bit-identical to the scalar path: NumPy's float64 `*` and `+` are the same IEEE operations
    as Python's (subnormals kept, overflow to ±inf, NaN, signed zeros), and `rounding` is rnd on
    every element. The terms are summed in the same order with the same roundings: the first
    product rounded (acc(x·w)) and not again, each next one as total = rnd(total + rnd(x·w)),
    the bias last; Arith.total's final rnd is then a no-op (acc == rnd: the value is rounded).
    Only a NaN's sign and payload could differ: they follow the operands' order, which NumPy's
    inner loops may swap, so a product with a NaN anywhere in it is left to the scalar path.
    """
    matrix, other = _float_matrix(rows), _float_matrix(columns)
    if matrix is None or other is None or matrix.shape[1] != other.shape[1]:
        return None
    if biases is not None:
        if not _plain_floats(biases) or len(biases) != len(columns):
            return None
    with np.errstate(over="ignore", invalid="ignore"):
        products = rounding(matrix.T[:, :, None] * other.T[:, None, :])  # [k][i][j]
        total = products[0]
        for term in products[1:]:
            total = rounding(total + term)
        if biases is not None:
            total = rounding(total + np.array(biases, dtype=np.float64))
    if np.isnan(total).any():
        return None
    return total.tolist()


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


# ----------------------------------------------------------------------------------------------
# The plain-Python engine: the correct computation, with named extension points


def _shape_error(message):
    return StageError("shape_mismatch", message)


def transpose(matrix):
    return [list(col) for col in zip(*matrix)]


def numpy_broadcast(*arrays):
    """NumPy's broadcasting of index or label arrays; ValueError where NumPy would raise."""
    return np.broadcast_arrays(*(np.asarray(a) for a in arrays))


def flat(values):
    return [v for row in values for v in (row if isinstance(row, list) else [row])]


def mean_of(values, a: Arith):
    """The mean of every number of a vector or matrix (np.mean with no axis)."""
    terms = flat(values)
    return a.rnd(a.total(terms) / len(terms))


# Inputs a port reads as they are: labels, counts and the dropout mask are integers (the
# regression losses' y_true are measurements, read like any other number).
RAW = (
    "y_true",
    "validation_y_true",
    "iterations",
    "steps",
    "epochs",
    "batch_size",
    "mask",
    "labels",
    "keys",
)
MEASURED_Y_TRUE = ("mean_squared_error", "mean_absolute_error")
# Scalars a port may hold in another dtype than its arrays (the book's are Python floats).
HYPERPARAMETERS = ("rate", *TRAINING_HYPERPARAMETERS, *REGULARIZERS)


def ew(fn, *arrays):
    """fn applied element by element to same-shaped nested lists: one NumPy elementwise line.
    (A row with no list in it, the innermost level, is one comprehension, not a call per
    element: the same calls of fn, in the same order.)"""
    first = arrays[0]
    if not isinstance(first, list):
        return fn(*arrays)
    if any(issubclass(kind, list) for kind in set(map(type, first))):
        return [ew(fn, *items) for items in zip(*arrays)]
    if len(arrays) == 1:
        return [fn(v) for v in first]
    return [fn(*items) for items in zip(*arrays)]


def sign(v: float) -> float:
    """np.sign: -1, 0 or +1."""
    return -1.0 if v < 0 else (1.0 if v > 0 else 0.0)


def signum(x: Rounded) -> Rounded:
    """np.sign of a number, in its dtype."""
    return x.like(sign(x.v))


def extension_point(method):
    """Marks an Engine method as a step a known mistake gets wrong: the mistakes catalogue
    (mistakes.py) overrides it, and nothing else does."""
    method.extension_point = True
    return method


def is_extension_point(name: str) -> bool:
    return getattr(getattr(Engine, name, None), "extension_point", False)


@dataclass(frozen=True)
class Engine:
    """Every stage on nested lists of Python floats, computed as one port computes.

    Arrays are held as plain floats. Formulas run on `Rounded` numbers of the port's dtype
    (`each` applies one element by element, `number` and `scalar` make them), so each operator
    is one rounding; sums and dot products go through the Arith, in the port's order. The
    methods marked @extension_point are the steps known mistakes get wrong: here each is the
    correct one, and a mistake of the catalogue overrides one (or two that belong together)."""

    arith: Arith
    dot_arith: Arith | None = None  # a different arithmetic for dot products only
    softmax_algorithm: str = "shift-divide"  # or "logsumexp": exp(x - lse(x)), division-free
    scalar_arith: Arith | None = None  # hyperparameters held (and combined) in another dtype
    rewritten: bool = False  # the training formulas in other, equivalent forms
    reciprocal: bool = False  # x / n by a count n (batch, outputs) computed as x · (1/n)
    # x / O / B computed as x · fl(fl(1/O)·fl(1/B)) (JAX scales MSE's gradient so), and the
    # means as x · fl(1/n)
    reciprocal_product: bool = False
    accuracy_additions: bool = False  # the accuracy as `hits` additions of fl(1/B) (PyTorch's sum)
    form: str = ""  # the form a mistake's overrides take (Mistake.forms); "" for its first

    def run(self, stage, inputs, params):
        x = {}
        for name, value in inputs.items():
            if name in HYPERPARAMETERS:
                x[name] = self.scalar(float(value))
            elif name in RAW and not (name == "y_true" and stage in MEASURED_Y_TRUE):
                x[name] = value
            else:
                x[name] = self._read(value)
        with np.errstate(all="ignore"):
            outputs = getattr(self, stage)(x, params)
        return encode(outputs)

    def _read(self, value):
        """A float32 port reads every input rounded to float32."""
        if isinstance(value, list):
            return [self._read(v) for v in value]
        return self.arith.rnd(float(value))

    # -- numbers ------------------------------------------------------------------------------
    @cached_property
    def number(self) -> type[Rounded]:
        """The numbers of the port's arrays: number(v) is v as it is, unrounded."""
        return rounded_type(self.arith)

    @cached_property
    def scalar_number(self) -> type[Rounded]:
        """The numbers of its hyperparameters (the arrays' own unless scalar_arith says)."""
        return rounded_type(self.scalar_arith, scalar=True) if self.scalar_arith else self.number

    def scalar(self, value: float) -> Rounded:
        """A hyperparameter, rounded to the dtype the port holds it in."""
        return self.scalar_number(self.scalar_number.rnd(value))

    def as_array(self, value: Rounded) -> Rounded:
        """A hyperparameter's value as a number of the arrays' dtype (unrounded)."""
        return self.number(value.v)

    def each(self, formula, *arrays):
        """formula on numbers, element by element over same-shaped nested lists (one NumPy
        elementwise line); the results are plain floats again."""
        number = self.number
        if len(arrays) == 1:
            return ew(lambda v: plain(formula(number(v))), *arrays)
        if len(arrays) == 2:
            return ew(lambda a, b: plain(formula(number(a), number(b))), *arrays)
        return ew(lambda *values: plain(formula(*map(number, values))), *arrays)

    def total(self, values) -> Rounded:
        """The sum of numbers (or plain floats), in the port's order."""
        return self.number(self.arith.total([plain(v) for v in values]))

    def dot(self, xs, ws) -> Rounded:
        """Σ xs·ws of two lists of plain floats, in the port's way."""
        return self.number(self.arith.dot(xs, ws, []))

    def _per(self, value: Rounded, count: float) -> Rounded:
        """value / count for a count (samples, outputs): divided, or times the reciprocal."""
        if self.reciprocal or self.reciprocal_product:
            return value * (1 / self.number(count))
        return value / count

    def _per_both(self, value: Rounded, outputs: float, samples: float) -> Rounded:
        """value / outputs / samples: two divisions, or times a product of two reciprocals."""
        if self.reciprocal_product:
            return value * ((1 / self.number(outputs)) * (1 / self.number(samples)))
        return self._per(self._per(value, outputs), samples)

    # -- dense -------------------------------------------------------------------------------
    @extension_point
    def dot_terms(self, xs, ws):
        """The input·weight pairs a weighted sum adds: every one."""
        return xs, ws

    @extension_point
    def bias_terms(self, bias) -> list:
        """The biases added to one weighted sum: its bias, once."""
        return [bias]

    @extension_point
    def bias_of(self, biases, sample: int, neuron: int):
        """The bias of one output of a dense layer: its neuron's."""
        return biases[neuron]

    def weighted_sum(self, xs, ws, bias=None):
        """Σ xs·ws + bias, summed as the port sums (no bias term when bias is None)."""
        xs, ws = self.dot_terms(xs, ws)
        extra = [] if bias is None else self.bias_terms(bias)
        return (self.dot_arith or self.arith).dot(xs, ws, extra)

    def _default_weighted_sums(self) -> bool:
        """Whether weighted_sum is Arith.dot(xs, ws, [biases[neuron]]): no override of the
        extension points it calls (a mistake's), so a dense layer is one Arith.dots."""
        cls = type(self)
        return (
            cls.weighted_sum is Engine.weighted_sum
            and cls.dot_terms is Engine.dot_terms
            and cls.bias_terms is Engine.bias_terms
            and cls.bias_of is Engine.bias_of
        )

    def dense(self, inputs, weights_kn, biases=None):
        """inputs @ weights_kn + biases (without biases when None)."""
        if len(weights_kn) != len(inputs[0]):  # only reachable through a mistake: np.dot raises
            raise _shape_error("shapes do not align for the matrix product")
        columns = transpose(weights_kn)
        if self._default_weighted_sums():
            return (self.dot_arith or self.arith).dots(inputs, columns, biases)
        return [
            [
                self.weighted_sum(row, col, None if biases is None else self.bias_of(biases, i, j))
                for j, col in enumerate(columns)
            ]
            for i, row in enumerate(inputs)
        ]

    @extension_point
    def as_inputs_neurons(self, weights):
        """Per-neuron weight rows (N, K) as the (K, N) matrix inputs @ W multiplies: their
        transpose."""
        return transpose(weights)

    def neuron(self, x, p):
        return {"output": self.weighted_sum(x["inputs"], x["weights"], x["bias"])}

    def layer(self, x, p):
        weights = self.as_inputs_neurons(x["weights"])
        return {"output": self.dense([x["inputs"]], weights, x["biases"])[0]}

    def dense_batch(self, x, p):
        weights = x["weights"]
        if p["weights_layout"] == "neurons_inputs":
            weights = self.as_inputs_neurons(weights)
        return {"output": self.dense(x["inputs"], weights, x["biases"])}

    # -- activations -------------------------------------------------------------------------
    @extension_point
    def relu_value(self, v):
        """ReLU of one value: max(0, v)."""
        return 0.0 if v < 0 else v

    def relu(self, x, p):
        def apply(value):
            return [apply(v) for v in value] if isinstance(value, list) else self.relu_value(value)

        return {"output": apply(x["inputs"])}

    @extension_point
    def softmax_rows(self, rows):
        """Softmax of a batch of logits: along each row."""
        return self.softmax_lines(rows)

    @extension_point
    def softmax_shift(self, rows):
        """What each logit is shifted by before exp, per element: its row's maximum."""
        return [[max(row)] * len(row) for row in rows]

    @extension_point
    def softmax_exp(self, x: Rounded) -> Rounded:
        """exp of one shifted logit."""
        return exp(x)

    @extension_point
    def softmax_denominator(self, exps) -> Rounded:
        """What a row's exponentials are divided by: their sum."""
        return self.total(exps)

    def softmax_lines(self, lines):
        """exp(x - shift) / Σ exp(x - shift) along each line (or exp(x - lse(x)))."""
        number, out = self.number, []
        for line, shift in zip(lines, self.softmax_shift(lines)):
            exps = [self.softmax_exp(number(v) - m) for v, m in zip(line, shift)]
            denominator = self.softmax_denominator(exps)
            if self.softmax_algorithm == "logsumexp":
                lse = shift[0] + log(denominator)
                out.append([exp(number(v) - lse).v for v in line])
            else:
                out.append([(e / denominator).v for e in exps])
        return out

    def softmax(self, x, p):
        return {"output": self.softmax_rows(x["inputs"])}

    # -- loss and accuracy -------------------------------------------------------------------
    @extension_point
    def clip_bounds(self) -> tuple[float, float]:
        """The cross-entropy's clip bounds: 1e-7 and 1 - 1e-7, in the port's dtype."""
        return self.arith.rnd(1e-7), self.arith.rnd(1 - 1e-7)

    @extension_point
    def clip(self, p: float, lo: float, hi: float) -> float:
        """A prediction clipped to [lo, hi] before its log."""
        return min(max(p, lo), hi)

    @extension_point
    def cce_log(self, p: float) -> float:
        """The cross-entropy's logarithm: the natural one."""
        return self.arith.log(p)

    def loss_of(self, p: float, lo: float, hi: float) -> float:
        """-ln(clip(p)): the loss of one confidence."""
        return -self.cce_log(self.clip(p, lo, hi))

    def losses(self, y_pred, y_true, label_format):
        """The sample losses and the loss of a batch."""
        if label_format == "sparse":
            return self.sparse_losses(y_pred, y_true)
        return self.onehot_losses(y_pred, y_true)

    @extension_point
    def sparse_losses(self, y_pred, y_true):
        """Class-index labels: each sample's confidence is y_pred[i][y_true[i]]."""
        lo, hi = self.clip_bounds()
        first = self.first_class()
        sample_losses = [
            self.loss_of(row[int(t) - first], lo, hi) for row, t in zip(y_pred, y_true)
        ]  # with a first class of 1, label 0 wraps to the last one
        return sample_losses, self.batch_loss(sample_losses)

    @extension_point
    def onehot_losses(self, y_pred, y_true):
        """One-hot labels: each sample's confidence is Σ_c clip(y_pred[i][c])·y_true[i][c]."""
        lo, hi = self.clip_bounds()
        number, sample_losses = self.number, []
        for row, truth in zip(y_pred, y_true):
            confidence = self.total(number(self.clip(v, lo, hi)) * t for v, t in zip(row, truth))
            sample_losses.append(-self.cce_log(confidence.v))
        return sample_losses, self.batch_loss(sample_losses)

    @extension_point
    def batch_loss(self, sample_losses) -> float:
        """The loss of the batch: the mean of its sample losses."""
        return self._per(self.total(sample_losses), len(sample_losses)).v

    def categorical_crossentropy(self, x, p):
        sample_losses, loss = self.losses(x["y_pred"], x["y_true"], p["label_format"])
        return {"sample_losses": sample_losses, "loss": loss}

    @extension_point
    def first_class(self) -> int:
        """The number of the first class: 0 (labels count classes from 0)."""
        return 0

    @extension_point
    def beats(self, v: float, best: float) -> bool:
        """argmax's tie rule: a later value replaces the best so far only when it is greater,
        so the first maximum wins a tie."""
        return v > best

    def argmax(self, row):
        """np.argmax: the first maximum, and the first NaN when there is one."""
        for i, v in enumerate(row):
            if v != v:
                return i
        best = 0
        for i, v in enumerate(row):
            if self.beats(v, row[best]):
                best = i
        return best

    @extension_point
    def predicted_classes(self, y_pred):
        """The predicted classes: the argmax of each row (axis=1)."""
        return [self.argmax(row) for row in y_pred]

    def accuracy_of(self, y_pred, y_true, label_format):
        predictions = self.predicted_classes(y_pred)
        if label_format == "sparse":
            return self.accuracy_against(predictions, [int(t) for t in y_true])
        return self.onehot_accuracy(predictions, y_true)

    @extension_point
    def onehot_accuracy(self, predictions, y_true):
        """The accuracy against one-hot labels: the class of a row is the position of its 1."""
        first = self.first_class()
        return self.accuracy_against(predictions, [row.index(1) + first for row in y_true])

    def accuracy_against(self, predictions, labels):
        """The predictions (numbered from the first class) and the share of them that hit."""
        first = self.first_class()
        predictions = [pr + first for pr in predictions]
        if len(predictions) == len(labels):
            matches = sum(pr == la for pr, la in zip(predictions, labels))
            count = len(labels)
        else:  # np.mean(predictions == labels) broadcasts, or raises
            same = np.equal(*numpy_broadcast(predictions, labels))
            matches, count = int(same.sum()), same.size
        return predictions, self.accuracy_ratio(matches, count)

    @extension_point
    def accuracy_ratio(self, matches: int, count: int) -> float:
        """The share of hits: matches / count, as a float."""
        if self.accuracy_additions:  # Σ over the hits of fl(1/B), as a sum of a float mask / B
            share = self.arith.rnd(1.0 / count)
            return self.arith.total([share] * matches)
        return self._per(self.number(matches), count).v

    def accuracy(self, x, p):
        predictions, accuracy = self.accuracy_of(x["y_pred"], x["y_true"], p["label_format"])
        return {"predictions": predictions, "accuracy": accuracy}

    # -- the whole network -------------------------------------------------------------------
    @extension_point
    def hidden_layer(self, inputs, weights, biases):
        """The first dense layer and its ReLU: dense1 = x·W1 + b1, relu1 = max(0, dense1)."""
        dense1 = self.dense(inputs, weights, biases)
        return dense1, [[self.relu_value(v) for v in row] for row in dense1]

    def network(self, inputs, weights1, biases1, weights2, biases2):
        """Dense -> ReLU -> Dense -> softmax: dense1, relu1, dense2 and the probabilities."""
        dense1, relu1 = self.hidden_layer(inputs, weights1, biases1)
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

    def dense_relu(self, x, p):
        dense, relu = self.hidden_layer(x["inputs"], x["weights"], x["biases"])
        return {"dense": dense, "relu": relu}

    def dense_relu_dense_softmax(self, x, p):
        layers = (x["weights1"], x["biases1"], x["weights2"], x["biases2"])
        dense1, relu1, dense2, probabilities = self.network(x["inputs"], *layers)
        return {"dense1": dense1, "relu1": relu1, "dense2": dense2, "softmax": probabilities}

    # -- backward passes (chapter 9) ---------------------------------------------------------
    @extension_point
    def gradient_outputs(self, outputs: int) -> float:
        """What a per-output gradient (BCE, MSE, MAE) is divided by: the outputs per sample."""
        return float(outputs)

    @extension_point
    def gradient_samples(self, samples: int) -> float:
        """What a batch gradient is divided by: the samples."""
        return float(samples)

    @extension_point
    def bias_gradient(self, dvalues):
        """dbiases: Σ_b dvalues[b], one sum per neuron (axis=0)."""
        return [self.arith.total(dv) for dv in transpose(dvalues)]

    def dense_gradients(self, inputs, weights, dvalues):
        """dweights = inputs.T @ dvalues, dbiases = Σ_b dvalues[b], dinputs = dvalues @ W.T."""
        a = self.dot_arith or self.arith
        dweights = a.dots(transpose(inputs), transpose(dvalues))
        dinputs = a.dots(dvalues, weights)
        return dweights, self.bias_gradient(dvalues), dinputs

    def dense_backward(self, x, p):
        dweights, dbiases, dinputs = self.dense_gradients(x["inputs"], x["weights"], x["dvalues"])
        return {"dweights": dweights, "dbiases": dbiases, "dinputs": dinputs}

    @extension_point
    def relu_gradient_value(self, x: float, dv: float) -> float:
        """The gradient ReLU passes back at one element: dv where its input was > 0, else 0."""
        return dv if x > 0 else 0.0

    def relu_gradient(self, inputs, dvalues):
        return ew(self.relu_gradient_value, inputs, dvalues)

    def relu_backward(self, x, p):
        return {"dinputs": self.relu_gradient(x["inputs"], x["dvalues"])}

    @extension_point
    def kept_inputs(self, first, second):
        """The inputs a Layer_Dense called twice saved for backward: the second call's."""
        return second

    @extension_point
    def kept_relu_inputs(self, first, second):
        """The inputs an Activation_ReLU called twice saved for backward: the second call's."""
        return second

    @extension_point
    def second_output(self, first, second):
        """The output after a second forward call: that call's alone."""
        return second

    def repeated_forward(self, x, p):
        weights, biases = x["weights"], x["biases"]
        dense1, output1 = self.hidden_layer(x["inputs1"], weights, biases)
        dense2, output2 = self.hidden_layer(x["inputs2"], weights, biases)
        relu_inputs = self.kept_relu_inputs(dense1, dense2)
        inputs = self.kept_inputs(x["inputs1"], x["inputs2"])
        if len(relu_inputs) != len(x["dvalues"]) or len(inputs) != len(x["dvalues"]):
            raise _shape_error("the saved inputs and dvalues have different batch sizes")
        drelu = self.relu_gradient(relu_inputs, x["dvalues"])
        dweights, dbiases, dinputs = self.dense_gradients(inputs, weights, drelu)
        return {
            "output1": output1,
            "output2": self.second_output(output1, output2),
            "dweights": dweights,
            "dbiases": dbiases,
            "dinputs": dinputs,
        }

    @extension_point
    def softmax_row_gradient(self, p, dv):
        """One row through softmax's backward: the Jacobian diag(p) - p·pᵀ, times dv."""
        number = self.number
        if self.rewritten:  # p_i·(dv_i - Σ_j p_j·dv_j)
            s = self.dot(p, dv)
            return [(pi * (number(d) - s)).v for pi, d in zip(p, dv)]
        jacobian = [
            [((pi if i == j else 0.0) - number(pi) * pj).v for j, pj in enumerate(p)]
            for i, pi in enumerate(p)
        ]
        return [self.arith.dot(row, dv, []) for row in jacobian]

    def softmax_gradient(self, output, dvalues):
        return [self.softmax_row_gradient(p, dv) for p, dv in zip(output, dvalues)]

    def softmax_backward(self, x, p):
        return {"dinputs": self.softmax_gradient(x["output"], x["dvalues"])}

    @staticmethod
    def onehot(y_true, classes):
        if y_true and isinstance(y_true[0], list):
            return y_true
        return [[1 if c == int(t) else 0 for c in range(classes)] for t in y_true]

    def clipped(self, values):
        """values clipped to [1e-7, 1 - 1e-7] in the port's dtype, as a loss's forward does."""
        lo, hi = self.arith.rnd(1e-7), self.arith.rnd(1 - 1e-7)
        return ew(lambda v: min(max(v, lo), hi), values)

    @extension_point
    def cce_backward_predictions(self, y_pred):
        """The predictions the cross-entropy backward divides by: y_pred itself, unclipped."""
        return y_pred

    def cce_gradient(self, y_pred, y_true):
        samples = self.gradient_samples(len(y_pred))
        truth = self.onehot(y_true, len(y_pred[0]))
        y_pred = self.cce_backward_predictions(y_pred)
        if self.rewritten:  # -y / (p·B)
            return self.each(lambda t, v: -float(t) / (v * samples), truth, y_pred)
        return self.each(lambda t, v: self._per(-float(t) / v, samples), truth, y_pred)

    def categorical_crossentropy_backward(self, x, p):
        return {"dinputs": self.cce_gradient(x["y_pred"], x["y_true"])}

    @extension_point
    def softmax_cce_divisor(self, y_pred) -> float:
        """What the combined softmax + cross-entropy gradient is divided by: the samples."""
        return self.gradient_samples(len(y_pred))

    def softmax_cce_gradient(self, y_pred, y_true, path="combined"):
        if path == "separate":
            return self.softmax_gradient(y_pred, self.cce_gradient(y_pred, y_true))
        truth = self.onehot(y_true, len(y_pred[0]))
        samples = self.softmax_cce_divisor(y_pred)
        return self.each(lambda v, t: self._per(v - t, samples), y_pred, truth)

    def softmax_crossentropy_backward(self, x, p):
        return {"dinputs": self.softmax_cce_gradient(x["y_pred"], x["y_true"], p["path"])}

    # -- regularization and dropout (chapters 14-15) -----------------------------------------
    @extension_point
    def l1_sign(self, w: Rounded) -> Rounded:
        """The book's dL1 at one value: +1 where w >= 0 (0 and -0.0 included), -1 where w < 0."""
        return w.like(-1.0 if w < 0 else 1.0)

    @extension_point
    def l2_slope(self, l2: Rounded) -> Rounded:
        """The L2 gradient's factor on w: 2·l2."""
        return 2 * l2

    def regularizer_gradient(self, values, l1, l2):
        two_l2 = self.l2_slope(l2)
        return self.each(lambda w: l1 * self.l1_sign(w) + two_l2 * w, values)

    def regularization(self, x, p):
        weights, biases = x["weights"], x["biases"]
        l1w, l2w, l1b, l2b = (x[name] for name in REGULARIZERS)
        weight_values = flat(weights)
        loss = self.total(
            [
                l1w * self.total(abs(w) for w in weight_values),
                l2w * self.dot(weight_values, weight_values),
                l1b * self.total(abs(b) for b in biases),
                l2b * self.dot(biases, biases),
            ]
        )
        return {
            "loss": loss.v,
            "dweights": self.regularizer_gradient(weights, l1w, l2w),
            "dbiases": self.regularizer_gradient(biases, l1b, l2b),
        }

    @extension_point
    def dropout_keep(self, rate: Rounded) -> Rounded:
        """The probability of keeping a value: 1 - rate."""
        return 1 - rate

    @extension_point
    def dropped(self, v: Rounded, mask: Rounded, keep: Rounded) -> Rounded:
        """One value through inverted dropout: the book's v·(mask / (1 - rate))."""
        if self.rewritten:  # (v·mask) / (1 - rate)
            return v * mask / keep
        return v * (mask / keep)

    def dropout(self, x, p):
        keep = self.dropout_keep(x["rate"])

        def apply(v, mask):
            return self.dropped(v, mask, keep)

        return {
            "output": self.each(apply, x["inputs"], x["mask"]),
            "dinputs": self.each(apply, x["dvalues"], x["mask"]),
        }

    # -- sigmoid and the losses of chapters 16-17 --------------------------------------------
    def sigmoid(self, x, p):
        output = self.each(lambda v: 1 / (1 + exp(-v)), x["inputs"])
        if self.rewritten:  # dv·s·(1 - s)
            dinputs = self.each(lambda d, s: d * s * (1 - s), x["dvalues"], output)
        else:  # the book: dv·(1 - s)·s
            dinputs = self.each(lambda d, s: d * (1 - s) * s, x["dvalues"], output)
        return {"output": output, "dinputs": dinputs}

    def _losses_and_mean(self, terms):
        """Per sample the mean of its terms, and the mean of those."""
        sample_losses = [self._per(self.total(row), len(row)).v for row in terms]
        return sample_losses, self._per(self.total(sample_losses), len(sample_losses)).v

    @extension_point
    def bce_backward_predictions(self, y_pred, clipped):
        """The predictions binary cross-entropy's backward divides by: the clipped ones."""
        return clipped

    def binary_crossentropy(self, x, p):
        y_pred, y_true = x["y_pred"], x["y_true"]
        clipped = self.clipped(y_pred)

        def loss(t, c):
            return -(t * log(c) + (1 - t) * log(1 - c))

        sample_losses, mean = self._losses_and_mean(self.each(loss, y_true, clipped))
        outputs = self.gradient_outputs(len(y_pred[0]))
        samples = self.gradient_samples(len(y_pred))

        def gradient(t, c):
            if self.rewritten:  # ((1 - y)/(1 - c) - y/c) / (O·B)
                return ((1 - t) / (1 - c) - t / c) / (outputs * samples)
            return self._per_both(-(t / c - (1 - t) / (1 - c)), outputs, samples)

        seen = self.bce_backward_predictions(y_pred, clipped)
        dinputs = self.each(gradient, y_true, seen)
        return {"sample_losses": sample_losses, "loss": mean, "dinputs": dinputs}

    @extension_point
    def binary_class(self, v: float) -> int:
        """A sigmoid output's class: 1 when strictly above 0.5, else 0."""
        return 1 if v > 0.5 else 0

    def binary_predictions(self, outputs):
        return [[self.binary_class(v) for v in row] for row in outputs]

    @extension_point
    def binary_hits(self, predictions, y_true):
        """The hits and the count binary accuracy divides by: every output of every sample."""
        pairs = [(a, int(b)) for pr, tr in zip(predictions, y_true) for a, b in zip(pr, tr)]
        return sum(a == b for a, b in pairs), len(pairs)

    def binary_accuracy(self, x, p):
        predictions = self.binary_predictions(x["y_pred"])
        hits, count = self.binary_hits(predictions, x["y_true"])
        return {"predictions": predictions, "accuracy": self.accuracy_ratio(hits, count)}

    @extension_point
    def linear_value(self, v):
        """Activation_Linear's output for one value: the value itself."""
        return v

    @extension_point
    def linear_gradient(self, inputs, dvalues):
        """Activation_Linear's backward: dvalues, unchanged (its derivative is 1)."""
        return [list(row) for row in dvalues]

    def linear(self, x, p):
        return {
            "output": ew(self.linear_value, x["inputs"]),
            "dinputs": self.linear_gradient(x["inputs"], x["dvalues"]),
        }

    @extension_point
    def within_precision(self, difference: Rounded, precision: Rounded) -> bool:
        """Whether a regression output counts as right: |y_pred - y_true| < precision."""
        return abs(difference) < precision

    def regression_accuracy(self, x, p):
        precision = self.number(x["precision"])
        hits = count = 0
        for pr, tr in zip(x["y_pred"], x["y_true"]):
            for q, t in zip(pr, tr):
                hits += self.within_precision(self.number(q) - t, precision)
                count += 1
        return {"accuracy": self.accuracy_ratio(hits, count)}

    @extension_point
    def mse_gradient_factor(self) -> float:
        """The factor of MSE's gradient: 2, from the derivative of the square."""
        return 2.0

    def mean_squared_error(self, x, p):
        y_pred, y_true = x["y_pred"], x["y_true"]
        diff = self.each(lambda t, v: t - v, y_true, y_pred)  # y_true - y_pred
        sample_losses = [self._per(self.dot(row, row), len(row)).v for row in diff]
        mean = self._per(self.total(sample_losses), len(sample_losses)).v
        outputs = self.gradient_outputs(len(y_pred[0]))
        samples = self.gradient_samples(len(y_pred))
        two = self.mse_gradient_factor()
        if self.rewritten:  # 2·(y_pred - y_true) / (O·B)
            dinputs = self.each(lambda d: two * -d / (outputs * samples), diff)
        else:  # -2·(y_true - y_pred) / O / B
            dinputs = self.each(lambda d: self._per_both(-two * d, outputs, samples), diff)
        return {"sample_losses": sample_losses, "loss": mean, "dinputs": dinputs}

    @extension_point
    def mae_slope(self, d: Rounded) -> Rounded:
        """MAE's gradient at y_true - y_pred = d: sign(y_pred - y_true), 0 where they are equal."""
        return -signum(d)

    def mean_absolute_error(self, x, p):
        y_pred, y_true = x["y_pred"], x["y_true"]
        diff = self.each(lambda t, v: t - v, y_true, y_pred)  # y_true - y_pred
        sample_losses, mean = self._losses_and_mean(ew(abs, diff))
        outputs = self.gradient_outputs(len(y_pred[0]))
        samples = self.gradient_samples(len(y_pred))
        if self.rewritten:
            dinputs = self.each(lambda d: self.mae_slope(d) / (outputs * samples), diff)
        else:
            dinputs = self.each(lambda d: self._per_both(self.mae_slope(d), outputs, samples), diff)
        return {"sample_losses": sample_losses, "loss": mean, "dinputs": dinputs}

    # -- optimizers (chapter 10): one step on one layer, the whole state in and out ----------
    def current_learning_rate(self, learning_rate, decay, iterations):
        """The book's decay: lr · 1 / (1 + decay · iterations)."""
        if not decay:
            return learning_rate
        if self.rewritten:  # lr0 / (1 + decay·t)
            return learning_rate / (1 + decay * iterations)
        return learning_rate * (1 / (1 + decay * iterations))

    @extension_point
    def descent(self, lr: Rounded) -> Rounded:
        """The step's factor on the gradient: -lr (the gradient is descended)."""
        return -lr

    @extension_point
    def momentum_rate(self, x, lr: Rounded, iterations: int):
        """SGD with momentum: the factor on the gradient in v = μ·v + factor·g, and what the
        update v is divided by: -lr, and 1."""
        return self.descent(lr), 1.0

    @extension_point
    def keeps_momentums(self, momentum: Rounded) -> bool:
        """Whether SGD updates its momentum arrays: only when it has momentum."""
        return bool(momentum)

    def _sgd(self, x, t):
        lr = self.current_learning_rate(x["learning_rate"], x["decay"], t)
        momentum = x["momentum"]
        step, factor = self.momentum_rate(x, lr, t) if momentum else (self.descent(lr), 1.0)
        out = {"learning_rate": lr, "iterations": t + 1}
        for name, state in (("weights", "weight_momentums"), ("biases", "bias_momentums")):
            grad, moms = x["d" + name], x[state]
            if self.keeps_momentums(momentum):
                moms = self.each(lambda m, g: momentum * m + step * g, moms, grad)
                updates = self.each(lambda m: m / factor, moms) if factor != 1.0 else moms
            else:  # without momentum the book keeps no momentums: they come back unchanged
                updates = self.each(lambda g: step * g, grad)
            out[name] = self.each(lambda w, u: w + u, x[name], updates)
            out[state] = moms
        return out

    @extension_point
    def adaptive_denominator(self, cache: Rounded, epsilon: Rounded) -> Rounded:
        """What Adagrad, RMSprop and Adam divide the step by: sqrt(cache) + epsilon."""
        return sqrt(cache) + epsilon

    @extension_point
    def epsilon(self, given: Rounded) -> Rounded:
        """The epsilon of an adaptive step: the one it is given."""
        return given

    def _adaptive(self, step, g, cache, epsilon):
        """-lr·g / (sqrt(cache) + epsilon): Adagrad's and RMSprop's update."""
        denominator = self.adaptive_denominator(cache, epsilon)
        if self.rewritten:  # -lr·(g / (sqrt(cache) + epsilon))
            return step * (g / denominator)
        return step * g / denominator

    def _cached(self, x, t, new_cache):
        lr = self.current_learning_rate(x["learning_rate"], x["decay"], t)
        step, epsilon = self.descent(lr), self.epsilon(x["epsilon"])
        out = {"learning_rate": lr, "iterations": t + 1}
        for name, state in (("weights", "weight_cache"), ("biases", "bias_cache")):
            grad = x["d" + name]
            cache = self.each(new_cache, x[state], grad)
            out[name] = self.each(
                lambda w, g, c: w + self._adaptive(step, g, c, epsilon), x[name], grad, cache
            )
            out[state] = cache
        return out

    def _adagrad(self, x, t):
        return self._cached(x, t, lambda c, g: c + g * g)

    def _rmsprop(self, x, t):
        rho = x["rho"]
        keep = 1 - rho
        return self._cached(x, t, lambda c, g: rho * c + keep * (g * g))

    @extension_point
    def adam_power(self, iterations: int) -> int:
        """The power of Adam's bias correction, 1 - β^power: iterations + 1 (1-based)."""
        return iterations + 1

    def _adam(self, x, t):
        lr = self.current_learning_rate(x["learning_rate"], x["decay"], t)
        step, epsilon = self.descent(lr), self.epsilon(x["epsilon"])
        beta_1, beta_2 = x["beta_1"], x["beta_2"]
        power = self.adam_power(t)
        correction_1, correction_2 = 1 - beta_1**power, 1 - beta_2**power
        one_minus_1, one_minus_2 = 1 - beta_1, 1 - beta_2
        # PyTorch's form computes its step size and sqrt(c2) in the arrays' dtype
        step_size = self.as_array(step) / correction_1
        root_2 = sqrt(self.as_array(correction_2))

        def momentum(m, g):
            if self.rewritten:  # m + (1 - β1)·(g - m), PyTorch's lerp
                return m + one_minus_1 * (g - m)
            return beta_1 * m + one_minus_1 * g

        def update(m, v):
            if self.rewritten:  # PyTorch: -(lr/c1)·m / (sqrt(v)/sqrt(c2) + epsilon)
                return step_size * (m / (sqrt(v) / root_2 + epsilon))
            m_hat, v_hat = m / correction_1, v / correction_2
            return step * m_hat / self.adaptive_denominator(v_hat, epsilon)

        out = {"learning_rate": lr, "iterations": t + 1}
        for name, moms, cache in (
            ("weights", "weight_momentums", "weight_cache"),
            ("biases", "bias_momentums", "bias_cache"),
        ):
            grad = x["d" + name]
            m = self.each(momentum, x[moms], grad)
            v = self.each(lambda c, g: beta_2 * c + one_minus_2 * (g * g), x[cache], grad)
            out[name] = self.each(lambda w, mm, vv: w + update(mm, vv), x[name], m, v)
            out[moms], out[cache] = m, v
        return out

    @staticmethod
    def _stage_outputs(out):
        """An optimizer step's outputs: its learning rate as a plain float."""
        return {**out, "learning_rate": plain(out["learning_rate"])}

    def sgd_step(self, x, p):
        return self._stage_outputs(self._sgd(x, int(x["iterations"])))

    def adagrad_step(self, x, p):
        return self._stage_outputs(self._adagrad(x, int(x["iterations"])))

    def rmsprop_step(self, x, p):
        return self._stage_outputs(self._rmsprop(x, int(x["iterations"])))

    def adam_step(self, x, p):
        return self._stage_outputs(self._adam(x, int(x["iterations"])))

    @extension_point
    def layer_state(self, states, layer: int):
        """The optimizer state update_params uses for a layer: that layer's own."""
        return states[layer]

    @extension_point
    def step_iterations(self, step: int, layer: int) -> int:
        """The iteration count an update of one layer sees: the step's (post_update_params
        raises it once per step, after every layer is updated)."""
        return step

    def shared_optimizer(self, x, p):
        layers = [{n: x[f"{n}{i}"] for n in ("weights", "biases")} for i in (1, 2)]
        grads = [{n: x[f"{n}{i}"] for n in ("dweights", "dbiases")} for i in (1, 2)]
        hyper = {name: x[name] for name in OPTIMIZER_HYPERPARAMETERS["adam"]}
        states = [
            {
                name: ew(lambda v: 0.0, layer["weights" if name.startswith("weight") else "biases"])
                for name in STATE["adam"]
            }
            for layer in layers
        ]
        for step in range(int(x["steps"])):
            for i, layer in enumerate(layers):
                state = self.layer_state(states, i)
                result = self._adam(
                    {**layer, **state, **grads[i], **hyper}, self.step_iterations(step, i)
                )
                layer.update({"weights": result["weights"], "biases": result["biases"]})
                state.update({name: result[name] for name in STATE["adam"]})
        return {f"{n}{i}": layers[i - 1][n] for i in (1, 2) for n in ("weights", "biases")}

    # -- training: the book's model, full batch, a few steps ---------------------------------
    @extension_point
    def next_base_rate(self, initial: Rounded, decayed: Rounded) -> Rounded:
        """The learning rate the next step decays from: the initial one, every step."""
        return initial

    def _model_layers(self, x, optimizer):
        """The two Layer_Dense of the book's model as the inputs give them, their optimizer state
        at zeros."""
        layers = [
            {"weights": x["weights1"], "biases": x["biases1"]},
            {"weights": x["weights2"], "biases": x["biases2"]},
        ]
        for layer in layers:
            for name in STATE[optimizer]:
                like = layer["weights"] if name.startswith("weight") else layer["biases"]
                layer[name] = ew(lambda v: 0.0, like)
        return layers

    def _model_forward(self, X, layers):
        """(dense1, relu1, dense2, probabilities) of the model's forward pass on X."""
        return self.network(X, *(layer[n] for layer in layers for n in PARAMETERS))

    def _model_gradients(self, X, y_true, layers, dense1, relu1, probabilities):
        """The combined softmax/cross-entropy gradient back through both layers, the data terms:
        [[dweights1, dbiases1], [dweights2, dbiases2]]."""
        dvalues = self.softmax_cce_gradient(probabilities, y_true)
        dweights2, dbiases2, drelu1 = self.dense_gradients(relu1, layers[1]["weights"], dvalues)
        ddense1 = self.relu_gradient(dense1, drelu1)
        dweights1, dbiases1, _ = self.dense_gradients(X, layers[0]["weights"], ddense1)
        gradients = [[dweights1, dbiases1], [dweights2, dbiases2]]
        for layer, pair in zip(layers, gradients):
            if not isinstance(pair[1], list):  # one number (a mistake): NumPy broadcasts it
                pair[1] = [pair[1]] * len(layer["biases"])
        return gradients

    def _model_step(self, layers, gradients, optimizer, hyper, iteration):
        """One optimizer step on both layers with the same iteration count: (the updated layers,
        the rate it used); hyper's rate becomes the one the next step decays from."""
        step, names = getattr(self, f"_{optimizer}"), ("weights", "biases", *STATE[optimizer])
        updated = []
        for layer, (dweights, dbiases) in zip(layers, gradients):
            result = step({**layer, **hyper, "dweights": dweights, "dbiases": dbiases}, iteration)
            updated.append({**layer, **{name: result[name] for name in names}})
        learning_rate = result["learning_rate"]
        hyper["learning_rate"] = self.next_base_rate(hyper["learning_rate"], learning_rate)
        return updated, learning_rate

    def training(self, x, p):
        optimizer, label_format, y_true = p["optimizer"], p["label_format"], x["y_true"]
        layers = self._model_layers(x, optimizer)
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
            dense1, relu1, _, probabilities = self._model_forward(x["inputs"], layers)
            record["loss"].append(self.losses(probabilities, y_true, label_format)[1])
            record["accuracy"].append(self.accuracy_of(probabilities, y_true, label_format)[1])
            gradients = self._model_gradients(
                x["inputs"], y_true, layers, dense1, relu1, probabilities
            )
            layers, learning_rate = self._model_step(layers, gradients, optimizer, hyper, iteration)
            record["learning_rate"].append(plain(learning_rate))
            for i, layer in enumerate(layers, start=1):
                record[f"weights{i}"].append(layer["weights"])
                record[f"biases{i}"].append(layer["biases"])
        return record

    # -- the Model (chapters 18-22) -----------------------------------------------------------
    @extension_point
    def flatten(self, image):
        """One image as one row: its rows one after another (reshape(N, -1), row-major)."""
        return [v for row in image for v in row]

    @extension_point
    def scaled(self, pixel: Rounded) -> Rounded:
        """A byte scaled to [-1, 1]: (pixel - 127.5) / 127.5."""
        return (pixel - 127.5) / 127.5

    @extension_point
    def shuffled_labels(self, labels, keys):
        """y[keys]: the labels moved with their images."""
        return [labels[k] for k in keys]

    def preprocess(self, x, p):
        rows = [self.each(self.scaled, self.flatten(image)) for image in x["images"]]
        keys = [int(k) for k in x["keys"]]
        labels = [int(label) for label in x["labels"]]
        return {"x": [rows[k] for k in keys], "y": self.shuffled_labels(labels, keys)}

    @extension_point
    def step_count(self, samples: int, batch_size: int) -> int:
        """Model.train's steps: samples // batch_size, plus one for a short last batch."""
        steps = samples // batch_size
        return steps + 1 if steps * batch_size < samples else steps

    @extension_point
    def batch_rows(self, rows, step: int, batch_size: int):
        """The rows of batch `step`: rows[step*batch_size:(step+1)*batch_size]."""
        return rows[step * batch_size : (step + 1) * batch_size]

    def batched(self, rows, batch_size: int):
        steps = self.step_count(len(rows), batch_size)
        return [self.batch_rows(rows, step, batch_size) for step in range(steps)]

    def batches(self, x, p):
        taken = self.batched(x["inputs"], int(x["batch_size"]))
        if any(not batch for batch in taken):  # an empty slice: batch[0] raises in NumPy
            raise _shape_error("an empty batch has no first row")
        return {
            "steps": len(taken),
            "batch_sizes": [len(batch) for batch in taken],
            "first_rows": [batch[0] for batch in taken],
            "last_rows": [batch[-1] for batch in taken],
        }

    def predictions(self, x, p):
        outputs, activation = x["inputs"], p["activation"]
        if activation == "softmax":
            return {"predictions": self.predicted_classes(outputs)}
        if activation == "sigmoid":
            return {"predictions": self.binary_predictions(outputs)}
        return {"predictions": [list(row) for row in outputs]}

    @extension_point
    def accumulated(self, sums, counts, of: str) -> Rounded:
        """A pass's value `of` ("loss" or "accuracy") from each batch's sum and count:
        Σ sums / Σ counts."""
        return self.total(sums) / self.total(counts)

    def evaluated(self, batches, label_format):
        """Model.evaluate's (loss, accuracy) of a pass from its batches' (outputs, labels): the
        sample losses and hits accumulated over the batches."""
        loss_sums, hit_counts, counts = [], [], []
        for y_pred, y_true in batches:
            sample_losses, _ = self.losses(y_pred, y_true, label_format)
            predictions, _ = self.accuracy_of(y_pred, y_true, label_format)
            first = self.first_class()  # as accuracy_against and onehot_accuracy number them
            labels = (
                [int(t) for t in y_true]
                if label_format == "sparse"
                else [row.index(1) + first for row in y_true]
            )
            loss_sums.append(plain(self.total(sample_losses)))
            hit_counts.append(float(sum(a == b for a, b in zip(predictions, labels))))
            counts.append(float(len(y_pred)))
        return (
            self.accumulated(loss_sums, counts, "loss"),
            self.accumulated(hit_counts, counts, "accuracy"),
        )

    def evaluate(self, x, p):
        size = int(x["batch_size"])
        batches = zip(self.batched(x["y_pred"], size), self.batched(x["y_true"], size))
        loss, accuracy = self.evaluated(batches, p["label_format"])
        return {"loss": plain(loss), "accuracy": plain(accuracy)}

    @extension_point
    def saved_value(self, value: float) -> float:
        """A parameter as the saved file gives it back: every digit (repr round trip)."""
        return value

    @extension_point
    def saved_layers(self, layers):
        """The (weights, biases) pairs set_parameters gets back: in the order they were saved."""
        return layers

    def parameters(self, x, p):
        layers = [[x[f"weights{i}"], x[f"biases{i}"]] for i in (1, 2)]
        loaded = [
            [ew(self.saved_value, array) for array in layer] for layer in self.saved_layers(layers)
        ]
        (w1, b1), (w2, b2) = loaded
        probabilities = self.network(x["inputs"], w1, b1, w2, b2)[3]
        return {
            "weights1": w1,
            "biases1": b1,
            "weights2": w2,
            "biases2": b2,
            "output": probabilities,
        }

    # -- the Model's training (chapters 18-19): mini-batches over epochs, validated after each
    @extension_point
    def regularizes_gradients(self) -> bool:
        """Whether the first layer's backward adds its regularization gradients to the data
        gradients (Layer_Dense.backward): it does."""
        return True

    @extension_point
    def epoch_regularization_parameters(self, before_last_update, after):
        """The first layer's parameters the epoch's regularization loss is computed from: those
        after the epoch's last update (calculate_accumulated, at the end of the epoch)."""
        return after

    @extension_point
    def epoch_loss(self, data_loss: Rounded, regularization_loss: Rounded) -> Rounded:
        """The loss an epoch prints: its data loss plus its regularization loss."""
        return data_loss + regularization_loss

    @extension_point
    def validation_loss(self, data_loss: Rounded, regularization_loss: Rounded) -> Rounded:
        """The validation's loss: its data loss alone (Model.evaluate's calculate leaves the
        regularization out)."""
        return data_loss

    def model_training(self, x, p):
        optimizer, label_format = p["optimizer"], p["label_format"]
        layers = self._model_layers(x, optimizer)
        hyper = {name: x[name] for name in OPTIMIZER_HYPERPARAMETERS[optimizer]}
        factors = [x[name] for name in REGULARIZERS]
        size = int(x["batch_size"])

        def batches(inputs, y_true):
            return zip(self.batched(inputs, size), self.batched(y_true, size))

        def regularization_loss(layer):
            regularizers = dict(zip(REGULARIZERS, factors))
            return self.number(self.regularization({**layer, **regularizers}, {})["loss"])

        record = {name: [] for name in EPOCH_OUTPUTS}
        iteration, learning_rate = 0, hyper["learning_rate"]
        for _ in range(int(x["epochs"])):
            seen, before_last_update = [], layers[0]
            for X, y_true in batches(x["inputs"], x["y_true"]):
                dense1, relu1, _, probabilities = self._model_forward(X, layers)
                seen.append((probabilities, y_true))
                gradients = self._model_gradients(X, y_true, layers, dense1, relu1, probabilities)
                if self.regularizes_gradients():  # Layer_Dense.backward: data + regularization
                    l1w, l2w, l1b, l2b = factors
                    (dweights1, dbiases1), first = gradients[0], layers[0]
                    gradients[0] = [
                        self.each(
                            lambda g, r: g + r,
                            dweights1,
                            self.regularizer_gradient(first["weights"], l1w, l2w),
                        ),
                        self.each(
                            lambda g, r: g + r,
                            dbiases1,
                            self.regularizer_gradient(first["biases"], l1b, l2b),
                        ),
                    ]
                before_last_update = layers[0]
                layers, learning_rate = self._model_step(
                    layers, gradients, optimizer, hyper, iteration
                )
                iteration += 1
            data_loss, accuracy = self.evaluated(seen, label_format)
            regularization = regularization_loss(
                self.epoch_regularization_parameters(before_last_update, layers[0])
            )
            record["loss"].append(plain(self.epoch_loss(data_loss, regularization)))
            record["data_loss"].append(plain(data_loss))
            record["regularization_loss"].append(plain(regularization))
            record["accuracy"].append(plain(accuracy))
            record["learning_rate"].append(plain(learning_rate))
            validation = [
                (self._model_forward(X, layers)[3], y)
                for X, y in batches(x["validation_inputs"], x["validation_y_true"])
            ]
            validation_loss, validation_accuracy = self.evaluated(validation, label_format)
            record["validation_loss"].append(
                plain(self.validation_loss(validation_loss, regularization))
            )
            record["validation_accuracy"].append(plain(validation_accuracy))
        for i, layer in enumerate(layers, start=1):
            record[f"weights{i}"] = layer["weights"]
            record[f"biases{i}"] = layer["biases"]
        return record

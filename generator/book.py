"""Exact goldens of the book tier: the book's own arithmetic, emulated in pure Python.

The book's numbers come from NumPy's legacy random stream and the `nnfs` package's float32
rules (docs/BOOK.md). Here every one of them is recomputed without NumPy's arithmetic:
- MT19937 is integer arithmetic; the 53-bit double is exact; the polar Gaussian needs `log`
  and `sqrt` correctly rounded (mpmath at 256 bits, `math.sqrt`);
- float32 rounding is `struct` (round to nearest even), every float32 operation is the exact
  float64 operation rounded once to float32 (exact for + - * / sqrt, since 53 >= 2*24 + 2);
- `np.dot` of the `nnfs` package is exact products summed in float64 and rounded once to float32:
  the golden rounds the exact sum, and gives 1 float32 ULP of tolerance where the float64 sum's
  order could move it across a float32 rounding boundary (never in the shipped cases so far);
- exp, log, sin and cos are correctly rounded (mpmath).

Every value carries an error bound (`Num.err`): zero when the value depends on no exp or log,
else the first-order effect of exp and log being off by up to K ULPs (as NumPy's SIMD kernels
are), propagated through each later float32 operation, plus one ULP per rounding that the
perturbation may move. That bound is the tolerance: bit-exact unless exp/log are upstream.
Comparisons (ReLU masks, argmax) are certified: no perturbation within the bounds may flip one.
"""

from __future__ import annotations

import functools
import math
import struct
from dataclasses import dataclass
from fractions import Fraction

import mpmath

mpmath.mp.prec = 256
# The book's rules ask for correctly rounded expf and logf; computing them in double and rounding
# once to float32 gives the correctly rounded result or, rarely (double rounding), 1 ULP off it.
K_EXP = K_LOG = 1


class BookCertificationError(AssertionError):
    """A case whose value a correct book-faithful port could legitimately get otherwise."""


def f32(x) -> float:
    """Round a float64 (or an exact Fraction, via its correctly rounded float64) to float32."""
    if isinstance(x, Fraction):
        return _f32_exact(x)
    return struct.unpack("<f", struct.pack("<f", x))[0]


def _f32_exact(q: Fraction) -> float:
    """Round an exact rational to the nearest float32 (ties to even), with no double rounding."""
    return _f32_ratio(q.numerator, q.denominator)


def _f32_ratio(n: int, d: int) -> float:
    """n / d (d > 0) rounded to the nearest float32 (ties to even), in integers alone."""
    if n == 0:
        return 0.0
    a = -n if n < 0 else n
    e = a.bit_length() - d.bit_length()  # 2^(e-1) < a/d < 2^(e+1)
    if (a << -e if e < 0 else a) < (d if e < 0 else d << e):
        e -= 1  # now 2^e <= a/d < 2^(e+1)
    e = max(e, -126)
    shift = 23 - e  # the float32 grid at a/d: multiples of 2^(e-23)
    num, den = (a << shift, d) if shift >= 0 else (a, d << -shift)
    k, rest = divmod(num, den)
    if 2 * rest > den or (2 * rest == den and k & 1):
        k += 1
    value = math.ldexp(k, -shift)  # k <= 2^24: exact
    return -value if n < 0 else value


SCALE = 149  # every float32 value, subnormals included, is a whole multiple of 2^-149


def _i(x: float) -> int:
    """x·2^149 exactly, for a float32 value x (every Num's v, lo and hi is one): sums of these
    are exact sums, products exact at 2^-298, with no Fraction built per term."""
    n, d = x.as_integer_ratio()
    shift = SCALE + 1 - d.bit_length()  # d is a power of two
    if shift < 0:
        raise ValueError(f"{x!r} is not a float32 value")
    return n << shift


def ulp32(x: float) -> float:
    x = abs(x)
    if x == 0:
        return 2.0**-149
    e = math.frexp(x)[1]
    return math.ldexp(1.0, max(e, -125) - 24)


# ----------------------------------------------------------------------------------------------
# NumPy's legacy random stream (np.random.seed(s), RandomState)


class MT19937:
    """MT19937 seeded by init_genrand, with NumPy's 53-bit double and cached polar Gaussian."""

    def __init__(self, seed: int):
        self.mt = [seed & 0xFFFFFFFF] + [0] * 623
        for i in range(1, 624):
            prev = self.mt[i - 1]
            self.mt[i] = (1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF
        self.index = 624
        self.has_gauss = False
        self.cached = 0.0

    def u32(self) -> int:
        if self.index >= 624:
            mt = self.mt
            for i in range(624):
                y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7FFFFFFF)
                mt[i] = mt[(i + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
            self.index = 0
        y = self.mt[self.index]
        self.index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        return y

    def double(self) -> float:
        a, b = self.u32() >> 5, self.u32() >> 6
        return (a * 67108864.0 + b) / 9007199254740992.0  # exact: a 53-bit integer / 2^53

    def gauss(self) -> float:
        if self.has_gauss:
            self.has_gauss = False
            return self.cached
        while True:
            x1 = 2.0 * self.double() - 1.0
            x2 = 2.0 * self.double() - 1.0
            r2 = x1 * x1 + x2 * x2
            if r2 < 1.0 and r2 != 0.0:
                break
        log_r2 = float(mpmath.log(mpmath.mpf(r2)))  # correctly rounded, as glibc's log
        f = math.sqrt(-2.0 * log_r2 / r2)
        self.cached = f * x1
        self.has_gauss = True
        return f * x2


def rng_values(seed: int, calls) -> list:
    """The `rng` stage: each call [kind, count] draws count u32 (0), doubles (1) or randn (2)."""
    rng = MT19937(seed)
    draw = {0: rng.u32, 1: rng.double, 2: rng.gauss}
    return [draw[int(kind)]() for kind, count in calls for _ in range(int(count))]


def shuffle_keys(seed: int, samples: int) -> list:
    """The `shuffle` stage: np.random.shuffle(arange(samples)), NumPy's legacy Fisher-Yates.

    From the last key down, the key to swap with is a 32-bit output masked to the bits of i,
    drawn again until it is at most i (NumPy's `random_interval`)."""
    rng = MT19937(seed)
    keys = list(range(samples))
    for i in range(samples - 1, 0, -1):
        mask = (1 << i.bit_length()) - 1
        j = rng.u32() & mask
        while j > i:
            j = rng.u32() & mask
        keys[i], keys[j] = keys[j], keys[i]
    return keys


# ----------------------------------------------------------------------------------------------
# Correctly rounded float64 transcendental functions, and "fragile" float32 roundings


def sin64(x: float) -> float:
    return float(mpmath.sin(mpmath.mpf(x)))


def cos64(x: float) -> float:
    return float(mpmath.cos(mpmath.mpf(x)))


def f32_of_f64_product(r: float, s: float, s_ulps: float) -> tuple[float, float]:
    """f32(r * s) in float64 where s (a sin or cos) may be off by s_ulps float64 ULPs in NumPy.

    Returns (value, tol): tol is one float32 ULP when such an error could move the float32
    rounding of the product, else 0.
    """
    p = r * s
    v = f32(p)
    slack = abs(r) * s_ulps * math.ulp(s) + 2 * math.ulp(p)
    return v, (ulp32(v) if f32(p - slack) != v or f32(p + slack) != v else 0.0)


SIN_ULPS = 4  # float64 sin/cos of NumPy (SVML on AVX-512) are within a few ULPs


def linspace(a: float, b: float, n: int) -> list[float]:
    """np.linspace in float64: i*step + start, the last element set to stop."""
    step = (b - a) / (n - 1) if n > 1 else 0.0
    y = [i * step + a for i in range(n)]
    if n > 1:
        y[-1] = b
    return y


def spiral(rng: MT19937, samples: int, classes: int):
    """nnfs.datasets.spiral_data: X float32 (column 0 r*sin, column 1 r*cos), y labels."""
    X, tol, y = [], [], []
    for c in range(classes):
        r = linspace(0.0, 1.0, samples)
        # NOTE: randn is float64 rounded to float32 (nnfs.init's astype), times 0.2 in float32
        noise = [f32(f32(rng.gauss()) * f32(0.2)) for _ in range(samples)]
        t = [a + b for a, b in zip(linspace(c * 4, (c + 1) * 4, samples), noise)]
        for ri, ti in zip(r, t):
            xs, ts = f32_of_f64_product(ri, sin64(ti * 2.5), SIN_ULPS)
            xc, tc = f32_of_f64_product(ri, cos64(ti * 2.5), SIN_ULPS)
            X.append([xs, xc])
            tol.append([ts, tc])
            y.append(c)
    return X, tol, y


def vertical(rng: MT19937, samples: int, classes: int):
    """nnfs.datasets.vertical_data: per class, `samples` Gaussians for x, then for y."""
    X, y = [], []
    for c in range(classes):
        xs = [f32(f32(f32(f32(rng.gauss()) * f32(0.1))) + f32(c / 3)) for _ in range(samples)]
        ys = [f32(f32(f32(f32(rng.gauss()) * f32(0.1))) + f32(0.5)) for _ in range(samples)]
        X += [[a, b] for a, b in zip(xs, ys)]
        y += [c] * samples
    return X, [[0.0, 0.0] for _ in X], y


def sine(samples: int):
    """nnfs.datasets.sine_data: float64 (np.arange is not patched), y = sin(2*pi*X)."""
    X = [[float(Fraction(i, samples))] for i in range(samples)]
    y = [[sin64(2 * math.pi * x[0])] for x in X]
    y_tol = [[SIN_ULPS * math.ulp(v[0])] for v in y]
    return X, [[0.0] for _ in X], y, y_tol


def dataset(name: str, seed: int, samples: int, classes: int) -> dict:
    if name == "sine":
        X, xtol, y, ytol = sine(samples)
        return {"x": (X, xtol), "y": (y, ytol)}
    rng = MT19937(seed)
    X, xtol, y = (spiral if name == "spiral" else vertical)(rng, samples, classes)
    return {"x": (X, xtol), "y": (y, [0] * len(y))}


def init_weights(rng: MT19937, n_inputs: int, n_neurons: int, scale: float) -> list[list[float]]:
    """Layer_Dense weights: scale * randn(n_inputs, n_neurons), row-major, in float32."""
    # NOTE: the Python scalar is rounded to float32 first; the product is a float32 product
    return [[f32(f32(scale) * f32(rng.gauss())) for _ in range(n_neurons)] for _ in range(n_inputs)]


def init(seed: int, skip: int, shapes, scale: float) -> list[float]:
    rng = MT19937(seed)
    for _ in range(int(skip)):
        rng.gauss()
    flat = []
    for n_in, n_out in shapes:
        flat += [w for row in init_weights(rng, int(n_in), int(n_out), scale) for w in row]
    return flat


# ----------------------------------------------------------------------------------------------
# Float32 numbers with an interval (the chapters)


@dataclass(frozen=True)
class Num:
    """A golden float32 value `v` (exp and log correctly rounded) and the interval [lo, hi] that
    holds what any book-faithful port computes, whose exp/log may be K ULPs off."""

    v: float
    lo: float | None = None
    hi: float | None = None

    def __post_init__(self):
        if self.lo is None:
            object.__setattr__(self, "lo", self.v)
            object.__setattr__(self, "hi", self.v)

    @property
    def exact(self) -> bool:
        return self.lo == self.hi == self.v

    @property
    def err(self) -> float:
        return max(self.v - self.lo, self.hi - self.v)

    # Python's operators are the float32 operations below; a plain Python number takes part as
    # NumPy takes a Python scalar with a float32 array: rounded to float32 (`scalar`). There
    # are no comparisons: the book's are certified (`positive`, `argmax`).
    def __add__(self, other) -> Num:
        return add(self, _num(other))

    def __radd__(self, other) -> Num:
        return add(_num(other), self)

    def __sub__(self, other) -> Num:
        return sub(self, _num(other))

    def __rsub__(self, other) -> Num:
        return sub(_num(other), self)

    def __mul__(self, other) -> Num:
        return mul(self, _num(other))

    def __rmul__(self, other) -> Num:
        return mul(_num(other), self)

    def __truediv__(self, other) -> Num:
        return div(self, _num(other))

    def __rtruediv__(self, other) -> Num:
        return div(_num(other), self)


ZERO = Num(0.0)


def _q(x) -> Fraction:
    return x if isinstance(x, Fraction) else Fraction(x)


def _rounded(v: float, lo, hi) -> Num:
    """The float32 results of every exact result in [lo, hi]: rounding is monotone."""
    return Num(v, min(v, _f32_exact(_q(lo))), max(v, _f32_exact(_q(hi))))


def _rounded_scaled(v: float, lo: int, hi: int, scale: int) -> Num:
    """_rounded for the exact ends lo·2^-scale and hi·2^-scale."""
    one = 1 << scale
    return Num(v, min(v, _f32_ratio(lo, one)), max(v, _f32_ratio(hi, one)))


def add(a: Num, b: Num) -> Num:
    v = f32(a.v + b.v)  # float32 + - * / sqrt: the float64 operation rounded once (53 >= 2*24+2)
    if a.exact and b.exact:
        return Num(v)
    return _rounded_scaled(v, _i(a.lo) + _i(b.lo), _i(a.hi) + _i(b.hi), SCALE)


def sub(a: Num, b: Num) -> Num:
    v = f32(a.v - b.v)
    if a.exact and b.exact:
        return Num(v)
    return _rounded_scaled(v, _i(a.lo) - _i(b.hi), _i(a.hi) - _i(b.lo), SCALE)


def _products(a: Num, b: Num) -> tuple[int, int]:
    """The least and the greatest of the exact products of the ends, times 2^(2·SCALE)."""
    alo, ahi, blo, bhi = _i(a.lo), _i(a.hi), _i(b.lo), _i(b.hi)
    ps = (alo * blo, alo * bhi, ahi * blo, ahi * bhi)
    return min(ps), max(ps)


def mul(a: Num, b: Num) -> Num:
    v = f32(a.v * b.v)
    if a.exact and b.exact:
        return Num(v)
    return _rounded_scaled(v, *_products(a, b), 2 * SCALE)


def div(a: Num, b: Num) -> Num:
    v = f32(a.v / b.v)
    if a.exact and b.exact:
        return Num(v)
    if b.lo <= 0 <= b.hi:
        raise BookCertificationError("a divisor's interval holds zero")
    qs = [_q(x) / _q(y) for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
    return _rounded(v, min(qs), max(qs))


def sqrt(a: Num) -> Num:
    v = f32(math.sqrt(a.v))
    if a.exact:
        return Num(v)
    lo = max(a.lo, 0.0)
    # float32 sqrt is correctly rounded: the float32 roots of the ends bound every result
    return Num(v, min(v, f32(math.sqrt(lo))), max(v, f32(math.sqrt(a.hi))))


def _mp_f32(x: mpmath.mpf) -> float:
    man, exp_ = x.man_exp
    man, exp_ = int(man), int(exp_)
    return _f32_ratio(man << exp_, 1) if exp_ >= 0 else _f32_ratio(man, 1 << -exp_)


def _next32(v: float, direction: int) -> float:
    bits = struct.unpack("<i", struct.pack("<f", v))[0]
    if v == 0:
        bits = 1 if direction > 0 else -2147483647
    elif (v > 0) == (direction > 0):
        bits += 1
    else:
        bits -= 1
    return struct.unpack("<f", struct.pack("<i", bits))[0]


def _k_steps(v: float, k: int) -> float:
    for _ in range(abs(k)):
        v = _next32(v, 1 if k > 0 else -1)
    return v


def _exp32(x) -> float:
    return _mp_f32(mpmath.exp(mpmath.mpf(_q(x).numerator) / _q(x).denominator))


def exp(a: Num) -> Num:
    """expf correctly rounded; a port's may be K_EXP ULPs off (exp(0) = 1 exactly everywhere)."""
    if a.exact and a.v == 0:
        return Num(1.0)
    v = _exp32(a.v)
    return Num(v, _k_steps(_exp32(a.lo), -K_EXP), _k_steps(_exp32(a.hi), K_EXP))


def _neg_log32(x) -> float:
    return _mp_f32(-mpmath.log(mpmath.mpf(_q(x).numerator) / _q(x).denominator))


def neg_log(a: Num) -> Num:
    """-logf correctly rounded; a port's may be K_LOG ULPs off (log(1) = 0 exactly)."""
    if a.lo <= 0:
        raise BookCertificationError("a logarithm's argument may reach zero")
    v = _neg_log32(a.v)
    if a.exact and a.v == 1:
        return Num(v)
    return Num(v, _k_steps(_neg_log32(a.hi), -K_LOG), _k_steps(_neg_log32(a.lo), K_LOG))


def scalar(x: float) -> Num:
    """A Python float scalar as NumPy uses it with a float32 array: rounded to float32."""
    return Num(f32(x))


def _num(x) -> Num:
    return x if isinstance(x, Num) else scalar(x)


def dot(xs: list[Num], ws: list[Num]) -> Num:
    """The patched np.dot: products and sum in float64, rounded once to float32.

    The float64 sum, in whatever order the BLAS takes, is within n*2^-52*Σ|x*w| of the exact
    sum: the interval covers every order, so an order-fragile float32 rounding is seen.
    """
    exact = lo = hi = 0  # times 2^(2·SCALE): every product of two float32 values is exact there
    magnitude = 0.0
    for x, w in zip(xs, ws):
        p = _i(x.v) * _i(w.v)
        exact += p
        if x.exact and w.exact:
            lo, hi = lo + p, hi + p
        else:
            plo, phi = _products(x, w)
            lo, hi = lo + plo, hi + phi
        magnitude += max(abs(x.lo), abs(x.hi)) * max(abs(w.lo), abs(w.hi))
    one = 1 << 2 * SCALE
    v = _f32_ratio(exact, one)
    slack = Fraction(len(xs) * 2.0**-52 * magnitude)
    return _rounded(v, Fraction(lo, one) - slack, Fraction(hi, one) + slack)


def matmul(a: list[list[Num]], b: list[list[Num]]) -> list[list[Num]]:
    cols = list(zip(*b))
    return [[dot(row, list(col)) for col in cols] for row in a]


def transpose(m):
    return [list(col) for col in zip(*m)]


def seq_sum(values: list[Num]) -> Num:
    total = ZERO
    for x in values:
        total = total + x
    return total


def pairwise_sum(values: list[Num]) -> Num:
    """NumPy's float32 pairwise summation of a contiguous 1-D array (np.sum, np.mean)."""
    n = len(values)
    if n < 8:
        return seq_sum(values)
    if n <= 128:
        r = list(values[:8])
        i = 8
        while i < n - n % 8:
            r = [r[j] + values[i + j] for j in range(8)]
            i += 8
        total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for x in values[i:]:
            total = total + x
        return total
    n2 = n // 2
    n2 -= n2 % 8
    return pairwise_sum(values[:n2]) + pairwise_sum(values[n2:])


def positive(x: Num) -> bool:
    """x > 0, certified: no port within the error bound decides otherwise."""
    if x.lo <= 0 < x.hi:
        raise BookCertificationError(f"a ReLU input {x.v!r} may have either sign")
    return x.v > 0


def argmax(row: list[Num]) -> int:
    """First maximum wins; certified: ties must be exact, wins must exceed both bounds."""
    best = 0
    for i, x in enumerate(row):
        if x.v > row[best].v:
            best = i
    top = row[best]
    for i, x in enumerate(row):
        tied_exactly = x.v == top.v and x.exact and top.exact
        if i != best and not tied_exactly and top.lo <= x.hi:
            raise BookCertificationError(f"argmax of {[y.v for y in row]} is within the bounds")
    return best


# ----------------------------------------------------------------------------------------------
# The book's network (chapters 3 to 10): Layer_Dense, ReLU, softmax + cross-entropy, optimizers


class Dense:
    def __init__(self, rng: MT19937, n_inputs: int, n_neurons: int):
        self.weights = [
            [Num(w) for w in row] for row in init_weights(rng, n_inputs, n_neurons, 0.01)
        ]
        self.biases = [ZERO] * n_neurons

    def forward(self, inputs):
        self.inputs = inputs
        self.output = [
            [v + b for v, b in zip(row, self.biases)] for row in matmul(inputs, self.weights)
        ]

    def stepped(self) -> Dense:
        """A copy of the parameters and their gradients, for an optimizer to update: this
        layer keeps its own (a later step starts from it, not over it)."""
        layer = Dense.__new__(Dense)
        layer.weights, layer.biases = self.weights, self.biases
        layer.dweights, layer.dbiases = self.dweights, self.dbiases
        return layer

    def backward(self, dvalues):
        self.dweights = matmul(transpose(self.inputs), dvalues)
        # np.sum(dvalues, axis=0): a sequential float32 accumulation row by row
        self.dbiases = [seq_sum(col) for col in transpose(dvalues)]
        self.dinputs = matmul(dvalues, transpose(self.weights))


def relu_forward(inputs):
    return [[x if positive(x) else ZERO for x in row] for row in inputs]


def relu_backward(dvalues, inputs):
    return [
        [d if positive(x) else ZERO for d, x in zip(drow, xrow)]
        for drow, xrow in zip(dvalues, inputs)
    ]


def softmax_forward(inputs):
    out = []
    for row in inputs:
        best = max(range(len(row)), key=lambda i: (row[i].v, -i))
        # np.max: the largest value, whichever element holds it in a port
        m = Num(row[best].v, max(x.lo for x in row), max(x.hi for x in row))
        certain = all(i == best or row[best].lo > x.hi for i, x in enumerate(row))
        # the maximum minus itself is exactly 0 in every port that finds the same maximum
        exps = [
            exp(ZERO if (i == best and certain) or (m.exact and x.v == m.v) else x - m)
            for i, x in enumerate(row)
        ]
        total = seq_sum(exps)  # np.sum(axis=1) over a few columns: sequential
        out.append([e / total for e in exps])
    return out


CLIP_LO, CLIP_HI = Num(f32(1e-7)), Num(f32(1 - 1e-7))


def cce_loss(probs, labels) -> Num:
    losses = []
    for row, label in zip(probs, labels):
        p = row[label]

        def clip(x):
            return min(max(x, CLIP_LO.v), CLIP_HI.v)

        losses.append(neg_log(Num(clip(p.v), clip(p.lo), clip(p.hi))))
    # np.mean of float32: pairwise float32 sum, then one float32 division by the count
    return pairwise_sum(losses) / Num(float(len(losses)))


def combined_backward(probs, labels):
    samples = Num(float(len(probs)))
    out = []
    for row, label in zip(probs, labels):
        row = list(row)
        row[label] = row[label] - Num(1.0)
        out.append([x / samples for x in row])
    return out


class Optimizer:
    """The book's optimizers (chapter 10), Python-float hyperparameters rounded to float32."""

    def __init__(self, kind: str, learning_rate: float, decay: float, momentum: float):
        self.kind, self.learning_rate, self.decay, self.momentum = (
            kind,
            learning_rate,
            decay,
            momentum,
        )
        self.current_learning_rate = learning_rate
        self.iterations = 0
        self.epsilon, self.rho, self.beta_1, self.beta_2 = 1e-7, 0.9, 0.9, 0.999
        self.state = {}

    def copy(self) -> Optimizer:
        """The same optimizer with its own state (`_update` writes the state in place)."""
        other = Optimizer(self.kind, self.learning_rate, self.decay, self.momentum)
        other.current_learning_rate, other.iterations = self.current_learning_rate, self.iterations
        other.state = {
            key: {name: [list(row) for row in rows] for name, rows in arrays.items()}
            for key, arrays in self.state.items()
        }
        return other

    def pre_update_params(self):
        if self.decay:  # Python float arithmetic, as the book
            self.current_learning_rate = self.learning_rate * (
                1.0 / (1.0 + self.decay * self.iterations)
            )

    def post_update_params(self):
        self.iterations += 1

    def _update(self, key, params, grads):
        """New values of one parameter array (lists of rows of Num), the book's formulas."""
        lr, eps = self.current_learning_rate, self.epsilon
        shape = [len(r) for r in params]
        st = self.state.setdefault(
            key, {"m": [[ZERO] * n for n in shape], "c": [[ZERO] * n for n in shape]}
        )
        out = []
        for i, (prow, grow) in enumerate(zip(params, grads)):
            new = []
            for j, (p, g) in enumerate(zip(prow, grow)):
                m, c = st["m"][i][j], st["c"][i][j]
                if self.kind == "sgd" and self.momentum:
                    upd = st["m"][i][j] = self.momentum * m - lr * g
                elif self.kind == "sgd":
                    upd = -lr * g
                elif self.kind == "adagrad":
                    c = st["c"][i][j] = c + g * g
                    upd = -lr * g / (sqrt(c) + eps)
                elif self.kind == "rmsprop":
                    c = st["c"][i][j] = self.rho * c + (1 - self.rho) * (g * g)
                    upd = -lr * g / (sqrt(c) + eps)
                elif self.kind == "adam":
                    t = self.iterations + 1
                    m = st["m"][i][j] = self.beta_1 * m + (1 - self.beta_1) * g
                    m_hat = m / (1 - self.beta_1**t)
                    c = st["c"][i][j] = self.beta_2 * c + (1 - self.beta_2) * (g * g)
                    c_hat = c / (1 - self.beta_2**t)
                    upd = -lr * m_hat / (sqrt(c_hat) + eps)
                else:
                    raise ValueError(f"unknown optimizer {self.kind!r}")
                new.append(p + upd)
            out.append(new)
        return out

    def update_params(self, name, layer):
        layer.weights = self._update(name + ".w", layer.weights, layer.dweights)
        biases = self._update(name + ".b", [layer.biases], [layer.dbiases])
        layer.biases = biases[0]


PRINTED = (
    "dense1_output",
    "softmax_output",
    "loss",
    "accuracy",
    "dweights1",
    "dbiases1",
    "dweights2",
    "dbiases2",
    "weights1",
    "biases1",
    "weights2",
    "biases2",
    "learning_rate",
)
HEAD = 5  # the book prints the first five rows of a batch


def chapters(
    seed: int,
    samples: int,
    classes: int,
    hidden: int,
    steps: int,
    printed: str,
    optimizer: str,
    learning_rate: float,
    decay: float,
    momentum: float,
):
    """One printed value of the book's chapter 3-10 script: (value, tol) as nested lists."""
    if printed == "learning_rate":  # pure float64: needs no data and no training
        opt = Optimizer(optimizer, learning_rate, decay, momentum)
        for _ in range(steps):
            opt.pre_update_params()
            opt.post_update_params()
        return opt.current_learning_rate, 0.0
    net = _network(seed, samples, classes, hidden, steps, optimizer, learning_rate, decay, momentum)
    return net.printed(printed)


class _Network:
    """The script's network after some steps: the data, both layers, the optimizer (None before
    the first step), and the passes at these parameters, each computed once and only when
    asked: the forward pass for any printed value, the backward pass for the gradients and for
    the next step."""

    def __init__(self, X, y, dense1: Dense, dense2: Dense, optimizer: Optimizer | None):
        self.X, self.y, self.dense1, self.dense2, self.optimizer = X, y, dense1, dense2, optimizer
        self._backward_done = False

    @functools.cached_property
    def probs(self):
        """The forward pass (each layer keeps its output): the softmax output."""
        self.dense1.forward(self.X)
        self.dense2.forward(relu_forward(self.dense1.output))
        return softmax_forward(self.dense2.output)

    def backward(self) -> None:
        """The backward pass, into both layers' dweights, dbiases and dinputs (once)."""
        if not self._backward_done:
            self.dense2.backward(combined_backward(self.probs, self.y))
            self.dense1.backward(relu_backward(self.dense2.dinputs, self.dense1.output))
            self._backward_done = True

    @functools.cached_property
    def loss(self) -> Num:
        return cce_loss(self.probs, self.y)

    def printed(self, name: str):
        """(value, tol) of one printed value, as nested lists: the script's own."""
        if name == "loss":
            return self.loss.v, self.loss.err
        probs = self.probs
        if name == "accuracy":  # certified only where a case prints it
            try:
                hits = sum(1 for row, label in zip(probs, self.y) if argmax(row) == label)
            except BookCertificationError:
                raise BookCertificationError(
                    f"{name} is not certain: a prediction is within bounds"
                ) from None
            return float(Fraction(hits, len(self.y))), 0.0
        if name == "dense1_output":
            value = self.dense1.output[:HEAD]
        elif name == "softmax_output":
            value = probs[:HEAD]
        else:  # weights1, dbiases2, ...: an array of layer 1 or 2
            array, layer = name[:-1], self.dense1 if name[-1] == "1" else self.dense2
            if array.startswith("d"):
                self.backward()
            value = getattr(layer, array)
            value = [value] if array.endswith("biases") else value
        return [[x.v for x in row] for row in value], [[x.err for x in row] for row in value]


@functools.cache
def _start(seed, samples, classes, hidden) -> _Network:
    """The data and the initial layers: the network every optimizer starts from."""
    rng = MT19937(seed)
    X, tol, y = spiral(rng, samples, classes)
    if any(t for row in tol for t in row):
        raise BookCertificationError("the spiral holds a value a float64 sin may round otherwise")
    X = [[Num(v) for v in row] for row in X]
    dense1 = Dense(rng, 2, hidden)
    dense2 = Dense(rng, hidden, classes)
    return _Network(X, y, dense1, dense2, None)


@functools.cache
def _network(
    seed, samples, classes, hidden, steps, optimizer, learning_rate, decay, momentum
) -> _Network:
    """The network after `steps` updates, from the one a step before (cached: both tiers ask,
    and a run of two steps passes through the run of one; every optimizer starts from
    `_start`)."""
    if steps == 0:
        return _start(seed, samples, classes, hidden)
    before = _network(
        seed, samples, classes, hidden, steps - 1, optimizer, learning_rate, decay, momentum
    )
    before.backward()
    opt = (
        before.optimizer.copy()
        if before.optimizer is not None
        else Optimizer(optimizer, learning_rate, decay, momentum)
    )
    dense1, dense2 = before.dense1.stepped(), before.dense2.stepped()
    opt.pre_update_params()
    opt.update_params("dense1", dense1)
    opt.update_params("dense2", dense2)
    opt.post_update_params()
    return _Network(before.X, before.y, dense1, dense2, opt)


# ----------------------------------------------------------------------------------------------
# The stages: {output name: (value, tol)}, the same at both tiers (the book's own arithmetic)


def _zeros(value):
    return [_zeros(v) for v in value] if isinstance(value, list) else 0.0

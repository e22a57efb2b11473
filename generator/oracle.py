"""Exact goldens: rational arithmetic for sums of products, 256-bit mpmath for exp and log.

Every value is the exact result of the stage on the inputs as a tier reads them, rounded once
to float64. Nothing here touches NumPy's BLAS or SIMD exp/log, so the bytes depend only on the
input bits, never on the CPU's vector units or library versions: regeneration is identical
on any CPU.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np

mpmath.mp.prec = 256
CLIP = 1e-7  # the book's clip; the bounds are [CLIP, 1 - CLIP] rounded to the tier's dtype


def to_tier(x: float, tier: str) -> float:
    """The value a port of `tier` holds after reading x (float32 rounds to nearest)."""
    return float(np.float32(x)) if tier == "float32" else float(x)


def clip_bounds(tier: str) -> tuple[float, float]:
    return to_tier(CLIP, tier), to_tier(1 - CLIP, tier)


def rounded(x) -> float:
    """Round an exact Fraction or a 256-bit mpf to the nearest float64."""
    if isinstance(x, Fraction):
        return float(x)  # int/int true division: correctly rounded in CPython
    return float(x)  # mpmath rounds to nearest from 256 bits


def dot(xs, ws, bias=0.0) -> Fraction:
    """Σ x·w + bias, exactly."""
    return sum((Fraction(x) * Fraction(w) for x, w in zip(xs, ws)), Fraction(bias))


def dense(inputs, weights_kn, biases) -> list[list[Fraction]]:
    """inputs (B, K) @ weights (K, N) + biases (N,), exactly."""
    columns = list(zip(*weights_kn))
    return [[dot(row, col, b) for col, b in zip(columns, biases)] for row in inputs]


def relu(x):
    if isinstance(x, list):
        return [relu(v) for v in x]
    return x if x > 0 else type(x)(0)  # Fraction stays Fraction; a zero result is +0.0


def _mpf(x) -> mpmath.mpf:
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    return mpmath.mpf(x)


def softmax_row(row) -> list[mpmath.mpf]:
    """exp(x - max) / Σ exp(x - max) at 256 bits; -inf logits get exactly 0."""
    finite = [x for x in row if x != -math.inf]
    m = max(finite)
    exps = [mpmath.mpf(0) if x == -math.inf else mpmath.exp(_mpf(x) - _mpf(m)) for x in row]
    total = mpmath.fsum(exps)
    return [e / total for e in exps]


def clip(p, tier: str):
    lo, hi = clip_bounds(tier)
    if isinstance(p, mpmath.mpf):
        return min(max(p, mpmath.mpf(lo)), mpmath.mpf(hi))
    return min(max(p, lo), hi)


def confidences(y_pred, y_true, label_format: str, tier: str) -> list:
    """The clipped probability of each sample's true class (one-hot: Σ clip(p)·y, exactly)."""
    if label_format == "sparse":
        return [clip(row[int(t)], tier) for row, t in zip(y_pred, y_true)]
    return [clip(row[list(y).index(1)], tier) for row, y in zip(y_pred, y_true)]


def neg_log(c) -> mpmath.mpf:
    return -mpmath.log(_mpf(c))


def labels_of(y_true, label_format: str) -> list[int]:
    if label_format == "sparse":
        return [int(t) for t in y_true]
    return [list(row).index(1) for row in y_true]


def argmax(row) -> int:
    """The first maximum wins, as np.argmax."""
    best = 0
    for i, v in enumerate(row):
        if v > row[best]:
            best = i
    return best

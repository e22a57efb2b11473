"""Per-element tolerances from forward error bounds (docs/TOLERANCES.md has the derivations).

Each bound holds for every correct evaluation order of the port's dtype: any summation order,
blocked or pairwise sums, FMA, accumulation in a wider type. Each also carries the golden's own
rounding to float64 (U_R·|y|) and an underflow floor.
"""

from __future__ import annotations

import math
from fractions import Fraction

U = {"float64": 2.0**-53, "float32": 2.0**-24}  # unit roundoff of the port's dtype
PRECISION = {"float64": 53, "float32": 24}
U_R = 2.0**-53  # rounding of the stored golden
SUBNORMAL = {"float64": 2.0**-1074, "float32": 2.0**-149}  # smallest positive value
NORMAL = {"float64": 2.0**-1022, "float32": 2.0**-126}  # smallest normal value
EMIN = {"float64": 1022, "float32": 126}  # NORMAL = 2^-EMIN
K_EXP = {"float64": 2, "float32": 4}  # ULPs allowed to exp and log (NumPy's own validation: 1-4)
K_LOG = K_EXP


def gamma(n: int, tier: str) -> float:
    """γ(n) = n·u / (1 - n·u): the classic bound factor for n roundings (Higham §3.1)."""
    nu = n * U[tier]
    return nu / (1 - nu)


def up(x: float) -> float:
    """Round a computed bound up past the float64 error of computing it."""
    return x * (1 + 2.0**-40)


def _quantum_exponent(terms: list[Fraction]) -> int | None:
    """The q for which every term is a multiple of 2^-q (None if a denominator is not a power
    of two)."""
    q = 0
    for t in terms:
        d = t.denominator
        if d & (d - 1):  # not a power of two
            return None
        q = max(q, d.bit_length() - 1)
    return q


def no_subnormal(terms: list[Fraction], tier: str) -> bool:
    """True when every term is a multiple of the smallest normal η: then every partial sum, in
    any order, with or without FMA, is 0 or at least η, so a port that flushes subnormals to
    zero (FTZ) computes the same as one that keeps them."""
    q = _quantum_exponent(terms)
    return q is not None and q <= EMIN[tier]


def dot_is_exact(terms: list[Fraction], tier: str) -> bool:
    """True when every partial sum in every order is representable, so all ports agree bitwise.

    Holds when all terms are multiples of 2^-q and Σ|terms| < 2^(precision - q), and no partial
    sum can be subnormal (2^-q >= η), so flushing subnormals to zero cannot change it either.
    """
    q = _quantum_exponent(terms)
    if q is None or q > EMIN[tier]:
        return False
    total = sum(abs(t) for t in terms)
    return total * 2**q < 2 ** PRECISION[tier]


def dot_tol(terms: list[Fraction], value: Fraction, tier: str, propagated: float = 0.0) -> float:
    """|fl(Σ terms) - Σ terms| <= γ(n)·Σ|terms| for n terms, any order (Higham, Jeannerod-Rump).

    `propagated` is an absolute error already in the inputs (forward pipeline), passed through
    the sum and counted in its magnitude.
    """
    if not propagated and dot_is_exact(terms, tier):
        return 0.0
    n = len(terms)
    magnitude = float(sum(abs(t) for t in terms)) + propagated
    # a port that flushes subnormal results to zero (FTZ) loses up to η per rounding wherever
    # a product or a partial sum can be subnormal
    flush = 0.0 if not propagated and no_subnormal(terms, tier) else n * NORMAL[tier]
    return up(
        gamma(n, tier) * magnitude
        + propagated
        + U_R * abs(float(value))
        + n * SUBNORMAL[tier]
        + flush
    )


def softmax_row_tol(row: list[float], probs: list[float], tier: str) -> list[float]:
    """Blanchard, Higham & Higham (2021) style bound for shift-exp-sum-divide and exp(x - lse).

    p_i·[u(|x_i - m| + |m| + 2 ln n + Σ p_j|x_j - m|) + 4·k_exp·u + (n+2)u] + u_r·p_i + 4η
    """
    u, n = U[tier], len(row)
    finite = [(x, p) for x, p in zip(row, probs) if x != -math.inf]
    m = max(x for x, _ in finite)
    spread = sum(p * abs(x - m) for x, p in finite)
    tols = []
    for x, p in zip(row, probs):
        relative = 0.0
        if x != -math.inf:
            relative = (
                u * (abs(x - m) + abs(m) + 2 * math.log(n) + spread)
                + 4 * K_EXP[tier] * u
                + (n + 2) * u
            )
        tols.append(up(p * relative + U_R * p + 4 * NORMAL[tier]))
    return tols


def neg_log_tol(loss: float, relative_input_error: float, tier: str) -> float:
    """-ln(c): k_log ULPs of the log, plus |ln(c(1+ρ)) - ln c| <= -ln(1-ρ) for an input off by ρ."""
    propagated = -math.log1p(-relative_input_error) if relative_input_error else 0.0
    return up(
        2 * K_LOG[tier] * U[tier] * (loss + propagated) + propagated + U_R * loss + 4 * NORMAL[tier]
    )


def mean_tol(values: list[float], tols: list[float], mean: float, tier: str) -> float:
    """Mean of B non-negative values, each off by tol_b: Σtol_b/B plus γ(B+1) for sum and divide."""
    b = len(values)
    carried = sum(tols) / b
    return up(
        carried + gamma(b + 1, tier) * (abs(mean) + carried) + U_R * abs(mean) + 4 * NORMAL[tier]
    )


def is_subnormal(x, tier: str) -> bool:
    """A nonzero number below the smallest normal: a DAZ port reads it as 0."""
    return x != 0 and abs(float(x)) < NORMAL[tier]

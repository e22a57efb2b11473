"""Bounded arithmetic: an exact value and a bound on how far any correct port can be from it.

Each `Bounded` holds `v`, the exact result at 256 bits (mpmath), and `e`, a float64 bound on
|port's value - v| for every correct evaluation in the tier's dtype. Every operation propagates
the operands' bounds exactly (first principles, no linearisation) and adds its own rounding:
u·|result| plus an underflow term, or nothing when the operands are exact and the result is
representable (a correctly rounded operation then returns it exactly). Sums and dot products use
the order-free bound γ(n)·Σ|terms|, so any summation order, FMA or wider accumulator is inside.

This is what makes multi-step stages (optimizer steps, training trajectories) sound without
guessing: where rounding could flip a ReLU mask or the sign of an Adam step, the bound of that
element grows to say so, and everything computed from it inherits the doubt. docs/TOLERANCES.md
has the rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

import mpmath
import numpy as np

from . import tolerance as t

mpmath.mp.prec = 256
SAFETY = 1 + 2.0**-20  # covers double rounding (a float32 port computing in float64) and the
#                        float64 arithmetic of the bounds themselves


class UnboundedError(ArithmeticError):
    """A quantity no correct port can be relied on to compute (a divisor that may be 0)."""


@dataclass(frozen=True)
class Bounded:
    """An exact value and its bound, with Python's operators: `a * b + c` is the tier's mul and
    add, a plain number taking part as an exact constant (`1 - rho`)."""

    v: mpmath.mpf
    e: float
    tier: Tier | None = field(default=None, repr=False, compare=False)  # whose rules round it

    @property
    def magnitude(self) -> float:
        """The largest |value| a port can hold."""
        return self.absf + self.e

    @cached_property
    def absf(self) -> float:
        """|v| rounded to float64, computed once: a number takes part in many sums."""
        return float(abs(self.v))

    def _rules(self, other=None) -> Tier:
        """The tier whose rules an operation on self (and other) follows."""
        tier = self.tier or getattr(other, "tier", None)
        if tier is None:
            raise TypeError("a Bounded made without its tier: make it with Tier's methods")
        return tier

    def _both(self, other) -> tuple[Tier, Bounded]:
        tier = self._rules(other)
        return tier, other if isinstance(other, Bounded) else tier.const(other)

    def __add__(self, other) -> Bounded:
        tier, b = self._both(other)
        return tier.add(self, b)

    def __radd__(self, other) -> Bounded:
        tier = self._rules()
        return tier.add(tier.const(other), self)

    def __sub__(self, other) -> Bounded:
        tier, b = self._both(other)
        return tier.sub(self, b)

    def __rsub__(self, other) -> Bounded:
        tier = self._rules()
        return tier.sub(tier.const(other), self)

    def __mul__(self, other) -> Bounded:
        tier, b = self._both(other)
        return tier.mul(self, b)

    def __rmul__(self, other) -> Bounded:
        tier = self._rules()
        return tier.mul(tier.const(other), self)

    def __truediv__(self, other) -> Bounded:
        tier, b = self._both(other)
        return tier.div(self, b)

    def __rtruediv__(self, other) -> Bounded:
        tier = self._rules()
        return tier.div(tier.const(other), self)

    def __pow__(self, n: int) -> Bounded:
        return self._rules().pow_int(self, n)

    def __neg__(self) -> Bounded:
        return Bounded(-self.v, self.e, self.tier)

    def __abs__(self) -> Bounded:
        return Bounded(abs(self.v), self.e, self.tier)


def exp(a: Bounded) -> Bounded:
    return a._rules().exp(a)


def log(a: Bounded) -> Bounded:
    return a._rules().log(a)


def sqrt(a: Bounded) -> Bounded:
    return a._rules().sqrt(a)


def _fraction(x: mpmath.mpf) -> Fraction:
    man, exp = mpmath.mpf(x).man_exp
    man, exp = int(man), int(exp)
    return Fraction(man << exp) if exp >= 0 else Fraction(man, 1 << -exp)


@dataclass(frozen=True)
class Tier:
    """The rounding rules of one dtype."""

    name: str

    def bounded(self, v: mpmath.mpf, e: float) -> Bounded:
        """A value of this tier: exact value v, bound e."""
        return Bounded(v, e, self)

    @property
    def u(self) -> float:
        return t.U[self.name] * SAFETY

    @property
    def eta(self) -> float:
        return t.SUBNORMAL[self.name]

    @property
    def normal(self) -> float:
        """η, the smallest normal number: what a flush-to-zero port can lose on one result."""
        return t.NORMAL[self.name]

    def may_be_subnormal(self, v: mpmath.mpf, e: float) -> bool:
        """Whether a port's result, anywhere within e of v, can be a nonzero subnormal: a port
        that flushes subnormals to zero (FTZ) gives 0 there, up to η away."""
        return not (v == 0 and e == 0) and float(abs(v)) - e < self.normal

    @property
    def floor(self) -> float:
        """Absolute slack for exp and log near underflow (flush-to-zero libraries included)."""
        return 4 * t.NORMAL[self.name]

    def representable(self, v: mpmath.mpf) -> bool:
        f = float(v)
        if not math.isfinite(f) or mpmath.mpf(f) != v:
            return False
        return self.name == "float64" or float(np.float32(f)) == f

    # -- values a port reads ---------------------------------------------------------------------
    def parse(self, x) -> Bounded:
        """An input as the tier reads it (the caller has already rounded it), for operations
        that do no arithmetic on it (a copy, a comparison): exact, subnormals included."""
        return self.bounded(mpmath.mpf(x), 0.0)

    def read(self, x) -> Bounded:
        """An input as arithmetic sees it: exact, except that a port may treat a subnormal
        operand as 0 (DAZ), |x| < η away."""
        return self.bounded(mpmath.mpf(x), abs(float(x)) if t.is_subnormal(x, self.name) else 0.0)

    def scalar(self, x) -> Bounded:
        """A hyperparameter: a float32 port may hold it in float64 (as the book's NumPy code
        does), which is within u·|x| of the float32 value the golden uses."""
        read = self.read(x).e
        return self.bounded(
            mpmath.mpf(x), read if self.name == "float64" else read + self.u * abs(x)
        )

    def const(self, x) -> Bounded:
        return self.bounded(mpmath.mpf(x), 0.0)

    # -- one rounding ------------------------------------------------------------------------------
    def _round(
        self, v: mpmath.mpf, propagated: float, underflow: bool = True, roundings: int = 1
    ) -> Bounded:
        if propagated == 0 and self.representable(v) and not self.may_be_subnormal(v, 0.0):
            return self.bounded(v, 0.0)
        e = (
            propagated
            + t.gamma(roundings, self.name) * SAFETY * (float(abs(v)) + propagated)
            + (self.eta * roundings if underflow else 0)
        )
        if self.may_be_subnormal(v, e):
            e += self.normal * roundings  # flushed to zero (FTZ), at any of the roundings
        if not math.isfinite(e) or float(abs(v)) + e > t_max(self.name):
            raise UnboundedError(f"a value near {float(v):.3g} may overflow {self.name}")
        return self.bounded(v, e)

    def add(self, a: Bounded, b: Bounded) -> Bounded:
        return self._round(a.v + b.v, a.e + b.e, underflow=False)

    def sub(self, a: Bounded, b: Bounded) -> Bounded:
        return self._round(a.v - b.v, a.e + b.e, underflow=False)

    def neg(self, a: Bounded) -> Bounded:
        return -a

    def mul(self, a: Bounded, b: Bounded) -> Bounded:
        propagated = a.absf * b.e + b.absf * a.e + a.e * b.e
        return self._round(a.v * b.v, propagated)

    def div(self, a: Bounded, b: Bounded) -> Bounded:
        room = b.absf - b.e
        if b.v == 0 or room <= 0:
            raise UnboundedError(f"a divisor near {float(b.v):.3g} may be 0 (bound {b.e:.3g})")
        v = a.v / b.v
        propagated = (a.e + float(abs(v)) * b.e) / room if (a.e or b.e) else 0.0
        # two roundings: a port may multiply by a rounded reciprocal, x·(1/B)
        return self._round(v, propagated, roundings=2)

    def per(self, a: Bounded, count: int) -> Bounded:
        """a divided by a count (samples B, outputs O). Every route is inside: a / n (one
        rounding), a·fl(1/n) (two); a chain per(per(a, O), B) covers a/O/B, a·fl(1/O)·fl(1/B),
        a·fl(fl(1/O)·fl(1/B)) and a·fl(1/(O·B)) (at most four roundings, (1 + γ(2))² - 1 >=
        (1 + u)⁴ - 1). Exact only where fl(1/n) = 1/n too: n a power of two, or a = 0."""
        n = int(count)
        assert n >= 1
        v = a.v / n
        propagated = a.e / n
        if n & (n - 1) == 0 or (a.v == 0 and a.e == 0):
            return self._round(v, propagated, roundings=2)
        e = (
            propagated
            + t.gamma(2, self.name) * SAFETY * (float(abs(v)) + propagated)
            + 2 * self.eta
        )
        if self.may_be_subnormal(v, e):
            e += 2 * self.normal
        return self.bounded(v, e)

    def sqrt(self, a: Bounded) -> Bounded:
        assert a.v >= 0
        v = mpmath.sqrt(a.v)
        if a.e == 0:
            propagated = 0.0
        else:
            below = float(mpmath.sqrt(max(a.v - mpmath.mpf(a.e), 0)))
            propagated = math.sqrt(a.e)  # sqrt is 1/2-Hölder: |√x - √y| <= √|x - y|
            if float(v) + below > 0:
                propagated = min(propagated, a.e / (float(v) + below))
        return self._round(v, propagated)

    def pow_int(self, a: Bounded, n: int) -> Bounded:
        """a**n for a small integer n >= 1: by repeated products or a libm pow (K ULPs)."""
        v = a.v**n
        if a.e == 0 and self.representable(v):
            return self.bounded(v, 0.0)
        relative_in = a.e / float(abs(a.v)) if a.v else math.inf
        propagated = float(abs(v)) * ((1 + relative_in) ** n - 1)
        rounding = t.gamma(max(n, t.K_EXP[self.name]), self.name) * (float(abs(v)) + propagated)
        e = propagated + rounding + self.eta
        return self.bounded(v, e + (n * self.normal if self.may_be_subnormal(v, e) else 0.0))

    def exp(self, a: Bounded) -> Bounded:
        v = mpmath.exp(a.v)
        k = t.K_EXP[self.name] * self.u
        e = float(v) * (math.expm1(a.e) + k * math.exp(a.e)) + self.floor
        return self.bounded(v, e)

    def log(self, a: Bounded) -> Bounded:
        if a.v <= 0 or a.e >= float(a.v) / 2:
            raise UnboundedError(f"log of a value near {float(a.v):.3g} with bound {a.e:.3g}")
        v = mpmath.log(a.v)
        propagated = -math.log1p(-a.e / float(a.v)) if a.e else 0.0
        k = t.K_LOG[self.name] * self.u
        if propagated == 0 and v == 0:
            return self.bounded(v, 0.0)  # log(1) is exactly 0 in every libm
        return self.bounded(v, propagated + k * (float(abs(v)) + propagated) + self.floor)

    def sigmoid(self, a: Bounded) -> Bounded:
        """1 / (1 + exp(-x)) as one primitive: exp's K ULPs and three roundings relative to
        the result; an input off by δ moves it by at most s·expm1(|δ|); exp(-x) overflowing
        to infinity gives 0 where s < 4·(smallest normal)."""
        v = 1 / (1 + mpmath.exp(-a.v))
        propagated = float(v) * math.expm1(a.e)
        rel = (t.K_EXP[self.name] + 3) * self.u
        return self.bounded(v, propagated + rel * (float(v) + propagated) + self.floor)

    # -- order-free sums ---------------------------------------------------------------------------
    def dot(self, xs, ws, extra=()) -> Bounded:
        """Σ xs·ws + Σ extra in any order, with FMA or a wider accumulator."""
        products = [x.v * w.v for x, w in zip(xs, ws)]
        propagated = sum(x.absf * w.e + w.absf * x.e + x.e * w.e for x, w in zip(xs, ws)) + sum(
            b.e for b in extra
        )
        v = mpmath.fsum(products + [b.v for b in extra])
        n = len(products) + len(extra)
        exact_terms = [
            _fraction(p) for (x, w), p in zip(zip(xs, ws), products) if x.e == 0 and w.e == 0
        ] + [_fraction(b.v) for b in extra if b.e == 0]
        if propagated == 0 and t.dot_is_exact(exact_terms, self.name):
            return self.bounded(v, 0.0)
        magnitude = (
            float(mpmath.fsum(abs(p) for p in products)) + sum(b.absf for b in extra) + propagated
        )
        e = propagated + t.gamma(max(n, 1), self.name) * SAFETY * magnitude + n * self.eta
        if self._partials_may_be_subnormal(xs, ws, extra, exact_terms):
            e += n * self.normal  # a product or partial sum flushed to zero (FTZ)
        return self.bounded(v, e)

    def _partials_may_be_subnormal(self, xs, ws, extra, exact_terms) -> bool:
        """Whether a product or a partial sum (any order, FMA or not) can be a nonzero
        subnormal. Exact terms that are multiples of η never make one; a term a port computes
        from uncertain operands can, unless it is certainly far from 0: a product of two floats
        of magnitude >= η·2^(2p) (and a sum term >= η·2^p) is a multiple of η."""
        if not t.no_subnormal(exact_terms, self.name):
            return True
        far = self.normal * 2.0 ** (2 * t.PRECISION[self.name])
        for x, w in zip(xs, ws):
            if x.e == 0 and w.e == 0:
                continue
            if (x.e == 0 and x.v == 0) or (w.e == 0 and w.v == 0):
                continue  # certainly exactly 0
            if (x.absf - x.e) * (w.absf - w.e) < far:
                return True
        return any(b.e and b.absf - b.e < far for b in extra)

    def total(self, xs) -> Bounded:
        return self.dot([], [], xs)

    def mean(self, xs) -> Bounded:
        return self.per(self.total(xs), len(xs))

    # -- piecewise functions (1-Lipschitz, no rounding) --------------------------------------------
    def relu(self, a: Bounded) -> Bounded:
        if a.v - mpmath.mpf(a.e) > 0:
            return a
        if a.v + mpmath.mpf(a.e) <= 0:
            return self.bounded(mpmath.mpf(0), 0.0)
        return self.bounded(max(a.v, mpmath.mpf(0)), a.e)

    def gate(self, condition: Bounded, a: Bounded) -> Bounded:
        """a where condition > 0, else 0; where rounding could decide the condition either way,
        the bound covers both answers."""
        if condition.v - mpmath.mpf(condition.e) > 0:
            return a
        if condition.v + mpmath.mpf(condition.e) <= 0:
            return self.bounded(mpmath.mpf(0), 0.0)
        value = a.v if condition.v > 0 else mpmath.mpf(0)
        return self.bounded(value, a.absf + a.e)

    def clip(self, a: Bounded, lo: float, hi: float) -> Bounded:
        if a.v + mpmath.mpf(a.e) <= lo:
            return self.bounded(mpmath.mpf(lo), 0.0)
        if a.v - mpmath.mpf(a.e) >= hi:
            return self.bounded(mpmath.mpf(hi), 0.0)
        return self.bounded(min(max(a.v, mpmath.mpf(lo)), mpmath.mpf(hi)), a.e)

    def maximum(self, xs) -> Bounded:
        return self.bounded(max(x.v for x in xs), max(x.e for x in xs))


def t_max(tier: str) -> float:
    return float(np.finfo(np.float32).max) if tier == "float32" else float(np.finfo(np.float64).max)


def golden(b: Bounded) -> tuple[float, float]:
    """(the exact value rounded once to float64, its tolerance)."""
    value = float(b.v)
    if b.e == 0:
        return value, 0.0
    return value, t.up(b.e + t.U_R * abs(value))

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
from dataclasses import dataclass
from fractions import Fraction

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
    v: mpmath.mpf
    e: float

    @property
    def magnitude(self) -> float:
        """The largest |value| a port can hold."""
        return float(abs(self.v)) + self.e


def _fraction(x: mpmath.mpf) -> Fraction:
    man, exp = mpmath.mpf(x).man_exp
    return Fraction(int(man)) * (Fraction(2) ** int(exp))


@dataclass(frozen=True)
class Tier:
    """The rounding rules of one dtype."""

    name: str

    @property
    def u(self) -> float:
        return t.U[self.name] * SAFETY

    @property
    def eta(self) -> float:
        return t.SUBNORMAL[self.name]

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
    def read(self, x) -> Bounded:
        """An input as the tier reads it (the caller has already rounded it): exact."""
        return Bounded(mpmath.mpf(x), 0.0)

    def scalar(self, x) -> Bounded:
        """A hyperparameter: a float32 port may hold it in float64 (as the book's NumPy code
        does), which is within u·|x| of the float32 value the golden uses."""
        return Bounded(mpmath.mpf(x), 0.0 if self.name == "float64" else self.u * abs(x))

    def const(self, x) -> Bounded:
        return Bounded(mpmath.mpf(x), 0.0)

    # -- one rounding ------------------------------------------------------------------------------
    def _round(self, v: mpmath.mpf, propagated: float, underflow: bool = True,
               roundings: int = 1) -> Bounded:
        if propagated == 0 and self.representable(v):
            return Bounded(v, 0.0)
        e = (propagated + t.gamma(roundings, self.name) * SAFETY * (float(abs(v)) + propagated)
             + (self.eta * roundings if underflow else 0))
        if not math.isfinite(e) or float(abs(v)) + e > t_max(self.name):
            raise UnboundedError(f"a value near {float(v):.3g} may overflow {self.name}")
        return Bounded(v, e)

    def add(self, a: Bounded, b: Bounded) -> Bounded:
        return self._round(a.v + b.v, a.e + b.e, underflow=False)

    def sub(self, a: Bounded, b: Bounded) -> Bounded:
        return self._round(a.v - b.v, a.e + b.e, underflow=False)

    def neg(self, a: Bounded) -> Bounded:
        return Bounded(-a.v, a.e)

    def mul(self, a: Bounded, b: Bounded) -> Bounded:
        propagated = float(abs(a.v)) * b.e + float(abs(b.v)) * a.e + a.e * b.e
        return self._round(a.v * b.v, propagated)

    def div(self, a: Bounded, b: Bounded) -> Bounded:
        room = float(abs(b.v)) - b.e
        if b.v == 0 or room <= 0:
            raise UnboundedError(f"a divisor near {float(b.v):.3g} may be 0 (bound {b.e:.3g})")
        v = a.v / b.v
        propagated = (a.e + float(abs(v)) * b.e) / room if (a.e or b.e) else 0.0
        # two roundings: a port may multiply by a rounded reciprocal, x·(1/B)
        return self._round(v, propagated, roundings=2)

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
        v = a.v ** n
        if a.e == 0 and self.representable(v):
            return Bounded(v, 0.0)
        relative_in = a.e / float(abs(a.v)) if a.v else math.inf
        propagated = float(abs(v)) * ((1 + relative_in) ** n - 1)
        rounding = t.gamma(max(n, t.K_EXP[self.name]), self.name) * (float(abs(v)) + propagated)
        return Bounded(v, propagated + rounding + self.eta)

    def exp(self, a: Bounded) -> Bounded:
        v = mpmath.exp(a.v)
        k = t.K_EXP[self.name] * self.u
        e = float(v) * (math.expm1(a.e) + k * math.exp(a.e)) + self.floor
        return Bounded(v, e)

    def log(self, a: Bounded) -> Bounded:
        if a.v <= 0 or a.e >= float(a.v) / 2:
            raise UnboundedError(f"log of a value near {float(a.v):.3g} with bound {a.e:.3g}")
        v = mpmath.log(a.v)
        propagated = -math.log1p(-a.e / float(a.v)) if a.e else 0.0
        k = t.K_LOG[self.name] * self.u
        if propagated == 0 and v == 0:
            return Bounded(v, 0.0)  # log(1) is exactly 0 in every libm
        return Bounded(v, propagated + k * (float(abs(v)) + propagated) + self.floor)

    def sigmoid(self, a: Bounded) -> Bounded:
        """1 / (1 + exp(-x)) as one primitive: exp's K ULPs and three roundings relative to
        the result; an input off by δ moves it by at most s·expm1(|δ|); exp(-x) overflowing
        to infinity gives 0 where s < 4·(smallest normal)."""
        v = 1 / (1 + mpmath.exp(-a.v))
        propagated = float(v) * math.expm1(a.e)
        rel = (t.K_EXP[self.name] + 3) * self.u
        return Bounded(v, propagated + rel * (float(v) + propagated) + self.floor)

    # -- order-free sums ---------------------------------------------------------------------------
    def dot(self, xs, ws, extra=()) -> Bounded:
        """Σ xs·ws + Σ extra in any order, with FMA or a wider accumulator."""
        products = [x.v * w.v for x, w in zip(xs, ws)]
        propagated = sum(float(abs(x.v)) * w.e + float(abs(w.v)) * x.e + x.e * w.e
                         for x, w in zip(xs, ws)) + sum(b.e for b in extra)
        v = mpmath.fsum(products + [b.v for b in extra])
        n = len(products) + len(extra)
        if propagated == 0 and t.dot_is_exact([_fraction(p) for p in products]
                                              + [_fraction(b.v) for b in extra], self.name):
            return Bounded(v, 0.0)
        magnitude = float(mpmath.fsum(abs(p) for p in products)) + sum(
            float(abs(b.v)) for b in extra) + propagated
        e = propagated + t.gamma(max(n, 1), self.name) * SAFETY * magnitude + n * self.eta
        return Bounded(v, e)

    def total(self, xs) -> Bounded:
        return self.dot([], [], xs)

    def mean(self, xs) -> Bounded:
        return self.div(self.total(xs), self.const(len(xs)))

    # -- piecewise functions (1-Lipschitz, no rounding) --------------------------------------------
    def relu(self, a: Bounded) -> Bounded:
        if a.v - mpmath.mpf(a.e) > 0:
            return a
        if a.v + mpmath.mpf(a.e) <= 0:
            return Bounded(mpmath.mpf(0), 0.0)
        return Bounded(max(a.v, mpmath.mpf(0)), a.e)

    def gate(self, condition: Bounded, a: Bounded) -> Bounded:
        """a where condition > 0, else 0; where rounding could decide the condition either way,
        the bound covers both answers."""
        if condition.v - mpmath.mpf(condition.e) > 0:
            return a
        if condition.v + mpmath.mpf(condition.e) <= 0:
            return Bounded(mpmath.mpf(0), 0.0)
        value = a.v if condition.v > 0 else mpmath.mpf(0)
        return Bounded(value, float(abs(a.v)) + a.e)

    def clip(self, a: Bounded, lo: float, hi: float) -> Bounded:
        if a.v + mpmath.mpf(a.e) <= lo:
            return Bounded(mpmath.mpf(lo), 0.0)
        if a.v - mpmath.mpf(a.e) >= hi:
            return Bounded(mpmath.mpf(hi), 0.0)
        return Bounded(min(max(a.v, mpmath.mpf(lo)), mpmath.mpf(hi)), a.e)

    def maximum(self, xs) -> Bounded:
        return Bounded(max(x.v for x in xs), max(x.e for x in xs))


def t_max(tier: str) -> float:
    return float(np.finfo(np.float32).max) if tier == "float32" else float(np.finfo(np.float64).max)


def golden(b: Bounded) -> tuple[float, float]:
    """(the exact value rounded once to float64, its tolerance)."""
    value = float(b.v)
    if b.e == 0:
        return value, 0.0
    return value, t.up(b.e + t.U_R * abs(value))

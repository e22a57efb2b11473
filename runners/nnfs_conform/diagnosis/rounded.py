"""Rounded numbers: the emulator's arithmetic written with Python's operators.

A `Rounded` is one number as a port holds it in its dtype. Every operation on it (`+ - * / **`)
is rounded once, as that port rounds (its Arith's `rnd`), and `exp`, `log` and `sqrt` are the
dtype's own, so the emulator's formulas read like the reference: `d * (1 - s) * s` is the three
roundings a port makes, in that order. Division is IEEE's: x/0 is ±inf and 0/0 is NaN, where
Python raises; a power that overflows is inf.

Each arithmetic has its own subclass (`rounded_type(arith)`), which holds the rounding, so a
number is one slot. A plain operand (a label, a count, the literal 1) takes part as it is; an
operation between a hyperparameter of another dtype (`scalar=True`: a float32 port holding its
learning rate in float64) and an array element is rounded as the array's dtype is.

Sums and dot products are not written here: their order is what ports differ in, so they go
through the Arith's summation, on plain floats.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any, ClassVar


def ieee_div(a: float, b: float) -> float:
    """IEEE division (Python raises on b == 0; a port's float division does not)."""
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def ieee_pow(a: float, b: float) -> float:
    """a ** b, inf where Python raises on overflow."""
    try:
        return a**b
    except OverflowError:
        return math.inf


class Rounded:
    """One number of a port's dtype; `v` is its value, a plain float (or int)."""

    __slots__ = ("v",)
    arith: ClassVar[Any]  # the Arith: rnd, exp, log, sqrt
    rnd: ClassVar[Callable[[float], float]]
    scalar: ClassVar[bool] = False  # a hyperparameter: defers to an array element's rounding

    def __init__(self, v: float) -> None:
        self.v = v

    def like(self, value: float) -> Rounded:
        """value, unrounded, as a number of this one's dtype."""
        return self.__class__(value)

    def _with(self, other) -> tuple[type[Rounded], float]:
        """The type of a result of self and other, and other's value."""
        if other.__class__ is self.__class__:
            return self.__class__, other.v
        if isinstance(other, Rounded):
            wider = other.__class__ if self.scalar and not other.scalar else self.__class__
            return wider, other.v
        return self.__class__, other

    # -- the four operations, each rounded once (+ - * skip _with for two numbers of one dtype,
    # the common case: it would answer their own class and value) ---------------------------------
    def __add__(self, other) -> Rounded:
        cls = self.__class__
        if other.__class__ is not cls:
            cls, other = self._with(other)
            return cls(cls.rnd(self.v + other))
        return cls(cls.rnd(self.v + other.v))

    def __radd__(self, other) -> Rounded:
        return self.__class__(self.__class__.rnd(other + self.v))

    def __sub__(self, other) -> Rounded:
        cls = self.__class__
        if other.__class__ is not cls:
            cls, other = self._with(other)
            return cls(cls.rnd(self.v - other))
        return cls(cls.rnd(self.v - other.v))

    def __rsub__(self, other) -> Rounded:
        return self.__class__(self.__class__.rnd(other - self.v))

    def __mul__(self, other) -> Rounded:
        cls = self.__class__
        if other.__class__ is not cls:
            cls, other = self._with(other)
            return cls(cls.rnd(self.v * other))
        return cls(cls.rnd(self.v * other.v))

    def __rmul__(self, other) -> Rounded:
        return self.__class__(self.__class__.rnd(other * self.v))

    def __truediv__(self, other) -> Rounded:
        cls, o = self._with(other)
        return cls(cls.rnd(self.v / o if o else ieee_div(self.v, o)))

    def __rtruediv__(self, other) -> Rounded:
        return self.__class__(
            self.__class__.rnd(other / self.v if self.v else ieee_div(other, self.v))
        )

    def __pow__(self, other) -> Rounded:
        cls, o = self._with(other)
        return cls(cls.rnd(ieee_pow(self.v, o)))

    def __rpow__(self, other) -> Rounded:
        return self.__class__(self.__class__.rnd(ieee_pow(other, self.v)))

    # -- exact ones -------------------------------------------------------------------------------
    def __neg__(self) -> Rounded:
        return self.__class__(-self.v)

    def __abs__(self) -> Rounded:
        return self.__class__(abs(self.v))

    def __float__(self) -> float:
        return float(self.v)

    def __bool__(self) -> bool:
        return bool(self.v)

    # -- comparisons, of the values ---------------------------------------------------------------
    def __eq__(self, other) -> bool:
        return self.v == _value(other)

    def __ne__(self, other) -> bool:
        return self.v != _value(other)

    def __lt__(self, other) -> bool:
        return self.v < _value(other)

    def __le__(self, other) -> bool:
        return self.v <= _value(other)

    def __gt__(self, other) -> bool:
        return self.v > _value(other)

    def __ge__(self, other) -> bool:
        return self.v >= _value(other)

    def __hash__(self) -> int:
        return hash(self.v)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.v!r})"


def _value(x):
    return x.v if isinstance(x, Rounded) else x


def plain(x):
    """A Rounded's value; anything else as it is."""
    return x.v if isinstance(x, Rounded) else x


def exp(x: Rounded) -> Rounded:
    return x.__class__(x.arith.exp(x.v))


def log(x: Rounded) -> Rounded:
    return x.__class__(x.arith.log(x.v))


def sqrt(x: Rounded) -> Rounded:
    return x.__class__(x.arith.sqrt(x.v))


@cache
def rounded_type(arith, scalar: bool = False) -> type[Rounded]:
    """The Rounded subclass of one arithmetic (an Arith: rnd, exp, log, sqrt), for its arrays or
    (scalar=True) for hyperparameters held apart from them."""
    name = "RoundedScalar" if scalar else "Rounded"
    return type(
        name,
        (Rounded,),
        {"__slots__": (), "arith": arith, "rnd": staticmethod(arith.rnd), "scalar": scalar},
    )

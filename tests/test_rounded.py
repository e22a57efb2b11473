"""The emulator's number types: each operator is one rounding, IEEE division, and the fast float32
rounding is NumPy's.

`Rounded` (nnfs_conform.diagnosis.rounded) lets the emulator write `d * (1 - s) * s` for the
roundings a port makes; these checks pin that each operator is the plain operation rounded once
by the Arith, that division and powers give what a port's float arithmetic gives where Python
raises, that a hyperparameter held in float64 defers to the float32 array it meets, and that the
struct-based `f32` rounds exactly as a NumPy float32 does (ties, overflow, subnormals).
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from nnfs_conform.diagnosis.emulator import ARITH, Engine, f32, is_extension_point
from nnfs_conform.diagnosis.mistakes import MISTAKES
from nnfs_conform.diagnosis.rounded import exp, log, plain, rounded_type, sqrt

F32 = rounded_type(ARITH["float32"])
F64 = rounded_type(ARITH["float64"])
SCALAR64 = rounded_type(ARITH["float64"], scalar=True)

EDGES = [
    0.0,
    -0.0,
    math.inf,
    -math.inf,
    1.0 + 2.0**-24,  # a tie: to even, 1.0
    1.0 + 3 * 2.0**-24,  # a tie: to even, 1 + 2^-22
    3.4028235677973366e38,  # float32's largest
    3.4028235677973366e38 * (1 + 2.0**-25),  # rounds down to it
    3.4028235677973366e38 * (1 + 2.0**-24),  # the tie above it: inf
    2.0**-149,  # the smallest subnormal
    2.0**-150,  # its half: a tie, to 0
    1.5 * 2.0**-150,  # rounds up to it
    -(2.0**-130) * 1.3,
    1e300,
    -1e300,
]


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (
        a == b and math.copysign(1, a) == math.copysign(1, b)
    )


@pytest.mark.parametrize("x", EDGES)
def test_f32_rounds_as_a_numpy_float32_on_the_edges(x):
    with np.errstate(over="ignore"):
        assert _same(f32(x), float(np.float32(x)))


def test_f32_rounds_as_a_numpy_float32_across_the_range():
    rng = random.Random(19)
    for _ in range(20000):
        x = rng.uniform(-1, 1) * 2.0 ** rng.randint(-160, 140)
        with np.errstate(over="ignore"):
            assert _same(f32(x), float(np.float32(x))), x
    assert math.isnan(f32(math.nan))


def test_each_operator_is_one_rounding():
    d, s, c = 0.1, 0.7, 3.3
    value = F32(d) * (1 - F32(s)) * F32(s) + c
    assert value.v == f32(f32(f32(d * f32(1 - s)) * s) + c)
    assert (F32(d) / s).v == f32(d / s)
    assert (c - F32(d)).v == f32(c - d)
    assert (F32(0.9) ** 3).v == f32(0.9**3)
    assert (-F32(d)).v == -d and abs(F32(-d)).v == d
    assert exp(F32(d)).v == ARITH["float32"].exp(d)
    assert log(F32(c)).v == ARITH["float32"].log(c)
    assert sqrt(F32(c)).v == f32(math.sqrt(c))


def test_division_and_powers_give_what_float_arithmetic_gives():
    assert (F64(1.0) / 0.0).v == math.inf
    assert (F64(-1.0) / 0.0).v == -math.inf
    assert (F64(1.0) / -0.0).v == -math.inf
    assert math.isnan((F64(0.0) / 0.0).v)
    assert (1 / F64(0.0)).v == math.inf
    assert (2.71828 ** F64(1000.0)).v == math.inf  # Python raises OverflowError
    assert (F32(1e30) * 1e30).v == math.inf


def test_a_hyperparameter_of_another_dtype_defers_to_the_array_it_meets():
    lr = SCALAR64(0.1)  # not a float32 number
    assert (lr * 1.0).v == 0.1  # hyperparameters alone: float64
    assert type(lr * F32(1.0)) is F32 and (lr * F32(1.0)).v == f32(0.1)
    assert type(F32(1.0) * lr) is F32 and (F32(1.0) - lr).v == f32(1.0 - 0.1)


def test_plain_leaves_anything_but_a_number_as_it_is():
    assert plain(F32(0.5)) == 0.5 and plain(3) == 3 and plain("NaN") == "NaN"


def test_every_mistake_is_the_engine_with_extension_points_overridden_or_its_own_build():
    for mistake in MISTAKES:
        assert bool(mistake.overrides) != (mistake.build is not None), mistake.id
        for name in mistake.overrides:
            assert is_extension_point(name), (mistake.id, name)
            assert getattr(mistake.engine, name) is not getattr(Engine, name)

"""The emulator's NumPy fast paths give the scalar path's bits, on any input.

`Arith.dots` sums a whole matrix product a column of terms at a time in NumPy when the
arithmetic is a plain sequential one (`sequential_dots`); `Engine.dense` and
`Engine.dense_gradients` go through it. Each is pinned here to the scalar path it replaces,
`Arith.dot` entry by entry, compared as `struct.pack("d")` bytes (so -0.0 is not 0.0 and a NaN's
bits count), on random inputs and hostile ones: inf, NaN, signed zeros, subnormals, products and
sums that overflow float32, and empty dimensions.
"""

from __future__ import annotations

import math
import random
import struct
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest

from nnfs_conform.diagnosis import emulator
from nnfs_conform.diagnosis.emulator import ARITH, Arith, Engine, f32, sequential_dots, transpose
from nnfs_conform.diagnosis.mistakes import BY_ID

TIERS = ("float64", "float32")
HOSTILE = (
    0.0,
    -0.0,
    math.inf,
    -math.inf,
    math.nan,
    -math.nan,
    5e-324,  # the smallest float64 subnormal
    -(2.0**-1074),
    2.0**-149,  # the smallest float32 subnormal
    1.5 * 2.0**-140,  # a float32 subnormal
    2.0**-1022,
    3.0e38,  # near float32's largest: sums overflow it
    -3.4028234663852886e38,
    1e30,  # squares overflow float32
    1e200,  # products overflow float64 too
    -1e300,
    1.0,
    -1.0,
    0.1,
    1 / 3,
)


def bits(value) -> bytes | list:
    """Nested lists of floats as their float64 bytes."""
    if isinstance(value, list):
        return [bits(v) for v in value]
    return struct.pack("d", value)


def scalar_dots(a: Arith, rows, columns, biases=None):
    """The scalar path Arith.dots replaces: Arith.dot, entry by entry."""
    return [
        [a.dot(row, col, [] if biases is None else [biases[j]]) for j, col in enumerate(columns)]
        for row in rows
    ]


def draw(rng: random.Random, hostile: float, rnd) -> float:
    """A float: a hostile one with probability `hostile`, else a random one of any magnitude,
    rounded to the tier as an engine reads it."""
    if rng.random() < hostile:
        return rnd(rng.choice(HOSTILE))
    return rnd(rng.choice((-1, 1)) * rng.random() * 10.0 ** rng.randint(-45, 40))


def matrix(rng, rows, cols, hostile, rnd):
    return [[draw(rng, hostile, rnd) for _ in range(cols)] for _ in range(rows)]


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("hostile", [0.0, 0.3, 0.9])
def test_dots_give_the_scalar_dots_bits(tier, hostile):
    a, rng, taken = ARITH[tier], random.Random(f"{tier}{hostile}"), 0
    for _ in range(300):
        i, j, k = rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 7)
        rows, columns = matrix(rng, i, k, hostile, a.rnd), matrix(rng, j, k, hostile, a.rnd)
        biases = rng.choice([None, [draw(rng, hostile, a.rnd) for _ in range(j)]])
        scalar = scalar_dots(a, rows, columns, biases)
        fast = sequential_dots(rows, columns, biases, emulator._array_rounding(a))
        if fast is None:  # only a NaN result is left to the scalar path
            assert any(math.isnan(v) for row in scalar for v in row)
        else:
            taken += 1
            assert bits(fast) == bits(scalar)
        assert bits(a.dots(rows, columns, biases)) == bits(scalar)
    assert taken >= 20, "the fast path was tested"


@pytest.mark.parametrize("tier", TIERS)
def test_dots_round_terms_a_float32_port_did_not_round(tier):
    """Inputs that are not of the tier (a float64 bias in a float32 sum): rounded as the scalar
    path rounds them, after the addition."""
    a, rng = ARITH[tier], random.Random(tier)
    for _ in range(200):
        rows, columns = matrix(rng, 3, 4, 0.2, f32), matrix(rng, 2, 4, 0.2, f32)
        biases = [rng.random() / 3, draw(rng, 0.5, float)]
        assert bits(a.dots(rows, columns, biases)) == bits(scalar_dots(a, rows, columns, biases))


@pytest.mark.parametrize("tier", TIERS)
def test_overflow_to_inf_then_nan_is_the_scalar_one(tier):
    a = ARITH[tier]
    big = 3.0e38 if tier == "float32" else 1.7e308
    rows = [[big, big, -big], [big, -0.0, -big], [-0.0, -0.0, -0.0], [5e-324, 5e-324, 0.0]]
    columns = [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [-0.0, 0.0, -0.0], [math.inf, 0.0, 1.0]]
    for biases in (None, [-0.0, 0.0, -0.0, math.nan]):
        assert bits(a.dots(rows, columns, biases)) == bits(scalar_dots(a, rows, columns, biases))


@pytest.mark.parametrize("tier", TIERS)
def test_empty_or_ragged_or_not_plain_floats_go_the_scalar_way(tier):
    a, rounding = ARITH[tier], emulator._array_rounding(ARITH[tier])
    for rows, columns, biases in (
        ([[]], [[], []], None),  # K = 0: every entry an empty sum, 0.0
        ([[]], [[], []], [1e-45, -0.0]),  # K = 0 with biases: the bias alone, rounded
        ([], [[1.0]], None),
        ([[1.0]], [], None),
        ([[1.0, 2.0], [3.0]], [[1.0, 1.0]], None),  # ragged: zip's truncation
        ([[1.0, 2.0]], [[1.0, 1.0, 5.0]], None),
        ([[1, 2.0]], [[1.0, 1.0]], None),  # an int
        ([[True, 2.0]], [[1.0, 1.0]], None),
        ([[1.0, 2.0]], [[1.0, 1.0]], [0.5, 7.0]),  # more biases than columns
        ([[1.0, 2.0]], [[1.0, 1.0]], [1]),
    ):
        assert sequential_dots(rows, columns, biases, rounding) is None
        assert bits(a.dots(rows, columns, biases)) == bits(scalar_dots(a, rows, columns, biases))


def test_only_a_plain_sequential_arithmetic_is_vectorized():
    f32_arith = ARITH["float32"]
    assert emulator._array_rounding(ARITH["float64"]) is not None
    assert emulator._array_rounding(f32_arith) is not None
    assert emulator._array_rounding(replace(f32_arith, acc=f32)) is not None  # acc == rnd
    for other in (
        replace(f32_arith, summation=emulator.pairwise_sum),
        replace(f32_arith, fused=True),
        replace(f32_arith, acc=emulator.f64),
        replace(f32_arith, acc=emulator.f16),
        emulator.flush_to_zero("float32"),
        emulator.BookDotArith(f32),
        Arith(emulator.f16),
    ):
        assert emulator._array_rounding(other) is None


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("hostile", [0.0, 0.5])
def test_dense_layers_and_their_gradients_give_the_scalar_bits(tier, hostile):
    """Engine.dense and Engine.dense_gradients against the scalar formulas they replace."""
    engine, rng = Engine(ARITH[tier]), random.Random(f"dense{tier}{hostile}")
    a = engine.arith
    for _ in range(100):
        b, k, n = rng.randint(1, 6), rng.randint(1, 5), rng.randint(1, 4)
        inputs, weights = matrix(rng, b, k, hostile, a.rnd), matrix(rng, k, n, hostile, a.rnd)
        biases, dvalues = matrix(rng, 1, n, hostile, a.rnd)[0], matrix(rng, b, n, hostile, a.rnd)
        columns = transpose(weights)
        dense = [[a.dot(row, col, [biases[j]]) for j, col in enumerate(columns)] for row in inputs]
        assert bits(engine.dense(inputs, weights, biases)) == bits(dense)
        assert bits(engine.dense(inputs, weights)) == bits(scalar_dots(a, inputs, columns))
        dweights, _, dinputs = engine.dense_gradients(inputs, columns, dvalues)
        per_neuron = transpose(dvalues)
        assert bits(dweights) == bits(
            [[a.dot(col, dv, []) for dv in per_neuron] for col in transpose(inputs)]
        )
        assert bits(dinputs) == bits([[a.dot(row, w, []) for w in columns] for row in dvalues])


def test_a_mistake_overriding_the_weighted_sum_keeps_its_own_dense():
    """The overridden extension points are seen, not a list of mistakes: bias-twice's dense."""
    mistake = BY_ID["bias-twice"]
    assert "bias_terms" in mistake.overrides
    engine = mistake.engine(ARITH["float64"])
    assert not engine._default_weighted_sums()
    assert engine.dense([[1.0]], [[2.0]], [0.5]) == [[3.0]]
    assert Engine(ARITH["float64"]).dense([[1.0]], [[2.0]], [0.5]) == [[2.5]]


def test_the_fast_path_is_taken(monkeypatch):
    """Engine.dense of a plain port reaches sequential_dots (so the tests above pin a path that
    runs): broken, it is seen."""
    seen = []

    def spy(*args):
        seen.append(args)
        return sequential_dots(*args)

    monkeypatch.setattr(emulator, "sequential_dots", spy)
    Engine(ARITH["float32"]).dense([[1.0, 2.0]], [[1.0], [2.0]], [0.5])
    assert seen


# -- the fused multiply-add: integers instead of Fractions ----------------------------------------


def fraction_fma(a: float, b: float, c: float, precision: int, emin: int) -> float:
    """The exact a·b + c rounded once, with Fractions: the formula fma_with replaced."""
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
        return a * b + c
    q = Fraction(a) * Fraction(b) + Fraction(c)
    if q == 0:
        return 0.0
    sign, q = (-1.0 if q < 0 else 1.0), abs(q)
    e = q.numerator.bit_length() - q.denominator.bit_length()
    if Fraction(2) ** e > q:
        e -= 1
    quantum = Fraction(2) ** (max(e, emin) - precision + 1)
    value = round(q / quantum) * quantum
    return sign * (
        float(value) if value < Fraction(2) ** {53: 1024, 24: 128, 11: 16}[precision] else math.inf
    )


def fma_cases(rnd, rng: random.Random) -> list[tuple[float, float, float]]:
    """Hostile triples, random ones, and sums that cancel (c close to -a·b): rounding's edges."""
    cases = [(x, y, z) for x in HOSTILE[:12] for y in HOSTILE[6:] for z in HOSTILE[::3]]
    for _ in range(20000):
        a, b = draw(rng, 0.2, rnd), draw(rng, 0.2, rnd)
        c = rng.choice([-1, 1]) * rnd(a * b) * rng.choice([1.0, 1.0 + 2.0**-20, 0.5, 3.0])
        cases += [(a, b, c), (a, b, draw(rng, 0.3, rnd))]
    cases += [(1.0 + 2.0**-12, 1.0 - 2.0**-12, -1.0), (2.0**-600, 2.0**-600, -0.0)]
    return cases + [(1.0 + 2.0**-30, 1.0 + 2.0**-30, 2.0**-83), (3.0, 2.0**-1074, 0.0)]


@pytest.mark.parametrize("rnd", [emulator.f64, f32, emulator.f16])
def test_fma_is_the_exact_sum_rounded_once(rnd):
    precision, emin = emulator._FORMAT[rnd]
    fma = emulator.fma_with(rnd)
    with np.errstate(all="ignore"):  # as in Engine.run: float16's overflow to inf is no error
        for a, b, c in fma_cases(rnd, random.Random(precision)):
            want = rnd(fraction_fma(a, b, c, precision, emin))
            assert bits(fma(a, b, c)) == bits(want), (a, b, c)

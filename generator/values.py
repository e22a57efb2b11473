"""Seeded input values: every number exactly representable in float32.

Draws use only `random.Random(seed).getrandbits`, whose stream CPython keeps stable, and map
integers to floats by hand (an integer times a power of two is exact): no float sampler whose
output may change between Python versions.
"""

from __future__ import annotations

import random


class Values:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def integer(self, lo: int, hi: int) -> int:
        """Uniform in [lo, hi] by rejection over getrandbits."""
        span = hi - lo + 1
        bits = span.bit_length()
        while True:
            k = self.rng.getrandbits(bits)
            if k < span:
                return lo + k

    def dyadic(self, span: float = 4.0, bits: int = 6) -> float:
        """k / 2^bits in [-span, span]: few significant bits, so sums are often exact."""
        scale = 2**bits
        return self.integer(int(-span * scale), int(span * scale)) / scale

    def full(self, lo_exp: int = -2, hi_exp: int = 2, signed: bool = True) -> float:
        """A float32 with a full 24-bit significand, magnitude in [2^lo_exp, 2^(hi_exp+1))."""
        significand = (1 << 23) | self.rng.getrandbits(23)
        exponent = self.integer(lo_exp, hi_exp)
        value = significand * 2.0 ** (exponent - 23)
        return -value if signed and self.rng.getrandbits(1) else value

    def vector(self, n: int, draw) -> list[float]:
        return [draw() for _ in range(n)]

    def matrix(self, rows: int, cols: int, draw) -> list[list[float]]:
        return [[draw() for _ in range(cols)] for _ in range(rows)]

    def probabilities(self, rows: int, cols: int, bits: int = 12) -> list[list[float]]:
        """Rows of positive dyadic weights normalised to sum to about 1 (as a softmax gives)."""
        out = []
        for _ in range(rows):
            raw = [self.integer(1, 2**bits) for _ in range(cols)]
            total = sum(raw)
            out.append([round(r / total * 2**20) / 2**20 for r in raw])
        return out

    def labels(self, rows: int, classes: int) -> list[int]:
        return [self.integer(0, classes - 1) for _ in range(rows)]


def one_hot(labels: list[int], classes: int) -> list[list[int]]:
    return [[1 if c == label else 0 for c in range(classes)] for label in labels]


def transpose(matrix: list[list[float]]) -> list[list[float]]:
    return [list(col) for col in zip(*matrix)]

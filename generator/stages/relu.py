"""`relu`: its cases and its golden, side by side."""

from __future__ import annotations

from .. import oracle as o
from ..cases import INF, bad, ok
from ..goldens import _plain
from ..values import Values

DESCRIPTION = "The rectified linear unit, max(0, x), element by element."
REQUIRES: list[str] = []


def _zeros(value):
    return [_zeros(v) for v in value] if isinstance(value, list) else 0.0


def cases():
    v = Values(404)
    specs = [
        ok(
            "book-list",
            "the book's list keeps positives and zeroes negatives",
            "book inexact-inputs",
            inputs=[0, 2, -1, 3.3, -2.7, 1.1, 2.2, -100],
        ),
        ok(
            "zero-stays-zero",
            "zero and negative zero give zero",
            "edge exact",
            inputs=[0.0, -0.0, 0.0],
        ),
        ok(
            "infinities",
            "positive infinity passes through, negative infinity gives zero",
            "edge exact",
            inputs=[INF, -INF, 1.0],
        ),
        ok(
            "float32-subnormals",
            "float32 subnormals keep their sign rule",
            "edge exact",
            inputs=[1.401298464324817e-45, -1.401298464324817e-45, 1.1754942106924411e-38],
        ),
        ok(
            "float64-subnormal",
            "a float64 subnormal survives in float64 and is zero in float32",
            "edge inexact-inputs",
            inputs=[5e-324, -5e-324, 2.5],
        ),
        ok(
            "float32-max",
            "the largest float32 passes through",
            "edge exact",
            inputs=[3.4028234663852886e38, -3.4028234663852886e38],
        ),
        ok(
            "batch-matrix",
            "a batch matrix is handled element by element",
            "edge exact",
            inputs=[[1.5, -2.0, 0.0], [-0.5, 3.25, -7.0]],
        ),
        ok(
            "all-negative",
            "an all-negative batch gives all zeros",
            "edge exact",
            inputs=[[-1.0, -0.5], [-3.0, -0.125], [-2.0, -9.0]],
        ),
        ok(
            "all-positive",
            "an all-positive batch is unchanged",
            "edge exact",
            inputs=[[1.0, 0.5, 2.0], [3.0, 0.125, 9.0]],
        ),
        ok("single-element", "a 1x1 batch", "edge exact", inputs=[[-1.5]]),
        ok(
            "non-square",
            "a 3x5 batch keeps its shape",
            "edge exact",
            inputs=v.matrix(3, 5, v.dyadic),
        ),
        ok(
            "tiny-values",
            "values near the smallest normal float32 keep their sign rule",
            "edge exact",
            inputs=[[1.1754943508222875e-38, -1.1754943508222875e-38]],
        ),
        ok(
            "parse-hard-numbers",
            "numbers a lossy JSON parser gets wrong come back exact",
            "edge inexact-inputs",
            inputs=[
                5e-324,
                2.2250738585072014e-308,
                0.1,
                1e23,
                -0.0,
                9007199254740993,
                2.225073858507201e-308,
                0.30000000000000004,
            ],
        ),
        ok(
            "parse-float32-boundaries",
            "float32 limits and halfway points read exactly",
            "edge exact",
            inputs=[
                3.4028234663852886e38,
                1.1754943508222875e-38,
                1.401298464324817e-45,
                16777216.0,
                16777218.0,
                0.333333343267440796,
            ],
        ),
        ok(
            "parse-hard-normal-numbers",
            "hard-to-parse numbers, none subnormal in either dtype, "
            "come back exact: a parsing check flush-to-zero ports pass too",
            "edge inexact-inputs",
            inputs=[
                2.2250738585072014e-308,
                0.1,
                1e23,
                -0.0,
                9007199254740993,
                0.30000000000000004,
                1.1754943508222875e-38,
                16777217.0,
                3.4028234663852886e38,
            ],
        ),
        bad(
            "ragged-rows",
            "rows of different lengths are refused",
            "ragged_rows",
            inputs=[[1.0, -2.0], [3.0]],
        ),
        bad(
            "rank-three",
            "a rank-3 array is refused",
            "shape_mismatch",
            inputs=[[[1.0, -2.0]], [[3.0, 4.0]]],
        ),
    ]
    for i, (b, n) in enumerate(
        (
            (1, 8),
            (2, 3),
            (3, 2),
            (4, 7),
            (6, 5),
            (5, 16),
            (10, 3),
            (8, 64),
            (2, 256),
            (16, 16),
            (7, 1),
            (3, 33),
        )
    ):
        r = Values(4000 + i)
        specs.append(
            ok(
                f"random-{b}x{n}",
                f"a random {b}x{n} batch",
                "random",
                inputs=r.matrix(b, n, r.full),
            )
        )
    return specs


def golden(x, p, tier):
    value = o.relu(x["inputs"])
    return {"output": (_plain(value), _zeros(value))}  # max(0, x) is exact

"""`sigmoid`: its cases and its golden, side by side."""

from __future__ import annotations

from ..bounded import Tier
from ..cases import bad, ok
from ..training_goldens import _outputs, _read
from ..values import Values

DESCRIPTION = "The sigmoid activation and its backward pass, dvalues·(1 - s)·s."
REQUIRES: list[str] = []


# -- sigmoid and the losses of chapters 16-17 -----------------------------------------------------
def cases():
    specs = [
        ok(
            "book-layer-outputs",
            "the book's layer outputs 4.8, 1.21, 2.385... through the sigmoid",
            "book inexact-inputs",
            inputs=[[4.8, 1.21, 2.385], [8.9, -1.81, 0.2], [1.41, 1.051, 0.026]],
            dvalues=[[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [3.0, 3.0, 3.0]],
        ),
        ok(
            "zero",
            "sigmoid(0) is 0.5 and its slope 0.25",
            "edge exact",
            inputs=[[0.0, -0.0]],
            dvalues=[[1.0, 4.0]],
        ),
        ok(
            "symmetric",
            "sigmoid(-x) = 1 - sigmoid(x)",
            "edge",
            inputs=[[2.0, -2.0, 0.5, -0.5]],
            dvalues=[[1.0, 1.0, 1.0, 1.0]],
        ),
        ok(
            "saturated-positive",
            "large inputs give 1 and a vanishing gradient",
            "edge",
            inputs=[[20.0, 40.0, 100.0]],
            dvalues=[[1.0, 1.0, 1.0]],
        ),
        ok(
            "saturated-negative",
            "very negative inputs give tiny outputs, not NaN",
            "edge",
            inputs=[[-20.0, -40.0, -100.0, -800.0]],
            dvalues=[[1.0, 1.0, 1.0, 1.0]],
        ),
        ok(
            "float32-exp-overflow-edge",
            "inputs near -88.7, where float32 exp(-x) overflows",
            "edge",
            inputs=[[-88.5, -89.0, -87.5, 88.75]],
            dvalues=[[1.0, 1.0, 1.0, 1.0]],
        ),
        ok(
            "tiny-inputs",
            "inputs near 1e-30 give 0.5 and a slope of 0.25",
            "edge",
            inputs=[[7.888609052210118e-31, -7.888609052210118e-31]],
            dvalues=[[1.0, 1.0]],
        ),
        ok(
            "gradient-scales",
            "the backward pass multiplies dvalues by s(1 - s)",
            "edge",
            inputs=[[1.0, 1.0, 1.0]],
            dvalues=[[-2.0, 0.0, 3.5]],
        ),
        ok(
            "beyond-float64-exp-overflow",
            "inputs of ±710 to ±1000, where float64 exp(x) "
            "overflows: 0 or 1, never exp(x)/(1 + exp(x)) = NaN",
            "edge",
            inputs=[[710.0, 800.0, -710.0, -800.0], [1000.0, -1000.0, 709.0, -709.0]],
            dvalues=[[1.0, 2.0, 3.0, 4.0], [-1.0, -2.0, 0.5, 0.25]],
        ),
        ok(
            "beyond-float32-exp-overflow",
            "inputs of ±89 to ±200, where float32 exp(x) "
            "overflows: 0 or 1 and a vanishing gradient, never NaN",
            "edge",
            inputs=[[89.0, 100.0, 200.0], [-89.0, -100.0, 88.0]],
            dvalues=[[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]],
        ),
        bad(
            "shape-mismatch",
            "dvalues of another shape are refused",
            "shape_mismatch",
            inputs=[[1.0, 2.0]],
            dvalues=[[1.0]],
        ),
        bad(
            "empty-batch",
            "a batch with no samples is refused",
            "empty_batch",
            inputs=[],
            dvalues=[],
        ),
        bad(
            "ragged-inputs",
            "input rows of different lengths are refused",
            "ragged_rows",
            inputs=[[1.0, 2.0], [1.0]],
            dvalues=[[1.0, 2.0], [1.0]],
        ),
    ]
    for i, (b, n, lo, hi) in enumerate(
        (
            (2, 3, -2, 1),
            (4, 5, -1, 3),
            (1, 16, 0, 4),
            (6, 2, -3, 2),
            (3, 3, -6, -2),
            (8, 4, 2, 5),
            (5, 1, -1, 1),
            (2, 8, 3, 6),
            (4, 4, -3, 3),
            (1, 32, -2, 2),
            (7, 2, 0, 3),
            (3, 6, -4, 0),
            (10, 3, -1, 2),
            (2, 2, 4, 6),
        )
    ):
        r = Values(9850 + i)
        specs.append(
            ok(
                f"random-{b}x{n}",
                f"random {b}x{n} inputs up to 2^{hi + 1}",
                "random",
                inputs=r.matrix(b, n, lambda r=r, lo=lo, hi=hi: r.full(lo, hi)),
                dvalues=r.matrix(b, n, r.full),
            )
        )
    return specs


# -- sigmoid, binary cross-entropy, regression losses ---------------------------------------------
def golden(x, p, tier):
    T = Tier(tier)
    output = [[T.sigmoid(v) for v in row] for row in _read(T, x["inputs"])]
    dinputs = [
        [d * (1 - s) * s for d, s in zip(dr, sr)] for dr, sr in zip(_read(T, x["dvalues"]), output)
    ]
    return _outputs(output=output, dinputs=dinputs)

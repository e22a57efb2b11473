"""`neuron`: its cases and its golden, side by side."""

from __future__ import annotations

from ..cases import bad, ok
from ..goldens import _dot_golden
from ..values import Values

DESCRIPTION = "One neuron: the dot product of inputs and weights plus a bias."
REQUIRES: list[str] = []
EXACT_MEANS_ZERO_TOL = True  # certified: a case tagged exact has zero tolerance everywhere


def cases():
    v = Values(101)
    specs = [
        ok(
            "book-three-inputs",
            "the book's first neuron gives 35.7",
            "book inexact-inputs",
            inputs=[1.2, 5.1, 2.1],
            weights=[3.1, 2.1, 8.7],
            bias=3,
        ),
        ok(
            "book-four-inputs",
            "the book's four-input neuron gives 4.8",
            "book inexact-inputs",
            inputs=[1, 2, 3, 2.5],
            weights=[0.2, 0.8, -0.5, 1.0],
            bias=2.0,
        ),
        ok(
            "book-first-layer-neuron",
            "the book's 1, 2, 3 neuron gives 2.3",
            "book inexact-inputs",
            inputs=[1, 2, 3],
            weights=[0.2, 0.8, -0.5],
            bias=2,
        ),
        ok(
            "single-input",
            "a one-input neuron multiplies and adds the bias",
            "edge exact",
            inputs=[0.75],
            weights=[-1.5],
            bias=0.25,
        ),
        ok(
            "zero-bias",
            "a zero bias adds nothing",
            "edge exact",
            inputs=[1.5, -2.25, 0.5],
            weights=[0.125, 0.5, -3.0],
            bias=0.0,
        ),
        ok(
            "bias-dominates",
            "a large bias is added once",
            "edge exact",
            inputs=[0.5, 0.25],
            weights=[0.75, -0.5],
            bias=-96.0,
        ),
        ok(
            "zero-weights",
            "zero weights leave only the bias",
            "edge exact",
            inputs=[3.5, -1.25, 7.0],
            weights=[0.0, 0.0, 0.0],
            bias=1.375,
        ),
        ok(
            "last-input-counts",
            "the last input's product is part of the sum",
            "edge exact",
            inputs=[0.5, -0.25, 0.125, 8.0],
            weights=[1.0, 2.0, -4.0, 3.5],
            bias=0.0,
        ),
        ok(
            "cancels-to-zero",
            "products that cancel give exactly zero",
            "edge exact",
            inputs=[1.5, -1.5, 2.0],
            weights=[2.0, 2.0, -0.0],
            bias=0.0,
        ),
        ok(
            "cancels-near-zero",
            "a sum that nearly cancels is judged against its terms",
            "edge",
            inputs=[16777215.0, -16777213.0, 1.0000001192092896],
            weights=[1.0000001192092896, 1.0000001192092896, -3.0],
            bias=0.5,
        ),
        ok(
            "negative-zero-inputs",
            "negative zeros in inputs, weights and bias give zero",
            "edge exact",
            inputs=[-0.0, 1.5],
            weights=[2.0, -0.0],
            bias=-0.0,
        ),
        ok(
            "huge-values",
            "products near 1e30 keep their relative accuracy",
            "edge",
            inputs=[v.full(95, 100) for _ in range(3)],
            weights=[v.full(-3, 3) for _ in range(3)],
            bias=v.full(98, 100),
        ),
        ok(
            "tiny-values",
            "products near 1e-30 keep their relative accuracy",
            "edge",
            inputs=[v.full(-100, -95) for _ in range(3)],
            weights=[v.full(-3, 3) for _ in range(3)],
            bias=v.full(-100, -98),
        ),
        ok(
            "wide-256-inputs",
            "256 full-precision inputs accumulate within the bound",
            "edge random",
            inputs=v.vector(256, v.full),
            weights=v.vector(256, v.full),
            bias=v.full(),
        ),
        ok(
            "wide-64-exact",
            "64 small binary fractions sum exactly in any order",
            "edge exact",
            inputs=v.vector(64, v.dyadic),
            weights=v.vector(64, v.dyadic),
            bias=v.dyadic(),
        ),
        bad(
            "length-mismatch",
            "more inputs than weights is refused",
            "shape_mismatch",
            inputs=[1.0, 2.0, 3.0],
            weights=[0.5, 0.25],
            bias=1.0,
        ),
        bad(
            "fewer-inputs",
            "fewer inputs than weights is refused",
            "shape_mismatch",
            inputs=[1.0],
            weights=[0.5, 0.25],
            bias=1.0,
        ),
        bad(
            "matrix-inputs",
            "a matrix of inputs is refused by a single neuron",
            "shape_mismatch",
            inputs=[[1.0, 2.0], [3.0, 4.0]],
            weights=[0.5, 0.25],
            bias=1.0,
        ),
        bad(
            "vector-bias",
            "a list of biases is refused by a single neuron",
            "shape_mismatch",
            inputs=[1.0, 2.0],
            weights=[0.5, 0.25],
            bias=[1.0, 2.0],
        ),
    ]
    for i, k in enumerate((2, 3, 5, 7, 11, 16, 33, 100)):
        r = Values(1000 + i)
        specs.append(
            ok(
                f"random-k{k}",
                f"{k} random full-precision inputs",
                "random",
                inputs=r.vector(k, r.full),
                weights=r.vector(k, r.full),
                bias=r.full(),
            )
        )
    return specs


def golden(x, p, tier):
    value, tol = _dot_golden(x["inputs"], x["weights"], x["bias"], tier)
    return {"output": (float(value), tol)}

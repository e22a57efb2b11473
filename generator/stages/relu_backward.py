"""`relu_backward`: its cases and its golden, side by side."""

from __future__ import annotations

import math

from ..bounded import Tier
from ..cases import bad, ok
from ..training_goldens import _outputs
from ..values import Values

DESCRIPTION = (
    "ReLU's backward pass: dvalues where the forward input is > 0, else 0 "
    "(0 at an input of exactly 0)."
)
REQUIRES = ["relu"]


def cases():
    specs = [
        ok(
            "book-derivative",
            "the book's example: 1 2 0 0 / 5 0 0 8 / 0 10 11 0",
            "book exact",
            inputs=[[1.0, 2.0, -3.0, -4.0], [2.0, -7.0, -1.0, 3.0], [-1.0, 2.0, 5.0, -1.0]],
            dvalues=[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]],
        ),
        ok(
            "zero-input-blocks",
            "an input of exactly 0 passes no gradient",
            "edge exact",
            inputs=[[0.0, 1.0, -1.0]],
            dvalues=[[5.0, 5.0, 5.0]],
        ),
        ok(
            "negative-zero-input-blocks",
            "an input of -0.0 passes no gradient either",
            "edge exact",
            inputs=[[-0.0, 0.0, 2.0]],
            dvalues=[[3.0, 3.0, 3.0]],
        ),
        ok(
            "mask-on-inputs-not-dvalues",
            "negative gradients pass where the input is positive, "
            "positive ones stop where it is negative",
            "edge exact",
            inputs=[[1.0, -1.0, 2.0, -2.0]],
            dvalues=[[-4.0, 4.0, -0.5, 0.5]],
        ),
        ok(
            "tiny-inputs",
            "the smallest positive input passes, the smallest negative one stops",
            "edge exact",
            inputs=[[1.401298464324817e-45, -1.401298464324817e-45]],
            dvalues=[[1.5, 1.5]],
        ),
        ok(
            "flat-vector",
            "a rank-1 input works element by element",
            "edge exact",
            inputs=[3.0, -3.0, 0.0],
            dvalues=[1.0, 1.0, 1.0],
        ),
        ok(
            "infinite-inputs",
            "+Infinity passes the gradient, -Infinity stops it",
            "edge exact",
            inputs=[[math.inf, -math.inf]],
            dvalues=[[2.0, 2.0]],
        ),
        ok(
            "zero-inputs-negative-dvalues",
            "inputs of 0 and -0.0 stop negative gradients too "
            "(a mask on dvalues would stop them for another reason)",
            "edge exact",
            inputs=[[0.0, -0.0, 0.0, -0.0]],
            dvalues=[[-2.0, -3.0, 4.0, 5.0]],
        ),
        ok(
            "signed-zeros-in-batch",
            "zeros of both signs among positive and negative inputs, "
            "gradients of both signs: only the positive inputs pass",
            "edge exact",
            inputs=[[0.0, 1.5, -0.0, -2.0], [-0.0, -0.25, 0.0, 3.0], [2.5, 0.0, -1.0, -0.0]],
            dvalues=[[1.0, -2.0, 3.0, -4.0], [-0.5, 0.75, -1.25, 2.0], [4.0, -8.0, 16.0, 0.5]],
        ),
        bad(
            "shape-mismatch",
            "dvalues of another shape are refused",
            "shape_mismatch",
            inputs=[[1.0, 2.0]],
            dvalues=[[1.0, 2.0, 3.0]],
        ),
        bad(
            "ragged-inputs",
            "input rows of different lengths are refused",
            "ragged_rows",
            inputs=[[1.0, 2.0], [3.0]],
            dvalues=[[1.0, 2.0], [3.0]],
        ),
        bad(
            "rank-three",
            "a rank-3 array is refused",
            "shape_mismatch",
            inputs=[[[1.0]]],
            dvalues=[[[1.0]]],
        ),
    ]
    for i, (b, n) in enumerate(
        (
            (2, 3),
            (4, 5),
            (1, 16),
            (8, 2),
            (5, 7),
            (3, 3),
            (6, 4),
            (10, 10),
            (2, 64),
            (16, 3),
            (4, 1),
            (7, 9),
            (9, 2),
            (1, 1),
            (12, 6),
        )
    ):
        r = Values(9200 + i)
        specs.append(
            ok(
                f"random-{b}x{n}",
                f"a random {b}x{n} batch",
                "random",
                inputs=r.matrix(b, n, r.full),
                dvalues=r.matrix(b, n, r.full),
            )
        )
    return specs


def golden(x, p, tier):
    T = Tier(tier)

    def apply(inputs, dvalues):
        if isinstance(inputs, list):
            return [apply(i, d) for i, d in zip(inputs, dvalues)]
        # a comparison and a copy, no arithmetic: the numbers as parsed, subnormals included
        return T.gate(T.parse(inputs), T.parse(dvalues))

    return _outputs(dinputs=apply(x["inputs"], x["dvalues"]))

"""`linear`: its cases and its golden, side by side."""

from __future__ import annotations

from ..bounded import Tier
from ..cases import bad, ok
from ..training_goldens import _outputs
from ..values import Values

DESCRIPTION = (
    "Activation_Linear (chapter 17): the output is the input and the gradient is dvalues, "
    "both unchanged."
)
REQUIRES: list[str] = []


def _linear(slug, description, tags, inputs, dvalues):
    return ok(slug, description, tags, inputs=inputs, dvalues=dvalues)


def cases():
    specs = [
        _linear(
            "book-sine-outputs",
            "a regression model's outputs pass through unchanged",
            "book inexact-inputs",
            [[0.1], [0.58778524], [0.95105652], [-0.30901699]],
            [[-0.2], [0.4], [1.5], [-0.75]],
        ),
        _linear(
            "negatives-kept",
            "unlike ReLU, negative inputs pass through",
            "edge exact",
            [[-1.0, -2.5, 3.0]],
            [[1.0, 1.0, 1.0]],
        ),
        _linear(
            "signed-zeros",
            "-0.0 and 0.0 pass through",
            "edge exact",
            [[-0.0, 0.0]],
            [[0.0, -0.0]],
        ),
        _linear(
            "gradient-not-ones",
            "the gradient is dvalues itself, not a matrix of ones",
            "edge exact",
            [[1.0, 2.0], [3.0, 4.0]],
            [[0.5, -0.25], [8.0, -16.0]],
        ),
        _linear(
            "large-and-tiny",
            "the largest and smallest normal float32 magnitudes pass unchanged",
            "edge exact",
            [[3.4028234663852886e38, 1.1754943508222875e-38]],
            [[-3.4028234663852886e38, -1.1754943508222875e-38]],
        ),
        _linear(
            "subnormal",
            "a subnormal input is copied, not flushed",
            "edge exact",
            [[1.401298464324817e-45, -2.802596928649634e-45]],
            [[1.0, 1.0]],
        ),
        _linear(
            "one-value",
            "a batch of one sample with one output",
            "edge exact",
            [[42.0]],
            [[-1.0]],
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
    for i, (b, n) in enumerate(
        (
            (1, 1),
            (2, 3),
            (4, 1),
            (1, 16),
            (8, 2),
            (5, 5),
            (16, 1),
            (3, 7),
            (10, 3),
            (6, 4),
            (2, 32),
            (32, 1),
            (7, 2),
            (4, 4),
            (12, 2),
        )
    ):
        r = Values(4500 + i)
        specs.append(
            _linear(
                f"random-{b}x{n}",
                f"random {b}x{n} outputs and gradients",
                "random",
                r.matrix(b, n, lambda r=r: r.full(-6, 6)),
                r.matrix(b, n, r.full),
            )
        )
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    return _outputs(
        output=[[T.parse(v) for v in row] for row in x["inputs"]],
        dinputs=[[T.parse(v) for v in row] for row in x["dvalues"]],
    )

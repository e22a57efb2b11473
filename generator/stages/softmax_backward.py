"""`softmax_backward`: its cases and its golden, side by side."""

from __future__ import annotations

from ..bounded import Tier
from ..cases import bad, ok
from ..training_goldens import _outputs, _read, _softmax_backward_row
from ..values import Values

DESCRIPTION = "Softmax's backward pass through each sample's Jacobian diag(p) - p·pᵀ."
REQUIRES = ["softmax"]


def cases():
    v = Values(9301)
    book = [[0.7, 0.1, 0.2]] * 3
    specs = [
        ok(
            "book-jacobian",
            "unit gradients read out the book's Jacobian of 0.7, 0.1, 0.2: "
            "0.21 -0.07 -0.14 / -0.07 0.09 -0.02 / -0.14 -0.02 0.16",
            "book inexact-inputs",
            output=book,
            dvalues=[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        ),
        ok(
            "uniform-ones",
            "a uniform output with equal gradients gives zero: softmax ignores shifts",
            "edge exact",
            output=[[0.25] * 4],
            dvalues=[[1.5] * 4],
        ),
        ok(
            "one-hot-output",
            "a certain output (1, 0, 0) passes no gradient",
            "edge exact",
            output=[[1.0, 0.0, 0.0]],
            dvalues=[[2.0, -1.0, 3.0]],
        ),
        ok(
            "two-classes",
            "two classes: p(1 - p) times the difference",
            "edge exact",
            output=[[0.75, 0.25], [0.5, 0.5]],
            dvalues=[[1.0, 0.0], [0.0, 2.0]],
        ),
        ok(
            "rows-independent",
            "each row uses its own Jacobian",
            "edge",
            output=v.probabilities(3, 4),
            dvalues=v.matrix(3, 4, v.dyadic),
        ),
        ok(
            "last-class",
            "a gradient on the last class only",
            "edge",
            output=[[0.125, 0.25, 0.5, 0.125]],
            dvalues=[[0.0, 0.0, 0.0, -4.0]],
        ),
        bad(
            "shape-mismatch",
            "dvalues of another shape are refused",
            "shape_mismatch",
            output=[[0.5, 0.5]],
            dvalues=[[1.0, 2.0, 3.0]],
        ),
        bad("empty-batch", "a batch with no rows is refused", "empty_batch", output=[], dvalues=[]),
        bad(
            "ragged-output",
            "output rows of different lengths are refused",
            "ragged_rows",
            output=[[0.5, 0.5], [1.0]],
            dvalues=[[1.0, 2.0], [1.0]],
        ),
    ]
    for i, (b, c) in enumerate(
        (
            (2, 3),
            (4, 5),
            (1, 10),
            (6, 2),
            (3, 7),
            (5, 3),
            (8, 4),
            (2, 16),
            (4, 2),
            (1, 3),
            (3, 12),
            (10, 3),
            (6, 6),
            (2, 33),
            (7, 5),
            (1, 2),
        )
    ):
        r = Values(9350 + i)
        specs.append(
            ok(
                f"random-{b}x{c}",
                f"random {b}x{c} probabilities and gradients",
                "random",
                output=r.probabilities(b, c),
                dvalues=r.matrix(b, c, r.full),
            )
        )
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    rows = [
        _softmax_backward_row(T, pr, dv)
        for pr, dv in zip(_read(T, x["output"]), _read(T, x["dvalues"]))
    ]
    return _outputs(dinputs=rows)

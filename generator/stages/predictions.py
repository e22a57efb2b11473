"""`predictions`: its cases and its golden, side by side."""

from __future__ import annotations

from .. import oracle as o
from ..cases import bad, ok
from ..values import Values

DESCRIPTION = (
    "The output activation's predictions() (chapter 18): softmax gives the argmax of each row "
    "(first maximum wins), sigmoid output > 0.5 as 0 or 1, linear the outputs themselves."
)
REQUIRES: list[str] = []


def _predict(slug, description, tags, outputs, activation):
    return ok(slug, description, tags, inputs=outputs, params={"activation": activation})


def cases():
    specs = [
        _predict(
            "book-softmax-batch",
            "the book's softmax outputs predict classes 0, 1, 1",
            "book inexact-inputs",
            [[0.7, 0.1, 0.2], [0.1, 0.5, 0.4], [0.02, 0.9, 0.08]],
            "softmax",
        ),
        _predict(
            "softmax-tie-first-wins",
            "a tie predicts the first of the tied classes",
            "edge exact",
            [[0.25, 0.375, 0.375], [0.5, 0.5, 0.0]],
            "softmax",
        ),
        _predict(
            "softmax-one-class",
            "one class is always predicted",
            "edge exact",
            [[1.0], [1.0]],
            "softmax",
        ),
        _predict(
            "softmax-logits",
            "raw negative scores: the argmax all the same",
            "edge exact",
            [[-3.5, -1.25, -2.0]],
            "softmax",
        ),
        _predict(
            "sigmoid-half-is-zero",
            "a sigmoid output of exactly 0.5 predicts 0",
            "edge exact",
            [[0.5], [0.5000000596046448], [0.4999999701976776]],
            "sigmoid",
        ),
        _predict(
            "sigmoid-several-outputs",
            "every output of every sample is thresholded",
            "edge exact",
            [[0.75, 0.25, 0.5], [0.0, 1.0, 0.625]],
            "sigmoid",
        ),
        _predict(
            "sigmoid-outside-zero-one",
            "raw scores outside [0, 1] are thresholded too: 2.0 is class 1, not 2",
            "edge exact",
            [[-3.0, 2.0, 0.75], [1.5, 0.25, -0.5]],
            "sigmoid",
        ),
        _predict(
            "sigmoid-book-outputs",
            "the book's binary model: 0.73 and 0.51 predict 1, 0.12 predicts 0",
            "book inexact-inputs",
            [[0.73], [0.12], [0.51]],
            "sigmoid",
        ),
        _predict(
            "linear-unchanged",
            "a linear output activation predicts its outputs unchanged",
            "edge exact",
            [[-1.5, 0.0], [2.25, -0.0]],
            "linear",
        ),
        _predict(
            "linear-sine",
            "a regression model's outputs are its predictions",
            "book inexact-inputs",
            [[0.1], [0.58778524], [-0.95105652]],
            "linear",
        ),
        bad(
            "empty-batch",
            "a batch with no samples is refused",
            "empty_batch",
            inputs=[],
            params={"activation": "softmax"},
        ),
        bad(
            "ragged-outputs",
            "output rows of different lengths are refused",
            "ragged_rows",
            inputs=[[0.5, 0.5], [1.0]],
            params={"activation": "sigmoid"},
        ),
        bad(
            "rank-one-outputs",
            "a single vector where a batch of outputs is expected is refused",
            "shape_mismatch",
            inputs=[0.5, 0.25],
            params={"activation": "linear"},
        ),
    ]
    for i, (activation, b, n) in enumerate(
        (
            ("softmax", 5, 3),
            ("softmax", 1, 10),
            ("softmax", 12, 2),
            ("softmax", 8, 5),
            ("softmax", 20, 4),
            ("sigmoid", 6, 1),
            ("sigmoid", 3, 4),
            ("sigmoid", 16, 1),
            ("sigmoid", 4, 2),
            ("linear", 7, 1),
            ("linear", 3, 3),
            ("linear", 10, 2),
            ("linear", 1, 8),
        )
    ):
        r = Values(5200 + i)
        if activation == "softmax":
            outputs = r.probabilities(b, n)
        elif activation == "sigmoid":
            outputs = r.matrix(b, n, lambda r=r: r.integer(0, 64) / 64)
        else:
            outputs = r.matrix(b, n, r.full)
        specs.append(
            _predict(
                f"random-{activation}-{b}x{n}",
                f"{b} samples of {n} random {activation} outputs",
                "random",
                outputs,
                activation,
            )
        )
    return specs


def golden(x, p, tier):
    outputs = x["inputs"]
    if p["activation"] == "softmax":
        predicted = [o.argmax(row) for row in outputs]
        return {"predictions": (predicted, [0] * len(predicted))}
    if p["activation"] == "sigmoid":
        predicted = [[1 if v > 0.5 else 0 for v in row] for row in outputs]
    else:
        predicted = [list(row) for row in outputs]
    return {"predictions": (predicted, [[0] * len(row) for row in predicted])}

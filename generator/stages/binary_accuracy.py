"""`binary_accuracy`: its cases and its golden, side by side."""

from __future__ import annotations

from ..cases import bad, ok
from ..goldens import _share
from ..values import Values

DESCRIPTION = (
    "Binary predictions (output > 0.5, so exactly 0.5 is class 0) and their accuracy over "
    "every output of every sample (chapter 16's Accuracy_Categorical(binary=True))."
)
REQUIRES: list[str] = []

JUST_ABOVE_HALF = 0.5000000596046448  # 0.5 plus one float32 ULP
JUST_BELOW_HALF = 0.4999999701976776  # 0.5 minus one float32 ULP


def _binary(slug, description, tags, y_pred, y_true):
    return ok(slug, description, tags, y_pred=y_pred, y_true=y_true)


def cases():
    specs = [
        _binary(
            "book-sigmoid-outputs",
            "sigmoid outputs against binary targets: 2 of 3 right",
            "book inexact-inputs",
            [[0.73], [0.12], [0.51]],
            [[1], [0], [0]],
        ),
        _binary(
            "exactly-half-is-zero",
            "an output of exactly 0.5 is class 0: the book tests output > 0.5",
            "edge exact",
            [[0.5], [0.5]],
            [[0], [1]],
        ),
        _binary(
            "one-ulp-around-half",
            "one float32 ULP above 0.5 is class 1, one below is class 0",
            "edge exact",
            [[JUST_ABOVE_HALF, JUST_BELOW_HALF]],
            [[1, 0]],
        ),
        _binary(
            "several-outputs",
            "two outputs per sample: the accuracy counts every output, not every sample",
            "edge exact",
            [[0.75, 0.25], [0.75, 0.75], [0.125, 0.875]],
            [[1, 0], [1, 0], [1, 1]],
        ),
        _binary(
            "all-right",
            "every output right gives 1",
            "edge exact",
            [[0.875], [0.0625], [1.0], [0.0]],
            [[1], [0], [1], [0]],
        ),
        _binary(
            "all-wrong",
            "every output wrong gives 0",
            "edge exact",
            [[0.875], [0.0625]],
            [[0], [1]],
        ),
        _binary(
            "logits-not-probabilities",
            "outputs outside [0, 1] are thresholded the same way",
            "edge exact",
            [[-3.0, 2.0, 0.5000001192092896]],
            [[0, 1, 1]],
        ),
        _binary(
            "one-in-three",
            "one right out of three is 1/3, rounded once",
            "edge",
            [[0.75], [0.75], [0.75]],
            [[1], [0], [0]],
        ),
        _binary(
            "single-output",
            "one sample, one output",
            "edge exact",
            [[0.625]],
            [[1]],
        ),
        bad(
            "label-two",
            "a target of 2 is not a binary label",
            "invalid_label",
            y_pred=[[0.75], [0.25]],
            y_true=[[1], [2]],
        ),
        bad(
            "label-half",
            "a target of 0.5 is not a binary label",
            "invalid_label",
            y_pred=[[0.75]],
            y_true=[[0.5]],
        ),
        bad(
            "targets-other-shape",
            "targets of another shape than the outputs are refused",
            "shape_mismatch",
            y_pred=[[0.75, 0.25]],
            y_true=[[1]],
        ),
        bad(
            "empty-batch",
            "a batch with no samples is refused",
            "empty_batch",
            y_pred=[],
            y_true=[],
        ),
        bad(
            "ragged-outputs",
            "output rows of different lengths are refused",
            "ragged_rows",
            y_pred=[[0.75, 0.25], [0.5]],
            y_true=[[1, 0], [1]],
        ),
    ]
    for i, (b, n) in enumerate(
        (
            (4, 1),
            (10, 1),
            (3, 2),
            (1, 8),
            (16, 1),
            (5, 3),
            (7, 1),
            (12, 2),
            (2, 5),
            (30, 1),
            (6, 4),
            (9, 1),
        )
    ):
        r = Values(4600 + i)
        y_pred = r.matrix(b, n, lambda r=r: r.integer(0, 2**12) / 2**12)
        specs.append(
            _binary(
                f"random-{b}x{n}",
                f"{b} samples with {n} random sigmoid outputs and targets",
                "random",
                y_pred,
                r.matrix(b, n, lambda r=r: r.integer(0, 1)),
            )
        )
    return specs


def golden(x, p, tier):
    predictions = [[1 if v > 0.5 else 0 for v in row] for row in x["y_pred"]]
    pairs = [(a, b) for pr, tr in zip(predictions, x["y_true"]) for a, b in zip(pr, tr)]
    zeros = [[0] * len(row) for row in predictions]
    accuracy = _share(sum(a == b for a, b in pairs), len(pairs), tier)
    return {"predictions": (predictions, zeros), "accuracy": accuracy}

"""`binary_crossentropy`: its cases and its golden, side by side."""

from __future__ import annotations

from .. import oracle as o
from ..bounded import Tier, log
from ..cases import BOOK_PROBS, bad
from ..training_cases import _pair, _samples_not_outputs
from ..training_goldens import _means, _outputs, _read
from ..values import Values

DESCRIPTION = "Binary cross-entropy, clipped in the forward and the backward pass."
REQUIRES: list[str] = []


def cases():
    v = Values(9901)
    specs = [
        _pair(
            "book-predictions",
            "the book's predictions read as three sigmoid outputs a "
            "sample, targets 0, 1, 1 as binary rows",
            "book inexact-inputs",
            BOOK_PROBS,
            [[1, 0, 0], [0, 1, 0], [0, 1, 0]],
        ),
        _pair(
            "halves",
            "a prediction of 0.5 costs ln 2 whatever the target",
            "edge",
            [[0.5], [0.5]],
            [[1], [0]],
        ),
        _pair(
            "clip-upper",
            "a certain prediction of 1 is clipped in the loss and the gradient",
            "edge",
            [[1.0], [1.0]],
            [[1], [0]],
        ),
        _pair(
            "clip-lower",
            "a prediction of 0 is clipped in the loss and the gradient",
            "edge",
            [[0.0], [0.0]],
            [[1], [0]],
        ),
        _pair(
            "near-one-float32",
            "just below 1: kept in float64, clipped in float32",
            "edge",
            [[0.9999999403953552], [0.9999999403953552]],
            [[1], [0]],
        ),
        _pair("all-ones", "every target 1", "edge", [[0.25, 0.5], [0.75, 0.125]], [[1, 1], [1, 1]]),
        _pair(
            "all-zeros", "every target 0", "edge", [[0.25, 0.5], [0.75, 0.125]], [[0, 0], [0, 0]]
        ),
        _pair(
            "several-outputs",
            "three outputs per sample: the loss is their mean, the gradient divided by 3",
            "edge",
            [[0.25, 0.75, 0.5], [0.125, 0.875, 0.5]],
            [[0, 1, 1], [1, 0, 0]],
        ),
        _pair(
            "book-shape",
            "labels as a column, one output per sample, as the book's y.reshape(-1, 1)",
            "edge",
            v.probabilities(4, 1, bits=8),
            [[1], [0], [1], [1]],
        ),
        bad(
            "label-two",
            "a target of 2 is refused",
            "invalid_label",
            y_pred=[[0.5], [0.5]],
            y_true=[[1], [2]],
        ),
        bad(
            "label-fraction",
            "a target of 0.5 is refused",
            "invalid_label",
            y_pred=[[0.5], [0.5]],
            y_true=[[1], [0.5]],
        ),
        bad(
            "target-shape",
            "targets of another shape are refused",
            "shape_mismatch",
            y_pred=[[0.5], [0.5]],
            y_true=[1, 0],
        ),
        bad(
            "empty-batch", "a batch with no samples is refused", "empty_batch", y_pred=[], y_true=[]
        ),
    ]
    for i, (b, n) in enumerate(
        (
            (4, 1),
            (3, 3),
            (8, 2),
            (2, 5),
            (1, 1),
            (6, 4),
            (10, 1),
            (3, 7),
            (5, 2),
            (16, 1),
            (2, 2),
            (7, 3),
        )
    ):
        r = Values(9950 + i)
        preds = [[r.integer(1, 2**12 - 1) / 2**12 for _ in range(n)] for _ in range(b)]
        specs.append(
            _pair(
                f"random-{b}x{n}",
                f"random {b}x{n} predictions and targets",
                "random",
                preds,
                [[r.integer(0, 1) for _ in range(n)] for _ in range(b)],
            )
        )

    def draw(r, b, n):
        return (
            r.matrix(b, n, lambda: r.full(-6, -2, False)),
            [[r.integer(0, 1) for _ in range(n)] for _ in range(b)],
        )

    return specs + _samples_not_outputs(9990, draw)


def golden(x, p, tier):
    T = Tier(tier)
    lo, hi = o.clip_bounds(tier)
    y_pred = [[T.clip(v, lo, hi) for v in row] for row in _read(T, x["y_pred"])]
    samples, outputs = len(y_pred), len(y_pred[0])
    terms, dinputs = [], []
    for row, labels in zip(y_pred, x["y_true"]):
        # y·ln(c) + (1-y)·ln(1-c) with y exactly 0 or 1: one of the products is exactly 0
        sides = [c if y else 1 - c for c, y in zip(row, labels)]
        terms.append([-log(s) for s in sides])
        dinputs.append(
            [T.per(T.per((-1 if y else 1) / s, outputs), samples) for s, y in zip(sides, labels)]
        )
    sample_losses, loss = _means(T, terms)
    return _outputs(sample_losses=sample_losses, loss=loss, dinputs=dinputs)

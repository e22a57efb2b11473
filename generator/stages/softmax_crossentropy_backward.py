"""`softmax_crossentropy_backward`: its cases and its golden, side by side."""

from __future__ import annotations

import mpmath

from ..bounded import Bounded, Tier
from ..cases import BOOK_PROBS, BOOK_PROBS_EXACT, _bad_labels, random_labelled
from ..training_cases import _labelled, _with_params
from ..training_goldens import (
    _cce_backward,
    _combined_backward,
    _onehot_rows,
    _outputs,
    _read,
    _softmax_backward_row,
)
from ..values import Values, one_hot

DESCRIPTION = (
    "The combined softmax + cross-entropy gradient, "
    "(y_pred - y_true) / samples, and the same through the two "
    "separate backward passes."
)
REQUIRES = ["softmax_backward", "categorical_crossentropy_backward"]


def cases():
    v = Values(9501)
    families = [
        (
            "book-batch",
            "the book's softmax outputs with targets 0, 1, 1 give -0.1, 0.0333, 0.0667 first",
            "book inexact-inputs",
            BOOK_PROBS,
            [0, 1, 1],
            "sparse",
        ),
        (
            "book-batch-one-hot",
            "the same with one-hot targets",
            "book inexact-inputs",
            BOOK_PROBS,
            one_hot([0, 1, 1], 3),
            "onehot",
        ),
        (
            "divides-by-samples",
            "two samples over four classes: divided by 2, not by 4",
            "edge exact",
            [[0.25, 0.25, 0.25, 0.25], [0.5, 0.125, 0.125, 0.25]],
            [3, 0],
            "sparse",
        ),
        (
            "confident-correct",
            "a confident correct prediction gives a gradient near 0",
            "edge",
            [[0.9990234375, 0.0009765625]],
            [0],
            "sparse",
        ),
        (
            "confident-wrong",
            "a confident wrong prediction gives a gradient near -1/B",
            "edge",
            [[0.0009765625, 0.9990234375]],
            [0],
            "sparse",
        ),
        (
            "rows-not-summing-to-one",
            "rows that do not sum to 1 exactly: the two paths still agree",
            "edge",
            v.probabilities(4, 3, bits=6),
            v.labels(4, 3),
            "sparse",
        ),
        (
            "single-class",
            "a single class: the gradient is exactly 0",
            "edge exact",
            [[1.0], [1.0]],
            [0, 0],
            "sparse",
        ),
    ]
    families += random_labelled(((3, 3), (5, 4), (2, 10), (8, 3)), 9550, "softmax outputs")
    for i, (b, c) in enumerate(((2, 5), (6, 4), (3, 7))):
        r = Values(9580 + i)
        families.append(
            (
                f"samples-not-classes-{b}x{c}",
                f"{b} samples over {c} classes: divided by the {b} samples, not the {c} classes",
                "edge",
                r.probabilities(b, c),
                r.labels(b, c),
                "sparse",
            )
        )
    specs = []
    for slug, description, tags, y_pred, y_true, fmt in families:
        for path in ("combined", "separate"):
            specs.append(
                _labelled(
                    f"{slug}-{path}",
                    f"{description} ({path})",
                    tags,
                    y_pred,
                    y_true,
                    fmt,
                    path=path,
                )
            )
    specs += [_with_params(c, {"path": "combined"}) for c in _bad_labels(BOOK_PROBS_EXACT)]
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    y_pred = _read(T, x["y_pred"])
    targets = _onehot_rows(x["y_true"], p["label_format"], len(y_pred[0]))
    combined = _combined_backward(T, y_pred, targets)
    if p["path"] == "combined":
        return _outputs(dinputs=combined)
    dvalues = _cce_backward(T, y_pred, targets)
    separate = [_softmax_backward_row(T, pr, dv) for pr, dv in zip(y_pred, dvalues)]
    for a_row, b_row in zip(combined, separate):
        for a, b in zip(a_row, b_row):  # the identity the case family shows
            assert abs(a.v - b.v) <= abs(a.v) * mpmath.mpf(2) ** -200 + mpmath.mpf(2) ** -1000
    # the combined formula's exact value, the chained computation's bound
    return _outputs(
        dinputs=[
            [Bounded(a.v, b.e) for a, b in zip(a_row, b_row)]
            for a_row, b_row in zip(combined, separate)
        ]
    )

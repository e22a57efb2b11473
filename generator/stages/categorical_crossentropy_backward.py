"""`categorical_crossentropy_backward`: its cases and its golden, side by side."""

from __future__ import annotations

from ..bounded import Tier
from ..cases import BOOK_PROBS, BOOK_PROBS_EXACT, _bad_labels, random_labelled
from ..training_cases import _labelled, _with_params
from ..training_goldens import _cce_backward, _onehot_rows, _outputs, _read
from ..values import Values, one_hot

DESCRIPTION = "Cross-entropy's backward pass, -y_true / y_pred / samples, without clipping."
REQUIRES = ["categorical_crossentropy"]


def cases():
    v = Values(9401)
    specs = [
        _labelled(
            "book-batch-sparse",
            "the book's predictions with targets 0, 1, 1",
            "book inexact-inputs",
            BOOK_PROBS,
            [0, 1, 1],
        ),
        _labelled(
            "book-batch-one-hot",
            "the same with one-hot targets",
            "book inexact-inputs",
            BOOK_PROBS,
            one_hot([0, 1, 1], 3),
            "onehot",
        ),
        _labelled(
            "divides-by-samples",
            "four samples: every gradient is divided by 4",
            "edge exact",
            [[0.5, 0.5], [0.25, 0.75], [0.125, 0.875], [1.0, 0.0625]],
            [0, 1, 0, 0],
        ),
        _labelled(
            "no-clip-tiny",
            "no clipping: a target probability of 2^-40 gives -2^40/B",
            "edge exact",
            [[9.094947017729282e-13, 0.5]],
            [0],
        ),
        _labelled(
            "no-clip-one",
            "no clipping: a target probability of 1 gives -1/B",
            "edge exact",
            [[1.0, 0.5], [0.5, 1.0]],
            [0, 1],
        ),
        _labelled(
            "last-class-one-hot",
            "a target in the last class, one-hot",
            "edge exact",
            [[0.25, 0.25, 0.5]],
            one_hot([2], 3),
            "onehot",
        ),
        _labelled(
            "five-by-four", "5 samples by 4 classes", "edge", v.probabilities(5, 4), v.labels(5, 4)
        ),
    ] + [_with_params(c, {}) for c in _bad_labels(BOOK_PROBS_EXACT)]
    sizes = ((3, 3), (6, 2), (2, 8), (8, 5), (1, 4), (4, 3), (10, 2), (5, 6))
    specs += [_labelled(*case) for case in random_labelled(sizes, 9450)]
    for i, (b, c) in enumerate(((2, 5), (6, 4), (3, 7))):
        r = Values(9480 + i)
        specs.append(
            _labelled(
                f"samples-not-classes-{b}x{c}",
                f"{b} samples over {c} classes: divided by the {b} samples, not the {c} classes",
                "edge",
                r.probabilities(b, c),
                r.labels(b, c),
            )
        )
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    y_pred = _read(T, x["y_pred"])
    targets = _onehot_rows(x["y_true"], p["label_format"], len(y_pred[0]))
    return _outputs(dinputs=_cce_backward(T, y_pred, targets))

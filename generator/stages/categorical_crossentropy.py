"""`categorical_crossentropy`: its cases and its golden, side by side."""

from __future__ import annotations

from ..cases import BOOK_PROBS, BOOK_PROBS_EXACT, _bad_labels, ok, random_labelled
from ..goldens import _losses
from ..values import Values, one_hot

DESCRIPTION = (
    "Categorical cross-entropy, per sample and the batch mean, of "
    "predictions clipped to [1e-7, 1 - 1e-7] in the tier's dtype "
    "(float32: 1.0000000116860974e-07, 0.9999998807907104)."
)
REQUIRES: list[str] = []


def _cce(slug, description, tags, y_pred, y_true, label_format="sparse"):
    return ok(
        slug, description, tags, y_pred=y_pred, y_true=y_true, params={"label_format": label_format}
    )


def cases():
    v = Values(606)
    specs = [
        _cce(
            "book-batch-sparse",
            "the book's batch with class indices has loss 0.385",
            "book inexact-inputs",
            BOOK_PROBS,
            [0, 1, 1],
        ),
        _cce(
            "book-batch-one-hot",
            "the book's batch with one-hot targets has the same loss",
            "book inexact-inputs",
            BOOK_PROBS,
            one_hot([0, 1, 1], 3),
            "onehot",
        ),
        _cce(
            "book-single-sample",
            "the book's single sample costs -ln(0.7)",
            "book inexact-inputs",
            [[0.7, 0.1, 0.2]],
            [0],
        ),
        _cce(
            "perfect-prediction",
            "a certain correct prediction costs -ln(1 - 1e-7), not 0",
            "edge",
            [[1.0, 0.0, 0.0]],
            [0],
        ),
        _cce(
            "perfect-prediction-one-hot",
            "the upper clip applies on the one-hot path too",
            "edge",
            [[0.0, 1.0, 0.0]],
            one_hot([1], 3),
            "onehot",
        ),
        _cce(
            "zero-probability",
            "a zero probability on the target costs -ln(1e-7), not inf",
            "edge",
            [[0.0, 1.0, 0.0]],
            [0],
        ),
        _cce(
            "zero-probability-one-hot",
            "the lower clip applies on the one-hot path too",
            "edge",
            [[0.0, 0.5, 0.5]],
            one_hot([0], 3),
            "onehot",
        ),
        _cce(
            "zero-off-target-one-hot",
            "zeros off the target do not make NaN",
            "edge",
            [[0.5, 0.0, 0.5]],
            one_hot([0], 3),
            "onehot",
        ),
        _cce(
            "both-clips",
            "a certain and an impossible target are clipped on both sides",
            "edge",
            [[1.0, 0.0], [1.0, 0.0]],
            [0, 1],
        ),
        _cce(
            "at-lower-clip",
            "a probability at the float32 lower bound is not moved",
            "edge",
            [[1.0000000116860974e-07, 0.9999998807907104]],
            [0],
        ),
        _cce(
            "below-lower-clip",
            "a probability of 2^-40 is raised to the lower bound",
            "edge",
            [[9.094947017729282e-13, 0.5]],
            [0],
        ),
        _cce(
            "near-one",
            "a probability just below 1 in float32 is kept or clipped by dtype",
            "edge",
            [[0.9999999403953552, 5.960464477539063e-08]],
            [0],
        ),
        _cce(
            "uniform-four",
            "a uniform prediction over four classes costs ln 4",
            "edge",
            [[0.25, 0.25, 0.25, 0.25]],
            [2],
        ),
        _cce("halves", "a probability of one half costs ln 2", "edge", [[0.5, 0.5]], [1]),
        _cce(
            "mean-not-sum",
            "four samples with different losses average",
            "edge",
            [[0.5, 0.5], [0.25, 0.75], [0.125, 0.875], [0.0625, 0.9375]],
            [0, 1, 0, 1],
        ),
        _cce(
            "last-class", "a target in the last class", "edge", [[0.125, 0.25, 0.0625, 0.5625]], [3]
        ),
        _cce(
            "five-by-three", "5 samples by 3 classes", "edge", v.probabilities(5, 3), v.labels(5, 3)
        ),
        _cce(
            "two-by-seven-one-hot",
            "2 samples by 7 classes, one-hot",
            "edge",
            v.probabilities(2, 7),
            one_hot([6, 0], 7),
            "onehot",
        ),
    ] + _bad_labels(BOOK_PROBS_EXACT)
    sizes = ((3, 3), (4, 2), (8, 5), (1, 10), (16, 3), (6, 6), (10, 4), (2, 40))
    specs += [_cce(*case) for case in random_labelled(sizes, 6000)]
    return specs


def golden(x, p, tier):
    values, tols, mean, mean_tol = _losses(x["y_pred"], None, x["y_true"], p["label_format"], tier)
    return {"sample_losses": (values, tols), "loss": (mean, mean_tol)}

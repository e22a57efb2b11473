"""`accuracy`: its cases and its golden, side by side."""

from __future__ import annotations

from .. import oracle as o
from ..cases import BOOK_PROBS_EXACT, _bad_labels, ok, random_labelled
from ..goldens import _accuracy_of
from ..values import Values, one_hot

DESCRIPTION = "The share of samples whose argmax (first maximum wins) is the true class."
REQUIRES: list[str] = []


def _acc(slug, description, tags, y_pred, y_true, label_format="sparse"):
    return ok(
        slug, description, tags, y_pred=y_pred, y_true=y_true, params={"label_format": label_format}
    )


def cases():
    v = Values(707)
    specs = [
        _acc(
            "book-batch",
            "the book's batch has accuracy 2/3",
            "book inexact-inputs",
            [[0.7, 0.2, 0.1], [0.5, 0.1, 0.4], [0.02, 0.9, 0.08]],
            [0, 1, 1],
        ),
        _acc(
            "book-batch-one-hot",
            "one-hot targets are turned into class indices",
            "book inexact-inputs",
            [[0.7, 0.2, 0.1], [0.5, 0.1, 0.4], [0.02, 0.9, 0.08]],
            one_hot([0, 1, 1], 3),
            "onehot",
        ),
        _acc(
            "tie-first-wins",
            "on a tie the first maximum wins",
            "edge exact",
            [[0.375, 0.375, 0.25]],
            [0],
        ),
        _acc(
            "tie-later-pair",
            "a tie between the last two classes picks the earlier",
            "edge exact",
            [[0.25, 0.375, 0.375]],
            [1],
        ),
        _acc(
            "all-equal",
            "an all-equal row predicts class 0",
            "edge exact",
            [[0.25, 0.25, 0.25, 0.25]],
            [0],
        ),
        _acc(
            "signed-zero-tie",
            "-0.0 and 0.0 tie, so the first wins",
            "edge exact",
            [[-0.0, 0.0], [0.0, -0.0]],
            [0, 0],
        ),
        _acc(
            "all-correct",
            "every prediction right gives 1",
            "edge exact",
            [[0.75, 0.25], [0.125, 0.875]],
            [0, 1],
        ),
        _acc(
            "all-wrong",
            "every prediction wrong gives 0",
            "edge exact",
            [[0.75, 0.25], [0.125, 0.875]],
            [1, 0],
        ),
        _acc("single-sample", "a batch of one", "edge exact", [[0.125, 0.5, 0.375]], [1]),
        _acc(
            "single-class",
            "a single class is always predicted",
            "edge exact",
            [[1.0], [1.0], [1.0]],
            [0, 0, 0],
        ),
        _acc(
            "logits-not-probabilities",
            "argmax works on raw negative scores too",
            "edge exact",
            [[-3.5, -1.25, -2.0], [-0.5, -0.75, -0.0625]],
            [1, 2],
        ),
        _acc(
            "seven-by-three",
            "7 samples by 3 classes: the argmax is along each row",
            "edge exact",
            v.probabilities(7, 3),
            v.labels(7, 3),
        ),
        _acc(
            "three-by-seven-one-hot",
            "3 samples by 7 classes, one-hot",
            "edge exact",
            v.probabilities(3, 7),
            one_hot([6, 2, 0], 7),
            "onehot",
        ),
        _acc(
            "one-in-three",
            "one right out of three is exactly 1/3 after rounding",
            "edge",
            [[0.75, 0.25], [0.75, 0.25], [0.75, 0.25]],
            [0, 1, 1],
        ),
    ] + _bad_labels(BOOK_PROBS_EXACT)
    sizes = ((3, 3), (5, 2), (10, 4), (1, 6), (12, 3), (7, 7), (20, 5), (4, 10))
    specs += [_acc(*case) for case in random_labelled(sizes, 7000)]
    return specs


def golden(x, p, tier):
    predictions = [o.argmax(row) for row in x["y_pred"]]
    acc = _accuracy_of(predictions, x["y_true"], p["label_format"], tier)
    return {"predictions": (predictions, [0] * len(predictions)), "accuracy": acc}

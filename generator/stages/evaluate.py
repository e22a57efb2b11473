"""`evaluate`: its cases and its golden, side by side."""

from __future__ import annotations

from .. import oracle as o
from ..bounded import Tier, log
from ..cases import BOOK_PROBS_EXACT, _bad_labels, bad, ok
from ..goldens import _share
from ..training_goldens import _out, _read
from ..values import Values, one_hot

DESCRIPTION = (
    "Model.evaluate (chapter 20): over batches of batch_size, the categorical cross-entropy and "
    "accuracy ACCUMULATED as sums and counts, then divided once: not the mean of batch means."
)
REQUIRES = ["categorical_crossentropy", "accuracy", "batches"]


def _evaluate(slug, description, tags, y_pred, y_true, batch_size, label_format="sparse"):
    return ok(
        slug,
        description,
        tags,
        y_pred=y_pred,
        y_true=y_true,
        batch_size=batch_size,
        params={"label_format": label_format},
    )


def cases():
    short = [
        [0.5, 0.25, 0.25],
        [0.125, 0.75, 0.125],
        [0.25, 0.25, 0.5],
        [0.9375, 0.03125, 0.03125],
        [0.0625, 0.875, 0.0625],
    ]
    specs = [
        _evaluate(
            "book-validation",
            "the book's softmax outputs evaluated in batches of 2: the last batch is short",
            "book inexact-inputs",
            [[0.7, 0.1, 0.2], [0.1, 0.5, 0.4], [0.02, 0.9, 0.08]],
            [0, 1, 1],
            2,
        ),
        _evaluate(
            "short-last-batch-weighs-less",
            "5 samples in batches of 2: the 1-sample batch counts once, not as much as a batch",
            "edge",
            short,
            [0, 1, 2, 1, 1],
            2,
        ),
        _evaluate(
            "one-batch",
            "a batch size above the sample count: the plain mean",
            "edge",
            short,
            [0, 1, 2, 1, 1],
            100,
        ),
        _evaluate(
            "batches-of-one",
            "batches of one sample: the sum of every sample's loss over 5",
            "edge",
            short,
            [0, 1, 2, 1, 1],
            1,
        ),
        _evaluate(
            "even-batches",
            "4 samples in batches of 2: equal to the mean of batch means",
            "edge",
            short[:4],
            [0, 1, 2, 0],
            2,
        ),
        _evaluate(
            "one-hot-labels",
            "one-hot targets are accumulated the same way",
            "edge",
            short,
            one_hot([0, 1, 2, 1, 1], 3),
            3,
            "onehot",
        ),
        _evaluate(
            "clipped-certainty",
            "probabilities 0 and 1 are clipped before the log, in every batch",
            "edge",
            [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]],
            [0, 0, 0],
            2,
        ),
        _evaluate(
            "every-prediction-certain",
            "probabilities of exactly 1 on the true class: the upper clip makes each loss about "
            "1e-7, not 0",
            "edge",
            [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]],
            [0, 0, 1],
            2,
        ),
        _evaluate(
            "accuracy-accumulated",
            "a right sample in the short batch: accuracy 2/3, not the mean of 1/2 and 1",
            "edge",
            [[0.75, 0.25], [0.25, 0.75], [0.75, 0.25]],
            [0, 0, 0],
            2,
        ),
        bad(
            "zero-batch-size",
            "a batch size of 0 is refused",
            "invalid_value",
            y_pred=BOOK_PROBS_EXACT,
            y_true=[0, 1, 1],
            batch_size=0,
            params={"label_format": "sparse"},
        ),
    ]
    specs += [
        bad(s.slug, s.description, s.error, **s.inputs, batch_size=2, params=s.params)
        for s in _bad_labels(BOOK_PROBS_EXACT)
    ]
    for i, (b, c, size) in enumerate(
        (
            (10, 3, 4),
            (7, 2, 3),
            (16, 4, 5),
            (5, 5, 2),
            (20, 3, 6),
            (9, 2, 8),
            (12, 6, 5),
            (3, 3, 2),
            (25, 4, 7),
            (8, 3, 8),
            (11, 2, 10),
            (30, 3, 128),
        )
    ):
        r = Values(5300 + i)
        labels, fmt = r.labels(b, c), ("onehot" if i % 2 else "sparse")
        specs.append(
            _evaluate(
                f"random-{b}x{c}-by-{size}-{fmt}",
                f"{b} random predictions over {c} classes in batches of {size}, {fmt} labels",
                "random",
                r.probabilities(b, c),
                one_hot(labels, c) if fmt == "onehot" else labels,
                size,
                fmt,
            )
        )
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    lo, hi = o.clip_bounds(tier)
    labels = o.labels_of(x["y_true"], p["label_format"])
    probs = _read(T, x["y_pred"])
    # Any grouping of the sums (by batch, then across batches) is inside the order-free bound.
    losses = [-log(T.clip(row[label], lo, hi)) for row, label in zip(probs, labels)]
    hits = sum(o.argmax(row) == label for row, label in zip(x["y_pred"], labels))
    return {
        "loss": _out(T.per(T.total(losses), len(losses))),
        "accuracy": _share(hits, len(labels), tier),
    }

"""`forward`: its cases and its golden, side by side."""

from __future__ import annotations

from .. import oracle as o
from ..cases import BOOK_B, BOOK_B2, BOOK_W, BOOK_W2, BOOK_X, bad, ok
from ..goldens import _accuracy_of, _dense_exact, _losses, _plain, _softmax_rows
from ..values import Values, one_hot, transpose

DESCRIPTION = "The book's chapter 5 network: dense, ReLU, dense, softmax, loss and accuracy."
REQUIRES = ["dense_batch", "relu", "softmax", "categorical_crossentropy", "accuracy"]


def _net(slug, description, tags, x, w1, b1, w2, b2, y, fmt="sparse"):
    return ok(
        slug,
        description,
        tags,
        inputs=x,
        weights1=w1,
        biases1=b1,
        weights2=w2,
        biases2=b2,
        y_true=y,
        params={"label_format": fmt},
    )


def _random_net(seed, b, k, h, c, fmt, draw="dyadic", scale=1.0):
    r = Values(seed)
    pick = r.dyadic if draw == "dyadic" else r.full
    x = r.matrix(b, k, pick)
    w1 = r.matrix(k, h, lambda: pick() * scale)
    b1 = r.vector(h, pick)
    w2 = r.matrix(h, c, lambda: pick() * scale)
    b2 = r.vector(c, pick)
    labels = r.labels(b, c)
    return x, w1, b1, w2, b2, (one_hot(labels, c) if fmt == "onehot" else labels)


def cases():
    specs = [
        _net(
            "book-layers",
            "the book's two layers on its three samples",
            "book inexact-inputs",
            BOOK_X,
            transpose(BOOK_W),
            BOOK_B,
            transpose(BOOK_W2),
            BOOK_B2,
            [0, 1, 1],
        ),
        _net(
            "book-layers-one-hot",
            "the book's two layers with one-hot targets",
            "book inexact-inputs",
            BOOK_X,
            transpose(BOOK_W),
            BOOK_B,
            transpose(BOOK_W2),
            BOOK_B2,
            one_hot([0, 1, 1], 3),
            "onehot",
        ),
        _net(
            "dead-hidden-layer",
            "a hidden layer that ReLU zeroes leaves only biases2",
            "edge",
            [[1.0, 2.0], [0.5, -1.0]],
            [[-1.0, -2.0], [-0.5, -1.5]],
            [-8.0, -9.0],
            [[3.0, -1.0, 0.5], [1.0, 2.0, -2.0]],
            [0.25, -0.5, 1.5],
            [2, 0],
        ),
        _net(
            "confident-logits",
            "large logits clip the loss of certain predictions",
            "edge",
            [[1.0, 0.5], [-1.0, 2.0]],
            [[40.0, -30.0], [20.0, 50.0]],
            [0.0, 0.0],
            [[10.0, -10.0], [-10.0, 10.0]],
            [0.0, 0.0],
            [0, 1],
        ),
        _net(
            "batch-of-one",
            "a single sample through the whole network",
            "edge",
            *_random_net(8001, 1, 3, 4, 3, "sparse"),
        ),
        _net(
            "one-hidden-unit",
            "a hidden layer of one unit",
            "edge",
            *_random_net(8002, 4, 2, 1, 3, "sparse"),
        ),
        _net(
            "two-classes",
            "two output classes",
            "edge",
            *_random_net(8003, 5, 3, 4, 2, "onehot"),
            "onehot",
        ),
        _net(
            "wide-inputs",
            "64 inputs per sample",
            "edge",
            *_random_net(8004, 3, 64, 5, 3, "sparse", "full", 0.125),
        ),
        _net(
            "wide-hidden",
            "32 hidden units",
            "edge",
            *_random_net(8005, 4, 2, 32, 4, "onehot", "full", 0.25),
            "onehot",
        ),
        _net(
            "book-sizes-small-weights",
            "the book's sizes with weights scaled near 0.01",
            "edge",
            *_random_net(8006, 6, 2, 3, 3, "sparse", "full", 2.0**-7),
        ),
        bad(
            "weights1-mismatch",
            "first-layer weights that do not fit the inputs are refused",
            "shape_mismatch",
            inputs=[[1.0, 2.0]],
            weights1=[[0.5, 1.0]],
            biases1=[0.0, 0.0],
            weights2=[[1.0], [1.0]],
            biases2=[0.0],
            y_true=[0],
            params={"label_format": "sparse"},
        ),
        bad(
            "biases2-count",
            "a second-layer bias count other than the classes is refused",
            "shape_mismatch",
            inputs=[[1.0]],
            weights1=[[0.5, 1.0]],
            biases1=[0.0, 0.0],
            weights2=[[1.0, 0.5], [1.0, 0.5]],
            biases2=[0.0],
            y_true=[0],
            params={"label_format": "sparse"},
        ),
        bad(
            "label-out-of-range",
            "a label beyond the output classes is refused",
            "label_out_of_range",
            inputs=[[1.0]],
            weights1=[[0.5, 1.0]],
            biases1=[0.0, 0.0],
            weights2=[[1.0, 0.5], [1.0, 0.5]],
            biases2=[0.0, 0.0],
            y_true=[2],
            params={"label_format": "sparse"},
        ),
        bad(
            "empty-batch",
            "a batch with no samples is refused",
            "empty_batch",
            inputs=[],
            weights1=[[0.5, 1.0]],
            biases1=[0.0, 0.0],
            weights2=[[1.0, 0.5], [1.0, 0.5]],
            biases2=[0.0, 0.0],
            y_true=[],
            params={"label_format": "sparse"},
        ),
        bad(
            "ragged-inputs",
            "input rows of different lengths are refused",
            "ragged_rows",
            inputs=[[1.0], [1.0, 2.0]],
            weights1=[[0.5, 1.0]],
            biases1=[0.0, 0.0],
            weights2=[[1.0, 0.5], [1.0, 0.5]],
            biases2=[0.0, 0.0],
            y_true=[0, 1],
            params={"label_format": "sparse"},
        ),
    ]
    shapes = (
        (3, 2, 3, 3),
        (4, 3, 5, 2),
        (6, 4, 4, 3),
        (2, 5, 3, 4),
        (8, 2, 6, 3),
        (5, 6, 2, 5),
        (10, 3, 4, 3),
        (3, 8, 8, 2),
        (7, 2, 3, 6),
        (4, 4, 16, 3),
    )
    for i, (b, k, h, c) in enumerate(shapes):
        fmt = "onehot" if i % 2 else "sparse"
        draw = "full" if i % 3 == 2 else "dyadic"
        specs.append(
            _net(
                f"random-b{b}-k{k}-h{h}-c{c}",
                f"batch {b}, {k} inputs, {h} hidden, {c} classes, {fmt} labels",
                "random",
                *_random_net(8100 + i, b, k, h, c, fmt, draw, 0.5),
                fmt,
            )
        )
    return specs


def golden(x, p, tier):
    """The whole chapter 5 network, with every layer's error carried into the next."""
    dense1, tol1 = _dense_exact(x["inputs"], x["weights1"], x["biases1"], tier)
    relu1 = o.relu(dense1)
    # ReLU is 1-Lipschitz, and exactly 0 wherever dense1 is negative beyond its tolerance.
    relu_tol = [[0.0 if v < -e else e for v, e in zip(vs, es)] for vs, es in zip(dense1, tol1)]
    dense2, tol2 = _dense_exact(relu1, x["weights2"], x["biases2"], tier, propagated=relu_tol)
    exact_probs, probs, prob_tols = _softmax_rows(dense2, tier, logit_errors=tol2)
    predictions = []
    for b, (row, tols) in enumerate(zip(probs, prob_tols)):
        order = sorted(range(len(row)), key=lambda c: -row[c])
        top, second = order[0], order[1] if len(order) > 1 else order[0]
        # Certify the argmax: no correct port can see these two rows swap or tie.
        assert top == second or row[top] - tols[top] > row[second] + tols[second], (
            f"forward row {b}: top two probabilities are within tolerance; pick other inputs"
        )
        predictions.append(top)
    losses, loss_tols, mean, mean_tol = _losses(
        exact_probs, prob_tols, x["y_true"], p["label_format"], tier
    )
    return {
        "dense1": (_plain(dense1), tol1),
        "relu1": (_plain(relu1), relu_tol),
        "dense2": (_plain(dense2), tol2),
        "softmax": (probs, prob_tols),
        "sample_losses": (losses, loss_tols),
        "loss": (mean, mean_tol),
        "predictions": (predictions, [0] * len(predictions)),
        "accuracy": _accuracy_of(predictions, x["y_true"], p["label_format"], tier),
    }

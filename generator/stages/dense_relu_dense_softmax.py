"""`dense_relu_dense_softmax`: its cases and its golden, side by side."""

from __future__ import annotations

from nnfs_conform.suite.stages import LAYERS

from ..bounded import Tier
from ..cases import BOOK_B, BOOK_B2, BOOK_W, BOOK_W2, BOOK_X, bad, ok
from ..training_goldens import _chain, _read
from ..values import Values, transpose

DESCRIPTION = (
    "Chapter 4's network before the loss: dense, ReLU, dense, softmax, every intermediate."
)
REQUIRES = ["dense_relu", "softmax"]
# (samples, inputs, hidden, classes) of the random two-layer networks
SIZES = (
    (3, 2, 3, 3),
    (5, 4, 8, 3),
    (1, 2, 16, 2),
    (10, 2, 4, 3),
    (6, 6, 6, 6),
    (2, 3, 5, 10),
    (8, 5, 3, 2),
    (4, 10, 7, 4),
    (7, 3, 2, 5),
    (12, 4, 8, 3),
    (3, 2, 64, 3),
    (9, 2, 3, 3),
    (4, 4, 4, 4),
    (6, 2, 12, 3),
    (2, 8, 2, 8),
)


def _net(slug, description, tags, inputs, w1, b1, w2, b2):
    return ok(
        slug, description, tags, inputs=inputs, weights1=w1, biases1=b1, weights2=w2, biases2=b2
    )


def _random(seed, b, k, h, c, draw="full", scale=1.0):
    r = Values(seed)
    pick = r.full if draw == "full" else r.dyadic
    return (
        r.matrix(b, k, pick),
        r.matrix(k, h, lambda: pick() * scale),
        r.vector(h, pick),
        r.matrix(h, c, lambda: pick() * scale),
        r.vector(c, pick),
    )


def cases():
    specs = [
        _net(
            "book-layers",
            "the book's two layers on its three samples, softmax instead of a loss",
            "book inexact-inputs",
            BOOK_X,
            transpose(BOOK_W),
            BOOK_B,
            transpose(BOOK_W2),
            BOOK_B2,
        ),
        _net(
            "dead-hidden-layer",
            "every hidden unit negative: dense2 is its biases, the same softmax for each row",
            "edge",
            [[1.0, 2.0], [3.0, 0.5]],
            [[-1.0, -1.0], [-1.0, -1.0]],
            [-0.5, -0.25],
            [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
            [0.5, -0.5, 0.0],
        ),
        _net(
            "uniform-output",
            "equal logits give 1/C in every class",
            "edge",
            [[1.0, -2.0]],
            [[1.0, 0.5], [0.25, 1.0]],
            [0.0, 0.0],
            [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]],
            [1.0, 1.0, 1.0, 1.0],
        ),
        _net(
            "large-logits",
            "logits near 1000: the maximum is subtracted before exp, no overflow",
            "edge",
            [[10.0, 20.0]],
            [[1.0, 2.0], [3.0, 4.0]],
            [0.0, 0.0],
            [[10.0, 9.0], [9.0, 10.0]],
            [0.0, 0.0],
        ),
        _net(
            "one-class",
            "a single output class always has probability 1",
            "edge",
            [[1.0, 2.0], [-3.0, 0.5]],
            [[1.0], [1.0]],
            [0.0],
            [[2.0]],
            [-1.0],
        ),
        _net(
            "one-sample",
            "a batch of one",
            "edge",
            [[0.5, -1.5, 2.0]],
            [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
            [0.0, 0.0],
            [[1.0, -1.0], [0.5, 0.5]],
            [0.0, 0.0],
        ),
        bad(
            "weights2-do-not-fit",
            "weights2 with a row count other than layer 1's neurons is refused",
            "shape_mismatch",
            inputs=[[1.0, 2.0]],
            weights1=[[1.0, 0.0], [0.0, 1.0]],
            biases1=[0.0, 0.0],
            weights2=[[1.0], [1.0], [1.0]],
            biases2=[0.0],
        ),
        bad(
            "biases1-do-not-fit",
            "biases1 of another length than layer 1's neurons is refused",
            "shape_mismatch",
            inputs=[[1.0, 2.0]],
            weights1=[[1.0, 0.0], [0.0, 1.0]],
            biases1=[0.0],
            weights2=[[1.0], [1.0]],
            biases2=[0.0],
        ),
        bad(
            "empty-batch",
            "a batch with no samples is refused",
            "empty_batch",
            inputs=[],
            weights1=[[1.0]],
            biases1=[0.0],
            weights2=[[1.0]],
            biases2=[0.0],
        ),
        bad(
            "ragged-inputs",
            "input rows of different lengths are refused",
            "ragged_rows",
            inputs=[[1.0, 2.0], [1.0]],
            weights1=[[1.0], [1.0]],
            biases1=[0.0],
            weights2=[[1.0]],
            biases2=[0.0],
        ),
    ]
    for i, size in enumerate(SIZES):
        draw = "dyadic" if i % 3 == 2 else "full"
        b, k, h, c = size
        specs.append(
            _net(
                f"random-{b}x{k}-{h}-{c}",
                f"random {draw} {b}x{k} inputs through Dense({k}, {h}) and Dense({h}, {c})",
                "random",
                *_random(4300 + i, *size, draw=draw, scale=0.5),
            )
        )
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    return _chain(T, _read(T, x["inputs"]), *(_read(T, x[n]) for n in LAYERS))

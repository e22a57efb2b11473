"""`dense_relu`: its cases and its golden, side by side."""

from __future__ import annotations

from ..bounded import Tier
from ..cases import BOOK_B, BOOK_W, BOOK_X, bad, ok
from ..training_goldens import _dense_forward, _outputs, _read
from ..values import Values, transpose

DESCRIPTION = "Chapter 4's first chain, before any loss: Layer_Dense's output, then ReLU of it."
REQUIRES = ["dense_batch", "relu"]


def _chain(slug, description, tags, inputs, weights, biases):
    return ok(slug, description, tags, inputs=inputs, weights=weights, biases=biases)


def cases():
    v = Values(4100)
    specs = [
        _chain(
            "book-batch",
            "the book's batch through its layer: 8.9, -1.81, 0.2 becomes 8.9, 0, 0.2",
            "book inexact-inputs",
            BOOK_X,
            transpose(BOOK_W),
            BOOK_B,
        ),
        _chain(
            "all-negative",
            "every output below zero: ReLU gives a zero matrix",
            "edge exact",
            [[1.0, 2.0], [0.5, 0.25]],
            [[-1.0, -2.0], [-0.5, -1.0]],
            [-0.125, -1.0],
        ),
        _chain(
            "exactly-zero",
            "outputs of exactly 0 stay 0",
            "edge exact",
            [[1.0, -1.0], [2.0, -2.0]],
            [[1.0, 0.5], [1.0, 0.5]],
            [0.0, 0.0],
        ),
        _chain(
            "bias-decides",
            "a zero input row: the biases alone decide which neurons fire",
            "edge exact",
            [[0.0, 0.0, 0.0]],
            [[1.0, -1.0], [2.0, 3.0], [-4.0, 0.5]],
            [0.75, -0.75],
        ),
        _chain(
            "one-neuron",
            "a layer of one neuron over three samples",
            "edge exact",
            [[1.0], [-2.0], [0.5]],
            [[1.5]],
            [0.25],
        ),
        _chain(
            "one-sample",
            "a batch of one sample",
            "edge exact",
            [[0.5, -0.25, 2.0]],
            [[1.0, -1.0], [0.5, 0.5], [-0.25, 2.0]],
            [0.0, -0.5],
        ),
        _chain(
            "relu-of-the-output-not-the-input",
            "negative inputs with negative weights fire: ReLU applies after the layer",
            "edge exact",
            [[-1.0, -2.0]],
            [[-1.0], [-1.0]],
            [0.0],
        ),
        _chain(
            "wide-layer",
            "4 samples, 16 inputs, 12 neurons",
            "edge exact",
            v.matrix(4, 16, v.dyadic),
            v.matrix(16, 12, v.dyadic),
            v.vector(12, v.dyadic),
        ),
        bad(
            "weights-do-not-fit",
            "weights with a row count other than the inputs' columns are refused",
            "shape_mismatch",
            inputs=[[1.0, 2.0]],
            weights=[[1.0], [2.0], [3.0]],
            biases=[0.0],
        ),
        bad(
            "biases-do-not-fit",
            "biases of another length than the neurons are refused",
            "shape_mismatch",
            inputs=[[1.0, 2.0]],
            weights=[[1.0], [2.0]],
            biases=[0.0, 1.0],
        ),
        bad(
            "empty-batch",
            "a batch with no samples is refused",
            "empty_batch",
            inputs=[],
            weights=[[1.0]],
            biases=[0.0],
        ),
        bad(
            "ragged-inputs",
            "input rows of different lengths are refused",
            "ragged_rows",
            inputs=[[1.0, 2.0], [1.0]],
            weights=[[1.0], [2.0]],
            biases=[0.0],
        ),
        bad(
            "rank-one-inputs",
            "a single vector where a batch is expected is refused",
            "shape_mismatch",
            inputs=[1.0, 2.0],
            weights=[[1.0], [2.0]],
            biases=[0.0],
        ),
    ]
    for i, (b, k, n) in enumerate(
        (
            (3, 2, 3),
            (5, 4, 3),
            (1, 8, 5),
            (10, 2, 4),
            (6, 6, 6),
            (2, 3, 16),
            (8, 5, 2),
            (4, 10, 7),
            (7, 3, 1),
            (12, 4, 8),
            (3, 32, 3),
            (9, 2, 64),
        )
    ):
        r = Values(4200 + i)
        specs.append(
            _chain(
                f"random-{b}x{k}-to-{n}",
                f"random full-precision {b}x{k} inputs through {n} neurons",
                "random",
                r.matrix(b, k, r.full),
                r.matrix(k, n, r.full),
                r.vector(n, r.full),
            )
        )
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    dense = _dense_forward(T, _read(T, x["inputs"]), _read(T, x["weights"]), _read(T, x["biases"]))
    return _outputs(dense=dense, relu=[[T.relu(v) for v in row] for row in dense])

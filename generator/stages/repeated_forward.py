"""`repeated_forward`: its cases and its golden, side by side."""

from __future__ import annotations

from ..bounded import Tier
from ..cases import BOOK_B, BOOK_W, BOOK_X, bad, ok
from ..training_goldens import _dense_backward, _dense_forward, _outputs, _read
from ..values import Values, transpose

DESCRIPTION = (
    "One Layer_Dense and one Activation_ReLU used twice, as a training loop does: forward on "
    "inputs1, forward on inputs2, then backward with dvalues; everything after the second "
    "call comes from inputs2 alone."
)
REQUIRES = ["dense_relu", "dense_backward", "relu_backward"]


def _twice(slug, description, tags, inputs1, inputs2, weights, biases, dvalues):
    return ok(
        slug,
        description,
        tags,
        inputs1=inputs1,
        inputs2=inputs2,
        weights=weights,
        biases=biases,
        dvalues=dvalues,
    )


def _random(seed, b1, b2, k, n):
    r = Values(seed)
    return (
        r.matrix(b1, k, r.full),
        r.matrix(b2, k, r.full),
        r.matrix(k, n, r.full),
        r.vector(n, r.full),
        r.matrix(b2, n, r.full),
    )


def cases():
    specs = [
        _twice(
            "book-batch-then-two-samples",
            "the book's layer on its 3 samples, then on the first two of them",
            "book inexact-inputs",
            BOOK_X,
            BOOK_X[:2],
            transpose(BOOK_W),
            BOOK_B,
            [[1.0, -0.5, 2.0], [0.25, 1.0, -1.0]],
        ),
        _twice(
            "second-batch-smaller",
            "3 samples then 2: an output that keeps or appends to the first batch's rows fails",
            "edge exact",
            [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
            [[0.5, -1.0], [2.0, 0.25]],
            [[1.0, -1.0], [0.5, 2.0]],
            [0.5, -0.5],
            [[1.0, 2.0], [-1.0, 0.5]],
        ),
        _twice(
            "second-batch-larger",
            "1 sample then 3",
            "edge exact",
            [[1.0, 1.0]],
            [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]],
            [[1.0, 2.0, -1.0], [0.5, -2.0, 1.0]],
            [0.0, 0.25, 0.5],
            [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [0.5, -0.5, 1.0]],
        ),
        _twice(
            "gradient-from-the-second-inputs",
            "same sizes, different inputs: dweights from inputs1 are wrong",
            "edge exact",
            [[10.0, 20.0], [30.0, 40.0]],
            [[1.0, 2.0], [3.0, 4.0]],
            [[1.0, 0.5], [-0.5, 1.0]],
            [0.0, 0.0],
            [[1.0, 1.0], [1.0, 1.0]],
        ),
        _twice(
            "relu-mask-from-the-second-batch",
            "the first batch fires every unit, the second none: every gradient is 0",
            "edge exact",
            [[1.0, 1.0]],
            [[-1.0, -1.0]],
            [[1.0, 2.0], [1.0, 2.0]],
            [0.0, 0.0],
            [[3.0, -4.0]],
        ),
        _twice(
            "relu-mask-the-other-way",
            "the first batch fires no unit, the second every one",
            "edge exact",
            [[-1.0, -1.0]],
            [[1.0, 1.0]],
            [[1.0, 2.0], [1.0, 2.0]],
            [0.0, 0.0],
            [[3.0, -4.0]],
        ),
        _twice(
            "same-batch-twice",
            "the same batch twice gives the same output twice",
            "edge exact",
            [[0.5, -0.25], [1.0, 2.0]],
            [[0.5, -0.25], [1.0, 2.0]],
            [[1.0, -1.0], [2.0, 0.5]],
            [0.25, 0.0],
            [[1.0, -1.0], [0.5, 2.0]],
        ),
        bad(
            "inputs2-other-width",
            "a second batch with another number of inputs is refused",
            "shape_mismatch",
            inputs1=[[1.0, 2.0]],
            inputs2=[[1.0, 2.0, 3.0]],
            weights=[[1.0], [1.0]],
            biases=[0.0],
            dvalues=[[1.0]],
        ),
        bad(
            "dvalues-of-the-first-batch",
            "dvalues shaped like the first batch's output, not the second's, are refused",
            "shape_mismatch",
            inputs1=[[1.0, 2.0], [3.0, 4.0]],
            inputs2=[[1.0, 2.0]],
            weights=[[1.0], [1.0]],
            biases=[0.0],
            dvalues=[[1.0], [1.0]],
        ),
        bad(
            "empty-first-batch",
            "an empty first batch is refused",
            "empty_batch",
            inputs1=[],
            inputs2=[[1.0, 2.0]],
            weights=[[1.0], [1.0]],
            biases=[0.0],
            dvalues=[[1.0]],
        ),
        bad(
            "empty-second-batch",
            "an empty second batch is refused",
            "empty_batch",
            inputs1=[[1.0, 2.0]],
            inputs2=[],
            weights=[[1.0], [1.0]],
            biases=[0.0],
            dvalues=[],
        ),
        bad(
            "ragged-first-batch",
            "first-batch rows of different lengths are refused",
            "ragged_rows",
            inputs1=[[1.0, 2.0], [1.0]],
            inputs2=[[1.0, 2.0]],
            weights=[[1.0], [1.0]],
            biases=[0.0],
            dvalues=[[1.0]],
        ),
    ]
    for i, size in enumerate(
        (
            (3, 2, 2, 3),
            (2, 5, 4, 3),
            (1, 1, 8, 5),
            (10, 4, 2, 4),
            (6, 6, 6, 6),
            (2, 3, 3, 16),
            (8, 1, 5, 2),
            (4, 7, 10, 7),
            (7, 3, 3, 1),
            (12, 8, 4, 8),
            (3, 3, 32, 3),
            (5, 9, 2, 6),
            (4, 2, 3, 3),
            (9, 1, 2, 2),
            (2, 12, 6, 4),
        )
    ):
        b1, b2, k, n = size
        specs.append(
            _twice(
                f"random-{b1}-then-{b2}-by-{k}-to-{n}",
                f"random batches of {b1} then {b2} samples through Dense({k}, {n}) and ReLU",
                "random",
                *_random(4400 + i, *size),
            )
        )
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    weights, biases = _read(T, x["weights"]), _read(T, x["biases"])
    outputs = []
    for name in ("inputs1", "inputs2"):
        dense = _dense_forward(T, _read(T, x[name]), weights, biases)
        outputs.append((dense, [[T.relu(v) for v in row] for row in dense]))
    (_, output1), (dense2, output2) = outputs
    drelu = [
        [T.gate(z, d) for z, d in zip(zr, dr)] for zr, dr in zip(dense2, _read(T, x["dvalues"]))
    ]
    dweights, dbiases, dinputs = _dense_backward(T, _read(T, x["inputs2"]), weights, drelu)
    return _outputs(
        output1=output1, output2=output2, dweights=dweights, dbiases=dbiases, dinputs=dinputs
    )

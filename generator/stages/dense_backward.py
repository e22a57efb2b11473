"""`dense_backward`: its cases and its golden, side by side."""

from __future__ import annotations

from ..bounded import Tier
from ..cases import BOOK_W, BOOK_X, bad, ok
from ..training_cases import _zeros
from ..training_goldens import _dense_backward, _outputs, _read
from ..values import Values, transpose

DESCRIPTION = (
    "The dense layer's backward pass: dweights = inputs.T @ dvalues, dbiases "
    "summed over the batch, dinputs = dvalues @ weights.T."
)
REQUIRES = ["dense_batch"]


# -- backward passes ------------------------------------------------------------------------------
def _dense_back(slug, description, tags, inputs, weights, dvalues):
    return ok(slug, description, tags, inputs=inputs, weights=weights, dvalues=dvalues)


def cases():
    v = Values(9101)
    specs = [
        _dense_back(
            "book-batch",
            "the book's batch with dvalues 1, 2, 3 gives dinputs 0.44, "
            "-0.38, -0.07, 1.37 doubled and tripled, dbiases 6",
            "book inexact-inputs",
            BOOK_X,
            transpose(BOOK_W),
            [[1.0] * 3, [2.0] * 3, [3.0] * 3],
        ),
        _dense_back(
            "book-single-neuron",
            "the book's neuron x = 1, -2, 3, w = -3, -1, 2 with "
            "dvalue 1 gives dx = w, dw = x, db = 1",
            "book exact",
            [[1.0, -2.0, 3.0]],
            [[-3.0], [-1.0], [2.0]],
            [[1.0]],
        ),
        _dense_back(
            "dbiases-sum-batch",
            "dbiases sum the batch: four samples, distinct values",
            "edge exact",
            [[1.0, 0.0]] * 4,
            [[0.5, -1.0, 2.0], [0.25, 0.0, 1.0]],
            [[1.0, 2.0, 3.0], [0.5, -1.0, 0.25], [4.0, 0.0, -2.0], [-1.5, 0.125, 8.0]],
        ),
        _dense_back(
            "non-square",
            "batch 3, 2 inputs, 5 neurons: every transpose shows",
            "edge exact",
            v.matrix(3, 2, v.dyadic),
            v.matrix(2, 5, v.dyadic),
            v.matrix(3, 5, v.dyadic),
        ),
        _dense_back(
            "square-asymmetric",
            "square asymmetric weights tell weights from weights.T apart in dinputs",
            "edge exact",
            v.matrix(3, 3, v.dyadic),
            v.matrix(3, 3, v.dyadic),
            v.matrix(3, 3, v.dyadic),
        ),
        _dense_back(
            "batch-of-one",
            "a batch of one: dbiases equal dvalues",
            "edge exact",
            [[0.5, -2.0, 1.5]],
            v.matrix(3, 2, v.dyadic),
            [[0.75, -0.25]],
        ),
        _dense_back(
            "zero-dvalues",
            "zero incoming gradients give zero gradients",
            "edge exact",
            v.matrix(2, 3, v.dyadic),
            v.matrix(3, 2, v.dyadic),
            _zeros(2, 2),
        ),
        _dense_back(
            "cancelling-dbiases",
            "a bias gradient that sums to nearly zero is judged against its terms",
            "edge",
            [[1.0], [1.0], [1.0]],
            [[1.0]],
            [[0.10000000149011612], [-0.30000001192092896], [0.20000000298023224]],
        ),
        _dense_back(
            "wide-batch-64",
            "64 samples summed into each weight and bias gradient",
            "edge random",
            v.matrix(64, 3, v.full),
            v.matrix(3, 2, v.full),
            v.matrix(64, 2, v.full),
        ),
        bad(
            "dvalues-width",
            "dvalues wider than the layer's neurons are refused",
            "shape_mismatch",
            inputs=[[1.0, 2.0]],
            weights=[[0.5], [0.25]],
            dvalues=[[1.0, 2.0]],
        ),
        bad(
            "dvalues-batch",
            "dvalues for another batch size are refused",
            "shape_mismatch",
            inputs=[[1.0, 2.0]],
            weights=[[0.5], [0.25]],
            dvalues=[[1.0], [2.0]],
        ),
        bad(
            "weights-mismatch",
            "weights that do not fit the inputs are refused",
            "shape_mismatch",
            inputs=[[1.0, 2.0]],
            weights=[[0.5, 1.0]],
            dvalues=[[1.0, 2.0]],
        ),
        bad(
            "ragged-dvalues",
            "dvalues rows of different lengths are refused",
            "ragged_rows",
            inputs=[[1.0], [2.0]],
            weights=[[0.5, 1.0]],
            dvalues=[[1.0, 2.0], [1.0]],
        ),
        bad(
            "empty-batch",
            "a batch with no samples is refused",
            "empty_batch",
            inputs=[],
            weights=[[0.5]],
            dvalues=[],
        ),
    ]
    for i, (b, k, n) in enumerate(
        (
            (2, 3, 4),
            (4, 2, 3),
            (5, 5, 2),
            (3, 7, 6),
            (8, 2, 3),
            (1, 4, 4),
            (6, 3, 1),
            (10, 6, 5),
            (12, 2, 64),
            (3, 33, 3),
            (7, 1, 7),
        )
    ):
        r = Values(9150 + i)
        specs.append(
            _dense_back(
                f"random-b{b}-k{k}-n{n}",
                f"batch {b}, {k} inputs, {n} neurons",
                "random",
                r.matrix(b, k, r.full),
                r.matrix(k, n, r.full),
                r.matrix(b, n, r.full),
            )
        )
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    dw, db, di = _dense_backward(
        T, _read(T, x["inputs"]), _read(T, x["weights"]), _read(T, x["dvalues"])
    )
    return _outputs(dweights=dw, dbiases=db, dinputs=di)

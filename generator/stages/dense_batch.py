"""`dense_batch`: its cases and its golden, side by side."""

from __future__ import annotations

from ..cases import BOOK_B, BOOK_B2, BOOK_LAYER1, BOOK_W, BOOK_W2, BOOK_X, bad, ok
from ..goldens import _dense_exact
from ..values import Values, transpose

DESCRIPTION = "A batch through a dense layer, in the Layer_Dense or per-neuron weight layout."
REQUIRES = ["layer"]
EXACT_MEANS_ZERO_TOL = True  # certified: a case tagged exact has zero tolerance everywhere


def _dense(slug, description, tags, inputs, weights, biases, layout="inputs_neurons"):
    return ok(
        slug,
        description,
        tags,
        inputs=inputs,
        weights=weights,
        biases=biases,
        params={"weights_layout": layout},
    )


def cases():
    v = Values(303)
    sq = v.matrix(3, 3, v.dyadic)
    specs = [
        _dense(
            "book-batch-per-neuron-weights",
            "the book's batch through per-neuron weights",
            "book inexact-inputs",
            BOOK_X,
            BOOK_W,
            BOOK_B,
            "neurons_inputs",
        ),
        _dense(
            "book-batch-layer-dense",
            "the book's batch through Layer_Dense weights",
            "book inexact-inputs",
            BOOK_X,
            transpose(BOOK_W),
            BOOK_B,
        ),
        _dense(
            "book-second-layer",
            "the book's second layer gives 0.5031, -1.04185, -2.03875 first",
            "book inexact-inputs",
            BOOK_LAYER1,
            BOOK_W2,
            BOOK_B2,
            "neurons_inputs",
        ),
        _dense(
            "one-by-one", "a 1x1 layer on a batch of one", "edge exact", [[1.5]], [[-0.75]], [0.25]
        ),
        _dense(
            "batch-of-one",
            "a batch of one sample through four neurons",
            "edge exact",
            [[0.5, -1.0, 2.0]],
            v.matrix(3, 4, v.dyadic),
            v.vector(4, v.dyadic),
        ),
        _dense(
            "b2-k3-n4",
            "batch 2, 3 inputs, 4 neurons: every dimension distinct",
            "edge exact",
            v.matrix(2, 3, v.dyadic),
            v.matrix(3, 4, v.dyadic),
            v.vector(4, v.dyadic),
        ),
        _dense(
            "b3-k4-n2-per-neuron",
            "batch 3, 4 inputs, 2 neurons with per-neuron rows",
            "edge exact",
            v.matrix(3, 4, v.dyadic),
            v.matrix(2, 4, v.dyadic),
            v.vector(2, v.dyadic),
            "neurons_inputs",
        ),
        _dense(
            "square-asymmetric",
            "square asymmetric weights tell a missing transpose apart",
            "edge exact",
            v.matrix(3, 3, v.dyadic),
            sq,
            [0.5, -1.0, 0.25],
        ),
        _dense(
            "square-asymmetric-per-neuron",
            "the same square weights used as per-neuron rows",
            "edge exact",
            v.matrix(3, 3, v.dyadic),
            sq,
            [0.5, -1.0, 0.25],
            "neurons_inputs",
        ),
        _dense(
            "bias-per-neuron",
            "each neuron's bias goes to its own column, not row",
            "edge exact",
            [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.5, 0.5]],
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
            [10.0, 20.0, 30.0],
        ),
        _dense(
            "negative-preactivations",
            "negative outputs stay negative: no activation here",
            "edge exact",
            [[1.0, 2.0], [-1.0, 0.5]],
            [[-1.0, 0.5], [-0.5, -0.25]],
            [-0.5, 1.0],
        ),
        _dense(
            "b5-k2-n7",
            "batch 5, 2 inputs, 7 neurons",
            "edge exact",
            v.matrix(5, 2, v.dyadic),
            v.matrix(2, 7, v.dyadic),
            v.vector(7, v.dyadic),
        ),
        _dense(
            "wide-256-inputs",
            "256 full-precision inputs per sample",
            "edge random",
            v.matrix(2, 256, v.full),
            v.matrix(256, 3, v.full),
            v.vector(3, v.full),
        ),
        _dense(
            "wide-64-exact",
            "64 binary-fraction inputs sum exactly in any order",
            "edge exact",
            v.matrix(3, 64, v.dyadic),
            v.matrix(64, 2, v.dyadic),
            v.vector(2, v.dyadic),
        ),
        _dense(
            "cancellation",
            "outputs near zero are judged against their terms",
            "edge",
            [[3.0, -3.0000002384185791, 1.0]],
            [[1.0000001192092896], [1.0], [0.0]],
            [0.0],
        ),
        _dense(
            "large-magnitudes",
            "outputs near 1e20 keep their relative accuracy",
            "edge",
            v.matrix(2, 3, lambda: v.full(60, 66)),
            v.matrix(3, 2, v.full),
            v.vector(2, v.full),
        ),
        bad(
            "ragged-inputs",
            "input rows of different lengths are refused",
            "ragged_rows",
            inputs=[[1.0, 2.0], [3.0]],
            weights=[[0.5], [0.25]],
            biases=[1.0],
            params={"weights_layout": "inputs_neurons"},
        ),
        bad(
            "ragged-weights",
            "weight rows of different lengths are refused",
            "ragged_rows",
            inputs=[[1.0, 2.0]],
            weights=[[0.5, 1.0], [0.25]],
            biases=[1.0, 2.0],
            params={"weights_layout": "inputs_neurons"},
        ),
        bad(
            "inner-mismatch",
            "weights for three inputs on two-input samples are refused",
            "shape_mismatch",
            inputs=[[1.0, 2.0]],
            weights=[[0.5], [0.25], [1.0]],
            biases=[1.0],
            params={"weights_layout": "inputs_neurons"},
        ),
        bad(
            "untransposed-per-neuron",
            "per-neuron rows read as Layer_Dense weights do not fit",
            "shape_mismatch",
            inputs=[[1.0, 2.0, 3.0]],
            weights=[[0.5, 0.25, 1.0]],
            biases=[1.0],
            params={"weights_layout": "inputs_neurons"},
        ),
        bad(
            "bias-count",
            "a bias count other than the neuron count is refused",
            "shape_mismatch",
            inputs=[[1.0, 2.0]],
            weights=[[0.5, 1.0], [0.25, 2.0]],
            biases=[1.0, 2.0, 3.0],
            params={"weights_layout": "inputs_neurons"},
        ),
        bad(
            "empty-batch",
            "a batch with no samples is refused",
            "empty_batch",
            inputs=[],
            weights=[[0.5], [0.25]],
            biases=[1.0],
            params={"weights_layout": "inputs_neurons"},
        ),
        bad(
            "flat-inputs",
            "a single flat sample is refused: a batch is a matrix",
            "shape_mismatch",
            inputs=[1.0, 2.0],
            weights=[[0.5], [0.25]],
            biases=[1.0],
            params={"weights_layout": "inputs_neurons"},
        ),
    ]
    shapes = (
        (2, 3, 4),
        (4, 3, 2),
        (3, 5, 3),
        (7, 4, 5),
        (1, 9, 6),
        (6, 2, 1),
        (5, 17, 3),
        (3, 6, 8),
    )
    for i, (b, k, n) in enumerate(shapes):
        r = Values(3000 + i)
        layout = "neurons_inputs" if i % 2 else "inputs_neurons"
        w = r.matrix(k, n, r.full) if layout == "inputs_neurons" else r.matrix(n, k, r.full)
        specs.append(
            _dense(
                f"random-b{b}-k{k}-n{n}",
                f"batch {b}, {k} inputs, {n} neurons, {layout} weights",
                "random",
                r.matrix(b, k, r.full),
                w,
                r.vector(n, r.full),
                layout,
            )
        )
    return specs


def golden(x, p, tier):
    weights = x["weights"]
    if p["weights_layout"] == "neurons_inputs":
        weights = [list(col) for col in zip(*weights)]
    values, tols = _dense_exact(x["inputs"], weights, x["biases"], tier)
    return {"output": ([[float(v) for v in row] for row in values], tols)}

"""`layer`: its cases and its golden, side by side."""

from __future__ import annotations

from ..cases import BOOK_B, BOOK_W, BOOK_X, bad, ok
from ..goldens import _dot_golden
from ..values import Values

DESCRIPTION = "One sample through a layer of neurons with per-neuron weight rows."
REQUIRES = ["neuron"]
EXACT_MEANS_ZERO_TOL = True  # certified: a case tagged exact has zero tolerance everywhere


def cases():
    v = Values(202)
    specs = [
        ok(
            "book-three-neurons",
            "the book's layer of three neurons gives 4.8, 1.21, 2.385",
            "book inexact-inputs",
            inputs=BOOK_X[0],
            weights=BOOK_W,
            biases=BOOK_B,
        ),
        ok(
            "one-neuron",
            "a layer of one neuron returns a list of one",
            "edge exact",
            inputs=[0.5, -1.25, 2.0],
            weights=[[1.5, 0.25, -0.75]],
            biases=[0.125],
        ),
        ok(
            "one-input",
            "every neuron of a one-input layer scales the input",
            "edge exact",
            inputs=[2.5],
            weights=[[0.5], [-1.5], [3.0], [0.0]],
            biases=[0.0, 1.0, -2.0, 0.25],
        ),
        ok(
            "more-neurons-than-inputs",
            "five neurons read three inputs",
            "edge exact",
            inputs=[1.0, -2.0, 0.5],
            weights=v.matrix(5, 3, v.dyadic),
            biases=v.vector(5, v.dyadic),
        ),
        ok(
            "more-inputs-than-neurons",
            "two neurons read seven inputs",
            "edge exact",
            inputs=v.vector(7, v.dyadic),
            weights=v.matrix(2, 7, v.dyadic),
            biases=[-0.5, 1.75],
        ),
        ok(
            "distinct-biases",
            "each neuron adds its own bias",
            "edge exact",
            inputs=[1.0, 1.0],
            weights=[[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]],
            biases=[1.0, 2.0, 3.0],
        ),
        ok(
            "zero-biases",
            "zero biases add nothing",
            "edge exact",
            inputs=[0.25, -4.0, 1.5],
            weights=[[1.0, 0.5, -2.0], [0.125, -0.25, 4.0]],
            biases=[0.0, 0.0],
        ),
        ok(
            "last-input-weighted",
            "the last input carries the largest weight",
            "edge exact",
            inputs=[1.0, 2.0, 3.0, 4.0],
            weights=[[0.0, 0.0, 0.0, 8.0], [0.5, 0.5, 0.5, -8.0]],
            biases=[0.5, -0.5],
        ),
        ok(
            "cancels-to-zero",
            "rows whose products cancel give exactly zero",
            "edge exact",
            inputs=[3.0, 3.0],
            weights=[[1.0, -1.0], [-0.5, 0.5]],
            biases=[0.0, -0.0],
        ),
        ok(
            "negative-zero",
            "negative zeros are ordinary zeros",
            "edge exact",
            inputs=[-0.0, -0.0, 1.0],
            weights=[[1.0, 2.0, -0.0], [-3.0, -0.0, 0.5]],
            biases=[-0.0, 0.25],
        ),
        ok(
            "wide-256-inputs",
            "three neurons over 256 full-precision inputs",
            "edge random",
            inputs=v.vector(256, v.full),
            weights=v.matrix(3, 256, v.full),
            biases=v.vector(3, v.full),
        ),
        ok(
            "wide-64-neurons",
            "64 neurons over four inputs",
            "edge random",
            inputs=v.vector(4, v.full),
            weights=v.matrix(64, 4, v.full),
            biases=v.vector(64, v.full),
        ),
        ok(
            "large-and-small",
            "inputs spanning 2^-20 to 2^20 keep their accuracy",
            "edge",
            inputs=[v.full(18, 20), v.full(-20, -18), v.full(-1, 1)],
            weights=v.matrix(3, 3, v.full),
            biases=v.vector(3, v.full),
        ),
        bad(
            "row-too-short",
            "a weight row shorter than the inputs is refused",
            "shape_mismatch",
            inputs=[1.0, 2.0, 3.0],
            weights=[[0.5, 0.25], [0.5, 0.25]],
            biases=[1.0, 2.0],
        ),
        bad(
            "bias-count",
            "a bias count other than the neuron count is refused",
            "shape_mismatch",
            inputs=[1.0, 2.0],
            weights=[[0.5, 0.25], [0.5, 0.25]],
            biases=[1.0, 2.0, 3.0],
        ),
        bad(
            "ragged-weights",
            "weight rows of different lengths are refused",
            "ragged_rows",
            inputs=[1.0, 2.0],
            weights=[[0.5, 0.25], [0.5]],
            biases=[1.0, 2.0],
        ),
        bad(
            "matrix-inputs",
            "a batch of inputs is refused by a single-sample layer",
            "shape_mismatch",
            inputs=[[1.0, 2.0]],
            weights=[[0.5, 0.25]],
            biases=[1.0],
        ),
        bad(
            "vector-weights",
            "a flat weight list is refused",
            "shape_mismatch",
            inputs=[1.0, 2.0],
            weights=[0.5, 0.25],
            biases=[1.0],
        ),
    ]
    for i, (n, k) in enumerate(((2, 3), (3, 2), (4, 4), (3, 8), (6, 5), (10, 3), (2, 50), (8, 9))):
        r = Values(2000 + i)
        specs.append(
            ok(
                f"random-n{n}-k{k}",
                f"{n} neurons over {k} random inputs",
                "random",
                inputs=r.vector(k, r.full),
                weights=r.matrix(n, k, r.full),
                biases=r.vector(n, r.full),
            )
        )
    return specs


def golden(x, p, tier):
    pairs = [_dot_golden(x["inputs"], row, b, tier) for row, b in zip(x["weights"], x["biases"])]
    return {"output": ([float(v) for v, _ in pairs], [tol for _, tol in pairs])}

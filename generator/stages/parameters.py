"""`parameters`: its cases and its golden, side by side."""

from __future__ import annotations

from nnfs_conform.suite.stages import LAYERS

from ..book import f32
from ..bounded import Tier
from ..cases import BOOK_B, BOOK_B2, BOOK_W, BOOK_W2, BOOK_X, bad, ok
from ..training_goldens import _chain, _outputs, _read
from ..values import Values, transpose
from .dense_relu_dense_softmax import SIZES

DESCRIPTION = (
    "Chapter 21's round trip: get_parameters, save them (the book pickles a list of "
    "(weights, biases) pairs; docs/STAGES.md gives the JSON form), load them into a fresh model "
    "with set_parameters, then its parameters and its softmax output on inputs."
)
REQUIRES = ["dense_relu_dense_softmax"]


def _saved(slug, description, tags, inputs, w1, b1, w2, b2):
    return ok(
        slug, description, tags, inputs=inputs, weights1=w1, biases1=b1, weights2=w2, biases2=b2
    )


def _random(seed, b, k, h, c):
    r = Values(seed)
    return (
        r.matrix(b, k, r.full),
        r.matrix(k, h, lambda: r.full(-8, -1)),
        r.vector(h, lambda: r.full(-8, -1)),
        r.matrix(h, c, lambda: r.full(-8, -1)),
        r.vector(c, lambda: r.full(-8, -1)),
    )


def cases():
    def full(values):  # float32 values with every significand bit in use
        return [full(v) if isinstance(v, list) else f32(v) for v in values]

    specs = [
        _saved(
            "book-layers",
            "the book's two layers saved and loaded: 0.2, 0.8, -0.5 ... come back unchanged",
            "book inexact-inputs",
            BOOK_X,
            transpose(BOOK_W),
            BOOK_B,
            transpose(BOOK_W2),
            BOOK_B2,
        ),
        _saved(
            "every-digit-kept",
            "full 24-bit significands: a file written with 6 or 7 digits loses them",
            "edge",
            [[1.0, -1.0]],
            full([[0.1234567890123, -3.0000001], [1.0000001, 0.33333334]]),
            full([1e-7, -2.5e-8]),
            full([[0.7777777, -0.1111111], [1e-3, 12345.678]]),
            full([3.1415927, -2.7182817]),
        ),
        _saved(
            "tiny-and-huge",
            "magnitudes from 1e-30 to 1e20 survive the file",
            "edge",
            full([[1e-3, 2e-3]]),
            full([[1e-30, 1e20], [-1e-20, 1e10]]),
            [0.0, -0.0],
            full([[1e-10, 1.0], [1e-17, 2e-17]]),
            [0.0, 0.0],
        ),
        _saved(
            "float64-digits",
            "parameters that need all 17 digits of a float64: 0.1, 1/3, 2/3 ...",
            "edge inexact-inputs",
            [[0.5, -0.25]],
            [[0.1, 1 / 3], [2 / 3, -0.7]],
            [0.2, -1 / 7],
            [[0.3, -0.9], [1 / 9, 0.11]],
            [1 / 11, -0.13],
        ),
        _saved(
            "layers-in-order",
            "layers of 2x3 then 3x2 weights: the first saved pair is the first layer's",
            "edge exact",
            [[1.0, 2.0]],
            [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
            [0.5, 0.25, 0.125],
            [[-1.0, 1.0], [0.5, -0.5], [2.0, 0.0]],
            [0.0, 1.0],
        ),
        _saved(
            "biases-not-weights",
            "biases and weights of the same length are not swapped",
            "edge exact",
            [[1.0]],
            [[2.0]],
            [-3.0],
            [[4.0]],
            [-5.0],
        ),
        bad(
            "layers-do-not-chain",
            "weights2 with a row count other than layer 1's neurons is refused",
            "shape_mismatch",
            inputs=[[1.0, 2.0]],
            weights1=[[1.0, 0.0], [0.0, 1.0]],
            biases1=[0.0, 0.0],
            weights2=[[1.0]],
            biases2=[0.0],
        ),
        bad(
            "empty-batch",
            "no inputs for the loaded model is refused",
            "empty_batch",
            inputs=[],
            weights1=[[1.0]],
            biases1=[0.0],
            weights2=[[1.0]],
            biases2=[0.0],
        ),
        bad(
            "ragged-weights",
            "weights rows of different lengths are refused",
            "ragged_rows",
            inputs=[[1.0, 2.0]],
            weights1=[[1.0, 2.0], [1.0]],
            biases1=[0.0, 0.0],
            weights2=[[1.0], [1.0]],
            biases2=[0.0],
        ),
    ]
    # the chain's own networks, one as wide as a Fashion MNIST image, one with one class
    for i, size in enumerate((*SIZES, (1, 784, 4, 10), (5, 3, 3, 1))):
        b, k, h, c = size
        specs.append(
            _saved(
                f"random-{b}x{k}-{h}-{c}",
                f"random Dense({k}, {h}) and Dense({h}, {c}) saved, loaded and used on {b} samples",
                "random",
                *_random(5400 + i, *size),
            )
        )
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    saved = {
        name: [
            [T.parse(v) for v in row] if isinstance(row, list) else T.parse(row) for row in x[name]
        ]
        for name in LAYERS
    }
    output = _chain(T, _read(T, x["inputs"]), *(_read(T, x[n]) for n in LAYERS))["softmax"]
    return {**_outputs(**saved), "output": output}

"""`regularization`: its cases and its golden, side by side."""

from __future__ import annotations

from ..bounded import Tier
from ..cases import bad, ok
from ..training_goldens import _outputs, _read, _regularization_loss, _regularizer_terms
from ..values import Values

DESCRIPTION = "L1 and L2 regularization: the loss terms and their gradients (d|w|/dw = +1 at 0)."
REQUIRES: list[str] = []


# -- regularization and dropout -------------------------------------------------------------------
def _reg(slug, description, tags, weights, biases, l1w=0.0, l2w=0.0, l1b=0.0, l2b=0.0):
    return ok(
        slug,
        description,
        tags,
        weights=weights,
        biases=biases,
        weight_regularizer_l1=l1w,
        weight_regularizer_l2=l2w,
        bias_regularizer_l1=l1b,
        bias_regularizer_l2=l2b,
    )


def _regularizer_gradient(T, values, l1, l2):
    return [l1_term + l2_term for l1_term, l2_term in _regularizer_terms(T, values, l1, l2)]


def cases():
    v = Values(9601)
    w, b = v.matrix(3, 4, v.dyadic), v.vector(4, v.dyadic)
    specs = [
        _reg(
            "book-chapter14-l2",
            "the book's chapter 14 layer: L2 5e-4 on weights and biases",
            "book inexact-inputs",
            v.matrix(2, 4, v.full),
            v.vector(4, v.full),
            l2w=5e-4,
            l2b=5e-4,
        ),
        _reg(
            "l1-weights",
            "an L1 penalty on weights: the sum of magnitudes, gradient the sign",
            "edge exact",
            w,
            b,
            l1w=0.5,
        ),
        _reg(
            "l2-weights",
            "an L2 penalty on weights: the sum of squares, gradient 2·l2·w",
            "edge exact",
            w,
            b,
            l2w=0.25,
        ),
        _reg("l1-biases", "an L1 penalty on biases only", "edge exact", w, b, l1b=0.125),
        _reg("l2-biases", "an L2 penalty on biases only", "edge exact", w, b, l2b=2.0),
        _reg(
            "all-four",
            "all four regularizers at once",
            "edge exact",
            w,
            b,
            l1w=0.5,
            l2w=0.25,
            l1b=0.125,
            l2b=2.0,
        ),
        _reg(
            "sign-of-zero",
            "d|w|/dw is +1 at 0 and at -0.0, as the book has it",
            "edge exact",
            [[0.0, -0.0], [1.0, -1.0]],
            [0.0, -0.0],
            l1w=1.0,
            l1b=0.5,
        ),
        _reg("no-regularization", "all factors zero: no loss, no gradient", "edge exact", w, b),
        _reg(
            "sign-of-zero-weights",
            "weights of +0.0 and -0.0 among others: d|w|/dw is +1 at "
            "both zeros, L1 on weights only",
            "edge exact",
            [[0.0, 1.5, -0.0], [-2.0, -0.0, 0.0], [0.25, 0.0, -0.5]],
            [1.0, -1.0, 0.5],
            l1w=0.25,
        ),
        _reg(
            "sign-of-negative-zero-biases",
            "biases of -0.0 get +1 from L1, not -1 or 0",
            "edge exact",
            [[1.0, -1.0]],
            [-0.0, -0.0],
            l1b=2.0,
        ),
        _reg(
            "sign-of-zero-with-l2",
            "at +0.0 and -0.0 the L2 term is 0 and L1 gives +l1: the gradient is l1 exactly",
            "edge exact",
            [[0.0, -0.0, 0.75], [-0.0, -1.5, 0.0]],
            [-0.0, 0.0, 1.0],
            l1w=0.5,
            l2w=0.125,
            l1b=0.0625,
            l2b=4.0,
        ),
        _reg(
            "factor-two",
            "the L2 gradient keeps its factor 2",
            "edge exact",
            [[3.0]],
            [-5.0],
            l2w=1.0,
            l2b=1.0,
        ),
        bad(
            "negative-factor",
            "a negative factor is refused",
            "invalid_value",
            weights=[[1.0]],
            biases=[1.0],
            weight_regularizer_l1=-0.5,
            weight_regularizer_l2=0.0,
            bias_regularizer_l1=0.0,
            bias_regularizer_l2=0.0,
        ),
        bad(
            "bias-count",
            "a bias count other than the neurons is refused",
            "shape_mismatch",
            weights=[[1.0, 2.0]],
            biases=[1.0],
            weight_regularizer_l1=0.0,
            weight_regularizer_l2=0.5,
            bias_regularizer_l1=0.0,
            bias_regularizer_l2=0.0,
        ),
        bad(
            "vector-factor",
            "a list as a factor is refused",
            "shape_mismatch",
            weights=[[1.0]],
            biases=[1.0],
            weight_regularizer_l1=[0.5],
            weight_regularizer_l2=0.0,
            bias_regularizer_l1=0.0,
            bias_regularizer_l2=0.0,
        ),
        bad(
            "ragged-weights",
            "weight rows of different lengths are refused",
            "ragged_rows",
            weights=[[1.0, 2.0], [1.0]],
            biases=[1.0, 2.0],
            weight_regularizer_l1=0.0,
            weight_regularizer_l2=0.5,
            bias_regularizer_l1=0.0,
            bias_regularizer_l2=0.0,
        ),
    ]
    for i, (k, n) in enumerate(
        (
            (2, 3),
            (4, 4),
            (8, 2),
            (3, 16),
            (1, 1),
            (6, 5),
            (2, 64),
            (16, 3),
            (5, 7),
            (1, 9),
            (10, 10),
            (3, 2),
        )
    ):
        r = Values(9650 + i)
        specs.append(
            _reg(
                f"random-{k}x{n}",
                f"random {k}x{n} weights, all four factors",
                "random",
                r.matrix(k, n, r.full),
                r.vector(n, r.full),
                r.full(-12, -8, False),
                r.full(-12, -8, False),
                r.full(-12, -8, False),
                r.full(-12, -8, False),
            )
        )
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    weights, biases = _read(T, x["weights"]), _read(T, x["biases"])
    l1w, l2w, l1b, l2b = (
        T.scalar(x[n])
        for n in (
            "weight_regularizer_l1",
            "weight_regularizer_l2",
            "bias_regularizer_l1",
            "bias_regularizer_l2",
        )
    )
    loss = _regularization_loss(T, weights, biases, l1w, l2w, l1b, l2b)
    dweights = [_regularizer_gradient(T, row, l1w, l2w) for row in weights]
    dbiases = _regularizer_gradient(T, biases, l1b, l2b)
    return _outputs(loss=loss, dweights=dweights, dbiases=dbiases)

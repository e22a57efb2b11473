"""`sgd_step`: its cases and its golden, side by side."""

from __future__ import annotations

from ..training_cases import _layer, _optimizer_cases, _state_values, _step
from ..training_goldens import _optimizer_step
from ..values import Values

DESCRIPTION = "One SGD step with learning-rate decay and the book's momentum."
REQUIRES: list[str] = []


def cases():
    r = Values(10201)
    w, b = _layer(r)
    g, gb = _layer(r, lo=-8, hi=-2)
    state = _state_values(r, "sgd")
    return _optimizer_cases("sgd", 10200) + [
        _step(
            "sgd",
            "book-single-neuron",
            "the book's neuron w = -3, -1, 2, b = 1 with "
            "lr 0.001 becomes -3.001, -0.998, 1.997, 0.999",
            "book inexact-inputs",
            [[-3.0], [-1.0], [2.0]],
            [1.0],
            [[1.0], [-2.0], [3.0]],
            [1.0],
            learning_rate=0.001,
        ),
        _step(
            "sgd",
            "book-decay-toy",
            "the book's decay toy: lr 1, decay 0.1 at step 1 uses 0.9090909090909091",
            "book inexact-inputs",
            w,
            b,
            g,
            gb,
            1,
            decay=0.1,
        ),
        _step(
            "sgd",
            "momentum-first-step",
            "momentum 0.9 from zero state equals plain SGD",
            "edge inexact-inputs",
            w,
            b,
            g,
            gb,
            momentum=0.9,
        ),
        _step(
            "sgd",
            "momentum-with-state",
            "momentum 0.5 carries half the previous update",
            "edge",
            w,
            b,
            g,
            gb,
            3,
            state,
            momentum=0.5,
        ),
        _step(
            "sgd",
            "momentum-and-decay",
            "the book's Optimizer_SGD(decay=1e-3, momentum=0.9) "
            "at iteration 10: the decayed rate is inside the momentum",
            "edge inexact-inputs",
            w,
            b,
            g,
            gb,
            10,
            state,
            decay=1e-3,
            momentum=0.9,
        ),
        _step(
            "sgd",
            "no-momentum-keeps-state",
            "without momentum the momentum arrays come back unchanged",
            "edge",
            w,
            b,
            g,
            gb,
            2,
            state,
        ),
        _step(
            "sgd",
            "learning-rate-085",
            "the book's Optimizer_SGD(learning_rate=.85)",
            "edge inexact-inputs",
            w,
            b,
            g,
            gb,
            learning_rate=0.85,
        ),
        _step(
            "sgd",
            "exact-step",
            "binary fractions step exactly",
            "edge exact",
            [[0.5, -0.25]],
            [1.0, 2.0],
            [[0.125, 1.0]],
            [-0.5, 0.25],
            0,
            None,
            learning_rate=0.5,
        ),
    ]


golden = _optimizer_step("sgd")

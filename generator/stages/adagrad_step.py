"""`adagrad_step`: its cases and its golden, side by side."""

from __future__ import annotations

from ..training_cases import _layer, _optimizer_cases, _state_values, _step
from ..training_goldens import _optimizer_step
from ..values import Values

DESCRIPTION = "One AdaGrad step."
REQUIRES: list[str] = []


def cases():
    r = Values(10301)
    w, b = _layer(r)
    g, gb = _layer(r, lo=-8, hi=-2)
    return _optimizer_cases("adagrad", 10300) + [
        _step(
            "adagrad",
            "book-decay-1e-4",
            "the book's Optimizer_Adagrad(decay=1e-4) at iteration 10",
            "book inexact-inputs",
            w,
            b,
            g,
            gb,
            10,
            _state_values(r, "adagrad"),
            decay=1e-4,
        ),
        _step(
            "adagrad",
            "first-step-moves-lr",
            "the first step moves every parameter by about the learning rate: g / sqrt(g²) = ±1",
            "edge inexact-inputs",
            w,
            b,
            g,
            gb,
            learning_rate=0.5,
        ),
    ]


golden = _optimizer_step("adagrad")

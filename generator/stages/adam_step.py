"""`adam_step`: its cases and its golden, side by side."""

from __future__ import annotations

from ..training_cases import _layer, _optimizer_cases, _state_values, _step
from ..training_goldens import _optimizer_step
from ..values import Values

DESCRIPTION = "One Adam step with bias correction."
REQUIRES: list[str] = []


def cases():
    r = Values(10501)
    w, b = _layer(r)
    g, gb = _layer(r, lo=-8, hi=-2)
    return _optimizer_cases("adam", 10500) + [
        _step(
            "adam",
            "book-final",
            "the book's final Optimizer_Adam(learning_rate=0.05, decay=5e-7) at iteration 10",
            "book inexact-inputs",
            w,
            b,
            g,
            gb,
            10,
            _state_values(r, "adam"),
            learning_rate=0.05,
            decay=5e-7,
        ),
        _step(
            "adam",
            "first-step-moves-lr",
            "the first step moves every parameter by about "
            "the learning rate: the corrected m / sqrt(v) is ±1",
            "edge inexact-inputs",
            w,
            b,
            g,
            gb,
            learning_rate=0.02,
        ),
    ]


golden = _optimizer_step("adam")

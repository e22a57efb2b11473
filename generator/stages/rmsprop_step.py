"""`rmsprop_step`: its cases and its golden, side by side."""

from __future__ import annotations

from ..training_cases import _layer, _optimizer_cases, _state_values, _step
from ..training_goldens import _optimizer_step
from ..values import Values

DESCRIPTION = "One RMSprop step."
REQUIRES: list[str] = []


def cases():
    r = Values(10401)
    w, b = _layer(r)
    g, gb = _layer(r, lo=-8, hi=-2)
    return _optimizer_cases("rmsprop", 10400) + [
        _step(
            "rmsprop",
            "rho-zero",
            "rho 0 keeps only the latest squared gradient",
            "edge inexact-inputs",
            w,
            b,
            g,
            gb,
            2,
            _state_values(r, "rmsprop"),
            rho=0.0,
        ),
        _step(
            "rmsprop",
            "book-rho-0999",
            "the book's Optimizer_RMSprop(learning_rate=0.02, "
            "decay=1e-5, rho=0.999) at iteration 10",
            "book inexact-inputs",
            w,
            b,
            g,
            gb,
            10,
            _state_values(r, "rmsprop"),
            learning_rate=0.02,
            decay=1e-5,
            rho=0.999,
        ),
    ]


golden = _optimizer_step("rmsprop")

"""`mean_absolute_error`: its cases and its golden, side by side."""

from __future__ import annotations

from ..training_cases import _regression_cases
from ..training_goldens import _regression

DESCRIPTION = (
    "Mean absolute error and its correct gradient, sign(y_pred - y_true) "
    "/ outputs / samples (the book's has the wrong sign)."
)
REQUIRES: list[str] = []


def cases():
    return _regression_cases(10101)


def golden(x, p, tier):
    def sign(T, d):  # of y_pred - y_true = -d; exact, since the inputs are
        return T.const(0 if d.v == 0 else (-1 if d.v > 0 else 1))

    return _regression(x, tier, lambda T, d: abs(d), sign)

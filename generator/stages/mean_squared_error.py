"""`mean_squared_error`: its cases and its golden, side by side."""

from __future__ import annotations

from ..training_cases import _regression_cases
from ..training_goldens import _regression

DESCRIPTION = "Mean squared error and its gradient, -2·(y_true - y_pred) / outputs / samples."
REQUIRES: list[str] = []


def cases():
    return _regression_cases(10001)


def golden(x, p, tier):
    return _regression(x, tier, lambda T, d: d * d, lambda T, d: -2 * d)

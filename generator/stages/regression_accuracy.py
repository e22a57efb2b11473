"""`regression_accuracy`: its cases and its golden, side by side."""

from __future__ import annotations

import math
import statistics

import mpmath

from .. import tolerance as t
from ..bounded import Tier
from ..cases import bad, ok
from ..goldens import _share
from ..training_goldens import _read
from ..values import Values

DESCRIPTION = (
    "Accuracy_Regression (chapter 17): the share of outputs with |y_pred - y_true| < precision, "
    "strictly; the book's precision is np.std(y_true) / 250, given as an input."
)
REQUIRES: list[str] = []


def _regression(slug, description, tags, y_pred, y_true, precision):
    return ok(slug, description, tags, y_pred=y_pred, y_true=y_true, precision=precision)


def _sine(samples):
    """The nnfs package's sine_data: X = i / samples, y = sin(2·pi·X)."""
    return [[math.sin(2 * math.pi * (i / samples))] for i in range(samples)]


def _book_precision(y_true):
    return statistics.pstdev(v for row in y_true for v in row) / 250


def cases():
    sine = _sine(1000)
    near = [[v + (-1) ** i * 0.001 * (i % 5) for v in row] for i, row in enumerate(sine)]
    book_precision = _book_precision(sine)
    assert book_precision == 0.0028284271247461905, "the book's np.std(y) / 250 of sine_data()"
    specs = [
        _regression(
            "book-precision-from-std",
            "chapter 17's sine_data() targets and precision np.std(y) / 250 = "
            "0.0028284271247461905; predictions 0 to 0.004 away",
            "book inexact-inputs",
            near,
            sine,
            book_precision,
        ),
        _regression(
            "difference-equal-to-precision",
            "a difference of exactly the precision does not count: the book's test is <",
            "edge exact",
            [[1.25], [1.0]],
            [[1.0], [1.0]],
            0.25,
        ),
        _regression(
            "just-inside",
            "a difference one step below the precision counts",
            "edge exact",
            [[1.1875], [0.8125]],
            [[1.0], [1.0]],
            0.25,
        ),
        _regression(
            "absolute-difference",
            "predictions below the target count as well as above: |y_pred - y_true|",
            "edge exact",
            [[0.5], [-0.5], [3.0]],
            [[0.625], [-0.375], [2.0]],
            0.25,
        ),
        _regression(
            "several-outputs",
            "two outputs per sample: every output is counted",
            "edge exact",
            [[1.0, 2.0], [3.0, 4.5]],
            [[1.0, 2.5], [3.0, 4.0]],
            0.125,
        ),
        _regression(
            "zero-precision",
            "a precision of 0 counts nothing, not even exact predictions",
            "edge exact",
            [[1.0], [2.0]],
            [[1.0], [2.0]],
            0.0,
        ),
        _regression(
            "exact-predictions",
            "exact predictions all count with any positive precision",
            "edge exact",
            [[1.0], [-2.0], [0.0]],
            [[1.0], [-2.0], [0.0]],
            0.0078125,
        ),
        _regression(
            "large-precision",
            "a precision larger than every difference gives 1",
            "edge exact",
            [[100.0], [-100.0]],
            [[0.0], [0.0]],
            1024.0,
        ),
        _regression(
            "one-in-three",
            "one of three within precision is 1/3, rounded once",
            "edge",
            [[0.0], [1.0], [2.0]],
            [[0.0], [0.0], [0.0]],
            0.5,
        ),
        bad(
            "targets-other-shape",
            "targets of another shape than the outputs are refused",
            "shape_mismatch",
            y_pred=[[1.0, 2.0]],
            y_true=[[1.0]],
            precision=0.1,
        ),
        bad(
            "negative-precision",
            "a negative precision is refused",
            "invalid_value",
            y_pred=[[1.0]],
            y_true=[[1.0]],
            precision=-0.5,
        ),
        bad(
            "precision-not-a-number",
            "a precision that is a list is refused",
            "shape_mismatch",
            y_pred=[[1.0]],
            y_true=[[1.0]],
            precision=[0.5],
        ),
        bad(
            "empty-batch",
            "a batch with no samples is refused",
            "empty_batch",
            y_pred=[],
            y_true=[],
            precision=0.5,
        ),
        bad(
            "ragged-outputs",
            "output rows of different lengths are refused",
            "ragged_rows",
            y_pred=[[1.0, 2.0], [1.0]],
            y_true=[[1.0, 2.0], [1.0]],
            precision=0.5,
        ),
    ]
    for i, (b, n) in enumerate(
        (
            (8, 1),
            (20, 1),
            (4, 2),
            (1, 6),
            (12, 1),
            (5, 3),
            (30, 1),
            (6, 2),
            (3, 4),
            (16, 1),
            (10, 2),
            (50, 1),
        )
    ):
        r = Values(4700 + i)
        y_true = r.matrix(b, n, r.dyadic)
        y_pred = [[v + r.integer(-8, 8) / 64 for v in row] for row in y_true]
        specs.append(
            _regression(
                f"random-{b}x{n}",
                f"{b} samples of {n} outputs, each within 1/8 of its target or not",
                "random",
                y_pred,
                y_true,
                r.integer(1, 8) / 64 + 1 / 128,
            )
        )
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    precision = mpmath.mpf(x["precision"])
    hits = doubtful = 0
    pairs = [
        (q, y)
        for qr, yr in zip(_read(T, x["y_pred"]), _read(T, x["y_true"]))
        for q, y in zip(qr, yr)
    ]
    for q, y in pairs:
        difference = abs(q - y)
        low, high = difference.v - difference.e, difference.v + difference.e
        hits += difference.v < precision
        doubtful += (low < precision) != (high < precision)
    value, tol = _share(hits, len(pairs), tier)
    return {"accuracy": (value, t.up(tol + doubtful / len(pairs)))}

"""`softmax`: its cases and its golden, side by side."""

from __future__ import annotations

from ..cases import BOOK_LAYER1, INF, bad, ok
from ..goldens import _softmax_rows
from ..values import Values

DESCRIPTION = "A row-wise softmax, shifted by the row maximum."
REQUIRES: list[str] = []


def cases():
    v = Values(505)
    specs = [
        ok(
            "book-one-row",
            "the book's 4.8, 1.21, 2.385 row gives 0.8953, 0.0247, 0.0800",
            "book inexact-inputs",
            inputs=[BOOK_LAYER1[0]],
        ),
        ok(
            "book-batch",
            "the book's three-row batch normalises each row",
            "book inexact-inputs",
            inputs=BOOK_LAYER1,
        ),
        ok(
            "minus-one-zero-one",
            "logits -1, 0, 1 give 0.0900, 0.2447, 0.6652",
            "edge",
            inputs=[[-1.0, 0.0, 1.0]],
        ),
        ok(
            "large-logits",
            "logits near 1000 do not overflow",
            "edge",
            inputs=[[1000.0, 1000.5, 999.0]],
        ),
        ok(
            "equal-large-logits",
            "four equal logits of 1000 give exactly 0.25 each",
            "edge",
            inputs=[[1000.0, 1000.0, 1000.0, 1000.0]],
        ),
        ok(
            "float32-overflow-edge",
            "logits just past float32 exp overflow near 88.7 stay finite",
            "edge",
            inputs=[[88.5, 89.0, 88.75], [-87.5, 88.75, 0.0]],
        ),
        ok(
            "all-negative-large",
            "logits near -1000 do not give 0/0",
            "edge",
            inputs=[[-1000.0, -1001.0, -1002.0]],
        ),
        ok(
            "all-negative-moderate",
            "logits near -100 keep float32 accuracy",
            "edge",
            inputs=[[-100.0, -101.0, -102.0]],
        ),
        ok(
            "single-class",
            "a single class has probability 1",
            "edge",
            inputs=[[3.5], [-2.0], [1000.0]],
        ),
        ok(
            "two-classes",
            "two classes give the logistic function of the difference",
            "edge",
            inputs=[[0.0, 1.0], [2.5, -2.5]],
        ),
        ok(
            "tie-at-max", "two tied maxima share the mass equally", "edge", inputs=[[2.0, 2.0, 1.0]]
        ),
        ok(
            "zero-row",
            "a row of zeros gives a uniform distribution",
            "edge",
            inputs=[[0.0, 0.0, 0.0], [-0.0, 0.0, -0.0]],
        ),
        ok(
            "underflowing-tail",
            "far-below-max logits underflow to zero, not NaN",
            "edge",
            inputs=[[0.0, -50.0, -120.0, -800.0]],
        ),
        ok(
            "negative-infinity-logit",
            "a -Infinity logit gets probability exactly 0",
            "edge",
            inputs=[[0.0, -INF, 1.0]],
        ),
        ok(
            "rows-differ",
            "3 rows by 5 classes: rows are normalised, not columns",
            "edge",
            inputs=v.matrix(3, 5, v.dyadic),
        ),
        ok("five-rows-two-classes", "5 rows by 2 classes", "edge", inputs=v.matrix(5, 2, v.dyadic)),
        ok(
            "last-class-large",
            "the last class holds most of the mass",
            "edge",
            inputs=[[0.5, -1.0, 0.25, 6.0]],
        ),
        bad(
            "ragged-rows",
            "rows of different lengths are refused",
            "ragged_rows",
            inputs=[[1.0, 2.0, 3.0], [1.0, 2.0]],
        ),
        bad("empty-batch", "a batch with no rows is refused", "empty_batch", inputs=[]),
        bad(
            "flat-row",
            "a flat list is refused: softmax works on a batch of rows",
            "shape_mismatch",
            inputs=[1.0, 2.0, 3.0],
        ),
    ]
    for i, (b, c, lo, hi) in enumerate(
        (
            (2, 3, -2, 1),
            (4, 5, -1, 3),
            (3, 10, 0, 4),
            (1, 64, -2, 2),
            (8, 4, 3, 6),
            (5, 7, -3, 0),
            (2, 33, 1, 5),
            (6, 2, -1, 2),
        )
    ):
        r = Values(5000 + i)
        specs.append(
            ok(
                f"random-{b}x{c}",
                f"a random {b}x{c} batch of logits up to 2^{hi + 1}",
                "random",
                inputs=r.matrix(b, c, lambda r=r, lo=lo, hi=hi: r.full(lo, hi)),
            )
        )
    return specs


def golden(x, p, tier):
    _, values, tols = _softmax_rows(x["inputs"], tier)
    return {"output": (values, tols)}

"""`dropout`: its cases and its golden, side by side."""

from __future__ import annotations

from ..bounded import Tier
from ..cases import bad, ok
from ..training_goldens import _outputs, _read
from ..values import Values

DESCRIPTION = (
    "Inverted dropout with a given 0/1 mask: forward and backward, scaled by 1 / (1 - rate)."
)
REQUIRES: list[str] = []


def _drop(slug, description, tags, inputs, mask, rate, dvalues):
    return ok(slug, description, tags, inputs=inputs, mask=mask, rate=rate, dvalues=dvalues)


def cases():
    book = [[0.27, -1.03, 0.67, 0.99, 0.05, -0.37, -2.01, 1.13, -0.07, 0.73]]
    specs = [
        _drop(
            "book-example",
            "the book's example outputs, half of them dropped at rate 0.5",
            "book inexact-inputs",
            book,
            [[1, 0, 0, 1, 1, 0, 1, 0, 0, 1]],
            0.5,
            [[1.0] * 10],
        ),
        _drop(
            "rate-one-tenth",
            "the book's Layer_Dropout(0.1): kept values grow by 1/0.9",
            "edge inexact-inputs",
            [[1.0, -2.0, 3.0], [0.5, 0.25, -4.0]],
            [[1, 1, 0], [1, 0, 1]],
            0.1,
            [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]],
        ),
        _drop(
            "rate-zero",
            "a rate of 0 keeps everything unchanged",
            "edge exact",
            [[1.5, -2.0]],
            [[1, 1]],
            0.0,
            [[0.25, 4.0]],
        ),
        _drop(
            "rate-half",
            "a rate of 0.5 doubles what it keeps",
            "edge exact",
            [[1.5, -2.0, 3.0]],
            [[1, 0, 1]],
            0.5,
            [[0.25, 4.0, -1.0]],
        ),
        _drop(
            "all-dropped",
            "a mask of zeros drops everything",
            "edge exact",
            [[1.5, -2.0], [3.0, 4.0]],
            [[0, 0], [0, 0]],
            0.25,
            [[1.0, 1.0], [1.0, 1.0]],
        ),
        _drop(
            "mask-scales-gradient",
            "the backward pass scales dvalues by the same mask",
            "edge exact",
            [[0.0, 0.0, 0.0]],
            [[1, 0, 1]],
            0.75,
            [[1.0, 2.0, 3.0]],
        ),
        bad(
            "mask-not-binary",
            "a mask value of 0.5 is refused",
            "invalid_value",
            inputs=[[1.0, 2.0]],
            mask=[[1, 0.5]],
            rate=0.5,
            dvalues=[[1.0, 1.0]],
        ),
        bad(
            "rate-one",
            "a rate of 1 (nothing kept, division by zero) is refused",
            "invalid_value",
            inputs=[[1.0, 2.0]],
            mask=[[0, 0]],
            rate=1.0,
            dvalues=[[1.0, 1.0]],
        ),
        bad(
            "negative-rate",
            "a negative rate is refused",
            "invalid_value",
            inputs=[[1.0, 2.0]],
            mask=[[1, 1]],
            rate=-0.25,
            dvalues=[[1.0, 1.0]],
        ),
        bad(
            "mask-shape",
            "a mask of another shape is refused",
            "shape_mismatch",
            inputs=[[1.0, 2.0]],
            mask=[[1, 1, 0]],
            rate=0.5,
            dvalues=[[1.0, 1.0]],
        ),
        bad(
            "dvalues-shape",
            "dvalues of another shape are refused",
            "shape_mismatch",
            inputs=[[1.0, 2.0]],
            mask=[[1, 1]],
            rate=0.5,
            dvalues=[[1.0], [1.0]],
        ),
        bad(
            "empty-batch",
            "a batch with no samples is refused",
            "empty_batch",
            inputs=[],
            mask=[],
            rate=0.5,
            dvalues=[],
        ),
    ]
    for i, (b, n, rate) in enumerate(
        (
            (2, 8, 0.125),
            (4, 4, 0.375),
            (3, 16, 0.25),
            (8, 3, 0.5),
            (1, 5, 0.0625),
            (6, 6, 0.75),
            (2, 32, 0.5),
            (5, 2, 0.25),
            (3, 3, 0.875),
            (10, 4, 0.125),
            (4, 7, 0.3125),
            (1, 1, 0.5),
            (7, 3, 0.625),
        )
    ):
        r = Values(9750 + i)
        mask = [[r.integer(0, 1) for _ in range(n)] for _ in range(b)]
        specs.append(
            _drop(
                f"random-{b}x{n}",
                f"random {b}x{n} inputs, drop rate {rate}",
                "random",
                r.matrix(b, n, r.full),
                mask,
                rate,
                r.matrix(b, n, r.full),
            )
        )
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    keep = 1 - T.scalar(x["rate"])
    scale = [[m / keep for m in row] for row in x["mask"]]
    output = [[v * s for v, s in zip(vr, sr)] for vr, sr in zip(_read(T, x["inputs"]), scale)]
    dinputs = [[v * s for v, s in zip(vr, sr)] for vr, sr in zip(_read(T, x["dvalues"]), scale)]
    return _outputs(output=output, dinputs=dinputs)

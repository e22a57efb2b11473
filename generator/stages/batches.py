"""`batches`: its cases and its golden, side by side."""

from __future__ import annotations

from ..cases import bad, ok
from ..values import Values

DESCRIPTION = (
    "Model.train's mini-batches: steps = len(X) // batch_size, plus one for a short last batch; "
    "batch `step` is X[step*batch_size:(step+1)*batch_size]. Each batch's size, first and "
    "last row."
)
REQUIRES: list[str] = []


def _batches(slug, description, tags, inputs, batch_size):
    return ok(slug, description, tags, inputs=inputs, batch_size=batch_size)


def _rows(n, k=2, seed=5000):
    r = Values(seed + n * 7 + k)
    return r.matrix(n, k, r.dyadic)


def cases():
    numbered = [[float(i), float(-i)] for i in range(10)]
    specs = [
        _batches(
            "book-batch-128",
            "the book's batch size 128 over 300 samples: 3 steps, the last of 44",
            "book",
            _rows(300),
            128,
        ),
        _batches("divides-evenly", "10 samples in batches of 5: 2 full steps", "edge", numbered, 5),
        _batches(
            "short-last-batch",
            "10 samples in batches of 4: 3 steps, the last of 2 samples",
            "edge",
            numbered,
            4,
        ),
        _batches(
            "batch-larger-than-data",
            "a batch size above the sample count gives one step of every sample",
            "edge",
            numbered,
            64,
        ),
        _batches(
            "batch-equal-to-data",
            "a batch size equal to the sample count: one step",
            "edge",
            numbered,
            10,
        ),
        _batches("batch-of-one", "batches of one sample: one step per sample", "edge", numbered, 1),
        _batches(
            "one-short-of-even",
            "10 samples in batches of 3: 4 steps, the last of 1",
            "edge",
            numbered,
            3,
        ),
        _batches(
            "one-sample",
            "a single sample in batches of 32: one step of one",
            "edge",
            [[0.5, -0.5, 2.0]],
            32,
        ),
        _batches(
            "one-past-a-step",
            "9 samples in batches of 8: a last batch of exactly one",
            "edge",
            numbered[:9],
            8,
        ),
        bad(
            "zero-batch-size",
            "a batch size of 0 is refused",
            "invalid_value",
            inputs=numbered,
            batch_size=0,
        ),
        bad(
            "fractional-batch-size",
            "a batch size of 2.5 is refused",
            "invalid_value",
            inputs=numbered,
            batch_size=2.5,
        ),
        bad(
            "negative-batch-size",
            "a negative batch size is refused",
            "invalid_value",
            inputs=numbered,
            batch_size=-4,
        ),
        bad(
            "no-samples",
            "an empty data set is refused",
            "empty_batch",
            inputs=[],
            batch_size=4,
        ),
        bad(
            "ragged-inputs",
            "rows of different lengths are refused",
            "ragged_rows",
            inputs=[[1.0, 2.0], [1.0]],
            batch_size=1,
        ),
    ]
    for i, (n, k, size) in enumerate(
        (
            (100, 2, 32),
            (33, 3, 8),
            (64, 1, 16),
            (17, 4, 5),
            (50, 2, 7),
            (7, 5, 2),
            (128, 2, 128),
            (129, 2, 128),
            (20, 3, 6),
            (45, 2, 11),
            (12, 6, 12),
            (90, 1, 25),
        )
    ):
        specs.append(
            _batches(
                f"random-{n}-by-{size}",
                f"{n} random samples of {k} values in batches of {size}",
                "random",
                _rows(n, k, 5100 + i),
                size,
            )
        )
    return specs


def golden(x, p, tier):
    inputs, size = x["inputs"], int(x["batch_size"])
    taken = [inputs[start : start + size] for start in range(0, len(inputs), size)]
    zeros = [[0.0] * len(inputs[0]) for _ in taken]
    return {
        "steps": (len(taken), 0),
        "batch_sizes": ([len(batch) for batch in taken], [0] * len(taken)),
        "first_rows": ([batch[0] for batch in taken], zeros),
        "last_rows": ([batch[-1] for batch in taken], zeros),
    }

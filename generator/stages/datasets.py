"""`datasets`: its cases and its golden, side by side."""

from __future__ import annotations

from ..book import dataset
from ..cases import ok

DESCRIPTION = (
    "The nnfs package's spiral_data, vertical_data (float32) and sine_data "
    "(float64) for a seed and size, bit for bit."
)
REQUIRES = ["rng"]


def _data(slug, description, name, seed, samples, classes):
    return ok(
        slug,
        description,
        "book exact",
        seed=seed,
        samples=samples,
        classes=classes,
        params={"dataset": name},
    )


def cases():
    return [
        _data(
            "spiral-book",
            "spiral_data(samples=100, classes=3) after nnfs.init(): the book's data",
            "spiral",
            0,
            100,
            3,
        ),
        _data(
            "spiral-two-classes",
            "spiral_data(100, 2): chapter 16's binary data",
            "spiral",
            0,
            100,
            2,
        ),
        _data(
            "spiral-odd-samples",
            "spiral_data(5, 3): odd sample counts carry the cached Gaussian into the next class",
            "spiral",
            0,
            5,
            3,
        ),
        _data("spiral-seed-7", "spiral_data(8, 4) from seed 7", "spiral", 7, 8, 4),
        _data(
            "vertical-book",
            "vertical_data(samples=100, classes=3): chapter 6's data",
            "vertical",
            0,
            100,
            3,
        ),
        _data("vertical-odd-samples", "vertical_data(7, 2) from seed 1", "vertical", 1, 7, 2),
        _data("sine-small", "sine_data(8): float64, no random numbers", "sine", 0, 8, 1),
        _data("sine-book", "sine_data(): chapter 17's 1000 samples", "sine", 0, 1000, 1),
    ]


def golden(x, p, tier):
    return dataset(p["dataset"], int(x["seed"]), int(x["samples"]), int(x["classes"]))

"""`preprocess`: its cases and its golden, side by side."""

from __future__ import annotations

from ..bounded import Tier
from ..cases import bad, ok
from ..training_goldens import _outputs
from ..values import Values

DESCRIPTION = (
    "Chapter 19's data preparation: each image's bytes flattened to one row and scaled with "
    "(X - 127.5) / 127.5 to [-1, 1], then X[keys] and y[keys] with the shuffled keys given."
)
REQUIRES: list[str] = []  # the keys come from `shuffle` (book tier) or any permutation


def _prepare(slug, description, tags, images, labels, keys):
    return ok(slug, description, tags, images=images, labels=labels, keys=keys)


def garment(r: Values, size: int, label: int) -> list[list[int]]:
    """A size x size grey image the generator draws for a class: a filled band whose height
    and brightness depend on the label, with byte noise (the Fashion MNIST stand-in)."""
    top = size // 4 + label % 3
    bottom = size - 1 - size // 5 - label % 2
    shade = 120 + 12 * label
    return [
        [
            min(255, shade + r.integer(0, 60))
            if top <= row <= bottom and 3 <= col < size - 3
            else r.integer(0, 12)
            for col in range(size)
        ]
        for row in range(size)
    ]


def _data_set(seed, count, size, classes=10):
    r = Values(seed)
    labels = [r.integer(0, classes - 1) for _ in range(count)]
    keys = list(range(count))
    for i in range(count - 1, 0, -1):  # a seeded Fisher-Yates: any permutation will do here
        j = r.integer(0, i)
        keys[i], keys[j] = keys[j], keys[i]
    return [garment(r, size, label) for label in labels], labels, keys


def cases():
    specs = [
        _prepare(
            "book-28x28",
            "three 28x28 garment images, as the book's Fashion MNIST: 784 values a row",
            "book",
            *_data_set(4900, 3, 28),
        ),
        _prepare(
            "extremes",
            "byte 0 is -1, 255 is 1 and 127.5 lies between 127 and 128",
            "edge",
            [[[0, 255], [127, 128]]],
            [7],
            [0],
        ),
        _prepare(
            "identity-keys",
            "keys in order leave the rows in order",
            "edge",
            [[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]],
            [0, 1, 2],
            [0, 1, 2],
        ),
        _prepare(
            "reversed-keys",
            "reversed keys reverse rows and labels together",
            "edge",
            [[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]],
            [0, 1, 2],
            [2, 1, 0],
        ),
        _prepare(
            "rows-then-columns",
            "a 2x3 image flattens row by row: [[a, b, c], [d, e, f]] becomes a..f",
            "edge",
            [[[10, 20, 30], [40, 50, 60]]],
            [3],
            [0],
        ),
        _prepare(
            "labels-follow-keys",
            "the labels move with their images: X[keys] and y[keys]",
            "edge",
            [[[0]], [[64]], [[128]], [[192]]],
            [9, 8, 7, 6],
            [3, 0, 2, 1],
        ),
        _prepare(
            "one-image",
            "a data set of one 4x4 image",
            "edge",
            [[[r * 16 + c for c in range(4)] for r in range(4)]],
            [5],
            [0],
        ),
        bad(
            "keys-not-a-permutation",
            "a key repeated is refused",
            "invalid_value",
            images=[[[0]], [[1]]],
            labels=[0, 1],
            keys=[0, 0],
        ),
        bad(
            "key-out-of-range",
            "a key beyond the data set is refused",
            "invalid_value",
            images=[[[0]], [[1]]],
            labels=[0, 1],
            keys=[0, 2],
        ),
        bad(
            "fractional-key",
            "a key of 0.5 is refused: keys are a permutation of integers",
            "invalid_value",
            images=[[[0]], [[1]]],
            labels=[0, 1],
            keys=[0.5, 1],
        ),
        bad(
            "byte-out-of-range",
            "a pixel of 256 is refused",
            "invalid_value",
            images=[[[0, 256]]],
            labels=[0],
            keys=[0],
        ),
        bad(
            "labels-other-length",
            "fewer labels than images are refused",
            "shape_mismatch",
            images=[[[0]], [[1]]],
            labels=[0],
            keys=[0, 1],
        ),
        bad(
            "ragged-image",
            "image rows of different lengths are refused",
            "ragged_rows",
            images=[[[0, 1], [2]]],
            labels=[0],
            keys=[0],
        ),
        bad(
            "no-images",
            "an empty data set is refused",
            "empty_batch",
            images=[],
            labels=[],
            keys=[],
        ),
    ]
    for i, (count, size) in enumerate(
        (
            (2, 28),
            (4, 8),
            (6, 5),
            (10, 4),
            (12, 6),
            (3, 10),
            (8, 7),
            (5, 12),
            (16, 3),
            (20, 2),
            (7, 9),
            (9, 4),
        )
    ):
        specs.append(
            _prepare(
                f"random-{count}-of-{size}x{size}",
                f"{count} generated {size}x{size} images, shuffled",
                "random",
                *_data_set(4910 + i, count, size),
            )
        )
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    rows = [[(T.parse(v) - 127.5) / 127.5 for row in image for v in row] for image in x["images"]]
    keys = x["keys"]
    return _outputs(x=[rows[k] for k in keys], y=[int(x["labels"][k]) for k in keys])

"""`init`: its cases and its golden, side by side."""

from __future__ import annotations

from ..book import _zeros, init
from ..cases import ok

DESCRIPTION = (
    "Layer_Dense weights, float32(scale) * float32(randn), row-major and concatenated, "
    "for layers made in order after `skip` Gaussians."
)
REQUIRES = ["rng"]


def _init(slug, description, seed, skip, shapes, scale=0.01):
    return ok(
        slug,
        description,
        "book exact",
        seed=seed,
        skip=skip,
        shapes=[list(s) for s in shapes],
        params={"scale": scale},
    )


def cases():
    return [
        _init(
            "book-dense1",
            "the first Layer_Dense(2, 3) after spiral_data(100, 3) starts -0.01306527",
            0,
            300,
            [(2, 3)],
        ),
        _init(
            "book-dense1-dense2",
            "the book's Layer_Dense(2, 3) then Layer_Dense(3, 3)",
            0,
            300,
            [(2, 3), (3, 3)],
        ),
        _init(
            "video-scale", "the videos' 0.10 * randn(2, 5) starts -0.1306527", 0, 300, [(2, 5)], 0.1
        ),
        _init(
            "chapter-10-sizes",
            "chapter 10's Layer_Dense(2, 64) then Layer_Dense(64, 3)",
            0,
            300,
            [(2, 64), (64, 3)],
        ),
        _init(
            "odd-skip",
            "after one Gaussian the cached second one starts the weights",
            0,
            1,
            [(1, 3)],
        ),
        _init(
            "odd-layer-sizes",
            "odd layer sizes carry the cached Gaussian between layers",
            5,
            0,
            [(3, 1), (1, 3), (2, 2)],
        ),
        _init("no-dataset", "weights straight after seeding, no dataset drawn", 0, 0, [(4, 5)]),
    ]


def golden(x, p, tier):
    weights = init(int(x["seed"]), int(x["skip"]), x["shapes"], p["scale"])
    return {"weights": (weights, _zeros(weights))}

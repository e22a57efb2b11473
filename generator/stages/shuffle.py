"""`shuffle`: its cases and its golden, side by side."""

from __future__ import annotations

from ..book import _zeros, shuffle_keys
from ..cases import ok

DESCRIPTION = (
    "Chapter 19's shuffle of the training set: keys = arange(samples), then "
    "np.random.shuffle(keys) after np.random.seed(seed) (NumPy's legacy stream)."
)
REQUIRES = ["rng"]


def _shuffle(slug, description, seed, samples, tags="book exact"):
    return ok(slug, description, tags, seed=seed, samples=samples)


def cases():
    specs = [
        _shuffle(
            "seed0-ten", "np.random.seed(0) shuffles range(10) into 2, 8, 4, 9, 1, ...", 0, 10
        ),
        _shuffle("no-samples", "an empty training set has no keys", 0, 0),
        _shuffle("one-sample", "one key stays where it is and draws nothing", 0, 1),
        _shuffle("two-samples", "two keys: one draw masked to one bit", 0, 2),
        _shuffle(
            "three-samples", "three keys: the mask of 2 is 3, so a draw of 3 is redrawn", 0, 3
        ),
        _shuffle("power-of-two", "64 keys: every mask is a power of two minus one", 0, 64),
        _shuffle(
            "just-over-a-power",
            "65 keys: the first draw is masked to 127 and redrawn about half the time",
            0,
            65,
        ),
        _shuffle(
            "spiral-set",
            "the 300 samples of spiral_data(100, 3)",
            0,
            300,
        ),
        _shuffle(
            "past-one-twist",
            "1000 keys draw more than 624 outputs: the state is twisted again",
            0,
            1000,
        ),
        _shuffle(
            "ten-thousand",
            "10000 keys, the size of Fashion MNIST's test set",
            0,
            10000,
        ),
        _shuffle("seed-max", "the largest seed, 2^32 - 1", 4294967295, 50),
    ]
    for seed in (1, 2, 3, 7, 42, 1234, 99999):
        specs.append(_shuffle(f"seed{seed}-twenty", f"seed {seed}, 20 keys", seed, 20))
    for samples in (5, 17, 31, 100, 127, 128, 129):
        specs.append(_shuffle(f"seed0-{samples}", f"seed 0, {samples} keys", 0, samples))
    return specs


def golden(x, p, tier):
    keys = shuffle_keys(int(x["seed"]), int(x["samples"]))
    return {"keys": (keys, _zeros(keys))}

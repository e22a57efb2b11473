"""`rng`: its cases and its golden, side by side."""

from __future__ import annotations

from ..book import _zeros, rng_values
from ..cases import ok

DESCRIPTION = (
    "NumPy's legacy stream after np.random.seed(seed): calls [kind, count] draw 32-bit "
    "outputs (0), 53-bit doubles (1) or cached polar Gaussians (2), in order."
)
REQUIRES: list[str] = []

U32, DOUBLE, RANDN = 0, 1, 2  # the kinds of call


def _rng(slug, description, seed, calls, tags="book exact"):
    return ok(slug, description, tags, seed=seed, calls=[list(c) for c in calls])


def cases():
    return [
        _rng(
            "seed0-first-u32",
            "np.random.seed(0) starts 2357136044, 2546248239, 3071714933",
            0,
            [(U32, 3)],
        ),
        _rng(
            "seed0-first-doubles",
            "the first 53-bit doubles are 0.5488135039273248, 0.7151893663724195",
            0,
            [(DOUBLE, 2)],
        ),
        _rng(
            "seed0-first-randn",
            "the first Gaussians are 1.764052345967664, 0.4001572083672233, 0.9787379841057392",
            0,
            [(RANDN, 3)],
        ),
        _rng("randn-five", "randn(5) from seed 0", 0, [(RANDN, 5)]),
        _rng(
            "randn-three-then-two",
            "randn(3) then randn(2) continue randn(5): the cached Gaussian carries over",
            0,
            [(RANDN, 3), (RANDN, 2)],
        ),
        _rng("randn-one-at-a-time", "five calls of randn(1) give randn(5)", 0, [(RANDN, 1)] * 5),
        _rng(
            "cache-survives-doubles",
            "doubles drawn between two Gaussians do not clear the cached one",
            0,
            [(RANDN, 1), (DOUBLE, 2), (RANDN, 1), (RANDN, 1)],
        ),
        _rng(
            "u32-after-randn",
            "a Gaussian consumes whole pairs of doubles, four 32-bit outputs a try",
            0,
            [(RANDN, 1), (U32, 2)],
        ),
        _rng(
            "double-is-two-outputs",
            "one double consumes two 32-bit outputs",
            0,
            [(DOUBLE, 1), (U32, 2)],
        ),
        _rng(
            "regenerates-after-624",
            "the 625th output comes after the state is twisted again",
            0,
            [(U32, 700)],
        ),
        _rng(
            "seed-1",
            "seed 1: outputs, doubles and Gaussians",
            1,
            [(U32, 2), (DOUBLE, 2), (RANDN, 3)],
        ),
        _rng(
            "seed-42",
            "seed 42: Gaussians with odd call lengths",
            42,
            [(RANDN, 3), (RANDN, 1), (RANDN, 5)],
        ),
        _rng("seed-max", "the largest seed, 2^32 - 1", 4294967295, [(U32, 3), (RANDN, 2)]),
        _rng("randn-200", "200 Gaussians, rejections included", 0, [(RANDN, 200)]),
    ]


def golden(x, p, tier):
    values = rng_values(int(x["seed"]), x["calls"])
    return {"values": (values, _zeros(values))}

"""Case builders shared by the training stages' modules (generator/stages/): labelled pairs,
regression cases, optimizer steps and their state (docs/STAGES.md, "Training").

Same rules as generator/cases.py: ids never change meaning, random cases draw from a fixed seed
per case, every input of an `exact` case is a float32 and its results are exact in both tiers.
"""

from __future__ import annotations

import math
from dataclasses import replace

from nnfs_conform.suite.stages import STATE, TRAINING_HYPERPARAMETERS

from .cases import bad, ok
from .values import Values

DEFAULTS = {  # the book's constructor defaults
    "sgd": {"learning_rate": 1.0, "decay": 0.0, "momentum": 0.0},
    "adagrad": {"learning_rate": 1.0, "decay": 0.0, "epsilon": 1e-7},
    "rmsprop": {"learning_rate": 0.001, "decay": 0.0, "epsilon": 1e-7, "rho": 0.9},
    "adam": {"learning_rate": 0.001, "decay": 0.0, "epsilon": 1e-7, "beta_1": 0.9, "beta_2": 0.999},
}


def _inexact_tagged(spec):
    """Add `inexact-inputs` where a hyperparameter such as 0.001 is not a float32 (the build
    still checks every tag against the inputs)."""
    import numpy as np

    def floats(value):
        if isinstance(value, list):
            for v in value:
                yield from floats(v)
        elif isinstance(value, float):
            yield value

    inexact = any(float(np.float32(x)) != x for v in spec.inputs.values() for x in floats(v))
    if inexact and "inexact-inputs" not in spec.tags and "invalid" not in spec.tags:
        return replace(spec, tags=(*spec.tags, "inexact-inputs"))
    return spec


def _zeros(rows, cols=None):
    return [0.0] * rows if cols is None else [[0.0] * cols for _ in range(rows)]


def _labelled(slug, description, tags, y_pred, y_true, label_format="sparse", **params):
    return ok(
        slug,
        description,
        tags,
        y_pred=y_pred,
        y_true=y_true,
        params={"label_format": label_format, **params},
    )


def _with_params(spec, extra):
    return replace(spec, params={**spec.params, **extra})


def _pair(slug, description, tags, y_pred, y_true):
    return ok(slug, description, tags, y_pred=y_pred, y_true=y_true)


def _regression_cases(seed):
    v = Values(seed)
    cases = [
        _pair(
            "equal",
            "predictions equal to the targets cost 0, with a zero gradient",
            "edge exact",
            [[0.5, -1.5]],
            [[0.5, -1.5]],
        ),
        _pair(
            "one-output",
            "one output per sample, as the book's sine regression",
            "edge exact",
            [[0.5], [-0.25], [1.0], [0.0]],
            [[0.25], [0.25], [-1.0], [0.0]],
        ),
        _pair(
            "several-outputs",
            "three outputs: the mean over outputs, the gradient divided by outputs and samples",
            "edge exact",
            [[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]],
            [[1.5, 2.0, 2.0], [0.25, -1.0, 1.0]],
        ),
        _pair(
            "signs",
            "predictions above and below the targets pull opposite ways",
            "edge exact",
            [[2.0, -2.0]],
            [[1.0, 1.0]],
        ),
        _pair(
            "large-differences",
            "differences of 2000 keep their accuracy",
            "edge exact",
            [[1000.0, -1000.0]],
            [[-1000.0, 1000.0]],
        ),
        _pair(
            "tiny-differences",
            "a difference of one float32 step at 1",
            "edge exact",
            [[1.0000001192092896, 1.0]],
            [[1.0, 1.0000001192092896]],
        ),
        _pair(
            "negative-zero",
            "-0.0 against 0.0 is no error",
            "edge exact",
            [[-0.0, 0.0]],
            [[0.0, -0.0]],
        ),
        _pair(
            "many-outputs",
            "sixteen outputs in one sample",
            "edge exact",
            [[i / 8 for i in range(16)]],
            [[(15 - i) / 4 for i in range(16)]],
        ),
        _pair(
            "book-sine-points",
            "the book's sine regression shape: sin(x) targets, one output",
            "book inexact-inputs",
            [[0.1], [0.2], [0.3]],
            [[0.0998], [0.1987], [0.2955]],
        ),
        bad(
            "target-shape",
            "targets of another shape are refused",
            "shape_mismatch",
            y_pred=[[0.5, 1.0]],
            y_true=[[0.5]],
        ),
        bad(
            "empty-batch", "a batch with no samples is refused", "empty_batch", y_pred=[], y_true=[]
        ),
        bad(
            "flat-predictions",
            "a flat list is refused: a batch is a matrix",
            "shape_mismatch",
            y_pred=[0.5, 1.0],
            y_true=[0.5, 1.0],
        ),
    ]
    for i, (b, n) in enumerate(
        (
            (4, 1),
            (3, 3),
            (8, 2),
            (16, 1),
            (1, 1),
            (5, 4),
            (2, 8),
            (10, 2),
            (6, 1),
            (3, 5),
            (12, 3),
            (7, 2),
            (1, 6),
        )
    ):
        r = Values(seed + 50 + i)
        cases.append(
            _pair(
                f"random-{b}x{n}",
                f"random {b}x{n} predictions and targets",
                "random",
                r.matrix(b, n, r.full),
                r.matrix(b, n, r.full),
            )
        )
    cases += _samples_not_outputs(
        seed + 80, lambda r, b, n: (r.matrix(b, n, r.full), r.matrix(b, n, r.full))
    )
    del v
    return cases


def _samples_not_outputs(seed, draw):
    """Batches whose sample count differs from the output count (neither 1), every element a
    full-precision number: a gradient divided by only one of the two is off by the other."""
    cases = []
    for i, (b, n) in enumerate(((2, 5), (6, 4), (3, 7))):
        r = Values(seed + i)
        y_pred, y_true = draw(r, b, n)
        cases.append(
            _pair(
                f"samples-not-outputs-{b}x{n}",
                f"{b} samples of {n} outputs: the gradient is divided by both, {n} and {b}",
                "edge",
                y_pred,
                y_true,
            )
        )
    return cases


# -- optimizer steps -------------------------------------------------------------------------------
def _step(
    optimizer,
    slug,
    description,
    tags,
    weights,
    biases,
    dweights,
    dbiases,
    iterations=0,
    state=None,
    **hyper,
):
    inputs = {"weights": weights, "biases": biases, "dweights": dweights, "dbiases": dbiases}
    k, n = len(weights), len(biases)
    for name in STATE[optimizer]:
        given = (state or {}).get(name)
        inputs[name] = (
            given
            if given is not None
            else (_zeros(k, n) if name.startswith("weight") else _zeros(n))
        )
    inputs["iterations"] = iterations
    inputs.update({**DEFAULTS[optimizer], **hyper})
    return _inexact_tagged(ok(slug, description, tags, **inputs))


def _layer(r, k=3, n=2, lo=-3, hi=0):
    return r.matrix(k, n, lambda: r.full(lo, hi)), r.vector(n, lambda: r.full(lo, hi))


def _state_values(r, optimizer, k=3, n=2):
    """A mid-training state: momentums of either sign, caches positive."""
    state = {}
    for name in STATE[optimizer]:

        def draw(name=name):
            return r.full(-10, -4, signed=name.endswith("momentums"))

        state[name] = r.matrix(k, n, draw) if name.startswith("weight") else r.vector(n, draw)
    return state


def _optimizer_cases(optimizer, seed):
    r = Values(seed)
    w, b = _layer(r)
    g, gb = _layer(r, lo=-8, hi=-2)
    state = _state_values(r, optimizer)
    tiny = r.matrix(3, 2, lambda: r.full(-27, -27)), r.vector(2, lambda: r.full(-27, -27))
    huge = r.matrix(3, 2, lambda: r.full(10, 13)), r.vector(2, lambda: r.full(10, 13))
    zero = _zeros(3, 2), _zeros(2)
    s = _step
    cases = [
        s(
            optimizer,
            "defaults-first-step",
            "the book's defaults, first step (iteration 0)",
            "edge",
            w,
            b,
            g,
            gb,
        ),
        s(
            optimizer,
            "defaults-second-step",
            "the book's defaults at iteration 1, from a state",
            "edge",
            w,
            b,
            g,
            gb,
            1,
            state,
        ),
        s(
            optimizer,
            "defaults-iteration-10",
            "the book's defaults at iteration 10, from a state",
            "edge",
            w,
            b,
            g,
            gb,
            10,
            state,
        ),
        s(
            optimizer,
            "decay-iteration-10",
            "decay 0.1 at iteration 10 halves the rate",
            "edge",
            w,
            b,
            g,
            gb,
            10,
            state,
            decay=0.1,
        ),
        s(
            optimizer,
            "decay-iteration-0",
            "decay does not touch the first step's rate",
            "edge",
            w,
            b,
            g,
            gb,
            0,
            None,
            decay=0.5,
        ),
        s(
            optimizer,
            "tiny-gradients",
            "gradients near 1e-8, where epsilon's place matters",
            "edge",
            w,
            b,
            *tiny,
        ),
        s(
            optimizer,
            "tiny-gradients-later",
            "gradients near 1e-8 at iteration 10, from a state",
            "edge",
            w,
            b,
            *tiny,
            10,
            state,
        ),
        s(
            optimizer,
            "zero-gradients",
            "zero gradients leave the parameters where they are",
            "edge",
            w,
            b,
            *zero,
        ),
        s(
            optimizer,
            "zero-gradients-with-state",
            "zero gradients from a state at iteration 1",
            "edge",
            w,
            b,
            *zero,
            1,
            state,
        ),
        s(optimizer, "large-gradients", "gradients near 1e4", "edge", w, b, *huge),
        s(
            optimizer,
            "large-gradients-later",
            "gradients near 1e4 at iteration 1, from a state",
            "edge",
            w,
            b,
            *huge,
            1,
            state,
        ),
        bad(
            "dweights-shape",
            "gradients of another shape are refused",
            "shape_mismatch",
            **_step(optimizer, "x", "x", "", [[1.0, 2.0]], [0.5, 0.5], [[1.0]], [0.5, 0.5]).inputs,
        ),
        bad(
            "state-shape",
            "a state array of another shape is refused",
            "shape_mismatch",
            **_step(
                optimizer,
                "x",
                "x",
                "",
                [[1.0, 2.0]],
                [0.5, 0.5],
                [[1.0, 2.0]],
                [0.5, 0.5],
                0,
                {STATE[optimizer][0]: [[0.0]]},
            ).inputs,
        ),
        bad(
            "negative-iterations",
            "a negative iteration count is refused",
            "invalid_value",
            **_step(optimizer, "x", "x", "", [[1.0]], [0.5], [[1.0]], [0.5], -1).inputs,
        ),
        bad(
            "fractional-iterations",
            "an iteration count of 1.5 is refused",
            "invalid_value",
            **_step(optimizer, "x", "x", "", [[1.0]], [0.5], [[1.0]], [0.5], 1.5).inputs,
        ),
        bad(
            "ragged-weights",
            "weight rows of different lengths are refused",
            "ragged_rows",
            **_step(
                optimizer,
                "x",
                "x",
                "",
                [[1.0, 2.0], [1.0]],
                [0.5, 0.5],
                [[1.0, 2.0], [1.0]],
                [0.5, 0.5],
            ).inputs,
        ),
    ]
    for i, (k, n, it) in enumerate(
        ((2, 3, 0), (4, 4, 3), (1, 6, 7), (5, 2, 1), (3, 3, 2), (6, 1, 9), (2, 8, 4))
    ):
        rr = Values(seed + 50 + i)
        cases.append(
            s(
                optimizer,
                f"random-{k}x{n}-iteration-{it}",
                f"random {k}x{n} layer at iteration {it}",
                "random",
                *_layer(rr, k, n),
                *_layer(rr, k, n, -8, -2),
                it,
                _state_values(rr, optimizer, k, n) if it else None,
            )
        )
    return cases


# -- training trajectories (training, model_training) ----------------------------------------------
def spiral(points: int, classes: int, seed: int):
    """A small spiral dataset as data, the book's shape, coordinates rounded to 1/4096 so
    every number is exact in float32 and nothing depends on the platform's sin and cos."""
    r = Values(seed)
    xs, ys = [], []
    for c in range(classes):
        for i in range(points):
            radius = (i + 1) / points
            angle = c * 4 + radius * 4 + (r.integer(-256, 256) / 1024)
            xs.append(
                [
                    round(radius * math.sin(angle * 2.5) * 4096) / 4096,
                    round(radius * math.cos(angle * 2.5) * 4096) / 4096,
                ]
            )
            ys.append(c)
    return xs, ys


def _initial_parameters(r, k, hidden, classes, scale=(-3, -1)):
    """Dense(k, hidden) -> Dense(hidden, classes) drawn in this order: weights1, biases1,
    weights2, biases2, each a full-precision float32 of magnitude 2^scale[0] to 2^scale[1]."""

    def draw():
        return r.full(*scale)

    return {
        "weights1": r.matrix(k, hidden, draw),
        "biases1": r.vector(hidden, draw),
        "weights2": r.matrix(hidden, classes, draw),
        "biases2": r.vector(classes, draw),
    }


def _hyperparameters(optimizer, hyper):
    """Every optimizer's hyperparameter, as a training case sends them: the book's defaults,
    the optimizer's own, then the case's."""
    settings = {
        **DEFAULTS["sgd"],
        **DEFAULTS["adagrad"],
        **DEFAULTS["rmsprop"],
        **DEFAULTS["adam"],
        **DEFAULTS[optimizer],
        **hyper,
    }
    return {n: settings[n] for n in TRAINING_HYPERPARAMETERS}

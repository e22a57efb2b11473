"""`shared_optimizer`: its cases and its golden, side by side."""

from __future__ import annotations

from nnfs_conform.suite.stages import ADAM
from nnfs_conform.suite.stages import STATE as LAYER_STATE

from ..bounded import Tier
from ..cases import bad, ok
from ..training_cases import DEFAULTS, _inexact_tagged, _layer
from ..training_goldens import _outputs, _read, _step_layer
from ..values import Values

DESCRIPTION = (
    "One Optimizer_Adam shared by two layers, as the Model uses it: per step pre_update_params "
    "once, update_params(layer1), update_params(layer2), post_update_params once; each layer "
    "keeps its own momentums and caches. The same gradients are applied at every step."
)
REQUIRES = ["adam_step"]


def _shared(slug, description, tags, seed, steps, shapes=((3, 2), (2, 2)), **hyper):
    r = Values(seed)
    inputs = {}
    for i, (k, n) in enumerate(shapes, start=1):
        inputs[f"weights{i}"], inputs[f"biases{i}"] = _layer(r, k, n)
        inputs[f"dweights{i}"], inputs[f"dbiases{i}"] = _layer(r, k, n, lo=-8, hi=-2)
    inputs.update({"steps": steps, **DEFAULTS["adam"], **hyper})
    return _inexact_tagged(ok(slug, description, tags, **inputs))


def cases():
    specs = [
        _shared(
            "book-model-optimizer",
            "the book's Optimizer_Adam(learning_rate=0.05, decay=5e-7), 3 steps on two layers",
            "book",
            4800,
            3,
            learning_rate=0.05,
            decay=5e-7,
        ),
        _shared(
            "one-step",
            "one step: each layer moves as adam_step moves it alone",
            "edge",
            4801,
            1,
            learning_rate=0.02,
        ),
        _shared(
            "decay-counts-steps-not-layers",
            "with decay 0.5 the second step's rate is lr/1.5: iterations rise once per step",
            "edge",
            4802,
            2,
            learning_rate=0.02,
            decay=0.5,
        ),
        _shared(
            "layers-of-other-shapes",
            "layers of 4x3 and 3x1 weights: state shaped like each layer, never shared",
            "edge",
            4803,
            3,
            shapes=((4, 3), (3, 1)),
            learning_rate=0.01,
        ),
        _shared(
            "same-shapes",
            "two layers of the same shape: one state for both would go unnoticed in shape",
            "edge",
            4804,
            4,
            shapes=((2, 2), (2, 2)),
            learning_rate=0.01,
        ),
        _shared(
            "bias-correction",
            "beta_1 0.5 and beta_2 0.75 make the correction by the step count visible",
            "edge",
            4805,
            3,
            learning_rate=0.01,
            beta_1=0.5,
            beta_2=0.75,
        ),
        bad(
            "dweights1-other-shape",
            "a gradient shaped unlike its layer is refused",
            "shape_mismatch",
            weights1=[[1.0, 2.0]],
            biases1=[0.0, 0.0],
            dweights1=[[1.0]],
            dbiases1=[0.0, 0.0],
            weights2=[[1.0], [1.0]],
            biases2=[0.0],
            dweights2=[[1.0], [1.0]],
            dbiases2=[0.0],
            steps=1,
            **DEFAULTS["adam"],
        ),
        bad(
            "layers-do-not-chain",
            "weights2 with a row count other than layer 1's neurons is refused",
            "shape_mismatch",
            weights1=[[1.0, 2.0]],
            biases1=[0.0, 0.0],
            dweights1=[[1.0, 1.0]],
            dbiases1=[0.0, 0.0],
            weights2=[[1.0]],
            biases2=[0.0],
            dweights2=[[1.0]],
            dbiases2=[0.0],
            steps=1,
            **DEFAULTS["adam"],
        ),
        bad(
            "zero-steps",
            "zero steps is refused",
            "invalid_value",
            weights1=[[1.0]],
            biases1=[0.0],
            dweights1=[[1.0]],
            dbiases1=[0.0],
            weights2=[[1.0]],
            biases2=[0.0],
            dweights2=[[1.0]],
            dbiases2=[0.0],
            steps=0,
            **DEFAULTS["adam"],
        ),
    ]
    sizes = (
        (2, 3, 2),
        (3, 2, 3),
        (1, 4, 1),
        (4, 4, 2),
        (2, 2, 5),
        (5, 3, 3),
        (3, 1, 2),
        (2, 6, 2),
        (6, 2, 4),
        (3, 3, 3),
        (1, 1, 1),
        (2, 5, 3),
        (4, 2, 2),
        (3, 4, 5),
        (2, 2, 2),
        (5, 5, 1),
    )
    for i, (k, h, c) in enumerate(sizes):
        steps = 1 + i % 4
        specs.append(
            _shared(
                f"random-{k}-{h}-{c}-{steps}-steps",
                f"random layers of {k}x{h} and {h}x{c} weights, {steps} steps",
                "random",
                4810 + i,
                steps,
                shapes=((k, h), (h, c)),
                learning_rate=0.01 * (1 + i % 3),
                decay=(0.0, 1e-3, 0.1)[i % 3],
            )
        )
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    hyper = {n: T.scalar(x[n]) for n in ADAM}
    layers, grads = [], []
    for i in (1, 2):
        layer = {n: _read(T, x[f"{n}{i}"]) for n in ("weights", "biases")}
        for name in LAYER_STATE["adam"]:  # each layer's own state, from zeros
            like = layer["weights"] if name.startswith("weight") else [layer["biases"]]
            zeros = [[0.0] * len(row) for row in like]
            layer[name] = _read(T, zeros if name.startswith("weight") else zeros[0])
        layers.append(layer)
        grads.append({n: _read(T, x[f"{n}{i}"]) for n in ("dweights", "dbiases")})
    for iteration in range(int(x["steps"])):
        for i, layer in enumerate(layers):
            out, _ = _step_layer(T, "adam", layer, grads[i], iteration, hyper)
            layers[i] = {**layer, **out}
    return _outputs(
        **{
            f"{n}{i}": layer[n]
            for i, layer in enumerate(layers, start=1)
            for n in ("weights", "biases")
        }
    )

"""Bounded arithmetic (generator/bounded.py): every bound holds for real float32 and float64
evaluations, exact results stay exact, and doubtful decisions are refused or widened."""

import math
import random

import mpmath
import numpy as np
import pytest

from generator.bounded import Bounded, Tier, UnboundedError
from generator.build import CertificationError, _tier_values, build_case
from generator.stages import model_training, softmax_crossentropy_backward, training
from generator.training_goldens import _l1_sign

DTYPES = {"float32": np.float32, "float64": np.float64}


def _draws(seed, n, lo=-4, hi=4):
    rng = random.Random(seed)
    return [
        float(np.float32(rng.uniform(0.5, 1) * 2.0 ** rng.randint(lo, hi) * rng.choice((-1, 1))))
        for _ in range(n)
    ]


def _within(bound: Bounded, got) -> bool:
    return abs(mpmath.mpf(float(got)) - bound.v) <= mpmath.mpf(bound.e)


@pytest.mark.parametrize("tier", ["float32", "float64"])
def test_chained_operations_stay_within_their_bounds(tier):
    T, dt = Tier(tier), DTYPES[tier]
    for seed in range(200):
        a, b, c = _draws(seed, 3)
        c = abs(c)
        A, B, C = T.read(a), T.read(b), T.read(c)
        # (a·b + c) / sqrt(c) - exp(-|a|): every kind of operation, chained
        bound = T.sub(T.div(T.add(T.mul(A, B), C), T.sqrt(C)), T.exp(T.neg(Bounded(abs(A.v), 0.0))))
        x, y, z = dt(a), dt(b), dt(c)
        got = (x * y + z) / np.sqrt(z) - np.exp(-abs(x))
        assert _within(bound, got), (seed, a, b, c, float(got), float(bound.v), bound.e)


@pytest.mark.parametrize("tier", ["float32", "float64"])
def test_dot_products_are_bounded_in_every_summation_order(tier):
    T, dt = Tier(tier), DTYPES[tier]
    for seed in range(50):
        xs, ws = _draws(seed, 17), _draws(seed + 1000, 17)
        bound = T.dot([T.read(x) for x in xs], [T.read(w) for w in ws])
        products = [dt(x) * dt(w) for x, w in zip(xs, ws)]
        for order in (products, products[::-1], sorted(products, key=abs)):
            total = dt(0)
            for p in order:
                total = dt(total + p)
            assert _within(bound, total), seed
        assert _within(bound, np.dot(np.array(xs, dt), np.array(ws, dt)))


def test_exact_operands_with_representable_results_stay_exact():
    T = Tier("float32")
    assert T.mul(T.read(0.5), T.read(-3.0)).e == 0
    assert T.dot([T.read(0.25), T.read(2.0)], [T.read(4.0), T.read(-0.5)]).e == 0
    assert T.div(T.read(1.0), T.read(3.0)).e > 0  # 1/3 is not a float


def test_a_divisor_that_may_be_zero_is_refused():
    T = Tier("float32")
    with pytest.raises(UnboundedError):
        T.div(T.read(1.0), Bounded(mpmath.mpf(1e-9), 2e-9))


def test_a_relu_mask_rounding_could_flip_covers_both_answers():
    T = Tier("float32")
    gradient = T.read(3.0)
    assert T.gate(Bounded(mpmath.mpf(1e-9), 0.0), gradient).e == 0  # certainly open
    doubtful = T.gate(Bounded(mpmath.mpf(1e-9), 2e-9), gradient)
    assert doubtful.v == 3 and doubtful.e >= 3  # a port may pass 3 or 0


def test_a_float32_port_may_hold_hyperparameters_in_float64():
    T = Tier("float32")
    rate = T.scalar(float(np.float32(0.001)))
    assert _within(rate, 0.001) and rate.e > 0
    assert Tier("float64").scalar(0.001).e == 0


def test_the_two_softmax_crossentropy_paths_have_one_exact_value():
    spec = next(
        s
        for s in softmax_crossentropy_backward.cases()
        if s.slug == "rows-not-summing-to-one-separate"
    )
    x = _tier_values(spec.inputs, "float32")
    separate = softmax_crossentropy_backward.golden(x, spec.params, "float32")
    combined = softmax_crossentropy_backward.golden(
        x, {**spec.params, "path": "combined"}, "float32"
    )
    assert separate["dinputs"][0] == combined["dinputs"][0]
    assert all(
        s >= c
        for sr, cr in zip(separate["dinputs"][1], combined["dinputs"][1])
        for s, c in zip(sr, cr)
    )  # the chain's bound is the wider one


def test_a_trajectory_whose_bounds_grow_past_the_sharpness_rule_is_refused():
    # the book's rate 1 for ten SGD steps: the float32 bound passes 1% of the scale
    spec = training._train(
        "too-long", "ten steps at rate 1", "edge", training.spiral(4, 3, 11001), 4, "sgd", 10, 11101
    )
    with pytest.raises(CertificationError, match="exceeds"):
        build_case("training", spec)


@pytest.mark.parametrize("tier", ["float32", "float64"])
def test_the_reference_trajectory_stays_inside_the_bounds_step_by_step(tier):
    from reference import run_stage

    for spec in training.cases():
        if spec.error:
            continue
        got = run_stage("training", spec.inputs, spec.params, tier)
        want = training.golden(_tier_values(spec.inputs, tier), spec.params, tier)
        for name in ("loss", "weights1", "biases2"):
            values, tols = want[name]
            flat = np.ravel(np.array(got[name]))
            assert np.all(np.abs(flat - np.ravel(values)) <= np.ravel(tols)), (spec.slug, name)
            assert math.isfinite(max(np.ravel(tols)))


def test_an_l1_sign_is_certain_off_zero_and_covers_both_signs_where_a_bound_straddles_it():
    T = Tier("float32")
    assert _l1_sign(T, T.const(0.0)) == T.const(1)  # the book's dL1 at exactly 0: +1
    assert _l1_sign(T, T.bounded(mpmath.mpf(-0.5), 0.25)).v == -1
    doubtful = _l1_sign(T, T.bounded(mpmath.mpf(-1e-9), 1e-8))
    assert doubtful.v == -1 and doubtful.e >= 2  # a port may see +1 or -1


@pytest.mark.parametrize("tier", ["float32", "float64"])
def test_one_full_batch_epoch_per_step_without_regularization_is_the_training_trajectory(tier):
    """model_training with one batch of every sample and no regularization makes the training
    stage's steps, one per epoch: the same exact values and the same bounds, epoch by epoch."""
    spec = training._train(
        "same", "same", "edge", training.spiral(4, 3, 11001), 4, "sgd", 4, 11101, learning_rate=0.5
    )
    inputs = {
        **{k: v for k, v in spec.inputs.items() if k != "steps"},
        "validation_inputs": spec.inputs["inputs"],
        "validation_y_true": spec.inputs["y_true"],
        "epochs": 4,
        "batch_size": 12,
        **dict.fromkeys(model_training.REGULARIZERS, 0.0),
    }
    steps = training.golden(_tier_values(spec.inputs, tier), spec.params, tier)
    epochs = model_training.golden(_tier_values(inputs, tier), spec.params, tier)
    assert epochs["data_loss"] == epochs["loss"] and set(epochs["regularization_loss"][0]) == {0}
    for name in ("learning_rate", "weights1", "biases1", "weights2", "biases2"):
        value, tol = steps[name]
        final = (value, tol) if name == "learning_rate" else (value[-1], tol[-1])
        assert epochs[name] == final, name
    # the loss of epoch e is measured before its step, as training's loss of step e
    assert epochs["data_loss"] == steps["loss"]
    assert epochs["accuracy"] == steps["accuracy"]
    # the validation of epoch e, on the training set, is training's loss before step e + 1
    assert epochs["validation_loss"][0][:-1] == steps["loss"][0][1:]

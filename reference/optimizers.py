"""Chapter 10: one optimizer step on one dense layer, with the whole state in and out.

Every function is the book's pre_update_params / update_params / post_update_params for one
layer. Hyperparameters arrive as scalars of the tier's dtype, so a float32 step is float32
throughout.
"""

import numpy as np


def current_learning_rate(learning_rate, decay, iterations):
    # NOTE: lr / (1 + decay·iterations), recomputed from the initial rate at every step (never
    # compounded), with iterations counted BEFORE this step: step 0 uses the initial rate.
    if decay:
        return learning_rate * (1.0 / (1.0 + decay * iterations))
    return learning_rate


def sgd_step(
    weights,
    biases,
    dweights,
    dbiases,
    weight_momentums,
    bias_momentums,
    iterations,
    learning_rate,
    decay,
    momentum,
):
    lr = current_learning_rate(learning_rate, decay, iterations)
    if momentum:
        # NOTE: v = momentum·v - lr·g; w += v (the decayed lr is inside the momentum update).
        weight_momentums = momentum * weight_momentums - lr * dweights
        bias_momentums = momentum * bias_momentums - lr * dbiases
        weight_updates, bias_updates = weight_momentums, bias_momentums
    else:
        # NOTE: without momentum the book keeps no momentum arrays: they come back unchanged.
        weight_updates, bias_updates = -lr * dweights, -lr * dbiases
    return {
        "weights": weights + weight_updates,
        "biases": biases + bias_updates,
        "weight_momentums": weight_momentums,
        "bias_momentums": bias_momentums,
        "learning_rate": lr,
        "iterations": iterations + 1,
    }


def adagrad_step(
    weights,
    biases,
    dweights,
    dbiases,
    weight_cache,
    bias_cache,
    iterations,
    learning_rate,
    decay,
    epsilon,
):
    lr = current_learning_rate(learning_rate, decay, iterations)
    weight_cache = weight_cache + dweights**2
    bias_cache = bias_cache + dbiases**2
    # NOTE: epsilon is added OUTSIDE the square root.
    weights = weights + -lr * dweights / (np.sqrt(weight_cache) + epsilon)
    biases = biases + -lr * dbiases / (np.sqrt(bias_cache) + epsilon)
    return {
        "weights": weights,
        "biases": biases,
        "weight_cache": weight_cache,
        "bias_cache": bias_cache,
        "learning_rate": lr,
        "iterations": iterations + 1,
    }


def rmsprop_step(
    weights,
    biases,
    dweights,
    dbiases,
    weight_cache,
    bias_cache,
    iterations,
    learning_rate,
    decay,
    epsilon,
    rho,
):
    lr = current_learning_rate(learning_rate, decay, iterations)
    weight_cache = rho * weight_cache + (1 - rho) * dweights**2
    bias_cache = rho * bias_cache + (1 - rho) * dbiases**2
    weights = weights + -lr * dweights / (np.sqrt(weight_cache) + epsilon)
    biases = biases + -lr * dbiases / (np.sqrt(bias_cache) + epsilon)
    return {
        "weights": weights,
        "biases": biases,
        "weight_cache": weight_cache,
        "bias_cache": bias_cache,
        "learning_rate": lr,
        "iterations": iterations + 1,
    }


def adam_step(
    weights,
    biases,
    dweights,
    dbiases,
    weight_momentums,
    bias_momentums,
    weight_cache,
    bias_cache,
    iterations,
    learning_rate,
    decay,
    epsilon,
    beta_1,
    beta_2,
):
    lr = current_learning_rate(learning_rate, decay, iterations)
    # NOTE: the bias correction divides by 1 - beta^(iterations + 1): the step count is 1-based
    # there, and the betas are never decayed.
    correction_1 = 1 - beta_1 ** (iterations + 1)
    correction_2 = 1 - beta_2 ** (iterations + 1)
    weight_momentums = beta_1 * weight_momentums + (1 - beta_1) * dweights
    bias_momentums = beta_1 * bias_momentums + (1 - beta_1) * dbiases
    weight_cache = beta_2 * weight_cache + (1 - beta_2) * dweights**2
    bias_cache = beta_2 * bias_cache + (1 - beta_2) * dbiases**2
    # NOTE: epsilon is added to the square root of the CORRECTED cache, outside the root.
    weights = weights + -lr * (weight_momentums / correction_1) / (
        np.sqrt(weight_cache / correction_2) + epsilon
    )
    biases = biases + -lr * (bias_momentums / correction_1) / (
        np.sqrt(bias_cache / correction_2) + epsilon
    )
    return {
        "weights": weights,
        "biases": biases,
        "weight_momentums": weight_momentums,
        "bias_momentums": bias_momentums,
        "weight_cache": weight_cache,
        "bias_cache": bias_cache,
        "learning_rate": lr,
        "iterations": iterations + 1,
    }

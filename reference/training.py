"""Chapter 10's training loop: the book's model, a few full-batch optimizer steps, recorded."""

import numpy as np

from nnfs_conform.suite.stages import HYPERPARAMETERS, STATE

from .activations import relu_forward, softmax_forward
from .backward import dense_backward, relu_backward, softmax_crossentropy_backward
from .dense import dense_batch_forward
from .loss import accuracy_forward, categorical_crossentropy_forward
from .optimizers import adagrad_step, adam_step, rmsprop_step, sgd_step

STEP = {"sgd": sgd_step, "adagrad": adagrad_step, "rmsprop": rmsprop_step, "adam": adam_step}


def new_layers(weights1, biases1, weights2, biases2, optimizer):
    # The two Layer_Dense of the book's model, each with its optimizer state at zeros.
    layers = [{"weights": weights1, "biases": biases1}, {"weights": weights2, "biases": biases2}]
    for layer in layers:
        for name in STATE[optimizer]:
            like = layer["weights"] if name.startswith("weight") else layer["biases"]
            layer[name] = np.zeros_like(like)
    return layers


def model_forward(X, layers):
    # Dense(K, H) -> ReLU -> Dense(H, C) -> softmax: (dense1, relu1, probabilities)
    dense1 = dense_batch_forward(X, layers[0]["weights"], layers[0]["biases"])
    relu1 = relu_forward(dense1)
    dense2 = dense_batch_forward(relu1, layers[1]["weights"], layers[1]["biases"])
    return dense1, relu1, softmax_forward(dense2)


def model_backward(X, y_true, layers, dense1, relu1, probabilities):
    # The combined softmax/cross-entropy gradient back through both layers:
    # ((dweights1, dbiases1), (dweights2, dbiases2)), the data terms only.
    dvalues = softmax_crossentropy_backward(probabilities, y_true)
    dweights2, dbiases2, drelu1 = dense_backward(relu1, layers[1]["weights"], dvalues)
    ddense1 = relu_backward(dense1, drelu1)
    dweights1, dbiases1, _ = dense_backward(X, layers[0]["weights"], ddense1)
    return (dweights1, dbiases1), (dweights2, dbiases2)


def update_layers(layers, gradients, optimizer, settings, iteration):
    # pre_update_params, update_params for both layers with the same iteration count,
    # post_update_params: updates `layers`, returns the learning rate the step used.
    for layer, (dweights, dbiases) in zip(layers, gradients):
        state = {name: layer[name] for name in STATE[optimizer]}
        result = STEP[optimizer](
            layer["weights"],
            layer["biases"],
            dweights,
            dbiases,
            **state,
            iterations=iteration,
            **settings,
        )
        layer.update({name: result[name] for name in ("weights", "biases", *state)})
    return result["learning_rate"]


def train(inputs, y_true, weights1, biases1, weights2, biases2, steps, optimizer, hyper):
    # Dense(K, H) -> ReLU -> Dense(H, C) -> softmax + cross-entropy, full batch, `steps` steps.
    # Returns, per step: the loss and accuracy the forward pass measured BEFORE the step, the
    # learning rate the step used, and every parameter AFTER the step.
    # NOTE: optimizer state starts at zeros; both layers are updated with the same iteration
    # count, which rises once per step (post_update_params), not once per layer.
    layers = new_layers(weights1, biases1, weights2, biases2, optimizer)
    settings = {name: hyper[name] for name in HYPERPARAMETERS[optimizer]}
    record = {
        name: []
        for name in (
            "loss",
            "accuracy",
            "learning_rate",
            "weights1",
            "biases1",
            "weights2",
            "biases2",
        )
    }
    for iteration in range(steps):
        dense1, relu1, probabilities = model_forward(inputs, layers)
        record["loss"].append(np.mean(categorical_crossentropy_forward(probabilities, y_true)))
        record["accuracy"].append(accuracy_forward(probabilities, y_true)[1])
        gradients = model_backward(inputs, y_true, layers, dense1, relu1, probabilities)
        record["learning_rate"].append(
            update_layers(layers, gradients, optimizer, settings, iteration)
        )
        for i, layer in enumerate(layers, start=1):
            record[f"weights{i}"].append(layer["weights"])
            record[f"biases{i}"].append(layer["biases"])
    return record

"""Chapter 5's whole forward pass: dense -> ReLU -> dense -> softmax -> loss and accuracy."""

import numpy as np

from .activations import relu_forward, softmax_forward
from .dense import dense_batch_forward
from .loss import accuracy_forward, categorical_crossentropy_forward


def network_forward(inputs, weights1, biases1, weights2, biases2, y_true):
    # inputs (B, K), weights1 (K, H), biases1 (H,), weights2 (H, C), biases2 (C,)
    # NOTE: Layer_Dense convention throughout; every intermediate is returned so a failure
    # points at the first layer that goes wrong.
    dense1 = dense_batch_forward(inputs, weights1, biases1)
    relu1 = relu_forward(dense1)
    dense2 = dense_batch_forward(relu1, weights2, biases2)
    softmax = softmax_forward(dense2)
    sample_losses = categorical_crossentropy_forward(softmax, y_true)
    predictions, accuracy = accuracy_forward(softmax, y_true)
    return {
        "dense1": dense1,
        "relu1": relu1,
        "dense2": dense2,
        "softmax": softmax,
        "sample_losses": sample_losses,
        "loss": np.mean(sample_losses),
        "predictions": predictions,
        "accuracy": accuracy,
    }


def dense_relu(inputs, weights, biases):
    # Chapter 4's first chain: Layer_Dense then Activation_ReLU, before any loss exists.
    dense = dense_batch_forward(inputs, weights, biases)
    return {"dense": dense, "relu": relu_forward(dense)}


def dense_relu_dense_softmax(inputs, weights1, biases1, weights2, biases2):
    # Chapter 4's whole network, before chapter 5 adds the loss and the accuracy.
    dense1 = dense_batch_forward(inputs, weights1, biases1)
    relu1 = relu_forward(dense1)
    dense2 = dense_batch_forward(relu1, weights2, biases2)
    return {"dense1": dense1, "relu1": relu1, "dense2": dense2, "softmax": softmax_forward(dense2)}

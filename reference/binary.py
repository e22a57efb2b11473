"""Chapter 16: the sigmoid activation and binary cross-entropy."""

import numpy as np


def sigmoid(inputs, dvalues):
    # inputs (B, N), dvalues (B, N) -> output, dinputs
    # NOTE: 1 / (1 + exp(-x)); the backward reuses the output: dvalues·(1 - s)·s.
    output = 1 / (1 + np.exp(-inputs))
    return output, dvalues * (1 - output) * output


def binary_crossentropy(y_pred, y_true):
    # y_pred (B, O) sigmoid outputs, y_true (B, O) of 0/1 -> sample_losses (B,), dinputs (B, O)
    # NOTE: clipped to [1e-7, 1 - 1e-7] in the dtype, in the forward AND the backward pass; each
    # sample's loss is the mean over its O outputs.
    y_pred_clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)
    sample_losses = -(y_true * np.log(y_pred_clipped) + (1 - y_true) * np.log(1 - y_pred_clipped))
    sample_losses = np.mean(sample_losses, axis=-1)
    samples, outputs = y_pred.shape
    dinputs = -(y_true / y_pred_clipped - (1 - y_true) / (1 - y_pred_clipped)) / outputs
    return sample_losses, dinputs / samples


def binary_accuracy(y_pred, y_true):
    # Activation_Sigmoid.predictions and Accuracy_Categorical(binary=True): an output counts
    # as class 1 only when strictly above 0.5; the accuracy is over every output of every sample.
    predictions = (y_pred > 0.5) * 1
    return predictions, np.mean(predictions == y_true)

"""Chapter 9: the backward pass of the dense layer, ReLU, softmax and cross-entropy.

Each function takes what the book's `backward(dvalues)` reads (the layer's saved inputs or
outputs, and the gradient flowing in) and returns the gradients it sets.
"""

import numpy as np


def dense_backward(inputs, weights, dvalues):
    # inputs (B, K), weights (K, N) Layer_Dense layout, dvalues (B, N)
    # -> dweights (K, N), dbiases (N,), dinputs (B, K)
    dweights = np.dot(inputs.T, dvalues)
    # NOTE: the bias gradient is the SUM over the batch (axis 0), one value per neuron.
    dbiases = np.sum(dvalues, axis=0)
    dinputs = np.dot(dvalues, weights.T)
    return dweights, dbiases, dinputs


def relu_backward(inputs, dvalues):
    # inputs: the forward pass's inputs; dvalues the same shape -> dinputs
    # NOTE: the gradient is zero where the INPUT is <= 0, including exactly 0 (and -0.0): the
    # mask is taken on the forward inputs, never on dvalues.
    dinputs = dvalues.copy()
    dinputs[inputs <= 0] = 0
    return dinputs


def softmax_backward(output, dvalues):
    # output: the softmax's forward output (B, C); dvalues (B, C) -> dinputs (B, C)
    # NOTE: through each sample's Jacobian diag(p) - p·pᵀ, as the book writes it.
    dinputs = np.empty_like(dvalues)
    for index, (single_output, single_dvalues) in enumerate(zip(output, dvalues)):
        single_output = single_output.reshape(-1, 1)
        jacobian_matrix = np.diagflat(single_output) - np.dot(single_output, single_output.T)
        dinputs[index] = np.dot(jacobian_matrix, single_dvalues)
    return dinputs


def _one_hot(y_true, classes, dtype):
    return np.eye(classes, dtype=dtype)[y_true] if y_true.ndim == 1 else y_true.astype(dtype)


def categorical_crossentropy_backward(y_pred, y_true):
    # y_pred (B, C) the predictions the loss read; y_true (B,) or (B, C) -> dinputs (B, C)
    # NOTE: -y_true / y_pred / samples; the book does NOT clip here, so the vectors never send a
    # zero prediction to this stage.
    samples, labels = y_pred.shape
    dinputs = -_one_hot(y_true, labels, y_pred.dtype) / y_pred
    return dinputs / samples


def softmax_crossentropy_backward(y_pred, y_true):
    # y_pred (B, C): the SOFTMAX OUTPUT (as the book's combined backward receives it)
    # NOTE: (y_pred - y_true) / samples, divided by the number of SAMPLES, not classes.
    samples = len(y_pred)
    labels = y_true if y_true.ndim == 1 else np.argmax(y_true, axis=1)
    dinputs = y_pred.copy()
    dinputs[range(samples), labels] -= 1
    return dinputs / samples

"""Chapter 17: mean squared and mean absolute error (the linear activation is the identity)."""

import numpy as np


def mean_squared_error(y_pred, y_true):
    # y_pred (B, O), y_true (B, O) -> sample_losses (B,), dinputs (B, O)
    samples, outputs = y_pred.shape
    sample_losses = np.mean((y_true - y_pred) ** 2, axis=-1)
    return sample_losses, -2 * (y_true - y_pred) / outputs / samples


def mean_absolute_error(y_pred, y_true):
    # y_pred (B, O), y_true (B, O) -> sample_losses (B,), dinputs (B, O)
    # NOTE: the gradient of |y_pred - y_true| is sign(y_pred - y_true), 0 where they are equal.
    # The book writes np.sign(y_true - dvalues): the wrong sign, as a finite difference shows
    # (mistake `mae-gradient-sign-flipped`).
    samples, outputs = y_pred.shape
    sample_losses = np.mean(np.abs(y_true - y_pred), axis=-1)
    return sample_losses, np.sign(y_pred - y_true) / outputs / samples


def linear(inputs, dvalues):
    # Activation_Linear: the identity forward, and dvalues passed through unchanged (a copy).
    return inputs.copy(), dvalues.copy()


def regression_accuracy(y_pred, y_true, precision):
    # Accuracy_Regression: a prediction counts when |y_pred - y_true| < precision (strictly);
    # the book's precision is np.std(y_true) / 250, given here so ports need not agree on std.
    return np.mean(np.absolute(y_pred - y_true) < precision)

"""Chapter 5: categorical cross-entropy and accuracy."""

import numpy as np


def categorical_crossentropy_forward(y_pred, y_true):
    # y_pred (B, C); y_true (B,) sparse class indices or (B, C) one-hot -> sample losses (B,)
    # NOTE: clips to [1e-7, 1 - 1e-7] so log(0) never happens and a perfect prediction still
    # costs a little. The bounds take y_pred's dtype: in float32 they are 1.0000000116860974e-07
    # and 0.9999998807907104, and the float32 goldens are computed with those.
    samples = len(y_pred)
    y_pred_clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)
    if y_true.ndim == 1:
        correct_confidences = y_pred_clipped[range(samples), y_true]
    else:
        correct_confidences = np.sum(y_pred_clipped * y_true, axis=1)
    # NOTE: the natural log; the batch loss is the mean of these, not the sum.
    return -np.log(correct_confidences)


def accuracy_forward(y_pred, y_true):
    # y_pred (B, C); y_true (B,) or (B, C) one-hot -> predictions (B,), accuracy scalar
    # NOTE: np.argmax returns the FIRST maximum on a tie; the book's 0.34 depends on it.
    predictions = np.argmax(y_pred, axis=1)
    if y_true.ndim == 2:
        y_true = np.argmax(y_true, axis=1)
    return predictions, np.mean(predictions == y_true)

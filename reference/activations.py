"""Chapter 4: ReLU and a row-wise softmax."""

import numpy as np


def relu_forward(inputs):
    # inputs any shape -> same shape
    # NOTE: max(0, x); the sign of a zero result is not compared (ports differ on -0.0).
    return np.maximum(0, inputs)


def softmax_forward(inputs):
    # inputs (B, C) logits -> (B, C) probabilities, each row sums to 1
    # NOTE: subtracts the row max first, so logits of 1000 do not overflow and rows of -1000
    # do not divide 0 by 0. A -inf logit gets probability exactly 0.
    exp_values = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
    return exp_values / np.sum(exp_values, axis=1, keepdims=True)

"""Chapters 14-15: L1 and L2 regularization, and dropout with a given mask."""

import numpy as np


def regularization(weights, biases, weight_l1, weight_l2, bias_l1, bias_l2):
    # weights (K, N), biases (N,), four factors >= 0
    # -> loss (scalar), dweights (K, N), dbiases (N,): the regularization's own share, which the
    # book's Layer_Dense.backward adds to the data gradients
    loss = (
        weight_l1 * np.sum(np.abs(weights))
        + weight_l2 * np.sum(weights * weights)
        + bias_l1 * np.sum(np.abs(biases))
        + bias_l2 * np.sum(biases * biases)
    )
    return loss, _gradient(weights, weight_l1, weight_l2), _gradient(biases, bias_l1, bias_l2)


def _gradient(values, l1, l2):
    # NOTE: d|w|/dw is taken as +1 at w == 0 (and at -0.0), as the book's
    # `dL1 = np.ones_like(w); dL1[w < 0] = -1`; the L2 term is 2·l2·w, with its factor 2.
    dl1 = np.ones_like(values)
    dl1[values < 0] = -1
    return l1 * dl1 + 2 * l2 * values


def dropout(inputs, mask, rate, dvalues):
    # inputs (B, N), mask (B, N) of 0/1 draws (1 keeps), rate: the DROP rate as in
    # Layer_Dropout(rate), dvalues (B, N) -> output, dinputs
    # NOTE: inverted dropout: kept values are scaled by 1 / (1 - rate) at training time. The mask
    # is an input, so the vectors hold no random numbers; the book draws it with
    # np.random.binomial(1, 1 - rate, size).
    binary_mask = mask / (1 - rate)
    return inputs * binary_mask, dvalues * binary_mask

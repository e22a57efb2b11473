"""Chapters 1-3: a neuron, a layer of neurons, and a dense layer over a batch."""

import numpy as np


def neuron_forward(inputs, weights, bias):
    # inputs (K,), weights (K,), bias scalar -> scalar
    # NOTE: the book's 1.2*3.1 + 5.1*2.1 + 2.1*8.7 + 3 prints 35.7; the exact value on those
    # float64 inputs rounds to 35.699999999999996. Both are within tolerance: order is free.
    return np.dot(inputs, weights) + bias


def layer_forward(inputs, weights, biases):
    # inputs (K,), weights (N, K) one row per neuron, biases (N,) -> (N,)
    return np.dot(weights, inputs) + biases


def dense_batch_forward(inputs, weights, biases, weights_layout="inputs_neurons"):
    # inputs (B, K), biases (N,) -> (B, N)
    # NOTE: "inputs_neurons" is Layer_Dense: weights (K, N), no transpose.
    # NOTE: "neurons_inputs" is chapter 2's per-neuron rows: weights (N, K), used transposed.
    if weights_layout == "neurons_inputs":
        weights = weights.T
    # NOTE: biases are a flat (N,) vector; the book's (1, N) row broadcasts the same way.
    return np.dot(inputs, weights) + biases

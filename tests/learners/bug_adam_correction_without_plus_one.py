"""book_nn with one bug: Adam's bias correction divides by 1 - beta**iterations, not
1 - beta**(iterations + 1)."""

import numpy as np
from book_nn import *  # noqa: F403 - the whole network; one class is replaced below


class Optimizer_Adam(Optimizer_Adam):  # noqa: F405
    def update_params(self, layer):
        if not hasattr(layer, "weight_cache"):
            layer.weight_momentums = np.zeros_like(layer.weights)
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_momentums = np.zeros_like(layer.biases)
            layer.bias_cache = np.zeros_like(layer.biases)
        layer.weight_momentums = (
            self.beta_1 * layer.weight_momentums + (1 - self.beta_1) * layer.dweights
        )
        layer.bias_momentums = (
            self.beta_1 * layer.bias_momentums + (1 - self.beta_1) * layer.dbiases
        )
        weight_momentums_corrected = layer.weight_momentums / (1 - self.beta_1**self.iterations)
        bias_momentums_corrected = layer.bias_momentums / (1 - self.beta_1**self.iterations)
        layer.weight_cache = (
            self.beta_2 * layer.weight_cache + (1 - self.beta_2) * layer.dweights**2
        )
        layer.bias_cache = self.beta_2 * layer.bias_cache + (1 - self.beta_2) * layer.dbiases**2
        weight_cache_corrected = layer.weight_cache / (1 - self.beta_2**self.iterations)
        bias_cache_corrected = layer.bias_cache / (1 - self.beta_2**self.iterations)
        layer.weights += (
            -self.current_learning_rate
            * weight_momentums_corrected
            / (np.sqrt(weight_cache_corrected) + self.epsilon)
        )
        layer.biases += (
            -self.current_learning_rate
            * bias_momentums_corrected
            / (np.sqrt(bias_cache_corrected) + self.epsilon)
        )

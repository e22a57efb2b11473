"""book_nn_ch18 with one bug: Model.save_parameters stores a float64 model's parameters as
float32 (to halve the file), so the model it loads into computes with other numbers."""

import pickle

import numpy as np
from book_nn_ch18 import *  # noqa: F403 - the whole network; one class is replaced below


class Model(Model):  # noqa: F405
    def save_parameters(self, path):
        parameters = [
            (weights.astype(np.float32), biases.astype(np.float32))
            for weights, biases in self.get_parameters()
        ]
        with open(path, "wb") as f:
            pickle.dump(parameters, f)

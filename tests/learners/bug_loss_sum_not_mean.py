"""book_nn with one bug: the categorical cross-entropy's calculate sums the sample losses."""

import numpy as np
from book_nn import *  # noqa: F403 - the whole network; one class is replaced below


class Loss_CategoricalCrossentropy(Loss_CategoricalCrossentropy):  # noqa: F405
    def calculate(self, output, y):
        sample_losses = self.forward(output, y)
        return np.sum(sample_losses)

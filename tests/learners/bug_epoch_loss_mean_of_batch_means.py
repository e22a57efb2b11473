"""book_nn_ch18 with one bug: the loss's calculate_accumulated averages the batches' mean losses,
so an epoch's short last batch weighs as much as a full one (the book divides the sum of every
sample's loss by the count of samples)."""

import numpy as np
from book_nn_ch18 import *  # noqa: F403 - the whole network; one class is replaced below


class Loss_CategoricalCrossentropy(Loss_CategoricalCrossentropy):  # noqa: F405
    def new_pass(self):
        super().new_pass()
        self.batch_losses = []

    def calculate(self, output, y, *, include_regularization=False):
        self.batch_losses.append(np.mean(self.forward(output, y)))
        return super().calculate(output, y, include_regularization=include_regularization)

    def calculate_accumulated(self, *, include_regularization=False):
        data_loss = np.mean(self.batch_losses)
        if not include_regularization:
            return data_loss
        return data_loss, self.regularization_loss()

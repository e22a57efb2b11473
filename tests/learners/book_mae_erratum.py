"""book_nn with the printed book's Loss_MeanAbsoluteError.backward, sign erratum included:
np.sign(y_true - dvalues), which points uphill (docs/STAGES.md, mean_absolute_error)."""

import numpy as np
from book_nn import *  # noqa: F403 - the whole network; one class is replaced below


class Loss_MeanAbsoluteError(Loss_MeanAbsoluteError):  # noqa: F405
    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        outputs = len(dvalues[0])
        self.dinputs = np.sign(y_true - dvalues) / outputs
        self.dinputs = self.dinputs / samples

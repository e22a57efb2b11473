"""A chapter file as the book publishes it: the classes, then a script that trains at import.

The script would run for hours (and its last lines read what the loop made), so the driver must
run the imports, the classes and nnfs.init(), and leave the script out.
"""

import nnfs
import numpy as np
from nnfs.datasets import spiral_data

nnfs.init()

from book_nn import *  # noqa: E402,F403 - the classes, as if written above the script

X, y = spiral_data(samples=100, classes=3)
dense1 = Layer_Dense(2, 64)  # noqa: F405
activation1 = Activation_ReLU()  # noqa: F405
optimizer = Optimizer_Adam(learning_rate=0.05, decay=5e-7)  # noqa: F405

for epoch in range(10**12):  # noqa: B007 - the book prints it every 100 epochs
    dense1.forward(X)
    activation1.forward(dense1.output)
    loss = np.mean(activation1.output)

print(f"validation, loss: {loss:.3f}")

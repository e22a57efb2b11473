"""The plain-Python port of nnfs-conformance: the book's network (nnfs.py) and the book tier
(book.py), served by the Python kit (kits/python), which speaks the protocol and checks inputs.
Run it under the suite's runner:  nnfs-conform run -- python3 ports/python/port.py
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "..", "kits", "python")]
from nnfs_kit import serve  # noqa: E402

import book  # noqa: E402  the book tier (docs/BOOK.md), beside this file
import nnfs  # noqa: E402  the stages, beside this file

NETWORK = (
    "neuron",
    "layer",
    "dense_batch",
    "relu",
    "dense_relu",
    "softmax",
    "dense_relu_dense_softmax",
    "categorical_crossentropy",
    "accuracy",
    "forward",
    "dense_backward",
    "relu_backward",
    "repeated_forward",
    "softmax_backward",
    "categorical_crossentropy_backward",
    "softmax_crossentropy_backward",
    "regularization",
    "dropout",
    "sigmoid",
    "binary_crossentropy",
    "binary_accuracy",
    "linear",
    "mean_squared_error",
    "mean_absolute_error",
    "regression_accuracy",
    "sgd_step",
    "adagrad_step",
    "rmsprop_step",
    "adam_step",
    "shared_optimizer",
    "training",
    "preprocess",
    "batches",
    "predictions",
    "evaluate",
    "model_training",
    "parameters",
)
BOOK = ("rng", "datasets", "init", "shuffle", "chapters")

stages = {name: getattr(nnfs, name) for name in NETWORK}
stages.update({name: getattr(book, name) for name in BOOK})
serve(name="python-plain", dtype="float64", version="0.1.0", stages=stages)

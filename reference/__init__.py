"""The canonical NumPy reference: one small pure function per stage, written like the book.

`run_stage` is the one door in: it checks a stage's inputs (raising StageError with a kind from
docs/STAGES.md), builds arrays of the requested dtype, and calls the stage. The stages
themselves are declared once, in the suite's stage table (nnfs_conform.suite.stages).
"""

from nnfs_conform.suite.errors import ERROR_KINDS, StageError

from .activations import relu_forward, softmax_forward
from .dense import dense_batch_forward, layer_forward, neuron_forward
from .loss import accuracy_forward, categorical_crossentropy_forward
from .network import network_forward
from .stages import CHECKED, run_stage

__all__ = [
    "CHECKED",
    "ERROR_KINDS",
    "StageError",
    "accuracy_forward",
    "categorical_crossentropy_forward",
    "dense_batch_forward",
    "layer_forward",
    "network_forward",
    "neuron_forward",
    "relu_forward",
    "run_stage",
    "softmax_forward",
]

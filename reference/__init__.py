"""The canonical NumPy reference: one small pure function per stage, written like the book.

`stages.TABLE` declares every stage once (name, group, signature, checked runner); `run_stage` is
the one door in: it checks the inputs (raising StageError with a kind from docs/STAGES.md),
builds arrays of the requested dtype, and calls the stage.
"""

from .activations import relu_forward, softmax_forward
from .dense import dense_batch_forward, layer_forward, neuron_forward
from .errors import ERROR_KINDS, StageError
from .loss import accuracy_forward, categorical_crossentropy_forward
from .network import network_forward
from .stages import STAGES, TABLE, Stage, run_stage, stage_names

__all__ = [
    "ERROR_KINDS",
    "STAGES",
    "TABLE",
    "Stage",
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
    "stage_names",
]

"""Input checks shared by the stages: every refusal is a StageError whose kind is the one an
invalid case expects (docs/STAGES.md, "Errors").

Inputs are decoded JSON values (nested lists of Python numbers, infinities as floats).
"""

import math

import numpy as np

from nnfs_conform.suite.errors import StageError


def shape(name, value):
    """The shape of a nested list; ragged rows are refused."""
    if not isinstance(value, list):
        return ()
    inner = [shape(name, v) for v in value]
    if any(s != inner[0] for s in inner[1:]):
        raise StageError("ragged_rows", f"{name} has rows of different lengths")
    return (len(value), *(inner[0] if inner else ()))


def require(condition, message):
    if not condition:
        raise StageError("shape_mismatch", message)


def batch(name, value, rank=2):
    if value == []:
        raise StageError("empty_batch", f"{name} has no samples")
    dims = shape(name, value)
    require(len(dims) == rank, f"{name} must have rank {rank}, has shape {list(dims)}")
    return dims


def labels(y_true, label_format, samples, classes, name="y_true"):
    dims = shape(name, y_true)
    if label_format == "sparse":
        require(dims == (samples,), f"sparse {name} must have shape [{samples}], has {list(dims)}")
        for i, label in enumerate(y_true):
            if isinstance(label, bool) or not float(label).is_integer():
                raise StageError("invalid_label", f"{name}[{i}] = {label!r} is not an integer")
            if not 0 <= label < classes:
                raise StageError(
                    "label_out_of_range", f"{name}[{i}] = {label} not in [0, {classes})"
                )
        return np.array(y_true, dtype=np.int64)
    require(
        dims == (samples, classes),
        f"one-hot {name} must have shape [{samples}, {classes}], has {list(dims)}",
    )
    for i, row in enumerate(y_true):
        if sorted(row) != [0] * (classes - 1) + [1] or any(isinstance(v, bool) for v in row):
            raise StageError("invalid_label", f"{name}[{i}] is not one 1 among 0s")
    return np.array(y_true, dtype=np.int64)


def two_layers(x, p, dtype):
    """The book's network's inputs, checked: (arrays, labels) for Dense(K, H) -> Dense(H, C)."""
    b, k = batch("inputs", x["inputs"])
    w1, w2 = shape("weights1", x["weights1"]), shape("weights2", x["weights2"])
    require(len(w1) == 2 and w1[0] == k, f"weights1 must have shape [{k}, H], has {list(w1)}")
    require(shape("biases1", x["biases1"]) == (w1[1],), f"biases1 must have {w1[1]} values")
    require(
        len(w2) == 2 and w2[0] == w1[1], f"weights2 must have shape [{w1[1]}, C], has {list(w2)}"
    )
    require(shape("biases2", x["biases2"]) == (w2[1],), f"biases2 must have {w2[1]} values")
    y_true = labels(x["y_true"], p["label_format"], b, w2[1])
    arrays = [dtype(x[n]) for n in ("inputs", "weights1", "biases1", "weights2", "biases2")]
    return arrays, y_true


def integer(name, value):
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or value != int(value)
        or value < 0
    ):
        raise StageError("shape_mismatch", f"{name} must be a non-negative integer")
    return int(value)


def same_shape(name, value, dims, of):
    require(shape(name, value) == dims, f"{name} must have the shape of {of}, {list(dims)}")


def scalar(name, value):
    require(
        shape(name, value) == () and not isinstance(value, bool), f"{name} must be a single number"
    )
    return value


def count(name, value, least=0):
    """An iteration or step count: an integer >= least, or invalid_value."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value != int(value)
        or value < least
    ):
        raise StageError("invalid_value", f"{name} = {value!r} is not an integer >= {least}")
    return int(value)


def factor(name, value):
    scalar(name, value)
    if value < 0:
        raise StageError("invalid_value", f"{name} = {value!r} is negative")
    return value


def binary_labels(y_true, dims):
    same_shape("y_true", y_true, dims, "y_pred")
    for i, row in enumerate(y_true):
        for j, v in enumerate(row):
            if isinstance(v, bool) or v not in (0, 1):
                raise StageError("invalid_label", f"y_true[{i}][{j}] = {v!r} is not 0 or 1")


def layer_state(x, names):
    """weights (K, N) and biases (N,), and every array named after them, of the same shapes."""
    w = shape("weights", x["weights"])
    require(len(w) == 2, f"weights must be a matrix, has shape {list(w)}")
    require(shape("biases", x["biases"]) == (w[1],), f"biases must have {w[1]} values")
    for name in names:
        of = "weights" if name.startswith(("weight", "dweight")) else "biases"
        same_shape(name, x[name], w if of == "weights" else (w[1],), of)

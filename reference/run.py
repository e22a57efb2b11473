"""The door into the reference: check inputs, build arrays of the tier's dtype, run a stage.

Inputs are decoded JSON values (nested lists of Python numbers, infinities as floats). Every
refusal is a StageError whose kind is the one an invalid case expects.
"""

import numpy as np

from . import book
from .activations import relu_forward, softmax_forward
from .dense import dense_batch_forward, layer_forward, neuron_forward
from .errors import StageError
from .loss import accuracy_forward, categorical_crossentropy_forward
from .network import network_forward


def shape(name, value):
    """The shape of a nested list; ragged rows are refused."""
    if not isinstance(value, list):
        return ()
    inner = [shape(name, v) for v in value]
    if any(s != inner[0] for s in inner[1:]):
        raise StageError("ragged_rows", f"{name} has rows of different lengths")
    return (len(value), *(inner[0] if inner else ()))


def _require(condition, message):
    if not condition:
        raise StageError("shape_mismatch", message)


def _batch(name, value, rank=2):
    if value == []:
        raise StageError("empty_batch", f"{name} has no samples")
    dims = shape(name, value)
    _require(len(dims) == rank, f"{name} must have rank {rank}, has shape {list(dims)}")
    return dims


def _labels(y_true, label_format, samples, classes):
    dims = shape("y_true", y_true)
    if label_format == "sparse":
        _require(dims == (samples,), f"sparse y_true must have shape [{samples}], has {list(dims)}")
        for i, label in enumerate(y_true):
            if isinstance(label, bool) or not float(label).is_integer():
                raise StageError("invalid_label", f"y_true[{i}] = {label!r} is not an integer")
            if not 0 <= label < classes:
                raise StageError("label_out_of_range",
                                 f"y_true[{i}] = {label} not in [0, {classes})")
        return np.array(y_true, dtype=np.int64)
    _require(dims == (samples, classes),
             f"one-hot y_true must have shape [{samples}, {classes}], has {list(dims)}")
    for i, row in enumerate(y_true):
        if sorted(row) != [0] * (classes - 1) + [1] or any(isinstance(v, bool) for v in row):
            raise StageError("invalid_label", f"y_true[{i}] is not one 1 among 0s")
    return np.array(y_true, dtype=np.int64)


def _neuron(x, p, dtype):
    k = shape("inputs", x["inputs"])
    _require(len(k) == 1, f"inputs must be a vector, has shape {list(k)}")
    _require(shape("weights", x["weights"]) == k, "weights and inputs differ in length")
    _require(shape("bias", x["bias"]) == (), "bias must be a single number")
    out = neuron_forward(dtype(x["inputs"]), dtype(x["weights"]), dtype(x["bias"]))
    return {"output": out}


def _layer(x, p, dtype):
    k = shape("inputs", x["inputs"])
    _require(len(k) == 1, f"inputs must be a vector, has shape {list(k)}")
    w = shape("weights", x["weights"])
    _require(len(w) == 2 and w[1] == k[0], f"weights must have shape [N, {k[0]}], has {list(w)}")
    _require(shape("biases", x["biases"]) == (w[0],), f"biases must have {w[0]} values")
    return {"output": layer_forward(dtype(x["inputs"]), dtype(x["weights"]), dtype(x["biases"]))}


def _dense(x, p, dtype):
    b, k = _batch("inputs", x["inputs"])
    w = shape("weights", x["weights"])
    layout = p["weights_layout"]
    _require(len(w) == 2, f"weights must be a matrix, has shape {list(w)}")
    n = w[1] if layout == "inputs_neurons" else w[0]
    _require((w[0] if layout == "inputs_neurons" else w[1]) == k,
             f"weights {list(w)} do not fit {k} inputs ({layout})")
    _require(shape("biases", x["biases"]) == (n,), f"biases must have {n} values")
    out = dense_batch_forward(dtype(x["inputs"]), dtype(x["weights"]), dtype(x["biases"]), layout)
    return {"output": out}


def _relu(x, p, dtype):
    dims = shape("inputs", x["inputs"])
    _require(len(dims) in (1, 2), f"inputs must have rank 1 or 2, has shape {list(dims)}")
    return {"output": relu_forward(dtype(x["inputs"]))}


def _softmax(x, p, dtype):
    _batch("inputs", x["inputs"])
    return {"output": softmax_forward(dtype(x["inputs"]))}


def _cce(x, p, dtype):
    b, c = _batch("y_pred", x["y_pred"])
    y_true = _labels(x["y_true"], p["label_format"], b, c)
    losses = categorical_crossentropy_forward(dtype(x["y_pred"]), y_true)
    return {"sample_losses": losses, "loss": np.mean(losses)}


def _accuracy(x, p, dtype):
    b, c = _batch("y_pred", x["y_pred"])
    y_true = _labels(x["y_true"], p["label_format"], b, c)
    predictions, accuracy = accuracy_forward(dtype(x["y_pred"]), y_true)
    return {"predictions": predictions, "accuracy": accuracy}


def _network(x, p, dtype):
    b, k = _batch("inputs", x["inputs"])
    w1, w2 = shape("weights1", x["weights1"]), shape("weights2", x["weights2"])
    _require(len(w1) == 2 and w1[0] == k, f"weights1 must have shape [{k}, H], has {list(w1)}")
    _require(shape("biases1", x["biases1"]) == (w1[1],), f"biases1 must have {w1[1]} values")
    _require(len(w2) == 2 and w2[0] == w1[1],
             f"weights2 must have shape [{w1[1]}, C], has {list(w2)}")
    _require(shape("biases2", x["biases2"]) == (w2[1],), f"biases2 must have {w2[1]} values")
    y_true = _labels(x["y_true"], p["label_format"], b, w2[1])
    arrays = [dtype(x[n]) for n in ("inputs", "weights1", "biases1", "weights2", "biases2")]
    return network_forward(*arrays, y_true)


def _integer(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) \
            or value < 0:
        raise StageError("shape_mismatch", f"{name} must be a non-negative integer")
    return int(value)


def _rng(x, p, dtype):
    calls = x["calls"]
    _require(len(shape("calls", calls)) == 2 and (not calls or len(calls[0]) == 2),
             "calls must be a list of [kind, count] pairs")
    calls = [(_integer("kind", k), _integer("count", n)) for k, n in calls]
    _require(all(k in (0, 1, 2) for k, _ in calls), "a call kind must be 0, 1 or 2")
    return {"values": book.rng_values(_integer("seed", x["seed"]), calls)}


def _datasets(x, p, dtype):
    X, y = book.dataset(p["dataset"], _integer("seed", x["seed"]),
                        _integer("samples", x["samples"]), _integer("classes", x["classes"]))
    return {"x": X, "y": y}


def _init(x, p, dtype):
    shapes = x["shapes"]
    _require(len(shape("shapes", shapes)) == 2 and len(shapes[0]) == 2,
             "shapes must be a list of [n_inputs, n_neurons] pairs")
    return {"weights": book.init_weights(_integer("seed", x["seed"]), _integer("skip", x["skip"]),
                                         shapes, p["scale"])}


def _chapters(x, p, dtype):
    ints = {k: _integer(k, x[k]) for k in ("seed", "samples", "classes", "hidden", "steps")}
    value = book.chapters(**ints, printed=p["printed"], optimizer=p["optimizer"],
                          learning_rate=p["learning_rate"], decay=p["decay"],
                          momentum=p["momentum"])
    return {"value": value}


# stage -> (checked runner, input names, param names, output names)
STAGES = {
    "neuron": (_neuron, ("inputs", "weights", "bias"), (), ("output",)),
    "layer": (_layer, ("inputs", "weights", "biases"), (), ("output",)),
    "dense_batch": (_dense, ("inputs", "weights", "biases"), ("weights_layout",), ("output",)),
    "relu": (_relu, ("inputs",), (), ("output",)),
    "softmax": (_softmax, ("inputs",), (), ("output",)),
    "categorical_crossentropy": (_cce, ("y_pred", "y_true"), ("label_format",),
                                 ("sample_losses", "loss")),
    "accuracy": (_accuracy, ("y_pred", "y_true"), ("label_format",), ("predictions", "accuracy")),
    "forward": (_network, ("inputs", "weights1", "biases1", "weights2", "biases2", "y_true"),
                ("label_format",), ("dense1", "relu1", "dense2", "softmax", "sample_losses",
                                    "loss", "predictions", "accuracy")),
    # The book tier (docs/BOOK.md): the book's own arithmetic, the same at both tiers.
    "rng": (_rng, ("seed", "calls"), (), ("values",)),
    "datasets": (_datasets, ("seed", "samples", "classes"), ("dataset",), ("x", "y")),
    "init": (_init, ("seed", "skip", "shapes"), ("scale",), ("weights",)),
    "chapters": (_chapters, ("seed", "samples", "classes", "hidden", "steps"),
                 ("printed", "optimizer", "learning_rate", "decay", "momentum"), ("value",)),
}

BOOK_STAGES = ("rng", "datasets", "init", "chapters")


def run_stage(stage, inputs, params, dtype="float64"):
    """Run one stage on decoded inputs; returns {output name: nested lists of Python numbers}."""
    np_dtype = np.dtype(dtype).type

    def as_array(value):
        return np.asarray(value, dtype=np_dtype)

    checked, _, _, _ = STAGES[stage]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        outputs = checked(inputs, params, as_array)
    return {name: np.asarray(value).tolist() for name, value in outputs.items()}

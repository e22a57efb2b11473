"""The door into the reference: check inputs, build arrays of the tier's dtype, run a stage.

Inputs are decoded JSON values (nested lists of Python numbers, infinities as floats). Every
refusal is a StageError whose kind is the one an invalid case expects.
"""

import math

import numpy as np

from . import book
from .activations import relu_forward, softmax_forward
from .backward import (
    categorical_crossentropy_backward,
    dense_backward,
    relu_backward,
    softmax_backward,
    softmax_crossentropy_backward,
)
from .binary import binary_crossentropy, sigmoid
from .dense import dense_batch_forward, layer_forward, neuron_forward
from .errors import StageError
from .loss import accuracy_forward, categorical_crossentropy_forward
from .network import network_forward
from .regression import mean_absolute_error, mean_squared_error
from .regularization import dropout, regularization
from .training import HYPERPARAMETERS, STATE, STEP, train


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


def _two_layers(x, p, dtype):
    """The book's network's inputs, checked: (arrays, labels) for Dense(K, H) -> Dense(H, C)."""
    b, k = _batch("inputs", x["inputs"])
    w1, w2 = shape("weights1", x["weights1"]), shape("weights2", x["weights2"])
    _require(len(w1) == 2 and w1[0] == k, f"weights1 must have shape [{k}, H], has {list(w1)}")
    _require(shape("biases1", x["biases1"]) == (w1[1],), f"biases1 must have {w1[1]} values")
    _require(len(w2) == 2 and w2[0] == w1[1],
             f"weights2 must have shape [{w1[1]}, C], has {list(w2)}")
    _require(shape("biases2", x["biases2"]) == (w2[1],), f"biases2 must have {w2[1]} values")
    y_true = _labels(x["y_true"], p["label_format"], b, w2[1])
    arrays = [dtype(x[n]) for n in ("inputs", "weights1", "biases1", "weights2", "biases2")]
    return arrays, y_true


def _network(x, p, dtype):
    arrays, y_true = _two_layers(x, p, dtype)
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


def _same_shape(name, value, dims, of):
    _require(shape(name, value) == dims, f"{name} must have the shape of {of}, {list(dims)}")


def _scalar(name, value):
    _require(shape(name, value) == () and not isinstance(value, bool),
             f"{name} must be a single number")
    return value


def _count(name, value, least=0):
    """An iteration or step count: an integer >= least, or invalid_value."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or value != int(value) or value < least:
        raise StageError("invalid_value", f"{name} = {value!r} is not an integer >= {least}")
    return int(value)


def _dense_backward(x, p, dtype):
    b, k = _batch("inputs", x["inputs"])
    w = shape("weights", x["weights"])
    _require(len(w) == 2 and w[0] == k, f"weights must have shape [{k}, N], has {list(w)}")
    _same_shape("dvalues", x["dvalues"], (b, w[1]), "the layer's output")
    dweights, dbiases, dinputs = dense_backward(dtype(x["inputs"]), dtype(x["weights"]),
                                                dtype(x["dvalues"]))
    return {"dweights": dweights, "dbiases": dbiases, "dinputs": dinputs}


def _relu_backward(x, p, dtype):
    dims = shape("inputs", x["inputs"])
    _require(len(dims) in (1, 2), f"inputs must have rank 1 or 2, has shape {list(dims)}")
    _same_shape("dvalues", x["dvalues"], dims, "inputs")
    return {"dinputs": relu_backward(dtype(x["inputs"]), dtype(x["dvalues"]))}


def _softmax_backward(x, p, dtype):
    dims = _batch("output", x["output"])
    _same_shape("dvalues", x["dvalues"], dims, "output")
    return {"dinputs": softmax_backward(dtype(x["output"]), dtype(x["dvalues"]))}


def _cce_backward(x, p, dtype):
    b, c = _batch("y_pred", x["y_pred"])
    y_true = _labels(x["y_true"], p["label_format"], b, c)
    return {"dinputs": categorical_crossentropy_backward(dtype(x["y_pred"]), y_true)}


def _softmax_cce_backward(x, p, dtype):
    b, c = _batch("y_pred", x["y_pred"])
    y_true = _labels(x["y_true"], p["label_format"], b, c)
    y_pred = dtype(x["y_pred"])
    if p["path"] == "separate":  # the two stages chained: softmax's Jacobian times -y/p/B
        dvalues = categorical_crossentropy_backward(y_pred, y_true)
        return {"dinputs": softmax_backward(y_pred, dvalues)}
    return {"dinputs": softmax_crossentropy_backward(y_pred, y_true)}


def _factor(name, value):
    _scalar(name, value)
    if value < 0:
        raise StageError("invalid_value", f"{name} = {value!r} is negative")
    return value


def _regularization(x, p, dtype):
    w = shape("weights", x["weights"])
    _require(len(w) == 2, f"weights must be a matrix, has shape {list(w)}")
    _require(shape("biases", x["biases"]) == (w[1],), f"biases must have {w[1]} values")
    factors = [dtype(_factor(n, x[n])) for n in REGULARIZERS]
    loss, dweights, dbiases = regularization(dtype(x["weights"]), dtype(x["biases"]), *factors)
    return {"loss": loss, "dweights": dweights, "dbiases": dbiases}


def _dropout(x, p, dtype):
    dims = _batch("inputs", x["inputs"])
    _same_shape("mask", x["mask"], dims, "inputs")
    _same_shape("dvalues", x["dvalues"], dims, "inputs")
    for i, row in enumerate(x["mask"]):
        for j, v in enumerate(row):
            if isinstance(v, bool) or v not in (0, 1):
                raise StageError("invalid_value", f"mask[{i}][{j}] = {v!r} is not 0 or 1")
    rate = _scalar("rate", x["rate"])
    if not 0 <= rate < 1:
        raise StageError("invalid_value", f"rate = {rate!r} is not in [0, 1)")
    output, dinputs = dropout(dtype(x["inputs"]), dtype(x["mask"]), dtype(rate),
                              dtype(x["dvalues"]))
    return {"output": output, "dinputs": dinputs}


def _sigmoid(x, p, dtype):
    dims = _batch("inputs", x["inputs"])
    _same_shape("dvalues", x["dvalues"], dims, "inputs")
    output, dinputs = sigmoid(dtype(x["inputs"]), dtype(x["dvalues"]))
    return {"output": output, "dinputs": dinputs}


def _binary_labels(y_true, dims):
    _same_shape("y_true", y_true, dims, "y_pred")
    for i, row in enumerate(y_true):
        for j, v in enumerate(row):
            if isinstance(v, bool) or v not in (0, 1):
                raise StageError("invalid_label", f"y_true[{i}][{j}] = {v!r} is not 0 or 1")


def _bce(x, p, dtype):
    dims = _batch("y_pred", x["y_pred"])
    _binary_labels(x["y_true"], dims)
    losses, dinputs = binary_crossentropy(dtype(x["y_pred"]), dtype(x["y_true"]))
    return {"sample_losses": losses, "loss": np.mean(losses), "dinputs": dinputs}


def _regression(loss_function):
    def checked(x, p, dtype):
        dims = _batch("y_pred", x["y_pred"])
        _same_shape("y_true", x["y_true"], dims, "y_pred")
        losses, dinputs = loss_function(dtype(x["y_pred"]), dtype(x["y_true"]))
        return {"sample_losses": losses, "loss": np.mean(losses), "dinputs": dinputs}
    return checked


def _layer_state(x, names):
    """weights (K, N) and biases (N,), and every array named after them, of the same shapes."""
    w = shape("weights", x["weights"])
    _require(len(w) == 2, f"weights must be a matrix, has shape {list(w)}")
    _require(shape("biases", x["biases"]) == (w[1],), f"biases must have {w[1]} values")
    for name in names:
        of = "weights" if name.startswith(("weight", "dweight")) else "biases"
        _same_shape(name, x[name], w if of == "weights" else (w[1],), of)


def _optimizer(optimizer, step):
    state = ("dweights", "dbiases", *STATE[optimizer])

    def checked(x, p, dtype):
        _layer_state(x, state)
        iterations = _count("iterations", x["iterations"])
        hyper = {n: dtype(_scalar(n, x[n])) for n in HYPERPARAMETERS[optimizer]}
        arrays = {n: dtype(x[n]) for n in ("weights", "biases", *state)}
        return step(**arrays, iterations=iterations, **hyper)
    return checked


def _training(x, p, dtype):
    arrays, y_true = _two_layers(x, p, dtype)
    steps = _count("steps", x["steps"], least=1)
    hyper = {n: dtype(_scalar(n, x[n])) for n in TRAINING_HYPERPARAMETERS}
    return train(arrays[0], y_true, *arrays[1:], steps, p["optimizer"], hyper)


REGULARIZERS = ("weight_regularizer_l1", "weight_regularizer_l2", "bias_regularizer_l1",
                "bias_regularizer_l2")
TRAINING_HYPERPARAMETERS = ("learning_rate", "decay", "momentum", "epsilon", "rho", "beta_1",
                            "beta_2")
PARAMETERS = ("weights", "biases")


def _optimizer_signature(optimizer):
    state = STATE[optimizer]
    inputs = (*PARAMETERS, "dweights", "dbiases", *state, "iterations",
              *HYPERPARAMETERS[optimizer])
    return (_optimizer(optimizer, STEP[optimizer]), inputs, (),
            (*PARAMETERS, *state, "learning_rate", "iterations"))


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
    # Backpropagation, regularization, more losses, optimizers and training (docs/STAGES.md).
    "dense_backward": (_dense_backward, ("inputs", "weights", "dvalues"), (),
                       ("dweights", "dbiases", "dinputs")),
    "relu_backward": (_relu_backward, ("inputs", "dvalues"), (), ("dinputs",)),
    "softmax_backward": (_softmax_backward, ("output", "dvalues"), (), ("dinputs",)),
    "categorical_crossentropy_backward": (_cce_backward, ("y_pred", "y_true"), ("label_format",),
                                          ("dinputs",)),
    "softmax_crossentropy_backward": (_softmax_cce_backward, ("y_pred", "y_true"),
                                      ("label_format", "path"), ("dinputs",)),
    "regularization": (_regularization, ("weights", "biases", *REGULARIZERS), (),
                       ("loss", "dweights", "dbiases")),
    "dropout": (_dropout, ("inputs", "mask", "rate", "dvalues"), (), ("output", "dinputs")),
    "sigmoid": (_sigmoid, ("inputs", "dvalues"), (), ("output", "dinputs")),
    "binary_crossentropy": (_bce, ("y_pred", "y_true"), (), ("sample_losses", "loss", "dinputs")),
    "mean_squared_error": (_regression(mean_squared_error), ("y_pred", "y_true"), (),
                           ("sample_losses", "loss", "dinputs")),
    "mean_absolute_error": (_regression(mean_absolute_error), ("y_pred", "y_true"), (),
                            ("sample_losses", "loss", "dinputs")),
    **{f"{name}_step": _optimizer_signature(name) for name in STEP},
    "training": (_training, ("inputs", "y_true", "weights1", "biases1", "weights2", "biases2",
                             "steps", *TRAINING_HYPERPARAMETERS), ("label_format", "optimizer"),
                 ("loss", "accuracy", "learning_rate", "weights1", "biases1", "weights2",
                  "biases2")),
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

"""The door into the reference: check a stage's inputs, build arrays of the tier's dtype, run
its function.

Each stage of the suite's stage table (nnfs_conform.suite.stages) has one checked runner here,
registered under its name: its input checks, then the reference function of its module.
"""

import numpy as np

from nnfs_conform.suite.errors import StageError
from nnfs_conform.suite.stages import (
    ADAM,
    HYPERPARAMETERS,
    LAYERS,
    REGULARIZERS,
    STATE,
    TRAINING_HYPERPARAMETERS,
)

from . import book
from .activations import relu_forward, softmax_forward
from .backward import (
    categorical_crossentropy_backward,
    dense_backward,
    relu_backward,
    softmax_backward,
    softmax_crossentropy_backward,
)
from .binary import binary_accuracy, binary_crossentropy, sigmoid
from .checks import (
    batch,
    binary_labels,
    count,
    factor,
    integer,
    labels,
    layer_state,
    require,
    same_shape,
    scalar,
    shape,
    two_layers,
)
from .dense import dense_batch_forward, layer_forward, neuron_forward
from .loss import accuracy_forward, categorical_crossentropy_forward
from .model import (
    batches,
    evaluate,
    parameters,
    predictions,
    preprocess,
    repeated_forward,
    shared_optimizer,
    train_model,
)
from .network import dense_relu, dense_relu_dense_softmax, network_forward
from .regression import linear, mean_absolute_error, mean_squared_error, regression_accuracy
from .regularization import dropout, regularization
from .training import STEP, train


def _neuron(x, p, dtype):
    k = shape("inputs", x["inputs"])
    require(len(k) == 1, f"inputs must be a vector, has shape {list(k)}")
    require(shape("weights", x["weights"]) == k, "weights and inputs differ in length")
    require(shape("bias", x["bias"]) == (), "bias must be a single number")
    out = neuron_forward(dtype(x["inputs"]), dtype(x["weights"]), dtype(x["bias"]))
    return {"output": out}


def _layer(x, p, dtype):
    k = shape("inputs", x["inputs"])
    require(len(k) == 1, f"inputs must be a vector, has shape {list(k)}")
    w = shape("weights", x["weights"])
    require(len(w) == 2 and w[1] == k[0], f"weights must have shape [N, {k[0]}], has {list(w)}")
    require(shape("biases", x["biases"]) == (w[0],), f"biases must have {w[0]} values")
    return {"output": layer_forward(dtype(x["inputs"]), dtype(x["weights"]), dtype(x["biases"]))}


def _dense(x, p, dtype):
    b, k = batch("inputs", x["inputs"])
    w = shape("weights", x["weights"])
    layout = p["weights_layout"]
    require(len(w) == 2, f"weights must be a matrix, has shape {list(w)}")
    n = w[1] if layout == "inputs_neurons" else w[0]
    require(
        (w[0] if layout == "inputs_neurons" else w[1]) == k,
        f"weights {list(w)} do not fit {k} inputs ({layout})",
    )
    require(shape("biases", x["biases"]) == (n,), f"biases must have {n} values")
    out = dense_batch_forward(dtype(x["inputs"]), dtype(x["weights"]), dtype(x["biases"]), layout)
    return {"output": out}


def _relu(x, p, dtype):
    dims = shape("inputs", x["inputs"])
    require(len(dims) in (1, 2), f"inputs must have rank 1 or 2, has shape {list(dims)}")
    return {"output": relu_forward(dtype(x["inputs"]))}


def _softmax(x, p, dtype):
    batch("inputs", x["inputs"])
    return {"output": softmax_forward(dtype(x["inputs"]))}


def _cce(x, p, dtype):
    b, c = batch("y_pred", x["y_pred"])
    y_true = labels(x["y_true"], p["label_format"], b, c)
    losses = categorical_crossentropy_forward(dtype(x["y_pred"]), y_true)
    return {"sample_losses": losses, "loss": np.mean(losses)}


def _accuracy(x, p, dtype):
    b, c = batch("y_pred", x["y_pred"])
    y_true = labels(x["y_true"], p["label_format"], b, c)
    predictions, accuracy = accuracy_forward(dtype(x["y_pred"]), y_true)
    return {"predictions": predictions, "accuracy": accuracy}


def _network(x, p, dtype):
    arrays, y_true = two_layers(x, p, dtype)
    return network_forward(*arrays, y_true)


def _rng(x, p, dtype):
    calls = x["calls"]
    require(
        len(shape("calls", calls)) == 2 and (not calls or len(calls[0]) == 2),
        "calls must be a list of [kind, count] pairs",
    )
    calls = [(integer("kind", k), integer("count", n)) for k, n in calls]
    require(all(k in (0, 1, 2) for k, _ in calls), "a call kind must be 0, 1 or 2")
    return {"values": book.rng_values(integer("seed", x["seed"]), calls)}


def _datasets(x, p, dtype):
    X, y = book.dataset(
        p["dataset"],
        integer("seed", x["seed"]),
        integer("samples", x["samples"]),
        integer("classes", x["classes"]),
    )
    return {"x": X, "y": y}


def _init(x, p, dtype):
    shapes = x["shapes"]
    require(
        len(shape("shapes", shapes)) == 2 and len(shapes[0]) == 2,
        "shapes must be a list of [n_inputs, n_neurons] pairs",
    )
    return {
        "weights": book.init_weights(
            integer("seed", x["seed"]), integer("skip", x["skip"]), shapes, p["scale"]
        )
    }


def _shuffle(x, p, dtype):
    samples = integer("samples", x["samples"])
    return {"keys": book.shuffle_keys(integer("seed", x["seed"]), samples)}


def _chapters(x, p, dtype):
    ints = {k: integer(k, x[k]) for k in ("seed", "samples", "classes", "hidden", "steps")}
    value = book.chapters(
        **ints,
        printed=p["printed"],
        optimizer=p["optimizer"],
        learning_rate=p["learning_rate"],
        decay=p["decay"],
        momentum=p["momentum"],
    )
    return {"value": value}


def _dense_backward(x, p, dtype):
    b, k = batch("inputs", x["inputs"])
    w = shape("weights", x["weights"])
    require(len(w) == 2 and w[0] == k, f"weights must have shape [{k}, N], has {list(w)}")
    same_shape("dvalues", x["dvalues"], (b, w[1]), "the layer's output")
    dweights, dbiases, dinputs = dense_backward(
        dtype(x["inputs"]), dtype(x["weights"]), dtype(x["dvalues"])
    )
    return {"dweights": dweights, "dbiases": dbiases, "dinputs": dinputs}


def _relu_backward(x, p, dtype):
    dims = shape("inputs", x["inputs"])
    require(len(dims) in (1, 2), f"inputs must have rank 1 or 2, has shape {list(dims)}")
    same_shape("dvalues", x["dvalues"], dims, "inputs")
    return {"dinputs": relu_backward(dtype(x["inputs"]), dtype(x["dvalues"]))}


def _softmax_backward(x, p, dtype):
    dims = batch("output", x["output"])
    same_shape("dvalues", x["dvalues"], dims, "output")
    return {"dinputs": softmax_backward(dtype(x["output"]), dtype(x["dvalues"]))}


def _cce_backward(x, p, dtype):
    b, c = batch("y_pred", x["y_pred"])
    y_true = labels(x["y_true"], p["label_format"], b, c)
    return {"dinputs": categorical_crossentropy_backward(dtype(x["y_pred"]), y_true)}


def _softmax_cce_backward(x, p, dtype):
    b, c = batch("y_pred", x["y_pred"])
    y_true = labels(x["y_true"], p["label_format"], b, c)
    y_pred = dtype(x["y_pred"])
    if p["path"] == "separate":  # the two stages chained: softmax's Jacobian times -y/p/B
        dvalues = categorical_crossentropy_backward(y_pred, y_true)
        return {"dinputs": softmax_backward(y_pred, dvalues)}
    return {"dinputs": softmax_crossentropy_backward(y_pred, y_true)}


def _regularization(x, p, dtype):
    w = shape("weights", x["weights"])
    require(len(w) == 2, f"weights must be a matrix, has shape {list(w)}")
    require(shape("biases", x["biases"]) == (w[1],), f"biases must have {w[1]} values")
    factors = [dtype(factor(n, x[n])) for n in REGULARIZERS]
    loss, dweights, dbiases = regularization(dtype(x["weights"]), dtype(x["biases"]), *factors)
    return {"loss": loss, "dweights": dweights, "dbiases": dbiases}


def _dropout(x, p, dtype):
    dims = batch("inputs", x["inputs"])
    same_shape("mask", x["mask"], dims, "inputs")
    same_shape("dvalues", x["dvalues"], dims, "inputs")
    for i, row in enumerate(x["mask"]):
        for j, v in enumerate(row):
            if isinstance(v, bool) or v not in (0, 1):
                raise StageError("invalid_value", f"mask[{i}][{j}] = {v!r} is not 0 or 1")
    rate = scalar("rate", x["rate"])
    if not 0 <= rate < 1:
        raise StageError("invalid_value", f"rate = {rate!r} is not in [0, 1)")
    output, dinputs = dropout(
        dtype(x["inputs"]), dtype(x["mask"]), dtype(rate), dtype(x["dvalues"])
    )
    return {"output": output, "dinputs": dinputs}


def _sigmoid(x, p, dtype):
    dims = batch("inputs", x["inputs"])
    same_shape("dvalues", x["dvalues"], dims, "inputs")
    output, dinputs = sigmoid(dtype(x["inputs"]), dtype(x["dvalues"]))
    return {"output": output, "dinputs": dinputs}


def _bce(x, p, dtype):
    dims = batch("y_pred", x["y_pred"])
    binary_labels(x["y_true"], dims)
    losses, dinputs = binary_crossentropy(dtype(x["y_pred"]), dtype(x["y_true"]))
    return {"sample_losses": losses, "loss": np.mean(losses), "dinputs": dinputs}


def _regression(loss_function):
    def checked(x, p, dtype):
        dims = batch("y_pred", x["y_pred"])
        same_shape("y_true", x["y_true"], dims, "y_pred")
        losses, dinputs = loss_function(dtype(x["y_pred"]), dtype(x["y_true"]))
        return {"sample_losses": losses, "loss": np.mean(losses), "dinputs": dinputs}

    return checked


def _optimizer(optimizer, step):
    state = ("dweights", "dbiases", *STATE[optimizer])

    def checked(x, p, dtype):
        layer_state(x, state)
        iterations = count("iterations", x["iterations"])
        hyper = {n: dtype(scalar(n, x[n])) for n in HYPERPARAMETERS[optimizer]}
        arrays = {n: dtype(x[n]) for n in ("weights", "biases", *state)}
        return step(**arrays, iterations=iterations, **hyper)

    return checked


def _training(x, p, dtype):
    arrays, y_true = two_layers(x, p, dtype)
    steps = count("steps", x["steps"], least=1)
    hyper = {n: dtype(scalar(n, x[n])) for n in TRAINING_HYPERPARAMETERS}
    return train(arrays[0], y_true, *arrays[1:], steps, p["optimizer"], hyper)


def _dense_relu(x, p, dtype):
    b, k = batch("inputs", x["inputs"])
    w = shape("weights", x["weights"])
    require(len(w) == 2 and w[0] == k, f"weights must have shape [{k}, N], has {list(w)}")
    require(shape("biases", x["biases"]) == (w[1],), f"biases must have {w[1]} values")
    return dense_relu(dtype(x["inputs"]), dtype(x["weights"]), dtype(x["biases"]))


def _layers(x, dtype, inputs="inputs"):
    """Dense(K, H) -> Dense(H, C) parameters fitting `inputs`, checked, as arrays."""
    b, k = batch(inputs, x[inputs])
    w1 = shape("weights1", x["weights1"])
    require(len(w1) == 2 and w1[0] == k, f"weights1 must have shape [{k}, H], has {list(w1)}")
    require(shape("biases1", x["biases1"]) == (w1[1],), f"biases1 must have {w1[1]} values")
    w2 = shape("weights2", x["weights2"])
    require(
        len(w2) == 2 and w2[0] == w1[1], f"weights2 must have shape [{w1[1]}, C], has {list(w2)}"
    )
    require(shape("biases2", x["biases2"]) == (w2[1],), f"biases2 must have {w2[1]} values")
    return [dtype(x[name]) for name in LAYERS]


def _dense_relu_dense_softmax(x, p, dtype):
    layers = _layers(x, dtype)
    return dense_relu_dense_softmax(dtype(x["inputs"]), *layers)


def _repeated_forward(x, p, dtype):
    b1, k = batch("inputs1", x["inputs1"])
    b2, k2 = batch("inputs2", x["inputs2"])
    require(k2 == k, f"inputs2 must have {k} columns as inputs1, has {k2}")
    w = shape("weights", x["weights"])
    require(len(w) == 2 and w[0] == k, f"weights must have shape [{k}, N], has {list(w)}")
    require(shape("biases", x["biases"]) == (w[1],), f"biases must have {w[1]} values")
    same_shape("dvalues", x["dvalues"], (b2, w[1]), "the second batch's output")
    names = ("inputs1", "inputs2", "weights", "biases", "dvalues")
    return repeated_forward(*(dtype(x[name]) for name in names))


def _binary_accuracy(x, p, dtype):
    dims = batch("y_pred", x["y_pred"])
    binary_labels(x["y_true"], dims)
    predicted, accuracy = binary_accuracy(dtype(x["y_pred"]), np.array(x["y_true"]))
    return {"predictions": predicted, "accuracy": accuracy}


def _linear(x, p, dtype):
    dims = batch("inputs", x["inputs"])
    same_shape("dvalues", x["dvalues"], dims, "inputs")
    output, dinputs = linear(dtype(x["inputs"]), dtype(x["dvalues"]))
    return {"output": output, "dinputs": dinputs}


def _regression_accuracy(x, p, dtype):
    dims = batch("y_pred", x["y_pred"])
    same_shape("y_true", x["y_true"], dims, "y_pred")
    precision = factor("precision", x["precision"])
    accuracy = regression_accuracy(dtype(x["y_pred"]), dtype(x["y_true"]), dtype(precision))
    return {"accuracy": accuracy}


def _shared_optimizer(x, p, dtype):
    layers = []
    for i in (1, 2):
        own = {n: x[f"{n}{i}"] for n in ("weights", "biases", "dweights", "dbiases")}
        layer_state(own, ("dweights", "dbiases"))
        layers.append({n: dtype(v) for n, v in own.items()})
    require(
        shape("weights2", x["weights2"])[0] == shape("weights1", x["weights1"])[1],
        "weights2 must have a row per neuron of layer 1",
    )
    steps = count("steps", x["steps"], least=1)
    hyper = {n: dtype(scalar(n, x[n])) for n in ADAM}
    return shared_optimizer(layers, steps, hyper)


def _preprocess(x, p, dtype):
    dims = batch("images", x["images"], rank=3)
    for i, image in enumerate(x["images"]):
        for row in image:
            for v in row:
                if isinstance(v, bool) or v not in range(256):
                    raise StageError("invalid_value", f"images[{i}] holds {v!r}, not a byte")
    same_shape("labels", x["labels"], dims[:1], "one label per image")
    same_shape("keys", x["keys"], dims[:1], "one key per image")
    if sorted(x["keys"]) != list(range(dims[0])):
        raise StageError("invalid_value", f"keys are not a permutation of 0..{dims[0] - 1}")
    keys = np.array(x["keys"], dtype=np.int64)
    return preprocess(dtype(x["images"]), np.array(x["labels"]), keys)


def _batches(x, p, dtype):
    batch("inputs", x["inputs"])
    batch_size = count("batch_size", x["batch_size"], least=1)
    return batches(dtype(x["inputs"]), batch_size)


def _predictions(x, p, dtype):
    batch("inputs", x["inputs"])
    return {"predictions": predictions(dtype(x["inputs"]), p["activation"])}


def _evaluate(x, p, dtype):
    b, c = batch("y_pred", x["y_pred"])
    y_true = labels(x["y_true"], p["label_format"], b, c)
    batch_size = count("batch_size", x["batch_size"], least=1)
    return evaluate(dtype(x["y_pred"]), y_true, batch_size)


def _model_training(x, p, dtype):
    arrays, y_true = two_layers(x, p, dtype)
    k, classes = len(x["weights1"]), len(x["biases2"])
    m, k_val = batch("validation_inputs", x["validation_inputs"])
    require(k_val == k, f"validation_inputs must have {k} columns, has {k_val}")
    validation_y_true = labels(
        x["validation_y_true"], p["label_format"], m, classes, "validation_y_true"
    )
    epochs = count("epochs", x["epochs"], least=1)
    batch_size = count("batch_size", x["batch_size"], least=1)
    regularizers = [dtype(factor(n, x[n])) for n in REGULARIZERS]
    hyper = {n: dtype(scalar(n, x[n])) for n in TRAINING_HYPERPARAMETERS}
    return train_model(
        arrays[0],
        y_true,
        dtype(x["validation_inputs"]),
        validation_y_true,
        *arrays[1:],
        epochs,
        batch_size,
        regularizers,
        p["optimizer"],
        hyper,
    )


def _parameters(x, p, dtype):
    layers = _layers(x, dtype)
    return parameters(dtype(x["inputs"]), *layers)


# Every stage's checked runner, by name: tests/test_stage_table.py holds it to the stage table.
CHECKED = {
    "neuron": _neuron,
    "layer": _layer,
    "dense_batch": _dense,
    "relu": _relu,
    "dense_relu": _dense_relu,
    "softmax": _softmax,
    "dense_relu_dense_softmax": _dense_relu_dense_softmax,
    "categorical_crossentropy": _cce,
    "accuracy": _accuracy,
    "forward": _network,
    "dense_backward": _dense_backward,
    "relu_backward": _relu_backward,
    "repeated_forward": _repeated_forward,
    "softmax_backward": _softmax_backward,
    "categorical_crossentropy_backward": _cce_backward,
    "softmax_crossentropy_backward": _softmax_cce_backward,
    "regularization": _regularization,
    "dropout": _dropout,
    "sigmoid": _sigmoid,
    "binary_crossentropy": _bce,
    "binary_accuracy": _binary_accuracy,
    "linear": _linear,
    "mean_squared_error": _regression(mean_squared_error),
    "mean_absolute_error": _regression(mean_absolute_error),
    "regression_accuracy": _regression_accuracy,
    **{f"{optimizer}_step": _optimizer(optimizer, step) for optimizer, step in STEP.items()},
    "shared_optimizer": _shared_optimizer,
    "training": _training,
    "preprocess": _preprocess,
    "batches": _batches,
    "predictions": _predictions,
    "evaluate": _evaluate,
    "model_training": _model_training,
    "parameters": _parameters,
    "rng": _rng,
    "datasets": _datasets,
    "init": _init,
    "shuffle": _shuffle,
    "chapters": _chapters,
}


def run_stage(stage, inputs, params, dtype="float64"):
    """Run one stage on decoded inputs; returns {output name: nested lists of Python numbers}."""
    np_dtype = np.dtype(dtype).type

    def as_array(value):
        return np.asarray(value, dtype=np_dtype)

    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        outputs = CHECKED[stage](inputs, params, as_array)
    return {name: np.asarray(value).tolist() for name, value in outputs.items()}

"""`training`: its cases and its golden, side by side."""

from __future__ import annotations

from dataclasses import replace

from nnfs_conform.suite.stages import HYPERPARAMETERS

from .. import oracle as o
from ..bounded import Tier
from ..cases import bad, ok
from ..training_cases import _hyperparameters, _inexact_tagged, _initial_parameters, spiral
from ..training_goldens import (
    _accuracy,
    _check_sharp,
    _initial_layers,
    _network_backward,
    _network_forward,
    _outputs,
    _read,
    _sample_losses,
    _step_network,
)
from ..values import Values, one_hot

DESCRIPTION = (
    "The book's model trained for a few full-batch steps: loss, accuracy, rate and "
    "every parameter, step by step."
)
REQUIRES = [
    "forward",
    "softmax_crossentropy_backward",
    "dense_backward",
    "relu_backward",
    "sgd_step",
    "adagrad_step",
    "rmsprop_step",
    "adam_step",
]


# -- training trajectories -------------------------------------------------------------------------
def _train(
    slug,
    description,
    tags,
    data,
    hidden,
    optimizer,
    steps,
    seed,
    label_format="sparse",
    scale=(-3, -1),
    **hyper,
):
    r = Values(seed)
    xs, ys = data
    k, classes = len(xs[0]), max(ys) + 1
    return _inexact_tagged(
        ok(
            slug,
            description,
            tags,
            inputs=xs,
            y_true=one_hot(ys, classes) if label_format == "onehot" else ys,
            **_initial_parameters(r, k, hidden, classes, scale),
            steps=steps,
            **_hyperparameters(optimizer, hyper),
            params={"label_format": label_format, "optimizer": optimizer},
        )
    )


def _tiny_gradients(slug, description, data, seed, **hyper):
    """An Adam run whose inputs are scaled to about 2^-20 and whose first-layer biases are
    tiny: most weight gradients come out near 1e-7, the size of epsilon."""
    xs, ys = data
    spec = _train(
        slug,
        description,
        "edge",
        ([[v * 2.0**-20 for v in row] for row in xs], ys),
        4,
        "adam",
        3,
        seed,
        learning_rate=0.01,
        **hyper,
    )
    r = Values(seed + 1)
    biases1 = [r.full(-26, -23) for _ in spec.inputs["biases1"]]
    return replace(spec, inputs={**spec.inputs, "biases1": biases1})


def _zero_row_case():
    """A sample at the origin meets a zero bias: its hidden pre-activation is exactly 0, where
    ReLU's gradient must be 0 (the first step's biases1 gradient shows it)."""
    spec = _train(
        "zero-preactivation",
        "a sample at the origin and a zero bias: ReLU's gradient at exactly 0 is 0",
        "edge",
        spiral(2, 3, 11801),
        3,
        "sgd",
        3,
        11802,
        learning_rate=0.2,
    )
    inputs = [[0.0, 0.0], *spec.inputs["inputs"][1:]]
    biases1 = [0.0, *spec.inputs["biases1"][1:]]
    return replace(spec, inputs={**spec.inputs, "inputs": inputs, "biases1": biases1})


def cases():
    data = spiral(4, 3, 11001)
    small = spiral(2, 3, 11002)
    t = _train
    specs = [
        t(
            "sgd-ten-steps",
            "plain SGD, lr 0.5, ten steps on 12 spiral points",
            "edge",
            data,
            4,
            "sgd",
            10,
            11101,
            learning_rate=0.5,
        ),
        t(
            "sgd-book-rate-four-steps",
            "plain SGD at the book's default rate 1, four steps",
            "edge",
            data,
            4,
            "sgd",
            4,
            11107,
        ),
        t(
            "sgd-decay-ten-steps",
            "plain SGD with decay 1e-1: the rate is recomputed, not compounded",
            "edge",
            data,
            4,
            "sgd",
            10,
            11102,
            learning_rate=0.3,
            decay=1e-1,
        ),
        t(
            "sgd-momentum-ten-steps",
            "the book's SGD(decay=1e-3, momentum=0.9) at rate 0.2",
            "book",
            data,
            4,
            "sgd",
            10,
            11103,
            learning_rate=0.2,
            decay=1e-3,
            momentum=0.9,
        ),
        t(
            "sgd-momentum-large-decay",
            "momentum 0.5 with decay 0.1: decay and momentum interleave",
            "edge",
            data,
            4,
            "sgd",
            10,
            11104,
            learning_rate=0.5,
            decay=0.1,
            momentum=0.5,
        ),
        t(
            "sgd-one-hot",
            "plain SGD with one-hot targets",
            "edge",
            data,
            4,
            "sgd",
            10,
            11105,
            "onehot",
            learning_rate=0.2,
        ),
        t(
            "sgd-wide-hidden",
            "plain SGD with 16 hidden units on 6 points",
            "edge",
            small,
            16,
            "sgd",
            10,
            11106,
            learning_rate=0.05,
            decay=1e-2,
        ),
        t(
            "adagrad-three-steps",
            "three steps of AdaGrad(decay=1e-4)",
            "edge",
            data,
            4,
            "adagrad",
            3,
            11201,
            learning_rate=0.05,
            decay=1e-4,
        ),
        t(
            "adagrad-small-rate",
            "an AdaGrad run at rate 0.02 on 6 points",
            "edge",
            small,
            3,
            "adagrad",
            3,
            11202,
            learning_rate=0.02,
        ),
        t(
            "rmsprop-three-steps",
            "three steps of RMSprop(decay=1e-4)",
            "edge",
            data,
            4,
            "rmsprop",
            3,
            11301,
            decay=1e-4,
        ),
        t(
            "rmsprop-rho-0999",
            "the book's RMSprop(decay=1e-5, rho=0.999), rate 0.001: "
            "steps of about 30 times the rate",
            "edge",
            data,
            4,
            "rmsprop",
            3,
            11302,
            learning_rate=0.001,
            decay=1e-5,
            rho=0.999,
        ),
        t(
            "adam-three-steps",
            "three steps of Adam with the book's defaults",
            "edge",
            data,
            4,
            "adam",
            3,
            11401,
        ),
        t(
            "adam-book-final",
            "the book's Adam(learning_rate=0.05, decay=5e-7)",
            "book",
            data,
            4,
            "adam",
            3,
            11402,
            learning_rate=0.05,
            decay=5e-7,
        ),
        t(
            "adam-one-hot",
            "the book's Adam(learning_rate=0.02, decay=1e-5) on one-hot targets",
            "edge",
            small,
            5,
            "adam",
            3,
            11403,
            "onehot",
            learning_rate=0.02,
            decay=1e-5,
        ),
        t(
            "single-step",
            "one SGD step: loss and accuracy before, parameters after",
            "edge",
            small,
            3,
            "sgd",
            1,
            11501,
        ),
        _zero_row_case(),
        t(
            "random-sgd-b9-h5",
            "plain SGD, rate 0.2, 9 points, 5 hidden units",
            "random",
            spiral(3, 3, 11701),
            5,
            "sgd",
            10,
            11702,
            learning_rate=0.2,
        ),
        t(
            "random-sgd-momentum-b6-h8",
            "momentum 0.8, 6 points, 8 hidden units",
            "random",
            spiral(2, 3, 11703),
            8,
            "sgd",
            8,
            11704,
            learning_rate=0.1,
            momentum=0.8,
        ),
        t(
            "random-adagrad-b8-h3",
            "an AdaGrad run at rate 0.03 on two classes",
            "random",
            spiral(4, 2, 11705),
            3,
            "adagrad",
            3,
            11707,
            learning_rate=0.03,
        ),
        t(
            "random-rmsprop-b12-h6",
            "an RMSprop run at rate 0.005 with decay 1e-3",
            "random",
            spiral(3, 4, 11707),
            6,
            "rmsprop",
            3,
            11708,
            learning_rate=0.005,
            decay=1e-3,
        ),
        t(
            "random-adam-b10-h4",
            "an Adam run at rate 0.01 on five classes",
            "random",
            spiral(2, 5, 11709),
            4,
            "adam",
            3,
            11710,
            learning_rate=0.01,
        ),
        t(
            "random-adam-b4-h2",
            "two hidden units under Adam with decay 0.1",
            "random",
            spiral(2, 2, 11711),
            2,
            "adam",
            3,
            11712,
            learning_rate=0.005,
            decay=0.1,
        ),
        _tiny_gradients(
            "adam-tiny-gradients",
            "inputs near 1e-6 under Adam: weight gradients "
            "near epsilon, where the scale of a gradient and epsilon's value show",
            spiral(4, 3, 11801),
            11802,
        ),
        _tiny_gradients(
            "adam-tiny-gradients-six-samples",
            "the same on 6 samples with epsilon 1e-6",
            spiral(2, 3, 11803),
            11804,
            epsilon=1e-6,
        ),
        bad(
            "zero-steps",
            "zero steps are refused",
            "invalid_value",
            **_train("x", "x", "", small, 2, "sgd", 0, 11601).inputs,
            params={"label_format": "sparse", "optimizer": "sgd"},
        ),
        bad(
            "weights2-mismatch",
            "second-layer weights that do not fit the hidden layer are refused",
            "shape_mismatch",
            **{
                **_train("x", "x", "", small, 2, "sgd", 1, 11602).inputs,
                "weights2": [[0.5, 0.5, 0.5]],
            },
            params={"label_format": "sparse", "optimizer": "sgd"},
        ),
        bad(
            "label-out-of-range",
            "a label beyond the classes is refused",
            "label_out_of_range",
            **{
                **_train("x", "x", "", small, 2, "sgd", 1, 11603).inputs,
                "y_true": [0, 1, 2, 3, 0, 1],
            },
            params={"label_format": "sparse", "optimizer": "sgd"},
        ),
        bad(
            "empty-batch",
            "a batch with no samples is refused",
            "empty_batch",
            **{
                **_train("x", "x", "", small, 2, "sgd", 1, 11604).inputs,
                "inputs": [],
                "y_true": [],
            },
            params={"label_format": "sparse", "optimizer": "sgd"},
        ),
        bad(
            "fractional-steps",
            "a step count of 2.5 is refused",
            "invalid_value",
            **_train("x", "x", "", small, 2, "sgd", 2.5, 11605).inputs,
            params={"label_format": "sparse", "optimizer": "adam"},
        ),
    ]
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    optimizer = p["optimizer"]
    hyper = {n: T.scalar(x[n]) for n in HYPERPARAMETERS[optimizer]}
    inputs = _read(T, x["inputs"])
    labels = o.labels_of(x["y_true"], p["label_format"])
    layers = _initial_layers(T, x, optimizer)
    record = {
        n: []
        for n in ("loss", "accuracy", "learning_rate", "weights1", "biases1", "weights2", "biases2")
    }
    for step in range(int(x["steps"])):
        dense1, relu1, probs = _network_forward(T, inputs, layers)
        record["loss"].append(T.mean(_sample_losses(T, probs, labels)))
        record["accuracy"].append(_accuracy(T, probs, labels))
        gradients = _network_backward(T, inputs, layers, dense1, relu1, probs, labels)
        layers, lr = _step_network(T, optimizer, layers, gradients, step, hyper)
        record["learning_rate"].append(lr)
        for i, layer in enumerate(layers, start=1):
            record[f"weights{i}"].append(layer["weights"])
            record[f"biases{i}"].append(layer["biases"])
        _check_sharp(
            f"step {step}",
            {n: record[n][-1] for n in ("weights1", "biases1", "weights2", "biases2")},
            {n: record[n][-1] for n in ("loss", "learning_rate")},
            {"accuracy": record["accuracy"][-1]},
        )
    return _outputs(**record)

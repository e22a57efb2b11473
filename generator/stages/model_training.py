"""`model_training`: its cases and its golden, side by side."""

from __future__ import annotations

from dataclasses import replace

from nnfs_conform.suite.stages import EPOCH_OUTPUTS, HYPERPARAMETERS, REGULARIZERS

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
    _regularization_loss,
    _regularizer_terms,
    _sample_losses,
    _step_network,
)
from ..values import Values, one_hot

DESCRIPTION = (
    "The book's Model.train over mini-batches and epochs, validated after each epoch: the "
    "epoch's accumulated loss, regularization loss, accuracy and rate, and the parameters after "
    "the last epoch."
)
REQUIRES = ["regularization", "training"]

BOOK_L2 = (0.0, 5e-4, 0.0, 5e-4)  # Layer_Dense(2, 512, weight_regularizer_l2=5e-4, bias_...=5e-4)
NONE = (0.0, 0.0, 0.0, 0.0)


# -- the data: small spirals, shuffled once as the book shuffles its training set -----------------
def shuffled(data, seed):
    """The samples of `data` in a seeded order (Fisher-Yates), so that every batch mixes the
    classes as the book's shuffled set does; the stage itself never shuffles."""
    xs, ys = list(data[0]), list(data[1])
    r = Values(seed)
    for i in range(len(xs) - 1, 0, -1):
        j = r.integer(0, i)
        xs[i], xs[j], ys[i], ys[j] = xs[j], xs[i], ys[j], ys[i]
    return xs, ys


TRAIN = shuffled(spiral(4, 3, 12001), 12002)  # 12 samples, 3 classes
SMALL = shuffled(spiral(2, 3, 12003), 12004)  # 6 samples
VALIDATION = shuffled(spiral(3, 3, 12005), 12006)  # 9 samples
FEW = shuffled(spiral(1, 3, 12007), 12008)  # 3 samples


def _model(
    slug,
    description,
    tags,
    data,
    validation,
    hidden,
    optimizer,
    epochs,
    batch_size,
    seed,
    label_format="sparse",
    regularizers=BOOK_L2,
    scale=(-3, -1),
    **hyper,
):
    r = Values(seed)
    (xs, ys), (vxs, vys) = data, validation
    k, classes = len(xs[0]), max(ys + vys) + 1

    def labels(y):
        return one_hot(y, classes) if label_format == "onehot" else y

    return _inexact_tagged(
        ok(
            slug,
            description,
            tags,
            inputs=xs,
            y_true=labels(ys),
            validation_inputs=vxs,
            validation_y_true=labels(vys),
            **_initial_parameters(r, k, hidden, classes, scale),
            epochs=epochs,
            batch_size=batch_size,
            **dict(zip(REGULARIZERS, regularizers)),
            **_hyperparameters(optimizer, hyper),
            params={"label_format": label_format, "optimizer": optimizer},
        )
    )


def _zero_weight(spec):
    """The same case with the first input's weight to the hidden unit of the largest bias
    exactly 0 (a unit alive on most samples, whose data gradient moves the weight off 0 for
    good): the L1 gradient there is the book's +1."""
    biases1 = spec.inputs["biases1"]
    unit = biases1.index(max(biases1))
    first, *rest = spec.inputs["weights1"]
    weights1 = [[0.0 if j == unit else w for j, w in enumerate(first)], *rest]
    return replace(spec, inputs={**spec.inputs, "weights1": weights1})


def _invalid(slug, description, kind, label_format="sparse", **changes):
    """A small valid run with one input changed."""
    spec = _model("x", "x", "", SMALL, FEW, 2, "sgd", 1, 4, 12901, label_format)
    return bad(
        slug,
        description,
        kind,
        **{**spec.inputs, **changes},
        params={"label_format": label_format, "optimizer": "sgd"},
    )


def cases():
    m = _model
    specs = [
        m(
            "book-adam-l2",
            "the book's Adam(learning_rate=0.05, decay=5e-5) with L2 5e-4 on the first layer, "
            "batches of 5 out of 8: 5 then 3",
            "book",
            (TRAIN[0][:8], TRAIN[1][:8]),
            VALIDATION,
            4,
            "adam",
            2,
            5,
            17101,
            learning_rate=0.05,
            decay=5e-5,
        ),
        m(
            "sgd-short-last-batch",
            "12 samples in batches of 5: two full batches and one of 2, three epochs",
            "edge",
            TRAIN,
            VALIDATION,
            4,
            "sgd",
            3,
            5,
            29102,
            learning_rate=0.5,
        ),
        m(
            "sgd-even-batches",
            "12 samples in batches of 4: three steps an epoch",
            "edge",
            TRAIN,
            VALIDATION,
            4,
            "sgd",
            3,
            4,
            12103,
            learning_rate=0.5,
        ),
        m(
            "sgd-full-batch",
            "one batch of all 12 samples: one step an epoch, as the training stage",
            "edge",
            TRAIN,
            VALIDATION,
            4,
            "sgd",
            5,
            12,
            12104,
            learning_rate=0.5,
        ),
        m(
            "sgd-batch-above-samples",
            "a batch size of 20 on 12 samples is one step of all 12 (the book's 12 // 20 plus one)",
            "edge",
            TRAIN,
            VALIDATION,
            4,
            "sgd",
            4,
            20,
            12105,
            learning_rate=0.5,
        ),
        m(
            "sgd-batch-of-one",
            "a batch of one sample: one step per sample, the validation one sample at a time",
            "edge",
            SMALL,
            FEW,
            4,
            "sgd",
            1,
            1,
            12106,
            learning_rate=0.2,
        ),
        m(
            "sgd-batches-of-seven",
            "12 samples in batches of 7: a short batch of 5, and validation batches of 7 and 2",
            "edge",
            TRAIN,
            VALIDATION,
            4,
            "sgd",
            4,
            7,
            17107,
            learning_rate=0.5,
        ),
        m(
            "sgd-no-regularization",
            "no regularization: the regularization loss is 0 and the loss is the data loss",
            "edge",
            TRAIN,
            VALIDATION,
            4,
            "sgd",
            3,
            5,
            12108,
            regularizers=NONE,
            learning_rate=0.5,
        ),
        m(
            "sgd-all-four-regularizers",
            "both L1 and L2 on the weights and the biases of the first layer",
            "edge",
            TRAIN,
            VALIDATION,
            4,
            "sgd",
            3,
            5,
            16109,
            regularizers=(2.0**-9, 2.0**-8, 2.0**-10, 2.0**-9),
            learning_rate=0.5,
        ),
        m(
            "sgd-strong-l2",
            "an L2 of 1/16 on the first layer: its gradient moves the weights as much as the data",
            "edge",
            TRAIN,
            VALIDATION,
            4,
            "sgd",
            3,
            5,
            12110,
            regularizers=(0.0, 0.0625, 0.0, 0.0625),
            learning_rate=0.5,
        ),
        _zero_weight(
            m(
                "sgd-l1-at-a-zero-weight",
                "a first-layer weight of exactly 0 under L1: its gradient there is the book's +1",
                "edge",
                TRAIN,
                VALIDATION,
                4,
                "sgd",
                2,
                5,
                12111,
                regularizers=(0.0625, 0.0, 0.0, 0.0),
                learning_rate=0.5,
            )
        ),
        m(
            "sgd-momentum-decay",
            "the book's SGD(decay=1e-3, momentum=0.9) at rate 0.2, three epochs of 3 batches",
            "edge",
            TRAIN,
            VALIDATION,
            4,
            "sgd",
            3,
            5,
            31112,
            learning_rate=0.2,
            decay=1e-3,
            momentum=0.9,
        ),
        m(
            "sgd-decay-across-epochs",
            "decay 0.1: the iteration count runs on across epochs, and the rate printed is the "
            "last step's",
            "edge",
            TRAIN,
            VALIDATION,
            4,
            "sgd",
            3,
            4,
            12113,
            learning_rate=0.5,
            decay=0.1,
        ),
        m(
            "sgd-one-hot",
            "one-hot targets for the training and the validation set",
            "edge",
            TRAIN,
            VALIDATION,
            4,
            "sgd",
            3,
            5,
            12114,
            "onehot",
            learning_rate=0.5,
        ),
        m(
            "sgd-wide-hidden",
            "16 hidden units, batches of 4 out of 6",
            "edge",
            SMALL,
            VALIDATION,
            16,
            "sgd",
            3,
            4,
            12115,
            learning_rate=0.05,
            decay=1e-2,
        ),
        m(
            "adagrad-short-last-batch",
            "an AdaGrad(decay=1e-4) run over batches of 5 and 3",
            "edge",
            (TRAIN[0][:8], TRAIN[1][:8]),
            VALIDATION,
            4,
            "adagrad",
            2,
            5,
            20201,
            learning_rate=0.05,
            decay=1e-4,
        ),
        m(
            "rmsprop-rho-0999",
            "the book's RMSprop(decay=1e-5, rho=0.999) at rate 0.001 over batches of 5 and 3: "
            "steps of about 30 times the rate",
            "edge",
            (TRAIN[0][:8], TRAIN[1][:8]),
            VALIDATION,
            4,
            "rmsprop",
            2,
            5,
            17301,
            learning_rate=0.001,
            decay=1e-5,
            rho=0.999,
        ),
        m(
            "adam-one-hot",
            "an Adam(learning_rate=0.02, decay=1e-5) run on one-hot targets, batches of 4 out of 6",
            "edge",
            SMALL,
            VALIDATION,
            5,
            "adam",
            2,
            4,
            12401,
            "onehot",
            learning_rate=0.02,
            decay=1e-5,
        ),
        m(
            "adam-full-batch-epochs",
            "the book's default Adam, one full batch an epoch for three epochs",
            "edge",
            TRAIN,
            VALIDATION,
            4,
            "adam",
            3,
            12,
            12402,
        ),
        m(
            "single-epoch",
            "one epoch of one step: the accumulated values are the batch's own",
            "edge",
            SMALL,
            FEW,
            3,
            "sgd",
            1,
            6,
            12501,
        ),
        m(
            "random-sgd-b9-h5",
            "plain SGD, rate 0.2, 9 samples in batches of 4, 5 hidden units",
            "random",
            shuffled(spiral(3, 3, 12701), 12702),
            FEW,
            5,
            "sgd",
            3,
            4,
            12703,
            learning_rate=0.2,
        ),
        m(
            "random-sgd-momentum-b10-h6",
            "momentum 0.8 on two classes, 10 samples in batches of 3",
            "random",
            shuffled(spiral(5, 2, 12704), 12705),
            shuffled(spiral(2, 2, 12706), 12707),
            6,
            "sgd",
            2,
            3,
            12708,
            learning_rate=0.1,
            momentum=0.8,
        ),
        m(
            "random-adagrad-b12-h3",
            "an AdaGrad run at rate 0.03 on four classes, batches of 8",
            "random",
            shuffled(spiral(3, 4, 12709), 12710),
            shuffled(spiral(2, 4, 12711), 12712),
            3,
            "adagrad",
            2,
            8,
            12713,
            regularizers=(0.0, 2.0**-10, 0.0, 0.0),
            learning_rate=0.03,
        ),
        m(
            "random-rmsprop-b8-h6",
            "an RMSprop run at rate 0.005 with decay 1e-3, batches of 3",
            "random",
            shuffled(spiral(4, 2, 12714), 12715),
            shuffled(spiral(2, 2, 12716), 12717),
            6,
            "rmsprop",
            1,
            3,
            12718,
            learning_rate=0.005,
            decay=1e-3,
        ),
        m(
            "random-adam-b10-h4",
            "an Adam run at rate 0.01 on five classes, one-hot, batches of 6",
            "random",
            shuffled(spiral(2, 5, 12719), 12720),
            shuffled(spiral(1, 5, 12721), 12722),
            4,
            "adam",
            2,
            6,
            12723,
            "onehot",
            learning_rate=0.01,
        ),
        _invalid("zero-epochs", "zero epochs are refused", "invalid_value", epochs=0),
        _invalid("zero-batch-size", "a batch size of 0 is refused", "invalid_value", batch_size=0),
        _invalid(
            "fractional-batch-size",
            "a batch size of 2.5 is refused",
            "invalid_value",
            batch_size=2.5,
        ),
        _invalid(
            "negative-regularizer",
            "a negative L2 factor is refused",
            "invalid_value",
            weight_regularizer_l2=-5e-4,
        ),
        _invalid(
            "empty-validation",
            "a validation set with no samples is refused",
            "empty_batch",
            validation_inputs=[],
            validation_y_true=[],
        ),
        _invalid(
            "validation-columns",
            "validation samples of another width than the training samples are refused",
            "shape_mismatch",
            validation_inputs=[[0.5, 0.25, 0.0]] * 3,
        ),
        _invalid(
            "validation-label-count",
            "fewer validation labels than validation samples are refused",
            "shape_mismatch",
            validation_y_true=[0, 1],
        ),
        _invalid(
            "validation-label-out-of-range",
            "a validation label beyond the classes is refused",
            "label_out_of_range",
            validation_y_true=[0, 3, 1],
        ),
        _invalid(
            "validation-one-hot-two-ones",
            "a validation one-hot row with two ones is refused",
            "invalid_label",
            "onehot",
            validation_y_true=[[1, 0, 0], [0, 1, 1], [0, 0, 1]],
        ),
        _invalid(
            "ragged-validation",
            "validation rows of different lengths are refused",
            "ragged_rows",
            validation_inputs=[[0.5, 0.25], [0.5], [0.0, 0.0]],
        ),
        _invalid(
            "empty-batch",
            "a training set with no samples is refused",
            "empty_batch",
            inputs=[],
            y_true=[],
        ),
    ]
    return specs


def golden(x, p, tier):
    T = Tier(tier)
    optimizer = p["optimizer"]
    hyper = {n: T.scalar(x[n]) for n in HYPERPARAMETERS[optimizer]}
    regularizers = [T.scalar(x[n]) for n in REGULARIZERS]
    inputs, labels = _read(T, x["inputs"]), o.labels_of(x["y_true"], p["label_format"])
    validation_inputs = _read(T, x["validation_inputs"])
    validation_labels = o.labels_of(x["validation_y_true"], p["label_format"])
    layers = _initial_layers(T, x, optimizer)
    size = int(x["batch_size"])
    record = {name: [] for name in EPOCH_OUTPUTS}
    iterations = 0
    for epoch in range(int(x["epochs"])):
        losses, probabilities = [], []  # every sample's, over the epoch's batches
        for start in range(0, len(inputs), size):  # ceil(N / S) batches, the last one short
            batch, batch_labels = inputs[start : start + size], labels[start : start + size]
            dense1, relu1, probs = _network_forward(T, batch, layers)
            losses += _sample_losses(T, probs, batch_labels)
            probabilities += probs
            gradients = _network_backward(T, batch, layers, dense1, relu1, probs, batch_labels)
            gradients[0] = _regularized(T, layers[0], gradients[0], regularizers)
            layers, lr = _step_network(T, optimizer, layers, gradients, iterations, hyper)
            iterations += 1
        # the accumulated mean over every sample of the epoch, any order of the sums
        data_loss = T.mean(losses)
        regularization_loss = _regularization_loss(
            T, layers[0]["weights"], layers[0]["biases"], *regularizers
        )
        exact_zero = regularization_loss.v == 0 and regularization_loss.e == 0  # x + 0 is x
        record["loss"].append(data_loss if exact_zero else data_loss + regularization_loss)
        record["data_loss"].append(data_loss)
        record["regularization_loss"].append(regularization_loss)
        record["accuracy"].append(_accuracy(T, probabilities, labels))
        record["learning_rate"].append(lr)
        # the validation: its batches change only the order of the sums, which is free
        _, _, probs = _network_forward(T, validation_inputs, layers)
        record["validation_loss"].append(T.mean(_sample_losses(T, probs, validation_labels)))
        record["validation_accuracy"].append(_accuracy(T, probs, validation_labels))
        _check_sharp(
            f"epoch {epoch}",
            {n: layers[i][n] for i in (0, 1) for n in ("weights", "biases")},
            {n: record[n][-1] for n in ("loss", "data_loss", "learning_rate", "validation_loss")}
            | {"regularization_loss": record["regularization_loss"][-1]},
            {n: record[n][-1] for n in ("accuracy", "validation_accuracy")},
        )
    parameters = {f"{n}{i}": layers[i - 1][n] for i in (1, 2) for n in ("weights", "biases")}
    return _outputs(**record, **parameters)


def _regularized(T, layer, gradients, regularizers):
    """Layer_Dense.backward's gradients with its regularization terms added, each where its
    factor is not 0: data + l1·dL1 + 2·l2·w, the three terms in any order."""
    l1w, l2w, l1b, l2b = regularizers
    out = []
    for values, grads, l1, l2 in (
        (layer["weights"], gradients[0], l1w, l2w),
        (layer["biases"], gradients[1], l1b, l2b),
    ):
        rows = isinstance(values[0], list)
        flat_values = [v for row in values for v in row] if rows else values
        flat_grads = [g for row in grads for g in row] if rows else grads
        summed = []
        for g, (l1_term, l2_term) in zip(flat_grads, _regularizer_terms(T, flat_values, l1, l2)):
            terms = [t for t, factor in ((l1_term, l1), (l2_term, l2)) if factor.v != 0]
            summed.append(T.total([g, *terms]) if terms else g)
        width = len(values[0]) if rows else 0
        out.append(
            [summed[i : i + width] for i in range(0, len(summed), width)] if rows else summed
        )
    return tuple(out)

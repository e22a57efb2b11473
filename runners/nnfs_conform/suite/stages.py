"""The stage table: every stage of the suite declared once, as the vector files see it.

A stage is its name, its group (the tier of the book it belongs to) and its signature: the
inputs it reads, the params that choose a variant and the outputs it returns. This is the
suite's contract, shared by the runner, the generator and the reference: the vector files'
signatures, the schemas' stage enums, the runner's stage groups, the reference's checked runners
(reference/stages.py, one per name) and the generator's stage modules (generator/stages/<name>.py:
the cases and the golden) all follow it, and tests/test_stage_table.py fails on any list that
disagrees with it. Adding a stage starts here (README.md, "Adding a stage").
"""

from dataclasses import dataclass

FORWARD, TRAINING, BOOK = GROUPS = ("forward", "training", "book")

# An optimizer's state, held per layer between steps, and its hyperparameters (chapter 10).
STATE = {
    "sgd": ("weight_momentums", "bias_momentums"),
    "adagrad": ("weight_cache", "bias_cache"),
    "rmsprop": ("weight_cache", "bias_cache"),
    "adam": ("weight_momentums", "bias_momentums", "weight_cache", "bias_cache"),
}
HYPERPARAMETERS = {
    "sgd": ("learning_rate", "decay", "momentum"),
    "adagrad": ("learning_rate", "decay", "epsilon"),
    "rmsprop": ("learning_rate", "decay", "epsilon", "rho"),
    "adam": ("learning_rate", "decay", "epsilon", "beta_1", "beta_2"),
}
REGULARIZERS = (
    "weight_regularizer_l1",
    "weight_regularizer_l2",
    "bias_regularizer_l1",
    "bias_regularizer_l2",
)
TRAINING_HYPERPARAMETERS = (
    "learning_rate",
    "decay",
    "momentum",
    "epsilon",
    "rho",
    "beta_1",
    "beta_2",
)
PARAMETERS = ("weights", "biases")
LAYERS = ("weights1", "biases1", "weights2", "biases2")  # the book's two dense layers
# What Model.train prints after each epoch (model_training), its training and validation passes
EPOCH_OUTPUTS = (
    "loss",
    "data_loss",
    "regularization_loss",
    "accuracy",
    "learning_rate",
    "validation_loss",
    "validation_accuracy",
)
ADAM = HYPERPARAMETERS["adam"]


@dataclass(frozen=True)
class Stage:
    """One stage, declared once."""

    name: str
    group: str  # FORWARD (chapters 1-5), TRAINING (chapters 9-19) or BOOK (the book's numbers)
    inputs: tuple[str, ...]
    params: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()


def _optimizer_stage(optimizer: str) -> Stage:
    state = STATE[optimizer]
    inputs = (*PARAMETERS, "dweights", "dbiases", *state, "iterations", *HYPERPARAMETERS[optimizer])
    outputs = (*PARAMETERS, *state, "learning_rate", "iterations")
    return Stage(f"{optimizer}_step", TRAINING, inputs, outputs=outputs)


TABLE = (
    Stage("neuron", FORWARD, ("inputs", "weights", "bias"), outputs=("output",)),
    Stage("layer", FORWARD, ("inputs", "weights", "biases"), outputs=("output",)),
    Stage(
        "dense_batch", FORWARD, ("inputs", "weights", "biases"), ("weights_layout",), ("output",)
    ),
    Stage("relu", FORWARD, ("inputs",), outputs=("output",)),
    Stage("dense_relu", FORWARD, ("inputs", "weights", "biases"), outputs=("dense", "relu")),
    Stage("softmax", FORWARD, ("inputs",), outputs=("output",)),
    Stage(
        "dense_relu_dense_softmax",
        FORWARD,
        ("inputs", "weights1", "biases1", "weights2", "biases2"),
        outputs=("dense1", "relu1", "dense2", "softmax"),
    ),
    Stage(
        "categorical_crossentropy",
        FORWARD,
        ("y_pred", "y_true"),
        ("label_format",),
        ("sample_losses", "loss"),
    ),
    Stage(
        "accuracy", FORWARD, ("y_pred", "y_true"), ("label_format",), ("predictions", "accuracy")
    ),
    Stage(
        "forward",
        FORWARD,
        ("inputs", "weights1", "biases1", "weights2", "biases2", "y_true"),
        ("label_format",),
        (
            "dense1",
            "relu1",
            "dense2",
            "softmax",
            "sample_losses",
            "loss",
            "predictions",
            "accuracy",
        ),
    ),
    # Backpropagation, regularization, more losses, optimizers and training (docs/STAGES.md).
    Stage(
        "dense_backward",
        TRAINING,
        ("inputs", "weights", "dvalues"),
        outputs=("dweights", "dbiases", "dinputs"),
    ),
    Stage("relu_backward", TRAINING, ("inputs", "dvalues"), outputs=("dinputs",)),
    Stage(
        "repeated_forward",
        TRAINING,
        ("inputs1", "inputs2", "weights", "biases", "dvalues"),
        outputs=("output1", "output2", "dweights", "dbiases", "dinputs"),
    ),
    Stage("softmax_backward", TRAINING, ("output", "dvalues"), outputs=("dinputs",)),
    Stage(
        "categorical_crossentropy_backward",
        TRAINING,
        ("y_pred", "y_true"),
        ("label_format",),
        ("dinputs",),
    ),
    Stage(
        "softmax_crossentropy_backward",
        TRAINING,
        ("y_pred", "y_true"),
        ("label_format", "path"),
        ("dinputs",),
    ),
    Stage(
        "regularization",
        TRAINING,
        ("weights", "biases", *REGULARIZERS),
        outputs=("loss", "dweights", "dbiases"),
    ),
    Stage(
        "dropout", TRAINING, ("inputs", "mask", "rate", "dvalues"), outputs=("output", "dinputs")
    ),
    Stage("sigmoid", TRAINING, ("inputs", "dvalues"), outputs=("output", "dinputs")),
    Stage(
        "binary_crossentropy",
        TRAINING,
        ("y_pred", "y_true"),
        outputs=("sample_losses", "loss", "dinputs"),
    ),
    Stage("binary_accuracy", TRAINING, ("y_pred", "y_true"), outputs=("predictions", "accuracy")),
    Stage("linear", TRAINING, ("inputs", "dvalues"), outputs=("output", "dinputs")),
    Stage(
        "mean_squared_error",
        TRAINING,
        ("y_pred", "y_true"),
        outputs=("sample_losses", "loss", "dinputs"),
    ),
    Stage(
        "mean_absolute_error",
        TRAINING,
        ("y_pred", "y_true"),
        outputs=("sample_losses", "loss", "dinputs"),
    ),
    Stage(
        "regression_accuracy", TRAINING, ("y_pred", "y_true", "precision"), outputs=("accuracy",)
    ),
    *(_optimizer_stage(optimizer) for optimizer in STATE),
    Stage(
        "shared_optimizer",
        TRAINING,
        (*LAYERS, "dweights1", "dbiases1", "dweights2", "dbiases2", "steps", *ADAM),
        outputs=LAYERS,
    ),
    Stage(
        "training",
        TRAINING,
        (
            "inputs",
            "y_true",
            "weights1",
            "biases1",
            "weights2",
            "biases2",
            "steps",
            *TRAINING_HYPERPARAMETERS,
        ),
        ("label_format", "optimizer"),
        ("loss", "accuracy", "learning_rate", "weights1", "biases1", "weights2", "biases2"),
    ),
    # The Model (chapters 18-22): what it adds around the network.
    Stage("preprocess", TRAINING, ("images", "labels", "keys"), outputs=("x", "y")),
    Stage(
        "batches",
        TRAINING,
        ("inputs", "batch_size"),
        outputs=("steps", "batch_sizes", "first_rows", "last_rows"),
    ),
    Stage("predictions", TRAINING, ("inputs",), ("activation",), ("predictions",)),
    Stage(
        "evaluate",
        TRAINING,
        ("y_pred", "y_true", "batch_size"),
        ("label_format",),
        ("loss", "accuracy"),
    ),
    Stage(
        "model_training",
        TRAINING,
        (
            "inputs",
            "y_true",
            "validation_inputs",
            "validation_y_true",
            *LAYERS,
            "epochs",
            "batch_size",
            *REGULARIZERS,  # of the first layer; the second has none
            *TRAINING_HYPERPARAMETERS,
        ),
        ("label_format", "optimizer"),
        (*EPOCH_OUTPUTS, *LAYERS),
    ),
    Stage("parameters", TRAINING, ("inputs", *LAYERS), outputs=(*LAYERS, "output")),
    # The book tier (docs/BOOK.md): the book's own arithmetic, the same at both tiers.
    Stage("rng", BOOK, ("seed", "calls"), outputs=("values",)),
    Stage("datasets", BOOK, ("seed", "samples", "classes"), ("dataset",), ("x", "y")),
    Stage("init", BOOK, ("seed", "skip", "shapes"), ("scale",), ("weights",)),
    Stage("shuffle", BOOK, ("seed", "samples"), outputs=("keys",)),
    Stage(
        "chapters",
        BOOK,
        ("seed", "samples", "classes", "hidden", "steps"),
        ("printed", "optimizer", "learning_rate", "decay", "momentum"),
        ("value",),
    ),
)

STAGES = {stage.name: stage for stage in TABLE}  # in pipeline order: the manifest's order


def stage_names(group: str | None = None) -> tuple[str, ...]:
    """Every stage's name in pipeline order, or those of one group."""
    return tuple(stage.name for stage in TABLE if group in (None, stage.group))

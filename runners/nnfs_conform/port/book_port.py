"""Drive a learner's book-style NumPy module as a port: `nnfs-conform book FILE.py` starts this.

    python book_port.py FILE.py [--dtype float32|float64]

A child process that speaks the suite's protocol (docs/PROTOCOL.md) on stdin/stdout and answers
each case by calling the learner's classes by their book names, the way the book's own scripts
and training loop call them: a fresh object per case, `weights`/`biases` set as the book stores
them, `forward`, `.output`, `backward`, `.dinputs`, `pre_update_params`... It runs by file path
under whatever Python the learner chose, so it needs only the standard library and NumPy and
imports nothing from nnfs_conform.

What a learner sees:
- their prints (at import or inside a stage) go to stderr: stdout belongs to the protocol;
- a module that cannot be imported: one line on stderr naming the file and the learner's own
  traceback tail, exit status 3 (before hello);
- a stage whose classes are missing is not declared; hello's `missing` says why;
- their exception inside a case: an error of kind `exception` naming their file, line and
  function; the run goes on.
"""

import os
import sys

if __name__ == "__main__":
    # Run by path, Python puts this folder (a folder of the runner's package) first on
    # sys.path, where a sibling module could shadow one the learner or NumPy imports.
    _HERE = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse  # noqa: E402 - after the sys.path repair above, on purpose
import ast  # noqa: E402
import importlib.util  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sysconfig  # noqa: E402
import tempfile  # noqa: E402
import traceback  # noqa: E402

import numpy as np  # noqa: E402

IMPORT_FAILED = 3  # exit status: the module could not be imported; the runner says why
FATAL_FILE = "NNFS_BOOK_FATAL"  # env: where to copy that one line (the CLI reads it back)
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
ORIGINAL_DOT = np.dot  # nnfs.init() replaces it: one of the two signs of the book's float32


class Unsupported(Exception):
    """This case needs a class the module lacks (its stage is declared for other cases)."""


class Mismatch(Exception):
    """A book class or method exists but cannot be called the book's way."""


# --- The learner's module -------------------------------------------------------------------


class Book:
    """The learner's module, with the calls the book makes, whichever generation it follows:
    chapters 3-17 (`forward(inputs)`, `regularization_loss(layer)`) or chapters 18-22
    (`forward(inputs, training)`, `regularization_loss()` over `trainable_layers`)."""

    def __init__(self, module, path, dtype):
        self.module, self.path, self.dtype = module, path, dtype
        self.file = os.path.basename(path)

    def has(self, name):
        return callable(getattr(self.module, name, None))

    def new(self, name, *args, **kwargs):
        """A fresh instance of a book class: nothing leaks from one case to the next."""
        if not self.has(name):
            raise Unsupported(f"{name} is not defined in {self.file}")
        return getattr(self.module, name)(*args, **kwargs)

    def array(self, value):
        """Numbers as the book's data would be: float32 after nnfs.init(), else float64."""
        return np.asarray(decode(value), dtype=self.dtype)

    def labels(self, value):
        """Class labels as the book's examples hold them: np.array of the integers (int64).
        NOTE: not uint8 as spiral_data's: the book's `-y_true / dvalues` wraps on unsigned
        one-hot rows, which the book never feeds it."""
        return np.asarray(value)

    def dense(self, weights, biases, **regularizers):
        """A Layer_Dense holding these weights (n_inputs, n_neurons) and biases (1, n_neurons)."""
        layer = self.new("Layer_Dense", weights.shape[0], weights.shape[1], **regularizers)
        layer.weights = weights
        layer.biases = biases.reshape(1, -1)
        return layer

    def forward(self, obj, inputs, training=True):
        """obj.forward(inputs), or obj.forward(inputs, training) for the chapter 18 signature
        (training=True but in Model.evaluate, so a dropout layer drops)."""
        method = self.method(obj, "forward")
        for args in ((inputs, training), (inputs,)) if _takes_training(method) else ((inputs,),):
            if _accepts(method, *args):
                method(*args)
                return obj.output
        raise self.mismatch(obj, "forward", "forward(inputs) or forward(inputs, training)")

    def calculate(self, loss, output, y):
        """Loss.calculate: the mean loss (a chapter 19 loss counts from new_pass())."""
        if hasattr(loss, "new_pass"):
            loss.new_pass()
        return self.method(loss, "calculate")(output, y)

    def regularization_loss(self, loss, layer):
        """regularization_loss(layer) (chapter 14) or, from chapter 18, regularization_loss()
        over the layers given to remember_trainable_layers."""
        method = self.method(loss, "regularization_loss")
        if _accepts(method, layer):
            return method(layer)
        if not _accepts(method):
            raise self.mismatch(
                loss, "regularization_loss", "regularization_loss(layer) or regularization_loss()"
            )
        if hasattr(loss, "remember_trainable_layers"):
            loss.remember_trainable_layers([layer])
        else:
            loss.trainable_layers = [layer]
        return method()

    def predictions(self, y_pred):
        """Activation_Softmax.predictions (chapter 18), else the book's inline argmax."""
        if self.has("Activation_Softmax") and hasattr(
            self.module.Activation_Softmax, "predictions"
        ):
            return self.new("Activation_Softmax").predictions(y_pred)
        return np.argmax(y_pred, axis=1)

    def can_score(self):
        return self.has("Accuracy_Categorical") or self.has("accuracy")

    def score(self, scorer, predictions, y_true):
        """An Accuracy's calculate, after the init(y) and new_pass() that chapter 18's Model
        calls first when the class has them."""
        if hasattr(scorer, "init"):
            scorer.init(y_true)
        if hasattr(scorer, "new_pass"):
            scorer.new_pass()
        return scorer.calculate(predictions, y_true)

    def accuracy(self, y_pred, y_true):
        """(predictions, accuracy) with the learner's Accuracy_Categorical, or their module-level
        accuracy(y_pred, y_true), or, for the training loop only, the book's chapter 5 lines."""
        predictions = self.predictions(y_pred)
        if self.has("Accuracy_Categorical"):
            return predictions, self.score(self.new("Accuracy_Categorical"), predictions, y_true)
        if self.has("accuracy"):
            return predictions, self.module.accuracy(y_pred, y_true)
        targets = np.argmax(y_true, axis=1) if len(y_true.shape) == 2 else y_true
        return predictions, np.mean(predictions == targets)

    def optimizer(self):
        """The first of the learner's optimizers, built with the book's defaults: for a Model
        that needs one although no layer it trains has parameters."""
        for name, _, _ in OPTIMIZERS.values():
            if self.has(name):
                return self.new(name)
        raise Unsupported(f"no optimizer ({', '.join(OPTIMIZER_NAMES)}) is defined in {self.file}")

    def model(self, layers, loss, accuracy, optimizer=None):
        """The learner's Model as the book's chapter 18-22 scripts build one: add each layer,
        set(loss=..., optimizer=..., accuracy=...), finalize(). The optimizer is passed when
        given or when the learner's set requires one (chapter 18's does; chapter 22's does not)."""
        model = self.new("Model")
        for layer in layers:
            model.add(layer)
        settings = {"loss": loss, "accuracy": accuracy}
        if optimizer is None and _requires(model.set, "optimizer"):
            optimizer = self.optimizer()
        if optimizer is not None:
            settings["optimizer"] = optimizer
        model.set(**settings)
        model.finalize()
        return model

    def method(self, obj, name):
        method = getattr(obj, name, None)
        if not callable(method):
            raise Unsupported(f"{type(obj).__name__}.{name} is not defined in {self.file}")
        return method

    def mismatch(self, obj, name, book):
        method = getattr(obj, name)
        try:
            shown = f"{name}{inspect.signature(method.__func__)}"
        except (TypeError, ValueError, AttributeError):
            shown = name
        return Mismatch(
            f"{type(obj).__name__}.{shown} in {self.file} cannot be called as the book does: {book}"
        )


def _accepts(method, *args):
    try:
        inspect.signature(method).bind(*args)
    except TypeError:
        return False
    except ValueError:  # no signature (a builtin): let the call decide
        return True
    return True


def _requires(method, name):
    """Whether the callable has a parameter `name` without a default."""
    try:
        parameter = inspect.signature(method).parameters.get(name)
    except (TypeError, ValueError):
        return False
    return parameter is not None and parameter.default is parameter.empty


def _takes_training(method):
    try:
        parameters = list(inspect.signature(method).parameters.values())
    except (TypeError, ValueError):
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.name == "training" for p in parameters)


# --- One function per stage: book objects in, the stage's outputs out -------------------------


def neuron(book, x, p):
    """One neuron is a Layer_Dense(K, 1): its weights are a column, its bias a 1x1 row."""
    layer = book.dense(book.array(x["weights"]).reshape(-1, 1), book.array([x["bias"]]))
    output = book.forward(layer, book.array([x["inputs"]]))
    return {"output": scalar(output)}


def layer(book, x, p):
    """Chapter 2's per-neuron weight rows, transposed into a Layer_Dense; one sample."""
    dense = book.dense(book.array(x["weights"]).T, book.array(x["biases"]))
    return {"output": row(book.forward(dense, book.array([x["inputs"]])))}


def dense_batch(book, x, p):
    weights = book.array(x["weights"])
    if p["weights_layout"] == "neurons_inputs":  # the chapter 2 list of rows: np.array(w).T
        weights = weights.T
    dense = book.dense(weights, book.array(x["biases"]))
    return {"output": book.forward(dense, book.array(x["inputs"]))}


def relu(book, x, p):
    return {"output": book.forward(book.new("Activation_ReLU"), book.array(x["inputs"]))}


def dense_relu(book, x, p):
    """Chapter 4's first chain: Layer_Dense, then Activation_ReLU of its output."""
    dense = book.dense(book.array(x["weights"]), book.array(x["biases"]))
    activation = book.new("Activation_ReLU")
    book.forward(dense, book.array(x["inputs"]))
    book.forward(activation, dense.output)
    return {"dense": dense.output, "relu": activation.output}


def softmax(book, x, p):
    return {"output": book.forward(book.new("Activation_Softmax"), book.array(x["inputs"]))}


def dense_relu_dense_softmax(book, x, p):
    """Chapter 4's network before the loss exists, every intermediate read off its object."""
    dense1, activation1, dense2, activation2 = _network(book, x)
    return {
        "dense1": dense1.output,
        "relu1": activation1.output,
        "dense2": dense2.output,
        "softmax": activation2.output,
    }


def _network(book, x):
    """Dense → ReLU → Dense → Softmax of the case's two layers, run forward on its inputs."""
    dense1 = book.dense(book.array(x["weights1"]), book.array(x["biases1"]))
    dense2 = book.dense(book.array(x["weights2"]), book.array(x["biases2"]))
    activation1, activation2 = book.new("Activation_ReLU"), book.new("Activation_Softmax")
    book.forward(dense1, book.array(x["inputs"]))
    book.forward(activation1, dense1.output)
    book.forward(dense2, activation1.output)
    book.forward(activation2, dense2.output)
    return dense1, activation1, dense2, activation2


def categorical_crossentropy(book, x, p):
    y_pred, y_true = book.array(x["y_pred"]), book.labels(x["y_true"])
    loss = book.new("Loss_CategoricalCrossentropy")
    return {
        "sample_losses": loss.forward(y_pred, y_true),
        "loss": book.calculate(loss, y_pred, y_true),
    }


def accuracy(book, x, p):
    predictions, value = book.accuracy(book.array(x["y_pred"]), book.labels(x["y_true"]))
    return {"predictions": predictions, "accuracy": value}


def forward(book, x, p):
    """Chapter 5's network, every intermediate read off the book's objects."""
    y_true = book.labels(x["y_true"])
    dense1, activation1, dense2, activation2 = _network(book, x)
    loss_function = book.new("Loss_CategoricalCrossentropy")
    predictions, value = book.accuracy(activation2.output, y_true)
    return {
        "dense1": dense1.output,
        "relu1": activation1.output,
        "dense2": dense2.output,
        "softmax": activation2.output,
        "sample_losses": loss_function.forward(activation2.output, y_true),
        "loss": book.calculate(loss_function, activation2.output, y_true),
        "predictions": predictions,
        "accuracy": value,
    }


def dense_backward(book, x, p):
    """forward(inputs) first: the book's backward reads the inputs the layer saved."""
    weights = book.array(x["weights"])
    dense = book.dense(weights, np.zeros((1, weights.shape[1]), dtype=book.dtype))
    book.forward(dense, book.array(x["inputs"]))
    dense.backward(book.array(x["dvalues"]))
    return {"dweights": dense.dweights, "dbiases": row(dense.dbiases), "dinputs": dense.dinputs}


def relu_backward(book, x, p):
    activation = book.new("Activation_ReLU")
    book.forward(activation, book.array(x["inputs"]))
    activation.backward(book.array(x["dvalues"]))
    return {"dinputs": activation.dinputs}


def repeated_forward(book, x, p):
    """ONE Layer_Dense and ONE Activation_ReLU, as a training loop reuses them: forward on the
    first batch, its output copied at once (as the book's loop reads it, before the next call
    replaces it), forward on the second batch, then backward through both."""
    weights = book.array(x["weights"])
    dense = book.dense(weights, book.array(x["biases"]))
    activation = book.new("Activation_ReLU")
    book.forward(dense, book.array(x["inputs1"]))
    output1 = np.array(book.forward(activation, dense.output))
    book.forward(dense, book.array(x["inputs2"]))
    output2 = book.forward(activation, dense.output)
    activation.backward(book.array(x["dvalues"]))
    dense.backward(activation.dinputs)
    return {
        "output1": output1,
        "output2": output2,
        "dweights": dense.dweights,
        "dbiases": row(dense.dbiases),
        "dinputs": dense.dinputs,
    }


def softmax_backward(book, x, p):
    """The book's backward reads the output it saved; the case gives that output."""
    activation = book.new("Activation_Softmax")
    activation.output = book.array(x["output"])
    activation.backward(book.array(x["dvalues"]))
    return {"dinputs": activation.dinputs}


def categorical_crossentropy_backward(book, x, p):
    loss = book.new("Loss_CategoricalCrossentropy")
    loss.backward(book.array(x["y_pred"]), book.labels(x["y_true"]))
    return {"dinputs": loss.dinputs}


def softmax_crossentropy_backward(book, x, p):
    """`combined`: chapter 9's Activation_Softmax_Loss_CategoricalCrossentropy; `separate`: the
    loss's backward, then the softmax's, as the book compares them."""
    y_pred, y_true = book.array(x["y_pred"]), book.labels(x["y_true"])
    if p["path"] == "combined":
        combined = book.new("Activation_Softmax_Loss_CategoricalCrossentropy")
        combined.backward(y_pred, y_true)
        return {"dinputs": combined.dinputs}
    loss, activation = book.new("Loss_CategoricalCrossentropy"), book.new("Activation_Softmax")
    loss.backward(y_pred, y_true)
    activation.output = y_pred
    activation.backward(loss.dinputs)
    return {"dinputs": activation.dinputs}


def regularization(book, x, p):
    """Chapter 14: the loss from regularization_loss; the gradients from backward with zero
    inputs and zero dvalues, so that the data terms are exactly 0 and only the regularizer's
    own terms remain (0 + t is t exactly)."""
    weights, biases = book.array(x["weights"]), book.array(x["biases"])
    factors = {name: float(x[name]) for name in REGULARIZERS}
    dense = book.dense(weights, biases, **factors)
    value = book.regularization_loss(book.new("Loss_CategoricalCrossentropy"), dense)
    book.forward(dense, np.zeros((1, weights.shape[0]), dtype=book.dtype))
    dense.backward(np.zeros((1, weights.shape[1]), dtype=book.dtype))
    return {"loss": value, "dweights": dense.dweights, "dbiases": row(dense.dbiases)}


def dropout(book, x, p):
    """Chapter 15: the mask is an input, handed to the layer as the one np.random.binomial
    draw its forward makes."""
    mask = np.asarray(x["mask"], dtype=np.int64)
    layer = book.new("Layer_Dropout", float(x["rate"]))
    drawn = np.random.binomial
    np.random.binomial = lambda *args, **kwargs: mask.copy()
    try:
        output = book.forward(layer, book.array(x["inputs"]))
    finally:
        np.random.binomial = drawn
    layer.backward(book.array(x["dvalues"]))
    return {"output": output, "dinputs": layer.dinputs}


def sigmoid(book, x, p):
    activation = book.new("Activation_Sigmoid")
    output = book.forward(activation, book.array(x["inputs"]))
    activation.backward(book.array(x["dvalues"]))
    return {"output": output, "dinputs": activation.dinputs}


def binary_accuracy(book, x, p):
    """Chapter 16's binary accuracy the chapter 18 way: Activation_Sigmoid.predictions, then
    Accuracy_Categorical(binary=True), which compares every output with its 0/1 target."""
    y_pred, y_true = book.array(x["y_pred"]), book.labels(x["y_true"])
    predictions = book.new("Activation_Sigmoid").predictions(y_pred)
    scorer = book.new("Accuracy_Categorical", binary=True)
    return {"predictions": predictions, "accuracy": book.score(scorer, predictions, y_true)}


def linear(book, x, p):
    """Chapter 17's Activation_Linear: forward, then backward."""
    activation = book.new("Activation_Linear")
    output = book.forward(activation, book.array(x["inputs"]))
    activation.backward(book.array(x["dvalues"]))
    return {"output": output, "dinputs": activation.dinputs}


def regression_accuracy(book, x, p):
    """Accuracy_Regression with the case's precision: the book computes np.std(y) / 250 in
    init(y); the case gives the value instead, set on the object after init."""
    y_pred, y_true = book.array(x["y_pred"]), book.array(x["y_true"])
    scorer = book.new("Accuracy_Regression")
    if hasattr(scorer, "init"):
        scorer.init(y_true)
    scorer.precision = book.array(x["precision"])[()]  # a NumPy scalar, as np.std returns
    if hasattr(scorer, "new_pass"):
        scorer.new_pass()
    return {"accuracy": scorer.calculate(y_pred, y_true)}


def _loss_stage(name, labels):
    """forward for the sample losses, calculate for the mean, backward(y_pred, y_true)."""

    def stage(book, x, p):
        y_pred = book.array(x["y_pred"])
        y_true = book.labels(x["y_true"]) if labels else book.array(x["y_true"])
        loss = book.new(name)
        sample_losses = loss.forward(y_pred, y_true)
        value = book.calculate(loss, y_pred, y_true)
        loss.backward(y_pred, y_true)
        return {"sample_losses": sample_losses, "loss": value, "dinputs": loss.dinputs}

    stage.__doc__ = f"{name}: {stage.__doc__}"
    return stage


def _optimizer_step(optimizer):
    """Chapter 10: pre_update_params, update_params(layer), post_update_params, with the
    optimizer's state set on the layer as the book keeps it and `iterations` on the optimizer."""
    name, state, hyper = OPTIMIZERS[optimizer]

    def stage(book, x, p):
        dense = book.dense(book.array(x["weights"]), book.array(x["biases"]))
        dense.dweights = book.array(x["dweights"])
        dense.dbiases = book.array(x["dbiases"]).reshape(1, -1)
        for array in state:
            value = book.array(x[array])
            setattr(dense, array, value if array.startswith("weight") else value.reshape(1, -1))
        step = book.new(name, **{h: float(x[h]) for h in hyper})
        step.iterations = int(x["iterations"])
        step.pre_update_params()
        step.update_params(dense)
        step.post_update_params()
        return {
            "weights": dense.weights,
            "biases": row(dense.biases),
            **{
                a: getattr(dense, a) if a.startswith("weight") else row(getattr(dense, a))
                for a in state
            },
            "learning_rate": step.current_learning_rate,
            "iterations": step.iterations,
        }

    stage.__doc__ = f"{name}: {stage.__doc__}"
    return stage


def shared_optimizer(book, x, p):
    """One Optimizer_Adam for two layers, as a Model steps it: per step pre_update_params,
    update_params of each layer (each keeps its own state), post_update_params once."""
    _, _, hyper = OPTIMIZERS["adam"]
    optimizer = book.new("Optimizer_Adam", **{h: float(x[h]) for h in hyper})
    layers = []
    for i in (1, 2):
        dense = book.dense(book.array(x[f"weights{i}"]), book.array(x[f"biases{i}"]))
        dense.dweights = book.array(x[f"dweights{i}"])
        dense.dbiases = book.array(x[f"dbiases{i}"]).reshape(1, -1)
        layers.append(dense)
    for _ in range(int(x["steps"])):
        optimizer.pre_update_params()
        for dense in layers:
            optimizer.update_params(dense)
        optimizer.post_update_params()
    dense1, dense2 = layers
    return {
        "weights1": dense1.weights,
        "biases1": row(dense1.biases),
        "weights2": dense2.weights,
        "biases2": row(dense2.biases),
    }


def training(book, x, p):
    """Chapter 10's loop, full batch: forward, loss and accuracy (recorded before the step),
    backward through the combined softmax + cross-entropy, then one optimizer step for both
    layers; the rate it used and the parameters after it are recorded."""
    name, _, hyper = OPTIMIZERS[p["optimizer"]]
    if not book.has(name):
        raise Unsupported(f"{name} is not defined in {book.file}")
    X, y = book.array(x["inputs"]), book.labels(x["y_true"])
    dense1 = book.dense(book.array(x["weights1"]), book.array(x["biases1"]))
    dense2 = book.dense(book.array(x["weights2"]), book.array(x["biases2"]))
    activation1 = book.new("Activation_ReLU")
    loss_activation = book.new("Activation_Softmax_Loss_CategoricalCrossentropy")
    optimizer = book.new(name, **{h: float(x[h]) for h in hyper})
    record = {
        k: []
        for k in ("loss", "accuracy", "learning_rate", "weights1", "biases1", "weights2", "biases2")
    }
    for _ in range(int(x["steps"])):
        book.forward(dense1, X)
        book.forward(activation1, dense1.output)
        book.forward(dense2, activation1.output)
        output, loss = _softmax_loss(book, loss_activation, dense2.output, y)
        record["loss"].append(loss)
        record["accuracy"].append(book.accuracy(output, y)[1])
        loss_activation.backward(output, y)
        dense2.backward(loss_activation.dinputs)
        activation1.backward(dense2.dinputs)
        dense1.backward(activation1.dinputs)
        optimizer.pre_update_params()
        optimizer.update_params(dense1)
        optimizer.update_params(dense2)
        optimizer.post_update_params()
        record["learning_rate"].append(optimizer.current_learning_rate)
        for i, dense in ((1, dense1), (2, dense2)):
            record[f"weights{i}"].append(np.array(dense.weights))  # a copy: += updates in place
            record[f"biases{i}"].append(row(np.array(dense.biases)))
    return record


def model_training(book, x, p):
    """Chapters 18-19's Model.train: the learner's own Model when the module has one that trains
    in batches (chapter 19 on), else the book's Model.train played over the learner's classes."""
    if _lacking(book, MODEL_TRAINING) is None:
        return _your_model_train(book, x, p)
    return _played_model_train(book, x, p)


def _your_model_train(book, x, p):
    """The learner's Model of Layer_Dense(K, H, the case's regularizers) → Activation_ReLU →
    Layer_Dense(H, C) → Activation_Softmax, set with the book's loss, accuracy and the case's
    optimizer, then train(X, y, epochs=E, batch_size=S, validation_data=...). Each epoch's
    values are read as the book's train and evaluate print them, off the loss's and the
    accuracy's calculate_accumulated(): after the epoch's last step (with the loss's
    regularization, and the optimizer's current_learning_rate then), and after its evaluation
    (told apart by the `training` flag of the last forward pass); the parameters at the end."""
    name, _, hyper = OPTIMIZERS[p["optimizer"]]
    if not book.has(name):
        raise Unsupported(f"{name} is not defined in {book.file}")
    regularizers = {r: float(x[r]) for r in REGULARIZERS}
    dense1 = book.dense(book.array(x["weights1"]), book.array(x["biases1"]), **regularizers)
    dense2 = book.dense(book.array(x["weights2"]), book.array(x["biases2"]))
    optimizer = book.new(name, **{h: float(x[h]) for h in hyper})
    record = {k: [] for k in MODEL_OUTPUTS}
    seen = {"training": True}  # the flag of the Model's last forward pass

    class Softmax(book.module.Activation_Softmax):
        def forward(self, inputs, *args, **kwargs):
            seen["training"] = args[0] if args else kwargs.get("training", True)
            return super().forward(inputs, *args, **kwargs)

    class Loss(book.module.Loss_CategoricalCrossentropy):
        def calculate_accumulated(self, *args, **kwargs):
            value = super().calculate_accumulated(*args, **kwargs)
            data_loss = value[0] if isinstance(value, tuple) else value
            if not seen["training"]:
                record["validation_loss"].append(data_loss)
                return value
            regularization = value[1] if isinstance(value, tuple) else self.regularization_loss()
            record["loss"].append(data_loss + regularization)
            record["data_loss"].append(data_loss)
            record["regularization_loss"].append(regularization)
            record["learning_rate"].append(optimizer.current_learning_rate)
            return value

    class Accuracy(book.module.Accuracy_Categorical):
        def calculate_accumulated(self, *args, **kwargs):
            value = super().calculate_accumulated(*args, **kwargs)
            record["accuracy" if seen["training"] else "validation_accuracy"].append(value)
            return value

    layers = [dense1, book.new("Activation_ReLU"), dense2, Softmax()]
    model = book.model(layers, Loss(), Accuracy(), optimizer=optimizer)
    model.train(
        book.array(x["inputs"]),
        book.labels(x["y_true"]),
        epochs=int(x["epochs"]),
        batch_size=int(x["batch_size"]),
        print_every=QUIET,
        validation_data=(book.array(x["validation_inputs"]), book.labels(x["validation_y_true"])),
    )
    return {
        **record,
        "weights1": dense1.weights,
        "biases1": row(dense1.biases),
        "weights2": dense2.weights,
        "biases2": row(dense2.biases),
    }


def _played_model_train(book, x, p):
    """Chapters 18-19's Model.train(X, y, epochs=E, batch_size=S, validation_data=...), played
    over the learner's classes as the book's Model drives them (a module with no Model of its
    own, or one whose train takes no batch_size): Layer_Dense(K, H, regularizers)
    -> Activation_ReLU -> Layer_Dense(H, C) -> Activation_Softmax, the loss's and the accuracy's
    new_pass() each epoch and each evaluation, batches of S rows in order, each a forward pass,
    the loss and accuracy counted, the backward pass through the combined softmax +
    cross-entropy (Layer_Dense.backward adds the regularization gradients) and one optimizer
    step on both layers. An epoch's data loss and accuracy are the learner's
    calculate_accumulated() if they have one (chapter 19), else the accumulated sum over the
    count of what their forward and predictions give; the regularization loss of the first
    layer is taken at the end of the epoch; the rate is current_learning_rate."""
    name, _, hyper = OPTIMIZERS[p["optimizer"]]
    if not book.has(name):
        raise Unsupported(f"{name} is not defined in {book.file}")
    X, y = book.array(x["inputs"]), book.labels(x["y_true"])
    X_val, y_val = book.array(x["validation_inputs"]), book.labels(x["validation_y_true"])
    size = int(x["batch_size"])
    regularizers = {r: float(x[r]) for r in REGULARIZERS}
    dense1 = book.dense(book.array(x["weights1"]), book.array(x["biases1"]), **regularizers)
    dense2 = book.dense(book.array(x["weights2"]), book.array(x["biases2"]))
    activation1 = book.new("Activation_ReLU")
    loss_activation = book.new("Activation_Softmax_Loss_CategoricalCrossentropy")
    optimizer = book.new(name, **{h: float(x[h]) for h in hyper})
    loss, scorer = _Pass(book, "Loss_CategoricalCrossentropy"), _Pass(book, "Accuracy_Categorical")
    scorer.init(y)
    record = {k: [] for k in MODEL_OUTPUTS}

    def forward(inputs, training):
        book.forward(dense1, inputs, training)
        book.forward(activation1, dense1.output, training)
        book.forward(dense2, activation1.output, training)
        return book.forward(book.new("Activation_Softmax"), dense2.output, training)

    for _ in range(int(x["epochs"])):
        loss.new_pass()
        scorer.new_pass()
        for batch_X, batch_y in _batches(X, y, size):
            output = forward(batch_X, True)
            loss.count(output, batch_y)
            scorer.count(output, batch_y)
            loss_activation.backward(output, batch_y)
            dense2.backward(loss_activation.dinputs)
            activation1.backward(dense2.dinputs)
            dense1.backward(activation1.dinputs)
            optimizer.pre_update_params()
            optimizer.update_params(dense1)
            optimizer.update_params(dense2)
            optimizer.post_update_params()
        data_loss = loss.accumulated()
        regularization_loss = book.regularization_loss(loss.obj, dense1)
        record["loss"].append(data_loss + regularization_loss)
        record["data_loss"].append(data_loss)
        record["regularization_loss"].append(regularization_loss)
        record["accuracy"].append(scorer.accumulated())
        record["learning_rate"].append(optimizer.current_learning_rate)
        loss.new_pass()  # Model.evaluate: forward only, the data loss alone
        scorer.new_pass()
        for batch_X, batch_y in _batches(X_val, y_val, size):
            output = forward(batch_X, False)
            loss.count(output, batch_y)
            scorer.count(output, batch_y)
        record["validation_loss"].append(loss.accumulated())
        record["validation_accuracy"].append(scorer.accumulated())
    for i, dense in ((1, dense1), (2, dense2)):
        record[f"weights{i}"] = np.array(dense.weights)
        record[f"biases{i}"] = row(np.array(dense.biases))
    return record


MODEL_OUTPUTS = (
    "loss",
    "data_loss",
    "regularization_loss",
    "accuracy",
    "learning_rate",
    "validation_loss",
    "validation_accuracy",
)


def _batches(X, y, size):
    """Model.train's batches: steps = len(X) // size, plus one for a short batch left over."""
    steps = len(X) // size
    if steps * size < len(X):
        steps += 1
    for step in range(steps):
        yield X[step * size : (step + 1) * size], y[step * size : (step + 1) * size]


class _Pass:
    """The learner's Loss_CategoricalCrossentropy or Accuracy_Categorical over one pass: its own
    new_pass, calculate and calculate_accumulated where it has them (chapter 19), else the
    book's accumulated_sum / accumulated_count of its sample losses or of the comparisons of
    its predictions."""

    def __init__(self, book, name):
        self.book, self.name = book, name
        self.obj = book.new(name) if book.has(name) else None
        self.own = all(
            callable(getattr(self.obj, m, None))
            for m in ("new_pass", "calculate", "calculate_accumulated")
        )

    def init(self, y):
        if self.own and callable(getattr(self.obj, "init", None)):
            self.obj.init(y)

    def new_pass(self):
        if self.own:
            self.obj.new_pass()
        self.total, self.samples = 0, 0

    def count(self, output, y):
        if self.name == "Loss_CategoricalCrossentropy":
            if self.own:
                self.obj.calculate(output, y)
                return
            values = self.obj.forward(output, y)
        else:
            predictions = self.book.predictions(output)
            if self.own:
                self.obj.calculate(predictions, y)
                return
            values = predictions == (np.argmax(y, axis=1) if len(y.shape) == 2 else y)
        self.total += np.sum(values)
        self.samples += len(values)

    def accumulated(self):
        if self.own:
            return self.obj.calculate_accumulated()
        return self.total / self.samples


def _softmax_loss(book, loss_activation, inputs, y):
    """(softmax output, mean loss): the combined class's forward (chapters 9-17), or, when it
    has only backward (chapter 18), Activation_Softmax then Loss_CategoricalCrossentropy."""
    if hasattr(loss_activation, "forward"):
        loss = loss_activation.forward(inputs, y)
        return loss_activation.output, loss
    activation = book.new("Activation_Softmax")
    output = book.forward(activation, inputs)
    return output, book.calculate(book.new("Loss_CategoricalCrossentropy"), output, y)


# --- The Model's chapters (18-22) ---------------------------------------------------------------


def preprocess(book, x, p):
    """Chapter 19's inline lines, as the learner's module-level preprocess(X, y, keys) -> (X, y):
    the images as cv2.imread gives them (uint8), the labels and the shuffled keys as integer
    arrays; X scaled to [-1, 1] and flattened, then X[keys] and y[keys]."""
    images = np.asarray(x["images"], dtype=np.uint8)
    scaled, labels = book.module.preprocess(
        images, book.labels(x["labels"]), np.asarray(x["keys"], dtype=np.int64)
    )
    return {"x": scaled, "y": labels}


def batches(book, x, p):
    """Model.train for one epoch with the case's batch_size, its first layer a pass-through
    that keeps a copy of every batch the Model trains on, its last the learner's softmax
    passing that through too (the loss, accuracy and optimizer are the learner's; every label
    is class 0, as the batches do not depend on them)."""
    inputs = book.array(x["inputs"])
    taken = []
    model = book.model(
        [PassThrough(taken), _given_softmax(book)],
        book.new("Loss_CategoricalCrossentropy"),
        book.new("Accuracy_Categorical"),
        optimizer=book.optimizer(),
    )
    labels = np.zeros(len(inputs), dtype=np.int64)
    model.train(inputs, labels, epochs=1, batch_size=int(x["batch_size"]), print_every=QUIET)
    return {
        "steps": len(taken),
        "batch_sizes": [len(batch) for batch in taken],
        "first_rows": [batch[0] for batch in taken],
        "last_rows": [batch[-1] for batch in taken],
    }


PREDICTING = {"softmax": "Activation_Softmax", "sigmoid": "Activation_Sigmoid"}


def predictions(book, x, p):
    """The output activation's predictions(), as Model.train and evaluate call it."""
    name = PREDICTING.get(p["activation"], "Activation_Linear")
    activation = book.new(name)
    return {"predictions": book.method(activation, "predictions")(book.array(x["inputs"]))}


def evaluate(book, x, p):
    """Model.evaluate(X, y, batch_size=...) on a model whose output layer is the learner's
    Activation_Softmax passing the case's softmax outputs through; the loss and accuracy read
    back with their calculate_accumulated(), as the book's evaluate prints them."""
    loss, scorer = book.new("Loss_CategoricalCrossentropy"), book.new("Accuracy_Categorical")
    model = book.model([PassThrough(), _given_softmax(book)], loss, scorer)
    model.evaluate(
        book.array(x["y_pred"]), book.labels(x["y_true"]), batch_size=int(x["batch_size"])
    )
    return {"loss": loss.calculate_accumulated(), "accuracy": scorer.calculate_accumulated()}


def parameters(book, x, p):
    """Chapters 21-22: a Dense → ReLU → Dense → Softmax Model holding the case's parameters,
    get_parameters(), save_parameters to a file and load_parameters into a fresh model of the
    same layers (or set_parameters, when the module cannot save); the fresh model's parameters,
    read off its layers, and its predict() (or forward) on the inputs."""
    w1, w2 = book.array(x["weights1"]), book.array(x["weights2"])
    saved = _softmax_model(
        book, book.dense(w1, book.array(x["biases1"])), book.dense(w2, book.array(x["biases2"]))
    )
    dense1, dense2 = book.new("Layer_Dense", *w1.shape), book.new("Layer_Dense", *w2.shape)
    fresh = _softmax_model(book, dense1, dense2)
    kept = saved.get_parameters()
    if all(callable(getattr(saved, m, None)) for m in ("save_parameters", "load_parameters")):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.parms")
            saved.save_parameters(path)
            fresh.load_parameters(path)
    else:
        fresh.set_parameters(kept)
    return {
        "weights1": dense1.weights,
        "biases1": row(dense1.biases),
        "weights2": dense2.weights,
        "biases2": row(dense2.biases),
        "output": _predict(book, fresh, book.array(x["inputs"])),
    }


def _softmax_model(book, dense1, dense2):
    """Chapter 22's model as its evaluation script sets it: no optimizer, the book's loss and
    accuracy for a softmax classifier."""
    layers = [dense1, book.new("Activation_ReLU"), dense2, book.new("Activation_Softmax")]
    return book.model(
        layers, book.new("Loss_CategoricalCrossentropy"), book.new("Accuracy_Categorical")
    )


def _predict(book, model, inputs):
    """Model.predict(X) (chapter 22), else Model.forward(X, training=False) (chapter 18)."""
    if callable(getattr(model, "predict", None)):
        return model.predict(inputs)
    forward = book.method(model, "forward")
    return forward(inputs, False) if _accepts(forward, inputs, False) else forward(inputs)


class PassThrough:
    """A layer with no parameters that hands its inputs on unchanged, both ways; with `taken`,
    it keeps a copy of each batch a training forward pass feeds it. The book's Model.finalize
    links a layer to the next (`self.layers[i + 1]`), so its models have two layers at least:
    this one goes first."""

    def __init__(self, taken=None):
        self.taken = taken

    def forward(self, inputs, training=True, *args, **kwargs):
        if self.taken is not None and training:
            self.taken.append(np.array(inputs))
        self.inputs = inputs
        self.output = inputs

    def backward(self, dvalues, *args, **kwargs):
        self.dinputs = dvalues


def _given_softmax(book):
    """A layer of the learner's Activation_Softmax class whose forward passes its inputs
    through (the case gives the softmax outputs); its predictions, backward and the Model's
    softmax + cross-entropy shortcut stay the learner's."""
    if not book.has("Activation_Softmax"):
        raise Unsupported(f"Activation_Softmax is not defined in {book.file}")

    class Given(book.module.Activation_Softmax):
        def forward(self, inputs, *args, **kwargs):
            self.inputs = inputs
            self.output = inputs

    return Given()


QUIET = 10**9  # print_every: the book's train prints step 0 and the last step of each epoch

REGULARIZERS = (
    "weight_regularizer_l1",
    "weight_regularizer_l2",
    "bias_regularizer_l1",
    "bias_regularizer_l2",
)
# optimizer -> (book class, state kept on the layer, constructor hyperparameters)
OPTIMIZERS = {
    "sgd": (
        "Optimizer_SGD",
        ("weight_momentums", "bias_momentums"),
        ("learning_rate", "decay", "momentum"),
    ),
    "adagrad": (
        "Optimizer_Adagrad",
        ("weight_cache", "bias_cache"),
        ("learning_rate", "decay", "epsilon"),
    ),
    "rmsprop": (
        "Optimizer_RMSprop",
        ("weight_cache", "bias_cache"),
        ("learning_rate", "decay", "epsilon", "rho"),
    ),
    "adam": (
        "Optimizer_Adam",
        ("weight_momentums", "bias_momentums", "weight_cache", "bias_cache"),
        ("learning_rate", "decay", "epsilon", "beta_1", "beta_2"),
    ),
}
OPTIMIZER_METHODS = ("pre_update_params", "update_params", "post_update_params")
OPTIMIZER_NAMES = tuple(name for name, _, _ in OPTIMIZERS.values())
LAYER = ("Layer_Dense.forward",)
CCE = ("Loss_CategoricalCrossentropy.forward", "Loss_CategoricalCrossentropy.calculate")
# What a stage needs: alternatives (any one will do), each a tuple of "Class.method",
# "Class(keyword=)" or "Class.method(keyword=)" (it takes that keyword), "function(a, b)" (it
# can be called with that many arguments), "name" (a module-level function or class), or
# ANY_OPTIMIZER (one of the four, with its three methods).
ANY_OPTIMIZER = "an optimizer"
NEEDS_OPTIMIZER = tuple(
    tuple(f"{cls}.{m}" for m in OPTIMIZER_METHODS) for cls, _, _ in OPTIMIZERS.values()
)
TRAINING = (
    "Layer_Dense.forward",
    "Layer_Dense.backward",
    "Activation_ReLU.forward",
    "Activation_ReLU.backward",
    "Activation_Softmax_Loss_CategoricalCrossentropy.backward",
)
MODEL = ("Model.add", "Model.set", "Model.finalize")
MODEL_TRAINING = (
    *MODEL,
    "Model.train(batch_size=)",
    *TRAINING[:4],
    *(f"Layer_Dense({r}=)" for r in REGULARIZERS),
    "Activation_Softmax.forward",
    "Loss_CategoricalCrossentropy.calculate_accumulated",
    "Accuracy_Categorical.calculate_accumulated",
)
SAVED_PARAMETERS = (
    *MODEL,
    "Model.get_parameters",
    "Layer_Dense.get_parameters",
    "Layer_Dense.set_parameters",
    "Activation_ReLU.forward",
    "Activation_Softmax.forward",
    "Loss_CategoricalCrossentropy",
    "Accuracy_Categorical",
)
# The chapter that gave a class or method the keyword a stage needs (for the `missing` reason).
KEYWORD_CHAPTERS = {"Layer_Dense": 14, "Accuracy_Categorical": 18, "Model.train": 19}
# How to make a stage checked that the book itself writes inline, not in a class.
HOW = {
    "preprocess": (
        "the book does it inline in chapter 19: define preprocess(X, y, keys) returning "
        "(X, y) to have it checked"
    ),
}

# stage -> (function, what it needs), in the stage table's order
STAGES = {
    "neuron": (neuron, (LAYER,)),
    "layer": (layer, (LAYER,)),
    "dense_batch": (dense_batch, (LAYER,)),
    "relu": (relu, (("Activation_ReLU.forward",),)),
    "dense_relu": (dense_relu, ((*LAYER, "Activation_ReLU.forward"),)),
    "softmax": (softmax, (("Activation_Softmax.forward",),)),
    "dense_relu_dense_softmax": (
        dense_relu_dense_softmax,
        ((*LAYER, "Activation_ReLU.forward", "Activation_Softmax.forward"),),
    ),
    "categorical_crossentropy": (categorical_crossentropy, (CCE,)),
    "accuracy": (accuracy, (("Accuracy_Categorical.calculate",), ("accuracy",))),
    "forward": (
        forward,
        ((*LAYER, "Activation_ReLU.forward", "Activation_Softmax.forward", *CCE),),
    ),
    "dense_backward": (dense_backward, ((*LAYER, "Layer_Dense.backward"),)),
    "relu_backward": (relu_backward, (("Activation_ReLU.forward", "Activation_ReLU.backward"),)),
    "repeated_forward": (
        repeated_forward,
        (
            (
                *LAYER,
                "Layer_Dense.backward",
                "Activation_ReLU.forward",
                "Activation_ReLU.backward",
            ),
        ),
    ),
    "softmax_backward": (softmax_backward, (("Activation_Softmax.backward",),)),
    "categorical_crossentropy_backward": (
        categorical_crossentropy_backward,
        (("Loss_CategoricalCrossentropy.backward",),),
    ),
    "softmax_crossentropy_backward": (
        softmax_crossentropy_backward,
        (
            ("Activation_Softmax_Loss_CategoricalCrossentropy.backward",),
            ("Loss_CategoricalCrossentropy.backward", "Activation_Softmax.backward"),
        ),
    ),
    "regularization": (
        regularization,
        (
            (
                *LAYER,
                "Layer_Dense.backward",
                *(f"Layer_Dense({r}=)" for r in REGULARIZERS),
                "Loss_CategoricalCrossentropy.regularization_loss",
            ),
        ),
    ),
    "dropout": (dropout, (("Layer_Dropout.forward", "Layer_Dropout.backward"),)),
    "sigmoid": (sigmoid, (("Activation_Sigmoid.forward", "Activation_Sigmoid.backward"),)),
    "binary_crossentropy": (
        _loss_stage("Loss_BinaryCrossentropy", labels=True),
        (tuple(f"Loss_BinaryCrossentropy.{m}" for m in ("forward", "calculate", "backward")),),
    ),
    "binary_accuracy": (
        binary_accuracy,
        (
            (
                "Activation_Sigmoid.predictions",
                "Accuracy_Categorical.calculate",
                "Accuracy_Categorical(binary=)",
            ),
        ),
    ),
    "linear": (linear, (("Activation_Linear.forward", "Activation_Linear.backward"),)),
    "mean_squared_error": (
        _loss_stage("Loss_MeanSquaredError", labels=False),
        (tuple(f"Loss_MeanSquaredError.{m}" for m in ("forward", "calculate", "backward")),),
    ),
    "mean_absolute_error": (
        _loss_stage("Loss_MeanAbsoluteError", labels=False),
        (tuple(f"Loss_MeanAbsoluteError.{m}" for m in ("forward", "calculate", "backward")),),
    ),
    "regression_accuracy": (regression_accuracy, (("Accuracy_Regression.calculate",),)),
    **{
        f"{optimizer}_step": (_optimizer_step(optimizer), (needs,))
        for optimizer, needs in zip(OPTIMIZERS, NEEDS_OPTIMIZER)
    },
    "shared_optimizer": (
        shared_optimizer,
        (("Layer_Dense", *(f"Optimizer_Adam.{m}" for m in OPTIMIZER_METHODS)),),
    ),
    "training": (training, tuple((*TRAINING, *needs) for needs in NEEDS_OPTIMIZER)),
    "preprocess": (preprocess, (("preprocess(X, y, keys)",),)),
    "batches": (
        batches,
        (
            (
                *MODEL,
                "Model.train(batch_size=)",
                "Activation_Softmax",
                "Loss_CategoricalCrossentropy",
                "Accuracy_Categorical",
                ANY_OPTIMIZER,
            ),
        ),
    ),
    "predictions": (
        predictions,
        tuple(
            (f"{name}.predictions",)
            for name in ("Activation_Softmax", "Activation_Sigmoid", "Activation_Linear")
        ),
    ),
    "evaluate": (
        evaluate,
        (
            (
                *MODEL,
                "Model.evaluate(batch_size=)",
                "Activation_Softmax",
                "Loss_CategoricalCrossentropy.calculate_accumulated",
                "Accuracy_Categorical.calculate_accumulated",
            ),
        ),
    ),
    "model_training": (
        model_training,
        (
            *((*MODEL_TRAINING, *needs) for needs in NEEDS_OPTIMIZER),
            *(
                (
                    *TRAINING,
                    *CCE,
                    "Activation_Softmax.forward",
                    *(f"Layer_Dense({r}=)" for r in REGULARIZERS),
                    "Loss_CategoricalCrossentropy.regularization_loss",
                    *needs,
                )
                for needs in NEEDS_OPTIMIZER
            ),
        ),
    ),
    "parameters": (
        parameters,
        (
            (*SAVED_PARAMETERS, "Model.save_parameters", "Model.load_parameters"),
            (*SAVED_PARAMETERS, "Model.set_parameters"),
        ),
    ),
}


# The calls the book makes on each class, as (method, the argument lists it passes): a method
# that binds none of them cannot be driven, and the module is refused in one line at start.
class _Arg:
    """A stand-in argument: only the signature is asked, nothing is called; shown by name."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


_X, _Y, _LAYER, _PATH = _Arg("inputs"), _Arg("y_true"), _Arg("layer"), _Arg("path")
_FORWARD = ((_X,), (_X, True))
_ACTIVATION = (("forward", _FORWARD), ("backward", ((_X,),)), ("predictions", ((_X,),)))
_ACCURACY = (("calculate", ((_X, _Y),)), ("calculate_accumulated", ((),)))
BOOK_CALLS = {
    "Layer_Dense": (
        ("__init__", ((2, 3),)),
        ("forward", _FORWARD),
        ("backward", ((_X,),)),
        ("get_parameters", ((),)),
        ("set_parameters", ((_X, _X),)),
    ),
    "Activation_ReLU": (("forward", _FORWARD), ("backward", ((_X,),))),
    "Activation_Softmax": _ACTIVATION,
    "Activation_Sigmoid": _ACTIVATION,
    "Activation_Linear": _ACTIVATION,
    "Layer_Dropout": (("__init__", ((0.1,),)), ("forward", _FORWARD), ("backward", ((_X,),))),
    "Loss_CategoricalCrossentropy": (
        ("forward", ((_X, _Y),)),
        ("backward", ((_X, _Y),)),
        ("calculate", ((_X, _Y),)),
        ("calculate_accumulated", ((),)),
    ),
    "Loss_BinaryCrossentropy": (("forward", ((_X, _Y),)), ("backward", ((_X, _Y),))),
    "Loss_MeanSquaredError": (("forward", ((_X, _Y),)), ("backward", ((_X, _Y),))),
    "Loss_MeanAbsoluteError": (("forward", ((_X, _Y),)), ("backward", ((_X, _Y),))),
    "Activation_Softmax_Loss_CategoricalCrossentropy": (("backward", ((_X, _Y),)),),
    "Accuracy_Categorical": (("__init__", ((),)), *_ACCURACY),
    "Accuracy_Regression": (("__init__", ((),)), *_ACCURACY),
    **{
        f"Optimizer_{name}": (
            ("pre_update_params", ((),)),
            ("update_params", ((_LAYER,),)),
            ("post_update_params", ((),)),
        )
        for name in ("SGD", "Adagrad", "RMSprop", "Adam")
    },
    "Model": (
        ("__init__", ((),)),
        ("add", ((_LAYER,),)),
        ("finalize", ((),)),
        ("train", ((_X, _Y),)),
        ("evaluate", ((_X, _Y),)),
        ("predict", ((_X,),)),
        ("get_parameters", ((),)),
        ("set_parameters", ((_Arg("parameters"),),)),
        ("save_parameters", ((_PATH,),)),
        ("load_parameters", ((_PATH,),)),
    ),
}


def signature_mismatch(book):
    """One line naming the file, class and method the book's calls cannot bind, or None."""
    for name, calls in BOOK_CALLS.items():
        cls = getattr(book.module, name, None)
        if not isinstance(cls, type):
            continue
        for method, forms in calls:
            function = getattr(cls, method, None)
            if not callable(function) or function is object.__init__:
                continue
            try:
                signature = inspect.signature(function)
            except (TypeError, ValueError):
                continue
            if not any(_binds(signature, (None, *args)) for args in forms):
                shown = ", ".join(repr(a) for a in forms[0])
                return (
                    f"{book.file}: {name}.{method}{signature} cannot be called as the book "
                    f"does: {method}({shown})"
                )
    return None


def _binds(signature, args):
    try:
        signature.bind(*args)
    except TypeError:
        return False
    return True


def missing(book, alternatives):
    """None if one alternative is complete, else why the first one is not."""
    reasons = [_lacking(book, alternative) for alternative in alternatives]
    return None if None in reasons else reasons[0]


def _lacking(book, needs):
    for need in needs:
        if need == ANY_OPTIMIZER:
            if all(_lacking(book, optimizer) for optimizer in NEEDS_OPTIMIZER):
                return f"no optimizer ({', '.join(OPTIMIZER_NAMES)}) is defined in {book.file}"
            continue
        head, _, call = need.partition("(")
        name, _, method = head.partition(".")
        if not book.has(name):
            return f"{name} is not defined in {book.file}"
        target = getattr(book.module, name)
        if method:
            target = getattr(target, method, None)
            if not callable(target):
                return f"{head} is not defined in {book.file}"
        call = call.removesuffix(")")
        if call.endswith("="):
            keyword = call[:-1]
            if not _takes(target, keyword):
                chapter = KEYWORD_CHAPTERS.get(head)
                book_s = f" (the book's chapter {chapter})" if chapter else ""
                return f"{head}(...) in {book.file} takes no {keyword}{book_s}"
        elif call and not _accepts(target, *call.split(", ")):
            return f"{head}{_signature(target)} in {book.file} cannot be called as {need}"
    return None


def _takes(function, keyword):
    """Whether a class (its constructor) or a method takes the keyword."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == keyword or p.kind == p.VAR_KEYWORD for p in parameters)


def _signature(function):
    try:
        return str(inspect.signature(function))
    except (TypeError, ValueError):
        return "(...)"


# --- Numbers in and out ------------------------------------------------------------------------


def decode(value):
    """The protocol's "NaN"/"Infinity"/"-Infinity" strings as floats, in nested lists."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    return NON_FINITE.get(value, value) if isinstance(value, str) else value


def row(array):
    """The book keeps biases as one row (1, N); the stage's signature has them flat (N)."""
    array = np.asarray(array)
    return array[0] if array.ndim == 2 and array.shape[0] == 1 else array


def scalar(array):
    """A one-neuron, one-sample output (1, 1) is the stage's scalar."""
    array = np.asarray(array)
    return array.reshape(()) if array.shape == (1, 1) else array


def plain(value):
    """A stage output as JSON values: float32 widened exactly to float64, written shortest
    round-trip; NaN and the infinities as their protocol strings; -0.0 kept; shapes as they
    came (a wrong shape is the runner's to grade)."""
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return _number(float(value))
    array = np.asarray(value)
    if array.dtype.kind == "f":
        return _numbers(array.astype(np.float64).tolist())
    if array.dtype.kind in "iub":
        return array.tolist()
    raise TypeError(f"holds {array.dtype} values, not numbers")


def _numbers(value):
    return [_numbers(v) for v in value] if isinstance(value, list) else _number(value)


def _number(x):
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


# --- Errors, in the learner's words ------------------------------------------------------------


def where(exc, folder, callers=0):
    """`<learner file>:<line> in <function>` of the innermost frame in the learner's folder
    (their code, not the driver's or NumPy's), and of up to `callers` frames that led there."""
    if isinstance(exc, SyntaxError) and exc.filename and _inside(exc.filename, folder):
        return f"{os.path.relpath(exc.filename, folder)}:{exc.lineno}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _inside(f.filename, folder)]
    shown = [
        f"{os.path.relpath(f.filename, folder)}:{f.lineno} in {f.name}"
        for f in reversed(frames[-1 - callers :])
    ]
    if not shown:
        return None
    return shown[0] + "".join(f", called from {s}" for s in shown[1:])


def _inside(filename, folder):
    """A file of the learner's: in their folder, and not this driver, an installed package or
    the standard library (a virtual environment may live inside the learner's folder)."""
    if filename.startswith("<"):  # <frozen importlib._bootstrap>, <string>
        return False
    path = os.path.abspath(filename)
    return (
        path.startswith(folder + os.sep)
        and path != os.path.abspath(__file__)
        and not any(path.startswith(p + os.sep) for p in _INSTALLED)
    )


_INSTALLED = {
    os.path.abspath(p)
    for key in ("stdlib", "platstdlib", "purelib", "platlib")
    if (p := sysconfig.get_paths().get(key))
}


def describe(exc, book):
    """'<ExceptionType: text> at <learner file>:<line> in <function>' for an error reply."""
    if isinstance(exc, Mismatch):
        return str(exc)
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    place = where(exc, os.path.dirname(book.path))
    return f"{text} at {place}" if place else f"{text} (in a call to {book.file}'s classes)"


def import_failure(exc, path, name):
    """The one line that says why the module `name` (the path as the learner gave it) cannot
    be graded, with the tail of their own traceback."""
    place = where(exc, os.path.dirname(path), callers=2)
    at = f" at {place}" if place else ""
    if isinstance(exc, SystemExit):
        return (
            f"{name}: calls sys.exit({exc.code!r}) while being imported{at}: put the "
            f'script part under `if __name__ == "__main__":`'
        )
    if isinstance(exc, SyntaxError):
        return f"{name}: SyntaxError: {exc.msg}{at}"
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return f"{name}: cannot be imported: {text}{at}"


# --- The protocol ------------------------------------------------------------------------------


def load(path):
    """Import the learner's module by path, its folder first on sys.path (sibling imports):
    its definitions and set-up, not its script (see `script_lines`)."""
    folder, stem = os.path.dirname(path), os.path.splitext(os.path.basename(path))[0]
    name = stem if stem.isidentifier() and stem not in sys.modules else "nnfs_book_learner"
    sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    with open(path, "rb") as f:
        tree = ast.parse(f.read(), filename=path)
    kept, skipped = split_script(tree)
    exec(compile(ast.Module(body=kept, type_ignores=[]), path, "exec"), module.__dict__)
    if skipped:
        print(
            f"book_port.py: {os.path.basename(path)}: ran its imports, definitions and set-up "
            f"but not its script (lines {skipped[0]}-{skipped[-1]}: the training run, the "
            "prints of its results): the driver calls your classes itself",
            file=sys.stderr,
            flush=True,
        )
    return module


DEFINITIONS = (ast.Import, ast.ImportFrom, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
LOOPS = (ast.For, ast.AsyncFor, ast.While)


def split_script(tree):
    """(the top-level statements to run, the line numbers of those left out).

    A book chapter is one file: the classes, then a script that builds a network from them and
    trains it for 10,001 epochs (minutes, at import). The driver needs the classes, and
    `nnfs.init()`, not the run: so it runs every import, definition and set-up statement (a call
    to something imported: `nnfs.init()`, `spiral_data(...)`, `print`), and leaves out every
    loop and every statement that calls the module's own classes or functions, or uses what
    such a statement made (`dense1 = Layer_Dense(2, 3)`, `dense1.forward(X)`, `print(loss)`)."""
    own = {node.name for node in tree.body if isinstance(node, DEFINITIONS[2:])}
    made: set[str] = set()  # names bound by a left-out statement
    kept, skipped = [], []
    for node in tree.body:
        if isinstance(node, DEFINITIONS) or not _is_script(node, own | made):
            kept.append(node)
            continue
        skipped.extend(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        made |= {
            n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
    return kept, skipped


def _is_script(node, script_names):
    """A loop, or a statement that calls or reads a name of the script."""
    if isinstance(node, LOOPS):
        return True
    for n in ast.walk(node):
        if isinstance(n, LOOPS):
            return True
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in script_names:
            return True
    return False


def book_dtype(requested):
    """--dtype, else float32 when the module ran nnfs.init() (float32 zeros, a patched np.dot)."""
    if requested:
        return np.dtype(requested)
    float32 = np.zeros((1, 1)).dtype == np.float32 or np.dot is not ORIGINAL_DOT
    return np.dtype(np.float32 if float32 else np.float64)


def hello(book):
    declared, why = [], {}
    for stage, (_, alternatives) in STAGES.items():
        reason = missing(book, alternatives)
        if reason is None:
            declared.append(stage)
        else:
            why[stage] = f"{reason}: {HOW[stage]}" if stage in HOW else reason
    reply = {
        "protocol": 1,
        "name": book.file,
        "language": "python",
        "dtype": book.dtype.name,
        "stages": declared,
        "label_formats": ["sparse", "onehot"],
    }
    if why:
        reply["missing"] = why
    return reply


def run(book, message):
    """One case: the outputs, `unsupported` with the missing class, or the learner's error."""
    seq, stage = message["seq"], message["stage"]
    try:
        outputs = STAGES[stage][0](book, message["inputs"], message.get("params", {}))
    except Unsupported as exc:
        return {"seq": seq, "unsupported": str(exc)}
    except (Exception, SystemExit) as exc:  # the learner's failure, never the driver's end
        return {"seq": seq, "error": {"kind": "exception", "message": describe(exc, book)}}
    converted = {}
    for name, value in outputs.items():
        try:
            converted[name] = plain(value)
        except TypeError as exc:
            message = f"output {name!r} of {stage} {exc}"
            return {"seq": seq, "error": {"kind": "exception", "message": message}}
    return {"seq": seq, "outputs": converted}


def claim_stdio():
    """The protocol's own copies of stdin and stdout; then fd 1 becomes stderr and fd 0
    /dev/null, so no print or input() of the learner, Python or C, can touch the protocol."""
    sys.stdout.flush()
    protocol_in = os.fdopen(os.dup(0), "rb")
    protocol_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    return protocol_in, protocol_out


def refuse(line):
    """The module cannot be graded: its one line on stderr, and in the file the CLI reads back
    (NNFS_BOOK_FATAL); exit status IMPORT_FAILED, before the hello."""
    print(line, file=sys.stderr, flush=True)
    if os.environ.get(FATAL_FILE):
        with open(os.environ[FATAL_FILE], "w", encoding="utf-8") as f:
            f.write(line + "\n")
    return IMPORT_FAILED


def main(argv):
    parser = argparse.ArgumentParser(prog="book_port.py", description=__doc__.splitlines()[0])
    parser.add_argument("file", help="the learner's module, written with the book's classes")
    parser.add_argument(
        "--dtype",
        choices=("float32", "float64"),
        help="override the detected dtype (nnfs.init() means float32)",
    )
    args = parser.parse_args(argv)
    path = os.path.abspath(args.file)
    protocol_in, protocol_out = claim_stdio()
    try:
        module = load(path)
    except BaseException as exc:  # noqa: BLE001 - SystemExit too: it is the learner's
        return refuse(import_failure(exc, path, args.file))
    sys.stdout.flush()
    book = Book(module, path, book_dtype(args.dtype))
    mismatch = signature_mismatch(book)
    if mismatch is not None:
        return refuse(mismatch)
    for line in protocol_in:
        if not line.strip():
            continue
        try:
            message = json.loads(line)
            cmd = message["cmd"]
        except (ValueError, KeyError, TypeError):
            print(f"book_port.py: not a protocol message: {line[:200]!r}", file=sys.stderr)
            return 1
        if cmd == "bye":
            return 0
        reply = hello(book) if cmd == "hello" else run(book, message)
        protocol_out.write(json.dumps(reply, allow_nan=False, separators=(",", ":")) + "\n")
        protocol_out.flush()
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

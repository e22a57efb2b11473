"""Chapters 18-19: the book's Model.train, mini-batches over epochs, evaluated after each epoch."""

import numpy as np

from nnfs_conform.suite.stages import HYPERPARAMETERS, STATE

from .activations import relu_forward, softmax_forward
from .backward import dense_backward, relu_backward, softmax_crossentropy_backward
from .dense import dense_batch_forward
from .loss import accuracy_forward, categorical_crossentropy_forward
from .regularization import regularization
from .training import STEP

EPOCH_OUTPUTS = (
    "loss",
    "data_loss",
    "regularization_loss",
    "accuracy",
    "learning_rate",
    "validation_loss",
    "validation_accuracy",
)


class Accumulated:
    # The book's Loss and Accuracy since new_pass(): a running sum over every sample of the pass
    # and the count of samples.
    # NOTE: the pass's value is accumulated_sum / accumulated_count, NOT the mean of the batches'
    #       means: a short last batch weighs its samples, not itself.
    def __init__(self):
        self.accumulated_sum = 0
        self.accumulated_count = 0

    def add(self, values):
        self.accumulated_sum += np.sum(values)
        self.accumulated_count += len(values)

    def calculate_accumulated(self):
        return self.accumulated_sum / self.accumulated_count


def train_steps(samples, batch_size):
    # NOTE: the book's N // S, plus one when a short batch is left over: ceil(N / S). A batch
    #       size above N is one step of all N samples.
    steps = samples // batch_size
    if steps * batch_size < samples:
        steps += 1
    return steps


def model_forward(X, layers):
    # Dense(K, H) -> ReLU -> Dense(H, C) -> softmax: (dense1, relu1, probabilities)
    dense1 = dense_batch_forward(X, layers[0]["weights"], layers[0]["biases"])
    relu1 = relu_forward(dense1)
    dense2 = dense_batch_forward(relu1, layers[1]["weights"], layers[1]["biases"])
    return dense1, relu1, softmax_forward(dense2)


def train_model(
    inputs,
    y_true,
    validation_inputs,
    validation_y_true,
    weights1,
    biases1,
    weights2,
    biases2,
    epochs,
    batch_size,
    regularizers,
    optimizer,
    hyper,
):
    # Model.train(X, y, epochs=epochs, batch_size=batch_size, validation_data=(X_val, y_val))
    # on Dense(K, H, **regularizers) -> ReLU -> Dense(H, C) -> Softmax with the categorical
    # cross-entropy (the combined backward) and Accuracy_Categorical. regularizers: the four
    # factors of the first layer (weight l1, weight l2, bias l1, bias l2); the second has none.
    # Returns, per epoch: the printed loss (= data_loss + regularization_loss), data_loss,
    # regularization_loss, accuracy, learning_rate, and the validation's loss and accuracy;
    # then the parameters after the last epoch.
    # NOTE: batch `step` is rows [step·S, (step + 1)·S) in the order given: no shuffle here (the
    #       book shuffles the data set once, before training).
    layers = [{"weights": weights1, "biases": biases1}, {"weights": weights2, "biases": biases2}]
    for layer in layers:  # optimizer state starts at zeros
        for name in STATE[optimizer]:
            like = layer["weights"] if name.startswith("weight") else layer["biases"]
            layer[name] = np.zeros_like(like)
    settings = {name: hyper[name] for name in HYPERPARAMETERS[optimizer]}
    record = {name: [] for name in EPOCH_OUTPUTS}
    steps, iterations = train_steps(len(inputs), batch_size), 0
    for _ in range(epochs):
        loss, accuracy = Accumulated(), Accumulated()  # new_pass()
        for step in range(steps):
            batch_X = inputs[step * batch_size : (step + 1) * batch_size]
            batch_y = y_true[step * batch_size : (step + 1) * batch_size]
            dense1, relu1, probabilities = model_forward(batch_X, layers)
            loss.add(categorical_crossentropy_forward(probabilities, batch_y))
            predictions, _ = accuracy_forward(probabilities, batch_y)
            labels = batch_y if batch_y.ndim == 1 else np.argmax(batch_y, axis=1)
            accuracy.add(predictions == labels)
            # backward: the combined softmax/cross-entropy gradient, then the layers; the first
            # layer adds its regularization gradients to its data gradients (Layer_Dense.backward)
            dvalues = softmax_crossentropy_backward(probabilities, batch_y)
            dweights2, dbiases2, drelu1 = dense_backward(relu1, layers[1]["weights"], dvalues)
            ddense1 = relu_backward(dense1, drelu1)
            dweights1, dbiases1, _ = dense_backward(batch_X, layers[0]["weights"], ddense1)
            _, reg_dweights, reg_dbiases = regularization(
                layers[0]["weights"], layers[0]["biases"], *regularizers
            )
            gradients = ((dweights1 + reg_dweights, dbiases1 + reg_dbiases), (dweights2, dbiases2))
            # pre_update_params, update_params for both layers, post_update_params
            for layer, (dweights, dbiases) in zip(layers, gradients):
                state = {name: layer[name] for name in STATE[optimizer]}
                result = STEP[optimizer](
                    layer["weights"],
                    layer["biases"],
                    dweights,
                    dbiases,
                    **state,
                    iterations=iterations,
                    **settings,
                )
                layer.update({name: result[name] for name in ("weights", "biases", *state)})
            iterations += 1
        # NOTE: the epoch's regularization loss is computed at the end of the epoch, from the
        #       parameters after its last update (calculate_accumulated(include_regularization=
        #       True)), and the printed loss adds it to the accumulated data loss.
        data_loss = loss.calculate_accumulated()
        regularization_loss = regularization(
            layers[0]["weights"], layers[0]["biases"], *regularizers
        )[0]
        record["loss"].append(data_loss + regularization_loss)
        record["data_loss"].append(data_loss)
        record["regularization_loss"].append(regularization_loss)
        record["accuracy"].append(accuracy.calculate_accumulated())
        # NOTE: the rate printed after the epoch is current_learning_rate: the one its last
        #       step used (iterations keep counting across epochs).
        record["learning_rate"].append(result["learning_rate"])
        validation_loss, validation_accuracy = evaluate(
            validation_inputs, validation_y_true, layers, batch_size
        )
        record["validation_loss"].append(validation_loss)
        record["validation_accuracy"].append(validation_accuracy)
    for i, layer in enumerate(layers, start=1):
        record[f"weights{i}"] = layer["weights"]
        record[f"biases{i}"] = layer["biases"]
    return record


def evaluate(X_val, y_val, layers, batch_size):
    # Model.evaluate: the same batches, forward without training, the accumulated data loss
    # (NOTE: no regularization) and accuracy.
    loss, accuracy = Accumulated(), Accumulated()
    for step in range(train_steps(len(X_val), batch_size)):
        batch_X = X_val[step * batch_size : (step + 1) * batch_size]
        batch_y = y_val[step * batch_size : (step + 1) * batch_size]
        _, _, probabilities = model_forward(batch_X, layers)
        loss.add(categorical_crossentropy_forward(probabilities, batch_y))
        predictions, _ = accuracy_forward(probabilities, batch_y)
        labels = batch_y if batch_y.ndim == 1 else np.argmax(batch_y, axis=1)
        accuracy.add(predictions == labels)
    return loss.calculate_accumulated(), accuracy.calculate_accumulated()

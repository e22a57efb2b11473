"""Chapters 18-22: what the Model object adds around the network: predictions of each output
activation, mini-batches, accumulated evaluation, training over epochs with validation, the
data set's preprocessing, and saving and loading parameters; and what must hold when one
object is used twice."""

import json

import numpy as np

from nnfs_conform.suite.stages import EPOCH_OUTPUTS, HYPERPARAMETERS

from .activations import relu_forward, softmax_forward
from .backward import dense_backward, relu_backward
from .dense import dense_batch_forward
from .loss import categorical_crossentropy_forward
from .optimizers import adam_step
from .regularization import regularization
from .training import model_backward, model_forward, new_layers, update_layers


def predictions(outputs, activation):
    # The output activation's predictions(): Softmax argmax (first maximum), Sigmoid > 0.5,
    # Linear the outputs themselves.
    if activation == "softmax":
        return np.argmax(outputs, axis=1)
    if activation == "sigmoid":
        return (outputs > 0.5) * 1
    return outputs


def batch_rows(samples, batch_size):
    # Model.train's steps: samples // batch_size, plus one for a short last batch (one step of
    # every sample when batch_size > samples); step `s` takes rows [s·S, (s + 1)·S) in order.
    steps = samples // batch_size
    if steps * batch_size < samples:
        steps += 1
    return [slice(step * batch_size, (step + 1) * batch_size) for step in range(steps)]


def batches(inputs, batch_size):
    # Each batch Model.train takes: its size, first and last row.
    taken = [inputs[rows] for rows in batch_rows(len(inputs), batch_size)]
    return {
        "steps": len(taken),
        "batch_sizes": [len(batch) for batch in taken],
        "first_rows": [batch[0] for batch in taken],
        "last_rows": [batch[-1] for batch in taken],
    }


def evaluate(y_pred, y_true, batch_size):
    # Model.evaluate: the loss and accuracy ACCUMULATED over batches (sums / counts, the
    # book's calculate_accumulated), not the mean of the batch means.
    accumulated_loss = accumulated_hits = accumulated_count = 0
    labels = np.argmax(y_true, axis=1) if y_true.ndim == 2 else y_true
    for rows in batch_rows(len(y_pred), batch_size):
        sample_losses = categorical_crossentropy_forward(y_pred[rows], y_true[rows])
        accumulated_loss += np.sum(sample_losses)
        accumulated_hits += np.sum(np.argmax(y_pred[rows], axis=1) == labels[rows])
        accumulated_count += len(sample_losses)
    return {
        "loss": accumulated_loss / accumulated_count,
        "accuracy": accumulated_hits / accumulated_count,
    }


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
    layers = new_layers(weights1, biases1, weights2, biases2, optimizer)
    settings = {name: hyper[name] for name in HYPERPARAMETERS[optimizer]}
    record = {name: [] for name in EPOCH_OUTPUTS}
    iterations = 0
    for _ in range(epochs):
        trained = []  # each batch's probabilities, from before its update
        for rows in batch_rows(len(inputs), batch_size):
            batch_X, batch_y = inputs[rows], y_true[rows]
            dense1, relu1, probabilities = model_forward(batch_X, layers)
            trained.append(probabilities)
            # backward: the combined softmax/cross-entropy gradient, then the layers; the first
            # layer adds its regularization gradients to its data gradients (Layer_Dense.backward)
            (dweights1, dbiases1), second = model_backward(
                batch_X, batch_y, layers, dense1, relu1, probabilities
            )
            _, reg_dweights, reg_dbiases = regularization(
                layers[0]["weights"], layers[0]["biases"], *regularizers
            )
            gradients = ((dweights1 + reg_dweights, dbiases1 + reg_dbiases), second)
            learning_rate = update_layers(layers, gradients, optimizer, settings, iterations)
            iterations += 1
        # The epoch's data loss and accuracy: accumulated over its batches (new_pass() then
        # calculate_accumulated()), Model.evaluate's sums over the probabilities it trained on.
        epoch = evaluate(np.concatenate(trained), y_true, batch_size)
        data_loss = epoch["loss"]
        # NOTE: the epoch's regularization loss is computed at the end of the epoch, from the
        #       parameters after its last update (calculate_accumulated(include_regularization=
        #       True)), and the printed loss adds it to the accumulated data loss.
        regularization_loss = regularization(
            layers[0]["weights"], layers[0]["biases"], *regularizers
        )[0]
        record["loss"].append(data_loss + regularization_loss)
        record["data_loss"].append(data_loss)
        record["regularization_loss"].append(regularization_loss)
        record["accuracy"].append(epoch["accuracy"])
        # NOTE: the rate printed after the epoch is current_learning_rate: the one its last
        #       step used (iterations keep counting across epochs).
        record["learning_rate"].append(learning_rate)
        # Model.evaluate of the validation set: the same batches, forward only; NOTE: its loss
        # has no regularization.
        validation = [
            model_forward(validation_inputs[rows], layers)[2]
            for rows in batch_rows(len(validation_inputs), batch_size)
        ]
        validated = evaluate(np.concatenate(validation), validation_y_true, batch_size)
        record["validation_loss"].append(validated["loss"])
        record["validation_accuracy"].append(validated["accuracy"])
    for i, layer in enumerate(layers, start=1):
        record[f"weights{i}"] = layer["weights"]
        record[f"biases{i}"] = layer["biases"]
    return record


def preprocess(images, labels, keys):
    # Chapter 19: scale the bytes to [-1, 1], flatten each image to a row, then X[keys], y[keys].
    X = (images.reshape(images.shape[0], -1) - 127.5) / 127.5
    return {"x": X[keys], "y": labels[keys]}


def parameters(inputs, weights1, biases1, weights2, biases2):
    # Chapter 21: get_parameters, save them (JSON here, where the book pickles the same list of
    # (weights, biases) pairs), load them into a fresh model with set_parameters, and use it.
    saved = json.dumps(
        [[w.tolist(), b.tolist()] for w, b in ((weights1, biases1), (weights2, biases2))]
    )
    (w1, b1), (w2, b2) = [
        (np.array(w, dtype=weights1.dtype), np.array(b, dtype=biases1.dtype))
        for w, b in json.loads(saved)
    ]
    output = softmax_forward(
        dense_batch_forward(relu_forward(dense_batch_forward(inputs, w1, b1)), w2, b2)
    )
    return {"weights1": w1, "biases1": b1, "weights2": w2, "biases2": b2, "output": output}


def repeated_forward(inputs1, inputs2, weights, biases, dvalues):
    # One Layer_Dense and one Activation_ReLU called on two batches in a row, then backward:
    # every output and gradient comes from the second batch alone, nothing from the first.
    dense1 = dense_batch_forward(inputs1, weights, biases)
    output1 = relu_forward(dense1)
    dense2 = dense_batch_forward(inputs2, weights, biases)
    output2 = relu_forward(dense2)
    dweights, dbiases, dinputs = dense_backward(inputs2, weights, relu_backward(dense2, dvalues))
    return {
        "output1": output1,
        "output2": output2,
        "dweights": dweights,
        "dbiases": dbiases,
        "dinputs": dinputs,
    }


def shared_optimizer(layers, steps, hyper):
    # One Optimizer_Adam for two layers, as a Model uses it: pre_update_params once, then
    # update_params for each layer with that layer's own state, then post_update_params once.
    # The same gradients are applied at every step.
    state = [
        {name: np.zeros_like(layer[of]) for name, of in _ADAM_STATE.items()} for layer in layers
    ]
    for iteration in range(steps):
        for layer, own in zip(layers, state):
            result = adam_step(
                layer["weights"],
                layer["biases"],
                layer["dweights"],
                layer["dbiases"],
                **own,
                iterations=iteration,
                **hyper,
            )
            layer["weights"], layer["biases"] = result["weights"], result["biases"]
            own.update({name: result[name] for name in _ADAM_STATE})
    (l1, l2) = layers
    return {
        "weights1": l1["weights"],
        "biases1": l1["biases"],
        "weights2": l2["weights"],
        "biases2": l2["biases"],
    }


_ADAM_STATE = {
    "weight_momentums": "weights",
    "bias_momentums": "biases",
    "weight_cache": "weights",
    "bias_cache": "biases",
}

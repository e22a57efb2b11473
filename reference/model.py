"""Chapters 18-22: what the Model object adds around the network: predictions of each output
activation, mini-batches, accumulated evaluation, the data set's preprocessing, and saving
and loading parameters; and what must hold when one object is used twice."""

import json

import numpy as np

from .activations import relu_forward, softmax_forward
from .backward import dense_backward, relu_backward
from .dense import dense_batch_forward
from .loss import categorical_crossentropy_forward
from .optimizers import adam_step


def predictions(outputs, activation):
    # The output activation's predictions(): Softmax argmax (first maximum), Sigmoid > 0.5,
    # Linear the outputs themselves.
    if activation == "softmax":
        return np.argmax(outputs, axis=1)
    if activation == "sigmoid":
        return (outputs > 0.5) * 1
    return outputs


def batches(inputs, batch_size):
    # Model.train's steps: len // batch_size, plus one for a short last batch; batch `step` is
    # inputs[step*batch_size:(step+1)*batch_size]. Each batch's size, first and last row.
    steps = len(inputs) // batch_size
    if steps * batch_size < len(inputs):
        steps += 1
    taken = [inputs[step * batch_size : (step + 1) * batch_size] for step in range(steps)]
    return {
        "steps": steps,
        "batch_sizes": [len(batch) for batch in taken],
        "first_rows": [batch[0] for batch in taken],
        "last_rows": [batch[-1] for batch in taken],
    }


def evaluate(y_pred, y_true, batch_size):
    # Model.evaluate: the loss and accuracy ACCUMULATED over batches (sums / counts, the
    # book's calculate_accumulated), not the mean of the batch means.
    accumulated_loss = accumulated_hits = accumulated_count = 0
    steps = batches(y_pred, batch_size)["steps"]
    labels = np.argmax(y_true, axis=1) if y_true.ndim == 2 else y_true
    for step in range(steps):
        rows = slice(step * batch_size, (step + 1) * batch_size)
        sample_losses = categorical_crossentropy_forward(y_pred[rows], y_true[rows])
        accumulated_loss += np.sum(sample_losses)
        accumulated_hits += np.sum(np.argmax(y_pred[rows], axis=1) == labels[rows])
        accumulated_count += len(sample_losses)
    return {
        "loss": accumulated_loss / accumulated_count,
        "accuracy": accumulated_hits / accumulated_count,
    }


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

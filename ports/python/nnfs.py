"""The stages of Neural Networks from Scratch, chapters 1 to 22, in plain Python.

One function per stage, named as in the suite, in the book's order. Each takes plain lists
(floats; labels and dropout masks as ints) and returns its output, or a tuple of its outputs in
docs/STAGES.md's order. The inputs are checked before they get here (kits/python/nnfs_kit.py),
so, like the book, this code checks nothing. Standard library only: loops over lists,
math.exp and math.log, as in the book's first chapters.
"""

import json
import math
import tempfile

# ---------------------------------------------------------------------------------------------
# Chapters 1-5: the forward pass


def neuron(inputs, weights, bias):
    # inputs (K), weights (K), bias (scalar) -> output (scalar)
    output = 0.0
    for k in range(len(inputs)):
        output += inputs[k] * weights[k]
    return output + bias


def layer(inputs, weights, biases):
    # inputs (K), weights (N, K): one row per neuron, biases (N) -> output (N)
    output = []
    for n in range(len(weights)):
        total = 0.0
        for k in range(len(inputs)):
            total += inputs[k] * weights[n][k]
        output.append(total + biases[n])
    return output


def dense_batch(inputs, weights, biases):
    # inputs (B, K); weights (K, N) as Layer_Dense keeps them (the kit transposes chapter 2's
    # per-neuron rows); biases (N) -> output (B, N) = inputs @ weights + biases
    output = []
    for row in inputs:
        out_row = []
        for n in range(len(biases)):
            total = 0.0
            for k in range(len(row)):
                total += row[k] * weights[k][n]
            out_row.append(total + biases[n])
        output.append(out_row)
    return output


def relu(inputs):
    # inputs (B, K) (the kit gives a rank-1 case as one row) -> output (B, K)
    # NOTE: `0.0 if x < 0 else x`, not max(0, x): Python's max(0, x) returns the int 0 and
    #       turns NaN into 0; this keeps floats and lets NaN through, as np.maximum does.
    return elementwise(lambda x: 0.0 if x < 0 else x, inputs)


def dense_relu(inputs, weights, biases):
    # chapter 4's first chain, before any loss: the layer's output and ReLU of it
    dense = dense_batch(inputs, weights, biases)
    return dense, relu(dense)


def softmax(inputs):
    # inputs (B, C) logits -> output (B, C), each row sums to 1
    # NOTE: subtracts the row maximum first, so exp never overflows; the running maximum
    #       starts at the row's first element, not at 0 (a row of negative logits).
    output = []
    for row in inputs:
        largest = row[0] if row else 0.0
        for x in row:
            if x > largest:
                largest = x
        exp_values = [math.exp(x - largest) for x in row]
        total = 0.0
        for e in exp_values:
            total += e
        output.append([e / total for e in exp_values])
    return output


def dense_relu_dense_softmax(inputs, weights1, biases1, weights2, biases2):
    # chapter 4's whole network, before chapter 5 adds the loss
    dense1, relu1 = dense_relu(inputs, weights1, biases1)
    dense2 = dense_batch(relu1, weights2, biases2)
    return dense1, relu1, dense2, softmax(dense2)


CLIP_LOW = 1e-7
CLIP_HIGH = 1 - 1e-7


def categorical_crossentropy(y_pred, y_true):
    # y_pred (B, C) probabilities; y_true (B) class indices or (B, C) one-hot rows
    # -> sample_losses (B), loss (scalar: the mean, not the sum)
    # NOTE: y_pred is clipped to [1e-7, 1 - 1e-7] so log(0) never happens; natural log.
    sample_losses = []
    for b in range(len(y_pred)):
        clipped = [clip(p) for p in y_pred[b]]
        if is_one_hot(y_true):
            correct_confidence = 0.0
            for c in range(len(clipped)):
                correct_confidence += clipped[c] * y_true[b][c]
        else:
            correct_confidence = clipped[y_true[b]]
        sample_losses.append(-math.log(correct_confidence))
    return sample_losses, mean(sample_losses)


def accuracy(y_pred, y_true):
    # y_pred (B, C); y_true (B) class indices or (B, C) one-hot rows
    # -> predictions (B) integers, accuracy (scalar): the fraction of predictions that match
    if is_one_hot(y_true):
        y_true = [argmax(row) for row in y_true]
    predictions = [argmax(row) for row in y_pred]
    matches = 0
    for b in range(len(predictions)):
        if predictions[b] == y_true[b]:
            matches += 1
    return predictions, matches / len(predictions)


def forward(inputs, weights1, biases1, weights2, biases2, y_true):
    # inputs (B, K), weights1 (K, H), biases1 (H), weights2 (H, C), biases2 (C),
    # y_true (B) or (B, C): the chapter 5 network, dense -> ReLU -> dense -> softmax -> loss
    dense1 = dense_batch(inputs, weights1, biases1)
    relu1 = relu(dense1)
    dense2 = dense_batch(relu1, weights2, biases2)
    probabilities = softmax(dense2)
    sample_losses, loss = categorical_crossentropy(probabilities, y_true)
    predictions, acc = accuracy(probabilities, y_true)
    return {
        "dense1": dense1,
        "relu1": relu1,
        "dense2": dense2,
        "softmax": probabilities,
        "sample_losses": sample_losses,
        "loss": loss,
        "predictions": predictions,
        "accuracy": acc,
    }


# ---------------------------------------------------------------------------------------------
# Chapter 9: backpropagation. Each stage takes what the book's layer saved in its forward pass
# (the inputs, or the output) and the gradient flowing in (dvalues), and returns the gradients.


def dense_backward(inputs, weights, dvalues):
    # inputs (B, K), weights (K, N) as Layer_Dense keeps them, dvalues (B, N)
    # -> dweights (K, N) = inputs.T @ dvalues, dbiases (N), dinputs (B, K) = dvalues @ weights.T
    neurons = len(weights[0]) if weights else len(dvalues[0])
    dweights = []
    for k in range(len(weights)):
        row = []
        for n in range(neurons):
            total = 0.0
            for b in range(len(inputs)):
                total += inputs[b][k] * dvalues[b][n]
            row.append(total)
        dweights.append(row)
    # NOTE: the bias gradient is the SUM over the batch (axis 0), one value per neuron.
    dbiases = []
    for n in range(neurons):
        total = 0.0
        for b in range(len(dvalues)):
            total += dvalues[b][n]
        dbiases.append(total)
    dinputs = []
    for b in range(len(dvalues)):
        row = []
        for k in range(len(weights)):
            total = 0.0
            for n in range(neurons):
                total += dvalues[b][n] * weights[k][n]
            row.append(total)
        dinputs.append(row)
    return dweights, dbiases, dinputs


def relu_backward(inputs, dvalues):
    # inputs: the forward pass's inputs (B, K); dvalues (B, K) -> dinputs (B, K)
    # NOTE: the gradient is 0 where the INPUT is <= 0, including exactly 0 and -0.0: the mask
    #       is taken on the forward inputs, never on dvalues.
    return elementwise(lambda x, d: 0.0 if x <= 0 else d, inputs, dvalues)


def repeated_forward(inputs1, inputs2, weights, biases, dvalues):
    # one Layer_Dense and one Activation_ReLU, called on two batches in a row, then backward:
    # each call starts afresh, so everything after the second comes from inputs2 alone
    output1 = relu(dense_batch(inputs1, weights, biases))
    dense2 = dense_batch(inputs2, weights, biases)
    output2 = relu(dense2)
    dweights, dbiases, dinputs = dense_backward(inputs2, weights, relu_backward(dense2, dvalues))
    return output1, output2, dweights, dbiases, dinputs


def softmax_backward(output, dvalues):
    # output: the softmax's forward output (B, C); dvalues (B, C) -> dinputs (B, C)
    # Per sample, the Jacobian diag(p) - p·pᵀ times the sample's dvalues, as the book writes it.
    dinputs = []
    for p, dv in zip(output, dvalues):
        row = []
        for i in range(len(p)):
            total = 0.0
            for j in range(len(p)):
                jacobian_ij = (p[i] if i == j else 0.0) - p[i] * p[j]
                total += jacobian_ij * dv[j]
            row.append(total)
        dinputs.append(row)
    return dinputs


def categorical_crossentropy_backward(y_pred, y_true):
    # y_pred (B, C), y_true (B) or (B, C) -> dinputs (B, C) = -y_true_onehot / y_pred / B
    # NOTE: no clipping here (the book does not clip in the backward pass).
    samples = len(y_pred)
    return elementwise(lambda y, p: -y / p / samples, one_hot(y_true, len(y_pred[0])), y_pred)


def softmax_crossentropy_backward(y_pred, y_true, path):
    # y_pred (B, C): the SOFTMAX OUTPUT; y_true (B) or (B, C) -> dinputs (B, C)
    # combined: (y_pred - y_true_onehot) / B, divided by the number of SAMPLES, not classes;
    # separate: the two backward passes chained. Both give the same number.
    if path == "separate":
        return softmax_backward(y_pred, categorical_crossentropy_backward(y_pred, y_true))
    samples = len(y_pred)
    return elementwise(lambda p, y: (p - y) / samples, y_pred, one_hot(y_true, len(y_pred[0])))


# ---------------------------------------------------------------------------------------------
# Chapters 14-15: L1 and L2 regularization, and dropout with a given mask


def regularization(
    weights,
    biases,
    weight_regularizer_l1,
    weight_regularizer_l2,
    bias_regularizer_l1,
    bias_regularizer_l2,
):
    # weights (K, N), biases (N), four factors >= 0
    # -> loss (scalar), dweights (K, N), dbiases (N): the regularization's own terms, which the
    #    book's Layer_Dense.backward adds to the data gradients
    weight_l1, weight_l2 = weight_regularizer_l1, weight_regularizer_l2
    bias_l1, bias_l2 = bias_regularizer_l1, bias_regularizer_l2
    flat_weights = [w for row in weights for w in row]
    loss = (
        weight_l1 * sum_of(abs(w) for w in flat_weights)
        + weight_l2 * sum_of(w * w for w in flat_weights)
        + bias_l1 * sum_of(abs(b) for b in biases)
        + bias_l2 * sum_of(b * b for b in biases)
    )
    return (
        loss,
        elementwise(lambda w: weight_l1 * dl1(w) + 2 * weight_l2 * w, weights),
        elementwise(lambda b: bias_l1 * dl1(b) + 2 * bias_l2 * b, biases),
    )


def dl1(w):
    # NOTE: the book's dL1: +1 where w >= 0, INCLUDING 0 and -0.0, and -1 where w < 0.
    return -1.0 if w < 0 else 1.0


def dropout(inputs, mask, rate, dvalues):
    # inputs (B, N), mask (B, N) of 0 or 1 (the binomial draws: 1 keeps), rate: the DROP rate of
    # Layer_Dropout(rate), in [0, 1); dvalues (B, N) -> output, dinputs (B, N)
    # NOTE: inverted dropout: kept values are scaled by 1 / (1 - rate).
    binary_mask = elementwise(lambda m: m / (1 - rate), mask)
    return (
        elementwise(lambda x, m: x * m, inputs, binary_mask),
        elementwise(lambda d, m: d * m, dvalues, binary_mask),
    )


# ---------------------------------------------------------------------------------------------
# Chapters 16-17: sigmoid, binary cross-entropy, mean squared and mean absolute error


def sigmoid(inputs, dvalues):
    # inputs (B, N), dvalues (B, N) -> output = 1 / (1 + exp(-x)), dinputs = dvalues·(1 - s)·s
    output = elementwise(lambda x: 1 / (1 + exp(-x)), inputs)
    return output, elementwise(lambda d, s: d * (1 - s) * s, dvalues, output)


def binary_crossentropy(y_pred, y_true):
    # y_pred (B, O) sigmoid outputs, y_true (B, O) of 0 or 1
    # -> sample_losses (B): each the mean over its O outputs, loss (the mean), dinputs (B, O)
    # NOTE: y_pred is clipped to [1e-7, 1 - 1e-7] in the forward AND the backward pass.
    samples, outputs = len(y_pred), len(y_pred[0])
    clipped = elementwise(clip, y_pred)
    sample_losses = [
        mean([-(y * math.log(c) + (1 - y) * math.log(1 - c)) for y, c in zip(y_row, c_row)])
        for y_row, c_row in zip(y_true, clipped)
    ]
    dinputs = elementwise(
        lambda y, c: -(y / c - (1 - y) / (1 - c)) / outputs / samples, y_true, clipped
    )
    return sample_losses, mean(sample_losses), dinputs


def binary_accuracy(y_pred, y_true):
    # y_pred (B, O) sigmoid outputs, y_true (B, O) 0 or 1 -> predictions (B, O), accuracy
    # NOTE: strictly above 0.5 is class 1 (the book's `output > 0.5`); every output counts.
    predictions = [[1 if p > 0.5 else 0 for p in row] for row in y_pred]
    matches = count = 0
    for prediction_row, true_row in zip(predictions, y_true):
        for prediction, y in zip(prediction_row, true_row):
            matches += prediction == y
            count += 1
    return predictions, matches / count


def linear(inputs, dvalues):
    # Activation_Linear: forward returns the inputs, backward passes dvalues unchanged
    return [list(row) for row in inputs], [list(row) for row in dvalues]


def mean_squared_error(y_pred, y_true):
    # y_pred (B, O), y_true (B, O) numbers -> sample_losses (B), loss, dinputs (B, O)
    samples, outputs = len(y_pred), len(y_pred[0])
    sample_losses = [
        mean([(t - p) * (t - p) for t, p in zip(t_row, p_row)])
        for t_row, p_row in zip(y_true, y_pred)
    ]
    dinputs = elementwise(lambda t, p: -2 * (t - p) / outputs / samples, y_true, y_pred)
    return sample_losses, mean(sample_losses), dinputs


def mean_absolute_error(y_pred, y_true):
    # y_pred (B, O), y_true (B, O) numbers -> sample_losses (B), loss, dinputs (B, O)
    # NOTE: the gradient of |y_pred - y_true| is sign(y_pred - y_true), 0 where they are equal.
    #       The book's np.sign(y_true - dvalues) has the wrong sign.
    samples, outputs = len(y_pred), len(y_pred[0])
    sample_losses = [
        mean([abs(t - p) for t, p in zip(t_row, p_row)]) for t_row, p_row in zip(y_true, y_pred)
    ]
    dinputs = elementwise(lambda t, p: sign(p - t) / outputs / samples, y_true, y_pred)
    return sample_losses, mean(sample_losses), dinputs


def regression_accuracy(y_pred, y_true, precision):
    # Accuracy_Regression: the share of outputs within precision (strictly) of their target
    hits = count = 0
    for prediction_row, true_row in zip(y_pred, y_true):
        for prediction, y in zip(prediction_row, true_row):
            hits += abs(prediction - y) < precision
            count += 1
    return hits / count


# ---------------------------------------------------------------------------------------------
# Chapter 10: one optimizer step on one dense layer, the whole state in and out: the book's
# pre_update_params, update_params and post_update_params. Each returns the weights, the
# biases, its state, the learning rate it used and the iteration count after the step.


def current_learning_rate(learning_rate, decay, iterations):
    # NOTE: lr0 / (1 + decay·iterations), recomputed from the initial rate at every step (never
    #       compounded); iterations counts the steps already taken, so step 0 uses lr0.
    if decay:
        return learning_rate * (1.0 / (1.0 + decay * iterations))
    return learning_rate


def sgd_step(
    weights,
    biases,
    dweights,
    dbiases,
    weight_momentums,
    bias_momentums,
    iterations,
    learning_rate,
    decay,
    momentum,
):
    lr = current_learning_rate(learning_rate, decay, iterations)
    if momentum:
        # NOTE: m = momentum·m - lr·g; w += m (the decayed rate is inside the momentum).
        weight_momentums = elementwise(
            lambda m, g: momentum * m - lr * g, weight_momentums, dweights
        )
        bias_momentums = elementwise(lambda m, g: momentum * m - lr * g, bias_momentums, dbiases)
        weight_updates, bias_updates = weight_momentums, bias_momentums
    else:
        # NOTE: without momentum the book keeps no momentum arrays: they come back unchanged.
        weight_updates = elementwise(lambda g: -lr * g, dweights)
        bias_updates = elementwise(lambda g: -lr * g, dbiases)
    return (
        elementwise(lambda w, u: w + u, weights, weight_updates),
        elementwise(lambda b, u: b + u, biases, bias_updates),
        weight_momentums,
        bias_momentums,
        lr,
        iterations + 1,
    )


def adagrad_step(
    weights,
    biases,
    dweights,
    dbiases,
    weight_cache,
    bias_cache,
    iterations,
    learning_rate,
    decay,
    epsilon,
):
    lr = current_learning_rate(learning_rate, decay, iterations)
    weight_cache = elementwise(lambda c, g: c + g * g, weight_cache, dweights)
    bias_cache = elementwise(lambda c, g: c + g * g, bias_cache, dbiases)

    # NOTE: epsilon is added OUTSIDE the square root.
    def update(w, g, c):
        return w + -lr * g / (sqrt(c) + epsilon)

    return (
        elementwise(update, weights, dweights, weight_cache),
        elementwise(update, biases, dbiases, bias_cache),
        weight_cache,
        bias_cache,
        lr,
        iterations + 1,
    )


def rmsprop_step(
    weights,
    biases,
    dweights,
    dbiases,
    weight_cache,
    bias_cache,
    iterations,
    learning_rate,
    decay,
    epsilon,
    rho,
):
    lr = current_learning_rate(learning_rate, decay, iterations)
    weight_cache = elementwise(lambda c, g: rho * c + (1 - rho) * (g * g), weight_cache, dweights)
    bias_cache = elementwise(lambda c, g: rho * c + (1 - rho) * (g * g), bias_cache, dbiases)

    def update(w, g, c):
        return w + -lr * g / (sqrt(c) + epsilon)

    return (
        elementwise(update, weights, dweights, weight_cache),
        elementwise(update, biases, dbiases, bias_cache),
        weight_cache,
        bias_cache,
        lr,
        iterations + 1,
    )


def adam_step(
    weights,
    biases,
    dweights,
    dbiases,
    weight_momentums,
    bias_momentums,
    weight_cache,
    bias_cache,
    iterations,
    learning_rate,
    decay,
    epsilon,
    beta_1,
    beta_2,
):
    lr = current_learning_rate(learning_rate, decay, iterations)
    # NOTE: the bias correction divides by 1 - beta^(iterations + 1): the step count is 1-based
    #       there, and the betas are never decayed.
    correction_1 = 1 - beta_1 ** (iterations + 1)
    correction_2 = 1 - beta_2 ** (iterations + 1)
    weight_momentums = elementwise(
        lambda m, g: beta_1 * m + (1 - beta_1) * g, weight_momentums, dweights
    )
    bias_momentums = elementwise(
        lambda m, g: beta_1 * m + (1 - beta_1) * g, bias_momentums, dbiases
    )
    weight_cache = elementwise(
        lambda c, g: beta_2 * c + (1 - beta_2) * (g * g), weight_cache, dweights
    )
    bias_cache = elementwise(lambda c, g: beta_2 * c + (1 - beta_2) * (g * g), bias_cache, dbiases)

    # NOTE: epsilon is added to the square root of the CORRECTED cache, outside the root.
    def update(w, m, c):
        return w + -lr * (m / correction_1) / (sqrt(c / correction_2) + epsilon)

    return (
        elementwise(update, weights, weight_momentums, weight_cache),
        elementwise(update, biases, bias_momentums, bias_cache),
        weight_momentums,
        bias_momentums,
        weight_cache,
        bias_cache,
        lr,
        iterations + 1,
    )


def shared_optimizer(
    weights1,
    biases1,
    weights2,
    biases2,
    dweights1,
    dbiases1,
    dweights2,
    dbiases2,
    steps,
    learning_rate,
    decay,
    epsilon,
    beta_1,
    beta_2,
):
    # one Optimizer_Adam for two layers: each layer keeps its own momentums and caches, and the
    # iteration count rises once per step (post_update_params), not once per layer
    layers = [
        [
            weights1,
            biases1,
            dweights1,
            dbiases1,
            zeros(weights1),
            zeros(biases1),
            zeros(weights1),
            zeros(biases1),
        ],
        [
            weights2,
            biases2,
            dweights2,
            dbiases2,
            zeros(weights2),
            zeros(biases2),
            zeros(weights2),
            zeros(biases2),
        ],
    ]
    for iteration in range(steps):
        for layer in layers:
            result = adam_step(*layer, iteration, learning_rate, decay, epsilon, beta_1, beta_2)
            layer[0:2], layer[4:8] = result[0:2], result[2:6]
    return layers[0][0], layers[0][1], layers[1][0], layers[1][1]


OPTIMIZERS = {  # name -> (step, the number of its state arrays, its hyperparameters)
    "sgd": (sgd_step, 2, ("learning_rate", "decay", "momentum")),
    "adagrad": (adagrad_step, 2, ("learning_rate", "decay", "epsilon")),
    "rmsprop": (rmsprop_step, 2, ("learning_rate", "decay", "epsilon", "rho")),
    "adam": (adam_step, 4, ("learning_rate", "decay", "epsilon", "beta_1", "beta_2")),
}


def training(
    inputs,
    y_true,
    weights1,
    biases1,
    weights2,
    biases2,
    steps,
    learning_rate,
    decay,
    momentum,
    epsilon,
    rho,
    beta_1,
    beta_2,
    optimizer,
):
    # The book's model, full batch: Dense(K, H) -> ReLU -> Dense(H, C) -> softmax and
    # cross-entropy, `steps` optimizer steps. Per step: the loss and accuracy measured BEFORE the
    # update, the learning rate it used, and every parameter AFTER it.
    # NOTE: optimizer state starts at zeros; both layers are updated with iterations = step: the
    #       count rises once per step (post_update_params), not once per layer.
    hyper = {
        "learning_rate": learning_rate,
        "decay": decay,
        "momentum": momentum,
        "epsilon": epsilon,
        "rho": rho,
        "beta_1": beta_1,
        "beta_2": beta_2,
    }
    layers = new_layers(weights1, biases1, weights2, biases2, optimizer)
    record = {
        name: []
        for name in (
            "loss",
            "accuracy",
            "learning_rate",
            "weights1",
            "biases1",
            "weights2",
            "biases2",
        )
    }
    for step in range(steps):
        probabilities, lr = train_step(layers, inputs, y_true, step, optimizer, hyper)
        record["loss"].append(categorical_crossentropy(probabilities, y_true)[1])
        record["accuracy"].append(accuracy(probabilities, y_true)[1])
        record["learning_rate"].append(lr)
        for i, layer in enumerate(layers, start=1):
            record[f"weights{i}"].append(layer["weights"])
            record[f"biases{i}"].append(layer["biases"])
    return record


def new_layers(weights1, biases1, weights2, biases2, optimizer, regularizers=(0.0,) * 4):
    # The two Layer_Dense of the book's model, each with its optimizer state at zeros and its
    # regularizers (weight l1, weight l2, bias l1, bias l2; the second layer has none).
    state_count = OPTIMIZERS[optimizer][1]
    layers = []
    for weights, biases, factors in (
        (weights1, biases1, regularizers),
        (weights2, biases2, (0.0,) * 4),
    ):
        zeros = [elementwise(lambda _: 0.0, weights), elementwise(lambda _: 0.0, biases)]
        layers.append(
            {
                "weights": weights,
                "biases": biases,
                "state": zeros * (state_count // 2),
                "regularizers": factors,
            }
        )
    return layers


def train_step(layers, inputs, y_true, iteration, optimizer, hyper):
    # One step of the book's loop on one batch: the forward pass, the backward pass (the
    # combined softmax + cross-entropy gradient; each layer adds its regularization gradients),
    # then the optimizer on both layers with the same iteration count. Updates `layers`;
    # returns the probabilities of the forward pass (before the update) and the rate it used.
    step_function, _, hyper_names = OPTIMIZERS[optimizer]
    settings = [hyper[name] for name in hyper_names]  # the others are sent, unused
    dense1 = dense_batch(inputs, layers[0]["weights"], layers[0]["biases"])
    relu1 = relu(dense1)
    dense2 = dense_batch(relu1, layers[1]["weights"], layers[1]["biases"])
    probabilities = softmax(dense2)

    dvalues = softmax_crossentropy_backward(probabilities, y_true, "combined")
    dweights2, dbiases2, drelu1 = dense_backward(relu1, layers[1]["weights"], dvalues)
    dweights1, dbiases1, _ = dense_backward(
        inputs, layers[0]["weights"], relu_backward(dense1, drelu1)
    )

    for layer, (dweights, dbiases) in (
        (layers[0], (dweights1, dbiases1)),
        (layers[1], (dweights2, dbiases2)),
    ):
        dweights, dbiases = regularized(layer, dweights, dbiases)
        weights, biases, *state, lr, _ = step_function(
            layer["weights"],
            layer["biases"],
            dweights,
            dbiases,
            *layer["state"],
            iteration,
            *settings,
        )
        layer.update(weights=weights, biases=biases, state=state)
    return probabilities, lr


def regularized(layer, dweights, dbiases):
    # Layer_Dense.backward's regularization: each term added to the data gradients only when
    # its factor is > 0, as the book writes it.
    weight_l1, weight_l2, bias_l1, bias_l2 = layer["regularizers"]
    weights, biases = layer["weights"], layer["biases"]
    if weight_l1 > 0:
        dweights = elementwise(lambda g, w: g + weight_l1 * dl1(w), dweights, weights)
    if weight_l2 > 0:
        dweights = elementwise(lambda g, w: g + 2 * weight_l2 * w, dweights, weights)
    if bias_l1 > 0:
        dbiases = elementwise(lambda g, b: g + bias_l1 * dl1(b), dbiases, biases)
    if bias_l2 > 0:
        dbiases = elementwise(lambda g, b: g + 2 * bias_l2 * b, dbiases, biases)
    return dweights, dbiases


# ---------------------------------------------------------------------------------------------
# Chapters 18-22: what the Model adds around the network


def preprocess(images, labels, keys):
    # chapter 19: each image flattened row by row and scaled to [-1, 1], then X[keys], y[keys]
    X = [[(pixel - 127.5) / 127.5 for row in image for pixel in row] for image in images]
    return [X[key] for key in keys], [labels[key] for key in keys]


def batch_slices(samples, batch_size):
    # Model.train's steps: samples // batch_size, plus one for a short last batch (one step of
    # every sample when batch_size > samples); step s takes rows [s·S, (s + 1)·S) in order
    steps = samples // batch_size
    if steps * batch_size < samples:
        steps += 1
    return [slice(step * batch_size, (step + 1) * batch_size) for step in range(steps)]


def batches(inputs, batch_size):
    # Model.train's steps and the slices it takes: a short last batch is a step of its own
    taken = [inputs[rows] for rows in batch_slices(len(inputs), batch_size)]
    return len(taken), [len(b) for b in taken], [b[0] for b in taken], [b[-1] for b in taken]


def predictions(inputs, activation):
    # the output activation's predictions(): Softmax, Sigmoid or Linear
    if activation == "softmax":
        return [argmax(row) for row in inputs]
    if activation == "sigmoid":
        return [[1 if x > 0.5 else 0 for x in row] for row in inputs]
    return [list(row) for row in inputs]


def evaluate(y_pred, y_true, batch_size):
    # Model.evaluate: sums and counts accumulated over the batches, divided once at the end
    accumulated_sum = accumulated_hits = accumulated_count = 0.0
    for rows in batch_slices(len(y_pred), batch_size):
        sample_losses, _ = categorical_crossentropy(y_pred[rows], y_true[rows])
        batch_predictions, _ = accuracy(y_pred[rows], y_true[rows])
        labels = [argmax(y) for y in y_true[rows]] if is_one_hot(y_true) else y_true[rows]
        accumulated_sum += sum_of(sample_losses)
        accumulated_hits += sum(p == y for p, y in zip(batch_predictions, labels))
        accumulated_count += len(sample_losses)
    return accumulated_sum / accumulated_count, accumulated_hits / accumulated_count


def model_training(
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
    weight_regularizer_l1,
    weight_regularizer_l2,
    bias_regularizer_l1,
    bias_regularizer_l2,
    learning_rate,
    decay,
    momentum,
    epsilon,
    rho,
    beta_1,
    beta_2,
    optimizer,
):
    # Model.train(X, y, epochs=epochs, batch_size=batch_size, validation_data=(X_val, y_val)) on
    # Dense(K, H, the four regularizers) -> ReLU -> Dense(H, C) -> Softmax with the categorical
    # cross-entropy: per epoch the loss it prints (data + regularization), the data loss, the
    # regularization loss, the accuracy, the rate, the validation loss and accuracy; then every
    # parameter after the last epoch.
    hyper = {
        "learning_rate": learning_rate,
        "decay": decay,
        "momentum": momentum,
        "epsilon": epsilon,
        "rho": rho,
        "beta_1": beta_1,
        "beta_2": beta_2,
    }
    regularizers = (
        weight_regularizer_l1,
        weight_regularizer_l2,
        bias_regularizer_l1,
        bias_regularizer_l2,
    )
    layers = new_layers(weights1, biases1, weights2, biases2, optimizer, regularizers)
    record = {
        name: []
        for name in (
            "loss",
            "data_loss",
            "regularization_loss",
            "accuracy",
            "learning_rate",
            "validation_loss",
            "validation_accuracy",
        )
    }
    iteration = 0  # NOTE: counts steps across epochs: the rate keeps decaying
    for _ in range(epochs):
        trained = []  # each batch's probabilities, taken before its update
        for rows in batch_slices(len(inputs), batch_size):
            probabilities, lr = train_step(
                layers, inputs[rows], y_true[rows], iteration, optimizer, hyper
            )
            trained += probabilities
            iteration += 1
        # the epoch's data loss and accuracy, accumulated over its batches as Model.evaluate's
        data_loss, acc = evaluate(trained, y_true, batch_size)
        # NOTE: the regularization loss is taken at the END of the epoch, from the parameters
        #       after its last update; the printed loss adds it to the accumulated data loss.
        regularization_loss = regularization(
            layers[0]["weights"], layers[0]["biases"], *regularizers
        )[0]
        record["loss"].append(data_loss + regularization_loss)
        record["data_loss"].append(data_loss)
        record["regularization_loss"].append(regularization_loss)
        record["accuracy"].append(acc)
        record["learning_rate"].append(lr)  # current_learning_rate: the last step's
        # Model.evaluate of the validation set: forward only, NOTE: no regularization loss
        validation = dense_relu_dense_softmax(validation_inputs, *parameters_of(layers))[3]
        validation_loss, validation_accuracy = evaluate(validation, validation_y_true, batch_size)
        record["validation_loss"].append(validation_loss)
        record["validation_accuracy"].append(validation_accuracy)
    record.update(zip(("weights1", "biases1", "weights2", "biases2"), parameters_of(layers)))
    return record


def parameters_of(layers):
    # get_parameters(): weights1, biases1, weights2, biases2
    return [p for layer in layers for p in (layer["weights"], layer["biases"])]


def parameters(inputs, weights1, biases1, weights2, biases2):
    # chapter 21: get_parameters, save them to a file (JSON where the book pickles), load them
    # into a fresh model with set_parameters, then use it
    with tempfile.TemporaryFile("w+") as file:
        json.dump([[weights1, biases1], [weights2, biases2]], file)  # every digit: repr
        file.seek(0)
        (w1, b1), (w2, b2) = json.load(file)
    output = dense_relu_dense_softmax(inputs, w1, b1, w2, b2)[3]
    return w1, b1, w2, b2, output


# ---------------------------------------------------------------------------------------------
# Small helpers


def zeros(like):
    return elementwise(lambda _: 0.0, like)


def clip(p):
    # NOTE: a NaN fails both comparisons and stays NaN, as in np.clip.
    if p < CLIP_LOW:
        return CLIP_LOW
    if p > CLIP_HIGH:
        return CLIP_HIGH
    return p


def mean(values):
    return sum_of(values) / len(values)


def argmax(row):
    # NOTE: the FIRST maximum wins on ties (`>`, not `>=`), as np.argmax; like np.argmax,
    #       a NaN counts as the maximum.
    best = 0
    for c in range(len(row)):
        if math.isnan(row[c]):
            return c
        if row[c] > row[best]:
            best = c
    return best


def is_one_hot(y_true):
    # Labels come as class indices (sparse) or one-hot rows, as the book's losses accept both.
    return isinstance(y_true[0], list)


def one_hot(y_true, classes):
    """Labels as one-hot rows of floats, whichever format they came in."""
    if is_one_hot(y_true):
        return [[float(y) for y in row] for row in y_true]
    return [[1.0 if c == y else 0.0 for c in range(classes)] for y in y_true]


def elementwise(f, first, *rest):
    """f applied to the matching elements of arrays of one shape (rank 1 or 2)."""
    return [
        elementwise(f, *items) if isinstance(items[0], list) else f(*items)
        for items in zip(first, *rest)
    ]


def sum_of(values):
    result = 0.0
    for v in values:
        result += v
    return result


def sign(x):
    # NOTE: sign(0) = 0, as np.sign.
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0


def exp(x):
    # NOTE: math.exp raises OverflowError past about 709; np.exp gives infinity.
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def sqrt(x):
    # NOTE: math.sqrt raises ValueError below 0; np.sqrt gives NaN.
    return math.sqrt(x) if x >= 0 else math.nan

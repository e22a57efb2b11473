"""The stages of Neural Networks from Scratch, chapters 1 to 17, in plain Python.

One function per stage, named as in the suite. Each takes nested lists of floats (and
plain-string parameters) and returns a dict of named outputs. Invalid inputs raise StageError.
Standard library only: loops over lists, math.exp and math.log, as in the book's first chapters.
"""

import math


class StageError(Exception):
    """Invalid inputs: `kind` is one of the suite's six error kinds."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


# ---------------------------------------------------------------------------------------------
# The stages


def neuron(inputs, weights, bias):
    # inputs (K), weights (K), bias (scalar) -> output (scalar)
    inputs = vector("inputs", inputs)
    weights = vector("weights", weights)
    bias = scalar("bias", bias)
    if len(inputs) != len(weights):
        raise StageError("shape_mismatch",
                         f"inputs has {len(inputs)} values, weights has {len(weights)}")
    output = 0.0
    for k in range(len(inputs)):
        output += inputs[k] * weights[k]
    return {"output": output + bias}


def layer(inputs, weights, biases):
    # inputs (K), weights (N, K): one row per neuron, biases (N) -> output (N)
    inputs = vector("inputs", inputs)
    weights = matrix("weights", weights)
    biases = vector("biases", biases)
    for n in range(len(weights)):
        if len(weights[n]) != len(inputs):
            raise StageError("shape_mismatch", f"weights rows have {len(weights[n])} values, "
                                               f"inputs has {len(inputs)}")
    if len(biases) != len(weights):
        raise StageError("shape_mismatch", f"biases has {len(biases)} values, weights has "
                                           f"{len(weights)} rows (neurons)")
    output = []
    for n in range(len(weights)):
        total = 0.0
        for k in range(len(inputs)):
            total += inputs[k] * weights[n][k]
        output.append(total + biases[n])
    return {"output": output}


def dense_batch(inputs, weights, biases, weights_layout="inputs_neurons"):
    # inputs (B, K); weights (K, N) as Layer_Dense keeps them ("inputs_neurons"),
    # or (N, K), one row per neuron as in chapter 2 ("neurons_inputs"); biases (N)
    # output (B, N) = inputs @ weights + biases (with weights transposed for "neurons_inputs")
    inputs = batch("inputs", inputs)
    weights = matrix("weights", weights)
    biases = vector("biases", biases)
    if weights_layout == "neurons_inputs":
        check_dense(len(inputs[0]), "inputs", "weights", weights, "biases", biases,
                    per_neuron=True)
        weights = transpose(weights, len(inputs[0]))
    elif weights_layout == "inputs_neurons":
        check_dense(len(inputs[0]), "inputs", "weights", weights, "biases", biases)
    else:
        raise ValueError(f"unknown weights_layout {weights_layout!r}")
    output = []
    for row in inputs:
        out_row = []
        for n in range(len(biases)):
            total = 0.0
            for k in range(len(row)):
                total += row[k] * weights[k][n]
            out_row.append(total + biases[n])
        output.append(out_row)
    return {"output": output}


def relu(inputs):
    # inputs: any rank-1 (K) or rank-2 (B, K) shape -> output: the same shape
    # NOTE: `0.0 if x < 0 else x`, not max(0, x): Python's max(0, x) returns the int 0 and
    #       turns NaN into 0; this keeps floats and lets NaN through, as np.maximum does.
    if isinstance(inputs, list) and any(isinstance(row, list) for row in inputs):
        rows = matrix("inputs", inputs)
        return {"output": [[0.0 if x < 0 else x for x in row] for row in rows]}
    values = vector("inputs", inputs)
    return {"output": [0.0 if x < 0 else x for x in values]}


def softmax(inputs):
    # inputs (B, C) logits -> output (B, C), each row sums to 1
    # NOTE: subtracts the row maximum first, so exp never overflows; the running maximum
    #       starts at the row's first element, not at 0 (a row of negative logits).
    inputs = batch("inputs", inputs)
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
    return {"output": output}


CLIP_LOW = 1e-7
CLIP_HIGH = 1 - 1e-7


def categorical_crossentropy(y_pred, y_true, label_format=None):
    # y_pred (B, C) probabilities; y_true (B) class indices ("sparse") or (B, C) one-hot rows
    # -> sample_losses (B), loss (scalar: the mean, not the sum)
    # NOTE: y_pred is clipped to [1e-7, 1 - 1e-7] so log(0) never happens; natural log.
    y_pred = batch("y_pred", y_pred)
    classes = len(y_pred[0])
    label_format, y_true = labels(y_true, label_format, len(y_pred), classes)
    sample_losses = []
    for b in range(len(y_pred)):
        clipped = [clip(p) for p in y_pred[b]]
        if label_format == "sparse":
            correct_confidence = clipped[y_true[b]]
        else:
            correct_confidence = 0.0
            for c in range(classes):
                correct_confidence += clipped[c] * y_true[b][c]
        sample_losses.append(-math.log(correct_confidence))
    return {"sample_losses": sample_losses, "loss": mean(sample_losses)}


def accuracy(y_pred, y_true, label_format=None):
    # y_pred (B, C); y_true (B) class indices or (B, C) one-hot rows
    # -> predictions (B) integers, accuracy (scalar): the fraction of predictions that match
    y_pred = batch("y_pred", y_pred)
    label_format, y_true = labels(y_true, label_format, len(y_pred), len(y_pred[0]))
    if label_format == "onehot":
        y_true = [argmax(row) for row in y_true]
    predictions = [argmax(row) for row in y_pred]
    matches = 0
    for b in range(len(predictions)):
        if predictions[b] == y_true[b]:
            matches += 1
    return {"predictions": predictions, "accuracy": matches / len(predictions)}


def forward(inputs, weights1, biases1, weights2, biases2, y_true, label_format=None):
    # inputs (B, K), weights1 (K, H), biases1 (H), weights2 (H, C), biases2 (C),
    # y_true (B) or (B, C): the chapter 5 network, dense -> ReLU -> dense -> softmax -> loss
    # -> dense1, relu1 (B, H); dense2, softmax (B, C); sample_losses, predictions (B);
    #    loss, accuracy (scalars)
    inputs = batch("inputs", inputs)
    weights1 = matrix("weights1", weights1)
    biases1 = vector("biases1", biases1)
    weights2 = matrix("weights2", weights2)
    biases2 = vector("biases2", biases2)
    check_dense(len(inputs[0]), "inputs", "weights1", weights1, "biases1", biases1)
    check_dense(len(biases1), "relu1", "weights2", weights2, "biases2", biases2)
    labels(y_true, label_format, len(inputs), len(biases2))

    dense1 = dense_batch(inputs, weights1, biases1)["output"]
    relu1 = relu(dense1)["output"]
    dense2 = dense_batch(relu1, weights2, biases2)["output"]
    probabilities = softmax(dense2)["output"]
    loss = categorical_crossentropy(probabilities, y_true, label_format)
    acc = accuracy(probabilities, y_true, label_format)
    return {"dense1": dense1, "relu1": relu1, "dense2": dense2, "softmax": probabilities,
            "sample_losses": loss["sample_losses"], "loss": loss["loss"],
            "predictions": acc["predictions"], "accuracy": acc["accuracy"]}


# ---------------------------------------------------------------------------------------------
# Chapter 9: backpropagation. Each stage takes what the book's layer saved in its forward pass
# (the inputs, or the output) and the gradient flowing in (dvalues), and returns the gradients.


def dense_backward(inputs, weights, dvalues):
    # inputs (B, K), weights (K, N) as Layer_Dense keeps them, dvalues (B, N)
    # -> dweights (K, N) = inputs.T @ dvalues, dbiases (N), dinputs (B, K) = dvalues @ weights.T
    inputs = batch("inputs", inputs)
    weights = matrix("weights", weights)
    if len(weights) != len(inputs[0]) or not weights:
        raise StageError("shape_mismatch", f"weights has {len(weights)} rows, inputs has "
                                           f"{len(inputs[0])} columns")
    neurons = len(weights[0])
    layer_output = [[0.0] * neurons] * len(inputs)  # dvalues has its shape (B, N)
    dvalues = like("dvalues", dvalues, layer_output, "the layer's output")
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
    return {"dweights": dweights, "dbiases": dbiases, "dinputs": dinputs}


def relu_backward(inputs, dvalues):
    # inputs: the forward pass's inputs (K) or (B, K); dvalues: the same shape -> dinputs
    # NOTE: the gradient is 0 where the INPUT is <= 0, including exactly 0 and -0.0: the mask
    #       is taken on the forward inputs, never on dvalues.
    if isinstance(inputs, list) and any(isinstance(row, list) for row in inputs):
        inputs = matrix("inputs", inputs)
    else:
        inputs = vector("inputs", inputs)
    dvalues = like("dvalues", dvalues, inputs, "inputs")
    return {"dinputs": elementwise(lambda x, d: 0.0 if x <= 0 else d, inputs, dvalues)}


def softmax_backward(output, dvalues):
    # output: the softmax's forward output (B, C); dvalues (B, C) -> dinputs (B, C)
    # Per sample, the Jacobian diag(p) - p·pᵀ times the sample's dvalues, as the book writes it.
    output = batch("output", output)
    dvalues = like("dvalues", dvalues, output, "output")
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
    return {"dinputs": dinputs}


def categorical_crossentropy_backward(y_pred, y_true, label_format=None):
    # y_pred (B, C), y_true (B) or (B, C) -> dinputs (B, C) = -y_true_onehot / y_pred / B
    # NOTE: no clipping here (the book does not clip in the backward pass).
    y_pred = batch("y_pred", y_pred)
    samples, classes = len(y_pred), len(y_pred[0])
    onehot = one_hot(*labels(y_true, label_format, samples, classes), classes)
    return {"dinputs": elementwise(lambda y, p: -y / p / samples, onehot, y_pred)}


def softmax_crossentropy_backward(y_pred, y_true, label_format=None, path="combined"):
    # y_pred (B, C): the SOFTMAX OUTPUT; y_true (B) or (B, C) -> dinputs (B, C)
    # combined: (y_pred - y_true_onehot) / B, divided by the number of SAMPLES, not classes;
    # separate: the two backward passes chained. Both give the same number.
    if path == "separate":
        dvalues = categorical_crossentropy_backward(y_pred, y_true, label_format)["dinputs"]
        return softmax_backward(y_pred, dvalues)
    if path != "combined":
        raise ValueError(f"unknown path {path!r}")
    y_pred = batch("y_pred", y_pred)
    samples, classes = len(y_pred), len(y_pred[0])
    onehot = one_hot(*labels(y_true, label_format, samples, classes), classes)
    return {"dinputs": elementwise(lambda p, y: (p - y) / samples, y_pred, onehot)}


# ---------------------------------------------------------------------------------------------
# Chapters 14-15: L1 and L2 regularization, and dropout with a given mask


def regularization(weights, biases, weight_regularizer_l1, weight_regularizer_l2,
                   bias_regularizer_l1, bias_regularizer_l2):
    # weights (K, N), biases (N), four factors >= 0
    # -> loss (scalar), dweights (K, N), dbiases (N): the regularization's own terms, which the
    #    book's Layer_Dense.backward adds to the data gradients
    weights, biases = parameters(weights, biases)
    weight_l1 = factor("weight_regularizer_l1", weight_regularizer_l1)
    weight_l2 = factor("weight_regularizer_l2", weight_regularizer_l2)
    bias_l1 = factor("bias_regularizer_l1", bias_regularizer_l1)
    bias_l2 = factor("bias_regularizer_l2", bias_regularizer_l2)
    flat_weights = [w for row in weights for w in row]
    loss = (weight_l1 * sum_of(abs(w) for w in flat_weights)
            + weight_l2 * sum_of(w * w for w in flat_weights)
            + bias_l1 * sum_of(abs(b) for b in biases)
            + bias_l2 * sum_of(b * b for b in biases))
    return {"loss": loss,
            "dweights": elementwise(lambda w: weight_l1 * dl1(w) + 2 * weight_l2 * w, weights),
            "dbiases": elementwise(lambda b: bias_l1 * dl1(b) + 2 * bias_l2 * b, biases)}


def dl1(w):
    # NOTE: the book's dL1: +1 where w >= 0, INCLUDING 0 and -0.0, and -1 where w < 0.
    return -1.0 if w < 0 else 1.0


def dropout(inputs, mask, rate, dvalues):
    # inputs (B, N), mask (B, N) of 0 or 1 (the binomial draws: 1 keeps), rate: the DROP rate of
    # Layer_Dropout(rate), in [0, 1); dvalues (B, N) -> output, dinputs (B, N)
    # NOTE: inverted dropout: kept values are scaled by 1 / (1 - rate).
    inputs = batch("inputs", inputs)
    mask = zeros_and_ones("mask", mask, inputs, "inputs", "invalid_value")
    dvalues = like("dvalues", dvalues, inputs, "inputs")
    rate = scalar("rate", rate)
    if not 0 <= rate < 1:
        raise StageError("invalid_value", f"rate is {rate}, not in [0, 1)")
    binary_mask = elementwise(lambda m: m / (1 - rate), mask)
    return {"output": elementwise(lambda x, m: x * m, inputs, binary_mask),
            "dinputs": elementwise(lambda d, m: d * m, dvalues, binary_mask)}


# ---------------------------------------------------------------------------------------------
# Chapters 16-17: sigmoid, binary cross-entropy, mean squared and mean absolute error


def sigmoid(inputs, dvalues):
    # inputs (B, N), dvalues (B, N) -> output = 1 / (1 + exp(-x)), dinputs = dvalues·(1 - s)·s
    inputs = batch("inputs", inputs)
    dvalues = like("dvalues", dvalues, inputs, "inputs")
    output = elementwise(lambda x: 1 / (1 + exp(-x)), inputs)
    return {"output": output, "dinputs": elementwise(lambda d, s: d * (1 - s) * s, dvalues, output)}


def binary_crossentropy(y_pred, y_true):
    # y_pred (B, O) sigmoid outputs, y_true (B, O) of 0 or 1
    # -> sample_losses (B): each the mean over its O outputs, loss (the mean), dinputs (B, O)
    # NOTE: y_pred is clipped to [1e-7, 1 - 1e-7] in the forward AND the backward pass.
    y_pred = batch("y_pred", y_pred)
    y_true = zeros_and_ones("y_true", y_true, y_pred, "y_pred", "invalid_label")
    samples, outputs = len(y_pred), len(y_pred[0])
    clipped = elementwise(clip, y_pred)
    sample_losses = [mean([-(y * math.log(c) + (1 - y) * math.log(1 - c))
                           for y, c in zip(y_row, c_row)])
                     for y_row, c_row in zip(y_true, clipped)]
    dinputs = elementwise(lambda y, c: -(y / c - (1 - y) / (1 - c)) / outputs / samples,
                          y_true, clipped)
    return {"sample_losses": sample_losses, "loss": mean(sample_losses), "dinputs": dinputs}


def mean_squared_error(y_pred, y_true):
    # y_pred (B, O), y_true (B, O) numbers -> sample_losses (B), loss, dinputs (B, O)
    y_pred = batch("y_pred", y_pred)
    y_true = like("y_true", y_true, y_pred, "y_pred")
    samples, outputs = len(y_pred), len(y_pred[0])
    sample_losses = [mean([(t - p) * (t - p) for t, p in zip(t_row, p_row)])
                     for t_row, p_row in zip(y_true, y_pred)]
    dinputs = elementwise(lambda t, p: -2 * (t - p) / outputs / samples, y_true, y_pred)
    return {"sample_losses": sample_losses, "loss": mean(sample_losses), "dinputs": dinputs}


def mean_absolute_error(y_pred, y_true):
    # y_pred (B, O), y_true (B, O) numbers -> sample_losses (B), loss, dinputs (B, O)
    # NOTE: the gradient of |y_pred - y_true| is sign(y_pred - y_true), 0 where they are equal.
    #       The book's np.sign(y_true - dvalues) has the wrong sign.
    y_pred = batch("y_pred", y_pred)
    y_true = like("y_true", y_true, y_pred, "y_pred")
    samples, outputs = len(y_pred), len(y_pred[0])
    sample_losses = [mean([abs(t - p) for t, p in zip(t_row, p_row)])
                     for t_row, p_row in zip(y_true, y_pred)]
    dinputs = elementwise(lambda t, p: sign(p - t) / outputs / samples, y_true, y_pred)
    return {"sample_losses": sample_losses, "loss": mean(sample_losses), "dinputs": dinputs}


# ---------------------------------------------------------------------------------------------
# Chapter 10: one optimizer step on one dense layer, the whole state in and out: the book's
# pre_update_params, update_params and post_update_params.


def current_learning_rate(learning_rate, decay, iterations):
    # NOTE: lr0 / (1 + decay·iterations), recomputed from the initial rate at every step (never
    #       compounded); iterations counts the steps already taken, so step 0 uses lr0.
    if decay:
        return learning_rate * (1.0 / (1.0 + decay * iterations))
    return learning_rate


def sgd_step(weights, biases, dweights, dbiases, weight_momentums, bias_momentums, iterations,
             learning_rate, decay, momentum):
    weights, biases = parameters(weights, biases)
    dweights, dbiases, weight_momentums, bias_momentums = state(
        weights, biases, dweights=dweights, dbiases=dbiases,
        weight_momentums=weight_momentums, bias_momentums=bias_momentums)
    iterations = count("iterations", iterations)
    learning_rate, decay, momentum = scalars(learning_rate=learning_rate, decay=decay,
                                             momentum=momentum)
    lr = current_learning_rate(learning_rate, decay, iterations)
    if momentum:
        # NOTE: m = momentum·m - lr·g; w += m (the decayed rate is inside the momentum).
        weight_momentums = elementwise(lambda m, g: momentum * m - lr * g,
                                       weight_momentums, dweights)
        bias_momentums = elementwise(lambda m, g: momentum * m - lr * g, bias_momentums, dbiases)
        weight_updates, bias_updates = weight_momentums, bias_momentums
    else:
        # NOTE: without momentum the book keeps no momentum arrays: they come back unchanged.
        weight_updates = elementwise(lambda g: -lr * g, dweights)
        bias_updates = elementwise(lambda g: -lr * g, dbiases)
    return {"weights": elementwise(lambda w, u: w + u, weights, weight_updates),
            "biases": elementwise(lambda b, u: b + u, biases, bias_updates),
            "weight_momentums": weight_momentums, "bias_momentums": bias_momentums,
            "learning_rate": lr, "iterations": iterations + 1}


def adagrad_step(weights, biases, dweights, dbiases, weight_cache, bias_cache, iterations,
                 learning_rate, decay, epsilon):
    weights, biases = parameters(weights, biases)
    dweights, dbiases, weight_cache, bias_cache = state(
        weights, biases, dweights=dweights, dbiases=dbiases,
        weight_cache=weight_cache, bias_cache=bias_cache)
    iterations = count("iterations", iterations)
    learning_rate, decay, epsilon = scalars(learning_rate=learning_rate, decay=decay,
                                            epsilon=epsilon)
    lr = current_learning_rate(learning_rate, decay, iterations)
    weight_cache = elementwise(lambda c, g: c + g * g, weight_cache, dweights)
    bias_cache = elementwise(lambda c, g: c + g * g, bias_cache, dbiases)

    # NOTE: epsilon is added OUTSIDE the square root.
    def update(w, g, c):
        return w + -lr * g / (sqrt(c) + epsilon)

    return {"weights": elementwise(update, weights, dweights, weight_cache),
            "biases": elementwise(update, biases, dbiases, bias_cache),
            "weight_cache": weight_cache, "bias_cache": bias_cache,
            "learning_rate": lr, "iterations": iterations + 1}


def rmsprop_step(weights, biases, dweights, dbiases, weight_cache, bias_cache, iterations,
                 learning_rate, decay, epsilon, rho):
    weights, biases = parameters(weights, biases)
    dweights, dbiases, weight_cache, bias_cache = state(
        weights, biases, dweights=dweights, dbiases=dbiases,
        weight_cache=weight_cache, bias_cache=bias_cache)
    iterations = count("iterations", iterations)
    learning_rate, decay, epsilon, rho = scalars(learning_rate=learning_rate, decay=decay,
                                                 epsilon=epsilon, rho=rho)
    lr = current_learning_rate(learning_rate, decay, iterations)
    weight_cache = elementwise(lambda c, g: rho * c + (1 - rho) * (g * g), weight_cache, dweights)
    bias_cache = elementwise(lambda c, g: rho * c + (1 - rho) * (g * g), bias_cache, dbiases)

    def update(w, g, c):
        return w + -lr * g / (sqrt(c) + epsilon)

    return {"weights": elementwise(update, weights, dweights, weight_cache),
            "biases": elementwise(update, biases, dbiases, bias_cache),
            "weight_cache": weight_cache, "bias_cache": bias_cache,
            "learning_rate": lr, "iterations": iterations + 1}


def adam_step(weights, biases, dweights, dbiases, weight_momentums, bias_momentums,
              weight_cache, bias_cache, iterations, learning_rate, decay, epsilon, beta_1, beta_2):
    weights, biases = parameters(weights, biases)
    dweights, dbiases, weight_momentums, bias_momentums, weight_cache, bias_cache = state(
        weights, biases, dweights=dweights, dbiases=dbiases,
        weight_momentums=weight_momentums, bias_momentums=bias_momentums,
        weight_cache=weight_cache, bias_cache=bias_cache)
    iterations = count("iterations", iterations)
    learning_rate, decay, epsilon, beta_1, beta_2 = scalars(
        learning_rate=learning_rate, decay=decay, epsilon=epsilon, beta_1=beta_1, beta_2=beta_2)
    lr = current_learning_rate(learning_rate, decay, iterations)
    # NOTE: the bias correction divides by 1 - beta^(iterations + 1): the step count is 1-based
    #       there, and the betas are never decayed.
    correction_1 = 1 - beta_1 ** (iterations + 1)
    correction_2 = 1 - beta_2 ** (iterations + 1)
    weight_momentums = elementwise(lambda m, g: beta_1 * m + (1 - beta_1) * g,
                                   weight_momentums, dweights)
    bias_momentums = elementwise(lambda m, g: beta_1 * m + (1 - beta_1) * g,
                                 bias_momentums, dbiases)
    weight_cache = elementwise(lambda c, g: beta_2 * c + (1 - beta_2) * (g * g),
                               weight_cache, dweights)
    bias_cache = elementwise(lambda c, g: beta_2 * c + (1 - beta_2) * (g * g),
                             bias_cache, dbiases)

    # NOTE: epsilon is added to the square root of the CORRECTED cache, outside the root.
    def update(w, m, c):
        return w + -lr * (m / correction_1) / (sqrt(c / correction_2) + epsilon)

    return {"weights": elementwise(update, weights, weight_momentums, weight_cache),
            "biases": elementwise(update, biases, bias_momentums, bias_cache),
            "weight_momentums": weight_momentums, "bias_momentums": bias_momentums,
            "weight_cache": weight_cache, "bias_cache": bias_cache,
            "learning_rate": lr, "iterations": iterations + 1}


OPTIMIZERS = {  # name -> (step, its state arrays, its hyperparameters)
    "sgd": (sgd_step, ("weight_momentums", "bias_momentums"),
            ("learning_rate", "decay", "momentum")),
    "adagrad": (adagrad_step, ("weight_cache", "bias_cache"),
                ("learning_rate", "decay", "epsilon")),
    "rmsprop": (rmsprop_step, ("weight_cache", "bias_cache"),
                ("learning_rate", "decay", "epsilon", "rho")),
    "adam": (adam_step, ("weight_momentums", "bias_momentums", "weight_cache", "bias_cache"),
             ("learning_rate", "decay", "epsilon", "beta_1", "beta_2")),
}


def training(inputs, y_true, weights1, biases1, weights2, biases2, steps, learning_rate, decay,
             momentum, epsilon, rho, beta_1, beta_2, label_format=None, optimizer="sgd"):
    # The book's model, full batch: Dense(K, H) -> ReLU -> Dense(H, C) -> softmax and
    # cross-entropy, `steps` optimizer steps. Per step: the loss and accuracy measured BEFORE the
    # update, the learning rate it used, and every parameter AFTER it.
    # NOTE: optimizer state starts at zeros; both layers are updated with iterations = step: the
    #       count rises once per step (post_update_params), not once per layer.
    inputs = batch("inputs", inputs)
    weights1 = matrix("weights1", weights1)
    biases1 = vector("biases1", biases1)
    weights2 = matrix("weights2", weights2)
    biases2 = vector("biases2", biases2)
    check_dense(len(inputs[0]), "inputs", "weights1", weights1, "biases1", biases1)
    check_dense(len(biases1), "relu1", "weights2", weights2, "biases2", biases2)
    labels(y_true, label_format, len(inputs), len(biases2))
    steps = count("steps", steps, least=1)
    hyper = {"learning_rate": learning_rate, "decay": decay, "momentum": momentum,
             "epsilon": epsilon, "rho": rho, "beta_1": beta_1, "beta_2": beta_2}
    hyper = {name: scalar(name, value) for name, value in hyper.items()}
    step_function, state_names, hyper_names = OPTIMIZERS[optimizer]
    settings = {name: hyper[name] for name in hyper_names}  # the others are sent, unused

    layers = [{"weights": weights1, "biases": biases1}, {"weights": weights2, "biases": biases2}]
    for layer in layers:
        for name in state_names:
            like_this = layer["weights"] if name.startswith("weight") else layer["biases"]
            layer[name] = elementwise(lambda _: 0.0, like_this)
    record = {name: [] for name in ("loss", "accuracy", "learning_rate", "weights1", "biases1",
                                    "weights2", "biases2")}
    for step in range(steps):
        dense1 = dense_batch(inputs, layers[0]["weights"], layers[0]["biases"])["output"]
        relu1 = relu(dense1)["output"]
        dense2 = dense_batch(relu1, layers[1]["weights"], layers[1]["biases"])["output"]
        probabilities = softmax(dense2)["output"]
        record["loss"].append(categorical_crossentropy(probabilities, y_true,
                                                       label_format)["loss"])
        record["accuracy"].append(accuracy(probabilities, y_true, label_format)["accuracy"])

        dvalues = softmax_crossentropy_backward(probabilities, y_true, label_format)["dinputs"]
        dense2_grads = dense_backward(relu1, layers[1]["weights"], dvalues)
        drelu1 = relu_backward(dense1, dense2_grads["dinputs"])["dinputs"]
        dense1_grads = dense_backward(inputs, layers[0]["weights"], drelu1)

        for layer, grads in ((layers[0], dense1_grads), (layers[1], dense2_grads)):
            result = step_function(layer["weights"], layer["biases"], grads["dweights"],
                                   grads["dbiases"], **{n: layer[n] for n in state_names},
                                   iterations=step, **settings)
            for name in ("weights", "biases", *state_names):
                layer[name] = result[name]
        record["learning_rate"].append(result["learning_rate"])
        for i, layer in enumerate(layers, start=1):
            record[f"weights{i}"].append(layer["weights"])
            record[f"biases{i}"].append(layer["biases"])
    return record


# ---------------------------------------------------------------------------------------------
# Small helpers


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


def transpose(rows, columns):
    return [[row[k] for row in rows] for k in range(columns)]


def elementwise(f, first, *rest):
    """f applied to the matching elements of arrays of one shape (rank 1 or 2)."""
    return [elementwise(f, *items) if isinstance(items[0], list) else f(*items)
            for items in zip(first, *rest)]


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


def one_hot(label_format, y_true, classes):
    """Labels as one-hot rows of floats, whichever format they came in."""
    if label_format == "onehot":
        return y_true
    return [[1.0 if c == y else 0.0 for c in range(classes)] for y in y_true]


# ---------------------------------------------------------------------------------------------
# Input checks: each returns the input as floats, or raises StageError naming the input.


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def scalar(name, value):
    if not is_number(value):
        raise StageError("shape_mismatch", f"{name} must be a single number")
    return float(value)


def vector(name, value):
    """A rank-1 input: a list of numbers."""
    if not isinstance(value, list):
        raise StageError("shape_mismatch", f"{name} must be a list of numbers (rank 1)")
    for i in range(len(value)):
        if isinstance(value[i], list):
            raise StageError("shape_mismatch",
                             f"{name} must be a list of numbers (rank 1), {name}[{i}] is a list")
        if not is_number(value[i]):
            raise StageError("shape_mismatch", f"{name}[{i}] is not a number")
    return [float(x) for x in value]


def rows_of(name, value):
    """The rows of a rank-2 input, unchanged: a list of lists, all of the same length."""
    if not isinstance(value, list):
        raise StageError("shape_mismatch", f"{name} must be a list of rows (rank 2)")
    is_row = [isinstance(row, list) for row in value]
    if value and not any(is_row):
        raise StageError("shape_mismatch", f"{name} must be a list of rows (rank 2), got a "
                                           f"list of {len(value)} numbers")
    if not all(is_row):
        raise StageError("ragged_rows", f"{name} mixes rows and single numbers")
    for i in range(1, len(value)):
        if len(value[i]) != len(value[0]):
            raise StageError("ragged_rows", f"{name}[0] has {len(value[0])} values, "
                                            f"{name}[{i}] has {len(value[i])}")
    return value


def matrix(name, value):
    """A rank-2 input of numbers, as floats."""
    rows = rows_of(name, value)
    return [vector(f"{name}[{i}]", rows[i]) for i in range(len(rows))]


def batch(name, value):
    """A batch: a rank-2 input with at least one sample (row)."""
    rows = matrix(name, value)
    if not rows:
        raise StageError("empty_batch", f"{name} has no samples")
    return rows


def like(name, value, like_this, of):
    """An input of the same shape as like_this (an input already checked, rank 1 or 2)."""
    if like_this and isinstance(like_this[0], list):
        rows = matrix(name, value)
        if len(rows) != len(like_this) or len(rows[0]) != len(like_this[0]):
            raise StageError("shape_mismatch", f"{name} must have the shape of {of}, "
                             f"[{len(like_this)}, {len(like_this[0])}]")
        return rows
    values = vector(name, value)
    if len(values) != len(like_this):
        raise StageError("shape_mismatch", f"{name} has {len(values)} values, {of} has "
                                           f"{len(like_this)}")
    return values


def zeros_and_ones(name, value, like_this, of, kind):
    """A (B, N) input of the shape of like_this holding only the integers 0 and 1: else `kind`."""
    rows = rows_of(name, value)
    if len(rows) != len(like_this) or len(rows[0]) != len(like_this[0]):
        raise StageError("shape_mismatch", f"{name} must have the shape of {of}, "
                         f"[{len(like_this)}, {len(like_this[0])}]")
    for b in range(len(rows)):
        for n in range(len(rows[b])):
            v = rows[b][n]
            if isinstance(v, list):
                raise StageError("shape_mismatch", f"{name}[{b}][{n}] is a list")
            if not is_number(v) or v not in (0, 1):
                raise StageError(kind, f"{name}[{b}][{n}] is {v!r}, not 0 or 1")
    return [[float(v) for v in row] for row in rows]


def parameters(weights, biases):
    """A layer's weights (K, N), at least one row, and its biases (N), as floats."""
    weights = matrix("weights", weights)
    biases = vector("biases", biases)
    if not weights:
        raise StageError("shape_mismatch", "weights must be a matrix (K, N), got no rows")
    if len(biases) != len(weights[0]):
        raise StageError("shape_mismatch", f"biases has {len(biases)} values, weights has "
                                           f"{len(weights[0])} neurons")
    return weights, biases


def state(weights, biases, **arrays):
    """Gradients and optimizer state, each of the shape of weights or biases (by its name)."""
    checked = []
    for name, value in arrays.items():
        if name.startswith(("weight", "dweight")):
            checked.append(like(name, value, weights, "weights"))
        else:
            checked.append(like(name, value, biases, "biases"))
    return checked


def scalars(**values):
    """Single numbers, as floats, in the order given."""
    return [scalar(name, value) for name, value in values.items()]


def factor(name, value):
    """A regularization factor: a number >= 0."""
    value = scalar(name, value)
    if value < 0:
        raise StageError("invalid_value", f"{name} is {value}, negative")
    return value


def count(name, value, least=0):
    """An iteration or step count: an integer >= least, else invalid_value."""
    if not (is_number(value) and float(value).is_integer() and value >= least):
        raise StageError("invalid_value", f"{name} is {value!r}, not an integer >= {least}")
    return int(value)


def check_dense(k, inputs_name, weights_name, weights, biases_name, biases, per_neuron=False):
    """Inputs with k columns fit weights (k, N), or (N, k) when per_neuron; biases hold N."""
    if per_neuron:
        neurons = len(weights)
        for row in weights:
            if len(row) != k:
                raise StageError("shape_mismatch", f"{weights_name} rows (neurons) have "
                                 f"{len(row)} weights, {inputs_name} has {k} columns")
    else:
        neurons = len(weights[0]) if weights else 0
        if len(weights) != k:
            raise StageError("shape_mismatch", f"{weights_name} has {len(weights)} rows, "
                                               f"{inputs_name} has {k} columns")
    if len(biases) != neurons:
        raise StageError("shape_mismatch", f"{biases_name} has {len(biases)} values, "
                                           f"{weights_name} has {neurons} neurons")


def labels(y_true, label_format, samples, classes):
    """Check y_true against a batch of `samples` rows of `classes` values.

    sparse: a list of `samples` integers in [0, classes); onehot: `samples` rows of `classes`
    values, exactly one 1 among 0s. Returns the label format and the labels (one-hot rows as
    floats). Without a label_format the rank decides, as in the book.
    """
    nested = isinstance(y_true, list) and any(isinstance(y, list) for y in y_true)
    if label_format is None:
        label_format = "onehot" if nested else "sparse"
    if label_format == "sparse":
        if not isinstance(y_true, list) or nested:
            raise StageError("shape_mismatch", "y_true must be a list of class indices when "
                             "label_format is sparse")
        if len(y_true) != samples:
            raise StageError("shape_mismatch",
                             f"y_true has {len(y_true)} labels for {samples} samples")
        for b in range(samples):
            y = y_true[b]
            if not (is_number(y) and float(y).is_integer()):
                raise StageError("invalid_label", f"y_true[{b}] is {y!r}, not an integer")
            if not 0 <= y < classes:
                raise StageError("label_out_of_range",
                                 f"y_true[{b}] is {y}, not in [0, {classes})")
        return label_format, [int(y) for y in y_true]
    if label_format == "onehot":
        if y_true and not nested:
            raise StageError("shape_mismatch", "y_true must be a list of one-hot rows when "
                             "label_format is onehot")
        rows = rows_of("y_true", y_true)
        if len(rows) != samples:
            raise StageError("shape_mismatch",
                             f"y_true has {len(rows)} rows for {samples} samples")
        if len(rows[0]) != classes:
            raise StageError("shape_mismatch",
                             f"y_true rows have {len(rows[0])} values for {classes} classes")
        for b in range(samples):
            ones = 0
            for y in rows[b]:
                if isinstance(y, list):
                    raise StageError("shape_mismatch", f"y_true[{b}] holds a list, not 0 or 1")
                if not is_number(y) or y not in (0, 1):
                    raise StageError("invalid_label", f"y_true[{b}] holds {y!r}, not 0 or 1")
                if y == 1:
                    ones += 1
            if ones != 1:
                raise StageError("invalid_label", f"y_true[{b}] holds {ones} ones, not one")
        return label_format, [[float(y) for y in row] for row in rows]
    raise ValueError(f"unknown label_format {label_format!r}")

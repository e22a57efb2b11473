"""The stages of Neural Networks from Scratch, chapters 1 to 5, in plain Python.

One function per stage, named as in the suite. Each takes nested lists of floats (and
plain-string parameters) and returns a dict of named outputs. Invalid inputs raise StageError.
Standard library only: loops over lists, math.exp and math.log, as in the book's first chapters.
"""

import math


class StageError(Exception):
    """Invalid inputs: `kind` is one of the suite's five error kinds."""

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
# Small helpers


def clip(p):
    # NOTE: a NaN fails both comparisons and stays NaN, as in np.clip.
    if p < CLIP_LOW:
        return CLIP_LOW
    if p > CLIP_HIGH:
        return CLIP_HIGH
    return p


def mean(values):
    total = 0.0
    for v in values:
        total += v
    return total / len(values)


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
                if not is_number(y) or y not in (0, 1):
                    raise StageError("invalid_label", f"y_true[{b}] holds {y!r}, not 0 or 1")
                if y == 1:
                    ones += 1
            if ones != 1:
                raise StageError("invalid_label", f"y_true[{b}] holds {ones} ones, not one")
        return label_format, [[float(y) for y in row] for row in rows]
    raise ValueError(f"unknown label_format {label_format!r}")

"""Expected outputs and tolerances of every stage at one tier, from the exact oracle.

Each function takes the inputs as the tier reads them (already rounded to its dtype) and
returns {output name: (value, tol)} with nested lists of float64.
"""

from __future__ import annotations

import math
from fractions import Fraction

from . import book, training_goldens
from . import oracle as o
from . import tolerance as t


def _dot_golden(xs, ws, bias, tier, propagated=0.0):
    terms = [Fraction(x) * Fraction(w) for x, w in zip(xs, ws)] + [Fraction(bias)]
    exact = sum(terms, Fraction(0))
    # a port that reads subnormal operands as 0 (DAZ) loses those products entirely
    propagated += sum(abs(float(x) * float(w)) for x, w in zip(xs, ws)
                      if t.is_subnormal(x, tier) or t.is_subnormal(w, tier))
    propagated += abs(float(bias)) if t.is_subnormal(bias, tier) else 0.0
    return exact, t.dot_tol(terms, exact, tier, propagated)


def neuron(x, p, tier):
    value, tol = _dot_golden(x["inputs"], x["weights"], x["bias"], tier)
    return {"output": (float(value), tol)}


def layer(x, p, tier):
    pairs = [_dot_golden(x["inputs"], row, b, tier) for row, b in zip(x["weights"], x["biases"])]
    return {"output": ([float(v) for v, _ in pairs], [tol for _, tol in pairs])}


def _dense_exact(inputs, weights_kn, biases, tier, propagated=None):
    """Exact rows and tolerances; `propagated[b][k]` is an error already in inputs[b][k]."""
    columns = list(zip(*weights_kn))
    values, tols = [], []
    for i, row in enumerate(inputs):
        v_row, t_row = [], []
        for col, b in zip(columns, biases):
            carried = 0.0
            if propagated is not None:
                carried = sum(abs(float(w)) * e for w, e in zip(col, propagated[i]))
            value, tol = _dot_golden(row, col, b, tier, carried)
            v_row.append(value)
            t_row.append(tol)
        values.append(v_row)
        tols.append(t_row)
    return values, tols


def dense_batch(x, p, tier):
    weights = x["weights"]
    if p["weights_layout"] == "neurons_inputs":
        weights = [list(col) for col in zip(*weights)]
    values, tols = _dense_exact(x["inputs"], weights, x["biases"], tier)
    return {"output": ([[float(v) for v in row] for row in values], tols)}


def relu(x, p, tier):
    value = o.relu(x["inputs"])
    return {"output": (_plain(value), _zeros(value))}  # max(0, x) is exact


def _softmax_rows(rows, tier, logit_errors=None):
    """(exact 256-bit rows, float64 rows, tolerances)."""
    exact, values, tols = [], [], []
    for i, row in enumerate(rows):
        probs = o.softmax_row(row)
        p = [float(v) for v in probs]
        tol = t.softmax_row_tol([float(v) for v in row], p, tier)
        if logit_errors is not None:
            # logits off by at most Δ move log p_i by at most 2Δ: |Δp_i| <= p_i·expm1(2Δ)
            spread = math.expm1(2 * max(logit_errors[i]))
            tol = [t.up(e * (1 + spread) + q * spread) for e, q in zip(tol, p)]
        exact.append(probs)
        values.append(p)
        tols.append(tol)
    return exact, values, tols


def softmax(x, p, tier):
    _, values, tols = _softmax_rows(x["inputs"], tier)
    return {"output": (values, tols)}


def _losses(probs, prob_tols, y_true, label_format, tier):
    confidences = o.confidences(probs, y_true, label_format, tier)
    losses = [o.neg_log(c) for c in confidences]
    labels = o.labels_of(y_true, label_format)
    values, tols = [], []
    for b, loss in enumerate(losses):
        rho = 0.0
        if prob_tols is not None:  # probabilities computed by the port, each off by a tol
            # clipping is 1-Lipschitz, so the clipped confidence is off by at most the same tol
            rho = prob_tols[b][labels[b]] / float(confidences[b])
            assert rho < 0.5, "a forward case whose loss tolerance would not be meaningful"
        values.append(float(loss))
        tols.append(t.neg_log_tol(float(loss), rho, tier))
    mean = o.rounded(sum(losses, start=0) / len(losses))
    return values, tols, mean, t.mean_tol(values, tols, mean, tier)


def categorical_crossentropy(x, p, tier):
    values, tols, mean, mean_tol = _losses(x["y_pred"], None, x["y_true"], p["label_format"], tier)
    return {"sample_losses": (values, tols), "loss": (mean, mean_tol)}


def _accuracy_of(predictions, y_true, label_format, tier):
    labels = o.labels_of(y_true, label_format)
    matches = sum(1 for a, b in zip(predictions, labels) if a == b)
    value = Fraction(matches, len(labels))
    tol = t.up(t.gamma(len(labels) + 1, tier) * float(value) + t.U_R * float(value))
    return float(value), tol


def accuracy(x, p, tier):
    predictions = [o.argmax(row) for row in x["y_pred"]]
    acc = _accuracy_of(predictions, x["y_true"], p["label_format"], tier)
    return {"predictions": (predictions, [0] * len(predictions)), "accuracy": acc}


def forward(x, p, tier):
    """The whole chapter 5 network, with every layer's error carried into the next."""
    dense1, tol1 = _dense_exact(x["inputs"], x["weights1"], x["biases1"], tier)
    relu1 = o.relu(dense1)
    # ReLU is 1-Lipschitz, and exactly 0 wherever dense1 is negative beyond its tolerance.
    relu_tol = [[0.0 if v < -e else e for v, e in zip(vs, es)] for vs, es in zip(dense1, tol1)]
    dense2, tol2 = _dense_exact(relu1, x["weights2"], x["biases2"], tier, propagated=relu_tol)
    exact_probs, probs, prob_tols = _softmax_rows(dense2, tier, logit_errors=tol2)
    predictions = []
    for b, (row, tols) in enumerate(zip(probs, prob_tols)):
        order = sorted(range(len(row)), key=lambda c: -row[c])
        top, second = order[0], order[1] if len(order) > 1 else order[0]
        # Certify the argmax: no correct port can see these two rows swap or tie.
        assert top == second or row[top] - tols[top] > row[second] + tols[second], (
            f"forward row {b}: top two probabilities are within tolerance; pick other inputs")
        predictions.append(top)
    losses, loss_tols, mean, mean_tol = _losses(exact_probs, prob_tols, x["y_true"],
                                               p["label_format"], tier)
    return {
        "dense1": (_plain(dense1), tol1),
        "relu1": (_plain(relu1), relu_tol),
        "dense2": (_plain(dense2), tol2),
        "softmax": (probs, prob_tols),
        "sample_losses": (losses, loss_tols),
        "loss": (mean, mean_tol),
        "predictions": (predictions, [0] * len(predictions)),
        "accuracy": _accuracy_of(predictions, x["y_true"], p["label_format"], tier),
    }


def _zeros(value):
    return [_zeros(v) for v in value] if isinstance(value, list) else 0.0


def _plain(value):
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return float(value)


STAGES = {
    "neuron": neuron, "layer": layer, "dense_batch": dense_batch, "relu": relu,
    "softmax": softmax, "categorical_crossentropy": categorical_crossentropy,
    "accuracy": accuracy, "forward": forward,
    **training_goldens.STAGES,
    **book.GOLDENS,
}

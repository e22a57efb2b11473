"""Bounded goldens shared by the training stages' modules (generator/stages/): backward passes,
losses and the optimizer update, in bounded arithmetic.

Each function is the reference's formula written over `Bounded` numbers (generator/bounded.py):
the value is exact, the bound covers every correct port of the tier. Inputs arrive as the tier
reads them; integers (labels, masks, iteration counts) stay integers.
"""

from __future__ import annotations

import mpmath

from nnfs_conform.suite.stages import HYPERPARAMETERS
from nnfs_conform.suite.stages import STATE as LAYER_STATE

from . import oracle as o
from .bounded import Bounded, Tier, golden, sqrt
from .goldens import _softmax_rows as softmax_golden


def _read(T: Tier, value):
    if isinstance(value, list):
        return [_read(T, v) for v in value]
    return T.read(value)


def _out(value):
    """Nested Bounded -> (nested values, nested tolerances)."""
    if isinstance(value, list):
        pairs = [_out(v) for v in value]
        return [p[0] for p in pairs], [p[1] for p in pairs]
    if isinstance(value, int):
        return value, 0
    return golden(value)


def _outputs(**named):
    return {name: _out(value) for name, value in named.items()}


def _columns(matrix):
    return [list(col) for col in zip(*matrix)]


def _onehot_rows(y_true, label_format, classes):
    return [
        [1 if c == label else 0 for c in range(classes)]
        for label in o.labels_of(y_true, label_format)
    ]


# -- backward passes ------------------------------------------------------------------------------
def _dense_backward(T, inputs, weights, dvalues):
    columns = _columns(dvalues)
    dweights = [[T.dot(x_col, d_col) for d_col in columns] for x_col in _columns(inputs)]
    dbiases = [T.total(d_col) for d_col in columns]
    dinputs = [[T.dot(d_row, w_row) for w_row in weights] for d_row in dvalues]
    return dweights, dbiases, dinputs


def _softmax_backward_row(T, probs, dvalues):
    """Both ways a port writes it, the Jacobian (diag(p) - p·pᵀ) @ dv and p ⊙ (dv - p·dv):
    the same exact value, and the larger of the two bounds."""
    jacobian = [
        [p_i - p_i * p_i if i == j else -(p_i * p_j) for j, p_j in enumerate(probs)]
        for i, p_i in enumerate(probs)
    ]
    through_jacobian = [T.dot(row, dvalues) for row in jacobian]
    weighted = T.dot(probs, dvalues)
    factored = [p_i * (d_i - weighted) for p_i, d_i in zip(probs, dvalues)]
    return [Bounded(a.v, max(a.e, b.e)) for a, b in zip(through_jacobian, factored)]


def _cce_backward(T, y_pred, targets):
    samples = len(y_pred)
    return [
        [
            T.per(-t / pv, samples) if t else Bounded(mpmath.mpf(0), 0.0)
            for pv, t in zip(row, target)
        ]
        for row, target in zip(y_pred, targets)
    ]


def _combined_backward(T, probs, targets):
    samples = len(probs)
    return [
        [T.per(pv - t, samples) for pv, t in zip(row, target)]
        for row, target in zip(probs, targets)
    ]


def _means(T, rows):
    sample_losses = [T.mean(row) for row in rows]
    return sample_losses, T.mean(sample_losses)


def _regression(x, tier, term, gradient):
    T = Tier(tier)
    y_pred, y_true = _read(T, x["y_pred"]), _read(T, x["y_true"])
    samples, outputs = len(y_pred), len(y_pred[0])
    diffs = [[t - q for q, t in zip(pr, tr)] for pr, tr in zip(y_pred, y_true)]
    sample_losses, loss = _means(T, [[term(T, d) for d in row] for row in diffs])
    dinputs = [[T.per(T.per(gradient(T, d), outputs), samples) for d in row] for row in diffs]
    return _outputs(sample_losses=sample_losses, loss=loss, dinputs=dinputs)


# -- optimizers -----------------------------------------------------------------------------------
def _current_learning_rate(learning_rate, decay, iterations):
    """The book's decay: lr · 1 / (1 + decay · iterations)."""
    if decay.v == 0:
        return learning_rate
    return learning_rate * (1 / (1 + decay * iterations))


def _normalised_step(lr, numerator, cache, epsilon):
    """-lr·numerator / (sqrt(cache) + epsilon)."""
    return -(lr * numerator / (sqrt(cache) + epsilon))


def _update(T, optimizer, params, grads, state, iterations, hyper):
    """One parameter array's step: (new params, new state arrays by name), element-wise."""
    lr = _current_learning_rate(hyper["learning_rate"], hyper["decay"], iterations)
    new_params, new_state = [], {name: [] for name in state}
    for i, (w, g) in enumerate(zip(params, grads)):
        s = {name: values[i] for name, values in state.items()}
        if optimizer == "sgd":
            mu = hyper["momentum"]
            if mu.v != 0:
                m = mu * s["momentums"] - lr * g
                step, s = m, {"momentums": m}
            else:
                step = -(lr * g)
        elif optimizer in ("adagrad", "rmsprop"):
            square = g * g
            if optimizer == "adagrad":
                cache = s["cache"] + square
            else:
                rho = hyper["rho"]
                cache = rho * s["cache"] + (1 - rho) * square
            step, s = _normalised_step(lr, g, cache, hyper["epsilon"]), {"cache": cache}
        else:
            b1, b2 = hyper["beta_1"], hyper["beta_2"]
            m = b1 * s["momentums"] + (1 - b1) * g
            v = b2 * s["cache"] + (1 - b2) * (g * g)
            m_hat = m / (1 - b1 ** (iterations + 1))
            v_hat = v / (1 - b2 ** (iterations + 1))
            step = _normalised_step(lr, m_hat, v_hat, hyper["epsilon"])
            s = {"momentums": m, "cache": v}
        new_params.append(w + step)
        for name in new_state:
            new_state[name].append(s[name])
    return new_params, new_state, lr


def _state_names(optimizer, prefix):
    """Stage input names of one array's state: weight_momentums -> momentums, etc."""
    return {
        name.split("_", 1)[1]: name for name in LAYER_STATE[optimizer] if name.startswith(prefix)
    }


def _step_layer(T, optimizer, layer, grads, iterations, hyper):
    """Both arrays of one dense layer; layer and grads map names to nested Bounded."""
    out = {}
    for prefix, name, grad in (("weight", "weights", "dweights"), ("bias", "biases", "dbiases")):
        shape_rows = isinstance(layer[name][0], list)
        flat = [v for row in layer[name] for v in row] if shape_rows else layer[name]
        flat_grad = [v for row in grads[grad] for v in row] if shape_rows else grads[grad]
        names = _state_names(optimizer, prefix)
        state = {
            short: ([v for row in layer[full] for v in row] if shape_rows else layer[full])
            for short, full in names.items()
        }
        params, new_state, lr = _update(T, optimizer, flat, flat_grad, state, iterations, hyper)
        width = len(layer[name][0]) if shape_rows else None

        def shaped(values, width=width):
            return (
                [values[i : i + width] for i in range(0, len(values), width)] if width else values
            )

        out[name] = shaped(params)
        for short, full in names.items():
            out[full] = (
                shaped(new_state[short]) if short in new_state and new_state[short] else layer[full]
            )
    return out, lr


def _optimizer_step(optimizer):
    def goldens(x, p, tier):
        T = Tier(tier)
        hyper = {n: T.scalar(x[n]) for n in HYPERPARAMETERS[optimizer]}
        layer = {n: _read(T, x[n]) for n in ("weights", "biases", *LAYER_STATE[optimizer])}
        grads = {n: _read(T, x[n]) for n in ("dweights", "dbiases")}
        iterations = int(x["iterations"])
        out, lr = _step_layer(T, optimizer, layer, grads, iterations, hyper)
        return _outputs(**out, learning_rate=lr, iterations=iterations + 1)

    return goldens


# -- forward chains (chapters 4-5 and the Model) --------------------------------------------------
def _dense_forward(T, inputs, weights, biases):
    """Layer_Dense's rows: each output the dot product of a row and a column, plus its bias."""
    return [[T.dot(row, col, [b]) for col, b in zip(_columns(weights), biases)] for row in inputs]


def _chain(T, inputs, weights1, biases1, weights2, biases2):
    """Dense -> ReLU -> Dense -> Softmax, every intermediate's (values, tolerances) by name.

    The softmax's tolerance is the forward stages' (goldens._softmax_rows), which also covers
    the division-free exp(x - logsumexp(x)), from logits off by at most dense2's bounds."""
    dense1 = _dense_forward(T, inputs, weights1, biases1)
    relu1 = [[T.relu(v) for v in row] for row in dense1]
    dense2 = _dense_forward(T, relu1, weights2, biases2)
    _, values, tols = softmax_golden(
        [[v.v for v in row] for row in dense2], T.name, [[v.e for v in row] for row in dense2]
    )
    return {**_outputs(dense1=dense1, relu1=relu1, dense2=dense2), "softmax": (values, tols)}

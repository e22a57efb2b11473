"""Bounded goldens shared by the training stages' modules (generator/stages/): backward passes,
losses, regularization, the optimizer update and the book's model step by step (the pieces of
`training`'s and `model_training`'s trajectories and their sharpness check), in bounded
arithmetic.

Each function is the reference's formula written over `Bounded` numbers (generator/bounded.py):
the value is exact, the bound covers every correct port of the tier. Inputs arrive as the tier
reads them; integers (labels, masks, iteration counts) stay integers.
"""

from __future__ import annotations

import mpmath

from nnfs_conform.suite.stages import HYPERPARAMETERS
from nnfs_conform.suite.stages import STATE as LAYER_STATE

from . import oracle as o
from .bounded import SAFETY, Bounded, Tier, UnboundedError, exp, golden, log, sqrt
from .goldens import _softmax_rows as softmax_golden
from .tolerance import gamma


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


# -- regularization (chapter 14) -------------------------------------------------------------------
def _l1_sign(T, w):
    """The book's dL1 at one value: +1 where w >= 0 (0 and -0.0 included), -1 where w < 0. Where
    rounding could put a port's w on either side of 0, both answers are inside: ±1 off by 2."""
    if w.v - mpmath.mpf(w.e) >= 0:
        return T.const(1)
    if w.v + mpmath.mpf(w.e) < 0:
        return T.const(-1)
    return T.bounded(mpmath.mpf(-1 if w.v < 0 else 1), 2.0)


def _regularizer_terms(T, values, l1, l2):
    """Per value, the regularization's two gradient terms: l1·dL1 and 2·l2·w."""
    two_l2 = 2 * l2
    return [(l1 * _l1_sign(T, v), two_l2 * v) for v in values]


def _regularization_loss(T, weights, biases, l1w, l2w, l1b, l2b):
    """l1_w·Σ|w| + l2_w·Σw² + l1_b·Σ|b| + l2_b·Σb², in any order."""
    flat = [w for row in weights for w in row]
    terms = [
        l1w * T.total([abs(w) for w in flat]),
        l2w * T.dot(flat, flat),
        l1b * T.total([abs(b) for b in biases]),
        l2b * T.dot(biases, biases),
    ]
    return T.total(terms)


# -- the book's model, one optimizer step at a time (training, model_training) ---------------------
def _initial_layers(T, x, optimizer):
    """The two dense layers as the inputs give them, each with its optimizer state at zeros."""
    layers = []
    for i in (1, 2):
        layer = {"weights": _read(T, x[f"weights{i}"]), "biases": _read(T, x[f"biases{i}"])}
        for name in LAYER_STATE[optimizer]:  # optimizer state starts at zeros
            like = layer["weights"] if name.startswith("weight") else layer["biases"]
            layer[name] = _read(
                T,
                [[0.0] * len(r) for r in like] if name.startswith("weight") else [0.0] * len(like),
            )
        layers.append(layer)
    return layers


def _softmax_row(T, row):
    shift = T.maximum(row)
    exps = [exp(v - shift) for v in row]
    total = T.total(exps)
    return [e / total for e in exps]


def _network_forward(T, inputs, layers):
    """Dense(K, H) -> ReLU -> Dense(H, C) -> softmax: (dense1, relu1, probabilities)."""
    l1, l2 = layers
    dense1 = _dense_forward(T, inputs, l1["weights"], l1["biases"])
    relu1 = [[T.relu(v) for v in row] for row in dense1]
    dense2 = _dense_forward(T, relu1, l2["weights"], l2["biases"])
    return dense1, relu1, [_softmax_row(T, row) for row in dense2]


def _sample_losses(T, probs, labels):
    """-ln(clip(p_true)), the clip bounds in the tier's dtype."""
    lo, hi = o.clip_bounds(T.name)
    return [-log(T.clip(row[label], lo, hi)) for row, label in zip(probs, labels)]


def _network_backward(T, inputs, layers, dense1, relu1, probs, labels):
    """The combined softmax + cross-entropy gradient back through both layers:
    [(dweights1, dbiases1), (dweights2, dbiases2)], the data terms only."""
    classes = len(probs[0])
    targets = [[1 if c == label else 0 for c in range(classes)] for label in labels]
    dvalues = _combined_backward(T, probs, targets)
    dw2, db2, drelu1 = _dense_backward(T, relu1, layers[1]["weights"], dvalues)
    ddense1 = [[T.gate(z, d) for z, d in zip(zr, dr)] for zr, dr in zip(dense1, drelu1)]
    dw1, db1, _ = _dense_backward(T, inputs, layers[0]["weights"], ddense1)
    return [(dw1, db1), (dw2, db2)]


def _step_network(T, optimizer, layers, gradients, iterations, hyper):
    """One optimizer step on both layers with the same iteration count: (new layers, the rate
    the step used)."""
    new = []
    for layer, (dw, db) in zip(layers, gradients):
        out, lr = _step_layer(
            T, optimizer, layer, {"dweights": dw, "dbiases": db}, iterations, hyper
        )
        new.append({**layer, **out})
    return new, lr


def _argmax(probs):
    """(the exact argmax, True if no correct port can pick another class)."""
    order = sorted(range(len(probs)), key=lambda c: -probs[c].v)
    top = order[0]
    if len(order) == 1:
        return top, True
    second = probs[order[1]]
    return top, probs[top].v - mpmath.mpf(probs[top].e) > second.v + mpmath.mpf(second.e)


def _accuracy(T, probs, labels):
    """The share of hits, by the accuracy stage's rule γ(B+1)·acc (a count divided by B, times
    fl(1/B), or B additions of 1/B); each row whose argmax rounding could flip widens the bound
    by 1/B."""
    hits = doubtful = 0
    for row, label in zip(probs, labels):
        top, certain = _argmax(row)
        hits += top == label
        doubtful += not certain
    samples = len(labels)
    rate = mpmath.mpf(hits) / samples
    rounding = gamma(samples + 1, T.name) * SAFETY * float(rate)
    return Bounded(rate, rounding + doubtful / samples)


SHARP = 1e-2  # a trajectory is kept only if every bound is this small against its scale


SHARP_ACCURACY = 0.25  # at most a quarter of the rows may have an uncertain argmax


def _flat(value):
    if not isinstance(value, list):
        return [value]
    return [v for row in value for v in (row if isinstance(row, list) else [row])]


def _check_sharp(where, parameters, relative, accuracies=()):
    """Refuse a trajectory whose bounds have grown too wide to catch a mistake: every
    parameter's bound must stay below SHARP times the largest parameter, the bound of each
    value of `relative` (a loss, a rate) below SHARP times that value, and each accuracy's below
    SHARP_ACCURACY. parameters and relative map names to nested Bounded, accuracies names to
    one."""
    scale = max(float(abs(v.v)) for value in parameters.values() for v in _flat(value))
    limits = [(name, value, SHARP * scale) for name, value in parameters.items()]
    limits += [(name, value, SHARP * float(value.v)) for name, value in relative.items()]
    limits += [(name, value, SHARP_ACCURACY) for name, value in accuracies.items()]
    for name, value, limit in limits:
        worst = max(v.e for v in _flat(value))
        if worst > limit:
            raise UnboundedError(
                f"{where}: {name}'s bound {worst:.3g} exceeds {limit:.3g}; "
                f"choose a smaller rate, fewer steps or other data"
            )

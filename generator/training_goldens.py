"""Expected outputs and tolerances of the training stages, in bounded arithmetic.

Each function is the reference's formula written over `Bounded` numbers (generator/bounded.py):
the value is exact, the bound covers every correct port of the tier. Inputs arrive as the tier
reads them; integers (labels, masks, iteration counts) stay integers.
"""

from __future__ import annotations

import mpmath

from nnfs_conform.reference.training import HYPERPARAMETERS
from nnfs_conform.reference.training import STATE as LAYER_STATE

from . import oracle as o
from .bounded import SAFETY, Bounded, Tier, UnboundedError, golden
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
    return [[1 if c == label else 0 for c in range(classes)]
            for label in o.labels_of(y_true, label_format)]


# -- backward passes ------------------------------------------------------------------------------
def _dense_backward(T, inputs, weights, dvalues):
    columns = _columns(dvalues)
    dweights = [[T.dot(x_col, d_col) for d_col in columns] for x_col in _columns(inputs)]
    dbiases = [T.total(d_col) for d_col in columns]
    dinputs = [[T.dot(d_row, w_row) for w_row in weights] for d_row in dvalues]
    return dweights, dbiases, dinputs


def dense_backward(x, p, tier):
    T = Tier(tier)
    dw, db, di = _dense_backward(T, _read(T, x["inputs"]), _read(T, x["weights"]),
                                 _read(T, x["dvalues"]))
    return _outputs(dweights=dw, dbiases=db, dinputs=di)


def relu_backward(x, p, tier):
    T = Tier(tier)

    def apply(inputs, dvalues):
        if isinstance(inputs, list):
            return [apply(i, d) for i, d in zip(inputs, dvalues)]
        # a comparison and a copy, no arithmetic: the numbers as parsed, subnormals included
        return T.gate(T.parse(inputs), T.parse(dvalues))
    return _outputs(dinputs=apply(x["inputs"], x["dvalues"]))


def _softmax_backward_row(T, probs, dvalues):
    """Both ways a port writes it, the Jacobian (diag(p) - p·pᵀ) @ dv and p ⊙ (dv - p·dv):
    the same exact value, and the larger of the two bounds."""
    jacobian = [[T.sub(p_i, T.mul(p_i, p_i)) if i == j else T.neg(T.mul(p_i, p_j))
                 for j, p_j in enumerate(probs)] for i, p_i in enumerate(probs)]
    through_jacobian = [T.dot(row, dvalues) for row in jacobian]
    weighted = T.dot(probs, dvalues)
    factored = [T.mul(p_i, T.sub(d_i, weighted)) for p_i, d_i in zip(probs, dvalues)]
    return [Bounded(a.v, max(a.e, b.e)) for a, b in zip(through_jacobian, factored)]


def softmax_backward(x, p, tier):
    T = Tier(tier)
    rows = [_softmax_backward_row(T, pr, dv)
            for pr, dv in zip(_read(T, x["output"]), _read(T, x["dvalues"]))]
    return _outputs(dinputs=rows)


def _cce_backward(T, y_pred, targets):
    samples = len(y_pred)
    return [[T.per(T.div(T.const(-t), pv), samples) if t else Bounded(mpmath.mpf(0), 0.0)
             for pv, t in zip(row, target)] for row, target in zip(y_pred, targets)]


def categorical_crossentropy_backward(x, p, tier):
    T = Tier(tier)
    y_pred = _read(T, x["y_pred"])
    targets = _onehot_rows(x["y_true"], p["label_format"], len(y_pred[0]))
    return _outputs(dinputs=_cce_backward(T, y_pred, targets))


def _combined_backward(T, probs, targets):
    samples = len(probs)
    return [[T.per(T.sub(pv, T.const(t)), samples) for pv, t in zip(row, target)]
            for row, target in zip(probs, targets)]


def softmax_crossentropy_backward(x, p, tier):
    T = Tier(tier)
    y_pred = _read(T, x["y_pred"])
    targets = _onehot_rows(x["y_true"], p["label_format"], len(y_pred[0]))
    combined = _combined_backward(T, y_pred, targets)
    if p["path"] == "combined":
        return _outputs(dinputs=combined)
    dvalues = _cce_backward(T, y_pred, targets)
    separate = [_softmax_backward_row(T, pr, dv) for pr, dv in zip(y_pred, dvalues)]
    for a_row, b_row in zip(combined, separate):
        for a, b in zip(a_row, b_row):  # the identity the case family shows
            assert abs(a.v - b.v) <= abs(a.v) * mpmath.mpf(2) ** -200 + mpmath.mpf(2) ** -1000
    # the combined formula's exact value, the chained computation's bound
    return _outputs(dinputs=[[Bounded(a.v, b.e) for a, b in zip(a_row, b_row)]
                             for a_row, b_row in zip(combined, separate)])


# -- regularization and dropout -------------------------------------------------------------------
def _regularizer_gradient(T, values, l1, l2):
    two_l2 = T.mul(T.const(2), l2)
    return [T.add(T.mul(l1, T.const(-1 if v.v < 0 else 1)), T.mul(two_l2, v)) for v in values]


def regularization(x, p, tier):
    T = Tier(tier)
    weights, biases = _read(T, x["weights"]), _read(T, x["biases"])
    l1w, l2w, l1b, l2b = (T.scalar(x[n]) for n in ("weight_regularizer_l1", "weight_regularizer_l2",
                                                   "bias_regularizer_l1", "bias_regularizer_l2"))
    flat = [w for row in weights for w in row]

    def absolute(v):
        return Bounded(abs(v.v), v.e)
    terms = [T.mul(l1w, T.total([absolute(w) for w in flat])), T.mul(l2w, T.dot(flat, flat)),
             T.mul(l1b, T.total([absolute(b) for b in biases])), T.mul(l2b, T.dot(biases, biases))]
    loss = T.total(terms)
    dweights = [_regularizer_gradient(T, row, l1w, l2w) for row in weights]
    dbiases = _regularizer_gradient(T, biases, l1b, l2b)
    return _outputs(loss=loss, dweights=dweights, dbiases=dbiases)


def dropout(x, p, tier):
    T = Tier(tier)
    keep = T.sub(T.const(1), T.scalar(x["rate"]))
    scale = [[T.div(T.const(m), keep) for m in row] for row in x["mask"]]
    output = [[T.mul(v, s) for v, s in zip(vr, sr)]
              for vr, sr in zip(_read(T, x["inputs"]), scale)]
    dinputs = [[T.mul(v, s) for v, s in zip(vr, sr)]
               for vr, sr in zip(_read(T, x["dvalues"]), scale)]
    return _outputs(output=output, dinputs=dinputs)


# -- sigmoid, binary cross-entropy, regression losses ---------------------------------------------
def sigmoid(x, p, tier):
    T = Tier(tier)
    one = T.const(1)
    output = [[T.sigmoid(v) for v in row] for row in _read(T, x["inputs"])]
    dinputs = [[T.mul(T.mul(d, T.sub(one, s)), s) for d, s in zip(dr, sr)]
               for dr, sr in zip(_read(T, x["dvalues"]), output)]
    return _outputs(output=output, dinputs=dinputs)


def _means(T, rows):
    sample_losses = [T.mean(row) for row in rows]
    return sample_losses, T.mean(sample_losses)


def binary_crossentropy(x, p, tier):
    T = Tier(tier)
    lo, hi = o.clip_bounds(tier)
    one = T.const(1)
    y_pred = [[T.clip(v, lo, hi) for v in row] for row in _read(T, x["y_pred"])]
    samples, outputs = len(y_pred), len(y_pred[0])
    terms, dinputs = [], []
    for row, labels in zip(y_pred, x["y_true"]):
        # y·ln(c) + (1-y)·ln(1-c) with y exactly 0 or 1: one of the products is exactly 0
        sides = [c if y else T.sub(one, c) for c, y in zip(row, labels)]
        terms.append([T.neg(T.log(s)) for s in sides])
        dinputs.append([T.per(T.per(T.div(T.const(-1 if y else 1), s), outputs), samples)
                        for s, y in zip(sides, labels)])
    sample_losses, loss = _means(T, terms)
    return _outputs(sample_losses=sample_losses, loss=loss, dinputs=dinputs)


def _regression(x, tier, term, gradient):
    T = Tier(tier)
    y_pred, y_true = _read(T, x["y_pred"]), _read(T, x["y_true"])
    samples, outputs = len(y_pred), len(y_pred[0])
    diffs = [[T.sub(t, q) for q, t in zip(pr, tr)] for pr, tr in zip(y_pred, y_true)]
    sample_losses, loss = _means(T, [[term(T, d) for d in row] for row in diffs])
    dinputs = [[T.per(T.per(gradient(T, d), outputs), samples) for d in row] for row in diffs]
    return _outputs(sample_losses=sample_losses, loss=loss, dinputs=dinputs)


def mean_squared_error(x, p, tier):
    return _regression(x, tier, lambda T, d: T.mul(d, d), lambda T, d: T.mul(T.const(-2), d))


def mean_absolute_error(x, p, tier):
    def sign(T, d):  # of y_pred - y_true = -d; exact, since the inputs are
        return T.const(0 if d.v == 0 else (-1 if d.v > 0 else 1))
    return _regression(x, tier, lambda T, d: Bounded(abs(d.v), d.e), sign)


# -- optimizers -----------------------------------------------------------------------------------
def _current_learning_rate(T, learning_rate, decay, iterations):
    if decay.v == 0:
        return learning_rate
    denominator = T.add(T.const(1), T.mul(decay, T.const(iterations)))
    return T.mul(learning_rate, T.div(T.const(1), denominator))


def _normalised_step(T, lr, numerator, cache, epsilon):
    """-lr·numerator / (sqrt(cache) + epsilon)."""
    return T.neg(T.div(T.mul(lr, numerator), T.add(T.sqrt(cache), epsilon)))


def _update(T, optimizer, params, grads, state, iterations, hyper):
    """One parameter array's step: (new params, new state arrays by name), element-wise."""
    lr = _current_learning_rate(T, hyper["learning_rate"], hyper["decay"], iterations)
    new_params, new_state = [], {name: [] for name in state}
    for i, (w, g) in enumerate(zip(params, grads)):
        s = {name: values[i] for name, values in state.items()}
        if optimizer == "sgd":
            mu = hyper["momentum"]
            if mu.v != 0:
                m = T.sub(T.mul(mu, s["momentums"]), T.mul(lr, g))
                step, s = m, {"momentums": m}
            else:
                step = T.neg(T.mul(lr, g))
        elif optimizer in ("adagrad", "rmsprop"):
            square = T.mul(g, g)
            if optimizer == "adagrad":
                cache = T.add(s["cache"], square)
            else:
                rho = hyper["rho"]
                cache = T.add(T.mul(rho, s["cache"]), T.mul(T.sub(T.const(1), rho), square))
            step, s = _normalised_step(T, lr, g, cache, hyper["epsilon"]), {"cache": cache}
        else:
            b1, b2, one = hyper["beta_1"], hyper["beta_2"], T.const(1)
            m = T.add(T.mul(b1, s["momentums"]), T.mul(T.sub(one, b1), g))
            v = T.add(T.mul(b2, s["cache"]), T.mul(T.sub(one, b2), T.mul(g, g)))
            m_hat = T.div(m, T.sub(one, T.pow_int(b1, iterations + 1)))
            v_hat = T.div(v, T.sub(one, T.pow_int(b2, iterations + 1)))
            step = _normalised_step(T, lr, m_hat, v_hat, hyper["epsilon"])
            s = {"momentums": m, "cache": v}
        new_params.append(T.add(w, step))
        for name in new_state:
            new_state[name].append(s[name])
    return new_params, new_state, lr


def _state_names(optimizer, prefix):
    """Stage input names of one array's state: weight_momentums -> momentums, etc."""
    return {name.split("_", 1)[1]: name for name in LAYER_STATE[optimizer]
            if name.startswith(prefix)}


def _step_layer(T, optimizer, layer, grads, iterations, hyper):
    """Both arrays of one dense layer; layer and grads map names to nested Bounded."""
    out = {}
    for prefix, name, grad in (("weight", "weights", "dweights"), ("bias", "biases", "dbiases")):
        shape_rows = isinstance(layer[name][0], list)
        flat = [v for row in layer[name] for v in row] if shape_rows else layer[name]
        flat_grad = [v for row in grads[grad] for v in row] if shape_rows else grads[grad]
        names = _state_names(optimizer, prefix)
        state = {short: ([v for row in layer[full] for v in row] if shape_rows else layer[full])
                 for short, full in names.items()}
        params, new_state, lr = _update(T, optimizer, flat, flat_grad, state, iterations, hyper)
        width = len(layer[name][0]) if shape_rows else None

        def shaped(values, width=width):
            return [values[i:i + width] for i in range(0, len(values), width)] if width else values
        out[name] = shaped(params)
        for short, full in names.items():
            out[full] = shaped(new_state[short]) if short in new_state and new_state[short] \
                else layer[full]
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


# -- training -------------------------------------------------------------------------------------
def _softmax_row(T, row):
    shift = T.maximum(row)
    exps = [T.exp(T.sub(v, shift)) for v in row]
    total = T.total(exps)
    return [T.div(e, total) for e in exps]


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


SHARP = 1e-2  # a trajectory step is kept only if every bound is this small against its scale
SHARP_ACCURACY = 0.25  # at most a quarter of the rows may have an uncertain argmax


def _flat(value):
    if not isinstance(value, list):
        return [value]
    return [v for row in value for v in (row if isinstance(row, list) else [row])]


def _check_sharp(step, record):
    """Refuse a trajectory whose bounds have grown too wide to catch a mistake: every
    parameter's bound must stay below SHARP times the largest parameter, the loss's and the
    rate's below SHARP times their value."""
    parameters = [v for name in ("weights1", "biases1", "weights2", "biases2")
                  for v in _flat(record[name][-1])]
    scale = max(float(abs(v.v)) for v in parameters)
    limits = {"accuracy": SHARP_ACCURACY, "loss": SHARP * float(record["loss"][-1].v),
              "learning_rate": SHARP * float(record["learning_rate"][-1].v)}
    for name, values in record.items():
        worst = max(v.e for v in _flat(values[-1]))
        limit = limits.get(name, SHARP * scale)
        if worst > limit:
            raise UnboundedError(f"step {step}: {name}'s bound {worst:.3g} exceeds {limit:.3g}; "
                                 f"choose a smaller rate, fewer steps or other data")


def training(x, p, tier):
    T = Tier(tier)
    optimizer = p["optimizer"]
    hyper = {n: T.scalar(x[n]) for n in HYPERPARAMETERS[optimizer]}
    inputs = _read(T, x["inputs"])
    labels = o.labels_of(x["y_true"], p["label_format"])
    layers = []
    for i in (1, 2):
        layer = {"weights": _read(T, x[f"weights{i}"]), "biases": _read(T, x[f"biases{i}"])}
        for name in LAYER_STATE[optimizer]:  # optimizer state starts at zeros
            like = layer["weights"] if name.startswith("weight") else layer["biases"]
            layer[name] = _read(T, [[0.0] * len(r) for r in like] if name.startswith("weight")
                                else [0.0] * len(like))
        layers.append(layer)
    record = {n: [] for n in ("loss", "accuracy", "learning_rate", "weights1", "biases1",
                              "weights2", "biases2")}
    lo, hi = o.clip_bounds(tier)
    classes = len(x["biases2"])
    targets = [[1 if c == label else 0 for c in range(classes)] for label in labels]
    for step in range(int(x["steps"])):
        l1, l2 = layers
        dense1 = [[T.dot(row, col, [b]) for col, b in zip(_columns(l1["weights"]), l1["biases"])]
                  for row in inputs]
        relu1 = [[T.relu(v) for v in row] for row in dense1]
        dense2 = [[T.dot(row, col, [b]) for col, b in zip(_columns(l2["weights"]), l2["biases"])]
                  for row in relu1]
        probs = [_softmax_row(T, row) for row in dense2]
        losses = [T.neg(T.log(T.clip(row[label], lo, hi))) for row, label in zip(probs, labels)]
        record["loss"].append(T.mean(losses))
        record["accuracy"].append(_accuracy(T, probs, labels))
        dvalues = _combined_backward(T, probs, targets)
        dw2, db2, drelu1 = _dense_backward(T, relu1, l2["weights"], dvalues)
        ddense1 = [[T.gate(z, d) for z, d in zip(zr, dr)] for zr, dr in zip(dense1, drelu1)]
        dw1, db1, _ = _dense_backward(T, inputs, l1["weights"], ddense1)
        new = []
        for layer, dw, db in ((l1, dw1, db1), (l2, dw2, db2)):
            out, lr = _step_layer(T, optimizer, layer, {"dweights": dw, "dbiases": db}, step,
                                  hyper)
            new.append({**layer, **out})
        layers = new
        record["learning_rate"].append(lr)
        for i, layer in enumerate(layers, start=1):
            record[f"weights{i}"].append(layer["weights"])
            record[f"biases{i}"].append(layer["biases"])
        _check_sharp(step, record)
    return _outputs(**record)


STAGES = {
    "dense_backward": dense_backward, "relu_backward": relu_backward,
    "softmax_backward": softmax_backward,
    "categorical_crossentropy_backward": categorical_crossentropy_backward,
    "softmax_crossentropy_backward": softmax_crossentropy_backward,
    "regularization": regularization, "dropout": dropout, "sigmoid": sigmoid,
    "binary_crossentropy": binary_crossentropy, "mean_squared_error": mean_squared_error,
    "mean_absolute_error": mean_absolute_error,
    **{f"{name}_step": _optimizer_step(name) for name in HYPERPARAMETERS},
    "training": training,
}

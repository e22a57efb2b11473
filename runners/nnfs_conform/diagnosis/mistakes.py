"""The catalogue of known porting mistakes: each a small mutant of the stages, named and explained.

Every entry is the plain-Python emulator (`emulator.Engine`) with one of its extension points
overridden: `overrides` maps the point's name to the wrong step, declared right next to the
mistake's explanation and fix (a few mistakes override two points that belong together, a few
need their own arithmetic instead: float16 accumulation, a float32 port claiming float64, outputs
rounded to 2 decimals). The runner replays them to name the mistake behind a failure
(`diagnose.py`); tools/variants.py and tests/test_mistakes.py prove that every one is caught and
named.

Ids are short and stable: reports and learners refer to them. `specificity` ranks mistakes that
reproduce the same failing output. A mistake that changes the output on a narrower set of inputs
ranks higher, because when both fit, the narrower one is the likelier and the more useful name:
- 2, narrow: it changes only inputs of one kind, and its failures are a subset of a broader
  mistake's (a softmax whose running maximum starts at 0 breaks only all-negative rows, which a
  softmax with no shift at all breaks too; a one-sided clip only the side it forgets; argmax
  taking the last maximum only ties; float64 clip bounds only clipped values);
- 1, the default: one definite wrong step;
- 0, broad: every output a little off (float32 arithmetic declared float64, outputs rounded to
  2 decimals), so it fits wherever the right answer happens to look like another mistake's.
When two mistakes of the same, highest specificity fit, the diagnosis names neither.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np

from ..suite.stages import FORWARD, TRAINING, stage_names
from .emulator import (
    ARITH,
    BookDotArith,
    Engine,
    _shape_error,
    ew,
    f16,
    f32,
    flat,
    is_extension_point,
    log64,
    mean_of,
    numpy_broadcast,
    signum,
    transpose,
)
from .rounded import sqrt

# The stages a mistake can touch: every stage of the forward and training groups of the stage
# table (the book tier's are the book's own numbers, proven by tests/test_book.py).
FORWARD_STAGES = stage_names(FORWARD)
TRAINING_STAGES = stage_names(TRAINING)
STAGES = FORWARD_STAGES + TRAINING_STAGES
TIERS = ("float64", "float32")
# `training` runs the forward pass (dense, ReLU, softmax, loss, accuracy), the backward passes
# and an optimizer step, so a mistake in any of them changes it too; so does `model_training`,
# which runs them over mini-batches and epochs, with the first layer regularized.
# The chains of chapters 4 and 21 (dense_relu ... parameters) run the same dense layers, ReLU and
# softmax; `evaluate` the same loss and accuracy; `predictions` the same argmax.
TRAINED = ("training", "model_training")
HIDDEN = ("dense_relu", "dense_relu_dense_softmax", "repeated_forward", "forward", *TRAINED)
DOTS = ("neuron", "layer", "dense_batch", *HIDDEN, "parameters")
SOFTMAX = ("softmax", "dense_relu_dense_softmax", "forward", *TRAINED, "parameters")
LOSS = ("categorical_crossentropy", "forward", *TRAINED, "evaluate")
LABELS = ("categorical_crossentropy", "accuracy", "forward", *TRAINED, "evaluate")
ACCURACY = ("accuracy", "forward", *TRAINED, "evaluate")
ARGMAX = (*ACCURACY, "predictions")
STEPS = ("sgd_step", "adagrad_step", "rmsprop_step", "adam_step", *TRAINED)
CACHED_STEPS = ("adagrad_step", "rmsprop_step", "adam_step", *TRAINED)
PER_SAMPLE_GRADIENTS = (
    "categorical_crossentropy_backward",
    "softmax_crossentropy_backward",
    "binary_crossentropy",
    "mean_squared_error",
    "mean_absolute_error",
    "training",
    "model_training",
)

Run = Callable[[str, dict[str, Any], dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Mistake:
    """One known porting mistake: what it is, how to fix it, and a mutant that makes it."""

    id: str
    stages: tuple[str, ...]  # the stages whose outputs it changes
    explanation: str  # one line a learner understands: what the port did
    fix: str  # one line: what to change
    specificity: int = 1  # higher wins when several mistakes fit the same output
    tiers: tuple[str, ...] = TIERS  # the dtypes a port can make it in
    build: Callable[[Mistake, str], Run] | None = field(default=None, repr=False, compare=False)
    # Other forms the same behaviour takes in other languages or hands (a JavaScript port reads
    # `undefined` where NumPy broadcasts, e is typed to 4 or to 7 decimals): each is replayed
    # too, and the mistake is named when any one of them explains the stage. An override reads
    # the form it is replayed in as `engine.form`.
    forms: tuple[str, ...] = ()
    # The wrong steps: Engine extension point -> its replacement, a function of the engine and
    # the point's arguments, as a method of the Engine takes them.
    overrides: Mapping[str, Callable] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        unknown = [name for name in self.overrides if not is_extension_point(name)]
        assert not unknown, f"{self.id} overrides what is no Engine extension point: {unknown}"

    @property
    def engine(self) -> type[Engine]:
        """The emulator making this mistake: the Engine with its extension points overridden."""
        return _engine_overriding(self.id, tuple(self.overrides.items()))

    def runner(self, tier: str, form: str = "") -> Run:
        """(stage, decoded inputs, params) -> encoded outputs of this mistake at `tier`, in
        its first form ("") or one of `forms`."""
        if self.build is not None:
            return self.build(self, tier)
        return self.engine(ARITH[tier], form=form).run

    @property
    def all_forms(self) -> tuple[str, ...]:
        return ("", *self.forms)


@cache
def _engine_overriding(
    mistake_id: str, overrides: tuple[tuple[str, Callable], ...]
) -> type[Engine]:
    """The Engine subclass with these extension points overridden (one class per mistake)."""
    return type(f"Engine[{mistake_id}]", (Engine,), dict(overrides))


def _float16_accumulation(mistake: Mistake, tier: str) -> Run:
    return Engine(ARITH[tier], dot_arith=replace(ARITH[tier], acc=f16)).run


def _float32_engine(mistake: Mistake, tier: str) -> Run:
    return Engine(ARITH["float32"]).run


def _book_float32_engine(mistake: Mistake, tier: str) -> Run:
    """The book's float32 rules (`nnfs.init()`): float32 everywhere, dot products in float64
    rounded once to float32."""
    arith = ARITH["float32"]
    return Engine(arith, dot_arith=BookDotArith(arith.rnd, exp=arith.exp, log=arith.log)).run


def _round2(value: Any) -> Any:
    if isinstance(value, list):
        return [_round2(v) for v in value]
    if isinstance(value, float) and math.isfinite(value):
        return round(value, 2)
    return value


def _rounded_outputs(mistake: Mistake, tier: str) -> Run:
    run = Engine(ARITH[tier]).run

    def rounded(stage, inputs, params):
        return {name: _round2(value) for name, value in run(stage, inputs, params).items()}

    return rounded


# -- the wrong steps longer than a line (the one-liners sit in their entries below) ---------------
APPROXIMATE_E = 2.71828  # the book's readers sometimes type e by hand
FLOAT64_BOUNDS = (1e-7, 1 - 1e-7)  # the cross-entropy's clip bounds, unrounded


def _relu_before_bias(engine: Engine, inputs, weights, biases):
    """dense1 = x·W1 + b1 as usual, but relu1 = relu(x·W1) + b1: ReLU before the biases."""
    bare = engine.dense(inputs, weights)  # x·W1, no biases
    per_row = [biases] * len(bare)
    dense1 = engine.each(lambda v, b: v + b, bare, per_row)
    relu1 = engine.each(lambda v, b: engine.relu_value(v) + b, bare, per_row)
    return dense1, relu1


def _bias_of_sample(engine: Engine, biases, sample: int, neuron: int):
    """biases[i], the sample's: past the end NumPy's broadcast wraps around, JavaScript reads
    undefined (NaN; the form "past-end-nan")."""
    if engine.form == "past-end-nan":
        return biases[sample] if sample < len(biases) else math.nan
    return biases[sample % len(biases)]


def _column_max(engine: Engine, rows):
    """np.max(x, axis=0): each logit shifted by its column's maximum."""
    column_max = [max(col) for col in transpose(rows)]
    return [list(column_max) for _ in rows]


def _exp_of_typed_e(engine: Engine, x):
    """e ** x for a hand-typed e: 2.71828, or as many digits as the form says."""
    return float(engine.form or APPROXIMATE_E) ** x


def _float64_log_at_bounds(engine: Engine, p: float) -> float:
    """The dtype's log, but float64's at the float64 bounds a clipped value equals."""
    return engine.arith.rnd(log64(p)) if p in FLOAT64_BOUNDS else engine.arith.log(p)


def _every_label(engine: Engine, y_pred, y_true):
    """y_pred[:, y_true]: every sample indexed by every label, an n x n matrix, and its mean."""
    lo, hi = engine.clip_bounds()
    matrix = [[engine.loss_of(row[int(t)], lo, hi) for t in y_true] for row in y_pred]
    return matrix, mean_of(matrix, engine.arith)


def _onehot_losses_as_sparse(engine: Engine, y_pred, y_true):
    """y_pred[range(samples), y_true] on one-hot rows: NumPy broadcasts them into a matrix, whose
    mean is taken; JavaScript's y_pred[b][[0, 1, 0]] is undefined, and so is every loss (the
    form "undefined": NaN)."""
    if engine.form == "undefined":
        return [math.nan] * len(y_pred), math.nan
    lo, hi = engine.clip_bounds()
    rows, cols = numpy_broadcast(np.arange(len(y_pred)), y_true)
    matrix = [
        [engine.loss_of(y_pred[r][c], lo, hi) for r, c in zip(rr, cc)]
        for rr, cc in zip(rows.tolist(), cols.tolist())
    ]
    return matrix, mean_of(matrix, engine.arith)


def _onehot_accuracy_as_sparse(engine: Engine, predictions, y_true):
    """np.mean(predictions == y_true) with one-hot y_true, broadcast; in JavaScript a number ===
    an array is never true (the form "undefined": 0)."""
    if engine.form == "undefined":
        return predictions, 0.0
    same = np.equal(*numpy_broadcast(predictions, y_true))
    return predictions, engine.arith.rnd(float(np.mean(same)))


def _momentum_before_decay(engine: Engine, x, lr, iterations: int):
    """v = μ·v - lr0·g with the undecayed rate, and the update divided by 1 + decay·t."""
    return engine.descent(x["learning_rate"]), 1 + x["decay"] * iterations


def _appended(engine: Engine, first, second):
    """A forward that appends its rows to the output of the call before."""
    return first + second


def _shared_state(engine: Engine, states, layer: int):
    """The optimizer's own momentums and caches, made for the first layer and used by both."""
    if ew(lambda v: 0.0, states[0]["weight_cache"]) != ew(
        lambda v: 0.0, states[layer]["weight_cache"]
    ):
        raise _shape_error("the first layer's state does not fit the second layer")
    return states[0]


def _fresh_state(engine: Engine, states, layer: int):
    """State made anew at every update: nothing carries over to the next step."""
    return {name: ew(lambda v: 0.0, value) for name, value in states[layer].items()}


def _floor_steps(engine: Engine, samples: int, batch_size: int) -> int:
    return samples // batch_size


def _rows_from_step(engine: Engine, rows, step: int, batch_size: int):
    """rows[step:step + batch_size]: the start moves by one sample, not by a batch."""
    return rows[step : step + batch_size]


def _mean_of_batch_means(engine: Engine, sums, counts, of: str):
    """The mean of the batch means: the loss's and the accuracy's, or (its forms) one of them."""
    if engine.form not in ("", of):
        return Engine.accumulated(engine, sums, counts, of)
    return engine.total([engine.number(s) / c for s, c in zip(sums, counts)]) / len(sums)


def _saved_digits(engine: Engine, value: float) -> float:
    """A parameter written with C's %g (6 significant digits) or %f (6 decimals: the form)."""
    text = f"{value:.6f}" if engine.form == "%f" else f"{value:g}"
    return engine.arith.rnd(float(text))


def _weights_only(engine: Engine, layers):
    """get_parameters returned the weights alone: the loaded layers keep zero biases."""
    return [[weights, [0.0] * len(biases)] for weights, biases in layers]


def _round_half_up(engine: Engine, v: float) -> int:
    """Math.round(output) as the class: 0.5 rounds up, and outputs above 1.5 are classes 2, 3..."""
    return int(math.floor(v + 0.5))


M = Mistake
MISTAKES: tuple[Mistake, ...] = (
    # -- found in public ports of the book -------------------------------------------------------
    M(
        "relu-before-bias",
        HIDDEN,
        "ReLU was applied before the bias was added: relu(x·W1) + b1",
        "add the biases first, then apply ReLU to the sum: relu(x·W1 + b1)",
        overrides={"hidden_layer": _relu_before_bias},
    ),
    M(
        "bias-wrong-axis",
        ("dense_batch", "forward", *TRAINED),
        "the biases were read per sample (biases[i], down the rows), not per neuron (biases[j])",
        "add biases[j] to column j of every row: one bias per neuron, shape (1, N)",
        forms=("past-end-nan",),
        overrides={"bias_of": _bias_of_sample},
    ),  # wrapping around (NumPy's broadcast), or JS's undefined
    M(
        "relu-inverted",
        ("relu", *HIDDEN),
        "ReLU kept the negatives and zeroed the positives: min(0, x) instead of max(0, x)",
        "use max(0, x): keep positive values, replace negatives by 0",
        overrides={"relu_value": lambda engine, v: v if v < 0 else 0.0},
    ),
    M(
        "softmax-max-starts-at-zero",
        SOFTMAX,
        "the running maximum of a row started at 0, not at its first element: "
        "all-negative rows underflow",
        "start the maximum at the row's first element (or -infinity), then compare the rest",
        specificity=2,
        overrides={
            "softmax_shift": lambda engine, rows: [[max(0.0, *row)] * len(row) for row in rows]
        },
    ),
    M(
        "softmax-approximate-e",
        SOFTMAX,
        "exp(x) was computed as a power of a hand-typed e (2.71828...): every probability is off",
        "call the language's exp function (math.exp, Math.exp, f64::exp), "
        "not a power of a constant",
        forms=("2.718", "2.7182", "2.718281"),
        overrides={"softmax_exp": _exp_of_typed_e},
    ),  # 7 decimals and more: float32's own e
    M(
        "outputs-rounded-2-decimals",
        STAGES,
        "the outputs were rounded to 2 decimals before they were sent back",
        "send full-precision numbers (shortest round-trip); round only for display",
        specificity=0,
        build=_rounded_outputs,
    ),
    M(
        "dot-keeps-last-product",
        DOTS,
        "the dot product kept only the last product (total = x*w) instead of accumulating",
        "accumulate: total += inputs[k] * weights[k], starting from 0",
        overrides={"dot_terms": lambda engine, xs, ws: (xs[-1:], ws[-1:])},
    ),
    M(
        "skip-last-input",
        DOTS,
        "an input was left out of the sum: the loop over the inputs stops one element early",
        "loop over every index from 0 to K-1 (range(len(inputs)))",
        overrides={"dot_terms": lambda engine, xs, ws: (xs[:-1], ws[:-1])},
    ),
    M(
        "labels-one-based",
        LABELS,
        "class indices were treated as 1-based (y_pred[label - 1], or argmax + 1), "
        "but labels count classes from 0",
        "class k is at position k: use the label itself as the index and report argmax as is",
        overrides={"first_class": lambda engine: 1},
    ),
    M(
        "cce-every-label",
        LOSS,
        "every sample was indexed by every label (y_pred[:, y_true]): an n x n matrix, "
        "whose mean was taken",
        "pick one confidence per sample: y_pred[range(samples), y_true], i.e. y_pred[i][y_true[i]]",
        overrides={"sparse_losses": _every_label},
    ),
    # -- the classic ones ------------------------------------------------------------------------
    M(
        "bias-dropped",
        DOTS,
        "the bias was never added",
        "add the bias once to each weighted sum: inputs·weights + bias",
        overrides={"bias_terms": lambda engine, bias: []},
    ),
    M(
        "bias-twice",
        DOTS,
        "the bias was added twice (once in the sum, once after)",
        "add the bias exactly once, after the weighted sum",
        overrides={"bias_terms": lambda engine, bias: [bias, bias]},
    ),
    M(
        "weights-not-transposed",
        ("layer", "dense_batch"),
        "per-neuron weight rows were used without the transpose (inputs @ weights)",
        "with one weight row per neuron, compute inputs @ weights.T (row n times inputs)",
        overrides={"as_inputs_neurons": lambda engine, weights: weights},
    ),
    M(
        "accuracy-integer-division",
        ACCURACY,
        "the accuracy was an integer division (matches // samples): 0 unless every one is right",
        "divide as floats: float(matches) / samples",
        overrides={"accuracy_ratio": lambda engine, matches, count: matches // count},
    ),
    M(
        "softmax-batch-axis",
        SOFTMAX,
        "softmax ran over the batch axis (columns), not over each row",
        "take the maximum and the sum along each row (axis=1, keepdims=True)",
        overrides={
            "softmax_rows": lambda engine, rows: transpose(engine.softmax_lines(transpose(rows)))
        },
    ),
    M(
        "softmax-no-max-shift",
        SOFTMAX,
        "exp(x) without subtracting the row maximum first: large logits overflow to inf and NaN",
        "subtract each row's maximum before exp: exp(x - max(row))",
        overrides={"softmax_shift": lambda engine, rows: [[0.0] * len(row) for row in rows]},
    ),
    M(
        "softmax-column-max",
        SOFTMAX,
        "each logit was shifted by its column's maximum (axis=0), not its row's maximum",
        "take the maximum along each row: np.max(inputs, axis=1, keepdims=True)",
        overrides={"softmax_shift": _column_max},
    ),
    M(
        "softmax-divides-by-max",
        SOFTMAX,
        "the exponentials were divided by their maximum instead of their sum",
        "divide each exp by the sum of its row's exps",
        overrides={"softmax_denominator": lambda engine, exps: max(exps)},
    ),
    M(
        "softmax-drops-last-class",
        SOFTMAX,
        "the last class was left out of the softmax denominator",
        "sum the exps of every class, the last one included",
        overrides={"softmax_denominator": lambda engine, exps: engine.total(exps[:-1])},
    ),
    M(
        "cce-no-clip",
        LOSS,
        "the predictions were not clipped: -ln(0) is infinite and -ln(1) is 0",
        "clip y_pred to [1e-7, 1 - 1e-7] before the log",
        overrides={"clip": lambda engine, p, lo, hi: p},
    ),
    M(
        "cce-lower-clip-only",
        LOSS,
        "the predictions were clipped at 1e-7 below but not at 1 - 1e-7 above",
        "clip on both sides: min(max(p, 1e-7), 1 - 1e-7)",
        specificity=2,
        overrides={"clip": lambda engine, p, lo, hi: max(p, lo)},
    ),
    M(
        "cce-upper-clip-only",
        LOSS,
        "the predictions were clipped at 1 - 1e-7 above but not at 1e-7 below: -ln(0) is infinite",
        "clip on both sides: min(max(p, 1e-7), 1 - 1e-7)",
        specificity=2,
        overrides={"clip": lambda engine, p, lo, hi: min(p, hi)},
    ),
    M(
        "cce-clip-float64-bounds",
        LOSS,
        "a float32 port clipped with the float64 bounds 1e-7 and 1 - 1e-7 (and took their log in "
        "float64)",
        "round both bounds to float32 first: 1.0000000116860974e-07 and 0.9999998807907104",
        specificity=2,
        tiers=("float32",),
        overrides={"clip_bounds": lambda engine: FLOAT64_BOUNDS, "cce_log": _float64_log_at_bounds},
    ),
    M(
        "cce-log10",
        LOSS,
        "the loss used log10 instead of the natural logarithm",
        "use the natural log: math.log, Math.log, f64::ln (not log10)",
        overrides={"cce_log": lambda engine, p: engine.arith.log10(p)},
    ),
    M(
        "cce-log2",
        LOSS,
        "the loss used log2 instead of the natural logarithm",
        "use the natural log: math.log, Math.log, f64::ln (not log2)",
        overrides={"cce_log": lambda engine, p: engine.arith.log2(p)},
    ),
    M(
        "cce-sum-not-mean",
        LOSS,
        "the batch loss was the sum of the sample losses, not their mean",
        "divide the sum of the sample losses by the number of samples",
        overrides={"batch_loss": lambda engine, sample_losses: engine.arith.total(sample_losses)},
    ),
    M(
        "onehot-read-as-sparse",
        LABELS,
        "one-hot label rows were used as if they were class indices (the sparse code path)",
        "for one-hot y_true use sum(y_pred * y_true) per row, and argmax(y_true) for accuracy",
        forms=("undefined",),
        overrides={
            "onehot_losses": _onehot_losses_as_sparse,
            "onehot_accuracy": _onehot_accuracy_as_sparse,
        },
    ),  # NumPy's fancy indexing, or JavaScript's y_pred[b][row]
    M(
        "relu-as-boolean",
        ("relu", *HIDDEN),
        "ReLU returned x > 0 (1 or 0, a boolean) instead of max(0, x)",
        "return the value itself when it is positive: max(0, x)",
        overrides={"relu_value": lambda engine, v: 1.0 if v > 0 else 0.0},
    ),
    M(
        "accuracy-last-max",
        ARGMAX,
        "argmax let the last maximum win a tie; the first one must win (as np.argmax)",
        "replace the best index only when a value is strictly greater (>, not >=)",
        specificity=2,
        overrides={"beats": lambda engine, v, best: v >= best},
    ),
    M(
        "accuracy-wrong-axis",
        ARGMAX,
        "argmax ran down the columns (axis=0): one prediction per class, not one per sample",
        "take the argmax along each row (axis=1): one prediction per sample",
        overrides={
            "predicted_classes": lambda engine, y_pred: [
                engine.argmax(c) for c in transpose(y_pred)
            ]
        },
    ),
    M(
        "float16-accumulation",
        (*DOTS, "dense_backward"),
        "the dot products accumulated in half precision (float16)",
        "accumulate in float32 or float64",
        tiers=("float32",),
        build=_float16_accumulation,
    ),
    M(
        "float32-claiming-float64",
        STAGES,
        "the port declares float64 but computes in float32",
        "compute in double precision (f64, double), or declare dtype float32 in hello",
        specificity=0,
        tiers=("float64",),
        build=_float32_engine,
    ),
    M(
        "nnfs-init-claiming-float64",
        STAGES,
        "the port declares float64 but computes by nnfs.init()'s float32 rules (float32 arrays, "
        "np.dot rounded)",
        "declare dtype float32 (as nnfs-conform book does after nnfs.init()), or drop nnfs.init()",
        specificity=0,
        tiers=("float64",),
        build=_book_float32_engine,
    ),
    # -- backward passes, regularization, losses, optimizers, training ---------------------------
    M(
        "dbiases-sum-everything",
        ("dense_backward", *TRAINED),
        "dbiases was np.sum(dvalues) without axis=0: one number, the sum over every sample and "
        "neuron",
        "sum over the batch only, one value per neuron: np.sum(dvalues, axis=0)",
        overrides={"bias_gradient": lambda engine, dvalues: engine.arith.total(flat(dvalues))},
    ),
    M(
        "gradient-not-divided-by-samples",
        PER_SAMPLE_GRADIENTS,
        "the loss gradient was not divided by the number of samples",
        "divide dinputs by the batch size: dinputs / samples (the loss is a mean over samples)",
        overrides={"gradient_samples": lambda engine, samples: 1.0},
    ),
    M(
        "gradient-not-divided-by-outputs",
        ("binary_crossentropy", "mean_squared_error", "mean_absolute_error"),
        "the loss gradient was divided by the number of samples but not by the outputs per sample",
        "divide dinputs by the outputs per sample too: / outputs / samples "
        "(the loss is their mean)",
        overrides={"gradient_outputs": lambda engine, outputs: 1.0},
    ),
    M(
        "relu-backward-passes-zero",
        ("relu_backward", *TRAINED),
        "ReLU's gradient was zeroed only where the input is < 0: "
        "it passed at an input of exactly 0",
        "zero the gradient where the forward input is <= 0: dinputs[inputs <= 0] = 0",
        overrides={"relu_gradient_value": lambda engine, x, dv: 0.0 if x < 0 else dv},
    ),
    M(
        "relu-backward-mask-on-dvalues",
        ("relu_backward", *TRAINED),
        "ReLU's backward zeroed the gradient where dvalues <= 0, not where the forward input is",
        "mask on the forward INPUTS: dinputs = dvalues.copy(); dinputs[inputs <= 0] = 0",
        overrides={"relu_gradient_value": lambda engine, x, dv: dv if dv > 0 else 0.0},
    ),
    M(
        "softmax-backward-diagonal-only",
        ("softmax_backward", "softmax_crossentropy_backward"),
        "the softmax backward used only diag(p): dinputs = p·dvalues, without the -p·pᵀ term",
        "use the Jacobian diag(p) - p·pᵀ: dinputs_i = p_i·(dv_i - Σ_j p_j·dv_j)",
        overrides={
            "softmax_row_gradient": lambda engine, p, dv: engine.each(lambda pi, d: pi * d, p, dv)
        },
    ),
    M(
        "cce-backward-clipped",
        ("categorical_crossentropy_backward", "softmax_crossentropy_backward"),
        "the cross-entropy backward clipped y_pred to [1e-7, 1 - 1e-7]; "
        "the book does not clip there",
        "divide by y_pred itself: dinputs = -y_true / y_pred / samples, no clip",
        overrides={"cce_backward_predictions": lambda engine, y_pred: engine.clipped(y_pred)},
    ),
    M(
        "softmax-cce-divided-by-classes",
        ("softmax_crossentropy_backward", *TRAINED),
        "the combined softmax + cross-entropy gradient was divided by the number of classes",
        "divide by the number of samples: (y_pred - y_true) / len(y_pred)",
        overrides={"softmax_cce_divisor": lambda engine, y_pred: float(len(y_pred[0]))},
    ),
    M(
        "l2-gradient-without-2",
        ("regularization", "model_training"),
        "the L2 gradient was l2·w: the derivative of l2·w² lost its factor 2",
        "use 2·l2·w for the L2 gradient",
        overrides={"l2_slope": lambda engine, l2: l2},
    ),
    M(
        "l1-sign-zero-as-zero",
        ("regularization", "model_training"),
        "the L1 gradient used np.sign(w), which is 0 at w = 0; the book's dL1 is +1 there",
        "start from ones and set -1 where w < 0: dL1 = ones; dL1[w < 0] = -1",
        overrides={"l1_sign": lambda engine, w: signum(w)},
    ),
    M(
        "l1-sign-of-negative-zero",
        ("regularization",),
        "the L1 gradient was copysign(1, w) (Rust's signum): -1 at w = -0.0, where the book has +1",
        "test w < 0 (false for -0.0): -1 where w < 0, +1 elsewhere",
        overrides={"l1_sign": lambda engine, w: w.like(math.copysign(1.0, w.v))},
    ),
    M(
        "l1-sign-zero-as-minus-one",
        ("regularization", "model_training"),
        "the L1 gradient was -1 at w = 0: np.where(w > 0, 1, -1), where the book has +1",
        "test w < 0: -1 where w < 0, +1 elsewhere (0 and -0.0 included)",
        overrides={"l1_sign": lambda engine, w: w.like(1.0 if w > 0 else -1.0)},
    ),
    M(
        "dropout-not-scaled",
        ("dropout",),
        "the kept values were not scaled by 1 / (1 - rate): output = inputs·mask",
        "inverted dropout: divide the mask by (1 - rate), output = inputs·mask / (1 - rate)",
        overrides={"dropped": lambda engine, v, mask, keep: v * mask},
    ),
    M(
        "dropout-rate-as-keep-probability",
        ("dropout",),
        "the rate was taken as the probability of keeping: the kept values were divided by rate",
        "rate is the DROP rate: divide by 1 - rate, the probability of keeping",
        overrides={"dropout_keep": lambda engine, rate: rate},
    ),
    M(
        "bce-backward-not-clipped",
        ("binary_crossentropy",),
        "the binary cross-entropy backward used y_pred unclipped: 0 and 1 give infinities and NaN",
        "clip y_pred to [1e-7, 1 - 1e-7] in the backward pass too, as in the forward pass",
        overrides={"bce_backward_predictions": lambda engine, y_pred, clipped: y_pred},
    ),
    M(
        "mse-gradient-without-2",
        ("mean_squared_error",),
        "the MSE gradient lost its factor 2: -(y_true - y_pred) / outputs / samples",
        "dinputs = -2·(y_true - y_pred) / outputs / samples",
        overrides={"mse_gradient_factor": lambda engine: 1.0},
    ),
    M(
        "mae-gradient-sign-flipped",
        ("mean_absolute_error",),
        "the MAE gradient was the book's np.sign(y_true - y_pred): it points uphill",
        "use sign(y_pred - y_true) / outputs / samples (i.e. -np.sign(y_true - y_pred))",
        overrides={"mae_slope": lambda engine, d: signum(d)},
    ),
    M(
        "optimizer-sign-flipped",
        STEPS,
        "the optimizer added the gradient: w += lr·g (gradient ascent)",
        "step against the gradient: w += -lr·g (and momentum = μ·m - lr·g)",
        overrides={"descent": lambda engine, lr: lr},
    ),
    M(
        "sgd-momentums-updated-without-momentum",
        ("sgd_step",),
        "with momentum 0 the momentum arrays were still updated (to -lr·g)",
        "without momentum the book keeps no momentums: return them unchanged",
        overrides={"keeps_momentums": lambda engine, momentum: True},
    ),
    M(
        "momentum-before-decay",
        ("sgd_step", *TRAINED),
        "momentum used the undecayed rate, v = μ·v - lr0·g, and the decay divided the update: "
        "w += v/(1+decay·t)",
        "decay the rate first, lr = lr0 / (1 + decay·t), "
        "and use it in the momentum: v = μ·v - lr·g",
        overrides={"momentum_rate": _momentum_before_decay},
    ),
    M(
        "lr-decay-compounded",
        TRAINED,
        "the decayed rate was decayed again every step: lr_t = lr_(t-1) / (1 + decay·t)",
        "recompute from the initial rate every step: lr_t = lr0 / (1 + decay·t)",
        overrides={"next_base_rate": lambda engine, initial, decayed: decayed},
    ),
    M(
        "epsilon-inside-sqrt",
        CACHED_STEPS,
        "epsilon was added inside the square root: sqrt(cache + epsilon)",
        "add epsilon outside the root: sqrt(cache) + epsilon",
        overrides={"adaptive_denominator": lambda engine, cache, epsilon: sqrt(cache + epsilon)},
    ),
    M(
        "epsilon-1e-8",
        CACHED_STEPS,
        "the optimizer used epsilon 1e-8 (a library's default), not the epsilon it was given",
        "use the optimizer's epsilon parameter (the book's default is 1e-7)",
        overrides={"epsilon": lambda engine, given: engine.scalar(1e-8)},
    ),
    # -- chapters 16-22: the binary and regression outputs, state across calls, the Model -------
    M(
        "output-appended-across-calls",
        ("repeated_forward",),
        "the second forward call appended its rows to the first call's output",
        "assign self.output = ... in forward; never extend the output of the call before",
        overrides={"second_output": _appended},
    ),
    M(
        "dense-keeps-first-inputs",
        ("repeated_forward",),
        "Layer_Dense.backward used the inputs of the first forward call: self.inputs was set once",
        "save self.inputs = inputs in every forward call; backward reads the last one",
        overrides={"kept_inputs": lambda engine, first, second: first},
    ),
    M(
        "relu-keeps-first-inputs",
        ("repeated_forward",),
        "Activation_ReLU.backward masked with the first call's inputs, not the last one's",
        "save self.inputs = inputs in every forward call of the activation too",
        overrides={"kept_relu_inputs": lambda engine, first, second: first},
    ),
    M(
        "binary-threshold-inclusive",
        ("binary_accuracy", "predictions"),
        "an output of exactly 0.5 was called class 1: the book tests output > 0.5",
        "use a strict comparison: (output > 0.5) * 1",
        overrides={"binary_class": lambda engine, v: 1 if v >= 0.5 else 0},
    ),
    M(
        "binary-predictions-rounded",
        ("binary_accuracy", "predictions"),
        "the class was the output rounded half up (Math.round): 0.5 is 1 and 2.0 is class 2",
        "compare with 0.5: (output > 0.5) * 1 gives 0 or 1 only",
        specificity=2,
        overrides={"binary_class": _round_half_up},
    ),
    M(
        "binary-accuracy-per-sample",
        ("binary_accuracy",),
        "the binary accuracy divided the hits by the samples, not by every output of every sample",
        "take the mean over all outputs: np.mean(predictions == y)",
        overrides={
            "binary_hits": lambda engine, predictions, y_true: (
                Engine.binary_hits(engine, predictions, y_true)[0],
                len(predictions),
            )
        },
    ),
    M(
        "linear-as-relu",
        ("linear",),
        "Activation_Linear zeroed negative values (ReLU's code): its forward is the identity",
        "return the inputs unchanged, and pass dvalues back unchanged",
        overrides={
            "linear_value": lambda engine, v: 0.0 if v < 0 else v,
            "linear_gradient": lambda engine, inputs, dvalues: [
                [d if x > 0 else 0.0 for x, d in zip(xr, dr)] for xr, dr in zip(inputs, dvalues)
            ],
        },
    ),
    M(
        "linear-gradient-ones",
        ("linear",),
        "Activation_Linear.backward returned ones (the derivative) instead of dvalues times it",
        "chain the gradient: self.dinputs = dvalues.copy()",
        overrides={
            "linear_gradient": lambda engine, inputs, dvalues: [[1.0] * len(r) for r in dvalues]
        },
    ),
    M(
        "linear-gradient-of-inputs",
        ("linear",),
        "Activation_Linear.backward passed back the forward inputs, not dvalues",
        "self.dinputs = dvalues.copy(): the gradient flows through unchanged",
        overrides={"linear_gradient": lambda engine, inputs, dvalues: [list(r) for r in inputs]},
    ),
    M(
        "regression-precision-inclusive",
        ("regression_accuracy",),
        "a prediction exactly `precision` away counted as right: the book's test is strict (<)",
        "count |y_pred - y_true| < precision, not <=",
        overrides={"within_precision": lambda engine, d, precision: abs(d) <= precision},
    ),
    M(
        "regression-no-absolute",
        ("regression_accuracy",),
        "the regression accuracy compared y_pred - y_true without its absolute value",
        "take np.absolute(predictions - y) < precision: a prediction may be too low or too high",
        overrides={"within_precision": lambda engine, d, precision: d < precision},
    ),
    M(
        "regression-squared-difference",
        ("regression_accuracy",),
        "the regression accuracy compared the squared difference (the MSE's term) with precision",
        "compare the absolute difference: np.absolute(predictions - y) < precision",
        overrides={"within_precision": lambda engine, d, precision: d * d < precision},
    ),
    M(
        "optimizer-state-shared-between-layers",
        ("shared_optimizer",),
        "the optimizer kept one set of momentums and caches for every layer, not one per layer",
        "keep the state on each layer (layer.weight_momentums, ...), as the book does",
        overrides={"layer_state": _shared_state},
    ),
    M(
        "iterations-per-layer",
        ("shared_optimizer",),
        "the iteration count rose after every layer's update, not once per step",
        "call post_update_params once per step, after update_params of every layer",
        overrides={"step_iterations": lambda engine, step, layer: 2 * step + layer},
    ),
    M(
        "optimizer-state-reset-every-step",
        ("shared_optimizer",),
        "the momentums and caches were created anew at every update: nothing carried over",
        "create them once, when the layer has none yet (if not hasattr(layer, 'weight_cache'))",
        overrides={"layer_state": _fresh_state},
    ),
    M(
        "preprocess-scaled-to-0-1",
        ("preprocess",),
        "the pixels were scaled to [0, 1] (X / 255), not to [-1, 1]",
        "scale as chapter 19: (X - 127.5) / 127.5",
        overrides={"scaled": lambda engine, pixel: pixel / 255},
    ),
    M(
        "preprocess-labels-not-shuffled",
        ("preprocess",),
        "the images were shuffled with the keys but the labels were not",
        "index both with the same keys: X = X[keys]; y = y[keys]",
        overrides={"shuffled_labels": lambda engine, labels, keys: list(labels)},
    ),
    M(
        "preprocess-columns-first",
        ("preprocess",),
        "each image was flattened column by column (Fortran order), not row by row",
        "flatten row by row: X.reshape(X.shape[0], -1), C order",
        overrides={"flatten": lambda engine, image: [v for column in zip(*image) for v in column]},
    ),
    M(
        "batches-drop-short-batch",
        ("batches", "evaluate", "model_training"),
        "the step count was len(X) // batch_size: the short last batch was never used",
        "add one step when a short batch is left: if steps * batch_size < len(X): steps += 1",
        overrides={"step_count": _floor_steps},
    ),
    M(
        "batches-slice-by-step",
        ("batches", "evaluate", "model_training"),
        "batch `step` started at row `step`, not at row step * batch_size",
        "slice X[step * batch_size:(step + 1) * batch_size]",
        overrides={"batch_rows": _rows_from_step},
    ),
    M(
        "mean-of-batch-means",
        ("evaluate", "model_training"),
        "an epoch's or evaluation's loss or accuracy was the mean of its batch means: "
        "a short batch weighs a full one",
        "accumulate sums and counts over the batches, divide once (calculate_accumulated)",
        forms=("loss", "accuracy"),
        overrides={"accumulated": _mean_of_batch_means},
    ),
    M(
        "last-batch-only",
        ("evaluate", "model_training"),
        "a pass (an epoch, an evaluation) reported its last batch's loss and accuracy, not the "
        "whole set's",
        "call new_pass() once before the batches and calculate_accumulated() after them",
        overrides={
            "accumulated": lambda engine, sums, counts, of: engine.number(sums[-1]) / counts[-1]
        },
    ),
    M(
        "parameters-saved-with-6-digits",
        ("parameters",),
        "the parameters were written with 6 digits (%g or %f): loading gave other numbers",
        "write every digit: shortest round-trip formatting (repr, %.17g) or binary",
        forms=("%f",),
        overrides={"saved_value": _saved_digits},
    ),
    M(
        "parameters-saved-as-float32",
        ("parameters",),
        "a float64 model's parameters were saved as float32",
        "save them in the dtype the model computes in",
        tiers=("float64",),
        overrides={"saved_value": lambda engine, value: f32(value)},
    ),
    M(
        "parameters-biases-not-saved",
        ("parameters",),
        "only the weights were saved: the loaded model kept its initial zero biases",
        "get_parameters returns (weights, biases) for every trainable layer",
        overrides={"saved_layers": _weights_only},
    ),
    M(
        "adam-bias-correction-off-by-one",
        ("adam_step", *TRAINED),
        "Adam's bias correction used beta^iterations, not beta^(iterations + 1): "
        "step 0 divides by 0",
        "correct with 1 - beta^(iterations + 1): the step count is 1-based there",
        overrides={"adam_power": lambda engine, iterations: iterations},
    ),
    # -- the Model of chapters 18-19: mini-batches, epochs, the epoch's printed values ---------
    M(
        "epoch-loss-without-regularization",
        ("model_training",),
        "the epoch's loss was its data loss alone: the regularization loss was left out of it",
        "print loss = data_loss + regularization_loss (calculate_accumulated with regularization)",
        overrides={"epoch_loss": lambda engine, data_loss, regularization_loss: data_loss},
    ),
    M(
        "regularization-loss-before-last-update",
        ("model_training",),
        "the epoch's regularization loss was taken before its last optimizer update "
        "(the last step's own)",
        "compute it at the end of the epoch, from the parameters after the last update",
        overrides={
            "epoch_regularization_parameters": lambda engine, before_last_update, after: (
                before_last_update
            )
        },
    ),
    M(
        "validation-loss-with-regularization",
        ("model_training",),
        "the validation loss included the regularization loss; Model.evaluate reports the "
        "data loss only",
        "in evaluate, call loss.calculate(output, y) without include_regularization",
        overrides={
            "validation_loss": lambda engine, data_loss, regularization_loss: (
                data_loss + regularization_loss
            )
        },
    ),
    M(
        "regularization-gradient-left-out",
        ("model_training",),
        "the layer's backward left out the regularization gradients: only the loss was regularized",
        "in Layer_Dense.backward add l1·dL1 and 2·l2·w to dweights (and the same to dbiases)",
        overrides={"regularizes_gradients": lambda engine: False},
    ),
)
del M

BY_ID = {m.id: m for m in MISTAKES}
assert len(BY_ID) == len(MISTAKES), "mistake ids are unique"


def applicable(stage: str, dtype: str) -> list[Mistake]:
    """The mistakes a port of `dtype` can make that change `stage`'s outputs, catalogue order."""
    return [m for m in MISTAKES if stage in m.stages and dtype in m.tiers]

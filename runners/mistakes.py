"""The catalogue of known porting mistakes: each a small mutant of the stages, named and explained.

Every entry is the plain-Python emulator (`emulator.Engine`) with one bug switched on (a few need
their own arithmetic: float16 accumulation, a float32 port claiming float64, outputs rounded to
2 decimals). The runner replays them to name the mistake behind a failure (`diagnose.py`);
tests/variants.py and tests/test_mistakes.py prove that every one is caught and named.

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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .emulator import ARITH, Engine, f16

STAGES = ("neuron", "layer", "dense_batch", "relu", "softmax", "categorical_crossentropy",
          "accuracy", "forward")
TIERS = ("float64", "float32")
DOTS = ("neuron", "layer", "dense_batch", "forward")
SOFTMAX = ("softmax", "forward")
LOSS = ("categorical_crossentropy", "forward")
LABELS = ("categorical_crossentropy", "accuracy", "forward")
ACCURACY = ("accuracy", "forward")

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

    def runner(self, tier: str) -> Run:
        """(stage, decoded inputs, params) -> encoded outputs of this mistake at `tier`."""
        if self.build is not None:
            return self.build(self, tier)
        return Engine(ARITH[tier], bugs=frozenset({self.id})).run


def _float16_accumulation(mistake: Mistake, tier: str) -> Run:
    return Engine(ARITH[tier], dot_arith=replace(ARITH[tier], acc=f16)).run


def _float32_engine(mistake: Mistake, tier: str) -> Run:
    return Engine(ARITH["float32"]).run


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


M = Mistake
MISTAKES: tuple[Mistake, ...] = (
    # -- found in public ports of the book -------------------------------------------------------
    M("relu-before-bias", ("forward",),
      "ReLU was applied before the bias was added: relu(x·W1) + b1",
      "add the biases first, then apply ReLU to the sum: relu(x·W1 + b1)"),
    M("bias-wrong-axis", ("dense_batch", "forward"),
      "the biases were added per sample (down the rows), not per neuron (across the columns)",
      "add biases[j] to column j of every row: one bias per neuron, shape (1, N)"),
    M("relu-inverted", ("relu", "forward"),
      "ReLU kept the negatives and zeroed the positives: min(0, x) instead of max(0, x)",
      "use max(0, x): keep positive values, replace negatives by 0"),
    M("softmax-max-starts-at-zero", SOFTMAX,
      "the running maximum of a row started at 0, not at its first element: "
      "all-negative rows underflow",
      "start the maximum at the row's first element (or -infinity), then compare the rest",
      specificity=2),
    M("softmax-approximate-e", SOFTMAX,
      "exp(x) was computed as 2.71828 ** x with a hand-typed e: every probability is slightly off",
      "call the language's exp function (math.exp, Math.exp, f64::exp), not a power of a constant"),
    M("outputs-rounded-2-decimals", STAGES,
      "the outputs were rounded to 2 decimals before they were sent back",
      "send full-precision numbers (shortest round-trip); round only for display",
      specificity=0, build=_rounded_outputs),
    M("dot-keeps-last-product", DOTS,
      "the dot product kept only the last product (total = x*w) instead of accumulating",
      "accumulate: total += inputs[k] * weights[k], starting from 0"),
    M("skip-last-input", DOTS,
      "an input was left out of the sum: the loop over the inputs stops one element early",
      "loop over every index from 0 to K-1 (range(len(inputs)))"),
    M("labels-one-based", LABELS,
      "class indices were treated as 1-based (y_pred[label - 1], or argmax + 1), "
      "but labels count classes from 0",
      "class k is at position k: use the label itself as the index and report argmax as is"),
    M("cce-every-label", LOSS,
      "every sample was indexed by every label (y_pred[:, y_true]): an n x n matrix, "
      "whose mean was taken",
      "pick one confidence per sample: y_pred[range(samples), y_true], i.e. y_pred[i][y_true[i]]"),
    # -- the classic ones ------------------------------------------------------------------------
    M("bias-dropped", DOTS,
      "the bias was never added",
      "add the bias once to each weighted sum: inputs·weights + bias"),
    M("bias-twice", DOTS,
      "the bias was added twice (once in the sum, once after)",
      "add the bias exactly once, after the weighted sum"),
    M("weights-not-transposed", ("layer", "dense_batch"),
      "per-neuron weight rows were used without the transpose (inputs @ weights)",
      "with one weight row per neuron, compute inputs @ weights.T (row n times inputs)"),
    M("accuracy-integer-division", ACCURACY,
      "the accuracy was an integer division (matches // samples): 0 unless every one is right",
      "divide as floats: float(matches) / samples"),
    M("softmax-batch-axis", SOFTMAX,
      "softmax ran over the batch axis (columns), not over each row",
      "take the maximum and the sum along each row (axis=1, keepdims=True)"),
    M("softmax-no-max-shift", SOFTMAX,
      "exp(x) without subtracting the row maximum first: large logits overflow to inf and NaN",
      "subtract each row's maximum before exp: exp(x - max(row))"),
    M("softmax-column-max", SOFTMAX,
      "each logit was shifted by its column's maximum (axis=0), not its row's maximum",
      "take the maximum along each row: np.max(inputs, axis=1, keepdims=True)"),
    M("softmax-divides-by-max", SOFTMAX,
      "the exponentials were divided by their maximum instead of their sum",
      "divide each exp by the sum of its row's exps"),
    M("softmax-drops-last-class", SOFTMAX,
      "the last class was left out of the softmax denominator",
      "sum the exps of every class, the last one included"),
    M("cce-no-clip", LOSS,
      "the predictions were not clipped: -ln(0) is infinite and -ln(1) is 0",
      "clip y_pred to [1e-7, 1 - 1e-7] before the log"),
    M("cce-lower-clip-only", LOSS,
      "the predictions were clipped at 1e-7 below but not at 1 - 1e-7 above",
      "clip on both sides: min(max(p, 1e-7), 1 - 1e-7)",
      specificity=2),
    M("cce-upper-clip-only", LOSS,
      "the predictions were clipped at 1 - 1e-7 above but not at 1e-7 below: -ln(0) is infinite",
      "clip on both sides: min(max(p, 1e-7), 1 - 1e-7)",
      specificity=2),
    M("cce-clip-float64-bounds", LOSS,
      "a float32 port clipped with the float64 bounds 1e-7 and 1 - 1e-7 (and took their log in "
      "float64)",
      "round both bounds to float32 first: 1.0000000116860974e-07 and 0.9999998807907104",
      specificity=2, tiers=("float32",)),
    M("cce-log10", LOSS,
      "the loss used log10 instead of the natural logarithm",
      "use the natural log: math.log, Math.log, f64::ln (not log10)"),
    M("cce-log2", LOSS,
      "the loss used log2 instead of the natural logarithm",
      "use the natural log: math.log, Math.log, f64::ln (not log2)"),
    M("cce-sum-not-mean", LOSS,
      "the batch loss was the sum of the sample losses, not their mean",
      "divide the sum of the sample losses by the number of samples"),
    M("onehot-read-as-sparse", LABELS,
      "one-hot label rows were used as if they were class indices (the sparse code path)",
      "for one-hot y_true use sum(y_pred * y_true) per row, and argmax(y_true) for accuracy"),
    M("relu-as-boolean", ("relu", "forward"),
      "ReLU returned x > 0 (1 or 0, a boolean) instead of max(0, x)",
      "return the value itself when it is positive: max(0, x)"),
    M("accuracy-last-max", ACCURACY,
      "argmax let the last maximum win a tie; the first one must win (as np.argmax)",
      "replace the best index only when a value is strictly greater (>, not >=)",
      specificity=2),
    M("accuracy-wrong-axis", ACCURACY,
      "argmax ran down the columns (axis=0): one prediction per class, not one per sample",
      "take the argmax along each row (axis=1): one prediction per sample"),
    M("float16-accumulation", DOTS,
      "the dot products accumulated in half precision (float16)",
      "accumulate in float32 or float64",
      tiers=("float32",), build=_float16_accumulation),
    M("float32-claiming-float64", STAGES,
      "the port declares float64 but computes in float32",
      "compute in double precision (f64, double), or declare dtype float32 in hello",
      specificity=0, tiers=("float64",), build=_float32_engine),
)
del M

BY_ID = {m.id: m for m in MISTAKES}
assert len(BY_ID) == len(MISTAKES), "mistake ids are unique"


def applicable(stage: str, dtype: str) -> list[Mistake]:
    """The mistakes a port of `dtype` can make that change `stage`'s outputs, catalogue order."""
    return [m for m in MISTAKES if stage in m.stages and dtype in m.tiers]

"""The vectors tell the catalogued mistakes apart, stage by stage and tier by tier.

For every stage and tier, every catalogued mistake that can change the stage at that dtype
(nnfs_conform.diagnosis.mistakes) is replayed on every valid case, as the runner's diagnosis
does (`Mistake.runner(tier)` on the case's decoded inputs). A mistake is *decisive* on a case
when it is further than the diagnosis's DECISIVE tolerances from the expected value (or has another
structure): only there can a failure be named at all. Two mistakes are *indistinguishable* on a
stage when, on every valid case where at least one of them is decisive, their outputs agree within
the case's tolerances: a port making either one fails the same cases with the same numbers, and
no vector can say which mistake it made. This test fails for such a pair, unless it is in
IDENTICAL: pairs that are the same function on every possible input, each with its reason.

A pair where neither mistake is decisive on any case of the stage is not a confusion of the two
(tests/test_sharpness.py requires each mistake to be caught somewhere).
"""

from __future__ import annotations

import itertools
import math
from functools import cache

import pytest

from nnfs_conform.diagnosis.diagnose import DECISIVE
from nnfs_conform.diagnosis.emulator import ARITH, Engine, div, ew
from nnfs_conform.diagnosis.mistakes import MISTAKES, STAGES, TIERS, applicable
from nnfs_conform.grading.compare import compare_outputs
from nnfs_conform.suite.numbers import decode, shape_of
from nnfs_conform.suite.vectors import Expected, load_suite
from tools.variants import VARIANTS, wrong_name

# Pairs that are one function on every input a stage can be given (so no case can separate
# them), keyed by stage, each with its reason. Keep it short: anything else needs a case.
NO_MATRIX_PRODUCT = (
    "relu",
    "softmax",
    "categorical_crossentropy",
    "accuracy",
    "softmax_backward",
    "categorical_crossentropy_backward",
    "softmax_crossentropy_backward",
    "regularization",
    "dropout",
    "sigmoid",
    "binary_crossentropy",
    "mean_squared_error",
    "mean_absolute_error",
    "sgd_step",
    "adagrad_step",
    "rmsprop_step",
    "adam_step",
    "binary_accuracy",
    "linear",
    "regression_accuracy",
    "shared_optimizer",
    "preprocess",
    "predictions",
    "evaluate",
)
IDENTICAL: dict[frozenset[str], tuple[tuple[str, ...], str]] = {
    frozenset(("float32-claiming-float64", "nnfs-init-claiming-float64")): (
        NO_MATRIX_PRODUCT,
        "nnfs.init()'s rules are float32 arithmetic except np.dot's matrix products (summed in "
        "float64, rounded once); a stage with no matrix product is computed the same way",
    ),
}
# Pairs that differ on some inputs, but never by more than every sound tolerance of the tier
# allows on this stage, each with its proof: no case can tell them apart at this tier.
BELOW_RESOLUTION: dict[frozenset[str], tuple[tuple[tuple[str, str], ...], str]] = {
    frozenset(("cce-no-clip", "cce-upper-clip-only")): (
        (("forward", "float32"),),
        "they differ only where p_true > 1 - 1e-7 in float32, by at most -ln(0.99999988) = "
        "1.19e-7; forward's softmax tolerance is at least (4k + C + 2)·u·p >= 20u·p (the two "
        "exp calls, the sum and the division), so the loss's tolerance, which carries it "
        "relative to p, is at least 20u = 1.19e-6 (categorical_crossentropy, which reads p "
        "exactly, tells them apart)",
    ),
}


# Mistakes ports make that the catalogue does not name (yet): the vectors must still tell them
# from every catalogued one and from each other. Each is the emulator with one method changed.
class _CceByClasses(Engine):
    """Cross-entropy's gradient divided by the classes instead of the samples."""

    def cce_gradient(self, y_pred, y_true):
        r, classes = self.arith.rnd, float(len(y_pred[0]))
        truth = self.onehot(y_true, len(y_pred[0]))
        return ew(lambda t, v: r(div(r(div(-float(t), v)), classes)), truth, y_pred)


class _SigmoidExpRatio(Engine):
    """sigmoid as exp(x) / (1 + exp(x)): inf / inf = NaN where exp(x) overflows."""

    def sigmoid(self, x, p):
        a, r = self.arith, self.arith.rnd
        out = super().sigmoid(x, p)

        def ratio(v):
            e = a.exp(v)
            return r(div(e, r(1.0 + e)))

        return {**out, "output": ew(ratio, x["inputs"])}


# Mistakes not in the catalogue that the cases must still catch and tell apart from it. (The
# gradient divided by the samples only, and Adam's epsilon 1e-8, were here until the catalogue
# took them: gradient-not-divided-by-outputs, epsilon-1e-8.)
UNCATALOGUED = {  # id -> (engine class, stages it changes)
    "cce-gradient-divided-by-classes": (
        _CceByClasses,
        ("categorical_crossentropy_backward", "softmax_crossentropy_backward"),
    ),
    "sigmoid-exp-ratio": (_SigmoidExpRatio, ("sigmoid",)),
}


def _runner(mistake_id: str, tier: str):
    if mistake_id in UNCATALOGUED:
        return UNCATALOGUED[mistake_id][0](ARITH[tier]).run
    # the catalogue's wrong variant in its first form is Mistake.runner(tier) itself, with the
    # answers the sharpness and mistakes tests already asked of it (tests/variant_runs.py)
    variant = VARIANTS.get(wrong_name(mistake_id, tier))
    if variant is not None:
        return variant.run
    return next(m for m in MISTAKES if m.id == mistake_id).runner(tier)


@cache
def suite():
    return load_suite()


_RAISED = "raised"


@cache
def _outputs(mistake_id: str, tier: str, stage: str) -> tuple:
    """The mistake's encoded outputs on every valid case of the stage (or _RAISED)."""
    run = _runner(mistake_id, tier)
    out = []
    for case in _valid(stage):
        try:
            out.append(run(stage, decode(case.inputs), case.params))
        except Exception:  # noqa: BLE001 - a mutant that cannot run an input raises there
            out.append(_RAISED)
    return tuple(out)


@cache
def _valid(stage: str) -> tuple:
    return tuple(c for c in suite().stages.get(stage, ()) if c.error is None)


def _same_structure(outputs, expected: dict[str, Expected]) -> bool:
    return (
        isinstance(outputs, dict)
        and set(outputs) == set(expected)
        and all(shape_of(outputs[n]) == shape_of(e.value) for n, e in expected.items())
    )


def _decisive(outputs, expected: dict[str, Expected], tier: str) -> bool:
    if outputs is _RAISED or not _same_structure(outputs, expected):
        return True
    result = compare_outputs(outputs, expected, tier)
    return bool(result.problems) or (result.worst is not None and result.worst.ratio > DECISIVE)


def _agree(a, b, expected: dict[str, Expected], tier: str) -> bool:
    """Whether two mistakes' outputs agree within the case's tolerances."""
    if a is _RAISED or b is _RAISED:
        return a is b
    if not (_same_structure(a, expected) and _same_structure(b, expected)):
        return a == b
    as_expected = {n: Expected(decode(b[n]), e.tol) for n, e in expected.items()}
    return compare_outputs(a, as_expected, tier).ok


def indistinguishable(stage: str, tier: str, extra=()) -> list[tuple[str, str, int]]:
    """(mistake, mistake, cases where one is decisive) for every pair the vectors cannot tell
    apart on this stage at this tier; `extra` adds uncatalogued mistakes."""
    cases = _valid(stage)
    mistakes = [m.id for m in applicable(stage, tier)] + list(extra)
    outputs = {m: _outputs(m, tier, stage) for m in mistakes}
    decisive = {
        m: [_decisive(o, c.expected[tier], tier) for o, c in zip(outputs[m], cases)]
        for m in mistakes
    }
    found = []
    for a, b in itertools.combinations(mistakes, 2):
        telling = [i for i in range(len(cases)) if decisive[a][i] or decisive[b][i]]
        if telling and all(
            _agree(outputs[a][i], outputs[b][i], cases[i].expected[tier], tier) for i in telling
        ):
            found.append((a, b, len(telling)))
    return found


PARAMS = [
    (stage, tier)
    for stage in STAGES
    for tier in TIERS
    if any(True for _ in applicable(stage, tier))
]


@pytest.mark.parametrize(("stage", "tier"), PARAMS, ids=[f"{s}-{t}" for s, t in PARAMS])
def test_every_pair_of_mistakes_is_told_apart_by_some_case(stage, tier):
    confused = [
        (a, b, n)
        for a, b, n in indistinguishable(stage, tier)
        if stage not in IDENTICAL.get(frozenset((a, b)), ((), ""))[0]
        and (stage, tier) not in BELOW_RESOLUTION.get(frozenset((a, b)), ((), ""))[0]
    ]
    assert not confused, (
        f"{stage} at {tier}: no case tells these mistakes apart (they agree within tolerance "
        "wherever either is decisive): "
        + "; ".join(f"{a} ~ {b} ({n} case{'s' * (n != 1)})" for a, b, n in confused)
    )


def test_the_allow_lists_name_catalogued_mistakes_and_real_stages():
    ids = {m.id for m in MISTAKES}
    for pair, (stages, reason) in IDENTICAL.items():
        assert len(pair) == 2 and pair <= ids, pair
        assert set(stages) <= set(STAGES) and reason, pair
        assert all(any(s in m.stages for m in MISTAKES if m.id in pair) for s in stages)
    for pair, (where, reason) in BELOW_RESOLUTION.items():
        assert len(pair) == 2 and pair <= ids and reason, pair
        assert all(stage in STAGES and tier in TIERS for stage, tier in where), pair


def test_the_allow_lists_hold_only_pairs_that_are_still_confused():
    """An entry whose pair the vectors now tell apart is stale: remove it."""
    for pair, (stages, _) in IDENTICAL.items():
        for stage in stages:
            found = {frozenset(p[:2]) for p in indistinguishable(stage, "float64")}
            assert pair in found, (pair, stage)
    for pair, (where, _) in BELOW_RESOLUTION.items():
        for stage, tier in where:
            assert pair in {frozenset(p[:2]) for p in indistinguishable(stage, tier)}, pair


def test_an_identical_pair_is_found_and_a_distinct_one_is_not():
    """The detector itself: a mistake against itself is indistinguishable; two mistakes the
    vectors separate are not."""
    stage, tier = "categorical_crossentropy", "float64"
    case = _valid(stage)[0]
    out = _outputs("cce-log10", tier, stage)[0]
    assert _agree(out, out, case.expected[tier], tier)
    pairs = {frozenset(p[:2]) for p in indistinguishable(stage, tier)}
    assert frozenset(("cce-log10", "cce-log2")) not in pairs
    assert not math.isnan(DECISIVE)


UNCATALOGUED_PARAMS = [
    (m, stage, tier)
    for m, (_, stages) in UNCATALOGUED.items()
    for stage in stages
    for tier in TIERS
]


@pytest.mark.parametrize(
    ("mistake", "stage", "tier"),
    UNCATALOGUED_PARAMS,
    ids=[f"{m}-{s}-{t}" for m, s, t in UNCATALOGUED_PARAMS],
)
def test_uncatalogued_mistakes_are_caught_and_told_from_the_catalogue(mistake, stage, tier):
    """The cases added for them (samples ≠ outputs or classes, tiny Adam gradients, sigmoid
    beyond exp's overflow) catch each, and no catalogued mistake looks the same."""
    cases = _valid(stage)
    outputs = _outputs(mistake, tier, stage)
    assert any(_decisive(o, c.expected[tier], tier) for o, c in zip(outputs, cases)), (
        f"{mistake} passes every case of {stage} at {tier}"
    )
    confused = [
        (a, b) for a, b, _ in indistinguishable(stage, tier, extra=(mistake,)) if mistake in (a, b)
    ]
    assert not confused, f"{stage} at {tier}: no case tells apart {confused}"

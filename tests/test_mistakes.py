"""The mistakes catalogue is honest: every mistake is caught and named, no correct port is named.

The matrix behind these tests prints with `python tests/mistakes_matrix.py` (tests/variants.py
holds the legit variants; the mistakes are nnfs_conform.mistakes).
"""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from mistakes_matrix import bundled_ports, false_diagnoses, not_runnable, port_diagnoses, row
from variants import LEGIT, suite

from nnfs_conform.console import failure_block
from nnfs_conform.diagnose import DECISIVE, diagnose, matches
from nnfs_conform.engine import grade
from nnfs_conform.mistakes import BY_ID, MISTAKES, STAGES, TIERS
from nnfs_conform.numbers import decode

ISSUE_MISTAKES = (  # every mistake the issue names, by its catalogue id
    "relu-before-bias", "bias-wrong-axis", "relu-inverted", "softmax-max-starts-at-zero",
    "softmax-approximate-e", "outputs-rounded-2-decimals", "dot-keeps-last-product",
    "skip-last-input", "labels-one-based", "cce-every-label", "bias-dropped", "bias-twice",
    "weights-not-transposed", "accuracy-integer-division", "softmax-batch-axis",
    "softmax-no-max-shift", "softmax-column-max", "softmax-divides-by-max", "cce-no-clip",
    "cce-lower-clip-only", "cce-upper-clip-only", "cce-clip-float64-bounds", "cce-log10",
    "cce-log2", "cce-sum-not-mean", "onehot-read-as-sparse", "relu-as-boolean",
    "accuracy-last-max", "accuracy-wrong-axis",
    # the wrong variants of the sharpness proof (issue 2)
    "softmax-drops-last-class", "float16-accumulation", "float32-claiming-float64",
)
TRAINING_MISTAKES = {  # the training stages' mistakes, by id: stages each must (at least) change
    "dbiases-sum-everything": ("dense_backward", "training"),
    "gradient-not-divided-by-samples": ("categorical_crossentropy_backward",
                                        "softmax_crossentropy_backward", "training"),
    "relu-backward-passes-zero": ("relu_backward", "training"),
    "relu-backward-mask-on-dvalues": ("relu_backward", "training"),
    "optimizer-sign-flipped": ("sgd_step", "adagrad_step", "rmsprop_step", "adam_step",
                               "training"),
    "adam-bias-correction-off-by-one": ("adam_step", "training"),
    "epsilon-inside-sqrt": ("adagrad_step", "rmsprop_step", "adam_step", "training"),
    "momentum-before-decay": ("sgd_step", "training"),
    "lr-decay-compounded": ("training",),
    "l2-gradient-without-2": ("regularization",),
    "softmax-cce-divided-by-classes": ("softmax_crossentropy_backward", "training"),
    "mae-gradient-sign-flipped": ("mean_absolute_error",),  # docs/STAGES.md names this id
    "bce-backward-not-clipped": ("binary_crossentropy",),
    "l1-sign-zero-as-zero": ("regularization",),
    "dropout-not-scaled": ("dropout",),
    "softmax-backward-diagonal-only": ("softmax_backward",),
}
ROWS = [(m.id, tier) for m in MISTAKES for tier in m.tiers]
ROW_IDS = [f"{i}@{t}" for i, t in ROWS]


def test_the_catalogue_holds_every_mistake_the_issue_names_with_one_line_words():
    assert len(MISTAKES) >= 25
    assert set(ISSUE_MISTAKES) <= set(BY_ID)
    for m in MISTAKES:
        assert m.id == m.id.lower() and " " not in m.id, m.id
        assert set(m.stages) <= set(STAGES) and m.stages, m.id
        assert set(m.tiers) <= set(TIERS) and m.tiers, m.id
        for text in (m.explanation, m.fix):
            assert text and "\n" not in text and len(text) <= 120, (m.id, text)
        assert m.specificity in (0, 1, 2), m.id


def test_the_catalogue_holds_the_training_stages_mistakes_on_the_stages_they_change():
    for mistake_id, stages in TRAINING_MISTAKES.items():
        assert mistake_id in BY_ID, mistake_id
        assert set(stages) <= set(BY_ID[mistake_id].stages), (mistake_id, BY_ID[mistake_id].stages)


@pytest.mark.parametrize(("mistake", "tier"), ROWS, ids=ROW_IDS)
def test_every_mistake_is_killed_and_named(mistake, tier):
    r = row(mistake, tier)
    assert r.killed, f"{r.name} passes every case of {', '.join(r.mistake.stages)}"
    assert r.named, f"{r.name} fails {len(r.killed)} case(s) but is never named " \
        f"(misnamed: {r.misnamed[:5]})"


@pytest.mark.parametrize(("mistake", "tier"), ROWS, ids=ROW_IDS)
def test_a_mistake_is_only_misnamed_for_a_more_specific_one_that_fits_as_well(mistake, tier):
    r = row(mistake, tier)
    cases = {c.id: c for c in suite().cases()}
    from variants import VARIANTS
    variant = VARIANTS[r.name]
    for case_id, other in r.misnamed:
        case = cases[case_id]
        outputs = variant.run(case.stage, decode(case.inputs), case.params)
        fits = [m.id for m in matches(case, outputs, tier)]
        assert BY_ID[other].specificity > r.mistake.specificity, (case_id, other)
        assert mistake in fits and other in fits, (case_id, fits)


@pytest.mark.parametrize("name", LEGIT)
def test_no_legit_variant_is_ever_diagnosed_on_any_case(name):
    assert false_diagnoses(name) == ()


PORTS = bundled_ports()


@pytest.mark.parametrize("port", PORTS, ids=[p["name"] for p in PORTS])
def test_no_bundled_port_is_ever_diagnosed_on_any_case(port):
    why = not_runnable(port)
    if why:
        pytest.skip(f"{port['name']}: {why}")
    named, trouble = port_diagnoses(port["run"])
    assert named == [], f"{port['name']} named on {named[:5]}"
    assert trouble == [], f"{port['name']} did not pass: {trouble[:5]}"


def test_the_python_port_is_bundled():
    assert "python" in [p["name"] for p in PORTS]


# -- the runner's side -------------------------------------------------------------------------

def _case(case_id):
    return next(c for c in suite().cases() if c.id == case_id)


INFO = {"dtype": "float64", "stages": list(STAGES), "label_formats": ["sparse", "onehot"]}


def test_a_failed_case_names_the_mistake_and_the_fix_in_its_result_and_block():
    case = _case("softmax/large-logits")
    reply = {"seq": 1, "outputs": {"output": [["NaN", "NaN", "NaN"]]}}
    result = grade(case, reply, INFO)
    assert result["outcome"] == "failed"
    assert result["diagnosis"] == {"id": "softmax-no-max-shift",
                                   "explanation": BY_ID["softmax-no-max-shift"].explanation,
                                   "fix": BY_ID["softmax-no-max-shift"].fix}
    block = failure_block(result)
    assert block[1].startswith("  why:")
    assert block[2] == f"  likely:  {BY_ID['softmax-no-max-shift'].explanation} " \
        "[softmax-no-max-shift]"
    assert block[3] == f"  fix:     {BY_ID['softmax-no-max-shift'].fix}"


def test_a_passing_case_an_error_reply_and_an_unknown_failure_get_no_diagnosis():
    case = _case("softmax/large-logits")
    want = [[v for v in row] for row in case.expected["float64"]["output"].value]
    assert grade(case, {"seq": 1, "outputs": {"output": want}}, INFO)["diagnosis"] is None
    error = {"seq": 1, "error": {"kind": "shape_mismatch", "message": "no"}}
    assert grade(case, error, INFO)["diagnosis"] is None
    odd = {"seq": 1, "outputs": {"output": [[0.5, 0.25, 0.25]]}}
    failed = grade(case, odd, INFO)
    assert failed["outcome"] == "failed" and failed["diagnosis"] is None
    assert not any(line.startswith("  likely:") for line in failure_block(failed))


@pytest.mark.parametrize("outputs", [None, [], {"output": "x"}, {"output": [[{"a": 1}]]},
                                     {"other": 1}, {"output": [[1e308, -1e308, math.inf]]}])
def test_hostile_outputs_never_break_the_diagnosis(outputs):
    case = _case("softmax/large-logits")
    assert diagnose(case, outputs, "float64") is None


def test_a_mistake_that_is_wrong_by_less_than_the_decisive_margin_is_never_named():
    assert DECISIVE >= 2  # the soundness argument of diagnose.py needs 2 tolerances


def test_the_matrix_command_ends_with_the_verdict():
    from mistakes_matrix import matrix
    out = io.StringIO()
    ok = matrix(out=lambda line: out.write(line + "\n"))
    last = out.getvalue().rstrip("\n").splitlines()[-1]
    n = len(MISTAKES)
    assert last == f"mistakes: {n}/{n} killed, {n}/{n} named, 0 false diagnoses"
    assert ok


def test_the_book_float32_rules_declared_float64_are_named_from_numpy_output():
    """A learner's NumPy code under nnfs.init() (float32 arrays, np.dot in float64 rounded to
    float32) that declares float64 is told so, on the book's own numbers."""
    case = _case("dense_batch/book-batch-per-neuron-weights")

    def f32(name):
        return np.array(case.inputs[name], dtype=np.float64).astype(np.float32)

    weights = f32("weights")
    if case.params["weights_layout"] == "neurons_inputs":
        weights = weights.T
    dot = np.dot(f32("inputs").astype(np.float64), weights.astype(np.float64)).astype(np.float32)
    reply = {"seq": 1, "outputs": {"output": (dot + f32("biases")).astype(np.float64).tolist()}}
    result = grade(case, reply, INFO)
    assert result["outcome"] == "failed"
    assert result["diagnosis"]["id"] == "nnfs-init-claiming-float64"

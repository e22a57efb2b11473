"""The mistakes catalogue is honest: every mistake is caught and named, no correct port is named.

The matrix behind these tests prints with `python -m tools.mistakes_matrix` (tools/variants.py
holds the legit variants; the mistakes are nnfs_conform.diagnosis.mistakes).
"""

from __future__ import annotations

import io
import math

import numpy as np
import pytest

from nnfs_conform.diagnosis.diagnose import DECISIVE, diagnose
from nnfs_conform.diagnosis.mistakes import BY_ID, MISTAKES, STAGES, TIERS
from nnfs_conform.grading.engine import Run, grade
from nnfs_conform.reports.console import failure_block
from nnfs_conform.suite.numbers import decode, encode
from tools.mistakes_matrix import bundled_ports, false_diagnoses, not_runnable, port_diagnoses, row
from tools.variants import LEGIT, suite

ISSUE_MISTAKES = (  # every mistake the issue names, by its catalogue id
    "relu-before-bias",
    "bias-wrong-axis",
    "relu-inverted",
    "softmax-max-starts-at-zero",
    "softmax-approximate-e",
    "outputs-rounded-2-decimals",
    "dot-keeps-last-product",
    "skip-last-input",
    "labels-one-based",
    "cce-every-label",
    "bias-dropped",
    "bias-twice",
    "weights-not-transposed",
    "accuracy-integer-division",
    "softmax-batch-axis",
    "softmax-no-max-shift",
    "softmax-column-max",
    "softmax-divides-by-max",
    "cce-no-clip",
    "cce-lower-clip-only",
    "cce-upper-clip-only",
    "cce-clip-float64-bounds",
    "cce-log10",
    "cce-log2",
    "cce-sum-not-mean",
    "onehot-read-as-sparse",
    "relu-as-boolean",
    "accuracy-last-max",
    "accuracy-wrong-axis",
    # the wrong variants of the sharpness proof (issue 2)
    "softmax-drops-last-class",
    "float16-accumulation",
    "float32-claiming-float64",
)
TRAINING_MISTAKES = {  # the training stages' mistakes, by id: stages each must (at least) change
    "dbiases-sum-everything": ("dense_backward", "training"),
    "gradient-not-divided-by-samples": (
        "categorical_crossentropy_backward",
        "softmax_crossentropy_backward",
        "training",
    ),
    "relu-backward-passes-zero": ("relu_backward", "training"),
    "relu-backward-mask-on-dvalues": ("relu_backward", "training"),
    "optimizer-sign-flipped": ("sgd_step", "adagrad_step", "rmsprop_step", "adam_step", "training"),
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
ROWS = [(m.id, tier, form) for m in MISTAKES for form in m.all_forms for tier in m.tiers]
ROW_IDS = [f"{i}{'/' + f if f else ''}@{t}" for i, t, f in ROWS]
NEW_MISTAKES = (  # issue 16: mistakes the first catalogue could not tell from others
    "epsilon-1e-8",
    "gradient-not-divided-by-outputs",
    "l1-sign-zero-as-minus-one",
    "nnfs-init-claiming-float64",
)


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


def test_the_catalogue_holds_the_mistakes_found_missing_by_independent_ports():
    assert set(NEW_MISTAKES) <= set(BY_ID)
    forms = {m.id: m.forms for m in MISTAKES}
    assert "past-end-nan" in forms["bias-wrong-axis"]  # JavaScript reads undefined past the end
    assert "undefined" in forms["onehot-read-as-sparse"]  # JavaScript: y_pred[b][row]
    assert len(forms["softmax-approximate-e"]) >= 3  # e typed to 3 ... 6 decimals


def test_the_catalogue_holds_the_training_stages_mistakes_on_the_stages_they_change():
    for mistake_id, stages in TRAINING_MISTAKES.items():
        assert mistake_id in BY_ID, mistake_id
        assert set(stages) <= set(BY_ID[mistake_id].stages), (mistake_id, BY_ID[mistake_id].stages)


@pytest.mark.parametrize(("mistake", "tier", "form"), ROWS, ids=ROW_IDS)
def test_every_mistake_is_killed_and_named_in_every_form(mistake, tier, form):
    r = row(mistake, tier, form)
    assert r.killed, f"{r.name} passes every case of {', '.join(r.mistake.stages)}"
    assert r.named, (
        f"{r.name} fails {len(r.killed)} case(s) but is never named (misnamed: {r.misnamed[:5]})"
    )


@pytest.mark.parametrize(("mistake", "tier", "form"), ROWS, ids=ROW_IDS)
def test_a_mistake_is_never_named_as_another(mistake, tier, form):
    r = row(mistake, tier, form)
    assert r.misnamed == (), f"{r.name} named as {r.misnamed[:3]}"


@pytest.mark.parametrize("name", LEGIT)
def test_no_legit_variant_is_ever_diagnosed_on_any_stage(name):
    assert false_diagnoses(name) == ()


PORTS = bundled_ports()


@pytest.mark.parametrize("port", PORTS, ids=[p.name for p in PORTS])
def test_no_bundled_port_is_ever_diagnosed_on_any_stage(port):
    why = not_runnable(port)
    if why:
        pytest.skip(f"{port.name}: {why}")
    named, trouble = port_diagnoses(port)
    assert named == [], f"{port.name} named on {named[:5]}"
    assert trouble == [], f"{port.name} did not pass: {trouble[:5]}"


def test_the_python_port_is_bundled():
    assert "python" in [p.name for p in PORTS]


# -- the runner's side -------------------------------------------------------------------------


def _case(case_id):
    return next(c for c in suite().cases() if c.id == case_id)


INFO = {"dtype": "float64", "stages": list(STAGES), "label_formats": ["sparse", "onehot"]}


class Replies:
    """An in-process port that answers every case of `stage` with `answer(case)`'s outputs."""

    def __init__(self, answer, dtype="float64"):
        self.answer, self.info = answer, dict(INFO, dtype=dtype, checks_inputs=False)

    def hello(self):
        return self.info

    def request(self, message):
        outputs = self.answer(_case(message["id"]))
        return {"seq": message["seq"], "outputs": {k: encode(v) for k, v in outputs.items()}}


def run_stage(stage, answer, dtype="float64"):
    """{case id: result} of a Run over every case of `stage`."""
    cases = list(suite().iter_cases([stage]))
    return {case.id: result for case, result in Run(Replies(answer, dtype), cases)}


def mutant(mistake_id, dtype="float64"):
    def answer(case):
        return BY_ID[mistake_id].runner(dtype)(case.stage, decode(case.inputs), case.params)

    return answer


def correct(case, dtype="float64"):
    return {name: out.value for name, out in case.expected[dtype].items()}


def test_a_port_that_behaves_like_a_mistake_on_every_case_is_told_that_mistake_and_its_fix():
    results = run_stage("softmax", mutant("softmax-no-max-shift"))
    failed = [r for r in results.values() if r["outcome"] == "failed"]
    shift = BY_ID["softmax-no-max-shift"]
    assert failed and all(
        r["diagnosis"] == {"id": shift.id, "explanation": shift.explanation, "fix": shift.fix}
        for r in failed
    )
    block = failure_block(failed[0])
    assert block[1].startswith("  why:")
    assert (
        block[2] == f"  likely:  {BY_ID['softmax-no-max-shift'].explanation} [softmax-no-max-shift]"
    )
    assert block[3] == f"  fix:     {BY_ID['softmax-no-max-shift'].fix}"


def test_a_coincidence_on_one_case_is_not_named_when_another_case_of_the_stage_contradicts_it():
    def answer(case):
        if case.id == "softmax/large-logits":
            return mutant("softmax-no-max-shift")(case)
        if case.id == "softmax/book-one-row":
            return {"output": [[0.5, 0.25, 0.25]]}
        return correct(case)

    results = run_stage("softmax", answer)
    large = results["softmax/large-logits"]
    assert large["outcome"] == "failed" and large["diagnosis"] is None
    assert large["candidates"]["verdict"] == "unexplained"
    assert "softmax-no-max-shift" in [m["id"] for m in large["candidates"]["mistakes"]]
    block = failure_block(large)
    assert "  likely:  no single known mistake explains this stage's failures" in block
    assert any(
        line.startswith("  closest: ") and "[softmax-no-max-shift]" in line for line in block
    )


def test_a_passing_stage_and_an_error_reply_get_no_diagnosis():
    results = run_stage("softmax", correct)
    assert all(
        r["outcome"] in ("passed", "not_applicable")
        and r["diagnosis"] is None
        and r["candidates"] is None
        for r in results.values()
    )
    case = _case("softmax/large-logits")
    error = {"seq": 1, "error": {"kind": "shape_mismatch", "message": "no"}}
    assert grade(case, error, INFO)["diagnosis"] is None


def test_outputs_many_bugs_give_are_never_evidence():
    """An accuracy of 0 everywhere is what integer division gives on fractional accuracies, and
    what a dozen other bugs give: it names nothing."""

    def answer(case):
        want = correct(case)
        return {"predictions": [0] * len(want["predictions"]), "accuracy": 0}

    results = run_stage("accuracy", answer)
    assert all(r["diagnosis"] is None for r in results.values())


def test_two_mistakes_that_explain_a_stage_equally_are_both_shown_never_one_by_rank(monkeypatch):
    from nnfs_conform.diagnosis import diagnose as diagnose_module

    twin = BY_ID["softmax-no-max-shift"]
    narrow = type(twin)(
        **{
            **twin.__dict__,
            "id": "twin-narrow",
            "specificity": 2,
            "build": lambda mistake, tier: twin.runner(tier),
        }
    )
    monkeypatch.setattr(diagnose_module, "applicable", lambda stage, dtype: [twin, narrow])
    results = run_stage("softmax", mutant("softmax-no-max-shift"))
    failed = [r for r in results.values() if r["outcome"] == "failed"]
    assert all(r["diagnosis"] is None for r in failed)
    assert {m["id"] for m in failed[0]["candidates"]["mistakes"]} == {
        "softmax-no-max-shift",
        "twin-narrow",
    }
    block = failure_block(failed[0])
    assert "  likely:  one of these mistakes (this stage's cases cannot tell them apart)" in block


@pytest.mark.parametrize(
    "outputs",
    [
        None,
        [],
        {"output": "x"},
        {"output": [[{"a": 1}]]},
        {"other": 1},
        {"output": [[1e308, -1e308, math.inf]]},
    ],
)
def test_hostile_outputs_never_break_the_diagnosis(outputs):
    case = _case("softmax/large-logits")
    assert diagnose(case, outputs, "float64") is None


def test_a_mistake_that_is_wrong_by_less_than_the_decisive_margin_is_never_named():
    assert DECISIVE >= 2  # the soundness argument of diagnose.py needs 2 tolerances


def test_the_matrix_command_ends_with_the_verdict():
    from tools.mistakes_matrix import matrix

    out = io.StringIO()
    ok = matrix(out=lambda line: out.write(line + "\n"))
    last = out.getvalue().rstrip("\n").splitlines()[-1]
    n = len(MISTAKES)
    assert last == f"mistakes: {n}/{n} killed, {n}/{n} named, 0 misnamed, 0 false diagnoses"
    assert ok


def test_the_book_float32_rules_declared_float64_are_named_from_numpy_output():
    """A learner's NumPy code under nnfs.init() (float32 arrays, np.dot in float64 rounded to
    float32) that declares float64 is told so, on the book's own numbers."""

    def answer(case):
        def f32(name):
            return np.array(case.inputs[name], dtype=np.float64).astype(np.float32)

        weights = f32("weights")
        if case.params["weights_layout"] == "neurons_inputs":
            weights = weights.T
        dot = np.dot(f32("inputs").astype(np.float64), weights.astype(np.float64))
        return {"output": (dot.astype(np.float32) + f32("biases")).astype(np.float64).tolist()}

    results = run_stage("dense_batch", answer)
    failed = [r for r in results.values() if r["outcome"] == "failed"]
    assert failed and all(r["diagnosis"]["id"] == "nnfs-init-claiming-float64" for r in failed)


# -- a mistake as people write it, in other languages' forms: written here by hand, not by the
# emulator, and named all the same --------------------------------------------------------------


def _dense(case, bias_of):
    inputs, weights, biases = (decode(case.inputs[k]) for k in ("inputs", "weights", "biases"))
    if case.params["weights_layout"] == "neurons_inputs":
        weights = [list(col) for col in zip(*weights)]
    return [
        [
            math.fsum([*(x * w for x, w in zip(row, col)), bias_of(biases, i, j)])
            for j, col in enumerate(zip(*weights))
        ]
        for i, row in enumerate(inputs)
    ]


def test_biases_read_per_sample_past_the_end_as_javascript_does_are_named():
    def javascript(biases, i, j):  # biases[i] is undefined past the end: NaN
        return biases[i] if i < len(biases) else math.nan

    results = run_stage("dense_batch", lambda case: {"output": _dense(case, javascript)})
    failed = [r for r in results.values() if r["outcome"] == "failed"]
    assert failed and all(r["diagnosis"]["id"] == "bias-wrong-axis" for r in failed)


@pytest.mark.parametrize("e", [2.718, 2.71828, 2.718281])
def test_softmax_with_e_typed_to_any_number_of_decimals_is_named(e):
    def softmax(case):
        out = []
        for logits in decode(case.inputs["inputs"]):
            top = max(logits)
            exps = [e ** (v - top) for v in logits]
            out.append([x / sum(exps) for x in exps])
        return {"output": out}

    results = run_stage("softmax", softmax)
    failed = [r for r in results.values() if r["outcome"] == "failed"]
    assert failed and all(r["diagnosis"]["id"] == "softmax-approximate-e" for r in failed)


def test_onehot_labels_indexed_as_class_numbers_in_javascript_are_named():
    def loss(case):
        y_pred, y_true = decode(case.inputs["y_pred"]), case.inputs["y_true"]
        if case.params["label_format"] == "sparse":
            losses = [-math.log(min(max(p[t], 1e-7), 1 - 1e-7)) for p, t in zip(y_pred, y_true)]
        else:  # y_pred[b][[0, 1, 0]] is undefined in JavaScript
            losses = [math.nan for _ in y_pred]
        return {"sample_losses": losses, "loss": math.fsum(losses) / len(losses)}

    results = run_stage("categorical_crossentropy", loss)
    failed = [r for r in results.values() if r["outcome"] == "failed"]
    assert failed and all(r["diagnosis"]["id"] == "onehot-read-as-sparse" for r in failed)


def test_a_mistake_is_not_replayed_past_the_first_failed_case_that_contradicts_it(monkeypatch):
    """Naming `relu-before-bias` on `dense_relu`, the diagnosis drops every other mistake at
    the first failed case whose outputs it does not give, and replays it on no later failure."""
    from nnfs_conform.diagnosis import diagnose as diagnosis
    from nnfs_conform.grading.compare import compare_outputs
    from tools.mistakes_matrix import _outputs, stage_verdict
    from tools.variants import VARIANTS, wrong_name

    variant = VARIANTS[wrong_name("relu-before-bias", "float64", "")]
    asked = []
    real = diagnosis.replay

    def counted(mistake, case, dtype, form=""):
        asked.append((mistake.id, form, case.id))
        return real(mistake, case, dtype, form)

    monkeypatch.setattr(diagnosis, "replay", counted)
    verdict, failed = stage_verdict(variant, "dense_relu")
    assert verdict.named is BY_ID["relu-before-bias"] and failed
    cases = {case.id: case for case in suite().stages["dense_relu"]}
    outputs = {i: _outputs(variant, cases[i]) for i in failed if cases[i].error is None}
    dropped, others = 0, 0
    for mistake in diagnosis.applicable("dense_relu", "float64"):
        for form in mistake.all_forms:
            others += mistake.id != "relu-before-bias"
            on_failures = [c for m, f, c in asked if (m, f) == (mistake.id, form) and c in outputs]
            for n, case_id in enumerate(on_failures):
                want, _ = real(mistake, cases[case_id], "float64", form)
                if want is not None and not compare_outputs(outputs[case_id], want, "float64").ok:
                    assert on_failures[n + 1 :] == [], (mistake.id, form, on_failures)
                    dropped += 1
                    break
    assert dropped == others > 5  # every other mistake, each at its first contradiction

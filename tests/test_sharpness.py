"""Sharp: every deliberately wrong implementation fails at least one case of a stage it mutates."""

import pytest

from tools.variants import VARIANTS, WRONG, WRONG_VARIANTS, evaluate

ISSUE_WRONG = (  # the issue's list of bugs, each must be caught
    "bias-dropped",
    "bias-twice",
    "weights-not-transposed",
    "bias-wrong-axis",
    "softmax-batch-axis",
    "softmax-no-max-shift",
    "softmax-drops-last-class",
    "cce-no-clip",
    "cce-lower-clip-only",
    "cce-log10",
    "cce-sum-not-mean",
    "accuracy-last-max",
    "relu-as-boolean",
    "float16-accumulation",
)


def test_every_wrong_implementation_the_issue_names_is_checked():
    assert set(ISSUE_WRONG) <= set(WRONG)
    assert len(WRONG) >= 12
    bugs = {name.split("@")[0].split("/")[0] for name in WRONG_VARIANTS}  # id/form@tier
    assert bugs == set(WRONG)


@pytest.mark.parametrize("name", WRONG_VARIANTS)
def test_wrong_variant_fails_at_least_one_case_of_a_stage_it_mutates(name, record_property):
    variant = VARIANTS[name]
    outcomes = evaluate(name)
    assert {o.stage for o in outcomes} == set(variant.stages)
    failing = [o for o in outcomes if not o.ok]
    assert failing, (
        f"{name} ({variant.doc}) passes all {len(outcomes)} cases of {', '.join(variant.stages)}"
    )
    caught_by = ", ".join(o.case for o in failing[:5]) + (" ..." if len(failing) > 5 else "")
    record_property("caught_by", caught_by)
    print(f"{name}: {len(failing)}/{len(outcomes)} cases fail, e.g. {caught_by}")

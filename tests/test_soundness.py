"""Sound: every legitimate implementation passes every case at its tier (tools/variants.py)."""

import pytest

from tools.variants import LEGIT, VARIANTS, evaluate, suite

ISSUE_LEGIT = (  # the issue's list: NumPy, loop orders, FMA, f64 accumulation, row at a time
    "numpy-float64",
    "numpy-float32",
    "python-forward-f64",
    "python-reversed-f64",
    "python-pairwise-f64",
    "python-kahan-f64",
    "python-fma-f64",
    "python-forward-f32",
    "python-reversed-f32",
    "python-pairwise-f32",
    "python-kahan-f32",
    "python-fma-f32",
    "python-f64-accumulate-f32",
    "numpy-row-at-a-time-f64",
    "softmax-logsumexp-f64",
    "softmax-logsumexp-f32",
)


def test_every_legit_implementation_the_issue_names_is_checked():
    assert set(ISSUE_LEGIT) <= set(LEGIT)
    assert {VARIANTS[n].tier for n in LEGIT} == {"float64", "float32"}


@pytest.mark.parametrize("name", LEGIT)
def test_legit_variant_passes_every_case_at_its_tier(name):
    outcomes = evaluate(name)
    # every case of the core stages (the book tier has its own oracle: tests/test_book.py)
    core = sum(len(suite().stages[stage]) for stage in VARIANTS[name].stages)
    assert len(outcomes) == core, "a legit variant runs every case"
    failures = [f"{o.case}: {o.detail}" for o in outcomes if not o.ok]
    assert not failures, (
        f"{name} ({VARIANTS[name].tier}) fails {len(failures)} case(s):\n" + "\n".join(failures)
    )

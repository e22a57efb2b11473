"""The oracle reproduces the exact values the research established, and the bounds behave."""

from fractions import Fraction

import pytest

from generator import oracle, tolerance
from nnfs_conform.suite.vectors import load_suite

SUITE = load_suite()
CASES = {case.id: case for case in SUITE.cases()}


def value(case_id, output="output", tier="float64"):
    return CASES[case_id].expected[tier][output]


def test_the_book_neuron_is_the_correctly_rounded_35_7():
    assert value("neuron/book-three-inputs").value == 35.699999999999996


def test_python_left_to_right_35_7_is_also_within_tolerance():
    expected = value("neuron/book-three-inputs")
    assert abs(1.2 * 3.1 + 5.1 * 2.1 + 2.1 * 8.7 + 3 - expected.value) <= expected.tol


def within(expected, got):
    pairs = (
        zip(sum(expected.value, []), sum(expected.tol, []))
        if isinstance(expected.value[0], list)
        else zip(expected.value, expected.tol)
    )
    flat_got = sum(got, []) if isinstance(got[0], list) else got
    return all(abs(g - v) <= t for g, (v, t) in zip(flat_got, pairs))


def test_the_book_batch_is_the_exact_result_rounded_once():
    x = [[1, 2, 3, 2.5], [2.0, 5.0, -1.0, 2.0], [-1.5, 2.7, 3.3, -0.8]]
    w = [[0.2, 0.8, -0.5, 1.0], [0.5, -0.91, 0.26, -0.5], [-0.26, -0.27, 0.17, 0.87]]
    b = [2, 3, 0.5]
    exact = [
        [
            float(sum((Fraction(xi) * Fraction(wi) for xi, wi in zip(row, neuron)), Fraction(bias)))
            for neuron, bias in zip(w, b)
        ]
        for row in x
    ]
    out = value("dense_batch/book-batch-per-neuron-weights")
    assert out.value == exact
    # what NumPy's np.dot prints on this machine is another correct order: within tolerance
    numpy_order = [
        [4.8, 1.21, 2.385],
        [8.9, -1.8100000000000005, 0.19999999999999996],
        [1.4100000000000004, 1.0509999999999997, 0.025999999999999912],
    ]
    assert within(out, numpy_order)


def test_the_book_loss_is_0_385_correctly_rounded():
    import mpmath

    with mpmath.workprec(256):
        exact = float(mpmath.fsum(-mpmath.log(mpmath.mpf(p)) for p in (0.7, 0.5, 0.9)) / 3)
    for case_id in (
        "categorical_crossentropy/book-batch-sparse",
        "categorical_crossentropy/book-batch-one-hot",
    ):
        out = value(case_id, "loss")
        assert out.value == exact == 0.385060880052168
        assert abs(0.38506088005216804 - out.value) <= out.tol  # NumPy's float64 mean


@pytest.mark.parametrize(
    "tier, want", [("float64", 1.0000000494736474e-07), ("float32", 1.1920929665620916e-07)]
)
def test_a_perfect_prediction_costs_the_upper_clip_of_its_dtype(tier, want):
    assert value("categorical_crossentropy/perfect-prediction", "loss", tier).value == want


def test_a_zero_probability_costs_minus_log_1e_minus_7():
    assert value("categorical_crossentropy/zero-probability", "loss").value == 16.11809565095832


def test_clip_bounds_are_rounded_to_the_dtype():
    assert oracle.clip_bounds("float64") == (1e-7, 0.9999999)
    assert oracle.clip_bounds("float32") == (1.0000000116860974e-07, 0.9999998807907104)


def test_softmax_of_minus_one_zero_one_is_correctly_rounded():
    assert value("softmax/minus-one-zero-one").value == [
        [0.09003057317038046, 0.24472847105479764, 0.6652409557748219]
    ]


def test_equal_large_logits_give_exactly_a_quarter():
    assert value("softmax/equal-large-logits").value == [[0.25, 0.25, 0.25, 0.25]]


def test_a_negative_infinity_logit_gets_exactly_zero_with_zero_tolerance_beyond_underflow():
    out = value("softmax/negative-infinity-logit")
    assert out.value[0][1] == 0.0 and out.tol[0][1] < 1e-300


def test_ties_are_won_by_the_first_maximum():
    assert value("accuracy/tie-first-wins", "predictions").value == [0]
    assert value("accuracy/tie-later-pair", "predictions").value == [1]


def test_float32_tier_reads_inexact_inputs_rounded():
    f64 = value("relu/book-list").value
    f32 = value("relu/book-list", tier="float32").value
    assert f64[3] == 3.3 and f32[3] == 3.299999952316284


def test_small_binary_fractions_are_exact_in_any_order():
    assert tolerance.dot_is_exact([Fraction(3, 4), Fraction(-5, 64), Fraction(1, 2)], "float32")
    assert not tolerance.dot_is_exact([Fraction(1, 3)], "float64")
    assert not tolerance.dot_is_exact([Fraction(2**30), Fraction(1, 2**30)], "float32")


def test_exact_dense_cases_carry_zero_tolerance_and_others_do_not():
    for case in SUITE.cases():
        if case.stage in ("neuron", "layer", "dense_batch") and case.expected:
            tols = case.expected["float32"]["output"].tol
            flat = tols if isinstance(tols, list) else [tols]
            flat = [t for row in flat for t in (row if isinstance(row, list) else [row])]
            assert ("exact" in case.tags) == (max(flat) == 0), case.id

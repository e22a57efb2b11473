"""The book tier against the book itself: printed values are literal external truth.

Every literal below is copied from the book's chapter files (Sentdex/nnfs_book ChN_Final.py),
the book's text or the nnfs package's documented behaviour (nnfs.init(), nnfs.datasets); none is
recomputed here. Each is checked against the shipped
vectors (and so against the generator, which made them). NumPy's legacy RandomState is a
second, independent oracle for the stream and the datasets.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from generator import book
from nnfs_conform.suite.stages import BOOK, stage_names
from nnfs_conform.suite.vectors import load_suite

VECTORS = Path(__file__).resolve().parent.parent / "vectors"


@pytest.fixture(scope="module")
def suite():
    return load_suite(VECTORS)


def case(suite, case_id):
    stage = case_id.split("/")[0]
    return next(c for c in suite.stages[stage] if c.id == case_id)


def value(suite, case_id, output="value", tier="float32"):
    return case(suite, case_id).expected[tier][output].value


def printed(x, digits=8):
    """NumPy's float32 print: 8 significant digits."""
    return float(f"{np.float32(x):.{digits - 1}e}")


def prints_as(g, w):
    """NumPy prints a float32 as its shortest round-tripping digits (so the printed literal
    reads back as the same float32), or in arrays with 8 decimals, or 8 significant digits."""
    return np.float32(g) == np.float32(w) or f"{g:.8f}" == f"{w:.8f}" or printed(g) == printed(w)


def close_to_print(got, want):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape
    for g, w in zip(got.ravel(), want.ravel()):
        assert prints_as(g, w), (g, w)


# -- the random stream (nnfs.init(): np.random.seed(0)) ----------------------------------------


def test_mt19937_seed0_stream(suite):
    assert value(suite, "rng/seed0-first-u32", "values") == [2357136044, 2546248239, 3071714933]


def test_first_doubles(suite):
    assert value(suite, "rng/seed0-first-doubles", "values") == [
        0.5488135039273248,
        0.7151893663724195,
    ]


def test_first_gaussians(suite):
    assert value(suite, "rng/seed0-first-randn", "values") == [
        1.764052345967664,
        0.4001572083672233,
        0.9787379841057392,
    ]


def test_randn_three_then_two_is_randn_five(suite):
    assert value(suite, "rng/randn-three-then-two", "values") == value(
        suite, "rng/randn-five", "values"
    )
    assert value(suite, "rng/randn-one-at-a-time", "values") == value(
        suite, "rng/randn-five", "values"
    )


def test_rng_vectors_equal_numpy_legacy(suite):
    for c in suite.stages["rng"]:
        rs = np.random.RandomState(c.inputs["seed"])
        want = []
        for kind, count in c.inputs["calls"]:
            if kind == 0:
                want += rs._bit_generator.random_raw(count).tolist()
            elif kind == 1:
                want += rs.random_sample(count).tolist()
            else:
                want += rs.randn(count).tolist()
        assert c.expected["float64"]["values"].value == want, c.id


def test_both_tiers_expect_the_book(suite):
    for stage in stage_names(BOOK):
        for c in suite.stages[stage]:
            assert c.expected["float64"] == c.expected["float32"], c.id
            assert "book" in c.tags


# -- datasets (nnfs.datasets: spiral, vertical, sine) ------------------------------------------


def test_spiral_printed_samples(suite):
    X = value(suite, "datasets/spiral-book", "x")
    assert np.float32(X[0][0]) == 0 and np.float32(X[0][1]) == 0
    close_to_print(X[1], [0.0029955569, 0.0096466076])
    close_to_print(X[2], [0.01288097, 0.015562848])
    close_to_print(X[101], [-2.3763678e-05, -0.010100982])
    close_to_print(X[299], [-0.9427888, 0.33339068])
    assert X[100] == [0.0, 0.0]  # -0.0 in the book
    assert float(np.sum(np.abs(np.array(X, dtype=np.float64)))) == 191.30145125457057
    assert value(suite, "datasets/spiral-book", "y") == [0] * 100 + [1] * 100 + [2] * 100


def test_vertical_printed_samples(suite):
    X = value(suite, "datasets/vertical-book", "x")
    close_to_print(X[0], [0.17640524, 0.6883151])
    close_to_print(X[100], [0.29641515, 0.3693473])


def test_sine_printed_sample(suite):
    y = value(suite, "datasets/sine-book", "y", "float64")
    assert y[1] == [0.006283143965558951]
    assert np.std(np.array(y)) / 250 == 0.0028284271247461905


def _nnfs_spiral(rs, samples, classes):
    """nnfs.datasets.spiral_data as the nnfs package writes it, with nnfs.init()'s float32."""
    X = np.zeros((samples * classes, 2), dtype=np.float32)
    for c in range(classes):
        ix = range(samples * c, samples * (c + 1))
        r = np.linspace(0.0, 1, samples)
        t = np.linspace(c * 4, (c + 1) * 4, samples) + rs.randn(samples).astype(np.float32) * 0.2
        X[ix] = np.c_[r * np.sin(t * 2.5), r * np.cos(t * 2.5)]
    return X


def test_spirals_equal_numpy_reimplementation(suite):
    for c in suite.stages["datasets"]:
        if c.params["dataset"] != "spiral":
            continue
        rs = np.random.RandomState(c.inputs["seed"])
        want = _nnfs_spiral(rs, c.inputs["samples"], c.inputs["classes"])
        assert np.array_equal(np.array(c.expected["float32"]["x"].value, dtype=np.float32), want), (
            c.id
        )


# -- Layer_Dense weights (0.01 * np.random.randn) ----------------------------------------------


def test_book_dense_weights(suite):
    w = value(suite, "init/book-dense1-dense2", "weights")
    close_to_print(
        w[:6], [-0.01306527, 0.01658131, -0.00118164, -0.00680178, 0.00666383, -0.0046072]
    )
    close_to_print(
        w[6:],
        [
            -0.01334258,
            -0.01346717,
            0.00693773,
            -0.00159573,
            -0.00133702,
            0.01077744,
            -0.01126826,
            -0.00730678,
            -0.0038488,
        ],
    )
    close_to_print(
        value(suite, "init/video-scale", "weights"),
        [
            -0.1306527,
            0.16581307,
            -0.0118164,
            -0.06801783,
            0.06663831,
            -0.04607198,
            -0.13342585,
            -0.13467175,
            0.06937732,
            -0.01595734,
        ],
    )


# -- the chapters' printed output (the Ch3/4/5/9/10 files) -------------------------------------

CH3 = [
    [0.0000000e00, 0.0000000e00, 0.0000000e00],
    [-1.0475188e-04, 1.1395361e-04, -4.7983500e-05],
    [-2.7414842e-04, 3.1729150e-04, -8.6921798e-05],
    [-4.2188365e-04, 5.2666257e-04, -5.5912682e-05],
    [-5.7707680e-04, 7.1401405e-04, -8.9430439e-05],
]
CH4 = [
    [0.33333334, 0.33333334, 0.33333334],
    [0.33333316, 0.3333332, 0.33333364],
    [0.33333287, 0.3333329, 0.33333418],
    [0.3333326, 0.33333263, 0.33333477],
    [0.33333233, 0.3333324, 0.33333528],
]
CH9 = {
    "dweights1": [
        [1.5766358e-04, 7.8368575e-05, 4.7324404e-05],
        [1.8161036e-04, 1.1045571e-05, -3.3096316e-05],
    ],
    "dbiases1": [[-3.6055347e-04, 9.6611722e-05, -1.0367142e-04]],
    "dweights2": [
        [5.4410957e-05, 1.0741142e-04, -1.6182236e-04],
        [-4.0791339e-05, -7.1678100e-05, 1.1246944e-04],
        [-5.3011299e-05, 8.5817286e-05, -3.2805994e-05],
    ],
    "dbiases2": [[-1.0732794e-05, -9.4590941e-06, 2.0027626e-05]],
}


def test_chapter3_dense_output(suite):
    close_to_print(value(suite, "chapters/ch3-dense1-output"), CH3)


def test_chapter4_softmax(suite):
    close_to_print(value(suite, "chapters/ch4-softmax-output"), CH4)


def test_chapter5_loss_and_accuracy(suite):
    assert printed(value(suite, "chapters/ch5-loss")) == 1.0986104
    assert value(suite, "chapters/ch5-accuracy") == 0.34


def test_chapter9_gradients(suite):
    for name, want in CH9.items():
        close_to_print(value(suite, f"chapters/ch9-{name}"), want)


STEPS = {  # chapter 10's training runs, 8 significant digits as printed
    "sgd-step1": (
        [[-0.01322293, 0.01650294, -0.00122896], [-0.00698339, 0.00665279, -0.0045741]],
        [[1.0732794e-05, 9.4590941e-06, -2.0027626e-05]],
    ),
    "sgd-step2": (
        [[-0.01339448, 0.01641892, -0.00127272], [-0.00714186, 0.00665904, -0.00454526]],
        [[1.8305378e-05, 1.6284292e-05, -3.4404453e-05]],
    ),
    "sgd-momentum-step2": (
        [[-0.0135362, 0.01634847, -0.00131527], [-0.00730515, 0.00664909, -0.00451551]],
        [[2.7957329e-05, 2.4790657e-05, -5.2414955e-05]],
    ),
    "adagrad-step1": (
        [[-1.0124314, -0.9821443, -0.999073], [-1.0062515, -0.984364, 0.9923804]],
        [[0.9907688, 0.9895388, -0.99503165]],
    ),
    "rmsprop-step1": (
        [[-0.01622122, 0.01343174, -0.00432293], [-0.00995856, 0.00358957, -0.00147485]],
        [[0.00307177, 0.00305998, -0.00311312]],
    ),
    "adam-step1": (
        [[-0.01406463, 0.01558258, -0.00217953], [-0.00780123, 0.0056728, -0.00361021]],
        [[0.00099077, 0.00098954, -0.00099503]],
    ),
    "adam-step2": (
        [[-0.01506044, 0.01458441, -0.00314676], [-0.0087985, 0.00593081, -0.00301366]],
        [[0.00028257, 0.00027695, -0.00028411]],
    ),
    "adam-final-config-step1": (
        [[-0.06303357, -0.03335498, -0.05107621], [-0.05677427, -0.04288756, 0.04524218]],
        [[0.04953844, 0.04947694, -0.04975158]],
    ),
}


@pytest.mark.parametrize("label", sorted(STEPS))
def test_optimizer_steps(suite, label):
    w1, b2 = STEPS[label]
    for got, want in (
        (value(suite, f"chapters/ch10-{label}-weights1"), w1),
        (value(suite, f"chapters/ch10-{label}-biases2"), b2),
    ):
        # the research printed these with NumPy's default precision (8 decimals, or 8 digits)
        got = np.asarray(got)
        assert np.allclose(
            got,
            want,
            rtol=6e-8 if abs(got).min() > 1e-4 else 0,
            atol=5e-9 if abs(got).min() < 1e-4 else 5e-9,
        ), (got, want)


def test_loss_before_second_step(suite):
    assert value(suite, "chapters/ch10-sgd-step1-loss") == 1.098610281944275
    assert value(suite, "chapters/ch10-adam-step1-loss") == 1.0986089706420898


def test_chapter10_epoch0_line(suite):
    assert f"{value(suite, 'chapters/ch10-epoch0-loss'):.3f}" == "1.099"
    assert f"{value(suite, 'chapters/ch10-epoch0-accuracy'):.3f}" == "0.360"


LEARNING_RATES = {  # (lr0, decay, steps) -> printed (chapter 10's decay toy and runs)
    (1.0, 0.1, 2): 0.9090909090909091,
    (1.0, 0.1, 3): 0.8333333333333334,
    (1.0, 0.1, 20): 0.3448275862068965,
    (1.0, 1e-2, 100): 0.5025125628140703,
    (1.0, 1e-3, 100): 0.9099181073703367,
    (1.0, 1e-3, 200): 0.8340283569641367,
    (0.05, 5e-7, 100): 0.04999752512250644,
    (0.02, 1e-5, 100): 0.01998021958261321,
    (1.0, 1e-2, 10000): 0.009901970492127933,
    (1.0, 1e-3, 10000): 0.09091735612328393,
    (1.0, 1e-4, 10000): 0.5000250012500626,
    (0.001, 1e-4, 10000): 0.0005000250012500625,
    (0.02, 1e-5, 10000): 0.018181983472577025,
    (0.05, 5e-7, 10000): 0.04975126853296942,
    (0.02, 5e-7, 10000): 0.019900507413187767,
    (0.05, 5e-5, 10000): 0.03333444448148271,
    (0.001, 5e-7, 10000): 0.0009950253706593885,
    (0.005, 1e-3, 10000): 0.00045458678061641964,
}


def test_learning_rates(suite):
    seen = {}
    for c in suite.stages["chapters"]:
        if c.params["printed"] == "learning_rate":
            key = (c.params["learning_rate"], c.params["decay"], c.inputs["steps"])
            seen[key] = c.expected["float32"]["value"].value
    assert seen == LEARNING_RATES


# -- tolerances --------------------------------------------------------------------------------


def test_exact_where_no_exp_or_log(suite):
    for stage in ("rng", "datasets", "init"):
        for c in suite.stages[stage]:
            for out in c.expected["float32"].values():
                if (
                    stage == "datasets"
                    and c.params["dataset"] == "sine"
                    and out is c.expected["float32"]["y"]
                ):
                    continue  # float64 sin: a few float64 ULPs
                assert not np.any(np.asarray(out.tol)), c.id
    assert not np.any(value_tol(suite, "chapters/ch3-dense1-output"))


def value_tol(suite, case_id):
    return np.asarray(case(suite, case_id).expected["float32"]["value"].tol)


def test_exp_dependent_values_get_a_few_ulps(suite):
    assert value_tol(suite, "chapters/ch4-softmax-output").max() <= 2 * 2.0**-25
    assert value_tol(suite, "chapters/ch5-loss") <= 2 * 2.0**-23
    # a float64 port's dbiases2 (chapter 9's backward pass) is outside the book's bound
    tol = value_tol(suite, "chapters/ch9-dbiases2")
    assert abs(-1.0652107683e-05 - value(suite, "chapters/ch9-dbiases2")[0][0]) > tol[0][0]
    # NumPy's SIMD expf run quoted in nnfs_book#13 is within it
    assert abs(-1.0729185e-05 - value(suite, "chapters/ch9-dbiases2")[0][0]) <= tol[0][0]


def test_golden_stream_is_numpy_stream():
    rs = np.random.RandomState(123)
    ours = book.MT19937(123)
    assert [ours.gauss() for _ in range(999)] == rs.randn(999).tolist()


def test_vector_files_say_book(suite):
    for stage in stage_names(BOOK):
        text = json.loads((VECTORS / f"{stage}.json").read_text())
        assert "float32" in text["description"] or stage != "chapters"

"""The case catalogue: every case declared by name; the generator owns values, ids and files.

A case id is `<stage>/<slug>` and never changes meaning: to change a case, add a new slug.
Descriptions are short present-tense facts. Random cases draw from a fixed seed per case.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .values import Values, one_hot, transpose

INF = float("inf")


@dataclass(frozen=True)
class Spec:
    slug: str
    description: str
    tags: tuple[str, ...]
    inputs: dict
    params: dict = field(default_factory=dict)
    error: str | None = None


def ok(slug, description, tags, **inputs):
    params = inputs.pop("params", {})
    return Spec(slug, description, tuple(tags.split()), inputs, params)


def bad(slug, description, kind, **inputs):
    params = inputs.pop("params", {})
    return Spec(slug, description, ("invalid",), inputs, params, kind)


# The book's chapter 1-3 numbers (not exact in float32: tagged inexact-inputs).
BOOK_X = [[1, 2, 3, 2.5], [2.0, 5.0, -1.0, 2.0], [-1.5, 2.7, 3.3, -0.8]]
BOOK_W = [[0.2, 0.8, -0.5, 1.0], [0.5, -0.91, 0.26, -0.5], [-0.26, -0.27, 0.17, 0.87]]
BOOK_B = [2, 3, 0.5]
BOOK_W2 = [[0.1, -0.14, 0.5], [-0.5, 0.12, -0.33], [-0.44, 0.73, -0.13]]
BOOK_B2 = [-1, 2, -0.5]
BOOK_LAYER1 = [[4.8, 1.21, 2.385], [8.9, -1.81, 0.2], [1.41, 1.051, 0.026]]
BOOK_PROBS = [[0.7, 0.1, 0.2], [0.1, 0.5, 0.4], [0.02, 0.9, 0.08]]
# float32-exact probabilities for the invalid-label cases (their values never matter).
BOOK_PROBS_EXACT = [[0.75, 0.125, 0.125], [0.125, 0.5, 0.375], [0.0625, 0.875, 0.0625]]


def neuron():
    v = Values(101)
    cases = [
        ok("book-three-inputs", "the book's first neuron gives 35.7", "book inexact-inputs",
           inputs=[1.2, 5.1, 2.1], weights=[3.1, 2.1, 8.7], bias=3),
        ok("book-four-inputs", "the book's four-input neuron gives 4.8", "book inexact-inputs",
           inputs=[1, 2, 3, 2.5], weights=[0.2, 0.8, -0.5, 1.0], bias=2.0),
        ok("book-first-layer-neuron", "the book's 1, 2, 3 neuron gives 2.3", "book inexact-inputs",
           inputs=[1, 2, 3], weights=[0.2, 0.8, -0.5], bias=2),
        ok("single-input", "a one-input neuron multiplies and adds the bias", "edge exact",
           inputs=[0.75], weights=[-1.5], bias=0.25),
        ok("zero-bias", "a zero bias adds nothing", "edge exact",
           inputs=[1.5, -2.25, 0.5], weights=[0.125, 0.5, -3.0], bias=0.0),
        ok("bias-dominates", "a large bias is added once", "edge exact",
           inputs=[0.5, 0.25], weights=[0.75, -0.5], bias=-96.0),
        ok("zero-weights", "zero weights leave only the bias", "edge exact",
           inputs=[3.5, -1.25, 7.0], weights=[0.0, 0.0, 0.0], bias=1.375),
        ok("last-input-counts", "the last input's product is part of the sum", "edge exact",
           inputs=[0.5, -0.25, 0.125, 8.0], weights=[1.0, 2.0, -4.0, 3.5], bias=0.0),
        ok("cancels-to-zero", "products that cancel give exactly zero", "edge exact",
           inputs=[1.5, -1.5, 2.0], weights=[2.0, 2.0, -0.0], bias=0.0),
        ok("cancels-near-zero", "a sum that nearly cancels is judged against its terms",
           "edge", inputs=[16777215.0, -16777213.0, 1.0000001192092896],
           weights=[1.0000001192092896, 1.0000001192092896, -3.0], bias=0.5),
        ok("negative-zero-inputs", "negative zeros in inputs, weights and bias give zero",
           "edge exact", inputs=[-0.0, 1.5], weights=[2.0, -0.0], bias=-0.0),
        ok("huge-values", "products near 1e30 keep their relative accuracy", "edge",
           inputs=[v.full(95, 100) for _ in range(3)], weights=[v.full(-3, 3) for _ in range(3)],
           bias=v.full(98, 100)),
        ok("tiny-values", "products near 1e-30 keep their relative accuracy", "edge",
           inputs=[v.full(-100, -95) for _ in range(3)], weights=[v.full(-3, 3) for _ in range(3)],
           bias=v.full(-100, -98)),
        ok("wide-256-inputs", "256 full-precision inputs accumulate within the bound",
           "edge random",
           inputs=v.vector(256, v.full), weights=v.vector(256, v.full), bias=v.full()),
        ok("wide-64-exact", "64 small binary fractions sum exactly in any order", "edge exact",
           inputs=v.vector(64, v.dyadic), weights=v.vector(64, v.dyadic), bias=v.dyadic()),
        bad("length-mismatch", "more inputs than weights is refused", "shape_mismatch",
            inputs=[1.0, 2.0, 3.0], weights=[0.5, 0.25], bias=1.0),
        bad("fewer-inputs", "fewer inputs than weights is refused", "shape_mismatch",
            inputs=[1.0], weights=[0.5, 0.25], bias=1.0),
        bad("matrix-inputs", "a matrix of inputs is refused by a single neuron", "shape_mismatch",
            inputs=[[1.0, 2.0], [3.0, 4.0]], weights=[0.5, 0.25], bias=1.0),
        bad("vector-bias", "a list of biases is refused by a single neuron", "shape_mismatch",
            inputs=[1.0, 2.0], weights=[0.5, 0.25], bias=[1.0, 2.0]),
    ]
    for i, k in enumerate((2, 3, 5, 7, 11, 16, 33, 100)):
        r = Values(1000 + i)
        cases.append(ok(f"random-k{k}", f"{k} random full-precision inputs", "random",
                        inputs=r.vector(k, r.full), weights=r.vector(k, r.full), bias=r.full()))
    return cases


def layer():
    v = Values(202)
    cases = [
        ok("book-three-neurons", "the book's layer of three neurons gives 4.8, 1.21, 2.385",
           "book inexact-inputs", inputs=BOOK_X[0], weights=BOOK_W, biases=BOOK_B),
        ok("one-neuron", "a layer of one neuron returns a list of one", "edge exact",
           inputs=[0.5, -1.25, 2.0], weights=[[1.5, 0.25, -0.75]], biases=[0.125]),
        ok("one-input", "every neuron of a one-input layer scales the input", "edge exact",
           inputs=[2.5], weights=[[0.5], [-1.5], [3.0], [0.0]], biases=[0.0, 1.0, -2.0, 0.25]),
        ok("more-neurons-than-inputs", "five neurons read three inputs", "edge exact",
           inputs=[1.0, -2.0, 0.5], weights=v.matrix(5, 3, v.dyadic), biases=v.vector(5, v.dyadic)),
        ok("more-inputs-than-neurons", "two neurons read seven inputs", "edge exact",
           inputs=v.vector(7, v.dyadic), weights=v.matrix(2, 7, v.dyadic), biases=[-0.5, 1.75]),
        ok("distinct-biases", "each neuron adds its own bias", "edge exact",
           inputs=[1.0, 1.0], weights=[[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]], biases=[1.0, 2.0, 3.0]),
        ok("zero-biases", "zero biases add nothing", "edge exact",
           inputs=[0.25, -4.0, 1.5], weights=[[1.0, 0.5, -2.0], [0.125, -0.25, 4.0]],
           biases=[0.0, 0.0]),
        ok("last-input-weighted", "the last input carries the largest weight", "edge exact",
           inputs=[1.0, 2.0, 3.0, 4.0], weights=[[0.0, 0.0, 0.0, 8.0], [0.5, 0.5, 0.5, -8.0]],
           biases=[0.5, -0.5]),
        ok("cancels-to-zero", "rows whose products cancel give exactly zero", "edge exact",
           inputs=[3.0, 3.0], weights=[[1.0, -1.0], [-0.5, 0.5]], biases=[0.0, -0.0]),
        ok("negative-zero", "negative zeros are ordinary zeros", "edge exact",
           inputs=[-0.0, -0.0, 1.0], weights=[[1.0, 2.0, -0.0], [-3.0, -0.0, 0.5]],
           biases=[-0.0, 0.25]),
        ok("wide-256-inputs", "three neurons over 256 full-precision inputs", "edge random",
           inputs=v.vector(256, v.full), weights=v.matrix(3, 256, v.full),
           biases=v.vector(3, v.full)),
        ok("wide-64-neurons", "64 neurons over four inputs", "edge random",
           inputs=v.vector(4, v.full), weights=v.matrix(64, 4, v.full),
           biases=v.vector(64, v.full)),
        ok("large-and-small", "inputs spanning 2^-20 to 2^20 keep their accuracy", "edge",
           inputs=[v.full(18, 20), v.full(-20, -18), v.full(-1, 1)],
           weights=v.matrix(3, 3, v.full), biases=v.vector(3, v.full)),
        bad("row-too-short", "a weight row shorter than the inputs is refused", "shape_mismatch",
            inputs=[1.0, 2.0, 3.0], weights=[[0.5, 0.25], [0.5, 0.25]], biases=[1.0, 2.0]),
        bad("bias-count", "a bias count other than the neuron count is refused", "shape_mismatch",
            inputs=[1.0, 2.0], weights=[[0.5, 0.25], [0.5, 0.25]], biases=[1.0, 2.0, 3.0]),
        bad("ragged-weights", "weight rows of different lengths are refused", "ragged_rows",
            inputs=[1.0, 2.0], weights=[[0.5, 0.25], [0.5]], biases=[1.0, 2.0]),
        bad("matrix-inputs", "a batch of inputs is refused by a single-sample layer",
            "shape_mismatch", inputs=[[1.0, 2.0]], weights=[[0.5, 0.25]], biases=[1.0]),
        bad("vector-weights", "a flat weight list is refused", "shape_mismatch",
            inputs=[1.0, 2.0], weights=[0.5, 0.25], biases=[1.0]),
    ]
    for i, (n, k) in enumerate(((2, 3), (3, 2), (4, 4), (3, 8), (6, 5), (10, 3), (2, 50), (8, 9))):
        r = Values(2000 + i)
        cases.append(ok(f"random-n{n}-k{k}", f"{n} neurons over {k} random inputs", "random",
                        inputs=r.vector(k, r.full), weights=r.matrix(n, k, r.full),
                        biases=r.vector(n, r.full)))
    return cases


def _dense(slug, description, tags, inputs, weights, biases, layout="inputs_neurons"):
    return ok(slug, description, tags, inputs=inputs, weights=weights, biases=biases,
              params={"weights_layout": layout})


def dense_batch():
    v = Values(303)
    sq = v.matrix(3, 3, v.dyadic)
    cases = [
        _dense("book-batch-per-neuron-weights", "the book's batch through per-neuron weights",
               "book inexact-inputs", BOOK_X, BOOK_W, BOOK_B, "neurons_inputs"),
        _dense("book-batch-layer-dense", "the book's batch through Layer_Dense weights",
               "book inexact-inputs", BOOK_X, transpose(BOOK_W), BOOK_B),
        _dense("book-second-layer",
               "the book's second layer gives 0.5031, -1.04185, -2.03875 first",
               "book inexact-inputs", BOOK_LAYER1, BOOK_W2, BOOK_B2, "neurons_inputs"),
        _dense("one-by-one", "a 1x1 layer on a batch of one", "edge exact",
               [[1.5]], [[-0.75]], [0.25]),
        _dense("batch-of-one", "a batch of one sample through four neurons", "edge exact",
               [[0.5, -1.0, 2.0]], v.matrix(3, 4, v.dyadic), v.vector(4, v.dyadic)),
        _dense("b2-k3-n4", "batch 2, 3 inputs, 4 neurons: every dimension distinct", "edge exact",
               v.matrix(2, 3, v.dyadic), v.matrix(3, 4, v.dyadic), v.vector(4, v.dyadic)),
        _dense("b3-k4-n2-per-neuron", "batch 3, 4 inputs, 2 neurons with per-neuron rows",
               "edge exact", v.matrix(3, 4, v.dyadic), v.matrix(2, 4, v.dyadic),
               v.vector(2, v.dyadic), "neurons_inputs"),
        _dense("square-asymmetric", "square asymmetric weights tell a missing transpose apart",
               "edge exact", v.matrix(3, 3, v.dyadic), sq, [0.5, -1.0, 0.25]),
        _dense("square-asymmetric-per-neuron", "the same square weights used as per-neuron rows",
               "edge exact", v.matrix(3, 3, v.dyadic), sq, [0.5, -1.0, 0.25], "neurons_inputs"),
        _dense("bias-per-neuron", "each neuron's bias goes to its own column, not row",
               "edge exact", [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.5, 0.5]],
               [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], [10.0, 20.0, 30.0]),
        _dense("negative-preactivations", "negative outputs stay negative: no activation here",
               "edge exact", [[1.0, 2.0], [-1.0, 0.5]], [[-1.0, 0.5], [-0.5, -0.25]], [-0.5, 1.0]),
        _dense("b5-k2-n7", "batch 5, 2 inputs, 7 neurons", "edge exact",
               v.matrix(5, 2, v.dyadic), v.matrix(2, 7, v.dyadic), v.vector(7, v.dyadic)),
        _dense("wide-256-inputs", "256 full-precision inputs per sample", "edge random",
               v.matrix(2, 256, v.full), v.matrix(256, 3, v.full), v.vector(3, v.full)),
        _dense("wide-64-exact", "64 binary-fraction inputs sum exactly in any order", "edge exact",
               v.matrix(3, 64, v.dyadic), v.matrix(64, 2, v.dyadic), v.vector(2, v.dyadic)),
        _dense("cancellation", "outputs near zero are judged against their terms", "edge",
               [[3.0, -3.0000002384185791, 1.0]], [[1.0000001192092896], [1.0], [0.0]], [0.0]),
        _dense("large-magnitudes", "outputs near 1e20 keep their relative accuracy", "edge",
               v.matrix(2, 3, lambda: v.full(60, 66)), v.matrix(3, 2, v.full), v.vector(2, v.full)),
        bad("ragged-inputs", "input rows of different lengths are refused", "ragged_rows",
            inputs=[[1.0, 2.0], [3.0]], weights=[[0.5], [0.25]], biases=[1.0],
            params={"weights_layout": "inputs_neurons"}),
        bad("ragged-weights", "weight rows of different lengths are refused", "ragged_rows",
            inputs=[[1.0, 2.0]], weights=[[0.5, 1.0], [0.25]], biases=[1.0, 2.0],
            params={"weights_layout": "inputs_neurons"}),
        bad("inner-mismatch", "weights for three inputs on two-input samples are refused",
            "shape_mismatch", inputs=[[1.0, 2.0]], weights=[[0.5], [0.25], [1.0]], biases=[1.0],
            params={"weights_layout": "inputs_neurons"}),
        bad("untransposed-per-neuron", "per-neuron rows read as Layer_Dense weights do not fit",
            "shape_mismatch", inputs=[[1.0, 2.0, 3.0]], weights=[[0.5, 0.25, 1.0]], biases=[1.0],
            params={"weights_layout": "inputs_neurons"}),
        bad("bias-count", "a bias count other than the neuron count is refused", "shape_mismatch",
            inputs=[[1.0, 2.0]], weights=[[0.5, 1.0], [0.25, 2.0]], biases=[1.0, 2.0, 3.0],
            params={"weights_layout": "inputs_neurons"}),
        bad("empty-batch", "a batch with no samples is refused", "empty_batch",
            inputs=[], weights=[[0.5], [0.25]], biases=[1.0],
            params={"weights_layout": "inputs_neurons"}),
        bad("flat-inputs", "a single flat sample is refused: a batch is a matrix", "shape_mismatch",
            inputs=[1.0, 2.0], weights=[[0.5], [0.25]], biases=[1.0],
            params={"weights_layout": "inputs_neurons"}),
    ]
    shapes = ((2, 3, 4), (4, 3, 2), (3, 5, 3), (7, 4, 5), (1, 9, 6), (6, 2, 1), (5, 17, 3),
              (3, 6, 8))
    for i, (b, k, n) in enumerate(shapes):
        r = Values(3000 + i)
        layout = "neurons_inputs" if i % 2 else "inputs_neurons"
        w = r.matrix(k, n, r.full) if layout == "inputs_neurons" else r.matrix(n, k, r.full)
        cases.append(_dense(f"random-b{b}-k{k}-n{n}", f"batch {b}, {k} inputs, {n} neurons, "
                            f"{layout} weights", "random", r.matrix(b, k, r.full), w,
                            r.vector(n, r.full), layout))
    return cases


def relu():
    v = Values(404)
    cases = [
        ok("book-list", "the book's list keeps positives and zeroes negatives",
           "book inexact-inputs", inputs=[0, 2, -1, 3.3, -2.7, 1.1, 2.2, -100]),
        ok("zero-stays-zero", "zero and negative zero give zero", "edge exact",
           inputs=[0.0, -0.0, 0.0]),
        ok("infinities", "positive infinity passes through, negative infinity gives zero",
           "edge exact", inputs=[INF, -INF, 1.0]),
        ok("float32-subnormals", "float32 subnormals keep their sign rule", "edge exact",
           inputs=[1.401298464324817e-45, -1.401298464324817e-45, 1.1754942106924411e-38]),
        ok("float64-subnormal", "a float64 subnormal survives in float64 and is zero in float32",
           "edge inexact-inputs", inputs=[5e-324, -5e-324, 2.5]),
        ok("float32-max", "the largest float32 passes through", "edge exact",
           inputs=[3.4028234663852886e38, -3.4028234663852886e38]),
        ok("batch-matrix", "a batch matrix is handled element by element", "edge exact",
           inputs=[[1.5, -2.0, 0.0], [-0.5, 3.25, -7.0]]),
        ok("all-negative", "an all-negative batch gives all zeros", "edge exact",
           inputs=[[-1.0, -0.5], [-3.0, -0.125], [-2.0, -9.0]]),
        ok("all-positive", "an all-positive batch is unchanged", "edge exact",
           inputs=[[1.0, 0.5, 2.0], [3.0, 0.125, 9.0]]),
        ok("single-element", "a 1x1 batch", "edge exact", inputs=[[-1.5]]),
        ok("non-square", "a 3x5 batch keeps its shape", "edge exact",
           inputs=v.matrix(3, 5, v.dyadic)),
        ok("tiny-values", "values near the smallest normal float32 keep their sign rule",
           "edge exact", inputs=[[1.1754943508222875e-38, -1.1754943508222875e-38]]),
        ok("parse-hard-numbers", "numbers a lossy JSON parser gets wrong come back exact",
           "edge inexact-inputs",
           inputs=[5e-324, 2.2250738585072014e-308, 0.1, 1e23, -0.0, 9007199254740993,
                   2.225073858507201e-308, 0.30000000000000004]),
        ok("parse-float32-boundaries", "float32 limits and halfway points read exactly",
           "edge exact",
           inputs=[3.4028234663852886e38, 1.1754943508222875e-38, 1.401298464324817e-45,
                   16777216.0, 16777218.0, 0.333333343267440796]),
        ok("parse-hard-normal-numbers", "hard-to-parse numbers, none subnormal in either dtype, "
           "come back exact: a parsing check flush-to-zero ports pass too", "edge inexact-inputs",
           inputs=[2.2250738585072014e-308, 0.1, 1e23, -0.0, 9007199254740993,
                   0.30000000000000004, 1.1754943508222875e-38, 16777217.0, 3.4028234663852886e38]),
        bad("ragged-rows", "rows of different lengths are refused", "ragged_rows",
            inputs=[[1.0, -2.0], [3.0]]),
        bad("rank-three", "a rank-3 array is refused", "shape_mismatch",
            inputs=[[[1.0, -2.0]], [[3.0, 4.0]]]),
    ]
    for i, (b, n) in enumerate(((1, 8), (2, 3), (3, 2), (4, 7), (6, 5), (5, 16), (10, 3), (8, 64),
                                (2, 256), (16, 16), (7, 1), (3, 33))):
        r = Values(4000 + i)
        cases.append(ok(f"random-{b}x{n}", f"a random {b}x{n} batch", "random",
                        inputs=r.matrix(b, n, r.full)))
    return cases


def softmax():
    v = Values(505)
    cases = [
        ok("book-one-row", "the book's 4.8, 1.21, 2.385 row gives 0.8953, 0.0247, 0.0800",
           "book inexact-inputs", inputs=[BOOK_LAYER1[0]]),
        ok("book-batch", "the book's three-row batch normalises each row", "book inexact-inputs",
           inputs=BOOK_LAYER1),
        ok("minus-one-zero-one", "logits -1, 0, 1 give 0.0900, 0.2447, 0.6652", "edge",
           inputs=[[-1.0, 0.0, 1.0]]),
        ok("large-logits", "logits near 1000 do not overflow", "edge",
           inputs=[[1000.0, 1000.5, 999.0]]),
        ok("equal-large-logits", "four equal logits of 1000 give exactly 0.25 each", "edge",
           inputs=[[1000.0, 1000.0, 1000.0, 1000.0]]),
        ok("float32-overflow-edge", "logits just past float32 exp overflow near 88.7 stay finite",
           "edge", inputs=[[88.5, 89.0, 88.75], [-87.5, 88.75, 0.0]]),
        ok("all-negative-large", "logits near -1000 do not give 0/0", "edge",
           inputs=[[-1000.0, -1001.0, -1002.0]]),
        ok("all-negative-moderate", "logits near -100 keep float32 accuracy", "edge",
           inputs=[[-100.0, -101.0, -102.0]]),
        ok("single-class", "a single class has probability 1", "edge",
           inputs=[[3.5], [-2.0], [1000.0]]),
        ok("two-classes", "two classes give the logistic function of the difference", "edge",
           inputs=[[0.0, 1.0], [2.5, -2.5]]),
        ok("tie-at-max", "two tied maxima share the mass equally", "edge",
           inputs=[[2.0, 2.0, 1.0]]),
        ok("zero-row", "a row of zeros gives a uniform distribution", "edge",
           inputs=[[0.0, 0.0, 0.0], [-0.0, 0.0, -0.0]]),
        ok("underflowing-tail", "far-below-max logits underflow to zero, not NaN", "edge",
           inputs=[[0.0, -50.0, -120.0, -800.0]]),
        ok("negative-infinity-logit", "a -Infinity logit gets probability exactly 0", "edge",
           inputs=[[0.0, -INF, 1.0]]),
        ok("rows-differ", "3 rows by 5 classes: rows are normalised, not columns", "edge",
           inputs=v.matrix(3, 5, v.dyadic)),
        ok("five-rows-two-classes", "5 rows by 2 classes", "edge", inputs=v.matrix(5, 2, v.dyadic)),
        ok("last-class-large", "the last class holds most of the mass", "edge",
           inputs=[[0.5, -1.0, 0.25, 6.0]]),
        bad("ragged-rows", "rows of different lengths are refused", "ragged_rows",
            inputs=[[1.0, 2.0, 3.0], [1.0, 2.0]]),
        bad("empty-batch", "a batch with no rows is refused", "empty_batch", inputs=[]),
        bad("flat-row", "a flat list is refused: softmax works on a batch of rows",
            "shape_mismatch", inputs=[1.0, 2.0, 3.0]),
    ]
    for i, (b, c, lo, hi) in enumerate(((2, 3, -2, 1), (4, 5, -1, 3), (3, 10, 0, 4), (1, 64, -2, 2),
                                        (8, 4, 3, 6), (5, 7, -3, 0), (2, 33, 1, 5), (6, 2, -1, 2))):
        r = Values(5000 + i)
        cases.append(ok(f"random-{b}x{c}", f"a random {b}x{c} batch of logits up to 2^{hi + 1}",
                        "random", inputs=r.matrix(b, c, lambda r=r, lo=lo, hi=hi: r.full(lo, hi))))
    return cases


def _cce(slug, description, tags, y_pred, y_true, label_format="sparse"):
    return ok(slug, description, tags, y_pred=y_pred, y_true=y_true,
              params={"label_format": label_format})


def _bad_labels(y_pred_probs):
    """Invalid label cases shared by the two stages that read labels."""
    def b(slug, description, kind, y_pred, y_true, label_format="sparse"):
        return bad(slug, description, kind, y_pred=y_pred, y_true=y_true,
                   params={"label_format": label_format})
    p = y_pred_probs
    return [
        b("label-equals-classes", "a label equal to the class count is out of range",
          "label_out_of_range", p, [0, 3, 1]),
        b("negative-label", "a negative label is out of range", "label_out_of_range", p,
          [0, -1, 1]),
        b("fractional-label", "a label of 1.5 is not a class", "invalid_label", p, [0, 1.5, 1]),
        b("one-hot-two-ones", "a one-hot row with two ones is refused", "invalid_label", p,
          [[1, 0, 0], [0, 1, 1], [0, 1, 0]], "onehot"),
        b("one-hot-all-zero", "a one-hot row of zeros is refused", "invalid_label", p,
          [[1, 0, 0], [0, 0, 0], [0, 1, 0]], "onehot"),
        b("label-count", "fewer labels than samples is refused", "shape_mismatch", p, [0, 1]),
        b("one-hot-width", "one-hot rows wider than the classes are refused", "shape_mismatch", p,
          [[1, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0]], "onehot"),
        b("one-hot-as-sparse", "one-hot rows sent as sparse labels are refused", "shape_mismatch",
          p, [[1, 0, 0], [0, 1, 0], [0, 1, 0]]),
        b("empty-batch", "a batch with no samples is refused", "empty_batch", [], []),
        b("ragged-predictions", "prediction rows of different lengths are refused", "ragged_rows",
          [[0.5, 0.5], [0.2, 0.3, 0.5], [1.0, 0.0]], [0, 1, 1]),
    ]


def categorical_crossentropy():
    v = Values(606)
    cases = [
        _cce("book-batch-sparse", "the book's batch with class indices has loss 0.385",
             "book inexact-inputs", BOOK_PROBS, [0, 1, 1]),
        _cce("book-batch-one-hot", "the book's batch with one-hot targets has the same loss",
             "book inexact-inputs", BOOK_PROBS, one_hot([0, 1, 1], 3), "onehot"),
        _cce("book-single-sample", "the book's single sample costs -ln(0.7)",
             "book inexact-inputs", [[0.7, 0.1, 0.2]], [0]),
        _cce("perfect-prediction", "a certain correct prediction costs -ln(1 - 1e-7), not 0",
             "edge", [[1.0, 0.0, 0.0]], [0]),
        _cce("perfect-prediction-one-hot", "the upper clip applies on the one-hot path too",
             "edge", [[0.0, 1.0, 0.0]], one_hot([1], 3), "onehot"),
        _cce("zero-probability", "a zero probability on the target costs -ln(1e-7), not inf",
             "edge", [[0.0, 1.0, 0.0]], [0]),
        _cce("zero-probability-one-hot", "the lower clip applies on the one-hot path too",
             "edge", [[0.0, 0.5, 0.5]], one_hot([0], 3), "onehot"),
        _cce("zero-off-target-one-hot", "zeros off the target do not make NaN", "edge",
             [[0.5, 0.0, 0.5]], one_hot([0], 3), "onehot"),
        _cce("both-clips", "a certain and an impossible target are clipped on both sides",
             "edge", [[1.0, 0.0], [1.0, 0.0]], [0, 1]),
        _cce("at-lower-clip", "a probability at the float32 lower bound is not moved", "edge",
             [[1.0000000116860974e-07, 0.9999998807907104]], [0]),
        _cce("below-lower-clip", "a probability of 2^-40 is raised to the lower bound", "edge",
             [[9.094947017729282e-13, 0.5]], [0]),
        _cce("near-one", "a probability just below 1 in float32 is kept or clipped by dtype",
             "edge", [[0.9999999403953552, 5.960464477539063e-08]], [0]),
        _cce("uniform-four", "a uniform prediction over four classes costs ln 4", "edge",
             [[0.25, 0.25, 0.25, 0.25]], [2]),
        _cce("halves", "a probability of one half costs ln 2", "edge", [[0.5, 0.5]], [1]),
        _cce("mean-not-sum", "four samples with different losses average", "edge",
             [[0.5, 0.5], [0.25, 0.75], [0.125, 0.875], [0.0625, 0.9375]], [0, 1, 0, 1]),
        _cce("last-class", "a target in the last class", "edge",
             [[0.125, 0.25, 0.0625, 0.5625]], [3]),
        _cce("five-by-three", "5 samples by 3 classes", "edge", v.probabilities(5, 3),
             v.labels(5, 3)),
        _cce("two-by-seven-one-hot", "2 samples by 7 classes, one-hot", "edge",
             v.probabilities(2, 7), one_hot([6, 0], 7), "onehot"),
    ] + _bad_labels(BOOK_PROBS_EXACT)
    sizes = ((3, 3), (4, 2), (8, 5), (1, 10), (16, 3), (6, 6), (10, 4), (2, 40))
    for i, (b, c) in enumerate(sizes):
        r = Values(6000 + i)
        labels = r.labels(b, c)
        fmt = "onehot" if i % 2 else "sparse"
        cases.append(_cce(f"random-{b}x{c}-{fmt}", f"{b} random predictions over {c} classes, "
                          f"{fmt} labels", "random", r.probabilities(b, c),
                          one_hot(labels, c) if fmt == "onehot" else labels, fmt))
    return cases


def _acc(slug, description, tags, y_pred, y_true, label_format="sparse"):
    return ok(slug, description, tags, y_pred=y_pred, y_true=y_true,
              params={"label_format": label_format})


def accuracy():
    v = Values(707)
    cases = [
        _acc("book-batch", "the book's batch has accuracy 2/3", "book inexact-inputs",
             [[0.7, 0.2, 0.1], [0.5, 0.1, 0.4], [0.02, 0.9, 0.08]], [0, 1, 1]),
        _acc("book-batch-one-hot", "one-hot targets are turned into class indices",
             "book inexact-inputs", [[0.7, 0.2, 0.1], [0.5, 0.1, 0.4], [0.02, 0.9, 0.08]],
             one_hot([0, 1, 1], 3), "onehot"),
        _acc("tie-first-wins", "on a tie the first maximum wins", "edge exact",
             [[0.375, 0.375, 0.25]], [0]),
        _acc("tie-later-pair", "a tie between the last two classes picks the earlier", "edge exact",
             [[0.25, 0.375, 0.375]], [1]),
        _acc("all-equal", "an all-equal row predicts class 0", "edge exact",
             [[0.25, 0.25, 0.25, 0.25]], [0]),
        _acc("signed-zero-tie", "-0.0 and 0.0 tie, so the first wins", "edge exact",
             [[-0.0, 0.0], [0.0, -0.0]], [0, 0]),
        _acc("all-correct", "every prediction right gives 1", "edge exact",
             [[0.75, 0.25], [0.125, 0.875]], [0, 1]),
        _acc("all-wrong", "every prediction wrong gives 0", "edge exact",
             [[0.75, 0.25], [0.125, 0.875]], [1, 0]),
        _acc("single-sample", "a batch of one", "edge exact", [[0.125, 0.5, 0.375]], [1]),
        _acc("single-class", "a single class is always predicted", "edge exact",
             [[1.0], [1.0], [1.0]], [0, 0, 0]),
        _acc("logits-not-probabilities", "argmax works on raw negative scores too", "edge exact",
             [[-3.5, -1.25, -2.0], [-0.5, -0.75, -0.0625]], [1, 2]),
        _acc("seven-by-three", "7 samples by 3 classes: the argmax is along each row", "edge exact",
             v.probabilities(7, 3), v.labels(7, 3)),
        _acc("three-by-seven-one-hot", "3 samples by 7 classes, one-hot", "edge exact",
             v.probabilities(3, 7), one_hot([6, 2, 0], 7), "onehot"),
        _acc("one-in-three", "one right out of three is exactly 1/3 after rounding", "edge",
             [[0.75, 0.25], [0.75, 0.25], [0.75, 0.25]], [0, 1, 1]),
    ] + _bad_labels(BOOK_PROBS_EXACT)
    for i, (b, c) in enumerate(((3, 3), (5, 2), (10, 4), (1, 6), (12, 3), (7, 7), (20, 5),
                                (4, 10))):
        r = Values(7000 + i)
        labels = r.labels(b, c)
        fmt = "onehot" if i % 2 else "sparse"
        cases.append(_acc(f"random-{b}x{c}-{fmt}", f"{b} random predictions over {c} classes, "
                          f"{fmt} labels", "random", r.probabilities(b, c),
                          one_hot(labels, c) if fmt == "onehot" else labels, fmt))
    return cases


def _net(slug, description, tags, x, w1, b1, w2, b2, y, fmt="sparse"):
    return ok(slug, description, tags, inputs=x, weights1=w1, biases1=b1, weights2=w2, biases2=b2,
              y_true=y, params={"label_format": fmt})


def _random_net(seed, b, k, h, c, fmt, draw="dyadic", scale=1.0):
    r = Values(seed)
    pick = r.dyadic if draw == "dyadic" else r.full
    x = r.matrix(b, k, pick)
    w1 = r.matrix(k, h, lambda: pick() * scale)
    b1 = r.vector(h, pick)
    w2 = r.matrix(h, c, lambda: pick() * scale)
    b2 = r.vector(c, pick)
    labels = r.labels(b, c)
    return x, w1, b1, w2, b2, (one_hot(labels, c) if fmt == "onehot" else labels)


def forward():
    cases = [
        _net("book-layers", "the book's two layers on its three samples", "book inexact-inputs",
             BOOK_X, transpose(BOOK_W), BOOK_B, transpose(BOOK_W2), BOOK_B2, [0, 1, 1]),
        _net("book-layers-one-hot", "the book's two layers with one-hot targets",
             "book inexact-inputs", BOOK_X, transpose(BOOK_W), BOOK_B, transpose(BOOK_W2), BOOK_B2,
             one_hot([0, 1, 1], 3), "onehot"),
        _net("dead-hidden-layer", "a hidden layer that ReLU zeroes leaves only biases2",
             "edge", [[1.0, 2.0], [0.5, -1.0]], [[-1.0, -2.0], [-0.5, -1.5]], [-8.0, -9.0],
             [[3.0, -1.0, 0.5], [1.0, 2.0, -2.0]], [0.25, -0.5, 1.5], [2, 0]),
        _net("confident-logits", "large logits clip the loss of certain predictions", "edge",
             [[1.0, 0.5], [-1.0, 2.0]], [[40.0, -30.0], [20.0, 50.0]], [0.0, 0.0],
             [[10.0, -10.0], [-10.0, 10.0]], [0.0, 0.0], [0, 1]),
        _net("batch-of-one", "a single sample through the whole network", "edge",
             *_random_net(8001, 1, 3, 4, 3, "sparse")),
        _net("one-hidden-unit", "a hidden layer of one unit", "edge",
             *_random_net(8002, 4, 2, 1, 3, "sparse")),
        _net("two-classes", "two output classes", "edge",
             *_random_net(8003, 5, 3, 4, 2, "onehot"), "onehot"),
        _net("wide-inputs", "64 inputs per sample", "edge",
             *_random_net(8004, 3, 64, 5, 3, "sparse", "full", 0.125)),
        _net("wide-hidden", "32 hidden units", "edge",
             *_random_net(8005, 4, 2, 32, 4, "onehot", "full", 0.25), "onehot"),
        _net("book-sizes-small-weights", "the book's sizes with weights scaled near 0.01", "edge",
             *_random_net(8006, 6, 2, 3, 3, "sparse", "full", 2.0**-7)),
        bad("weights1-mismatch", "first-layer weights that do not fit the inputs are refused",
            "shape_mismatch", inputs=[[1.0, 2.0]], weights1=[[0.5, 1.0]], biases1=[0.0, 0.0],
            weights2=[[1.0], [1.0]], biases2=[0.0], y_true=[0], params={"label_format": "sparse"}),
        bad("biases2-count", "a second-layer bias count other than the classes is refused",
            "shape_mismatch", inputs=[[1.0]], weights1=[[0.5, 1.0]], biases1=[0.0, 0.0],
            weights2=[[1.0, 0.5], [1.0, 0.5]], biases2=[0.0], y_true=[0],
            params={"label_format": "sparse"}),
        bad("label-out-of-range", "a label beyond the output classes is refused",
            "label_out_of_range", inputs=[[1.0]], weights1=[[0.5, 1.0]], biases1=[0.0, 0.0],
            weights2=[[1.0, 0.5], [1.0, 0.5]], biases2=[0.0, 0.0], y_true=[2],
            params={"label_format": "sparse"}),
        bad("empty-batch", "a batch with no samples is refused", "empty_batch",
            inputs=[], weights1=[[0.5, 1.0]], biases1=[0.0, 0.0],
            weights2=[[1.0, 0.5], [1.0, 0.5]], biases2=[0.0, 0.0], y_true=[],
            params={"label_format": "sparse"}),
        bad("ragged-inputs", "input rows of different lengths are refused", "ragged_rows",
            inputs=[[1.0], [1.0, 2.0]], weights1=[[0.5, 1.0]], biases1=[0.0, 0.0],
            weights2=[[1.0, 0.5], [1.0, 0.5]], biases2=[0.0, 0.0], y_true=[0, 1],
            params={"label_format": "sparse"}),
    ]
    shapes = ((3, 2, 3, 3), (4, 3, 5, 2), (6, 4, 4, 3), (2, 5, 3, 4), (8, 2, 6, 3), (5, 6, 2, 5),
              (10, 3, 4, 3), (3, 8, 8, 2), (7, 2, 3, 6), (4, 4, 16, 3))
    for i, (b, k, h, c) in enumerate(shapes):
        fmt = "onehot" if i % 2 else "sparse"
        draw = "full" if i % 3 == 2 else "dyadic"
        cases.append(_net(f"random-b{b}-k{k}-h{h}-c{c}", f"batch {b}, {k} inputs, {h} hidden, "
                          f"{c} classes, {fmt} labels", "random",
                          *_random_net(8100 + i, b, k, h, c, fmt, draw, 0.5), fmt))
    return cases


# The forward stages; generator/catalogue.py adds the training stages and the book tier.
CATALOGUE = {
    "neuron": neuron, "layer": layer, "dense_batch": dense_batch, "relu": relu,
    "softmax": softmax, "categorical_crossentropy": categorical_crossentropy,
    "accuracy": accuracy, "forward": forward,
}

DESCRIPTIONS = {
    "neuron": "One neuron: the dot product of inputs and weights plus a bias.",
    "layer": "One sample through a layer of neurons with per-neuron weight rows.",
    "dense_batch": "A batch through a dense layer, in the Layer_Dense or per-neuron weight layout.",
    "relu": "The rectified linear unit, max(0, x), element by element.",
    "softmax": "A row-wise softmax, shifted by the row maximum.",
    "categorical_crossentropy": "Categorical cross-entropy, per sample and the batch mean, of "
                                "predictions clipped to [1e-7, 1 - 1e-7] in the tier's dtype "
                                "(float32: 1.0000000116860974e-07, 0.9999998807907104).",
    "accuracy": "The share of samples whose argmax (first maximum wins) is the true class.",
    "forward": "The book's chapter 5 network: dense, ReLU, dense, softmax, loss and accuracy.",
}

REQUIRES = {
    "layer": ["neuron"], "dense_batch": ["layer"],
    "forward": ["dense_batch", "relu", "softmax", "categorical_crossentropy", "accuracy"],
}

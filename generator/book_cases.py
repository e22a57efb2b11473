"""The book tier's cases: the book's seed, sizes and printed results (docs/BOOK.md).

Every case is tagged `book`. Inputs are integers; the expected values are the book's float32
(or float64) values and are the same at both tiers.
"""

from __future__ import annotations

from .cases import ok

U32, DOUBLE, RANDN = 0, 1, 2


def _rng(slug, description, seed, calls, tags="book exact"):
    return ok(slug, description, tags, seed=seed, calls=[list(c) for c in calls])


def rng():
    return [
        _rng("seed0-first-u32", "np.random.seed(0) starts 2357136044, 2546248239, 3071714933", 0,
             [(U32, 3)]),
        _rng("seed0-first-doubles", "the first 53-bit doubles are 0.5488135039273248, "
             "0.7151893663724195", 0, [(DOUBLE, 2)]),
        _rng("seed0-first-randn", "the first Gaussians are 1.764052345967664, 0.4001572083672233, "
             "0.9787379841057392", 0, [(RANDN, 3)]),
        _rng("randn-five", "randn(5) from seed 0", 0, [(RANDN, 5)]),
        _rng("randn-three-then-two", "randn(3) then randn(2) continue randn(5): the cached "
             "Gaussian carries over", 0, [(RANDN, 3), (RANDN, 2)]),
        _rng("randn-one-at-a-time", "five calls of randn(1) give randn(5)", 0, [(RANDN, 1)] * 5),
        _rng("cache-survives-doubles", "doubles drawn between two Gaussians do not clear the "
             "cached one", 0, [(RANDN, 1), (DOUBLE, 2), (RANDN, 1), (RANDN, 1)]),
        _rng("u32-after-randn", "a Gaussian consumes whole pairs of doubles, four 32-bit outputs "
             "a try", 0, [(RANDN, 1), (U32, 2)]),
        _rng("double-is-two-outputs", "one double consumes two 32-bit outputs", 0,
             [(DOUBLE, 1), (U32, 2)]),
        _rng("regenerates-after-624", "the 625th output comes after the state is twisted again",
             0, [(U32, 700)]),
        _rng("seed-1", "seed 1: outputs, doubles and Gaussians", 1,
             [(U32, 2), (DOUBLE, 2), (RANDN, 3)]),
        _rng("seed-42", "seed 42: Gaussians with odd call lengths", 42,
             [(RANDN, 3), (RANDN, 1), (RANDN, 5)]),
        _rng("seed-max", "the largest seed, 2^32 - 1", 4294967295, [(U32, 3), (RANDN, 2)]),
        _rng("randn-200", "200 Gaussians, rejections included", 0, [(RANDN, 200)]),
    ]


def _data(slug, description, name, seed, samples, classes):
    return ok(slug, description, "book exact", seed=seed, samples=samples, classes=classes,
              params={"dataset": name})


def datasets():
    return [
        _data("spiral-book", "spiral_data(samples=100, classes=3) after nnfs.init(): the book's "
              "data", "spiral", 0, 100, 3),
        _data("spiral-two-classes", "spiral_data(100, 2): chapter 16's binary data", "spiral",
              0, 100, 2),
        _data("spiral-odd-samples", "spiral_data(5, 3): odd sample counts carry the cached "
              "Gaussian into the next class", "spiral", 0, 5, 3),
        _data("spiral-seed-7", "spiral_data(8, 4) from seed 7", "spiral", 7, 8, 4),
        _data("vertical-book", "vertical_data(samples=100, classes=3): chapter 6's data",
              "vertical", 0, 100, 3),
        _data("vertical-odd-samples", "vertical_data(7, 2) from seed 1", "vertical", 1, 7, 2),
        _data("sine-small", "sine_data(8): float64, no random numbers", "sine", 0, 8, 1),
        _data("sine-book", "sine_data(): chapter 17's 1000 samples", "sine", 0, 1000, 1),
    ]


def _init(slug, description, seed, skip, shapes, scale=0.01):
    return ok(slug, description, "book exact", seed=seed, skip=skip,
              shapes=[list(s) for s in shapes], params={"scale": scale})


def init():
    return [
        _init("book-dense1",
              "the first Layer_Dense(2, 3) after spiral_data(100, 3) starts -0.01306527",
              0, 300, [(2, 3)]),
        _init("book-dense1-dense2", "the book's Layer_Dense(2, 3) then Layer_Dense(3, 3)",
              0, 300, [(2, 3), (3, 3)]),
        _init("video-scale", "the videos' 0.10 * randn(2, 5) starts -0.1306527",
              0, 300, [(2, 5)], 0.1),
        _init("chapter-10-sizes", "chapter 10's Layer_Dense(2, 64) then Layer_Dense(64, 3)",
              0, 300, [(2, 64), (64, 3)]),
        _init("odd-skip", "after one Gaussian the cached second one starts the weights",
              0, 1, [(1, 3)]),
        _init("odd-layer-sizes", "odd layer sizes carry the cached Gaussian between layers",
              5, 0, [(3, 1), (1, 3), (2, 2)]),
        _init("no-dataset", "weights straight after seeding, no dataset drawn", 0, 0, [(4, 5)]),
    ]


def _ch(slug, description, printed, steps=0, optimizer="sgd", learning_rate=1.0, decay=0.0,
        momentum=0.0, hidden=3, tags="book"):
    return ok(slug, description, tags, seed=0, samples=100, classes=3, hidden=hidden, steps=steps,
              params={"printed": printed, "optimizer": optimizer,
                      "learning_rate": learning_rate, "decay": decay, "momentum": momentum})


def _lr(slug, description, learning_rate, decay, steps):
    return _ch(slug, description, "learning_rate", steps=steps, learning_rate=learning_rate,
               decay=decay, tags="book exact")


def chapters():
    cases = [
        _ch("ch3-dense1-output", "chapter 3 prints dense1.output[:5]", "dense1_output",
            tags="book exact"),
        _ch("ch4-softmax-output", "chapter 4 prints the softmax output[:5]", "softmax_output"),
        _ch("ch5-loss", "chapter 5 prints loss: 1.0986104", "loss"),
        _ch("ch5-accuracy", "chapter 5 prints acc: 0.34 (8 rows tie; the first maximum wins)",
            "accuracy", tags="book exact"),
        _ch("ch9-dweights1", "chapter 9 prints dense1.dweights", "dweights1"),
        _ch("ch9-dbiases1", "chapter 9 prints dense1.dbiases", "dbiases1"),
        _ch("ch9-dweights2", "chapter 9 prints dense2.dweights", "dweights2"),
        _ch("ch9-dbiases2", "chapter 9 prints dense2.dbiases, a sum that nearly cancels",
            "dbiases2"),
    ]
    steps = [  # (optimizer, lr, decay, momentum, steps, label)
        ("sgd", 1.0, 0.0, 0.0, 1, "sgd-step1"),
        ("sgd", 1.0, 0.0, 0.0, 2, "sgd-step2"),
        ("sgd", 1.0, 1e-3, 0.9, 2, "sgd-momentum-step2"),
        ("adagrad", 1.0, 0.0, 0.0, 1, "adagrad-step1"),
        ("rmsprop", 0.001, 0.0, 0.0, 1, "rmsprop-step1"),
        ("adam", 0.001, 0.0, 0.0, 1, "adam-step1"),
        ("adam", 0.001, 0.0, 0.0, 2, "adam-step2"),
        ("adam", 0.05, 5e-7, 0.0, 1, "adam-final-config-step1"),
    ]
    names = {"sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adam": "Adam"}
    for opt, lr, decay, momentum, n, label in steps:
        conf = f"{names[opt]}(learning_rate={lr}, decay={decay}" + (
            f", momentum={momentum})" if momentum else ")")
        for printed in ("weights1", "biases2"):
            cases.append(_ch(f"ch10-{label}-{printed}", f"{printed} after {n} step"
                             f"{'s' if n > 1 else ''} of {conf}", printed, n, opt, lr, decay,
                             momentum))
    cases += [
        _ch("ch10-sgd-step1-loss", "the loss after one SGD step is 1.0986103", "loss", 1),
        _ch("ch10-adam-step1-loss", "the loss after one Adam step is 1.098609", "loss", 1,
            "adam", 0.001),
        _ch("ch10-epoch0-loss", "chapter 10's 64-unit network starts at loss 1.099", "loss",
            hidden=64),
        _ch("ch10-epoch0-accuracy", "chapter 10's 64-unit network starts at acc 0.360",
            "accuracy", hidden=64, tags="book exact"),
    ]
    lrs = [  # (lr0, decay, steps): the rate the epoch line prints after `steps` steps
        (1.0, 0.1, 2), (1.0, 0.1, 3), (1.0, 0.1, 20),
        (1.0, 1e-2, 100), (1.0, 1e-3, 100), (1.0, 1e-3, 200), (0.05, 5e-7, 100),
        (0.02, 1e-5, 100),
        (1.0, 1e-2, 10000), (1.0, 1e-3, 10000), (1.0, 1e-4, 10000), (0.001, 1e-4, 10000),
        (0.02, 1e-5, 10000), (0.05, 5e-7, 10000), (0.02, 5e-7, 10000), (0.05, 5e-5, 10000),
        (0.001, 5e-7, 10000), (0.005, 1e-3, 10000),
    ]
    for lr, decay, n in lrs:
        cases.append(_lr(f"lr-{lr}-decay-{decay}-after-{n}".replace(".", "p").replace("e-", "em"),
                         f"learning_rate={lr}, decay={decay}: the rate printed after {n} steps",
                         lr, decay, n))
    return cases


CATALOGUE = {"rng": rng, "datasets": datasets, "init": init, "chapters": chapters}

DESCRIPTIONS = {
    "rng": "NumPy's legacy stream after np.random.seed(seed): calls [kind, count] draw 32-bit "
           "outputs (0), 53-bit doubles (1) or cached polar Gaussians (2), in order.",
    "datasets": "The nnfs package's spiral_data, vertical_data (float32) and sine_data "
                "(float64) for a seed and size, bit for bit.",
    "init": "Layer_Dense weights, float32(scale) * float32(randn), row-major and concatenated, "
            "for layers made in order after `skip` Gaussians.",
    "chapters": "A value the book's chapter 3-10 script prints, from its seed and data, by the "
                "book's float32 rules; the same at both tiers.",
}

REQUIRES = {"datasets": ["rng"], "init": ["rng"], "chapters": ["datasets", "init"]}

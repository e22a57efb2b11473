"""`chapters`: its cases and its golden, side by side."""

from __future__ import annotations

from ..book import chapters
from ..cases import ok

DESCRIPTION = (
    "A value the book's chapter 3-10 script prints, from its seed and data, by the "
    "book's float32 rules; the same at both tiers."
)
REQUIRES = ["datasets", "init"]


def _ch(
    slug,
    description,
    printed,
    steps=0,
    optimizer="sgd",
    learning_rate=1.0,
    decay=0.0,
    momentum=0.0,
    hidden=3,
    tags="book",
):
    return ok(
        slug,
        description,
        tags,
        seed=0,
        samples=100,
        classes=3,
        hidden=hidden,
        steps=steps,
        params={
            "printed": printed,
            "optimizer": optimizer,
            "learning_rate": learning_rate,
            "decay": decay,
            "momentum": momentum,
        },
    )


def _lr(slug, description, learning_rate, decay, steps):
    return _ch(
        slug,
        description,
        "learning_rate",
        steps=steps,
        learning_rate=learning_rate,
        decay=decay,
        tags="book exact",
    )


def cases():
    specs = [
        _ch(
            "ch3-dense1-output",
            "chapter 3 prints dense1.output[:5]",
            "dense1_output",
            tags="book exact",
        ),
        _ch("ch4-softmax-output", "chapter 4 prints the softmax output[:5]", "softmax_output"),
        _ch("ch5-loss", "chapter 5 prints loss: 1.0986104", "loss"),
        _ch(
            "ch5-accuracy",
            "chapter 5 prints acc: 0.34 (8 rows tie; the first maximum wins)",
            "accuracy",
            tags="book exact",
        ),
        _ch("ch9-dweights1", "chapter 9 prints dense1.dweights", "dweights1"),
        _ch("ch9-dbiases1", "chapter 9 prints dense1.dbiases", "dbiases1"),
        _ch("ch9-dweights2", "chapter 9 prints dense2.dweights", "dweights2"),
        _ch(
            "ch9-dbiases2", "chapter 9 prints dense2.dbiases, a sum that nearly cancels", "dbiases2"
        ),
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
            f", momentum={momentum})" if momentum else ")"
        )
        for printed in ("weights1", "biases2"):
            specs.append(
                _ch(
                    f"ch10-{label}-{printed}",
                    f"{printed} after {n} step{'s' if n > 1 else ''} of {conf}",
                    printed,
                    n,
                    opt,
                    lr,
                    decay,
                    momentum,
                )
            )
    specs += [
        _ch("ch10-sgd-step1-loss", "the loss after one SGD step is 1.0986103", "loss", 1),
        _ch(
            "ch10-adam-step1-loss",
            "the loss after one Adam step is 1.098609",
            "loss",
            1,
            "adam",
            0.001,
        ),
        _ch(
            "ch10-epoch0-loss",
            "chapter 10's 64-unit network starts at loss 1.099",
            "loss",
            hidden=64,
        ),
        _ch(
            "ch10-epoch0-accuracy",
            "chapter 10's 64-unit network starts at acc 0.360",
            "accuracy",
            hidden=64,
            tags="book exact",
        ),
    ]
    lrs = [  # (lr0, decay, steps): the rate the epoch line prints after `steps` steps
        (1.0, 0.1, 2),
        (1.0, 0.1, 3),
        (1.0, 0.1, 20),
        (1.0, 1e-2, 100),
        (1.0, 1e-3, 100),
        (1.0, 1e-3, 200),
        (0.05, 5e-7, 100),
        (0.02, 1e-5, 100),
        (1.0, 1e-2, 10000),
        (1.0, 1e-3, 10000),
        (1.0, 1e-4, 10000),
        (0.001, 1e-4, 10000),
        (0.02, 1e-5, 10000),
        (0.05, 5e-7, 10000),
        (0.02, 5e-7, 10000),
        (0.05, 5e-5, 10000),
        (0.001, 5e-7, 10000),
        (0.005, 1e-3, 10000),
    ]
    for lr, decay, n in lrs:
        specs.append(
            _lr(
                f"lr-{lr}-decay-{decay}-after-{n}".replace(".", "p").replace("e-", "em"),
                f"learning_rate={lr}, decay={decay}: the rate printed after {n} steps",
                lr,
                decay,
                n,
            )
        )
    return specs


def golden(x, p, tier):
    ints = {k: int(x[k]) for k in ("seed", "samples", "classes", "hidden", "steps")}
    return {
        "value": chapters(
            **ints,
            printed=p["printed"],
            optimizer=p["optimizer"],
            learning_rate=p["learning_rate"],
            decay=p["decay"],
            momentum=p["momentum"],
        )
    }

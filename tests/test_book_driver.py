"""`nnfs-conform book FILE.py`: a learner's module written with the book's classes is graded with
no adapter, its bugs turn the run red, and whatever is wrong with the module itself is one line.

The learners are in tests/learners/: book_nn.py (chapters 2-17), book_nn_ch18.py (chapters
18-22: the Model and its classes), book_nn_float32.py (after the book's nnfs.init()), and
one-bug variants. Modules that cannot even be imported are written by the tests into tmp_path.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from runner_helpers import Run

from nnfs_conform.cli import main
from nnfs_conform.port import book_port
from nnfs_conform.suite.stages import BOOK, TABLE
from nnfs_conform.suite.vectors import load_suite

LEARNERS = Path(__file__).parent / "learners"
CORE_STAGES = [stage.name for stage in TABLE if stage.group != BOOK]
# The stages a chapter 2-17 module cannot be driven on, and why (`{file}` is its name): its
# activations have no predictions(), there is no Accuracy_Regression and no Model, and the book
# prepares chapter 19's data inline in its script.
CHAPTER_18_ON = {
    "binary_accuracy": "Activation_Sigmoid.predictions is not defined in {file}",
    "regression_accuracy": "Accuracy_Regression is not defined in {file}",
    "preprocess": (
        "preprocess is not defined in {file}: the book does it inline in chapter 19: define "
        "preprocess(X, y, keys) returning (X, y) to have it checked"
    ),
    "batches": "Model is not defined in {file}",
    "predictions": "Activation_Softmax.predictions is not defined in {file}",
    "evaluate": "Model is not defined in {file}",
    "parameters": "Model is not defined in {file}",
}


def chapter_18_on(file: str) -> dict[str, str]:
    return {stage: why.format(file=file) for stage, why in CHAPTER_18_ON.items()}


def book(report: Path, *args: str) -> Run:
    """`nnfs-conform book --report-json REPORT ARGS` in-process, its output captured; the result
    read back."""
    report.unlink(missing_ok=True)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["book", "--report-json", str(report), *args])
    result = json.loads(report.read_text()) if report.exists() else None
    return Run(status, out.getvalue(), err.getvalue(), result)


def grade(tmp_path: Path, *args: str) -> Run:
    return book(tmp_path / "result.json", *args)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """grade() for runs more than one test reads (a whole module's run, asked again by the tests
    of its one-bug copies): each made once for the module."""
    folder = tmp_path_factory.mktemp("shared")
    runs: dict[tuple[str, ...], Run] = {}

    def graded(*args: str) -> Run:
        if args not in runs:
            runs[args] = book(folder / f"{len(runs)}.json", *args)
        return runs[args]

    return graded


def learner(name: str) -> str:
    return str(LEARNERS / f"{name}.py")


def beside_book_nn(tmp_path: Path, name: str, source: str) -> str:
    """A learner module in tmp_path with book_nn.py and book_nn_ch18.py beside it, for its
    sibling import."""
    for sibling in ("book_nn.py", "book_nn_ch18.py"):
        shutil.copy(LEARNERS / sibling, tmp_path / sibling)
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    return str(path)


def outcomes(run: Run, outcome: str) -> list[dict]:
    return [case for case in run.result["cases"] if case["outcome"] == outcome]


def valid_and_invalid(stages: list[str]) -> tuple[int, int]:
    """How many valid and invalid-input cases these stages have in this suite version."""
    counts = [0, 0]
    for case in load_suite().iter_cases(stages):
        counts[case.error is not None] += 1
    return counts[0], counts[1]


# --- Green: the book's classes, both generations, both dtypes -------------------------------


@pytest.mark.parametrize("dtype", [None, "float32"])
def test_a_chapter_18_to_22_module_passes_every_valid_case_of_every_core_stage(dtype, shared):
    """With the Model and its classes, every core stage is declared and every valid case
    passes, at both tiers; the invalid-input cases (the book checks no inputs) and the book
    tier are not applicable; exit 0."""
    run = shared(*(["--dtype", dtype] if dtype else []), learner("book_nn_ch18"))
    valid, invalid = valid_and_invalid(CORE_STAGES)
    summary = run.result["summary"]
    assert run.status == 0, run.out
    assert run.result["port"]["name"] == "book_nn_ch18.py"
    assert run.result["port"]["dtype"] == (dtype or "float64")
    assert run.result["port"]["stages"] == CORE_STAGES
    assert run.result["port"]["missing"] == {}
    assert (summary["passed"], summary["failed"], summary["errored"]) == (valid, 0, 0)
    assert summary["declined"] == 0
    assert summary["not_applicable_input_checks"] == invalid
    assert run.last_line == f"{valid} passed, 0 failed, 0 errored, 0 skipped"


@pytest.mark.parametrize("name, dtype", [("book_nn", "float64"), ("book_nn_float32", "float32")])
def test_a_chapter_2_to_17_module_passes_every_stage_its_classes_allow(name, dtype, shared):
    """Every stage its classes can be driven on is declared and passes, at the tier its set-up
    chose (nnfs.init() means float32); each stage of chapters 18-22 is not graded, with the
    reason in the header, and its cases are not applicable."""
    run = shared(learner(name))
    missing = chapter_18_on(f"{name}.py")
    declared = [stage for stage in CORE_STAGES if stage not in missing]
    valid, invalid = valid_and_invalid(declared)
    summary = run.result["summary"]
    assert run.status == 0, run.out
    assert run.result["port"]["dtype"] == dtype
    assert run.result["port"]["stages"] == declared
    assert run.result["port"]["missing"] == missing
    for stage, why in missing.items():
        assert f"not graded: {stage} ({why})" in run.out.splitlines()
    assert (summary["passed"], summary["failed"], summary["errored"]) == (valid, 0, 0)
    assert summary["not_applicable_input_checks"] == invalid
    undeclared = [c for c in run.result["cases"] if c["stage"] in missing]
    assert undeclared and {c["outcome"] for c in undeclared} == {"not_applicable"}


def test_dtype_overrides_the_detection(tmp_path):
    run = grade(tmp_path, "--dtype", "float64", "--stage", "relu", learner("book_nn_float32"))
    assert run.result["port"]["dtype"] == "float64"
    run = grade(tmp_path, "--stage", "relu", learner("book_nn"))
    assert run.result["port"]["dtype"] == "float64"


# --- Red: one realistic bug each -------------------------------------------------------------


@pytest.mark.parametrize(
    "name, stage, mistake, clean",
    [
        ("bug_relu_backward_on_dvalues", "relu_backward", "relu-backward-mask-on-dvalues", None),
        ("bug_softmax_without_max_shift", "softmax", "softmax-no-max-shift", None),
        ("bug_loss_sum_not_mean", "categorical_crossentropy", "cce-sum-not-mean", None),
        (
            "bug_adam_correction_without_plus_one",
            "adam_step",
            "adam-bias-correction-off-by-one",
            None,
        ),
        ("bug_dbiases_wrong_axis", "dense_backward", None, None),
        ("bug_dense_keeps_first_inputs", "repeated_forward", "dense-keeps-first-inputs", None),
        (
            "bug_binary_threshold_inclusive",
            "binary_accuracy",
            "binary-threshold-inclusive",
            "book_nn_ch18",
        ),
        (
            "bug_evaluate_mean_of_batch_means",
            "evaluate",
            "mean-of-batch-means",
            "book_nn_ch18",
        ),
        (
            "bug_parameters_saved_as_float32",
            "parameters",
            "parameters-saved-as-float32",
            "book_nn_ch18",
        ),
        (
            "bug_epoch_loss_mean_of_batch_means",
            "model_training",
            "mean-of-batch-means",
            "book_nn_ch18",
        ),
    ],
)
def test_one_bug_in_the_learners_classes_turns_the_run_red(
    name, stage, mistake, clean, tmp_path, shared
):
    """The stage fails (the learner's exceptions, from a bug, are failures too, never errors)
    and the run names the mistake; the module the bug was put into passes the same stage (in its
    whole run, which the green tests above read too)."""
    run = grade(tmp_path, "--stage", stage, learner(name))
    failed = outcomes(run, "failed")
    assert run.status == 1
    assert failed and not outcomes(run, "errored")
    if mistake:
        assert mistake in {(case["diagnosis"] or {}).get("id") for case in failed}
        assert f"[{mistake}]" in run.out
    clean_run = shared(learner(clean or "book_nn"))
    assert clean_run.status == 0, "the same stage passes without the bug"
    clean_cases = [case for case in clean_run.result["cases"] if case["stage"] == stage]
    assert "passed" in {case["outcome"] for case in clean_cases}
    assert not {case["outcome"] for case in clean_cases} & {"failed", "errored"}


def test_the_books_mae_sign_erratum_fails_mean_absolute_error_and_is_named(tmp_path):
    """The printed book's np.sign(y_true - dvalues) fails the gradient of every case with a
    nonzero difference; the run names the mistake, and the losses themselves pass."""
    run = grade(tmp_path, "--stage", "mean_absolute_error", learner("book_mae_erratum"))
    failed = outcomes(run, "failed")
    assert run.status == 1
    assert {case["diagnosis"]["id"] for case in failed} == {"mae-gradient-sign-flipped"}
    assert {case["worst"]["output"] for case in failed} == {"dinputs"}
    assert "[mae-gradient-sign-flipped]" in run.out


# --- What the module lacks or cannot do ------------------------------------------------------


def test_a_missing_class_leaves_its_stages_undeclared_and_says_why(tmp_path):
    """adam_step is not declared, with the reason in the header; the training cases that need
    Adam are declined with the same reason; the other training cases are graded."""
    run = grade(tmp_path, "--stage", "adam_step", "--stage", "training", learner("missing_adam"))
    reason = "Optimizer_Adam is not defined in missing_adam.py"
    assert run.status == 0, run.out
    assert run.result["port"]["missing"] == {
        "adam_step": reason,
        "shared_optimizer": reason,
        **chapter_18_on("missing_adam.py"),
    }
    assert "adam_step" not in run.result["port"]["stages"]
    assert f"not graded: adam_step ({reason})" in run.out.splitlines()
    declined = [
        c
        for c in outcomes(run, "not_applicable")
        if c["stage"] == "training" and c["reason"] and reason in c["reason"]
    ]
    assert {c["id"] for c in declined} == {
        c["id"]
        for c in run.result["cases"]
        if c["id"].startswith(("training/adam", "training/random-adam"))
    }
    assert run.result["summary"]["declined"] == len(declined) > 0
    assert run.result["summary"]["passed"] > 0


# --- The Model's chapters: how the driver builds and calls the learner's Model -----------------

MODEL_STAGES = ("--stage", "batches", "--stage", "evaluate", "--stage", "parameters")


def test_a_chapter_18_model_whose_set_requires_an_optimizer_is_given_one(tmp_path):
    """Chapter 18's set(*, loss, optimizer, accuracy) has no defaults: evaluate and parameters,
    which need no optimizer, pass the learner's own (the first it has) and still pass."""
    path = beside_book_nn(
        tmp_path,
        "chapter_18_set",
        (
            "from book_nn_ch18 import *\n"
            "class Model(Model):\n"
            "    def set(self, *, loss, optimizer, accuracy):\n"
            "        self.loss, self.optimizer, self.accuracy = loss, optimizer, accuracy\n"
        ),
    )
    run = grade(tmp_path, *MODEL_STAGES, path)
    assert run.status == 0, run.out
    assert {"batches", "evaluate", "parameters"} <= set(run.result["port"]["stages"])
    assert (
        run.result["summary"]["passed"]
        == valid_and_invalid(["batches", "evaluate", "parameters"])[0]
    )


def test_a_model_that_cannot_save_its_parameters_is_graded_through_set_parameters(tmp_path):
    """Chapter 21 before save_parameters: get_parameters of one model, set_parameters of the
    fresh one; a set_parameters that loads nothing fails every case."""
    path = beside_book_nn(
        tmp_path,
        "no_saving",
        "from book_nn_ch18 import *\ndel Model.save_parameters, Model.load_parameters\n",
    )
    run = grade(tmp_path, "--stage", "parameters", path)
    assert run.status == 0, run.out
    assert run.result["summary"]["passed"] == valid_and_invalid(["parameters"])[0]
    path = beside_book_nn(
        tmp_path,
        "loads_nothing",
        (
            "from book_nn_ch18 import *\n"
            "del Model.save_parameters, Model.load_parameters\n"
            "class Model(Model):\n"
            "    def set_parameters(self, parameters):\n"
            "        pass\n"
        ),
    )
    run = grade(tmp_path, "--stage", "parameters", path)
    assert run.status == 1 and run.result["summary"]["passed"] == 0


def test_batches_are_what_the_learners_train_feeds_its_first_layer(tmp_path):
    """A train that drops the short last batch is caught and named: the driver records the
    batches the learner's own Model.train takes, it does not slice them itself."""
    path = beside_book_nn(
        tmp_path,
        "drops_short_batch",
        (
            "from book_nn_ch18 import *\n"
            "class Model(Model):\n"
            "    def train(self, X, y, *, epochs=1, batch_size=None, **kwargs):\n"
            "        steps = len(X) // batch_size\n"
            "        super().train(X[: steps * batch_size], y[: steps * batch_size],\n"
            "                      epochs=epochs, batch_size=batch_size, **kwargs)\n"
        ),
    )
    run = grade(tmp_path, "--stage", "batches", path)
    failed = outcomes(run, "failed")
    assert run.status == 1 and not outcomes(run, "errored")
    assert "batches-drop-short-batch" in {(c["diagnosis"] or {}).get("id") for c in failed}
    assert {c["id"] for c in outcomes(run, "passed")} >= {"batches/divides-evenly"}


def test_model_training_runs_the_learners_own_model_and_else_plays_the_books_loop(tmp_path):
    """A module with a Model that trains in batches is graded on that Model's train: one that
    drops the short last batch fails. A module with no Model (chapters 2-17) is graded through
    the book's Model.train played over its classes, and passes."""
    path = beside_book_nn(
        tmp_path,
        "own_model_drops_short_batch",
        (
            "from book_nn_ch18 import *\n"
            "class Model(Model):\n"
            "    def train(self, X, y, *, epochs=1, batch_size=None, **kwargs):\n"
            "        steps = len(X) // batch_size\n"
            "        super().train(X[: steps * batch_size], y[: steps * batch_size],\n"
            "                      epochs=epochs, batch_size=batch_size, **kwargs)\n"
        ),
    )
    run = grade(tmp_path, "--stage", "model_training", path)
    assert run.status == 1 and outcomes(run, "failed") and not outcomes(run, "errored")
    assert "model_training/sgd-short-last-batch" in {c["id"] for c in outcomes(run, "failed")}
    assert "model_training/sgd-even-batches" in {c["id"] for c in outcomes(run, "passed")}
    played = grade(tmp_path, "--stage", "model_training", learner("book_nn"))
    assert played.status == 0, played.out
    assert played.result["summary"]["passed"] == valid_and_invalid(["model_training"])[0]


@pytest.mark.parametrize(
    "source, stage, why",
    [
        (
            "from book_nn_ch18 import *\n"
            "class Accuracy_Categorical(Accuracy_Categorical):\n"
            "    def __init__(self):\n"
            "        self.binary = False\n",
            "binary_accuracy",
            "Accuracy_Categorical(...) in {file} takes no binary (the book's chapter 18)",
        ),
        (
            "from book_nn_ch18 import *\n"
            "class Model(Model):\n"
            "    def train(self, X, y, *, epochs=1, print_every=1, validation_data=None):\n"
            "        pass\n",
            "batches",
            "Model.train(...) in {file} takes no batch_size (the book's chapter 19)",
        ),
        (
            "from book_nn_ch18 import *\n"
            "del Optimizer_SGD, Optimizer_Adagrad, Optimizer_RMSprop, Optimizer_Adam\n",
            "batches",
            "no optimizer (Optimizer_SGD, Optimizer_Adagrad, Optimizer_RMSprop, Optimizer_Adam) "
            "is defined in {file}",
        ),
        (
            "from book_nn_ch18 import *\ndef preprocess(text):\n    return text.lower()\n",
            "preprocess",
            "preprocess(text) in {file} cannot be called as preprocess(X, y, keys): the book does "
            "it inline in chapter 19: define preprocess(X, y, keys) returning (X, y) to have it "
            "checked",
        ),
    ],
    ids=["accuracy-not-binary", "train-without-batches", "no-optimizer", "other-preprocess"],
)
def test_a_model_stage_the_module_cannot_do_is_not_declared_with_its_reason(
    source, stage, why, tmp_path
):
    """Not declared, the reason in the header, the module's other stages graded."""
    path = beside_book_nn(tmp_path, "lacks_one", source)
    run = grade(tmp_path, "--stage", stage, "--stage", "relu", path)
    why = why.format(file="lacks_one.py")
    assert run.status == 0, run.out
    assert run.result["port"]["missing"][stage] == why
    assert f"not graded: {stage} ({why})" in run.out.splitlines()
    assert stage not in run.result["port"]["stages"]
    assert run.result["summary"]["passed"] == valid_and_invalid(["relu"])[0]


IMPORT_FAILURES = {
    "syntax_error": (
        "import numpy as np\n\ndef forward(self, inputs:\n    pass\n",
        "SyntaxError",
        "syntax_error.py:3",
    ),
    "raises_at_import": (
        "def scale():\n    return 1 / 0\n\nprint('defining')\n"
        "class Layer_Dense:\n    factor = scale()\n",
        "ZeroDivisionError: division by zero",
        "raises_at_import.py:2 in scale, called from raises_at_import.py:6",
    ),
    "sibling_missing": (
        "from my_layers import Layer_Dense\n",
        "ModuleNotFoundError: No module named 'my_layers'",
        "sibling_missing.py:1 in <module>",
    ),
    "exits_at_import": (
        "import sys\nfrom book_nn import *\nprint('done')\nsys.exit(0)\n",
        "calls sys.exit(0) while being imported",
        "if __name__ == ",
    ),
    "reads_stdin_at_import": (
        "answer = input('epochs? ')\n",
        "EOFError",
        "reads_stdin_at_import.py:1 in <module>",
    ),
}


@pytest.mark.parametrize("name", sorted(IMPORT_FAILURES))
def test_a_module_that_cannot_be_imported_is_one_line_naming_the_file(name, tmp_path):
    """Exit 2 before any case, one line on stderr: the file, what went wrong, where in the
    learner's code; no traceback (reading stdin gets end of file, never a protocol line)."""
    source, what, where = IMPORT_FAILURES[name]
    path = beside_book_nn(tmp_path, name, source)
    run = grade(tmp_path, path)
    assert run.status == 2
    assert run.out == "" and run.result is None
    assert run.err.count("\n") == 1 and "Traceback" not in run.err
    assert run.err.startswith(f"nnfs-conform: {path}: ")
    assert what in run.err and where in run.err


@pytest.mark.parametrize(
    "args, problem",
    [
        (["no_such_module.py"], "no_such_module.py: no such file"),
        (["README.md"], "README.md: not a Python file"),
        (["tests"], "tests: not a Python file"),
        (
            ["--python", "/nonexistent/python3", learner("book_nn")],
            "--python /nonexistent/python3: no such program",
        ),
    ],
)
def test_a_file_that_cannot_be_graded_is_a_one_line_usage_error(args, problem, tmp_path):
    run = grade(tmp_path, *args)
    assert run.status == 2
    assert run.err.count("\n") == 1 and problem in run.err


def test_prints_at_import_and_in_a_stage_go_to_stderr_and_the_module_still_passes(tmp_path):
    """Python prints, and a write to file descriptor 1 as C code would do, never reach the
    protocol."""
    path = beside_book_nn(
        tmp_path,
        "chatty",
        (
            "import os\nimport sys\nfrom book_nn import *\n"
            "print('loading my network')\n"
            "class Layer_Dense(Layer_Dense):\n"
            "    def forward(self, inputs):\n"
            "        print('forward', inputs.shape)\n"
            "        sys.stdout.flush()\n"
            '        os.write(1, b\'{"seq": 1, "outputs": {}}\\n\')\n'
            "        super().forward(inputs)\n"
        ),
    )
    run = grade(tmp_path, "--stage", "dense_batch", "--stage", "neuron", path)
    assert run.status == 0, run.out
    assert run.result["summary"]["passed"] > 0


def test_a_book_class_with_another_signature_is_named_with_its_method(tmp_path):
    path = beside_book_nn(
        tmp_path,
        "other_signature",
        (
            "from book_nn import *\n"
            "class Layer_Dense(Layer_Dense):\n"
            "    def forward(self):\n"
            "        self.output = self.weights\n"
        ),
    )
    run = grade(tmp_path, "--stage", "neuron", path)
    assert run.status == 2 and run.result is None and run.out == ""
    assert run.err == (
        "nnfs-conform: other_signature.py: Layer_Dense.forward(self) cannot be "
        "called as the book does: forward(inputs)\n"
    )


def test_a_learner_exception_or_exit_in_a_case_is_an_error_naming_their_line(tmp_path):
    """Kind `exception`, with the learner's file, line and function; a sys.exit inside a case
    does not end the driver: no case errors, nothing restarts."""
    path = beside_book_nn(
        tmp_path,
        "fails_in_stage",
        (
            "import sys\nfrom book_nn import *\n"
            "class Activation_ReLU(Activation_ReLU):\n"
            "    def forward(self, inputs):\n"
            "        raise ValueError('not yet')\n"
            "class Activation_Softmax(Activation_Softmax):\n"
            "    def forward(self, inputs):\n"
            "        sys.exit(4)\n"
        ),
    )
    run = grade(tmp_path, "--stage", "relu", "--stage", "softmax", path)
    errors = {c["stage"]: c["got_error"] for c in outcomes(run, "failed")}
    assert run.status == 1
    assert not outcomes(run, "errored") and run.result["summary"]["passed"] == 0
    assert errors["relu"] == {
        "kind": "exception",
        "message": "ValueError: not yet at fails_in_stage.py:5 in forward",
    }
    assert errors["softmax"] == {
        "kind": "exception",
        "message": "SystemExit: 4 at fails_in_stage.py:8 in forward",
    }


def test_an_infinite_loop_in_one_stage_errors_its_cases_and_the_run_finishes(tmp_path):
    path = beside_book_nn(
        tmp_path,
        "loops",
        (
            "from book_nn import *\n"
            "class Activation_Sigmoid(Activation_Sigmoid):\n"
            "    def forward(self, inputs):\n"
            "        while True:\n"
            "            pass\n"
        ),
    )
    run = grade(
        tmp_path,
        "--timeout",
        "0.5",
        "--stage",
        "sigmoid",
        "--stage",
        "relu",
        "--case",
        "sigmoid/random-1x*",
        "--case",
        "relu/random-*",
        path,
    )
    errored = outcomes(run, "errored")
    assert run.status == 1 and run.result["complete"]
    assert {c["stage"] for c in errored} == {"sigmoid"} and len(errored) == 2
    assert all("no reply within 0.5 s" in c["message"] for c in errored)
    assert {c["stage"] for c in outcomes(run, "passed")} == {"relu"}


# --- The driver itself -------------------------------------------------------------------------


def test_the_driver_drives_every_core_stage_and_no_book_tier_stage():
    assert list(book_port.STAGES) == CORE_STAGES


def test_the_driver_imports_only_the_standard_library_and_numpy():
    """It runs by path under the learner's Python, where nnfs_conform may not be installed."""
    tree = ast.parse(Path(book_port.__file__).read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 0
    }
    assert not any(isinstance(node, ast.ImportFrom) and node.level for node in ast.walk(tree))
    assert imported - set(sys.stdlib_module_names) == {"numpy"}


def test_the_driver_speaks_the_protocol_when_run_by_path():
    """hello, one run, bye, over pipes, as any port: the learner's print stays on stderr."""
    messages = [
        {"cmd": "hello", "protocol": 1, "suite_version": "0.1.0"},
        {
            "cmd": "run",
            "seq": 3,
            "id": "relu/x",
            "stage": "relu",
            "inputs": {"inputs": [[-1.5, "Infinity", 0.25]]},
            "params": {},
        },
        {"cmd": "bye"},
    ]
    done = subprocess.run(
        [sys.executable, book_port.__file__, learner("missing_adam")],
        input="".join(json.dumps(m) + "\n" for m in messages),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    hello, reply = (json.loads(line) for line in done.stdout.splitlines())
    assert done.returncode == 0
    assert hello["name"] == "missing_adam.py" and hello["dtype"] == "float64"
    reason = "Optimizer_Adam is not defined in missing_adam.py"
    assert hello["missing"] == {
        "adam_step": reason,
        "shared_optimizer": reason,
        **chapter_18_on("missing_adam.py"),
    }
    assert "checks_inputs" not in hello
    assert reply == {"seq": 3, "outputs": {"output": [[0.0, "Infinity", 0.25]]}}


@pytest.mark.parametrize(
    "value, plain",
    [
        (np.array([[np.nan, np.inf, -np.inf, -0.0]]), [["NaN", "Infinity", "-Infinity", -0.0]]),
        (np.float32(0.1), 0.10000000149011612),
        (np.array([1, 0, 2]), [1, 0, 2]),
        (np.float64(1 / 3), 1 / 3),
        ([np.array([1.5]), np.array([2.5])], [[1.5], [2.5]]),
    ],
)
def test_outputs_are_json_numbers_widened_exactly_with_non_finite_names(value, plain):
    assert book_port.plain(value) == plain
    text = json.dumps(book_port.plain(value), allow_nan=False)
    assert json.loads(text) == plain


def test_book_storage_becomes_the_stage_shapes_and_other_shapes_stay_as_they_are():
    """Biases (1, N) become flat and a (1, 1) neuron output a scalar; a wrong shape is replied
    as it is, for the runner to grade."""
    assert book_port.row(np.zeros((1, 3))).shape == (3,)
    assert book_port.row(np.zeros((2, 3))).shape == (2, 3)
    assert book_port.scalar(np.ones((1, 1))).shape == ()
    assert book_port.scalar(np.ones((1, 2))).shape == (1, 2)


def test_a_chapter_file_that_trains_at_import_is_graded_on_its_classes_without_training(tmp_path):
    run = grade(
        tmp_path,
        "--handshake-timeout",
        "60",
        "--stage",
        "dense_*",
        "--stage",
        "adam_step",
        learner("chapter_script"),
    )
    assert run.status == 0, run.out
    assert run.result["port"]["dtype"] == "float32"  # nnfs.init() ran: it is set-up, not script
    assert run.result["summary"]["passed"] > 0 and run.result["summary"]["failed"] == 0

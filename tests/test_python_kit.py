"""The Python kit (kits/python/nnfs_kit.py) owns the protocol: exact numbers, input checks, the
learner's errors and prints. Each test runs a small port on the kit in a subprocess, as the
runner does (importing the kit moves this process's stdout, so it is never imported here)."""

import ast
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KIT = ROOT / "kits" / "python"
TIMEOUT = 20


def port(tmp_path, body, name="spy.py"):
    """A port file on the kit: `body` defines the stages and calls serve()."""
    path = tmp_path / name
    path.write_text(
        f"import sys\nsys.path.insert(0, {str(KIT)!r})\n"
        "from nnfs_kit import Unsupported, serve\n\n" + textwrap.dedent(body)
    )
    return path


def talk(path, *messages):
    """Start the port, send the messages (dicts, or raw lines), close stdin."""
    lines = [m if isinstance(m, str) else json.dumps(m) for m in messages]
    done = subprocess.run(
        [sys.executable, str(path)],
        input="".join(f"{x}\n" for x in lines),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    return done.stdout.splitlines(), done.returncode, done.stderr


def run(stage, inputs, params=None, seq=1):
    return {
        "cmd": "run",
        "seq": seq,
        "id": f"{stage}/t",
        "stage": stage,
        "inputs": inputs,
        "params": params or {},
    }


# A learner that declines every case with what it was given: the kit's view of its arguments.
SPY = """
def spy(*args):
    raise Unsupported(repr(args))

serve(name="spy", dtype=DTYPE, stages={s: spy for s in STAGES})
"""


def spy(tmp_path, stages, dtype="float64"):
    return port(tmp_path, f"DTYPE = {dtype!r}\nSTAGES = {stages!r}\n" + SPY)


def received(path, stage, inputs, params=None):
    (line,), code, stderr = talk(path, run(stage, inputs, params))
    assert code == 0, stderr
    return json.loads(line)["unsupported"]


def test_numbers_are_read_to_the_nearest_double_and_printed_to_read_back_the_same(tmp_path):
    path = port(tmp_path, "serve(name='id', stages={'relu': lambda inputs: inputs})")
    (line,), code, _ = talk(
        path,
        '{"cmd":"run","seq":1,"stage":"relu","inputs":{"inputs":'
        "[5e-324, 1e+23, 9007199254740993, 0.1, 2.2250738585072014e-308,"
        " 1.7976931348623157e308]}}",
    )
    assert code == 0
    assert line == (
        '{"seq":1,"outputs":{"output":[5e-324,1e+23,9007199254740992.0,0.1,'
        "2.2250738585072014e-308,1.7976931348623157e+308]}}"
    )


def test_non_finite_numbers_travel_as_strings_both_ways(tmp_path):
    path = port(tmp_path, "serve(name='id', stages={'relu': lambda inputs: inputs})")
    (line,), code, _ = talk(path, run("relu", {"inputs": ["NaN", "Infinity", "-Infinity", -0.0]}))
    assert code == 0
    assert line == '{"seq":1,"outputs":{"output":["NaN","Infinity","-Infinity",-0.0]}}'


def test_a_bare_nan_token_is_refused_as_the_runner_refuses_it(tmp_path):
    path = port(tmp_path, "serve(name='id', stages={'relu': lambda inputs: inputs})")
    replies, code, stderr = talk(
        path, '{"cmd":"run","seq":1,"stage":"relu","inputs":{"inputs":[NaN]}}'
    )
    assert (replies, code) == ([], 1)
    assert 'a bare NaN is not JSON: the protocol writes it as the string "NaN"' in stderr


def test_hello_declares_exactly_the_supplied_stages_in_pipeline_order(tmp_path):
    path = port(
        tmp_path,
        """
        serve(name="two", dtype="float32", version="1.2", stages={
            "relu": lambda inputs: inputs, "neuron": lambda inputs, weights, bias: bias})
    """,
    )
    (line,), code, _ = talk(path, {"cmd": "hello", "protocol": 1}, {"cmd": "bye"})
    assert code == 0
    assert json.loads(line) == {
        "protocol": 1,
        "name": "two",
        "language": "python",
        "dtype": "float32",
        "stages": ["neuron", "relu"],
        "label_formats": ["sparse", "onehot"],
        "checks_inputs": True,
        "version": "1.2",
    }


@pytest.mark.parametrize(
    "stage, inputs, params, kind",
    [
        ("neuron", {"inputs": [1, 2], "weights": [1], "bias": 0}, {}, "shape_mismatch"),
        (
            "dense_batch",
            {"inputs": [], "weights": [[1]], "biases": [0]},
            {"weights_layout": "inputs_neurons"},
            "empty_batch",
        ),
        (
            "dense_batch",
            {"inputs": [[1]], "weights": [[1, 2]], "biases": [0, 0]},
            {"weights_layout": "neurons_inputs"},
            "shape_mismatch",
        ),
        ("softmax", {"inputs": [[1, 2], [3]]}, {}, "ragged_rows"),
        ("softmax", {"inputs": [[1, "one"]]}, {}, "shape_mismatch"),
        (
            "accuracy",
            {"y_pred": [[0.5, 0.5]], "y_true": [2]},
            {"label_format": "sparse"},
            "label_out_of_range",
        ),
        (
            "accuracy",
            {"y_pred": [[0.5, 0.5]], "y_true": [True]},
            {"label_format": "sparse"},
            "invalid_label",
        ),
        (
            "accuracy",
            {"y_pred": [[0.5, 0.5]], "y_true": [[1, 1]]},
            {"label_format": "onehot"},
            "invalid_label",
        ),
        ("binary_crossentropy", {"y_pred": [[0.5]], "y_true": [[2]]}, {}, "invalid_label"),
        (
            "dropout",
            {"inputs": [[1.0]], "mask": [[1]], "rate": "NaN", "dvalues": [[1.0]]},
            {},
            "invalid_value",
        ),
        (
            "training",
            {
                "inputs": [[1.0]],
                "y_true": [1],
                "weights1": [[1.0]],
                "biases1": [0.0],
                "weights2": [[1.0, 1.0]],
                "biases2": [0.0, 0.0],
                "steps": 0,
                "learning_rate": 1.0,
                "decay": 0.0,
                "momentum": 0.0,
                "epsilon": 1e-7,
                "rho": 0.9,
                "beta_1": 0.9,
                "beta_2": 0.999,
            },
            {"label_format": "sparse", "optimizer": "sgd"},
            "invalid_value",
        ),
    ],
)
def test_an_invalid_input_is_answered_by_the_kit_without_calling_the_learner(
    tmp_path, stage, inputs, params, kind
):
    path = spy(tmp_path, [stage])
    (line,), code, stderr = talk(path, run(stage, inputs, params))
    assert code == 0, stderr
    assert json.loads(line)["error"]["kind"] == kind


def test_the_learner_gets_floats_and_labels_as_ints_in_the_format_sent(tmp_path):
    path = spy(tmp_path, ["accuracy"])
    sparse = received(
        path, "accuracy", {"y_pred": [[1, 0]], "y_true": [1.0]}, {"label_format": "sparse"}
    )
    assert sparse == "([[1.0, 0.0]], [1])"
    onehot = received(
        path, "accuracy", {"y_pred": [[1, 0]], "y_true": [[0, 1.0]]}, {"label_format": "onehot"}
    )
    assert onehot == "([[1.0, 0.0]], [[0, 1]])"


def test_per_neuron_weights_are_transposed_to_the_weights_of_layer_dense(tmp_path):
    path = spy(tmp_path, ["dense_batch"])
    got = received(
        path,
        "dense_batch",
        {"inputs": [[1, 2]], "weights": [[1, 2], [3, 4], [5, 6]], "biases": [0, 0, 0]},
        {"weights_layout": "neurons_inputs"},
    )
    assert got == "([[1.0, 2.0]], [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]], [0.0, 0.0, 0.0])"


def test_params_that_choose_a_computation_follow_the_inputs(tmp_path):
    path = spy(tmp_path, ["softmax_crossentropy_backward"])
    got = received(
        path,
        "softmax_crossentropy_backward",
        {"y_pred": [[0.5, 0.5]], "y_true": [0]},
        {"label_format": "sparse", "path": "separate"},
    )
    assert got == "([[0.5, 0.5]], [0], 'separate')"


def test_a_float32_port_gets_every_number_rounded_to_float32_but_its_labels(tmp_path):
    path = spy(tmp_path, ["categorical_crossentropy"], dtype="float32")
    got = received(
        path,
        "categorical_crossentropy",
        {"y_pred": [[0.1, 1e39]], "y_true": [1]},
        {"label_format": "sparse"},
    )
    assert got == "([[0.10000000149011612, inf]], [1])"


def test_a_learner_error_is_an_exception_reply_naming_its_place_and_the_run_goes_on(tmp_path):
    path = port(
        tmp_path,
        """
        def relu(inputs):
            raise ValueError("not written yet")

        serve(name="e", stages={"relu": relu})
    """,
        name="my_nn.py",
    )
    lines, code, _ = talk(
        path, run("relu", {"inputs": [1]}, seq=1), run("relu", {"inputs": [2]}, seq=2)
    )
    assert code == 0
    assert [json.loads(x) for x in lines] == [
        {
            "seq": seq,
            "error": {
                "kind": "exception",
                "message": "ValueError: not written yet at my_nn.py:7 in relu",
            },
        }
        for seq in (1, 2)
    ]


def test_unsupported_declines_the_case_with_its_reason(tmp_path):
    path = port(
        tmp_path,
        """
        def training(*args):
            raise Unsupported("Optimizer_Adam is not written yet")

        serve(name="u", stages={"training": training})
    """,
    )
    inputs = {
        "inputs": [[1.0]],
        "y_true": [0],
        "weights1": [[1.0]],
        "biases1": [0.0],
        "weights2": [[1.0]],
        "biases2": [0.0],
        "steps": 1,
        "learning_rate": 1.0,
        "decay": 0.0,
        "momentum": 0.0,
        "epsilon": 1e-7,
        "rho": 0.9,
        "beta_1": 0.9,
        "beta_2": 0.999,
    }
    (line,), _, _ = talk(
        path, run("training", inputs, {"label_format": "sparse", "optimizer": "adam"})
    )
    assert json.loads(line) == {"seq": 1, "unsupported": "Optimizer_Adam is not written yet"}


@pytest.mark.parametrize(
    "returned, message",
    [
        # a rank-1 input comes as one row, so the output must be one row too
        (
            "[1.0, 2.0]",
            "relu returned output of shape [2]; it must have the shape of inputs, [1, 2]",
        ),
        ("[[1.0, None]]", "relu returned output[0][1] is None, not a number"),
        (
            "[[1.0]]",
            "relu returned output of shape [1, 1]; it must have the shape of inputs, [1, 2]",
        ),
    ],
)
def test_a_wrong_output_is_an_exception_naming_the_stage_and_the_output(
    tmp_path, returned, message
):
    path = port(tmp_path, f"serve(name='w', stages={{'relu': lambda inputs: {returned}}})")
    (line,), code, _ = talk(path, run("relu", {"inputs": [1, 2]}))
    assert code == 0
    assert json.loads(line)["error"] == {"kind": "exception", "message": message}


def test_several_outputs_come_back_as_a_tuple_in_the_tables_order(tmp_path):
    path = port(
        tmp_path,
        """
        def sigmoid(inputs, dvalues):
            return inputs, dvalues

        serve(name="t", stages={"sigmoid": sigmoid, "softmax": lambda inputs: (inputs, inputs)})
    """,
    )
    lines, _, _ = talk(
        path,
        run("sigmoid", {"inputs": [[1]], "dvalues": [[2]]}),
        run("softmax", {"inputs": [[1]]}, seq=2),
    )
    assert json.loads(lines[0])["outputs"] == {"output": [[1.0]], "dinputs": [[2.0]]}
    assert json.loads(lines[1])["error"]["message"] == (
        "softmax returned output as an array of shape [2, 1, 1]; it must be [B, C] = [1, 1]"
    )


def test_prints_go_to_stderr_wherever_the_learner_prints(tmp_path):
    path = port(
        tmp_path,
        """
        import os
        print("loss 1.09")

        def relu(inputs):
            print("in relu")
            os.write(1, b"written to fd 1\\n")
            return inputs

        serve(name="p", stages={"relu": relu})
    """,
    )
    lines, code, stderr = talk(path, {"cmd": "hello", "protocol": 1}, run("relu", {"inputs": [1]}))
    assert code == 0
    assert [json.loads(x).get("seq") for x in lines] == [None, 1]
    assert stderr.splitlines() == ["loss 1.09", "in relu", "written to fd 1"]


@pytest.mark.parametrize(
    "line, reason",
    [
        ("garbage", "the request is not JSON"),
        ('{"cmd":"run","seq":1,"stage":"re', "the request is not JSON"),
        ('{"cmd":"run"}', "a run request needs an integer seq"),
        ('["cmd"]', "the request is not a JSON object"),
        ('{"cmd":"dance"}', "unknown cmd 'dance'"),
        (
            '{"cmd":"run","seq":1,"stage":"softmax","inputs":{"inputs":[[1]]}}',
            "a run for stage 'softmax', which this port does not declare",
        ),
        (
            '{"cmd":"run","seq":1,"stage":"relu","inputs":{}}',
            "the relu request has no input inputs",
        ),
    ],
)
def test_a_request_outside_the_protocol_is_one_stderr_line_and_exit_1(tmp_path, line, reason):
    path = port(tmp_path, "serve(name='id', stages={'relu': lambda inputs: inputs})", "port.py")
    replies, code, stderr = talk(path, line, run("relu", {"inputs": [1]}))
    assert (replies, code) == ([], 1)
    assert len(stderr.splitlines()) == 1
    assert stderr.startswith(f"port.py: cannot answer: {reason}")


@pytest.mark.parametrize(
    "stages, message",
    [
        (
            "{'relu': lambda x, y: x}",
            "the function for relu cannot be called with its 1 arguments (inputs)",
        ),
        (
            "{'sofmax': lambda x: x}",
            "serve() got a function for 'sofmax', which is not a stage; did you mean 'softmax'?",
        ),
    ],
)
def test_a_mistake_in_the_serve_call_stops_at_start_with_one_line(tmp_path, stages, message):
    path = port(tmp_path, f"serve(name='m', stages={stages})", "port.py")
    replies, code, stderr = talk(path, {"cmd": "hello", "protocol": 1})
    assert (replies, code) == ([], 2)
    assert stderr == f"port.py: {message}\n"


def kit_table():
    """The kit's STAGES table, read from its source (importing it would move our stdout)."""
    tree = ast.parse((KIT / "nnfs_kit.py").read_text())
    node = next(
        n
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", None) == "STAGES"
    )
    return ast.literal_eval(node.value)


def arguments(text):
    """The learner's arguments of a table entry: its inputs, then the params it is given."""
    inputs, _, params = text.split(" -> ")[0].partition(" | ")
    return [re.split(r"[:\[=]", word)[0] for word in inputs.split()] + params.split()


def test_the_kits_table_has_every_stage_of_the_suite_in_pipeline_order():
    manifest = json.loads((ROOT / "vectors" / "manifest.json").read_text())
    assert list(kit_table()) == [entry["stage"] for entry in manifest["files"]]


def test_the_template_shows_every_stage_with_the_arguments_of_the_kits_table():
    source = (KIT / "template" / "port.py").read_text()
    code = "\n".join(
        line[2:] if line.startswith("# def ") or line.startswith("#    ") else line
        for line in source.splitlines()
    )
    functions = {
        node.name: [a.arg for a in node.args.args]
        for node in ast.parse(code).body
        if isinstance(node, ast.FunctionDef)
    }
    for stage, text in kit_table().items():
        assert functions.get(stage) == arguments(text), stage
        assert re.search(rf'^ +(# )?"{stage}": {stage},$', source, re.M), stage


def test_the_template_laid_out_as_new_port_does_passes_neuron_and_dense_batch(tmp_path):
    from nnfs_conform.cli import main

    (tmp_path / "kit").mkdir()
    for path in (KIT / "template").iterdir():
        (tmp_path / path.name).write_text(path.read_text().replace("{{name}}", "my-port"))
    for path in (KIT / "nnfs_kit.py", KIT / "pyproject.toml"):
        (tmp_path / "kit" / path.name).write_text(path.read_text())
    assert "{{" not in "".join(p.read_text() for p in tmp_path.rglob("*") if p.is_file())
    out = tmp_path / "r.json"
    assert (
        main(
            [
                "run",
                "-q",
                "--report-json",
                str(out),
                "--",
                sys.executable,
                str(tmp_path / "port.py"),
            ]
        )
        == 0
    )
    result = json.loads(out.read_text())
    assert result["port"]["stages"] == ["neuron", "dense_batch"]
    declared = [c for c in result["cases"] if c["stage"] in ("neuron", "dense_batch")]
    assert any("invalid" in c["tags"] for c in declared)
    assert all(c["outcome"] == "passed" for c in declared)


def test_a_batch_relu_answers_a_rank_1_case_as_one_row_given_back_as_a_list(tmp_path):
    """As in every kit: chapter 4's list reaches the learner as one row, the reply is rank 1."""
    path = port(
        tmp_path,
        """
        def relu(inputs):
            return [[0.0 if x < 0 else x for x in row] for row in inputs]

        def relu_backward(inputs, dvalues):
            return [[0.0 if x <= 0 else d for x, d in zip(*rows)] for rows in zip(inputs, dvalues)]

        serve(name="b", stages={"relu": relu, "relu_backward": relu_backward})
    """,
    )
    lines, code, _ = talk(
        path,
        run("relu", {"inputs": [-1.5, 2.0]}),
        run("relu_backward", {"inputs": [0.0, 3.0], "dvalues": [5.0, 7.0]}, seq=2),
        run("relu", {"inputs": [[-1.5, 2.0]]}, seq=3),
    )
    assert code == 0
    assert [json.loads(line)["outputs"] for line in lines] == [
        {"output": [0.0, 2.0]},
        {"dinputs": [0.0, 7.0]},
        {"output": [[0.0, 2.0]]},
    ]

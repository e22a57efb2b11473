"""The plain-Python port (ports/python) speaks protocol 1 and computes the book's numbers."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PORT = ROOT / "ports" / "python" / "port.py"
TIMEOUT = 20

BOOK_BATCH = [[1, 2, 3, 2.5], [2, 5, -1, 2], [-1.5, 2.7, 3.3, -0.8]]
BOOK_WEIGHTS = [[0.2, 0.8, -0.5, 1], [0.5, -0.91, 0.26, -0.5], [-0.26, -0.27, 0.17, 0.87]]
BOOK_BIASES = [2, 3, 0.5]
BOOK_PROBABILITIES = [[0.7, 0.1, 0.2], [0.1, 0.5, 0.4], [0.02, 0.9, 0.08]]


def talk(*lines):
    """Start the port, write the lines, close stdin; return (replies, exit code, stderr)."""
    text = "".join(line + "\n" for line in lines)
    done = subprocess.run(
        [sys.executable, str(PORT)],
        input=text,
        capture_output=True,
        check=False,
        text=True,
        timeout=TIMEOUT,
    )
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    return replies, done.returncode, done.stderr


def run(stage, inputs, params=None, seq=1):
    """One run message in one-shot mode; the port's reply."""
    message = {
        "cmd": "run",
        "seq": seq,
        "id": stage + "/test",
        "stage": stage,
        "inputs": inputs,
        "params": params or {},
    }
    replies, code, stderr = talk(json.dumps(message))
    assert code == 0, stderr
    assert len(replies) == 1
    assert replies[0]["seq"] == seq
    return replies[0]


def outputs(stage, inputs, params=None):
    reply = run(stage, inputs, params)
    assert "error" not in reply, reply
    return reply["outputs"]


def error_kind(stage, inputs, params=None):
    reply = run(stage, inputs, params)
    assert "outputs" not in reply, reply
    assert reply["error"]["message"]
    return reply["error"]["kind"]


def test_hello_declares_protocol_1_float64_every_stage_and_both_label_formats():
    replies, code, _ = talk(json.dumps({"cmd": "hello", "protocol": 1, "suite_version": "0.1.0"}))
    assert code == 0
    (hello,) = replies
    assert hello["protocol"] == 1
    assert hello["name"] == "python-plain"
    assert hello["language"] == "python"
    assert hello["dtype"] == "float64"
    manifest = json.loads((ROOT / "vectors" / "manifest.json").read_text())
    assert hello["stages"] == [f["stage"] for f in manifest["files"]]  # all, in pipeline order
    assert hello["label_formats"] == ["sparse", "onehot"]
    assert isinstance(hello["version"], str)


def test_neuron_of_chapter_1_gives_35_7():
    got = outputs("neuron", {"inputs": [1.2, 5.1, 2.1], "weights": [3.1, 2.1, 8.7], "bias": 3})
    assert got["output"] == pytest.approx(35.7, rel=1e-14)


def test_layer_of_chapter_2_gives_one_output_per_neuron():
    got = outputs(
        "layer", {"inputs": [1, 2, 3, 2.5], "weights": BOOK_WEIGHTS, "biases": BOOK_BIASES}
    )
    assert got["output"] == pytest.approx([4.8, 1.21, 2.385], rel=1e-14)


BOOK_BATCH_OUTPUT = [[4.8, 1.21, 2.385], [8.9, -1.81, 0.2], [1.41, 1.051, 0.026]]


def test_dense_batch_transposes_per_neuron_weight_rows():
    got = outputs(
        "dense_batch",
        {"inputs": BOOK_BATCH, "weights": BOOK_WEIGHTS, "biases": BOOK_BIASES},
        {"weights_layout": "neurons_inputs"},
    )
    for row, want in zip(got["output"], BOOK_BATCH_OUTPUT):
        assert row == pytest.approx(want, abs=1e-14)


def test_dense_batch_uses_layer_dense_weights_as_they_are():
    weights = [list(column) for column in zip(*BOOK_WEIGHTS)]
    got = outputs(
        "dense_batch",
        {"inputs": BOOK_BATCH, "weights": weights, "biases": BOOK_BIASES},
        {"weights_layout": "inputs_neurons"},
    )
    for row, want in zip(got["output"], BOOK_BATCH_OUTPUT):
        assert row == pytest.approx(want, abs=1e-14)


def test_relu_zeroes_negatives_and_keeps_floats_and_infinities():
    got = outputs("relu", {"inputs": [0, 2, -1, 3.3, -2.7, "Infinity", "-Infinity", -100]})
    assert got["output"] == [0, 2.0, 0.0, 3.3, 0.0, "Infinity", 0.0, 0.0]
    assert all(isinstance(x, (float, str)) for x in got["output"])


def test_relu_keeps_the_shape_of_a_batch():
    got = outputs("relu", {"inputs": [[1, -2], [-3, 4]]})
    assert got["output"] == [[1.0, 0.0], [0.0, 4.0]]


def test_softmax_of_large_logits_is_finite_and_sums_to_one():
    (row,) = outputs("softmax", {"inputs": [[1000, 1000.5, 999]]})["output"]
    assert all(isinstance(p, float) and math.isfinite(p) for p in row)
    assert sum(row) == pytest.approx(1.0, rel=1e-15)
    assert row[1] > row[0] > row[2]


def test_softmax_of_negative_logits_starts_the_max_at_the_first_logit():
    (row,) = outputs("softmax", {"inputs": [[-1000, -1001, -1002]]})["output"]
    assert sum(row) == pytest.approx(1.0, rel=1e-15)


def test_softmax_gives_a_minus_infinity_logit_probability_zero():
    (row,) = outputs("softmax", {"inputs": [["-Infinity", 0, 0]]})["output"]
    assert row == [0.0, 0.5, 0.5]


@pytest.mark.parametrize(
    "label_format, y_true",
    [
        ("sparse", [0, 1, 1]),
        ("onehot", [[1, 0, 0], [0, 1, 0], [0, 1, 0]]),
    ],
)
def test_crossentropy_of_the_chapter_5_batch_is_0_385(label_format, y_true):
    got = outputs(
        "categorical_crossentropy",
        {"y_pred": BOOK_PROBABILITIES, "y_true": y_true},
        {"label_format": label_format},
    )
    assert got["sample_losses"] == pytest.approx(
        [0.35667494393873245, 0.6931471805599453, 0.10536051565782628], rel=1e-15
    )
    assert got["loss"] == pytest.approx(0.38506088005216804, rel=1e-15)


def test_crossentropy_clips_probabilities_to_1e_7_and_1_minus_1e_7():
    got = outputs(
        "categorical_crossentropy",
        {"y_pred": [[0.0, 1.0], [1.0, 0.0]], "y_true": [0, 0]},
        {"label_format": "sparse"},
    )
    assert got["sample_losses"] == pytest.approx([-math.log(1e-7), -math.log(1 - 1e-7)], rel=1e-15)


def test_accuracy_of_the_chapter_5_batch_is_two_thirds():
    y_pred = [[0.7, 0.2, 0.1], [0.5, 0.1, 0.4], [0.02, 0.9, 0.08]]
    got = outputs(
        "accuracy",
        {"y_pred": y_pred, "y_true": [[1, 0, 0], [0, 1, 0], [0, 1, 0]]},
        {"label_format": "onehot"},
    )
    assert got["predictions"] == [0, 0, 1]
    assert all(type(p) is int for p in got["predictions"])
    assert got["accuracy"] == pytest.approx(2 / 3, rel=1e-15)


def test_accuracy_gives_a_tie_to_the_first_maximum():
    got = outputs(
        "accuracy",
        {"y_pred": [[0.2, 0.4, 0.4], [0.5, 0.5, 0.0]], "y_true": [1, 0]},
        {"label_format": "sparse"},
    )
    assert got["predictions"] == [1, 0]
    assert got["accuracy"] == 1.0


def test_forward_returns_all_eight_outputs_of_the_chapter_5_network():
    inputs = {
        "inputs": [[1, 2], [3, -4]],
        "weights1": [[0.1, 0.2, 0.3], [0.3, -0.2, 0.1]],
        "biases1": [0, 0.1, 0],
        "weights2": [[1, 0], [0, 1], [1, 1]],
        "biases2": [0, 0],
        "y_true": [0, 1],
    }
    got = outputs("forward", inputs, {"label_format": "sparse"})
    assert sorted(got) == sorted(
        ["dense1", "relu1", "dense2", "softmax", "sample_losses", "loss", "predictions", "accuracy"]
    )
    assert got["dense1"][1] == pytest.approx([-0.9, 1.5, 0.5], abs=1e-15)
    assert got["relu1"][1] == pytest.approx([0.0, 1.5, 0.5], abs=1e-15)
    assert got["dense2"] == [pytest.approx([1.2, 0.5]), pytest.approx([0.5, 2.0])]
    assert got["loss"] == pytest.approx(sum(got["sample_losses"]) / 2, rel=1e-15)
    assert got["predictions"] == [0, 1]
    assert got["accuracy"] == 1.0


@pytest.mark.parametrize(
    "stage, inputs, params, kind",
    [
        ("neuron", {"inputs": [1, 2, 3, 4], "weights": [1, 2, 3], "bias": 0}, {}, "shape_mismatch"),
        (
            "layer",
            {"inputs": [1, 2], "weights": [[1, 2], [3, 4]], "biases": [1, 2, 3]},
            {},
            "shape_mismatch",
        ),
        (
            "dense_batch",
            {"inputs": [1, 2, 3], "weights": [[1], [2], [3]], "biases": [0]},
            {"weights_layout": "inputs_neurons"},
            "shape_mismatch",
        ),
        (
            "dense_batch",
            {"inputs": [[1, 2, 3]], "weights": [[1, 2, 3]], "biases": [0]},
            {"weights_layout": "inputs_neurons"},
            "shape_mismatch",
        ),
        (
            "dense_batch",
            {"inputs": [[1, 2], [3]], "weights": [[1], [2]], "biases": [0]},
            {"weights_layout": "inputs_neurons"},
            "ragged_rows",
        ),
        (
            "dense_batch",
            {"inputs": [], "weights": [[1], [2]], "biases": [0]},
            {"weights_layout": "inputs_neurons"},
            "empty_batch",
        ),
        ("relu", {"inputs": [[1, 2], [3]]}, {}, "ragged_rows"),
        ("relu", {"inputs": [[1, 2], 3]}, {}, "ragged_rows"),
        ("relu", {"inputs": 3}, {}, "shape_mismatch"),
        ("softmax", {"inputs": [1, 2, 3]}, {}, "shape_mismatch"),
        ("softmax", {"inputs": []}, {}, "empty_batch"),
        (
            "categorical_crossentropy",
            {"y_pred": BOOK_PROBABILITIES, "y_true": [0, 1]},
            {"label_format": "sparse"},
            "shape_mismatch",
        ),
        (
            "categorical_crossentropy",
            {"y_pred": BOOK_PROBABILITIES, "y_true": [0, 1, 3]},
            {"label_format": "sparse"},
            "label_out_of_range",
        ),
        (
            "categorical_crossentropy",
            {"y_pred": BOOK_PROBABILITIES, "y_true": [0, -1, 1]},
            {"label_format": "sparse"},
            "label_out_of_range",
        ),
        (
            "categorical_crossentropy",
            {"y_pred": BOOK_PROBABILITIES, "y_true": [0, 1.5, 1]},
            {"label_format": "sparse"},
            "invalid_label",
        ),
        (
            "categorical_crossentropy",
            {"y_pred": BOOK_PROBABILITIES, "y_true": [0, True, 1]},
            {"label_format": "sparse"},
            "invalid_label",
        ),
        (
            "categorical_crossentropy",
            {"y_pred": BOOK_PROBABILITIES, "y_true": [[1, 0, 0]] * 3},
            {"label_format": "sparse"},
            "shape_mismatch",
        ),
        (
            "categorical_crossentropy",
            {"y_pred": BOOK_PROBABILITIES, "y_true": [0, 1, 1]},
            {"label_format": "onehot"},
            "shape_mismatch",
        ),
        (
            "accuracy",
            {"y_pred": BOOK_PROBABILITIES, "y_true": [[1, 0], [0, 1], [0, 1]]},
            {"label_format": "onehot"},
            "shape_mismatch",
        ),
        (
            "accuracy",
            {"y_pred": BOOK_PROBABILITIES, "y_true": [[1, 0, 0], [0, 1, 1], [0, 1, 0]]},
            {"label_format": "onehot"},
            "invalid_label",
        ),
        (
            "accuracy",
            {"y_pred": BOOK_PROBABILITIES, "y_true": [[1, 0, 0], [0, 0.5, 0], [0, 1, 0]]},
            {"label_format": "onehot"},
            "invalid_label",
        ),
        (
            "accuracy",
            {"y_pred": BOOK_PROBABILITIES, "y_true": [[1, 0, 0], [0, 1], [0, 1, 0]]},
            {"label_format": "onehot"},
            "ragged_rows",
        ),
        (
            "forward",
            {
                "inputs": [[1, 2]],
                "weights1": [[1, 2], [3, 4]],
                "biases1": [0, 0],
                "weights2": [[1, 2, 3]],
                "biases2": [0, 0, 0],
                "y_true": [0],
            },
            {"label_format": "sparse"},
            "shape_mismatch",
        ),
    ],
)
def test_invalid_inputs_get_an_error_reply_of_their_kind(stage, inputs, params, kind):
    assert error_kind(stage, inputs, params) == kind


def test_error_message_names_the_input_and_the_mismatch():
    reply = run("neuron", {"inputs": [1, 2, 3, 4], "weights": [1, 2, 3], "bias": 0})
    assert reply["error"]["message"] == "inputs has 4 values, weights has 3"


def test_non_finite_numbers_travel_as_strings_both_ways():
    replies, code, _ = talk(
        json.dumps(
            {
                "cmd": "run",
                "seq": 3,
                "id": "relu/x",
                "stage": "relu",
                "inputs": {"inputs": ["NaN", "Infinity", -1]},
                "params": {},
            }
        )
    )
    assert code == 0
    assert replies == [{"seq": 3, "outputs": {"output": ["NaN", "Infinity", 0.0]}}]


def test_a_session_answers_every_message_in_order_and_bye_exits_0():
    hello = json.dumps({"cmd": "hello", "protocol": 1, "suite_version": "0.1.0"})
    runs = [
        json.dumps(
            {
                "cmd": "run",
                "seq": seq,
                "id": "relu/x",
                "stage": "relu",
                "inputs": {"inputs": [seq, -seq]},
                "params": {},
            }
        )
        for seq in (1, 2, 3)
    ]
    replies, code, _ = talk(hello, *runs, json.dumps({"cmd": "bye"}), "this line is never read")
    assert code == 0
    assert replies[0]["protocol"] == 1
    assert [r["seq"] for r in replies[1:]] == [1, 2, 3]
    assert replies[3]["outputs"]["output"] == [3.0, 0.0]


def test_bye_exits_0_without_a_reply():
    replies, code, _ = talk(json.dumps({"cmd": "bye"}))
    assert (replies, code) == ([], 0)


def test_one_shot_answers_the_only_message_and_exits_0_at_end_of_input():
    message = {
        "cmd": "run",
        "seq": 9,
        "id": "neuron/x",
        "stage": "neuron",
        "inputs": {"inputs": [1], "weights": [2], "bias": 3},
        "params": {},
    }
    replies, code, _ = talk(json.dumps(message))
    assert (replies, code) == ([{"seq": 9, "outputs": {"output": 5.0}}], 0)


def test_a_session_is_answered_line_by_line_before_stdin_closes():
    port = subprocess.Popen(
        [sys.executable, str(PORT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        port.stdin.write(json.dumps({"cmd": "hello", "protocol": 1}) + "\n")
        port.stdin.flush()
        assert json.loads(port.stdout.readline())["name"] == "python-plain"
        port.stdin.write(json.dumps({"cmd": "bye"}) + "\n")
        port.stdin.flush()
        assert port.wait(timeout=TIMEOUT) == 0
    finally:
        port.kill()
        port.stdin.close()
        port.stdout.close()


@pytest.mark.parametrize(
    "line",
    [
        "this is not JSON",
        json.dumps({"cmd": "dance"}),
        json.dumps(
            {"cmd": "run", "seq": 1, "id": "x/y", "stage": "backward", "inputs": {}, "params": {}}
        ),
    ],
)
def test_a_request_outside_the_protocol_exits_non_zero_with_a_reason_instead_of_hanging(line):
    replies, code, stderr = talk(line, json.dumps({"cmd": "hello", "protocol": 1}))
    assert replies == []
    assert code != 0
    assert "port.py: cannot answer" in stderr

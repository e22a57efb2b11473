"""Small, valid vector suites written into a temporary directory, for hermetic runner tests.

The cases use stages a fake port can compute exactly in a few lines (neuron, relu, accuracy),
so a correct fake port computes its answers instead of echoing stored ones. Every suite is
checked with load_suite before a test sees it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.build import stage_document, write_vector_files
from nnfs_conform.suite.vectors import Suite, fingerprint, load_suite


def _tol(value: Any, tol: float) -> Any:
    return [_tol(v, tol) for v in value] if isinstance(value, list) else tol


def case(
    id: str,
    description: str,
    inputs: dict,
    *,
    expected: dict | None = None,
    error: str | None = None,
    params: dict | None = None,
    tags=("edge",),
    tol: float = 1e-12,
) -> dict[str, Any]:
    """One raw case; `expected` maps output names to values (the same at both tiers)."""
    raw: dict[str, Any] = {
        "id": id,
        "description": description,
        "tags": list(tags),
        "requires": [],
        "fingerprint": "",
        "inputs": inputs,
        "params": params or {},
    }
    if error is not None:
        raw["error"] = {"kind": error}
        raw["tags"] = ["invalid"]
    else:
        outputs = {name: {"value": v, "tol": _tol(v, tol)} for name, v in expected.items()}
        raw["expected"] = {"float64": outputs, "float32": outputs}
    raw["fingerprint"] = fingerprint(raw)
    return raw


def default_cases() -> dict[str, list[dict[str, Any]]]:
    """Eight cases over three stages: valid and invalid, both label formats, non-finite values."""
    return {
        "neuron": [
            case(
                "neuron/book",
                "computes the book's first neuron",
                {"inputs": [1, 2, 3], "weights": [0.2, 0.8, -0.5], "bias": 2},
                expected={"output": 2.3},
                tags=("book",),
            ),
            case(
                "neuron/zero-weights",
                "returns the bias when every weight is zero",
                {"inputs": [1, 2], "weights": [0, 0], "bias": 0.5},
                expected={"output": 0.5},
            ),
            case(
                "neuron/length-mismatch",
                "rejects inputs and weights of different lengths",
                {"inputs": [1, 2, 3], "weights": [1, 2], "bias": 0},
                error="shape_mismatch",
            ),
        ],
        "relu": [
            case(
                "relu/basic",
                "zeroes negatives and keeps positives",
                {"inputs": [[-1, 2], [3, -4]]},
                expected={"output": [[0, 2], [3, 0]]},
            ),
            case(
                "relu/infinities",
                "maps -Infinity to 0 and keeps Infinity",
                {"inputs": ["-Infinity", "Infinity", 0.5]},
                expected={"output": [0, "Infinity", 0.5]},
            ),
            case(
                "relu/negative-zero",
                "accepts -0.0 as input",
                {"inputs": [-0.0, 1.5]},
                expected={"output": [0, 1.5]},
            ),
        ],
        "accuracy": [
            case(
                "accuracy/sparse",
                "counts sparse labels that match the argmax",
                {"y_pred": [[0.1, 0.9], [0.8, 0.2]], "y_true": [1, 1]},
                params={"label_format": "sparse"},
                expected={"predictions": [1, 0], "accuracy": 0.5},
            ),
            case(
                "accuracy/onehot",
                "counts one-hot labels that match the argmax",
                {"y_pred": [[0.1, 0.9], [0.8, 0.2]], "y_true": [[0, 1], [1, 0]]},
                params={"label_format": "onehot"},
                expected={"predictions": [1, 0], "accuracy": 1.0},
            ),
        ],
    }


def write_suite(directory: Path, cases: dict[str, list[dict[str, Any]]] | None = None) -> Suite:
    """Write a manifest and one file per stage into `directory`; return the loaded suite."""
    cases = default_cases() if cases is None else cases
    write_vector_files(
        Path(directory),
        (
            stage_document(stage, f"The {stage} stage, for runner tests.", raw_cases)
            for stage, raw_cases in cases.items()
        ),
    )
    return load_suite(directory)

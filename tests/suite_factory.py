"""Small, valid vector suites written into a temporary directory, for hermetic runner tests.

The cases use stages a fake port can compute exactly in a few lines (neuron, relu, accuracy),
so a correct fake port computes its answers instead of echoing stored ones. Every suite is
checked with load_suite before a test sees it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from nnfs_conform.vectors import Suite, fingerprint, load_suite

SUITE_VERSION = "0.1.0"

SIGNATURES = {
    "neuron": {"inputs": ["inputs", "weights", "bias"], "params": [], "outputs": ["output"]},
    "relu": {"inputs": ["inputs"], "params": [], "outputs": ["output"]},
    "accuracy": {
        "inputs": ["y_pred", "y_true"],
        "params": ["label_format"],
        "outputs": ["predictions", "accuracy"],
    },
}


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
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    cases = default_cases() if cases is None else cases
    files = []
    for stage, raw_cases in cases.items():
        document = {
            "suite_version": SUITE_VERSION,
            "stage": stage,
            "description": f"The {stage} stage, for runner tests.",
            "signature": SIGNATURES[stage],
            "cases": raw_cases,
        }
        data = (json.dumps(document, indent=1) + "\n").encode()
        (directory / f"{stage}.json").write_bytes(data)
        files.append(
            {
                "stage": stage,
                "path": f"{stage}.json",
                "sha256": hashlib.sha256(data).hexdigest(),
                "cases": len(raw_cases),
            }
        )
    manifest = {
        "suite_version": SUITE_VERSION,
        "protocol": 1,
        "tiers": ["float64", "float32"],
        "files": files,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return load_suite(directory)

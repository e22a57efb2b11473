"""Synthetic suites of any size: valid vector files and a manifest, so that the real loader and
the real runner are measured. Cases of three small stages (neuron, relu, accuracy) with dyadic
values, so every port (float64 or float32) computes them exactly."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from generator.build import stage_document, write_vector_files
from nnfs_conform.suite.vectors import fingerprint

TOL = 1e-6


def _tol(value: Any) -> Any:
    return [_tol(v) for v in value] if isinstance(value, list) else TOL


def _dyadic(rng: random.Random) -> float:
    return rng.randint(-64, 64) / 8


def _case(stage: str, i: int, rng: random.Random) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if stage == "neuron":
        n = rng.randint(2, 6)
        xs = [_dyadic(rng) for _ in range(n)]
        ws = [_dyadic(rng) for _ in range(n)]
        bias = _dyadic(rng)
        inputs = {"inputs": xs, "weights": ws, "bias": bias}
        outputs = {"output": sum(x * w for x, w in zip(xs, ws)) + bias}
    elif stage == "relu":
        rows = [[_dyadic(rng) for _ in range(3)] for _ in range(2)]
        inputs = {"inputs": rows}
        outputs = {"output": [[max(0.0, v) for v in row] for row in rows]}
    else:
        rows = [[rng.randint(0, 99) / 100 for _ in range(3)] for _ in range(3)]
        preds = [row.index(max(row)) for row in rows]
        labels = [rng.randint(0, 2) for _ in rows]
        params = {"label_format": "sparse"}
        inputs = {"y_pred": rows, "y_true": labels}
        outputs = {"predictions": preds, "accuracy": sum(p == t for p, t in zip(preds, labels)) / 3}
    expected = {name: {"value": v, "tol": _tol(v)} for name, v in outputs.items()}
    raw = {
        "id": f"{stage}/synthetic-{i:06d}",
        "description": f"synthetic {stage} case {i}",
        "tags": ["random"],
        "requires": [],
        "fingerprint": "",
        "inputs": inputs,
        "params": params,
        "expected": {"float64": expected, "float32": expected},
    }
    raw["fingerprint"] = fingerprint(raw)
    return raw


def write_suite(directory: Path, cases: int, seed: int = 7) -> Path:
    """Write `cases` cases (split over the three stages) and a manifest into `directory`."""
    rng = random.Random(seed)
    stages = ("neuron", "relu", "accuracy")

    def documents():
        for k, stage in enumerate(stages):
            count = cases // len(stages) + (1 if k < cases % len(stages) else 0)
            yield stage_document(
                stage,
                f"Synthetic {stage} cases for the benchmarks.",
                [_case(stage, i, rng) for i in range(count)],
            )

    write_vector_files(directory, documents(), dumps=_compact)
    return directory


def _compact(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"))

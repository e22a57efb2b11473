"""Load the vector files, and refuse any that is malformed or tampered with.

Every problem is one line naming the file and the JSON pointer, raised as VectorError: a
runner must never grade a port against vectors it cannot trust.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from .numbers import decode, loads, shape_of

REPO = Path(__file__).resolve().parent.parent
TIERS = ("float64", "float32")


class VectorError(Exception):
    """A vector file or the manifest cannot be trusted; the message is one line."""


@dataclass(frozen=True)
class Expected:
    value: Any  # decoded: nested lists of floats/ints, NaN and infinities as floats
    tol: Any


@dataclass(frozen=True)
class Case:
    id: str
    stage: str
    description: str
    tags: tuple[str, ...]
    requires: tuple[str, ...]
    fingerprint: str
    inputs: dict[str, Any]  # as stored (non-finite numbers still strings): sent to ports verbatim
    params: dict[str, Any]
    expected: dict[str, dict[str, Expected]] | None  # tier -> output name -> Expected
    error: str | None  # the error kind of an invalid case

    @property
    def label_format(self) -> str | None:
        return self.params.get("label_format")


@dataclass(frozen=True)
class Suite:
    directory: Path
    suite_version: str
    stages: dict[str, list[Case]]  # in manifest (pipeline) order
    promised: dict[str, int]  # stage -> case count the manifest promises
    signatures: dict[str, dict[str, list[str]]]  # stage -> {"inputs", "params", "outputs"}

    def cases(self) -> list[Case]:
        return [case for cases in self.stages.values() for case in cases]


def data_dir(name: str) -> Path:
    """The suite's `vectors` or `schema` folder: the wheel's copy under nnfs_conform/data/, or
    (a source checkout, an editable install) the repository's own folder."""
    packaged = Path(__file__).resolve().parent / "data" / name
    return packaged if packaged.is_dir() else REPO / name


def default_vectors_dir() -> Path:
    return data_dir("vectors")


@cache
def schema(name: str) -> dict[str, Any]:
    return json.loads((data_dir("schema") / f"{name}.schema.json").read_text())


def fingerprint(raw_case: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of what a case means (not of its id, words or tags)."""
    keys = ("inputs", "params", "expected", "error")
    meaning = {k: raw_case[k] for k in keys if k in raw_case}
    canonical = json.dumps(meaning, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _pointer(path) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


@cache
def _validator_id(name: str) -> str:
    """The schema's content and the jsonschema version that checks it."""
    from importlib.metadata import version

    return version("jsonschema") + "\0" + json.dumps(schema(name), sort_keys=True)


def _validity_marker(name: str, digest: str) -> Path | None:
    """Where the schema check of a file with sha256 `digest` is remembered, or None if
    NNFS_CONFORM_CACHE=off. The same bytes checked against the same schema by the same
    jsonschema give the same answer, so a valid file is checked once, not at every run."""
    root = os.environ.get("NNFS_CONFORM_CACHE", "")
    if root == "off":
        return None
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        root = Path(base) / "nnfs-conform" / "valid"
    key = f"{name}\0{_validator_id(name)}\0{digest}"
    return Path(root) / hashlib.sha256(key.encode()).hexdigest()


def _check_schema(document: Any, name: str, where: str, digest: str | None = None) -> None:
    marker = _validity_marker(name, digest) if digest else None
    if marker is not None and marker.exists():
        return
    validator = jsonschema.Draft202012Validator(schema(name))
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        message = error.message if len(error.message) < 200 else error.message[:197] + "..."
        raise VectorError(f"{where}: {_pointer(error.absolute_path)}: {message}")
    if marker is not None:
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:  # a read-only home: check again next time
            pass



def _read_json(path: Path, where: str) -> tuple[bytes, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise VectorError(f"{where}: cannot read: {exc.strerror}") from None
    try:
        return data, loads(data)
    except RecursionError:
        raise VectorError(f"{where}: not valid vectors: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise VectorError(f"{where}: not valid JSON: {exc}") from None


def _parse_case(raw: dict[str, Any], stage: str, where: str) -> Case:
    expected = None
    if "expected" in raw:
        expected = {
            tier: {
                name: Expected(decode(out["value"]), out["tol"])
                for name, out in raw["expected"][tier].items()
            }
            for tier in TIERS
        }
    return Case(
        id=raw["id"],
        stage=stage,
        description=raw["description"],
        tags=tuple(raw["tags"]),
        requires=tuple(raw["requires"]),
        fingerprint=raw["fingerprint"],
        inputs=raw["inputs"],
        params=raw["params"],
        expected=expected,
        error=raw["error"]["kind"] if "error" in raw else None,
    )


def _check_file(document: dict[str, Any], stage: str, version: str, where: str) -> list[Case]:
    if document["stage"] != stage:
        raise VectorError(f"{where}: /stage: {document['stage']!r}, the manifest says {stage!r}")
    if document["suite_version"] != version:
        raise VectorError(
            f"{where}: /suite_version: {document['suite_version']!r}, the manifest says {version!r}"
        )
    signature = document["signature"]
    descriptions: set[str] = set()
    cases = []
    for i, raw in enumerate(document["cases"]):
        at = f"{where}: /cases/{i}"
        if not raw["id"].startswith(stage + "/"):
            raise VectorError(f"{at}/id: {raw['id']!r} does not start with {stage + '/'!r}")
        if raw["description"] in descriptions:
            raise VectorError(f"{at}/description: repeats another case's {raw['description']!r}")
        descriptions.add(raw["description"])
        if fingerprint(raw) != raw["fingerprint"]:
            raise VectorError(f"{at}/fingerprint: does not match the case's content")
        if set(raw["inputs"]) != set(signature["inputs"]):
            raise VectorError(f"{at}/inputs: names {sorted(raw['inputs'])}, "
                              f"the signature says {signature['inputs']}")
        if not set(raw["params"]) <= set(signature["params"]):
            raise VectorError(f"{at}/params: names {sorted(raw['params'])}, "
                              f"the signature allows {signature['params']}")
        for tier in TIERS if "expected" in raw else ():
            if set(raw["expected"][tier]) != set(signature["outputs"]):
                raise VectorError(f"{at}/expected/{tier}: names {sorted(raw['expected'][tier])}, "
                                  f"the signature says {signature['outputs']}")
            for name, out in raw["expected"][tier].items():
                value_shape, tol_shape = shape_of(out["value"]), shape_of(out["tol"])
                if value_shape is None or value_shape != tol_shape:
                    raise VectorError(f"{at}/expected/{tier}/{name}: value shape "
                                      f"{value_shape}, tol shape {tol_shape}: they must match")
        cases.append(_parse_case(raw, stage, where))
    return cases


def load_suite(directory: Path | None = None) -> Suite:
    """Load and check every vector file the manifest lists; raise VectorError on any problem."""
    directory = Path(directory) if directory is not None else default_vectors_dir()
    manifest_path = directory / "manifest.json"
    where = str(manifest_path)
    _, manifest = _read_json(manifest_path, where)
    _check_schema(manifest, "manifest", where)
    stages: dict[str, list[Case]] = {}
    promised: dict[str, int] = {}
    signatures: dict[str, dict[str, list[str]]] = {}
    seen: dict[str, str] = {}
    for i, entry in enumerate(manifest["files"]):
        stage, path = entry["stage"], directory / entry["path"]
        if stage in stages:
            raise VectorError(f"{where}: /files/{i}/stage: {stage!r} is listed twice")
        data, document = _read_json(path, str(path))
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise VectorError(f"{path}: sha256 differs from {where} /files/{i}/sha256 "
                              "(edited by hand? regenerate with `make vectors`)")
        _check_schema(document, "vectors", str(path), entry["sha256"])
        cases = _check_file(document, stage, manifest["suite_version"], str(path))
        if len(cases) != entry["cases"]:
            raise VectorError(f"{path}: holds {len(cases)} cases, "
                              f"{where} /files/{i}/cases promises {entry['cases']}")
        for case in cases:
            if case.id in seen:
                raise VectorError(f"{path}: case id {case.id!r} is also in {seen[case.id]}")
            seen[case.id] = str(path)
        stages[stage] = cases
        promised[stage] = entry["cases"]
        signatures[stage] = document["signature"]
    return Suite(directory, manifest["suite_version"], stages, promised, signatures)

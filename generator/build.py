"""`make vectors`: run the catalogue through the oracle, certify, and write vectors/.

Certification, case by case: the exact oracle gives each value and tolerance; the NumPy
reference must pass the case at both tiers with the same comparison ports face; an invalid case
must make the reference raise exactly the declared kind; tags must tell the truth (`exact`
means zero tolerance on every dense output, `inexact-inputs` means some input is not a float32).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import importlib.util
import json
import math
import multiprocessing
import os
import platform
import re
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from json.encoder import encode_basestring_ascii
from pathlib import Path

import numpy as np

from nnfs_conform import __version__ as SUITE_VERSION
from nnfs_conform.grading.compare import compare_outputs
from nnfs_conform.suite.numbers import encode
from nnfs_conform.suite.stages import BOOK, STAGES
from nnfs_conform.suite.vectors import TIERS, Expected, fingerprint
from reference import StageError, run_stage

from .book import BookCertificationError
from .bounded import UnboundedError
from .cases import Spec
from .oracle import to_tier
from .stages import MODULES


class CertificationError(Exception):
    pass


# Every golden is exact arithmetic (Fraction, integers, mpmath; NumPy only rounds a scalar to
# float32): no CPU feature or OpenBLAS setting can change one (tests/test_vectors.py holds the
# generator to that), and they are nearly all the time `make vectors` takes. So they are
# remembered, a file per stage, under a key of all that computes them: the source of the stage's
# module and of every module of the repository it imports, transitively, and the versions of
# the suite, Python, mpmath and NumPy. Everything NumPy touches (the reference's certification
# of every case at both tiers, the tags) is computed again at every run.
SCOPE = ("generator", "reference", "nnfs_conform", "tools")  # the repository's own packages


def _module_names(tree: ast.AST, package: str) -> set[str]:
    """The modules an import statement anywhere in `tree` may load (a name imported from a
    package may be its submodule), for a module of `package`."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return {n for n in names if n.split(".")[0] in SCOPE}


def _source_of(name: str) -> Path | None:
    """The file of the repository's module `name`, or None if there is no such module."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, AttributeError, ValueError):  # a name imported from a module
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


@cache
def _imported_by(module: str) -> tuple[Path, frozenset[str]] | None:
    """The file of the repository's module `module` and the modules it may import (once a
    process: every stage shares most of them)."""
    path = _source_of(module)
    if path is None:
        return None
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return path, frozenset(_module_names(ast.parse(path.read_bytes()), package))


def stage_sources(stage: str) -> dict[str, Path]:
    """The stage's module and every module of the repository it imports, transitively (each
    with the packages it is in), by module name."""
    return module_sources(MODULES[stage].__name__)


def module_sources(top: str) -> dict[str, Path]:
    """The module `top` and every module of the repository it imports, transitively (each with
    the packages it is in), by module name: what a result computed by `top` depends on."""
    found: dict[str, Path] = {}
    todo = [top]
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a and a.b first
            module = ".".join(parts[:i])
            if module in found or (known := _imported_by(module)) is None:
                continue
            found[module] = known[0]
            todo.extend(known[1])
    return dict(sorted(found.items()))


def sources_key(top: str, facts: Iterable[str]) -> str:
    """The hash of what computes a result of the module `top`: the facts it depends on beyond
    its code (versions, settings), then the names and bytes of its sources (module_sources)."""
    digest = hashlib.sha256("\0".join(facts).encode())
    for name, path in module_sources(top).items():
        digest.update(b"\0" + name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@cache
def stage_key(stage: str) -> str:
    """What computes the stage's goldens: the versions, and its sources' names and bytes."""
    import mpmath

    versions = (SUITE_VERSION, platform.python_version(), mpmath.__version__, np.__version__)
    return sources_key(MODULES[stage].__name__, versions)


def _goldens_file(stage: str) -> Path | None:
    """Where a stage's goldens are remembered ($NNFS_CONFORM_CACHE/goldens, else
    $XDG_CACHE_HOME/nnfs-conform/goldens; NNFS_CONFORM_CACHE=off: nowhere)."""
    root = os.environ.get("NNFS_CONFORM_CACHE", "")
    if root == "off":
        return None
    if root:
        folder = Path(root) / "goldens"
    else:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        folder = Path(base) / "nnfs-conform" / "goldens"
    return folder / f"{stage}.json"


@dataclass
class _Remembered:
    """One stage's goldens in this process: those read from its file (under its key) and
    those computed since; `used`: the cases asked for, which `remember` writes."""

    key: str
    goldens: dict[str, object]
    used: set[str] = field(default_factory=set)
    changed: bool = False


_MEMORY: dict[Path, _Remembered] = {}


def _remembered(stage: str) -> tuple[Path, _Remembered] | None:
    path = _goldens_file(stage)
    if path is None:
        return None
    key = stage_key(stage)
    known = _MEMORY.get(path)
    if known is None or known.key != key:
        goldens: dict[str, object] = {}
        try:
            stored = json.loads(path.read_bytes())
            if stored["key"] == key:
                goldens = stored["goldens"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        known = _MEMORY[path] = _Remembered(key, goldens)
    return path, known


def _case_key(inputs: dict, params: dict, tier: str) -> str | None:
    try:
        case = json.dumps([inputs, params, tier], sort_keys=True, allow_nan=True)
    except (TypeError, ValueError):  # not plain JSON: not remembered
        return None
    return hashlib.sha256(case.encode()).hexdigest()


def _same(read: object, computed: object) -> bool:
    """Whether JSON read back is `computed` exactly: the same types (a tuple reads back as a
    list) and values, NaN only where NaN was."""
    if isinstance(computed, (list, tuple)):
        return (
            isinstance(read, list)
            and len(read) == len(computed)
            and all(_same(r, c) for r, c in zip(read, computed))
        )
    if isinstance(computed, dict):
        return (
            isinstance(read, dict)
            and list(read) == list(computed)
            and all(_same(read[k], computed[k]) for k in computed)
        )
    if type(read) is not type(computed):
        return False
    if isinstance(computed, float) and computed != computed:
        return read != read
    return read == computed


def stage_goldens(stage: str, inputs: dict, params: dict, tier: str) -> dict:
    """The stage module's golden, remembered by content (`remember` writes the stage's file)."""
    golden = MODULES[stage].golden
    place = _remembered(stage)
    case = _case_key(inputs, params, tier) if place is not None else None
    if place is None or case is None:
        return golden(inputs, params, tier)
    memory = place[1]
    memory.used.add(case)
    if case in memory.goldens:
        return memory.goldens[case]  # type: ignore[return-value]
    outputs = golden(inputs, params, tier)
    try:
        read = json.loads(json.dumps(outputs, allow_nan=True))
        if _same(read, outputs):  # only what reads back as the same values
            memory.goldens[case], memory.changed = read, True
    except (TypeError, ValueError):
        pass
    return outputs


def remember(stage: str) -> None:
    """Write the stage's goldens asked for in this process, if any was computed or one on file
    is no longer asked for; a cache that cannot be written is no error."""
    place = _remembered(stage)
    if place is None:
        return
    path, memory = place
    if not memory.changed and memory.used >= memory.goldens.keys():
        return
    kept = {case: memory.goldens[case] for case in sorted(memory.used & memory.goldens.keys())}
    try:
        text = json.dumps({"key": memory.key, "goldens": kept}, allow_nan=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(text)
        os.replace(temporary, path)
        memory.goldens, memory.changed = kept, False
    except (OSError, TypeError, ValueError):
        pass


def _tier_values(value, tier):
    """Inputs as a tier reads them: floats rounded to the dtype, integers (labels) kept."""
    if isinstance(value, dict):
        return {k: _tier_values(v, tier) for k, v in value.items()}
    if isinstance(value, list):
        return [_tier_values(v, tier) for v in value]
    if isinstance(value, int) and abs(value) >= 2**24:  # an integer no float32 holds exactly
        value = float(value)  # correctly rounded; labels are small and stay integers
    return to_tier(value, tier) if isinstance(value, float) else value


def _floats(value):
    """Every number of an input: integers too (2^53 + 1 is exact in neither dtype)."""
    if isinstance(value, list):
        for v in value:
            yield from _floats(v)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield value


def _check_tags(case_id: str, spec: Spec, expected: dict) -> None:
    stage = case_id.split("/")[0]
    if STAGES[stage].group == BOOK:  # integer inputs, read as integers at both tiers
        return
    inexact = any(float(np.float32(x)) != x for v in spec.inputs.values() for x in _floats(v))
    if inexact != ("inexact-inputs" in spec.tags):
        raise CertificationError(
            f"{case_id}: tag inexact-inputs is {not inexact}, inputs say {inexact}"
        )
    if (
        "exact" in spec.tags
        and spec.inputs
        and getattr(MODULES[stage], "EXACT_MEANS_ZERO_TOL", False)
    ):
        tols = [t for tier in TIERS for out in expected[tier].values() for t in _floats(out["tol"])]
        if any(tols):
            raise CertificationError(f"{case_id}: tagged exact but a tolerance is not zero")


def _certify_reference(case_id: str, spec: Spec, expected: dict) -> None:
    for tier in TIERS:
        got = encode(run_stage(case_id.split("/")[0], spec.inputs, spec.params, tier))
        want = {
            name: Expected(out["value_decoded"], out["tol"]) for name, out in expected[tier].items()
        }
        result = compare_outputs(got, want, tier)
        if not result.ok:
            raise CertificationError(
                f"{case_id}: the NumPy reference fails at {tier}: {result.problems or result.worst}"
            )


def build_case(stage: str, spec: Spec) -> dict:
    case_id = f"{stage}/{spec.slug}"
    case = {
        "id": case_id,
        "description": spec.description,
        "tags": list(spec.tags),
        "requires": list(MODULES[stage].REQUIRES),
        "fingerprint": "",
        "inputs": encode_inputs(spec.inputs),
        "params": spec.params,
    }
    if spec.error:
        for tier in TIERS:
            try:
                run_stage(stage, spec.inputs, spec.params, tier)
            except StageError as exc:
                if exc.kind != spec.error:
                    raise CertificationError(
                        f"{case_id}: reference raises {exc.kind}, the case expects {spec.error}"
                    ) from None
            else:
                raise CertificationError(f"{case_id}: the reference accepts an invalid case")
        case["error"] = {"kind": spec.error}
    else:
        expected = {}
        for tier in TIERS:
            # the book tier reads its inputs (integers) as they are, at both tiers
            book = STAGES[stage].group == BOOK
            inputs = spec.inputs if book else _tier_values(spec.inputs, tier)
            try:
                outputs = stage_goldens(stage, inputs, spec.params, tier)
            except (BookCertificationError, UnboundedError) as exc:
                raise CertificationError(f"{case_id}: {exc}") from None
            expected[tier] = {
                name: {
                    "value": encode(outputs[name][0]),
                    "tol": outputs[name][1],
                    "value_decoded": outputs[name][0],
                }
                for name in STAGES[stage].outputs
            }
        _check_tags(case_id, spec, expected)
        _certify_reference(case_id, spec, expected)
        case["expected"] = {
            tier: {
                name: {"value": out["value"], "tol": out["tol"]}
                for name, out in expected[tier].items()
            }
            for tier in TIERS
        }
    case["fingerprint"] = fingerprint(case)
    return case


def encode_inputs(inputs: dict) -> dict:
    return {name: encode(value) for name, value in inputs.items()}


def stage_document(stage: str, description: str, cases: list[dict]) -> dict:
    """A vector file: the stage's signature comes from the reference, the version from the
    package, so every writer of vector files (this generator, test and benchmark suites)
    agrees with the runner."""
    signature = STAGES[stage]
    return {
        "suite_version": SUITE_VERSION,
        "stage": stage,
        "description": description,
        "signature": {
            "inputs": list(signature.inputs),
            "params": list(signature.params),
            "outputs": list(signature.outputs),
        },
        "cases": cases,
    }


def build_stage(stage: str) -> dict:
    cases = [build_case(stage, spec) for spec in MODULES[stage].cases()]
    ids = [c["id"] for c in cases]
    if len(set(ids)) != len(ids):
        raise CertificationError(f"{stage}: duplicate case ids")
    remember(stage)
    return stage_document(stage, MODULES[stage].DESCRIPTION, cases)


def _scalar(value) -> str:
    """json.dumps(value, allow_nan=False), without its per-call cost for the kinds that make
    almost every token: a finite float and an int are their repr, a str json's own escape (a
    non-finite float goes to json.dumps, which refuses it)."""
    kind = type(value)
    if (kind is float and math.isfinite(value)) or kind is int:
        return repr(value)
    if kind is str:
        return encode_basestring_ascii(value)  # what json.dumps calls for a str
    return json.dumps(value, allow_nan=False)


def emit(value, depth: int = 0) -> str:
    """Stable, diff-friendly JSON: objects one key a line, innermost number lists on one line."""
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{_scalar(k)}: {emit(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if all(not isinstance(v, (list, dict)) for v in value):
            return "[" + ", ".join(_scalar(v) for v in value) + "]"
        if all(isinstance(v, list) for v in value) and len(_scalar(value)) <= 80:
            return "[" + ", ".join(emit(v) for v in value) + "]"
        return "[\n" + ",\n".join(inner + emit(v, depth + 1) for v in value) + "\n" + pad + "]"
    return _scalar(value)


def write_vector_files(out: Path, documents: Iterable[dict], dumps=emit) -> dict:
    """Write one file per stage document, then the manifest that lists each file's sha256 and
    case count; documents may be a generator, so only one is held at a time."""
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for document in documents:
        data = (dumps(document) + "\n").encode()
        path = out / f"{document['stage']}.json"
        path.write_bytes(data)
        files.append(
            {
                "stage": document["stage"],
                "path": path.name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "cases": len(document["cases"]),
            }
        )
    manifest = {"suite_version": SUITE_VERSION, "protocol": 1, "tiers": list(TIERS), "files": files}
    (out / "manifest.json").write_text(emit(manifest) + "\n")
    return manifest


def built_stages(jobs: int = 1) -> Iterator[dict]:
    """Every stage's document, in the table's order; with jobs > 1 (where processes can fork),
    built by that many processes (each stage in one of them, whole), the later stages of the
    table started first: the training, Model and book stages cost the most."""
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (build_stage(stage) for stage in MODULES)
        return
    context = multiprocessing.get_context("fork")  # the stage modules are imported already
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        futures = {stage: pool.submit(build_stage, stage) for stage in reversed(MODULES)}
        for stage in MODULES:
            yield futures[stage].result()


def write(out: Path, jobs: int = 1) -> dict:
    return write_vector_files(out, built_stages(jobs))


def default_jobs() -> int:
    """The CPUs this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# The published schemas' `$defs/stage` enum, one line each: written from the stage table.
SCHEMAS_WITH_STAGES = ("vectors.schema.json", "protocol.schema.json")
_STAGE_ENUM = re.compile(
    r'^(    "stage": \{"description": "[^"]*", "enum": )\[[^\]]*\](\},?)$', re.M
)


def write_stage_enums(schema_dir: Path) -> list[Path]:
    """Set each schema's stage enum to the table's stages, in order; the files changed."""
    names = json.dumps(list(STAGES))
    changed = []
    for name in SCHEMAS_WITH_STAGES:
        path = schema_dir / name
        if not path.is_file():
            raise SystemExit(
                f"generator: {path}: no such schema (--schema names the folder of {name})"
            )
        text = path.read_text(encoding="utf-8")
        new, found = _STAGE_ENUM.subn(lambda m: f"{m.group(1)}{names}{m.group(2)}", text)
        if found != 1:
            raise SystemExit(f"generator: {path}: no one-line $defs/stage enum to write")
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Generate and certify the golden vectors.",
    )
    parser.add_argument("--out", type=Path, default=Path("vectors"), help="output directory")
    parser.add_argument(
        "--schema",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write the stage enums of the schemas in DIR from the table",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="build the stages in N processes (default: one per CPU this process may use)",
    )
    args = parser.parse_args(argv)
    if args.schema is not None:
        for path in write_stage_enums(args.schema):
            print(f"wrote the stage enum of {path}")
    try:
        manifest = write(args.out, args.jobs if args.jobs is not None else default_jobs())
    except CertificationError as exc:
        print(f"generator: certification failed: {exc}", file=sys.stderr)
        return 1
    total = sum(f["cases"] for f in manifest["files"])
    counts = ", ".join(f"{f['stage']} {f['cases']}" for f in manifest["files"])
    print(f"wrote {total} cases to {args.out}/ ({counts})")
    return 0

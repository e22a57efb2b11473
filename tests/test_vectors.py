"""The committed vectors: valid, complete, reproducible, and refused when tampered with."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nnfs_conform.suite.stages import BOOK, stage_names
from nnfs_conform.suite.vectors import fingerprint, load_suite

REPO = Path(__file__).resolve().parent.parent
VECTORS = REPO / "vectors"
CLI = [sys.executable, "-m", "nnfs_conform"]


def test_committed_vectors_load_and_validate():
    suite = load_suite(VECTORS)
    assert sum(suite.promised.values()) == len(suite.cases())


BOOK_TIER = stage_names(BOOK)  # the book's own values: tests/test_book.py


def test_every_stage_has_at_least_25_cases():
    for stage, cases in load_suite(VECTORS).stages.items():
        assert len(cases) >= (25 if stage not in BOOK_TIER else 7), stage


def test_every_stage_has_book_edge_random_and_invalid_cases():
    for stage, cases in load_suite(VECTORS).stages.items():
        if stage in BOOK_TIER:
            continue
        tags = {tag for case in cases for tag in case.tags}
        assert {"edge", "random", "invalid"} <= tags, stage
        if stage != "forward":  # the book's forward pass needs its spiral data (book tier)
            assert "book" in tags, stage


ENVIRONMENTS = {
    "default": {},
    "avx2-dispatch": {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL"},
    "openblas-haswell": {"OPENBLAS_CORETYPE": "Haswell"},
    "openblas-sandybridge": {"OPENBLAS_CORETYPE": "Sandybridge"},
}


def test_regeneration_is_byte_identical_under_every_cpu_setting(tmp_path, request):
    """The default run computes the goldens of every stage whose sources changed since this test
    last ran here (all of them on a fresh clone, so CI computes everything; `pytest
    --cache-clear` does here), and remembers them in pytest's cache folder under their sources'
    key (generator.build.stage_key), as `make vectors` does in its own. Each NumPy / OpenBLAS
    setting then computes again all that a setting can change: the NumPy reference's
    certification of every case at both tiers (it must pass within tolerance, and refuse each
    invalid case with its kind) and the tags; the goldens it reads from the cache, since they
    are exact arithmetic that no setting reaches (the next test holds every module that computes
    one to that)."""
    from generator.build import MODULES

    pytest_cache = getattr(request.config, "cache", None)  # None with -p no:cacheprovider
    cache = pytest_cache.mkdir("nnfs-conformance-goldens") if pytest_cache else tmp_path / "cache"
    committed = sorted(p.name for p in VECTORS.iterdir())
    for name, env in ENVIRONMENTS.items():
        out = tmp_path / name
        run = subprocess.run(
            [sys.executable, "-m", "generator", "--out", str(out)],
            cwd=REPO,
            env={**os.environ, **env, "NNFS_CONFORM_CACHE": str(cache)},
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, (name, run.stderr)
        assert sorted(p.name for p in out.iterdir()) == committed, name
        for file in committed:
            assert (out / file).read_bytes() == (VECTORS / file).read_bytes(), (name, file)
        if name == "default":  # the settings read these
            assert sorted(p.stem for p in (cache / "goldens").iterdir()) == sorted(MODULES)


# rounding one scalar to float32, and the dtypes' limits (np.finfo(np.float64).max)
NUMPY_IN_GOLDENS = {"float32", "float64", "finfo"}


def test_no_golden_is_computed_with_numpy_arithmetic():
    """What a NumPy / OpenBLAS setting can change (SIMD exp and log, BLAS products, array
    reductions) computes no golden: every module a stage's goldens run (the sources its cache key
    hashes) touches NumPy only through np.float32 and np.finfo, and none imports the NumPy
    reference or the runner's comparison (which the certification alone uses)."""
    import ast

    from generator.build import MODULES, stage_sources

    sources = {name: path for stage in MODULES for name, path in stage_sources(stage).items()}
    assert "generator.build" not in sources  # the certification is not a golden's
    assert {"generator.book", "generator.bounded", "generator.oracle"} <= set(sources)
    for name, path in sources.items():
        tree = ast.parse(path.read_bytes())
        aliases = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] not in ("reference",), (name, alias.name)
                    if alias.name.split(".")[0] == "numpy":
                        assert alias.name == "numpy", (name, alias.name)
                        aliases.add(alias.asname or "numpy")
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                top = (node.module or "").split(".")[0]
                assert top not in ("numpy", "reference"), (name, node.module)
                assert not (node.module or "").startswith(
                    ("nnfs_conform.grading", "nnfs_conform.diagnosis")
                ), (name, node.module)
        allowed = {
            id(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in NUMPY_IN_GOLDENS
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in aliases:
                assert id(node) in allowed, f"{name}, line {node.lineno}: NumPy beyond np.float32"


@pytest.fixture
def fresh_keys():
    """The generator's per-process caches of sources and keys, emptied after the test (which
    points them at copies of the sources)."""
    from generator import build

    caches = (build.stage_key, build._imported_by)  # the functions, whatever a test patches
    yield build
    for cached in caches:
        cached.cache_clear()
    build._MEMORY.clear()


def test_a_remembered_golden_is_computed_again_when_anything_that_computes_it_changes(
    tmp_path, monkeypatch, fresh_keys
):
    """The key holds the source of the stage's module and of every module it imports, the
    versions, and the case: a golden is served only for the very code and inputs that computed
    it; a module the stage does not import is not in its key; an unusable cache is no error."""
    from types import SimpleNamespace

    build = fresh_keys
    calls = []
    fake = SimpleNamespace(
        golden=lambda x, p, tier: calls.append(tier) or {"out": ([x["a"] / 3], [0.0])}
    )
    monkeypatch.setitem(build.MODULES, "fake", fake)
    monkeypatch.setattr(build, "stage_key", lambda stage: "this generator")
    monkeypatch.setenv("NNFS_CONFORM_CACHE", str(tmp_path / "cache"))
    first = build.stage_goldens("fake", {"a": 1.0}, {}, "float64")
    assert build.stage_goldens("fake", {"a": 1.0}, {}, "float64") == {"out": [[1 / 3], [0.0]]}
    assert first == {"out": ([1 / 3], [0.0])} and calls == ["float64"]  # remembered
    build.stage_goldens("fake", {"a": 2.0}, {}, "float64")  # other inputs: computed
    assert len(calls) == 2
    build.remember("fake")
    build._MEMORY.clear()  # another process: reads the file
    build.stage_goldens("fake", {"a": 2.0}, {}, "float64")
    assert len(calls) == 2
    monkeypatch.setattr(build, "stage_key", lambda stage: "another generator")
    build.stage_goldens("fake", {"a": 1.0}, {}, "float64")  # other code: computed again
    assert len(calls) == 3

    sources = build.stage_sources("chapters")
    assert {"generator.stages.chapters", "generator.book", "nnfs_conform.suite.stages"} <= set(
        sources
    )
    assert "generator.bounded" not in sources  # chapters' goldens do not run it
    assert "generator.bounded" in build.stage_sources("training")
    monkeypatch.undo()
    build.stage_key.cache_clear()
    monkeypatch.setattr(build, "_source_of", lambda name: copies.get(name))
    copies = {}
    for name, path in sources.items():  # the same files, in the same packages, elsewhere
        copies[name] = tmp_path.joinpath("src", *name.split("."), path.name)
        copies[name].parent.mkdir(parents=True, exist_ok=True)
        copies[name].write_bytes(path.read_bytes())
    build._imported_by.cache_clear()
    before = build.stage_key("chapters")
    for name in ("generator.book", "generator.stages.chapters", "nnfs_conform.suite.stages"):
        copies[name].write_bytes(copies[name].read_bytes() + b"\n")  # any edit: a new key
        build.stage_key.cache_clear()
        assert build.stage_key("chapters") != before, name
        before = build.stage_key("chapters")

    monkeypatch.setitem(build.MODULES, "fake", fake)
    monkeypatch.setattr(build, "stage_key", lambda stage: "this generator")
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("NNFS_CONFORM_CACHE", str(tmp_path / "file"))
    build.stage_goldens("fake", {"a": 1.0}, {}, "float64")  # unreadable: computed, no error
    assert len(calls) == 4
    build.remember("fake")  # unwritable: no error
    monkeypatch.setenv("NNFS_CONFORM_CACHE", "off")
    build.stage_goldens("fake", {"a": 1.0}, {}, "float64")
    assert len(calls) == 5


# --- tampering: every problem is one line naming the file and the JSON pointer, exit 2 ---


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "vectors"
    shutil.copytree(VECTORS, target)
    return target


def _refresh_hash(directory, name):
    """Make the manifest agree with an edited file, as a careful forger would."""
    manifest = json.loads((directory / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == name:
            entry["sha256"] = hashlib.sha256((directory / name).read_bytes()).hexdigest()
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


def _rewrite(directory, name, edit):
    path = directory / name
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document, indent=1) + "\n")
    _refresh_hash(directory, name)


def _validate(directory):
    run = subprocess.run(
        [*CLI, "validate", "--vectors", str(directory)], capture_output=True, text=True
    )
    assert "Traceback" not in run.stderr
    return run.returncode, run.stderr.strip()


def test_untouched_copy_validates(copy):
    assert _validate(copy) == (0, "")


def test_an_edited_file_fails_its_manifest_hash(copy):
    path = copy / "softmax.json"
    path.write_bytes(path.read_bytes().replace(b'"tol": [[', b'"tol": [[1.0, ', 1))
    code, message = _validate(copy)
    assert code == 2 and "softmax.json: sha256 differs" in message
    assert message.count("\n") == 0


def test_an_edited_value_with_a_fixed_hash_fails_its_fingerprint(copy):
    def edit(doc):
        doc["cases"][3]["expected"]["float64"]["output"]["value"] = 0.5

    _rewrite(copy, "neuron.json", edit)
    code, message = _validate(copy)
    assert code == 2 and "neuron.json: /cases/3/fingerprint" in message


def test_a_negative_tolerance_is_named_by_its_json_pointer(copy):
    def edit(doc):
        case = doc["cases"][3]
        case["expected"]["float32"]["output"]["tol"] = -1.0
        case["fingerprint"] = fingerprint(case)

    _rewrite(copy, "neuron.json", edit)
    code, message = _validate(copy)
    assert code == 2 and "neuron.json: /cases/3/expected/float32/output/tol" in message


def test_a_duplicate_id_is_refused(copy):
    def edit(doc):
        doc["cases"][1]["id"] = doc["cases"][0]["id"]

    _rewrite(copy, "relu.json", edit)
    code, message = _validate(copy)
    assert code == 2 and "relu" in message and "is also in" in message


def test_a_missing_case_is_refused_by_the_count(copy):
    _rewrite(copy, "accuracy.json", lambda doc: doc["cases"].pop())
    code, message = _validate(copy)
    assert code == 2 and "promises" in message


def test_a_truncated_file_is_refused_as_invalid_json(copy):
    path = copy / "layer.json"
    path.write_bytes(path.read_bytes()[:1000])
    code, message = _validate(copy)
    assert code == 2 and "layer.json" in message


def test_a_missing_file_is_named(copy):
    (copy / "forward.json").unlink()
    code, message = _validate(copy)
    assert code == 2 and "forward.json: cannot read" in message


def test_an_unknown_property_is_refused(copy):
    def edit(doc):
        doc["cases"][0]["note"] = "hand-added"

    _rewrite(copy, "dense_batch.json", edit)
    code, message = _validate(copy)
    assert code == 2 and "dense_batch.json: /cases/0" in message


def _numbers(value):
    if isinstance(value, list):
        for v in value:
            yield from _numbers(v)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield value


def test_inputs_are_float32_exact_unless_tagged_inexact():
    import numpy as np

    from nnfs_conform.suite.numbers import decode

    for case in load_suite(VECTORS).cases():
        if case.error or case.stage in BOOK_TIER:  # no arithmetic / integers read as integers
            continue
        numbers = [x for v in case.inputs.values() for x in _numbers(decode(v))]
        exact = all(float(np.float32(x)) == x for x in numbers)
        assert exact != ("inexact-inputs" in case.tags), case.id


def test_descriptions_state_facts_not_wishes():
    for case in load_suite(VECTORS).cases():
        assert "should" not in case.description.lower(), case.id
        assert case.description == case.description.strip(), case.id
        assert not case.description[0].isupper(), case.id


def test_a_tolerance_shorter_than_its_value_is_refused(copy):
    def edit(doc):
        case = next(c for c in doc["cases"] if c["id"] == "softmax/rows-differ")
        case["expected"]["float64"]["output"]["tol"][0].pop()
        case["fingerprint"] = fingerprint(case)

    _rewrite(copy, "softmax.json", edit)
    code, message = _validate(copy)
    assert code == 2 and "/expected/float64/output: value shape" in message


@pytest.mark.parametrize("token", ["NaN", "Infinity", "1e400"])
def test_non_json_numbers_in_a_vector_file_are_refused(copy, token):
    path = copy / "relu.json"
    text = path.read_text().replace('"tol": [0.0', f'"tol": [{token}', 1)
    path.write_text(text)
    _refresh_hash(copy, "relu.json")
    code, message = _validate(copy)
    assert code == 2 and "relu.json: not valid JSON" in message, message

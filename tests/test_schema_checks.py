"""The compiled checks (schema_checks.compile_schema) give the JSON Schemas' verdict: on every file
of the real suite, on thousands of documents mutated from it, and on hand-made hostile ones. The
JSON Schemas stay the contract; the compiled checks are only a faster way to the same answer.

The contract's verdict comes from two independent validators: jsonschema-rs reads every document,
and jsonschema, whose messages the runner prints for a refused file, reads one in SAMPLE of the
mutated ones (every hand-made one) and must agree. jsonschema costs ~40x more per document: asked
of all 8,000 mutations it was 35 s of `make test`, for the same answers."""

from __future__ import annotations

import copy
import itertools
import json
import random
from pathlib import Path

import jsonschema
import jsonschema_rs
import pytest

from nnfs_conform.suite.schema_checks import DEPTH, SchemaNotCompiled, TooDeep, compile_schema

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = {
    name: json.loads((REPO / "schema" / f"{name}.schema.json").read_text())
    for name in ("vectors", "manifest")
}
FILES = sorted(p for p in (REPO / "vectors").glob("*.json") if p.name != "manifest.json")


SAMPLE = 8  # jsonschema reads the first mutated document and every SAMPLE-th after it


def _contract(schema: dict, sample: int = SAMPLE):
    """The schema's verdict on a document: jsonschema-rs's, checked against jsonschema's on the
    first document and every `sample`-th after it."""
    fast = jsonschema_rs.Draft202012Validator(schema)
    reference = jsonschema.Draft202012Validator(schema)
    count = itertools.count()

    def verdict(document) -> bool:
        valid = fast.is_valid(document)
        if next(count) % sample == 0:
            assert reference.is_valid(document) == valid, json.dumps(document)[:2000]
        return valid

    return verdict


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_file_of_the_real_suite_is_valid_by_both(path):
    document = json.loads(path.read_text())
    assert compile_schema(SCHEMAS["vectors"])(document)
    case = compile_schema(SCHEMAS["vectors"], "/properties/cases/items")
    assert all(case(c) for c in document["cases"])
    assert jsonschema_rs.Draft202012Validator(SCHEMAS["vectors"]).is_valid(document)


def test_the_real_manifest_is_valid_by_both():
    manifest = json.loads((REPO / "vectors" / "manifest.json").read_text())
    assert compile_schema(SCHEMAS["manifest"])(manifest)
    assert _contract(SCHEMAS["manifest"], sample=1)(manifest)


# Values a mutation puts anywhere: every JSON type, the suite's own words in the wrong place,
# the non-finite names (right and wrong), numbers at the edges, strings at the length limits.
PALETTE = [
    None, True, False, 0, 1, -1, 1.0, 2.5, -0.0, -1e-300, 10**400, 2**70, 1e308,
    "NaN", "Infinity", "-Infinity", "nan", "inf", "", "x", "1.5",
    "neuron", "relu", "book", "edge", "float64", "shape_mismatch", "x" * 120, "x" * 121,
    "sha256:" + "0" * 64, "sha256:" + "0" * 63, "relu/a-b", "relu/a-b\n", "Relu/a", "1.0.0",
    "1.0", "1.0.0\n", "neuron.json", "0" * 64,
    [], [1], [1, "NaN"], [[1, 2], [3]], [[]], [True], [None], ["x", "x"], ["book"], ["neuron"],
    ["float64", "float32"], ["float32", "float64"], ["a", "b"], ["A"],
    {}, {"value": 1, "tol": 0}, {"value": [1], "tol": [-1]}, {"kind": "empty_batch"}, {"x": []},
]  # fmt: skip


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*path, i))


def _mutated(document, rng):
    """`document` with one thing changed: a value replaced, a member removed or added, an
    array emptied, grown or given a repeat."""
    doc = copy.deepcopy(document)
    path = rng.choice(list(_paths(doc)))
    if not path:
        return copy.deepcopy(rng.choice(PALETTE))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    key, node = path[-1], parent[path[-1]]
    roll = rng.random()
    if roll < 0.55:
        parent[key] = copy.deepcopy(rng.choice(PALETTE))
    elif roll < 0.7 and isinstance(parent, dict):
        del parent[key]
    elif roll < 0.85 and isinstance(node, dict):
        node[rng.choice(["extra", "x", "value", "tol", "kind", "float64", "cases"])] = (
            copy.deepcopy(rng.choice(PALETTE))
        )
    elif isinstance(node, list) and node:
        action = rng.choice(["repeat", "empty", "grow"])
        if action == "repeat":
            node.append(copy.deepcopy(rng.choice(node)))
        elif action == "empty":
            node.clear()
        else:
            node.append(copy.deepcopy(rng.choice(PALETTE)))
    else:
        parent[key] = copy.deepcopy(rng.choice(PALETTE))
    return doc


def _small_documents():
    """Each real file as its header and one small case (the first and a random one)."""
    rng = random.Random(3)
    for path in FILES:
        document = json.loads(path.read_text())
        cases = [c for c in document["cases"] if len(json.dumps(c)) < 2500] or document["cases"]
        for case in (cases[0], rng.choice(cases)):
            yield {**document, "cases": [case]}


def _agree(name, documents, check=None):
    check = check or compile_schema(SCHEMAS[name])
    contract = _contract(SCHEMAS[name])
    verdicts = {True: 0, False: 0}
    for doc in documents:
        compiled = check(doc)
        assert compiled == contract(doc), json.dumps(doc)[:2000]
        verdicts[compiled] += 1
    return verdicts


def test_the_compiled_checks_agree_with_jsonschema_on_mutated_vector_files():
    rng = random.Random(19)
    bases = list(_small_documents())
    verdicts = _agree("vectors", (_mutated(rng.choice(bases), rng) for _ in range(3000)))
    assert min(verdicts.values()) > 400, verdicts  # both answers are exercised


def test_the_compiled_case_check_agrees_with_jsonschema_on_mutated_cases():
    rng = random.Random(23)
    bases = [doc["cases"][0] for doc in _small_documents()]
    case = compile_schema(SCHEMAS["vectors"], "/properties/cases/items")
    contract = _contract(
        {"$defs": SCHEMAS["vectors"]["$defs"], **SCHEMAS["vectors"]["properties"]["cases"]["items"]}
    )
    verdicts = {True: 0, False: 0}
    for _ in range(2000):
        doc = _mutated(rng.choice(bases), rng)
        compiled = case(doc)
        assert compiled == contract(doc), json.dumps(doc)[:2000]
        verdicts[compiled] += 1
    assert min(verdicts.values()) > 300, verdicts


def test_the_compiled_checks_agree_with_jsonschema_on_mutated_manifests():
    rng = random.Random(29)
    manifest = json.loads((REPO / "vectors" / "manifest.json").read_text())
    manifest["files"] = manifest["files"][:3]
    verdicts = _agree("manifest", (_mutated(manifest, rng) for _ in range(2000)))
    assert min(verdicts.values()) > 50, verdicts


def _one_case(edit):
    document = json.loads((REPO / "vectors" / "relu.json").read_text())
    document["cases"] = [document["cases"][0]]
    edit(document, document["cases"][0])
    return document


def _set(path, value):
    def edit(document, case):
        node = case if path[0] != "/" else document
        parts = path.strip("/").split("/")
        for part in parts[:-1]:
            node = node[int(part) if isinstance(node, list) else part]
        last = parts[-1]
        node[int(last) if isinstance(node, list) else last] = value

    return edit


def _drop(key):
    return lambda document, case: case.pop(key)


HOSTILE = {
    "as written": (lambda d, c: None, True),
    "a NaN string in a value": (_set("expected/float64/output/value/0", "NaN"), True),
    "a lowercase nan in a value": (_set("expected/float64/output/value/0", "nan"), False),
    "a NaN string in a tolerance": (_set("expected/float64/output/tol/0", "NaN"), False),
    "a negative tolerance": (_set("expected/float64/output/tol/0", -1e-300), False),
    "a negative zero tolerance": (_set("expected/float64/output/tol/0", -0.0), True),
    "an integer beyond float64 as an input": (_set("inputs/inputs/0", 10**400), True),
    "a huge float as an input": (_set("inputs/inputs/0", 1.7976931348623157e308), True),
    "a boolean as an input": (_set("inputs/inputs/0", True), False),
    "null as an input": (_set("inputs/inputs/0", None), False),
    "a ragged input": (_set("inputs/inputs", [[1.0, 2.0], [3.0]]), True),
    "an empty input": (_set("inputs/inputs", []), True),
    "a string input": (_set("inputs/inputs", "Infinity"), True),
    "an object in an input": (_set("inputs/inputs/0", {"a": 1}), False),
    "a boolean parameter": (_set("params/x", True), False),
    "a null parameter": (_set("params/x", None), False),
    "a number parameter": (_set("params/x", 0.5), True),
    "neither expected nor error": (_drop("expected"), False),
    "both expected and error": (_set("error", {"kind": "empty_batch"}), False),
    "an unknown error kind": (
        lambda d, c: (c.pop("expected"), c.update(error={"kind": "oops"})),
        False,
    ),
    "an extra member of a case": (_set("note", "x"), False),
    "an extra member of the file": (_set("/note", "x"), False),
    "an extra member of the signature": (_set("/signature/more", []), False),
    "an extra member of an expected output": (_set("expected/float64/output/why", 1), False),
    "no float32 tier": (lambda d, c: c["expected"].pop("float32"), False),
    "an empty tier": (_set("expected/float32", {}), False),
    "a repeated tag": (_set("tags", ["edge", "edge"]), False),
    "no tag": (_set("tags", []), False),
    "an unknown tag": (_set("tags", ["nice"]), False),
    "a description of 120 characters": (_set("description", "x" * 120), True),
    "a description of 121 characters": (_set("description", "x" * 121), False),
    "an empty description": (_set("description", ""), False),
    "an id ending in a newline": (_set("id", "relu/a-b\n"), False),
    "an id with capitals": (_set("id", "relu/A-b"), False),
    "a short fingerprint": (_set("fingerprint", "sha256:" + "0" * 63), False),
    "a stage not in the enum": (_set("/stage", "relux"), False),
    "a repeated signature name": (_set("/signature/inputs", ["inputs", "inputs"]), False),
    "a signature name with a capital": (_set("/signature/inputs", ["Inputs"]), False),
    "a suite version with a newline": (_set("/suite_version", "1.0.0\n"), False),
    "a required stage not in the enum": (_set("requires", ["nope"]), False),
    "a repeated required stage": (_set("requires", ["neuron", "neuron"]), False),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_vector_files_get_the_same_verdict_from_both(name):
    edit, valid = HOSTILE[name]
    document = _one_case(edit)
    assert _contract(SCHEMAS["vectors"], sample=1)(document) is valid  # what the contract says
    assert compile_schema(SCHEMAS["vectors"])(document) is valid


@pytest.mark.parametrize(
    "edit, valid",
    [
        (lambda m: m["files"][0].update(cases=5.0), True),  # an integer, as JSON Schema says
        (lambda m: m["files"][0].update(cases=5.5), False),
        (lambda m: m["files"][0].update(cases=0), False),
        (lambda m: m["files"][0].update(cases=True), False),
        (lambda m: m.update(protocol=1.0), True),
        (lambda m: m.update(protocol=True), False),
        (lambda m: m.update(tiers=["float32", "float64"]), False),
        (lambda m: m.update(files=[]), False),
        (lambda m: m["files"][0].update(sha256="A" * 64), False),
        (lambda m: m["files"][0].update(path="../x.json"), False),
        (lambda m: m.pop("protocol"), False),
    ],
)
def test_hostile_manifests_get_the_same_verdict_from_both(edit, valid):
    manifest = json.loads((REPO / "vectors" / "manifest.json").read_text())
    edit(manifest)
    assert _contract(SCHEMAS["manifest"], sample=1)(manifest) is valid
    assert compile_schema(SCHEMAS["manifest"])(manifest) is valid


def test_arrays_nested_deeper_than_the_checks_follow_get_no_verdict():
    deep = json.loads("[" * DEPTH + "]" * DEPTH)
    document = _one_case(_set("inputs/inputs", deep))
    assert compile_schema(SCHEMAS["vectors"])(document)
    assert _contract(SCHEMAS["vectors"], sample=1)(document)
    document = _one_case(_set("inputs/inputs", [deep]))
    with pytest.raises(TooDeep):
        compile_schema(SCHEMAS["vectors"])(document)


@pytest.mark.parametrize(
    "schema",
    [
        {"maxItems": 3},
        {"type": "object", "patternProperties": {"^x": {}}},
        {"$ref": "other.json#/x"},
        {"items": {"anyOf": [{"type": "string"}]}},
    ],
)
def test_a_keyword_the_compiler_does_not_implement_is_refused_not_skipped(schema):
    with pytest.raises(SchemaNotCompiled):
        compile_schema(schema)


PROTOCOL = json.loads((REPO / "schema" / "protocol.schema.json").read_text())
MESSAGES = {
    "hello_reply": [
        {
            "protocol": 1,
            "name": "null",
            "language": "python",
            "dtype": "float64",
            "stages": ["neuron", "relu"],
            "label_formats": ["sparse", "onehot"],
            "checks_inputs": True,
        },
        {
            "protocol": 1,
            "name": "c",
            "language": "c",
            "version": "0.1",
            "dtype": "float32",
            "stages": ["accuracy"],
            "label_formats": {"accuracy": ["sparse"]},
            "missing": {"training": "no Model class"},
        },
    ],
    "run_reply": [
        {"seq": 1, "outputs": {"output": [[0.5, "NaN"], [1, -0.0]]}},
        {"seq": 2, "error": {"kind": "shape_mismatch", "message": "x is 2 by 3"}},
        {"seq": 3, "unsupported": "no float32 softmax"},
    ],
}


@pytest.mark.parametrize("definition", MESSAGES)
def test_the_compiled_checks_agree_with_jsonschema_on_mutated_protocol_messages(definition):
    """The protocol checks (a port's hello on every run) take the same compiled path."""
    rng = random.Random(31)
    check = compile_schema(PROTOCOL, f"/$defs/{definition}")
    contract = _contract({"$ref": f"#/$defs/{definition}", "$defs": PROTOCOL["$defs"]})
    verdicts = {True: 0, False: 0}
    for i in range(1500):
        message = MESSAGES[definition][i % len(MESSAGES[definition])]
        doc = message if i < len(MESSAGES[definition]) else _mutated(message, rng)
        compiled = check(doc)
        assert compiled == contract(doc), json.dumps(doc)
        verdicts[compiled] += 1
    assert min(verdicts.values()) > 50, verdicts

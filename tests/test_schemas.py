"""Every schema is valid 2020-12, closed, explicit about what it requires, and documented."""

import json
from pathlib import Path

import jsonschema
import pytest

SCHEMAS = sorted((Path(__file__).resolve().parent.parent / "schema").glob("*.schema.json"))
# The properties a schema may leave optional, and why.
OPTIONAL = {
    "version",  # a port's own version (hello)
    "message",  # an error's explanation
    "expected",
    "error",  # a case has exactly one of them (oneOf)
    "wanted",  # a case result's expected outputs: results written by runner 0.1.0 lack it
    "checks_inputs",  # hello: default false, as the book checks no inputs; 0.1.0 results lack it
    "missing",  # hello: the stages a port lacks, with reasons; 0.1.0 results lack it
    # result: counts and filters that results written by runner 0.1.0 lack
    "not_applicable_input_checks",
    "declined",
    "tags",
    "skip_tags",
    "candidates",  # a case result: the stage's candidate mistakes; 0.1.0 results lack it
    "filters",  # a prompt file's selection, for grade --prompt; 0.1.0 prompts lack it
    "stderr",  # a crashed port's stderr excerpt: only when it died and said something
}


def objects(node, where=""):
    """Every subschema that declares properties, with its location."""
    if isinstance(node, dict):
        if "properties" in node:
            yield where, node
        for key, value in node.items():
            yield from objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from objects(value, f"{where}/{i}")


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_the_schema_is_valid_json_schema_2020_12(path):
    jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text()))


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_every_object_is_closed_requires_its_fields_and_describes_each_property(path):
    for where, node in objects(json.loads(path.read_text())):
        assert node.get("additionalProperties") is False, where
        optional = set(node["properties"]) - set(node.get("required", []))
        assert optional <= OPTIONAL, f"{where}: optional {optional}"
        for prop, sub in node["properties"].items():
            assert sub.get("description"), f"{where}/properties/{prop}"


def test_there_is_a_schema_for_vectors_manifest_protocol_and_result():
    assert {p.name for p in SCHEMAS} == {
        "vectors.schema.json",
        "manifest.schema.json",
        "protocol.schema.json",
        "result.schema.json",
    }


def test_the_vectors_schemas_error_kinds_are_the_ones_a_stage_raises():
    from nnfs_conform.suite.errors import ERROR_KINDS

    vectors = json.loads((SCHEMAS[0].parent / "vectors.schema.json").read_text())
    assert vectors["$defs"]["error_kind"]["enum"] == list(ERROR_KINDS)

"""The suite's JSON Schemas (vectors, manifest, protocol), compiled into plain Python predicates.

schema/*.schema.json stays the published contract; checking every number of a large suite with
jsonschema cost minutes (each number goes through a `oneOf`). `compile_schema` turns a schema
into one function that says only whether a document is valid, reading every constant (names,
enums, patterns, lengths) from the schema itself, so an edit to the schema changes the checks
with it; a keyword it does not implement is refused when it compiles, never skipped. Nested
arrays of numbers (`oneOf: [a number, an array of this]`) are checked a level at a time, by
type sets, instead of a call per number. jsonschema is still what explains a rejection (the
message names the field), and tests/test_schema_checks.py holds the two to the same verdict on
the real suite and on thousands of mutated and hostile documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import chain, repeat
from operator import lt
from typing import Any

Check = Callable[[Any], bool]

# Keywords that only describe: they never change a verdict.
_ANNOTATIONS = frozenset(("$schema", "$id", "$comment", "title", "description", "$defs"))
_TYPES: dict[str, Check] = {  # JSON Schema's types, as jsonschema reads them (a bool is no number)
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
    "string": lambda v: type(v) is str,
    "number": lambda v: type(v) is int or type(v) is float,
    "integer": lambda v: type(v) is int or (type(v) is float and v.is_integer()),
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
}
_NUMBER = frozenset((int, float))
# Keywords _object checks: all of them when the schema's type is `object`, else the last two.
_OBJECT_ANY = frozenset(("properties", "additionalProperties"))
_OBJECT = _OBJECT_ANY | {"type", "required", "minProperties"}
_chain = chain.from_iterable


DEPTH = 100  # levels of nested arrays the checks follow; jsonschema's own recursion ends near 150


class SchemaNotCompiled(ValueError):
    """The schema uses something compile_schema does not implement."""


class TooDeep(RecursionError):
    """An array nested more than DEPTH levels: no verdict (jsonschema, recursing, would fail
    with a RecursionError a little deeper), so it is raised like one."""


def _unbool(value: Any) -> Any:
    return ("bool", value) if type(value) is bool else value


def _equal(one: Any, two: Any) -> bool:
    """JSON equality as JSON Schema means it: true is not 1, 1 is 1.0, deeply."""
    if type(one) is str or type(two) is str:
        return one == two
    if type(one) is list and type(two) is list:
        return len(one) == len(two) and all(map(_equal, one, two))
    if type(one) is dict and type(two) is dict:
        return one.keys() == two.keys() and all(_equal(one[k], two[k]) for k in one)
    if type(one) in (list, dict) or type(two) in (list, dict):
        return False
    return _unbool(one) == _unbool(two)


def _frozen(value: Any) -> Any:
    """A hashable value equal to another's exactly when `_equal` says the two are: numbers as
    themselves (1 == 1.0, as JSON means), booleans apart from them, arrays and objects deeply."""
    if type(value) is list:
        return ("array", tuple(map(_frozen, value)))
    if type(value) is dict:
        return ("object", frozenset((k, _frozen(v)) for k, v in value.items()))
    return _unbool(value)


def _unique(items: list[Any]) -> bool:
    """No two items equal, in one pass: a port's hello is untrusted, and comparing every pair
    of a long list would let it stall the runner."""
    if set(map(type, items)) <= {str}:
        return len(set(items)) == len(items)
    return len(set(map(_frozen, items))) == len(items)


class _Compiler:
    def __init__(self, root: dict[str, Any]):
        self.root = root
        self.refs: dict[str, Check] = {}

    def ref(self, pointer: str) -> Check:
        """A $ref within the document (`#/...`), compiled once; recursion resolves at call."""
        if pointer not in self.refs:
            target = self._resolve(pointer)
            compiled: list[Check] = []
            self.refs[pointer] = lambda v: compiled[0](v)
            compiled.append(self.compile(target))
            self.refs[pointer] = compiled[0]
        return self.refs[pointer]

    def leaf(self, schema: dict[str, Any]) -> tuple[frozenset, frozenset, Any] | None:
        """(types, strings, minimum) of a schema that accepts numbers (with a minimum or not)
        and perhaps some strings, and nothing else; None for any other schema."""
        keys = set(schema) - _ANNOTATIONS
        if keys == {"$ref"}:
            return self.leaf(self._resolve(schema["$ref"]))
        if schema.get("type") == "number" and keys <= {"type", "minimum"}:
            return _NUMBER, frozenset(), schema.get("minimum")
        if keys == {"oneOf"} and len(schema["oneOf"]) == 2:
            number, names = schema["oneOf"]
            if (
                set(number) - _ANNOTATIONS == {"type"}
                and number["type"] == "number"
                and set(names) - _ANNOTATIONS == {"enum"}
                and all(type(n) is str for n in names["enum"])
            ):
                return _NUMBER | {str}, frozenset(names["enum"]), None
        return None

    def _resolve(self, pointer: str) -> Any:
        if not pointer.startswith("#"):
            raise SchemaNotCompiled(f"$ref {pointer!r}: only references within the schema")
        target: Any = self.root
        for part in filter(None, pointer[1:].split("/")):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return target

    def nested(self, schema: dict[str, Any]) -> Check | None:
        """`oneOf: [LEAF, {type: array, items: {$ref: <this schema>}}]`: a leaf or nested lists
        of leaves, ragged or empty; checked a level at a time. None if not of that form."""
        if set(schema) - _ANNOTATIONS != {"oneOf"} or len(schema["oneOf"]) != 2:
            return None
        branches = schema["oneOf"]
        leaf, array = branches
        shape = self.leaf(leaf)
        if shape is None or set(array) - _ANNOTATIONS != {"type", "items"}:
            return None
        if array["type"] != "array" or set(array["items"]) - _ANNOTATIONS != {"$ref"}:
            return None
        if self._resolve(array["items"]["$ref"]) is not schema:
            return None
        types, strings, minimum = shape

        def leaves_ok(leaves: list[Any], kinds: set) -> bool:
            if not kinds <= types:
                return False
            if str in kinds and not all(v in strings for v in leaves if type(v) is str):
                return False
            if minimum is not None:
                numbers = leaves if str not in kinds else [v for v in leaves if type(v) is not str]
                if any(map(lt, numbers, repeat(minimum))):
                    return False
            return True

        def check(value: Any) -> bool:
            level = [value]
            for _ in range(DEPTH):
                if not level:
                    return True
                kinds = set(map(type, level))
                if kinds == {list}:
                    level = [*_chain(level)]
                    continue
                if list in kinds:
                    kinds.discard(list)
                    if not leaves_ok([v for v in level if type(v) is not list], kinds):
                        return False
                    level = [*_chain(v for v in level if type(v) is list)]
                    continue
                return leaves_ok(level, kinds)
            if level:
                raise TooDeep(f"arrays nested more than {DEPTH} levels")
            return True

        return check

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if type(schema) is not dict:
            raise SchemaNotCompiled(f"not a schema: {schema!r}")
        nested = self.nested(schema)
        if nested is not None:
            return nested
        checks: list[Check] = []
        done = set(_ANNOTATIONS)
        if schema.get("type") == "object" or {"properties", "additionalProperties"} & set(schema):
            checks.append(self._object(schema))  # an object's keywords, in one function
            done |= _OBJECT if schema.get("type") == "object" else _OBJECT_ANY
        for keyword, argument in schema.items():
            if keyword in done:
                continue
            make = getattr(self, "_" + keyword.lstrip("$"), None)
            if make is None:
                raise SchemaNotCompiled(f"keyword {keyword!r} is not implemented")
            checks.append(make(argument, schema))
        if len(checks) == 1:
            return checks[0]

        def every(v: Any) -> bool:
            for check in checks:
                if not check(v):
                    return False
            return True

        return every

    # One method per keyword: (its argument, the schema) -> a check. Like JSON Schema, a keyword
    # about one type passes every value of another.

    def _ref(self, pointer: str, schema: dict) -> Check:
        return self.ref(pointer)

    def _type(self, names: str | list[str], schema: dict) -> Check:
        tests = [_TYPES[n] for n in ([names] if isinstance(names, str) else names)]
        return tests[0] if len(tests) == 1 else lambda v: any(t(v) for t in tests)

    def _enum(self, values: list[Any], schema: dict) -> Check:
        if all(type(v) is str for v in values):
            allowed = frozenset(values)
            return lambda v: type(v) is str and v in allowed
        return lambda v: any(_equal(v, each) for each in values)

    def _const(self, value: Any, schema: dict) -> Check:
        return lambda v: _equal(v, value)

    def _pattern(self, pattern: str, schema: dict) -> Check:
        search = re.compile(pattern).search
        return lambda v: type(v) is not str or search(v) is not None

    def _minLength(self, n: int, schema: dict) -> Check:
        return lambda v: type(v) is not str or len(v) >= n

    def _maxLength(self, n: int, schema: dict) -> Check:
        return lambda v: type(v) is not str or len(v) <= n

    def _minimum(self, bound: Any, schema: dict) -> Check:
        return lambda v: type(v) not in _NUMBER or not v < bound

    def _minItems(self, n: int, schema: dict) -> Check:
        return lambda v: type(v) is not list or len(v) >= n

    def _uniqueItems(self, unique: bool, schema: dict) -> Check:
        return (lambda v: type(v) is not list or _unique(v)) if unique else (lambda v: True)

    def _items(self, item: Any, schema: dict) -> Check:
        check = self.compile(item)
        return lambda v: type(v) is not list or all(map(check, v))

    def _minProperties(self, n: int, schema: dict) -> Check:
        return lambda v: type(v) is not dict or len(v) >= n

    def _propertyNames(self, names: Any, schema: dict) -> Check:
        check = self.compile(names)
        return lambda v: type(v) is not dict or all(map(check, v))

    def _required(self, names: list[str], schema: dict) -> Check:
        return lambda v: type(v) is not dict or all(name in v for name in names)

    def _oneOf(self, branches: list[Any], schema: dict) -> Check:
        checks = [self.compile(b) for b in branches]
        return lambda v: sum(1 for check in checks if check(v)) == 1

    def _object(self, schema: dict) -> Check:
        """An object's keywords together (its type, if `object`, required, minProperties,
        properties and additionalProperties): every member checked once."""
        typed = schema.get("type") == "object"
        required = schema.get("required", []) if typed else []
        least = schema.get("minProperties", 0) if typed else 0
        properties = {k: self.compile(s) for k, s in schema.get("properties", {}).items()}
        other = schema.get("additionalProperties", True)
        rest = None if other is True else self.compile(other)

        def check(v: Any) -> bool:
            if type(v) is not dict:
                return not typed
            if len(v) < least:
                return False
            for name in required:
                if name not in v:
                    return False
            for key, value in v.items():
                known = properties.get(key)
                if known is not None:
                    if not known(value):
                        return False
                elif rest is not None and not rest(value):
                    return False
            return True

        return check


def compile_schema(schema: dict[str, Any], pointer: str = "") -> Check:
    """A predicate equal to validating against `schema` (or its subschema at the JSON pointer
    `pointer`, its references resolved in `schema`)."""
    return _Compiler(schema).ref("#" + pointer)

"""The messages of protocol version 1: how to build them, parse them and judge them.

Pure functions only, shared by every transport, so that a reply means the same thing whether it
came over a pipe, from a one-shot process or from a responses file. docs/PROTOCOL.md is the
prose; schema/protocol.schema.json is the contract.
"""

from __future__ import annotations

import json
from functools import cache
from itertools import islice
from typing import Any

from ..suite import numbers
from ..suite.numbers import orjson as _orjson
from ..suite.schema_checks import compile_schema
from ..suite.vectors import Case, schema

PROTOCOL = 1
DTYPES = ("float64", "float32")
LABEL_FORMATS = ("sparse", "onehot")
MAX_SHOWN = 200  # characters of a bad reply quoted in a one-line message
ANSWERS = ("outputs", "error", "unsupported")  # a run reply holds exactly one of them
MAX_OUTPUTS = 256  # output names accepted in one reply (a stage has a handful)
# A hostile message can break the schema at every one of a million items: the explanation reads
# the first MAX_ERRORS breaks (deepest first among them) and names at most MAX_PROBLEMS places.
MAX_ERRORS = 1000
MAX_PROBLEMS = 20


def label_formats(info: dict[str, Any], stage: str) -> tuple[str, ...]:
    """The label formats a port accepts in `stage`: its hello gives one list for every stage,
    or an object with a list per stage (a stage it does not name accepts none)."""
    declared = info.get("label_formats", ())
    if isinstance(declared, dict):
        declared = declared.get(stage, ())
    return tuple(declared)


def checks_inputs(info: dict[str, Any]) -> bool:
    """Whether the port is graded on the invalid-input cases (the book checks no inputs)."""
    return info.get("checks_inputs") is True


class ProtocolError(Exception):
    """A message that breaks the protocol; the text is one line and says where."""


# Built once: json.dumps with options builds a new encoder at every call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
# Subclasses of str/int/dict/list, dataclasses and datetimes go to the stdlib encoder, as they
# would be encoded (or refused) by it; orjson would still write an Enum or a UUID the stdlib
# refuses, which no message built from JSON-read vectors can hold.
_OPTIONS = (
    _orjson.OPT_APPEND_NEWLINE
    | _orjson.OPT_PASSTHROUGH_SUBCLASS
    | _orjson.OPT_PASSTHROUGH_DATACLASS
    | _orjson.OPT_PASSTHROUGH_DATETIME
    if _orjson is not None
    else 0
)


def encode(message: dict[str, Any]) -> bytes:
    """One JSON Lines record: compact, UTF-8, newline-terminated.

    orjson writes the same JSON values as the stdlib encoder (floats in their shortest
    round-trip form, though not always spelled alike: 1e-7 for 1e-07, 0.00001 for 1e-05), eight
    times faster. Where it would differ, the stdlib encoder decides, with its own errors: orjson
    refuses an integer beyond 64 bits, a non-string key and a lone surrogate, and writes NaN and
    infinities as null (a message holding a null at all is encoded again by the stdlib)."""
    if _orjson is not None:
        try:
            data = _orjson.dumps(message, option=_OPTIONS)
        except _orjson.JSONEncodeError:
            pass
        else:
            if b"null" not in data:
                return data
    return (_ENCODER.encode(message) + "\n").encode()


def hello_request(suite_version: str) -> dict[str, Any]:
    return {"cmd": "hello", "protocol": PROTOCOL, "suite_version": suite_version}


def run_request(case: Case, seq: int) -> dict[str, Any]:
    """The run message of a case: inputs and params verbatim, never expected values."""
    return {
        "cmd": "run",
        "seq": seq,
        "id": case.id,
        "stage": case.stage,
        "inputs": case.inputs,
        "params": case.params,
    }


BYE = {"cmd": "bye"}


def shorten(text: str, limit: int = MAX_SHOWN, quote: bool = True) -> str:
    """Untrusted text on one line (quoted with repr), cut to `limit` characters."""
    text = repr(text) if quote else " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Repeat(Exception):
    pass


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise _Repeat(key)
        seen.add(key)
    return dict(pairs)


def _pairs_and_colons(value: dict) -> tuple[int, int]:
    """(key-value pairs, ':' inside its keys and string values) of one object."""
    pairs, colons = len(value), 0
    for key, item in value.items():
        colons += key.count(":")
        if type(item) is str:
            colons += item.count(":")
    return pairs, colons


def _surely_unique(raw: bytes, value: Any) -> bool:
    """Whether `raw` (which decoded to `value`) certainly repeats no key in any object, told
    without a second parse for every ordinary message: each key is followed by one ':' in
    the text, and a ':' is otherwise only inside strings. Counting the pairs and string colons
    of the top object and of the objects it holds gives at most the text's ':' count, exactly
    it only when no key was dropped as a repeat (and the text escapes no character, which
    could hide a ':' from the count, so it is looked for only when a counted string holds one).
    Anything else is told by the exact check."""
    colons = raw.count(b":")
    if type(value) is not dict:
        return colons == 0
    pairs, inside = _pairs_and_colons(value)
    for item in value.values():
        if type(item) is dict:
            more, more_inside = _pairs_and_colons(item)
            pairs, inside = pairs + more, inside + more_inside
    return pairs + inside == colons and not (inside and b"\\u" in raw)


def _refuse_repeats(raw: bytes, what: str) -> None:
    """ProtocolError if an object of `raw` (valid JSON) has a key twice: only the last would
    be read, and a reply must mean one thing."""
    try:
        json.loads(
            raw.decode("utf-8", "surrogatepass"),
            object_pairs_hook=_no_repeats,
            parse_int=len,
            parse_float=len,
            parse_constant=len,
        )
    except _Repeat as exc:
        key = shorten(json.dumps(exc.args[0], ensure_ascii=False), 60, quote=False)
        raise ProtocolError(
            f"{what} has the key {key} twice in one object: JSON keys must be unique"
        ) from None
    except (ValueError, RecursionError):  # read once already: nothing more to say
        pass


def parse(line: bytes, what: str = "reply") -> Any:
    """Decode one line of JSON, refusing what Python accepts but JSON does not (NaN, Infinity)
    and an object with a key twice."""
    value = numbers.fast_loads(line)  # valid UTF-8 and JSON, read as the strict path reads it
    if value is not numbers.NOT_READ:
        if not _surely_unique(line, value):
            _refuse_repeats(line, what)
        return value
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        shown = shorten(line.decode("utf-8", "replace"))
        raise ProtocolError(f"{what} is not UTF-8 (byte {exc.start}): {shown}") from None
    try:
        value = numbers.loads(text)
    except RecursionError:
        raise ProtocolError(f"{what} is nested too deeply: {shorten(text, 40)}") from None
    except ValueError as exc:
        reason = (
            f"{exc.msg} at column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else str(exc)
        )
        raise ProtocolError(f"{what} is not JSON ({reason}): {shorten(text.rstrip())}") from None
    raw = text.encode("utf-8", "surrogatepass")
    if not _surely_unique(raw, value):
        _refuse_repeats(raw, what)
    return value


def pointer(path) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


@cache
def _validator(definition: str):
    import jsonschema  # only to explain a message the compiled checks refused

    root = schema("protocol")
    return jsonschema.Draft202012Validator(
        {"$ref": f"#/$defs/{definition}", "$defs": root["$defs"]}
    )


def _best_match(errors):
    import jsonschema

    return jsonschema.exceptions.best_match(errors)


@cache
def _compiled(definition: str):
    """The definition as compiled checks (schema_checks): whether a message is valid, without
    importing jsonschema, which is asked only to say what is wrong with one."""
    return compile_schema(schema("protocol"), f"/$defs/{definition}")


def schema_problems(message: Any, definition: str) -> list[str]:
    """Every place `message` breaks schema/protocol.schema.json#/$defs/`definition`, as
    'JSON-pointer: what is wrong', deepest first so a learner sees the real culprit."""
    if _compiled(definition)(message):
        return []
    errors = sorted(
        islice(_validator(definition).iter_errors(message), MAX_ERRORS),
        key=lambda e: (-len(e.absolute_path), list(map(str, e.absolute_path))),
    )
    problems: list[str] = []
    seen: set[str] = set()
    for error in errors:
        # oneOf failures repeat their branches' errors; the branch errors are the useful part.
        leaves = [error]
        if error.context:
            best = _best_match(error.context)
            leaves = [best] if best is not None else leaves
        for leaf in leaves:
            text = (
                leaf.message
                if len(leaf.message) <= MAX_SHOWN
                else leaf.message[: MAX_SHOWN - 3] + "..."
            )
            line = f"{pointer(leaf.absolute_path)}: {text}"
            if line not in seen:
                seen.add(line)
                problems.append(line)
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


def check_hello(reply: Any, every_problem: bool = False) -> dict[str, Any]:
    """Accept a hello reply or raise ProtocolError naming the first (or every) problem."""
    if isinstance(reply, dict) and "protocol" in reply and reply["protocol"] != PROTOCOL:
        raise ProtocolError(
            f"the port speaks protocol {shorten(json.dumps(reply['protocol']), 40, quote=False)}, "
            f"this runner speaks {PROTOCOL}"
        )
    problems = schema_problems(reply, "hello_reply")
    if problems:
        shown = "; ".join(problems) if every_problem else problems[0]
        raise ProtocolError(f"hello reply is invalid: {shown}")
    return reply


def check_reply(reply: Any, seq: int, strict: bool = False) -> dict[str, Any]:
    """Accept a run reply for request `seq`, or raise ProtocolError.

    The lenient check (the default) asks only what grading needs: an object, the right seq,
    outputs, an error with a string kind, or `unsupported` with a reason. Wrong output names,
    shapes and values are the grader's business, reported as a failed case rather than a broken
    protocol. `strict` (--validate-protocol) holds the reply to the full schema.
    """
    if not isinstance(reply, dict):
        raise ProtocolError(f"reply must be a JSON object, got {type(reply).__name__}")
    if "seq" not in reply:
        raise ProtocolError("reply has no seq")
    if reply["seq"] != seq or isinstance(reply["seq"], bool):
        got = shorten(json.dumps(reply["seq"]), 40, quote=False)
        raise ProtocolError(f"reply has seq {got}, the request had seq {seq}")
    if strict:
        problems = schema_problems(reply, "run_reply")
        if problems:
            raise ProtocolError(f"reply breaks the protocol at {problems[0]}")
    answers = [key for key in ANSWERS if key in reply]
    if len(answers) != 1:
        raise ProtocolError(
            "reply must have exactly one of outputs, error and unsupported, got "
            + " and ".join(answers)
            if answers
            else "reply has neither outputs nor error (nor unsupported)"
        )
    if answers == ["unsupported"]:
        if not isinstance(reply["unsupported"], str) or not reply["unsupported"].strip():
            raise ProtocolError(
                "reply unsupported must be a non-empty string saying why, got "
                f"{shorten(json.dumps(reply['unsupported']), quote=False)}"
            )
    if (
        answers == ["outputs"]
        and isinstance(reply["outputs"], dict)
        and len(reply["outputs"]) > MAX_OUTPUTS
    ):
        raise ProtocolError(
            f"reply has {len(reply['outputs'])} outputs, more than the "
            f"{MAX_OUTPUTS} a reply may have (a stage has a handful)"
        )
    if answers == ["error"]:
        error = reply["error"]
        if not isinstance(error, dict) or not isinstance(error.get("kind"), str):
            raise ProtocolError(
                f"reply error must be an object with a string kind, got "
                f"{shorten(json.dumps(error), quote=False)}"
            )
    return reply

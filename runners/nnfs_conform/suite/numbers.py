"""JSON has no NaN or infinities: the suite writes them as strings, everywhere a number can be."""

from __future__ import annotations

import json
import math
from itertools import chain
from typing import Any

try:  # a compiled parser for the common case; the stdlib decoders below remain the reference
    import orjson
except ImportError:  # pragma: no cover - a declared dependency, but the runner works without it
    orjson = None  # type: ignore[assignment]  # (the module, or None: checked before each use)

NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def reject_constant(name: str) -> Any:
    """json.loads hook: Python accepts bare NaN and Infinity tokens, JSON does not."""
    raise ValueError(f'bare {name} is not JSON; write the string "{name}"')


def _beyond(text: str) -> ValueError:
    """The one message for a number no float64 holds, written as an integer or not."""
    shown = text if len(text) <= 40 else f"{text[:12]}...{text[-6:]} ({len(text)} characters)"
    return ValueError(f'{shown} is beyond the float64 range; write "Infinity" if you mean it')


def finite_float(text: str) -> float:
    """json.loads hook: a number beyond the float64 range would silently read as infinity."""
    value = float(text)
    if not math.isfinite(value):
        raise _beyond(text)
    return value


def finite_int(text: str) -> int:
    """json.loads hook: an integer beyond the float64 range is refused as 1e400 is, before
    Python reads its digits (100,000 of them would hit int's conversion limit)."""
    if len(text) > 310:
        raise _beyond(text)
    value = int(text)
    try:
        float(value)
    except OverflowError:
        raise _beyond(text) from None
    return value


# A JSON number can overflow a float64 only with 3+ exponent digits or 200+ digits in a row
# (10**308 needs one or the other); text without either is read by the C parser alone, at full
# speed, and text with either (or a false alarm: a string like "e123") through finite_float.
# The test is [eE][+-]?[0-9]{3}|[0-9]{200} on the UTF-8 bytes, done as one bytes.translate into
# character classes (digit -> 0, e/E -> e, +/- -> +, else space) and three substring searches:
# a regex scanning every position for 200 digits cost more than the JSON decoding itself.
_CLASSES = bytes(
    ord("0")
    if chr(b).isdigit() and b < 128
    else ord("e")
    if b in b"eE"
    else ord("+")
    if b in b"+-"
    else ord(" ")
    for b in range(256)
)
_RUN = b"0" * 200


def _may_overflow(raw: bytes) -> bool:
    classes = raw.translate(_CLASSES)
    return b"e000" in classes or b"e+000" in classes or _RUN in classes


_FAST = json.JSONDecoder(parse_constant=reject_constant)  # built once, not at every call
_CHECKED = json.JSONDecoder(
    parse_constant=reject_constant, parse_float=finite_float, parse_int=finite_int
)


# orjson reads the same documents as the strict decoders above, to the same values, with three
# exceptions it does not fail on, which are sent to the stdlib path before it is tried:
# - an integer beyond 64 bits: orjson reads it as a float, Python as an int. Such an integer has
#   a run of 19+ digits not preceded by a '.' (a fraction's digits are read alike, correctly
#   rounded, tested); found as one bytes.translate (digit -> 0, '.' -> '.', else x) and a search.
# - nesting deeper than the stdlib's recursion limit (orjson allows 1024 levels): text of 1,000+
#   bytes with 500+ '[' or '{' goes to the stdlib, which fails as it always did, or not.
# Everything orjson refuses (bare NaN/Infinity, a number that overflows a float64, lone
# surrogates, a BOM, bad UTF-8, trailing data...) is read again by the stdlib path, so every
# error and its message are the stdlib's. tests/test_runner_speed.py holds the two paths to the
# same results on hostile texts.
NOT_READ = object()  # fast_loads: "ask the stdlib path"
_DIGITS = bytes(ord("0") if 48 <= b < 58 else ord(".") if b == 46 else ord("x") for b in range(256))
_INT_RUN = b"0" * 19
_BIG_INT = b"x" + _INT_RUN
_DEEP = 500


def fast_loads(raw: bytes, *, read_before: bool = False) -> Any:
    """orjson's reading of UTF-8 `raw` when it equals the strict decoders', else NOT_READ.
    `read_before`: the stdlib decoder read these very bytes already (a vector file whose
    check is remembered), so their nesting is within its limit: the depth is not measured."""
    if orjson is None:
        return NOT_READ
    digits = raw.translate(_DIGITS)
    if digits.rfind(_BIG_INT) >= 0 or digits.startswith(_INT_RUN):
        return NOT_READ
    try:
        value = orjson.loads(raw)
    except Exception:  # noqa: BLE001 - whatever orjson refuses, the stdlib path explains
        return NOT_READ
    if (
        not read_before
        and len(raw) >= 2 * _DEEP
        and raw.count(b"[") + raw.count(b"{") >= _DEEP
        and _deep(value)
    ):
        return NOT_READ
    return value


_CONTAINERS = frozenset((list, dict))


def _deep(value: Any) -> bool:
    """Whether `value` nests _DEEP or more levels of lists and objects, level by level."""
    level = [value]
    for _ in range(_DEEP):
        kinds = set(map(type, level))
        if kinds.isdisjoint(_CONTAINERS):
            return False
        if kinds == {list}:
            level = [*chain.from_iterable(level)]
        else:
            level = [
                *chain.from_iterable(
                    v.values() if type(v) is dict else v for v in level if type(v) in _CONTAINERS
                )
            ]
    return True


def loads(text: str | bytes) -> Any:
    """Strict JSON: no NaN or Infinity tokens, no number that overflows a float64."""
    raw = None
    if isinstance(text, (bytes, bytearray)):
        encoding = json.detect_encoding(text)
        if encoding == "utf-8":
            raw = text
            value = fast_loads(raw)
            if value is not NOT_READ:
                return value
        text = text.decode(encoding, "surrogatepass")
    if not isinstance(text, str) or text.startswith("\ufeff"):  # json.loads says what is wrong
        return json.loads(
            text, parse_constant=reject_constant, parse_float=finite_float, parse_int=finite_int
        )
    if raw is None:
        raw = text.encode("utf-8", "surrogatepass")
        value = fast_loads(raw)
        if value is not NOT_READ:
            return value
    decoder = _CHECKED if _may_overflow(raw) else _FAST
    return decoder.decode(text)


_PLAIN_NUMBERS = frozenset((int, float))


def decode(value: Any) -> Any:
    """Nested JSON lists with "NaN"/"Infinity"/"-Infinity" strings -> nested lists of floats."""
    if isinstance(value, list):
        if _PLAIN_NUMBERS.issuperset(map(type, value)):  # a row of plain numbers: a copy
            return list(value)
        return [decode(v) for v in value]
    if isinstance(value, str) and value in NON_FINITE:
        return NON_FINITE[value]
    return value


def encode(value: Any) -> Any:
    """The inverse of decode: non-finite floats become their string names."""
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            return "NaN"
        return "Infinity" if value > 0 else "-Infinity"
    return value


def is_number(value: Any) -> bool:
    """A JSON number or one of the three non-finite names; booleans are not numbers."""
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, float)) or (isinstance(value, str) and value in NON_FINITE)


def shape_of(value: Any) -> tuple[int, ...] | None:
    """The shape of a rectangular nested list of numbers, () for a scalar, None if ragged.
    (A level at a time: no recursion, however deep the nesting.)"""
    if not isinstance(value, list):
        return () if is_number(value) else None
    shape, level = [], [value]
    while True:
        n = len(level[0])
        if any(len(x) != n for x in level):
            return None
        shape.append(n)
        if not n:
            return tuple(shape)
        level = [v for x in level for v in x]
        kinds = set(map(type, level))
        if kinds == {list}:
            continue
        if kinds <= _PLAIN_NUMBERS or all(map(is_number, level)):
            return tuple(shape)
        if not all(isinstance(v, list) for v in level):
            return None

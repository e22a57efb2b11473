"""JSON has no NaN or infinities: the suite writes them as strings, everywhere a number can be."""

from __future__ import annotations

import json
import math
from typing import Any

NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def reject_constant(name: str) -> Any:
    """json.loads hook: Python accepts bare NaN and Infinity tokens, JSON does not."""
    raise ValueError(f'bare {name} is not JSON; write the string "{name}"')


def finite_float(text: str) -> float:
    """json.loads hook: a number beyond the float64 range would silently read as infinity."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f'{text} is beyond the float64 range; write "Infinity" if you mean it')
    return value


# A JSON number can overflow a float64 only with 3+ exponent digits or 200+ digits in a row
# (10**308 needs one or the other); text without either is read by the C parser alone, at full
# speed, and text with either (or a false alarm: a string like "e123") through finite_float.
# The test is [eE][+-]?[0-9]{3}|[0-9]{200} on the UTF-8 bytes, done as one bytes.translate into
# character classes (digit -> 0, e/E -> e, +/- -> +, else space) and three substring searches:
# a regex scanning every position for 200 digits cost more than the JSON decoding itself.
_CLASSES = bytes(
    ord("0") if chr(b).isdigit() and b < 128 else ord("e") if b in b"eE"
    else ord("+") if b in b"+-" else ord(" ")
    for b in range(256)
)
_RUN = b"0" * 200


def _may_overflow(raw: bytes) -> bool:
    classes = raw.translate(_CLASSES)
    return b"e000" in classes or b"e+000" in classes or _RUN in classes


_FAST = json.JSONDecoder(parse_constant=reject_constant)  # built once, not at every call
_CHECKED = json.JSONDecoder(parse_constant=reject_constant, parse_float=finite_float)


def loads(text: str | bytes) -> Any:
    """Strict JSON: no NaN or Infinity tokens, no number that overflows a float64."""
    raw = None
    if isinstance(text, (bytes, bytearray)):
        encoding = json.detect_encoding(text)
        if encoding == "utf-8":
            raw = text
        text = text.decode(encoding, "surrogatepass")
    if not isinstance(text, str) or text.startswith("\ufeff"):  # json.loads says what is wrong
        return json.loads(text, parse_constant=reject_constant, parse_float=finite_float)
    if raw is None:
        raw = text.encode("utf-8", "surrogatepass")
    decoder = _CHECKED if _may_overflow(raw) else _FAST
    return decoder.decode(text)


def decode(value: Any) -> Any:
    """Nested JSON lists with "NaN"/"Infinity"/"-Infinity" strings -> nested lists of floats."""
    if isinstance(value, list):
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
    """The shape of a rectangular nested list of numbers, () for a scalar, None if ragged."""
    if not isinstance(value, list):
        return () if is_number(value) else None
    if not value:
        return (0,)
    inner = [shape_of(v) for v in value]
    if inner[0] is None or any(s != inner[0] for s in inner):
        return None
    return (len(value), *inner[0])

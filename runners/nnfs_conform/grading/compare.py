"""The one comparison rule of the suite: per element, |got - want| <= tol, in float64.

NaN must meet NaN, an infinity the same infinity; the sign of zero is not compared (ports differ
on max(0, -0.0) and the mathematics does not care). Every comparison also measures the worst
element, as a ratio of its tolerance and in ULPs of the port's dtype, so passes are measured too.

The rule is written once, as `error` (how far got is from want) and `ratio` (that error against
the tolerance: an element passes when its ratio is at most 1). The general path and the element
walk call them for every element; the bulk path (`_compare_plain`) computes the same ratios a
list at a time (`_ratios`), and tests/test_runner_speed.py holds each of its shortcuts to
`ratio` element by element. (NumPy is not used: importing it cost a run more than it saved.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import chain, compress
from operator import add as _add
from operator import not_ as _not
from operator import sub as _sub
from operator import truediv as _truediv
from typing import Any, NamedTuple

from ..suite.numbers import NON_FINITE, is_number, shape_of

# frexp exponent of the smallest normal number, and the precision, per dtype.
_FORMATS = {"float64": (-1021, 53), "float32": (-125, 24)}


def ulp(x: float, dtype: str) -> float:
    """The spacing of `dtype` floats at x (subnormal spacing below the normal range)."""
    emin, precision = _FORMATS[dtype]
    exponent = math.frexp(x)[1] if x else emin
    return math.ldexp(1.0, max(exponent, emin) - precision)


class Worst(NamedTuple):
    """The element that came closest to (or went furthest past) its tolerance.

    (A named tuple rather than a frozen dataclass: one is made for every case, at a third of
    the cost; the repr and the fields are the same.)"""

    output: str
    index: tuple[int, ...]  # type: ignore[assignment]  # shadows tuple.index: reports read it
    got: float
    want: float
    error: float
    tol: float
    ratio: float  # error / tol; 0 for an exact match, inf past a zero tolerance
    ulps: float  # error in ULPs of the port's dtype at `want`


@dataclass
class Comparison:
    elements: int = 0
    out_of_tolerance: int = 0
    problems: list[str] = field(default_factory=list)  # structure: missing, extra, shape, type
    worst: Worst | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.out_of_tolerance == 0


def _as_float(value: Any) -> float | None:
    if isinstance(value, str):
        return NON_FINITE.get(value)
    if not is_number(value):
        return None
    try:
        return float(value)
    except OverflowError:  # a JSON integer beyond the float range
        return None


def _flatten(value: Any, index: tuple[int, ...] = ()):
    if isinstance(value, list):
        for i, v in enumerate(value):
            yield from _flatten(v, (*index, i))
    else:
        yield index, value


def error(got: float, want: float) -> float:
    """|got - want|; 0 where NaN meets NaN or an infinity the same infinity, else inf past a
    non-finite number. The sign of zero is not compared (|-0.0 - 0.0| is 0)."""
    difference = abs(got - want)
    if difference < math.inf:  # both finite (a NaN or an overflow fails the test)
        return difference
    return 0.0 if got == want or (got != got and want != want) else math.inf


def ratio(err: float, tol: float) -> float:
    """The error as a multiple of its tolerance: 0 for an exact match (whatever the tolerance),
    inf past a tolerance that is not positive. An element passes when its ratio is <= 1."""
    if err == 0:
        return 0.0
    return err / tol if tol > 0 else math.inf


def _element(name: str, index, got: float, want: float, tol: float, dtype: str) -> Worst:
    e = error(got, want)
    ulps = e / ulp(want, dtype) if math.isfinite(want) and e < math.inf else e
    return Worst(name, index, got, want, e, tol, ratio(e, tol), ulps)


_PLAIN = frozenset((float, int))
_FLOAT = {float}  # exact types: a bool is not a number here


def _shape_and_leaves(value: Any) -> tuple[tuple[int, ...], list[Any]] | None:
    """shape_of(value) and its leaves in row-major order, level by level; None if ragged or
    not numbers."""
    if type(value) is not list:
        if isinstance(value, list):  # a list subclass: the general walk
            return _shape_and_leaves(list(value))
        return ((), [value]) if is_number(value) else None
    shape, level = [], [value]
    while True:
        n = len(level[0])
        if len(level) > 1 and len(set(map(len, level))) != 1:
            return None
        shape.append(n)
        flat = level[0] if len(level) == 1 else [v for x in level for v in x]
        kinds = set(map(type, flat))
        if kinds == {list}:
            level = flat
            continue
        if not kinds <= _PLAIN:
            for v in flat:
                if not is_number(v):  # also a list mixed with numbers, a subclass of list
                    return None
        return tuple(shape), flat


def _leaves(value: Any) -> list[Any]:
    if type(value) is not list:
        return _leaves_slowly(value)
    flat = value
    while True:
        kinds = set(map(type, flat))
        if kinds != {list}:
            return flat if list not in kinds else _leaves_slowly(value)
        flat = [v for x in flat for v in x]


def _leaves_slowly(value: Any) -> list[Any]:
    if not isinstance(value, list):
        return [value]
    out: list[Any] = []
    for v in value:
        if isinstance(v, list):
            out += _leaves_slowly(v)
        else:
            out.append(v)
    return out


def _unravel(k: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    index = []
    for n in reversed(shape):
        k, i = divmod(k, n)
        index.append(i)
    return tuple(reversed(index))


def _outputs_object(got: Any, expected: dict[str, Any]) -> Comparison:
    """A comparison holding what is wrong with the outputs object itself (type, extra names)."""
    result = Comparison()
    if not isinstance(got, dict):
        result.problems.append(f"outputs must be an object, got {type(got).__name__}")
        return result
    for name in sorted(set(got) - set(expected)):
        result.problems.append(f"unexpected output {name!r} (the stage has {sorted(expected)})")
    return result


_chain = chain.from_iterable
_INF = math.inf
_LISTS = {list}
_MISSING = object()
_FEW = 6  # elements up to which one Python loop is cheaper than a few passes of map()


def _flat(got: Any, want: Any, tol: Any, shape: list[int]) -> tuple[list, list, list] | None:
    """The leaves of got, want and tol when each is nested plain lists of exactly `shape`
    (checked a level at a time, the three together), else None."""
    n = shape[0]
    if (
        type(got) is not list
        or type(tol) is not list
        or len(got) != n
        or len(want) != n
        or len(tol) != n
    ):
        return None
    for m in shape[1:]:
        level = got + want + tol
        if set(map(type, level)) != _LISTS or set(map(len, level)) != {m}:
            return None
        got, want, tol = [*_chain(got)], [*_chain(want)], [*_chain(tol)]
    return got, want, tol


def _compare_plain(got: Any, expected: dict[str, Any], dtype: str) -> Comparison | None:
    """compare_outputs of the common reply, in bulk over all of a case's outputs at once; None
    when anything is out of the ordinary (a missing or extra output, another shape, a leaf that
    is not a float or an int that fits, a non-finite error, a NaN tolerance...), for the general
    path to say what. Every element's ratio is the one the general path computes, and the worst
    element is the first largest ratio in the order of `expected`, as there."""
    if type(got) is not dict or len(got) != len(expected):
        return None
    gots: list[Any] = []
    wants: list[Any] = []
    tols: list[Any] = []
    spans: list[tuple[int, str, tuple[int, ...]]] = []  # (first leaf, name, shape) per output
    for name, want in expected.items():
        g = got.get(name, _MISSING)
        w, t = want.value, want.tol
        if type(w) is not list:  # a scalar
            if type(g) is list or type(t) is list or g is _MISSING:
                return None
            spans.append((len(gots), name, ()))
            gots.append(g)
            wants.append(w)
            tols.append(t)
            continue
        n = len(w)
        if not n or type(w[0]) is not list:  # one dimension: leaves are checked below
            if type(g) is not list or type(t) is not list or len(g) != n or len(t) != n:
                return None
            spans.append((len(gots), name, (n,)))
            gots += g
            wants += w
            tols += t
            continue
        dims = [n]
        first = w[0]
        while type(first) is list:
            dims.append(len(first))
            if not first:
                break
            first = first[0]
        flat = _flat(g, w, t, dims)
        if flat is None:
            return None
        spans.append((len(gots), name, tuple(dims)))
        gots += flat[0]
        wants += flat[1]
        tols += flat[2]
    kinds = set(map(type, gots + wants))
    if kinds != _FLOAT:
        if not kinds <= _PLAIN:
            return None
        try:
            gots = list(map(float, gots))
        except OverflowError:
            return None
    count = len(gots)
    if count <= _FEW:
        found = _ratios_one_by_one(gots, wants, tols)
    else:
        found = _ratios(gots, wants, tols)
    if found is None:
        return None
    result = Comparison(elements=count)
    if not count:
        return result
    top, k, result.out_of_tolerance = found
    for span in reversed(spans):
        if span[0] <= k:
            break
    start, name, shape = span
    g, w, t = gots[k], wants[k], tols[k]
    e = abs(g - w)
    if e < _INF:  # the common worst element, described at once: its ratio is `top`
        result.worst = Worst(name, _unravel(k - start, shape), g, w, e, t, top, e / ulp(w, dtype))
    else:
        result.worst = _element(name, _unravel(k - start, shape), g, w, t, dtype)
    return result


def _ratios_one_by_one(gots: list[float], wants: list[Any], tols: list[Any]) -> tuple | None:
    """_ratios in one loop, cheaper for a few elements: the rule itself, element by element."""
    top, at, over = 0.0, 0, 0  # a ratio is never below 0
    try:
        for k, (g, w, t) in enumerate(zip(gots, wants, tols)):
            e = abs(g - w)
            r = ratio(e if e < _INF else error(g, w), t)
            if r > top:
                top, at = r, k
            if r > 1:
                over += 1
    except (TypeError, OverflowError):  # not with valid vectors: the general path raises alike
        return None
    return top, at, over


def _ratios(gots: list[float], wants: list[Any], tols: list[Any]) -> tuple | None:
    """(largest ratio, its first index, how many ratios pass 1) of plain floats, or None.

    ratio(error(g, w), t) of every element, a list at a time: where every error is finite and
    every tolerance positive, ratio is the plain quotient; where every zero tolerance is met
    exactly, it is e / (t + 1) there (0) and e / t elsewhere; anything else calls the rule."""
    try:
        errors = list(map(abs, map(_sub, gots, wants)))
        if not sum(errors) < math.inf:  # a NaN or an infinity: the rule's own error
            errors = list(map(error, gots, wants))
        total, least = sum(tols), min(tols, default=1)
        if total != total:  # a NaN tolerance: not in valid vectors
            ratios = list(map(ratio, errors, tols))
        elif least > 0:
            ratios = list(map(_truediv, errors, tols))
        elif least == 0 and not any(compress(errors, zeros := list(map(_not, tols)))):
            # as 0 / 1 (t + True) at a zero tolerance, e / (t + False) = e / t elsewhere
            ratios = list(map(_truediv, errors, map(_add, tols, zeros)))
        else:
            ratios = list(map(ratio, errors, tols))
    except (TypeError, OverflowError):  # not with valid vectors: the general path raises alike
        return None
    if not ratios:
        return 0.0, 0, 0
    top = max(ratios)
    return top, ratios.index(top), sum(1 for r in ratios if r > 1) if top > 1 else 0


def compare_outputs(got: Any, expected: dict[str, Any], dtype: str) -> Comparison:
    """Compare a port's `outputs` object with a case's expected outputs at one tier.

    `expected` maps each output name to an object with decoded `value` and `tol` nested lists.
    The common reply in bulk (_compare_plain), else one flat loop per output that says what is
    wrong; only the worst element is described in full.
    """
    plain = _compare_plain(got, expected, dtype)
    if plain is not None:
        return plain
    result = _outputs_object(got, expected)
    if not isinstance(got, dict):
        return result
    worst = None  # (name, shape, k, got, want, tol)
    worst_ratio = -1.0
    for name, want in expected.items():
        if name not in got:
            result.problems.append(f"missing output {name!r}")
            continue
        wanted = _shape_and_leaves(want.value)
        if wanted is None:  # not reachable with valid vectors: the general walk says why
            return _compare_slowly(got, expected, dtype)
        want_shape, want_leaves = wanted
        found = _shape_and_leaves(got[name])
        if found is None:
            result.problems.append(f"output {name!r} is not a rectangular array of numbers")
            continue
        got_shape, got_leaves = found
        if got_shape != want_shape:
            result.problems.append(
                f"output {name!r} has shape {list(got_shape)}, want {list(want_shape)}"
            )
            continue
        for k, (g, w, t) in enumerate(zip(got_leaves, want_leaves, _leaves(want.tol))):
            value = g if type(g) is float else _as_float(g)
            if value is None:
                result.problems.append(
                    f"output {name!r}{list(_unravel(k, got_shape))} is not a number: {g!r}"
                )
                continue
            r = ratio(error(value, w), t)
            result.elements += 1
            if r > 1:
                result.out_of_tolerance += 1
            if r > worst_ratio:
                worst_ratio = r
                worst = (name, got_shape, k, value, w, t)
    if worst is not None:
        name, shape, k, value, w, t = worst
        result.worst = _element(name, _unravel(k, shape), value, w, t, dtype)
    return result


def _compare_slowly(got: Any, expected: dict[str, Any], dtype: str) -> Comparison:
    """compare_outputs as an element walk, every element described: the reference the faster
    paths are held to (tests/test_runner_speed.py), and the answer for expected values that
    are not rectangular.
    """
    result = _outputs_object(got, expected)
    if not isinstance(got, dict):
        return result
    for name, want in expected.items():
        if name not in got:
            result.problems.append(f"missing output {name!r}")
            continue
        want_shape = shape_of(want.value)
        assert want_shape is not None  # the suite's files were checked when loaded
        got_shape = shape_of(got[name])
        if got_shape is None:
            result.problems.append(f"output {name!r} is not a rectangular array of numbers")
            continue
        if got_shape != want_shape:
            result.problems.append(
                f"output {name!r} has shape {list(got_shape)}, want {list(want_shape)}"
            )
            continue
        for (index, g), (_, w), (_, t) in zip(
            _flatten(got[name]), _flatten(want.value), _flatten(want.tol)
        ):
            value = _as_float(g)
            if value is None:
                result.problems.append(f"output {name!r}{list(index)} is not a number: {g!r}")
                continue
            element = _element(name, index, value, w, t, dtype)
            result.elements += 1
            if element.ratio > 1:
                result.out_of_tolerance += 1
            if result.worst is None or element.ratio > result.worst.ratio:
                result.worst = element
    return result

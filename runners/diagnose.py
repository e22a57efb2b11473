"""Name the mistake behind a failed case, or say nothing.

For a case whose outputs failed, every catalogued mistake that can change the case's stage at
the port's dtype is replayed on the case's inputs (`mistakes.py`). A mistake fits when the
port's outputs pass the one comparison rule against the mistake's outputs, with the case's own
tolerances (`compare_outputs`). Among the fits the most specific wins (`Mistake.specificity`);
with none, or with two equally specific fits at the top, the answer is None: never a guess.

Sound by construction: a mistake may fit only a case on which it is decisively wrong, i.e. one
of its elements is more than DECISIVE = 2 tolerances from the expected value, or its outputs
have another structure. A port within 1 tolerance of the expected value (a correct port) is then
more than 1 tolerance from the mistake at that element, so no correct output can ever be named.
"""

from __future__ import annotations

from typing import Any

from .compare import compare_outputs
from .mistakes import Mistake, applicable
from .numbers import decode, shape_of
from .vectors import Case, Expected

DECISIVE = 2.0
_CACHE: dict[tuple[str, str, str, str], dict[str, Expected] | None] = {}
_CACHE_LIMIT = 20000


def _flat(value: Any):
    if isinstance(value, list):
        for v in value:
            yield from _flat(v)
    else:
        yield value


def _filled(shape: tuple[int, ...], value: float) -> Any:
    if not shape:
        return value
    return [_filled(shape[1:], value) for _ in range(shape[0])]


def _as_expected(
    mutant: dict[str, Any], expected: dict[str, Expected], dtype: str
) -> dict[str, Expected] | None:
    """The mistake's outputs as expected values, with the case's tolerances; None when the
    mistake is not decisively wrong on this case (it then cannot be told from a correct port)."""
    if not isinstance(mutant, dict) or set(mutant) != set(expected):
        return None
    against = compare_outputs(mutant, expected, dtype)
    if not against.problems and (against.worst is None or against.worst.ratio <= DECISIVE):
        return None
    out = {}
    for name, want in expected.items():
        value = decode(mutant[name])
        shape = shape_of(mutant[name])
        if shape is None:
            return None
        if shape == shape_of(want.value):
            tol = want.tol
        else:  # a mistake that changes the shape: the output's widest tolerance, everywhere
            widest = max((t for t in _flat(want.tol) if isinstance(t, (int, float))), default=0.0)
            tol = _filled(shape, widest)
        out[name] = Expected(value, tol)
    return out


def mutant_expected(mistake: Mistake, case: Case, dtype: str) -> dict[str, Expected] | None:
    """The mistake's outputs on the case (cached), or None when it raises or is not decisive."""
    key = (mistake.id, case.id, case.fingerprint, dtype)
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        try:
            outputs = mistake.runner(dtype)(case.stage, decode(case.inputs), case.params)
            _CACHE[key] = _as_expected(outputs, case.expected[dtype], dtype)
        except Exception:  # noqa: BLE001 - a mutant that cannot run these inputs fits nothing
            _CACHE[key] = None
    return _CACHE[key]


def matches(case: Case, outputs: Any, dtype: str) -> list[Mistake]:
    """Every mistake whose outputs the port's outputs reproduce, in catalogue order."""
    if case.error is not None or case.expected is None or not isinstance(outputs, dict):
        return []
    found = []
    for mistake in applicable(case.stage, dtype):
        want = mutant_expected(mistake, case, dtype)
        if want is None:
            continue
        fit = compare_outputs(outputs, want, dtype)
        if fit.ok:
            found.append(mistake)
    return found


def diagnose(case: Case, outputs: Any, dtype: str) -> Mistake | None:
    """The most specific catalogued mistake that reproduces `outputs` on `case`, or None."""
    try:
        found = matches(case, outputs, dtype)
    except Exception:  # noqa: BLE001 - a diagnosis never breaks a run
        return None
    top = max((m.specificity for m in found), default=None)
    best = [m for m in found if m.specificity == top]
    return best[0] if len(best) == 1 else None


def diagnosis_record(mistake: Mistake | None) -> dict[str, str] | None:
    """The `diagnosis` of a case result."""
    if mistake is None:
        return None
    return {"id": mistake.id, "explanation": mistake.explanation, "fix": mistake.fix}

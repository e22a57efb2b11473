"""Name the mistake behind a stage's failures, or say honestly that none explains them.

Every catalogued mistake that can change a stage at the port's dtype is replayed on the inputs
of the stage's cases (`mistakes.py`), and held against the port's answers on ALL of them, not
one: a mistake is named only when the port behaves like it on every case of the stage that gave
outputs. On a case where the mistake is decisively wrong (an element more than DECISIVE = 2
tolerances from the expected value, or another structure) the port must have failed with the
mistake's outputs (within the case's tolerances): that is evidence. On a case where the mistake
is about right, the port must have passed, or match the mistake there too. One case that
contradicts it, and the mistake is out. A case whose port outputs are degenerate (every element
NaN, zero, the same number, or an integer where the expected values are not) is evidence only
when the mistake gives exactly that pattern there: many different bugs give those.

With one mistake left that has evidence, it is named; with several, all of them are shown as
"one of" (the vectors cannot tell them apart: never the narrower by rank); with none, "no
single known mistake explains these failures", and the mistakes that reproduce the most failed
cases are shown as candidates.

Sound by construction: a correct port passes every case, so a mistake with evidence would need
a decisive case the port passed, which contradicts it. Nothing is named from a passing stage.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..grading.compare import compare_outputs
from ..suite.numbers import decode, shape_of
from ..suite.vectors import Case, Expected

if TYPE_CHECKING:
    from .mistakes import Mistake

DECISIVE = 2.0


def applicable(stage: str, dtype: str):
    """mistakes.applicable, imported on the first failure: a green run never loads the
    catalogue (nor the NumPy reference its mistakes replay)."""
    from .mistakes import applicable as catalogue

    return catalogue(stage, dtype)


_CACHE: dict[tuple, Any] = {}
_CACHE_LIMIT = 100_000


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


def matches(case: Case, outputs: Any, dtype: str) -> list[Mistake]:
    """Every mistake decisively wrong on `case` whose outputs the port's outputs reproduce, in
    catalogue order: what this one case alone would say."""
    if case.error is not None or case.expected is None or not isinstance(outputs, dict):
        return []
    found = []
    for mistake in applicable(case.stage, dtype):
        for form in mistake.all_forms:
            want, decisive = replay(mistake, case, dtype, form)
            if want is not None and decisive and compare_outputs(outputs, want, dtype).ok:
                found.append(mistake)
                break
    return found


def replay(
    mistake: Mistake, case: Case, dtype: str, form: str = ""
) -> tuple[dict[str, Expected] | None, bool]:
    """The mistake's outputs on the case (in one of its forms) as expected values with the
    case's tolerances, and whether it is decisively wrong there; (None, False) when it cannot
    run these inputs (a port with it would crash: the case says nothing about it)."""
    key = ("replay", mistake.id, form, case.id, case.fingerprint, dtype)
    assert case.expected is not None  # replayed on valid cases only (StageEvidence.add)
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        try:
            outputs = mistake.runner(dtype, form)(case.stage, decode(case.inputs), case.params)
            _CACHE[key] = _replayed(outputs, case.expected[dtype], dtype)
        except Exception:  # noqa: BLE001 - a mutant that cannot run these inputs says nothing
            _CACHE[key] = (None, False)
    return _CACHE[key]


def _replayed(mutant: Any, expected: dict[str, Expected], dtype: str):
    if not isinstance(mutant, dict) or set(mutant) != set(expected):
        return None, False
    against = compare_outputs(mutant, expected, dtype)
    decisive = bool(against.problems) or (
        against.worst is not None and against.worst.ratio > DECISIVE
    )
    out = {}
    for name, want in expected.items():
        shape = shape_of(mutant[name])
        if shape is None:
            return None, False
        if shape == shape_of(want.value):
            tol = want.tol
        else:  # a mistake that changes the shape: the output's widest tolerance, everywhere
            widest = max((t for t in _flat(want.tol) if isinstance(t, (int, float))), default=0.0)
            tol = _filled(shape, widest)
        out[name] = Expected(decode(mutant[name]), tol)
    return out, decisive


def degenerate(outputs: Any, expected: dict[str, Expected]) -> str | None:
    """The pattern of outputs that many different bugs give, or None: every element NaN
    ("nan"), or zero ("zero"), or one and the same number ("same 0.5"), or an integer where the
    expected values are not all integers ("integers")."""
    got = [
        x
        for name in expected
        if isinstance(outputs, dict) and name in outputs
        for x in _flat(decode(outputs[name]))
    ]
    if not got or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in got):
        return None
    if all(x != x for x in got):
        return "nan"
    if all(x == 0 for x in got):
        return "zero"
    if len(got) > 1 and all(x == got[0] for x in got):
        return f"same {got[0]!r}"
    want = [x for e in expected.values() for x in _flat(e.value)]
    if all(math.isfinite(x) and x == int(x) for x in got) and not all(
        isinstance(x, (int, float)) and math.isfinite(x) and x == int(x) for x in want
    ):
        return "integers"
    return None


@dataclass(frozen=True)
class Verdict:
    """What the evidence of one stage says: one mistake named, several that explain it
    equally, or none (with the closest candidates)."""

    named: Mistake | None = None
    one_of: tuple[Mistake, ...] = ()
    closest: tuple[Mistake, ...] = ()
    explains: frozenset[str] = frozenset()  # the failed case ids the verdict speaks of

    @property
    def unexplained(self) -> bool:
        return self.named is None and not self.one_of and bool(self.explains)


class StageEvidence:
    """The cases of one stage, added one at a time as they are graded; `verdict()` at the end.

    Only a stage with a failure is ever replayed: `add` stores the outputs, and the mistakes
    run in `verdict`."""

    CLOSEST = 3

    def __init__(self, stage: str, dtype: str):
        self.stage, self.dtype = stage, dtype
        self.cases: list[tuple[Case, Any, bool]] = []  # (case, outputs, passed)

    def add(self, case: Case, outputs: Any, passed: bool) -> None:
        """A graded valid case: its outputs (None when it gave none: an error or no reply)."""
        if case.error is None and case.expected is not None and outputs is not None:
            self.cases.append((case, outputs, passed))

    def verdict_safely(self) -> Verdict:
        """`verdict()`, or no verdict at all when a mistake's replay breaks: a diagnosis is a
        hint, and a run never fails for want of one."""
        try:
            return self.verdict()
        except Exception:  # noqa: BLE001
            return Verdict()

    @property
    def failed(self) -> list[str]:
        return [case.id for case, _, passed in self.cases if not passed]

    def verdict(self) -> Verdict:
        failed = self.failed
        if not failed:
            return Verdict()
        catalogue = applicable(self.stage, self.dtype)
        # any one form that explains the stage names the mistake
        alive = [m for m in catalogue if any(self._explains(m, form) for form in m.all_forms)]
        explains = frozenset(failed)
        if len(alive) == 1:
            return Verdict(named=alive[0], explains=explains)
        if alive:
            return Verdict(one_of=tuple(alive), explains=explains)
        # None explains them: the closest reproduce the most failed cases (in its best form).
        # The replays are cached, so this pass only finishes what _explains stopped early.
        fits = [(m, max(self._fitted(m, form) for form in m.all_forms)) for m in catalogue]
        ranked = sorted((item for item in fits if item[1]), key=lambda item: -item[1])
        return Verdict(closest=tuple(m for m, _ in ranked[: self.CLOSEST]), explains=explains)

    def _explains(self, mistake: Mistake, form: str = "") -> bool:
        """Whether the port behaves like the mistake (in this form) on every case: it gave the
        mistake's outputs on every failed case the mistake can run, one of them telling
        evidence, and passed no case where the mistake is decisively wrong. The failed cases
        first, and the first that contradicts it ends the search: the passes are replayed only
        for a mistake that explains every failure."""
        strong = False
        for case, outputs, passed in self.cases:
            if passed:
                continue
            want, decisive = replay(mistake, case, self.dtype, form)
            if want is None:
                continue
            if not compare_outputs(outputs, want, self.dtype).ok:
                return False
            strong = strong or (decisive and self._telling(outputs, want, case))
        if not strong:
            return False
        return not any(
            passed and replay(mistake, case, self.dtype, form)[1]  # wrong where the port was right
            for case, _, passed in self.cases
        )

    def _fitted(self, mistake: Mistake, form: str = "") -> int:
        """How many failed cases the port answered with the mistake's outputs (in this form)."""
        fitted = 0
        for case, outputs, passed in self.cases:
            if passed:
                continue
            want, _ = replay(mistake, case, self.dtype, form)
            fitted += want is not None and compare_outputs(outputs, want, self.dtype).ok
        return fitted

    def _telling(self, outputs: Any, want: dict[str, Expected], case: Case) -> bool:
        """Whether a fit is evidence: the port's outputs are not a degenerate pattern, or the
        mistake predicts exactly that pattern on this case (a softmax overflow's NaN rows)."""
        assert case.expected is not None  # a valid case (add)
        pattern = degenerate(outputs, case.expected[self.dtype])
        if pattern is None:
            return True
        mutant = {name: e.value for name, e in want.items()}
        return degenerate(mutant, case.expected[self.dtype]) == pattern


def diagnose_stage(cases: Iterable[tuple[Case, Any, bool]], stage: str, dtype: str) -> Verdict:
    """The verdict on a stage from (case, outputs, passed) triples; never raises."""
    evidence = StageEvidence(stage, dtype)
    for case, outputs, passed in cases:
        evidence.add(case, outputs, passed)
    return evidence.verdict_safely()


def diagnose(case: Case, outputs: Any, dtype: str) -> Mistake | None:
    """The mistake named from one failed case alone (a stage of one case), or None."""
    return diagnose_stage([(case, outputs, False)], case.stage, dtype).named


def _mistake(m: Mistake) -> dict[str, str]:
    return {"id": m.id, "explanation": m.explanation, "fix": m.fix}


def diagnosis_record(mistake: Mistake | None) -> dict[str, str] | None:
    """The `diagnosis` of a case result."""
    return None if mistake is None else _mistake(mistake)


def candidates_record(verdict: Verdict) -> dict[str, Any] | None:
    """The `candidates` of a failed case when no one mistake is named: several that explain
    the stage equally ("one_of"), or the closest ones when none explains it ("unexplained")."""
    if verdict.one_of:
        return {"verdict": "one_of", "mistakes": [_mistake(m) for m in verdict.one_of]}
    if verdict.unexplained:
        return {"verdict": "unexplained", "mistakes": [_mistake(m) for m in verdict.closest]}
    return None

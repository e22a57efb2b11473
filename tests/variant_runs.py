"""Each variant of tools/variants.py answers a given input once per process.

The soundness, sharpness, discrimination and mistakes tests ask the same variants the same
cases again and again: `evaluate` grades every case of a variant, the mistakes matrix grades
them again and asks for the outputs once more to feed the diagnosis, and the matrix command does
it all over for its verdict line (about 134,000 runs of the emulator for 46,000 distinct
inputs). The diagnosis then replays every mistake on the cases of each stage it judges
(`Mistake.runner(tier, form)`, the very function of that mistake's wrong variant): 72% of the
matrix's time once the variants' answers are kept. A variant is a pure function of (stage,
inputs, params), so its answer, or the exception it raises, is kept by the pickled arguments
and served to every later asker, the diagnosis's replays included.

Nothing is kept across processes: file_order.py sends the four test files to one xdist worker.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import replace
from typing import Any


def remembered(run: Callable[[str, Any, Any], Any]) -> Callable[[str, Any, Any], Any]:
    """`run`, answering each distinct (stage, inputs, params) once."""
    answers: dict[bytes, tuple[bool, Any]] = {}

    def answer(stage, inputs, params):
        key = pickle.dumps((stage, inputs, params), protocol=pickle.HIGHEST_PROTOCOL)
        if key not in answers:
            try:
                answers[key] = (True, run(stage, inputs, params))
            except Exception as exc:  # noqa: BLE001 - raised again, to every asker
                answers[key] = (False, exc)
        ok, value = answers[key]
        if ok:
            return value
        raise value.with_traceback(None)

    return answer


def remember_variant_runs() -> None:
    """Make every variant of tools.variants.VARIANTS answer each input once (in place: the
    mistakes matrix reads the same dict), and Mistake.runner hand out the wrong variant's
    remembered run where there is one (the runner it was built from, for the same tier and
    form)."""
    from nnfs_conform.diagnosis.mistakes import Mistake
    from tools import variants

    for name, variant in variants.VARIANTS.items():
        variants.VARIANTS[name] = replace(variant, run=remembered(variant.run))
    built = Mistake.runner

    def runner(self, tier: str, form: str = ""):
        variant = variants.VARIANTS.get(variants.wrong_name(self.id, tier, form))
        return variant.run if variant is not None else built(self, tier, form)

    Mistake.runner = runner  # type: ignore[method-assign]

"""Each variant of tools/variants.py answers a given input once per process.

The soundness, sharpness and mistakes tests ask the same variants the same cases again and
again: `evaluate` grades every case of a variant, the mistakes matrix grades them again and asks
for the outputs once more to feed the diagnosis, and the matrix command does it all over for
its verdict line (about 134,000 runs of the emulator for 46,000 distinct inputs). A variant is a
pure function of (stage, inputs, params), so its answer, or the exception it raises, is kept by
the pickled arguments and served to every later asker. Nothing is kept across processes: each
xdist worker computes what it is asked (the Makefile's --dist loadfile keeps a test file in one
worker, so the mistakes matrix's rows, cached per process by tools/mistakes_matrix.py, are
computed once for the two tests of each row and the matrix command).
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
    mistakes matrix reads the same dict)."""
    from tools import variants

    for name, variant in variants.VARIANTS.items():
        variants.VARIANTS[name] = replace(variant, run=remembered(variant.run))

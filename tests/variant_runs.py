"""Each variant of tools/variants.py answers a given input once per process, and once per set of
sources across processes.

The soundness, sharpness, discrimination and mistakes tests ask the same variants the same
cases again and again: `evaluate` grades every case of a variant, the mistakes matrix grades
them again and asks for the outputs once more to feed the diagnosis, and the matrix command does
it all over for its verdict line (about 134,000 runs of the emulator for 46,000 distinct
inputs). The diagnosis then replays every mistake on the cases of each stage it judges
(`Mistake.runner(tier, form)`, the very function of that mistake's wrong variant): 72% of the
matrix's time once the variants' answers are kept. A variant is a pure function of (stage,
inputs, params), so its answer, or the exception it raises, is kept by the pickled arguments
and served to every later asker, the diagnosis's replays included. file_order.py sends the four
test files to one xdist worker.

A variant is also a pure function of the code that computes it: tools.variants and every module
of the repository it imports (generator.build.module_sources), run by one Python and one NumPy
on one CPU. So the answers are kept on disk too, in pytest's cache folder (`.pytest_cache`),
under the hash of all of that: a `make test` after a change that touches none of those files
reads the emulator's ~46,000 answers instead of computing them again, with the ~56,000 grades
tools.variants gives them (kept by each case's id and fingerprint, so new goldens are graded
again), and any change to one of them starts afresh (the answers of the KEPT last used sources
stay, so undoing a change finds its answers again). Exceptions are not kept (they are rare, and a
message may not pickle). A fresh clone has no cache, so CI computes every answer; `pytest
--cache-clear` does so here.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import platform
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

KEPT = 3  # the answers of the last few sources: trying a change and undoing it costs nothing
FOLDER = "nnfs-conformance-variant-answers"  # in pytest's cache folder (its d/ part)
_ABSENT = object()


def sources_key() -> str:
    """What the variants' answers depend on: every source file tools.variants runs, the
    versions of Python and NumPy, the CPU's features NumPy dispatches on and the environment
    variables NumPy and OpenBLAS read (the numpy-* variants run the NumPy reference)."""
    import numpy as np

    from generator import build

    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # another NumPy layout: the processor's name instead
        features = {platform.processor(): True}
    settings = sorted(
        f"{k}={v}" for k, v in os.environ.items() if k.startswith(("NPY_", "OPENBLAS", "OMP_"))
    )
    facts = [sys.version, np.__version__, platform.machine()]
    facts += sorted(k for k, v in features.items() if v)
    return build.sources_key("tools.variants", facts + settings)


class Store:
    """The answers kept on disk, {variant name: {digest of the input: answer}}, in one file per
    key of the sources (`keyed`: sources_key): read at the first question, written back (merged
    with what another worker wrote meanwhile) by save()."""

    def __init__(self, folder: Path | None, keyed: Callable[[], str] = sources_key):
        self.folder, self.keyed = folder, keyed
        self.key = ""
        self.answers: dict[str, dict[bytes, Any]] | None = None
        self.added = 0

    def _file(self) -> Path | None:
        return None if self.folder is None else self.folder / f"{self.key}.pickle"

    def _load(self) -> dict[str, dict[bytes, Any]]:
        if self.answers is None:
            self.key = self.keyed() if self.folder is not None else ""
            self.answers = self._read()
        return self.answers

    def _read(self) -> dict[str, dict[bytes, Any]]:
        file = self._file()
        if file is None:
            return {}
        gc.disable()  # millions of lists: the collector would scan them again and again
        try:
            with open(file, "rb") as stored:
                answers = pickle.load(stored)
        except Exception:  # noqa: BLE001 - no cache, or one we cannot read: start afresh
            return {}
        finally:
            gc.enable()
        gc.freeze()  # kept to the end of the process: no later collection scans them
        with contextlib.suppress(OSError):
            os.utime(file)  # used: the last to go of the KEPT
        return answers if isinstance(answers, dict) else {}

    def get(self, name: str, digest: bytes) -> Any:
        return self._load().get(name, {}).get(digest, _ABSENT)

    def put(self, name: str, digest: bytes, answer: Any) -> None:
        self._load().setdefault(name, {})[digest] = answer
        self.added += 1

    def kept(self, name: str, digest: bytes, compute: Callable[[], Any]) -> Any:
        """The answer kept under (name, digest), else compute()'s, then kept (an exception it
        raises goes to the caller, not into the store)."""
        answer = self.get(name, digest)
        if answer is _ABSENT:
            answer = compute()
            self.put(name, digest, answer)
        return answer

    def save(self) -> None:
        """Write the answers computed in this process, if any; of the other keys' files, the
        KEPT - 1 last used stay."""
        file = self._file()
        if file is None or self.answers is None or not self.added:
            return
        merged = self._read()
        for name, answers in self.answers.items():
            merged.setdefault(name, {}).update(answers)
        partial = file.with_suffix(f".{os.getpid()}.partial")
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            with open(partial, "wb") as out:
                pickle.dump(merged, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, file)
            kept = sorted(file.parent.glob("*.pickle"), key=lambda f: f.stat().st_mtime)
            for old in kept[:-KEPT]:
                old.unlink(missing_ok=True)
        except OSError:  # a cache that cannot be written (read-only, full): the next run computes
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)


def remembered(
    run: Callable[[str, Any, Any], Any], name: str = "", store: Store | None = None
) -> Callable[[str, Any, Any], Any]:
    """`run`, answering each distinct (stage, inputs, params) once (and, with a store, once for
    the variant `name` while its sources are unchanged)."""
    answers: dict[bytes, tuple[bool, Any]] = {}

    def answer(stage, inputs, params):
        key = pickle.dumps((stage, inputs, params), protocol=pickle.HIGHEST_PROTOCOL)
        if key not in answers:
            compute = lambda: run(stage, inputs, params)  # noqa: E731
            try:
                if store is None:
                    answers[key] = (True, compute())
                else:
                    digest = hashlib.blake2b(key, digest_size=16).digest()
                    answers[key] = (True, store.kept(name, digest, compute))
            except Exception as exc:  # noqa: BLE001 - raised again, to every asker
                answers[key] = (False, exc)
        ok, value = answers[key]
        if ok:
            return value
        raise value.with_traceback(None)

    return answer


def remembered_grades(
    grade: Callable[[Any, Any], Any], store: Store, registered: Callable[[Any], bool]
) -> Callable[[Any, Any], Any]:
    """`grade(variant, case)` (tools.variants._grade), its outcome kept in the store for the
    variants `registered` admits (tools.variants.VARIANTS: a test may build a variant of its own
    under a name of its choosing): it is a pure function of the variant's answer (kept above),
    of what the case means (its id and fingerprint: inputs, params, expected values and
    tolerances) and of the grading code (in the store's key)."""

    def graded(variant, case):
        if not registered(variant):
            return grade(variant, case)
        digest = hashlib.blake2b(f"{case.id} {case.fingerprint}".encode(), digest_size=16).digest()
        return store.kept(f"grade of {variant.name}", digest, lambda: grade(variant, case))

    return graded


def remember_variant_runs(store: Store | None = None) -> None:
    """Make every variant of tools.variants.VARIANTS answer each input once (in place: the
    mistakes matrix reads the same dict), with a store grade each case once while the sources
    are unchanged, and Mistake.runner hand out the wrong variant's remembered run where there
    is one (the runner it was built from, for the same tier and form)."""
    from nnfs_conform.diagnosis.mistakes import Mistake
    from tools import variants

    for name, variant in variants.VARIANTS.items():
        variants.VARIANTS[name] = replace(variant, run=remembered(variant.run, name, store))
    if store is not None:
        registered = lambda variant: variants.VARIANTS.get(variant.name) is variant  # noqa: E731
        variants._grade = remembered_grades(variants._grade, store, registered)  # noqa: SLF001
    built = Mistake.runner

    def runner(self, tier: str, form: str = ""):
        variant = variants.VARIANTS.get(variants.wrong_name(self.id, tier, form))
        return variant.run if variant is not None else built(self, tier, form)

    Mistake.runner = runner  # type: ignore[method-assign]

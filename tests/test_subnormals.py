"""Subnormals: arithmetic may flush them, parsing may not (docs/TOLERANCES.md, "Subnormals").

A port built with flush-to-zero and denormals-are-zero everywhere (every rounded result, exp and
log, and every input it reads, flushed) passes every case but the parsing checks the docs name:
the cases of the stages without arithmetic whose inputs are subnormal. tools/variants.py proves
the other direction (the python-flush-to-zero variants, which read those inputs exactly, pass
everything).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nnfs_conform.diagnosis.emulator import Engine, flush_to_zero
from tools.variants import NO_ARITHMETIC, STAGE_NAMES, Variant, grade, suite

REPO = Path(__file__).resolve().parent.parent
PARSING_CHECKS = {  # the six the docs name, by the tier whose dtype makes the input subnormal
    "float64": {"relu/float64-subnormal", "relu/parse-hard-numbers"},
    "float32": {
        "relu/float32-subnormals",
        "relu/parse-float32-boundaries",
        "relu_backward/tiny-inputs",
        "linear/subnormal",
    },
}


@pytest.mark.parametrize("tier", ["float64", "float32"])
def test_a_port_flushing_everything_fails_exactly_the_named_parsing_checks(tier):
    port = Variant(
        "ftz-daz-everywhere", tier, "legit", STAGE_NAMES, "", Engine(flush_to_zero(tier)).run
    )
    failed = {
        o.case
        for stage in STAGE_NAMES
        for case in suite().stages.get(stage, ())
        if not (o := grade(port, case)).ok
    }
    assert failed == PARSING_CHECKS[tier]
    assert all(case.split("/")[0] in NO_ARITHMETIC for case in failed)


def test_the_docs_name_the_parsing_checks():
    named = set().union(*PARSING_CHECKS.values())
    for doc in ("docs/TOLERANCES.md", "docs/STAGES.md"):
        text = (REPO / doc).read_text()
        assert not {c for c in named if f"`{c}`" not in text}, doc

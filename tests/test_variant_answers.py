"""The variants' answers kept on disk (tests/variant_runs.py) are served only while every source
that computes them is unchanged, bit for bit as computed, and never an exception."""

from __future__ import annotations

import math
import struct
from types import SimpleNamespace

import pytest
from variant_runs import FOLDER, Store, remembered, remembered_grades, sources_key


def ask_in_a_new_process(folder, answer, key: str):
    """A variant that answers `answer`, remembered in a fresh store on `folder` whose sources
    have the key `key`, asked one input and saved: (what it answered, how many times it ran)."""
    runs = []

    def run(stage, inputs, params):
        runs.append(stage)
        if isinstance(answer, Exception):
            raise answer
        return answer

    store = Store(folder, keyed=lambda: key)
    try:
        return remembered(run, "a-variant", store)("relu", {"inputs": [[1.0, -2.0]]}, {}), len(runs)
    finally:
        store.save()


def test_an_answer_kept_on_disk_is_served_while_the_sources_are_unchanged(tmp_path):
    first = {"output": [[1.0, 0.0]]}
    assert ask_in_a_new_process(tmp_path, first, "A") == (first, 1)
    assert ask_in_a_new_process(tmp_path, "never asked", "A") == (first, 0)


def test_other_sources_run_the_variant_again(tmp_path):
    ask_in_a_new_process(tmp_path, {"output": [[1.0, 0.0]]}, "A")
    assert ask_in_a_new_process(tmp_path, {"output": [[2.0]]}, "B") == ({"output": [[2.0]]}, 1)
    assert ask_in_a_new_process(tmp_path, "never asked", "B") == ({"output": [[2.0]]}, 0)


def test_a_change_undone_finds_its_answers_and_only_the_last_used_sources_stay(tmp_path):
    for key in "ABC":
        ask_in_a_new_process(tmp_path, {"output": [[ord(key)]]}, key)
    assert ask_in_a_new_process(tmp_path, "never asked", "A") == ({"output": [[65]]}, 0)
    ask_in_a_new_process(tmp_path, {"output": [[68]]}, "D")  # B was used longest ago: it goes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.pickle", "C.pickle", "D.pickle"]


def test_a_kept_answer_is_bit_for_bit_the_computed_one(tmp_path):
    special = [-0.0, math.nan, -math.inf, 5e-324, 1.0000000000000002, 3.4028234663852886e38]
    ask_in_a_new_process(tmp_path, {"output": [special]}, "A")
    got, runs = ask_in_a_new_process(tmp_path, "never asked", "A")
    assert runs == 0
    assert [struct.pack("<d", v) for v in got["output"][0]] == [
        struct.pack("<d", v) for v in special
    ]


def test_an_exception_is_raised_again_but_never_kept(tmp_path):
    for _ in range(2):
        with pytest.raises(ValueError, match="cannot run this input"):
            ask_in_a_new_process(tmp_path, ValueError("cannot run this input"), "A")
    assert not list(tmp_path.iterdir())


def test_a_cache_file_that_is_not_ours_is_ignored_and_replaced(tmp_path):
    (tmp_path / "A.pickle").write_bytes(b"not a pickle at all")
    assert ask_in_a_new_process(tmp_path, {"output": [[3.0]]}, "A") == ({"output": [[3.0]]}, 1)
    assert ask_in_a_new_process(tmp_path, "never asked", "A") == ({"output": [[3.0]]}, 0)


def test_a_cache_that_cannot_be_written_costs_only_the_next_run(tmp_path):
    folder = tmp_path / "cache"
    folder.write_text("a file where the folder should be")
    assert ask_in_a_new_process(folder, {"output": [[4.0]]}, "A") == ({"output": [[4.0]]}, 1)
    assert ask_in_a_new_process(folder, {"output": [[4.0]]}, "A") == ({"output": [[4.0]]}, 1)


def test_the_key_changes_with_the_bytes_of_any_source(tmp_path, monkeypatch):
    import generator.build

    source = tmp_path / "emulator.py"
    source.write_text("x = 1\n")
    monkeypatch.setattr(generator.build, "module_sources", lambda top: {"emulator": source})
    before = sources_key()
    source.write_text("x = 2\n")
    assert sources_key() != before


def test_the_key_covers_the_emulator_the_catalogue_the_variants_and_the_reference():
    from generator.build import module_sources

    assert {
        "tools.variants",
        "nnfs_conform.diagnosis.emulator",
        "nnfs_conform.diagnosis.rounded",
        "nnfs_conform.diagnosis.mistakes",
        "nnfs_conform.suite.numbers",
        "nnfs_conform.grading.compare",  # the grades kept with the answers
        "reference.training",
        "reference.model",
    } <= set(module_sources("tools.variants"))
    assert "/" not in FOLDER  # pytest's cache.mkdir takes one name


def grade_in_a_new_process(folder, case, outcome: str) -> tuple[str, int]:
    """A grading that answers `outcome`, remembered in a fresh store on `folder`, asked to grade
    one case and saved: (the outcome served, how many times it graded)."""
    graded = []

    def grade(variant, case):
        graded.append(case.id)
        return outcome

    store = Store(folder, keyed=lambda: "A")
    variant = SimpleNamespace(name="a-variant")
    try:
        return remembered_grades(grade, store, lambda v: v is variant)(variant, case), len(graded)
    finally:
        store.save()


def test_a_grade_is_kept_for_what_the_case_means_and_graded_again_when_it_changes(tmp_path):
    case = SimpleNamespace(id="relu/basic", fingerprint="sha256:1")
    assert grade_in_a_new_process(tmp_path, case, "passed") == ("passed", 1)
    assert grade_in_a_new_process(tmp_path, case, "never graded") == ("passed", 0)
    regenerated = SimpleNamespace(id="relu/basic", fingerprint="sha256:2")  # new goldens
    assert grade_in_a_new_process(tmp_path, regenerated, "failed") == ("failed", 1)
    renamed = SimpleNamespace(id="relu/renamed", fingerprint="sha256:1")
    assert grade_in_a_new_process(tmp_path, renamed, "renamed") == ("renamed", 1)


def test_a_variant_a_test_builds_under_a_registered_name_is_graded_afresh(tmp_path):
    """Only the variants of tools.variants.VARIANTS are kept: the subnormals test builds one
    variant name for two tiers."""
    from tools import variants

    case = next(iter(variants.suite().stages["relu"]))
    registered = next(iter(variants.VARIANTS.values()))
    store = Store(tmp_path, keyed=lambda: "A")
    graded = remembered_grades(lambda v, c: v.tier, store, lambda v: v is registered)
    assert graded(registered, case) == registered.tier
    other_tier = "float32" if registered.tier == "float64" else "float64"
    twin = SimpleNamespace(name=registered.name, tier=other_tier)
    assert graded(twin, case) == other_tier

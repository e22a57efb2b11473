"""The shortcuts that make the runner cheap change no verdict: a remembered schema check, the
fast JSON path, the flat comparison loop. (Speed itself is measured by `make bench`, never
asserted here.)"""

from __future__ import annotations

import hashlib
import json
import math

import pytest
from suite_factory import write_suite

from nnfs_conform import vectors
from nnfs_conform.compare import _compare_slowly, compare_outputs
from nnfs_conform.numbers import encode, loads


def test_a_valid_file_is_schema_checked_once_and_remembered_by_content(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("NNFS_CONFORM_CACHE", str(tmp_path / "cache"))
    write_suite(tmp_path / "v")
    assert len(list((tmp_path / "cache").iterdir())) == 3  # one per vector file

    checked = []
    check = vectors._check_schema
    monkeypatch.setattr(vectors, "_check_schema",
                        lambda document, name, *a, **k: (checked.append(name),
                                                         check(document, name, *a, **k)))
    vectors.load_suite(tmp_path / "v")
    assert checked == ["manifest"]  # the manifest is always checked, the files once


def test_an_edited_file_is_checked_again_even_with_a_matching_manifest(tmp_path, monkeypatch):
    monkeypatch.setenv("NNFS_CONFORM_CACHE", str(tmp_path / "cache"))
    write_suite(tmp_path / "v")
    path = tmp_path / "v" / "relu.json"
    document = json.loads(path.read_text())
    document["cases"][0]["tags"] = ["no-such-tag"]
    data = json.dumps(document).encode()
    path.write_bytes(data)
    manifest = json.loads((tmp_path / "v" / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == "relu.json":
            entry["sha256"] = hashlib.sha256(data).hexdigest()
    (tmp_path / "v" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(vectors.VectorError, match="no-such-tag"):
        vectors.load_suite(tmp_path / "v")


def test_without_a_cache_nothing_is_remembered(tmp_path, monkeypatch):
    monkeypatch.setenv("NNFS_CONFORM_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    write_suite(tmp_path / "v")
    assert not (tmp_path / "xdg").exists()


@pytest.mark.parametrize(
    "text",
    ["[1e400]", "[-2e308]", "[1" + "0" * 310 + ".5]", "[1" + "0" * 250 + "e60]",
     '{"x": 1E+0400}'],
)
def test_the_fast_json_path_still_refuses_every_number_that_overflows(text):
    for form in (text, text.encode()):
        with pytest.raises(ValueError, match="beyond the float64 range"):
            loads(form)


@pytest.mark.parametrize(
    "text", ["[1.7976931348623157e308]", '{"a": 1.5e-300, "b": "e123"}', "[0.1, 2, -3e5]"]
)
def test_the_fast_json_path_reads_what_the_strict_one_reads(text):
    assert json.dumps(loads(text)) == json.dumps(json.loads(text))


def _expected(value, tol):
    return vectors.Expected(value, tol)


@pytest.mark.parametrize(
    "got",
    [
        {"output": [[0.5, 1.0], [2.0, 3.0]]},
        {"output": [[0.5, 1.1], [2.0, "NaN"]]},
        {"output": [[0.5, "Infinity"], [2.0, -3.0]]},
        {"output": [[0.5, 1.0], [2.0]]},
        {"output": [[0.5, True], [2.0, 3.0]]},
        {"output": [0.5, 1.0, 2.0, 3.0]},
        {"output": [[0.5, 10**400], [2.0, 3.0]]},
        {"output": [[1e308, 1.0], [2.0, 3.0]]},
        {"other": 1},
        {},
        [],
    ],
)
def test_the_flat_comparison_loop_agrees_with_the_element_walk(got):
    want = [[0.5, 1.0], [2.0, math.nan]]
    expected = {"output": _expected(want, [[0.0, 1e-9], [0.1, 0.0]])}
    for dtype in ("float64", "float32"):
        fast, slow = compare_outputs(got, expected, dtype), _compare_slowly(got, expected, dtype)
        assert (fast.elements, fast.out_of_tolerance, fast.problems, fast.worst) == (
            slow.elements, slow.out_of_tolerance, slow.problems, slow.worst
        ), encode(want)


def _perturbed(rng, want):
    """A reply close to `want` or broken in one of the ways a port can break it."""
    choice = rng.random()
    leaves = [[v for v in row] for row in want]
    if choice < 0.5:  # small noise, sometimes past the tolerance
        scale = rng.choice([0.0, 1e-12, 1e-9, 1e-6, 1e-3, 1.0])
        return [[v + rng.uniform(-scale, scale) if math.isfinite(v) else v for v in row]
                for row in leaves]
    i, j = rng.randrange(len(leaves)), rng.randrange(len(leaves[0]))
    special = rng.choice([
        math.nan, math.inf, -math.inf, -0.0, 0.0, 1e308, -1e308, True, False, "NaN",
        "Infinity", "-Infinity", "nan", "1.5", None, [], [1.0], 3, 10**400, 2**70,
    ])
    if choice < 0.8:
        leaves[i][j] = special
        return leaves
    if choice < 0.85:
        return leaves[:-1]  # wrong shape
    if choice < 0.9:
        leaves[i] = leaves[i][:-1]  # ragged
        return leaves
    if choice < 0.95:
        return [v for row in leaves for v in row]  # flattened
    return special


def test_the_fast_comparison_agrees_with_the_element_walk_on_thousands_of_replies():
    import random

    rng = random.Random(7)
    for trial in range(3000):
        rows, cols = rng.randint(1, 4), rng.randint(1, 5)
        want = [[rng.choice([rng.uniform(-10, 10), 0.0, -0.0, 1e300, math.nan, math.inf, 2])
                 for _ in range(cols)] for _ in range(rows)]
        tol = [[rng.choice([1e-9, 1e-6, 0.5, 0.0, 2]) for _ in range(cols)] for _ in range(rows)]
        expected = {"y": _expected(want, tol)}
        if rng.random() < 0.3:
            expected["z"] = _expected(rng.uniform(-1, 1), rng.choice([0.0, 1e-9]))
        got = {name: (_perturbed(rng, e.value) if isinstance(e.value, list)
                      else rng.choice([e.value, e.value + 1e-10, "NaN", True, [e.value]]))
               for name, e in expected.items()}
        if rng.random() < 0.05:
            got["extra"] = 1.0
        if rng.random() < 0.05:
            got.pop("y")
        for dtype in ("float64", "float32"):
            fast = compare_outputs(got, expected, dtype)
            slow = _compare_slowly(got, expected, dtype)
            assert (fast.elements, fast.out_of_tolerance, fast.problems) == (
                slow.elements, slow.out_of_tolerance, slow.problems), (trial, got)
            assert repr(fast.worst) == repr(slow.worst), (trial, got)


@pytest.mark.parametrize(
    "text",
    ["[1" + "0" * 199 + "]", "[1" + "0" * 198 + "]", "[1e99]", "[1e-99]", "[1e+099]",
     '["e000", 1]', "[1.5E-308]", "[0." + "0" * 300 + "1]", '{"k": "' + "9" * 300 + '"}'],
)
def test_the_overflow_precheck_reads_like_the_strict_decoder(text):
    strict = json.loads(text, parse_float=lambda s: float(s))
    for form in (text, text.encode(), text.encode("utf-16")):
        assert repr(loads(form)) == repr(strict)

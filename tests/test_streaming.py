"""A suite of any size is read a case at a time and a run's results wait on disk: the loader
and the spool hold the same cases and results as an in-memory read would, and no more."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tracemalloc
from pathlib import Path

import pytest
import suite_factory
from suite_factory import write_suite

from nnfs_conform.grading import result as results_module
from nnfs_conform.grading.engine import blank_result
from nnfs_conform.grading.result import Spool
from nnfs_conform.suite import numbers, vectors
from nnfs_conform.suite.vectors import VectorError, load_suite

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
import synthetic  # noqa: E402


def _as_read_whole(directory: Path) -> list[tuple]:
    """What each case says, read with json.loads of whole files."""
    manifest = json.loads((directory / "manifest.json").read_text())
    return [
        (raw["id"], raw["fingerprint"], json.dumps(raw["inputs"]), json.dumps(raw["params"]))
        for entry in manifest["files"]
        for raw in json.loads((directory / entry["path"]).read_text())["cases"]
    ]


def _as_streamed(suite) -> list[tuple]:
    return [
        (c.id, c.fingerprint, json.dumps(c.inputs), json.dumps(c.params))
        for c in suite.iter_cases()
    ]


def _refresh(directory: Path, name: str, data: bytes, cases: int | None = None) -> None:
    (directory / name).write_bytes(data)
    manifest = json.loads((directory / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == name:
            entry["sha256"] = hashlib.sha256(data).hexdigest()
            if cases is not None:
                entry["cases"] = cases
    (directory / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize("chunk", [1, 3, 64, 4096])
def test_cases_read_a_chunk_at_a_time_are_the_cases_of_the_whole_file(tmp_path, monkeypatch, chunk):
    """Buffer ends fall inside numbers, strings, escapes and multi-byte characters."""
    monkeypatch.setenv("NNFS_CONFORM_CACHE", "off")
    shutil.copytree(
        REPO / "vectors",
        tmp_path / "v",
        ignore=lambda d, names: [n for n in names if n == "chapters.json"],
    )
    manifest = json.loads((tmp_path / "v" / "manifest.json").read_text())
    manifest["files"] = [
        e for e in manifest["files"] if e["stage"] in ("relu", "softmax", "accuracy")
    ]
    (tmp_path / "v" / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(vectors, "CHUNK", chunk)
    suite = load_suite(tmp_path / "v")
    assert _as_streamed(suite) == _as_read_whole(tmp_path / "v")
    assert [c.seq for c in suite.iter_cases()] == list(range(1, suite.total + 1))


def test_the_committed_suite_streams_the_cases_it_holds():
    suite = load_suite()
    assert _as_streamed(suite) == _as_read_whole(REPO / "vectors")
    assert "stages" not in vars(suite)  # nothing was kept in memory by loading or streaming


def test_a_small_file_read_at_once_gives_the_very_cases_the_scan_gives(tmp_path, monkeypatch):
    """A checked file no larger than the buffer is read again at once by the compiled parser
    (numbers.fast_loads): value for value (ints, floats, decoded infinities, the outputs wanted
    at both tiers) the cases the scan reads. What it cannot vouch for (an integer beyond 64
    bits, or digits that look like one) is read by the scan's decoder."""
    for suite in (load_suite(), write_suite(tmp_path / "nonfinite")):
        assert all(vectors._read_whole(f) is not None for f in suite.files.values())
        at_once = [repr(case) for case in suite.iter_cases()]
        with monkeypatch.context() as scanning:
            scanning.setattr(vectors, "_read_whole", lambda entry: None)
            assert [repr(case) for case in suite.iter_cases()] == at_once
    assert "Expected(value=[0, inf, 0.5]" in "".join(at_once)  # "Infinity" decoded

    cases = suite_factory.default_cases()
    cases["neuron"][0]["params"] = {}
    cases["neuron"][0]["inputs"]["bias"] = 2**70  # orjson would read a float
    cases["neuron"][0]["fingerprint"] = vectors.fingerprint(cases["neuron"][0])
    big = write_suite(tmp_path / "v", cases)
    assert numbers.fast_loads(big.files["neuron"].path.read_bytes()) is numbers.NOT_READ
    first = next(big.iter_cases())
    assert first.inputs["bias"] == 2**70 and type(first.inputs["bias"]) is int


def test_a_file_that_lists_its_cases_first_loads_the_same(tmp_path):
    suite = write_suite(tmp_path / "v")
    before = _as_streamed(suite)
    path = tmp_path / "v" / "relu.json"
    document = json.loads(path.read_text())
    reordered = {"cases": document.pop("cases"), **document}
    _refresh(tmp_path / "v", "relu.json", json.dumps(reordered).encode())
    assert _as_streamed(load_suite(tmp_path / "v")) == before


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda text: text[:-2] + ', "note": "after the cases"}', "/: Additional properties"),
        (lambda text: text.replace('"stage":', '"stage": "relu", "stage":', 1), "appears twice"),
        (lambda text: text.replace('"cases": [', '"cases": [1, ', 1), "/cases/0: 1 is not of type"),
        (lambda text: text + "[]", "Extra data"),
        (lambda text: text.replace('"cases": [', '"cases": [{"a": 1e400}, ', 1), "float64 range"),
        (lambda text: f"[{text}]", "a vector file is one JSON object"),
        (
            lambda text: text.replace(
                '"inputs": {', '"inputs": {"x": ' + "[" * 900 + "]" * 900 + ", ", 1
            ),
            "/cases/0: not valid vectors: nested too deeply",
        ),
    ],
)
def test_what_streaming_reads_is_checked_as_strictly_as_a_whole_read(
    tmp_path, monkeypatch, edit, message
):
    monkeypatch.setenv("NNFS_CONFORM_CACHE", "off")
    write_suite(tmp_path / "v")
    text = (tmp_path / "v" / "relu.json").read_text().rstrip("\n")
    _refresh(tmp_path / "v", "relu.json", edit(text).encode())
    with pytest.raises(VectorError, match="relu.json") as raised:
        load_suite(tmp_path / "v")
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_a_file_edited_after_loading_is_refused_when_its_cases_are_read(tmp_path):
    suite = write_suite(tmp_path / "v")
    path = tmp_path / "v" / "neuron.json"
    path.write_bytes(path.read_bytes().replace(b"neuron", b"neurox"))
    with pytest.raises(VectorError, match="neuron.json: changed on disk since it was checked"):
        list(suite.iter_cases())


def test_reading_a_large_file_holds_one_case_at_a_time(tmp_path, monkeypatch):
    monkeypatch.setenv("NNFS_CONFORM_CACHE", str(tmp_path / "cache"))
    synthetic.write_suite(tmp_path / "v", 6000)
    size = sum(p.stat().st_size for p in (tmp_path / "v").glob("*.json"))
    load_suite(tmp_path / "v")  # the schema check, remembered
    monkeypatch.setattr(vectors, "CHUNK", 1 << 16)  # the files are ~1 MB: a buffer is 1/16
    tracemalloc.start()
    try:
        suite = load_suite(tmp_path / "v")
        loading = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        count = sum(1 for _ in suite.iter_cases())
        reading = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 6000
    # Checking keeps 16 bytes a case of a file (digests, to refuse repeats); reading nothing.
    assert loading < size / 8, f"loading peaked at {loading} bytes for {size} bytes of vectors"
    assert reading < size / 8, f"reading peaked at {reading} bytes for {size} bytes of vectors"


def test_the_spool_gives_back_every_result_in_order_as_often_as_asked(tmp_path):
    suite = write_suite(tmp_path / "v")
    results = [
        blank_result(case, outcome)
        for case, outcome in zip(suite.iter_cases(), ["passed", "failed", "skipped"] * 10)
    ]
    results[1]["message"] = "lone surrogate \ud800 and é"
    with Spool() as spool:
        for result in results:
            spool.add(result)
        assert list(spool) == results and list(spool) == results
        assert len(spool) == len(results)
        assert spool.summary["failed"] == sum(r["outcome"] == "failed" for r in results)
        assert sum(spool.per_stage.values()) == len(results)
        path = Path(spool.path)
    assert not path.exists()


def _write_json_case_by_case(result, path) -> None:
    """write_json as it was before it copied the spool's texts: every case encoded again."""

    def dumps(value, indent=None):
        return json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)

    with open(path, "w", encoding="utf-8", errors="backslashreplace", newline="") as f:
        f.write("{\n")
        for key, value in result.items():
            if key != "cases":
                f.write(f" {dumps(key)}: {dumps(value, 1).replace(chr(10), chr(10) + ' ')},\n")
        f.write(' "cases": [')
        spent = 0
        for i, case in enumerate(result["cases"]):
            text = dumps(case)
            if spent + len(text) > results_module.DETAILS_BUDGET:
                text = dumps(results_module._without_details(case))
            spent += len(text)
            f.write(("\n  " if i == 0 else ",\n  ") + text)
        f.write("\n ]\n}\n" if result["cases"] else "]\n}\n")


@pytest.mark.parametrize("budget", [None, 0, 700, 5000, 40000])
@pytest.mark.parametrize("where", ["file", "memory", "list"])
def test_the_json_report_copies_the_spools_texts_byte_for_byte(
    tmp_path, monkeypatch, budget, where
):
    """write_json writes each case as the spool's text (no second encoding), in batches, and
    reads a case back only past the cap on details: the same bytes as encoding every case."""
    if budget is not None:
        monkeypatch.setattr(results_module, "DETAILS_BUDGET", budget)
    monkeypatch.setattr(Spool, "FLUSH", 300)  # many flushes, a batch cut mid-case
    suite = write_suite(tmp_path / "v")
    outcomes = ["passed", "failed", "errored", "skipped"] * 40
    cases = []
    for k, (case, outcome) in enumerate(zip(list(suite.iter_cases()) * 8, outcomes)):
        result = blank_result(case, outcome)
        result["duration_s"] = k / 7
        if outcome != "passed":
            result["message"] = ["lone surrogate \ud800, é, \u2028 and\nnewline", "x" * 300][k % 2]
            result["request"] = {"cmd": "run", "seq": k, "inputs": {"x": [1e-7, -0.0, 1e300]}}
            result["wanted"] = {"out": [[0.1, 2.5e-320], [3, "NaN"]]}
            result["response"] = "not JSON \udcff" if k % 3 else {"seq": k, "outputs": {}}
            result["problems"] = [f"problem {j}" for j in range(k % 3)]
        cases.append(result)
    with Spool() as spool:
        if where == "memory":
            spool.problem = "the file failed"
        for result in cases:
            spool.add(result)
        document = {"result_version": 1, "summary": {"total": len(cases)}}
        document["cases"] = cases if where == "list" else spool
        results_module.write_json(document, tmp_path / "new.json")
        _write_json_case_by_case(dict(document, cases=cases), tmp_path / "old.json")
    assert (tmp_path / "new.json").read_bytes() == (tmp_path / "old.json").read_bytes()
    if budget == 700:
        assert results_module.LEFT_OUT.encode() in (tmp_path / "new.json").read_bytes()


def test_the_spools_encoder_is_json_dumps_text_and_errors_alike():
    def dumps(value):
        return json.dumps(value, ensure_ascii=False, allow_nan=False)

    values = [
        {"a": 1.5, "b": [1, "é \ud800 \n \x00", None, True], "c": {"x": -0.0, 1: 2, None: 3}},
        {2.5: [], True: {}, "big": 10**30, "tiny": 5e-324, "e": 1e16, "tuple": (1, "2")},
        {},
    ]
    for value in values:
        assert results_module._dumps(value) == dumps(value)
    for bad in ({"a": float("nan")}, {"a": [float("inf")]}, {"a": object()}, {(1,): 2}):
        with pytest.raises(Exception) as ours:
            results_module._dumps(bad)
        with pytest.raises(Exception) as stdlib:
            dumps(bad)
        assert (type(ours.value), str(ours.value)) == (type(stdlib.value), str(stdlib.value))


def test_a_vector_file_that_changes_during_a_run_stops_it_with_one_line(
    tmp_path, capsys, monkeypatch
):
    from runner_helpers import fake, run_cli

    write_suite(tmp_path / "v")
    read = vectors._read_cases

    def edited_midway(entry, version):
        for case in read(entry, version):
            yield case
            entry.path.write_bytes(entry.path.read_bytes().replace(b"}", b"} ", 1))

    monkeypatch.setattr(vectors, "_read_cases", edited_midway)
    run = run_cli(
        ["run", "--vectors", str(tmp_path / "v"), "--", *fake("correct")],
        tmp_path,
        capsys,
        monkeypatch,
        report=False,
    )
    assert run.status == 2
    assert "changed on disk since it was checked" in run.err
    assert run.err.count("\n") == 1 and "Traceback" not in run.err


@pytest.mark.parametrize("edit", ["same size", "touched only"])
def test_a_file_read_at_once_is_looked_at_again_at_its_end(tmp_path, edit):
    """After its last case, a file read at once is stat()ed: changed since it was read, it is
    hashed again; an edit stops the run (whatever its size), a touch does not."""
    suite = write_suite(tmp_path / "v")
    path = suite.files["neuron"].path
    os.utime(path, ns=(10**9, 10**9))  # not written in the very tick of the edit below
    cases = suite.iter_cases(["neuron"])
    next(cases)
    data = path.read_bytes()
    if edit == "same size":
        path.write_bytes(data.replace(b"neuron", b"neurox", 1))
        with pytest.raises(VectorError, match="changed on disk since it was checked"):
            list(cases)
    else:
        os.utime(path, ns=(1, 1))
        assert len(list(cases)) == suite.files["neuron"].cases - 1


def test_repeats_are_found_by_digest_and_confirmed_by_their_text(tmp_path, monkeypatch):
    monkeypatch.setenv("NNFS_CONFORM_CACHE", "off")
    write_suite(tmp_path / "v")
    monkeypatch.setattr(vectors._Repeats, "_digest", staticmethod(lambda text: 7))
    load_suite(tmp_path / "v")  # every digest collides, no text repeats: valid
    path = tmp_path / "v" / "relu.json"
    document = json.loads(path.read_text())
    document["cases"][2]["description"] = document["cases"][0]["description"]
    _refresh(tmp_path / "v", "relu.json", json.dumps(document).encode())
    with pytest.raises(VectorError, match=r"relu.json: /cases/2/description: repeats another"):
        load_suite(tmp_path / "v")

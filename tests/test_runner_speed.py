"""The shortcuts that make the runner cheap change no verdict: a remembered schema check, the
fast JSON path, the flat comparison loop. (Speed itself is measured by `make bench`, never
asserted here.)"""

from __future__ import annotations

import hashlib
import json
import math

import pytest
from suite_factory import write_suite

from nnfs_conform.grading.compare import _compare_slowly, compare_outputs
from nnfs_conform.suite import vectors
from nnfs_conform.suite.numbers import encode, loads


def test_a_valid_file_is_checked_once_and_remembered_by_content(tmp_path, monkeypatch):
    monkeypatch.setenv("NNFS_CONFORM_CACHE", str(tmp_path / "cache"))
    write_suite(tmp_path / "v")
    assert len(list((tmp_path / "cache" / "checked").iterdir())) == 3  # a verdict per file

    compiled = []
    check = vectors._compiled
    monkeypatch.setattr(
        vectors, "_compiled", lambda name, *a: (compiled.append(name), check(name, *a))[1]
    )
    vectors.load_suite(tmp_path / "v")
    assert compiled == ["manifest"]  # the files were checked once; the manifest, small, again


def test_a_warm_load_reads_each_file_once_and_proves_nothing_again(tmp_path, monkeypatch):
    """A file whose sha256 has a verdict is hashed, not scanned: the same suite comes back."""
    monkeypatch.setenv("NNFS_CONFORM_CACHE", str(tmp_path / "cache"))
    write_suite(tmp_path / "v")
    cold = vectors.load_suite(tmp_path / "v")

    def no_scan(*args, **kwargs):
        raise AssertionError("a remembered file was scanned again")

    monkeypatch.setattr(vectors, "_Scan", no_scan)
    warm = vectors.load_suite(tmp_path / "v")
    assert warm.files == cold.files


def _forge(directory, name, edit):
    """Edit one vector file and make the manifest agree, as a careful forger would."""
    path = directory / name
    document = json.loads(path.read_text())
    edit(document)
    data = json.dumps(document).encode()
    path.write_bytes(data)
    manifest = json.loads((directory / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == name:
            entry["sha256"] = hashlib.sha256(data).hexdigest()
    (directory / "manifest.json").write_text(json.dumps(manifest))


def test_a_changed_file_is_checked_again_in_full_after_a_warm_load(tmp_path, monkeypatch):
    monkeypatch.setenv("NNFS_CONFORM_CACHE", str(tmp_path / "cache"))
    write_suite(tmp_path / "v")
    vectors.load_suite(tmp_path / "v")  # every file proved and remembered

    def wrong_value(document):
        document["cases"][0]["expected"]["float64"]["output"]["value"] = [[9.0]]

    _forge(tmp_path / "v", "relu.json", wrong_value)
    with pytest.raises(vectors.VectorError, match="fingerprint: does not match"):
        vectors.load_suite(tmp_path / "v")


def test_a_verdict_is_not_trusted_for_a_manifest_that_promises_otherwise(tmp_path, monkeypatch):
    """The same bytes under a manifest promising another count get the cold check's answer."""
    monkeypatch.setenv("NNFS_CONFORM_CACHE", str(tmp_path / "cache"))
    write_suite(tmp_path / "v")
    vectors.load_suite(tmp_path / "v")
    manifest = json.loads((tmp_path / "v" / "manifest.json").read_text())
    manifest["files"][0]["cases"] += 1
    (tmp_path / "v" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(vectors.VectorError, match="cases promises"):
        vectors.load_suite(tmp_path / "v")


@pytest.mark.parametrize("spoil", ["unwritable", "garbage"])
def test_an_unusable_cache_is_no_error_only_a_cold_load(tmp_path, monkeypatch, spoil):
    cache = tmp_path / "cache"
    monkeypatch.setenv("NNFS_CONFORM_CACHE", str(cache))
    if spoil == "unwritable":
        cache.write_text("a file where the cache folder would be")
    write_suite(tmp_path / "v")
    if spoil == "garbage":
        for verdict in (cache / "checked").iterdir():
            verdict.write_text('{"stage": 1}')
    scanned = []
    scan = vectors._Scan
    monkeypatch.setattr(vectors, "_Scan", lambda *a: (scanned.append(a), scan(*a))[1])
    assert vectors.load_suite(tmp_path / "v").total == 8
    assert scanned  # checked in full again


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
    ["[1e400]", "[-2e308]", "[1" + "0" * 310 + ".5]", "[1" + "0" * 250 + "e60]", '{"x": 1E+0400}'],
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
            slow.elements,
            slow.out_of_tolerance,
            slow.problems,
            slow.worst,
        ), encode(want)


def _perturbed(rng, want):
    """A reply close to `want` or broken in one of the ways a port can break it."""
    choice = rng.random()
    leaves = [[v for v in row] for row in want]
    if choice < 0.5:  # small noise, sometimes past the tolerance
        scale = rng.choice([0.0, 1e-12, 1e-9, 1e-6, 1e-3, 1.0])
        return [
            [v + rng.uniform(-scale, scale) if math.isfinite(v) else v for v in row]
            for row in leaves
        ]
    i, j = rng.randrange(len(leaves)), rng.randrange(len(leaves[0]))
    special = rng.choice(
        [
            math.nan,
            math.inf,
            -math.inf,
            -0.0,
            0.0,
            1e308,
            -1e308,
            True,
            False,
            "NaN",
            "Infinity",
            "-Infinity",
            "nan",
            "1.5",
            None,
            [],
            [1.0],
            3,
            10**400,
            2**70,
        ]
    )
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
        want = [
            [
                rng.choice([rng.uniform(-10, 10), 0.0, -0.0, 1e300, math.nan, math.inf, 2])
                for _ in range(cols)
            ]
            for _ in range(rows)
        ]
        tol = [[rng.choice([1e-9, 1e-6, 0.5, 0.0, 2]) for _ in range(cols)] for _ in range(rows)]
        expected = {"y": _expected(want, tol)}
        if rng.random() < 0.3:
            expected["z"] = _expected(rng.uniform(-1, 1), rng.choice([0.0, 1e-9]))
        got = {
            name: (
                _perturbed(rng, e.value)
                if isinstance(e.value, list)
                else rng.choice([e.value, e.value + 1e-10, "NaN", True, [e.value]])
            )
            for name, e in expected.items()
        }
        if rng.random() < 0.05:
            got["extra"] = 1.0
        if rng.random() < 0.05:
            got.pop("y")
        for dtype in ("float64", "float32"):
            fast = compare_outputs(got, expected, dtype)
            slow = _compare_slowly(got, expected, dtype)
            assert (fast.elements, fast.out_of_tolerance, fast.problems) == (
                slow.elements,
                slow.out_of_tolerance,
                slow.problems,
            ), (trial, got)
            assert repr(fast.worst) == repr(slow.worst), (trial, got)


@pytest.mark.parametrize(
    "text",
    [
        "[1" + "0" * 199 + "]",
        "[1" + "0" * 198 + "]",
        "[1e99]",
        "[1e-99]",
        "[1e+099]",
        '["e000", 1]',
        "[1.5E-308]",
        "[0." + "0" * 300 + "1]",
        '{"k": "' + "9" * 300 + '"}',
    ],
)
def test_the_overflow_precheck_reads_like_the_strict_decoder(text):
    strict = json.loads(text, parse_float=lambda s: float(s))
    for form in (text, text.encode(), text.encode("utf-16")):
        assert repr(loads(form)) == repr(strict)


# --- orjson: the fast reader and writer agree with the stdlib paths -------------------------

_ATOMS = [
    b"1",
    b"-0",
    b"0.5",
    b"1e5",
    b"1E+400",
    b"-1e-400",
    b'"a"',
    b"true",
    b"false",
    b"null",
    b"[]",
    b"{}",
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"01",
    b"1.",
    b".5",
    b"+1",
    b"-",
    b"1e",
    b'"\\ud800"',
    b'"\\ud83d\\ude00"',
    b'"\\ud834x"',
    b'"\\udd1e\\ud834"',
    b'"\\u0041"',
    b'"\\x"',
    b'"\x01"',
    b'"\x7f"',
    b"\xef\xbb\xbf",
    b"\xed\xa0\x80",
    b"\xc0\xaf",
    b"\xf4\x90\x80\x80",
    b'"\xff"',
    b'"\xed\xa0\x80"',
    b'"\xef\xbf\xbf"',
    b'"\xe2\x80\xa8"',
    b" ",
    b"\t",
    b"\n",
    b"\r",
    b"\x0c",
    b"\x00",
    b"\xc2\xa0",
    b",",
    b":",
    b"[",
    b"]",
    b"{",
    b"}",
    b'"k"',
    b'"',
    b"\\",
    b'"\\/"',
    b'"\\u00"',
    b"123456789012345678",
    b"1234567890123456789",
    b"-9223372036854775808",
    b"-9223372036854775809",
    b"18446744073709551615",
    b"18446744073709551616",
    b"0.1234567890123456789012",
    b"1" + b"0" * 400,
    b"2.5e-324",
]


def _strict(raw: bytes):
    """What the runner read before orjson: the UTF-8 check, then the strict stdlib decoders."""
    from nnfs_conform.port import protocol
    from nnfs_conform.suite import numbers

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "error", f"UTF-8 {exc.start}"
    try:
        decoder = numbers._CHECKED if numbers._may_overflow(raw) else numbers._FAST
        return "value", decoder.decode(text)
    except (ValueError, RecursionError) as exc:
        return "error", protocol.shorten(str(exc))


def _hostile_texts(seed: int, count: int):
    import random

    rng = random.Random(seed)
    for _ in range(count):
        if rng.random() < 0.5:
            yield b"".join(rng.choice(_ATOMS) for _ in range(rng.randint(1, 8)))
        else:  # shaped like a reply, with hostile parts
            yield b"".join(
                [
                    b'{"seq":',
                    rng.choice(_ATOMS),
                    b',"outputs":{"y":[',
                    rng.choice(_ATOMS),
                    b",",
                    rng.choice(_ATOMS),
                    b"]}",
                    rng.choice([b"}", b"", b"}}", b"} ", b"}\x00", b"},"]),
                ]
            )


def _same(a, b) -> bool:
    """Equal values of equal types all the way down (repr tells 1 from 1.0, -0.0 from 0.0)."""
    return type(a) is type(b) and repr(a) == repr(b)


def _parsed(raw: bytes):
    from nnfs_conform.port import protocol

    try:
        return "value", protocol.parse(raw)
    except protocol.ProtocolError as exc:
        return "error", str(exc)


def test_orjson_reads_every_hostile_text_as_the_strict_decoders_do_or_leaves_it_to_them(
    monkeypatch,
):
    from nnfs_conform.suite import numbers
    from nnfs_conform.suite.numbers import NOT_READ, fast_loads

    texts = list(_hostile_texts(seed=3, count=20000))
    fast = [fast_loads(raw) for raw in texts]
    parsed = [_parsed(raw) for raw in texts]
    monkeypatch.setattr(numbers, "orjson", None)  # the runner as it was: the stdlib alone
    before = [_parsed(raw) for raw in texts]
    assert all(value is NOT_READ for value in map(fast_loads, texts[:100]))
    for raw, value, now, then in zip(texts, fast, parsed, before):
        strict = _strict(raw)
        if value is not NOT_READ:
            assert strict[0] == "value" and _same(value, strict[1]), raw
        # protocol.parse, fast path first, returns or says exactly what it did before
        assert now[0] == then[0] and (
            _same(now[1], then[1]) if now[0] == "value" else now[1] == then[1]
        ), raw
    assert sum(value is not NOT_READ for value in fast) > 300  # the fast path is taken


def _hard_number(rng) -> str:
    """Random doubles, decimal halfway points between neighbours (17 to 60 digits), long runs."""
    import struct
    from fractions import Fraction

    kind = rng.random()
    if kind < 0.3:
        x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        text = repr(x if math.isfinite(x) else 1.5)
    elif kind < 0.6:
        x = abs(struct.unpack("<d", struct.pack("<Q", rng.getrandbits(63)))[0])
        x = x if math.isfinite(x) and x else 1.0
        half = (Fraction(x) + Fraction(math.nextafter(x, math.inf))) / 2
        digits = rng.randint(17, 60)
        exponent = math.floor(math.log10(float(half))) - digits + 1
        mantissa = int(half / Fraction(10) ** exponent) + rng.choice([-1, 0, 0, 1])
        text = f"{mantissa}e{exponent}"
    else:
        whole = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 40)))
        fraction = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 40)))
        text = (whole.lstrip("0") or "0") + ("." + fraction if fraction else "")
        if rng.random() < 0.5:
            text += "e" + rng.choice(["", "+", "-"]) + str(rng.randint(0, 330))
    return rng.choice(["", "-"]) + text


def test_orjson_reads_numbers_to_the_same_double_or_int_as_the_strict_decoders():
    import random

    from nnfs_conform.suite.numbers import NOT_READ, fast_loads

    rng = random.Random(5)
    for _ in range(20000):
        raw = ("[" + _hard_number(rng) + "]").encode()
        fast, strict = fast_loads(raw), _strict(raw)
        if fast is not NOT_READ:
            assert strict[0] == "value" and _same(fast, strict[1]), raw
        else:  # refused only for a reason: a big integer, an overflow
            assert (
                strict[0] == "error" or max(map(len, raw.replace(b"-", b"[").split(b"[")[1:])) >= 19
            ), raw


@pytest.mark.parametrize("depth", [10, 498, 499, 500, 990, 1000, 1024, 1100])
def test_deep_nesting_is_left_to_the_stdlib_whose_recursion_limit_decides(depth):
    from nnfs_conform.port import protocol
    from nnfs_conform.suite.numbers import NOT_READ, fast_loads

    raw = b"[" * depth + b"]" * depth
    if depth >= 500:
        assert fast_loads(raw) is NOT_READ
    strict = _strict(raw)
    try:
        parsed = ("value", protocol.parse(raw))
    except protocol.ProtocolError:
        parsed = ("error",)
    assert parsed[0] == strict[0]


@pytest.mark.parametrize(
    "text, message",
    [
        (b"[NaN]", "bare NaN is not JSON"),
        (b"[1e400]", "beyond the float64 range"),
        (b'{"seq": 1} x', "Extra data at column 12"),
        (b"\xef\xbb\xbf{}", "Unexpected UTF-8 BOM"),
        (b'{"a": "\xff"}', r"is not UTF-8 \(byte 7\)"),
        (b"[" * 3000 + b"]" * 3000, "nested too deeply"),
    ],
)
def test_what_orjson_refuses_gets_the_message_it_always_got(text, message):
    from nnfs_conform.port import protocol

    with pytest.raises(protocol.ProtocolError, match=message):
        protocol.parse(text)


def _messages(seed: int, count: int):
    import random
    import struct

    rng = random.Random(seed)
    leaves = [
        0.0,
        -0.0,
        1.0,
        1e-7,
        1e-5,
        1e16,
        1e22,
        5e-324,
        1.7976931348623157e308,
        0,
        -1,
        2**63,
        2**64 - 1,
        2**64,
        -(2**63) - 1,
        10**30,
        True,
        False,
        None,
        "NaN",
        "é",
        "\u2028",
        '\x00\x1f"\\',
        "\ud800",
        math.nan,
        math.inf,
        "a" * 50,
    ]
    for _ in range(count):

        def value(depth=0):
            roll = rng.random()
            if roll < 0.3 and depth < 3:
                return [value(depth + 1) for _ in range(rng.randint(0, 4))]
            if roll < 0.35 and depth < 3:
                return {rng.choice(["a", "b", "é"]): value(depth + 1)}
            if roll < 0.7:
                x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
                return x if math.isfinite(x) else rng.uniform(-1, 1)
            return rng.choice(leaves)

        message = {"cmd": "run", "seq": rng.randint(1, 10**6), "inputs": {"x": value()}}
        if rng.random() < 0.05:
            message[7] = "a non-string key"
        yield message


def test_the_request_writer_writes_the_values_the_stdlib_encoder_writes_or_fails_alike():
    from nnfs_conform.port import protocol

    fast_bytes = 0
    for message in _messages(seed=9, count=5000):
        try:
            stdlib = ("ok", (protocol._ENCODER.encode(message) + "\n").encode())
        except (ValueError, TypeError, UnicodeEncodeError) as exc:
            stdlib = ("error", type(exc), str(exc))
        try:
            written = ("ok", protocol.encode(message))
        except (ValueError, TypeError, UnicodeEncodeError) as exc:
            written = ("error", type(exc), str(exc))
        assert written[0] == stdlib[0], message
        if written[0] == "error":
            assert written == stdlib
            continue
        fast_bytes += written[1] != stdlib[1]  # floats may be spelled otherwise (1e-7, 1e-07)
        assert written[1].endswith(b"\n") and written[1].count(b"\n") == 1
        assert _same(json.loads(written[1]), json.loads(stdlib[1])), message
    assert fast_bytes > 100


# --- the bulk comparison of a whole case (compare._compare_plain) ---------------------------


def _random_output(rng):
    """An expected output of any rank (scalar to 3-D, empty and large ones included)."""
    rank = rng.choice([0, 1, 1, 2, 2, 3])
    shape = [
        rng.choice([0, 1, 2, 3, 7, 40, 300]) if rank == 1 else rng.randint(1, 4)
        for _ in range(rank)
    ]
    if rank == 2 and rng.random() < 0.2:
        shape = [rng.choice([100, 300]), rng.randint(1, 3)]

    def build(dims, leaf):
        return leaf() if not dims else [build(dims[1:], leaf) for _ in range(dims[0])]

    specials = [0.0, -0.0, 2, 1e300, math.nan, math.inf]
    value = build(
        shape, lambda: rng.uniform(-10, 10) if rng.random() < 0.9 else rng.choice(specials)
    )
    tol_choice = rng.random()
    tols = (
        [1e-9, 1e-6, 0.5]
        if tol_choice < 0.4
        else [0.0, 1e-9, 0.5, 2]
        if tol_choice < 0.9
        else [0.0, -1.0, math.inf, 1e-300]
    )  # (a NaN tolerance: not in valid vectors, and
    # there the per-output loop and the element walk already differ, before this change)
    tol = build(shape, lambda: rng.choice(tols))
    return _expected(value, tol)


def _reply_to(rng, value):
    """Nested `value` answered well (floats, or ints where whole, as a C port prints them),
    with noise, or broken in one place."""

    def leaves(v):
        if isinstance(v, list):
            return [leaves(x) for x in v]
        if rng.random() < 0.3 and isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
            return int(v)
        return v + rng.choice([0.0, 0.0, 1e-12, -1e-7, 0.3]) if math.isfinite(v) else v

    got = leaves(value)
    if rng.random() < 0.7 or not isinstance(got, list) or not got:
        return got
    roll = rng.random()
    at = got
    while isinstance(at[0], list) and at[0]:
        at = at[rng.randrange(len(at))]
    special = rng.choice([math.nan, math.inf, True, "NaN", "1.5", None, [], 10**400, 2**70])
    if roll < 0.6:
        at[rng.randrange(len(at))] = special
    elif roll < 0.8:
        del at[-1]
    else:
        at.append(1.0)
    return got


def test_the_bulk_case_comparison_agrees_with_the_element_walk_and_the_per_output_loop(
    monkeypatch,
):
    import random

    from nnfs_conform.grading import compare

    rng = random.Random(11)
    trials = []
    for _ in range(2500):
        expected = {name: _random_output(rng) for name in ["a", "b", "c"][: rng.randint(1, 3)]}
        got = {name: _reply_to(rng, e.value) for name, e in expected.items()}
        if rng.random() < 0.05:
            got["extra"] = 1.0
        if rng.random() < 0.05:
            got.pop("a")
        trials.append((got, expected))
    now = [[compare_outputs(g, e, dtype) for dtype in ("float64", "float32")] for g, e in trials]
    plain = sum(compare._compare_plain(g, e, "float64") is not None for g, e in trials)
    monkeypatch.setattr(compare, "_compare_plain", lambda *args: None)  # the loop alone
    for (got, expected), results in zip(trials, now):
        for dtype, fast in zip(("float64", "float32"), results):
            for other in (
                compare_outputs(got, expected, dtype),
                _compare_slowly(got, expected, dtype),
            ):
                assert (fast.elements, fast.out_of_tolerance, fast.problems) == (
                    other.elements,
                    other.out_of_tolerance,
                    other.problems,
                ), (got, expected)
                assert repr(fast.worst) == repr(other.worst), (got, expected)
    assert plain > 500  # the bulk path is taken, the large outputs included


# --- the rule, written once (compare.error, compare.ratio), and its list-at-a-time shortcuts --


@pytest.mark.parametrize(
    "got, want, tol, expected",
    [
        (1.5, 1.0, 1.0, 0.5),
        (1.0, 1.0, 0.0, 0.0),  # exact: 0 whatever the tolerance
        (-0.0, 0.0, 0.0, 0.0),  # the sign of zero is not compared
        (1.0, 1.5, 0.0, math.inf),  # any error past a zero tolerance
        (1.0, 1.5, -1.0, math.inf),
        (math.nan, math.nan, 0.0, 0.0),  # NaN meets NaN
        (math.nan, 1.0, 1e300, math.inf),
        (1.0, math.nan, 1e300, math.inf),
        (math.inf, math.inf, 0.0, 0.0),  # an infinity meets the same infinity
        (-math.inf, math.inf, 1e300, math.inf),
        (math.inf, 1e308, 1e300, math.inf),
        (1e308, -1e308, 1e300, math.inf),  # a finite pair whose difference overflows
        (3.0, 1.0, math.inf, 0.0),
        (1.0, 1.0, math.nan, 0.0),
        (2.0, 1.0, math.nan, math.inf),
    ],
)
def test_the_rule(got, want, tol, expected):
    from nnfs_conform.grading.compare import error, ratio

    assert ratio(error(got, want), tol) == expected
    assert ratio(error(want, got), tol) == expected


def _rule(gots, wants, tols):
    """What every shortcut must return: (largest ratio, its first index, how many pass 1)."""
    from nnfs_conform.grading.compare import error, ratio

    ratios = [ratio(error(g, w), t) for g, w, t in zip(gots, wants, tols)]
    if not ratios:
        return 0.0, 0, 0
    top = max(ratios)
    return top, ratios.index(top), sum(r > 1 for r in ratios)


def test_every_list_at_a_time_shortcut_computes_the_rule_element_by_element():
    """_ratios_one_by_one and _ratios (each of its branches) against compare.ratio, on values
    chosen to reach every branch: zero tolerances met and missed, signed zeros, NaN and
    infinite values, NaN tolerances, overflowing differences, ints."""
    import random

    from nnfs_conform.grading import compare

    rng = random.Random(19)
    values = [0.0, -0.0, 1.0, 2, -3, 1e-310, 5e-324, 1e308, -1e308, math.nan, math.inf, -math.inf]
    tolerances = [0.0, -0.0, 1e-9, 0.5, 2, 1e-310, 1e300]
    rare = [-1.0, math.nan]
    reached = {"nan tol": 0, "positive": 0, "zeros met": 0, "rule": 0}
    for trial in range(4000):
        n = rng.choice([0, 1, 3, 6, 7, 30, 256, 300])
        wants = [
            rng.uniform(-10, 10) if rng.random() < 0.8 else rng.choice(values) for _ in range(n)
        ]
        gots = [
            float(w) + rng.choice([0.0, 0.0, 1e-12, -1e-7, 0.3])
            if rng.random() < 0.9
            else float(rng.choice(values))
            for w in wants
        ]
        pool = rng.choice([tolerances[2:5], tolerances, tolerances + rare])
        tols = [rng.choice(pool) for _ in range(n)]
        if rng.random() < 0.3:  # every zero tolerance met exactly
            gots = [float(w) if t == 0 else g for g, w, t in zip(gots, wants, tols)]
        want = _rule(gots, wants, tols)
        shown = (trial, gots, wants, tols)
        for shortcut in (compare._ratios_one_by_one, compare._ratios):
            found = shortcut(gots, wants, tols)
            assert repr(found) == repr(want), (shortcut.__name__, *shown)
        if any(t != t for t in tols):
            reached["nan tol"] += 1
        elif n and min(tols) > 0:
            reached["positive"] += 1
        elif n and all(g == w for g, w, t in zip(gots, wants, tols) if t == 0):
            reached["zeros met"] += 1
        else:
            reached["rule"] += 1
    assert min(reached.values()) > 100, reached


def test_shape_of_a_level_at_a_time_is_the_recursive_definition():
    import copy
    import random

    from nnfs_conform.suite.numbers import is_number, shape_of

    def recursive(value):
        if not isinstance(value, list):
            return () if is_number(value) else None
        if not value:
            return (0,)
        inner = [recursive(v) for v in value]
        if inner[0] is None or any(s != inner[0] for s in inner):
            return None
        return (len(value), *inner[0])

    class Sublist(list):
        pass

    rng = random.Random(5)
    leaves = [1, 2.5, -0.0, 10**400, "NaN", "Infinity", "x", True, None, {}]

    def build(depth):
        if depth == 0 or rng.random() < 0.15:
            return rng.choice(leaves) if rng.random() < 0.9 else []
        n = rng.choice([0, 1, 2, 3])
        if rng.random() < 0.7:  # rectangular, now and then spoiled at one place
            out = [copy.deepcopy(proto) for proto in [build(depth - 1)] for _ in range(n)]
            if out and rng.random() < 0.2:
                out[rng.randrange(n)] = rng.choice(leaves)
        else:
            out = [build(depth - 1) for _ in range(n)]
        return Sublist(out) if rng.random() < 0.05 else out

    shapes = 0
    for _ in range(20000):
        value = build(rng.randint(0, 4))
        assert shape_of(value) == recursive(value), value
        shapes += shape_of(value) is not None
    assert 5000 < shapes < 19000  # both answers are exercised


def test_decode_a_row_at_a_time_is_the_element_walk():
    """decode copies a row of plain numbers whole: the values and types the walk gives."""
    import random

    from nnfs_conform.suite.numbers import decode

    def walk(value):
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
            return float(value.replace("Infinity", "inf"))
        return value

    class Sublist(list):
        pass

    rng = random.Random(9)
    leaves = [1, 2.5, -0.0, 10**400, "NaN", "Infinity", "-Infinity", "x", True, None, {}]

    def build(depth):
        if depth == 0 or rng.random() < 0.15:
            return rng.choice(leaves)
        row = [build(depth - 1) for _ in range(rng.choice([0, 1, 2, 5]))]
        if rng.random() < 0.5:  # a row of plain numbers, now and then with one odd leaf
            row = [rng.choice([0, 3, -1.5, 1e-300]) for _ in range(rng.choice([0, 1, 4]))]
            if row and rng.random() < 0.3:
                row[rng.randrange(len(row))] = rng.choice(leaves)
        return Sublist(row) if rng.random() < 0.05 else row

    for _ in range(20000):
        value = build(rng.randint(0, 4))
        got, want = decode(value), walk(value)
        assert repr(got) == repr(want)
        assert repr([type(x) for x in _leaves(got)]) == repr([type(x) for x in _leaves(want)])
        assert not isinstance(value, list) or got is not value  # a new list, never the same


def _leaves(value):
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]

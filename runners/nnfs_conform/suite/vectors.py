"""Load the vector files, and refuse any that is malformed or tampered with.

Every problem is one line naming the file and the JSON pointer, raised as VectorError: a
runner must never grade a port against vectors it cannot trust.

A suite of any size is held in memory as its manifest only. Opening it checks every file in
full (its sha256 against the manifest, then every case against the schema and the rules below),
one case at a time; the cases are then read again, one at a time, whenever they are wanted
(`Suite.iter_cases`), and the file's sha256 is checked again at its end. (A file no larger than
the reading buffer is read again at once by the compiled parser, its sha256 checked first.)
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from array import array
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from .. import __version__, files
from .numbers import (
    NOT_READ,
    _may_overflow,
    decode,
    fast_loads,
    finite_float,
    loads,
    reject_constant,
    shape_of,
)

PACKAGE = Path(__file__).resolve().parents[1]  # nnfs_conform/
REPO = PACKAGE.parents[1]  # a source checkout: runners/nnfs_conform/ in the repository
TIERS = ("float64", "float32")
CHUNK = 1 << 20  # bytes read at a time; a value larger than the buffer grows it geometrically
HEADER = ("suite_version", "stage", "description", "signature")
CASE_LIMIT = 16 * files.MIB  # characters of one case (or member) of a vector file
FILE_LIMIT = files.MIB  # bytes of a vector file besides its cases' CASE_LIMIT each (promised)
# Strict JSON as numbers.loads reads it; raw_decode reads one value at a time from a buffer.
_DECODERS = {
    False: json.JSONDecoder(parse_constant=reject_constant),
    True: json.JSONDecoder(parse_constant=reject_constant, parse_float=finite_float),
}


class VectorError(Exception):
    """A vector file or the manifest cannot be trusted; the message is one line."""


@dataclass(frozen=True)
class Expected:
    value: Any  # decoded: nested lists of floats/ints, NaN and infinities as floats
    tol: Any


@dataclass(frozen=True)
class Case:
    id: str
    stage: str
    description: str
    tags: tuple[str, ...]
    requires: tuple[str, ...]
    fingerprint: str
    inputs: dict[str, Any]  # as stored (non-finite numbers still strings): sent to ports verbatim
    params: dict[str, Any]
    expected: dict[str, dict[str, Expected]] | None  # tier -> output name -> Expected
    error: str | None  # the error kind of an invalid case
    seq: int  # 1-based position in the whole suite: a case keeps its number whatever the filters

    @property
    def label_format(self) -> str | None:
        return self.params.get("label_format")


@dataclass(frozen=True)
class StageFile:
    stage: str
    path: Path
    sha256: str
    cases: int  # as promised by the manifest, and checked
    first_seq: int  # seq of the file's first case
    signature: dict[str, list[str]]  # {"inputs", "params", "outputs"}


@dataclass(frozen=True)
class Suite:
    directory: Path
    suite_version: str
    files: dict[str, StageFile]  # in manifest (pipeline) order

    @property
    def promised(self) -> dict[str, int]:
        return {stage: f.cases for stage, f in self.files.items()}

    @property
    def signatures(self) -> dict[str, dict[str, list[str]]]:
        return {stage: f.signature for stage, f in self.files.items()}

    @property
    def total(self) -> int:
        return sum(f.cases for f in self.files.values())

    def iter_cases(self, stages: Iterable[str] | None = None) -> Iterator[Case]:
        """The cases of `stages` (default all), in suite order, read from disk one at a time."""
        wanted = None if stages is None else set(stages)
        for stage, entry in self.files.items():
            if wanted is None or stage in wanted:
                yield from _read_cases(entry, self.suite_version)

    @cached_property
    def stages(self) -> dict[str, list[Case]]:
        """Every case in memory, by stage: for tools and tests over small suites."""
        return {
            stage: list(_read_cases(entry, self.suite_version))
            for stage, entry in self.files.items()
        }

    def cases(self) -> list[Case]:
        return [case for cases in self.stages.values() for case in cases]


def data_dir(name: str) -> Path:
    """The suite's `vectors` or `schema` folder: the wheel's copy under nnfs_conform/data/, or
    (a source checkout, an editable install) the repository's own folder."""
    packaged = PACKAGE / "data" / name
    return packaged if packaged.is_dir() else REPO / name


def default_vectors_dir() -> Path:
    return data_dir("vectors")


@cache
def schema(name: str) -> dict[str, Any]:
    return json.loads((data_dir("schema") / f"{name}.schema.json").read_text())


def fingerprint(raw_case: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of what a case means (not of its id, words or tags)."""
    keys = ("inputs", "params", "expected", "error")
    meaning = {k: raw_case[k] for k in keys if k in raw_case}
    canonical = json.dumps(meaning, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _pointer(path) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


@cache
def _compiled(name: str, pointer: str = ""):
    """schema(name) (or its part at `pointer`) as compiled checks: whether a document is valid,
    at a fraction of jsonschema's cost; jsonschema is imported only to say why one is not."""
    from .schema_checks import compile_schema

    return compile_schema(schema(name), pointer)


@cache
def _validator(name: str):
    import jsonschema  # only to explain a document the compiled checks refused

    return jsonschema.Draft202012Validator(schema(name))


def _cache_root() -> Path | None:
    """NNFS_CONFORM_CACHE (`off`: no cache), else $XDG_CACHE_HOME/nnfs-conform/valid."""
    root: str | Path = os.environ.get("NNFS_CONFORM_CACHE", "")
    if root == "off":
        return None
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        root = Path(base) / "nnfs-conform" / "valid"
    return Path(root)


@cache
def _checks_id() -> str:
    """The runner's version, the source of the checks (this module, numbers.py and
    schema_checks.py) and the schema they compile: a verdict is remembered only for the very
    checks that gave it."""
    digest = hashlib.sha256(__version__.encode())
    for module in ("vectors.py", "numbers.py", "schema_checks.py"):
        digest.update(b"\0" + (Path(__file__).parent / module).read_bytes())
    digest.update(b"\0" + json.dumps(schema("vectors"), sort_keys=True).encode())
    return digest.hexdigest()


def _verdict_path(digest: str) -> Path | None:
    """Where everything the full check of a vector file with sha256 `digest` proved is
    remembered (its header, signature and case count; its schema, fingerprints, ids, names,
    shapes and repeats held), keyed by the file's content and the checks themselves (their
    source and the schema); None without a cache."""
    root = _cache_root()
    if root is None:
        return None
    key = f"checked\0{_checks_id()}\0{digest}"
    return root / "checked" / hashlib.sha256(key.encode()).hexdigest()


def _remembered(path: Path | None) -> dict[str, Any] | None:
    """A verdict written by _remember, or None (absent, unreadable or not one)."""
    if path is None:
        return None
    try:
        verdict = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not (
        isinstance(verdict, dict)
        and isinstance(verdict.get("stage"), str)
        and isinstance(verdict.get("suite_version"), str)
        and isinstance(verdict.get("cases"), int)
        and isinstance(verdict.get("signature"), dict)
    ):
        return None
    return verdict


def _remember(path: Path | None, verdict: dict[str, Any]) -> None:
    """Write a verdict whole (a reader never sees half of one); an unwritable cache is no
    error: the file is checked again next time."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(verdict))
        os.replace(temporary, path)
    except OSError:
        pass


def _check_schema(document: Any, name: str, where: str, case_index: int | None = None) -> None:
    """Raise VectorError at jsonschema's best-matching error, if it finds one. A vector file is
    checked a case at a time, as its header with that one case: `case_index` puts the case's
    place in the file back into the pointer."""
    import jsonschema

    error = jsonschema.exceptions.best_match(_validator(name).iter_errors(document))
    if error is None:
        return
    path = list(error.absolute_path)
    if case_index is not None and path[:2] == ["cases", 0]:
        path[1] = case_index
    message = error.message if len(error.message) < 200 else error.message[:197] + "..."
    raise VectorError(f"{where}: {_pointer(path)}: {message}")


class _Scan:
    """One pass over a JSON document whose top level is an object, holding at most one member or
    one element of its `cases` array at a time: ("member", key, value) for every member but an
    array named `cases`, ("case", index, value) for each of its elements. Strict JSON as
    numbers.loads reads it; the bytes are hashed as they are read."""

    _SPACE = re.compile(r"[ \t\n\r]*")

    def __init__(self, path: Path, where: str, proved: bool = False):
        self.where = where
        # A proved file (its full check remembered, its sha256 checked again at its end) holds
        # no number beyond the float64 range: the overflow test is skipped.
        self.proved = proved
        try:  # a regular file: its size was held to the manifest's promise when it was hashed
            self.file = files.open_input(path, 1 << 62, "vector")
        except files.FileProblem as exc:
            raise VectorError(str(exc)) from None
        self.sha = hashlib.sha256()
        self.buf, self.pos, self.consumed, self.eof = "", 0, 0, False
        self.text: codecs.IncrementalDecoder | None = None  # chosen from the first bytes
        self.tail = b""  # the last bytes read, for the overflow test across a chunk boundary
        self.decoder = _DECODERS[False]

    def _fill(self, at_least: int = 0) -> bool:
        """Read more text into the buffer (dropping what was consumed); False at the end."""
        if self.eof:
            return False
        try:
            data = self.file.read(max(at_least, CHUNK))
        except OSError as exc:
            raise VectorError(f"{self.where}: cannot read: {exc.strerror}") from None
        self.sha.update(data)
        if self.text is None:  # as json.loads reads bytes: UTF-8 (a BOM is skipped), -16, -32
            encoding = json.detect_encoding(data[:4]) if data else "utf-8"
            self.text = codecs.getincrementaldecoder(encoding)("strict")
            if encoding != "utf-8":
                self.decoder = _DECODERS[True]
        if not self.proved and _may_overflow(self.tail + data):
            self.decoder = _DECODERS[True]
        self.tail = data[-200:]
        try:
            text = self.text.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise VectorError(f"{self.where}: not valid JSON: {exc}") from None
        self.consumed += self.pos
        self.buf = self.buf[self.pos :] + text
        self.pos = 0
        self.eof = not data
        return not self.eof

    def _fail(self, message: str, pos: int | None = None):
        at = self.consumed + (self.pos if pos is None else pos)
        raise VectorError(f"{self.where}: not valid JSON: {message}: char {at}")

    def _space(self) -> str:
        """Skip whitespace; the next character, or '' at the end of the document."""
        while True:
            # `*` matches everywhere, so there is always a match
            self.pos = self._SPACE.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def _take(self, allowed: str) -> str:
        char = self._space()
        if not char or char not in allowed:
            expected = " or ".join(repr(c) for c in allowed)
            self._fail(f"Expecting {expected}" if char else "Unexpected end of document")
        self.pos += 1
        return char

    def _value(self) -> Any:
        self._space()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except RecursionError:
                raise VectorError(f"{self.where}: not valid vectors: nested too deeply") from None
            except ValueError as exc:
                if self.eof:
                    message = getattr(exc, "msg", str(exc))
                    self._fail(message, getattr(exc, "pos", self.pos))
            else:
                if end < len(self.buf) or self.eof:  # a number cut by the buffer's end reads
                    self.pos = end  # as a shorter one: read on to be sure
                    return value
            if len(self.buf) - self.pos > CASE_LIMIT:
                raise VectorError(
                    f"{self.where}: a value at char {self.consumed + self.pos} "
                    f"is longer than {files.size_text(CASE_LIMIT)}: not a case"
                )
            self._fill(len(self.buf) - self.pos)

    def events(self) -> Generator[tuple[str, Any, Any], None, None]:
        try:
            yield from self._events()
        finally:
            self.file.close()

    def _events(self) -> Generator[tuple[str, Any, Any], None, None]:
        if self._space() != "{":
            self._fail(
                "Expecting '{' (a vector file is one JSON object)"
                if self._space()
                else "Unexpected end of document"
            )
        self.pos += 1
        if self._space() == "}":
            self.pos += 1
        else:
            seen: set[str] = set()
            while True:
                if self._space() != '"':
                    self._fail("Expecting property name enclosed in double quotes")
                key = self._value()
                if key in seen:
                    self._fail(f"the key {key!r} appears twice")
                seen.add(key)
                self._take(":")
                if key == "cases" and self._space() == "[":
                    self.pos += 1
                    if self._space() == "]":
                        self.pos += 1
                        yield "member", key, []
                    else:
                        index = 0
                        while True:
                            yield "case", index, self._value()
                            index += 1
                            if self._take(",]") == "]":
                                break
                else:
                    yield "member", key, self._value()
                if self._take(",}") == "}":
                    break
        if self._space():
            self._fail("Extra data")

    def digest(self) -> str:
        return self.sha.hexdigest()


def _read_json(path: Path, where: str) -> Any:
    """A whole small document (the manifest): a regular file of at most MANIFEST_LIMIT."""
    try:
        data = files.read_input(path, files.MANIFEST_LIMIT, "manifest")
    except files.FileProblem as exc:
        raise VectorError(str(exc)) from None
    try:
        return loads(data)
    except RecursionError:
        raise VectorError(f"{where}: not valid vectors: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise VectorError(f"{where}: not valid JSON: {exc}") from None


def _sha256(path: Path, where: str, limit: int = 1 << 62) -> str:
    """The file's sha256; a file that is not a regular one, or larger than `limit` bytes, is
    refused before it is read."""
    digest = hashlib.sha256()
    try:
        with files.open_input(path, limit, "vector") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
    except files.FileProblem as exc:
        raise VectorError(str(exc)) from None
    except OSError as exc:
        raise VectorError(f"{where}: cannot read: {exc.strerror}") from None
    return digest.hexdigest()


def _parse_case(raw: dict[str, Any], stage: str, seq: int) -> Case:
    expected = None
    if "expected" in raw:
        expected = {
            tier: {
                name: Expected(decode(out["value"]), out["tol"])
                for name, out in raw["expected"][tier].items()
            }
            for tier in TIERS
        }
    return Case(
        id=raw["id"],
        stage=stage,
        description=raw["description"],
        tags=tuple(raw["tags"]),
        requires=tuple(raw["requires"]),
        fingerprint=raw["fingerprint"],
        inputs=raw["inputs"],
        params=raw["params"],
        expected=expected,
        error=raw["error"]["kind"] if "error" in raw else None,
        seq=seq,
    )


def _check_case(raw: dict[str, Any], at: str, stage: str, signature: dict[str, list[str]]) -> None:
    """The rules of one case that the schema cannot state (repeats: `_Repeats`)."""
    if not raw["id"].startswith(stage + "/"):
        raise VectorError(f"{at}/id: {raw['id']!r} does not start with {stage + '/'!r}")
    if fingerprint(raw) != raw["fingerprint"]:
        raise VectorError(f"{at}/fingerprint: does not match the case's content")
    if set(raw["inputs"]) != set(signature["inputs"]):
        raise VectorError(
            f"{at}/inputs: names {sorted(raw['inputs'])}, the signature says {signature['inputs']}"
        )
    if not set(raw["params"]) <= set(signature["params"]):
        raise VectorError(
            f"{at}/params: names {sorted(raw['params'])}, "
            f"the signature allows {signature['params']}"
        )
    for tier in TIERS if "expected" in raw else ():
        if set(raw["expected"][tier]) != set(signature["outputs"]):
            raise VectorError(
                f"{at}/expected/{tier}: names {sorted(raw['expected'][tier])}, "
                f"the signature says {signature['outputs']}"
            )
        for name, out in raw["expected"][tier].items():
            value_shape, tol_shape = shape_of(out["value"]), shape_of(out["tol"])
            if value_shape is None or value_shape != tol_shape:
                raise VectorError(
                    f"{at}/expected/{tier}/{name}: value shape "
                    f"{value_shape}, tol shape {tol_shape}: they must match"
                )


class _Repeats:
    """Whether any two cases of a file share an id or a description, in 16 bytes a case: an
    8-byte digest of each, compared once the file is read. Only when two digests match is the
    file read again to find (and confirm: digests may collide) the repeat and name it."""

    def __init__(self) -> None:
        self.ids, self.descriptions = array("Q"), array("Q")

    @staticmethod
    def _digest(text: str) -> int:
        data = text.encode("utf-8", "surrogatepass")
        return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")

    def add(self, raw: dict[str, Any]) -> None:
        self.ids.append(self._digest(raw["id"]))
        self.descriptions.append(self._digest(raw["description"]))

    def __len__(self) -> int:
        return len(self.ids)

    def check(self, path: Path, where: str) -> None:
        import numpy as np  # a cold check only

        if all(
            len(np.unique(np.frombuffer(digests, dtype=np.uint64))) == len(digests)
            for digests in (self.ids, self.descriptions)
            if digests
        ):
            return
        ids: dict[str, int] = {}
        descriptions: set[str] = set()
        for kind, index, raw in _Scan(path, where).events():
            if kind != "case":
                continue
            at = f"{where}: /cases/{index}"
            if raw["id"] in ids:
                raise VectorError(f"{at}/id: {raw['id']!r} is also in /cases/{ids[raw['id']]}")
            if raw["description"] in descriptions:
                raise VectorError(
                    f"{at}/description: repeats another case's {raw['description']!r}"
                )
            ids[raw["id"]] = index
            descriptions.add(raw["description"])


def _header(path: Path, where: str) -> dict[str, Any]:
    """Every member of a vector file but its cases (for a file that lists its cases first)."""
    return {key: value for kind, key, value in _Scan(path, where).events() if kind == "member"}


def _check_header(header: dict[str, Any], stage: str, version: str, where: str) -> None:
    if header["stage"] != stage:
        raise VectorError(f"{where}: /stage: {header['stage']!r}, the manifest says {stage!r}")
    if header["suite_version"] != version:
        raise VectorError(
            f"{where}: /suite_version: {header['suite_version']!r}, the manifest says {version!r}"
        )


def _check_file(
    entry: dict[str, Any], at_entry: str, directory: Path, version: str, first_seq: int
) -> StageFile:
    """Check one vector file in full, a case at a time; what the suite keeps of it."""
    stage, path = entry["stage"], directory / entry["path"]
    where = str(path)
    digest = _sha256(path, where, FILE_LIMIT + entry["cases"] * CASE_LIMIT)
    if digest != entry["sha256"]:
        raise VectorError(
            f"{path}: sha256 differs from {at_entry}/sha256 "
            "(edited by hand? regenerate with `make vectors`)"
        )
    verdict_path = _verdict_path(digest)
    verdict = _remembered(verdict_path)
    if (
        verdict is not None
        and verdict["stage"] == stage
        and verdict["suite_version"] == version
        and verdict["cases"] == entry["cases"]
    ):  # proved already: nothing to check again
        return StageFile(stage, path, digest, entry["cases"], first_seq, verdict["signature"])
    valid_file, valid_case = _compiled("vectors"), _compiled("vectors", "/properties/cases/items")
    proved = True  # False once the schema accepted what the compiled checks refused
    header: dict[str, Any] = {}
    repeats = _Repeats()
    first, first_keys = None, 0  # the first case, to check members that come after the cases
    scan = _Scan(path, where)
    for kind, key, value in scan.events():
        if kind == "member":
            header[key] = value
            continue
        if key == 0 and not all(name in header for name in HEADER):
            header.update(_header(path, where))  # the cases come first: read the rest first
        try:
            if not (valid_file({**header, "cases": [value]}) if key == 0 else valid_case(value)):
                _check_schema({**header, "cases": [value]}, "vectors", where, case_index=key)
                proved = False
            if key == 0:
                _check_header(header, stage, version, where)
                first, first_keys = value, len(header)
            _check_case(value, f"{where}: /cases/{key}", stage, header["signature"])
        except RecursionError:
            raise VectorError(
                f"{where}: /cases/{key}: not valid vectors: nested too deeply"
            ) from None
        repeats.add(value)
    if not repeats:  # no case was read: the header alone says what is wrong
        _check_schema(header, "vectors", where)
        _check_header(header, stage, version, where)
    elif len(header) != first_keys and not valid_file({**header, "cases": [first]}):
        _check_schema({**header, "cases": [first]}, "vectors", where, case_index=0)
        proved = False  # members after the cases
    if scan.digest() != digest:
        raise VectorError(f"{path}: changed on disk while it was checked")
    repeats.check(path, where)
    if len(repeats) != entry["cases"]:
        raise VectorError(
            f"{path}: holds {len(repeats)} cases, {at_entry}/cases promises {entry['cases']}"
        )
    _remember(
        verdict_path if proved else None,
        {
            "stage": stage,
            "suite_version": version,
            "cases": entry["cases"],
            "signature": header["signature"],
        },
    )
    return StageFile(stage, path, digest, entry["cases"], first_seq, header["signature"])


def _read_whole(entry: StageFile) -> tuple[list[Any], tuple[int, ...]] | None:
    """The raw cases of a checked file no larger than the scan's buffer (CHUNK), read at once
    by the compiled parser (numbers.fast_loads: the very values the stdlib decoder gives) once
    its bytes are known to be the ones checked (sha256), and the file's _identity before it
    was read. None for a larger file, or whenever the parser cannot vouch for its reading or
    the bytes differ: the scan then reads the file and says what is wrong, as it always did."""
    try:
        with files.open_input(entry.path, CHUNK, "vector") as f:
            identity = _identity(os.fstat(f.fileno()))
            data = f.read(CHUNK + 1)
    except (files.FileProblem, OSError):
        return None
    if len(data) > CHUNK or hashlib.sha256(data).hexdigest() != entry.sha256:
        return None
    document = fast_loads(data, read_before=True)  # by the check whose verdict is kept
    if document is NOT_READ:  # (a fingerprint's run of digits looks like a huge integer)
        try:  # the scan's own decoder, over the whole text
            document = _DECODERS[False].decode(data.decode("utf-8"))
        except (ValueError, RecursionError):  # not UTF-8, a BOM...: the scan decides
            return None
    if type(document) is not dict or type(document.get("cases")) is not list:
        return None
    return document["cases"], identity


def _identity(info: os.stat_result) -> tuple[int, ...]:
    """What changes whenever a file's content does (the kernel sets the ctime at every write)."""
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def _read_cases(entry: StageFile, version: str) -> Iterator[Case]:
    """The cases of a checked file, read again one at a time; the file must not have changed."""
    changed = VectorError(
        f"{entry.path}: changed on disk since it was checked "
        "(its sha256 no longer matches the manifest)"
    )
    whole = _read_whole(entry)
    if whole is not None:
        raws, identity = whole
        for index, raw in enumerate(raws):
            try:  # the bytes are the ones checked: any problem now is a change
                parsed = _parse_case(raw, entry.stage, entry.first_seq + index)
            except (KeyError, TypeError, AttributeError, IndexError):
                raise changed from None
            yield parsed
        try:  # at the file's end, as the scan: one edited during the run stops it
            if _identity(os.stat(entry.path)) != identity:  # touched: hashed again
                if _sha256(entry.path, str(entry.path), CHUNK) != entry.sha256:
                    raise changed
        except (OSError, VectorError):
            raise changed from None
        return
    scan = _Scan(entry.path, str(entry.path), proved=True)
    events = scan.events()
    try:
        while True:
            try:  # the file was valid when it was checked: any problem now is a change
                kind, index, value = next(events)
                case = (
                    _parse_case(value, entry.stage, entry.first_seq + index)
                    if kind == "case"
                    else None
                )
            except StopIteration:
                break
            except (VectorError, KeyError, TypeError, AttributeError, IndexError):
                raise changed from None
            if case is not None:
                yield case
    finally:
        events.close()
    if scan.digest() != entry.sha256:
        raise changed


def load_suite(directory: Path | None = None) -> Suite:
    """Check every vector file the manifest lists; raise VectorError on any problem. The cases
    stay on disk until they are asked for."""
    directory = Path(directory) if directory is not None else default_vectors_dir()
    manifest_path = directory / "manifest.json"
    where = str(manifest_path)
    manifest = _read_json(manifest_path, where)
    if not _compiled("manifest")(manifest):
        _check_schema(manifest, "manifest", where)
    files: dict[str, StageFile] = {}
    first_seq = 1
    for i, entry in enumerate(manifest["files"]):
        if entry["stage"] in files:
            raise VectorError(f"{where}: /files/{i}/stage: {entry['stage']!r} is listed twice")
        checked = _check_file(
            entry, f"{where} /files/{i}", directory, manifest["suite_version"], first_seq
        )
        files[checked.stage] = checked
        first_seq += checked.cases
    return Suite(directory, manifest["suite_version"], files)

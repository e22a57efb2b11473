"""`make dist`'s vector bundle: dist/nnfs-conformance-vectors-<version>.tar.gz, for ports that
read the vectors themselves and people who do not use Python.

Holds vectors/ (every vector file and manifest.json), schema/, the protocol and stage docs, the
versioning policy, the changelog, the licence, and SHA256SUMS (`sha256sum -c SHA256SUMS`) over
all of them. The vectors are validated first. The archive is reproducible: sorted entries, fixed
owners and modes, and timestamps from SOURCE_DATE_EPOCH (default 0).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
from pathlib import Path

import nnfs_conform
from nnfs_conform.suite.vectors import load_suite

REPO = Path(__file__).resolve().parent.parent
DOCS = ["docs/PROTOCOL.md", "docs/STAGES.md", "docs/VERSIONING.md", "CHANGELOG.md", "LICENSE"]


def members(version: str) -> dict[str, bytes]:
    """Bundle path -> bytes, SHA256SUMS included."""
    suite = load_suite(REPO / "vectors")  # raises on anything malformed or tampered with
    if suite.suite_version != version:
        raise SystemExit(
            f"bundle: vectors are {suite.suite_version}, the package is {version}: "
            "regenerate them with `make vectors`"
        )
    manifest = json.loads((REPO / "vectors" / "manifest.json").read_text(encoding="utf-8"))
    paths = ["vectors/manifest.json", *(f"vectors/{e['path']}" for e in manifest["files"])]
    paths += sorted(f"schema/{p.name}" for p in (REPO / "schema").glob("*.schema.json"))
    paths += DOCS
    files = {path: (REPO / path).read_bytes() for path in paths}
    sums = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {path}\n" for path, data in sorted(files.items())
    )
    return files | {"SHA256SUMS": sums.encode()}


def write_bundle(out: Path, version: str) -> Path:
    top = f"nnfs-conformance-vectors-{version}"
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    files = members(version)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        directories = sorted({str(Path(top, p).parent) for p in files} | {top})
        for name in directories:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, mtime
            tar.addfile(info)
        for path, data in sorted(files.items()):
            info = tarfile.TarInfo(f"{top}/{path}")
            info.size, info.mode, info.mtime = len(data), 0o644, mtime
            tar.addfile(info, io.BytesIO(data))
    target = out / f"{top}.tar.gz"
    out.mkdir(parents=True, exist_ok=True)
    with (
        open(target, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=mtime) as gz,
    ):
        gz.write(buffer.getvalue())
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "dist", help="default: dist/")
    args = parser.parse_args(argv)
    target = write_bundle(args.out, nnfs_conform.__version__)
    print(f"wrote {target} ({target.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

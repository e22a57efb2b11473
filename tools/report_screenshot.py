"""Regenerate docs/report.png, the README's picture of the HTML report, from the current suite.

Three real runs on the committed vectors: the bundled Python port, the book driver on
tests/learners/book_nn.py (a port without checks_inputs, so its input checks are not applicable)
and the book driver on tests/learners/bug_softmax_without_max_shift.py (softmax without the
max shift: it fails). `nnfs-conform report --html` puts them on one page, headless Chromium
photographs its top (headline, matrix, chart), and the PNG is re-encoded with a palette when
that makes it smaller, to stay under the size tests/test_html_report.py allows.

    .venv/bin/python -m tools.report_screenshot      # or: make screenshot
"""

from __future__ import annotations

import argparse
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np

from nnfs_conform.cli import main

REPO = Path(__file__).resolve().parent.parent
SIZE = (1280, 1270)  # the window: as wide as the README shows well, as tall as the chart ends
LIMIT = 200_000  # bytes: tests/test_html_report.py's bound for docs/report.png


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    sys.exit(
        "report_screenshot: chromium is not installed: `apt-get install -y chromium` "
        "(Debian), or `make setup` as root"
    )


def runs(work: Path) -> list[Path]:
    """The three result files (exit status 1 for the broken one is expected)."""
    good, book, bug = work / "python.json", work / "book_nn.json", work / "bug.json"
    main(
        [
            "run",
            "-q",
            "--report-json",
            str(good),
            "--",
            sys.executable,
            str(REPO / "ports" / "python" / "port.py"),
        ]
    )
    main(["book", "-q", "--report-json", str(book), str(REPO / "tests/learners/book_nn.py")])
    main(
        [
            "book",
            "-q",
            "--report-json",
            str(bug),
            str(REPO / "tests/learners/bug_softmax_without_max_shift.py"),
        ]
    )
    return [good, book, bug]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def _pixels(png: bytes) -> np.ndarray:
    """The RGB(A) pixels of an 8-bit truecolour PNG such as Chromium writes."""
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    assert depth == 8 and colour in (2, 6), "not an 8-bit RGB(A) PNG"
    channels = 3 if colour == 2 else 4
    idat, at = b"", 8
    while at < len(png):
        (length,), kind = struct.unpack(">I", png[at : at + 4]), png[at + 4 : at + 8]
        if kind == b"IDAT":
            idat += png[at + 8 : at + 8 + length]
        at += 12 + length
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, 1 + width * channels)
    out = np.zeros((height, width * channels), np.int32)
    for y in range(height):  # undo the row filters: none, sub, up, average, Paeth
        kind, row = raw[y, 0], raw[y, 1:].astype(np.int32)
        up = out[y - 1] if y else np.zeros_like(row)
        if kind in (0, 2):
            out[y] = (row + (up if kind == 2 else 0)) % 256
            continue
        line = np.zeros_like(row)
        for x in range(len(row)):
            left = line[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (row[x] + left) % 256
            elif kind == 3:
                line[x] = (row[x] + (left + up[x]) // 2) % 256
            else:
                corner = up[x - channels] if x >= channels else 0
                p = left + up[x] - corner
                pa, pb, pc = abs(p - left), abs(p - up[x]), abs(p - corner)
                line[x] = (
                    row[x] + (left if pa <= pb and pa <= pc else up[x] if pb <= pc else corner)
                ) % 256
        out[y] = line
    return out.reshape(height, width, channels)[:, :, :3].astype(np.uint8)


def palette_png(png: bytes) -> bytes:
    """The screenshot with at most 256 colours (the most frequent ones; every other pixel takes
    its nearest), as an indexed PNG: a page of flat colours loses nothing visible."""
    pixels = _pixels(png)
    height, width, _ = pixels.shape
    flat = pixels.reshape(-1, 3)
    keys = (flat[:, 0].astype(np.int64) << 16) | (flat[:, 1].astype(np.int64) << 8) | flat[:, 2]
    colours, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    kept = np.argsort(-counts, kind="stable")[:256]
    rgb = np.stack([(colours >> 16) & 255, (colours >> 8) & 255, colours & 255], 1)
    palette = rgb[kept]
    nearest = np.empty(len(colours), np.uint8)
    for start in range(0, len(colours), 4096):  # each colour to its nearest kept one
        block = rgb[start : start + 4096, None, :] - palette[None, :, :]
        nearest[start : start + 4096] = np.argmin((block**2).sum(2), 1)
    index = nearest[inverse.reshape(-1)].reshape(height, width)
    rows = np.hstack([np.zeros((height, 1), np.uint8), index]).tobytes()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0))
        + _chunk(b"PLTE", palette.astype(np.uint8).tobytes())
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


def screenshot(page: Path, out: Path, work: Path) -> None:
    shot = work / "shot.png"
    subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--disable-background-networking",
            "--force-device-scale-factor=1",
            f"--user-data-dir={work / 'profile'}",
            f"--window-size={SIZE[0]},{SIZE[1]}",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    data = shot.read_bytes()
    smaller = palette_png(data)
    out.write_bytes(min(data, smaller, key=len))


def run(out: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="nnfs-screenshot-") as folder:
        work = Path(folder)
        page = work / "report.html"
        main(["report", "--html", str(page), *map(str, runs(work))])
        screenshot(page, out, work)
    size = out.stat().st_size
    print(f"{out}: {SIZE[0]}x{SIZE[1]}, {size} bytes")
    if size >= LIMIT:
        print(
            f"report_screenshot: {out} is {size} bytes, over the {LIMIT} the tests allow: "
            "make SIZE smaller",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "report.png")
    sys.exit(run(parser.parse_args().out))

"""The files the runner reads and writes, none of which it trusts.

Every input (manifest, vector files, expectations, responses, results) must be a regular file
no larger than its limit, checked before a byte is read: a FIFO, a device such as /dev/zero or
a directory is refused in one line instead of hanging the run or filling its memory. Every
report is written whole or not at all: into a temporary file in the same folder, flushed to
disk, then renamed over the target, so that a full disk leaves the previous report in place and
two runs writing one report leave one of them whole. A report path is checked before the run,
by creating (and removing) a file beside it.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TextIO

KIB, MIB = 1024, 1024 * 1024
MANIFEST_LIMIT = 16 * MIB
EXPECTATIONS_LIMIT = 16 * MIB
RESPONSES_LIMIT = 256 * MIB
RESULT_LIMIT = 256 * MIB


class FileProblem(Exception):
    """An input or output file that cannot be used; the message is one line naming it."""


def size_text(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", MIB), ("KiB", KIB)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"


def kind(mode: int) -> str | None:
    """What a file that is not a regular one is, in words; None for a regular file."""
    for test, name in (
        (stat.S_ISREG, None),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def open_input(path: str | os.PathLike, limit: int, what: str) -> IO[bytes]:
    """`path` opened for reading, once it is known to be a regular file of at most `limit`
    bytes; FileProblem otherwise. Opening never blocks (a FIFO without a writer)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise FileProblem(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        problem = kind(info.st_mode)
        if problem is not None:
            raise FileProblem(f"{path}: is {problem}, not a regular file: name the {what} file")
        if info.st_size > limit:
            raise FileProblem(
                f"{path}: {size_text(info.st_size)}, more than a {what} file may "
                f"be ({size_text(limit)})"
            )
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_input(path: str | os.PathLike, limit: int, what: str) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (see open_input)."""
    with open_input(path, limit, what) as f:
        try:
            size = os.fstat(f.fileno()).st_size
            data = f.read(size + 1)  # not a buffer of `limit` bytes
            while size < len(data) <= limit and (more := f.read(MIB)):  # it grew meanwhile
                data += more
        except OSError as exc:
            raise FileProblem(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise FileProblem(f"{path}: grew past {size_text(limit)} while it was read")
    return data


def _target(path: str | os.PathLike) -> str:
    """The file a report at `path` replaces: a symbolic link's target, so the link stays."""
    return os.path.realpath(os.fspath(path))


def check_output(path: str | os.PathLike, option: str) -> None:
    """Refuse, before the run, a report path that cannot be written: its folder is missing or
    read-only or full, or it names something that is not a regular file (/dev/full, a folder)."""
    target = _target(path)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise FileProblem(f"{option} {path}: {exc.strerror or exc}") from None
    if info is not None and kind(info.st_mode) is not None:
        raise FileProblem(
            f"{option} {path}: is {kind(info.st_mode)}, not a regular file: name a file to write"
        )
    folder = os.path.dirname(target) or "."
    if not os.path.isdir(folder):
        raise FileProblem(
            f"{option} {path}: the folder {folder} does not exist: create it or name another"
        )
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".nnfs-conform-probe-")
    except OSError as exc:
        raise FileProblem(
            f"{option} {path}: cannot write in {folder}: {exc.strerror or exc}"
        ) from None
    os.close(fd)
    os.unlink(probe)


def _mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic(
    path: str | os.PathLike, *, append: bool = False, errors: str = "strict"
) -> Iterator[TextIO]:
    """A text file that replaces `path` whole when the block ends without an exception, and
    leaves it untouched otherwise. `append`: the new text follows the file's current content
    (a CI step summary collects several reports)."""
    target = _target(path)
    folder = os.path.dirname(target) or "."
    fd, temporary = tempfile.mkstemp(
        dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors=errors, newline="") as out:
            if append:
                try:
                    with open(target, "rb") as old:
                        while chunk := old.read(MIB):
                            out.buffer.write(chunk)
                except FileNotFoundError:
                    pass
            yield out
            out.flush()
            os.fsync(out.fileno())
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except OSError:
            mode = _mode()
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise

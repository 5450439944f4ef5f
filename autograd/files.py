"""Writing a file whole or not at all, and never replacing what is not a regular file.

`atomic_write(path)` decides by what `path` is:

- a regular file, or nothing yet: the new content goes to a temporary file next to it, which is
  renamed over `path` once complete (the old content or all of the new, never a part);
- a symlink: the same for the file it points to; the link stays a link;
- the process's own streams (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N): written
  through that descriptor, where the shell sent it;
- a FIFO that a process is reading, the null device or a terminal: written in place;
- a directory, a block device, a socket, any other device, or a FIFO nobody reads: refused with
  an OSError naming the path and what it is.

Temporary files left by a save that was killed midway (`.NAME.xxxxxxxx.tmp` next to NAME) are
removed by the next save of the same file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

try:
    import fcntl
except ImportError:  # Windows: stale temporary files are recognised by their age instead
    fcntl = None  # type: ignore[assignment]

STALE_AGE = 3600.0  # seconds; without file locks, an older temporary file is taken as abandoned

_TERMINAL_MAJORS = {4, 5, *range(136, 144)}  # Linux: virtual consoles and serial lines, /dev/tty, ptys
_STREAM = re.compile(r"/dev/(stdout|stderr)|/dev/fd/(\d+)|/proc/(self|\d+)/fd/(\d+)")
_STREAM_FDS = {"stdout": 1, "stderr": 2}


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], binary: bool = False) -> Iterator[IO[Any]]:
    """A file to write the new content of `path` into, put in place only if the block succeeds.

    For a regular file (or a new one) the content goes to a temporary file next to the target,
    is flushed to disk and renamed over it when the block ends without an error, so `path` holds
    its old content or all of the new one, even if the process dies midway; on an error the
    temporary file is removed. A symlink's target is written and the link kept. An existing
    file's permissions are kept; a new file gets rw-r--r--. Streams, FIFOs with a reader, the
    null device and terminals are written in place; other kinds of path raise OSError.
    """
    path = os.fspath(path)
    stream = stream_descriptor(path)
    if stream is not None:
        with _open_in_place(os.dup(stream), binary) as f:
            yield f
        return
    target = os.path.realpath(path)
    try:
        info: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        with _open_in_place(_open_special(path, target, info), binary) as f:
            yield f
        return
    with _replace(target, info, binary) as f:
        yield f


def stream_descriptor(path: str | os.PathLike[str]) -> int | None:
    """The descriptor `path` names if it is one of this process's streams (/dev/stdout: 1), else None."""
    match = _STREAM.fullmatch(os.path.normpath(os.path.abspath(os.fspath(path))))
    if match is None or (match[3] not in (None, "self") and int(match[3]) != os.getpid()):
        return None
    return _STREAM_FDS[match[1]] if match[1] else int(match[2] or match[4])


@contextlib.contextmanager
def _replace(target: str, info: os.stat_result | None, binary: bool) -> Iterator[IO[Any]]:
    """Write `target` (a regular file or nothing) through a temporary file renamed over it."""
    mode = stat.S_IMODE(info.st_mode) if info is not None else 0o644
    folder, name = os.path.split(target)
    _remove_stale(folder, name)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        if fcntl is not None:  # held until closed: tells a later save this file is not abandoned
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with _open_in_place(fd, binary) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
            os.chmod(temporary, mode)
            if fcntl is not None:  # renamed while still locked, so no other save can remove it first
                os.replace(temporary, target)
        if fcntl is None:  # Windows renames only closed files
            os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        raise


def save_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write `text` to `path` whole or not at all (see `atomic_write`); returns the path.

    A missing folder is a FileNotFoundError naming it, before anything is written.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not exist")
    with atomic_write(path) as f:
        f.write(text)
    return path


def _remove_stale(folder: str, name: str) -> None:
    """Remove temporary files of `name` that no running save holds (left by a killed process)."""
    pattern = re.compile(re.escape(f".{name}.") + r"[a-z0-9_]{8}\.tmp")
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # mkstemp will report the folder's problem
    for entry in entries:
        if not pattern.fullmatch(entry.name) or not entry.is_file(follow_symlinks=False):
            continue
        with contextlib.suppress(OSError):
            if _abandoned(entry.path):
                os.remove(entry.path)


def _abandoned(path: str) -> bool:
    if fcntl is None:
        return time.time() - os.stat(path).st_mtime > STALE_AGE
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while a save is writing it
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def _open_special(path: str, target: str, info: os.stat_result) -> int:
    """A descriptor open for writing on an existing path that is not a regular file, or OSError."""
    kind = _kind(info.st_mode)
    where = path if path == target else f"{path} (-> {target})"
    if stat.S_ISFIFO(info.st_mode):
        try:  # without O_NONBLOCK, opening a FIFO nobody reads would wait forever
            fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
            message = f"cannot write {where}: it is a FIFO and no process is reading it"
            raise _error(errno.ENXIO, message) from None
        os.set_blocking(fd, True)
        return fd
    if stat.S_ISCHR(info.st_mode) and (
        info.st_rdev == os.stat(os.devnull).st_rdev or os.major(info.st_rdev) in _TERMINAL_MAJORS
    ):
        return os.open(target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    code = errno.EISDIR if stat.S_ISDIR(info.st_mode) else errno.EINVAL
    raise _error(code, f"cannot write {where}: it is {kind}, not a regular file; give a file's path")


def _error(code: int, message: str) -> OSError:
    """An OSError (IsADirectoryError for EISDIR) whose text is `message` alone, with its errno."""
    exc = IsADirectoryError(message) if code == errno.EISDIR else OSError(message)
    exc.errno = code
    return exc


def _kind(mode: int) -> str:
    kinds = [
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "not a regular file")


@contextlib.contextmanager
def _open_in_place(fd: int, binary: bool) -> Iterator[IO[Any]]:
    """The descriptor `fd` as a file object: bytes, or UTF-8 text with newlines kept as written."""
    encoding, newline = (None, None) if binary else ("utf-8", "")
    with os.fdopen(fd, "wb" if binary else "w", encoding=encoding, newline=newline) as f:
        yield f

"""Writing a file whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], binary: bool = False) -> Iterator[IO[Any]]:
    """A file to write the new content of `path` into, put in place only if the block succeeds.

    The file is a temporary one next to `path`. When the block ends without an error it is
    flushed to disk and renamed over `path`, so `path` holds either its old content or all of
    the new one, never a part, even if the process dies midway. On an error it is removed.
    An existing file's permissions are kept; a new file gets rw-r--r--.
    """
    path = os.fspath(path)
    mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        encoding, newline = (None, None) if binary else ("utf-8", "")
        with os.fdopen(fd, "wb" if binary else "w", encoding=encoding, newline=newline) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
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

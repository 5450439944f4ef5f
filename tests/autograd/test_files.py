"""atomic_write: regular files are replaced whole, anything else is written in place or refused."""

from __future__ import annotations

import fcntl
import os
import socket
import stat
import threading
import time
from pathlib import Path

import pytest

from autograd.files import atomic_write, stream_descriptor


def write(path: Path | str, text: str) -> None:
    with atomic_write(path) as f:
        f.write(text)


def mknod(path: Path, kind: int, major: int, minor: int) -> None:
    """A device node inside the test's own folder (CI runs as root, where this is allowed)."""
    try:
        os.mknod(path, kind | 0o666, os.makedev(major, minor))
    except PermissionError:
        pytest.skip("creating device nodes needs root")


def test_a_regular_file_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    write(path, "old")
    write(path, "new")
    assert path.read_text() == "new"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_a_symlink_stays_a_link_and_its_target_is_written(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to("real.txt")
    chained = tmp_path / "chained.txt"
    chained.symlink_to(link)
    write(chained, "new")
    assert link.is_symlink() and chained.is_symlink()
    assert target.read_text() == "new"
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to("created.txt")
    write(dangling, "made")
    assert dangling.is_symlink() and (tmp_path / "created.txt").read_text() == "made"
    assert sorted(os.listdir(tmp_path)) == [
        "chained.txt",
        "created.txt",
        "dangling.txt",
        "link.txt",
        "real.txt",
    ]


def test_a_fifo_with_a_reader_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as f:
            received.append(f.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 10
    while True:  # the reader may not have opened its end yet: retry until it has
        try:
            write(fifo, "through the pipe")
            break
        except OSError as exc:
            assert "no process is reading it" in str(exc)
            assert time.monotonic() < deadline, "the reader never opened the FIFO"
            time.sleep(0.01)
    reader.join(timeout=10)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


def test_a_fifo_nobody_reads_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    start = time.monotonic()
    for path in (fifo, link):
        with pytest.raises(OSError, match=f"cannot write {path}.*a FIFO and no process is reading it"):
            write(path, "lost")
    assert time.monotonic() - start < 5
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and link.is_symlink()


def test_a_null_device_is_written_in_place(tmp_path: Path) -> None:
    null = tmp_path / "null"
    rdev = os.stat(os.devnull).st_rdev
    mknod(null, stat.S_IFCHR, os.major(rdev), os.minor(rdev))
    write(null, "discarded")
    assert stat.S_ISCHR(null.lstat().st_mode) and null.lstat().st_rdev == rdev
    assert os.listdir(tmp_path) == ["null"]


@pytest.mark.parametrize(
    ("kind", "major", "minor", "name"),
    [(stat.S_IFCHR, 1, 7, "a character device"), (stat.S_IFBLK, 7, 250, "a block device")],
)
def test_other_devices_are_refused_and_kept(
    tmp_path: Path, kind: int, major: int, minor: int, name: str
) -> None:
    # 1,7 is /dev/full and 7,250 an unused loop device: harmless even if they were opened
    device = tmp_path / "device"
    mknod(device, kind, major, minor)
    with pytest.raises(OSError, match=f"cannot write {device}: it is {name}, not a regular file"):
        write(device, "nothing")
    assert stat.S_IFMT(device.lstat().st_mode) == kind
    assert os.listdir(tmp_path) == ["device"]


def test_a_socket_and_a_directory_are_refused(tmp_path: Path) -> None:
    sock_path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        with pytest.raises(OSError, match="it is a socket"):
            write(sock_path, "nothing")
    assert stat.S_ISSOCK(sock_path.lstat().st_mode)
    with pytest.raises(IsADirectoryError, match=f"cannot write {tmp_path}: it is a directory"):
        write(tmp_path, "nothing")


def test_temporary_files_of_a_killed_save_are_removed_by_the_next(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    stale = tmp_path / ".w.json.k3x_9a0q.tmp"  # what mkstemp made for a save that was killed
    stale.write_text("half a file")
    kept = [".w.json.kept.tmp", ".other.json.abcd1234.tmp", "w.json.abcd1234.tmp", ".w.json.abcd1234.txt"]
    for name in kept:
        (tmp_path / name).write_text("not ours")
    busy = tmp_path / ".w.json.busy0000.tmp"  # a save of the same file still running elsewhere
    busy.write_text("in progress")
    with open(busy) as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        write(path, "new")
    assert path.read_text() == "new"
    assert sorted(os.listdir(tmp_path)) == sorted([*kept, busy.name, "w.json"])


def test_the_process_streams_are_recognised() -> None:
    assert stream_descriptor("/dev/stdout") == 1
    assert stream_descriptor("/dev/stderr") == 2
    assert stream_descriptor("/dev/fd/5") == 5
    assert stream_descriptor("/proc/self/fd/1") == 1
    assert stream_descriptor(f"/proc/{os.getpid()}/fd/2") == 2
    assert stream_descriptor("/proc/1/fd/1") is None or os.getpid() == 1
    assert stream_descriptor("/dev/null") is None
    assert stream_descriptor("stdout") is None


def test_a_stream_is_written_through_its_descriptor(tmp_path: Path) -> None:
    out = tmp_path / "captured.txt"
    with open(out, "w") as f:
        f.write("before|")
        f.flush()
        write(f"/dev/fd/{f.fileno()}", "written")
        f.write("|after")
    assert out.read_text() == "before|written|after"  # appended where the stream was, not truncated

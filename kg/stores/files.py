"""Writing files so that a crash or a full disk never leaves one half-written.

Every file a reader trusts is written to a temporary name beside it and renamed over
the old one, so a reader sees the old bytes or the new ones, never a mixture. A full disk
(ENOSPC, EDQUOT) becomes :class:`~kg.errors.DiskFullError` with the temporary file gone.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import DiskFullError

_FULL = {errno.ENOSPC, errno.EDQUOT}
_FULL_TEXT = ("no space left on device", "disk quota exceeded", "database or disk is full")
_CHUNK = 1 << 20


def is_disk_full(error: BaseException) -> bool:
    """ENOSPC or EDQUOT, also as the text RocksDB and SQLite put in their own errors."""
    if isinstance(error, OSError) and error.errno in _FULL:
        return True
    text = str(error).lower()
    return any(m in text for m in _FULL_TEXT)


@contextmanager
def disk_full_is_one_line(what: str) -> Iterator[None]:
    """Turn ENOSPC raised inside the block into DiskFullError(``what``)."""
    try:
        yield
    except (OSError, RuntimeError) as exc:  # pyoxigraph reports RocksDB's errors as either
        if is_disk_full(exc):
            raise DiskFullError(what) from None
        raise


def atomic_write(path: Path, data: bytes, durable: bool = False) -> None:
    """Replace ``path`` with ``data`` in one rename; ``durable`` also fsyncs file and folder."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise DiskFullError(f"writing {path}") from None
        raise
    if durable:
        fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_filesystem(path: Path) -> None:
    """Flush every dirty file of the file system holding ``path`` (Linux syncfs, else sync).

    One call before a generation is published costs milliseconds; an fsync per text file
    written during an ingest would cost about a millisecond per file.
    """
    syncfs = getattr(_libc(), "syncfs", None)
    if syncfs is None:
        os.sync()
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def copy_tree(source: Path, target: Path, durable: bool = True) -> dict[str, str]:
    """Copy a folder's files (data, no metadata; fsynced if ``durable``); ``target`` is new.

    Returns the sha256 of every file copied, by relative path: hashing while copying
    costs little more than the copy.
    """
    target.mkdir(parents=True)
    hashes: dict[str, str] = {}
    for entry in sorted(source.rglob("*")):
        rel = entry.relative_to(source)
        destination = target / rel
        if entry.is_dir():
            destination.mkdir(exist_ok=True)
            continue
        digest = hashlib.sha256()
        with open(entry, "rb") as src, open(destination, "wb") as dst:
            for block in iter(lambda: src.read(_CHUNK), b""):
                digest.update(block)
                dst.write(block)
            if durable:
                dst.flush()
                os.fsync(dst.fileno())
        hashes[rel.as_posix()] = digest.hexdigest()
    return hashes


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def tree_files(root: Path) -> Iterator[Path]:
    """Every regular file under ``root``, in a stable order."""
    for entry in sorted(root.rglob("*")):
        if entry.is_file():
            yield entry

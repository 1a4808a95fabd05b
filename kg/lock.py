"""One writer per KG_HOME: an advisory lock file that the OS releases if the writer dies."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import StoreLockedError

CHECK = "kg check"  # holds the lock only to read the writer's stores: writers wait for it


@contextmanager
def write_lock(path: Path, purpose: str = "kg ingest") -> Iterator[None]:
    """Hold the write lock for the block, or raise StoreLockedError naming the holder.

    A writer waits for a `kg check` that holds the lock (it only reads, for seconds);
    `kg check` itself never waits. Unbuffered writes: on a full disk the holder's note is
    lost, never the lock itself.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, wait=purpose != CHECK)
        _note(fd, f"pid {os.getpid()}, {purpose}")
        try:
            yield
        finally:
            _note(fd, "")
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, wait: bool) -> None:
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "?"
        if not (wait and holder.endswith(f", {CHECK}")):
            raise StoreLockedError(
                f"another kg process ({holder}) is writing to {path.parent}; try again when it ends"
            )
        fcntl.flock(fd, fcntl.LOCK_EX)  # the check ends soon; then look again
        fcntl.flock(fd, fcntl.LOCK_UN)


def _note(fd: int, text: str) -> None:
    """Who holds the lock, for the message above; best effort (a full disk must not stop
    a repair)."""
    try:
        os.ftruncate(fd, 0)
        if text:
            os.pwrite(fd, text.encode("utf-8"), 0)
    except OSError:
        pass

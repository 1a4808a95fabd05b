"""One writer per KG_HOME: an advisory lock file that the OS releases if the writer dies."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import StoreLockedError


@contextmanager
def write_lock(path: Path, purpose: str = "kg ingest") -> Iterator[None]:
    """Hold the write lock for the block, or raise StoreLockedError naming the holder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise StoreLockedError(
                f"another kg process ({holder}) is writing to {path.parent}; try again when it ends"
            ) from None
        handle.seek(0)
        handle.truncate()
        try:
            handle.write(f"pid {os.getpid()}, {purpose}")
            handle.flush()
        except OSError:
            pass  # only a hint for the message above; a full disk must not stop a repair
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)

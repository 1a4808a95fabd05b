"""Published generations: what readers open while a writer works.

The writer never shares a file with a reader. After each write (an ingest, a removal, a
repair) it publishes generation N+1: a new folder ``generations/N+1/`` holding an
Oxigraph checkpoint (hard links, so cheap), a copy of the Chroma index, the BM25 index
and ``manifest.json`` (the registry it was made from and the size and sha256 of every
file), then points ``KG_HOME/generation`` at it with one atomic rename. Readers open the
newest generation read-only; nobody writes to it any more, so
``pyoxigraph.Store.read_only`` and Chroma's files are safe to read from any number of
processes. A reader holds a shared ``flock`` on the generation's ``lease`` file; the
writer removes an old generation only when it can take that lock exclusively.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg.errors import EmptyStoreError, StoreDamagedError
from kg.stores.files import (
    atomic_write,
    disk_full_is_one_line,
    fsync_dir,
    remove_tree,
    sha256_file,
    sync_filesystem,
    tree_files,
)

FOLDER = "generations"
MANIFEST = "manifest.json"
LEASE = "lease"
SCRATCH = "readers"
PART = "published generation"
# RocksDB table files checksum every block themselves; `kg check` reads them all.
SELF_CHECKED_SUFFIXES = (".sst",)
_OPEN_ATTEMPTS = 20
_PARTS_BY_FOLDER = {
    "rdf/": "published RDF snapshot",
    "chroma/": "published vector index",
    "lexical/": "published BM25 index",
}


def part_of(problem: str) -> str:
    """Which part a problem line about a generation's file (``rdf/000012.sst ...``) is about."""
    return next((p for f, p in _PARTS_BY_FOLDER.items() if problem.startswith(f)), PART)


@dataclass(frozen=True)
class Manifest:
    """What one generation holds: its registry and the size and hash of every file."""

    generation: int
    created: str
    backends: dict[str, str]
    records: dict[str, tuple[str, str, str]]  # doc id -> (version, checksum, source)
    files: dict[str, tuple[int, str | None]] = field(default_factory=dict)

    @property
    def documents(self) -> dict[str, str]:
        """doc id -> version (the sha256 of its source)."""
        return {doc_id: record[0] for doc_id, record in self.records.items()}

    def to_json(self) -> bytes:
        data: dict[str, Any] = {
            "generation": self.generation,
            "created": self.created,
            "backends": self.backends,
            "documents": {k: list(v) for k, v in self.records.items()},
            "files": {k: list(v) for k, v in self.files.items()},
        }
        return json.dumps(data, indent=1, sort_keys=True).encode("utf-8")

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_bytes())
            return cls(
                generation=int(data["generation"]),
                created=str(data["created"]),
                backends=dict(data["backends"]),
                records={
                    str(k): (str(v[0]), str(v[1]), str(v[2])) for k, v in data["documents"].items()
                },
                files={str(k): (int(v[0]), v[1]) for k, v in data["files"].items()},
            )
        except FileNotFoundError:
            raise StoreDamagedError(PART, f"{path} is missing") from None
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise StoreDamagedError(PART, f"{path} is unreadable: {exc}") from None


def _record(value: Any) -> tuple[str, str, str]:
    if not (isinstance(value, list) and len(value) == 3 and all(isinstance(v, str) for v in value)):
        raise ValueError(
            f"a document entry is {str(value)[:40]!r}, not [version, checksum, source]"
        )
    return value[0], value[1], value[2]


class Lease:
    """A shared lock on one generation, held while it is open; released on close."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._fd: int | None = None
        self._fd = os.open(folder / LEASE, os.O_RDONLY)
        fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        self.release()


class Scratch:
    """A reader's private working folder inside a generation, for a store that writes to
    the files it reads (Chroma). An exclusive lock on ``<folder>.lock`` marks it in use;
    the writer's cleanup removes any whose lock it can take (its reader died)."""

    def __init__(self, generation: Path) -> None:
        root = generation / SCRATCH
        root.mkdir(exist_ok=True)
        self.path = root / f"{os.getpid()}-{secrets.token_hex(4)}"
        self._lock = self.path.with_suffix(".lock")
        self._fd: int | None = None
        self._fd = os.open(self._lock, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def release(self) -> None:
        if self._fd is not None:
            remove_tree(self.path)
            self._lock.unlink(missing_ok=True)
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        self.release()


def _clean_scratch(generation: Path) -> None:
    root = generation / SCRATCH
    if not root.is_dir():
        return
    for lock in root.glob("*.lock"):
        fd = os.open(lock, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue
        else:
            remove_tree(lock.with_suffix(""))
            lock.unlink(missing_ok=True)
        finally:
            os.close(fd)


def folder(home: Path) -> Path:
    return home / FOLDER


def generation_dir(home: Path, generation: int) -> Path:
    return folder(home) / str(generation)


def pointer_path(home: Path) -> Path:
    return home / "generation"


def newest(home: Path) -> int | None:
    """The generation ``KG_HOME/generation`` points at, or None before the first publish."""
    try:
        text = pointer_path(home).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not text.isdigit():
        raise StoreDamagedError(PART, f"{pointer_path(home)} holds {text[:20]!r}, not a number")
    return int(text)


@dataclass
class Opened:
    generation: int
    folder: Path
    manifest: Manifest
    lease: Lease


def open_newest(home: Path) -> Opened:
    """Lease the newest generation and read its manifest (retrying if one is published
    meanwhile); raise EmptyStoreError before the first publish."""
    for _ in range(_OPEN_ATTEMPTS):
        generation = newest(home)
        if generation is None and any(p.name.isdigit() for p in _entries(folder(home))):
            raise StoreDamagedError(PART, f"{pointer_path(home)} is missing")
        if generation is None:
            raise EmptyStoreError("nothing has been ingested yet; run `kg ingest` first")
        path = generation_dir(home, generation)
        try:
            lease = Lease(path)
        except FileNotFoundError:
            if newest(home) != generation:
                continue  # a writer published and cleaned up between our two reads
            raise StoreDamagedError(PART, f"{path} is missing") from None
        if not (path / MANIFEST).exists() and newest(home) != generation:
            lease.release()
            continue
        return Opened(generation, path, Manifest.load(path), lease)
    raise StoreDamagedError(PART, f"{pointer_path(home)} keeps moving; is a writer looping?")


def _entries(path: Path) -> list[Path]:
    return list(path.iterdir()) if path.is_dir() else []


def verify_sizes(path: Path, manifest: Manifest) -> list[str]:
    """Files missing or of the wrong size: a stat per file, cheap enough for every open."""
    problems = []
    for rel, (size, _sha) in sorted(manifest.files.items()):
        try:
            actual = (path / rel).stat().st_size
        except FileNotFoundError:
            problems.append(f"{rel} is missing")
            continue
        if actual != size:
            problems.append(f"{rel} has {actual} bytes, {size} were published")
    return problems


def verify_hashes(path: Path, manifest: Manifest, prefix: str = "") -> list[str]:
    """Files whose content changed since they were published (reads every hashed file)."""
    problems = []
    for rel, (_size, sha) in sorted(manifest.files.items()):
        if sha is None or not rel.startswith(prefix):
            continue
        try:
            if sha256_file(path / rel) != sha:
                problems.append(f"{rel} changed since it was published")
        except FileNotFoundError:
            problems.append(f"{rel} is missing")
    return problems


def publish(
    home: Path,
    fill: Callable[[Path], None],
    records: Mapping[str, tuple[str, str, str]],
    backends: Mapping[str, str],
) -> int:
    """Build the next generation with ``fill(folder)``, then make it the newest.

    Nothing a reader can see changes until the final rename of the pointer; a crash or a
    full disk before it leaves the previous generation in place and a staging folder that
    the next publish removes.
    """
    root = folder(home)
    root.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name) for p in root.iterdir() if p.name.isdigit()]
    generation = max([newest(home) or 0, *numbers]) + 1
    staging = root / f".staging-{generation}-{os.getpid()}"
    remove_tree(staging)
    try:
        with disk_full_is_one_line(f"publishing generation {generation} in {root}"):
            staging.mkdir()
            (staging / LEASE).touch()
            fill(staging)
            manifest = Manifest(
                generation=generation,
                created=datetime.now(UTC).replace(microsecond=0).isoformat(),
                backends=dict(backends),
                records=dict(records),
                files=_describe(staging),
            )
            atomic_write(staging / MANIFEST, manifest.to_json())
            sync_filesystem(staging)
            target = generation_dir(home, generation)
            os.rename(staging, target)
            fsync_dir(root)
            atomic_write(pointer_path(home), str(generation).encode(), durable=True)
    except BaseException:
        remove_tree(staging)
        raise
    return generation


def _describe(path: Path) -> dict[str, tuple[int, str | None]]:
    out: dict[str, tuple[int, str | None]] = {}
    for file in tree_files(path):
        rel = file.relative_to(path).as_posix()
        if rel in {LEASE, MANIFEST}:
            continue
        sha = None if file.name.endswith(SELF_CHECKED_SUFFIXES) else sha256_file(file)
        out[rel] = (file.stat().st_size, sha)
    return out


def cleanup(home: Path) -> list[Manifest]:
    """Remove stale staging folders and old generations no reader holds (writer only);
    return the manifests of the generations kept, newest first."""
    root = folder(home)
    if not root.exists():
        return []
    current = newest(home)
    kept: list[Manifest] = []
    for entry in sorted(root.iterdir(), key=lambda p: -int(p.name) if p.name.isdigit() else 0):
        if entry.name.startswith(".staging-"):
            remove_tree(entry)  # the writer holds the write lock: no publish is under way
        elif entry.name.isdigit() and int(entry.name) != current and _remove_unless_held(entry):
            continue
        elif entry.name.isdigit():
            _clean_scratch(entry)
            try:
                kept.append(Manifest.load(entry))
            except StoreDamagedError:
                if int(entry.name) == current:
                    raise
                remove_tree(entry)
    return kept


def _remove_unless_held(path: Path) -> bool:
    """Delete an old generation if no reader leases it. The folder goes while we hold the
    lock: a reader that blocks on it meanwhile finds the folder gone and moves on."""
    try:
        fd = os.open(path / LEASE, os.O_RDONLY)
    except FileNotFoundError:
        remove_tree(path)
        return True
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        remove_tree(path)
        return True
    finally:
        os.close(fd)

"""One file at a time, read in a child process with a time and a memory limit of its own.

Loading, segmenting and extracting a file is where untrusted input meets parsers (PDF,
DOCX, HTML) that may be slow or greedy on a pathological file. ``FileReader`` runs that
work in a separate process, so such a file fails alone, with one line, and the run goes
on with the next one: a file over ``KG_FILE_TIMEOUT`` seconds has its process killed and
replaced; one over ``KG_FILE_MEMORY_MB`` fails with a MemoryError inside it; one whose
reader dies (a crash in a C extension) is reported with the exit code.

The child is a fresh interpreter (``python -m ingest.worker``), so it shares no thread,
lock or open store with the parent and never re-runs the parent's main script; it is
started once and reused for every file while it stays healthy. Jobs and results travel
as pickles over a socket pair.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from rdflib import Graph

from kg.errors import DocumentError, KGError
from kg.model import Document, Passage

_START_SECONDS = 120.0  # how long a fresh child may take to import and load the ontology
_AHEAD = 8  # files queued in the reader ahead of the one being collected


@dataclass(frozen=True)
class Loaded:
    """What reading one file gives: the document, its passages and its fact triples."""

    doc: Document
    passages: list[Passage]
    facts: Graph


@dataclass(frozen=True)
class Job:
    """One file to read: its path, its corpus root, that root's catalog, the size limit,
    and whether spaCy's NER runs beside the rules (KG_NER)."""

    path: Path
    root: Path
    catalog: Mapping[str, Mapping[str, str]]
    max_bytes: int
    ner: bool = True


def _limit_memory(megabytes: int) -> None:
    """Cap this process's address space, where the platform allows it."""
    if megabytes <= 0:
        return
    try:
        import resource
    except ImportError:  # not on this platform: no cap
        return
    limit = megabytes * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # not allowed here (a lower hard limit): keep the current one
        return


def prepare(job: Job, reference: object) -> Loaded:
    """Load, segment and extract one file (in whichever process calls it)."""
    from ingest.extract import extract_facts
    from ingest.load import load_document
    from ingest.segment import segment

    doc = load_document(job.path, job.root, job.catalog, max_bytes=job.max_bytes)
    passages = segment(doc)
    facts = extract_facts(doc, passages, reference, ner=job.ner)  # type: ignore[arg-type]
    return Loaded(doc, passages, facts)


def _serve(conn: Connection, ontology: str, memory_mb: int) -> None:
    """The child's loop: one job in, one result out, until the pipe closes."""
    from ingest.extract import load_reference

    reference = load_reference(Path(ontology))
    _limit_memory(memory_mb)
    conn.send(("ready", None))
    while True:
        try:
            job: Job = conn.recv()
        except EOFError:
            return
        conn.send(("started", time.monotonic()))  # one clock for both processes
        try:
            conn.send(("ok", prepare(job, reference)))
        except KGError as error:
            conn.send(("failed", getattr(error, "reason", str(error))))
        except RecursionError:
            conn.send(("failed", "nested too deeply to read"))
        except MemoryError:
            conn.send(("failed", f"needs more than {memory_mb} MB of memory (KG_FILE_MEMORY_MB)"))


class FileReader:
    """Reads files in a child process; one reader per ontology folder and memory limit."""

    def __init__(self, ontology: Path, memory_mb: int) -> None:
        self.ontology = Path(ontology)
        self.memory_mb = memory_mb
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    def read(
        self,
        path: Path,
        root: Path,
        catalog: Mapping[str, Mapping[str, str]],
        max_bytes: int,
        timeout: float,
    ) -> Loaded:
        """The loaded document, or ``DocumentError`` with one line saying why not.

        ``timeout`` (seconds, 0 for none) covers loading, segmenting and extracting.
        """
        job = Job(Path(path), Path(root), dict(catalog), max_bytes)
        for _, outcome in self.read_all([job], timeout):
            if isinstance(outcome, DocumentError):
                raise outcome
            return outcome
        raise AssertionError("read_all gives one outcome per job")  # pragma: no cover

    def read_all(
        self, jobs: Iterable[Job], timeout: float, ahead: int = _AHEAD
    ) -> Iterator[tuple[Job, Loaded | DocumentError]]:
        """Each job with its outcome, in order.

        Up to ``ahead`` jobs wait in the child's queue, so it reads the next files while
        the caller embeds and writes the last ones. A job's time limit runs from the
        moment the child starts it; a job over it, or one whose reader dies, costs a
        fresh child, and the jobs queued behind it are sent again.
        """
        with self._lock:
            queued: deque[tuple[Job, DocumentError | None]] = deque()
            source = iter(jobs)
            try:
                while True:
                    while len(queued) < ahead:
                        job = next(source, None)
                        if job is None:
                            break
                        queued.append((job, self._send(job)))
                    if not queued:
                        return
                    job, failed = queued.popleft()
                    if failed is not None:
                        yield job, failed
                        continue
                    outcome, healthy = self._outcome(job, timeout)
                    if not healthy:
                        queued = deque((j, e or self._send(j)) for j, e in queued)
                    yield job, outcome
            finally:
                if queued:  # the caller stopped early: results would be left in the pipe
                    self._stop()

    def _send(self, job: Job) -> DocumentError | None:
        """Queue a job in the current child (a fresh one if there is none).

        A child that died with jobs queued is not replaced here: collecting the job it
        was reading notices, and sends the queued jobs again to a new child.
        """
        try:
            conn = self._conn if self._conn is not None else self._ready(str(job.path))
        except DocumentError as error:
            return error
        with contextlib.suppress(OSError):  # a dead child: collecting says so, then resends
            conn.send(job)
        return None

    def _outcome(self, job: Job, timeout: float) -> tuple[Loaded | DocumentError, bool]:
        """The job's result, and whether the child is still usable afterwards."""
        name = str(job.path)
        conn = self._conn
        try:
            if conn is None or not conn.poll(timeout if timeout > 0 else None):
                return self._too_slow(name, timeout), False
            _, started = conn.recv()
            left = None if timeout <= 0 else max(0.0, started + timeout - time.monotonic())
            if not conn.poll(left):
                return self._too_slow(name, timeout), False
            status, value = conn.recv()
        except (EOFError, OSError):
            code = self._stop()
            reason = f"the process reading it stopped (exit code {code}); skipped"
            return DocumentError(name, reason), False
        if status == "ok":
            return value, True
        return DocumentError(name, str(value)), True

    def _too_slow(self, name: str, timeout: float) -> DocumentError:
        self._stop()
        return DocumentError(
            name, f"took longer than {timeout:g} s to read (KG_FILE_TIMEOUT); skipped"
        )

    def _ready(self, name: str) -> Connection:
        """The connection to a healthy child, starting one if needed."""
        if self._conn is not None and self._process is not None and self._process.poll() is None:
            return self._conn
        self._stop()
        ours, theirs = socket.socketpair()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "ingest.worker", *self._arguments(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            env=env,
        )
        theirs.close()
        self._conn = Connection(ours.detach())
        try:
            ready = self._conn.poll(_START_SECONDS) and self._conn.recv()[0] == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            code = self._stop()
            raise DocumentError(name, f"the file reader process did not start (exit code {code})")
        return self._conn

    def _arguments(self, fd: int) -> list[str]:
        return [str(fd), str(self.ontology), str(self.memory_mb)]

    def _stop(self) -> int | None:
        """End the child (it is ours); its exit code, if it had one."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is None:
            return None
        if process.poll() is None:
            process.kill()
        try:
            return process.wait(10)
        except subprocess.TimeoutExpired:
            return None

    def close(self) -> None:
        with self._lock:
            self._stop()


_READERS: dict[tuple[str, int], FileReader] = {}
_READERS_LOCK = threading.Lock()


def file_reader(ontology: Path, memory_mb: int) -> FileReader:
    """The shared reader for these settings: its child process outlives one ingest run."""
    key = (str(Path(ontology).resolve()), memory_mb)
    with _READERS_LOCK:
        reader = _READERS.get(key)
        if reader is None:
            reader = _READERS[key] = FileReader(Path(key[0]), memory_mb)
        return reader


@atexit.register
def _close_readers() -> None:
    for reader in list(_READERS.values()):
        reader.close()


def main(argv: list[str]) -> None:
    """``python -m ingest.worker FD ONTOLOGY MEMORY_MB``: serve jobs on socket ``FD``."""
    from ingest import worker  # this module by its name, so results unpickle as ingest.worker.*

    fd, ontology, memory_mb = argv
    worker._serve(Connection(int(fd)), ontology, int(memory_mb))


__all__ = ["FileReader", "Job", "Loaded", "file_reader", "prepare"]

if __name__ == "__main__":
    main(sys.argv[1:])

"""Killable worker processes: the only way to stop a running pyoxigraph query.

A pool has a fixed number of *slots*; each slot owns at most one worker process at any
time. A query takes a slot, starts the slot's worker if it has none, and gives the slot
back when done; a worker that overruns the timeout or dies is killed and reaped *before*
its slot gets a fresh one. So the number of live workers can never exceed the slot count,
whatever the interleaving of replacing and acquiring.

Each worker is a fresh interpreter (not a fork: the server has threads and a loaded
model) that first cuts itself off the network (:mod:`kg.sparql.sandbox`), caps its own
address space, and then answers requests over a pipe until the pipe closes.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, cast

from kg.errors import (
    NotAcceptableError,
    QueryError,
    QueryRefusedError,
    QueryTimeoutError,
    ServiceBusyError,
    UnreadableQueryError,
    UpdateRefusedError,
    WorkerCrashedError,
)

WORKER_STARTUP_SECONDS = 60.0
_ERRORS: dict[str, type[QueryError]] = {
    cls.__name__: cls
    for cls in (
        QueryError,
        QueryTimeoutError,
        UpdateRefusedError,
        NotAcceptableError,
        QueryRefusedError,
        UnreadableQueryError,
        WorkerCrashedError,
    )
}
# Fewer malloc arenas: each thread's arena reserves 64 MB of address space, which the
# worker's RLIMIT_AS would otherwise spend on nothing.
_WORKER_ENV = {"MALLOC_ARENA_MAX": "2"}


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space, so a runaway ORDER BY kills a worker, not the host."""
    limit = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def death_message(returncode: int | None, memory_mb: int) -> str:
    """Why a worker died, from how it ended (a signal is not an out-of-memory error)."""
    if returncode is None:
        return "the query worker stopped answering"
    if returncode >= 0:
        return f"the query worker exited with code {returncode}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    if name == "SIGABRT":  # what Rust's allocator does when RLIMIT_AS refuses memory
        why = (
            "most likely the query needed more than the worker's memory cap of"
            f" {memory_mb} MB (KG_SPARQL_WORKER_MEMORY_MB)"
        )
    elif name == "SIGSEGV":
        why = "a crash in the query engine, not a memory limit; please report the query"
    elif name == "SIGKILL":
        why = "killed from outside, e.g. by the system's out-of-memory killer"
    else:
        why = "stopped by a signal"
    return f"the query worker died from {name} ({why})"


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    protection: str = ""
    ready: bool = False

    def wait_ready(self, memory_mb: int) -> None:
        """A fresh interpreter takes ~0.5 s (more under load) before it can take a query."""
        if self.ready:
            return
        try:
            if self.conn.poll(WORKER_STARTUP_SECONDS):
                message = self.conn.recv()
                if message[0] == "ready":
                    self.protection, self.ready = str(message[1]), True
                    return
        except (EOFError, OSError):
            pass
        raise WorkerCrashedError(
            "a query worker failed to start: " + death_message(self._reap(), memory_mb)
        )

    def _reap(self) -> int | None:
        try:
            return self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        """Kill and reap: once this returns the process is gone."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.conn.close()


@dataclass(eq=False)
class _Slot:
    index: int
    worker: _Worker | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class WorkerPool:
    """``size`` slots, each with at most one worker process; see the module docstring."""

    def __init__(self, size: int, memory_mb: int) -> None:
        self.size = max(1, size)
        self.memory_mb = memory_mb
        self._slots = [_Slot(i) for i in range(self.size)]
        # Last in, first out: the slot used last has a warm worker.
        self._free: queue.LifoQueue[_Slot] = queue.LifoQueue()
        for slot in self._slots:
            self._free.put(slot)
        self._closed = False
        self.protection = ""

    # --- Workers, one per slot ---------------------------------------------------------

    def _spawn(self) -> _Worker:
        parent, child = multiprocessing.Pipe()
        fd = child.fileno()
        code = "from kg.sparql.worker import main; main()"
        args = [sys.executable, "-c", code, str(fd), str(self.memory_mb)]
        env = {**os.environ, **_WORKER_ENV}
        process = subprocess.Popen(args, pass_fds=(fd,), stdin=subprocess.DEVNULL, env=env)
        child.close()
        return _Worker(process, parent)

    def _ready_worker(self, slot: _Slot) -> _Worker:
        """The slot's worker, started (and waited for) if the slot has none."""
        if slot.worker is None or slot.worker.process.poll() is not None:
            if slot.worker is not None:
                slot.worker.stop()
            slot.worker = self._spawn()
        try:
            slot.worker.wait_ready(self.memory_mb)
        except WorkerCrashedError:
            self._retire(slot)
            raise
        self.protection = self.protection or slot.worker.protection
        return slot.worker

    def _retire(self, slot: _Slot) -> None:
        """Kill the slot's worker and reap it; the next query in this slot starts a new one."""
        if slot.worker is not None:
            slot.worker.stop()
            slot.worker = None

    def warm(self, count: int) -> str:
        """Start ``count`` workers now so the first analyst does not wait; returns the
        network protection they report."""
        taken = []
        try:
            for _ in range(min(count, self.size)):
                slot = self._free.get_nowait()
                taken.append(slot)
                with slot.lock:
                    self._ready_worker(slot)
        except queue.Empty:
            pass
        finally:
            for slot in taken:
                self._free.put(slot)
        return self.protection

    def pids(self) -> list[int]:
        """The live workers' process ids."""
        return sorted(
            slot.worker.process.pid
            for slot in self._slots
            if slot.worker is not None and slot.worker.process.poll() is None
        )

    # --- Running --------------------------------------------------------------------------

    def run(self, message: tuple[Any, ...], timeout: float, wait: float) -> Any:
        """Send one request to a worker; kill the worker if it overruns ``timeout`` s.

        Callers normally hold an admission ticket, so a slot is free at once; ``wait``
        bounds the wait otherwise.
        """
        if self._closed:
            raise QueryError("the query service is shut down")
        try:
            slot = self._free.get(timeout=wait)
        except queue.Empty:
            raise ServiceBusyError(
                f"all query workers stayed busy for {wait:g} s", max(1, round(wait))
            ) from None
        try:
            with slot.lock:
                return self._run_in(slot, message, timeout)
        finally:
            self._free.put(slot)

    def _run_in(self, slot: _Slot, message: tuple[Any, ...], timeout: float) -> Any:
        worker = self._ready_worker(slot)
        deadline = time.monotonic() + timeout  # the limit counts from the query's start
        try:
            reply = self._exchange(worker, message, deadline, timeout)
        except (QueryTimeoutError, WorkerCrashedError):
            self._retire(slot)
            raise
        if reply[0] == "ok":
            return reply[1]
        error = _ERRORS.get(str(reply[1]), QueryError)(str(reply[2]))
        if isinstance(error, WorkerCrashedError):  # e.g. MemoryError: the worker is exiting
            self._retire(slot)
        raise error

    def _exchange(
        self, worker: _Worker, message: tuple[Any, ...], deadline: float, timeout: float
    ) -> tuple[Any, ...]:
        try:
            worker.conn.send(message)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                pid = worker.process.pid
                raise QueryTimeoutError(
                    f"query stopped at the {timeout:g} s limit (worker {pid} killed)"
                )
            return cast(tuple[Any, ...], worker.conn.recv())
        except (EOFError, OSError):
            raise WorkerCrashedError(death_message(worker._reap(), self.memory_mb)) from None

    def close(self) -> None:
        self._closed = True
        for slot in self._slots:
            with slot.lock:
                self._retire(slot)


_POOLS: dict[Path, WorkerPool] = {}
_POOLS_LOCK = threading.Lock()


def shared_pool(key: Path, size: int, memory_mb: int) -> WorkerPool:
    """One pool per knowledge base per process, shared by the endpoint and the app."""
    with _POOLS_LOCK:
        if key not in _POOLS:
            _POOLS[key] = WorkerPool(size, memory_mb)
        return _POOLS[key]

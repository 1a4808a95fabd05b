"""Fair admission to the query workers: per-client limits and a bounded queue.

A client (the remote address on HTTP, ``cli`` for the command line) runs at most
``per_client`` queries at once, and that is kept below the worker count, so one client's
runaway queries always leave workers for everybody else. Queries that cannot start wait
in one queue, first come first served among those whose client is under its limit (a
client at its limit does not hold up the others behind it). The queue is bounded, in
total and per client; beyond that, and after waiting ``wait`` seconds, the answer is a
prompt :class:`ServiceBusyError` carrying a ``Retry-After`` hint.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from kg.errors import ServiceBusyError


@dataclass(eq=False)
class _Ticket:
    client: str
    queued: float = field(default_factory=time.monotonic)


class Admission:
    def __init__(
        self, slots: int, per_client: int, queue: int, per_client_queue: int, retry_after: float
    ) -> None:
        self.slots = max(1, slots)
        # at most slots - 1, so one client never holds every worker
        self.per_client = max(1, min(per_client, self.slots - 1))
        self.queue_limit = max(0, queue)
        self.per_client_queue = max(0, per_client_queue)
        self.retry_after = max(1, math.ceil(retry_after))
        self._cond = threading.Condition()
        self._running: Counter[str] = Counter()
        self._waiting: list[_Ticket] = []

    @property
    def busy(self) -> int:
        return sum(self._running.values())

    def _may_start(self, ticket: _Ticket | None, client: str) -> bool:
        """True when ``client`` (queued as ``ticket``, or arriving) may take a worker now:
        a worker is free for it after every earlier eligible waiter has taken theirs."""
        free = self.slots - self.busy
        if free <= 0 or self._running[client] >= self.per_client:
            return False
        planned = Counter(self._running)
        for earlier in self._waiting:
            if earlier is ticket:
                break
            if planned[earlier.client] < self.per_client:
                planned[earlier.client] += 1
                free -= 1
                if free <= 0:
                    return False
        return planned[client] < self.per_client

    def _refuse(self, why: str) -> ServiceBusyError:
        return ServiceBusyError(f"{why}; retry in {self.retry_after} s", self.retry_after)

    @contextmanager
    def admit(self, client: str, wait: float) -> Iterator[None]:
        """Hold one worker's place for ``client`` for the duration of the block."""
        with self._cond:
            if not self._may_start(None, client):
                self._enqueue(client, wait)
            self._running[client] += 1
        try:
            yield
        finally:
            with self._cond:
                self._running[client] -= 1
                if self._running[client] <= 0:
                    del self._running[client]
                self._cond.notify_all()

    def _enqueue(self, client: str, wait: float) -> None:
        """Wait in the queue until this client may start (caller holds the condition)."""
        if len(self._waiting) >= self.queue_limit:
            raise self._refuse(f"the query queue is full ({self.queue_limit} waiting)")
        mine = sum(1 for t in self._waiting if t.client == client)
        if mine >= self.per_client_queue:
            raise self._refuse(
                f"you already have {self._running[client]} queries running and {mine} waiting"
            )
        ticket = _Ticket(client)
        self._waiting.append(ticket)
        deadline = ticket.queued + wait
        try:
            while not self._may_start(ticket, client):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._refuse(f"every query worker stayed busy for {wait:g} s")
                self._cond.wait(remaining)
        finally:
            self._waiting.remove(ticket)
            self._cond.notify_all()

    def snapshot(self) -> tuple[dict[str, int], int]:
        """(running per client, waiting): for tests and the service description."""
        with self._cond:
            return dict(self._running), len(self._waiting)

"""Fair admission on its own (real threads, no workers): per-client limits, reserve, queue."""

from __future__ import annotations

import threading
import time

import pytest

from kg.errors import ServiceBusyError
from kg.sparql.admission import Admission


class Holder:
    """A thread holding one admission place until released."""

    def __init__(self, admission: Admission, client: str, wait: float = 30.0) -> None:
        self.admitted = threading.Event()
        self.release = threading.Event()
        self.error: ServiceBusyError | None = None
        self.thread = threading.Thread(target=self._run, args=(admission, client, wait))
        self.thread.start()

    def _run(self, admission: Admission, client: str, wait: float) -> None:
        try:
            with admission.admit(client, wait):
                self.admitted.set()
                self.release.wait(30)
        except ServiceBusyError as exc:
            self.error = exc

    def done(self) -> None:
        self.release.set()
        self.thread.join(30)


def _wait_until(predicate, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_one_client_never_holds_every_worker() -> None:
    admission = Admission(slots=3, per_client=5, queue=8, per_client_queue=4, retry_after=2)
    assert admission.per_client == 2  # clamped to slots - 1
    hog = [Holder(admission, "hog") for _ in range(3)]
    assert _wait_until(lambda: sum(h.admitted.is_set() for h in hog) == 2)
    other = Holder(admission, "analyst")
    assert other.admitted.wait(5), "the reserved worker was not given to another client"
    assert not hog[2].admitted.is_set()  # the hog's third query waits for its own
    for h in [*hog, other]:
        h.done()
    assert all(h.error is None for h in [*hog, other])


def test_a_client_at_its_limit_does_not_block_those_behind_it() -> None:
    admission = Admission(slots=3, per_client=2, queue=8, per_client_queue=4, retry_after=2)
    a1, a2, b1 = Holder(admission, "a"), Holder(admission, "a"), Holder(admission, "b")
    assert _wait_until(lambda: a1.admitted.is_set() and a2.admitted.is_set())
    assert b1.admitted.wait(5)
    a3 = Holder(admission, "a")  # waits: a is at its limit
    assert _wait_until(lambda: admission.snapshot()[1] == 1)
    b1.done()  # a slot frees; a3 still may not take it (a at limit), c may
    c1 = Holder(admission, "c")
    assert c1.admitted.wait(5), "c waited behind a client that was at its limit"
    assert not a3.admitted.is_set()
    a1.done()
    assert a3.admitted.wait(5)
    for h in (a2, a3, c1):
        h.done()


def test_full_queues_refuse_at_once_with_retry_after() -> None:
    admission = Admission(slots=2, per_client=1, queue=2, per_client_queue=1, retry_after=7.2)
    a1, b1 = Holder(admission, "a"), Holder(admission, "b")
    assert a1.admitted.wait(5) and b1.admitted.wait(5)
    a2 = Holder(admission, "a")  # waits (a's one queue place)
    assert _wait_until(lambda: admission.snapshot()[1] == 1)
    a3 = Holder(admission, "a")  # a's queue place is taken: refused at once
    a3.thread.join(5)
    assert a3.error is not None and a3.error.retry_after == 8
    assert "waiting" in str(a3.error)
    c1 = Holder(admission, "c")  # the second and last queue place
    assert _wait_until(lambda: admission.snapshot()[1] == 2)
    d1 = Holder(admission, "d")
    d1.thread.join(5)
    assert d1.error is not None and "queue is full" in str(d1.error)
    for h in (a1, b1, a2, c1):
        h.done()
    assert a2.error is None and c1.error is None


def test_waiting_too_long_is_refused() -> None:
    admission = Admission(slots=2, per_client=1, queue=4, per_client_queue=4, retry_after=1)
    a1, b1 = Holder(admission, "a"), Holder(admission, "b")
    assert a1.admitted.wait(5) and b1.admitted.wait(5)
    with pytest.raises(ServiceBusyError, match="stayed busy"), admission.admit("c", wait=0.2):
        pass
    a1.done()
    b1.done()
    assert admission.snapshot() == ({}, 0)

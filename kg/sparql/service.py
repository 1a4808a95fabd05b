"""The one query path: the CLI, the HTTP endpoint, the app and internal code all use it.

``QueryService.run`` takes an analyst's query through every step, with the same settings
everywhere: screen (size, codepoint escapes, nesting) → fair admission (per client, bounded
queue) → a sandboxed worker that parses and judges it (no SERVICE, no UPDATE) and evaluates
it with the row cap → killed at the timeout. ``run_trusted`` is the fast path for queries
our own code writes: no guard, no worker, the row cap applied in this process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.sparql import engine, guard
from kg.sparql.admission import Admission
from kg.sparql.engine import QueryRequest, QueryResponse, QueryResult
from kg.sparql.pool import WorkerPool, shared_pool

if TYPE_CHECKING:
    from kg.base import KnowledgeBase
    from kg.settings import Settings

WARM_WORKERS = 2  # started with the server; the rest start when first needed


def _worker_store_path(kb: KnowledgeBase) -> Path | None:
    """The directory a worker process opens read-only, or None to query in this process.

    The only place that knows it: the published snapshot readers must read
    (``kb.rdf.read_path()``, seam 2); None for a writer's or a server's dataset.
    """
    return kb.rdf.read_path()


def queue_wait(settings: Settings) -> float:
    """How long a query may wait for a worker: long enough for the queries ahead of it
    (at most ``KG_SPARQL_TIMEOUT`` each, then stopped) to make room."""
    return 2 * settings.sparql_timeout


def limits(settings: Settings) -> guard.Limits:
    return guard.Limits(settings.sparql_max_query_kb * 1024, settings.sparql_max_depth)


class QueryService:
    """Runs analysts' queries (guarded, in killable workers) and our own (fast path)."""

    def __init__(
        self, kb_provider: Callable[[], KnowledgeBase], *, pool: WorkerPool | None = None
    ) -> None:
        self.kb_provider = kb_provider
        settings = kb_provider().settings
        workers = pool.size if pool is not None else settings.sparql_workers
        self.pool = pool or WorkerPool(workers, settings.sparql_worker_memory_mb)
        self.admission = Admission(
            workers,
            settings.sparql_client_concurrency,
            settings.sparql_queue,
            settings.sparql_client_queue,
            retry_after=settings.sparql_timeout,
        )

    def warm_up(self) -> str:
        """Start the first workers now; returns the network protection they run under."""
        kb = self.kb_provider()
        if _worker_store_path(kb) is None:
            return (
                f"not needed: queries go to the {kb.rdf.backend} store from this process"
                " (it has no read path for a worker)"
            )
        return self.pool.warm(WARM_WORKERS)

    def run(self, request: QueryRequest, *, client: str = "local") -> QueryResponse:
        """One analyst's query, start to finish (raises our QueryError subclasses)."""
        kb = self.kb_provider()
        settings = kb.settings
        bounds = limits(settings)
        text = guard.screen(request.query, bounds)
        request = replace(request, query=text, max_rows=settings.sparql_max_rows)
        path = _worker_store_path(kb)
        wait = queue_wait(settings)
        with self.admission.admit(client, wait):
            if path is None:
                return self._in_process(kb, request, bounds.max_depth)
            message = ("query", str(path), kb.generation, bounds.max_depth, request)
            response: QueryResponse = self.pool.run(message, settings.sparql_timeout, wait)
            return response

    @staticmethod
    def _in_process(kb: KnowledgeBase, request: QueryRequest, max_depth: int) -> QueryResponse:
        """Stores without a read path: guard here, then evaluate through the store. A
        server backend (``sparql``) sends the judged query to the server with
        KG_SPARQL_TIMEOUT as its HTTP timeout; the engine applies the row cap."""
        verdict = guard.judge(
            request.query, max_depth=max_depth, allow_service=request.allow_service
        )
        return engine.evaluate(kb.rdf, request, verdict)

    def run_trusted(
        self,
        query: str,
        *,
        bindings: dict[str, Any] | None = None,
        max_rows: int | None = None,
        union: bool = True,
    ) -> QueryResult:
        """A query our own code wrote (see :func:`run_trusted`)."""
        return run_trusted(
            self.kb_provider(), query, bindings=bindings, max_rows=max_rows, union=union
        )

    def pids(self) -> list[int]:
        return self.pool.pids()

    def close(self) -> None:
        self.pool.close()


def run_trusted(
    kb: KnowledgeBase,
    query: str,
    *,
    bindings: dict[str, Any] | None = None,
    max_rows: int | None = None,
    union: bool = True,
) -> QueryResult:
    """Fast path for internal queries (relation queries, catalog, registry): no guard, no
    worker, in this process. IRIs go in as ``bindings`` (variable name → pyoxigraph term),
    never pasted into the text; the row cap is ``KG_SPARQL_MAX_ROWS`` unless given.
    """
    cap = kb.settings.sparql_max_rows if max_rows is None else max_rows
    return engine.run_query(kb.rdf, query, cap, union=union, bindings=bindings)


_SERVICES: dict[Path, QueryService] = {}
_SERVICES_LOCK = threading.Lock()


def query_service(kb_provider: Callable[[], KnowledgeBase]) -> QueryService:
    """The process's one service for this knowledge base: the endpoint and the app's tab
    share its workers and its fairness accounting."""
    settings = kb_provider().settings
    key = settings.home.resolve()
    with _SERVICES_LOCK:
        if key not in _SERVICES:
            pool = shared_pool(key, settings.sparql_workers, settings.sparql_worker_memory_mb)
            _SERVICES[key] = QueryService(kb_provider, pool=pool)
        return _SERVICES[key]

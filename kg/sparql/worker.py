"""The query worker process: sandbox, memory cap, then one request at a time over a pipe.

``python -c 'from kg.sparql.worker import main; main()' FD MEMORY_MB`` (started by
:class:`kg.sparql.pool.WorkerPool`). Requests are ``("query", read_path, generation,
QueryRequest)``; replies are ``("ok", QueryResponse)`` or ``("error", class name, message)``.
"""

from __future__ import annotations

import os
import signal
import sys
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kg.sparql import sandbox


def main() -> None:
    fd, memory_mb = int(sys.argv[1]), int(sys.argv[2])
    protection = sandbox.block_network()  # before the store is opened or a query read
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us
    from kg.sparql.pool import limit_memory

    limit_memory(memory_mb)
    _serve(Connection(fd), protection, memory_mb)


class _Empty:
    """An empty in-memory store: lets Oxigraph parse a text to report its own syntax error.

    Only used when the sandbox is active: parsing may start evaluation (ASK, CONSTRUCT),
    and a SERVICE in a text the guard could not read must not reach the network.
    """

    def __init__(self) -> None:
        import pyoxigraph as ox

        self.store = ox.Store()

    def query(self, sparql: str, union: bool = True, **kwargs: Any) -> Any:
        return self.store.query(sparql, use_default_graph_as_union=union, **kwargs)


def _serve(conn: Connection, protection: str, memory_mb: int) -> None:
    from kg.errors import KGError, QueryError, UnreadableQueryError, WorkerCrashedError
    from kg.sparql import engine, guard
    from kg.stores.rdf_embedded import OxigraphDataset, open_snapshot

    sandboxed = protection != sandbox.NONE
    store: OxigraphDataset | None = None
    opened: tuple[str, str] | None = None
    conn.send(("ready", protection))  # the parent starts a query's clock only after this
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        _, path, generation, max_depth, request = message
        try:
            try:
                verdict = guard.judge(
                    request.query, max_depth=max_depth, allow_service=request.allow_service
                )
            except UnreadableQueryError as unreadable:
                raise _explain(unreadable, request.query, sandboxed) from None
            if store is None or opened != (path, generation):
                if store is not None:
                    store.close()  # releases the old generation's lease: the writer may drop it
                    store = None
                # the published snapshot, leased while open (kb.rdf.read_path())
                store, opened = open_snapshot(Path(path)), (path, generation)
            reply: tuple[object, ...] = ("ok", engine.evaluate(store, request, verdict))
        except QueryError as exc:
            reply = ("error", type(exc).__name__, str(exc))
        except KGError as exc:  # a damaged snapshot or a full disk: its one line
            reply = ("error", "QueryError", str(exc))
        except OSError as exc:
            reply = ("error", "QueryError", f"cannot read the RDF store: {exc}")
        except MemoryError:
            message = (
                "the query needed more than the worker's memory cap of"
                f" {memory_mb} MB (KG_SPARQL_WORKER_MEMORY_MB)"
            )
            conn.send(("error", WorkerCrashedError.__name__, message))
            os._exit(3)  # memory may be left in any state: the pool starts a fresh worker
        conn.send(reply)


def _explain(unreadable: Exception, text: str, sandboxed: bool) -> Exception:
    """Oxigraph's own syntax error (with its line:column) for a text the guard could not
    read; if Oxigraph reads it, the guard's refusal stands."""
    from kg.errors import QueryError, UnreadableQueryError
    from kg.namespaces import PREFIXES

    if not sandboxed:
        return UnreadableQueryError(f"malformed SPARQL query: {unreadable}")
    try:
        _Empty().query(text, prefixes=PREFIXES)
    except SyntaxError as syntax:
        return QueryError(f"malformed SPARQL query: {syntax}")
    except (OSError, RuntimeError):
        pass  # it parsed, then failed to evaluate: the refusal stands
    return UnreadableQueryError(
        "the query uses syntax the safety check cannot read, so it is not run"
        f" (SPARQL 1.1 only; {unreadable})"
    )

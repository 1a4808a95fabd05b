"""SPARQL over the union of all graphs, with the contract's prefixes predeclared,
and serialisation of results in the formats analysts ask for."""

from __future__ import annotations

import csv
import io
import itertools
import json
import multiprocessing
import queue
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg.errors import (
    NotAcceptableError,
    NotFoundError,
    QueryError,
    QueryTimeoutError,
    UpdateRefusedError,
    WorkerCrashedError,
)
from kg.namespaces import PREFIXES
from kg.rdfstore import RdfStore

if TYPE_CHECKING:
    from kg.rdfstore import RdfDataset

SELECT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
CLI_FORMATS = ("table", "json", "csv", "tsv", "xml", "turtle")


@dataclass
class QueryResult:
    kind: str  # select | ask | graph
    raw: object

    @property
    def variables(self) -> list[str]:
        return [v.value for v in self.raw.variables] if self.kind == "select" else []  # type: ignore[attr-defined]


def run_query(
    store: RdfDataset, query: str, max_rows: int | None = None, **kwargs: Any
) -> QueryResult:
    """Parse and start a read-only query; malformed ones raise QueryError with the position.

    The default graph is the union of all graphs unless the query names its own dataset
    (FROM / FROM NAMED) or the caller passes ``default_graph`` / ``named_graphs``.
    """
    explicit = bool(kwargs.pop("explicit_default", False)) or declares_dataset(query)
    explicit = explicit or "default_graph" in kwargs or "named_graphs" in kwargs
    try:
        raw = store.query(query, union=not explicit, prefixes=PREFIXES, **kwargs)
    except SyntaxError as exc:
        raise QueryError(f"malformed SPARQL query: {exc}") from None
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from None
    if isinstance(raw, ox.QueryBoolean):
        return QueryResult("ask", raw)
    if isinstance(raw, ox.QueryTriples):
        return QueryResult("graph", raw)
    return QueryResult("select", raw)


_PREFIX_OF = {iri: prefix for prefix, iri in PREFIXES.items() if prefix not in {"rdf", "xsd"}}
# One match instead of a loop over every prefix: tables of 10,000 rows convert in a third
# of the time. No contract namespace starts with another, so the first match is the only one.
_COMPACTABLE = re.compile("|".join(map(re.escape, _PREFIX_OF)))


def term_text(term: object) -> str:
    """A readable cell: IRIs compacted with the contract prefixes, literals as their value."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        found = _COMPACTABLE.match(term.value)
        if found is None:
            return term.value
        return f"{_PREFIX_OF[found.group(0)]}:{term.value[found.end() :]}"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(getattr(term, "value", term))


def rows(result: QueryResult, limit: int | None = None) -> list[list[str]]:
    out: list[list[str]] = []
    if result.kind != "select":
        return out
    columns = range(len(result.variables))
    for solution in result.raw:  # type: ignore[attr-defined]
        out.append([term_text(solution[i]) for i in columns])
        if limit is not None and len(out) >= limit:
            break
    return out


def serialize(result: QueryResult, fmt: str) -> bytes:
    """Standard serialisations: SPARQL JSON/XML/CSV/TSV for SELECT and ASK, RDF for graphs."""
    if result.kind == "graph":
        name = {"table": "turtle", "json": "jsonld", "xml": "rdfxml"}.get(fmt, fmt)
        return write_triples(result.raw, name)  # type: ignore[arg-type]
    target_results = SELECT_FORMATS.get(fmt)
    if target_results is None:
        raise QueryError(f"a SELECT/ASK result cannot be written as {fmt}")
    buffer = io.BytesIO()
    result.raw.serialize(buffer, format=target_results)  # type: ignore[attr-defined]
    return buffer.getvalue()


def read_query_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFoundError(f"no query file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"cannot read {path}: {exc}") from None


def saved_queries(folder: Path) -> dict[str, tuple[str, str]]:
    """name -> (title, query text) for every ``*.rq`` in the ontology's queries folder."""
    out: dict[str, tuple[str, str]] = {}
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        title = next(
            (
                line.split(":", 1)[1].strip()
                for line in text.splitlines()
                if line.lower().startswith("# title:")
            ),
            path.stem,
        )
        out[path.stem] = (title, text)
    return out


# --- Reading a query's shape without evaluating it ------------------------------------

# Comments, IRIs and string literals are blanked out before looking for keywords, so
# that "# DELETE", <http://x/from> or "INSERT" inside a string do not count.
_NOISE = re.compile(
    r"<[^<>\"{}|^`\\\s]*>"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|\#[^\n]*",
    re.DOTALL,
)
_PROLOGUE = re.compile(r"\b(?:PREFIX\s+[\w.\-]*:|BASE\b)", re.IGNORECASE)
_UPDATE_VERBS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"}
_UPDATE_VERBS |= {"WITH"}


def _keywords_only(query: str) -> str:
    return _NOISE.sub(" ", query)


def _has_keyword(query: str, word: str) -> bool:
    """A bare keyword, not a variable (?from), a prefixed name (ex:from) or part of a word."""
    pattern = rf"(?<![?$\w:]){word}(?![\w:])"
    return re.search(pattern, _keywords_only(query), re.IGNORECASE) is not None


def is_update(query: str) -> bool:
    """True when the text is a SPARQL UPDATE (judged by its first keyword after the prologue)."""
    body = _PROLOGUE.sub(" ", _keywords_only(query))
    first = re.search(r"[A-Za-z]+", body)
    return first is not None and first.group(0).upper() in _UPDATE_VERBS


def declares_dataset(query: str) -> bool:
    """FROM / FROM NAMED in the query: its dataset then wins over the union default graph."""
    return _has_keyword(query, "FROM")


def uses_service(query: str) -> bool:
    return _has_keyword(query, "SERVICE")


# --- Writers with a row cap ----------------------------------------------------------
# pyoxigraph serialises a whole result; these write rows already cut at max_rows.

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RESULT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
GRAPH_MEDIA = {
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "trig": "application/trig",
    "nquads": "application/n-quads",
}
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_TRIPLE_PARTS = ("subject", "predicate", "object")


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {p: _json_term(getattr(term, p)) for p in _TRIPLE_PARTS}}
    out: dict[str, object] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        inner = "".join(f"<{p}>{_xml_term(getattr(term, p))}</{p}>" for p in _TRIPLE_PARTS)
        return f"<triple>{inner}</triple>"
    attr = ""
    if term.language:
        attr = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype.value != XSD_STRING:
        attr = f" datatype={quoteattr(term.datatype.value)}"
    return f"<literal{attr}>{escape(term.value)}</literal>"


def _csv_term(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def _tsv_term(term: Term | None) -> str:
    return "" if term is None else str(term).replace("\t", "\\t")


def write_solutions(names: list[str], solutions: Iterable[Any], fmt: str) -> bytes:
    """SPARQL 1.1 JSON / XML / CSV / TSV for solutions (indexable by name) cut to size."""
    if fmt == "json":
        bindings = [{n: _json_term(s[n]) for n in names if s[n] is not None} for s in solutions]
        doc = {"head": {"vars": names}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        return _write_xml(names, solutions)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows([_csv_term(s[n]) for n in names] for s in solutions)
        return buffer.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join(f"?{n}" for n in names)]
        lines += ["\t".join(_tsv_term(s[n]) for n in names) for s in solutions]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise QueryError(f"a SELECT result cannot be written as {fmt}")


def _write_xml(names: list[str], solutions: Iterable[Any]) -> bytes:
    parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    parts += [f"<variable name={quoteattr(n)}/>" for n in names]
    parts.append("</head><results>")
    for s in solutions:
        cells = "".join(
            f"<binding name={quoteattr(n)}>{_xml_term(s[n])}</binding>"
            for n in names
            if s[n] is not None
        )
        parts.append(f"<result>{cells}</result>")
    parts.append("</results></sparql>\n")
    return "".join(parts).encode("utf-8")


def write_triples(triples: Iterable[ox.Triple], fmt: str) -> bytes:
    """A CONSTRUCT/DESCRIBE graph; TriG and N-Quads carry it as the default graph."""
    target = GRAPH_FORMATS.get(fmt)
    if target is None:
        raise QueryError(f"a CONSTRUCT/DESCRIBE result cannot be written as {fmt}")
    items: Iterable[ox.Triple] | Iterable[ox.Quad] = triples
    if target.supports_datasets:
        items = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    return ox.serialize(items, format=target, prefixes=PREFIXES) or b""


# --- One query, start to finish ---------------------------------------------------------


@dataclass(frozen=True)
class QueryRequest:
    """Everything a worker needs: the text, the protocol's dataset, the format per kind.

    ``result_format`` serves SELECT/ASK and ``graph_format`` CONSTRUCT/DESCRIBE; ``None``
    means the client accepts no serialisation of that kind (HTTP 406).
    """

    query: str
    result_format: str | None = "json"
    graph_format: str | None = "turtle"
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 10000
    allow_service: bool = False


@dataclass(frozen=True)
class QueryResponse:
    kind: str  # select | ask | graph
    format: str
    media_type: str
    body: bytes
    rows: int
    truncated: bool
    seconds: float


def _graph_node(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError:
        raise QueryError(f"not an absolute IRI: {iri!r}") from None


def check_query(request: QueryRequest) -> None:
    """Refuse what this endpoint never runs, before spending a worker on it."""
    if is_update(request.query):
        raise UpdateRefusedError(
            "this endpoint is read-only: SPARQL UPDATE (INSERT, DELETE, LOAD, DROP, ...) is refused"
        )
    if not request.allow_service and uses_service(request.query):
        raise QueryError("federated queries (SERVICE) are disabled on this endpoint")


def execute(store: RdfDataset, request: QueryRequest) -> QueryResponse:
    """Evaluate and serialise one query, stopping after ``max_rows`` rows or triples."""
    check_query(request)
    kwargs: dict[str, Any] = {}
    if request.default_graphs or request.named_graphs:
        kwargs["default_graph"] = [_graph_node(g) for g in request.default_graphs]
        kwargs["named_graphs"] = [_graph_node(g) for g in request.named_graphs]
    started = time.monotonic()
    result = run_query(store, request.query, **kwargs)
    fmt = request.graph_format if result.kind == "graph" else request.result_format
    if fmt is None:
        media = GRAPH_MEDIA if result.kind == "graph" else RESULT_MEDIA
        offered = ", ".join(m.split(";")[0] for m in media.values())
        raise NotAcceptableError(f"a {result.kind.upper()} result can be sent as: {offered}")
    if result.kind == "ask":
        body, count, truncated = serialize(result, fmt), 1, False
    else:
        items = list(itertools.islice(result.raw, request.max_rows + 1))  # type: ignore[call-overload]
        truncated = len(items) > request.max_rows
        items = items[: request.max_rows]
        count = len(items)
        if result.kind == "graph":
            body = write_triples(items, fmt)
        else:
            body = write_solutions(result.variables, items, fmt)
    media_type = (GRAPH_MEDIA if result.kind == "graph" else RESULT_MEDIA)[fmt]
    seconds = time.monotonic() - started
    return QueryResponse(result.kind, fmt, media_type, body, count, truncated, seconds)


# --- Killable workers: the only way to stop a pyoxigraph query --------------------------

WORKER_MEMORY_MB = 4096  # address-space cap per worker: a runaway ORDER BY dies, not the host
WORKER_STARTUP_SECONDS = 60.0
_ERRORS: dict[str, type[QueryError]] = {
    cls.__name__: cls
    for cls in (QueryError, QueryTimeoutError, UpdateRefusedError, NotAcceptableError)
}


def _limit_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def worker_entry() -> None:
    """``python -c 'from kg.sparql import worker_entry; worker_entry()' FD PATH MEMORY_MB``."""
    fd, path, memory_mb = sys.argv[1:4]
    _worker_main(Connection(int(fd)), path, int(memory_mb))


def _worker_main(conn: Connection, path: str, memory_mb: int) -> None:
    """Worker loop: open the store read-only, answer requests until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us
    _limit_memory(memory_mb)
    store: RdfStore | None = None
    generation: str | None = None
    conn.send(("ready",))  # the parent starts a query's clock only after this
    while True:
        try:
            wanted, request = conn.recv()
        except EOFError:
            return
        try:
            if store is None or wanted != generation:
                store = RdfStore(ox.Store.read_only(path))
                generation = wanted
            reply: tuple[object, ...] = ("ok", execute(store, request))
        except QueryError as exc:
            reply = ("error", type(exc).__name__, str(exc))
        except OSError as exc:
            reply = ("error", "QueryError", f"cannot read the RDF store: {exc}")
        conn.send(reply)


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    ready: bool = False

    def wait_ready(self) -> None:
        """A fresh interpreter takes ~0.3 s (more under load) before it can take a query."""
        if self.ready:
            return
        try:
            if self.conn.poll(WORKER_STARTUP_SECONDS) and self.conn.recv() == ("ready",):
                self.ready = True
                return
        except (EOFError, ConnectionResetError):
            pass
        raise WorkerCrashedError(
            f"a query worker failed to start (exit code {self.process.poll()})"
        )

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=5)
        self.conn.close()


class QueryPool:
    """A few worker processes, each with the store open read-only.

    pyoxigraph cannot cancel a running query, so one that overruns its timeout is stopped
    by killing its worker (SIGKILL) and starting a fresh one. Normal queries pay only a
    pipe round trip. ``size`` workers start at once; up to ``max_size`` are started when
    all are busy. A query waits at most ``timeout`` for a worker, then runs at most
    ``timeout``.
    """

    def __init__(
        self, path: Path, size: int = 2, max_size: int = 4, memory_mb: int = WORKER_MEMORY_MB
    ) -> None:
        self.path = path
        self.max_size = max(size, max_size)
        self.memory_mb = memory_mb
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.RLock()
        self._workers: set[_Worker] = set()
        self._closed = False
        for _ in range(size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        """A fresh interpreter, not a fork: the server has threads and a loaded model."""
        parent, child = multiprocessing.Pipe()
        fd = child.fileno()
        code = "from kg.sparql import worker_entry; worker_entry()"
        args = [sys.executable, "-c", code, str(fd), str(self.path), str(self.memory_mb)]
        process = subprocess.Popen(args, pass_fds=(fd,), stdin=subprocess.DEVNULL)
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop()
        with self._lock:
            self._workers.discard(worker)
        return self._spawn()

    def pids(self) -> list[int]:
        """The live workers' process ids (tests check a timed-out worker is gone)."""
        with self._lock:
            return sorted(w.process.pid for w in self._workers)

    def run(self, request: QueryRequest, generation: str, timeout: float) -> QueryResponse:
        """Run one query in a worker; kill the worker if it overruns ``timeout`` seconds."""
        if self._closed:
            raise QueryError("the query service is shut down")
        check_query(request)
        worker = self._acquire(timeout)
        try:
            worker.wait_ready()
            deadline = time.monotonic() + timeout  # the limit counts from the query's start
            reply = self._exchange(worker, (generation, request), deadline, timeout)
        except (QueryTimeoutError, WorkerCrashedError):
            worker = self._replace(worker)
            raise
        finally:
            self._idle.put(worker)
        if reply[0] == "ok":
            return cast(QueryResponse, reply[1])
        raise _ERRORS.get(str(reply[1]), QueryError)(str(reply[2]))

    def _acquire(self, wait: float) -> _Worker:
        """An idle worker, or a new one while under ``max_size``, or wait up to ``wait`` s.

        Growing past ``size`` keeps quick queries moving while runaways hold the others.
        """
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:  # re-entrant: _spawn takes it too
            if len(self._workers) < self.max_size:
                return self._spawn()
        try:
            return self._idle.get(timeout=wait)
        except queue.Empty:
            raise QueryTimeoutError(f"all query workers stayed busy for {wait:g} s") from None

    @staticmethod
    def _exchange(
        worker: _Worker, message: object, deadline: float, timeout: float
    ) -> tuple[object, ...]:
        try:
            worker.conn.send(message)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                pid = worker.process.pid
                raise QueryTimeoutError(
                    f"query stopped at the {timeout:g} s limit (worker {pid} killed)"
                )
            return cast(tuple[object, ...], worker.conn.recv())
        except (EOFError, BrokenPipeError, ConnectionResetError):
            raise WorkerCrashedError(
                "the query worker died (exit code "
                f"{worker.process.poll()}); the query probably needed too much memory"
            ) from None

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.stop()


_POOLS: dict[Path, QueryPool] = {}
_POOLS_LOCK = threading.Lock()


def shared_pool(path: Path, size: int = 2) -> QueryPool:
    """One pool per store per process, shared by the HTTP endpoint and the app's tab."""
    key = path.resolve()
    with _POOLS_LOCK:
        if key not in _POOLS:
            _POOLS[key] = QueryPool(key, size)
        return _POOLS[key]

"""Evaluating one query on a dataset: the dataset the protocol asks for, the row cap, the
format per kind of result. Runs inside a worker (or in-process for stores without a
read path); the service decides where.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError
from kg.namespaces import PREFIXES
from kg.sparql import formats
from kg.sparql.guard import Verdict
from kg.stores.base import RdfDataset


@dataclass(frozen=True)
class QueryRequest:
    """Everything a worker needs: the text, the protocol's dataset, the format per kind.

    ``result_format`` serves SELECT/ASK and ``graph_format`` CONSTRUCT/DESCRIBE (names in
    :data:`kg.sparql.formats.FORMATS`); ``None`` means the client accepts no serialisation
    of that kind (HTTP 406). ``allow_service`` lets the guard pass SERVICE: the workers'
    network sandbox still stops it, which is how that sandbox is tested.
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


@dataclass
class QueryResult:
    """A started query in this process: its kind, the engine's result, its variables."""

    kind: str  # select | ask | graph
    raw: Any
    variables: list[str] = field(default_factory=list)


def _check_iri(iri: str) -> None:
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise QueryError(f"not an absolute IRI: {iri!r}") from None


def start(
    store: RdfDataset,
    text: str,
    *,
    union: bool = True,
    default_graphs: Iterable[str] = (),
    named_graphs: Iterable[str] = (),
    substitutions: dict[str, Any] | None = None,
) -> QueryResult:
    """Parse and start a read-only query with the contract's prefixes predeclared.

    The union of all graphs is the default graph unless ``union`` is false or the caller
    names graphs (the protocol's ``default-graph-uri`` / ``named-graph-uri``).
    """
    defaults, named = list(default_graphs), list(named_graphs)
    for iri in defaults + named:
        _check_iri(iri)
    given = bool(defaults or named)
    try:
        raw = store.query(
            text,
            union=union and not given,
            default_graphs=defaults if given else None,
            named_graphs=named if given else None,
            prefixes=PREFIXES,
            bindings=substitutions or None,
        )
    except SyntaxError as exc:
        raise QueryError(f"malformed SPARQL query: {exc}") from None
    except (OSError, RuntimeError) as exc:  # evaluation errors (ASK evaluates at once)
        raise QueryError(f"query failed: {_first_line(exc)}") from None
    if isinstance(raw, ox.QueryBoolean):
        return QueryResult("ask", raw)
    if isinstance(raw, ox.QueryTriples):
        return QueryResult("graph", raw)
    return QueryResult("select", raw, [v.value for v in raw.variables])


def _first_line(exc: BaseException) -> str:
    """An engine error's first line, bounded: never a remote server's whole answer."""
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return line if len(line) <= 200 else line[:200] + "…"


def _take(items: Iterator[Any], limit: int) -> tuple[list[Any], bool]:
    """At most ``limit`` items, and whether more were there."""
    try:
        taken = list(itertools.islice(items, limit + 1))
    except (OSError, RuntimeError) as exc:  # evaluation errors surface while iterating
        raise QueryError(f"query failed: {_first_line(exc)}") from None
    return taken[:limit], len(taken) > limit


def evaluate(store: RdfDataset, request: QueryRequest, verdict: Verdict) -> QueryResponse:
    """Evaluate a judged query and serialise it, stopping after ``max_rows`` rows."""
    started = time.monotonic()
    result = start(
        store,
        request.query,
        union=not verdict.declares_dataset,
        default_graphs=request.default_graphs,
        named_graphs=request.named_graphs,
    )
    kind = formats.GRAPH if result.kind == "graph" else formats.RESULTS
    name = request.graph_format if result.kind == "graph" else request.result_format
    if name is None:
        label = "CONSTRUCT/DESCRIBE" if result.kind == "graph" else result.kind.upper()
        raise formats.not_acceptable(label, kind)
    if result.kind == "ask":
        body, count, truncated = formats.write_boolean(result.raw, name), 1, False
    else:
        items, truncated = _take(result.raw, request.max_rows)
        count = len(items)
        if result.kind == "graph":
            body = formats.write_triples(items, name)
        else:
            body = formats.write_solutions(result.variables, items, name)
    media_type = formats.named(name).media_type
    seconds = time.monotonic() - started
    return QueryResponse(result.kind, name, media_type, body, count, truncated, seconds)


# --- Trusted queries in this process ------------------------------------------------------


def run_query(
    store: RdfDataset,
    text: str,
    max_rows: int | None = None,
    *,
    union: bool = True,
    default_graphs: Iterable[str] = (),
    named_graphs: Iterable[str] = (),
    bindings: dict[str, Any] | None = None,
) -> QueryResult:
    """A query written by our own code, run here without guard or worker (fast path).

    ``bindings`` fills variables with terms (pyoxigraph substitutions, SEP-0007) instead of
    pasting IRIs into the text; a bound variable must be in the SELECT projection (as
    pyoxigraph requires). ``max_rows`` cuts SELECT rows and CONSTRUCT triples.
    """
    result = start(
        store,
        text,
        union=union,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        substitutions=bindings,
    )
    if max_rows is not None and result.kind != "ask":
        result.raw = itertools.islice(result.raw, max_rows)
    return result


def rows(result: QueryResult, limit: int | None = None) -> list[list[str]]:
    """A SELECT result as readable cells (IRIs compacted with the contract prefixes)."""
    out: list[list[str]] = []
    if result.kind != "select":
        return out
    columns = range(len(result.variables))
    for solution in result.raw:
        out.append([formats.term_text(solution[i]) for i in columns])
        if limit is not None and len(out) >= limit:
            break
    return out

"""SPARQL for govkg: one query service, one record per result format.

- :mod:`kg.sparql.formats`: the result formats and content negotiation.
- :mod:`kg.sparql.guard`: judging a query on its parsed form (SERVICE, UPDATE, limits).
- :mod:`kg.sparql.engine`: evaluating one query with the row cap.
- :mod:`kg.sparql.pool` / :mod:`kg.sparql.worker` / :mod:`kg.sparql.sandbox`: killable,
  network-less worker processes.
- :mod:`kg.sparql.admission`: per-client limits and a bounded queue.
- :mod:`kg.sparql.service`: the one query path everything calls.
"""

from kg.sparql.engine import QueryRequest, QueryResponse, QueryResult, rows, run_query
from kg.sparql.formats import FORMATS, term_text, write_solutions, write_triples
from kg.sparql.library import read_query_file, saved_queries
from kg.sparql.service import QueryService, query_service, run_trusted

__all__ = [
    "FORMATS",
    "QueryRequest",
    "QueryResponse",
    "QueryResult",
    "QueryService",
    "query_service",
    "read_query_file",
    "rows",
    "run_query",
    "run_trusted",
    "saved_queries",
    "term_text",
    "write_solutions",
    "write_triples",
]

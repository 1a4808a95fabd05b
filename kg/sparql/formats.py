"""One record per result format, and everything derived from them.

The HTTP endpoint's content negotiation, ``?format=`` values, the service description,
``kg sparql --format``, ``kg export --format`` and the app's downloads all read
:data:`FORMATS`; adding a format is adding one record here.

A format serves one or more *kinds* of result: ``results`` (SELECT solutions and the ASK
boolean), ``graph`` (CONSTRUCT and DESCRIBE triples) and ``dataset`` (a whole dataset with
its named graphs, for ``kg export``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg.errors import NotAcceptableError
from kg.namespaces import PREFIXES

RESULTS = "results"
GRAPH = "graph"
DATASET = "dataset"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
SolutionWriter = Callable[[list[str], Iterable[Any]], bytes]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
W3C_FORMATS = "http://www.w3.org/ns/formats/"
_TRIPLE_PARTS = ("subject", "predicate", "object")


# --- Writers for solutions already cut to size ------------------------------------------
# pyoxigraph serialises a whole result; these write rows that the row cap has cut.


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


def _write_json(names: list[str], solutions: Iterable[Any]) -> bytes:
    bindings = [{n: _json_term(s[n]) for n in names if s[n] is not None} for s in solutions]
    doc = {"head": {"vars": names}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


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


def _write_csv(names: list[str], solutions: Iterable[Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([_csv_term(s[n]) for n in names] for s in solutions)
    return buffer.getvalue().encode("utf-8")


def _write_tsv(names: list[str], solutions: Iterable[Any]) -> bytes:
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join(_tsv_term(s[n]) for n in names) for s in solutions]
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- The records -----------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    """One serialisation: what it is called, which media types ask for it, what it writes.

    ``accepts`` lists the media types a client may name (``Accept`` or ``format=``) to get
    this format for one of its ``kinds``; ``media_type`` is what the answer is labelled.
    ``http`` is false for the terminal-only ``table``.
    """

    name: str
    title: str
    media_type: str
    kinds: frozenset[str]
    extension: str
    accepts: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    w3c: str | None = None
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None
    solutions: SolutionWriter | None = None
    http: bool = True

    @property
    def mime(self) -> str:
        """The media type without parameters."""
        return self.media_type.split(";")[0].strip()

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def serves(self, kind: str) -> bool:
        return kind in self.kinds


_R, _G, _D = frozenset({RESULTS}), frozenset({GRAPH}), frozenset({GRAPH, DATASET})

FORMATS: tuple[Format, ...] = (
    # Results first: the first format of each kind is the default for */*.
    Format(
        "json",
        "SPARQL 1.1 Query Results JSON",
        "application/sparql-results+json",
        _R,
        "srj",
        accepts=("application/sparql-results+json", "application/json"),
        aliases=("srj",),
        w3c="SPARQL_Results_JSON",
        results=ox.QueryResultsFormat.JSON,
        solutions=_write_json,
    ),
    Format(
        "xml",
        "SPARQL Query Results XML",
        "application/sparql-results+xml",
        _R,
        "srx",
        accepts=("application/sparql-results+xml", "application/xml", "text/xml"),
        aliases=("srx",),
        w3c="SPARQL_Results_XML",
        results=ox.QueryResultsFormat.XML,
        solutions=_write_xml,
    ),
    Format(
        "csv",
        "SPARQL 1.1 Query Results CSV",
        "text/csv; charset=utf-8",
        _R,
        "csv",
        accepts=("text/csv",),
        w3c="SPARQL_Results_CSV",
        results=ox.QueryResultsFormat.CSV,
        solutions=_write_csv,
    ),
    Format(
        "tsv",
        "SPARQL 1.1 Query Results TSV",
        "text/tab-separated-values; charset=utf-8",
        _R,
        "tsv",
        accepts=("text/tab-separated-values",),
        w3c="SPARQL_Results_TSV",
        results=ox.QueryResultsFormat.TSV,
        solutions=_write_tsv,
    ),
    Format(
        "turtle",
        "Turtle",
        "text/turtle; charset=utf-8",
        _D,
        "ttl",
        accepts=(
            "text/turtle",
            "application/turtle",
            "application/x-turtle",
            "text/n3",  # Turtle is valid N3
            "text/rdf+n3",
            "application/n3",
        ),
        aliases=("ttl", "n3"),
        w3c="Turtle",
        rdf=ox.RdfFormat.TURTLE,
    ),
    Format(
        "ntriples",
        "N-Triples",
        "application/n-triples",
        _D,
        "nt",
        accepts=("application/n-triples", "text/plain"),
        aliases=("nt",),
        w3c="N-Triples",
        rdf=ox.RdfFormat.N_TRIPLES,
    ),
    Format(
        "jsonld",
        "JSON-LD",
        "application/ld+json",
        _G,
        "jsonld",
        accepts=("application/ld+json", "application/x-json+ld", "application/json"),
        aliases=("json-ld", "json"),
        w3c="JSON-LD",
        rdf=ox.RdfFormat.JSON_LD,
    ),
    Format(
        "rdfxml",
        "RDF/XML",
        "application/rdf+xml",
        _G,
        "rdf",
        accepts=("application/rdf+xml", "application/xml"),
        aliases=("rdf", "rdf+xml", "xml"),
        w3c="RDF_XML",
        rdf=ox.RdfFormat.RDF_XML,
    ),
    Format(
        "trig",
        "TriG",
        "application/trig",
        _D,
        "trig",
        accepts=("application/trig",),
        w3c="TriG",
        rdf=ox.RdfFormat.TRIG,
    ),
    Format(
        "nquads",
        "N-Quads",
        "application/n-quads",
        _D,
        "nq",
        accepts=("application/n-quads", "text/x-nquads"),
        aliases=("nq",),
        w3c="N-Quads",
        rdf=ox.RdfFormat.N_QUADS,
    ),
    Format(
        "table",
        "a table for the terminal",
        "text/plain; charset=utf-8",
        frozenset({RESULTS, GRAPH}),
        "txt",
        http=False,
    ),
)

BY_NAME = {f.name: f for f in FORMATS}


def of_kind(kind: str, *, http: bool | None = None) -> list[Format]:
    """The formats serving ``kind``, in preference order (``http``: only those on /sparql)."""
    return [f for f in FORMATS if f.serves(kind) and (http is None or f.http == http)]


def named(name: str) -> Format:
    return BY_NAME[name]


def resolve(token: str, kind: str) -> Format | None:
    """The format of ``kind`` a name, alias or media type stands for (``json`` → JSON-LD
    for a graph, SPARQL JSON for solutions, as Fuseki and SPARQLWrapper read it)."""
    key = token.strip().lower()
    media = key.split(";")[0].strip()
    for fmt in of_kind(kind):
        if key in fmt.names() or media in fmt.accepts:
            return fmt
    return None


def cli_choices(*kinds: str) -> list[str]:
    """Format names for a ``--format`` option serving any of ``kinds``."""
    return [f.name for f in FORMATS if any(f.serves(k) for k in kinds)]


def offered(kind: str) -> str:
    """``json (application/sparql-results+json), xml (...)``: for 406 and CLI messages."""
    return ", ".join(f"{f.name} ({f.mime})" for f in of_kind(kind, http=True))


def not_acceptable(kind_label: str, kind: str) -> NotAcceptableError:
    return NotAcceptableError(f"a {kind_label} result can be sent as: {offered(kind)}")


# --- Content negotiation (RFC 9110 §12.5.1) -----------------------------------------------


def accept_ranges(header: str | None) -> list[tuple[str, float]]:
    """(media range, q) pairs of an Accept header; no header means ``*/*``."""
    if header is None or not header.strip():
        return [("*/*", 1.0)]
    out: list[tuple[str, float]] = []
    for part in header.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    q = 0.0
        out.append((media.lower(), q))
    return out


def quality(ranges: Sequence[tuple[str, float]], media: str, exact: bool = False) -> float:
    """The q the client gives ``media``: the most specific matching range wins, so
    ``*/*;q=0`` refuses everything and ``*/*, text/csv;q=0`` everything but CSV.
    ``exact``: only a range naming ``media`` itself counts."""
    kind, _, _sub = media.partition("/")
    best, best_rank = 0.0, -1
    for rng, q in ranges:
        if rng == media:
            rank = 2
        elif exact:
            continue
        elif rng == f"{kind}/*":
            rank = 1
        elif rng == "*/*":
            rank = 0
        else:
            continue
        if rank > best_rank:
            best, best_rank = q, rank
    return best


def pick(ranges: Sequence[tuple[str, float]], kind: str) -> tuple[Format | None, float]:
    """The format of ``kind`` the client prefers (ties: our order), and its q; None if none.

    A format answers to each of its ``accepts`` media types when named exactly, so
    ``application/xml`` gets SPARQL XML for a SELECT and RDF/XML for a CONSTRUCT; a
    wildcard (``text/*``) matches only the type the answer is labelled with.
    """
    chosen, chosen_q = None, 0.0
    for fmt in of_kind(kind, http=True):
        q = max(quality(ranges, fmt.mime), *(quality(ranges, m, exact=True) for m in fmt.accepts))
        if q > chosen_q:
            chosen, chosen_q = fmt, q
    return chosen, chosen_q


# --- Writing ------------------------------------------------------------------------------


def write_solutions(names: list[str], solutions: Iterable[Any], fmt: str) -> bytes:
    """SPARQL JSON / XML / CSV / TSV for solutions (indexable by variable name)."""
    writer = BY_NAME[fmt].solutions if fmt in BY_NAME else None
    if writer is None:
        raise not_acceptable("SELECT", RESULTS)
    return writer(names, solutions)


def write_boolean(answer: ox.QueryBoolean, fmt: str) -> bytes:
    """An ASK answer in a results format (pyoxigraph writes it; CSV/TSV as ``true``)."""
    target = BY_NAME[fmt].results if fmt in BY_NAME else None
    if target is None:
        raise not_acceptable("ASK", RESULTS)
    buffer = io.BytesIO()
    answer.serialize(buffer, format=target)
    return buffer.getvalue()


def write_triples(triples: Iterable[ox.Triple], fmt: str) -> bytes:
    """A CONSTRUCT/DESCRIBE graph; TriG and N-Quads carry it as the default graph."""
    target = BY_NAME[fmt].rdf if fmt in BY_NAME else None
    if target is None:
        raise not_acceptable("CONSTRUCT/DESCRIBE", GRAPH)
    items: Iterable[ox.Triple] | Iterable[ox.Quad] = triples
    if target.supports_datasets:
        items = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    return ox.serialize(items, format=target, prefixes=PREFIXES) or b""


# --- Reading back and showing -----------------------------------------------------------

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


@dataclass(frozen=True)
class Table:
    """A response read back into terms: column names and rows, or an ASK boolean."""

    names: list[str]
    cells: list[list[Term | None]]
    boolean: bool | None = None


def read_back(kind: str, fmt: str, body: bytes) -> Table:
    """Parse a serialised answer (any format with a parser) back into terms."""
    record = BY_NAME[fmt]
    if kind == "graph":
        if record.rdf is None:
            raise ValueError(f"{fmt} cannot be read back")
        quads = ox.parse(body, format=record.rdf)
        return Table(list(_TRIPLE_PARTS), [[q.subject, q.predicate, q.object] for q in quads], None)
    if record.results is None:
        raise ValueError(f"{fmt} cannot be read back")
    parsed = ox.parse_query_results(body, format=record.results)
    if isinstance(parsed, ox.QueryBoolean):
        return Table(["ask"], [], bool(parsed))
    names = [v.value for v in parsed.variables]
    return Table(names, [[s[n] for n in names] for s in parsed])

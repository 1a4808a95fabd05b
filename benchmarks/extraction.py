"""Extraction precision and recall per fact type, over folders of documents with gold files.

    python -m benchmarks.extraction tests/devcorpus/tune [more folders] [--json] [--show]

Each document ``X.ext`` beside ``X.gold.json`` (the v2 format of PLAN.md) is loaded,
segmented and extracted exactly as ``kg ingest`` does; its facts are read back from the
RDF graph (document graph plus the reference graph) with SPARQL, so what is scored is what
queries see. A gold fact is found when some extracted fact of its type matches every field
the gold gives; precision counts extracted facts that match some gold fact, for the types
a document's ``covers`` declares exhaustive. Matching: strings compared after NFKC,
lower case, punctuation to spaces; ``text``/``title``/``post``/``venue``/``reply``/``when``
match when the gold words are contained in the extracted value; people by name (or by
the post they were written as); organisations by any of their names; dates as ISO at the
gold's precision.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GOLD_SUFFIX = ".gold.json"
CONTAINS = {"text", "title", "post", "venue", "reply", "when"}
NAMES = {"person", "asker", "replied_by", "holder", "owner", "name", "body", "org", "by",
         "result", "subject", "object", "of", "expansion"}  # fmt: skip
DATES = {"date", "due", "deadline", "start", "end", "since", "meeting_date"}

_P = "\n".join(
    f"PREFIX {p}: <{iri}>"
    for p, iri in {
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "org": "http://www.w3.org/ns/org#",
        "prov": "http://www.w3.org/ns/prov#",
        "dct": "http://purl.org/dc/terms/",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "schema": "http://schema.org/",
        "besluit": "http://data.vlaanderen.be/ns/besluit#",
        "eli": "http://data.europa.eu/eli/ontology#",
        "dcat": "http://www.w3.org/ns/dcat#",
        "gov": "https://w3id.org/govkg/def#",
    }.items()
)

# Each query yields one row per (fact, value) pair: ?f identifies the fact, ?field names
# the field, ?value one acceptable value. Names of a person/post/body are all listed.
_NAMES_OF = """
  {{ {v} foaf:name ?value }} UNION {{ {v} skos:prefLabel ?value }} UNION {{ {v} skos:altLabel ?value }}
  UNION {{ {v} gov:acronym ?value }} UNION {{ {v} org:heldBy/foaf:name ?value }} UNION {{ {v} dct:title ?value }}
"""

_RELATIONS = """
      { ?o a ?t . VALUES ?t { gov:Programme gov:Strategy } GRAPH <urn:doc> { ?o prov:wasAssociatedWith ?s } BIND("leads" AS ?kind) }
      UNION { GRAPH <urn:doc> { ?s gov:hosts ?o } BIND("hosts" AS ?kind) }
      UNION { GRAPH <urn:doc> { ?s org:reportsTo ?o } BIND("reports-to" AS ?kind) }
      UNION { GRAPH <urn:doc> { ?s org:linkedTo ?o } BIND("linked-to" AS ?kind) }
      UNION { GRAPH <urn:doc> { ?s org:subOrganizationOf ?o } BIND("part-of" AS ?kind) }
      BIND(IRI(CONCAT("urn:rel:", ?kind, MD5(CONCAT(STR(?s), STR(?o))))) AS ?f)"""

QUERIES: dict[str, str | list[str]] = {
    "meeting": """SELECT ?f ?field ?value WHERE { ?f a besluit:Zitting . FILTER NOT EXISTS { ?d dct:subject ?f }
      { BIND("body" AS ?field) ?f besluit:isGehoudenDoor ?b . @NAMES(?b) }
      UNION { BIND("date" AS ?field) ?f schema:startDate ?d0 BIND(STR(?d0) AS ?value) }
      UNION { BIND("time" AS ?field) ?f gov:startTime ?t BIND(SUBSTR(STR(?t), 1, 5) AS ?value) }
      UNION { BIND("venue" AS ?field) ?f schema:location ?value } }""",
    "attendance": """SELECT ?f ?field ?value WHERE { ?m gov:attendance ?f .
      { BIND("person" AS ?field) ?f schema:attendee/foaf:name ?value }
      UNION { BIND("status" AS ?field) ?f dct:type ?s BIND(STRAFTER(STR(?s), "attendance-status/") AS ?value) }
      UNION { BIND("role" AS ?field) ?f org:role/skos:prefLabel ?value }
      UNION { BIND("post" AS ?field) ?f schema:roleName ?value } }""",
    "person": """SELECT ?f ?field ?value WHERE { ?f a foaf:Person .
      { BIND("name" AS ?field) ?f foaf:name ?value } UNION { BIND("title" AS ?field) ?f foaf:title ?value } }""",
    "post": """SELECT ?f ?field ?value WHERE { ?f a org:Post .
      { BIND("post" AS ?field) ?f skos:prefLabel ?value }
      UNION { BIND("org" AS ?field) { ?f org:postIn ?o } UNION { ?f dct:spatial ?o } @NAMES(?o) }
      UNION { BIND("holder" AS ?field) ?f org:heldBy/foaf:name ?value } }""",
    "organisation": """SELECT ?f ?field ?value WHERE { ?f a org:Organization ; prov:wasDerivedFrom ?p .
      { BIND("name" AS ?field) @NAMES(?f) }
      UNION { BIND("acronym" AS ?field) ?f gov:acronym ?value } }""",
    "declaration": """SELECT ?f ?field ?value WHERE { ?f a gov:Declaration .
      { BIND("text" AS ?field) ?f schema:text ?value } UNION { BIND("person" AS ?field) ?f schema:agent/foaf:name ?value } }""",
    "minutes-approval": """SELECT ?f ?field ?value WHERE { ?f a besluit:Besluit ; dct:subject ?m . ?m a besluit:Zitting .
      { BIND("text" AS ?field) ?f prov:value ?value }
      UNION { BIND("meeting_date" AS ?field) ?m schema:startDate ?d BIND(STR(?d) AS ?value) } }""",
    "agenda-item": """SELECT ?f ?field ?value WHERE { ?f a besluit:Agendapunt .
      { BIND("title" AS ?field) ?f dct:title ?value }
      UNION { BIND("number" AS ?field) { ?f dct:identifier ?value } UNION { ?f schema:position ?n BIND(STR(?n) AS ?value) } } }""",
    "presenter": """SELECT ?f ?field ?value WHERE { ?t a besluit:BehandelingVanAgendapunt ; dct:subject ?i ; schema:performer ?p .
      BIND(IRI(CONCAT(STR(?t), "/", MD5(STR(?p)))) AS ?f)
      { BIND("item" AS ?field) { ?i dct:title ?value } UNION { ?i dct:identifier ?value } }
      UNION { BIND("person" AS ?field) @NAMES(?p) } }""",
    "decision": """SELECT ?f ?field ?value WHERE { ?f a besluit:Besluit .
      { BIND("text" AS ?field) ?f prov:value ?value }
      UNION { BIND("verb" AS ?field) ?f dct:type/skos:prefLabel ?value }
      UNION { BIND("number" AS ?field) ?f eli:number ?value }
      UNION { BIND("item" AS ?field) ?t prov:generated ?f ; dct:subject ?i . { ?i dct:title ?value } UNION { ?i dct:identifier ?value } }
      UNION { BIND("body" AS ?field) ?f eli:passed_by ?b . @NAMES(?b) } }""",
    "action": """SELECT ?f ?field ?value WHERE { ?f a schema:Action .
      { BIND("text" AS ?field) ?f schema:description ?value }
      UNION { BIND("owner" AS ?field) ?f schema:agent ?o . @NAMES(?o) }
      UNION { BIND("due" AS ?field) ?f dct:temporal/dcat:startDate ?d BIND(STR(?d) AS ?value) } }""",
    "question": """SELECT ?f ?field ?value WHERE { ?f a schema:Question .
      { BIND("text" AS ?field) ?f schema:text ?value }
      UNION { BIND("item" AS ?field) ?f schema:about ?i . { ?i dct:title ?value } UNION { ?i dct:identifier ?value } }
      UNION { BIND("asker" AS ?field) ?f schema:author ?a . @NAMES(?a) }
      UNION { BIND("replied_by" AS ?field) ?f schema:suggestedAnswer/schema:author ?r . @NAMES(?r) }
      UNION { BIND("reply" AS ?field) ?f schema:suggestedAnswer/schema:text ?value } }""",
    "priority": """SELECT ?f ?field ?value WHERE { ?f a prov:Plan ; dct:type ?k . ?k skos:inScheme gov:PlanElementKinds .
      { BIND("text" AS ?field) ?f dct:title ?value }
      UNION { BIND("number" AS ?field) ?f dct:identifier ?value }
      UNION { BIND("of" AS ?field) ?f dct:isPartOf ?o . @NAMES(?o) } }""",
    "target": """SELECT ?f ?field ?value WHERE { ?f a gov:Target .
      { BIND("text" AS ?field) ?f schema:description ?value }
      UNION { BIND("quantity" AS ?field) ?f schema:value ?value }
      UNION { BIND("money" AS ?field) ?f schema:amount/rdfs:label ?value }
      UNION { BIND("deadline" AS ?field) ?f dct:temporal/dcat:startDate ?d BIND(STR(?d) AS ?value) } }""",
    "composition": """SELECT ?f ?field ?value WHERE { ?f a org:Post ; gov:seats ?n .
      { BIND("count" AS ?field) ?f gov:seats ?n2 BIND(STR(?n2) AS ?value) }
      UNION { BIND("text" AS ?field) { ?f skos:prefLabel ?value } UNION { ?f dct:description ?value } }
      UNION { BIND("body" AS ?field) ?f org:postIn ?b . @NAMES(?b) } }""",
    "change": """SELECT ?f ?field ?value WHERE { ?f a org:ChangeEvent ; rdfs:label ?l .
      { BIND("kind" AS ?field) ?f rdfs:label ?l2 BIND(STRBEFORE(?l2, ":") AS ?value) }
      UNION { BIND("result" AS ?field) ?f org:resultingOrganization ?r . @NAMES(?r) }
      UNION { BIND("by" AS ?field) ?f prov:wasAssociatedWith ?b . @NAMES(?b) }
      UNION { BIND("when" AS ?field) ?f dct:temporal/rdfs:label ?value } }""",
    "relation": [
        """SELECT ?f ("kind" AS ?field) (?kind AS ?value) WHERE { @RELATIONS }""",
        """SELECT ?f ?field ?value WHERE { @RELATIONS
          { BIND("subject" AS ?field) @NAMES(?s) }
          UNION { BIND("object" AS ?field) @NAMES(?o) }
          UNION { BIND("since" AS ?field) ?e a org:ChangeEvent ; org:resultingOrganization ?o ; prov:wasAssociatedWith ?s ;
                  dct:temporal/dcat:startDate ?d BIND(STR(?d) AS ?value) } }""",
    ],
    "period": """SELECT ?f ?field ?value WHERE { ?f a dct:PeriodOfTime .
      { BIND("label" AS ?field) ?f rdfs:label ?value }
      UNION { BIND("start" AS ?field) ?f dcat:startDate ?d BIND(STR(?d) AS ?value) }
      UNION { BIND("end" AS ?field) ?f dcat:endDate ?d BIND(STR(?d) AS ?value) } }""",
    "purpose": """SELECT ?f ?field ?value WHERE { ?b org:purpose ?c . BIND(IRI(CONCAT(STR(?b), "#", MD5(STR(?c)))) AS ?f)
      { BIND("text" AS ?field) ?c skos:definition ?value } UNION { BIND("body" AS ?field) @NAMES(?b) } }""",
    "acronym": [
        """SELECT ?f ("acronym" AS ?field) (?a AS ?value) WHERE { GRAPH <urn:doc> { ?x gov:acronym ?a }
           BIND(IRI(CONCAT(STR(?x), "#", ?a)) AS ?f) }""",
        """SELECT ?f ("expansion" AS ?field) ?value WHERE { GRAPH <urn:doc> { ?x gov:acronym ?a }
           BIND(IRI(CONCAT(STR(?x), "#", ?a)) AS ?f) @NAMES(?x) }""",
    ],
}


def _expand(query: str) -> str:
    """Fill in the shared parts: @RELATIONS, and @NAMES(?x) (every name of ?x as ?value)."""
    query = query.replace("@RELATIONS", _RELATIONS)
    return re.sub(r"@NAMES\((\?\w+)\)", lambda m: _NAMES_OF.format(v=m.group(1)), query)


def norm(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value)).lower()
    text = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in text)
    return " ".join(text.split())


def _name(value: str) -> str:
    text = norm(value)
    return re.sub(r"^(?:the|this|its)\s+", "", text)


def field_matches(field_name: str, gold: object, values: set[str]) -> bool:
    if field_name == "variants":
        names = {_name(v) for v in values}
        return all(_name(str(g)) in names or _name(str(g)).rstrip("s") in names for g in gold)  # type: ignore[attr-defined]
    if field_name in ("count",):
        return str(gold) in values
    g = norm(gold)
    normed = {norm(v) for v in values}
    if field_name in DATES:
        return str(gold) in values
    if field_name in CONTAINS:
        return any(g and g in v for v in normed)
    if field_name == "item":
        return any(g == v or (g and g in v) for v in normed)
    if field_name == "of":
        return any(g and (g in v or v in g) for v in normed if v)
    if field_name == "acronym":
        return any(g.rstrip("s") == v.rstrip("s") for v in normed)
    if field_name in NAMES:
        return _name(str(gold)) in {_name(v) for v in values}
    return g in normed


@dataclass
class Score:
    found: int = 0  # gold facts found
    gold: int = 0
    correct: int = 0  # extracted facts (of covered types) that match a gold fact
    extracted: int = 0
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return self.found / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.extracted if self.extracted else None


def _term(term: Any) -> Any:
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def _facts(doc_graph: Any, reference_graph: Any) -> dict[str, list[dict[str, set[str]]]]:
    """Every fact of every type, as field → acceptable values (pyoxigraph, union graph)."""
    import pyoxigraph as ox

    store = ox.Store()
    for graph, name in ((doc_graph, "urn:doc"), (reference_graph, "urn:reference")):
        g = ox.NamedNode(name)
        store.extend(ox.Quad(_term(s), _term(p), _term(o), g) for s, p, o in graph)
    own = {str(s) for s in doc_graph.subjects()}
    out: dict[str, list[dict[str, set[str]]]] = {}
    for kind, queries in QUERIES.items():
        facts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for query in [queries] if isinstance(queries, str) else queries:
            query = _expand(query)
            for row in store.query(_P + "\n" + query, use_default_graph_as_union=True):
                f, fld, value = row["f"], row["field"], row["value"]
                if f is None or fld is None or value is None:
                    continue
                facts[f.value][fld.value].add(value.value)
        if kind == "organisation":
            facts = {k: v for k, v in facts.items() if k in own}
        out[kind] = [dict(v) for v in facts.values()]
    return out


def _describe(fact: dict[str, Any]) -> str:
    return ", ".join(
        f"{k}={sorted(v)[:3] if isinstance(v, set) else v}" for k, v in fact.items() if k != "type"
    )


def score_document(
    path: Path, gold: dict[str, Any], reference: Any, scores: dict[str, Score]
) -> None:
    from ingest.extract import extract_facts
    from ingest.load import load_document
    from ingest.segment import segment

    doc = load_document(path, path.parent)
    facts = _facts(extract_facts(doc, segment(doc), reference), reference.graph)
    covers = set(gold.get("covers", []))
    golds = gold["facts"]
    for g in golds:
        kind = g["type"]
        fields = {k: v for k, v in g.items() if k != "type"}
        s = scores.setdefault(kind, Score())
        s.gold += 1
        if any(
            all(
                field_matches(k, v, f.get(k if k != "variants" else "name", set()))
                for k, v in fields.items()
            )
            for f in facts.get(kind, [])
        ):
            s.found += 1
        else:
            s.missed.append(f"{path.name}: {_describe(g)}")
    for kind in covers:
        s = scores.setdefault(kind, Score())
        kind_golds = [g for g in golds if g["type"] == kind]
        for f in facts.get(kind, []):
            s.extracted += 1
            if any(
                all(
                    field_matches(k, v, f.get(k if k != "variants" else "name", set()))
                    for k, v in g.items()
                    if k != "type"
                )
                for g in kind_golds
            ):
                s.correct += 1
            else:
                s.extra.append(f"{path.name}: {_describe(f)}")


def documents(folders: list[Path]) -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for folder in folders:
        for gold_path in sorted(folder.rglob(f"*{GOLD_SUFFIX}")):
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            found.append((gold_path.parent / gold["document"], gold))
    return found


def score(folders: list[Path], ontology: Path | None = None) -> dict[str, Score]:
    from ingest.extract import load_reference
    from kg.settings import Settings

    reference = load_reference(ontology or Settings.from_env().ontology)
    scores: dict[str, Score] = {}
    for path, gold in documents(folders):
        score_document(path, gold, reference, scores)
    return scores


def table(scores: dict[str, Score]) -> str:
    lines = [
        "| fact type | recall | found / gold | precision | correct / extracted |",
        "|---|---|---|---|---|",
    ]
    total = Score()
    for kind in sorted(scores):
        s = scores[kind]
        total.found += s.found
        total.gold += s.gold
        total.correct += s.correct
        total.extracted += s.extracted
        lines.append(
            f"| {kind} | {_pct(s.recall)} | {s.found} / {s.gold} | {_pct(s.precision)} | {s.correct} / {s.extracted} |"
        )
    lines.append(
        f"| **all** | {_pct(total.recall)} | {total.found} / {total.gold} | {_pct(total.precision)} | {total.correct} / {total.extracted} |"
    )
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.extraction", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "folders", nargs="+", type=Path, help="folders of documents with .gold.json files"
    )
    parser.add_argument("--show", action="store_true", help="list the missed and extra facts")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args(argv)
    for folder in args.folders:
        if not folder.is_dir():
            print(f"error: not a folder: {folder}", file=sys.stderr)
            return 2
    scores = score(args.folders)
    if args.json:
        print(json.dumps({k: {"recall": s.recall, "precision": s.precision, "found": s.found, "gold": s.gold,
                              "correct": s.correct, "extracted": s.extracted} for k, s in scores.items()}, indent=1))  # fmt: skip
        return 0
    print(table(scores))
    if args.show:
        for kind, s in sorted(scores.items()):
            for line in s.missed:
                print(f"MISSED {kind}: {line}")
            for line in s.extra:
                print(f"EXTRA  {kind}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

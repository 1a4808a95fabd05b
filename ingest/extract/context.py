"""What every rule sees: the document read into lines and sentences, the mentions found in
them, the passage index, and the graph the facts go into (each with its provenance)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, PROV, RDF, SKOS

from ingest.extract.dates import DateContext, DateMatch, find_dates
from ingest.extract.entities import Mention, Resolver, head_of, org_type_key
from ingest.extract.reference import Entity, Reference
from ingest.extract.text import Line, PassageIndex, Sentence, read_lines, read_sentences
from kg.model import Document
from kg.namespaces import GOV, GOVID, doc_scoped_iri


@dataclass
class Post:
    iri: URIRef
    title: str
    role: URIRef
    org: Entity | None


@dataclass
class Context:
    doc: Document
    reference: Reference
    resolver: Resolver
    passages: PassageIndex
    lines: list[Line]
    sentences: list[Sentence]
    graph: Graph
    mentions: dict[int, list[Mention]] = field(default_factory=dict)  # by sentence start
    dates: dict[int, list[DateMatch]] = field(default_factory=dict)  # by sentence start
    committee: Entity | None = None
    committee_line: Line | None = None
    posts: list[Post] = field(default_factory=list)
    _emitted: set[tuple[URIRef, URIRef]] = field(default_factory=set)

    # ---- provenance and nodes ----------------------------------------------------------
    def derive(self, node: URIRef, start: int, end: int) -> None:
        """``node`` came from the passage holding ``[start, end)``."""
        self.graph.add((node, PROV.wasDerivedFrom, self.passages.find(start, end)))

    def node(self, iri: str | URIRef, types: tuple[URIRef, ...], start: int, end: int) -> URIRef:
        ref = URIRef(iri)
        for rdf_type in types:
            # The reference graph already types shared entities; a copy in every document
            # graph would make union-graph queries return one row per document.
            if (ref, RDF.type, rdf_type) not in self.reference.graph:
                self.graph.add((ref, RDF.type, rdf_type))
        self.derive(ref, start, end)
        return ref

    def scoped(self, kind: str, local: str | int) -> URIRef:
        return URIRef(doc_scoped_iri(self.doc.doc_id, kind, str(local)))

    def entity(self, entity: Entity, start: int, end: int) -> URIRef:
        """Emit a shared entity (types, label, learned acronyms) with this evidence."""
        self.node(entity.iri, entity.types, start, end)
        key = (entity.iri, self.passages.find(start, end))
        if key in self._emitted:
            return entity.iri
        self._emitted.add(key)
        if (entity.iri, SKOS.prefLabel, None) not in self.reference.graph:
            self.graph.add((entity.iri, SKOS.prefLabel, Literal(entity.label, lang="en")))
        if entity.iri in self.resolver.learned:
            for acronym in entity.acronyms:
                self.graph.add((entity.iri, GOV.acronym, Literal(acronym)))
            type_key = org_type_key(entity)
            if type_key and not any(self.reference.graph.triples((entity.iri, None, None))):
                self.graph.add((entity.iri, ORG.classification, GOVID[f"org-type/{type_key}"]))
        return entity.iri

    # ---- reading helpers -----------------------------------------------------------------
    def mentions_in(self, sentence: Sentence, kinds: tuple[str, ...] = ("org",)) -> list[Mention]:
        return [m for m in self.mentions.get(sentence.start, []) if m.entity.kind in kinds]

    def sentences_of(self, line: Line) -> list[Sentence]:
        return [s for s in self.sentences if s.line.index == line.index]

    def line_mentions(self, line: Line, kinds: tuple[str, ...] = ("org",)) -> list[Mention]:
        return [m for s in self.sentences_of(line) for m in self.mentions_in(s, kinds)]


def _resolve_anaphor(ctx: Context, head: str, recent: list[tuple[Entity, bool]]) -> Entity | None:
    """The committee that met, else the last subject with that head, else the last mention."""
    if head == "Committee" and ctx.committee is not None:
        return ctx.committee
    wanted = head.lower().rstrip("s")
    matching = [(e, subj) for e, subj in recent if wanted in {h.rstrip("s") for h in head_of(e)}]
    subjects = [e for e, subj in matching if subj]
    if subjects:
        return subjects[-1]
    return matching[-1][0] if matching else None


def _mention_pass(ctx: Context) -> None:
    """Find every mention in reading order, so anaphora see what was named before them."""
    recent: list[tuple[Entity, bool]] = []
    for sentence in ctx.sentences:
        found = ctx.resolver.find(sentence.text, sentence.start)
        taken = [(m.start, m.end) for m in found]
        for start, end, head in ctx.resolver.anaphors(sentence.text, sentence.start):
            if any(s < end and e > start for s, e in taken):
                continue
            entity = _resolve_anaphor(ctx, head, recent)
            if entity is not None:
                found.append(Mention(start, end, ctx.doc.text[start:end], entity, anaphor=True))
        found.sort(key=lambda m: m.start)
        ctx.mentions[sentence.start] = found
        recent.extend(
            (m.entity, i == 0 and m.start - sentence.start < 6) for i, m in enumerate(found)
        )


def _date_pass(ctx: Context) -> None:
    """Dates in reading order: a yearless date takes its year from what came before."""
    context = DateContext()
    if ctx.doc.issued and ctx.doc.issued[:4].isdigit():
        context.year = int(ctx.doc.issued[:4])
    for sentence in ctx.sentences:
        ctx.dates[sentence.start] = find_dates(sentence.text, context, sentence.start)


def build_context(doc: Document, passages: PassageIndex, reference: Reference) -> Context:
    lines = read_lines(doc.text)
    ctx = Context(
        doc=doc,
        reference=reference,
        resolver=Resolver(reference),
        passages=passages,
        lines=lines,
        sentences=read_sentences(doc.text, lines),
        graph=Graph(),  # serialised as N-Triples: no prefixes to bind
    )
    ctx.resolver.learn_acronyms(doc.text)
    _date_pass(ctx)
    return ctx


def run_mentions(ctx: Context) -> None:
    _mention_pass(ctx)
    for sentence in ctx.sentences:
        for mention in ctx.mentions[sentence.start]:
            ctx.entity(mention.entity, mention.start, mention.end)


__all__ = ["Context", "Post", "build_context", "run_mentions"]

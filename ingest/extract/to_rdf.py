"""Records → RDF: the one place that knows the graph's patterns (DESIGN §3, docs/model.md)
and mirrors ``ontology/shapes.ttl``. Every node it writes carries ``prov:wasDerivedFrom``
the passage holding its record's span.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD

from ingest.extract.dates import DateMatch
from ingest.extract.entities import org_type_key, vocab
from ingest.extract.records import Agent, Extraction, Person, Post, Span
from ingest.extract.reference import Entity, Reference
from ingest.extract.text import PassageIndex
from kg.lexicon import Lexicon
from kg.model import Document
from kg.namespaces import (
    BESLUIT,
    ELI,
    GOV,
    GOVID,
    SCHEMA,
    doc_iri,
    doc_scoped_iri,
    entity_iri,
    slug,
)

_DATATYPES = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}
_NER_CONFIDENCE = "0.6"
_MONEY_RE = re.compile(
    r"£\s?(?P<n>\d[\d,]*(?:\.\d+)?)\s?(?P<u>m|bn|k|million|billion|thousand)?", re.I
)
_SCALE = {"m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9, "k": 1e3, "thousand": 1e3}


class _Writer:
    def __init__(
        self, doc: Document, passages: PassageIndex, reference: Reference, lexicon: Lexicon
    ) -> None:
        self.doc = doc
        self.passages = passages
        self.reference = reference
        self.lexicon = lexicon
        self.graph = Graph()  # serialised as N-Triples: no prefixes to bind
        self.add = self.graph.add
        self._derived: set[tuple[URIRef, URIRef]] = set()
        self.labelled: set[URIRef] = set()

    # ---- nodes and provenance --------------------------------------------------------
    def derive(self, node: URIRef | BNode, span: Span) -> None:
        passage = self.passages.find(span.start, span.end)
        key = (node, passage)
        if key not in self._derived:
            self._derived.add(key)  # type: ignore[arg-type]
            self.add((node, PROV.wasDerivedFrom, passage))

    def node(self, iri: URIRef, types: Iterable[URIRef], span: Span) -> URIRef:
        for rdf_type in types:
            # The reference graph already types shared entities; a copy in every document
            # graph would make union-graph queries return one row per document.
            if (iri, RDF.type, rdf_type) not in self.reference.graph:
                self.add((iri, RDF.type, rdf_type))
        self.derive(iri, span)
        return iri

    def scoped(self, kind: str, local: object) -> URIRef:
        return URIRef(doc_scoped_iri(self.doc.doc_id, kind, str(local)))

    # ---- shared things -----------------------------------------------------------------
    def entity(self, entity: Entity, span: Span) -> URIRef:
        iri = self.node(entity.iri, entity.types, span)
        if iri not in self.labelled and (iri, SKOS.prefLabel, None) not in self.reference.graph:
            self.labelled.add(iri)
            self.add((iri, SKOS.prefLabel, Literal(entity.label, lang="en")))
            if entity.kind == "term":
                self.add((iri, SKOS.inScheme, GOV.Terms))
        return iri

    def person(self, person: Person) -> URIRef:
        iri = self.node(URIRef(entity_iri("person", person.name)), (FOAF.Person,), person.span)
        self.add((iri, FOAF.name, Literal(person.name)))
        if person.title:
            self.add((iri, FOAF.title, Literal(person.title)))
        return iri

    def post(self, post: Post) -> URIRef:
        scope = post.org or post.place
        if scope is not None:
            key = f"{slug(str(scope.iri).rsplit('/', 1)[-1])} {post.title}"
        elif post.holder is not None:
            key = f"{post.holder.name} {post.title}"
        else:
            key = f"{self.doc.doc_id} {post.title}"
        iri = self.node(URIRef(entity_iri("post", key)), (ORG.Post,), post.span)
        self.add((iri, SKOS.prefLabel, Literal(post.title, lang="en")))
        self.add((iri, ORG.role, post.role))
        if post.org is not None:
            self.add((iri, ORG.postIn, self.entity(post.org, post.span)))
        elif post.place is not None:
            self.add((iri, DCTERMS.spatial, self.entity(post.place, post.span)))
        if post.holder is not None:
            self.add((iri, ORG.heldBy, self.person(post.holder)))
        if post.description:
            self.add((iri, DCTERMS.description, Literal(post.description)))
        if post.seats is not None:
            self.add((iri, GOV.seats, Literal(post.seats)))
        return iri

    def agent(self, agent: Agent) -> URIRef:
        if isinstance(agent, Person):
            return self.person(agent)
        if isinstance(agent, Post):
            return self.post(agent)
        return self.entity(agent, Span(0, 0))

    def period(self, match: DateMatch) -> URIRef:
        """A period node per distinct label in the document (the same label is the same period)."""
        period = match.period
        iri = self.node(
            self.scoped("period", period.label),
            (DCTERMS.PeriodOfTime,),
            Span(match.start, match.end),
        )
        if (iri, RDFS.label, None) not in self.graph:  # "Autumn 2023" and "autumn 2023"
            self.add((iri, RDFS.label, Literal(period.label)))
        self.add(
            (iri, DCAT.startDate, Literal(period.start, datatype=_DATATYPES[len(period.start)]))
        )
        self.add((iri, GOV.earliest, Literal(period.earliest.isoformat(), datatype=XSD.date)))
        if period.end is not None:
            self.add((iri, DCAT.endDate, Literal(period.end, datatype=_DATATYPES[len(period.end)])))
        if period.latest is not None:
            self.add((iri, GOV.latest, Literal(period.latest.isoformat(), datatype=XSD.date)))
        return iri


def to_rdf(
    doc: Document, passages: PassageIndex, reference: Reference, lexicon: Lexicon, found: Extraction
) -> Graph:
    """The facts graph of one document."""
    w = _Writer(doc, passages, reference, lexicon)
    _entities(w, found)
    for person in found.people:
        w.person(person)
    for post in found.posts:
        w.post(post)
    _meeting(w, found)
    _plans(w, found)
    _bodies(w, found)
    for event in found.events:
        iri = w.node(w.scoped("event", event.span.start), (PROV.Activity,), event.span)
        w.add((iri, RDFS.label, Literal(event.label)))
        for date in event.dates:
            w.add((iri, DCTERMS.temporal, w.period(date)))
        for entity in event.related:
            w.add(
                (
                    iri,
                    PROV.wasAssociatedWith if entity.kind == "org" else DCTERMS.relation,
                    entity.iri,
                )
            )
    return w.graph


def _entities(w: _Writer, found: Extraction) -> None:
    v = vocab(w.lexicon)
    sources: dict[URIRef, set[str]] = {}
    entities: dict[URIRef, Entity] = {}
    for mention in found.mentions:
        entities[mention.entity.iri] = mention.entity
        sources.setdefault(mention.entity.iri, set()).add(mention.source)
        w.node(mention.entity.iri, mention.entity.types, mention.span)
    for acronym in found.acronyms:
        entities[acronym.entity.iri] = acronym.entity
        sources.setdefault(acronym.entity.iri, set()).add("rule")
        w.node(acronym.entity.iri, acronym.entity.types, acronym.span)
        w.add((acronym.entity.iri, GOV.acronym, Literal(acronym.acronym)))
    for iri, entity in entities.items():
        names = {entity.label, *found.variants.get(iri, ())}
        in_reference = (iri, SKOS.prefLabel, None) in w.reference.graph
        if not in_reference:
            label = max(names, key=lambda n: (len(n.split()), len(n), n))
            w.labelled.add(iri)
            w.add((iri, SKOS.prefLabel, Literal(label, lang="en")))
            for other in sorted(names - {label}):
                w.add((iri, SKOS.altLabel, Literal(other, lang="en")))
            if entity.kind == "term":
                w.add((iri, SKOS.inScheme, GOV.Terms))
            type_key = org_type_key(entity, v)
            if type_key:
                w.add((iri, ORG.classification, GOVID[f"org-type/{type_key}"]))
            if sources.get(iri) == {"ner"}:
                w.add((iri, GOV.confidence, Literal(_NER_CONFIDENCE, datatype=XSD.decimal)))
        else:
            known = {str(o) for o in w.reference.graph.objects(iri, SKOS.altLabel)}
            known |= {str(o) for o in w.reference.graph.objects(iri, SKOS.prefLabel)}
            for other in sorted(names - known):
                w.add((iri, SKOS.altLabel, Literal(other, lang="en")))
    for mention in found.mentions:
        if mention.source == "context" and not mention.text.lower().startswith(
            ("the ", "this ", "that ", "its ", "these ", "our ")
        ):
            short = (
                mention.text.rstrip("s")
                if mention.text.isupper() is False and mention.text.endswith("s")
                else mention.text
            )
            if (
                short != mention.entity.label
                and (mention.entity.iri, SKOS.altLabel, Literal(short, lang="en"))
                not in w.reference.graph
            ):
                w.add((mention.entity.iri, SKOS.altLabel, Literal(short, lang="en")))


def _meeting(w: _Writer, found: Extraction) -> None:
    meeting = found.meeting
    if meeting is None:
        return
    iri = w.node(w.scoped("meeting", 1), (BESLUIT.Zitting, SCHEMA.Event), meeting.span)
    w.add((iri, BESLUIT.isGehoudenDoor, w.entity(meeting.body, meeting.span)))
    w.add((iri, DCTERMS.title, Literal(f"Meeting of the {meeting.body.label}")))
    if meeting.date is not None:
        w.add((iri, SCHEMA.startDate, Literal(meeting.date.period.start, datatype=XSD.date)))
        w.add((iri, DCTERMS.temporal, w.period(meeting.date)))
        w.derive(iri, Span(meeting.date.start, meeting.date.end))
    elif w.doc.issued and len(w.doc.issued) == 10:
        w.add((iri, SCHEMA.startDate, Literal(w.doc.issued, datatype=XSD.date)))
    if meeting.time:
        w.add((iri, GOV.startTime, Literal(f"{meeting.time}:00", datatype=XSD.time)))
    if meeting.venue:
        w.add((iri, SCHEMA.location, Literal(meeting.venue)))
    for k, att in enumerate(found.attendance, start=1):
        node = w.node(w.scoped("attendance", k), (GOV.Attendance,), att.span)
        person = w.person(att.person)
        w.add((iri, GOV.attendance, node))
        w.add((node, SCHEMA.attendee, person))
        w.add((node, DCTERMS.type, GOVID[f"attendance-status/{att.status}"]))
        if att.role is not None:
            w.add((node, ORG.role, att.role))
        if att.post:
            w.add((node, SCHEMA.roleName, Literal(att.post)))
        if att.status != "apologies":
            w.add((iri, SCHEMA.attendee, person))
    items = {}
    for item in found.items:
        item_iri = w.node(w.scoped("agenda-item", item.position), (BESLUIT.Agendapunt,), item.span)
        w.add((item_iri, DCTERMS.title, Literal(item.title)))
        w.add((item_iri, SCHEMA.position, Literal(item.position)))
        if item.number:
            w.add((item_iri, DCTERMS.identifier, Literal(item.number)))
        w.add((iri, BESLUIT.behandelt, item_iri))
        treatment = w.node(
            w.scoped("treatment", item.position), (BESLUIT.BehandelingVanAgendapunt,), item.span
        )
        w.add((treatment, DCTERMS.subject, item_iri))
        items[item.position] = (item_iri, treatment)
    for presenter in found.presenters:
        _, treatment = items[presenter.item]
        w.add((treatment, SCHEMA.performer, w.agent(presenter.who)))
        w.derive(treatment, presenter.span)
    for k, declaration in enumerate(found.declarations, start=1):
        node = w.node(w.scoped("declaration", k), (GOV.Declaration,), declaration.span)
        w.add((node, SCHEMA.text, Literal(declaration.text)))
        w.add((node, DCTERMS.isPartOf, iri))
        if declaration.person is not None:
            w.add((node, SCHEMA.agent, w.person(declaration.person)))
        if declaration.item is not None and declaration.item in items:
            w.add((node, SCHEMA.about, items[declaration.item][0]))
    _decisions(w, found, items, meeting.body)
    for question in found.questions:
        q = w.node(w.scoped("question", question.span.start), (SCHEMA.Question,), question.span)
        w.add((q, SCHEMA.text, Literal(question.text)))
        if question.item is not None and question.item in items:
            w.add((q, SCHEMA.about, items[question.item][0]))
        if question.author is not None:
            w.add((q, SCHEMA.author, w.agent(question.author)))
        for answer in question.answers:
            a = w.node(w.scoped("answer", answer.span.start), (SCHEMA.Answer,), answer.span)
            w.add((a, SCHEMA.text, Literal(answer.text)))
            w.add((a, SCHEMA.author, w.agent(answer.author)))
            w.add((q, SCHEMA.suggestedAnswer, a))
    for k, action in enumerate(found.actions, start=1):
        node = w.node(w.scoped("action", k), (SCHEMA.Action,), action.span)
        w.add((node, SCHEMA.description, Literal(action.text)))
        if action.owner is not None:
            w.add((node, SCHEMA.agent, w.agent(action.owner)))
        if action.due is not None:
            w.add((node, DCTERMS.temporal, w.period(action.due)))
        if action.reference:
            w.add((node, SCHEMA.identifier, Literal(action.reference)))
        if action.item is not None and action.item in items:
            w.add((node, SCHEMA.about, items[action.item][0]))
            w.add((node, PROV.wasGeneratedBy, items[action.item][1]))


def _decisions(
    w: _Writer, found: Extraction, items: dict[int, tuple[URIRef, URIRef]], body: Entity | None
) -> None:
    counters: dict[int, int] = {}
    previous = 0
    for decision in found.decisions:
        position = decision.item or 0
        counters[position] = counters.get(position, 0) + 1
        local = f"{position}-{decision.number or counters[position]}"
        iri = w.node(w.scoped("decision", local), (BESLUIT.Besluit,), decision.span)
        if decision.number:
            w.add((iri, ELI.number, Literal(decision.number)))
        w.add((iri, DCTERMS.type, decision.verb))
        w.add((iri, PROV.value, Literal(decision.text)))
        w.add((iri, ELI.passed_by, w.entity(decision.body, decision.span)))
        for date in decision.dates:
            w.add((iri, DCTERMS.temporal, w.period(date)))
        if decision.item is not None and decision.item in items:
            w.add((items[decision.item][1], PROV.generated, iri))
        if decision.is_minutes_approval:
            previous += 1
            earlier = w.node(
                w.scoped("meeting", f"previous-{previous}"),
                (BESLUIT.Zitting, SCHEMA.Event),
                decision.span,
            )
            w.add((earlier, BESLUIT.isGehoudenDoor, w.entity(decision.body, decision.span)))
            w.add(
                (earlier, DCTERMS.title, Literal(f"Earlier meeting of the {decision.body.label}"))
            )
            if decision.approves_minutes_of is not None:
                w.add(
                    (
                        earlier,
                        SCHEMA.startDate,
                        Literal(decision.approves_minutes_of.period.start, datatype=XSD.date),
                    )
                )
            w.add((iri, DCTERMS.subject, earlier))
    del body


def _plans(w: _Writer, found: Extraction) -> None:
    plan: URIRef
    if found.plan is not None:
        plan = w.entity(found.plan, found.priorities[0].span if found.priorities else Span(0, 1))
    else:
        plan = URIRef(doc_iri(w.doc.doc_id))
    nodes = {}
    for k, priority in enumerate(found.priorities, start=1):
        node = w.node(w.scoped("plan-element", k), (PROV.Plan,), priority.span)
        w.add((node, DCTERMS.type, GOVID[f"plan-element/{priority.kind}"]))
        w.add((node, DCTERMS.title, Literal(priority.text)))
        if priority.number:
            w.add((node, DCTERMS.identifier, Literal(priority.number)))
        w.add((node, DCTERMS.isPartOf, plan))
        nodes[id(priority)] = node
    for k, target in enumerate(found.targets, start=1):
        node = w.node(w.scoped("target", k), (GOV.Target, PROV.Plan), target.span)
        w.add((node, SCHEMA.description, Literal(target.text)))
        if target.quantity:
            w.add((node, SCHEMA.value, Literal(target.quantity)))
        if target.money:
            money = w.node(w.scoped("money", k), (SCHEMA.MonetaryAmount,), target.span)
            w.add((money, RDFS.label, Literal(target.money)))
            w.add((money, SCHEMA.currency, Literal("GBP")))
            amount = _amount(target.money)
            if amount is not None:
                w.add((money, SCHEMA.value, Literal(amount, datatype=XSD.decimal)))
            w.add((node, SCHEMA.amount, money))
        if target.deadline is not None:
            w.add((node, DCTERMS.temporal, w.period(target.deadline)))
        parent = nodes.get(id(target.priority)) if target.priority is not None else None
        w.add((node, DCTERMS.isPartOf, parent or plan))


def _amount(text: str) -> str | None:
    m = _MONEY_RE.search(text)
    if m is None:
        return None
    value = float(m.group("n").replace(",", "")) * _SCALE.get((m.group("u") or "").lower(), 1)
    return f"{value:.2f}"


_RELATION_PROPS = {
    "reports-to": ORG.reportsTo,
    "linked-to": ORG.linkedTo,
    "part-of": ORG.subOrganizationOf,
    "unit-of": ORG.unitOf,
}


def _bodies(w: _Writer, found: Extraction) -> None:
    for change in found.changes:
        iri = w.node(
            w.scoped("change", f"{change.span.start}-{change.verb}-{change.result.label}"),
            (ORG.ChangeEvent, PROV.Activity),
            change.span,
        )
        w.add((iri, RDFS.label, Literal(f"{change.verb.lower()}: {change.result.label}")))
        w.add((iri, DCTERMS.description, Literal(change.text)))
        w.add((iri, ORG.resultingOrganization, w.entity(change.result, change.span)))
        if change.actor is not None:
            w.add((iri, PROV.wasAssociatedWith, w.entity(change.actor, change.span)))
        if change.original is not None:
            w.add((iri, ORG.originalOrganization, w.entity(change.original, change.span)))
        for date in change.dates:
            w.add((iri, DCTERMS.temporal, w.period(date)))
    for relation in found.relations:
        subject = w.entity(relation.subject, relation.span)
        target = relation.object
        if target is None and relation.object_text:
            kind = "programme" if relation.kind == "leads" else "org"
            label = relation.object_text
            target = Entity(URIRef(doc_scoped_iri(w.doc.doc_id, kind, label)), kind, label,
                            types=(GOV.Programme, PROV.Activity) if kind == "programme" else (ORG.Organization, ORG.OrganizationalUnit),
                            local=True)  # fmt: skip
            w.entity(target, relation.span)
            w.add((target.iri, SKOS.prefLabel, Literal(label, lang="en")))
        if target is None or target.iri == relation.subject.iri:
            continue
        if relation.kind == "leads":
            if target.kind in ("programme", "strategy"):
                w.add((target.iri, PROV.wasAssociatedWith, subject))
                w.derive(target.iri, relation.span)
            continue
        if relation.kind == "hosts":
            w.add((subject, GOV.hosts, w.entity(target, relation.span)))
            if relation.since is not None and target.kind == "org":
                event = w.node(
                    w.scoped("change", f"{relation.span.start}-hosted-{target.label}"),
                    (ORG.ChangeEvent, PROV.Activity),
                    relation.span,
                )
                w.add((event, RDFS.label, Literal(f"hosted: {target.label}")))
                w.add(
                    (
                        event,
                        DCTERMS.description,
                        Literal(w.doc.text[relation.span.start : relation.span.end]),
                    )
                )
                w.add((event, ORG.resultingOrganization, target.iri))
                w.add((event, PROV.wasAssociatedWith, subject))
                w.add((event, DCTERMS.temporal, w.period(relation.since)))
            continue
        prop = _RELATION_PROPS.get(relation.kind)
        if prop is not None and target.kind == "org":
            w.add((subject, prop, w.entity(target, relation.span)))
    for purpose in found.purposes:
        concept = w.node(
            URIRef(entity_iri("function", purpose.label)), (SKOS.Concept,), purpose.span
        )
        w.add((concept, SKOS.inScheme, GOV.Functions))
        w.add((concept, SKOS.prefLabel, Literal(purpose.label, lang="en")))
        w.add((concept, SKOS.definition, Literal(purpose.text, lang="en")))
        w.add((w.entity(purpose.body, purpose.span), ORG.purpose, concept))
    for runs in found.runs:
        w.add((runs.activity.iri, PROV.wasAssociatedWith, runs.runner.iri))
        w.derive(runs.activity.iri, runs.span)


__all__ = ["to_rdf"]

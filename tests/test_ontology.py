"""The ontology files: our own few terms, labelled vocabularies, the alias table, and SHACL."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from ingest.write import document_graph
from kg.errors import ConfigError
from kg.lexicon import LEX
from kg.namespaces import BESLUIT, GOV, OA, passage_iri
from kg.reference import load_reference_graph, load_shapes
from kg.shacl import validate
from tests.extract_helpers import CORPUS, ONTOLOGY, extract

OWN_TERMS = {
    "Programme", "Strategy", "acronym", "earliest", "latest", "confidence",
    # issue 11: attendance, declarations, targets, hosting, start times, seats
    "Attendance", "attendance", "Declaration", "Target", "hosts", "startTime", "seats",
}  # fmt: skip
SCHEMES = {
    "OrgTypes",
    "Roles",
    "DecisionVerbs",
    "Functions",
    "Terms",
    "AttendanceStatus",
    "PlanElementKinds",
}


@pytest.fixture(scope="module")
def reference() -> Graph:
    return load_reference_graph(ONTOLOGY)


def test_only_our_own_terms_and_schemes(reference: Graph) -> None:
    used = {str(s)[len(str(GOV)) :] for s in reference.subjects() if str(s).startswith(str(GOV))}
    assert used == OWN_TERMS | SCHEMES
    for term in OWN_TERMS:
        assert reference.value(GOV[term], RDFS.label) is not None
        assert reference.value(GOV[term], RDFS.comment) is not None


def test_every_concept_has_an_english_label_and_a_scheme(reference: Graph) -> None:
    concepts = set(reference.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 40
    for concept in concepts:
        labels = list(reference.objects(concept, SKOS.prefLabel))
        assert any(isinstance(x, Literal) and x.language == "en" for x in labels), concept
        scheme = str(reference.value(concept, SKOS.inScheme))
        assert scheme in {str(GOV[s]) for s in SCHEMES} or scheme.startswith(LEX), concept


def test_dutch_terms_have_english_labels(reference: Graph) -> None:
    for term in (
        "Zitting",
        "Agendapunt",
        "BehandelingVanAgendapunt",
        "Besluit",
        "isGehoudenDoor",
        "behandelt",
    ):
        english = [x for x in reference.objects(BESLUIT[term], RDFS.label) if x.language == "en"]
        assert english, term
    assert str(reference.value(BESLUIT.Zitting, RDFS.label)) in {"Session/meeting", "Zitting"}


def test_alias_table_has_one_iri_per_name(reference: Graph) -> None:
    owners: dict[str, set[URIRef]] = {}
    for prop in (SKOS.prefLabel, SKOS.altLabel, GOV.acronym):
        for subject, name in reference.subject_objects(prop):
            if (subject, RDF.type, SKOS.Concept) not in reference:
                owners.setdefault(str(name).lower(), set()).add(subject)
    clashes = {name: iris for name, iris in owners.items() if len(iris) > 1}
    assert not clashes
    assert (
        URIRef("https://w3id.org/govkg/id/programme/raft"),
        RDF.type,
        GOV.Programme,
    ) in reference


def test_missing_ontology_folder_is_a_config_error(tmp_path) -> None:
    with pytest.raises(ConfigError):
        load_reference_graph(tmp_path / "nope")
    with pytest.raises(ConfigError):
        load_shapes(tmp_path)
    assert OWL  # imported for readers: the ontology header is an owl:Ontology


@pytest.mark.parametrize("doc_id", sorted(CORPUS))
def test_extracted_graphs_conform(reference: Graph, doc_id: str) -> None:
    doc, passages, facts = extract(doc_id)
    data = reference + document_graph(doc, passages) + facts
    result = validate(data, load_shapes(ONTOLOGY))
    assert result.conforms, "\n".join(result.violations)
    assert result.violations == []


def test_shapes_catch_a_broken_passage(reference: Graph) -> None:
    doc, passages, facts = extract("gp-psu-developing-the-role")
    data = reference + document_graph(doc, passages) + facts
    broken = URIRef(passage_iri(doc.doc_id, passages[0].start, passages[0].end) + "#position")
    data.remove((broken, OA.start, None))
    data.add((broken, OA.start, Literal("-1", datatype=XSD.integer)))
    data.add((BNode(), RDF.type, BESLUIT.Besluit))
    result = validate(data, load_shapes(ONTOLOGY))
    assert not result.conforms
    assert any("start" in line for line in result.violations)
    assert all("\n" not in line for line in result.violations)

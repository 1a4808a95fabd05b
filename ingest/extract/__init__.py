"""Knowledge extraction: a document's organisations, people, posts, meetings, attendance,
agenda items, presenters, questions, decisions, actions, plans, targets, bodies' changes
and relations, purposes and dated events, as RDF facts each derived from a passage.

Rules (``ingest.extract.rules``) read the document once (:func:`read_document`) and
return typed records (``ingest.extract.records``); ``ingest.extract.to_rdf`` turns them
into triples. spaCy's NER runs beside the rules where they leave capitalised names
unexplained; everything else is deterministic.
"""

from __future__ import annotations

from rdflib import Graph

from ingest.extract.document import read_document
from ingest.extract.records import Extraction
from ingest.extract.reference import Reference, load_reference
from ingest.extract.rules import run_rules
from ingest.extract.text import ExtractionError, PassageIndex
from ingest.extract.to_rdf import to_rdf
from kg.lexicon import Lexicon, default_lexicon
from kg.model import Document, Passage


def _lexicon(reference: Reference) -> Lexicon:
    return reference.lexicon if reference.lexicon is not None else default_lexicon()


def extract_records(doc: Document, reference: Reference, ner: bool = True) -> Extraction:
    """Every typed record of ``doc`` (no RDF): what the rules found."""
    return run_rules(read_document(doc, reference, _lexicon(reference), use_ner=ner))


def extract_facts(
    doc: Document, passages: list[Passage], reference: Reference, ner: bool = True
) -> Graph:
    """The fact triples of ``doc``; every fact node has prov:wasDerivedFrom a passage."""
    index = PassageIndex(doc, passages)
    return to_rdf(doc, index, reference, _lexicon(reference), extract_records(doc, reference, ner))


__all__ = ["ExtractionError", "Reference", "extract_facts", "extract_records", "load_reference"]

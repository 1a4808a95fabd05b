"""`kg validate`: SHACL over every document graph together with the reference graph."""

from __future__ import annotations

from kg.base import KnowledgeBase
from kg.reference import load_shapes
from kg.shacl import ValidationResult, validate


def validate_kb(kb: KnowledgeBase) -> ValidationResult:
    return validate(kb.rdf.to_rdflib(), load_shapes(kb.settings.ontology))

"""Knowledge extraction: a document's organisations, people, posts, purposes, programmes,
meetings, decisions, questions and dated events as RDF facts, each derived from a passage.

Deterministic rules over the clean text (no statistical model): the same document and
passages always give the same triples.
"""

from __future__ import annotations

from rdflib import Graph

from ingest.extract.context import build_context, run_mentions
from ingest.extract.minutes import detect_committee, extract_minutes, is_minutes
from ingest.extract.organisations import extract_organisations
from ingest.extract.people import extract_posts
from ingest.extract.programmes import extract_programmes
from ingest.extract.purposes import extract_purposes
from ingest.extract.reference import Reference, load_reference
from ingest.extract.text import ExtractionError, PassageIndex
from ingest.extract.timeline import extract_timeline
from kg.model import Document, Passage


def extract_facts(doc: Document, passages: list[Passage], reference: Reference) -> Graph:
    """The fact triples of ``doc``; every fact node has prov:wasDerivedFrom a passage."""
    ctx = build_context(doc, PassageIndex(doc, passages), reference)
    if is_minutes(ctx):
        found = detect_committee(ctx)
        if found is not None:
            ctx.committee, ctx.committee_line = found
    run_mentions(ctx)
    extract_posts(ctx)
    extract_minutes(ctx)
    extract_organisations(ctx)
    extract_purposes(ctx)
    extract_programmes(ctx)
    extract_timeline(ctx)
    return ctx.graph


__all__ = ["ExtractionError", "Reference", "extract_facts", "load_reference"]

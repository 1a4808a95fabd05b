"""Purposes and functions of a body from purpose lists ("Corporate stability: To promote ...")."""

from __future__ import annotations

import re
from collections import Counter

from rdflib import Literal
from rdflib.namespace import ORG, SKOS

from ingest.extract.context import Context
from ingest.extract.reference import Entity
from ingest.extract.text import Line
from kg.namespaces import GOV, entity_iri

_PURPOSE_RE = re.compile(r"^(?P<label>[A-Z][\w’'&/ -]{2,60}?)\s*[:–-]\s*(?P<text>To\s+\w.+)$")


def _body_for(ctx: Context, line: Line) -> Entity | None:
    """The body a purpose list is about: named in its heading, else the most named body."""
    orgs = [m.entity for m in ctx.resolver.find(line.section) if m.entity.kind == "org"]
    if orgs:
        return orgs[0]
    counts = Counter(
        m.entity.iri for ms in ctx.mentions.values() for m in ms if m.entity.kind == "org"
    )
    if not counts:
        return None
    top = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[0][0]
    return ctx.resolver.entities[top]


def extract_purposes(ctx: Context) -> None:
    for line in ctx.lines:
        if line.kind not in ("bullet", "numbered") or "priorit" in line.section.lower():
            continue
        m = _PURPOSE_RE.match(line.body.strip())
        if m is None:
            continue
        body = _body_for(ctx, line)
        if body is None:
            continue
        label = m.group("label").strip()
        concept = ctx.node(entity_iri("function", label), (SKOS.Concept,), line.start, line.end)
        ctx.graph.add((concept, SKOS.inScheme, GOV.Functions))
        ctx.graph.add((concept, SKOS.prefLabel, Literal(label, lang="en")))
        ctx.graph.add((concept, SKOS.definition, Literal(m.group("text").strip(), lang="en")))
        ctx.graph.add((body.iri, ORG.purpose, concept))
        ctx.entity(body, line.start, line.end)


__all__ = ["extract_purposes"]

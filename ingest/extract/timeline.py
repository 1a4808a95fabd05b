"""Dated events: timeline entries ("Nov 22 : ...", "21 Jun: ...") and dated sentences, each
with a dct:PeriodOfTime that keeps the label verbatim and the precision it was given."""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, PROV, RDF, RDFS, XSD

from ingest.extract.context import Context
from ingest.extract.dates import DateMatch
from ingest.extract.text import Line
from kg.namespaces import GOV

_DATATYPES = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}


def period_node(ctx: Context, match: DateMatch) -> URIRef:
    """A period node per distinct label in the document (the same label is the same period)."""
    period = match.period
    iri = ctx.node(
        ctx.scoped("period", period.label), (DCTERMS.PeriodOfTime,), match.start, match.end
    )
    ctx.graph.add((iri, RDFS.label, Literal(period.label)))
    ctx.graph.add(
        (iri, DCAT.startDate, Literal(period.start, datatype=_DATATYPES[len(period.start)]))
    )
    ctx.graph.add((iri, GOV.earliest, Literal(period.earliest.isoformat(), datatype=XSD.date)))
    if period.end is not None:
        ctx.graph.add(
            (iri, DCAT.endDate, Literal(period.end, datatype=_DATATYPES[len(period.end)]))
        )
    if period.latest is not None:
        ctx.graph.add((iri, GOV.latest, Literal(period.latest.isoformat(), datatype=XSD.date)))
    return iri


def _already_dated(ctx: Context, start: int, end: int) -> bool:
    """A change event or meeting already carries this sentence's date."""
    for node in ctx.graph.subjects(RDF.type, ORG.ChangeEvent):
        description = ctx.graph.value(node, DCTERMS.description)
        if description is not None and str(description) == ctx.doc.text[start:end]:
            return True
    return False


def _is_formal(ctx: Context, line: Line) -> bool:
    """Resolutions and the meeting's own header are not timeline events."""
    if line.text.startswith(("RESOLVED", "Resolved")) or (
        line.kind == "numbered" and line.number and not line.number.isdigit()
    ):
        return True
    return ctx.committee is not None and line.index == _header_index(ctx)


def _header_index(ctx: Context) -> int | None:
    for line in ctx.lines[:12]:
        if re.search(r"\b(?:held on|meeting held|date of meeting)\b", line.text, re.I):
            return line.index
    return None


def extract_timeline(ctx: Context) -> None:
    """Every sentence with a date becomes a dated activity (unless a change event has it)."""
    for sentence in ctx.sentences:
        dates = ctx.dates.get(sentence.start, [])
        if (
            not dates
            or _already_dated(ctx, sentence.start, sentence.end)
            or _is_formal(ctx, sentence.line)
        ):
            continue
        entry = re.match(r"^\s*[:–-]?\s*", ctx.doc.text[dates[0].end : sentence.end])
        is_entry = dates[0].start == sentence.line.body_start and entry is not None
        label = sentence.text
        if is_entry and entry is not None:
            rest = ctx.doc.text[dates[0].end + entry.end() : sentence.line.end].strip()
            label = rest or sentence.text
        iri = ctx.node(
            ctx.scoped("event", sentence.start), (PROV.Activity,), sentence.start, sentence.end
        )
        ctx.graph.add((iri, RDFS.label, Literal(label)))
        for date in dates:
            ctx.graph.add((iri, DCTERMS.temporal, period_node(ctx, date)))
        for mention in ctx.mentions.get(sentence.start, []):
            if mention.entity.kind == "org":
                ctx.graph.add((iri, PROV.wasAssociatedWith, mention.entity.iri))
            else:
                ctx.graph.add((iri, DCTERMS.relation, mention.entity.iri))


__all__ = ["extract_timeline", "period_node"]
